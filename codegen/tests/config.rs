//! The build-script API.

use schemaweave::{Config, Error};

#[test]
fn compile_writes_only_into_the_output_directory() {
    let root = std::env::temp_dir().join(format!("codegen-config-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let schema = root.join("schema");
    std::fs::create_dir_all(&schema).unwrap();
    std::fs::write(
        schema.join("a.json"),
        r#"{"$defs": {"A": {"type": "object", "properties": {"x": {"type": "boolean"}}}}}"#,
    )
    .unwrap();
    let out = root.join("out");
    let path = Config::new()
        .out_dir(&out)
        .emit_rerun_if_changed(false)
        .compile(&schema, "types.rs")
        .unwrap();
    assert_eq!(path, out.join("types.rs"));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("//   schema/a.json\n"), "{text}");
    assert!(text.contains("pub struct A {"), "{text}");
    // Nothing else appeared beside the schema.
    let mut entries: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    entries.sort();
    assert_eq!(entries, ["out", "schema"]);

    std::fs::write(schema.join("a.json"), r#"{"$defs": {"A": {"type": 3}}}"#).unwrap();
    let err = Config::new()
        .out_dir(&out)
        .emit_rerun_if_changed(false)
        .compile(&schema, "types.rs")
        .unwrap_err();
    assert!(matches!(err, Error::Schema(_)));
    assert!(
        err.to_string().contains("schema/a.json#/$defs/A/type"),
        "{err}"
    );
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn output_does_not_depend_on_how_the_input_path_is_spelled() {
    let schema = concat!(env!("CARGO_MANIFEST_DIR"), "/../schema");
    let a = Config::new().generate(schema).unwrap();
    let b = Config::new()
        .generate(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../codegen/../schema/"
        ))
        .unwrap();
    assert_eq!(a.code, b.code);
    assert_eq!(a.sources, b.sources);
    assert!(
        a.sources.iter().all(|s| s.starts_with("schema/")),
        "{:?}",
        a.sources
    );
}

#[test]
fn the_runtime_path_replaces_every_path_into_the_runtime() {
    let schema = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/cases/tagged_union.json"
    );
    let default = Config::new().generate(schema).unwrap().code;
    assert!(
        default.contains("::schemaweave_runtime::union::"),
        "{default}"
    );
    assert!(default.contains("\"::schemaweave_runtime::deserialize_present\""));
    let mut config = Config::new();
    config.runtime_path("crate::rt").unwrap();
    let code = config.generate(schema).unwrap().code;
    assert!(!code.contains("schemaweave_runtime"), "{code}");
    assert!(code.contains("crate::rt::union::"), "{code}");
    assert!(
        code.contains("\"crate::rt::deserialize_present\""),
        "{code}"
    );
    // Only the paths changed (lines are formatted to their new length,
    // which can add trailing commas).
    let squeezed = |text: &str| text.replace(',', "").split_whitespace().collect::<String>();
    assert!(
        squeezed(&code.replace("crate::rt::", "::schemaweave_runtime::")) == squeezed(&default),
        "more than the runtime's paths changed"
    );
    for bad in ["", "crate::", "a b", "1x"] {
        let err = Config::new().runtime_path(bad).unwrap_err().to_string();
        assert!(err.contains("not a Rust path"), "{bad}: {err}");
    }
}
