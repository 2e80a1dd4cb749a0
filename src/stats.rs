//! Evidence from counts: what an experiment's arms say about its metrics,
//! computed in closed form (no sampling), so builds stay reproducible.
//! Distributions and special functions come from `statrs`.
//!
//! One test per metric tells the whole story: the p-value, the interval
//! and the verdict all come from the unpooled delta-method test on the
//! relative lift (as GrowthBook's frequentist engine does; Deng, Knoblich
//! and Lu, "Applying the Delta Method in Metric Analytics", 2018), with a
//! standard normal for rates and Student's t with Welch–Satterthwaite
//! degrees of freedom for means. So the interval excludes zero exactly when
//! the result is significant. Where the relative lift has no meaning (a
//! control of zero or below) or no spread (a variant of zero conversions),
//! the same test is made on the absolute difference.
//!
//! The chance that the variant is better: for rates, P(B > A) under flat
//! Beta priors, summed exactly while that is cheap and from the normal
//! approximation of the two Betas above [`chance::EXACT_CHANCE_TERMS`]; for means,
//! the normal approximation of the difference. Every tail is computed
//! directly (survival functions, `erfc`), so no p-value or chance reads as
//! exactly 0 or 1.
//!
//! Per experiment: a χ² test of the arms' units against the planned split.

use crate::fmt::{percent_number, plain_number};
use crate::model::{ArmCounts, Direction};
use serde::Serialize;
use statrs::distribution::{ChiSquared, ContinuousCDF, Normal, StudentsT};

/// A probability strictly between 0 and 1: a confidence, a power, a share
/// of units. It cannot hold NaN, an infinity or anything outside (0, 1), so
/// no computation ever sees such a value.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
#[serde(transparent)]
pub struct Probability(f64);

impl Probability {
    pub fn new(x: f64) -> Option<Probability> {
        (x > 0.0 && x < 1.0).then_some(Probability(x))
    }

    pub fn get(self) -> f64 {
        self.0
    }

    /// The share that is not this one (`1 − p`).
    pub fn rest(self) -> f64 {
        1.0 - self.0
    }
}

/// `stats:` of `gemba.yaml` as written: checked, then made [`Settings`].
#[derive(Debug, Clone, Copy, PartialEq, serde::Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct WrittenSettings {
    /// Confidence of intervals and the significance of tests (0.95: p < 0.05).
    pub confidence: f64,
    /// The power a required sample is computed for.
    pub power: f64,
    /// A sample-ratio check whose p is below this is a mismatch.
    pub srm_threshold: f64,
}

impl Default for WrittenSettings {
    fn default() -> WrittenSettings {
        WrittenSettings {
            confidence: 0.95,
            power: 0.8,
            srm_threshold: 0.001,
        }
    }
}

impl WrittenSettings {
    /// The range each setting must lie in (open at both ends).
    pub const RANGES: [(&'static str, f64, f64); 3] = [
        ("confidence", 0.5, 1.0),
        ("power", 0.5, 1.0),
        ("srm_threshold", 0.0, 0.5),
    ];

    fn value(&self, name: &str) -> f64 {
        match name {
            "confidence" => self.confidence,
            "power" => self.power,
            _ => self.srm_threshold,
        }
    }

    /// The settings that are outside their range: (name, value, low, high).
    pub fn out_of_range(&self) -> Vec<(&'static str, f64, f64, f64)> {
        Self::RANGES
            .iter()
            .filter(|(name, lo, hi)| {
                let v = self.value(name);
                !(v > *lo && v < *hi)
            })
            .map(|&(name, lo, hi)| (name, self.value(name), lo, hi))
            .collect()
    }

    /// The typed settings; a value out of range (reported as an error by
    /// the configuration's check) stands at its default.
    pub fn settings(&self) -> Settings {
        let defaults = WrittenSettings::default();
        let take = |name: &str| {
            let (_, lo, hi) = *Self::RANGES
                .iter()
                .find(|r| r.0 == name)
                .expect("a setting");
            let v = self.value(name);
            Probability::new(if v > lo && v < hi {
                v
            } else {
                defaults.value(name)
            })
            .expect("a default is a probability")
        };
        Settings {
            confidence: take("confidence"),
            power: take("power"),
            srm_threshold: take("srm_threshold"),
        }
    }
}

/// How evidence is weighed: `stats:` of `gemba.yaml`, checked.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Settings {
    pub confidence: Probability,
    pub power: Probability,
    pub srm_threshold: Probability,
}

