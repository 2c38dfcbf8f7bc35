//! Deduplication across instances: two axum servers on two loopback ports,
//! each with its own connection to one real Redis server.
//!
//! Needs `redis-server` (scripts/test.sh installs and starts it); without
//! one these tests print `SKIPPED: …` and pass, except in CI or with
//! `OPENAI_WEBHOOKS_REQUIRE_REDIS=1`, where they fail.

#[path = "support/http.rs"]
mod http_support;
#[path = "support/redis.rs"]
mod redis_support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use http_support::{batch_completed, deliver, now, serve, SECRET};
use openai_webhooks::axum::VerifiedWebhook;
use openai_webhooks::dedup::{
    ClaimToken, Deduplicator, DeliveryState, DeliveryStore, Processed, RedisStore,
};
use openai_webhooks::Webhooks;
use redis_support::{shared, unique_prefix, RedisServer};

/// Handler runs per `webhook-id`, over both instances.
type Runs = Arc<Mutex<HashMap<String, usize>>>;

#[derive(Clone, FromRef)]
struct Instance {
    webhooks: Webhooks,
    dedup: Deduplicator,
    runs: Runs,
    /// How many first runs of each delivery fail (then it succeeds).
    failures: usize,
}

async fn receive(
    State(instance): State<Instance>,
    webhook: VerifiedWebhook,
) -> Processed<&'static str, (StatusCode, &'static str)> {
    let Instance {
        dedup,
        runs,
        failures,
        ..
    } = instance;
    dedup
        .process(&webhook.id, async {
            let run = {
                let mut runs = runs.lock().unwrap();
                let count = runs.entry(webhook.id.clone()).or_default();
                *count += 1;
                *count
            };
            // Long enough for concurrent attempts to overlap.
            tokio::time::sleep(Duration::from_millis(40)).await;
            if run <= failures {
                Err((StatusCode::INTERNAL_SERVER_ERROR, "Handler failed."))
            } else {
                Ok("Handled.")
            }
        })
        .await
}

/// Two instances sharing `url` under `prefix`; answers their URLs, the
/// shared run counts, and one store to inspect.
async fn two_instances(
    url: &str,
    prefix: &str,
    failures: usize,
    lease: Duration,
) -> ([String; 2], Runs, RedisStore) {
    let runs = Runs::default();
    let mut urls = Vec::new();
    for _ in 0..2 {
        let store = RedisStore::open(url)
            .unwrap()
            .with_prefix(prefix)
            .with_timeout(Duration::from_millis(500));
        let instance = Instance {
            webhooks: Webhooks::new(SECRET).unwrap(),
            dedup: Deduplicator::new(store).with_lease(lease),
            runs: runs.clone(),
            failures,
        };
        let router = Router::new()
            .route("/webhooks", post(receive))
            .with_state(instance);
        urls.push(serve(router).await.0);
    }
    let inspect = RedisStore::open(url).unwrap().with_prefix(prefix);
    ([urls[0].clone(), urls[1].clone()], runs, inspect)
}

fn runs_of(runs: &Runs, id: &str) -> usize {
    runs.lock().unwrap().get(id).copied().unwrap_or(0)
}

/// Sends attempt `i` of delivery `id` (a new timestamp and signature each
/// time, as a retry has) to instance `i % 2`.
async fn attempt(
    client: &reqwest::Client,
    urls: &[String; 2],
    id: &str,
    i: usize,
) -> (u16, String) {
    let signer = Webhooks::new(SECRET).unwrap();
    let body = batch_completed(id);
    let timestamp = now() - (i % 60) as i64;
    deliver(client, &urls[i % 2], &signer, id, timestamp, &body).await
}

#[tokio::test]
async fn concurrent_attempts_on_two_instances_run_the_handler_once() {
    let test = "concurrent_attempts_on_two_instances_run_the_handler_once";
    let Some((url, _server)) = shared(test) else {
        return;
    };
    let (urls, runs, store) = two_instances(
        &url,
        &unique_prefix("concurrent"),
        0,
        Duration::from_secs(30),
    )
    .await;
    let client = reqwest::Client::new();
    let ids: Vec<String> = (0..6).map(|n| format!("wh_concurrent_{n}")).collect();

    // Three rounds: every delivery sent 10 times at once, half to each
    // instance; then again after the first run has finished.
    let mut handled: HashMap<String, usize> = HashMap::new();
    for round in 0..3 {
        let mut tasks = Vec::new();
        for id in &ids {
            for i in 0..10 {
                let (client, urls, id) = (client.clone(), urls.clone(), id.clone());
                tasks.push(tokio::spawn(async move {
                    let answer = attempt(&client, &urls, &id, round * 10 + i).await;
                    (id, answer)
                }));
            }
        }
        for task in tasks {
            let (id, (status, text)) = task.await.unwrap();
            match (status, text.as_str()) {
                (200, "Handled.") => *handled.entry(id).or_default() += 1,
                (200, "Already handled.") => {}
                (409, _) => assert!(round == 0, "{id}: still in progress in round {round}"),
                other => panic!("{id}: unexpected answer {other:?}"),
            }
        }
    }
    for id in &ids {
        assert_eq!(runs_of(&runs, id), 1, "{id} ran more than once");
        assert_eq!(handled.get(id), Some(&1), "{id} answered Handled. once");
        assert_eq!(store.state(id).await.unwrap(), DeliveryState::Done);
    }
}

