//! The shared store: delivery states in Redis, for every instance of a
//! service (feature `redis`).
//!
//! One key per delivery, `{prefix}{webhook-id}`, whose value is
//! `claim:{token}` while in progress (set with a lease as its expiry) and
//! `done` once handled (expiring after the retention time). Each operation
//! is one atomic step on the server:
//!
//! - claim: a script that runs `SET key claim:{token} NX PX {lease}` and,
//!   when the key exists, reads it, in one step;
//! - complete: `SET key done PX {keep}`;
//! - release: a script that deletes the key only if it still holds this
//!   claim's value (compare-and-delete).

use std::sync::LazyLock;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::Script;

use super::{ClaimToken, DeliveryState, DeliveryStore, StoreError, StoreErrorKind, StoreFuture};

/// The key prefix by default.
pub const DEFAULT_PREFIX: &str = "openai-webhooks:delivery:";

/// How long one store operation may take by default (connecting included)
/// before the receiver gives up and answers 503: one second.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);

const DONE: &str = "done";

/// Answers 0 when the claim was taken, 1 when another claim holds the
/// delivery, 2 when it is done.
static CLAIM: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 0 end
if redis.call('GET', KEYS[1]) == 'done' then return 2 end
return 1",
    )
});

/// Extends the key's expiry when it still holds this claim; answers 1 when
/// it did.
static RENEW: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0",
    )
});

/// Deletes the key when it still holds this claim; answers how many keys
/// were deleted.
static RELEASE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0",
    )
});

/// Delivery states in Redis, shared by every instance that uses the same
/// server and prefix.
///
/// Each operation is bounded by a timeout ([`DEFAULT_TIMEOUT`]); a server
/// that is down or slow makes the operation fail with
/// [`StoreErrorKind::Unavailable`], the receiver answer 503, and no handler
/// run. The connection is re-established by itself when the server is back.
///
/// Done markers live in Redis memory: a server restarted without
/// persistence (RDB or AOF) forgets them, and retries of deliveries handled
/// before the restart would run again. Run it with persistence.
///
/// ```no_run
/// use openai_webhooks::dedup::{Deduplicator, RedisStore};
/// let store = RedisStore::open("redis://127.0.0.1:6379/")?
///     .with_prefix("billing-service:webhooks:");
/// let dedup = Deduplicator::new(store);
/// # Ok::<(), openai_webhooks::dedup::StoreError>(())
/// ```
#[derive(Clone)]
pub struct RedisStore {
    connection: ConnectionManager,
    /// The client `open` made the connection from: `with_timeout` makes the
    /// connection again with the new timeout (none for `from_connection`,
    /// whose settings are the caller's).
    client: Option<redis::Client>,
    prefix: String,
    timeout: Duration,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// A store on the server at `url` (`redis://host:port/db`, or
    /// `rediss://` with a TLS feature of the `redis` crate). It connects on
    /// first use, so a service starts even while Redis is down (and answers
    /// 503 until it is up).
    ///
    /// An error for a malformed URL (it carries no password), or when called
    /// outside a Tokio runtime (the connection runs on it).
    pub fn open(url: &str) -> Result<RedisStore, StoreError> {
        let client = redis::Client::open(url).map_err(invalid_url)?;
        let connection = connect(&client, DEFAULT_TIMEOUT)?;
        Ok(RedisStore {
            client: Some(client),
            ..RedisStore::from_connection(connection)
        })
    }

    /// A store on an existing connection manager (for your own connection
    /// settings: TLS, credentials, retries).
    pub fn from_connection(connection: ConnectionManager) -> RedisStore {
        RedisStore {
            connection,
            client: None,
            prefix: DEFAULT_PREFIX.to_string(),
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// Namespace the keys: `{prefix}{webhook-id}` (default
    /// [`DEFAULT_PREFIX`]). Services that share a server and must not share
    /// deliveries use different prefixes.
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> RedisStore {
        self.prefix = prefix.into();
        self
    }

    /// The longest one operation may take before it counts as
    /// [`StoreErrorKind::Unavailable`] (default [`DEFAULT_TIMEOUT`]),
    /// connecting and each answer included: for a store made by
    /// [`RedisStore::open`] the connection is made again with this timeout
    /// (a connection given to [`RedisStore::from_connection`] keeps its own
    /// settings, and this bounds each operation on top of them).
    pub fn with_timeout(mut self, timeout: Duration) -> RedisStore {
        self.timeout = timeout;
        if let Some(client) = &self.client {
            if let Ok(connection) = connect(client, timeout) {
                self.connection = connection;
            }
        }
        self
    }

    fn key(&self, id: &str) -> String {
        format!("{}{id}", self.prefix)
    }

    /// Runs one operation on a clone of the connection (clones share it),
    /// bounded by the timeout.
    pub(crate) async fn run<T, F>(
        &self,
        operation: impl FnOnce(ConnectionManager) -> F,
    ) -> Result<T, StoreError>
    where
        F: std::future::Future<Output = redis::RedisResult<T>>,
    {
        match tokio::time::timeout(self.timeout, operation(self.connection.clone())).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => Err(StoreError::new(
                StoreErrorKind::Unavailable,
                format!("Redis: {error}"),
            )),
            Err(_) => Err(StoreError::new(
                StoreErrorKind::Unavailable,
                format!("Redis did not answer within {:?}", self.timeout),
            )),
        }
    }
}

fn invalid_url(error: redis::RedisError) -> StoreError {
    StoreError::new(
        StoreErrorKind::Unavailable,
        format!("invalid Redis URL ({:?})", error.kind()),
    )
}

/// A lazily connecting manager whose connection and answers are bounded by
/// `timeout`; an error outside a Tokio runtime, where it cannot run.
fn connect(client: &redis::Client, timeout: Duration) -> Result<ConnectionManager, StoreError> {
    if tokio::runtime::Handle::try_current().is_err() {
        return Err(StoreError::new(
            StoreErrorKind::Unavailable,
            "RedisStore needs a Tokio runtime: make it inside one (in `main` under `#[tokio::main]`, or within `Runtime::block_on`)",
        ));
    }
    let config = ConnectionManagerConfig::new()
        .set_connection_timeout(Some(timeout))
        .set_response_timeout(Some(timeout))
        .set_number_of_retries(1)
        .set_max_delay(Duration::from_millis(200));
    ConnectionManager::new_lazy_with_config(client.clone(), config).map_err(invalid_url)
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis())
        .unwrap_or(u64::MAX)
        .max(1)
}

