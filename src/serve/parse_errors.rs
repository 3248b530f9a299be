//! hyper answers a request it cannot parse (a malformed request line or header, too many header
//! fields, a head past the read buffer) itself, with a bare 400, 414 or 431 before any router
//! runs. This socket wrapper recognises those answers on the way out and gives them the
//! documented JSON error body, so every error a client sees is `{"code", "description"}`.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The most header fields hyper reads (more: its 431).
pub const MAX_HEADER_FIELDS: usize = 100;
/// The most bytes hyper buffers for a request head (more: its 431).
pub const MAX_HEAD_BYTES: usize = 256 << 10;

/// The JSON body for hyper's automatic answer with `status`, or None for any other status.
fn body_for(status: &[u8]) -> Option<String> {
    let (code, description) = match status {
        b"400" => (
            "BadRequest",
            "the request could not be parsed as HTTP/1.1: its request line or a header field is malformed".to_string(),
        ),
        b"414" => (
            "URITooLong",
            "the request target is longer than the server reads".to_string(),
        ),
        b"431" => (
            "HeadersTooLarge",
            format!(
                "the request head has more than {MAX_HEADER_FIELDS} header fields or more than {MAX_HEAD_BYTES} bytes"
            ),
        ),
        _ => return None,
    };
    let error = crate::api::ApiError {
        status: axum::http::StatusCode::from_bytes(status).ok()?,
        code,
        description,
    };
    Some(error.body())
}

/// If `head` is exactly one of hyper's automatic parse-error answers (status 400, 414 or 431,
/// `connection: close`, `content-length: 0`, nothing after the head), the same answer with the
/// documented JSON body. Every answer of the router's own carries a body, so none matches.
pub fn with_json_body(head: &[u8]) -> Option<Vec<u8>> {
    let rest = head.strip_prefix(b"HTTP/1.1 ")?;
    let body = body_for(rest.get(..3)?)?;
    let end = head.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    if end != head.len() {
        return None;
    }
    let text = std::str::from_utf8(head).ok()?;
    let lower = text.to_ascii_lowercase();
    if !lower.contains("\r\nconnection: close\r\n") {
        return None;
    }
    let at = lower.find("\r\ncontent-length: 0\r\n")?;
    let length_line = "\r\ncontent-length: 0".len();
    let mut out = String::with_capacity(head.len() + body.len() + 48);
    out.push_str(&text[..at]);
    out.push_str(
        "\r\naccess-control-allow-origin: *\r\ncontent-type: application/json\r\ncontent-length: ",
    );
    out.push_str(&body.len().to_string());
    out.push_str(&text[at + length_line..]);
    out.push_str(&body);
    Some(out.into_bytes())
}

/// A socket whose writes pass through unchanged, except hyper's bare parse-error answers, which
/// go out with their JSON body.
pub struct JsonParseErrors<S> {
    inner: S,
    /// A rewritten answer still being written, and how much of it is out.
    pending: Option<(Vec<u8>, usize)>,
}

impl<S> JsonParseErrors<S> {
    pub fn new(inner: S) -> JsonParseErrors<S> {
        JsonParseErrors {
            inner,
            pending: None,
        }
    }
}

impl<S: AsyncWrite + Unpin> JsonParseErrors<S> {
    /// Writes what is left of a rewritten answer; Ready once none is left.
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some((bytes, done)) = &mut self.pending {
            match Pin::new(&mut self.inner).poll_write(cx, &bytes[*done..]) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => {
                    *done += n;
                    if *done == bytes.len() {
                        self.pending = None;
                    }
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
        Poll::Ready(Ok(()))
    }

    /// Takes `head` in place of hyper's answer if it is one: Some(its length) once queued.
    fn rewrite(&mut self, cx: &mut Context<'_>, head: &[u8]) -> Option<Poll<io::Result<usize>>> {
        let answer = with_json_body(head)?;
        self.pending = Some((answer, 0));
        Some(match self.drain(cx) {
            // What is not yet out goes on the next write, flush or shutdown.
            Poll::Ready(Ok(())) | Poll::Pending => Poll::Ready(Ok(head.len())),
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
        })
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for JsonParseErrors<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for JsonParseErrors<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        std::task::ready!(this.drain(cx))?;
        if let Some(done) = this.rewrite(cx, buf) {
            return done;
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        std::task::ready!(this.drain(cx))?;
        let mut filled = bufs.iter().filter(|b| !b.is_empty());
        if let (Some(only), None) = (filled.next(), filled.next()) {
            if let Some(done) = this.rewrite(cx, only) {
                return done;
            }
        }
        Pin::new(&mut this.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        std::task::ready!(this.drain(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        std::task::ready!(this.drain(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    const BARE_400: &[u8] = b"HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\ndate: Mon, 30 Nov 2026 09:02:33 GMT\r\n\r\n";

    #[test]
    fn hypers_bare_answers_get_the_json_body() {
        let out = String::from_utf8(with_json_body(BARE_400).unwrap()).unwrap();
        let (head, body) = out.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 400 Bad Request\r\nconnection: close\r\n"));
        assert!(head.contains("\r\ncontent-type: application/json\r\n"));
        assert!(head.contains(&format!("\r\ncontent-length: {}\r\n", body.len())));
        assert!(head.ends_with("date: Mon, 30 Nov 2026 09:02:33 GMT"));
        let json: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(json["code"], "BadRequest");
        let bare_431 = b"HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        let out = String::from_utf8(with_json_body(bare_431).unwrap()).unwrap();
        assert!(out.contains("\"code\":\"HeadersTooLarge\""), "{out}");
    }

    #[test]
    fn the_routers_own_answers_pass_unchanged() {
        for head in [
            // Keep-alive, with a body, another status, or bytes after the head.
            &b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n"[..],
            b"HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 12\r\n\r\n",
            b"HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n",
            b"HTTP/1.1 304 Not Modified\r\nconnection: close\r\ncontent-length: 0\r\n\r\n",
            b"HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n{}",
            b"{\"HTTP/1.1 400\"}",
        ] {
            assert_eq!(
                with_json_body(head),
                None,
                "{}",
                String::from_utf8_lossy(head)
            );
        }
    }

    #[tokio::test]
    async fn the_socket_writes_the_rewritten_answer_even_a_byte_at_a_time() {
        let (a, mut b) = tokio::io::duplex(1);
        let mut s = JsonParseErrors::new(a);
        let peer = tokio::spawn(async move {
            let mut got = Vec::new();
            b.read_to_end(&mut got).await.unwrap();
            got
        });
        s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
            .await
            .unwrap();
        s.write_all(BARE_400).await.unwrap();
        s.shutdown().await.unwrap();
        drop(s);
        let got = String::from_utf8(peer.await.unwrap()).unwrap();
        let (first, second) = got.split_at(got.find("HTTP/1.1 400").unwrap());
        assert_eq!(first, "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
        assert_eq!(second.as_bytes(), with_json_body(BARE_400).unwrap());
    }
}
