//! Stage 4, render: the resolved model through Tera templates into pages.
//! Views (the `page` objects, list cards) are built once per item; pages are
//! rendered in parallel and handed to a `Sink` as soon as they are ready.

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::export::ExportContext;
use crate::git::History;
use crate::keys::hash_of;
use crate::resolve::Model;
use crate::reuse::PageReuse;
use crate::theme::Theme;
use crate::write::Sink;
use rayon::prelude::*;
use serde_json::{json, Value};

mod cards;
mod changes;
mod evidence;
use pages::DocPage;
mod lists;
mod pages;
mod templates;
mod view;

pub use cards::{Card, Cards};
pub use evidence::{metric_text, result_line};
pub use lists::{list_pages, lists_show_body_of, ListPage};
pub use templates::Templates;

/// What rendering needs besides the model.
pub struct RenderInput<'a> {
    pub model: &'a Model,
    /// Each body's first paragraph (bodies are rendered by their pages).
    pub first_paragraphs: &'a [String],
    pub config: &'a Config,
    pub prefix: &'a str,
    pub histories: &'a [Option<History>],
    /// The latest commits and what they changed (empty outside git).
    pub changelog: &'a [crate::changelog::CommitChanges],
    /// Script injected into every page by `serve`; empty in `build`.
    pub live_reload: &'a str,
    pub theme: &'a Theme,
    pub templates: &'a Templates,
}

impl RenderInput<'_> {
    pub fn export(&self) -> ExportContext<'_> {
        ExportContext {
            model: self.model,
            prefix: self.prefix,
            histories: self.histories,
            reads: None,
        }
    }

    pub(super) fn url(&self, doc: usize) -> String {
        format!("{}{}", self.prefix, self.model.docs[doc].url)
    }

    pub(super) fn link(&self, path: &str) -> String {
        format!("{}{}", self.prefix, path)
    }

    pub(super) fn summary(&self, doc: usize) -> String {
        self.model.docs[doc].summary(&self.first_paragraphs[doc])
    }
}

/// The context every page shares. `key` changes whenever any of it does.
pub struct Global {
    ctx: tera::Context,
    pub key: u64,
}

impl Global {
    pub fn new(input: &RenderInput) -> Global {
        let m = input.model;
        let taxonomies: Vec<Value> = input
            .config
            .taxonomies()
            .map(|t| json!({"name": t.name(), "url": input.link(&t.index_url())}))
            .collect();
        let site = json!({
            "title": input.config.title,
            "description": input.config.description,
            "base_url": input.config.base_url,
            "language": input.config.language,
            "prefix": input.prefix,
            "taxonomies": taxonomies,
            "search": input.config.search,
            "repo_url": input.config.repo_url,
            "brand": {
                "logo": input.config.brand.logo.as_deref().map(|l| input.link(&format!("/{}", l.trim_start_matches('/')))),
                "favicon": input.config.brand.favicon.as_deref().map(|l| input.link(&format!("/{}", l.trim_start_matches('/')))),
                "accent": input.config.brand.accent(),
            },
            "extra": input.config.extra,
            "audience": match m.selection.audience { Some(crate::model::Visibility::Public) => "public", _ => "all" },
            "counts": {
                "playbooks": m.playbooks.len(),
                "hypotheses": m.hypotheses.len(),
                "experiments": m.experiments.len(),
            },
        });
        let key = hash_of(&(site.to_string(), input.prefix, input.live_reload));
        let mut ctx = tera::Context::new();
        ctx.insert("site", &site);
        ctx.insert("prefix", input.prefix);
        ctx.insert("live_reload", input.live_reload);
        // Under `serve`, empty states carry hints for the author.
        ctx.insert("serving", &!input.live_reload.is_empty());
        Global { ctx, key }
    }
}

fn render_page(
    input: &RenderInput,
    global: &Global,
    path: &str,
    template: &str,
    ctx: tera::Context,
) -> Result<String, Diagnostic> {
    let mut full = global.ctx.clone();
    full.extend(ctx);
    full.insert(
        "current_path",
        &format!("/{}", path.trim_end_matches("index.html")),
    );
    input.templates.render(template, &full, input.theme)
}

/// Render every page of the site into `sink`. Errors are pushed to `diags`.
/// With `reuse`, a document page whose key is the one its earlier output
/// recorded is taken over from it instead of rendered.
pub fn render_site(
    input: &RenderInput,
    sink: &dyn Sink,
    reuse: Option<&PageReuse>,
    diags: &mut Vec<Diagnostic>,
) {
    let global = Global::new(input);
    let cards = Cards::all(input, &global);
    let lists = list_pages(input);
    let errors = std::sync::Mutex::new(Vec::new());
    let docs: Vec<usize> = (0..input.model.docs.len()).collect();
    let lists: Vec<&ListPage> = lists.iter().collect();
    render_pages(
        input,
        &cards,
        &global,
        &docs,
        &lists,
        reuse,
        &|path, html| {
            let failure = match html {
                Ok(html) => sink
                    .put(&path, html.into_bytes())
                    .err()
                    .map(|e| Diagnostic::error(path, None, format!("cannot write: {e}"))),
                Err(d) => Some(d),
            };
            errors.lock().expect("lock").extend(failure);
        },
    );
    diags.extend(errors.into_inner().expect("lock"));
}

/// Render the pages of `docs` and the given list pages, in parallel,
/// handing each page's output path and HTML (or its error) to `put`; with
/// `reuse`, document pages whose key is unchanged are taken over instead.
/// Returns, for each document that has a page, the documents its view read
/// (itself included): what `serve` renders the page again for.
#[allow(clippy::too_many_arguments)]
pub fn render_pages(
    input: &RenderInput,
    cards: &Cards,
    global: &Global,
    docs: &[usize],
    lists: &[&ListPage],
    reuse: Option<&PageReuse>,
    put: &(dyn Fn(String, Result<String, Diagnostic>) + Sync),
) -> Vec<(usize, Vec<usize>)> {
    let deps = docs
        .par_iter()
        .filter_map(|&doc| {
            let mut page = DocPage::new(input, cards, doc)?;
            let deps = std::mem::take(&mut page.deps);
            if !reuse.is_some_and(|r| r.take_over(&page.path, page.key(input, cards, global))) {
                put(page.path.clone(), page.render(input, global));
            }
            Some((doc, deps))
        })
        .collect();
    lists
        .par_iter()
        .for_each(|page| put(page.path.clone(), page.render(input, cards, global)));
    deps
}

/// The output file of a URL path: `/a/b/` → `a/b/index.html`, a file's
/// address (`/a/b.html`) as it is; percent-escapes decoded.
pub fn output_path(url: &str) -> String {
    let decoded = crate::load::percent_decode(url);
    let trimmed = decoded.as_deref().unwrap_or(url).trim_matches('/');
    let last = trimmed.rsplit('/').next().unwrap_or(trimmed);
    if trimmed.is_empty() {
        "index.html".into()
    } else if !url.ends_with('/') && last.contains('.') {
        trimmed.to_string()
    } else {
        format!("{trimmed}/index.html")
    }
}
