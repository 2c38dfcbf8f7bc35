//! Stage 2: JSON Schema → the Rust model. The meaning of JSON Schema
//! keywords is decided here (with the roles in [`crate::keywords`]);
//! [`crate::emit`] only prints.
//!
//! A node is read in two steps: its keywords are checked once
//! ([`classify::check_keywords`]), then [`classify::classify`], a function
//! of the node alone, says what it becomes (a [`classify::Shape`]), and one
//! file per concern builds the model from that:
//!
//! | schema | model | file |
//! |---|---|---|
//! | `$ref` | the target's named type | here |
//! | `const: "x"`, or `enum: ["x"]` | [`TypeKind::Const`]: a one-variant enum that is its own default | `scalars.rs` |
//! | `enum: [strings]` | a closed [`TypeKind::Enum`]: unknown strings are rejected | `scalars.rs` |
//! | `const`/`enum` of other values | [`TypeKind::Literals`]: exactly those JSON values | `scalars.rs` |
//! | `type: [A, B]` | [`TypeKind::Untagged`], one member per type | `classify.rs`, `unions.rs` |
//! | `type: null` | `()` | here |
//! | `properties` beside a `oneOf`/`anyOf` that only adds to it | one [`TypeKind::Struct`] | `all_of.rs`, `objects.rs` |
//! | `anyOf: [{enum: [...]}, {type: string}]` | an open [`TypeKind::Enum`]: unknown strings kept in `Other` | `scalars.rs` |
//! | `oneOf`/`anyOf` of objects + `discriminator.propertyName` | [`TypeKind::Union`] dispatched on that property | `unions.rs` |
//! | other `oneOf`/`anyOf` | [`TypeKind::Untagged`] | `unions.rs` |
//! | `allOf` of objects | one [`TypeKind::Struct`] with every member's properties | `all_of.rs`, `objects.rs` |
//! | `type: object` with `properties` | [`TypeKind::Struct`] | `objects.rs` |
//! | `type: object` without `properties` | `BTreeMap<String, T>` (`T` from `additionalProperties`, default any JSON) | `objects.rs` |
//! | `type: array` | `Vec<T>` (`BTreeSet<T>` on request), a tuple for `prefixItems`, [`TypeKind::Tuple`] when its last items may be missing | `scalars.rs` |
//! | `string`, `integer`, `number`, `boolean` | `String`, an integer chosen by `format` or range, `f64`, `bool` | `scalars.rs` |
//! | `type: [T, "null"]`, `nullable: true`, `anyOf: [T, {type: null}]` | `Option<T>` | here |
//! | `{}` or `true` | `serde_json::Value` | here |
//!
//! Keywords that only validate (`pattern`, `minLength`, `maximum`, …) are
//! understood and not enforced by the generated types; annotations
//! (`title`, `$comment`, `examples`, `x-*`) are ignored on purpose. Every other
//! keyword is a warning or an error naming its JSON pointer: nothing is
//! dropped silently.
//!
//! Each schema node is lowered once: named types are remembered by node,
//! and so are property schemas, which `allOf` can bring into several
//! structs; identical inline schemas are one type. `$ref`s to `$id`s and
//! anchors resolve through `crate::ids`. Whole-model analyses (alias cycles, boxing, `Eq`/`Hash`) run
//! afterwards, in [`crate::passes`].

mod all_of;
mod classify;
mod objects;
mod roots;
mod scalars;
#[cfg(test)]
mod tests;
mod unions;

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::error::{Diagnostic, Diagnostics, Error, Location};
use crate::keywords::{self, Role};
use crate::load::{NodeRef, SchemaSet};
use crate::model::*;
use crate::naming::{self, Scope};
use crate::passes::{
    box_large_fields, box_recursive_fields, break_alias_recursion, check_alias_cycles,
    compute_eq_hash, keep_reachable,
};
use classify::Shape;
use roots::{chosen_roots, renumbered};

/// The result of lowering: the model and the warnings met on the way.
#[derive(Debug)]
pub(crate) struct Lowered {
    /// The named types, in emission order.
    pub space: TypeSpace,
    /// The type each lowered schema node became.
    #[cfg_attr(not(feature = "webhooks"), allow(dead_code))]
    pub by_node: HashMap<NodeRef, TypeId>,
    /// Fallbacks that were taken (see the README's table).
    pub warnings: Vec<Diagnostic>,
    /// Nodes whose keywords shape a value but which became any JSON.
    #[cfg(test)]
    pub fallbacks: Vec<NodeRef>,
}

