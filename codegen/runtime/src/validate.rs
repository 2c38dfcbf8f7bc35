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

/// The embedded documents, each parsed once per validator built, with its
/// own absolute `$id` where it has one; served to the `jsonschema` crate
/// by URI.
struct Documents(Vec<Document>);

/// One embedded document.
struct Document {
    /// Its name among the embedded documents (`schemaweave:///pet.json`).
    name: &'static str,
    /// Its own `$id`, when that is an absolute URI.
    id: Option<String>,
    value: Value,
}

impl Documents {
    /// Parses `documents` (JSON the generator wrote).
    fn parse(documents: &[(&'static str, &'static str)]) -> Result<Documents, String> {
        documents
            .iter()
            .map(|(name, text)| {
                let value: Value =
                    serde_json::from_str(text).map_err(|e| format!("`{name}`: {e}"))?;
                let id = absolute_id(&value).map(str::to_string);
                Ok(Document { name, id, value })
            })
            .collect::<Result<_, String>>()
            .map(Documents)
    }

    fn named(&self, name: &str) -> Option<&Document> {
        self.0.iter().find(|d| d.name == name)
    }

    /// The document `uri` names: by name; by its own absolute `$id`,
    /// which the validator asks for once it has read the document; or,
    /// for a relative `$ref` in a document with an absolute `$id` that no
    /// `$id` answers, as the generator reads it, the file at that path
    /// beside the document (`https://example.com/s/bom.json` + `jsf.json`
    /// → the `jsf.json` beside `bom.json`).
    fn find(&self, uri: &str) -> Option<&Document> {
        self.named(uri)
            .or_else(|| self.0.iter().find(|d| d.id.as_deref() == Some(uri)))
            .or_else(|| {
                self.0.iter().find_map(|d| {
                    let id = d.id.as_deref()?;
                    let path = uri.strip_prefix(&id[..=id.rfind('/')?])?;
                    self.named(&format!("{}{path}", &d.name[..=d.name.rfind('/')?]))
                })
            })
    }
}

