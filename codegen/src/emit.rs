//! Stage 3: the model → Rust tokens, with `quote`. Every decision was made in
//! [`crate::lower`]; this module only prints. Generated code uses fully
//! qualified paths (`::serde::Serialize`, `::std::string::String`) so it
//! compiles whatever the including module imports.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use crate::error::Error;
use crate::model::*;

/// The runtime helpers for unions, emitted once when a union exists.
const UNION_SUPPORT: &str = include_str!("support/union.rs");

/// Emits every type of `space`, in order.
pub fn emit(space: &TypeSpace) -> Result<TokenStream, Error> {
    let mut out = TokenStream::new();
    for def in &space.types {
        out.extend(emit_type(space, def));
    }
    if space
        .types
        .iter()
        .any(|t| matches!(t.kind, TypeKind::Union(_)))
    {
        let file = syn::parse_file(UNION_SUPPORT).map_err(|e| Error::Syntax(e.to_string()))?;
        // The file's inner docs become the module's outer docs.
        let syn::File { attrs, items, .. } = file;
        let attrs = attrs.into_iter().map(|mut attr| {
            attr.style = syn::AttrStyle::Outer;
            attr
        });
        out.extend(quote! {
            #(#attrs)*
            #[doc(hidden)]
            #[allow(dead_code)] // only the helpers a union uses are called
            mod __union_support {
                #(#items)*
            }
        });
    }
    Ok(out)
}

fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

