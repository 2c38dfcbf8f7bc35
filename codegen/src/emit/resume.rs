//! Resume functions: after a union's dispatch read the tag, they read the
//! rest of the map into the chosen member, with the envelope's slots
//! already filled. Members read alike share one generic function.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::structs::default_fn;
use super::{ident, rust_type};
use crate::model::*;

/// How a variant's resume reads its fields: the statements of the function
/// body, and, for a shared (generic) resume, the type parameters standing
/// for the variant's own field types.
pub(super) struct ResumeParts {
    slots: Vec<TokenStream>,
    arms: Vec<TokenStream>,
    other: TokenStream,
    finals: Vec<TokenStream>,
    /// Field names, in struct order (the `build` closure's parameters).
    pub(super) names: Vec<Ident>,
    /// Field types as the body sees them (type parameters in a shared one).
    types: Vec<TokenStream>,
    /// Type parameters and their bounds (the concrete types follow from
    /// the struct the caller's `build` closure makes).
    params: Vec<(Ident, TokenStream)>,
    /// Whether the body reads the tag's text (a closed-enum tag field).
    reads_tag: bool,
}

/// The statements that read the rest of a variant's map. With `shared`, the
/// variant's own field types (not the envelope's) become type parameters so
/// that variants read alike share one generic function; variants whose
/// fields have defaults or that keep unlisted properties are not shared
/// (`None`).
pub(super) fn resume_parts(
    space: &TypeSpace,
    st: &Struct,
    u: &Union,
    variant_tag: &VariantTag,
    optional_somewhere: &[bool],
    shared: bool,
) -> Option<ResumeParts> {
    if shared && (st.extra.is_some() || st.fields.iter().any(|f| f.default().is_some())) {
        return None;
    }
    let tag = &u.tag;
    let mut parts = ResumeParts {
        slots: Vec::new(),
        arms: Vec::new(),
        other: TokenStream::new(),
        finals: Vec::new(),
        names: Vec::new(),
        types: Vec::new(),
        params: Vec::new(),
        reads_tag: false,
    };
    // In a shared resume, a type parameter for `ty` (under its `Option`s,
    // so that `None`/`flatten` still apply); otherwise `ty` itself.
    let generic = |ty: &RustType, bound: TokenStream, parts: &mut ResumeParts| -> TokenStream {
        if !shared {
            return rust_type(space, ty);
        }
        let mut inner = ty;
        let mut depth = 0;
        while let RustType::Option(next) = inner {
            inner = next;
            depth += 1;
        }
        let param = format_ident!("__T{}", parts.params.len());
        parts.params.push((param.clone(), bound));
        let mut out = quote!(#param);
        for _ in 0..depth {
            out = quote!(::std::option::Option<#out>);
        }
        out
    };
    for field in &st.fields {
        let name = ident(&field.name);
        let slot = format_ident!("f_{}", field.name);
        let json = &field.json_name;
        parts.names.push(name.clone());
        if json == tag {
            // The dispatch matched the tag already; a constant needs no
            // reading, a closed enum is read from the tag's text.
            if let VariantTag::Enum(_) = variant_tag {
                let ty = generic(&field.value, quote!(::serde::Deserialize<'de>), &mut parts);
                parts.reads_tag = true;
                parts.finals.push(quote! {
                    let #name = <#ty as ::serde::Deserialize>::deserialize(
                        ::serde::de::value::StrDeserializer::<A::Error>::new(tag),
                    )?;
                });
                parts.types.push(ty);
            } else {
                let ty = generic(&field.value, quote!(::std::default::Default), &mut parts);
                parts
                    .finals
                    .push(quote!(let #name: #ty = ::std::default::Default::default();));
                parts.types.push(ty);
            }
            continue;
        }
        let field_type = field.ty();
        let is_option = field.option_inner().is_some();
        let envelope_index = u.envelope.iter().position(|e| &e.json_name == json);
        // The slot has the envelope's type for envelope fields.
        let (slot_ty, init, field_ty) = match envelope_index {
            Some(i) => {
                let env_field = ident(&u.envelope[i].name);
                let base = rust_type(space, &u.envelope[i].ty);
                let ty = if optional_somewhere[i] {
                    quote!(::std::option::Option<::std::option::Option<#base>>)
                } else {
                    quote!(::std::option::Option<#base>)
                };
                (
                    ty,
                    quote!(envelope.#env_field),
                    rust_type(space, &field_type),
                )
            }
            None => {
                let field_ty = generic(&field_type, quote!(::serde::Deserialize<'de>), &mut parts);
                (
                    quote!(::std::option::Option<#field_ty>),
                    quote!(::std::option::Option::None),
                    field_ty,
                )
            }
        };
        parts.types.push(field_ty);
        parts.slots.push(quote!(let mut #slot: #slot_ty = #init;));
        // A present property, `null` included, is `Some` when absent and
        // `null` are kept apart.
        let read = if field.presence == Presence::OptionalNullApart {
            quote!(::std::option::Option::Some(::std::option::Option::Some(
                map.next_value()?
            )))
        } else {
            quote!(::std::option::Option::Some(map.next_value()?))
        };
        parts.arms.push(quote! {
            #json => {
                if #slot.is_some() {
                    return ::std::result::Result::Err(::serde::de::Error::duplicate_field(#json));
                }
                #slot = #read;
            }
        });
        let double = envelope_index.is_some_and(|i| optional_somewhere[i]);
        if let Presence::Defaulted(_) = field.presence {
            let default = format_ident!("{}", default_fn(&field.name));
            parts.finals.push(if double && is_option {
                quote!(let #name = match #slot {
                    ::std::option::Option::Some(value) => value,
                    ::std::option::Option::None => Self::#default(),
                };)
            } else if double {
                let base = rust_type(space, &field_type);
                quote!(let #name = match #slot {
                    ::std::option::Option::Some(::std::option::Option::Some(value)) => value,
                    ::std::option::Option::Some(::std::option::Option::None) => <#base as ::serde::Deserialize>::deserialize(
                        ::serde::de::value::UnitDeserializer::<A::Error>::new(),
                    )?,
                    ::std::option::Option::None => Self::#default(),
                };)
            } else {
                quote!(let #name = #slot.unwrap_or_else(Self::#default);)
            });
            continue;
        }
        // A required property that may be `null` must still be present.
        let missing = quote!(::serde::de::Error::missing_field(#json));
        parts.finals.push(match (double, is_option) {
            (true, true) if field.is_required() => quote! {
                let #name = match #slot {
                    ::std::option::Option::Some(value) => value,
                    ::std::option::Option::None => return ::std::result::Result::Err(#missing),
                };
            },
            (false, true) if field.is_required() => quote! {
                let #name = #slot.ok_or_else(|| #missing)?;
            },
            // Optional here: absent and null are both `None`.
            (true, true) => quote!(let #name = #slot.flatten();),
            (false, true) => quote!(let #name = #slot.unwrap_or_default();),
            // Required here, but optional in another variant: `null` is
            // judged by this field's own type.
            (true, false) => {
                let base = rust_type(space, &field_type);
                quote! {
                    let #name = match #slot {
                        ::std::option::Option::Some(::std::option::Option::Some(value)) => value,
                        ::std::option::Option::Some(::std::option::Option::None) => <#base as ::serde::Deserialize>::deserialize(
                            ::serde::de::value::UnitDeserializer::<A::Error>::new(),
                        )?,
                        ::std::option::Option::None => return ::std::result::Result::Err(::serde::de::Error::missing_field(#json)),
                    };
                }
            }
            (false, false) => quote! {
                let #name = #slot.ok_or_else(|| ::serde::de::Error::missing_field(#json))?;
            },
        });
    }
    if let Some((extra_name, _)) = &st.extra {
        let name = ident(extra_name);
        parts
            .slots
            .push(quote!(let mut #name = ::std::collections::BTreeMap::new();));
        parts.names.push(name);
    }
    parts.other = if let Some((extra_name, _)) = &st.extra {
        let name = ident(extra_name);
        quote!(_ => {
            #name.insert(::std::string::ToString::to_string(&*key), map.next_value()?);
        })
    } else if st.deny_unknown_fields {
        let known: Vec<&String> = st.fields.iter().map(|f| &f.json_name).collect();
        quote!(other => return ::std::result::Result::Err(::serde::de::Error::unknown_field(other, &[#(#known),*])),)
    } else {
        quote!(_ => {
            map.next_value::<::serde::de::IgnoredAny>()?;
        })
    };
    Some(parts)
}

/// The loop that reads the rest of the map with `parts`' slots.
fn resume_loop(tag: &str, parts: &ResumeParts) -> TokenStream {
    let ResumeParts {
        slots,
        arms,
        other,
        finals,
        ..
    } = parts;
    quote! {
        #(#slots)*
        while let ::std::option::Option::Some(::schemaweave_runtime::union::Key(key)) = map.next_key()? {
            match &*key {
                #tag => return ::std::result::Result::Err(::serde::de::Error::duplicate_field(#tag)),
                #(#arms)*
                #other
            }
        }
        #(#finals)*
    }
}

/// `Variant::__resume_<union>(map, envelope)`: reads the rest of a map whose
/// tag was already read and matched, like the derived `Deserialize` would
/// (for variants that cannot share a generic resume).
pub(super) fn emit_resume(
    space: &TypeSpace,
    variant: &UnionVariant,
    st: &Struct,
    u: &Union,
    resume: &Ident,
    envelope_name: &Ident,
    optional_somewhere: &[bool],
) -> TokenStream {
    let type_name = ident(&space.get(variant.ty).name);
    let Some(parts) = resume_parts(space, st, u, &variant.tag, optional_somewhere, false) else {
        return quote!();
    };
    let tag_param = if parts.reads_tag {
        format_ident!("tag")
    } else {
        format_ident!("_tag")
    };
    let envelope_param = if u.envelope.is_empty() {
        format_ident!("_envelope")
    } else {
        format_ident!("envelope")
    };
    let body = resume_loop(&u.tag, &parts);
    let names = &parts.names;
    quote! {
        impl #type_name {
            /// Reads the rest of a map whose tag was read already.
            fn #resume<'de, A: ::serde::de::MapAccess<'de>>(
                mut map: A,
                #envelope_param: #envelope_name,
                #tag_param: &str,
            ) -> ::std::result::Result<Self, A::Error> {
                #body
                ::std::result::Result::Ok(Self { #(#names),* })
            }
        }
    }
}

/// A generic resume shared by every variant whose fields are read alike
/// (named `name`), as a method of the envelope: `build` makes the variant
/// from the fields.
pub(super) fn emit_shared_resume(u: &Union, name: &Ident, parts: &ResumeParts) -> TokenStream {
    let params = parts.params.iter().map(|(p, bound)| quote!(#p: #bound));
    let types = &parts.types;
    let names = &parts.names;
    let tag_param = if parts.reads_tag {
        format_ident!("tag")
    } else {
        format_ident!("_tag")
    };
    let take_envelope = if u.envelope.is_empty() {
        quote!(let _ = self;)
    } else {
        quote!(let envelope = self;)
    };
    let body = resume_loop(&u.tag, parts);
    quote! {
        /// Reads the rest of a map whose tag was read already, for the
        /// variants whose fields are read alike; `build` makes the variant.
        fn #name<'de, A: ::serde::de::MapAccess<'de>, #(#params,)* R>(
            self,
            mut map: A,
            #tag_param: &str,
            build: impl ::std::ops::FnOnce(#(#types),*) -> R,
        ) -> ::std::result::Result<R, A::Error> {
            #take_envelope
            #body
            ::std::result::Result::Ok(build(#(#names),*))
        }
    }
}
