//! Stage 1, load: walk `content/`, read every Markdown file, and split its
//! front matter from its body. No interpretation happens here.

use crate::diagnostics::{Diagnostic, Span};
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

/// One Markdown file as read from disk.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceFile {
    /// The path as given to diagnostics (relative to the site root when possible).
    pub path: PathBuf,
    /// The path relative to `content/`, with `/` separators.
    pub rel: String,
    pub text: String,
    /// Modification time in seconds since the epoch, the stand-in for git dates.
    pub mtime: Option<i64>,
}

/// Front matter and body of a file. Line numbers are 1-based lines of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split<'a> {
    pub front: Option<&'a str>,
    /// The file line on which the front matter's first line stands.
    pub front_line: usize,
    pub body: &'a str,
    /// The file line on which the body starts.
    pub body_line: usize,
}

/// Separate a YAML front-matter block between `---` lines from the body.
/// Tolerates a UTF-8 byte-order mark and CRLF line endings.
pub fn split_front_matter(text: &str) -> Result<Split<'_>, Span> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first_end = text.find('\n').unwrap_or(text.len());
    if text[..first_end].trim_end() != "---" {
        return Ok(Split {
            front: None,
            front_line: 1,
            body: text,
            body_line: 1,
        });
    }
    let front_start = (first_end + 1).min(text.len());
    let mut pos = front_start;
    let mut line = 2;
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        if text[pos..end].trim_end() == "---" {
            let body_start = (end + 1).min(text.len());
            return Ok(Split {
                front: Some(&text[front_start..pos]),
                front_line: 2,
                body: &text[body_start..],
                body_line: line + 1,
            });
        }
        pos = end + 1;
        line += 1;
    }
    Err(Span::new(1, 1, 3))
}

/// For a path the content walk keeps (under `content_dir`, outside the
/// output folder, with no hidden part): whether it is Markdown. `None` for
/// any other path.
fn walked(content_dir: &Path, output_dir: &Path, path: &Path) -> Option<bool> {
    let rel = path.strip_prefix(content_dir).ok()?;
    let hidden = rel
        .components()
        .any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
    (!hidden && !rel.as_os_str().is_empty() && !path.starts_with(output_dir))
        .then(|| path.extension().is_some_and(|x| x == "md"))
}

/// Whether `path` is a file the content walk would read: Markdown, under
/// `content_dir`, outside the output folder, with no hidden part.
pub fn is_content_path(content_dir: &Path, output_dir: &Path, path: &Path) -> bool {
    walked(content_dir, output_dir, path) == Some(true)
}

/// The files beside the Markdown in `content/` (images, PDFs, …), which
/// are copied to the output at the same place: path relative to
/// `content/` → path on disk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Assets(pub std::collections::BTreeMap<String, PathBuf>);

impl Assets {
    pub fn get(&self, rel: &str) -> Option<&Path> {
        self.0.get(rel).map(PathBuf::as_path)
    }
}

/// Whether `path` is a file beside the content that is copied as it is:
/// under `content_dir`, not Markdown, outside the output folder, with no
/// hidden part.
pub fn is_asset_path(content_dir: &Path, output_dir: &Path, path: &Path) -> bool {
    walked(content_dir, output_dir, path) == Some(false)
}

/// The path of a file under `content/`, relative to it, with `/` separators.
pub fn rel_path(content_dir: &Path, path: &Path) -> String {
    path.strip_prefix(content_dir)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether `path` is a symbolic link (or lies under one) that resolves
/// outside the site's `root`: such a link is not followed, so that nothing
/// of the machine beyond the site is read or published. `false` for a
/// path that does not exist.
pub fn escapes_root(root: &Path, path: &Path) -> bool {
    root.canonicalize()
        .is_ok_and(|root| resolves_outside(&root, path))
}

/// Whether `path`, links followed, lies outside `canonical_root`; `false`
/// for a path that does not exist.
fn resolves_outside(canonical_root: &Path, path: &Path) -> bool {
    path.canonicalize()
        .is_ok_and(|target| !target.starts_with(canonical_root))
}

/// The warning for a symbolic link under `content/` that leads outside the
/// site.
fn link_out_of_site(root: &Path, path: &Path) -> Diagnostic {
    let to = std::fs::read_link(path)
        .map(|t| format!(" (to `{}`)", t.display()))
        .unwrap_or_default();
    Diagnostic::warning(
        display_path(root, path),
        None,
        format!("symbolic link leads outside the site{to}; it is not followed, and nothing behind it is read or published"),
    )
    .with_help("move the file into the site, or link to a place inside it")
}

/// The paths of every `.md` file under `content_dir`, sorted, and the
/// other files there. Symbolic links are followed while they stay inside
/// the site's `root`; one that leads out is a warning and is skipped.
pub fn content_paths(
    root: &Path,
    content_dir: &Path,
    output_dir: &Path,
) -> (Vec<PathBuf>, Assets, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut paths = Vec::new();
    let mut assets = Assets::default();
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let mut leaving = Vec::new();
    let walker = WalkDir::new(content_dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            if e.depth() > 0 && e.file_name().to_string_lossy().starts_with('.') {
                return false;
            }
            // A link (or the content folder itself) that resolves outside
            // the site is not entered or read.
            let outside = (e.path_is_symlink() || e.depth() == 0)
                && resolves_outside(&canonical_root, e.path());
            if outside {
                leaving.push(e.path().to_path_buf());
            }
            !outside
        });
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_file() => {
                let p = e.path();
                if p.starts_with(output_dir) {
                    continue;
                }
                if p.extension().is_some_and(|x| x == "md") {
                    paths.push(p.to_path_buf());
                } else {
                    assets.0.insert(rel_path(content_dir, p), p.to_path_buf());
                }
            }
            Ok(_) => {}
            Err(err) => {
                let path = err
                    .path()
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| content_dir.to_path_buf());
                let message = if err.loop_ancestor().is_some() {
                    "symbolic link loop; this folder is skipped".to_string()
                } else {
                    format!(
                        "cannot read: {}",
                        err.io_error()
                            .map_or_else(|| err.to_string(), |e| e.to_string())
                    )
                };
                diagnostics.push(Diagnostic::warning(
                    display_path(root, &path),
                    None,
                    message,
                ));
            }
        }
    }
    diagnostics.extend(leaving.iter().map(|p| link_out_of_site(root, p)));
    (paths, assets, diagnostics)
}

