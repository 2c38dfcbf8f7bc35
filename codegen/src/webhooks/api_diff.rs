//! The comparison behind `diff`: two lowered models, walked in parallel
//! from paired roots (definitions by Rust name, or webhook events by event
//! type), each difference classified by what it does to the generated Rust
//! API. Nothing here reads JSON Schema keywords to guess an impact: a
//! `minimum` that widens `u8` to `u16` is a type change because the model's
//! field type changed, and `uniqueItems` that leaves `Vec<String>` alone is
//! no change at all. Only when a subject's model is identical are the
//! schemas themselves compared (`schema_changes.rs`), and what differs
//! there is reported as validation the types do not enforce.

use std::collections::HashSet;

use serde_json::Value;

use super::diff::{Change, Impact};
use crate::load::NodeRef;
use crate::model::*;

/// Whether type names are part of what is compared. They are for a schema
/// compared with its next version (users write the names); they are not
/// when webhook events of two differently organised sources are compared
/// (our `schema/` and an upstream OpenAPI document name the same shapes
/// differently, and only the shapes matter).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Names {
    Compared,
    Ignored,
}

/// One version: its model, and which of its types are subjects of their
/// own (compared as roots, not again where another type uses them).
pub(crate) struct Side<'a> {
    pub space: &'a TypeSpace,
    pub roots: HashSet<usize>,
}

/// The parallel walk over one subject (an event, or a definition).
pub(crate) struct Walk<'a> {
    old: &'a Side<'a>,
    new: &'a Side<'a>,
    names: Names,
    subject: String,
    visited: HashSet<(usize, usize)>,
    pub changes: Vec<Change>,
}

impl<'a> Walk<'a> {
    pub(crate) fn new(old: &'a Side<'a>, new: &'a Side<'a>, names: Names, subject: &str) -> Self {
        Walk {
            old,
            new,
            names,
            subject: subject.to_string(),
            visited: HashSet::new(),
            changes: Vec::new(),
        }
    }

    fn push(&mut self, path: &str, at: &NodeRef, what: String, impact: Impact) {
        // A field's description is also its type's: said once.
        if self
            .changes
            .iter()
            .any(|c| c.path == path && c.what == what && c.impact == impact)
        {
            return;
        }
        self.changes.push(Change {
            event: self.subject.clone(),
            path: path.to_string(),
            what,
            impact,
            pointer: at.location().to_string(),
        });
    }

