//! What moved in a schema whose generated types did not change: the
//! schema's own keywords compared in parallel, reported by `diff` as
//! validation the types do not enforce.

use std::collections::HashSet;

use serde_json::Value;

use crate::keywords::{self, Role, Slots};
use crate::load::NodeRef;

/// What differs between two schemas whose generated types are identical:
/// every keyword that does not hold subschemas or documentation, compared
/// in parallel through the keywords that do. `skip` says where a model
/// change was reported already (those places are not repeated).
pub(crate) fn validation_changes(
    old: &Value,
    new: &Value,
    path: &str,
    at: &NodeRef,
    skip: &dyn Fn(&str) -> bool,
    out: &mut Vec<(String, NodeRef, String)>,
) {
    let (Some(a), Some(b)) = (old.as_object(), new.as_object()) else {
        if old != new && !skip(path) {
            out.push((
                path.to_string(),
                at.clone(),
                format!("schema changed from {old} to {new}"),
            ));
        }
        return;
    };
    let keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    let mut seen = HashSet::new();
    for key in keys {
        if !seen.insert(key) {
            continue;
        }
        let (x, y) = (a.get(key), b.get(key));
        let keyword = keywords::lookup(key);
        match keyword.map(|k| (k.role, k.slots)) {
            Some((
                Role::Documentation | Role::Annotation | Role::Extension | Role::Definitions,
                _,
            )) => {}
            Some((_, Slots::None)) | None => {
                if x != y && !skip(path) {
                    let show = |v: Option<&Value>| v.map_or("absent".to_string(), Value::to_string);
                    out.push((
                        path.to_string(),
                        at.child(key),
                        format!("`{key}` changed from {} to {}", show(x), show(y)),
                    ));
                }
            }
            Some((_, Slots::Map)) => {
                let empty = serde_json::Map::new();
                let (ma, mb) = (
                    x.and_then(Value::as_object).unwrap_or(&empty),
                    y.and_then(Value::as_object).unwrap_or(&empty),
                );
                for (name, va) in ma {
                    if let Some(vb) = mb.get(name) {
                        let here = if key == "properties" {
                            super::events::field_path(path, name)
                        } else {
                            path.to_string()
                        };
                        validation_changes(va, vb, &here, &at.child(key).child(name), skip, out);
                    }
                }
            }
            Some((_, Slots::Schema | Slots::SchemaOrArray | Slots::Array)) => match (x, y) {
                (Some(Value::Array(xs)), Some(Value::Array(ys))) => {
                    for (i, (va, vb)) in xs.iter().zip(ys).enumerate() {
                        let here = if key == "prefixItems" {
                            format!("{path}[{i}]")
                        } else {
                            path.to_string()
                        };
                        validation_changes(
                            va,
                            vb,
                            &here,
                            &at.child(key).child(&i.to_string()),
                            skip,
                            out,
                        );
                    }
                }
                (Some(va), Some(vb)) => {
                    let here = if key == "items" {
                        format!("{path}[]")
                    } else {
                        path.to_string()
                    };
                    validation_changes(va, vb, &here, &at.child(key), skip, out);
                }
                (x, y) if x != y && !skip(path) => {
                    out.push((
                        path.to_string(),
                        at.child(key),
                        format!("`{key}` added or removed"),
                    ));
                }
                _ => {}
            },
        }
    }
}
