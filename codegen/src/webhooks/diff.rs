//! Change reports between two versions of a schema, for the reviewer of an
//! update: what changed in the generated Rust API, what it does to users,
//! and the version bump that implies.
//!
//! Both versions are lowered with the same options and their models
//! compared (`api_diff.rs`), so an impact follows from what happened to the
//! Rust types, never from a guess about keywords. Two forms:
//!
//! - [`compare_types`]: any JSON Schema or OpenAPI document; the subjects
//!   are its definitions, matched by Rust name;
//! - [`compare_events`]: webhook events (see [`crate::webhooks::events`]),
//!   matched by event type whatever the files are called, so our `schema/`
//!   can be compared with an upstream OpenAPI document.
//!
//! | change in the model | impact | why |
//! |---|---|---|
//! | subject added | additive | a new public type (a new variant of the `#[non_exhaustive]` event union) |
//! | subject removed | breaking | its type disappears |
//! | field added (optional or required) | breaking | structs have public fields and are exhaustive: struct literals stop compiling |
//! | field removed, renamed in Rust, or its Rust type changed (`u8` → `u16`, `T` ↔ `Option<T>`, another type) | breaking | |
//! | required → has a default | additive | documents without it are now read |
//! | default removed or changed, optional ↔ defaulted | breaking | |
//! | enum value, union variant or accessor added, on a `#[non_exhaustive]` type | additive | |
//! | the same on an exhaustive type (a set of non-string values) | breaking | a `match` stops compiling |
//! | enum value, variant or accessor removed; constant changed; tag changed | breaking | |
//! | `Eq`/`Hash` lost / gained | breaking / additive | |
//! | unknown properties now rejected / accepted | breaking / additive | |
//! | description or `deprecated` changed | docs | |
//! | the model is identical but the schema differs (`maxLength`, `pattern`, a `minimum` within the same integer width, `uniqueItems` without `--unique-items-as-set`, a `format` mapped to nothing) | validation, not enforced | the Rust is identical |

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::Value;

use super::api_diff::{self, Names, Side, Walk};
use crate::error::Error;
use crate::load::{NodeRef, SchemaSet};
use crate::model::TypeId;
use crate::Config;

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
    /// The subject: the event type, such as `batch.cancelled`, or the
    /// Rust name of a definition.
    pub event: String,
    /// Where in the subject, as `data.sip_headers[].name`; empty for the
    /// subject itself.
    pub path: String,
    /// What changed, in a few words.
    pub what: String,
    /// Its impact on Rust users.
    pub impact: Impact,
    /// Where, as `file#/json/pointer` (in the new version; in the old one
    /// for what was removed).
    pub pointer: String,
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
    /// What the subjects are.
    pub subjects: Subjects,
    /// How the old set was named on the command line.
    pub old_label: String,
    /// How the new set was named.
    pub new_label: String,
    /// Number of subjects in the old set.
    pub old_events: usize,
    /// Number of subjects in the new set.
    pub new_events: usize,
    /// The changes.
    pub changes: Vec<Change>,
}

/// What a report compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subjects {
    /// Webhook events, by event type.
    Events,
    /// Definitions, by Rust type name.
    Types,
}

impl Subjects {
    /// The plural noun (`events`, `types`).
    pub(super) fn noun(self) -> &'static str {
        match self {
            Subjects::Events => "events",
            Subjects::Types => "types",
        }
    }

    /// The change that adds a subject.
    pub(super) fn added(self) -> &'static str {
        match self {
            Subjects::Events => "event added",
            Subjects::Types => "type added",
        }
    }

    /// The change that removes a subject.
    pub(super) fn removed(self) -> &'static str {
        match self {
            Subjects::Events => "event removed",
            Subjects::Types => "type removed",
        }
    }
}

/// Lowers `set` as `config` would generate it, with `extra_roots` lowered
/// as named types too.
fn lower(
    set: &SchemaSet,
    config: &Config,
    extra_roots: Vec<NodeRef>,
) -> Result<crate::lower::Lowered, Error> {
    let mut options = config.options.clone();
    options.extra_roots = extra_roots;
    crate::lower_on_big_stack(set, &options)
}

