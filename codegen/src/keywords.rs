//! The one table of JSON Schema keywords: what each means to the generator
//! and where its subschemas are. Lowering (which keywords it acts on, warns
//! about or refuses), event extraction (which keywords survive expansion,
//! which children hold schemas), `diff` (which keywords are documentation,
//! and where subschemas are, when it lists what moved in a schema whose
//! generated types did not change), `sync` and definition discovery all
//! read it. `diff` never decides an impact from a keyword's role: it
//! compares the generated models.
//!
//! To teach the generator a keyword: add it here with its role and slots,
//! then act on it in lowering (the compiler does not force that step: a
//! `Structural` keyword nobody reads is silently ignored, so add a fixture).
//! `uniqueItems` is the worked example: its entry below, its lowering in
//! `lower/scalars.rs` (`lower_array`), a new `RustType::Set` in the model
//! (the compiler then points at each match that must handle it), its
//! spelling in `emit.rs` (`rust_type`), and the fixture
//! `codegen/fixtures/cases/unique_items.*`.

/// What a keyword does to the generated Rust types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// Decides the Rust type or the wire format (`type`, `properties`,
    /// `enum`, `default`, ...).
    Structural,
    /// Documents the type: copied into doc comments (`description`,
    /// `deprecated`); changes neither the type nor the wire format.
    Documentation,
    /// Narrows the valid values in ways the types do not enforce
    /// (`maxLength`, `pattern`, ...): understood, quietly not enforced.
    Validation,
    /// Narrows the valid values in ways the types cannot express (`not`,
    /// `if`/`then`/`else`, ...): not enforced, with a warning, because the
    /// types then accept a visible superset.
    NotEnforced,
    /// Changes the shape in ways not supported yet: the schema falls back to
    /// `serde_json::Value`, with a warning.
    Unsupported,
    /// Ignored on purpose: identifies or annotates the schema (`$id`,
    /// `title`, `examples`, ...).
    Annotation,
    /// Holds definitions to be named (`$defs`, `definitions`).
    Definitions,
    /// `x-*`: vendor extensions, ignored.
    Extension,
}

/// Where a keyword's subschemas are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slots {
    /// No subschema (a value, a list of names, a number).
    None,
    /// One schema.
    Schema,
    /// An array of schemas.
    Array,
    /// One schema, or an array of schemas (draft-07 `items`).
    SchemaOrArray,
    /// An object whose values are schemas.
    Map,
}

/// The instance types a keyword constrains: the others pass it untouched
/// (`maxLength` says nothing about a number). A set of bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Applies(u8);

impl Applies {
    /// Objects.
    pub(crate) const OBJECT: Applies = Applies(1);
    /// Arrays.
    pub(crate) const ARRAY: Applies = Applies(2);
    /// Strings.
    pub(crate) const STRING: Applies = Applies(4);
    /// Numbers and integers.
    pub(crate) const NUMBER: Applies = Applies(8);
    /// Strings, numbers and integers (`format`).
    pub(crate) const SCALAR: Applies = Applies(4 | 8);
    /// Every value (`enum`, `allOf`, `not`, annotations, …).
    pub(crate) const ANY: Applies = Applies(0xff);

    /// Whether a value of the JSON Schema type `t` is constrained.
    pub(crate) fn to(self, t: &str) -> bool {
        let bit = match t {
            "object" => 1,
            "array" => 2,
            "string" => 4,
            "number" | "integer" => 8,
            _ => 0xff,
        };
        self.0 & bit != 0
    }
}

/// Whether a keyword that does not decide a shape on its own can still
/// change the Rust type of a schema whose shape other keywords decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refines {
    /// Never: removing it leaves the generated code identical, docs aside
    /// (a completeness test checks that on every fixture).
    No,
    /// Always: integer widths from `minimum`/`maximum`, tuple arity from
    /// `minItems`, names from `title`, the dialect from `$schema`, what a
    /// `$ref` names from `$id` and anchors.
    Yes,
    /// Under the named `Config` switch only (`uniqueItems` →
    /// `unique_items_as_set`).
    Switch(&'static str),
}

/// One keyword's entry.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Keyword {
    pub(crate) name: &'static str,
    pub(crate) role: Role,
    pub(crate) slots: Slots,
    /// The instance types it constrains.
    pub(crate) applies: Applies,
    /// Whether it can change the Rust type without being a shape itself
    /// (read by the completeness tests below).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) refines: Refines,
}

const fn k(name: &'static str, role: Role, slots: Slots) -> Keyword {
    Keyword {
        name,
        role,
        slots,
        applies: Applies::ANY,
        refines: Refines::No,
    }
}

impl Keyword {
    /// The same entry, constraining only values of these types.
    const fn on(self, applies: Applies) -> Keyword {
        Keyword { applies, ..self }
    }

    /// The same entry, refining the Rust type as said.
    const fn refining(self, refines: Refines) -> Keyword {
        Keyword { refines, ..self }
    }
}

