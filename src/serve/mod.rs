//! Stage 7, the process: accepting connections under limits and timeouts (hyper's own knobs plus
//! a guarded socket), shedding load past the connection cap, and shutting down within a grace.

mod guard;
mod parse_errors;
pub mod reload;
pub mod watch;

pub use guard::{Deadline, Guarded};
pub use parse_errors::{JsonParseErrors, MAX_HEADER_FIELDS, MAX_HEAD_BYTES};
pub use reload::Reloadable;

use axum::body::Body;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// Every limit of the serving loop (each one a command-line flag).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// A request's head must arrive within this; also how long an idle keep-alive connection
    /// waits for its next request.
    pub header_read_timeout: Duration,
    /// From a request's arrival until its response is written, body included.
    pub request_timeout: Duration,
    /// A connection on which no byte moves either way for this long is closed.
    pub idle_timeout: Duration,
    /// TCP keepalive probes start after this much silence (dead peers are found).
    pub tcp_keepalive: Duration,
    /// Open connections beyond this are answered 503 with `Retry-After` and closed.
    pub max_connections: usize,
    /// After SIGTERM, requests in flight have this long to finish.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            header_read_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
            tcp_keepalive: Duration::from_secs(60),
            max_connections: default_max_connections(),
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// Three quarters of the soft open-files limit (the rest is for data files, the cache and
/// shedding), at most 10,000; 768 where the limit cannot be read.
pub fn default_max_connections() -> usize {
    let soft = std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|limits| {
            limits
                .lines()
                .find(|l| l.starts_with("Max open files"))
                .and_then(|l| l.split_whitespace().nth(3))
                .and_then(|n| n.parse::<usize>().ok())
        })
        .unwrap_or(1024);
    (soft / 4 * 3).clamp(16, 10_000)
}

/// At most one warning per kind per 10 s, with the number of events since the last one.
#[derive(Debug, Default)]
pub struct RateLimitedLog {
    last_ms: AtomicU64,
    events: AtomicU64,
}

impl RateLimitedLog {
    /// Counts an event; returns how many happened since the last report when one is due.
    pub fn hit(&self) -> Option<u64> {
        let now = u64::try_from(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default()
                .as_millis(),
        )
        .unwrap_or(u64::MAX);
        let events = self.events.fetch_add(1, Ordering::Relaxed) + 1;
        let last = self.last_ms.load(Ordering::Relaxed);
        if now.saturating_sub(last) >= 10_000
            && self
                .last_ms
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            self.events.fetch_sub(events, Ordering::Relaxed);
            return Some(events);
        }
        None
    }
}

/// What the loop saw, logged when it ends.
#[derive(Debug, Default)]
struct Counters {
    shed: RateLimitedLog,
    accept_errors: RateLimitedLog,
    timeouts: RateLimitedLog,
}

/// Serves `app` on `listener` until `shutdown` resolves, then stops accepting and gives the
/// connections `limits.shutdown_grace` to finish before closing them.
pub async fn serve(
    listener: TcpListener,
    app: Reloadable,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) {
    let connections = Arc::new(Semaphore::new(limits.max_connections));
    // Shedding writes a short 503; a few at a time, the rest are closed at once.
    let shedders = Arc::new(Semaphore::new(64));
    let counters = Arc::new(Counters::default());
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true)
        .max_headers(MAX_HEADER_FIELDS)
        .max_buf_size(MAX_HEAD_BYTES);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // EMFILE and friends: back off instead of spinning.
                    if let Some(n) = counters.accept_errors.hit() {
                        tracing::warn!(error = %e, events = n, "accept failed; backing off");
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let Ok(permit) = connections.clone().try_acquire_owned() else {
            if let Some(n) = counters.shed.hit() {
                tracing::warn!(
                    max_connections = limits.max_connections,
                    shed = n,
                    "connection cap reached: answering 503 with Retry-After"
                );
            }
            if let Ok(shedder) = shedders.clone().try_acquire_owned() {
                tokio::spawn(async move {
                    shed(stream).await;
                    drop(shedder);
                });
            }
            continue;
        };
        configure(&stream, &limits);
        let deadline = Deadline::default();
        let io = TokioIo::new(Guarded::new(
            JsonParseErrors::new(stream),
            limits.idle_timeout,
            deadline.clone(),
        ));
        let app = app.clone();
        let request_timeout = limits.request_timeout;
        let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
            deadline.start(request_timeout);
            let router: Router = app.current();
            let mut req = req.map(Body::new);
            req.extensions_mut()
                .insert(axum::extract::ConnectInfo(peer));
            router.oneshot(req)
        });
        let connection = graceful.watch(http.serve_connection(io, service));
        let counters = counters.clone();
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                let timed_out = std::error::Error::source(&e)
                    .and_then(|s| s.downcast_ref::<std::io::Error>())
                    .is_some_and(guard::is_guard_timeout)
                    || e.is_timeout();
                if timed_out {
                    if let Some(n) = counters.timeouts.hit() {
                        tracing::warn!(%peer, error = %e, events = n, "closed a connection that hit a timeout");
                    }
                } else {
                    tracing::debug!(%peer, error = %e, "connection ended with an error");
                }
            }
            drop(permit);
        });
    }
    drop(listener);
    let open = limits.max_connections - connections.available_permits();
    tracing::info!(
        open_connections = open,
        grace_s = limits.shutdown_grace.as_secs_f64(),
        "stopped accepting; finishing requests in flight"
    );
    if tokio::time::timeout(limits.shutdown_grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            open_connections = limits.max_connections - connections.available_permits(),
            "grace period over: closing the connections left"
        );
    }
}

/// TCP_NODELAY and keepalive probes on an accepted socket.
fn configure(stream: &TcpStream, limits: &Limits) {
    let _ = stream.set_nodelay(true);
    let keepalive = socket2::TcpKeepalive::new()
        .with_time(limits.tcp_keepalive)
        .with_interval(Duration::from_secs(10));
    let _ = socket2::SockRef::from(stream).set_tcp_keepalive(&keepalive);
}

/// The 503 a client gets past the connection cap: the documented JSON error, then close.
async fn shed(mut stream: TcpStream) {
    const BODY: &str = r#"{"code":"ServiceUnavailable","description":"the server is at its connection limit; retry after a second"}"#;
    let response = format!(
        "HTTP/1.1 503 Service Unavailable\r\naccess-control-allow-origin: *\r\ncontent-type: application/json\r\nretry-after: 1\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{BODY}",
        BODY.len()
    );
    let mut buf = [0u8; 8192];
    // Read what the client sent first, and drain after the answer: closing a socket with unread
    // data resets it, and the client would see a reset instead of the 503.
    let _ = tokio::time::timeout(Duration::from_millis(100), stream.read(&mut buf)).await;
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        stream.write_all(response.as_bytes()).await?;
        stream.shutdown().await?;
        while stream.read(&mut buf).await? > 0 {}
        Ok::<(), std::io::Error>(())
    })
    .await;
}
