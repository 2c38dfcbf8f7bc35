//! `allOf`: the members' properties and `required` merged into one object,
//! each property remembering the node it comes from (so that its errors
//! and `$ref`s are read from there).

mod merger;

use merger::Merger;
use serde_json::{Map, Value};

use super::objects::Requirement;
use crate::error::Diagnostics;
use crate::keywords::{self, Role};
use crate::load::{NodeRef, SchemaSet};

/// What an `allOf` node becomes.
pub(super) enum AllOf {
    /// `allOf: [X]` with nothing else that shapes the node: X, with the
    /// node's description.
    Single(Value),
    /// Objects merged.
    Merged(Merged),
    /// A member that cannot be merged (warned): any JSON.
    Any,
    /// An error was reported.
    Invalid,
}

/// The objects of an `allOf`, merged.
pub(super) struct Merged {
    /// The `allOf` node's own keywords (`additionalProperties`,
    /// `description`, …) apart from those merged below.
    pub own: Map<String, Value>,
    /// Every member's properties, in order; a later member's definition of
    /// a property replaces an earlier one's, and moves to its place.
    pub properties: Vec<MergedProperty>,
    /// Required property names, each once, with where it was required.
    pub required: Vec<Requirement>,
    /// Members whose `additionalProperties` (a schema) or
    /// `patternProperties` type the properties no member lists.
    pub extras: Vec<NodeRef>,
}

/// A property of a merged object, with the node it was defined at.
pub(super) struct MergedProperty {
    pub name: String,
    pub node: NodeRef,
    pub schema: Value,
}

/// An object with `properties` beside a `oneOf`/`anyOf` whose members
/// only add to it (`required` lists, further properties, no other type):
/// one struct with the object's properties and, optional, every member's
/// (a property that members define differently holds any JSON). Which
/// alternative applies is validation, not enforced (a warning says so).
/// `None` when the node is not like that: a union then.
pub(super) fn merge_alternatives(
    set: &SchemaSet,
    node: &NodeRef,
    obj: &Map<String, Value>,
    keyword: &str,
    diags: &mut Diagnostics,
) -> Option<Merged> {
    let Some(Value::Object(base)) = obj.get("properties") else {
        return None;
    };
    if obj.contains_key("discriminator") {
        return None;
    }
    let Some(Value::Array(items)) = obj.get(keyword) else {
        return None;
    };
    let mut members = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = node.child(keyword).child(&i.to_string());
        let (target, member) = super::resolve_refs(set, &at, item).ok()?;
        let Value::Object(member) = member else {
            return None;
        };
        if !only_adds(&member) {
            return None;
        }
        // An inline member's keywords are checked here, where they are
        // written (a `$ref`'d one is checked where it is defined).
        let inline = item.get("$ref").is_none();
        members.push((target, member, inline));
    }
    let mut merged = Merged {
        own: obj
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "properties" | "required" | "oneOf" | "anyOf"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        properties: base
            .iter()
            .map(|(name, schema)| MergedProperty {
                name: name.clone(),
                node: node.child("properties").child(name),
                schema: schema.clone(),
            })
            .collect(),
        required: super::objects::required_names(node, obj, diags),
        extras: Vec::new(),
    };
    for (target, member, inline) in &members {
        if *inline && super::classify::check_keywords(target, member, diags) {
            return None;
        }
        let Some(Value::Object(props)) = member.get("properties") else {
            continue;
        };
        for (name, schema) in props {
            match merged.properties.iter_mut().find(|p| p.name == *name) {
                Some(existing) if existing.schema == *schema || base.contains_key(name) => {}
                Some(existing) => {
                    diags.warn(
                        &target.child("properties").child(name).location(),
                        format!("`{name}` is defined differently by the alternatives of this `{keyword}`: it holds any JSON"),
                    );
                    existing.schema = Value::Bool(true);
                }
                None => merged.properties.push(MergedProperty {
                    name: name.clone(),
                    node: target.child("properties").child(name),
                    schema: schema.clone(),
                }),
            }
        }
    }
    diags.warn(
        &node.child(keyword).location(),
        format!("the alternatives of this `{keyword}` only add to the object beside them: their properties are merged into it (optional), and which alternative applies is not enforced"),
    );
    Some(merged)
}

/// Whether an alternative only adds to an object: `required` lists, more
/// properties, `type: object`, and keywords that leave the shape alone.
fn only_adds(member: &Map<String, Value>) -> bool {
    member.iter().all(|(key, value)| match key.as_str() {
        "properties" | "required" => true,
        "type" => value == "object",
        key => shape_neutral(key),
    })
}

/// Members nested deeper than this (through `$ref`s) are refused.
const MAX_MEMBER_DEPTH: usize = 64;

