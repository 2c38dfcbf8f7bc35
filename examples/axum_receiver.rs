//! A complete webhook receiver on axum.
//!
//! It verifies each delivery, dispatches on [`WebhookEvent`], answers `200`,
//! or `400`/`401` with a short reason, and handles a repeated `webhook-id`
//! (OpenAI retries until it gets a 2xx) only once.
//!
//! ```sh
//! OPENAI_WEBHOOK_SECRET=whsec_... cargo run --example axum_receiver
//! ```

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use openai_webhooks::{WebhookError, WebhookEvent, Webhooks};

/// What the handler shares between requests.
#[derive(Clone)]
pub struct Receiver {
    webhooks: Arc<Webhooks>,
    /// `webhook-id`s already handled. A real service would keep these in its
    /// database, with an expiry longer than OpenAI's retry window.
    seen: Arc<Mutex<HashSet<String>>>,
}

/// The router: `POST /webhooks`.
pub fn app(webhooks: Webhooks) -> Router {
    let receiver = Receiver {
        webhooks: Arc::new(webhooks),
        seen: Arc::new(Mutex::new(HashSet::new())),
    };
    Router::new()
        .route("/webhooks", post(receive))
        .with_state(receiver)
}

async fn receive(
    State(receiver): State<Receiver>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let event = match receiver.webhooks.unwrap(&body, &headers) {
        Ok(event) => event,
        Err(error) => return (status_for(&error), error.to_string()),
    };
    // `unwrap` succeeded, so the header is there.
    let id = headers
        .get("webhook-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    if !receiver.seen.lock().expect("lock").insert(id) {
        return (StatusCode::OK, "duplicate: already handled".to_string());
    }
    (StatusCode::OK, handle(&event))
}

/// Missing or malformed parts of the request are the sender's mistake (400);
/// a signature or timestamp that does not check out is not authenticated (401).
fn status_for(error: &WebhookError) -> StatusCode {
    match error {
        WebhookError::SignatureMismatch
        | WebhookError::TimestampTooOld
        | WebhookError::TimestampTooNew => StatusCode::UNAUTHORIZED,
        _ => StatusCode::BAD_REQUEST,
    }
}

/// The application's work: here, a line saying what arrived.
fn handle(event: &WebhookEvent) -> String {
    match event {
        WebhookEvent::BatchCompleted(e) => format!("batch {} completed", e.data.id),
        WebhookEvent::ResponseCompleted(e) => format!("response {} completed", e.data.id),
        WebhookEvent::RealtimeCallIncoming(e) => format!("call {} ringing", e.data.call_id),
        WebhookEvent::Unknown { event_type, .. } => format!("ignored unknown {event_type}"),
        other => format!("ignored {}", other.event_type()),
    }
}

#[allow(dead_code)] // unused where this file is included by the tests
#[tokio::main]
async fn main() {
    let secret = std::env::var("OPENAI_WEBHOOK_SECRET").unwrap_or_else(|_| {
        eprintln!("set OPENAI_WEBHOOK_SECRET to the endpoint's signing secret (whsec_...)");
        std::process::exit(2);
    });
    let webhooks = Webhooks::new(secret).unwrap_or_else(|error| {
        eprintln!("{error}");
        std::process::exit(2);
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:8000")
        .await
        .expect("bind 127.0.0.1:8000");
    println!(
        "listening on http://{}/webhooks",
        listener.local_addr().unwrap()
    );
    axum::serve(listener, app(webhooks)).await.expect("server");
}