    /// Compares the type `a` of the old model with `b` of the new one,
    /// found at `path` of the subject.
    pub(crate) fn types(&mut self, a: TypeId, b: TypeId, path: &str) {
        if !self.visited.insert((a.0, b.0)) {
            return;
        }
        let (da, db) = (self.old.space.get(a), self.new.space.get(b));
        let at = &db.origin;
        self.docs(&da.docs, &db.docs, da.deprecated, db.deprecated, path, at);
        match (da.eq_hash, db.eq_hash) {
            (true, false) => self.push(
                path,
                at,
                format!("`{}` no longer implements `Eq` and `Hash`", db.name),
                Impact::Breaking,
            ),
            (false, true) => self.push(
                path,
                at,
                format!("`{}` now implements `Eq` and `Hash`", db.name),
                Impact::Additive,
            ),
            _ => {}
        }
        match (&da.kind, &db.kind) {
            (TypeKind::Struct(x), TypeKind::Struct(y)) => self.structs(x, y, path, at),
            (TypeKind::Const(x), TypeKind::Const(y)) => {
                if x.value != y.value {
                    let what = format!("value changed from {:?} to {:?}", x.value, y.value);
                    self.push(path, at, what, Impact::Breaking);
                }
            }
            (TypeKind::Enum(x), TypeKind::Enum(y)) => {
                let values = |e: &Enum| -> Vec<Value> {
                    e.variants
                        .iter()
                        .map(|v| Value::String(v.value.clone()))
                        .collect()
                };
                self.values(&values(x), &values(y), db.kind.non_exhaustive(), path, at);
                match (x.open.is_some(), y.open.is_some()) {
                    (false, true) => self.push(
                        path,
                        at,
                        "now open: unknown values are kept instead of rejected".into(),
                        Impact::Breaking,
                    ),
                    (true, false) => self.push(
                        path,
                        at,
                        "now closed: unknown values are rejected".into(),
                        Impact::Breaking,
                    ),
                    _ => {}
                }
            }
            (TypeKind::Literals(x), TypeKind::Literals(y)) => {
                let values = |l: &Literals| -> Vec<Value> {
                    l.variants.iter().map(|v| v.value.clone()).collect()
                };
                self.values(&values(x), &values(y), db.kind.non_exhaustive(), path, at);
            }
            (TypeKind::Union(x), TypeKind::Union(y)) => self.unions(x, y, path, at),
            (TypeKind::Untagged(x), TypeKind::Untagged(y)) => {
                for (i, (va, vb)) in x.variants.iter().zip(&y.variants).enumerate() {
                    if self.names == Names::Compared && va.name != vb.name {
                        let what =
                            format!("variant {i} renamed from `{}` to `{}`", va.name, vb.name);
                        self.push(path, at, what, Impact::Breaking);
                    }
                    self.ty(&va.ty, &vb.ty, path, at);
                }
                let (n, m) = (x.variants.len(), y.variants.len());
                if m > n {
                    let added: Vec<&str> =
                        y.variants[n..].iter().map(|v| v.name.as_str()).collect();
                    let what = format!("variants added after the others: {}", added.join(", "));
                    self.push(path, at, what, added_impact(db.kind.non_exhaustive()));
                } else if m < n {
                    let removed: Vec<&str> =
                        x.variants[m..].iter().map(|v| v.name.as_str()).collect();
                    let what = format!("variants removed: {}", removed.join(", "));
                    self.push(path, at, what, Impact::Breaking);
                }
            }
            (TypeKind::Tuple(x), TypeKind::Tuple(y)) => {
                if x.items.len() != y.items.len() || x.required != y.required {
                    let what = format!(
                        "tuple changed from {} items ({} required) to {} ({} required)",
                        x.items.len(),
                        x.required,
                        y.items.len(),
                        y.required
                    );
                    self.push(path, at, what, Impact::Breaking);
                }
                for (i, (ia, ib)) in x.items.iter().zip(&y.items).enumerate() {
                    self.ty(ia, ib, &format!("{path}[{i}]"), at);
                }
            }
            (TypeKind::Alias(x), TypeKind::Alias(y))
            | (TypeKind::Newtype(x), TypeKind::Newtype(y)) => self.ty(x, y, path, at),
            _ => {
                let what = format!(
                    "type changed from {} `{}` to {} `{}`",
                    da.kind.word(),
                    da.name,
                    db.kind.word(),
                    db.name
                );
                self.push(path, at, what, Impact::Breaking);
            }
        }
    }

    fn docs(
        &mut self,
        a: &[String],
        b: &[String],
        deprecated_a: bool,
        deprecated_b: bool,
        path: &str,
        at: &NodeRef,
    ) {
        let text = |lines: &[String]| {
            lines
                .join(" ")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        };
        let (ta, tb) = (text(a), text(b));
        if ta != tb {
            let what = match (ta.is_empty(), tb.is_empty()) {
                (true, false) => "description added",
                (false, true) => "description removed",
                _ => "description changed",
            };
            self.push(path, at, what.into(), Impact::Docs);
        }
        if deprecated_a != deprecated_b {
            let what = if deprecated_b {
                "now deprecated"
            } else {
                "no longer deprecated"
            };
            self.push(path, at, what.into(), Impact::Docs);
        }
    }

