//! Evidence in words, for cards and pages: an experiment's primary result
//! in one line, why it counts (or not) as evidence for its hypothesis, and
//! the result panel and counts of its page.

use crate::fmt::thousands;
use crate::parse::Document;
use crate::resolve::ExperimentData;
use serde::Serialize;

/// An arm's value as the metric shows it: a rate as a percentage, a mean
/// with its unit.
fn value(metric: &crate::model::Metric, v: f64) -> String {
    if metric.is_rate() {
        format!("{} %", crate::fmt::percent_number(v * 100.0))
    } else {
        let unit = metric
            .unit
            .as_deref()
            .map(|u| format!(" {u}"))
            .unwrap_or_default();
        format!(
            "{}{unit}",
            crate::fmt::plain_number((v * 100.0).round() / 100.0)
        )
    }
}

/// "Win: Conversion +12.0 % (relative), 99 % chance the variant is
/// better": the short form of the verdict sentence, for cards; `None`
/// without counts.
pub fn result_line(e: &ExperimentData, d: &Document) -> Option<String> {
    let (i, ev) = e.primary_evidence()?;
    let m = &d.fm.metrics[i];
    Some(format!(
        "{}: {} {}, {} chance the variant is better",
        verdict_word(ev.verdict),
        m.name,
        change_words(ev, m),
        crate::fmt::chance_text(ev.chance_to_win)
    ))
}

fn verdict_word(v: crate::stats::Verdict) -> &'static str {
    match v {
        crate::stats::Verdict::Win => "Win",
        crate::stats::Verdict::Loss => "Loss",
        crate::stats::Verdict::Inconclusive => "Inconclusive",
    }
}

/// "+12.0 % (relative)", "+0.60 points", "−0.2 min": the change, saying
/// on which scale it is.
fn change_words(ev: &crate::stats::Evidence, m: &crate::model::Metric) -> String {
    let text = ev.change_text(m.is_rate(), m.unit.as_deref());
    match ev.basis {
        crate::stats::Basis::Relative => format!("{text} (relative)"),
        crate::stats::Basis::Absolute => text,
    }
}

