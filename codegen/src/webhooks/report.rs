//! The text and markdown forms of a [`Report`], and the bump it implies.

use std::fmt::Write as _;

use super::diff::{Bump, Change, Impact, Report, Subjects};

impl Report {
    /// The bump the changes imply.
    pub fn bump(&self) -> Bump {
        match self.changes.iter().map(|c| c.impact).max() {
            None | Some(Impact::Validation) => Bump::None,
            Some(Impact::Docs) => Bump::Patch,
            Some(Impact::Additive) => Bump::Minor,
            Some(Impact::Breaking) => Bump::Major,
        }
    }

    fn count(&self, impact: Impact) -> usize {
        self.changes.iter().filter(|c| c.impact == impact).count()
    }

    fn count_what(&self, what: &str) -> usize {
        self.changes
            .iter()
            .filter(|c| c.path.is_empty() && c.what == what)
            .count()
    }

    fn summary(&self) -> String {
        let (added, removed) = (self.subjects.added(), self.subjects.removed());
        let mut changed: Vec<&str> = self
            .changes
            .iter()
            .filter(|c| !(c.path.is_empty() && (c.what == added || c.what == removed)))
            .map(|c| c.event.as_str())
            .collect();
        changed.dedup();
        let noun = self.subjects.noun();
        format!(
            "{} {noun} → {} {noun}: {} added, {} removed, {} changed",
            self.old_events,
            self.new_events,
            self.count_what(added),
            self.count_what(removed),
            changed.len()
        )
    }

    /// The title line's words.
    fn title(&self) -> &'static str {
        match self.subjects {
            Subjects::Events => "Webhook event changes",
            Subjects::Types => "Schema changes",
        }
    }

    /// Where a change is, as printed: the JSON pointer, for type reports
    /// (an event report names the event and the payload path).
    fn pointer<'c>(&self, change: &'c Change) -> Option<&'c str> {
        (self.subjects == Subjects::Types).then_some(change.pointer.as_str())
    }

    fn verdict(&self, current: Option<&semver::Version>) -> String {
        let bump = self.bump();
        let why = match bump {
            Bump::None => "no changes",
            Bump::Patch => "documentation changes only",
            Bump::Minor => "additive changes, nothing breaking",
            Bump::Major => "breaking changes",
        };
        match current {
            Some(version) => format!(
                "semver: {} bump, {version} → {} ({why})",
                bump.label(),
                bump.apply(version)
            ),
            None => format!(
                "semver: {} bump ({why}; below 1.0 a {} bump moves {})",
                bump.label(),
                bump.label(),
                match bump {
                    Bump::Major => "the minor number",
                    Bump::None => "nothing",
                    _ => "the patch number",
                }
            ),
        }
    }

    fn counts(&self) -> String {
        let mut counts = format!(
            "{} breaking, {} additive, {} docs",
            self.count(Impact::Breaking),
            self.count(Impact::Additive),
            self.count(Impact::Docs)
        );
        let validation = self.count(Impact::Validation);
        if validation > 0 {
            let _ = write!(counts, ", {validation} validation");
        }
        counts
    }

    /// The changes as printed: each breaking or additive change on its own
    /// line; an event's documentation changes gathered on one line per kind
    /// (`description changed at: (event), data.id`).
    fn lines(&self) -> Vec<(char, String, String, String, Impact, Option<String>)> {
        let mut lines = Vec::new();
        let mut i = 0;
        while i < self.changes.len() {
            let event = &self.changes[i].event;
            let end = self.changes[i..]
                .iter()
                .position(|c| &c.event != event)
                .map_or(self.changes.len(), |n| i + n);
            let group = &self.changes[i..end];
            let mut docs: Vec<(&str, Vec<&str>)> = Vec::new();
            for change in group {
                if change.impact == Impact::Docs {
                    let place = if change.path.is_empty() {
                        match self.subjects {
                            Subjects::Events => "(event)",
                            Subjects::Types => "(type)",
                        }
                    } else {
                        change.path.as_str()
                    };
                    match docs.iter_mut().find(|(what, _)| *what == change.what) {
                        Some((_, places)) => places.push(place),
                        None => docs.push((&change.what, vec![place])),
                    }
                    continue;
                }
                let marker = if change.path.is_empty() && change.what == self.subjects.added() {
                    '+'
                } else if change.path.is_empty() && change.what == self.subjects.removed() {
                    '-'
                } else {
                    '~'
                };
                lines.push((
                    marker,
                    event.clone(),
                    change.path.clone(),
                    change.what.clone(),
                    change.impact,
                    self.pointer(change).map(str::to_string),
                ));
            }
            for (what, places) in docs {
                lines.push((
                    '~',
                    event.clone(),
                    String::new(),
                    format!("{what} at: {}", places.join(", ")),
                    Impact::Docs,
                    None,
                ));
            }
            i = end;
        }
        lines
    }

    /// The report as plain text, one line per change (documentation changes
    /// gathered per event).
    pub fn to_text(&self, current: Option<&semver::Version>) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{}: {} → {}",
            self.title(),
            self.old_label,
            self.new_label
        );
        let _ = writeln!(out, "{}", self.summary());
        if !self.changes.is_empty() {
            out.push('\n');
        }
        for (marker, event, path, what, impact, pointer) in self.lines() {
            let place = if path.is_empty() {
                event
            } else {
                format!("{event} {path}")
            };
            let at = pointer.map_or(String::new(), |p| format!(" ({p})"));
            let _ = writeln!(out, "{marker} {place}: {what} [{}]{at}", impact.label());
        }
        let _ = writeln!(out, "\n{}", self.counts());
        let _ = writeln!(out, "{}", self.verdict(current));
        out
    }

    /// The report as Markdown, for a pull request description.
    pub fn to_markdown(&self, current: Option<&semver::Version>) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "### {}\n", self.title());
        let _ = writeln!(
            out,
            "`{}` → `{}`: {}.\n",
            self.old_label,
            self.new_label,
            self.summary()
        );
        if !self.changes.is_empty() {
            let subject = match self.subjects {
                Subjects::Events => "Event",
                Subjects::Types => "Type",
            };
            let _ = writeln!(out, "| {subject} | Where | Change | Impact |");
            let _ = writeln!(out, "|---|---|---|---|");
            for (_, event, path, what, impact, pointer) in self.lines() {
                let place = match (path.is_empty(), pointer) {
                    (true, None) => String::new(),
                    (false, None) => format!("`{path}`"),
                    (true, Some(pointer)) => format!("`{pointer}`"),
                    (false, Some(pointer)) => format!("`{path}` (`{pointer}`)"),
                };
                let impact = match impact {
                    Impact::Breaking => "**breaking**",
                    other => other.label(),
                };
                let _ = writeln!(
                    out,
                    "| `{event}` | {place} | {} | {impact} |",
                    what.replace('|', "\\|")
                );
            }
            out.push('\n');
        }
        let _ = writeln!(out, "{}.\n", self.counts());
        let _ = writeln!(out, "**{}**", self.verdict(current));
        out
    }
}
