//! Addresses and Markdown links: every URL the site has (pages, aliases,
//! list pages, files beside the content), checked for clashes; and every
//! relative or root-relative link and image in a body resolved the way
//! GitHub does (to a source file, a folder, a file beside it), with its
//! `#anchor` checked against the target's headings. A link that leads
//! nowhere is a warning at its line, with the closest target as help.

use super::references::left_out_reason;
use super::Selection;
use crate::diagnostics::{closest, Diagnostic, Span};
use crate::load::{percent_decode, Assets};
use crate::markdown::{LinkTo, MdLink};
use crate::model::{encode_path, Kind, SitePage, Taxonomy};
use crate::parse::Document;
use std::collections::HashMap;
use std::sync::Arc;

/// Every page a link may point at besides documents' own and taxonomy
/// pages.
fn made_pages() -> impl Iterator<Item = &'static str> {
    SitePage::ALL
        .into_iter()
        .filter(|p| p.is_link_target())
        .map(SitePage::url)
}

/// A URL path as addresses are compared: decoded, without `index.html`
/// and without a trailing `/`.
fn normal(url: &str) -> String {
    let decoded = percent_decode(url).unwrap_or_else(|| url.to_string());
    // `/x/index.html`, `/x/index` and `/x.html` are all `/x/`, as GitHub
    // Pages serves them.
    let trimmed = decoded
        .strip_suffix("index.html")
        .or_else(|| decoded.strip_suffix("/index"))
        .or_else(|| decoded.strip_suffix(".html"))
        .unwrap_or(&decoded)
        .trim_end_matches('/');
    if trimmed.is_empty() {
        "/".to_string()
    } else {
        trimmed.to_string()
    }
}

/// A `README.md` gives its folder's address to an `index.md` (or another
/// page given that address): it keeps its own path then.
pub(super) fn yield_readme_addresses(all: &mut [Arc<Document>]) {
    let claimed: std::collections::HashSet<String> = all
        .iter()
        .filter(|d| d.kind == Kind::Page && !d.readme)
        .map(|d| d.slug.clone())
        .collect();
    for d in all.iter_mut() {
        if d.readme && claimed.contains(&d.slug) {
            let doc = Arc::make_mut(d);
            let stem = doc
                .source
                .rel
                .rsplit('/')
                .next()
                .unwrap_or("README.md")
                .trim_end_matches(".md")
                .to_string();
            doc.slug = if doc.slug.is_empty() {
                stem
            } else {
                format!("{}/{stem}", doc.slug)
            };
            doc.url = format!("/{}/", encode_path(&doc.slug));
            doc.readme = false;
        }
    }
}

