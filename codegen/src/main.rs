//! The command-line tool: `generate`, `check`, `diff` and `sync`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Generation allocates and drops many small token trees: mimalloc makes
/// the command about a third faster than the system allocator on a large
/// schema (the library leaves the allocator to its caller).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use schemaweave::webhooks::{diff, events, sync};
use schemaweave::{check, write_if_changed, Config, SETTINGS, SWITCHES};

/// Generate Rust types from JSON Schema.
#[derive(Parser)]
#[command(name = "schemaweave", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate Rust from a schema file or a directory of `*.json` schemas.
    Generate {
        /// A schema file, or a directory (every `*.json` below it).
        input: PathBuf,
        /// Write here instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Also write a JSON object from each definition's JSON pointer to
        /// its Rust type name.
        #[arg(long, value_name = "NAMES.json")]
        names: Option<PathBuf>,
        #[command(flatten)]
        options: GenerateOptions,
    },
    /// Update a schema directory from the webhook events of an OpenAPI
    /// document: new events added, changed structure taken from upstream,
    /// our descriptions kept where the structure did not change.
    Sync {
        /// The OpenAPI document (YAML or JSON) with a `webhooks:` section.
        #[arg(long, value_name = "FILE")]
        openapi: PathBuf,
        /// The schema directory to update.
        #[arg(default_value = "schema")]
        dir: PathBuf,
        /// Also remove events and fields that upstream lacks.
        #[arg(long)]
        prune: bool,
        /// Report what would change; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Report what changed between two versions of a schema, in the
    /// generated Rust API: types, fields, enum values and variants added,
    /// removed and changed, each classified as breaking, additive, docs or
    /// validation, and the version bump they imply. Both versions are
    /// generated with the same options. When both hold webhook events the
    /// report is per event (matched by event type, so a schema folder can
    /// be compared with an OpenAPI document); otherwise, or with `--types`,
    /// per definition (matched by Rust name).
    Diff {
        /// The old version: a schema file or folder, or an OpenAPI document.
        old: PathBuf,
        /// The new version, in either form.
        new: PathBuf,
        /// `text` (default) or `markdown` (for a pull request). `--format
        /// text` and `--format markdown` are read the same way (`--format`
        /// otherwise maps a schema format to a Rust type, as in `generate`).
        #[arg(id = "report", long = "report", value_enum, default_value_t = ReportFormat::Text)]
        format: ReportFormat,
        /// The crate's current version, to print the next one.
        #[arg(long, value_name = "X.Y.Z")]
        current_version: Option<semver::Version>,
        /// Report per definition even when both versions hold webhook events.
        #[arg(long)]
        types: bool,
        #[command(flatten)]
        options: GenerateOptions,
    },
    /// Exit 1 with a unified diff when FILE differs from what INPUT generates
    /// (with the same options as `generate`).
    Check {
        /// A schema file, or a directory.
        input: PathBuf,
        /// The committed generated file to compare.
        file: PathBuf,
        #[command(flatten)]
        options: GenerateOptions,
    },
}

/// The options that shape generated code, shared by `generate`, `check`
/// and `diff`: `--config FILE`, `--deny-warnings`, and every switch of
/// `schemaweave::SWITCHES` and option of `schemaweave::SETTINGS`.
#[derive(clap::Args)]
struct GenerateOptions {
    /// Read options from a TOML file with a key for each flag (`lossless =
    /// true`, `derive = ["*Event=Eq"]`); flags given here add to it.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Fail on warnings (documented fallbacks).
    #[arg(long)]
    deny_warnings: bool,
    /// Every switch of `schemaweave::SWITCHES` as `--FLAG`, every option
    /// of `schemaweave::SETTINGS` as `--FLAG VALUE`.
    #[command(flatten)]
    options: OptionArgs,
}

impl GenerateOptions {
    /// The options as command-line arguments, to repeat them in messages.
    fn as_args(&self) -> String {
        let mut args = String::new();
        if let Some(file) = &self.config {
            args.push_str(&format!(" --config {}", file.display()));
        }
        if self.deny_warnings {
            args.push_str(" --deny-warnings");
        }
        for (flag, value) in &self.options.given {
            match value {
                None => args.push_str(&format!(" --{flag}")),
                Some(value) => args.push_str(&format!(" --{flag} '{value}'")),
            }
        }
        args
    }

    fn config(&self) -> Result<Config, String> {
        let mut config = match &self.config {
            Some(file) => Config::from_file(file).map_err(|e| format!("error: {e}"))?,
            None => Config::new(),
        };
        if self.deny_warnings {
            config.deny_warnings(true);
        }
        for (flag, value) in &self.options.given {
            match value {
                None => config.switch(flag, true),
                Some(value) => config.option(flag, value),
            }
            .map_err(|e| format!("error: {e}"))?;
        }
        Ok(config)
    }
}

