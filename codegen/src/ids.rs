//! `$id` and `$anchor`: the URIs by which a document names its schemas
//! (embedded resources, `urn:` names, plain-name anchors), so that a `$ref`
//! to one of them resolves inside the input instead of being fetched.
//!
//! Each document is walked once, through schema positions only (the
//! keyword registry's subschema slots: an `$id` inside `examples` names
//! nothing). References are joined to the base URI in scope at the node
//! that holds them, as RFC 3986 resolves relative references.

use std::collections::HashMap;

use serde_json::Value;

use crate::keywords::{self, Slots};
use crate::load::{percent_decode, NodeRef};

/// The schemas of a set of documents, by URI.
#[derive(Debug, Clone, Default)]
pub(crate) struct IdIndex {
    /// Absolute URI (without fragment) → the schema whose `$id` it is.
    resources: HashMap<String, NodeRef>,
    /// (absolute URI of the resource, anchor name) → the schema.
    anchors: HashMap<(String, String), NodeRef>,
    /// Each schema that sets a base URI → that base.
    bases: HashMap<NodeRef, String>,
    /// Whether some document declares an `$id` or an anchor (otherwise
    /// references are plain file paths and pointers).
    named: bool,
}

impl IdIndex {
    /// Records the `$id`s and anchors of the document `file`.
    pub(crate) fn add_document(&mut self, file: &str, root: &Value) {
        let base = format!("file:///{file}");
        let node = NodeRef {
            file: file.to_string(),
            pointer: String::new(),
        };
        self.bases.insert(node.clone(), base.clone());
        self.resources
            .entry(base.clone())
            .or_insert_with(|| node.clone());
        // Most documents name nothing: one cheap scan spares them the walk.
        if !mentions_ids(root) {
            return;
        }
        self.named = true;
        let openapi = root.get("openapi").is_some();
        self.walk(&node, root, &base);
        if openapi {
            if let Some(Value::Object(schemas)) = root.pointer("/components/schemas") {
                let container = node.child("components").child("schemas");
                for (name, schema) in schemas {
                    self.walk(&container.child(name), schema, &base);
                }
            }
        }
    }

    fn walk(&mut self, node: &NodeRef, value: &Value, base: &str) {
        let Value::Object(obj) = value else {
            return;
        };
        let mut base = base.to_string();
        if let Some(Value::String(id)) = obj.get("$id") {
            if let Some(anchor) = id.strip_prefix('#') {
                // Draft 7: `$id: "#name"` is an anchor.
                self.anchors
                    .entry((base.clone(), anchor.to_string()))
                    .or_insert_with(|| node.clone());
            } else {
                base = normalize(strip_fragment(&join(&base, id)));
                self.resources
                    .entry(base.clone())
                    .or_insert_with(|| node.clone());
                self.bases.insert(node.clone(), base.clone());
            }
        }
        for key in ["$anchor", "$dynamicAnchor"] {
            if let Some(Value::String(anchor)) = obj.get(key) {
                self.anchors
                    .entry((base.clone(), anchor.clone()))
                    .or_insert_with(|| node.clone());
            }
        }
        for (key, child) in obj {
            let at = node.child(key);
            match keywords::slots(key) {
                Slots::None => {}
                Slots::Schema => self.walk(&at, child, &base),
                Slots::Array | Slots::SchemaOrArray if child.is_array() => {
                    for (i, item) in child.as_array().into_iter().flatten().enumerate() {
                        self.walk(&at.child(&i.to_string()), item, &base);
                    }
                }
                Slots::Array => {}
                Slots::SchemaOrArray => self.walk(&at, child, &base),
                Slots::Map => {
                    if let Value::Object(entries) = child {
                        for (name, item) in entries {
                            self.walk(&at.child(name), item, &base);
                        }
                    }
                }
            }
        }
    }

    /// The schema `reference` names from `from`, when it names one by
    /// `$id` or anchor (`None` otherwise: the caller tries files).
    pub(crate) fn resolve(&self, from: &NodeRef, reference: &str) -> Option<NodeRef> {
        let base = self.base_of(from)?;
        let target = join(base, reference);
        let (uri, fragment) = match target.split_once('#') {
            Some((uri, fragment)) => (uri, fragment),
            None => (target.as_str(), ""),
        };
        let uri = normalize(uri);
        let uri = uri.as_str();
        if fragment.is_empty() || fragment.starts_with('/') {
            let resource = self.resources.get(uri)?;
            let pointer = format!("{}{}", resource.pointer, percent_decode(fragment));
            return Some(NodeRef {
                file: resource.file.clone(),
                pointer,
            });
        }
        self.anchors
            .get(&(uri.to_string(), percent_decode(fragment)))
            .cloned()
    }

