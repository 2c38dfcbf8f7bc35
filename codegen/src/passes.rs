//! Passes over the lowered model, after every schema node has a type:
//! alias cycles that describe no value (an error), aliases that recurse
//! through a type constructor (made newtypes), fields that would make a
//! struct infinitely large (boxed), and which types can derive `Eq` and
//! `Hash` (a fixpoint). Each walks types through
//! [`RustType::for_each_inner`].

use crate::error::Diagnostics;
use crate::model::*;

/// Aliases that only lead to each other (`A: {$ref: B}`, `B: {$ref: A}`)
/// describe no value at all: an error at the first of them.
pub(crate) fn check_alias_cycles(space: &TypeSpace, diags: &mut Diagnostics) {
    let mut reported = vec![false; space.types.len()];
    for start in 0..space.types.len() {
        let mut path = vec![start];
        let mut current = start;
        while let TypeKind::Alias(RustType::Named(next)) = &space.types[current].kind {
            if let Some(pos) = path.iter().position(|p| *p == next.0) {
                let cycle = &path[pos..];
                if !cycle.iter().any(|c| reported[*c]) {
                    let names: Vec<&str> = cycle
                        .iter()
                        .chain(std::iter::once(&cycle[0]))
                        .map(|c| space.types[*c].name.as_str())
                        .collect();
                    diags.error(
                        &space.types[cycle[0]].origin.location(),
                        format!("`$ref` cycle with no base case: {}", names.join(" → ")),
                    );
                    for c in cycle {
                        reported[*c] = true;
                    }
                }
                break;
            }
            path.push(next.0);
            current = next.0;
        }
    }
}

/// An alias that reaches itself through other aliases and a type
/// constructor (`Tree = Vec<Tree>`, `A = Option<B>`, `B = Map<A>`) cannot
/// be a Rust `type`: the first alias of each such cycle becomes a newtype,
/// which breaks the cycle (the boxing below then handles what the newtype
/// holds inline). Cycles of bare `$ref`s were reported as errors already.
pub(crate) fn break_alias_recursion(space: &mut TypeSpace) {
    fn named_in(ty: &RustType, out: &mut Vec<usize>) {
        if let RustType::Named(id) = ty {
            out.push(id.0);
        }
        ty.for_each_inner(|inner, _| named_in(inner, out));
    }
    for start in 0..space.types.len() {
        let TypeKind::Alias(ty) = &space.types[start].kind else {
            continue;
        };
        if matches!(ty, RustType::Named(_)) {
            continue;
        }
        let mut pending = Vec::new();
        named_in(ty, &mut pending);
        let mut seen = vec![false; space.types.len()];
        let mut cycle = false;
        while let Some(next) = pending.pop() {
            if next == start {
                cycle = true;
                break;
            }
            if std::mem::replace(&mut seen[next], true) {
                continue;
            }
            if let TypeKind::Alias(inner) = &space.types[next].kind {
                named_in(inner, &mut pending);
            }
        }
        if cycle {
            if let TypeKind::Alias(ty) = std::mem::replace(
                &mut space.types[start].kind,
                TypeKind::Alias(RustType::Value),
            ) {
                // A `Vec` or map allocates already; anything else around the
                // way back (`Option<B>`, `B = Option<A>`) is held inline.
                let ty = match ty {
                    RustType::Vec(_) | RustType::Map(_) => ty,
                    other => box_inline(other),
                };
                space.types[start].kind = TypeKind::Newtype(ty);
            }
        }
    }
}

