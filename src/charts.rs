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

/// A number without needless decimals: 12, 12.5, 0.125.
pub fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
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
) -> String {
    let pct = |x: f64| crate::stats::signed_percent(x);
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
        r#"<svg class="interval-svg" viewBox="0 0 1000 40" preserveAspectRatio="none" aria-hidden="true" focusable="false"><rect class="interval-bar interval-{tone}" x="{:.1}" y="12" width="{:.1}" height="16" rx="3"/><rect class="interval-estimate" x="{:.1}" y="6" width="4" height="28"/><line class="interval-zero" x1="{:.1}" y1="0" x2="{:.1}" y2="40"/>"#,
        x(ci[0]),
        (x(ci[1]) - x(ci[0])).max(2.0),
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
        r#"<span class="interval-label interval-zero-label" style="left:{}">0</span><span class="interval-label interval-ci-label" style="left:{}">{}</span><span class="interval-label interval-ci-label" style="left:{}">{}</span>"#,
        left(0.0),
        left(ci[0]),
        esc(&pct(ci[0])),
        left(ci[1]),
        esc(&pct(ci[1]))
    );
    if let Some(m) = mde_at {
        let _ = write!(
            labels,
            r#"<span class="interval-label interval-mde-label" style="left:{}">mde {}</span>"#,
            left(m),
            esc(&pct(m))
        );
    }
    format!(
        r#"<div class="interval" role="img" aria-label="{}"><div class="interval-plot">{svg}</div><div class="interval-labels">{labels}</div></div>"#,
        esc(&text)
    )
}

/// Baseline and actual as bars against the target as a line, honouring direction.
pub fn metric_chart(m: &Metric) -> String {
    let unit = m.unit.as_deref().unwrap_or("");
    let with_unit = |v: f64| {
        if unit.is_empty() {
            fmt_num(v)
        } else {
            format!("{} {unit}", fmt_num(v))
        }
    };
    let values = [m.baseline, m.actual, m.target];
    let max = values.iter().flatten().fold(0.0f64, |a, b| a.max(b.abs()));
    let scale = if max > 0.0 { 300.0 / (max * 1.1) } else { 0.0 };
    let verdict = match m.meets_target() {
        Some(true) => "meets its target",
        Some(false) => "misses its target",
        None => "has no verdict yet",
    };
    let dir = match m.direction {
        Direction::Increase => "higher is better",
        Direction::Decrease => "lower is better",
    };
    let mut desc = format!("{}: ", m.name);
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
    let _ = write!(desc, "{}; {dir}; {verdict}.", parts.join(", "));
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart metric-chart" viewBox="0 0 420 70" role="img" aria-labelledby="t-{id} d-{id}" xmlns="http://www.w3.org/2000/svg"><title id="t-{id}">{name}</title><desc id="d-{id}">{desc}</desc>"#,
        id = crate::model::slugify(&m.name),
        name = esc(&m.name),
        desc = esc(&desc)
    );
    let mut y = 6.0;
    for (label, value, class) in [
        ("baseline", m.baseline, "bar bar-baseline"),
        ("actual", m.actual, "bar bar-actual"),
    ] {
        if let Some(v) = value {
            let w = (v.abs() * scale).max(1.0);
            let class = if label == "actual" {
                match m.meets_target() {
                    Some(true) => "bar bar-actual bar-met",
                    Some(false) => "bar bar-actual bar-missed",
                    None => class,
                }
            } else {
                class
            };
            let _ = write!(
                svg,
                r#"<text class="chart-label" x="0" y="{ty}">{label}</text><rect class="{class}" x="64" y="{y}" width="{w:.1}" height="20" rx="3"><title>{label}: {val}</title></rect><text class="chart-value" x="{tx:.1}" y="{ty}">{val}</text>"#,
                ty = y + 15.0,
                tx = 64.0 + w + 6.0,
                val = esc(&with_unit(v)),
            );
        }
        y += 28.0;
    }
    if let Some(t) = m.target {
        let x = 64.0 + t.abs() * scale;
        let _ = write!(
            svg,
            r#"<line class="target" x1="{x:.1}" x2="{x:.1}" y1="2" y2="62"><title>target: {val}</title></line>"#,
            val = esc(&with_unit(t))
        );
    }
    svg.push_str("</svg>");
    let _ = write!(svg, r#"<p class="chart-text">{}</p>"#, esc(&desc));
    svg
}

