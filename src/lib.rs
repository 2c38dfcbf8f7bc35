//! Typed OpenAI webhook events, generated from the JSON Schema in `schema/`.
//!
//! ```
//! let body = br#"{"id":"evt_abc123","type":"batch.cancelled","created_at":1719168000,"data":{"id":"batch_abc123"}}"#;
//! let event: openai_webhooks::BatchCancelledWebhookEvent = serde_json::from_slice(body)?;
//! assert_eq!(event.data.id, "batch_abc123");
//! assert_eq!(event.created_at, 1719168000);
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! Unknown extra properties in a payload are accepted and not kept: see the
//! README for why.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod generated {
    include!(concat!(env!("OUT_DIR"), "/openai_webhooks.rs"));
}

#[cfg(feature = "axum")]
pub mod axum;
pub mod dedup;
mod parse;
mod testing;
mod webhooks;

pub use generated::*;
pub use parse::ParseError;
pub use webhooks::{
    HeaderPairs, Headers, WebhookError, Webhooks, DEFAULT_BODY_LIMIT, DEFAULT_TOLERANCE,
    MAX_SIGNATURES,
};
