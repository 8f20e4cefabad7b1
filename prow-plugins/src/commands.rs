//! Commands declared as data: a plugin states each `/command` once — its name, the grammar of
//! its argument, who may use it, what it does, examples — and both the matcher and the
//! `/plugin-help` entry come from that one declaration, so the help never drifts from the code.
//!
//! A command is recognised as Prow recognises it: on a line of its own, starting with `/`,
//! followed by the name and, when the declaration allows one, whitespace and an argument.
//! Lines inside fenced code blocks (```` ``` ```` or `~~~`) are quotations, not commands.
//! Where an upstream plugin reads its command differently, the declaration says so with a
//! builder — [`Arg::Any`], [`Command::arg_separator`], [`Command::matched_in_code_blocks`] —
//! rather than the plugin keeping a pattern of its own.
//!
//! ```
//! use prow_plugins::commands::{Arg, Command};
//!
//! static HOLD: Command = Command::new("hold")
//!     .arg(Arg::Optional("cancel"))
//!     .case_insensitive()
//!     .description("Adds or removes the `do-not-merge/hold` label.")
//!     .who_can_use("Anyone can use the /hold command.")
//!     .examples(&["/hold", "/hold cancel"]);
//!
//! let found = HOLD.find("LGTM, but\n/hold\n");
//! assert_eq!(found.len(), 1);
//! assert_eq!(found[0].arg, None);
//! assert_eq!(HOLD.find("/HOLD Cancel")[0].arg.as_deref(), Some("Cancel"));
//! assert!(HOLD.find("```\n/hold\n```").is_empty());
//! assert_eq!(HOLD.help().usage, "/hold [cancel]");
//! ```

use std::sync::OnceLock;

use prow_core::traits::{CommandHelp, PluginHelp};
use regex::Regex;

/// The argument a command takes, as a regular expression (Rust `regex` syntax) for the whole
/// argument text after the name and its separating whitespace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arg {
    /// No argument: `/lgtm`.
    None,
    /// An argument that may be left out: `/hold [cancel]`.
    Optional(&'static str),
    /// An argument that must be given: `/cc @user`.
    Required(&'static str),
    /// Whatever follows the name, or nothing: upstream's `approve` takes `/approve <any text>`
    /// as an approval and only looks at the text afterwards. The name must still be followed
    /// by the separator (`/approvefoo` is not `/approve`).
    ///
    /// ```
    /// use prow_plugins::commands::{Arg, Command};
    ///
    /// static APPROVE: Command = Command::new("approve").arg(Arg::Any);
    ///
    /// assert_eq!(APPROVE.find("/approve")[0].arg, None);
    /// assert_eq!(APPROVE.find("/approve if tests pass")[0].arg.as_deref(), Some("if tests pass"));
    /// assert!(!APPROVE.is_in("/approvefoo"));
    /// assert_eq!(APPROVE.usage_line(), "/approve [...]");
    /// ```
    Any,
}

/// One command of a plugin, declared as data.
///
/// Built in a `static` with the `const` builder methods; its regular expression is compiled
/// on first use.
#[derive(Debug)]
pub struct Command {
    name: &'static str,
    aliases: &'static [&'static str],
    arg: Arg,
    arg_usage: Option<&'static str>,
    separator: &'static str,
    case_insensitive: bool,
    line_start: bool,
    in_code_blocks: bool,
    usage: Option<&'static str>,
    featured: bool,
    description: &'static str,
    examples: &'static [&'static str],
    who_can_use: &'static str,
    regex: OnceLock<Regex>,
}

/// One use of a command found in a comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invocation {
    /// The name as written (`hold`, `HOLD`, or an alias), without the slash.
    pub name: String,
    /// The argument, trimmed, when one was written.
    pub arg: Option<String>,
    /// The whole line, trimmed.
    pub line: String,
}

impl Invocation {
    /// The argument split on whitespace (empty without an argument).
    pub fn args(&self) -> Vec<&str> {
        self.arg
            .as_deref()
            .map(|a| a.split_whitespace().collect())
            .unwrap_or_default()
    }

    /// Whether the argument equals `word`, ignoring ASCII case.
    pub fn arg_is(&self, word: &str) -> bool {
        self.arg
            .as_deref()
            .is_some_and(|a| a.eq_ignore_ascii_case(word))
    }
}

