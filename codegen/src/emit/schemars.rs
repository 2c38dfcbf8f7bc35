//! `schemars::JsonSchema` impls, under the including crate's feature:
//! derived where serde is derived (reading the same attributes), written
//! out for open enums and unions, whose serde impls are hand-made.

use proc_macro2::TokenStream;
use quote::quote;

use super::{ident, rust_type};
use crate::model::*;

/// `item` (the type `def`) with its `schemars::JsonSchema` impl under
/// `#[cfg(feature = "<feature>")]`.
pub(super) fn with_json_schema(
    space: &TypeSpace,
    def: &TypeDef,
    item: TokenStream,
    feature: &str,
) -> TokenStream {
    let name = ident(&def.name);
    match &def.kind {
        // Serde is derived: so is the schema, reading the same attributes.
        kind if serde_is_derived(kind) => {
            let deprecated = if def.deprecated {
                quote!(#[cfg_attr(feature = #feature, schemars(extend("deprecated" = true)))])
            } else {
                quote!()
            };
            after_first_derive(
                item,
                quote!(
                    #[cfg_attr(feature = #feature, derive(::schemars::JsonSchema))]
                    #deprecated
                ),
            )
        }
        TypeKind::Enum(e @ Enum { open: Some(_), .. }) => {
            let values: Vec<&String> = e.variants.iter().map(|v| &v.value).collect();
            let body = quote! {
                ::schemars::json_schema!({
                    "anyOf": [
                        {"type": "string", "enum": [#(#values),*]},
                        {"type": "string"}
                    ]
                })
            };
            let schema = json_schema_impl(&name, feature, quote!(_), body);
            quote!(#item #schema)
        }
        TypeKind::Literals(l) => {
            let values = l
                .variants
                .iter()
                .map(|v| super::literals::json_expr(&v.value));
            let body = quote! {
                let mut map = ::serde_json::Map::new();
                map.insert(
                    ::std::string::String::from("enum"),
                    ::serde_json::Value::Array(::std::vec![#(#values),*]),
                );
                ::schemars::Schema::from(map)
            };
            let schema = json_schema_impl(&name, feature, quote!(_), body);
            quote!(#item #schema)
        }
        TypeKind::Union(u) => {
            let members: Vec<TokenStream> = u
                .variants
                .iter()
                .map(|v| rust_type(space, &RustType::Named(v.ty)))
                .collect();
            let known: Vec<&String> = u.variants.iter().flat_map(|v| v.tag.values()).collect();
            let tag = &u.tag;
            // What the catch-all needs: the properties every member requires
            // with one primitive type (behind `id()`, `created_at()`, …).
            let common: Vec<&String> = u.common.iter().map(|c| &c.json_name).collect();
            let common_types: Vec<TokenStream> =
                u.common.iter().map(|c| rust_type(space, &c.ty)).collect();
            let catch_all_binding = if common.is_empty() {
                quote!(let catch_all)
            } else {
                quote!(let mut catch_all)
            };
            let body = quote! {
                        // One member per known tag value, and the catch-all:
                        // any other tag, with the envelope every event has.
                        let members = [#(generator.subschema_for::<#members>()),*];
                        let mut one_of: ::std::vec::Vec<::serde_json::Value> =
                            members.into_iter().map(::schemars::Schema::to_value).collect();
                        #catch_all_binding = ::serde_json::json!({
                            "type": "object",
                            "required": [#tag, #(#common),*],
                            "properties": {
                                #tag: {"type": "string", "not": {"enum": [#(#known),*]}}
                            }
                        });
                        #(
                            catch_all["properties"][#common] =
                                generator.subschema_for::<#common_types>().to_value();
                        )*
                        one_of.push(catch_all);
                        ::schemars::json_schema!({ "oneOf": one_of })
            };
            let schema = json_schema_impl(&name, feature, quote!(generator), body);
            quote!(#item #schema)
        }
        // Aliases name types that carry their own impls; derived kinds are
        // handled above.
        _ => item,
    }
}

/// Whether the type's serde impls are derived (so `JsonSchema` can be too);
/// open enums and unions have hand-written ones.
pub(super) fn serde_is_derived(kind: &TypeKind) -> bool {
    matches!(
        kind,
        TypeKind::Struct(_)
            | TypeKind::Const(_)
            | TypeKind::Enum(Enum { open: None, .. })
            | TypeKind::Untagged(_)
            | TypeKind::Newtype(_)
    )
}

/// `item` with `attribute` inserted after its first `#[derive(..)]`, so that
/// the derives read together.
fn after_first_derive(item: TokenStream, attribute: TokenStream) -> TokenStream {
    use proc_macro2::TokenTree;
    let mut out = TokenStream::new();
    let mut attribute = Some(attribute);
    let mut previous_was_pound = false;
    for tree in item {
        let is_derive = previous_was_pound
            && matches!(&tree, TokenTree::Group(g)
                if g.delimiter() == proc_macro2::Delimiter::Bracket
                    && matches!(g.stream().into_iter().next(), Some(TokenTree::Ident(i)) if i == "derive"));
        previous_was_pound = matches!(&tree, TokenTree::Punct(p) if p.as_char() == '#');
        out.extend(std::iter::once(tree));
        if is_derive {
            if let Some(attribute) = attribute.take() {
                out.extend(attribute);
            }
        }
    }
    out
}

/// A written-out `JsonSchema` impl for `name` under the feature: `body`
/// builds the schema, with `generator` in scope (`_` when unused).
pub(super) fn json_schema_impl(
    name: &proc_macro2::Ident,
    feature: &str,
    generator: TokenStream,
    body: TokenStream,
) -> TokenStream {
    quote! {
        #[cfg(feature = #feature)]
        #[automatically_derived]
        impl ::schemars::JsonSchema for #name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(stringify!(#name))
            }
            fn json_schema(#generator: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                #body
            }
        }
    }
}
