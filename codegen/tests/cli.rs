//! The command-line tool: exit codes, output and located errors.

use std::path::PathBuf;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_schemaweave"))
}

/// `generate FILE` with its output captured.
fn generate(file: &std::path::Path) -> std::process::Output {
    bin().arg("generate").arg(file).output().unwrap()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("codegen-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const SCHEMA: &str = r#"{"$defs": {"Thing": {
    "description": "A thing.",
    "type": "object",
    "required": ["name"],
    "properties": {"name": {"type": "string", "description": "Its name."}}
}}}"#;

#[test]
fn generate_prints_rust_and_exits_0() {
    let dir = temp_dir("ok");
    std::fs::write(dir.join("s.json"), SCHEMA).unwrap();
    let out = generate(&dir.join("s.json"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("// @generated"), "{text}");
    assert!(text.contains("pub struct Thing {"), "{text}");
    assert!(text.contains("/// Its name."), "{text}");
}

#[test]
fn generate_writes_the_same_bytes_every_time() {
    let dir = temp_dir("det");
    std::fs::write(dir.join("s.json"), SCHEMA).unwrap();
    let run = |out: &str| {
        let status = bin()
            .arg("generate")
            .arg(dir.join("s.json"))
            .arg("-o")
            .arg(dir.join(out))
            .status()
            .unwrap();
        assert!(status.success());
        std::fs::read(dir.join(out)).unwrap()
    };
    assert_eq!(run("a.rs"), run("b.rs"));
}

#[test]
fn a_bad_schema_exits_1_with_a_located_error() {
    let dir = temp_dir("bad");
    std::fs::write(
        dir.join("s.json"),
        r#"{"$defs": {"Thing": {"type": "object", "properties": {"x": {"type": "strin"}}}}}"#,
    )
    .unwrap();
    let out = generate(&dir.join("s.json"));
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        stderr.trim(),
        "error: s.json#/$defs/Thing/properties/x/type: unknown type `strin`"
    );
    assert!(out.stdout.is_empty());

    std::fs::write(dir.join("s.json"), "{ not json").unwrap();
    let out = generate(&dir.join("s.json"));
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with("error: s.json: not valid JSON"),
        "{stderr}"
    );
}

#[test]
fn warnings_go_to_stderr_and_can_be_denied() {
    let dir = temp_dir("warn");
    std::fs::write(
        dir.join("s.json"),
        r#"{"$defs": {"Colour": {"type": "string", "format": "css-colour"}}}"#,
    )
    .unwrap();
    let out = generate(&dir.join("s.json"));
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("warning: s.json#/$defs/Colour/format: unknown format `css-colour`"),
        "{stderr}"
    );
    let out = bin()
        .args(["generate", "--deny-warnings"])
        .arg(dir.join("s.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn check_exits_1_with_a_diff_when_stale_and_0_when_fresh() {
    let dir = temp_dir("check");
    std::fs::write(dir.join("s.json"), SCHEMA).unwrap();
    let committed = dir.join("out.rs");
    let status = bin()
        .arg("generate")
        .arg(dir.join("s.json"))
        .arg("-o")
        .arg(&committed)
        .status()
        .unwrap();
    assert!(status.success());
    let out = bin()
        .arg("check")
        .arg(dir.join("s.json"))
        .arg(&committed)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));

    std::fs::write(
        dir.join("s.json"),
        SCHEMA.replace("Its name.", "What it is called."),
    )
    .unwrap();
    let out = bin()
        .arg("check")
        .arg(dir.join("s.json"))
        .arg(&committed)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let diff = String::from_utf8(out.stdout).unwrap();
    assert!(
        diff.contains("-    /// Its name.\n+    /// What it is called.\n"),
        "{diff}"
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("is stale: regenerate it with"), "{stderr}");
}

#[test]
fn names_maps_each_definition_pointer_to_its_rust_name() {
    let dir = temp_dir("names");
    std::fs::write(
        dir.join("s.json"),
        r#"{"$defs": {
            "thing": {"type": "object", "properties": {"inner": {"type": "object", "properties": {}}}},
            "Thing": {"type": "string"},
            "type": {"const": "x"}
        }}"#,
    )
    .unwrap();
    let status = bin()
        .arg("generate")
        .arg(dir.join("s.json"))
        .arg("-o")
        .arg(dir.join("out.rs"))
        .arg("--names")
        .arg(dir.join("names.json"))
        .status()
        .unwrap();
    assert!(status.success());
    let names: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("names.json")).unwrap()).unwrap();
    // Two keys that want `Thing` get distinct names, in reading order; the
    // inline object is not a definition.
    assert_eq!(
        names,
        serde_json::json!({"#/$defs/thing": "Thing", "#/$defs/Thing": "Thing2", "#/$defs/type": "Type"})
    );
}