impl Default for Settings {
    fn default() -> Settings {
        WrittenSettings::default().settings()
    }
}

/// What an experiment planned: the smallest relative effect worth
/// detecting and the share of units in the variant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plan {
    /// A positive relative change (0.1 for 10 %).
    pub mde: Option<f64>,
    pub split: Probability,
}

impl Default for Plan {
    fn default() -> Plan {
        Plan {
            mde: None,
            split: Probability(0.5),
        }
    }
}

/// One arm's data: a rate (conversions of units) or a mean (with its sd).
/// Built by [`arm`], which admits only finite numbers that can be.
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

    /// The variance of one unit's value: p(1 − p) for a rate, sd² for a mean.
    fn unit_variance(&self) -> f64 {
        match *self {
            Arm::Rate { .. } => {
                let p = self.value();
                p * (1.0 - p)
            }
            Arm::Mean { sd, .. } => sd * sd,
        }
    }
}

/// The arm of written counts, or why it cannot be one.
pub fn arm(counts: &ArmCounts) -> Result<Arm, String> {
    for (what, x) in [("mean", counts.mean), ("sd", counts.sd)] {
        if let Some(x) = x.filter(|x| !x.is_finite()) {
            return Err(format!("{what} {x} is not a finite number"));
        }
    }
    if counts.units == 0 {
        return Err("an arm needs at least one unit".into());
    }
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

/// Units per arm a planned effect needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Required {
    pub control: u64,
    pub variant: u64,
}

/// The evidence of one metric with counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// The arms' values: rates (0..1) or means.
    pub control: f64,
    pub variant: f64,
    /// Relative lift, variant / control − 1; `None` when the control is
    /// zero or below.
    pub lift: Option<f64>,
    /// Absolute difference, variant − control (for a rate, in shares: 0.006
    /// is 0.6 percentage points).
    pub lift_abs: f64,
    /// The relative lift's confidence interval (`None` with `lift`).
    pub ci: Option<[f64; 2]>,
    /// The absolute difference's interval: the same interval on the other
    /// scale, so both exclude zero together.
    pub ci_abs: [f64; 2],
    pub p_value: f64,
    /// The chance the variant is better than the control, in the metric's
    /// direction.
    pub chance_to_win: f64,
    pub verdict: Verdict,
    /// What the test was made on: `relative` (the delta method on the
    /// lift) or `absolute` (the difference, where the lift has no meaning).
    pub basis: Basis,
    /// The larger of the two arms' required units (the units per arm of an
    /// even split).
    pub required_units: Option<u64>,
    /// Units each arm needs to detect `mde` at the settings' power.
    pub required: Option<Required>,
    /// The lesser of the two arms' units as a share of what each needs.
    pub progress: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    Relative,
    Absolute,
}

/// Why two arms give no evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoEvidence {
    /// An arm has fewer than two units.
    TooFewUnits,
    /// One arm is a rate and the other a mean.
    Mismatched,
    /// Neither arm varies, and their values differ: no test can weigh it.
    NoVariance,
    /// The numbers are too large to weigh in double precision.
    OutOfRange,
}

pub(crate) fn standard_normal() -> Normal {
    Normal::new(0.0, 1.0).expect("the standard normal")
}

/// The reference distribution of a test statistic: standard normal
/// (rates) or Student's t (means).
enum Reference {
    Normal(Normal),
    T(StudentsT),
}

impl Reference {
    fn sf(&self, x: f64) -> f64 {
        match self {
            Reference::Normal(d) => d.sf(x),
            Reference::T(d) => d.sf(x),
        }
    }

    /// The two-sided critical value at `confidence`.
    fn critical(&self, confidence: Probability) -> f64 {
        let q = 1.0 - confidence.rest() / 2.0;
        match self {
            Reference::Normal(d) => d.inverse_cdf(q),
            Reference::T(d) => d.inverse_cdf(q),
        }
    }
}

