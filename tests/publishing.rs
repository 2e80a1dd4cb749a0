//! Publishing from git: page history, the changelog, and public builds that
//! leave no trace of internal items.

mod common;
use common::*;
use std::io::Read;
use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str], author: &str, date: &str) {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", author)
        .env(
            "GIT_AUTHOR_EMAIL",
            format!("{}@example.com", author.to_lowercase()),
        )
        .env("GIT_COMMITTER_NAME", author)
        .env("GIT_COMMITTER_EMAIL", "c@example.com")
        .env("GIT_AUTHOR_DATE", format!("{date}T10:00:00Z"))
        .env("GIT_COMMITTER_DATE", format!("{date}T10:00:00Z"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn history_comes_from_git_and_survives_renames() {
    let site = Site::new();
    let root = site.root();
    git(root, &["init", "-q", "-b", "main"], "Ann", "2026-01-01");
    site.write(
        "content/experiments/old-name.md",
        "---\ntitle: Pricing\nstatus: running\n---\nv1\n",
    );
    site.write("content/hypotheses/h.md", "---\ntitle: H\n---\n");
    git(root, &["add", "."], "Ann", "2026-01-01");
    git(
        root,
        &["commit", "-q", "-m", "Start the pricing test"],
        "Ann",
        "2026-01-05",
    );
    site.write(
        "content/experiments/old-name.md",
        "---\ntitle: Pricing\nstatus: running\n---\nv2 with more words\n",
    );
    git(
        root,
        &["commit", "-q", "-am", "Add week one numbers"],
        "Bob",
        "2026-02-10",
    );
    git(
        root,
        &[
            "mv",
            "content/experiments/old-name.md",
            "content/experiments/pricing.md",
        ],
        "Bob",
        "2026-03-01",
    );
    git(
        root,
        &["commit", "-q", "-m", "Rename the pricing test"],
        "Cleo",
        "2026-03-01",
    );
    let out = site.gemba(&["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let e = site.json("data/experiments.json");
    let h = &e[0]["history"];
    assert_eq!(h["created"], "2026-01-05");
    assert_eq!(h["updated"], "2026-03-01");
    assert_eq!(h["authors"], serde_json::json!(["Ann", "Bob", "Cleo"]));
    let summaries: Vec<&str> = h["commits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["summary"].as_str().unwrap())
        .collect();
    assert_eq!(
        summaries,
        [
            "Rename the pricing test",
            "Add week one numbers",
            "Start the pricing test"
        ]
    );
    let page = site.html("experiments/pricing/index.html");
    assert!(texts(&page, ".meta")
        .join(" ")
        .contains("Last revised 2026-03-01 by Cleo"));
    assert_eq!(texts(&page, "details.history li").len(), 3);
    let changes = site.html("changes/index.html");
    assert_eq!(
        texts(&changes, ".day h2"),
        ["2026-03-01", "2026-02-10", "2026-01-05"]
    );
    assert!(texts(&changes, ".day")
        .join(" ")
        .contains("Add week one numbers"));
    // --no-git: no history in the JSON, and the changelog says why.
    site.build_ok(&[]);
    assert!(site.json("data/experiments.json")[0]
        .get("history")
        .is_none());
    assert!(texts(&site.html("changes/index.html"), ".empty")
        .join(" ")
        .contains("no revision history to show"));
    let page = site.html("experiments/pricing/index.html");
    assert!(
        texts(&page, ".meta")
            .join(" ")
            .contains("(file time; no git history)"),
        "file times stand in"
    );
}

fn all_text(dir: &Path) -> Vec<(String, String)> {
    snapshot(dir)
        .into_iter()
        .map(|(p, bytes)| {
            let mut text = String::from_utf8_lossy(&bytes).into_owned();
            let mut decoded = Vec::new();
            if flate2::read::GzDecoder::new(&bytes[..])
                .read_to_end(&mut decoded)
                .is_ok()
            {
                text.push_str(&String::from_utf8_lossy(&decoded));
            }
            (p.display().to_string(), text.to_lowercase())
        })
        .collect()
}

#[test]
fn a_public_build_leaks_nothing_internal() {
    let site = Site::new();
    site.write("gemba.yaml", "title: Leak test\ndefault_visibility: internal\n")
        .write(
            "content/playbooks/open.md",
            "---\ntitle: Open playbook\nvisibility: public\nstages:\n  - {id: one, title: One}\n---\nPublic words.\n",
        )
        .write(
            "content/playbooks/secret.md",
            "---\ntitle: Zanzibarplaybook\nowner: Quuxowner\nteam: Quuxteam\ntags: [quuxtag]\n---\nZanzibarbody.\n",
        )
        .write(
            "content/hypotheses/public-h.md",
            "---\ntitle: Public H\nplaybook: open\nstage: one\nvisibility: public\n---\nSee [[secret-h|the earlier study]] for more.\n",
        )
        .write(
            "content/hypotheses/secret-h.md",
            "---\ntitle: Xylophonehyp\nstatement: Xylophonestatement\nplaybook: open\nstage: one\n---\nXylophonebody.\n",
        )
        .write(
            "content/experiments/public-e.md",
            "---\ntitle: Public E\nhypothesis: public-h\nstatus: validated\nended: 2026-01-02\nvisibility: public\n---\nPublic result.\n",
        )
        .write(
            "content/experiments/secret-e.md",
            "---\ntitle: Wombatexperiment\nhypothesis: public-h\nstatus: invalidated\nended: 2026-02-02\nowner: Quuxowner\ntags: [quuxtag]\nmetrics:\n  - {name: Wombatmetric, target: 1, actual: 0}\n---\nWombatbody links [[public-e]].\n",
        )
        .write("content/guides/secret-guide.md", "---\ntitle: Narwhalguide\n---\nNarwhalbody.\n")
        .write("content/guides/open-guide.md", "---\ntitle: Open guide\nvisibility: public\n---\nOpen.\n")
        .write("content/hypotheses/gone-secret.md", "---\ntitle: Zanzibargone\n---\n")
        // Files beside an internal page, used by it or by nobody.
        .write(
            "content/strategy/plan.md",
            "---\ntitle: Okapiplan\n---\n![Chart](secret-chart.png)\n\n[The deck](board-deck.pdf)\n",
        )
        .write("content/strategy/secret-chart.png", "okapichart")
        .write("content/strategy/board-deck.pdf", "okapideck")
        .write("content/strategy/notes.txt", "okapinotes")
        .write("content/guides/unused.txt", "okapiunused")
        // Files a public page uses, as Markdown and as raw HTML; and its
        // link to the deck beside the internal page.
        .write(
            "content/guides/handout.md",
            "---\ntitle: Handout\nvisibility: public\n---\n![Flow](img/flow.txt)\n\n<a href=\"files/sheet.txt\">Sheet</a>\n\nSee [the deck](../strategy/board-deck.pdf).\n",
        )
        .write("content/guides/img/flow.txt", "publicflow")
        .write("content/guides/files/sheet.txt", "publicsheet");
    // In git, so that the changelog and page histories are built too, with
    // an internal item's changes among them.
    let root = site.root();
    git(root, &["init", "-q", "-b", "main"], "Ann", "2026-01-01");
    git(root, &["add", "."], "Ann", "2026-01-02");
    git(
        root,
        &["commit", "-q", "-m", "Xylophonecommit message"],
        "Ann",
        "2026-01-02",
    );
    let secret = std::fs::read_to_string(root.join("content/experiments/secret-e.md")).unwrap();
    site.write(
        "content/experiments/secret-e.md",
        &secret.replace("status: invalidated", "status: running"),
    );
    git(
        root,
        &["commit", "-q", "-am", "Wombat moves"],
        "Ann",
        "2026-01-03",
    );
    git(
        root,
        &["rm", "-q", "content/hypotheses/gone-secret.md"],
        "Ann",
        "2026-01-04",
    );
    git(
        root,
        &["commit", "-q", "-m", "Drop it"],
        "Ann",
        "2026-01-04",
    );
    let out = site.gemba(&["build", "--audience", "public"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("content/hypotheses/public-h.md:7:5: warning:"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("content/guides/handout.md:9:5: warning: `../strategy/board-deck.pdf` uses `strategy/board-deck.pdf`, which sits beside pages this build leaves out"),
        "{}",
        stderr(&out)
    );
    let markers = [
        "zanzibar",
        "xylophone",
        "wombat",
        "narwhal",
        "quux",
        "secret",
        "okapi",
    ];
    let files = all_text(&site.public());
    // What the public page uses is published; its link to the deck is text.
    assert_eq!(site.read("guides/img/flow.txt"), "publicflow");
    assert_eq!(site.read("guides/files/sheet.txt"), "publicsheet");
    let handout = site.html("guides/handout/index.html");
    assert!(texts(&handout, ".prose")
        .join(" ")
        .contains("See the deck."));
    assert!(!attrs(&handout, ".prose a", "href")
        .iter()
        .any(|h| h.contains("deck")));
    assert!(
        files.iter().any(|(p, _)| p.starts_with("pagefind/")),
        "the search index is part of the scan"
    );
    for (path, text) in &files {
        for m in markers {
            assert!(!text.contains(m), "{path} contains `{m}`");
        }
        assert!(!path.starts_with("strategy/"), "{path} is published");
    }
    // The changelog shows what changed in public items, and no message.
    let changes = site.html("changes/index.html");
    assert!(
        texts(&changes, ".changes li").contains(&"experiment Public E: added".to_string()),
        "{:?}",
        texts(&changes, ".changes li")
    );
    assert!(texts(&changes, ".commit-summary").is_empty());
    // The public hypothesis keeps its public evidence only.
    let h = site.json("data/hypotheses.json");
    assert_eq!(h.as_array().unwrap().len(), 1);
    assert_eq!(h[0]["status"], "supported");
    let page = site.html("hypotheses/public-h/index.html");
    assert!(texts(&page, ".prose")
        .join(" ")
        .contains("See the earlier study for more."));
    assert!(
        attrs(&page, ".prose a", "href").is_empty(),
        "the link to an internal page becomes plain text"
    );
    // Sanity check: the same markers are there in a full build, and every
    // file beside the content.
    site.build_ok(&[]);
    for file in [
        "strategy/secret-chart.png",
        "strategy/board-deck.pdf",
        "strategy/notes.txt",
        "guides/unused.txt",
        "guides/files/sheet.txt",
    ] {
        assert!(
            site.public().join(file).is_file(),
            "full build lacks {file}"
        );
    }
    let full = all_text(&site.public());
    for m in markers {
        assert!(
            full.iter().any(|(_, t)| t.contains(m)),
            "full build lacks `{m}`"
        );
    }
}

#[test]
fn the_changelog_says_what_changed_in_the_strategy() {
    let site = Site::new();
    let root = site.root();
    site.write(
        "gemba.yaml",
        "title: Changelog\nauthors:\n  ann@example.com: Ann Analyst\n  Bob: Bob Builder\n",
    );
    git(root, &["init", "-q", "-b", "main"], "Ann", "2026-01-01");
    site.write(
        "content/experiments/annual.md",
        "---\ntitle: Annual plans\nstatus: running\n---\nWeek one.\n",
    )
    .write(
        "content/hypotheses/pricing.md",
        "---\ntitle: Pricing matters\nstatement: We believe price matters.\n---\n",
    )
    .write(
        "content/hypotheses/old.md",
        "---\ntitle: An old idea\n---\n",
    );
    git(root, &["add", "."], "Ann", "2026-01-05");
    git(root, &["commit", "-q", "-m", "Start"], "Ann", "2026-01-05");
    site.write(
        "content/experiments/annual.md",
        "---\ntitle: Annual plans\nstatus: validated\ndecision: persevere\n---\nWeek one.\n",
    );
    git(
        root,
        &["commit", "-q", "-am", "Annual plans won"],
        "Bob",
        "2026-02-01",
    );
    site.write(
        "content/hypotheses/pricing.md",
        "---\ntitle: Price decides the deal\nstatement: We believe price decides most deals.\n---\n",
    );
    git(
        root,
        &["rm", "-q", "content/hypotheses/old.md"],
        "Bob",
        "2026-02-03",
    );
    git(
        root,
        &["commit", "-q", "-am", "Sharpen pricing; drop the old idea"],
        "Cleo",
        "2026-02-03",
    );
    git(
        root,
        &[
            "mv",
            "content/experiments/annual.md",
            "content/experiments/annual-plans.md",
        ],
        "Cleo",
        "2026-02-04",
    );
    git(
        root,
        &["commit", "-q", "-m", "Rename"],
        "Cleo",
        "2026-02-04",
    );
    site.write("content/experiments/annual-plans.md", "---\ntitle: Annual plans\nstatus: validated\ndecision: persevere\n---\nWeek one, and two.\n");
    git(
        root,
        &["commit", "-q", "-am", "Add week two"],
        "Cleo",
        "2026-02-05",
    );

    let out = site.gemba(&["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let changes = site.html("changes/index.html");
    assert_eq!(
        texts(&changes, ".day h2"),
        [
            "2026-02-05",
            "2026-02-04",
            "2026-02-03",
            "2026-02-01",
            "2026-01-05"
        ]
    );
    let lines = texts(&changes, ".changes li");
    assert_eq!(
        lines,
        [
            "experiment Annual plans: moved from experiments/annual.md",
            "hypothesis An old idea: removed",
            "hypothesis Price decides the deal: retitled from \u{201c}Pricing matters\u{201d}; statement rewritten",
            "experiment Annual plans: running \u{2192} validated; decision: persevere",
            "experiment Annual plans: added",
            "hypothesis An old idea: added",
            "hypothesis Price decides the deal: added",
        ]
    );
    // The model's changes lead, in bold; a commit of wording only folds
    // into one line for its day.
    assert_eq!(
        texts(&changes, ".changes strong")[3],
        "Annual plans: running \u{2192} validated; decision: persevere"
    );
    assert_eq!(
        texts(&changes, ".quiet"),
        ["1 commit revised wording only (Annual plans): \u{201c}Add week two\u{201d}, by Cleo"]
    );
    // Then the commit: its message and author, as `authors:` names them.
    let heads = texts(&changes, ".commit-meta");
    assert!(
        heads[2].starts_with("\u{201c}Annual plans won\u{201d} \u{2014} Bob Builder"),
        "{heads:?}"
    );
    assert!(
        heads[3].starts_with("\u{201c}Start\u{201d} \u{2014} Ann Analyst"),
        "{heads:?}"
    );
    // Items link to their pages as they are now, through the rename.
    assert_eq!(
        attrs(&changes, ".changes a", "href")[0],
        "/experiments/annual-plans/"
    );
}

#[cfg(unix)]
#[test]
fn symbolic_links_out_of_the_site_are_not_followed() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("passwd.txt"), "okapioutside").unwrap();
    std::fs::create_dir(outside.path().join("home")).unwrap();
    std::fs::write(
        outside.path().join("home/diary.md"),
        "---\ntitle: Okapidiary\n---\nOkapi.\n",
    )
    .unwrap();
    std::fs::write(outside.path().join("home/photo.png"), "okapiphoto").unwrap();
    let site = Site::new();
    site.write("gemba.yaml", "title: Links\n")
        .write(
            "content/about.md",
            "---\ntitle: About\n---\n[Terms](terms.txt)\n",
        )
        .write("shared/terms.txt", "inside the site");
    let root = site.root();
    let link = |to: &Path, at: &str| std::os::unix::fs::symlink(to, root.join(at)).unwrap();
    link(&outside.path().join("passwd.txt"), "content/notes.txt");
    link(&outside.path().join("home"), "content/home");
    link(&root.join("shared/terms.txt"), "content/terms.txt");
    link(&root.join("shared"), "content/shared");

    for command in [&["check"][..], &["build"][..]] {
        let out = site.gemba(command);
        let err = stderr(&out);
        assert!(out.status.success(), "{err}");
        for at in ["content/notes.txt", "content/home"] {
            assert!(
                err.contains(&format!(
                    "{at}: warning: symbolic link leads outside the site"
                )),
                "{command:?}: no warning for {at}:\n{err}"
            );
        }
        assert!(!err.contains("content/terms.txt: warning"), "{err}");
    }
    let files = all_text(&site.public());
    for (path, text) in &files {
        assert!(!text.contains("okapi"), "{path} holds a file from outside");
    }
    assert!(!site.public().join("notes.txt").exists());
    assert!(!site.public().join("home").exists());
    // Links that stay inside the site work.
    assert_eq!(site.read("terms.txt"), "inside the site");
    assert_eq!(site.read("shared/terms.txt"), "inside the site");
    let about = site.html("about/index.html");
    assert_eq!(attrs(&about, ".prose a", "href"), ["/terms.txt"]);
}
