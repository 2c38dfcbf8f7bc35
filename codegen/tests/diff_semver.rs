//! `diff` against an independent judge: for random edits of a schema, the
//! bump `diff` reports is at least the one that semver reasoning on the two
//! generated files gives (the rules `cargo-semver-checks` applies, on the
//! public items parsed with `syn`: an item, field, variant or method
//! removed or changed, a field added to an exhaustive struct, a variant
//! added to an exhaustive enum, a derive lost → major; something added →
//! minor; docs only → patch). Like `cargo-semver-checks`, the judge reads
//! types, trait impls and `#[non_exhaustive]`, not serde attributes: what
//! a change does to the wire is `diff`'s to say on top.

use std::collections::BTreeMap;

use proptest::prelude::*;
use quote::ToTokens;
use schemaweave::webhooks::diff::{compare_types, Bump};
use schemaweave::{Config, SchemaSet};
use serde_json::{json, Value};

/// The public API of a generated file: each item (and each field, variant
/// and method) by a path, with its tokens, docs removed; and the docs.
#[derive(Debug, PartialEq)]
struct Api {
    items: BTreeMap<String, String>,
    exhaustive: BTreeMap<String, bool>,
    /// Fields and variants, each with the type that holds it.
    members: BTreeMap<String, String>,
    docs: BTreeMap<String, String>,
}

fn strip_docs(attrs: &mut Vec<syn::Attribute>, docs: &mut String) {
    attrs.retain(|a| {
        if a.path().is_ident("doc") {
            docs.push_str(&a.to_token_stream().to_string());
            false
        } else {
            true
        }
    });
}

/// The attributes that are API: derives (trait impls) and
/// `#[non_exhaustive]`; serde's and docs are not.
fn api_attributes(attrs: &[syn::Attribute]) -> Vec<String> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("derive") || a.path().is_ident("non_exhaustive"))
        .map(|a| a.to_token_stream().to_string())
        .collect()
}

fn is_pub(vis: &syn::Visibility) -> bool {
    matches!(vis, syn::Visibility::Public(_))
}

fn api(code: &str) -> Api {
    let file = syn::parse_file(code).unwrap();
    let mut api = Api {
        items: BTreeMap::new(),
        exhaustive: BTreeMap::new(),
        members: BTreeMap::new(),
        docs: BTreeMap::new(),
    };
    for item in file.items {
        match item {
            syn::Item::Struct(mut s) if is_pub(&s.vis) => {
                let name = s.ident.to_string();
                let mut docs = String::new();
                strip_docs(&mut s.attrs, &mut docs);
                let non_exhaustive = s.attrs.iter().any(|a| a.path().is_ident("non_exhaustive"));
                api.exhaustive.insert(name.clone(), !non_exhaustive);
                for (i, field) in s
                    .fields
                    .iter_mut()
                    .enumerate()
                    .filter(|(_, f)| is_pub(&f.vis))
                {
                    strip_docs(&mut field.attrs, &mut docs);
                    let key = field
                        .ident
                        .as_ref()
                        .map_or(i.to_string(), ToString::to_string);
                    let key = format!("{name}.{key}");
                    // Its type: attributes (serde's) are no API.
                    api.items
                        .insert(key.clone(), field.ty.to_token_stream().to_string());
                    api.members.insert(key, name.clone());
                }
                let attrs = api_attributes(&s.attrs);
                api.items
                    .insert(name.clone(), format!("struct {}", attrs.join(" ")));
                api.docs.insert(name, docs);
            }
            syn::Item::Enum(mut e) if is_pub(&e.vis) => {
                let name = e.ident.to_string();
                let mut docs = String::new();
                strip_docs(&mut e.attrs, &mut docs);
                let non_exhaustive = e.attrs.iter().any(|a| a.path().is_ident("non_exhaustive"));
                api.exhaustive.insert(name.clone(), !non_exhaustive);
                for variant in e.variants.iter_mut() {
                    strip_docs(&mut variant.attrs, &mut docs);
                    let key = format!("{name}::{}", variant.ident);
                    api.items
                        .insert(key.clone(), variant.fields.to_token_stream().to_string());
                    api.members.insert(key, name.clone());
                }
                let attrs = api_attributes(&e.attrs);
                api.items
                    .insert(name.clone(), format!("enum {}", attrs.join(" ")));
                api.docs.insert(name, docs);
            }
            syn::Item::Type(mut t) if is_pub(&t.vis) => {
                let mut docs = String::new();
                strip_docs(&mut t.attrs, &mut docs);
                let name = t.ident.to_string();
                api.items
                    .insert(name.clone(), t.ty.to_token_stream().to_string());
                api.docs.insert(name, docs);
            }
            syn::Item::Impl(i) => {
                let self_ty = i.self_ty.to_token_stream().to_string();
                let of = i
                    .trait_
                    .as_ref()
                    .map(|(p, _)| p.to_token_stream().to_string());
                for member in &i.items {
                    match member {
                        syn::ImplItem::Fn(f) if is_pub(&f.vis) || of.is_some() => {
                            let owner = match &of {
                                Some(of) => format!("<{self_ty} as {of}>"),
                                None => self_ty.clone(),
                            };
                            api.items.insert(
                                format!("{owner}::{}", f.sig.ident),
                                f.sig.to_token_stream().to_string(),
                            );
                        }
                        syn::ImplItem::Const(c) if is_pub(&c.vis) => {
                            api.items.insert(
                                format!("{self_ty}::{}", c.ident),
                                c.ty.to_token_stream().to_string(),
                            );
                        }
                        _ => {}
                    }
                }
                if let Some(of) = of {
                    api.items
                        .insert(format!("impl {of} for {self_ty}"), String::new());
                }
            }
            _ => {}
        }
    }
    api
}