/// Evidence of a metric from its two arms.
pub fn evidence(
    control: Arm,
    variant: Arm,
    direction: Direction,
    settings: &Settings,
    confidence: Probability,
    plan: Plan,
) -> Result<Evidence, NoEvidence> {
    let (nc, nv) = (control.units() as f64, variant.units() as f64);
    if nc < 2.0 || nv < 2.0 {
        return Err(NoEvidence::TooFewUnits);
    }
    let rate = match (control, variant) {
        (Arm::Rate { .. }, Arm::Rate { .. }) => true,
        (Arm::Mean { .. }, Arm::Mean { .. }) => false,
        _ => return Err(NoEvidence::Mismatched),
    };
    let (c, v) = (control.value(), variant.value());
    // The variances of the two arms' values.
    let (var_c, var_v) = (control.unit_variance() / nc, variant.unit_variance() / nv);
    let up = direction == Direction::Increase;
    let required = required_units(control, variant, direction, settings, confidence, plan);
    let progress = required.map(|r| (nc / r.control as f64).min(nv / r.variant as f64));
    let required_units = required.map(|r| r.control.max(r.variant));
    if var_c + var_v == 0.0 {
        if c != v {
            return Err(NoEvidence::NoVariance);
        }
        // Identical arms that do not vary: no difference at all.
        return Ok(Evidence {
            control: c,
            variant: v,
            lift: (c > 0.0).then_some(0.0),
            lift_abs: 0.0,
            ci: (c > 0.0).then_some([0.0, 0.0]),
            ci_abs: [0.0, 0.0],
            p_value: 1.0,
            chance_to_win: 0.5,
            verdict: Verdict::Inconclusive,
            basis: if c > 0.0 {
                Basis::Relative
            } else {
                Basis::Absolute
            },
            required_units,
            required,
            progress,
        });
    }
    let reference = reference(rate, var_c, var_v, nc, nv)?;
    // The delta method's standard error of the relative lift:
    // Var(v/c) ≈ var_v / c² + v² var_c / c⁴.
    let se_relative = (c > 0.0).then(|| (var_v / (c * c) + v * v * var_c / c.powi(4)).sqrt());
    let (basis, estimate, se) = match se_relative {
        Some(se) if se > 0.0 => (Basis::Relative, v / c - 1.0, se),
        _ => (Basis::Absolute, v - c, (var_c + var_v).sqrt()),
    };
    if !(estimate.is_finite() && se.is_finite()) {
        return Err(NoEvidence::OutOfRange);
    }
    let crit = reference.critical(confidence);
    let half = crit * se;
    let interval = [estimate - half, estimate + half];
    let (ci, ci_abs) = match basis {
        Basis::Relative => (Some(interval), interval.map(|x| x * c)),
        Basis::Absolute => ((c > 0.0).then(|| interval.map(|x| x / c)), interval),
    };
    let p_value = 2.0 * reference.sf((estimate / se).abs());
    let verdict = verdict(ci_abs, up);
    let (better, worse) = chances(control, variant, var_c + var_v);
    Ok(Evidence {
        control: c,
        variant: v,
        lift: (c > 0.0).then(|| v / c - 1.0),
        lift_abs: v - c,
        ci,
        ci_abs,
        p_value: open_unit(p_value.min(1.0)),
        chance_to_win: open_unit(if up { better } else { worse }),
        verdict,
        basis,
        required_units,
        required,
        progress,
    })
}

/// What the test's statistic is read against: the standard normal for
/// rates; Student's t with Welch–Satterthwaite degrees of freedom for
/// means (the normal past a million of them).
fn reference(
    rate: bool,
    var_c: f64,
    var_v: f64,
    nc: f64,
    nv: f64,
) -> Result<Reference, NoEvidence> {
    Ok(if rate {
        Reference::Normal(standard_normal())
    } else {
        // Welch–Satterthwaite degrees of freedom.
        let df =
            (var_c + var_v).powi(2) / (var_c * var_c / (nc - 1.0) + var_v * var_v / (nv - 1.0));
        if !df.is_finite() {
            return Err(NoEvidence::OutOfRange);
        }
        // Past a million degrees of freedom t and the normal agree to
        // within 1e-6, and t's quantile is slow to find.
        if df > 1e6 {
            Reference::Normal(standard_normal())
        } else {
            Reference::T(StudentsT::new(0.0, 1.0, df).map_err(|_| NoEvidence::OutOfRange)?)
        }
    })
}

/// The verdict an interval on the difference's scale gives, in the
/// metric's direction (`up`).
fn verdict(ci_abs: [f64; 2], up: bool) -> Verdict {
    if ci_abs[0] > 0.0 {
        if up {
            Verdict::Win
        } else {
            Verdict::Loss
        }
    } else if ci_abs[1] < 0.0 {
        if up {
            Verdict::Loss
        } else {
            Verdict::Win
        }
    } else {
        Verdict::Inconclusive
    }
}

