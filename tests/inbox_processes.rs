//! `examples/inbox.rs` as separate `serve` and `work` processes sharing one
//! store: Redis (a private server with append-only persistence, killed and
//! restarted) and SQLite (one file). Processes are killed with SIGKILL in
//! the middle of their work; every delivery must still be handled exactly
//! once, as counted from the workers' `handled <id> <type>` lines.
//!
//! The processes are this test binary run again as the example (the
//! ignored test `example_process` below runs `examples/inbox.rs`'s `run`
//! when `INBOX_EXAMPLE_ROLE` is set), so no second cargo build is needed.
//! Without `redis-server` the Redis test prints `SKIPPED: …` and passes,
//! except in CI or with `OPENAI_WEBHOOKS_REQUIRE_REDIS=1`.

#[path = "support/http.rs"]
mod http_support;
#[path = "support/redis.rs"]
mod redis_support;

#[allow(dead_code)]
#[path = "../examples/inbox.rs"]
mod example;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http_support::{batch_completed, now, SECRET};
use openai_webhooks::inbox::Inbox;
use openai_webhooks::Webhooks;
use redis_support::RedisServer;

#[test]
#[ignore = "not a test: the serve or work process the other tests start"]
fn example_process() {
    let role = std::env::var("INBOX_EXAMPLE_ROLE").expect("INBOX_EXAMPLE_ROLE");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let arg = std::env::var("INBOX_EXAMPLE_ARG").ok();
    if let Err(message) = runtime.block_on(example::run(Some(&role), arg.as_deref())) {
        eprintln!("{message}");
        std::process::exit(2);
    }
    std::process::exit(0);
}

/// This test binary as the example running `role`, in `dir`.
fn example(role: &str, dir: &Path) -> Command {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args([
            "example_process",
            "--exact",
            "--ignored",
            "--nocapture",
            "--quiet",
        ])
        .env("INBOX_EXAMPLE_ROLE", role)
        .current_dir(dir);
    command
}

/// One `serve` or `work` process; its `handled` lines are collected.
struct Process {
    name: String,
    child: Child,
    handled: Arc<Mutex<Vec<String>>>,
    log: PathBuf,
}

impl Process {
    fn start(name: &str, role: &str, dir: &Path, env: &[(&str, String)]) -> Process {
        let log = dir.join(format!("{name}.log"));
        let mut command = example(role, dir);
        command
            .env("OPENAI_WEBHOOK_SECRET", SECRET)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap());
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command.spawn().expect("start the example process");
        let handled = Arc::new(Mutex::new(Vec::new()));
        let lines = handled.clone();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                // The test harness may print on the same line first.
                if let Some(at) = line.find("handled ") {
                    lines.lock().unwrap().push(line[at..].to_string());
                }
            }
        });
        Process {
            name: name.to_string(),
            child,
            handled,
            log,
        }
    }

    fn handled(&self) -> Vec<String> {
        self.handled.lock().unwrap().clone()
    }

    /// Once this worker has handled a delivery, and a little later (its
    /// next handlers are running), SIGKILL.
    fn kill_mid_run(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.handled().is_empty() {
            assert!(Instant::now() < deadline, "nothing handled\n{}", self.log());
            std::thread::sleep(Duration::from_millis(10));
        }
        std::thread::sleep(Duration::from_millis(100));
        self.kill();
    }

    /// SIGKILL: no chance to finish or release anything.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn log(&self) -> String {
        format!(
            "--- {} ---\n{}",
            self.name,
            std::fs::read_to_string(&self.log).unwrap_or_default()
        )
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Runs a one-shot command of the example (`dead`, `replay ID`) on
/// `inbox_url`; answers whether it succeeded and its standard output.
fn one_shot(dir: &Path, inbox_url: &str, command: &str, arg: Option<&str>) -> (bool, String) {
    let mut child = example(command, dir);
    child.env("INBOX_URL", inbox_url);
    if let Some(arg) = arg {
        child.env("INBOX_EXAMPLE_ARG", arg);
    }
    let output = child.output().expect("run the example");
    let stdout = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.find("dead ").map(|at| line[at..].to_string()))
        .collect::<Vec<_>>()
        .join("\n");
    (output.status.success(), stdout)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `serve` on a free port and waits until it listens; answers it
