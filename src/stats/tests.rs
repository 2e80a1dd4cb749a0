//! The statistics against values computed independently: every constant
//! below comes from `tests/reference/stats_reference.py` (mpmath at 50
//! digits, checked against scipy), whose output is
//! `tests/reference/stats_cases.txt`; each case is named by its letter
//! there.

use super::*;
use crate::fmt::*;
use proptest::prelude::*;

fn rate(units: u64, conversions: u64) -> Arm {
    Arm::Rate { units, conversions }
}

fn mean(units: u64, mean: f64, sd: f64) -> Arm {
    Arm::Mean { units, mean, sd }
}

fn p(x: f64) -> Probability {
    Probability::new(x).unwrap()
}

fn plan(mde: Option<f64>, split: f64) -> Plan {
    Plan {
        mde,
        split: p(split),
    }
}

/// Relative closeness, with an absolute floor for values near zero.
fn close(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance * b.abs().max(1e-300) || (a - b).abs() < 1e-15
}

struct Case {
    name: &'static str,
    control: Arm,
    variant: Arm,
    direction: Direction,
    confidence: f64,
    lift: Option<f64>,
    ci: Option<[f64; 2]>,
    ci_abs: [f64; 2],
    p_value: f64,
    chance_to_win: f64,
    verdict: Verdict,
}

/// Every reference case, in the order of `stats_cases.txt`.
fn cases() -> Vec<Case> {
    let mut all = edge_cases();
    all.extend(scale_cases());
    all
}

/// Cases a) to f): the reference, small counts, and where the difference
/// is tested instead of the lift.
fn edge_cases() -> Vec<Case> {
    use Direction::{Decrease, Increase};
    use Verdict::*;
    vec![
        Case {
            name: "a) the docs' reference",
            control: rate(10_000, 500),
            variant: rate(10_000, 560),
            direction: Increase,
            confidence: 0.95,
            lift: Some(0.12),
            ci: Some([-0.011447991459651155, 0.25144799145965113]),
            ci_abs: [-0.0005723995729825578, 0.012572399572982557],
            p_value: 0.0735716731239956,
            chance_to_win: 0.9708376637062499,
            verdict: Inconclusive,
        },
        Case {
            name: "b) small counts: the interval and the verdict agree",
            control: rate(200, 2),
            variant: rate(200, 9),
            direction: Increase,
            confidence: 0.95,
            lift: Some(3.5),
            ci: Some([-3.3381399148378974, 10.338139914837898]),
            ci_abs: [-0.033381399148378975, 0.10338139914837897],
            p_value: 0.3157748148707823,
            chance_to_win: 0.9821031593109024,
            verdict: Inconclusive,
        },
        Case {
            name: "c) a control of no conversions: the difference is tested",
            control: rate(10_000, 0),
            variant: rate(10_000, 60),
            direction: Increase,
            confidence: 0.95,
            lift: None,
            ci: None,
            ci_abs: [0.004486379822854499, 0.007513620177145501],
            p_value: 7.891501206790562e-15,
            chance_to_win: 1.0 - 3.9565411213641634e-19,
            verdict: Win,
        },
        Case {
            name: "e) a negative control mean: the difference is tested",
            control: mean(500, -2.0, 1.0),
            variant: mean(500, -1.8, 1.0),
            direction: Increase,
            confidence: 0.95,
            lift: None,
            ci: None,
            ci_abs: [0.07589047787082383, 0.32410952212917615],
            p_value: 0.0016126476839001703,
            chance_to_win: 0.9992172988709987,
            verdict: Win,
        },
        Case {
            name: "f) a mean metric that should fall",
            control: mean(400, 41.2, 18.0),
            variant: mean(400, 43.0, 18.5),
            direction: Decrease,
            confidence: 0.95,
            lift: Some(0.043689320388349516),
            ci: Some([-0.01912069949426362, 0.10649934027096265]),
            ci_abs: [-0.7877728191636612, 4.387772819163661],
            p_value: 0.17251809595612705,
            chance_to_win: 0.08155166618447364,
            verdict: Inconclusive,
        },
    ]
}

