//! Arbitrary JSON values valid against a schema, for proptest: the subset of
//! JSON Schema our event schemas use (expanded: `$ref`s inlined). Anything
//! else fails the test rather than being guessed.

use proptest::prelude::*;
use serde_json::{Map, Value};

/// Arbitrary JSON values valid against `schema` (the subset of JSON Schema
/// our event schemas use; anything else is a test failure, not a guess).
pub fn instances(schema: &Value) -> BoxedStrategy<Value> {
    if let Some(constant) = schema.get("const") {
        return Just(constant.clone()).boxed();
    }
    if let Some(Value::Array(values)) = schema.get("enum") {
        return prop::sample::select(values.clone()).boxed();
    }
    if let Some(Value::Array(members)) = schema.get("anyOf").or_else(|| schema.get("oneOf")) {
        let members: Vec<BoxedStrategy<Value>> = members.iter().map(instances).collect();
        return prop::strategy::Union::new(members).boxed();
    }
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        other => panic!("no type in {schema} ({other:?})"),
    };
    let per_type: Vec<BoxedStrategy<Value>> = types
        .into_iter()
        .map(|t| match t {
            "null" => Just(Value::Null).boxed(),
            "string" => "\\PC{0,16}".prop_map(Value::String).boxed(),
            "integer" => any::<i64>().prop_map(Value::from).boxed(),
            "boolean" => any::<bool>().prop_map(Value::Bool).boxed(),
            "array" => {
                let items = instances(&schema["items"]);
                prop::collection::vec(items, 0..4)
                    .prop_map(Value::Array)
                    .boxed()
            }
            "object" => objects(schema),
            other => panic!("type {other} in {schema}"),
        })
        .collect();
    prop::strategy::Union::new(per_type).boxed()
}

/// Objects with every required property and each optional one present or
/// absent.
fn objects(schema: &Value) -> BoxedStrategy<Value> {
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let properties = schema["properties"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let fields: Vec<BoxedStrategy<Option<(String, Value)>>> = properties
        .iter()
        .map(|(name, property)| {
            let name = name.clone();
            let value = instances(property);
            if required.contains(&name.as_str()) {
                value.prop_map(move |v| Some((name.clone(), v))).boxed()
            } else {
                prop::option::of(value.prop_map(move |v| (name.clone(), v))).boxed()
            }
        })
        .collect();
    fields
        .prop_map(|fields| Value::Object(fields.into_iter().flatten().collect::<Map<_, _>>()))
        .boxed()
}
