//! Unions: tagged, untagged, open enums.

use super::*;

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
