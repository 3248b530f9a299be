//! A connection's socket with two clocks: idle (no byte moved either way) and the deadline of the
//! response being written, so a stalled or very slow reader cannot hold a connection for ever.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

/// The instant all deadlines are counted from (milliseconds in an `AtomicU64`).
fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// When the response now being written must be done; shared by a connection's service (which
/// sets it as each request arrives) and its socket (which enforces it while writing).
#[derive(Debug, Clone, Default)]
pub struct Deadline(Arc<AtomicU64>);

impl Deadline {
    /// The response to the request that just arrived must be written within `limit`.
    pub fn start(&self, limit: Duration) {
        let at = (Instant::now() + limit).duration_since(epoch()).as_millis();
        self.0.store(
            u64::try_from(at).unwrap_or(u64::MAX).max(1),
            Ordering::Relaxed,
        );
    }

    fn get(&self) -> Option<Instant> {
        match self.0.load(Ordering::Relaxed) {
            0 => None,
            ms => Some(epoch() + Duration::from_millis(ms)),
        }
    }
}

/// Why a guarded socket gave up.
pub fn is_guard_timeout(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::TimedOut
}

/// A socket that fails with `TimedOut` once nothing moved for `idle`, or, while a write waits,
/// once the current response's [`Deadline`] has passed.
pub struct Guarded<S> {
    inner: S,
    idle: Duration,
    deadline: Deadline,
    last_progress: Instant,
    timer: Pin<Box<Sleep>>,
}

impl<S> Guarded<S> {
    pub fn new(inner: S, idle: Duration, deadline: Deadline) -> Guarded<S> {
        let now = Instant::now();
        Guarded {
            inner,
            idle,
            deadline,
            last_progress: now,
            timer: Box::pin(tokio::time::sleep_until(now + idle)),
        }
    }

    /// Called when the socket is not ready: fails if a clock ran out, else arms the timer so the
    /// task wakes when one will.
    fn wait(&mut self, cx: &mut Context<'_>, writing: bool) -> Poll<io::Error> {
        let idle_at = self.last_progress + self.idle;
        let (at, why) = match self.deadline.get().filter(|_| writing) {
            Some(d) if d < idle_at => (d, "the response was not read within the request timeout"),
            _ => (
                idle_at,
                "the connection was idle for longer than the idle timeout",
            ),
        };
        if Instant::now() >= at {
            return Poll::Ready(io::Error::new(io::ErrorKind::TimedOut, why));
        }
        if self.timer.deadline() != at {
            self.timer.as_mut().reset(at);
        }
        match self.timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(io::Error::new(io::ErrorKind::TimedOut, why)),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Guarded<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(r) => {
                this.last_progress = Instant::now();
                Poll::Ready(r)
            }
            Poll::Pending => this.wait(cx, false).map(Err),
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Guarded<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_write(cx, buf) {
            Poll::Ready(r) => {
                this.last_progress = Instant::now();
                Poll::Ready(r)
            }
            Poll::Pending => this.wait(cx, true).map(Err),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_write_vectored(cx, bufs) {
            Poll::Ready(r) => {
                this.last_progress = Instant::now();
                Poll::Ready(r)
            }
            Poll::Pending => this.wait(cx, true).map(Err),
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_flush(cx) {
            Poll::Ready(r) => Poll::Ready(r),
            Poll::Pending => this.wait(cx, true).map(Err),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test(start_paused = true)]
    async fn an_idle_socket_times_out() {
        let (a, _b) = tokio::io::duplex(64);
        let mut g = Guarded::new(a, Duration::from_secs(5), Deadline::default());
        let mut buf = [0u8; 8];
        let err = g.read(&mut buf).await.unwrap_err();
        assert!(is_guard_timeout(&err), "{err}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_reader_too_slow_for_the_deadline_is_cut_off() {
        let (a, mut b) = tokio::io::duplex(16);
        let deadline = Deadline::default();
        let mut g = Guarded::new(a, Duration::from_secs(60), deadline.clone());
        deadline.start(Duration::from_secs(3));
        // The peer reads 16 bytes a second: progress, but the response takes far too long.
        let reader = tokio::spawn(async move {
            let mut buf = [0u8; 16];
            loop {
                tokio::time::sleep(Duration::from_secs(1)).await;
                if b.read(&mut buf).await.unwrap_or(0) == 0 {
                    break;
                }
            }
        });
        let started = Instant::now();
        let err = g.write_all(&[7u8; 4096]).await.unwrap_err();
        assert!(is_guard_timeout(&err), "{err}");
        assert!(started.elapsed() <= Duration::from_secs(4));
        drop(g);
        reader.await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn a_prompt_reader_is_never_cut_off() {
        let (a, mut b) = tokio::io::duplex(1 << 16);
        let deadline = Deadline::default();
        let mut g = Guarded::new(a, Duration::from_secs(5), deadline.clone());
        deadline.start(Duration::from_secs(5));
        g.write_all(&[1u8; 1000]).await.unwrap();
        let mut buf = vec![0u8; 1000];
        b.read_exact(&mut buf).await.unwrap();
        assert_eq!(buf, vec![1u8; 1000]);
    }
}
