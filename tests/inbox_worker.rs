//! The worker: attempts and backoff as configured, dead letters, leases
//! kept by heartbeat, panics, concurrency and graceful shutdown, on the
//! memory inbox (the stores' own promises are in inbox_stores.rs).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use openai_webhooks::inbox::{
    Backoff, DeadLetter, Delivery, Enqueued, Inbox, Lease, MemoryInbox, Outcome, Report, Settled,
    Settlement, State, Status, StoreFuture, Worker,
};
use openai_webhooks::WebhookEvent;

const BODY: &[u8] = br#"{"id":"evt_1","object":"event","created_at":1,"type":"batch.completed","data":{"id":"batch_1"}}"#;
const TYPE: &str = "batch.completed";

/// Reports, as the worker gives them.
fn collect() -> (
    Arc<Mutex<Vec<Report>>>,
    impl Fn(&Report) + Send + Sync + 'static,
) {
    let reports = Arc::new(Mutex::new(Vec::new()));
    let sink = reports.clone();
    (reports, move |report: &Report| {
        sink.lock().unwrap().push(report.clone())
    })
}

/// Waits until `done` holds (checked every 20 ms), at most `limit`.
async fn until(limit: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "not reached within {limit:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Drives `run` (a worker that stops when `stop` is notified) until
/// `reports` holds `n` reports (at most 5 s), then stops it.
async fn until_reported(
    run: impl std::future::Future<Output = ()>,
    stop: &tokio::sync::Notify,
    reports: &Mutex<Vec<Report>>,
    n: usize,
) {
    let wait = async {
        until(Duration::from_secs(5), || {
            reports.lock().unwrap().len() == n
        })
        .await;
        stop.notify_one();
    };
    tokio::join!(run, wait);
}

#[tokio::test]
async fn failures_are_retried_with_the_configured_backoff_then_dead_lettered_and_replayable() {
    let inbox = MemoryInbox::new();
    inbox.enqueue("wh_fail", TYPE, BODY, None).await.unwrap();
    let calls: Arc<Mutex<Vec<(u32, Instant)>>> = Arc::default();
    let (reports, observer) = collect();
    let backoff = Backoff {
        initial: Duration::from_millis(200),
        factor: 2.0,
        max: Duration::from_secs(1),
        jitter: 0.0,
    };
    let worker = Worker::new(inbox.clone())
        .max_attempts(3)
        .backoff(backoff)
        .poll_interval(Duration::from_millis(10))
        .on_settled(observer);
    let seen = calls.clone();
    let stop = tokio::sync::Notify::new();
    let run = worker.run(
        move |delivery| {
            seen.lock()
                .unwrap()
                .push((delivery.attempt, Instant::now()));
            async { Outcome::retry("upstream 502") }
        },
        stop.notified(),
    );
    until_reported(run, &stop, &reports, 3).await;

    let calls = calls.lock().unwrap().clone();
    let attempts: Vec<u32> = calls.iter().map(|(a, _)| *a).collect();
    assert_eq!(attempts, [1, 2, 3]);
    // No attempt before its backoff (200 ms, then 400 ms).
    assert!(calls[1].1 - calls[0].1 >= Duration::from_millis(200));
    assert!(calls[2].1 - calls[1].1 >= Duration::from_millis(400));
    let settled: Vec<Settled> = reports
        .lock()
        .unwrap()
        .iter()
        .map(|r| r.settled.clone())
        .collect();
    assert_eq!(
        settled[..2],
        [
            Settled::Retried(Duration::from_millis(200)),
            Settled::Retried(Duration::from_millis(400))
        ]
    );
    assert!(
        matches!(&settled[2], Settled::DeadLettered(reason) if reason.contains("upstream 502") && reason.contains("3 attempts")),
        "{settled:?}"
    );
    let letters = inbox.dead_letters(10).await.unwrap();
    assert_eq!(
        (letters[0].id.as_str(), letters[0].attempts),
        ("wh_fail", 3)
    );

    // Replayed, it runs again from attempt 1.
    assert!(inbox.replay("wh_fail").await.unwrap());
    let (reports, observer) = collect();
    let stop = tokio::sync::Notify::new();
    let worker = Worker::new(inbox.clone())
        .poll_interval(Duration::from_millis(10))
        .on_settled(observer);
    let run = worker.run(|_| async { Outcome::Done }, stop.notified());
    until_reported(run, &stop, &reports, 1).await;
    let report = reports.lock().unwrap()[0].clone();
    assert_eq!((report.attempt, report.settled), (1, Settled::Done));
    assert_eq!(
        inbox.status("wh_fail").await.unwrap().unwrap().state,
        State::Done
    );
}

#[tokio::test]
async fn a_handler_slower_than_its_lease_keeps_it_and_runs_once_across_workers() {
    let inbox = MemoryInbox::new();
    for id in ["wh_1", "wh_2", "wh_3"] {
        inbox.enqueue(id, TYPE, BODY, None).await.unwrap();
    }
    let runs: Arc<Mutex<Vec<String>>> = Arc::default();
    let (reports, observer) = collect();
    let stop = tokio::sync::Notify::new();
    let observer = Arc::new(observer);
    let worker = |inbox: MemoryInbox| {
        let observer = observer.clone();
        Worker::new(inbox)
            .lease(Duration::from_millis(600))
            .concurrency(2)
            .poll_interval(Duration::from_millis(10))
            .on_settled(move |r| observer(r))
    };
    let handler = {
        let runs = runs.clone();
        move |delivery: openai_webhooks::inbox::Delivery| {
            runs.lock().unwrap().push(delivery.id.clone());
            // Four leases long (the lease is long enough that a loaded machine does not miss two renewals in a row).
            async {
                tokio::time::sleep(Duration::from_millis(2400)).await;
                Outcome::Done
            }
        }
    };
    let (one, two) = (worker(inbox.clone()), worker(inbox.clone()));
    let wait = async {
        until(Duration::from_secs(10), || {
            reports.lock().unwrap().len() == 3
        })
        .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        stop.notify_waiters();
    };
    tokio::join!(
        one.run(handler.clone(), stop.notified()),
        two.run(handler, stop.notified()),
        wait
    );
    let mut runs = runs.lock().unwrap().clone();
    runs.sort();
    assert_eq!(runs, ["wh_1", "wh_2", "wh_3"], "each handled once");
    assert!(reports
        .lock()
        .unwrap()
        .iter()
        .all(|r| r.settled == Settled::Done));
}

#[tokio::test]
async fn a_panicking_handler_is_a_failed_attempt_and_shutdown_releases_what_is_held() {
    let inbox = MemoryInbox::new();
    inbox.enqueue("wh_panic", TYPE, BODY, None).await.unwrap();
    let (reports, observer) = collect();
    let stop = tokio::sync::Notify::new();
    let worker = Worker::new(inbox.clone())
        .poll_interval(Duration::from_millis(10))
        .grace(Duration::from_millis(100))
        .on_settled(observer);
    let wait = async {
        until(Duration::from_secs(5), || {
            !reports.lock().unwrap().is_empty()
        })
        .await;
        stop.notify_one();
    };
    tokio::join!(
        worker.run(|_| async { panic!("handler bug") }, stop.notified()),
        wait
    );
    let report = reports.lock().unwrap()[0].clone();
    assert!(matches!(report.settled, Settled::Retried(_)), "{report:?}");
    let status = inbox.status("wh_panic").await.unwrap().unwrap();
    assert_eq!((status.state, status.attempts), (State::Queued, 1));
    assert_eq!(status.last_error.as_deref(), Some("the handler panicked"));

    // Shutdown while a handler runs past the grace time: released, the
    // attempt not counted, and the worker returns.
    inbox.enqueue("wh_slow", TYPE, BODY, None).await.unwrap();
    let started = Arc::new(tokio::sync::Notify::new());
    let began = started.clone();
    let stop = tokio::sync::Notify::new();
    let worker = Worker::new(inbox.clone())
        .poll_interval(Duration::from_millis(10))
        .grace(Duration::from_millis(100));
    let wait = async {
        started.notified().await;
        stop.notify_one();
    };
    let stopped_at = Instant::now();
    tokio::join!(
        worker.run(
            move |delivery| {
                let began = began.clone();
                async move {
                    if delivery.id == "wh_slow" {
                        began.notify_one();
                        tokio::time::sleep(Duration::from_secs(30)).await;
                    }
                    Outcome::retry("not now")
                }
            },
            stop.notified()
        ),
        wait
    );
    assert!(
        stopped_at.elapsed() < Duration::from_secs(10),
        "the handler was stopped"
    );
    let status = inbox.status("wh_slow").await.unwrap().unwrap();
    assert_eq!((status.state, status.attempts), (State::Queued, 0));
}

#[tokio::test]
async fn a_shutdown_future_that_completes_while_the_worker_waits_for_work_stops_it() {
    // An `async` block, which panics if polled again after it completed
    // (a signal handler is one); the inbox is empty, so it completes while
    // the worker is idle.
    let worker = Worker::new(MemoryInbox::new()).poll_interval(Duration::from_millis(30));
    let started = Instant::now();
    worker
        .run(|_| async { Outcome::Done }, async {
            tokio::time::sleep(Duration::from_millis(100)).await
        })
        .await;
    assert!(started.elapsed() >= Duration::from_millis(100));
}

#[tokio::test]
async fn run_events_parses_bodies_passes_unknown_types_and_dead_letters_unreadable_ones() {
    let inbox = MemoryInbox::new();
    inbox.enqueue("wh_known", TYPE, BODY, None).await.unwrap();
    let unknown = br#"{"id":"evt_2","object":"event","created_at":1,"type":"thing.invented_later","data":{"id":"x"}}"#;
    inbox
        .enqueue("wh_unknown", "thing.invented_later", unknown, None)
        .await
        .unwrap();
    inbox
        .enqueue("wh_broken", TYPE, b"{not json", None)
        .await
        .unwrap();
    let seen: Arc<Mutex<Vec<(String, String, bool)>>> = Arc::default();
    let (reports, observer) = collect();
    let stop = tokio::sync::Notify::new();
    let worker = Worker::new(inbox.clone())
        .poll_interval(Duration::from_millis(10))
        .on_settled(observer);
    let sink = seen.clone();
    let run = worker.run_events(
        move |event, delivery| {
            sink.lock().unwrap().push((
                delivery.id.clone(),
                event.event_type().to_string(),
                matches!(event, WebhookEvent::Unknown { .. }),
            ));
            async { Outcome::Done }
        },
        stop.notified(),
    );
    until_reported(run, &stop, &reports, 3).await;

    let mut seen = seen.lock().unwrap().clone();
    seen.sort();
    assert_eq!(
        seen,
        [
            ("wh_known".into(), TYPE.into(), false),
            ("wh_unknown".into(), "thing.invented_later".into(), true),
        ]
    );
    let letters = inbox.dead_letters(10).await.unwrap();
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0].id, "wh_broken");
    assert!(
        letters[0].reason.starts_with("unreadable event:"),
        "{}",
        letters[0].reason
    );
}