impl Command {
    /// A command `/name` without an argument, case-sensitive, with no help text yet.
    pub const fn new(name: &'static str) -> Self {
        Command {
            name,
            aliases: &[],
            arg: Arg::None,
            arg_usage: None,
            separator: DEFAULT_SEPARATOR,
            case_insensitive: false,
            line_start: true,
            in_code_blocks: false,
            usage: None,
            featured: false,
            description: "",
            examples: &[],
            who_can_use: "",
            regex: OnceLock::new(),
        }
    }

    /// Other names the command answers to (`unhold` for `hold`).
    pub const fn aliases(mut self, aliases: &'static [&'static str]) -> Self {
        self.aliases = aliases;
        self
    }

    /// The argument the command takes.
    pub const fn arg(mut self, arg: Arg) -> Self {
        self.arg = arg;
        self
    }

    /// How the argument is shown in the usage (`<label>`), when its pattern is not readable.
    pub const fn arg_usage(mut self, text: &'static str) -> Self {
        self.arg_usage = Some(text);
        self
    }

    /// What separates the name from its argument, as a regular expression; by default one or
    /// more spaces or tabs (`[ \t]+`). For upstream commands whose pattern says otherwise:
    /// `/test?` asks for the job list as `/test ?` does (no whitespace needed,
    /// `[ \t]*`), `/test all` takes exactly one space (`" "`), and `^/(?:re)?test\b` lets
    /// anything follow the name after a word boundary (`(?-u:\b)`, ASCII as in Go).
    ///
    /// ```
    /// use prow_plugins::commands::{Arg, Command};
    ///
    /// // No whitespace required before the argument.
    /// static TEST_HELP: Command = Command::new("test")
    ///     .arg(Arg::Required(r"\?"))
    ///     .arg_separator("[ \t]*");
    /// assert!(TEST_HELP.is_in("/test?"));
    /// assert!(TEST_HELP.is_in("/test \t?"));
    /// assert!(!TEST_HELP.is_in("/test"));
    ///
    /// // Exactly one space.
    /// static TEST_ALL: Command = Command::new("test")
    ///     .arg(Arg::Required("all"))
    ///     .arg_separator(" ");
    /// assert!(TEST_ALL.is_in("/test all"));
    /// assert!(!TEST_ALL.is_in("/test  all"));
    /// assert!(!TEST_ALL.is_in("/testall"));
    ///
    /// // The name followed directly by a word boundary, then anything.
    /// static ANY_TEST: Command = Command::new("test")
    ///     .aliases(&["retest"])
    ///     .arg(Arg::Any)
    ///     .arg_separator(r"(?-u:\b)");
    /// assert!(ANY_TEST.is_in("/retest-required"));
    /// assert_eq!(ANY_TEST.find("/test-e2e")[0].arg.as_deref(), Some("-e2e"));
    /// assert!(!ANY_TEST.is_in("/tests"));
    /// ```
    pub const fn arg_separator(mut self, pattern: &'static str) -> Self {
        self.separator = pattern;
        self
    }

    /// The command is recognised inside fenced code blocks too.
    ///
    /// Commands are quotations in code blocks, and every plugin ignores them there except
    /// `approve`: upstream's approve reads the raw comment, so a `/approve` line inside a code
    /// block approves. This opt-in keeps that behaviour declared rather than hand-matched.
    ///
    /// ```
    /// use prow_plugins::commands::Command;
    ///
    /// static APPROVE: Command = Command::new("approve").matched_in_code_blocks();
    /// static HOLD: Command = Command::new("hold");
    ///
    /// let body = "```\n/approve\n/hold\n```";
    /// assert!(APPROVE.is_in(body));
    /// assert!(!HOLD.is_in(body));
    /// ```
    pub const fn matched_in_code_blocks(mut self) -> Self {
        self.in_code_blocks = true;
        self
    }

    /// The name (and the argument) match in any letter case, as Prow's `(?i)` commands do.
    pub const fn case_insensitive(mut self) -> Self {
        self.case_insensitive = true;
        self
    }

    /// The command may be indented with spaces or tabs.
    pub const fn indented(mut self) -> Self {
        self.line_start = false;
        self
    }

    /// The usage line shown by `/plugin-help`, when the derived one (`/name [arg]`) is not
    /// what upstream shows.
    pub const fn usage(mut self, usage: &'static str) -> Self {
        self.usage = Some(usage);
        self
    }

    /// Shows the command first in the help.
    pub const fn featured(mut self) -> Self {
        self.featured = true;
        self
    }

    /// What the command does.
    pub const fn description(mut self, text: &'static str) -> Self {
        self.description = text;
        self
    }

    /// Examples of its use.
    pub const fn examples(mut self, examples: &'static [&'static str]) -> Self {
        self.examples = examples;
        self
    }

    /// Who may use it.
    pub const fn who_can_use(mut self, text: &'static str) -> Self {
        self.who_can_use = text;
        self
    }

    /// The command's name, without the slash.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The matcher: the command on a line of its own.
    pub fn regex(&self) -> &Regex {
        self.regex.get_or_init(|| {
            let mut names = vec![regex::escape(self.name)];
            names.extend(self.aliases.iter().map(|a| regex::escape(a)));
            let flags = if self.case_insensitive { "mRi" } else { "mR" };
            let names = names.join("|");
            let indent = if self.line_start { "" } else { r"[ \t]*" };
            let sep = self.separator;
            let pattern = match self.arg {
                Arg::None => format!(r"(?{flags})^{indent}/(?P<name>{names})[ \t]*$"),
                Arg::Optional(arg) => format!(
                    r"(?{flags})^{indent}/(?P<name>{names})(?:(?:{sep})(?P<arg>{arg}))?[ \t]*$"
                ),
                Arg::Any => format!(
                    r"(?{flags})^{indent}/(?P<name>{names})(?:(?:{sep})(?P<arg>.*))?[ \t]*$"
                ),
                Arg::Required(arg) => {
                    format!(r"(?{flags})^{indent}/(?P<name>{names})(?:{sep})(?P<arg>{arg})[ \t]*$")
                }
            };
            Regex::new(&pattern).unwrap_or_else(|e| {
                panic!(
                    "command /{} has an invalid argument pattern: {e}",
                    self.name
                )
            })
        })
    }

    /// Every use of the command in `body`, in order, outside fenced code blocks (unless
    /// [`matched_in_code_blocks`](Self::matched_in_code_blocks)).
    pub fn find(&self, body: &str) -> Vec<Invocation> {
        find_any(&[self], body)
    }

    /// Whether `body` uses the command at least once.
    pub fn is_in(&self, body: &str) -> bool {
        let regex = self.regex();
        classified_lines(body).any(|(line, quoted)| self.reads(quoted) && regex.is_match(line))
    }

    /// Whether the command is looked for on a line inside a code block (`quoted`) or not.
    fn reads(&self, quoted: bool) -> bool {
        !quoted || self.in_code_blocks
    }

    /// The use of the command on `line`, if it is one.
    fn invocation(&self, line: &str) -> Option<Invocation> {
        let caps = self.regex().captures(line)?;
        Some(Invocation {
            name: caps["name"].to_owned(),
            arg: caps
                .name("arg")
                .map(|m| m.as_str().trim().to_owned())
                .filter(|a| !a.is_empty()),
            line: line.trim().to_owned(),
        })
    }

    /// The last use of the command in `body` (the one that wins when a comment repeats it).
    pub fn last(&self, body: &str) -> Option<Invocation> {
        self.find(body).pop()
    }

    /// The usage line: the declared one, or `/name`, `/name [arg]`, `/name <arg>`.
    pub fn usage_line(&self) -> String {
        if let Some(usage) = self.usage {
            return usage.to_owned();
        }
        let arg = |pattern: &str| self.arg_usage.unwrap_or(pattern).to_owned();
        match self.arg {
            Arg::None => format!("/{}", self.name),
            Arg::Optional(p) => format!("/{} [{}]", self.name, arg(p)),
            Arg::Any => format!("/{} [{}]", self.name, arg("...")),
            Arg::Required(p) => format!("/{} <{}>", self.name, arg(p)),
        }
    }

    /// The command's `/plugin-help` entry.
    pub fn help(&self) -> CommandHelp {
        CommandHelp {
            usage: self.usage_line(),
            featured: self.featured,
            description: self.description.to_owned(),
            examples: self.examples.iter().map(|e| (*e).to_owned()).collect(),
            who_can_use: self.who_can_use.to_owned(),
        }
    }
}