/// Vertical bars, one per labelled count (learning velocity per month).
pub fn bar_chart(title: &str, entries: &[(String, usize)]) -> String {
    let max = entries.iter().map(|e| e.1).max().unwrap_or(0).max(1) as f64;
    let n = entries.len().max(1) as f64;
    let width = 600.0;
    let slot = width / n;
    let bar = (slot * 0.7).min(48.0);
    let desc: Vec<String> = entries.iter().map(|(l, c)| format!("{l}: {c}")).collect();
    let mut svg = format!(
        r#"<svg class="chart bar-chart" viewBox="0 0 {width} 180" role="img" xmlns="http://www.w3.org/2000/svg"><title>{}</title><desc>{}</desc>"#,
        esc(title),
        esc(&desc.join("; "))
    );
    for (i, (label, count)) in entries.iter().enumerate() {
        let h = *count as f64 / max * 130.0;
        let x = i as f64 * slot + (slot - bar) / 2.0;
        let _ = write!(
            svg,
            r#"<rect class="bar" x="{x:.1}" y="{y:.1}" width="{bar:.1}" height="{h:.1}" rx="2"><title>{l}: {count}</title></rect><text class="chart-value" x="{cx:.1}" y="{vy:.1}" text-anchor="middle">{count}</text><text class="chart-label" x="{cx:.1}" y="176" text-anchor="middle">{l}</text>"#,
            y = 150.0 - h,
            cx = x + bar / 2.0,
            vy = 150.0 - h - 4.0,
            l = esc(label),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// One horizontal bar split by share, e.g. the status mix of all experiments.
pub fn stacked_bar(title: &str, parts: &[(&str, usize)]) -> String {
    let total: usize = parts.iter().map(|p| p.1).sum();
    let desc: Vec<String> = parts
        .iter()
        .filter(|p| p.1 > 0)
        .map(|(l, c)| format!("{l}: {c}"))
        .collect();
    let mut svg = format!(
        r#"<svg class="chart stacked-chart" viewBox="0 0 600 28" role="img" xmlns="http://www.w3.org/2000/svg"><title>{}</title><desc>{}</desc>"#,
        esc(title),
        esc(&desc.join("; "))
    );
    let mut x = 0.0;
    for (label, count) in parts.iter().filter(|p| p.1 > 0) {
        let w = *count as f64 / total.max(1) as f64 * 600.0;
        let _ = write!(
            svg,
            r#"<rect class="seg seg-{label}" x="{x:.1}" y="0" width="{w:.1}" height="28"><title>{label}: {count}</title></rect>"#
        );
        x += w;
    }
    svg.push_str("</svg>");
    svg
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
        );
        // The interval crosses zero: the bar says it is unsure.
        assert!(html.contains("interval-unsure"), "{html}");
        assert!(html.contains("aria-label=\"Conversion: +12.0 % (interval \u{2212}1.1 % to +25.1 %); the smallest effect worth detecting is +10.0 %\""), "{html}");
        assert_eq!(html.matches("class=\"interval-label ").count(), 4);
        let bad = interval_chart(0.3, [0.1, 0.5], None, Direction::Decrease, "Churn");
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
        let svg = metric_chart(&m);
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(svg.contains("bar-met"));
        assert!(svg.contains("<line class=\"target\""));
        assert!(svg.contains("baseline 4 %, actual 7.5 %, target 6 %"));
    }

    #[test]
    fn numbers_print_plainly() {
        assert_eq!(fmt_num(12.0), "12");
        assert_eq!(fmt_num(0.125), "0.125");
        assert_eq!(fmt_num(2.50), "2.5");
    }
}
