//! The seed event, `batch.cancelled`, against its wire format.

use openai_webhooks::{BatchCancelledWebhookEvent, BatchCancelledWebhookEventData, EventObject};
use serde_json::{json, Value};

const SEED: &str = r#"{"id":"evt_abc123","type":"batch.cancelled","created_at":1719168000,"data":{"id":"batch_abc123"}}"#;

fn parse(value: &Value) -> Result<BatchCancelledWebhookEvent, serde_json::Error> {
    serde_json::from_value(value.clone())
}

#[test]
fn the_seed_example_parses_and_round_trips() {
    let event: BatchCancelledWebhookEvent = serde_json::from_str(SEED).unwrap();
    assert_eq!(event.id, "evt_abc123");
    assert_eq!(event.created_at, 1719168000);
    assert_eq!(event.data.id, "batch_abc123");
    assert_eq!(event.object, None);
    let back: Value = serde_json::to_value(&event).unwrap();
    assert_eq!(back, serde_json::from_str::<Value>(SEED).unwrap());
}

#[test]
fn object_event_is_accepted_and_kept() {
    let mut payload: Value = serde_json::from_str(SEED).unwrap();
    payload["object"] = json!("event");
    let event = parse(&payload).unwrap();
    assert_eq!(event.object, Some(EventObject::Event));
    assert_eq!(serde_json::to_value(&event).unwrap(), payload);
}

#[test]
fn building_an_event_in_rust_needs_no_literal() {
    let event = BatchCancelledWebhookEvent {
        id: "evt_1".into(),
        created_at: 5,
        data: BatchCancelledWebhookEventData {
            id: "batch_1".into(),
        },
        type_: Default::default(),
        object: None,
    };
    let text = serde_json::to_string(&event).unwrap();
    assert_eq!(
        text,
        r#"{"id":"evt_1","created_at":5,"data":{"id":"batch_1"},"type":"batch.cancelled"}"#
    );
}

#[test]
fn a_wrong_type_is_rejected_naming_the_expected_value() {
    let mut payload: Value = serde_json::from_str(SEED).unwrap();
    payload["type"] = json!("batch.completed");
    let err = parse(&payload).unwrap_err().to_string();
    assert!(err.contains("batch.completed"), "{err}");
    assert!(err.contains("expected `batch.cancelled`"), "{err}");
}

#[test]
fn a_missing_type_is_rejected() {
    let mut payload: Value = serde_json::from_str(SEED).unwrap();
    payload.as_object_mut().unwrap().remove("type");
    let err = parse(&payload).unwrap_err().to_string();
    assert!(err.contains("missing field `type`"), "{err}");
}

#[test]
fn a_wrong_object_is_rejected() {
    let mut payload: Value = serde_json::from_str(SEED).unwrap();
    payload["object"] = json!("list");
    let err = parse(&payload).unwrap_err().to_string();
    assert!(err.contains("expected `event`"), "{err}");
}

#[test]
fn missing_data_and_data_without_id_are_rejected() {
    let mut payload: Value = serde_json::from_str(SEED).unwrap();
    payload.as_object_mut().unwrap().remove("data");
    let err = parse(&payload).unwrap_err().to_string();
    assert!(err.contains("missing field `data`"), "{err}");

    payload["data"] = json!({});
    let err = parse(&payload).unwrap_err().to_string();
    assert!(err.contains("missing field `id`"), "{err}");
}

#[test]
fn created_at_must_be_an_integer() {
    for bad in [json!("1719168000"), json!(1719168000.5), json!(null)] {
        let mut payload: Value = serde_json::from_str(SEED).unwrap();
        payload["created_at"] = bad.clone();
        assert!(parse(&payload).is_err(), "created_at = {bad} was accepted");
    }
}

#[test]
fn unknown_extra_fields_are_accepted_and_not_kept() {
    let payload = json!({
        "id": "evt_abc123",
        "type": "batch.cancelled",
        "created_at": 1719168000,
        "data": {"id": "batch_abc123", "request_counts": {"total": 3}},
        "livemode": true
    });
    let event = parse(&payload).unwrap();
    assert_eq!(event.data.id, "batch_abc123");
    let back = serde_json::to_value(&event).unwrap();
    assert_eq!(back.get("livemode"), None);
    assert_eq!(back["data"], json!({"id": "batch_abc123"}));
}
