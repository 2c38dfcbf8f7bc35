//! Per-path options: what the user asks of chosen types and fields
//! (`--replace`, `--open-enum`, `--rename`, `--derive`, `--attribute`),
//! applied to the model after lowering, each through a [`Selector`]. A
//! selector that picks nothing an option can apply to is an error naming
//! it: a typo never passes silently.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;

use crate::error::{Diagnostics, Error};
use crate::load::SchemaSet;
use crate::model::*;
use crate::select::Selector;

/// The per-path options, as given (checked when given, applied by
/// [`apply`]).
#[derive(Debug, Clone, Default)]
pub(crate) struct Custom {
    /// `--replace SEL=PATH[:Trait+…]`.
    pub replace: Vec<(Selector, Replacement)>,
    /// `--open-enum SEL`.
    pub open_enum: Vec<Selector>,
    /// `--rename SEL=NAME`.
    pub rename: Vec<(Selector, String)>,
    /// `--derive SEL=PATH`.
    pub derive: Vec<(Selector, String)>,
    /// `--attribute SEL=ATTR`, the attribute as `#[…]`.
    pub attribute: Vec<(Selector, String)>,
    /// `--validate SEL`.
    pub validate: Vec<Selector>,
}

/// An existing Rust type used instead of a generated one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Replacement {
    /// The type, as written (`chrono::DateTime<chrono::Utc>`).
    pub path: String,
    /// Traits it implements beyond `Debug`, `Clone`, `PartialEq`, serde's
    /// (`Eq`, `Hash`, …), so that types holding it keep those derives.
    pub traits: Vec<String>,
}

impl Replacement {
    /// Parses `PATH` or `PATH:Trait+Trait`.
    pub fn parse(text: &str) -> Result<Self, String> {
        // `::` is part of a path; the traits follow a single `:`.
        let split = text
            .char_indices()
            .filter(|(i, c)| {
                *c == ':' && !text[*i + 1..].starts_with(':') && !text[..*i].ends_with(':')
            })
            .map(|(i, _)| i)
            .next_back();
        let (path, traits) = match split {
            Some(i) => (&text[..i], Some(&text[i + 1..])),
            None => (text, None),
        };
        if syn::parse_str::<syn::Type>(path.trim()).is_err() {
            return Err(format!("`{path}` is not a Rust type"));
        }
        let traits: Vec<String> = traits
            .map(|t| t.split('+').map(|t| t.trim().to_string()).collect())
            .unwrap_or_default();
        if let Some(bad) = traits
            .iter()
            .find(|t| syn::parse_str::<syn::Path>(t).is_err())
        {
            return Err(format!("`{bad}` is not a trait name"));
        }
        Ok(Replacement {
            path: path.trim().to_string(),
            traits,
        })
    }
}

