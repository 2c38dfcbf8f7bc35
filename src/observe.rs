//! What the crate reports: `tracing` events (feature `tracing`) and metrics
//! through the `metrics` facade (feature `metrics`). Without those features
//! every function here compiles to nothing.
//!
//! The metric names are the constants below; a test checks that the
//! README's table, which describes them, lists each one.

#![cfg_attr(not(any(feature = "tracing", feature = "metrics")), allow(unused))]

use std::time::Duration;

/// Deliveries refused before any handler ran, by `reason`.
#[cfg_attr(not(feature = "axum"), allow(dead_code))]
pub(crate) const REJECTED: &str = "openai_webhooks_rejected_total";
/// In-request deduplication decisions, by `outcome`.
pub(crate) const DEDUP: &str = "openai_webhooks_dedup_total";
/// Enqueue answers, by `outcome`.
#[cfg_attr(not(feature = "axum"), allow(dead_code))]
pub(crate) const ENQUEUED: &str = "openai_webhooks_inbox_enqueued_total";
/// Seconds one enqueue took in the store (a histogram).
#[cfg_attr(not(feature = "axum"), allow(dead_code))]
pub(crate) const ENQUEUE_SECONDS: &str = "openai_webhooks_inbox_enqueue_seconds";
/// Deliveries a worker claimed.
pub(crate) const CLAIMED: &str = "openai_webhooks_inbox_claimed_total";
/// How a worker settled the deliveries it ran, by `outcome`.
pub(crate) const SETTLED: &str = "openai_webhooks_inbox_settled_total";
/// Seconds a handler ran (a histogram).
pub(crate) const HANDLER_SECONDS: &str = "openai_webhooks_inbox_handler_seconds";

/// Every metric the crate records (the README describes each).
#[cfg(test)]
const METRICS: &[&str] = &[
    REJECTED,
    DEDUP,
    ENQUEUED,
    ENQUEUE_SECONDS,
    CLAIMED,
    SETTLED,
    HANDLER_SECONDS,
];

/// Adds one to counter `name`, labelled `label=value` when `label` is not
/// empty.
pub(crate) fn count(name: &'static str, label: &'static str, value: &'static str) {
    #[cfg(feature = "metrics")]
    if label.is_empty() {
        metrics::counter!(name).increment(1);
    } else {
        metrics::counter!(name, label => value).increment(1);
    }
}

/// Records `took` in histogram `name`, in seconds.
pub(crate) fn time(name: &'static str, took: Duration) {
    #[cfg(feature = "metrics")]
    metrics::histogram!(name).record(took.as_secs_f64());
}

/// A `tracing` event at `level` (`debug`, `info`, `warn`, `error`), or
/// nothing without the `tracing` feature. Fields never carry secrets,
/// bodies or signatures. (Modules that use it allow unused variables
/// without the feature, where the fields are not read; builds with every
/// feature still catch a variable that is truly unused.)
macro_rules! event {
    ($level:ident, $($rest:tt)*) => {{
        #[cfg(feature = "tracing")]
        ::tracing::$level!(target: "openai_webhooks", $($rest)*);
    }};
}
pub(crate) use event;

#[cfg(test)]
mod tests {
    #[test]
    fn the_readme_lists_every_metric() {
        let readme = include_str!("../README.md");
        for name in super::METRICS {
            assert!(
                readme.contains(&format!("| `{name}` |")),
                "README.md's metrics table does not list `{name}`"
            );
        }
    }
}