fn docs(lines: &[String]) -> TokenStream {
    let lines = lines.iter().map(|l| {
        let text = if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        };
        quote!(#[doc = #text])
    });
    quote!(#(#lines)*)
}

fn derives(eq_hash: bool, extra: TokenStream) -> TokenStream {
    let eq = if eq_hash {
        quote!(::std::cmp::Eq, ::std::hash::Hash,)
    } else {
        quote!()
    };
    quote! {
        #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq, #eq #extra)]
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
        RustType::Named(id) => {
            let name = ident(&space.get(*id).name);
            quote!(#name)
        }
        RustType::Vec(t) => {
            let t = rust_type(space, t);
            quote!(::std::vec::Vec<#t>)
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
    }
}

fn emit_type(space: &TypeSpace, def: &TypeDef) -> TokenStream {
    let TypeDef {
        name,
        docs: doc_lines,
        origin: _,
        kind,
        eq_hash,
    } = def;
    let name = ident(name);
    let doc = docs(doc_lines);
    match kind {
        TypeKind::Struct(s) => emit_struct(space, &name, doc, *eq_hash, s),
        TypeKind::Const(c) => emit_const(&name, doc, c),
        TypeKind::Enum(e) => emit_enum(&name, doc, e),
        TypeKind::Union(u) => emit_union(space, &name, doc, u),
        TypeKind::Alias(t) => {
            let t = rust_type(space, t);
            quote! {
                #doc
                pub type #name = #t;
            }
        }
    }
}

fn emit_struct(
    space: &TypeSpace,
    name: &Ident,
    doc: TokenStream,
    eq_hash: bool,
    s: &Struct,
) -> TokenStream {
    let Struct {
        fields,
        deny_unknown_fields,
    } = s;
    let derive = derives(eq_hash, quote!(::serde::Serialize, ::serde::Deserialize));
    let deny = if *deny_unknown_fields {
        quote!(#[serde(deny_unknown_fields)])
    } else {
        quote!()
    };
    let fields = fields.iter().map(|f| {
        let Field {
            name,
            json_name,
            ty,
            required,
            docs: field_docs,
        } = f;
        let doc = docs(field_docs);
        let field = ident(name);
        let rename = if name != json_name {
            quote!(#[serde(rename = #json_name)])
        } else {
            quote!()
        };
        let optional = if matches!(ty, RustType::Option(_)) && !required {
            quote!(#[serde(default, skip_serializing_if = "::std::option::Option::is_none")])
        } else {
            quote!()
        };
        let ty = rust_type(space, ty);
        quote! {
            #doc
            #rename
            #optional
            pub #field: #ty,
        }
    });
    quote! {
        #doc
        #derive
        #deny
        pub struct #name {
            #(#fields)*
        }
    }
}

fn emit_const(name: &Ident, doc: TokenStream, c: &Const) -> TokenStream {
    let Const { value, variant } = c;
    let variant = ident(variant);
    let variant_doc = format!(" The value `{value}`.");
    let derive = derives(
        true,
        quote!(
            ::std::marker::Copy,
            ::std::cmp::PartialOrd,
            ::std::cmp::Ord,
            ::std::default::Default,
            ::serde::Serialize,
            ::serde::Deserialize
        ),
    );
    quote! {
        #doc
        #derive
        pub enum #name {
            #[doc = #variant_doc]
            #[default]
            #[serde(rename = #value)]
            #variant,
        }

        impl #name {
            /// The only value this type allows, as it appears in JSON.
            pub const VALUE: &'static str = #value;

            /// The value as it appears in JSON.
            pub fn as_str(&self) -> &'static str {
                Self::VALUE
            }
        }
    }
}

fn emit_enum(name: &Ident, doc: TokenStream, e: &Enum) -> TokenStream {
    let Enum { variants, open } = e;
    let names: Vec<Ident> = variants.iter().map(|v| ident(&v.name)).collect();
    let values: Vec<&String> = variants.iter().map(|v| &v.value).collect();
    let variant_docs: Vec<String> = values
        .iter()
        .map(|v| format!(" The value `{v}`."))
        .collect();
    let Some(other) = open else {
        let derive = derives(
            true,
            quote!(
                ::std::marker::Copy,
                ::std::cmp::PartialOrd,
                ::std::cmp::Ord,
                ::serde::Serialize,
                ::serde::Deserialize
            ),
        );
        return quote! {
            #doc
            #derive
            pub enum #name {
                #(
                    #[doc = #variant_docs]
                    #[serde(rename = #values)]
                    #names,
                )*
            }

            impl #name {
                /// The value as it appears in JSON.
                pub fn as_str(&self) -> &'static str {
                    match self {
                        #(Self::#names => #values,)*
                    }
                }
            }
        };
    };
    let other = ident(other);
    let derive = derives(true, quote!(::std::cmp::PartialOrd, ::std::cmp::Ord));
    let expecting = format!("a string for {name}");
    let open_doc = format!(" [`{name}::{other}`] rather than rejected.");
    quote! {
        #doc
        ///
        /// This enum is open: a value this version does not know is kept in
        #[doc = #open_doc]
        #derive
        pub enum #name {
            #(
                #[doc = #variant_docs]
                #names,
            )*
            /// A value not known when this code was generated, kept as received.
            #other(::std::string::String),
        }

        impl #name {
            /// The value as it appears in JSON.
            pub fn as_str(&self) -> &str {
                match self {
                    #(Self::#names => #values,)*
                    Self::#other(value) => value.as_str(),
                }
            }

            fn from_known(value: &str) -> ::std::option::Option<Self> {
                match value {
                    #(#values => ::std::option::Option::Some(Self::#names),)*
                    _ => ::std::option::Option::None,
                }
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                struct Visitor;
                impl<'de> ::serde::de::Visitor<'de> for Visitor {
                    type Value = #name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(#expecting)
                    }
                    fn visit_str<E: ::serde::de::Error>(self, value: &str) -> ::std::result::Result<#name, E> {
                        ::std::result::Result::Ok(#name::from_known(value).unwrap_or_else(|| #name::#other(value.to_owned())))
                    }
                    fn visit_string<E: ::serde::de::Error>(self, value: ::std::string::String) -> ::std::result::Result<#name, E> {
                        ::std::result::Result::Ok(match #name::from_known(&value) {
                            ::std::option::Option::Some(known) => known,
                            ::std::option::Option::None => #name::#other(value),
                        })
                    }
                }
                deserializer.deserialize_str(Visitor)
            }
        }
    }
}

