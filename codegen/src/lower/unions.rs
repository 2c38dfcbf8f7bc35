//! Unions: dispatched on a tag property when every member has one, tried
//! member by member otherwise.

use std::collections::HashMap;

use serde_json::Value;

use super::{docs_of, Lowerer};
use crate::error::{Diagnostics, Location};
use crate::load::NodeRef;
use crate::model::*;
use crate::naming::{self, Scope};

impl Lowerer<'_> {
    /// The type of each member of a union, lowered once whether the union
    /// ends up tagged or untagged.
    ///
    /// A member written without `type` or `$ref` takes the `type` of the
    /// union's own schema (`parent`): the value it describes is already of
    /// that type (`{type: object, oneOf: [{properties: …}, …]}` is a union
    /// of structs).
    pub(super) fn lower_members(
        &mut self,
        node: &NodeRef,
        parent: &Value,
        keyword: &str,
        items: &[Value],
        name: &str,
    ) -> Vec<Option<RustType>> {
        let parent_type = parent.get("type").filter(|t| t.is_string());
        items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                // `false` accepts nothing: no variant.
                if *item == Value::Bool(false) {
                    return None;
                }
                let item_node = node.child(keyword).child(&i.to_string());
                let hint = format!("{name}Variant{}", i + 1);
                match (item, parent_type) {
                    (Value::Object(obj), Some(t))
                        if !obj.contains_key("type") && !obj.contains_key("$ref") =>
                    {
                        let mut typed = obj.clone();
                        typed.insert("type".into(), t.clone());
                        Some(self.lower_type(&item_node, &Value::Object(typed), &hint))
                    }
                    _ => Some(self.lower_type(&item_node, item, &hint)),
                }
            })
            .collect()
    }

    /// A schema without `type` whose keywords describe a `container`: the
    /// union of that container's type (`NameObject`, `NameArray` or a
    /// plain `Vec`) and any other JSON value (`Other`).
    pub(super) fn lower_or_other(
        &mut self,
        node: &NodeRef,
        value: &Value,
        container: Container,
        name: &str,
    ) -> Untagged {
        let mut typed = value.clone();
        if let Value::Object(obj) = &mut typed {
            obj.insert("type".into(), container.json_type().into());
        }
        let suffix = naming::type_name(container.json_type());
        let ty = self.lower_inner(node, &typed, name, &suffix);
        Untagged {
                variants: vec![
                    UntaggedVariant {
                        name: suffix,
                        ty,
                        docs: Vec::new(),
                    },
                    UntaggedVariant {
                        name: "Other".into(),
                        ty: RustType::ValueExcept(container),
                        docs: vec![format!(
                            "Any other JSON value: the schema gives no `type`, and its keywords apply to {}s only.",
                            container.json_type()
                        )],
                    },
                ],
                most_kept: None,
            }
    }

    /// A union without a tag: serde tries the members in schema order.
    /// Variants are named after the member's type.
    pub(super) fn lower_untagged(
        &mut self,
        node: &NodeRef,
        keyword: &str,
        items: &[Value],
        members: Vec<Option<RustType>>,
        name: &str,
    ) -> Untagged {
        let mut scope = Scope::default();
        let mut variants = Vec::new();
        let own = self.by_node.get(node).copied();
        for (i, (item, ty)) in items.iter().zip(members).enumerate() {
            let Some(ty) = ty else { continue };
            let item_node = node.child(keyword).child(&i.to_string());
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
        self.supersets_first(&mut variants);
        let most_kept = self.overlapping_structs(&variants);
        Untagged {
            variants,
            most_kept,
        }
    }

    /// The property names each member lists, when every member is an open
    /// struct (no map of unlisted properties) and two list properties
    /// neither includes the other's: trying them in order would drop what
    /// the later one keeps.
    fn overlapping_structs(&self, variants: &[UntaggedVariant]) -> Option<Vec<Vec<String>>> {
        let sets: Vec<Vec<&str>> = variants
            .iter()
            .map(|v| self.open_struct_properties(&v.ty))
            .collect::<Option<_>>()?;
        let within = |a: &[&str], b: &[&str]| a.iter().all(|p| b.contains(p));
        let overlap = sets.len() >= 2
            && sets
                .iter()
                .enumerate()
                .any(|(i, a)| sets[i + 1..].iter().any(|b| !within(a, b) && !within(b, a)));
        overlap.then(|| {
            sets.iter()
                .map(|set| set.iter().map(|p| p.to_string()).collect())
                .collect()
        })
    }

    /// The property names of an open struct without a map of unlisted
    /// properties (through aliases), `None` for any other type.
    fn open_struct_properties(&self, ty: &RustType) -> Option<Vec<&str>> {
        let RustType::Named(id) = self.unaliased(ty) else {
            return None;
        };
        match &self.space.get(*id).kind {
            TypeKind::Struct(s) if s.extra.is_none() && !s.deny_unknown_fields => {
                Some(s.fields.iter().map(|f| f.json_name.as_str()).collect())
            }
            _ => None,
        }
    }

    /// The first member that accepts a document wins, and an open struct
    /// accepts one with properties it does not list, dropping them: a
    /// member whose properties are a strict superset of an earlier one's
    /// (`{a}` then `{a, b}`) would never see a document with `b` whole. It
    /// moves before the first such member; other members keep schema
    /// order. (Members that only overlap are not reordered: neither keeps
    /// all of a document with the properties of both.)
    fn supersets_first(&self, variants: &mut Vec<UntaggedVariant>) {
        let properties = |ty: &RustType| self.open_struct_properties(ty);
        let strict_superset =
            |a: &[&str], b: &[&str]| a.len() > b.len() && b.iter().all(|name| a.contains(name));
        let mut ordered: Vec<UntaggedVariant> = Vec::with_capacity(variants.len());
        for variant in variants.drain(..) {
            let before = properties(&variant.ty).and_then(|mine| {
                ordered.iter().position(|other| {
                    properties(&other.ty).is_some_and(|theirs| strict_superset(&mine, &theirs))
                })
            });
            match before {
                Some(at) => ordered.insert(at, variant),
                None => ordered.push(variant),
            }
        }
        *variants = ordered;
    }

    /// Whether `ty` takes any JSON value (`serde_json::Value`, directly or
    /// through aliases already lowered).
    fn accepts_anything(&self, ty: &RustType) -> bool {
        matches!(self.unaliased(ty), RustType::Value)
    }

    /// `ty` with the aliases it names followed (as lowered so far; a chain
    /// past 64 stops where it is).
    fn unaliased<'t>(&'t self, ty: &'t RustType) -> &'t RustType {
        let mut ty = ty;
        for _ in 0..64 {
            match ty {
                RustType::Named(id) => match &self.space.get(*id).kind {
                    TypeKind::Alias(inner) => ty = inner,
                    _ => break,
                },
                _ => break,
            }
        }
        ty
    }

    pub(super) fn lower_union(
        &mut self,
        node: &NodeRef,
        keyword: &str,
        tag: &str,
        members: &[Option<RustType>],
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
        for (i, ty) in members.iter().enumerate() {
            let Some(ty) = ty else { continue };
            let item_node = node.child(keyword).child(&i.to_string());
            let RustType::Named(id) = *ty else {
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
            let found = st
                .fields
                .iter()
                .find(|f| f.json_name == tag && f.is_required())
                .and_then(|f| match (&f.value, &f.presence) {
                    (RustType::Named(c), Presence::Required) => match &self.space.get(*c).kind {
                        TypeKind::Const(c) => {
                            Some((f.name.clone(), VariantTag::Constant(c.value.clone())))
                        }
                        TypeKind::Enum(e) if e.open.is_none() => Some((
                            f.name.clone(),
                            VariantTag::Enum(e.variants.iter().map(|v| v.value.clone()).collect()),
                        )),
                        _ => None,
                    },
                    _ => None,
                });
            let Some((tag_field, variant_tag)) = found else {
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
            for value in variant_tag.values() {
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
            structs.push((id, st.clone()));
            variants.push(UnionVariant {
                name: scope.claim(&naming::type_name(&variant_tag.values()[0])),
                tag: variant_tag,
                tag_field,
                ty: id,
                docs: def.docs.clone(),
            });
        }
        if let Some(Value::Object(mapping)) =
            value.get("discriminator").and_then(|d| d.get("mapping"))
        {
            for (tag_value, target) in mapping {
                let known = variants.iter().find(|v| v.tag.values().contains(tag_value));
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

/// The properties every variant has, required or not, with the same type
/// once an optional field's `Option` is taken off. Fields that keep absent
/// and `null` apart are read by each variant itself.
fn envelope_fields(structs: &[(TypeId, Struct)], tag: &str) -> Vec<CommonField> {
    /// The field's type without the `Option` an optional field is in.
    fn base(field: &Field) -> RustType {
        match field.ty() {
            RustType::Option(inner) => *inner,
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
                    g.json_name == f.json_name
                        && base(g) == base(f)
                        && g.presence != Presence::OptionalNullApart
                })
            })
        })
        .map(|f| CommonField {
            name: f.name.clone(),
            json_name: f.json_name.clone(),
            ty: base(f),
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
        .filter(|f| f.presence == Presence::Required && f.json_name != tag)
        .filter(|f| {
            matches!(
                f.value,
                RustType::String | RustType::Bool | RustType::Int { .. } | RustType::Float { .. }
            )
        })
        .filter(|f| {
            structs.iter().all(|(_, s)| {
                s.fields
                    .iter()
                    .any(|g| g.json_name == f.json_name && g.is_required() && g.ty() == f.value)
            })
        })
        .map(|f| CommonField {
            name: f.name.clone(),
            json_name: f.json_name.clone(),
            ty: f.value.clone(),
        })
        .collect()
}

/// `chrono::DateTime<chrono::Utc>` → `DateTime`.
fn type_name_of_path(path: &str) -> String {
    let head = path.split('<').next().unwrap_or(path);
    naming::type_name(head.rsplit("::").next().unwrap_or(head))
}

/// A variant name for a member that is not a named type.
fn primitive_variant_name(ty: &RustType) -> String {
    match ty {
        RustType::String => "String".into(),
        RustType::Bool => "Boolean".into(),
        RustType::Int { .. } => "Integer".into(),
        RustType::Float { .. } => "Number".into(),
        RustType::Value => "Any".into(),
        RustType::ValueExcept(_) => "Other".into(),
        RustType::Null => "Null".into(),
        RustType::Vec(inner) => format!("{}List", primitive_variant_name(inner)),
        RustType::Set(inner) => format!("{}Set", primitive_variant_name(inner)),
        RustType::Map(inner) => format!("{}Map", primitive_variant_name(inner)),
        RustType::Option(inner) | RustType::Box(inner) => primitive_variant_name(inner),
        RustType::Tuple(_) => "Tuple".into(),
        RustType::External(path) => type_name_of_path(path),
        RustType::Named(_) => "Object".into(),
    }
}
