//! Keeping a lease while work runs: the shared heartbeat of `dedup` and
//! `inbox`.

use std::future::Future;
use std::task::Poll;
use std::time::Duration;

/// How often a lease of `lease` is renewed: every third of it, so that two
/// renewals can fail (a store that stalls) before it lapses.
pub(crate) fn interval(lease: Duration) -> Duration {
    (lease / 3).max(Duration::from_millis(10))
}

/// Runs `work` to completion; within a Tokio runtime, runs `beat` every
/// `every` meanwhile (outside one there is no timer, and `work` runs
/// alone). `beat`'s result is ignored: a failed renewal is tried again at
/// the next beat, and the caller learns whether it still holds the lease
/// when it settles.
pub(crate) async fn beating<F, B>(
    work: F,
    every: Duration,
    mut beat: impl FnMut() -> B,
) -> F::Output
where
    F: Future,
    B: Future,
{
    if tokio::runtime::Handle::try_current().is_err() {
        return work.await;
    }
    let heartbeat = async {
        loop {
            tokio::time::sleep(every).await;
            beat().await;
        }
    };
    let mut work = std::pin::pin!(work);
    let mut heartbeat = std::pin::pin!(heartbeat);
    std::future::poll_fn(|cx| {
        if let Poll::Ready(output) = work.as_mut().poll(cx) {
            return Poll::Ready(output);
        }
        let _ = heartbeat.as_mut().poll(cx);
        Poll::Pending
    })
    .await
}
