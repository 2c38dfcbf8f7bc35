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

fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/cases")
        .join(name)
}

#[test]
fn a_selector_that_matches_nothing_is_an_error_naming_it() {
    let schema = fixture("customized.json");
    let cases: [(&str, &str); 6] = [
        ("derive", "Nothing=Eq"),
        ("attribute", "#/$defs/Nope=#[doc(hidden)]"),
        ("rename", "Pet.nothing=x"),
        ("replace", "#/$defs/Gone/**=u8"),
        ("open-enum", "#/$defs/Pet"),
        ("derive", "other.json#/$defs/Pet=Eq"),
    ];
    for (flag, value) in cases {
        let mut config = Config::new();
        config.option(flag, value).unwrap();
        let err = config.generate(&schema).unwrap_err().to_string();
        let selector = value.split('=').next().unwrap();
        assert!(
            err.contains(&format!("`{selector}")),
            "{flag} {value}: {err}"
        );
        assert!(err.contains(&format!("--{flag}")), "{flag} {value}: {err}");
    }
}

#[test]
fn a_replaced_type_takes_the_types_only_it_reached() {
    let schema = fixture("customized.json");
    // `Owner`'s own `x-rust-type` replaces it, options or not; without
    // the extension it and its inline `address` are generated.
    let plain = Config::new().generate(&schema).unwrap();
    assert!(!plain.code.contains("OwnerAddress"));
    assert!(plain.code.contains("pub type Timestamp"));
    let mut document: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&schema).unwrap()).unwrap();
    document["$defs"]["Owner"]
        .as_object_mut()
        .unwrap()
        .remove("x-rust-type");
    let set = schemaweave::SchemaSet::from_documents([("c.json".to_string(), document)]).unwrap();
    let without = Config::new().generate_set(&set).unwrap();
    assert!(without.code.contains("pub struct OwnerAddress"));
    let custom = Config::from_file(fixture("customized.toml"))
        .unwrap()
        .generate(&schema)
        .unwrap();
    for gone in [
        "OwnerAddress",
        "pub struct Owner ",
        "Timestamp",
        "pub struct Pet ",
    ] {
        assert!(!custom.code.contains(gone), "{gone}");
    }
    // `--names` reports the names the user chose.
    assert_eq!(custom.names["#/$defs/Pet"], "Animal");
    // A member of a tagged union cannot be replaced.
    let tagged = fixture("tagged_union.json");
    let mut config = Config::new();
    config.replace("#/$defs/Circle", "u8").unwrap();
    let err = config.generate(&tagged).unwrap_err().to_string();
    assert!(err.contains("tagged union"), "{err}");
}

#[test]
fn a_configuration_file_names_its_mistakes() {
    let dir = std::env::temp_dir().join(format!("schemaweave-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("options.toml");
    for (text, expected) in [
        ("losless = true", "unknown key `losless`"),
        ("lossless = \"yes\"", "`lossless` takes true or false"),
        ("runtime-path = [\"a\"]", "`runtime-path` takes a string"),
        ("derive = [1]", "`derive` takes strings"),
        ("derive = \"Pet\"", "SELECTOR=VALUE"),
        ("lossless = ", "options.toml"),
    ] {
        std::fs::write(&file, text).unwrap();
        let err = Config::from_file(&file).unwrap_err().to_string();
        assert!(err.contains(expected), "{text}: {err}");
        assert!(err.contains("options.toml"), "{text}: {err}");
    }
    // Paths in a file are relative to the file's folder.
    std::fs::write(&file, "ref-root = \"shared\"\nderive = \"Pet=Eq\"").unwrap();
    let config = Config::from_file(&file).unwrap();
    assert!(format!("{config:?}").contains(&dir.join("shared").display().to_string()));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn validation_checks_every_pattern_when_it_generates() {
    let schema = serde_json::json!({"$defs": {"Code": {
        "type": "object",
        "properties": {"a": {"type": "string", "pattern": "^[a-z"}},
        "patternProperties": {"(x": {"type": "string"}}
    }}});
    let set = schemaweave::SchemaSet::from_documents([("c.json".to_string(), schema)]).unwrap();
    // Without validation the patterns are not enforced, and not compiled.
    assert!(Config::new().generate_set(&set).is_ok());
    let mut config = Config::new();
    config.validate("Code").unwrap();
    let err = config.generate_set(&set).unwrap_err().to_string();
    assert!(
        err.contains("c.json#/$defs/Code/properties/a/pattern"),
        "{err}"
    );
    assert!(
        err.contains("c.json#/$defs/Code/patternProperties/(x"),
        "{err}"
    );
    assert!(err.contains("ECMA-262"), "{err}");
    // A selector that picks nothing is an error here too.
    let mut config = Config::new();
    config.validate("Nope").unwrap();
    assert!(config
        .generate_set(&set)
        .unwrap_err()
        .to_string()
        .contains("--validate `Nope`"));
}
