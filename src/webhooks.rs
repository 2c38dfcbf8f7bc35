//! Signature verification for OpenAI webhooks (the Standard Webhooks scheme,
//! with the OpenAI SDKs' choices where it leaves room).
//!
//! The signed content is `{webhook-id}.{webhook-timestamp}.{body}`, with the
//! timestamp exactly as sent and the body as received. The signature is
//! base64 of HMAC-SHA256 over it, keyed with the secret.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use serde::de::DeserializeOwned;
use sha2::Sha256;

use crate::{ParseError, WebhookEvent};

/// How far a delivery's timestamp may be from now, either way, by default.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

/// At most this many entries of a `webhook-signature` header are checked;
/// the rest are ignored. Key rotation needs two or three.
pub const MAX_SIGNATURES: usize = 16;

/// The largest body framework integrations read, by default: 1 MiB
/// (OpenAI's event bodies are a few kilobytes).
pub const DEFAULT_BODY_LIMIT: usize = 1 << 20;

/// Why a webhook was not accepted. The variants follow the order in which
/// the checks run (the OpenAI Python SDK's order), so the first problem found
/// is the one reported. Messages never contain the secret, the body or a
/// signature.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WebhookError {
    /// A secret given to [`Webhooks::new`] is empty, or no secret was given
    /// to [`Webhooks::from_secrets`].
    EmptySecret,
    /// A secret starts with `whsec_` but the rest is not valid base64.
    InvalidSecret,
    /// The request has no `webhook-signature` header.
    MissingSignature,
    /// The request has no `webhook-timestamp` header.
    MissingTimestamp,
    /// The request has no `webhook-id` header.
    MissingId,
    /// The `webhook-timestamp` header is not a number of seconds.
    InvalidTimestamp,
    /// The timestamp is further in the past than the tolerance allows.
    TimestampTooOld,
    /// The timestamp is further in the future than the tolerance allows.
    TimestampTooNew,
    /// No signature in the header matches the body.
    SignatureMismatch,
    /// The signature is valid but the body is not a webhook event.
    InvalidPayload(ParseError),
}

impl fmt::Display for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WebhookError::EmptySecret => f.write_str("The webhook secret is empty."),
            WebhookError::InvalidSecret => {
                f.write_str("The webhook secret starts with `whsec_` but is not valid base64.")
            }
            WebhookError::MissingSignature => {
                f.write_str("Could not find the webhook-signature header.")
            }
            WebhookError::MissingTimestamp => {
                f.write_str("Could not find the webhook-timestamp header.")
            }
            WebhookError::MissingId => f.write_str("Could not find the webhook-id header."),
            WebhookError::InvalidTimestamp => f.write_str("Invalid webhook timestamp format."),
            WebhookError::TimestampTooOld => f.write_str("Webhook timestamp is too old."),
            WebhookError::TimestampTooNew => f.write_str("Webhook timestamp is too new."),
            WebhookError::SignatureMismatch => {
                f.write_str("The given webhook signature does not match the expected signature.")
            }
            WebhookError::InvalidPayload(error) => {
                // The detailed cause quotes the body; it is available through
                // `source()` for logs that may hold it.
                f.write_str("The webhook body is not a valid event")?;
                match (error.event_type(), error.path()) {
                    (Some(t), "") => write!(f, " (type `{t}`)."),
                    (Some(t), path) => write!(f, " (type `{t}`, field `{path}`)."),
                    (None, "") => f.write_str("."),
                    (None, path) => write!(f, " (field `{path}`)."),
                }
            }
        }
    }
}

impl std::error::Error for WebhookError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WebhookError::InvalidPayload(error) => Some(error),
            _ => None,
        }
    }
}

/// Request headers, looked up by case-insensitive name; pass them by
/// reference (`&headers`).
///
/// Implemented for [`http::HeaderMap`]; for slices, arrays and vectors of
/// `(name, value)` string pairs; and, through [`HeaderPairs`], for any
/// cloneable iterator of `(&str, &str)` pairs, for frameworks without the
/// `http` crate.
pub trait Headers<'a> {
    /// The first value of the header `name` (lowercase), if present and text.
    fn header(&self, name: &str) -> Option<&'a str>;
}

