//! Change reports between two versions of a set of webhook events, for the
//! reviewer of an upstream update: what changed, what it does to Rust users,
//! and the version bump that implies.
//!
//! The classification follows the generated API and Cargo's semver rules:
//!
//! | change | impact | why |
//! |---|---|---|
//! | event added | additive | `WebhookEvent` is `#[non_exhaustive]` |
//! | event removed | breaking | its struct and variant disappear |
//! | field added (optional or required) | breaking | structs have public fields and no `#[non_exhaustive]`, so struct literals stop compiling; a new required field also rejects payloads that lack it |
//! | field removed | breaking | code reading it stops compiling |
//! | required → optional, optional → required | breaking | `T` ↔ `Option<T>` |
//! | type changed, constant changed | breaking | |
//! | enum value added | additive | generated enums with several values are `#[non_exhaustive]` |
//! | enum value removed | breaking | |
//! | description or `deprecated` changed | docs | only documentation changes |

use std::collections::BTreeMap;

use serde_json::Value;

use crate::keywords::{self, Role};
use crate::webhooks::events::{description_text, field_path, shape, type_shape, Event};

/// What a change does to users of the generated crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Impact {
    /// Validation the generated types do not enforce (`maxLength`,
    /// `pattern`, ...): the Rust is identical, no version bump.
    Validation,
    /// Documentation only.
    Docs,
    /// Code that compiled still compiles and behaves the same.
    Additive,
    /// Some code that compiled stops compiling, or a payload that was
    /// accepted is rejected.
    Breaking,
}

impl Impact {
    pub(super) fn label(self) -> &'static str {
        match self {
            Impact::Validation => "validation, not enforced",
            Impact::Docs => "docs",
            Impact::Additive => "additive",
            Impact::Breaking => "breaking",
        }
    }
}

/// One change to one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The event type, such as `batch.cancelled`.
    pub event: String,
    /// Where in the payload, as `data.sip_headers[].name`; empty for the
    /// event itself.
    pub path: String,
    /// What changed, in a few words.
    pub what: String,
    /// Its impact on Rust users.
    pub impact: Impact,
}

/// The version bump a set of changes implies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Bump {
    /// Nothing changed.
    None,
    /// Documentation only.
    Patch,
    /// Additive changes.
    Minor,
    /// Breaking changes.
    Major,
}

impl Bump {
    /// The next version after `current` (below 1.0, Cargo treats the minor
    /// number as the major one: breaking → `0.(y+1).0`, additive → `0.y.(z+1)`).
    pub fn apply(self, current: &semver::Version) -> semver::Version {
        let (major, minor, patch) = (current.major, current.minor, current.patch);
        let (major, minor, patch) = match (self, major) {
            (Bump::None, _) => (major, minor, patch),
            (Bump::Major, 0) => (0, minor + 1, 0),
            (Bump::Minor | Bump::Patch, 0) => (0, minor, patch + 1),
            (Bump::Major, _) => (major + 1, 0, 0),
            (Bump::Minor, _) => (major, minor + 1, 0),
            (Bump::Patch, _) => (major, minor, patch + 1),
        };
        semver::Version::new(major, minor, patch)
    }

    pub(super) fn label(self) -> &'static str {
        match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        }
    }
}

/// Every change between two sets of events, events in type order, changes
/// within an event in schema order.
#[derive(Debug, Clone)]
pub struct Report {
    /// How the old set was named on the command line.
    pub old_label: String,
    /// How the new set was named.
    pub new_label: String,
    /// Number of events in the old set.
    pub old_events: usize,
    /// Number of events in the new set.
    pub new_events: usize,
    /// The changes.
    pub changes: Vec<Change>,
}