/// Cases g) to m): extreme p-values, tiny rates, huge counts, Welch, and
/// the confidence level.
fn scale_cases() -> Vec<Case> {
    use Direction::Increase;
    use Verdict::*;
    vec![
        Case {
            name: "g) a p-value far below 1e-16",
            control: rate(10_000, 500),
            variant: rate(10_000, 1_500),
            direction: Increase,
            confidence: 0.95,
            lift: Some(2.0),
            ci: Some([1.707971943437947, 2.292028056562053]),
            ci_abs: [0.08539859717189735, 0.11460140282810265],
            p_value: 4.42669684128276e-41,
            chance_to_win: 1.0,
            verdict: Win,
        },
        Case {
            name: "h) rates below 0.5 %",
            control: rate(100_000, 30),
            variant: rate(100_000, 45),
            direction: Increase,
            confidence: 0.95,
            lift: Some(0.5),
            ci: Some([-0.1928271696028054, 1.1928271696028054]),
            ci_abs: [-5.7848150880841626e-05, 0.00035784815088084164],
            p_value: 0.15722448097641198,
            chance_to_win: 0.9577064454934694,
            verdict: Inconclusive,
        },
        Case {
            name: "i) 5×10⁸ conversions (the approximated chance)",
            control: rate(1_000_000_000, 500_000_000),
            variant: rate(1_000_000_000, 500_040_000),
            direction: Increase,
            confidence: 0.95,
            lift: Some(8e-05),
            ci: Some([-7.65576007770147e-06, 0.00016765576007770147]),
            ci_abs: [-3.827880038850735e-06, 8.382788003885073e-05],
            p_value: 0.07364979683668364,
            chance_to_win: 0.9631808649963959,
            verdict: Inconclusive,
        },
        Case {
            name: "l) Welch on the relative lift",
            control: mean(1_000, 10.0, 2.0),
            variant: mean(1_000, 10.3, 2.5),
            direction: Increase,
            confidence: 0.95,
            lift: Some(0.03),
            ci: Some([0.00990971045194145, 0.050090289548058546]),
            ci_abs: [0.0990971045194145, 0.5009028954805855],
            p_value: 0.0034454134138579575,
            chance_to_win: 0.9984776511649883,
            verdict: Win,
        },
        Case {
            name: "m) at 95 %",
            control: rate(2_000, 120),
            variant: rate(2_000, 150),
            direction: Increase,
            confidence: 0.95,
            lift: Some(0.25),
            ci: Some([-0.03988258261351958, 0.5398825826135196]),
            ci_abs: [-0.002392954956811175, 0.032392954956811174],
            p_value: 0.09096894797535775,
            chance_to_win: 0.9705333325389639,
            verdict: Inconclusive,
        },
        Case {
            name: "m) the same at 90 %",
            control: rate(2_000, 120),
            variant: rate(2_000, 150),
            direction: Increase,
            confidence: 0.9,
            lift: Some(0.25),
            ci: Some([0.006722867785857864, 0.49327713221414216]),
            ci_abs: [0.0004033720671514718, 0.029596627932848528],
            p_value: 0.09096894797535775,
            chance_to_win: 0.9705333325389639,
            verdict: Win,
        },
    ]
}

