//! Open enumerations for the string values GitHub puts in webhook payloads: event actions,
//! review states and commit status states. Each has the values upstream Prow names plus
//! `Other(String)`, so a value GitHub adds tomorrow is carried as data rather than rejected.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Declares an open string enumeration: the listed variants, each with its wire value, plus
/// `Other(String)` for anything else. The `upper` form also matches the wire values ignoring
/// ASCII case (GitHub sends review states lowercase in webhooks and uppercase from the API).
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident => $wire:literal, )+ }
    ) => {
        open_enum!(@define $(#[$meta])* $name exact { $( $(#[$vmeta])* $variant => $wire, )+ });
    };
    (
        $(#[$meta:meta])*
        $name:ident ignoring_case { $( $(#[$vmeta:meta])* $variant:ident => $wire:literal, )+ }
    ) => {
        open_enum!(
            @define $(#[$meta])* $name ignoring_case { $( $(#[$vmeta])* $variant => $wire, )+ }
        );
    };
    (@define
        $(#[$meta:meta])*
        $name:ident $matching:ident { $( $(#[$vmeta:meta])* $variant:ident => $wire:literal, )+ }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version does not know, kept verbatim. Missing or `null` values are
            /// carried as `Other("")`.
            Other(String),
        }

        impl $name {
            /// Every value this version knows, as GitHub spells it.
            pub const KNOWN: &'static [&'static str] = &[ $( $wire, )+ ];

            /// The value as GitHub spells it (for `Other`, the text received).
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )+
                    Self::Other(value) => value,
                }
            }

            /// Whether this is one of the values in [`Self::KNOWN`].
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Other(_))
            }

            fn known(value: &str) -> Option<Self> {
                match value {
                    $( $wire => Some(Self::$variant), )+
                    _ => None,
                }
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                open_enum!(@lookup $matching value)
                    .unwrap_or_else(|| Self::Other(value.to_owned()))
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                open_enum!(@lookup $matching value.as_str()).unwrap_or(Self::Other(value))
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::Other(String::new())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                Ok(Option::<String>::deserialize(deserializer)?
                    .map(Self::from)
                    .unwrap_or_default())
            }
        }
    };
    (@lookup exact $value:expr) => {
        Self::known($value)
    };
    (@lookup ignoring_case $value:expr) => {{
        let value: &str = $value;
        Self::known(value).or_else(|| Self::known(&value.to_ascii_uppercase()))
    }};
}

open_enum! {
    /// The `action` of an `issues` event.
    IssueEventAction {
        /// Assignees were added.
        Assigned => "assigned",
        /// Assignees were removed.
        Unassigned => "unassigned",
        /// Labels were added.
        Labeled => "labeled",
        /// Labels were removed.
        Unlabeled => "unlabeled",
        /// The issue was opened.
        Opened => "opened",
        /// The issue title or body was edited.
        Edited => "edited",
        /// The issue was deleted.
        Deleted => "deleted",
        /// A milestone was added or changed.
        Milestoned => "milestoned",
        /// The milestone was removed.
        Demilestoned => "demilestoned",
        /// The issue was closed.
        Closed => "closed",
        /// The issue was reopened.
        Reopened => "reopened",
        /// The issue was pinned.
        Pinned => "pinned",
        /// The issue was unpinned.
        Unpinned => "unpinned",
        /// The issue was transferred to another repository.
        Transferred => "transferred",
        /// The conversation was locked.
        Locked => "locked",
        /// The conversation was unlocked.
        Unlocked => "unlocked",
    }
}

open_enum! {
    /// The `action` of an `issue_comment` event.
    IssueCommentEventAction {
        /// The comment was created.
        Created => "created",
        /// The comment was edited.
        Edited => "edited",
        /// The comment was deleted.
        Deleted => "deleted",
    }
}

open_enum! {
    /// The `action` of a `pull_request` event.
    PullRequestEventAction {
        /// Assignees were added.
        Assigned => "assigned",
        /// Assignees were removed.
        Unassigned => "unassigned",
        /// Review requests were added.
        ReviewRequested => "review_requested",
        /// Review requests were removed.
        ReviewRequestRemoved => "review_request_removed",
        /// Labels were added.
        Labeled => "labeled",
        /// Labels were removed.
        Unlabeled => "unlabeled",
        /// The pull request was opened.
        Opened => "opened",
        /// The title, body or base branch changed.
        Edited => "edited",
        /// The pull request was closed (or merged).
        Closed => "closed",
        /// The pull request was reopened.
        Reopened => "reopened",
        /// The head branch changed (new commits or a force push).
        Synchronize => "synchronize",
        /// The pull request is no longer a draft.
        ReadyForReview => "ready_for_review",
        /// The pull request became a draft.
        ConvertedToDraft => "converted_to_draft",
        /// The conversation was locked.
        Locked => "locked",
        /// The conversation was unlocked.
        Unlocked => "unlocked",
        /// Auto-merge was enabled.
        AutoMergeEnabled => "auto_merge_enabled",
        /// Auto-merge was disabled.
        AutoMergeDisabled => "auto_merge_disabled",
    }
}

open_enum! {
    /// The `action` of a `pull_request_review` event.
    ReviewEventAction {
        /// The review was submitted.
        Submitted => "submitted",
        /// The review body was edited.
        Edited => "edited",
        /// The review was dismissed.
        Dismissed => "dismissed",
    }
}

open_enum! {
    /// The `action` of a `pull_request_review_comment` event.
    ReviewCommentEventAction {
        /// The comment was created.
        Created => "created",
        /// The comment was edited.
        Edited => "edited",
        /// The comment was deleted.
        Deleted => "deleted",
    }
}

open_enum! {
    /// The `action` of a `check_run` event.
    CheckRunEventAction {
        /// A check run was created.
        Created => "created",
        /// A check run finished.
        Completed => "completed",
        /// Someone asked to run the check again.
        Rerequested => "rerequested",
        /// Someone pressed a button the check run offered (see `requested_action`).
        RequestedAction => "requested_action",
    }
}

open_enum! {
    /// The `action` of a `check_suite` event.
    CheckSuiteEventAction {
        /// All check runs of the suite finished.
        Completed => "completed",
        /// New code was pushed and the suite was requested.
        Requested => "requested",
        /// Someone asked to run the whole suite again.
        Rerequested => "rerequested",
    }
}

open_enum! {
    /// The state of a pull request review. Webhooks send it lowercase, the REST API uppercase;
    /// both parse to the same variant, which serialises uppercase as upstream's constants do.
    ReviewState ignoring_case {
        /// The reviewer approved.
        Approved => "APPROVED",
        /// The reviewer asked for changes.
        ChangesRequested => "CHANGES_REQUESTED",
        /// The reviewer only commented.
        Commented => "COMMENTED",
        /// The review was dismissed.
        Dismissed => "DISMISSED",
        /// The review is not submitted yet.
        Pending => "PENDING",
    }
}

open_enum! {
    /// The state of a commit status (the `state` of a `status` event).
    StatusState {
        /// The context is still running.
        Pending => "pending",
        /// The context passed.
        Success => "success",
        /// The context could not run.
        Error => "error",
        /// The context failed.
        Failure => "failure",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every known value parses to a known variant and serialises back to the same text.
    fn round_trips<T>(known: &[&str])
    where
        T: for<'de> Deserialize<'de> + Serialize + PartialEq + fmt::Debug,
        for<'a> T: From<&'a str>,
    {
        for &value in known {
            let parsed: T = serde_json::from_value(serde_json::json!(value)).unwrap();
            assert_eq!(parsed, T::from(value));
            assert_eq!(
                serde_json::to_value(&parsed).unwrap(),
                serde_json::json!(value)
            );
        }
    }

    #[test]
    fn known_values_round_trip() {
        round_trips::<IssueEventAction>(IssueEventAction::KNOWN);
        round_trips::<IssueCommentEventAction>(IssueCommentEventAction::KNOWN);
        round_trips::<PullRequestEventAction>(PullRequestEventAction::KNOWN);
        round_trips::<ReviewEventAction>(ReviewEventAction::KNOWN);
        round_trips::<ReviewCommentEventAction>(ReviewCommentEventAction::KNOWN);
        round_trips::<CheckRunEventAction>(CheckRunEventAction::KNOWN);
        round_trips::<CheckSuiteEventAction>(CheckSuiteEventAction::KNOWN);
        round_trips::<ReviewState>(ReviewState::KNOWN);
        round_trips::<StatusState>(StatusState::KNOWN);
    }

    #[test]
    fn every_upstream_action_is_known() {
        let cases: [(&str, &[&str], usize); 7] = [
            ("issues", IssueEventAction::KNOWN, 16),
            ("issue_comment", IssueCommentEventAction::KNOWN, 3),
            ("pull_request", PullRequestEventAction::KNOWN, 17),
            ("pull_request_review", ReviewEventAction::KNOWN, 3),
            (
                "pull_request_review_comment",
                ReviewCommentEventAction::KNOWN,
                3,
            ),
            ("check_run", CheckRunEventAction::KNOWN, 4),
            ("check_suite", CheckSuiteEventAction::KNOWN, 3),
        ];
        for (event, known, count) in cases {
            assert_eq!(known.len(), count, "{event}");
        }
        for action in ["synchronize", "ready_for_review", "converted_to_draft"] {
            assert!(PullRequestEventAction::from(action).is_known(), "{action}");
        }
    }

    #[test]
    fn unknown_values_are_data() {
        let cases = [
            (serde_json::json!("enqueued"), "enqueued"),
            (serde_json::json!(""), ""),
            (serde_json::Value::Null, ""),
        ];
        for (raw, text) in cases {
            let action: PullRequestEventAction = serde_json::from_value(raw.clone()).unwrap();
            assert_eq!(
                action,
                PullRequestEventAction::Other(text.to_owned()),
                "{raw}"
            );
            assert!(!action.is_known());
            assert_eq!(action.as_str(), text);
            assert_eq!(action.to_string(), text);
        }
        let kept = serde_json::to_value(PullRequestEventAction::from("enqueued")).unwrap();
        assert_eq!(kept, serde_json::json!("enqueued"));
    }

    #[test]
    fn review_state_ignores_case_but_actions_do_not() {
        let cases = [
            ("approved", ReviewState::Approved),
            ("APPROVED", ReviewState::Approved),
            ("changes_requested", ReviewState::ChangesRequested),
            ("commented", ReviewState::Commented),
            ("dismissed", ReviewState::Dismissed),
            ("pending", ReviewState::Pending),
            ("superseded", ReviewState::Other("superseded".to_owned())),
        ];
        for (raw, want) in cases {
            assert_eq!(ReviewState::from(raw), want, "{raw}");
        }
        assert_eq!(ReviewState::from("approved").as_str(), "APPROVED");
        assert_eq!(
            IssueEventAction::from("OPENED"),
            IssueEventAction::Other("OPENED".to_owned())
        );
    }
}