/// Compares the definitions of two versions of a schema (a file or folder
/// of JSON Schema, or an OpenAPI document), each generated with `config`.
/// Definitions are matched by Rust name; each is walked with the types it
/// holds inline, and a definition it refers to reports its own changes.
pub fn compare_types(
    old: &SchemaSet,
    new: &SchemaSet,
    config: &Config,
    old_label: &str,
    new_label: &str,
) -> Result<Report, Error> {
    let (lowered_old, lowered_new) = (
        lower(old, config, Vec::new())?,
        lower(new, config, Vec::new())?,
    );
    let definitions = |lowered: &crate::lower::Lowered| -> BTreeMap<String, TypeId> {
        lowered
            .space
            .types
            .iter()
            .enumerate()
            .filter(|(i, def)| {
                crate::keywords::is_definition_pointer(&def.origin.pointer)
                    && lowered.by_node.get(&def.origin) == Some(&TypeId(*i))
            })
            .map(|(i, def)| (def.name.clone(), TypeId(i)))
            .collect()
    };
    let (defs_old, defs_new) = (definitions(&lowered_old), definitions(&lowered_new));
    let roots = |defs: &BTreeMap<String, TypeId>| defs.values().map(|id| id.0).collect();
    let side_old = Side {
        space: &lowered_old.space,
        roots: roots(&defs_old),
    };
    let side_new = Side {
        space: &lowered_new.space,
        roots: roots(&defs_new),
    };
    let mut names: Vec<&String> = defs_old.keys().chain(defs_new.keys()).collect();
    names.sort();
    names.dedup();
    let mut changes = Vec::new();
    for name in names {
        match (defs_old.get(name), defs_new.get(name)) {
            (Some(a), None) => changes.push(subject_change(
                name,
                Subjects::Types.removed(),
                Impact::Breaking,
                &lowered_old.space.get(*a).origin,
            )),
            (None, Some(b)) => changes.push(subject_change(
                name,
                Subjects::Types.added(),
                Impact::Additive,
                &lowered_new.space.get(*b).origin,
            )),
            (Some(a), Some(b)) => {
                let mut walk = Walk::new(&side_old, &side_new, Names::Compared, name);
                walk.types(*a, *b, "");
                let (na, nb) = (
                    &lowered_old.space.get(*a).origin,
                    &lowered_new.space.get(*b).origin,
                );
                let (va, vb) = (
                    old.get(na).unwrap_or(&Value::Null),
                    new.get(nb).unwrap_or(&Value::Null),
                );
                let mut found = walk.changes;
                validation(name, va, vb, nb, &mut found);
                changes.append(&mut found);
            }
            (None, None) => {}
        }
    }
    Ok(Report {
        subjects: Subjects::Types,
        old_label: old_label.to_string(),
        new_label: new_label.to_string(),
        old_events: defs_old.len(),
        new_events: defs_new.len(),
        changes,
    })
}

/// Compares the webhook events of two versions (schema folders or OpenAPI
/// documents, in any combination), each generated with `config`. Events
/// are matched by event type and compared shape by shape: the names of the
/// types inside do not matter, only what they hold.
pub fn compare_events(
    old: &SchemaSet,
    new: &SchemaSet,
    config: &Config,
    old_label: &str,
    new_label: &str,
) -> Result<Report, Error> {
    let (events_old, events_new) = (super::events::find(old)?, super::events::find(new)?);
    let nodes = |events: &BTreeMap<String, super::events::Event>| {
        events.values().map(|e| e.node.clone()).collect::<Vec<_>>()
    };
    let lowered_old = lower(old, config, nodes(&events_old))?;
    let lowered_new = lower(new, config, nodes(&events_new))?;
    let side_old = Side {
        space: &lowered_old.space,
        roots: HashSet::new(),
    };
    let side_new = Side {
        space: &lowered_new.space,
        roots: HashSet::new(),
    };
    let root = |lowered: &crate::lower::Lowered, event: &super::events::Event| {
        lowered.by_node.get(&event.node).copied()
    };
    let mut types: Vec<&String> = events_old.keys().chain(events_new.keys()).collect();
    types.sort();
    types.dedup();
    let mut changes = Vec::new();
    for event in types {
        match (events_old.get(event), events_new.get(event)) {
            (Some(a), None) => changes.push(subject_change(
                event,
                Subjects::Events.removed(),
                Impact::Breaking,
                &a.node,
            )),
            (None, Some(b)) => changes.push(subject_change(
                event,
                Subjects::Events.added(),
                Impact::Additive,
                &b.node,
            )),
            (Some(a), Some(b)) => {
                let mut found = match (root(&lowered_old, a), root(&lowered_new, b)) {
                    (Some(ta), Some(tb)) => {
                        let mut walk = Walk::new(&side_old, &side_new, Names::Ignored, event);
                        walk.types(ta, tb, "");
                        walk.changes
                    }
                    _ => Vec::new(),
                };
                validation(event, &a.expanded, &b.expanded, &b.node, &mut found);
                changes.append(&mut found);
            }
            (None, None) => {}
        }
    }
    Ok(Report {
        subjects: Subjects::Events,
        old_label: old_label.to_string(),
        new_label: new_label.to_string(),
        old_events: events_old.len(),
        new_events: events_new.len(),
        changes,
    })
}

