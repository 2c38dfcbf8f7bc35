//! The worker: attempts and backoff as configured, dead letters, leases
//! kept by heartbeat, panics, concurrency and graceful shutdown, on the
//! memory inbox (the stores' own promises are in inbox_stores.rs).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use openai_webhooks::inbox::{
    Backoff, Inbox, MemoryInbox, Outcome, Report, Settled, State, Worker,
};

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
    let wait = async {
        until(Duration::from_secs(5), || {
            reports.lock().unwrap().len() == 3
        })
        .await;
        stop.notify_one();
    };
    tokio::join!(run, wait);

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
    let wait = async {
        until(Duration::from_secs(5), || {
            reports.lock().unwrap().len() == 1
        })
        .await;
        stop.notify_one();
    };
    tokio::join!(run, wait);
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
