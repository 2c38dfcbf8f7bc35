//! Processing each delivery once, across every instance of a service.
//!
//! OpenAI retries a delivery (same `webhook-id`, new timestamp and
//! signature) until it gets a 2xx, for up to 72 hours, and two attempts can
//! reach two instances at the same moment. A [`DeliveryStore`] keeps one
//! state per `webhook-id`:
//!
//! - **new**: never seen, or its earlier attempt failed and was released;
//! - **in progress**: an instance has claimed it and runs its handler; the
//!   claim is a lease that expires, so the claim of a crashed instance does
//!   not block the retry for long;
//! - **done**: handled; remembered for the retry horizon (7 days by
//!   default), so a retry is acknowledged without running the handler.
//!
//! [`Deduplicator::process`] runs a handler under that protocol and says
//! what happened ([`Processed`]), which the `axum` feature turns into the
//! right status: a duplicate of a done delivery gets a 2xx, one still in
//! progress a 409 so that the sender tries again later, and a store that
//! cannot be reached a 503 with no handler run.
//!
//! Two stores come with the crate: [`MemoryStore`] (one instance, bounded
//! memory) and, with the `redis` feature, `RedisStore` (shared by every
//! instance). Others implement [`DeliveryStore`].

use std::fmt;
use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::observe::event;

mod memory;
#[cfg(feature = "redis")]
mod redis;

pub use memory::{MemoryStore, DEFAULT_CAPACITY};
#[cfg(feature = "redis")]
pub use redis::{RedisStore, DEFAULT_PREFIX, DEFAULT_TIMEOUT};

/// How long a claim lasts unless completed, released or renewed, by
/// default: one minute. [`Deduplicator::process`] renews it while the
/// handler runs within a Tokio runtime; elsewhere it must be longer than
/// the handler's longest run, or a retry arriving after it may run the
/// handler a second time.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(60);

/// How long a done delivery is remembered, by default: 7 days, beyond
/// OpenAI's 72-hour retry horizon.
pub const DEFAULT_KEEP_DONE: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// The future a [`DeliveryStore`] operation returns (boxed, so that stores
/// can be used as `dyn DeliveryStore`).
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// The state of one delivery in a [`DeliveryStore`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeliveryState {
    /// Not seen, released after a failure, or forgotten after its lease or
    /// retention ran out.
    New,
    /// Claimed by an attempt whose lease has not run out.
    InProgress,
    /// Handled.
    Done,
}

/// Where delivery states live. Every operation must be atomic with respect
/// to every other instance using the same store.
pub trait DeliveryStore: Send + Sync + 'static {
    /// If `id` is [`DeliveryState::New`], record it as in progress under
    /// `token` for `lease` and answer `New` (the caller now holds the
    /// claim); otherwise answer the state found and change nothing.
    fn claim<'a>(
        &'a self,
        id: &'a str,
        token: &'a ClaimToken,
        lease: Duration,
    ) -> StoreFuture<'a, DeliveryState>;

    /// Record `id` as done for `keep` (whoever holds it now: the handler
    /// has run, so a later attempt must not run it again).
    fn complete<'a>(
        &'a self,
        id: &'a str,
        token: &'a ClaimToken,
        keep: Duration,
    ) -> StoreFuture<'a, ()>;

    /// Drop the claim on `id` if `token` still holds it, so that the next
    /// attempt runs the handler; a claim that expired and was taken by
    /// another attempt is left alone.
    fn release<'a>(&'a self, id: &'a str, token: &'a ClaimToken) -> StoreFuture<'a, ()>;

    /// The state of `id`, for inspection; it changes nothing.
    fn state<'a>(&'a self, id: &'a str) -> StoreFuture<'a, DeliveryState>;

    /// Extend the claim on `id` to `lease` from now if `token` still holds
    /// it, and answer whether it did ([`Deduplicator::process`] renews its
    /// claim while the handler runs, so a slow handler keeps it).
    fn renew<'a>(
        &'a self,
        id: &'a str,
        token: &'a ClaimToken,
        lease: Duration,
    ) -> StoreFuture<'a, bool>;
}

/// Identifies one claim, so that only its holder releases it. Unique across
/// processes and machines with overwhelming probability (time, process id,
/// a per-process random key and a counter).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClaimToken(String);

impl ClaimToken {
    /// A fresh token.
    pub fn new() -> ClaimToken {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        // `RandomState` is seeded from the operating system's randomness.
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        hasher.write_u128(nanos);
        hasher.write_u32(std::process::id());
        let count = COUNTER.fetch_add(1, Ordering::Relaxed);
        hasher.write_u64(count);
        ClaimToken(format!(
            "{:016x}{:08x}{count:x}",
            hasher.finish(),
            std::process::id()
        ))
    }

