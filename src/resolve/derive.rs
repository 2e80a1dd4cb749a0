//! What the model shows in order: the experiment log, the backlog, the
//! terms of a taxonomy, iteration chains, and the outcome statistics of
//! concluded experiments. Derived here, once; templates receive them ready.

use super::Model;
use crate::model::{Decision, ExperimentStatus, HypothesisStatus, Taxonomy};
use crate::parse::Document;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

/// Experiments newest first (by ended, started or date), then by title.
pub fn log_order(model: &Model) -> Vec<usize> {
    let mut order: Vec<usize> = (0..model.experiments.len()).collect();
    order.sort_by_cached_key(|&e| {
        let e = &model.experiments[e];
        (
            std::cmp::Reverse(model.experiment_date(e)),
            model.docs[e.doc].title.as_str(),
        )
    });
    order
}

/// Planned experiments by ICE score, highest first; ties by title.
pub fn backlog_order(model: &Model) -> Vec<usize> {
    let mut order: Vec<usize> = (0..model.experiments.len())
        .filter(|&i| model.experiments[i].status == ExperimentStatus::Planned)
        .collect();
    order.sort_by(|&a, &b| {
        let (ea, eb) = (&model.experiments[a], &model.experiments[b]);
        eb.ice_score
            .cmp(&ea.ice_score)
            .then_with(|| model.docs[ea.doc].title.cmp(&model.docs[eb.doc].title))
    });
    order
}

/// The playbooks by title: the order lists show them in.
pub fn playbook_order(model: &Model) -> Vec<usize> {
    let mut order: Vec<usize> = (0..model.playbooks.len()).collect();
    order.sort_by(|&a, &b| {
        let title = |p: usize| &model.docs[model.playbooks[p].doc].title;
        title(a).cmp(title(b))
    });
    order
}

/// The hypotheses' documents by playbook (in `playbooks`' order, those in
/// none last), then by stage (those in none last), then by title.
pub fn hypothesis_order(model: &Model, playbooks: &[usize]) -> Vec<usize> {
    let mut rank: Vec<Option<usize>> = vec![None; model.playbooks.len()];
    for (r, &p) in playbooks.iter().enumerate() {
        rank[p] = Some(r);
    }
    let mut docs: Vec<usize> = model.hypotheses.iter().map(|h| h.doc).collect();
    docs.sort_by_cached_key(|&d| {
        let h = model.hypothesis_of(d).expect("a hypothesis");
        let playbook = h.playbook.and_then(|p| rank[p]);
        let stage = h.playbook.and_then(|p| {
            let id = h.stage.as_ref()?;
            model.playbooks[p].stages.iter().position(|s| &s.id == id)
        });
        (
            playbook.is_none(),
            playbook,
            stage.is_none(),
            stage,
            model.docs[d].title.clone(),
        )
    });
    docs
}

/// A taxonomy's terms by slug: the term's name and the documents carrying
/// it, in document order.
pub type Terms = BTreeMap<String, (String, Vec<usize>)>;

/// The terms of the three taxonomies, computed once per model, in the
/// order of `Taxonomy::ALL`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Taxonomies([Terms; 3]);

impl Taxonomies {
    pub fn of(docs: &[Arc<Document>]) -> Taxonomies {
        Taxonomies(Taxonomy::ALL.map(|t| terms(docs, |d| t.terms_of(&d.fm).iter())))
    }

    /// The terms of `taxonomy`.
    pub fn get(&self, taxonomy: Taxonomy) -> &Terms {
        &self.0[taxonomy as usize]
    }
}

