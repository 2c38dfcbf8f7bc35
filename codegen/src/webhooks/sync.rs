//! `sync`: bring a schema directory in step with the webhook events of an
//! OpenAPI document.
//!
//! The directory's layout is the one `schema/` uses: one file per event at
//! `events/<type>.json` (a single `$defs` entry), the union of all events in
//! `webhook_event.json` (a `oneOf` of `$ref`s with a `discriminator`), and any
//! other file holding shared definitions (`common.json`). Events that already
//! exist are updated where they are, whatever their file.
//!
//! The rules:
//!
//! - an upstream event we lack is added, under `events/<type>.json`, as
//!   `<UpperCamelType>WebhookEvent`, and joins the union (in type order); a
//!   sub-schema whose shape equals a shared definition becomes a `$ref` to it;
//! - an event whose [`shape`] equals upstream's is left
//!   alone, byte for byte: our descriptions stay;
//! - an event whose shape differs takes upstream's structure (fields, types,
//!   `required`, enums) while keeping our description of every node that is
//!   still there; new or replaced nodes bring upstream's description, and the
//!   report counts them so that they can be reworded;
//! - events and fields we have that upstream lacks are reported and kept;
//!   `prune` removes them.

mod merge;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use heck::ToUpperCamelCase;
use serde_json::{json, Map, Value};

use crate::error::{Error, Location};
use crate::load::{NodeRef, SchemaSet};
use crate::webhooks::diff::{self, Change};
use crate::webhooks::events::{self, shape, Event};
use crate::webhooks::layout::{remove_definition, update_union};
use merge::Context;

/// The union file's name inside the schema directory.
pub const UNION_FILE: &str = "webhook_event.json";
/// The union's definition name when `sync` creates the file.
pub const UNION_NAME: &str = "WebhookEvent";

/// Options for [`sync`].
#[derive(Debug, Clone, Default)]
pub struct SyncOptions {
    /// Remove events and fields that upstream lacks (default: keep and report
    /// them).
    pub prune: bool,
    /// Compute and report, but write nothing.
    pub dry_run: bool,
}

/// What [`sync`] did (or, with `dry_run`, would do).
#[derive(Debug, Clone, Default)]
pub struct SyncReport {
    /// The OpenAPI document's display name.
    pub source: String,
    /// Number of events upstream.
    pub upstream_events: usize,
    /// Upstream events we lacked, now added.
    pub added: Vec<String>,
    /// Events whose structure was brought in line with upstream.
    pub updated: Vec<String>,
    /// Upstream events whose structure already matched ours (apart from
    /// fields only we have): left untouched.
    pub unchanged: Vec<String>,
    /// Events we have that upstream lacks (kept unless pruned).
    pub only_ours: Vec<String>,
    /// Fields we have that upstream lacks, as `(event, path)` (kept unless
    /// pruned).
    pub only_our_fields: Vec<(String, String)>,
    /// Every change to the schema directory, as `diff` would report it.
    pub changes: Vec<Change>,
    /// Descriptions copied from upstream into new or restructured nodes,
    /// as `(event, path)`: candidates for rewording.
    pub upstream_descriptions: Vec<(String, String)>,
    /// Files written (or, with `dry_run`, that would be).
    pub written: Vec<PathBuf>,
    /// Files removed by `prune` (or that would be).
    pub removed: Vec<PathBuf>,
}

/// A shared definition that new nodes may point to.
struct Shared {
    file: String,
    pointer: String,
    shape: Value,
}