/// The default [`Command::arg_separator`]: spaces or tabs.
const DEFAULT_SEPARATOR: &str = r"[ \t]+";

/// Every use of any of `commands` in `body`, in the order written (a line is the use of the
/// first command in `commands` that matches it), for a plugin whose commands act in sequence:
/// `/approve` then `/lgtm cancel` is not `/lgtm cancel` then `/approve`.
///
/// ```
/// use prow_plugins::commands::{Arg, Command, find_any};
///
/// static APPROVE: Command = Command::new("approve").arg(Arg::Any);
/// static LGTM: Command = Command::new("lgtm").arg(Arg::Any);
///
/// let found = find_any(&[&APPROVE, &LGTM], "/lgtm\n/approve cancel\n/lgtm cancel");
/// let names: Vec<&str> = found.iter().map(|i| i.name.as_str()).collect();
/// assert_eq!(names, ["lgtm", "approve", "lgtm"]);
/// ```
pub fn find_any(commands: &[&Command], body: &str) -> Vec<Invocation> {
    classified_lines(body)
        .filter_map(|(line, quoted)| {
            commands
                .iter()
                .filter(|c| c.reads(quoted))
                .find_map(|c| c.invocation(line))
        })
        .collect()
}

/// The `/plugin-help` entries of a plugin's commands.
pub fn help(commands: &[&Command]) -> Vec<CommandHelp> {
    commands.iter().map(|c| c.help()).collect()
}

