//! Where a file's page is: its kind from its folder, its slug and URL
//! (flat per kind, or a plain page's own path), a plain page's
//! `permalink:`/`url:`, and its aliases as URL paths.

use crate::diagnostics::Span;
use crate::markdown::is_external;
use crate::model::{encode_path, is_valid_slug, slugify, FrontMatter, Kind};
use crate::yaml::KeySpan;
use std::collections::BTreeMap;

/// The kind a file has by its folder (before any `kind:` key).
pub fn folder_kind(rel: &str) -> Kind {
    rel.split('/')
        .next()
        .filter(|first| rel.contains('/') && !first.is_empty())
        .and_then(|first| match first {
            "playbooks" => Some(Kind::Playbook),
            "hypotheses" => Some(Kind::Hypothesis),
            "experiments" => Some(Kind::Experiment),
            _ => None,
        })
        .unwrap_or(Kind::Page)
}

fn stem(rel: &str) -> &str {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    name.strip_suffix(".md").unwrap_or(name)
}

pub(super) fn file_title(rel: &str) -> String {
    let s = stem(rel);
    let s = if s == "index" || s == "_index" {
        rel.rsplit('/').nth(1).unwrap_or("Home")
    } else {
        s
    };
    let words = s.replace(['-', '_'], " ");
    let mut chars = words.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

/// Where a file's page is.
pub(super) struct Address {
    pub slug: String,
    pub url: String,
    pub readme: bool,
    pub aliases: Vec<String>,
}

/// Slug and URL of a file: flat per kind for the structured kinds; for
/// plain pages the file's path as it is (`index.md`, `_index.md` and, when
/// nothing else claims it, `README.md` stand for their folder).
pub(super) fn address(kind: Kind, rel: &str, explicit: Option<&str>) -> Result<Address, String> {
    let invalid = |s: &str| format!("slug `{s}` may only contain a-z, 0-9 and -");
    if kind != Kind::Page {
        let slug = match explicit {
            Some(s) if is_valid_slug(s) => s.to_string(),
            Some(s) => return Err(invalid(s)),
            None => slugify(stem(rel)),
        };
        let url = format!("/{}/{}/", kind.section(), slug);
        return Ok(Address {
            slug,
            url,
            readme: false,
            aliases: Vec::new(),
        });
    }
    let last = stem(rel);
    let mut parts: Vec<&str> = rel.split('/').collect();
    parts.pop();
    let readme = explicit.is_none() && last.eq_ignore_ascii_case("readme");
    match explicit {
        Some(s) if !is_valid_slug(s) => return Err(invalid(s)),
        Some(s) => parts.push(s),
        None if last == "index" || last == "_index" || readme => {}
        None => parts.push(last),
    }
    let slug = parts.join("/");
    Ok(Address {
        url: page_url(&slug),
        slug,
        readme,
        aliases: Vec::new(),
    })
}

/// A plain page's `permalink:` or `url:`: its slug, URL and, for an
/// address written as a file (`/about.html`), that address as an alias.
type OwnAddress = Option<(String, String, Option<String>)>;

pub(super) fn own_address(
    kind: Kind,
    fm: &FrontMatter,
    spans: &BTreeMap<String, KeySpan>,
) -> Result<OwnAddress, (Span, String)> {
    let (key, Some(value)) = (match (&fm.permalink, &fm.url) {
        (Some(p), _) => ("permalink", Some(p)),
        (None, u) => ("url", u.as_ref()),
    }) else {
        return Ok(None);
    };
    if kind != Kind::Page {
        return Ok(None);
    }
    let span = spans.get(key).map_or(Span::new(1, 1, 1), |k| k.value);
    let path = value.trim();
    if path.contains(':') || path.contains('{') || is_external(path) {
        return Err((
            span,
            format!("`{key}: {path}` is a pattern or another site's address, not a path"),
        ));
    }
    let path = path.split(['#', '?']).next().unwrap_or("");
    let trimmed = path.trim_start_matches('/');
    let as_file = trimmed.ends_with(".html") && !trimmed.ends_with("index.html");
    let slug = trimmed
        .trim_end_matches("index.html")
        .trim_end_matches(".html")
        .trim_matches('/')
        .to_string();
    let old = as_file.then(|| format!("/{}", encode_path(trimmed)));
    Ok(Some((slug.clone(), page_url(&slug), old)))
}

/// A plain page's URL from its slug, percent-encoding what a URL cannot hold.
fn page_url(slug: &str) -> String {
    if slug.is_empty() {
        "/".to_string()
    } else {
        format!("/{}/", encode_path(slug))
    }
}

/// An alias as a URL path: `/old/` for `old`, `/old/` or `/old`, and a
/// file's address (`/old.html`) as it is. `None` for another site's.
pub(super) fn alias_url(alias: &str) -> Option<String> {
    let a = alias.trim();
    if a.is_empty() || is_external(a) {
        return None;
    }
    let a = a.split(['#', '?']).next().unwrap_or("").trim_matches('/');
    let last = a.rsplit('/').next().unwrap_or(a);
    Some(if a.is_empty() {
        "/".to_string()
    } else if last.contains('.') {
        format!("/{}", encode_path(a))
    } else {
        format!("/{}/", encode_path(a))
    })
}
