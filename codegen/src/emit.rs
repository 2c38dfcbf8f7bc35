//! Stage 3: the model → Rust tokens, with `quote`. Every decision was made in
//! [`crate::lower`]; this module only prints. Generated code uses fully
//! qualified paths (`::serde::Serialize`, `::std::string::String`) so it
//! compiles whatever the including module imports.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use crate::model::*;

mod enums;
mod literals;
mod resume;
mod schemars;
mod structs;
mod tuple;
mod union;
mod untagged;
pub(crate) mod validated;

/// Choices about the emitted code that the model does not decide.
#[derive(Debug, Clone, Default)]
pub struct EmitOptions {
    /// When set, every type also implements `schemars::JsonSchema` under
    /// `#[cfg(feature = "<this>")]`: derived where serde is derived, written
    /// out for open enums and unions (whose serde impls are hand-made).
    pub schemars_feature: Option<String>,
    /// The path of the runtime crate in generated code, when not
    /// `::schemaweave_runtime` (applied by [`crate::render`]).
    pub runtime_path: Option<String>,
    /// The map type, when not `::std::collections::BTreeMap` (applied by
    /// [`crate::render`]).
    pub map_type: Option<String>,
    /// When types check their values (`--validate`): the name of the
    /// static that embeds the schema documents, and the documents (`uri`,
    /// JSON text).
    pub documents: Option<(String, Vec<(String, String)>)>,
}

/// Emits the types `range` of `space` (a slice of the output, so that
/// slices can be formatted in parallel and joined: see
/// `crate::generate_code`). Generated code that has unions or keeps absent
/// and `null` apart calls the `schemaweave-runtime` crate
/// (`::schemaweave_runtime`), which the including crate depends on.
pub fn emit_range(
    space: &TypeSpace,
    range: std::ops::Range<usize>,
    options: &EmitOptions,
) -> TokenStream {
    let mut out = TokenStream::new();
    for def in &space.types[range] {
        out.extend(emit_type(space, def, options));
    }
    out
}

/// Whether anything in `space` is deprecated. Deprecated items should warn
/// where users touch them, not inside generated code, so then every
/// generated item allows the lint (added by [`crate::render`]).
pub fn any_deprecated(space: &TypeSpace) -> bool {
    space.types.iter().any(|t| {
        t.deprecated
            || matches!(&t.kind, TypeKind::Struct(s) if s.fields.iter().any(|f| f.deprecated))
    })
}

/// An identifier. Names come from [`crate::naming`], which only makes valid
/// ones; should one ever be invalid, it is repaired rather than panicking
/// (`Ident::new` panics), and the `syn` check in `render` still applies.
fn ident(name: &str) -> Ident {
    let valid = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name != "_"
        && !matches!(name, "self" | "Self" | "super" | "crate");
    if valid {
        Ident::new(name, Span::call_site())
    } else {
        let repaired: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        format_ident!("X{}", repaired)
    }
}

/// A JSON value for a doc comment: every control character written as an
/// escape (`\t`, `\r`, `\n`, `\u{1b}`), so that the comment shows the
/// value exactly.
fn escape_controls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// A line of prose for a doc comment: a tab becomes four spaces (rustdoc's
/// width, and what Clippy's `tabs_in_doc_comments` asks of the crates
/// that include the code), other control characters escapes.
fn escape_prose(text: &str) -> String {
    escape_controls(&text.replace('\t', "    "))
}