fn emit_union(space: &TypeSpace, name: &Ident, doc: TokenStream, u: &Union) -> TokenStream {
    let Union {
        tag,
        tag_accessor,
        variants,
        catch_all,
        common,
    } = u;
    let accessor = ident(tag_accessor);
    let catch_all = ident(catch_all);
    let names: Vec<Ident> = variants.iter().map(|v| ident(&v.name)).collect();
    let types: Vec<TokenStream> = variants
        .iter()
        .map(|v| rust_type(space, &RustType::Named(v.ty)))
        .collect();
    let tags: Vec<&String> = variants.iter().map(|v| &v.tag_value).collect();
    let variant_docs: Vec<TokenStream> = variants.iter().map(|v| docs(&v.docs)).collect();
    let catch_all_doc = format!(
        " An object whose `{tag}` this version does not know, kept as received: it serializes back to the same JSON."
    );
    let expecting = format!("a {name} object with a `{tag}` property");

    let requires = common.iter().map(|c| {
        let ty = rust_type(space, &c.ty);
        let json = &c.json_name;
        quote!(__union_support::require::<#ty, A::Error>(&raw, &tag, #json)?;)
    });
    let accessors = common.iter().map(|c| {
        let field = ident(&c.name);
        let json = &c.json_name;
        let doc = format!(" The `{json}` property, which every variant has.");
        if c.ty == RustType::String {
            quote! {
                #[doc = #doc]
                pub fn #field(&self) -> &str {
                    match self {
                        #(Self::#names(event) => &event.#field,)*
                        Self::#catch_all { raw, .. } => raw.get(#json).and_then(::serde_json::Value::as_str).unwrap_or_default(),
                    }
                }
            }
        } else {
            let ty = rust_type(space, &c.ty);
            quote! {
                #[doc = #doc]
                pub fn #field(&self) -> #ty {
                    match self {
                        #(Self::#names(event) => event.#field,)*
                        Self::#catch_all { raw, .. } => raw
                            .get(#json)
                            .and_then(|value| <#ty as ::serde::Deserialize>::deserialize(value).ok())
                            .unwrap_or_default(),
                    }
                }
            }
        }
    });
    let accessor_doc = format!(" The `{tag}` property: which variant this is.");
    let tag_field = ident(tag_accessor);
    let derive = derives(false, quote!());
    quote! {
        #doc
        #derive
        pub enum #name {
            #(
                #variant_docs
                #names(#types),
            )*
            #[doc = #catch_all_doc]
            #catch_all {
                /// The value of the tag property.
                #tag_field: ::std::string::String,
                /// The whole object, tag included.
                raw: ::serde_json::Value,
            },
        }

        impl #name {
            #[doc = #accessor_doc]
            pub fn #accessor(&self) -> &str {
                match self {
                    #(Self::#names(_) => #tags,)*
                    Self::#catch_all { #tag_field, .. } => #tag_field.as_str(),
                }
            }

            #(#accessors)*
        }

        #(
            impl ::std::convert::From<#types> for #name {
                fn from(value: #types) -> Self {
                    Self::#names(value)
                }
            }
        )*

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                match self {
                    #(Self::#names(event) => ::serde::Serialize::serialize(event, serializer),)*
                    Self::#catch_all { raw, .. } => ::serde::Serialize::serialize(raw, serializer),
                }
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                struct Visitor;
                impl<'de> ::serde::de::Visitor<'de> for Visitor {
                    type Value = #name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(#expecting)
                    }
                    fn visit_map<A: ::serde::de::MapAccess<'de>>(self, map: A) -> ::std::result::Result<#name, A::Error> {
                        let (tag, rest) = __union_support::read_until_tag(map, #tag)?;
                        match &*tag {
                            #(#tags => __union_support::variant(rest, #tags).map(#name::#names),)*
                            _ => {
                                let raw = __union_support::collect_raw(rest)?;
                                #(#requires)*
                                ::std::result::Result::Ok(#name::#catch_all { #tag_field: tag.into_owned(), raw })
                            }
                        }
                    }
                }
                deserializer.deserialize_map(Visitor)
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
        }
    }

    fn text(space: &TypeSpace) -> String {
        crate::render::render(emit(space).unwrap(), &[]).unwrap()
    }

    #[test]
    fn optional_and_renamed_fields() {
        let space = TypeSpace {
            types: vec![def(
                "S",
                TypeKind::Struct(Struct {
                    fields: vec![
                        Field {
                            name: "type_".into(),
                            json_name: "type".into(),
                            ty: RustType::String,
                            required: true,
                            docs: vec![],
                        },
                        Field {
                            name: "note".into(),
                            json_name: "note".into(),
                            ty: RustType::Option(Box::new(RustType::String)),
                            required: false,
                            docs: vec![],
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
        assert!(out.contains("::std::cmp::Eq"), "{out}");
        assert!(!out.contains("mod __union_support"), "{out}");
    }

    #[test]
    fn a_union_brings_its_support_module_once() {
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
        assert_eq!(out.matches("mod __union_support").count(), 1);
        assert!(out.contains("pub enum U {"), "{out}");
        assert!(out.contains("pub fn u_type(&self) -> &str"), "{out}");
        assert!(out.contains("Self::A(_) => \"a\","), "{out}");
    }
}
