#![doc = include_str!("../README.md")]
//!
//! ## The library
//!
//! The pipeline runs in stages, each in its own module, data flowing one way:
//!
//! 1. `load`: read files, parse JSON, resolve `$ref`s, keep JSON pointers;
//! 2. `lower`: decide what each schema node means in Rust (`model`); the
//!    per-path options apply to the model;
//! 3. `emit`: print the model as tokens with `quote`;
//! 4. `render`: check the tokens parse with `syn`, place the runtime and
//!    map paths, format with `prettyplease`.
//!
//! Those stages are internal; the public API is [`Config`] (and what it
//! returns), [`SchemaSet`] for tools that read schemas themselves,
//! [`SWITCHES`] and [`SETTINGS`] for tools that take options by name, and,
//! behind cargo features, [`check`] (`check`) and the webhook tooling
//! `webhooks` (`webhooks`).

#![forbid(unsafe_code)]
// The README shows a build script, whose `fn main` is the point.
#![allow(clippy::needless_doctest_main)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]

#[cfg(feature = "check")]
pub mod check;
mod custom;
mod emit;
mod error;
mod ids;
mod keywords;
mod load;
mod lower;
mod model;
mod naming;
mod passes;
mod render;
mod select;
mod settings;
#[cfg(test)]
mod spec_tests;
mod switches;
#[cfg(feature = "webhooks")]
pub mod webhooks;
#[cfg(feature = "yaml")]
mod yaml;

use std::path::{Path, PathBuf};

pub use error::{Diagnostic, Error, Location};
pub use load::{NodeRef, SchemaSet};
pub use settings::{Setting, SETTINGS};
pub use switches::{Switch, SWITCHES};
#[cfg(feature = "yaml")]
pub use yaml::yaml_to_json;

/// Options for one generator run. Build it, set options, then call
/// [`Config::generate`] (to get the code) or [`Config::compile`] (from
/// `build.rs`, to write it into `OUT_DIR`).
#[derive(Debug, Clone)]
pub struct Config {
    out_dir: Option<PathBuf>,
    rerun_if_changed: bool,
    deny_warnings: bool,
    ref_roots: Vec<PathBuf>,
    options: lower::Options,
    emit: emit::EmitOptions,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            out_dir: None,
            rerun_if_changed: true,
            deny_warnings: false,
            ref_roots: Vec::new(),
            options: lower::Options::default(),
            emit: emit::EmitOptions::default(),
        }
    }
}

/// The result of a successful run.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The formatted Rust source, `@generated` header included.
    pub code: String,
    /// Every schema file read, as named in the header.
    pub sources: Vec<String>,
    /// Every schema file read, as a path on disk.
    pub source_paths: Vec<PathBuf>,
    /// Fallbacks taken (see the README); the code is still usable.
    pub warnings: Vec<Diagnostic>,
    /// Each definition's JSON pointer (`#/$defs/x`, `#/components/schemas/X`;
    /// prefixed with the file, `schema/a.json#/$defs/x`, when the input has
    /// several files) and the Rust type name it got. Sorted by pointer.
    pub names: std::collections::BTreeMap<String, String>,
}

impl Config {
    /// The default configuration.
    pub fn new() -> Self {
        Self::default()
    }

    /// Where [`Config::compile`] writes; the default is `$OUT_DIR`.
    ///
    /// ```
    /// let mut config = schemaweave::Config::new();
    /// config.out_dir("target/generated");
    /// ```
    pub fn out_dir(&mut self, dir: impl Into<PathBuf>) -> &mut Self {
        self.out_dir = Some(dir.into());
        self
    }

    /// Whether [`Config::compile`] prints `cargo:rerun-if-changed` for each
    /// schema file read and each directory given (default: yes).
    ///
    /// ```
    /// schemaweave::Config::new().emit_rerun_if_changed(false);
    /// ```
    pub fn emit_rerun_if_changed(&mut self, yes: bool) -> &mut Self {
        self.rerun_if_changed = yes;
        self
    }

    /// Whether a warning (a documented fallback) fails the run (default: no).
    ///
    /// ```
    /// schemaweave::Config::new().deny_warnings(true);
    /// ```
    pub fn deny_warnings(&mut self, yes: bool) -> &mut Self {
        self.deny_warnings = yes;
        self
    }

    /// Also reads schema files that `$ref`s reach inside `dir` (repeatable).
    /// By default only files inside the input's folder (the input folder,
    /// or the folder of the input file) are read: a reference that leaves
    /// it, through `..` or a symbolic link, is an error, so a third-party
    /// schema cannot pull other files of the machine into generated code.
    ///
    /// ```
    /// schemaweave::Config::new().ref_root("../shared-schemas");
    /// ```
    pub fn ref_root(&mut self, dir: impl Into<PathBuf>) -> &mut Self {
        self.ref_roots.push(dir.into());
        self
    }

