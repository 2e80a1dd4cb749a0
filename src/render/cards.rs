//! Cards: the small object every list, board and neighbour link shows of a
//! document, built once per document with its HTML, and shared. What a
//! card reads of other documents is recorded (`View`), and kept as the
//! card's dependencies.

use super::evidence;
use super::view::View;
use super::{Global, RenderInput};
use crate::model::{
    Decision, ExperimentStatus, HypothesisStatus, Ice, Kind, PlaybookStatus, Visibility,
};
use rayon::prelude::*;
use serde::Serialize;

/// A document as lists and boards show it.
#[derive(Debug, Clone, Serialize)]
pub struct Card {
    pub kind: Kind,
    pub slug: String,
    pub title: String,
    pub url: String,
    pub summary: String,
    pub owner: Option<String>,
    pub team: Option<String>,
    pub tags: Vec<String>,
    pub date: Option<String>,
    pub visibility: Visibility,
    #[serde(flatten)]
    pub of_kind: KindCard,
    /// The short facts under the title: dates, decision, headline metric,
    /// owner and team, in that order.
    pub facts: Vec<String>,
}

/// What a card shows of its kind.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum KindCard {
    Playbook {
        status: PlaybookStatus,
        version: Option<String>,
        /// Where the team is: "Stage 3 of 5 · Map-Making".
        position: Option<Position>,
        /// Each stage's state in order (done, current, open, ahead), for
        /// a progress strip.
        stage_states: Vec<&'static str>,
    },
    Hypothesis {
        status: HypothesisStatus,
        statement: Option<String>,
        experiment_count: usize,
        playbook: Option<String>,
    },
    Experiment {
        status: ExperimentStatus,
        concluded: bool,
        decision: Option<Decision>,
        started: Option<String>,
        ended: Option<String>,
        ice: Option<Ice>,
        ice_score: Option<u32>,
        playbook: Option<String>,
        playbook_title: Option<String>,
        hypothesis_title: Option<String>,
        headline: Option<Headline>,
        /// The primary metric's result in one line (with counts).
        result: Option<String>,
        /// Its verdict (with counts): win, loss or inconclusive.
        verdict: Option<&'static str>,
        /// Why it counts as evidence for its hypothesis, or why not.
        counts_as: String,
    },
    Page {},
}

/// The stage a playbook's team is at.
#[derive(Debug, Clone, Serialize)]
pub struct Position {
    pub number: usize,
    pub of: usize,
    pub id: String,
    pub title: String,
    /// "Stage 3 of 5 · Map-Making".
    pub text: String,
}

/// Where playbook `p`'s team is, `None` when no stage is current.
pub fn position(p: &crate::resolve::PlaybookData) -> Option<Position> {
    let n = p.current_stage?;
    let stage = &p.stages[n];
    Some(Position {
        number: n + 1,
        of: p.stages.len(),
        id: stage.id.clone(),
        title: stage.title.clone(),
        text: format!("Stage {} of {} · {}", n + 1, p.stages.len(), stage.title),
    })
}

/// An experiment's first metric, in one line.
#[derive(Debug, Clone, Serialize)]
pub struct Headline {
    pub name: String,
    pub text: String,
    pub met: Option<bool>,
}

