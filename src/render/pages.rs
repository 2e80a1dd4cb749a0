//! Document pages: the `page` object of each playbook, hypothesis,
//! experiment and plain page, its key, and how it is rendered. What a page
//! reads of other documents is recorded (`View`): those are its
//! dependencies, which `serve` keeps to know what an edit renders again.

use super::evidence;
use super::view::{TermLink, View};
use super::{output_path, render_page, Cards, Global, RenderInput};
use crate::charts;
use crate::diagnostics::Diagnostic;
use crate::git::History;
use crate::keys::{hash_map, key_hasher};
use crate::markdown::LinkTo;
use crate::model::{Direction, Kind, Taxonomy};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// A document's page before it is rendered: its template and `page`
/// object, its body's Markdown (wiki links resolved), which becomes
/// `page.content` only when the page is rendered, and the documents its
/// view read.
pub(super) struct DocPage<'a> {
    pub(super) path: String,
    template: &'a str,
    page: tera::Map,
    body: String,
    /// Where the body's Markdown links and images lead.
    links: &'a [(String, LinkTo)],
    pub(super) deps: Vec<usize>,
}

impl<'a> DocPage<'a> {
    /// `None` for the home page's intro, which the home page shows.
    pub(super) fn new(input: &'a RenderInput, cards: &Cards, doc: usize) -> Option<DocPage<'a>> {
        let d = &input.model.docs[doc];
        if d.is_home_intro() {
            return None;
        }
        let view = View::new(input, &cards.tera);
        let (template, page) = page_view(&view, doc);
        let template = d
            .extra
            .get("template")
            .and_then(Value::as_str)
            .filter(|t| input.templates.has(t))
            .unwrap_or(template);
        let mut deps = view.into_reads();
        if let Err(at) = deps.binary_search(&doc) {
            deps.insert(at, doc);
        }
        Some(DocPage {
            path: output_path(&d.url),
            template,
            page,
            body: {
                let body = crate::bodies::body_with_links(input.model, input.prefix, doc);
                if d.kind == Kind::Page {
                    crate::bodies::without_title_heading(&body, &d.title).to_string()
                } else {
                    body
                }
            },
            links: &input.model.md_links[doc],
            deps,
        })
    }

    /// Everything the page's HTML follows from: Tera renders a context
    /// through a set of templates and nothing else (no clock, no
    /// environment), and the body's HTML follows from its Markdown.
    pub(super) fn key(&self, input: &RenderInput, cards: &Cards, global: &Global) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = key_hasher(0);
        (&self.path, self.template, &self.body, self.links).hash(&mut h);
        (global.key, input.templates.fingerprint).hash(&mut h);
        hash_map(&self.page, &cards.known, &mut h);
        h.finish()
    }

    pub(super) fn render(
        mut self,
        input: &RenderInput,
        global: &Global,
    ) -> Result<String, Diagnostic> {
        // Bodies are rendered here, when their page is, and not kept.
        let links = self.links;
        let rendered = crate::markdown::render_with(&self.body, &|dest| {
            crate::bodies::link_to(links, input.prefix, dest)
        });
        self.page
            .insert("content".into(), tera::Value::from(rendered.html.as_str()));
        let headings = count_headings(&rendered.toc);
        self.page
            .insert("toc".into(), tera::Value::from_serializable(&rendered.toc));
        self.page
            .insert("toc_headings".into(), tera::Value::from(headings));
        self.page
            .insert("diagrams".into(), tera::Value::from(rendered.diagrams));
        let mut ctx = tera::Context::new();
        ctx.insert_value("page", tera::Value::from(self.page));
        render_page(input, global, &self.path, self.template, ctx)
    }
}

fn count_headings(toc: &[crate::markdown::TocEntry]) -> usize {
    toc.iter().map(|e| 1 + count_headings(&e.children)).sum()
}

/// What every document's page shows besides its export fields and cards.
#[derive(Serialize)]
struct PageFacts<'v> {
    kind: Kind,
    summary: String,
    extra: &'v BTreeMap<String, Value>,
    date: Option<String>,
    updated: Option<String>,
    /// Outside git (or for an uncommitted file) the file's time stands in
    /// for `updated`, and the page says so.
    updated_from_file: bool,
    last_author: Option<String>,
    history: Option<&'v History>,
    tag_links: Vec<TermLink>,
    owner_link: Option<TermLink>,
    team_link: Option<TermLink>,
    source_path: &'v str,
    #[serde(skip_serializing_if = "Option::is_none")]
    repo_url: Option<&'v str>,
    #[serde(flatten)]
    of_kind: KindFacts,
}

/// What a page shows of its kind besides its export fields and cards.
#[derive(Serialize)]
#[serde(untagged)]
enum KindFacts {
    Playbook {
        hypothesis_count: usize,
    },
    Item {
        stage_title: Option<String>,
    },
    Experiment {
        stage_title: Option<String>,
        concluded: bool,
        metric_rows: Vec<MetricRow>,
        /// The primary result, with counts.
        #[serde(skip_serializing_if = "Option::is_none")]
        result_panel: Option<Box<evidence::Panel>>,
        /// The result in one plain sentence, which the page opens with.
        verdict_sentence: String,
    },
    Page {},
}

