//! Objects: structs from `properties` (or a merged `allOf`), each field's
//! [`Presence`] decided from `required`, nullability and `default`; maps
//! from `additionalProperties` / `patternProperties`.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::all_of::Merged;
use super::{docs_of, is_deprecated, Lowerer};
use crate::error::{Diagnostics, Location};
use crate::load::{NodeRef, MAX_NESTING};
use crate::model::*;
use crate::naming::{self, Scope};

/// What a struct is made from: an object schema's keywords, its
/// properties (each with the node it is defined at) and its required names.
pub(super) struct ObjectSource<'v> {
    node: NodeRef,
    /// `additionalProperties`, `patternProperties`.
    keywords: Cow<'v, Map<String, Value>>,
    properties: Vec<(String, NodeRef, Cow<'v, Value>)>,
    required: Vec<Requirement>,
    /// `allOf` members whose `additionalProperties` / `patternProperties`
    /// also give the type of unlisted properties.
    extras: Vec<NodeRef>,
}

/// A name `required` lists, and where.
pub(super) struct Requirement {
    pub name: String,
    pub at: Location,
    /// Written in a schema an `allOf` reached through `$ref`, which may be
    /// lowered as a type of its own (and report its own problems).
    pub by_ref: bool,
}

/// The names `required` lists at `node`, each with its place.
pub(super) fn required_names(
    node: &NodeRef,
    obj: &Map<String, Value>,
    diags: &mut Diagnostics,
) -> Vec<Requirement> {
    match obj.get("required") {
        None => Vec::new(),
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => items
            .iter()
            .enumerate()
            .filter_map(|(i, name)| {
                let at = node.child("required").child(&i.to_string());
                Some(Requirement {
                    name: name.as_str()?.to_string(),
                    at: at.location(),
                    by_ref: false,
                })
            })
            .collect(),
        Some(_) => {
            diags.error(
                &node.child("required").location(),
                "`required` must be an array of property names",
            );
            Vec::new()
        }
    }
}

impl<'v> ObjectSource<'v> {
    /// An object schema with `properties`.
    pub(super) fn of(node: &NodeRef, value: &'v Value, diags: &mut Diagnostics) -> Self {
        let keywords = match value {
            Value::Object(obj) => Cow::Borrowed(obj),
            _ => Cow::Owned(Map::new()),
        };
        let props_node = node.child("properties");
        let properties = match value.get("properties") {
            Some(Value::Object(props)) => props
                .iter()
                .map(|(name, schema)| (name.clone(), props_node.child(name), Cow::Borrowed(schema)))
                .collect(),
            // `additionalProperties: false` alone: the empty object.
            None => Vec::new(),
            _ => {
                diags.error(
                    &props_node.location(),
                    "`properties` must be an object of schemas",
                );
                Vec::new()
            }
        };
        let required = required_names(node, &keywords, diags);
        ObjectSource {
            node: node.clone(),
            keywords,
            properties,
            required,
            extras: Vec::new(),
        }
    }

    /// The objects of an `allOf`, merged.
    pub(super) fn merged(node: &NodeRef, merged: Merged) -> Self {
        ObjectSource {
            node: node.clone(),
            keywords: Cow::Owned(merged.own),
            properties: merged
                .properties
                .into_iter()
                .map(|p| (p.name, p.node, Cow::Owned(p.schema)))
                .collect(),
            required: merged.required,
            extras: merged.extras,
        }
    }
}

