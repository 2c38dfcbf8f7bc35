//! `generated/` must hold exactly what build.rs produces from `schema/`.

use schemaweave::check::stale_diff;

const REFRESH: &str = "cargo run -p schemaweave -- generate schema -o generated/openai_webhooks.rs --deny-warnings --schemars-feature schemars";

#[test]
fn committed_generated_code_matches_the_schema() {
    let built = include_str!(concat!(env!("OUT_DIR"), "/openai_webhooks.rs"));
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/generated/openai_webhooks.rs");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    if let Some(diff) = stale_diff(&committed, built, "generated/openai_webhooks.rs") {
        panic!("generated/openai_webhooks.rs is stale; refresh it with\n  {REFRESH}\n\n{diff}");
    }
}
