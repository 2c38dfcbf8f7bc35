//! Tuples whose last items may be missing: a tuple struct with `Option`s
//! for the optional positions, written back up to its first missing item.

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};

use super::{derives, deserialize_with_visitor, rust_type};
use crate::model::*;

/// The struct and its serde impls (and, with `schemars`, its schema).
pub(super) fn emit_tuple(
    space: &TypeSpace,
    name: &Ident,
    doc: TokenStream,
    eq_hash: bool,
    t: &Tuple,
    schemars: Option<&str>,
) -> TokenStream {
    let n = t.items.len();
    let types: Vec<TokenStream> = t.items.iter().map(|ty| rust_type(space, ty)).collect();
    let fields: Vec<TokenStream> = types
        .iter()
        .enumerate()
        .map(|(i, ty)| {
            if i < t.required {
                quote!(pub #ty)
            } else {
                quote!(pub ::std::option::Option<#ty>)
            }
        })
        .collect();
    let index: Vec<syn::Index> = (0..n).map(syn::Index::from).collect();
    let vars: Vec<Ident> = (0..n).map(|i| format_ident!("item{}", i)).collect();
    let required_writes = (0..t.required).map(|i| {
        let at = &index[i];
        quote!(::serde::ser::SerializeSeq::serialize_element(&mut seq, &self.#at)?;)
    });
    let optional_writes = (t.required..n).map(|i| {
        let at = &index[i];
        quote! {
            let ::std::option::Option::Some(item) = &self.#at else { break 'present };
            ::serde::ser::SerializeSeq::serialize_element(&mut seq, item)?;
        }
    });
    let reads = (0..n).map(|i| {
        let var = &vars[i];
        let ty = &types[i];
        let position = Literal::usize_unsuffixed(i);
        if i < t.required {
            quote! {
                let #var: #ty = ::serde::de::SeqAccess::next_element(&mut seq)?
                    .ok_or_else(|| ::serde::de::Error::invalid_length(#position, &self))?;
            }
        } else if i == t.required {
            quote!(let #var: ::std::option::Option<#ty> = ::serde::de::SeqAccess::next_element(&mut seq)?;)
        } else {
            let previous = &vars[i - 1];
            quote! {
                let #var: ::std::option::Option<#ty> = match #previous {
                    ::std::option::Option::Some(_) => ::serde::de::SeqAccess::next_element(&mut seq)?,
                    ::std::option::Option::None => ::std::option::Option::None,
                };
            }
        }
    });
    let too_many = Literal::usize_unsuffixed(n + 1);
    let expecting = format!("an array of {} to {n} items", t.required);
    let derive = derives(eq_hash, &[], false);
    let deserialize = deserialize_with_visitor(
        name,
        &expecting,
        quote! {
            fn visit_seq<A: ::serde::de::SeqAccess<'de>>(self, mut seq: A) -> ::std::result::Result<#name, A::Error> {
                #(#reads)*
                if ::serde::de::SeqAccess::next_element::<::serde::de::IgnoredAny>(&mut seq)?.is_some() {
                    return ::std::result::Result::Err(::serde::de::Error::invalid_length(#too_many, &self));
                }
                ::std::result::Result::Ok(#name(#(#vars),*))
            }
        },
        quote!(),
        quote!(::serde::Deserializer::deserialize_seq(
            deserializer,
            Visitor
        )),
    );
    let schema = schemars.map(|feature| {
        let min = Literal::usize_unsuffixed(t.required);
        let max = Literal::usize_unsuffixed(n);
        let body = quote! {
            let items = ::std::vec![#(generator.subschema_for::<#types>().to_value()),*];
            ::schemars::json_schema!({
                "type": "array",
                "prefixItems": items,
                "minItems": #min,
                "maxItems": #max,
            })
        };
        super::schemars::json_schema_impl(name, feature, quote!(generator), body)
    });
    quote! {
        #doc
        #derive
        pub struct #name(#(#fields),*);

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                let mut seq = ::serde::Serializer::serialize_seq(serializer, ::std::option::Option::None)?;
                #(#required_writes)*
                'present: {
                    #(#optional_writes)*
                }
                ::serde::ser::SerializeSeq::end(seq)
            }
        }

        #deserialize

        #schema
    }
}
