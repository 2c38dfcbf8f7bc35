//! Acknowledge fast, process later: a durable inbox of verified deliveries
//! and workers that run handlers on them.
//!
//! A sender expects a 2xx within seconds and retries otherwise (OpenAI for
//! up to 72 hours). The receiving side ([`Enqueuer`], feature `axum`)
//! verifies a delivery, stores it in an [`Inbox`], and only then answers
//! 2xx; a [`Worker`] claims stored deliveries, runs the handler, and
//! settles each one: done, retried later with backoff, or moved to the
//! dead letters after too many attempts, where it can be listed and
//! replayed. Receivers and workers may be separate processes on separate
//! machines sharing one store.
//!
//! Enqueueing is also the deduplication: a `webhook-id` already in the
//! inbox (queued, in progress, done within the retention time, or dead) is
//! acknowledged and not stored again.
//!
//! | store | for | durability |
//! |---|---|---|
//! | [`MemoryInbox`] | tests, one process | none: lost with the process |
//! | `SqliteInbox` (feature `sqlite`) | one machine (several processes on one file) | WAL, `synchronous=FULL`: a 2xx means the delivery is on disk |
//! | `RedisInbox` (feature `redis`) | several machines | as the server's persistence: `appendonly yes` with `appendfsync always` (or `everysec`, losing up to a second) |
//!
//! # Leases and fencing
//!
//! A claim is a lease: the worker renews it every third of its length
//! while the handler runs, so a crashed worker's deliveries are claimed
//! again once its lease lapses, and a slow handler keeps its own. Each
//! claim carries a new fencing token; settling checks it, so a worker whose
//! lease lapsed and whose delivery another worker has claimed since cannot
//! acknowledge, retry or dead-letter it (the settlement answers `false`).
//! Delivery is therefore at least once: a handler that completes but
//! cannot record it (store down, lease lost) may run again, and handlers
//! with outside effects should be idempotent on the `webhook-id`.
//!
//! ```
//! use openai_webhooks::inbox::{Inbox, MemoryInbox, Outcome, Settled, Worker};
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let inbox = MemoryInbox::new();
//! let body = br#"{"id":"evt_1","object":"event","created_at":1,"type":"batch.completed","data":{"id":"batch_1"}}"#;
//! inbox.enqueue("wh_1", "batch.completed", body, None).await?;
//!
//! // Stops once the delivery is settled (a service stops on a signal).
//! let settled = std::sync::Arc::new(tokio::sync::Notify::new());
//! let stop = settled.clone();
//! let worker = Worker::new(inbox.clone()).on_settled(move |report| {
//!     if matches!(report.settled, Settled::Done) {
//!         println!("handled {} {}", report.id, report.event_type);
//!     }
//!     settled.notify_one();
//! });
//! // `run_events` parses each body (one that does not parse is
//! // dead-lettered); `run` hands over the raw `Delivery`.
//! worker
//!     .run_events(
//!         |event, delivery| async move {
//!             println!("{} {}", delivery.id, event.event_type());
//!             Outcome::Done
//!         },
//!         async move { stop.notified().await },
//!     )
//!     .await;
//! assert_eq!(inbox.queued().await?, 0);
//! # Ok::<(), openai_webhooks::dedup::StoreError>(())
//! # }).unwrap();
//! ```

use std::fmt;
#[cfg(any(feature = "sqlite", feature = "redis"))]
use std::time::UNIX_EPOCH;
use std::time::{Duration, SystemTime};

pub use crate::dedup::{StoreError, StoreErrorKind, StoreFuture};
use crate::{ParseError, WebhookEvent};

mod memory;
#[cfg(feature = "axum")]
mod receive;
#[cfg(feature = "redis")]
mod redis;
#[cfg(feature = "sqlite")]
mod sqlite;
mod worker;

pub use memory::MemoryInbox;
#[cfg(feature = "axum")]
pub use receive::{receive, EnqueueResponse, Enqueuer};
#[cfg(feature = "redis")]
pub use redis::{RedisInbox, DEFAULT_INBOX_PREFIX};
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteInbox;
pub use worker::{Backoff, Outcome, Report, Settled, Worker};

/// How long a done delivery's record is kept by default, so that the
/// sender's retries of it are recognised: 7 days, beyond OpenAI's 72-hour
/// retry horizon.
pub const DEFAULT_RETENTION: Duration = crate::dedup::DEFAULT_KEEP_DONE;

/// What [`Inbox::enqueue`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Enqueued {
    /// Stored: acknowledge it.
    Stored,
    /// This `webhook-id` is already in the inbox (queued, in progress,
    /// done within the retention time, or dead): acknowledge it, nothing
    /// was stored.
    Duplicate,
    /// Not stored: the queue holds as many deliveries as allowed. Answer
    /// non-2xx so that the sender tries again later.
    Full,
}

/// Where a delivery stands, for inspection ([`Inbox::status`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Waiting for a worker (new, or retried and waiting for its time).
    Queued,
    /// Claimed by a worker whose lease has not been settled.
    Leased,
    /// Handled; its record is kept for the retention time.
    Done,
    /// Given up on; listed by [`Inbox::dead_letters`] until replayed.
    Dead,
}

