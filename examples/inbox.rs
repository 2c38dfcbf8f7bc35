//! Acknowledge fast, process later: a receiver that stores verified
//! deliveries in a durable inbox, and workers that handle them.
//!
//! ```sh
//! cargo run --example inbox --features axum,sqlite,redis -- serve   # receiver
//! cargo run --example inbox --features axum,sqlite,redis -- work    # worker
//! cargo run --example inbox --features axum,sqlite,redis -- dead    # list dead letters
//! cargo run --example inbox --features axum,sqlite,redis -- replay <webhook-id>
//! ```
//!
//! Any number of `serve` and `work` processes can share one inbox.
//! Environment:
//! - `OPENAI_WEBHOOK_SECRET` (serve): the endpoint's signing secret; during
//!   a rotation, the new and the old one separated by a space;
//! - `LISTEN_ADDR` (serve): where to listen, default `127.0.0.1:3000`;
//! - `INBOX_URL`: `sqlite://PATH` (default `sqlite://webhooks-inbox.sqlite3`,
//!   a file in the working directory) or `redis://HOST:PORT/DB`;
//! - `INBOX_MAX_QUEUED` (serve): answer 429 beyond this many waiting
//!   deliveries (default: no limit);
//! - `WORK_DELAY_MS` (work): simulated work per delivery, default 0;
//! - `WORK_LEASE_MS` (work): the lease, default 30000;
//! - `WORK_CONCURRENCY` (work): deliveries handled at once, default 4.
//!
//! The worker prints exactly one line `handled <webhook-id> <event type>`
//! on standard output per delivery whose handler completed and whose
//! completion was recorded; everything else goes to standard error. Both
//! stop on Ctrl-C or SIGTERM (the worker finishes or releases what it
//! holds). A delivery whose body is not a readable event is given up on at
//! once: `dead` prints `dead <webhook-id> <event type> <attempts>
//! <reason>` per dead letter, oldest first, and `replay` queues one again.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use openai_webhooks::inbox::{Enqueuer, Inbox, Outcome, RedisInbox, Settled, SqliteInbox, Worker};
use openai_webhooks::Webhooks;

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(
        args.first().map(String::as_str),
        args.get(1).map(String::as_str),
    )
    .await
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
    }
}

/// Runs `serve` or `work` until Ctrl-C or SIGTERM, or `dead` or
/// `replay <webhook-id>`.
pub async fn run(command: Option<&str>, arg: Option<&str>) -> Result<(), String> {
    match (command, arg) {
        (Some("serve"), None) => serve().await,
        (Some("work"), None) => work().await,
        (Some("dead"), None) => {
            let letters = open_inbox()?
                .dead_letters(1000)
                .await
                .map_err(|e| e.to_string())?;
            for letter in letters {
                println!(
                    "dead {} {} {} {}",
                    letter.id, letter.event_type, letter.attempts, letter.reason
                );
            }
            Ok(())
        }
        (Some("replay"), Some(id)) => match open_inbox()?.replay(id).await {
            Ok(true) => Ok(()),
            Ok(false) => Err(format!("{id} is not a dead letter")),
            Err(error) => Err(error.to_string()),
        },
        _ => Err(
            "usage: inbox serve | work | dead | replay <webhook-id> (configured by environment)"
                .to_string(),
        ),
    }
}

/// The inbox `INBOX_URL` names.
fn open_inbox() -> Result<Arc<dyn Inbox>, String> {
    let url = std::env::var("INBOX_URL")
        .unwrap_or_else(|_| "sqlite://webhooks-inbox.sqlite3".to_string());
    let inbox: Arc<dyn Inbox> = if let Some(path) = url.strip_prefix("sqlite://") {
        Arc::new(SqliteInbox::open(path).map_err(|e| format!("INBOX_URL: {e}"))?)
    } else if url.starts_with("redis://") || url.starts_with("rediss://") {
        Arc::new(RedisInbox::open(&url).map_err(|e| format!("INBOX_URL: {e}"))?)
    } else {
        return Err(format!(
            "INBOX_URL must start with sqlite:// or redis://, not {url:?}"
        ));
    };
    Ok(inbox)
}

/// A number from the environment, if set.
fn optional_number(name: &str) -> Result<Option<u64>, String> {
    match std::env::var(name) {
        Ok(value) => value
            .parse()
            .map(Some)
            .map_err(|_| format!("{name} must be a whole number, not {value:?}")),
        Err(_) => Ok(None),
    }
}

/// A number from the environment, or `default` when unset.
fn number(name: &str, default: u64) -> Result<u64, String> {
    Ok(optional_number(name)?.unwrap_or(default))
}

async fn serve() -> Result<(), String> {
    let secrets = std::env::var("OPENAI_WEBHOOK_SECRET")
        .map_err(|_| "set OPENAI_WEBHOOK_SECRET to the endpoint's signing secret (whsec_...)")?;
    let webhooks = Webhooks::from_secrets(secrets.split_ascii_whitespace())
        .map_err(|e| format!("OPENAI_WEBHOOK_SECRET: {e}"))?;
    let mut enqueuer = Enqueuer::from_arc(open_inbox()?);
    if let Some(max) = optional_number("INBOX_MAX_QUEUED")? {
        enqueuer = enqueuer.max_queued(max);
    }
    let addr = std::env::var("LISTEN_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|e| format!("LISTEN_ADDR {addr}: {e}"))?;
    eprintln!("listening on http://{addr}/webhooks");
    axum::serve(listener, enqueuer.router("/webhooks", webhooks))
        .with_graceful_shutdown(stop_signal())
        .await
        .map_err(|e| format!("server: {e}"))
}

async fn work() -> Result<(), String> {
    let delay = Duration::from_millis(number("WORK_DELAY_MS", 0)?);
    let worker = Worker::from_arc(open_inbox()?)
        .lease(Duration::from_millis(number("WORK_LEASE_MS", 30_000)?))
        .concurrency(number("WORK_CONCURRENCY", 4)? as usize)
        .on_settled(|report| match &report.settled {
            Settled::Done => println!("handled {} {}", report.id, report.event_type),
            other => eprintln!("{} {}: {other:?}", report.id, report.event_type),
        });
    eprintln!("working");
    worker
        .run_events(
            move |_event, _delivery| async move {
                // The application's work: here, waiting as long as
                // WORK_DELAY_MS says. (A body that does not parse never
                // gets here: it is dead-lettered.)
                tokio::time::sleep(delay).await;
                Outcome::Done
            },
            stop_signal(),
        )
        .await;
    Ok(())
}

/// Ctrl-C, or SIGTERM on Unix.
async fn stop_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
