//! One test per classification of `diff`, the two cases the keyword
//! roles misjudged first.

use super::*;
use serde_json::json;

/// The changes between two versions of the definition `T` (with `U`
/// beside it when given), generated with `config`.
fn changes_with(config: &Config, old: Value, new: Value) -> Vec<(String, String, Impact)> {
    let set = |t: Value| {
        SchemaSet::from_documents([("s.json".to_string(), json!({"$defs": {"T": t}}))]).unwrap()
    };
    compare_types(&set(old), &set(new), config, "old", "new")
        .unwrap()
        .changes
        .into_iter()
        .map(|c| (c.path, c.what, c.impact))
        .collect()
}

fn changes(old: Value, new: Value) -> Vec<(String, String, Impact)> {
    changes_with(&Config::default(), old, new)
}

fn impacts(found: &[(String, String, Impact)]) -> Vec<Impact> {
    found.iter().map(|c| c.2).collect()
}

fn object(required: &[&str], properties: Value) -> Value {
    json!({"type": "object", "required": required, "properties": properties})
}

#[test]
fn a_range_that_widens_an_integer_is_a_type_change() {
    // The case the keyword roles got wrong: `maximum` picks the width.
    let found = changes(
        object(
            &["n"],
            json!({"n": {"type": "integer", "minimum": 0, "maximum": 200}}),
        ),
        object(
            &["n"],
            json!({"n": {"type": "integer", "minimum": 0, "maximum": 300}}),
        ),
    );
    assert_eq!(
        found,
        [(
            "n".into(),
            "type changed from `u8` to `u16`".into(),
            Impact::Breaking
        )]
    );
    // Within the same width: validation only.
    let found = changes(
        object(
            &["n"],
            json!({"n": {"type": "integer", "minimum": 0, "maximum": 20}}),
        ),
        object(
            &["n"],
            json!({"n": {"type": "integer", "minimum": 0, "maximum": 30}}),
        ),
    );
    assert_eq!(
        found,
        [(
            "n".into(),
            "`maximum` changed from 20 to 30".into(),
            Impact::Validation
        )]
    );
}

#[test]
fn unique_items_changes_the_type_only_when_the_option_says_so() {
    let old = object(
        &["s"],
        json!({"s": {"type": "array", "items": {"type": "string"}}}),
    );
    let new = object(
        &["s"],
        json!({"s": {"type": "array", "items": {"type": "string"}, "uniqueItems": true}}),
    );
    // Default options: still `Vec<String>`.
    assert_eq!(
        changes(old.clone(), new.clone()),
        [(
            "s".into(),
            "`uniqueItems` changed from absent to true".into(),
            Impact::Validation
        )]
    );
    let mut config = Config::default();
    config.unique_items_as_set(true);
    assert_eq!(
        changes_with(&config, old, new),
        [(
            "s".into(),
            "type changed from `Vec<String>` to `BTreeSet<String>`".into(),
            Impact::Breaking
        )]
    );
}

#[test]
fn min_items_that_turns_a_tuple_into_a_tuple_struct_is_breaking() {
    let tuple = |min: u64| {
        object(
            &["p"],
            json!({"p": {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}], "items": false, "minItems": min}}),
        )
    };
    let found = changes(tuple(2), tuple(1));
    assert_eq!(impacts(&found), [Impact::Breaking], "{found:?}");
    assert!(
        found[0]
            .1
            .starts_with("type changed from `(String, i64)` to `T"),
        "{found:?}"
    );
}

#[test]
fn fields_added_removed_and_required() {
    let old = object(
        &["a", "b"],
        json!({"a": {"type": "string"}, "b": {"type": "string"}, "c": {"type": "string"}}),
    );
    let new = object(
        &["a", "c", "d"],
        json!({"a": {"type": "string"}, "c": {"type": "string"}, "d": {"type": "integer"}, "e": {"type": "boolean"}}),
    );
    let found = changes(old, new);
    let summary: Vec<(&str, &str)> = found
        .iter()
        .filter(|c| c.2 != Impact::Validation)
        .map(|(p, w, _)| (p.as_str(), w.split(' ').next().unwrap()))
        .collect();
    assert_eq!(
        summary,
        [
            ("b", "field"),
            ("c", "now"),
            ("d", "required"),
            ("e", "optional")
        ]
    );
    assert!(found.iter().all(|c| c.2 == Impact::Breaking), "{found:?}");
    assert!(found[2].1.contains("`d: i64`"), "{:?}", found[2]);
    assert!(
        found[1].1.contains("`Option<String>` becomes `String`"),
        "{:?}",
        found[1]
    );
}