/// Compares two sets of events (see [`crate::webhooks::events::find`]).
pub fn compare(
    old: &BTreeMap<String, Event>,
    new: &BTreeMap<String, Event>,
    old_label: &str,
    new_label: &str,
) -> Report {
    let mut changes = Vec::new();
    let mut types: Vec<&String> = old.keys().chain(new.keys()).collect();
    types.sort();
    types.dedup();
    for event in types {
        match (old.get(event), new.get(event)) {
            (Some(_), None) => changes.push(Change {
                event: event.clone(),
                path: String::new(),
                what: "event removed".into(),
                impact: Impact::Breaking,
            }),
            (None, Some(_)) => changes.push(Change {
                event: event.clone(),
                path: String::new(),
                what: "event added".into(),
                impact: Impact::Additive,
            }),
            (Some(a), Some(b)) => {
                compare_schemas(event, &a.expanded, &b.expanded, "", &mut changes)
            }
            (None, None) => {}
        }
    }
    Report {
        old_label: old_label.to_string(),
        new_label: new_label.to_string(),
        old_events: old.len(),
        new_events: new.len(),
        changes,
    }
}

/// Appends the changes from `old` to `new` (two expanded schemas) under
/// `path`.
pub fn compare_schemas(event: &str, old: &Value, new: &Value, path: &str, out: &mut Vec<Change>) {
    if description_text(old) != description_text(new) {
        let what = match (description_text(old), description_text(new)) {
            (None, Some(_)) => "description added",
            (Some(_), None) => "description removed",
            _ => "description changed",
        };
        push_at(out, event, path, what.into(), Impact::Docs);
    }
    let deprecated = |v: &Value| v.get("deprecated") == Some(&Value::Bool(true));
    if deprecated(old) != deprecated(new) {
        let what = if deprecated(new) {
            "now deprecated"
        } else {
            "no longer deprecated"
        };
        push_at(out, event, path, what.into(), Impact::Docs);
    }

    // Validation the types do not enforce, at this node (its children are
    // compared below).
    let validation_keys = old
        .as_object()
        .into_iter()
        .chain(new.as_object())
        .flat_map(|map| map.keys())
        .filter(|key| {
            !keywords::shapes_types(key) && keywords::role(key) != Some(Role::Documentation)
        });
    let mut seen = Vec::new();
    for key in validation_keys {
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        let (a, b) = (old.get(key), new.get(key));
        if a.map(shape) != b.map(shape) {
            let show = |v: Option<&Value>| v.map_or("absent".to_string(), |v| v.to_string());
            push_at(
                out,
                event,
                path,
                format!("`{key}` changed from {} to {}", show(a), show(b)),
                Impact::Validation,
            );
        }
    }

    let (old_shape, new_shape) = (type_shape(old), type_shape(new));
    if old_shape != new_shape {
        let (rest_old, rest_new) = (outer_rules(&old_shape), outer_rules(&new_shape));
        if rest_old != rest_new || kind_changed(old, new) {
            push_at(
                out,
                event,
                path,
                format!("type changed from {} to {}", describe(old), describe(new)),
                Impact::Breaking,
            );
            return;
        }
        if let (Some(a), Some(b)) = (old.get("const"), new.get("const")) {
            if a != b {
                push_at(
                    out,
                    event,
                    path,
                    format!("value changed from {a} to {b}"),
                    Impact::Breaking,
                );
            }
        }
        if let (Some(Value::Array(a)), Some(Value::Array(b))) = (old.get("enum"), new.get("enum")) {
            let added: Vec<String> = b
                .iter()
                .filter(|v| !a.contains(v))
                .map(Value::to_string)
                .collect();
            let removed: Vec<String> = a
                .iter()
                .filter(|v| !b.contains(v))
                .map(Value::to_string)
                .collect();
            if !added.is_empty() {
                push_at(
                    out,
                    event,
                    path,
                    format!("enum values added: {}", added.join(", ")),
                    Impact::Additive,
                );
            }
            if !removed.is_empty() {
                push_at(
                    out,
                    event,
                    path,
                    format!("enum values removed: {}", removed.join(", ")),
                    Impact::Breaking,
                );
            }
        }
        let required = |v: &Value, name: &str| {
            v.get("required")
                .and_then(Value::as_array)
                .is_some_and(|r| r.iter().any(|x| x == name))
        };
        let empty = serde_json::Map::new();
        let props = |v: &'_ Value| -> serde_json::Map<String, Value> {
            v.get("properties")
                .and_then(Value::as_object)
                .unwrap_or(&empty)
                .clone()
        };
        let (old_props, new_props) = (props(old), props(new));
        for (name, old_prop) in &old_props {
            let at = field_path(path, name);
            match new_props.get(name) {
                None => push_at(out, event, &at, "field removed".into(), Impact::Breaking),
                Some(new_prop) => {
                    match (required(old, name), required(new, name)) {
                        (true, false) => push_at(
                            out,
                            event,
                            &at,
                            "now optional (`T` becomes `Option<T>`)".into(),
                            Impact::Breaking,
                        ),
                        (false, true) => push_at(
                            out,
                            event,
                            &at,
                            "now required (payloads without it are rejected; `Option<T>` becomes `T`)"
                                .into(),
                            Impact::Breaking,
                        ),
                        _ => {}
                    }
                    compare_schemas(event, old_prop, new_prop, &at, out);
                }
            }
        }
        for (name, new_prop) in &new_props {
            if !old_props.contains_key(name) {
                let what = if required(new, name) {
                    format!(
                        "required field added: {} (payloads without it are rejected)",
                        describe(new_prop)
                    )
                } else {
                    format!(
                        "optional field added: {} (a new public struct field)",
                        describe(new_prop)
                    )
                };
                push_at(out, event, &field_path(path, name), what, Impact::Breaking);
            }
        }
        compare_children(event, old, new, path, out);
    } else {
        for (name, old_prop) in old
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if let Some(new_prop) = new.get("properties").and_then(|p| p.get(name)) {
                compare_schemas(event, old_prop, new_prop, &field_path(path, name), out);
            }
        }
        compare_children(event, old, new, path, out);
    }
}

