//! `allOf`: the members' properties and `required` merged into one object,
//! each property remembering the node it comes from (so that its errors
//! and `$ref`s are read from there).

use serde_json::{Map, Value};

use super::objects::Requirement;
use crate::error::{Diagnostics, Location};
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

struct Merger<'a> {
    set: &'a SchemaSet,
    diags: &'a mut Diagnostics,
    merged: Merged,
    /// The members being merged, outermost first (to find cycles).
    visited: Vec<NodeRef>,
    /// The `allOf` keyword being merged.
    root: Location,
    /// A member had a keyword that cannot be merged into an object.
    unmergeable: bool,
    /// The member being collected was reached through a `$ref`.
    by_ref: bool,
    /// The root's own `$ref` is a member (its siblings apply with it).
    ref_is_member: bool,
    /// Properties that came from `then`/`else` branches (by node).
    branch_properties: Vec<NodeRef>,
}

impl<'a> Merger<'a> {
    /// Merges the node `obj` at `node` from its `via` keyword: `allOf`
    /// (its members), or `$ref` (the reference with the keywords beside
    /// it, JSON Schema 2019-09 and later).
    fn run(
        set: &'a SchemaSet,
        diags: &'a mut Diagnostics,
        node: &NodeRef,
        obj: &Map<String, Value>,
        via: &str,
    ) -> AllOf {
        let mut merger = Merger {
            set,
            diags,
            merged: Merged {
                own: Map::new(),
                properties: Vec::new(),
                required: Vec::new(),
                extras: Vec::new(),
            },
            visited: Vec::new(),
            root: node.child(via).location(),
            unmergeable: false,
            by_ref: false,
            ref_is_member: via == "$ref",
            branch_properties: Vec::new(),
        };
        let before = merger.diags.errors.len();
        merger.collect(node, obj, true);
        if merger.diags.errors.len() > before {
            AllOf::Invalid
        } else if merger.unmergeable {
            AllOf::Any
        } else {
            AllOf::Merged(merger.merged)
        }
    }