#[tokio::test]
async fn a_failed_handler_is_released_and_its_retry_runs_it_again() {
    let test = "a_failed_handler_is_released_and_its_retry_runs_it_again";
    let Some((url, _server)) = shared(test) else {
        return;
    };
    let (urls, runs, store) =
        two_instances(&url, &unique_prefix("fails"), 1, Duration::from_secs(30)).await;
    let client = reqwest::Client::new();
    let id = "wh_fails_once";

    assert_eq!(
        attempt(&client, &urls, id, 0).await,
        (500, "Handler failed.".to_string())
    );
    assert_eq!(
        store.state(id).await.unwrap(),
        DeliveryState::New,
        "released"
    );
    // The retry lands on the other instance.
    assert_eq!(
        attempt(&client, &urls, id, 1).await,
        (200, "Handled.".to_string())
    );
    assert_eq!(store.state(id).await.unwrap(), DeliveryState::Done);
    assert_eq!(
        attempt(&client, &urls, id, 2).await,
        (200, "Already handled.".to_string())
    );
    assert_eq!(runs_of(&runs, id), 2);
}

#[tokio::test]
async fn a_crashed_instances_claim_lapses_after_its_lease() {
    let test = "a_crashed_instances_claim_lapses_after_its_lease";
    let Some((url, _server)) = shared(test) else {
        return;
    };
    let prefix = unique_prefix("crashed");
    let lease = Duration::from_millis(400);
    let (urls, runs, store) = two_instances(&url, &prefix, 0, lease).await;
    let client = reqwest::Client::new();
    let id = "wh_crashed";

    // An instance claimed it and died before finishing.
    let token = ClaimToken::new();
    assert_eq!(
        store.claim(id, &token, lease).await.unwrap(),
        DeliveryState::New
    );
    let (status, _) = attempt(&client, &urls, id, 0).await;
    assert_eq!(status, 409);
    assert_eq!(runs_of(&runs, id), 0);
    // Another claim cannot release it.
    store.release(id, &ClaimToken::new()).await.unwrap();
    assert_eq!(store.state(id).await.unwrap(), DeliveryState::InProgress);

    tokio::time::sleep(lease + Duration::from_millis(100)).await;
    assert_eq!(
        attempt(&client, &urls, id, 1).await,
        (200, "Handled.".to_string())
    );
    assert_eq!(runs_of(&runs, id), 1);
    // The dead instance's token no longer matches: its release is a no-op.
    store.release(id, &token).await.unwrap();
    assert_eq!(store.state(id).await.unwrap(), DeliveryState::Done);
}

