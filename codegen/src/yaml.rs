//! YAML text → JSON value, built straight from the parser's events.
//!
//! Reading events ourselves (instead of through `YamlLoader`) does three
//! things: no intermediate YAML tree; JSON's rules for keys (after `200:`
//! becomes `"200"`, a key given twice is refused, whatever its YAML type);
//! and a budget on aliases. An alias copies its anchor's value, so nested
//! aliases multiply (the "billion laughs": nine levels of ten aliases make a
//! billion nodes from a kilobyte of text). Every node an alias adds is
//! counted, and the document is refused, with the alias's line and column,
//! as soon as aliases would add more than [`ALIAS_FACTOR`] times the nodes
//! written out so far plus [`ALIAS_ALLOWANCE`]: memory stays proportional
//! to the input.

use std::collections::HashMap;

use serde_json::{Map, Value};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};
use yaml_rust2::Yaml;

/// Aliases may add this many times the nodes the text itself holds...
pub const ALIAS_FACTOR: u64 = 10;
/// ...plus this many, so that small documents may use aliases freely.
pub const ALIAS_ALLOWANCE: u64 = 100_000;

/// Parses the first document of `text` into JSON. Mapping keys that are
/// numbers, booleans or null become their text; integers beyond 64 bits
/// become floats, as in JSON parsers; aliases are expanded within the
/// budget above.
pub fn yaml_to_json(text: &str) -> Result<Value, String> {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    let scanned = parser.load(&mut builder, false);
    if let Some(error) = builder.error {
        return Err(error);
    }
    scanned.map_err(|e| format!("not valid YAML: {e}"))?;
    builder
        .document
        .ok_or_else(|| "the YAML document is empty".to_string())
}

#[derive(Default)]
struct Builder {
    /// Open sequences and mappings, innermost last.
    stack: Vec<Open>,
    /// Anchored values and their node counts.
    anchors: HashMap<usize, (Value, u64)>,
    /// Nodes written out in the text.
    written: u64,
    /// Nodes added by aliases.
    copied: u64,
    document: Option<Value>,
    error: Option<String>,
}

struct Open {
    anchor: usize,
    nodes: u64,
    container: Container,
}

enum Container {
    Sequence(Vec<Value>),
    /// The map, and the key read whose value comes next.
    Mapping(Map<String, Value>, Option<String>),
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        if self.error.is_some() || self.document.is_some() {
            return;
        }
        if let Err(message) = self.take(event, mark) {
            self.error = Some(message);
        }
    }
}

fn at(mark: Marker) -> String {
    format!("line {} column {}", mark.line(), mark.col() + 1)
}

impl Builder {
    fn take(&mut self, event: Event, mark: Marker) -> Result<(), String> {
        match event {
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart
            | Event::DocumentEnd => Ok(()),
            Event::SequenceStart(anchor, _) => {
                self.written += 1;
                self.stack.push(Open {
                    anchor,
                    nodes: 1,
                    container: Container::Sequence(Vec::new()),
                });
                Ok(())
            }
            Event::MappingStart(anchor, _) => {
                self.written += 1;
                self.stack.push(Open {
                    anchor,
                    nodes: 1,
                    container: Container::Mapping(Map::new(), None),
                });
                Ok(())
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(open) = self.stack.pop() else {
                    return Err(format!("not valid YAML: unbalanced end at {}", at(mark)));
                };
                let value = match open.container {
                    Container::Sequence(items) => Value::Array(items),
                    Container::Mapping(map, _) => Value::Object(map),
                };
                self.place(value, open.nodes, open.anchor, mark)
            }
            Event::Scalar(text, style, anchor, tag) => {
                self.written += 1;
                let value = scalar(text, style, tag.as_ref())
                    .map_err(|e| format!("{e} at {}", at(mark)))?;
                self.place(value, 1, anchor, mark)
            }
            Event::Alias(id) => {
                let Some((value, nodes)) = self.anchors.get(&id) else {
                    return Err(format!(
                        "not valid YAML: an alias names no anchor at {}",
                        at(mark)
                    ));
                };
                let nodes = *nodes;
                self.copied = self.copied.saturating_add(nodes);
                let budget = self
                    .written
                    .saturating_mul(ALIAS_FACTOR)
                    .saturating_add(ALIAS_ALLOWANCE);
                if self.copied > budget {
                    return Err(format!(
                        "YAML aliases expand to more than {budget} nodes (the text writes out {}) at {}: refused, as an alias bomb would be",
                        self.written,
                        at(mark)
                    ));
                }
                let value = value.clone();
                self.place(value, nodes, 0, mark)
            }
        }
    }

    /// Puts a finished value into its parent (or makes it the document).
    fn place(
        &mut self,
        value: Value,
        nodes: u64,
        anchor: usize,
        mark: Marker,
    ) -> Result<(), String> {
        if anchor > 0 {
            self.anchors.insert(anchor, (value.clone(), nodes));
        }
        let Some(parent) = self.stack.last_mut() else {
            self.document = Some(value);
            return Ok(());
        };
        parent.nodes = parent.nodes.saturating_add(nodes);
        match &mut parent.container {
            Container::Sequence(items) => items.push(value),
            Container::Mapping(map, key) => match key.take() {
                None => *key = Some(key_text(value).map_err(|e| format!("{e} at {}", at(mark)))?),
                Some(name) => {
                    if map.contains_key(&name) {
                        return Err(format!(
                            "not valid YAML: the key `{name}` is given twice in one mapping at {}",
                            at(mark)
                        ));
                    }
                    map.insert(name, value);
                }
            },
        }
        Ok(())
    }
}

