//! Evidence in words: an estimate and its interval, and the change, on the
//! scale the test was made on (numbers themselves are written by `fmt`).

use super::{Basis, Evidence};
use crate::fmt::{p_text, percent_level, signed_number, signed_percent, signed_points};

impl Evidence {
    /// The estimate and its interval in words, on the scale the test was
    /// made on: `+12.0 % (95 % CI −1.1 % to +25.1 %)`; for an absolute
    /// test, `+0.60 points (…)` for a rate, `+0.2 min (…)` for a mean.
    pub fn estimate_text(&self, confidence: f64, rate: bool, unit: Option<&str>) -> String {
        let (estimate, ci): (f64, [f64; 2]) = match (self.basis, self.lift, self.ci) {
            (Basis::Relative, Some(lift), Some(ci)) => (lift, ci),
            _ => (self.lift_abs, self.ci_abs),
        };
        let shown = |x: f64| match (self.basis, rate) {
            (Basis::Relative, _) => signed_percent(x),
            (Basis::Absolute, true) => signed_points(x),
            (Basis::Absolute, false) => signed_number(x, unit),
        };
        format!(
            "{} ({} % CI {} to {})",
            shown(estimate),
            percent_level(confidence),
            shown(ci[0]),
            shown(ci[1])
        )
    }

    /// The result in words: "+12.0 % (95 % CI −1.1 % to +25.1 %), p = 0.074:
    /// inconclusive".
    pub fn sentence(&self, confidence: f64, rate: bool, unit: Option<&str>) -> String {
        format!(
            "{}, {}: {}",
            self.estimate_text(confidence, rate, unit),
            p_text(self.p_value),
            self.verdict.name()
        )
    }

    /// The estimate alone, signed as the test reads it: the relative lift
    /// where there is one, else the difference.
    pub fn change_text(&self, rate: bool, unit: Option<&str>) -> String {
        match (self.basis, self.lift) {
            (Basis::Relative, Some(lift)) => signed_percent(lift),
            _ if rate => signed_points(self.lift_abs),
            _ => signed_number(self.lift_abs, unit),
        }
    }

    /// Whether the experiment stopped short of the sample its `mde` needs.
    pub fn underpowered(&self) -> bool {
        self.progress.is_some_and(|p| p < 1.0)
    }
}
