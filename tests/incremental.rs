//! The incremental rebuild of `serve` against fresh builds: after every step
//! of random sequences of edits (bodies, summaries, statuses, references,
//! wiki links, tags, titles, follows, drafts, metrics, decisions, owners,
//! teams, visibility, additions, renames, deletions, playbooks added and
//! removed, broken files and their fixes, templates and `gemba.yaml`), the session's files must equal those of a
//! session started fresh on the same folder, byte for byte. The same edits,
//! with template and configuration changes among them, check `gemba build`
//! into its earlier output (which it reuses pages and search bundles of)
//! against a build into an empty folder.

mod common;

use common::{snapshot, Rng, Site};
use gemba::incremental::Session;
use gemba::site::BuildOptions;
use std::path::PathBuf;

const STATUSES: [&str; 6] = [
    "planned",
    "running",
    "validated",
    "invalidated",
    "inconclusive",
    "abandoned",
];
const HYPOTHESES: [&str; 3] = ["h-price", "h-onboard", "h-referral"];

#[derive(Clone)]
struct Experiment {
    name: String,
    folder: &'static str,
    title: String,
    hypothesis: Option<usize>,
    status: usize,
    ended: u32,
    tags: Vec<String>,
    follows: Option<String>,
    draft: bool,
    summary: Option<String>,
    first: String,
    links: Vec<String>,
    tail: Vec<String>,
    ice: u8,
    /// Baseline, actual and target of the first metric.
    metric: Option<(u32, u32, u32)>,
    /// Units and conversions of the control and variant arms, in place of
    /// baseline and actual.
    counts: Option<(u32, u32, u32, u32)>,
    decision: Option<&'static str>,
    owner: Option<&'static str>,
    team: Option<&'static str>,
    public: bool,
}

const DECISIONS: [&str; 3] = ["persevere", "pivot", "stop"];
const PEOPLE: [&str; 3] = ["Ana", "Bo", "Cy"];
const TEAMS: [&str; 2] = ["Growth", "Core"];

impl Experiment {
    fn path(&self) -> String {
        format!("content/experiments/{}{}.md", self.folder, self.name)
    }

    fn text(&self) -> String {
        let mut fm = format!(
            "---\ntitle: {}\nstatus: {}\n",
            self.title, STATUSES[self.status]
        );
        if let Some(h) = self.hypothesis {
            fm += &format!("hypothesis: {}\n", HYPOTHESES[h]);
        }
        if STATUSES[self.status] != "planned" {
            fm += &format!("started: 2026-01-01\nended: 2026-{:02}-10\n", self.ended);
        } else {
            fm += &format!("ice: {{impact: {}, confidence: 5, ease: 5}}\n", self.ice);
        }
        if !self.tags.is_empty() {
            fm += &format!("tags: [{}]\n", self.tags.join(", "));
        }
        if let Some(f) = &self.follows {
            fm += &format!("follows: {f}\n");
        }
        if self.draft {
            fm += "draft: true\n";
        }
        if let Some(s) = &self.summary {
            fm += &format!("summary: {s}\n");
        }
        match (self.metric, self.counts) {
            (_, Some((nc, xc, nv, xv))) => {
                fm += &format!("mde: 10%\nmetrics:\n  - {{name: Conversion, unit: \"%\", control: {{units: {nc}, conversions: {xc}}}, variant: {{units: {nv}, conversions: {xv}}}}}\n");
            }
            (Some((base, actual, target)), None) => {
                fm += &format!("metrics:\n  - {{name: Conversion, unit: \"%\", baseline: {base}, actual: {actual}, target: {target}}}\n");
            }
            (None, None) => {}
        }
        if let Some(d) = self
            .decision
            .filter(|_| STATUSES[self.status] != "planned" && STATUSES[self.status] != "running")
        {
            fm += &format!("decision: {d}\n");
        }
        if let Some(o) = self.owner {
            fm += &format!("owner: {o}\n");
        }
        if let Some(t) = self.team {
            fm += &format!("team: {t}\n");
        }
        if self.public {
            fm += "visibility: public\n";
        }
        let links: String = self
            .links
            .iter()
            .map(|l| format!(" See [[{l}]]."))
            .collect();
        format!(
            "{fm}---\n{}{links}\n\n{}\n",
            self.first,
            self.tail.join("\n\n")
        )
    }
}