#[test]
fn required_to_optional_is_breaking_and_to_defaulted_additive() {
    let req = object(&["a"], json!({"a": {"type": "string"}}));
    let opt = object(&[], json!({"a": {"type": "string"}}));
    let def = object(&[], json!({"a": {"type": "string", "default": "x"}}));
    assert_eq!(
        changes(req.clone(), opt),
        [(
            "a".into(),
            "now optional (`String` becomes `Option<String>`)".into(),
            Impact::Breaking
        )]
    );
    let found = changes(req.clone(), def.clone());
    assert!(found.contains(&(
        "a".into(),
        "now has a default (documents without it are accepted)".into(),
        Impact::Additive
    )));
    assert!(!impacts(&found).contains(&Impact::Breaking), "{found:?}");
    let found = changes(def.clone(), req);
    assert!(impacts(&found).contains(&Impact::Breaking), "{found:?}");
    let other = object(&[], json!({"a": {"type": "string", "default": "y"}}));
    assert!(changes(def, other)
        .iter()
        .any(|c| c.1.starts_with("default changed") && c.2 == Impact::Breaking));
}

#[test]
fn enum_values_added_are_additive_and_removed_breaking() {
    let found = changes(
        json!({"type": "string", "enum": ["a", "b"]}),
        json!({"type": "string", "enum": ["a", "c", "d"]}),
    );
    assert_eq!(
        found,
        [
            (
                "".into(),
                "enum values added: \"c\", \"d\"".into(),
                Impact::Additive
            ),
            (
                "".into(),
                "enum values removed: \"b\"".into(),
                Impact::Breaking
            ),
        ]
    );
    // A set of non-string values is exhaustive: an added value breaks
    // a `match`.
    let found = changes(json!({"enum": [1, 2]}), json!({"enum": [1, 2, 3]}));
    assert_eq!(
        found,
        [("".into(), "enum values added: 3".into(), Impact::Breaking)]
    );
}

#[test]
fn constants_and_kinds() {
    assert_eq!(
        changes(json!({"const": "a"}), json!({"const": "b"})),
        [(
            "".into(),
            "value changed from \"a\" to \"b\"".into(),
            Impact::Breaking
        )]
    );
    let found = changes(json!({"const": "a"}), json!({"enum": ["a", "b"]}));
    assert_eq!(
        found,
        [(
            "".into(),
            "type changed from constant `T` to enum `T`".into(),
            Impact::Breaking
        )]
    );
}

#[test]
fn docs_and_deprecation_are_docs() {
    let a = json!({"description": "One\ntwo.", "type": "string"});
    let b = json!({"description": "One two.", "type": "string"});
    assert!(changes(a.clone(), b).is_empty());
    let c = json!({"description": "Three.", "type": "string", "deprecated": true});
    assert_eq!(
        changes(a, c),
        [
            ("".into(), "description changed".into(), Impact::Docs),
            ("".into(), "now deprecated".into(), Impact::Docs)
        ]
    );
}

#[test]
fn validation_only_changes_need_no_bump() {
    let old = object(
        &["id"],
        json!({"id": {"type": "string", "maxLength": 10, "pattern": "^a"}}),
    );
    let new = object(
        &["id"],
        json!({"id": {"type": "string", "maxLength": 20, "not": {"const": "x"}}}),
    );
    let found = changes(old, new);
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(found.iter().all(|c| c.2 == Impact::Validation), "{found:?}");
    // A type change beside a validation change: the type change only.
    let found = changes(
        object(&["n"], json!({"n": {"type": "string", "maxLength": 10}})),
        object(&["n"], json!({"n": {"type": "integer", "maxLength": 20}})),
    );
    assert_eq!(
        found,
        [(
            "n".into(),
            "type changed from `String` to `i64`".into(),
            Impact::Breaking
        )]
    );
}

#[test]
fn closing_an_object_and_losing_eq_are_breaking() {
    let open = object(&[], json!({"a": {"type": "integer"}}));
    let closed = json!({"type": "object", "properties": {"a": {"type": "integer"}}, "additionalProperties": false});
    assert_eq!(
        changes(open.clone(), closed.clone()),
        [(
            "".into(),
            "unknown properties are now rejected".into(),
            Impact::Breaking
        )]
    );
    assert_eq!(
        changes(closed, open.clone()),
        [(
            "".into(),
            "unknown properties are now accepted".into(),
            Impact::Additive
        )]
    );
    let float = object(&[], json!({"a": {"type": "number"}}));
    let found = changes(open, float);
    assert!(found.contains(&(
        "".into(),
        "`T` no longer implements `Eq` and `Hash`".into(),
        Impact::Breaking
    )));
    assert!(found.contains(&(
        "a".into(),
        "type changed from `i64` to `f64`".into(),
        Impact::Breaking
    )));
}

