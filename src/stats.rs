//! Evidence from counts: what an experiment's arms say about its metrics,
//! computed in closed form (no sampling), so builds stay reproducible.
//! Distributions and special functions come from `statrs`.
//!
//! Rate metrics (units and conversions per arm): lift and its relative
//! confidence interval by the delta method, a two-sided pooled
//! two-proportion z-test, the exact chance that the variant beats the
//! control under flat Beta priors, and the units per arm a minimum
//! detectable effect needs. Mean metrics (units, mean and sd per arm): the
//! same with Welch's t-test and a normal approximation for the chance to win.
//! Per experiment: a χ² test of the arms' units against the planned split.

use crate::model::{ArmCounts, Direction};
use serde::Serialize;
use statrs::distribution::{ChiSquared, ContinuousCDF, Normal, StudentsT};
use statrs::function::beta::ln_beta;

/// Settings of `stats:` in `gemba.yaml`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Confidence of intervals and the significance of tests (0.95: p < 0.05).
    pub confidence: f64,
    /// The power a required sample is computed for.
    pub power: f64,
    /// A sample-ratio check whose p is below this is a mismatch.
    pub srm_threshold: f64,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            confidence: 0.95,
            power: 0.8,
            srm_threshold: 0.001,
        }
    }
}

/// One arm's data: a rate (conversions of units) or a mean (with its sd).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Arm {
    Rate { units: u64, conversions: u64 },
    Mean { units: u64, mean: f64, sd: f64 },
}

impl Arm {
    pub fn units(&self) -> u64 {
        match *self {
            Arm::Rate { units, .. } | Arm::Mean { units, .. } => units,
        }
    }

    /// The arm's value: a rate (0..1) or a mean.
    pub fn value(&self) -> f64 {
        match *self {
            Arm::Rate { units, conversions } => conversions as f64 / units as f64,
            Arm::Mean { mean, .. } => mean,
        }
    }
}

/// The arm of written counts, or why it cannot be one.
pub fn arm(counts: &ArmCounts) -> Result<Arm, String> {
    match (counts.conversions, counts.mean, counts.sd) {
        (Some(_), Some(_), _) => Err("an arm has conversions or a mean, not both".into()),
        (Some(c), None, _) if c > counts.units => Err(format!(
            "{c} conversions of {} units: conversions cannot exceed units",
            counts.units
        )),
        (Some(c), None, None) => Ok(Arm::Rate {
            units: counts.units,
            conversions: c,
        }),
        (Some(_), None, Some(_)) => Err("a rate arm has no sd".into()),
        (None, Some(_), None) => Err("a mean metric needs the sd of each arm".into()),
        (None, Some(_), Some(sd)) if sd < 0.0 => Err(format!("sd {sd} is negative")),
        (None, Some(mean), Some(sd)) => Ok(Arm::Mean {
            units: counts.units,
            mean,
            sd,
        }),
        (None, None, _) => {
            Err("an arm needs conversions (a rate) or a mean and sd (a mean)".into())
        }
    }
}

/// What the data say of a metric, in its direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Significant, in the metric's direction.
    Win,
    /// Significant, against it.
    Loss,
    Inconclusive,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Win => "win",
            Verdict::Loss => "loss",
            Verdict::Inconclusive => "inconclusive",
        }
    }
}

/// The evidence of one metric with counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// The arms' values: rates (0..1) or means.
    pub control: f64,
    pub variant: f64,
    /// Relative lift, variant / control − 1.
    pub lift: f64,
    /// Absolute difference, variant − control.
    pub lift_abs: f64,
    /// The relative lift's confidence interval.
    pub ci: [f64; 2],
    pub p_value: f64,
    /// The chance the variant is better than the control, in the metric's
    /// direction.
    pub chance_to_win: f64,
    pub verdict: Verdict,
    /// Units per arm needed to detect `mde` at the power of the settings.
    pub required_units: Option<u64>,
    /// The smaller arm's units as a share of `required_units`.
    pub progress: Option<f64>,
}

