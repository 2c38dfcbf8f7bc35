//! The schema directory's layout as `sync` edits it: definitions removed
//! from their documents, the union's member list, relative references.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::sync::UNION_NAME;
use crate::error::{Error, Location};
use crate::load::NodeRef;

/// The relative reference from the document `from` to the document `to`
/// (display names, `/`-separated).
pub(super) fn relative(from: &str, to: &str) -> String {
    let from_dirs: Vec<&str> = from.split('/').collect();
    let from_dirs = &from_dirs[..from_dirs.len().saturating_sub(1)];
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from_dirs
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut parts: Vec<&str> = vec![".."; from_dirs.len() - common];
    parts.extend(&to_parts[common..]);
    parts.join("/")
}

/// Removes the definition at `node`; true when its document is left with no
/// definition at all (and so should be deleted).
pub(super) fn remove_definition(docs: &mut BTreeMap<String, Value>, node: &NodeRef) -> bool {
    let Some(doc) = docs.get_mut(&node.file) else {
        return false;
    };
    let (container, key) = match node.pointer.rsplit_once('/') {
        Some((container, key)) => (
            container.to_string(),
            key.replace("~1", "/").replace("~0", "~"),
        ),
        None => return false,
    };
    if let Some(Value::Object(defs)) = doc.pointer_mut(&container) {
        defs.shift_remove(&key);
        return defs.is_empty() && container == "/$defs";
    }
    false
}

/// Adds `(file, definition)` members to the union in type order and drops
/// members that point to pruned nodes; creates the union file if missing.
pub(super) fn update_union(
    docs: &mut BTreeMap<String, Value>,
    union_file: &str,
    added: &[(String, String)],
    pruned: &[NodeRef],
) -> Result<(), Error> {
    let doc = docs.entry(union_file.to_string()).or_insert_with(|| {
        json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$comment": "The union of every webhook event; maintained by `sync`.",
            "$defs": {
                UNION_NAME: {
                    "description": "Any webhook event, chosen by its `type`.",
                    "oneOf": [],
                    "discriminator": {"propertyName": "type"}
                }
            }
        })
    });
    let location = Location::new(union_file, "/$defs");
    let members = doc
        .get_mut("$defs")
        .and_then(Value::as_object_mut)
        .and_then(|defs| defs.values_mut().find(|d| d.get("oneOf").is_some()))
        .and_then(|d| d.get_mut("oneOf"))
        .and_then(Value::as_array_mut)
        .ok_or_else(|| {
            Error::at(
                location,
                "no definition with a `oneOf` here: sync keeps the union of all events in this file",
            )
        })?;
    members.retain(|member| {
        let Some(reference) = member.get("$ref").and_then(Value::as_str) else {
            return true;
        };
        let (file, pointer) = reference.split_once('#').unwrap_or((reference, ""));
        !pruned
            .iter()
            .any(|node| node.pointer == pointer && relative(union_file, &node.file) == file)
    });
    for (file, name) in added {
        let reference = format!("{}#/$defs/{name}", relative(union_file, file));
        let position = members
            .iter()
            .position(|m| {
                m.get("$ref")
                    .and_then(Value::as_str)
                    .is_some_and(|r| r > reference.as_str())
            })
            .unwrap_or(members.len());
        members.insert(position, json!({"$ref": reference}));
    }
    Ok(())
}
