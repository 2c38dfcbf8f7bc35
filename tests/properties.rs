//! Property tests (proptest):
//!
//! - `sign` then `verify` always passes, for any key, id, timestamp and body;
//!   any one-byte change to the body, the id or the timestamp fails;
//! - every event type round-trips arbitrary valid instances: payloads are
//!   generated from the event's own schema in `schema/` (every optional field
//!   present or absent, every enum value, `null` where allowed, any string or
//!   integer), parsed as `WebhookEvent`, and must serialize back to the same
//!   JSON;
//! - an unknown event type round-trips exactly.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, UNIX_EPOCH};

use base64::Engine as _;
use openai_webhooks::{WebhookError, WebhookEvent, Webhooks};
use proptest::prelude::*;
use schemaweave::webhooks::events;
use schemaweave::SchemaSet;
use serde_json::Value;

#[path = "support/instances.rs"]
mod instances;
use instances::instances;

fn headers<'a>(id: &'a str, ts: &'a str, sig: &'a str) -> [(&'static str, &'a str); 3] {
    [
        ("webhook-id", id),
        ("webhook-timestamp", ts),
        ("webhook-signature", sig),
    ]
}

/// A key, as OpenAI shows it (`whsec_` + base64).
fn secret() -> impl Strategy<Value = String> {
    prop::collection::vec(any::<u8>(), 1..64).prop_map(|key| {
        format!(
            "whsec_{}",
            base64::engine::general_purpose::STANDARD.encode(key)
        )
    })
}

/// Ids as OpenAI sends them: printable ASCII without separators.
fn id() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_]{1,40}"
}

/// Timestamps from 2001 to 2286, as ten-digit Unix seconds.
fn timestamp() -> impl Strategy<Value = i64> {
    1_000_000_000i64..9_999_999_999
}

/// Another byte than `byte`, chosen by `delta` (1..=255).
fn flip(byte: u8, delta: u8) -> u8 {
    byte.wrapping_add(delta.max(1))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn sign_then_verify_passes(secret in secret(), id in id(), ts in timestamp(),
                               body in prop::collection::vec(any::<u8>(), 0..512)) {
        let webhooks = Webhooks::new(&secret).unwrap();
        let signature = webhooks.sign(&id, ts, &body);
        let now = UNIX_EPOCH + Duration::from_secs(ts as u64);
        let ts_text = ts.to_string();
        prop_assert_eq!(webhooks.verify_at(&body, &headers(&id, &ts_text, &signature), now), Ok(()));
    }

    #[test]
    fn any_one_byte_change_to_the_body_fails(secret in secret(), id in id(), ts in timestamp(),
                                             body in prop::collection::vec(any::<u8>(), 1..512),
                                             index in any::<prop::sample::Index>(), delta in 1u8..=255) {
        let webhooks = Webhooks::new(&secret).unwrap();
        let signature = webhooks.sign(&id, ts, &body);
        let mut changed = body.clone();
        let i = index.index(changed.len());
        changed[i] = flip(changed[i], delta);
        let now = UNIX_EPOCH + Duration::from_secs(ts as u64);
        let ts_text = ts.to_string();
        prop_assert_eq!(
            webhooks.verify_at(&changed, &headers(&id, &ts_text, &signature), now),
            Err(WebhookError::SignatureMismatch)
        );
    }

    #[test]
    fn any_one_byte_change_to_the_id_fails(secret in secret(), id in id(), ts in timestamp(),
                                           body in prop::collection::vec(any::<u8>(), 0..128),
                                           index in any::<prop::sample::Index>(),
                                           replacement in "[A-Za-z0-9_]") {
        let webhooks = Webhooks::new(&secret).unwrap();
        let signature = webhooks.sign(&id, ts, &body);
        let mut changed = id.clone().into_bytes();
        let i = index.index(changed.len());
        prop_assume!(changed[i] != replacement.as_bytes()[0]);
        changed[i] = replacement.as_bytes()[0];
        let changed = String::from_utf8(changed).unwrap();
        let now = UNIX_EPOCH + Duration::from_secs(ts as u64);
        let ts_text = ts.to_string();
        prop_assert_eq!(
            webhooks.verify_at(&body, &headers(&changed, &ts_text, &signature), now),
            Err(WebhookError::SignatureMismatch)
        );
    }

    #[test]
    fn any_one_byte_change_to_the_timestamp_fails(secret in secret(), id in id(), ts in timestamp(),
                                                  body in prop::collection::vec(any::<u8>(), 0..128),
                                                  index in any::<prop::sample::Index>(), delta in 1u8..=255) {
        let webhooks = Webhooks::new(&secret).unwrap();
        let signature = webhooks.sign(&id, ts, &body);
        let mut changed = ts.to_string().into_bytes();
        let i = index.index(changed.len());
        changed[i] = flip(changed[i], delta);
        // Not always UTF-8 any more; headers are text, so such a change
        // cannot even be delivered.
        let Ok(changed) = String::from_utf8(changed) else { return Ok(()) };
        // The clock agrees with the changed timestamp when it can: the
        // signature must still fail.
        let now = match changed.parse::<u64>() {
            Ok(seconds) => UNIX_EPOCH + Duration::from_secs(seconds),
            Err(_) => UNIX_EPOCH + Duration::from_secs(ts as u64),
        };
        let result = webhooks.verify_at(&body, &headers(&id, &changed, &signature), now);
        prop_assert!(result.is_err(), "{changed} verified");
    }
}

/// Event schemas, expanded (`$ref`s inlined), by event type.
fn event_schemas() -> BTreeMap<String, Value> {
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema");
    let set = SchemaSet::load(&schema).unwrap();
    events::find(&set)
        .unwrap()
        .into_iter()
        .map(|(event_type, event)| (event_type, event.expanded))
        .collect()
}

#[test]
fn every_event_round_trips_arbitrary_valid_instances() {
    let schemas = event_schemas();
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/schema/events"))
        .unwrap()
        .count();
    assert_eq!(schemas.len(), files);
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(64));
    for (event_type, schema) in &schemas {
        runner
            .run(&instances(schema), |payload| {
                let event: WebhookEvent = serde_json::from_value(payload.clone())
                    .map_err(|e| TestCaseError::fail(format!("{e}: {payload}")))?;
                prop_assert_eq!(event.event_type(), event_type.as_str());
                let known = !matches!(event, WebhookEvent::Unknown { .. });
                prop_assert!(known, "parsed as unknown: {}", payload);
                let back = serde_json::to_value(&event).unwrap();
                prop_assert_eq!(&back, &payload);
                // The located-error path parses it the same way.
                let text = serde_json::to_vec(&payload).unwrap();
                prop_assert_eq!(WebhookEvent::from_slice(&text).unwrap(), event);
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{event_type}: {e}"));
    }
}

proptest! {
    #[test]
    fn an_unknown_event_type_round_trips_exactly(
        event_type in "[a-z]{1,8}\\.[a-z_]{1,8}\\.unseen",
        id in "\\PC{0,12}",
        created_at in any::<i64>(),
        data in prop::collection::btree_map("[a-z_]{1,6}", any::<i32>(), 0..4),
    ) {
        let payload = serde_json::json!({
            "id": id, "type": event_type, "created_at": created_at, "data": data,
        });
        let event: WebhookEvent = serde_json::from_value(payload.clone()).unwrap();
        let is_unknown = matches!(event, WebhookEvent::Unknown { .. });
        prop_assert!(is_unknown);
        prop_assert_eq!(serde_json::to_string(&event).unwrap(), payload.to_string());
    }
}
