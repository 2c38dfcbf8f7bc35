//! The axum extractor over real HTTP on 127.0.0.1: signed, tampered, stale,
//! oversized, header-less and unknown-type deliveries; one-kind endpoints;
//! secret rotation; deduplication in memory. No response may contain the
//! secret, the body or a signature.

#[path = "support/http.rs"]
mod http_support;

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{FromRef, FromRequest, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use http_support::{batch_completed, deliver, now, post as post_raw, serve, SECRET, SECRET_KEY};
use openai_webhooks::axum::{RawWebhook, VerifiedWebhook};
use openai_webhooks::dedup::{Deduplicator, MemoryStore, Processed};
use openai_webhooks::{BatchCompletedWebhookEvent, WebhookError, WebhookEvent, Webhooks};

const OLD_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const OTHER_SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";

#[derive(Clone, FromRef)]
struct AppState {
    webhooks: Webhooks,
    dedup: Deduplicator,
    runs: Arc<AtomicUsize>,
}

/// Any event: answers what arrived, deduplicated in memory.
async fn any_event(
    State(state): State<AppState>,
    webhook: VerifiedWebhook,
) -> Processed<String, Infallible> {
    let runs = state.runs.clone();
    state
        .dedup
        .process(&webhook.id, async move {
            runs.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(50)).await;
            Ok(match &webhook.event {
                WebhookEvent::Unknown { event_type, .. } => format!("unknown {event_type}"),
                event => format!(
                    "{} {} at {}",
                    event.event_type(),
                    event.id(),
                    webhook.timestamp
                ),
            })
        })
        .await
}

/// One kind only.
async fn batches(webhook: VerifiedWebhook<BatchCompletedWebhookEvent>) -> String {
    format!("batch {} completed", webhook.event.data.id)
}

fn app(webhooks: Webhooks) -> (Router, Arc<AtomicUsize>) {
    let runs = Arc::new(AtomicUsize::new(0));
    let state = AppState {
        webhooks,
        dedup: Deduplicator::new(MemoryStore::default()),
        runs: runs.clone(),
    };
    let router = Router::new()
        .route("/webhooks", post(any_event))
        .route("/batches", post(batches))
        .with_state(state);
    (router, runs)
}

/// Fails when a response leaks any secret material or the request.
fn assert_leaks_nothing(reason: &str, body: &str, headers: &http::HeaderMap) {
    for secret in [SECRET, SECRET_KEY, OLD_SECRET, OTHER_SECRET] {
        assert!(!reason.contains(secret), "{reason:?} leaks a secret");
    }
    assert!(!reason.contains(body), "{reason:?} leaks the body");
    if let Some(signature) = headers.get("webhook-signature") {
        let signature = signature.to_str().unwrap();
        for entry in signature.split(' ') {
            let bare = entry.trim_start_matches("v1,");
            assert!(!reason.contains(bare), "{reason:?} leaks a signature");
        }
    }
    assert!(reason.len() < 120, "{reason:?} is not short");
}