/// The card of document `doc`.
pub(super) fn card(view: &View, doc: usize) -> Card {
    let d = view.doc(doc);
    let of_kind = match d.kind {
        Kind::Playbook => {
            let p = view.playbook(view.item(doc));
            KindCard::Playbook {
                status: d.playbook_status,
                version: d.fm.version.clone(),
                position: position(p),
                stage_states: p.stages.iter().map(|s| s.state.name()).collect(),
            }
        }
        Kind::Hypothesis => {
            let h = view.hypothesis(view.item(doc));
            KindCard::Hypothesis {
                status: h.status,
                statement: d.fm.statement.clone(),
                experiment_count: h.experiments.len(),
                playbook: h
                    .playbook
                    .map(|p| view.doc(view.playbook(p).doc).slug.clone()),
            }
        }
        Kind::Experiment => {
            let e = view.experiment(view.item(doc));
            let playbook = e.playbook.map(|p| view.doc(view.playbook(p).doc));
            KindCard::Experiment {
                status: e.status,
                concluded: e.status.is_concluded(),
                decision: d.fm.decision,
                started: d.fm.started.map(|x| x.to_string()),
                ended: d.fm.ended.map(|x| x.to_string()),
                ice: d.fm.ice,
                ice_score: e.ice_score,
                playbook: playbook.map(|p| p.slug.clone()),
                playbook_title: playbook.map(|p| p.title.clone()),
                hypothesis_title: e
                    .hypothesis
                    .map(|h| view.doc(view.hypothesis(h).doc).title.clone()),
                headline: d.fm.metrics.first().map(|mt| Headline {
                    name: mt.name.clone(),
                    text: evidence::metric_text(mt),
                    met: mt.meets_target(),
                }),
                result: evidence::result_line(e, d).map(evidence::unbroken),
                verdict: e.primary_evidence().map(|(_, ev)| ev.verdict.name()),
                counts_as: evidence::counts_as(e, d),
            }
        }
        Kind::Page => KindCard::Page {},
    };
    let mut facts = Vec::new();
    match &of_kind {
        KindCard::Experiment {
            started,
            ended,
            decision,
            result,
            ..
        } => {
            if let Some(e) = ended {
                facts.push(format!("ended {e}"));
            } else if let Some(s) = started {
                facts.push(format!("started {s}"));
            }
            // The result and the decision have a line of their own.
            let _ = (decision, result);
        }
        KindCard::Hypothesis {
            experiment_count: n,
            ..
        } => {
            facts.push(format!("{n} experiment{}", if *n == 1 { "" } else { "s" }));
        }
        _ => {}
    }
    facts.extend(d.fm.owner.clone());
    facts.extend(d.fm.team.clone());
    Card {
        kind: d.kind,
        slug: d.slug.clone(),
        title: d.title.clone(),
        url: view.url(doc),
        summary: view.summary(doc),
        owner: d.fm.owner.clone(),
        team: d.fm.team.clone(),
        tags: d.fm.tags.clone(),
        date: d.fm.date.map(|x| x.to_string()),
        visibility: view.visibility(doc),
        of_kind,
        facts,
    }
}

/// The card of every document as a template value, shared by every page
/// and list that shows it, and the documents each card read.
pub struct Cards {
    pub tera: Vec<tera::Value>,
    pub deps: Vec<Vec<usize>>,
    /// The cards' digests, for the keys of the pages that show them.
    pub known: crate::keys::KnownMaps,
}

impl Cards {
    pub fn all(input: &RenderInput, global: &Global) -> Cards {
        let (tera, deps) = (0..input.model.docs.len())
            .into_par_iter()
            .map(|i| card_value(input, global, i))
            .unzip();
        let mut known = crate::keys::KnownMaps::default();
        for card in &tera {
            known.learn(card);
        }
        Cards { tera, deps, known }
    }

    /// Recompute the cards of `docs`; returns the documents whose card changed.
    pub fn refresh(&mut self, input: &RenderInput, global: &Global, docs: &[usize]) -> Vec<usize> {
        let mut changed = Vec::new();
        for &d in docs {
            let (card, deps) = card_value(input, global, d);
            self.deps[d] = deps;
            if card != self.tera[d] {
                self.known.forget(&self.tera[d]);
                self.known.learn(&card);
                self.tera[d] = card;
                changed.push(d);
            }
        }
        changed
    }

    /// The documents whose cards read any document marked in `docs`.
    pub fn reading(&self, docs: &[bool]) -> Vec<usize> {
        (0..self.deps.len())
            .filter(|&d| self.deps[d].iter().any(|&x| docs[x]))
            .collect()
    }
}

/// A card as a template value, with its HTML (`partials/card.html`)
/// rendered once as `html` (a document's card appears on several lists),
/// and the documents it read.
fn card_value(input: &RenderInput, global: &Global, doc: usize) -> (tera::Value, Vec<usize>) {
    let view = View::new(input, &[]);
    let value = tera::Value::from_serializable(&card(&view, doc));
    let deps = view.into_reads();
    if !input.templates.has("partials/card.html") {
        return (value, deps);
    }
    let mut ctx = global.ctx.clone();
    ctx.insert_value("item", value.clone());
    let value = match input
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
    };
    (value, deps)
}
