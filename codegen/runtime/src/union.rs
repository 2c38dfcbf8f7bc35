//! Runtime support for discriminated unions: what a generated union's
//! `Deserialize` calls. It depends only on `serde` and `serde_json`.
//!
//! Dispatch reads map entries until the tag property. Properties that every
//! variant has (the envelope) are read straight into typed slots; when the
//! tag arrives, the chosen variant resumes reading the live map with those
//! slots filled. Any other property met before the tag switches to a slower
//! path: entries are kept in a small buffer (scalars borrowed from the input
//! where the format allows; objects and arrays as `serde_json::Value`), then
//! the variant's own `Deserialize` runs on them followed by the rest of the
//! map. Either way the payload is read once, no variant is tried in turn, and
//! serde's private `Content` buffer is never used.

use ::serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use ::std::borrow::Cow;
use ::std::fmt;
use ::std::marker::PhantomData;

/// A value read before the tag, kept until the variant is known.
pub enum Buffered<'de> {
    /// A string, borrowed from the input where the format allows.
    Str(Cow<'de, str>),
    /// A non-negative integer.
    U64(u64),
    /// A negative integer.
    I64(i64),
    /// A float.
    F64(f64),
    /// A boolean.
    Bool(bool),
    /// `null`.
    Null,
    /// An object or an array.
    Json(::std::boxed::Box<::serde_json::Value>),
}

struct BufferedVisitor;

impl<'de> Visitor<'de> for BufferedVisitor {
    type Value = Buffered<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Buffered::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Buffered::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Buffered::Str(Cow::Owned(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Buffered::U64(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Buffered::I64(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Buffered::F64(v))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Buffered::Bool(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Buffered::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Buffered::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        let value = de::Deserialize::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
        Ok(Buffered::Json(::std::boxed::Box::new(value)))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let value = de::Deserialize::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(Buffered::Json(::std::boxed::Box::new(value)))
    }
}

impl<'de> de::Deserialize<'de> for Buffered<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(BufferedVisitor)
    }
}

/// Replays one [`Buffered`] value into a `Deserialize` implementation.
pub struct BufferedDeserializer<'de, E> {
    value: Buffered<'de>,
    marker: PhantomData<E>,
}

impl<'de, E> BufferedDeserializer<'de, E> {
    fn new(value: Buffered<'de>) -> Self {
        BufferedDeserializer {
            value,
            marker: PhantomData,
        }
    }
}

impl<'de, E: de::Error> Deserializer<'de> for BufferedDeserializer<'de, E> {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        match self.value {
            Buffered::Str(Cow::Borrowed(s)) => visitor.visit_borrowed_str(s),
            Buffered::Str(Cow::Owned(s)) => visitor.visit_string(s),
            Buffered::U64(n) => visitor.visit_u64(n),
            Buffered::I64(n) => visitor.visit_i64(n),
            Buffered::F64(n) => visitor.visit_f64(n),
            Buffered::Bool(b) => visitor.visit_bool(b),
            Buffered::Null => visitor.visit_unit(),
            Buffered::Json(value) => (*value).deserialize_any(visitor).map_err(E::custom),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        match self.value {
            Buffered::Null => visitor.visit_none(),
            Buffered::Json(ref value) if value.is_null() => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, E> {
        match self.value {
            Buffered::Str(Cow::Borrowed(s)) => {
                visitor.visit_enum(de::value::BorrowedStrDeserializer::new(s))
            }
            Buffered::Str(Cow::Owned(s)) => {
                visitor.visit_enum(de::value::StringDeserializer::new(s))
            }
            Buffered::Json(value) => (*value)
                .deserialize_enum(name, variants, visitor)
                .map_err(E::custom),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, E> {
        visitor.visit_newtype_struct(self)
    }

    ::serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

/// A string borrowed from the input where the format allows it.
pub struct Key<'de>(
    /// The text.
    pub Cow<'de, str>,
);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

/// The entries read before the tag, then the rest of the live map.
pub struct ReplayMap<'de, A> {
    buffered: ::std::vec::IntoIter<(Cow<'de, str>, Buffered<'de>)>,
    /// The tag entry, replayed after the buffered ones; kept apart so that a
    /// body with the tag first allocates nothing.
    tag: Option<(&'static str, Cow<'de, str>)>,
    pending: Option<Buffered<'de>>,
    live: A,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for ReplayMap<'de, A> {
    type Error = A::Error;

    #[inline]
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        let (key, value) = match self.buffered.next() {
            Some(entry) => entry,
            None => match self.tag.take() {
                Some((key, value)) => (Cow::Borrowed(key), Buffered::Str(value)),
                None => return self.live.next_key_seed(seed),
            },
        };
        self.pending = Some(value);
        seed.deserialize(BufferedDeserializer::new(Buffered::Str(key)))
            .map(Some)
    }

    #[inline]
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        match self.pending.take() {
            Some(value) => seed.deserialize(BufferedDeserializer::new(value)),
            None => self.live.next_value_seed(seed),
        }
    }
}

