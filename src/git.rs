//! Page history from git: one `git log` over the whole content folder,
//! following renames, never one process per file.

use crate::diagnostics::Diagnostic;
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Commit {
    pub id: String,
    pub date: String,
    pub author: String,
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct History {
    pub created: String,
    pub updated: String,
    pub authors: Vec<String>,
    /// Newest first.
    pub commits: Vec<Commit>,
}

/// Histories keyed by absolute file path (as it is now).
pub type HistoryMap = HashMap<PathBuf, History>;

/// Read the history of every file under `content_dir`. Returns `None` when
/// the folder is not in a git repository or git is not installed.
pub fn read_history(content_dir: &Path, diags: &mut Vec<Diagnostic>) -> Option<HistoryMap> {
    let top = git(content_dir, &["rev-parse", "--show-toplevel"])?;
    let top = PathBuf::from(top.trim());
    if git(content_dir, &["rev-parse", "--is-shallow-repository"])
        .is_some_and(|s| s.trim() == "true")
    {
        diags.push(Diagnostic::warning(
            "content",
            None,
            "this is a shallow git clone: first-revision dates and authors may be wrong",
        ));
    }
    let content = content_dir.canonicalize().ok()?;
    let log = git(
        content_dir,
        &[
            "log",
            "-M",
            "--name-status",
            "--no-color",
            "--format=%x1e%H%x1f%ad%x1f%an%x1f%s",
            "--date=short",
            "--",
            ".",
        ],
    )?;
    Some(parse_log(&log, &top, &content))
}

/// Run git in `dir`; its output when it succeeds.
pub(crate) fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Parse `git log --name-status` output, newest commit first. A rename maps
/// the older name to the file's current name, so history survives renames.
fn parse_log(log: &str, top: &Path, content: &Path) -> HistoryMap {
    let mut current_name: HashMap<String, String> = HashMap::new();
    let mut commits: HashMap<String, Vec<Commit>> = HashMap::new();
    for record in log.split('\u{1e}').filter(|r| !r.trim().is_empty()) {
        let mut lines = record.lines();
        let Some(header) = lines.next() else { continue };
        let fields: Vec<&str> = header.split('\u{1f}').collect();
        if fields.len() < 4 {
            continue;
        }
        let commit = Commit {
            id: fields[0].to_string(),
            date: fields[1].to_string(),
            author: fields[2].to_string(),
            summary: fields[3].to_string(),
        };
        for line in lines.filter(|l| !l.is_empty()) {
            let parts: Vec<&str> = line.split('\t').collect();
            let (status, path) = match parts.as_slice() {
                [s, _old, new] if s.starts_with('R') || s.starts_with('C') => (*s, *new),
                [s, p] => (*s, *p),
                _ => continue,
            };
            let name = current_name
                .get(path)
                .cloned()
                .unwrap_or_else(|| path.to_string());
            commits
                .entry(name.clone())
                .or_default()
                .push(commit.clone());
            if status.starts_with('R') {
                // Older commits know this file by its old name.
                current_name.insert(parts[1].to_string(), name);
            }
        }
    }
    commits
        .into_iter()
        .filter_map(|(name, commits)| {
            let abs = top.join(&name);
            if !abs.starts_with(content) && !abs.starts_with(top) {
                return None;
            }
            let created = commits.last()?.date.clone();
            let updated = commits.first()?.date.clone();
            let mut authors: Vec<String> = Vec::new();
            for c in commits.iter().rev() {
                if !authors.contains(&c.author) {
                    authors.push(c.author.clone());
                }
            }
            Some((
                abs,
                History {
                    created,
                    updated,
                    authors,
                    commits,
                },
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renames_keep_history() {
        let log =
            "\u{1e}c3\u{1f}2026-03-01\u{1f}Ann\u{1f}Rename\n\nR100\tcontent/a.md\tcontent/b.md\n\
                   \u{1e}c1\u{1f}2026-01-01\u{1f}Bob\u{1f}Start\n\nA\tcontent/a.md\n";
        let map = parse_log(log, Path::new("/r"), Path::new("/r/content"));
        let h = &map[Path::new("/r/content/b.md")];
        assert_eq!(h.commits.len(), 2);
        assert_eq!(
            (h.created.as_str(), h.updated.as_str()),
            ("2026-01-01", "2026-03-01")
        );
        assert_eq!(h.authors, vec!["Bob", "Ann"]);
    }
}