/// Updates the schema directory `dir` from the webhook events of the OpenAPI
/// document `openapi` (see the module documentation).
pub fn sync(openapi: &Path, dir: &Path, options: &SyncOptions) -> Result<SyncReport, Error> {
    let upstream = SchemaSet::load(openapi)?;
    let source = upstream.entries().first().cloned().unwrap_or_default();
    let has_webhooks = upstream.files().any(|f| {
        upstream
            .document(f)
            .is_some_and(|d| d.as_value().get("webhooks").is_some())
    });
    if !has_webhooks {
        return Err(Error::at(
            Location::new(source, ""),
            "no `webhooks` section: sync reads the webhooks of an OpenAPI 3.1 document",
        ));
    }
    let theirs = events::find(&upstream)?;
    // Each new event becomes `events/<type>.json`: a type that is not a
    // plain file name is refused before anything is written.
    let unsafe_types: Vec<_> = theirs
        .iter()
        .filter_map(|(event_type, event)| {
            unsafe_file_name(event_type).map(|why| {
                crate::error::Diagnostic {
                    location: event.node.location(),
                    message: format!(
                        "the event type {event_type:?} cannot name a schema file ({why}); nothing was written"
                    ),
                }
            })
        })
        .collect();
    if !unsafe_types.is_empty() {
        return Err(Error::Schema(unsafe_types));
    }

    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        path: dir.display().to_string(),
        source,
    })?;
    let prefix = match dir
        .canonicalize()
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_owned()))
    {
        Some(name) => format!("{}/", name.to_string_lossy()),
        None => String::new(),
    };
    let ours_set = if has_schema_files(dir) {
        Some(SchemaSet::load(dir)?)
    } else {
        None
    };
    let ours = match &ours_set {
        Some(set) => events::find(set)?,
        None => BTreeMap::new(),
    };
    let mut docs: BTreeMap<String, Value> = BTreeMap::new();
    if let Some(set) = &ours_set {
        for file in set.files() {
            if let Some(doc) = set.document(file) {
                docs.insert(file.to_string(), doc.as_value().clone());
            }
        }
    }
    let union_file = format!("{prefix}{UNION_FILE}");
    let shared = shared_definitions(ours_set.as_ref(), &ours, &union_file)?;

    let mut report = SyncReport {
        source: source.clone(),
        upstream_events: theirs.len(),
        ..SyncReport::default()
    };
    let mut changed: BTreeSet<String> = BTreeSet::new();
    let mut new_members: Vec<(String, String)> = Vec::new();
    for (event_type, up) in &theirs {
        match ours.get(event_type) {
            None => {
                let file = format!("{prefix}events/{event_type}.json");
                if docs.contains_key(&file) {
                    return Err(Error::at(
                        Location::new(file, ""),
                        format!("this file exists but does not define the event `{event_type}`"),
                    ));
                }
                let name = format!("{}WebhookEvent", event_type.to_upper_camel_case());
                let mut context = Context::new(event_type, &shared, &file, options.prune);
                let converted = context.convert(&up.expanded, "");
                report
                    .upstream_descriptions
                    .append(&mut context.upstream_descriptions);
                let mut defs = Map::new();
                defs.insert(name.clone(), converted);
                docs.insert(
                    file.clone(),
                    json!({
                        "$schema": "https://json-schema.org/draft/2020-12/schema",
                        "$comment": format!(
                            "Structure from {source} (#{}), added by `sync`.",
                            up.node.location().pointer
                        ),
                        "$defs": defs,
                    }),
                );
                changed.insert(file.clone());
                new_members.push((file, name));
                report.added.push(event_type.clone());
            }
            Some(our) if shape(&our.expanded) == shape(&up.expanded) => {
                report.unchanged.push(event_type.clone());
            }
            Some(our) => {
                let raw = docs
                    .get(&our.node.file)
                    .and_then(|d| d.pointer(&our.node.pointer))
                    .cloned()
                    .unwrap_or(Value::Null);
                let mut context = Context::new(event_type, &shared, &our.node.file, options.prune);
                let merged = context.merge(&raw, &our.expanded, &up.expanded, "");
                report
                    .upstream_descriptions
                    .append(&mut context.upstream_descriptions);
                report.only_our_fields.append(&mut context.only_ours);
                let slot = docs
                    .get_mut(&our.node.file)
                    .and_then(|d| d.pointer_mut(&our.node.pointer));
                match slot {
                    Some(slot) if merged != raw => {
                        *slot = merged;
                        changed.insert(our.node.file.clone());
                        report.updated.push(event_type.clone());
                    }
                    _ => report.unchanged.push(event_type.clone()),
                }
            }
        }
    }

    let mut pruned_nodes = Vec::new();
    let mut deleted: BTreeSet<String> = BTreeSet::new();
    for (event_type, our) in &ours {
        if theirs.contains_key(event_type) {
            continue;
        }
        report.only_ours.push(event_type.clone());
        if options.prune {
            pruned_nodes.push(our.node.clone());
            if remove_definition(&mut docs, &our.node) {
                deleted.insert(our.node.file.clone());
                changed.remove(&our.node.file);
            } else {
                changed.insert(our.node.file.clone());
            }
        }
    }

    if !new_members.is_empty() || !pruned_nodes.is_empty() {
        update_union(&mut docs, &union_file, &new_members, &pruned_nodes)?;
        changed.insert(union_file.clone());
    }
    for file in &deleted {
        docs.remove(file);
    }

    // What changed, measured on the result rather than predicted.
    let after = SchemaSet::from_documents(docs.iter().map(|(k, v)| (k.clone(), v.clone())))?;
    let before = match &ours_set {
        Some(set) => set.clone(),
        None => SchemaSet::from_documents([])?,
    };
    report.changes =
        diff::compare_events(&before, &after, &crate::Config::default(), "", "")?.changes;

    let base = dir
        .canonicalize()
        .ok()
        .and_then(|d| d.parent().map(Path::to_path_buf))
        .unwrap_or_default();
    for file in &changed {
        let path = base.join(file);
        let text = to_json_text(&docs[file]);
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current == text {
            continue;
        }
        if !options.dry_run {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|source| Error::Io {
                    path: parent.display().to_string(),
                    source,
                })?;
            }
            std::fs::write(&path, text).map_err(|source| Error::Io {
                path: path.display().to_string(),
                source,
            })?;
        }
        report
            .written
            .push(dir.join(file.strip_prefix(&prefix).unwrap_or(file)));
    }
    for file in &deleted {
        let path = base.join(file);
        if !options.dry_run {
            std::fs::remove_file(&path).map_err(|source| Error::Io {
                path: path.display().to_string(),
                source,
            })?;
        }
        report
            .removed
            .push(dir.join(file.strip_prefix(&prefix).unwrap_or(file)));
    }
    Ok(report)
}