impl<'a> Headers<'a> for &'a http::HeaderMap {
    fn header(&self, name: &str) -> Option<&'a str> {
        self.get(name).and_then(|v| v.to_str().ok())
    }
}

impl<'a, K: AsRef<str>, V: AsRef<str>> Headers<'a> for &'a [(K, V)] {
    fn header(&self, name: &str) -> Option<&'a str> {
        self.iter()
            .find(|(k, _)| k.as_ref().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
    }
}

impl<'a, K: AsRef<str>, V: AsRef<str>, const N: usize> Headers<'a> for &'a [(K, V); N] {
    fn header(&self, name: &str) -> Option<&'a str> {
        self.as_slice().header(name)
    }
}

impl<'a, K: AsRef<str>, V: AsRef<str>> Headers<'a> for &'a Vec<(K, V)> {
    fn header(&self, name: &str) -> Option<&'a str> {
        self.as_slice().header(name)
    }
}

/// Headers from any iterator of `(name, value)` string pairs that can be
/// walked again (`Clone`), for frameworks with header types of their own:
/// `&HeaderPairs(map.iter().map(|(k, v)| (k.as_str(), v.as_str())))`.
#[derive(Debug, Clone)]
pub struct HeaderPairs<I>(pub I);

impl<'a, I> Headers<'a> for &HeaderPairs<I>
where
    I: Iterator<Item = (&'a str, &'a str)> + Clone,
{
    fn header(&self, name: &str) -> Option<&'a str> {
        self.0
            .clone()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }
}

/// Verifies and parses signed webhook deliveries.
///
/// ```
/// use openai_webhooks::Webhooks;
/// use std::time::{Duration, UNIX_EPOCH};
///
/// let webhooks = Webhooks::new("whsec_RdvaYFYUXuIFuEbvZHwMfYFhUf7aMYjYcmM24+Aj40c=")?;
/// let body = br#"{"id":"evt_1","type":"batch.completed","created_at":1750861210,"data":{"id":"batch_1"}}"#;
/// let signature = webhooks.sign("wh_1", 1750861210, body);
/// let headers = [
///     ("webhook-id", "wh_1"),
///     ("webhook-timestamp", "1750861210"),
///     ("webhook-signature", signature.as_str()),
/// ];
/// let now = UNIX_EPOCH + Duration::from_secs(1750861260);
/// let event = webhooks.unwrap_at(body, &headers, now)?;
/// assert_eq!(event.event_type(), "batch.completed");
/// # Ok::<(), openai_webhooks::WebhookError>(())
/// ```
///
/// Cloning is cheap (the keys are shared), so a `Webhooks` can sit in a
/// server's state and be cloned per request.
#[derive(Clone)]
pub struct Webhooks {
    /// One HMAC per secret, already keyed: each check clones it instead of
    /// re-keying. Never empty.
    macs: Arc<[Hmac<Sha256>]>,
    tolerance: Duration,
    body_limit: usize,
}

impl fmt::Debug for Webhooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Webhooks")
            .field("keys", &format_args!("<{} redacted>", self.macs.len()))
            .field("tolerance", &self.tolerance)
            .field("body_limit", &self.body_limit)
            .finish()
    }
}

/// What a successful check learned about a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Checked<'a> {
    /// The `webhook-id` header: the same on every retry of a delivery.
    pub(crate) id: &'a str,
    /// The `webhook-timestamp` header, in Unix seconds.
    pub(crate) timestamp: i64,
}

impl Webhooks {
    /// A verifier for `secret`: `whsec_` followed by base64 of the key (as
    /// OpenAI shows it), or any other text, used as the key's raw bytes (as
    /// the OpenAI SDKs do).
    pub fn new(secret: impl AsRef<str>) -> Result<Webhooks, WebhookError> {
        Webhooks::from_secrets([secret])
    }

