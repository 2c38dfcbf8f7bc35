//! Hostile and malformed inputs: each gives a located error or a documented
//! warning, never a panic or a stack overflow.

use std::path::PathBuf;

use schemaweave::{Config, Error};

fn write(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("codegen-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn error_of(name: &str, bytes: &[u8]) -> String {
    match Config::new().generate(write(name, bytes)) {
        Ok(_) => panic!("{name} was accepted"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn invalid_utf8_is_a_located_json_error() {
    let err = error_of(
        "utf8.json",
        b"{\"$defs\": {\"A\": {\"description\": \"\xff\xfe\"}}}",
    );
    assert!(err.starts_with("utf8.json: not valid JSON"), "{err}");
    let err = error_of("utf8.yaml", b"$defs:\n  A: {description: \"\xff\"}\n");
    assert!(err.contains("utf8.yaml#: the file is not UTF-8"), "{err}");
}

#[test]
fn nesting_ten_thousand_levels_deep_is_refused_by_the_parsers() {
    let deep = format!(
        "{{\"$defs\":{{\"A\":{}{{\"type\":\"string\"}}{}}}}}",
        "{\"type\":\"array\",\"items\":".repeat(10_000),
        "}".repeat(10_000)
    );
    let err = error_of("deep.json", deep.as_bytes());
    assert!(err.contains("recursion limit exceeded"), "{err}");
    let deep = format!(
        "$defs:\n  A: {}{{type: string}}{}\n",
        "{type: array, items: ".repeat(10_000),
        "}".repeat(10_000)
    );
    let err = error_of("deep.yaml", deep.as_bytes());
    assert!(err.contains("recursion limit exceeded"), "{err}");
}

#[test]
fn ref_cycles_and_missing_targets_are_located() {
    let err = error_of(
        "cycle.json",
        br##"{"$defs": {"A": {"type": "object", "properties": {"a": {"$ref": "#/$defs/A/properties/a"}}}}}"##,
    );
    assert!(
        err.contains("cycle.json#/$defs/A/properties/a: `$ref` cycle with no base case"),
        "{err}"
    );
    let err = error_of(
        "missing.json",
        br##"{"$defs": {"A": {"$ref": "other.json#/x"}, "B": {"$ref": "#/$defs/Nope"}}}"##,
    );
    assert!(
        err.contains("missing.json#/$defs/A: `$ref` points to other.json, which cannot be read"),
        "{err}"
    );
}

#[test]
fn a_root_that_is_not_an_object_is_refused() {
    for (name, text) in [
        ("list.json", "[1, 2]"),
        ("number.json", "3"),
        ("string.yaml", "hello\n"),
    ] {
        let err = error_of(name, text.as_bytes());
        assert!(
            err.contains(&format!("{name}#: the document root must be")),
            "{err}"
        );
    }
}

#[test]
fn an_enum_at_the_limit_generates() {
    let values: Vec<String> = (0..10_000).map(|i| format!("\"v{i}\"")).collect();
    let text = format!(
        "{{\"$defs\": {{\"E\": {{\"type\": \"string\", \"enum\": [{}]}}}}}}",
        values.join(",")
    );
    let generated = Config::new()
        .generate(write("huge.json", text.as_bytes()))
        .unwrap();
    assert!(generated.code.contains("V9999,"));
}

#[test]
fn names_that_collide_stay_apart() {
    let generated = Config::new()
        .generate(write(
            "names.json",
            br#"{"$defs": {"a-b": {"type": "string"}, "a_b": {"type": "integer"}, "AB": {"type": "boolean"}, "Option": {"type": "string"}}}"#,
        ))
        .unwrap();
    assert!(
        generated
            .code
            .contains("pub type AB = ::std::string::String;"),
        "{}",
        generated.code
    );
    assert!(generated.code.contains("pub type AB2 = i64;"));
    assert!(
        generated.code.contains("pub type Ab = bool;"),
        "UpperCamelCase of `AB`"
    );
    assert!(generated
        .code
        .contains("pub type OptionType = ::std::string::String;"));
}

#[test]
fn conflicting_keywords_warn_and_deny_warnings_makes_them_errors() {
    let path = write(
        "conflict.json",
        br#"{"$defs": {"A": {"type": "string", "properties": {"x": {}}}}}"#,
    );
    let generated = Config::new().generate(&path).unwrap();
    assert_eq!(generated.warnings.len(), 1);
    let err = Config::new()
        .deny_warnings(true)
        .generate(&path)
        .unwrap_err();
    assert!(matches!(err, Error::Schema(_)));
    assert!(
        err.to_string()
            .contains("conflict.json#/$defs/A/properties"),
        "{err}"
    );
}

#[test]
fn a_five_thousand_long_ref_chain_is_refused_not_overflowed() {
    let mut defs = Vec::new();
    for i in 0..5_000 {
        defs.push(format!(
            "\"D{i}\": {{\"type\": \"array\", \"items\": {{\"$ref\": \"#/$defs/D{}\"}}}}",
            i + 1
        ));
    }
    defs.push("\"D5000\": {\"type\": \"string\"}".to_string());
    let text = format!("{{\"$defs\": {{{}}}}}", defs.join(","));
    let err = error_of("chain.json", text.as_bytes());
    assert!(err.contains("chain.json#/$defs/"), "{err}");
    assert!(err.contains("deep"), "{err}");
}

/// Documents built in memory skip the parsers' depth limits: the loader
/// holds them to the same limit, and everything under it generates.
#[test]
fn deep_documents_built_in_memory_are_refused_not_overflowed() {
    use schemaweave::SchemaSet;
    use serde_json::{Map, Value};
    // Built by moving values in (`json!` would copy the inner value, and
    // recursively so).
    let wrap = |entries: Vec<(&str, Value)>| {
        Value::Object(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect::<Map<_, _>>(),
        )
    };
    let nested = |depth: usize| {
        let mut schema = serde_json::json!({"type": "string"});
        let mut object = serde_json::json!({"type": "string"});
        for _ in 0..depth {
            schema = wrap(vec![("type", "array".into()), ("items", schema)]);
            object = wrap(vec![
                ("type", "object".into()),
                ("properties", wrap(vec![("a", object)])),
            ]);
        }
        wrap(vec![("$defs", wrap(vec![("A", schema), ("B", object)]))])
    };
    for depth in [200usize, 3_000, 100_000] {
        let err = SchemaSet::from_documents([("memory.json".to_string(), nested(depth))])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("memory.json#/$defs/A/items/items/"),
            "{depth}: {err}"
        );
        assert!(
            err.ends_with("arrays and objects nested more than 128 levels deep"),
            "{err}"
        );
    }
    // Just under the limit: every stage copes.
    let set = SchemaSet::from_documents([("memory.json".to_string(), nested(40))]).unwrap();
    let generated = Config::new().generate_set(&set).unwrap();
    assert!(generated.code.contains("pub type A = ::std::vec::Vec<"));
    schemaweave::webhooks::events::find(&set).unwrap();
}

/// Every identifier in `tokens`, inside groups too (string literals and
/// doc comments are literals, not identifiers).
fn identifiers(tokens: proc_macro2::TokenStream, out: &mut Vec<String>) {
    for token in tokens {
        match token {
            proc_macro2::TokenTree::Ident(ident) => out.push(ident.to_string()),
            proc_macro2::TokenTree::Group(group) => identifiers(group.stream(), out),
            _ => {}
        }
    }
}

#[test]
fn schema_text_cannot_inject_code() {
    // The fixture puts quotes, `*/`, `"]`, newlines and control characters
    // in descriptions, titles, property names, enum values, a constant and
    // a default; its snapshot compiles in `codegen-fixtures`, whose
    // payload test reads those values back.
    let schema = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/cases/hostile_text.json"
    );
    let code = Config::new().generate(schema).unwrap().code;
    let file = syn::parse_file(&code).unwrap();
    // No inner attribute (`#![no_std]` stays in a doc comment).
    assert!(file.attrs.is_empty(), "{code}");
    let mut idents = Vec::new();
    identifiers(quote::ToTokens::into_token_stream(file), &mut idents);
    for smuggled in ["evil", "Evil", "panic", "no_std"] {
        assert!(
            !idents.iter().any(|i| i == smuggled),
            "`{smuggled}` became code:\n{code}"
        );
    }
}