/// Why `name` is not a safe file name on every platform (`None` when it
/// is): path separators, `..`, control characters, characters Windows
/// refuses, names Windows reserves for devices, trailing dots and spaces.
fn unsafe_file_name(name: &str) -> Option<&'static str> {
    const RESERVED: &[&str] = &[
        "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
        "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    ];
    let stem = name.split('.').next().unwrap_or(name);
    if name.is_empty() {
        Some("it is empty")
    } else if name.contains(['/', '\\']) {
        Some("it holds a path separator")
    } else if name.contains("..") {
        Some("it holds `..`")
    } else if name.chars().any(char::is_control) {
        Some("it holds a control character")
    } else if name.contains(['<', '>', ':', '"', '|', '?', '*']) {
        Some("it holds a character Windows refuses in file names")
    } else if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(stem)) {
        Some("Windows reserves that name for a device")
    } else if name.starts_with('.') || name.ends_with(['.', ' ']) {
        Some("it starts with a dot or ends with a dot or a space")
    } else {
        None
    }
}

/// Schema files are written as `serde_json` pretty-prints them (two-space
/// indent), with a final newline: the form `schema/` is kept in.
pub fn to_json_text(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

fn has_schema_files(dir: &Path) -> bool {
    fn walk(dir: &Path) -> bool {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return false;
        };
        entries.flatten().any(|entry| {
            let path = entry.path();
            if path.is_dir() {
                walk(&path)
            } else {
                matches!(
                    path.extension().and_then(|e| e.to_str()),
                    Some("json" | "yaml" | "yml")
                )
            }
        })
    }
    walk(dir)
}

/// Definitions outside the events and the union, with their shapes.
fn shared_definitions(
    set: Option<&SchemaSet>,
    ours: &BTreeMap<String, Event>,
    union_file: &str,
) -> Result<Vec<Shared>, Error> {
    let Some(set) = set else {
        return Ok(Vec::new());
    };
    let event_nodes: BTreeSet<&NodeRef> = ours.values().map(|e| &e.node).collect();
    let mut shared = Vec::new();
    for file in set.files() {
        if file == union_file {
            continue;
        }
        let Some(Value::Object(defs)) = set.document(file).and_then(|d| d.as_value().get("$defs"))
        else {
            continue;
        };
        for key in defs.keys() {
            let node = NodeRef {
                file: file.to_string(),
                pointer: "/$defs".into(),
            }
            .child(key);
            if event_nodes.contains(&node) {
                continue;
            }
            let expanded = events::expand(set, &node)?;
            if reusable(&expanded) {
                shared.push(Shared {
                    file: file.to_string(),
                    pointer: node.pointer,
                    shape: shape(&expanded),
                });
            }
        }
    }
    Ok(shared)
}

