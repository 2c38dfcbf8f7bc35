//! Validation for generated types made with `--validate` (feature
//! `validate`): the value is checked against the type's own schema, as the
//! schema's author wrote it, by the `jsonschema` crate, before it is read
//! into the type.
//!
//! The generated file embeds the schema documents it was made from
//! (`(uri, json)` pairs); each validated type compiles its validator once,
//! on first use, from a reference to its schema in those documents.
//! References between the documents resolve among them, never from the
//! network or the file system.

use std::fmt;
use std::sync::OnceLock;

use serde_json::Value;

/// A compiled validator for one schema of the embedded documents.
pub struct Validator {
    inner: jsonschema::Validator,
}

impl fmt::Debug for Validator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Validator")
    }
}

/// Serves the embedded documents to the `jsonschema` crate by URI.
struct Documents(&'static [(&'static str, &'static str)]);

impl jsonschema::Retrieve for Documents {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let wanted = uri.as_str();
        let wanted = wanted.split('#').next().unwrap_or(wanted);
        match self.0.iter().find(|(name, _)| *name == wanted) {
            Some((_, text)) => Ok(serde_json::from_str(text)?),
            None => Err(format!(
                "`{wanted}` is not among the documents the types were generated from"
            )
            .into()),
        }
    }
}

impl Validator {
    /// The validator of the schema `reference` (`schemaweave:///file.json#/$defs/Pet`)
    /// among `documents`, compiled on first use and kept in `cell`; an
    /// error (kept too) when the validator cannot compile the schema, which
    /// every check then reports.
    pub fn cached(
        cell: &'static OnceLock<Result<Validator, Invalid>>,
        documents: &'static [(&'static str, &'static str)],
        reference: &str,
    ) -> Result<&'static Validator, &'static Invalid> {
        cell.get_or_init(|| {
            let schema = serde_json::json!({ "$ref": reference });
            jsonschema::options()
                .with_retriever(Documents(documents))
                // Formats are checked too (date-time, email, uuid, …); a
                // format the validator does not know is ignored.
                .should_validate_formats(true)
                .build(&schema)
                .map(|inner| Validator { inner })
                .map_err(|e| Invalid {
                    keyword: "$ref".into(),
                    pointer: String::new(),
                    value: String::new(),
                    message: format!("the schema {reference} cannot be checked: {e}"),
                })
        })
        .as_ref()
    }

    /// Checks `value`; the first error found, when it is invalid.
    pub fn check(&self, value: &Value) -> Result<(), Invalid> {
        match self.inner.iter_errors(value).next() {
            None => Ok(()),
            Some(error) => Err(Invalid {
                keyword: error.kind().keyword().to_string(),
                pointer: error.instance_path().to_string(),
                value: error.instance().to_string(),
                message: error.to_string(),
            }),
        }
    }
}

/// Why a value is not valid: the keyword that rejected it, where in the
/// document (a JSON pointer; empty for the whole value), and the value
/// found there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// The JSON Schema keyword (`minimum`, `pattern`, `not`, …).
    pub keyword: String,
    /// Where in the document, as a JSON pointer (`/pets/0/name`).
    pub pointer: String,
    /// The rejected value, as JSON (long values are cut).
    pub value: String,
    /// The validator's own sentence.
    pub message: String,
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.pointer.is_empty() {
            "/"
        } else {
            &self.pointer
        };
        let mut value = self.value.clone();
        if value.chars().count() > 80 {
            value = value.chars().take(77).collect::<String>() + "...";
        }
        write!(
            f,
            "`{}` fails at {at} (value {value}): {}",
            self.keyword, self.message
        )
    }
}

impl std::error::Error for Invalid {}

/// Reads `deserializer` as JSON, checks it with `validator`, and gives the
/// value to `read` (the type's own reading, without the check).
pub fn deserialize<'de, D, T>(
    deserializer: D,
    validator: Result<&Validator, &Invalid>,
    read: impl FnOnce(Value) -> Result<T, serde_json::Error>,
) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
{
    use serde::de::Error as _;
    let value = <Value as serde::Deserialize>::deserialize(deserializer)?;
    let validator = validator.map_err(D::Error::custom)?;
    validator.check(&value).map_err(D::Error::custom)?;
    read(value).map_err(D::Error::custom)
}

/// Checks a value built in Rust: serializes it and checks the JSON.
pub fn check_value<T: serde::Serialize>(
    value: &T,
    validator: Result<&Validator, &Invalid>,
) -> Result<(), Invalid> {
    let validator = validator.map_err(Clone::clone)?;
    let json = serde_json::to_value(value).map_err(|e| Invalid {
        keyword: String::new(),
        pointer: String::new(),
        value: String::new(),
        message: e.to_string(),
    })?;
    validator.check(&json)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    static DOCS: &[(&str, &str)] = &[
        (
            "schemaweave:///a.json",
            r#"{"$defs": {"Pet": {"type": "object", "properties": {"age": {"minimum": 0}, "tag": {"$ref": "b.json#/$defs/Tag"}}}}}"#,
        ),
        (
            "schemaweave:///b.json",
            r#"{"$defs": {"Tag": {"type": "string", "pattern": "^[a-z]+$"}}}"#,
        ),
    ];

    #[test]
    fn checks_against_the_embedded_documents() {
        static CELL: OnceLock<Result<Validator, Invalid>> = OnceLock::new();
        let v = Validator::cached(&CELL, DOCS, "schemaweave:///a.json#/$defs/Pet").unwrap();
        assert!(v.check(&json!({"age": 3, "tag": "abc"})).is_ok());
        let err = v.check(&json!({"age": -1})).unwrap_err();
        assert_eq!(
            (
                err.keyword.as_str(),
                err.pointer.as_str(),
                err.value.as_str()
            ),
            ("minimum", "/age", "-1")
        );
        assert_eq!(
            err.to_string(),
            "`minimum` fails at /age (value -1): -1 is less than the minimum of 0"
        );
        // Through a reference into the other document.
        let err = v.check(&json!({"tag": "ABC"})).unwrap_err();
        assert_eq!(err.keyword, "pattern");
        assert_eq!(err.pointer, "/tag");
        // A schema the validator cannot compile is an error, kept.
        static BROKEN: OnceLock<Result<Validator, Invalid>> = OnceLock::new();
        let err = Validator::cached(&BROKEN, DOCS, "schemaweave:///c.json#").unwrap_err();
        assert!(err.message.contains("cannot be checked"), "{err}");
    }
}
