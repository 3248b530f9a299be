//! The real binary under hostile and unlucky clients, on loopback: stalled requests are closed by
//! the header timeout and never block others, the connection cap sheds with 503, slow readers
//! are cut off and cost little memory, SIGTERM ends within the grace period, and SIGHUP reloads
//! the data (a bad reload keeps the old answers) even under load.

use crate::common::{copy_dir, data_dir, fixtures, repo};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A running `smartspec` with its address and everything it logged.
pub(super) struct Server {
    child: Child,
    pub(super) addr: SocketAddr,
    log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        Server::start_signalled(args, None)
    }

    /// As [`Server::start`], sending `signal` as soon as the server logs its first line
    /// (while it loads the data).
    fn start_signalled(args: &[&str], signal: Option<&str>) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_smartspec"))
            .current_dir(repo())
            .env("RUST_LOG", "info")
            .args(["--addr", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let mut seen = Vec::new();
        let addr = loop {
            let line = lines
                .next()
                .unwrap_or_else(|| panic!("the server exited before listening: {seen:?}"))
                .unwrap();
            if let (Some(name), true) = (signal, seen.is_empty()) {
                let sent = Command::new("kill")
                    .args([&format!("-{name}"), &child.id().to_string()])
                    .status()
                    .unwrap();
                assert!(sent.success());
            }
            if line.contains("listening") {
                let addr = line
                    .split_whitespace()
                    .find_map(|w| w.strip_prefix("addr="))
                    .unwrap()
                    .parse()
                    .unwrap();
                seen.push(line);
                break addr;
            }
            seen.push(line);
        };
        let log = Arc::new(Mutex::new(seen));
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        Server { child, addr, log }
    }

    fn fixtures(extra: &[&str]) -> Server {
        let f = fixtures();
        let (dir, manifest) = (f.to_str().unwrap().to_string(), f.join("layers.toml"));
        let mut args = vec!["--data-dir", &dir, "--manifest", manifest.to_str().unwrap()];
        args.extend_from_slice(extra);
        Server::start(&args)
    }

    fn signal(&self, name: &str) {
        let ok = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -{name}");
    }

    /// Waits for the process to end; its exit status, or None after `limit`.
    fn wait(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let until = Instant::now() + limit;
        while Instant::now() < until {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    fn rss_kib(&self) -> u64 {
        self.status_kib("VmRSS:")
    }

    /// A `/proc/PID/status` figure in KiB (`VmRSS:`, `VmHWM:`).
    fn status_kib(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Status, headers (lower-case names) and body of a response.
pub(super) type Answer = (u16, Vec<(String, String)>, Vec<u8>);

/// One HTTP/1.1 GET with `Connection: close`.
fn get(addr: SocketAddr, path: &str, timeout: Duration) -> std::io::Result<Answer> {
    let request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    send(addr, request.as_bytes(), timeout)
}

/// Sends `request` as it is and reads the answer until the server closes.
pub(super) fn send(addr: SocketAddr, request: &[u8], timeout: Duration) -> std::io::Result<Answer> {
    let mut s = TcpStream::connect_timeout(&addr, timeout)?;
    s.set_read_timeout(Some(timeout))?;
    s.write_all(request)?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::other(format!("no header end in {} bytes", raw.len())))?;
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::other("no status line"))?;
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Ok((status, headers, raw[split + 4..].to_vec()))
}

pub(super) fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Whether the server closed `s`: a read gives EOF or an error other than a timeout.
fn closed_by_server(s: &mut TcpStream) -> bool {
    s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return false
            }
            Err(_) => return true,
        }
    }
}

#[test]
fn stalled_requests_never_block_others_and_are_closed_by_the_header_timeout() {
    let server = Server::fixtures(&["--header-read-timeout", "1"]);
    let mut stalled: Vec<TcpStream> = (0..300)
        .map(|_| {
            let mut s = TcpStream::connect(server.addr).unwrap();
            s.write_all(b"GET /collections HTTP/1.1\r\nHost: x\r\nX-Half: sent")
                .unwrap();
            s
        })
        .collect();
    // A normal request is answered within a second while 300 requests hang half-sent.
    let (status, _, body) = get(server.addr, "/collections", Duration::from_secs(1)).unwrap();
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    std::thread::sleep(Duration::from_millis(1800));
    let open = stalled
        .iter_mut()
        .map(closed_by_server)
        .filter(|closed| !closed)
        .count();
    assert_eq!(
        open, 0,
        "{open} of 300 stalled connections still open after the header timeout"
    );
}

