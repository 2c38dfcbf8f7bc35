//! Stage 2: JSON Schema → the Rust model. This is the one place where the
//! meaning of JSON Schema keywords is decided; [`crate::emit`] only prints.
//!
//! Each construct has its own function, chosen by `Lowerer::classify`:
//!
//! | schema | model |
//! |---|---|
//! | `$ref` | the target's named type |
//! | `const: "x"`, or `enum: ["x"]` | [`TypeKind::Const`]: a one-variant enum that is its own default |
//! | `enum: [strings]` | a closed [`TypeKind::Enum`]: unknown strings are rejected |
//! | `anyOf: [{enum: [...]}, {type: string}]` | an open [`TypeKind::Enum`]: unknown strings kept in `Other` |
//! | `oneOf`/`anyOf` of objects + `discriminator.propertyName` | [`TypeKind::Union`] dispatched on that property |
//! | `type: object` with `properties` | [`TypeKind::Struct`] |
//! | `type: object` without `properties` | `BTreeMap<String, T>` (`T` from `additionalProperties`, default any JSON) |
//! | `type: array` | `Vec<T>` |
//! | `string`, `integer`, `number`, `boolean` | `String`, an integer chosen by `format`, `f64`, `bool` |
//! | `type: [T, "null"]`, `nullable: true`, `anyOf: [T, {type: null}]` | `Option<T>` |
//! | `{}` or `true` | `serde_json::Value` |
//!
//! Keywords that only validate (`pattern`, `minLength`, `maximum`, …) are
//! understood and not enforced by the generated types; annotations
//! (`title`, `$comment`, `examples`, `x-*`) are ignored on purpose. Every other
//! keyword is an error naming its JSON pointer: nothing is dropped silently.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::error::{Diagnostic, Diagnostics, Error, Location};
use crate::keywords::{self, Role};
use crate::load::{NodeRef, SchemaSet, MAX_NESTING};
use crate::model::*;
use crate::naming::{self, Scope};
use crate::passes::{
    box_recursive_fields, break_alias_recursion, check_alias_cycles, compute_eq_hash,
};

/// The result of lowering: the model and the warnings met on the way.
#[derive(Debug)]
pub struct Lowered {
    /// The named types, in emission order.
    pub space: TypeSpace,
    /// Fallbacks that were taken (see the README's table).
    pub warnings: Vec<Diagnostic>,
}

/// Marks a property schema copied out of an `allOf` member with the place
/// it really lives (`file#pointer`), so that its errors and `$ref`s are
/// read from there. Never in user input.
const ORIGIN: &str = "$codegen-origin";

/// Lowers every type the entry files define: their `$defs`/`definitions`
/// entries, their roots when a root describes a type, and everything those
/// reach through `$ref`.
pub fn lower(set: &SchemaSet) -> Result<Lowered, Error> {
    lower_with(set, &Options::default())
}

/// Choices the caller makes about the output.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `(schema type, format)` → Rust type path, overriding the built-in
    /// format table (`("string", "date-time")` → `chrono::DateTime<chrono::Utc>`).
    pub formats: std::collections::BTreeMap<(String, String), String>,
    /// Read an optional property that may be `null` as `Option<T>`, absent
    /// and `null` both `None`, instead of `Option<Option<T>>`.
    pub merge_absent_and_null: bool,
}

/// [`lower`] with [`Options`].
pub fn lower_with(set: &SchemaSet, options: &Options) -> Result<Lowered, Error> {
    let mut lowerer = Lowerer {
        options,
        set,
        space: TypeSpace::default(),
        by_node: HashMap::new(),
        names: Scope::default(),
        diags: Diagnostics::default(),
        depth: 0,
    };
    for file in set.entries() {
        let root = NodeRef {
            file: file.clone(),
            pointer: String::new(),
        };
        let Some(Value::Object(obj)) = set.get(&root) else {
            continue;
        };
        // The named definitions: `$defs`, `definitions`, and in an OpenAPI
        // document `components/schemas`.
        for container in keywords::definition_containers(obj) {
            let node = NodeRef {
                file: file.clone(),
                pointer: container.to_string(),
            };
            match set.get(&node) {
                None => {}
                Some(Value::Object(defs)) => {
                    for key in defs.keys() {
                        lowerer.named(&node.child(key), &naming::type_name(key));
                    }
                }
                Some(_) => lowerer.diags.error(
                    &node.location(),
                    format!(
                        "`{}` must be an object of schemas",
                        container[1..].replace('/', ".")
                    ),
                ),
            }
        }
        // The rest of an OpenAPI document (paths, info, …) is not a schema.
        if obj.contains_key("openapi") {
            continue;
        }
        if describes_a_type(obj) {
            let wanted = match obj.get("title") {
                Some(Value::String(title)) => naming::type_name(title),
                _ => naming::type_name(file_stem(file)),
            };
            lowerer.named(&root, &wanted);
        }
    }
    let Lowerer {
        mut space,
        mut diags,
        ..
    } = lowerer;
    check_alias_cycles(&space, &mut diags);
    break_alias_recursion(&mut space);
    if !diags.errors.is_empty() {
        return Err(Error::Schema(diags.errors));
    }
    box_recursive_fields(&mut space);
    compute_eq_hash(&mut space);
    Ok(Lowered {
        space,
        warnings: diags.warnings,
    })
}

fn file_stem(file: &str) -> &str {
    let name = file.rsplit('/').next().unwrap_or(file);
    name.split('.').next().unwrap_or(name)
}

/// Whether a document root is itself a type (and not only a container of
/// `$defs`).
fn describes_a_type(obj: &Map<String, Value>) -> bool {
    obj.keys().any(|k| {
        !matches!(
            keywords::role(k),
            Some(Role::Annotation | Role::Documentation | Role::Definitions | Role::Extension)
        )
    })
}

/// The schema `true`: what a missing node stands for (its `$ref` was
/// already reported).
static ANY: Value = Value::Bool(true);

struct Lowerer<'a> {
    options: &'a Options,
    set: &'a SchemaSet,
    space: TypeSpace,
    by_node: HashMap<NodeRef, TypeId>,
    names: Scope,
    diags: Diagnostics,
    /// How many named types are being lowered inside each other now.
    depth: usize,
}

/// How deeply named types may nest through `$ref` chains before the input
/// is refused (each level is a few stack frames of the generator).
const MAX_DEPTH: usize = 256;

/// Enums with more values than this are refused: Rust compiles them, but
/// slowly and into an unusable type; such a list is data, not a type.
pub const MAX_ENUM_VALUES: usize = 10_000;

