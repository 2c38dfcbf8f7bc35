//! The generator on real schemas (ours and the fixtures), changed by a few
//! structured edits the fuzzer chooses: a keyword added with a value from a
//! palette (types, `$ref`s to existing nodes, enums, nested schemas), a node
//! deleted, replaced or copied elsewhere. Reaches deep into lowering, where
//! random bytes rarely get.

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use schemaweave::{Config, SchemaSet};
use serde_json::{json, Value};

/// Every schema file, by the name it has inside the schema directory.
const SEEDS: &[(&str, &str)] = &[
    ("common.json", include_str!("../../schema/common.json")),
    ("events/agent.session.created.json", include_str!("../../schema/events/agent.session.created.json")),
    ("events/agent.session.action_required.json", include_str!("../../schema/events/agent.session.action_required.json")),
    ("events/batch.cancelled.json", include_str!("../../schema/events/batch.cancelled.json")),
    ("events/live.call.incoming.json", include_str!("../../schema/events/live.call.incoming.json")),
    ("events/live.transport.connected.json", include_str!("../../schema/events/live.transport.connected.json")),
    ("recursive.json", include_str!("../../codegen/fixtures/cases/recursive.json")),
    ("literals_and_enums.json", include_str!("../../codegen/fixtures/cases/literals_and_enums.json")),
    ("nullable_and_maps.json", include_str!("../../codegen/fixtures/cases/nullable_and_maps.json")),
    ("tagged_union.json", include_str!("../../codegen/fixtures/cases/tagged_union.json")),
    ("untagged_and_deprecated.json", include_str!("../../codegen/fixtures/cases/untagged_and_deprecated.json")),
    ("extra_properties_and_widths.json", include_str!("../../codegen/fixtures/cases/extra_properties_and_widths.json")),
    ("defaults.json", include_str!("../../codegen/fixtures/cases/defaults.json")),
    ("tuples.json", include_str!("../../codegen/fixtures/cases/tuples.json")),
];

const KEYWORDS: &[&str] = &[
    "type", "properties", "required", "items", "prefixItems", "additionalProperties",
    "patternProperties", "enum", "const", "anyOf", "oneOf", "allOf", "$ref", "nullable",
    "discriminator", "default", "format", "minimum", "maximum", "exclusiveMinimum",
    "deprecated", "description", "$defs", "definitions", "not", "if", "then", "title",
    "x-extension", "$dynamicRef", "unevaluatedProperties",
];

#[derive(Arbitrary, Debug)]
enum Edit {
    /// Set `keyword` on the `node`-th object to a palette value.
    Set { node: u16, keyword: u8, value: u8 },
    /// Remove a key of the `node`-th object.
    Remove { node: u16, key: u8 },
    /// Copy the `from`-th node over the `to`-th one.
    Copy { from: u16, to: u16 },
}

fn palette(pick: u8, pointers: &[String], file: &str) -> Value {
    let pointer = |i: usize| pointers.get(i % pointers.len().max(1)).cloned().unwrap_or_default();
    match pick % 24 {
        0 => json!("string"),
        1 => json!("integer"),
        2 => json!("object"),
        3 => json!(["string", "null"]),
        4 => json!(["a", "b", "a"]),
        5 => json!([]),
        6 => json!({}),
        7 => json!(true),
        8 => json!(false),
        9 => json!(null),
        10 => json!(-1),
        11 => json!(1e300),
        12 => json!({"$ref": format!("#{}", pointer(pick as usize))}),
        13 => json!(format!("#{}", pointer(pick as usize))),
        14 => json!(format!("{file}#{}", pointer(pick as usize * 7))),
        15 => json!({"propertyName": "type"}),
        16 => json!({"propertyName": "type", "mapping": {"x": "#/nowhere"}}),
        17 => json!([{"type": "string"}, {"type": "null"}]),
        18 => json!([{"$ref": format!("#{}", pointer(pick as usize * 3))}, {"type": "object", "properties": {"type": {"const": "z"}}}]),
        19 => json!({"type": "array", "items": {"$ref": "#"}}),
        20 => json!({"a": {"type": "string", "default": 3}}),
        21 => json!("date-time"),
        22 => json!([1, "x", null]),
        _ => json!({"type": ["object", "null"], "properties": {"q": {"enum": ["", "-", "1a", "self"]}}}),
    }
}

/// Every node's JSON pointer, in document order.
fn pointers(value: &Value, here: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            out.push(here.clone());
            for (k, v) in map {
                pointers(v, format!("{here}/{}", k.replace('~', "~0").replace('/', "~1")), out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                pointers(v, format!("{here}/{i}"), out);
            }
        }
        _ => {}
    }
}

fuzz_target!(|input: (u8, Vec<Edit>)| {
    let (seed, edits) = input;
    let (file, text) = SEEDS[seed as usize % SEEDS.len()];
    let Ok(mut doc) = serde_json::from_str::<Value>(text) else { return };
    for edit in edits.iter().take(8) {
        let mut nodes = Vec::new();
        pointers(&doc, String::new(), &mut nodes);
        if nodes.is_empty() {
            break;
        }
        match *edit {
            Edit::Set { node, keyword, value } => {
                let value = palette(value, &nodes, file);
                let target = nodes[node as usize % nodes.len()].clone();
                if let Some(Value::Object(map)) = doc.pointer_mut(&target) {
                    map.insert(KEYWORDS[keyword as usize % KEYWORDS.len()].to_string(), value);
                }
            }
            Edit::Remove { node, key } => {
                let target = nodes[node as usize % nodes.len()].clone();
                if let Some(Value::Object(map)) = doc.pointer_mut(&target) {
                    if let Some(k) = map.keys().nth(key as usize % map.len().max(1)).cloned() {
                        map.shift_remove(&k);
                    }
                }
            }
            Edit::Copy { from, to } => {
                let from = nodes[from as usize % nodes.len()].clone();
                let to = nodes[to as usize % nodes.len()].clone();
                if let Some(copy) = doc.pointer(&from).cloned() {
                    if let Some(slot) = doc.pointer_mut(&to) {
                        *slot = copy;
                    }
                }
            }
        }
    }
    // The edited file, with `common.json` beside an event so that its
    // `$ref`s still resolve.
    let mut documents = vec![(file.to_string(), doc)];
    if file.starts_with("events/") {
        documents.push(("common.json".to_string(), serde_json::from_str(SEEDS[0].1).unwrap_or(Value::Null)));
    }
    let Ok(set) = SchemaSet::from_documents(documents) else { return };
    let _ = Config::new().generate_set(&set);
    let _ = schemaweave::webhooks::events::find(&set);
});