    /// Generates only the types reachable from `root` (repeatable): a file
    /// of the input, relative to the input folder (its root type, or every
    /// definition in it when its root is not a type), or a schema in one
    /// (`kinds/deployment.json#/properties/spec`; `#/$defs/Pet` alone for a
    /// one-file input). A folder holding one resource schema beside a shared
    /// definitions file then gives the types that resource needs, not every
    /// shared definition. A root that names nothing is an error.
    ///
    /// ```
    /// schemaweave::Config::new().root("deployment.json");
    /// ```
    pub fn root(&mut self, root: &str) -> &mut Self {
        self.options.roots.push(root.to_string());
        self
    }

    /// Also implements `schemars::JsonSchema` for every generated type,
    /// under `#[cfg(feature = "<feature>")]`: the crate that includes the
    /// code declares that feature with an optional `schemars` dependency
    /// and the runtime's `schemars` feature (`schemars = ["dep:schemars",
    /// "schemaweave-runtime/schemars"]`): generated types may hold the
    /// runtime's `NonObject` and `NonArray`.
    /// The schemas describe the source schema's rules (an optional property
    /// that may not be `null` is not nullable in the schema).
    pub fn schemars_feature(&mut self, feature: Option<&str>) -> &mut Self {
        self.emit.schemars_feature = feature.map(str::to_string);
        self
    }

    /// The path generated code calls the runtime crate by (default
    /// `::schemaweave_runtime`), as prost-build's `prost_path`: a crate
    /// that re-exports the runtime (`pub use schemaweave_runtime as
    /// rt;`) gives `crate::rt` or `::my_crate::rt`, and its users need no
    /// dependency of their own. Checked to parse as a Rust path.
    ///
    /// ```
    /// let mut config = schemaweave::Config::new();
    /// config.runtime_path("::my_api::rt")?;
    /// # Ok::<(), schemaweave::Error>(())
    /// ```
    pub fn runtime_path(&mut self, path: &str) -> Result<&mut Self, Error> {
        render::check_runtime_path(path)?;
        self.emit.runtime_path = Some(path.to_string());
        Ok(self)
    }

    /// Maps a `format` of a schema type to a Rust type of your choosing; by
    /// default every format keeps the plain type (`String` for strings), so
    /// generated code needs no extra dependency. The type must implement
    /// `Serialize` and `Deserialize`; it is checked to parse as a Rust type.
    ///
    /// ```
    /// let mut config = schemaweave::Config::new();
    /// config.format("string", "date-time", "chrono::DateTime<chrono::Utc>")?;
    /// config.format("string", "uuid", "uuid::Uuid")?;
    /// # Ok::<(), schemaweave::Error>(())
    /// ```
    pub fn format(
        &mut self,
        schema_type: &str,
        format: &str,
        rust_type: &str,
    ) -> Result<&mut Self, Error> {
        if syn::parse_str::<syn::Type>(rust_type).is_err() {
            return Err(Error::Config(format!(
                "`{rust_type}` (for format `{format}`) is not a Rust type"
            )));
        }
        self.options.formats.insert(
            (schema_type.to_string(), format.to_string()),
            rust_type.to_string(),
        );
        Ok(self)
    }

    /// Generates Rust source from a schema file, or from every `*.json` file
    /// below a directory.
    ///
    /// ```no_run
    /// let generated = schemaweave::Config::new().generate("schema")?;
    /// println!("{}", generated.code);
    /// # Ok::<(), schemaweave::Error>(())
    /// ```
    pub fn generate(&self, input: impl AsRef<Path>) -> Result<Generated, Error> {
        self.generate_set(&self.load(input)?)
    }

    /// Turns on or off the switch whose command-line flag is `flag`
    /// (`lossless`, `unique-items-as-set`, …: [`SWITCHES`] lists them), for
    /// tools that take options by name. An unknown flag is an error that
    /// lists the known ones.
    ///
    /// ```
    /// let mut config = schemaweave::Config::new();
    /// config.switch("lossless", true)?;
    /// # Ok::<(), schemaweave::Error>(())
    /// ```
    pub fn switch(&mut self, flag: &str, on: bool) -> Result<&mut Self, Error> {
        let Some(switch) = switches::by_flag(flag) else {
            let known: Vec<&str> = SWITCHES.iter().map(|s| s.flag).collect();
            return Err(Error::Config(format!(
                "no switch `{flag}`; the switches are {}",
                known.join(", ")
            )));
        };
        switch.set(&mut self.options.switches, on);
        Ok(self)
    }