/// What a schema node becomes, decided once per node.
enum Shape<'v> {
    Any,
    Ref(&'v str),
    Nullable(Value),
    /// The same node, rewritten into a simpler equivalent: classify that.
    Rewritten(Value),
    Const(String),
    Enum(Vec<String>),
    OpenEnum(Vec<String>),
    Union(String, &'v [Value]),
    Untagged(&'v [Value]),
    Struct,
    Map,
    Array,
    Primitive(&'v str),
    Invalid,
}

impl<'a> Lowerer<'a> {
    /// The named type for `node`, lowering it on first use. Recursion is safe:
    /// the id is registered before the node's children are lowered.
    fn named(&mut self, node: &NodeRef, wanted: &str) -> TypeId {
        // Borrowed from the set, not from `self`: no copy of the subtree.
        let set = self.set;
        let value = set.get(node).unwrap_or(&ANY);
        self.named_value(node, value, wanted)
    }

    /// Like [`Self::named`], for a node whose value was rewritten into an
    /// equivalent form (a nullable type with the null taken out).
    fn named_value(&mut self, node: &NodeRef, value: &Value, wanted: &str) -> TypeId {
        if let Some(id) = self.by_node.get(node) {
            return *id;
        }
        let id = self.reserve(node, value, wanted);
        self.by_node.insert(node.clone(), id);
        if self.depth >= MAX_DEPTH {
            self.diags.error(
                &node.location(),
                format!("types nest more than {MAX_DEPTH} levels deep through `$ref`; refusing to go further"),
            );
            return id;
        }
        self.depth += 1;
        let name = self.space.get(id).name.clone();
        let kind = self.lower_kind(node, value, &name);
        self.space.types[id.0].kind = kind;
        self.depth -= 1;
        id
    }

    /// Adds a placeholder type with a fresh name; its kind is filled in later.
    fn reserve(&mut self, node: &NodeRef, value: &Value, wanted: &str) -> TypeId {
        let name = self.names.claim(wanted);
        let id = TypeId(self.space.types.len());
        self.space.types.push(TypeDef {
            name,
            docs: docs_of(value),
            origin: node.clone(),
            kind: TypeKind::Alias(RustType::Value),
            eq_hash: true,
            deprecated: is_deprecated(value),
        });
        id
    }

    /// Checks every keyword of `obj` against the tables above. Unknown
    /// keywords are ignored with a warning (JSON Schema treats them as
    /// annotations); returns whether the schema must fall back to any JSON.
    fn check_keywords(&mut self, node: &NodeRef, obj: &Map<String, Value>) -> bool {
        let mut fallback = false;
        for key in obj.keys() {
            let key = key.as_str();
            if key == ORIGIN {
                continue;
            }
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
                Some(Role::NotEnforced) => self.diags.warn(
                    &location,
                    format!("`{key}` is not enforced by the generated types"),
                ),
                Some(Role::Unsupported) => {
                    self.diags.warn(
                        &location,
                        format!(
                            "`{key}` is not supported yet: this schema becomes `serde_json::Value`"
                        ),
                    );
                    fallback = true;
                }
                None => self
                    .diags
                    .warn(&location, format!("unknown keyword `{key}` ignored")),
            }
        }
        fallback
    }

    fn classify<'v>(&mut self, node: &NodeRef, value: &'v Value) -> Shape<'v> {
        let obj = match value {
            Value::Bool(true) => return Shape::Any,
            Value::Bool(false) => {
                self.diags.error(
                    &node.location(),
                    "the schema `false` accepts nothing and has no Rust type",
                );
                return Shape::Invalid;
            }
            Value::Object(obj) => obj,
            _ => {
                self.diags
                    .error(&node.location(), "a schema must be an object or a boolean");
                return Shape::Invalid;
            }
        };
        if self.check_keywords(node, obj) {
            return Shape::Any;
        }
        let loc = node.location();
        if let Some(reference) = obj.get("$ref") {
            let Value::String(reference) = reference else {
                self.diags
                    .error(&node.child("$ref").location(), "`$ref` must be a string");
                return Shape::Invalid;
            };
            for key in obj.keys() {
                if keywords::role(key) == Some(Role::Structural)
                    && !matches!(key.as_str(), "$ref" | "nullable" | "default")
                {
                    self.diags.warn(
                        &node.child(key).location(),
                        format!("`{key}` beside `$ref` is ignored: the referenced schema decides the type"),
                    );
                }
            }
            if obj.get("nullable") != Some(&Value::Bool(true)) {
                return Shape::Ref(reference);
            }
        }
        // `nullable: true` (OpenAPI 3.0, with or without `$ref`) and
        // `type: [T, "null"]`.
        if obj.get("nullable") == Some(&Value::Bool(true)) {
            let mut inner = obj.clone();
            inner.remove("nullable");
            return Shape::Nullable(Value::Object(inner));
        }
        if let Some(Value::Array(types)) = obj.get("type") {
            let non_null: Vec<&Value> = types.iter().filter(|t| *t != "null").collect();
            if non_null.len() + 1 == types.len() && non_null.len() == 1 {
                let mut inner = obj.clone();
                inner.insert("type".into(), non_null[0].clone());
                return Shape::Nullable(Value::Object(inner));
            }
            if non_null.len() == 1 {
                let mut inner = obj.clone();
                inner.insert("type".into(), non_null[0].clone());
                return Shape::Rewritten(Value::Object(inner));
            }
            self.diags.error(
                &node.child("type").location(),
                "a type array with more than one non-null type is not supported yet",
            );
            return Shape::Invalid;
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
                self.diags.error(
                    &node.child(keyword).location(),
                    format!(
                        "`{keyword}` gives strings but `type` is `{ty}`: no value could be valid"
                    ),
                );
                return Shape::Invalid;
            }
        }
        if let Some(c) = obj.get("const") {
            return match c {
                Value::String(s) => Shape::Const(s.clone()),
                _ => {
                    self.diags.error(
                        &node.child("const").location(),
                        "only string constants are supported",
                    );
                    Shape::Invalid
                }
            };
        }
        if let Some(values) = obj.get("enum") {
            return match string_list(values) {
                Some(mut values) => {
                    let nullable = values.iter().any(Option::is_none);
                    values.retain(Option::is_some);
                    let values: Vec<String> = values.into_iter().flatten().collect();
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
                            self.diags.error(
                                &node.child("enum").location(),
                                "an empty `enum` accepts nothing",
                            );
                            Shape::Invalid
                        }
                        n if n > MAX_ENUM_VALUES => {
                            self.diags.error(
                                &node.child("enum").location(),
                                format!("an `enum` of {n} values is more than the {MAX_ENUM_VALUES} the generator accepts; describe the value as a `string` instead"),
                            );
                            Shape::Invalid
                        }
                        1 => Shape::Const(values.into_iter().next().unwrap_or_default()),
                        _ => Shape::Enum(values),
                    }
                }
                None => {
                    // Numbers or mixed values: the base type, values not checked.
                    self.diags.warn(
                        &node.child("enum").location(),
                        "only enums of strings become Rust enums: this one keeps its base type and its values are not checked",
                    );
                    let mut inner = obj.clone();
                    inner.remove("enum");
                    Shape::Rewritten(Value::Object(inner))
                }
            };
        }
        if obj.contains_key("allOf") {
            return match self.merge_all_of(node, obj) {
                Some(merged) => Shape::Rewritten(merged),
                None => Shape::Invalid,
            };
        }
        for keyword in ["oneOf", "anyOf"] {
            let Some(items) = obj.get(keyword) else {
                continue;
            };
            let Value::Array(items) = items else {
                self.diags.error(
                    &node.child(keyword).location(),
                    format!("`{keyword}` must be an array of schemas"),
                );
                return Shape::Invalid;
            };
            if items.is_empty() {
                self.diags.error(
                    &node.child(keyword).location(),
                    format!(
                        "an empty `{keyword}` accepts nothing (it must list at least one schema)"
                    ),
                );
                return Shape::Invalid;
            }
            let is_null = |v: &Value| v.get("type") == Some(&Value::String("null".into()));
            let non_null: Vec<&Value> = items.iter().filter(|v| !is_null(v)).collect();
            if non_null.len() < items.len() {
                // `anyOf: [X, {type: null}]`: an optional X.
                let mut inner = obj.clone();
                if non_null.len() == 1 {
                    inner.remove(keyword);
                    if let Value::Object(only) = non_null[0] {
                        for (k, v) in only {
                            inner.insert(k.clone(), v.clone());
                        }
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
                        self.diags.error(
                            &node.child("discriminator").location(),
                            "`discriminator` needs a string `propertyName`",
                        );
                        Shape::Invalid
                    }
                };
            }
            // No discriminator: a property every member requires with a
            // constant value works as one; otherwise the union is untagged.
            if let Some(tag) = self.common_constant_property(node, keyword, items) {
                return Shape::Union(tag, items);
            }
            return Shape::Untagged(items);
        }
        if obj.contains_key("discriminator") {
            self.diags.warn(
                &node.child("discriminator").location(),
                "`discriminator` without a `oneOf` or `anyOf` beside it is ignored",
            );
        }
        if let Some(Value::String(t)) = obj.get("type") {
            self.warn_conflicts(node, obj, t);
        }
        match obj.get("type") {
            None if obj.contains_key("properties") => Shape::Struct,
            None if obj.contains_key("items") => Shape::Array,
            None => Shape::Any,
            Some(Value::String(t)) => match t.as_str() {
                "object" if obj.contains_key("properties") => Shape::Struct,
                "object" => Shape::Map,
                "array" => Shape::Array,
                "string" | "integer" | "number" | "boolean" => Shape::Primitive(t),
                "null" => {
                    self.diags.error(
                        &loc,
                        "a schema that only allows null has no useful Rust type",
                    );
                    Shape::Invalid
                }
                other => {
                    self.diags.error(
                        &node.child("type").location(),
                        format!("unknown type `{other}`"),
                    );
                    Shape::Invalid
                }
            },
            Some(_) => {
                self.diags.error(
                    &node.child("type").location(),
                    "`type` must be a string or an array of strings",
                );
                Shape::Invalid
            }
        }
    }

    /// `allOf`: the members' properties and `required` merged into one
    /// object schema, with this node's own keywords. A single member with
    /// nothing beside it is that member.
    fn merge_all_of(&mut self, node: &NodeRef, obj: &Map<String, Value>) -> Option<Value> {
        let Some(Value::Array(members)) = obj.get("allOf") else {
            self.diags.error(
                &node.child("allOf").location(),
                "`allOf` must be an array of schemas",
            );
            return None;
        };
        let own_shape = obj.keys().any(|k| {
            keywords::role(k) == Some(Role::Structural)
                && !matches!(k.as_str(), "allOf" | "default" | "nullable")
        });
        if members.len() == 1 && !own_shape {
            // `allOf: [X]` is X, with this node's description.
            let mut only = match &members[0] {
                Value::Object(m) => m.clone(),
                other => return Some(other.clone()),
            };
            for key in ["description", "default", "nullable"] {
                if let Some(v) = obj.get(key) {
                    only.insert(key.to_string(), v.clone());
                }
            }
            return Some(Value::Object(only));
        }
        let mut merged = Map::new();
        let mut properties = Map::new();
        let mut required: Vec<Value> = Vec::new();
        let mut visited = Vec::new();
        let before = self.diags.errors.len();
        self.collect_all_of(
            node,
            obj,
            true,
            &mut merged,
            &mut properties,
            &mut required,
            &mut visited,
        );
        if self.diags.errors.len() > before {
            return None;
        }
        if merged.get(ORIGIN) == Some(&Value::Bool(true)) {
            // A member could not be merged (warned above): any JSON.
            return Some(Value::Bool(true));
        }
        merged.insert("type".into(), Value::String("object".into()));
        merged.insert("properties".into(), Value::Object(properties));
        merged.insert("required".into(), Value::Array(required));
        Some(Value::Object(merged))
    }

    #[allow(clippy::too_many_arguments)]
    fn collect_all_of(
        &mut self,
        node: &NodeRef,
        obj: &Map<String, Value>,
        is_root: bool,
        merged: &mut Map<String, Value>,
        properties: &mut Map<String, Value>,
        required: &mut Vec<Value>,
        visited: &mut Vec<NodeRef>,
    ) {
        if visited.contains(node) || visited.len() > 64 {
            self.diags.error(
                &node.location(),
                "`allOf` members refer back to each other, or nest too deeply",
            );
            return;
        }
        visited.push(node.clone());
        for (key, value) in obj {
            match key.as_str() {
                "allOf" => {
                    let Value::Array(members) = value else {
                        continue;
                    };
                    for (i, member) in members.iter().enumerate() {
                        let member_node = node.child("allOf").child(&i.to_string());
                        let Some((target, member)) = self.follow_refs(&member_node, member) else {
                            continue;
                        };
                        let Value::Object(member) = member else {
                            self.diags.error(
                                &target.location(),
                                "an `allOf` member must be an object schema",
                            );
                            continue;
                        };
                        self.collect_all_of(
                            &target, &member, false, merged, properties, required, visited,
                        );
                    }
                }
                "properties" => {
                    let Value::Object(props) = value else {
                        continue;
                    };
                    for (name, schema) in props {
                        let mut schema = schema.clone();
                        let origin = origin_of(&schema)
                            .unwrap_or_else(|| node.child("properties").child(name));
                        if let Value::Object(o) = &mut schema {
                            o.insert(ORIGIN.into(), Value::String(origin.location().to_string()));
                        }
                        // A later member's definition of the same property wins.
                        properties.shift_remove(name);
                        properties.insert(name.clone(), schema);
                    }
                }
                "required" => {
                    if let Value::Array(names) = value {
                        for name in names {
                            if !required.contains(name) {
                                required.push(name.clone());
                            }
                        }
                    }
                }
                "type" if value != "object" => {
                    self.diags.error(
                        &node.child("type").location(),
                        "`allOf` merges object schemas only",
                    );
                }
                "oneOf" | "anyOf" | "enum" | "const" | "items" | "discriminator" => {
                    self.diags.warn(
                        &node.child(key).location(),
                        format!("`{key}` inside `allOf` cannot be merged into one object yet: the `allOf` becomes `serde_json::Value`"),
                    );
                    *merged = Map::new();
                    merged.insert(ORIGIN.into(), Value::Bool(true));
                }
                "type" | "$ref" => {}
                // The node's own description and other keywords describe the
                // merged type; the members' describe the members.
                _ if is_root => {
                    merged.insert(key.clone(), value.clone());
                }
                _ => {}
            }
        }
        visited.pop();
    }

    /// Follows `$ref`s from `node` to a schema that is not one.
    fn follow_refs(&mut self, node: &NodeRef, value: &Value) -> Option<(NodeRef, Value)> {
        match self.resolve_refs(node, value) {
            Ok(found) => Some(found),
            Err((location, message)) => {
                self.diags.error(&location, message);
                None
            }
        }
    }

    /// The schema a chain of `$ref`s ends at, or where and why it breaks.
    /// Reports nothing: callers decide whether a failure is an error.
    fn resolve_refs(
        &self,
        node: &NodeRef,
        value: &Value,
    ) -> Result<(NodeRef, Value), (Location, String)> {
        let mut node = node.clone();
        let mut value = value.clone();
        for _ in 0..64 {
            let Some(Value::String(reference)) = value.get("$ref") else {
                return Ok((node, value));
            };
            match self.set.resolve(&node, reference) {
                Ok(target) => {
                    value = self.set.get(&target).cloned().unwrap_or(Value::Bool(true));
                    node = target;
                }
                Err(message) => return Err((node.child("$ref").location(), message)),
            }
        }
        Err((
            node.location(),
            "`$ref` chain too long or circular".to_string(),
        ))
    }

    /// The property that every member of a union requires with a single
    /// constant string value, if there is one (`type` preferred).
    fn common_constant_property(
        &mut self,
        node: &NodeRef,
        keyword: &str,
        items: &[Value],
    ) -> Option<String> {
        let mut common: Option<Vec<String>> = None;
        for (i, item) in items.iter().enumerate() {
            let member_node = node.child(keyword).child(&i.to_string());
            let (target, member) = self.follow_refs_quietly(&member_node, item)?;
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
                    self.follow_refs_quietly(&at, schema)
                        .is_some_and(|(_, v)| constant_string(&v).is_some())
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

    /// [`Self::follow_refs`] without reporting: a failure means "no" here,
    /// and is reported where the member itself is lowered.
    fn follow_refs_quietly(&self, node: &NodeRef, value: &Value) -> Option<(NodeRef, Value)> {
        self.resolve_refs(node, value).ok()
    }

    /// A union without a tag: serde tries the members in schema order.
    /// Variants are named after the member's type.
    fn lower_untagged(
        &mut self,
        node: &NodeRef,
        keyword: &str,
        items: &[Value],
        name: &str,
    ) -> Untagged {
        let mut scope = Scope::default();
        let mut variants = Vec::new();
        let own = self.by_node.get(node).copied();
        for (i, item) in items.iter().enumerate() {
            let item_node = node.child(keyword).child(&i.to_string());
            let hint = format!("{name}Variant{}", i + 1);
            let ty = self.lower_type(&item_node, item, &hint);
            if own.is_some_and(|own| ty == RustType::Named(own)) {
                self.diags.error(
                    &item_node.location(),
                    format!("this member of `{keyword}` is the union itself: it admits nothing the others do not, and trying it would recurse forever"),
                );
                continue;
            }
            let wanted = match &ty {
                RustType::Named(id) => {
                    let member = &self.space.get(*id).name;
                    // `ResponseItemMessage` in `ResponseItem` → `Message`.
                    match member.strip_prefix(name) {
                        Some(rest)
                            if rest.starts_with(|c: char| c.is_ascii_uppercase())
                                && !rest.starts_with("Variant") =>
                        {
                            rest.to_string()
                        }
                        _ => member.clone(),
                    }
                }
                other => primitive_variant_name(other),
            };
            variants.push(UntaggedVariant {
                name: scope.claim(&wanted),
                ty,
                docs: docs_of(item),
            });
        }
        // serde tries the variants in order and the first that accepts the
        // value wins: a member that accepts any JSON placed before others
        // would make them unreachable. It goes last (the sort is stable, so
        // the others keep schema order).
        variants.sort_by_key(|variant| self.accepts_anything(&variant.ty));
        Untagged { variants }
    }

    /// Whether `ty` takes any JSON value (`serde_json::Value`, directly or
    /// through aliases already lowered).
    fn accepts_anything(&self, ty: &RustType) -> bool {
        let mut ty = ty;
        for _ in 0..64 {
            match ty {
                RustType::Value => return true,
                RustType::Named(id) => match &self.space.get(*id).kind {
                    TypeKind::Alias(inner) => ty = inner,
                    _ => return false,
                },
                _ => return false,
            }
        }
        false
    }

    /// Keywords that cannot apply to a value of type `t` (`properties` on a
    /// string, `items` on an object) are ignored with a warning each.
    fn warn_conflicts(&mut self, node: &NodeRef, obj: &Map<String, Value>, t: &str) {
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
                self.diags.warn(
                    &node.child(key).location(),
                    format!("`{key}` has no effect on a schema of type `{t}` and is ignored"),
                );
            }
        }
    }

    /// The kind of a named type.
    fn lower_kind(&mut self, node: &NodeRef, value: &Value, name: &str) -> TypeKind {
        match self.classify(node, value) {
            Shape::Const(value) => TypeKind::Const(Const {
                variant: naming::type_name(&value),
                value,
            }),
            Shape::Enum(values) => TypeKind::Enum(self.lower_enum(values, None)),
            Shape::OpenEnum(values) => {
                TypeKind::Enum(self.lower_enum(values, Some("Other".to_string())))
            }
            Shape::Struct => TypeKind::Struct(self.lower_struct(node, value, name)),
            Shape::Union(tag, items) => {
                let keyword = union_keyword(value);
                match self.lower_union(node, keyword, &tag, items, value, name) {
                    Some(union) => TypeKind::Union(union),
                    None => TypeKind::Untagged(self.lower_untagged(node, keyword, items, name)),
                }
            }
            Shape::Untagged(items) => {
                TypeKind::Untagged(self.lower_untagged(node, union_keyword(value), items, name))
            }
            Shape::Rewritten(value) => self.lower_kind(node, &value, name),
            // A named nullable type: `Name = Option<NameInner>`, the inner
            // type lowered from the same node with the null taken out.
            Shape::Nullable(inner) => {
                let inner_ty = match self.classify(node, &inner) {
                    Shape::Const(_)
                    | Shape::Enum(_)
                    | Shape::OpenEnum(_)
                    | Shape::Struct
                    | Shape::Union(..)
                    | Shape::Untagged(_) => {
                        let id = self.reserve(node, &inner, &format!("{name}Inner"));
                        let inner_name = self.space.get(id).name.clone();
                        let kind = self.lower_kind(node, &inner, &inner_name);
                        self.space.types[id.0].kind = kind;
                        RustType::Named(id)
                    }
                    _ => self.lower_type(node, &inner, name),
                };
                TypeKind::Alias(match inner_ty {
                    RustType::Option(_) => inner_ty,
                    ty => RustType::Option(Box::new(ty)),
                })
            }
            shape => TypeKind::Alias(self.lower_shape(node, value, shape, name)),
        }
    }

    /// The Rust type of a field, item or alias at `node`; inline types that
    /// need a name get `hint`.
    fn lower_type(&mut self, node: &NodeRef, value: &Value, hint: &str) -> RustType {
        let shape = self.classify(node, value);
        self.lower_shape(node, value, shape, hint)
    }

    fn lower_shape(&mut self, node: &NodeRef, value: &Value, shape: Shape, hint: &str) -> RustType {
        match shape {
            Shape::Any | Shape::Invalid => RustType::Value,
            Shape::Ref(reference) => match self.set.resolve(node, reference) {
                Ok(target) => {
                    let wanted = name_for_target(&target);
                    RustType::Named(self.named(&target, &wanted))
                }
                Err(message) => {
                    self.diags.error(&node.child("$ref").location(), message);
                    RustType::Value
                }
            },
            Shape::Rewritten(value) => self.lower_type(node, &value, hint),
            Shape::Nullable(inner) => {
                let ty = self.lower_type(node, &inner, hint);
                match ty {
                    RustType::Option(_) => ty,
                    ty => RustType::Option(Box::new(ty)),
                }
            }
            Shape::Const(_)
            | Shape::Enum(_)
            | Shape::OpenEnum(_)
            | Shape::Struct
            | Shape::Union(..)
            | Shape::Untagged(_) => RustType::Named(self.named_value(node, value, hint)),
            Shape::Map if value.get("patternProperties").is_some() => {
                let inner = self
                    .extra_properties(node, value, hint)
                    .unwrap_or(RustType::Value);
                RustType::Map(Box::new(inner))
            }
            Shape::Map => match value.get("additionalProperties") {
                None | Some(Value::Bool(true)) => RustType::Map(Box::new(RustType::Value)),
                Some(Value::Bool(false)) => {
                    self.diags.error(
                        &node.child("additionalProperties").location(),
                        "an object with no properties and `additionalProperties: false` only allows `{}`; give it `properties`",
                    );
                    RustType::Value
                }
                Some(schema) => {
                    let child = node.child("additionalProperties");
                    let inner = self.lower_type(&child, schema, &format!("{hint}Value"));
                    RustType::Map(Box::new(inner))
                }
            },
            Shape::Array
                if value.get("prefixItems").is_some()
                    || value.get("items").is_some_and(Value::is_array) =>
            {
                self.lower_tuple(node, value, hint)
            }
            Shape::Array => match value.get("items") {
                None => RustType::Vec(Box::new(RustType::Value)),
                Some(items) => {
                    let child = node.child("items");
                    let inner = self.lower_type(&child, items, &format!("{hint}Item"));
                    RustType::Vec(Box::new(inner))
                }
            },
            Shape::Primitive(t) => self.lower_primitive(node, value, t),
        }
    }

    /// A tuple: `prefixItems` (or an older draft's `items: [..]`) with no
    /// further items allowed. Arrays that allow more items than the prefix
    /// cannot be a tuple: they fall back to `serde_json::Value`.
    fn lower_tuple(&mut self, node: &NodeRef, value: &Value, hint: &str) -> RustType {
        let (keyword, rest) = match value.get("prefixItems") {
            Some(_) => ("prefixItems", value.get("items")),
            None => ("items", value.get("additionalItems")),
        };
        let Some(Value::Array(prefix)) = value.get(keyword) else {
            self.diags.error(
                &node.child(keyword).location(),
                format!("`{keyword}` must be an array of schemas"),
            );
            return RustType::Value;
        };
        if rest != Some(&Value::Bool(false)) {
            self.diags.warn(
                &node.child(keyword).location(),
                "an array with a prefix that allows more items is not a tuple: it becomes `serde_json::Value` (add `items: false` to make it one)",
            );
            return RustType::Value;
        }
        let items = prefix
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let child = node.child(keyword).child(&i.to_string());
                self.lower_type(&child, item, &format!("{hint}Item{}", i + 1))
            })
            .collect();
        RustType::Tuple(items)
    }

    /// `string`, `integer`, `number`, `boolean`, with `format` read from a
    /// fixed table. An unknown format keeps the base type and warns.
    fn lower_primitive(&mut self, node: &NodeRef, value: &Value, t: &str) -> RustType {
        let format = value.get("format").and_then(Value::as_str);
        if let Some(format) = format {
            let key = (t.to_string(), format.to_string());
            if let Some(path) = self.options.formats.get(&key) {
                return RustType::External(path.clone());
            }
        }
        let int = |signed, bits| RustType::Int { signed, bits };
        let (base, known) = match (t, format) {
            ("string", None) => (RustType::String, true),
            ("string", Some(f)) => (RustType::String, STRING_FORMATS.contains(&f)),
            ("integer", None) => (integer_for_range(value), true),
            ("integer", Some("int64") | Some("unixtime")) => (RustType::I64, true),
            ("integer", Some("int32")) => (int(true, 32), true),
            ("integer", Some("int16")) => (int(true, 16), true),
            ("integer", Some("int8")) => (int(true, 8), true),
            ("integer", Some("uint64")) => (int(false, 64), true),
            ("integer", Some("uint32")) => (int(false, 32), true),
            ("integer", Some("uint16")) => (int(false, 16), true),
            ("integer", Some("uint8")) => (int(false, 8), true),
            ("integer", Some(_)) => (RustType::I64, false),
            ("number", None | Some("double")) => (RustType::Float { bits: 64 }, true),
            ("number", Some("float")) => (RustType::Float { bits: 32 }, true),
            ("number", Some(_)) => (RustType::Float { bits: 64 }, false),
            ("boolean", _) => (RustType::Bool, format.is_none()),
            _ => (RustType::Value, false),
        };
        if !known {
            self.diags.warn(
                &node.child("format").location(),
                format!(
                    "unknown format `{}` for `{t}`: generating the plain type",
                    format.unwrap_or_default()
                ),
            );
        }
        base
    }

    fn lower_enum(&mut self, values: Vec<String>, open: Option<String>) -> Enum {
        let mut scope = Scope::default();
        let variants = values
            .into_iter()
            .map(|value| EnumVariant {
                name: scope.claim(&naming::type_name(&value)),
                value,
            })
            .collect();
        Enum {
            variants,
            open: open.map(|o| scope.claim(&o)),
        }
    }

    fn lower_struct(&mut self, node: &NodeRef, value: &Value, name: &str) -> Struct {
        let props_node = node.child("properties");
        let Some(Value::Object(props)) = value.get("properties") else {
            self.diags.error(
                &props_node.location(),
                "`properties` must be an object of schemas",
            );
            return Struct {
                fields: Vec::new(),
                deny_unknown_fields: false,
                extra: None,
            };
        };
        let required: Vec<&str> = match value.get("required") {
            None => Vec::new(),
            Some(Value::Array(items)) if items.iter().all(Value::is_string) => {
                items.iter().filter_map(Value::as_str).collect()
            }
            Some(_) => {
                self.diags.error(
                    &node.child("required").location(),
                    "`required` must be an array of property names",
                );
                Vec::new()
            }
        };
        // A required property with no schema may hold any JSON.
        let mut props = props.clone();
        for (i, r) in required.iter().enumerate() {
            if !props.contains_key(*r) {
                self.diags.warn(
                    &node.child("required").child(&i.to_string()).location(),
                    format!("required property `{r}` is not declared in `properties`: it becomes a `serde_json::Value` field"),
                );
                props.insert((*r).to_string(), Value::Bool(true));
            }
        }
        let deny_unknown_fields = value.get("additionalProperties") == Some(&Value::Bool(false))
            && value.get("patternProperties").is_none();
        let extra_type = self.extra_properties(node, value, name);
        let mut scope = Scope::default();
        let mut fields = Vec::new();
        for (json_name, schema) in &props {
            let child = origin_of(schema).unwrap_or_else(|| props_node.child(json_name));
            let hint = format!("{name}{}", naming::type_name(json_name));
            let ty = self.lower_type(&child, schema, &hint);
            let required = required.contains(&json_name.as_str());
            // An optional property with a `default` that fits its type
            // keeps its type and deserializes to the default when absent.
            let default = match schema.get("default") {
                // `null` is what an absent `Option` already is.
                Some(Value::Null) => None,
                Some(value) if !required => {
                    let fitted = default_value(&self.space, &ty, value, 0);
                    if fitted.is_none() {
                        self.diags.warn(
                            &child.child("default").location(),
                            format!("`default` {value} does not fit the property's type, or holds an object of named properties: it is documented, not applied"),
                        );
                    }
                    fitted
                }
                _ => None,
            };
            // Absent and `null` are two values of an optional property that
            // may be `null`: `Option<Option<T>>`, unless asked otherwise or
            // the schema says absent means `null` (`default: null`).
            let nullable = is_nullable(&self.space, &ty);
            let null_apart = nullable
                && !required
                && default.is_none()
                && schema.get("default").is_none()
                && !self.options.merge_absent_and_null;
            // A nullable type that is itself an `Option` already reads a
            // missing property as `None`; one that is an alias (or newtype)
            // of an `Option` is not one to serde, so an optional property
            // of that type is wrapped like any other.
            let ty = match ty {
                ty if null_apart => RustType::Option(Box::new(ty)),
                ty if nullable && (required || matches!(ty, RustType::Option(_))) => ty,
                ty if !required && default.is_none() => RustType::Option(Box::new(ty)),
                ty => ty,
            };
            fields.push(Field {
                null_apart,
                nullable,
                name: scope.claim(&naming::field_name(json_name)),
                json_name: json_name.clone(),
                ty,
                required,
                docs: docs_of(schema),
                deprecated: is_deprecated(schema),
                default,
            });
        }
        let extra = extra_type.map(|ty| (scope.claim("additional_properties"), ty));
        Struct {
            fields,
            deny_unknown_fields,
            extra,
        }
    }

    /// The value type of properties an object does not list, when a schema
    /// gives one: `additionalProperties: {schema}` and/or
    /// `patternProperties` (patterns not checked). Several different types
    /// make `serde_json::Value`.
    fn extra_properties(&mut self, node: &NodeRef, value: &Value, name: &str) -> Option<RustType> {
        let mut types = Vec::new();
        if let Some(schema @ Value::Object(_)) = value.get("additionalProperties") {
            let child = node.child("additionalProperties");
            types.push(self.lower_type(&child, schema, &format!("{name}Value")));
        }
        match value.get("patternProperties") {
            None => {}
            Some(Value::Object(patterns)) => {
                for (pattern, schema) in patterns {
                    let child = node.child("patternProperties").child(pattern);
                    types.push(self.lower_type(&child, schema, &format!("{name}Value")));
                }
            }
            Some(_) => self.diags.error(
                &node.child("patternProperties").location(),
                "`patternProperties` must be an object of schemas",
            ),
        }
        let first = types.first()?.clone();
        Some(if types.iter().all(|t| *t == first) {
            first
        } else {
            RustType::Value
        })
    }

    fn lower_union(
        &mut self,
        node: &NodeRef,
        keyword: &str,
        tag: &str,
        items: &[Value],
        value: &Value,
        name: &str,
    ) -> Option<Union> {
        let mut variants: Vec<UnionVariant> = Vec::new();
        let mut structs: Vec<(TypeId, Struct)> = Vec::new();
        let mut scope = Scope::default();
        let mut seen_tags: HashMap<String, Location> = HashMap::new();
        // Problems with the union's structure; members' own errors still go
        // to `self.diags`.
        let mut problems = Diagnostics::default();
        for (i, item) in items.iter().enumerate() {
            let item_node = node.child(keyword).child(&i.to_string());
            let hint = format!("{name}Variant{}", i + 1);
            let ty = self.lower_type(&item_node, item, &hint);
            let RustType::Named(id) = ty else {
                problems.error(
                    &item_node.location(),
                    "each member of a discriminated union must be an object schema",
                );
                continue;
            };
            let def = self.space.get(id);
            let TypeKind::Struct(st) = &def.kind else {
                problems.error(
                    &item_node.location(),
                    format!(
                        "each member of a discriminated union must be an object schema, and {} is not",
                        def.origin.location()
                    ),
                );
                continue;
            };
            // The tag property: a constant, or a closed enum whose values
            // all select this member.
            let tag_values = st.fields.iter().find(|f| f.json_name == tag).and_then(|f| {
                match (&f.ty, f.required) {
                    (RustType::Named(c), true) => match &self.space.get(*c).kind {
                        TypeKind::Const(c) => Some((f.name.clone(), vec![c.value.clone()])),
                        TypeKind::Enum(e) if e.open.is_none() => Some((
                            f.name.clone(),
                            e.variants.iter().map(|v| v.value.clone()).collect(),
                        )),
                        _ => None,
                    },
                    _ => None,
                }
            });
            let Some((tag_field, mut tag_values)) = tag_values else {
                problems.error(
                    &item_node.location(),
                    format!(
                        "union member {} must require the property `{tag}` with a constant value or a closed set of values",
                        def.origin.location()
                    ),
                );
                continue;
            };
            let mut clash = false;
            for value in &tag_values {
                if let Some(first) = seen_tags.insert(value.clone(), item_node.location()) {
                    problems.error(
                        &item_node.location(),
                        format!("the tag value `{value}` is already used by {first}"),
                    );
                    clash = true;
                }
            }
            if clash {
                continue;
            }
            let tag_value = tag_values.remove(0);
            structs.push((id, st.clone()));
            variants.push(UnionVariant {
                name: scope.claim(&naming::type_name(&tag_value)),
                tag_value,
                other_tag_values: tag_values,
                tag_field,
                ty: id,
                docs: def.docs.clone(),
            });
        }
        if let Some(Value::Object(mapping)) =
            value.get("discriminator").and_then(|d| d.get("mapping"))
        {
            for (tag_value, target) in mapping {
                let known = variants
                    .iter()
                    .find(|v| &v.tag_value == tag_value || v.other_tag_values.contains(tag_value));
                let resolved = target.as_str().map(|t| self.set.resolve(node, t));
                let ok = match (known, resolved) {
                    (Some(v), Some(Ok(target))) => self.by_node.get(&target) == Some(&v.ty),
                    _ => false,
                };
                if !ok {
                    problems.error(
                        &node
                            .child("discriminator")
                            .child("mapping")
                            .child(tag_value)
                            .location(),
                        format!(
                            "the mapping for `{tag_value}` does not agree with the union's members"
                        ),
                    );
                }
            }
        }
        if !problems.errors.is_empty() {
            for problem in problems.errors {
                self.diags.warn(
                    &problem.location,
                    format!(
                        "{}; the union falls back to an untagged one",
                        problem.message
                    ),
                );
            }
            return None;
        }
        let common = common_fields(&structs, tag);
        let envelope = envelope_fields(&structs, tag);
        let last_word = naming::field_name(name)
            .rsplit('_')
            .next()
            .unwrap_or("value")
            .to_string();
        Some(Union {
            tag: tag.to_string(),
            tag_accessor: naming::field_name(&format!("{last_word}_{tag}")),
            catch_all: scope.claim("Unknown"),
            variants,
            common,
            envelope,
        })
    }
}

