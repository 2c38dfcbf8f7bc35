//! The loader: paths, references, confinement, base URIs.

use super::*;
#[cfg(feature = "yaml")]
use crate::yaml::yaml_to_json;
use serde_json::json;

#[test]
fn relative_paths_are_normalized() {
    assert_eq!(
        join_relative("schema/events/a.json", "../common.json").as_deref(),
        Some("schema/common.json")
    );
    assert_eq!(
        join_relative("schema/a.json", "./b/c.json").as_deref(),
        Some("schema/b/c.json")
    );
    assert_eq!(
        join_relative("a.json", "../x.json").as_deref(),
        Some("../x.json")
    );
}

#[test]
fn resolves_local_pointers_and_reports_missing_targets() {
    let set = SchemaSet::from_documents([(
        "s.json".to_string(),
        json!({"$defs": {"a/b": {"type": "string"}, "X": {"$ref": "#/$defs/a~1b"}}}),
    )])
    .unwrap();
    let from = NodeRef {
        file: "s.json".into(),
        pointer: "/$defs/X".into(),
    };
    let target = set.resolve(&from, "#/$defs/a~1b").unwrap();
    assert_eq!(target.pointer, "/$defs/a~1b");
    assert_eq!(set.get(&target), Some(&json!({"type": "string"})));
    let err = set.resolve(&from, "#/$defs/missing").unwrap_err();
    assert!(err.contains("s.json#/$defs/missing"), "{err}");
    assert!(set
        .resolve(&from, "#anchor")
        .unwrap_err()
        .contains("anchor"));
    assert!(set
        .resolve(&from, "https://example.com/s.json")
        .unwrap_err()
        .contains("absolute URI"));
}

#[cfg(feature = "yaml")]
#[test]
fn yaml_becomes_json() {
    let value =
        yaml_to_json("a:\n  200: {x: 1.5}\n  big: -9223372036854776000\n  list: [true, ~, 's']\n")
            .unwrap();
    assert_eq!(
        value,
        json!({"a": {"200": {"x": 1.5}, "big": -9.223372036854776e18, "list": [true, null, "s"]}})
    );
    assert_eq!(
        yaml_to_json("a: &x 1\nb: *x\n").unwrap(),
        json!({"a": 1, "b": 1})
    );
    assert!(yaml_to_json("a: [")
        .unwrap_err()
        .starts_with("not valid YAML"));
}

