//! CQL2 filters on the real layers against pygeofilter (`tests/clients/cql2_check.py`): every
//! expression of `tests/clients/cql2_corpus.txt`, as cql2-text and as cql2-json, must select
//! exactly the features pygeofilter's own parser and evaluator select.

use crate::common::{app, real_catalog};
use serde_json::Value;
use std::future::IntoFuture;
use std::process::Command;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_corpus_filter_selects_what_pygeofilter_selects_in_text_and_json() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = app(real_catalog());
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, router).into_future().await;
    });
    let repo = crate::common::repo();
    let output = tokio::task::spawn_blocking(move || {
        Command::new("python3")
            .arg(repo.join("tests/clients/cql2_check.py"))
            .arg(&base)
            .arg(repo.join("tests/clients/cql2_corpus.txt"))
            .output()
            .unwrap_or_else(|e| panic!("cannot run python3 ({e})"))
    })
    .await
    .unwrap();
    server.abort();
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    let report: Value = stdout
        .lines()
        .find(|l| l.starts_with('{'))
        .and_then(|l| serde_json::from_str(l).ok())
        .unwrap_or_else(|| {
            panic!(
                "no report from cql2_check.py (python3 -m pip install pygeofilter shapely): {}\n{stdout}",
                String::from_utf8_lossy(&output.stderr)
            )
        });
    println!("{report}");
    assert_eq!(report["disagreements"], serde_json::json!([]), "{report:#}");
    assert!(output.status.success());
    let cases = report["cases"].as_u64().unwrap();
    assert!(
        cases >= 150,
        "{cases} filters: the corpus must hold at least 150"
    );
    assert_eq!(report["text_agree"].as_u64(), Some(cases));
    assert_eq!(report["json_agree"].as_u64(), Some(cases));
    // A corpus that matched nothing, or everything, would prove little.
    assert!(
        report["partial"].as_u64().unwrap() * 10 >= cases * 7,
        "{report}"
    );
}
