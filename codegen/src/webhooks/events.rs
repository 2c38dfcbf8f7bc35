//! Webhook events in a schema set, in a comparable form: what `sync` and
//! `diff` work on.
//!
//! An *event* is a schema for one webhook payload, known by its `type`
//! literal (`batch.cancelled`). They are found in one of two ways:
//!
//! - in an OpenAPI document with a `webhooks:` section: the request body
//!   schema of each webhook operation;
//! - otherwise, in a set of JSON Schema files: every definition (`$defs`,
//!   `definitions`, `components/schemas`) whose `type` property is a string
//!   constant.
//!
//! Each event is *expanded*: `$ref`s are inlined (a recursive reference is
//! kept as `{"$ref": "file#pointer"}`), annotations that never reach the
//! generated Rust (`title`, `$comment`, `example(s)`, `x-*`) are dropped, and
//! a one-value `enum` becomes `const`, as the generator reads it. Two
//! expansions with the same [`shape`] generate the same Rust types, whatever
//! the wording of their descriptions and however the files were split.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::error::Error;
use crate::keywords::{self, Role, Slots};
use crate::load::{NodeRef, SchemaSet};

/// Deeper than this, expansion stops with an error instead of risking the
/// stack (event schemas are a handful of levels deep).
const MAX_DEPTH: usize = 128;

/// One webhook event of a schema set.
#[derive(Debug, Clone)]
pub struct Event {
    /// The `type` literal, such as `batch.cancelled`.
    pub event_type: String,
    /// The definition's key (`WebhookBatchCancelled`), or for an inline
    /// request body, the webhook's key.
    pub name: String,
    /// Where the event's schema is.
    pub node: NodeRef,
    /// The schema with `$ref`s inlined (see the module documentation).
    pub expanded: Value,
}

/// Finds every event of `set`, keyed (and so sorted) by event type.
///
/// Two events with the same type are an error naming both.
pub fn find(set: &SchemaSet) -> Result<BTreeMap<String, Event>, Error> {
    let with_webhooks: Vec<&str> = set
        .files()
        .filter(|file| {
            set.document(file)
                .and_then(|d| d.as_value().get("webhooks"))
                .is_some()
        })
        .collect();
    let mut candidates = Vec::new();
    if with_webhooks.is_empty() {
        for file in set.files() {
            let Some(doc) = set.document(file) else {
                continue;
            };
            let containers = match doc.as_value() {
                Value::Object(root) => keywords::definition_containers(root),
                _ => Vec::new(),
            };
            for container in containers {
                let Some(Value::Object(defs)) = doc.as_value().pointer(container) else {
                    continue;
                };
                for key in defs.keys() {
                    let node = NodeRef {
                        file: file.to_string(),
                        pointer: container.to_string(),
                    }
                    .child(key);
                    candidates.push((key.clone(), node, false));
                }
            }
        }
    } else {
        for file in with_webhooks {
            webhook_bodies(set, file, &mut candidates)?;
        }
    }
    let mut events: BTreeMap<String, Event> = BTreeMap::new();
    for (name, node, required) in candidates {
        let expanded = expand(set, &node)?;
        let Some(event_type) = type_literal(&expanded) else {
            if required {
                return Err(Error::at(
                    node.location(),
                    "a webhook's request body has no `type` property with a single string value, so its event type is unknown",
                ));
            }
            continue;
        };
        if let Some(first) = events.get(&event_type) {
            return Err(Error::at(
                node.location(),
                format!(
                    "event type `{event_type}` is also defined at {}",
                    first.node.location()
                ),
            ));
        }
        events.insert(
            event_type.clone(),
            Event {
                event_type,
                name,
                node,
                expanded,
            },
        );
    }
    Ok(events)
}

/// The request body schema of every operation under `webhooks:`.
fn webhook_bodies(
    set: &SchemaSet,
    file: &str,
    out: &mut Vec<(String, NodeRef, bool)>,
) -> Result<(), Error> {
    let root = NodeRef {
        file: file.to_string(),
        pointer: String::new(),
    };
    let webhooks = root.child("webhooks");
    let Some(Value::Object(items)) = set.get(&webhooks) else {
        return Err(Error::at(
            webhooks.location(),
            "`webhooks` must be an object of path items",
        ));
    };
    for (key, item) in items {
        let Value::Object(operations) = item else {
            continue;
        };
        for method in operations.keys() {
            let content = webhooks
                .child(key)
                .child(method)
                .child("requestBody")
                .child("content");
            let Some(Value::Object(media)) = set.get(&content) else {
                continue;
            };
            let Some(media_type) = media.keys().find(|m| media[*m].get("schema").is_some()) else {
                continue;
            };
            let mut node = content.child(media_type).child("schema");
            let mut name = key.clone();
            if let Some(Value::String(reference)) = set.get(&node).and_then(|s| s.get("$ref")) {
                let target = set
                    .resolve(&node, reference)
                    .map_err(|m| Error::at(node.child("$ref").location(), m))?;
                name = last_segment(&target.pointer).unwrap_or(key).to_string();
                node = target;
            }
            out.push((name, node, true));
        }
    }
    Ok(())
}