/// Lowers every type the entry files define: their `$defs`/`definitions`
/// entries, their roots when a root describes a type, and everything those
/// reach through `$ref`.
/// On the big-stack thread every caller uses (`lower_with` recurses once
/// per `$ref` level).
#[cfg(test)]
pub(crate) fn lower(set: &SchemaSet) -> Result<Lowered, Error> {
    crate::lower_on_big_stack(set, &Options::default())
}

/// Choices the caller makes about the output.
#[derive(Debug, Clone, Default)]
pub(crate) struct Options {
    /// `(schema type, format)` → Rust type path, overriding the built-in
    /// format table (`("string", "date-time")` → `chrono::DateTime<chrono::Utc>`).
    pub formats: std::collections::BTreeMap<(String, String), String>,
    /// The on/off options (`switches.rs`).
    pub switches: crate::switches::Switches,
    /// Schema nodes to lower as named types besides the definitions
    /// (`diff` compares webhook bodies written inline this way).
    pub extra_roots: Vec<NodeRef>,
    /// `Config::root`: when given, only the types reachable from these
    /// (`PATH[#POINTER]`, the path relative to the input folder) are kept.
    pub roots: Vec<String>,
    /// Per-path options (`--derive`, `--rename`, `--replace`, …).
    pub custom: crate::custom::Custom,
    /// Whether the map type (`Config::map_type`) implements `Hash`
    /// (`BTreeMap` does; `HashMap` and `IndexMap` do not).
    pub maps_not_hash: bool,
}