/// Merges the `allOf` at `node` (whose object is `obj`).
pub(super) fn merge(
    set: &SchemaSet,
    node: &NodeRef,
    obj: &Map<String, Value>,
    diags: &mut Diagnostics,
) -> AllOf {
    let Some(Value::Array(members)) = obj.get("allOf") else {
        diags.error(
            &node.child("allOf").location(),
            "`allOf` must be an array of schemas",
        );
        return AllOf::Invalid;
    };
    let own_shape = obj.keys().any(|k| {
        keywords::role(k) == Some(Role::Structural)
            && !matches!(k.as_str(), "allOf" | "default" | "nullable")
    });
    if members.len() == 1 && !own_shape {
        // `allOf: [X]` is X, with this node's description.
        let only = match &members[0] {
            Value::Object(m) => m,
            other => return AllOf::Single(other.clone()),
        };
        // The member's keywords are checked where they are written.
        let member_node = node.child("allOf").child("0");
        if super::classify::check_keywords(&member_node, only, diags) {
            return AllOf::Any;
        }
        return AllOf::Single(Value::Object(with_own_docs(only.clone(), obj)));
    }
    if let Some(result) = not_objects(set, node, obj, members, own_shape, diags) {
        return result;
    }
    Merger::run(set, diags, node, obj, "allOf")
}

/// A `$ref` with keywords beside it that shape an object (JSON Schema
/// 2019-09 and later): both apply, as an `allOf` of the reference and the
/// siblings would, merged in place so that each property keeps the node it
/// is written at. `None` unless the siblings add to an object
/// (`properties`, `required`, …) and the reference names one: the caller
/// then keeps the reference, with a warning for the siblings.
pub(super) fn merge_ref_and_siblings(
    set: &SchemaSet,
    node: &NodeRef,
    obj: &Map<String, Value>,
    diags: &mut Diagnostics,
) -> Option<AllOf> {
    let reference = Value::Object(
        obj.iter()
            .filter(|(k, _)| *k == "$ref")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    );
    let target_is_object = super::resolve_refs(set, node, &reference)
        .is_ok_and(|(_, target)| target.as_object().is_some_and(is_objectish));
    // Siblings that add to an object (a `type: object` alone adds nothing
    // to a reference that is one).
    let adds_to_object = obj.keys().any(|k| keywords::shapes_objects(k));
    if !adds_to_object || !target_is_object {
        return None;
    }
    Some(Merger::run(set, diags, node, obj, "$ref"))
}

/// An `allOf` with an inline member typed `["object", "null"]` (or
/// another list with both), when every member accepts `null`: the same
/// node with `null` taken out of those lists, to be read as `Option` of
/// it. `None` otherwise (a member of type `object` rules `null` out, and
/// the list then only adds `object`).
pub(super) fn nullable_object(
    set: &SchemaSet,
    node: &NodeRef,
    obj: &Map<String, Value>,
) -> Option<Value> {
    let Some(Value::Array(members)) = obj.get("allOf") else {
        return None;
    };
    let object_or_null = |m: &Value| {
        m.get("type")
            .and_then(Value::as_array)
            .is_some_and(|types| {
                types.iter().any(|t| t == "object") && types.iter().any(|t| t == "null")
            })
    };
    if !members.iter().any(object_or_null) {
        return None;
    }
    let accepts_null = |m: &Value| match m {
        Value::Bool(b) => *b,
        Value::Object(m) => {
            m.get("nullable") == Some(&Value::Bool(true))
                || match m.get("type") {
                    None => {
                        !m.contains_key("const")
                            && !m.contains_key("enum")
                            && !m.contains_key("$ref")
                    }
                    Some(Value::String(t)) => t == "null",
                    Some(Value::Array(types)) => types.iter().any(|t| t == "null"),
                    Some(_) => false,
                }
        }
        _ => false,
    };
    let own = Value::Object(
        obj.iter()
            .filter(|(k, _)| *k != "allOf")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    );
    let every_member = members.iter().enumerate().all(|(i, member)| {
        let at = node.child("allOf").child(&i.to_string());
        super::resolve_refs(set, &at, member).is_ok_and(|(_, target)| accepts_null(&target))
    });
    if !every_member || !accepts_null(&own) {
        return None;
    }
    let mut rewritten = obj.clone();
    if let Some(Value::Array(members)) = rewritten.get_mut("allOf") {
        for member in members.iter_mut().filter(|m| object_or_null(m)) {
            if let Some(Value::Array(types)) = member.get_mut("type") {
                types.retain(|t| t != "null");
            }
        }
    }
    Some(Value::Object(rewritten))
}