fn standard_normal() -> Normal {
    Normal::new(0.0, 1.0).expect("the standard normal")
}

/// The two-sided critical value at `confidence`.
fn z_two_sided(confidence: f64) -> f64 {
    standard_normal().inverse_cdf(1.0 - (1.0 - confidence) / 2.0)
}

/// Evidence of a metric from its two arms; `None` when the arms are not of
/// one kind or cannot be compared (no units, a zero control).
pub fn evidence(
    control: Arm,
    variant: Arm,
    direction: Direction,
    settings: &Settings,
    confidence: f64,
    mde: Option<f64>,
) -> Option<Evidence> {
    let (nc, nv) = (control.units() as f64, variant.units() as f64);
    if nc < 2.0 || nv < 2.0 {
        return None;
    }
    let (c, v) = (control.value(), variant.value());
    if c == 0.0 {
        return None;
    }
    let z = z_two_sided(confidence);
    let (var_c, var_v, p_value, better, required) = match (control, variant) {
        (
            Arm::Rate {
                conversions: xc, ..
            },
            Arm::Rate {
                conversions: xv, ..
            },
        ) => {
            let (var_c, var_v) = (c * (1.0 - c) / nc, v * (1.0 - v) / nv);
            let pooled = (xc + xv) as f64 / (nc + nv);
            let se = (pooled * (1.0 - pooled) * (1.0 / nc + 1.0 / nv)).sqrt();
            let p_value = if se > 0.0 {
                two_sided_normal((v - c) / se)
            } else {
                1.0
            };
            let better = beta_binomial_chance(xc, control.units(), xv, variant.units());
            let required = mde.and_then(|mde| {
                let target = c * (1.0 + mde);
                (target > 0.0 && target < 1.0).then(|| {
                    let spread = c * (1.0 - c) + target * (1.0 - target);
                    sample_size(spread, target - c, settings, confidence)
                })
            });
            (var_c, var_v, p_value, better, required)
        }
        (Arm::Mean { sd: sc, .. }, Arm::Mean { sd: sv, .. }) => {
            let (var_c, var_v) = (sc * sc / nc, sv * sv / nv);
            let se = (var_c + var_v).sqrt();
            let (p_value, better) = if se > 0.0 {
                let t = (v - c) / se;
                // Welch–Satterthwaite degrees of freedom.
                let df = (var_c + var_v).powi(2)
                    / (var_c * var_c / (nc - 1.0) + var_v * var_v / (nv - 1.0));
                let dist = StudentsT::new(0.0, 1.0, df).ok()?;
                (2.0 * (1.0 - dist.cdf(t.abs())), standard_normal().cdf(t))
            } else {
                (1.0, if v > c { 1.0 } else { 0.0 })
            };
            let required = mde.map(|mde| sample_size(2.0 * sc * sc, mde * c, settings, confidence));
            (var_c, var_v, p_value, better, required)
        }
        _ => return None,
    };
    // The relative lift's interval by the delta method.
    // Var(v/c) ≈ var_v / c² + v² var_c / c⁴.
    let ratio = v / c;
    let se_ratio = (var_v / (c * c) + v * v * var_c / c.powi(4)).sqrt();
    let ci = [ratio - z * se_ratio - 1.0, ratio + z * se_ratio - 1.0];
    let up = direction == Direction::Increase;
    let chance_to_win = if up { better } else { 1.0 - better };
    let significant = p_value < 1.0 - confidence;
    let verdict = match (significant, (v > c) == up) {
        (false, _) => Verdict::Inconclusive,
        (true, true) => Verdict::Win,
        (true, false) => Verdict::Loss,
    };
    let progress = required.map(|r| nc.min(nv) / r as f64);
    Some(Evidence {
        control: c,
        variant: v,
        lift: ratio - 1.0,
        lift_abs: v - c,
        ci,
        p_value,
        chance_to_win,
        verdict,
        required_units: required,
        progress,
    })
}

