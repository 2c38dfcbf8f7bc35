//! The embedded inbox: one SQLite file (feature `sqlite`).
//!
//! One table is both the queue and the deduplication record: a row per
//! `webhook-id`, whose `state` is `queued`, `done` or `dead`. A
//! queued row's `ready_at` is when it may be claimed; claiming sets it to
//! the end of the lease (`leased = 1`), so a lapsed lease makes the row
//! claimable again without anyone noticing the crash. Every operation is
//! one statement or one `BEGIN IMMEDIATE` transaction, so several
//! processes can share the file; statements are prepared once per
//! connection (`prepare_cached`). The database runs in WAL mode with
//! `synchronous=FULL`: an enqueue that returned is on disk, power loss
//! included.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::{
    duration_ms, from_millis, millis, DeadLetter, Delivery, Enqueued, Inbox, Lease, Settlement,
    State, Status, StoreError, StoreErrorKind, StoreFuture, DEFAULT_RETENTION,
};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS openai_webhooks_inbox (
    id TEXT PRIMARY KEY,
    event_type TEXT NOT NULL,
    body BLOB NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'done', 'dead')),
    leased INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    token INTEGER NOT NULL DEFAULT 0,
    ready_at INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    settled_at INTEGER,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS openai_webhooks_inbox_ready
    ON openai_webhooks_inbox (state, ready_at);
CREATE INDEX IF NOT EXISTS openai_webhooks_inbox_settled
    ON openai_webhooks_inbox (state, settled_at);
";

/// The `WHERE` of every statement that needs the caller's lease.
macro_rules! held {
    () => {
        " WHERE id = ?1 AND token = ?2 AND state = 'queued' AND leased = 1"
    };
}

const SETTLE_DONE: &str = concat!(
    "UPDATE openai_webhooks_inbox SET state = 'done', leased = 0, body = x'', settled_at = ?3",
    held!()
);
const SETTLE_RETRY: &str = concat!(
    "UPDATE openai_webhooks_inbox SET leased = 0, ready_at = ?3, last_error = ?4",
    held!()
);
const SETTLE_DEAD: &str = concat!(
    "UPDATE openai_webhooks_inbox SET state = 'dead', leased = 0, settled_at = ?3, last_error = ?4",
    held!()
);
const SETTLE_RELEASE: &str = concat!(
    "UPDATE openai_webhooks_inbox SET leased = 0, ready_at = ?3, attempts = attempts - 1",
    held!()
);
const RENEW: &str = concat!("UPDATE openai_webhooks_inbox SET ready_at = ?3", held!());
const QUEUED_COUNT: &str = "SELECT COUNT(*) FROM openai_webhooks_inbox WHERE state = 'queued'";

/// An [`Inbox`] in one SQLite file, shared by every process that opens it
/// (receivers and workers on one machine).
///
/// Operations run on Tokio's blocking threads, one at a time per
/// `SqliteInbox` (clones share the connection); other processes wait for
/// the file's write lock up to the busy timeout (5 s), after which the
/// operation fails as [`StoreErrorKind::Unavailable`] and the receiver
/// answers 503.
///
/// ```no_run
/// use openai_webhooks::inbox::SqliteInbox;
/// let inbox = SqliteInbox::open("webhooks.sqlite3")?;
/// # Ok::<(), openai_webhooks::dedup::StoreError>(())
/// ```
#[derive(Clone, Debug)]
pub struct SqliteInbox {
    connection: Arc<Mutex<Connection>>,
    path: PathBuf,
    retention: Duration,
}

fn unavailable(error: impl std::fmt::Display) -> StoreError {
    StoreError::new(StoreErrorKind::Unavailable, format!("SQLite: {error}"))
}

