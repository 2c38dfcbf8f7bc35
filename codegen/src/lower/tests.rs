//! Unit tests of lowering, one construct each.

use super::scalars::integer_for_range;
use super::*;
use serde_json::json;

mod real_world;
mod recursion;
mod unions;

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
    assert_eq!(s.fields[0].ty(), RustType::String);
    assert_eq!(
        s.fields[1].ty(),
        RustType::Option(Box::new(RustType::Int {
            signed: true,
            bits: 32
        }))
    );
    let RustType::Named(data) = s.fields[2].ty() else {
        panic!("{:?}", s.fields[2].ty())
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
    assert_eq!(s.fields[0].ty(), opt(RustType::String));
    assert_eq!(s.fields[1].ty(), opt(RustType::I64));
    assert_eq!(s.fields[2].ty(), opt(RustType::Bool));
}

fn warnings(out: &Lowered) -> String {
    out.warnings
        .iter()
        .map(|w| w.to_string())
        .collect::<Vec<_>>()
        .join("\n")
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
        w.contains("s.json#/$defs/A/properties/x/frobnicate: unknown keyword `frobnicate` ignored"),
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
    assert_eq!(a.fields[0].ty(), opt(RustType::String));
    assert_eq!(a.fields[1].ty(), opt(RustType::Value));
    assert_eq!(a.fields[2].ty(), opt(RustType::String));
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
        (a.fields[1].name.as_str(), a.fields[1].ty()),
        ("nope", RustType::Value)
    );
}

#[test]
fn an_unknown_format_warns_and_keeps_the_base_type() {
    let out = lower_doc(json!({"$defs": {"A": {"type": "string", "format": "color"}}})).unwrap();
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
    let RustType::Option(inner) = a.fields[0].ty() else {
        panic!("{:?}", a.fields[0].ty())
    };
    let RustType::Named(c) = *inner else { panic!() };
    assert_eq!(out.space.get(c).name, "AC");
    assert!(matches!(out.space.get(c).kind, TypeKind::Struct(_)));
    let TypeKind::Alias(RustType::Option(n)) = &find(&out.space, "N").kind else {
        panic!()
    };
    let RustType::Named(n) = **n else { panic!() };
    assert_eq!(out.space.get(n).name, "NInner");
}

#[test]
fn the_member_of_a_nullable_union_is_lowered_where_it_is_written() {
    // Validation checks each type against the schema at its origin: a
    // type made from the member must point into the member, not at
    // `/properties/...` beside the `oneOf`, which does not exist.
    let out = lower_doc(json!({"$defs": {
        "A": {"type": "object", "properties": {
            "v": {"description": "A version, or null.", "oneOf": [
                {"type": "null"},
                {"type": "object", "properties": {"body": {"type": "object", "properties": {"x": {"type": "string"}}}}}
            ]}
        }}
    }}))
    .unwrap();
    let pointer = |name: &str| find(&out.space, name).origin.pointer.clone();
    assert_eq!(pointer("AV"), "/$defs/A/properties/v/oneOf/1");
    assert_eq!(
        pointer("AVBody"),
        "/$defs/A/properties/v/oneOf/1/properties/body"
    );
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
        let mut options = Options::default();
        options.switches.merge_absent_and_null = merge;
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
        let fields: Vec<(&str, RustType, bool)> = a
            .fields
            .iter()
            .map(|f| {
                (
                    f.name.as_str(),
                    f.ty(),
                    f.presence == Presence::OptionalNullApart,
                )
            })
            .collect();
        let apart = !merge;
        let twice = |t: RustType| if merge { t } else { opt(t) };
        assert_eq!(
            fields,
            [
                ("r", opt(RustType::String), false),
                ("o", twice(opt(RustType::String)), apart),
                // An alias of an `Option` is not one to serde: wrapped
                // either way, so that it may be absent.
                ("n", opt(n.clone()), apart),
                ("d", opt(RustType::String), false),
                ("p", opt(RustType::String), false),
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
        .map(|f| (f.name.as_str(), f.is_required()))
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
    assert_eq!(
        item.fields[2].ty(),
        RustType::Option(Box::new(RustType::I64))
    );
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