/// A delivery's state and history ([`Inbox::status`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// Where it stands.
    pub state: State,
    /// How many times a worker has claimed it (a claim whose worker
    /// crashed counts; one released at shutdown does not).
    pub attempts: u32,
    /// The last failure's reason, if any.
    pub last_error: Option<String>,
}

/// A worker's hold on a claimed delivery: its `webhook-id` and the fencing
/// token of this claim.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Lease {
    /// The delivery's `webhook-id`.
    pub id: String,
    /// Grows with every claim of this delivery; a settlement with an older
    /// token is refused.
    pub token: u64,
}

/// A claimed delivery: the verified body as received, and the lease.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The `webhook-id`.
    pub id: String,
    /// The event type read when it was received (`batch.completed`).
    pub event_type: String,
    /// The verified body, exactly as received.
    pub body: Vec<u8>,
    /// Which attempt this is, from 1.
    pub attempt: u32,
    /// When the receiver stored it.
    pub received_at: SystemTime,
    /// The hold on it.
    pub lease: Lease,
}

impl Delivery {
    /// The body parsed into a [`WebhookEvent`] (an unknown event type
    /// included).
    pub fn event(&self) -> Result<WebhookEvent, ParseError> {
        WebhookEvent::from_slice(&self.body)
    }
}

/// How a worker settles a claimed delivery ([`Inbox::settle`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settlement {
    /// Handled: keep only its record, for the retention time.
    Done,
    /// Failed: queue it again, claimable after `after`.
    Retry {
        /// How long to wait before the next attempt.
        after: Duration,
        /// Why it failed.
        reason: String,
    },
    /// Given up on: move it to the dead letters.
    Dead {
        /// Why.
        reason: String,
    },
    /// Not attempted after all (the worker is shutting down): queue it
    /// again at once, without counting the attempt.
    Release,
}

/// A dead-lettered delivery ([`Inbox::dead_letters`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    /// The `webhook-id`.
    pub id: String,
    /// The event type.
    pub event_type: String,
    /// How many attempts it had.
    pub attempts: u32,
    /// Why it was given up on.
    pub reason: String,
}

/// A durable queue of verified deliveries that is also their
/// deduplication record. Every operation must be atomic with respect to
/// every other process using the same store.
pub trait Inbox: Send + Sync + 'static {
    /// Stores a delivery unless its `id` is already in the inbox
    /// ([`Enqueued::Duplicate`]) or, with `max_queued`, the queue
    /// (queued and leased deliveries) already holds that many
    /// ([`Enqueued::Full`]). [`Enqueued::Stored`] means it is as durable as
    /// the store makes it.
    fn enqueue<'a>(
        &'a self,
        id: &'a str,
        event_type: &'a str,
        body: &'a [u8],
        max_queued: Option<u64>,
    ) -> StoreFuture<'a, Enqueued>;

    /// Claims the delivery that has been ready longest (queued and due, or
    /// leased by a worker whose lease lapsed) for `lease`, with a new
    /// fencing token and one more attempt; `None` when nothing is ready.
    fn claim(&self, lease: Duration) -> StoreFuture<'_, Option<Delivery>>;

    /// Extends `lease` to `duration` from now if it is still this claim's;
    /// answers whether it was.
    fn renew<'a>(&'a self, lease: &'a Lease, duration: Duration) -> StoreFuture<'a, bool>;

    /// Settles the delivery if `lease` is still this claim's (no other
    /// claim since, not settled yet); answers whether it was.
    fn settle<'a>(&'a self, lease: &'a Lease, settlement: Settlement) -> StoreFuture<'a, bool>;

    /// Up to `limit` dead letters, oldest first.
    fn dead_letters(&self, limit: usize) -> StoreFuture<'_, Vec<DeadLetter>>;

    /// Queues dead letter `id` again with its attempts reset; answers
    /// whether `id` was a dead letter.
    fn replay<'a>(&'a self, id: &'a str) -> StoreFuture<'a, bool>;

    /// The delivery's status; `None` when the inbox has no record of it.
    fn status<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<Status>>;

    /// How many deliveries are queued or leased.
    fn queued(&self) -> StoreFuture<'_, u64>;

    /// Forgets done deliveries older than the retention time, where the
    /// store does not expire them by itself; answers how many. Workers
    /// call it every minute.
    fn purge(&self) -> StoreFuture<'_, u64>;
}

/// Milliseconds since the Unix epoch (stores that keep time as numbers).
#[cfg(feature = "sqlite")]
fn millis(time: SystemTime) -> i64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// A duration in whole milliseconds, saturating.
#[cfg(any(feature = "sqlite", feature = "redis"))]
fn duration_ms(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// The time `ms` milliseconds after the Unix epoch.
#[cfg(any(feature = "sqlite", feature = "redis"))]
fn from_millis(ms: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0))
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            State::Queued => "queued",
            State::Leased => "leased",
            State::Done => "done",
            State::Dead => "dead",
        })
    }
}