fn write_static(site: &Site) {
    site.write("gemba.yaml", "title: Incremental\npaginate: 3\n")
        .write(
            "content/playbooks/growth.md",
            "---\ntitle: Growth\nstages:\n  - {id: find, title: Find}\n  - {id: keep, title: Keep}\n---\nHow we grow.\n",
        )
        .write("content/hypotheses/h-price.md", "---\ntitle: Price\nplaybook: growth\nstage: find\nstatement: We believe price matters.\n---\nAbout price.\n")
        .write("content/hypotheses/h-onboard.md", "---\ntitle: Onboarding\nplaybook: growth\nstage: keep\n---\nAbout onboarding.\n")
        .write("content/hypotheses/h-referral.md", "---\ntitle: Referral\nplaybook: growth\n---\nAbout referrals. [[e0]]\n")
        .write("content/guides/notes.md", "# Notes\n\nSee [[e1]].\n")
        .write("content/guides/setup.md", "---\ntitle: Setup\naliases: [/old-setup/]\n---\n## Step 1\n\nInstall.\n")
        .write("content/index.md", "---\ntitle: Home\n---\nWelcome.\n");
    site.write_png("content/guides/img/flow.png", 640, 360);
    site.write(
        "content/files/handout.md",
        "---\ntitle: Handout\nvisibility: public\n---\nNothing beside it.\n",
    )
    .write("content/files/deck.txt", "Deck\n");
    site.write_png("content/files/chart.png", 200, 100);
}

fn options(site: &Site) -> BuildOptions {
    BuildOptions {
        root: site.root().canonicalize().unwrap(),
        no_git: true,
        base_url: Some("http://127.0.0.1:9".into()),
        live_reload: "<script>/* reload */</script>".into(),
        ..BuildOptions::default()
    }
}

fn fresh_files(opts: &BuildOptions) -> Option<gemba::incremental::Files> {
    Session::start(opts).ok().map(|(s, _)| s.files().clone())
}

/// What each step of a random sequence is checked against a fresh build.
#[derive(Clone, Copy, PartialEq)]
enum Check {
    /// The serve session, told of the changed files.
    Session,
    /// The same, for a public build (`--audience public`).
    PublicSession,
    /// `gemba build` into the output of the build before.
    Rebuild,
}

/// Build into `out` as `gemba build` does; `None` when the build fails.
fn build_into(site: &Site, out: &std::path::Path) -> Option<Vec<(PathBuf, Vec<u8>)>> {
    let opts = BuildOptions {
        root: site.root().canonicalize().unwrap(),
        output: Some(out.to_path_buf()),
        no_git: true,
        ..BuildOptions::default()
    };
    let outcome = gemba::site::build(&opts, false);
    (!outcome.diagnostics.has_errors()).then(|| snapshot(out))
}

fn inode(path: &std::path::Path) -> Option<u64> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| m.ino())
}

/// Set every page of an output an hour back; returns each page's inode.
fn age_pages(dir: &std::path::Path) -> Vec<(PathBuf, u64)> {
    let past = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let mut pages = Vec::new();
    for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "html") {
            let file = std::fs::File::options().write(true).open(path).unwrap();
            file.set_modified(past).unwrap();
            let rel = path.strip_prefix(dir).unwrap().to_path_buf();
            pages.extend(inode(path).map(|ino| (rel, ino)));
        }
    }
    pages
}