#[test]
fn requests_the_connection_layer_cannot_parse_get_the_documented_json_error() {
    let server = Server::fixtures(&[]);
    let many_fields: String = (0..120).map(|i| format!("X-{i}: 1\r\n")).collect();
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        ("no method", b"GARBAGE\r\n\r\n".to_vec(), 400, "BadRequest"),
        (
            "unknown version",
            b"GET / HTTP/9.1\r\nHost: 127.0.0.1\r\n\r\n".to_vec(),
            400,
            "BadRequest",
        ),
        (
            "space in a header name",
            b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Name: 1\r\n\r\n".to_vec(),
            400,
            "BadRequest",
        ),
        (
            "120 header fields",
            format!("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n{many_fields}\r\n").into_bytes(),
            431,
            "HeadersTooLarge",
        ),
        (
            "a 600 KB header",
            format!(
                "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: {}\r\n\r\n",
                "a".repeat(600_000)
            )
            .into_bytes(),
            431,
            "HeadersTooLarge",
        ),
        (
            "a 70 KB target",
            format!(
                "GET /{} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                "a".repeat(70_000)
            )
            .into_bytes(),
            414,
            "URITooLong",
        ),
    ];
    for (what, request, status, code) in cases {
        let (got, headers, body) = send(server.addr, &request, Duration::from_secs(5))
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(got, status, "{what}");
        assert_eq!(
            header(&headers, "content-type"),
            Some("application/json"),
            "{what}"
        );
        assert_eq!(
            header(&headers, "access-control-allow-origin"),
            Some("*"),
            "{what}: hyper's own answer carries the CORS header"
        );
        assert_eq!(
            header(&headers, "content-length"),
            Some(body.len().to_string().as_str()),
            "{what}"
        );
        let json: serde_json::Value = serde_json::from_slice(&body)
            .unwrap_or_else(|e| panic!("{what}: {e}: {}", String::from_utf8_lossy(&body)));
        assert_eq!(json["code"], code, "{what}");
        assert!(
            json["description"].as_str().is_some_and(|d| !d.is_empty()),
            "{what}"
        );
    }
    // A malformed request pipelined after a good one: the good one is answered as usual.
    let (status, _, body) = send(
        server.addr,
        b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGARBAGE\r\n\r\n",
        Duration::from_secs(5),
    )
    .unwrap();
    assert_eq!(status, 200);
    let text = String::from_utf8_lossy(&body);
    assert!(
        text.contains("HTTP/1.1 400 Bad Request") && text.ends_with("is malformed\"}"),
        "{text}"
    );
}

/// Over a real socket: hyper passes a repeated `Host` through and the server refuses it, and a
/// Host smuggling userinfo gets a 400 that links nowhere.
#[test]
fn a_repeated_host_or_userinfo_in_host_is_refused_on_the_wire() {
    let server = Server::fixtures(&["--allowed-host", "example.org"]);
    for (what, request) in [
        (
            "two Host fields",
            "GET /collections HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
        ),
        (
            "userinfo after the colon",
            "GET /collections HTTP/1.1\r\nHost: example.org:@evil.example\r\nConnection: close\r\n\r\n",
        ),
    ] {
        let (status, headers, body) =
            send(server.addr, request.as_bytes(), Duration::from_secs(5)).unwrap();
        assert_eq!(status, 400, "{what}");
        assert_eq!(header(&headers, "access-control-allow-origin"), Some("*"));
        let text = String::from_utf8_lossy(&body);
        assert!(!text.contains("http://"), "{what}: {text}");
    }
    let (status, _, body) = send(
        server.addr,
        b"GET /collections HTTP/1.1\r\nHost: [::1]:8080\r\nConnection: close\r\n\r\n",
        Duration::from_secs(5),
    )
    .unwrap();
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&body).contains("\"http://[::1]:8080/"));
}