    /// A verifier that accepts a delivery signed with any of `secrets`, for
    /// key rotation: keep the old secret in the list until every sender uses
    /// the new one. Each secret is read as in [`Webhooks::new`]; an empty
    /// list is [`WebhookError::EmptySecret`].
    ///
    /// A delivery is checked against the secrets in the order given (put the
    /// newest first), so an accepted delivery costs one HMAC per secret up to
    /// the one that matches, and a rejected one costs one HMAC per secret:
    /// the work grows with the number of secrets, never with the size of the
    /// signature header (see [`Webhooks::verify_at`]).
    ///
    /// ```
    /// use openai_webhooks::Webhooks;
    /// let new = "whsec_RdvaYFYUXuIFuEbvZHwMfYFhUf7aMYjYcmM24+Aj40c=";
    /// let old = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    /// let webhooks = Webhooks::from_secrets([new, old])?;
    /// # Ok::<(), openai_webhooks::WebhookError>(())
    /// ```
    pub fn from_secrets<I>(secrets: I) -> Result<Webhooks, WebhookError>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let macs = secrets
            .into_iter()
            .map(|secret| keyed_mac(secret.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        if macs.is_empty() {
            return Err(WebhookError::EmptySecret);
        }
        Ok(Webhooks {
            macs: macs.into(),
            tolerance: DEFAULT_TOLERANCE,
            body_limit: DEFAULT_BODY_LIMIT,
        })
    }

    /// Accept timestamps up to `tolerance` away from now, either way
    /// (default [`DEFAULT_TOLERANCE`], five minutes).
    pub fn with_tolerance(mut self, tolerance: Duration) -> Webhooks {
        self.tolerance = tolerance;
        self
    }

    /// The largest body, in bytes, that framework integrations (the `axum`
    /// extractor) read: a larger one is refused before any signature work
    /// (default [`DEFAULT_BODY_LIMIT`], 1 MiB). [`Webhooks::verify`] itself
    /// checks whatever it is given.
    pub fn with_body_limit(mut self, bytes: usize) -> Webhooks {
        self.body_limit = bytes;
        self
    }

    /// The body limit set by [`Webhooks::with_body_limit`].
    pub fn body_limit(&self) -> usize {
        self.body_limit
    }

    /// How many secrets this verifier accepts.
    pub fn secret_count(&self) -> usize {
        self.macs.len()
    }

    /// The signature header value for a delivery: `v1,<base64>`, one entry
    /// per secret separated by spaces (as a sender signs during rotation).
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let timestamp = timestamp.to_string();
        let entries: Vec<String> = self
            .macs
            .iter()
            .map(|mac| format!("v1,{}", STANDARD.encode(tag(mac, id, &timestamp, body))))
            .collect();
        entries.join(" ")
    }

