//! `/lookup`: every area of each layer that contains a point, for one point (GET) or a batch
//! (POST, its body parsed as it arrives on a blocking thread, the lookups under a permit).

use super::endpoints::{self, Cost};
use super::error::ApiError;
use super::params::Params;
use super::{filtered, json, AppState};
use crate::views::batch::{self, BatchError, Format};
use crate::views::lookup::{check_point, lookup as look_up, LookupRequest};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::{Buf, Bytes};
use http_body_util::BodyExt;
use std::io::{self, BufRead, Read};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::sync::mpsc;

/// `/lookup?lon=&lat=&layers=`: the areas containing a WGS84 point, per layer.
pub async fn lookup(State(state): State<AppState>, params: Params) -> Result<Response, ApiError> {
    // The parser has checked that both are given and are numbers.
    let (lon, lat) = (
        params.number("lon").unwrap_or(f64::NAN),
        params.number("lat").unwrap_or(f64::NAN),
    );
    check_point(lon, lat)?;
    let req = LookupRequest {
        lon,
        lat,
        layers: params.list("layers").map(<[String]>::to_vec),
    };
    Ok(filtered(json(&look_up(&state.catalog, &req)?)))
}

/// Body chunks in flight between the connection and the parser.
const CHUNKS_IN_FLIGHT: usize = 8;

/// `POST /lookup?layers=`: a CSV or GeoJSON list of points, answered in its own format with
/// each point's areas per layer (see [`crate::views::batch`]).
///
/// The body streams to a parser on the blocking pool, which stops at the first fault (and the
/// upload with it); past `--max-lookup-mb` bytes the parser is told so and the answer is a 413.
/// Only a body read whole and well formed is looked up, under a heavy-lane permit, so a slow
/// upload never holds a permit, and nothing partial is ever answered.
pub async fn batch(State(state): State<AppState>, req: Request) -> Result<Response, ApiError> {
    let params = Params::of(req.uri().query(), &endpoints::LOOKUP_BATCH)?;
    let ids = params.list("layers").map(<[String]>::to_vec);
    let layers = batch::layers(&state.catalog, ids.as_deref()).map_err(refusal)?;
    let added = batch::added_columns(&layers);
    let declared = declared_format(req.headers())?;
    let limits = state.batch;
    let (chunks, received) = mpsc::channel(CHUNKS_IN_FLIGHT);
    let parser = tokio::task::spawn_blocking(move || {
        let mut body = ChannelReader::new(received);
        let first = body
            .fill_buf()
            .map_err(|e| BatchError::Read(e.to_string()))?;
        if first.is_empty() {
            return Err(BatchError::Invalid(
                "the body is empty: send a CSV (a header row with lon and lat, or easting and northing, columns) or a GeoJSON FeatureCollection of points".into(),
            ));
        }
        let format = declared.unwrap_or_else(|| Format::sniff(first));
        batch::read(body, format, &added, limits.max_points)
    });
    // The parser may stop at a fault before the body ends: then the rest is not waited for.
    let over = Arc::new(AtomicBool::new(false));
    let feeding = feed(req.into_body(), chunks, limits.max_bytes, over.clone());
    let mut parser = parser;
    let parsed = tokio::select! {
        () = feeding => parser.await,
        parsed = &mut parser => parsed,
    }
    .map_err(|e| ApiError::internal(format!("the batch parser failed: {e}")))?;
    if over.load(Ordering::Relaxed) {
        return Err(payload_too_large(format!(
            "the body is larger than {} (--max-lookup-mb): split the list",
            size_text(limits.max_bytes)
        )));
    }
    let parsed = parsed.map_err(refusal)?;
    let permit = state
        .lane(Cost::Heavy)
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| ApiError::internal(format!("computing permits closed: {e}")))?;
    let catalog = state.catalog.clone();
    let format = parsed.format();
    let answer = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let layers = batch::layers(&catalog, ids.as_deref()).map_err(refusal)?;
        Ok::<_, ApiError>(batch::answer(&catalog, &parsed, &layers))
    })
    .await
    .map_err(|e| ApiError::internal(format!("the batch lookup failed: {e}")))??;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(format.media_type()),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        answer,
    )
        .into_response())
}

/// Sends the body's chunks to the parser until it ends, the parser stops, or more than
/// `max_bytes` arrive; in the last case `over` is set and the parser reads an error, never a
/// body cut short as if it had ended.
async fn feed(
    mut body: axum::body::Body,
    chunks: mpsc::Sender<io::Result<Bytes>>,
    max_bytes: u64,
    over: Arc<AtomicBool>,
) {
    let mut total = 0u64;
    while let Some(frame) = body.frame().await {
        let chunk = match frame {
            Ok(frame) => match frame.into_data() {
                Ok(data) => data,
                Err(_) => continue, // trailers
            },
            Err(e) => {
                let _ = chunks
                    .send(Err(io::Error::other(format!(
                        "the body could not be read: {e}"
                    ))))
                    .await;
                return;
            }
        };
        total += chunk.len() as u64;
        if total > max_bytes {
            over.store(true, Ordering::Relaxed);
            let _ = chunks
                .send(Err(io::Error::other("the body is over the byte limit")))
                .await;
            return;
        }
        if chunks.send(Ok(chunk)).await.is_err() {
            return; // the parser stopped at a fault
        }
    }
}

/// A byte count as the flag gives it (MiB), or in bytes below one MiB.
fn size_text(bytes: u64) -> String {
    if bytes % (1 << 20) == 0 {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    }
}

/// The format a `Content-Type` names: CSV or GeoJSON; `None` (the body's first byte decides)
/// for none, or for what clients send by default (`text/plain`, form encoding, octets); any
/// other type is a 415.
fn declared_format(headers: &HeaderMap) -> Result<Option<Format>, ApiError> {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Ok(None);
    };
    let essence = value
        .to_str()
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        "text/csv" | "application/csv" => Ok(Some(Format::Csv)),
        "application/geo+json" | "application/json" => Ok(Some(Format::GeoJson)),
        "" | "text/plain" | "application/x-www-form-urlencoded" | "application/octet-stream" => {
            Ok(None)
        }
        other => Err(ApiError {
            status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
            code: "UnsupportedMediaType",
            description: format!(
                "Content-Type {other}: a batch lookup reads text/csv or application/geo+json (application/json)"
            ),
        }),
    }
}

fn payload_too_large(description: String) -> ApiError {
    ApiError {
        status: StatusCode::PAYLOAD_TOO_LARGE,
        code: "PayloadTooLarge",
        description,
    }
}

fn refusal(e: BatchError) -> ApiError {
    match e {
        BatchError::Invalid(d) => ApiError::invalid(d),
        BatchError::TooMany(d) => payload_too_large(d),
        BatchError::Read(d) => ApiError::invalid(format!("the body could not be read: {d}")),
    }
}

/// The body as a blocking reader, chunk by chunk as the connection delivers it.
struct ChannelReader {
    chunks: mpsc::Receiver<io::Result<Bytes>>,
    current: Bytes,
}

impl ChannelReader {
    fn new(chunks: mpsc::Receiver<io::Result<Bytes>>) -> ChannelReader {
        ChannelReader {
            chunks,
            current: Bytes::new(),
        }
    }
}

impl BufRead for ChannelReader {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.current.is_empty() {
            match self.chunks.blocking_recv() {
                Some(Ok(chunk)) => self.current = chunk,
                Some(Err(e)) => return Err(e),
                None => break,
            }
        }
        Ok(&self.current)
    }

    fn consume(&mut self, n: usize) {
        self.current.advance(n.min(self.current.len()));
    }
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}
