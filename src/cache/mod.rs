//! Stage 5c: each response's bytes computed once per request key, compressed once per coding
//! (off the async threads), with a strong content-hash ETag, in a memory-bounded cache.

mod encoding;

pub use encoding::{compress, negotiate, Effort, Encoding};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue};
use std::sync::Arc;
use tokio::sync::{OnceCell, OwnedSemaphorePermit, Semaphore};

/// Bodies smaller than this are sent uncompressed: the coding would cost more than it saves.
pub const MIN_COMPRESS_BYTES: usize = 860;

/// One cacheable response: its headers (content type and the like), its identity body, its
/// content hash, and each compressed coding, made the first time a client asks for it.
#[derive(Debug)]
pub struct Representation {
    pub headers: HeaderMap,
    pub body: Bytes,
    /// xxh3 of the identity body: the root of every coding's ETag.
    pub hash: u64,
    pub effort: Effort,
    gzip: OnceCell<Bytes>,
    brotli: OnceCell<Bytes>,
}

/// A coded body with its strong ETag.
#[derive(Debug, Clone)]
pub struct Encoded {
    pub encoding: Encoding,
    pub body: Bytes,
    pub etag: HeaderValue,
}

impl Representation {
    pub fn new(headers: HeaderMap, body: Bytes, effort: Effort) -> Representation {
        Representation {
            hash: xxhash_rust::xxh3::xxh3_64(&body),
            headers,
            body,
            effort,
            gzip: OnceCell::new(),
            brotli: OnceCell::new(),
        }
    }

    /// The strong ETag of this representation in `encoding`: the body hash plus the coding.
    ///
    /// ```
    /// use smartspec::cache::{Effort, Encoding, Representation};
    /// let r = Representation::new(Default::default(), "{}".into(), Effort::Best);
    /// assert_eq!(r.etag(Encoding::Identity).to_str().unwrap(), format!("\"{:016x}\"", r.hash));
    /// assert_eq!(r.etag(Encoding::Gzip).to_str().unwrap(), format!("\"{:016x}-gzip\"", r.hash));
    /// ```
    pub fn etag(&self, encoding: Encoding) -> HeaderValue {
        let tag = match encoding.token() {
            None => format!("\"{:016x}\"", self.hash),
            Some(token) => format!("\"{:016x}-{token}\"", self.hash),
        };
        // Hex digits, a dash and ASCII letters are always a valid header value.
        HeaderValue::from_str(&tag).unwrap_or_else(|_| HeaderValue::from_static("\"\""))
    }

    /// The coding actually used for a client that accepts `wanted`: small bodies stay identity.
    pub fn coding_for(&self, wanted: Encoding) -> Encoding {
        if self.body.len() < MIN_COMPRESS_BYTES {
            Encoding::Identity
        } else {
            wanted
        }
    }

    /// The body in `encoding`, compressing it on the blocking pool the first time (concurrent
    /// callers wait for that one compression). Falls back to identity if compression fails.
    ///
    /// A compression runs under one of `permits` (`--max-computing`): `held`, the permit of
    /// the miss that made this representation, if given, else a new one. The permit moves into
    /// the blocking job, so it is released when the job ends, even if the client has gone.
    pub async fn encoded(
        self: &Arc<Self>,
        wanted: Encoding,
        permits: &Arc<Semaphore>,
        held: Option<OwnedSemaphorePermit>,
    ) -> Encoded {
        let encoding = self.coding_for(wanted);
        let cell = match encoding {
            Encoding::Identity => None,
            Encoding::Gzip => Some(&self.gzip),
            Encoding::Brotli => Some(&self.brotli),
        };
        let Some(cell) = cell else {
            return self.identity();
        };
        let made = cell
            .get_or_try_init(|| {
                let me = Arc::clone(self);
                let permits = Arc::clone(permits);
                async move {
                    let permit = match held {
                        Some(permit) => permit,
                        None => permits
                            .acquire_owned()
                            .await
                            .map_err(std::io::Error::other)?,
                    };
                    tokio::task::spawn_blocking(move || {
                        let coded = compress(&me.body, encoding, me.effort);
                        drop(permit);
                        coded
                    })
                    .await
                    .map_err(std::io::Error::other)?
                    .map(Bytes::from)
                }
            })
            .await;
        match made {
            Ok(body) => Encoded {
                encoding,
                body: body.clone(),
                etag: self.etag(encoding),
            },
            Err(e) => {
                tracing::error!(error = %e, "compression failed; sending identity");
                self.identity()
            }
        }
    }

    fn identity(&self) -> Encoded {
        Encoded {
            encoding: Encoding::Identity,
            body: self.body.clone(),
            etag: self.etag(Encoding::Identity),
        }
    }