/// Every address of the kept documents: their URLs and aliases, checked
/// against each other and against the list pages. Two claims on one
/// address are an error naming both. Returns the aliases (URL, document).
pub(super) fn check_addresses(
    docs: &[Arc<Document>],
    diags: &mut Vec<Diagnostic>,
) -> Vec<(String, usize)> {
    // Who holds each address: a page gemba makes (`None`), or a document
    // and whether as an alias.
    let mut owner: HashMap<String, (Option<usize>, bool)> = HashMap::new();
    for url in made_pages() {
        owner.insert(normal(url), (None, false));
    }
    let mut aliases = Vec::new();
    let mut claim = |url: &str, i: usize, alias: bool, diags: &mut Vec<Diagnostic>| -> bool {
        let d = &docs[i];
        if d.is_home_intro() {
            return true;
        }
        match owner.get(&normal(url)) {
            None => {
                owner.insert(normal(url), (Some(i), alias));
                true
            }
            // The same document twice (an alias equal to its URL).
            Some(&(o, _)) if o == Some(i) => false,
            Some(&(o, other_alias)) => {
                let key = if alias {
                    ["aliases", "redirect_from"]
                        .into_iter()
                        .find(|k| d.key_spans.contains_key(*k))
                } else {
                    ["permalink", "url", "slug"]
                        .into_iter()
                        .find(|k| d.key_spans.contains_key(*k))
                };
                let span = key.map_or(Span::new(1, 1, 1), |k| d.value_span(k));
                let what = if alias { "alias" } else { "address" };
                let by = match o {
                    None => "a page gemba makes".to_string(),
                    Some(o) => format!(
                        "{}{}",
                        docs[o].source.path.display(),
                        if other_alias { " (as an alias)" } else { "" }
                    ),
                };
                // An old address two pages claim, or one a page has, only
                // redirects nowhere new: a warning, and the page (else the
                // first in path order) keeps it, as Jekyll builds it. Two
                // pages at one address stay an error.
                diags.push(if alias {
                    d.diag_warning(
                        span,
                        format!("{what} `{url}` is also claimed by {by}, which keeps it"),
                    )
                    .with_help("remove it here, or give one of the two another address")
                } else {
                    d.diag_error(span, format!("{what} `{url}` is also claimed by {by}"))
                        .with_help("give one of the two another address")
                });
                false
            }
        }
    };
    for (i, d) in docs.iter().enumerate() {
        claim(&d.url, i, false, diags);
    }
    // Aliases in path order, so that the first file keeps a shared one.
    let mut by_path: Vec<usize> = (0..docs.len()).collect();
    by_path.sort_by(|&a, &b| docs[a].source.path.cmp(&docs[b].source.path));
    for i in by_path {
        for alias in &docs[i].aliases {
            if claim(alias, i, true, diags) {
                aliases.push((alias.clone(), i));
            }
        }
    }
    // A plain page's `.html` address, where a default GitHub Pages build
    // published it, leads to the page (unless a file or alias is there).
    for (i, d) in docs.iter().enumerate() {
        if d.kind != Kind::Page || d.is_home_intro() || !d.url.ends_with('/') {
            continue;
        }
        let html = format!("{}.html", d.url.trim_end_matches('/'));
        if !aliases
            .iter()
            .any(|(a, _)| normal(a) == normal(&html) && a.ends_with(".html"))
        {
            aliases.push((html, i));
        }
    }
    aliases.sort();
    aliases
}

/// What links are resolved against: every document in the source (kept or
/// not) by its file, every address, every file beside the content.
pub(super) struct Targets<'a> {
    all: &'a [Arc<Document>],
    by_source: HashMap<&'a str, usize>,
    by_url: HashMap<String, usize>,
    assets: &'a Assets,
    /// In a public build, the files beside the content that sit among
    /// pages it leaves out: they are not published, whoever links to them.
    withheld: std::collections::HashSet<&'a str>,
    /// The taxonomy pages (`/tags`, `/tags/pricing`, …), as compared.
    terms: std::collections::HashSet<String>,
    /// Image sizes read so far, by path under `content/` (many pages show
    /// the same image).
    sizes: std::sync::Mutex<HashMap<String, Option<(u32, u32)>>>,
}

impl<'a> Targets<'a> {
    /// An image's size, read once per file (not under the lock: documents
    /// are resolved in parallel).
    fn image_size(&self, rel: &str, disk: &std::path::Path) -> Option<(u32, u32)> {
        let sizes = || self.sizes.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(&size) = sizes().get(rel) {
            return size;
        }
        let size = imagesize::size(disk)
            .ok()
            .and_then(|s| Some((u32::try_from(s.width).ok()?, u32::try_from(s.height).ok()?)));
        sizes().insert(rel.to_string(), size);
        size
    }

    pub(super) fn new(
        all: &'a [Arc<Document>],
        assets: &'a Assets,
        withheld: std::collections::HashSet<&'a str>,
    ) -> Self {
        let mut by_url = HashMap::new();
        for (i, d) in all.iter().enumerate() {
            by_url.entry(normal(&d.url)).or_insert(i);
            for a in &d.aliases {
                by_url.entry(normal(a)).or_insert(i);
            }
        }
        Targets {
            all,
            by_source: all
                .iter()
                .enumerate()
                .map(|(i, d)| (d.source.rel.as_str(), i))
                .collect(),
            by_url,
            assets,
            withheld,
            terms: taxonomy_pages(all),
            sizes: Default::default(),
        }
    }

