//! A webhook receiver to run behind a load balancer, on axum.
//!
//! Environment:
//! - `OPENAI_WEBHOOK_SECRET`: the endpoint's signing secret (`whsec_...`);
//!   during a rotation, the new and the old secret separated by a space;
//! - `LISTEN_ADDR`: where to listen (default `127.0.0.1:3000`);
//! - `REDIS_URL`: when set, deliveries are deduplicated in that Redis,
//!   shared by every instance; otherwise in this process's memory.
//!
//! It answers `POST /webhooks`, and prints `handled <webhook-id> <type>` on
//! standard output once per delivery its handler processes (anything else
//! goes to standard error).
//!
//! ```sh
//! OPENAI_WEBHOOK_SECRET=whsec_... REDIS_URL=redis://127.0.0.1:6379/ \
//!     cargo run --example axum_receiver --features axum,redis
//! ```

use std::convert::Infallible;
use std::process::ExitCode;

use axum::extract::{FromRef, State};
use axum::routing::post;
use axum::Router;
use openai_webhooks::axum::VerifiedWebhook;
use openai_webhooks::dedup::{Deduplicator, MemoryStore, Processed, RedisStore};
use openai_webhooks::{WebhookEvent, Webhooks};

#[derive(Clone, FromRef)]
struct AppState {
    webhooks: Webhooks,
    dedup: Deduplicator,
}

async fn receive(
    State(dedup): State<Deduplicator>,
    webhook: VerifiedWebhook,
) -> Processed<&'static str, Infallible> {
    dedup.process(&webhook.id, handle(&webhook)).await
}

/// The application's work, run at most once per delivery.
async fn handle(webhook: &VerifiedWebhook<WebhookEvent>) -> Result<&'static str, Infallible> {
    println!("handled {} {}", webhook.id, webhook.event.event_type());
    Ok("Handled.")
}

#[tokio::main]
async fn main() -> ExitCode {
    let Ok(secrets) = std::env::var("OPENAI_WEBHOOK_SECRET") else {
        eprintln!("set OPENAI_WEBHOOK_SECRET to the endpoint's signing secret (whsec_...)");
        return ExitCode::from(2);
    };
    let webhooks = match Webhooks::from_secrets(secrets.split_ascii_whitespace()) {
        Ok(webhooks) => webhooks,
        Err(error) => {
            eprintln!("OPENAI_WEBHOOK_SECRET: {error}");
            return ExitCode::from(2);
        }
    };
    let dedup = match std::env::var("REDIS_URL") {
        Ok(url) => match RedisStore::open(&url) {
            Ok(store) => Deduplicator::new(store),
            Err(error) => {
                eprintln!("REDIS_URL: {error}");
                return ExitCode::from(2);
            }
        },
        Err(_) => Deduplicator::new(MemoryStore::default()),
    };
    let addr = std::env::var("LISTEN_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    let listener = match tokio::net::TcpListener::bind(&addr).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("LISTEN_ADDR {addr}: {error}");
            return ExitCode::from(2);
        }
    };
    let app = Router::new()
        .route("/webhooks", post(receive))
        .with_state(AppState { webhooks, dedup });
    eprintln!("listening on http://{addr}/webhooks");
    match axum::serve(listener, app).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("server: {error}");
            ExitCode::FAILURE
        }
    }
}
