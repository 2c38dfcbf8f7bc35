//! Reading a document's bytes: JSON (refusing duplicate keys) or YAML,
//! and the nesting limit every later stage relies on.

use serde_json::Value;

use crate::error::{pointer_segment, Error, Location};

/// How deeply arrays and objects may nest in a document (the JSON parser's
/// own limit). Every later stage recurses over the document, so this bound
/// is what keeps them off the end of the stack; documents built in memory
/// or parsed from YAML are held to it too.
pub const MAX_NESTING: usize = 128;

/// Refuses a document nested deeper than [`MAX_NESTING`], naming the first
/// node too deep. Iterative: the check itself cannot overflow.
pub fn check_nesting(name: &str, value: &Value) -> Result<(), Error> {
    enum Children<'a> {
        Map(serde_json::map::Iter<'a>),
        Seq(std::iter::Enumerate<std::slice::Iter<'a, Value>>),
    }
    enum Key<'a> {
        Name(&'a str),
        Index(usize),
    }
    fn children(value: &Value) -> Option<Children<'_>> {
        match value {
            Value::Object(map) => Some(Children::Map(map.iter())),
            Value::Array(items) => Some(Children::Seq(items.iter().enumerate())),
            _ => None,
        }
    }
    let mut stack: Vec<Children> = children(value).into_iter().collect();
    let mut path: Vec<Key> = Vec::new();
    while let Some(top) = stack.last_mut() {
        let next = match top {
            Children::Map(entries) => entries.next().map(|(k, v)| (Key::Name(k), v)),
            Children::Seq(items) => items.next().map(|(i, v)| (Key::Index(i), v)),
        };
        match next {
            Some((key, child)) => {
                if let Some(grandchildren) = children(child) {
                    path.push(key);
                    if stack.len() >= MAX_NESTING {
                        let pointer: String = path
                            .iter()
                            .map(|k| match k {
                                Key::Name(k) => format!("/{}", pointer_segment(k)),
                                Key::Index(i) => format!("/{i}"),
                            })
                            .collect();
                        return Err(Error::at(
                            Location::new(name, pointer),
                            format!(
                                "arrays and objects nested more than {MAX_NESTING} levels deep"
                            ),
                        ));
                    }
                    stack.push(grandchildren);
                }
            }
            None => {
                stack.pop();
                path.pop();
            }
        }
    }
    Ok(())
}

/// Drops a value without recursion (`serde_json::Value`'s own drop recurses
/// once per level, which a refused, very deep document could overflow).
pub(super) fn dismantle(value: Value) {
    let mut pending = vec![value];
    while let Some(mut value) = pending.pop() {
        match &mut value {
            Value::Object(map) => pending.extend(std::mem::take(map).into_iter().map(|(_, v)| v)),
            Value::Array(items) => pending.append(items),
            _ => {}
        }
    }
}

/// Parses a document as YAML when its name ends in `.yaml` or `.yml`, as JSON
/// otherwise.
pub fn parse_document(name: &str, bytes: &[u8]) -> Result<Value, Error> {
    if name.ends_with(".yaml") || name.ends_with(".yml") {
        let text = std::str::from_utf8(bytes).map_err(|e| {
            Error::at(
                Location::new(name, ""),
                format!("the file is not UTF-8: {e}"),
            )
        })?;
        return read_yaml(text).map_err(|message| Error::at(Location::new(name, ""), message));
    }
    let value = serde_json::from_slice(bytes).map_err(|source| Error::Json {
        path: name.to_string(),
        source,
    })?;
    match duplicate_key(bytes) {
        Some((pointer, message)) => Err(Error::at(Location::new(name, pointer), message)),
        None => Ok(value),
    }
}

/// The first key that appears twice in one JSON object, as the pointer of
/// that key and a message. `serde_json` keeps the last value silently, other
/// parsers keep the first: the schema would mean different things to
/// different tools, so it is refused (YAML parsers refuse it already).
fn duplicate_key(bytes: &[u8]) -> Option<(String, String)> {
    use serde::de::{DeserializeSeed, Error as _, MapAccess, SeqAccess, Visitor};
    use std::cell::RefCell;

    struct Check<'a> {
        pointer: String,
        found: &'a RefCell<Option<String>>,
    }
    impl<'de> DeserializeSeed<'de> for Check<'_> {
        type Value = ();
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_any(self)
        }
    }
    impl<'de> Visitor<'de> for Check<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("JSON")
        }
        fn visit_bool<E>(self, _: bool) -> Result<(), E> {
            Ok(())
        }
        fn visit_i64<E>(self, _: i64) -> Result<(), E> {
            Ok(())
        }
        fn visit_u64<E>(self, _: u64) -> Result<(), E> {
            Ok(())
        }
        fn visit_f64<E>(self, _: f64) -> Result<(), E> {
            Ok(())
        }
        fn visit_str<E>(self, _: &str) -> Result<(), E> {
            Ok(())
        }
        fn visit_unit<E>(self) -> Result<(), E> {
            Ok(())
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            let mut index = 0usize;
            while seq
                .next_element_seed(Check {
                    pointer: format!("{}/{index}", self.pointer),
                    found: self.found,
                })?
                .is_some()
            {
                index += 1;
            }
            Ok(())
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            let mut seen = std::collections::HashSet::new();
            while let Some(key) = map.next_key::<String>()? {
                let pointer = format!("{}/{}", self.pointer, pointer_segment(&key));
                if !seen.insert(key.clone()) {
                    *self.found.borrow_mut() = Some(pointer);
                    return Err(A::Error::custom(format!("duplicate key `{key}`")));
                }
                map.next_value_seed(Check {
                    pointer,
                    found: self.found,
                })?;
            }
            Ok(())
        }
    }

    let found = RefCell::new(None);
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let error = Check {
        pointer: String::new(),
        found: &found,
    }
    .deserialize(&mut deserializer)
    .err()?;
    let pointer = found.into_inner()?;
    Some((
        pointer,
        format!(
            "{error}: a key given twice means different things to different JSON parsers, so it is refused"
        ),
    ))
}

#[cfg(feature = "yaml")]
use crate::yaml::yaml_to_json;

#[cfg(feature = "yaml")]
fn read_yaml(text: &str) -> Result<Value, String> {
    yaml_to_json(text)
}

#[cfg(not(feature = "yaml"))]
fn read_yaml(_: &str) -> Result<Value, String> {
    Err("YAML input needs the generator's `yaml` feature (on by default)".to_string())
}