/// and its URL.
fn receiver(name: &str, dir: &Path, inbox_url: &str) -> (Process, String) {
    let port = free_port();
    let process = Process::start(
        name,
        "serve",
        dir,
        &[
            ("INBOX_URL", inbox_url.to_string()),
            ("LISTEN_ADDR", format!("127.0.0.1:{port}")),
        ],
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "{} did not listen\n{}",
            name,
            process.log()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    (process, format!("http://127.0.0.1:{port}/webhooks"))
}

fn worker(name: &str, dir: &Path, inbox_url: &str, delay_ms: u64) -> Process {
    Process::start(
        name,
        "work",
        dir,
        &[
            ("INBOX_URL", inbox_url.to_string()),
            ("WORK_DELAY_MS", delay_ms.to_string()),
            ("WORK_LEASE_MS", "1000".to_string()),
        ],
    )
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "openai-webhooks-{name}-{}-{}",
        std::process::id(),
        now()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Sends every delivery in `ids` `copies` times, all at once, spread over
/// `urls` (each attempt newly signed, as a sender's retry is); answers the
/// statuses by id.
async fn send_all(urls: &[String], ids: &[String], copies: usize) -> BTreeMap<String, Vec<u16>> {
    let client = reqwest::Client::new();
    let signer = Webhooks::new(SECRET).unwrap();
    let mut attempts = tokio::task::JoinSet::new();
    for (n, id) in ids.iter().enumerate() {
        for copy in 0..copies {
            let url = urls[(n + copy) % urls.len()].clone();
            let (client, id) = (client.clone(), id.clone());
            let body = batch_completed(&format!("batch_{id}"));
            let headers = signer.signed_headers(&id, now() - copy as i64, body.as_bytes());
            attempts.spawn(async move {
                let status = match client.post(&url).headers(headers).body(body).send().await {
                    Ok(response) => response.status().as_u16(),
                    Err(_) => 0,
                };
                (id, status)
            });
        }
    }
    let mut statuses: BTreeMap<String, Vec<u16>> = BTreeMap::new();
    while let Some(answer) = attempts.join_next().await {
        let (id, status) = answer.unwrap();
        statuses.entry(id).or_default().push(status);
    }
    statuses
}

fn ids(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("wh_{prefix}_{i:03}")).collect()
}

/// How many `handled` lines each id has over `workers`.
fn handled_counts(workers: &[&Process]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for worker in workers {
        for line in worker.handled() {
            let id = line.split(' ').nth(1).unwrap_or_default().to_string();
            assert_eq!(
                line,
                format!("handled {id} batch.completed"),
                "a handled line is exactly `handled <id> <type>`"
            );
            *counts.entry(id).or_default() += 1;
        }
    }
    counts
}

/// Waits until every id in `ids` was handled, then a little longer (so
/// that a second run would show), and checks each was handled once.
fn all_handled_once(
    ids: &[String],
    workers: &[&Process],
    limit: Duration,
    logs: &dyn Fn() -> String,
) {
    let deadline = Instant::now() + limit;
    loop {
        let counts = handled_counts(workers);
        if ids.iter().all(|id| counts.contains_key(id)) {
            break;
        }
        let missing: Vec<&String> = ids.iter().filter(|id| !counts.contains_key(*id)).collect();
        assert!(
            Instant::now() < deadline,
            "not handled within {limit:?}: {missing:?}\n{}",
            logs()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(1500));
    let counts = handled_counts(workers);
    let twice: Vec<(&String, &usize)> = counts
        .iter()
        .filter(|(id, n)| ids.contains(id) && **n != 1)
        .collect();
    assert!(
        twice.is_empty(),
        "handled more than once: {twice:?}\n{}",
        logs()
    );
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().unwrap()
}

fn assert_all(statuses: &BTreeMap<String, Vec<u16>>, expected: u16, what: &str) {
    for (id, answers) in statuses {
        assert!(
            answers.iter().all(|s| *s == expected),
            "{what}: {id} answered {answers:?}"
        );
    }
}

#[test]
fn two_receivers_and_two_workers_on_redis_handle_every_delivery_once_through_kills_and_restarts() {
    let Some(mut redis) = RedisServer::start("inbox processes on Redis") else {
        return;
    };
    let url = redis.url();
    let dir = temp_dir("inbox-redis");
    let (a, url_a) = receiver("serve-a", &dir, &url);
    let (b, url_b) = receiver("serve-b", &dir, &url);
    let mut one = worker("work-1", &dir, &url, 300);
    let two = worker("work-2", &dir, &url, 300);
    let urls = [url_a, url_b];
    let rt = runtime();

    // Each delivery three times at once over both receivers: all 2xx.
    let first = ids("redis", 24);
    assert_all(
        &rt.block_on(send_all(&urls, &first, 3)),
        200,
        "every copy acknowledged",
    );
    // A worker killed while its handlers run: the other one handles its
    // deliveries after the lease.
    one.kill_mid_run();
    let logs = || {
        [&a, &b, &one, &two]
            .iter()
            .map(|p| p.log())
            .collect::<Vec<_>>()
            .join("\n")
    };
    all_handled_once(&first, &[&one, &two], Duration::from_secs(30), &logs);

    // Redis down: nothing is acknowledged.
    redis.kill();
    let during = ids("down", 6);
    let statuses = rt.block_on(send_all(&urls, &during, 1));
    assert_all(&statuses, 503, "the store is down");
    // Back up: the senders' retries are stored and handled once.
    redis.restart();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let statuses = rt.block_on(send_all(&urls, &during, 2));
        if statuses.values().flatten().all(|s| *s == 200) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "still refused after the restart: {statuses:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    all_handled_once(&during, &[&one, &two], Duration::from_secs(30), &logs);

    // Stored while no worker runs, then Redis restarts: not lost.
    drop(two);
    let kept = ids("kept", 6);
    assert_all(&rt.block_on(send_all(&urls, &kept, 1)), 200, "stored");
    redis.restart();
    let three = worker("work-3", &dir, &url, 0);
    all_handled_once(&kept, &[&three], Duration::from_secs(30), &|| three.log());
    drop((a, b));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_receiver_and_a_worker_on_one_sqlite_file_lose_nothing_when_killed() {
    let dir = temp_dir("inbox-sqlite");
    let inbox = format!("sqlite://{}", dir.join("inbox.sqlite3").display());
    let (mut serve, url) = receiver("serve", &dir, &inbox);
    let mut first_worker = worker("work-1", &dir, &inbox, 200);
    let rt = runtime();

    let first = ids("sqlite", 16);
    assert_all(
        &rt.block_on(send_all(std::slice::from_ref(&url), &first, 2)),
        200,
        "acknowledged",
    );
    first_worker.kill_mid_run();
    let second_worker = worker("work-2", &dir, &inbox, 0);
    let logs = || {
        [&serve, &first_worker, &second_worker]
            .iter()
            .map(|p| p.log())
            .collect::<Vec<_>>()
            .join("\n")
    };
    all_handled_once(
        &first,
        &[&first_worker, &second_worker],
        Duration::from_secs(30),
        &logs,
    );

    // The receiver killed right after acknowledging: nothing lost.
    let more = ids("acked", 10);
    drop(second_worker);
    assert_all(
        &rt.block_on(send_all(std::slice::from_ref(&url), &more, 1)),
        200,
        "acknowledged",
    );
    serve.kill();
    let (_serve, url) = receiver("serve-again", &dir, &inbox);
    assert_all(
        &rt.block_on(send_all(&[url], &more, 1)),
        200,
        "duplicates acknowledged",
    );
    let third_worker = worker("work-3", &dir, &inbox, 0);
    all_handled_once(&more, &[&third_worker], Duration::from_secs(30), &|| {
        third_worker.log()
    });

    // A delivery the handler cannot read is a dead letter, listed and
    // replayed by the example's commands.
    let file = dir.join("inbox.sqlite3");
    let store = openai_webhooks::inbox::SqliteInbox::open(&file).unwrap();
    rt.block_on(store.enqueue(
        "wh_unreadable",
        "batch.completed",
        b"{\"type\":\"batch.completed\"}",
        None,
    ))
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let listed = loop {
        let (ok, listed) = one_shot(&dir, &inbox, "dead", None);
        assert!(ok, "dead failed");
        if !listed.is_empty() {
            break listed;
        }
        assert!(
            Instant::now() < deadline,
            "not dead-lettered\n{}",
            third_worker.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(
        listed.starts_with("dead wh_unreadable batch.completed 1 unreadable event:"),
        "{listed}"
    );
    assert!(!listed.contains('\n'), "one dead letter: {listed}");
    assert!(!one_shot(&dir, &inbox, "replay", Some("wh_nope")).0);
    assert!(one_shot(&dir, &inbox, "replay", Some("wh_unreadable")).0);
    // Replayed, the worker tries it again (and gives up again): its log
    // shows the second settlement.
    let deadline = Instant::now() + Duration::from_secs(20);
    while third_worker
        .log()
        .matches("wh_unreadable batch.completed: DeadLettered")
        .count()
        < 2
    {
        assert!(
            Instant::now() < deadline,
            "not tried again\n{}",
            third_worker.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = std::fs::remove_dir_all(&dir);
}
