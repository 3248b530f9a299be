//! Content codings: which one a client accepts (`Accept-Encoding`), and compressing bytes into it.

use std::io::Write;

/// A content coding we can send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    Identity,
    Gzip,
    Brotli,
}

impl Encoding {
    /// The `Content-Encoding` token; `None` for identity.
    pub fn token(self) -> Option<&'static str> {
        match self {
            Encoding::Identity => None,
            Encoding::Gzip => Some("gzip"),
            Encoding::Brotli => Some("br"),
        }
    }
}

/// How hard to compress: `Best` for representations compressed once and served many times,
/// `Fast` (gzip level 1, brotli 3) for one-off answers (a filter, an odd page size), which
/// cost twice less CPU for bodies about a quarter larger than level 3's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effort {
    Best,
    Fast,
}

/// Picks the coding for an `Accept-Encoding` header: brotli, then gzip, then identity, honouring
/// `q` values (`q=0` refuses a coding; `*` stands for codings not named).
///
/// ```
/// use smartspec::cache::{negotiate, Encoding};
/// assert_eq!(negotiate(Some("gzip, deflate, br")), Encoding::Brotli);
/// assert_eq!(negotiate(Some("gzip;q=1.0, br;q=0")), Encoding::Gzip);
/// assert_eq!(negotiate(Some("identity")), Encoding::Identity);
/// assert_eq!(negotiate(None), Encoding::Identity);
/// ```
pub fn negotiate(accept_encoding: Option<&str>) -> Encoding {
    let Some(header) = accept_encoding else {
        return Encoding::Identity;
    };
    let mut q_br: Option<f32> = None;
    let mut q_gzip: Option<f32> = None;
    let mut q_any: Option<f32> = None;
    for item in header.split(',') {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .filter_map(|v| v.trim().parse::<f32>().ok())
            .next()
            .unwrap_or(1.0);
        match name.as_str() {
            "br" => q_br = Some(q),
            "gzip" | "x-gzip" => q_gzip = Some(q),
            "*" => q_any = Some(q),
            _ => {}
        }
    }
    let br = q_br.or(q_any).unwrap_or(0.0);
    let gzip = q_gzip.or(q_any).unwrap_or(0.0);
    if br > 0.0 && br >= gzip {
        Encoding::Brotli
    } else if gzip > 0.0 {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

/// Compresses `body` into `encoding` (identity returns a copy).
pub fn compress(body: &[u8], encoding: Encoding, effort: Effort) -> std::io::Result<Vec<u8>> {
    match encoding {
        Encoding::Identity => Ok(body.to_vec()),
        Encoding::Gzip => {
            let level = match effort {
                Effort::Best => flate2::Compression::best(),
                Effort::Fast => flate2::Compression::fast(),
            };
            let mut out = flate2::write::GzEncoder::new(Vec::with_capacity(body.len() / 4), level);
            out.write_all(body)?;
            out.finish()
        }
        Encoding::Brotli => {
            let params = brotli::enc::BrotliEncoderParams {
                quality: match effort {
                    Effort::Best => BROTLI_BEST_QUALITY,
                    Effort::Fast => 3,
                },
                lgwin: 22,
                size_hint: body.len(),
                ..Default::default()
            };
            let mut out = Vec::with_capacity(body.len() / 4);
            brotli::BrotliCompress(&mut &body[..], &mut out, &params)?;
            Ok(out)
        }
    }
}

/// Brotli's quality for `Effort::Best`: 11 is several times slower than 9 for a percent or two.
const BROTLI_BEST_QUALITY: i32 = 9;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;
    use std::io::Read;

    #[test]
    fn prefers_brotli_then_gzip_and_honours_refusals() {
        assert_eq!(negotiate(Some("br")), Encoding::Brotli);
        assert_eq!(negotiate(Some("gzip")), Encoding::Gzip);
        assert_eq!(negotiate(Some("GZIP ; q=0.5")), Encoding::Gzip);
        assert_eq!(negotiate(Some("br;q=0.2, gzip;q=0.8")), Encoding::Gzip);
        assert_eq!(negotiate(Some("*")), Encoding::Brotli);
        assert_eq!(negotiate(Some("*;q=0")), Encoding::Identity);
        assert_eq!(negotiate(Some("br;q=0, *")), Encoding::Gzip);
        assert_eq!(negotiate(Some("deflate")), Encoding::Identity);
        assert_eq!(negotiate(Some("")), Encoding::Identity);
    }

    #[test]
    fn gzip_and_brotli_round_trip() {
        let body = br#"{"type":"FeatureCollection","features":[]}"#.repeat(100);
        for effort in [Effort::Best, Effort::Fast] {
            let gz = compress(&body, Encoding::Gzip, effort).unwrap();
            let mut back = Vec::new();
            flate2::read::GzDecoder::new(&gz[..])
                .read_to_end(&mut back)
                .unwrap();
            assert_eq!(back, body);
            let br = compress(&body, Encoding::Brotli, effort).unwrap();
            let mut back = Vec::new();
            brotli::Decompressor::new(&br[..], 4096)
                .read_to_end(&mut back)
                .unwrap();
            assert_eq!(back, body);
            assert!(gz.len() < body.len() / 10 && br.len() < body.len() / 10);
        }
    }

    proptest! {
        #[test]
        fn negotiate_never_panics(header in ".{0,80}") {
            let _ = negotiate(Some(&header));
        }
    }
}