/// Whether `ty` admits `null`: an `Option`, or an alias of one.
fn is_nullable(space: &TypeSpace, ty: &RustType) -> bool {
    let mut ty = ty;
    for _ in 0..space.types.len() + 1 {
        match ty {
            RustType::Option(_) => return true,
            RustType::Named(id) => match &space.types.get(id.0).map(|t| &t.kind) {
                Some(TypeKind::Alias(inner) | TypeKind::Newtype(inner)) => ty = inner,
                _ => return false,
            },
            _ => return false,
        }
    }
    false
}

/// The properties every variant has, required or not, with the same type
/// once an optional field's `Option` is taken off. Fields that keep absent
/// and `null` apart are read by each variant itself.
fn envelope_fields(structs: &[(TypeId, Struct)], tag: &str) -> Vec<CommonField> {
    fn base(ty: &RustType) -> &RustType {
        match ty {
            RustType::Option(inner) => inner,
            other => other,
        }
    }
    let Some((_, first)) = structs.first() else {
        return Vec::new();
    };
    first
        .fields
        .iter()
        .filter(|f| f.json_name != tag)
        .filter(|f| {
            structs.iter().all(|(_, s)| {
                s.fields.iter().any(|g| {
                    g.json_name == f.json_name && base(&g.ty) == base(&f.ty) && !g.null_apart
                })
            })
        })
        .map(|f| CommonField {
            name: f.name.clone(),
            json_name: f.json_name.clone(),
            ty: base(&f.ty).clone(),
        })
        .collect()
}