#[tokio::test]
async fn deliveries_over_http() {
    let signer = Webhooks::new(SECRET).unwrap();
    let (router, runs) = app(signer.clone().with_body_limit(4096));
    let (url, server) = serve(router).await;
    let client = reqwest::Client::new();
    let body = batch_completed("batch_42");

    // Signed: handled, once.
    let (status, text) = deliver(&client, &url, &signer, "wh_1", now(), &body).await;
    assert_eq!(status, 200);
    assert!(
        text.starts_with("batch.completed evt_batch_42 at "),
        "{text}"
    );
    // A retry (new timestamp, new signature): acknowledged, not run.
    assert_eq!(
        deliver(&client, &url, &signer, "wh_1", now() + 1, &body).await,
        (200, "Already handled.".to_string())
    );
    assert_eq!(runs.load(Ordering::SeqCst), 1);

    let mut rejected = Vec::new();

    // Tampered after signing.
    let headers = signer.signed_headers("wh_2", now(), body.as_bytes());
    let tampered = body.replace("batch_42", "batch_43");
    let (status, reason) = post_raw(&client, &url, &headers, &tampered).await;
    assert_eq!(
        (status, reason.as_str()),
        (
            401,
            "The given webhook signature does not match the expected signature."
        )
    );
    rejected.push((reason, tampered, headers));

    // Ten minutes old, and ten minutes ahead.
    for (offset, expected) in [
        (-600, "Webhook timestamp is too old."),
        (600, "Webhook timestamp is too new."),
    ] {
        let headers = signer.signed_headers("wh_3", now() + offset, body.as_bytes());
        let (status, reason) = post_raw(&client, &url, &headers, &body).await;
        assert_eq!((status, reason.as_str()), (401, expected));
        rejected.push((reason, body.clone(), headers));
    }

    // No headers at all; then each header missing in turn.
    let (status, reason) = post_raw(&client, &url, &http::HeaderMap::new(), &body).await;
    assert_eq!(
        (status, reason.as_str()),
        (401, "Could not find the webhook-signature header.")
    );
    for (missing, expected) in [
        (
            "webhook-timestamp",
            "Could not find the webhook-timestamp header.",
        ),
        ("webhook-id", "Could not find the webhook-id header."),
    ] {
        let mut headers = signer.signed_headers("wh_4", now(), body.as_bytes());
        headers.remove(missing);
        let (status, reason) = post_raw(&client, &url, &headers, &body).await;
        assert_eq!((status, reason.as_str()), (400, expected));
        rejected.push((reason, body.clone(), headers));
    }
    let mut headers = signer.signed_headers("wh_4", now(), body.as_bytes());
    headers.insert("webhook-timestamp", "soon".parse().unwrap());
    let (status, reason) = post_raw(&client, &url, &headers, &body).await;
    assert_eq!(
        (status, reason.as_str()),
        (400, "Invalid webhook timestamp format.")
    );

    // Larger than the limit: 413, even with a signature that would not
    // match (the size is checked before any signature work).
    let big = format!(r#"{{"pad":"{}"}}"#, "x".repeat(5000));
    let headers =
        Webhooks::new(OTHER_SECRET)
            .unwrap()
            .signed_headers("wh_5", now(), big.as_bytes());
    let (status, reason) = post_raw(&client, &url, &headers, &big).await;
    assert_eq!(
        (status, reason.as_str()),
        (413, "The webhook body is larger than 4096 bytes.")
    );
    rejected.push((reason, big, headers));

    // Signed, but not an event.
    let junk = r#"{"hello":"world"}"#;
    let headers = signer.signed_headers("wh_6", now(), junk.as_bytes());
    let (status, reason) = post_raw(&client, &url, &headers, junk).await;
    assert_eq!(status, 400);
    assert!(
        reason.starts_with("The webhook body is not a valid event"),
        "{reason}"
    );
    rejected.push((reason, junk.to_string(), headers));

    // Signed, a known type with a field missing: the reason names the
    // type and the field, not the body.
    let broken = r#"{"id":"evt_7","type":"batch.completed","created_at":1,"data":{}}"#;
    let headers = signer.signed_headers("wh_7", now(), broken.as_bytes());
    let (status, reason) = post_raw(&client, &url, &headers, broken).await;
    assert_eq!(
        (status, reason.as_str()),
        (
            400,
            "The webhook body is not a valid event (type `batch.completed`, field `data.id`)."
        )
    );
    rejected.push((reason, broken.to_string(), headers));

    // A type this version does not know: accepted.
    let future = r#"{"id":"evt_8","type":"brand.new.event","created_at":1,"data":{}}"#;
    assert_eq!(
        deliver(&client, &url, &signer, "wh_8", now(), future).await,
        (200, "unknown brand.new.event".to_string())
    );

    for (reason, body, headers) in &rejected {
        assert_leaks_nothing(reason, body, headers);
    }
    // Only wh_1 and wh_8 reached the handler.
    assert_eq!(runs.load(Ordering::SeqCst), 2);
    server.abort();
}

#[tokio::test]
async fn an_endpoint_for_one_kind_of_event() {
    let signer = Webhooks::new(SECRET).unwrap();
    let (router, _) = app(signer.clone());
    let (url, server) = serve(router).await;
    let url = url.replace("/webhooks", "/batches");
    let client = reqwest::Client::new();

    assert_eq!(
        deliver(
            &client,
            &url,
            &signer,
            "wh_1",
            now(),
            &batch_completed("b1")
        )
        .await,
        (200, "batch b1 completed".to_string())
    );
    let cancelled = r#"{"id":"evt_2","type":"batch.cancelled","created_at":1,"data":{"id":"b2"}}"#;
    let (status, reason) = deliver(&client, &url, &signer, "wh_2", now(), cancelled).await;
    assert_eq!(
        (status, reason.as_str()),
        (
            400,
            "The webhook body is not a valid event (type `batch.cancelled`, field `type`)."
        )
    );
    server.abort();
}

#[tokio::test]
async fn rotation_accepts_the_old_and_the_new_secret() {
    let verifier = Webhooks::from_secrets([SECRET, OLD_SECRET]).unwrap();
    let (router, runs) = app(verifier);
    let (url, server) = serve(router).await;
    let client = reqwest::Client::new();
    let body = batch_completed("b1");

    for (id, secret) in [("wh_new", SECRET), ("wh_old", OLD_SECRET)] {
        let signer = Webhooks::new(secret).unwrap();
        let (status, _) = deliver(&client, &url, &signer, id, now(), &body).await;
        assert_eq!(status, 200, "signed with {id}");
    }
    // A sender mid-rotation signs with both: one entry matching is enough.
    let both = Webhooks::from_secrets([OTHER_SECRET, OLD_SECRET]).unwrap();
    let (status, _) = deliver(&client, &url, &both, "wh_both", now(), &body).await;
    assert_eq!(status, 200);
    // Signed with neither: the same answer as with one secret.
    let stranger = Webhooks::new(OTHER_SECRET).unwrap();
    assert_eq!(
        deliver(&client, &url, &stranger, "wh_x", now(), &body).await,
        (
            401,
            "The given webhook signature does not match the expected signature.".to_string()
        )
    );
    assert_eq!(runs.load(Ordering::SeqCst), 3);
    server.abort();
}

#[tokio::test]
async fn concurrent_duplicates_run_once_and_in_progress_answers_409() {
    let signer = Webhooks::new(SECRET).unwrap();
    let (router, runs) = app(signer.clone());
    let (url, server) = serve(router).await;
    let client = reqwest::Client::new();
    let body = batch_completed("b1");

    let attempts = (0..8).map(|i| {
        let (client, url, signer, body) =
            (client.clone(), url.clone(), signer.clone(), body.clone());
        tokio::spawn(async move { deliver(&client, &url, &signer, "wh_c", now() + i, &body).await })
    });
    let mut statuses = Vec::new();
    for attempt in attempts {
        statuses.push(attempt.await.unwrap());
    }
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    let handled = statuses
        .iter()
        .filter(|(_, text)| text.starts_with("batch.completed"))
        .count();
    assert_eq!(handled, 1, "{statuses:?}");
    for (status, text) in &statuses {
        match status {
            200 => {}
            409 => assert_eq!(text, "This delivery is being handled by another attempt."),
            other => panic!("unexpected {other}: {text}"),
        }
    }
    server.abort();
}

/// A body that does not announce its length: one frame, no size hint.
struct Unannounced(Option<axum::body::Bytes>);

impl http_body::Body for Unannounced {
    type Data = axum::body::Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Infallible>>> {
        std::task::Poll::Ready(self.0.take().map(|bytes| Ok(http_body::Frame::data(bytes))))
    }
}

/// Without a `content-length` (a streamed body), the limit still holds.
#[tokio::test]
async fn the_limit_holds_without_a_content_length() {
    let webhooks = Webhooks::new(SECRET).unwrap().with_body_limit(100);
    let request: http::Request<Vec<u8>> = webhooks.signed_request("/webhooks", &[b' '; 101]);
    let request = request.map(|body| axum::body::Body::new(Unannounced(Some(body.into()))));
    assert!(request.headers().get("content-length").is_none());
    let rejection = VerifiedWebhook::<WebhookEvent>::from_request(request, &webhooks)
        .await
        .unwrap_err();
    assert_eq!(rejection.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(rejection.webhook_error().is_none());

    // At the limit, it is read and verified.
    let body = br#"{"id":"e","type":"x.y","created_at":1,"data":{}}"#;
    let padded = [&body[..], &[b' '; 100][..100 - body.len()]].concat();
    let request: http::Request<Vec<u8>> = webhooks.signed_request("/webhooks", &padded);
    let request = request.map(|body| axum::body::Body::new(Unannounced(Some(body.into()))));
    let webhook = VerifiedWebhook::<WebhookEvent>::from_request(request, &webhooks)
        .await
        .unwrap();
    assert!(webhook.id.starts_with("wh_test_"));
    assert_eq!(webhook.event.event_type(), "x.y");

    // A signature that does not match is a 401 carrying its error.
    let mut request: http::Request<axum::body::Body> = webhooks.signed_request("/webhooks", body);
    request
        .headers_mut()
        .insert("webhook-signature", "v1,AAAA".parse().unwrap());
    let rejection = VerifiedWebhook::<WebhookEvent>::from_request(request, &webhooks)
        .await
        .unwrap_err();
    assert_eq!(rejection.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        rejection.webhook_error(),
        Some(&WebhookError::SignatureMismatch)
    );
}

/// The verified bytes, as received.
async fn raw(webhook: RawWebhook) -> String {
    format!(
        "{} {} {} {}",
        webhook.id,
        webhook.timestamp,
        webhook.event_type,
        String::from_utf8_lossy(&webhook.body)
    )
}

#[tokio::test]
async fn the_raw_extractor_gives_the_verified_bytes_and_the_event_type() {
    let signer = Webhooks::new(SECRET).unwrap();
    let router = Router::new()
        .route("/webhooks", post(raw))
        .with_state(signer.clone());
    let (url, server) = serve(router).await;
    let client = reqwest::Client::new();
    // Spacing and key order kept byte for byte; an unknown type is fine.
    let body = r#"{ "data": {"id": "x"}, "type": "new.kind",  "id": "evt_9", "created_at": 1 }"#;
    let at = now();
    let (status, text) = deliver(&client, &url, &signer, "wh_9", at, body).await;
    assert_eq!(status, 200);
    assert_eq!(text, format!("wh_9 {at} new.kind {body}"));
    // Tampered: refused before anything is read.
    let headers = signer.signed_headers("wh_9", at, body.as_bytes());
    let (status, _) = post_raw(&client, &url, &headers, &body.replace("x", "y")).await;
    assert_eq!(status, 401);
    // Signed, but not an event: 400, as the typed extractor answers.
    for bad in ["[1]", r#"{"type": 3}"#, "{}"] {
        let (status, text) = deliver(&client, &url, &signer, "wh_10", at, bad).await;
        assert_eq!(status, 400, "{bad}: {text}");
    }
    server.abort();
}
