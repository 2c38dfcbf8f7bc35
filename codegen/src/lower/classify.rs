//! What a schema node becomes, decided from the node alone: its keywords'
//! roles are checked, and [`classify`] picks one [`Shape`]. Nothing here
//! builds types; the other files of `lower` do, from the shape.

use serde_json::{Map, Value};

use super::all_of::{self, Merged};
use super::resolve_refs;
use crate::error::Diagnostics;
use crate::keywords::{self, Role};
use crate::load::{NodeRef, SchemaSet};

/// Enums with more values than this are refused: Rust compiles them, but
/// slowly and into an unusable type; such a list is data, not a type.
pub(crate) const MAX_ENUM_VALUES: usize = 10_000;

/// What a schema node becomes.
pub(super) enum Shape<'v> {
    /// Any JSON value.
    Any,
    /// The type another node defines.
    Ref(&'v str),
    /// `Option` of the node with its `null` taken out (this value).
    Nullable(Value),
    /// The same node, rewritten into a simpler equivalent: classify that
    /// (its keywords were checked already).
    Rewritten(Value),
    /// One string value.
    Const(String),
    /// JSON values that are not all strings.
    Literals(Vec<Value>),
    /// Only `null`.
    Null,
    /// `type: [A, B, …]`: one member per type, tried in order.
    TypeList(Vec<Value>),
    /// A closed set of strings.
    Enum(Vec<String>),
    /// Known strings, and any other string.
    OpenEnum(Vec<String>),
    /// A union of objects dispatched on a tag property.
    Union(String, &'v [Value]),
    /// A union tried member by member.
    Untagged(&'v [Value]),
    /// An object with `properties`.
    Struct,
    /// The objects of an `allOf`, merged.
    AllOf(Merged),
    /// An object of any keys.
    Map,
    /// An array or a tuple.
    Array,
    /// `string`, `integer`, `number` or `boolean`.
    Primitive(&'v str),
    /// Nothing usable (an error was reported).
    Invalid,
}

impl Shape<'_> {
    /// Whether the shape becomes a named type of its own.
    pub(super) fn is_named(&self) -> bool {
        matches!(
            self,
            Shape::Const(_)
                | Shape::Literals(_)
                | Shape::TypeList(_)
                | Shape::Enum(_)
                | Shape::OpenEnum(_)
                | Shape::Struct
                | Shape::AllOf(_)
                | Shape::Union(..)
                | Shape::Untagged(_)
        )
    }
}

/// Checks every keyword of `obj` against the registry. Unknown keywords are
/// ignored with a warning (JSON Schema treats them as annotations); returns
/// whether the schema must fall back to any JSON.
pub(super) fn check_keywords(
    node: &NodeRef,
    obj: &Map<String, Value>,
    diags: &mut Diagnostics,
) -> bool {
    let mut fallback = false;
    for key in obj.keys() {
        let key = key.as_str();
        let location = node.child(key).location();
        match keywords::role(key) {
            Some(
                Role::Structural
                | Role::Documentation
                | Role::Validation
                | Role::Annotation
                | Role::Definitions
                | Role::Extension,
            ) => {}
            Some(Role::NotEnforced) => diags.warn(
                &location,
                format!("`{key}` is not enforced by the generated types"),
            ),
            Some(Role::Unsupported) => {
                diags.warn(
                    &location,
                    format!(
                        "`{key}` is not supported yet: this schema becomes `serde_json::Value`"
                    ),
                );
                fallback = true;
            }
            None => diags.unknown_keyword(&location, key),
        }
    }
    fallback
}

/// What `value` at `node` becomes. Problems in the node's own structure
/// are reported to `diags`; its subschemas are not looked at, except to
/// find a union's tag.
pub(super) fn classify<'v>(
    set: &SchemaSet,
    node: &NodeRef,
    value: &'v Value,
    diags: &mut Diagnostics,
) -> Shape<'v> {
    let obj = match value {
        Value::Bool(true) => return Shape::Any,
        Value::Bool(false) => {
            diags.error(
                &node.location(),
                "the schema `false` accepts nothing and has no Rust type",
            );
            return Shape::Invalid;
        }
        Value::Object(obj) => obj,
        _ => {
            diags.error(&node.location(), "a schema must be an object or a boolean");
            return Shape::Invalid;
        }
    };
    // `nullable: true` (OpenAPI 3.0, with or without `$ref`).
    if obj.get("nullable") == Some(&Value::Bool(true)) {
        let mut inner = obj.clone();
        inner.remove("nullable");
        return Shape::Nullable(Value::Object(inner));
    }
    if let Some(reference) = obj.get("$ref") {
        let Value::String(reference) = reference else {
            diags.error(&node.child("$ref").location(), "`$ref` must be a string");
            return Shape::Invalid;
        };
        for key in obj.keys() {
            if keywords::role(key) == Some(Role::Structural)
                && !matches!(key.as_str(), "$ref" | "nullable" | "default")
            {
                diags.warn(
                    &node.child(key).location(),
                    format!(
                        "`{key}` beside `$ref` is ignored: the referenced schema decides the type"
                    ),
                );
            }
        }
        return Shape::Ref(reference);
    }
    // String values under another declared type: no value is valid.
    if let Some(Value::String(ty)) = obj.get("type") {
        let strings = match (obj.get("const"), obj.get("enum")) {
            (Some(Value::String(_)), _) => Some("const"),
            (None, Some(values))
                if string_list(values).is_some_and(|v| v.iter().any(Option::is_some)) =>
            {
                Some("enum")
            }
            _ => None,
        };
        if let Some(keyword) = strings.filter(|_| ty != "string") {
            diags.error(
                &node.child(keyword).location(),
                format!("`{keyword}` gives strings but `type` is `{ty}`: no value could be valid"),
            );
            return Shape::Invalid;
        }
    }
    if let Some(c) = obj.get("const") {
        return match c {
            Value::String(s) => Shape::Const(s.clone()),
            Value::Null => Shape::Null,
            other => Shape::Literals(vec![other.clone()]),
        };
    }
    if let Some(values) = obj.get("enum") {
        return classify_enum(node, obj, values, diags);
    }
    if let Some(Value::Array(types)) = obj.get("type") {
        return classify_type_list(node, obj, types, diags);
    }
    if obj.contains_key("allOf") {
        return match all_of::merge(set, node, obj, diags) {
            all_of::AllOf::Single(value) => Shape::Rewritten(value),
            all_of::AllOf::Merged(merged) => {
                warn_conflicts(node, obj, "object", diags);
                Shape::AllOf(merged)
            }
            all_of::AllOf::Any => Shape::Any,
            all_of::AllOf::Invalid => Shape::Invalid,
        };
    }
    for keyword in ["oneOf", "anyOf"] {
        if let Some(items) = obj.get(keyword) {
            // Properties beside alternatives that only add to the object:
            // one struct, nothing dropped.
            if let Some(merged) = all_of::merge_alternatives(set, node, obj, keyword, diags) {
                return Shape::AllOf(merged);
            }
            return classify_union(set, node, obj, keyword, items, diags);
        }
    }
    if obj.contains_key("discriminator") {
        diags.warn(
            &node.child("discriminator").location(),
            "`discriminator` without a `oneOf` or `anyOf` beside it is ignored",
        );
    }
    if let Some(Value::String(t)) = obj.get("type") {
        warn_conflicts(node, obj, t, diags);
    }
    match obj.get("type") {
        None if obj.contains_key("properties") => Shape::Struct,
        None if obj.contains_key("items") => Shape::Array,
        None => Shape::Any,
        Some(Value::String(t)) => match t.as_str() {
            "object" if obj.contains_key("properties") => Shape::Struct,
            "object"
                if obj.get("additionalProperties") == Some(&Value::Bool(false))
                    && !obj.contains_key("patternProperties") =>
            {
                Shape::Struct
            }
            "object" => Shape::Map,
            "array" => Shape::Array,
            "string" | "integer" | "number" | "boolean" => Shape::Primitive(t),
            "null" => Shape::Null,
            other => {
                diags.error(
                    &node.child("type").location(),
                    format!("unknown type `{other}`"),
                );
                Shape::Invalid
            }
        },
        Some(_) => {
            diags.error(
                &node.child("type").location(),
                "`type` must be a string or an array of strings",
            );
            Shape::Invalid
        }
    }
}