/// Items, tuple members and union alternatives, compared pairwise.
fn compare_children(event: &str, old: &Value, new: &Value, path: &str, out: &mut Vec<Change>) {
    if let (Some(a), Some(b)) = (old.get("items"), new.get("items")) {
        if a.is_object() && b.is_object() {
            compare_schemas(event, a, b, &format!("{path}[]"), out);
        }
    }
    for keyword in ["anyOf", "oneOf", "allOf", "prefixItems"] {
        if let (Some(Value::Array(a)), Some(Value::Array(b))) = (old.get(keyword), new.get(keyword))
        {
            for (i, (a, b)) in a.iter().zip(b).enumerate() {
                let at = if keyword == "prefixItems" {
                    format!("{path}[{i}]")
                } else {
                    path.to_string()
                };
                compare_schemas(event, a, b, &at, out);
            }
        }
    }
}

fn push_at(out: &mut Vec<Change>, event: &str, path: &str, what: String, impact: Impact) {
    out.push(Change {
        event: event.to_string(),
        path: path.to_string(),
        what,
        impact,
    });
}

/// The keywords of a shape that [`compare_schemas`] does not look into
/// member by member: when these differ, the type as a whole changed.
fn outer_rules(shape: &Value) -> Value {
    let mut shape = shape.clone();
    if let Value::Object(map) = &mut shape {
        for key in [
            "properties",
            "required",
            "enum",
            "const",
            "items",
            "anyOf",
            "oneOf",
            "allOf",
            "prefixItems",
        ] {
            map.shift_remove(key);
        }
    }
    shape
}

/// Whether the schema's kind (constant, enum, union of n alternatives,
/// tuple of n) changed, which [`outer_rules`] alone cannot see.
fn kind_changed(old: &Value, new: &Value) -> bool {
    let has = |v: &Value, k: &str| v.get(k).is_some();
    let len = |v: &Value, k: &str| v.get(k).and_then(Value::as_array).map(Vec::len);
    ["const", "enum", "items", "properties"]
        .iter()
        .any(|k| has(old, k) != has(new, k))
        || ["anyOf", "oneOf", "allOf", "prefixItems"]
            .iter()
            .any(|k| len(old, k) != len(new, k))
}