/// Lowering with [`Options`].
pub(crate) fn lower_with(set: &SchemaSet, options: &Options) -> Result<Lowered, Error> {
    let mut lowerer = Lowerer {
        options,
        set,
        space: TypeSpace::default(),
        by_node: HashMap::new(),
        by_shape: HashMap::new(),
        properties: HashMap::new(),
        names: Scope::default(),
        diags: Diagnostics::default(),
        depth: 0,
        #[cfg(test)]
        fallbacks: Vec::new(),
    };
    for file in set.entries() {
        let root = NodeRef {
            file: file.clone(),
            pointer: String::new(),
        };
        let obj = match set.get(&root) {
            Some(Value::Object(obj)) => obj,
            // `true`: any JSON; `false`: nothing (an error, located).
            Some(Value::Bool(_)) => {
                lowerer.named(&root, &naming::type_name(file_stem(file)));
                continue;
            }
            _ => continue,
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
    for node in &options.extra_roots {
        let wanted = node.pointer.rsplit('/').next().unwrap_or("Root");
        lowerer.named(node, &naming::type_name(wanted));
    }
    let mut roots = chosen_roots(&mut lowerer, &options.roots)?;
    #[cfg(test)]
    let fallbacks = std::mem::take(&mut lowerer.fallbacks);
    let Lowerer {
        mut space,
        mut diags,
        mut by_node,
        ..
    } = lowerer;
    diags.finish_unknown();
    check_alias_cycles(&space, &mut diags);
    break_alias_recursion(&mut space);
    if !diags.errors.is_empty() {
        return Err(Error::Schema(diags.errors));
    }
    if let Some(map) = crate::custom::apply(
        &mut space,
        set,
        &options.custom,
        &options.extra_roots,
        &mut diags,
    )? {
        by_node = renumbered(by_node, &map);
        if let Some(roots) = &mut roots {
            roots.retain_mut(|id| match map[id.0] {
                Some(new) => {
                    *id = new;
                    true
                }
                None => false,
            });
        }
    }
    if !diags.errors.is_empty() {
        return Err(Error::Schema(diags.errors));
    }
    box_recursive_fields(&mut space);
    box_large_fields(&mut space);
    compute_eq_hash(&mut space, !options.maps_not_hash);
    crate::custom::check_derives(&mut space, &mut diags);
    if let Some(roots) = roots {
        let map = keep_reachable(&mut space, &roots);
        by_node = renumbered(by_node, &map);
    }
    Ok(Lowered {
        space,
        by_node,
        warnings: diags.warnings,
        #[cfg(test)]
        fallbacks,
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

/// Whether a schema has keywords that shape a value (beyond a `default`
/// or nullability): becoming any JSON is then a fallback.
/// A schema without `type` whose shaping keywords all constrain only
/// objects or arrays (`patternProperties` alone) accepts every other value
/// as it is: any JSON is its reading, not a fallback.
#[cfg(test)]
fn shapes_a_value(value: &Value) -> bool {
    value.as_object().is_some_and(|obj| {
        let shaping: Vec<&String> = obj
            .keys()
            .filter(|k| {
                keywords::role(k) == Some(Role::Structural)
                    && !matches!(
                        k.as_str(),
                        "default" | "nullable" | "x-nullable" | "discriminator"
                    )
            })
            .collect();
        let untyped_container = !obj.contains_key("type")
            && shaping
                .iter()
                .all(|k| keywords::specific_to(k, "object") || keywords::specific_to(k, "array"));
        !shaping.is_empty() && !untyped_container
    })
}

/// The schema `true`: what a missing node stands for (its `$ref` was
/// already reported).
static ANY: Value = Value::Bool(true);

struct Lowerer<'a> {
    options: &'a Options,
    set: &'a SchemaSet,
    space: TypeSpace,
    /// The named type made from each node.
    by_node: HashMap<NodeRef, TypeId>,
    /// The named type made from each schema text, per file: identical
    /// inline schemas are one type.
    by_shape: HashMap<(String, String), TypeId>,
    /// The type of each property schema lowered so far: `allOf` brings a
    /// member's properties into every struct that includes it, and each
    /// is lowered (and reported on) once.
    properties: HashMap<NodeRef, RustType>,
    names: Scope,
    diags: Diagnostics,
    /// How many named types are being lowered inside each other now.
    depth: usize,
    /// Nodes with keywords that shape a value which became any JSON (the
    /// completeness test checks each has a warning).
    #[cfg(test)]
    fallbacks: Vec<NodeRef>,
}

/// How deeply named types may nest through `$ref` chains before the input
/// is refused (each level is a few stack frames of the generator).
const MAX_DEPTH: usize = 256;

impl<'a> Lowerer<'a> {
    /// What `value` at `node` becomes, its keywords checked first. Every
    /// node read from the input goes through here exactly once; forms a
    /// node is rewritten into are classified without the check.
    /// [`classify::classify`] with the options' reading of untyped schemas.
    fn classify<'v>(&mut self, node: &NodeRef, value: &'v Value) -> Shape<'v> {
        let infer = self.options.switches.infer_types;
        classify::classify(self.set, node, value, infer, &mut self.diags)
    }

    fn shape_of<'v>(&mut self, node: &NodeRef, value: &'v Value) -> Shape<'v> {
        if let Value::Object(obj) = value {
            if classify::check_keywords(node, obj, &mut self.diags) {
                return Shape::Any;
            }
        }
        self.classify(node, value)
    }

    /// The named type for `node`, lowering it on first use. Recursion is safe:
    /// the id is registered before the node's children are lowered.
    fn named(&mut self, node: &NodeRef, wanted: &str) -> TypeId {
        if let Some(id) = self.by_node.get(node) {
            return *id;
        }
        // Borrowed from the set, not from `self`: no copy of the subtree.
        let set = self.set;
        let value = set.get(node).unwrap_or(&ANY);
        let shape = self.shape_of(node, value);
        self.named_shaped(node, value, shape, wanted, false)
    }

    /// The named type for `node`, whose `value` (the node's own, or a form
    /// it was rewritten into) was classified as `shape`.
    ///
    /// An `inline` schema identical to one already lowered (same file, same
    /// JSON, descriptions included: bundlers copy a `$ref`'s target to each
    /// place that used it) is the same type; an inline schema with a
    /// `title` asks for that name. Definitions are never merged with each
    /// other: each keeps the name `--names` reports.
    fn named_shaped(
        &mut self,
        node: &NodeRef,
        value: &Value,
        shape: Shape,
        wanted: &str,
        inline: bool,
    ) -> TypeId {
        if let Some(id) = self.by_node.get(node) {
            return *id;
        }
        let key = (
            node.file.clone(),
            serde_json::to_string(value).unwrap_or_default(),
        );
        if inline {
            if let Some(id) = self.by_shape.get(&key) {
                self.by_node.insert(node.clone(), *id);
                return *id;
            }
        }
        let titled;
        let wanted = match value.get("title") {
            Some(Value::String(title)) if inline && !title.trim().is_empty() => {
                titled = naming::type_name(title);
                titled.as_str()
            }
            _ => wanted,
        };
        let id = self.reserve(node, value, wanted);
        self.by_node.insert(node.clone(), id);
        self.by_shape.entry(key).or_insert(id);
        if self.depth >= MAX_DEPTH {
            self.diags.error(
                &node.location(),
                format!("types nest more than {MAX_DEPTH} levels deep through `$ref`; refusing to go further"),
            );
            return id;
        }
        self.depth += 1;
        let name = self.space.get(id).name.clone();
        let kind = self.lower_kind(node, value, shape, &name);
        self.space.types[id.0].kind = kind;
        self.depth -= 1;
        id
    }

    /// The type of `inner`, another form of `node`'s schema lowered inside
    /// the type `name` (named `{name}{suffix}` if it is named): `node`
    /// already stands for `name`.
    fn lower_inner(&mut self, node: &NodeRef, inner: &Value, name: &str, suffix: &str) -> RustType {
        let shape = self.classify(node, inner);
        // A tuple with optional items is a named type too (lowering it
        // through `lower_shape` would find `node`, which is `name`).
        let tuple = matches!(shape, Shape::Array) && scalars::optional_tail(inner);
        if shape.is_named() || tuple {
            let id = self.reserve(node, inner, &format!("{name}{suffix}"));
            let inner_name = self.space.get(id).name.clone();
            let kind = self.lower_kind(node, inner, shape, &inner_name);
            self.space.types[id.0].kind = kind;
            RustType::Named(id)
        } else {
            self.lower_shape(node, inner, shape, name)
        }
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
            derives: Vec::new(),
            attributes: Vec::new(),
            validate: false,
        });
        id
    }

    /// The kind of a named type.
    fn lower_kind(&mut self, node: &NodeRef, value: &Value, shape: Shape, name: &str) -> TypeKind {
        match shape {
            Shape::Const(value) => TypeKind::Const(scalars::lower_const(value)),
            Shape::Literals(values) => TypeKind::Literals(scalars::lower_literals(values)),
            Shape::TypeList(items) => {
                let members = self.lower_members(node, value, "type", &items, name);
                TypeKind::Untagged(self.lower_untagged(node, "type", &items, members, name))
            }
            Shape::Enum(values) => {
                let open = self
                    .options
                    .switches
                    .open_enums
                    .then(|| "Other".to_string());
                TypeKind::Enum(scalars::lower_enum(values, open))
            }
            Shape::OpenEnum(values) => {
                TypeKind::Enum(scalars::lower_enum(values, Some("Other".to_string())))
            }
            Shape::Struct => {
                let source = objects::ObjectSource::of(node, value, &mut self.diags);
                TypeKind::Struct(self.lower_struct(source, name))
            }
            Shape::AllOf(merged) => TypeKind::Struct(
                self.lower_struct(objects::ObjectSource::merged(node, merged), name),
            ),
            Shape::Union(tag, items) => {
                let keyword = classify::union_keyword(value);
                let members = self.lower_members(node, value, keyword, items, name);
                match self.lower_union(node, keyword, &tag, &members, value, name) {
                    Some(union) => TypeKind::Union(union),
                    None => {
                        TypeKind::Untagged(self.lower_untagged(node, keyword, items, members, name))
                    }
                }
            }
            Shape::Untagged(items) => {
                let keyword = classify::union_keyword(value);
                let members = self.lower_members(node, value, keyword, items, name);
                TypeKind::Untagged(self.lower_untagged(node, keyword, items, members, name))
            }
            Shape::Rewritten(value) => {
                let shape = self.classify(node, &value);
                self.lower_kind(node, &value, shape, name)
            }
            // A named nullable type: `Name = Option<NameInner>`, the inner
            // type lowered from the same node with the null taken out.
            Shape::Nullable(inner) => {
                TypeKind::Alias(optional(self.lower_inner(node, &inner, name, "Inner")))
            }
            Shape::NullableAt(at, inner) => {
                TypeKind::Alias(optional(self.lower_inner(&at, &inner, name, "Inner")))
            }
            Shape::OrOther(container) => {
                TypeKind::Untagged(self.lower_or_other(node, value, container, name))
            }
            Shape::Array if scalars::optional_tail(value) => {
                TypeKind::Tuple(self.lower_short_tuple(node, value, name))
            }
            shape => TypeKind::Alias(self.lower_shape(node, value, shape, name)),
        }
    }

    /// The Rust type of a field, item or alias at `node`; inline types that
    /// need a name get `hint`.
    fn lower_type(&mut self, node: &NodeRef, value: &Value, hint: &str) -> RustType {
        let shape = self.shape_of(node, value);
        self.lower_shape(node, value, shape, hint)
    }

    fn lower_shape(&mut self, node: &NodeRef, value: &Value, shape: Shape, hint: &str) -> RustType {
        match shape {
            Shape::Any => {
                #[cfg(test)]
                if shapes_a_value(value) {
                    self.fallbacks.push(node.clone());
                }
                RustType::Value
            }
            Shape::Invalid => RustType::Value,
            Shape::Ref(reference) => match self.set.resolve(node, reference) {
                Ok(target) => {
                    let wanted = name_for_target(&target);
                    RustType::Named(self.named(&target, &wanted))
                }
                // A JSON Schema meta-schema, not in the input: the value
                // is a schema document, any JSON to the types.
                Err(_) if is_meta_schema(reference) => {
                    self.diags.warn(
                        &node.child("$ref").location(),
                        format!("`$ref` \"{reference}\" is a JSON Schema meta-schema: the value is a schema document, typed `serde_json::Value`"),
                    );
                    RustType::Value
                }
                Err(message) => {
                    self.diags.error(&node.child("$ref").location(), message);
                    RustType::Value
                }
            },
            Shape::Rewritten(value) => {
                let shape = self.classify(node, &value);
                self.lower_shape(node, &value, shape, hint)
            }
            // The value was rewritten here, its keywords checked already.
            Shape::Nullable(inner) => {
                let shape = self.classify(node, &inner);
                optional(self.lower_shape(node, &inner, shape, hint))
            }
            Shape::NullableAt(at, inner) => {
                let shape = self.classify(&at, &inner);
                optional(self.lower_shape(&at, &inner, shape, hint))
            }
            Shape::Null => RustType::Null,
            shape @ (Shape::Const(_)
            | Shape::Literals(_)
            | Shape::TypeList(_)
            | Shape::Enum(_)
            | Shape::OpenEnum(_)
            | Shape::Struct
            | Shape::OrOther(_)
            | Shape::AllOf(_)
            | Shape::Union(..)
            | Shape::Untagged(_)) => {
                RustType::Named(self.named_shaped(node, value, shape, hint, true))
            }
            shape @ Shape::Array if scalars::optional_tail(value) => {
                RustType::Named(self.named_shaped(node, value, shape, hint, true))
            }
            Shape::Map => self.lower_map(node, value, hint),
            Shape::Array => self.lower_array(node, value, hint),
            Shape::Primitive(t) => self.lower_primitive(node, value, t),
        }
    }
}

