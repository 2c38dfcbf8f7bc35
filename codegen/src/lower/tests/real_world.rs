//! Constructs of real-world schemas, and each node read once.

use super::*;

#[test]
fn each_node_is_read_and_reported_once() {
    // Read through rewrites (`nullable`, a type list, a one-member `allOf`,
    // `anyOf` with null) and through `allOf`s sharing a member; no
    // diagnostic may repeat, and each points where its keyword is written.
    // Draft-07: keywords beside `$ref` are ignored (with a warning).
    let out = lower_doc(
        json!({"$schema": "http://json-schema.org/draft-07/schema#", "$defs": {
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
        }}),
    )
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
        let mut options = Options::default();
        options.switches.unique_items_as_set = unique_items_as_set;
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

#[test]
fn a_requirement_is_reported_where_it_is_written() {
    // Beside alternatives: at the object's own `required`, never at an
    // `allOf` that is not there.
    let out = lower_doc(json!({"$defs": {"S": {
        "type": "object", "properties": {"a": {"type": "string"}}, "required": ["gone"],
        "oneOf": [{"required": ["a"]}]
    }}}))
    .unwrap();
    let w = warnings(&out);
    assert!(
        w.contains("s.json#/$defs/S/required/0: required property `gone` is not declared"),
        "{w}"
    );
    assert!(!w.contains("/allOf"), "{w}");
    // An inline `allOf` member is reported in place; one reached through
    // `$ref` (a type of its own) at the `allOf`, and by itself.
    let out = lower_doc(json!({"$defs": {
        "R": {"type": "object", "properties": {}, "required": ["far"]},
        "M": {"allOf": [{"$ref": "#/$defs/R"}, {"properties": {}, "required": ["near"]}]}
    }}))
    .unwrap();
    let w = warnings(&out);
    assert!(
        w.contains("s.json#/$defs/M/allOf/1/required/0: required property `near`"),
        "{w}"
    );
    assert!(w.contains("s.json#/$defs/M/allOf: required property `far` is not declared in `properties`: it becomes a `serde_json::Value` field (required at s.json#/$defs/R/required/0)"), "{w}");
    assert_eq!(out.warnings.len(), 3, "{w}");
    // A malformed `required` beside alternatives is a located error.
    assert!(errors(json!({"$defs": {"S": {
        "type": "object", "properties": {"a": {"type": "string"}}, "required": [1],
        "oneOf": [{"required": ["a"]}]
    }}}))
    .contains("s.json#/$defs/S/required: `required` must be an array of property names"));
}

#[test]
fn a_meta_schema_inside_all_of_is_any_json_with_a_warning() {
    let out = lower_doc(json!({"$defs": {
        "Extra": {"allOf": [
            {"$ref": "http://json-schema.org/draft-07/schema#"},
            {"properties": {"x": {"type": "string"}}}
        ]}
    }}))
    .unwrap();
    assert!(matches!(
        find(&out.space, "Extra").kind,
        TypeKind::Alias(RustType::Value)
    ));
    let warnings: Vec<String> = out.warnings.iter().map(ToString::to_string).collect();
    assert!(
        warnings.iter().any(
            |w| w.starts_with("s.json#/$defs/Extra/allOf/0/$ref:") && w.contains("meta-schema")
        ),
        "{warnings:?}"
    );
}
