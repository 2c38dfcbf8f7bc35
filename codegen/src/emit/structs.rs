//! Structs: fields with their presence attributes, the flattened map of
//! unlisted properties, defaults and their accessors.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::{derives, docs, ident, rust_type};
use crate::model::*;

/// A struct with serde attributes for each field's presence, its defaults
/// (applied, or behind `<field>_or_default()` in lossless mode), and the
/// flattened map of unlisted properties where there is one.
pub(super) fn emit_struct(
    space: &TypeSpace,
    name: &Ident,
    doc: TokenStream,
    eq_hash: bool,
    s: &Struct,
    schemars: Option<&str>,
) -> TokenStream {
    let Struct {
        fields,
        deny_unknown_fields,
        extra,
    } = s;
    let extra = extra.as_ref().map(|(name, ty)| {
        let name = ident(name);
        let ty = rust_type(space, &RustType::Map(Box::new(ty.clone())));
        quote! {
            /// Properties not listed above, as received.
            #[serde(flatten)]
            pub #name: #ty,
        }
    });
    let struct_name = name.to_string();
    let derive = derives(eq_hash, &[], true);
    let deny = if *deny_unknown_fields {
        quote!(#[serde(deny_unknown_fields)])
    } else {
        quote!()
    };
    let fields = fields.iter().map(|f| {
        let Field {
            name,
            json_name,
            docs: field_docs,
            deprecated,
            presence,
            ..
        } = f;
        let doc = docs(field_docs);
        let doc = if *deprecated {
            quote!(#doc #[deprecated])
        } else {
            doc
        };
        let field = ident(name);
        let rename = if name != json_name {
            quote!(#[serde(rename = #json_name)])
        } else {
            quote!()
        };
        let optional = match presence {
            Presence::Defaulted(_) => {
                let path = format!("{struct_name}::{}", default_fn(name));
                quote!(#[serde(default = #path)])
            }
            Presence::OptionalNullApart => quote!(#[serde(
                default,
                skip_serializing_if = "::std::option::Option::is_none",
                deserialize_with = "::schemaweave_runtime::deserialize_present"
            )]),
            // Without it, serde reads a missing `Option` field as `None`
            // (an alias of `Option` is not one to serde).
            Presence::RequiredNullable if f.option_inner().is_some() => {
                quote!(#[serde(deserialize_with = "::schemaweave_runtime::deserialize_required")])
            }
            Presence::Optional
            | Presence::OptionalNullMerged
            | Presence::OptionalWithDefault(_) => {
                quote!(#[serde(default, skip_serializing_if = "::std::option::Option::is_none")])
            }
            Presence::Required | Presence::RequiredNullable => quote!(),
        };
        // The schema describes the schema's rules: an optional property
        // that may not be `null` is its value's type (serde's `Option` is an
        // implementation of "absent"); one that keeps absent and `null`
        // apart is a nullable value.
        let schema_with = match (schemars, presence) {
            (
                Some(feature),
                Presence::Optional | Presence::OptionalNullApart | Presence::OptionalWithDefault(_),
            ) => {
                let with = rust_type(space, &f.value).to_string();
                quote!(#[cfg_attr(feature = #feature, schemars(with = #with))])
            }
            _ => quote!(),
        };
        let ty = rust_type(space, &f.ty());
        let user = super::user_attributes(&f.attributes);
        quote! {
            #doc
            #rename
            #optional
            #schema_with
            #(#user)*
            pub #field: #ty,
        }
    });
    let defaults = s.fields.iter().filter_map(|f| {
        let value = f.default()?;
        let fn_name = format_ident!("{}", default_fn(&f.name));
        let ty = rust_type(space, &f.value);
        let expr = default_expr(space, &f.value, value);
        // Lossless mode keeps an absent property absent; the default is
        // one call away.
        let accessor = match &f.presence {
            Presence::OptionalWithDefault(_) => {
                let field = ident(&f.name);
                let accessor = format_ident!("{}_or_default", f.name.trim_end_matches('_'));
                let doc = format!(
                    " `{}`, or the schema's default when it is absent.",
                    f.json_name
                );
                quote! {
                    #[doc = #doc]
                    pub fn #accessor(&self) -> #ty {
                        match &self.#field {
                            ::std::option::Option::Some(value) => ::std::clone::Clone::clone(value),
                            ::std::option::Option::None => Self::#fn_name(),
                        }
                    }
                }
            }
            _ => quote!(),
        };
        Some(quote! {
            fn #fn_name() -> #ty {
                #expr
            }
            #accessor
        })
    });
    let defaults: Vec<TokenStream> = defaults.collect();
    let default_impl = if defaults.is_empty() {
        quote!()
    } else {
        quote! {
            impl #name {
                #(#defaults)*
            }
        }
    };
    quote! {
        #doc
        #derive
        #deny
        pub struct #name {
            #(#fields)*
            #extra
        }

        #default_impl
    }
}

