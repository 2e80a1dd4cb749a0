//! Stage 4, render: the resolved model through Tera templates into pages.
//! Views (the `page` objects, list cards) are built once per item; pages are
//! rendered in parallel and handed to a `Sink` as soon as they are ready.

use crate::charts;
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Span};
use crate::export::ExportContext;
use crate::git::History;
use crate::keys::{hash_map, hash_of, key_hasher};
use crate::model::{ExperimentStatus, Kind};
use crate::resolve::{backlog_order, log_order, taxonomy, Model};
use crate::reuse::PageReuse;
use crate::theme::Theme;
use crate::write::Sink;
use rayon::prelude::*;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

/// Tera with the theme's templates, and where each template came from.
pub struct Templates {
    tera: tera::Tera,
    shown: HashMap<String, PathBuf>,
    /// Of every template's name and text.
    pub fingerprint: u64,
}

impl Templates {
    pub fn compile(theme: &Theme, diags: &mut Vec<Diagnostic>) -> Option<Templates> {
        let mut tera = tera::Tera::default();
        let mut shown = HashMap::new();
        let mut ok = true;
        for (name, src) in &theme.templates {
            shown.insert(name.clone(), src.shown.clone());
        }
        // All at once, so that inheritance resolves whatever the order.
        let all = theme
            .templates
            .iter()
            .map(|(name, src)| (name.as_str(), src.text.as_str()));
        if let Err(e) = tera.add_raw_templates(all) {
            diags.push(template_diagnostic(&e, &shown, &theme.templates));
            ok = false;
        }
        for required in ["base.html", "page.html"] {
            if !tera.contains_template(required) {
                diags.push(Diagnostic::error(
                    "templates",
                    None,
                    format!("the theme has no `{required}` template"),
                ));
                ok = false;
            }
        }
        let fingerprint = hash_of(
            &theme
                .templates
                .iter()
                .map(|(name, src)| (name, &src.text))
                .collect::<Vec<_>>(),
        );
        ok.then_some(Templates {
            tera,
            shown,
            fingerprint,
        })
    }

    fn render(&self, name: &str, ctx: &tera::Context, theme: &Theme) -> Result<String, Diagnostic> {
        self.tera
            .render(name, ctx)
            .map_err(|e| template_diagnostic(&e, &self.shown, &theme.templates))
    }

    pub fn has(&self, name: &str) -> bool {
        self.tera.contains_template(name)
    }
}

fn template_diagnostic(
    e: &tera::Error,
    shown: &HashMap<String, PathBuf>,
    sources: &BTreeMap<String, crate::theme::TemplateSource>,
) -> Diagnostic {
    let report = match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => Some(r),
        _ => None,
    };
    match report {
        Some(r) => {
            let name = r.filename();
            let path = shown
                .get(name)
                .cloned()
                .unwrap_or_else(|| PathBuf::from(format!("templates/{name}")));
            let s = r.span();
            let len = if s.end_line == s.start_line {
                s.end_col.saturating_sub(s.start_col)
            } else {
                1
            };
            let d = Diagnostic::error(
                path,
                Some(Span::new(s.start_line, s.start_col + 1, len.max(1))),
                r.message(),
            );
            match sources.get(name) {
                Some(src) => d.with_source(&src.text),
                None => d,
            }
        }
        None => Diagnostic::error("templates", None, format!("template error: {e}")),
    }
}

