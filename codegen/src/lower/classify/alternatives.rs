//! `oneOf` / `anyOf`: nullable forms, open enums, tagged and untagged
//! unions.

use serde_json::{Map, Value};

use super::values::{constant_string, string_list};
use super::{check_keywords, Shape};
use crate::error::Diagnostics;
use crate::load::{NodeRef, SchemaSet};
use crate::lower::resolve_refs;

/// `oneOf` / `anyOf`: `null` members make it nullable; an enum and its base
/// string make an open enum; a tag makes a union; otherwise untagged.
pub(super) fn classify_union<'v>(
    set: &SchemaSet,
    node: &NodeRef,
    obj: &Map<String, Value>,
    keyword: &str,
    items: &'v Value,
    diags: &mut Diagnostics,
) -> Shape<'v> {
    let Value::Array(items) = items else {
        diags.error(
            &node.child(keyword).location(),
            format!("`{keyword}` must be an array of schemas"),
        );
        return Shape::Invalid;
    };
    if items.is_empty() {
        diags.error(
            &node.child(keyword).location(),
            format!("an empty `{keyword}` accepts nothing (it must list at least one schema)"),
        );
        return Shape::Invalid;
    }
    if items.iter().all(|v| *v == Value::Bool(false)) {
        diags.error(
            &node.child(keyword).location(),
            format!("every member of this `{keyword}` is `false`: it accepts nothing"),
        );
        return Shape::Invalid;
    }
    let is_null = |v: &Value| v.get("type") == Some(&Value::String("null".into()));
    let non_null: Vec<&Value> = items.iter().filter(|v| !is_null(v)).collect();
    if non_null.is_empty() {
        return Shape::Null;
    }
    if non_null.len() < items.len() {
        // `anyOf: [X, {type: null}]`: an optional X.
        let mut inner = obj.clone();
        if non_null.len() == 1 {
            inner.remove(keyword);
            // The member's keywords join the node's: checked where they
            // are written.
            let at = items.iter().position(|v| !is_null(v)).unwrap_or(0);
            let member_node = node.child(keyword).child(&at.to_string());
            match non_null[0] {
                Value::Object(only) => {
                    if check_keywords(&member_node, only, diags) {
                        return Shape::Nullable(Value::Bool(true));
                    }
                    // Beside it only annotations (`description`): the
                    // member is the type, lowered where it is written.
                    let annotations_only = inner.keys().all(|k| {
                        !matches!(
                            crate::keywords::role(k),
                            Some(crate::keywords::Role::Structural) | None
                        )
                    });
                    for (k, v) in only {
                        inner.insert(k.clone(), v.clone());
                    }
                    if annotations_only && only.get("$ref").is_none() {
                        return Shape::NullableAt(member_node, Value::Object(inner));
                    }
                }
                // `true`: any JSON or null; `false`: only null.
                other => return Shape::Nullable(other.clone()),
            }
        } else {
            inner.insert(
                keyword.into(),
                Value::Array(non_null.into_iter().cloned().collect()),
            );
        }
        return Shape::Nullable(Value::Object(inner));
    }
    if let Some(values) = open_enum_values(items) {
        return Shape::OpenEnum(values);
    }
    if let Some(discriminator) = obj.get("discriminator") {
        return match discriminator.get("propertyName") {
            Some(Value::String(tag)) => Shape::Union(tag.clone(), items),
            _ => {
                diags.error(
                    &node.child("discriminator").location(),
                    "`discriminator` needs a string `propertyName`",
                );
                Shape::Invalid
            }
        };
    }
    // No discriminator: a property every member requires with a constant
    // value works as one; otherwise the union is untagged.
    match common_constant_property(set, node, keyword, items) {
        Some(tag) => Shape::Union(tag, items),
        None => Shape::Untagged(items),
    }
}

/// The property that every member of a union requires with a single
/// constant string value, if there is one (`type` preferred). A member
/// whose `$ref` is broken means "no": it is reported where the member
/// itself is lowered.
fn common_constant_property(
    set: &SchemaSet,
    node: &NodeRef,
    keyword: &str,
    items: &[Value],
) -> Option<String> {
    let mut common: Option<Vec<String>> = None;
    for (i, item) in items.iter().enumerate() {
        let member_node = node.child(keyword).child(&i.to_string());
        let (target, member) = resolve_refs(set, &member_node, item).ok()?;
        let required: Vec<&str> = member
            .get("required")?
            .as_array()?
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let props = member.get("properties")?.as_object()?;
        let constant: Vec<String> = props
            .iter()
            .filter(|(name, _)| required.contains(&name.as_str()))
            .filter(|(name, schema)| {
                let at = target.child("properties").child(name);
                resolve_refs(set, &at, schema).is_ok_and(|(_, v)| constant_string(&v).is_some())
            })
            .map(|(name, _)| name.clone())
            .collect();
        common = Some(match common {
            None => constant,
            Some(previous) => previous
                .into_iter()
                .filter(|n| constant.contains(n))
                .collect(),
        });
    }
    let common = common?;
    if common.iter().any(|n| n == "type") {
        return Some("type".to_string());
    }
    common.into_iter().next()
}

/// `Some(values)` when `items` is an open enum: one member with a string
/// `enum` and one plain `{type: string}` member.
fn open_enum_values(items: &[Value]) -> Option<Vec<String>> {
    if items.len() != 2 {
        return None;
    }
    let is_plain_string = |v: &Value| {
        v.as_object().is_some_and(|o| {
            o.get("type") == Some(&Value::String("string".into()))
                && o.keys()
                    .all(|k| matches!(k.as_str(), "type" | "description" | "title"))
        })
    };
    let (enum_item, other) = if is_plain_string(&items[1]) {
        (&items[0], &items[1])
    } else {
        (&items[1], &items[0])
    };
    if !is_plain_string(other) {
        return None;
    }
    let values = string_list(enum_item.get("enum")?)?;
    values.into_iter().collect()
}