/// A plugin's `/plugin-help` entry: what it does and its commands.
pub fn plugin_help(description: &str, commands: &[&Command]) -> PluginHelp {
    PluginHelp {
        description: description.to_owned(),
        commands: help(commands),
        ..PluginHelp::default()
    }
}

/// The lines of `body` where a command may be, skipping fenced code blocks.
///
/// A fence is a line whose trimmed text starts with three backticks or three tildes; the block
/// runs to the next fence of the same kind (or the end of the text).
pub fn command_lines(body: &str) -> impl Iterator<Item = &str> {
    classified_lines(body)
        .filter(|(_, quoted)| !quoted)
        .map(|(line, _)| line)
}

/// Every line of `body`, each with whether it belongs to a fenced code block (a fence line or
/// a line inside one).
fn classified_lines(body: &str) -> impl Iterator<Item = (&str, bool)> {
    let mut fence: Option<&'static str> = None;
    body.split('\n').map(move |line| {
        let trimmed = line.trim_start();
        let opens = ["```", "~~~"]
            .into_iter()
            .find(|marker| trimmed.starts_with(marker));
        let quoted = match (fence, opens) {
            (Some(open), Some(marker)) if open == marker => {
                fence = None;
                true
            }
            (Some(_), _) => true,
            (None, Some(marker)) => {
                fence = Some(marker);
                true
            }
            (None, None) => false,
        };
        (line, quoted)
    })
}

