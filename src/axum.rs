//! axum integration (feature `axum`): an extractor that reads, verifies and
//! parses a delivery, and responses for each outcome of deduplication.
//!
//! ```no_run
//! use axum::{extract::State, routing::post, Router};
//! use openai_webhooks::axum::VerifiedWebhook;
//! use openai_webhooks::dedup::{Deduplicator, MemoryStore};
//! use openai_webhooks::{WebhookEvent, Webhooks};
//!
//! #[derive(Clone, axum::extract::FromRef)]
//! struct AppState {
//!     webhooks: Webhooks,
//!     dedup: Deduplicator,
//! }
//!
//! async fn receive(
//!     State(dedup): State<Deduplicator>,
//!     webhook: VerifiedWebhook, // VerifiedWebhook<SomeOneEvent> for one kind
//! ) -> impl axum::response::IntoResponse {
//!     dedup
//!         .process(&webhook.id, async {
//!             if let WebhookEvent::BatchCompleted(e) = &webhook.event {
//!                 println!("batch {} completed", e.data.id);
//!             }
//!             Ok::<_, std::convert::Infallible>("ok")
//!         })
//!         .await
//! }
//!
//! # fn app() -> Result<Router, openai_webhooks::WebhookError> {
//! let state = AppState {
//!     webhooks: Webhooks::new("whsec_RdvaYFYUXuIFuEbvZHwMfYFhUf7aMYjYcmM24+Aj40c=")?,
//!     dedup: Deduplicator::new(MemoryStore::default()),
//! };
//! Ok(Router::new().route("/webhooks", post(receive)).with_state(state))
//! # }
//! ```
//!
//! [`RawWebhook`] gives the verified bytes instead, with the event type and
//! `webhook-id`, for a service that stores deliveries before it parses them
//! (or forwards them). To log why a delivery was refused, take
//! `Result<VerifiedWebhook, WebhookRejection>` and answer with the
//! rejection:
//!
//! ```no_run
//! use axum::response::{IntoResponse, Response};
//! use openai_webhooks::axum::{VerifiedWebhook, WebhookRejection};
//!
//! async fn receive(webhook: Result<VerifiedWebhook, WebhookRejection>) -> Response {
//!     let webhook = match webhook {
//!         Ok(webhook) => webhook,
//!         Err(rejection) => {
//!             // The status and reason never contain the secret or the body;
//!             // `webhook_error()` says which check failed.
//!             eprintln!(
//!                 "webhook refused: {} ({:?})",
//!                 rejection.status(),
//!                 rejection.webhook_error()
//!             );
//!             return rejection.into_response();
//!         }
//!     };
//!     println!("{} {}", webhook.id, webhook.event.event_type());
//!     "ok".into_response()
//! }
//! ```

use std::fmt;

use ::axum::body::{Body, Bytes};
use ::axum::extract::{FromRef, FromRequest, Request};
use ::axum::http::header::{HeaderValue, CONTENT_LENGTH, RETRY_AFTER};
use ::axum::http::StatusCode;
use ::axum::response::{IntoResponse, Response};
use http_body::Body as _;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde::de::DeserializeOwned;

use crate::dedup::Processed;
use crate::{WebhookError, WebhookEvent, Webhooks};

/// A delivery whose signature and timestamp checked out, parsed into `E`:
/// [`WebhookEvent`] (any event, unknown types included) by default, or one
/// event type for an endpoint that takes a single kind (then a delivery of
/// another type is rejected with 400).
///
/// The [`Webhooks`] that verifies it comes from the router state
/// (`Webhooks: FromRef<S>`), and so does the body limit
/// ([`Webhooks::with_body_limit`]). Rejections are [`WebhookRejection`]s.
#[derive(Debug, Clone)]
pub struct VerifiedWebhook<E = WebhookEvent> {
    /// The `webhook-id` header: the same on every retry of this delivery,
    /// so it is the key for [`Deduplicator::process`](crate::dedup::Deduplicator::process).
    pub id: String,
    /// The `webhook-timestamp` header (Unix seconds) of this attempt.
    pub timestamp: i64,
    /// The parsed body.
    pub event: E,
}