/// A struct that contains itself without indirection (directly, through
/// `Option`, or through other structs and aliases) would have infinite size.
/// A depth-first walk over those containment edges boxes each field that
/// closes a cycle; `Vec` and maps already allocate, so they are not edges.
pub(crate) fn box_recursive_fields(space: &mut TypeSpace) {
    /// The named types a field type holds inline. An alias is looked
    /// through (`B = A` holds an `A` inline): a cycle that passes through
    /// one is then found at the field that holds the alias, which can be
    /// boxed (an alias itself has nowhere to put a `Box`).
    /// Iterative: alias chains can be long.
    fn inline_targets(space: &TypeSpace, ty: &RustType, out: &mut Vec<usize>) {
        let mut pending = vec![ty];
        while let Some(ty) = pending.pop() {
            if let RustType::Named(id) = ty {
                if out.contains(&id.0) {
                    continue;
                }
                out.push(id.0);
                if let TypeKind::Alias(aliased) = &space.types[id.0].kind {
                    pending.push(aliased);
                }
            }
            ty.for_each_inner(|inner, holding| {
                if holding == Holding::Inline {
                    pending.push(inner);
                }
            });
        }
    }
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        New,
        Open,
        Done,
    }
    let n = space.types.len();
    // Each type's containment edges, computed once: (the field or variant
    // that holds them, the types held inline).
    let edges: Vec<Vec<(Option<usize>, Vec<usize>)>> = space
        .types
        .iter()
        .map(|def| {
            let slots = |tys: &mut dyn Iterator<Item = &RustType>| {
                tys.enumerate()
                    .map(|(i, ty)| {
                        let mut t = Vec::new();
                        inline_targets(space, ty, &mut t);
                        (Some(i), t)
                    })
                    .collect()
            };
            match &def.kind {
                TypeKind::Struct(s) => slots(&mut s.fields.iter().map(|f| &f.value)),
                TypeKind::Untagged(u) => slots(&mut u.variants.iter().map(|v| &v.ty)),
                TypeKind::Tuple(t) => slots(&mut t.items.iter()),
                TypeKind::Alias(ty) => {
                    let mut t = Vec::new();
                    inline_targets(space, ty, &mut t);
                    vec![(None, t)]
                }
                TypeKind::Newtype(ty) => slots(&mut std::iter::once(ty)),
                TypeKind::Union(u) => u.variants.iter().map(|v| (None, vec![v.ty.0])).collect(),
                _ => Vec::new(),
            }
        })
        .collect();
    let mut state = vec![State::New; n];
    for root in 0..n {
        if state[root] != State::New {
            continue;
        }
        // Iterative DFS: (type, next edge index).
        let mut stack = vec![(root, 0usize)];
        state[root] = State::Open;
        while let Some((node, edge)) = stack.pop() {
            let Some((field, targets)) = edges[node].get(edge) else {
                state[node] = State::Done;
                continue;
            };
            stack.push((node, edge + 1));
            for target in targets {
                match state[*target] {
                    State::New => {
                        state[*target] = State::Open;
                        stack.push((*target, 0));
                    }
                    State::Open => {
                        // Back to a type still being walked: a cycle.
                        let slot = match (field, &mut space.types[node].kind) {
                            (Some(i), TypeKind::Struct(s)) => Some(&mut s.fields[*i].value),
                            (Some(i), TypeKind::Untagged(u)) => Some(&mut u.variants[*i].ty),
                            (Some(i), TypeKind::Tuple(t)) => Some(&mut t.items[*i]),
                            (Some(_), TypeKind::Newtype(ty)) => Some(ty),
                            _ => None,
                        };
                        if let Some(slot) = slot {
                            let ty = std::mem::replace(slot, RustType::Value);
                            *slot = box_inline(ty);
                        }
                    }
                    State::Done => {}
                }
            }
        }
    }
}

/// `T` → `Box<T>`, `Option<T>` → `Option<Box<T>>`.
fn box_inline(ty: RustType) -> RustType {
    match ty {
        RustType::Option(inner) => RustType::Option(Box::new(box_inline(*inner))),
        RustType::Box(_) => ty,
        other => RustType::Box(Box::new(other)),
    }
}