#[tokio::test]
async fn with_redis_down_nothing_runs_and_retries_after_restart_run_once() {
    let test = "with_redis_down_nothing_runs_and_retries_after_restart_run_once";
    let Some(mut server) = RedisServer::start(test) else {
        return;
    };
    let (urls, runs, store) =
        two_instances(&server.url(), "down:", 0, Duration::from_secs(30)).await;
    let client = reqwest::Client::new();

    assert_eq!(
        attempt(&client, &urls, "wh_before", 0).await,
        (200, "Handled.".to_string())
    );

    server.kill();
    let ids: Vec<String> = (0..4).map(|n| format!("wh_down_{n}")).collect();
    for (i, id) in ids
        .iter()
        .chain(["wh_before".to_string()].iter())
        .enumerate()
    {
        for n in 0..2 {
            let (status, text) = attempt(&client, &urls, id, i + n).await;
            assert_eq!(
                (status, text.as_str()),
                (503, "Deliveries cannot be deduplicated right now."),
                "{id} with Redis down"
            );
        }
    }
    assert!(
        ids.iter().all(|id| runs_of(&runs, id) == 0),
        "a handler ran while Redis was down"
    );

    server.restart();
    // The sender retries each delivery, on both instances at once, until
    // it gets a 2xx (bounded: 50 rounds, 100 ms apart).
    for id in &ids {
        let mut round = 0;
        loop {
            let (a, b) = tokio::join!(
                attempt(&client, &urls, id, 2 * round),
                attempt(&client, &urls, id, 2 * round + 1)
            );
            if a.0 == 200 || b.0 == 200 {
                break;
            }
            for (status, text) in [a, b] {
                assert!(matches!(status, 503 | 409), "{id}: {status} {text}");
            }
            round += 1;
            assert!(
                round < 50,
                "{id}: no 2xx within 50 rounds after the restart"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // Let the running attempt finish, then the state is done.
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(store.state(id).await.unwrap(), DeliveryState::Done, "{id}");
    }
    for id in &ids {
        assert_eq!(runs_of(&runs, id), 1, "{id}");
    }
    // The server kept its data (append-only file): the delivery handled
    // before the crash is still done.
    assert_eq!(
        attempt(&client, &urls, "wh_before", 9).await,
        (200, "Already handled.".to_string())
    );
    assert_eq!(runs_of(&runs, "wh_before"), 1);
}

#[test]
fn opening_outside_a_runtime_is_an_error_not_a_panic() {
    let err = RedisStore::open("redis://127.0.0.1:1/").unwrap_err();
    assert!(err.to_string().contains("Tokio runtime"), "{err}");
}

#[tokio::test]
async fn the_timeout_given_is_the_timeout() {
    // A server that accepts and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("redis://{}/", listener.local_addr().unwrap());
    let accept = tokio::spawn(async move {
        let mut held = Vec::new();
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            held.push(stream);
        }
    });
    for seconds in [1, 3] {
        let store = RedisStore::open(&url)
            .unwrap()
            .with_timeout(Duration::from_secs(seconds));
        let started = std::time::Instant::now();
        let token = ClaimToken::new();
        let err = store
            .claim("wh_t", &token, Duration::from_secs(30))
            .await
            .unwrap_err();
        let took = started.elapsed();
        assert!(
            took >= Duration::from_millis(seconds * 1000 - 200)
                && took < Duration::from_secs(seconds + 3),
            "with_timeout({seconds} s) gave up after {took:?}: {err}"
        );
    }
    accept.abort();
}

#[tokio::test]
async fn a_claim_that_lands_after_its_timeout_is_released() {
    let test = "a_claim_that_lands_after_its_timeout_is_released";
    let Some(server) = RedisServer::start(test) else {
        return;
    };
    // A connection of our own (through the re-exported `redis`) that
    // waits for answers as long as it takes: when the store gives up, the
    // command is still on its way, and lands when the server goes on.
    use openai_webhooks::redis;
    let client = redis::Client::open(server.url()).unwrap();
    let manager = redis::aio::ConnectionManager::new_with_config(
        client,
        redis::aio::ConnectionManagerConfig::new().set_response_timeout(None),
    )
    .await
    .unwrap();
    let store = RedisStore::from_connection(manager)
        .with_prefix(unique_prefix(test))
        .with_timeout(Duration::from_millis(500));
    // Connected, and the claim script cached on the server (so the late
    // claim runs as one EVALSHA, not EVALSHA then EVAL).
    let warm = ClaimToken::new();
    let lease = Duration::from_secs(60);
    assert_eq!(
        store.claim("wh_warm", &warm, lease).await.unwrap(),
        DeliveryState::New
    );
    assert_eq!(store.state("wh_s").await.unwrap(), DeliveryState::New);
    server.pause();
    let token = ClaimToken::new();
    assert!(store
        .claim("wh_s", &token, Duration::from_secs(60))
        .await
        .is_err());
    tokio::time::sleep(Duration::from_secs(2)).await;
    server.resume();
    // The late claim ran on the server, then the release sent after it: the
    // next attempt may claim the delivery at once, not after a 60 s lease.
    let mut state = DeliveryState::InProgress;
    for _ in 0..40 {
        state = store
            .state("wh_s")
            .await
            .unwrap_or(DeliveryState::InProgress);
        if state == DeliveryState::New {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(state, DeliveryState::New);
    let again = ClaimToken::new();
    assert_eq!(
        store
            .claim("wh_s", &again, Duration::from_secs(60))
            .await
            .unwrap(),
        DeliveryState::New
    );
}

#[tokio::test]
async fn renewal_on_redis_is_for_the_claims_holder() {
    let test = "renewal_on_redis_is_for_the_claims_holder";
    let Some((url, _guard)) = shared(test) else {
        return;
    };
    let store = RedisStore::open(&url)
        .unwrap()
        .with_prefix(unique_prefix(test));
    let (held, other) = (ClaimToken::new(), ClaimToken::new());
    let short = Duration::from_millis(300);
    assert_eq!(
        store.claim("wh", &held, short).await.unwrap(),
        DeliveryState::New
    );
    assert!(store
        .renew("wh", &held, Duration::from_secs(30))
        .await
        .unwrap());
    assert!(!store
        .renew("wh", &other, Duration::from_secs(30))
        .await
        .unwrap());
    // Past the first lease, the renewed claim still holds.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(store.state("wh").await.unwrap(), DeliveryState::InProgress);
    assert!(!store.renew("wh_none", &held, short).await.unwrap());
}
