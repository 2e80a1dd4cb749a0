//! Inline SVG charts drawn at build time: no script is needed to see them.
//! Colours come from CSS classes, so the theme styles them for dark mode and
//! print. Each chart carries a `<title>`, a `<desc>` and a text equivalent.

use crate::model::{Direction, Metric};
use std::fmt::Write as _;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A relative change's confidence interval as a bar around the estimate,
/// with the zero line and, when there is one, the smallest effect worth
/// detecting (in the metric's direction). The drawing stretches with the
/// column; its labels are HTML, so their size does not.
pub fn interval_chart(
    estimate: f64,
    ci: [f64; 2],
    mde: Option<f64>,
    direction: Direction,
    label: &str,
    pct: &dyn Fn(f64) -> String,
) -> String {
    let mde_at = mde.map(|m| {
        if direction == Direction::Decrease {
            -m
        } else {
            m
        }
    });
    let mut lo = ci[0].min(0.0).min(mde_at.unwrap_or(0.0));
    let mut hi = ci[1].max(0.0).max(mde_at.unwrap_or(0.0));
    let pad = ((hi - lo) * 0.12).max(0.01);
    lo -= pad;
    hi += pad;
    let x = |v: f64| ((v - lo) / (hi - lo) * 1000.0).clamp(0.0, 1000.0);
    let left = |v: f64| format!("{:.1}%", x(v) / 10.0);
    // Labels near an end are anchored to it, so none runs out of the chart.
    let edge = |v: f64| {
        if x(v) < 150.0 {
            " at-start"
        } else if x(v) > 850.0 {
            " at-end"
        } else {
            ""
        }
    };
    let good = |v: f64| (v > 0.0) == (direction == Direction::Increase);
    let tone = if ci[0] > 0.0 || ci[1] < 0.0 {
        if good(estimate) {
            "good"
        } else {
            "bad"
        }
    } else {
        "unsure"
    };
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="interval-svg" viewBox="0 0 1000 40" preserveAspectRatio="none" aria-hidden="true" focusable="false"><rect class="interval-bar interval-{tone}" data-lo="{}" data-hi="{}" x="{:.1}" y="12" width="{:.1}" height="16" rx="3"/><rect class="interval-estimate" data-at="{}" x="{:.1}" y="6" width="4" height="28"/><line class="interval-zero" data-at="0" x1="{:.1}" y1="0" x2="{:.1}" y2="40"/>"#,
        ci[0],
        ci[1],
        x(ci[0]),
        (x(ci[1]) - x(ci[0])).max(2.0),
        estimate,
        x(estimate) - 2.0,
        x(0.0),
        x(0.0),
    );
    if let Some(m) = mde_at {
        let _ = write!(
            svg,
            r#"<line class="interval-mde" x1="{:.1}" y1="0" x2="{:.1}" y2="40"/>"#,
            x(m),
            x(m)
        );
    }
    svg.push_str("</svg>");
    let text = format!(
        "{}: {} (interval {} to {}){}",
        label,
        pct(estimate),
        pct(ci[0]),
        pct(ci[1]),
        mde_at
            .map(|m| format!("; the smallest effect worth detecting is {}", pct(m)))
            .unwrap_or_default()
    );
    let mut labels = format!(
        r#"<span class="interval-label interval-zero-label{}" style="left:{}">0</span><span class="interval-label interval-ci-label{}" style="left:{}">{}</span><span class="interval-label interval-ci-label{}" style="left:{}">{}</span>"#,
        edge(0.0),
        left(0.0),
        edge(ci[0]),
        left(ci[0]),
        esc(&pct(ci[0])),
        edge(ci[1]),
        left(ci[1]),
        esc(&pct(ci[1]))
    );
    if let Some(m) = mde_at {
        let _ = write!(
            labels,
            r#"<span class="interval-label interval-mde-label{}" style="left:{}">min. effect {}</span>"#,
            edge(m),
            left(m),
            esc(&pct(m))
        );
    }
    format!(
        r#"<div class="interval" role="img" aria-label="{}"><div class="interval-plot">{svg}</div><div class="interval-labels">{labels}</div></div>"#,
        esc(&text)
    )
}