/// The experiment's result in one plain sentence, which its page opens
/// with: what happened, how sure, what was decided. With counts it agrees
/// with the statistics; without, it says what was written.
pub fn verdict_sentence(e: &ExperimentData, d: &Document) -> String {
    use crate::model::ExperimentStatus::*;
    use crate::stats::Verdict;
    let decided =
        d.fm.decision
            .filter(|_| e.status.is_concluded())
            .map(|x| format!(" Decision: {}.", x.name()))
            .unwrap_or_default();
    if let Some((i, ev)) = e.primary_evidence() {
        let m = &d.fm.metrics[i];
        let moved = if ev.lift_abs == 0.0 {
            format!("{} did not change", m.name)
        } else {
            let way = if ev.lift_abs > 0.0 { "rose" } else { "fell" };
            format!(
                "{} {way} {}",
                m.name,
                change_words(ev, m).trim_start_matches(['+', '\u{2212}'])
            )
        };
        let sure = match ev.verdict {
            Verdict::Win | Verdict::Loss => "beyond noise",
            Verdict::Inconclusive if ev.lift_abs == 0.0 => "so there is nothing to tell apart",
            Verdict::Inconclusive => "but that is within noise",
        };
        let mut text = format!(
            "{}: {moved}, {sure} ({} chance the variant is better)",
            verdict_word(ev.verdict),
            crate::fmt::chance_text(ev.chance_to_win)
        );
        if ev.verdict == Verdict::Inconclusive {
            if let (Some(r), Some(c), Some(v)) = (ev.required, m.control, m.variant) {
                if ev.underpowered() {
                    text.push_str(&if r.control == r.variant {
                        format!(
                            "; {} of the {} units per arm it needs",
                            thousands(c.units.min(v.units)),
                            thousands(r.control)
                        )
                    } else {
                        format!(
                            "; {} of {} control and {} of {} variant units it needs",
                            thousands(c.units),
                            thousands(r.control),
                            thousands(v.units),
                            thousands(r.variant)
                        )
                    });
                }
            }
        }
        text.push('.');
        if let Some(note) = claim_note(e, d) {
            let joined = if e.backed == Some(true) { "and" } else { "but" };
            text.push_str(&format!(" Marked {}, {joined} {note}.", e.status.name()));
        }
        return format!("{text}{decided}");
    }
    let headline = d.fm.metrics.first().filter(|m| m.actual.is_some());
    match (e.status, headline) {
        (Planned, _) => "Planned: not started yet.".to_string(),
        (Running, _) => match d.fm.started {
            Some(s) => format!("Running since {s}: no result yet."),
            None => "Running: no result yet.".to_string(),
        },
        (status, Some(m)) => {
            let met = match m.meets_target() {
                Some(true) => ", meeting its target",
                Some(false) => ", missing its target",
                None => "",
            };
            format!(
                "{}: {} {}{met}.{decided}",
                capitalized(status.name()),
                m.name,
                metric_text(m),
            )
        }
        (status, None) => format!("{}.{decided}", capitalized(status.name())),
    }
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// What the data say of the claim the status makes, truthfully: "the data
/// back it", or why not. `None` where the status makes no claim or there
/// are no counts.
pub fn claim_note(e: &ExperimentData, d: &Document) -> Option<String> {
    use crate::model::ExperimentStatus::*;
    use crate::stats::Verdict;
    if !matches!(e.status, Validated | Invalidated) {
        return None;
    }
    let (_, ev) = e.primary_evidence()?;
    if e.backed? {
        return Some("the data back it".into());
    }
    let guardrail_lost = e.guardrail_lost(d);
    Some(
        match (e.status, ev.verdict) {
            (Validated, Verdict::Win) if guardrail_lost => "not backed: a guardrail got worse",
            (Validated, Verdict::Loss) => "not backed: the data show a loss",
            (Validated, _) => "not backed: the result is within noise",
            (Invalidated, Verdict::Win) => "not backed: the data show a win",
            (_, _) if ev.required.is_some() => "not backed: too few units to tell",
            _ => "not backed: nothing says the sample was large enough to tell (no `mde`)",
        }
        .to_string(),
    )
}

/// "underpowered: 10,000 of 31,231 units per arm", for a concluded
/// experiment short of its sample.
pub fn underpowered(e: &ExperimentData, d: &Document) -> Option<String> {
    let (i, ev) = e.primary_evidence()?;
    // A significant result stands whatever its sample; an inconclusive one
    // short of its sample says little either way.
    if !e.status.is_concluded()
        || !ev.underpowered()
        || ev.verdict != crate::stats::Verdict::Inconclusive
    {
        return None;
    }
    let m = &d.fm.metrics[i];
    let (c, v) = (m.control?.units, m.variant?.units);
    let r = ev.required?;
    Some(if r.control == r.variant {
        format!(
            "underpowered: {} of {} units per arm",
            thousands(c.min(v)),
            thousands(r.control)
        )
    } else {
        format!(
            "underpowered: {} of {} control and {} of {} variant units",
            thousands(c),
            thousands(r.control),
            thousands(v),
            thousands(r.variant)
        )
    })
}

/// Why an experiment counts as evidence for its hypothesis, or why not.
pub fn counts_as(e: &ExperimentData, d: &Document) -> String {
    use crate::model::ExperimentStatus::*;
    let status = e.status.name();
    match e.status {
        Planned | Running => return "not concluded yet: does not count".into(),
        Abandoned | Inconclusive => return format!("does not count: {status}"),
        Validated | Invalidated => {}
    }
    let mut text = match e.primary_evidence() {
        Some((i, ev)) => format!(
            "{status}: {} {}",
            d.fm.metrics[i].name,
            ev.sentence(
                e.confidence,
                d.fm.metrics[i].is_rate(),
                d.fm.metrics[i].unit.as_deref()
            )
        ),
        None => match d.fm.metrics.first() {
            Some(m) => format!("{status}: {} {}", m.name, metric_text(m)),
            None => format!("{status}, with no metric"),
        },
    };
    if let Some(short) = underpowered(e, d) {
        text.push_str(&format!("; {short}"));
    }
    if e.backed == Some(false) {
        text.push_str(" — the data do not back this claim");
    }
    text
}

/// The head of an experiment page: the claim, the primary result in words,
/// and what stands against trusting it.
#[derive(Debug, Clone, Serialize)]
pub struct Panel {
    pub claim: &'static str,
    /// What the data say of the claim ("the data back it", "not backed:
    /// …"); `None` where the status makes no claim.
    pub claim_note: Option<String>,
    pub metric: String,
    pub result: String,
    pub verdict: &'static str,
    pub chance_to_win: String,
    pub units: String,
    pub backed: Option<bool>,
    pub underpowered: Option<String>,
    pub srm: Option<String>,
}

/// Numbers kept with their units on one line: `95 %` and `= 0.31` do not
/// break.
pub fn unbroken(text: String) -> String {
    text.replace(" %", "\u{a0}%")
        .replace(" = ", "\u{a0}=\u{a0}")
}

pub fn panel(e: &ExperimentData, d: &Document) -> Option<Panel> {
    let (i, ev) = e.primary_evidence()?;
    let m = &d.fm.metrics[i];
    Some(Panel {
        claim: e.status.name(),
        claim_note: claim_note(e, d),
        metric: m.name.clone(),
        result: unbroken(ev.sentence(e.confidence, m.is_rate(), m.unit.as_deref())),
        verdict: ev.verdict.name(),
        chance_to_win: unbroken(crate::fmt::chance_text(ev.chance_to_win)),
        units: format!(
            "{} control and {} variant units",
            thousands(m.control?.units),
            thousands(m.variant?.units)
        ),
        backed: e.backed,
        underpowered: underpowered(e, d),
        srm: (e.srm == Some(true)).then(|| {
            format!(
                "sample ratio mismatch ({}): the arms were not filled as planned",
                crate::fmt::p_text(e.srm_p.unwrap_or(0.0))
            )
        }),
    })
}

/// A metric's counts and interval, for its row on the experiment page.
#[derive(Debug, Clone, Serialize)]
pub struct MetricEvidence {
    pub result: String,
    pub verdict: &'static str,
    pub control: String,
    pub variant: String,
    pub chance_to_win: String,
    pub interval: String,
    pub role: &'static str,
}

pub fn metric_evidence(e: &ExperimentData, d: &Document, i: usize) -> Option<MetricEvidence> {
    let ev = e.evidence.get(i)?.as_ref()?;
    let m = &d.fm.metrics[i];
    let arm = |a: &crate::model::ArmCounts, v: f64| match (a.conversions, a.sd) {
        (Some(c), _) => format!(
            "{} of {} ({})",
            thousands(c),
            thousands(a.units),
            value(m, v)
        ),
        (None, Some(sd)) => format!(
            "mean {} (sd {}) of {}",
            value(m, v),
            crate::fmt::plain_number(sd),
            thousands(a.units)
        ),
        _ => thousands(a.units),
    };
    Some(MetricEvidence {
        result: unbroken(ev.sentence(e.confidence, m.is_rate(), m.unit.as_deref())),
        verdict: ev.verdict.name(),
        control: arm(m.control.as_ref()?, ev.control),
        variant: arm(m.variant.as_ref()?, ev.variant),
        chance_to_win: crate::fmt::chance_text(ev.chance_to_win),
        interval: match (ev.basis, ev.lift, ev.ci) {
            (crate::stats::Basis::Relative, Some(lift), Some(ci)) => crate::charts::interval_chart(
                lift,
                ci,
                d.fm.mde.map(|s| s.value),
                m.direction,
                &m.name,
                &crate::fmt::signed_percent,
            ),
            _ => {
                let unit = m.unit.as_deref();
                let rate = m.is_rate();
                crate::charts::interval_chart(
                    ev.lift_abs,
                    ev.ci_abs,
                    None,
                    m.direction,
                    &m.name,
                    &|x| {
                        if rate {
                            crate::fmt::signed_points(x)
                        } else {
                            crate::fmt::signed_number(x, unit)
                        }
                    },
                )
            }
        },
        role: if e.primary == Some(i) {
            "primary"
        } else if m.guardrail {
            "guardrail"
        } else {
            ""
        },
    })
}

/// "12 → 15 % (target 14 %)": a metric's baseline, actual and target.
pub fn metric_text(m: &crate::model::Metric) -> String {
    let unit = m
        .unit
        .as_deref()
        .map(|u| format!("\u{a0}{u}"))
        .unwrap_or_default();
    let v = |x: Option<f64>| {
        x.map_or("–".to_string(), |x| {
            format!("{}{unit}", crate::fmt::plain_number(x))
        })
    };
    let target = m.target.map(|t| format!(" (target {})", v(Some(t))));
    match (m.baseline, m.actual) {
        (Some(_), Some(_)) => format!(
            "{} → {}{}",
            v(m.baseline),
            v(m.actual),
            target.unwrap_or_default()
        ),
        (None, Some(_)) => format!("{}{}", v(m.actual), target.unwrap_or_default()),
        // No result yet: say what is known, not an empty arrow.
        (Some(_), None) => match m.target {
            Some(t) => format!("from {}, aiming for {}", v(m.baseline), v(Some(t))),
            None => format!("from {}, no result yet", v(m.baseline)),
        },
        (None, None) => match m.target {
            Some(t) => format!("aiming for {}", v(Some(t))),
            None => "no result yet".to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_have_separators() {
        assert_eq!(crate::fmt::thousands(31231), "31,231");
        assert_eq!(crate::fmt::thousands(100), "100");
        assert_eq!(crate::fmt::thousands(1_000_000), "1,000,000");
    }
}
