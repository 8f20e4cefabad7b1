//! Prow's plugins, one file each, named after the plugin, and the helpers they share.

use std::sync::Arc;

use prow_core::event::GenericCommentEvent;
use prow_core::github::RepoName;
use prow_core::traits::{Plugin, PluginContext, PluginEvent};

pub mod blockade;
pub mod branchcleaner;
pub mod cat;
pub mod dog;
pub mod pony;
pub mod project;
pub mod shrug;
pub mod size;
pub mod yuks;

/// Every built-in plugin, by the name `plugins.yaml` enables it with.
pub fn builtin() -> Vec<Arc<dyn Plugin>> {
    vec![
        Arc::new(shrug::Shrug),
        Arc::new(cat::Cat::new()),
        Arc::new(dog::Dog::new()),
        Arc::new(pony::Pony::new()),
        Arc::new(yuks::Yuks::new()),
        Arc::new(size::SizePlugin),
        Arc::new(branchcleaner::BranchCleaner),
        Arc::new(blockade::Blockade),
        Arc::new(project::Project),
    ]
}

/// The generic comment of `event` when it is newly written text (a comment created, a body
/// opened), the case most commands act on.
pub fn created_comment(event: &PluginEvent) -> Option<&GenericCommentEvent> {
    event
        .comment
        .as_deref()
        .filter(|c| c.action == prow_core::event::GenericCommentAction::Created)
}

/// The repository of a generic comment.
pub fn repo_of(comment: &GenericCommentEvent) -> RepoName {
    RepoName::new(comment.repo.org(), &comment.repo.name)
}

/// Whether issue or pull request `number` has `label`; a failed look-up counts as not having
/// it (logged), as upstream's plugins do.
pub async fn has_label(ctx: &PluginContext, repo: &RepoName, number: u64, label: &str) -> bool {
    match ctx.github.get_issue_labels(repo, number).await {
        Ok(labels) => prow_core::event::has_label(&labels, label),
        Err(error) => {
            tracing::warn!(%repo, number, %error, "could not read the labels");
            false
        }
    }
}

/// Quotes a string as Go's `%q` (`strconv.Quote`) does, for reply texts upstream formats so.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if c.is_control() && (c as u32) < 0x10000 => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c if c.is_control() => out.push_str(&format!("\\U{:08x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn go_quote_escapes_as_go_does() {
        let cases = [
            ("0.1.0", "\"0.1.0\""),
            ("say \"hi\"\n", "\"say \\\"hi\\\"\\n\""),
            ("tab\there", "\"tab\\there\""),
            ("\u{1}", "\"\\x01\""),
            ("héllo", "\"héllo\""),
        ];
        for (text, want) in cases {
            assert_eq!(super::go_quote(text), want, "{text:?}");
        }
    }
}
