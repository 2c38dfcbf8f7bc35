//! Recursion: cycles, boxing, long chains.

use super::*;

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
    assert_eq!(node.fields[0].ty(), RustType::Box(Box::new(named.clone())));
    assert_eq!(
        node.fields[1].ty(),
        RustType::Option(Box::new(RustType::Box(Box::new(named.clone()))))
    );
    assert_eq!(
        node.fields[2].ty(),
        RustType::Option(Box::new(RustType::Vec(Box::new(named))))
    );
    let TypeKind::Struct(other) = &find(&out.space, "Other").kind else {
        panic!()
    };
    // The cycle Node → Other → Node is broken once, at the field that closes it.
    assert!(
        matches!(&other.fields[0].ty(), RustType::Option(inner) if matches!(**inner, RustType::Box(_)))
    );
    assert!(
        matches!(&node.fields[3].ty(), RustType::Option(inner) if matches!(**inner, RustType::Named(_)))
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
