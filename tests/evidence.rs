//! Evidence from counts, as a reader and a tool see it: the numbers in the
//! JSON export, claims the data do not back reported at their line with the
//! numbers, impossible counts refused where they are written, and pages
//! that lead with the result.

mod common;

use common::{attrs, stderr, texts, Rng, Site};
use serde_json::Value;

const MINUS: char = '\u{2212}';

fn site() -> Site {
    let site = Site::new();
    site.write("gemba.yaml", "title: Evidence\n")
        .write(
            "content/hypotheses/annual.md",
            "---\ntitle: Annual plans\nstatement: We believe annual plans convert better.\n---\n",
        )
        // The DESIGN reference: +12 %, p = 0.074, inconclusive — yet validated.
        .write(
            "content/experiments/e-ref.md",
            "---\ntitle: Reference\nhypothesis: annual\nstatus: validated\nstarted: 2026-01-01\nended: 2026-02-01\ndecision: persevere\nmde: 10%\nmetrics:\n  - name: Conversion\n    unit: \"%\"\n    control: {units: 10000, conversions: 500}\n    variant: {units: 10000, conversions: 560}\n---\nBody.\n",
        )
        // A clear win, with a guardrail that got worse.
        .write(
            "content/experiments/e-guard.md",
            "---\ntitle: Guarded\nhypothesis: annual\nstatus: validated\nended: 2026-03-01\nmetrics:\n  - name: Conversion\n    unit: \"%\"\n    primary: true\n    control: {units: 50000, conversions: 2500}\n    variant: {units: 50000, conversions: 2900}\n  - name: Tickets per account\n    direction: decrease\n    guardrail: true\n    control: {units: 4000, mean: 41.2, sd: 18.0}\n    variant: {units: 4000, mean: 43.0, sd: 18.5}\n---\n",
        )
        // Invalidated, though the data show a win.
        .write(
            "content/experiments/e-inv.md",
            "---\ntitle: Wrongly dropped\nstatus: invalidated\nended: 2026-03-02\nmetrics:\n  - name: Signups\n    control: {units: 50000, conversions: 2500}\n    variant: {units: 50000, conversions: 2900}\n---\n",
        )
        // Arms far from the planned split.
        .write(
            "content/experiments/e-srm.md",
            "---\ntitle: Lopsided\nstatus: inconclusive\nended: 2026-03-03\nsplit: 0.5\nmetrics:\n  - name: Signups\n    control: {units: 10000, conversions: 500}\n    variant: {units: 10600, conversions: 530}\n---\n",
        )
        // A claim the data back.
        .write(
            "content/experiments/e-win.md",
            "---\ntitle: Clear win\nhypothesis: annual\nstatus: validated\nended: 2026-03-04\nmetrics:\n  - name: Conversion\n    unit: \"%\"\n    control: {units: 50000, conversions: 2500}\n    variant: {units: 50000, conversions: 2900}\n---\n",
        );
    site
}

#[test]
fn claims_the_data_do_not_back_are_warnings_at_the_claim_with_the_numbers() {
    let site = site();
    let out = site.build_ok(&[]);
    let err = stderr(&out);
    let expected = [
        format!("content/experiments/e-ref.md:4:9: warning: marked validated, but the data do not back it: Conversion +12.0 % (95 % CI {MINUS}1.1 % to +25.1 %), p = 0.074: inconclusive"),
        "content/experiments/e-guard.md:4:9: warning: marked validated, but guardrail Tickets per account got worse".to_string(),
        "content/experiments/e-inv.md:3:9: warning: marked invalidated, but the data show a win: Signups +16.0 %".to_string(),
        "content/experiments/e-srm.md:3:9: warning: sample ratio mismatch: 10000 control and 10600 variant units for a planned 50 % variant share (p < 0.001)".to_string(),
    ];
    for line in &expected {
        assert!(err.contains(line.as_str()), "missing `{line}` in:\n{err}");
    }
    assert!(!err.contains("e-win.md"), "a backed claim is quiet:\n{err}");
    assert!(err.contains("4 warnings"), "{err}");
    // A written value that disagrees with the counts, at its line.
    site.write(
        "content/experiments/e-win.md",
        "---\ntitle: Clear win\nhypothesis: annual\nstatus: validated\nended: 2026-03-04\nmetrics:\n  - name: Conversion\n    unit: \"%\"\n    baseline: 5\n    actual: 7\n    control: {units: 50000, conversions: 2500}\n    variant: {units: 50000, conversions: 2900}\n---\n",
    );
    let err = stderr(&site.build_ok(&[]));
    assert!(
        err.contains("content/experiments/e-win.md:10:5: warning: metric `Conversion`: actual 7 disagrees with the counts, which give 5.8"),
        "{err}"
    );
    assert!(
        !err.contains("baseline 5 disagrees"),
        "5 is what the counts give:\n{err}"
    );
}

