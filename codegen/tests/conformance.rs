//! Conformance on the official JSON Schema Test Suite (in `../shared`,
//! beside the checkout; draft 2020-12 and draft 7, `optional/` aside).
//!
//! For every test group the generator makes the types of the group's
//! schema, in lossless mode (`Config::lossless`: the mode for exact round
//! trips) (or refuses it with a located error: counted, never a crash);
//! all generated groups are compiled together in one crate, and every test
//! instance is run through the root type: a valid instance must
//! deserialize and serialize back to the same JSON (equal as JSON Schema
//! compares values: numbers by value, objects by keys); for an invalid
//! instance, whether the types reject it is counted. A per-file table and
//! totals are printed (`cargo test --test conformance -- --nocapture`).
//!
//! The test fails when a valid instance of a generated group is rejected
//! or changed, unless a design rule below says why; the rules are in the
//! README with the number of instances each excludes. Skipped where
//! `../shared` is absent, with a notice.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use schemaweave::{Config, SchemaSet};
use serde_json::Value;

/// Files skipped by design, with the reason.
const SKIPPED_FILES: &[(&str, &str)] = &[
    (
        "refRemote.json",
        "references to other documents fetched over HTTP: the generator reads files, not URLs",
    ),
    (
        "dynamicRef.json",
        "`$dynamicRef` resolves by the dynamic scope of evaluation, which a static type cannot follow",
    ),
    (
        "vocabulary.json",
        "`$vocabulary` switches keywords off by meta-schema, which needs a remote meta-schema",
    ),
];

/// Design rules: valid instances the types reject or change on purpose.
/// `(rule, draft or "*", file, group description prefix or "*", test
/// description prefix or "*")`.
const RULES: &[(&str, &str, &str, &str, &str)] = &[(
    INTEGER,
    "*",
    "type.json",
    "integer type matches integers",
    "a float with zero fractional part",
)];

/// The rule for integers.
const INTEGER: &str = "integer: `integer` is a Rust integer, which serde does not read from `1.0`";

struct Group {
    draft: String,
    file: String,
    description: String,
    schema: Value,
    tests: Vec<(String, Value, bool)>,
}

fn suite() -> Option<PathBuf> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/json-schema-test-suite/tests");
    if path.exists() {
        Some(path)
    } else {
        println!(
            "SKIPPED: {} is absent; the conformance test did not run",
            path.display()
        );
        None
    }
}

fn groups(root: &Path, skipped: &mut BTreeMap<String, usize>) -> Vec<Group> {
    let mut out = Vec::new();
    for draft in ["draft2020-12", "draft7"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(root.join(draft))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        for path in files {
            let file = path.file_name().unwrap().to_string_lossy().to_string();
            let text = std::fs::read_to_string(&path).unwrap();
            let list: Vec<Value> = serde_json::from_str(&text).unwrap();
            for group in list {
                let tests: Vec<(String, Value, bool)> = group["tests"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| {
                        (
                            t["description"].as_str().unwrap_or_default().to_string(),
                            t["data"].clone(),
                            t["valid"].as_bool().unwrap(),
                        )
                    })
                    .collect();
                if SKIPPED_FILES.iter().any(|(f, _)| *f == file) {
                    *skipped.entry(file.clone()).or_default() += tests.len();
                    continue;
                }
                out.push(Group {
                    draft: draft.to_string(),
                    file: file.clone(),
                    description: group["description"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                    schema: group["schema"].clone(),
                    tests,
                });
            }
        }
    }
    out
}

/// The design rule that excuses a valid instance, if any.
fn rule_for(group: &Group, test: &str) -> Option<&'static str> {
    RULES.iter().find_map(|(rule, draft, file, g, t)| {
        let ok = (*draft == "*" || *draft == group.draft)
            && *file == group.file
            && (*g == "*" || group.description.starts_with(g))
            && (*t == "*" || test.starts_with(t));
        ok.then_some(*rule)
    })
}

