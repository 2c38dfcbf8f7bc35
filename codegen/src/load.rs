//! Stage 1: read schema files, parse them, and resolve `$ref`s.
//!
//! The loader knows nothing about Rust. It turns paths into a [`SchemaSet`]:
//! every document the input needs (the entry files plus every file reached
//! through a relative-file `$ref`), each kept as a [`Document`] and
//! addressed by a display name that does not depend on where the checkout
//! lives, so generated output is byte-identical on every machine.

use std::collections::{BTreeMap, VecDeque};
use std::path::{Component, Path, PathBuf};

use serde_json::Value;

mod parse;

use parse::dismantle;
pub use parse::{check_nesting, parse_document, MAX_NESTING};

use crate::error::{Diagnostics, Error, Location};
use crate::keywords::{self, Slots};

/// A schema node: a document and a JSON pointer into it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeRef {
    /// The document's display name (see [`SchemaSet`]).
    pub file: String,
    /// JSON pointer of the node within the document.
    pub pointer: String,
}

impl NodeRef {
    /// The node's location, for diagnostics.
    pub fn location(&self) -> Location {
        Location::new(self.file.clone(), self.pointer.clone())
    }

    /// The child node reached by `key` (escaped per RFC 6901).
    pub fn child(&self, key: &str) -> NodeRef {
        let loc = self.location().child(key);
        NodeRef {
            file: loc.file,
            pointer: loc.pointer,
        }
    }
}

/// Every schema document of one generator run.
///
/// Files are read only inside the input's tree (the input folder, or the
/// folder of the input file) and inside the folders added with
/// [`SchemaSet::load_with_roots`]; a `$ref` that reaches further, directly,
/// through `..` or through a symbolic link, is a located error. Absolute
/// paths and `file:` URIs are never read, and nothing is fetched.
///
/// Display names are paths relative to the parent of the input: generating
/// from the directory `…/schema` names its files `schema/a.json`,
/// `schema/events/b.json`; generating from the file `…/x/api.json` names it
/// `api.json`.
#[derive(Debug, Clone)]
pub struct SchemaSet {
    base: PathBuf,
    /// What display names of files in the input start with: the input
    /// folder's name and `/`, or nothing for a file input.
    prefix: String,
    /// The folders files may be read from (canonical): the input's tree
    /// and the roots the caller allowed.
    allowed: Vec<PathBuf>,
    entries: Vec<String>,
    documents: BTreeMap<String, Document>,
    /// Schemas named by `$id` and `$anchor`.
    ids: crate::ids::IdIndex,
}

impl SchemaSet {
    /// Loads a file, or every `*.json`, `*.yaml` and `*.yml` file below a directory (sorted by
    /// path), together with every file their `$ref`s reach inside the
    /// input's tree.
    pub fn load(input: &Path) -> Result<SchemaSet, Error> {
        Self::load_with_roots(input, &[])
    }