impl SqliteInbox {
    /// Opens (creating when missing) the inbox in the file at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteInbox, StoreError> {
        let path = path.as_ref().to_path_buf();
        let connection = Connection::open(&path)
            .map_err(|e| unavailable(format_args!("{}: {e}", path.display())))?;
        connection
            .busy_timeout(Duration::from_secs(5))
            .map_err(unavailable)?;
        // `journal_mode` answers the mode it set: read it as a query.
        let mode: String = connection
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .map_err(unavailable)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(unavailable(format_args!(
                "{}: WAL mode refused (journal_mode is {mode})",
                path.display()
            )));
        }
        connection
            .execute_batch("PRAGMA synchronous = FULL;")
            .map_err(unavailable)?;
        connection.execute_batch(SCHEMA).map_err(unavailable)?;
        Ok(SqliteInbox {
            connection: Arc::new(Mutex::new(connection)),
            path,
            retention: DEFAULT_RETENTION,
        })
    }

    /// How long a done delivery's record is kept (default
    /// [`DEFAULT_RETENTION`]); [`Inbox::purge`] forgets older ones.
    pub fn with_retention(mut self, retention: Duration) -> SqliteInbox {
        self.retention = retention;
        self
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` on the connection on a blocking thread (within a Tokio
    /// runtime; directly otherwise).
    fn run<'a, T: Send + 'static>(
        &'a self,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> StoreFuture<'a, T> {
        let connection = self.connection.clone();
        let call = move || {
            let mut connection = connection.lock().unwrap_or_else(|e| e.into_inner());
            f(&mut connection).map_err(unavailable)
        };
        Box::pin(async move {
            match tokio::runtime::Handle::try_current() {
                Ok(runtime) => runtime
                    .spawn_blocking(call)
                    .await
                    .map_err(|e| unavailable(format_args!("the operation's thread failed: {e}")))?,
                Err(_) => call(),
            }
        })
    }
}

fn now_ms() -> i64 {
    millis(SystemTime::now())
}

impl Inbox for SqliteInbox {
    fn enqueue<'a>(
        &'a self,
        id: &'a str,
        event_type: &'a str,
        body: &'a [u8],
        max_queued: Option<u64>,
    ) -> StoreFuture<'a, Enqueued> {
        let (id, event_type, body) = (id.to_string(), event_type.to_string(), body.to_vec());
        self.run(move |connection| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let known: Option<i64> = tx
                .prepare_cached("SELECT 1 FROM openai_webhooks_inbox WHERE id = ?1")?
                .query_row([&id], |row| row.get(0))
                .optional()?;
            if known.is_some() {
                return Ok(Enqueued::Duplicate);
            }
            if let Some(max) = max_queued {
                let queued: i64 = tx
                    .prepare_cached(QUEUED_COUNT)?
                    .query_row([], |row| row.get(0))?;
                if queued as u64 >= max {
                    return Ok(Enqueued::Full);
                }
            }
            let now = now_ms();
            tx.prepare_cached(
                "INSERT INTO openai_webhooks_inbox (id, event_type, body, ready_at, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?4)",
            )?
            .execute(params![id, event_type, body, now])?;
            tx.commit()?;
            Ok(Enqueued::Stored)
        })
    }

    fn claim(&self, lease: Duration) -> StoreFuture<'_, Option<Delivery>> {
        let lease_ms = duration_ms(lease);
        self.run(move |connection| {
            let now = now_ms();
            connection
                .prepare_cached(
                    "UPDATE openai_webhooks_inbox
                     SET leased = 1, attempts = attempts + 1, token = token + 1,
                         ready_at = ?1 + ?2
                     WHERE id = (SELECT id FROM openai_webhooks_inbox
                                 WHERE state = 'queued' AND ready_at <= ?1
                                 ORDER BY ready_at, rowid LIMIT 1)
                     RETURNING id, event_type, body, attempts, token, received_at",
                )?
                .query_row(params![now, lease_ms], |row| {
                    let id: String = row.get(0)?;
                    let token: i64 = row.get(4)?;
                    Ok(Delivery {
                        lease: Lease {
                            id: id.clone(),
                            token: token as u64,
                        },
                        id,
                        event_type: row.get(1)?,
                        body: row.get(2)?,
                        attempt: row.get(3)?,
                        received_at: from_millis(row.get(5)?),
                    })
                })
                .optional()
        })
    }

    fn renew<'a>(&'a self, lease: &'a Lease, duration: Duration) -> StoreFuture<'a, bool> {
        let (id, token, ms) = (lease.id.clone(), lease.token as i64, duration_ms(duration));
        self.run(move |connection| {
            let changed = connection.prepare_cached(RENEW)?.execute(params![
                id,
                token,
                now_ms().saturating_add(ms)
            ])?;
            Ok(changed == 1)
        })
    }

    fn settle<'a>(&'a self, lease: &'a Lease, settlement: Settlement) -> StoreFuture<'a, bool> {
        let (id, token) = (lease.id.clone(), lease.token as i64);
        self.run(move |connection| {
            let now = now_ms();
            let changed = match settlement {
                Settlement::Done => connection
                    .prepare_cached(SETTLE_DONE)?
                    .execute(params![id, token, now])?,
                Settlement::Retry { after, reason } => {
                    connection.prepare_cached(SETTLE_RETRY)?.execute(params![
                        id,
                        token,
                        now.saturating_add(duration_ms(after)),
                        reason
                    ])?
                }
                Settlement::Dead { reason } => connection
                    .prepare_cached(SETTLE_DEAD)?
                    .execute(params![id, token, now, reason])?,
                Settlement::Release => connection
                    .prepare_cached(SETTLE_RELEASE)?
                    .execute(params![id, token, now])?,
            };
            Ok(changed == 1)
        })
    }

    fn dead_letters(&self, limit: usize) -> StoreFuture<'_, Vec<DeadLetter>> {
        self.run(move |connection| {
            let mut statement = connection.prepare(
                "SELECT id, event_type, attempts, COALESCE(last_error, '')
                 FROM openai_webhooks_inbox WHERE state = 'dead'
                 ORDER BY settled_at, id LIMIT ?1",
            )?;
            let letters = statement.query_map([limit as i64], |row| {
                Ok(DeadLetter {
                    id: row.get(0)?,
                    event_type: row.get(1)?,
                    attempts: row.get(2)?,
                    reason: row.get(3)?,
                })
            })?;
            letters.collect()
        })
    }

    fn replay<'a>(&'a self, id: &'a str) -> StoreFuture<'a, bool> {
        let id = id.to_string();
        self.run(move |connection| {
            let changed = connection.execute(
                "UPDATE openai_webhooks_inbox
                 SET state = 'queued', attempts = 0, ready_at = ?2, settled_at = NULL
                 WHERE id = ?1 AND state = 'dead'",
                params![id, now_ms()],
            )?;
            Ok(changed == 1)
        })
    }

    fn status<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<Status>> {
        let id = id.to_string();
        self.run(move |connection| {
            connection
                .query_row(
                    "SELECT state, leased, attempts, last_error FROM openai_webhooks_inbox WHERE id = ?1",
                    [&id],
                    |row| {
                        let state = match (row.get::<_, String>(0)?.as_str(), row.get::<_, i64>(1)?) {
                            ("done", _) => State::Done,
                            ("dead", _) => State::Dead,
                            (_, 1) => State::Leased,
                            _ => State::Queued,
                        };
                        Ok(Status {
                            state,
                            attempts: row.get(2)?,
                            last_error: row.get(3)?,
                        })
                    },
                )
                .optional()
        })
    }

    fn queued(&self) -> StoreFuture<'_, u64> {
        self.run(|connection| {
            connection
                .query_row(QUEUED_COUNT, [], |row| row.get::<_, i64>(0))
                .map(|n| n as u64)
        })
    }

    fn purge(&self) -> StoreFuture<'_, u64> {
        let before = now_ms().saturating_sub(duration_ms(self.retention));
        self.run(move |connection| {
            connection
                .execute(
                    "DELETE FROM openai_webhooks_inbox WHERE state = 'done' AND settled_at < ?1",
                    [before],
                )
                .map(|n| n as u64)
        })
    }
}