#[test]
fn formats_can_map_to_rust_types() {
    let dir = temp_dir("formats");
    std::fs::write(
        dir.join("s.json"),
        r#"{"$defs": {"Host": {"type": "object", "required": ["ip", "seen"], "properties": {
            "ip": {"type": "string", "format": "ipv4"},
            "seen": {"type": "string", "format": "date-time"}
        }}}}"#,
    )
    .unwrap();
    let out = bin()
        .arg("generate")
        .arg(dir.join("s.json"))
        .args(["--format", "string:ipv4=std::net::Ipv4Addr"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("pub ip: std::net::Ipv4Addr,"), "{text}");
    assert!(text.contains("pub seen: ::std::string::String,"), "{text}");
    // `Ipv4Addr` is `Eq + Hash`, but a mapped type is not assumed to be.
    assert!(!text.contains("::std::hash::Hash"), "{text}");

    for bad in [
        "string:ipv4",
        "ipv4=std::net::Ipv4Addr",
        "string:ipv4=not a type",
    ] {
        let out = bin()
            .arg("generate")
            .arg(dir.join("s.json"))
            .args(["--format", bad])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{bad}");
    }
}

const OPENAPI: &str = r##"{
  "openapi": "3.1.0",
  "webhooks": {"thing_made": {"post": {"requestBody": {"content": {"application/json": {
    "schema": {"$ref": "#/components/schemas/WebhookThingMade"}}}}}}},
  "components": {"schemas": {"WebhookThingMade": {
    "type": "object",
    "required": ["id", "type"],
    "properties": {
      "id": {"type": "string", "description": "Id."},
      "type": {"type": "string", "enum": ["thing.made"]}
    }
  }}}
}"##;

