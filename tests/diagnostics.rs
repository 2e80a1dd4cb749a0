//! Bad input: every problem located at once, exit codes, and output that a
//! failed build never touches.

mod common;
use common::*;

fn locations(err: &str) -> Vec<String> {
    err.lines()
        .filter(|l| l.contains(": error: ") || l.contains(": warning: "))
        .map(|l| l.split(": ").next().unwrap().to_string())
        .collect()
}

#[test]
fn ten_mistakes_in_ten_files_are_all_reported_at_their_spot() {
    let site = Site::new();
    site.write(
        "content/playbooks/p.md",
        "---\ntitle: P\nstages:\n  - {id: one, title: One}\n---\n",
    )
    .write(
        "content/hypotheses/h.md",
        "---\ntitle: H\nplaybook: p\n---\n",
    )
    .write(
        "content/experiments/a.md",
        "---\ntitle: A\nstatus: validatd\n---\n",
    )
    .write(
        "content/experiments/b.md",
        "---\ntitle: B\nmetrics:\n  - name: x\n    baseline: lots\n---\n",
    )
    .write(
        "content/experiments/c.md",
        "---\ntitle: C\nhypothesis: hh\n---\n",
    )
    .write(
        "content/experiments/d.md",
        "---\ntitle: D\nfollows: nobody\n---\n",
    )
    .write(
        "content/hypotheses/e.md",
        "---\ntitle: E\nplaybook: p\nstage: tow\n---\n",
    )
    .write(
        "content/experiments/f.md",
        "---\ntitle: F\n---\nSee [[missing-page]] here.\n",
    )
    .write(
        "content/experiments/g.md",
        "---\ntitle: G\nstarted: 2026-03-01\nended: 2026-02-01\n---\n",
    )
    .write(
        "content/experiments/h.md",
        "---\ntitle: H\ntags: [a, b\n---\n",
    )
    .write(
        "content/experiments/i.md",
        "---\ntitle: I\nstauts: running\n---\n",
    )
    .write("content/experiments/j.md", "---\ntitle: J\n");
    let out = site.build(&[]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let locs = locations(&err);
    for expected in [
        "content/experiments/a.md:3:9",
        "content/experiments/b.md:5:15",
        "content/experiments/c.md:3:13",
        "content/experiments/d.md:3:10",
        "content/hypotheses/e.md:4:8",
        "content/experiments/f.md:4:5",
        "content/experiments/g.md:4:8",
        "content/experiments/i.md:3:1",
        "content/experiments/j.md:1:1",
    ] {
        assert!(
            locs.iter().any(|l| l == expected),
            "no diagnostic at {expected}:\n{err}"
        );
    }
    assert!(
        locs.iter()
            .any(|l| l.starts_with("content/experiments/h.md:")),
        "{err}"
    );
    // The whole report, pinned: every message, caret and help line, and
    // the count at the end.
    insta::assert_snapshot!("all_problems_at_once", err);
    // Sorted by path, then line.
    let mut sorted = locs.clone();
    sorted.sort_by_key(|l| {
        let mut p = l.split(':');
        (
            p.next().unwrap().to_string(),
            p.next().unwrap().parse::<usize>().unwrap(),
        )
    });
    assert_eq!(locs, sorted);
    assert!(!site.public().exists(), "nothing is written");
}

#[test]
fn a_failed_build_leaves_the_previous_output_unchanged() {
    let site = fixture();
    site.build_ok(&[]);
    let before = snapshot(&site.public());
    site.write(
        "content/experiments/e-two.md",
        "---\ntitle: E Two\nstatus: nope\n---\n",
    );
    let out = site.build(&[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("previous output is unchanged"));
    assert_eq!(before, snapshot(&site.public()));
    let leftovers = entries_named(site.root(), "gemba-staging");
    assert!(leftovers.is_empty(), "no staging folder is left behind");
}

#[test]
fn a_successful_build_leaves_no_stale_files() {
    let site = fixture();
    site.build_ok(&[]);
    assert!(site.public().join("experiments/e-four/index.html").exists());
    std::fs::remove_file(site.root().join("content/experiments/e-four.md")).unwrap();
    site.build_ok(&[]);
    assert!(!site.public().join("experiments/e-four").exists());
}

#[test]
fn deny_warnings_fails_on_warnings() {
    let site = Site::new();
    site.write(
        "content/experiments/a.md",
        "---\ntitle: A\nowner: x\nownr: y\n---\n",
    );
    assert!(site.build(&[]).status.success());
    // An absolute output: a relative one would resolve against the test's
    // own working folder, not the site.
    let elsewhere = site.root().join("elsewhere");
    let out = site.build(&["--deny-warnings", "--output", elsewhere.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("1 warning"), "{}", stderr(&out));
    assert!(!elsewhere.exists());
    // Without --deny-warnings the same build writes there.
    let out = site.build(&["--output", elsewhere.to_str().unwrap()]);
    assert!(out.status.success());
    assert!(elsewhere.join("experiments/a/index.html").exists());
}

#[test]
fn claims_that_disagree_with_data_warn() {
    let site = Site::new();
    site.write("content/experiments/a.md", "---\ntitle: A\nstatus: validated\nended: 2026-01-01\nmetrics:\n  - {name: Conv, target: 5, actual: 3}\n---\n")
        .write("content/experiments/b.md", "---\ntitle: B\nstatus: invalidated\nended: 2026-01-01\nmetrics:\n  - {name: Churn, target: 5, actual: 3, direction: decrease}\n---\n");
    let out = site.build(&[]);
    let err = stderr(&out);
    assert!(out.status.success());
    assert!(err.contains("content/experiments/a.md:3:9: warning: marked validated, but metric `Conv` misses its target"), "{err}");
    assert!(err.contains("content/experiments/b.md:3:9: warning: marked invalidated, but every metric meets its target"), "{err}");
}

#[test]
fn duplicate_slugs_name_both_files() {
    let site = Site::new();
    site.write("content/experiments/a/x.md", "---\ntitle: One\n---\n")
        .write("content/experiments/b/x.md", "---\ntitle: Two\n---\n");
    let err = stderr(&site.build(&[]));
    assert!(err.contains("duplicate experiment slug `x`"), "{err}");
    assert!(
        err.contains("content/experiments/a/x.md") && err.contains("content/experiments/b/x.md"),
        "{err}"
    );
}

#[test]
fn template_errors_point_into_the_template() {
    let site = fixture();
    site.write("templates/experiment.html", "{% extends \"base.html\" %}\n{% block content %}\n{{ page.nope.deeper }}\n{% endblock content %}\n");
    let out = site.build(&[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("templates/experiment.html:3:9: error:"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn hostile_input_never_panics() {
    let site = Site::new();
    let mut random = Vec::new();
    let mut x: u32 = 12345;
    for _ in 0..4096 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        random.push((x & 0xff) as u8);
    }
    std::fs::create_dir_all(site.root().join("content/experiments")).unwrap();
    std::fs::write(site.root().join("content/experiments/random.md"), &random).unwrap();
    site.write("content/experiments/empty.md", "")
        .write("content/experiments/dashes.md", "---")
        .write("content/experiments/bomb.md", &format!("---\ntitle: B\na: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\n{}---\n", (b'b'..=b'z').map(|c| { let p = (c - 1) as char; format!("{}: &{} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n", c as char, c as char) }).collect::<String>()))
        .write("content/experiments/deep.md", &format!("---\ntitle: D\nextra: {}{}\n---\n", "[".repeat(10_000), "]".repeat(10_000)))
        .write("content/experiments/long.md", &format!("---\ntitle: L\n---\n{}\n", "a[[b".repeat(2_000_000)))
        .write("content/pages/ok.md", "# fine\n");
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        site.root().join("content"),
        site.root().join("content/pages/loop"),
    )
    .unwrap();
    let start = std::time::Instant::now();
    let out = site.build(&[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(start.elapsed().as_secs() < 60);
    for f in ["random.md", "empty.md", "dashes.md", "bomb.md", "deep.md"] {
        assert!(
            err.contains(&format!("content/experiments/{f}")),
            "nothing said about {f}:\n{err}"
        );
    }
}

#[test]
fn output_folders_gemba_did_not_write_are_refused() {
    let site = fixture();
    site.write("mine/notes.txt", "precious");
    let out = site.build(&["--output", site.root().join("mine").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("was not written by gemba"));
    assert_eq!(
        std::fs::read_to_string(site.root().join("mine/notes.txt")).unwrap(),
        "precious"
    );
    let forced = site.build(&[
        "--force",
        "--output",
        site.root().join("mine").to_str().unwrap(),
    ]);
    assert!(forced.status.success());
    for bad in [site.root().to_path_buf(), site.root().join("content/out")] {
        let out = site.build(&["--output", bad.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{}", bad.display());
    }
}

#[test]
fn check_reports_what_build_would_and_writes_nothing() {
    let site = fixture();
    site.write(
        "content/experiments/x.md",
        "---\ntitle: X\nhypothesis: nope\n---\n",
    );
    let check = site.gemba(&["check", "--no-git"]);
    let build = site.build(&[]);
    assert_eq!(check.status.code(), Some(1));
    assert_eq!(
        stderr(&check)
            .lines()
            .filter(|l| l.contains("error:"))
            .collect::<Vec<_>>(),
        stderr(&build)
            .lines()
            .filter(|l| l.contains("error:"))
            .collect::<Vec<_>>()
    );
    assert!(!site.public().exists());
}

#[test]
fn usage_errors_exit_with_two() {
    let site = Site::new();
    let out = site.gemba(&["build", "--audience", "everyone"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn many_warnings_of_a_kind_are_counted_and_errors_never_are() {
    let site = Site::new();
    for i in 0..12 {
        site.write(
            &format!("content/experiments/e{i:02}.md"),
            &format!("---\ntitle: E {i}\nstauts: running\nowner{i}: x\n---\n"),
        );
    }
    let out = site.build(&[]);
    assert!(out.status.success());
    let err = stderr(&out);
    // `stauts`, `owner0` … `owner11`: alike but for the key, one kind.
    assert_eq!(
        err.matches("is not a known key of an experiment\n").count(),
        5,
        "{err}"
    );
    assert!(err.contains("warning: and 19 more like \"`…` is not a known key of an experiment\" (--verbose shows all)"), "{err}");
    assert!(err.contains("24 warnings"), "{err}");
    let all = stderr(&site.build(&["--verbose"]));
    assert_eq!(all.matches("is not a known key").count(), 24, "{all}");
    assert!(!all.contains("more like"));

    // Errors are printed in full, however many.
    for i in 0..8 {
        site.write(
            &format!("content/experiments/bad{i}.md"),
            &format!("---\ntitle: Bad {i}\nstatus: nope\n---\n"),
        );
    }
    let err = stderr(&site.build(&[]));
    assert_eq!(
        err.matches("unknown experiment status `nope`").count(),
        8,
        "{err}"
    );
}
