//! The shared inbox: a Redis stream with a consumer group (feature
//! `redis`).
//!
//! Keys, under a prefix `P` (default [`DEFAULT_INBOX_PREFIX`]):
//!
//! - `P queue`: the stream; each entry names one delivery, read by the
//!   consumer group `workers`, one consumer per worker;
//! - `P d:{webhook-id}`: the delivery (type, body, state, attempts, fencing
//!   token, its stream entry), which is also its deduplication record: it
//!   is written by the same script that adds the entry, and once done it
//!   keeps only its state and expires after the retention time;
//! - `P leases`: a sorted set of leased deliveries by lease end; a claim
//!   takes a lapsed one first, moving its pending entry to itself
//!   (`XCLAIM`);
//! - `P delayed`: retries by due time, moved back into the stream by the
//!   claim that finds them due;
//! - `P dead`: dead letters by the time they died;
//! - `P fence`: the counter fencing tokens come from.
//!
//! Every operation is one script, so it is atomic on the server; times are
//! the server's (`TIME`), so workers' clocks need not agree. The scripts
//! build key names themselves: use a standalone server (or one shard), not
//! Redis Cluster.

use std::sync::LazyLock;
use std::time::Duration;

use redis::aio::ConnectionManager;
use redis::Script;

use super::{
    duration_ms, from_millis, DeadLetter, Delivery, Enqueued, Inbox, Lease, Settlement, State,
    Status, StoreError, StoreFuture, DEFAULT_RETENTION,
};
use crate::dedup::RedisStore;

/// The key prefix by default.
pub const DEFAULT_INBOX_PREFIX: &str = "openai-webhooks:inbox:";

/// The server's time in milliseconds, as `now`.
const NOW: &str = "local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
";

fn script(body: &str) -> Script {
    Script::new(&format!("{NOW}{body}"))
}

/// ARGV: prefix, id, type, body, max queued (-1: no limit). Answers 0
/// stored, 1 duplicate, 2 full.
static ENQUEUE: LazyLock<Script> = LazyLock::new(|| {
    script(
        r"local P, id = ARGV[1], ARGV[2]
local h = P .. 'd:' .. id
if redis.call('EXISTS', h) == 1 then return 1 end
local max = tonumber(ARGV[5])
if max >= 0 and redis.call('XLEN', P .. 'queue') + redis.call('ZCARD', P .. 'delayed') >= max then
  return 2
end
local entry = redis.call('XADD', P .. 'queue', '*', 'id', id)
redis.call('HSET', h, 'type', ARGV[3], 'body', ARGV[4], 'state', 'queued', 'attempts', 0,
  'token', 0, 'entry', entry, 'received', now)
return 0",
    )
});

/// ARGV: prefix, consumer, lease ms. Answers the claimed delivery as
/// {id, type, body, attempts, token, received}, or nil.
static CLAIM: LazyLock<Script> = LazyLock::new(|| {
    script(
        r"local P, consumer = ARGV[1], ARGV[2]
local stream = P .. 'queue'
-- The group reads the stream from its start, so entries added before it
-- existed are delivered too: creating it here, where it is read, is enough.
redis.pcall('XGROUP', 'CREATE', stream, 'workers', '0', 'MKSTREAM')
for _, due in ipairs(redis.call('ZRANGEBYSCORE', P .. 'delayed', '-inf', now, 'LIMIT', 0, 100)) do
  redis.call('ZREM', P .. 'delayed', due)
  redis.call('HSET', P .. 'd:' .. due, 'entry', redis.call('XADD', stream, '*', 'id', due))
end
local id
local lapsed = redis.call('ZRANGEBYSCORE', P .. 'leases', '-inf', now, 'LIMIT', 0, 1)
if #lapsed > 0 then
  id = lapsed[1]
  local entry = redis.call('HGET', P .. 'd:' .. id, 'entry')
  redis.call('XCLAIM', stream, 'workers', consumer, 0, entry, 'JUSTID')
else
  local read = redis.call('XREADGROUP', 'GROUP', 'workers', consumer, 'COUNT', 1, 'STREAMS', stream, '>')
  if not read or #read[1][2] == 0 then return false end
  id = read[1][2][1][2][2]
end
local h = P .. 'd:' .. id
local token = redis.call('INCR', P .. 'fence')
local attempts = redis.call('HINCRBY', h, 'attempts', 1)
redis.call('HSET', h, 'token', token)
redis.call('ZADD', P .. 'leases', now + tonumber(ARGV[3]), id)
local f = redis.call('HMGET', h, 'type', 'body', 'received')
return {id, f[1], f[2], attempts, token, f[3]}",
    )
});