#[test]
fn past_the_connection_cap_clients_get_503_with_retry_after_and_json() {
    let server = Server::fixtures(&["--max-connections", "16", "--header-read-timeout", "30"]);
    let held: Vec<TcpStream> = (0..16)
        .map(|_| TcpStream::connect(server.addr).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    let (status, headers, body) = get(server.addr, "/conformance", Duration::from_secs(5)).unwrap();
    assert_eq!(status, 503);
    assert_eq!(header(&headers, "retry-after"), Some("1"));
    assert_eq!(header(&headers, "access-control-allow-origin"), Some("*"));
    let error: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(error["code"], "ServiceUnavailable");
    drop(held);
    std::thread::sleep(Duration::from_millis(300));
    let (status, _, _) = get(server.addr, "/conformance", Duration::from_secs(5)).unwrap();
    assert_eq!(status, 200, "the cap frees up as connections close");
    assert!(
        server
            .log
            .lock()
            .unwrap()
            .iter()
            .any(|l| l.contains("connection cap reached")),
        "shedding is logged"
    );
}

/// Sends a GET for a large response and reads nothing.
fn slow_reader(addr: SocketAddr, path: &str) -> TcpStream {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    socket.connect(&addr.into()).unwrap();
    let mut s: TcpStream = socket.into();
    write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    s
}

pub(super) fn real_server(extra: &[&str]) -> Server {
    let data = data_dir();
    let cache = repo().join("target/test-artefact-cache");
    let mut args = vec![
        "--data-dir",
        data.to_str().unwrap(),
        "--cache-dir",
        cache.to_str().unwrap(),
    ];
    let owned: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
    args.extend(owned.iter().map(String::as_str));
    Server::start(&args)
}

const LAYER: &str = "/collections/lad-2013/items?limit=10000";

#[test]
fn slow_readers_are_cut_off_by_the_request_timeout_and_cost_little_memory() {
    let server = real_server(&["--request-timeout", "2"]);
    // Warm the representation so the readers share one body.
    let (status, _, body) = get(server.addr, LAYER, Duration::from_secs(60)).unwrap();
    assert_eq!(status, 200);
    let full = body.len();
    assert!(full > 1 << 20, "the whole layer is large: {full} bytes");
    let before = server.rss_kib();
    let mut readers: Vec<TcpStream> = (0..100).map(|_| slow_reader(server.addr, LAYER)).collect();
    std::thread::sleep(Duration::from_millis(1000));
    let during = server.rss_kib();
    std::thread::sleep(Duration::from_millis(2500));
    // Past the request timeout every connection is closed before its body was sent.
    for (i, r) in readers.iter_mut().enumerate() {
        r.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut got = Vec::new();
        let _ = r.read_to_end(&mut got);
        assert!(got.len() < full, "reader {i} got the whole {full} bytes");
    }
    let grown_mib = during.saturating_sub(before) / 1024;
    eprintln!("RSS before {before} KiB, with 100 slow readers {during} KiB");
    assert!(
        grown_mib < 64,
        "100 slow readers grew RSS by {grown_mib} MiB"
    );
    let (status, _, _) = get(server.addr, "/conformance", Duration::from_secs(5)).unwrap();
    assert_eq!(status, 200);
}

/// Issue 21's flood: 32 clients at once, each asking with `Accept-Encoding: br` for the whole
/// lad-2013 layer at full detail under its own URL (half with their own `v=`, half at their own
/// zoom level), with `--max-computing 2`. Every one is answered, the server's peak memory stays
/// within 400 MB, and uncached items asked for meanwhile are all answered. (Their latency is
/// printed, not asserted: `benches/flood.sh` measures it.) The request timeout is raised above
/// its 30 s default: the last of the 32 waits for 15 pairs of compressions ahead of it, which on
/// a machine busy with other tests can take longer, and a 503 then would be the timeout working,
/// not the bound this test is about.
#[test]
fn a_flood_of_distinct_brotli_layers_is_bounded_in_memory_and_cheap_misses_pass_it() {
    let server = real_server(&["--max-computing", "2", "--request-timeout", "300"]);
    let (status, _, body) = get(
        server.addr,
        "/collections/lad-2013/items?limit=400&properties=code",
        Duration::from_secs(60),
    )
    .unwrap();
    assert_eq!(status, 200);
    let page: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let codes: Vec<String> = page["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["code"].as_str().unwrap().to_string())
        .collect();
    let addr = server.addr;
    let flood: Vec<_> = (0..32)
        .map(|i| {
            std::thread::spawn(move || {
                let url = if i < 16 {
                    format!("{LAYER}&v=flood-{i}")
                } else {
                    format!("{LAYER}&zoom-level={}", i - 16)
                };
                let request = format!(
                    "GET {url} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: br\r\nConnection: close\r\n\r\n"
                );
                send(addr, request.as_bytes(), Duration::from_secs(300)).map(|a| a.0)
            })
        })
        .collect();
    let mut waits = Vec::new();
    for code in codes.iter().take(40) {
        if flood.iter().all(|t| t.is_finished()) {
            break;
        }
        let started = Instant::now();
        let path = format!("/collections/lad-2013/items/{code}");
        let (status, _, _) = get(addr, &path, Duration::from_secs(60)).unwrap();
        assert_eq!(status, 200, "{path} during the flood");
        waits.push(started.elapsed());
        std::thread::sleep(Duration::from_millis(50));
    }
    for (i, t) in flood.into_iter().enumerate() {
        assert_eq!(t.join().unwrap().unwrap(), 200, "flood client {i}");
    }
    let peak = server.status_kib("VmHWM:");
    waits.sort();
    eprintln!(
        "flood: peak RSS {} MiB; {} uncached items meanwhile, slowest {:?}",
        peak / 1024,
        waits.len(),
        waits.last()
    );
    assert!(peak < 400 * 1024, "peak RSS {} MiB", peak / 1024);
}

/// One-off answers do not stay: after the map's first requests warm the cache, 25,000
/// distinct random bboxes (four clients, keep-alive) leave RSS within 50 MB of what it was.
#[test]
fn distinct_random_bboxes_leave_memory_where_warming_left_it() {
    let server = real_server(&[]);
    for warm in [
        "/collections/lep-2017/items?limit=10000&properties=code,name&zoom-level=6",
        "/collections/lad-2013/items?limit=10000&properties=code,name&zoom-level=8",
        "/indicators",
        "/collections",
    ] {
        assert_eq!(
            get(server.addr, warm, Duration::from_secs(60)).unwrap().0,
            200
        );
    }
    let warmed = server.rss_kib();
    let addr = server.addr;
    let clients: Vec<_> = (0..4u64)
        .map(|client| {
            std::thread::spawn(move || {
                let mut s = TcpStream::connect(addr).unwrap();
                s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
                s.set_nodelay(true).unwrap();
                let mut reader = BufReader::new(s.try_clone().unwrap());
                // A small LCG, seeded per client: every bbox differs.
                let mut x = 0x9E37_79B9_7F4A_7C15u64 ^ (client + 1).wrapping_mul(0xD1B5_4A32_D192_ED03);
                let mut next = || {
                    x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                    (x >> 11) as f64 / (1u64 << 53) as f64
                };
                for _ in 0..6_250 {
                    let (lon, lat) = (-5.5 + 7.0 * next(), 50.0 + 5.5 * next());
                    let (w, h) = (0.05 + 0.5 * next(), 0.05 + 0.4 * next());
                    let request = format!(
                        "GET /collections/lad-2013/items?bbox={lon:.5},{lat:.5},{:.5},{:.5}&properties=code,name HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                        lon + w,
                        lat + h
                    );
                    s.write_all(request.as_bytes()).unwrap();
                    let mut length = None;
                    let mut status = String::new();
                    reader.read_line(&mut status).unwrap();
                    assert!(status.contains(" 200 "), "{status}");
                    loop {
                        let mut line = String::new();
                        reader.read_line(&mut line).unwrap();
                        if line == "\r\n" {
                            break;
                        }
                        if let Some((k, v)) = line.split_once(':') {
                            if k.eq_ignore_ascii_case("content-length") {
                                length = v.trim().parse::<usize>().ok();
                            }
                        }
                    }
                    let mut body = vec![0; length.unwrap()];
                    reader.read_exact(&mut body).unwrap();
                }
            })
        })
        .collect();
    for c in clients {
        c.join().unwrap();
    }
    std::thread::sleep(Duration::from_millis(1500));
    let after = server.rss_kib();
    eprintln!("RSS after warming {warmed} KiB, after 25,000 distinct bboxes {after} KiB");
    assert!(
        after < warmed + 50 * 1024,
        "RSS grew by {} MiB",
        after.saturating_sub(warmed) / 1024
    );
}

/// SIGHUP's default action ends a process; one sent while the data loads must not. It is kept
/// and answered by a reload once the server listens.
#[test]
fn a_sighup_during_start_up_is_a_reload_not_an_end() {
    let data = data_dir();
    let cache = repo().join("target/test-artefact-cache");
    let mut server = Server::start_signalled(
        &[
            "--data-dir",
            data.to_str().unwrap(),
            "--cache-dir",
            cache.to_str().unwrap(),
        ],
        Some("HUP"),
    );
    wait_for_log(&server, &["SIGHUP: reloading the data"]);
    let log = server.log.lock().unwrap().join("\n");
    assert!(log.contains("listening"), "{log}");
    assert!(
        server.wait(Duration::from_millis(300)).is_none(),
        "still running"
    );
    assert_eq!(
        get(server.addr, "/health", Duration::from_secs(10))
            .unwrap()
            .0,
        200
    );
}

/// SIGTERM with a dozen whole layers being computed and brotli-compressed (each its own
/// request, so a dozen jobs on the blocking pool): the process ends within
/// `--shutdown-grace` plus 1 s, whatever those jobs still had to do.
#[test]
fn sigterm_ends_within_grace_plus_a_second_with_compression_jobs_in_flight() {
    let mut server = real_server(&["--shutdown-grace", "1", "--max-computing", "12"]);
    let addr = server.addr;
    let properties = [
        "code", "name", "lad13cd", "lad13nm", "lad13cdo", "lad20cd", "rgn_code",
    ];
    let _clients: Vec<_> = (0..12)
        .map(|i| {
            let url = format!(
                "{LAYER}&properties={}&crs={}",
                properties[i % properties.len()],
                if i < 7 {
                    "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
                } else {
                    "http://www.opengis.net/def/crs/EPSG/0/27700"
                }
            );
            std::thread::spawn(move || {
                let request = format!(
                    "GET {url} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: br\r\nConnection: close\r\n\r\n"
                );
                let _ = send(addr, request.as_bytes(), Duration::from_secs(60));
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(400));
    let sent = Instant::now();
    server.signal("TERM");
    let status = server.wait(Duration::from_secs(10));
    let took = sent.elapsed();
    let status = status.unwrap_or_else(|| panic!("still running {took:?} after SIGTERM"));
    eprintln!("SIGTERM to exit with 12 jobs in flight: {took:?}");
    assert!(status.success(), "exit status {status}");
    assert!(took < Duration::from_secs(2), "exit took {took:?}");
}

#[test]
fn sigterm_ends_within_the_grace_period_despite_slow_readers_and_stalled_clients() {
    let mut server = real_server(&["--shutdown-grace", "2", "--request-timeout", "60"]);
    let (status, _, _) = get(server.addr, LAYER, Duration::from_secs(60)).unwrap();
    assert_eq!(status, 200);
    let _readers: Vec<TcpStream> = (0..5).map(|_| slow_reader(server.addr, LAYER)).collect();
    let _stalled: Vec<TcpStream> = (0..150)
        .map(|_| {
            let mut s = TcpStream::connect(server.addr).unwrap();
            s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
            s
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let sent = Instant::now();
    server.signal("TERM");
    let status = server.wait(Duration::from_secs(6));
    let took = sent.elapsed();
    let status = status.unwrap_or_else(|| panic!("still running {took:?} after SIGTERM"));
    assert!(status.success(), "exit status {status}");
    eprintln!("SIGTERM to exit: {took:?}");
}

/// A copy of the fixture data that a test may change.
fn scratch_fixtures(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("smartspec-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&fixtures(), &dir);
    dir
}

fn health(addr: SocketAddr) -> serde_json::Value {
    let (status, _, body) = get(addr, "/health", Duration::from_secs(5)).unwrap();
    assert_eq!(status, 200);
    serde_json::from_slice(&body).unwrap()
}

fn wait_for(
    addr: SocketAddr,
    what: &str,
    ok: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let until = Instant::now() + Duration::from_secs(30);
    loop {
        let h = health(addr);
        if ok(&h) {
            return h;
        }
        assert!(Instant::now() < until, "{what} never happened: {h}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

const VALUES: &str = "/indicators/rd/values?geography=lep&year=2015";

#[test]
fn sighup_serves_a_changed_value_with_a_new_etag_and_a_broken_reload_keeps_the_old_answers() {
    let dir = scratch_fixtures("reload");
    let d = dir.to_str().unwrap().to_string();
    let manifest = dir.join("layers.toml");
    let mut server = Server::start(&["--data-dir", &d, "--manifest", manifest.to_str().unwrap()]);
    let (_, headers, body) = get(server.addr, VALUES, Duration::from_secs(5)).unwrap();
    let before: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(before["values"]["A"], 10.0);
    let etag = header(&headers, "etag").unwrap().to_string();
    let version = health(server.addr)["data_version"].clone();

    let csv = dir.join("metrics/squares.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    std::fs::write(
        &csv,
        text.replace("rd,2015,A,2014,10\n", "rd,2015,A,2014,11\n"),
    )
    .unwrap();
    server.signal("HUP");
    let h = wait_for(server.addr, "the reload", |h| h["reloads"] == 1);
    assert_ne!(h["data_version"], version);
    let (_, headers, body) = get(server.addr, VALUES, Duration::from_secs(5)).unwrap();
    let after: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(after["values"]["A"], 11.0);
    assert_ne!(
        header(&headers, "etag").unwrap(),
        etag,
        "a new value has a new ETag"
    );

    // A broken file: the reload is refused, logged and reported, and the old data stays.
    std::fs::write(dir.join("boundaries/grid.geojson"), "{ not json").unwrap();
    server.signal("HUP");
    let h = wait_for(server.addr, "the failed reload", |h| {
        h["failed_reloads"] == 1
    });
    let error = h["last_reload_error"]["error"].as_str().unwrap();
    assert!(
        error.contains("grid.geojson"),
        "the error names the file: {error}"
    );
    let (status, _, body) = get(server.addr, VALUES, Duration::from_secs(5)).unwrap();
    assert_eq!(status, 200);
    let still: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(still["values"]["A"], 11.0);
    assert_eq!(health(server.addr)["reloads"], 1);
    server.signal("TERM");
    assert!(server
        .wait(Duration::from_secs(15))
        .is_some_and(|s| s.success()));
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--watch 1`: a changed file is picked up without a signal; a broken one is refused and the
/// old answers stay; the semantics table beside the manifest is watched too.
#[test]
fn the_file_watch_reloads_changed_data_and_keeps_the_old_on_a_broken_file() {
    let dir = scratch_fixtures("watch");
    let d = dir.to_str().unwrap().to_string();
    let manifest = dir.join("layers.toml");
    let mut server = Server::start(&[
        "--data-dir",
        &d,
        "--manifest",
        manifest.to_str().unwrap(),
        "--watch",
        "1",
    ]);
    let version = health(server.addr)["data_version"].clone();
    let csv = dir.join("metrics/squares.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    // A different length, so the change shows even within one second of mtime resolution.
    std::fs::write(
        &csv,
        text.replace("rd,2015,A,2014,10\n", "rd,2015,A,2014,10.5\n"),
    )
    .unwrap();
    let h = wait_for(server.addr, "the watched reload", |h| h["reloads"] == 1);
    assert_ne!(h["data_version"], version);
    let (_, _, body) = get(server.addr, VALUES, Duration::from_secs(5)).unwrap();
    let after: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(after["values"]["A"], 10.5);

    // The semantics table: a row without polarity is refused, naming the file and line.
    let semantics = dir.join("indicator_semantics.csv");
    let table = std::fs::read_to_string(&semantics).unwrap();
    std::fs::write(&semantics, table.replacen(",true,", ",,", 1)).unwrap();
    let h = wait_for(server.addr, "the refused reload", |h| {
        h["failed_reloads"] == 1
    });
    let error = h["last_reload_error"]["error"].as_str().unwrap();
    assert!(
        error.contains("indicator_semantics.csv, line 2") && error.contains("missing polarity"),
        "{error}"
    );
    let (status, _, body) = get(server.addr, VALUES, Duration::from_secs(5)).unwrap();
    assert_eq!(status, 200);
    let still: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(still["values"]["A"], 10.5);
    server.signal("TERM");
    assert!(server
        .wait(Duration::from_secs(15))
        .is_some_and(|s| s.success()));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn reloads_under_load_give_no_errors() {
    let server = Server::fixtures(&[]);
    let stop = Arc::new(AtomicBool::new(false));
    let (ok, failed) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(Mutex::new(Vec::new())),
    );
    let paths = [
        "/collections/squares/items",
        VALUES,
        "/collections",
        "/indicators",
        "/collections/grid/items/G22/neighbours",
    ];
    let workers: Vec<_> = (0..8)
        .map(|w| {
            let (stop, ok, failed, addr) = (stop.clone(), ok.clone(), failed.clone(), server.addr);
            std::thread::spawn(move || {
                let mut i = w;
                while !stop.load(Ordering::Relaxed) {
                    let path = paths[i % paths.len()];
                    match get(addr, path, Duration::from_secs(10)) {
                        Ok((200, _, _)) => {
                            ok.fetch_add(1, Ordering::Relaxed);
                        }
                        Ok((status, _, body)) => failed.lock().unwrap().push(format!(
                            "{path}: {status} {}",
                            String::from_utf8_lossy(&body)
                        )),
                        Err(e) => failed.lock().unwrap().push(format!("{path}: {e}")),
                    }
                    i += 1;
                }
            })
        })
        .collect();
    for n in 1..=4 {
        std::thread::sleep(Duration::from_millis(400));
        server.signal("HUP");
        wait_for(server.addr, "a reload", |h| h["reloads"] == n);
    }
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().unwrap();
    }
    let failed = failed.lock().unwrap();
    eprintln!(
        "{} requests answered during 4 reloads",
        ok.load(Ordering::Relaxed)
    );
    assert!(
        failed.is_empty(),
        "{} failed: {:?}",
        failed.len(),
        &failed[..failed.len().min(5)]
    );
    assert!(ok.load(Ordering::Relaxed) > 100);
}

/// Waits until the log has a line containing every one of `needles`; that line.
fn wait_for_log(server: &Server, needles: &[&str]) -> String {
    let until = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(line) = server
            .log
            .lock()
            .unwrap()
            .iter()
            .find(|l| needles.iter().all(|n| l.contains(n)))
        {
            return line.clone();
        }
        assert!(Instant::now() < until, "no log line with {needles:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

const BETA: &str = "/indicators/beta/values?geography=nuts3&year=2016";

/// `grid.csv` cut at a line boundary, losing the indicator `beta` while staying above its
/// `min_rows`: the reload is refused (the old data keeps answering, the refusal is in `/health`
/// and logged with the counts) until the manifest says the table may shrink.
#[test]
fn a_reload_that_would_lose_an_indicator_is_refused_unless_the_manifest_allows_it() {
    let dir = scratch_fixtures("shrink");
    let csv = dir.join("metrics/grid.csv");
    let manifest = dir.join("layers.toml");
    // beta's nine rows last, so that a cut at a line boundary drops beta and nothing else.
    let lines: Vec<String> = std::fs::read_to_string(&csv)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    let (beta, rest): (Vec<String>, Vec<String>) =
        lines.into_iter().partition(|l| l.starts_with("beta,"));
    assert_eq!(beta.len(), 9);
    std::fs::write(&csv, format!("{}\n{}\n", rest.join("\n"), beta.join("\n"))).unwrap();
    let text = std::fs::read_to_string(&manifest).unwrap();
    let grid_entry = "id = \"grid\"\nfile = \"metrics/grid.csv\"\n";
    assert!(text.contains(grid_entry));
    std::fs::write(
        &manifest,
        text.replace(grid_entry, &format!("{grid_entry}min_rows = 15\n")),
    )
    .unwrap();
    let d = dir.to_str().unwrap().to_string();
    let mut server = Server::start(&["--data-dir", &d, "--manifest", manifest.to_str().unwrap()]);
    let (status, _, before) = get(server.addr, BETA, Duration::from_secs(5)).unwrap();
    assert_eq!(status, 200);
    let version = health(server.addr)["data_version"].clone();

    // 18 data rows of 27 are left, above min_rows (15): the load alone would pass.
    std::fs::write(&csv, format!("{}\n", rest.join("\n"))).unwrap();
    server.signal("HUP");
    let h = wait_for(server.addr, "the refused reload", |h| {
        h["failed_reloads"] == 1
    });
    let error = h["last_reload_error"]["error"].as_str().unwrap();
    assert_eq!(
        error,
        "reload refused, the data served before stays: metrics 'grid' (metrics/grid.csv) at nuts3 level loses 1 indicator (beta (1 years, 9 values)), 0 years of indicators kept, 0 area-year values of years kept (set allow_shrink = true on the [[metrics]] entry to accept)"
    );
    assert_eq!(h["reloads"], 0);
    assert_eq!(h["data_version"], version);
    let line = wait_for_log(&server, &["ERROR", "reload refused", "indicators_lost=1"]);
    assert!(line.contains("table=grid"), "{line}");
    let (status, _, still) = get(server.addr, BETA, Duration::from_secs(5)).unwrap();
    assert_eq!(status, 200, "the old data keeps answering");
    assert_eq!(still, before);

    // Allowed: the same cut is served, with a warning giving the counts.
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        text.replace("min_rows = 15\n", "min_rows = 15\nallow_shrink = true\n"),
    )
    .unwrap();
    server.signal("HUP");
    wait_for(server.addr, "the allowed reload", |h| h["reloads"] == 1);
    let line = wait_for_log(&server, &["WARN", "reload shrinks", "indicators_lost=1"]);
    assert!(line.contains("beta (1 years, 9 values)"), "{line}");
    let (status, _, _) = get(server.addr, BETA, Duration::from_secs(5)).unwrap();
    assert_eq!(status, 404);
    server.signal("TERM");
    assert!(server
        .wait(Duration::from_secs(15))
        .is_some_and(|s| s.success()));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A refused reload says in `/health` which file and line failed, relative to the data folder,
/// with none of the file's content and no absolute path; the log keeps the detail.
#[test]
fn health_after_a_refused_reload_shows_no_file_content_and_no_absolute_path() {
    let dir = scratch_fixtures("public");
    let d = dir.to_str().unwrap().to_string();
    let manifest = dir.join("layers.toml");
    let server = Server::start(&["--data-dir", &d, "--manifest", manifest.to_str().unwrap()]);
    let first_line = "root:x:0:0:root:/root:/bin/bash";
    let csv = dir.join("metrics/grid.csv");
    std::fs::write(
        &csv,
        format!("{first_line}\ndaemon:x:1:1::/usr/sbin:/bin/sh\n"),
    )
    .unwrap();
    server.signal("HUP");
    let h = wait_for(server.addr, "the failed reload", |h| {
        h["failed_reloads"] == 1
    });
    let body = h.to_string();
    let error = h["last_reload_error"]["error"].as_str().unwrap();
    assert_eq!(
        error,
        "metrics/grid.csv, line 1: header lacks column '…' (expected indicator,year,code,code_vintage,value; found '…')"
    );
    for leak in [
        first_line,
        "root:x",
        "/root",
        "/bin/bash",
        d.as_str(),
        "\"/",
        " /",
    ] {
        assert!(!body.contains(leak), "/health carries {leak:?}: {body}");
    }
    let line = wait_for_log(&server, &["reload failed", first_line]);
    assert!(line.contains(&d), "the log has the full path: {line}");

    // An absolute path in the manifest: refused, and /health does not repeat it.
    std::fs::write(&csv, "indicator,year,code,code_vintage,value\n").unwrap();
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        text.replace("file = \"metrics/grid.csv\"", "file = \"/etc/passwd\""),
    )
    .unwrap();
    server.signal("HUP");
    let h = wait_for(server.addr, "the second failed reload", |h| {
        h["failed_reloads"] == 2
    });
    let body = h.to_string();
    assert_eq!(
        h["last_reload_error"]["error"],
        "layers.toml: invalid manifest: metrics 'grid': file '…' is an absolute path; paths are relative to the data directory (start the server with --allow-outside-data-dir to permit it)"
    );
    for leak in ["/etc", "passwd", d.as_str(), "\"/", " /"] {
        assert!(!body.contains(leak), "/health carries {leak:?}: {body}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
