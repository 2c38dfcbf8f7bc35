//! Generates the event types from `schema/` into `$OUT_DIR/openai_webhooks.rs`.
//! A bad schema fails the build with the generator's located error; so does
//! a warning, since this schema is ours and must be exact.

fn main() {
    let schema = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema");
    let result = schemaweave::Config::new()
        .deny_warnings(true)
        .schemars_feature(Some("schemars"))
        .compile(&schema, "openai_webhooks.rs");
    if let Err(error) = result {
        eprintln!("{error}");
        std::process::exit(1);
    }
}
