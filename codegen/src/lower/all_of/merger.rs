//! The merge of an object's parts: each member of an `allOf` (through
//! `$ref`s, one step at a time), a `$ref` with the keywords beside it, the
//! branches of `if`/`then`/`else` and alternatives that only add to the
//! object, into one [`Merged`] object.

use serde_json::{Map, Value};

use super::{only_adds, AllOf, Merged, MergedProperty, MAX_MEMBER_DEPTH};
use crate::error::{Diagnostics, Location};
use crate::load::{NodeRef, SchemaSet};
use crate::lower::objects::Requirement;

pub(super) struct Merger<'a> {
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
    pub(super) fn run(
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
            let Ok((target, Value::Object(member))) =
                super::super::resolve_refs(self.set, &at, item)
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
            Err(_) if super::super::is_meta_schema(reference) => {
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
                if !super::super::classify::ref_siblings_apply(self.set, node) {
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
                    let (branch, value) = match super::super::resolve_refs(self.set, &branch, value)
                    {
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