#[test]
fn the_json_export_carries_the_evidence() {
    let site = site();
    site.build_ok(&[]);
    let all = site.json("data/experiments.json");
    let find = |slug: &str| -> Value {
        all.as_array()
            .unwrap()
            .iter()
            .find(|e| e["slug"] == slug)
            .unwrap()
            .clone()
    };
    let e = find("e-ref");
    let m = &e["metrics"][0];
    let ev = &m["evidence"];
    let near = |v: &Value, x: f64, tol: f64| (v.as_f64().unwrap() - x).abs() <= tol;
    assert!(near(&ev["lift"], 0.12, 1e-9), "{ev}");
    assert!(near(&ev["lift_abs"], 0.006, 1e-9));
    // The unpooled delta-method test (tests/reference/stats_cases.txt, a).
    assert!(near(&ev["p_value"], 0.0735716731239956, 1e-9), "{ev}");
    assert!(near(&ev["ci"][0], -0.0114, 5e-5) && near(&ev["ci"][1], 0.2514, 5e-5));
    assert!(near(&ev["chance_to_win"], 0.971, 5e-4));
    assert_eq!(ev["verdict"], "inconclusive");
    assert_eq!(ev["required_units"], 31231);
    assert!(near(&ev["progress"], 10000.0 / 31231.0, 1e-9));
    assert!(near(&ev["control"], 0.05, 1e-12) && near(&ev["variant"], 0.056, 1e-12));
    // Baseline and actual come from the counts, as percentages.
    assert!(
        near(&m["baseline"], 5.0, 1e-9) && near(&m["actual"], 5.6, 1e-9),
        "{m}"
    );
    assert!(near(&e["srm_p"], 1.0, 1e-9) && e["srm"] == false);
    let srm = find("e-srm");
    assert!(srm["srm_p"].as_f64().unwrap() < 0.001 && srm["srm"] == true);
    assert_eq!(find("e-guard")["metrics"][1]["evidence"]["verdict"], "loss");
    // Whether the counts back each claim.
    for (slug, backed) in [
        ("e-ref", false),
        ("e-guard", false),
        ("e-inv", false),
        ("e-srm", false),
        ("e-win", true),
    ] {
        assert_eq!(find(slug)["backed"], backed, "{slug}");
    }
    // Without counts: no evidence, and null sample-ratio fields.
    let site = common::fixture();
    site.build_ok(&[]);
    let plain = site.json("data/experiments.json");
    let first = &plain[0];
    assert!(
        first["srm_p"].is_null() && first["srm"].is_null() && first["backed"].is_null(),
        "{first}"
    );
    assert!(first["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m.get("evidence").is_none()));
}

#[test]
fn pages_lead_with_the_result() {
    let site = site();
    site.build_ok(&[]);
    let page = site.html("experiments/e-ref/index.html");
    assert_eq!(
        texts(&page, ".result-panel .result-words"),
        [format!(
            "Conversion +12.0 % (95 % CI {MINUS}1.1 % to +25.1 %), p = 0.074: inconclusive"
        )]
    );
    assert_eq!(
        texts(&page, ".result-panel .unbacked"),
        ["— not backed: the result is within noise"]
    );
    // The page opens with the verdict in one plain sentence.
    assert_eq!(
        texts(&page, "#result"),
        ["Inconclusive: Conversion rose 12.0 % (relative), but that is within noise (97 % chance the variant is better); 10,000 of the 31,231 units per arm it needs. Marked validated, but not backed: the result is within noise. Decision: persevere."]
    );
    let win = site.html("experiments/e-win/index.html");
    assert_eq!(
        texts(&win, "#result"),
        ["Win: Conversion rose 16.0 % (relative), beyond noise (> 99.9 % chance the variant is better). Marked validated, and the data back it."]
    );
    assert_eq!(texts(&win, ".result-claim .backed").len(), 1);
    assert_eq!(
        texts(&page, ".result-panel .result-warning"),
        ["underpowered: 10,000 of 31,231 units per arm"]
    );
    assert_eq!(texts(&page, ".result-decision .decision"), ["persevere"]);
    let label = attrs(&page, ".evidence-figure .interval", "aria-label");
    assert_eq!(
        label,
        [format!("Conversion: +12.0 % (interval {MINUS}1.1 % to +25.1 %); the smallest effect worth detecting is +10.0 %")]
    );
    assert_eq!(
        texts(&page, ".evidence-figure .arms dd"),
        ["500 of 10,000 (5.0 %)", "560 of 10,000 (5.6 %)", "97 %"]
    );
    assert_eq!(texts(&page, "table.metrics .verdict"), ["inconclusive"]);

    // Cards carry the result in one line.
    let log = site.html("experiments/index.html");
    let lines = texts(&log, ".card-result");
    assert!(
        lines.contains(
            &"Inconclusive: Conversion +12.0 % (relative), 97 % chance the variant is better persevere"
                .to_string()
        ),
        "the result, then the decision: {lines:?}"
    );
    assert!(
        texts(&log, ".card-tests")
            .iter()
            .all(|t| t.starts_with("Tests: ")),
        "cards say what they test"
    );
    assert!(!texts(&log, ".card-tests").is_empty());
    // The hypothesis says why each experiment counts.
    let h = site.html("hypotheses/annual/index.html");
    let why = texts(&h, ".evidence-list .counts-as");
    assert_eq!(why.len(), 3, "{why:?}");
    assert!(
        why.iter()
            .any(|w| w
                == "validated: Conversion +16.0 % (95 % CI +10.0 % to +22.0 %), p < 0.001: win"),
        "{why:?}"
    );
    assert!(
        why.iter().any(|w| w.contains(
            "underpowered: 10,000 of 31,231 units per arm — the data do not back this claim"
        )),
        "{why:?}"
    );
    // Outcomes count the claims the data back, and name the others.
    let o = site.html("outcomes/index.html");
    assert_eq!(
        texts(&o, ".claims-summary"),
        ["The data back 1 of 4 concluded claims that carry counts."]
    );
    let mut unbacked = texts(&o, "#claims-h ~ .evidence-list a:not(.badge)");
    unbacked.sort();
    assert_eq!(unbacked, ["Guarded", "Reference", "Wrongly dropped"]);
}

#[test]
fn impossible_counts_are_errors_where_they_are_written() {
    let site = Site::new();
    site.write(
        "content/experiments/bad.md",
        "---\ntitle: Bad\nsplit: 1.5\nmde: lots\nmetrics:\n  - name: Rate\n    control: {units: 100, conversions: 120}\n    variant: {units: 100, conversions: 10}\n  - name: Mean\n    control: {units: 100, mean: 4.0}\n    variant: {units: 100, mean: 4.0, sd: -1}\n  - name: Lonely\n    control: {units: 100, conversions: 1}\n---\n",
    );
    let out = site.gemba(&["check", "--no-git"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("content/experiments/bad.md:4:6: error: front matter: mde: `lots` is not a share (write 10% or 0.1)"), "{err}");
    // The YAML error stops this file's other checks; fix it and look again.
    site.write(
        "content/experiments/bad.md",
        "---\ntitle: Bad\nsplit: 1.5\nmetrics:\n  - name: Rate\n    control: {units: 100, conversions: 120}\n    variant: {units: 100, conversions: 10}\n  - name: Mean\n    control: {units: 100, mean: 4.0}\n    variant: {units: 100, mean: 4.0, sd: -1}\n  - name: Lonely\n    control: {units: 100, conversions: 1}\n---\n",
    );
    let err = stderr(&site.gemba(&["check", "--no-git"]));
    for expected in [
        "content/experiments/bad.md:3:8: error: split 1.5 is outside (0, 1)",
        "content/experiments/bad.md:6:5: error: metric `Rate`, control: 120 conversions of 100 units: conversions cannot exceed units",
        "content/experiments/bad.md:9:5: error: metric `Mean`, control: a mean metric needs the sd of each arm",
        "content/experiments/bad.md:10:5: error: metric `Mean`, variant: sd -1 is negative",
        "content/experiments/bad.md:12:5: error: metric `Lonely` has one arm: give both control and variant",
    ] {
        assert!(err.contains(expected), "missing `{expected}` in:\n{err}");
    }
}

/// An experiment file with one rate metric.
fn experiment(status: &str, extra: &str, control: (u64, u64), variant: (u64, u64)) -> String {
    format!(
        "---\ntitle: E\nstatus: {status}\nended: 2026-02-01\n{extra}metrics:\n  - name: Demo rate\n    control: {{units: {}, conversions: {}}}\n    variant: {{units: {}, conversions: {}}}\n---\n",
        control.0, control.1, variant.0, variant.1
    )
}

#[test]
fn an_underpowered_null_backs_no_invalidated_claim_and_a_powered_one_does() {
    let site = Site::new();
    site.write("gemba.yaml", "title: Claims\n")
        // 4,150 of the 9,339 units per arm a 30 % change needs.
        .write(
            "content/experiments/short.md",
            &experiment("invalidated", "mde: 30%\n", (4200, 88), (4150, 79)),
        )
        // The same rates with the sample reached.
        .write(
            "content/experiments/powered.md",
            &experiment("invalidated", "mde: 30%\n", (12000, 252), (12000, 230)),
        )
        // A significant loss.
        .write(
            "content/experiments/loss.md",
            &experiment("invalidated", "", (20000, 1000), (20000, 800)),
        );
    let out = site.build_ok(&[]);
    let err = stderr(&out);
    assert!(
        err.contains("content/experiments/short.md:3:9: warning: marked invalidated, but the data do not back it: Demo rate"),
        "{err}"
    );
    assert!(err.contains("too few units to tell"), "{err}");
    assert!(
        !err.contains("powered.md") && !err.contains("loss.md"),
        "{err}"
    );
    let all = site.json("data/experiments.json");
    let backed = |slug: &str| {
        all.as_array()
            .unwrap()
            .iter()
            .find(|e| e["slug"] == slug)
            .unwrap()["backed"]
            .clone()
    };
    assert_eq!(backed("short"), false);
    assert_eq!(backed("powered"), true);
    assert_eq!(backed("loss"), true);
    // The page says so, and not in the colours of a backed claim.
    let page = site.html("experiments/short/index.html");
    assert!(texts(&page, ".result-claim .backed").is_empty());
    assert_eq!(texts(&page, ".result-claim .unbacked").len(), 1);
    // /outcomes/ counts only the backed claims.
    let outcomes = site.html("outcomes/index.html");
    let words = texts(&outcomes, "main").join(" ");
    assert!(words.contains("2 of 3"), "{words}");
}

#[test]
fn statistical_settings_out_of_range_are_located_errors_not_panics() {
    let cases: [(&str, &str, &str); 6] = [
        (
            "gemba.yaml",
            "stats: {confidence: 1.2}\n",
            "gemba.yaml:2:21: error: `stats.confidence` 1.2 is outside (0.5, 1)",
        ),
        (
            "gemba.yaml",
            "stats:\n  power: 2\n",
            "gemba.yaml:3:10: error: `stats.power` 2 is outside (0.5, 1)",
        ),
        (
            "content/experiments/e.md",
            "confidence: 1.5\n",
            "content/experiments/e.md:5:13: error: confidence 1.5 is outside (0.5, 1)",
        ),
        (
            "content/experiments/e.md",
            "confidence: 95\n",
            "content/experiments/e.md:5:13: error: confidence 95 is outside (0.5, 1)",
        ),
        (
            "content/experiments/e.md",
            "mde: 10\n",
            "content/experiments/e.md:5:6: error: mde 10 would be a change of 1000 %",
        ),
        (
            "content/experiments/e.md",
            "split: .nan\n",
            "content/experiments/e.md:5:8: error: split NaN is outside (0, 1)",
        ),
    ];
    for (file, text, expected) in cases {
        let site = Site::new();
        let (config, extra) = if file == "gemba.yaml" {
            (text, "")
        } else {
            ("", text)
        };
        site.write("gemba.yaml", &format!("title: S\n{config}"))
            .write(
                "content/experiments/e.md",
                &experiment("validated", extra, (1000, 50), (1000, 70)),
            );
        for command in ["check", "build"] {
            let out = site.gemba(&[command]);
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(1), "{command} {text:?}:\n{err}");
            assert!(
                err.contains(expected),
                "{command} {text:?}: missing `{expected}` in:\n{err}"
            );
        }
        assert!(!site.public().exists(), "nothing is written");
    }
    // A mean that is not a number.
    let site = Site::new();
    site.write("gemba.yaml", "title: S\n").write(
        "content/experiments/e.md",
        "---\ntitle: E\nstatus: validated\nmetrics:\n  - name: Time\n    control: {units: 100, mean: .nan, sd: 1}\n    variant: {units: 100, mean: 2, sd: 1}\n---\n",
    );
    let out = site.gemba(&["build"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("content/experiments/e.md:6:5: error: metric `Time`, control: mean NaN is not a finite number"),
        "{err}"
    );
}

#[test]
fn eighty_random_experiments_and_the_edges_tell_one_story_each() {
    let site = Site::new();
    site.write("gemba.yaml", "title: Random\n");
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let statuses = ["validated", "invalidated", "inconclusive", "running"];
    for i in 0..80 {
        let n = 50 + rng.below(50_000) as u64;
        let nv = n + rng.below((n / 10 + 1) as usize) as u64;
        let (metric, direction) = if rng.below(3) == 0 {
            let m = 1.0 + rng.below(1000) as f64 / 10.0;
            let shift = (rng.below(200) as f64 - 100.0) / 1000.0;
            (
                format!(
                    "control: {{units: {n}, mean: {m}, sd: {}}}\n    variant: {{units: {nv}, mean: {}, sd: {}}}",
                    1.0 + rng.below(300) as f64 / 10.0,
                    m * (1.0 + shift),
                    1.0 + rng.below(300) as f64 / 10.0
                ),
                "decrease",
            )
        } else {
            let rate = 1 + rng.below(300) as u64;
            let lift = rng.below(400) as u64;
            let xc = n * rate / 1000;
            let xv = (nv * rate / 1000 * (800 + lift) / 1000).min(nv);
            (
                format!("control: {{units: {n}, conversions: {xc}}}\n    variant: {{units: {nv}, conversions: {xv}}}"),
                "increase",
            )
        };
        site.write(
            &format!("content/experiments/r{i}.md"),
            &format!(
                "---\ntitle: Random {i}\nstatus: {}\nended: 2026-01-01\nmde: 10%\nmetrics:\n  - name: M\n    direction: {direction}\n    {metric}\n---\n",
                statuses[rng.below(4)]
            ),
        );
    }
    // The edges: zero conversions, a negative mean, identical still arms,
    // a tiny p, a billion units.
    let edges = [
        "control: {units: 10000, conversions: 0}\n    variant: {units: 10000, conversions: 60}",
        "control: {units: 500, mean: -2.0, sd: 1.0}\n    variant: {units: 500, mean: -1.8, sd: 1.0}",
        "control: {units: 50, mean: 5.0, sd: 0}\n    variant: {units: 50, mean: 5.0, sd: 0}",
        "control: {units: 10000, conversions: 500}\n    variant: {units: 10000, conversions: 1500}",
        "control: {units: 1000000000, conversions: 500000000}\n    variant: {units: 1000000000, conversions: 500040000}",
        "control: {units: 200, conversions: 2}\n    variant: {units: 200, conversions: 9}",
    ];
    for (i, metric) in edges.iter().enumerate() {
        site.write(
            &format!("content/experiments/edge{i}.md"),
            &format!(
                "---\ntitle: Edge {i}\nstatus: running\nmetrics:\n  - name: M\n    {metric}\n---\n"
            ),
        );
    }
    site.build_ok(&[]);
    let all = site.json("data/experiments.json");
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 86);
    for e in all {
        let slug = e["slug"].as_str().unwrap();
        let ev = &e["metrics"][0]["evidence"];
        let lo = ev["ci_abs"][0].as_f64().unwrap();
        let hi = ev["ci_abs"][1].as_f64().unwrap();
        let verdict = ev["verdict"].as_str().unwrap();
        assert_eq!(
            lo > 0.0 || hi < 0.0,
            verdict != "inconclusive",
            "{slug}: {ev}"
        );
        if let Some(ci) = ev["ci"].as_array() {
            let (a, b) = (ci[0].as_f64().unwrap(), ci[1].as_f64().unwrap());
            assert_eq!(
                a > 0.0 || b < 0.0,
                verdict != "inconclusive",
                "{slug}: {ev}"
            );
        }
        let p = ev["p_value"].as_f64().unwrap();
        let chance = ev["chance_to_win"].as_f64().unwrap();
        assert!(
            p > 0.0 && p <= 1.0 && chance > 0.0 && chance < 1.0,
            "{slug}: {ev}"
        );
        assert_eq!(p < 0.05, verdict != "inconclusive", "{slug}: {ev}");
        // The page says the same verdict, with a sign that agrees with it.
        let page = site.html(&format!("experiments/{slug}/index.html"));
        let words = texts(&page, ".result-panel .result-words").join(" ");
        assert!(words.ends_with(&format!(": {verdict}")), "{slug}: {words}");
        let increase = e["metrics"][0]["direction"] == "increase";
        let up = ev["lift_abs"].as_f64().unwrap() > 0.0;
        let sign = words.split_whitespace().nth(1).unwrap_or("");
        match verdict {
            "win" | "loss" => {
                assert!((verdict == "win") == (up == increase), "{slug}: {words}");
                assert!(
                    sign.starts_with(if up { '+' } else { MINUS }),
                    "{slug}: {words}"
                );
            }
            _ => {}
        }
    }
    let edge = |i: usize| {
        all.iter()
            .find(|e| e["slug"] == format!("edge{i}"))
            .unwrap()["metrics"][0]["evidence"]
            .clone()
    };
    assert!(edge(0)["lift"].is_null() && edge(0)["verdict"] == "win");
    assert!(edge(1)["lift"].is_null() && edge(1)["verdict"] == "win");
    assert_eq!(edge(2)["chance_to_win"], 0.5);
    assert!(edge(3)["p_value"].as_f64().unwrap() < 1e-40);
    assert_eq!(edge(5)["verdict"], "inconclusive");
}

/// A number as YAML may carry it: any float, NaN and the infinities among
/// them, or a percentage.
fn yaml_number() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    prop_oneof![
        any::<f64>().prop_map(|x| format!("{x:?}")),
        Just(".nan".to_string()),
        Just(".inf".to_string()),
        Just("-.inf".to_string()),
        (-200i64..200).prop_map(|x| x.to_string()),
        (-200i64..200).prop_map(|x| format!("{x}%")),
        (0u64..u64::MAX).prop_map(|x| x.to_string()),
    ]
}

proptest::proptest! {
    /// Whatever numbers the statistical keys and the arms carry, parsing
    /// and resolving them never panics: a bad one is a located problem.
    #[test]
    fn no_statistical_input_panics(
        confidence in yaml_number(), split in yaml_number(), mde in yaml_number(),
        units in yaml_number(), conversions in yaml_number(),
        mean in yaml_number(), sd in yaml_number(), units_v in yaml_number(),
        as_mean in proptest::prelude::any::<bool>(),
        config_confidence in yaml_number(), power in yaml_number(),
    ) {
        let arm = |u: &str| if as_mean {
            format!("{{units: {u}, mean: {mean}, sd: {sd}}}")
        } else {
            format!("{{units: {u}, conversions: {conversions}}}")
        };
        let text = format!(
            "---\ntitle: E\nstatus: invalidated\nconfidence: {confidence}\nsplit: {split}\nmde: {mde}\nmetrics:\n  - name: M\n    control: {}\n    variant: {}\n---\n",
            arm(&units), arm(&units_v)
        );
        let root = std::path::Path::new("/site");
        let content = root.join("content");
        let file = gemba::load::source_from_text(root, &content, &content.join("experiments/e.md"), text);
        let (doc, _) = gemba::parse::parse_document(file);
        let (config, _) = gemba::config::Config::parse(
            &format!("stats: {{confidence: {config_confidence}, power: {power}}}\n"),
            std::path::Path::new("gemba.yaml"),
        );
        let selection = gemba::resolve::Selection {
            stats: config.stats.settings(),
            ..Default::default()
        };
        let mut diags = Vec::new();
        let _ = gemba::resolve::resolve(
            doc.into_iter().map(std::sync::Arc::new).collect(),
            Default::default(),
            selection,
            &mut diags,
        );
    }
}
