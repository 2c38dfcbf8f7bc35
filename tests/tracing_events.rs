//! What the crate logs (feature `tracing`), in a test binary of its own:
//! tracing caches per call site whether anyone listens, and another test
//! hitting the same call sites on another thread while this one installs
//! its subscriber can leave that cache stale (tokio-rs/tracing#2874).

#[path = "support/http.rs"]
mod http_support;

use std::time::Duration;

use http_support::{batch_completed, call, now, SECRET};
use openai_webhooks::inbox::{Enqueuer, Inbox, MemoryInbox};
use openai_webhooks::Webhooks;

fn webhooks() -> Webhooks {
    Webhooks::new(SECRET).unwrap()
}

/// What the crate logs for a delivery stored, a duplicate and a forgery:
/// the decisions, never the secret, the body or a signature.
#[tokio::test]
async fn tracing_reports_decisions_and_never_secrets_or_bodies() {
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let inbox = MemoryInbox::new();
    let enqueuer = Enqueuer::new(inbox.clone());
    let signer = webhooks();
    let body = batch_completed("batch_secret_payload");
    let headers = signer.signed_headers("wh_traced", now(), body.as_bytes());
    let signature = headers["webhook-signature"].to_str().unwrap().to_string();
    let request = |headers: http::HeaderMap| {
        let mut request = axum::http::Request::post("/webhooks")
            .body(axum::body::Body::from(body.clone()))
            .unwrap();
        *request.headers_mut() = headers;
        request
    };
    let router = enqueuer.router("/webhooks", webhooks());
    assert_eq!(call(&router, request(headers.clone())).await, 200);
    assert_eq!(call(&router, request(headers.clone())).await, 200);
    let mut forged = headers.clone();
    forged.insert("webhook-signature", "v1,AAAA".parse().unwrap());
    assert_eq!(call(&router, request(forged)).await, 401);

    // A worker's handler runs in a span naming the delivery.
    let stop = tokio::sync::Notify::new();
    let worker =
        openai_webhooks::inbox::Worker::new(inbox.clone()).poll_interval(Duration::from_millis(10));
    let run = worker.run(
        |_| async {
            tracing::info!("inside the handler");
            openai_webhooks::inbox::Outcome::Done
        },
        stop.notified(),
    );
    let wait = async {
        while inbox.queued().await.unwrap() > 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        stop.notify_one();
    };
    tokio::join!(run, wait);

    let logs = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.lines().any(|l| l
            .contains("webhook{webhook_id=wh_traced event_type=batch.completed attempt=1}")
            && l.contains("inside the handler")),
        "{logs}"
    );
    assert!(logs.contains("handled"), "{logs}");
    assert!(
        logs.contains("stored") && logs.contains("webhook_id=wh_traced"),
        "{logs}"
    );
    assert!(logs.contains("duplicate acknowledged"), "{logs}");
    assert!(
        logs.contains("webhook refused") && logs.contains("reason=\"signature\""),
        "{logs}"
    );
    for secret in [
        SECRET,
        http_support::SECRET_KEY,
        "batch_secret_payload",
        &signature,
    ] {
        assert!(!logs.contains(secret), "{secret} in {logs}");
    }
}