/// Entries already read, in order, for the slow path.
pub type Entries<'de> = Vec<(Cow<'de, str>, Buffered<'de>)>;

/// Reads entries up to and including the property `tag`, after `buffered`
/// (entries read already); returns the tag's value and a map that replays
/// everything read, in order.
#[inline]
pub fn read_until_tag<'de, A: MapAccess<'de>>(
    mut map: A,
    tag: &'static str,
    mut buffered: Entries<'de>,
) -> Result<(Cow<'de, str>, ReplayMap<'de, A>), A::Error> {
    while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
        if key == tag {
            let Key(value) = map.next_value::<Key<'de>>()?;
            let replay = ReplayMap {
                buffered: buffered.into_iter(),
                tag: Some((tag, value.clone())),
                pending: None,
                live: map,
            };
            return Ok((value, replay));
        }
        let value = map.next_value::<Buffered<'de>>()?;
        buffered.push((key, value));
    }
    Err(de::Error::missing_field(tag))
}

/// A map that replays `buffered`, then the tag entry, then the live map.
pub fn replay<'de, A: MapAccess<'de>>(
    map: A,
    buffered: Entries<'de>,
    tag: &'static str,
    value: Cow<'de, str>,
) -> ReplayMap<'de, A> {
    ReplayMap {
        buffered: buffered.into_iter(),
        tag: Some((tag, value)),
        pending: None,
        live: map,
    }
}

/// An envelope slot's value as a buffered entry, for the slow path.
pub fn buffer<T: ::serde::Serialize, E: de::Error>(value: &T) -> Result<Buffered<'static>, E> {
    ::serde_json::to_value(value)
        .map(|v| Buffered::Json(::std::boxed::Box::new(v)))
        .map_err(E::custom)
}

/// `error` with `context: ` in front (and serde_json's position dropped:
/// the outer error gets its own).
pub fn prefixed<E: de::Error>(context: &str, error: E) -> E {
    E::custom(format_args!(
        "{context}: {}",
        strip_position(&error.to_string())
    ))
}

/// Deserializes the chosen variant from the replayed map; errors name the
/// tag value.
#[inline]
pub fn variant<'de, T: de::Deserialize<'de>, A: MapAccess<'de>>(
    map: ReplayMap<'de, A>,
    tag: &str,
) -> Result<T, A::Error> {
    T::deserialize(de::value::MapAccessDeserializer::new(map)).map_err(|e| prefixed(tag, e))
}

/// Removes serde_json's trailing ` at line L column C`: the outer error gets
/// its own position, and one position per message is enough.
fn strip_position(message: &str) -> &str {
    if let Some((head, tail)) = message.rsplit_once(" at line ") {
        let mut parts = tail.split(" column ");
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if let (Some(line), Some(column), None) = (parts.next(), parts.next(), parts.next()) {
            if digits(line) && digits(column) {
                return head;
            }
        }
    }
    message
}

/// Collects the replayed map into a JSON object (for the catch-all variant).
pub fn collect_raw<'de, A: MapAccess<'de>>(
    mut map: ReplayMap<'de, A>,
) -> Result<::serde_json::Value, A::Error> {
    let mut object = ::serde_json::Map::new();
    while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
        let value = map.next_value::<::serde_json::Value>()?;
        object.insert(key.into_owned(), value);
    }
    Ok(::serde_json::Value::Object(object))
}

