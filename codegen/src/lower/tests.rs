//! Unit tests of lowering, one construct each.

use super::scalars::integer_for_range;
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
        .map(|v| (v.name.as_str(), v.tag.values()[0].as_str()))
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

#[test]
fn each_node_is_read_and_reported_once() {
    // Read through rewrites (`nullable`, a type list, a one-member `allOf`,
    // `anyOf` with null) and through `allOf`s sharing a member; no
    // diagnostic may repeat, and each points where its keyword is written.
    let out = lower_doc(json!({"$defs": {
        "Base": {"type": "object", "properties": {
            "p": {"type": "object", "properties": {"v": {"type": "string"}}, "odd": 1}
        }},
        "A": {"allOf": [{"$ref": "#/$defs/Base"}, {"properties": {"a": {"type": "string"}}}]},
        "B": {"allOf": [{"$ref": "#/$defs/Base"}, {"properties": {"b": {"type": "string"}}}]},
        "N": {"nullable": true, "$ref": "#/$defs/Base", "type": "object"},
        "L": {"type": ["string", "null"], "odd": 2},
        "S": {"allOf": [{"type": "string", "odd": 3}]},
        "Q": {"anyOf": [{"type": "string", "odd": 4}, {"type": "null"}]},
        // A discriminator that does not fit: lowered as a union first, then
        // untagged; each member once.
        "U": {"oneOf": [{"type": "string", "odd": 5}, {"$ref": "#/$defs/Base"}],
              "discriminator": {"propertyName": "kind"}},
        // A member requiring an undeclared property, merged into another.
        "R": {"type": "object", "properties": {}, "required": ["gone"]},
        "M": {"allOf": [{"$ref": "#/$defs/R"}, {"properties": {"m": {"type": "string"}}}]}
    }}))
    .unwrap();
    let lines: Vec<String> = out.warnings.iter().map(ToString::to_string).collect();
    let mut unique = lines.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), lines.len(), "{lines:#?}");
    // `odd` is written in five places, each read once: counted five times.
    assert!(
        lines.iter().any(|l| l
            == "s.json#/$defs/Base/properties/p/odd: unknown keyword `odd` ignored (5 places; this is the first)"),
        "{lines:#?}"
    );
    for at in [
        "s.json#/$defs/N/type: `type` beside `$ref`",
        "s.json#/$defs/R/required/0",
        "s.json#/$defs/M/allOf: required property `gone`",
    ] {
        assert_eq!(
            lines.iter().filter(|l| l.starts_with(at)).count(),
            1,
            "{at}: {lines:#?}"
        );
    }
    // The shared member's property has one type, used by both structs.
    let field = |name: &str| match &find(&out.space, name).kind {
        TypeKind::Struct(s) => s.fields[0].ty(),
        other => panic!("{other:?}"),
    };
    assert_eq!(field("A"), field("B"));
    assert_eq!(field("A"), field("Base"));
}

#[test]
fn unique_items_become_sets_only_when_asked_and_orderable() {
    let doc = json!({"$defs": {"A": {"type": "object", "properties": {
        "s": {"type": "array", "uniqueItems": true, "items": {"type": "string"}},
        "f": {"type": "array", "uniqueItems": true, "items": {"type": "number"}},
        "v": {"type": "array", "items": {"type": "string"}}
    }, "required": ["s", "f", "v"]}}});
    let set = SchemaSet::from_documents([("s.json".to_string(), doc)]).unwrap();
    let types = |unique_items_as_set| {
        let options = Options {
            unique_items_as_set,
            ..Options::default()
        };
        let out = lower_with(&set, &options).unwrap();
        let TypeKind::Struct(a) = &find(&out.space, "A").kind else {
            panic!()
        };
        let types: Vec<RustType> = a.fields.iter().map(Field::ty).collect();
        (types, warnings(&out))
    };
    let string = || Box::new(RustType::String);
    let float = || Box::new(RustType::Float { bits: 64 });
    let (off, quiet) = types(false);
    assert_eq!(
        off,
        [
            RustType::Vec(string()),
            RustType::Vec(float()),
            RustType::Vec(string())
        ]
    );
    assert!(!quiet.contains("uniqueItems"), "{quiet}");
    let (on, warned) = types(true);
    assert_eq!(
        on,
        [
            RustType::Set(string()),
            RustType::Vec(float()),
            RustType::Vec(string())
        ]
    );
    assert!(
        warned.contains(
            "s.json#/$defs/A/properties/f/uniqueItems: `uniqueItems`: the items cannot be ordered"
        ),
        "{warned}"
    );
}

