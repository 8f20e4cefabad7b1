//! Commit-status descriptions as Prow writes them: the ` BaseSHA:` suffix recording the base a
//! context was tested against (read back by Tide), and the `[prow:skip-retest]` sentinel.

/// The longest status description GitHub keeps, in bytes.
pub const CONTEXT_DESCRIPTION_MAX_LEN: usize = 140;

/// What separates a status description from the base SHA it was tested against.
pub const CONTEXT_DESCRIPTION_BASE_SHA_DELIMITER: &str = " BaseSHA:";

/// The older spelling of [`CONTEXT_DESCRIPTION_BASE_SHA_DELIMITER`], still read.
pub const CONTEXT_DESCRIPTION_BASE_SHA_DELIMITER_DEPRECATED: &str = " Basesha:";

/// Marks a status Tide treats as passing for the current head SHA, without retesting it
/// when the base branch moves (`/override-sticky` writes it).
pub const SKIP_RETEST_SENTINEL: &str = "[prow:skip-retest]";

/// What replaces the middle of a description that is too long.
const ELIDE: &str = " ... ";

/// Whether a status description carries [`SKIP_RETEST_SENTINEL`].
pub fn is_skip_retest(description: &str) -> bool {
    description.contains(SKIP_RETEST_SENTINEL)
}

/// A status description with ` BaseSHA:<sha>` appended, padded with U+2001 so the SHA shows at
/// a steady place in GitHub's UI, the description cut in the middle to fit 140 bytes
/// (upstream's `ContextDescriptionWithBaseSha`). Without a base SHA, only the cut applies.
pub fn context_description_with_base_sha(human_readable: &str, base_sha: &str) -> String {
    let mut suffix = String::new();
    if !base_sha.is_empty() {
        suffix = format!("{CONTEXT_DESCRIPTION_BASE_SHA_DELIMITER}{base_sha}");
        if human_readable.len() + suffix.len() < CONTEXT_DESCRIPTION_MAX_LEN {
            // The bound is read again after each pad (each pad is three bytes), as upstream's
            // loop does.
            let mut i = 0;
            while i < CONTEXT_DESCRIPTION_MAX_LEN
                .saturating_sub(human_readable.len() + suffix.len())
            {
                suffix.insert(0, '\u{2001}');
                i += 1;
            }
        }
    }
    let max = CONTEXT_DESCRIPTION_MAX_LEN.saturating_sub(suffix.len());
    format!("{}{suffix}", truncate(human_readable, max))
}

/// The base SHA a description written by [`context_description_with_base_sha`] records, or
/// `None` (upstream's `BaseSHAFromContextDescription`).
pub fn base_sha_from_context_description(description: &str) -> Option<&str> {
    [
        CONTEXT_DESCRIPTION_BASE_SHA_DELIMITER,
        CONTEXT_DESCRIPTION_BASE_SHA_DELIMITER_DEPRECATED,
    ]
    .into_iter()
    .find_map(|delimiter| {
        let mut parts = description.split(delimiter);
        let (_, sha, rest) = (parts.next(), parts.next()?, parts.next());
        (rest.is_none() && sha.len() == 40).then_some(sha)
    })
}

/// Cuts the middle out of a text longer than `max_len` bytes: `really ... messages`. Cuts fall
/// on character boundaries (the head ends, and the tail starts, no later than the byte count
/// says).
pub fn truncate(text: &str, max_len: usize) -> String {
    if text.len() <= max_len {
        return text.to_owned();
    }
    let half = max_len.saturating_sub(ELIDE.len()) / 2;
    let mut head = half;
    while !text.is_char_boundary(head) {
        head -= 1;
    }
    let mut tail = text.len() - half;
    while !text.is_char_boundary(tail) {
        tail += 1;
    }
    format!("{}{ELIDE}{}", &text[..head], &text[tail..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_sha_suffix_is_padded_to_the_right_edge() {
        let sha = "f".repeat(40);
        let got = context_description_with_base_sha("Overridden by admin", &sha);
        assert!(got.starts_with("Overridden by admin\u{2001}"), "{got}");
        assert!(got.ends_with(&format!(" BaseSHA:{sha}")), "{got}");
        assert!(
            got.len() <= CONTEXT_DESCRIPTION_MAX_LEN + 2,
            "{}",
            got.len()
        );
        assert_eq!(base_sha_from_context_description(&got), Some(sha.as_str()));
    }

    #[test]
    fn no_base_sha_only_truncates() {
        assert_eq!(
            context_description_with_base_sha("Job succeeded.", ""),
            "Job succeeded."
        );
        let long = "x".repeat(200);
        let got = context_description_with_base_sha(&long, "");
        assert_eq!(got.len(), CONTEXT_DESCRIPTION_MAX_LEN - 1);
        assert!(got.contains(" ... "));
    }

    #[test]
    fn sticky_description_with_the_longest_login_keeps_the_sentinel() {
        let description = format!("Overridden by {} {SKIP_RETEST_SENTINEL}", "x".repeat(39));
        let full = context_description_with_base_sha(&description, &"f".repeat(40));
        assert!(full.len() <= CONTEXT_DESCRIPTION_MAX_LEN, "{}", full.len());
        assert!(is_skip_retest(&full));
    }

    #[test]
    fn skip_retest_sentinel_anywhere() {
        for (description, want) in [
            ("Overridden by admin-user [prow:skip-retest]", true),
            ("something [prow:skip-retest] else", true),
            ("Overridden by admin-user", false),
            ("", false),
        ] {
            assert_eq!(is_skip_retest(description), want, "{description}");
        }
    }

    #[test]
    fn base_sha_read_back() {
        let sha = "a".repeat(40);
        assert_eq!(
            base_sha_from_context_description(&format!("ok Basesha:{sha}")),
            Some(sha.as_str())
        );
        assert_eq!(base_sha_from_context_description("ok BaseSHA:short"), None);
        assert_eq!(base_sha_from_context_description("no sha"), None);
    }
}