/// What rendering needs besides the model.
pub struct RenderInput<'a> {
    pub model: &'a Model,
    /// Each body's first paragraph (bodies are rendered by their pages).
    pub first_paragraphs: &'a [String],
    pub config: &'a Config,
    pub prefix: &'a str,
    pub histories: &'a [Option<History>],
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
        }
    }

    fn url(&self, doc: usize) -> String {
        format!("{}{}", self.prefix, self.model.docs[doc].url)
    }

    fn link(&self, path: &str) -> String {
        format!("{}{}", self.prefix, path)
    }

    fn summary(&self, doc: usize) -> String {
        self.model.docs[doc].summary(&self.first_paragraphs[doc])
    }

    fn term_link(&self, taxonomy: &str, name: &str) -> Value {
        if self.config.has_taxonomy(taxonomy) {
            json!({"name": name, "url": self.link(&format!("/{taxonomy}/{}/", crate::model::slugify(name)))})
        } else {
            json!({"name": name, "url": null})
        }
    }

    /// A small object for lists and boards.
    fn card(&self, doc: usize) -> Value {
        let m = self.model;
        let d = &m.docs[doc];
        let mut card = json!({
            "kind": d.kind,
            "slug": d.slug,
            "title": d.title,
            "url": self.url(doc),
            "summary": self.summary(doc),
            "owner": d.fm.owner,
            "team": d.fm.team,
            "tags": d.fm.tags,
            "date": d.fm.date.map(|x| x.to_string()),
            "visibility": m.visibility(doc),
        });
        let obj = card.as_object_mut().expect("card is an object");
        match d.kind {
            Kind::Playbook => {
                obj.insert("status".into(), json!(d.playbook_status));
                obj.insert("version".into(), json!(d.fm.version));
            }
            Kind::Hypothesis => {
                if let Some(h) = m.hypotheses.get(m.item[doc]) {
                    obj.insert("status".into(), json!(h.status));
                    obj.insert("statement".into(), json!(d.fm.statement));
                    obj.insert("experiment_count".into(), json!(h.experiments.len()));
                    obj.insert(
                        "playbook".into(),
                        json!(h.playbook.map(|p| m.docs[m.playbooks[p].doc].slug.clone())),
                    );
                }
            }
            Kind::Experiment => {
                if let Some(e) = m.experiments.get(m.item[doc]) {
                    obj.insert("status".into(), json!(e.status));
                    obj.insert("concluded".into(), json!(e.status.is_concluded()));
                    obj.insert("decision".into(), json!(d.fm.decision));
                    obj.insert("started".into(), json!(d.fm.started.map(|x| x.to_string())));
                    obj.insert("ended".into(), json!(d.fm.ended.map(|x| x.to_string())));
                    obj.insert("ice".into(), json!(d.fm.ice));
                    obj.insert("ice_score".into(), json!(e.ice_score));
                    obj.insert(
                        "playbook".into(),
                        json!(e.playbook.map(|p| m.docs[m.playbooks[p].doc].slug.clone())),
                    );
                    obj.insert(
                        "playbook_title".into(),
                        json!(e.playbook.map(|p| m.docs[m.playbooks[p].doc].title.clone())),
                    );
                    obj.insert(
                        "hypothesis_title".into(),
                        json!(e
                            .hypothesis
                            .map(|h| m.docs[m.hypotheses[h].doc].title.clone())),
                    );
                    let headline = d.fm.metrics.first().map(|mt| {
                        json!({
                            "name": mt.name,
                            "text": metric_text(mt),
                            "met": mt.meets_target(),
                        })
                    });
                    obj.insert("headline".into(), json!(headline));
                }
            }
            Kind::Page => {}
        }
        obj.insert("facts".into(), json!(card_facts(d, obj)));
        card
    }
}

/// A file time (seconds since the epoch) as a UTC date.
fn file_date(secs: i64) -> Option<String> {
    let ts = jiff::Timestamp::from_second(secs).ok()?;
    Some(ts.to_zoned(jiff::tz::TimeZone::UTC).date().to_string())
}

/// The short facts under a card's title: dates, decision, headline metric,
/// owner and team, in that order.
fn card_facts(d: &crate::parse::Document, card: &Map<String, Value>) -> Vec<String> {
    let mut facts = Vec::new();
    let text = |k: &str| card.get(k).and_then(Value::as_str).map(String::from);
    match d.kind {
        Kind::Experiment => {
            if let Some(e) = text("ended") {
                facts.push(format!("ended {e}"));
            } else if let Some(s) = text("started") {
                facts.push(format!("started {s}"));
            }
            if let Some(dec) = text("decision") {
                facts.push(format!("decision: {dec}"));
            }
            if let Some(h) = d.fm.metrics.first() {
                facts.push(format!("{}: {}", h.name, metric_text(h)));
            }
        }
        Kind::Hypothesis => {
            let n = card
                .get("experiment_count")
                .and_then(Value::as_u64)
                .unwrap_or(0);
            facts.push(format!("{n} experiment{}", if n == 1 { "" } else { "s" }));
        }
        _ => {}
    }
    facts.extend(d.fm.owner.clone());
    facts.extend(d.fm.team.clone());
    facts
}

fn metric_text(m: &crate::model::Metric) -> String {
    let unit = m
        .unit
        .as_deref()
        .map(|u| format!(" {u}"))
        .unwrap_or_default();
    let v = |x: Option<f64>| {
        x.map_or("–".to_string(), |x| {
            format!("{}{unit}", charts::fmt_num(x))
        })
    };
    format!(
        "{} → {} (target {})",
        v(m.baseline),
        v(m.actual),
        v(m.target)
    )
}

/// The card of every document as a template value, shared by every page
/// and list that shows it.
pub struct Cards {
    pub tera: Vec<tera::Value>,
}

impl Cards {
    pub fn all(input: &RenderInput, global: &Global) -> Cards {
        let tera = (0..input.model.docs.len())
            .into_par_iter()
            .map(|i| card_value(input, global, &input.card(i)))
            .collect();
        Cards { tera }
    }

    /// Recompute the cards of `docs`; returns the documents whose card changed.
    pub fn refresh(&mut self, input: &RenderInput, global: &Global, docs: &[usize]) -> Vec<usize> {
        let mut changed = Vec::new();
        for &d in docs {
            let card = card_value(input, global, &input.card(d));
            if card != self.tera[d] {
                self.tera[d] = card;
                changed.push(d);
            }
        }
        changed
    }
}

