//! The chance that the variant beats the control, for rate metrics: P(B > A)
//! under flat Beta priors, each tail computed as itself.

use super::standard_normal;
use statrs::distribution::{Continuous, ContinuousCDF};

/// Above this many terms, the exact sum of the chance to win gives way to
/// the normal approximation of the two Betas (at such counts the two agree
/// to about 1e-5; `tests/reference/stats_cases.txt` has the comparison).
pub const EXACT_CHANCE_TERMS: f64 = 20_000.0;

/// P(B > A) and P(B < A) for A ~ Beta(1 + xa, 1 + na − xa) and
/// B ~ Beta(1 + xb, 1 + nb − xb) (flat priors), each computed as itself,
/// not as one minus the other.
pub(super) fn beta_chances(xa: u64, na: u64, xb: u64, nb: u64) -> (f64, f64) {
    let a = (1.0 + xa as f64, 1.0 + (na - xa) as f64);
    let b = (1.0 + xb as f64, 1.0 + (nb - xb) as f64);
    // P(Y > X) sums over Y's first parameter, or, through 1 − p, over X's
    // second: whichever is smaller.
    let exceeds = |x: (f64, f64), y: (f64, f64)| -> Option<f64> {
        if y.0 <= x.1 {
            (y.0 <= EXACT_CHANCE_TERMS).then(|| beta_sum(x, y))
        } else {
            (x.1 <= EXACT_CHANCE_TERMS).then(|| beta_sum((y.1, y.0), (x.1, x.0)))
        }
    };
    match (exceeds(a, b), exceeds(b, a)) {
        (Some(better), Some(worse)) => (better, worse),
        _ => beta_chances_approximate(a, b),
    }
}

/// P(B > A) and P(B < A) from the normal approximation of B − A with the
/// Betas' means and variances, and a one-term Edgeworth correction for its
/// skewness: Φ(z) + φ(z)·g/6·(z² − 1). Without it the approximation errs
/// by about 0.1/√x at a 1:9 split (x: the smaller arm's conversions); with
/// it, by about 0.05/x at any split (`tests/reference/stats_cases.txt`).
fn beta_chances_approximate(a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
    // Mean, variance and third central moment of a Beta.
    let moments = |(al, be): (f64, f64)| {
        let s = al + be;
        let var = al * be / (s * s * (s + 1.0));
        let skew = 2.0 * (be - al) * (s + 1.0).sqrt() / ((s + 2.0) * (al * be).sqrt());
        (al / s, var, skew * var.powf(1.5))
    };
    let ((ma, va, ka), (mb, vb, kb)) = (moments(a), moments(b));
    let sd = (va + vb).sqrt();
    let z = (mb - ma) / sd;
    let g = (kb - ka) / sd.powi(3);
    let n = standard_normal();
    let (mut better, mut worse) = (n.sf(-z), n.sf(z));
    // Far in the tails the correction term would outgrow the tail itself.
    if z.abs() < 5.0 {
        let correction = n.pdf(z) * g / 6.0 * (z * z - 1.0);
        better += correction;
        worse -= correction;
    }
    (better, worse)
}

/// P(Y > X) for X ~ Beta(x.0, x.1), Y ~ Beta(y.0, y.1) with y.0 a whole
/// number: Σ_{i<y.0} B(x.0 + i, x.1 + y.1) / ((y.1 + i) B(1 + i, y.1) B(x.0, x.1)),
/// each term from the one before by the ratio of its factors (in logs, so
/// that no term underflows before it is added).
fn beta_sum(x: (f64, f64), y: (f64, f64)) -> f64 {
    use statrs::function::beta::ln_beta;
    let mut log_term = ln_beta(x.0, x.1 + y.1) - y.1.ln() - ln_beta(1.0, y.1) - ln_beta(x.0, x.1);
    let mut total = 0.0;
    let terms = y.0 as u64;
    for i in 0..terms {
        total += log_term.exp();
        let i = i as f64;
        log_term += ((x.0 + i) / (x.0 + x.1 + y.1 + i) * (y.1 + i) / (1.0 + i)).ln();
    }
    total.min(1.0)
}