    /// The token as text, for stores to keep.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for ClaimToken {
    fn default() -> ClaimToken {
        ClaimToken::new()
    }
}

/// A store operation that did not happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError {
    kind: StoreErrorKind,
    message: String,
}

/// Why a store operation did not happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StoreErrorKind {
    /// The store could not be reached, or did not answer in time.
    Unavailable,
    /// A bounded store is full of deliveries it may not forget yet.
    Full,
}

impl StoreError {
    /// An error of `kind`, explained by `message` (which must not contain
    /// secrets or payloads).
    pub fn new(kind: StoreErrorKind, message: impl Into<String>) -> StoreError {
        StoreError {
            kind,
            message: message.into(),
        }
    }

    /// Why the operation did not happen.
    pub fn kind(&self) -> StoreErrorKind {
        self.kind
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            StoreErrorKind::Unavailable => "delivery store unavailable",
            StoreErrorKind::Full => "delivery store full",
        };
        write!(f, "{what}: {}", self.message)
    }
}

impl std::error::Error for StoreError {}

/// What [`Deduplicator::process`] did with a delivery.
#[derive(Debug)]
#[must_use]
pub enum Processed<T, E> {
    /// This attempt claimed the delivery and the handler succeeded.
    Handled {
        /// The handler's output.
        output: T,
        /// Set when the delivery could not be recorded as done: its claim
        /// then lapses after the lease, and an attempt after that would run
        /// the handler again. Worth logging.
        record_error: Option<StoreError>,
    },
    /// This attempt claimed the delivery and the handler failed; the claim
    /// was released so that the next attempt runs it again.
    Failed {
        /// The handler's error.
        error: E,
        /// Set when the claim could not be released: the next attempt then
        /// waits for the lease to run out.
        release_error: Option<StoreError>,
    },
    /// The delivery was handled before: acknowledge it, do nothing.
    Duplicate,
    /// Another attempt holds the claim: answer non-2xx so the sender tries
    /// again (if that attempt crashed, its lease runs out).
    InProgress,
    /// The store could not be asked: no handler ran; answer non-2xx so the
    /// sender tries again later.
    Unavailable(StoreError),
}

impl<T, E> Processed<T, E> {
    /// Whether this attempt ran the handler.
    pub fn ran_handler(&self) -> bool {
        matches!(self, Processed::Handled { .. } | Processed::Failed { .. })
    }
}

/// Runs handlers at most once per delivery through a [`DeliveryStore`].
/// Cheap to clone: clones share the store.
///
/// ```
/// use openai_webhooks::dedup::{Deduplicator, MemoryStore, Processed};
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let dedup = Deduplicator::new(MemoryStore::default());
/// let first = dedup.process("wh_1", async { Ok::<_, ()>("handled") }).await;
/// assert!(matches!(first, Processed::Handled { output: "handled", .. }));
/// let again = dedup.process("wh_1", async { Ok::<_, ()>("handled") }).await;
/// assert!(matches!(again, Processed::Duplicate));
/// # });
/// ```
#[derive(Clone)]
pub struct Deduplicator {
    store: Arc<dyn DeliveryStore>,
    lease: Duration,
    keep_done: Duration,
}

impl fmt::Debug for Deduplicator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Deduplicator")
            .field("lease", &self.lease)
            .field("keep_done", &self.keep_done)
            .finish_non_exhaustive()
    }
}

impl Deduplicator {
    /// Deduplicates through `store`, with a lease of [`DEFAULT_LEASE`] and
    /// done deliveries kept for [`DEFAULT_KEEP_DONE`].
    pub fn new(store: impl DeliveryStore) -> Deduplicator {
        Deduplicator {
            store: Arc::new(store),
            lease: DEFAULT_LEASE,
            keep_done: DEFAULT_KEEP_DONE,
        }
    }

    /// How long a claim lasts between renewals: short enough that a crashed
    /// instance's claim soon lapses (and, outside a Tokio runtime, where it
    /// is not renewed, longer than the handler's longest run).
    pub fn with_lease(mut self, lease: Duration) -> Deduplicator {
        self.lease = lease;
        self
    }

    /// How long a done delivery is remembered: at least the sender's retry
    /// horizon (OpenAI: 72 hours).
    pub fn keep_done_for(mut self, keep: Duration) -> Deduplicator {
        self.keep_done = keep;
        self
    }

