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

use std::collections::{BTreeMap, HashSet};

use serde_json::Value;

use super::api_diff::{Names, Side, Walk};
use super::events::Event;
use super::schema_changes;
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
    let side_old = Side {
        space: &lowered_old.space,
        roots: defs_old.values().map(|id| id.0).collect(),
    };
    let side_new = Side {
        space: &lowered_new.space,
        roots: defs_new.values().map(|id| id.0).collect(),
    };
    let origin_old = |id: &TypeId| lowered_old.space.get(*id).origin.clone();
    let origin_new = |id: &TypeId| lowered_new.space.get(*id).origin.clone();
    let changes = subject_changes(
        Subjects::Types,
        &defs_old,
        &defs_new,
        (&origin_old, &origin_new),
        |name, a, b| {
            let mut walk = Walk::new(&side_old, &side_new, Names::Compared, name);
            walk.types(*a, *b, "");
            let (na, nb) = (origin_old(a), origin_new(b));
            let (va, vb) = (
                old.get(&na).unwrap_or(&Value::Null),
                new.get(&nb).unwrap_or(&Value::Null),
            );
            let mut found = walk.changes;
            validation(name, va, vb, &nb, &mut found);
            found
        },
    );
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
    let nodes = |events: &BTreeMap<String, Event>| {
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
    let node = |event: &Event| event.node.clone();
    let changes = subject_changes(
        Subjects::Events,
        &events_old,
        &events_new,
        (&node, &node),
        |event, a, b| {
            let roots = (
                lowered_old.by_node.get(&a.node),
                lowered_new.by_node.get(&b.node),
            );
            let mut found = match roots {
                (Some(ta), Some(tb)) => {
                    let mut walk = Walk::new(&side_old, &side_new, Names::Ignored, event);
                    walk.types(*ta, *tb, "");
                    walk.changes
                }
                _ => Vec::new(),
            };
            validation(event, &a.expanded, &b.expanded, &b.node, &mut found);
            found
        },
    );
    Ok(Report {
        subjects: Subjects::Events,
        old_label: old_label.to_string(),
        new_label: new_label.to_string(),
        old_events: events_old.len(),
        new_events: events_new.len(),
        changes,
    })
}

/// Where a subject is, in its version.
type NodeOf<'f, S> = &'f dyn Fn(&S) -> NodeRef;

/// The changes between two versions' subjects, in key order: one for each
/// subject removed (breaking) or added (additive), and what `pair` finds
/// between the two versions of each subject both have. `nodes` gives where
/// an old and a new subject are.
fn subject_changes<S>(
    kind: Subjects,
    old: &BTreeMap<String, S>,
    new: &BTreeMap<String, S>,
    nodes: (NodeOf<'_, S>, NodeOf<'_, S>),
    mut pair: impl FnMut(&str, &S, &S) -> Vec<Change>,
) -> Vec<Change> {
    let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut changes = Vec::new();
    for key in keys {
        match (old.get(key), new.get(key)) {
            (Some(a), None) => changes.push(subject_change(
                key,
                kind.removed(),
                Impact::Breaking,
                &nodes.0(a),
            )),
            (None, Some(b)) => changes.push(subject_change(
                key,
                kind.added(),
                Impact::Additive,
                &nodes.1(b),
            )),
            (Some(a), Some(b)) => changes.append(&mut pair(key, a, b)),
            (None, None) => {}
        }
    }
    changes
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
    let changed: HashSet<String> = found
        .iter()
        .filter(|c| c.impact != Impact::Docs)
        .map(|c| c.path.clone())
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
    let skip = |path: &str| changed.iter().any(|p| within(path, p) || within(p, path));
    let mut out = Vec::new();
    schema_changes::validation_changes(old, new, "", at, &skip, &mut out);
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
mod tests;
