//! Real Redis servers for tests and benchmarks, on loopback ports.
//!
//! `RedisServer::start` runs a private `redis-server` (from `$REDIS_SERVER`
//! or the `PATH`) in a temporary directory, with append-only persistence so
//! that a test can kill it and start it again on the same port and data.
//! `shared_url` prefers the server `scripts/with-redis.sh` started.
//!
//! Where no server can be started, the caller prints `SKIPPED: …` and
//! passes, unless `OPENAI_WEBHOOKS_REQUIRE_REDIS=1` or `CI` is set: then
//! it fails, so that CI never skips these tests.

#![allow(dead_code)] // each test uses a part

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Whether a missing Redis must fail the test instead of skipping it.
fn required() -> bool {
    std::env::var_os("OPENAI_WEBHOOKS_REQUIRE_REDIS").is_some_and(|v| v == "1")
        || std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false")
}

/// Says the test is skipped (or fails it where Redis is required).
pub fn skip(test: &str, why: &str) {
    if required() {
        panic!("{test}: {why}, and Redis is required here (CI or OPENAI_WEBHOOKS_REQUIRE_REDIS=1)");
    }
    // Straight to the process's stderr, past the test harness's capture, so
    // that a skip shows in every run's output.
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED: {test}: {why}; run scripts/test.sh to install and start Redis"
    );
}

fn binary() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("REDIS_SERVER") {
        return Some(PathBuf::from(path)).filter(|path| path.is_file());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("redis-server"))
        .find(|candidate| candidate.is_file())
}

/// A private Redis server, killed and its directory removed on drop.
pub struct RedisServer {
    binary: PathBuf,
    port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

impl RedisServer {
    /// Starts a server on a free loopback port; `None` (after [`skip`])
    /// when there is no `redis-server`.
    pub fn start(test: &str) -> Option<RedisServer> {
        let Some(binary) = binary() else {
            skip(test, "redis-server not found");
            return None;
        };
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free loopback port")
            .port();
        let dir = std::env::temp_dir().join(format!(
            "openai-webhooks-test-redis-{}-{port}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).expect("temporary directory");
        let mut server = RedisServer {
            binary,
            port,
            dir,
            child: None,
        };
        server.spawn();
        Some(server)
    }

    fn spawn(&mut self) {
        let child = Command::new(&self.binary)
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .arg("--dir")
            .arg(&self.dir)
            .args([
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
            ])
            .args(["--daemonize", "no", "--logfile", "redis.log"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", self.binary.display()));
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !ping(self.port) {
            assert!(
                Instant::now() < deadline,
                "redis-server did not answer on 127.0.0.1:{} within 10 s; log: {}",
                self.port,
                std::fs::read_to_string(self.dir.join("redis.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// `redis://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Kills the server with SIGKILL, as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Stops the server without killing it (SIGSTOP): connections stay
    /// open and commands queue, as in a stall.
    #[allow(dead_code)]
    pub fn pause(&self) {
        self.signal("-STOP");
    }

    /// Lets a paused server go on (SIGCONT): it runs what queued.
    #[allow(dead_code)]
    pub fn resume(&self) {
        self.signal("-CONT");
    }

    fn signal(&self, signal: &str) {
        if let Some(child) = &self.child {
            let status = Command::new("kill")
                .arg(signal)
                .arg(child.id().to_string())
                .status()
                .expect("kill");
            assert!(status.success(), "kill {signal}");
        }
    }

    /// Starts the server again on the same port and data directory.
    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Whether a Redis server answers `PING` on the port.
fn ping(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    let mut answer = [0u8; 7];
    stream.write_all(b"PING\r\n").is_ok()
        && stream.read_exact(&mut answer).is_ok()
        && &answer == b"+PONG\r\n"
}

/// A server to share: the one `scripts/with-redis.sh` started, or a private
/// one (kept alive by the returned guard). `None` after [`skip`].
pub fn shared(test: &str) -> Option<(String, Option<RedisServer>)> {
    if let Ok(url) = std::env::var("OPENAI_WEBHOOKS_TEST_REDIS_URL") {
        return Some((url, None));
    }
    let server = RedisServer::start(test)?;
    Some((server.url(), Some(server)))
}

/// A key prefix no other test or run uses.
pub fn unique_prefix(test: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("test:{test}:{}:{nanos}:", std::process::id())
}
