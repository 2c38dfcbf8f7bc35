//! The example receiver as a real service: its binary started as separate
//! processes on loopback ports, configured only through the environment,
//! judged only by its HTTP answers and its standard output.
//!
//! `cargo test --all-features` builds the example before running tests; a
//! run that did not build it fails with the command that does.

#[path = "support/http.rs"]
mod http_support;
#[path = "support/redis.rs"]
mod redis_support;

use std::collections::HashMap;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use http_support::{batch_completed, deliver, now, SECRET};
use openai_webhooks::Webhooks;

const OLD_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn example_binary() -> PathBuf {
    // target/<profile>/deps/axum_receiver-<hash> → target/<profile>/examples/
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(|deps| deps.parent()).unwrap();
    let binary = profile_dir
        .join("examples")
        .join(format!("axum_receiver{}", std::env::consts::EXE_SUFFIX));
    assert!(
        binary.is_file(),
        "{} is missing: run `cargo build --example axum_receiver --features axum,redis` \
         (or the whole `cargo test --workspace --all-features`)",
        binary.display()
    );
    binary
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One running receiver process.
struct Receiver {
    child: Option<Child>,
    url: String,
}

impl Receiver {
    fn start(redis_url: Option<&str>) -> Receiver {
        let addr = format!("127.0.0.1:{}", free_port());
        let mut command = Command::new(example_binary());
        command
            .env("OPENAI_WEBHOOK_SECRET", format!("{SECRET} {OLD_SECRET}"))
            .env("LISTEN_ADDR", &addr)
            .env_remove("REDIS_URL")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        if let Some(url) = redis_url {
            command.env("REDIS_URL", url);
        }
        let child = command.spawn().unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(&addr).is_err() {
            assert!(
                Instant::now() < deadline,
                "the receiver did not listen on {addr}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Receiver {
            child: Some(child),
            url: format!("http://{addr}/webhooks"),
        }
    }

    /// Stops the process; answers what it printed on standard output.
    fn stop(mut self) -> String {
        let mut child = self.child.take().unwrap();
        child.kill().unwrap();
        let output = child.wait_with_output().unwrap();
        String::from_utf8(output.stdout).unwrap()
    }
}

impl Drop for Receiver {
    /// A failed test leaves no process behind.
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Counts the lines of `stdout`, checking each is `handled <id> <type>`.
fn handled_lines(stdouts: &[String]) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for line in stdouts.iter().flat_map(|s| s.lines()) {
        let parts: Vec<&str> = line.split(' ').collect();
        assert!(
            parts.len() == 3 && parts[0] == "handled",
            "unexpected line on standard output: {line:?}"
        );
        *counts
            .entry(format!("{} {}", parts[1], parts[2]))
            .or_default() += 1;
    }
    counts
}

#[tokio::test]
async fn two_receiver_processes_sharing_redis_handle_each_delivery_once() {
    let test = "two_receiver_processes_sharing_redis_handle_each_delivery_once";
    let Some((redis_url, _server)) = redis_support::shared(test) else {
        return;
    };
    let receivers = [
        Receiver::start(Some(&redis_url)),
        Receiver::start(Some(&redis_url)),
    ];
    let urls = [receivers[0].url.clone(), receivers[1].url.clone()];
    let client = reqwest::Client::new();
    // Ids unique to this run: the shared server outlives it.
    let run = format!("{}_{}", std::process::id(), now());
    let ids: Vec<String> = (0..5).map(|n| format!("wh_{run}_{n}")).collect();

    for round in 0..2 {
        let mut tasks = Vec::new();
        for (n, id) in ids.iter().enumerate() {
            for i in 0..6 {
                // Delivery 0 comes signed with the old secret only.
                let secret = if n == 0 { OLD_SECRET } else { SECRET };
                let (client, url, id) = (client.clone(), urls[i % 2].clone(), id.clone());
                tasks.push(tokio::spawn(async move {
                    let signer = Webhooks::new(secret).unwrap();
                    let body = batch_completed(&id);
                    deliver(&client, &url, &signer, &id, now() - i as i64, &body).await
                }));
            }
        }
        for task in tasks {
            let (status, text) = task.await.unwrap();
            assert!(
                status == 200 || (round == 0 && status == 409),
                "round {round}: {status} {text}"
            );
        }
        // Let attempts still running finish before the next round.
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let stdouts: Vec<String> = receivers.into_iter().map(Receiver::stop).collect();
    let counts = handled_lines(&stdouts);
    for id in &ids {
        assert_eq!(
            counts.get(&format!("{id} batch.completed")),
            Some(&1),
            "{id}: {stdouts:?}"
        );
    }
    assert_eq!(counts.len(), ids.len(), "{stdouts:?}");
}

#[tokio::test]
async fn without_redis_the_receiver_deduplicates_in_memory() {
    let receiver = Receiver::start(None);
    let client = reqwest::Client::new();
    let signer = Webhooks::new(SECRET).unwrap();
    let body = batch_completed("b1");
    assert_eq!(
        deliver(&client, &receiver.url, &signer, "wh_m1", now(), &body).await,
        (200, "Handled.".to_string())
    );
    assert_eq!(
        deliver(&client, &receiver.url, &signer, "wh_m1", now(), &body).await,
        (200, "Already handled.".to_string())
    );
    let unknown = r#"{"id":"evt_2","type":"brand.new.event","created_at":1,"data":{}}"#;
    assert_eq!(
        deliver(&client, &receiver.url, &signer, "wh_m2", now(), unknown).await,
        (200, "Handled.".to_string())
    );
    let stranger = Webhooks::new("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD").unwrap();
    let (status, _) = deliver(&client, &receiver.url, &stranger, "wh_m3", now(), &body).await;
    assert_eq!(status, 401);

    assert_eq!(
        receiver.stop(),
        "handled wh_m1 batch.completed\nhandled wh_m2 brand.new.event\n"
    );
}

#[test]
fn a_missing_or_bad_configuration_exits_with_a_message() {
    let output = Command::new(example_binary())
        .env_remove("OPENAI_WEBHOOK_SECRET")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("set OPENAI_WEBHOOK_SECRET"));
    assert!(output.stdout.is_empty());

    let output = Command::new(example_binary())
        .env("OPENAI_WEBHOOK_SECRET", "whsec_***")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("not valid base64"), "{stderr}");
    assert!(!stderr.contains("***"), "{stderr}");
}
