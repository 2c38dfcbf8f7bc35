//! Workers: claim deliveries from an inbox, run the handler under a
//! renewed lease, and settle each one.

#![cfg_attr(not(feature = "tracing"), allow(unused_variables))]

use std::collections::HashSet;
use std::fmt;
use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::{Delivery, Inbox, Lease, Settlement, StoreError};
use crate::heartbeat;
use crate::observe::{self, event};
use crate::WebhookEvent;

/// What a handler made of a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Handled: record it as done.
    Done,
    /// Failed for now: try again later; once the worker's maximum number
    /// of attempts is reached, it is dead-lettered instead.
    Retry {
        /// How long to wait: the worker's [`Backoff`] when `None`.
        after: Option<Duration>,
        /// Why it failed (kept as the delivery's last error).
        reason: String,
    },
    /// Will never succeed (a body the handler cannot use): dead-letter it
    /// now, with this reason.
    GiveUp(String),
}

impl Outcome {
    /// [`Outcome::Retry`] after the worker's backoff, for `reason`.
    pub fn retry(reason: impl fmt::Display) -> Outcome {
        Outcome::Retry {
            after: None,
            reason: reason.to_string(),
        }
    }
}

/// Delays between attempts: `initial × factor^(attempt − 1)`, at most
/// `max`, each shortened by a random part of up to `jitter` (0 to 1) so
/// that deliveries that failed together do not come back together.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    /// The delay after the first attempt.
    pub initial: Duration,
    /// How much each further delay grows.
    pub factor: f64,
    /// The longest delay.
    pub max: Duration,
    /// The largest fraction of a delay taken off at random.
    pub jitter: f64,
}

impl Default for Backoff {
    /// 1 s, doubling, at most 5 minutes, up to a quarter off at random.
    fn default() -> Backoff {
        Backoff {
            initial: Duration::from_secs(1),
            factor: 2.0,
            max: Duration::from_secs(300),
            jitter: 0.25,
        }
    }
}

impl Backoff {
    /// The delay after failed attempt `attempt` (from 1), before jitter.
    pub fn base(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(64) as i32;
        let seconds = self.initial.as_secs_f64() * self.factor.max(1.0).powi(exponent);
        Duration::from_secs_f64(seconds.min(self.max.as_secs_f64()))
    }

    /// The delay after failed attempt `attempt`: [`Backoff::base`] less a
    /// random part of up to `jitter` of it.
    pub fn delay(&self, attempt: u32) -> Duration {
        let base = self.base(attempt);
        base.mul_f64(1.0 - self.jitter.clamp(0.0, 1.0) * random_unit())
    }
}

/// A number in [0, 1) from the operating system's randomness (through
/// `RandomState`'s seed).
fn random_unit() -> f64 {
    let bits = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

/// How a worker settled one delivery ([`Report`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Settled {
    /// Recorded as done.
    Done,
    /// Queued again, claimable after this delay.
    Retried(Duration),
    /// Moved to the dead letters, for this reason.
    DeadLettered(String),
    /// Handed back at shutdown without counting the attempt.
    Released,
    /// The settlement was refused: the lease lapsed and another worker has
    /// claimed the delivery since (it will settle it), or it was settled
    /// already.
    LeaseLost,
    /// The store could not be reached to settle it; the lease will lapse
    /// and the delivery be claimed again.
    StoreError(StoreError),
}

/// One settled delivery, given to [`Worker::on_settled`].
#[derive(Debug, Clone)]
pub struct Report {
    /// The `webhook-id`.
    pub id: String,
    /// The event type.
    pub event_type: String,
    /// Which attempt this was, from 1.
    pub attempt: u32,
    /// How long the handler ran (zero when it was not run).
    pub handler_time: Duration,
    /// What happened.
    pub settled: Settled,
}

impl Settled {
    /// What came of asking the inbox to record `settlement`.
    fn new(settlement: Settlement, result: Result<bool, StoreError>) -> Settled {
        match result {
            Ok(true) => match settlement {
                Settlement::Done => Settled::Done,
                Settlement::Retry { after, .. } => Settled::Retried(after),
                Settlement::Dead { reason } => Settled::DeadLettered(reason),
                Settlement::Release => Settled::Released,
            },
            Ok(false) => Settled::LeaseLost,
            Err(error) => Settled::StoreError(error),
        }
    }
}

type Observer = Arc<dyn Fn(&Report) + Send + Sync>;

/// Claims deliveries from an [`Inbox`] and runs a handler on each, up to
/// `concurrency` at a time. Cheap to clone.
#[derive(Clone)]
pub struct Worker {
    inbox: Arc<dyn Inbox>,
    lease: Duration,
    concurrency: usize,
    max_attempts: u32,
    backoff: Backoff,
    poll_interval: Duration,
    grace: Duration,
    observer: Option<Observer>,
}

