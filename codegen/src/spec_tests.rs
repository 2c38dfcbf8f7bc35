//! The whole OpenAI OpenAPI document (in `../shared`, beside the checkout):
//! every component schema generates, names are unique, the output compiles
//! without a warning, and the spec's own `example` values that agree with
//! their schema (a JSON Schema validator decides) deserialize into the
//! generated types. Skipped, with a notice, where `../shared` is absent.
//!
//! Slow on purpose: building ~200,000 generated lines takes a minute or two
//! on a 2-core machine. A unit test of the crate (not an integration test)
//! because it reads the model, which is not public API.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::emit::rust_type;
use crate::load::{NodeRef, SchemaSet};
use crate::lower::{lower_with, Options};
use crate::model::TypeKind;
use crate::Config;
use serde_json::Value;

fn spec() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/upstream/openai-openapi/openapi-2026-08-21.yaml");
    if path.exists() {
        Some(path)
    } else {
        println!(
            "SKIPPED: {} is absent; the full-spec test did not run",
            path.display()
        );
        None
    }
}

#[test]
fn the_whole_openai_spec_generates_and_type_checks() {
    let Some(spec) = spec() else { return };
    // With `JsonSchema` impls, built with the feature on: they must compile
    // for every construct of a real spec too.
    let generated = Config::new()
        .schemars_feature(Some("schemars"))
        .generate(&spec)
        .unwrap_or_else(|e| panic!("{e}"));
    let definitions = generated.names.len();
    println!(
        "generated {definitions} definitions, {} lines, {} warnings",
        generated.code.lines().count(),
        generated.warnings.len()
    );
    assert_eq!(definitions, 1422, "every component schema has a type");
    let unique: BTreeSet<&String> = generated.names.values().collect();
    assert_eq!(
        unique.len(),
        definitions,
        "two definitions share a Rust name"
    );
    // Every warning is located in the spec.
    for warning in &generated.warnings {
        assert!(warning.location.file.ends_with(".yaml"), "{warning}");
    }

    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/openai-spec-check");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let runtime = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("runtime");
    std::fs::write(
        dir.join("Cargo.toml"),
        r#"[package]
name = "openai-spec-check"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
serde = { version = "1", features = ["derive"] }
serde_json = { version = "1", features = ["preserve_order"] }
schemars = { version = "1", optional = true }
schemaweave-runtime = { path = "RUNTIME" }

[features]
schemars = ["dep:schemars", "schemaweave-runtime/schemars"]

[workspace]
"#
        .replace("RUNTIME", &runtime.display().to_string()),
    )
    .unwrap();
    let examples = examples(&spec);
    std::fs::write(dir.join("src/generated.rs"), &generated.code).unwrap();
    std::fs::write(dir.join("src/main.rs"), examples_program(&examples.cases)).unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(&cargo)
        .args([
            "build",
            "--quiet",
            "--message-format=short",
            "--features",
            "schemars",
        ])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("error"))
        .take(20)
        .collect();
    assert!(
        output.status.success(),
        "the generated code does not compile:\n{}",
        errors.join("\n")
    );
    let warnings = stderr.lines().filter(|l| l.contains("warning:")).count();
    assert_eq!(
        warnings, 0,
        "rustc warns about the generated code:\n{stderr}"
    );

    println!(
        "examples: {} found; {} at nodes with a generated type ({} of them disagree with their schema and are left out); {} deserialized",
        examples.found,
        examples.typed,
        examples.disagreeing,
        examples.cases.len()
    );
    let run = Command::new(dir.join("target/debug/openai-spec-check"))
        .output()
        .unwrap();
    let failures = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success() && failures.trim().is_empty(),
        "examples that agree with their schema but not with the generated type:\n{failures}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(examples.cases.len() >= 100, "too few examples were tried");
}

/// `example` values of the spec's component schemas.
struct Examples {
    /// Every `example` under `components.schemas`.
    found: usize,
    /// Those at a node that has a Rust type (a generated type, or a field's).
    typed: usize,
    /// Of those, the ones the validator rejects against their own schema.
    disagreeing: usize,
    /// (pointer, Rust type, example): the ones to deserialize.
    cases: Vec<(String, String, Value)>,
}

