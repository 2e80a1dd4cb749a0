//! List pages: the home page, lists, boards, taxonomies, outcomes, changes
//! and search, each described (plain values and lists of cards) before it
//! is rendered.

use super::cards::{card, Card, Cards};
use super::view::View;
use super::{output_path, render_page, Global, RenderInput};
use crate::charts;
use crate::diagnostics::Diagnostic;
use crate::keys::hash_of;
use crate::model::{ExperimentStatus, Kind, PlaybookStatus, SitePage, Taxonomy};
use crate::resolve::{
    backlog_order, filter_options, hypothesis_order, outcome_stats, playbook_order, Evidence,
    FilterOptions, OutcomeStats,
};
use serde::Serialize;
use serde_json::{json, Value};

/// A playbook's card as the playbook list shows it, with its counts.
#[derive(Serialize)]
struct PlaybookCard {
    #[serde(flatten)]
    card: Card,
    evidence: Evidence,
    stage_count: usize,
    experiment_count: usize,
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

    /// A site-wide page at its address, with its template.
    fn of(page: SitePage) -> ListPage {
        ListPage::new(output_path(page.url()), page.template())
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
pub(super) fn tj(v: &Value) -> tera::Value {
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

fn filters_value(options: &FilterOptions) -> Value {
    let playbooks: Vec<Value> = options
        .playbooks
        .iter()
        .map(|(slug, title)| json!({"slug": slug, "title": title}))
        .collect();
    json!({"owners": options.owners, "teams": options.teams, "playbooks": playbooks})
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
    let log = &m.log;
    let exp_docs: Vec<usize> = log.iter().map(|&e| m.experiments[e].doc).collect();
    let pb_order = playbook_order(m);
    let hyp_docs = hypothesis_order(m, &pb_order);
    // List pages are keyed by their descriptions: what the cards read
    // needs no record here.
    let view = View::new(input, &[]);
    let pb_cards: Vec<PlaybookCard> = pb_order
        .iter()
        .map(|&p| {
            let data = &m.playbooks[p];
            PlaybookCard {
                card: card(&view, data.doc),
                evidence: data.evidence,
                stage_count: data.stages.len(),
                experiment_count: data.experiments.len(),
            }
        })
        .collect();
    let concluded: Vec<usize> = log
        .iter()
        .copied()
        .filter(|&e| m.experiments[e].status.is_concluded())
        .collect();

    let stats = stats_value(input, &outcome_stats(m, &concluded));
    pages.push(home_page(
        input,
        &pb_order,
        &pb_cards,
        &concluded,
        stats.clone(),
    ));

    pages.push(
        ListPage::of(SitePage::Playbooks)
            .plain("total", json!(pb_cards.len()))
            .plain("items", json!(pb_cards)),
    );
    let playbook_titles: std::collections::BTreeMap<&str, &str> = m
        .playbooks
        .iter()
        .map(|p| (m.docs[p.doc].slug.as_str(), m.docs[p.doc].title.as_str()))
        .collect();
    let hyp_filters = filters_value(&filter_options(m, m.hypotheses.iter().map(|h| h.doc)));
    pages.extend(paginated(
        input,
        SitePage::Hypotheses.section(),
        &hyp_docs,
        &ListPage::new(String::new(), SitePage::Hypotheses.template())
            .plain("filters", hyp_filters)
            .plain("playbook_titles", json!(playbook_titles)),
    ));
    let exp_filters = filters_value(&filter_options(m, m.experiments.iter().map(|e| e.doc)));
    pages.extend(paginated(
        input,
        SitePage::Experiments.section(),
        &exp_docs,
        &ListPage::new(String::new(), SitePage::Experiments.template())
            .plain("filters", exp_filters.clone()),
    ));

    // Backlog.
    let backlog: Vec<usize> = backlog_order(m)
        .iter()
        .map(|&e| m.experiments[e].doc)
        .collect();
    pages.extend(paginated(
        input,
        SitePage::Backlog.section(),
        &backlog,
        &ListPage::new(String::new(), SitePage::Backlog.template()),
    ));

    // Outcomes.
    let outcome_docs: Vec<usize> = concluded.iter().map(|&e| m.experiments[e].doc).collect();
    let evidence: Vec<Value> = pb_cards
        .iter()
        .map(|c| json!({"title": c.card.title, "url": c.card.url, "slug": c.card.slug, "evidence": c.evidence}))
        .collect();
    pages.extend(paginated(
        input,
        SitePage::Outcomes.section(),
        &outcome_docs,
        &ListPage::new(String::new(), SitePage::Outcomes.template())
            .plain("stats", stats)
            .plain("evidence", json!(evidence))
            .plain("filters", exp_filters),
    ));

    for taxonomy in input.config.taxonomies() {
        pages.extend(taxonomy_pages(input, taxonomy));
    }

    // What changed in the strategy, commit by commit, grouped by day.
    let has_history = input.histories.iter().any(Option::is_some);
    let days = super::changes::changelog_days(input);
    pages.push(
        ListPage::of(SitePage::Changes)
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
        pages.push(ListPage::of(SitePage::Search).plain("search_shards", json!(more)));
    }
    pages.push(ListPage::of(SitePage::Glossary));
    pages.push(ListPage::of(SitePage::NotFound));
    pages.retain(|p| input.templates.has(p.template));
    pages
}

/// The home page: the intro, active playbooks, running and latest
/// experiments, the outcome statistics and the plain pages.
fn home_page(
    input: &RenderInput,
    pb_order: &[usize],
    pb_cards: &[PlaybookCard],
    concluded: &[usize],
    stats: Value,
) -> ListPage {
    let m = input.model;
    let log = &m.log;
    let active: Vec<&PlaybookCard> = pb_order
        .iter()
        .zip(pb_cards)
        .filter(|(&p, _)| m.docs[m.playbooks[p].doc].playbook_status == PlaybookStatus::Active)
        .map(|(_, c)| c)
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
    ListPage::of(SitePage::Home)
        .plain("intro", json!(intro))
        .plain("intro_title", json!(intro_title))
        .plain("active_playbooks", json!(active))
        .cards("running", running)
        .cards("latest", latest)
        .plain("stats", stats)
        .cards("pages", m.pages.clone())
}

/// A taxonomy's page of terms and each term's pages.
fn taxonomy_pages(input: &RenderInput, taxonomy: Taxonomy) -> Vec<ListPage> {
    let m = input.model;
    let mut pages = Vec::new();
    let name = taxonomy.name();
    let terms = m.taxonomies.get(taxonomy);
    let mut term_list = Vec::new();
    for (slug, (term, docs)) in terms {
        let url = taxonomy.slug_url(slug);
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
        ListPage::new(output_path(&taxonomy.index_url()), "taxonomy.html")
            .plain("taxonomy", json!(name))
            .plain("terms", json!(term_list)),
    );
    pages
}

/// The outcome statistics as templates read them, with their charts.
fn stats_value(input: &RenderInput, stats: &OutcomeStats) -> Value {
    let m = input.model;
    let unbacked: Vec<Value> = stats
        .claims_unbacked
        .iter()
        .map(|&e| {
            let doc = m.experiments[e].doc;
            json!({
                "title": m.docs[doc].title,
                "url": input.url(doc),
                "status": m.experiments[e].status,
                "counts_as": super::evidence::counts_as(&m.experiments[e], &m.docs[doc]),
            })
        })
        .collect();
    json!({
        "claims_with_counts": stats.claims_with_counts,
        "claims_backed": stats.claims_backed,
        "claims_unbacked": unbacked,
        "claims_without_counts": stats.claims_without_counts,
        "concluded": stats.concluded,
        "validated": stats.validated,
        "invalidated": stats.invalidated,
        "inconclusive": stats.inconclusive,
        "abandoned": stats.abandoned,
        "running": stats.running,
        "planned": stats.planned,
        "win_rate": stats.win_rate,
        "decisions": stats.decisions,
        "velocity": &stats.velocity,
        "velocity_chart": if stats.velocity.is_empty() { String::new() } else { charts::month_chart(
            "Experiments concluded per month, by result",
            &stats.velocity.iter().map(|m| charts::Column { label: &m.label, validated: m.validated, invalidated: m.invalidated, inconclusive: m.inconclusive, abandoned: m.abandoned }).collect::<Vec<_>>(),
        ) },
        "mix": stats.mix.iter().map(|(k, v)| json!({"status": k, "count": v})).collect::<Vec<_>>(),
        "work_chart": charts::stacked_bar("Work in progress", &stats.mix[..2]),
        "results_chart": charts::stacked_bar("Results of concluded experiments", &stats.mix[2..]),
        "work_count": stats.mix[..2].iter().map(|m| m.1).sum::<usize>(),
        "results_count": stats.mix[2..].iter().map(|m| m.1).sum::<usize>(),
    })
}
