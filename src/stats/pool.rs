//! Evidence across experiments: one metric's results pooled by the
//! fixed-effect inverse-variance method on the log ratio of the arms, with
//! Cochran's Q and I² to say whether the experiments agree.

use super::{standard_normal, Arm};
use serde::Serialize;
use statrs::distribution::ContinuousCDF;

/// One experiment's effect on the log scale: ln(variant / control), and
/// its variance by the delta method.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Study {
    pub log_ratio: f64,
    pub variance: f64,
}

/// The study of two arms; `None` where the log ratio has no meaning (a
/// rate of 0 or 1 in an arm, a mean at or below zero) or no spread.
pub fn study(control: Arm, variant: Arm) -> Option<Study> {
    // Each arm's variance of ln(value): (1 − p)/(n·p) for a rate,
    // sd²/(n·mean²) for a mean.
    let log_variance = |arm: Arm| -> Option<f64> {
        let n = arm.units() as f64;
        let v = arm.value();
        if n < 1.0 || v <= 0.0 || !v.is_finite() {
            return None;
        }
        match arm {
            Arm::Rate { .. } if v < 1.0 => Some((1.0 - v) / (n * v)),
            Arm::Rate { .. } => None,
            Arm::Mean { sd, .. } => Some(sd * sd / (n * v * v)),
        }
    };
    if std::mem::discriminant(&control) != std::mem::discriminant(&variant) {
        return None;
    }
    let variance = log_variance(control)? + log_variance(variant)?;
    let log_ratio = (variant.value() / control.value()).ln();
    (variance > 0.0 && variance.is_finite() && log_ratio.is_finite()).then_some(Study {
        log_ratio,
        variance,
    })
}

/// The pooled effect of several studies.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Pooled {
    /// The pooled relative change, exp(pooled log ratio) − 1.
    pub lift: f64,
    /// Its 95 % interval, on the same scale.
    pub ci: [f64; 2],
    /// The share of the spread between studies beyond chance, 0 to 1.
    pub i2: f64,
    /// Cochran's Q.
    #[serde(skip)]
    pub q: f64,
    /// How many studies were pooled.
    #[serde(skip)]
    pub studies: usize,
}

/// The fixed-effect inverse-variance pool of `studies`; `None` for none.
pub fn pool(studies: &[Study]) -> Option<Pooled> {
    if studies.is_empty() {
        return None;
    }
    let weights: Vec<f64> = studies.iter().map(|s| 1.0 / s.variance).collect();
    let total: f64 = weights.iter().sum();
    let estimate = studies
        .iter()
        .zip(&weights)
        .map(|(s, w)| w * s.log_ratio)
        .sum::<f64>()
        / total;
    let se = total.sqrt().recip();
    let z = standard_normal().inverse_cdf(0.975);
    let q: f64 = studies
        .iter()
        .zip(&weights)
        .map(|(s, w)| w * (s.log_ratio - estimate).powi(2))
        .sum();
    let df = (studies.len() - 1) as f64;
    // One study cannot disagree with itself (its Q is zero but for
    // rounding).
    let i2 = if studies.len() > 1 && q > df {
        (q - df) / q
    } else {
        0.0
    };
    let lift = estimate.exp_m1();
    let ci = [(estimate - z * se).exp_m1(), (estimate + z * se).exp_m1()];
    (lift.is_finite() && ci.iter().all(|x| x.is_finite())).then_some(Pooled {
        lift,
        ci,
        i2,
        q,
        studies: studies.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rate(units: u64, conversions: u64) -> Arm {
        Arm::Rate { units, conversions }
    }

    /// Values computed independently with numpy and scipy from the
    /// textbook formulas (Borenstein et al., *Introduction to
    /// Meta-Analysis*, ch. 11 and 16), by `tests/reference/pool_reference.py`.
    #[test]
    fn pooling_matches_the_reference() {
        let studies: Vec<Study> = [
            (rate(10_000, 500), rate(10_000, 560)),
            (rate(4_000, 180), rate(4_000, 215)),
            (rate(25_000, 1_300), rate(25_000, 1_390)),
        ]
        .into_iter()
        .map(|(c, v)| study(c, v).unwrap())
        .collect();
        let p = pool(&studies).unwrap();
        let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
        assert!(close(p.lift, 0.09334125279955283), "{p:?}");
        assert!(close(p.ci[0], 0.030373968772005402), "{p:?}");
        assert!(close(p.ci[1], 0.16015653665820154), "{p:?}");
        assert!(close(p.q, 1.3206851651468763), "{p:?}");
        assert!(close(p.i2, 0.0), "{p:?}");

        // Studies that disagree: I² above zero.
        let apart = [
            study(rate(10_000, 500), rate(10_000, 650)).unwrap(),
            study(rate(10_000, 500), rate(10_000, 470)).unwrap(),
        ];
        let p = pool(&apart).unwrap();
        assert!(close(p.q, 14.468704937771983), "{p:?}");
        assert!(close(p.i2, 0.930885313903292), "{p:?}");
        assert!(close(p.lift, 0.12006919664264248), "{p:?}");

        // Means: sd²/(n·mean²) per arm.
        let m = study(
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
        )
        .unwrap();
        assert!(close(m.log_ratio, (43.0f64 / 41.2).ln()));
        assert!(close(
            m.variance,
            18.0 * 18.0 / (400.0 * 41.2 * 41.2) + 18.5 * 18.5 / (400.0 * 43.0 * 43.0)
        ));
    }

    #[test]
    fn no_log_ratio_no_study() {
        assert_eq!(study(rate(100, 0), rate(100, 5)), None);
        assert_eq!(study(rate(100, 100), rate(100, 5)), None);
        let mean = |mean: f64| Arm::Mean {
            units: 10,
            mean,
            sd: 1.0,
        };
        assert_eq!(study(mean(-1.0), mean(2.0)), None);
        assert_eq!(study(rate(100, 5), mean(2.0)), None);
        assert_eq!(pool(&[]), None);
    }

    proptest! {
        /// Pooling one experiment returns its own estimate and its own
        /// 95 % interval, and says nothing of disagreement.
        #[test]
        fn one_study_pools_to_itself(
            n_c in 50u64..1_000_000,
            n_v in 50u64..1_000_000,
            p_c in 0.001f64..0.999,
            p_v in 0.001f64..0.999,
        ) {
            let x_c = ((n_c as f64 * p_c).round() as u64).clamp(1, n_c - 1);
            let x_v = ((n_v as f64 * p_v).round() as u64).clamp(1, n_v - 1);
            let s = study(rate(n_c, x_c), rate(n_v, x_v)).unwrap();
            let p = pool(&[s]).unwrap();
            let own = (x_v as f64 / n_v as f64) / (x_c as f64 / n_c as f64) - 1.0;
            prop_assert!((p.lift - own).abs() <= 1e-9 * own.abs().max(1.0));
            let z = standard_normal().inverse_cdf(0.975);
            let half = z * s.variance.sqrt();
            prop_assert!((p.ci[0] - (s.log_ratio - half).exp_m1()).abs() < 1e-12);
            prop_assert!((p.ci[1] - (s.log_ratio + half).exp_m1()).abs() < 1e-12);
            prop_assert_eq!(p.i2, 0.0);
            prop_assert!(p.q < 1e-20);
        }
    }
}
