//! Stage 3, resolve: a pure function from parsed documents to the site model.
//! It drops what this build leaves out (drafts, other audiences), checks every
//! reference, fills defaults, derives hypothesis status, playbook evidence,
//! iteration chains, ICE scores and backlinks. No I/O happens here.

use crate::diagnostics::Diagnostic;
use crate::model::{ExperimentStatus, HypothesisStatus, Kind, Visibility};
use crate::parse::Document;
use rayon::prelude::*;
use serde::Serialize;
use std::sync::Arc;

mod build;
mod derive;
mod links;
mod references;

use crate::load::Assets;
use crate::markdown::LinkTo;
pub use derive::{
    backlog_order, chain, filter_options, hypothesis_order, log_order, outcome_stats,
    playbook_order, FilterOptions, Month, OutcomeStats, Taxonomies, Terms,
};
pub use references::Index;
use references::{check_references, report_duplicates, resolve_wiki_link, Refs};

/// What a build includes, and how it weighs evidence.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Selection {
    pub drafts: bool,
    /// `Some(Public)` leaves out every internal item.
    pub audience: Option<Visibility>,
    pub default_visibility: Visibility,
    /// `stats:` of `gemba.yaml`.
    pub stats: crate::stats::Settings,
}

impl Selection {
    pub fn includes(&self, doc: &Document) -> bool {
        (self.drafts || !doc.fm.draft) && self.audience_includes(doc)
    }

    fn audience_includes(&self, doc: &Document) -> bool {
        match self.audience {
            Some(Visibility::Public) => self.visibility(doc) == Visibility::Public,
            _ => true,
        }
    }