/// Checks that a catch-all object has the property `field` of type `T`.
pub fn require<T: de::DeserializeOwned, E: de::Error>(
    raw: &::serde_json::Value,
    tag: &str,
    field: &'static str,
) -> Result<(), E> {
    match raw.get(field) {
        None => Err(E::custom(format_args!("{tag}: missing field `{field}`"))),
        Some(value) => match T::deserialize(value) {
            Ok(_) => Ok(()),
            Err(e) => Err(E::custom(format_args!("{tag}: {field}: {e}"))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug, PartialEq)]
    struct Event {
        id: String,
        #[serde(rename = "type")]
        kind: String,
        data: ::serde_json::Value,
        count: Option<i64>,
    }

    /// Deserializes `json` through `read_until_tag` then `variant`, as a
    /// generated union does on its buffered path.
    fn dispatch(json: &str) -> Result<(String, Event), String> {
        struct Visitor;
        impl<'de> de::Visitor<'de> for Visitor {
            type Value = (String, Event);
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an event")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                let (tag, rest) = read_until_tag(map, "type", Entries::new())?;
                let tag = tag.into_owned();
                let event = variant(rest, &tag)?;
                Ok((tag, event))
            }
        }
        let mut de = ::serde_json::Deserializer::from_str(json);
        de.deserialize_map(Visitor).map_err(|e| e.to_string())
    }

    #[test]
    fn entries_before_the_tag_are_replayed_in_order() {
        let (tag, event) = dispatch(
            r#"{"id": "e1", "data": {"k": [1, 2]}, "count": -3, "type": "a.b", "more": true}"#,
        )
        .unwrap();
        assert_eq!(tag, "a.b");
        assert_eq!(
            event,
            Event {
                id: "e1".into(),
                kind: "a.b".into(),
                data: ::serde_json::json!({"k": [1, 2]}),
                count: Some(-3),
            }
        );
        // The tag first: nothing buffered, the same result.
        let (_, first) =
            dispatch(r#"{"type": "a.b", "id": "e1", "data": {"k": [1, 2]}, "count": -3}"#).unwrap();
        assert_eq!(first, event);
    }

    #[test]
    fn errors_name_the_tag_and_lose_the_inner_position() {
        assert_eq!(
            dispatch(r#"{"id": "e1", "type": "a.b"}"#).unwrap_err(),
            "a.b: missing field `data` at line 1 column 27"
        );
        assert_eq!(
            dispatch(r#"{"id": 5, "type": "a.b", "data": null}"#).unwrap_err(),
            "a.b: invalid type: integer `5`, expected a string at line 1 column 23"
        );
        assert_eq!(
            dispatch(r#"{"id": "e1"}"#).unwrap_err(),
            "missing field `type` at line 1 column 12"
        );
    }

    #[test]
    fn a_duplicate_property_across_the_tag_is_rejected() {
        let error = dispatch(r#"{"id": "e1", "type": "a.b", "id": "e2", "data": 1}"#).unwrap_err();
        assert!(error.starts_with("a.b: duplicate field `id`"), "{error}");
    }

    #[test]
    fn keys_and_strings_are_borrowed_from_the_input_when_they_can_be() {
        let mut de = ::serde_json::Deserializer::from_str(r#""plain""#);
        let Key(key) = Key::deserialize(&mut de).unwrap();
        assert!(matches!(key, Cow::Borrowed("plain")));
        let mut de = ::serde_json::Deserializer::from_str(r#""esc\"aped""#);
        let Key(key) = Key::deserialize(&mut de).unwrap();
        assert!(matches!(key, Cow::Owned(ref s) if s == "esc\"aped"));
    }

    #[test]
    fn the_raw_object_keeps_every_entry_and_require_checks_the_envelope() {
        struct Raw;
        impl<'de> de::Visitor<'de> for Raw {
            type Value = ::serde_json::Value;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                let (_, rest) = read_until_tag(map, "type", Entries::new())?;
                collect_raw(rest)
            }
        }
        let json = r#"{"z": 1, "type": "new.kind", "a": [true]}"#;
        let raw = ::serde_json::Deserializer::from_str(json)
            .deserialize_map(Raw)
            .unwrap();
        assert_eq!(
            raw,
            ::serde_json::json!({"z": 1, "type": "new.kind", "a": [true]})
        );
        let missing = require::<String, ::serde_json::Error>(&raw, "new.kind", "id").unwrap_err();
        assert_eq!(missing.to_string(), "new.kind: missing field `id`");
        let wrong = require::<String, ::serde_json::Error>(&raw, "new.kind", "z").unwrap_err();
        assert_eq!(
            wrong.to_string(),
            "new.kind: z: invalid type: integer `1`, expected a string"
        );
        require::<i64, ::serde_json::Error>(&raw, "new.kind", "z").unwrap();
    }

    #[test]
    fn positions_are_stripped_only_when_they_are_positions() {
        assert_eq!(strip_position("bad at line 3 column 14"), "bad");
        assert_eq!(
            strip_position("bad at line three column 14"),
            "bad at line three column 14"
        );
        assert_eq!(strip_position("no position"), "no position");
    }
}
