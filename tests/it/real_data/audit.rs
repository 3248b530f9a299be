//! The consistency audit on the real data, against a recomputation from the raw CSVs
//! (tests/clients/audit_check.py, plain Python over metrics/*.csv and the boundary files).

use crate::common::{app, get, real_catalog};
use serde_json::Value;

fn discrepancies<'a>(report: &'a Value, indicator: &str, comparison: &str) -> Vec<&'a Value> {
    report["consistency"]["discrepancies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["indicator"] == indicator && d["comparison"] == comparison)
        .collect()
}

fn figures(d: &Value) -> (i64, f64, f64, f64, bool) {
    (
        d["year"].as_i64().unwrap(),
        d["finer_sum"].as_f64().unwrap(),
        d["coarser_sum"].as_f64().unwrap(),
        d["ratio"].as_f64().unwrap(),
        d["finer_complete"].as_bool().unwrap(),
    )
}

/// `total_ukri_funding` does not add up, with the recomputed figures: the LEPs sum to £17.1 M in
/// 2019 against £12.5 M over England's NUTS 2 areas; NUTS 3 areas sum to 2.3-4.4× their NUTS 2
/// areas in every year; the UK's NUTS 3 sums (£57 M in 2017, £153 M in 2016) are 4-10× NUTS 2's.
#[tokio::test]
async fn total_ukri_funding_is_reported_with_the_recomputed_figures() {
    let app = app(real_catalog());
    let report = get(&app, "/join-report").await.json();

    let leps = discrepancies(&report, "total_ukri_funding", "leps_against_nuts2_england");
    let years: Vec<i64> = leps.iter().map(|d| figures(d).0).collect();
    assert_eq!(
        years,
        [2006, 2009, 2011, 2012, 2013, 2014, 2015, 2016, 2017, 2019]
    );
    let y2019 = leps.last().unwrap();
    assert_eq!(
        figures(y2019),
        (2019, 17064054.71, 12454841.54, 1.3701, true)
    );
    assert_eq!(
        (
            &y2019["finer_layer"],
            &y2019["coarser_layer"],
            &y2019["exact"]
        ),
        (&"lep-2017".into(), &"nuts2-2016".into(), &false.into())
    );
    assert_eq!(y2019["allowed"], serde_json::json!([0.95, 1.15]));
    assert_eq!(
        figures(leps[0]),
        (2006, 15074769.61, 10091692.26, 1.4938, true)
    );

    let within = discrepancies(&report, "total_ukri_funding", "nuts3_within_nuts2");
    assert_eq!(within.len(), 14, "every year 2006-2019");
    let ratios: Vec<f64> = within.iter().map(|d| figures(d).3).collect();
    assert_eq!(
        ratios,
        [
            3.0334, 3.0047, 3.2326, 3.2237, 3.2888, 2.2637, 3.2562, 3.3558, 3.4976, 3.3174, 3.6711,
            4.3987, 3.8485, 3.5642
        ]
    );
    let y2019 = within.last().unwrap();
    assert_eq!(
        figures(y2019),
        (2019, 28621905.55, 8030352.84, 3.5642, true)
    );
    assert_eq!(y2019["scope"], "19 NUTS 2 areas");
    assert!(y2019["worst_area"]["ratio"].as_f64().unwrap() > 3.5642);

    let national = discrepancies(&report, "total_ukri_funding", "national_total");
    let by_year = |y: i64| {
        national
            .iter()
            .map(|d| (figures(d), d["scope"].as_str().unwrap()))
            .find(|(f, _)| f.0 == y)
            .unwrap()
    };
    assert_eq!(national.len(), 11);
    assert_eq!(
        by_year(2016),
        ((2016, 153459001.3, 15327233.77, 10.0122, false), "UK")
    );
    assert_eq!(
        by_year(2017),
        ((2017, 56893858.0, 13595772.41, 4.1847, false), "UK")
    );
    assert_eq!(
        by_year(2019),
        ((2019, 49528347.62, 12454841.54, 3.9766, false), "England")
    );
}

