//! The generator's options that take a value, each declared once below:
//! its command-line flag, the value it takes, its documentation and the
//! [`crate::Config`] method it calls. The command line (`--FLAG VALUE`),
//! `check`'s refresh command, configuration files ([`crate::Config::from_file`],
//! `--config`, fixtures' `NAME.toml`) and [`crate::Config::option`] read
//! this table; the on/off options are in `switches.rs`.

use std::path::Path;

use crate::{Config, Error, SWITCHES};

/// One option that takes a value.
#[derive(Debug, Clone, Copy)]
pub struct Setting {
    /// The command-line flag without dashes, also the key of a
    /// configuration file.
    pub flag: &'static str,
    /// How the value is written, for `--help`.
    pub value_name: &'static str,
    /// What it does (the first sentence is the command line's help).
    pub doc: &'static str,
    /// Whether it can be given several times (a list in a file).
    pub repeatable: bool,
    /// Whether the value is a path, relative to a configuration file's
    /// folder when it comes from one.
    pub is_path: bool,
    apply: fn(&mut Config, &str) -> Result<(), Error>,
}

impl Setting {
    /// Gives `value` to `config`.
    pub(crate) fn apply(&self, config: &mut Config, value: &str) -> Result<(), Error> {
        (self.apply)(config, value)
    }
}

/// `SEL=VALUE`, split at the first `=`.
fn selected<'v>(flag: &str, value: &'v str) -> Result<(&'v str, &'v str), Error> {
    value
        .split_once('=')
        .ok_or_else(|| Error::Config(format!("--{flag} takes SELECTOR=VALUE, not `{value}`")))
}

/// Every option that takes a value, in `--help` order.
pub const SETTINGS: &[Setting] = &[
    Setting {
        flag: "schemars-feature",
        value_name: "FEATURE",
        doc: "Also implement `schemars::JsonSchema` for every type, under `#[cfg(feature = \"FEATURE\")]`.",
        repeatable: false,
        is_path: false,
        apply: |c, v| {
            c.schemars_feature(Some(v));
            Ok(())
        },
    },
    Setting {
        flag: "format",
        value_name: "TYPE:FORMAT=RUST_TYPE",
        doc: "Map a format to a Rust type: `string:date-time=chrono::DateTime<chrono::Utc>`.",
        repeatable: true,
        is_path: false,
        apply: |c, v| {
            let parsed = v
                .split_once('=')
                .and_then(|(left, rust)| left.split_once(':').map(|(t, f)| (t, f, rust)));
            let Some((ty, format, rust)) = parsed else {
                return Err(Error::Config(format!(
                    "--format takes TYPE:FORMAT=RUST_TYPE, not `{v}`"
                )));
            };
            c.format(ty, format, rust).map(|_| ())
        },
    },
    Setting {
        flag: "ref-root",
        value_name: "DIR",
        doc: "Also read schema files that `$ref`s reach inside DIR; by default only the input's folder is read.",
        repeatable: true,
        is_path: true,
        apply: |c, v| {
            c.ref_root(v);
            Ok(())
        },
    },
    Setting {
        flag: "root",
        value_name: "PATH[#POINTER]",
        doc: "Generate only the types reachable from PATH (a file of the input, relative to the input folder) or PATH#POINTER (a schema in it).",
        repeatable: true,
        is_path: false,
        apply: |c, v| {
            c.root(v);
            Ok(())
        },
    },
    Setting {
        flag: "runtime-path",
        value_name: "PATH",
        doc: "The path generated code calls the runtime crate by, for a crate that re-exports it (`crate::rt`, `::my_api::rt`).",
        repeatable: false,
        is_path: false,
        apply: |c, v| c.runtime_path(v).map(|_| ()),
    },
    Setting {
        flag: "map-type",
        value_name: "PATH",
        doc: "The map type for objects of any keys and unlisted properties: `BTreeMap` (default), `HashMap`, `indexmap::IndexMap`, or another path.",
        repeatable: false,
        is_path: false,
        apply: |c, v| c.map_type(v).map(|_| ()),
    },
    Setting {
        flag: "replace",
        value_name: "SELECTOR=TYPE[:TRAIT+…]",
        doc: "Use an existing Rust type for the selected schemas; their own types are not generated. The traits it implements (`Eq+Hash`) keep the derives of the types that hold it.",
        repeatable: true,
        is_path: false,
        apply: |c, v| {
            let (sel, ty) = selected("replace", v)?;
            c.replace(sel, ty).map(|_| ())
        },
    },
    Setting {
        flag: "rename",
        value_name: "SELECTOR=NAME",
        doc: "A Rust name for the selected type or field (the JSON name is unchanged).",
        repeatable: true,
        is_path: false,
        apply: |c, v| {
            let (sel, name) = selected("rename", v)?;
            c.rename(sel, name).map(|_| ())
        },
    },
    Setting {
        flag: "derive",
        value_name: "SELECTOR=PATH",
        doc: "Also derive PATH on the selected types (skipped, with a warning, where it cannot hold: `Eq` on a type holding `f64`).",
        repeatable: true,
        is_path: false,
        apply: |c, v| {
            let (sel, path) = selected("derive", v)?;
            c.derive(sel, path).map(|_| ())
        },
    },
    Setting {
        flag: "attribute",
        value_name: "SELECTOR=ATTRIBUTE",
        doc: "Add an attribute, as written (`#[serde(rename_all = \"camelCase\")]`), to the selected types or fields.",
        repeatable: true,
        is_path: false,
        apply: |c, v| {
            let (sel, attribute) = selected("attribute", v)?;
            c.attribute(sel, attribute).map(|_| ())
        },
    },
    Setting {
        flag: "validate",
        value_name: "SELECTOR",
        doc: "The selected types (`*` for all) check what they read against their schema, every keyword included; needs `schemaweave-runtime`'s `validate` feature.",
        repeatable: true,
        is_path: false,
        apply: |c, v| c.validate(v).map(|_| ()),
    },
    Setting {
        flag: "open-enum",
        value_name: "SELECTOR",
        doc: "The selected enums of strings keep values they do not list, in `Other(String)`.",
        repeatable: true,
        is_path: false,
        apply: |c, v| c.open_enum(v).map(|_| ()),
    },
];