/// Change a template or the configuration now and then (rebuild checks).
fn change_look(site: &Site, step: usize) {
    let card = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/themes/default/templates/partials/card.html"
    ))
    .unwrap();
    let experiment = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/themes/default/templates/experiment.html"
    ))
    .unwrap();
    match step % 12 {
        1 => {
            site.write(
                "templates/experiment.html",
                &experiment.replace(
                    "<article class=\"doc\">",
                    &format!("<article class=\"doc step-{step}\">"),
                ),
            );
        }
        5 => {
            let _ = std::fs::remove_file(site.root().join("templates/experiment.html"));
        }
        3 => {
            site.write(
                "templates/partials/card.html",
                &card.replace("class=\"card\"", &format!("class=\"card step-{step}\"")),
            );
        }
        7 => {
            let _ = std::fs::remove_file(site.root().join("templates/partials/card.html"));
        }
        10 => {
            site.write(
                "gemba.yaml",
                &format!("title: Incremental {step}\npaginate: 3\nsearch_shard_pages: 4\n"),
            );
        }
        _ => {}
    }
}

fn run_sequence(seed: u64, steps: usize, check: Check) {
    let site = Site::new();
    write_static(&site);
    let mut rng = Rng(seed);
    let mut exps: Vec<Experiment> = (0..6)
        .map(|i| Experiment {
            name: format!("e{i}"),
            folder: if i % 2 == 0 { "" } else { "2026/" },
            title: format!("Experiment {i}"),
            hypothesis: Some(i % 3),
            status: i % STATUSES.len(),
            ended: 1 + i as u32,
            tags: vec![format!("t{}", i % 2)],
            follows: None,
            draft: false,
            summary: None,
            first: format!("First paragraph of {i}."),
            links: Vec::new(),
            tail: vec!["More text.".into()],
            ice: 3,
            metric: None,
            counts: None,
            decision: None,
            owner: None,
            team: None,
            public: false,
        })
        .collect();
    for e in &exps {
        site.write(&e.path(), &e.text());
    }
    let mut opts = options(&site);
    if check == Check::PublicSession {
        opts.audience = Some(gemba::model::Visibility::Public);
    }
    let (mut session, _) = Session::start(&opts).unwrap_or_else(|d| {
        panic!("start: {}", d.render(std::path::Path::new("")));
    });
    let mut added = 0;
    let mut reused = 0;
    let mut broken: Option<String> = None;
    for step in 0..steps {
        let mut changed: Vec<String> = Vec::new();
        let mut look_changed = false;
        if let Some(path) = broken.take() {
            // Fix the broken file by writing its good text back.
            let e = exps.iter().find(|e| e.path() == path).unwrap();
            site.write(&path, &e.text());
            changed.push(path);
        } else {
            let i = rng.below(exps.len());
            let op = rng.below(36);
            let names: Vec<String> = exps.iter().map(|e| e.name.clone()).collect();
            let e = &mut exps[i];
            let before = e.path();
            match op {
                0 => e.tail.push(format!("Step {step} text.")),
                1 => e.first = format!("Changed first paragraph at {step}."),
                2 => e.status = rng.below(STATUSES.len()),
                3 => e.hypothesis = [None, Some(0), Some(1), Some(2)][rng.below(4)],
                4 => {
                    let target = names[rng.below(names.len())].clone();
                    if target != e.name && !e.links.contains(&target) {
                        e.links.push(target);
                    } else if rng.below(3) == 0 {
                        e.links.clear();
                    }
                }
                5 => e.tags = vec![format!("t{}", rng.below(4))],
                6 => e.title = format!("Renamed title {step}"),
                7 => {
                    e.follows = Some(names[rng.below(names.len())].clone()).filter(|f| *f != e.name)
                }
                8 => e.draft = !e.draft,
                9 => e.summary = Some(format!("Summary at {step}")).filter(|_| e.summary.is_none()),
                10 => e.ended = 1 + rng.below(12) as u32,
                22 if rng.below(2) == 0 => {
                    // Counts: a win, a loss or nothing clear, sometimes lopsided.
                    let nc = 1000 + 500 * rng.below(4) as u32;
                    let nv = if rng.below(4) == 0 { nc * 11 / 10 } else { nc };
                    e.counts = Some((nc, nc / 20, nv, nv / 20 + [0, 30, 60][rng.below(3)] as u32));
                }
                22 => {
                    e.counts = None;
                    e.metric = match rng.below(3) {
                        0 => None,
                        _ => Some((
                            rng.below(10) as u32,
                            rng.below(20) as u32,
                            rng.below(20) as u32,
                        )),
                    }
                }
                23 => e.decision = [None, Some(DECISIONS[rng.below(3)])][rng.below(2)],
                24 => e.owner = [None, Some(PEOPLE[rng.below(3)])][rng.below(2)],
                25 => e.team = [None, Some(TEAMS[rng.below(2)])][rng.below(2)],
                26 => e.public = !e.public,
                11 => {
                    // Rename the file; references by slug keep working.
                    let old = site.root().join(e.path());
                    e.folder = if e.folder.is_empty() { "2026/" } else { "" };
                    std::fs::create_dir_all(site.root().join(e.path()).parent().unwrap()).unwrap();
                    std::fs::rename(old, site.root().join(e.path())).unwrap();
                    changed.push(before.clone());
                    changed.push(e.path());
                }
                12 => {
                    let name = format!("added{added}");
                    added += 1;
                    let mut new = e.clone();
                    new.name = name;
                    new.title = format!("Added at {step}");
                    new.follows = None;
                    new.links.clear();
                    site.write(&new.path(), &new.text());
                    changed.push(new.path());
                    exps.push(new);
                }
                13 if exps.len() > 3 => {
                    let gone = exps.remove(i);
                    std::fs::remove_file(site.root().join(gone.path())).unwrap();
                    changed.push(gone.path());
                    // References to it would make the build fail: drop them.
                    for other in exps.iter_mut() {
                        let mut touched = false;
                        if other.follows.as_deref() == Some(&gone.name) {
                            other.follows = None;
                            touched = true;
                        }
                        if other.links.contains(&gone.name) {
                            other.links.retain(|l| *l != gone.name);
                            touched = true;
                        }
                        if touched {
                            site.write(&other.path(), &other.text());
                            changed.push(other.path());
                        }
                    }
                }
                15 | 16 => {
                    // The documents around the experiments change too.
                    let h = rng.below(HYPOTHESES.len());
                    let path = format!("content/hypotheses/{}.md", HYPOTHESES[h]);
                    let stage = ["find", "keep"][rng.below(2)];
                    let link = &names[rng.below(names.len())];
                    site.write(
                        &path,
                        &format!("---\ntitle: Hypothesis {h} at {step}\nplaybook: growth\nstage: {stage}\n---\nAbout it. [[{link}]]\n"),
                    );
                    changed.push(path);
                }
                17 => {
                    let path = "content/playbooks/growth.md".to_string();
                    site.write(
                        &path,
                        &format!("---\ntitle: Growth {step}\nstages:\n  - {{id: find, title: Find {step}}}\n  - {{id: keep, title: Keep}}\n---\nHow we grow.\n"),
                    );
                    changed.push(path);
                }
                18 => {
                    let path = "content/guides/notes.md".to_string();
                    let link = &names[rng.below(names.len())];
                    site.write(&path, &format!("# Notes {step}\n\nSee [[{link}]].\n"));
                    changed.push(path);
                }
                19 => {
                    // Only the home page's intro text changes.
                    let path = "content/index.md".to_string();
                    site.write(
                        &path,
                        &format!("---\ntitle: Home\n---\nWelcome, step {step}.\n"),
                    );
                    changed.push(path);
                }
                20 => {
                    // Only the playbook's first paragraph changes.
                    let path = "content/playbooks/growth.md".to_string();
                    site.write(
                        &path,
                        &format!("---\ntitle: Growth\nstages:\n  - {{id: find, title: Find}}\n  - {{id: keep, title: Keep}}\n---\nHow we grow, take {step}.\n"),
                    );
                    changed.push(path);
                }
                21 => {
                    // A body-only edit of a hypothesis, keeping its front matter.
                    let path = format!("content/hypotheses/{}.md", HYPOTHESES[rng.below(3)]);
                    let text = std::fs::read_to_string(site.root().join(&path)).unwrap();
                    let end = text[4..].find("\n---\n").map(|i| i + 4 + 5).unwrap();
                    let body = if rng.below(2) == 0 {
                        format!("New first words {step}.\n\n{}", &text[end..])
                    } else {
                        format!("{}\nA later line {step}.\n", &text[end..])
                    };
                    site.write(&path, &format!("{}{body}", &text[..end]));
                    changed.push(path);
                }
                27 => {
                    // A playbook of its own comes and goes.
                    let path = "content/playbooks/retention.md".to_string();
                    if site.root().join(&path).exists() {
                        std::fs::remove_file(site.root().join(&path)).unwrap();
                    } else {
                        site.write(
                            &path,
                            &format!("---\ntitle: Retention {step}\nstatus: {}\nowner: {}\nstages:\n  - {{id: hold, title: Hold}}\n---\nKeep them.\n",
                                ["active", "draft", "retired"][rng.below(3)], PEOPLE[rng.below(3)]),
                        );
                    }
                    changed.push(path);
                }
                30 => {
                    // Relative links, anchors and an image in a plain page.
                    let path = "content/guides/notes.md".to_string();
                    let anchor = ["step-1", "step-2", "step-3"][rng.below(3)];
                    let target = [
                        "setup.md",
                        "../hypotheses/h-price.md",
                        "missing.md",
                        "/old-setup/",
                    ][rng.below(4)];
                    site.write(
                        &path,
                        &format!("# Notes {step}\n\nSee [setup](setup.md#{anchor}), [more]({target}) and [[e1]].\n\n![Flow](img/flow.png)\n"),
                    );
                    changed.push(path);
                }
                31 => {
                    // The headings links point at, and the aliases, change.
                    let path = "content/guides/setup.md".to_string();
                    let aliases = [
                        "",
                        "aliases: [/old-setup/]\n",
                        "redirect_from: [/setup-v1/, /setup.html]\n",
                    ][rng.below(3)];
                    let steps: String = (1..=1 + rng.below(3))
                        .map(|k| format!("## Step {k}\n\nDo {k}.\n\n"))
                        .collect();
                    site.write(&path, &format!("---\ntitle: Setup\n{aliases}---\n{steps}"));
                    changed.push(path);
                }
                32 => {
                    // The image is redrawn at another size, or goes and comes back.
                    let rel = "content/guides/img/flow.png";
                    if site.root().join(rel).exists() && rng.below(3) == 0 {
                        std::fs::remove_file(site.root().join(rel)).unwrap();
                    } else {
                        site.write_png(rel, 100 + 10 * rng.below(50) as u32, 80);
                    }
                    changed.push(rel.to_string());
                }
                33 => {
                    // A page beside files: public or internal, using some
                    // of them (a public build publishes only those a
                    // public page uses, and none beside internal pages).
                    let path = "content/files/handout.md".to_string();
                    let visibility = ["public", "internal"][rng.below(2)];
                    let uses = [
                        "![Chart](chart.png)\n",
                        "[The deck](deck.txt)\n",
                        "<a href=\"deck.txt\">The deck</a>\n",
                        "![Flow](../guides/img/flow.png)\n",
                        "Nothing beside it.\n",
                    ];
                    let body: String = (0..2).map(|_| uses[rng.below(uses.len())]).collect();
                    site.write(
                        &path,
                        &format!("---\ntitle: Handout\nvisibility: {visibility}\n---\n{body}"),
                    );
                    changed.push(path);
                }
                34 => {
                    // A file beside that page comes and goes.
                    let rel = ["content/files/deck.txt", "content/files/chart.png"][rng.below(2)];
                    if site.root().join(rel).exists() {
                        std::fs::remove_file(site.root().join(rel)).unwrap();
                    } else if rel.ends_with(".png") {
                        site.write_png(rel, 200, 100);
                    } else {
                        site.write(rel, &format!("Deck {step}\n"));
                    }
                    changed.push(rel.to_string());
                }
                28 | 29 if check != Check::Rebuild => {
                    // The look changes while serving.
                    change_look(&site, [1, 3, 5, 7, 10][rng.below(5)] + step / 12 * 12);
                    look_changed = true;
                }
                14 => {
                    site.write(&before, "---\ntitle: [unclosed\n---\nBroken.\n");
                    broken = Some(before.clone());
                    changed.push(before.clone());
                }
                _ => {}
            }
            if op <= 10 || (22..=26).contains(&op) {
                let e = &exps[i];
                site.write(&e.path(), &e.text());
                changed.push(before);
            }
        }
        if check == Check::Rebuild {
            change_look(&site, step);
            let earlier = site.root().join("public");
            let fresh = site.root().join(format!("fresh-{step}"));
            // Pages written in the same instant as the keys file are not
            // taken over (file times are coarse): age the earlier output.
            let before = age_pages(&earlier);
            let rebuilt = build_into(&site, &earlier);
            if rebuilt.is_some() {
                reused += before
                    .iter()
                    .filter(|(path, ino)| inode(&earlier.join(path)) == Some(*ino))
                    .count();
            }
            let expected = build_into(&site, &fresh);
            let _ = std::fs::remove_dir_all(&fresh);
            assert_eq!(
                rebuilt.is_some(),
                expected.is_some(),
                "seed {seed} step {step}: a rebuild and a fresh build disagree on failing"
            );
            if let (Some(rebuilt), Some(expected)) = (rebuilt, expected) {
                let differ: Vec<_> = expected
                    .iter()
                    .zip(&rebuilt)
                    .filter(|(a, b)| a != b)
                    .map(|(a, _)| a.0.clone())
                    .collect();
                assert!(
                    differ.is_empty() && rebuilt.len() == expected.len(),
                    "seed {seed} step {step}: a rebuild differs from a fresh build: {differ:?}"
                );
            }
            continue;
        }
        let paths: Vec<PathBuf> = changed.iter().map(|p| opts.root.join(p)).collect();
        let update = if look_changed {
            let update = session.reload_theme();
            if session.is_stale() {
                // As `serve` does: a broken theme means a fresh start.
                match Session::start(&opts) {
                    Ok((fresh, _)) => session = fresh,
                    Err(_) => continue,
                }
            }
            update
        } else {
            session.update_content(&paths)
        };
        let expected = fresh_files(&opts);
        match expected {
            Some(expected) => {
                assert!(
                    !update.diagnostics.has_errors(),
                    "seed {seed} step {step}: the update failed where a fresh build succeeds:\n{}",
                    update.diagnostics.render(std::path::Path::new(""))
                );
                let differ = differing(session.files(), &expected);
                assert!(
                    differ.is_empty(),
                    "seed {seed} step {step}: these files differ from a fresh build: {differ:?}"
                );
            }
            None => assert!(
                update.diagnostics.has_errors(),
                "seed {seed} step {step}: a fresh build fails but the update did not"
            ),
        }
    }
    if check == Check::Rebuild {
        // Most pages are untouched by one edit: a rebuild takes them over.
        assert!(
            reused > steps * 2,
            "seed {seed}: only {reused} pages were taken over in {steps} rebuilds"
        );
    }
}

