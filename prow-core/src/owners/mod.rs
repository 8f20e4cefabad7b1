//! OWNERS and OWNERS_ALIASES support, after upstream Prow's `repoowners` package.
//!
//! Parses the files, expands aliases, and resolves which approvers, reviewers and
//! labels apply to a path of a repository; the caller supplies file contents.

mod config;
mod layered;
mod paths;
mod repo;

#[cfg(test)]
mod corpus_tests;
#[cfg(test)]
mod tests;

pub use config::{
    Config, DEFAULT_OWNERS_ALIASES_FILE, DEFAULT_OWNERS_FILE, DirOptions, Filenames, FullConfig,
    OwnersDirDenylist, OwnersFile, PRECONFIGURED_DIR_DENYLIST, RepoAliases, SimpleConfig,
    parse_aliases_config, parse_full_config, parse_owners_file, parse_simple_config,
};
pub use layered::LayeredSet;
pub use repo::{ChangeOwners, LoadOptions, RepoOwners};

use std::collections::BTreeSet;

/// Problems found while parsing OWNERS files or building a [`RepoOwners`].
///
/// Every variant that concerns a file carries its path relative to the
/// repository root.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OwnersError {
    /// An OWNERS (or markdown header) file is not valid YAML of the expected shape.
    #[error("cannot parse {path}: {message}")]
    Parse {
        /// File that failed to parse.
        path: String,
        /// Message of the YAML decoder.
        message: String,
    },
    /// An alias group is a plain string instead of a list of members.
    #[error("{path}: alias group '{alias}' must contain a list of members")]
    AliasGroupNotList {
        /// The aliases file.
        path: String,
        /// The offending alias group.
        alias: String,
    },
    /// An alias group has a value that is neither a list, a mapping nor empty.
    #[error("{path}: unexpected type for alias group: {type_name}")]
    AliasGroupType {
        /// The aliases file.
        path: String,
        /// Go-style name of the type found.
        type_name: String,
    },
    /// A member of an alias group is not a string.
    #[error("{path}: unexpected type for alias group member: {type_name}")]
    AliasMemberType {
        /// The aliases file.
        path: String,
        /// Go-style name of the type found.
        type_name: String,
    },
    /// A `filters:` key of an OWNERS file is not a valid regular expression.
    #[error("{path}: Invalid regexp {pattern:?}: {message}")]
    InvalidFilterRegex {
        /// The OWNERS file.
        path: String,
        /// The pattern as written.
        pattern: String,
        /// Message of the regex compiler.
        message: String,
    },
    /// A pattern of the OWNERS directory denylist is not a valid regular expression.
    #[error("Invalid OWNERS dir denylist regexp {pattern:?}: {message}")]
    InvalidDenylistRegex {
        /// The pattern as configured.
        pattern: String,
        /// Message of the regex compiler.
        message: String,
    },
    /// The file lies in a directory matched by the OWNERS directory denylist
    /// (upstream answers `filepath.SkipDir` here).
    #[error("{path}: directory is on the OWNERS dir denylist")]
    DeniedDir {
        /// The file whose directory is denied.
        path: String,
    },
    /// A file path given to the loader points outside the repository.
    #[error("{path}: path is not inside the repository")]
    InvalidPath {
        /// The path as given.
        path: String,
    },
}

pub use crate::event::norm_login;

/// Normalizes every login of a list with [`norm_login`] into a set.
pub fn norm_logins<I, S>(logins: I) -> BTreeSet<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    logins.into_iter().map(|l| norm_login(l.as_ref())).collect()
}