    /// What this entry may hold in memory once compressed: the identity body plus room for the
    /// two codings (JSON compresses to well under a quarter of its size each).
    fn weight(&self) -> u64 {
        let body = self.body.len() as u64;
        let headers: u64 = self
            .headers
            .iter()
            .map(|(k, v)| (k.as_str().len() + v.len()) as u64)
            .sum();
        body + body / 2 + headers + 256
    }
}

#[derive(Clone)]
struct ByWeight;

impl quick_cache::Weighter<String, Arc<Representation>> for ByWeight {
    fn weight(&self, key: &String, rep: &Arc<Representation>) -> u64 {
        key.len() as u64 + rep.weight()
    }
}

/// Representations by request key, evicted (S3-FIFO) beyond a byte budget.
///
/// A one-off answer (a filter, an odd page size, a stale version) is kept only when its key is
/// asked for a second time: the doorkeeper remembers the hashes of keys seen once, so a flood
/// of distinct requests cannot push the warm set out.
pub struct ResponseCache {
    entries: quick_cache::sync::Cache<String, Arc<Representation>, ByWeight>,
    seen_once: std::sync::Mutex<std::collections::HashSet<u64>>,
    refused: std::sync::atomic::AtomicU64,
    hits: std::sync::atomic::AtomicU64,
    misses: std::sync::atomic::AtomicU64,
    /// Representations stored; less those still held, the evicted (keys are never replaced).
    stored: std::sync::atomic::AtomicU64,
}

/// The cache's counters since the process started.
#[derive(Debug, Clone, Copy, Default)]
pub struct CacheCounters {
    pub hits: u64,
    pub misses: u64,
    pub refused: u64,
    pub stored: u64,
}

/// Keys the doorkeeper remembers before it starts afresh.
const DOORKEEPER_KEYS: usize = 65_536;

/// What a lookup found: the representation, or the duty to compute it (others asking for the
/// same key wait until the holder stores it or gives up).
pub enum Lookup<'a> {
    Hit(Arc<Representation>),
    Miss(Slot<'a>),
}

/// The right to fill one key; dropping it without `store` lets a waiting request compute.
pub struct Slot<'a> {
    stored: &'a std::sync::atomic::AtomicU64,
    guard: quick_cache::sync::PlaceholderGuard<
        'a,
        String,
        Arc<Representation>,
        ByWeight,
        quick_cache::DefaultHashBuilder,
        quick_cache::sync::DefaultLifecycle<String, Arc<Representation>>,
    >,
}

