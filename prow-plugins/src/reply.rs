//! The standard reply format of Prow's bot: `@user: text`, the quoted comment in a
//! `<details>` block, and the footer about the bot, byte-identical to upstream's.

use prow_core::event::{GenericCommentEvent, IssueComment};

/// The footer of every reply: how to interact with the bot and where to report problems.
pub const ABOUT_THIS_BOT_WITHOUT_COMMANDS: &str = "Instructions for interacting with me using PR comments are available [here](https://git.k8s.io/community/contributors/guide/pull-requests.md).  If you have questions or suggestions related to my behavior, please file an issue against the [kubernetes-sigs/prow](https://github.com/kubernetes-sigs/prow/issues/new?title=Prow%20issue:) repository.";

/// The sentence that links to the list of commands the bot understands.
pub const ABOUT_THIS_BOT_COMMANDS: &str =
    "I understand the commands that are listed [here](https://go.k8s.io/bot-commands).";

/// Both sentences about the bot, as some notifications (the approve notifier) end with them.
pub fn about_this_bot() -> String {
    format!("{ABOUT_THIS_BOT_WITHOUT_COMMANDS} {ABOUT_THIS_BOT_COMMANDS}")
}

/// A reply to `to` with `message`, explaining `reason` in the collapsed details
/// (upstream's `FormatResponse`).
pub fn format_response(to: &str, message: &str, reason: &str) -> String {
    format!(
        "@{to}: {message}\n\n<details>\n\n{reason}\n\n{ABOUT_THIS_BOT_WITHOUT_COMMANDS}\n</details>"
    )
}

/// A message with only the footer in its details (upstream's `FormatSimpleResponse`).
pub fn format_simple_response(message: &str) -> String {
    format!("{message}\n\n<details>\n\n{ABOUT_THIS_BOT_WITHOUT_COMMANDS}\n</details>")
}

/// A reply to `login` that quotes the text `body` found at `body_url`
/// (upstream's `FormatResponseRaw`): every line of the text prefixed with `>`.
pub fn format_response_raw(body: &str, body_url: &str, login: &str, reply: &str) -> String {
    let quoted: Vec<String> = body.split('\n').map(|line| format!(">{line}")).collect();
    let reason = format!(
        "In response to [this]({body_url}):\n\n{}\n",
        quoted.join("\n")
    );
    format_response(login, reply, &reason)
}

/// A reply to an issue comment (upstream's `FormatICResponse`).
pub fn format_ic_response(comment: &IssueComment, reply: &str) -> String {
    format_response_raw(&comment.body, &comment.html_url, &comment.user.login, reply)
}

/// A reply to the author of a generic comment, quoting it.
pub fn format_comment_response(comment: &GenericCommentEvent, reply: &str) -> String {
    format_response_raw(&comment.body, &comment.html_url, &comment.user.login, reply)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_reply_greets_and_quotes_every_line() {
        let out = format_response_raw(
            "Looks neat.\r\nI like it.\r\n",
            "happygoodsite.com",
            "ca",
            "you are a nice person.",
        );
        let want = "@ca: you are a nice person.\n\n<details>\n\nIn response to [this](happygoodsite.com):\n\n>Looks neat.\r\n>I like it.\r\n>\n\n\n".to_owned()
            + ABOUT_THIS_BOT_WITHOUT_COMMANDS
            + "\n</details>";
        assert_eq!(out, want);
    }

    #[test]
    fn simple_response_has_only_the_footer() {
        assert_eq!(
            format_simple_response("hello"),
            format!("hello\n\n<details>\n\n{ABOUT_THIS_BOT_WITHOUT_COMMANDS}\n</details>")
        );
        assert!(about_this_bot().ends_with("listed [here](https://go.k8s.io/bot-commands)."));
    }
}
