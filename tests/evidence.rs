//! Evidence from counts, as a reader and a tool see it: the numbers in the
//! JSON export, claims the data do not back reported at their line with the
//! numbers, impossible counts refused where they are written, and pages
//! that lead with the result.

mod common;

use common::{attrs, stderr, texts, Site};
use serde_json::Value;

const MINUS: char = '\u{2212}';

fn site() -> Site {
    let site = Site::new();
    site.write("gemba.yaml", "title: Evidence\n")
        .write(
            "content/hypotheses/annual.md",
            "---\ntitle: Annual plans\nstatement: We believe annual plans convert better.\n---\n",
        )
        // The DESIGN reference: +12 %, p = 0.058, inconclusive — yet validated.
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
        format!("content/experiments/e-ref.md:4:9: warning: marked validated, but the data do not back it: Conversion +12.0 % (95 % CI {MINUS}1.1 % to +25.1 %), p = 0.058: inconclusive"),
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
    assert!(near(&ev["p_value"], 0.0583, 5e-5));
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
    // Without counts: no evidence, and null sample-ratio fields.
    let site = common::fixture();
    site.build_ok(&[]);
    let plain = site.json("data/experiments.json");
    let first = &plain[0];
    assert!(
        first["srm_p"].is_null() && first["srm"].is_null(),
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
            "Conversion +12.0 % (95 % CI {MINUS}1.1 % to +25.1 %), p = 0.058: inconclusive"
        )]
    );
    assert_eq!(
        texts(&page, ".result-panel .unbacked"),
        ["— the data do not back it"]
    );
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
        lines.contains(&"Conversion 5.0 % → 5.6 % (+12.0 %, inconclusive) persevere".to_string()),
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
    let mut unbacked = texts(&o, "#claims-h ~ .evidence-list a");
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