/// The option with this flag.
pub(crate) fn by_flag(flag: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|s| s.flag == flag)
}

/// Reads a configuration file: a TOML table with a key for every flag
/// (`lossless = true`, `derive = ["Pet=Eq"]`, `runtime-path = "crate::rt"`,
/// `deny-warnings = true`); a repeatable option takes a list or one string.
pub(crate) fn read_file(config: &mut Config, path: &Path) -> Result<(), Error> {
    let at = |message: String| Error::Config(format!("{}: {message}", path.display()));
    let text = std::fs::read_to_string(path).map_err(|e| at(format!("cannot read it: {e}")))?;
    let table: toml::Table = toml::from_str(&text).map_err(|e| at(e.to_string()))?;
    let folder = path.parent().unwrap_or(Path::new(""));
    for (key, value) in &table {
        if key == "deny-warnings" || SWITCHES.iter().any(|s| s.flag == key) {
            let Some(on) = value.as_bool() else {
                return Err(at(format!("`{key}` takes true or false")));
            };
            if key == "deny-warnings" {
                config.deny_warnings(on);
            } else {
                config.switch(key, on)?;
            }
            continue;
        }
        let Some(setting) = by_flag(key) else {
            let mut known: Vec<&str> = SWITCHES.iter().map(|s| s.flag).collect();
            known.push("deny-warnings");
            known.extend(SETTINGS.iter().map(|s| s.flag));
            return Err(at(format!(
                "unknown key `{key}`; the keys are {}",
                known.join(", ")
            )));
        };
        let values: Vec<&str> = match value {
            toml::Value::String(s) => vec![s.as_str()],
            toml::Value::Array(items) if setting.repeatable => items
                .iter()
                .map(|v| {
                    v.as_str()
                        .ok_or_else(|| at(format!("`{key}` takes strings")))
                })
                .collect::<Result<_, _>>()?,
            _ => {
                return Err(at(format!(
                    "`{key}` takes {}",
                    if setting.repeatable {
                        "a string or a list of strings"
                    } else {
                        "a string"
                    }
                )))
            }
        };
        for value in values {
            let value = if setting.is_path {
                folder.join(value).to_string_lossy().into_owned()
            } else {
                value.to_string()
            };
            setting
                .apply(config, &value)
                .map_err(|e| at(format!("`{key}`: {e}")))?;
        }
    }
    Ok(())
}