/// A card as a template value, with its HTML (`partials/card.html`)
/// rendered once as `html`: a document's card appears on several lists.
fn card_value(input: &RenderInput, global: &Global, card: &Value) -> tera::Value {
    let value = tj(card);
    if !input.templates.has("partials/card.html") {
        return value;
    }
    let mut ctx = global.ctx.clone();
    ctx.insert_value("item", value.clone());
    match input
        .templates
        .render("partials/card.html", &ctx, input.theme)
    {
        Ok(html) => {
            let mut map = value.into_map().unwrap_or_default();
            map.insert("html".into(), tera::Value::safe_string(&html));
            tera::Value::from(map)
        }
        // The list that includes the partial reports the error.
        Err(_) => value,
    }
}

/// The documents whose data a document's card shows: itself, its
/// hypothesis and its playbook.
pub fn card_deps(m: &Model, doc: usize) -> [Option<usize>; 3] {
    let d = &m.docs[doc];
    let (hyp, pb) = match d.kind {
        Kind::Hypothesis => (None, m.hypotheses[m.item[doc]].playbook),
        Kind::Experiment => {
            let e = &m.experiments[m.item[doc]];
            (e.hypothesis, e.playbook)
        }
        _ => (None, None),
    };
    [
        Some(doc),
        hyp.map(|h| m.hypotheses[h].doc),
        pb.map(|p| m.playbooks[p].doc),
    ]
}

/// The documents whose data or card a document's page shows.
pub fn page_deps(m: &Model, doc: usize) -> Vec<usize> {
    let mut deps = vec![doc];
    deps.extend(&m.backlinks[doc]);
    match m.docs[doc].kind {
        Kind::Playbook => {
            let p = &m.playbooks[m.item[doc]];
            deps.extend(p.hypotheses.iter().map(|&h| m.hypotheses[h].doc));
            deps.extend(p.experiments.iter().map(|&e| m.experiments[e].doc));
            for s in &p.stages {
                deps.extend(s.hypotheses.iter().map(|&h| m.hypotheses[h].doc));
                deps.extend(s.experiments.iter().map(|&e| m.experiments[e].doc));
            }
        }
        Kind::Hypothesis => {
            let h = &m.hypotheses[m.item[doc]];
            deps.extend(h.playbook.map(|p| m.playbooks[p].doc));
            deps.extend(h.experiments.iter().map(|&e| m.experiments[e].doc));
        }
        Kind::Experiment => {
            let i = m.item[doc];
            let e = &m.experiments[i];
            deps.extend(e.hypothesis.map(|h| m.hypotheses[h].doc));
            deps.extend(e.playbook.map(|p| m.playbooks[p].doc));
            deps.extend(e.follows.map(|f| m.experiments[f].doc));
            deps.extend(e.followed_by.iter().map(|&f| m.experiments[f].doc));
            deps.extend(chain(m, i).iter().map(|&c| m.experiments[c].doc));
        }
        Kind::Page => {}
    }
    deps.sort_unstable();
    deps.dedup();
    deps
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
            .taxonomies
            .iter()
            .map(|t| json!({"name": t, "url": input.link(&format!("/{t}/"))}))
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

/// A document's page before it is rendered: its template and `page`
/// object, and its body's Markdown (wiki links resolved), which becomes
/// `page.content` only when the page is rendered.
struct DocPage<'a> {
    path: String,
    template: &'a str,
    page: tera::Map,
    body: String,
}

impl<'a> DocPage<'a> {
    /// `None` for the home page's intro, which the home page shows.
    fn new(input: &'a RenderInput, cards: &Cards, doc: usize) -> Option<DocPage<'a>> {
        let d = &input.model.docs[doc];
        if d.is_home_intro() {
            return None;
        }
        let (template, page) = page_view(input, doc, &cards.tera);
        let template = d
            .extra
            .get("template")
            .and_then(Value::as_str)
            .filter(|t| input.templates.has(t))
            .unwrap_or(template);
        Some(DocPage {
            path: output_path(&d.url),
            template,
            page,
            body: crate::bodies::body_with_links(input.model, input.prefix, doc),
        })
    }

    /// Everything the page's HTML follows from: Tera renders a context
    /// through a set of templates and nothing else (no clock, no
    /// environment), and the body's HTML follows from its Markdown.
    fn key(&self, input: &RenderInput, global: &Global) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = key_hasher(0);
        (&self.path, self.template, &self.body).hash(&mut h);
        (global.key, input.templates.fingerprint).hash(&mut h);
        hash_map(&self.page, &mut h);
        h.finish()
    }

