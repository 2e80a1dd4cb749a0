//! Stage 2, parse: typed front matter and Markdown for one file. Every
//! problem is located at the real spot in the file (YAML positions are mapped
//! from the front-matter block to the file's own lines).

use crate::diagnostics::{closest, Diagnostic, Span};
use crate::load::{split_front_matter, SourceFile, Split};
use crate::markdown::{first_heading, outline, scan_wiki_links, Outline, WikiLink};
use crate::model::{is_valid_slug, ExperimentStatus, FrontMatter, Kind, PlaybookStatus};
use crate::yaml::{
    describe, last_occurrences, scan_top_level_keys, yaml_message, yaml_to_json, KeySpan,
    RepeatedKey,
};

mod address;
mod counts;
mod fields;
mod stages;
pub use address::folder_kind;
use address::{address, alias_url, file_title, own_address, Address};
use counts::check_counts;
use fields::{check_fields, statuses};
use std::collections::BTreeMap;

/// A parsed file: front matter typed, body not yet rendered (wiki links must
/// be resolved first).
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub kind: Kind,
    pub source: SourceFile,
    /// For the three structured kinds the slug; for pages the path without
    /// extension (`guides/onboarding`, `guides` for `guides/index.md`, `` for the home intro).
    pub slug: String,
    pub url: String,
    pub title: String,
    pub fm: FrontMatter,
    /// Unknown keys (and the `extra:` mapping's keys), passed to templates.
    pub extra: BTreeMap<String, serde_json::Value>,
    pub key_spans: BTreeMap<String, KeySpan>,
    pub playbook_status: PlaybookStatus,
    pub experiment_status: ExperimentStatus,
    pub body_start: usize,
    pub body_line: usize,
    pub wiki_links: Vec<WikiLink>,
    /// The body's local links and heading ids.
    pub outline: Outline,
    /// Old URLs of the document (`aliases:`, `redirect_from:`), each of
    /// which gets a redirect page.
    pub aliases: Vec<String>,
    /// A `README.md` standing for its folder, which yields the folder's URL
    /// to an `index.md` there.
    pub readme: bool,
}

impl Document {
    pub fn body(&self) -> &str {
        let text = self
            .source
            .text
            .strip_prefix('\u{feff}')
            .unwrap_or(&self.source.text);
        &text[self.body_start..]
    }

    /// The span of a key's value, or of the file's start when the key is absent.
    pub fn value_span(&self, key: &str) -> Span {
        self.key_spans
            .get(key)
            .map_or(Span::new(1, 1, 3), |k| k.value)
    }

    /// Whether the two differ at most in the body's text, and so resolve
    /// alike: the same front matter at the same places, and the same wiki
    /// links and outline.
    pub fn same_apart_from_body(&self, other: &Document) -> bool {
        self.same_place_and_links(other)
            && self.title == other.title
            && self.fm == other.fm
            && self.key_spans == other.key_spans
            && self.body_start == other.body_start
    }

    /// Whether the two differ at most in the title and the body's text
    /// (its links and headings the same): the model then changes only in
    /// this document, the log's order and the wiki links that name it by
    /// title.
    pub fn same_apart_from_title(&self, other: &Document) -> bool {
        let untitled = |d: &Document| FrontMatter {
            title: None,
            ..d.fm.clone()
        };
        let spans = |d: &'_ Document| {
            d.key_spans
                .iter()
                .filter(|(k, _)| k.as_str() != "title")
                .map(|(k, s)| (k.clone(), *s))
                .collect::<Vec<_>>()
        };
        self.same_place_and_links(other)
            && untitled(self) == untitled(other)
            && spans(self) == spans(other)
    }

    /// The same file at the same address, with the same other values, the
    /// body at the same line, and the same links and headings in it.
    fn same_place_and_links(&self, other: &Document) -> bool {
        self.kind == other.kind
            && self.source.path == other.source.path
            && self.source.rel == other.source.rel
            && self.slug == other.slug
            && self.url == other.url
            && self.extra == other.extra
            && self.playbook_status == other.playbook_status
            && self.experiment_status == other.experiment_status
            && self.body_line == other.body_line
            && self.wiki_links == other.wiki_links
            && self.outline.links == other.outline.links
            && self.outline.anchors == other.outline.anchors
            && self.aliases == other.aliases
            && self.readme == other.readme
    }

    /// `summary:` when written, else the body's first paragraph.
    pub fn summary(&self, first_paragraph: &str) -> String {
        self.fm
            .summary
            .clone()
            .unwrap_or_else(|| first_paragraph.to_string())
    }

    pub fn is_home_intro(&self) -> bool {
        self.kind == Kind::Page && self.slug.is_empty()
    }

    pub fn diag_error(&self, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(self.source.path.clone(), Some(span), message)
            .with_source(&self.source.text)
    }

    pub fn diag_warning(&self, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::warning(self.source.path.clone(), Some(span), message)
            .with_source(&self.source.text)
    }
}