    /// Whether the `oneOf`/`anyOf` at `node` only adds to the object being
    /// merged; when it does, its members' properties are merged (optional),
    /// with a warning that which alternative applies is not enforced.
    fn alternatives_only_add(&mut self, node: &NodeRef, key: &str, value: &Value) -> bool {
        let Value::Array(items) = value else {
            return false;
        };
        let mut members = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let at = node.child(key).child(&i.to_string());
            let Ok((target, Value::Object(member))) = super::resolve_refs(self.set, &at, item)
            else {
                return false;
            };
            if !only_adds(&member) {
                return false;
            }
            members.push((target, member));
        }
        for (target, member) in &members {
            let Some(Value::Object(props)) = member.get("properties") else {
                continue;
            };
            for (name, schema) in props {
                if self.merged.properties.iter().any(|p| p.name == *name) {
                    continue;
                }
                self.merged.properties.push(MergedProperty {
                    name: name.clone(),
                    node: target.child("properties").child(name),
                    schema: schema.clone(),
                });
            }
        }
        self.diags.warn(
            &node.child(key).location(),
            format!("the alternatives of this `{key}` only add to the object: their properties are merged into it (optional), and which alternative applies is not enforced"),
        );
        true
    }

    /// Collects what the `$ref` at `node` names, as a member reached
    /// through a reference.
    fn collect_ref(&mut self, node: &NodeRef, reference: &Value) {
        let at = node.child("$ref");
        let Value::String(reference) = reference else {
            self.diags.error(&at.location(), "`$ref` must be a string");
            return;
        };
        let target = match self.set.resolve(node, reference) {
            Ok(target) => target,
            // A published meta-schema the input lacks: the merged value is
            // a schema document, any JSON (as a lone `$ref` to it is).
            Err(_) if super::is_meta_schema(reference) => {
                self.diags.warn(
                    &at.location(),
                    format!("`$ref` \"{reference}\" names a JSON Schema meta-schema the input does not contain: this `allOf` becomes `serde_json::Value`"),
                );
                self.unmergeable = true;
                return;
            }
            Err(message) => {
                self.diags.error(&at.location(), message);
                return;
            }
        };
        match self.set.get(&target) {
            Some(Value::Object(member)) => {
                let outer = self.by_ref;
                self.by_ref = true;
                self.collect(&target, member, false);
                self.by_ref = outer;
            }
            // `true` adds nothing.
            Some(Value::Bool(true)) => {}
            Some(Value::Bool(false)) => self.diags.error(
                &target.location(),
                "this `allOf` member is `false`: no value is valid",
            ),
            _ => self
                .diags
                .error(&target.location(), "an `allOf` member must be a schema"),
        }
    }

    fn collect(&mut self, node: &NodeRef, obj: &Map<String, Value>, is_root: bool) {
        if self.visited.contains(node) || self.visited.len() > MAX_MEMBER_DEPTH {
            self.diags.error(
                &node.location(),
                "`allOf` members refer back to each other, or nest too deeply",
            );
            return;
        }
        self.visited.push(node.clone());
        // A member's `$ref` (or the root's, when its siblings apply with
        // it) is a member of its own; in draft-07 and earlier the keywords
        // beside it are ignored.
        if let Some(reference) = obj.get("$ref") {
            if !is_root || self.ref_is_member {
                self.collect_ref(node, reference);
                if !super::classify::ref_siblings_apply(self.set, node) {
                    self.visited.pop();
                    return;
                }
            }
        }
        for (key, value) in obj {
            match key.as_str() {
                "allOf" => {
                    let Value::Array(members) = value else {
                        continue;
                    };
                    for (i, member) in members.iter().enumerate() {
                        let member_node = node.child("allOf").child(&i.to_string());
                        match member {
                            // Its `$ref` is followed in `collect`, one
                            // step at a time, so that keywords beside
                            // each reference in a chain are merged too.
                            Value::Object(member) => self.collect(&member_node, member, false),
                            // `true` adds nothing.
                            Value::Bool(true) => {}
                            Value::Bool(false) => self.diags.error(
                                &member_node.location(),
                                "this `allOf` member is `false`: no value is valid",
                            ),
                            _ => self.diags.error(
                                &member_node.location(),
                                "an `allOf` member must be a schema",
                            ),
                        }
                    }
                }
                "properties" => {
                    let Value::Object(props) = value else {
                        continue;
                    };
                    for (name, schema) in props {
                        let properties = &mut self.merged.properties;
                        properties.retain(|p| p.name != *name);
                        properties.push(MergedProperty {
                            name: name.clone(),
                            node: node.child("properties").child(name),
                            schema: schema.clone(),
                        });
                    }
                }
                "required" => {
                    if let Value::Array(names) = value {
                        for (i, name) in names.iter().enumerate() {
                            let at = node.child("required").child(&i.to_string());
                            let Value::String(name) = name else {
                                self.diags
                                    .error(&at.location(), "`required` must list property names");
                                continue;
                            };
                            if !self.merged.required.iter().any(|r| r.name == *name) {
                                self.merged.required.push(Requirement {
                                    name: name.clone(),
                                    at: at.location(),
                                    by_ref: self.by_ref,
                                });
                            }
                        }
                    }
                }
                // The properties a branch of `if`/`then`/`else` defines may
                // be present: optional fields (the condition is not
                // evaluated), unless a member defines them already. Two
                // branches that define one property differently: it holds
                // any JSON (either branch's documents are read).
                "then" | "else" => {
                    let branch = node.child(key);
                    let (branch, value) = match super::resolve_refs(self.set, &branch, value) {
                        Ok(found) => found,
                        Err((location, message)) => {
                            self.diags.error(&location, message);
                            continue;
                        }
                    };
                    let Some(Value::Object(props)) = value.get("properties") else {
                        continue;
                    };
                    for (name, schema) in props {
                        let at = branch.child("properties").child(name);
                        match self.merged.properties.iter_mut().find(|p| p.name == *name) {
                            Some(existing)
                                if self.branch_properties.contains(&existing.node)
                                    && existing.schema != *schema =>
                            {
                                self.diags.warn(
                                    &at.location(),
                                    format!("`{name}` is defined differently by the branches of `if`/`then`/`else`: it holds any JSON"),
                                );
                                existing.schema = Value::Bool(true);
                            }
                            Some(_) => {}
                            None => {
                                self.branch_properties.push(at.clone());
                                self.merged.properties.push(MergedProperty {
                                    name: name.clone(),
                                    node: at,
                                    schema: schema.clone(),
                                });
                            }
                        }
                    }
                }
                // A member's map of unlisted properties types them in the
                // merged object too; its `additionalProperties: false`
                // closes only that member, and is not carried over.
                "additionalProperties" | "patternProperties" if !is_root => {
                    if value.is_object() && !self.merged.extras.contains(node) {
                        self.merged.extras.push(node.clone());
                    } else if *value == Value::Bool(false) {
                        // At the merge (a member shared by several merges
                        // is reported at each).
                        let root = self.root.clone();
                        self.diags.warn(
                            &root,
                            format!("`additionalProperties: false` in the member {} closes only that member; the merged object stays open (not enforced)", node.child(key).location()),
                        );
                    }
                }
                // `["object", "null"]`: the object part merges (whether the
                // whole accepts `null` is decided before merging).
                "type"
                    if value
                        .as_array()
                        .is_some_and(|types| types.iter().any(|t| t == "object")) => {}
                "type" if value != "object" => {
                    self.diags.error(
                        &node.child("type").location(),
                        "`allOf` merges object schemas only",
                    );
                }
                // Alternatives that only add to the object (`required`
                // lists, more properties): their properties join, optional,
                // as beside `properties` outside an `allOf`.
                "oneOf" | "anyOf" if self.alternatives_only_add(node, key, value) => {}
                "oneOf" | "anyOf" | "enum" | "const" | "items" | "discriminator" => {
                    // Reported at the `allOf` being merged: a member shared
                    // by several is reported for each.
                    self.diags.warn(
                        &self.root,
                        if is_root {
                            format!("`{key}` beside `allOf` cannot be merged into one object yet: the `allOf` becomes `serde_json::Value`")
                        } else {
                            format!("`{key}` in the member {} cannot be merged into one object yet: this `allOf` becomes `serde_json::Value`", node.child(key).location())
                        },
                    );
                    self.unmergeable = true;
                }
                "type" | "$ref" => {}
                // The node's own description and other keywords describe the
                // merged type; the members' describe the members.
                _ if is_root => {
                    self.merged.own.insert(key.clone(), value.clone());
                }
                _ => {}
            }
        }
        self.visited.pop();
    }
}
