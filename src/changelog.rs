//! The strategy's changelog: for each recent commit that touched the
//! content, what changed in the model — an item added or removed, a status
//! moving, a decision taken, a title or statement rewritten — read from the
//! front matter of each file's versions before and after the commit. One
//! `git log` lists the commits and their files; one `git cat-file --batch`
//! reads every version needed.

use crate::git::git;
use crate::load::split_front_matter;
use crate::markdown::first_heading;
use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

/// How many of the latest commits the changelog reads.
pub const COMMITS: usize = 200;

/// A commit touching more files than this (an import, a mass edit) is read
/// as counts only: its files' versions are not read.
pub const DETAILED_FILES: usize = 50;

/// What one version of a file says about itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Version {
    pub title: Option<String>,
    pub status: Option<String>,
    pub decision: Option<String>,
    pub statement: Option<String>,
    pub visibility: Option<String>,
    pub draft: bool,
}

impl Version {
    /// Read the front matter of a file's text; a version that cannot be
    /// read says nothing.
    pub fn of(text: &str) -> Version {
        let Ok(split) = split_front_matter(text) else {
            return Version::default();
        };
        let mapping: serde_yaml::Mapping = split
            .front
            .and_then(|f| serde_yaml::from_str(f).ok())
            .unwrap_or_default();
        let get = |key: &str| -> Option<String> {
            match mapping.get(key)? {
                serde_yaml::Value::String(s) => Some(s.trim().to_string()),
                serde_yaml::Value::Number(n) => Some(n.to_string()),
                serde_yaml::Value::Bool(b) => Some(b.to_string()),
                _ => None,
            }
        };
        let title = get("title").or_else(|| first_heading(split.body));
        Version {
            title,
            status: get("status"),
            decision: get("decision"),
            statement: get("statement"),
            visibility: get("visibility"),
            draft: mapping
                .get("draft")
                .and_then(serde_yaml::Value::as_bool)
                .unwrap_or(false),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileChangeKind {
    Added,
    Removed,
    Modified,
    /// Moved from another path (and maybe changed).
    Renamed,
}

/// One content file in one commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    /// Its path under `content/` after the commit (before it, if removed).
    pub rel: String,
    /// Its path before a rename.
    pub old_rel: Option<String>,
    pub kind: FileChangeKind,
    pub before: Option<Version>,
    pub after: Option<Version>,
}

/// A commit and what it changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitChanges {
    pub id: String,
    pub date: String,
    pub author: String,
    pub email: String,
    pub summary: String,
    pub files: Vec<FileChange>,
}

/// The latest commits that touched Markdown under `content_dir`, newest
/// first, with what each changed. Empty outside git.
pub fn read(content_dir: &Path) -> Vec<CommitChanges> {
    let Some(top) = git(content_dir, &["rev-parse", "--show-toplevel"]) else {
        return Vec::new();
    };
    let top = Path::new(top.trim());
    let Ok(content) = content_dir.canonicalize() else {
        return Vec::new();
    };
    let Ok(prefix) = content.strip_prefix(top.canonicalize().unwrap_or(top.to_path_buf())) else {
        return Vec::new();
    };
    let prefix = prefix.to_string_lossy().replace('\\', "/");
    let prefix = if prefix.is_empty() {
        String::new()
    } else {
        format!("{prefix}/")
    };
    let count = COMMITS.to_string();
    let Some(log) = git(
        content_dir,
        &[
            "log",
            "-M",
            "--name-status",
            "--no-color",
            "-n",
            &count,
            "--format=%x1e%H%x1f%ad%x1f%an%x1f%ae%x1f%s",
            "--date=short",
            "--",
            ".",
        ],
    ) else {
        return Vec::new();
    };
    let mut commits = parse_log(&log, &prefix);
    // Every version needed, read at once.
    let mut wanted: Vec<String> = Vec::new();
    for c in commits.iter().filter(|c| c.files.len() <= DETAILED_FILES) {
        for f in &c.files {
            let old = f.old_rel.as_ref().unwrap_or(&f.rel);
            if f.kind != FileChangeKind::Added {
                wanted.push(format!("{}^:{prefix}{old}", c.id));
            }
            if f.kind != FileChangeKind::Removed {
                wanted.push(format!("{}:{prefix}{}", c.id, f.rel));
            }
        }
    }
    let blobs = cat_files(top, &wanted);
    for c in commits
        .iter_mut()
        .filter(|c| c.files.len() <= DETAILED_FILES)
    {
        for f in &mut c.files {
            let old = f.old_rel.as_ref().unwrap_or(&f.rel);
            if f.kind != FileChangeKind::Added {
                f.before = blobs
                    .get(&format!("{}^:{prefix}{old}", c.id))
                    .map(|t| Version::of(t));
            }
            if f.kind != FileChangeKind::Removed {
                f.after = blobs
                    .get(&format!("{}:{prefix}{}", c.id, f.rel))
                    .map(|t| Version::of(t));
            }
        }
    }
    commits
}

/// Parse `git log --name-status` records into commits with the Markdown
/// files under `prefix` they touched (paths made relative to it).
fn parse_log(log: &str, prefix: &str) -> Vec<CommitChanges> {
    let mut commits = Vec::new();
    for record in log.split('\u{1e}').filter(|r| !r.trim().is_empty()) {
        let mut lines = record.lines();
        let Some(header) = lines.next() else { continue };
        let fields: Vec<&str> = header.split('\u{1f}').collect();
        let [id, date, author, email, summary] = fields[..] else {
            continue;
        };
        let inside = |p: &str| {
            p.strip_prefix(prefix)
                .filter(|r| r.ends_with(".md"))
                .map(str::to_string)
        };
        let mut files = Vec::new();
        for line in lines.filter(|l| !l.is_empty()) {
            let parts: Vec<&str> = line.split('\t').collect();
            let change = match parts.as_slice() {
                [s, old, new] if s.starts_with('R') => match (inside(old), inside(new)) {
                    (Some(old), Some(new)) => Some((FileChangeKind::Renamed, new, Some(old))),
                    (None, Some(new)) => Some((FileChangeKind::Added, new, None)),
                    (Some(old), None) => Some((FileChangeKind::Removed, old, None)),
                    (None, None) => None,
                },
                [s, p] => inside(p).map(|p| {
                    let kind = match s.chars().next() {
                        Some('A') | Some('C') => FileChangeKind::Added,
                        Some('D') => FileChangeKind::Removed,
                        _ => FileChangeKind::Modified,
                    };
                    (kind, p, None)
                }),
                _ => None,
            };
            if let Some((kind, rel, old_rel)) = change {
                files.push(FileChange {
                    rel,
                    old_rel,
                    kind,
                    before: None,
                    after: None,
                });
            }
        }
        if !files.is_empty() {
            commits.push(CommitChanges {
                id: id.to_string(),
                date: date.to_string(),
                author: author.to_string(),
                email: email.to_string(),
                summary: summary.to_string(),
                files,
            });
        }
    }
    commits
}

/// The text of each `rev:path` that exists, by that name, from one
/// `git cat-file --batch`.
fn cat_files(top: &Path, names: &[String]) -> HashMap<String, String> {
    let mut out = HashMap::new();
    if names.is_empty() {
        return out;
    }
    let Ok(mut child) = Command::new("git")
        .arg("-C")
        .arg(top)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
    else {
        return out;
    };
    let mut input = String::new();
    for n in names {
        input.push_str(n);
        input.push('\n');
    }
    let mut stdin = child.stdin.take().expect("piped");
    // Written from its own thread: git answers while it reads.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let mut bytes = Vec::new();
    let _ = child.stdout.take().expect("piped").read_to_end(&mut bytes);
    let _ = writer.join();
    let _ = child.wait();
    let mut at = 0;
    for name in names {
        let Some(end) = bytes[at..].iter().position(|b| *b == b'\n') else {
            break;
        };
        let header = String::from_utf8_lossy(&bytes[at..at + end]).into_owned();
        at += end + 1;
        let mut parts = header.split(' ');
        let (_, kind, size) = (parts.next(), parts.next(), parts.next());
        if kind != Some("blob") {
            continue;
        }
        let Some(size) = size.and_then(|s| s.parse::<usize>().ok()) else {
            break;
        };
        let Some(blob) = bytes.get(at..at + size) else {
            break;
        };
        out.insert(name.clone(), String::from_utf8_lossy(blob).into_owned());
        at += size + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_says_its_title_status_and_decision() {
        let v = Version::of(
            "---\ntitle: Annual plans\nstatus: validated\ndecision: persevere\n---\nBody.\n",
        );
        assert_eq!(v.title.as_deref(), Some("Annual plans"));
        assert_eq!(v.status.as_deref(), Some("validated"));
        assert_eq!(v.decision.as_deref(), Some("persevere"));
        assert_eq!(
            Version::of("# Heading title\n").title.as_deref(),
            Some("Heading title")
        );
        assert_eq!(
            Version::of("---\ntitle: [broken\n---\n"),
            Version::default()
        );
    }

    #[test]
    fn the_log_keeps_markdown_under_content() {
        let log = "\u{1e}c2\u{1f}2026-03-01\u{1f}Ann\u{1f}ann@x\u{1f}Move\n\nR090\tcontent/a.md\tcontent/b.md\nM\tREADME.md\n\
                   \u{1e}c1\u{1f}2026-01-01\u{1f}Bob\u{1f}bob@x\u{1f}Start\n\nA\tcontent/a.md\nA\tcontent/img.png\n";
        let commits = parse_log(log, "content/");
        assert_eq!(commits.len(), 2);
        assert_eq!(commits[0].files[0].kind, FileChangeKind::Renamed);
        assert_eq!(commits[0].files[0].old_rel.as_deref(), Some("a.md"));
        assert_eq!(commits[0].files.len(), 1, "README.md is outside content/");
        assert_eq!(commits[1].files.len(), 1, "the image is no page");
        assert_eq!(commits[1].email, "bob@x");
    }
}