#[test]
fn random_edits_match_fresh_builds() {
    for seed in [
        1u64,
        7,
        42,
        1234,
        99991,
        31337,
        8675309,
        0x2545_f491_4f6c_dd1d,
    ] {
        run_sequence(seed, 80, Check::Session);
    }
}

#[test]
fn random_edits_of_a_public_build_match_fresh_builds() {
    for seed in [5u64, 77, 2026, 4242] {
        run_sequence(seed, 80, Check::PublicSession);
    }
}

#[test]
fn rebuilds_into_an_earlier_output_match_fresh_builds() {
    for seed in [3u64, 2024] {
        run_sequence(seed, 36, Check::Rebuild);
    }
}

#[test]
fn a_body_edit_rerenders_few_pages() {
    let site = Site::new();
    write_static(&site);
    for i in 0..12 {
        site.write(
            &format!("content/experiments/e{i}.md"),
            &format!("---\ntitle: X {i}\nstatus: running\nhypothesis: h-price\n---\nFirst.\n\nRest {i}.\n"),
        );
    }
    let opts = options(&site);
    let (mut session, _) = Session::start(&opts)
        .unwrap_or_else(|d| panic!("start: {}", d.render(std::path::Path::new(""))));
    // A change below the first paragraph: the card is the same, so only the
    // page itself is new.
    site.write(
        "content/experiments/e3.md",
        "---\ntitle: X 3\nstatus: running\nhypothesis: h-price\n---\nFirst.\n\nRest 3, edited.\n",
    );
    let update = session.update_content(&[opts.root.join("content/experiments/e3.md")]);
    assert_eq!(update.scope, "bodies");
    assert_eq!(
        update.changed,
        vec!["experiments/e3/index.html".to_string()]
    );
    // A new first paragraph changes the card: lists that show it change too.
    site.write(
        "content/experiments/e3.md",
        "---\ntitle: X 3\nstatus: running\nhypothesis: h-price\n---\nA new first line.\n\nRest 3, edited.\n",
    );
    let update = session.update_content(&[opts.root.join("content/experiments/e3.md")]);
    assert!(update
        .changed
        .contains(&"experiments/e3/index.html".to_string()));
    // The home page lists running experiments with their cards.
    assert!(
        update.changed.contains(&"index.html".to_string()),
        "{:?}",
        update.changed
    );
    assert!(update.changed.len() < 12, "{:?}", update.changed);
    assert_eq!(session.files(), &fresh_files(&opts).unwrap());
}

