//! Selectors: which generated types and fields a per-path option applies
//! to (`--derive SEL=…`, `--rename SEL=…`, …).
//!
//! A selector is one of:
//! - a JSON pointer as `--names` prints it (`#/$defs/Pet`, or
//!   `pets.json#/$defs/Pet` when the input has several files): the types
//!   made from that schema; a pointer to a property
//!   (`#/$defs/Pet/properties/name`) selects the field it became;
//! - a pointer prefix ending in `/**` (`#/$defs/Pet/**`): the types made
//!   from the schemas at or below it;
//! - a glob over Rust type names (`Pet`, `*Event`, `*`);
//! - `TYPE.FIELD`, globs over a type's name and a field's Rust or JSON name
//!   (`Pet.name`, `*.created_at`).
//!
//! Selection reads the model, after lowering: it sees the names the user
//! sees in the output.

use globset::{GlobBuilder, GlobMatcher};

use crate::model::{TypeDef, TypeId, TypeKind, TypeSpace};

/// A parsed selector.
#[derive(Debug, Clone)]
pub(crate) struct Selector {
    /// As the user wrote it, for messages.
    pub text: String,
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    /// The schema at this pointer (in this file, when given).
    Pointer {
        file: Option<String>,
        pointer: String,
    },
    /// The schemas at or below this pointer.
    Prefix {
        file: Option<String>,
        pointer: String,
    },
    /// Types by Rust name.
    Types(GlobMatcher),
    /// Fields by type name and field name.
    Fields(GlobMatcher, GlobMatcher),
}

/// What a selector picked in a model.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Selected {
    /// Types, by id.
    pub types: Vec<TypeId>,
    /// Struct fields: the struct and the field's index.
    pub fields: Vec<(TypeId, usize)>,
}

fn glob(text: &str, selector: &str) -> Result<GlobMatcher, String> {
    GlobBuilder::new(text)
        .literal_separator(false)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|e| format!("selector `{selector}`: {e}"))
}

impl Selector {
    /// Parses `text`; a malformed glob is an error naming it.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("an empty selector selects nothing (use `*` for every type)".into());
        }
        let kind = if let Some((file, pointer)) = text.split_once('#') {
            let file = (!file.is_empty()).then(|| file.to_string());
            let pointer = crate::load::percent_decode(pointer);
            if !(pointer.is_empty() || pointer.starts_with('/')) {
                return Err(format!(
                    "selector `{text}`: a JSON pointer after `#` starts with `/` (`#/$defs/Pet`)"
                ));
            }
            match pointer.strip_suffix("/**") {
                Some(prefix) => Kind::Prefix {
                    file,
                    pointer: prefix.to_string(),
                },
                None => Kind::Pointer { file, pointer },
            }
        } else if let Some((ty, field)) = text.split_once('.') {
            Kind::Fields(glob(ty, text)?, glob(field, text)?)
        } else {
            Kind::Types(glob(text, text)?)
        };
        Ok(Selector {
            text: text.to_string(),
            kind,
        })
    }

    /// What the selector picks in `space`.
    pub fn select(&self, space: &TypeSpace) -> Selected {
        let mut selected = Selected::default();
        let in_file =
            |file: &Option<String>, def_file: &str| file.as_deref().is_none_or(|f| f == def_file);
        for (i, def) in space.types.iter().enumerate() {
            let id = TypeId(i);
            match &self.kind {
                Kind::Pointer { file, pointer } => {
                    if in_file(file, &def.origin.file) && def.origin.pointer == *pointer {
                        selected.types.push(id);
                    }
                    for (f, field) in fields(def) {
                        if in_file(file, &field.node.file) && field.node.pointer == *pointer {
                            selected.fields.push((id, f));
                        }
                    }
                }
                Kind::Prefix { file, pointer } => {
                    let under = def.origin.pointer == *pointer
                        || def
                            .origin
                            .pointer
                            .strip_prefix(pointer.as_str())
                            .is_some_and(|rest| rest.starts_with('/'));
                    if in_file(file, &def.origin.file) && under {
                        selected.types.push(id);
                    }
                }
                Kind::Types(names) => {
                    if names.is_match(&def.name) {
                        selected.types.push(id);
                    }
                }
                Kind::Fields(types, names) => {
                    if types.is_match(&def.name) {
                        for (f, field) in fields(def) {
                            if names.is_match(&field.name) || names.is_match(&field.json_name) {
                                selected.fields.push((id, f));
                            }
                        }
                    }
                }
            }
        }
        selected
    }
}

/// The fields of a struct type, with their indexes.
fn fields(def: &TypeDef) -> impl Iterator<Item = (usize, &crate::model::Field)> {
    let list: &[crate::model::Field] = match &def.kind {
        TypeKind::Struct(s) => &s.fields,
        _ => &[],
    };
    list.iter().enumerate()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::SchemaSet;

    fn space() -> TypeSpace {
        let schema = serde_json::json!({
            "$defs": {
                "Pet": {"type": "object", "properties": {
                    "name": {"type": "string"},
                    "owner": {"type": "object", "properties": {"id": {"type": "string"}}}
                }},
                "PetEvent": {"type": "object", "properties": {"pet": {"$ref": "#/$defs/Pet"}}},
                "Kind": {"enum": ["a", "b"]}
            }
        });
        let set = SchemaSet::from_documents([("s.json".to_string(), schema)]).unwrap();
        crate::lower::lower(&set).unwrap().space
    }

    fn names(space: &TypeSpace, sel: &str) -> (Vec<String>, Vec<String>) {
        let selected = Selector::parse(sel).unwrap().select(space);
        let types = selected
            .types
            .iter()
            .map(|id| space.get(*id).name.clone())
            .collect();
        let fields = selected
            .fields
            .iter()
            .map(|(id, f)| match &space.get(*id).kind {
                TypeKind::Struct(s) => format!("{}.{}", space.get(*id).name, s.fields[*f].name),
                _ => unreachable!(),
            })
            .collect();
        (types, fields)
    }

    #[test]
    fn each_form_selects_what_it_names() {
        let space = space();
        assert_eq!(names(&space, "#/$defs/Pet").0, ["Pet"]);
        assert_eq!(names(&space, "s.json#/$defs/Pet").0, ["Pet"]);
        assert!(names(&space, "t.json#/$defs/Pet").0.is_empty());
        // A property: its field, and the inline type made there.
        assert_eq!(
            names(&space, "#/$defs/Pet/properties/owner"),
            (vec!["PetOwner".to_string()], vec!["Pet.owner".to_string()])
        );
        assert_eq!(names(&space, "#/$defs/Pet/**").0, ["Pet", "PetOwner"]);
        let mut events = names(&space, "*Event").0;
        events.sort();
        assert_eq!(events, ["PetEvent"]);
        assert_eq!(names(&space, "*").0.len(), space.types.len());
        assert_eq!(names(&space, "Pet.name").1, ["Pet.name"]);
        let mut ids = names(&space, "*.id").1;
        ids.sort();
        assert_eq!(ids, ["PetOwner.id"]);
        assert!(names(&space, "Nothing").0.is_empty());
    }

    #[test]
    fn malformed_selectors_are_errors() {
        assert!(Selector::parse("").is_err());
        assert!(Selector::parse("#$defs/Pet").is_err());
        assert!(Selector::parse("Pet[").unwrap_err().contains("`Pet[`"));
    }
}