    fn render(mut self, input: &RenderInput, global: &Global) -> Result<String, Diagnostic> {
        // Bodies are rendered here, when their page is, and not kept.
        let html = crate::markdown::render(&self.body).html;
        self.page
            .insert("content".into(), tera::Value::from(html.as_str()));
        let mut ctx = tera::Context::new();
        ctx.insert_value("page", tera::Value::from(self.page));
        render_page(input, global, &self.path, self.template, ctx)
    }
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
#[allow(clippy::too_many_arguments)]
pub fn render_pages(
    input: &RenderInput,
    cards: &Cards,
    global: &Global,
    docs: &[usize],
    lists: &[&ListPage],
    reuse: Option<&PageReuse>,
    put: &(dyn Fn(String, Result<String, Diagnostic>) + Sync),
) {
    docs.par_iter().for_each(|&doc| {
        let Some(page) = DocPage::new(input, cards, doc) else {
            return;
        };
        if reuse.is_some_and(|r| r.take_over(&page.path, page.key(input, global))) {
            return;
        }
        put(page.path.clone(), page.render(input, global));
    });
    lists
        .par_iter()
        .for_each(|page| put(page.path.clone(), page.render(input, cards, global)));
}

pub fn output_path(url: &str) -> String {
    let trimmed = url.trim_matches('/');
    if trimmed.is_empty() {
        "index.html".into()
    } else {
        format!("{trimmed}/index.html")
    }
}

/// The `page` object of one document and the template that shows it.
fn page_view(input: &RenderInput, doc: usize, tcards: &[tera::Value]) -> (&'static str, tera::Map) {
    let m = input.model;
    let d = &m.docs[doc];
    let ex = input.export();
    // The export fields go straight to a template value; the small extras
    // are collected as JSON and merged; bodies and cards are shared as is.
    let (template, base) = match d.kind {
        Kind::Playbook => (
            "playbook.html",
            tera::Value::from_serializable(&ex.playbook(m.item[doc])),
        ),
        Kind::Hypothesis => (
            "hypothesis.html",
            tera::Value::from_serializable(&ex.hypothesis(m.item[doc])),
        ),
        Kind::Experiment => (
            "experiment.html",
            tera::Value::from_serializable(&ex.experiment(m.item[doc])),
        ),
        Kind::Page => (
            "page.html",
            tj(&json!({"slug": d.slug, "title": d.title, "url": input.url(doc)})),
        ),
    };
    let mut page: tera::Map = base.into_map().unwrap_or_default();
    let card_list = |docs: &mut dyn Iterator<Item = usize>| {
        tera::Value::from(docs.map(|d| tcards[d].clone()).collect::<Vec<_>>())
    };
    let mut extras = Map::new();
    let obj = &mut extras;
    let history = input.histories[doc].as_ref();
    obj.insert("kind".into(), json!(d.kind));
    obj.insert("summary".into(), json!(input.summary(doc)));
    obj.insert(
        "extra".into(),
        Value::Object(d.extra.clone().into_iter().collect::<Map<_, _>>()),
    );
    obj.insert("date".into(), json!(d.fm.date.map(|x| x.to_string())));
    obj.insert(
        "updated".into(),
        json!(d
            .fm
            .updated
            .map(|x| x.to_string())
            .or_else(|| history.map(|h| h.updated.clone()))
            .or_else(|| d.source.mtime.and_then(file_date))),
    );
    // Outside git (or for an uncommitted file) the file's time stands in, and
    // the page says so.
    obj.insert(
        "updated_from_file".into(),
        json!(d.fm.updated.is_none() && history.is_none() && d.source.mtime.is_some()),
    );
    obj.insert(
        "last_author".into(),
        json!(history
            .and_then(|h| h.commits.first())
            .map(|c| c.author.clone())),
    );
    obj.insert("history".into(), json!(history));
    page.insert(
        "backlink_items".into(),
        card_list(&mut m.backlinks[doc].iter().copied()),
    );
    obj.insert(
        "tag_links".into(),
        json!(d
            .fm
            .tags
            .iter()
            .map(|t| input.term_link("tags", t))
            .collect::<Vec<_>>()),
    );
    obj.insert(
        "owner_link".into(),
        json!(d.fm.owner.as_ref().map(|o| input.term_link("owners", o))),
    );
    obj.insert(
        "team_link".into(),
        json!(d.fm.team.as_ref().map(|t| input.term_link("teams", t))),
    );
    obj.insert("source_path".into(), json!(d.source.rel));
    if let Some(repo) = &input.config.repo_url {
        obj.insert("repo_url".into(), json!(repo.trim_end_matches('/')));
    }
    match d.kind {
        Kind::Playbook => {
            let p = &m.playbooks[m.item[doc]];
            let hyp_cards = |hs: &mut dyn Iterator<Item = usize>| {
                card_list(&mut hs.map(|h| m.hypotheses[h].doc))
            };
            let exp_cards = |es: &mut dyn Iterator<Item = usize>| {
                card_list(&mut es.map(|e| m.experiments[e].doc))
            };
            let stages: Vec<tera::Value> = p
                .stages
                .iter()
                .enumerate()
                .map(|(n, s)| {
                    let mut stage = tj(&json!({
                        "number": n + 1,
                        "id": s.id,
                        "title": s.title,
                        "goal": s.goal,
                    }))
                    .into_map()
                    .unwrap_or_default();
                    stage.insert(
                        "hypothesis_items".into(),
                        hyp_cards(&mut s.hypotheses.iter().copied()),
                    );
                    stage.insert(
                        "experiment_items".into(),
                        exp_cards(&mut s.experiments.iter().copied()),
                    );
                    tera::Value::from(stage)
                })
                .collect();
            page.insert("stage_board".into(), tera::Value::from(stages));
            page.insert(
                "unstaged_hypotheses".into(),
                hyp_cards(
                    &mut p
                        .hypotheses
                        .iter()
                        .copied()
                        .filter(|&h| m.hypotheses[h].stage.is_none()),
                ),
            );
            page.insert(
                "unstaged_experiments".into(),
                exp_cards(
                    &mut p
                        .experiments
                        .iter()
                        .copied()
                        .filter(|&e| m.experiments[e].stage.is_none()),
                ),
            );
            page.insert(
                "outcomes".into(),
                exp_cards(
                    &mut p
                        .experiments
                        .iter()
                        .copied()
                        .filter(|&e| m.experiments[e].status.is_concluded()),
                ),
            );
            obj.insert("hypothesis_count".into(), json!(p.hypotheses.len()));
        }
        Kind::Hypothesis => {
            let h = &m.hypotheses[m.item[doc]];
            page.insert(
                "playbook_item".into(),
                h.playbook
                    .map_or_else(tera::Value::none, |p| tcards[m.playbooks[p].doc].clone()),
            );
            obj.insert(
                "stage_title".into(),
                json!(stage_title(m, h.playbook, &h.stage)),
            );
            page.insert(
                "evidence_items".into(),
                card_list(&mut h.experiments.iter().map(|&e| m.experiments[e].doc)),
            );
        }
        Kind::Experiment => {
            let i = m.item[doc];
            let e = &m.experiments[i];
            page.insert(
                "hypothesis_item".into(),
                e.hypothesis
                    .map_or_else(tera::Value::none, |h| tcards[m.hypotheses[h].doc].clone()),
            );
            page.insert(
                "playbook_item".into(),
                e.playbook
                    .map_or_else(tera::Value::none, |p| tcards[m.playbooks[p].doc].clone()),
            );
            obj.insert(
                "stage_title".into(),
                json!(stage_title(m, e.playbook, &e.stage)),
            );
            obj.insert("concluded".into(), json!(e.status.is_concluded()));
            let chain: Vec<tera::Value> = chain(m, i)
                .iter()
                .map(|&c| {
                    let mut card = tcards[m.experiments[c].doc]
                        .clone()
                        .into_map()
                        .unwrap_or_default();
                    card.insert("current".into(), tera::Value::from(c == i));
                    tera::Value::from(card)
                })
                .collect();
            page.insert("chain".into(), tera::Value::from(chain));
            let metrics: Vec<Value> =
                d.fm.metrics
                    .iter()
                    .map(|mt| {
                        json!({
                            "name": mt.name,
                            "unit": mt.unit,
                            "baseline": mt.baseline.map(charts::fmt_num),
                            "target": mt.target.map(charts::fmt_num),
                            "actual": mt.actual.map(charts::fmt_num),
                            "direction": mt.direction,
                            "met": mt.meets_target(),
                            "chart": charts::metric_chart(mt),
                        })
                    })
                    .collect();
            obj.insert("metric_rows".into(), json!(metrics));
        }
        Kind::Page => {}
    }
    for (k, v) in tj(&Value::Object(extras)).into_map().unwrap_or_default() {
        page.insert(k, v);
    }
    (template, page)
}

fn stage_title(m: &Model, playbook: Option<usize>, stage: &Option<String>) -> Option<String> {
    let p = &m.playbooks[playbook?];
    let id = stage.as_ref()?;
    p.stages
        .iter()
        .find(|s| &s.id == id)
        .map(|s| s.title.clone())
}

/// The iteration chain an experiment belongs to: its ancestors, itself, and
/// its descendants (the first follower at each step), oldest first.
pub fn chain(m: &Model, i: usize) -> Vec<usize> {
    let mut back = vec![i];
    let mut cur = m.experiments[i].follows;
    while let Some(c) = cur {
        if back.contains(&c) {
            break;
        }
        back.push(c);
        cur = m.experiments[c].follows;
    }
    back.reverse();
    let mut cur = m.experiments[i].followed_by.first().copied();
    while let Some(c) = cur {
        if back.contains(&c) {
            break;
        }
        back.push(c);
        cur = m.experiments[c].followed_by.first().copied();
    }
    if back.len() == 1 {
        back.clear();
    }
    back
}

/// A list, board or other site-wide page, described before it is rendered:
/// plain values, and lists of cards by document.
pub struct ListPage {
    pub path: String,
    template: &'static str,
    plain: Vec<Plain>,
    lists: Vec<(&'static str, Vec<usize>)>,
}

/// A plain value of a list page, converted for templates once: paginated
/// lists share their values (filters list every playbook) page to page.
#[derive(Clone)]
struct Plain {
    name: &'static str,
    value: tera::Value,
    /// Of the value's JSON text: what [`ListPage::key`] compares.
    hash: u64,
}

impl ListPage {
    fn new(path: String, template: &'static str) -> ListPage {
        ListPage {
            path,
            template,
            plain: Vec::new(),
            lists: Vec::new(),
        }
    }

