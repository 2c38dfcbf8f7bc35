//! Untagged unions: serde's first-wins derive, or, when open struct
//! members only overlap, a `Deserialize` that gives a document to the
//! member that keeps the most of it.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::{derives, docs, ident, paragraph_break, rust_type};
use crate::model::*;

pub(super) fn emit_untagged(
    space: &TypeSpace,
    name: &Ident,
    doc: TokenStream,
    eq_hash: bool,
    u: &Untagged,
) -> TokenStream {
    let Untagged {
        variants: members,
        most_kept,
    } = u;
    let derive = if most_kept.is_some() {
        let derive = derives(eq_hash, &[], false);
        quote!(#derive #[derive(::serde::Serialize)])
    } else {
        derives(eq_hash, &[], true)
    };
    let variants = members.iter().map(|v| {
        let UntaggedVariant { name, ty, docs: d } = v;
        let name = ident(name);
        let ty = rust_type(space, ty);
        let doc = docs(d);
        quote!(#doc #name(#ty),)
    });
    let separator = paragraph_break(&doc);
    let (rule, deserialize) = if let Some(listed) = most_kept {
        (
            quote!(#[doc = " Untagged: when parsing, the variant that accepts the value and lists the most of its properties wins (the first on a tie), so that no property another variant keeps is dropped."]),
            most_kept_deserialize(space, name, members, listed),
        )
    } else {
        (
            quote!(#[doc = " Untagged: when parsing, the first variant that accepts the value wins."]),
            quote!(),
        )
    };
    quote! {
        #doc
        #separator
        #rule
        #derive
        #[serde(untagged)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
        }
        #deserialize
    }
}

/// `Deserialize` for an untagged union of open structs that overlap: the
/// value is read once, each variant tries it, and the one that accepts it
/// and lists the most of its properties wins.
fn most_kept_deserialize(
    space: &TypeSpace,
    name: &Ident,
    members: &[UntaggedVariant],
    listed: &[Vec<String>],
) -> TokenStream {
    let tries = members.iter().zip(listed).map(|(v, listed)| {
        let variant = ident(&v.name);
        let ty = rust_type(space, &v.ty);
        quote! {
            if let ::std::result::Result::Ok(parsed) = <#ty as ::serde::Deserialize>::deserialize(&value) {
                let kept = keys.iter().filter(|key| [#(#listed),*].contains(key)).count();
                if best.as_ref().is_none_or(|(most, _)| kept > *most) {
                    best = ::std::option::Option::Some((kept, #name::#variant(parsed)));
                }
            }
        }
    });
    let message = format!("data did not match any variant of untagged enum {name}");
    quote! {
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value = <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?;
                let keys: ::std::vec::Vec<&str> = value
                    .as_object()
                    .map(|object| object.keys().map(::std::string::String::as_str).collect())
                    .unwrap_or_default();
                let mut best: ::std::option::Option<(usize, #name)> = ::std::option::Option::None;
                #(#tries)*
                best.map(|(_, parsed)| parsed)
                    .ok_or_else(|| <D::Error as ::serde::de::Error>::custom(#message))
            }
        }
    }
}
