//! What receiving costs beyond verifying:
//!
//! - `extractor`: the axum extractor against a bare `Webhooks::unwrap` on
//!   the same delivery (same request, built outside the timing; no HTTP);
//! - `redis`: one claim + complete round trip per delivery on a loopback
//!   Redis, with its p50/p99 printed over 5,000 deliveries;
//! - `two_instances`: deliveries per second through two axum servers on
//!   loopback, 16 in flight, with deduplication in a shared Redis and
//!   without.
//!
//! `cargo bench --bench receiver --features axum,redis` (under
//! `scripts/with-redis.sh`, or with `redis-server` on the PATH).

#[path = "support/common.rs"]
mod common;
#[path = "../tests/support/redis.rs"]
mod redis_support;

use std::convert::Infallible;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{FromRef, FromRequest, State};
use axum::routing::post;
use axum::Router;
use common::{fresh_id, now, runtime, send_batch, BODY, SECRET};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use openai_webhooks::axum::VerifiedWebhook;
use openai_webhooks::dedup::{ClaimToken, Deduplicator, DeliveryStore, Processed, RedisStore};
use openai_webhooks::{WebhookEvent, Webhooks};

/// Polls a future that never waits (the extractor on an in-memory body).
fn ready<F: std::future::Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the extractor waited on an in-memory body"),
    }
}

