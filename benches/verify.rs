//! `verify` and `unwrap` on the OpenAI SDK's test delivery, against a bare
//! HMAC-SHA256 of the same signed bytes (keyed each time, as a minimal
//! hand-written check would do, and pre-keyed).
//!
//! Run with `cargo bench --bench verify`.

use std::hint::black_box;
use std::time::{Duration, UNIX_EPOCH};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use hmac::{Hmac, KeyInit, Mac};
use openai_webhooks::Webhooks;
use sha2::Sha256;

const SECRET: &str = "whsec_RdvaYFYUXuIFuEbvZHwMfYFhUf7aMYjYcmM24+Aj40c=";
const KEY_B64: &str = "RdvaYFYUXuIFuEbvZHwMfYFhUf7aMYjYcmM24+Aj40c=";
const ID: &str = "wh_685c059ae39c8190af8c71ed1022a24d";
const TS: &str = "1750861210";
const BODY: &str = r#"{"id": "evt_685c059ae3a481909bdc86819b066fb6", "object": "event", "created_at": 1750861210, "type": "response.completed", "data": {"id": "resp_123"}}"#;
const SIG: &str = "v1,gUAg4R2hWouRZqRQG4uJypNS8YK885G838+EHb4nKBY=";

fn verify(c: &mut Criterion) {
    use base64::Engine as _;
    let key = base64::engine::general_purpose::STANDARD
        .decode(KEY_B64)
        .unwrap();
    let content = format!("{ID}.{TS}.{BODY}");
    let webhooks = Webhooks::new(SECRET).unwrap();
    let headers = [
        ("webhook-id", ID),
        ("webhook-timestamp", TS),
        ("webhook-signature", SIG),
    ];
    let now = UNIX_EPOCH + Duration::from_secs(1750861210);
    webhooks.verify_at(BODY.as_bytes(), &headers, now).unwrap();
    let keyed = Hmac::<Sha256>::new_from_slice(&key).unwrap();

    let mut group = c.benchmark_group("verify");
    group.throughput(Throughput::Bytes(BODY.len() as u64));
    group.bench_function("bare_hmac_keyed_each_time", |b| {
        b.iter(|| {
            let mut mac = Hmac::<Sha256>::new_from_slice(black_box(&key)).unwrap();
            mac.update(black_box(content.as_bytes()));
            mac.finalize().into_bytes()
        })
    });
    group.bench_function("bare_hmac_prekeyed", |b| {
        b.iter(|| {
            let mut mac = keyed.clone();
            mac.update(black_box(content.as_bytes()));
            mac.finalize().into_bytes()
        })
    });
    group.bench_function("verify", |b| {
        b.iter(|| {
            webhooks
                .verify_at(black_box(BODY.as_bytes()), &headers, now)
                .unwrap()
        })
    });
    group.bench_function("unwrap", |b| {
        b.iter(|| {
            webhooks
                .unwrap_at(black_box(BODY.as_bytes()), &headers, now)
                .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, verify);
criterion_main!(benches);