#[test]
fn a_ref_key_in_instance_data_is_data() {
    let dir = std::env::temp_dir().join(format!("codegen-data-refs-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("schema")).unwrap();
    let schema = json!({
        "$defs": {
            "Link": {
                "type": "object",
                "properties": {"$ref": {"type": "string"}, "next": {"$ref": "other.json"}},
                "default": {"$ref": "nowhere.json"},
                "examples": [{"$ref": "../../outside.json"}]
            },
            "Fixed": {"const": {"$ref": "fixed.json"}},
            "Choice": {"enum": [{"$ref": "a.json"}, 1]}
        },
        // Unknown keywords may hold schemas: still followed.
        "x-bundle": {"Other": {"$ref": "bundled.json"}}
    });
    std::fs::write(dir.join("schema/s.json"), schema.to_string()).unwrap();
    std::fs::write(dir.join("schema/other.json"), "{}").unwrap();
    std::fs::write(dir.join("schema/bundled.json"), "{}").unwrap();
    let set = SchemaSet::load(&dir.join("schema/s.json")).unwrap();
    assert_eq!(
        set.files().collect::<Vec<_>>(),
        ["bundled.json", "other.json", "s.json"]
    );
    // An OpenAPI document's `responses.default` is no instance data.
    std::fs::write(
        dir.join("schema/api.json"),
        json!({"openapi": "3.1.0", "paths": {"/": {"get": {"responses": {"default": {"$ref": "resp.json"}}}}}})
            .to_string(),
    )
    .unwrap();
    let err = SchemaSet::load(&dir.join("schema/api.json"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("`$ref` points to resp.json"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn references_are_resolved_against_the_base_uri_before_files() {
    // Per-kind schemas that refer to a shared file by an absolute path
    // of their `$id`'s site, the shared file declaring its own `$id`
    // in another spelling of the same URI.
    let dir = std::env::temp_dir().join(format!("codegen-base-uri-{}", std::process::id()));
    let schemas = dir.join("schemas");
    std::fs::create_dir_all(&schemas).unwrap();
    std::fs::write(
        schemas.join("defs.json"),
        json!({"$id": "HTTPS://Example.COM:443/schemas/defs.json", "$defs": {"Meta": {"type": "string"}}}).to_string(),
    )
    .unwrap();
    std::fs::write(
        schemas.join("kind.json"),
        json!({"$id": "https://example.com/schemas/kind.json", "properties": {
            "a": {"$ref": "/schemas/defs.json#/$defs/Meta"},
            "b": {"$ref": "defs.json#/$defs/Meta"}
        }})
        .to_string(),
    )
    .unwrap();
    let set = SchemaSet::load(&schemas).unwrap();
    let from = NodeRef {
        file: "schemas/kind.json".into(),
        pointer: "/properties/a".into(),
    };
    for reference in [
        "/schemas/defs.json#/$defs/Meta",
        "defs.json#/$defs/Meta",
        "https://example.com/schemas/defs.json#/$defs/Meta",
    ] {
        let target = set.resolve(&from, reference).unwrap();
        assert_eq!(target.file, "schemas/defs.json", "{reference}");
        assert_eq!(target.pointer, "/$defs/Meta", "{reference}");
    }
    // The kind alone: its shared file is still found as a file.
    let set = SchemaSet::load(&schemas.join("kind.json")).unwrap();
    assert_eq!(set.files().collect::<Vec<_>>(), ["defs.json", "kind.json"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn uris_compare_after_normalisation() {
    use crate::ids::normalize;
    assert_eq!(normalize("HTTPS://Example.COM:443"), "https://example.com/");
    assert_eq!(normalize("http://a.b:80/x?q"), "http://a.b/x?q");
    assert_eq!(normalize("http://a.b:8080/X"), "http://a.b:8080/X");
    assert_eq!(normalize("urn:Example:x"), "urn:Example:x");
    assert_eq!(normalize("file:///schema/a.json"), "file:///schema/a.json");
}

#[test]
fn percent_encoded_fragments_are_decoded() {
    assert_eq!(percent_decode("/$defs/a%20b"), "/$defs/a b");
    assert_eq!(percent_decode("/x%"), "/x%");
}

#[test]
fn a_root_that_is_not_an_object_is_a_located_error() {
    let err = SchemaSet::from_documents([("s.json".to_string(), json!([1, 2]))]).unwrap_err();
    assert!(
        err.to_string()
            .contains("s.json#: the document root must be"),
        "{err}"
    );
}

#[test]
fn loads_a_directory_and_follows_file_refs() {
    let dir = std::env::temp_dir().join(format!("codegen-load-{}", std::process::id()));
    let schema = dir.join("schema");
    std::fs::create_dir_all(schema.join("events")).unwrap();
    std::fs::write(
        schema.join("events/a.json"),
        r#"{"$defs": {"A": {"$ref": "../common.json#/$defs/C"}}}"#,
    )
    .unwrap();
    std::fs::write(
        schema.join("common.json"),
        r#"{"$defs": {"C": {"type": "string"}}}"#,
    )
    .unwrap();
    std::fs::write(schema.join("notes.txt"), "not a schema").unwrap();
    let set = SchemaSet::load(&schema).unwrap();
    assert_eq!(
        set.entries(),
        ["schema/common.json", "schema/events/a.json"]
    );
    assert_eq!(
        set.files().collect::<Vec<_>>(),
        ["schema/common.json", "schema/events/a.json"]
    );
    std::fs::write(
        schema.join("events/a.json"),
        r#"{"$defs": {"A": {"$ref": "../missing.json"}}}"#,
    )
    .unwrap();
    let err = SchemaSet::load(&schema).unwrap_err().to_string();
    assert!(
        err.contains("schema/events/a.json#/$defs/A: `$ref` points to schema/missing.json"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
