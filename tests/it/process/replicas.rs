//! Two replicas behind Debian's Varnish with the VCL in `deploy/`: a recorded map session gets
//! identical bytes and strong ETags from either replica, hits the shared cache on its second
//! run, revalidates with 304 through it, and readiness and counters pass it by.

use super::resilience::{header, real_server, send, Answer, Server};
use crate::common::repo;
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(60);

fn get(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> Answer {
    let extra: String = headers
        .iter()
        .map(|(k, v)| format!("{k}: {v}\r\n"))
        .collect();
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}Connection: close\r\n\r\n");
    send(addr, request.as_bytes(), TIMEOUT).unwrap_or_else(|e| panic!("GET {path}: {e}"))
}

fn json(addr: SocketAddr, path: &str) -> serde_json::Value {
    let (status, _, body) = get(addr, path, &[]);
    assert_eq!(status, 200, "{path}: {}", String::from_utf8_lossy(&body));
    serde_json::from_slice(&body).unwrap()
}

/// What the map asks for in one session: the page, its settings and catalogue, geometry at
/// three zoom bands, labels, values, ranking, an area's profile and a comparison.
fn map_session(addr: SocketAddr) -> Vec<String> {
    let config = json(addr, "/map-config.json");
    let v = config["data_version"].as_str().unwrap().to_string();
    let indicator = config["default_indicator"].as_str().unwrap().to_string();
    let about = json(addr, &format!("/indicators/{indicator}"));
    let level = about["levels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["geography"] == "lep")
        .unwrap_or_else(|| panic!("{indicator} has no LEP level: {about}"));
    let year = level["years"].as_array().unwrap().last().unwrap().clone();
    let layer = level["layers"][year.to_string()]
        .as_str()
        .unwrap()
        .to_string();
    let g = "geography=lep";
    let mut urls: Vec<String> = ["/map/", "/map-config.json", "/collections", "/indicators"]
        .map(String::from)
        .to_vec();
    for zoom in [6, 8, 10] {
        urls.push(format!(
            "/collections/{layer}/items?limit=10000&properties=code%2Cname&zoom={zoom}&v={v}"
        ));
    }
    urls.push(format!("/collections/{layer}/labels?v={v}"));
    urls.push(format!(
        "/indicators/{indicator}/values?{g}&year={year}&v={v}"
    ));
    urls.push(format!("/indicators/{indicator}/ranking?{g}&year={year}"));
    let codes = json(
        addr,
        &format!("/collections/{layer}/items?limit=2&properties=code"),
    );
    let codes: Vec<&str> = codes["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["code"].as_str().unwrap())
        .collect();
    urls.push(format!("/areas/{}/profile?{g}&year={year}", codes[0]));
    urls.push(format!(
        "/indicators/{indicator}/compare?{g}&year={year}&areas={}",
        codes.join("%2C")
    ));
    urls
}

/// Varnish on a free loopback port with `deploy/varnish.vcl`, its backends set to `replicas`.
struct Varnish {
    child: Child,
    addr: SocketAddr,
    dir: std::path::PathBuf,
}

impl Varnish {
    fn start(replicas: [SocketAddr; 2]) -> Varnish {
        let dir = std::env::temp_dir().join(format!("smartspec-varnish-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let vcl = std::fs::read_to_string(repo().join("deploy/varnish.vcl")).unwrap();
        assert!(vcl.contains("\"8081\"") && vcl.contains("\"8082\""));
        let vcl = vcl
            .replace("\"8081\"", &format!("\"{}\"", replicas[0].port()))
            .replace("\"8082\"", &format!("\"{}\"", replicas[1].port()));
        let vcl_path = dir.join("smartspec.vcl");
        std::fs::write(&vcl_path, vcl).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let child = Command::new("varnishd")
            .args(["-F", "-a", &addr.to_string(), "-f"])
            .arg(&vcl_path)
            .arg("-n")
            .arg(dir.join("work"))
            .args(["-s", "malloc,256m", "-p", "http_gzip_support=off"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("varnishd (apt-get install varnish) runs");
        let varnish = Varnish { child, addr, dir };
        // Ready once both probes have passed and a request gets through.
        let until = Instant::now() + TIMEOUT;
        loop {
            let ok = send(
                addr,
                b"GET /ready HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
                Duration::from_secs(2),
            )
            .is_ok_and(|(status, _, _)| status == 200);
            if ok {
                break;
            }
            assert!(Instant::now() < until, "Varnish did not come up at {addr}");
            std::thread::sleep(Duration::from_millis(200));
        }
        std::thread::sleep(Duration::from_secs(3));
        varnish
    }
}

impl Drop for Varnish {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

const CODINGS: [&str; 3] = ["identity", "gzip", "br"];

#[test]
fn two_replicas_behind_varnish_answer_alike_and_the_second_session_is_served_from_the_cache() {
    let replicas: [Server; 2] = [real_server(&[]), real_server(&[])];
    let addrs = [replicas[0].addr, replicas[1].addr];
    let session = map_session(addrs[0]);
    let version = json(addrs[0], "/map-config.json")["data_version"]
        .as_str()
        .unwrap()
        .to_string();

    // Either replica: the same status, bytes and strong ETag, in every coding.
    for url in &session {
        for coding in CODINGS {
            let answers = addrs.map(|a| get(a, url, &[("Accept-Encoding", coding)]));
            let (a, b) = (&answers[0], &answers[1]);
            assert_eq!(a.0, 200, "{url} ({coding})");
            assert_eq!(b.0, 200, "{url} ({coding})");
            assert!(a.2 == b.2, "{url} ({coding}): the replicas' bodies differ");
            let tag = header(&a.1, "etag").unwrap_or_else(|| panic!("{url}: no ETag"));
            assert!(!tag.starts_with("W/"), "{url}: a weak ETag {tag}");
            assert_eq!(Some(tag), header(&b.1, "etag"), "{url} ({coding})");
            let vary: Vec<_> = a.1.iter().filter(|(k, _)| k == "vary").collect();
            assert_eq!(vary.len(), 1, "{url}: {vary:?}");
            assert_eq!(vary[0].1, "Accept, Accept-Encoding", "{url}");
            let cache_control = header(&a.1, "cache-control").unwrap();
            if url.contains(&format!("v={version}")) {
                assert!(
                    cache_control.contains("immutable"),
                    "{url}: {cache_control}"
                );
            } else {
                assert!(
                    cache_control.contains("max-age=")
                        && cache_control.contains("stale-while-revalidate="),
                    "{url}: {cache_control}"
                );
            }
        }
    }

    let varnish = Varnish::start(addrs);
    let through = |url: &str, headers: &[(&str, &str)]| get(varnish.addr, url, headers);
    let mut hits = 0;
    let mut asked = 0;
    for run in 0..2 {
        for url in &session {
            for coding in ["gzip", "br"] {
                let (status, headers, body) = through(url, &[("Accept-Encoding", coding)]);
                assert_eq!(status, 200, "{url} through Varnish");
                let direct = get(addrs[run % 2], url, &[("Accept-Encoding", coding)]);
                assert!(body == direct.2, "{url} ({coding}): Varnish's bytes differ");
                assert_eq!(header(&headers, "etag"), header(&direct.1, "etag"));
                if run == 1 {
                    asked += 1;
                    hits += usize::from(header(&headers, "x-cache") == Some("HIT"));
                }
            }
        }
    }
    let ratio = hits as f64 / asked as f64;
    eprintln!("second session through Varnish: {hits} of {asked} hits ({ratio:.3})");
    assert!(ratio >= 0.95, "{hits} of {asked} hits");

    // A conditional request revalidates through the cache.
    for url in &session {
        let (_, headers, _) = through(url, &[("Accept-Encoding", "gzip")]);
        let tag = header(&headers, "etag").unwrap().to_string();
        let (status, _, body) =
            through(url, &[("Accept-Encoding", "gzip"), ("If-None-Match", &tag)]);
        assert_eq!(status, 304, "{url} with If-None-Match {tag}");
        assert!(body.is_empty());
    }

    // Readiness and counters are each replica's own, never from the cache.
    for _ in 0..2 {
        let (status, headers, _) = through("/ready", &[]);
        assert_eq!(status, 200);
        assert_ne!(header(&headers, "x-cache"), Some("HIT"));
    }
    for addr in addrs {
        let (status, headers, body) = get(addr, "/metrics", &[]);
        assert_eq!(status, 200);
        assert!(header(&headers, "content-type")
            .unwrap()
            .starts_with("text/plain"));
        let text = String::from_utf8(body).unwrap();
        assert!(
            text.contains("smartspec_requests_total{route=\"/map-config.json\",status=\"200\"}"),
            "{text}"
        );
        assert!(text.contains("smartspec_cache_hits_total "), "{text}");
    }
}

/// The systemd unit in `deploy/` passes `systemd-analyze verify` (with its `ExecStart` pointed
/// at the binary under test, the only path that differs on this machine), and every flag it
/// passes is one the binary accepts.
#[test]
fn the_systemd_unit_verifies_and_names_only_real_flags() {
    let unit = std::fs::read_to_string(repo().join("deploy/smartspec.service")).unwrap();
    let binary = env!("CARGO_BIN_EXE_smartspec");
    let help = Command::new(binary).arg("--help").output().unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    let flags: Vec<&str> = unit
        .lines()
        .filter(|l| !l.starts_with('#'))
        .flat_map(str::split_whitespace)
        .filter(|w| w.starts_with("--"))
        .collect();
    assert!(flags.len() >= 5, "{flags:?}");
    for flag in flags {
        assert!(
            help.contains(&format!("{flag} ")),
            "{flag} is not a flag of smartspec"
        );
    }
    let dir = std::env::temp_dir().join(format!("smartspec-unit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("smartspec.service");
    std::fs::write(&path, unit.replace("/usr/local/bin/smartspec", binary)).unwrap();
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&path)
        .output()
        .expect("systemd-analyze (systemd) runs");
    let said = String::from_utf8_lossy(&out.stderr).to_string();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(out.status.success(), "systemd-analyze verify: {said}");
    let about_unit: Vec<&str> = said
        .lines()
        .filter(|l| l.contains("smartspec.service"))
        .collect();
    assert!(about_unit.is_empty(), "{about_unit:?}");
}