    /// The claim lease.
    pub fn lease(&self) -> Duration {
        self.lease
    }

    /// The store, for inspection ([`DeliveryStore::state`]).
    pub fn store(&self) -> &dyn DeliveryStore {
        &*self.store
    }

    /// Claims delivery `id`, runs `handler` if the claim was granted, then
    /// records it as done (handler succeeded) or releases it (handler
    /// failed). `handler` is not polled unless the claim is granted.
    ///
    /// If this future is dropped while the handler runs (the client hung
    /// up, or the process is going down), the claim stays until its lease
    /// runs out, and the next attempt after that runs the handler. While
    /// the handler runs within a Tokio runtime, the claim is renewed every
    /// third of the lease, so a handler slower than the lease keeps it.
    pub async fn process<T, E, F>(&self, id: &str, handler: F) -> Processed<T, E>
    where
        F: Future<Output = Result<T, E>>,
    {
        let token = ClaimToken::new();
        let processed = match self.store.claim(id, &token, self.lease).await {
            Err(error) => Processed::Unavailable(error),
            Ok(DeliveryState::Done) => Processed::Duplicate,
            Ok(DeliveryState::InProgress) => Processed::InProgress,
            Ok(DeliveryState::New) => match crate::heartbeat::beating(
                handler,
                crate::heartbeat::interval(self.lease),
                || self.store.renew(id, &token, self.lease),
            )
            .await
            {
                Ok(output) => Processed::Handled {
                    output,
                    record_error: self.store.complete(id, &token, self.keep_done).await.err(),
                },
                Err(error) => Processed::Failed {
                    error,
                    release_error: self.store.release(id, &token).await.err(),
                },
            },
        };
        observe(id, &processed);
        processed
    }
}

/// Reports a decision of [`Deduplicator::process`].
#[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
fn observe<T, E>(id: &str, processed: &Processed<T, E>) {
    let outcome = match processed {
        Processed::Handled {
            record_error: None, ..
        } => {
            event!(info, webhook_id = id, "handled");
            "handled"
        }
        Processed::Handled {
            record_error: Some(error),
            ..
        } => {
            event!(error, webhook_id = id, %error, "handled but not recorded as done: a retry after the lease runs it again");
            "handled"
        }
        Processed::Failed { release_error, .. } => {
            event!(warn, webhook_id = id, release_error = ?release_error, "handler failed; claim released");
            "failed"
        }
        Processed::Duplicate => {
            event!(info, webhook_id = id, "duplicate of a handled delivery");
            "duplicate"
        }
        Processed::InProgress => {
            event!(
                info,
                webhook_id = id,
                "another attempt holds the claim: 409"
            );
            "in_progress"
        }
        Processed::Unavailable(error) => {
            event!(error, webhook_id = id, %error, "store unavailable: 503");
            "unavailable"
        }
    };
    crate::observe::count(crate::observe::DEDUP, "outcome", outcome);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[tokio::test]
    async fn a_handler_slower_than_its_lease_keeps_its_claim() {
        let dedup =
            Deduplicator::new(MemoryStore::default()).with_lease(Duration::from_millis(300));
        let runs = Arc::new(AtomicUsize::new(0));
        let slow = {
            let (dedup, runs) = (dedup.clone(), runs.clone());
            tokio::spawn(async move {
                dedup
                    .process("wh_slow", async {
                        runs.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(1200)).await;
                        Ok::<_, ()>(())
                    })
                    .await
            })
        };
        // Retries well past the lease, while the first attempt still runs.
        for _ in 0..4 {
            tokio::time::sleep(Duration::from_millis(250)).await;
            let retry = dedup
                .process("wh_slow", async {
                    runs.fetch_add(1, Ordering::SeqCst);
                    Ok::<_, ()>(())
                })
                .await;
            assert!(matches!(retry, Processed::InProgress), "{retry:?}");
        }
        assert!(matches!(slow.await.unwrap(), Processed::Handled { .. }));
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        // Renewal is only for the claim's holder.
        let store = MemoryStore::default();
        let (held, other) = (ClaimToken::new(), ClaimToken::new());
        let lease = Duration::from_secs(5);
        assert_eq!(
            store.claim("wh", &held, lease).await.unwrap(),
            DeliveryState::New
        );
        assert!(store.renew("wh", &held, lease).await.unwrap());
        assert!(!store.renew("wh", &other, lease).await.unwrap());
        assert!(!store.renew("wh_none", &held, lease).await.unwrap());
    }
}
