//! Signed deliveries for tests: the headers OpenAI would send, or a whole
//! request, in one call. Sign with the same secret the code under test
//! verifies with.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use http::header::{HeaderValue, CONTENT_TYPE};
use http::{HeaderMap, Method, Request};

use crate::Webhooks;

impl Webhooks {
    /// The three headers of a delivery signed with this verifier's secrets:
    /// `webhook-id`, `webhook-timestamp` (Unix seconds) and
    /// `webhook-signature`.
    ///
    /// ```
    /// use openai_webhooks::Webhooks;
    /// let webhooks = Webhooks::new("whsec_RdvaYFYUXuIFuEbvZHwMfYFhUf7aMYjYcmM24+Aj40c=")?;
    /// let body = br#"{"id":"evt_1","type":"batch.completed","created_at":1,"data":{"id":"batch_1"}}"#;
    /// let now = std::time::SystemTime::now()
    ///     .duration_since(std::time::UNIX_EPOCH)
    ///     .unwrap()
    ///     .as_secs() as i64;
    /// let headers = webhooks.signed_headers("wh_1", now, body);
    /// assert!(webhooks.verify(body, &headers).is_ok());
    /// # Ok::<(), openai_webhooks::WebhookError>(())
    /// ```
    pub fn signed_headers(&self, id: &str, timestamp: i64, body: &[u8]) -> HeaderMap {
        let mut headers = HeaderMap::with_capacity(3);
        let value = |text: &str| {
            HeaderValue::from_str(text)
                .unwrap_or_else(|_| panic!("a webhook-id must be visible ASCII, got {text:?}"))
        };
        headers.insert("webhook-id", value(id));
        headers.insert("webhook-timestamp", HeaderValue::from(timestamp));
        headers.insert("webhook-signature", value(&self.sign(id, timestamp, body)));
        headers
    }

    /// A complete `POST` of `body` to `uri`, signed now, with a fresh
    /// `webhook-id` (`wh_test_<n>`, unique in this process) and
    /// `content-type: application/json`. The body is any type that converts
    /// from `Vec<u8>`: `Vec<u8>` itself, axum's `Body`, `bytes::Bytes`.
    ///
    /// ```
    /// use openai_webhooks::Webhooks;
    /// let webhooks = Webhooks::new("whsec_RdvaYFYUXuIFuEbvZHwMfYFhUf7aMYjYcmM24+Aj40c=")?;
    /// let body = br#"{"id":"evt_1","type":"batch.completed","created_at":1,"data":{"id":"batch_1"}}"#;
    /// let request: http::Request<Vec<u8>> = webhooks.signed_request("/webhooks", body);
    /// assert!(webhooks.verify(request.body(), request.headers()).is_ok());
    /// # Ok::<(), openai_webhooks::WebhookError>(())
    /// ```
    ///
    /// # Panics
    ///
    /// When `uri` is not a valid URI (a test's own mistake).
    pub fn signed_request<B: From<Vec<u8>>>(&self, uri: &str, body: &[u8]) -> Request<B> {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let id = format!("wh_test_{}", NEXT.fetch_add(1, Ordering::Relaxed));
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        let mut request = Request::builder()
            .method(Method::POST)
            .uri(uri)
            .body(B::from(body.to_vec()))
            .unwrap_or_else(|error| panic!("signed_request: {error}"));
        let headers = request.headers_mut();
        headers.extend(self.signed_headers(&id, now, body));
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        request
    }
}