/// A short description of a schema's type, for messages.
pub fn describe(schema: &Value) -> String {
    if let Some(constant) = schema.get("const") {
        return format!("the constant {constant}");
    }
    if let Some(Value::Array(values)) = schema.get("enum") {
        let values: Vec<String> = values.iter().map(Value::to_string).collect();
        return format!("one of {}", values.join(", "));
    }
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        return format!("a reference to {reference}");
    }
    for keyword in ["oneOf", "anyOf"] {
        if let Some(Value::Array(members)) = schema.get(keyword) {
            let members: Vec<String> = members.iter().map(describe).collect();
            return format!("({})", members.join(" | "));
        }
    }
    let base = match schema.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" or "),
        _ if schema.get("properties").is_some() => "object".into(),
        _ => "any value".into(),
    };
    let base = match schema.get("format").and_then(Value::as_str) {
        Some(format) => format!("{base} ({format})"),
        None => base,
    };
    match schema.get("items") {
        Some(items) if items.is_object() => format!("array of {}", describe(items)),
        _ => base,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn changes(old: Value, new: Value) -> Vec<(String, String, Impact)> {
        let mut out = Vec::new();
        compare_schemas("e", &old, &new, "", &mut out);
        out.into_iter()
            .map(|c| (c.path, c.what, c.impact))
            .collect()
    }

    fn object(required: &[&str], properties: Value) -> Value {
        json!({"type": "object", "required": required, "properties": properties})
    }

    #[test]
    fn validation_only_changes_need_no_bump() {
        let old = object(
            &["id"],
            json!({"id": {"type": "string", "maxLength": 10, "pattern": "^a"}}),
        );
        let new = object(
            &["id"],
            json!({"id": {"type": "string", "maxLength": 20, "pattern": "^a"}}),
        );
        assert_eq!(
            changes(old.clone(), new),
            [(
                "id".into(),
                "`maxLength` changed from 10 to 20".into(),
                Impact::Validation
            )]
        );
        // Added and removed, and `not` (also not enforced).
        let new = object(
            &["id"],
            json!({"id": {"type": "string", "not": {"const": "x"}, "pattern": "^a"}}),
        );
        let found = changes(old, new);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found
            .iter()
            .all(|(_, _, impact)| *impact == Impact::Validation));
        let report = Report {
            old_label: "a".into(),
            new_label: "b".into(),
            old_events: 1,
            new_events: 1,
            changes: found
                .into_iter()
                .map(|(path, what, impact)| Change {
                    event: "e".into(),
                    path,
                    what,
                    impact,
                })
                .collect(),
        };
        assert_eq!(report.bump(), Bump::None);
        assert!(report
            .to_text(None)
            .contains("0 breaking, 0 additive, 0 docs, 2 validation"));
        // A type change beside a validation change is still breaking.
        let found = changes(
            json!({"type": "string", "maxLength": 10}),
            json!({"type": "integer", "maxLength": 20}),
        );
        assert!(found
            .iter()
            .any(|(_, what, impact)| *impact == Impact::Breaking
                && what == "type changed from string to integer"));
    }

    #[test]
    fn equal_schemas_have_no_changes() {
        let a = object(&["id"], json!({"id": {"type": "string"}}));
        assert!(changes(a.clone(), a).is_empty());
    }

    #[test]
    fn wording_and_whitespace() {
        let a = json!({"description": "One\ntwo.", "type": "string"});
        let b = json!({"description": "One two.", "type": "string"});
        assert!(changes(a.clone(), b).is_empty());
        let c = json!({"description": "Three.", "type": "string"});
        assert_eq!(
            changes(a, c),
            [("".into(), "description changed".into(), Impact::Docs)]
        );
    }

    #[test]
    fn fields_added_removed_and_required() {
        let old = object(
            &["a", "b"],
            json!({"a": {"type": "string"}, "b": {"type": "string"}, "c": {"type": "string"}}),
        );
        let new = object(
            &["a", "c", "d"],
            json!({"a": {"type": "string"}, "c": {"type": "string"}, "d": {"type": "integer"}, "e": {"type": "boolean"}}),
        );
        let found = changes(old, new);
        let summary: Vec<(&str, &str)> = found
            .iter()
            .map(|(p, w, _)| (p.as_str(), w.split(' ').next().unwrap()))
            .collect();
        assert_eq!(
            summary,
            [
                ("b", "field"),
                ("c", "now"),
                ("d", "required"),
                ("e", "optional")
            ]
        );
        assert!(found.iter().all(|c| c.2 == Impact::Breaking));
        assert!(found[2].1.contains("integer"), "{:?}", found[2]);
    }

    #[test]
    fn required_to_optional_is_breaking() {
        let old = object(&["a"], json!({"a": {"type": "string"}}));
        let new = object(&[], json!({"a": {"type": "string"}}));
        assert_eq!(
            changes(old, new),
            [(
                "a".into(),
                "now optional (`T` becomes `Option<T>`)".into(),
                Impact::Breaking
            )]
        );
    }

    #[test]
    fn enum_values_added_are_additive_and_removed_breaking() {
        let old = json!({"type": "string", "enum": ["a", "b"]});
        let new = json!({"type": "string", "enum": ["a", "c", "d"]});
        assert_eq!(
            changes(old, new),
            [
                (
                    "".into(),
                    "enum values added: \"c\", \"d\"".into(),
                    Impact::Additive
                ),
                (
                    "".into(),
                    "enum values removed: \"b\"".into(),
                    Impact::Breaking
                ),
            ]
        );
    }

    #[test]
    fn a_constant_that_grows_a_second_value_changes_type() {
        let found = changes(json!({"const": "a"}), json!({"enum": ["a", "b"]}));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].2, Impact::Breaking);
        assert!(found[0]
            .1
            .starts_with("type changed from the constant \"a\" to one of"));
    }

    #[test]
    fn type_changes_inside_arrays_and_open_enums_are_located() {
        let old = object(
            &[],
            json!({"h": {"type": "array", "items": object(&[], json!({"n": {"type": "string"}}))},
                   "s": {"anyOf": [{"type": "string", "enum": ["rtp", "srtp"]}, {"type": "string"}]}}),
        );
        let new = object(
            &[],
            json!({"h": {"type": "array", "items": object(&[], json!({"n": {"type": "integer"}}))},
                   "s": {"anyOf": [{"type": "string", "enum": ["rtp", "srtp", "zrtp"]}, {"type": "string"}]}}),
        );
        assert_eq!(
            changes(old, new),
            [
                (
                    "h[].n".into(),
                    "type changed from string to integer".into(),
                    Impact::Breaking
                ),
                (
                    "s".into(),
                    "enum values added: \"zrtp\"".into(),
                    Impact::Additive
                ),
            ]
        );
    }

    #[test]
    fn bumps_follow_cargo_rules_below_and_above_one() {
        let v = |s: &str| semver::Version::parse(s).unwrap();
        assert_eq!(Bump::Major.apply(&v("0.3.2")), v("0.4.0"));
        assert_eq!(Bump::Minor.apply(&v("0.3.2")), v("0.3.3"));
        assert_eq!(Bump::Patch.apply(&v("0.3.2")), v("0.3.3"));
        assert_eq!(Bump::Major.apply(&v("1.3.2")), v("2.0.0"));
        assert_eq!(Bump::Minor.apply(&v("1.3.2")), v("1.4.0"));
        assert_eq!(Bump::Patch.apply(&v("1.3.2")), v("1.3.3"));
        assert_eq!(Bump::None.apply(&v("1.3.2")), v("1.3.2"));
    }
}