/// Parse one file. Returns no document when the file cannot be understood.
pub fn parse_document(file: SourceFile) -> (Option<Document>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let text = file.text.as_str();
    let split = match split_front_matter(text) {
        Ok(s) => s,
        Err(span) => {
            diags.push(
                Diagnostic::error(file.path.clone(), Some(span), "front matter is not closed")
                    .with_help("end the front matter with a line `---`")
                    .with_source(text),
            );
            return (None, diags);
        }
    };
    let bom = text.len() - text.strip_prefix('\u{feff}').unwrap_or(text).len();
    let body_start = split.body.as_ptr() as usize - text.as_ptr() as usize - bom;
    let Some(front) = read_front(&file, &split, &mut diags) else {
        return (None, diags);
    };
    let Front {
        mapping,
        mut fm,
        key_spans,
        repeated,
    } = front;
    let at = Located {
        spans: &key_spans,
        path: &file.path,
        text,
    };
    let Some(kind) = document_kind(&fm, &file.rel, &at, &mut diags) else {
        return (None, diags);
    };
    report_repeated(kind, &repeated, &at, &mut diags);
    if kind != Kind::Page && split.front.is_none() {
        diags.push(
            at.error(
                Span::new(1, 1, 1),
                format!("{} needs front matter", kind.with_article()),
            )
            .with_help("start the file with `---`, a `title:` line and another `---`"),
        );
        return (None, diags);
    }
    let extra = extra_keys(kind, &fm, &mapping, &at, &mut diags);
    let Some(address) = document_address(kind, &file.rel, &fm, &at, &mut diags) else {
        return (None, diags);
    };
    let (playbook_status, experiment_status) = statuses(kind, &fm, &at, &mut diags);
    // Field errors do not stop parsing: references and links in the same
    // file are still checked, so one run reports them all.
    check_fields(kind, &fm, &at, experiment_status, &mut diags);
    if kind == Kind::Experiment {
        check_counts(&mut fm, &at, &mut diags);
    }

    let body = split.body;
    let wiki_links = scan_wiki_links(body, split.body_line);
    let outline = outline(body, split.body_line);
    report_template_tags(&outline, &at, &mut diags);
    let Some(title) = document_title(kind, &fm, &file.rel, &split, &at, &mut diags) else {
        return (None, diags);
    };

    let doc = Document {
        kind,
        slug: address.slug,
        url: address.url,
        title,
        fm,
        extra,
        key_spans,
        playbook_status,
        experiment_status,
        body_start,
        body_line: split.body_line,
        wiki_links,
        outline,
        aliases: address.aliases,
        readme: address.readme,
        source: file,
    };
    (Some(doc), diags)
}

/// A file's front matter as read: its mapping, typed, where its keys stand, and repeated keys.
struct Front {
    mapping: serde_yaml::Mapping,
    fm: FrontMatter,
    key_spans: BTreeMap<String, KeySpan>,
    repeated: Vec<RepeatedKey>,
}

