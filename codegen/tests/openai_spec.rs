//! The whole OpenAI OpenAPI document (in `../shared`, beside the checkout):
//! every component schema generates, names are unique, and the output
//! type-checks. Skipped, with a notice, where `../shared` is absent.
//!
//! Slow on purpose: `cargo check` of ~200,000 generated lines takes a minute
//! or two on a 2-core machine.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use openai_webhooks_codegen::Config;

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
    let generated = Config::new()
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

    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("openai-spec-check");
    std::fs::create_dir_all(dir.join("src")).unwrap();
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

[workspace]
"#,
    )
    .unwrap();
    std::fs::write(dir.join("src/lib.rs"), &generated.code).unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(["check", "--quiet", "--message-format=short"])
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
}