impl Config {
    /// Gives the option whose command-line flag is `flag` (`derive`,
    /// `runtime-path`, …: [`SETTINGS`] lists them) the value `value`, as
    /// the command line would; for tools that take options by name. An
    /// unknown flag is an error that lists the known ones.
    ///
    /// ```
    /// let mut config = schemaweave::Config::new();
    /// config.option("derive", "*Event=Eq")?;
    /// # Ok::<(), schemaweave::Error>(())
    /// ```
    pub fn option(&mut self, flag: &str, value: &str) -> Result<&mut Self, Error> {
        let Some(setting) = by_flag(flag) else {
            let known: Vec<&str> = SETTINGS.iter().map(|s| s.flag).collect();
            return Err(Error::Config(format!(
                "no option `{flag}`; the options are {}",
                known.join(", ")
            )));
        };
        setting.apply(self, value)?;
        Ok(self)
    }

    /// A configuration read from a TOML file with a key for every
    /// command-line flag, for `build.rs` as for `--config FILE`:
    ///
    /// ```toml
    /// lossless = true
    /// runtime-path = "crate::rt"
    /// derive = ["*Event=Eq", "Pet=PartialOrd"]
    /// rename = "#/$defs/Pet=Animal"
    /// ref-root = "../shared"   # relative to the file's folder
    /// ```
    ///
    /// An unknown key, or a value of the wrong kind, is an error naming the
    /// file and the key.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Config, Error> {
        let mut config = Config::new();
        read_file(&mut config, path.as_ref())?;
        Ok(config)
    }

    /// The map type for objects of any keys and for unlisted properties:
    /// `BTreeMap` (the default, sorted), `HashMap`, `indexmap::IndexMap`
    /// (keeps the document's order; add `indexmap` with its `serde`
    /// feature), or another type taking `<String, T>`. `HashMap` and
    /// `IndexMap` are not `Hash`: types holding them do not derive `Eq`
    /// and `Hash`.
    ///
    /// ```
    /// let mut config = schemaweave::Config::new();
    /// config.map_type("indexmap::IndexMap")?;
    /// # Ok::<(), schemaweave::Error>(())
    /// ```
    pub fn map_type(&mut self, path: &str) -> Result<&mut Self, Error> {
        let full = match path {
            "BTreeMap" => "::std::collections::BTreeMap",
            "HashMap" => "::std::collections::HashMap",
            other => other,
        };
        if syn::parse_str::<syn::Path>(full).is_err() {
            return Err(Error::Config(format!(
                "--map-type: `{path}` is not a type path"
            )));
        }
        self.options.maps_not_hash = !full.ends_with("BTreeMap");
        self.emit.map_type = (full != "::std::collections::BTreeMap").then(|| full.to_string());
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_is_documented_and_named_once() {
        let mut flags: Vec<&str> = SETTINGS.iter().map(|s| s.flag).collect();
        flags.extend(SWITCHES.iter().map(|s| s.flag));
        flags.push("deny-warnings");
        let n = flags.len();
        flags.sort_unstable();
        flags.dedup();
        assert_eq!(flags.len(), n, "a flag is declared twice");
        for setting in SETTINGS {
            assert!(setting.doc.ends_with('.'), "{}", setting.flag);
            assert!(!setting.value_name.is_empty(), "{}", setting.flag);
        }
    }

    #[test]
    fn a_bad_value_is_an_error_naming_the_option() {
        let mut config = Config::new();
        for (flag, value) in [
            ("derive", "Pet"),
            ("rename", "no-equals"),
            ("format", "date-time"),
            ("runtime-path", "a b"),
            ("map-type", "not a type"),
            ("attribute", "Pet=not an attribute"),
            ("replace", "Pet=not a type"),
            ("open-enum", "Pet["),
        ] {
            let err = config.option(flag, value).unwrap_err().to_string();
            assert!(!err.is_empty(), "{flag}");
        }
        assert!(config
            .option("nothing", "x")
            .unwrap_err()
            .to_string()
            .contains("`nothing`"));
    }
}
