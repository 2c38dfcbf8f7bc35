//! Strings, numbers, booleans, string constants and enums, arrays and
//! tuples.

use serde_json::Value;

use super::Lowerer;
use crate::load::NodeRef;
use crate::model::*;
use crate::naming::{self, Scope};

/// A one-value string type.
pub(super) fn lower_const(value: String) -> Const {
    Const {
        variant: naming::type_name(&value),
        value,
    }
}

/// A type of exactly these JSON values, each a unit variant named after
/// its value (`1` → `N1`, `-2.5` → `NMinus2Point5`, `false` → `False`).
pub(super) fn lower_literals(values: Vec<Value>) -> Literals {
    let mut scope = Scope::default();
    let variants = values
        .into_iter()
        .map(|value| {
            let wanted = match &value {
                Value::Null => "Null".to_string(),
                Value::Bool(true) => "True".to_string(),
                Value::Bool(false) => "False".to_string(),
                Value::Number(n) => {
                    let text = n
                        .to_string()
                        .replace('-', "Minus")
                        .replace('.', "Point")
                        .replace('+', "");
                    format!("N{text}")
                }
                Value::String(s) => naming::type_name(s),
                Value::Array(_) => "List".to_string(),
                Value::Object(_) => "Object".to_string(),
            };
            LiteralVariant {
                name: scope.claim(&wanted),
                value,
            }
        })
        .collect();
    Literals { variants }
}

/// A string enum; `open` names the variant that keeps other strings.
pub(super) fn lower_enum(values: Vec<String>, open: Option<String>) -> Enum {
    let mut scope = Scope::default();
    let variants = values
        .into_iter()
        .map(|value| EnumVariant {
            name: scope.claim(&naming::type_name(&value)),
            value,
        })
        .collect();
    Enum {
        variants,
        open: open.map(|o| scope.claim(&o)),
    }
}

impl Lowerer<'_> {
    /// `Vec<T>` of `items` (any JSON without it); a tuple for a prefix; a
    /// `BTreeSet<T>` for `uniqueItems: true` when the caller asks and `T`
    /// can be ordered.
    pub(super) fn lower_array(&mut self, node: &NodeRef, value: &Value, hint: &str) -> RustType {
        if value.get("prefixItems").is_some() || value.get("items").is_some_and(Value::is_array) {
            return self.lower_tuple(node, value, hint);
        }
        let inner = match value.get("items") {
            None => RustType::Value,
            // Only the empty array: not enforced (the schema of nothing).
            Some(Value::Bool(false)) => {
                self.diags.warn(
                    &node.child("items").location(),
                    "`items: false` (only an empty array is valid) is not enforced",
                );
                RustType::Value
            }
            Some(items) => {
                let child = node.child("items");
                self.lower_type(&child, items, &format!("{hint}Item"))
            }
        };
        let unique = value.get("uniqueItems") == Some(&Value::Bool(true));
        if unique && self.options.switches.unique_items_as_set {
            if inner.is_ordered() {
                return RustType::Set(Box::new(inner));
            }
            self.diags.warn(
                &node.child("uniqueItems").location(),
                "`uniqueItems`: the items cannot be ordered (only strings, integers and booleans can), so this array stays a `Vec` and uniqueness is not checked",
            );
        }
        RustType::Vec(Box::new(inner))
    }

    /// A tuple whose last items may be missing (see [`optional_tail`]).
    pub(super) fn lower_short_tuple(&mut self, node: &NodeRef, value: &Value, hint: &str) -> Tuple {
        let items = match self.lower_tuple(node, value, hint) {
            RustType::Tuple(items) => items,
            _ => Vec::new(),
        };
        let required = min_items(value).min(items.len());
        Tuple { items, required }
    }

    /// A tuple: `prefixItems` (or an older draft's `items: [..]`) with no
    /// further items allowed. Arrays that allow more items than the prefix
    /// cannot be a tuple: they fall back to `serde_json::Value`.
    fn lower_tuple(&mut self, node: &NodeRef, value: &Value, hint: &str) -> RustType {
        let (keyword, rest) = match value.get("prefixItems") {
            Some(_) => ("prefixItems", value.get("items")),
            None => ("items", value.get("additionalItems")),
        };
        let Some(Value::Array(prefix)) = value.get(keyword) else {
            self.diags.error(
                &node.child(keyword).location(),
                format!("`{keyword}` must be an array of schemas"),
            );
            return RustType::Value;
        };
        if rest != Some(&Value::Bool(false)) {
            self.diags.warn(
                &node.child(keyword).location(),
                "an array with a prefix that allows more items is not a tuple: it becomes `serde_json::Value` (add `items: false` to make it one)",
            );
            return RustType::Value;
        }
        let items = prefix
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let child = node.child(keyword).child(&i.to_string());
                self.lower_type(&child, item, &format!("{hint}Item{}", i + 1))
            })
            .collect();
        RustType::Tuple(items)
    }

    /// `string`, `integer`, `number`, `boolean`, with `format` read from a
    /// fixed table. An unknown format keeps the base type and warns.
    pub(super) fn lower_primitive(&mut self, node: &NodeRef, value: &Value, t: &str) -> RustType {
        let format = value.get("format").and_then(Value::as_str);
        if let Some(format) = format {
            let key = (t.to_string(), format.to_string());
            if let Some(path) = self.options.formats.get(&key) {
                return RustType::External(path.clone());
            }
        }
        let int = |signed, bits| RustType::Int { signed, bits };
        let (base, known) = match (t, format) {
            ("string", None) => (RustType::String, true),
            ("string", Some(f)) => (RustType::String, STRING_FORMATS.contains(&f)),
            ("integer", None) => (integer_for_range(value), true),
            ("integer", Some("int64") | Some("unixtime")) => (RustType::I64, true),
            ("integer", Some("int32")) => (int(true, 32), true),
            ("integer", Some("int16")) => (int(true, 16), true),
            ("integer", Some("int8")) => (int(true, 8), true),
            ("integer", Some("uint64")) => (int(false, 64), true),
            ("integer", Some("uint32")) => (int(false, 32), true),
            ("integer", Some("uint16")) => (int(false, 16), true),
            ("integer", Some("uint8")) => (int(false, 8), true),
            ("integer", Some(_)) => (RustType::I64, false),
            ("number", None | Some("double")) => (RustType::Float { bits: 64 }, true),
            ("number", Some("float")) => (RustType::Float { bits: 32 }, true),
            ("number", Some(_)) => (RustType::Float { bits: 64 }, false),
            ("boolean", _) => (RustType::Bool, format.is_none()),
            _ => (RustType::Value, false),
        };
        if !known {
            self.diags.warn(
                &node.child("format").location(),
                format!(
                    "unknown format `{}` for `{t}`: generating the plain type",
                    format.unwrap_or_default()
                ),
            );
        }
        base
    }
}