/// A share as a signed percentage: `+12.0 %`, `−1.1 %`.
pub fn signed_percent(x: f64) -> String {
    let p = x * 100.0;
    let text = format!("{:.1}", p.abs());
    if text == "0.0" {
        "0.0 %".to_string()
    } else if p < 0.0 {
        format!("\u{2212}{text} %")
    } else {
        format!("+{text} %")
    }
}

/// A confidence level as written before "% CI": `95`, `99.5`.
fn percent_level(confidence: f64) -> String {
    let level = (confidence * 1000.0).round() / 10.0;
    if level.fract() == 0.0 {
        format!("{level:.0}")
    } else {
        format!("{level:.1}")
    }
}

/// A p-value as a reader takes it: `p = 0.058`, `p < 0.001`.
pub fn p_text(p: f64) -> String {
    if p < 0.001 {
        "p < 0.001".to_string()
    } else {
        format!("p = {p:.3}")
    }
}

impl Evidence {
    /// The result in words: "+12.0 % (95 % CI −1.1 % to +25.1 %), p = 0.058:
    /// inconclusive".
    pub fn sentence(&self, confidence: f64) -> String {
        format!(
            "{} ({} % CI {} to {}), {}: {}",
            signed_percent(self.lift),
            percent_level(confidence),
            signed_percent(self.ci[0]),
            signed_percent(self.ci[1]),
            p_text(self.p_value),
            self.verdict.name()
        )
    }

    /// Whether a concluded experiment stopped short of the sample its
    /// `mde` needs.
    pub fn underpowered(&self) -> bool {
        self.progress.is_some_and(|p| p < 1.0)
    }
}

/// Two-sided p of a standard normal statistic.
fn two_sided_normal(z: f64) -> f64 {
    2.0 * (1.0 - standard_normal().cdf(z.abs()))
}

/// Units per arm to detect a difference `delta` with the summed per-unit
/// variance `spread`, at the settings' power and the given confidence.
fn sample_size(spread: f64, delta: f64, settings: &Settings, confidence: f64) -> u64 {
    let z = z_two_sided(confidence) + standard_normal().inverse_cdf(settings.power);
    let n = z * z * spread / (delta * delta);
    if n.is_finite() {
        n.ceil() as u64
    } else {
        u64::MAX
    }
}

/// P(B > A) for A ~ Beta(1 + xa, 1 + na − xa) and B ~ Beta(1 + xb,
/// 1 + nb − xb): the exact sum over B's first parameter (flat priors).
fn beta_binomial_chance(xa: u64, na: u64, xb: u64, nb: u64) -> f64 {
    let (alpha_a, beta_a) = (1.0 + xa as f64, 1.0 + (na - xa) as f64);
    let (alpha_b, beta_b) = (1.0 + xb as f64, 1.0 + (nb - xb) as f64);
    let mut total = 0.0;
    let base = ln_beta(alpha_a, beta_a);
    for i in 0..(alpha_b as u64) {
        let i = i as f64;
        total += (ln_beta(alpha_a + i, beta_a + beta_b)
            - (beta_b + i).ln()
            - ln_beta(1.0 + i, beta_b)
            - base)
            .exp();
    }
    total.clamp(0.0, 1.0)
}