#[derive(Default, Clone)]
struct Row {
    groups: usize,
    refused: usize,
    valid: usize,
    accepted: usize,
    same: usize,
    excused: usize,
    invalid: usize,
    invalid_run: usize,
    rejected: usize,
}

impl Row {
    fn add(&mut self, other: &Row) {
        self.groups += other.groups;
        self.refused += other.refused;
        self.valid += other.valid;
        self.accepted += other.accepted;
        self.same += other.same;
        self.excused += other.excused;
        self.invalid += other.invalid;
        self.invalid_run += other.invalid_run;
        self.rejected += other.rejected;
    }
}

fn percent(a: usize, b: usize) -> String {
    if b == 0 {
        "-".into()
    } else {
        format!("{:.1}%", 100.0 * a as f64 / b as f64)
    }
}

/// What one generator made of one group: its code and root type, or why
/// it made nothing.
type Made = Result<(String, String), String>;

#[test]
fn json_schema_test_suite() {
    let Some(root) = suite() else { return };
    let outcome = run(&root, "conformance", "", "", &|group: &Group| {
        generate_with(group, |config| {
            config.lossless(true);
        })
    });
    assert!(
        outcome.crashes.is_empty(),
        "the generator panicked on:\n{}",
        outcome.crashes.join("\n")
    );
    assert!(
        outcome.uncompiled.is_empty(),
        "the generated code does not compile:\n{}",
        outcome.uncompiled.join("\n")
    );
    assert!(
        outcome.failures.is_empty(),
        "{} valid instances rejected or changed with no rule to excuse them:\n{}",
        outcome.failures.len(),
        outcome.failures.join("\n")
    );
}