    pub fn visibility(&self, doc: &Document) -> Visibility {
        doc.fm.visibility.unwrap_or(self.default_visibility)
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Evidence {
    pub supported: usize,
    pub refuted: usize,
    pub contested: usize,
    pub untested: usize,
}

impl Evidence {
    fn count(&mut self, status: HypothesisStatus) {
        match status {
            HypothesisStatus::Supported => self.supported += 1,
            HypothesisStatus::Refuted => self.refuted += 1,
            HypothesisStatus::Contested => self.contested += 1,
            HypothesisStatus::Untested => self.untested += 1,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct StageData {
    pub id: String,
    pub title: String,
    pub goal: Option<String>,
    /// Indices into `Model::hypotheses` / `Model::experiments`.
    pub hypotheses: Vec<usize>,
    pub experiments: Vec<usize>,
    pub state: StageState,
}

/// Where a stage stands in its playbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StageState {
    /// Validated evidence, and nothing contested.
    Done,
    /// Where the team is.
    Current,
    /// Not done, before the current stage.
    Open,
    /// After the current stage (or every stage not done, without one).
    Ahead,
}

impl StageState {
    pub fn name(self) -> &'static str {
        match self {
            StageState::Done => "done",
            StageState::Current => "current",
            StageState::Open => "open",
            StageState::Ahead => "ahead",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlaybookData {
    pub doc: usize,
    pub stages: Vec<StageData>,
    /// Where the team is: `current_stage` as written, else the first stage
    /// in order that is not done and has work in it.
    pub current_stage: Option<usize>,
    pub hypotheses: Vec<usize>,
    pub experiments: Vec<usize>,
    pub evidence: Evidence,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HypothesisData {
    pub doc: usize,
    pub playbook: Option<usize>,
    pub stage: Option<String>,
    pub status: HypothesisStatus,
    pub experiments: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExperimentData {
    pub doc: usize,
    pub status: ExperimentStatus,
    pub hypothesis: Option<usize>,
    pub playbook: Option<usize>,
    pub stage: Option<String>,
    pub follows: Option<usize>,
    pub followed_by: Vec<usize>,
    pub ice_score: Option<u32>,
    /// Per metric: what its counts say (`None` without counts).
    pub evidence: Vec<Option<crate::stats::Evidence>>,
    /// The metric the decision rests on: the one marked `primary`, else the
    /// first.
    pub primary: Option<usize>,
    /// The sample-ratio check of the arms' units against `split`.
    pub srm_p: Option<f64>,
    pub srm: Option<bool>,
    /// The confidence its evidence is weighed at.
    pub confidence: f64,
    /// Whether its counts back its claim (validated or invalidated); `None`
    /// without a claim or without counts.
    pub backed: Option<bool>,
}

impl ExperimentData {
    /// The primary metric and what its counts say; `None` without counts.
    pub fn primary_evidence(&self) -> Option<(usize, &crate::stats::Evidence)> {
        let i = self.primary?;
        Some((i, self.evidence.get(i)?.as_ref()?))
    }

    /// Whether a guardrail metric of document `d` (this experiment's) got
    /// significantly worse.
    pub fn guardrail_lost(&self, d: &Document) -> bool {
        d.fm.metrics.iter().enumerate().any(|(i, m)| {
            m.guardrail
                && self
                    .evidence
                    .get(i)
                    .and_then(Option::as_ref)
                    .is_some_and(|g| g.verdict == crate::stats::Verdict::Loss)
        })
    }
}

/// Where a wiki link goes: a URL and the title of the file it names.
pub type LinkTarget = Option<(String, String)>;

/// The resolved site. Documents are sorted by kind and slug; the lists of
/// each kind are in display order.
#[derive(Debug, Clone)]
pub struct Model {
    /// Shared with `serve`'s session, which keeps every parsed file.
    pub docs: Vec<Arc<Document>>,
    pub playbooks: Vec<PlaybookData>,
    pub hypotheses: Vec<HypothesisData>,
    pub experiments: Vec<ExperimentData>,
    /// Plain pages (doc indices), by URL; the home intro is not among them.
    pub pages: Vec<usize>,
    pub home_intro: Option<usize>,
    /// Per document, per wiki link: its target, or `None` for plain text.
    pub links: Vec<Vec<LinkTarget>>,
    /// Per document: the documents whose bodies link to it.
    pub backlinks: Vec<Vec<usize>>,
    /// Per document: where its Markdown links and images lead, by
    /// destination as written (those left as written are not listed).
    pub md_links: Vec<Vec<(String, LinkTo)>>,
    /// Every alias of a kept document: (URL, document), sorted.
    pub aliases: Vec<(String, usize)>,
    /// The files beside the content, copied to the output.
    pub assets: Arc<Assets>,
    pub selection: Selection,
    /// Per document: where its derived data is.
    pub item: Vec<Item>,
    /// The log's order of experiments (indices into `experiments`): latest
    /// first, ties by title.
    pub log: Vec<usize>,
    /// The terms of the tags, owners and teams taxonomies.
    pub taxonomies: Taxonomies,
}

impl Model {
    pub fn visibility(&self, doc: usize) -> Visibility {
        self.selection.visibility(&self.docs[doc])
    }

    /// The experiment's concluding or starting date, the key of the log's order.
    pub fn experiment_date(&self, e: &ExperimentData) -> Option<jiff::civil::Date> {
        let fm = &self.docs[e.doc].fm;
        fm.ended.or(fm.started).or(fm.date)
    }

    /// The document of `kind` with `slug`: documents are sorted by kind and
    /// slug, so this is a binary search.
    pub fn find(&self, kind: Kind, slug: &str) -> Option<usize> {
        self.docs
            .binary_search_by(|d| (d.kind, d.slug.as_str()).cmp(&(kind, slug)))
            .ok()
    }
}

/// Build the model from every parsed document. Problems are pushed to `diags`.
pub fn resolve(
    mut all: Vec<Arc<Document>>,
    assets: Arc<Assets>,
    selection: Selection,
    diags: &mut Vec<Diagnostic>,
) -> Model {
    links::yield_readme_addresses(&mut all);
    all.sort_by(|a, b| (a.kind, &a.slug, &a.source.path).cmp(&(b.kind, &b.slug, &b.source.path)));
    report_duplicates(&mut all, diags);

    // Decide what is kept, then renumber.
    let kept: Vec<bool> = all.iter().map(|d| selection.includes(d)).collect();
    let public = selection.audience == Some(Visibility::Public);
    let withheld = if public {
        links::withheld_files(&all, &kept, &assets)
    } else {
        Default::default()
    };
    let (index, targets_of_md) = rayon::join(
        || Index::new(&all),
        || links::Targets::new(&all, &assets, withheld),
    );
    // Each kept document's index among the kept ones.
    let new_index: Vec<Option<usize>> = kept
        .iter()
        .scan(0, |n, &k| {
            let at = k.then_some(*n);
            *n += usize::from(k);
            Some(at)
        })
        .collect();
    let kept_ref = |old: usize| -> Option<usize> { new_index[old] };
    let n = kept.iter().filter(|&&k| k).count();

    // Per kept document, in parallel: its front-matter references, checked
    // against every document in the source; its wiki links; its Markdown
    // links and images. Problems keep document order.
    let per_doc: Vec<_> = (0..all.len())
        .into_par_iter()
        .filter(|&i| kept[i])
        .map(|i| {
            let d = &all[i];
            let mut diags = Vec::new();
            let refs = check_references(d, &all, &index, &kept_ref, &selection, &mut diags);
            let mut targets = Vec::with_capacity(d.wiki_links.len());
            let mut linked = links::Linked::default();
            for link in &d.wiki_links {
                targets.push(resolve_wiki_link(
                    d,
                    link,
                    &all,
                    &index,
                    &kept_ref,
                    &selection,
                    &mut diags,
                    &mut linked.docs,
                ));
            }
            let md = links::resolve_links(
                d,
                &targets_of_md,
                &kept_ref,
                &selection,
                &mut diags,
                &mut linked,
            );
            (refs, targets, md, linked, diags)
        })
        .collect();
    let mut refs: Vec<Refs> = Vec::with_capacity(n);
    let mut links = Vec::with_capacity(n);
    let mut md_links = Vec::with_capacity(n);
    let mut link_sources: Vec<Vec<usize>> = Vec::with_capacity(n);
    let mut used_files: std::collections::HashSet<String> = Default::default();
    for (r, targets, md, linked, mut found) in per_doc {
        refs.push(r);
        links.push(targets);
        md_links.push(md);
        link_sources.push(linked.docs);
        used_files.extend(linked.files);
        diags.append(&mut found);
    }

    drop(targets_of_md);
    let docs: Vec<Arc<Document>> = all
        .into_iter()
        .zip(&kept)
        .filter(|(_, k)| **k)
        .map(|(d, _)| d)
        .collect();
    let mut aliases = links::check_addresses(&docs, diags);
    // A file beside the content at an old address is what stays there.
    aliases.retain(|(a, _)| assets.get(a.trim_start_matches('/')).is_none());
    let mut model = build::build_model(docs, refs, links, link_sources, selection, diags);
    model.md_links = md_links;
    model.aliases = aliases;
    // A public build publishes the files its pages use; any other, every
    // file beside the content.
    model.assets = if public {
        let used = assets
            .0
            .iter()
            .filter(|(rel, _)| used_files.contains(rel.as_str()))
            .map(|(rel, disk)| (rel.clone(), disk.clone()))
            .collect();
        Arc::new(Assets(used))
    } else {
        assets
    };
    model
}

/// Where a document's derived data is: its index in the list of its kind
/// (`Model::playbooks`, `hypotheses`, `experiments`); plain pages have none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    Playbook(usize),
    Hypothesis(usize),
    Experiment(usize),
    Page,
}

impl Item {
    pub fn playbook(self) -> Option<usize> {
        match self {
            Item::Playbook(i) => Some(i),
            _ => None,
        }
    }

    pub fn hypothesis(self) -> Option<usize> {
        match self {
            Item::Hypothesis(i) => Some(i),
            _ => None,
        }
    }

    pub fn experiment(self) -> Option<usize> {
        match self {
            Item::Experiment(i) => Some(i),
            _ => None,
        }
    }

    /// The index in the list of its kind; `None` for a plain page.
    pub fn index(self) -> Option<usize> {
        match self {
            Item::Playbook(i) | Item::Hypothesis(i) | Item::Experiment(i) => Some(i),
            Item::Page => None,
        }
    }
}

impl Model {
    /// Whether `self` holds the same documents as `old`, of the same kinds
    /// at the same addresses and in the same order.
    pub fn same_places(&self, old: &Model) -> bool {
        self.docs.len() == old.docs.len()
            && self.item == old.item
            && old.docs.iter().zip(&self.docs).all(|(a, b)| {
                (a.kind, &a.slug, &a.url, &a.source.rel) == (b.kind, &b.slug, &b.url, &b.source.rel)
            })
    }

    /// Per document, whether what resolve derived for it differs from
    /// `old`'s (which holds the same places): its item's data, its links,
    /// backlinks and visibility.
    pub fn changed_since(&self, old: &Model) -> Vec<bool> {
        let mut changed = vec![false; self.docs.len()];
        for (a, b) in old.playbooks.iter().zip(&self.playbooks) {
            changed[b.doc] |= a != b;
        }
        for (a, b) in old.hypotheses.iter().zip(&self.hypotheses) {
            changed[b.doc] |= a != b;
        }
        for (a, b) in old.experiments.iter().zip(&self.experiments) {
            changed[b.doc] |= a != b;
        }
        for (i, c) in changed.iter_mut().enumerate() {
            *c |= old.links[i] != self.links[i]
                || old.md_links[i] != self.md_links[i]
                || old.backlinks[i] != self.backlinks[i]
                || self.visibility(i) != old.visibility(i);
        }
        changed
    }

    /// Put `new` in place of document `i`, which differs at most in its
    /// title and body (`Document::same_apart_from_title`): the wiki links
    /// that show its title follow. Returns the documents whose links
    /// changed. The log's order, which ties by title, is the caller's to
    /// renew once every retitled document is in.
    pub fn retitle(&mut self, i: usize, new: Arc<Document>) -> Vec<usize> {
        let mut changed = Vec::new();
        // A wiki link to the document carries its title: the links of the
        // documents that link to it (and its own, to itself).
        let url = new.url.clone();
        let to_it = |target: &str| {
            target
                .strip_prefix(url.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('#'))
        };
        let sources: Vec<usize> = std::iter::once(i)
            .chain(self.backlinks[i].iter().copied())
            .collect();
        for j in sources {
            for (target, title) in self.links[j].iter_mut().flatten() {
                if to_it(target) && *title != new.title {
                    title.clone_from(&new.title);
                    changed.push(j);
                }
            }
        }
        self.docs[i] = new;
        changed
    }

    /// The derived data of experiment document `doc`, if it is one.
    pub fn experiment_of(&self, doc: usize) -> Option<&ExperimentData> {
        self.item[doc].experiment().map(|i| &self.experiments[i])
    }

    /// The derived data of hypothesis document `doc`, if it is one.
    pub fn hypothesis_of(&self, doc: usize) -> Option<&HypothesisData> {
        self.item[doc].hypothesis().map(|i| &self.hypotheses[i])
    }
}

pub fn derive_status(validated: bool, invalidated: bool) -> HypothesisStatus {
    match (validated, invalidated) {
        (false, false) => HypothesisStatus::Untested,
        (true, false) => HypothesisStatus::Supported,
        (false, true) => HypothesisStatus::Refuted,
        (true, true) => HypothesisStatus::Contested,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::SourceFile;
    use crate::parse::parse_document;
    use std::path::PathBuf;

    fn doc(rel: &str, text: &str) -> Arc<Document> {
        let f = SourceFile {
            path: PathBuf::from(rel),
            rel: rel.into(),
            text: text.into(),
            mtime: None,
        };
        let (d, diags) = parse_document(f);
        assert!(diags.iter().all(|d| !d.is_error()), "{diags:?}");
        Arc::new(d.unwrap())
    }

    fn site() -> Vec<Arc<Document>> {
        vec![
            doc("playbooks/p.md", "---\ntitle: P\nstages:\n  - {id: one, title: One}\n  - {id: two, title: Two}\n---\n"),
            doc("hypotheses/h.md", "---\ntitle: H\nplaybook: p\nstage: two\n---\n"),
            doc("hypotheses/g.md", "---\ntitle: G\n---\n"),
            doc("experiments/e1.md", "---\ntitle: E1\nhypothesis: h\nstatus: validated\nended: 2026-01-02\n---\nSee [[e2]]."),
            doc("experiments/e2.md", "---\ntitle: E2\nhypothesis: h\nstatus: invalidated\nfollows: e1\nended: 2026-02-01\n---\n"),
            doc("experiments/e3.md", "---\ntitle: E3\nhypothesis: g\nstatus: running\nvisibility: public\n---\n"),
        ]
    }

    #[test]
    fn derives_status_evidence_chains_and_defaults() {
        let mut diags = vec![];
        let m = resolve(site(), Default::default(), Selection::default(), &mut diags);
        assert!(diags.is_empty(), "{diags:?}");
        let h = m
            .hypotheses
            .iter()
            .find(|h| m.docs[h.doc].slug == "h")
            .unwrap();
        assert_eq!(h.status, HypothesisStatus::Contested);
        let g = m
            .hypotheses
            .iter()
            .find(|h| m.docs[h.doc].slug == "g")
            .unwrap();
        assert_eq!(g.status, HypothesisStatus::Untested);
        let e1 = m
            .experiments
            .iter()
            .position(|e| m.docs[e.doc].slug == "e1")
            .unwrap();
        let e2 = m
            .experiments
            .iter()
            .position(|e| m.docs[e.doc].slug == "e2")
            .unwrap();
        assert_eq!(m.experiments[e2].follows, Some(e1));
        assert_eq!(m.experiments[e1].followed_by, vec![e2]);
        assert_eq!(m.experiments[e1].stage.as_deref(), Some("two"));
        assert_eq!(
            m.playbooks[0].evidence,
            Evidence {
                contested: 1,
                ..Evidence::default()
            }
        );
        assert_eq!(m.playbooks[0].stages[1].experiments.len(), 2);
        assert_eq!(
            m.backlinks[m.experiments[e2].doc],
            vec![m.experiments[e1].doc]
        );
        assert_eq!(log_order(&m)[0], e2);
    }

    #[test]
    fn public_audience_drops_internal_items_and_their_traces() {
        let mut diags = vec![];
        let sel = Selection {
            audience: Some(Visibility::Public),
            ..Selection::default()
        };
        let m = resolve(site(), Default::default(), sel, &mut diags);
        assert_eq!(m.docs.len(), 1);
        assert_eq!(m.experiments[0].hypothesis, None);
        assert!(diags
            .iter()
            .any(|d| !d.is_error() && d.message.contains("internal")));
    }

    #[test]
    fn dangling_references_are_errors_at_their_value() {
        let mut docs = site();
        docs.push(doc(
            "experiments/e4.md",
            "---\ntitle: E4\nhypothesis: hh\n---\n[[nowhere]]",
        ));
        let mut diags = vec![];
        resolve(docs, Default::default(), Selection::default(), &mut diags);
        let errors: Vec<_> = diags.iter().filter(|d| d.is_error()).collect();
        assert_eq!(errors.len(), 2);
        assert!(errors.iter().any(
            |d| d.message.contains("no hypothesis with slug `hh`") && d.span.unwrap().line == 3
        ));
        assert!(errors
            .iter()
            .any(|d| d.message.contains("nowhere") && d.span.unwrap().line == 5));
    }

    #[test]
    fn wrong_stage_lists_the_playbooks_stages() {
        let mut docs = site();
        docs.push(doc(
            "hypotheses/x.md",
            "---\ntitle: X\nplaybook: p\nstage: tow\n---\n",
        ));
        let mut diags = vec![];
        resolve(docs, Default::default(), Selection::default(), &mut diags);
        assert_eq!(diags.len(), 1);
        assert_eq!(
            diags[0].help.as_deref(),
            Some("did you mean `two`? its stages are: one, two")
        );
    }
}