#[test]
fn every_case_matches_the_reference() {
    let s = Settings::default();
    for c in cases() {
        let e = evidence(
            c.control,
            c.variant,
            c.direction,
            &s,
            p(c.confidence),
            Plan::default(),
        )
        .unwrap_or_else(|why| panic!("{}: {why:?}", c.name));
        let tol = 1e-9;
        match (e.lift, c.lift) {
            (Some(a), Some(b)) => assert!(close(a, b, tol), "{}: lift {a} against {b}", c.name),
            (a, b) => assert_eq!(a, b, "{}: lift", c.name),
        }
        match (e.ci, c.ci) {
            (Some(a), Some(b)) => {
                for k in 0..2 {
                    assert!(close(a[k], b[k], tol), "{}: ci {a:?} against {b:?}", c.name);
                }
            }
            (a, b) => assert_eq!(a, b, "{}: ci", c.name),
        }
        for k in 0..2 {
            assert!(
                close(e.ci_abs[k], c.ci_abs[k], tol),
                "{}: ci_abs {:?} against {:?}",
                c.name,
                e.ci_abs,
                c.ci_abs
            );
        }
        assert!(
            close(e.p_value, c.p_value, 1e-7),
            "{}: p {} against {}",
            c.name,
            e.p_value,
            c.p_value
        );
        // The chance above 20,000 terms is approximated (to about 1e-9 at
        // case i's counts).
        assert!(
            (e.chance_to_win - c.chance_to_win).abs() < 1e-8,
            "{}: chance {} against {}",
            c.name,
            e.chance_to_win,
            c.chance_to_win
        );
        assert_eq!(e.verdict, c.verdict, "{}", c.name);
        assert!(e.p_value > 0.0 && e.p_value <= 1.0, "{}", c.name);
        assert!(
            e.chance_to_win > 0.0 && e.chance_to_win < 1.0,
            "{}: chance {} is not inside (0, 1)",
            c.name,
            e.chance_to_win
        );
    }
}

#[test]
fn small_tails_are_computed_not_subtracted() {
    let s = Settings::default();
    // Case g: P(B < A) = 3.97e-128, the chance to win of a decrease.
    let e = evidence(
        rate(10_000, 500),
        rate(10_000, 1_500),
        Direction::Decrease,
        &s,
        p(0.95),
        Plan::default(),
    )
    .unwrap();
    assert!(
        close(e.chance_to_win, 3.9736271424339875e-128, 1e-6),
        "{}",
        e.chance_to_win
    );
    assert_eq!(e.verdict, Verdict::Loss);
    // Case c: P(B < A) = 3.96e-19.
    let e = evidence(
        rate(10_000, 0),
        rate(10_000, 60),
        Direction::Decrease,
        &s,
        p(0.95),
        Plan::default(),
    )
    .unwrap();
    assert!(
        close(e.chance_to_win, 3.9565411213641634e-19, 1e-6),
        "{}",
        e.chance_to_win
    );
}

#[test]
fn degenerate_arms() {
    let s = Settings::default();
    let weigh = |c, v, d| evidence(c, v, d, &s, p(0.95), Plan::default());
    // d) no conversions in either arm: no difference.
    let e = weigh(rate(10_000, 0), rate(10_000, 0), Direction::Increase).unwrap();
    assert_eq!((e.p_value, e.chance_to_win), (1.0, 0.5));
    assert_eq!((e.lift, e.verdict), (None, Verdict::Inconclusive));
    // Identical means with sd 0: no difference, chance one half, either way.
    for d in [Direction::Increase, Direction::Decrease] {
        let e = weigh(mean(50, 5.0, 0.0), mean(50, 5.0, 0.0), d).unwrap();
        assert_eq!((e.p_value, e.chance_to_win), (1.0, 0.5));
        assert_eq!(e.lift, Some(0.0));
    }
    // Different means with sd 0: no test can weigh them.
    assert_eq!(
        weigh(mean(50, 5.0, 0.0), mean(50, 6.0, 0.0), Direction::Increase),
        Err(NoEvidence::NoVariance)
    );
    assert_eq!(
        weigh(rate(100, 0), rate(100, 100), Direction::Increase),
        Err(NoEvidence::NoVariance)
    );
    // A variant of no conversions against a positive control: the relative
    // lift is −100 % with no spread, so the difference is tested.
    let e = weigh(rate(1_000, 50), rate(1_000, 0), Direction::Increase).unwrap();
    assert_eq!(e.basis, Basis::Absolute);
    assert_eq!(e.lift, Some(-1.0));
    assert_eq!(e.verdict, Verdict::Loss);
    assert!(e.ci.unwrap()[1] < 0.0 && e.ci_abs[1] < 0.0);
    assert_eq!(
        weigh(rate(1, 0), rate(10, 1), Direction::Increase),
        Err(NoEvidence::TooFewUnits)
    );
}

