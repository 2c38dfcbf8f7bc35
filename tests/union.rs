//! `WebhookEvent`: one payload per event, the catch-all, and the errors.

use openai_webhooks::{
    AgentSessionActionRequiredWebhookEventDataRequiredActionType as ActionType,
    LiveTransportConnectedWebhookEvent, SipMediaSecurity, WebhookEvent,
};
use serde_json::{json, Value};

/// One payload per event, written for these tests. They vary on purpose: with
/// and without `object`, with extra fields, and with `type` first, in the
/// middle and last (so dispatch has to keep what comes before it).
const PAYLOADS: &[(&str, &str)] = &[
    (
        "agent.environment.expired",
        r#"{"id":"evt_01","object":"event","created_at":1751000001,"type":"agent.environment.expired","data":{"id":"env_1"}}"#,
    ),
    (
        "agent.environment.failed",
        r#"{"type":"agent.environment.failed","id":"evt_02","object":"event","created_at":1751000002,"data":{"id":"env_2","reason":"quota"}}"#,
    ),
    (
        "agent.environment.ready",
        r#"{"id":"evt_03","created_at":1751000003,"data":{"id":"env_3"},"object":"event","type":"agent.environment.ready"}"#,
    ),
    (
        "agent.environment.suspended",
        r#"{"id":"evt_04","object":"event","created_at":1751000004,"type":"agent.environment.suspended","data":{"id":"env_4"},"extra":[1,2,3]}"#,
    ),
    (
        "agent.session.action_required",
        r#"{"id":"evt_05","object":"event","created_at":1751000005,"type":"agent.session.action_required","data":{"id":"sess_5","required_action":{"type":"mcp_approval_request"}}}"#,
    ),
    (
        "agent.session.created",
        r#"{"id":"evt_06","object":"event","created_at":1751000006,"type":"agent.session.created","data":{"id":"sess_6","environment_type":"cloud","connect":{"remote_url":"wss://example.invalid/s"},"environment_id":"env_6"}}"#,
    ),
    (
        "agent.session.failed",
        r#"{"id":"evt_07","object":"event","created_at":1751000007,"type":"agent.session.failed","data":{"id":"sess_7","environment_type":"local","environment_id":null}}"#,
    ),
    (
        "agent.session.idle",
        r#"{"id":"evt_08","object":"event","created_at":1751000008,"type":"agent.session.idle","data":{"id":"sess_8","environment_type":"cloud"}}"#,
    ),
    (
        "agent.session.in_progress",
        r#"{"data":{"id":"sess_9","environment_type":"cloud","environment_id":"env_9"},"id":"evt_09","object":"event","created_at":1751000009,"type":"agent.session.in_progress"}"#,
    ),
    (
        "batch.cancelled",
        r#"{"id":"evt_10","type":"batch.cancelled","created_at":1719168000,"data":{"id":"batch_10"}}"#,
    ),
    (
        "batch.completed",
        r#"{"id":"evt_11","object":"event","type":"batch.completed","created_at":1719168011,"data":{"id":"batch_11"}}"#,
    ),
    (
        "batch.expired",
        r#"{"id":"evt_12","type":"batch.expired","created_at":1719168012,"data":{"id":"batch_12"},"livemode":false}"#,
    ),
    (
        "batch.failed",
        r#"{"created_at":1719168013,"data":{"id":"batch_13"},"id":"evt_13","type":"batch.failed"}"#,
    ),
    (
        "eval.run.canceled",
        r#"{"id":"evt_14","type":"eval.run.canceled","created_at":1719168014,"data":{"id":"evalrun_14"}}"#,
    ),
    (
        "eval.run.failed",
        r#"{"id":"evt_15","object":"event","type":"eval.run.failed","created_at":1719168015,"data":{"id":"evalrun_15"}}"#,
    ),
    (
        "eval.run.succeeded",
        r#"{"id":"evt_16","type":"eval.run.succeeded","created_at":1719168016,"data":{"id":"evalrun_16","score":0.93}}"#,
    ),
    (
        "fine_tuning.job.cancelled",
        r#"{"id":"evt_17","type":"fine_tuning.job.cancelled","created_at":1719168017,"data":{"id":"ftjob_17"}}"#,
    ),
    (
        "fine_tuning.job.failed",
        r#"{"id":"evt_18","type":"fine_tuning.job.failed","object":"event","created_at":1719168018,"data":{"id":"ftjob_18"}}"#,
    ),
    (
        "fine_tuning.job.succeeded",
        r#"{"id":"evt_19","type":"fine_tuning.job.succeeded","created_at":1719168019,"data":{"id":"ftjob_19"}}"#,
    ),
    (
        "health.alert.resolved",
        r#"{"id":"evt_32","object":"event","type":"health.alert.resolved","created_at":1719168032,"data":{"id":"hanot_32"}}"#,
    ),
    (
        "health.alert.triggered",
        r#"{"id":"evt_33","created_at":1719168033,"type":"health.alert.triggered","data":{"id":"hanot_33"},"object":"event"}"#,
    ),
    (
        "live.call.incoming",
        r#"{"id":"evt_20","type":"live.call.incoming","created_at":1719168020,"data":{"session_id":"rtc_20","sip_headers":[{"name":"Max-Forwards","value":"63"},{"name":"CSeq","value":"1 INVITE"}]}}"#,
    ),
    (
        "live.transport.connected",
        r#"{"id":"evt_21","object":"event","type":"live.transport.connected","created_at":1719168021,"data":{"session_id":"sess_21","type":"webrtc"}}"#,
    ),
    (
        "live.transport.incoming",
        r#"{"id":"evt_22","type":"live.transport.incoming","created_at":1719168022,"data":{"session_id":"sess_22","type":"sip","sip_headers":[],"sip_media_security":"srtp"}}"#,
    ),
    (
        "realtime.call.incoming",
        r#"{"id":"evt_23","type":"realtime.call.incoming","created_at":1719168023,"data":{"call_id":"rtc_23","sip_headers":[{"name":"From","value":"<sip:+15550100@example.invalid>"}],"sip_media_security":"rtp"}}"#,
    ),
    (
        "response.cancelled",
        r#"{"id":"evt_24","type":"response.cancelled","created_at":1719168024,"data":{"id":"resp_24"}}"#,
    ),
    (
        "response.completed",
        r#"{"id":"evt_25","object":"event","created_at":1719168025,"type":"response.completed","data":{"id":"resp_25"}}"#,
    ),
    (
        "response.failed",
        r#"{"id":"evt_26","type":"response.failed","created_at":1719168026,"data":{"id":"resp_26"}}"#,
    ),
    (
        "response.incomplete",
        r#"{"id":"evt_27","type":"response.incomplete","created_at":1719168027,"data":{"id":"resp_27"}}"#,
    ),
    (
        "safety.alert.created",
        r#"{"id":"evt_28","object":"event","type":"safety.alert.created","created_at":1719168028,"data":{"id":"alert_28"}}"#,
    ),
    (
        "safety.deactivation_issued",
        r#"{"id":"evt_29","object":"event","type":"safety.deactivation_issued","created_at":1719168029,"data":{"id":"deact_29"}}"#,
    ),
    (
        "safety.org_alert.created",
        r#"{"id":"evt_30","object":"event","type":"safety.org_alert.created","created_at":1719168030,"data":{"id":"alert_30"}}"#,
    ),
    (
        "safety.warning_issued",
        r#"{"id":"evt_31","object":"event","type":"safety.warning_issued","created_at":1719168031,"data":{"id":"warn_31"}}"#,
    ),
];