/// A delivery whose signature and timestamp checked out, as the bytes that
/// were signed: to store or forward before (or instead of) parsing. The
/// event type is read from the body's `type` property without reading the
/// rest into types; a body that is not a JSON object with a string `type`
/// is refused with 400, as [`VerifiedWebhook`] refuses it.
///
/// ```no_run
/// use openai_webhooks::axum::RawWebhook;
///
/// async fn receive(webhook: RawWebhook) -> &'static str {
///     println!("{} {}: {} bytes", webhook.id, webhook.event_type, webhook.body.len());
///     // Later: `openai_webhooks::WebhookEvent::from_slice(&webhook.body)`.
///     "stored"
/// }
/// ```
#[derive(Debug, Clone)]
pub struct RawWebhook {
    /// The `webhook-id` header, the same on every retry of this delivery.
    pub id: String,
    /// The `webhook-timestamp` header (Unix seconds) of this attempt.
    pub timestamp: i64,
    /// The body's `type`: the event type (`batch.completed`).
    pub event_type: String,
    /// The body, exactly as received and verified.
    pub body: Bytes,
}

/// Only the `type` of an event body.
#[derive(serde::Deserialize)]
struct EventType {
    #[serde(rename = "type")]
    event_type: String,
}

/// Why [`VerifiedWebhook`] or [`RawWebhook`] refused a request: a status and a short reason
/// that never contains the secret, the body or a signature.
///
/// | status | when |
/// |---|---|
/// | 413 | the body is larger than the limit (refused before any HMAC: by `content-length` when sent, else while reading) |
/// | 401 | no `webhook-signature` header, no signature that matches, or a timestamp outside the tolerance |
/// | 400 | no `webhook-id` or `webhook-timestamp` header, a timestamp that is not a number, a body that could not be read, or a body that is not a valid event of the expected type |
#[derive(Debug)]
pub struct WebhookRejection {
    status: StatusCode,
    kind: RejectionKind,
}

#[derive(Debug)]
enum RejectionKind {
    TooLarge(usize),
    Unreadable,
    Webhook(WebhookError),
}

impl WebhookRejection {
    /// The status the response carries.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The verification or parse error, when that was the reason (for
    /// logs: its `source()` may quote the body).
    pub fn webhook_error(&self) -> Option<&WebhookError> {
        match &self.kind {
            RejectionKind::Webhook(error) => Some(error),
            _ => None,
        }
    }

    fn too_large(limit: usize) -> WebhookRejection {
        WebhookRejection {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            kind: RejectionKind::TooLarge(limit),
        }
    }
}

impl From<WebhookError> for WebhookRejection {
    fn from(error: WebhookError) -> WebhookRejection {
        let status = match error {
            WebhookError::MissingSignature
            | WebhookError::SignatureMismatch
            | WebhookError::TimestampTooOld
            | WebhookError::TimestampTooNew => StatusCode::UNAUTHORIZED,
            WebhookError::MissingTimestamp
            | WebhookError::MissingId
            | WebhookError::InvalidTimestamp
            | WebhookError::InvalidPayload(_) => StatusCode::BAD_REQUEST,
            // Secrets are checked when `Webhooks` is built; these cannot
            // come from a request.
            WebhookError::EmptySecret | WebhookError::InvalidSecret => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        WebhookRejection {
            status,
            kind: RejectionKind::Webhook(error),
        }
    }
}

impl fmt::Display for WebhookRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            RejectionKind::TooLarge(limit) => {
                write!(f, "The webhook body is larger than {limit} bytes.")
            }
            RejectionKind::Unreadable => f.write_str("The webhook body could not be read."),
            RejectionKind::Webhook(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for WebhookRejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            RejectionKind::Webhook(error) => Some(error),
            _ => None,
        }
    }
}

impl IntoResponse for WebhookRejection {
    fn into_response(self) -> Response {
        (self.status, self.to_string()).into_response()
    }
}

impl<S, E> FromRequest<S> for VerifiedWebhook<E>
where
    Webhooks: FromRef<S>,
    S: Send + Sync,
    E: DeserializeOwned,
{
    type Rejection = WebhookRejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let webhooks = Webhooks::from_ref(state);
        let verified = async {
            let (parts, body) = read_body(request, &webhooks).await?;
            let (checked, event) =
                webhooks.check_and_parse(&body, &parts.headers, std::time::SystemTime::now())?;
            Ok(VerifiedWebhook {
                id: checked.id.to_string(),
                timestamp: checked.timestamp,
                event,
            })
        };
        verified.await.inspect_err(observe_rejection)
    }
}

