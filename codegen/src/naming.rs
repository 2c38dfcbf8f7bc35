//! Identifiers: case conversion, keywords, and collisions.
//!
//! Rules (also in the README):
//! - a definition's type name is its key in UpperCamelCase;
//! - an inline object, enum or constant is named after where it sits: the
//!   parent type's name followed by the property name in UpperCamelCase
//!   (`BatchCancelledWebhookEvent` + `data` → `BatchCancelledWebhookEventData`),
//!   and array items add `Item`;
//! - field names are snake_case; Rust keywords get a trailing underscore
//!   (`type` → `type_`) and a `#[serde(rename)]` keeps the JSON name;
//! - names that start with a digit get a leading letter (`V` for variants and
//!   types, `n` for fields); names with no letters or digits fall back to
//!   `Value`/`field`;
//! - a name already taken gets the smallest free numeric suffix, `Name2`, in
//!   the order the schema is read, so names are stable.

use std::collections::HashSet;

use heck::{ToSnakeCase, ToUpperCamelCase};

const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen", "union",
];

/// Names a generated type may not take because the generated code or the
/// prelude uses them.
const RESERVED_TYPES: &[&str] = &[
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "Box",
    "Vec",
    "String",
    "Self",
    "Default",
    "Clone",
    "Copy",
    "Debug",
    "Eq",
    "PartialEq",
    "Hash",
    "Ord",
    "PartialOrd",
    "Send",
    "Sync",
    "Sized",
    "Iterator",
    "From",
    "Into",
    "Drop",
    "Fn",
    "FnMut",
    "FnOnce",
    "ToString",
    "ToOwned",
];

/// An UpperCamelCase name for a type or variant.
pub fn type_name(raw: &str) -> String {
    let mut name = raw.to_upper_camel_case();
    name.retain(|c| c.is_ascii_alphanumeric() || c == '_');
    if name.is_empty() {
        return "Value".to_string();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'V');
    }
    if RESERVED_TYPES.contains(&name.as_str()) {
        name.push_str("Type");
    }
    name
}

/// A snake_case name for a field or method.
pub fn field_name(raw: &str) -> String {
    let mut name = raw.to_snake_case();
    name.retain(|c| c.is_ascii_alphanumeric() || c == '_');
    let name = name.trim_matches('_').to_string();
    let mut name = if name.is_empty() {
        "field".to_string()
    } else {
        name
    };
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'n');
    }
    if KEYWORDS.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

/// Hands out names unique within one scope.
#[derive(Debug, Default, Clone)]
pub struct Scope {
    taken: HashSet<String>,
}

impl Scope {
    /// `wanted` if free, otherwise `wanted2`, `wanted3`, …; the result is taken.
    pub fn claim(&mut self, wanted: &str) -> String {
        let mut candidate = wanted.to_string();
        let mut n = 2;
        while self.taken.contains(&candidate) {
            candidate = format!("{wanted}{n}");
            n += 1;
        }
        self.taken.insert(candidate.clone());
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names() {
        assert_eq!(type_name("batch.cancelled"), "BatchCancelled");
        assert_eq!(
            type_name("fine_tuning.job.succeeded"),
            "FineTuningJobSucceeded"
        );
        assert_eq!(type_name("+1"), "V1");
        assert_eq!(type_name("Option"), "OptionType");
        assert_eq!(type_name("***"), "Value");
    }

    #[test]
    fn field_names() {
        assert_eq!(field_name("created_at"), "created_at");
        assert_eq!(field_name("createdAt"), "created_at");
        assert_eq!(field_name("type"), "type_");
        assert_eq!(field_name("self"), "self_");
        assert_eq!(field_name("+1"), "n1");
        assert_eq!(field_name("$"), "field");
    }

    #[test]
    fn collisions_get_stable_suffixes() {
        let mut scope = Scope::default();
        assert_eq!(scope.claim("Data"), "Data");
        assert_eq!(scope.claim("Data"), "Data2");
        assert_eq!(scope.claim("Data"), "Data3");
        assert_eq!(scope.claim("X"), "X");
        assert_eq!(scope.claim("X"), "X2");
    }
}