impl fmt::Debug for Worker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Worker")
            .field("lease", &self.lease)
            .field("concurrency", &self.concurrency)
            .field("max_attempts", &self.max_attempts)
            .field("backoff", &self.backoff)
            .field("poll_interval", &self.poll_interval)
            .field("grace", &self.grace)
            .finish_non_exhaustive()
    }
}

/// The leases a worker's tasks hold, to release at shutdown.
type Held = Arc<Mutex<HashSet<Lease>>>;

impl Worker {
    /// A worker on `inbox`: leases of 30 s, 4 deliveries at a time, 10
    /// attempts with the default [`Backoff`], polling every 100 ms when
    /// idle, 10 s of grace at shutdown.
    pub fn new(inbox: impl Inbox) -> Worker {
        Worker::from_arc(Arc::new(inbox))
    }

    /// A worker on a shared inbox.
    pub fn from_arc(inbox: Arc<dyn Inbox>) -> Worker {
        Worker {
            inbox,
            lease: Duration::from_secs(30),
            concurrency: 4,
            max_attempts: 10,
            backoff: Backoff::default(),
            poll_interval: Duration::from_millis(100),
            grace: Duration::from_secs(10),
            observer: None,
        }
    }

    /// How long a claim lasts between renewals (renewed every third of
    /// it): after a crash, its deliveries are claimed again this long
    /// after the last renewal.
    pub fn lease(mut self, lease: Duration) -> Worker {
        self.lease = lease;
        self
    }

    /// How many handlers run at once (at least 1).
    pub fn concurrency(mut self, concurrency: usize) -> Worker {
        self.concurrency = concurrency.max(1);
        self
    }

