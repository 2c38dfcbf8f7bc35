//! Every inbox keeps the same promises: the memory inbox, SQLite on a
//! file, and Redis on a real server (scripts/test.sh starts one; without
//! it the Redis half prints `SKIPPED: …` and passes, except in CI or with
//! `OPENAI_WEBHOOKS_REQUIRE_REDIS=1`).

#[path = "support/redis.rs"]
mod redis_support;

use std::path::PathBuf;
use std::time::Duration;

use openai_webhooks::inbox::{
    Enqueued, Inbox, MemoryInbox, RedisInbox, Settlement, SqliteInbox, State,
};
use redis_support::{shared, unique_prefix, RedisServer};

const BODY: &[u8] = br#"{"id":"evt_1","object":"event","created_at":1,"type":"batch.completed","data":{"id":"batch_1"}}"#;
const TYPE: &str = "batch.completed";
const LEASE: Duration = Duration::from_millis(300);

/// The promises, on a fresh, empty inbox.
async fn keeps_its_promises(inbox: &dyn Inbox) {
    // Enqueueing is the deduplication.
    assert_eq!(
        inbox.enqueue("wh_a", TYPE, BODY, None).await.unwrap(),
        Enqueued::Stored
    );
    assert_eq!(
        inbox.enqueue("wh_a", TYPE, BODY, None).await.unwrap(),
        Enqueued::Duplicate
    );
    let status = inbox.status("wh_a").await.unwrap().unwrap();
    assert_eq!((status.state, status.attempts), (State::Queued, 0));
    assert_eq!(inbox.status("wh_none").await.unwrap(), None);
    assert_eq!(inbox.queued().await.unwrap(), 1);

    // A claim holds it; nothing else is ready.
    let first = inbox.claim(LEASE).await.unwrap().expect("a ready delivery");
    assert_eq!(
        (first.id.as_str(), first.event_type.as_str()),
        ("wh_a", TYPE)
    );
    assert_eq!((first.body.as_slice(), first.attempt), (BODY, 1));
    assert_eq!(first.event().unwrap().event_type(), TYPE);
    assert_eq!(
        inbox.status("wh_a").await.unwrap().unwrap().state,
        State::Leased
    );
    assert!(inbox.claim(LEASE).await.unwrap().is_none());
    assert!(inbox.renew(&first.lease, LEASE).await.unwrap());

    // Its lease lapses: another worker claims it, and the stale worker can
    // neither renew nor settle it.
    tokio::time::sleep(LEASE + Duration::from_millis(150)).await;
    let second = inbox.claim(LEASE).await.unwrap().expect("a lapsed lease");
    assert_eq!((second.id.as_str(), second.attempt), ("wh_a", 2));
    assert!(second.lease.token > first.lease.token);
    assert!(!inbox.renew(&first.lease, LEASE).await.unwrap());
    assert!(!inbox.settle(&first.lease, Settlement::Done).await.unwrap());
    let stale_retry = Settlement::Retry {
        after: Duration::ZERO,
        reason: "stale".into(),
    };
    assert!(!inbox.settle(&first.lease, stale_retry).await.unwrap());
    assert!(inbox.settle(&second.lease, Settlement::Done).await.unwrap());
    assert!(
        !inbox.settle(&second.lease, Settlement::Done).await.unwrap(),
        "settled once"
    );
    assert_eq!(
        inbox.status("wh_a").await.unwrap().unwrap().state,
        State::Done
    );
    assert_eq!(
        inbox.enqueue("wh_a", TYPE, BODY, None).await.unwrap(),
        Enqueued::Duplicate
    );
    assert_eq!(inbox.queued().await.unwrap(), 0);

    // A retry waits for its delay; too many attempts end in the dead
    // letters, which can be replayed.
    assert_eq!(
        inbox.enqueue("wh_b", TYPE, BODY, None).await.unwrap(),
        Enqueued::Stored
    );
    let claimed = inbox.claim(LEASE).await.unwrap().unwrap();
    let retry = Settlement::Retry {
        after: Duration::from_millis(400),
        reason: "upstream 502".into(),
    };
    assert!(inbox.settle(&claimed.lease, retry).await.unwrap());
    let status = inbox.status("wh_b").await.unwrap().unwrap();
    assert_eq!((status.state, status.attempts), (State::Queued, 1));
    assert_eq!(status.last_error.as_deref(), Some("upstream 502"));
    assert!(
        inbox.claim(LEASE).await.unwrap().is_none(),
        "not before its delay"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let again = inbox.claim(LEASE).await.unwrap().expect("due again");
    assert_eq!((again.id.as_str(), again.attempt), ("wh_b", 2));
    let dead = Settlement::Dead {
        reason: "gave up".into(),
    };
    assert!(inbox.settle(&again.lease, dead).await.unwrap());
    let letters = inbox.dead_letters(10).await.unwrap();
    assert_eq!(letters.len(), 1);
    assert_eq!((letters[0].id.as_str(), letters[0].attempts), ("wh_b", 2));
    assert_eq!(
        (letters[0].event_type.as_str(), letters[0].reason.as_str()),
        (TYPE, "gave up")
    );
    assert_eq!(
        inbox.enqueue("wh_b", TYPE, BODY, None).await.unwrap(),
        Enqueued::Duplicate
    );
    assert!(
        inbox.claim(LEASE).await.unwrap().is_none(),
        "dead letters are not claimed"
    );
    assert!(inbox.replay("wh_b").await.unwrap());
    assert!(
        !inbox.replay("wh_b").await.unwrap(),
        "no longer a dead letter"
    );
    assert!(!inbox.replay("wh_a").await.unwrap(), "done, not dead");
    assert!(inbox.dead_letters(10).await.unwrap().is_empty());
    let replayed = inbox.claim(LEASE).await.unwrap().expect("replayed");
    assert_eq!(
        (
            replayed.id.as_str(),
            replayed.attempt,
            replayed.body.as_slice()
        ),
        ("wh_b", 1, BODY)
    );

    // Released at shutdown: queued at once, the attempt not counted.
    assert!(inbox
        .settle(&replayed.lease, Settlement::Release)
        .await
        .unwrap());
    let status = inbox.status("wh_b").await.unwrap().unwrap();
    assert_eq!((status.state, status.attempts), (State::Queued, 0));
    let back = inbox.claim(LEASE).await.unwrap().expect("released");
    assert_eq!(back.attempt, 1);

    // A full queue refuses new deliveries, never duplicates; leased ones
    // count as queued.
    assert_eq!(inbox.queued().await.unwrap(), 1);
    assert_eq!(
        inbox.enqueue("wh_c", TYPE, BODY, Some(1)).await.unwrap(),
        Enqueued::Full
    );
    assert_eq!(inbox.status("wh_c").await.unwrap(), None);
    assert_eq!(
        inbox.enqueue("wh_b", TYPE, BODY, Some(1)).await.unwrap(),
        Enqueued::Duplicate
    );
    assert_eq!(
        inbox.enqueue("wh_c", TYPE, BODY, Some(2)).await.unwrap(),
        Enqueued::Stored
    );
    assert!(inbox.settle(&back.lease, Settlement::Done).await.unwrap());

    // Oldest first.
    assert_eq!(
        inbox.enqueue("wh_d", TYPE, BODY, None).await.unwrap(),
        Enqueued::Stored
    );
    let c = inbox.claim(LEASE).await.unwrap().unwrap();
    let d = inbox.claim(LEASE).await.unwrap().unwrap();
    assert_eq!((c.id.as_str(), d.id.as_str()), ("wh_c", "wh_d"));
}

#[tokio::test]
async fn memory_inbox_keeps_its_promises() {
    keeps_its_promises(&MemoryInbox::new()).await;
}

fn temp_file(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "openai-webhooks-{name}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("inbox.sqlite3")
}

#[tokio::test]
async fn sqlite_inbox_keeps_its_promises_and_its_deliveries_across_a_reopen() {
    let path = temp_file("sqlite-promises");
    let inbox = SqliteInbox::open(&path).unwrap();
    keeps_its_promises(&inbox).await;
    // Another process's view (a new connection) after this one is gone.
    drop(inbox);
    let reopened = SqliteInbox::open(&path).unwrap();
    assert_eq!(
        reopened.status("wh_a").await.unwrap().unwrap().state,
        State::Done
    );
    assert_eq!(
        reopened.status("wh_c").await.unwrap().unwrap().state,
        State::Leased
    );
    assert_eq!(reopened.queued().await.unwrap(), 2);
    let mode: String = rusqlite_mode(&path);
    assert_eq!(mode, "wal");
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}

/// The journal mode the file is in, as another connection reads it (WAL
/// is kept in the file).
fn rusqlite_mode(path: &std::path::Path) -> String {
    rusqlite::Connection::open(path)
        .unwrap()
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .unwrap()
}

#[tokio::test]
async fn sqlite_inbox_forgets_done_deliveries_after_the_retention_time() {
    let path = temp_file("sqlite-retention");
    let inbox = SqliteInbox::open(&path)
        .unwrap()
        .with_retention(Duration::from_millis(200));
    inbox.enqueue("wh_old", TYPE, BODY, None).await.unwrap();
    inbox.enqueue("wh_waiting", TYPE, BODY, None).await.unwrap();
    let claimed = inbox.claim(LEASE).await.unwrap().unwrap();
    assert!(inbox
        .settle(&claimed.lease, Settlement::Done)
        .await
        .unwrap());
    assert_eq!(
        inbox.purge().await.unwrap(),
        0,
        "kept within the retention time"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(inbox.purge().await.unwrap(), 1);
    assert_eq!(inbox.status("wh_old").await.unwrap(), None);
    assert_eq!(
        inbox.status("wh_waiting").await.unwrap().unwrap().state,
        State::Queued
    );
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}

#[tokio::test]
async fn redis_inbox_keeps_its_promises() {
    let Some((url, _server)) = shared("redis_inbox_keeps_its_promises") else {
        return;
    };
    let inbox = RedisInbox::open(&url)
        .unwrap()
        .with_prefix(unique_prefix("inbox-promises"));
    keeps_its_promises(&inbox).await;
}

#[tokio::test]
async fn redis_inbox_keeps_queued_deliveries_and_leases_across_a_server_restart() {
    let Some(mut server) = RedisServer::start("redis_inbox_restart") else {
        return;
    };
    let inbox = RedisInbox::open(&server.url())
        .unwrap()
        .with_prefix("restart:")
        .with_timeout(Duration::from_secs(2));
    for id in ["wh_1", "wh_2", "wh_3"] {
        assert_eq!(
            inbox.enqueue(id, TYPE, BODY, None).await.unwrap(),
            Enqueued::Stored
        );
    }
    let leased = inbox.claim(LEASE).await.unwrap().unwrap();
    server.kill();
    assert!(
        inbox.enqueue("wh_4", TYPE, BODY, None).await.is_err(),
        "down: not stored"
    );
    server.restart();
    // The connection comes back by itself; the first operations may still
    // see the old one fail.
    let mut queued = None;
    for _ in 0..50 {
        if let Ok(n) = inbox.queued().await {
            queued = Some(n);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(queued, Some(3), "every acknowledged delivery survived");
    assert_eq!(inbox.status("wh_4").await.unwrap(), None);
    assert!(
        inbox.settle(&leased.lease, Settlement::Done).await.unwrap(),
        "the lease survived"
    );
    let mut rest = Vec::new();
    while let Some(delivery) = inbox.claim(LEASE).await.unwrap() {
        assert!(inbox
            .settle(&delivery.lease, Settlement::Done)
            .await
            .unwrap());
        rest.push(delivery.id);
    }
    rest.sort();
    let mut expected = vec!["wh_1", "wh_2", "wh_3"];
    expected.retain(|id| *id != leased.id);
    assert_eq!(rest, expected);
}
