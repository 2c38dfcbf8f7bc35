//! Staleness check for committed generated code: a unified diff of what is
//! committed against what the schema produces now.

use similar::TextDiff;

/// `None` when `committed` equals `fresh`; otherwise a unified diff from the
/// committed text to the fresh one, with file labels.
pub fn stale_diff(committed: &str, fresh: &str, label: &str) -> Option<String> {
    if committed == fresh {
        return None;
    }
    let diff = TextDiff::from_lines(committed, fresh)
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("{label} (committed)"),
            &format!("{label} (from schema)"),
        )
        .to_string();
    Some(diff)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_are_fresh() {
        assert_eq!(stale_diff("a\n", "a\n", "x.rs"), None);
    }

    #[test]
    fn a_change_gives_a_unified_diff() {
        let diff = stale_diff("a\nb\n", "a\nc\n", "x.rs").unwrap();
        assert!(diff.contains("--- x.rs (committed)"), "{diff}");
        assert!(diff.contains("-b\n+c\n"), "{diff}");
    }
}
