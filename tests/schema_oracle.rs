//! The `schemars` feature, checked against the source: for every event, the
//! JSON Schema that `schemars` derives from the generated type accepts and
//! rejects exactly the payloads that the event's schema in `schema/` accepts
//! and rejects. A JSON Schema validator (`jsonschema`) is the judge; the
//! source files are given to it as they are, `$ref`s and all.
//!
//! Payloads: arbitrary valid instances generated from the source (see
//! `support/instances.rs`), and from each, every single-step mutation: a
//! property removed, a property's value replaced by `null`, `0`, `1.5`,
//! `"x"`, `true`, `[]` or `{}`, an unknown property added. Without the
//! feature, this file is empty: run the tests with `--all-features`.

#![cfg(feature = "schemars")]

use std::collections::BTreeMap;
use std::path::Path;

use openai_webhooks::*;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use schemaweave::webhooks::events;
use schemaweave::SchemaSet;
use serde_json::{json, Value};

#[path = "support/instances.rs"]
mod instances;

const BASE: &str = "https://schema.invalid/";

/// The schemars schema of each event type, by its `type`.
fn derived() -> BTreeMap<&'static str, Value> {
    macro_rules! schemas {
        ($($event:literal => $ty:ty,)*) => {
            BTreeMap::from([$(($event, schemars::schema_for!($ty).to_value()),)*])
        };
    }
    schemas! {
        "agent.environment.expired" => AgentEnvironmentExpiredWebhookEvent,
        "agent.environment.failed" => AgentEnvironmentFailedWebhookEvent,
        "agent.environment.ready" => AgentEnvironmentReadyWebhookEvent,
        "agent.environment.suspended" => AgentEnvironmentSuspendedWebhookEvent,
        "agent.session.action_required" => AgentSessionActionRequiredWebhookEvent,
        "agent.session.created" => AgentSessionCreatedWebhookEvent,
        "agent.session.failed" => AgentSessionFailedWebhookEvent,
        "agent.session.idle" => AgentSessionIdleWebhookEvent,
        "agent.session.in_progress" => AgentSessionInProgressWebhookEvent,
        "batch.cancelled" => BatchCancelledWebhookEvent,
        "batch.completed" => BatchCompletedWebhookEvent,
        "batch.expired" => BatchExpiredWebhookEvent,
        "batch.failed" => BatchFailedWebhookEvent,
        "eval.run.canceled" => EvalRunCanceledWebhookEvent,
        "eval.run.failed" => EvalRunFailedWebhookEvent,
        "eval.run.succeeded" => EvalRunSucceededWebhookEvent,
        "fine_tuning.job.cancelled" => FineTuningJobCancelledWebhookEvent,
        "fine_tuning.job.failed" => FineTuningJobFailedWebhookEvent,
        "fine_tuning.job.succeeded" => FineTuningJobSucceededWebhookEvent,
        "health.alert.resolved" => HealthAlertResolvedWebhookEvent,
        "health.alert.triggered" => HealthAlertTriggeredWebhookEvent,
        "live.call.incoming" => LiveCallIncomingWebhookEvent,
        "live.transport.connected" => LiveTransportConnectedWebhookEvent,
        "live.transport.incoming" => LiveTransportIncomingWebhookEvent,
        "realtime.call.incoming" => RealtimeCallIncomingWebhookEvent,
        "response.cancelled" => ResponseCancelledWebhookEvent,
        "response.completed" => ResponseCompletedWebhookEvent,
        "response.failed" => ResponseFailedWebhookEvent,
        "response.incomplete" => ResponseIncompleteWebhookEvent,
        "safety.alert.created" => SafetyAlertCreatedWebhookEvent,
        "safety.deactivation_issued" => SafetyDeactivationIssuedWebhookEvent,
        "safety.org_alert.created" => SafetyOrgAlertCreatedWebhookEvent,
        "safety.warning_issued" => SafetyWarningIssuedWebhookEvent,
    }
}