    /// Loads a schema file or folder as [`Config::generate`] reads it
    /// (with the folders allowed by [`Config::ref_root`]).
    pub fn load(&self, input: impl AsRef<Path>) -> Result<SchemaSet, Error> {
        load::SchemaSet::load_with_roots(input.as_ref(), &self.ref_roots)
    }

    /// Generates Rust source from schema documents already loaded.
    pub fn generate_set(&self, set: &load::SchemaSet) -> Result<Generated, Error> {
        let lowered = lower_on_big_stack(set, &self.options)?;
        if self.deny_warnings && !lowered.warnings.is_empty() {
            return Err(Error::Schema(lowered.warnings));
        }
        let sources: Vec<String> = set.files().map(str::to_string).collect();
        let names = definition_names(&lowered.space, sources.len() > 1);
        let mut emit = self.emit.clone();
        if lowered.space.types.iter().any(|t| t.validate) {
            emit.documents = Some(embedded_documents(set, &sources));
        }
        let code = generate_code(&lowered.space, &emit, &sources)?;
        Ok(Generated {
            source_paths: sources.iter().map(|s| set.path_of(s)).collect(),
            sources,
            code,
            warnings: lowered.warnings,
            names,
        })
    }

    /// For `build.rs`: generates from `input` into `file_name` in the output
    /// directory (`$OUT_DIR` unless [`Config::out_dir`] was set), prints
    /// `cargo:rerun-if-changed` lines and warnings for Cargo, and returns the
    /// path written. The file is only rewritten when its content changes.
    pub fn compile(&self, input: impl AsRef<Path>, file_name: &str) -> Result<PathBuf, Error> {
        let input = input.as_ref();
        if self.rerun_if_changed {
            // The input itself: for a directory, adding or removing a file
            // reruns; after a failure, any change to it does.
            println!("cargo:rerun-if-changed={}", input.display());
        }
        let generated = self.generate(input)?;
        if self.rerun_if_changed {
            for path in &generated.source_paths {
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
        for warning in &generated.warnings {
            println!("cargo:warning={warning}");
        }
        let dir = match &self.out_dir {
            Some(dir) => dir.clone(),
            None => std::env::var_os("OUT_DIR").map(PathBuf::from).ok_or_else(|| Error::Io {
                path: "$OUT_DIR".into(),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "OUT_DIR is not set: call compile() from a build script, or set Config::out_dir",
                ),
            })?,
        };
        let path = dir.join(file_name);
        write_if_changed(&path, &generated.code)?;
        Ok(path)
    }
}

/// Lowering recurses once per level of nesting (through `$ref` chains up
/// to `lower`'s depth limit): it runs on a thread with room for that, in
/// debug builds too, whatever the caller's stack.
fn lower_on_big_stack(
    set: &load::SchemaSet,
    options: &lower::Options,
) -> Result<lower::Lowered, Error> {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(FORMAT_STACK)
            .spawn_scoped(scope, || lower::lower_with(set, options))
            .map_err(|e| Error::Syntax(format!("no lowering thread: {e}")))?
            .join()
            .unwrap_or_else(|_| Err(Error::Syntax("the lowering thread panicked".into())))
    })
}

/// The pipeline's last two stages, the only way code is made from a model:
/// emitted and formatted in slices, with the header naming `sources`.
fn generate_code(
    space: &model::TypeSpace,
    emit_options: &emit::EmitOptions,
    sources: &[String],
) -> Result<String, Error> {
    Ok(render::with_header(
        &emit_and_format(space, emit_options)?,
        sources,
    ))
}

/// Emits and formats the model in slices, one thread each (tokens cannot
/// cross threads, the model can), and joins them in order: the output does
/// not depend on how many slices there were.
fn emit_and_format(
    space: &model::TypeSpace,
    emit_options: &emit::EmitOptions,
) -> Result<String, Error> {
    let n = space.types.len();
    let slices = std::thread::available_parallelism()
        .map_or(1, |p| p.get())
        .clamp(1, 8)
        .min(n / 64 + 1);
    emit_and_format_in(space, slices, emit_options)
}

/// Types emitted and formatted together within a slice.
const CHUNK: usize = 32;

/// Stack for each formatting thread (address space, not memory: pages are
/// only used as deep as the recursion goes).
const FORMAT_STACK: usize = 64 << 20;