fn last_segment(pointer: &str) -> Option<&str> {
    pointer.rsplit('/').next().filter(|s| !s.is_empty())
}

/// The string constant of an expanded schema's `type` property, if any.
pub fn type_literal(expanded: &Value) -> Option<String> {
    expanded
        .get("properties")?
        .get("type")?
        .get("const")?
        .as_str()
        .map(str::to_string)
}

/// Expands the schema at `node` (see the module documentation).
pub fn expand(set: &SchemaSet, node: &NodeRef) -> Result<Value, Error> {
    let mut stack = vec![node.clone()];
    expand_at(set, node, &mut stack, 0)
}

fn expand_at(
    set: &SchemaSet,
    node: &NodeRef,
    stack: &mut Vec<NodeRef>,
    depth: usize,
) -> Result<Value, Error> {
    if depth > MAX_DEPTH {
        return Err(Error::at(
            node.location(),
            format!("schema nested more than {MAX_DEPTH} levels deep"),
        ));
    }
    let Some(value) = set.get(node) else {
        return Err(Error::at(node.location(), "no schema here"));
    };
    let Value::Object(map) = value else {
        return Ok(value.clone());
    };
    let mut out = Map::new();
    if let Some(reference) = map.get("$ref") {
        let Value::String(reference) = reference else {
            return Err(Error::at(
                node.child("$ref").location(),
                "`$ref` must be a string",
            ));
        };
        let target = set
            .resolve(node, reference)
            .map_err(|m| Error::at(node.child("$ref").location(), m))?;
        if stack.contains(&target) {
            out.insert(
                "$ref".into(),
                Value::String(format!("{}#{}", target.file, target.pointer)),
            );
        } else {
            stack.push(target.clone());
            let resolved = expand_at(set, &target, stack, depth + 1);
            stack.pop();
            if let Value::Object(resolved) = resolved? {
                out = resolved;
            }
        }
    }
    for (key, child) in map {
        // Identifiers, examples, definitions and extensions change neither
        // the wire format nor the generated Rust.
        if key == "$ref"
            || matches!(
                keywords::role(key),
                Some(Role::Annotation | Role::Definitions | Role::Extension)
            )
        {
            continue;
        }
        let at = node.child(key);
        let expanded = match (keywords::slots(key), child) {
            (Slots::Map, Value::Object(members)) => {
                let mut expanded = Map::new();
                for name in members.keys() {
                    expanded.insert(
                        name.clone(),
                        expand_at(set, &at.child(name), stack, depth + 1)?,
                    );
                }
                Value::Object(expanded)
            }
            (Slots::Array | Slots::SchemaOrArray, Value::Array(members)) => Value::Array(
                (0..members.len())
                    .map(|i| expand_at(set, &at.child(&i.to_string()), stack, depth + 1))
                    .collect::<Result<_, _>>()?,
            ),
            (Slots::Schema | Slots::SchemaOrArray | Slots::Array, Value::Object(_)) => {
                expand_at(set, &at, stack, depth + 1)?
            }
            _ => child.clone(),
        };
        // Keywords beside a `$ref` refine the target (a description
        // replaces the target's own).
        out.insert(key.clone(), expanded);
    }
    Ok(normalize(out))
}

/// A one-value `enum` becomes `const`; `type` beside `const` is dropped (the
/// constant says it); `description` comes first.
fn normalize(mut map: Map<String, Value>) -> Value {
    if !map.contains_key("const") {
        if let Some(Value::Array(values)) = map.get("enum") {
            if values.len() == 1 {
                let value = values[0].clone();
                map.shift_remove("enum");
                map.insert("const".into(), value);
            }
        }
    }
    if let Some(constant) = map.get("const") {
        let implied = match constant {
            Value::String(_) => "string",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_f64() => "number",
            Value::Number(_) => "integer",
            Value::Null => "null",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        if map.get("type").and_then(Value::as_str) == Some(implied) {
            map.shift_remove("type");
        }
    }
    match map.shift_remove("description") {
        Some(description) => {
            let mut first = Map::new();
            first.insert("description".into(), description);
            first.extend(map);
            Value::Object(first)
        }
        None => Value::Object(map),
    }
}

/// The part of an expanded schema that decides the generated types and the
/// wire format, with the validation the types do not enforce: documentation
/// removed, `required`, multi-value `enum`s and `type` arrays sorted. Equal
/// shapes generate equal Rust (docs aside) and accept the same payloads.
pub fn shape(expanded: &Value) -> Value {
    shape_keeping(expanded, &|key| {
        keywords::role(key) != Some(Role::Documentation)
    })
}

fn shape_keeping(expanded: &Value, keep: &dyn Fn(&str) -> bool) -> Value {
    match expanded {
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, value) in map {
                if !keep(key) {
                    continue;
                }
                let value = match (key.as_str(), keywords::slots(key)) {
                    (_, Slots::Map) => match value {
                        Value::Object(members) => Value::Object(
                            members
                                .iter()
                                .map(|(k, v)| (k.clone(), shape_keeping(v, keep)))
                                .collect(),
                        ),
                        other => other.clone(),
                    },
                    ("required" | "enum" | "type", _) => match value {
                        Value::Array(items) => {
                            let mut items = items.clone();
                            items.sort_by_key(|v| v.to_string());
                            Value::Array(items)
                        }
                        other => other.clone(),
                    },
                    (_, Slots::None) => value.clone(),
                    _ => shape_keeping(value, keep),
                };
                out.insert(key.clone(), value);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| shape_keeping(v, keep)).collect()),
        other => other.clone(),
    }
}

