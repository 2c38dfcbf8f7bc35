//! Types made with `--validate`: reading one first checks the value
//! against the type's own schema (the runtime's `validate` module, on the
//! documents embedded in the generated file), then reads it as the type
//! would without the check; `validate(&self)` checks a value built in
//! Rust.
//!
//! The type's item is emitted as usual and then rewritten here: a derived
//! `Deserialize` moves to a twin (`#[serde(remote = "Name")]`, the same
//! fields and serde attributes) that reads the checked value into `Name`;
//! a hand-written one becomes the inherent `__deserialize_unchecked`. Either
//! way the new `Deserialize` impl checks, then calls it.
//!
//! A validated struct keeps its values read-only: its fields are private,
//! each has an accessor, and a value is built from the public
//! `<Name>Fields` through `TryFrom`, which checks it (`into_fields` goes
//! back). A validated newtype's value is read with `get()` and built with
//! `TryFrom<T>`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::ident;
use crate::model::{TypeDef, TypeSpace};

/// The URI a document of the input is embedded under (`file` as the
/// schema set names it): references between documents resolve as between
/// files.
pub(crate) fn document_uri(file: &str) -> String {
    format!("schemaweave:///{}", encode(file, false))
}

/// `text` percent-encoded for a URI path (or, with `fragment`, a fragment:
/// a JSON pointer keeps its `/` and `$`).
fn encode(text: &str, fragment: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        let keep = byte.is_ascii_alphanumeric()
            || b"-._~!$&'()*+,;=:@/".contains(&byte)
            || (fragment && byte == b'?');
        if keep {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// `item` (the tokens of `def`) made to check its values; `documents` is
/// the name of the embedded documents' static.
pub(super) fn validated(
    space: &TypeSpace,
    item: TokenStream,
    def: &TypeDef,
    documents: &str,
) -> TokenStream {
    let Ok(mut file) = syn::parse2::<syn::File>(item.clone()) else {
        return item;
    };
    let name = ident(&def.name);
    let unchecked = format_ident!("__{}Unchecked", def.name);
    let mut twin: Option<syn::Item> = None;
    let mut hand_written = false;
    let mut read_only = TokenStream::new();
    // A newtype of any JSON has `TryFrom<Value>` already (its value).
    let mut json_newtype = false;
    for item in &mut file.items {
        match item {
            syn::Item::Struct(s) if s.ident == name => {
                json_newtype = matches!(&s.fields, syn::Fields::Unnamed(u)
                    if u.unnamed.len() == 1 && is_json_value(&u.unnamed[0].ty));
                read_only = make_read_only(space, s);
                if !take_deserialize(&mut s.attrs) {
                    continue;
                }
                let mut copy = s.clone();
                copy.ident = unchecked.clone();
                copy.attrs = serde_only(&s.attrs);
                copy.vis = syn::Visibility::Inherited;
                for field in copy.fields.iter_mut() {
                    field.attrs = serde_only(&field.attrs);
                }
                twin = Some(syn::Item::Struct(copy));
            }
            syn::Item::Enum(e) if e.ident == name => {
                if !take_deserialize(&mut e.attrs) {
                    continue;
                }
                let mut copy = e.clone();
                copy.ident = unchecked.clone();
                copy.attrs = serde_only(&e.attrs);
                copy.vis = syn::Visibility::Inherited;
                for variant in copy.variants.iter_mut() {
                    variant.attrs = serde_only(&variant.attrs);
                    for field in variant.fields.iter_mut() {
                        field.attrs = serde_only(&field.attrs);
                    }
                }
                twin = Some(syn::Item::Enum(copy));
            }
            syn::Item::Impl(i) if is_deserialize_of(i, &name) => {
                make_inherent(i);
                hand_written = true;
            }
            _ => {}
        }
    }
    let read = match (&twin, hand_written) {
        (Some(_), _) => quote!(#unchecked::deserialize),
        (None, true) => quote!(Self::__deserialize_unchecked),
        // Nothing to read (a type alias): nothing to check.
        (None, false) => return item,
    };
    let twin = twin.map(|twin| {
        let remote = def.name.clone();
        quote! {
            #[derive(::serde::Deserialize)]
            #[serde(remote = #remote)]
            #twin
        }
    });
    let reference = format!(
        "{}#{}",
        document_uri(&def.origin.file),
        encode(&def.origin.pointer, true)
    );
    let documents = format_ident!("{documents}");
    let from_json = (!json_newtype).then(|| {
        quote! {
            impl ::std::convert::TryFrom<::serde_json::Value> for #name {
                type Error = ::serde_json::Error;

                /// Reads (and checks) a JSON value.
                // The error type is spelled out: `Self::Error` is ambiguous
                // when the type is an enum with a variant named `Error`.
                fn try_from(value: ::serde_json::Value) -> ::std::result::Result<Self, ::serde_json::Error> {
                    ::serde_json::from_value(value)
                }
            }
        }
    });
    quote! {
        #file
        #twin
        #read_only
        impl #name {
            /// The validator of this type's schema, compiled on first use.
            fn __validator() -> ::std::result::Result<
                &'static ::schemaweave_runtime::validate::Validator,
                &'static ::schemaweave_runtime::validate::Invalid,
            > {
                static CELL: ::std::sync::OnceLock<
                    ::std::result::Result<
                        ::schemaweave_runtime::validate::Validator,
                        ::schemaweave_runtime::validate::Invalid,
                    >,
                > = ::std::sync::OnceLock::new();
                ::schemaweave_runtime::validate::Validator::cached(&CELL, #documents, #reference)
            }

            /// Checks this value against the type's schema (for values
            /// built in Rust: reading one checks it already).
            pub fn validate(&self) -> ::std::result::Result<(), ::schemaweave_runtime::validate::Invalid> {
                ::schemaweave_runtime::validate::check_value(self, Self::__validator())
            }

            /// This value, if its schema accepts it.
            pub fn checked(self) -> ::std::result::Result<Self, ::schemaweave_runtime::validate::Invalid> {
                self.validate()?;
                ::std::result::Result::Ok(self)
            }
        }
        #from_json
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                ::schemaweave_runtime::validate::deserialize(deserializer, Self::__validator(), #read)
            }
        }
    }
}

/// Whether `ty` is `::serde_json::Value`.
fn is_json_value(ty: &syn::Type) -> bool {
    let syn::Type::Path(p) = ty else { return false };
    let names: Vec<String> = p
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    names == ["serde_json", "Value"]
}

/// The inherent methods every validated type has (an accessor of a field
/// with one of these names takes `_field` after it).
const METHODS: &[&str] = &["validate", "checked", "into_fields", "get", "into_inner"];

/// Makes the fields of struct `s` private and returns what replaces them:
/// an accessor per field and the public `<Name>Fields` with `TryFrom`
/// (named fields), or `get`, `into_inner` and `TryFrom<T>` (one unnamed
/// field). Tuple structs of several items keep public fields.
fn make_read_only(space: &TypeSpace, s: &mut syn::ItemStruct) -> TokenStream {
    let name = s.ident.clone();
    let invalid = quote!(::schemaweave_runtime::validate::Invalid);
    match &mut s.fields {
        syn::Fields::Named(named) => {
            let mut fields_name = format!("{name}Fields");
            while space.types.iter().any(|t| t.name == fields_name) {
                fields_name.push('_');
            }
            let fields_ident = format_ident!("{fields_name}");
            let mut accessors = Vec::new();
            let mut public = Vec::new();
            let mut idents = Vec::new();
            for field in named.named.iter_mut() {
                field.vis = syn::Visibility::Inherited;
                let Some(ident) = field.ident.clone() else {
                    continue;
                };
                let ty = &field.ty;
                let docs: Vec<&syn::Attribute> = field
                    .attrs
                    .iter()
                    .filter(|a| a.path().is_ident("doc"))
                    .collect();
                let text = ident.to_string();
                let accessor = if METHODS.contains(&text.trim_start_matches("r#")) {
                    format_ident!("{text}_field")
                } else {
                    ident.clone()
                };
                accessors.push(quote! {
                    #(#docs)*
                    pub fn #accessor(&self) -> &#ty {
                        &self.#ident
                    }
                });
                public.push(quote! {
                    #(#docs)*
                    pub #ident: #ty,
                });
                idents.push(ident);
            }
            let doc = format!(
                " The fields of [`{name}`], to build one: `{name}::try_from(fields)` checks them."
            );
            quote! {
                impl #name {
                    #(#accessors)*

                    /// The fields, to change and check again (`try_from`).
                    pub fn into_fields(self) -> #fields_ident {
                        #fields_ident { #(#idents: self.#idents),* }
                    }
                }

                #[doc = #doc]
                #[derive(Debug, Clone)]
                pub struct #fields_ident {
                    #(#public)*
                }

                impl ::std::convert::TryFrom<#fields_ident> for #name {
                    type Error = #invalid;

                    fn try_from(fields: #fields_ident) -> ::std::result::Result<Self, #invalid> {
                        Self { #(#idents: fields.#idents),* }.checked()
                    }
                }
            }
        }
        syn::Fields::Unnamed(unnamed) if unnamed.unnamed.len() == 1 => {
            let field = &mut unnamed.unnamed[0];
            field.vis = syn::Visibility::Inherited;
            let ty = &field.ty;
            quote! {
                impl #name {
                    /// The value.
                    pub fn get(&self) -> &#ty {
                        &self.0
                    }

                    /// The value, taken out.
                    pub fn into_inner(self) -> #ty {
                        self.0
                    }
                }

                impl ::std::convert::TryFrom<#ty> for #name {
                    type Error = #invalid;

                    fn try_from(value: #ty) -> ::std::result::Result<Self, #invalid> {
                        Self(value).checked()
                    }
                }
            }
        }
        _ => TokenStream::new(),
    }
}