impl Lowerer<'_> {
    pub(super) fn lower_struct(&mut self, source: ObjectSource, name: &str) -> Struct {
        let ObjectSource {
            node,
            keywords,
            mut properties,
            required,
            extras,
        } = source;
        // A required property with no schema may hold any JSON. One
        // required by an `allOf` member reached through `$ref` is reported
        // at the `allOf` (the member reports its own).
        for requirement in &required {
            let (r, location) = (&requirement.name, &requirement.at);
            if !properties.iter().any(|(name, ..)| name == r) {
                let message = format!("required property `{r}` is not declared in `properties`: it becomes a `serde_json::Value` field");
                if requirement.by_ref {
                    self.diags.warn(
                        &node.child("allOf").location(),
                        format!("{message} (required at {location})"),
                    );
                } else {
                    self.diags.warn(location, message);
                }
                let at = node.child("properties").child(r);
                properties.push((r.clone(), at, Cow::Owned(Value::Bool(true))));
            }
        }
        let deny_unknown_fields = keywords.get("additionalProperties") == Some(&Value::Bool(false))
            && keywords.get("patternProperties").is_none()
            && extras.is_empty();
        let mut extra_types = Vec::new();
        self.extra_properties(&node, &keywords, name, &mut extra_types);
        for member in &extras {
            if let Some(Value::Object(member_keywords)) = self.set.get(member) {
                self.extra_properties(member, member_keywords, name, &mut extra_types);
            }
        }
        let extra_type = same_or_any(extra_types);
        let mut scope = Scope::default();
        let mut fields = Vec::new();
        for (json_name, child, schema) in &properties {
            // The schema `false`: the property must be absent. No field;
            // a closed object rejects it, an open one ignores it.
            if **schema == Value::Bool(false) {
                if let Some(requirement) = required.iter().find(|r| r.name == *json_name) {
                    self.diags.error(
                        &requirement.at,
                        format!("`{json_name}` is required, but its schema is `false`: no value is valid"),
                    );
                }
                continue;
            }
            let hint = format!("{name}{}", naming::type_name(json_name));
            let value = match self.properties.get(child) {
                Some(ty) => ty.clone(),
                None => {
                    let ty = self.lower_type(child, schema, &hint);
                    self.properties.insert(child.clone(), ty.clone());
                    ty
                }
            };
            let required = required.iter().any(|r| r.name == *json_name);
            let presence = self.presence(child, schema, &value, required);
            fields.push(Field {
                name: scope.claim(&naming::field_name(json_name)),
                json_name: json_name.clone(),
                value,
                presence,
                docs: docs_of(schema),
                deprecated: is_deprecated(schema),
                attributes: Vec::new(),
                node: child.clone(),
            });
        }
        // Lossless: an open object keeps what it does not list; so does
        // one whose schema says unknown fields are data (Kubernetes'
        // `x-kubernetes-preserve-unknown-fields: true`), in any mode.
        let preserve =
            keywords.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true));
        let extra_type = match extra_type {
            None if (self.options.switches.lossless || preserve) && !deny_unknown_fields => {
                Some(RustType::Value)
            }
            other => other,
        };
        let extra = extra_type.map(|ty| (scope.claim("additional_properties"), ty));
        Struct {
            fields,
            deny_unknown_fields,
            extra,
        }
    }

    /// Whether a property must be present, and what absent and `null`
    /// mean, from `required`, whether its type admits `null`, its
    /// `default` and the caller's options.
    fn presence(
        &mut self,
        node: &NodeRef,
        schema: &Value,
        ty: &RustType,
        required: bool,
    ) -> Presence {
        let nullable = is_nullable(&self.space, ty);
        if required {
            return if nullable {
                Presence::RequiredNullable
            } else {
                Presence::Required
            };
        }
        match schema.get("default") {
            // `null` is what an absent `Option` already is.
            Some(Value::Null) => {}
            // An optional property with a `default` that fits its type keeps
            // its type and deserializes to the default when absent.
            Some(value) => match default_value(&self.space, ty, value, 0) {
                Some(fitted) if !self.options.switches.lossless => return Presence::Defaulted(fitted),
                Some(fitted) if !nullable => return Presence::OptionalWithDefault(fitted),
                Some(_) => {}
                None => self.diags.warn(
                    &node.child("default").location(),
                    format!("`default` {value} does not fit the property's type, or holds an object of named properties: it is documented, not applied"),
                ),
            },
            None => {}
        }
        // Absent and `null` are two values of an optional property that
        // may be `null`, unless asked otherwise or the schema says absent
        // means `null` (any `default`).
        match nullable {
            false => Presence::Optional,
            true if schema.get("default").is_none()
                && !self.options.switches.merge_absent_and_null =>
            {
                Presence::OptionalNullApart
            }
            true => Presence::OptionalNullMerged,
        }
    }

    /// An object without `properties`: a map of its
    /// `additionalProperties` (any JSON by default).
    pub(super) fn lower_map(&mut self, node: &NodeRef, value: &Value, hint: &str) -> RustType {
        if value.get("patternProperties").is_some() {
            let keywords = value.as_object().cloned().unwrap_or_default();
            let inner = self
                .extra_properties_type(node, &keywords, hint)
                .unwrap_or(RustType::Value);
            return RustType::Map(Box::new(inner));
        }
        match value.get("additionalProperties") {
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
        }
    }

    /// [`Lowerer::extra_properties`] of one object: `None` when it gives
    /// no schema for unlisted properties.
    fn extra_properties_type(
        &mut self,
        node: &NodeRef,
        keywords: &Map<String, Value>,
        name: &str,
    ) -> Option<RustType> {
        let mut types = Vec::new();
        self.extra_properties(node, keywords, name, &mut types);
        same_or_any(types)
    }

    /// The value types of properties an object does not list, as its
    /// schema gives them: `additionalProperties: {schema}` and/or
    /// `patternProperties` (patterns not checked), pushed to `types`.
    fn extra_properties(
        &mut self,
        node: &NodeRef,
        keywords: &Map<String, Value>,
        name: &str,
        types: &mut Vec<RustType>,
    ) {
        if let Some(schema @ Value::Object(_)) = keywords.get("additionalProperties") {
            let child = node.child("additionalProperties");
            types.push(self.lower_type(&child, schema, &format!("{name}Value")));
        }
        match keywords.get("patternProperties") {
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
    }
}

/// One type when all are the same, `serde_json::Value` when they differ,
/// `None` when there are none.
fn same_or_any(types: Vec<RustType>) -> Option<RustType> {
    let first = types.first()?.clone();
    Some(if types.iter().all(|t| *t == first) {
        first
    } else {
        RustType::Value
    })
}

/// Whether `ty` admits `null`: an `Option`, or an alias of one.
fn is_nullable(space: &TypeSpace, ty: &RustType) -> bool {
    let mut ty = ty;
    for _ in 0..space.types.len() + 1 {
        match ty {
            RustType::Option(_) | RustType::Null => return true,
            RustType::Named(id) => match &space.types.get(id.0).map(|t| &t.kind) {
                Some(TypeKind::Alias(inner) | TypeKind::Newtype(inner)) => ty = inner,
                _ => return false,
            },
            _ => return false,
        }
    }
    false
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
