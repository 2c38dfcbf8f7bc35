//! The inbox in this process's memory: for tests and single-process tools;
//! everything in it is lost with the process.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use super::{
    DeadLetter, Delivery, Enqueued, Inbox, Lease, Settlement, State, Status, StoreFuture,
    DEFAULT_RETENTION,
};

/// An [`Inbox`] in memory, shared by its clones. Nothing survives the
/// process: use it in tests, or where a lost delivery does not matter.
#[derive(Clone, Debug)]
pub struct MemoryInbox {
    inner: Arc<Mutex<Records>>,
    retention: Duration,
}

#[derive(Debug, Default)]
struct Records {
    by_id: HashMap<String, Record>,
    /// Enqueue order, for "ready longest" among equal times.
    next_seq: u64,
}

#[derive(Debug)]
struct Record {
    event_type: String,
    body: Vec<u8>,
    state: State,
    attempts: u32,
    /// Queued: when it may be claimed; leased: when the lease lapses.
    ready_at: Instant,
    token: u64,
    seq: u64,
    received_at: SystemTime,
    settled_at: Option<Instant>,
    last_error: Option<String>,
}

impl Default for MemoryInbox {
    fn default() -> MemoryInbox {
        MemoryInbox::new()
    }
}

impl MemoryInbox {
    /// An empty inbox keeping done records for [`DEFAULT_RETENTION`].
    pub fn new() -> MemoryInbox {
        MemoryInbox {
            inner: Arc::default(),
            retention: DEFAULT_RETENTION,
        }
    }

    /// How long a done delivery's record is kept.
    pub fn with_retention(mut self, retention: Duration) -> MemoryInbox {
        self.retention = retention;
        self
    }

    fn with<T>(&self, f: impl FnOnce(&mut Records) -> T) -> T {
        // A panic while the lock was held cannot leave a record half
        // changed (each change is a few assignments), so go on.
        let mut records = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut records)
    }
}

fn queue_len(records: &Records) -> u64 {
    records
        .by_id
        .values()
        .filter(|r| matches!(r.state, State::Queued | State::Leased))
        .count() as u64
}

/// The record `lease` still holds, if any.
fn held<'r>(records: &'r mut Records, lease: &Lease) -> Option<&'r mut Record> {
    records
        .by_id
        .get_mut(&lease.id)
        .filter(|r| r.state == State::Leased && r.token == lease.token)
}

impl Inbox for MemoryInbox {
    fn enqueue<'a>(
        &'a self,
        id: &'a str,
        event_type: &'a str,
        body: &'a [u8],
        max_queued: Option<u64>,
    ) -> StoreFuture<'a, Enqueued> {
        let result = self.with(|records| {
            if records.by_id.contains_key(id) {
                return Enqueued::Duplicate;
            }
            if max_queued.is_some_and(|max| queue_len(records) >= max) {
                return Enqueued::Full;
            }
            records.next_seq += 1;
            let record = Record {
                event_type: event_type.to_string(),
                body: body.to_vec(),
                state: State::Queued,
                attempts: 0,
                ready_at: Instant::now(),
                token: 0,
                seq: records.next_seq,
                received_at: SystemTime::now(),
                settled_at: None,
                last_error: None,
            };
            records.by_id.insert(id.to_string(), record);
            Enqueued::Stored
        });
        Box::pin(async move { Ok(result) })
    }

    fn claim(&self, lease: Duration) -> StoreFuture<'_, Option<Delivery>> {
        let now = Instant::now();
        let claimed = self.with(|records| {
            let (id, record) = records
                .by_id
                .iter_mut()
                .filter(|(_, r)| matches!(r.state, State::Queued | State::Leased))
                .filter(|(_, r)| r.ready_at <= now)
                .min_by_key(|(_, r)| (r.ready_at, r.seq))?;
            record.state = State::Leased;
            record.attempts += 1;
            record.token += 1;
            record.ready_at = now + lease;
            Some(Delivery {
                id: id.clone(),
                event_type: record.event_type.clone(),
                body: record.body.clone(),
                attempt: record.attempts,
                received_at: record.received_at,
                lease: Lease {
                    id: id.clone(),
                    token: record.token,
                },
            })
        });
        Box::pin(async move { Ok(claimed) })
    }

    fn renew<'a>(&'a self, lease: &'a Lease, duration: Duration) -> StoreFuture<'a, bool> {
        let renewed = self.with(|records| match held(records, lease) {
            Some(record) => {
                record.ready_at = Instant::now() + duration;
                true
            }
            None => false,
        });
        Box::pin(async move { Ok(renewed) })
    }

    fn settle<'a>(&'a self, lease: &'a Lease, settlement: Settlement) -> StoreFuture<'a, bool> {
        let settled = self.with(|records| {
            let Some(record) = held(records, lease) else {
                return false;
            };
            let now = Instant::now();
            match settlement {
                Settlement::Done => {
                    record.state = State::Done;
                    record.body = Vec::new();
                    record.settled_at = Some(now);
                }
                Settlement::Retry { after, reason } => {
                    record.state = State::Queued;
                    record.ready_at = now + after;
                    record.last_error = Some(reason);
                }
                Settlement::Dead { reason } => {
                    record.state = State::Dead;
                    record.settled_at = Some(now);
                    record.last_error = Some(reason);
                }
                Settlement::Release => {
                    record.state = State::Queued;
                    record.ready_at = now;
                    record.attempts -= 1;
                }
            }
            true
        });
        Box::pin(async move { Ok(settled) })
    }

    fn dead_letters(&self, limit: usize) -> StoreFuture<'_, Vec<DeadLetter>> {
        let mut dead = self.with(|records| {
            records
                .by_id
                .iter()
                .filter(|(_, r)| r.state == State::Dead)
                .map(|(id, r)| {
                    let letter = DeadLetter {
                        id: id.clone(),
                        event_type: r.event_type.clone(),
                        attempts: r.attempts,
                        reason: r.last_error.clone().unwrap_or_default(),
                    };
                    (r.settled_at, letter)
                })
                .collect::<Vec<_>>()
        });
        dead.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.id.cmp(&b.1.id)));
        let dead = dead.into_iter().take(limit).map(|(_, d)| d).collect();
        Box::pin(async move { Ok(dead) })
    }

    fn replay<'a>(&'a self, id: &'a str) -> StoreFuture<'a, bool> {
        let replayed = self.with(|records| match records.by_id.get_mut(id) {
            Some(record) if record.state == State::Dead => {
                record.state = State::Queued;
                record.attempts = 0;
                record.ready_at = Instant::now();
                record.settled_at = None;
                true
            }
            _ => false,
        });
        Box::pin(async move { Ok(replayed) })
    }

    fn status<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<Status>> {
        let status = self.with(|records| {
            records.by_id.get(id).map(|r| Status {
                state: r.state,
                attempts: r.attempts,
                last_error: r.last_error.clone(),
            })
        });
        Box::pin(async move { Ok(status) })
    }

    fn queued(&self) -> StoreFuture<'_, u64> {
        let queued = self.with(|records| queue_len(records));
        Box::pin(async move { Ok(queued) })
    }

    fn purge(&self) -> StoreFuture<'_, u64> {
        let retention = self.retention;
        let purged = self.with(|records| {
            let before = records.by_id.len();
            records.by_id.retain(|_, r| {
                !(r.state == State::Done && r.settled_at.is_some_and(|t| t.elapsed() >= retention))
            });
            (before - records.by_id.len()) as u64
        });
        Box::pin(async move { Ok(purged) })
    }
}