/// The same suite with default options, for the README's second table: a
/// valid instance must still be read, but it may come back without the
/// properties its schema does not list, or with a default written in
/// (what `--lossless` keeps), so only crashes, code that does not compile
/// and rejected instances fail it.
#[test]
fn json_schema_test_suite_with_default_options() {
    let Some(root) = suite() else { return };
    let outcome = run(&root, "conformance-default", "", "", &|group: &Group| {
        generate_with(group, |_| {})
    });
    assert!(outcome.crashes.is_empty(), "{}", outcome.crashes.join("\n"));
    assert!(
        outcome.uncompiled.is_empty(),
        "{}",
        outcome.uncompiled.join("\n")
    );
    let rejected: Vec<&String> = outcome
        .failures
        .iter()
        .filter(|f| f.contains(" rejected"))
        .collect();
    assert!(
        rejected.is_empty(),
        "{} valid instances rejected with default options:\n{}",
        rejected.len(),
        rejected
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// The same suite with every type validated (`--validate '*'`): valid
/// instances must still be read (at least 98%), and at least 90% of the
/// invalid instances of the groups that generate are now rejected.
#[test]
fn json_schema_test_suite_with_validation() {
    let Some(root) = suite() else { return };
    let outcome = run(
        &root,
        "conformance-validated",
        "",
        "\"validate\"",
        &|group: &Group| {
            generate_with(group, |config| {
                config.validate("*").unwrap();
            })
        },
    );
    assert!(outcome.crashes.is_empty(), "{}", outcome.crashes.join("\n"));
    assert!(
        outcome.uncompiled.is_empty(),
        "{}",
        outcome.uncompiled.join("\n")
    );
    let total = &outcome.total;
    assert!(
        total.accepted * 100 >= total.valid * 98,
        "valid accepted: {} of {}",
        total.accepted,
        total.valid
    );
    assert!(
        total.rejected * 100 >= total.invalid_run * 90,
        "invalid rejected: {} of {}",
        total.rejected,
        total.invalid_run
    );
}

/// The same run with cargo-typify, for the comparison in the README: only
/// when `TYPIFY` names its binary (`cargo install cargo-typify`). The root
/// schema gets the title `Root`, which typify names its root type after;
/// groups it panics on or whose output does not compile count as refused.
#[test]
fn cargo_typify_for_comparison() {
    let Some(typify) = std::env::var_os("TYPIFY") else {
        println!("SKIPPED: set TYPIFY to a cargo-typify binary to measure it the same way");
        return;
    };
    let Some(root) = suite() else { return };
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("typify-inputs");
    std::fs::create_dir_all(&work).unwrap();
    let counter = std::sync::atomic::AtomicUsize::new(0);
    let extra = "regress = \"0.10\"\nchrono = { version = \"0.4\", features = [\"serde\"] }\nuuid = { version = \"1\", features = [\"serde\"] }\n";
    run(&root, "typify-conformance", extra, "", &|group: &Group| {
        let n = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut schema = group.schema.clone();
        match &mut schema {
            Value::Object(map) => {
                map.insert("title".into(), Value::String("Root".into()));
            }
            Value::Bool(_) => return Err("boolean root schema".into()),
            _ => return Err("not a schema".into()),
        }
        let input = work.join(format!("s{n}.json"));
        let output = work.join(format!("s{n}.rs"));
        std::fs::write(&input, serde_json::to_string(&schema).unwrap()).unwrap();
        let _ = std::fs::remove_file(&output);
        let run = Command::new(&typify)
            .args(["typify", "-B"])
            .arg(&input)
            .arg("-o")
            .arg(&output)
            .output()
            .unwrap();
        if !run.status.success() {
            let stderr = String::from_utf8_lossy(&run.stderr);
            return Err(if stderr.contains("panicked") {
                "crash".into()
            } else {
                stderr.lines().next().unwrap_or("failed").to_string()
            });
        }
        let code = std::fs::read_to_string(&output).map_err(|e| e.to_string())?;
        if !code.contains("pub enum Root")
            && !code.contains("pub struct Root")
            && !code.contains("pub type Root")
        {
            return Err("no root type".into());
        }
        Ok((code, "Root".into()))
    });
}

/// What a run found.
/// The group's types generated with `configure`d options, and the root
/// type's name; a refusal's message, or `crash` for a panic.
fn generate_with(group: &Group, configure: impl Fn(&mut Config)) -> Made {
    let schema = group.schema.clone();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let set = SchemaSet::from_documents([("schema.json".to_string(), schema)])?;
        let mut config = Config::new();
        configure(&mut config);
        config.generate_set(&set)
    }));
    match result {
        Err(_) => Err("crash".into()),
        Ok(Err(error)) => Err(error.to_string()),
        Ok(Ok(generated)) => match generated.names.get("#") {
            Some(name) => Ok((generated.code, name.clone())),
            None => Err("no root type".into()),
        },
    }
}

struct Outcome {
    crashes: Vec<String>,
    uncompiled: Vec<String>,
    failures: Vec<String>,
    /// The totals of the table.
    total: Row,
}