/// Only the UKRI indicators fail: every other sum indicator adds up across levels, and the two
/// GtR "project counts" sum like money (104-181× and 70-131× UKRI's funding at NUTS 2).
#[tokio::test]
async fn only_the_ukri_indicators_fail_and_the_gtr_counts_look_swapped() {
    let app = app(real_catalog());
    let report = get(&app, "/join-report").await.json();
    let c = &report["consistency"];
    assert_eq!(
        c["failing"],
        serde_json::json!([
            "total_gtr_projects_all_disciplines",
            "total_gtr_projects_stem",
            "total_ukri_funding"
        ])
    );
    let discrepancies = c["discrepancies"].as_array().unwrap();
    assert_eq!(discrepancies.len(), 35);
    assert!(discrepancies
        .iter()
        .all(|d| d["indicator"] == "total_ukri_funding"));
    let judged: Vec<(u64, u64)> = c["comparisons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["judged"].as_u64().unwrap(), s["agreed"].as_u64().unwrap()))
        .collect();
    // Each comparison judged many indicator-years, and all but total_ukri_funding's agree.
    assert_eq!(judged.len(), 3);
    assert!(judged.iter().all(|(j, _)| *j > 50), "{judged:?}");
    assert_eq!(
        judged.iter().map(|(j, a)| j - a).collect::<Vec<_>>(),
        [14, 11, 10]
    );

    let swapped = c["swapped"].as_array().unwrap();
    let pairs: Vec<(&str, &str, &str)> = swapped
        .iter()
        .map(|p| {
            (
                p["total"].as_str().unwrap(),
                p["money"].as_str().unwrap(),
                p["geography"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        [
            (
                "total_gtr_projects_all_disciplines",
                "total_ukri_funding",
                "nuts2"
            ),
            ("total_gtr_projects_stem", "total_ukri_funding", "nuts2"),
        ]
    );
    let all = &swapped[0];
    assert_eq!(all["years"].as_array().unwrap().len(), 9);
    let [lo, hi] = [&all["total_sums"][0], &all["total_sums"][1]].map(|v| v.as_f64().unwrap());
    assert!(
        (1.25e9..1.26e9).contains(&lo) && (2.39e9..2.40e9).contains(&hi),
        "{lo} {hi}"
    );
    let [lo, hi] = [&all["factor"][0], &all["factor"][1]].map(|v| v.as_f64().unwrap());
    assert_eq!((lo.round(), hi.round()), (104.0, 181.0));
}

/// The caveats reach every level of a failing indicator in /indicators (which the map shows) and
/// its /values.
#[tokio::test]
async fn failing_indicators_carry_caveats_on_every_level() {
    let app = app(real_catalog());
    let ukri = get(&app, "/indicators/total_ukri_funding").await.json();
    for level in ukri["levels"].as_array().unwrap() {
        let caveats: Vec<&str> = level["caveats"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert!(
            caveats.iter().any(|c| c.starts_with(
                "Totals do not add up (an exact comparison): the NUTS 3 areas sum to 2.26–4.40× their NUTS 2 areas' values in 14 of 14 years judged (2006–2019)"
            )),
            "{caveats:?}"
        );
        assert!(
            caveats.iter().any(|c| c.contains(
                "the LEPs sum to 1.18–1.49× England's NUTS 2 total in 10 of 11 years judged"
            )),
            "{caveats:?}"
        );
        assert!(
            caveats
                .iter()
                .any(|c| c.starts_with("Looks swapped with total_gtr_projects_all_disciplines")),
            "{caveats:?}"
        );
        assert_eq!(level["aggregation"], "sum");
    }
    let values = get(
        &app,
        "/indicators/total_ukri_funding/values?geography=lep&year=2019",
    )
    .await
    .json();
    assert!(values["caveats"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c.as_str().unwrap().starts_with("Totals do not add up")));
}

/// The map opens on an indicator that passes the audit and carries no caveat: the server's
/// default_indicator, which web/app.js uses.
#[tokio::test]
async fn the_map_opens_on_an_indicator_that_passes_the_audit() {
    let app = app(real_catalog());
    let config = get(&app, "/map-config.json").await.json();
    assert_eq!(
        config["default_indicator"],
        "aps_econ_active_stem_density_data"
    );
    let report = get(&app, "/join-report").await.json();
    assert!(!report["consistency"]["failing"]
        .as_array()
        .unwrap()
        .contains(&config["default_indicator"]));
    let chosen = get(&app, "/indicators/aps_econ_active_stem_density_data")
        .await
        .json();
    for level in chosen["levels"].as_array().unwrap() {
        assert_eq!(level["caveats"], serde_json::json!([]), "{level}");
        assert_eq!(level["aggregation"], "share");
    }
}