    /// Checks the signature and the timestamp against the current time.
    pub fn verify<'a>(&self, body: &[u8], headers: impl Headers<'a>) -> Result<(), WebhookError> {
        self.verify_at(body, headers, SystemTime::now())
    }

    /// Checks the signature and the timestamp as if the time were `now`.
    ///
    /// Cost: one pass over the signature header, keeping at most
    /// [`MAX_SIGNATURES`] entries of the right length; then, per secret, one
    /// HMAC of the signed content, one base64 encoding and at most
    /// `MAX_SIGNATURES` constant-time comparisons of 44 bytes. A header with
    /// no entry of the right length costs no HMAC at all.
    pub fn verify_at<'a>(
        &self,
        body: &[u8],
        headers: impl Headers<'a>,
        now: SystemTime,
    ) -> Result<(), WebhookError> {
        self.check(body, headers, now).map(|_| ())
    }

    /// The checks of [`Webhooks::verify_at`], returning the delivery's id
    /// and timestamp.
    pub(crate) fn check<'a>(
        &self,
        body: &[u8],
        headers: impl Headers<'a>,
        now: SystemTime,
    ) -> Result<Checked<'a>, WebhookError> {
        let signatures = headers
            .header("webhook-signature")
            .ok_or(WebhookError::MissingSignature)?;
        let timestamp = headers
            .header("webhook-timestamp")
            .ok_or(WebhookError::MissingTimestamp)?;
        let id = headers
            .header("webhook-id")
            .ok_or(WebhookError::MissingId)?;
        let sent = parse_timestamp(timestamp)?;
        let now = unix_seconds(now);
        let tolerance = i64::try_from(self.tolerance.as_secs()).unwrap_or(i64::MAX);
        if now.saturating_sub(sent) > tolerance {
            return Err(WebhookError::TimestampTooOld);
        }
        if sent > now.saturating_add(tolerance) {
            return Err(WebhookError::TimestampTooNew);
        }
        let checked = Checked {
            id,
            timestamp: sent,
        };
        // The header is read once, whatever the number of secrets.
        let mut candidates = [&[] as &[u8]; MAX_SIGNATURES];
        let mut count = 0;
        for entry in signatures.split_ascii_whitespace().take(MAX_SIGNATURES) {
            let encoded = match entry.split_once(',') {
                Some(("v1", encoded)) => encoded,
                Some(_) => continue,
                None => entry,
            };
            // Anything but 44 characters cannot match and is not compared.
            if encoded.len() == SIGNATURE_LEN {
                candidates[count] = encoded.as_bytes();
                count += 1;
            }
        }
        let candidates = &candidates[..count];
        if candidates.is_empty() {
            return Err(WebhookError::SignatureMismatch);
        }
        for mac in self.macs.iter() {
            // Compared as base64 text, as the OpenAI SDKs do: encoding the
            // expected tag once is cheaper than decoding every candidate.
            let mut expected = [0u8; SIGNATURE_LEN];
            let written = STANDARD
                .encode_slice(tag(mac, id, timestamp, body), &mut expected)
                .unwrap_or_default();
            debug_assert_eq!(written, SIGNATURE_LEN);
            if candidates
                .iter()
                .any(|candidate| constant_time_eq(&expected, candidate))
            {
                return Ok(checked);
            }
        }
        Err(WebhookError::SignatureMismatch)
    }

    /// Verifies the delivery, then parses the body into a [`WebhookEvent`].
    pub fn unwrap<'a>(
        &self,
        body: &[u8],
        headers: impl Headers<'a>,
    ) -> Result<WebhookEvent, WebhookError> {
        self.unwrap_at(body, headers, SystemTime::now())
    }

    /// [`Webhooks::unwrap`] as if the time were `now`.
    pub fn unwrap_at<'a>(
        &self,
        body: &[u8],
        headers: impl Headers<'a>,
        now: SystemTime,
    ) -> Result<WebhookEvent, WebhookError> {
        self.unwrap_as_at(body, headers, now)
    }

    /// Verifies the delivery, then parses the body into one event type, for
    /// an endpoint that takes a single kind of event: a delivery of any
    /// other type is [`WebhookError::InvalidPayload`].
    ///
    /// ```
    /// use openai_webhooks::{BatchCompletedWebhookEvent, Webhooks};
    /// use std::time::{Duration, UNIX_EPOCH};
    ///
    /// let webhooks = Webhooks::new("whsec_RdvaYFYUXuIFuEbvZHwMfYFhUf7aMYjYcmM24+Aj40c=")?;
    /// let body = br#"{"id":"evt_1","type":"batch.completed","created_at":1750861210,"data":{"id":"batch_1"}}"#;
    /// let headers = webhooks.signed_headers("wh_1", 1750861210, body);
    /// let now = UNIX_EPOCH + Duration::from_secs(1750861210);
    /// let event: BatchCompletedWebhookEvent = webhooks.unwrap_as_at(body, &headers, now)?;
    /// assert_eq!(event.data.id, "batch_1");
    /// # Ok::<(), openai_webhooks::WebhookError>(())
    /// ```
    pub fn unwrap_as<'a, E: DeserializeOwned>(
        &self,
        body: &[u8],
        headers: impl Headers<'a>,
    ) -> Result<E, WebhookError> {
        self.unwrap_as_at(body, headers, SystemTime::now())
    }

    /// [`Webhooks::unwrap_as`] as if the time were `now`.
    pub fn unwrap_as_at<'a, E: DeserializeOwned>(
        &self,
        body: &[u8],
        headers: impl Headers<'a>,
        now: SystemTime,
    ) -> Result<E, WebhookError> {
        self.check_and_parse(body, headers, now)
            .map(|(_, event)| event)
    }

    /// Verifies, then parses the body into `E`: what every unwrap and the
    /// framework integrations do.
    pub(crate) fn check_and_parse<'a, E: DeserializeOwned>(
        &self,
        body: &[u8],
        headers: impl Headers<'a>,
        now: SystemTime,
    ) -> Result<(Checked<'a>, E), WebhookError> {
        let checked = self.check(body, headers, now)?;
        let event = crate::parse::parse(body).map_err(WebhookError::InvalidPayload)?;
        Ok((checked, event))
    }
}