/// Reads the front matter and its key spans; `None` (reported) when it cannot be read.
fn read_front(file: &SourceFile, split: &Split, diags: &mut Vec<Diagnostic>) -> Option<Front> {
    let mut front = split.front.unwrap_or("");
    // A key written twice: the last value counts (as in Jekyll); the
    // problem is reported once the kind is known.
    let cleaned;
    let mut repeated = Vec::new();
    if let Some((c, r)) = last_occurrences(front, split.front_line) {
        cleaned = c;
        front = &cleaned;
        repeated = r;
    }
    let mapping = read_mapping(file, front, split.front_line, diags)?;
    let key_spans = scan_top_level_keys(front, split.front_line);
    let fm = typed_front_matter(file, &mapping, front, split.front_line, diags)?;
    Some(Front {
        mapping,
        fm,
        key_spans,
        repeated,
    })
}

/// Parses the front matter as a YAML mapping; `None` (reported) when it is not one.
fn read_mapping(
    file: &SourceFile,
    front: &str,
    front_line: usize,
    diags: &mut Vec<Diagnostic>,
) -> Option<serde_yaml::Mapping> {
    if front.trim().is_empty() {
        return Some(serde_yaml::Mapping::new());
    }
    match serde_yaml::from_str::<serde_yaml::Value>(front) {
        Ok(serde_yaml::Value::Mapping(m)) => Some(m),
        Ok(serde_yaml::Value::Null) => Some(serde_yaml::Mapping::new()),
        Ok(other) => {
            diags.push(
                Diagnostic::error(
                    file.path.clone(),
                    Some(Span::new(front_line, 1, 1)),
                    format!(
                        "front matter must be a mapping of keys to values, found {}",
                        describe(&other)
                    ),
                )
                .with_source(&file.text),
            );
            None
        }
        Err(e) => {
            diags.push(yaml_error(file, &e, front_line, front));
            None
        }
    }
}

/// Types the front matter; `None` (reported at its place) when a value has the wrong type.
fn typed_front_matter(
    file: &SourceFile,
    mapping: &serde_yaml::Mapping,
    front: &str,
    front_line: usize,
    diags: &mut Vec<Diagnostic>,
) -> Option<FrontMatter> {
    if mapping.is_empty() {
        return Some(FrontMatter::default());
    }
    // Typed from the parsed value; only on failure is the text parsed
    // again, because errors from a value carry no position.
    match serde_yaml::from_value::<FrontMatter>(serde_yaml::Value::Mapping(mapping.clone())) {
        Ok(fm) => Some(fm),
        Err(_) => match serde_yaml::from_str::<FrontMatter>(front) {
            Ok(fm) => Some(fm),
            Err(e) => {
                diags.push(yaml_error(file, &e, front_line, front));
                None
            }
        },
    }
}

/// The kind from `kind:`, else from the folder; `None` (reported) for an unknown kind.
fn document_kind(
    fm: &FrontMatter,
    rel: &str,
    at: &Located,
    diags: &mut Vec<Diagnostic>,
) -> Option<Kind> {
    let Some(name) = fm.kind.as_deref() else {
        return Some(folder_kind(rel));
    };
    if let Some(k) = Kind::parse(name) {
        return Some(k);
    }
    let mut d = at.error(at.value("kind"), format!("unknown kind `{name}`"));
    let names = ["playbook", "hypothesis", "experiment", "page"];
    d = match closest(name, names) {
        Some(c) => d.with_help(format!("did you mean `{c}`?")),
        None => d.with_help("expected one of `playbook`, `hypothesis`, `experiment`, `page`"),
    };
    diags.push(d);
    None
}

/// Reports keys written twice: a warning in a page, an error in the structured kinds.
fn report_repeated(
    kind: Kind,
    repeated: &[RepeatedKey],
    at: &Located,
    diags: &mut Vec<Diagnostic>,
) {
    for r in repeated {
        let message = format!("`{}` is written twice", r.key);
        diags.push(if kind == Kind::Page {
            at.warning(r.again, message).with_help(format!(
                "the value here counts; the one on line {} is ignored",
                r.first.line
            ))
        } else {
            at.error(r.again, message).with_help(format!(
                "keep one of the two (the other is on line {})",
                r.first.line
            ))
        });
    }
}

