//! One event's structure from upstream: a new event converted to our
//! layout (shapes we share become `$ref`s), or an event we have merged with
//! upstream's structure, our descriptions kept where the node is still
//! there.

use serde_json::{json, Map, Value};

use super::{reusable, Shared};
use crate::keywords::{self, Role};
use crate::webhooks::events::{field_path, shape};
use crate::webhooks::layout::relative;

/// State of one event's conversion or merge.
pub(super) struct Context<'a> {
    event: &'a str,
    shared: &'a [Shared],
    file: &'a str,
    prune: bool,
    pub(super) upstream_descriptions: Vec<(String, String)>,
    pub(super) only_ours: Vec<(String, String)>,
}

impl<'a> Context<'a> {
    pub(super) fn new(event: &'a str, shared: &'a [Shared], file: &'a str, prune: bool) -> Self {
        Context {
            event,
            shared,
            file,
            prune,
            upstream_descriptions: Vec::new(),
            only_ours: Vec::new(),
        }
    }

    /// Upstream's expanded schema in our form: shared shapes as `$ref`s,
    /// descriptions trimmed.
    pub(super) fn convert(&mut self, upstream: &Value, path: &str) -> Value {
        let Value::Object(map) = upstream else {
            return upstream.clone();
        };
        if reusable(upstream) {
            let wanted = shape(upstream);
            if let Some(def) = self.shared.iter().find(|d| d.shape == wanted) {
                let mut out = Map::new();
                out.insert(
                    "$ref".into(),
                    Value::String(format!(
                        "{}#{}",
                        relative(self.file, &def.file),
                        def.pointer
                    )),
                );
                if let Some(description) = map.get("description") {
                    out.insert("description".into(), self.description(description, path));
                }
                return Value::Object(out);
            }
        }
        let mut out = Map::new();
        for (key, value) in map {
            let value = match key.as_str() {
                "description" => self.description(value, path),
                "properties" | "patternProperties" => match value {
                    Value::Object(members) => Value::Object(
                        members
                            .iter()
                            .map(|(name, schema)| {
                                (name.clone(), self.convert(schema, &field_path(path, name)))
                            })
                            .collect(),
                    ),
                    other => other.clone(),
                },
                "items" | "additionalProperties" if value.is_object() => {
                    self.convert(value, &format!("{path}[]"))
                }
                "anyOf" | "oneOf" | "allOf" | "prefixItems" => match value {
                    Value::Array(members) => {
                        Value::Array(members.iter().map(|m| self.convert(m, path)).collect())
                    }
                    other => other.clone(),
                },
                _ => value.clone(),
            };
            out.insert(key.clone(), value);
        }
        Value::Object(out)
    }

    fn description(&mut self, value: &Value, path: &str) -> Value {
        self.upstream_descriptions
            .push((self.event.to_string(), path.to_string()));
        match value.as_str() {
            Some(text) => Value::String(
                text.trim()
                    .lines()
                    .map(str::trim_end)
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
            None => value.clone(),
        }
    }

    /// Our node `raw` (its expansion `ours`) with upstream's structure.
    pub(super) fn merge(
        &mut self,
        raw: &Value,
        ours: &Value,
        upstream: &Value,
        path: &str,
    ) -> Value {
        if shape(ours) == shape(upstream) {
            return raw.clone();
        }
        let (Some(raw_map), Some(our_props), Some(up_props)) = (
            raw.as_object().filter(|m| !m.contains_key("$ref")),
            ours.get("properties").and_then(Value::as_object),
            upstream.get("properties").and_then(Value::as_object),
        ) else {
            return self.convert(upstream, path);
        };
        let raw_props = raw_map
            .get("properties")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let mut properties = Map::new();
        let mut kept = Vec::new();
        for (name, raw_prop) in &raw_props {
            let at = field_path(path, name);
            match (up_props.get(name), our_props.get(name)) {
                (Some(up_prop), Some(our_prop)) => {
                    properties.insert(name.clone(), self.merge(raw_prop, our_prop, up_prop, &at));
                }
                _ => {
                    self.only_ours.push((self.event.to_string(), at));
                    if !self.prune {
                        properties.insert(name.clone(), raw_prop.clone());
                        kept.push(name.clone());
                    }
                }
            }
        }
        for (name, up_prop) in up_props {
            if !properties.contains_key(name) && !raw_props.contains_key(name) {
                let converted = self.convert(up_prop, &field_path(path, name));
                properties.insert(name.clone(), converted);
            }
        }
        let names = |v: Option<&Value>| -> Vec<String> {
            v.and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        let up_required = names(upstream.get("required"));
        let mut required: Vec<String> = names(raw_map.get("required"))
            .into_iter()
            .filter(|r| up_required.contains(r) || kept.contains(r))
            .collect();
        for name in up_required {
            if !required.contains(&name) {
                required.push(name);
            }
        }

        // Our keywords in our order: annotations kept, structure from
        // upstream; then upstream's keywords we lacked.
        let mut out = Map::new();
        for (key, value) in raw_map {
            match key.as_str() {
                "properties" => {
                    out.insert(key.clone(), Value::Object(properties.clone()));
                }
                "required" => {
                    if !required.is_empty() {
                        out.insert(key.clone(), json!(required));
                    }
                }
                k if matches!(
                    keywords::role(k),
                    Some(Role::Documentation | Role::Annotation)
                ) =>
                {
                    out.insert(key.clone(), value.clone());
                }
                k => {
                    if let Some(up_value) = upstream.get(k) {
                        out.insert(key.clone(), self.convert_keyword(k, up_value, path));
                    }
                }
            }
        }
        for (key, value) in upstream.as_object().into_iter().flatten() {
            if out.contains_key(key) || keywords::role(key) == Some(Role::Documentation) {
                continue;
            }
            match key.as_str() {
                "properties" => {
                    out.insert(key.clone(), Value::Object(properties.clone()));
                }
                "required" => {
                    if !required.is_empty() {
                        out.insert(key.clone(), json!(required));
                    }
                }
                k => {
                    out.insert(key.clone(), self.convert_keyword(k, value, path));
                }
            }
        }
        Value::Object(out)
    }

    fn convert_keyword(&mut self, key: &str, value: &Value, path: &str) -> Value {
        let mut wrapper = Map::new();
        wrapper.insert(key.to_string(), value.clone());
        match self.convert(&Value::Object(wrapper), path) {
            Value::Object(mut map) => map.remove(key).unwrap_or(Value::Null),
            other => other,
        }
    }
}
