//! Values: `enum` and `const` (strings, other JSON values, `null`) and
//! `type` lists.

use serde_json::{Map, Value};

use super::Shape;
use crate::error::Diagnostics;
use crate::keywords;
use crate::load::NodeRef;

/// Enums with more values than this are refused: Rust compiles them, but
/// slowly and into an unusable type; such a list is data, not a type.
const MAX_ENUM_VALUES: usize = 10_000;

/// `type: [..]`: `null` in it makes the rest nullable; one type is that
/// type; several make one member each (the keywords that apply to it),
/// integers tried before numbers.
pub(super) fn classify_type_list<'v>(
    node: &NodeRef,
    obj: &Map<String, Value>,
    types: &[Value],
    diags: &mut Diagnostics,
) -> Shape<'v> {
    let mut names: Vec<&str> = Vec::new();
    for (i, t) in types.iter().enumerate() {
        match t.as_str() {
            Some(
                name @ ("null" | "boolean" | "integer" | "number" | "string" | "array" | "object"),
            ) => {
                if !names.contains(&name) {
                    names.push(name);
                }
            }
            Some(other) => {
                diags.error(
                    &node.child("type").child(&i.to_string()).location(),
                    format!("unknown type `{other}`"),
                );
                return Shape::Invalid;
            }
            None => {
                diags.error(
                    &node.child("type").child(&i.to_string()).location(),
                    "`type` must be a string or an array of strings",
                );
                return Shape::Invalid;
            }
        }
    }
    let non_null: Vec<&str> = names.iter().copied().filter(|t| *t != "null").collect();
    let with_type = |t: &str| {
        let mut inner = obj.clone();
        inner.insert("type".into(), Value::String(t.to_string()));
        Value::Object(inner)
    };
    match (non_null.as_slice(), non_null.len() < names.len()) {
        ([], false) => {
            diags.error(
                &node.child("type").location(),
                "an empty `type` array allows no value",
            );
            Shape::Invalid
        }
        ([], true) => Shape::Null,
        ([only], true) => Shape::Nullable(with_type(only)),
        ([only], false) => Shape::Rewritten(with_type(only)),
        (_, true) => {
            let mut inner = obj.clone();
            inner.insert(
                "type".into(),
                Value::Array(
                    non_null
                        .iter()
                        .map(|t| Value::String((*t).to_string()))
                        .collect(),
                ),
            );
            Shape::Nullable(Value::Object(inner))
        }
        (many, false) => {
            let mut many = many.to_vec();
            // An integer is also a number: the narrower member goes first.
            many.sort_by_key(|t| *t != "integer");
            Shape::TypeList(many.iter().map(|t| type_member(obj, t)).collect())
        }
    }
}

/// The member of a type list for type `t`: `t` with the keywords that
/// constrain only some types, `t` among them (the registry's `applies`:
/// `properties` for objects, `items` and `minItems` for arrays, a range for
/// numbers, `format` for scalars). Keywords about every value (`enum`,
/// `not`, docs) stay with the node; the node's keywords were checked
/// already.
fn type_member(obj: &Map<String, Value>, t: &str) -> Value {
    let mut member = Map::new();
    member.insert("type".into(), Value::String(t.to_string()));
    for (key, value) in obj {
        if keywords::specific_to(key, t) {
            member.insert(key.clone(), value.clone());
        }
    }
    Value::Object(member)
}

/// `enum`: strings (and `null`) make an enum; other values a type of
/// exactly those values.
pub(super) fn classify_enum<'v>(
    node: &NodeRef,
    obj: &Map<String, Value>,
    values: &Value,
    diags: &mut Diagnostics,
) -> Shape<'v> {
    let Some(mut values) = string_list(values) else {
        // Numbers, booleans, objects or mixed values: a type of exactly
        // those values (`null` makes it nullable).
        let Value::Array(items) = values else {
            diags.error(&node.child("enum").location(), "`enum` must be an array");
            return Shape::Invalid;
        };
        if items.len() > MAX_ENUM_VALUES {
            diags.error(
                &node.child("enum").location(),
                format!("an `enum` of {} values is more than the {MAX_ENUM_VALUES} the generator accepts", items.len()),
            );
            return Shape::Invalid;
        }
        let non_null: Vec<Value> = items.iter().filter(|v| !v.is_null()).cloned().collect();
        if non_null.len() < items.len() {
            let mut inner = obj.clone();
            inner.insert("enum".into(), Value::Array(non_null));
            return Shape::Nullable(Value::Object(inner));
        }
        return Shape::Literals(non_null);
    };
    let nullable = values.iter().any(Option::is_none);
    values.retain(Option::is_some);
    let values: Vec<String> = values.into_iter().flatten().collect();
    if nullable && values.is_empty() {
        return Shape::Null;
    }
    if nullable {
        let mut inner = obj.clone();
        inner.insert(
            "enum".into(),
            Value::Array(values.into_iter().map(Value::String).collect()),
        );
        return Shape::Nullable(Value::Object(inner));
    }
    match values.len() {
        0 => {
            diags.error(
                &node.child("enum").location(),
                "an empty `enum` accepts nothing",
            );
            Shape::Invalid
        }
        n if n > MAX_ENUM_VALUES => {
            diags.error(
                &node.child("enum").location(),
                format!("an `enum` of {n} values is more than the {MAX_ENUM_VALUES} the generator accepts; describe the value as a `string` instead"),
            );
            Shape::Invalid
        }
        1 => Shape::Const(values.into_iter().next().unwrap_or_default()),
        _ => Shape::Enum(values),
    }
}

/// The strings of an `enum` array; `None` entries stand for `null`.
pub(super) fn string_list(values: &Value) -> Option<Vec<Option<String>>> {
    let Value::Array(items) = values else {
        return None;
    };
    items
        .iter()
        .map(|v| match v {
            Value::String(s) => Some(Some(s.clone())),
            Value::Null => Some(None),
            _ => None,
        })
        .collect()
}

/// The constant of a `const` or one-value `enum` string schema.
pub(super) fn constant_string(value: &Value) -> Option<&str> {
    if let Some(Value::String(c)) = value.get("const") {
        return Some(c);
    }
    match value.get("enum")?.as_array()?.as_slice() {
        [Value::String(c)] => Some(c),
        _ => None,
    }
}
