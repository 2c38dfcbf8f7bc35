//! The in-process store: one instance, bounded memory.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::{ClaimToken, DeliveryState, DeliveryStore, StoreError, StoreErrorKind, StoreFuture};

/// How many deliveries a [`MemoryStore`] remembers by default: 100,000
/// (a few tens of megabytes at most).
pub const DEFAULT_CAPACITY: usize = 100_000;

/// Delivery states in this process's memory, for a service that runs as a
/// single instance (several instances need a shared store such as
/// `RedisStore`). Nothing survives a restart.
///
/// It holds at most `capacity` deliveries. When a new delivery arrives and
/// the store is full, expired entries are dropped first, then the done
/// deliveries recorded longest ago (their retries are the least likely to
/// come); a delivery in progress is never dropped before its lease runs
/// out, and when every entry is one, the claim fails with
/// [`StoreErrorKind::Full`] (the receiver answers 503 and the sender
/// retries). [`MemoryStore::evicted`] counts the done deliveries forgotten
/// early, so a service can tell when its capacity is too small for its
/// traffic over the retention time.
#[derive(Debug)]
pub struct MemoryStore {
    capacity: usize,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    entries: HashMap<String, Entry>,
    /// Done entries by expiry (and insertion, to break ties): with one
    /// retention time for all, the first is the one recorded longest ago.
    done_by_expiry: BTreeMap<(Instant, u64), String>,
    next_seq: u64,
    evicted: u64,
}

#[derive(Debug)]
enum Entry {
    InProgress { token: String, until: Instant },
    Done { key: (Instant, u64) },
}

impl Entry {
    fn live_state(&self, now: Instant) -> DeliveryState {
        match self {
            Entry::InProgress { until, .. } if *until > now => DeliveryState::InProgress,
            Entry::Done { key } if key.0 > now => DeliveryState::Done,
            _ => DeliveryState::New,
        }
    }
}

impl Default for MemoryStore {
    fn default() -> MemoryStore {
        MemoryStore::with_capacity(DEFAULT_CAPACITY)
    }
}

impl MemoryStore {
    /// A store that remembers at most `capacity` deliveries (at least one).
    pub fn with_capacity(capacity: usize) -> MemoryStore {
        MemoryStore {
            capacity: capacity.max(1),
            inner: Mutex::new(Inner::default()),
        }
    }

    /// How many deliveries are remembered now (expired ones included until
    /// they are swept).
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many done deliveries were forgotten before their retention ran
    /// out, to make room.
    pub fn evicted(&self) -> u64 {
        self.lock().evicted
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic elsewhere while holding the lock leaves the maps
        // consistent (every method changes them in one step), so a poisoned
        // lock is still usable.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn claim_now(
        &self,
        id: &str,
        token: &ClaimToken,
        lease: Duration,
    ) -> Result<DeliveryState, StoreError> {
        let now = Instant::now();
        let mut inner = self.lock();
        let found = inner
            .entries
            .get(id)
            .map_or(DeliveryState::New, |entry| entry.live_state(now));
        if found != DeliveryState::New {
            return Ok(found);
        }
        if !inner.entries.contains_key(id) {
            inner.make_room(self.capacity, now)?;
        }
        inner.insert(
            id,
            Entry::InProgress {
                token: token.as_str().to_string(),
                until: now + lease,
            },
        );
        Ok(DeliveryState::New)
    }

    fn complete_now(&self, id: &str, keep: Duration) -> Result<(), StoreError> {
        let now = Instant::now();
        let mut inner = self.lock();
        if !inner.entries.contains_key(id) {
            // The claim lapsed and was swept: record the delivery anyway.
            inner.make_room(self.capacity, now)?;
        }
        let key = (now + keep, inner.next_seq);
        inner.next_seq += 1;
        inner.done_by_expiry.insert(key, id.to_string());
        inner.insert(id, Entry::Done { key });
        Ok(())
    }

    fn release_now(&self, id: &str, token: &ClaimToken) {
        let mut inner = self.lock();
        if matches!(inner.entries.get(id), Some(Entry::InProgress { token: held, .. }) if held == token.as_str())
        {
            inner.entries.remove(id);
        }
    }

    fn renew_now(&self, id: &str, token: &ClaimToken, lease: Duration) -> bool {
        let now = Instant::now();
        let mut inner = self.lock();
        match inner.entries.get_mut(id) {
            Some(Entry::InProgress { token: held, until })
                if held == token.as_str() && *until > now =>
            {
                *until = now + lease;
                true
            }
            _ => false,
        }
    }

    fn state_now(&self, id: &str) -> DeliveryState {
        let now = Instant::now();
        self.lock()
            .entries
            .get(id)
            .map_or(DeliveryState::New, |entry| entry.live_state(now))
    }
}

impl Inner {
    /// Replaces the entry of `id`, keeping the expiry index in step.
    fn insert(&mut self, id: &str, entry: Entry) {
        if let Some(Entry::Done { key }) = self.entries.insert(id.to_string(), entry) {
            self.done_by_expiry.remove(&key);
        }
    }

    /// Makes room for one more entry, or says the store is full.
    fn make_room(&mut self, capacity: usize, now: Instant) -> Result<(), StoreError> {
        if self.entries.len() < capacity {
            return Ok(());
        }
        // Sweep everything expired: one pass, and only when full.
        self.entries
            .retain(|_, entry| entry.live_state(now) != DeliveryState::New);
        self.done_by_expiry.retain(|key, _| key.0 > now);
        while self.entries.len() >= capacity {
            let Some((_, id)) = self.done_by_expiry.pop_first() else {
                return Err(StoreError::new(
                    StoreErrorKind::Full,
                    format!("all {capacity} entries are deliveries in progress"),
                ));
            };
            self.entries.remove(&id);
            self.evicted += 1;
        }
        Ok(())
    }
}