    /// The document of a source file, or of a folder (its `index.md`,
    /// `_index.md` or `README.md`).
    fn source(&self, rel: &str) -> Option<usize> {
        if let Some(&i) = self.by_source.get(rel) {
            return Some(i);
        }
        if let Some(stem) = rel.strip_suffix(".html") {
            if let Some(&i) = self.by_source.get(format!("{stem}.md").as_str()) {
                return Some(i);
            }
        }
        // A folder: a path without an extension, or ending in `/`.
        let last = rel.trim_end_matches('/').rsplit('/').next().unwrap_or("");
        if last.contains('.') && !rel.ends_with('/') {
            return None;
        }
        let folder = rel.trim_end_matches('/');
        ["index.md", "_index.md", "README.md", "readme.md"]
            .iter()
            .find_map(|f| {
                let path = if folder.is_empty() {
                    f.to_string()
                } else {
                    format!("{folder}/{f}")
                };
                self.by_source.get(path.as_str()).copied()
            })
    }

    fn is_site_address(&self, path: &str) -> bool {
        let n = normal(path);
        self.by_url.contains_key(&n)
            || made_pages().any(|l| normal(l) == n)
            || self.terms.contains(&n)
    }
}

/// The files beside the content that sit among left-out pages: the
/// nearest folder above the file that holds pages holds only pages this
/// build leaves out (`kept` false). A public build does not publish them.
pub(super) fn withheld_files<'a>(
    all: &[Arc<Document>],
    kept: &[bool],
    assets: &'a Assets,
) -> std::collections::HashSet<&'a str> {
    // Per folder that holds pages: whether any is kept.
    let mut folders: HashMap<&str, bool> = HashMap::new();
    for (d, &k) in all.iter().zip(kept) {
        *folders.entry(folder_of(&d.source.rel)).or_default() |= k;
    }
    assets
        .0
        .keys()
        .filter(|rel| {
            let mut folder = folder_of(rel);
            loop {
                if let Some(&any_kept) = folders.get(folder) {
                    return !any_kept;
                }
                if folder.is_empty() {
                    return false;
                }
                folder = folder_of(folder);
            }
        })
        .map(String::as_str)
        .collect()
}

fn withheld_message(dest: &str, rel: &str, consequence: &str) -> String {
    format!(
        "`{dest}` uses `{rel}`, which sits beside pages this build leaves out, so it is not published; {consequence}"
    )
}

/// The taxonomy pages the documents' tags, owners and teams make.
fn taxonomy_pages(all: &[Arc<Document>]) -> std::collections::HashSet<String> {
    let mut pages: std::collections::HashSet<String> =
        Taxonomy::ALL.map(|t| normal(&t.index_url())).into();
    // Each spelling once: a term is written the same way in many files.
    let mut seen: std::collections::HashSet<(Taxonomy, &str)> = Default::default();
    for d in all {
        for taxonomy in Taxonomy::ALL {
            for term in taxonomy.terms_of(&d.fm) {
                if seen.insert((taxonomy, term.as_str())) {
                    pages.insert(normal(&taxonomy.term_url(term)));
                }
            }
        }
    }
    pages
}

/// `path` taken from folder `base` (both relative to `content/`), `..`
/// and `.` resolved; `None` when it climbs out of `content/`.
fn join(base: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    let mut joined = parts.join("/");
    if path.ends_with('/') && !joined.is_empty() {
        joined.push('/');
    }
    Some(joined)
}

fn folder_of(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(f, _)| f)
}

/// Where a body's links lead: the kept documents (by their index in the
/// model) and the files beside the content (by path under `content/`).
#[derive(Default)]
pub(super) struct Linked {
    pub docs: Vec<usize>,
    pub files: Vec<String>,
}