/// A metric as the experiment page's table shows it.
#[derive(Serialize)]
struct MetricRow {
    name: String,
    unit: Option<String>,
    baseline: Option<String>,
    target: Option<String>,
    actual: Option<String>,
    direction: Direction,
    met: Option<bool>,
    chart: String,
    /// Counts, the result in words and the interval, with counts.
    #[serde(skip_serializing_if = "Option::is_none")]
    evidence: Option<evidence::MetricEvidence>,
}

/// The page's own plain values (no cards), for the page's `page` object.
#[derive(Serialize)]
struct PlainPage<'v> {
    slug: &'v str,
    title: &'v str,
    url: String,
}

/// The `page` object of one document and the template that shows it.
fn page_view(view: &View, doc: usize) -> (&'static str, tera::Map) {
    let d = view.doc(doc);
    let ex = view.export();
    // The export fields go straight to a template value; the cards, which
    // carry their HTML, are inserted as they are.
    let (template, base) = match d.kind {
        Kind::Playbook => (
            "playbook.html",
            tera::Value::from_serializable(&ex.playbook(view.item(doc))),
        ),
        Kind::Hypothesis => (
            "hypothesis.html",
            tera::Value::from_serializable(&ex.hypothesis(view.item(doc))),
        ),
        Kind::Experiment => (
            "experiment.html",
            tera::Value::from_serializable(&ex.experiment(view.item(doc))),
        ),
        Kind::Page => (
            "page.html",
            tera::Value::from_serializable(&PlainPage {
                slug: &d.slug,
                title: &d.title,
                url: view.url(doc),
            }),
        ),
    };
    let mut page: tera::Map = base.into_map().unwrap_or_default();
    language(d, &mut page);
    page.insert(
        "backlink_items".into(),
        view.cards(view.backlinks(doc).iter().copied()),
    );
    let of_kind = match d.kind {
        Kind::Playbook => playbook_view(view, doc, &mut page),
        Kind::Hypothesis => hypothesis_view(view, doc, &mut page),
        Kind::Experiment => experiment_view(view, doc, &mut page),
        Kind::Page => KindFacts::Page {},
    };
    let facts = tera::Value::from_serializable(&page_facts(view, doc, of_kind));
    for (k, v) in facts.into_map().unwrap_or_default() {
        page.insert(k, v);
    }
    (template, page)
}

/// A page in another language (`lang:` in its front matter) says so, and
/// a right-to-left script reads right to left.
fn language(d: &crate::parse::Document, page: &mut tera::Map) {
    if let Some(lang) = d.extra.get("lang").and_then(|v| v.as_str()) {
        let primary = lang
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        let rtl = [
            "ar", "he", "fa", "ur", "yi", "ps", "sd", "ug", "dv", "ckb", "syr",
        ]
        .contains(&primary.as_str());
        page.insert("lang".into(), tera::Value::from(lang));
        if rtl {
            page.insert("dir".into(), tera::Value::from("rtl"));
        }
    }
}

/// A playbook's stage board, its items in no stage, its outcomes and
/// position.
fn playbook_view(view: &View, doc: usize, page: &mut tera::Map) -> KindFacts {
    let p = view.playbook(view.item(doc));
    let hyp_cards =
        |hs: &mut dyn Iterator<Item = usize>| view.cards(hs.map(|h| view.hypothesis(h).doc));
    let exp_cards =
        |es: &mut dyn Iterator<Item = usize>| view.cards(es.map(|e| view.experiment(e).doc));
    let stages: Vec<tera::Value> = p
        .stages
        .iter()
        .enumerate()
        .map(|(n, s)| {
            let mut stage = tera::Map::new();
            stage.insert("number".into(), tera::Value::from(n + 1));
            stage.insert("state".into(), tera::Value::from(s.state.name()));
            stage.insert("id".into(), tera::Value::from(s.id.as_str()));
            stage.insert("title".into(), tera::Value::from(s.title.as_str()));
            stage.insert(
                "goal".into(),
                s.goal
                    .as_deref()
                    .map_or_else(tera::Value::none, tera::Value::from),
            );
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
                .filter(|&h| view.hypothesis(h).stage.is_none()),
        ),
    );
    page.insert(
        "unstaged_experiments".into(),
        exp_cards(
            &mut p
                .experiments
                .iter()
                .copied()
                .filter(|&e| view.experiment(e).stage.is_none()),
        ),
    );
    // Outcomes by stage, in the stages' order, then by when they ended.
    // Those in no stage last.
    let stage_of = |e: usize| {
        let at = view
            .experiment(e)
            .stage
            .as_ref()
            .and_then(|id| p.stages.iter().position(|s| &s.id == id));
        (at.is_none(), at)
    };
    let mut outcomes: Vec<usize> = p
        .experiments
        .iter()
        .copied()
        .filter(|&e| view.experiment(e).status.is_concluded())
        .collect();
    outcomes.sort_by_key(|&e| {
        let d = view.doc(view.experiment(e).doc);
        (stage_of(e), d.fm.ended.or(d.fm.started), d.slug.clone())
    });
    page.insert("outcomes".into(), exp_cards(&mut outcomes.into_iter()));
    page.insert(
        "position".into(),
        crate::render::cards::position(p).map_or_else(tera::Value::none, |pos| {
            tera::Value::from_serializable(&pos)
        }),
    );
    page.insert(
        "stage_states".into(),
        tera::Value::from_serializable(
            &p.stages.iter().map(|s| s.state.name()).collect::<Vec<_>>(),
        ),
    );
    KindFacts::Playbook {
        hypothesis_count: p.hypotheses.len(),
    }
}

