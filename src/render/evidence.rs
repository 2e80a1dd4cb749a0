//! Evidence in words, for cards and pages: an experiment's primary result
//! in one line, why it counts (or not) as evidence for its hypothesis, and
//! the result panel and counts of its page.

use crate::parse::Document;
use crate::resolve::ExperimentData;
use serde::Serialize;

/// `10,000`.
pub fn count(n: u64) -> String {
    crate::stats::thousands(n)
}

/// An arm's value as the metric shows it: a rate as a percentage, a mean
/// with its unit.
fn value(metric: &crate::model::Metric, v: f64) -> String {
    if metric.is_rate() {
        format!("{} %", crate::stats::percent_number(v * 100.0))
    } else {
        let unit = metric
            .unit
            .as_deref()
            .map(|u| format!(" {u}"))
            .unwrap_or_default();
        format!(
            "{}{unit}",
            crate::charts::fmt_num((v * 100.0).round() / 100.0)
        )
    }
}

/// "Conversion 5.0 % → 5.6 % (+12.0 %, inconclusive)": the primary
/// metric's result in one line; `None` without counts.
pub fn result_line(e: &ExperimentData, d: &Document) -> Option<String> {
    let (i, ev) = e.primary_evidence()?;
    let m = &d.fm.metrics[i];
    Some(format!(
        "{} {} → {} ({}, {})",
        m.name,
        value(m, ev.control),
        value(m, ev.variant),
        ev.change_text(m.is_rate(), m.unit.as_deref()),
        ev.verdict.name()
    ))
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
            count(c.min(v)),
            count(r.control)
        )
    } else {
        format!(
            "underpowered: {} of {} control and {} of {} variant units",
            count(c),
            count(r.control),
            count(v),
            count(r.variant)
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
            Some(m) => format!("{status}: {} {}", m.name, super::cards::metric_text(m)),
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
        metric: m.name.clone(),
        result: unbroken(ev.sentence(e.confidence, m.is_rate(), m.unit.as_deref())),
        verdict: ev.verdict.name(),
        chance_to_win: unbroken(crate::stats::chance_text(ev.chance_to_win)),
        units: format!(
            "{} control and {} variant units",
            count(m.control?.units),
            count(m.variant?.units)
        ),
        backed: e.backed,
        underpowered: underpowered(e, d),
        srm: (e.srm == Some(true)).then(|| {
            format!(
                "sample ratio mismatch ({}): the arms were not filled as planned",
                crate::stats::p_text(e.srm_p.unwrap_or(0.0))
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
        (Some(c), _) => format!("{} of {} ({})", count(c), count(a.units), value(m, v)),
        (None, Some(sd)) => format!(
            "mean {} (sd {}) of {}",
            value(m, v),
            crate::charts::fmt_num(sd),
            count(a.units)
        ),
        _ => count(a.units),
    };
    Some(MetricEvidence {
        result: unbroken(ev.sentence(e.confidence, m.is_rate(), m.unit.as_deref())),
        verdict: ev.verdict.name(),
        control: arm(m.control.as_ref()?, ev.control),
        variant: arm(m.variant.as_ref()?, ev.variant),
        chance_to_win: crate::stats::chance_text(ev.chance_to_win),
        interval: match (ev.basis, ev.lift, ev.ci) {
            (crate::stats::Basis::Relative, Some(lift), Some(ci)) => crate::charts::interval_chart(
                lift,
                ci,
                d.fm.mde.map(|s| s.value),
                m.direction,
                &m.name,
                &crate::stats::signed_percent,
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
                            crate::stats::signed_points(x)
                        } else {
                            crate::stats::signed_number(x, unit)
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

#[cfg(test)]
mod tests {
    #[test]
    fn counts_have_separators() {
        assert_eq!(super::count(31231), "31,231");
        assert_eq!(super::count(100), "100");
        assert_eq!(super::count(1_000_000), "1,000,000");
    }
}