/// A memory inbox whose renewals are refused (the lease was lost), and
/// counted.
#[derive(Clone, Default)]
struct LosingInbox {
    inner: MemoryInbox,
    renewals: Arc<std::sync::atomic::AtomicUsize>,
}

impl Inbox for LosingInbox {
    fn enqueue<'a>(
        &'a self,
        id: &'a str,
        event_type: &'a str,
        body: &'a [u8],
        max_queued: Option<u64>,
    ) -> StoreFuture<'a, Enqueued> {
        self.inner.enqueue(id, event_type, body, max_queued)
    }
    fn claim(&self, lease: Duration) -> StoreFuture<'_, Option<Delivery>> {
        self.inner.claim(lease)
    }
    fn renew<'a>(&'a self, _: &'a Lease, _: Duration) -> StoreFuture<'a, bool> {
        self.renewals
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Box::pin(async { Ok(false) })
    }
    fn settle<'a>(&'a self, lease: &'a Lease, settlement: Settlement) -> StoreFuture<'a, bool> {
        self.inner.settle(lease, settlement)
    }
    fn dead_letters(&self, limit: usize) -> StoreFuture<'_, Vec<DeadLetter>> {
        self.inner.dead_letters(limit)
    }
    fn replay<'a>(&'a self, id: &'a str) -> StoreFuture<'a, bool> {
        self.inner.replay(id)
    }
    fn status<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<Status>> {
        self.inner.status(id)
    }
    fn queued(&self) -> StoreFuture<'_, u64> {
        self.inner.queued()
    }
    fn purge(&self) -> StoreFuture<'_, u64> {
        self.inner.purge()
    }
}

