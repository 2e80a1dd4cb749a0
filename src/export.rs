//! The model as data: the JSON export of DESIGN section 4 (`data/*.json`),
//! which is also the `page` object templates receive. One struct per kind,
//! built once per item from the resolved model.

use crate::git::History;
use crate::model::{Decision, Ice, Metric, Visibility};
use crate::resolve::{Evidence, Model};
use serde::Serialize;

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
    pub slug: String,
    pub title: String,
    pub url: String,
    pub status: crate::model::PlaybookStatus,
    pub version: Option<String>,
    pub owner: Option<String>,
    pub team: Option<String>,
    pub tags: Vec<String>,
    pub visibility: Visibility,
    pub stages: Vec<StageExport>,
    pub evidence: Evidence,
    pub backlinks: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<History>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HypothesisExport {
    pub slug: String,
    pub title: String,
    pub url: String,
    pub statement: Option<String>,
    pub playbook: Option<String>,
    pub stage: Option<String>,
    pub status: crate::model::HypothesisStatus,
    pub experiments: Vec<String>,
    pub owner: Option<String>,
    pub tags: Vec<String>,
    pub visibility: Visibility,
    pub backlinks: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<History>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExperimentExport {
    pub slug: String,
    pub title: String,
    pub url: String,
    pub status: crate::model::ExperimentStatus,
    pub hypothesis: Option<String>,
    pub playbook: Option<String>,
    pub stage: Option<String>,
    pub started: Option<String>,
    pub ended: Option<String>,
    pub metrics: Vec<Metric>,
    pub decision: Option<Decision>,
    pub follows: Option<String>,
    pub followed_by: Vec<String>,
    pub ice: Option<Ice>,
    pub ice_score: Option<u32>,
    pub owner: Option<String>,
    pub team: Option<String>,
    pub tags: Vec<String>,
    pub visibility: Visibility,
    pub backlinks: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<History>,
}

/// Everything the export needs besides the model: URL prefix and history.
pub struct ExportContext<'a> {
    pub model: &'a Model,
    pub prefix: &'a str,
    pub histories: &'a [Option<History>],
}

impl ExportContext<'_> {
    pub fn url(&self, doc: usize) -> String {
        format!("{}{}", self.prefix, self.model.docs[doc].url)
    }

    fn slug(&self, doc: usize) -> String {
        self.model.docs[doc].slug.clone()
    }

    fn backlinks(&self, doc: usize) -> Vec<String> {
        self.model.backlinks[doc]
            .iter()
            .map(|&b| self.url(b))
            .collect()
    }

    pub fn playbook(&self, i: usize) -> PlaybookExport {
        let m = self.model;
        let p = &m.playbooks[i];
        let d = &m.docs[p.doc];
        PlaybookExport {
            slug: d.slug.clone(),
            title: d.title.clone(),
            url: self.url(p.doc),
            status: d.playbook_status,
            version: d.fm.version.clone(),
            owner: d.fm.owner.clone(),
            team: d.fm.team.clone(),
            tags: d.fm.tags.clone(),
            visibility: m.visibility(p.doc),
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
            backlinks: self.backlinks(p.doc),
            history: self.histories[p.doc].clone(),
        }
    }

    pub fn hypothesis(&self, i: usize) -> HypothesisExport {
        let m = self.model;
        let h = &m.hypotheses[i];
        let d = &m.docs[h.doc];
        HypothesisExport {
            slug: d.slug.clone(),
            title: d.title.clone(),
            url: self.url(h.doc),
            statement: d.fm.statement.clone(),
            playbook: h.playbook.map(|p| self.slug(m.playbooks[p].doc)),
            stage: h.stage.clone(),
            status: h.status,
            experiments: h
                .experiments
                .iter()
                .map(|&e| self.slug(m.experiments[e].doc))
                .collect(),
            owner: d.fm.owner.clone(),
            tags: d.fm.tags.clone(),
            visibility: m.visibility(h.doc),
            backlinks: self.backlinks(h.doc),
            history: self.histories[h.doc].clone(),
        }
    }

    pub fn experiment(&self, i: usize) -> ExperimentExport {
        let m = self.model;
        let e = &m.experiments[i];
        let d = &m.docs[e.doc];
        ExperimentExport {
            slug: d.slug.clone(),
            title: d.title.clone(),
            url: self.url(e.doc),
            status: e.status,
            hypothesis: e.hypothesis.map(|h| self.slug(m.hypotheses[h].doc)),
            playbook: e.playbook.map(|p| self.slug(m.playbooks[p].doc)),
            stage: e.stage.clone(),
            started: d.fm.started.map(|x| x.to_string()),
            ended: d.fm.ended.map(|x| x.to_string()),
            metrics: d.fm.metrics.clone(),
            decision: d.fm.decision,
            follows: e.follows.map(|f| self.slug(m.experiments[f].doc)),
            followed_by: e
                .followed_by
                .iter()
                .map(|&f| self.slug(m.experiments[f].doc))
                .collect(),
            ice: d.fm.ice,
            ice_score: e.ice_score,
            owner: d.fm.owner.clone(),
            team: d.fm.team.clone(),
            tags: d.fm.tags.clone(),
            visibility: m.visibility(e.doc),
            backlinks: self.backlinks(e.doc),
            history: self.histories[e.doc].clone(),
        }
    }
}

/// The three JSON files, pretty-printed, in the model's order.
pub fn json_files(ctx: &ExportContext) -> Vec<(String, Vec<u8>)> {
    let m = ctx.model;
    let playbooks: Vec<_> = (0..m.playbooks.len()).map(|i| ctx.playbook(i)).collect();
    let hypotheses: Vec<_> = (0..m.hypotheses.len()).map(|i| ctx.hypothesis(i)).collect();
    let experiments: Vec<_> = (0..m.experiments.len())
        .map(|i| ctx.experiment(i))
        .collect();
    let pretty = |v: &dyn erased::Json| v.to_vec();
    vec![
        ("data/playbooks.json".into(), pretty(&playbooks)),
        ("data/hypotheses.json".into(), pretty(&hypotheses)),
        ("data/experiments.json".into(), pretty(&experiments)),
    ]
}

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