/// The schema a chain of `$ref`s ends at, or where and why it breaks.
/// Reports nothing: callers decide whether a failure is an error.
fn resolve_refs(
    set: &SchemaSet,
    node: &NodeRef,
    value: &Value,
) -> Result<(NodeRef, Value), (Location, String)> {
    let mut node = node.clone();
    let mut value = value.clone();
    for _ in 0..64 {
        let Some(Value::String(reference)) = value.get("$ref") else {
            return Ok((node, value));
        };
        match set.resolve(&node, reference) {
            Ok(target) => {
                value = set.get(&target).cloned().unwrap_or(Value::Bool(true));
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

/// `Option<ty>`, unless `ty` is already one.
fn optional(ty: RustType) -> RustType {
    match ty {
        RustType::Option(_) => ty,
        ty => RustType::Option(Box::new(ty)),
    }
}

/// Whether `reference` names one of the published JSON Schema
/// meta-schemas (`https://json-schema.org/draft/2020-12/schema`,
/// `http://json-schema.org/draft-07/schema#`, …).
pub(super) fn is_meta_schema(reference: &str) -> bool {
    let rest = reference
        .strip_prefix("https://json-schema.org/")
        .or_else(|| reference.strip_prefix("http://json-schema.org/"));
    rest.is_some_and(|rest| {
        let path = rest.split('#').next().unwrap_or(rest);
        path.starts_with("draft") && (path.ends_with("/schema") || path.ends_with("/schema/"))
    })
}

/// `deprecated: true`.
fn is_deprecated(value: &Value) -> bool {
    value.get("deprecated") == Some(&Value::Bool(true))
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