/// The release script on `key` for the claim `value`: how many keys it
/// deleted.
async fn release_claim(
    mut connection: ConnectionManager,
    key: String,
    value: String,
) -> redis::RedisResult<i64> {
    RELEASE
        .key(&key)
        .arg(value)
        .invoke_async(&mut connection)
        .await
}

fn claim_value(token: &ClaimToken) -> String {
    format!("claim:{}", token.as_str())
}

impl DeliveryStore for RedisStore {
    fn claim<'a>(
        &'a self,
        id: &'a str,
        token: &'a ClaimToken,
        lease: Duration,
    ) -> StoreFuture<'a, DeliveryState> {
        Box::pin(async move {
            let key = self.key(id);
            let claim_key = key.clone();
            let answer: Result<i64, StoreError> = self
                .run(|mut connection| async move {
                    CLAIM
                        .key(&claim_key)
                        .arg(claim_value(token))
                        .arg(millis(lease))
                        .invoke_async(&mut connection)
                        .await
                })
                .await;
            let answer = match answer {
                Ok(answer) => answer,
                Err(error) => {
                    // The claim may still reach the server after we gave
                    // up (a stall, a slow network), and would then hold
                    // the delivery for a whole lease. A release of this
                    // token, sent after it on the same connection, runs
                    // after it there: the next attempt finds it free.
                    let store = self.clone();
                    let value = claim_value(token);
                    tokio::spawn(async move {
                        let release = release_claim(store.connection.clone(), key, value);
                        let _ = tokio::time::timeout(lease, release).await;
                    });
                    return Err(error);
                }
            };
            Ok(match answer {
                0 => DeliveryState::New,
                2 => DeliveryState::Done,
                _ => DeliveryState::InProgress,
            })
        })
    }

    fn complete<'a>(
        &'a self,
        id: &'a str,
        _token: &'a ClaimToken,
        keep: Duration,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let key = self.key(id);
            self.run(|mut connection| async move {
                redis::cmd("SET")
                    .arg(&key)
                    .arg(DONE)
                    .arg("PX")
                    .arg(millis(keep))
                    .query_async::<()>(&mut connection)
                    .await
            })
            .await
        })
    }

    fn release<'a>(&'a self, id: &'a str, token: &'a ClaimToken) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let key = self.key(id);
            let _deleted: i64 = self
                .run(|connection| release_claim(connection, key, claim_value(token)))
                .await?;
            Ok(())
        })
    }

    fn state<'a>(&'a self, id: &'a str) -> StoreFuture<'a, DeliveryState> {
        Box::pin(async move {
            let key = self.key(id);
            let value: Option<String> = self
                .run(|mut connection| async move {
                    redis::cmd("GET")
                        .arg(&key)
                        .query_async(&mut connection)
                        .await
                })
                .await?;
            Ok(match value.as_deref() {
                None => DeliveryState::New,
                Some(DONE) => DeliveryState::Done,
                Some(_) => DeliveryState::InProgress,
            })
        })
    }

    fn renew<'a>(
        &'a self,
        id: &'a str,
        token: &'a ClaimToken,
        lease: Duration,
    ) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let key = self.key(id);
            let renewed: i64 = self
                .run(|mut connection| async move {
                    RENEW
                        .key(&key)
                        .arg(claim_value(token))
                        .arg(millis(lease))
                        .invoke_async(&mut connection)
                        .await
                })
                .await?;
            Ok(renewed == 1)
        })
    }
}
