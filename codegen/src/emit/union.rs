//! Discriminated unions: the enum, its accessors and serde impls, and the
//! dispatch that reads the envelope, then hands the rest of the map to the
//! chosen member's resume function ([`super::resume`]).

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::resume::{emit_resume, emit_shared_resume, resume_parts};
use super::{derives, deserialize_with_visitor, docs, ident, rust_type};
use crate::model::*;

pub(super) fn emit_union(
    space: &TypeSpace,
    name: &Ident,
    doc: TokenStream,
    u: &Union,
) -> TokenStream {
    let Union {
        tag,
        tag_accessor,
        variants,
        catch_all,
        common,
        envelope,
    } = u;
    let accessor = ident(tag_accessor);
    let catch_all = ident(catch_all);
    let names: Vec<Ident> = variants.iter().map(|v| ident(&v.name)).collect();
    let types: Vec<TokenStream> = variants
        .iter()
        .map(|v| rust_type(space, &RustType::Named(v.ty)))
        .collect();
    // `"a"` or `"a" | "b"` for members whose tag is a closed enum.
    let patterns: Vec<TokenStream> = variants
        .iter()
        .map(|v| {
            let values = v.tag.values();
            quote!(#(#values)|*)
        })
        .collect();
    // The tag of a value: a literal for constant tags, the field otherwise.
    let tag_arms: Vec<TokenStream> = variants
        .iter()
        .map(|v| {
            let variant = ident(&v.name);
            match &v.tag {
                VariantTag::Constant(value) => quote!(Self::#variant(_) => #value,),
                VariantTag::Enum(_) => {
                    let field = ident(&v.tag_field);
                    quote!(Self::#variant(event) => event.#field.as_str(),)
                }
            }
        })
        .collect();
    let variant_docs: Vec<TokenStream> = variants.iter().map(|v| docs(&v.docs)).collect();
    let catch_all_doc = format!(
        " An object whose `{tag}` this version does not know, kept as received: it serializes back to the same JSON."
    );
    let expecting = format!("a {name} object with a `{tag}` property");

    let requires = common.iter().map(|c| {
        let ty = rust_type(space, &c.ty);
        let json = &c.json_name;
        quote!(::schemaweave_runtime::union::require::<#ty, A::Error>(&raw, &tag, #json)?;)
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
    let envelope_name = format_ident!("__{}Envelope", name.to_string());
    let resume = format_ident!("__resume_{}", crate::naming::field_name(&name.to_string()));
    let envelope_len = envelope.len();
    let env_fields: Vec<Ident> = envelope.iter().map(|e| ident(&e.name)).collect();
    let env_json: Vec<&String> = envelope.iter().map(|e| &e.json_name).collect();
    let (envelope_code, calls) = emit_envelope(space, name, &envelope_name, &resume, u);
    let never_loop = if envelope.is_empty() {
        // With no envelope properties every arm returns: the loop is kept
        // so that one shape of code serves every union.
        quote!(#[allow(clippy::never_loop, reason = "no envelope properties: every arm returns")])
    } else {
        quote!()
    };
    let envelope_locals = if envelope.is_empty() {
        quote! {
            let envelope = #envelope_name::default();
            let order: [&'static str; 0] = [];
            let seen = 0usize;
        }
    } else {
        quote! {
            let mut envelope = #envelope_name::default();
            // The order envelope properties came in, to rebuild the object
            // on the slow path.
            let mut order: [&'static str; #envelope_len] = [""; #envelope_len];
            let mut seen = 0usize;
        }
    };
    let tag_field = ident(tag_accessor);
    let deserialize = deserialize_with_visitor(
        name,
        &expecting,
        quote! {
                    #never_loop
                    fn visit_map<A: ::serde::de::MapAccess<'de>>(self, mut map: A) -> ::std::result::Result<#name, A::Error> {
                        #envelope_locals
                        loop {
                            let ::std::option::Option::Some(::schemaweave_runtime::union::Key(key)) = map.next_key()? else {
                                return ::std::result::Result::Err(::serde::de::Error::missing_field(#tag));
                            };
                            match &*key {
                                #tag => {
                                    let ::schemaweave_runtime::union::Key(tag) = map.next_value()?;
                                    return match &*tag {
                                        #(#patterns => #calls
                                            .map(#name::#names)
                                            .map_err(|e| ::schemaweave_runtime::union::prefixed(&tag, e)),)*
                                        _ => {
                                            let buffered = envelope.into_entries(&order[..seen])?;
                                            let rest = ::schemaweave_runtime::union::replay(map, buffered, #tag, tag.clone());
                                            unknown(tag, rest)
                                        }
                                    };
                                }
                                #(#env_json => {
                                    if envelope.#env_fields.is_some() {
                                        return ::std::result::Result::Err(::serde::de::Error::duplicate_field(#env_json));
                                    }
                                    envelope.#env_fields = ::std::option::Option::Some(
                                        map.next_value().map_err(|e| ::schemaweave_runtime::union::prefixed(#env_json, e))?,
                                    );
                                    order[seen] = #env_json;
                                    seen += 1;
                                })*
                                _ => {
                                    // Another property before the tag: buffer from here on.
                                    let mut buffered = envelope.into_entries(&order[..seen])?;
                                    let value = map.next_value()?;
                                    buffered.push((key, value));
                                    let (tag, rest) = ::schemaweave_runtime::union::read_until_tag(map, #tag, buffered)?;
                                    return match &*tag {
                                        #(#patterns => ::schemaweave_runtime::union::variant(rest, &tag).map(#name::#names),)*
                                        _ => unknown(tag, rest),
                                    };
                                }
                            }
                        }
                    }
        },
        quote! {
                fn unknown<'de, A: ::serde::de::MapAccess<'de>>(
                    tag: ::std::borrow::Cow<'de, str>,
                    rest: ::schemaweave_runtime::union::ReplayMap<'de, A>,
                ) -> ::std::result::Result<#name, A::Error> {
                    let raw = ::schemaweave_runtime::union::collect_raw(rest)?;
                    #(#requires)*
                    ::std::result::Result::Ok(#name::#catch_all { #tag_field: tag.into_owned(), raw })
                }

        },
        quote!(deserializer.deserialize_map(Visitor)),
    );
    let derive = derives(false, &[], false);
    quote! {
        #doc
        #derive
        #[non_exhaustive]
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
                    #(#tag_arms)*
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

        #envelope_code

        #deserialize
    }
}

/// The envelope slots of a union and, for each variant, the function that
/// resumes reading a map with those slots filled.
fn emit_envelope(
    space: &TypeSpace,
    union_name: &Ident,
    envelope_name: &Ident,
    resume: &Ident,
    u: &Union,
) -> (TokenStream, Vec<TokenStream>) {
    let envelope = &u.envelope;
    let fields: Vec<Ident> = envelope.iter().map(|e| ident(&e.name)).collect();
    let json: Vec<&String> = envelope.iter().map(|e| &e.json_name).collect();
    // A slot holds `Some(value)` once its property was read. Where any
    // variant has the property optional (its field is an `Option`), the
    // slot holds the `Option` too, so that `null` is kept for that variant
    // to judge.
    let optional_somewhere: Vec<bool> = envelope
        .iter()
        .map(|e| {
            u.variants.iter().any(|v| {
                field_of(space, v.ty, &e.json_name).is_some_and(|f| f.option_inner().is_some())
            })
        })
        .collect();
    let slot_types: Vec<TokenStream> = envelope
        .iter()
        .zip(&optional_somewhere)
        .map(|(e, optional)| {
            let base = rust_type(space, &e.ty);
            if *optional {
                quote!(::std::option::Option<::std::option::Option<#base>>)
            } else {
                quote!(::std::option::Option<#base>)
            }
        })
        .collect();
    let doc = format!(" Properties every `{union_name}` variant has, read before the tag.");
    let into_entries_body = if envelope.is_empty() {
        quote! {
            let _ = order;
            ::std::result::Result::Ok(::std::vec::Vec::new())
        }
    } else {
        quote! {
            let mut entries = ::std::vec::Vec::with_capacity(order.len());
            for key in order {
                let value = match *key {
                    #(#json => match &self.#fields {
                        ::std::option::Option::Some(value) => ::schemaweave_runtime::union::buffer(value)?,
                        ::std::option::Option::None => continue,
                    },)*
                    _ => continue,
                };
                entries.push((::std::borrow::Cow::Borrowed(*key), value));
            }
            ::std::result::Result::Ok(entries)
        }
    };
    // Variants read alike share one generic resume (numbered in order of
    // first use); the others get their own.
    let mut shared: Vec<(String, TokenStream)> = Vec::new();
    let mut resumes = Vec::new();
    let mut calls = Vec::new();
    for v in &u.variants {
        let ty = rust_type(space, &RustType::Named(v.ty));
        let TypeKind::Struct(st) = &space.get(v.ty).kind else {
            calls.push(quote!(#ty::#resume(map, envelope, &tag)));
            continue;
        };
        match resume_parts(space, st, u, &v.tag, &optional_somewhere, true) {
            Some(parts) => {
                let key = emit_shared_resume(u, &format_ident!("__shared"), &parts).to_string();
                let index = match shared.iter().position(|(k, _)| *k == key) {
                    Some(index) => index,
                    None => {
                        let name = format_ident!("{}_{}", resume, shared.len() + 1);
                        shared.push((key, emit_shared_resume(u, &name, &parts)));
                        shared.len() - 1
                    }
                };
                let name = format_ident!("{}_{}", resume, index + 1);
                // The type parameters follow from the struct the closure
                // builds.
                let names = &parts.names;
                calls.push(quote! {
                    envelope.#name(map, &tag, |#(#names),*| #ty { #(#names),* })
                });
            }
            None => {
                resumes.push(emit_resume(
                    space,
                    v,
                    st,
                    u,
                    resume,
                    envelope_name,
                    &optional_somewhere,
                ));
                calls.push(quote!(#ty::#resume(map, envelope, &tag)));
            }
        }
    }
    let shared = shared.into_iter().map(|(_, code)| code);
    let code = quote! {
        #[doc = #doc]
        #[derive(::std::default::Default)]
        struct #envelope_name {
            #(#fields: #slot_types,)*
        }

        impl #envelope_name {
            /// The slots as buffered entries, in the order they were read.
            fn into_entries<'de, E: ::serde::de::Error>(
                self,
                order: &[&'static str],
            ) -> ::std::result::Result<::schemaweave_runtime::union::Entries<'de>, E> {
                #into_entries_body
            }

            #(#shared)*
        }

        #(#resumes)*
    };
    (code, calls)
}

fn field_of<'a>(space: &'a TypeSpace, id: TypeId, json: &str) -> Option<&'a Field> {
    match &space.get(id).kind {
        TypeKind::Struct(st) => st.fields.iter().find(|f| f.json_name == json),
        _ => None,
    }
}
