//! The command-line tool: `generate` and `check`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use openai_webhooks_codegen::{check, write_if_changed, Config};

/// Generate Rust types from JSON Schema.
#[derive(Parser)]
#[command(name = "openai-webhooks-codegen", version, about)]
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
        /// Fail on warnings (documented fallbacks).
        #[arg(long)]
        deny_warnings: bool,
        /// Also write a JSON object from each definition's JSON pointer to
        /// its Rust type name.
        #[arg(long, value_name = "NAMES.json")]
        names: Option<PathBuf>,
        /// Map a format to a Rust type: `string:date-time=chrono::DateTime<chrono::Utc>`
        /// (repeatable).
        #[arg(long = "format", value_name = "TYPE:FORMAT=RUST_TYPE")]
        formats: Vec<String>,
    },
    /// Exit 1 with a unified diff when FILE differs from what INPUT generates.
    Check {
        /// A schema file, or a directory.
        input: PathBuf,
        /// The committed generated file to compare.
        file: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Generate {
            input,
            output,
            deny_warnings,
            names,
            formats,
        } => {
            let mut config = Config::new();
            config.deny_warnings(deny_warnings);
            for mapping in &formats {
                let parsed = mapping.split_once('=').and_then(|(left, rust)| {
                    left.split_once(':').map(|(ty, format)| (ty, format, rust))
                });
                let Some((ty, format, rust)) = parsed else {
                    eprintln!("--format takes TYPE:FORMAT=RUST_TYPE, not `{mapping}`");
                    return ExitCode::FAILURE;
                };
                if let Err(error) = config.format(ty, format, rust) {
                    eprintln!("{error}");
                    return ExitCode::FAILURE;
                }
            }
            let generated = match config.generate(&input) {
                Ok(generated) => generated,
                Err(error) => {
                    eprintln!("{error}");
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
                        eprintln!("{error}");
                        return ExitCode::FAILURE;
                    }
                };
                if let Err(error) = write_if_changed(&path, &json) {
                    eprintln!("{error}");
                    return ExitCode::FAILURE;
                }
            }
            match output {
                Some(path) => {
                    if let Err(error) = write_if_changed(&path, &generated.code) {
                        eprintln!("{error}");
                        return ExitCode::FAILURE;
                    }
                }
                None => print!("{}", generated.code),
            }
            ExitCode::SUCCESS
        }
        Command::Check { input, file } => {
            let generated = match Config::new().generate(&input) {
                Ok(generated) => generated,
                Err(error) => {
                    eprintln!("{error}");
                    return ExitCode::FAILURE;
                }
            };
            let committed = std::fs::read_to_string(&file).unwrap_or_default();
            match check::stale_diff(&committed, &generated.code, &file.display().to_string()) {
                None => ExitCode::SUCCESS,
                Some(diff) => {
                    print!("{diff}");
                    eprintln!(
                        "{} is stale: regenerate it with\n  cargo run -p openai-webhooks-codegen -- generate {} -o {}",
                        file.display(),
                        input.display(),
                        file.display()
                    );
                    ExitCode::FAILURE
                }
            }
        }
    }
}
