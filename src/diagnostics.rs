//! Problems are data: every stage pushes `Diagnostic`s into a list, and the
//! command decides how to print them and whether to stop. Printing follows
//! `path:line:col: error: message`, the source line, and a caret.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

/// A 1-based line and column (columns count characters) and a length in
/// characters for the caret underline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Span {
    pub line: usize,
    pub col: usize,
    pub len: usize,
}

impl Span {
    pub fn new(line: usize, col: usize, len: usize) -> Span {
        Span { line, col, len }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    pub path: PathBuf,
    pub span: Option<Span>,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    /// The offending source line, kept so printing needs no file access.
    pub source_line: Option<String>,
}

impl Diagnostic {
    pub fn error(path: impl Into<PathBuf>, span: Option<Span>, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.into(),
            span,
            severity: Severity::Error,
            message: message.into(),
            help: None,
            source_line: None,
        }
    }

    pub fn warning(
        path: impl Into<PathBuf>,
        span: Option<Span>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(path, span, message)
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Attach the line the span points at, taken from the file's text.
    pub fn with_source(mut self, text: &str) -> Self {
        if let Some(span) = self.span {
            self.source_line = text
                .lines()
                .nth(span.line.saturating_sub(1))
                .map(|l| l.trim_end_matches('\r').to_string());
        }
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `path:line:col: error: message`, then the line, a caret and help.
    pub fn render(&self, root: &Path) -> String {
        let path = self.path.strip_prefix(root).unwrap_or(&self.path);
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut out = String::new();
        match self.span {
            Some(s) => {
                let _ = write!(out, "{}:{}:{}", path.display(), s.line, s.col);
            }
            None => {
                let _ = write!(out, "{}", path.display());
            }
        }
        let _ = writeln!(out, ": {level}: {}", self.message);
        if let (Some(span), Some(line)) = (self.span, &self.source_line) {
            let gutter = span.line.to_string();
            let pad = " ".repeat(gutter.len());
            // Show at most 200 characters of a very long line, around the caret.
            let shown: String = line.chars().take(200).collect();
            let _ = writeln!(out, "{pad} |");
            let _ = writeln!(out, "{gutter} | {shown}");
            let lead: String = line
                .chars()
                .take(span.col.saturating_sub(1).min(200))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            let _ = writeln!(out, "{pad} | {lead}{}", "^".repeat(span.len.clamp(1, 120)));
        }
        if let Some(help) = &self.help {
            let _ = writeln!(out, "  = help: {help}");
        }
        out
    }
}

/// The diagnostics of one run, in a stable order: by path, then position.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    pub fn extend(&mut self, ds: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(ds);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    pub fn error_count(&self) -> usize {
        self.0.iter().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.0.len() - self.error_count()
    }

    pub fn sort(&mut self) {
        self.0.sort_by(|a, b| {
            (&a.path, a.span, a.severity, &a.message)
                .cmp(&(&b.path, b.span, b.severity, &b.message))
        });
        self.0.dedup();
    }

    /// Every diagnostic, then a one-line summary such as `2 errors, 3 warnings`.
    pub fn render(&self, root: &Path) -> String {
        let mut out = String::new();
        for d in &self.0 {
            out.push_str(&d.render(root));
            out.push('\n');
        }
        if !self.0.is_empty() {
            out.push_str(&self.summary());
            out.push('\n');
        }
        out
    }

    /// How many warnings of one kind a report prints before it counts the
    /// rest (`build`'s report, and `serve`'s).
    pub const WARNINGS_OF_A_KIND: usize = 5;

    /// Like `render`, but warnings of one kind past the first `keep` are
    /// counted instead of printed: a large site can carry thousands of the
    /// same warning. Errors are always printed in full.
    pub fn render_grouped(&self, root: &Path, keep: usize) -> String {
        let mut seen: std::collections::BTreeMap<String, usize> = Default::default();
        let mut out = String::new();
        for d in &self.0 {
            if d.severity == Severity::Warning {
                let n = seen.entry(warning_kind(&d.message)).or_default();
                *n += 1;
                if *n > keep {
                    continue;
                }
            }
            out.push_str(&d.render(root));
            out.push('\n');
        }
        for (kind, n) in &seen {
            if *n > keep {
                let _ = writeln!(
                    out,
                    "warning: and {} more like \"{kind}\" (--verbose shows all)",
                    n - keep
                );
            }
        }
        if !self.0.is_empty() {
            out.push_str(&self.summary());
            out.push('\n');
        }
        out
    }

    pub fn summary(&self) -> String {
        fn count(n: usize, word: &str) -> String {
            format!("{n} {word}{}", if n == 1 { "" } else { "s" })
        }
        format!(
            "{}, {}",
            count(self.error_count(), "error"),
            count(self.warning_count(), "warning")
        )
    }
}

/// What makes warnings alike: the message before any colon, with the
/// parts in backticks and the numbers left out.
fn warning_kind(message: &str) -> String {
    let head = message.split(": ").next().unwrap_or(message);
    let mut kind = String::new();
    let mut in_ticks = false;
    for c in head.chars() {
        match c {
            '`' => {
                in_ticks = !in_ticks;
                if in_ticks {
                    kind.push_str("`…`");
                }
            }
            _ if in_ticks => {}
            c if c.is_ascii_digit() => {
                if !kind.ends_with('#') {
                    kind.push('#');
                }
            }
            c => kind.push(c),
        }
    }
    kind
}

/// The known word closest to `word`, if it is close enough to be a typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_location_line_and_caret() {
        let d = Diagnostic::error("c/e.md", Some(Span::new(3, 9, 8)), "unknown status")
            .with_help("did you mean `validated`?")
            .with_source("---\ntitle: x\nstatus: validatd\n---\n");
        let text = d.render(Path::new(""));
        assert!(text.starts_with("c/e.md:3:9: error: unknown status\n"));
        assert!(text.contains("3 | status: validatd\n"));
        assert!(text.contains("  |         ^^^^^^^^\n"));
        assert!(text.contains("= help: did you mean `validated`?"));
    }

    #[test]
    fn closest_finds_typos_only() {
        let keys = ["status", "started", "summary"];
        assert_eq!(closest("stauts", keys), Some("status"));
        assert_eq!(closest("zebra", keys), None);
    }
}