/// The properties that every variant requires with the same primitive type.
fn common_fields(structs: &[(TypeId, Struct)], tag: &str) -> Vec<CommonField> {
    let Some((_, first)) = structs.first() else {
        return Vec::new();
    };
    first
        .fields
        .iter()
        .filter(|f| f.required && f.json_name != tag)
        .filter(|f| {
            matches!(
                f.ty,
                RustType::String | RustType::Bool | RustType::Int { .. } | RustType::Float { .. }
            )
        })
        .filter(|f| {
            structs.iter().all(|(_, s)| {
                s.fields
                    .iter()
                    .any(|g| g.json_name == f.json_name && g.required && g.ty == f.ty)
            })
        })
        .map(|f| CommonField {
            name: f.name.clone(),
            json_name: f.json_name.clone(),
            ty: f.ty.clone(),
        })
        .collect()
}

/// String formats the generator knows; all map to `String` by default.
const STRING_FORMATS: &[&str] = &[
    "date-time",
    "date",
    "time",
    "duration",
    "email",
    "idn-email",
    "hostname",
    "idn-hostname",
    "ipv4",
    "ipv6",
    "uri",
    "uri-reference",
    "iri",
    "iri-reference",
    "uuid",
    "uri-template",
    "json-pointer",
    "relative-json-pointer",
    "regex",
    "byte",
    "binary",
    "password",
];

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