/// The variant name, from `Debug` (`BatchCancelled(...)` → `BatchCancelled`).
fn variant_name(event: &WebhookEvent) -> String {
    let debug = format!("{event:?}");
    debug
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap()
        .to_string()
}

/// `batch.cancelled` → `BatchCancelled`, the documented variant naming rule.
fn expected_variant(event_type: &str) -> String {
    event_type
        .split(['.', '_'])
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .unwrap()
                .to_uppercase()
                .chain(c)
                .collect::<String>()
        })
        .collect()
}

/// The payload without the keys the model does not keep.
fn known_part(payload: &Value, serialized: &Value) -> Value {
    // Every key the model serializes must come from the payload, unchanged.
    let mut expected = serde_json::Map::new();
    for (key, value) in serialized.as_object().unwrap() {
        let original = &payload[key];
        if value.is_object() {
            for (k, v) in value.as_object().unwrap() {
                assert_eq!(&original[k], v, "{key}.{k}");
            }
        } else {
            assert_eq!(original, value, "{key}");
        }
        expected.insert(key.clone(), value.clone());
    }
    Value::Object(expected)
}

#[test]
fn there_is_one_payload_per_event_of_schema_events() {
    let mut types: Vec<&str> = PAYLOADS.iter().map(|(t, _)| *t).collect();
    types.dedup();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/schema/events");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.trim_end_matches(".json").to_string()
        })
        .collect();
    files.sort();
    assert_eq!(types, files);
}

