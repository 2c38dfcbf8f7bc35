//! What a schema node becomes, decided from the node alone: its keywords'
//! roles are checked, and [`classify`] picks one [`Shape`]. Nothing here
//! builds types; the other files of `lower` do, from the shape.

mod alternatives;
mod values;

use serde_json::{Map, Value};

use super::all_of::{self, Merged};
use crate::error::Diagnostics;
use crate::keywords::{self, Role};
use crate::load::{NodeRef, SchemaSet};
use crate::model::Container;
use alternatives::classify_union;
use values::{classify_enum, classify_type_list, string_list};

/// What a schema node becomes.
pub(super) enum Shape<'v> {
    /// Any JSON value.
    Any,
    /// The type another node defines.
    Ref(&'v str),
    /// `Option` of the node with its `null` taken out (this value).
    Nullable(Value),
    /// `Option` of the one other member of a `oneOf`/`anyOf` with a `null`
    /// member, lowered where that member is written (this node; the value
    /// is the member with the node's annotations), so that the types made
    /// from it point at their own schemas.
    NullableAt(NodeRef, Value),
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
    /// A schema without `type` whose keywords describe objects (or
    /// arrays): that object (array), or any other JSON value, which such a
    /// schema accepts as it is.
    OrOther(Container),
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
                | Shape::OrOther(_)
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
///
/// A schema without `type` whose keywords describe an object (`properties`)
/// or an array (`items`) is [`Shape::OrOther`], or with `infer_types` that
/// object or array only.
pub(super) fn classify<'v>(
    set: &SchemaSet,
    node: &NodeRef,
    value: &'v Value,
    infer_types: bool,
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
    // `nullable: true` (OpenAPI 3.0, with or without `$ref`), and OpenAPI
    // 2's `x-nullable: true`.
    let nullable = ["nullable", "x-nullable"];
    if nullable
        .iter()
        .any(|k| obj.get(*k) == Some(&Value::Bool(true)))
    {
        let mut inner = obj.clone();
        for key in nullable {
            inner.remove(key);
        }
        return Shape::Nullable(Value::Object(inner));
    }
    // Kubernetes' `x-kubernetes-int-or-string: true` with no type of its
    // own: an integer or a string.
    if obj.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true))
        && !["type", "anyOf", "oneOf", "allOf", "$ref", "enum", "const"]
            .iter()
            .any(|k| obj.contains_key(*k))
    {
        let mut inner = obj.clone();
        inner.remove("x-kubernetes-int-or-string");
        inner.insert("type".into(), serde_json::json!(["integer", "string"]));
        return Shape::Rewritten(Value::Object(inner));
    }
    if let Some(reference) = obj.get("$ref") {
        let Value::String(reference) = reference else {
            diags.error(&node.child("$ref").location(), "`$ref` must be a string");
            return Shape::Invalid;
        };
        let shaping_sibling = obj.keys().any(|key| {
            keywords::role(key) == Some(Role::Structural)
                && !matches!(key.as_str(), "$ref" | "nullable" | "default")
        });
        if shaping_sibling && ref_siblings_apply(set, node) {
            if let Some(merged) = all_of::merge_ref_and_siblings(set, node, obj, diags) {
                return match merged {
                    all_of::AllOf::Merged(merged) => Shape::AllOf(merged),
                    all_of::AllOf::Single(value) => Shape::Rewritten(value),
                    all_of::AllOf::Any => Shape::Any,
                    all_of::AllOf::Invalid => Shape::Invalid,
                };
            }
        }
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
        if let Some(inner) = all_of::nullable_object(set, node, obj) {
            return Shape::Nullable(inner);
        }
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
        None if obj.contains_key("properties") && infer_types => Shape::Struct,
        None if obj.contains_key("properties") => Shape::OrOther(Container::Object),
        None if obj.contains_key("items") && infer_types => Shape::Array,
        None if obj.contains_key("items") => Shape::OrOther(Container::Array),
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

/// Whether keywords beside a `$ref` apply together with it (JSON Schema
/// 2019-09 and later, OpenAPI 3.1) rather than being ignored (draft-07 and
/// earlier, OpenAPI 3.0, Swagger 2.0), from the document's `$schema`,
/// `openapi` or `swagger`. A document that declares none is read as the
/// current draft.
pub(super) fn ref_siblings_apply(set: &SchemaSet, node: &NodeRef) -> bool {
    let Some(root) = set.document(&node.file).map(|d| d.as_value()) else {
        return true;
    };
    if root.get("swagger").is_some() {
        return false;
    }
    if let Some(Value::String(version)) = root.get("openapi") {
        return !version.starts_with("3.0") && !version.starts_with('2');
    }
    match root.get("$schema") {
        Some(Value::String(dialect)) => {
            !["draft-03", "draft-04", "draft-05", "draft-06", "draft-07"]
                .iter()
                .any(|old| dialect.contains(old))
        }
        _ => true,
    }
}

/// Keywords that cannot apply to a value of type `t` (`properties` on a
/// string, `items` on an object) are ignored with a warning each.
fn warn_conflicts(node: &NodeRef, obj: &Map<String, Value>, t: &str, diags: &mut Diagnostics) {
    for key in obj.keys() {
        if keywords::foreign_to(key, t) {
            diags.warn(
                &node.child(key).location(),
                format!("`{key}` has no effect on a schema of type `{t}` and is ignored"),
            );
        }
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