/// Collects `extra:` and unknown keys for templates, warning of unknown ones.
fn extra_keys(
    kind: Kind,
    fm: &FrontMatter,
    mapping: &serde_yaml::Mapping,
    at: &Located,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, serde_json::Value> {
    // Unknown keys are kept for templates; in the structured kinds they are
    // probably typos, so they also get a warning.
    let mut extra = BTreeMap::new();
    if let Some(m) = &fm.extra {
        for (k, v) in m {
            if let Some(k) = k.as_str() {
                extra.insert(k.to_string(), yaml_to_json(v));
            }
        }
    }
    for (k, v) in mapping {
        let Some(key) = k.as_str() else { continue };
        if kind.key(key).is_some() {
            continue;
        }
        extra.insert(key.to_string(), yaml_to_json(v));
        if kind != Kind::Page {
            let span = at.spans.get(key).map(|k| k.key);
            let mut d = Diagnostic::warning(
                at.path.to_path_buf(),
                span,
                format!("`{key}` is not a known key of {}", kind.with_article()),
            );
            if let Some(c) = closest(key, kind.keys().map(|k| k.name)) {
                d = d.with_help(format!("did you mean `{c}`?"));
            }
            diags.push(d.with_source(at.text));
        }
    }
    extra
}

/// The slug, URL and aliases; `None` (reported) when the slug is invalid.
fn document_address(
    kind: Kind,
    rel: &str,
    fm: &FrontMatter,
    at: &Located,
    diags: &mut Vec<Diagnostic>,
) -> Option<Address> {
    let Address {
        slug,
        url,
        readme,
        mut aliases,
    } = match address(kind, rel, fm.slug.as_deref()) {
        Ok(a) => a,
        Err(message) => {
            let span = at.spans.get("slug").map(|k| k.value);
            let d = Diagnostic::error(at.path.to_path_buf(), span, message);
            diags.push(d.with_source(at.text));
            return None;
        }
    };
    let (slug, url, readme) = match own_address(kind, fm, at.spans) {
        Ok(Some((own_slug, own_url, old))) => {
            aliases.extend(old);
            (own_slug, own_url, false)
        }
        Ok(None) => (slug, url, readme),
        Err((span, message)) => {
            diags.push(
                at.warning(span, message)
                    .with_help("write the page's address as a path, such as `/guides/onboarding/`; the page keeps the address of its file"),
            );
            (slug, url, readme)
        }
    };
    for (key, list) in [
        ("aliases", &fm.aliases),
        ("redirect_from", &fm.redirect_from),
    ] {
        for alias in list {
            match alias_url(alias) {
                Some(a) => aliases.push(a),
                None => diags.push(
                    Diagnostic::warning(
                        at.path.to_path_buf(),
                        at.spans.get(key).map(|k| k.value),
                        format!("`{alias}` is not a path of this site"),
                    )
                    .with_help("an alias is a path such as `/old/address/`")
                    .with_source(at.text),
                ),
            }
        }
    }
    aliases.sort();
    aliases.dedup();
    aliases.retain(|a| *a != url);
    Some(Address {
        slug,
        url,
        readme,
        aliases,
    })
}

/// Warns, once per file, that template syntax in the body is shown as written.
fn report_template_tags(outline: &Outline, at: &Located, diags: &mut Vec<Diagnostic>) {
    if let Some(&first) = outline.template_tags.first() {
        let n = outline.template_tags.len();
        let more = match n {
            1 => String::new(),
            2 => " (and once more in this file)".to_string(),
            _ => format!(" (and {} more times in this file)", n - 1),
        };
        diags.push(
            at.warning(
                first,
                format!("template syntax in the text is shown as written{more}"),
            )
            .with_help("gemba does not run templates in Markdown: write what it stood for, or put it in `code`"),
        );
    }
}

/// The title, for a page else its first heading or file name; `None` (reported) if missing.
fn document_title(
    kind: Kind,
    fm: &FrontMatter,
    rel: &str,
    split: &Split,
    at: &Located,
    diags: &mut Vec<Diagnostic>,
) -> Option<String> {
    match fm.title.clone().filter(|t| !t.trim().is_empty()) {
        Some(t) => Some(t),
        None if kind == Kind::Page => {
            Some(first_heading(split.body).unwrap_or_else(|| file_title(rel)))
        }
        None => {
            diags.push(
                at.error(
                    Span::new(split.front_line.saturating_sub(1).max(1), 1, 3),
                    format!("{} needs a `title`", kind.with_article()),
                )
                .with_help("add a line `title: …` to the front matter"),
            );
            None
        }
    }
}

/// Where a file's front-matter keys stand, for problems found in its values.
struct Located<'a> {
    spans: &'a BTreeMap<String, KeySpan>,
    path: &'a std::path::Path,
    text: &'a str,
}