/// Reads one secret (see [`Webhooks::new`]) into a keyed HMAC.
fn keyed_mac(secret: &str) -> Result<Hmac<Sha256>, WebhookError> {
    if secret.is_empty() {
        return Err(WebhookError::EmptySecret);
    }
    let key = match secret.strip_prefix("whsec_") {
        Some(encoded) => STANDARD
            .decode(encoded)
            .map_err(|_| WebhookError::InvalidSecret)?,
        None => secret.as_bytes().to_vec(),
    };
    if key.is_empty() {
        return Err(WebhookError::EmptySecret);
    }
    Hmac::<Sha256>::new_from_slice(&key).map_err(|_| WebhookError::InvalidSecret)
}

/// HMAC-SHA256 of `{id}.{timestamp}.{body}`.
fn tag(mac: &Hmac<Sha256>, id: &str, timestamp: &str, body: &[u8]) -> [u8; 32] {
    let mut mac = mac.clone();
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().into()
}

/// Length of a base64-encoded HMAC-SHA256 tag (32 bytes, padded).
const SIGNATURE_LEN: usize = 44;

/// Constant-time equality of two signatures of [`SIGNATURE_LEN`] bytes.
fn constant_time_eq(expected: &[u8; SIGNATURE_LEN], candidate: &[u8]) -> bool {
    constant_time_eq::constant_time_eq(expected, candidate)
}

/// ASCII digits only: no sign, spaces, underscores or fractions.
fn parse_timestamp(text: &str) -> Result<i64, WebhookError> {
    if text.is_empty() {
        return Err(WebhookError::InvalidTimestamp);
    }
    text.bytes().try_fold(0i64, |n, b| {
        if !b.is_ascii_digit() {
            return Err(WebhookError::InvalidTimestamp);
        }
        n.checked_mul(10)
            .and_then(|n| n.checked_add(i64::from(b - b'0')))
            .ok_or(WebhookError::InvalidTimestamp)
    })
}

fn unix_seconds(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => -i64::try_from(before.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_plain_digits() {
        assert_eq!(parse_timestamp("1750000000"), Ok(1750000000));
        for bad in [
            "",
            "hello",
            "1.5",
            "+1",
            "-1",
            " 1",
            "1_000",
            "99999999999999999999",
        ] {
            assert_eq!(
                parse_timestamp(bad),
                Err(WebhookError::InvalidTimestamp),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn times_before_the_epoch_are_negative() {
        assert_eq!(unix_seconds(UNIX_EPOCH - Duration::from_secs(5)), -5);
        assert_eq!(unix_seconds(UNIX_EPOCH + Duration::from_secs(5)), 5);
    }
}
