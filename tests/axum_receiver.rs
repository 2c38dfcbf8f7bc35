//! Starts the axum example on 127.0.0.1 and talks to it over HTTP.

#[path = "../examples/axum_receiver.rs"]
mod receiver;

use std::time::{SystemTime, UNIX_EPOCH};

use openai_webhooks::Webhooks;

const SECRET: &str = "whsec_RdvaYFYUXuIFuEbvZHwMfYFhUf7aMYjYcmM24+Aj40c=";

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

struct Delivery {
    id: &'static str,
    timestamp: i64,
    body: String,
    signature: String,
}

fn delivery(id: &'static str, timestamp: i64, body: &str) -> Delivery {
    let signature = Webhooks::new(SECRET)
        .unwrap()
        .sign(id, timestamp, body.as_bytes());
    Delivery {
        id,
        timestamp,
        body: body.to_string(),
        signature,
    }
}

async fn send(client: &reqwest::Client, url: &str, d: &Delivery) -> (u16, String) {
    let response = client
        .post(url)
        .header("webhook-id", d.id)
        .header("webhook-timestamp", d.timestamp.to_string())
        .header("webhook-signature", &d.signature)
        .header("content-type", "application/json")
        .body(d.body.clone())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

#[tokio::test]
async fn the_receiver_answers_signed_tampered_stale_and_duplicate_requests() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhooks", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        axum::serve(listener, receiver::app(Webhooks::new(SECRET).unwrap()))
            .await
            .unwrap()
    });
    let client = reqwest::Client::new();
    let body = r#"{"id":"evt_1","object":"event","created_at":1750861210,"type":"batch.completed","data":{"id":"batch_42"}}"#;

    let signed = delivery("wh_1", now(), body);
    assert_eq!(
        send(&client, &url, &signed).await,
        (200, "batch batch_42 completed".into())
    );

    // The same webhook-id again: acknowledged, not handled twice.
    assert_eq!(
        send(&client, &url, &signed).await,
        (200, "duplicate: already handled".into())
    );

    // A body changed after signing.
    let mut tampered = delivery("wh_2", now(), body);
    tampered.body = tampered.body.replace("batch_42", "batch_43");
    let (status, reason) = send(&client, &url, &tampered).await;
    assert_eq!(status, 401);
    assert!(reason.contains("does not match"), "{reason}");

    // Signed, but ten minutes old.
    let stale = delivery("wh_3", now() - 600, body);
    assert_eq!(
        send(&client, &url, &stale).await,
        (401, "Webhook timestamp is too old.".into())
    );

    // A missing header.
    let response = client.post(&url).body(body).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 400);
    assert_eq!(
        response.text().await.unwrap(),
        "Could not find the webhook-signature header."
    );

    // Signed, but not an event.
    let junk = delivery("wh_4", now(), r#"{"hello":"world"}"#);
    let (status, reason) = send(&client, &url, &junk).await;
    assert_eq!(status, 400);
    assert!(
        reason.starts_with("The webhook body is not a valid event"),
        "{reason}"
    );

    // An event type this version does not know is accepted.
    let future = delivery(
        "wh_5",
        now(),
        r#"{"id":"evt_5","type":"brand.new.event","created_at":1,"data":{}}"#,
    );
    assert_eq!(
        send(&client, &url, &future).await,
        (200, "ignored unknown brand.new.event".into())
    );

    server.abort();
}