impl Located<'_> {
    /// The span of a top-level key's value (the file's start when absent).
    fn value(&self, key: &str) -> Span {
        self.spans.get(key).map_or(Span::new(1, 1, 1), |k| k.value)
    }

    fn error(&self, span: Span, message: String) -> Diagnostic {
        Diagnostic::error(self.path.to_path_buf(), Some(span), message).with_source(self.text)
    }

    fn warning(&self, span: Span, message: String) -> Diagnostic {
        Diagnostic::warning(self.path.to_path_buf(), Some(span), message).with_source(self.text)
    }
}

/// Map a YAML error's position in the front-matter block to the file.
fn yaml_error(
    file: &SourceFile,
    e: &serde_yaml::Error,
    front_line: usize,
    front: &str,
) -> Diagnostic {
    let mut message = yaml_message(e);
    // A value our own deserializers refuse is reported at the start of the
    // mapping: find the top-level key whose value holds the quoted token.
    if let Some(found) = e
        .location()
        .filter(|loc| loc.line() <= 1 && loc.column() <= 1)
        .and_then(|_| token_line(front, &message))
    {
        let (n, key, col, len) = found;
        message = format!("{key}: {message}");
        let d = Diagnostic::error(
            file.path.clone(),
            Some(Span::new(front_line + n, col, len)),
            format!("front matter: {message}"),
        );
        return d.with_source(&file.text);
    }
    let span = e.location().map(|loc| {
        let line = front_line + loc.line().saturating_sub(1);
        let col = loc.column().max(1);
        let text_line = front
            .lines()
            .nth(loc.line().saturating_sub(1))
            .unwrap_or("");
        let token_len = text_line
            .chars()
            .skip(col - 1)
            .take_while(|c| !c.is_whitespace() && *c != ',')
            .count();
        Span::new(line, col, token_len.max(1))
    });
    let mut d = Diagnostic::error(file.path.clone(), span, format!("front matter: {message}"));
    if let Some(help) = variant_help(&message) {
        d = d.with_help(help);
    }
    d.with_source(&file.text)
}

/// The front-matter line (0-based), key, column and length of the first
/// backticked token of `message` where it stands as a top-level value.
fn token_line(front: &str, message: &str) -> Option<(usize, String, usize, usize)> {
    let token = message.split('`').nth(1)?;
    if token.is_empty() {
        return None;
    }
    front.lines().enumerate().find_map(|(n, line)| {
        let (key, value) = line.split_once(':')?;
        if key.starts_with([' ', '\t', '-']) || !value.contains(token) {
            return None;
        }
        let at = line.find(token)?;
        Some((
            n,
            key.trim().to_string(),
            line[..at].chars().count() + 1,
            token.chars().count(),
        ))
    })
}