/// A metric's baseline and actual as bars on one scale, the target as a
/// marked line with its value, and the change from the baseline. Laid out
/// in HTML and CSS, so its text keeps the page's size at every width; the
/// whole reads as one sentence to a screen reader.
pub fn metric_chart(m: &Metric) -> String {
    let unit = m.unit.as_deref().unwrap_or("");
    let with_unit = |v: f64| {
        if unit.is_empty() {
            crate::fmt::plain_number(v)
        } else {
            format!("{}\u{a0}{unit}", crate::fmt::plain_number(v))
        }
    };
    let values = [m.baseline, m.actual, m.target];
    let max = values.iter().flatten().fold(0.0f64, |a, b| a.max(b.abs()));
    let share = |v: f64| {
        if max > 0.0 {
            100.0 * v.abs() / (max * 1.1)
        } else {
            0.0
        }
    };
    let verdict = match m.meets_target() {
        Some(true) => "meets its target",
        Some(false) => "misses its target",
        None => "has no verdict yet",
    };
    let dir = match m.direction {
        Direction::Increase => "higher is better",
        Direction::Decrease => "lower is better",
    };
    let mut parts = Vec::new();
    if let Some(b) = m.baseline {
        parts.push(format!("baseline {}", with_unit(b)));
    }
    if let Some(a) = m.actual {
        parts.push(format!("actual {}", with_unit(a)));
    }
    if let Some(t) = m.target {
        parts.push(format!("target {}", with_unit(t)));
    }
    let desc = format!("{}: {}; {dir}; {verdict}.", m.name, parts.join(", "));
    let change = match (m.baseline, m.actual) {
        (Some(b), Some(a)) if b != 0.0 => Some(format!(
            "{} relative",
            crate::fmt::signed_percent((a - b) / b.abs()).replace(" %", "\u{a0}%")
        )),
        _ => None,
    };
    let target = m.target.map(|t| {
        format!(
            r#"<span class="mb-target" data-at="{}" style="left: {:.3}%"></span>"#,
            t,
            share(t)
        )
    });
    let mut html = format!(
        r#"<div class="metric-bars" role="img" aria-label="{}">"#,
        esc(&desc)
    );
    let mut row = |label: &str, value: Option<f64>, class: &str, note: Option<String>| {
        let Some(v) = value else { return };
        let _ = write!(
            html,
            r#"<div class="mb-row"><span class="mb-label">{label}</span><span class="mb-track"><span class="mb-bar {class}" data-value="{}" style="width: {:.3}%"></span>{}</span><span class="mb-value">{}{}</span></div>"#,
            v,
            share(v),
            target.as_deref().unwrap_or(""),
            esc(&with_unit(v)),
            note.map(|n| format!(r#" <span class="mb-change">{}</span>"#, esc(&n)))
                .unwrap_or_default(),
        );
    };
    row("Baseline", m.baseline, "bar-baseline", None);
    let actual_class = match m.meets_target() {
        Some(true) => "bar-met",
        Some(false) => "bar-missed",
        None => "bar-actual",
    };
    row("Actual", m.actual, actual_class, change);
    if let Some(t) = m.target {
        let _ = write!(
            html,
            r#"<div class="mb-row mb-target-row"><span class="mb-label">Target</span><span class="mb-track">{}</span><span class="mb-value">{}</span></div>"#,
            target.as_deref().unwrap_or(""),
            esc(&with_unit(t))
        );
    }
    if m.actual.is_none() {
        let _ = write!(
            html,
            r#"<p class="mb-pending">No result yet{}.</p>"#,
            m.target
                .map(|t| format!("; the target is {}", esc(&with_unit(t))))
                .unwrap_or_default()
        );
    }
    html.push_str("</div>");
    html
}

/// One column of `month_chart`: its label and how many experiments ended
/// with each status.
pub struct Column<'a> {
    pub label: &'a str,
    pub validated: usize,
    pub invalidated: usize,
    pub inconclusive: usize,
    pub abandoned: usize,
}

/// A column per month, stacked by result (validated, invalidated, other),
/// laid out in HTML and CSS so that its text keeps the page's size at every
/// width; a screen reader reads it as a list of sentences.
pub fn month_chart(title: &str, months: &[Column]) -> String {
    let total = |m: &Column| m.validated + m.invalidated + m.inconclusive + m.abandoned;
    let max = months.iter().map(total).max().unwrap_or(0).max(1) as f64;
    let mut html = format!(
        r#"<div class="month-chart" role="list" aria-label="{}">"#,
        esc(title)
    );
    for m in months {
        let part = |n: usize, class: &str| {
            if n == 0 {
                String::new()
            } else {
                format!(
                    r#"<span class="mc-part {class}" data-value="{n}" style="height: {:.3}%"></span>"#,
                    100.0 * n as f64 / max
                )
            }
        };
        let said = format!(
            "{}: {} concluded ({} validated, {} invalidated, {} inconclusive, {} abandoned)",
            m.label,
            total(m),
            m.validated,
            m.invalidated,
            m.inconclusive,
            m.abandoned
        );
        let _ = write!(
            html,
            r#"<div class="mc-month" role="listitem" aria-label="{said}"><span class="mc-count" aria-hidden="true">{count}</span><span class="mc-column" aria-hidden="true">{abandoned}{inconclusive}{lost}{won}</span><span class="mc-label" aria-hidden="true">{label}</span></div>"#,
            said = esc(&said),
            count = if total(m) > 0 {
                total(m).to_string()
            } else {
                String::new()
            },
            won = part(m.validated, "mc-won"),
            lost = part(m.invalidated, "mc-lost"),
            inconclusive = part(m.inconclusive, "mc-inconclusive"),
            abandoned = part(m.abandoned, "mc-abandoned"),
            label = esc(m.label).replacen(' ', "<br>", 1),
        );
    }
    html.push_str(r#"</div><ul class="legend mc-legend" aria-hidden="true"><li><span class="mc-key mc-won"></span>validated</li><li><span class="mc-key mc-lost"></span>invalidated</li><li><span class="mc-key mc-inconclusive"></span>inconclusive</li><li><span class="mc-key mc-abandoned"></span>abandoned</li></ul>"#);
    html
}

/// One bar split into parts (experiments by status), laid out in HTML and
/// CSS: each part carries its count, a legend names them, and the whole
/// reads as one sentence.
pub fn stacked_bar(title: &str, parts: &[(&str, usize)]) -> String {
    let said: Vec<String> = parts
        .iter()
        .filter(|p| p.1 > 0)
        .map(|(l, c)| format!("{c} {l}"))
        .collect();
    let mut html = format!(
        r#"<div class="mix" role="img" aria-label="{}: {}">"#,
        esc(title),
        esc(&said.join(", "))
    );
    let mut legend = String::new();
    for (label, count) in parts.iter().filter(|p| p.1 > 0) {
        let _ = write!(
            html,
            r#"<span class="mix-part seg-{label}" data-value="{count}" style="flex: {count} 1 0" title="{label}: {count}">{count}</span>"#
        );
        let _ = write!(
            legend,
            r#"<li><span class="mc-key seg-{label}"></span>{count} {label}</li>"#
        );
    }
    html.push_str("</div>");
    let _ = write!(
        html,
        r#"<ul class="legend" aria-hidden="true">{legend}</ul>"#
    );
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interval_chart_places_its_parts_and_says_them() {
        let html = interval_chart(
            0.12,
            [-0.0114, 0.2514],
            Some(0.1),
            Direction::Increase,
            "Conversion",
            &crate::fmt::signed_percent,
        );
        // The interval crosses zero: the bar says it is unsure.
        assert!(html.contains("interval-unsure"), "{html}");
        assert!(html.contains("aria-label=\"Conversion: +12.0 % (interval \u{2212}1.1 % to +25.1 %); the smallest effect worth detecting is +10.0 %\""), "{html}");
        assert_eq!(html.matches("class=\"interval-label ").count(), 4);
        let bad = interval_chart(
            0.3,
            [0.1, 0.5],
            None,
            Direction::Decrease,
            "Churn",
            &crate::fmt::signed_percent,
        );
        assert!(
            bad.contains("interval-bad") && !bad.contains("mde"),
            "{bad}"
        );
    }

    #[test]
    fn metric_chart_has_two_bars_and_a_target() {
        let m = Metric {
            name: "Trial to paid".into(),
            unit: Some("%".into()),
            baseline: Some(4.0),
            target: Some(6.0),
            actual: Some(7.5),
            direction: Direction::Increase,
            ..Metric::default()
        };
        let html = metric_chart(&m);
        assert_eq!(html.matches("class=\"mb-bar ").count(), 2);
        assert!(html.contains("bar-met"));
        assert!(html.contains("Target</span>"));
        assert!(
            html.contains("+87.5\u{a0}% relative"),
            "the change from the baseline: {html}"
        );
        assert!(html.contains("baseline 4\u{a0}%, actual 7.5\u{a0}%, target 6\u{a0}%"));
    }

    #[test]
    fn numbers_print_plainly() {
        assert_eq!(crate::fmt::plain_number(12.0), "12");
        assert_eq!(crate::fmt::plain_number(0.125), "0.125");
        assert_eq!(crate::fmt::plain_number(2.50), "2.5");
    }
}
