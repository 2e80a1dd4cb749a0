//! The counts behind an experiment's metrics, checked where they are
//! written: arms that cannot be, shares and confidences out of range,
//! and baselines and actuals filled from (or checked against) the arms.

use super::{KeySpan, Located};
use crate::diagnostics::{Diagnostic, Span};
use crate::model::{FrontMatter, Metric, Share};
use crate::stats::Arm;
use std::collections::BTreeMap;

/// The counts behind metrics: arms that cannot be, a split or confidence
/// out of range (errors, at the line that says it); baselines and actuals
/// filled from the arms, and written ones that disagree with them
/// (warnings).
pub(super) fn check_counts(fm: &mut FrontMatter, located: &Located, diags: &mut Vec<Diagnostic>) {
    drop_out_of_range(fm, located, diags);
    let planned_mde = fm.mde;
    for (i, metric) in fm.metrics.iter_mut().enumerate() {
        let Some(arms) = metric_arms(i, metric, located, diags) else {
            continue;
        };
        check_arms(i, metric, arms, planned_mde, located, diags);
        fill_from_arms(i, metric, arms, located, diags);
    }
}

/// Reports a split, confidence or mde out of range and drops it.
fn drop_out_of_range(fm: &mut FrontMatter, located: &Located, diags: &mut Vec<Diagnostic>) {
    let at = |key: &str| located.value(key);
    let error = |span: Span, msg: String| located.error(span, msg);
    // A value out of range is an error at its key, and is dropped, so that
    // no computation sees it.
    if let Some(split) = fm.split {
        if crate::stats::Probability::new(split).is_none() {
            diags.push(
                error(at("split"), format!("split {split} is outside (0, 1)"))
                    .with_help("the share of units in the variant arm, e.g. 0.5"),
            );
            fm.split = None;
        }
    }
    if let Some(c) = fm.confidence {
        if !(c > 0.5 && c < 1.0) {
            let help = if c > 1.0 && c < 100.0 {
                format!(
                    "write it as a share: {}",
                    crate::fmt::plain_number(c / 100.0)
                )
            } else {
                "a share between 0.5 and 1, e.g. 0.95".to_string()
            };
            diags.push(
                error(
                    at("confidence"),
                    format!("confidence {c} is outside (0.5, 1)"),
                )
                .with_help(help),
            );
            fm.confidence = None;
        }
    }
    if let Some(mde) = fm.mde {
        let problem = if !(mde.value > 0.0 && mde.value.is_finite()) {
            Some((
                format!(
                    "mde {} must be a positive share",
                    crate::fmt::plain_number(mde.value)
                ),
                "the smallest relative change worth detecting: write `10%` or `0.1`".to_string(),
            ))
        } else if !mde.percent && mde.value >= 1.0 {
            Some((
                format!(
                    "mde {} would be a change of {} %",
                    crate::fmt::plain_number(mde.value),
                    crate::fmt::plain_number(mde.value * 100.0)
                ),
                format!(
                    "write `{}%` or `{}` for a change of {} %",
                    crate::fmt::plain_number(mde.value),
                    crate::fmt::plain_number(mde.value / 100.0),
                    crate::fmt::plain_number(mde.value)
                ),
            ))
        } else {
            None
        };
        if let Some((message, help)) = problem {
            diags.push(error(at("mde"), message).with_help(help));
            fm.mde = None;
        }
    }
}

/// The `i`-th metric's control and variant arms, or `None` (reported) when they do not pair.
fn metric_arms(
    i: usize,
    metric: &Metric,
    located: &Located,
    diags: &mut Vec<Diagnostic>,
) -> Option<(Arm, Arm)> {
    let (spans, text) = (located.spans, located.text);
    let error = |span: Span, msg: String| located.error(span, msg);
    let arms = match (&metric.control, &metric.variant) {
        (None, None) => return None,
        (Some(c), Some(v)) => (crate::stats::arm(c), crate::stats::arm(v)),
        (Some(_), None) | (None, Some(_)) => {
            diags.push(error(
                metric_line(text, spans, i, &["control", "variant"]),
                format!(
                    "metric `{}` has one arm: give both control and variant",
                    metric.name
                ),
            ));
            return None;
        }
    };
    let (control, variant) = match arms {
        (Ok(c), Ok(v)) => (c, v),
        (c, v) => {
            for (which, arm) in [("control", c), ("variant", v)] {
                if let Err(why) = arm {
                    diags.push(error(
                        metric_line(text, spans, i, &[which]),
                        format!("metric `{}`, {which}: {why}", metric.name),
                    ));
                }
            }
            return None;
        }
    };
    if matches!(
        (control, variant),
        (Arm::Rate { .. }, Arm::Mean { .. }) | (Arm::Mean { .. }, Arm::Rate { .. })
    ) {
        diags.push(error(
            metric_line(text, spans, i, &["variant"]),
            format!(
                "metric `{}`: one arm is a rate and the other a mean",
                metric.name
            ),
        ));
        return None;
    }
    Some((control, variant))
}