    /// After how many attempts a failing delivery is dead-lettered (at
    /// least 1). A delivery claimed once more than this (its last allowed
    /// attempt recorded no outcome: it ended with its worker, a crash or a
    /// kill perhaps caused by the delivery itself) is dead-lettered
    /// without running the handler again.
    pub fn max_attempts(mut self, attempts: u32) -> Worker {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The delays between attempts.
    pub fn backoff(mut self, backoff: Backoff) -> Worker {
        self.backoff = backoff;
        self
    }

    /// How long to wait before claiming again when nothing was ready (or
    /// the store could not be reached).
    pub fn poll_interval(mut self, interval: Duration) -> Worker {
        self.poll_interval = interval;
        self
    }

    /// At shutdown, how long running handlers may take to finish before
    /// they are stopped and their deliveries released.
    pub fn grace(mut self, grace: Duration) -> Worker {
        self.grace = grace;
        self
    }

    /// Calls `observer` after each delivery is settled (or could not be).
    pub fn on_settled(mut self, observer: impl Fn(&Report) + Send + Sync + 'static) -> Worker {
        self.observer = Some(Arc::new(observer));
        self
    }

    /// Claims and handles deliveries until `shutdown` completes; then
    /// claims no more, lets running handlers finish within the grace time,
    /// stops the rest and releases their deliveries (queued again at once,
    /// the attempt not counted).
    ///
    /// A handler that panics counts as a failed attempt (retried with
    /// backoff). Must run within a Tokio runtime.
    pub async fn run<H, F>(&self, handler: H, shutdown: impl Future<Output = ()>)
    where
        H: Fn(Delivery) -> F + Send + Sync + 'static,
        F: Future<Output = Outcome> + Send + 'static,
    {
        let handler = Arc::new(handler);
        let slots = Arc::new(Semaphore::new(self.concurrency));
        let held: Held = Arc::default();
        let mut tasks = JoinSet::new();
        let mut shutdown = std::pin::pin!(shutdown);
        let mut last_purge: Option<Instant> = None;
        loop {
            while tasks.try_join_next().is_some() {}
            let slot = tokio::select! {
                biased;
                () = &mut shutdown => break,
                slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            };
            if last_purge.is_none_or(|t| t.elapsed() >= Duration::from_secs(60)) {
                last_purge = Some(Instant::now());
                if let Err(error) = self.inbox.purge().await {
                    event!(warn, %error, "inbox purge failed");
                }
            }
            // A claim is not cancelled by shutdown: one that reached the
            // store must come back, or its delivery waits for the lease.
            let delivery = match self.inbox.claim(self.lease).await {
                Ok(Some(delivery)) => delivery,
                nothing => {
                    if let Err(error) = nothing {
                        event!(warn, %error, "inbox claim failed");
                    }
                    drop(slot);
                    if self.idle(&mut shutdown).await {
                        break;
                    }
                    continue;
                }
            };
            observe::count(observe::CLAIMED, "", "");
            event!(debug, webhook_id = %delivery.id, event_type = %delivery.event_type, attempt = delivery.attempt, token = delivery.lease.token, "claimed");
            let lease = delivery.lease.clone();
            held.lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(lease.clone());
            let (worker, handler, held) = (self.clone(), handler.clone(), held.clone());
            tasks.spawn(async move {
                worker.handle(delivery, &*handler).await;
                held.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(&lease);
                drop(slot);
            });
        }
        event!(info, running = tasks.len(), "worker stopping");
        let finished = tokio::time::timeout(self.grace, async {
            while tasks.join_next().await.is_some() {}
        })
        .await;
        if finished.is_err() {
            tasks.abort_all();
            while tasks.join_next().await.is_some() {}
        }
        let leftover: Vec<Lease> = held
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain()
            .collect();
        for lease in leftover {
            let result = self.inbox.settle(&lease, Settlement::Release).await;
            let settled = Settled::new(Settlement::Release, result);
            event!(info, webhook_id = %lease.id, ?settled, "released at shutdown");
            observe::count(observe::SETTLED, "outcome", outcome_label(&settled));
        }
    }

    /// Waits `poll_interval`, or less if `shutdown` completes first;
    /// answers whether it did (it must not be polled again then: an
    /// `async` block panics when resumed after completion).
    async fn idle(&self, shutdown: &mut std::pin::Pin<&mut impl Future<Output = ()>>) -> bool {
        tokio::select! {
            biased;
            () = shutdown.as_mut() => true,
            () = tokio::time::sleep(self.poll_interval) => false,
        }
    }

    /// [`Worker::run`] with the body already parsed: `handler` gets the
    /// [`WebhookEvent`] (an event type this crate does not know included,
    /// as `WebhookEvent::Unknown`) and the delivery it came from. A body
    /// that does not parse can never succeed: it is dead-lettered at once,
    /// the reason starting `unreadable event:`, without calling `handler`.
    pub async fn run_events<H, F>(&self, handler: H, shutdown: impl Future<Output = ()>)
    where
        H: Fn(WebhookEvent, Delivery) -> F + Send + Sync + 'static,
        F: Future<Output = Outcome> + Send + 'static,
    {
        let parsed = move |delivery: Delivery| {
            let work = delivery.event().map(|event| handler(event, delivery));
            async move {
                match work {
                    Ok(work) => work.await,
                    Err(error) => Outcome::GiveUp(format!("unreadable event: {error}")),
                }
            }
        };
        self.run(parsed, shutdown).await;
    }

    /// Runs the handler on one delivery under a renewed lease, then
    /// settles it.
    async fn handle<H, F>(&self, delivery: Delivery, handler: &H)
    where
        H: Fn(Delivery) -> F,
        F: Future<Output = Outcome> + Send + 'static,
    {
        let lease = delivery.lease.clone();
        let (id, event_type, attempt) = (
            delivery.id.clone(),
            delivery.event_type.clone(),
            delivery.attempt,
        );
        let every = heartbeat::interval(self.lease);
        // Once a renewal is refused the lease is gone for good (another
        // worker may hold the delivery now): renewing again is pointless,
        // and the settlement will say `LeaseLost`. The handler is left to
        // finish rather than stopped halfway through its side effects.
        let lost = std::sync::atomic::AtomicBool::new(false);
        let renew = || async {
            if lost.load(std::sync::atomic::Ordering::Relaxed) {
                return;
            }
            match self.inbox.renew(&lease, self.lease).await {
                Ok(false) => {
                    lost.store(true, std::sync::atomic::Ordering::Relaxed);
                    event!(warn, webhook_id = %lease.id, "lease lost while the handler runs");
                }
                Err(error) => event!(warn, webhook_id = %lease.id, %error, "lease renewal failed"),
                Ok(true) => {}
            }
        };
        let started = Instant::now();
        let settlement = if attempt > self.max_attempts {
            // Every attempt allowed was claimed, and the last one recorded
            // no outcome: it ended with its worker (a crash, a kill, perhaps
            // caused by this very delivery) or its outcome was not stored.
            // Running it again could end the same way, for ever.
            Settlement::Dead {
                reason: format!(
                    "gave up after {} attempts, the last with no outcome recorded (its worker stopped, or the store did not take the outcome)",
                    attempt - 1
                ),
            }
        } else {
            // The handler runs as its own task, so that a panic is a failed
            // attempt rather than a lost lease; stopping this task stops it.
            // With `tracing`, in a span naming the delivery, so that the
            // handler's own events carry it.
            #[cfg(feature = "tracing")]
            let work = tracing::Instrument::instrument(
                handler(delivery),
                tracing::info_span!(target: "openai_webhooks", "webhook", webhook_id = %id, event_type = %event_type, attempt),
            );
            #[cfg(not(feature = "tracing"))]
            let work = handler(delivery);
            let run = AbortOnDrop(tokio::spawn(work));
            let outcome = heartbeat::beating(run.join(), every, renew).await;
            observe::time(observe::HANDLER_SECONDS, started.elapsed());
            self.settlement(attempt, outcome)
        };
        let handler_time = started.elapsed();
        // Settling is tried three times while the lease is kept: a store
        // that blinks does not cost a second run of the handler.
        let settle = async {
            let mut tries = 0;
            loop {
                tries += 1;
                match self.inbox.settle(&lease, settlement.clone()).await {
                    Err(_) if tries < 3 => tokio::time::sleep(every / 3).await,
                    result => return result,
                }
            }
        };
        let result = heartbeat::beating(settle, every, renew).await;
        let settled = Settled::new(settlement, result);
        match &settled {
            Settled::Done => event!(info, webhook_id = %id, %event_type, attempt, "handled"),
            Settled::Retried(after) => {
                event!(warn, webhook_id = %id, %event_type, attempt, retry_in = ?after, "handler failed; retry scheduled")
            }
            Settled::DeadLettered(reason) => {
                event!(error, webhook_id = %id, %event_type, attempt, %reason, "dead-lettered")
            }
            Settled::Released => {}
            Settled::LeaseLost => {
                event!(warn, webhook_id = %id, %event_type, attempt, "settlement refused: the lease lapsed and the delivery was claimed again")
            }
            Settled::StoreError(error) => {
                event!(error, webhook_id = %id, %event_type, attempt, %error, "settlement not recorded: the delivery runs again after the lease")
            }
        }
        observe::count(observe::SETTLED, "outcome", outcome_label(&settled));
        if let Some(observer) = &self.observer {
            observer(&Report {
                id,
                event_type,
                attempt,
                handler_time,
                settled,
            });
        }
    }

    /// What to record for `outcome` of attempt `attempt`.
    fn settlement(&self, attempt: u32, outcome: Result<Outcome, String>) -> Settlement {
        let (after, reason) = match outcome {
            Ok(Outcome::Done) => return Settlement::Done,
            Ok(Outcome::GiveUp(reason)) => return Settlement::Dead { reason },
            Ok(Outcome::Retry { after, reason }) => (after, reason),
            Err(panic) => (None, panic),
        };
        if attempt >= self.max_attempts {
            return Settlement::Dead {
                reason: format!("{reason} (gave up after {attempt} attempts)"),
            };
        }
        Settlement::Retry {
            after: after.unwrap_or_else(|| self.backoff.delay(attempt)),
            reason,
        }
    }
}

/// The metric label of a settlement.
fn outcome_label(settled: &Settled) -> &'static str {
    match settled {
        Settled::Done => "done",
        Settled::Retried(_) => "retried",
        Settled::DeadLettered(_) => "dead_lettered",
        Settled::Released => "released",
        Settled::LeaseLost => "lease_lost",
        Settled::StoreError(_) => "store_error",
    }
}