/// A new title alone patches the model instead of resolving it again (the
/// `retitle` phase): the log, which ties by title, is reordered, and the
/// wiki links that show the title are updated.
#[test]
fn a_new_title_patches_the_model_as_a_fresh_build_resolves_it() {
    let site = Site::new();
    write_static(&site);
    for i in 0..4 {
        site.write(
            &format!("content/experiments/e{i}.md"),
            &format!("---\ntitle: X {i}\nstatus: validated\nhypothesis: h-price\nended: 2026-03-01\n---\nSee [[e{}]] and [[e1]].\n", (i + 1) % 4),
        );
    }
    let opts = options(&site);
    let (mut session, _) = Session::start(&opts)
        .unwrap_or_else(|d| panic!("start: {}", d.render(std::path::Path::new(""))));
    let phases = |u: &gemba::incremental::Update| -> Vec<&str> {
        u.timings.iter().map(|p| p.name).collect()
    };
    // All four ended the same day: "A first" now leads the log.
    let e1 = opts.root.join("content/experiments/e1.md");
    site.write(
        "content/experiments/e1.md",
        "---\ntitle: A first\nstatus: validated\nhypothesis: h-price\nended: 2026-03-01\n---\nSee [[e2]] and [[e1]].\n",
    );
    let update = session.update_content(std::slice::from_ref(&e1));
    assert!(
        phases(&update).contains(&"retitle"),
        "{:?}",
        phases(&update)
    );
    assert!(!phases(&update).contains(&"resolve"));
    assert_eq!(
        differing(session.files(), &fresh_files(&opts).unwrap()),
        Vec::<String>::new()
    );
    // A title and a status: resolved again.
    site.write(
        "content/experiments/e1.md",
        "---\ntitle: Z last\nstatus: invalidated\nhypothesis: h-price\nended: 2026-03-01\n---\nSee [[e2]] and [[e1]].\n",
    );
    let update = session.update_content(std::slice::from_ref(&e1));
    assert!(
        phases(&update).contains(&"resolve"),
        "{:?}",
        phases(&update)
    );
    assert_eq!(
        differing(session.files(), &fresh_files(&opts).unwrap()),
        Vec::<String>::new()
    );
}

