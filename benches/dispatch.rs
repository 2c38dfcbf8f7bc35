//! Dispatch cost of `WebhookEvent` against a hand-written struct of the same
//! event, on the union's first and last variants, with `type` first, early
//! (as in OpenAI's examples), late (as in the SDK's test payload), and after
//! `data` (the slow path: a property not every event has comes first).
//!
//! Run with `cargo bench --bench dispatch`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use openai_webhooks::WebhookEvent;
use serde::Deserialize;
use std::hint::black_box;

/// What a user would write by hand for one event.
#[derive(Deserialize)]
#[allow(dead_code)]
struct HandEvent {
    id: String,
    created_at: i64,
    data: HandData,
    #[serde(rename = "type")]
    event_type: String,
    object: Option<String>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct HandData {
    id: String,
}

const CASES: &[(&str, &str)] = &[
    (
        "first/type-first",
        r#"{"type":"agent.environment.expired","id":"evt_685c059ae3a481909bdc86819b066fb6","created_at":1719168000,"object":"event","data":{"id":"env_abc123"}}"#,
    ),
    (
        "first/type-early",
        r#"{"id":"evt_685c059ae3a481909bdc86819b066fb6","type":"agent.environment.expired","created_at":1719168000,"object":"event","data":{"id":"env_abc123"}}"#,
    ),
    (
        "first/type-late",
        r#"{"id":"evt_685c059ae3a481909bdc86819b066fb6","object":"event","created_at":1719168000,"type":"agent.environment.expired","data":{"id":"env_abc123"}}"#,
    ),
    (
        "first/data-before-type",
        r#"{"id":"evt_685c059ae3a481909bdc86819b066fb6","object":"event","created_at":1719168000,"data":{"id":"env_abc123"},"type":"agent.environment.expired"}"#,
    ),
    (
        "last/type-early",
        r#"{"id":"evt_685c059ae3a481909bdc86819b066fb6","type":"safety.warning_issued","created_at":1719168000,"object":"event","data":{"id":"warn_abc123"}}"#,
    ),
    (
        "last/type-late",
        r#"{"id":"evt_685c059ae3a481909bdc86819b066fb6","object":"event","created_at":1719168000,"type":"safety.warning_issued","data":{"id":"warn_abc123"}}"#,
    ),
];

fn dispatch(c: &mut Criterion) {
    let mut group = c.benchmark_group("dispatch");
    for (name, body) in CASES {
        let body = body.as_bytes();
        // Both must accept the payload, or the comparison means nothing.
        serde_json::from_slice::<HandEvent>(body).unwrap();
        serde_json::from_slice::<WebhookEvent>(body).unwrap();
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_with_input(BenchmarkId::new("hand_struct", name), body, |b, body| {
            b.iter(|| serde_json::from_slice::<HandEvent>(black_box(body)).unwrap())
        });
        if name.starts_with("first") {
            group.bench_with_input(BenchmarkId::new("variant_struct", name), body, |b, body| {
                b.iter(|| {
                    serde_json::from_slice::<openai_webhooks::AgentEnvironmentExpiredWebhookEvent>(
                        black_box(body),
                    )
                    .unwrap()
                })
            });
        }
        group.bench_with_input(BenchmarkId::new("webhook_event", name), body, |b, body| {
            b.iter(|| serde_json::from_slice::<WebhookEvent>(black_box(body)).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, dispatch);
criterion_main!(benches);