/// `Eq` and `Hash` hold for a type unless a float or a JSON value sits
/// somewhere inside it, or a map when the map type is not `BTreeMap`
/// (`maps_hash` false: `HashMap` and `IndexMap` are not `Hash`). Computed
/// as a fixpoint so recursive types work.
pub(crate) fn compute_eq_hash(space: &mut TypeSpace, maps_hash: bool) {
    fn ty_ok(space: &TypeSpace, ty: &RustType, maps_hash: bool) -> bool {
        let here = match ty {
            RustType::String | RustType::Bool | RustType::Int { .. } | RustType::Null => true,
            RustType::Float { .. } | RustType::Value | RustType::ValueExcept(_) => false,
            // A user's type, unless they said it is `Eq` and `Hash`.
            RustType::External(path) => space.eq_hash_externals.contains(path),
            RustType::Named(id) => space.get(*id).eq_hash,
            RustType::Map(_) => maps_hash,
            // Decided by what they hold.
            RustType::Vec(_)
            | RustType::Set(_)
            | RustType::Option(_)
            | RustType::Box(_)
            | RustType::Tuple(_) => true,
        };
        let mut inside = true;
        ty.for_each_inner(|inner, _| inside &= ty_ok(space, inner, maps_hash));
        here && inside
    }
    loop {
        let mut changed = false;
        for i in 0..space.types.len() {
            if !space.types[i].eq_hash {
                continue;
            }
            let ok = match &space.types[i].kind {
                TypeKind::Struct(s) => {
                    s.fields.iter().all(|f| ty_ok(space, &f.value, maps_hash))
                        && s.extra
                            .as_ref()
                            .is_none_or(|(_, t)| ty_ok(space, t, maps_hash))
                }
                // Unit variants, whatever JSON they stand for.
                TypeKind::Const(_) | TypeKind::Enum(_) | TypeKind::Literals(_) => true,
                // The catch-all variant holds a JSON value.
                TypeKind::Union(_) => false,
                TypeKind::Untagged(u) => u.variants.iter().all(|v| ty_ok(space, &v.ty, maps_hash)),
                TypeKind::Tuple(t) => t.items.iter().all(|ty| ty_ok(space, ty, maps_hash)),
                TypeKind::Alias(t) | TypeKind::Newtype(t) => ty_ok(space, t, maps_hash),
            };
            if !ok {
                space.types[i].eq_hash = false;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
}

/// A field whose type takes more than this many bytes inline is boxed.
pub(crate) const FIELD_INLINE_LIMIT: usize = 512;
/// A struct, tuple or union variant larger than this has its largest
/// fields boxed until it is not.
pub(crate) const TYPE_INLINE_LIMIT: usize = 4096;

/// Keeps every generated type small enough to live on a thread's stack.
/// Deserializing a struct keeps a few copies of it on the stack (more in a
/// debug build), and a large schema can nest wide objects inline into
/// hundreds of kilobytes: a one-key document then overflows a 2 MiB tokio
/// worker. Sizes are estimated from the model (64-bit layouts, an upper
/// bound for enums); a field whose type is over [`FIELD_INLINE_LIMIT`] is
/// boxed, and a type still over [`TYPE_INLINE_LIMIT`] has its largest
/// fields boxed until it is under. Children are sized before parents, so
/// a parent sees its children already boxed. Fields with a `default`
/// are left alone (their default functions return the plain type), and so
/// are the fields of tagged-union members (the union's dispatch reads them
/// with their schema types); their own fields' types are boxed as usual.
pub(crate) fn box_large_fields(space: &mut TypeSpace) {
    let n = space.types.len();
    let mut sizes: Vec<Option<usize>> = vec![None; n];
    // The members of tagged unions are read field by field by the union's
    // own dispatch (shared between members read alike): their fields keep
    // their types.
    let mut fixed = vec![false; n];
    for def in &space.types {
        if let TypeKind::Union(u) = &def.kind {
            for variant in &u.variants {
                fixed[variant.ty.0] = true;
            }
        }
    }
    for id in 0..n {
        size_of_type(space, id, &mut sizes, &fixed, 0);
    }
}

/// The estimated size of the type `id`, boxing its large fields first.
fn size_of_type(
    space: &mut TypeSpace,
    id: usize,
    sizes: &mut Vec<Option<usize>>,
    fixed: &[bool],
    depth: usize,
) -> usize {
    if let Some(size) = sizes[id] {
        return size;
    }
    // A cycle held inline was boxed already; past this depth, guess.
    if depth > 256 {
        return 64;
    }
    sizes[id] = Some(8);
    // The slots of the type that can take a `Box`, with their sizes.
    let slots: Vec<(usize, RustType, bool)> = match &space.types[id].kind {
        TypeKind::Struct(s) => s
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| (i, f.value.clone(), f.default().is_none()))
            .collect(),
        TypeKind::Untagged(u) => u
            .variants
            .iter()
            .enumerate()
            .map(|(i, v)| (i, v.ty.clone(), true))
            .collect(),
        TypeKind::Tuple(t) => t
            .items
            .iter()
            .enumerate()
            .map(|(i, ty)| (i, ty.clone(), true))
            .collect(),
        TypeKind::Newtype(ty) | TypeKind::Alias(ty) => vec![(0, ty.clone(), true)],
        TypeKind::Union(u) => {
            let variants: Vec<usize> = u.variants.iter().map(|v| v.ty.0).collect();
            let largest = variants
                .into_iter()
                .map(|v| size_of_type(space, v, sizes, fixed, depth + 1))
                .max()
                .unwrap_or(0);
            let size = largest.max(48) + 16;
            sizes[id] = Some(size);
            return size;
        }
        // Unit variants; an open enum keeps a `String` too.
        TypeKind::Enum(e) if e.open.is_some() => {
            sizes[id] = Some(32);
            return 32;
        }
        TypeKind::Const(_) | TypeKind::Enum(_) | TypeKind::Literals(_) => {
            sizes[id] = Some(8);
            return 8;
        }
    };
    let mut measured: Vec<(usize, usize, bool)> = slots
        .iter()
        .map(|(i, ty, boxable)| {
            let boxable = *boxable && !fixed[id];
            (*i, size_of_ty(space, ty, sizes, fixed, depth + 1), boxable)
        })
        .collect();
    let alias = matches!(space.types[id].kind, TypeKind::Alias(_));
    let mut to_box: Vec<usize> = Vec::new();
    if !alias {
        for (i, size, boxable) in &mut measured {
            if *boxable && *size > FIELD_INLINE_LIMIT {
                to_box.push(*i);
                *size = 8;
            }
        }
        let mut total: usize = measured.iter().map(|(_, s, _)| *s).sum();
        if total > TYPE_INLINE_LIMIT {
            let mut by_size: Vec<usize> = (0..measured.len()).collect();
            by_size.sort_by_key(|k| std::cmp::Reverse(measured[*k].1));
            for k in by_size {
                let (i, size, boxable) = measured[k];
                if total <= TYPE_INLINE_LIMIT || size <= 8 {
                    break;
                }
                if boxable {
                    to_box.push(i);
                    total -= size - 8;
                    measured[k].1 = 8;
                }
            }
        }
    }
    for i in to_box {
        let slot = match &mut space.types[id].kind {
            TypeKind::Struct(s) => &mut s.fields[i].value,
            TypeKind::Untagged(u) => &mut u.variants[i].ty,
            TypeKind::Tuple(t) => &mut t.items[i],
            TypeKind::Newtype(ty) => ty,
            _ => continue,
        };
        let ty = std::mem::replace(slot, RustType::Value);
        *slot = box_inline(ty);
    }
    let size = match &space.types[id].kind {
        TypeKind::Struct(s) => {
            // An `Option` around each optional field, the extra map.
            measured.iter().map(|(_, s, _)| s + 8).sum::<usize>()
                + if s.extra.is_some() { 24 } else { 0 }
        }
        TypeKind::Untagged(_) => measured.iter().map(|(_, s, _)| *s).max().unwrap_or(0) + 8,
        _ => measured.iter().map(|(_, s, _)| *s).sum(),
    };
    sizes[id] = Some(size);
    size
}

/// The estimated inline size of a type reference.
fn size_of_ty(
    space: &mut TypeSpace,
    ty: &RustType,
    sizes: &mut Vec<Option<usize>>,
    fixed: &[bool],
    depth: usize,
) -> usize {
    match ty {
        RustType::Bool | RustType::Null => 1,
        RustType::Int { bits, .. } => usize::from(*bits / 8).max(1),
        RustType::Float { bits } => usize::from(*bits / 8),
        RustType::String | RustType::Vec(_) | RustType::Set(_) | RustType::Map(_) => 24,
        RustType::Box(_) => 8,
        // `serde_json::Value` with ordered maps.
        RustType::Value | RustType::ValueExcept(_) => 80,
        RustType::External(_) => 64,
        RustType::Option(inner) => size_of_ty(space, inner, sizes, fixed, depth) + 8,
        RustType::Tuple(items) => items
            .iter()
            .map(|t| size_of_ty(space, t, sizes, fixed, depth))
            .sum(),
        RustType::Named(id) => size_of_type(space, id.0, sizes, fixed, depth),
    }
}

/// Every type id `def` refers to: the named types in its fields, variants
/// and items, its union members, and enum types its defaults name.
fn referenced_ids(def: &TypeDef, out: &mut Vec<usize>) {
    fn in_ty(ty: &RustType, out: &mut Vec<usize>) {
        if let RustType::Named(id) = ty {
            out.push(id.0);
        }
        ty.for_each_inner(|inner, _| in_ty(inner, out));
    }
    fn in_default(value: &DefaultValue, out: &mut Vec<usize>) {
        match value {
            DefaultValue::Variant(id, _) => out.push(id.0),
            DefaultValue::Some(inner) => in_default(inner, out),
            DefaultValue::List(items) => items.iter().for_each(|i| in_default(i, out)),
            DefaultValue::Map(entries) => entries.iter().for_each(|(_, v)| in_default(v, out)),
            DefaultValue::Str(_)
            | DefaultValue::Int(_)
            | DefaultValue::Float(_)
            | DefaultValue::Bool(_)
            | DefaultValue::Const
            | DefaultValue::Null => {}
        }
    }
    match &def.kind {
        TypeKind::Struct(s) => {
            for field in &s.fields {
                in_ty(&field.value, out);
                if let Some(default) = field.default() {
                    in_default(default, out);
                }
            }
            if let Some((_, ty)) = &s.extra {
                in_ty(ty, out);
            }
        }
        TypeKind::Union(u) => {
            out.extend(u.variants.iter().map(|v| v.ty.0));
            for field in u.common.iter().chain(&u.envelope) {
                in_ty(&field.ty, out);
            }
        }
        TypeKind::Untagged(u) => u.variants.iter().for_each(|v| in_ty(&v.ty, out)),
        TypeKind::Tuple(t) => t.items.iter().for_each(|ty| in_ty(ty, out)),
        TypeKind::Alias(ty) | TypeKind::Newtype(ty) => in_ty(ty, out),
        TypeKind::Const(_) | TypeKind::Enum(_) | TypeKind::Literals(_) => {}
    }
}

/// Keeps only the types reachable from `roots` (in their order), every
/// type id renumbered. Returns the new id of each old one (`None` for the
/// types dropped).
pub(crate) fn keep_reachable(space: &mut TypeSpace, roots: &[TypeId]) -> Vec<Option<TypeId>> {
    let n = space.types.len();
    let mut keep = vec![false; n];
    let mut pending: Vec<usize> = roots.iter().map(|r| r.0).collect();
    while let Some(id) = pending.pop() {
        if std::mem::replace(&mut keep[id], true) {
            continue;
        }
        referenced_ids(&space.types[id], &mut pending);
    }
    let mut map = vec![None; n];
    let mut next = 0;
    for (old, kept) in keep.iter().enumerate() {
        if *kept {
            map[old] = Some(TypeId(next));
            next += 1;
        }
    }
    let renumber =
        |id: &mut TypeId| *id = map[id.0].expect("a kept type refers only to kept types");
    fn in_ty(ty: &mut RustType, renumber: &dyn Fn(&mut TypeId)) {
        match ty {
            RustType::Named(id) => renumber(id),
            other => other.for_each_inner_mut(|inner| in_ty(inner, renumber)),
        }
    }
    fn in_default(value: &mut DefaultValue, renumber: &dyn Fn(&mut TypeId)) {
        match value {
            DefaultValue::Variant(id, _) => renumber(id),
            DefaultValue::Some(inner) => in_default(inner, renumber),
            DefaultValue::List(items) => items.iter_mut().for_each(|i| in_default(i, renumber)),
            DefaultValue::Map(entries) => entries
                .iter_mut()
                .for_each(|(_, v)| in_default(v, renumber)),
            _ => {}
        }
    }
    let types = std::mem::take(&mut space.types);
    for (old, mut def) in types.into_iter().enumerate() {
        if !keep[old] {
            continue;
        }
        def.for_each_type_mut(&mut |ty| in_ty(ty, &renumber));
        match &mut def.kind {
            TypeKind::Struct(s) => {
                for field in &mut s.fields {
                    match &mut field.presence {
                        Presence::Defaulted(d) | Presence::OptionalWithDefault(d) => {
                            in_default(d, &renumber)
                        }
                        _ => {}
                    }
                }
            }
            TypeKind::Union(u) => u.variants.iter_mut().for_each(|v| renumber(&mut v.ty)),
            _ => {}
        }
        space.types.push(def);
    }
    map
}