/// Whether ARGV[2] (id) is leased under token ARGV[3], as `held`.
const HELD: &str = r"local P, id = ARGV[1], ARGV[2]
local h = P .. 'd:' .. id
local held = redis.call('HGET', h, 'token') == ARGV[3] and redis.call('ZSCORE', P .. 'leases', id)
";

/// ARGV: prefix, id, token, lease ms. Answers 1 when renewed.
static RENEW: LazyLock<Script> = LazyLock::new(|| {
    script(&format!(
        r"{HELD}if not held then return 0 end
redis.call('ZADD', P .. 'leases', 'XX', now + tonumber(ARGV[4]), id)
return 1"
    ))
});

/// ARGV: prefix, id, token, kind (done, retry, dead, release), delay ms,
/// reason, retention ms. Answers 1 when settled.
static SETTLE: LazyLock<Script> = LazyLock::new(|| {
    script(&format!(
        r"{HELD}if not held then return 0 end
local entry = redis.call('HGET', h, 'entry')
redis.call('XACK', P .. 'queue', 'workers', entry)
redis.call('XDEL', P .. 'queue', entry)
redis.call('ZREM', P .. 'leases', id)
redis.call('HDEL', h, 'entry')
local kind = ARGV[4]
if kind == 'done' then
  redis.call('HSET', h, 'state', 'done')
  redis.call('HDEL', h, 'body')
  redis.call('PEXPIRE', h, ARGV[7])
elseif kind == 'retry' then
  redis.call('HSET', h, 'error', ARGV[6])
  redis.call('ZADD', P .. 'delayed', now + tonumber(ARGV[5]), id)
elseif kind == 'dead' then
  redis.call('HSET', h, 'state', 'dead', 'error', ARGV[6])
  redis.call('ZADD', P .. 'dead', now, id)
else
  redis.call('HINCRBY', h, 'attempts', -1)
  redis.call('ZADD', P .. 'delayed', now, id)
end
return 1"
    ))
});

/// ARGV: prefix, id. Answers 1 when a dead letter was queued again.
static REPLAY: LazyLock<Script> = LazyLock::new(|| {
    script(
        r"local P, id = ARGV[1], ARGV[2]
local h = P .. 'd:' .. id
if redis.call('HGET', h, 'state') ~= 'dead' then return 0 end
redis.call('ZREM', P .. 'dead', id)
redis.call('HSET', h, 'state', 'queued', 'attempts', 0,
  'entry', redis.call('XADD', P .. 'queue', '*', 'id', id))
return 1",
    )
});

/// An [`Inbox`] in Redis, shared by every receiver and worker using the
/// same server and prefix.
///
/// Durability is the server's: run it with `appendonly yes` and
/// `appendfsync always` so that an acknowledged delivery survives a crash
/// of the server (with `everysec`, up to a second of acknowledged
/// deliveries can be lost). Each operation is bounded by the timeout of
/// [`RedisStore`] ([`RedisInbox::with_timeout`]); a server that is down
/// makes the receiver answer 503.
///
/// ```no_run
/// use openai_webhooks::inbox::RedisInbox;
/// # async fn run() -> Result<(), openai_webhooks::dedup::StoreError> {
/// let inbox = RedisInbox::open("redis://127.0.0.1:6379/")?.with_prefix("billing:webhooks:");
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct RedisInbox {
    store: RedisStore,
    prefix: String,
    consumer: String,
    retention: Duration,
}

