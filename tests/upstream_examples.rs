//! The example payloads of OpenAI's published spec (in `../shared`, beside
//! the checkout) parse into the right variants. Skipped, with a notice, where
//! `../shared` is absent.

use std::path::PathBuf;

use openai_webhooks::WebhookEvent;
use serde_json::Value;

fn spec(date: &str) -> Option<Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/upstream/openai-openapi")
        .join(format!("openapi-{date}.yaml"));
    if !path.exists() {
        println!(
            "SKIPPED: {} is absent; upstream examples not checked",
            path.display()
        );
        return None;
    }
    let text = std::fs::read_to_string(&path).unwrap();
    Some(schemaweave::yaml_to_json(&text).unwrap())
}

/// Removes commas that stand right before `]` or `}` (two upstream examples
/// have one), leaving commas inside strings alone.
fn without_trailing_commas(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    for (i, &c) in chars.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            out.push(c);
            continue;
        }
        if c == '"' {
            in_string = true;
        }
        if c == ',' {
            let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
            if matches!(next, Some(']') | Some('}')) {
                continue;
            }
        }
        out.push(c);
    }
    out
}

fn check_examples(date: &str, expected_events: usize) {
    let Some(spec) = spec(date) else { return };
    let schemas = spec["components"]["schemas"].as_object().unwrap();
    let mut checked = Vec::new();
    for (name, schema) in schemas {
        let Some(example) = schema["x-oaiMeta"]["example"].as_str() else {
            continue;
        };
        if schema["x-oaiMeta"]["group"] != "webhook-events" {
            continue;
        }
        let event_type = schema["x-oaiMeta"]["name"].as_str().unwrap();
        let body = without_trailing_commas(example);
        let event = WebhookEvent::from_slice(body.as_bytes())
            .unwrap_or_else(|e| panic!("{date} {name}: {e}"));
        assert_eq!(event.event_type(), event_type, "{name}");
        assert!(
            !matches!(event, WebhookEvent::Unknown { .. }),
            "{date} {name}: {event_type} is not a known variant"
        );
        checked.push(event_type.to_string());
    }
    // Every event the spec lists under `webhooks:` had an example.
    assert_eq!(spec["webhooks"].as_object().unwrap().len(), expected_events);
    assert_eq!(checked.len(), expected_events, "{checked:?}");
    println!("{date}: {} upstream examples parsed", checked.len());
}

#[test]
fn spec_2026_08_21_examples_parse() {
    check_examples("2026-08-21", 16);
}

#[test]
fn spec_2026_07_23_examples_parse() {
    check_examples("2026-07-23", 15);
}

#[test]
fn trailing_commas_are_removed_outside_strings_only() {
    assert_eq!(without_trailing_commas(r#"[1, 2, ]"#), "[1, 2 ]");
    assert_eq!(
        without_trailing_commas(r#"{"a": ",}", }"#),
        r#"{"a": ",}" }"#
    );
    assert_eq!(without_trailing_commas(r#"["\",]"]"#), r#"["\",]"]"#);
}