/// `minItems`, 0 when absent.
fn min_items(value: &Value) -> usize {
    value
        .get("minItems")
        .and_then(Value::as_u64)
        .map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX))
}

/// Whether `value` is a tuple (a prefix, no further items) that fewer
/// items than the prefix also satisfy: it becomes a named
/// [`TypeKind::Tuple`] rather than a Rust tuple, which needs every item.
pub(super) fn optional_tail(value: &Value) -> bool {
    let (prefix, rest) = match value.get("prefixItems") {
        Some(prefix) => (prefix, value.get("items")),
        None => match value.get("items") {
            Some(prefix @ Value::Array(_)) => (prefix, value.get("additionalItems")),
            _ => return false,
        },
    };
    let Value::Array(prefix) = prefix else {
        return false;
    };
    rest == Some(&Value::Bool(false)) && !prefix.is_empty() && min_items(value) < prefix.len()
}

/// String formats the generator knows; all map to `String` by default.
const STRING_FORMATS: &[&str] = &[
    "date-time",
    "date",
    "time",
    "duration",
    "email",
    "idn-email",
    "hostname",
    "idn-hostname",
    "ipv4",
    "ipv6",
    "uri",
    "uri-reference",
    "iri",
    "iri-reference",
    "uuid",
    "uri-template",
    "json-pointer",
    "relative-json-pointer",
    "regex",
    "byte",
    "binary",
    "password",
];

/// An integer without `format`: `minimum`/`maximum` choose the width, the
/// narrowest that holds both (unsigned when `minimum >= 0`); without both
/// bounds, `i64` (or `u64` when only `minimum >= 0` is known). The 2019+
/// numeric `exclusiveMinimum`/`exclusiveMaximum` count as bounds one past
/// them (the draft-04 boolean forms only make `minimum`/`maximum` strict,
/// which never widens the type).
pub(super) fn integer_for_range(value: &Value) -> RustType {
    let bound = |inclusive: &str, exclusive: &str, step: f64| {
        let inclusive = value.get(inclusive).and_then(Value::as_f64);
        let exclusive = value
            .get(exclusive)
            .and_then(Value::as_f64)
            .map(|b| b + step);
        match (inclusive, exclusive) {
            (Some(a), Some(b)) if step > 0.0 => Some(a.max(b)),
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    };
    let min = bound("minimum", "exclusiveMinimum", 1.0);
    let max = bound("maximum", "exclusiveMaximum", -1.0);
    let int = |signed, bits| RustType::Int { signed, bits };
    match (min, max) {
        (Some(min), Some(max)) if min >= 0.0 => {
            let bits = [8u16, 16, 32, 64]
                .into_iter()
                .find(|b| max <= 2f64.powi(i32::from(*b)) - 1.0)
                .unwrap_or(64);
            int(false, bits)
        }
        (Some(min), Some(max)) => {
            let bits = [8u16, 16, 32, 64]
                .into_iter()
                .find(|b| {
                    let half = 2f64.powi(i32::from(*b) - 1);
                    min >= -half && max <= half - 1.0
                })
                .unwrap_or(64);
            int(true, bits)
        }
        (Some(min), None) if min >= 0.0 => int(false, 64),
        _ => RustType::I64,
    }
}