/// The bump semver reasoning gives between two generated files.
fn judged(old: &Api, new: &Api) -> Bump {
    let mut bump = Bump::None;
    let mut raise = |b: Bump| bump = bump.max(b);
    for (key, tokens) in &old.items {
        match new.items.get(key) {
            None => raise(Bump::Major),
            Some(t) if t != tokens => raise(Bump::Major),
            Some(_) => {}
        }
    }
    for key in new.items.keys().filter(|k| !old.items.contains_key(*k)) {
        // A field or variant added to an exhaustive type that existed
        // breaks literals and matches; anything else added is additive.
        let exhaustive_owner = new
            .members
            .get(key)
            .and_then(|owner| old.exhaustive.get(owner))
            .copied()
            .unwrap_or(false);
        if exhaustive_owner {
            raise(Bump::Major);
        } else {
            raise(Bump::Minor);
        }
    }
    if old.docs != new.docs {
        raise(Bump::Patch);
    }
    bump
}

/// The schema the edits start from: a struct of every kind of field, a
/// string enum, a constant, a set of values and a tagged union.
fn base() -> Value {
    json!({"$defs": {
        "Pet": {
            "type": "object",
            "description": "A pet.",
            "required": ["name", "kind"],
            "properties": {
                "name": {"type": "string", "description": "Its name."},
                "age": {"type": "integer", "minimum": 0, "maximum": 100},
                "weight": {"type": "number"},
                "kind": {"$ref": "#/$defs/Kind"},
                "tags": {"type": "array", "items": {"type": "string"}},
                "owner": {"type": "object", "properties": {"id": {"type": "string"}}}
            }
        },
        "Kind": {"type": "string", "enum": ["cat", "dog"]},
        "Version": {"const": "v1"},
        "Level": {"enum": [1, 2, 3]},
        "Event": {"oneOf": [{"$ref": "#/$defs/Born"}], "discriminator": {"propertyName": "type"}},
        "Born": {"type": "object", "required": ["type"], "properties": {"type": {"const": "born"}, "pet": {"$ref": "#/$defs/Pet"}}}
    }})
}

#[derive(Debug, Clone)]
enum Edit {
    AddProperty(usize, bool),
    RemoveProperty(usize),
    ToggleRequired(usize),
    ChangeType(usize, usize),
    Range(i64, i64),
    AddEnumValue(usize),
    RemoveEnumValue,
    Describe(usize),
    MaxLength(u32),
    UniqueItems,
    Close,
    Const(usize),
    Default(usize),
    AddLevel,
    AddMember,
}

const PROPS: &[&str] = &["name", "age", "weight", "kind", "tags", "owner"];
const TYPES: &[&str] = &["string", "integer", "number", "boolean"];
const WORDS: &[&str] = &["v1", "v2", "bird", "fish"];

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0..4usize, any::<bool>()).prop_map(|(i, r)| Edit::AddProperty(i, r)),
        (0..PROPS.len()).prop_map(Edit::RemoveProperty),
        (0..PROPS.len()).prop_map(Edit::ToggleRequired),
        (0..PROPS.len(), 0..TYPES.len()).prop_map(|(p, t)| Edit::ChangeType(p, t)),
        (-300i64..300, 0i64..70000).prop_map(|(a, b)| Edit::Range(a, b)),
        (0..WORDS.len()).prop_map(Edit::AddEnumValue),
        Just(Edit::RemoveEnumValue),
        (0..3usize).prop_map(Edit::Describe),
        (1u32..50).prop_map(Edit::MaxLength),
        Just(Edit::UniqueItems),
        Just(Edit::Close),
        (0..WORDS.len()).prop_map(Edit::Const),
        (0..WORDS.len()).prop_map(Edit::Default),
        Just(Edit::AddLevel),
        Just(Edit::AddMember),
    ]
}

