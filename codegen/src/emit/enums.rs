//! String enums and single-value constants: a variant per allowed string,
//! and for open enums a variant keeping any other value.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::{derives, deserialize_with_visitor, escape_controls, ident, paragraph_break};
use crate::model::*;

/// A single-value enum: the schema's `const` string, its `VALUE`.
pub(super) fn emit_const(name: &Ident, doc: TokenStream, c: &Const) -> TokenStream {
    let Const { value, variant } = c;
    let variant = ident(variant);
    let variant_doc = format!(" The value `{}`.", escape_controls(value));
    let derive = derives(true, &["Copy", "PartialOrd", "Ord", "Default"], true);
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

/// A string enum: closed (unknown values refused), or open, with a
/// variant that keeps any other value as received.
pub(super) fn emit_enum(name: &Ident, doc: TokenStream, e: &Enum) -> TokenStream {
    let Enum { variants, open } = e;
    let names: Vec<Ident> = variants.iter().map(|v| ident(&v.name)).collect();
    let values: Vec<&String> = variants.iter().map(|v| &v.value).collect();
    let variant_docs: Vec<String> = values
        .iter()
        .map(|v| {
            if v.is_empty() {
                " The empty string.".to_string()
            } else {
                format!(" The value `{}`.", escape_controls(v))
            }
        })
        .collect();
    let Some(other) = open else {
        let derive = derives(true, &["Copy", "PartialOrd", "Ord"], true);
        return quote! {
            #doc
            #derive
            #[non_exhaustive]
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
    let derive = derives(true, &["PartialOrd", "Ord"], false);
    let expecting = format!("a string for {name}");
    let open_doc = format!(" [`{name}::{other}`] rather than rejected.");
    let deserialize = deserialize_with_visitor(
        name,
        &expecting,
        quote! {
                    fn visit_str<E: ::serde::de::Error>(self, value: &str) -> ::std::result::Result<#name, E> {
                        ::std::result::Result::Ok(#name::from_known(value).unwrap_or_else(|| #name::#other(value.to_owned())))
                    }
                    fn visit_string<E: ::serde::de::Error>(self, value: ::std::string::String) -> ::std::result::Result<#name, E> {
                        ::std::result::Result::Ok(match #name::from_known(&value) {
                            ::std::option::Option::Some(known) => known,
                            ::std::option::Option::None => #name::#other(value),
                        })
                    }
        },
        quote!(),
        quote!(deserializer.deserialize_str(Visitor)),
    );
    let separator = paragraph_break(&doc);
    quote! {
        #doc
        #separator
        /// This enum is open: a value this version does not know is kept in
        #[doc = #open_doc]
        #derive
        #[non_exhaustive]
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

        #deserialize
    }
}