/// For "unknown variant `validatd`, expected one of `planned`, …" suggest the closest.
fn variant_help(message: &str) -> Option<String> {
    let rest = message.split("unknown variant `").nth(1)?;
    let (found, expected) = rest.split_once('`')?;
    let options: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    match closest(found, options.iter().copied()) {
        Some(c) => Some(format!("did you mean `{c}`?")),
        None => Some(format!(
            "expected one of {}",
            options
                .iter()
                .map(|o| format!("`{o}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn file(rel: &str, text: &str) -> SourceFile {
        SourceFile {
            path: PathBuf::from(format!("content/{rel}")),
            rel: rel.into(),
            text: text.into(),
            mtime: None,
        }
    }

    #[test]
    fn structured_kinds_have_flat_urls() {
        let (doc, d) = parse_document(file(
            "experiments/2026/q1/Q1 Pricing.md",
            "---\ntitle: P\n---\nBody",
        ));
        assert!(d.is_empty(), "{d:?}");
        let doc = doc.unwrap();
        assert_eq!(doc.kind, Kind::Experiment);
        assert_eq!(doc.url, "/experiments/q1-pricing/");
        assert_eq!(doc.body(), "Body");
    }

    #[test]
    fn pages_keep_their_path() {
        let (doc, _) = parse_document(file("guides/onboarding.md", "# Onboarding\n"));
        let doc = doc.unwrap();
        assert_eq!(
            (doc.url.as_str(), doc.title.as_str()),
            ("/guides/onboarding/", "Onboarding")
        );
        let (doc, _) = parse_document(file("guides/index.md", "text"));
        assert_eq!(doc.unwrap().url, "/guides/");
        let (doc, _) = parse_document(file("index.md", "intro"));
        assert!(doc.unwrap().is_home_intro());
    }

    #[test]
    fn unknown_enum_value_points_at_value_with_suggestion() {
        let (doc, d) = parse_document(file(
            "experiments/a.md",
            "---\ntitle: A\nstatus: validatd\n---\n",
        ));
        assert!(doc.is_some(), "a bad status does not stop parsing");
        assert_eq!(d[0].span, Some(Span::new(3, 9, 8)));
        assert_eq!(d[0].help.as_deref(), Some("did you mean `validated`?"));
        let (doc, d) = parse_document(file(
            "experiments/a.md",
            "---\ntitle: A\ndecision: pivit\n---\n",
        ));
        assert!(doc.is_none());
        assert_eq!(d[0].span, Some(Span::new(3, 11, 5)));
        assert_eq!(d[0].help.as_deref(), Some("did you mean `pivot`?"));
    }

    #[test]
    fn wrong_type_points_at_value() {
        let text = "---\ntitle: A\nmetrics:\n  - name: x\n    baseline: lots\n---\n";
        let (_, d) = parse_document(file("experiments/a.md", text));
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].span.map(|s| (s.line, s.col)), Some((5, 15)));
    }

    #[test]
    fn unknown_key_warns_with_closest() {
        let (doc, d) = parse_document(file(
            "experiments/a.md",
            "---\ntitle: A\nstauts: running\n---\n",
        ));
        assert!(doc.unwrap().extra.contains_key("stauts"));
        assert_eq!(d[0].span, Some(Span::new(3, 1, 6)));
        assert_eq!(d[0].help.as_deref(), Some("did you mean `status`?"));
    }

    #[test]
    fn pages_accept_foreign_keys_silently() {
        let (doc, d) = parse_document(file(
            "a/b.md",
            "---\nlayout: post\npermalink: /x/\nredirect_from: [/y/]\n---\n# B\n",
        ));
        assert!(d.is_empty());
        assert_eq!(doc.unwrap().extra["layout"], "post");
    }

    proptest::proptest! {
        #[test]
        fn parsing_never_panics_on_yaml_like_text(
            text in "(---\n)?([a-z]{1,8}: ?(\\PC{0,16}|\\[|\\{|&a x|\\*a|!!binary x|- x)\n){0,8}(---\n)?\\PC{0,80}",
            folder in "(experiments|hypotheses|playbooks|guides)",
        ) {
            let (doc, diags) = parse_document(file(&format!("{folder}/x.md"), &text));
            proptest::prop_assert!(doc.is_some() || diags.iter().any(Diagnostic::is_error));
            for d in diags {
                if let Some(span) = d.span {
                    proptest::prop_assert!(span.line >= 1 && span.col >= 1);
                }
            }
        }

        #[test]
        fn parsing_never_panics_on_any_text(text in "\\PC{0,400}") {
            let _ = parse_document(file("experiments/x.md", &text));
        }
    }

    #[test]
    fn yaml_syntax_error_maps_to_file_line() {
        let (_, d) = parse_document(file(
            "experiments/a.md",
            "---\ntitle: A\ntags: [a, b\n---\n",
        ));
        assert_eq!(d.len(), 1);
        assert!(d[0].span.unwrap().line >= 3, "{:?}", d[0]);
    }
}