/// Doc attributes, one per line. Control characters inside a line (a
/// schema value with a newline or carriage return) are written as escapes:
/// a bare carriage return is not allowed in a doc comment.
fn docs(lines: &[String]) -> TokenStream {
    let lines = lines.iter().map(|l| {
        let text = if l.is_empty() {
            String::new()
        } else {
            format!(" {}", escape_prose(l))
        };
        quote!(#[doc = #text])
    });
    quote!(#(#lines)*)
}

/// An empty doc line between a type's own docs and a note the generator
/// adds, or nothing when the type has no docs (so that its docs do not
/// start with an empty line).
fn paragraph_break(doc: &TokenStream) -> TokenStream {
    if doc.is_empty() {
        quote!()
    } else {
        quote!(#[doc = ""])
    }
}

/// The derives of a type: the standard ones by their prelude names (derive
/// macros live in their own namespace, so only an imported derive macro of
/// the same name could shadow them, and such short lists keep every derive
/// on one line), then serde's, fully qualified, when `serde` is set.
fn derives(eq_hash: bool, extra: &[&str], serde: bool) -> TokenStream {
    let mut names = vec!["Debug", "Clone", "PartialEq"];
    if eq_hash {
        names.extend(["Eq", "Hash"]);
    }
    names.extend(extra);
    let names = names.into_iter().map(|n| format_ident!("{n}"));
    let serde = if serde {
        quote!(#[derive(::serde::Serialize, ::serde::Deserialize)])
    } else {
        quote!()
    };
    quote! {
        #[derive(#(#names),*)]
        #serde
    }
}

/// The Rust spelling of a field type.
pub fn rust_type(space: &TypeSpace, ty: &RustType) -> TokenStream {
    match ty {
        RustType::String => quote!(::std::string::String),
        RustType::Bool => quote!(bool),
        RustType::Int { signed, bits } => {
            let name = format_ident!("{}{}", if *signed { "i" } else { "u" }, bits);
            quote!(#name)
        }
        RustType::Float { bits } => {
            let name = format_ident!("f{}", bits);
            quote!(#name)
        }
        RustType::Value => quote!(::serde_json::Value),
        RustType::ValueExcept(Container::Object) => quote!(::schemaweave_runtime::NonObject),
        RustType::ValueExcept(Container::Array) => quote!(::schemaweave_runtime::NonArray),
        RustType::Null => quote!(()),
        RustType::Named(id) => {
            let name = ident(&space.get(*id).name);
            quote!(#name)
        }
        RustType::Vec(t) => {
            let t = rust_type(space, t);
            quote!(::std::vec::Vec<#t>)
        }
        RustType::Set(t) => {
            let t = rust_type(space, t);
            quote!(::std::collections::BTreeSet<#t>)
        }
        RustType::Option(t) => {
            let t = rust_type(space, t);
            quote!(::std::option::Option<#t>)
        }
        RustType::Map(t) => {
            let t = rust_type(space, t);
            quote!(::std::collections::BTreeMap<::std::string::String, #t>)
        }
        RustType::Box(t) => {
            let t = rust_type(space, t);
            quote!(::std::boxed::Box<#t>)
        }
        RustType::Tuple(items) => {
            let items = items.iter().map(|t| rust_type(space, t));
            quote!((#(#items,)*))
        }
        // Checked by `Config::format`; should it not parse, the `syn` check
        // in `render` reports it.
        RustType::External(path) => match syn::parse_str::<syn::Type>(path) {
            Ok(ty) => quote!(#ty),
            Err(_) => quote!(::serde_json::Value),
        },
    }
}

fn emit_type(space: &TypeSpace, def: &TypeDef, options: &EmitOptions) -> TokenStream {
    let item = emit_type_item(space, def, options.schemars_feature.as_deref());
    let item = match &options.schemars_feature {
        Some(feature) => schemars::with_json_schema(space, def, item, feature),
        None => item,
    };
    let item = with_user_attributes(item, def);
    match (&options.documents, def.validate) {
        (Some((documents, _)), true) => validated::validated(space, item, def, documents),
        _ => item,
    }
}

/// The static holding the schema documents validated types check against.
pub fn documents_item(name: &str, documents: &[(String, String)]) -> TokenStream {
    let name = format_ident!("{name}");
    let entries = documents.iter().map(|(uri, text)| quote!((#uri, #text)));
    quote! {
        /// The schema documents these types were generated from, which the
        /// types made with `--validate` check their values against.
        #[doc(hidden)]
        pub static #name: &[(&str, &str)] = &[#(#entries),*];
    }
}

/// `item` with the derives and attributes the user asked for on `def`,
/// after the generator's own (serde's derive comes first, so `#[serde]`
/// attributes of the user's follow the derive that reads them).
fn with_user_attributes(item: TokenStream, def: &TypeDef) -> TokenStream {
    if def.derives.is_empty() && def.attributes.is_empty() {
        return item;
    }
    let mut extra = user_attributes(&def.attributes);
    if !def.derives.is_empty() {
        let paths = def
            .derives
            .iter()
            .filter_map(|p| syn::parse_str::<syn::Path>(p).ok());
        extra.push(syn::parse_quote!(#[derive(#(#paths),*)]));
    }
    let Ok(mut file) = syn::parse2::<syn::File>(item.clone()) else {
        return item;
    };
    let name = ident(&def.name);
    for item in &mut file.items {
        let attrs = match item {
            syn::Item::Struct(i) if i.ident == name => &mut i.attrs,
            syn::Item::Enum(i) if i.ident == name => &mut i.attrs,
            _ => continue,
        };
        attrs.extend(extra);
        break;
    }
    quote!(#file)
}

/// Attributes as the user wrote them (checked to parse by `Config`).
fn user_attributes(texts: &[String]) -> Vec<syn::Attribute> {
    texts
        .iter()
        .filter_map(|text| syn::parse::Parser::parse_str(syn::Attribute::parse_outer, text).ok())
        .flatten()
        .collect()
}

fn emit_type_item(space: &TypeSpace, def: &TypeDef, schemars: Option<&str>) -> TokenStream {
    let TypeDef {
        name,
        docs: doc_lines,
        origin: _,
        kind,
        eq_hash,
        deprecated,
        derives: _,
        attributes: _,
        validate: _,
    } = def;
    let name = ident(name);
    let doc = docs(doc_lines);
    let derived_schema = schemars::serde_is_derived(kind);
    let doc = match (deprecated, schemars) {
        (false, _) => doc,
        // The `JsonSchema` derive names the type outside any `allow`, so a
        // deprecated type would warn in its own generated code: with the
        // feature on, the schema says `deprecated` instead of rustc.
        (true, Some(feature)) if derived_schema => quote! {
            #doc
            #[cfg_attr(not(feature = #feature), deprecated)]
        },
        (true, _) => quote!(#doc #[deprecated]),
    };
    match kind {
        TypeKind::Struct(s) => structs::emit_struct(space, &name, doc, *eq_hash, s, schemars),
        TypeKind::Const(c) => enums::emit_const(&name, doc, c),
        TypeKind::Literals(l) => literals::emit_literals(&name, doc, l),
        TypeKind::Enum(e) => enums::emit_enum(&name, doc, e),
        TypeKind::Union(u) => union::emit_union(space, &name, doc, u),
        TypeKind::Untagged(u) => untagged::emit_untagged(space, &name, doc, *eq_hash, u),
        TypeKind::Tuple(t) => tuple::emit_tuple(space, &name, doc, *eq_hash, t, schemars),
        TypeKind::Alias(t) => {
            let t = rust_type(space, t);
            quote! {
                #doc
                pub type #name = #t;
            }
        }
        TypeKind::Newtype(t) => {
            let why = if def.validate {
                " A struct rather than a `type`, so that reading it checks its schema."
            } else {
                " A struct rather than a `type`, because the type refers to itself."
            };
            let derive = derives(*eq_hash, &[], true);
            let t = rust_type(space, t);
            let separator = paragraph_break(&doc);
            quote! {
                #doc
                #separator
                #[doc = #why]
                #derive
                #[serde(transparent)]
                pub struct #name(pub #t);
            }
        }
    }
}

/// `impl Deserialize for #name` through a local `Visitor` with `methods`;
/// `items` are extra items inside `deserialize`, `call` starts it.
fn deserialize_with_visitor(
    name: &Ident,
    expecting: &str,
    methods: TokenStream,
    items: TokenStream,
    call: TokenStream,
) -> TokenStream {
    quote! {
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                struct Visitor;
                impl<'de> ::serde::de::Visitor<'de> for Visitor {
                    type Value = #name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(#expecting)
                    }
                    #methods
                }
                #items
                #call
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{NodeRef, SchemaSet};

    fn def(name: &str, kind: TypeKind) -> TypeDef {
        TypeDef {
            name: name.into(),
            docs: vec!["Docs.".into()],
            origin: NodeRef {
                file: "s.json".into(),
                pointer: String::new(),
            },
            kind,
            eq_hash: true,
            deprecated: false,
            derives: Vec::new(),
            attributes: Vec::new(),
            validate: false,
        }
    }

    #[test]
    fn non_exhaustive_is_printed_for_exactly_the_kinds_the_model_names() {
        let set = SchemaSet::from_documents([(
            "s.json".to_string(),
            serde_json::json!({"$defs": {
                "S": {"type": "object", "properties": {"a": {"type": "string"}}},
                "C": {"const": "c"},
                "E": {"enum": ["a", "b"]},
                "O": {"anyOf": [{"enum": ["a"]}, {"type": "string"}]},
                "L": {"enum": [1, 2]},
                "U": {"oneOf": [{"$ref": "#/$defs/M"}]},
                "M": {"type": "object", "required": ["t"], "properties": {"t": {"const": "m"}}},
                "X": {"type": ["string", "integer"]},
                "T": {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}], "minItems": 1, "items": false},
                "A": {"$ref": "#/$defs/S"},
                "N": {"type": "array", "items": {"$ref": "#/$defs/N"}}
            }}),
        )])
        .unwrap();
        let space = crate::lower::lower(&set).unwrap().space;
        let mut kinds = std::collections::BTreeSet::new();
        for (i, def) in space.types.iter().enumerate() {
            let code = emit_range(&space, i..i + 1, &EmitOptions::default()).to_string();
            assert_eq!(
                code.contains("non_exhaustive"),
                def.kind.non_exhaustive(),
                "{}: {code}",
                def.name
            );
            kinds.insert(def.kind.word());
        }
        assert_eq!(kinds.len(), 10, "every kind: {kinds:?}");
    }

    fn text(space: &TypeSpace) -> String {
        crate::generate_code(space, &EmitOptions::default(), &[]).unwrap()
    }

    #[test]
    fn schemars_impls_follow_the_feature_and_the_schema_rules() {
        let field = |name: &str, value: RustType, presence: Presence| Field {
            name: name.into(),
            json_name: name.into(),
            value,
            presence,
            docs: vec![],
            deprecated: false,
            attributes: Vec::new(),
            node: NodeRef::default(),
        };
        let opt = |t| RustType::Option(Box::new(t));
        let space = TypeSpace {
            eq_hash_externals: Default::default(),
            types: vec![
                def(
                    "S",
                    TypeKind::Struct(Struct {
                        extra: None,
                        fields: vec![
                            field("plain", RustType::String, Presence::Optional),
                            field("apart", opt(RustType::String), Presence::OptionalNullApart),
                            field(
                                "merged",
                                opt(RustType::String),
                                Presence::OptionalNullMerged,
                            ),
                        ],
                        deny_unknown_fields: false,
                    }),
                ),
                def(
                    "Open",
                    TypeKind::Enum(Enum {
                        variants: vec![EnumVariant {
                            name: "A".into(),
                            value: "a".into(),
                        }],
                        open: Some("Other".into()),
                    }),
                ),
            ],
        };
        assert!(!text(&space).contains("schemars"), "off by default");
        let options = EmitOptions {
            schemars_feature: Some("schemars".into()),
            runtime_path: None,
            map_type: None,
            documents: None,
        };
        let out = crate::generate_code(&space, &options, &[]).unwrap();
        assert!(
            out.contains(
                "#[derive(Debug, Clone, PartialEq, Eq, Hash)]\n#[cfg_attr(feature = \"schemars\", derive(::schemars::JsonSchema))]\n#[derive(::serde::Serialize, ::serde::Deserialize)]\npub struct S"
            ),
            "{out}"
        );
        // Optional, not nullable: the value's own type.
        assert!(
            out.contains("#[cfg_attr(feature = \"schemars\", schemars(with = \":: std :: string :: String\"))]\n    pub plain"),
            "{out}"
        );
        // Absent and null apart: a nullable value.
        assert!(
            out.contains(
                "schemars(with = \":: std :: option :: Option < :: std :: string :: String >\")"
            ),
            "{out}"
        );
        // Nullable, merged: serde's `Option` already says it.
        assert!(
            !out.contains(
                "pub merged: ::std::option::Option<::std::string::String>,\n    #[cfg_attr"
            ),
            "{out}"
        );
        assert!(out.contains("#[cfg(feature = \"schemars\")]\n#[automatically_derived]\nimpl ::schemars::JsonSchema for Open"), "{out}");
    }

    #[test]
    fn optional_and_renamed_fields() {
        let space = TypeSpace {
            eq_hash_externals: Default::default(),
            types: vec![def(
                "S",
                TypeKind::Struct(Struct {
                    extra: None,
                    fields: vec![
                        Field {
                            name: "type_".into(),
                            json_name: "type".into(),
                            value: RustType::String,
                            presence: Presence::Required,
                            docs: vec![],
                            deprecated: false,
                            attributes: Vec::new(),
                            node: NodeRef::default(),
                        },
                        Field {
                            name: "note".into(),
                            json_name: "note".into(),
                            value: RustType::String,
                            presence: Presence::Optional,
                            docs: vec![],
                            deprecated: false,
                            attributes: Vec::new(),
                            node: NodeRef::default(),
                        },
                    ],
                    deny_unknown_fields: true,
                }),
            )],
        };
        let out = text(&space);
        assert!(out.contains("#[serde(deny_unknown_fields)]"), "{out}");
        assert!(
            out.contains("#[serde(rename = \"type\")]\n    pub type_: ::std::string::String,"),
            "{out}"
        );
        assert!(out.contains(
            "#[serde(default, skip_serializing_if = \"::std::option::Option::is_none\")]\n    pub note: ::std::option::Option<::std::string::String>,"
        ), "{out}");
        assert!(
            out.contains("#[derive(Debug, Clone, PartialEq, Eq, Hash)]\n#[derive(::serde::Serialize, ::serde::Deserialize)]"),
            "{out}"
        );
        assert!(!out.contains("mod __union_support"), "{out}");
    }

    #[test]
    fn a_union_calls_the_runtime_crate() {
        let set = SchemaSet::from_documents([(
            "s.json".to_string(),
            serde_json::json!({"$defs": {
                "A": {"type": "object", "required": ["type"], "properties": {"type": {"const": "a"}}},
                "U": {"oneOf": [{"$ref": "#/$defs/A"}], "discriminator": {"propertyName": "type"}},
                "V": {"oneOf": [{"$ref": "#/$defs/A"}], "discriminator": {"propertyName": "type"}}
            }}),
        )])
        .unwrap();
        let lowered = crate::lower::lower(&set).unwrap();
        let out = text(&lowered.space);
        assert!(!out.contains("mod __union_support"), "{out}");
        assert!(
            out.contains("::schemaweave_runtime::union::read_until_tag"),
            "{out}"
        );
        assert!(out.contains("pub enum U {"), "{out}");
        assert!(out.contains("pub fn u_type(&self) -> &str"), "{out}");
        assert!(out.contains("Self::A(_) => \"a\","), "{out}");
    }

    #[test]
    fn docs_never_start_with_an_empty_line() {
        let set = SchemaSet::from_documents([(
            "s.json".to_string(),
            serde_json::json!({"$defs": {
                "Bare": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                "Told": {"description": "Told.", "anyOf": [{"type": "string"}, {"type": "integer"}]},
                "Open": {"anyOf": [{"enum": ["a", "b"]}, {"type": "string"}]}
            }}),
        )])
        .unwrap();
        let lowered = crate::lower::lower(&set).unwrap();
        let out = text(&lowered.space);
        assert!(
            out.contains("\n\n/// Untagged: when parsing"),
            "an undocumented type starts with the note: {out}"
        );
        assert!(
            out.contains("/// Told.\n///\n/// Untagged: when parsing"),
            "{out}"
        );
        assert!(out.contains("\n\n/// This enum is open"), "{out}");
        assert!(!out.contains("\n\n///\n"), "{out}");
    }
}
