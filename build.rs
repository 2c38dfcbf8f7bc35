//! Generates the event types from `schema/` into `$OUT_DIR/openai_webhooks.rs`.
//! A bad schema fails the build with the generator's located error.

fn main() {
    let schema = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema");
    if let Err(error) =
        openai_webhooks_codegen::Config::new().compile(&schema, "openai_webhooks.rs")
    {
        eprintln!("{error}");
        std::process::exit(1);
    }
}