/// Applies every option to `space`. Types a replacement leaves
/// unreachable from the definitions and document roots are dropped; the
/// returned map gives each old id its new one (as `passes::keep_reachable`).
/// `keep` lists more schemas whose types stay (as the definitions do).
pub(crate) fn apply(
    space: &mut TypeSpace,
    set: &SchemaSet,
    custom: &Custom,
    keep: &[crate::load::NodeRef],
    diags: &mut Diagnostics,
) -> Result<Option<Vec<Option<TypeId>>>, Error> {
    let map = replace(space, set, custom, keep)?;
    for selector in &custom.open_enum {
        let ids = types_of(space, selector, "--open-enum")?;
        let mut opened = 0;
        for id in ids {
            let def = &mut space.types[id.0];
            if let TypeKind::Enum(e) = &mut def.kind {
                if e.open.is_none() {
                    let taken: BTreeSet<&str> =
                        e.variants.iter().map(|v| v.name.as_str()).collect();
                    let name = ["Other", "OtherValue", "UnknownValue"]
                        .into_iter()
                        .find(|n| !taken.contains(n))
                        .unwrap_or("OtherValue_");
                    e.open = Some(name.to_string());
                }
                opened += 1;
            }
        }
        if opened == 0 {
            return Err(nothing(selector, "--open-enum", "no enum of strings"));
        }
    }
    for (selector, name) in &custom.rename {
        rename(space, selector, name)?;
    }
    for (selector, path) in &custom.derive {
        for id in types_of(space, selector, "--derive")? {
            let def = &mut space.types[id.0];
            if matches!(def.kind, TypeKind::Alias(_)) {
                diags.warn(
                    &def.origin.location(),
                    format!(
                        "`--derive {}={path}`: `{}` is a type alias, which cannot derive",
                        selector.text, def.name
                    ),
                );
            } else if !def.derives.contains(path) {
                def.derives.push(path.clone());
            }
        }
    }
    for selector in &custom.validate {
        for id in types_of(space, selector, "--validate")? {
            let def = &mut space.types[id.0];
            def.validate = true;
            // An alias has no reader of its own to check in: it becomes a
            // newtype (`struct Name(pub T)`, serde-transparent).
            if let TypeKind::Alias(ty) = &def.kind {
                def.kind = TypeKind::Newtype(ty.clone());
            }
        }
    }
    let mut checked = BTreeSet::new();
    for def in space.types.iter().filter(|d| d.validate) {
        if checked.insert(def.origin.clone()) {
            if let Some(value) = set.get(&def.origin) {
                check_patterns(&def.origin, value, diags);
            }
        }
    }
    for (selector, attribute) in &custom.attribute {
        let selected = selector.select(space);
        if !selected.fields.is_empty() {
            for (id, f) in selected.fields {
                if let TypeKind::Struct(s) = &mut space.types[id.0].kind {
                    s.fields[f].attributes.push(attribute.clone());
                }
            }
        } else if selected.types.is_empty() {
            return Err(nothing(selector, "--attribute", "nothing"));
        } else {
            for id in selected.types {
                let def = &mut space.types[id.0];
                if matches!(def.kind, TypeKind::Alias(_)) {
                    diags.warn(
                        &def.origin.location(),
                        format!(
                            "`--attribute`: `{}` is a type alias; `{attribute}` is not added",
                            def.name
                        ),
                    );
                } else {
                    def.attributes.push(attribute.clone());
                }
            }
        }
    }
    Ok(map)
}

