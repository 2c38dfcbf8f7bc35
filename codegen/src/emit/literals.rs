//! Types for JSON values that are not all strings (`const: 1`,
//! `enum: [1, "a", false]`): a unit enum whose serde impls compare by JSON
//! Schema equality and write each value back as the schema gives it.

use proc_macro2::{Literal, TokenStream};
use quote::quote;
use serde_json::Value;

use super::{derives, escape_controls, ident};
use crate::model::*;

/// The enum, its `to_json`, and its serde impls.
pub(super) fn emit_literals(
    name: &proc_macro2::Ident,
    doc: TokenStream,
    l: &Literals,
) -> TokenStream {
    let names: Vec<proc_macro2::Ident> = l.variants.iter().map(|v| ident(&v.name)).collect();
    let values: Vec<TokenStream> = l.variants.iter().map(|v| json_expr(&v.value)).collect();
    let variant_docs: Vec<String> = l
        .variants
        .iter()
        .map(|v| format!(" The value `{}`.", escape_controls(&v.value.to_string())))
        .collect();
    let single = l.variants.len() == 1;
    let (derive, default) = if single {
        (
            derives(true, &["Copy", "PartialOrd", "Ord", "Default"], false),
            quote!(#[default]),
        )
    } else {
        (
            derives(true, &["Copy", "PartialOrd", "Ord"], false),
            quote!(),
        )
    };
    let expected: Vec<String> = l.variants.iter().map(|v| v.value.to_string()).collect();
    let expected = format!("one of {}", expected.join(", "));
    quote! {
        #doc
        #derive
        pub enum #name {
            #(
                #[doc = #variant_docs]
                #default
                #names,
            )*
        }

        impl #name {
            /// The value as JSON.
            pub fn to_json(&self) -> ::serde_json::Value {
                match self {
                    #(Self::#names => #values,)*
                }
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                ::serde::Serialize::serialize(&self.to_json(), serializer)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value = <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?;
                #(
                    if ::schemaweave_runtime::json_equal(&value, &#values) {
                        return ::std::result::Result::Ok(Self::#names);
                    }
                )*
                ::std::result::Result::Err(::serde::de::Error::invalid_value(
                    ::serde::de::Unexpected::Other(&value.to_string()),
                    &#expected,
                ))
            }
        }
    }
}

/// An expression that builds `value` (no parsing at run time, no panic).
pub(super) fn json_expr(value: &Value) -> TokenStream {
    match value {
        Value::Null => quote!(::serde_json::Value::Null),
        Value::Bool(b) => quote!(::serde_json::Value::Bool(#b)),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                let lit = Literal::i64_suffixed(i);
                quote!(::serde_json::Value::from(#lit))
            } else if let Some(u) = n.as_u64() {
                let lit = Literal::u64_suffixed(u);
                quote!(::serde_json::Value::from(#lit))
            } else {
                let lit = Literal::f64_suffixed(n.as_f64().unwrap_or_default());
                quote!(::serde_json::Value::from(#lit))
            }
        }
        Value::String(s) => quote!(::serde_json::Value::String(::std::string::String::from(#s))),
        Value::Array(items) => {
            let items = items.iter().map(json_expr);
            quote!(::serde_json::Value::Array(::std::vec![#(#items),*]))
        }
        Value::Object(map) => {
            let keys = map.keys();
            let values = map.values().map(json_expr);
            quote!(::serde_json::Value::Object(::std::iter::FromIterator::from_iter([
                #((::std::string::String::from(#keys), #values)),*
            ])))
        }
    }
}