    /// Whether any document names schemas beyond its own file.
    pub(crate) fn names_anything(&self) -> bool {
        self.named
    }

    /// The base URI in scope at `node`: that of the nearest schema at or
    /// above it that sets one.
    fn base_of(&self, node: &NodeRef) -> Option<&str> {
        let mut pointer = node.pointer.as_str();
        loop {
            let at = NodeRef {
                file: node.file.clone(),
                pointer: pointer.to_string(),
            };
            if let Some(base) = self.bases.get(&at) {
                return Some(base);
            }
            pointer = &pointer[..pointer.rfind('/')?];
        }
    }
}

/// Whether `$id`, `$anchor` or `$dynamicAnchor` is a key anywhere in
/// `value` (without recursion: the document may be deep).
fn mentions_ids(value: &Value) -> bool {
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        match value {
            Value::Object(map) => {
                if ["$id", "$anchor", "$dynamicAnchor"]
                    .iter()
                    .any(|k| map.contains_key(*k))
                {
                    return true;
                }
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    false
}

/// `uri` in the form two equal URIs share (RFC 3986, section 6.2.2 and
/// 6.2.3): scheme and host in lower case, the scheme's default port
/// dropped, an empty path of an `http(s)` URI written `/`.
pub(crate) fn normalize(uri: &str) -> String {
    let Some((scheme, rest)) = uri.split_once(':').filter(|_| has_scheme(uri)) else {
        return uri.to_string();
    };
    let scheme = scheme.to_ascii_lowercase();
    let Some(after) = rest.strip_prefix("//") else {
        return format!("{scheme}:{rest}");
    };
    let end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let (authority, tail) = after.split_at(end);
    let (userinfo, host_port) = match authority.rsplit_once('@') {
        Some((user, host)) => (format!("{user}@"), host),
        None => (String::new(), authority),
    };
    let mut host = host_port.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" | "ws" => Some(":80"),
        "https" | "wss" => Some(":443"),
        _ => None,
    };
    if let Some(port) = default_port {
        if let Some(stripped) = host.strip_suffix(port) {
            host = stripped.to_string();
        }
    }
    let tail = if tail.is_empty() && matches!(scheme.as_str(), "http" | "https") {
        "/"
    } else {
        tail
    };
    format!("{scheme}://{userinfo}{host}{tail}")
}

fn strip_fragment(uri: &str) -> &str {
    uri.split_once('#').map_or(uri, |(before, _)| before)
}

/// `reference` resolved against `base` (RFC 3986, section 5.2), dot
/// segments removed.
pub(crate) fn join(base: &str, reference: &str) -> String {
    if has_scheme(reference) {
        let (scheme, rest) = reference.split_once(':').unwrap_or(("", reference));
        return format!("{scheme}:{}", normalize_hierarchical(rest));
    }
    let base = strip_fragment(base);
    if reference.is_empty() {
        return base.to_string();
    }
    if reference.starts_with('#') {
        return format!("{base}{reference}");
    }
    let (scheme, rest) = base.split_once(':').unwrap_or(("", base));
    if reference.starts_with("//") {
        return format!("{scheme}:{}", normalize_hierarchical(reference));
    }
    // The authority (`//host`) of a hierarchical base, and its path.
    let (authority, path) = match rest.strip_prefix("//") {
        Some(after) => match after.find('/') {
            Some(i) => (format!("//{}", &after[..i]), &after[i..]),
            None => (format!("//{after}"), ""),
        },
        None => (String::new(), rest),
    };
    let path = path.split_once('?').map_or(path, |(p, _)| p);
    let (ref_path, ref_rest) = split_path(reference);
    let merged = if ref_path.starts_with('/') {
        ref_path.to_string()
    } else if ref_path.is_empty() {
        path.to_string()
    } else {
        match path.rfind('/') {
            Some(i) => format!("{}{}", &path[..=i], ref_path),
            None if !authority.is_empty() => format!("/{ref_path}"),
            None => ref_path.to_string(),
        }
    };
    format!("{scheme}:{authority}{}{ref_rest}", remove_dots(&merged))
}

/// A reference's path, and what follows it (`?query#fragment`).
fn split_path(reference: &str) -> (&str, &str) {
    match reference.find(['?', '#']) {
        Some(i) => (&reference[..i], &reference[i..]),
        None => (reference, ""),
    }
}

fn normalize_hierarchical(rest: &str) -> String {
    match rest.strip_prefix("//") {
        Some(after) => {
            let (authority, tail) = match after.find('/') {
                Some(i) => (&after[..i], &after[i..]),
                None => (after, ""),
            };
            let (path, suffix) = split_path(tail);
            format!("//{authority}{}{suffix}", remove_dots(path))
        }
        None => {
            let (path, suffix) = split_path(rest);
            format!("{}{suffix}", remove_dots(path))
        }
    }
}

pub(crate) fn has_scheme(reference: &str) -> bool {
    let Some((scheme, _)) = reference.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !scheme.contains('/')
}

/// RFC 3986 `remove_dot_segments`.
fn remove_dots(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let absolute = path.starts_with('/');
    let segments: Vec<&str> = path.split('/').collect();
    for (i, segment) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        match *segment {
            "." => {
                if last {
                    out.push("");
                }
            }
            ".." => {
                if out.len() > usize::from(absolute) {
                    out.pop();
                }
                if last {
                    out.push("");
                }
            }
            other => out.push(other),
        }
    }
    let joined = out.join("/");
    if absolute && !joined.starts_with('/') {
        format!("/{joined}")
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn references_join_as_rfc_3986_says() {
        let base = "http://example.com/a/b.json";
        assert_eq!(join(base, "c.json"), "http://example.com/a/c.json");
        assert_eq!(join(base, "../c.json#/x"), "http://example.com/c.json#/x");
        assert_eq!(join(base, "/c"), "http://example.com/c");
        assert_eq!(join(base, "#foo"), "http://example.com/a/b.json#foo");
        assert_eq!(join(base, "urn:x:y"), "urn:x:y");
        assert_eq!(join("urn:uuid:1234", "#/$defs/a"), "urn:uuid:1234#/$defs/a");
        assert_eq!(
            join("http://example.com", "tree"),
            "http://example.com/tree"
        );
        assert_eq!(
            join("file:///schema.json", "other.json"),
            "file:///other.json"
        );
        assert_eq!(join("http://x/a/./b/../c", ""), "http://x/a/./b/../c");
        assert_eq!(join("http://x/a/", "./b/../c"), "http://x/a/c");
    }

    #[test]
    fn ids_and_anchors_resolve_within_the_document() {
        let doc = json!({
            "$id": "http://example.com/root.json",
            "$defs": {
                "A": {"$id": "item", "type": "string"},
                "B": {"$anchor": "bee", "type": "integer"},
                "C": {"$id": "urn:example:c", "$defs": {"D": {"$anchor": "dee"}}},
                "E": {"$id": "#old-style"}
            },
            "examples": [{"$id": "http://example.com/not-a-schema"}]
        });
        let mut index = IdIndex::default();
        index.add_document("s.json", &doc);
        let root = NodeRef {
            file: "s.json".into(),
            pointer: String::new(),
        };
        let at = |p: &str| {
            Some(NodeRef {
                file: "s.json".into(),
                pointer: p.into(),
            })
        };
        assert_eq!(index.resolve(&root, "item"), at("/$defs/A"));
        assert_eq!(index.resolve(&root, "#bee"), at("/$defs/B"));
        assert_eq!(
            index.resolve(&root, "urn:example:c#dee"),
            at("/$defs/C/$defs/D")
        );
        assert_eq!(
            index.resolve(&root, "urn:example:c#/$defs/D"),
            at("/$defs/C/$defs/D")
        );
        assert_eq!(index.resolve(&root, "#old-style"), at("/$defs/E"));
        assert_eq!(
            index.resolve(&root, "http://example.com/root.json#/$defs/B"),
            at("/$defs/B")
        );
        assert_eq!(index.resolve(&root, "not-a-schema"), None);
        // Relative to the nearest base: inside C, `#dee` is C's anchor.
        let inside_c = NodeRef {
            file: "s.json".into(),
            pointer: "/$defs/C/properties/x".into(),
        };
        assert_eq!(index.resolve(&inside_c, "#dee"), at("/$defs/C/$defs/D"));
        assert!(index.names_anything());
    }
}
