//! Completeness tests for the registry, in the style of rust-analyzer's
//! codegen tests: each fails, naming what is missing, when a keyword is
//! added or re-classed without the rest following.
//!
//! - every keyword that shapes or refines a type appears in a fixture;
//! - removing every keyword that only validates, documents or annotates
//!   from every fixture leaves the generated code identical, docs aside;
//! - every schema with shaping keywords that becomes `serde_json::Value`
//!   comes with a warning at or below its place (fixtures, the hostile set
//!   and the real-world corpus when it is there).

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::{lookup, Refines, Role, Slots, KEYWORDS};
use crate::load::SchemaSet;

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cases");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

/// The options a fixture is generated with (`NAME.toml`).
fn config_for(fixture: &Path) -> crate::Config {
    let options = fixture.with_extension("toml");
    if options.exists() {
        crate::Config::from_file(&options).unwrap()
    } else {
        crate::Config::new()
    }
}

/// Calls `visit` for every schema object in `value` (a document), through
/// the registry's subschema slots and the definition containers.
fn walk_schemas(value: &Value, visit: &mut dyn FnMut(&Map<String, Value>)) {
    let Value::Object(obj) = value else { return };
    visit(obj);
    for (key, child) in obj {
        match lookup(key).map(|k| k.slots) {
            Some(Slots::Schema | Slots::SchemaOrArray | Slots::Array) => match child {
                Value::Array(items) => items.iter().for_each(|i| walk_schemas(i, visit)),
                other => walk_schemas(other, visit),
            },
            Some(Slots::Map) => {
                if let Value::Object(entries) = child {
                    entries.values().for_each(|e| walk_schemas(e, visit));
                }
            }
            _ => {}
        }
    }
}

/// `value` without the keywords `drop` names, at every schema position.
fn without(value: &Value, drop: &dyn Fn(&str) -> bool) -> Value {
    let Value::Object(obj) = value else {
        return value.clone();
    };
    let mut out = Map::new();
    for (key, child) in obj {
        if drop(key) {
            continue;
        }
        let child = match lookup(key).map(|k| k.slots) {
            Some(Slots::Schema | Slots::SchemaOrArray | Slots::Array) => match child {
                Value::Array(items) => {
                    Value::Array(items.iter().map(|i| without(i, drop)).collect())
                }
                other => without(other, drop),
            },
            Some(Slots::Map) => match child {
                Value::Object(entries) => Value::Object(
                    entries
                        .iter()
                        .map(|(k, v)| (k.clone(), without(v, drop)))
                        .collect(),
                ),
                other => other.clone(),
            },
            _ => child.clone(),
        };
        out.insert(key.clone(), child);
    }
    Value::Object(out)
}

#[test]
fn every_keyword_that_shapes_or_refines_a_type_has_a_fixture() {
    let mut seen = std::collections::BTreeSet::new();
    for fixture in fixtures() {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&fixture).unwrap()).unwrap();
        walk_schemas(&doc, &mut |obj| seen.extend(obj.keys().cloned()));
    }
    let missing: Vec<&str> = KEYWORDS
        .iter()
        .filter(|k| k.role == Role::Structural || k.refines != Refines::No)
        .map(|k| k.name)
        .filter(|name| !seen.contains(*name))
        .collect();
    assert!(
        missing.is_empty(),
        "keywords that shape or refine a type with no fixture in codegen/fixtures/cases: {missing:?}"
    );
}

/// The code without what documents it: doc comments and deprecation.
fn code_without_docs(code: &str) -> String {
    code.lines()
        .filter(|l| {
            let t = l.trim_start();
            !t.starts_with("///") && !t.starts_with("//") && !t.contains("deprecated")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn keywords_that_only_validate_document_or_annotate_change_only_docs() {
    let inert = |key: &str| {
        lookup(key).is_some_and(|k| {
            matches!(
                k.role,
                Role::Validation | Role::Documentation | Role::Annotation
            ) && k.refines == Refines::No
        })
    };
    let mut differing = Vec::new();
    for fixture in fixtures() {
        let name = fixture.file_name().unwrap().to_string_lossy().into_owned();
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&fixture).unwrap()).unwrap();
        let config = config_for(&fixture);
        // With `--validate` the validator enforces those keywords, from the
        // schema text the generated file embeds: they change behaviour.
        if !config.options.custom.validate.is_empty() {
            continue;
        }
        let generate = |doc: Value| {
            let set = SchemaSet::from_documents([(name.clone(), doc)]).unwrap();
            code_without_docs(&config.generate_set(&set).unwrap().code)
        };
        if generate(doc.clone()) != generate(without(&doc, &inert)) {
            differing.push(name);
        }
    }
    assert!(
        differing.is_empty(),
        "removing validation, documentation and annotation keywords changed more than docs in: {differing:?} (a keyword there refines the type: mark it in the registry)"
    );
}

#[test]
fn every_fallback_to_any_json_is_warned_where_it_happens() {
    let mut inputs: Vec<(PathBuf, crate::Config)> = fixtures()
        .into_iter()
        .map(|f| {
            let c = config_for(&f);
            (f, c)
        })
        .collect();
    let hostile = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&hostile)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json" || e == "yaml"))
        .collect();
    files.sort();
    inputs.extend(files.into_iter().map(|f| (f, crate::Config::new())));
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/real-world");
    for schema in [
        "octokit-webhooks-schemas/package/schema.json",
        "openapi-schemas/package/schemas/v3.1/schema.json",
        "cyclonedx-python-lib/cyclonedx/schema/_res/bom-1.6.SNAPSHOT.schema.json",
    ] {
        if corpus.join(schema).exists() {
            inputs.push((corpus.join(schema), crate::Config::new()));
        }
    }
    let mut unwarned = Vec::new();
    let mut fallbacks = 0;
    for (input, config) in &inputs {
        let Ok(set) = config.load(input) else {
            continue;
        };
        let Ok(lowered) = crate::lower_on_big_stack(&set, &config.options) else {
            continue;
        };
        for node in &lowered.fallbacks {
            fallbacks += 1;
            let warned = lowered.warnings.iter().any(|w| {
                w.location.file == node.file && w.location.pointer.starts_with(&node.pointer)
            });
            if !warned {
                unwarned.push(node.location().to_string());
            }
        }
    }
    println!("{fallbacks} fallbacks to serde_json::Value, each checked for a warning");
    assert!(
        unwarned.is_empty(),
        "schemas that became serde_json::Value with no warning at or below them: {unwarned:#?}"
    );
}