#[test]
fn sync_writes_events_and_the_union_then_finds_nothing_to_do() {
    let dir = temp_dir("sync");
    std::fs::write(dir.join("api.json"), OPENAPI).unwrap();
    let run = |extra: &[&str]| {
        let out = bin()
            .arg("sync")
            .arg("--openapi")
            .arg(dir.join("api.json"))
            .arg(dir.join("schema"))
            .args(extra)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let planned = run(&["--dry-run"]);
    assert!(
        planned.contains("1 added, 0 updated, 0 unchanged"),
        "{planned}"
    );
    assert!(planned.contains("would write"), "{planned}");
    assert!(!dir.join("schema").join("events").exists());

    let first = run(&[]);
    assert!(first.contains("  thing.made: event added"), "{first}");
    assert!(
        first.contains("1 description came from upstream"),
        "{first}"
    );
    let event = std::fs::read_to_string(dir.join("schema/events/thing.made.json")).unwrap();
    assert!(event.contains("\"ThingMadeWebhookEvent\""), "{event}");
    let union = std::fs::read_to_string(dir.join("schema/webhook_event.json")).unwrap();
    assert!(
        union.contains("events/thing.made.json#/$defs/ThingMadeWebhookEvent"),
        "{union}"
    );

    let second = run(&[]);
    assert!(
        second.contains("0 added, 0 updated, 1 unchanged"),
        "{second}"
    );
    assert!(
        second.contains("is up to date: nothing written"),
        "{second}"
    );

    // The synced directory generates.
    let out = bin()
        .arg("generate")
        .arg(dir.join("schema"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let code = String::from_utf8(out.stdout).unwrap();
    assert!(code.contains("ThingMade(ThingMadeWebhookEvent)"), "{code}");
}

#[test]
fn diff_and_sync_fail_with_located_errors() {
    let dir = temp_dir("diff-bad");
    std::fs::write(
        dir.join("bad.json"),
        r##"{"webhooks": {"w": {"post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/nowhere"}}}}}}}}"##,
    )
    .unwrap();
    std::fs::write(dir.join("api.json"), OPENAPI).unwrap();
    let out = bin()
        .arg("diff")
        .arg(dir.join("bad.json"))
        .arg(dir.join("api.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "bad.json#/webhooks/w/post/requestBody/content/application~1json/schema/$ref"
        ),
        "{stderr}"
    );
    let out = bin()
        .arg("sync")
        .arg("--openapi")
        .arg(dir.join("bad.json"))
        .arg(dir.join("schema"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn diff_classifies_a_validation_only_change_as_needing_no_bump() {
    let dir = temp_dir("diff-validation");
    let event = |max_length: u32, description: &str| {
        format!(
            r#"{{"$defs": {{"ThingMade": {{
                "type": "object",
                "required": ["type", "id"],
                "properties": {{
                    "type": {{"const": "thing.made"}},
                    "id": {{"type": "string", "maxLength": {max_length}, "description": "{description}"}}
                }}
            }}}}}}"#
        )
    };
    let run = |old: &str, new: &str| {
        std::fs::write(dir.join("old.json"), old).unwrap();
        std::fs::write(dir.join("new.json"), new).unwrap();
        let out = bin()
            .arg("diff")
            .arg(dir.join("old.json"))
            .arg(dir.join("new.json"))
            .args(["--current-version", "1.2.3"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let report = run(&event(10, "The id."), &event(20, "The id."));
    assert!(
        report.contains(
            "~ thing.made id: `maxLength` changed from 10 to 20 [validation, not enforced]"
        ),
        "{report}"
    );
    assert!(!report.contains("type changed"), "{report}");
    assert!(
        report.contains("0 breaking, 0 additive, 0 docs, 1 validation"),
        "{report}"
    );
    assert!(report.contains("1.2.3"), "{report}");
    assert!(
        !report.contains("2.0.0") && !report.contains("1.2.4"),
        "{report}"
    );

    // Wording only: docs, a patch.
    let report = run(&event(10, "The id."), &event(10, "Its identifier."));
    assert!(
        report.contains("description changed at: id [docs]"),
        "{report}"
    );
    assert!(report.contains("1.2.4"), "{report}");
}

#[test]
fn references_stay_inside_the_input_folder_unless_allowed() {
    let dir = temp_dir("confined");
    let schema = dir.join("schema");
    std::fs::create_dir_all(schema.join("events")).unwrap();
    std::fs::create_dir_all(dir.join("shared")).unwrap();
    std::fs::create_dir_all(dir.join("private")).unwrap();
    std::fs::write(
        dir.join("shared/common.json"),
        r#"{"$defs": {"Id": {"type": "string"}}}"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("private/token.json"),
        r#"{"description": "SECRET-TOKEN", "type": "string"}"#,
    )
    .unwrap();
    let run = |args: &[&std::ffi::OsStr]| bin().arg("generate").args(args).output().unwrap();
    let stderr = |out: &std::process::Output| String::from_utf8_lossy(&out.stderr).into_owned();

    // `..` inside a folder input: refused, nothing of the file printed.
    std::fs::write(
        schema.join("events/a.json"),
        r#"{"$defs": {"A": {"$ref": "../../private/token.json"}}}"#,
    )
    .unwrap();
    let out = run(&[schema.as_os_str()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert!(
        err.contains("schema/events/a.json#/$defs/A: `$ref` \"../../private/token.json\" reaches private/token.json, outside the input's folder `schema`")
            && err.contains("--ref-root DIR"),
        "{err}"
    );
    assert!(!err.contains("SECRET"), "{err}");

    // Through a symbolic link inside the tree: refused too.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(dir.join("private/token.json"), schema.join("link.json"))
            .unwrap();
        std::fs::write(
            schema.join("events/a.json"),
            r#"{"$defs": {"A": {"$ref": "../link.json"}}}"#,
        )
        .unwrap();
        let out = run(&[schema.join("events/a.json").as_os_str()]);
        let err = stderr(&out);
        assert!(err.contains("outside the input's folder `events`"), "{err}");
        // The link is an entry of the folder input: refused as a file.
        let out = run(&[schema.as_os_str()]);
        let err = stderr(&out);
        assert!(
            err.contains("schema/link.json#: this file leads through a symbolic link outside the input's folder `schema`"),
            "{err}"
        );
        std::fs::remove_file(schema.join("link.json")).unwrap();
    }

    // A sibling folder, allowed with --ref-root: read, and only that one.
    std::fs::write(
        schema.join("events/a.json"),
        r#"{"$defs": {"A": {"type": "object", "properties": {"id": {"$ref": "../../shared/common.json#/$defs/Id"}}}}}"#,
    )
    .unwrap();
    let out = run(&[schema.as_os_str()]);
    assert!(stderr(&out).contains("outside the input's folder `schema`"));
    let out = run(&[
        schema.as_os_str(),
        "--ref-root".as_ref(),
        dir.join("shared").as_os_str(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("pub id: ::std::option::Option<Id>"));
    std::fs::write(
        schema.join("events/b.json"),
        r#"{"$defs": {"B": {"$ref": "../../private/token.json"}}}"#,
    )
    .unwrap();
    let out = run(&[
        schema.as_os_str(),
        "--ref-root".as_ref(),
        dir.join("shared").as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("reaches private/token.json"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn sync_refuses_an_event_type_that_is_not_a_file_name_before_writing() {
    for (event_type, why) in [
        ("../../escape", "path separator"),
        ("a\\\\b", "path separator"),
        ("x..y", "`..`"),
        ("bell\\u0007", "control character"),
        ("con", "reserves that name"),
        ("LPT1.happened", "reserves that name"),
        ("what?", "Windows refuses"),
    ] {
        let dir = temp_dir("sync-unsafe");
        let api = OPENAPI.replace("\"thing.made\"", &format!("\"{event_type}\""));
        std::fs::write(dir.join("api.json"), api).unwrap();
        let out = bin()
            .arg("sync")
            .arg("--openapi")
            .arg(dir.join("api.json"))
            .arg(dir.join("schema"))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{event_type}: {err}");
        assert!(
            err.contains("api.json#/components/schemas/WebhookThingMade: the event type")
                && err.contains(why)
                && err.contains("nothing was written"),
            "{event_type}: {err}"
        );
        assert!(!dir.join("schema").exists(), "{event_type}: wrote files");
    }
}

#[test]
fn generate_writes_to_a_pipe_without_reading_it() {
    use std::io::Read;
    let dir = temp_dir("pipe");
    std::fs::write(dir.join("s.json"), SCHEMA).unwrap();
    // `-o /dev/stdout` with standard output a pipe: the compare-before-write
    // step must not read the pipe (it would wait forever).
    let mut child = bin()
        .arg("generate")
        .arg(dir.join("s.json"))
        .arg("-o")
        .arg("/dev/stdout")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut code = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut code)
        .unwrap();
    assert!(child.wait().unwrap().success());
    assert!(code.contains("pub struct Thing"), "{code}");
}

#[test]
fn diff_reports_any_schema_by_type_with_generation_options() {
    let dir = temp_dir("diff-types");
    let pet = |max: u32, unique: bool| {
        format!(
            r#"{{"$defs": {{"Pet": {{"type": "object", "required": ["name"], "properties": {{
                "name": {{"type": "string"}},
                "age": {{"type": "integer", "minimum": 0, "maximum": {max}}},
                "tags": {{"type": "array", "items": {{"type": "string"}}, "uniqueItems": {unique}}}
            }}}}}}}}"#
        )
    };
    std::fs::write(dir.join("old.json"), pet(200, false)).unwrap();
    std::fs::write(dir.join("new.json"), pet(300, true)).unwrap();
    let run = |extra: &[&str]| {
        let out = bin()
            .arg("diff")
            .arg(dir.join("old.json"))
            .arg(dir.join("new.json"))
            .args(extra)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let report = run(&[]);
    assert!(report.starts_with("Schema changes: "), "{report}");
    assert!(
        report.contains("~ Pet age: type changed from `u8` to `u16` [breaking] (new.json#/$defs/Pet/properties/age)"),
        "{report}"
    );
    assert!(
        report.contains(
            "~ Pet tags: `uniqueItems` changed from false to true [validation, not enforced]"
        ),
        "{report}"
    );
    // The same options as `generate`: with sets, the array's type changes.
    let report = run(&["--unique-items-as-set", "--report", "markdown"]);
    assert!(
        report.contains("| `Pet` | `tags` (`new.json#/$defs/Pet/properties/tags`) | type changed from `Vec<String>` to `BTreeSet<String>` | **breaking** |"),
        "{report}"
    );
}

#[test]
fn every_switch_is_a_flag_and_check_repeats_it() {
    let dir = temp_dir("switches");
    std::fs::write(dir.join("s.json"), SCHEMA).unwrap();
    for switch in schemaweave::SWITCHES {
        let flag = format!("--{}", switch.flag);
        let out = bin()
            .arg("generate")
            .arg(dir.join("s.json"))
            .arg(&flag)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{flag}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // A stale file: the refresh command carries the switch.
        std::fs::write(dir.join("out.rs"), "stale").unwrap();
        let out = bin()
            .arg("check")
            .arg(dir.join("s.json"))
            .arg(dir.join("out.rs"))
            .arg(&flag)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("-o {}", dir.join("out.rs").display()))
                && stderr.contains(&flag),
            "{stderr}"
        );
    }
}

