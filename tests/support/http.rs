//! Loopback HTTP for receiver tests: serve a router, send signed deliveries.

#![allow(dead_code)] // each test uses a part

use std::time::{SystemTime, UNIX_EPOCH};

use openai_webhooks::Webhooks;

/// The OpenAI SDK's test secret.
pub const SECRET: &str = "whsec_RdvaYFYUXuIFuEbvZHwMfYFhUf7aMYjYcmM24+Aj40c=";
/// Its key, base64 (must never appear in a response either).
pub const SECRET_KEY: &str = "RdvaYFYUXuIFuEbvZHwMfYFhUf7aMYjYcmM24+Aj40c=";

/// Unix seconds now.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A `batch.completed` body for batch `batch`.
pub fn batch_completed(batch: &str) -> String {
    format!(
        r#"{{"id":"evt_{batch}","object":"event","created_at":1750861210,"type":"batch.completed","data":{{"id":"{batch}"}}}}"#
    )
}

/// Serves `router` on a free loopback port; answers the `/webhooks` URL.
pub async fn serve(router: axum::Router) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhooks", listener.local_addr().unwrap());
    let server = tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (url, server)
}

/// POSTs `body` with `headers`; answers the status and the response text.
pub async fn post(
    client: &reqwest::Client,
    url: &str,
    headers: &http::HeaderMap,
    body: &str,
) -> (u16, String) {
    let response = client
        .post(url)
        .headers(headers.clone())
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

/// POSTs `body` signed by `signer` as attempt `timestamp` of delivery `id`.
pub async fn deliver(
    client: &reqwest::Client,
    url: &str,
    signer: &Webhooks,
    id: &str,
    timestamp: i64,
    body: &str,
) -> (u16, String) {
    let headers = signer.signed_headers(id, timestamp, body.as_bytes());
    post(client, url, &headers, body).await
}

/// One request through a router, without a server; answers the status.
pub async fn call(router: &axum::Router, request: axum::http::Request<axum::body::Body>) -> u16 {
    use tower::ServiceExt;
    router
        .clone()
        .oneshot(request)
        .await
        .unwrap()
        .status()
        .as_u16()
}