/// Whether `schema` describes an object (its keywords or its `type`).
fn is_objectish(schema: &Map<String, Value>) -> bool {
    schema.keys().any(|k| keywords::shapes_objects(k))
        || match schema.get("type") {
            Some(Value::String(t)) => t == "object",
            Some(Value::Array(types)) => types.iter().any(|t| t == "object"),
            _ => false,
        }
}

/// Whether the keyword `key` leaves a value's shape alone: it validates,
/// annotates or documents.
fn shape_neutral(key: &str) -> bool {
    !matches!(
        keywords::role(key),
        Some(Role::Structural | Role::Unsupported | Role::Definitions)
    )
}

/// Whether `schema` only narrows values (`type` aside): validation keywords,
/// annotations, and keywords the types do not enforce.
fn only_validates(schema: &Map<String, Value>) -> bool {
    schema.iter().all(|(key, value)| match key.as_str() {
        "type" => value.is_string(),
        // A member `{nullable: true}` makes the result nullable (below).
        "default" | "nullable" => true,
        key => shape_neutral(key),
    })
}

/// `base` with the `allOf` node's description, default and nullability.
fn with_own_docs(mut base: Map<String, Value>, obj: &Map<String, Value>) -> Map<String, Value> {
    for key in ["description", "default", "nullable"] {
        if let Some(v) = obj.get(key) {
            base.insert(key.to_string(), v.clone());
        }
    }
    base
}

/// An `allOf` that is not about objects: members that only validate
/// (`pattern`, `not`, `if`/`then`/`else`, a `type`) leave the base type,
/// their rules documented as not enforced; one member that shapes the
/// value (a `$ref`, an `enum`, …) beside such members is that member.
/// `None` when objects are involved (the merge below); any JSON, with a
/// warning, when several parts shape a value that is not an object.
fn not_objects(
    set: &SchemaSet,
    node: &NodeRef,
    obj: &Map<String, Value>,
    members: &[Value],
    own_shape: bool,
    diags: &mut Diagnostics,
) -> Option<AllOf> {
    let empty = Map::new();
    let mut maps: Vec<&Map<String, Value>> = Vec::with_capacity(members.len());
    for member in members {
        maps.push(match member {
            Value::Object(m) => m,
            // `true` narrows nothing.
            Value::Bool(true) => &empty,
            _ => return None,
        });
    }
    // A `$ref` member counts as what it refers to.
    let refers_to_object = |i: usize| {
        let at = node.child("allOf").child(&i.to_string());
        super::resolve_refs(set, &at, &members[i])
            .is_ok_and(|(_, target)| target.as_object().is_some_and(is_objectish))
    };
    if is_objectish(obj)
        || maps.iter().any(|m| is_objectish(m))
        || (0..maps.len()).any(refers_to_object)
    {
        return None;
    }
    let shaping: Vec<usize> = (0..maps.len())
        .filter(|i| !only_validates(maps[*i]))
        .collect();
    let mut types: Vec<&str> = maps
        .iter()
        .copied()
        .chain(std::iter::once(obj))
        .filter_map(|m| m.get("type").and_then(Value::as_str))
        .collect();
    types.sort_unstable();
    types.dedup();
    if types.len() > 1 {
        diags.error(
            &node.child("allOf").location(),
            format!(
                "the members of this `allOf` require different types ({}): no value is valid",
                types.join(", ")
            ),
        );
        return Some(AllOf::Invalid);
    }
    // The members' keywords are checked where they are written.
    for (i, m) in maps.iter().enumerate() {
        let at = node.child("allOf").child(&i.to_string());
        if super::classify::check_keywords(&at, m, diags) {
            return Some(AllOf::Any);
        }
    }
    let base = match shaping.as_slice() {
        [] => {
            let mut base = obj.clone();
            base.remove("allOf");
            if let Some(t) = types.first() {
                base.insert("type".into(), Value::String((*t).to_string()));
            }
            base
        }
        // The one member that shapes the value, with the type the others
        // give (`[{type: string}, {format: date-time}]` is a string).
        [only] if !own_shape => {
            let mut base = (*maps[*only]).clone();
            if let (false, Some(t)) = (base.contains_key("type"), types.first()) {
                base.insert("type".into(), Value::String((*t).to_string()));
            }
            base
        }
        // Several parts shape a value that is not an object (two arrays
        // with their own items, two enums): not merged.
        _ => {
            diags.warn(
                &node.child("allOf").location(),
                "this `allOf` combines several schemas that are not objects and cannot be merged into one type yet: it becomes `serde_json::Value`",
            );
            return Some(AllOf::Any);
        }
    };
    let mut base = with_own_docs(base, obj);
    if maps
        .iter()
        .any(|m| m.get("nullable") == Some(&Value::Bool(true)))
    {
        base.insert("nullable".into(), Value::Bool(true));
    }
    Some(AllOf::Single(Value::Object(base)))
}
