//! The receiving side of the inbox on axum (features `axum` + an inbox):
//! verify, store, and only then answer 2xx.

#![cfg_attr(not(feature = "tracing"), allow(unused_variables))]

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ::axum::extract::{FromRef, State};
use ::axum::http::header::{HeaderValue, RETRY_AFTER};
use ::axum::http::StatusCode;
use ::axum::response::{IntoResponse, Response};
use ::axum::routing::post;
use ::axum::Router;

use super::{Enqueued, Inbox, StoreError};
use crate::axum::RawWebhook;
use crate::observe::{self, event};
use crate::Webhooks;

/// Stores verified deliveries in an [`Inbox`] and answers the sender.
/// Cheap to clone.
///
/// | answer | when |
/// |---|---|
/// | 200 `Stored.` | the delivery is in the inbox, as durable as the store makes it |
/// | 200 `Already received.` | its `webhook-id` is already in the inbox: not stored again |
/// | 429 with `Retry-After` | the queue holds [`Enqueuer::max_queued`] deliveries |
/// | 503 with `Retry-After` | the store could not be reached or did not answer in time: nothing was acknowledged |
/// | 400, 401, 413 | the request was refused before the store was asked ([`WebhookRejection`](crate::axum::WebhookRejection)) |
///
/// ```no_run
/// use openai_webhooks::inbox::{Enqueuer, SqliteInbox};
/// use openai_webhooks::Webhooks;
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let webhooks = Webhooks::from_secrets(std::env::var("OPENAI_WEBHOOK_SECRET")?.split_whitespace())?;
/// let app = Enqueuer::new(SqliteInbox::open("webhooks.sqlite3")?)
///     .max_queued(100_000)
///     .router("/webhooks", webhooks);
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
/// axum::serve(listener, app).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Enqueuer {
    inbox: Arc<dyn Inbox>,
    max_queued: Option<u64>,
    retry_after: Duration,
}

impl fmt::Debug for Enqueuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Enqueuer")
            .field("max_queued", &self.max_queued)
            .field("retry_after", &self.retry_after)
            .finish_non_exhaustive()
    }
}

/// The state of [`Enqueuer::router`].
#[derive(Clone)]
struct ReceiverState {
    webhooks: Webhooks,
    enqueuer: Enqueuer,
}

impl FromRef<ReceiverState> for Webhooks {
    fn from_ref(state: &ReceiverState) -> Webhooks {
        state.webhooks.clone()
    }
}

impl FromRef<ReceiverState> for Enqueuer {
    fn from_ref(state: &ReceiverState) -> Enqueuer {
        state.enqueuer.clone()
    }
}

impl Enqueuer {
    /// Stores into `inbox`, with no queue limit and `Retry-After: 5`.
    pub fn new(inbox: impl Inbox) -> Enqueuer {
        Enqueuer::from_arc(Arc::new(inbox))
    }

    /// Stores into a shared inbox (the same one a worker in this process
    /// claims from).
    pub fn from_arc(inbox: Arc<dyn Inbox>) -> Enqueuer {
        Enqueuer {
            inbox,
            max_queued: None,
            retry_after: Duration::from_secs(5),
        }
    }

    /// Answers 429 instead of storing once this many deliveries are queued
    /// or being handled (duplicates are still acknowledged).
    pub fn max_queued(mut self, max: u64) -> Enqueuer {
        self.max_queued = Some(max);
        self
    }

    /// The `Retry-After` of 429 and 503 answers (whole seconds, at least 1).
    pub fn retry_after(mut self, after: Duration) -> Enqueuer {
        self.retry_after = after;
        self
    }

    /// Stores `webhook` and says how to answer.
    pub async fn enqueue(&self, webhook: &RawWebhook) -> EnqueueResponse {
        let started = Instant::now();
        let result = self
            .inbox
            .enqueue(
                &webhook.id,
                &webhook.event_type,
                &webhook.body,
                self.max_queued,
            )
            .await;
        observe::time(observe::ENQUEUE_SECONDS, started.elapsed());
        let (id, event_type) = (&webhook.id, &webhook.event_type);
        let label = match &result {
            Ok(Enqueued::Stored) => {
                event!(info, webhook_id = %id, %event_type, "stored");
                "stored"
            }
            Ok(Enqueued::Duplicate) => {
                event!(info, webhook_id = %id, %event_type, "duplicate acknowledged");
                "duplicate"
            }
            Ok(Enqueued::Full) => {
                event!(warn, webhook_id = %id, "queue full: 429");
                "full"
            }
            Err(error) => {
                event!(error, webhook_id = %id, %error, "inbox unavailable: 503");
                "unavailable"
            }
        };
        observe::count(observe::ENQUEUED, "outcome", label);
        EnqueueResponse {
            result,
            retry_after: self.retry_after,
        }
    }

    /// A router that answers `POST path` with [`receive`], verifying with
    /// `webhooks`.
    pub fn router(self, path: &str, webhooks: Webhooks) -> Router {
        Router::new()
            .route(path, post(receive))
            .with_state(ReceiverState {
                webhooks,
                enqueuer: self,
            })
    }
}

/// The axum handler: verifies the delivery ([`RawWebhook`]), stores it,
/// and answers as [`Enqueuer`] describes. For routers of your own whose
/// state gives [`Webhooks`] and [`Enqueuer`] (`FromRef`).
pub async fn receive(State(enqueuer): State<Enqueuer>, webhook: RawWebhook) -> EnqueueResponse {
    enqueuer.enqueue(&webhook).await
}

/// What [`Enqueuer::enqueue`] did, as an HTTP answer.
#[derive(Debug)]
#[must_use]
pub struct EnqueueResponse {
    /// The store's answer.
    pub result: Result<Enqueued, StoreError>,
    retry_after: Duration,
}

impl EnqueueResponse {
    /// The status this answer carries.
    pub fn status(&self) -> StatusCode {
        match self.result {
            Ok(Enqueued::Stored | Enqueued::Duplicate) => StatusCode::OK,
            Ok(Enqueued::Full) => StatusCode::TOO_MANY_REQUESTS,
            Err(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

impl IntoResponse for EnqueueResponse {
    fn into_response(self) -> Response {
        let reason = match self.result {
            Ok(Enqueued::Stored) => "Stored.",
            Ok(Enqueued::Duplicate) => "Already received.",
            Ok(Enqueued::Full) => "Too many deliveries are waiting; try again later.",
            Err(_) => "Deliveries cannot be stored right now; try again later.",
        };
        let status = self.status();
        let mut response = (status, reason).into_response();
        if status != StatusCode::OK {
            let seconds = self.retry_after.as_secs().max(1);
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