/// The associated function that gives a field's default.
pub(super) fn default_fn(field: &str) -> String {
    format!("__default_{}", field.trim_end_matches('_'))
}

/// A `default` value as a Rust expression of type `ty`. The value was
/// lowered through aliases, some of which have become newtypes since
/// (`--validate`, alias cycles), so the type is walked beside it: a
/// newtype wraps its value (`Uri(String::from("…"))`), a `Box` boxes it.
fn default_expr(space: &TypeSpace, ty: &RustType, value: &DefaultValue) -> TokenStream {
    default_expr_at(space, ty, value, 0)
}

fn default_expr_at(
    space: &TypeSpace,
    ty: &RustType,
    value: &DefaultValue,
    depth: usize,
) -> TokenStream {
    // Wrappers do not consume the value; a chain of them is finite in any
    // model that emits (alias cycles are errors), but never trusted.
    let wrapped = |inner: &RustType| default_expr_at(space, inner, value, depth + 1);
    match (ty, value) {
        (RustType::Named(id), _) if depth <= space.types.len() => match &space.get(*id).kind {
            TypeKind::Alias(inner) => wrapped(inner),
            TypeKind::Newtype(inner) => {
                let name = ident(&space.get(*id).name);
                let inner = wrapped(inner);
                quote!(#name(#inner))
            }
            _ => value_expr(space, value, &RustType::Value),
        },
        (RustType::Box(inner), _) if depth <= space.types.len() => {
            let inner = wrapped(inner);
            quote!(::std::boxed::Box::new(#inner))
        }
        (RustType::Option(inner), _) | (RustType::Vec(inner) | RustType::Map(inner), _) => {
            value_expr(space, value, inner)
        }
        _ => value_expr(space, value, &RustType::Value),
    }
}

/// `value` as a Rust expression; `item` is the type of what it holds
/// (the item of a list or map, the value of an `Option`).
fn value_expr(space: &TypeSpace, value: &DefaultValue, item: &RustType) -> TokenStream {
    match value {
        DefaultValue::Str(s) => quote!(::std::string::String::from(#s)),
        DefaultValue::Int(i) => {
            let lit = proc_macro2::Literal::i128_unsuffixed(*i);
            quote!(#lit)
        }
        DefaultValue::Float(f) => {
            let lit = proc_macro2::Literal::f64_unsuffixed(*f);
            quote!(#lit)
        }
        DefaultValue::Bool(b) => quote!(#b),
        DefaultValue::Const => quote!(::std::default::Default::default()),
        DefaultValue::Variant(id, variant) => {
            let ty = ident(&space.get(*id).name);
            let variant = ident(variant);
            quote!(#ty::#variant)
        }
        DefaultValue::Null => quote!(::std::option::Option::None),
        DefaultValue::Some(inner) => {
            let inner = default_expr(space, item, inner);
            quote!(::std::option::Option::Some(#inner))
        }
        DefaultValue::List(items) => {
            let items = items.iter().map(|value| default_expr(space, item, value));
            quote!(::std::vec![#(#items),*])
        }
        DefaultValue::Map(entries) => {
            let entries = entries.iter().map(|(key, value)| {
                let value = default_expr(space, item, value);
                quote!((::std::string::String::from(#key), #value))
            });
            quote!(::std::collections::BTreeMap::from([#(#entries),*]))
        }
    }
}