/// Resolve the links of document `d`: what each destination becomes, and
/// a warning for each that leads nowhere. `linked` receives what they
/// lead to.
pub(super) fn resolve_links(
    d: &Document,
    targets: &Targets,
    kept: &dyn Fn(usize) -> Option<usize>,
    selection: &Selection,
    diags: &mut Vec<Diagnostic>,
    linked: &mut Linked,
) -> Vec<(String, LinkTo)> {
    let mut out: Vec<(String, LinkTo)> = Vec::new();
    // Raw HTML's `href` and `src` resolve as GitHub resolves them too.
    for link in d.outline.links.iter().chain(&d.outline.html_links) {
        if out.iter().any(|(dest, _)| *dest == link.dest) {
            continue;
        }
        let to = resolve_link(d, link, targets, kept, selection, diags, linked);
        out.push((link.dest.clone(), to));
    }
    out.retain(|(_, to)| *to != LinkTo::AsWritten);
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn resolve_link(
    d: &Document,
    link: &MdLink,
    targets: &Targets,
    kept: &dyn Fn(usize) -> Option<usize>,
    selection: &Selection,
    diags: &mut Vec<Diagnostic>,
    linked: &mut Linked,
) -> LinkTo {
    let (path, fragment) = match link.dest.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (link.dest.as_str(), None),
    };
    let path = path.split('?').next().unwrap_or("");
    let decoded = percent_decode(path).unwrap_or_else(|| path.to_string());
    let what = if link.image { "image" } else { "link" };
    let warn = |diags: &mut Vec<Diagnostic>, message: String, help: Option<String>| {
        let mut diag = d.diag_warning(link.span, message);
        if let Some(h) = help {
            diag = diag.with_help(h);
        }
        diags.push(diag);
    };

    // An anchor on this page.
    if decoded.is_empty() {
        if let Some(f) = fragment {
            check_anchor(d, f, d, link, diags);
        }
        return LinkTo::AsWritten;
    }

    // Where it points under `content/`: from the root, or from the file's
    // folder.
    let file = match decoded.strip_prefix('/') {
        Some(rooted) => Some(rooted.to_string()),
        None => join(folder_of(&d.source.rel), &decoded),
    };

    // A document, found by its address or by its source file.
    let by_address = decoded
        .starts_with('/')
        .then(|| targets.by_url.get(&normal(&decoded)).copied())
        .flatten();
    let doc = by_address.or_else(|| file.as_deref().and_then(|f| targets.source(f)));
    if let Some(t) = doc {
        let target = &targets.all[t];
        let Some(new) = kept(t) else {
            let consequence = format!("the {what} becomes plain text");
            warn(
                diags,
                left_out_reason(target, selection, &consequence),
                None,
            );
            return LinkTo::Text;
        };
        linked.docs.push(new);
        let mut url = target.url.clone();
        if let Some(f) = fragment {
            check_anchor(d, f, target, link, diags);
            url.push('#');
            url.push_str(f);
        }
        return LinkTo::Url { url, size: None };
    }

    // A file beside the content.
    if let Some((rel, disk)) = file
        .as_deref()
        .and_then(|f| targets.assets.get(f).map(|disk| (f, disk)))
    {
        if targets.withheld.contains(rel) {
            let consequence = if link.image {
                "the image shows its text".to_string()
            } else {
                format!("the {what} becomes plain text")
            };
            warn(diags, withheld_message(&link.dest, rel, &consequence), None);
            return LinkTo::Text;
        }
        linked.files.push(rel.to_string());
        let size = if link.image {
            targets.image_size(rel, disk)
        } else {
            None
        };
        let mut url = format!("/{}", encode_path(rel));
        if let Some(f) = fragment {
            url.push('#');
            url.push_str(f);
        }
        return LinkTo::Url { url, size };
    }

    // Written as an address of the site (root-relative, or relative to
    // the page's own URL, as Hugo reads it).
    let as_address = match decoded.strip_prefix('/') {
        Some(_) => Some(decoded.clone()),
        None => join(d.url.trim_matches('/'), &decoded).map(|p| format!("/{p}")),
    };
    if as_address
        .as_deref()
        .is_some_and(|a| targets.is_site_address(a))
    {
        return LinkTo::AsWritten;
    }
    // Root-relative paths to files (`/static/x.pdf`, `/feed.xml`) may be
    // copied from `static/` or made by gemba; they are not checked.
    let last = decoded.rsplit('/').next().unwrap_or("");
    if decoded.starts_with('/') && last.contains('.') && !last.ends_with(".md") && !link.image {
        return LinkTo::AsWritten;
    }

    let (message, help) = leads_nowhere(link, targets, &decoded, file);
    warn(diags, message, help);
    LinkTo::AsWritten
}

