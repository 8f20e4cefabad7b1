//! `.prowignore`: gitignore-syntax patterns naming the files of a job-config directory that
//! are not job configs. As with `.gitignore`, every directory may hold one; its patterns are
//! relative to that directory and override those of its parents.

use regex::Regex;

/// The name of the ignore file Prow reads at the root of a job-config directory.
pub const PROW_IGNORE_FILE_NAME: &str = ".prowignore";

/// The patterns of one `.prowignore` file.
#[derive(Clone, Debug, Default)]
pub struct ProwIgnore {
    rules: Vec<Rule>,
}

#[derive(Clone, Debug)]
struct Rule {
    regex: Regex,
    negated: bool,
    dir_only: bool,
}

impl ProwIgnore {
    /// Parses the text of a `.prowignore` file (gitignore syntax: `#` comments, `!`
    /// negation, a leading `/` or an inner `/` anchors to the root, a trailing `/` matches
    /// directories only, `*`, `?`, `[…]` and `**`).
    pub fn parse(text: &str) -> Result<Self, regex::Error> {
        let mut rules = Vec::new();
        for line in text.lines() {
            let line = line.trim_end_matches([' ', '\t', '\r']);
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (negated, pattern) = match line.strip_prefix('!') {
                Some(rest) => (true, rest),
                None => (false, line.strip_prefix('\\').unwrap_or(line)),
            };
            let (dir_only, pattern) = match pattern.strip_suffix('/') {
                Some(rest) => (true, rest),
                None => (false, pattern),
            };
            if pattern.is_empty() {
                continue;
            }
            let anchored = pattern.trim_start_matches("**/").contains('/');
            let pattern = pattern.strip_prefix('/').unwrap_or(pattern);
            let mut re = String::from(if anchored { "^" } else { "^(?:.*/)?" });
            re.push_str(&glob_to_regex(pattern));
            // A pattern naming a directory also ignores everything below it.
            re.push_str("(?:/.*)?$");
            rules.push(Rule {
                regex: Regex::new(&re)?,
                negated,
                dir_only,
            });
        }
        Ok(ProwIgnore { rules })
    }

    /// Whether `relative` (a `/`-separated path below the directory holding the
    /// `.prowignore`) is ignored; `is_dir` tells whether it names a directory.
    pub fn is_ignored(&self, relative: &str, is_dir: bool) -> bool {
        self.apply(relative, is_dir, false)
    }

    /// Applies these patterns on top of a verdict already reached by the ignore files of
    /// parent directories (as git does, the deeper file has the last word).
    pub fn apply(&self, relative: &str, is_dir: bool, ignored: bool) -> bool {
        let mut ignored = ignored;
        for rule in &self.rules {
            if rule.negated != ignored {
                continue;
            }
            let matched = if rule.dir_only && !is_dir {
                // A directory-only rule ignores a file only through one of its parents.
                relative
                    .rmatch_indices('/')
                    .any(|(i, _)| rule.regex.is_match(&relative[..i]))
            } else {
                rule.regex.is_match(relative)
            };
            if matched {
                ignored = !rule.negated;
            }
        }
        ignored
    }

    /// Whether the file holds no patterns.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

fn glob_to_regex(glob: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = glob.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '*' if chars.get(i + 1) == Some(&'*') => {
                let at_segment_start = i == 0 || chars[i - 1] == '/';
                let at_segment_end = matches!(chars.get(i + 2), None | Some('/'));
                if at_segment_start && at_segment_end {
                    if chars.get(i + 2) == Some(&'/') {
                        out.push_str("(?:.*/)?");
                        i += 3;
                    } else {
                        out.push_str(".*");
                        i += 2;
                    }
                    continue;
                }
                out.push_str("[^/]*");
                i += 2;
                continue;
            }
            '*' => out.push_str("[^/]*"),
            '?' => out.push_str("[^/]"),
            '[' => {
                if let Some(end) = chars[i + 1..].iter().position(|c| *c == ']') {
                    let class: String = chars[i + 1..i + 1 + end].iter().collect();
                    let class = class
                        .strip_prefix('!')
                        .map_or(class.clone(), |c| format!("^{c}"));
                    out.push('[');
                    out.push_str(&class.replace('\\', "\\\\"));
                    out.push(']');
                    i += end + 2;
                    continue;
                }
                out.push_str("\\[");
            }
            '\\' if i + 1 < chars.len() => {
                i += 1;
                out.push_str(&regex::escape(&chars[i].to_string()));
            }
            c => out.push_str(&regex::escape(&c.to_string())),
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gitignore_rules() {
        let cases: &[(&str, &str, bool, bool)] = &[
            // (patterns, path, is_dir, ignored)
            (
                "registry/default.yaml",
                "registry/default.yaml",
                false,
                true,
            ),
            (
                "registry/default.yaml",
                "x/registry/default.yaml",
                false,
                false,
            ),
            ("default.yaml", "a/b/default.yaml", false, true),
            ("/default.yaml", "a/default.yaml", false, false),
            ("/default.yaml", "default.yaml", false, true),
            ("*.yaml", "a/b.yaml", false, true),
            ("*.yaml\n!keep.yaml", "a/keep.yaml", false, false),
            ("generated/", "generated/x.yaml", false, true),
            ("generated/", "generated", false, false),
            ("a/**/z.yaml", "a/b/c/z.yaml", false, true),
            ("a/**/z.yaml", "a/z.yaml", false, true),
            ("**/tmp", "x/y/tmp/f.yaml", false, true),
            ("# comment\n\n", "a.yaml", false, false),
            ("job?.yaml", "job1.yaml", false, true),
            ("job[0-9].yaml", "jobx.yaml", false, false),
            ("dir", "dir/sub/f.yaml", false, true),
        ];
        for (patterns, path, is_dir, want) in cases {
            let ignore = ProwIgnore::parse(patterns).unwrap();
            assert_eq!(
                ignore.is_ignored(path, *is_dir),
                *want,
                "patterns {patterns:?} path {path:?}"
            );
        }
    }
}