fn subject_change(subject: &str, what: &str, impact: Impact, at: &NodeRef) -> Change {
    Change {
        event: subject.to_string(),
        path: String::new(),
        what: what.to_string(),
        impact,
        pointer: at.location().to_string(),
    }
}

/// Appends, as validation the types do not enforce, what differs between
/// the two schemas of a subject at the places where the model comparison
/// (`found`, so far) saw nothing.
fn validation(subject: &str, old: &Value, new: &Value, at: &NodeRef, found: &mut Vec<Change>) {
    let changed: HashMap<String, ()> = found
        .iter()
        .filter(|c| c.impact != Impact::Docs)
        .map(|c| (c.path.clone(), ()))
        .collect();
    // Inside or around a place the model changed, the schema's changes
    // are that change's cause (a `required` list beside a field that became
    // optional): not repeated.
    let within = |inner: &str, outer: &str| {
        outer.is_empty()
            || inner == outer
            || inner.starts_with(&format!("{outer}."))
            || inner.starts_with(&format!("{outer}["))
    };
    let skip = |path: &str| changed.keys().any(|p| within(path, p) || within(p, path));
    let mut out = Vec::new();
    api_diff::validation_changes(old, new, "", at, &skip, &mut out);
    for (path, node, what) in out {
        found.push(Change {
            event: subject.to_string(),
            path,
            what,
            impact: Impact::Validation,
            pointer: node.location().to_string(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The changes between two versions of the definition `T` (with `U`
    /// beside it when given), generated with `config`.
    fn changes_with(config: &Config, old: Value, new: Value) -> Vec<(String, String, Impact)> {
        let set = |t: Value| {
            SchemaSet::from_documents([("s.json".to_string(), json!({"$defs": {"T": t}}))]).unwrap()
        };
        compare_types(&set(old), &set(new), config, "old", "new")
            .unwrap()
            .changes
            .into_iter()
            .map(|c| (c.path, c.what, c.impact))
            .collect()
    }

    fn changes(old: Value, new: Value) -> Vec<(String, String, Impact)> {
        changes_with(&Config::default(), old, new)
    }

    fn impacts(found: &[(String, String, Impact)]) -> Vec<Impact> {
        found.iter().map(|c| c.2).collect()
    }

    fn object(required: &[&str], properties: Value) -> Value {
        json!({"type": "object", "required": required, "properties": properties})
    }

    #[test]
    fn a_range_that_widens_an_integer_is_a_type_change() {
        // The case the keyword roles got wrong: `maximum` picks the width.
        let found = changes(
            object(
                &["n"],
                json!({"n": {"type": "integer", "minimum": 0, "maximum": 200}}),
            ),
            object(
                &["n"],
                json!({"n": {"type": "integer", "minimum": 0, "maximum": 300}}),
            ),
        );
        assert_eq!(
            found,
            [(
                "n".into(),
                "type changed from `u8` to `u16`".into(),
                Impact::Breaking
            )]
        );
        // Within the same width: validation only.
        let found = changes(
            object(
                &["n"],
                json!({"n": {"type": "integer", "minimum": 0, "maximum": 20}}),
            ),
            object(
                &["n"],
                json!({"n": {"type": "integer", "minimum": 0, "maximum": 30}}),
            ),
        );
        assert_eq!(
            found,
            [(
                "n".into(),
                "`maximum` changed from 20 to 30".into(),
                Impact::Validation
            )]
        );
    }

    #[test]
    fn unique_items_changes_the_type_only_when_the_option_says_so() {
        let old = object(
            &["s"],
            json!({"s": {"type": "array", "items": {"type": "string"}}}),
        );
        let new = object(
            &["s"],
            json!({"s": {"type": "array", "items": {"type": "string"}, "uniqueItems": true}}),
        );
        // Default options: still `Vec<String>`.
        assert_eq!(
            changes(old.clone(), new.clone()),
            [(
                "s".into(),
                "`uniqueItems` changed from absent to true".into(),
                Impact::Validation
            )]
        );
        let mut config = Config::default();
        config.unique_items_as_set(true);
        assert_eq!(
            changes_with(&config, old, new),
            [(
                "s".into(),
                "type changed from `Vec<String>` to `BTreeSet<String>`".into(),
                Impact::Breaking
            )]
        );
    }

    #[test]
    fn min_items_that_turns_a_tuple_into_a_tuple_struct_is_breaking() {
        let tuple = |min: u64| {
            object(
                &["p"],
                json!({"p": {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}], "items": false, "minItems": min}}),
            )
        };
        let found = changes(tuple(2), tuple(1));
        assert_eq!(impacts(&found), [Impact::Breaking], "{found:?}");
        assert!(
            found[0]
                .1
                .starts_with("type changed from `(String, i64)` to `T"),
            "{found:?}"
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
            .filter(|c| c.2 != Impact::Validation)
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
        assert!(found.iter().all(|c| c.2 == Impact::Breaking), "{found:?}");
        assert!(found[2].1.contains("`d: i64`"), "{:?}", found[2]);
        assert!(
            found[1].1.contains("`Option<String>` becomes `String`"),
            "{:?}",
            found[1]
        );
    }

    #[test]
    fn required_to_optional_is_breaking_and_to_defaulted_additive() {
        let req = object(&["a"], json!({"a": {"type": "string"}}));
        let opt = object(&[], json!({"a": {"type": "string"}}));
        let def = object(&[], json!({"a": {"type": "string", "default": "x"}}));
        assert_eq!(
            changes(req.clone(), opt),
            [(
                "a".into(),
                "now optional (`String` becomes `Option<String>`)".into(),
                Impact::Breaking
            )]
        );
        let found = changes(req.clone(), def.clone());
        assert!(found.contains(&(
            "a".into(),
            "now has a default (documents without it are accepted)".into(),
            Impact::Additive
        )));
        assert!(!impacts(&found).contains(&Impact::Breaking), "{found:?}");
        let found = changes(def.clone(), req);
        assert!(impacts(&found).contains(&Impact::Breaking), "{found:?}");
        let other = object(&[], json!({"a": {"type": "string", "default": "y"}}));
        assert!(changes(def, other)
            .iter()
            .any(|c| c.1.starts_with("default changed") && c.2 == Impact::Breaking));
    }

    #[test]
    fn enum_values_added_are_additive_and_removed_breaking() {
        let found = changes(
            json!({"type": "string", "enum": ["a", "b"]}),
            json!({"type": "string", "enum": ["a", "c", "d"]}),
        );
        assert_eq!(
            found,
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
        // A set of non-string values is exhaustive: an added value breaks
        // a `match`.
        let found = changes(json!({"enum": [1, 2]}), json!({"enum": [1, 2, 3]}));
        assert_eq!(
            found,
            [("".into(), "enum values added: 3".into(), Impact::Breaking)]
        );
    }

    #[test]
    fn constants_and_kinds() {
        assert_eq!(
            changes(json!({"const": "a"}), json!({"const": "b"})),
            [(
                "".into(),
                "value changed from \"a\" to \"b\"".into(),
                Impact::Breaking
            )]
        );
        let found = changes(json!({"const": "a"}), json!({"enum": ["a", "b"]}));
        assert_eq!(
            found,
            [(
                "".into(),
                "type changed from constant `T` to enum `T`".into(),
                Impact::Breaking
            )]
        );
    }

    #[test]
    fn docs_and_deprecation_are_docs() {
        let a = json!({"description": "One\ntwo.", "type": "string"});
        let b = json!({"description": "One two.", "type": "string"});
        assert!(changes(a.clone(), b).is_empty());
        let c = json!({"description": "Three.", "type": "string", "deprecated": true});
        assert_eq!(
            changes(a, c),
            [
                ("".into(), "description changed".into(), Impact::Docs),
                ("".into(), "now deprecated".into(), Impact::Docs)
            ]
        );
    }

    #[test]
    fn validation_only_changes_need_no_bump() {
        let old = object(
            &["id"],
            json!({"id": {"type": "string", "maxLength": 10, "pattern": "^a"}}),
        );
        let new = object(
            &["id"],
            json!({"id": {"type": "string", "maxLength": 20, "not": {"const": "x"}}}),
        );
        let found = changes(old, new);
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found.iter().all(|c| c.2 == Impact::Validation), "{found:?}");
        // A type change beside a validation change: the type change only.
        let found = changes(
            object(&["n"], json!({"n": {"type": "string", "maxLength": 10}})),
            object(&["n"], json!({"n": {"type": "integer", "maxLength": 20}})),
        );
        assert_eq!(
            found,
            [(
                "n".into(),
                "type changed from `String` to `i64`".into(),
                Impact::Breaking
            )]
        );
    }

    #[test]
    fn closing_an_object_and_losing_eq_are_breaking() {
        let open = object(&[], json!({"a": {"type": "integer"}}));
        let closed = json!({"type": "object", "properties": {"a": {"type": "integer"}}, "additionalProperties": false});
        assert_eq!(
            changes(open.clone(), closed.clone()),
            [(
                "".into(),
                "unknown properties are now rejected".into(),
                Impact::Breaking
            )]
        );
        assert_eq!(
            changes(closed, open.clone()),
            [(
                "".into(),
                "unknown properties are now accepted".into(),
                Impact::Additive
            )]
        );
        let float = object(&[], json!({"a": {"type": "number"}}));
        let found = changes(open, float);
        assert!(found.contains(&(
            "".into(),
            "`T` no longer implements `Eq` and `Hash`".into(),
            Impact::Breaking
        )));
        assert!(found.contains(&(
            "a".into(),
            "type changed from `i64` to `f64`".into(),
            Impact::Breaking
        )));
    }

    #[test]
    fn types_added_and_removed_and_equal_schemas() {
        let doc = |defs: Value| {
            SchemaSet::from_documents([("s.json".to_string(), json!({"$defs": defs}))]).unwrap()
        };
        let old = doc(json!({"A": {"type": "string"}, "B": {"type": "string"}}));
        let new = doc(json!({"A": {"type": "string"}, "C": {"type": "integer"}}));
        let report = compare_types(&old, &new, &Config::default(), "a", "b").unwrap();
        let found: Vec<(&str, &str, Impact, &str)> = report
            .changes
            .iter()
            .map(|c| {
                (
                    c.event.as_str(),
                    c.what.as_str(),
                    c.impact,
                    c.pointer.as_str(),
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                ("B", "type removed", Impact::Breaking, "s.json#/$defs/B"),
                ("C", "type added", Impact::Additive, "s.json#/$defs/C"),
            ]
        );
        assert_eq!(report.bump(), Bump::Major);
        let text = report.to_text(None);
        assert!(
            text.starts_with(
                "Schema changes: a → b\n2 types → 2 types: 1 added, 1 removed, 0 changed"
            ),
            "{text}"
        );
        let same = compare_types(&old, &old, &Config::default(), "a", "a").unwrap();
        assert!(same.changes.is_empty());
        assert_eq!(same.bump(), Bump::None);
    }

    #[test]
    fn a_referenced_definition_reports_its_own_changes_once() {
        let doc = |width: &str| {
            SchemaSet::from_documents([(
                "s.json".to_string(),
                json!({"$defs": {
                    "A": {"type": "object", "properties": {"b": {"$ref": "#/$defs/B"}}},
                    "C": {"type": "object", "properties": {"b": {"$ref": "#/$defs/B"}}},
                    "B": {"type": "object", "properties": {"n": {"type": width}}}
                }}),
            )])
            .unwrap()
        };
        let report = compare_types(
            &doc("string"),
            &doc("boolean"),
            &Config::default(),
            "a",
            "b",
        )
        .unwrap();
        let found: Vec<(&str, &str)> = report
            .changes
            .iter()
            .map(|c| (c.event.as_str(), c.path.as_str()))
            .collect();
        assert_eq!(found, [("B", "n")]);
    }

    #[test]
    fn union_variants_added_are_additive() {
        let doc = |members: Value| {
            SchemaSet::from_documents([(
                "s.json".to_string(),
                json!({"$defs": {
                    "U": {"oneOf": members},
                    "A": {"type": "object", "required": ["t"], "properties": {"t": {"const": "a"}}},
                    "B": {"type": "object", "required": ["t"], "properties": {"t": {"const": "b"}}}
                }}),
            )])
            .unwrap()
        };
        let old = doc(json!([{"$ref": "#/$defs/A"}]));
        let new = doc(json!([{"$ref": "#/$defs/A"}, {"$ref": "#/$defs/B"}]));
        let report = compare_types(&old, &new, &Config::default(), "a", "b").unwrap();
        let found: Vec<(&str, &str, Impact)> = report
            .changes
            .iter()
            .map(|c| (c.event.as_str(), c.what.as_str(), c.impact))
            .collect();
        assert_eq!(found, [("U", "variant added: `B` (b)", Impact::Additive)]);
        let back = compare_types(&new, &old, &Config::default(), "a", "b").unwrap();
        assert_eq!(back.bump(), Bump::Major);
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