/// `value` as a default of type `ty`, if it fits.
fn default_value(
    space: &TypeSpace,
    ty: &RustType,
    value: &Value,
    depth: usize,
) -> Option<DefaultValue> {
    // Aliases are followed here before their cycles are reported
    // (`A: {$ref: A}`); a default that deep does not fit anything anyway.
    if depth > MAX_NESTING {
        return None;
    }
    let depth = depth + 1;
    Some(match (ty, value) {
        (RustType::Option(_), Value::Null) => DefaultValue::Null,
        (RustType::Option(inner), _) => {
            DefaultValue::Some(Box::new(default_value(space, inner, value, depth)?))
        }
        (RustType::String, Value::String(s)) => DefaultValue::Str(s.clone()),
        (RustType::Bool, Value::Bool(b)) => DefaultValue::Bool(*b),
        (RustType::Int { signed, bits }, Value::Number(n)) => {
            let i = n
                .as_i64()
                .map(i128::from)
                .or_else(|| n.as_u64().map(i128::from))?;
            let (lo, hi) = if *signed {
                (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
            } else {
                (0, (1i128 << bits) - 1)
            };
            if i < lo || i > hi {
                return None;
            }
            DefaultValue::Int(i)
        }
        (RustType::Float { .. }, Value::Number(n)) => DefaultValue::Float(n.as_f64()?),
        (RustType::Vec(inner), Value::Array(items)) => DefaultValue::List(
            items
                .iter()
                .map(|item| default_value(space, inner, item, depth))
                .collect::<Option<_>>()?,
        ),
        (RustType::Map(inner), Value::Object(entries)) => DefaultValue::Map(
            entries
                .iter()
                .map(|(key, item)| Some((key.clone(), default_value(space, inner, item, depth)?)))
                .collect::<Option<_>>()?,
        ),
        (RustType::Named(id), _) => match (&space.get(*id).kind, value) {
            (TypeKind::Const(c), Value::String(s)) if *s == c.value => DefaultValue::Const,
            (TypeKind::Enum(e), Value::String(s)) => {
                let variant = e.variants.iter().find(|v| v.value == *s)?;
                DefaultValue::Variant(*id, variant.name.clone())
            }
            (TypeKind::Alias(inner), _) => default_value(space, inner, value, depth)?,
            _ => return None,
        },
        _ => return None,
    })
}

/// An integer without `format`: `minimum`/`maximum` choose the width, the
/// narrowest that holds both (unsigned when `minimum >= 0`); without both
/// bounds, `i64` (or `u64` when only `minimum >= 0` is known). The 2019+
/// numeric `exclusiveMinimum`/`exclusiveMaximum` count as bounds one past
/// them (the draft-04 boolean forms only make `minimum`/`maximum` strict,
/// which never widens the type).
fn integer_for_range(value: &Value) -> RustType {
    let bound = |inclusive: &str, exclusive: &str, step: f64| {
        let inclusive = value.get(inclusive).and_then(Value::as_f64);
        let exclusive = value
            .get(exclusive)
            .and_then(Value::as_f64)
            .map(|b| b + step);
        match (inclusive, exclusive) {
            (Some(a), Some(b)) if step > 0.0 => Some(a.max(b)),
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    };
    let min = bound("minimum", "exclusiveMinimum", 1.0);
    let max = bound("maximum", "exclusiveMaximum", -1.0);
    let int = |signed, bits| RustType::Int { signed, bits };
    match (min, max) {
        (Some(min), Some(max)) if min >= 0.0 => {
            let bits = [8u16, 16, 32, 64]
                .into_iter()
                .find(|b| max <= 2f64.powi(i32::from(*b)) - 1.0)
                .unwrap_or(64);
            int(false, bits)
        }
        (Some(min), Some(max)) => {
            let bits = [8u16, 16, 32, 64]
                .into_iter()
                .find(|b| {
                    let half = 2f64.powi(i32::from(*b) - 1);
                    min >= -half && max <= half - 1.0
                })
                .unwrap_or(64);
            int(true, bits)
        }
        (Some(min), None) if min >= 0.0 => int(false, 64),
        _ => RustType::I64,
    }
}

/// `deprecated: true`.
fn is_deprecated(value: &Value) -> bool {
    value.get("deprecated") == Some(&Value::Bool(true))
}

/// `chrono::DateTime<chrono::Utc>` → `DateTime`.
fn type_name_of_path(path: &str) -> String {
    let head = path.split('<').next().unwrap_or(path);
    naming::type_name(head.rsplit("::").next().unwrap_or(head))
}

/// `oneOf` or `anyOf`, whichever the union uses.
fn union_keyword(value: &Value) -> &'static str {
    if value.get("oneOf").is_some() {
        "oneOf"
    } else {
        "anyOf"
    }
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

/// A variant name for a member that is not a named type.
fn primitive_variant_name(ty: &RustType) -> String {
    match ty {
        RustType::String => "String".into(),
        RustType::Bool => "Boolean".into(),
        RustType::Int { .. } => "Integer".into(),
        RustType::Float { .. } => "Number".into(),
        RustType::Value => "Any".into(),
        RustType::Vec(inner) => format!("{}List", primitive_variant_name(inner)),
        RustType::Map(inner) => format!("{}Map", primitive_variant_name(inner)),
        RustType::Option(inner) | RustType::Box(inner) => primitive_variant_name(inner),
        RustType::Tuple(_) => "Tuple".into(),
        RustType::External(path) => type_name_of_path(path),
        RustType::Named(_) => "Object".into(),
    }
}

/// Where a property copied out of an `allOf` member really lives.
fn origin_of(schema: &Value) -> Option<NodeRef> {
    let text = schema.get(ORIGIN)?.as_str()?;
    let (file, pointer) = text.split_once('#')?;
    Some(NodeRef {
        file: file.to_string(),
        pointer: pointer.to_string(),
    })
}

/// The name a `$ref` target asks for: its key (the last pointer segment), or
/// the file's stem for a whole document.
fn name_for_target(target: &NodeRef) -> String {
    match target.pointer.rsplit('/').next() {
        Some(last) if !target.pointer.is_empty() => {
            naming::type_name(&last.replace("~1", "/").replace("~0", "~"))
        }
        _ => naming::type_name(file_stem(&target.file)),
    }
}

/// Documentation lines from `description`: trailing spaces and surrounding
/// blank lines removed.
fn docs_of(value: &Value) -> Vec<String> {
    let text = value
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let lines: Vec<String> = text.lines().map(|l| l.trim_end().to_string()).collect();
    let start = lines
        .iter()
        .position(|l| !l.is_empty())
        .unwrap_or(lines.len());
    let end = lines
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(start, |e| e + 1);
    let mut lines = lines[start..end].to_vec();
    // `default` is what the sender assumes when the property is absent: it
    // is documented always, and applied where it fits the type.
    if let Some(default) = value.get("default") {
        if !lines.is_empty() {
            lines.push(String::new());
        }
        lines.push(format!("Default: `{default}`."));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn lower_doc(doc: Value) -> Result<Lowered, Error> {
        let set = SchemaSet::from_documents([("s.json".to_string(), doc)])?;
        lower(&set)
    }

    fn find<'a>(space: &'a TypeSpace, name: &str) -> &'a TypeDef {
        space
            .types
            .iter()
            .find(|t| t.name == name)
            .unwrap_or_else(|| panic!("no type {name}"))
    }

    fn errors(doc: Value) -> String {
        lower_doc(doc).unwrap_err().to_string()
    }

    #[test]
    fn const_and_one_value_enum_are_both_literals() {
        let out = lower_doc(json!({"$defs": {
            "A": {"const": "a.b"},
            "B": {"type": "string", "enum": ["x"]}
        }}))
        .unwrap();
        for (name, value) in [("A", "a.b"), ("B", "x")] {
            match &find(&out.space, name).kind {
                TypeKind::Const(c) => assert_eq!(c.value, value),
                other => panic!("{name}: {other:?}"),
            }
        }
    }

    #[test]
    fn struct_fields_keep_schema_order_and_optionality() {
        let out = lower_doc(json!({"$defs": {"Ev": {
            "type": "object",
            "required": ["z", "data"],
            "properties": {
                "z": {"type": "string"},
                "a": {"type": "integer", "format": "int32"},
                "data": {"type": "object", "properties": {"id": {"type": "string"}}},
                "type": {"type": "number"}
            }
        }}}))
        .unwrap();
        let TypeKind::Struct(s) = &find(&out.space, "Ev").kind else {
            panic!()
        };
        let names: Vec<_> = s.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["z", "a", "data", "type_"]);
        assert_eq!(s.fields[0].ty, RustType::String);
        assert_eq!(
            s.fields[1].ty,
            RustType::Option(Box::new(RustType::Int {
                signed: true,
                bits: 32
            }))
        );
        let RustType::Named(data) = s.fields[2].ty else {
            panic!("{:?}", s.fields[2].ty)
        };
        assert_eq!(out.space.get(data).name, "EvData");
        assert_eq!(s.fields[3].json_name, "type");
        assert!(
            !find(&out.space, "Ev").eq_hash,
            "a float field rules out Eq"
        );
        assert!(find(&out.space, "EvData").eq_hash);
    }

    #[test]
    fn nullable_forms_become_options() {
        let out = lower_doc(json!({"$defs": {"S": {
            "type": "object",
            "required": ["a", "b", "c"],
            "properties": {
                "a": {"type": ["string", "null"]},
                "b": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
                "c": {"type": "boolean", "nullable": true}
            }
        }}}))
        .unwrap();
        let TypeKind::Struct(s) = &find(&out.space, "S").kind else {
            panic!()
        };
        let opt = |t| RustType::Option(Box::new(t));
        assert_eq!(s.fields[0].ty, opt(RustType::String));
        assert_eq!(s.fields[1].ty, opt(RustType::I64));
        assert_eq!(s.fields[2].ty, opt(RustType::Bool));
    }

    #[test]
    fn a_member_that_accepts_anything_is_tried_last() {
        let out = lower_doc(json!({"$defs": {
            "Anything": true,
            "U": {"anyOf": [
                {},
                {"$ref": "#/$defs/Anything"},
                {"type": "string"},
                {"type": "integer"}
            ]}
        }}))
        .unwrap();
        let TypeKind::Untagged(u) = &find(&out.space, "U").kind else {
            panic!()
        };
        let names: Vec<&str> = u.variants.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["String", "Integer", "Any", "Anything"]);
    }

    #[test]
    fn a_broken_ref_in_a_union_is_an_error() {
        // The union's members are read twice (once to look for a tag, once
        // to lower them): the first, quiet look must not hide the error.
        let error = lower_doc(json!({"$defs": {
            "X": {"anyOf": [{"$ref": "#/$defs/Nope"}, {"type": "string"}]}
        }}))
        .unwrap_err();
        assert!(
            error.to_string().contains("#/$defs/X/anyOf/0/$ref"),
            "{error}"
        );
    }

    #[test]
    fn any_of_an_enum_and_its_base_type_is_an_open_enum() {
        let out = lower_doc(json!({"$defs": {
            "Open": {"anyOf": [{"enum": ["rtp", "srtp"]}, {"type": "string"}]},
            "Closed": {"type": "string", "enum": ["a", "b"]}
        }}))
        .unwrap();
        match &find(&out.space, "Open").kind {
            TypeKind::Enum(e) => {
                assert_eq!(e.open.as_deref(), Some("Other"));
                assert_eq!(e.variants[1].name, "Srtp");
            }
            other => panic!("{other:?}"),
        }
        match &find(&out.space, "Closed").kind {
            TypeKind::Enum(e) => assert_eq!(e.open, None),
            other => panic!("{other:?}"),
        }
    }

    fn event(tag: &str, extra: Value) -> Value {
        json!({
            "type": "object",
            "required": ["id", "created_at", "type"],
            "properties": {
                "id": {"type": "string"},
                "created_at": {"type": "integer"},
                "type": {"const": tag},
                "extra": extra
            }
        })
    }

    #[test]
    fn a_discriminated_one_of_is_a_union_with_common_accessors() {
        let out = lower_doc(json!({"$defs": {
            "A": event("a.done", json!({"type": "string"})),
            "B": event("b.done", json!({"type": "number"})),
            "WebhookEvent": {
                "oneOf": [{"$ref": "#/$defs/A"}, {"$ref": "#/$defs/B"}],
                "discriminator": {"propertyName": "type"}
            }
        }}))
        .unwrap();
        let TypeKind::Union(u) = &find(&out.space, "WebhookEvent").kind else {
            panic!()
        };
        assert_eq!(u.tag_accessor, "event_type");
        assert_eq!(u.catch_all, "Unknown");
        let variants: Vec<_> = u
            .variants
            .iter()
            .map(|v| (v.name.as_str(), v.tag_value.as_str()))
            .collect();
        assert_eq!(variants, [("ADone", "a.done"), ("BDone", "b.done")]);
        let common: Vec<_> = u.common.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(common, ["id", "created_at"], "`extra` differs in type");
        let envelope: Vec<_> = u.envelope.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(envelope, ["id", "created_at"]);
    }

    fn warnings(out: &Lowered) -> String {
        out.warnings
            .iter()
            .map(|w| w.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn a_union_whose_members_lack_a_constant_tag_falls_back_to_untagged() {
        let out = lower_doc(json!({"$defs": {
            "A": {"type": "object", "properties": {"type": {"type": "string"}}},
            "U": {"oneOf": [{"$ref": "#/$defs/A"}], "discriminator": {"propertyName": "type"}}
        }}))
        .unwrap();
        let w = warnings(&out);
        assert!(w.contains("s.json#/$defs/U/oneOf/0: union member"), "{w}");
        assert!(
            w.contains(
                "constant value or a closed set of values; the union falls back to an untagged one"
            ),
            "{w}"
        );
        assert!(matches!(find(&out.space, "U").kind, TypeKind::Untagged(_)));
    }

    #[test]
    fn duplicate_tags_fall_back_to_untagged() {
        let out = lower_doc(json!({"$defs": {
            "A": event("x", json!({})),
            "B": event("x", json!({})),
            "U": {"oneOf": [{"$ref": "#/$defs/A"}, {"$ref": "#/$defs/B"}],
                  "discriminator": {"propertyName": "type"}}
        }}))
        .unwrap();
        let w = warnings(&out);
        assert!(
            w.contains("#/$defs/U/oneOf/1: the tag value `x` is already used"),
            "{w}"
        );
        let TypeKind::Untagged(u) = &find(&out.space, "U").kind else {
            panic!()
        };
        let names: Vec<_> = u.variants.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["A", "B"]);
    }

    #[test]
    fn unknown_keywords_warn_and_unsupported_shapes_fall_back_to_any_json() {
        let out = lower_doc(json!({"$defs": {"A": {
            "type": "object",
            "properties": {
                "x": {"type": "string", "frobnicate": 1},
                "y": {"type": "array", "prefixItems": [{"type": "string"}]},
                "z": {"type": "string", "not": {"const": "q"}}
            }
        }}}))
        .unwrap();
        let w = warnings(&out);
        assert!(
            w.contains(
                "s.json#/$defs/A/properties/x/frobnicate: unknown keyword `frobnicate` ignored"
            ),
            "{w}"
        );
        assert!(w.contains("s.json#/$defs/A/properties/y/prefixItems: an array with a prefix that allows more items is not a tuple: it becomes `serde_json::Value`"), "{w}");
        assert!(
            w.contains("s.json#/$defs/A/properties/z/not: `not` is not enforced"),
            "{w}"
        );
        let TypeKind::Struct(a) = &find(&out.space, "A").kind else {
            panic!()
        };
        let opt = |t| RustType::Option(Box::new(t));
        assert_eq!(a.fields[0].ty, opt(RustType::String));
        assert_eq!(a.fields[1].ty, opt(RustType::Value));
        assert_eq!(a.fields[2].ty, opt(RustType::String));
    }

    #[test]
    fn keywords_that_cannot_apply_to_the_type_warn() {
        let out = lower_doc(json!({"$defs": {
            "S": {"type": "string", "properties": {"x": {}}, "items": {}},
            "O": {"type": "object", "properties": {"x": {"type": "string"}}, "items": {}}
        }}))
        .unwrap();
        let w = warnings(&out);
        assert!(w.contains("s.json#/$defs/S/properties: `properties` has no effect on a schema of type `string` and is ignored"), "{w}");
        assert!(
            w.contains("s.json#/$defs/S/items: `items` has no effect"),
            "{w}"
        );
        assert!(
            w.contains("s.json#/$defs/O/items: `items` has no effect on a schema of type `object`"),
            "{w}"
        );
        assert!(matches!(
            find(&out.space, "S").kind,
            TypeKind::Alias(RustType::String)
        ));
    }

    #[test]
    fn a_property_named_like_a_keyword_is_a_property() {
        let out = lower_doc(json!({"$defs": {"A": {
            "type": "object",
            "properties": {"format": {"type": "string"}, "items": {"type": "string"}, "$ref": {"type": "string"}}
        }}}))
        .unwrap();
        let TypeKind::Struct(s) = &find(&out.space, "A").kind else {
            panic!()
        };
        assert_eq!(s.fields.len(), 3);
        assert_eq!(s.fields[2].name, "ref_");
    }

    #[test]
    fn missing_refs_are_errors_and_undeclared_required_properties_any_json() {
        let err = errors(json!({"$defs": {"A": {
            "type": "object",
            "properties": {"x": {"$ref": "#/$defs/Missing"}}
        }}}));
        assert!(err.contains("s.json#/$defs/A/properties/x/$ref:"), "{err}");
        let out = lower_doc(json!({"$defs": {"A": {
            "type": "object",
            "required": ["nope"],
            "properties": {"x": {"type": "string"}}
        }}}))
        .unwrap();
        assert!(warnings(&out).contains("s.json#/$defs/A/required/0: required property `nope`"));
        let TypeKind::Struct(a) = &find(&out.space, "A").kind else {
            panic!()
        };
        assert_eq!(
            (a.fields[1].name.as_str(), &a.fields[1].ty),
            ("nope", &RustType::Value)
        );
    }

    #[test]
    fn an_unknown_format_warns_and_keeps_the_base_type() {
        let out =
            lower_doc(json!({"$defs": {"A": {"type": "string", "format": "color"}}})).unwrap();
        assert_eq!(out.warnings.len(), 1);
        assert!(out.warnings[0]
            .to_string()
            .contains("s.json#/$defs/A/format"));
        assert!(matches!(
            find(&out.space, "A").kind,
            TypeKind::Alias(RustType::String)
        ));
    }

    #[test]
    fn same_wanted_names_get_distinct_stable_names() {
        let out = lower_doc(json!({"$defs": {
            "A": {"type": "object", "properties": {"data": {"type": "object", "properties": {}}}},
            "AData": {"type": "string"}
        }}))
        .unwrap();
        let names: Vec<_> = out.space.types.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["A", "AData", "AData2"]);
    }

    #[test]
    fn nullable_objects_are_options_of_a_struct() {
        let out = lower_doc(json!({"$defs": {
            "A": {"type": "object", "required": ["c"], "properties": {
                "c": {"type": ["object", "null"], "properties": {"u": {"type": "string"}}}
            }},
            "N": {"type": ["object", "null"], "properties": {"v": {"type": "string"}}}
        }}))
        .unwrap();
        let TypeKind::Struct(a) = &find(&out.space, "A").kind else {
            panic!()
        };
        let RustType::Option(inner) = &a.fields[0].ty else {
            panic!("{:?}", a.fields[0].ty)
        };
        let RustType::Named(c) = **inner else {
            panic!()
        };
        assert_eq!(out.space.get(c).name, "AC");
        assert!(matches!(out.space.get(c).kind, TypeKind::Struct(_)));
        let TypeKind::Alias(RustType::Option(n)) = &find(&out.space, "N").kind else {
            panic!()
        };
        let RustType::Named(n) = **n else { panic!() };
        assert_eq!(out.space.get(n).name, "NInner");
    }

    #[test]
    fn aliases_that_refer_to_themselves_become_newtypes() {
        let out = lower_doc(json!({"$defs": {
            "Tree": {"type": "array", "items": {"$ref": "#/$defs/Tree"}},
            "M": {"type": "object", "additionalProperties": {"$ref": "#/$defs/M"}},
            "A": {"anyOf": [{"$ref": "#/$defs/B"}, {"type": "null"}]},
            "B": {"anyOf": [{"$ref": "#/$defs/A"}, {"type": "null"}]},
            "Plain": {"type": "array", "items": {"type": "string"}}
        }}))
        .unwrap();
        let id = |name: &str| TypeId(out.space.types.iter().position(|t| t.name == name).unwrap());
        let kind = |name: &str| &out.space.get(id(name)).kind;
        assert!(
            matches!(kind("Tree"), TypeKind::Newtype(RustType::Vec(t)) if **t == RustType::Named(id("Tree")))
        );
        assert!(matches!(kind("M"), TypeKind::Newtype(RustType::Map(_))));
        // The first of the pair becomes a newtype, boxed: `A(Option<Box<B>>)`.
        let TypeKind::Newtype(RustType::Option(inner)) = kind("A") else {
            panic!("{:?}", kind("A"))
        };
        assert_eq!(**inner, RustType::Box(Box::new(RustType::Named(id("B")))));
        assert!(matches!(kind("B"), TypeKind::Alias(_)));
        assert!(matches!(kind("Plain"), TypeKind::Alias(_)));
    }

    #[test]
    fn integer_bounds_choose_the_width() {
        let int = |signed, bits| RustType::Int { signed, bits };
        for (schema, expected) in [
            (json!({"minimum": 0, "maximum": 255}), int(false, 8)),
            (json!({"minimum": 0, "maximum": 256}), int(false, 16)),
            (json!({"minimum": -128, "maximum": 127}), int(true, 8)),
            (
                json!({"exclusiveMinimum": 0, "exclusiveMaximum": 65536}),
                int(false, 16),
            ),
            (
                json!({"exclusiveMinimum": -1, "maximum": 70000}),
                int(false, 32),
            ),
            (
                json!({"minimum": 0, "maximum": 255, "exclusiveMaximum": true}),
                int(false, 8),
            ),
            (json!({"minimum": 0}), int(false, 64)),
            (json!({"maximum": 10}), int(true, 64)),
        ] {
            assert_eq!(integer_for_range(&schema), expected, "{schema}");
        }
    }

    #[test]
    fn optional_nullable_properties_keep_absent_and_null_apart() {
        let doc = json!({"$defs": {
            "A": {"type": "object", "required": ["r"], "properties": {
                "r": {"type": ["string", "null"]},
                "o": {"type": ["string", "null"]},
                "n": {"$ref": "#/$defs/N"},
                "d": {"type": ["string", "null"], "default": "x"},
                "p": {"type": "string"}
            }},
            "N": {"anyOf": [{"type": "integer"}, {"type": "null"}]}
        }});
        let set = SchemaSet::from_documents([("s.json".to_string(), doc)]).unwrap();
        let opt = |t| RustType::Option(Box::new(t));
        for merge in [false, true] {
            let options = Options {
                merge_absent_and_null: merge,
                ..Options::default()
            };
            let out = lower_with(&set, &options).unwrap();
            let TypeKind::Struct(a) = &find(&out.space, "A").kind else {
                panic!()
            };
            let n = RustType::Named(
                out.space
                    .types
                    .iter()
                    .position(|t| t.name == "N")
                    .map(TypeId)
                    .unwrap(),
            );
            let fields: Vec<(&str, &RustType, bool)> = a
                .fields
                .iter()
                .map(|f| (f.name.as_str(), &f.ty, f.null_apart))
                .collect();
            let apart = !merge;
            let twice = |t: RustType| if merge { t } else { opt(t) };
            assert_eq!(
                fields,
                [
                    ("r", &opt(RustType::String), false),
                    ("o", &twice(opt(RustType::String)), apart),
                    // An alias of an `Option` is not one to serde: wrapped
                    // either way, so that it may be absent.
                    ("n", &opt(n.clone()), apart),
                    ("d", &opt(RustType::String), false),
                    ("p", &opt(RustType::String), false),
                ],
                "merge: {merge}"
            );
        }
    }

    #[test]
    fn all_of_merges_members_in_order() {
        let out = lower_doc(json!({"$defs": {
            "Base": {"type": "object", "required": ["id"], "properties": {
                "id": {"type": "string"}, "note": {"type": "string"}
            }},
            "Named": {"allOf": [{"$ref": "#/$defs/Base"}], "description": "Just Base."},
            "Item": {
                "description": "An item.",
                "allOf": [
                    {"$ref": "#/$defs/Base"},
                    {"type": "object", "required": ["size"], "properties": {
                        "size": {"type": "integer"}, "note": {"type": "integer"}
                    }}
                ],
                "properties": {"extra": {"type": "boolean"}}
            }
        }}))
        .unwrap();
        let TypeKind::Struct(item) = &find(&out.space, "Item").kind else {
            panic!("{:?}", find(&out.space, "Item").kind)
        };
        let fields: Vec<_> = item
            .fields
            .iter()
            .map(|f| (f.name.as_str(), f.required))
            .collect();
        assert_eq!(
            fields,
            [
                ("id", true),
                ("size", true),
                ("note", false),
                ("extra", false)
            ]
        );
        // The later member's `note` wins.
        assert_eq!(item.fields[2].ty, RustType::Option(Box::new(RustType::I64)));
        assert_eq!(find(&out.space, "Item").docs, ["An item."]);
        let named = find(&out.space, "Named");
        assert!(
            matches!(named.kind, TypeKind::Alias(RustType::Named(_))),
            "{:?}",
            named.kind
        );
        assert_eq!(named.docs, ["Just Base."]);
    }

    #[test]
    fn all_of_errors_point_into_the_member() {
        let err = errors(json!({"$defs": {
            "Base": {"type": "object", "properties": {"x": {"type": "strin"}}},
            "Item": {"allOf": [{"$ref": "#/$defs/Base"}, {"type": "object", "properties": {}}]}
        }}));
        assert!(
            err.contains("s.json#/$defs/Base/properties/x/type: unknown type `strin`"),
            "{err}"
        );
        let err = errors(json!({"$defs": {
            "A": {"allOf": [{"$ref": "#/$defs/B"}, {"type": "object"}]},
            "B": {"allOf": [{"$ref": "#/$defs/A"}, {"type": "object"}]}
        }}));
        assert!(err.contains("refer back to each other"), "{err}");
        let err = errors(json!({"$defs": {
            "A": {"allOf": [{"type": "string"}, {"type": "object"}]}
        }}));
        assert!(
            err.contains("s.json#/$defs/A/allOf/0/type: `allOf` merges object schemas only"),
            "{err}"
        );
    }

    #[test]
    fn alias_cycles_are_a_located_error() {
        let err = errors(json!({"$defs": {
            "A": {"$ref": "#/$defs/B"},
            "B": {"$ref": "#/$defs/A"}
        }}));
        assert_eq!(
            err,
            "error: s.json#/$defs/A: `$ref` cycle with no base case: A → B → A"
        );
    }

    #[test]
    fn long_ref_chains_are_refused_not_overflowed() {
        let mut defs = serde_json::Map::new();
        for i in 0..5000 {
            defs.insert(
                format!("T{i}"),
                json!({"$ref": format!("#/$defs/T{}", i + 1)}),
            );
        }
        defs.insert("T5000".into(), json!({"type": "string"}));
        let err = errors(json!({"$defs": defs}));
        assert!(err.contains("nest more than 256 levels"), "{err}");
    }

    #[test]
    fn direct_recursion_is_boxed_and_indirect_recursion_is_not() {
        let out = lower_doc(json!({"$defs": {
            "Node": {
                "type": "object",
                "required": ["next"],
                "properties": {
                    "next": {"$ref": "#/$defs/Node"},
                    "maybe": {"$ref": "#/$defs/Node"},
                    "many": {"type": "array", "items": {"$ref": "#/$defs/Node"}},
                    "other": {"$ref": "#/$defs/Other"}
                }
            },
            "Other": {"type": "object", "properties": {"back": {"$ref": "#/$defs/Node"}}}
        }}))
        .unwrap();
        let TypeKind::Struct(node) = &find(&out.space, "Node").kind else {
            panic!()
        };
        let node_id = TypeId(0);
        let named = RustType::Named(node_id);
        assert_eq!(node.fields[0].ty, RustType::Box(Box::new(named.clone())));
        assert_eq!(
            node.fields[1].ty,
            RustType::Option(Box::new(RustType::Box(Box::new(named.clone()))))
        );
        assert_eq!(
            node.fields[2].ty,
            RustType::Option(Box::new(RustType::Vec(Box::new(named))))
        );
        let TypeKind::Struct(other) = &find(&out.space, "Other").kind else {
            panic!()
        };
        // The cycle Node → Other → Node is broken once, at the field that closes it.
        assert!(
            matches!(&other.fields[0].ty, RustType::Option(inner) if matches!(**inner, RustType::Box(_)))
        );
        assert!(
            matches!(&node.fields[3].ty, RustType::Option(inner) if matches!(**inner, RustType::Named(_)))
        );
    }

    #[test]
    fn recursion_through_refs_terminates() {
        let out = lower_doc(json!({"$defs": {"Node": {
            "type": "object",
            "properties": {"children": {"type": "array", "items": {"$ref": "#/$defs/Node"}}}
        }}}))
        .unwrap();
        assert_eq!(out.space.types.len(), 1);
    }
}