/// A hypothesis's playbook and evidence.
fn hypothesis_view(view: &View, doc: usize, page: &mut tera::Map) -> KindFacts {
    let h = view.hypothesis(view.item(doc));
    page.insert(
        "playbook_item".into(),
        h.playbook
            .map_or_else(tera::Value::none, |p| view.card(view.playbook(p).doc)),
    );
    page.insert(
        "evidence_items".into(),
        view.cards(h.experiments.iter().map(|&e| view.experiment(e).doc)),
    );
    KindFacts::Item {
        stage_title: stage_title(view, h.playbook, &h.stage),
    }
}

/// An experiment's hypothesis, playbook, chain of iterations and evidence.
fn experiment_view(view: &View, doc: usize, page: &mut tera::Map) -> KindFacts {
    let d = view.doc(doc);
    let i = view.item(doc);
    let e = view.experiment(i);
    page.insert(
        "hypothesis_item".into(),
        e.hypothesis
            .map_or_else(tera::Value::none, |h| view.card(view.hypothesis(h).doc)),
    );
    page.insert(
        "playbook_item".into(),
        e.playbook
            .map_or_else(tera::Value::none, |p| view.card(view.playbook(p).doc)),
    );
    let chain: Vec<tera::Value> = view
        .chain(i)
        .iter()
        .map(|&c| {
            let mut card = view
                .card(view.experiment(c).doc)
                .into_map()
                .unwrap_or_default();
            card.insert("current".into(), tera::Value::from(c == i));
            tera::Value::from(card)
        })
        .collect();
    page.insert("chain".into(), tera::Value::from(chain));
    KindFacts::Experiment {
        stage_title: stage_title(view, e.playbook, &e.stage),
        concluded: e.status.is_concluded(),
        result_panel: evidence::panel(e, d).map(Box::new),
        verdict_sentence: evidence::verdict_sentence(e, d),
        metric_rows: d
            .fm
            .metrics
            .iter()
            .enumerate()
            .map(|(n, mt)| MetricRow {
                name: mt.name.clone(),
                unit: mt.unit.clone(),
                baseline: mt.baseline.map(crate::fmt::plain_number),
                target: mt.target.map(crate::fmt::plain_number),
                actual: mt.actual.map(crate::fmt::plain_number),
                direction: mt.direction,
                met: mt.meets_target(),
                chart: charts::metric_chart(mt),
                evidence: evidence::metric_evidence(e, d, n),
            })
            .collect(),
    }
}

/// What every page shows of its document: dates, history, terms, source.
fn page_facts<'v>(view: &View<'v>, doc: usize, of_kind: KindFacts) -> PageFacts<'v> {
    let input = view.input();
    let d = view.doc(doc);
    let history = view.history(doc);
    PageFacts {
        kind: d.kind,
        summary: view.summary(doc),
        extra: &d.extra,
        date: d.fm.date.map(|x| x.to_string()),
        updated: d
            .fm
            .updated
            .map(|x| x.to_string())
            .or_else(|| history.map(|h| h.updated.clone()))
            .or_else(|| d.source.mtime.and_then(file_date)),
        updated_from_file: d.fm.updated.is_none() && history.is_none() && d.source.mtime.is_some(),
        last_author: history
            .and_then(|h| h.commits.first())
            .map(|c| c.author.clone()),
        history,
        tag_links: d
            .fm
            .tags
            .iter()
            .map(|t| view.term_link(Taxonomy::Tags, t))
            .collect(),
        owner_link: d
            .fm
            .owner
            .as_ref()
            .map(|o| view.term_link(Taxonomy::Owners, o)),
        team_link: d
            .fm
            .team
            .as_ref()
            .map(|t| view.term_link(Taxonomy::Teams, t)),
        source_path: &d.source.rel,
        repo_url: input
            .config
            .repo_url
            .as_deref()
            .map(|r| r.trim_end_matches('/')),
        of_kind,
    }
}

fn stage_title(view: &View, playbook: Option<usize>, stage: &Option<String>) -> Option<String> {
    let p = view.playbook(playbook?);
    let id = stage.as_ref()?;
    p.stages
        .iter()
        .find(|s| &s.id == id)
        .map(|s| s.title.clone())
}

/// A file time (seconds since the epoch) as a UTC date.
fn file_date(secs: i64) -> Option<String> {
    let ts = jiff::Timestamp::from_second(secs).ok()?;
    Some(ts.to_zoned(jiff::tz::TimeZone::UTC).date().to_string())
}