#[test]
fn types_added_and_removed_and_equal_schemas() {
    let doc = |defs: Value| {
        SchemaSet::from_documents([("s.json".to_string(), json!({"$defs": defs}))]).unwrap()
    };
    let old = doc(json!({"A": {"type": "string"}, "B": {"type": "string"}}));
    let new = doc(json!({"A": {"type": "string"}, "C": {"type": "integer"}}));
    let report = compare_types(&old, &new, &Config::default(), "a", "b").unwrap();
    let found: Vec<(&str, &str, Impact, &str)> = report
        .changes
        .iter()
        .map(|c| {
            (
                c.event.as_str(),
                c.what.as_str(),
                c.impact,
                c.pointer.as_str(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("B", "type removed", Impact::Breaking, "s.json#/$defs/B"),
            ("C", "type added", Impact::Additive, "s.json#/$defs/C"),
        ]
    );
    assert_eq!(report.bump(), Bump::Major);
    let text = report.to_text(None);
    assert!(
        text.starts_with("Schema changes: a → b\n2 types → 2 types: 1 added, 1 removed, 0 changed"),
        "{text}"
    );
    let same = compare_types(&old, &old, &Config::default(), "a", "a").unwrap();
    assert!(same.changes.is_empty());
    assert_eq!(same.bump(), Bump::None);
}

#[test]
fn a_referenced_definition_reports_its_own_changes_once() {
    let doc = |width: &str| {
        SchemaSet::from_documents([(
            "s.json".to_string(),
            json!({"$defs": {
                "A": {"type": "object", "properties": {"b": {"$ref": "#/$defs/B"}}},
                "C": {"type": "object", "properties": {"b": {"$ref": "#/$defs/B"}}},
                "B": {"type": "object", "properties": {"n": {"type": width}}}
            }}),
        )])
        .unwrap()
    };
    let report = compare_types(
        &doc("string"),
        &doc("boolean"),
        &Config::default(),
        "a",
        "b",
    )
    .unwrap();
    let found: Vec<(&str, &str)> = report
        .changes
        .iter()
        .map(|c| (c.event.as_str(), c.path.as_str()))
        .collect();
    assert_eq!(found, [("B", "n")]);
}

#[test]
fn union_variants_added_are_additive() {
    let doc = |members: Value| {
        SchemaSet::from_documents([(
            "s.json".to_string(),
            json!({"$defs": {
                "U": {"oneOf": members},
                "A": {"type": "object", "required": ["t"], "properties": {"t": {"const": "a"}}},
                "B": {"type": "object", "required": ["t"], "properties": {"t": {"const": "b"}}}
            }}),
        )])
        .unwrap()
    };
    let old = doc(json!([{"$ref": "#/$defs/A"}]));
    let new = doc(json!([{"$ref": "#/$defs/A"}, {"$ref": "#/$defs/B"}]));
    let report = compare_types(&old, &new, &Config::default(), "a", "b").unwrap();
    let found: Vec<(&str, &str, Impact)> = report
        .changes
        .iter()
        .map(|c| (c.event.as_str(), c.what.as_str(), c.impact))
        .collect();
    assert_eq!(found, [("U", "variant added: `B` (b)", Impact::Additive)]);
    let back = compare_types(&new, &old, &Config::default(), "a", "b").unwrap();
    assert_eq!(back.bump(), Bump::Major);
}

#[test]
fn bumps_follow_cargo_rules_below_and_above_one() {
    let v = |s: &str| semver::Version::parse(s).unwrap();
    assert_eq!(Bump::Major.apply(&v("0.3.2")), v("0.4.0"));
    assert_eq!(Bump::Minor.apply(&v("0.3.2")), v("0.3.3"));
    assert_eq!(Bump::Patch.apply(&v("0.3.2")), v("0.3.3"));
    assert_eq!(Bump::Major.apply(&v("1.3.2")), v("2.0.0"));
    assert_eq!(Bump::Minor.apply(&v("1.3.2")), v("1.4.0"));
    assert_eq!(Bump::Patch.apply(&v("1.3.2")), v("1.3.3"));
    assert_eq!(Bump::None.apply(&v("1.3.2")), v("1.3.2"));
}
