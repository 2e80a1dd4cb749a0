//! The bodies of a resolved model's documents as Markdown with their wiki
//! links substituted (resolved links, or plain text where a link goes
//! nowhere this build shows), and what lists and pages take from them.

use crate::markdown::{substitute_wiki_links, summarize, LinkTo, Rendered};
use crate::resolve::Model;
use rayon::prelude::*;

/// The body of document `i` with its wiki links as Markdown links (or
/// plain text where they go nowhere this build shows).
pub fn body_with_links(model: &Model, prefix: &str, i: usize) -> String {
    let d = &model.docs[i];
    let targets = &model.links[i];
    let mut n = 0;
    substitute_wiki_links(d.body(), &d.wiki_links, |_| {
        let t = targets
            .get(n)
            .cloned()
            .flatten()
            .map(|(url, title)| (format!("{prefix}{url}"), title));
        n += 1;
        t
    })
}

/// Where a destination written in a body leads, as resolve found it
/// (`links`: a document's `md_links`, sorted by destination), its URL under
/// `prefix`.
pub fn link_to(links: &[(String, LinkTo)], prefix: &str, dest: &str) -> LinkTo {
    match links.binary_search_by(|(d, _)| d.as_str().cmp(dest)) {
        Ok(n) => match &links[n].1 {
            LinkTo::Url { url, size } => LinkTo::Url {
                url: format!("{prefix}{url}"),
                size: *size,
            },
            other => other.clone(),
        },
        Err(_) => LinkTo::AsWritten,
    }
}

/// Render document `i`'s body, its wiki links resolved and its Markdown
/// and raw-HTML links leading where resolve found them.
pub fn render_body(model: &Model, prefix: &str, i: usize) -> Rendered {
    let links = &model.md_links[i];
    crate::markdown::render_with(&body_with_links(model, prefix, i), &|dest| {
        link_to(links, prefix, dest)
    })
}

/// The summary of document `i`'s body (see `summarize`).
pub fn summarize_body(model: &Model, prefix: &str, i: usize) -> String {
    summarize(&body_with_links(model, prefix, i))
}

/// The summaries of every body, in parallel.
pub fn summarize_bodies(model: &Model, prefix: &str) -> Vec<String> {
    (0..model.docs.len())
        .into_par_iter()
        .map(|i| summarize_body(model, prefix, i))
        .collect()
}

/// A plain page's body without a first `# heading` that repeats its title:
/// the page's template shows the title already (files written for GitHub
/// open with one).
pub fn without_title_heading<'a>(body: &'a str, title: &str) -> &'a str {
    let start = body.len() - body.trim_start().len();
    let rest = &body[start..];
    let line_end = rest.find('\n').map_or(rest.len(), |i| i + 1);
    let heading = rest[..line_end]
        .trim_end()
        .strip_prefix("# ")
        .map(|h| h.trim().trim_end_matches('#').trim());
    if heading == Some(title.trim()) {
        &rest[line_end..]
    } else {
        body
    }
}