/// A spawned handler, stopped when this is dropped (the worker's task was
/// stopped at shutdown).
struct AbortOnDrop(tokio::task::JoinHandle<Outcome>);

impl AbortOnDrop {
    /// The handler's outcome, or why it did not give one (it panicked).
    async fn join(mut self) -> Result<Outcome, String> {
        let handle = &mut self.0;
        match handle.await {
            Ok(outcome) => Ok(outcome),
            Err(error) if error.is_panic() => Err("the handler panicked".to_string()),
            Err(_) => Err("the handler was stopped".to_string()),
        }
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_by_its_factor_up_to_its_maximum_and_jitter_only_shortens() {
        let backoff = Backoff {
            initial: Duration::from_millis(100),
            factor: 3.0,
            max: Duration::from_secs(2),
            jitter: 0.5,
        };
        let bases: Vec<u128> = (1..=5).map(|a| backoff.base(a).as_millis()).collect();
        assert_eq!(bases, [100, 300, 900, 2000, 2000]);
        for attempt in 1..=5 {
            for _ in 0..50 {
                let delay = backoff.delay(attempt);
                assert!(delay <= backoff.base(attempt));
                assert!(delay >= backoff.base(attempt).mul_f64(0.5));
            }
        }
        let delays: std::collections::HashSet<Duration> =
            (0..20).map(|_| backoff.delay(3)).collect();
        assert!(delays.len() > 1, "jitter varies the delay");
    }
}