    fn structs(&mut self, a: &Struct, b: &Struct, path: &str, at: &NodeRef) {
        for fa in &a.fields {
            let field_path = super::events::field_path(path, &fa.json_name);
            match b.fields.iter().find(|fb| fb.json_name == fa.json_name) {
                None => self.push(
                    &field_path,
                    &fa.node,
                    format!("field removed (`{}`)", fa.name),
                    Impact::Breaking,
                ),
                Some(fb) => self.field(fa, fb, &field_path),
            }
        }
        for fb in &b.fields {
            if a.fields.iter().any(|fa| fa.json_name == fb.json_name) {
                continue;
            }
            let shown = render(self.new.space, &fb.ty());
            let what = if fb.is_required() {
                format!(
                    "required field added: `{}: {shown}` (documents without it are rejected)",
                    fb.name
                )
            } else {
                format!(
                    "optional field added: `{}: {shown}` (a new public struct field)",
                    fb.name
                )
            };
            self.push(
                &super::events::field_path(path, &fb.json_name),
                &fb.node,
                what,
                Impact::Breaking,
            );
        }
        match (a.deny_unknown_fields, b.deny_unknown_fields) {
            (false, true) => self.push(
                path,
                at,
                "unknown properties are now rejected".into(),
                Impact::Breaking,
            ),
            (true, false) => self.push(
                path,
                at,
                "unknown properties are now accepted".into(),
                Impact::Additive,
            ),
            _ => {}
        }
        match (&a.extra, &b.extra) {
            (None, Some((name, ty))) => {
                let what = format!(
                    "field added: `{name}: BTreeMap<String, {}>` (unlisted properties are kept)",
                    render(self.new.space, ty)
                );
                self.push(path, at, what, Impact::Breaking);
            }
            (Some((name, _)), None) => {
                let what =
                    format!("field removed: `{name}` (unlisted properties are no longer kept)");
                self.push(path, at, what, Impact::Breaking);
            }
            (Some((_, x)), Some((_, y))) => self.ty(x, y, &format!("{path}.*"), at),
            (None, None) => {}
        }
    }

    fn field(&mut self, a: &Field, b: &Field, path: &str) {
        let at = &b.node;
        self.docs(&a.docs, &b.docs, a.deprecated, b.deprecated, path, at);
        if self.names == Names::Compared && a.name != b.name {
            let what = format!("Rust field renamed from `{}` to `{}`", a.name, b.name);
            self.push(path, at, what, Impact::Breaking);
        }
        // The presence change alone: the old value with the new presence
        // (a change of the value itself is reported after it).
        let moved = Field {
            value: a.value.clone(),
            presence: b.presence.clone(),
            ..b.clone()
        };
        let (old_ty, new_ty) = (
            render(self.old.space, &a.ty()),
            render(self.old.space, &moved.ty()),
        );
        let what = match (Presence::of(a), Presence::of(b)) {
            (Presence::Req, Presence::Opt) => Some((
                format!("now optional (`{old_ty}` becomes `{new_ty}`)"),
                Impact::Breaking,
            )),
            (Presence::Opt, Presence::Req) => Some((
                format!("now required (documents without it are rejected; `{old_ty}` becomes `{new_ty}`)"),
                Impact::Breaking,
            )),
            (Presence::Req, Presence::Def) => Some((
                "now has a default (documents without it are accepted)".to_string(),
                Impact::Additive,
            )),
            (Presence::Def, Presence::Req) => Some((
                "default removed: now required (documents without it are rejected)".to_string(),
                Impact::Breaking,
            )),
            (Presence::Opt, Presence::Def) | (Presence::Def, Presence::Opt) => Some((
                format!("`{old_ty}` becomes `{new_ty}` (a default was added or removed)"),
                Impact::Breaking,
            )),
            (Presence::Def, Presence::Def) if !same_default(a.default(), b.default()) => Some((
                "default changed (an absent property now reads differently)".to_string(),
                Impact::Breaking,
            )),
            _ => None,
        };
        match what {
            // The presence changed: the values inside are compared.
            Some((what, impact)) => {
                self.push(path, at, what, impact);
                self.ty(&a.value, &b.value, path, at);
            }
            None => self.ty(&a.ty(), &b.ty(), path, at),
        }
    }