impl RedisInbox {
    /// An inbox on the server at `url`; it connects on first use. An error
    /// for a malformed URL, or outside a Tokio runtime.
    pub fn open(url: &str) -> Result<RedisInbox, StoreError> {
        Ok(RedisInbox::from_store(RedisStore::open(url)?))
    }

    /// An inbox on an existing connection manager (TLS, credentials).
    pub fn from_connection(connection: ConnectionManager) -> RedisInbox {
        RedisInbox::from_store(RedisStore::from_connection(connection))
    }

    fn from_store(store: RedisStore) -> RedisInbox {
        RedisInbox {
            store,
            prefix: DEFAULT_INBOX_PREFIX.to_string(),
            // The consumer's name in the group: one per inbox value.
            consumer: format!("worker-{}", crate::dedup::ClaimToken::new().as_str()),
            retention: DEFAULT_RETENTION,
        }
    }

    /// Namespace the keys (default [`DEFAULT_INBOX_PREFIX`]).
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> RedisInbox {
        self.prefix = prefix.into();
        self
    }

    /// The longest one operation may take before it counts as unavailable
    /// (see [`RedisStore::with_timeout`]).
    pub fn with_timeout(mut self, timeout: Duration) -> RedisInbox {
        self.store = self.store.with_timeout(timeout);
        self
    }

    /// How long a done delivery's record is kept (default
    /// [`DEFAULT_RETENTION`]).
    pub fn with_retention(mut self, retention: Duration) -> RedisInbox {
        self.retention = retention;
        self
    }