#[test]
fn every_event_parses_into_its_variant_and_round_trips() {
    for (event_type, text) in PAYLOADS {
        let event: WebhookEvent =
            serde_json::from_str(text).unwrap_or_else(|e| panic!("{event_type}: {e}"));
        assert_eq!(event.event_type(), *event_type);
        assert_eq!(variant_name(&event), expected_variant(event_type));
        let payload: Value = serde_json::from_str(text).unwrap();
        assert_eq!(event.id(), payload["id"].as_str().unwrap());
        assert_eq!(event.created_at(), payload["created_at"].as_i64().unwrap());
        // Serializing gives the payload's known fields back, unchanged…
        let serialized = serde_json::to_value(&event).unwrap();
        known_part(&payload, &serialized);
        assert_eq!(serialized["type"], json!(event_type));
        // …and parsing that again gives the same event.
        let again: WebhookEvent = serde_json::from_value(serialized).unwrap();
        assert_eq!(again, event, "{event_type}");
        // The located-error API agrees with serde on valid input.
        assert_eq!(WebhookEvent::from_slice(text.as_bytes()).unwrap(), event);
    }
}

#[test]
fn payloads_parse_from_a_reader_and_from_a_value_too() {
    for (event_type, text) in PAYLOADS {
        let from_reader: WebhookEvent = serde_json::from_reader(text.as_bytes()).unwrap();
        let value: Value = serde_json::from_str(text).unwrap();
        let from_value: WebhookEvent = serde_json::from_value(value).unwrap();
        assert_eq!(from_reader, from_value, "{event_type}");
        assert_eq!(from_reader.event_type(), *event_type);
    }
}

