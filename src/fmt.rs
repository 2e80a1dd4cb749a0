//! Numbers as pages, cards, charts and the editor show them: plain
//! numbers, thousands, percentages, points, p-values and chances. A leaf:
//! it imports nothing of gemba, and everything that writes a number for
//! people imports it (JSON keeps every number whole).

/// A number of percent as pages show it: one decimal from 1 up, two
/// significant digits below (`12.0`, `1.1`, `0.31`, `0.0042`), `0.0` for
/// zero.
pub fn percent_number(p: f64) -> String {
    let a = p.abs();
    if a == 0.0 || !a.is_finite() {
        return "0.0".into();
    }
    if a >= 1.0 {
        return format!("{a:.1}");
    }
    let decimals = (1 - a.log10().floor() as i32).clamp(1, 12) as usize;
    let text = format!("{a:.decimals$}");
    // Rounding up can make one more digit (0.0995 → 0.10).
    if text.starts_with("1.") {
        "1.0".into()
    } else {
        text
    }
}

/// A share as a signed percentage: `+12.0 %`, `−1.1 %`, `+0.31 %`.
pub fn signed_percent(x: f64) -> String {
    let text = percent_number(x * 100.0);
    if x == 0.0 {
        format!("{text} %")
    } else if x < 0.0 {
        format!("\u{2212}{text} %")
    } else {
        format!("+{text} %")
    }
}

/// A difference of two rates in percentage points: `+0.60 points`.
pub fn signed_points(x: f64) -> String {
    let text = percent_number(x * 100.0);
    let sign = if x < 0.0 {
        "\u{2212}"
    } else if x > 0.0 {
        "+"
    } else {
        ""
    };
    format!("{sign}{text} points")
}

/// A signed number with an optional unit: `+0.2 min`.
pub fn signed_number(x: f64, unit: Option<&str>) -> String {
    let a = x.abs();
    let text = if a >= 1.0 || a == 0.0 {
        plain_number((a * 100.0).round() / 100.0)
    } else {
        percent_number(a)
    };
    let sign = if x < 0.0 {
        "\u{2212}"
    } else if x > 0.0 {
        "+"
    } else {
        ""
    };
    match unit {
        Some(u) if !u.is_empty() => format!("{sign}{text} {u}"),
        _ => format!("{sign}{text}"),
    }
}

/// A whole number with thousands separated: `31,231`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A confidence level as written before "% CI": `95`, `99.5`.
pub fn percent_level(confidence: f64) -> String {
    let level = (confidence * 1000.0).round() / 10.0;
    if level.fract() == 0.0 {
        format!("{level:.0}")
    } else {
        format!("{level:.1}")
    }
}

/// A p-value as a reader takes it: `p = 0.074`, `p < 0.001`.
pub fn p_text(p: f64) -> String {
    if p < 0.001 {
        "p < 0.001".to_string()
    } else {
        format!("p = {p:.3}")
    }
}

/// A chance as a reader takes it: `97 %`, `> 99.9 %`, `< 0.1 %`.
pub fn chance_text(p: f64) -> String {
    if p > 0.999 {
        "> 99.9 %".into()
    } else if p < 0.001 {
        "< 0.1 %".into()
    } else if !(0.01..=0.99).contains(&p) {
        format!("{:.1} %", p * 100.0)
    } else {
        format!("{:.0} %", p * 100.0)
    }
}

/// A number as written for people: whole numbers without decimals, others
/// to two decimals from 1 up, three below, two significant digits below
/// 0.01; trailing zeros dropped.
pub fn plain_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        // Two decimals from 1 up (48.33), three below (0.375), two
        // significant digits below 0.01 (0.0042).
        let a = v.abs();
        let decimals = if a >= 1.0 {
            2
        } else if a >= 0.01 || !a.is_finite() {
            3
        } else {
            (1 - a.log10().floor() as i32).clamp(3, 12) as usize
        };
        let s = format!("{v:.decimals$}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}