/// Every `pattern` (and `patternProperties` key) at or below `node`
/// compiles as an ECMA-262 regular expression, as JSON Schema specifies
/// (`regress`): a validated type would otherwise fail on first use.
fn check_patterns(node: &crate::load::NodeRef, value: &Value, diags: &mut Diagnostics) {
    let compile = |at: &crate::load::NodeRef, pattern: &str, diags: &mut Diagnostics| {
        if let Err(error) = regress::Regex::new(pattern) {
            diags.error(
                &at.location(),
                format!("`{pattern}` is not an ECMA-262 regular expression ({error}): types that validate cannot check it"),
            );
        }
    };
    match value {
        Value::Object(obj) => {
            for (key, child) in obj {
                let at = node.child(key);
                match (key.as_str(), child) {
                    ("pattern", Value::String(pattern)) => compile(&at, pattern, diags),
                    ("patternProperties", Value::Object(patterns)) => {
                        for (pattern, schema) in patterns {
                            compile(&at.child(pattern), pattern, diags);
                            check_patterns(&at.child(pattern), schema, diags);
                        }
                    }
                    // Instance data, not schemas.
                    ("enum" | "const" | "default" | "examples" | "example", _) => {}
                    _ => check_patterns(&at, child, diags),
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check_patterns(&node.child(&i.to_string()), item, diags);
            }
        }
        _ => {}
    }
}

/// Drops the derives a type cannot have (`Eq` or `Hash` on a type holding
/// a float or any JSON), with a warning, and those it has already; run
/// once `eq_hash` is known.
pub(crate) fn check_derives(space: &mut TypeSpace, diags: &mut Diagnostics) {
    for def in &mut space.types {
        let always = ["Debug", "Clone", "PartialEq"];
        let eq_hash = def.eq_hash;
        let name = def.name.clone();
        let location = def.origin.location();
        def.derives.retain(|path| {
            let last = path.rsplit("::").next().unwrap_or(path);
            let is_std = !path.contains("::") || path.starts_with("::std::") || path.starts_with("std::") || path.starts_with("core::");
            if is_std && (always.contains(&last) || (eq_hash && matches!(last, "Eq" | "Hash"))) {
                return false;
            }
            if is_std && !eq_hash && matches!(last, "Eq" | "Hash" | "Ord") {
                diags.warn(
                    &location,
                    format!("`{name}` holds a float or any JSON, which is not `{last}`: the derive is skipped"),
                );
                return false;
            }
            true
        });
    }
}

/// The error for a selector that picked nothing an option applies to.
fn nothing(selector: &Selector, option: &str, what: &str) -> Error {
    Error::Config(format!(
        "{option} `{}` selects {what}: no generated type or field matches it (`--names` lists the definitions' pointers and names)",
        selector.text
    ))
}

/// The types `selector` picks, an error when none.
fn types_of(space: &TypeSpace, selector: &Selector, option: &str) -> Result<Vec<TypeId>, Error> {
    let types = selector.select(space).types;
    if types.is_empty() {
        return Err(nothing(selector, option, "no type"));
    }
    Ok(types)
}

/// `--rename`: a field when the selector picks fields, else a type (and
/// the types made from the same schema whose names extend its name:
/// `PetInner` follows `Pet`).
fn rename(space: &mut TypeSpace, selector: &Selector, name: &str) -> Result<(), Error> {
    let selected = selector.select(space);
    if !selected.fields.is_empty() {
        for (id, f) in selected.fields {
            let def = &mut space.types[id.0];
            let TypeKind::Struct(s) = &mut def.kind else {
                continue;
            };
            if s.fields
                .iter()
                .enumerate()
                .any(|(i, other)| i != f && other.name == name)
            {
                return Err(Error::Config(format!(
                    "--rename `{}={name}`: `{}` already has a field `{name}`",
                    selector.text, def.name
                )));
            }
            s.fields[f].name = name.to_string();
        }
        return Ok(());
    }
    let ids = types_of(space, selector, "--rename")?;
    let first = ids[0];
    let old = space.types[first.0].name.clone();
    let origin = space.types[first.0].origin.clone();
    let mut renamed: HashMap<usize, String> = HashMap::new();
    for (i, def) in space.types.iter().enumerate() {
        if i == first.0 {
            renamed.insert(i, name.to_string());
        } else if def.origin == origin {
            if let Some(rest) = def.name.strip_prefix(&old) {
                renamed.insert(i, format!("{name}{rest}"));
            }
        }
    }
    if ids.len() > 1 && ids.iter().any(|id| !renamed.contains_key(&id.0)) {
        return Err(Error::Config(format!(
            "--rename `{}={name}` selects {} types; a name is given to one",
            selector.text,
            ids.len()
        )));
    }
    for (i, new) in &renamed {
        if let Some(other) = space
            .types
            .iter()
            .enumerate()
            .find(|(j, def)| !renamed.contains_key(j) && def.name == *new)
        {
            return Err(Error::Config(format!(
                "--rename `{}={name}`: `{new}` is already the name of the type made from {}",
                selector.text,
                other.1.origin.location()
            )));
        }
        space.types[*i].name = new.clone();
    }
    Ok(())
}

/// `--replace` and `x-rust-type`: the replaced types' uses become the
/// given type, and types only they reached are dropped.
fn replace(
    space: &mut TypeSpace,
    set: &SchemaSet,
    custom: &Custom,
    keep: &[crate::load::NodeRef],
) -> Result<Option<Vec<Option<TypeId>>>, Error> {
    let mut by_id: BTreeMap<usize, Replacement> = BTreeMap::new();
    // The schema's own extension (a path, or typify's `{crate, path}`).
    for (i, def) in space.types.iter().enumerate() {
        let path = match set.get(&def.origin).and_then(|v| v.get("x-rust-type")) {
            Some(Value::String(path)) => path.clone(),
            Some(Value::Object(o)) => match o.get("path") {
                Some(Value::String(path)) => path.clone(),
                _ => continue,
            },
            _ => continue,
        };
        let replacement = Replacement::parse(&path)
            .map_err(|e| Error::at(def.origin.location().child("x-rust-type"), e))?;
        by_id.entry(i).or_insert(replacement);
    }
    for (selector, replacement) in &custom.replace {
        note_traits(space, replacement);
        let selected = selector.select(space);
        if !selected.types.is_empty() {
            for id in selected.types {
                by_id.insert(id.0, replacement.clone());
            }
        } else if !selected.fields.is_empty() {
            for (id, f) in selected.fields {
                if let TypeKind::Struct(s) = &mut space.types[id.0].kind {
                    let value = &mut s.fields[f].value;
                    *value = match value {
                        RustType::Option(_) => {
                            RustType::Option(Box::new(RustType::External(replacement.path.clone())))
                        }
                        _ => RustType::External(replacement.path.clone()),
                    };
                }
            }
        } else {
            return Err(nothing(selector, "--replace", "nothing"));
        }
    }
    if by_id.is_empty() {
        return Ok(None);
    }
    // The schemas' own `x-rust-type`s (the options' were noted above).
    for replacement in by_id.values() {
        note_traits(space, replacement);
    }
    // A tagged union dispatches to its members' own readers.
    for def in &space.types {
        if let TypeKind::Union(u) = &def.kind {
            if let Some(v) = u.variants.iter().find(|v| by_id.contains_key(&v.ty.0)) {
                return Err(Error::Config(format!(
                    "`{}` is a member of the tagged union `{}`, whose dispatch reads its fields: it cannot be replaced (replace the union instead)",
                    space.get(v.ty).name, def.name
                )));
            }
        }
    }
    let replace_ty = |ty: &mut RustType| {
        fn walk(ty: &mut RustType, by_id: &BTreeMap<usize, Replacement>) {
            if let RustType::Named(id) = ty {
                if let Some(r) = by_id.get(&id.0) {
                    *ty = RustType::External(r.path.clone());
                }
                return;
            }
            ty.for_each_inner_mut(|inner| walk(inner, by_id));
        }
        walk(ty, &by_id);
    };
    for def in &mut space.types {
        def.for_each_type_mut(&mut |ty| replace_ty(ty));
    }
    let roots: Vec<TypeId> = space
        .types
        .iter()
        .enumerate()
        .filter(|(i, def)| {
            !by_id.contains_key(i)
                && (def.origin.pointer.is_empty()
                    || crate::keywords::is_definition_pointer(&def.origin.pointer)
                    || keep.contains(&def.origin))
        })
        .map(|(i, _)| TypeId(i))
        .collect();
    Ok(Some(crate::passes::keep_reachable(space, &roots)))
}

/// Records what a replacement's type implements, for `Eq`/`Hash`.
fn note_traits(space: &mut TypeSpace, replacement: &Replacement) {
    let has = |t: &str| {
        replacement
            .traits
            .iter()
            .any(|x| x.rsplit("::").next() == Some(t))
    };
    if has("Eq") && has("Hash") {
        space.eq_hash_externals.insert(replacement.path.clone());
    }
}

/// A selector, or a configuration error naming it.
fn selector(text: &str) -> Result<Selector, Error> {
    Selector::parse(text).map_err(Error::Config)
}

impl crate::Config {
    /// Uses an existing Rust type for the schemas `selector` picks (see
    /// the generator's README for selectors): their own types are not
    /// generated, nor types only they reached. `rust_type` may end with the
    /// traits it implements, `:Eq+Hash`, so that types holding it keep
    /// those derives. The schema extension `x-rust-type` (a path, or
    /// typify's `{"crate", "path"}` object) does the same from the schema.
    ///
    /// ```
    /// let mut config = schemaweave::Config::new();
    /// config.replace("#/$defs/Timestamp", "chrono::DateTime<chrono::Utc>:Eq+Hash")?;
    /// # Ok::<(), schemaweave::Error>(())
    /// ```
    pub fn replace(&mut self, selector_text: &str, rust_type: &str) -> Result<&mut Self, Error> {
        let replacement = Replacement::parse(rust_type)
            .map_err(|e| Error::Config(format!("--replace `{selector_text}={rust_type}`: {e}")))?;
        let selector = selector(selector_text)?;
        self.options.custom.replace.push((selector, replacement));
        Ok(self)
    }

    /// Gives the type or field `selector` picks a Rust name of your
    /// choosing; the JSON name stays (a renamed field gets
    /// `#[serde(rename)]`).
    ///
    /// ```
    /// let mut config = schemaweave::Config::new();
    /// config.rename("#/$defs/Pet", "Animal")?.rename("Animal.name", "label")?;
    /// # Ok::<(), schemaweave::Error>(())
    /// ```
    pub fn rename(&mut self, selector_text: &str, name: &str) -> Result<&mut Self, Error> {
        if syn::parse_str::<syn::Ident>(name).is_err() {
            return Err(Error::Config(format!(
                "--rename `{selector_text}={name}`: `{name}` is not a Rust identifier"
            )));
        }
        let selector = selector(selector_text)?;
        self.options
            .custom
            .rename
            .push((selector, name.to_string()));
        Ok(self)
    }

    /// Also derives `path` (`Eq`, `Hash`, `PartialOrd`, `Default`,
    /// `my_macros::Audit`) on the types `selector` picks. `Eq` and `Hash`
    /// on a type that holds a float or any JSON are skipped with a
    /// warning; a derive the type has already is not repeated; others are
    /// emitted as written.
    ///
    /// ```
    /// let mut config = schemaweave::Config::new();
    /// config.derive("*Event", "Eq")?.derive("Pet", "PartialOrd")?;
    /// # Ok::<(), schemaweave::Error>(())
    /// ```
    pub fn derive(&mut self, selector_text: &str, path: &str) -> Result<&mut Self, Error> {
        if syn::parse_str::<syn::Path>(path).is_err() {
            return Err(Error::Config(format!(
                "--derive `{selector_text}={path}`: `{path}` is not a path"
            )));
        }
        let selector = selector(selector_text)?;
        self.options
            .custom
            .derive
            .push((selector, path.to_string()));
        Ok(self)
    }

    /// Adds `attribute` (`#[serde(rename_all = "camelCase")]`, or the same
    /// without `#[…]`) to the types or fields `selector` picks: fields
    /// when it picks fields (`Pet.name`, a pointer to a property), else
    /// types. Emitted as written, after the generator's own attributes.
    ///
    /// ```
    /// let mut config = schemaweave::Config::new();
    /// config.attribute("Pet.name", "#[serde(alias = \"label\")]")?;
    /// # Ok::<(), schemaweave::Error>(())
    /// ```
    pub fn attribute(&mut self, selector_text: &str, attribute: &str) -> Result<&mut Self, Error> {
        let text = attribute.trim();
        let text = if text.starts_with("#[") {
            text.to_string()
        } else {
            format!("#[{text}]")
        };
        let parsed = syn::parse::Parser::parse_str(syn::Attribute::parse_outer, &text);
        if !matches!(parsed, Ok(ref attrs) if attrs.len() == 1) {
            return Err(Error::Config(format!(
                "--attribute `{selector_text}={attribute}`: not one outer attribute (`#[name(...)]`)"
            )));
        }
        let selector = selector(selector_text)?;
        self.options.custom.attribute.push((selector, text));
        Ok(self)
    }

    /// Makes the types `selector` picks (`*` for all) check what they
    /// read against their schema, every keyword included (`pattern`,
    /// `minimum`, `not`, `if`/`then`, …): reading a value that the schema
    /// rejects is an error naming the keyword, the JSON pointer in the
    /// document and the value; `validate(&self)` checks a value built in
    /// Rust. The generated file embeds the schema documents, and the crate
    /// enables `schemaweave-runtime`'s `validate` feature.
    ///
    /// ```
    /// let mut config = schemaweave::Config::new();
    /// config.validate("*")?;
    /// # Ok::<(), schemaweave::Error>(())
    /// ```
    pub fn validate(&mut self, selector_text: &str) -> Result<&mut Self, Error> {
        let selector = selector(selector_text)?;
        self.options.custom.validate.push(selector);
        Ok(self)
    }

    /// Makes the enums of strings `selector` picks open: a value they do
    /// not list is kept in `Other(String)` and written back as it came
    /// (`open_enums` does it for every enum).
    ///
    /// ```
    /// let mut config = schemaweave::Config::new();
    /// config.open_enum("#/$defs/Status")?;
    /// # Ok::<(), schemaweave::Error>(())
    /// ```
    pub fn open_enum(&mut self, selector_text: &str) -> Result<&mut Self, Error> {
        let selector = selector(selector_text)?;
        self.options.custom.open_enum.push(selector);
        Ok(self)
    }
}
