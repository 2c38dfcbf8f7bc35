//! The inbox's receiving side over HTTP on loopback: 2xx only for what is
//! stored, 429 and 503 with `Retry-After`, and the metrics it records
//! (feature `metrics`; its `tracing` events are in tests/tracing_events.rs).

#[path = "support/http.rs"]
mod http_support;

use std::time::Duration;

use http_support::{batch_completed, deliver, now, post, serve, SECRET};
use openai_webhooks::dedup::{StoreError, StoreErrorKind, StoreFuture};
use openai_webhooks::inbox::{
    DeadLetter, Delivery, Enqueued, Enqueuer, Inbox, Lease, MemoryInbox, Settlement, State, Status,
};
use openai_webhooks::Webhooks;

/// A store that cannot be reached.
struct Down;

fn down<T>() -> StoreFuture<'static, T> {
    Box::pin(async { Err(StoreError::new(StoreErrorKind::Unavailable, "test: down")) })
}

impl Inbox for Down {
    fn enqueue<'a>(
        &'a self,
        _: &'a str,
        _: &'a str,
        _: &'a [u8],
        _: Option<u64>,
    ) -> StoreFuture<'a, Enqueued> {
        down()
    }
    fn claim(&self, _: Duration) -> StoreFuture<'_, Option<Delivery>> {
        down()
    }
    fn renew<'a>(&'a self, _: &'a Lease, _: Duration) -> StoreFuture<'a, bool> {
        down()
    }
    fn settle<'a>(&'a self, _: &'a Lease, _: Settlement) -> StoreFuture<'a, bool> {
        down()
    }
    fn dead_letters(&self, _: usize) -> StoreFuture<'_, Vec<DeadLetter>> {
        down()
    }
    fn replay<'a>(&'a self, _: &'a str) -> StoreFuture<'a, bool> {
        down()
    }
    fn status<'a>(&'a self, _: &'a str) -> StoreFuture<'a, Option<Status>> {
        down()
    }
    fn queued(&self) -> StoreFuture<'_, u64> {
        down()
    }
    fn purge(&self) -> StoreFuture<'_, u64> {
        down()
    }
}

fn webhooks() -> Webhooks {
    Webhooks::new(SECRET).unwrap()
}

#[tokio::test]
async fn answers_2xx_only_for_what_is_stored() {
    let inbox = MemoryInbox::new();
    let app = Enqueuer::new(inbox.clone())
        .max_queued(2)
        .retry_after(Duration::from_secs(7))
        .router("/webhooks", webhooks());
    let (url, _server) = serve(app).await;
    let client = reqwest::Client::new();
    let signer = webhooks();

    let body = batch_completed("batch_1");
    let answer = deliver(&client, &url, &signer, "wh_1", now(), &body).await;
    assert_eq!(answer, (200, "Stored.".to_string()));
    let status = inbox.status("wh_1").await.unwrap().unwrap();
    assert_eq!(status.state, State::Queued);
    // A retry (new timestamp, new signature) is acknowledged, not stored.
    let answer = deliver(&client, &url, &signer, "wh_1", now() - 1, &body).await;
    assert_eq!(answer, (200, "Already received.".to_string()));
    assert_eq!(inbox.queued().await.unwrap(), 1);
    // The stored body is the verified one, byte for byte.
    let claimed = inbox.claim(Duration::from_secs(5)).await.unwrap().unwrap();
    assert_eq!(claimed.body, body.as_bytes());
    assert_eq!(claimed.event_type, "batch.completed");

    // Full: 429 with Retry-After, not stored; duplicates still 2xx.
    deliver(
        &client,
        &url,
        &signer,
        "wh_2",
        now(),
        &batch_completed("batch_2"),
    )
    .await;
    let response = client
        .post(&url)
        .headers(signer.signed_headers("wh_3", now(), body.as_bytes()))
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "7");
    assert_eq!(inbox.status("wh_3").await.unwrap(), None);
    let answer = deliver(
        &client,
        &url,
        &signer,
        "wh_2",
        now(),
        &batch_completed("batch_2"),
    )
    .await;
    assert_eq!(answer.0, 200);

    // Refused before the store: a wrong signature.
    let mut headers = signer.signed_headers("wh_4", now(), body.as_bytes());
    headers.insert("webhook-signature", "v1,AAAA".parse().unwrap());
    assert_eq!(post(&client, &url, &headers, &body).await.0, 401);
    assert_eq!(inbox.status("wh_4").await.unwrap(), None);
}

#[tokio::test]
async fn a_store_that_is_down_gets_503_with_retry_after() {
    let app = Enqueuer::new(Down).router("/webhooks", webhooks());
    let (url, _server) = serve(app).await;
    let client = reqwest::Client::new();
    let body = batch_completed("batch_1");
    let response = client
        .post(&url)
        .headers(webhooks().signed_headers("wh_1", now(), body.as_bytes()))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "5");
}

/// The counters and histograms the README lists, as a recorder sees them.
#[cfg(feature = "metrics")]
#[test]
fn metrics_count_each_answer() {
    use metrics_util::debugging::{DebugValue, DebuggingRecorder};

    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let inbox = MemoryInbox::new();
    let router = Enqueuer::new(inbox.clone())
        .max_queued(1)
        .router("/webhooks", webhooks());
    let signer = webhooks();
    let statuses = metrics::with_local_recorder(&recorder, || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let mut statuses = Vec::new();
            for id in ["wh_1", "wh_1", "wh_2"] {
                let body = batch_completed(id);
                let mut request = axum::http::Request::post("/webhooks")
                    .body(axum::body::Body::from(body.clone()))
                    .unwrap();
                *request.headers_mut() = signer.signed_headers(id, now(), body.as_bytes());
                statuses.push(http_support::call(&router, request).await);
            }
            statuses
        })
    });
    assert_eq!(statuses, [200, 200, 429]);
    let mut counts = std::collections::BTreeMap::new();
    let mut timings = 0;
    for (key, _, _, value) in snapshotter.snapshot().into_vec() {
        let key = key.key();
        match value {
            DebugValue::Counter(n) => {
                let labels: Vec<String> = key
                    .labels()
                    .map(|l| format!("{}={}", l.key(), l.value()))
                    .collect();
                counts.insert(format!("{}{labels:?}", key.name()), n);
            }
            DebugValue::Histogram(values) => {
                assert_eq!(key.name(), "openai_webhooks_inbox_enqueue_seconds");
                timings += values.len();
            }
            DebugValue::Gauge(_) => {}
        }
    }
    assert_eq!(
        counts["openai_webhooks_inbox_enqueued_total[\"outcome=stored\"]"],
        1
    );
    assert_eq!(
        counts["openai_webhooks_inbox_enqueued_total[\"outcome=duplicate\"]"],
        1
    );
    assert_eq!(
        counts["openai_webhooks_inbox_enqueued_total[\"outcome=full\"]"],
        1
    );
    assert_eq!(timings, 3);
}