#[test]
fn the_open_enum_keeps_unknown_values() {
    let text = r#"{"id":"evt_1","type":"realtime.call.incoming","created_at":1,"data":{"call_id":"rtc_1","sip_headers":[],"sip_media_security":"zrtp"}}"#;
    let WebhookEvent::RealtimeCallIncoming(event) =
        WebhookEvent::from_slice(text.as_bytes()).unwrap()
    else {
        panic!("wrong variant")
    };
    assert_eq!(
        event.data.sip_media_security,
        Some(SipMediaSecurity::Other("zrtp".into()))
    );
    let back = serde_json::to_value(&event).unwrap();
    assert_eq!(back["data"]["sip_media_security"], "zrtp");
    let known: SipMediaSecurity = serde_json::from_str(r#""srtp""#).unwrap();
    assert_eq!(known, SipMediaSecurity::Srtp);
    assert!(serde_json::from_str::<SipMediaSecurity>("3").is_err());
}

#[test]
fn the_closed_enum_rejects_unknown_values() {
    let text = r#"{"id":"evt_1","object":"event","type":"agent.session.action_required","created_at":1,"data":{"id":"s","required_action":{"type":"teleport"}}}"#;
    let err = WebhookEvent::from_slice(text.as_bytes()).unwrap_err();
    assert_eq!(err.event_type(), Some("agent.session.action_required"));
    assert_eq!(err.path(), "data.required_action.type");
    assert!(
        err.message().contains("unknown variant `teleport`"),
        "{err}"
    );
    let ok: ActionType = serde_json::from_str(r#""function_call""#).unwrap();
    assert_eq!(ok, ActionType::FunctionCall);
}

#[test]
fn an_unknown_type_is_kept_and_round_trips_exactly() {
    let text = r#"{"id":"evt_new","created_at":1760000000,"data":{"thing":[1,{"b":2,"a":1}]},"type":"brand.new.event","object":"event","z":null}"#;
    let event = WebhookEvent::from_slice(text.as_bytes()).unwrap();
    match &event {
        WebhookEvent::Unknown { event_type, raw } => {
            assert_eq!(event_type, "brand.new.event");
            assert_eq!(raw["data"]["thing"][1]["b"], 2);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(event.event_type(), "brand.new.event");
    assert_eq!(event.id(), "evt_new");
    assert_eq!(event.created_at(), 1760000000);
    assert_eq!(serde_json::to_string(&event).unwrap(), text);
}

#[test]
fn an_unknown_type_still_needs_the_common_envelope() {
    let err = WebhookEvent::from_slice(br#"{"type":"brand.new","created_at":1}"#).unwrap_err();
    assert_eq!(err.to_string(), "brand.new: id: missing field");
    let err =
        WebhookEvent::from_slice(br#"{"type":"brand.new","id":"e","created_at":"x"}"#).unwrap_err();
    assert_eq!(
        err.to_string(),
        "brand.new: created_at: invalid type: string \"x\", expected i64"
    );
}

#[test]
fn a_body_without_type_is_rejected() {
    let err = WebhookEvent::from_slice(br#"{"id":"evt_1","created_at":1,"data":{"id":"x"}}"#)
        .unwrap_err();
    assert_eq!(err.event_type(), None);
    assert_eq!(err.to_string(), "type: missing field");
    let err = WebhookEvent::from_slice(br#"{"id":"evt_1","type":7}"#).unwrap_err();
    assert!(err.to_string().contains("expected a string"), "{err}");
    let err = WebhookEvent::from_slice(b"[1]").unwrap_err();
    assert!(
        err.to_string().contains("expected a WebhookEvent object"),
        "{err}"
    );
    let err = WebhookEvent::from_slice(b"{not json").unwrap_err();
    assert_eq!(err.line(), 1);
    assert!(err.to_string().contains("key must be a string"), "{err}");
}

/// (payload index, JSON pointer to change, new value or None to remove, expected error)
fn bad_case(index: usize, pointer: &str, new: Option<Value>, expected: &str) {
    let (event_type, text) = PAYLOADS[index];
    let mut payload: Value = serde_json::from_str(text).unwrap();
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let target = payload.pointer_mut(parent).unwrap();
    match (target, new) {
        (Value::Object(map), Some(v)) => {
            map.insert(key.to_string(), v);
        }
        (Value::Object(map), None) => {
            map.remove(key);
        }
        (Value::Array(items), Some(v)) => items[key.parse::<usize>().unwrap()] = v,
        (other, _) => panic!("{other}"),
    }
    let body = serde_json::to_vec(&payload).unwrap();
    let err = WebhookEvent::from_slice(&body)
        .map(|e| panic!("{event_type} {pointer}: accepted as {e:?}"))
        .unwrap_err();
    assert_eq!(err.to_string(), expected, "{event_type} {pointer}");
    // Plain serde_json names the event type too, or, for a property every
    // event has that came before `type`, that property.
    let plain = serde_json::from_slice::<WebhookEvent>(&body)
        .unwrap_err()
        .to_string();
    let top = pointer.split('/').nth(1).unwrap();
    assert!(
        plain.starts_with(&format!("{event_type}: ")) || plain.starts_with(&format!("{top}: ")),
        "{plain}"
    );
}

#[test]
fn errors_name_the_event_type_and_the_field_path_for_every_data_shape() {
    let i = |t: &str| PAYLOADS.iter().position(|(p, _)| *p == t).unwrap();
    // The `{id}` shape, whatever its position relative to `type`.
    bad_case(
        i("batch.cancelled"),
        "/data/id",
        None,
        "batch.cancelled: data.id: missing field",
    );
    bad_case(
        i("batch.failed"),
        "/data/id",
        Some(json!(5)),
        "batch.failed: data.id: invalid type: integer `5`, expected a string",
    );
    bad_case(
        i("batch.failed"),
        "/data",
        None,
        "batch.failed: data: missing field",
    );
    bad_case(
        i("agent.environment.ready"),
        "/created_at",
        Some(json!("soon")),
        "agent.environment.ready: created_at: invalid type: string \"soon\", expected i64",
    );
    bad_case(
        i("response.completed"),
        "/created_at",
        Some(json!(1.5)),
        "response.completed: created_at: invalid type: floating point `1.5`, expected i64",
    );
    bad_case(
        i("response.completed"),
        "/object",
        Some(json!("list")),
        "response.completed: object: unknown variant `list`, expected `event`",
    );
    bad_case(
        i("safety.alert.created"),
        "/object",
        None,
        "safety.alert.created: object: missing field",
    );
    bad_case(
        i("eval.run.failed"),
        "/id",
        Some(Value::Null),
        "eval.run.failed: id: invalid type: null, expected a string",
    );
    // Agent sessions.
    bad_case(
        i("agent.session.idle"),
        "/data/environment_type",
        None,
        "agent.session.idle: data.environment_type: missing field",
    );
    bad_case(
        i("agent.session.created"),
        "/data/connect/remote_url",
        None,
        "agent.session.created: data.connect.remote_url: missing field",
    );
    bad_case(
        i("agent.session.failed"),
        "/data/environment_id",
        Some(json!(3)),
        "agent.session.failed: data.environment_id: invalid type: integer `3`, expected a string",
    );
    bad_case(
        i("agent.session.action_required"),
        "/data/required_action",
        None,
        "agent.session.action_required: data.required_action: missing field",
    );
    // SIP shapes.
    bad_case(
        i("live.call.incoming"),
        "/data/sip_headers",
        None,
        "live.call.incoming: data.sip_headers: missing field",
    );
    bad_case(
        i("live.call.incoming"),
        "/data/sip_headers/1",
        Some(json!({"name": "CSeq"})),
        "live.call.incoming: data.sip_headers[1].value: missing field",
    );
    bad_case(
        i("realtime.call.incoming"),
        "/data/sip_headers",
        Some(json!({})),
        "realtime.call.incoming: data.sip_headers: invalid type: map, expected a sequence",
    );
    bad_case(i("realtime.call.incoming"), "/data/sip_media_security", Some(json!(1)), "realtime.call.incoming: data.sip_media_security: invalid type: integer `1`, expected a string for SipMediaSecurity");
    bad_case(
        i("live.transport.incoming"),
        "/data/type",
        Some(json!("webrtc")),
        "live.transport.incoming: data.type: unknown variant `webrtc`, expected `sip`",
    );
    bad_case(
        i("live.transport.connected"),
        "/data/type",
        None,
        "live.transport.connected: data.type: missing field",
    );
    bad_case(
        i("live.transport.connected"),
        "/data/session_id",
        Some(json!(["x"])),
        "live.transport.connected: data.session_id: invalid type: sequence, expected a string",
    );
}

#[test]
fn a_variant_struct_rejects_another_events_type() {
    let (_, text) = PAYLOADS
        .iter()
        .find(|(t, _)| *t == "live.transport.connected")
        .unwrap();
    let wrong = text.replace("live.transport.connected", "live.transport.incoming");
    let err = serde_json::from_str::<LiveTransportConnectedWebhookEvent>(&wrong).unwrap_err();
    assert!(
        err.to_string()
            .contains("expected `live.transport.connected`"),
        "{err}"
    );
}

#[test]
fn variants_convert_from_their_structs() {
    let (_, text) = PAYLOADS
        .iter()
        .find(|(t, _)| *t == "live.transport.connected")
        .unwrap();
    let event: LiveTransportConnectedWebhookEvent = serde_json::from_str(text).unwrap();
    let union: WebhookEvent = event.clone().into();
    assert_eq!(union, WebhookEvent::LiveTransportConnected(event));
}

#[test]
fn an_unknown_type_after_envelope_properties_round_trips_exactly() {
    // `id`, `object` and `created_at` are read into typed slots before the
    // tag; an unknown tag must still give back the object as it came.
    let text = r#"{"object":"event","created_at":1760000000,"id":"evt_n","type":"new.kind","data":{"x":[true]}}"#;
    let event = WebhookEvent::from_slice(text.as_bytes()).unwrap();
    assert!(matches!(event, WebhookEvent::Unknown { .. }), "{event:?}");
    assert_eq!(serde_json::to_string(&event).unwrap(), text);
    assert_eq!(event.id(), "evt_n");
}

#[test]
fn envelope_properties_follow_each_events_own_rules() {
    // `object` is optional for batch events, so `null` is accepted…
    let text = r#"{"id":"e","object":null,"created_at":1,"type":"batch.failed","data":{"id":"b"}}"#;
    let WebhookEvent::BatchFailed(event) = WebhookEvent::from_slice(text.as_bytes()).unwrap()
    else {
        panic!()
    };
    assert_eq!(event.object, None);
    // …and required for safety events, so `null` and absence are rejected.
    let text = r#"{"id":"e","object":null,"created_at":1,"type":"safety.warning_issued","data":{"id":"w"}}"#;
    let err = serde_json::from_str::<WebhookEvent>(text)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("safety.warning_issued: invalid type"),
        "{err}"
    );
    let text = r#"{"id":"e","created_at":1,"type":"safety.warning_issued","data":{"id":"w"}}"#;
    let err = serde_json::from_str::<WebhookEvent>(text)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("safety.warning_issued: missing field `object`"),
        "{err}"
    );
}

#[test]
fn duplicate_properties_are_rejected_before_and_after_the_tag() {
    for text in [
        r#"{"id":"a","id":"b","created_at":1,"type":"batch.failed","data":{"id":"b"}}"#,
        r#"{"id":"a","created_at":1,"type":"batch.failed","id":"b","data":{"id":"b"}}"#,
        r#"{"id":"a","created_at":1,"type":"batch.failed","data":{"id":"b"},"data":{"id":"c"}}"#,
    ] {
        let err = serde_json::from_str::<WebhookEvent>(text)
            .unwrap_err()
            .to_string();
        assert!(err.contains("duplicate field"), "{text}: {err}");
    }
    let text = r#"{"type":"batch.failed","id":"a","created_at":1,"data":{"id":"b"},"type":"batch.failed"}"#;
    let err = serde_json::from_str::<WebhookEvent>(text)
        .unwrap_err()
        .to_string();
    assert!(err.contains("duplicate field `type`"), "{err}");
}

#[test]
fn absent_and_null_are_kept_apart_for_optional_nullable_fields() {
    use openai_webhooks::AgentSessionFailedWebhookEvent;
    let base = json!({"id": "evt", "object": "event", "created_at": 1, "type": "agent.session.failed",
        "data": {"id": "sess", "environment_type": "local"}});
    let with = |value: Option<Value>| {
        let mut payload = base.clone();
        if let Some(value) = value {
            payload["data"]["environment_id"] = value;
        }
        payload
    };
    for (payload, expected) in [
        (with(None), None),
        (with(Some(Value::Null)), Some(None)),
        (with(Some(json!("env"))), Some(Some("env".to_string()))),
    ] {
        // Through the union and through the event's own struct alike.
        let WebhookEvent::AgentSessionFailed(event) =
            serde_json::from_value::<WebhookEvent>(payload.clone()).unwrap()
        else {
            panic!("{payload}")
        };
        assert_eq!(event.data.environment_id, expected, "{payload}");
        let direct: AgentSessionFailedWebhookEvent =
            serde_json::from_value(payload.clone()).unwrap();
        assert_eq!(direct, event);
        // Serializing writes back exactly what was received.
        assert_eq!(
            serde_json::to_value(&event).unwrap()["data"],
            payload["data"]
        );
    }
}