fn emit_and_format_in(
    space: &model::TypeSpace,
    slices: usize,
    emit_options: &emit::EmitOptions,
) -> Result<String, Error> {
    let allow_deprecated = emit::any_deprecated(space);
    let n = space.types.len();
    let slices = slices.max(1);
    let bounds: Vec<std::ops::Range<usize>> = (0..slices)
        .map(|i| (n * i / slices)..(n * (i + 1) / slices))
        .collect();
    let parts: Vec<Result<String, Error>> = std::thread::scope(|scope| {
        let handles: Vec<_> = bounds
            .into_iter()
            .map(|range| {
                // `syn` and `prettyplease` recurse once per level of a type
                // such as `Vec<Vec<…>>`: the default 2 MiB would not hold
                // the deepest schemas the loader accepts.
                std::thread::Builder::new()
                    .stack_size(FORMAT_STACK)
                    .spawn_scoped(scope, move || {
                        // A few types at a time: their tokens and syntax
                        // tree are dropped once formatted, so memory stays
                        // bounded by the chunk, not the slice.
                        let mut text = String::new();
                        let mut start = range.start;
                        while start < range.end {
                            let end = (start + CHUNK).min(range.end);
                            text.push_str(&render::format_items(
                                emit::emit_range(space, start..end, emit_options),
                                allow_deprecated,
                                emit_options,
                            )?);
                            start = end;
                        }
                        Ok(text)
                    })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| match h {
                Ok(h) => h
                    .join()
                    .unwrap_or_else(|_| Err(Error::Syntax("a formatting thread panicked".into()))),
                Err(e) => Err(Error::Syntax(format!("no formatting thread: {e}"))),
            })
            .collect()
    });
    let mut body = String::new();
    for part in parts {
        body.push_str(&part?);
    }
    if let Some((name, documents)) = &emit_options.documents {
        body.push_str(&render::format_items(
            emit::documents_item(name, documents),
            false,
            emit_options,
        )?);
    }
    Ok(body)
}

/// The Rust name of every type that comes from a definition (a `$defs`,
/// `definitions` or `components/schemas` entry, or a document root).
fn definition_names(
    space: &model::TypeSpace,
    qualify: bool,
) -> std::collections::BTreeMap<String, String> {
    let mut names = std::collections::BTreeMap::new();
    for def in &space.types {
        let pointer = &def.origin.pointer;
        if !keywords::is_definition_pointer(pointer) {
            continue;
        }
        let key = if qualify {
            format!("{}#{}", def.origin.file, pointer)
        } else {
            format!("#{pointer}")
        };
        // A nullable definition also makes an `…Inner` type from the same
        // node; the definition's name is the first.
        names.entry(key).or_insert_with(|| def.name.clone());
    }
    names
}

/// The documents validated types check against (`--validate`), and a
/// static name of their own (two generated files may share a module).
fn embedded_documents(set: &SchemaSet, sources: &[String]) -> (String, Vec<(String, String)>) {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut documents = Vec::new();
    for file in sources {
        let root = NodeRef {
            file: file.clone(),
            pointer: String::new(),
        };
        let text = set
            .get(&root)
            .map(|v| v.to_string())
            .unwrap_or_else(|| "true".into());
        for byte in file.bytes().chain(text.bytes()) {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
        documents.push((emit::validated::document_uri(file), text));
    }
    (
        format!("__SCHEMAWEAVE_DOCUMENTS_{:08X}", hash as u32),
        documents,
    )
}

/// Writes `text` to `path` unless the file already holds exactly that.
/// Only a regular file is read first: a pipe, a terminal or
/// `/dev/stdout` is written straight away (reading it would wait for
/// input that never comes).
pub fn write_if_changed(path: &Path, text: &str) -> Result<(), Error> {
    let regular = std::fs::metadata(path).is_ok_and(|m| m.is_file());
    if regular && std::fs::read_to_string(path).ok().as_deref() == Some(text) {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|source| Error::Io {
            path: parent.display().to_string(),
            source,
        })?;
    }
    std::fs::write(path, text).map_err(|source| Error::Io {
        path: path.display().to_string(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_does_not_depend_on_how_many_slices_are_formatted_in_parallel() {
        let schema = concat!(env!("CARGO_MANIFEST_DIR"), "/../schema");
        let set = load::SchemaSet::load(Path::new(schema)).unwrap();
        let space = lower::lower(&set).unwrap().space;
        let options = emit::EmitOptions::default();
        let one = emit_and_format_in(&space, 1, &options).unwrap();
        for slices in [2, 3, 7, 500] {
            assert_eq!(
                emit_and_format_in(&space, slices, &options).unwrap(),
                one,
                "{slices} slices"
            );
        }
    }
}