#[test]
fn sizing_honours_the_split_and_the_direction() {
    let s = Settings::default();
    // a) 5 % baseline, mde 10 %: 31,231 per arm.
    let e = evidence(
        rate(10_000, 500),
        rate(10_000, 560),
        Direction::Increase,
        &s,
        p(0.95),
        plan(Some(0.1), 0.5),
    )
    .unwrap();
    assert_eq!(
        e.required,
        Some(Required {
            control: 31_231,
            variant: 31_231
        })
    );
    assert_eq!(e.required_units, Some(31_231));
    assert!(close(e.progress.unwrap(), 0.3201946783644456, 1e-12));
    // j) a 90/10 split: 161,774 control and 17,975 variant units.
    let e = evidence(
        rate(18_000, 900),
        rate(2_000, 100),
        Direction::Increase,
        &s,
        p(0.95),
        plan(Some(0.1), 0.1),
    )
    .unwrap();
    assert_eq!(
        e.required,
        Some(Required {
            control: 161_774,
            variant: 17_975
        })
    );
    assert!(
        close(e.progress.unwrap(), 0.11126564673157163, 1e-12),
        "{:?}",
        e.progress
    );
    // k) a decrease is sized toward 4.5 %: 28,406 per arm.
    let e = evidence(
        rate(10_000, 500),
        rate(10_000, 500),
        Direction::Decrease,
        &s,
        p(0.95),
        plan(Some(0.1), 0.5),
    )
    .unwrap();
    assert_eq!(e.required_units, Some(28_406));
    // f) a mean metric: 300 per arm.
    let e = evidence(
        mean(400, 41.2, 18.0),
        mean(400, 43.0, 18.5),
        Direction::Decrease,
        &s,
        p(0.95),
        plan(Some(0.1), 0.5),
    )
    .unwrap();
    assert_eq!(e.required_units, Some(300));
    // A target beyond 100 % cannot be sized, and says why.
    let why = unreachable_mde(rate(100, 60), Direction::Increase, 1.0).unwrap();
    assert!(why.contains("120"), "{why}");
    assert!(unreachable_mde(rate(100, 0), Direction::Increase, 0.1).is_some());
    assert!(unreachable_mde(mean(10, -1.0, 1.0), Direction::Increase, 0.1).is_some());
}

#[test]
fn the_sample_ratio_check() {
    let p_even = sample_ratio_p(10_000, 10_300, p(0.5)).unwrap();
    assert!(close(p_even, 0.03524022382427453, 1e-9), "{p_even}");
    assert!(sample_ratio_p(18_000, 2_000, p(0.1)).unwrap() > 0.999);
    assert!(sample_ratio_p(10_000, 10_600, p(0.5)).unwrap() < 0.001);
    assert!(sample_ratio_p(10_000, 1_000_000, p(0.5)).unwrap() > 0.0);
}

#[test]
fn a_chance_costs_the_same_at_any_count() {
    // A billion units an arm: the exact sum would take minutes.
    let start = std::time::Instant::now();
    let e = evidence(
        rate(1_000_000_000, 500_000_000),
        rate(1_000_000_000, 500_040_000),
        Direction::Increase,
        &Settings::default(),
        p(0.95),
        Plan::default(),
    )
    .unwrap();
    assert!(e.chance_to_win > 0.96);
    // Generous: the work is a few special functions.
    assert!(start.elapsed() < std::time::Duration::from_secs(1));
}

#[test]
fn results_read_as_words() {
    let e = evidence(
        rate(10_000, 500),
        rate(10_000, 560),
        Direction::Increase,
        &Settings::default(),
        p(0.95),
        Plan::default(),
    )
    .unwrap();
    assert_eq!(
        e.sentence(0.95, true, None),
        "+12.0 % (95 % CI \u{2212}1.1 % to +25.1 %), p = 0.074: inconclusive"
    );
    let zero = evidence(
        rate(10_000, 0),
        rate(10_000, 60),
        Direction::Increase,
        &Settings::default(),
        p(0.95),
        Plan::default(),
    )
    .unwrap();
    assert_eq!(
        zero.sentence(0.95, true, None),
        "+0.60 points (95 % CI +0.45 points to +0.75 points), p < 0.001: win"
    );
    assert_eq!(p_text(0.00002), "p < 0.001");
    assert_eq!(signed_percent(-0.0004), "\u{2212}0.040 %");
    assert_eq!(signed_percent(0.003), "+0.30 %");
    assert_eq!(percent_number(0.3), "0.30");
    assert_eq!(chance_text(0.9999), "> 99.9 %");
    assert_eq!(chance_text(0.0001), "< 0.1 %");
    assert_eq!(chance_text(0.971), "97 %");
}

