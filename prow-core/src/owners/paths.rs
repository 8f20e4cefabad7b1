//! Slash-separated path helpers with the semantics of Go's `path/filepath`
//! (`Clean`, `Dir`, `Rel`) on Unix, which OWNERS resolution depends on.

/// Lexically simplifies a path: removes empty and `.` elements and folds `..`.
/// An empty result is `.` (or `/` for rooted paths).
pub(crate) fn clean(path: &str) -> String {
    if path.is_empty() {
        return ".".to_owned();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|last| *last != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    if rooted {
        format!("/{joined}")
    } else if joined.is_empty() {
        ".".to_owned()
    } else {
        joined
    }
}

/// Everything but the last element of a path, cleaned; `.` when there is no separator.
pub(crate) fn dir(path: &str) -> String {
    match path.rfind('/') {
        Some(idx) => clean(&path[..=idx]),
        None => ".".to_owned(),
    }
}

/// Path of `target` relative to `base`, or `None` when one is rooted and the
/// other is not, or when `base` would need to climb out through `..`.
pub(crate) fn rel(base: &str, target: &str) -> Option<String> {
    let mut base = clean(base);
    let target = clean(target);
    if base == target {
        return Some(".".to_owned());
    }
    if base == "." {
        base.clear();
    }
    if base.starts_with('/') != target.starts_with('/') {
        return None;
    }
    let split = |s: &str| -> Vec<String> {
        let trimmed = s.strip_prefix('/').unwrap_or(s);
        if trimmed.is_empty() {
            Vec::new()
        } else {
            trimmed.split('/').map(str::to_owned).collect()
        }
    };
    let base_parts = split(&base);
    let target_parts = split(&target);
    let common = base_parts
        .iter()
        .zip(&target_parts)
        .take_while(|(b, t)| b == t)
        .count();
    if base_parts.get(common).is_some_and(|p| p == "..") {
        return None;
    }
    let mut out: Vec<&str> = vec![".."; base_parts.len() - common];
    out.extend(target_parts[common..].iter().map(String::as_str));
    if out.is_empty() {
        Some(".".to_owned())
    } else {
        Some(out.join("/"))
    }
}

/// Upstream's directory key convention: the repository root is the empty
/// string and no trailing `/` is kept.
pub(crate) fn canonicalize(path: &str) -> String {
    if path == "." {
        return String::new();
    }
    path.strip_suffix('/').unwrap_or(path).to_owned()
}

/// The parent key of `path` in upstream's convention, guaranteed to move
/// towards the root so that walks up the tree always end.
pub(crate) fn parent_key(path: &str) -> String {
    let parent = canonicalize(&dir(path));
    if parent == path {
        String::new()
    } else {
        parent
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_matches_go() {
        for (input, want) in [
            ("", "."),
            (".", "."),
            ("a/b/", "a/b"),
            ("a//b", "a/b"),
            ("./a/./b", "a/b"),
            ("a/../..", ".."),
            ("/../a", "/a"),
            ("/", "/"),
            ("a/b/../c", "a/c"),
        ] {
            assert_eq!(clean(input), want, "clean({input:?})");
        }
    }

    #[test]
    fn dir_matches_go() {
        for (input, want) in [
            ("", "."),
            ("a", "."),
            ("a/b", "a"),
            ("a/b/", "a/b"),
            ("/a", "/"),
            ("./foo.txt", "."),
            ("a/b/c/d.go", "a/b/c"),
        ] {
            assert_eq!(dir(input), want, "dir({input:?})");
        }
    }

    #[test]
    fn rel_matches_go() {
        for (base, target, want) in [
            ("", "a/b.go", Some("a/b.go")),
            ("", "", Some(".")),
            ("", ".", Some(".")),
            ("a/b", "a/b/c/d.go", Some("c/d.go")),
            ("a/b", "a/b", Some(".")),
            ("", "./foo.txt", Some("foo.txt")),
            ("a/b", "a/c", Some("../c")),
            ("", "/a", None),
            ("..", "a", None),
        ] {
            assert_eq!(
                rel(base, target).as_deref(),
                want,
                "rel({base:?}, {target:?})"
            );
        }
    }

    #[test]
    fn canonicalize_matches_upstream() {
        for (input, want) in [
            ("", ""),
            (".", ""),
            ("a/b/c/d.txt", "a/b/c/d.txt"),
            ("/a/b/", "/a/b"),
            ("foo/bar/baz/", "foo/bar/baz"),
        ] {
            assert_eq!(canonicalize(input), want, "canonicalize({input:?})");
        }
    }
}