/// The sample-ratio check of two arms' units against the planned share of
/// the variant: the p of a χ² test with one degree of freedom.
pub fn sample_ratio_p(control_units: u64, variant_units: u64, split: f64) -> Option<f64> {
    let total = (control_units + variant_units) as f64;
    if total == 0.0 || !(split > 0.0 && split < 1.0) {
        return None;
    }
    let expected = [total * (1.0 - split), total * split];
    let observed = [control_units as f64, variant_units as f64];
    let chi2: f64 = observed
        .iter()
        .zip(expected)
        .map(|(o, e)| (o - e).powi(2) / e)
        .sum();
    let dist = ChiSquared::new(1.0).ok()?;
    Some(1.0 - dist.cdf(chi2))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 10,000/500 against 10,000/560, at the default settings.
    fn reference_rate() -> Evidence {
        evidence(
            Arm::Rate {
                units: 10_000,
                conversions: 500,
            },
            Arm::Rate {
                units: 10_000,
                conversions: 560,
            },
            Direction::Increase,
            &Settings::default(),
            0.95,
            None,
        )
        .unwrap()
    }

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance
    }

    #[test]
    fn the_rate_reference_values() {
        let e = reference_rate();
        assert!(close(e.lift, 0.12, 1e-12), "{e:?}");
        assert!(close(e.lift_abs, 0.006, 1e-12));
        assert!(close(e.p_value, 0.0583, 0.00005), "{}", e.p_value);
        assert!(close(e.ci[0], -0.0114, 0.00005), "{:?}", e.ci);
        assert!(close(e.ci[1], 0.2514, 0.00005), "{:?}", e.ci);
        assert!(close(e.chance_to_win, 0.971, 0.0005), "{}", e.chance_to_win);
        assert_eq!(e.verdict, Verdict::Inconclusive);
    }

    #[test]
    fn the_sample_size_and_ratio_reference_values() {
        let e = evidence(
            Arm::Rate {
                units: 20_000,
                conversions: 1_000,
            },
            Arm::Rate {
                units: 20_000,
                conversions: 1_000,
            },
            Direction::Increase,
            &Settings::default(),
            0.95,
            Some(0.10),
        )
        .unwrap();
        assert_eq!(e.required_units, Some(31_231));
        assert!(close(e.progress.unwrap(), 20_000.0 / 31_231.0, 1e-12));
        let p = sample_ratio_p(10_000, 10_300, 0.5).unwrap();
        assert!(close(p, 0.035, 0.0005), "{p}");
        assert!(sample_ratio_p(10_000, 10_000, 0.5).unwrap() > 0.99);
        assert!(sample_ratio_p(10_000, 10_600, 0.5).unwrap() < 0.001);
        assert_eq!(sample_ratio_p(1, 1, 1.5), None);
    }

    #[test]
    fn results_read_as_words() {
        let e = reference_rate();
        assert_eq!(
            e.sentence(0.95),
            "+12.0 % (95 % CI \u{2212}1.1 % to +25.1 %), p = 0.058: inconclusive"
        );
        assert_eq!(p_text(0.00002), "p < 0.001");
        assert_eq!(signed_percent(-0.0004), "0.0 %");
    }

    #[test]
    fn verdicts_follow_the_metric_direction() {
        let big = |x| Arm::Rate {
            units: 50_000,
            conversions: x,
        };
        let s = Settings::default();
        let up = evidence(big(2_500), big(2_900), Direction::Increase, &s, 0.95, None).unwrap();
        assert_eq!(up.verdict, Verdict::Win);
        assert!(up.chance_to_win > 0.999);
        let down = evidence(big(2_500), big(2_900), Direction::Decrease, &s, 0.95, None).unwrap();
        assert_eq!(down.verdict, Verdict::Loss);
        assert!(down.chance_to_win < 0.001);
        assert!(close(up.chance_to_win + down.chance_to_win, 1.0, 1e-12));
    }

    #[test]
    fn mean_metrics_use_welch() {
        // Support tickets per account: 41.2 (sd 18.0) against 43.0 (sd 18.5),
        // 400 accounts each.
        let e = evidence(
            Arm::Mean {
                units: 400,
                mean: 41.2,
                sd: 18.0,
            },
            Arm::Mean {
                units: 400,
                mean: 43.0,
                sd: 18.5,
            },
            Direction::Decrease,
            &Settings::default(),
            0.95,
            Some(0.1),
        )
        .unwrap();
        // t = 1.8 / sqrt(18²/400 + 18.5²/400) = 1.3955, df ≈ 797.6.
        assert!(close(e.p_value, 0.1633, 0.0005), "{}", e.p_value);
        assert_eq!(e.verdict, Verdict::Inconclusive);
        assert!(e.chance_to_win < 0.1, "worse in a decrease metric");
        // 2 (1.96 + 0.8416)² 18² / 4.12² = 299.7 → 300.
        assert_eq!(e.required_units, Some(300));
    }
}