#[test]
fn roots_limit_generation_to_what_they_reach() {
    let dir = temp_dir("roots");
    let kinds = dir.join("kinds");
    std::fs::create_dir_all(&kinds).unwrap();
    std::fs::write(
        kinds.join("_definitions.json"),
        r##"{"definitions": {
            "ObjectMeta": {"type": "object", "properties": {"name": {"type": "string"}}},
            "PodSpec": {"type": "object", "properties": {"containers": {"type": "array", "items": {"$ref": "#/definitions/Container"}}}},
            "Container": {"type": "object", "properties": {"image": {"type": "string"}}},
            "Unrelated": {"type": "object", "properties": {"x": {"type": "integer"}}}
        }}"##,
    )
    .unwrap();
    std::fs::write(
        kinds.join("deployment.json"),
        r#"{"title": "Deployment", "type": "object", "properties": {
            "metadata": {"$ref": "_definitions.json#/definitions/ObjectMeta"},
            "template": {"$ref": "_definitions.json#/definitions/PodSpec"}
        }}"#,
    )
    .unwrap();
    let types = |args: &[&str]| {
        let out = bin()
            .arg("generate")
            .arg(&kinds)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let code = String::from_utf8(out.stdout).unwrap();
        code.lines()
            .filter_map(|l| {
                l.strip_prefix("pub struct ")
                    .and_then(|r| r.split(' ').next())
            })
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        types(&[]),
        [
            "ObjectMeta",
            "PodSpec",
            "Container",
            "Unrelated",
            "Deployment"
        ]
    );
    assert_eq!(
        types(&["--root", "deployment.json"]),
        ["ObjectMeta", "PodSpec", "Container", "Deployment"]
    );
    assert_eq!(
        types(&["--root", "_definitions.json#/definitions/PodSpec"]),
        ["PodSpec", "Container"]
    );
    // The same run twice: the same bytes; `--names` lists the kept types.
    let run = || {
        bin()
            .arg("generate")
            .arg(&kinds)
            .args(["--root", "deployment.json", "--names"])
            .arg(dir.join("names.json"))
            .output()
            .unwrap()
            .stdout
    };
    assert_eq!(run(), run());
    let names = std::fs::read_to_string(dir.join("names.json")).unwrap();
    assert!(
        names.contains("\"kinds/deployment.json#\": \"Deployment\"")
            && !names.contains("Unrelated"),
        "{names}"
    );
    for (root, message) in [
        ("nothing.json", "no schema file `nothing.json` in the input"),
        (
            "deployment.json#/nope",
            "kinds/deployment.json#/nope does not exist",
        ),
    ] {
        let out = bin()
            .arg("generate")
            .arg(&kinds)
            .args(["--root", root])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{stderr}");
    }
}