fn examples(spec: &Path) -> Examples {
    let set = SchemaSet::load(spec).unwrap();
    let file = set.entries()[0].clone();
    let lowered = lower_with(&set, &Options::default()).unwrap();
    // The Rust type of every node that has one: generated types at their
    // origin, and each struct field at its property's node.
    let mut types: BTreeMap<String, String> = BTreeMap::new();
    for def in &lowered.space.types {
        types.insert(def.origin.pointer.clone(), def.name.clone());
    }
    for def in &lowered.space.types {
        if let TypeKind::Struct(s) = &def.kind {
            for field in &s.fields {
                let escaped = field.json_name.replace('~', "~0").replace('/', "~1");
                types
                    .entry(format!("{}/properties/{escaped}", def.origin.pointer))
                    .or_insert_with(|| rust_type(&lowered.space, &field.ty()).to_string());
            }
        }
    }
    let document = set.document(&file).unwrap().as_value().clone();
    let mut nodes = Vec::new();
    collect_examples(
        &document["components"]["schemas"],
        "/components/schemas",
        &mut nodes,
    );

    let registry = jsonschema::Registry::new()
        .draft(jsonschema::Draft::Draft202012)
        .add(
            "urn:spec",
            jsonschema::Resource::from_contents(document.clone()),
        )
        .unwrap()
        .prepare()
        .unwrap();
    let mut out = Examples {
        found: nodes.len(),
        typed: 0,
        disagreeing: 0,
        cases: Vec::new(),
    };
    for (pointer, example) in nodes {
        let node = document.pointer(&pointer).unwrap();
        // The type made for this node, or for the node its `$ref` names.
        let target = match node.get("$ref").and_then(Value::as_str) {
            Some(reference) => set
                .resolve(
                    &NodeRef {
                        file: file.clone(),
                        pointer: pointer.clone(),
                    },
                    reference,
                )
                .map(|n| n.pointer)
                .unwrap_or_default(),
            None => pointer.clone(),
        };
        let Some(rust) = types.get(target.as_str()) else {
            continue;
        };
        out.typed += 1;
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .with_registry(&registry)
            .build(&serde_json::json!({"$ref": format!("urn:spec#{}", escape_fragment(&pointer))}))
            .unwrap_or_else(|e| panic!("{pointer}: {e}"));
        if !validator.is_valid(&example) {
            out.disagreeing += 1;
            continue;
        }
        out.cases.push((pointer, rust.clone(), example));
    }
    out
}

/// A JSON pointer as a URI fragment (`{`, `}` and spaces percent-encoded).
fn escape_fragment(pointer: &str) -> String {
    pointer
        .chars()
        .map(|c| match c {
            ' ' => "%20".to_string(),
            '{' => "%7B".to_string(),
            '}' => "%7D".to_string(),
            '"' => "%22".to_string(),
            c => c.to_string(),
        })
        .collect()
}

fn collect_examples(value: &Value, pointer: &str, out: &mut Vec<(String, Value)>) {
    match value {
        Value::Object(map) => {
            if let Some(example) = map.get("example") {
                out.push((pointer.to_string(), example.clone()));
            }
            for (key, child) in map {
                if key == "example" || key == "examples" || key.starts_with("x-") {
                    continue;
                }
                let escaped = key.replace('~', "~0").replace('/', "~1");
                collect_examples(child, &format!("{pointer}/{escaped}"), out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                collect_examples(item, &format!("{pointer}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// A program that deserializes each example into its type and prints the
/// ones that fail, one per line.
fn examples_program(cases: &[(String, String, Value)]) -> String {
    let mut out = String::from(
        "#![allow(dead_code, deprecated, unused_imports)]\nmod generated;\nuse generated::*;\n\nfn check<T: serde::de::DeserializeOwned>(pointer: &str, json: &str) {\n    if let Err(error) = serde_json::from_str::<T>(json) {\n        println!(\"{pointer}: {error}: {json}\");\n    }\n}\n\nfn main() {\n",
    );
    for (pointer, rust, example) in cases {
        let json = serde_json::to_string(example).unwrap();
        let _ = writeln!(out, "    check::<{rust}>({pointer:?}, {json:?});");
    }
    out.push_str("}\n");
    out
}