    fn plain(mut self, name: &'static str, value: Value) -> ListPage {
        self.plain.push(Plain {
            name,
            value: tj(&value),
            hash: hash_of(&value.to_string()),
        });
        self
    }

    fn cards(mut self, name: &'static str, docs: Vec<usize>) -> ListPage {
        self.lists.push((name, docs));
        self
    }

    /// Changes whenever the page's content can change, cards aside.
    pub fn key(&self) -> u64 {
        let plain: Vec<(&str, u64)> = self.plain.iter().map(|p| (p.name, p.hash)).collect();
        hash_of(&(&self.path, self.template, plain, &self.lists))
    }

    /// Whether the page shows the card of any document marked in `docs`.
    pub fn shows_any(&self, docs: &[bool]) -> bool {
        self.lists
            .iter()
            .any(|(_, list)| list.iter().any(|&d| docs[d]))
    }

    pub fn render(
        &self,
        input: &RenderInput,
        cards: &Cards,
        global: &Global,
    ) -> Result<String, Diagnostic> {
        let mut ctx = tera::Context::new();
        for p in &self.plain {
            ctx.insert_value(p.name, p.value.clone());
        }
        for (k, docs) in &self.lists {
            let list: Vec<tera::Value> = docs.iter().map(|&d| cards.tera[d].clone()).collect();
            ctx.insert_value(k.to_string(), tera::Value::from(list));
        }
        render_page(input, global, &self.path, self.template, ctx)
    }
}

/// A JSON value as a template value.
fn tj(v: &Value) -> tera::Value {
    tera::Value::from_serializable(v)
}

/// Paginate a list: `/experiments/`, `/experiments/page/2/`, … Each page
/// gets the `items` of its slice and a copy of `head`'s values and lists.
fn paginated(
    input: &RenderInput,
    section: &str,
    items: &[usize],
    head: &ListPage,
) -> Vec<ListPage> {
    let per = input.config.paginate.max(1);
    let pages = items.len().div_ceil(per).max(1);
    let url = |k: usize| {
        if k == 0 {
            format!("/{section}/")
        } else {
            format!("/{section}/page/{}/", k + 1)
        }
    };
    (0..pages)
        .map(|n| {
            let mut page = ListPage::new(output_path(&url(n)), head.template)
                .cards(
                    "items",
                    items.iter().skip(n * per).take(per).copied().collect(),
                )
                .plain("total", json!(items.len()))
                .plain(
                    "paginator",
                    json!({
                        "current": n + 1,
                        "pages": pages,
                        "offset": n * per,
                        "previous": (n > 0).then(|| input.link(&url(n - 1))),
                        "next": (n + 1 < pages).then(|| input.link(&url(n + 1))),
                    }),
                );
            page.plain.extend(head.plain.iter().cloned());
            page.lists.extend(head.lists.iter().cloned());
            page
        })
        .collect()
}

fn filter_options(input: &RenderInput, docs: impl Iterator<Item = usize>) -> Value {
    let m = input.model;
    let mut owners = std::collections::BTreeSet::new();
    let mut teams = std::collections::BTreeSet::new();
    for d in docs {
        owners.extend(m.docs[d].fm.owner.clone());
        teams.extend(m.docs[d].fm.team.clone());
    }
    let playbooks: Vec<Value> = m
        .playbooks
        .iter()
        .map(|p| json!({"slug": m.docs[p.doc].slug, "title": m.docs[p.doc].title}))
        .collect();
    json!({"owners": owners, "teams": teams, "playbooks": playbooks})
}

/// Whether list pages carry this document's body as a plain value (the home
/// page's intro; playbook cards, with their summaries, extended for the
/// playbook list) rather than only through its card: an edit of such a body
/// changes the lists' descriptions.
pub fn lists_show_body_of(doc: &crate::parse::Document) -> bool {
    doc.is_home_intro() || doc.kind == Kind::Playbook
}

/// Every list, board, taxonomy and other site-wide page, in a fixed order.
pub fn list_pages(input: &RenderInput) -> Vec<ListPage> {
    let m = input.model;
    let mut pages: Vec<ListPage> = Vec::new();
    let log = log_order(m);
    let exp_docs: Vec<usize> = log.iter().map(|&e| m.experiments[e].doc).collect();
    let mut hyp_docs: Vec<usize> = m.hypotheses.iter().map(|h| h.doc).collect();
    hyp_docs.sort_by(|&a, &b| m.docs[a].title.cmp(&m.docs[b].title));
    let mut pb_order: Vec<usize> = (0..m.playbooks.len()).collect();
    pb_order.sort_by(|&a, &b| {
        m.docs[m.playbooks[a].doc]
            .title
            .cmp(&m.docs[m.playbooks[b].doc].title)
    });
    let pb_cards: Vec<Value> = pb_order
        .iter()
        .map(|&p| {
            let mut c = input.card(m.playbooks[p].doc);
            c["evidence"] = json!(m.playbooks[p].evidence);
            c["stage_count"] = json!(m.playbooks[p].stages.len());
            c["experiment_count"] = json!(m.playbooks[p].experiments.len());
            c
        })
        .collect();
    let concluded: Vec<usize> = log
        .iter()
        .copied()
        .filter(|&e| m.experiments[e].status.is_concluded())
        .collect();

    // Home.
    let active: Vec<&Value> = pb_cards
        .iter()
        .filter(|c| c["status"] == "active")
        .collect();
    let running: Vec<usize> = log
        .iter()
        .filter(|&&e| m.experiments[e].status == ExperimentStatus::Running)
        .map(|&e| m.experiments[e].doc)
        .collect();
    let latest: Vec<usize> = concluded
        .iter()
        .take(6)
        .map(|&e| m.experiments[e].doc)
        .collect();
    let intro = m
        .home_intro
        .map(|d| crate::bodies::render_body(m, input.prefix, d).html);
    let intro_title = m.home_intro.map(|d| m.docs[d].title.clone());
    let stats = outcome_stats(m, &concluded);
    pages.push(
        ListPage::new("index.html".into(), "index.html")
            .plain("intro", json!(intro))
            .plain("intro_title", json!(intro_title))
            .plain("active_playbooks", json!(active))
            .cards("running", running)
            .cards("latest", latest)
            .plain("stats", stats.clone())
            .cards("pages", m.pages.clone()),
    );

    pages.push(
        ListPage::new(output_path("/playbooks/"), "playbooks.html")
            .plain("total", json!(pb_cards.len()))
            .plain("items", json!(pb_cards)),
    );
    let hyp_filters = filter_options(input, m.hypotheses.iter().map(|h| h.doc));
    pages.extend(paginated(
        input,
        "hypotheses",
        &hyp_docs,
        &ListPage::new(String::new(), "hypotheses.html").plain("filters", hyp_filters),
    ));
    let exp_filters = filter_options(input, m.experiments.iter().map(|e| e.doc));
    pages.extend(paginated(
        input,
        "experiments",
        &exp_docs,
        &ListPage::new(String::new(), "experiments.html").plain("filters", exp_filters.clone()),
    ));

    // Backlog.
    let backlog: Vec<usize> = backlog_order(m)
        .iter()
        .map(|&e| m.experiments[e].doc)
        .collect();
    pages.extend(paginated(
        input,
        "backlog",
        &backlog,
        &ListPage::new(String::new(), "backlog.html"),
    ));

    // Outcomes.
    let outcome_docs: Vec<usize> = concluded.iter().map(|&e| m.experiments[e].doc).collect();
    let evidence: Vec<Value> = pb_cards.iter().map(|c| json!({"title": c["title"], "url": c["url"], "slug": c["slug"], "evidence": c["evidence"]})).collect();
    pages.extend(paginated(
        input,
        "outcomes",
        &outcome_docs,
        &ListPage::new(String::new(), "outcomes.html")
            .plain("stats", stats)
            .plain("evidence", json!(evidence))
            .plain("filters", exp_filters),
    ));

    // Taxonomies.
    for name in &input.config.taxonomies {
        let terms = taxonomy(m, name);
        let mut term_list = Vec::new();
        for (slug, (term, docs)) in &terms {
            let url = format!("/{name}/{slug}/");
            let group = |kind: Kind| {
                docs.iter()
                    .filter(|&&d| m.docs[d].kind == kind)
                    .copied()
                    .collect::<Vec<usize>>()
            };
            term_list.push(
                json!({"name": term, "slug": slug, "url": input.link(&url), "count": docs.len()}),
            );
            // Experiments are the long list under a term, so they paginate;
            // playbooks and hypotheses head every page.
            pages.extend(paginated(
                input,
                &format!("{name}/{slug}"),
                &group(Kind::Experiment),
                &ListPage::new(String::new(), "taxonomy_term.html")
                    .plain("taxonomy", json!(name))
                    .plain("term", json!({"name": term, "count": docs.len()}))
                    .cards("playbooks", group(Kind::Playbook))
                    .cards("hypotheses", group(Kind::Hypothesis)),
            ));
        }
        pages.push(
            ListPage::new(output_path(&format!("/{name}/")), "taxonomy.html")
                .plain("taxonomy", json!(name))
                .plain("terms", json!(term_list)),
        );
    }

    // Changes across the whole site, newest first, grouped by day.
    let mut changes: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let mut has_history = false;
    for (doc, h) in input.histories.iter().enumerate() {
        let Some(h) = h else { continue };
        has_history = true;
        for c in &h.commits {
            changes.entry(c.date.clone()).or_default().push(json!({
                "page": input.model.docs[doc].title, "url": input.url(doc), "kind": input.model.docs[doc].kind,
                "author": c.author, "summary": c.summary, "id": c.id, "short": &c.id[..c.id.len().min(8)],
            }));
        }
    }
    let days: Vec<Value> = changes
        .into_iter()
        .rev()
        .take(90)
        .map(|(day, mut entries)| {
            entries.sort_by(|a, b| {
                (a["page"].as_str(), a["id"].as_str()).cmp(&(b["page"].as_str(), b["id"].as_str()))
            });
            json!({"date": day, "entries": entries})
        })
        .collect();
    pages.push(
        ListPage::new(output_path("/changes/"), "changes.html")
            .plain("days", json!(days))
            .plain("has_history", json!(has_history)),
    );

    if input.config.search {
        // The search page merges the bundles after the first.
        let records = m.docs.iter().filter(|d| !d.is_home_intro()).count();
        let shards = crate::search::bundle_count(records, input.config.search_shard_pages);
        let more: Vec<String> = (1..shards)
            .map(|k| format!("{}/{}", input.prefix, crate::search::shard_dir(k)))
            .collect();
        pages.push(
            ListPage::new(output_path("/search/"), "search.html")
                .plain("search_shards", json!(more)),
        );
    }
    pages.push(ListPage::new("404.html".into(), "404.html"));
    pages.retain(|p| input.templates.has(p.template));
    pages
}

fn outcome_stats(m: &Model, concluded: &[usize]) -> Value {
    let count = |s: ExperimentStatus| {
        concluded
            .iter()
            .filter(|&&e| m.experiments[e].status == s)
            .count()
    };
    let validated = count(ExperimentStatus::Validated);
    let total = concluded.len();
    let win_rate = if total == 0 {
        None
    } else {
        Some((validated as f64 / total as f64 * 100.0).round() as i64)
    };
    let mut decisions = BTreeMap::new();
    for &e in concluded {
        if let Some(d) = m.docs[m.experiments[e].doc].fm.decision {
            *decisions
                .entry(
                    serde_json::to_value(d)
                        .ok()
                        .and_then(|v| v.as_str().map(String::from))
                        .unwrap_or_default(),
                )
                .or_insert(0usize) += 1;
        }
    }
    // Learning velocity: experiments concluded per month, gaps included.
    let mut months: BTreeMap<String, usize> = BTreeMap::new();
    for &e in concluded {
        if let Some(date) = m.docs[m.experiments[e].doc].fm.ended {
            *months
                .entry(format!("{:04}-{:02}", date.year(), date.month()))
                .or_default() += 1;
        }
    }
    let velocity: Vec<(String, usize)> = match (months.keys().next(), months.keys().last()) {
        (Some(first), Some(last)) => {
            let (mut y, mut mo): (i32, i32) = (
                first[..4].parse().unwrap_or(0),
                first[5..].parse().unwrap_or(1),
            );
            let mut out = Vec::new();
            loop {
                let key = format!("{y:04}-{mo:02}");
                out.push((key.clone(), months.get(&key).copied().unwrap_or(0)));
                if &key >= last || out.len() > 600 {
                    break;
                }
                mo += 1;
                if mo > 12 {
                    mo = 1;
                    y += 1;
                }
            }
            out
        }
        _ => Vec::new(),
    };
    let all = |s: ExperimentStatus| m.experiments.iter().filter(|e| e.status == s).count();
    let statuses = [
        ExperimentStatus::Planned,
        ExperimentStatus::Running,
        ExperimentStatus::Validated,
        ExperimentStatus::Invalidated,
        ExperimentStatus::Inconclusive,
        ExperimentStatus::Abandoned,
    ];
    let mix: Vec<(&str, usize)> = statuses.iter().map(|s| (s.name(), all(*s))).collect();
    json!({
        "concluded": total,
        "validated": validated,
        "invalidated": count(ExperimentStatus::Invalidated),
        "inconclusive": count(ExperimentStatus::Inconclusive),
        "abandoned": count(ExperimentStatus::Abandoned),
        "running": all(ExperimentStatus::Running),
        "planned": all(ExperimentStatus::Planned),
        "win_rate": win_rate,
        "decisions": decisions,
        "velocity": velocity.iter().map(|(k, v)| json!({"month": k, "count": v})).collect::<Vec<_>>(),
        "velocity_chart": if velocity.is_empty() { String::new() } else { charts::bar_chart("Experiments concluded per month", &velocity) },
        "mix": mix.iter().map(|(k, v)| json!({"status": k, "count": v})).collect::<Vec<_>>(),
        "mix_chart": charts::stacked_bar("Experiments by status", &mix),
    })
}