/// A mapping key as JSON object keys are: text.
fn key_text(key: Value) -> Result<String, String> {
    match key {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Null => Ok("null".to_string()),
        Value::Array(_) | Value::Object(_) => Err("a mapping key is not a scalar".to_string()),
    }
}

/// A scalar by YAML's core schema: quoted scalars are strings; plain ones
/// are null, booleans, integers, floats or strings by their text; the
/// standard tags (`!!str`, `!!int`, ...) say which.
fn scalar(
    text: String,
    style: TScalarStyle,
    tag: Option<&yaml_rust2::parser::Tag>,
) -> Result<Value, String> {
    let yaml = if style != TScalarStyle::Plain {
        Yaml::String(text)
    } else if let Some(tag) = tag {
        if tag.handle != "tag:yaml.org,2002:" {
            Yaml::String(text)
        } else {
            let typed = Yaml::from_str(&text);
            let fits = match tag.suffix.as_str() {
                "bool" => matches!(typed, Yaml::Boolean(_)),
                "int" => matches!(typed, Yaml::Integer(_)),
                "float" => matches!(typed, Yaml::Real(_) | Yaml::Integer(_)),
                "null" => matches!(typed, Yaml::Null),
                _ => return Ok(Value::String(text)),
            };
            if !fits {
                return Err(format!("`{text}` is not a `!!{}`", tag.suffix));
            }
            match (tag.suffix.as_str(), typed) {
                ("float", Yaml::Integer(i)) => Yaml::Real(i.to_string()),
                (_, typed) => typed,
            }
        }
    } else {
        Yaml::from_str(&text)
    };
    Ok(match yaml {
        Yaml::Null => Value::Null,
        Yaml::Boolean(b) => Value::Bool(b),
        Yaml::Integer(i) => Value::from(i),
        Yaml::Real(text) => {
            let f = Yaml::Real(text.clone())
                .as_f64()
                .ok_or_else(|| format!("`{text}` is not a number"))?;
            serde_json::Number::from_f64(f)
                .map(Value::Number)
                .ok_or_else(|| format!("`{text}` has no JSON equivalent"))?
        }
        Yaml::String(s) => Value::String(s),
        other => return Err(format!("the YAML scalar {other:?} cannot be read")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn yaml_becomes_json() {
        let value = yaml_to_json(
            "a: 1\nb: [true, null, 'x', 2.5]\n200: ok\nc: \"3\"\nd: !!str 4\ne: 12345678901234567890\n",
        )
        .unwrap();
        assert_eq!(
            value,
            json!({"a": 1, "b": [true, null, "x", 2.5], "200": "ok", "c": "3", "d": "4", "e": 12345678901234567890.0})
        );
        let keys: Vec<&String> = value.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["a", "b", "200", "c", "d", "e"], "document order");
    }

    #[test]
    fn aliases_expand_within_the_budget() {
        assert_eq!(
            yaml_to_json("a: &x {k: [1, 2]}\nb: *x\n").unwrap(),
            json!({"a": {"k": [1, 2]}, "b": {"k": [1, 2]}})
        );
        assert_eq!(
            yaml_to_json("a: &x 1\nb: *x\n").unwrap(),
            json!({"a": 1, "b": 1})
        );
    }

    #[test]
    fn an_alias_bomb_is_refused_early_and_located() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for level in 1..10 {
            let previous = format!("*a{}", level - 1);
            let list = [previous.as_str(); 10].join(", ");
            text.push_str(&format!("a{level}: &a{level} [{list}]\n"));
        }
        let error = yaml_to_json(&text).unwrap_err();
        // Level 4 would hold 10^5 copies: the budget runs out there, long
        // before the 10^10 of the last level.
        assert_eq!(
            error,
            "YAML aliases expand to more than 100210 nodes (the text writes out 21) at line 5 column 45: refused, as an alias bomb would be"
        );
    }

    #[test]
    fn keys_follow_json_rules() {
        let error = yaml_to_json("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(
            error,
            "not valid YAML: the key `a` is given twice in one mapping at line 3 column 4"
        );
        // `1` and `"1"` are one JSON key.
        assert!(yaml_to_json("1: a\n'1': b\n")
            .unwrap_err()
            .contains("`1` is given twice"));
        assert_eq!(
            yaml_to_json("? [a]\n: 1\n").unwrap_err(),
            "a mapping key is not a scalar at line 1 column 5"
        );
    }

    #[test]
    fn malformed_and_empty_documents_are_errors() {
        assert!(yaml_to_json("a: [")
            .unwrap_err()
            .starts_with("not valid YAML"));
        assert_eq!(yaml_to_json("").unwrap_err(), "the YAML document is empty");
        assert_eq!(
            yaml_to_json("a: !!int x\n").unwrap_err(),
            "`x` is not a `!!int` at line 1 column 10"
        );
        assert!(yaml_to_json("a: *nothing\n")
            .unwrap_err()
            .starts_with("not valid YAML: while parsing node, found unknown anchor"));
    }
}
