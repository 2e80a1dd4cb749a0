//! `gemba.yaml`: the site's configuration. Every key is optional.

use crate::diagnostics::{closest, Diagnostic, Span};
use crate::model::{Taxonomy, Visibility};
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct Config {
    pub title: String,
    pub description: String,
    /// `/` means root-relative URLs.
    pub base_url: String,
    pub theme: String,
    pub language: String,
    pub default_visibility: Visibility,
    pub taxonomies: Vec<String>,
    /// Web address of the repository; turns commit ids into links.
    pub repo_url: Option<String>,
    /// Entries per page on long list pages.
    pub paginate: usize,
    /// Build the search index (`/search/`).
    pub search: bool,
    /// About how many pages one search-index bundle holds. Each bundle is
    /// indexed on its own, which bounds the memory a build needs, and reused
    /// by the next build while its pages stay the same; the search page
    /// merges them.
    pub search_shard_pages: usize,
    /// How evidence from counts is weighed.
    pub stats: crate::stats::WrittenSettings,
    /// A logo, an accent colour and a favicon for the default theme.
    pub brand: crate::brand::Brand,
    /// Git identities (an email or a name) → the names pages show.
    pub authors: std::collections::BTreeMap<String, String>,
    pub extra: serde_json::Value,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: "Playbooks".into(),
            description: String::new(),
            base_url: "/".into(),
            theme: "default".into(),
            language: "en".into(),
            default_visibility: Visibility::Internal,
            taxonomies: Taxonomy::ALL.map(|t| t.name().to_string()).to_vec(),
            repo_url: None,
            paginate: 200,
            search: true,
            search_shard_pages: crate::search::SHARD_PAGES,
            stats: crate::stats::WrittenSettings::default(),
            brand: crate::brand::Brand::default(),
            authors: Default::default(),
            extra: serde_json::Value::Object(Default::default()),
        }
    }
}

const KNOWN: [&str; 15] = [
    "authors",
    "title",
    "description",
    "base_url",
    "theme",
    "language",
    "default_visibility",
    "taxonomies",
    "repo_url",
    "paginate",
    "search",
    "search_shard_pages",
    "stats",
    "brand",
    "extra",
];

impl Config {
    /// Read `gemba.yaml` from the site root; a missing file means defaults.
    pub fn load(root: &Path) -> (Config, Vec<Diagnostic>) {
        let path = root.join("gemba.yaml");
        let shown = Path::new("gemba.yaml");
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return (Config::default(), vec![])
            }
            Err(e) => {
                return (
                    Config::default(),
                    vec![Diagnostic::error(shown, None, format!("cannot read: {e}"))],
                );
            }
        };
        Config::parse(&text, shown)
    }

    pub fn parse(text: &str, shown: &Path) -> (Config, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        if text.trim().is_empty() {
            return (Config::default(), diags);
        }
        let config = match serde_yaml::from_str::<Config>(text) {
            Ok(c) => c,
            Err(e) => {
                let span = e
                    .location()
                    .map(|l| Span::new(l.line(), l.column().max(1), 1));
                let msg = crate::yaml::yaml_message(&e);
                diags.push(Diagnostic::error(shown, span, msg).with_source(text));
                return (Config::default(), diags);
            }
        };
        let spans = crate::yaml::scan_top_level_keys(text, 1);
        for (key, span) in &spans {
            if !KNOWN.contains(&key.as_str()) {
                let mut d = Diagnostic::warning(
                    shown,
                    Some(span.key),
                    format!("`{key}` is not a known setting"),
                );
                if let Some(c) = closest(key, KNOWN) {
                    d = d.with_help(format!("did you mean `{c}`?"));
                }
                diags.push(d.with_source(text));
            }
        }
        for (key, value) in [
            ("paginate", config.paginate),
            ("search_shard_pages", config.search_shard_pages),
        ] {
            if value == 0 {
                let span = spans.get(key).map(|s| s.value);
                diags.push(
                    Diagnostic::error(shown, span, format!("`{key}` must be at least 1"))
                        .with_source(text),
                );
            }
        }
        for problem in config.brand.problems() {
            let span = spans
                .get("brand")
                .map(|s| nested_value(text, s.key.line, "accent").unwrap_or(s.value));
            diags.push(Diagnostic::warning(shown, span, problem).with_source(text));
        }
        for (name, value, lo, hi) in config.stats.out_of_range() {
            let span = spans
                .get("stats")
                .map(|s| nested_value(text, s.key.line, name).unwrap_or(s.value));
            diags.push(
                Diagnostic::error(
                    shown,
                    span,
                    format!("`stats.{name}` {value} is outside ({lo}, {hi})"),
                )
                .with_source(text),
            );
        }
        for t in &config.taxonomies {
            if Taxonomy::parse(t).is_none() {
                let span = spans.get("taxonomies").map(|s| s.value);
                diags.push(
                    Diagnostic::error(shown, span, format!("unknown taxonomy `{t}`"))
                        .with_help("taxonomies are `tags`, `owners` and `teams`")
                        .with_source(text),
                );
            }
        }
        (config, diags)
    }

    /// The prefix put before root-relative URLs: `` for `/`, else the base URL without its trailing slash.
    pub fn url_prefix(&self) -> String {
        self.base_url.trim_end_matches('/').to_string()
    }

    /// The name to show for a git author: `authors:` by email, then by
    /// name, else the name as git has it.
    pub fn author_name<'a>(&'a self, name: &'a str, email: &str) -> &'a str {
        self.authors
            .get(email)
            .or_else(|| self.authors.get(name))
            .map_or(name, String::as_str)
    }

    pub fn has_taxonomy(&self, taxonomy: Taxonomy) -> bool {
        self.taxonomies.iter().any(|t| t == taxonomy.name())
    }

    /// The taxonomies this site has, in the order `gemba.yaml` gives.
    pub fn taxonomies(&self) -> impl Iterator<Item = Taxonomy> + '_ {
        self.taxonomies.iter().filter_map(|t| Taxonomy::parse(t))
    }
}

/// Where `key:`'s value stands inside the mapping that starts on file line
/// `line` (flow `{key: 1}` or block style): the first `key:` from that line
/// on, up to the next top-level key.
fn nested_value(text: &str, line: usize, key: &str) -> Option<Span> {
    let needle = format!("{key}:");
    for (n, l) in text.lines().enumerate().skip(line - 1) {
        if n + 1 > line && !l.starts_with([' ', '\t']) && !l.trim().is_empty() {
            return None;
        }
        if let Some(at) = l.find(&needle) {
            let rest = &l[at + needle.len()..];
            let value = rest.trim_start();
            let start = at + needle.len() + (rest.len() - value.len());
            let len = value.find([',', '}', '#']).unwrap_or(value.len()).max(1);
            let col = l[..start].chars().count() + 1;
            return Some(Span::new(
                n + 1,
                col,
                value[..len.min(value.len())]
                    .trim_end()
                    .chars()
                    .count()
                    .max(1),
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_of_zero_are_errors_at_their_value() {
        let text = "title: T\npaginate: 0\nsearch_shard_pages: 0\n";
        let (_, diags) = Config::parse(text, Path::new("gemba.yaml"));
        let found: Vec<(String, usize, usize)> = diags
            .iter()
            .map(|d| {
                let span = d.span.unwrap();
                (d.message.clone(), span.line, span.col)
            })
            .collect();
        assert_eq!(
            found,
            vec![
                ("`paginate` must be at least 1".to_string(), 2, 11),
                ("`search_shard_pages` must be at least 1".to_string(), 3, 21),
            ]
        );
        assert!(diags.iter().all(Diagnostic::is_error));
    }
}