#[test]
fn a_configuration_file_and_flags_add_up() {
    let dir = temp_dir("config");
    std::fs::write(dir.join("s.json"), SCHEMA).unwrap();
    std::fs::write(
        dir.join("options.toml"),
        "rename = \"#/$defs/Thing=Item\"\nderive = \"Item=PartialOrd\"\n",
    )
    .unwrap();
    let out = bin()
        .arg("generate")
        .arg(dir.join("s.json"))
        .arg("--config")
        .arg(dir.join("options.toml"))
        .args(["--rename", "Item.name=label", "--derive", "Item=Default"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("pub struct Item {"), "{text}");
    assert!(
        text.contains("#[serde(rename = \"name\")]\n    pub label:"),
        "{text}"
    );
    assert!(text.contains("#[derive(PartialOrd, Default)]"), "{text}");
    // `check` repeats the file and the flags in its refresh command.
    let stale = dir.join("stale.rs");
    std::fs::write(&stale, "// old\n").unwrap();
    let out = bin()
        .arg("check")
        .arg(dir.join("s.json"))
        .arg(&stale)
        .arg("--config")
        .arg(dir.join("options.toml"))
        .args(["--rename", "Item.name=label"])
        .output()
        .unwrap();
    let err =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        err.contains("--config ") && err.contains("--rename 'Item.name=label'"),
        "{err}"
    );
    // A mistake in the file names the file.
    std::fs::write(dir.join("bad.toml"), "renam = \"x=y\"\n").unwrap();
    let out = bin()
        .arg("generate")
        .arg(dir.join("s.json"))
        .arg("--config")
        .arg(dir.join("bad.toml"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("bad.toml") && err.contains("`renam`"), "{err}");
}