/// `type: [..]`: `null` in it makes the rest nullable; one type is that
/// type; several make one member each (the keywords that apply to it),
/// integers tried before numbers.
fn classify_type_list<'v>(
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
/// shape a value of that type (the node's keywords were checked already).
fn type_member(obj: &Map<String, Value>, t: &str) -> Value {
    let keep: &[&str] = match t {
        "object" => &[
            "properties",
            "required",
            "additionalProperties",
            "patternProperties",
        ],
        "array" => &["items", "prefixItems", "additionalItems", "uniqueItems"],
        "integer" => &[
            "format",
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
        ],
        "number" | "string" => &["format"],
        _ => &[],
    };
    let mut member = Map::new();
    member.insert("type".into(), Value::String(t.to_string()));
    for key in keep {
        if let Some(value) = obj.get(*key) {
            member.insert((*key).to_string(), value.clone());
        }
    }
    Value::Object(member)
}

/// `enum`: strings (and `null`) make an enum; other values a type of
/// exactly those values.
fn classify_enum<'v>(
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

/// `oneOf` / `anyOf`: `null` members make it nullable; an enum and its base
/// string make an open enum; a tag makes a union; otherwise untagged.
fn classify_union<'v>(
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
                    for (k, v) in only {
                        inner.insert(k.clone(), v.clone());
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

/// Keywords that cannot apply to a value of type `t` (`properties` on a
/// string, `items` on an object) are ignored with a warning each.
fn warn_conflicts(node: &NodeRef, obj: &Map<String, Value>, t: &str, diags: &mut Diagnostics) {
    const OBJECT: &[&str] = &[
        "properties",
        "required",
        "additionalProperties",
        "patternProperties",
    ];
    const ARRAY: &[&str] = &["items", "prefixItems", "additionalItems"];
    let foreign: Vec<&str> = match t {
        "object" => ARRAY.to_vec(),
        "array" => OBJECT.to_vec(),
        _ => OBJECT.iter().chain(ARRAY).copied().collect(),
    };
    for key in foreign {
        if obj.contains_key(key) {
            diags.warn(
                &node.child(key).location(),
                format!("`{key}` has no effect on a schema of type `{t}` and is ignored"),
            );
        }
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

/// The strings of an `enum` array; `None` entries stand for `null`.
fn string_list(values: &Value) -> Option<Vec<Option<String>>> {
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
fn constant_string(value: &Value) -> Option<&str> {
    if let Some(Value::String(c)) = value.get("const") {
        return Some(c);
    }
    match value.get("enum")?.as_array()?.as_slice() {
        [Value::String(c)] => Some(c),
        _ => None,
    }
}

/// `oneOf` or `anyOf`, whichever the union uses.
pub(super) fn union_keyword(value: &Value) -> &'static str {
    if value.get("oneOf").is_some() {
        "oneOf"
    } else {
        "anyOf"
    }
}
