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
/// somewhere inside it. Computed as a fixpoint so recursive types work.
pub(crate) fn compute_eq_hash(space: &mut TypeSpace) {
    fn ty_ok(space: &TypeSpace, ty: &RustType) -> bool {
        let here = match ty {
            RustType::String | RustType::Bool | RustType::Int { .. } | RustType::Null => true,
            RustType::Float { .. } | RustType::Value => false,
            // A user's type may not be `Eq` or `Hash`.
            RustType::External(_) => false,
            RustType::Named(id) => space.get(*id).eq_hash,
            // Decided by what they hold.
            RustType::Vec(_)
            | RustType::Set(_)
            | RustType::Option(_)
            | RustType::Map(_)
            | RustType::Box(_)
            | RustType::Tuple(_) => true,
        };
        let mut inside = true;
        ty.for_each_inner(|inner, _| inside &= ty_ok(space, inner));
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
                    s.fields.iter().all(|f| ty_ok(space, &f.value))
                        && s.extra.as_ref().is_none_or(|(_, t)| ty_ok(space, t))
                }
                // Unit variants, whatever JSON they stand for.
                TypeKind::Const(_) | TypeKind::Enum(_) | TypeKind::Literals(_) => true,
                // The catch-all variant holds a JSON value.
                TypeKind::Union(_) => false,
                TypeKind::Untagged(u) => u.variants.iter().all(|v| ty_ok(space, &v.ty)),
                TypeKind::Tuple(t) => t.items.iter().all(|ty| ty_ok(space, ty)),
                TypeKind::Alias(t) | TypeKind::Newtype(t) => ty_ok(space, t),
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
