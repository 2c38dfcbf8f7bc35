//! Snapshot tests: each `fixtures/cases/NAME.json` generates exactly
//! `fixtures/cases/NAME.rs` (with `--schemars-feature schemars`, and the
//! options of the configuration file `NAME.toml`, as `--config` reads it,
//! where that file exists). The `.rs` files are compiled, and checked
//! against payloads, by the `codegen-fixtures` crate (`codegen/fixtures/`).
//!
//! After an intended change, refresh them with
//! `UPDATE_FIXTURES=1 cargo test -p schemaweave --test fixtures`.

use std::path::Path;

use schemaweave::{check::stale_diff, Config};

#[test]
fn every_fixture_generates_its_snapshot() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cases");
    let mut schemas: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    schemas.sort();
    assert!(schemas.len() >= 4, "fixtures missing: {schemas:?}");
    let update = std::env::var_os("UPDATE_FIXTURES").is_some();
    let mut stale = Vec::new();
    for schema in &schemas {
        let expected_path = schema.with_extension("rs");
        // With `JsonSchema` impls under the fixtures crate's `schemars`
        // feature, so that they compile for every construct too.
        let options = schema.with_extension("toml");
        let mut config = if options.exists() {
            Config::from_file(&options).unwrap_or_else(|e| panic!("{e}"))
        } else {
            Config::new()
        };
        config.schemars_feature(Some("schemars"));
        let generated = config
            .generate(schema)
            .unwrap_or_else(|e| panic!("{}: {e}", schema.display()))
            .code;
        if update {
            std::fs::write(&expected_path, &generated).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        let label = expected_path.file_name().unwrap().to_string_lossy();
        if let Some(diff) = stale_diff(&expected, &generated, &label) {
            stale.push(diff);
        }
    }
    assert!(
        stale.is_empty(),
        "fixture snapshots are stale; refresh with\n  UPDATE_FIXTURES=1 cargo test -p schemaweave --test fixtures\n\n{}",
        stale.join("\n")
    );
}