    fn values(&mut self, a: &[Value], b: &[Value], non_exhaustive: bool, path: &str, at: &NodeRef) {
        let show = |values: Vec<&Value>| {
            values
                .iter()
                .map(|v| v.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let added: Vec<&Value> = b.iter().filter(|v| !a.contains(v)).collect();
        let removed: Vec<&Value> = a.iter().filter(|v| !b.contains(v)).collect();
        if !added.is_empty() {
            let what = format!("enum values added: {}", show(added));
            self.push(path, at, what, added_impact(non_exhaustive));
        }
        if !removed.is_empty() {
            let what = format!("enum values removed: {}", show(removed));
            self.push(path, at, what, Impact::Breaking);
        }
    }

    fn unions(&mut self, a: &Union, b: &Union, path: &str, at: &NodeRef) {
        if a.tag != b.tag {
            let what = format!("tag property changed from `{}` to `{}`", a.tag, b.tag);
            self.push(path, at, what, Impact::Breaking);
            return;
        }
        let overlaps = |x: &UnionVariant, y: &UnionVariant| {
            x.tag.values().iter().any(|v| y.tag.values().contains(v))
        };
        for va in &a.variants {
            let Some(vb) = b.variants.iter().find(|vb| overlaps(va, vb)) else {
                let what = format!(
                    "variant removed: `{}` ({})",
                    va.name,
                    va.tag.values().join(", ")
                );
                self.push(path, at, what, Impact::Breaking);
                continue;
            };
            let (old_values, new_values) = (va.tag.values(), vb.tag.values());
            let removed: Vec<&str> = old_values
                .iter()
                .filter(|v| !new_values.contains(v))
                .map(String::as_str)
                .collect();
            let added: Vec<&str> = new_values
                .iter()
                .filter(|v| !old_values.contains(v))
                .map(String::as_str)
                .collect();
            if !removed.is_empty() {
                let what = format!("`{}` no longer selected by {}", vb.name, removed.join(", "));
                self.push(path, at, what, Impact::Breaking);
            }
            if !added.is_empty() {
                let what = format!("`{}` now also selected by {}", vb.name, added.join(", "));
                self.push(path, at, what, Impact::Additive);
            }
            if self.names == Names::Compared && va.name != vb.name {
                let what = format!("variant renamed from `{}` to `{}`", va.name, vb.name);
                self.push(path, at, what, Impact::Breaking);
            }
            let here = super::events::field_path(path, &vb.tag.values()[0]);
            self.ty(&RustType::Named(va.ty), &RustType::Named(vb.ty), &here, at);
        }
        let non_exhaustive = true;
        for vb in &b.variants {
            if !a.variants.iter().any(|va| overlaps(va, vb)) {
                let what = format!(
                    "variant added: `{}` ({})",
                    vb.name,
                    vb.tag.values().join(", ")
                );
                self.push(path, at, what, added_impact(non_exhaustive));
            }
        }
        for common in &a.common {
            if !b.common.iter().any(|c| c.name == common.name) {
                let what = format!("accessor `{}()` removed", common.name);
                self.push(path, at, what, Impact::Breaking);
            }
        }
        for common in &b.common {
            if !a.common.iter().any(|c| c.name == common.name) {
                let what = format!("accessor `{}()` added", common.name);
                self.push(path, at, what, Impact::Additive);
            }
        }
    }

    /// Compares two type references found at `path`: generated types are
    /// followed (unless they are subjects of their own), everything else
    /// must be the same Rust type.
    fn ty(&mut self, a: &RustType, b: &RustType, path: &str, at: &NodeRef) {
        use RustType as T;
        match (a, b) {
            (T::Named(x), T::Named(y)) => {
                let (dx, dy) = (self.old.space.get(*x), self.new.space.get(*y));
                if self.names == Names::Compared {
                    if dx.name != dy.name {
                        let what = format!("type changed from `{}` to `{}`", dx.name, dy.name);
                        self.push(path, at, what, Impact::Breaking);
                        return;
                    }
                    // A definition reports its own changes, once.
                    if self.old.roots.contains(&x.0) && self.new.roots.contains(&y.0) {
                        return;
                    }
                }
                self.types(*x, *y, path);
            }
            (T::Option(x), T::Option(y)) | (T::Box(x), T::Box(y)) => self.ty(x, y, path, at),
            (T::Vec(x), T::Vec(y)) | (T::Set(x), T::Set(y)) => {
                self.ty(x, y, &format!("{path}[]"), at)
            }
            (T::Map(x), T::Map(y)) => self.ty(x, y, &format!("{path}.*"), at),
            (T::Tuple(x), T::Tuple(y)) if x.len() == y.len() => {
                for (i, (ia, ib)) in x.iter().zip(y).enumerate() {
                    self.ty(ia, ib, &format!("{path}[{i}]"), at);
                }
            }
            // Where recursion is broken depends on the rest of the schema:
            // when names do not matter, neither does the `Box`.
            (T::Box(x), y) if self.names == Names::Ignored => self.ty(x, y, path, at),
            (x, T::Box(y)) if self.names == Names::Ignored => self.ty(x, y, path, at),
            _ if a == b && !holds_named(a) => {}
            _ => {
                let what = format!(
                    "type changed from `{}` to `{}`",
                    render(self.old.space, a),
                    render(self.new.space, b)
                );
                self.push(path, at, what, Impact::Breaking);
            }
        }
    }
}

/// How a field's presence reads to a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Presence {
    /// Must be present.
    Req,
    /// May be absent: an `Option`.
    Opt,
    /// May be absent, and then takes its default.
    Def,
}

impl Presence {
    fn of(field: &Field) -> Self {
        use crate::model::Presence as P;
        match field.presence {
            P::Required | P::RequiredNullable => Presence::Req,
            P::Defaulted(_) => Presence::Def,
            P::Optional
            | P::OptionalNullMerged
            | P::OptionalNullApart
            | P::OptionalWithDefault(_) => Presence::Opt,
        }
    }
}

/// Two defaults, compared by value (a variant by its name: type ids differ
/// between the two models).
fn same_default(a: Option<&DefaultValue>, b: Option<&DefaultValue>) -> bool {
    fn same(a: &DefaultValue, b: &DefaultValue) -> bool {
        use DefaultValue as D;
        match (a, b) {
            (D::Variant(_, x), D::Variant(_, y)) => x == y,
            (D::Some(x), D::Some(y)) => same(x, y),
            (D::List(x), D::List(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
            }
            (D::Map(x), D::Map(y)) => {
                x.len() == y.len()
                    && x.iter()
                        .zip(y)
                        .all(|((kx, x), (ky, y))| kx == ky && same(x, y))
            }
            _ => a == b,
        }
    }
    match (a, b) {
        (Some(a), Some(b)) => same(a, b),
        (None, None) => true,
        _ => false,
    }
}

fn added_impact(non_exhaustive: bool) -> Impact {
    if non_exhaustive {
        Impact::Additive
    } else {
        Impact::Breaking
    }
}

fn holds_named(ty: &RustType) -> bool {
    let mut named = matches!(ty, RustType::Named(_));
    ty.for_each_inner(|inner, _| named |= holds_named(inner));
    named
}

/// A type as a reader writes it (`Option<Vec<String>>`, `Pet`), spelled as
/// `emit` prints it, with the standard paths shortened.
pub(crate) fn render(space: &TypeSpace, ty: &RustType) -> String {
    let printed = crate::emit::rust_type(space, ty)
        .to_string()
        .replace(' ', "");
    let mut text = printed;
    for long in [
        "::std::string::",
        "::std::option::",
        "::std::collections::",
        "::std::boxed::",
        "::std::vec::",
    ] {
        text = text.replace(long, "");
    }
    text.replace("::serde_json::", "serde_json::")
        .replace(",)", ")")
        .replace(",>", ">")
        .replace(',', ", ")
}