/// Warns on arms with no variance and on an mde no sample can detect.
fn check_arms(
    i: usize,
    metric: &Metric,
    (control, variant): (Arm, Arm),
    planned_mde: Option<Share>,
    located: &Located,
    diags: &mut Vec<Diagnostic>,
) {
    let (spans, text) = (located.spans, located.text);
    let at = |key: &str| located.value(key);
    let (cv, vv) = (control.value(), variant.value());
    let still = |arm: Arm| match arm {
        Arm::Rate { conversions, units } => conversions == 0 || conversions == units,
        Arm::Mean { sd, .. } => sd == 0.0,
    };
    if still(control) && still(variant) && cv != vv {
        diags.push(
            located
                .warning(
                    metric_line(text, spans, i, &["control"]),
                    format!(
                        "metric `{}`: the data have no variance (neither arm varies), so no test can weigh the difference",
                        metric.name
                    ),
                )
                .with_help("check the counts: a real metric varies from unit to unit"),
        );
    }
    if let Some(mde) = planned_mde {
        if let Some(why) = crate::stats::unreachable_mde(control, metric.direction, mde.value) {
            diags.push(
                located
                    .warning(
                        at("mde"),
                        format!(
                            "metric `{}`: no sample can detect this mde: {why}",
                            metric.name
                        ),
                    )
                    .with_help("the required sample and progress are left out"),
            );
        }
    }
}

/// Fills baseline and actual from the arms, and warns where written ones disagree.
fn fill_from_arms(
    i: usize,
    metric: &mut Metric,
    (control, variant): (Arm, Arm),
    located: &Located,
    diags: &mut Vec<Diagnostic>,
) {
    let (spans, text) = (located.spans, located.text);
    // A rate shows as a percentage when the unit is `%`.
    let shown = |arm: Arm| match arm {
        Arm::Rate { .. } if metric.unit.as_deref() == Some("%") => arm.value() * 100.0,
        _ => arm.value(),
    };
    for (key, written, arm) in [
        ("baseline", &mut metric.baseline, control),
        ("actual", &mut metric.actual, variant),
    ] {
        // Kept at full precision; pages round it as they show it.
        let counted = shown(arm);
        match *written {
            None => *written = Some(counted),
            // Rounding as written is fine: to the written value's last
            // digit, or 1 % of the value.
            Some(w) if (w - counted).abs() > (counted.abs() * 0.01).max(0.05) => {
                diags.push(
                    located
                        .warning(
                            metric_line(text, spans, i, &[key]),
                            format!(
                                "metric `{}`: {key} {} disagrees with the counts, which give {}",
                                metric.name,
                                crate::fmt::plain_number(w),
                                crate::fmt::plain_number(counted)
                            ),
                        )
                        .with_help(format!("remove `{key}` to take it from the counts")),
                );
            }
            Some(_) => {}
        }
    }
}

/// Where the `i`-th metric says one of `keys`: that key on the metric's
/// lines if it is written there, else the metric's first line.
fn metric_line(text: &str, spans: &BTreeMap<String, KeySpan>, i: usize, keys: &[&str]) -> Span {
    let Some(metrics) = spans.get("metrics") else {
        return Span::new(1, 1, 1);
    };
    let lines: Vec<&str> = text.lines().collect();
    let start = metrics.key.line; // 1-based line of `metrics:`
    let mut items = Vec::new();
    let mut end = lines.len();
    for (n, line) in lines.iter().enumerate().skip(start) {
        let trimmed = line.trim_start();
        if !line.starts_with([' ', '\t', '-']) && !trimmed.is_empty() {
            end = n;
            break;
        }
        if trimmed.starts_with("- ") || trimmed == "-" {
            items.push(n);
        }
    }
    let Some(&first) = items.get(i) else {
        return metrics.key;
    };
    let last = items.get(i + 1).copied().unwrap_or(end);
    for (n, line) in lines.iter().enumerate().take(last).skip(first) {
        for key in keys {
            if let Some(col) = line.find(&format!("{key}:")) {
                let col = line[..col].chars().count() + 1;
                return Span::new(n + 1, col, key.chars().count());
            }
        }
    }
    let line = lines[first];
    let col = line.len() - line.trim_start().len();
    Span::new(first + 1, col + 1, line.trim().chars().count().max(1))
}
