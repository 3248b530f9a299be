//! The outlier rule ("check source") on the real data: with `within=england` it judges the
//! English areas among themselves, in every series, and says so; and docs/api.md's count of the
//! values it judges is the one computed here.

use crate::common::{app, get, real_catalog};
use smartspec::metrics::quality::{check_source, judged};
use smartspec::views::indicators::{values, ValuesRequest, Within};

#[tokio::test]
async fn within_england_judges_the_english_areas_among_themselves() {
    let app = app(real_catalog());
    let uri = "/indicators/economic_complexity_index/values?geography=nuts2&year=2018";
    let uk = get(&app, uri).await.json();
    let flagged = |doc: &serde_json::Value| -> Vec<String> {
        doc["check_source"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect()
    };
    // Among the UK's NUTS 2 regions, three London ones stand out...
    for code in ["UKI4", "UKI6", "UKI7"] {
        assert!(
            flagged(&uk).contains(&code.to_string()),
            "{:?}",
            flagged(&uk)
        );
    }
    assert_eq!(uk["check_source_among"], "layer");
    // ...among England's alone, none does (the regression served the UK's flags here).
    let england = get(&app, &format!("{uri}&within=england")).await.json();
    assert_eq!(flagged(&england), Vec::<String>::new());
    assert_eq!(england["check_source_among"], "england");
    assert_eq!(england["within"], "england");
}

#[test]
fn every_series_within_england_is_flagged_among_its_english_areas() {
    let catalog = real_catalog();
    let (mut series, mut differ) = (0, 0);
    for (id, levels) in &catalog.metrics.indicators {
        for (geography, level) in levels {
            for (year, s) in &level.series {
                let layer = catalog.layer(s.layer.as_str()).unwrap();
                let english: Vec<(&str, Option<f64>)> = layer
                    .areas
                    .iter()
                    .zip(&s.values)
                    .filter(|(a, _)| a.code.in_england())
                    .map(|(a, v)| (a.code.as_str(), *v))
                    .collect();
                if english.len() == layer.areas.len() {
                    continue; // an England-only layer: nothing to judge again
                }
                series += 1;
                let expected: Vec<&str> =
                    check_source(&english.iter().map(|(_, v)| *v).collect::<Vec<_>>())
                        .into_iter()
                        .map(|k| english[k].0)
                        .collect();
                let req = ValuesRequest {
                    indicator: id.to_string(),
                    geography: Some(*geography),
                    year: Some(*year),
                    within: Some(Within::England),
                };
                let served = values(&catalog, &req).unwrap();
                assert_eq!(served.check_source, expected, "{id} {geography} {year}");
                let uk_flags_in_england: Vec<&str> = s
                    .check_source
                    .iter()
                    .map(|&i| layer.areas[i].code.as_str())
                    .filter(|c| english.iter().any(|(e, _)| e == c))
                    .collect();
                if uk_flags_in_england != expected {
                    differ += 1;
                }
            }
        }
    }
    eprintln!(
        "{series} series on UK-wide layers; in {differ} the English areas' flags differ from the \
         UK's flags restricted to England"
    );
    assert!(
        series > 100 && differ > 0,
        "{series} series, {differ} differ"
    );
}

#[test]
fn the_readme_states_how_many_values_the_rule_judges_and_flags() {
    let catalog = real_catalog();
    let (mut judged_values, mut flagged) = (0, 0);
    for levels in catalog.metrics.indicators.values() {
        for level in levels.values() {
            for s in level.series.values() {
                judged_values += judged(&s.values);
                flagged += check_source(&s.values).len();
            }
        }
    }
    let with_commas = |n: usize| {
        let digits = n.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        out
    };
    let claim = format!(
        "flags {} of the {} values it judges",
        with_commas(flagged),
        with_commas(judged_values)
    );
    eprintln!("{claim}");
    let readme = std::fs::read_to_string(crate::common::repo().join("docs/api.md")).unwrap();
    let readme = readme.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(readme.contains(&claim), "docs/api.md should say: {claim}");
}