/// A field's place in a payload, as reports print it: `data.sip_headers`
/// (`path` empty for the event itself).
pub fn field_path(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn set(docs: Vec<(&str, Value)>) -> SchemaSet {
        SchemaSet::from_documents(docs.into_iter().map(|(n, v)| (n.to_string(), v))).unwrap()
    }

    fn event(type_literal: &str) -> Value {
        json!({
            "type": "object",
            "required": ["type"],
            "properties": {"type": {"type": "string", "enum": [type_literal], "x-stainless-const": true}}
        })
    }

    #[test]
    fn events_come_from_definitions_with_a_constant_type() {
        let set = set(vec![(
            "a.json",
            json!({"$defs": {"A": event("a.happened"), "NotAnEvent": {"type": "string"}}}),
        )]);
        let events = find(&set).unwrap();
        assert_eq!(events.keys().collect::<Vec<_>>(), ["a.happened"]);
        assert_eq!(events["a.happened"].name, "A");
        assert_eq!(
            events["a.happened"].expanded["properties"]["type"],
            json!({"const": "a.happened"})
        );
    }

    #[test]
    fn an_openapi_document_lists_its_events_under_webhooks() {
        let set = set(vec![(
            "api.json",
            json!({
                "openapi": "3.1.0",
                "webhooks": {"a_happened": {"post": {"requestBody": {"content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/WebhookA"}}}}}}},
                "components": {"schemas": {"WebhookA": event("a.happened"), "Other": event("not.a.webhook")}}
            }),
        )]);
        let events = find(&set).unwrap();
        assert_eq!(events.keys().collect::<Vec<_>>(), ["a.happened"]);
        assert_eq!(events["a.happened"].name, "WebhookA");
    }

    #[test]
    fn a_webhook_without_a_type_literal_is_a_located_error() {
        let set = set(vec![(
            "api.json",
            json!({"webhooks": {"w": {"post": {"requestBody": {"content": {"application/json": {
                "schema": {"type": "object"}}}}}}}}),
        )]);
        let error = find(&set).unwrap_err().to_string();
        assert!(
            error
                .contains("api.json#/webhooks/w/post/requestBody/content/application~1json/schema"),
            "{error}"
        );
    }

    #[test]
    fn two_definitions_of_one_event_type_are_an_error() {
        let set = set(vec![(
            "a.json",
            json!({"$defs": {"A": event("a.happened"), "B": event("a.happened")}}),
        )]);
        let error = find(&set).unwrap_err().to_string();
        assert!(error.contains("a.json#/$defs/B"), "{error}");
        assert!(error.contains("also defined at a.json#/$defs/A"), "{error}");
    }

    #[test]
    fn references_are_inlined_and_their_siblings_win() {
        let set = set(vec![
            (
                "a.json",
                json!({"$defs": {"A": {"properties": {
                    "o": {"$ref": "common.json#/$defs/O", "description": "ours"}
                }}}}),
            ),
            (
                "common.json",
                json!({"$defs": {"O": {"description": "theirs", "const": "event", "title": "t"}}}),
            ),
        ]);
        let node = NodeRef {
            file: "a.json".into(),
            pointer: "/$defs/A".into(),
        };
        let expanded = expand(&set, &node).unwrap();
        assert_eq!(
            expanded["properties"]["o"],
            json!({"description": "ours", "const": "event"})
        );
    }

    #[test]
    fn recursion_is_kept_as_a_reference() {
        let set = set(vec![(
            "a.json",
            json!({"$defs": {"Node": {"properties": {"next": {"$ref": "#/$defs/Node"}}}}}),
        )]);
        let node = NodeRef {
            file: "a.json".into(),
            pointer: "/$defs/Node".into(),
        };
        let expanded = expand(&set, &node).unwrap();
        assert_eq!(
            expanded["properties"]["next"],
            json!({"$ref": "a.json#/$defs/Node"})
        );
    }

    #[test]
    fn shape_ignores_wording_and_order() {
        let a = json!({"description": "one", "type": "object", "required": ["a", "b"],
            "properties": {"a": {"type": "string", "description": "x"}, "b": {"enum": ["p", "q"]}}});
        let b = json!({"type": "object", "required": ["b", "a"],
            "properties": {"b": {"enum": ["q", "p"]}, "a": {"description": "y", "type": "string"}}});
        assert_eq!(shape(&a), shape(&b));
        let c = json!({"type": "object", "required": ["a"],
            "properties": {"b": {"enum": ["q", "p"]}, "a": {"type": "string"}}});
        assert_ne!(shape(&a), shape(&c));
    }
}