const OBJ: Applies = Applies::OBJECT;
const ARR: Applies = Applies::ARRAY;
const STR: Applies = Applies::STRING;
const NUM: Applies = Applies::NUMBER;
const YES: Refines = Refines::Yes;

use Role::*;
use Slots::{Array, Map, None as Leaf, Schema, SchemaOrArray};

/// Every keyword the generator knows, drafts 4 to 2020-12 and OpenAPI 3.
pub(crate) const KEYWORDS: &[Keyword] = &[
    // Structure.
    k("$ref", Structural, Leaf),
    k("type", Structural, Leaf),
    k("properties", Structural, Map).on(OBJ),
    k("required", Structural, Leaf).on(OBJ),
    k("additionalProperties", Structural, Schema).on(OBJ),
    k("patternProperties", Structural, Map).on(OBJ),
    k("items", Structural, SchemaOrArray).on(ARR),
    k("prefixItems", Structural, Array).on(ARR),
    k("additionalItems", Structural, Schema).on(ARR),
    k("enum", Structural, Leaf),
    k("const", Structural, Leaf),
    k("allOf", Structural, Array),
    k("anyOf", Structural, Array),
    k("oneOf", Structural, Array),
    k("discriminator", Structural, Leaf),
    k("nullable", Structural, Leaf),
    k("format", Structural, Leaf).on(Applies::SCALAR),
    k("default", Structural, Leaf),
    // Documentation.
    k("description", Documentation, Leaf),
    k("deprecated", Documentation, Leaf),
    // Validation the types do not enforce.
    k("minLength", Validation, Leaf).on(STR),
    k("maxLength", Validation, Leaf).on(STR),
    k("pattern", Validation, Leaf).on(STR),
    // The range of an integer picks its width (`lower/scalars.rs`).
    k("minimum", Validation, Leaf).on(NUM).refining(YES),
    k("maximum", Validation, Leaf).on(NUM).refining(YES),
    k("exclusiveMinimum", Validation, Leaf)
        .on(NUM)
        .refining(YES),
    k("exclusiveMaximum", Validation, Leaf)
        .on(NUM)
        .refining(YES),
    k("multipleOf", Validation, Leaf).on(NUM),
    // A tuple's items past `minItems` may be missing (a tuple struct).
    k("minItems", Validation, Leaf).on(ARR).refining(YES),
    k("maxItems", Validation, Leaf).on(ARR),
    // With `Config::unique_items_as_set` it makes a `BTreeSet`
    // (lower/scalars.rs), so a change to it can change the Rust type.
    k("uniqueItems", Validation, Leaf)
        .on(ARR)
        .refining(Refines::Switch("unique_items_as_set")),
    k("minProperties", Validation, Leaf).on(OBJ),
    k("maxProperties", Validation, Leaf).on(OBJ),
    k("contentEncoding", Validation, Leaf).on(STR),
    k("contentMediaType", Validation, Leaf).on(STR),
    // Validation the types cannot express.
    k("not", NotEnforced, Schema),
    k("if", NotEnforced, Schema),
    k("then", NotEnforced, Schema),
    k("else", NotEnforced, Schema),
    k("propertyNames", NotEnforced, Schema).on(OBJ),
    k("dependentRequired", NotEnforced, Leaf).on(OBJ),
    k("dependentSchemas", NotEnforced, Map).on(OBJ),
    k("unevaluatedProperties", NotEnforced, Schema).on(OBJ),
    k("unevaluatedItems", NotEnforced, Schema).on(ARR),
    k("contains", NotEnforced, Schema).on(ARR),
    k("minContains", NotEnforced, Leaf).on(ARR),
    k("maxContains", NotEnforced, Leaf).on(ARR),
    k("dependencies", NotEnforced, Map).on(OBJ),
    k("$dynamicAnchor", NotEnforced, Leaf).refining(YES),
    k("$recursiveAnchor", NotEnforced, Leaf),
    // Not supported yet.
    k("$dynamicRef", Unsupported, Leaf),
    k("$recursiveRef", Unsupported, Leaf),
    // Ignored on purpose, except by what they change: the dialect decides
    // whether keywords beside `$ref` apply, ids and anchors what a `$ref`
    // names (resolved in `ids.rs`), a title the name of a type.
    k("$schema", Annotation, Leaf).refining(YES),
    k("$id", Annotation, Leaf).refining(YES),
    k("$anchor", Annotation, Leaf).refining(YES),
    k("$vocabulary", Annotation, Leaf),
    // Editor vocabularies (VS Code's JSON language service, IntelliJ,
    // yaml-language-server): hints for people typing a document.
    k("markdownDescription", Annotation, Leaf),
    k("markdownEnumDescriptions", Annotation, Leaf),
    k("enumDescriptions", Annotation, Leaf),
    k("enumNames", Annotation, Leaf),
    k("deprecationMessage", Annotation, Leaf),
    k("errorMessage", Annotation, Leaf),
    k("patternErrorMessage", Annotation, Leaf),
    k("defaultSnippets", Annotation, Leaf),
    k("doNotSuggest", Annotation, Leaf),
    k("suggestSortText", Annotation, Leaf),
    k("allowComments", Annotation, Leaf),
    k("allowTrailingCommas", Annotation, Leaf),
    k("ignoreCase", Annotation, Leaf),
    k("fileMatch", Annotation, Leaf),
    k("$comment", Annotation, Leaf),
    k("title", Annotation, Leaf).refining(YES),
    k("examples", Annotation, Leaf),
    k("example", Annotation, Leaf),
    k("readOnly", Annotation, Leaf),
    k("writeOnly", Annotation, Leaf),
    // Containers of named definitions.
    k("$defs", Definitions, Map),
    k("definitions", Definitions, Map),
    // Vendor extensions that change what a document may hold (every other
    // `x-*` is an annotation): Kubernetes' structural schemas and
    // OpenAPI 2's nullability.
    // A value that is an integer or a string (`lower/classify.rs`).
    k("x-kubernetes-int-or-string", Structural, Leaf),
    // Unknown fields are data: an object keeps them (`lower/objects.rs`).
    k("x-kubernetes-preserve-unknown-fields", Structural, Leaf).on(OBJ),
    // OpenAPI 2's `nullable: true` (`lower/classify.rs`).
    k("x-nullable", Structural, Leaf),
    // The user's own Rust type for this schema, a path or typify's
    // `{crate, path}` object: the schema's type is not generated
    // (`custom.rs`, as `--replace`).
    k("x-rust-type", Structural, Leaf),
];