    /// [`SchemaSet::load`], also reading files that `$ref`s reach inside
    /// each of `roots` (folders, for schemas split across sibling trees).
    pub fn load_with_roots(input: &Path, roots: &[PathBuf]) -> Result<SchemaSet, Error> {
        let canonical = input.canonicalize().map_err(|source| Error::Io {
            path: input.display().to_string(),
            source,
        })?;
        let base = canonical
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| canonical.clone());
        let tree = if canonical.is_dir() {
            canonical.clone()
        } else {
            base.clone()
        };
        let mut allowed = vec![tree];
        for root in roots {
            allowed.push(root.canonicalize().map_err(|source| Error::Io {
                path: root.display().to_string(),
                source,
            })?);
        }
        let mut entries = Vec::new();
        if canonical.is_dir() {
            let mut found = Vec::new();
            collect_json_files(&canonical, &mut found)?;
            found.sort();
            for path in found {
                entries.push(display_name(&base, &path));
            }
        } else {
            entries.push(display_name(&base, &canonical));
        }
        let prefix = if canonical.is_dir() {
            canonical
                .file_name()
                .map_or(String::new(), |n| format!("{}/", n.to_string_lossy()))
        } else {
            String::new()
        };
        let mut set = SchemaSet {
            base,
            prefix,
            allowed,
            entries: entries.clone(),
            documents: BTreeMap::new(),
            ids: crate::ids::IdIndex::default(),
        };
        let mut queue: VecDeque<(String, Option<(Location, String)>)> =
            entries.into_iter().map(|e| (e, None)).collect();
        let mut diags = Diagnostics::default();
        // References are looked at once every queued document is read (and
        // its `$id`s known): a reference that a document of the input names
        // by `$id` (`/schemas/defs.json` under `$id:
        // https://example.com/schemas/kind.json`) is not a file to read.
        let mut pending: Vec<(Location, String)> = Vec::new();
        let mut absolute_paths: Vec<(Location, String)> = Vec::new();
        loop {
            while let Some((name, referrer)) = queue.pop_front() {
                if set.documents.contains_key(&name) {
                    continue;
                }
                let doc = match set.read_document(&name, referrer.as_ref()) {
                    Ok(doc) => doc,
                    Err(Error::Schema(mut d)) => {
                        diags.errors.append(&mut d);
                        continue;
                    }
                    Err(e) => return Err(e),
                };
                set.ids.add_document(&name, doc.as_value());
                collect_refs(
                    doc.as_value(),
                    &Location::new(name.clone(), ""),
                    &mut pending,
                );
                set.documents.insert(name, doc);
            }
            if pending.is_empty() {
                break;
            }
            for (loc, reference) in std::mem::take(&mut pending) {
                let (file_part, _) = split_ref(&reference);
                if file_part.is_empty() {
                    continue;
                }
                let named = set.names_loaded_schema(&loc, &reference);
                // An absolute URI (`urn:`, `https:`) names a schema by
                // `$id`, or a remote document: never a local file (an
                // error when lowering reaches it, if nothing declares it).
                if named || crate::ids::has_scheme(file_part) {
                    continue;
                }
                match join_relative(&loc.file, file_part) {
                    Some(target) => {
                        if !set.documents.contains_key(&target) {
                            queue.push_back((target, Some((loc, reference))));
                        }
                    }
                    // An absolute path: only a document that declares it
                    // (read later, maybe) can answer it.
                    None => absolute_paths.push((loc, reference)),
                }
            }
        }
        for (loc, reference) in absolute_paths {
            if !set.names_loaded_schema(&loc, &reference) {
                diags.error(&loc, absolute_path_message(&reference));
            }
        }
        if diags.errors.is_empty() {
            Ok(set)
        } else {
            Err(Error::Schema(diags.errors))
        }
    }

    /// Builds a set from documents already in memory (for tests and for
    /// callers that fetch schemas themselves). Names are used as given.
    pub fn from_documents(
        documents: impl IntoIterator<Item = (String, Value)>,
    ) -> Result<SchemaSet, Error> {
        let mut set = SchemaSet {
            base: PathBuf::new(),
            prefix: String::new(),
            allowed: Vec::new(),
            entries: Vec::new(),
            documents: BTreeMap::new(),
            ids: crate::ids::IdIndex::default(),
        };
        for (name, value) in documents {
            if let Err(error) = check_nesting(&name, &value) {
                dismantle(value);
                return Err(error);
            }
            let schema = to_schema(&name, value)?;
            set.ids.add_document(&name, schema.as_value());
            set.entries.push(name.clone());
            set.documents.insert(name, schema);
        }
        Ok(set)
    }

    /// Whether `reference`, written at `at`, names by `$id` or anchor a
    /// schema in a document read so far (then it is no file to read).
    fn names_loaded_schema(&self, at: &Location, reference: &str) -> bool {
        let from = NodeRef {
            file: at.file.clone(),
            pointer: at.pointer.clone(),
        };
        self.ids
            .resolve(&from, reference)
            .is_some_and(|t| self.documents.contains_key(&t.file))
    }

    /// Builds a set of one document from its bytes, parsed as YAML when
    /// `name` ends in `.yaml` or `.yml` and as JSON otherwise, with the
    /// checks [`SchemaSet::load`] applies to files (duplicate keys, nesting
    /// depth, a root that is a schema).
    pub fn from_bytes(name: &str, bytes: &[u8]) -> Result<SchemaSet, Error> {
        let value = parse_document(name, bytes)?;
        SchemaSet::from_documents([(name.to_string(), value)])
    }

    fn read_document(
        &self,
        name: &str,
        referrer: Option<&(Location, String)>,
    ) -> Result<Document, Error> {
        let path = self.base.join(name);
        let cannot_read = |source: std::io::Error| match referrer {
            Some((loc, _)) => Error::at(
                loc.clone(),
                format!("`$ref` points to {name}, which cannot be read: {source}"),
            ),
            None => Error::Io {
                path: name.to_string(),
                source,
            },
        };
        // Symbolic links are followed before the check, so a link inside
        // the tree to a file outside it is refused like a plain `..`.
        let real = path.canonicalize().map_err(cannot_read)?;
        if !self.allowed.iter().any(|root| real.starts_with(root)) {
            let tree = self.allowed[0].file_name().map_or_else(
                || self.allowed[0].display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            let how = if real == normalize_lexically(&path) {
                String::new()
            } else {
                " through a symbolic link".to_string()
            };
            let outside = format!("outside the input's folder `{tree}`: schema files are read only inside it; allow another folder with `--ref-root DIR` (`Config::ref_root`)");
            return Err(match referrer {
                Some((loc, reference)) => Error::at(
                    loc.clone(),
                    format!("`$ref` \"{reference}\" reaches {name}{how}, {outside}"),
                ),
                None => Error::at(
                    Location::new(name, ""),
                    format!("this file leads{how} {outside}"),
                ),
            });
        }
        let bytes = std::fs::read(&real).map_err(cannot_read)?;
        let value = parse_document(name, &bytes)?;
        if let Err(error) = check_nesting(name, &value) {
            dismantle(value);
            return Err(error);
        }
        to_schema(name, value)
    }

    /// The document a path relative to the input folder names (the input
    /// file itself for an empty path when there is one entry).
    pub(crate) fn input_file(&self, path: &str) -> Option<String> {
        if path.is_empty() {
            return (self.entries.len() == 1).then(|| self.entries[0].clone());
        }
        let path = path.trim_start_matches("./");
        let name = format!("{}{path}", self.prefix);
        self.documents.contains_key(&name).then_some(name)
    }

    /// The entry files, in the order they were given (directories: sorted).
    pub fn entries(&self) -> &[String] {
        &self.entries
    }

    /// Every loaded document's display name, sorted.
    pub fn files(&self) -> impl Iterator<Item = &str> {
        self.documents.keys().map(String::as_str)
    }

    /// Where the document called `file` lives on disk (for documents built
    /// in memory, the name itself).
    pub fn path_of(&self, file: &str) -> PathBuf {
        self.base.join(file)
    }

    /// The document called `file`.
    pub fn document(&self, file: &str) -> Option<&Document> {
        self.documents.get(file)
    }

    /// The JSON value at `node`, if it exists.
    pub fn get(&self, node: &NodeRef) -> Option<&Value> {
        self.documents.get(&node.file)?.0.pointer(&node.pointer)
    }

    /// Resolves a `$ref` found in `from`'s document to the node it names.
    ///
    /// Supported forms: `#/json/pointer`, `file.json`, `file.json#/pointer`
    /// with the file relative to the referring one. Anchors (`#name`) and
    /// absolute URIs are reported as errors.
    pub fn resolve(&self, from: &NodeRef, reference: &str) -> Result<NodeRef, String> {
        // By `$id` or anchor first, where documents name their schemas.
        if self.ids.names_anything() {
            if let Some(target) = self.ids.resolve(from, reference) {
                if self.get(&target).is_some() {
                    return Ok(target);
                }
            }
        }
        let (file_part, fragment) = split_ref(reference);
        if file_part
            .get(..5)
            .is_some_and(|s| s.eq_ignore_ascii_case("file:"))
        {
            return Err(format!(
                "`$ref` \"{reference}\" is a `file:` URI that no schema in the input declares as its `$id`; `file:` URIs are never read (file references are relative paths inside the input's folder)"
            ));
        }
        if file_part.contains("://") || crate::ids::has_scheme(file_part) {
            return Err(format!(
                "`$ref` \"{reference}\" is an absolute URI that no schema in the input declares as its `$id`; remote documents are not fetched"
            ));
        }
        let file = if file_part.is_empty() {
            from.file.clone()
        } else {
            join_relative(&from.file, file_part).ok_or_else(|| absolute_path_message(reference))?
        };
        if !fragment.is_empty() && !fragment.starts_with('/') {
            return Err(format!(
                "`$ref` \"{reference}\" names the anchor `{fragment}`, which no schema in scope declares (`$anchor`, or draft-07 `$id: \"#{fragment}\"`)"
            ));
        }
        let pointer = percent_decode(fragment);
        let target = NodeRef { file, pointer };
        if self.get(&target).is_none() {
            return Err(format!(
                "`$ref` \"{reference}\" points to {}, which does not exist",
                target.location()
            ));
        }
        Ok(target)
    }
}