/// Removes `Deserialize` from the item's derives; whether it was there.
fn take_deserialize(attrs: &mut [syn::Attribute]) -> bool {
    let mut found = false;
    for attr in attrs.iter_mut() {
        if !attr.path().is_ident("derive") {
            continue;
        }
        let Ok(paths) = attr.parse_args_with(
            syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
        ) else {
            continue;
        };
        let kept: Vec<&syn::Path> = paths
            .iter()
            .filter(|p| {
                let is = p.segments.last().is_some_and(|s| s.ident == "Deserialize");
                found |= is;
                !is
            })
            .collect();
        if kept.len() < paths.len() {
            *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
        }
    }
    found
}

/// Only the `#[serde(..)]` attributes (what the twin's derive reads).
fn serde_only(attrs: &[syn::Attribute]) -> Vec<syn::Attribute> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("serde"))
        .cloned()
        .collect()
}

/// Whether `item` is `impl<'de> Deserialize<'de> for Name`.
fn is_deserialize_of(item: &syn::ItemImpl, name: &syn::Ident) -> bool {
    let is_trait = item
        .trait_
        .as_ref()
        .and_then(|t| t.0.segments.last())
        .is_some_and(|s| s.ident == "Deserialize");
    let for_name = matches!(&*item.self_ty, syn::Type::Path(p) if p.path.is_ident(name));
    is_trait && for_name
}

/// `impl<'de> Deserialize<'de> for Name { fn deserialize<D>(..) }` →
/// `impl Name { fn __deserialize_unchecked<'de, D>(..) }`.
fn make_inherent(item: &mut syn::ItemImpl) {
    let impl_params = std::mem::take(&mut item.generics.params);
    item.trait_ = None;
    for member in &mut item.items {
        if let syn::ImplItem::Fn(f) = member {
            if f.sig.ident == "deserialize" {
                f.sig.ident = format_ident!("__deserialize_unchecked");
                let own = std::mem::take(&mut f.sig.generics.params);
                f.sig.generics.params = impl_params.iter().cloned().chain(own).collect();
            }
        }
    }
}
