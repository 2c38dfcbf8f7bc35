#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]

mod generated {
    include!(concat!(env!("OUT_DIR"), "/openai_webhooks.rs"));
}

#[cfg(feature = "axum")]
pub mod axum;
pub mod dedup;
mod heartbeat;
pub mod inbox;
mod observe;
mod parse;
mod testing;
mod webhooks;

pub use generated::*;

/// The `redis` crate [`dedup::RedisStore`] is built on, for
/// [`dedup::RedisStore::from_connection`] (a `ConnectionManager` of your
/// own: TLS, credentials) without a matching dependency of your own.
#[cfg(feature = "redis")]
pub use ::redis;

/// The Rust blocks of the pages in `docs/`, compiled as doctests (the
/// README's are the crate docs above).
#[cfg(doctest)]
mod docs_pages {
    #[doc = include_str!("../docs/signatures.md")]
    struct Signatures;
    #[doc = include_str!("../docs/inbox.md")]
    struct InboxInside;
    #[doc = include_str!("../docs/speed.md")]
    struct Speed;
    #[doc = include_str!("../docs/updating.md")]
    struct Updating;
    #[doc = include_str!("../docs/development.md")]
    struct Development;
    #[doc = include_str!("../docs/generator.md")]
    struct Generator;
    #[doc = include_str!("../docs/conformance.md")]
    struct Conformance;
    #[doc = include_str!("../CHANGELOG.md")]
    struct Changelog;
}
pub use parse::ParseError;
pub use webhooks::{
    HeaderPairs, Headers, WebhookError, Webhooks, DEFAULT_BODY_LIMIT, DEFAULT_TOLERANCE,
    MAX_SIGNATURES,
};