/// The paths whose bytes differ between two built sites.
fn differing(got: &gemba::incremental::Files, expected: &gemba::incremental::Files) -> Vec<String> {
    let mut paths: Vec<String> = expected
        .iter()
        .filter(|(k, v)| got.get(*k) != Some(v))
        .map(|(k, _)| k.clone())
        .chain(got.keys().filter(|k| !expected.contains_key(*k)).cloned())
        .collect();
    paths.sort();
    paths
}

#[test]
fn theme_changes_redo_what_they_must() {
    let site = Site::new();
    write_static(&site);
    site.write(
        "content/experiments/e0.md",
        "---\ntitle: Zero\nstatus: running\n---\nBody.\n",
    )
    .write(
        "content/experiments/e1.md",
        "---\ntitle: One\nstatus: planned\n---\nBody.\n",
    );
    let opts = options(&site);
    let (mut session, _) = Session::start(&opts)
        .unwrap_or_else(|d| panic!("start: {}", d.render(std::path::Path::new(""))));

    // A static file alone is copied; no page is rendered again.
    site.write("static/style.css", "body { color: teal; }\n");
    let update = session.reload_theme();
    assert_eq!(update.scope, "static files");
    assert_eq!(update.changed, vec!["style.css".to_string()]);
    assert_eq!(session.files(), &fresh_files(&opts).unwrap());

    // A template renders every page again.
    site.write(
        "templates/page.html",
        "{% extends \"base.html\" %}{% block content %}<p>Plain: {{ page.title }}</p>{% endblock content %}",
    );
    let update = session.reload_theme();
    assert_eq!(update.scope, "all pages");
    assert!(update
        .changed
        .contains(&"guides/notes/index.html".to_string()));
    assert_eq!(session.files(), &fresh_files(&opts).unwrap());

    // Removing the static file removes it from the site.
    std::fs::remove_file(site.root().join("static/style.css")).unwrap();
    let update = session.reload_theme();
    assert_eq!(update.scope, "static files");
    assert_eq!(session.files(), &fresh_files(&opts).unwrap());
}

#[test]
fn a_file_renamed_then_removed_in_one_batch_is_gone() {
    // The watcher folds "a renamed to b, b removed" into "b removed": the
    // session is told of a file it never knew, and must still drop `a`.
    let site = Site::new();
    write_static(&site);
    site.write(
        "content/experiments/a.md",
        "---\ntitle: Soon gone\nstatus: running\n---\nBody.\n",
    )
    .write(
        "content/experiments/e0.md",
        "---\ntitle: Stays\nstatus: planned\n---\nBody.\n",
    )
    .write(
        "content/experiments/e1.md",
        "---\ntitle: Stays too\nstatus: planned\n---\nBody.\n",
    );
    let opts = options(&site);
    let (mut session, _) = Session::start(&opts)
        .unwrap_or_else(|d| panic!("start: {}", d.render(std::path::Path::new(""))));
    assert!(session.files().contains_key("experiments/a/index.html"));
    std::fs::remove_file(site.root().join("content/experiments/a.md")).unwrap();
    let update = session.update_content(&[opts.root.join("content/experiments/b.md")]);
    assert!(!update.diagnostics.has_errors());
    assert!(!session.files().contains_key("experiments/a/index.html"));
    assert_eq!(session.files(), &fresh_files(&opts).unwrap());
}