/// Spellings that share a slug (`Pricing`, `pricing`) are one term, shown
/// by the first spelling in sort order, so the output does not depend on
/// the order files are read in.
fn terms<'a, I>(docs: &'a [Arc<Document>], values: impl Fn(&'a Document) -> I) -> Terms
where
    I: Iterator<Item = &'a String>,
{
    // A term is written the same way in many files: each spelling is
    // slugified and looked up once; the terms are sorted at the end.
    let mut by_spelling: HashMap<&str, usize> = HashMap::new();
    let mut by_slug: HashMap<String, usize> = HashMap::new();
    let mut found: Vec<(String, &str, Vec<usize>)> = Vec::new();
    for (i, d) in docs.iter().enumerate() {
        if d.is_home_intro() {
            continue;
        }
        for v in values(d) {
            let term = v.trim();
            if term.is_empty() {
                continue;
            }
            let at = match by_spelling.get(term) {
                Some(&at) => at,
                None => {
                    let slug = crate::model::slugify(term);
                    let at = *by_slug.entry(slug).or_insert_with_key(|slug| {
                        found.push((slug.clone(), term, Vec::new()));
                        found.len() - 1
                    });
                    by_spelling.insert(term, at);
                    at
                }
            };
            let entry = &mut found[at];
            if term < entry.1 {
                entry.1 = term;
            }
            if entry.2.last() != Some(&i) {
                entry.2.push(i);
            }
        }
    }
    found
        .into_iter()
        .map(|(slug, term, docs)| (slug, (term.to_string(), docs)))
        .collect()
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

/// How the concluded experiments came out, and where all experiments stand.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeStats {
    pub concluded: usize,
    pub validated: usize,
    pub invalidated: usize,
    pub inconclusive: usize,
    pub abandoned: usize,
    pub running: usize,
    pub planned: usize,
    /// Validated among those with a verdict (validated or invalidated), in
    /// whole percent; `None` without a verdict yet. Inconclusive and
    /// abandoned tests taught something but won nothing and lost nothing.
    pub win_rate: Option<i64>,
    /// How many concluded experiments took each decision.
    pub decisions: BTreeMap<&'static str, usize>,
    /// Learning velocity: experiments concluded per month, by result, from
    /// the first such month to the last, gaps included.
    pub velocity: Vec<Month>,
    /// How many experiments have each status, in the statuses' order.
    pub mix: Vec<(&'static str, usize)>,
    /// Concluded claims (validated or invalidated) with counts behind them,
    /// how many of those the counts back, and the ones they do not
    /// (indices into `model.experiments`, in log order).
    pub claims_with_counts: usize,
    pub claims_backed: usize,
    pub claims_unbacked: Vec<usize>,
    /// Concluded claims that rest on written numbers only.
    pub claims_without_counts: usize,
}

/// The experiments concluded in one month, by result.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Month {
    /// `YYYY-MM`.
    pub month: String,
    /// `Sep 2025`.
    pub label: String,
    pub validated: usize,
    pub invalidated: usize,
    pub inconclusive: usize,
    pub abandoned: usize,
    pub count: usize,
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The outcome statistics of the `concluded` experiments (indices into
/// `model.experiments`).
pub fn outcome_stats(m: &Model, concluded: &[usize]) -> OutcomeStats {
    let count = |s: ExperimentStatus| {
        concluded
            .iter()
            .filter(|&&e| m.experiments[e].status == s)
            .count()
    };
    let validated = count(ExperimentStatus::Validated);
    let invalidated = count(ExperimentStatus::Invalidated);
    let total = concluded.len();
    let verdicts = validated + invalidated;
    let win_rate =
        (verdicts > 0).then(|| (validated as f64 / verdicts as f64 * 100.0).round() as i64);
    let mut decisions = BTreeMap::new();
    for &e in concluded {
        if let Some(d) = m.docs[m.experiments[e].doc].fm.decision {
            *decisions.entry(Decision::name(d)).or_insert(0usize) += 1;
        }
    }
    let mut months: BTreeMap<(i16, i8), Month> = BTreeMap::new();
    for &e in concluded {
        if let Some(date) = m.docs[m.experiments[e].doc].fm.ended {
            let month = months.entry((date.year(), date.month())).or_default();
            match m.experiments[e].status {
                ExperimentStatus::Validated => month.validated += 1,
                ExperimentStatus::Invalidated => month.invalidated += 1,
                ExperimentStatus::Inconclusive => month.inconclusive += 1,
                _ => month.abandoned += 1,
            }
            month.count += 1;
        }
    }
    let mut velocity = Vec::new();
    if let (Some(&first), Some(&last)) = (months.keys().next(), months.keys().last()) {
        let (mut y, mut mo) = first;
        loop {
            velocity.push(Month {
                month: format!("{y:04}-{mo:02}"),
                label: format!("{} {y}", MONTHS[(mo - 1) as usize]),
                ..months.get(&(y, mo)).cloned().unwrap_or_default()
            });
            if (y, mo) >= last || velocity.len() > 600 {
                break;
            }
            mo += 1;
            if mo > 12 {
                mo = 1;
                y += 1;
            }
        }
    }
    let all = |s: ExperimentStatus| m.experiments.iter().filter(|e| e.status == s).count();
    let statuses = [
        ExperimentStatus::Planned,
        ExperimentStatus::Running,
        ExperimentStatus::Validated,
        ExperimentStatus::Invalidated,
        ExperimentStatus::Inconclusive,
        ExperimentStatus::Abandoned,
    ];
    let claims: Vec<usize> = concluded
        .iter()
        .copied()
        .filter(|&e| {
            matches!(
                m.experiments[e].status,
                ExperimentStatus::Validated | ExperimentStatus::Invalidated
            )
        })
        .collect();
    let with_counts: Vec<usize> = claims
        .iter()
        .copied()
        .filter(|&e| m.experiments[e].backed.is_some())
        .collect();
    OutcomeStats {
        claims_with_counts: with_counts.len(),
        claims_backed: with_counts
            .iter()
            .filter(|&&e| m.experiments[e].backed == Some(true))
            .count(),
        claims_unbacked: with_counts
            .iter()
            .copied()
            .filter(|&e| m.experiments[e].backed == Some(false))
            .collect(),
        claims_without_counts: claims.len() - with_counts.len(),
        concluded: total,
        validated,
        invalidated,
        inconclusive: count(ExperimentStatus::Inconclusive),
        abandoned: count(ExperimentStatus::Abandoned),
        running: all(ExperimentStatus::Running),
        planned: all(ExperimentStatus::Planned),
        win_rate,
        decisions,
        velocity,
        mix: statuses.iter().map(|s| (s.name(), all(*s))).collect(),
    }
}

/// What a list's filters offer: the owners and teams of its documents, and
/// every playbook (slug, title).
#[derive(Debug, Clone, PartialEq)]
pub struct FilterOptions {
    pub owners: BTreeSet<String>,
    pub teams: BTreeSet<String>,
    pub playbooks: Vec<(String, String)>,
}

pub fn filter_options(m: &Model, docs: impl Iterator<Item = usize>) -> FilterOptions {
    let mut owners = BTreeSet::new();
    let mut teams = BTreeSet::new();
    for d in docs {
        owners.extend(m.docs[d].fm.owner.clone());
        teams.extend(m.docs[d].fm.team.clone());
    }
    let playbooks = m
        .playbooks
        .iter()
        .map(|p| (m.docs[p.doc].slug.clone(), m.docs[p.doc].title.clone()))
        .collect();
    FilterOptions {
        owners,
        teams,
        playbooks,
    }
}

/// What an experiment's counts say: each metric's evidence, its primary
/// metric, and the sample-ratio check of the primary metric's arms.
/// Settings were checked where they are written: one out of range was an
/// error and is not here, so every value below is a valid one.
pub(super) fn weigh_evidence(
    e: &mut super::ExperimentData,
    d: &crate::parse::Document,
    settings: &crate::stats::Settings,
) {
    use crate::stats::{Plan, Probability};
    let confidence =
        d.fm.confidence
            .and_then(Probability::new)
            .unwrap_or(settings.confidence);
    e.confidence = confidence.get();
    let plan = Plan {
        mde: d
            .fm
            .mde
            .map(|m| m.value)
            .filter(|m| *m > 0.0 && m.is_finite()),
        split: d
            .fm
            .split
            .and_then(Probability::new)
            .unwrap_or(Plan::default().split),
    };
    e.evidence = d
        .fm
        .metrics
        .iter()
        .map(|m| {
            let control = crate::stats::arm(m.control.as_ref()?).ok()?;
            let variant = crate::stats::arm(m.variant.as_ref()?).ok()?;
            crate::stats::evidence(control, variant, m.direction, settings, confidence, plan).ok()
        })
        .collect();
    e.primary =
        d.fm.metrics
            .iter()
            .position(|m| m.primary)
            .or_else(|| (!d.fm.metrics.is_empty()).then_some(0));
    let arms = e
        .primary
        .into_iter()
        .chain(0..d.fm.metrics.len())
        .find_map(|i| {
            let m = &d.fm.metrics[i];
            Some((m.control?.units, m.variant?.units))
        });
    if let Some((c, v)) = arms {
        e.srm_p = crate::stats::sample_ratio_p(c, v, plan.split);
        e.srm = e.srm_p.map(|p| p < settings.srm_threshold.get());
    }
    e.backed = backed(e, d);
}

/// Whether the counts back the experiment's claim (`None` without counts
/// on its primary metric): `validated` needs a significant win on the
/// primary metric and no guardrail lost; `invalidated` a significant loss,
/// or an inconclusive result with the units it needed reached (a powered
/// null). An underpowered inconclusive result backs nothing, and neither
/// does any other status.
fn backed(e: &super::ExperimentData, d: &crate::parse::Document) -> Option<bool> {
    use crate::stats::Verdict;
    let primary = e.primary_evidence()?.1;
    let guardrail_lost = e.guardrail_lost(d);
    Some(match e.status {
        ExperimentStatus::Validated => primary.verdict == Verdict::Win && !guardrail_lost,
        ExperimentStatus::Invalidated => match primary.verdict {
            Verdict::Loss => true,
            Verdict::Inconclusive => primary.progress.is_some_and(|p| p >= 1.0),
            Verdict::Win => false,
        },
        _ => false,
    })
}

/// Warnings where an experiment's status claims what its data do not back,
/// at the line that makes the claim, with the numbers.
pub(super) fn check_claims(
    e: &super::ExperimentData,
    d: &crate::parse::Document,
    diags: &mut Vec<crate::diagnostics::Diagnostic>,
) {
    primary_claim(e, d, diags);
    lost_guardrails(e, d, diags);
    sample_ratio(e, d, diags);
    claims_without_counts(e, d, diags);
}

/// Metric `i`'s result in words: its name and what its evidence says.
fn result_of(e: &super::ExperimentData, d: &crate::parse::Document, i: usize) -> Option<String> {
    let m = &d.fm.metrics[i];
    e.evidence[i].as_ref().map(|ev| {
        format!(
            "{} {}",
            m.name,
            ev.sentence(e.confidence, m.is_rate(), m.unit.as_deref())
        )
    })
}

/// A validated or invalidated status against the primary metric's verdict.
fn primary_claim(
    e: &super::ExperimentData,
    d: &crate::parse::Document,
    diags: &mut Vec<crate::diagnostics::Diagnostic>,
) {
    use crate::stats::Verdict;
    let at = d.value_span("status");
    let result = |i: usize| result_of(e, d, i);
    let primary = e.primary_evidence();
    match (e.status, primary) {
        (ExperimentStatus::Validated, Some((i, ev))) if ev.verdict != Verdict::Win => {
            diags.push(
                d.diag_warning(
                    at,
                    format!(
                        "marked validated, but the data do not back it: {}",
                        result(i).unwrap_or_default()
                    ),
                )
                .with_help("a validated claim needs a win on the primary metric: conclude it as inconclusive, or gather more data"),
            );
        }
        (ExperimentStatus::Invalidated, Some((i, ev))) if ev.verdict == Verdict::Win => {
            diags.push(d.diag_warning(
                at,
                format!(
                    "marked invalidated, but the data show a win: {}",
                    result(i).unwrap_or_default()
                ),
            ));
        }
        (ExperimentStatus::Invalidated, Some((i, ev)))
            if ev.verdict == Verdict::Inconclusive && e.backed == Some(false) =>
        {
            use crate::fmt::thousands;
            let why = match (
                ev.required,
                d.fm.metrics[i].control,
                d.fm.metrics[i].variant,
            ) {
                (Some(r), Some(c), Some(v)) => format!(
                    "too few units to tell ({} control of {} needed, {} variant of {})",
                    thousands(c.units),
                    thousands(r.control),
                    thousands(v.units),
                    thousands(r.variant)
                ),
                _ => "with no `mde`, nothing says the sample was large enough to tell".into(),
            };
            diags.push(
                d.diag_warning(
                    at,
                    format!(
                        "marked invalidated, but the data do not back it: {}; {why}",
                        result(i).unwrap_or_default()
                    ),
                )
                .with_help("an inconclusive result backs an invalidated claim only once the sample its `mde` needs is reached: conclude it as inconclusive, or gather more data"),
            );
        }
        _ => {}
    }
}

/// A validated experiment whose guardrail got significantly worse.
fn lost_guardrails(
    e: &super::ExperimentData,
    d: &crate::parse::Document,
    diags: &mut Vec<crate::diagnostics::Diagnostic>,
) {
    use crate::stats::Verdict;
    let at = d.value_span("status");
    let result = |i: usize| result_of(e, d, i);
    if e.status == ExperimentStatus::Validated {
        for (i, m) in d.fm.metrics.iter().enumerate() {
            if m.guardrail
                && e.evidence[i]
                    .as_ref()
                    .is_some_and(|ev| ev.verdict == Verdict::Loss)
            {
                diags.push(d.diag_warning(
                    at,
                    format!(
                        "marked validated, but guardrail {} got worse: {}",
                        m.name,
                        result(i).unwrap_or_default()
                    ),
                ));
            }
        }
    }
}

/// A concluded experiment whose arms were not filled as planned.
fn sample_ratio(
    e: &super::ExperimentData,
    d: &crate::parse::Document,
    diags: &mut Vec<crate::diagnostics::Diagnostic>,
) {
    let at = d.value_span("status");
    if e.status.is_concluded() && e.srm == Some(true) {
        let m = e.primary.map(|i| &d.fm.metrics[i]);
        let units = m.and_then(|m| Some((m.control?.units, m.variant?.units)));
        if let (Some((c, v)), Some(p)) = (units, e.srm_p) {
            diags.push(
                d.diag_warning(
                    at,
                    format!(
                        "sample ratio mismatch: {c} control and {v} variant units for a planned {} % variant share ({})",
                        crate::fmt::plain_number(
                            d.fm.split.filter(|s| *s > 0.0 && *s < 1.0).unwrap_or(0.5) * 100.0
                        ),
                        crate::fmt::p_text(p)
                    ),
                )
                .with_help("the arms were not filled as planned, so the comparison cannot be trusted: find out why before concluding"),
            );
        }
    }
}

/// Without counts: the written actual against the target.
fn claims_without_counts(
    e: &super::ExperimentData,
    d: &crate::parse::Document,
    diags: &mut Vec<crate::diagnostics::Diagnostic>,
) {
    let at = d.value_span("status");
    let without_counts = || {
        d.fm.metrics
            .iter()
            .enumerate()
            .filter(|(i, _)| e.evidence.get(*i).is_none_or(Option::is_none))
            .map(|(_, m)| m)
    };
    if e.status == ExperimentStatus::Validated {
        for m in without_counts() {
            if m.meets_target() == Some(false) {
                diags.push(d.diag_warning(
                    at,
                    format!(
                        "marked validated, but metric `{}` misses its target",
                        m.name
                    ),
                ));
            }
        }
    }
    let verdicts: Vec<bool> = without_counts().filter_map(|m| m.meets_target()).collect();
    if e.status == ExperimentStatus::Invalidated
        && e.primary_evidence().is_none()
        && !verdicts.is_empty()
        && verdicts.iter().all(|ok| *ok)
    {
        diags.push(d.diag_warning(at, "marked invalidated, but every metric meets its target"));
    }
}

/// Where each stage of a playbook stands. A stage is done when its work
/// holds validated evidence (a validated experiment, or a supported
/// hypothesis) and nothing contested; the team is at `written` (a stage id,
/// checked where it is written), else at the first stage, in order, that
/// is not done and has work in it. So the marker never sits on an empty
/// stage while a later one has work.
pub(super) fn place_stages(
    p: &mut super::PlaybookData,
    written: Option<&str>,
    hypotheses: &[super::HypothesisData],
    experiments: &[super::ExperimentData],
) {
    use super::StageState;
    let done: Vec<bool> = p
        .stages
        .iter()
        .map(|s| {
            let statuses = || s.hypotheses.iter().map(|&h| hypotheses[h].status);
            let validated = s
                .experiments
                .iter()
                .any(|&e| experiments[e].status == ExperimentStatus::Validated)
                || statuses().any(|st| st == HypothesisStatus::Supported);
            validated && !statuses().any(|st| st == HypothesisStatus::Contested)
        })
        .collect();
    let has_work = |s: &super::StageData| !s.hypotheses.is_empty() || !s.experiments.is_empty();
    p.current_stage = match written {
        Some(id) => p.stages.iter().position(|s| s.id == id),
        None => (0..p.stages.len()).find(|&n| !done[n] && has_work(&p.stages[n])),
    };
    for (n, stage) in p.stages.iter_mut().enumerate() {
        stage.state = match p.current_stage {
            Some(c) if c == n => StageState::Current,
            _ if done[n] => StageState::Done,
            Some(c) if n < c => StageState::Open,
            _ => StageState::Ahead,
        };
    }
}
