//! The model as data: the JSON export (`data/*.json`, every field in
//! docs/json.md), which is also the `page` object templates receive. One
//! struct per kind, built once per item from the resolved model, sharing
//! its first and last fields (`Identity`, `Ownership`, `Links`).

use crate::git::History;
use crate::model::{
    Decision, ExperimentStatus, HypothesisStatus, Ice, Kind, Metric, PlaybookStatus, Visibility,
};
use crate::resolve::{Evidence, Model};
use rayon::prelude::*;
use serde::Serialize;

/// What every entry starts with.
#[derive(Debug, Clone, Serialize)]
pub struct Identity {
    pub slug: String,
    pub title: String,
    pub url: String,
}

/// Who owns an item and who may see it: every entry carries these.
#[derive(Debug, Clone, Serialize)]
pub struct Ownership {
    pub owner: Option<String>,
    pub team: Option<String>,
    pub tags: Vec<String>,
    pub visibility: Visibility,
}

/// What every entry ends with: the pages that link to it, and its history.
#[derive(Debug, Clone, Serialize)]
pub struct Links {
    pub backlinks: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<History>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StageExport {
    pub id: String,
    pub title: String,
    pub goal: Option<String>,
    pub hypotheses: Vec<String>,
    pub experiments: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlaybookExport {
    #[serde(flatten)]
    pub identity: Identity,
    pub status: PlaybookStatus,
    pub version: Option<String>,
    #[serde(flatten)]
    pub ownership: Ownership,
    pub stages: Vec<StageExport>,
    /// The stage the team is at (an id), written or derived; null when no
    /// stage is current.
    pub current_stage: Option<String>,
    pub evidence: Evidence,
    #[serde(flatten)]
    pub links: Links,
}

#[derive(Debug, Clone, Serialize)]
pub struct HypothesisExport {
    #[serde(flatten)]
    pub identity: Identity,
    pub statement: Option<String>,
    pub playbook: Option<String>,
    pub stage: Option<String>,
    pub status: HypothesisStatus,
    pub experiments: Vec<String>,
    #[serde(flatten)]
    pub ownership: Ownership,
    #[serde(flatten)]
    pub links: Links,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExperimentExport {
    #[serde(flatten)]
    pub identity: Identity,
    pub status: ExperimentStatus,
    pub hypothesis: Option<String>,
    pub playbook: Option<String>,
    pub stage: Option<String>,
    pub started: Option<String>,
    pub ended: Option<String>,
    pub metrics: Vec<MetricExport>,
    pub decision: Option<Decision>,
    pub follows: Option<String>,
    pub followed_by: Vec<String>,
    pub ice: Option<Ice>,
    pub ice_score: Option<u32>,
    /// The sample-ratio check's p, and whether it is a mismatch (`null`
    /// without counts).
    pub srm_p: Option<f64>,
    pub srm: Option<bool>,
    /// Whether the counts back the claim its status makes (`null` without
    /// counts on the primary metric).
    pub backed: Option<bool>,
    #[serde(flatten)]
    pub ownership: Ownership,
    #[serde(flatten)]
    pub links: Links,
}

/// A metric as written, baseline and actual filled from its counts, and
/// what the counts say.
#[derive(Debug, Clone, Serialize)]
pub struct MetricExport {
    #[serde(flatten)]
    pub metric: Metric,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<crate::stats::Evidence>,
}

/// The documents a view read, as it read them: what building a page's
/// view records here is that page's dependencies, so that `serve` renders
/// it again when one of them changes. Nothing restates them by hand.
#[derive(Debug, Default)]
pub struct Reads(std::sync::Mutex<Vec<usize>>);

impl Reads {
    pub fn note(&self, doc: usize) {
        self.0.lock().expect("lock").push(doc);
    }

    /// Every document read, once each, in order.
    pub fn into_docs(self) -> Vec<usize> {
        let mut docs = self.0.into_inner().expect("lock");
        docs.sort_unstable();
        docs.dedup();
        docs
    }
}

/// Everything the export needs besides the model: URL prefix and history.
pub struct ExportContext<'a> {
    pub model: &'a Model,
    pub prefix: &'a str,
    pub histories: &'a [Option<History>],
    /// Where a page's view records the documents the export reads.
    pub reads: Option<&'a Reads>,
}

impl ExportContext<'_> {
    pub fn url(&self, doc: usize) -> String {
        self.note(doc);
        format!("{}{}", self.prefix, self.model.docs[doc].url)
    }

    fn note(&self, doc: usize) {
        if let Some(reads) = self.reads {
            reads.note(doc);
        }
    }

    fn slug(&self, doc: usize) -> String {
        self.note(doc);
        self.model.docs[doc].slug.clone()
    }

    fn backlinks(&self, doc: usize) -> Vec<String> {
        self.model.backlinks[doc]
            .iter()
            .map(|&b| self.url(b))
            .collect()
    }

    fn identity(&self, doc: usize) -> Identity {
        let d = &self.model.docs[doc];
        Identity {
            slug: d.slug.clone(),
            title: d.title.clone(),
            url: self.url(doc),
        }
    }

    fn ownership(&self, doc: usize) -> Ownership {
        let d = &self.model.docs[doc];
        Ownership {
            owner: d.fm.owner.clone(),
            team: d.fm.team.clone(),
            tags: d.fm.tags.clone(),
            visibility: self.model.visibility(doc),
        }
    }

    fn links(&self, doc: usize) -> Links {
        Links {
            backlinks: self.backlinks(doc),
            history: self.histories[doc].clone(),
        }
    }

    pub fn playbook(&self, i: usize) -> PlaybookExport {
        let m = self.model;
        let p = &m.playbooks[i];
        let d = &m.docs[p.doc];
        PlaybookExport {
            identity: self.identity(p.doc),
            status: d.playbook_status,
            version: d.fm.version.clone(),
            ownership: self.ownership(p.doc),
            current_stage: p.current_stage.map(|n| p.stages[n].id.clone()),
            stages: p
                .stages
                .iter()
                .map(|s| StageExport {
                    id: s.id.clone(),
                    title: s.title.clone(),
                    goal: s.goal.clone(),
                    hypotheses: s
                        .hypotheses
                        .iter()
                        .map(|&h| self.slug(m.hypotheses[h].doc))
                        .collect(),
                    experiments: s
                        .experiments
                        .iter()
                        .map(|&e| self.slug(m.experiments[e].doc))
                        .collect(),
                })
                .collect(),
            evidence: p.evidence,
            links: self.links(p.doc),
        }
    }

    pub fn hypothesis(&self, i: usize) -> HypothesisExport {
        let m = self.model;
        let h = &m.hypotheses[i];
        let d = &m.docs[h.doc];
        HypothesisExport {
            identity: self.identity(h.doc),
            statement: d.fm.statement.clone(),
            playbook: h.playbook.map(|p| self.slug(m.playbooks[p].doc)),
            stage: h.stage.clone(),
            status: h.status,
            experiments: h
                .experiments
                .iter()
                .map(|&e| self.slug(m.experiments[e].doc))
                .collect(),
            ownership: self.ownership(h.doc),
            links: self.links(h.doc),
        }
    }

    pub fn experiment(&self, i: usize) -> ExperimentExport {
        let m = self.model;
        let e = &m.experiments[i];
        let d = &m.docs[e.doc];
        ExperimentExport {
            identity: self.identity(e.doc),
            status: e.status,
            hypothesis: e.hypothesis.map(|h| self.slug(m.hypotheses[h].doc)),
            playbook: e.playbook.map(|p| self.slug(m.playbooks[p].doc)),
            stage: e.stage.clone(),
            started: d.fm.started.map(|x| x.to_string()),
            ended: d.fm.ended.map(|x| x.to_string()),
            metrics: d
                .fm
                .metrics
                .iter()
                .zip(e.evidence.iter().cloned().chain(std::iter::repeat(None)))
                .map(|(m, evidence)| MetricExport {
                    metric: m.clone(),
                    evidence,
                })
                .collect(),
            decision: d.fm.decision,
            follows: e.follows.map(|f| self.slug(m.experiments[f].doc)),
            followed_by: e
                .followed_by
                .iter()
                .map(|&f| self.slug(m.experiments[f].doc))
                .collect(),
            ice: d.fm.ice,
            ice_score: e.ice_score,
            srm_p: e.srm_p,
            srm: e.srm,
            backed: e.backed,
            ownership: self.ownership(e.doc),
            links: self.links(e.doc),
        }
    }
}

/// One document's entry in its kind's JSON file, pretty-printed as it
/// stands in the array; `None` for plain pages.
pub fn json_entry(ctx: &ExportContext, doc: usize) -> Option<Vec<u8>> {
    let m = ctx.model;
    let i = m.item[doc].index()?;
    let value = match m.docs[doc].kind {
        Kind::Playbook => serde_json::to_vec_pretty(&ctx.playbook(i)),
        Kind::Hypothesis => serde_json::to_vec_pretty(&ctx.hypothesis(i)),
        Kind::Experiment => serde_json::to_vec_pretty(&ctx.experiment(i)),
        Kind::Page => return None,
    }
    .ok()?;
    // Indent by one level, as inside the array.
    let mut out = Vec::with_capacity(value.len() + value.len() / 16);
    for (n, line) in value.split(|&b| b == b'\n').enumerate() {
        if n > 0 {
            out.push(b'\n');
        }
        out.extend_from_slice(b"  ");
        out.extend_from_slice(line);
    }
    Some(out)
}

/// The three JSON files from each document's entry (see `json_entry`), in
/// the model's order: the bytes `serde_json::to_vec_pretty` gives for the
/// whole arrays, so that one changed entry costs one entry.
///
/// Only the files of the kinds marked in `kinds` (by `Kind as usize`).
pub fn json_files_from(
    m: &Model,
    entries: &[Option<Vec<u8>>],
    kinds: &[bool; 4],
) -> Vec<(String, Vec<u8>)> {
    let file = |docs: &mut dyn Iterator<Item = usize>| {
        let docs: Vec<usize> = docs.collect();
        let size: usize = docs
            .iter()
            .filter_map(|&d| entries[d].as_ref())
            .map(|e| e.len() + 2)
            .sum();
        let mut out = Vec::with_capacity(size + 4);
        out.push(b'[');
        let mut first = true;
        for d in docs {
            let Some(entry) = &entries[d] else { continue };
            out.extend_from_slice(if first { b"\n" } else { b",\n" });
            out.extend_from_slice(entry);
            first = false;
        }
        if !first {
            out.push(b'\n');
        }
        out.extend_from_slice(b"]\n");
        out
    };
    let mut files = Vec::new();
    if kinds[Kind::Playbook as usize] {
        let docs = &mut m.playbooks.iter().map(|p| p.doc);
        files.push(("data/playbooks.json".into(), file(docs)));
    }
    if kinds[Kind::Hypothesis as usize] {
        let docs = &mut m.hypotheses.iter().map(|h| h.doc);
        files.push(("data/hypotheses.json".into(), file(docs)));
    }
    if kinds[Kind::Experiment as usize] {
        let docs = &mut m.experiments.iter().map(|e| e.doc);
        files.push(("data/experiments.json".into(), file(docs)));
    }
    files
}

/// The three JSON files, pretty-printed, in the model's order.
pub fn json_files(ctx: &ExportContext) -> Vec<(String, Vec<u8>)> {
    let entries: Vec<Option<Vec<u8>>> = (0..ctx.model.docs.len())
        .into_par_iter()
        .map(|d| json_entry(ctx, d))
        .collect();
    json_files_from(ctx.model, &entries, &[true; 4])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The entries joined give what serde_json gives for the whole array.
    #[test]
    fn entries_join_into_the_pretty_array() {
        // The example site, as `gemba init` writes it.
        let dir = tempfile::tempdir().unwrap();
        crate::scaffold::init(dir.path(), false).unwrap();
        let opts = crate::site::BuildOptions {
            root: dir.path().to_path_buf(),
            ..Default::default()
        };
        let (sources, _, _) = crate::site::read_sources(&opts, &dir.path().join("content"));
        let docs = sources.into_values().filter_map(|(doc, _)| doc).collect();
        let site = crate::resolve::resolve(
            docs,
            Default::default(),
            Default::default(),
            &mut Vec::new(),
        );
        let ctx = ExportContext {
            model: &site,
            prefix: "",
            histories: &vec![None; site.docs.len()],
            reads: None,
        };
        let whole = |v: &dyn erased::Json| v.to_vec();
        let playbooks: Vec<_> = (0..site.playbooks.len()).map(|i| ctx.playbook(i)).collect();
        let hypotheses: Vec<_> = (0..site.hypotheses.len())
            .map(|i| ctx.hypothesis(i))
            .collect();
        let experiments: Vec<_> = (0..site.experiments.len())
            .map(|i| ctx.experiment(i))
            .collect();
        let expected = vec![
            ("data/playbooks.json".to_string(), whole(&playbooks)),
            ("data/hypotheses.json".to_string(), whole(&hypotheses)),
            ("data/experiments.json".to_string(), whole(&experiments)),
        ];
        assert!(!experiments.is_empty());
        assert_eq!(json_files(&ctx), expected);
        let empty: Vec<ExperimentExport> = Vec::new();
        let none = json_files_from(&site, &vec![None; site.docs.len()], &[true; 4]);
        assert_eq!(none[0].1, whole(&empty));
    }
}

#[cfg(test)]
mod erased {
    pub trait Json {
        fn to_vec(&self) -> Vec<u8>;
    }
    impl<T: serde::Serialize> Json for T {
        fn to_vec(&self) -> Vec<u8> {
            let mut v = serde_json::to_vec_pretty(self).unwrap_or_default();
            v.push(b'\n');
            v
        }
    }
}