impl<S> FromRequest<S> for RawWebhook
where
    Webhooks: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = WebhookRejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let webhooks = Webhooks::from_ref(state);
        let verified = async {
            let (parts, body) = read_body(request, &webhooks).await?;
            let (checked, EventType { event_type }) =
                webhooks.check_and_parse(&body, &parts.headers, std::time::SystemTime::now())?;
            Ok(RawWebhook {
                id: checked.id.to_string(),
                timestamp: checked.timestamp,
                event_type,
                body,
            })
        };
        verified.await.inspect_err(observe_rejection)
    }
}

/// Reports a refused delivery: its reason only (never the secret, the body
/// or a signature).
fn observe_rejection(rejection: &WebhookRejection) {
    let reason = match &rejection.kind {
        RejectionKind::TooLarge(_) => "too_large",
        RejectionKind::Unreadable => "unreadable",
        RejectionKind::Webhook(error) => match error {
            WebhookError::MissingSignature | WebhookError::SignatureMismatch => "signature",
            WebhookError::TimestampTooOld | WebhookError::TimestampTooNew => "timestamp",
            WebhookError::InvalidPayload(_) => "payload",
            _ => "headers",
        },
    };
    crate::observe::count(crate::observe::REJECTED, "reason", reason);
    crate::observe::event!(
        warn,
        status = rejection.status.as_u16(),
        reason,
        "webhook refused: {rejection}"
    );
}

/// The request's head and whole body, or 413 when the body is over
/// `webhooks`' limit (by `content-length` when sent, else while reading).
async fn read_body(
    request: Request,
    webhooks: &Webhooks,
) -> Result<(::axum::http::request::Parts, Bytes), WebhookRejection> {
    let limit = webhooks.body_limit();
    let (parts, body) = request.into_parts();
    let declared = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(WebhookRejection::too_large(limit));
    }
    let body = read_limited(body, limit).await?;
    Ok((parts, body))
}

/// The whole body, or 413 as soon as it passes `limit` bytes.
async fn read_limited(body: Body, limit: usize) -> Result<Bytes, WebhookRejection> {
    let unreadable = |error: ::axum::BoxError| {
        if error.downcast_ref::<LengthLimitError>().is_some() {
            WebhookRejection::too_large(limit)
        } else {
            WebhookRejection {
                status: StatusCode::BAD_REQUEST,
                kind: RejectionKind::Unreadable,
            }
        }
    };
    let mut body = Limited::new(body, limit);
    // Most bodies arrive as one data frame: return it as it is, without
    // collecting it into a list of buffers.
    let first = match body.frame().await {
        None => return Ok(Bytes::new()),
        Some(frame) => frame.map_err(unreadable)?,
    };
    let first = first.into_data().unwrap_or_default();
    if body.is_end_stream() {
        return Ok(first);
    }
    let rest = body.collect().await.map_err(unreadable)?.to_bytes();
    let mut whole = Vec::with_capacity(first.len() + rest.len());
    whole.extend_from_slice(&first);
    whole.extend_from_slice(&rest);
    Ok(whole.into())
}

/// The response for each outcome: the handler's own response when it ran
/// (`T` on success, `E` on failure: make it non-2xx, or the sender will not
/// retry the released delivery); `200 Already handled.` for a duplicate of a
/// done delivery; `409` with `Retry-After` while another attempt holds it;
/// `503` with `Retry-After` when the store cannot be reached.
impl<T: IntoResponse, E: IntoResponse> IntoResponse for Processed<T, E> {
    fn into_response(self) -> Response {
        let retry_later = |status: StatusCode, reason: &'static str| {
            let mut response = (status, reason).into_response();
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from_static("5"));
            response
        };
        match self {
            Processed::Handled { output, .. } => output.into_response(),
            Processed::Failed { error, .. } => error.into_response(),
            Processed::Duplicate => (StatusCode::OK, "Already handled.").into_response(),
            Processed::InProgress => retry_later(
                StatusCode::CONFLICT,
                "This delivery is being handled by another attempt.",
            ),
            Processed::Unavailable(_) => retry_later(
                StatusCode::SERVICE_UNAVAILABLE,
                "Deliveries cannot be deduplicated right now.",
            ),
        }
    }
}
