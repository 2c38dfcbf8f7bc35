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