proptest! {
    /// The interval excludes zero exactly when the verdict is a win or a
    /// loss, and the lift's sign never contradicts the verdict.
    #[test]
    fn the_interval_and_the_verdict_agree(
        nc in 2u64..1_000_000, nv in 2u64..1_000_000,
        fc in 0.0f64..=1.0, fv in 0.0f64..=1.0,
        mc in -100.0f64..100.0, mv in -100.0f64..100.0,
        sc in 0.0f64..50.0, sv in 0.0f64..50.0,
        means in any::<bool>(), up in any::<bool>(),
        confidence in 0.51f64..0.999,
    ) {
        let (control, variant) = if means {
            (mean(nc, mc, sc), mean(nv, mv, sv))
        } else {
            (rate(nc, (nc as f64 * fc) as u64), rate(nv, (nv as f64 * fv) as u64))
        };
        let direction = if up { Direction::Increase } else { Direction::Decrease };
        if let Ok(e) = evidence(control, variant, direction, &Settings::default(), p(confidence), Plan::default()) {
            let excludes_zero = e.ci_abs[0] > 0.0 || e.ci_abs[1] < 0.0;
            prop_assert_eq!(excludes_zero, e.verdict != Verdict::Inconclusive);
            if let Some(ci) = e.ci {
                prop_assert_eq!(ci[0] > 0.0 || ci[1] < 0.0, excludes_zero);
            }
            let better = (e.lift_abs > 0.0) == up;
            match e.verdict {
                Verdict::Win => prop_assert!(better && e.lift_abs != 0.0),
                Verdict::Loss => prop_assert!(!better && e.lift_abs != 0.0),
                Verdict::Inconclusive => {}
            }
            if let Some(lift) = e.lift {
                prop_assert_eq!(lift > 0.0, e.lift_abs > 0.0);
            }
            prop_assert!(e.p_value > 0.0 && e.p_value <= 1.0);
            prop_assert!(e.chance_to_win > 0.0 && e.chance_to_win < 1.0);
            // Significant at the confidence exactly when p is below it
            // (away from the boundary, where rounding may part them).
            if (e.p_value - (1.0 - confidence)).abs() > 1e-9 {
                prop_assert_eq!(e.p_value < 1.0 - confidence, excludes_zero);
            }
        }
    }

    /// No number, however wrong, makes the statistics panic.
    #[test]
    fn no_input_panics(
        units in any::<u64>(), conversions in any::<u64>(),
        m in any::<f64>(), sd in any::<f64>(),
        confidence in any::<f64>(), split in any::<f64>(), mde in any::<f64>(),
        power in any::<f64>(),
    ) {
        let counts = ArmCounts { units, conversions: Some(conversions), mean: None, sd: None };
        let means = ArmCounts { units, conversions: None, mean: Some(m), sd: Some(sd) };
        let written = WrittenSettings { confidence, power, srm_threshold: split };
        let settings = written.settings();
        let plan = Plan { mde: Some(mde).filter(|m| *m > 0.0 && m.is_finite()), split: Probability::new(split).unwrap_or(Plan::default().split) };
        let conf = Probability::new(confidence).unwrap_or(settings.confidence);
        for c in [arm(&counts), arm(&means)].into_iter().flatten() {
            for v in [arm(&counts), arm(&means)].into_iter().flatten() {
                let _ = evidence(c, v, Direction::Increase, &settings, conf, plan);
                let _ = evidence(c, v, Direction::Decrease, &settings, conf, plan);
            }
        }
        let _ = sample_ratio_p(units, conversions, plan.split);
    }
}
