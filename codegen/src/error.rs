//! Diagnostics: every problem names the file and the JSON pointer of the
//! schema node it is about.

use std::fmt;

/// Where in the input a diagnostic points: a file and a JSON pointer into it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    /// The file, as displayed (relative to the input root, with `/` separators).
    pub file: String,
    /// A JSON pointer (RFC 6901) into that file, `""` for the whole document.
    pub pointer: String,
}

impl Location {
    /// A location in `file` at `pointer`.
    pub fn new(file: impl Into<String>, pointer: impl Into<String>) -> Self {
        Location {
            file: file.into(),
            pointer: pointer.into(),
        }
    }

    /// The location of the child `key` below this one (escaped per RFC 6901).
    pub fn child(&self, key: &str) -> Self {
        Location {
            file: self.file.clone(),
            pointer: format!("{}/{}", self.pointer, pointer_segment(key)),
        }
    }
}

/// `key` as one JSON pointer segment: `~` → `~0`, `/` → `~1` (RFC 6901).
pub fn pointer_segment(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.file, self.pointer)
    }
}

/// One located message: an error or a warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The schema node the message is about.
    pub location: Location,
    /// A plain sentence saying what is wrong.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// Everything that can stop generation.
///
/// `Display` and `Error` are written out rather than derived with
/// `thiserror`: this crate is a build dependency of every crate that
/// generates code, and the derive's proc-macro crate would be compiled in
/// each of their builds for five messages.
#[derive(Debug)]
pub enum Error {
    /// A file or directory could not be read or written.
    Io {
        /// The path as given.
        path: String,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A file is not valid JSON.
    Json {
        /// The path as displayed.
        path: String,
        /// The parser's error, with line and column.
        source: serde_json::Error,
    },
    /// The schema is valid JSON but cannot be turned into Rust types.
    Schema(Vec<Diagnostic>),
    /// An option given to the generator is not valid.
    Config(String),
    /// The emitted tokens do not form a Rust file: a bug in the generator.
    Syntax(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { path, source } => write!(f, "{path}: {source}"),
            Error::Json { path, source } => write!(f, "{path}: not valid JSON: {source}"),
            Error::Schema(diagnostics) => {
                for (i, d) in diagnostics.iter().enumerate() {
                    if i > 0 {
                        f.write_str("\n")?;
                    }
                    write!(f, "error: {d}")?;
                }
                Ok(())
            }
            Error::Config(message) => write!(f, "invalid option: {message}"),
            Error::Syntax(message) => write!(
                f,
                "internal error: the generated code does not parse as Rust ({message}); please report this with the input schema"
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            Error::Json { source, .. } => Some(source),
            Error::Schema(_) | Error::Config(_) | Error::Syntax(_) => None,
        }
    }
}

impl Error {
    /// A single located schema error.
    pub fn at(location: Location, message: impl Into<String>) -> Self {
        Error::Schema(vec![Diagnostic {
            location,
            message: message.into(),
        }])
    }
}

/// Collects errors and warnings while a stage runs, so one run reports every
/// problem it can find rather than only the first. Each schema node is read
/// once, so each problem is reported once.
#[derive(Debug, Default)]
pub struct Diagnostics {
    /// Problems that make the output unusable.
    pub errors: Vec<Diagnostic>,
    /// Documented fallbacks that were taken; the output is still produced.
    pub warnings: Vec<Diagnostic>,
    /// Unknown keywords: each name once, with its first place and count
    /// (see [`Diagnostics::unknown_keyword`]).
    unknown: Vec<(String, Location, usize)>,
}

impl Diagnostics {
    /// Records an error at `location`.
    pub fn error(&mut self, location: &Location, message: impl Into<String>) {
        self.push(true, location, message.into());
    }

    /// Records a warning at `location`.
    pub fn warn(&mut self, location: &Location, message: impl Into<String>) {
        self.push(false, location, message.into());
    }

    /// Records a keyword the generator does not know. A schema can repeat
    /// one in thousands of places (an editor's hint on every property):
    /// [`Diagnostics::finish_unknown`] turns each name into one warning, at
    /// its first place, with the count.
    pub fn unknown_keyword(&mut self, location: &Location, keyword: &str) {
        match self.unknown.iter_mut().find(|(k, ..)| k == keyword) {
            Some((_, _, count)) => *count += 1,
            None => self
                .unknown
                .push((keyword.to_string(), location.clone(), 1)),
        }
    }

    /// One warning per unknown keyword recorded, in the order first met.
    pub fn finish_unknown(&mut self) {
        for (keyword, location, count) in std::mem::take(&mut self.unknown) {
            let message = match count {
                1 => format!("unknown keyword `{keyword}` ignored"),
                n => format!("unknown keyword `{keyword}` ignored ({n} places; this is the first)"),
            };
            self.warn(&location, message);
        }
    }

    fn push(&mut self, is_error: bool, location: &Location, message: String) {
        let diagnostic = Diagnostic {
            location: location.clone(),
            message,
        };
        if is_error {
            self.errors.push(diagnostic);
        } else {
            self.warnings.push(diagnostic);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_segments_are_escaped() {
        let loc = Location::new("a.json", "").child("$defs").child("a/b~c");
        assert_eq!(loc.to_string(), "a.json#/$defs/a~1b~0c");
    }

    #[test]
    fn schema_errors_list_every_diagnostic() {
        let err = Error::Schema(vec![
            Diagnostic {
                location: Location::new("a.json", "/x"),
                message: "one".into(),
            },
            Diagnostic {
                location: Location::new("b.json", "/y"),
                message: "two".into(),
            },
        ]);
        assert_eq!(
            err.to_string(),
            "error: a.json#/x: one\nerror: b.json#/y: two"
        );
    }
}