/// A loaded document: its root is a JSON object or a boolean (a schema),
/// checked when it is loaded.
#[derive(Debug, Clone, PartialEq)]
pub struct Document(Value);

impl Document {
    /// The whole document.
    pub fn as_value(&self) -> &Value {
        &self.0
    }
}

fn to_schema(name: &str, value: Value) -> Result<Document, Error> {
    match value {
        Value::Object(_) | Value::Bool(_) => Ok(Document(value)),
        _ => Err(Error::at(
            Location::new(name, ""),
            "the document root must be a JSON object (a schema) or a boolean",
        )),
    }
}

fn collect_json_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Error> {
    let read = std::fs::read_dir(dir).map_err(|source| Error::Io {
        path: dir.display().to_string(),
        source,
    })?;
    for entry in read {
        let entry = entry.map_err(|source| Error::Io {
            path: dir.display().to_string(),
            source,
        })?;
        let path = entry.path();
        if path.is_dir() {
            collect_json_files(&path, out)?;
        } else if path
            .extension()
            .is_some_and(|e| e == "json" || e == "yaml" || e == "yml")
        {
            out.push(path);
        }
    }
    Ok(())
}

fn display_name(base: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(base).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Why a reference by absolute path is refused.
fn absolute_path_message(reference: &str) -> String {
    format!(
        "`$ref` \"{reference}\" is an absolute path, which is never read as a file (file references are relative to the referring file); an absolute-path reference resolves only to a schema that a document of the input declares by `$id`"
    )
}

/// `path` with `.` and `..` removed, without touching the file system (to
/// tell a symbolic link from a plain path in messages).
fn normalize_lexically(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Splits `file#fragment` at the first `#`.
fn split_ref(reference: &str) -> (&str, &str) {
    match reference.split_once('#') {
        Some((file, fragment)) => (file, fragment),
        None => (reference, ""),
    }
}

/// `from` is a display name such as `schema/events/a.json`; `relative` a path
/// such as `../common.json`. Returns the normalized display name.
fn join_relative(from: &str, relative: &str) -> Option<String> {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for component in Path::new(relative).components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if parts.last().is_none_or(|p| *p == "..") {
                    parts.push("..");
                } else {
                    parts.pop();
                }
            }
            Component::Normal(p) => parts.push(p.to_str()?),
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(parts.join("/"))
}

pub(crate) fn percent_decode(fragment: &str) -> String {
    let bytes = fragment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((hi * 16 + lo) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Every string-valued `$ref` below `value` that can be a reference, with
/// its location. In a schema, only the keywords the registry gives
/// subschema slots (and unknown ones, which may hold anything) are walked:
/// the values of `default`, `const`, `enum` and `examples` are instance
/// data, where a `$ref` key is just a key. Outside schemas (an OpenAPI
/// document's paths and components) everything is walked, and the places
/// known to hold schemas (definitions, `schema`) are read as schemas.
fn collect_refs(value: &Value, at: &Location, out: &mut Vec<(Location, String)>) {
    let openapi = value.get("openapi").is_some() || value.get("swagger").is_some();
    collect_refs_in(value, at, !openapi, out);
}

fn collect_refs_in(value: &Value, at: &Location, schema: bool, out: &mut Vec<(Location, String)>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if key == "$ref" {
                    if let Value::String(s) = child {
                        out.push((at.clone(), s.clone()));
                        continue;
                    }
                }
                let here = at.child(key);
                if !schema {
                    let is_schema =
                        key == "schema" || keywords::is_definition_pointer(&here.pointer);
                    collect_refs_in(child, &here, is_schema, out);
                    continue;
                }
                let known = keywords::lookup(key).filter(|_| !key.starts_with("x-"));
                match known.map(|k| k.slots) {
                    // A known keyword without subschemas: a value, maybe
                    // instance data.
                    Some(Slots::None) => {}
                    Some(Slots::Schema | Slots::SchemaOrArray | Slots::Array) => match child {
                        Value::Array(items) => {
                            for (i, item) in items.iter().enumerate() {
                                collect_refs_in(item, &here.child(&i.to_string()), true, out);
                            }
                        }
                        other => collect_refs_in(other, &here, true, out),
                    },
                    Some(Slots::Map) => {
                        if let Value::Object(entries) = child {
                            for (name, item) in entries {
                                collect_refs_in(item, &here.child(name), true, out);
                            }
                        }
                    }
                    // Unknown, or an extension: it may hold schemas (a
                    // bundler's own container), so it is walked as such.
                    None => collect_refs_in(child, &here, false, out),
                }
            }
        }
        Value::Array(items) if !schema => {
            for (i, child) in items.iter().enumerate() {
                collect_refs_in(child, &at.child(&i.to_string()), false, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests;