impl DeliveryStore for MemoryStore {
    fn claim<'a>(
        &'a self,
        id: &'a str,
        token: &'a ClaimToken,
        lease: Duration,
    ) -> StoreFuture<'a, DeliveryState> {
        Box::pin(std::future::ready(self.claim_now(id, token, lease)))
    }

    fn complete<'a>(
        &'a self,
        id: &'a str,
        _token: &'a ClaimToken,
        keep: Duration,
    ) -> StoreFuture<'a, ()> {
        Box::pin(std::future::ready(self.complete_now(id, keep)))
    }

    fn release<'a>(&'a self, id: &'a str, token: &'a ClaimToken) -> StoreFuture<'a, ()> {
        self.release_now(id, token);
        Box::pin(std::future::ready(Ok(())))
    }

    fn state<'a>(&'a self, id: &'a str) -> StoreFuture<'a, DeliveryState> {
        Box::pin(std::future::ready(Ok(self.state_now(id))))
    }

    fn renew<'a>(
        &'a self,
        id: &'a str,
        token: &'a ClaimToken,
        lease: Duration,
    ) -> StoreFuture<'a, bool> {
        Box::pin(std::future::ready(Ok(self.renew_now(id, token, lease))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LONG: Duration = Duration::from_secs(3600);

    fn claim(store: &MemoryStore, id: &str, lease: Duration) -> (ClaimToken, DeliveryState) {
        let token = ClaimToken::new();
        let state = store.claim_now(id, &token, lease).unwrap();
        (token, state)
    }

    #[test]
    fn a_delivery_goes_new_in_progress_done() {
        let store = MemoryStore::default();
        assert_eq!(store.state_now("a"), DeliveryState::New);
        let (token, state) = claim(&store, "a", LONG);
        assert_eq!(state, DeliveryState::New);
        assert_eq!(store.state_now("a"), DeliveryState::InProgress);
        assert_eq!(claim(&store, "a", LONG).1, DeliveryState::InProgress);
        store.complete_now("a", LONG).unwrap();
        assert_eq!(claim(&store, "a", LONG).1, DeliveryState::Done);
        // Releasing a done delivery changes nothing.
        store.release_now("a", &token);
        assert_eq!(store.state_now("a"), DeliveryState::Done);
    }

    #[test]
    fn only_the_holder_releases_a_claim() {
        let store = MemoryStore::default();
        let (token, _) = claim(&store, "a", LONG);
        store.release_now("a", &ClaimToken::new());
        assert_eq!(store.state_now("a"), DeliveryState::InProgress);
        store.release_now("a", &token);
        assert_eq!(store.state_now("a"), DeliveryState::New);
        assert_eq!(claim(&store, "a", LONG).1, DeliveryState::New);
    }

    #[test]
    fn leases_and_retention_run_out() {
        let store = MemoryStore::default();
        let (first, _) = claim(&store, "a", Duration::from_millis(20));
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(store.state_now("a"), DeliveryState::New);
        // The lapsed claim is taken by a new attempt; the old holder can no
        // longer release it.
        let (_, state) = claim(&store, "a", LONG);
        assert_eq!(state, DeliveryState::New);
        store.release_now("a", &first);
        assert_eq!(store.state_now("a"), DeliveryState::InProgress);

        store.complete_now("b", Duration::from_millis(20)).unwrap();
        assert_eq!(store.state_now("b"), DeliveryState::Done);
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(claim(&store, "b", LONG).1, DeliveryState::New);
    }

    #[test]
    fn a_full_store_forgets_the_oldest_done_delivery_first() {
        let store = MemoryStore::with_capacity(3);
        for id in ["a", "b"] {
            claim(&store, id, LONG);
            store.complete_now(id, LONG).unwrap();
        }
        // Recording "a" again makes "b" the oldest.
        store.complete_now("a", LONG).unwrap();
        claim(&store, "c", LONG); // in progress
        assert_eq!(claim(&store, "d", LONG).1, DeliveryState::New);
        assert_eq!(store.len(), 3);
        assert_eq!(store.evicted(), 1);
        assert_eq!(store.state_now("b"), DeliveryState::New, "oldest done goes");
        assert_eq!(store.state_now("a"), DeliveryState::Done);
        assert_eq!(store.state_now("c"), DeliveryState::InProgress);
        assert_eq!(store.state_now("d"), DeliveryState::InProgress);
    }

    #[test]
    fn a_store_full_of_claims_refuses_and_expired_entries_make_room() {
        let store = MemoryStore::with_capacity(2);
        claim(&store, "a", LONG);
        claim(&store, "b", Duration::from_millis(20));
        let token = ClaimToken::new();
        let error = store.claim_now("c", &token, LONG).unwrap_err();
        assert_eq!(error.kind(), StoreErrorKind::Full);
        assert_eq!(
            error.to_string(),
            "delivery store full: all 2 entries are deliveries in progress"
        );
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(claim(&store, "c", LONG).1, DeliveryState::New);
        assert_eq!(store.len(), 2);
        assert_eq!(store.evicted(), 0, "an expired claim is not an eviction");
    }

    #[test]
    fn tokens_differ() {
        let tokens: std::collections::HashSet<_> = (0..1000).map(|_| ClaimToken::new()).collect();
        assert_eq!(tokens.len(), 1000);
    }
}
