//! The hostile schema set in `tests/hostile/`: each input, run through the
//! command-line tool, must exit 1 with exactly the message in its
//! `NAME.expected` file (a located error: `file#/pointer` or a line and
//! column), print no code, and never panic or overflow the stack.
//! `NAME.args` holds extra arguments, one per line.
//!
//! Refresh the expected messages after a deliberate change with
//! `UPDATE_HOSTILE=1 cargo test -p schemaweave --test hostile_fixtures`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn cases() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile");
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            !matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("expected" | "args")
            )
        })
        .collect();
    inputs.sort();
    inputs
}

#[test]
fn every_hostile_input_gives_its_located_error_and_exit_1() {
    let update = std::env::var_os("UPDATE_HOSTILE").is_some();
    let cases = cases();
    assert!(cases.len() >= 15, "the set is incomplete: {cases:?}");
    let mut failures = Vec::new();
    for input in &cases {
        let dir = input.parent().unwrap();
        let name = input.file_name().unwrap().to_str().unwrap();
        let args_file = dir.join(format!(
            "{}.args",
            input.file_stem().unwrap().to_str().unwrap()
        ));
        let extra: Vec<String> = std::fs::read_to_string(&args_file)
            .map(|a| a.lines().map(str::to_string).collect())
            .unwrap_or_default();
        let out = Command::new(env!("CARGO_BIN_EXE_schemaweave"))
            .arg("generate")
            .arg(name)
            .args(&extra)
            .current_dir(dir)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let actual = format!("exit {}\n{stderr}", out.status.code().unwrap_or(-1));
        let expected_file = dir.join(format!("{name}.expected"));
        if update {
            std::fs::write(&expected_file, &actual).unwrap();
        }
        let expected = std::fs::read_to_string(&expected_file).unwrap_or_default();
        if actual != expected {
            failures.push(format!(
                "{name}: expected\n{expected}\ngot\n{actual}\n(refresh with UPDATE_HOSTILE=1 if the change is wanted)"
            ));
        }
        assert!(!stderr.contains("panicked"), "{name} panicked:\n{stderr}");
        assert_eq!(out.status.code(), Some(1), "{name}:\n{stderr}");
        assert!(out.stdout.is_empty(), "{name} printed code");
        for line in stderr.lines().filter(|l| l.starts_with("error: ")) {
            let located = line.contains(&format!("{name}#")) || line.contains(" line ");
            assert!(located, "{name}: not located: {line}");
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
