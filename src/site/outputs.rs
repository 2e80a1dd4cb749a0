//! The outputs besides pages: the JSON export, the feed, the sitemap, the
//! theme's static files, and the search records the index is built from.

use crate::model::{Kind, SitePage};
use crate::render::RenderInput;
use crate::resolve::Model;
use rayon::prelude::*;

/// Everything besides the pages and the search index: the JSON export
/// The files a build writes besides pages and the search index, each
/// present when it is to be written: a build writes all of them, `serve`
/// those an edit changed. This is the one list of them.
pub struct DataParts<'a> {
    /// The JSON export's files, already joined.
    pub json: Vec<(String, Vec<u8>)>,
    /// The feed, its entries by experiment.
    pub feed: Option<&'a (dyn Fn(usize) -> String + Sync)>,
    /// The sitemap, of these URLs (`sitemap_urls`).
    pub sitemap: Option<&'a [(String, Option<String>)]>,
    /// The redirect pages of the aliases.
    pub redirects: bool,
    /// The files beside the content, read again.
    pub assets: bool,
    /// The theme's static files.
    pub statics: bool,
}

/// The files `parts` asks for, in a fixed order.
pub fn data_files(input: &RenderInput, parts: DataParts) -> Vec<(String, Vec<u8>)> {
    let mut files = parts.json;
    if let Some(entry) = parts.feed {
        files.push(feed_file(input, entry));
    }
    if let Some(urls) = parts.sitemap {
        files.push(sitemap_file(urls));
    }
    if parts.redirects {
        files.extend(redirect_files(input));
    }
    if parts.assets {
        files.extend(asset_files(input.model));
    }
    if parts.statics {
        for (path, bytes) in &input.theme.statics {
            files.push((path.clone(), bytes.clone()));
        }
    }
    files
}

/// A page at each alias that sends the reader on to the document's URL:
/// a refresh, a canonical link and `noindex`, and a link for the rest.
pub fn redirect_files(input: &RenderInput) -> Vec<(String, Vec<u8>)> {
    input
        .model
        .aliases
        .iter()
        .map(|(alias, doc)| {
            let to = crate::markdown::escape_html(&input.url(*doc));
            let html = format!(
                "<!doctype html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>Moved</title>\n\
                 <meta name=\"robots\" content=\"noindex\">\n<link rel=\"canonical\" href=\"{to}\">\n\
                 <meta http-equiv=\"refresh\" content=\"0; url={to}\">\n</head>\n\
                 <body>\n<p>This page has moved to <a href=\"{to}\">{to}</a>.</p>\n</body>\n</html>\n",
                lang = crate::markdown::escape_html(&input.config.language),
            );
            (crate::render::output_path(alias), html.into_bytes())
        })
        .collect()
}

/// The files beside the content, read from disk, at their place in the
/// output (a file that cannot be read now is left out).
pub fn asset_files(model: &Model) -> Vec<(String, Vec<u8>)> {
    model
        .assets
        .0
        .par_iter()
        .filter_map(|(rel, disk)| Some((rel.clone(), std::fs::read(disk).ok()?)))
        .collect()
}

/// The feed, its entries (by experiment) as `entry_of` gives them.
pub fn feed_file(
    input: &RenderInput,
    entry_of: &(dyn Fn(usize) -> String + Sync),
) -> (String, Vec<u8>) {
    let feed = crate::feeds::atom_feed(input.model, &input.config.title, input.prefix, entry_of);
    ("feed.xml".into(), feed.into_bytes())
}

/// Experiment `e`'s feed entry.
pub fn feed_entry(input: &RenderInput, e: usize) -> String {
    let doc = input.model.experiments[e].doc;
    let summary = input.model.docs[doc].summary(&input.first_paragraphs[doc]);
    crate::feeds::atom_entry(input.model, input.prefix, e, &summary)
}

/// Every page of the site with its last change, sorted by URL: what the
/// sitemap lists (`serve` writes it again only when this changes).
pub fn sitemap_urls(input: &RenderInput) -> Vec<(String, Option<String>)> {
    let mut lists: Vec<String> = SitePage::ALL
        .into_iter()
        .filter(|p| p.in_sitemap() && input.templates.has(p.template()))
        .map(|p| p.url().to_string())
        .collect();
    for t in input.config.taxonomies() {
        lists.push(t.index_url());
        let terms = input.model.taxonomies.get(t);
        lists.extend(terms.keys().map(|slug| t.slug_url(slug)));
    }
    crate::feeds::sitemap_urls(input.model, input.prefix, &lists)
}

pub fn sitemap_file(urls: &[(String, Option<String>)]) -> (String, Vec<u8>) {
    (
        "sitemap.xml".into(),
        crate::feeds::sitemap(urls).into_bytes(),
    )
}

/// The documents the search index holds: all but the home page's intro.
pub(super) fn searchable(model: &Model) -> Vec<usize> {
    (0..model.docs.len())
        .filter(|&i| !model.docs[i].is_home_intro())
        .collect()
}

/// The search records of some documents, with their bodies' Markdown (the
/// index makes plain text of the bodies it indexes).
pub(super) fn search_records(
    model: &Model,
    prefix: &str,
    docs: &[usize],
) -> Vec<crate::search::Record> {
    docs.par_iter()
        .map(|&i| {
            let d = &model.docs[i];
            // Prose only, where excerpts come from; the title, metric names
            // and tags are searched as metadata.
            let mut text = String::new();
            for piece in [d.fm.statement.as_ref(), d.fm.summary.as_ref()]
                .into_iter()
                .flatten()
            {
                text.push_str(piece.trim());
                if !piece.trim_end().ends_with(['.', '!', '?']) {
                    text.push('.');
                }
                text.push('\n');
            }
            let tags: Vec<&str> =
                d.fm.metrics
                    .iter()
                    .map(|m| m.name.as_str())
                    .chain(d.fm.tags.iter().map(String::as_str))
                    .collect();
            let status = match d.kind {
                Kind::Experiment => model.experiment_of(i).map(|e| e.status.name().to_string()),
                Kind::Hypothesis => model.hypothesis_of(i).map(|h| h.status.name().to_string()),
                Kind::Playbook => Some(d.playbook_status.name().to_string()),
                Kind::Page => None,
            };
            crate::search::Record {
                url: d.url.clone(),
                title: d.title.clone(),
                kind: d.kind.name().to_string(),
                status,
                head: text,
                body: crate::bodies::body_with_links(model, prefix, i),
                tags: tags.join(" "),
            }
        })
        .collect()
}