/// The generator's options as flags, from its two tables: a `--FLAG` per
/// switch of `SWITCHES` and a `--FLAG VALUE` per option of `SETTINGS`, each
/// with the first sentence of its documentation as help.
#[derive(Debug, Clone, Default)]
struct OptionArgs {
    /// Each flag given with its value (`None` for a switch): switches, then
    /// options, in table order, each option's values in the order given.
    given: Vec<(&'static str, Option<String>)>,
}

impl clap::Args for OptionArgs {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        // `--FLAG`, with the whole documentation as `--help` prints it.
        let flag = |flag: &'static str, doc: &str| {
            clap::Arg::new(flag).long(flag).long_help(long_help(doc))
        };
        let switches = SWITCHES.iter().map(|switch| {
            flag(switch.flag, switch.doc)
                .action(clap::ArgAction::SetTrue)
                .help(short_help(switch.doc, false))
        });
        let settings = SETTINGS.iter().map(|setting| {
            flag(setting.flag, setting.doc)
                .value_name(setting.value_name)
                .action(if setting.repeatable {
                    clap::ArgAction::Append
                } else {
                    clap::ArgAction::Set
                })
                .help(short_help(setting.doc, setting.repeatable))
        });
        cmd.args(switches.chain(settings))
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
}

impl clap::FromArgMatches for OptionArgs {
    fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Self, clap::Error> {
        let switches = SWITCHES
            .iter()
            .filter(|s| matches.get_flag(s.flag))
            .map(|s| (s.flag, None));
        let settings = SETTINGS.iter().flat_map(|setting| {
            matches
                .get_many::<String>(setting.flag)
                .into_iter()
                .flatten()
                .map(|value| (setting.flag, Some(value.clone())))
        });
        Ok(OptionArgs {
            given: switches.chain(settings).collect(),
        })
    }

    fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

/// An option's documentation as `--help` prints it: its prose, one
/// paragraph, without a code example.
fn long_help(doc: &str) -> String {
    doc.lines()
        .map(str::trim)
        .take_while(|l| !l.starts_with("```"))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// An option's one-line help: the first sentence of its documentation,
/// marked when the flag may be given more than once.
fn short_help(doc: &str, repeatable: bool) -> String {
    let help = long_help(doc);
    let first = help.split(". ").next().unwrap_or_default();
    let first = first.trim_end_matches('.');
    if repeatable {
        format!("{first} (repeatable)")
    } else {
        first.to_string()
    }
}

/// How `diff` prints its report.
#[derive(Clone, Copy, clap::ValueEnum)]
enum ReportFormat {
    Text,
    Markdown,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Generate {
            input,
            output,
            names,
            options,
        } => {
            let config = match options.config() {
                Ok(config) => config,
                Err(message) => {
                    eprintln!("{message}");
                    return ExitCode::FAILURE;
                }
            };
            let generated = match config.generate(&input) {
                Ok(generated) => generated,
                Err(error) => {
                    report(&error);
                    return ExitCode::FAILURE;
                }
            };
            for warning in &generated.warnings {
                eprintln!("warning: {warning}");
            }
            if let Some(path) = names {
                let json = match serde_json::to_string_pretty(&generated.names) {
                    Ok(json) => json + "\n",
                    Err(error) => {
                        eprintln!("error: {error}");
                        return ExitCode::FAILURE;
                    }
                };
                if let Err(error) = write_if_changed(&path, &json) {
                    report(&error);
                    return ExitCode::FAILURE;
                }
            }
            match output {
                Some(path) => {
                    if let Err(error) = write_if_changed(&path, &generated.code) {
                        report(&error);
                        return ExitCode::FAILURE;
                    }
                }
                None => print!("{}", generated.code),
            }
            ExitCode::SUCCESS
        }
        Command::Sync {
            openapi,
            dir,
            prune,
            dry_run,
        } => {
            let options = sync::SyncOptions { prune, dry_run };
            match sync::sync(&openapi, &dir, &options) {
                Ok(report) => {
                    print!("{}", sync_summary(&report, &dir, prune, dry_run));
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    report(&error);
                    ExitCode::FAILURE
                }
            }
        }
        Command::Diff {
            old,
            new,
            mut format,
            current_version,
            types,
            mut options,
        } => {
            options
                .options
                .given
                .retain(|(flag, value)| match value.as_deref() {
                    _ if *flag != "format" => true,
                    Some("text") => {
                        format = ReportFormat::Text;
                        false
                    }
                    Some("markdown") => {
                        format = ReportFormat::Markdown;
                        false
                    }
                    _ => true,
                });
            let config = match options.config() {
                Ok(config) => config,
                Err(message) => {
                    eprintln!("{message}");
                    return ExitCode::FAILURE;
                }
            };
            let (old_label, new_label) = (old.display().to_string(), new.display().to_string());
            let compared = config.load(&old).and_then(|old_set| {
                let new_set = config.load(&new)?;
                // A webhook section that cannot be read is an error, not
                // a reason to fall back to the type report.
                let per_event = !types
                    && !events::find(&old_set)?.is_empty()
                    && !events::find(&new_set)?.is_empty();
                if per_event {
                    diff::compare_events(&old_set, &new_set, &config, &old_label, &new_label)
                } else {
                    diff::compare_types(&old_set, &new_set, &config, &old_label, &new_label)
                }
            });
            let report = match compared {
                Ok(found) => found,
                Err(error) => {
                    report(&error);
                    return ExitCode::FAILURE;
                }
            };
            match format {
                ReportFormat::Text => print!("{}", report.to_text(current_version.as_ref())),
                ReportFormat::Markdown => {
                    print!("{}", report.to_markdown(current_version.as_ref()))
                }
            }
            ExitCode::SUCCESS
        }
        Command::Check {
            input,
            file,
            options,
        } => {
            let config = match options.config() {
                Ok(config) => config,
                Err(message) => {
                    eprintln!("{message}");
                    return ExitCode::FAILURE;
                }
            };
            let generated = match config.generate(&input) {
                Ok(generated) => generated,
                Err(error) => {
                    report(&error);
                    return ExitCode::FAILURE;
                }
            };
            let committed = std::fs::read_to_string(&file).unwrap_or_default();
            match check::stale_diff(&committed, &generated.code, &file.display().to_string()) {
                None => ExitCode::SUCCESS,
                Some(diff) => {
                    print!("{diff}");
                    eprintln!(
                        "{} is stale: regenerate it with\n  cargo run -p schemaweave -- generate {} -o {}{}",
                        file.display(),
                        input.display(),
                        file.display(),
                        options.as_args()
                    );
                    ExitCode::FAILURE
                }
            }
        }
    }
}

/// The maintainer-facing account of a sync.
fn sync_summary(
    report: &sync::SyncReport,
    dir: &std::path::Path,
    prune: bool,
    dry_run: bool,
) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} upstream events in {}: {} added, {} updated, {} unchanged",
        report.upstream_events,
        report.source,
        report.added.len(),
        report.updated.len(),
        report.unchanged.len()
    );
    if !report.only_ours.is_empty() {
        let verb = if prune {
            "removed"
        } else {
            "kept (`--prune` removes them)"
        };
        let _ = writeln!(
            out,
            "{} events upstream lacks, {verb}: {}",
            report.only_ours.len(),
            report.only_ours.join(", ")
        );
    }
    if !report.only_our_fields.is_empty() {
        let fields: Vec<String> = report
            .only_our_fields
            .iter()
            .map(|(event, path)| format!("{event} {path}"))
            .collect();
        let _ = writeln!(out, "fields upstream lacks: {}", fields.join(", "));
    }
    let changes: Vec<&diff::Change> = report
        .changes
        .iter()
        .filter(|c| c.impact != diff::Impact::Docs)
        .collect();
    if !changes.is_empty() {
        let _ = writeln!(out, "\nchanges:");
        for change in changes {
            let place = if change.path.is_empty() {
                change.event.clone()
            } else {
                format!("{} {}", change.event, change.path)
            };
            let _ = writeln!(out, "  {place}: {}", change.what);
        }
    }
    if !report.upstream_descriptions.is_empty() {
        let count = report.upstream_descriptions.len();
        let _ = writeln!(
            out,
            "\n{count} description{} came from upstream (new or restructured nodes); reword them before committing.",
            if count == 1 { "" } else { "s" }
        );
    }
    let verb = if dry_run { "would write" } else { "wrote" };
    if report.written.is_empty() && report.removed.is_empty() {
        let _ = writeln!(out, "\n{} is up to date: nothing written.", dir.display());
    } else {
        let _ = writeln!(out);
        for path in &report.written {
            let _ = writeln!(out, "{verb} {}", path.display());
        }
        for path in &report.removed {
            let verb = if dry_run { "would remove" } else { "removed" };
            let _ = writeln!(out, "{verb} {}", path.display());
        }
        let _ = writeln!(
            out,
            "next: regenerate from {} (the README's first command) and review the diff",
            dir.display()
        );
    }
    out
}

/// Prints an error to stderr, each line starting with `error: ` (schema
/// errors carry it already, one per problem).
fn report(error: &schemaweave::Error) {
    match error {
        schemaweave::Error::Schema(_) => eprintln!("{error}"),
        other => eprintln!("error: {other}"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_is_well_formed() {
        // clap checks names, ids and flags on first use, by panicking: a
        // switch or option named like another argument would only show
        // when someone ran that subcommand.
        <super::Cli as clap::CommandFactory>::command().debug_assert();
    }
}
