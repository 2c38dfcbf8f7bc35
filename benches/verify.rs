//! `verify` and `unwrap` on the OpenAI SDK's test delivery, against a bare
//! HMAC-SHA256 of the same signed bytes (keyed each time, as a minimal
//! hand-written check would do, and pre-keyed).
//!
//! `rotation`: a rejected delivery with 1, 2 and 4 secrets, and a header of
//! 1, 16 or 1,000 wrong entries (only the first 16 are considered).
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

/// A rejected delivery's cost against the number of secrets and the size
/// of the signature header: it should grow with the first, not the second.
fn rotation(c: &mut Criterion) {
    let now = UNIX_EPOCH + Duration::from_secs(1750861210);
    let wrong = "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    let headers_of = |entries: usize| vec![wrong; entries].join(" ");
    let sixteen = headers_of(16);
    let thousand = headers_of(1000);
    let mut group = c.benchmark_group("rotation");
    for secrets in [1usize, 2, 4] {
        let keys: Vec<String> = (0..secrets).map(|n| format!("secret-{n}")).collect();
        let webhooks = Webhooks::from_secrets(&keys).unwrap();
        for (name, signature) in [
            ("1_entry", wrong),
            ("16_entries", sixteen.as_str()),
            ("1000_entries", thousand.as_str()),
        ] {
            let headers = [
                ("webhook-id", ID),
                ("webhook-timestamp", TS),
                ("webhook-signature", signature),
            ];
            group.bench_function(format!("reject_{secrets}_secrets_{name}"), |b| {
                b.iter(|| {
                    webhooks
                        .verify_at(black_box(BODY.as_bytes()), &headers, now)
                        .unwrap_err()
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, verify, rotation);
criterion_main!(benches);