/// The chances that the variant is better and worse: exact Beta sums for
/// rates, the normal approximation (of total `variance`) for means.
fn chances(control: Arm, variant: Arm, variance: f64) -> (f64, f64) {
    match (control, variant) {
        (
            Arm::Rate {
                units: na,
                conversions: xa,
            },
            Arm::Rate {
                units: nb,
                conversions: xb,
            },
        ) => chance::beta_chances(xa, na, xb, nb),
        _ => {
            let z = (variant.value() - control.value()) / variance.sqrt();
            let n = standard_normal();
            (n.sf(-z), n.sf(z))
        }
    }
}

/// A probability kept off 0 and 1, where a tail too small for a double
/// would round it there.
pub(crate) fn open_unit(p: f64) -> f64 {
    if p >= 1.0 {
        1.0 - f64::EPSILON / 2.0
    } else {
        p.max(f64::MIN_POSITIVE)
    }
}

/// Units each arm needs to detect a relative change of `mde` in the
/// metric's direction, at the settings' power, with `split` of the units
/// in the variant. `None` without an `mde`, or where no sample can show it
/// (see [`unreachable_mde`]).
pub fn required_units(
    control: Arm,
    variant: Arm,
    direction: Direction,
    settings: &Settings,
    confidence: Probability,
    plan: Plan,
) -> Option<Required> {
    let mde = plan.mde?;
    if unreachable_mde(control, direction, mde).is_some() {
        return None;
    }
    let c = control.value();
    let sign = if direction == Direction::Increase {
        1.0
    } else {
        -1.0
    };
    let target = c * (1.0 + sign * mde);
    let (spread_c, spread_t) = match (control, variant) {
        (Arm::Rate { .. }, _) => (c * (1.0 - c), target * (1.0 - target)),
        (Arm::Mean { sd, .. }, _) => (sd * sd, sd * sd),
    };
    let n = standard_normal();
    let z = n.inverse_cdf(1.0 - confidence.rest() / 2.0) + n.inverse_cdf(settings.power.get());
    let s = plan.split.get();
    let delta = target - c;
    let total = z * z * (spread_c / (1.0 - s) + spread_t / s) / (delta * delta);
    let per_arm = |share: f64| {
        let x = (total * share).ceil();
        if x.is_finite() && x < u64::MAX as f64 {
            x as u64
        } else {
            u64::MAX
        }
    };
    Some(Required {
        control: per_arm(1.0 - s),
        variant: per_arm(s),
    })
}

/// Why no sample can detect a relative change of `mde` from this control,
/// or `None` when one can.
pub fn unreachable_mde(control: Arm, direction: Direction, mde: f64) -> Option<String> {
    let c = control.value();
    let shown = |x: f64| format!("{} %", percent_number(x * 100.0));
    match control {
        Arm::Rate { .. } if c <= 0.0 => Some(
            "the control converts none of its units, so a relative change of it is zero".into(),
        ),
        Arm::Rate { .. } => {
            let target = if direction == Direction::Increase {
                c * (1.0 + mde)
            } else {
                c * (1.0 - mde)
            };
            if target >= 1.0 {
                Some(format!(
                    "a {} rise on a {} rate asks for a rate of {}, and no rate passes 100 %",
                    shown(mde),
                    shown(c),
                    shown(target)
                ))
            } else if target <= 0.0 {
                Some(format!(
                    "a {} fall on a {} rate asks for a rate of {}, and no rate falls below 0 %",
                    shown(mde),
                    shown(c),
                    shown(target)
                ))
            } else {
                None
            }
        }
        Arm::Mean { .. } if c <= 0.0 => Some(format!(
            "the control's mean is {}, and a relative change of a mean at or below zero has no meaning",
            plain_number(c)
        )),
        Arm::Mean { .. } => None,
    }
}

/// The sample-ratio check of two arms' units against the planned share of
/// the variant: the p of a χ² test with one degree of freedom.
pub fn sample_ratio_p(control_units: u64, variant_units: u64, split: Probability) -> Option<f64> {
    let total = control_units as f64 + variant_units as f64;
    if total == 0.0 {
        return None;
    }
    let expected = [total * split.rest(), total * split.get()];
    let observed = [control_units as f64, variant_units as f64];
    let chi2: f64 = observed
        .iter()
        .zip(expected)
        .map(|(o, e)| (o - e).powi(2) / e)
        .sum();
    let dist = ChiSquared::new(1.0).ok()?;
    Some(open_unit(dist.sf(chi2)))
}

mod chance;
mod pool;
mod words;
pub use pool::{pool, study, Pooled, Study};

#[cfg(test)]
mod tests;
