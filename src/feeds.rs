//! Machine-readable outputs built once from the model: the Atom feed of
//! concluded experiments and the sitemap. No build timestamps: dates come
//! from the content, so output stays reproducible.

use crate::model::Kind;
use crate::resolve::Model;
use std::fmt::Write as _;

pub fn xml_escape(s: &str) -> std::borrow::Cow<'_, str> {
    let special = |c: char| matches!(c, '&' | '<' | '>' | '"' | '\'') || (c as u32) < 0x20;
    if !s.contains(special) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// An Atom id must be an absolute IRI: the page's address when the base URL
/// is absolute, else a stable tag URI.
fn atom_id(absolute: bool, url: &str, kind: &str, slug: &str) -> String {
    if absolute {
        url.to_string()
    } else {
        format!("urn:gemba:{kind}:{slug}")
    }
}

/// Atom feed of concluded experiments, newest first, with outcome and
/// decision: the head, then each entry as `entry_of` gives it (see
/// `atom_entry`; `serve` keeps them from one edit to the next).
pub fn atom_feed(
    model: &Model,
    title: &str,
    prefix: &str,
    entry_of: &(dyn Fn(usize) -> String + Sync),
) -> String {
    use rayon::prelude::*;
    let absolute = is_absolute(prefix);
    let entries: Vec<usize> = model
        .log
        .iter()
        .copied()
        .filter(|&e| model.experiments[e].status.is_concluded())
        .collect();
    let updated = entries
        .first()
        .map_or("1970-01-01".to_string(), |&e| date_of(model, e));
    let texts: Vec<String> = entries.par_iter().map(|&e| entry_of(e)).collect();
    let mut out = String::with_capacity(texts.iter().map(String::len).sum::<usize>() + 1024);
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n  <title>{} — outcomes</title>\n  <id>{}</id>\n  <updated>{updated}T00:00:00Z</updated>\n  <link rel=\"self\" href=\"{prefix}/feed.xml\"/>\n  <link href=\"{prefix}/\"/>\n  <generator>gemba</generator>\n",
        xml_escape(title),
        xml_escape(&atom_id(absolute, &format!("{prefix}/"), "site", "outcomes")),
    );
    for text in &texts {
        out.push_str(text);
    }
    // Atom needs an author for every entry: the feed's, unless each entry has its own.
    if entries.is_empty()
        || entries
            .iter()
            .any(|&e| model.docs[model.experiments[e].doc].fm.owner.is_none())
    {
        let _ = writeln!(out, "  <author><name>{}</name></author>", xml_escape(title));
    }
    out.push_str("</feed>\n");
    out
}

fn is_absolute(prefix: &str) -> bool {
    prefix.starts_with("http://") || prefix.starts_with("https://")
}

/// The date an experiment's entry carries: its end, start or date.
fn date_of(model: &Model, e: usize) -> String {
    let d = &model.docs[model.experiments[e].doc].fm;
    d.ended
        .or(d.started)
        .or(d.date)
        .map_or("1970-01-01".to_string(), |x| x.to_string())
}

/// The feed entry of experiment `e` (an index into `experiments`), from its
/// own document and its body's first paragraph (`summary`) alone.
pub fn atom_entry(model: &Model, prefix: &str, e: usize, summary: &str) -> String {
    let x = &model.experiments[e];
    let d = &model.docs[x.doc];
    let url = format!("{prefix}{}", d.url);
    let decision = d.fm.decision.map(|d| format!("{d:?}").to_lowercase());
    let mut text = format!("Outcome: {}.", x.status.name());
    if let Some(dec) = &decision {
        let _ = write!(text, " Decision: {dec}.");
    }
    if !summary.is_empty() {
        let _ = write!(text, " {summary}");
    }
    let mut out = String::with_capacity(text.len() + 400);
    let _ = write!(
        out,
        "  <entry>\n    <title>{}</title>\n    <id>{}</id>\n    <link href=\"{}\"/>\n    <updated>{}T00:00:00Z</updated>\n",
        xml_escape(&d.title),
        xml_escape(&atom_id(is_absolute(prefix), &url, "experiment", &d.slug)),
        xml_escape(&url),
        date_of(model, e),
    );
    if let Some(owner) = &d.fm.owner {
        let _ = writeln!(
            out,
            "    <author><name>{}</name></author>",
            xml_escape(owner)
        );
    }
    let _ = writeln!(out, "    <category term=\"{}\"/>", x.status.name());
    if let Some(dec) = &decision {
        let _ = writeln!(out, "    <category term=\"decision:{dec}\"/>");
    }
    let _ = write!(
        out,
        "    <summary>{}</summary>\n  </entry>\n",
        xml_escape(&text)
    );
    out
}

/// Every page of the site with its last change, sorted by URL: what the
/// sitemap lists.
pub fn sitemap_urls(
    model: &Model,
    prefix: &str,
    extra_urls: &[String],
) -> Vec<(String, Option<String>)> {
    let mut urls: Vec<(String, Option<String>)> = model
        .docs
        .iter()
        .filter(|d| !d.is_home_intro() || d.kind != Kind::Page)
        .map(|d| {
            (
                format!("{prefix}{}", d.url),
                d.fm.updated.or(d.fm.date).map(|x| x.to_string()),
            )
        })
        .collect();
    urls.extend(extra_urls.iter().map(|u| (format!("{prefix}{u}"), None)));
    urls.sort();
    urls.dedup_by(|a, b| a.0 == b.0);
    urls
}

/// The sitemap of `sitemap_urls`.
pub fn sitemap(urls: &[(String, Option<String>)]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for (url, lastmod) in urls {
        let _ = write!(out, "  <url><loc>{}</loc>", xml_escape(url));
        if let Some(l) = lastmod {
            let _ = write!(out, "<lastmod>{l}</lastmod>");
        }
        out.push_str("</url>\n");
    }
    out.push_str("</urlset>\n");
    out
}