impl Slot<'_> {
    pub fn store(self, rep: Arc<Representation>) {
        if self.guard.insert(rep).is_ok() {
            self.stored
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// Gives the key up without storing (a waiting request computes it).
    pub fn pass(self) {}
}

impl ResponseCache {
    /// A cache holding at most about `capacity_bytes` of bodies.
    pub fn new(capacity_bytes: u64) -> ResponseCache {
        let estimated_items = (capacity_bytes / 16_384).clamp(64, 65_536) as usize;
        ResponseCache {
            entries: quick_cache::sync::Cache::with_weighter(
                estimated_items,
                capacity_bytes,
                ByWeight,
            ),
            seen_once: std::sync::Mutex::default(),
            refused: std::sync::atomic::AtomicU64::new(0),
            hits: std::sync::atomic::AtomicU64::new(0),
            misses: std::sync::atomic::AtomicU64::new(0),
            stored: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// Whether a freshly computed answer for `key` is kept: always if it is `canonical`,
    /// otherwise only the second time its key is asked for.
    pub fn admits(&self, key: &str, canonical: bool) -> bool {
        if canonical {
            return true;
        }
        let hash = xxhash_rust::xxh3::xxh3_64(key.as_bytes());
        let mut seen = self
            .seen_once
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if seen.remove(&hash) {
            return true;
        }
        if seen.len() >= DOORKEEPER_KEYS {
            seen.clear();
        }
        seen.insert(hash);
        self.refused
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        false
    }

    /// How many answers were not kept because they were asked for once.
    pub fn refused(&self) -> u64 {
        self.refused.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub async fn lookup(&self, key: &str) -> Lookup<'_> {
        use std::sync::atomic::Ordering::Relaxed;
        match self.entries.get_value_or_guard_async(key).await {
            Ok(rep) => {
                self.hits.fetch_add(1, Relaxed);
                Lookup::Hit(rep)
            }
            Err(guard) => {
                self.misses.fetch_add(1, Relaxed);
                Lookup::Miss(Slot {
                    stored: &self.stored,
                    guard,
                })
            }
        }
    }

    pub fn counters(&self) -> CacheCounters {
        use std::sync::atomic::Ordering::Relaxed;
        CacheCounters {
            hits: self.hits.load(Relaxed),
            misses: self.misses.load(Relaxed),
            refused: self.refused.load(Relaxed),
            stored: self.stored.load(Relaxed),
        }
    }

    /// Entries and the bytes they are counted for.
    pub fn usage(&self) -> (usize, u64) {
        (self.entries.len(), self.entries.weight())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;

    fn permits() -> Arc<Semaphore> {
        Arc::new(Semaphore::new(1))
    }

    fn rep(body: &str) -> Arc<Representation> {
        Arc::new(Representation::new(
            HeaderMap::new(),
            Bytes::from(body.to_string()),
            Effort::Best,
        ))
    }

    #[tokio::test]
    async fn a_coding_is_made_under_a_permit_which_it_then_returns() {
        let big = rep(&"smart specialisation ".repeat(200));
        let permits = Arc::new(Semaphore::new(1));
        let held = Arc::clone(&permits).acquire_owned().await.unwrap();
        big.encoded(Encoding::Gzip, &permits, Some(held)).await;
        assert_eq!(permits.available_permits(), 1, "the held permit comes back");
        let busy = Arc::clone(&permits).acquire_owned().await.unwrap();
        let waiting = {
            let big = Arc::clone(&big);
            let permits = Arc::clone(&permits);
            tokio::spawn(async move { big.encoded(Encoding::Brotli, &permits, None).await })
        };
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(!waiting.is_finished(), "a new coding waits for a permit");
        drop(busy);
        assert_eq!(waiting.await.unwrap().encoding, Encoding::Brotli);
        let gz = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            big.encoded(Encoding::Gzip, &permits, None),
        );
        let _all_taken = Arc::clone(&permits).acquire_owned().await.unwrap();
        assert_eq!(
            gz.await.unwrap().encoding,
            Encoding::Gzip,
            "a made coding needs no permit"
        );
    }

    #[tokio::test]
    async fn a_miss_then_a_hit_of_the_same_bytes() {
        let cache = ResponseCache::new(1 << 20);
        let Lookup::Miss(slot) = cache.lookup("/a").await else {
            panic!("empty cache hit")
        };
        slot.store(rep("hello"));
        let Lookup::Hit(found) = cache.lookup("/a").await else {
            panic!("stored entry missed")
        };
        assert_eq!(found.body, "hello");
        assert!(matches!(cache.lookup("/b").await, Lookup::Miss(_)));
    }

    #[tokio::test]
    async fn codings_are_made_once_and_tagged_apart() {
        let r = rep(&"{\"a\":1}".repeat(500));
        let gz1 = r.encoded(Encoding::Gzip, &permits(), None).await;
        let gz2 = r.encoded(Encoding::Gzip, &permits(), None).await;
        assert_eq!(gz1.encoding, Encoding::Gzip);
        assert_eq!(
            gz1.body.as_ptr(),
            gz2.body.as_ptr(),
            "compressed once, shared"
        );
        let br = r.encoded(Encoding::Brotli, &permits(), None).await;
        let id = r.encoded(Encoding::Identity, &permits(), None).await;
        let tags = [&gz1.etag, &br.etag, &id.etag];
        assert!(tags[0] != tags[1] && tags[1] != tags[2] && tags[0] != tags[2]);
        assert_eq!(id.body, r.body);
    }

    #[tokio::test]
    async fn small_bodies_stay_identity() {
        let r = rep("{}");
        assert_eq!(
            r.encoded(Encoding::Brotli, &permits(), None).await.encoding,
            Encoding::Identity
        );
    }

    #[test]
    fn a_one_off_answer_is_kept_the_second_time_it_is_asked_for() {
        let cache = ResponseCache::new(1 << 20);
        assert!(cache.admits("/layer", true), "canonical: kept at once");
        assert!(!cache.admits("/bbox=1", false));
        assert!(!cache.admits("/bbox=2", false));
        assert!(cache.admits("/bbox=1", false), "asked twice");
        assert!(!cache.admits("/bbox=1", false), "forgotten once admitted");
        assert_eq!(cache.refused(), 3);
    }

    #[tokio::test]
    async fn the_budget_bounds_what_is_kept() {
        let cache = ResponseCache::new(200_000);
        for i in 0..100 {
            if let Lookup::Miss(slot) = cache.lookup(&format!("/{i}")).await {
                slot.store(rep(&"x".repeat(10_000)));
            }
        }
        let (_, bytes) = cache.usage();
        assert!(bytes <= 200_000, "{bytes} bytes kept");
    }
}
