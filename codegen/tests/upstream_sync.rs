//! The maintainer's loop on the two real OpenAI spec versions in
//! `../shared`: `sync`, `diff`, and what regeneration changes. Skipped, with
//! a notice, where `../shared` is absent.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use quote::ToTokens;
use schemaweave::webhooks::diff::{self, Bump, Impact};
use schemaweave::webhooks::events;
use schemaweave::webhooks::sync::{sync, SyncOptions};
use schemaweave::{Config, SchemaSet};

fn spec(version: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!(
        "../../shared/upstream/openai-openapi/openapi-{version}.yaml"
    ));
    if path.exists() {
        Some(path)
    } else {
        println!(
            "SKIPPED: {} is absent; this upstream test did not run",
            path.display()
        );
        None
    }
}

/// The events `schema/` has that the 2026-08-21 document (16 events)
/// lacks: those only the Python SDK has.
fn sdk_only_events() -> usize {
    std::fs::read_dir(our_schema().join("events"))
        .unwrap()
        .count()
        - 16
}

fn our_schema() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("codegen-sync-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Every file below `dir`, relative path → contents.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                out.insert(
                    path.strip_prefix(root).unwrap().to_path_buf(),
                    std::fs::read(&path).unwrap(),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn events_of(path: &Path) -> BTreeMap<String, events::Event> {
    events::find(&SchemaSet::load(path).unwrap()).unwrap()
}

#[test]
fn syncing_the_current_spec_into_our_schema_changes_nothing() {
    let Some(spec) = spec("2026-08-21") else {
        return;
    };
    let dir = temp_dir("current").join("schema");
    copy_dir(&our_schema(), &dir);
    let before = snapshot(&dir);
    let report = sync(&spec, &dir, &SyncOptions::default()).unwrap();
    assert_eq!(snapshot(&dir), before, "sync rewrote files");
    assert!(report.written.is_empty(), "{:?}", report.written);
    assert!(report.changes.is_empty(), "{:?}", report.changes);
    assert_eq!(report.upstream_events, 16);
    assert_eq!(report.unchanged.len(), 16, "{report:?}");
    // The SDK-only events and fields are ours: reported, kept.
    assert_eq!(
        report.only_ours.len(),
        sdk_only_events(),
        "{:?}",
        report.only_ours
    );
    assert!(report
        .only_ours
        .contains(&"safety.alert.created".to_string()));
    assert_eq!(
        report.only_our_fields,
        [
            (
                "live.call.incoming".to_string(),
                "data.sip_media_security".to_string()
            ),
            (
                "realtime.call.incoming".to_string(),
                "data.sip_media_security".to_string()
            ),
        ]
    );
}

#[test]
fn the_two_spec_versions_differ_by_one_additive_event_and_docs() {
    let (Some(old), Some(new)) = (spec("2026-07-23"), spec("2026-08-21")) else {
        return;
    };
    let load = |path: &Path| SchemaSet::load(path).unwrap();
    let report =
        diff::compare_events(&load(&old), &load(&new), &Config::new(), "old", "new").unwrap();
    let substantive: Vec<_> = report
        .changes
        .iter()
        .filter(|c| c.impact != Impact::Docs)
        .collect();
    assert_eq!(substantive.len(), 1, "{substantive:?}");
    assert_eq!(substantive[0].event, "live.call.incoming");
    assert_eq!(substantive[0].what, "event added");
    assert_eq!(substantive[0].impact, Impact::Additive);
    let docs: Vec<(&str, &str)> = report
        .changes
        .iter()
        .filter(|c| c.impact == Impact::Docs)
        .map(|c| (c.event.as_str(), c.path.as_str()))
        .collect();
    assert_eq!(
        docs,
        [
            ("realtime.call.incoming", ""),
            ("realtime.call.incoming", "data.call_id")
        ]
    );
    assert_eq!(report.bump(), Bump::Minor);

    // The command line prints the same, in both formats.
    let run = |format: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_schemaweave"))
            .args(["diff", "--format", format, "--current-version", "0.1.0"])
            .arg(&old)
            .arg(&new)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let text = run("text");
    assert!(
        text.contains("+ live.call.incoming: event added [additive]\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "~ realtime.call.incoming: description changed at: (event), data.call_id [docs]\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("15 events → 16 events: 1 added, 0 removed, 1 changed"),
        "{text}"
    );
    assert!(text.contains("semver: minor bump, 0.1.0 → 0.1.1"), "{text}");
    let markdown = run("markdown");
    assert!(
        markdown.contains("| `live.call.incoming` |  | event added | additive |"),
        "{markdown}"
    );
    assert!(
        markdown.contains("**semver: minor bump, 0.1.0 → 0.1.1"),
        "{markdown}"
    );
}

/// Top-level items of a generated file by a stable key, with and without
/// their doc attributes.
fn items(code: &str) -> BTreeMap<String, (String, String)> {
    let file = syn::parse_file(code).unwrap();
    let mut out = BTreeMap::new();
    for (index, item) in file.items.into_iter().enumerate() {
        let key = match &item {
            syn::Item::Struct(s) => format!("struct {}", s.ident),
            syn::Item::Enum(e) => format!("enum {}", e.ident),
            syn::Item::Fn(f) => format!("fn {}", f.sig.ident),
            syn::Item::Mod(m) => format!("mod {}", m.ident),
            syn::Item::Type(t) => format!("type {}", t.ident),
            syn::Item::Impl(i) => format!(
                "impl {} for {}",
                i.trait_
                    .as_ref()
                    .map(|t| t.0.to_token_stream().to_string())
                    .unwrap_or_default(),
                i.self_ty.to_token_stream()
            ),
            other => format!("item {index} {}", other.to_token_stream()),
        };
        let with_docs = item.to_token_stream().to_string();
        let mut stripped = item.clone();
        strip_docs(&mut stripped);
        let without_docs = stripped.to_token_stream().to_string();
        let previous = out.insert(key.clone(), (with_docs, without_docs));
        assert!(previous.is_none(), "two items with key {key}");
    }
    out
}

fn strip_docs(item: &mut syn::Item) {
    use syn::visit_mut::VisitMut;
    struct Strip;
    impl VisitMut for Strip {
        fn visit_attributes_mut(&mut self, attrs: &mut Vec<syn::Attribute>) {
            attrs.retain(|a| !a.path().is_ident("doc"));
        }
        fn visit_field_mut(&mut self, field: &mut syn::Field) {
            field.attrs.retain(|a| !a.path().is_ident("doc"));
            syn::visit_mut::visit_field_mut(self, field);
        }
        fn visit_variant_mut(&mut self, variant: &mut syn::Variant) {
            variant.attrs.retain(|a| !a.path().is_ident("doc"));
            syn::visit_mut::visit_variant_mut(self, variant);
        }
    }
    match item {
        syn::Item::Struct(s) => {
            s.attrs.retain(|a| !a.path().is_ident("doc"));
            Strip.visit_item_struct_mut(s);
        }
        syn::Item::Enum(e) => {
            e.attrs.retain(|a| !a.path().is_ident("doc"));
            Strip.visit_item_enum_mut(e);
        }
        other => Strip.visit_item_mut(other),
    }
}

#[test]
fn regenerating_after_a_sync_changes_only_the_new_event_the_union_and_docs() {
    let (Some(old), Some(new)) = (spec("2026-07-23"), spec("2026-08-21")) else {
        return;
    };
    let dir = temp_dir("loop").join("schema");
    sync(&old, &dir, &SyncOptions::default()).unwrap();
    let before = Config::new().generate(&dir).unwrap().code;
    let report = sync(&new, &dir, &SyncOptions::default()).unwrap();
    assert_eq!(report.added, ["live.call.incoming"]);
    assert!(report.updated.is_empty(), "{:?}", report.updated);
    let after = Config::new().generate(&dir).unwrap().code;

    let (a, b) = (items(&before), items(&after));
    for (key, (with_docs, without_docs)) in &a {
        let (new_with, new_without) = b
            .get(key)
            .unwrap_or_else(|| panic!("{key} disappeared after adding an event"));
        if with_docs == new_with {
            continue;
        }
        let union_item = key == "enum WebhookEvent" || key.ends_with(" for WebhookEvent");
        assert!(
            union_item || without_docs == new_without,
            "{key} changed beyond its docs:\n{without_docs}\n{new_without}"
        );
    }
    let added: Vec<&String> = b.keys().filter(|k| !a.contains_key(*k)).collect();
    assert!(!added.is_empty());
    for key in added {
        assert!(
            key.contains("LiveCallIncoming"),
            "{key} is new but not part of the new event"
        );
    }
    // And the union names the new event.
    assert!(after.contains("LiveCallIncoming(LiveCallIncomingWebhookEvent)"));
}

/// Shifts every non-blank line three spaces right and puts a blank line
/// before each top-level key: a change of whitespace only (block scalars
/// keep their relative indentation).
fn reindent(yaml: &str) -> String {
    let mut out = String::with_capacity(yaml.len() * 2);
    for line in yaml.lines() {
        if !line.is_empty() && !line.starts_with(' ') {
            out.push('\n');
        }
        if !line.is_empty() {
            out.push_str("   ");
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[test]
fn whitespace_in_the_upstream_yaml_changes_nothing_and_runs_are_identical() {
    let (Some(old), Some(new)) = (spec("2026-07-23"), spec("2026-08-21")) else {
        return;
    };
    let root = temp_dir("whitespace");
    let reindented = root.join("openapi-2026-08-21.yaml");
    std::fs::write(
        &reindented,
        reindent(&std::fs::read_to_string(&new).unwrap()),
    )
    .unwrap();

    let mut outputs = Vec::new();
    for (name, upstream) in [("a", &new), ("b", &new), ("c", &reindented)] {
        let dir = root.join(name).join("schema");
        sync(&old, &dir, &SyncOptions::default()).unwrap();
        sync(upstream, &dir, &SyncOptions::default()).unwrap();
        let code = Config::new().generate(&dir).unwrap().code;
        outputs.push((snapshot(&dir), code));
    }
    assert!(outputs[0] == outputs[1], "two runs differ");
    assert!(
        outputs[0] == outputs[2],
        "re-indenting the upstream YAML changed the schema or the generated code"
    );
}

#[test]
fn prune_removes_what_upstream_lacks_and_dry_run_writes_nothing() {
    let Some(spec) = spec("2026-08-21") else {
        return;
    };
    let dir = temp_dir("prune").join("schema");
    copy_dir(&our_schema(), &dir);
    let before = snapshot(&dir);
    let options = SyncOptions {
        prune: true,
        dry_run: true,
    };
    let planned = sync(&spec, &dir, &options).unwrap();
    assert_eq!(snapshot(&dir), before, "a dry run wrote files");
    assert_eq!(
        planned.removed.len(),
        sdk_only_events(),
        "{:?}",
        planned.removed
    );

    let report = sync(
        &spec,
        &dir,
        &SyncOptions {
            prune: true,
            dry_run: false,
        },
    )
    .unwrap();
    assert_eq!(report.removed, planned.removed);
    assert_eq!(report.written, planned.written);
    let after = events_of(&dir);
    assert_eq!(after.len(), 16);
    assert!(
        after["live.call.incoming"].expanded["properties"]["data"]["properties"]
            .get("sip_media_security")
            .is_none()
    );
    // What remains still generates, and the union lost the pruned members.
    let code = Config::new().generate(&dir).unwrap().code;
    assert!(!code.contains("SafetyAlertCreated"));
    assert!(code.contains("BatchCancelled(BatchCancelledWebhookEvent)"));
    let removed = report
        .changes
        .iter()
        .filter(|c| c.what == "event removed")
        .count();
    assert_eq!(removed, sdk_only_events());
}