/// Read one content file.
pub fn read_one(root: &Path, content_dir: &Path, path: &Path) -> Result<SourceFile, Diagnostic> {
    let shown = display_path(root, path);
    let bytes = std::fs::read(path)
        .map_err(|e| Diagnostic::error(shown.clone(), None, format!("cannot read file: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let valid = String::from_utf8_lossy(valid);
        let line = valid.matches('\n').count() + 1;
        let col = valid.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Diagnostic::error(
            shown.clone(),
            Some(Span::new(line, col, 1)),
            "file is not valid UTF-8",
        )
        .with_help("save the file with UTF-8 encoding")
    })?;
    let mut file = source_from_text(root, content_dir, path, text);
    file.mtime = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_secs() as i64);
    Ok(file)
}

/// A content file from its text (an editor's unsaved buffer, or what was
/// read from disk), with no modification time.
pub fn source_from_text(root: &Path, content_dir: &Path, path: &Path, text: String) -> SourceFile {
    let rel = rel_path(content_dir, path);
    SourceFile {
        path: display_path(root, path),
        rel,
        text,
        mtime: None,
    }
}

/// Paths in diagnostics are relative to the site root, as a writer sees them.
pub fn display_path(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf())
}

/// Decode `%XX` escapes (a URL path, a `file://` URI); `None` when the
/// bytes are not UTF-8.
pub fn percent_decode(s: &str) -> Option<String> {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(std::borrow::Cow::into_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn splits_front_matter_with_bom_and_crlf() {
        let s = split_front_matter("\u{feff}---\r\ntitle: A\r\n---\r\nBody\r\n").unwrap();
        assert_eq!(s.front, Some("title: A\r\n"));
        assert_eq!(s.body, "Body\r\n");
        assert_eq!(s.body_line, 4);
    }

    #[test]
    fn no_front_matter_is_all_body() {
        let s = split_front_matter("# Hello\n").unwrap();
        assert_eq!(s.front, None);
        assert_eq!(s.body, "# Hello\n");
    }

    #[test]
    fn unterminated_front_matter_is_an_error() {
        assert!(split_front_matter("---\ntitle: A\n").is_err());
        assert!(split_front_matter("---").is_err());
    }

    #[test]
    fn empty_front_matter() {
        let s = split_front_matter("---\n---\n").unwrap();
        assert_eq!(s.front, Some(""));
        assert_eq!(s.body, "");
    }

    proptest! {
        #[test]
        fn splitter_never_panics_and_pieces_come_from_input(text in "\\PC{0,200}") {
            if let Ok(s) = split_front_matter(&text) {
                let t = text.strip_prefix('\u{feff}').unwrap_or(&text);
                // The body is the end of the text, on the line it says.
                prop_assert!(t.ends_with(s.body));
                let body_at = t.len() - s.body.len();
                if !s.body.is_empty() {
                    prop_assert_eq!(s.body_line, 1 + t[..body_at].matches('\n').count());
                }
                match s.front {
                    // Without front matter the body is the whole text.
                    None => prop_assert_eq!(s.body, t),
                    // The front matter starts on the second line and is
                    // closed by a `---` line.
                    Some(f) => {
                        let at = f.as_ptr() as usize - t.as_ptr() as usize;
                        prop_assert_eq!(at, t.find('\n').unwrap() + 1);
                        prop_assert!(t[at + f.len()..].starts_with("---"));
                        prop_assert_eq!(&t[..3], "---");
                    }
                }
            }
        }

        #[test]
        fn front_matter_and_body_are_found_where_they_are(
            front in "([a-z]{1,8}: [a-z0-9 ]{0,12}\n){0,5}",
            body in "[a-zA-Z0-9 .\n]{0,80}",
            crlf in any::<bool>(),
        ) {
            let nl = if crlf { "\r\n" } else { "\n" };
            let text = format!("---{nl}{}---{nl}{body}", front.replace('\n', nl));
            let s = split_front_matter(&text).unwrap();
            prop_assert_eq!(s.front.map(|f| f.replace("\r\n", "\n")), Some(front.clone()));
            prop_assert_eq!(s.body, body.as_str());
            prop_assert_eq!(s.body_line, front.lines().count() + 3);
        }

        #[test]
        fn splitter_finds_any_yaml_block(yaml in "[a-z]{1,8}: [a-z0-9 ]{0,20}\n", body in "[a-zA-Z #\n]{0,80}") {
            let text = format!("---\n{yaml}---\n{body}");
            let s = split_front_matter(&text).unwrap();
            prop_assert_eq!(s.front, Some(yaml.as_str()));
            prop_assert_eq!(s.body, body.as_str());
        }
    }
}