/// Generates every group with `generate`, compiles them together in the
/// crate `name` (groups whose code does not compile are set aside and
/// counted as refused), runs every instance, prints the table.
fn run(
    root: &Path,
    name: &str,
    extra_deps: &str,
    runtime_features: &str,
    generate: &dyn Fn(&Group) -> Made,
) -> Outcome {
    let mut skipped = BTreeMap::new();
    let groups = groups(root, &mut skipped);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(dir.join("src"));
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let runtime = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("runtime");
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[dependencies]\nserde = {{ version = \"1\", features = [\"derive\"] }}\nserde_json = {{ version = \"1\", features = [\"preserve_order\", \"arbitrary_precision\"] }}\nschemaweave-runtime = {{ path = \"{}\", features = [{runtime_features}] }}\n{extra_deps}\n[workspace]\n",
            runtime.display()
        ),
    )
    .unwrap();

    // Generate each group; remember which were refused and why.
    let mut refused: Vec<Option<String>> = Vec::new();
    let mut roots: Vec<String> = Vec::new();
    let mut crashes = Vec::new();
    for (g, group) in groups.iter().enumerate() {
        match generate(group) {
            Err(reason) => {
                if reason == "crash" {
                    crashes.push(format!(
                        "{} {}: {}",
                        group.draft, group.file, group.description
                    ));
                }
                refused.push(Some(reason));
                roots.push(String::new());
            }
            Ok((code, root_type)) => {
                std::fs::write(dir.join(format!("src/g{g}.rs")), code).unwrap();
                refused.push(None);
                roots.push(root_type);
            }
        }
    }
    // Build; a group whose code does not compile is set aside, and the
    // rest built again.
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut uncompiled = Vec::new();
    for _attempt in 0..20 {
        let mut main = String::from(
            "#![allow(dead_code, deprecated, unused_imports, non_camel_case_types, clippy::all)]\n",
        );
        let mut calls = String::new();
        for (g, group) in groups.iter().enumerate() {
            if refused[g].is_some() {
                continue;
            }
            let _ = writeln!(main, "mod g{g};");
            let root_type = &roots[g];
            for (t, (_, data, _)) in group.tests.iter().enumerate() {
                let json = serde_json::to_string(data).unwrap();
                let _ = writeln!(calls, "    check::<g{g}::{root_type}>({g}, {t}, {json:?});");
            }
        }
        main.push_str(CHECK);
        main.push_str("\nfn main() {\n");
        main.push_str(&calls);
        main.push_str("}\n");
        std::fs::write(dir.join("src/main.rs"), main).unwrap();
        let output = Command::new(&cargo)
            .args(["build", "--quiet", "--message-format=short"])
            .current_dir(&dir)
            .env("CARGO_TARGET_DIR", dir.join("target"))
            .output()
            .unwrap();
        if output.status.success() {
            break;
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        let mut broken: Vec<usize> = stderr
            .lines()
            .filter(|l| l.contains("error"))
            .filter_map(|l| l.strip_prefix("src/g")?.split(".rs").next()?.parse().ok())
            .collect();
        broken.sort_unstable();
        broken.dedup();
        assert!(
            !broken.is_empty(),
            "the harness does not compile:\n{stderr}"
        );
        for g in broken {
            let first = stderr
                .lines()
                .find(|l| l.starts_with(&format!("src/g{g}.rs")))
                .unwrap_or_default();
            uncompiled.push(format!(
                "{} {} / {}: {first}",
                groups[g].draft, groups[g].file, groups[g].description
            ));
            refused[g] = Some("does not compile".into());
        }
    }
    let run = Command::new(dir.join(format!("target/debug/{name}")))
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    // `group test outcome [output]` per line.
    let mut outcomes: BTreeMap<(usize, usize), (String, String)> = BTreeMap::new();
    for line in String::from_utf8_lossy(&run.stdout).lines() {
        let mut parts = line.splitn(4, ' ');
        let g: usize = parts.next().unwrap().parse().unwrap();
        let t: usize = parts.next().unwrap().parse().unwrap();
        let outcome = parts.next().unwrap().to_string();
        let detail = parts.next().unwrap_or_default().to_string();
        outcomes.insert((g, t), (outcome, detail));
    }

    let mut rows: BTreeMap<String, Row> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut excused: BTreeMap<&str, usize> = BTreeMap::new();
    // Message → (groups, valid instances in them).
    let mut refusals: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (g, group) in groups.iter().enumerate() {
        let keyword = group.file.trim_end_matches(".json").to_string();
        let row = rows.entry(keyword).or_default();
        row.groups += 1;
        if let Some(reason) = &refused[g] {
            row.refused += 1;
            let first = reason.lines().next().unwrap_or_default();
            let message = first.split_once(": ").map_or(first, |(_, m)| m);
            let message = message.split_once(": ").map_or(message, |(_, m)| m);
            if std::env::var_os("CONFORMANCE_VERBOSE").is_some() {
                println!(
                    "refused: {} {} / {}: {first}",
                    group.draft, group.file, group.description
                );
            }
            let entry = refusals.entry(message.to_string()).or_default();
            entry.0 += 1;
            entry.1 += group.tests.iter().filter(|(_, _, valid)| *valid).count();
        }
        for (t, (description, data, valid)) in group.tests.iter().enumerate() {
            let outcome = outcomes.get(&(g, t));
            let accepted = outcome.is_some_and(|(o, _)| o != "rejected");
            let same = outcome.is_some_and(|(o, _)| o == "same");
            if *valid {
                row.valid += 1;
                row.accepted += usize::from(accepted);
                row.same += usize::from(same);
                if refused[g].is_none() && !same {
                    match rule_for(group, description) {
                        Some(rule) => {
                            row.excused += 1;
                            *excused.entry(rule).or_default() += 1;
                        }
                        None => failures.push(format!(
                            "{} {} / {} / {}: {} {}: {}",
                            group.draft,
                            group.file,
                            group.description,
                            description,
                            data,
                            outcome.map_or("", |(o, _)| o.as_str()),
                            outcome.map_or("", |(_, d)| d.as_str()),
                        )),
                    }
                }
            } else {
                row.invalid += 1;
                if refused[g].is_none() {
                    row.invalid_run += 1;
                    row.rejected += usize::from(!accepted);
                }
            }
        }
    }
    let mut table = String::from(
        "| keyword | groups | refused | valid accepted | valid round-tripped | invalid rejected (of those run) |\n|---|---|---|---|---|---|\n",
    );
    let mut total = Row::default();
    for (keyword, row) in &rows {
        total.add(row);
        let _ = writeln!(
            table,
            "| {keyword} | {} | {} | {}/{} | {}/{} | {}/{} |",
            row.groups,
            row.refused,
            row.accepted,
            row.valid,
            row.same,
            row.valid,
            row.rejected,
            row.invalid_run
        );
    }
    let _ = writeln!(
        table,
        "| **total** | {} | {} | {} ({}) | {} ({}) | {} ({} of {}) |",
        total.groups,
        total.refused,
        total.accepted,
        percent(total.accepted, total.valid),
        total.same,
        percent(total.same, total.valid),
        total.rejected,
        percent(total.rejected, total.invalid_run),
        total.invalid_run,
    );
    println!("{name}:\n{table}");
    println!("skipped by design: {skipped:?}");
    println!("excused by rule: {excused:?}");
    println!("refusals by message (groups, valid instances in them):");
    for (message, (groups, valid)) in &refusals {
        println!("  {groups:4} {valid:4}  {message}");
    }
    Outcome {
        crashes,
        uncompiled,
        failures,
        total,
    }
}

/// The checking half of the program: runs one instance through a type.
const CHECK: &str = r#"
/// JSON Schema equality: numbers by value, objects by keys and values.
fn same(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.to_string(), y.to_string());
            x == y || match (x.parse::<f64>(), y.parse::<f64>()) {
                (Ok(x), Ok(y)) => x == y,
                _ => false,
            }
        }
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

fn check<T: serde::de::DeserializeOwned + serde::Serialize>(group: usize, test: usize, json: &str) {
    let input: serde_json::Value = serde_json::from_str(json).unwrap();
    match serde_json::from_str::<T>(json) {
        Err(error) => println!("{group} {test} rejected {}", error.to_string().replace('\n', " ")),
        Ok(value) => match serde_json::to_value(&value) {
            Ok(output) if same(&input, &output) => println!("{group} {test} same"),
            Ok(output) => println!("{group} {test} changed {output}"),
            Err(error) => println!("{group} {test} changed serialize error: {}", error.to_string().replace('\n', " ")),
        },
    }
}
"#;
