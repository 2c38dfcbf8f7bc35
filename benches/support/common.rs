//! What the receiving benchmarks share: the SDK's test secret, one
//! delivery body, fresh delivery ids and the runtime.

#![allow(dead_code)] // each benchmark uses a part

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// The OpenAI SDK's test secret.
pub const SECRET: &str = "whsec_RdvaYFYUXuIFuEbvZHwMfYFhUf7aMYjYcmM24+Aj40c=";
/// A `response.completed` delivery, as the SDK's tests send it.
pub const BODY: &str = r#"{"id": "evt_685c059ae3a481909bdc86819b066fb6", "object": "event", "created_at": 1750861210, "type": "response.completed", "data": {"id": "resp_123"}}"#;

/// Unix seconds now.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

static NEXT_ID: AtomicU64 = AtomicU64::new(0);

/// A `webhook-id` no other run or benchmark has used.
pub fn fresh_id() -> String {
    format!(
        "wh_{}_{}_{}",
        std::process::id(),
        now(),
        NEXT_ID.fetch_add(1, Ordering::Relaxed)
    )
}

/// Two worker threads, as on the CI machine.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Sends `count` fresh deliveries, 16 at a time, taking `urls` in turn;
/// each must be answered 200.
pub async fn send_batch(
    client: &reqwest::Client,
    urls: &[String],
    signer: &openai_webhooks::Webhooks,
    count: usize,
) {
    let mut in_flight = tokio::task::JoinSet::new();
    for n in 0..count {
        if in_flight.len() == 16 {
            in_flight.join_next().await.unwrap().unwrap();
        }
        let (client, url, signer) = (client.clone(), urls[n % urls.len()].clone(), signer.clone());
        in_flight.spawn(async move {
            let id = fresh_id();
            let response = client
                .post(&url)
                .headers(signer.signed_headers(&id, now(), BODY.as_bytes()))
                .body(BODY)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
        });
    }
    while let Some(done) = in_flight.join_next().await {
        done.unwrap();
    }
}