/// The entry for `name`: the listed extensions as listed, any other `x-*`
/// an annotation ([`Role::Extension`]); `None` for a keyword the generator
/// does not know.
pub(crate) fn lookup(name: &str) -> Option<Keyword> {
    let known = KEYWORDS
        .iter()
        .find(|keyword| keyword.name == name)
        .copied();
    if known.is_none() && name.starts_with("x-") {
        return Some(k("x-", Extension, Leaf));
    }
    known
}

/// The role of `name`, if the generator knows it.
pub(crate) fn role(name: &str) -> Option<Role> {
    lookup(name).map(|keyword| keyword.role)
}

/// Whether `name` constrains only some instance types, `t` among them
/// (`properties` for `object`, `maxLength` for `string`): what a member of
/// a type list keeps, and what a merge of objects reads.
pub(crate) fn specific_to(name: &str, t: &str) -> bool {
    lookup(name).is_some_and(|k| k.applies != Applies::ANY && k.applies.to(t))
}

/// Whether `name` decides part of an object's shape (`properties`,
/// `required`, `additionalProperties`, `patternProperties`, …).
pub(crate) fn shapes_objects(name: &str) -> bool {
    lookup(name).is_some_and(|k| k.role == Role::Structural && k.applies == Applies::OBJECT)
}

/// Whether `name` is a shape keyword that cannot apply to a value of type
/// `t` (`properties` on a string, `items` on an object).
pub(crate) fn foreign_to(name: &str, t: &str) -> bool {
    lookup(name).is_some_and(|k| {
        k.role == Role::Structural && k.applies != Applies::ANY && !k.applies.to(t)
    })
}

/// Where `name`'s subschemas are ([`Slots::None`] for unknown keywords:
/// their values are not read as schemas).
pub(crate) fn slots(name: &str) -> Slots {
    lookup(name).map_or(Slots::None, |keyword| keyword.slots)
}

/// Where a document keeps the schemas it names: `$defs` and `definitions`
/// in any schema document, `components/schemas` in an OpenAPI document
/// (one with an `openapi` key), as JSON pointers from the root.
pub(crate) fn definition_containers(
    root: &serde_json::Map<String, serde_json::Value>,
) -> Vec<&'static str> {
    let mut containers: Vec<&'static str> = vec!["/$defs", "/definitions"];
    if root.contains_key("openapi") {
        containers.push("/components/schemas");
    }
    containers
}

/// Whether the pointer names a definition: a key directly inside one of the
/// [`definition_containers`] (for any document), or the root itself.
pub(crate) fn is_definition_pointer(pointer: &str) -> bool {
    let segments: Vec<&str> = pointer.split('/').skip(1).collect();
    match segments.as_slice() {
        [] | ["components", "schemas", _] => true,
        [container, _] => role(container) == Some(Role::Definitions),
        _ => false,
    }
}

#[cfg(test)]
mod completeness;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_keyword_is_listed_once() {
        let mut names: Vec<&str> = KEYWORDS.iter().map(|k| k.name).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(names.len(), before);
    }

    #[cfg(feature = "webhooks")]
    #[test]
    fn roles_and_slots() {
        assert_eq!(role("maxLength"), Some(Role::Validation));
        assert_eq!(role("x-anything"), Some(Role::Extension));
        assert_eq!(role("min_items"), Option::None);
        assert_eq!(slots("items"), Slots::SchemaOrArray);
        assert_eq!(slots("x-schema"), Slots::None);
        assert!(is_definition_pointer("/components/schemas/A"));
        assert!(!is_definition_pointer("/components/schemas/A/properties/b"));
    }
}