#[test]
fn unknown_keywords_warn_once_each_and_editor_hints_are_quiet() {
    let prop = || json!({"type": "string", "markdownDescription": "**x**", "frob": 1, "defaultSnippets": []});
    let out = lower_doc(json!({"$defs": {"A": {"type": "object", "properties": {
        "a": prop(), "b": prop(), "c": prop(), "d": {"type": "string", "zap": true}
    }}}}))
    .unwrap();
    let w = warnings(&out);
    assert_eq!(out.warnings.len(), 2, "{w}");
    assert!(
        w.contains("s.json#/$defs/A/properties/a/frob: unknown keyword `frob` ignored (3 places; this is the first)"),
        "{w}"
    );
    assert!(
        w.contains("s.json#/$defs/A/properties/d/zap: unknown keyword `zap` ignored"),
        "{w}"
    );
    assert!(
        !w.contains("markdownDescription") && !w.contains("defaultSnippets"),
        "{w}"
    );
}

#[test]
fn properties_beside_alternatives_that_only_add_are_one_struct() {
    let out = lower_doc(json!({"$defs": {"Step": {
        "type": "object",
        "properties": {"name": {"type": "string"}},
        "required": ["name"],
        "anyOf": [
            {"properties": {"uses": {"type": "string"}}, "required": ["uses"]},
            {"properties": {"run": {"type": "string"}, "name": {"type": "integer"}}, "required": ["run"]}
        ]
    }}}))
    .unwrap();
    let TypeKind::Struct(step) = &find(&out.space, "Step").kind else {
        panic!("{:?}", find(&out.space, "Step").kind)
    };
    let fields: Vec<(&str, bool)> = step
        .fields
        .iter()
        .map(|f| (f.json_name.as_str(), f.is_required()))
        .collect();
    // The object's own `name` wins over a member's; members' properties
    // are optional.
    assert_eq!(fields, [("name", true), ("uses", false), ("run", false)]);
    assert_eq!(step.fields[0].value, RustType::String);
    assert!(warnings(&out)
        .contains("s.json#/$defs/Step/anyOf: the alternatives of this `anyOf` only add"));
    // Alternatives that are not objects stay a union.
    let out = lower_doc(json!({"$defs": {"U": {
        "type": "object", "properties": {"a": {"type": "string"}},
        "oneOf": [{"type": "string"}, {"required": ["a"]}]
    }}}))
    .unwrap();
    assert!(matches!(find(&out.space, "U").kind, TypeKind::Untagged(_)));
}

#[test]
fn identical_inline_schemas_are_one_type_named_by_title() {
    let repo = || json!({"title": "Repository", "type": "object", "properties": {"id": {"type": "integer"}}});
    let out = lower_doc(json!({"$defs": {
        "Push": {"type": "object", "properties": {"repository": repo(), "owner": {"type": "object", "properties": {"login": {"type": "string"}}}}},
        "Star": {"type": "object", "properties": {"repository": repo(), "sender": {"type": "object", "properties": {"login": {"type": "string"}}}}},
        // Same structure, other docs: another type.
        "Fork": {"type": "object", "properties": {"repository": {"title": "Repository", "description": "The fork.", "type": "object", "properties": {"id": {"type": "integer"}}}}},
        // Two definitions with the same schema keep their own names.
        "A": {"type": "object", "properties": {"x": {"type": "string"}}},
        "B": {"type": "object", "properties": {"x": {"type": "string"}}}
    }}))
    .unwrap();
    let field = |owner: &str, i: usize| match &find(&out.space, owner).kind {
        TypeKind::Struct(s) => match s.fields[i].value {
            RustType::Named(id) => out.space.get(id).name.clone(),
            ref other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    };
    assert_eq!(field("Push", 0), "Repository");
    assert_eq!(field("Star", 0), "Repository");
    // Untitled: named where it first occurs.
    assert_eq!(field("Push", 1), "PushOwner");
    assert_eq!(field("Star", 1), "PushOwner");
    assert_eq!(field("Fork", 0), "Repository2");
    assert!(matches!(find(&out.space, "A").kind, TypeKind::Struct(_)));
    assert!(matches!(find(&out.space, "B").kind, TypeKind::Struct(_)));
}

#[test]
fn a_meta_schema_reference_is_any_json_with_a_warning() {
    let out = lower_doc(json!({"$defs": {"Tool": {"type": "object", "properties": {
        "input_schema": {"$ref": "https://json-schema.org/draft/2020-12/schema"},
        "old": {"$ref": "http://json-schema.org/draft-07/schema#"}
    }}}}))
    .unwrap();
    let TypeKind::Struct(tool) = &find(&out.space, "Tool").kind else {
        panic!()
    };
    assert!(tool.fields.iter().all(|f| f.value == RustType::Value));
    assert!(warnings(&out).contains("s.json#/$defs/Tool/properties/input_schema/$ref: `$ref` \"https://json-schema.org/draft/2020-12/schema\" is a JSON Schema meta-schema"));
    // Any other absolute URI the input does not define is still an error.
    assert!(
        errors(json!({"$defs": {"A": {"$ref": "https://example.com/schema"}}}))
            .contains("absolute URI")
    );
}