/// Only definitions that say something of their own are reused: a bare
/// `{"type": "string"}` would match every string.
pub(super) fn reusable(expanded: &Value) -> bool {
    ["properties", "const", "enum", "anyOf", "oneOf"]
        .iter()
        .any(|k| expanded.get(k).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webhooks::layout::relative;

    #[test]
    fn relative_references_between_documents() {
        assert_eq!(
            relative("schema/events/a.json", "schema/common.json"),
            "../common.json"
        );
        assert_eq!(
            relative("schema/webhook_event.json", "schema/events/a.json"),
            "events/a.json"
        );
        assert_eq!(relative("a.json", "b.json"), "b.json");
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("sync-unit-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn write(path: &Path, value: &Value) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, to_json_text(value)).unwrap();
    }

    fn read(path: &Path) -> Value {
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    /// Ours: `x.happened` with our wording; upstream: `x.happened` with a
    /// changed field type, a field made required, a new field, a field
    /// dropped; and a new event `a.happened`.
    fn fixture(name: &str) -> (PathBuf, PathBuf) {
        let root = temp_dir(name);
        let dir = root.join("schema");
        write(
            &dir.join("common.json"),
            &json!({"$defs": {"EventObject": {"description": "Ours: always event.", "const": "event"}}}),
        );
        write(
            &dir.join("events/x.happened.json"),
            &json!({"$defs": {"XHappenedWebhookEvent": {
                "description": "Ours: X happened.",
                "type": "object",
                "required": ["id", "data", "type"],
                "properties": {
                    "id": {"description": "Ours: the id.", "type": "string"},
                    "data": {
                        "description": "Ours: the data.",
                        "type": "object",
                        "required": ["id"],
                        "properties": {
                            "id": {"description": "Ours: the object id.", "type": "string"},
                            "count": {"description": "Ours: how many.", "type": "integer"},
                            "legacy": {"description": "Ours: only we know it.", "type": "boolean"}
                        }
                    },
                    "type": {"description": "Ours: the type.", "const": "x.happened"},
                    "object": {"$ref": "../common.json#/$defs/EventObject", "description": "Ours: the object."}
                }
            }}}),
        );
        write(
            &dir.join(UNION_FILE),
            &json!({"$defs": {"WebhookEvent": {
                "oneOf": [{"$ref": "events/x.happened.json#/$defs/XHappenedWebhookEvent"}],
                "discriminator": {"propertyName": "type"}
            }}}),
        );
        let event = |ty: &str, data: Value| {
            json!({"type": "object", "description": "Theirs.", "required": ["id", "data", "type"],
            "properties": {
                "id": {"type": "string", "description": "Theirs: id."},
                "data": data,
                "type": {"type": "string", "enum": [ty], "x-stainless-const": true, "description": "Theirs: type."},
                "object": {"type": "string", "enum": ["event"], "description": "Theirs: object."}
            }})
        };
        let openapi = root.join("api.json");
        write(
            &openapi,
            &json!({
                "openapi": "3.1.0",
                "webhooks": {
                    "x_happened": {"post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/WebhookX"}}}}}},
                    "a_happened": {"post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/WebhookA"}}}}}}
                },
                "components": {"schemas": {
                    "WebhookX": event("x.happened", json!({"type": "object", "description": "Theirs: data.",
                        "required": ["id", "count"],
                        "properties": {
                            "id": {"type": "string", "description": "Theirs: object id."},
                            "count": {"type": "string", "description": "Theirs: count."},
                            "extra": {"type": "string", "description": "Theirs: extra."}
                        }})),
                    "WebhookA": event("a.happened", json!({"type": "object", "required": ["id"],
                        "properties": {"id": {"type": "string", "description": "Theirs: a id."}}}))
                }}
            }),
        );
        (openapi, dir)
    }

    #[test]
    fn structure_follows_upstream_and_our_words_stay() {
        let (openapi, dir) = fixture("merge");
        let report = sync(&openapi, &dir, &SyncOptions::default()).unwrap();
        assert_eq!(report.added, ["a.happened"]);
        assert_eq!(report.updated, ["x.happened"]);
        assert_eq!(
            report.only_our_fields,
            [("x.happened".to_string(), "data.legacy".to_string())]
        );

        let x = read(&dir.join("events/x.happened.json"));
        let x = &x["$defs"]["XHappenedWebhookEvent"];
        assert_eq!(x["description"], "Ours: X happened.");
        assert_eq!(x["properties"]["id"]["description"], "Ours: the id.");
        let data = &x["properties"]["data"];
        assert_eq!(data["description"], "Ours: the data.");
        assert_eq!(
            data["properties"]["id"]["description"],
            "Ours: the object id."
        );
        // Changed type: upstream's node, with upstream's words.
        assert_eq!(
            data["properties"]["count"],
            json!({"description": "Theirs: count.", "type": "string"})
        );
        assert_eq!(
            data["properties"]["extra"],
            json!({"description": "Theirs: extra.", "type": "string"})
        );
        assert_eq!(data["properties"]["legacy"]["type"], "boolean", "kept");
        assert_eq!(data["required"], json!(["id", "count"]));
        // Untouched nodes keep their form, `$ref` included.
        assert_eq!(
            x["properties"]["object"]["$ref"],
            "../common.json#/$defs/EventObject"
        );

        let a = read(&dir.join("events/a.happened.json"));
        let a = &a["$defs"]["AHappenedWebhookEvent"];
        assert_eq!(
            a["properties"]["object"],
            json!({"$ref": "../common.json#/$defs/EventObject", "description": "Theirs: object."}),
            "a shape we share becomes a reference"
        );
        assert_eq!(
            a["properties"]["type"],
            json!({"description": "Theirs: type.", "const": "a.happened"})
        );
        let union = read(&dir.join(UNION_FILE));
        assert_eq!(
            union["$defs"]["WebhookEvent"]["oneOf"],
            json!([
                {"$ref": "events/a.happened.json#/$defs/AHappenedWebhookEvent"},
                {"$ref": "events/x.happened.json#/$defs/XHappenedWebhookEvent"}
            ])
        );

        let whats: Vec<(String, String)> = report
            .changes
            .iter()
            .filter(|c| c.impact != diff::Impact::Docs)
            .map(|c| (c.path.clone(), c.what.clone()))
            .collect();
        assert_eq!(
            whats,
            [
                ("".to_string(), "event added".to_string()),
                (
                    "data.count".to_string(),
                    "now required (documents without it are rejected; `Option<i64>` becomes `i64`)"
                        .to_string()
                ),
                (
                    "data.count".to_string(),
                    "type changed from `i64` to `String`".to_string()
                ),
                (
                    "data.extra".to_string(),
                    "optional field added: `extra: Option<String>` (a new public struct field)"
                        .to_string()
                ),
            ]
        );
        // The result generates.
        crate::Config::new().generate(&dir).unwrap();

        // A second run finds nothing to do.
        let again = sync(&openapi, &dir, &SyncOptions::default()).unwrap();
        assert!(again.written.is_empty(), "{:?}", again.written);
        assert_eq!(again.unchanged.len(), 2);
    }

    #[test]
    fn prune_drops_fields_upstream_lacks() {
        let (openapi, dir) = fixture("prune");
        let options = SyncOptions {
            prune: true,
            dry_run: false,
        };
        sync(&openapi, &dir, &options).unwrap();
        let x = read(&dir.join("events/x.happened.json"));
        assert!(x
            .pointer("/$defs/XHappenedWebhookEvent/properties/data/properties/legacy")
            .is_none());
    }

    #[test]
    fn a_document_without_webhooks_is_refused() {
        let root = temp_dir("nowebhooks");
        write(&root.join("api.json"), &json!({"openapi": "3.1.0"}));
        let error = sync(
            &root.join("api.json"),
            &root.join("schema"),
            &SyncOptions::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.starts_with("error: api.json#: no `webhooks` section"),
            "{error}"
        );
    }
}
