//! The generator on arbitrary bytes, read as a JSON document and as a YAML
//! one: an error is fine, a panic, a hang or unbounded memory is not.

#![no_main]

use libfuzzer_sys::fuzz_target;
use openai_webhooks_codegen::{load, Config};

fuzz_target!(|bytes: &[u8]| {
    for name in ["input.json", "input.yaml"] {
        let Ok(value) = load::parse_document(name, bytes) else {
            continue;
        };
        let Ok(set) = load::SchemaSet::from_documents([(name.to_string(), value)]) else {
            continue;
        };
        let _ = Config::new().generate_set(&set);
        let _ = openai_webhooks_codegen::webhooks::events::find(&set);
    }
});