/// Every single-step mutation of `payload`.
fn mutations(payload: &Value) -> Vec<Value> {
    let replacements = [
        Value::Null,
        json!(0),
        json!(1.5),
        json!("x"),
        json!(true),
        json!([]),
        json!({}),
    ];
    let mut out = Vec::new();
    let mut pointers = Vec::new();
    collect_objects(payload, String::new(), &mut pointers);
    for pointer in pointers {
        let keys: Vec<String> = payload
            .pointer(&pointer)
            .and_then(Value::as_object)
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        let mut added = payload.clone();
        if let Some(Value::Object(map)) = added.pointer_mut(&pointer) {
            map.insert("unknown_extra".into(), json!("kept or dropped"));
        }
        out.push(added);
        for key in keys {
            let mut removed = payload.clone();
            if let Some(Value::Object(map)) = removed.pointer_mut(&pointer) {
                map.shift_remove(&key);
            }
            out.push(removed);
            for replacement in &replacements {
                let mut replaced = payload.clone();
                if let Some(Value::Object(map)) = replaced.pointer_mut(&pointer) {
                    map.insert(key.clone(), replacement.clone());
                }
                out.push(replaced);
            }
        }
    }
    out
}

fn collect_objects(value: &Value, pointer: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            out.push(pointer.clone());
            for (k, v) in map {
                collect_objects(v, format!("{pointer}/{k}"), out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                collect_objects(v, format!("{pointer}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn schemars_schemas_accept_and_reject_what_the_source_schemas_do() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema");
    let set = SchemaSet::load(&dir).unwrap();
    let found = events::find(&set).unwrap();
    let derived = derived();
    assert_eq!(
        found.keys().map(String::as_str).collect::<Vec<_>>(),
        derived.keys().copied().collect::<Vec<_>>(),
        "one derived schema per event"
    );

    // The source files, as the validator's resources under one base URI
    // (so that `../common.json` resolves as on disk).
    let resources: Vec<(String, jsonschema::Resource)> = set
        .files()
        .map(|file| {
            let relative = file.strip_prefix("schema/").unwrap_or(file);
            let document = set.document(file).unwrap().as_value().clone();
            (
                format!("{BASE}{relative}"),
                jsonschema::Resource::from_contents(document),
            )
        })
        .collect();
    let registry = jsonschema::Registry::new()
        .draft(jsonschema::Draft::Draft202012)
        .extend(resources)
        .unwrap()
        .prepare()
        .unwrap();

    let mut runner = TestRunner::deterministic();
    let mut compared = 0usize;
    let mut disagreements = Vec::new();
    for (event_type, event) in &found {
        let relative = event.node.file.strip_prefix("schema/").unwrap();
        let source = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .with_registry(&registry)
            .build(&json!({"$ref": format!("{BASE}{relative}#{}", event.node.pointer)}))
            .unwrap();
        let schemars = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .build(&derived[event_type.as_str()])
            .unwrap();
        let strategy = instances::instances(&event.expanded);
        for _ in 0..16 {
            let valid = strategy.new_tree(&mut runner).unwrap().current();
            assert!(source.is_valid(&valid), "{event_type}: generated {valid}");
            for payload in std::iter::once(valid.clone()).chain(mutations(&valid)) {
                compared += 1;
                let (a, b) = (source.is_valid(&payload), schemars.is_valid(&payload));
                if a != b {
                    disagreements.push(format!(
                        "{event_type}: source {} / schemars {}: {payload}",
                        if a { "accepts" } else { "rejects" },
                        if b { "accepts" } else { "rejects" },
                    ));
                }
            }
        }
    }
    println!("{compared} payloads judged by both schemas");
    assert!(compared > 10_000, "{compared}");
    assert!(
        disagreements.is_empty(),
        "{} disagreements, first ones:\n{}",
        disagreements.len(),
        disagreements[..disagreements.len().min(10)].join("\n")
    );
}

#[test]
fn the_union_schema_takes_every_event_and_unknown_types() {
    let schema = schemars::schema_for!(WebhookEvent).to_value();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let known =
        json!({"id": "evt", "created_at": 1, "type": "batch.cancelled", "data": {"id": "b"}});
    assert!(validator.is_valid(&known));
    let unknown = json!({"id": "evt", "created_at": 1, "type": "brand.new", "data": {"x": 1}});
    assert!(validator.is_valid(&unknown));
    // A known type must follow its own schema, not the catch-all's.
    let wrong = json!({"id": "evt", "created_at": 1, "type": "batch.cancelled", "data": {}});
    assert!(!validator.is_valid(&wrong));
    let no_type = json!({"id": "evt", "created_at": 1, "data": {}});
    assert!(!validator.is_valid(&no_type));
}