impl jsonschema::Retrieve for Documents {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let wanted = uri.as_str();
        let wanted = wanted.split('#').next().unwrap_or(wanted);
        match self.find(wanted) {
            Some(document) => Ok(document.value.clone()),
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
            let cannot = |e: &dyn fmt::Display| Invalid {
                keyword: "$ref".into(),
                pointer: String::new(),
                value: String::new(),
                message: format!("the schema {reference} cannot be checked: {e}"),
            };
            let documents = Documents::parse(documents).map_err(|e| cannot(&e))?;
            let (uri, fragment) = reference.split_once('#').unwrap_or((reference, ""));
            let document = documents.named(uri);
            // Through the document's own absolute `$id` when it has one
            // (`https://example.com/pet.json#/$defs/Pet`): a schema under
            // it with a relative `$id` of its own resolves its references
            // against the document's `$id`, as JSON Schema says, only when
            // reached that way.
            let schema = match document.and_then(|d| d.id.as_deref()) {
                Some(id) => serde_json::json!({ "$ref": format!("{id}#{fragment}") }),
                None => serde_json::json!({ "$ref": reference }),
            };
            let draft = document.and_then(|d| draft_of(&d.value));
            let mut options = jsonschema::options()
                .with_retriever(documents)
                // Formats are checked too (date-time, email, uuid, …); a
                // format the validator does not know is ignored.
                .should_validate_formats(true);
            if let Some(draft) = draft {
                options = options.with_draft(draft);
            }
            options
                .build(&schema)
                .map(|inner| Validator { inner })
                .map_err(|e| cannot(&e))
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

/// A document's own `$id` when it is an absolute URI (without its empty
/// fragment).
fn absolute_id(document: &Value) -> Option<&str> {
    let id = document.get("$id")?.as_str()?;
    let id = id.strip_suffix('#').unwrap_or(id);
    let scheme = id.split(':').next()?;
    let absolute = id.contains(':')
        && !scheme.is_empty()
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    (absolute && !id.contains('#')).then_some(id)
}

/// The draft the validator reads `document` in (and the documents that
/// declare none), where the validator's own choice
/// (the current draft, 2020-12) would read it differently from the
/// generator:
/// - a document that declares a draft by `$schema` is read in it: the
///   validator's default would not bring that draft's meta-schema, so a
///   draft-07 document's `$ref` to `http://json-schema.org/draft-07/schema#`
///   (a property holding a schema) could not be resolved;
/// - a document that declares none but uses a form only earlier drafts
///   define is read in that draft, as the generator reads it: a `$id` that
///   is only a fragment (`"#foo"`, draft 6 and 7's anchor), or a `$ref` to
///   the meta-schema of draft 4, 6 or 7.
///
/// `None` leaves the choice to the validator.
fn draft_of(document: &Value) -> Option<jsonschema::Draft> {
    use jsonschema::Draft;
    /// The draft a meta-schema URI names.
    fn named(uri: &str) -> Option<Draft> {
        let rest = uri
            .strip_prefix("http://json-schema.org/")
            .or_else(|| uri.strip_prefix("https://json-schema.org/"))?;
        let path = rest.split('#').next().unwrap_or(rest).trim_end_matches('/');
        match path {
            "draft-04/schema" => Some(Draft::Draft4),
            "draft-06/schema" => Some(Draft::Draft6),
            "draft-07/schema" => Some(Draft::Draft7),
            "draft/2019-09/schema" => Some(Draft::Draft201909),
            "draft/2020-12/schema" => Some(Draft::Draft202012),
            _ => None,
        }
    }
    /// The first form of an earlier draft found under `value`.
    fn earlier_form(value: &Value) -> Option<Draft> {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(id)) = map.get("$id") {
                    if id.starts_with('#') {
                        return Some(Draft::Draft7);
                    }
                }
                if let Some(Value::String(target)) = map.get("$ref") {
                    if let Some(draft @ (Draft::Draft4 | Draft::Draft6 | Draft::Draft7)) =
                        named(target)
                    {
                        return Some(draft);
                    }
                }
                map.values().find_map(earlier_form)
            }
            Value::Array(items) => items.iter().find_map(earlier_form),
            _ => None,
        }
    }
    match document.get("$schema") {
        Some(Value::String(declared)) => named(declared),
        Some(_) => None,
        None => earlier_form(document),
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

    static EARLIER: &[(&str, &str)] = &[
        // Draft 7, declared, with a property holding a schema.
        (
            "schemaweave:///declared.json",
            r#"{"$schema": "http://json-schema.org/draft-07/schema#", "properties": {"schema": {"$ref": "http://json-schema.org/draft-07/schema#"}}}"#,
        ),
        // Draft 7 by its anchor form, undeclared.
        (
            "schemaweave:///anchor.json",
            r##"{"allOf": [{"$ref": "#positive"}], "definitions": {"P": {"$id": "#positive", "minimum": 1}}}"##,
        ),
        // An absolute `$id`, and a schema under it with a relative one.
        (
            "schemaweave:///based.json",
            r#"{"$id": "https://example.com/root/base.json", "$defs": {"foo": {"$id": "nested/foo.json", "$ref": "./bar.json"}, "bar": {"$id": "nested/bar.json", "type": "number"}}}"#,
        ),
        // A relative reference that no `$id` answers: the file beside.
        (
            "schemaweave:///sbom/bom.json",
            r#"{"$id": "http://sbom.example/schema/bom-1.0.json", "properties": {"signature": {"$ref": "sig.json#/$defs/Sig"}}}"#,
        ),
        (
            "schemaweave:///sbom/sig.json",
            r#"{"$id": "http://sbom.example/schema/sig-0.1.json", "$defs": {"Sig": {"type": "string"}}}"#,
        ),
        // Undeclared, nothing of an earlier draft: the validator's choice.
        (
            "schemaweave:///plain.json",
            r##"{"$defs": {"N": {"$anchor": "n", "type": "integer"}}, "$ref": "#n"}"##,
        ),
    ];

    #[test]
    fn documents_are_read_in_their_draft_and_found_as_the_generator_finds_them() {
        static DECLARED: OnceLock<Result<Validator, Invalid>> = OnceLock::new();
        let v = Validator::cached(&DECLARED, EARLIER, "schemaweave:///declared.json#").unwrap();
        assert!(v.check(&json!({"schema": {"type": "string"}})).is_ok());
        assert!(v.check(&json!({"schema": {"type": 12}})).is_err());

        static ANCHOR: OnceLock<Result<Validator, Invalid>> = OnceLock::new();
        let v = Validator::cached(&ANCHOR, EARLIER, "schemaweave:///anchor.json#").unwrap();
        assert!(v.check(&json!(3)).is_ok());
        assert_eq!(v.check(&json!(0)).unwrap_err().keyword, "minimum");

        // `nested/foo.json` → `./bar.json` is the `bar` of the document
        // whose `$id` is https://example.com/root/base.json.
        static BASED: OnceLock<Result<Validator, Invalid>> = OnceLock::new();
        let v = Validator::cached(&BASED, EARLIER, "schemaweave:///based.json#/$defs/foo").unwrap();
        assert!(v.check(&json!(5)).is_ok());
        assert_eq!(v.check(&json!("a")).unwrap_err().keyword, "type");

        static BESIDE: OnceLock<Result<Validator, Invalid>> = OnceLock::new();
        let v = Validator::cached(&BESIDE, EARLIER, "schemaweave:///sbom/bom.json#").unwrap();
        assert!(v.check(&json!({"signature": "abc"})).is_ok());
        assert_eq!(
            v.check(&json!({"signature": 1})).unwrap_err().keyword,
            "type"
        );

        static PLAIN: OnceLock<Result<Validator, Invalid>> = OnceLock::new();
        let v = Validator::cached(&PLAIN, EARLIER, "schemaweave:///plain.json#").unwrap();
        assert!(v.check(&json!(3)).is_ok());
        assert_eq!(v.check(&json!("x")).unwrap_err().keyword, "type");
    }
}
