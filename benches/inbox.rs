//! What acknowledging through the inbox costs:
//!
//! - `enqueue`: one `Inbox::enqueue` of a fresh delivery, SQLite (a file
//!   in the temporary directory, WAL, `synchronous=FULL`) and Redis (a
//!   private server with `appendonly yes`, `appendfsync always`, as the
//!   inbox's durability needs), with p50/p99 printed over 2,000
//!   deliveries;
//! - `acknowledged`: deliveries per second answered 200 by one axum
//!   `Enqueuer` on loopback, 16 in flight, for each store.
//!
//! `cargo bench --bench inbox --features axum,sqlite,redis` (with
//! `redis-server` on the PATH; scripts/with-redis.sh installs it).
//! Compare with `--bench receiver` (in-request deduplication).

#[path = "support/common.rs"]
mod common;
#[path = "../tests/support/redis.rs"]
mod redis_support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{fresh_id, runtime, send_batch, BODY, SECRET};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use openai_webhooks::inbox::{Enqueued, Enqueuer, Inbox, RedisInbox, SqliteInbox};
use openai_webhooks::Webhooks;

/// A store to measure: its name, the inbox, and what keeps it alive (the
/// Redis server).
type Store = (&'static str, Arc<dyn Inbox>, Box<dyn std::any::Any>);

/// The stores, each fresh: SQLite in a temporary file and Redis on a
/// private persistent server (kept alive by the guard).
fn stores(rt: &tokio::runtime::Runtime) -> Vec<Store> {
    let dir = std::env::temp_dir().join(format!("openai-webhooks-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let sqlite = SqliteInbox::open(dir.join(format!("inbox-{}.sqlite3", fresh_id()))).unwrap();
    let mut stores: Vec<Store> = vec![("sqlite", Arc::new(sqlite), Box::new(()))];
    if let Some(server) = redis_support::RedisServer::start("bench inbox") {
        let url = server.url();
        let inbox = rt.block_on(async { RedisInbox::open(&url).unwrap() });
        stores.push(("redis_aof_always", Arc::new(inbox), Box::new(server)));
    }
    stores
}

async fn enqueue(inbox: &dyn Inbox) {
    let id = fresh_id();
    let stored = inbox
        .enqueue(&id, "response.completed", BODY.as_bytes(), None)
        .await
        .unwrap();
    assert_eq!(stored, Enqueued::Stored);
}

fn enqueue_latency(c: &mut Criterion) {
    let rt = runtime();
    let mut group = c.benchmark_group("inbox/enqueue");
    for (name, inbox, _guard) in stores(&rt) {
        // Percentiles, which criterion does not report.
        let mut samples: Vec<Duration> = rt.block_on(async {
            let mut samples = Vec::with_capacity(2000);
            for _ in 0..2000 {
                let start = Instant::now();
                enqueue(&*inbox).await;
                samples.push(start.elapsed());
            }
            samples
        });
        samples.sort();
        println!(
            "inbox/enqueue/{name}: p50 {:?}, p99 {:?}, max {:?} over {} deliveries",
            samples[samples.len() / 2],
            samples[samples.len() * 99 / 100],
            samples[samples.len() - 1],
            samples.len()
        );
        group.bench_function(name, |b| {
            b.iter_custom(|iterations| {
                rt.block_on(async {
                    let start = Instant::now();
                    for _ in 0..iterations {
                        enqueue(&*inbox).await;
                    }
                    start.elapsed()
                })
            })
        });
    }
    group.finish();
}

fn acknowledged(c: &mut Criterion) {
    let rt = runtime();
    let signer = Webhooks::new(SECRET).unwrap();
    let client = reqwest::Client::new();
    let mut group = c.benchmark_group("inbox/acknowledged");
    const BATCH: usize = 64;
    group.throughput(Throughput::Elements(BATCH as u64));
    for (name, inbox, _guard) in stores(&rt) {
        let router = Enqueuer::from_arc(inbox).router("/webhooks", signer.clone());
        let url = rt.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let url = format!("http://{}/webhooks", listener.local_addr().unwrap());
            tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
            url
        });
        group.bench_function(name, |b| {
            b.iter_custom(|iterations| {
                rt.block_on(async {
                    let start = Instant::now();
                    for _ in 0..iterations {
                        send_batch(&client, std::slice::from_ref(&url), &signer, BATCH).await;
                    }
                    start.elapsed()
                })
            })
        });
    }
    group.finish();
}

criterion_group!(benches, enqueue_latency, acknowledged);
criterion_main!(benches);