fn apply(schema: &mut Value, edit: &Edit) {
    let pet = &mut schema["$defs"]["Pet"];
    match edit {
        Edit::AddProperty(i, required) => {
            let name = format!("extra{i}");
            pet["properties"][&name] = json!({"type": TYPES[*i % TYPES.len()]});
            if *required {
                pet["required"].as_array_mut().unwrap().push(json!(name));
            }
        }
        Edit::RemoveProperty(i) => {
            pet["properties"]
                .as_object_mut()
                .unwrap()
                .shift_remove(PROPS[*i]);
            pet["required"]
                .as_array_mut()
                .unwrap()
                .retain(|r| r != PROPS[*i]);
        }
        Edit::ToggleRequired(i) => {
            let required = pet["required"].as_array_mut().unwrap();
            if required.iter().any(|r| r == PROPS[*i]) {
                required.retain(|r| r != PROPS[*i]);
            } else if pet["properties"].get(PROPS[*i]).is_some() {
                pet["required"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!(PROPS[*i]));
            }
        }
        Edit::ChangeType(p, t) => {
            if let Some(prop) = pet["properties"].get_mut(PROPS[*p]) {
                *prop = json!({"type": TYPES[*t]});
            }
        }
        Edit::Range(min, width) => {
            if let Some(age) = pet["properties"].get_mut("age") {
                if age.get("type") == Some(&json!("integer")) {
                    age["minimum"] = json!(min);
                    age["maximum"] = json!(min + width);
                }
            }
        }
        Edit::AddEnumValue(w) => {
            schema["$defs"]["Kind"]["enum"]
                .as_array_mut()
                .unwrap()
                .push(json!(WORDS[*w]));
            dedup(&mut schema["$defs"]["Kind"]["enum"]);
        }
        Edit::RemoveEnumValue => {
            let values = schema["$defs"]["Kind"]["enum"].as_array_mut().unwrap();
            if values.len() > 1 {
                values.pop();
            }
        }
        Edit::Describe(i) => {
            pet["description"] = json!(["A pet.", "Some animal.", "An animal kept at home."][*i]);
        }
        Edit::MaxLength(n) => {
            if let Some(name) = pet["properties"].get_mut("name") {
                name["maxLength"] = json!(n);
            }
        }
        Edit::UniqueItems => {
            if let Some(tags) = pet["properties"].get_mut("tags") {
                tags["uniqueItems"] = json!(true);
            }
        }
        Edit::Close => pet["additionalProperties"] = json!(false),
        Edit::Const(w) => schema["$defs"]["Version"]["const"] = json!(WORDS[*w]),
        Edit::Default(w) => {
            if let Some(name) = pet["properties"].get_mut("name") {
                if name.get("type") == Some(&json!("string")) {
                    name["default"] = json!(WORDS[*w]);
                }
            }
        }
        Edit::AddLevel => schema["$defs"]["Level"]["enum"]
            .as_array_mut()
            .unwrap()
            .push(json!(4)),
        Edit::AddMember => {
            schema["$defs"]["Died"] = json!({"type": "object", "required": ["type"], "properties": {"type": {"const": "died"}}});
            schema["$defs"]["Event"]["oneOf"]
                .as_array_mut()
                .unwrap()
                .push(json!({"$ref": "#/$defs/Died"}));
            dedup(&mut schema["$defs"]["Event"]["oneOf"]);
        }
    }
}

fn dedup(values: &mut Value) {
    let items = values.as_array_mut().unwrap();
    let mut seen = Vec::new();
    items.retain(|v| {
        let fresh = !seen.contains(v);
        seen.push(v.clone());
        fresh
    });
}

fn set(schema: &Value) -> SchemaSet {
    SchemaSet::from_documents([("s.json".to_string(), schema.clone())]).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, .. ProptestConfig::default() })]

    #[test]
    fn the_reported_bump_is_at_least_what_the_generated_files_imply(
        edits in prop::collection::vec(edit(), 1..4),
        unique_items_as_set in any::<bool>(),
    ) {
        let old = base();
        let mut new = base();
        for e in &edits {
            apply(&mut new, e);
        }
        let mut config = Config::new();
        config.unique_items_as_set(unique_items_as_set);
        let (Ok(old_code), Ok(new_code)) = (config.generate_set(&set(&old)), config.generate_set(&set(&new))) else {
            // An edit may make the schema unusable (an error, reported
            // elsewhere); nothing to compare.
            return Ok(());
        };
        let judge = judged(&api(&old_code.code), &api(&new_code.code));
        let report = compare_types(&set(&old), &set(&new), &config, "old", "new").unwrap();
        prop_assert!(
            report.bump() >= judge,
            "edits {edits:?}: diff says {:?}, the generated files say {judge:?}\n{}",
            report.bump(),
            report.to_text(None)
        );
    }
}

#[test]
fn the_judge_sees_what_it_should() {
    // The judge itself: a field added to an exhaustive struct is major, a
    // variant added to a non-exhaustive enum minor, docs a patch.
    let config = Config::new();
    let code = |schema: &Value| api(&config.generate_set(&set(schema)).unwrap().code);
    let old = base();
    let mut new = base();
    apply(&mut new, &Edit::AddProperty(0, false));
    assert_eq!(judged(&code(&old), &code(&new)), Bump::Major);
    let mut new = base();
    apply(&mut new, &Edit::AddEnumValue(2));
    assert_eq!(judged(&code(&old), &code(&new)), Bump::Minor);
    let mut new = base();
    apply(&mut new, &Edit::Describe(1));
    assert_eq!(judged(&code(&old), &code(&new)), Bump::Patch);
    assert_eq!(judged(&code(&old), &code(&old)), Bump::None);
}