/// `body` without its fenced code blocks, for plugins that match their own patterns.
pub fn strip_code_blocks(body: &str) -> String {
    command_lines(body).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    static LGTM: Command = Command::new("lgtm")
        .arg(Arg::Optional("cancel|no-issue"))
        .case_insensitive()
        .usage("/lgtm [cancel] or GitHub Review action")
        .featured()
        .description("Adds or removes the 'lgtm' label.")
        .who_can_use("Collaborators on the repository.")
        .examples(&["/lgtm", "/lgtm cancel"]);

    static CC: Command = Command::new("cc")
        .arg(Arg::Required(r"(?:@?[-\w/]+[ \t]*)+"))
        .arg_usage("[@user1 @user2]");

    static RETEST: Command = Command::new("retest");

    static CLOSE: Command = Command::new("close");

    static INDENTED_CLOSE: Command = Command::new("close").indented();

    static HOLD: Command = Command::new("hold")
        .aliases(&["unhold"])
        .arg(Arg::Optional("cancel"));

    static APPROVE: Command = Command::new("approve")
        .arg(Arg::Any)
        .matched_in_code_blocks();

    static TEST_HELP: Command = Command::new("test")
        .arg(Arg::Required(r"\?"))
        .arg_separator("[ \t]*");

    static ANY_TEST: Command = Command::new("test")
        .arg(Arg::Any)
        .arg_separator(r"(?-u:\b)");

    #[test]
    fn matching_follows_prow_rules() {
        struct Case {
            name: &'static str,
            command: &'static Command,
            body: &'static str,
            want: &'static [(&'static str, Option<&'static str>)],
        }
        let cases = [
            Case {
                name: "bare command",
                command: &LGTM,
                body: "/lgtm",
                want: &[("lgtm", None)],
            },
            Case {
                name: "argument",
                command: &LGTM,
                body: "/lgtm cancel",
                want: &[("lgtm", Some("cancel"))],
            },
            Case {
                name: "case-insensitive name and argument",
                command: &LGTM,
                body: "/LGTM CANCEL",
                want: &[("LGTM", Some("CANCEL"))],
            },
            Case {
                name: "case-sensitive command ignores other cases",
                command: &RETEST,
                body: "/RETEST",
                want: &[],
            },
            Case {
                name: "trailing whitespace and CRLF",
                command: &LGTM,
                body: "looks good\r\n/lgtm  \r\nthanks",
                want: &[("lgtm", None)],
            },
            Case {
                name: "an indented command is not a command, as upstream's ^/ patterns",
                command: &LGTM,
                body: "  /lgtm",
                want: &[],
            },
            Case {
                name: "unknown argument is not the command",
                command: &LGTM,
                body: "/lgtm please",
                want: &[],
            },
            Case {
                name: "an indented() command may be indented",
                command: &INDENTED_CLOSE,
                body: "  /close",
                want: &[("close", None)],
            },
            Case {
                name: "a command at the line start",
                command: &CLOSE,
                body: "done\n/close \r\n",
                want: &[("close", None)],
            },
            Case {
                name: "mid-line is not a command",
                command: &LGTM,
                body: "I think /lgtm is fine",
                want: &[],
            },
            Case {
                name: "prefix of a longer command is not the command",
                command: &RETEST,
                body: "/retest-required",
                want: &[],
            },
            Case {
                name: "quoted command is not a command",
                command: &LGTM,
                body: "> /lgtm",
                want: &[],
            },
            Case {
                name: "command in a fenced code block is ignored",
                command: &RETEST,
                body: "try:\n```\n/retest\n```\n",
                want: &[],
            },
            Case {
                name: "command after a closed code block counts",
                command: &RETEST,
                body: "~~~\n/retest\n~~~\n/retest",
                want: &[("retest", None)],
            },
            Case {
                name: "required argument missing",
                command: &CC,
                body: "/cc",
                want: &[],
            },
            Case {
                name: "required argument",
                command: &CC,
                body: "/cc @alice bob",
                want: &[("cc", Some("@alice bob"))],
            },
            Case {
                name: "any argument",
                command: &APPROVE,
                body: "/approve\n/approve  as agreed \r\n",
                want: &[("approve", None), ("approve", Some("as agreed"))],
            },
            Case {
                name: "any argument still needs the separator",
                command: &APPROVE,
                body: "/approved",
                want: &[],
            },
            Case {
                name: "matched_in_code_blocks reads fenced code blocks",
                command: &APPROVE,
                body: "```\n/approve\n```\n~~~\n/approve x\n~~~",
                want: &[("approve", None), ("approve", Some("x"))],
            },
            Case {
                name: "a separator that may be empty",
                command: &TEST_HELP,
                body: "/test?\n/test ?",
                want: &[("test", Some("?")), ("test", Some("?"))],
            },
            Case {
                name: "a word-boundary separator lets anything follow",
                command: &ANY_TEST,
                body: "/test\n/test-e2e\n/tests\n/test\u{e9}",
                want: &[
                    ("test", None),
                    ("test", Some("-e2e")),
                    ("test", Some("\u{e9}")),
                ],
            },
            Case {
                name: "alias",
                command: &HOLD,
                body: "/unhold\n/hold cancel",
                want: &[("unhold", None), ("hold", Some("cancel"))],
            },
        ];
        for case in cases {
            let got = case.command.find(case.body);
            let got: Vec<(&str, Option<&str>)> = got
                .iter()
                .map(|i| (i.name.as_str(), i.arg.as_deref()))
                .collect();
            assert_eq!(got, case.want, "{}", case.name);
            assert_eq!(
                case.command.is_in(case.body),
                !case.want.is_empty(),
                "{}",
                case.name
            );
        }
    }

    #[test]
    fn help_comes_from_the_declaration() {
        let help = LGTM.help();
        assert_eq!(help.usage, "/lgtm [cancel] or GitHub Review action");
        assert!(help.featured);
        assert_eq!(help.examples, vec!["/lgtm", "/lgtm cancel"]);
        assert_eq!(help.who_can_use, "Collaborators on the repository.");
        assert_eq!(CC.usage_line(), "/cc <[@user1 @user2]>");
        assert_eq!(RETEST.usage_line(), "/retest");
        assert_eq!(HOLD.usage_line(), "/hold [cancel]");
        assert_eq!(APPROVE.usage_line(), "/approve [...]");
    }

    #[test]
    fn invocation_helpers() {
        let found = CC.last("/cc @a\n/cc @b @c").unwrap();
        assert_eq!(found.args(), vec!["@b", "@c"]);
        assert!(LGTM.last("/lgtm Cancel").unwrap().arg_is("cancel"));
        assert_eq!(strip_code_blocks("a\n```\nb\n```\nc"), "a\nc");
    }
}