    /// Runs `script` with the prefix and then the arguments `add` adds.
    async fn invoke<T: redis::FromRedisValue>(
        &self,
        script: &'static Script,
        add: impl FnOnce(&mut redis::ScriptInvocation<'static>),
    ) -> Result<T, StoreError> {
        let mut invocation = script.prepare_invoke();
        invocation.arg(&self.prefix);
        add(&mut invocation);
        self.store
            .run(|mut connection| async move { invocation.invoke_async(&mut connection).await })
            .await
    }
}

impl Inbox for RedisInbox {
    fn enqueue<'a>(
        &'a self,
        id: &'a str,
        event_type: &'a str,
        body: &'a [u8],
        max_queued: Option<u64>,
    ) -> StoreFuture<'a, Enqueued> {
        Box::pin(async move {
            let max = max_queued.map_or(-1, |m| i64::try_from(m).unwrap_or(i64::MAX));
            let answer: i64 = self
                .invoke(&ENQUEUE, |i| {
                    i.arg(id).arg(event_type).arg(body).arg(max);
                })
                .await?;
            Ok(match answer {
                0 => Enqueued::Stored,
                1 => Enqueued::Duplicate,
                _ => Enqueued::Full,
            })
        })
    }

    fn claim(&self, lease: Duration) -> StoreFuture<'_, Option<Delivery>> {
        Box::pin(async move {
            type Claimed = (String, String, Vec<u8>, u32, u64, i64);
            let claimed: Option<Claimed> = self
                .invoke(&CLAIM, |i| {
                    i.arg(&self.consumer).arg(duration_ms(lease).max(1));
                })
                .await?;
            Ok(claimed.map(
                |(id, event_type, body, attempt, token, received)| Delivery {
                    lease: Lease {
                        id: id.clone(),
                        token,
                    },
                    id,
                    event_type,
                    body,
                    attempt,
                    received_at: from_millis(received),
                },
            ))
        })
    }

    fn renew<'a>(&'a self, lease: &'a Lease, duration: Duration) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let renewed: i64 = self
                .invoke(&RENEW, |i| {
                    i.arg(&lease.id)
                        .arg(lease.token)
                        .arg(duration_ms(duration).max(1));
                })
                .await?;
            Ok(renewed == 1)
        })
    }

    fn settle<'a>(&'a self, lease: &'a Lease, settlement: Settlement) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let (kind, delay, reason) = match &settlement {
                Settlement::Done => ("done", Duration::ZERO, ""),
                Settlement::Retry { after, reason } => ("retry", *after, reason.as_str()),
                Settlement::Dead { reason } => ("dead", Duration::ZERO, reason.as_str()),
                Settlement::Release => ("release", Duration::ZERO, ""),
            };
            let settled: i64 = self
                .invoke(&SETTLE, |i| {
                    i.arg(&lease.id)
                        .arg(lease.token)
                        .arg(kind)
                        .arg(duration_ms(delay))
                        .arg(reason)
                        .arg(duration_ms(self.retention).max(1));
                })
                .await?;
            Ok(settled == 1)
        })
    }

    fn dead_letters(&self, limit: usize) -> StoreFuture<'_, Vec<DeadLetter>> {
        Box::pin(async move {
            if limit == 0 {
                return Ok(Vec::new());
            }
            let dead_key = format!("{}dead", self.prefix);
            let ids: Vec<String> = self
                .store
                .run(|mut connection| async move {
                    redis::cmd("ZRANGE")
                        .arg(&dead_key)
                        .arg(0)
                        .arg(limit as i64 - 1)
                        .query_async(&mut connection)
                        .await
                })
                .await?;
            // Every letter's fields in one round trip.
            let mut fields = redis::pipe();
            for id in &ids {
                fields
                    .cmd("HMGET")
                    .arg(format!("{}d:{id}", self.prefix))
                    .arg(&["type", "attempts", "error"][..]);
            }
            type Fields = (Option<String>, Option<u32>, Option<String>);
            let fields: Vec<Fields> = if ids.is_empty() {
                Vec::new()
            } else {
                self.store
                    .run(|mut connection| async move { fields.query_async(&mut connection).await })
                    .await?
            };
            let letters = ids
                .into_iter()
                .zip(fields)
                .map(|(id, (event_type, attempts, reason))| DeadLetter {
                    id,
                    event_type: event_type.unwrap_or_default(),
                    attempts: attempts.unwrap_or(0),
                    reason: reason.unwrap_or_default(),
                })
                .collect();
            Ok(letters)
        })
    }

    fn replay<'a>(&'a self, id: &'a str) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let replayed: i64 = self
                .invoke(&REPLAY, |i| {
                    i.arg(id);
                })
                .await?;
            Ok(replayed == 1)
        })
    }

    fn status<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<Status>> {
        Box::pin(async move {
            let key = format!("{}d:{id}", self.prefix);
            let leases = format!("{}leases", self.prefix);
            type Fields = (Option<String>, Option<u32>, Option<String>);
            let ((state, attempts, error), leased): (Fields, Option<f64>) = self
                .store
                .run(|mut connection| async move {
                    redis::pipe()
                        .cmd("HMGET")
                        .arg(&key)
                        .arg(&["state", "attempts", "error"][..])
                        .cmd("ZSCORE")
                        .arg(&leases)
                        .arg(id)
                        .query_async(&mut connection)
                        .await
                })
                .await?;
            let Some(state) = state else {
                return Ok(None);
            };
            let state = match state.as_str() {
                "done" => State::Done,
                "dead" => State::Dead,
                _ if leased.is_some() => State::Leased,
                _ => State::Queued,
            };
            Ok(Some(Status {
                state,
                attempts: attempts.unwrap_or(0),
                last_error: error,
            }))
        })
    }

    fn queued(&self) -> StoreFuture<'_, u64> {
        Box::pin(async move {
            let (stream, delayed) = (
                format!("{}queue", self.prefix),
                format!("{}delayed", self.prefix),
            );
            let (entries, waiting): (u64, u64) = self
                .store
                .run(|mut connection| async move {
                    redis::pipe()
                        .cmd("XLEN")
                        .arg(&stream)
                        .cmd("ZCARD")
                        .arg(&delayed)
                        .query_async(&mut connection)
                        .await
                })
                .await?;
            Ok(entries + waiting)
        })
    }

    fn purge(&self) -> StoreFuture<'_, u64> {
        // Done records expire by themselves (PEXPIRE when settled).
        Box::pin(async { Ok(0) })
    }
}