#[tokio::test]
async fn a_refused_renewal_is_not_tried_again_while_the_handler_runs() {
    let inbox = LosingInbox::default();
    inbox.enqueue("wh_lost", TYPE, BODY, None).await.unwrap();
    let (reports, observer) = collect();
    let stop = tokio::sync::Notify::new();
    // Renewed every 20 ms; the handler runs for ten of those. One at a
    // time, so that the lapsed lease is not claimed again meanwhile.
    let worker = Worker::new(inbox.clone())
        .lease(Duration::from_millis(60))
        .concurrency(1)
        .poll_interval(Duration::from_millis(10))
        .on_settled(observer);
    let run = worker.run(
        |_| async {
            tokio::time::sleep(Duration::from_millis(200)).await;
            Outcome::Done
        },
        stop.notified(),
    );
    until_reported(run, &stop, &reports, 1).await;
    assert_eq!(
        inbox.renewals.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "renewals after the first refusal"
    );
}

#[tokio::test]
async fn a_delivery_whose_every_allowed_attempt_ended_with_its_worker_is_dead_lettered_unrun() {
    let inbox = MemoryInbox::new();
    inbox.enqueue("wh_poison", TYPE, BODY, None).await.unwrap();
    // Three claims whose workers died: each lease lapses unsettled.
    for _ in 0..3 {
        let claimed = inbox.claim(Duration::from_millis(1)).await.unwrap();
        assert!(claimed.is_some());
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let ran = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (reports, observer) = collect();
    let stop = tokio::sync::Notify::new();
    let worker = Worker::new(inbox.clone())
        .max_attempts(3)
        .poll_interval(Duration::from_millis(10))
        .on_settled(observer);
    let flag = ran.clone();
    let run = worker.run(
        move |_| {
            flag.store(true, std::sync::atomic::Ordering::SeqCst);
            async { Outcome::Done }
        },
        stop.notified(),
    );
    until_reported(run, &stop, &reports, 1).await;
    assert!(
        !ran.load(std::sync::atomic::Ordering::SeqCst),
        "the handler ran"
    );
    let report = reports.lock().unwrap()[0].clone();
    assert_eq!(report.attempt, 4);
    assert!(
        matches!(&report.settled, Settled::DeadLettered(reason) if reason.contains("after 3 attempts, the last with no outcome")),
        "{:?}",
        report.settled
    );
    let letters = inbox.dead_letters(10).await.unwrap();
    assert_eq!(letters[0].id, "wh_poison");
}