/// Why a link or image leads nowhere, and the closest target as help.
fn leads_nowhere(
    link: &MdLink,
    targets: &Targets,
    decoded: &str,
    file: Option<String>,
) -> (String, Option<String>) {
    let shown = file.unwrap_or_else(|| decoded.to_string());
    let (message, candidates): (String, Vec<&str>) = if link.image {
        (
            format!(
                "image `{}` is not in content/ (looked for `{shown}`)",
                link.dest
            ),
            targets.assets.0.keys().map(String::as_str).collect(),
        )
    } else if decoded.starts_with('/') {
        (
            format!(
                "link to `{}` leads nowhere: no page has that address",
                link.dest
            ),
            targets.all.iter().map(|o| o.url.as_str()).collect(),
        )
    } else {
        (
            format!(
                "link to `{}` leads nowhere: there is no `{shown}`",
                link.dest
            ),
            targets
                .all
                .iter()
                .map(|o| o.source.rel.as_str())
                .chain(targets.assets.0.keys().map(String::as_str))
                .collect(),
        )
    };
    let help = closest(&shown, candidates).map(|c| format!("did you mean `{c}`?"));
    (message, help)
}

/// Warn when plain page `target` has no heading with id `anchor` (the
/// structured kinds' pages have sections of their own besides their
/// bodies' headings: anchors into them are taken on trust).
fn check_anchor(
    d: &Document,
    anchor: &str,
    target: &Document,
    link: &MdLink,
    diags: &mut Vec<Diagnostic>,
) {
    let anchor = percent_decode(anchor).unwrap_or_else(|| anchor.to_string());
    let ids = &target.outline.anchors;
    if anchor.is_empty() || ids.contains(&anchor) || target.kind != Kind::Page {
        return;
    }
    let whose = if std::ptr::eq(d, target) {
        "this page".to_string()
    } else {
        format!("`{}`", target.source.rel)
    };
    let mut diag = d.diag_warning(
        link.span,
        format!("link to `#{anchor}`: {whose} has no heading with that id"),
    );
    if let Some(c) = closest(&anchor, ids.iter().map(String::as_str)) {
        diag = diag.with_help(format!("did you mean `#{c}`?"));
    }
    diags.push(diag);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_relative_paths() {
        assert_eq!(
            join("guides", "setup.md").as_deref(),
            Some("guides/setup.md")
        );
        assert_eq!(join("guides/a", "../b.md").as_deref(), Some("guides/b.md"));
        assert_eq!(join("", "./x/").as_deref(), Some("x/"));
        assert_eq!(join("guides", "../../x.md"), None);
    }

    #[test]
    fn addresses_compare_decoded_and_without_index() {
        assert_eq!(normal("/a%20b/"), "/a b");
        assert_eq!(normal("/a/index.html"), "/a");
        assert_eq!(normal("/"), "/");
        assert_eq!(normal("/index.html"), "/");
        assert_eq!(normal("/a/b.html"), "/a/b");
        assert_eq!(normal("/a/index"), "/a");
    }
}
