//! The generator on arbitrary bytes, read as a JSON document and as a YAML
//! one: an error is fine, a panic, a hang or unbounded memory is not.

#![no_main]

use libfuzzer_sys::fuzz_target;
use schemaweave::{Config, SchemaSet};

fuzz_target!(|bytes: &[u8]| {
    for name in ["input.json", "input.yaml"] {
        let Ok(set) = SchemaSet::from_bytes(name, bytes) else {
            continue;
        };
        let _ = Config::new().generate_set(&set);
        let _ = schemaweave::webhooks::events::find(&set);
    }
});
