//! The `smartspec` binary: bad data stops start-up with one clear message; SIGTERM stops it cleanly.

use crate::common::{fixtures, repo};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

fn smartspec() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_smartspec"));
    cmd.current_dir(repo()).env("RUST_LOG", "info");
    cmd
}

#[test]
fn a_missing_data_directory_is_named_with_the_flag_to_fix_it() {
    let out = smartspec()
        .args(["--data-dir", "/nonexistent/smartspec-data"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--data-dir /nonexistent/smartspec-data: not a directory"),
        "{stderr}"
    );
    assert!(stderr.contains("SMARTSPEC_DATA_DIR"), "{stderr}");
}

#[test]
fn a_bad_boundary_file_stops_start_up_naming_file_and_feature() {
    let dir = std::env::temp_dir().join(format!("smartspec-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("boundaries")).unwrap();
    std::fs::create_dir_all(dir.join("metrics")).unwrap();
    for f in [
        "boundaries/squares_2017.geojson",
        "boundaries/grid.geojson",
        "boundaries/overlap.geojson",
        "metrics/squares.csv",
        "metrics/grid.csv",
        "metrics/indicators.csv",
        "metrics/framework_groups.csv",
        "metrics/disciplines.csv",
        "indicator_semantics.csv",
        "layers.toml",
    ] {
        std::fs::copy(fixtures().join(f), dir.join(f)).unwrap();
    }
    let squares = std::fs::read_to_string(fixtures().join("boundaries/squares.geojson")).unwrap();
    std::fs::write(
        dir.join("boundaries/squares.geojson"),
        squares.replacen("\"name\": \"Charlie\"", "\"name\": \"\"", 1),
    )
    .unwrap();
    let out = smartspec()
        .args([
            "--data-dir",
            dir.to_str().unwrap(),
            "--manifest",
            dir.join("layers.toml").to_str().unwrap(),
            "--addr",
            "127.0.0.1:0",
        ])
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let all = format!("{stdout}{stderr}");
    assert!(
        all.contains("squares.geojson: feature 2 (code C): missing or empty name field 'name'"),
        "{all}"
    );
    assert!(
        !all.contains("listening"),
        "it must not serve half-loaded data: {all}"
    );
}

#[test]
fn sigterm_stops_the_server_cleanly() {
    let fixtures = fixtures();
    let mut child = smartspec()
        .args([
            "--data-dir",
            fixtures.to_str().unwrap(),
            "--manifest",
            fixtures.join("layers.toml").to_str().unwrap(),
            "--addr",
            "127.0.0.1:0",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();

    let listening = lines
        .by_ref()
        .map_while(Result::ok)
        .find(|l| l.contains("listening"));
    assert!(
        listening.is_some(),
        "the server never said it was listening"
    );
    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "exit status {status}");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still running 20 s after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(rest.iter().any(|l| l.contains("stopped")), "{rest:?}");
}

#[test]
fn max_file_mb_refuses_a_larger_data_file_before_reading_it() {
    let data = crate::common::data_dir();
    let out = smartspec()
        .args(["--data-dir", data.to_str().unwrap(), "--no-cache"])
        .args(["--max-file-mb", "1"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The first file the manifest names (2.5 MiB) is refused from its size.
    assert!(
        stderr.contains("boundaries/leps_2014.geojson: 2660402 bytes, over the limit of 1048576 bytes a data file may have (--max-file-mb)"),
        "{stderr}"
    );
    let out = smartspec().args(["--max-file-mb", "0"]).output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--max-file-mb: must be at least 1"),
        "{stderr}"
    );
}