fn extractor(c: &mut Criterion) {
    let webhooks = Webhooks::new(SECRET).unwrap();
    // Signed now: the run stays well inside the five-minute window.
    let headers = webhooks.signed_headers("wh_bench", now(), BODY.as_bytes());
    let request = || {
        let mut request = http::Request::new(Body::from(Bytes::from_static(BODY.as_bytes())));
        *request.headers_mut() = headers.clone();
        request
            .headers_mut()
            .insert("content-length", BODY.len().into());
        request
    };
    let mut group = c.benchmark_group("receiver/extractor");
    // `unwrap` alone, on the body bytes and the header map (the request is
    // built and dropped outside the timing).
    group.bench_function("bare_unwrap", |b| {
        b.iter_batched(
            request,
            |request| {
                let body = Bytes::from_static(BODY.as_bytes());
                let event = webhooks.unwrap(&body, request.headers()).unwrap();
                (request, event)
            },
            BatchSize::SmallInput,
        )
    });
    // What a handler taking axum's `HeaderMap` and `Bytes` and calling
    // `unwrap` does: the same request handling as the extractor, by hand.
    group.bench_function("handwritten_axum", |b| {
        b.iter_batched(
            request,
            |request| {
                use http_body_util::BodyExt;
                let (parts, body) = request.into_parts();
                let body = ready(http_body_util::Limited::new(body, 1 << 20).collect())
                    .unwrap()
                    .to_bytes();
                let event = webhooks.unwrap(&body, &parts.headers).unwrap();
                let id = parts.headers["webhook-id"].to_str().unwrap().to_string();
                (id, event)
            },
            BatchSize::SmallInput,
        )
    });
    group.bench_function("extractor", |b| {
        b.iter_batched(
            request,
            |request| {
                ready(VerifiedWebhook::<WebhookEvent>::from_request(
                    request, &webhooks,
                ))
                .unwrap()
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

/// Claims a fresh delivery and records it done: what each delivery costs.
async fn round_trip(store: &RedisStore) {
    let id = fresh_id();
    let token = ClaimToken::new();
    store
        .claim(&id, &token, Duration::from_secs(60))
        .await
        .unwrap();
    store
        .complete(&id, &token, Duration::from_secs(600))
        .await
        .unwrap();
}

fn redis(c: &mut Criterion) {
    let Some((url, _server)) = redis_support::shared("bench redis") else {
        return;
    };
    let rt = runtime();
    let prefix = redis_support::unique_prefix("bench");
    let store = rt.block_on(async { RedisStore::open(&url).unwrap().with_prefix(prefix) });

    // Percentiles, which criterion does not report.
    let mut samples: Vec<Duration> = rt.block_on(async {
        let mut samples = Vec::with_capacity(5000);
        for _ in 0..5000 {
            let start = Instant::now();
            round_trip(&store).await;
            samples.push(start.elapsed());
        }
        samples
    });
    samples.sort();
    println!(
        "receiver/redis/claim_complete: p50 {:?}, p99 {:?}, max {:?} over {} deliveries",
        samples[samples.len() / 2],
        samples[samples.len() * 99 / 100],
        samples[samples.len() - 1],
        samples.len()
    );

    let mut group = c.benchmark_group("receiver/redis");
    group.bench_function("claim_complete", |b| {
        b.to_async_like(&rt, || round_trip(&store))
    });
    group.finish();
}

/// `iter` for an async routine on a runtime (criterion's async support is
/// a feature this project does not enable).
trait ToAsyncLike {
    fn to_async_like<F, Fut>(&mut self, rt: &tokio::runtime::Runtime, routine: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = ()>;
}

impl ToAsyncLike for criterion::Bencher<'_> {
    fn to_async_like<F, Fut>(&mut self, rt: &tokio::runtime::Runtime, mut routine: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = ()>,
    {
        self.iter_custom(|iterations| {
            rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iterations {
                    routine().await;
                }
                start.elapsed()
            })
        })
    }
}

#[derive(Clone, FromRef)]
struct Instance {
    webhooks: Webhooks,
    dedup: Deduplicator,
}

async fn handle(webhook: &VerifiedWebhook) -> Result<&'static str, Infallible> {
    black_box(webhook.event.event_type());
    Ok("Handled.")
}

async fn with_dedup(
    State(dedup): State<Deduplicator>,
    webhook: VerifiedWebhook,
) -> Processed<&'static str, Infallible> {
    dedup.process(&webhook.id, handle(&webhook)).await
}

async fn without_dedup(webhook: VerifiedWebhook) -> Result<&'static str, Infallible> {
    handle(&webhook).await
}

fn two_instances(c: &mut Criterion) {
    let Some((url, _server)) = redis_support::shared("bench two_instances") else {
        return;
    };
    let rt = runtime();
    let signer = Webhooks::new(SECRET).unwrap();
    let prefix = redis_support::unique_prefix("bench-two");
    let serve = |dedup: bool| {
        let (url, prefix, signer) = (url.clone(), prefix.clone(), signer.clone());
        rt.block_on(async move {
            let mut urls = Vec::new();
            for _ in 0..2 {
                let store = RedisStore::open(&url).unwrap().with_prefix(prefix.clone());
                let instance = Instance {
                    webhooks: signer.clone(),
                    dedup: Deduplicator::new(store),
                };
                let route = if dedup {
                    post(with_dedup)
                } else {
                    post(without_dedup)
                };
                let router = Router::new().route("/webhooks", route).with_state(instance);
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                urls.push(format!(
                    "http://{}/webhooks",
                    listener.local_addr().unwrap()
                ));
                tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
            }
            [urls[0].clone(), urls[1].clone()]
        })
    };
    let client = reqwest::Client::new();
    let mut group = c.benchmark_group("receiver/two_instances");
    const BATCH: usize = 64;
    group.throughput(Throughput::Elements(BATCH as u64));
    for (name, dedup) in [("dedup_off", false), ("dedup_redis", true)] {
        let urls = serve(dedup);
        group.bench_function(name, |b| {
            b.iter_custom(|iterations| {
                rt.block_on(async {
                    let start = Instant::now();
                    for _ in 0..iterations {
                        send_batch(&client, &urls, &signer, BATCH).await;
                    }
                    start.elapsed()
                })
            })
        });
    }
    group.finish();
}

criterion_group!(benches, extractor, redis, two_instances);
criterion_main!(benches);
