//! The core story: a writer's folder of Markdown becomes a site whose pages
//! and JSON say what the team believes, tested and learned.

mod common;
use common::*;
use serde_json::Value;

fn by_slug<'a>(items: &'a Value, slug: &str) -> &'a Value {
    items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["slug"] == slug)
        .unwrap_or_else(|| panic!("no {slug}"))
}

#[test]
fn derived_statuses_defaults_chains_and_backlinks_reach_the_json() {
    let site = fixture();
    let out = site.build_ok(&[]);
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    let h = site.json("data/hypotheses.json");
    assert_eq!(by_slug(&h, "supported-h")["status"], "supported");
    assert_eq!(by_slug(&h, "refuted-h")["status"], "refuted");
    assert_eq!(by_slug(&h, "contested-h")["status"], "contested");
    assert_eq!(by_slug(&h, "untested-h")["status"], "untested");
    let e = site.json("data/experiments.json");
    let one = by_slug(&e, "e-one");
    assert_eq!(
        one["playbook"], "growth",
        "playbook defaults from the hypothesis"
    );
    assert_eq!(one["stage"], "second", "stage defaults from the hypothesis");
    assert_eq!(one["followed_by"], serde_json::json!(["e-two"]));
    assert_eq!(by_slug(&e, "e-two")["follows"], "e-one");
    assert_eq!(
        by_slug(&e, "e-two")["backlinks"],
        serde_json::json!(["/experiments/e-one/"])
    );
    assert_eq!(one["backlinks"], serde_json::json!(["/guides/onboarding/"]));
    assert_eq!(by_slug(&e, "e-plan-b")["ice_score"], 225);
    assert_eq!(
        one["url"], "/experiments/e-one/",
        "subfolders do not change URLs"
    );
    assert!(one["started"] == "2026-01-01" && one["ice"].is_null());
    let keys: Vec<&str> = one
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for k in [
        "slug",
        "title",
        "url",
        "status",
        "hypothesis",
        "playbook",
        "stage",
        "started",
        "ended",
        "metrics",
        "decision",
        "follows",
        "followed_by",
        "ice",
        "ice_score",
        "owner",
        "team",
        "tags",
        "visibility",
        "backlinks",
    ] {
        assert!(keys.contains(&k), "missing {k}");
    }
    let p = site.json("data/playbooks.json");
    let growth = by_slug(&p, "growth");
    assert_eq!(
        growth["evidence"],
        serde_json::json!({"supported": 1, "refuted": 1, "contested": 1, "untested": 1})
    );
    let stages: Vec<&str> = growth["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(stages, ["first", "second"]);
    assert_eq!(
        growth["stages"][0]["hypotheses"],
        serde_json::json!(["refuted-h", "untested-h"])
    );
    assert_eq!(
        growth["stages"][1]["experiments"],
        serde_json::json!(["e-one"])
    );
}

#[test]
fn pages_show_board_evidence_metrics_and_chain() {
    let site = fixture();
    site.build_ok(&[]);
    let pb = site.html("playbooks/growth/index.html");
    // The second stage has a validated experiment; the first, not yet: it
    // is where the playbook stands.
    assert_eq!(texts(&pb, ".board .stage h3"), ["1 First", "✓ Second"]);
    assert_eq!(
        attrs(&pb, ".board .stage", "class"),
        ["stage stage-current", "stage stage-done"]
    );
    assert_eq!(
        attrs(&pb, ".stage[aria-current=step]", "id"),
        ["stage-first"]
    );
    let evidence = texts(&pb, ".evidence").join(" ");
    assert!(evidence.contains("1 contested"), "{evidence}");
    assert!(!evidence.contains(" 0 "), "no zero counts: {evidence}");
    let e = site.html("experiments/e-one/index.html");
    assert_eq!(texts(&e, "h1 .badge"), ["validated"]);
    assert_eq!(texts(&e, "table.metrics tbody tr").len(), 2);
    assert_eq!(attrs(&e, ".metric-bars", "role").len(), 2);
    assert_eq!(
        attrs(&e, ".metric-bars", "aria-label")[0],
        "Conversion: baseline 2\u{a0}%, actual 4\u{a0}%, target 3\u{a0}%; higher is better; meets its target."
    );
    let sel = scraper::Selector::parse(".metric-bars .mb-bar").unwrap();
    assert_eq!(
        e.select(&sel).count(),
        4,
        "baseline and actual bars for two metrics"
    );
    assert_eq!(
        texts(&e, ".mb-change"),
        ["+100.0 % relative", "\u{2212}40.0 % relative"]
    );
    assert_eq!(texts(&e, ".chain li").len(), 2);
    assert_eq!(
        attrs(&e, ".prose a", "href"),
        ["/experiments/e-two/", "/hypotheses/refuted-h/"]
    );
    assert_eq!(texts(&e, ".prose a"), ["E Two", "the refuted one"]);
    let h = site.html("hypotheses/contested-h/index.html");
    // Each experiment, and why it counts as evidence.
    assert_eq!(
        texts(&h, ".evidence-list .counts-as"),
        ["invalidated, with no metric", "validated, with no metric"]
    );
    let log = site.html("experiments/index.html");
    let titles = texts(&log, "#experiments .card-title");
    assert_eq!(
        &titles[..2],
        ["E Four", "E Three"],
        "the log is newest first"
    );
}

#[test]
fn drafts_are_left_out_unless_asked_for() {
    let site = fixture();
    site.build_ok(&[]);
    assert!(!site.public().join("experiments/drafty").exists());
    site.build_ok(&["--drafts"]);
    assert!(site.public().join("experiments/drafty/index.html").exists());
}

#[test]
fn plain_pages_keep_their_paths_and_titles() {
    let site = fixture();
    site.build_ok(&[]);
    let guide = site.html("guides/onboarding/index.html");
    assert_eq!(texts(&guide, "h1")[0], "Onboarding guide");
    assert!(site.public().join("guides/index.html").exists());
    let home = site.html("index.html");
    assert!(texts(&home, ".hero")
        .join(" ")
        .contains("Intro text of the home page."));
}

#[test]
fn bom_and_crlf_are_tolerated() {
    let site = Site::new();
    site.write(
        "content/experiments/win.md",
        "\u{feff}---\r\ntitle: Windows\r\nstatus: running\r\n---\r\nBody from Windows.\r\n",
    );
    site.build_ok(&[]);
    let e = site.json("data/experiments.json");
    assert_eq!(e[0]["title"], "Windows");
    assert_eq!(e[0]["status"], "running");
}

#[test]
fn site_templates_override_theme_templates() {
    let site = fixture();
    site.write(
        "templates/experiment.html",
        "{% extends \"base.html\" %}{% block content %}<p id=\"custom\">{{ page.title }} / {{ page.ice_score | default(value='none') }}</p>{% endblock content %}",
    );
    site.build_ok(&[]);
    let e = site.html("experiments/e-plan-b/index.html");
    assert_eq!(texts(&e, "#custom"), ["Plan B / 225"]);
    assert!(
        !texts(&e, "header nav").is_empty(),
        "the theme's base still applies"
    );
}

#[test]
fn backlog_outcomes_taxonomies_feed_and_sitemap() {
    let site = fixture();
    site.build_ok(&[]);
    let backlog = site.html("backlog/index.html");
    assert_eq!(
        texts(&backlog, "table.backlog tbody th"),
        ["Plan B", "Plan A", "Plan C"]
    );
    let outcomes = site.html("outcomes/index.html");
    assert_eq!(
        texts(&outcomes, ".mc-label"),
        ["Jan2026", "Feb2026", "Mar2026"],
        "a column per month, named"
    );
    assert_eq!(
        attrs(&outcomes, ".mc-month", "aria-label"),
        [
            "Jan 2026: 1 concluded (1 validated, 0 invalidated, 0 inconclusive, 0 abandoned)",
            "Feb 2026: 1 concluded (0 validated, 1 invalidated, 0 inconclusive, 0 abandoned)",
            "Mar 2026: 2 concluded (1 validated, 1 invalidated, 0 inconclusive, 0 abandoned)",
        ]
    );
    assert!(
        texts(&outcomes, ".stats").join(" ").contains("50%"),
        "2 of 4 with a verdict validated"
    );
    let tag = site.html("tags/pricing/index.html");
    assert_eq!(
        texts(&tag, ".card-title"),
        ["E Four", "E One"],
        "`Pricing` and `pricing` are one term"
    );
    let unicode = site.html("tags/unicode-tag/index.html");
    assert_eq!(texts(&unicode, "h1")[0], "Ünïcode Tag 1");
    let tags = site.html("tags/index.html");
    assert_eq!(
        texts(&tags, ".terms li a")
            .iter()
            .filter(|t| t.eq_ignore_ascii_case("pricing"))
            .count(),
        1,
        "spellings of one term share a page"
    );
    let owners = site.html("owners/index.html");
    assert_eq!(texts(&owners, ".terms li"), ["Ann 1", "Bob 1"]);
    let feed = site.read("feed.xml");
    let doc = roxmltree::Document::parse(&feed).expect("feed is XML");
    let entries: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("entry"))
        .map(|e| {
            e.children()
                .find(|c| c.has_tag_name("title"))
                .unwrap()
                .text()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(entries, ["E Four", "E Three", "E Two", "E One"]);
    assert!(feed.contains("Decision: pivot"));
    let sitemap = site.read("sitemap.xml");
    let doc = roxmltree::Document::parse(&sitemap).expect("sitemap is XML");
    let locs: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("loc"))
        .filter_map(|n| n.text())
        .collect();
    assert!(locs.contains(&"/experiments/e-one/") && locs.contains(&"/guides/onboarding/"));
    assert!(site.read("404.html").contains("Not found"));
    assert!(site.public().join("pagefind/pagefind.js").exists());
}

#[test]
fn a_build_run_twice_gives_identical_bytes() {
    let site = fixture();
    site.build_ok(&[]);
    let first = snapshot(&site.public());
    // Into a new folder (nothing to reuse), then into the same one.
    let elsewhere = site.root().join("elsewhere");
    site.build_ok(&["--output", elsewhere.to_str().unwrap()]);
    assert_eq!(first, snapshot(&elsewhere));
    site.build_ok(&[]);
    assert_eq!(first, snapshot(&site.public()));
    let left = entries_named(site.root(), "gemba-");
    assert!(left.is_empty(), "the earlier output is removed: {left:?}");
}

#[test]
fn a_rebuild_takes_over_the_pages_whose_inputs_did_not_change() {
    let site = fixture();
    site.build_ok(&[]);
    let page = |rel: &str| site.public().join(rel);
    let mark = |rel: &str, keep_time: bool| {
        let file = std::fs::File::options()
            .append(true)
            .open(page(rel))
            .unwrap();
        let time = file.metadata().unwrap().modified().unwrap();
        std::io::Write::write_all(&mut &file, b"<!-- marked -->").unwrap();
        if keep_time {
            // As a file written well before the build's end would be.
            file.set_modified(time - std::time::Duration::from_secs(1))
                .unwrap();
        }
    };
    let marked = |rel: &str| {
        std::fs::read_to_string(page(rel))
            .unwrap()
            .ends_with("<!-- marked -->")
    };
    // A page left alone is taken over as it lies (the mark stays); one
    // changed since the build is rendered again; so is one whose inputs
    // changed (e-two's body).
    mark("guides/onboarding/index.html", true);
    mark("experiments/e-plan-b/index.html", false);
    mark("experiments/e-two/index.html", true);
    site.write(
        "content/experiments/e-two.md",
        "---\ntitle: E Two\nhypothesis: refuted-h\nstatus: invalidated\nstarted: 2026-02-01\nended: 2026-02-20\ndecision: pivot\nfollows: e-one\nowner: Bob\n---\nA new body.\n",
    );
    site.build_ok(&[]);
    assert!(
        marked("guides/onboarding/index.html"),
        "unchanged: taken over"
    );
    assert!(
        !marked("experiments/e-plan-b/index.html"),
        "changed after the build: rendered"
    );
    assert!(
        !marked("experiments/e-two/index.html"),
        "new inputs: rendered"
    );
    assert!(site
        .read("experiments/e-two/index.html")
        .contains("A new body."));
}

/// The bundles of the search index under `public`, by folder: the key of
/// their records and their files.
fn search_bundles(public: &std::path::Path) -> Vec<(String, String, Vec<String>)> {
    let text = std::fs::read_to_string(public.join("pagefind/gemba-bundles.json")).unwrap();
    let manifest: Value = serde_json::from_str(&text).unwrap();
    manifest["bundles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            let files = b["files"].as_array().unwrap();
            (
                b["dir"].as_str().unwrap().to_string(),
                b["key"].as_str().unwrap().to_string(),
                files
                    .iter()
                    .map(|f| f.as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect()
}

#[test]
fn a_rebuild_indexes_again_only_the_search_bundles_whose_pages_changed() {
    let site = fixture();
    site.write("gemba.yaml", "title: Fixture\nsearch_shard_pages: 3\n");
    let edit = |body: &str| {
        site.write(
            "content/experiments/e-two.md",
            &format!("---\ntitle: E Two\nhypothesis: refuted-h\nstatus: invalidated\nstarted: 2026-02-01\nended: 2026-02-20\ndecision: pivot\nfollows: e-one\nowner: Bob\n---\n{body}\n"),
        );
    };
    site.build_ok(&[]);
    let before = search_bundles(&site.public());
    assert!(before.len() >= 3, "{} bundles", before.len());

    edit("A body rewritten once.");
    site.build_ok(&[]);
    let after = search_bundles(&site.public());
    let changed: Vec<usize> = (0..before.len())
        .filter(|&k| before[k].1 != after[k].1)
        .collect();
    assert_eq!(changed.len(), 1, "one bundle holds the edited page");
    let fresh = site.root().join("fresh");
    site.build_ok(&["--output", fresh.to_str().unwrap()]);
    assert_eq!(
        snapshot(&site.public()),
        snapshot(&fresh),
        "a rebuild gives the bytes of a build from nothing"
    );

    // Mark one file of the edited page's bundle and one of another bundle:
    // after the next edit of the same page, the first is indexed anew and
    // the second is copied as it lies.
    let file_of = |k: usize| {
        let (dir, _, files) = &after[k];
        let name = files.iter().find(|f| f.starts_with("fragment/")).unwrap();
        site.public().join(dir).join(name)
    };
    let (edited, kept) = (changed[0], (changed[0] + 1) % after.len());
    for k in [edited, kept] {
        let mut bytes = std::fs::read(file_of(k)).unwrap();
        bytes.extend_from_slice(b"marked");
        std::fs::write(file_of(k), bytes).unwrap();
    }
    edit("A body rewritten twice.");
    site.build_ok(&[]);
    let marked = |k: usize| {
        std::fs::read(file_of(k))
            .map(|b| b.ends_with(b"marked"))
            .unwrap_or(false)
    };
    assert!(!marked(edited), "the edited page's bundle is indexed anew");
    assert!(marked(kept), "the other bundles are copied");
}

#[test]
fn a_handbook_of_hundreds_of_nested_pages_builds() {
    let site = Site::new();
    for i in 0..300 {
        let dir = format!("content/section-{}/part-{}", i % 7, i % 5);
        site.write(
            &format!("{dir}/page-{i}.md"),
            &format!("---\nlayout: docs\nweight: {i}\naliases: [/old/{i}/]\ndescription: \"x\"\n---\n# Page {i}\n\nText.\n"),
        );
        if i < 35 {
            site.write(
                &format!("{dir}/index.md"),
                "---\ntitle: Section\nmenu: {main: {weight: 1}}\n---\nSection intro.\n",
            );
        }
    }
    let out = site.build_ok(&[]);
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    assert_eq!(
        texts(&site.html("section-3/part-3/page-3/index.html"), "h1")[0],
        "Page 3"
    );
    assert!(site.public().join("section-1/part-1/index.html").exists());
}

#[test]
fn the_example_site_builds_without_errors_or_warnings() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out_dir = tempfile::tempdir().unwrap();
    let output = out_dir.path().join("site");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gemba"))
        .args(["build", "--no-git", "--root"])
        .arg(root)
        .arg("--output")
        .arg(&output)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(
        out.status.success() && !err.contains("warning") && !err.contains("error"),
        "{err}"
    );
    for entry in walkdir::WalkDir::new(root.join("content"))
        .into_iter()
        .flatten()
    {
        if entry.path().extension().is_some_and(|x| x == "md") && entry.file_name() != "index.md" {
            let stem = entry
                .path()
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let found = walkdir::WalkDir::new(&output)
                .into_iter()
                .flatten()
                .any(|e| e.file_name().to_string_lossy() == stem.as_str());
            assert!(found, "no page for {}", entry.path().display());
        }
    }
    // No page asks another host for anything.
    for entry in walkdir::WalkDir::new(&output).into_iter().flatten() {
        let p = entry.path();
        if p.extension().is_some_and(|x| x == "html") {
            let doc = scraper::Html::parse_document(&std::fs::read_to_string(p).unwrap());
            let mut refs = attrs(&doc, "script[src]", "src");
            refs.extend(attrs(&doc, "link[rel=stylesheet]", "href"));
            refs.extend(attrs(&doc, "img[src]", "src"));
            refs.extend(attrs(&doc, "link[rel=icon]", "href"));
            for r in refs {
                assert!(!r.contains("//"), "{} requests {r}", p.display());
            }
        }
        if p.extension().is_some_and(|x| x == "css") {
            let css = std::fs::read_to_string(p).unwrap();
            for part in css.split("url(").skip(1) {
                assert!(
                    !part.trim_start_matches(['"', '\'']).starts_with("http"),
                    "{} loads {part}",
                    p.display()
                );
            }
        }
    }
}

#[test]
fn init_creates_a_site_that_builds_and_new_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let site_dir = dir.path().join("mysite");
    let bin = env!("CARGO_BIN_EXE_gemba");
    let out = std::process::Command::new(bin)
        .arg("init")
        .arg(&site_dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let out = std::process::Command::new(bin)
        .args(["build", "--no-git", "--root"])
        .arg(&site_dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(site_dir
        .join("public/playbooks/path-to-growth/index.html")
        .exists());
    let new = |title: &str| {
        std::process::Command::new(bin)
            .args(["new", "experiment", title, "--root"])
            .arg(&site_dir)
            .output()
            .unwrap()
    };
    assert!(new("Q1 Pricing Test").status.success());
    let text =
        std::fs::read_to_string(site_dir.join("content/experiments/q1-pricing-test.md")).unwrap();
    assert!(text.contains("title: \"Q1 Pricing Test\"") && text.contains("status: planned"));
    let again = new("Q1 Pricing Test");
    assert_eq!(again.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(site_dir.join("content/experiments/q1-pricing-test.md")).unwrap(),
        text
    );
    let out = std::process::Command::new(bin)
        .args(["check", "--no-git", "--root"])
        .arg(&site_dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn long_lists_and_term_pages_paginate() {
    let site = Site::new();
    site.write("gemba.yaml", "title: Paged\npaginate: 2\n");
    for i in 0..5 {
        site.write(
            &format!("content/experiments/e{i}.md"),
            &format!(
                "---\ntitle: E{i}\nstatus: running\nstarted: 2026-01-0{}\ntags: [x]\n---\n",
                i + 1
            ),
        );
    }
    site.build_ok(&[]);
    let first = site.html("experiments/index.html");
    assert_eq!(texts(&first, "#experiments .card-title"), ["E4", "E3"]);
    assert_eq!(
        attrs(&first, ".paginator a[rel=next]", "href"),
        ["/experiments/page/2/"]
    );
    let last = site.html("experiments/page/3/index.html");
    assert_eq!(texts(&last, "#experiments .card-title"), ["E0"]);
    let term = site.html("tags/x/index.html");
    assert_eq!(texts(&term, ".cards .card-title").len(), 2);
    assert!(texts(&term, "h2").join(" ").contains("Experiments 5"));
    let term_last = site.html("tags/x/page/3/index.html");
    assert_eq!(texts(&term_last, ".cards .card-title").len(), 1);
    assert!(site.read("sitemap.xml").contains("/tags/x/"));
}

/// The site's name as the header shows it, without the brand mark.
fn brand(page: &scraper::Html) -> Vec<String> {
    texts(page, ".brand")
        .into_iter()
        .map(|t| t.trim_start_matches('◆').trim().to_string())
        .collect()
}

fn gemba_in(args: &[&str], cwd: &std::path::Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_gemba"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

#[test]
fn a_new_site_builds_without_a_warning_and_agrees_with_itself() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    assert!(gemba_in(&["init", "site"], dir.path()).status.success());
    let out = gemba_in(&["build", "--no-git"], &root);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(!err.contains("warning"), "a new site builds clean:\n{err}");
    let read = |rel: &str| {
        scraper::Html::parse_document(
            &std::fs::read_to_string(root.join("public").join(rel)).unwrap(),
        )
    };
    // The header and the home page's heading name the same site.
    let home = read("index.html");
    assert_eq!(brand(&home), texts(&home, ".hero h1"));
    // A guide that opens with its own `# title` shows it once.
    assert_eq!(
        texts(&read("guides/how-we-experiment/index.html"), "h1"),
        ["How we experiment"]
    );
}

#[test]
fn an_empty_site_builds_and_says_how_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("empty");
    let gemba = gemba_in;
    assert!(gemba(&["init", "--empty", "empty"], dir.path())
        .status
        .success());
    let out = gemba(&["build", "--no-git"], &root);
    let err = stderr(&out);
    assert!(out.status.success() && !err.contains("warning"), "{err}");
    let read = |rel: &str| {
        scraper::Html::parse_document(
            &std::fs::read_to_string(root.join("public").join(rel)).unwrap(),
        )
    };
    let home = read("index.html");
    assert_eq!(brand(&home), texts(&home, ".hero h1"));
    // Readers of a built site are told what is there, not which command
    // to run.
    assert!(texts(&home, ".empty code").is_empty());
    assert!(texts(&home, ".empty")
        .join(" ")
        .contains("No playbook has been written yet"));
    let log = read("experiments/index.html");
    assert!(
        log.select(&scraper::Selector::parse(".filters, .view-switch, table").unwrap())
            .next()
            .is_none(),
        "no filters or table for an empty log"
    );
    // The author, under `serve`, is told how to start.
    let server = common::Server::start(&root, &[]);
    let (_, served) = server.get("/");
    let prompts = texts(&scraper::Html::parse_document(&served), ".empty code");
    assert!(
        prompts.contains(&"gemba new playbook \"Title\"".to_string()),
        "{prompts:?}"
    );
    assert!(
        prompts.contains(&"gemba new experiment \"Title\"".to_string()),
        "{prompts:?}"
    );
    drop(server);
    let outcomes = read("outcomes/index.html");
    assert!(texts(&outcomes, "svg").is_empty(), "no chart of zeros");
    assert!(!texts(&read("backlog/index.html"), ".empty").is_empty());
    // The writer's first file makes the site grow, no edit of the home page needed.
    assert!(gemba(&["new", "experiment", "First test"], &root)
        .status
        .success());
    let out = gemba(&["build", "--no-git"], &root);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(root
        .join("public/experiments/first-test/index.html")
        .exists());
}

#[test]
fn hypotheses_are_listed_by_playbook_then_stage() {
    let site = fixture();
    site.write(
        "content/hypotheses/loose.md",
        "---\ntitle: A loose idea\n---\n",
    );
    site.build_ok(&[]);
    let list = site.html("hypotheses/index.html");
    assert_eq!(texts(&list, ".group-head h2"), ["Growth", "In no playbook"]);
    assert_eq!(
        texts(&list, "#hypotheses .card-title"),
        [
            "Refuted H",
            "Untested H",
            "Supported H",
            "Contested H",
            "A loose idea"
        ],
        "stage first, then second, then unstaged; then no playbook"
    );
}

#[test]
fn the_current_stage_is_written_or_derived_and_never_empty() {
    let site = Site::new();
    site.write("gemba.yaml", "title: Stages\n")
        .write(
            "content/playbooks/mvm.md",
            "---\ntitle: MVM\nstages:\n  - {id: hypothesize, title: Hypothesize}\n  - {id: build, title: Build small}\n  - {id: measure, title: Measure}\n  - {id: decide, title: Decide}\n---\n",
        )
        // Stage 1 is empty; stage 2 has planned work; stage 3 is done.
        .write(
            "content/experiments/planned.md",
            "---\ntitle: Planned\nplaybook: mvm\nstage: build\n---\n",
        )
        .write(
            "content/experiments/won.md",
            "---\ntitle: Won\nplaybook: mvm\nstage: measure\nstatus: validated\nended: 2026-01-01\n---\n",
        )
        // A stage whose only hypothesis is contested is not done.
        .write(
            "content/playbooks/path.md",
            "---\ntitle: Path\nstages:\n  - {id: one, title: One}\n  - {id: two, title: Two}\n---\n",
        )
        .write(
            "content/hypotheses/torn.md",
            "---\ntitle: Torn\nplaybook: path\nstage: one\n---\n",
        )
        .write(
            "content/experiments/yes.md",
            "---\ntitle: Yes\nhypothesis: torn\nstatus: validated\nended: 2026-01-02\n---\n",
        )
        .write(
            "content/experiments/no.md",
            "---\ntitle: No\nhypothesis: torn\nstatus: invalidated\nended: 2026-01-03\n---\n",
        );
    let out = site.build_ok(&[]);
    let playbooks = site.json("data/playbooks.json");
    let current = |slug: &str| {
        playbooks
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["slug"] == slug)
            .unwrap()["current_stage"]
            .clone()
    };
    assert_eq!(
        current("mvm"),
        "build",
        "the first stage not done with work"
    );
    assert_eq!(current("path"), "one", "a contested stage is not done");
    let page = site.html("playbooks/mvm/index.html");
    assert_eq!(attrs(&page, ".stage-current", "id"), ["stage-build"]);
    assert_eq!(attrs(&page, ".stage-done", "id"), ["stage-measure"]);
    assert_eq!(
        texts(&page, ".doc-header .position-text"),
        ["Stage 2 of 4 \u{b7} Build small"]
    );
    let list = site.html("playbooks/index.html");
    assert!(texts(&list, ".position-text").contains(&"Stage 2 of 4 \u{b7} Build small".to_string()));
    let home = site.html("index.html");
    assert!(texts(&home, ".position-text").contains(&"Stage 2 of 4 \u{b7} Build small".to_string()));
    // The build summary counts what it wrote.
    let pages = common::html_files(&site.public())
        .keys()
        .filter(|p| !p.starts_with("pagefind/"))
        .count();
    assert!(
        stderr(&out).contains(&format!("Built 7 documents, {pages} pages into")),
        "{}",
        stderr(&out)
    );
    // Written, it is honoured; misspelt, it is an error with the right id.
    let text = std::fs::read_to_string(site.root().join("content/playbooks/mvm.md")).unwrap();
    site.write(
        "content/playbooks/mvm.md",
        &text.replace("title: MVM\n", "title: MVM\ncurrent_stage: decide\n"),
    );
    site.build_ok(&[]);
    assert_eq!(
        site.json("data/playbooks.json")[0]["current_stage"],
        "decide"
    );
    site.write(
        "content/playbooks/mvm.md",
        &text.replace("title: MVM\n", "title: MVM\ncurrent_stage: mesure\n"),
    );
    let out = site.build(&[]);
    let err = stderr(&out);
    assert!(!out.status.success());
    assert!(
        err.contains("content/playbooks/mvm.md:3:16: error: `current_stage` `mesure` is not a stage of this playbook"),
        "{err}"
    );
    assert!(err.contains("did you mean `measure`?"), "{err}");
}

#[test]
fn one_page_explains_every_status_and_decision_word() {
    let site = fixture();
    site.build_ok(&[]);
    let glossary = site.html("glossary/index.html");
    let ids = attrs(&glossary, ".glossary > div", "id");
    for word in [
        "planned",
        "running",
        "validated",
        "invalidated",
        "inconclusive",
        "abandoned",
        "untested",
        "supported",
        "refuted",
        "contested",
        "active",
        "draft",
        "retired",
    ] {
        assert!(ids.contains(&format!("status-{word}")), "{word}: {ids:?}");
    }
    for word in ["persevere", "pivot", "stop"] {
        assert!(ids.contains(&format!("decision-{word}")), "{word}");
    }
    // Every badge on a page leads there.
    let log = site.html("experiments/index.html");
    let badges = attrs(&log, "a.badge", "href");
    assert!(!badges.is_empty());
    assert!(
        badges.iter().all(|h| h.starts_with("/glossary/#status-")),
        "{badges:?}"
    );
    let home = site.html("index.html");
    assert!(attrs(&home, ".site-footer a", "href").contains(&"/glossary/".to_string()));
}

/// README's front-matter reference names exactly the keys of the table
/// parsing, completion and hover read (`model::KEYS`), each under the kinds
/// that take it.
#[test]
fn the_readme_reference_lists_exactly_the_front_matter_keys() {
    use gemba::model::{Kind, KEYS};
    use std::collections::BTreeSet;
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme
        .split("## Front-matter reference")
        .nth(1)
        .and_then(|s| s.split("\n### ").next())
        .expect("README has a front-matter reference");
    let names_in = |cell: &str| -> Vec<String> {
        cell.split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    };
    let mut every_kind = BTreeSet::new();
    let mut per_kind = BTreeSet::new();
    let mut kind = None;
    for row in section.lines().filter(|l| l.starts_with("| ")) {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        if cells.len() == 5 && cells[1].starts_with('`') {
            every_kind.extend(names_in(cells[1]));
        } else if cells.len() == 5 && cells[2].starts_with('`') {
            if !cells[1].is_empty() {
                kind = Some(Kind::parse(cells[1]).expect("a kind"));
            }
            for name in names_in(cells[2]) {
                per_kind.insert((kind.unwrap(), name));
            }
        }
    }
    assert!(
        every_kind.len() > 10 && per_kind.len() > 10,
        "{every_kind:?} {per_kind:?}"
    );
    let documented: BTreeSet<&str> = every_kind
        .iter()
        .chain(per_kind.iter().map(|(_, n)| n))
        .map(String::as_str)
        .collect();
    let table: BTreeSet<&str> = KEYS.iter().map(|k| k.name).collect();
    assert_eq!(
        documented, table,
        "README and model::KEYS name different keys"
    );
    for name in &every_kind {
        assert!(
            Kind::Page.key(name).is_some(),
            "`{name}` is not a key of every kind"
        );
    }
    for (kind, name) in &per_kind {
        assert!(
            kind.key(name).is_some(),
            "README gives {kind} `{name}`; the table does not"
        );
    }
    for key in KEYS.iter().filter(|k| !k.kinds.contains(&Kind::Page)) {
        for kind in key.kinds {
            assert!(
                per_kind.contains(&(*kind, key.name.to_string())),
                "README does not give {kind} `{}`",
                key.name
            );
        }
    }
}
