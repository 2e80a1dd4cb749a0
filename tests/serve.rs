//! `gemba serve`: what is served after edits, additions, renames, deletions
//! and a broken file, and what it refuses to serve.

mod common;
use common::*;

#[test]
fn serves_edits_additions_renames_and_deletions() {
    let site = fixture();
    let server = Server::start(site.root(), &[]);
    let (status, body) = server.get("/experiments/e-one/");
    assert_eq!(status, 200);
    assert!(body.contains("First paragraph of e-one."));
    assert!(
        body.contains("/__gemba/live"),
        "the reload script is injected in serve"
    );

    // Edit.
    site.write("content/experiments/e-two.md", "---\ntitle: E Two\nhypothesis: refuted-h\nstatus: invalidated\nended: 2026-02-20\nfollows: e-one\n---\nEdited body two.\n");
    server.wait_for("/experiments/e-two/", "the edit", |_, b| {
        b.contains("Edited body two.")
    });

    // Addition, visible on its page and in the log.
    site.write(
        "content/experiments/added.md",
        "---\ntitle: Freshly added\nstatus: running\n---\nNew.\n",
    );
    server.wait_for("/experiments/added/", "the addition", |s, _| s == 200);
    server.wait_for("/experiments/", "the log update", |_, b| {
        b.contains("Freshly added")
    });

    // Rename: the old URL is gone, the new one is there.
    std::fs::rename(
        site.root().join("content/experiments/added.md"),
        site.root().join("content/experiments/renamed.md"),
    )
    .unwrap();
    server.wait_for("/experiments/renamed/", "the rename", |s, _| s == 200);
    server.wait_for("/experiments/added/", "the old URL to go", |s, _| s == 404);

    // Deletion.
    std::fs::remove_file(site.root().join("content/experiments/renamed.md")).unwrap();
    server.wait_for("/experiments/renamed/", "the deletion", |s, _| s == 404);

    // A broken file keeps the last good site; fixing it recovers.
    let mark = server.log_mark();
    site.write(
        "content/experiments/e-two.md",
        "---\ntitle: E Two\nstatus: nonsense\n---\nBroken.\n",
    );
    server.wait_log(mark, "unknown experiment status `nonsense`");
    let (status, body) = server.get("/experiments/e-two/");
    assert_eq!(status, 200);
    assert!(
        body.contains("Edited body two."),
        "the last good page is still served"
    );
    site.write(
        "content/experiments/e-two.md",
        "---\ntitle: E Two\nstatus: running\n---\nFixed body.\n",
    );
    server.wait_for("/experiments/e-two/", "recovery", |_, b| {
        b.contains("Fixed body.")
    });
}

#[test]
fn serves_only_the_site_with_the_right_types() {
    let site = fixture();
    let server = Server::start(site.root(), &[]);
    for path in [
        "/../Cargo.toml",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/..%5c..%5cetc/passwd",
        "//etc/passwd",
        "/nope/",
    ] {
        let (status, body) = server.get(path);
        assert_eq!(status, 404, "{path}");
        assert!(
            body.contains("Not found"),
            "the theme's 404 page for {path}"
        );
    }
    let (status, _) = server.get("/style.css");
    assert_eq!(status, 200);
    let head = raw_head(server.port, "/style.css");
    assert!(
        head.to_lowercase().contains("content-type: text/css"),
        "{head}"
    );
    let head = raw_head(server.port, "/data/experiments.json");
    assert!(
        head.to_lowercase()
            .contains("content-type: application/json"),
        "{head}"
    );
}

fn raw_head(port: u16, path: &str) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let text = String::from_utf8_lossy(&buf).into_owned();
    text.split("\r\n\r\n").next().unwrap().to_string()
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let site = fixture();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = site.gemba(&["serve", "--no-git", "--port", &port]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("already in use"), "{}", stderr(&out));
}

#[test]
fn served_pages_match_a_fresh_build_after_edits() {
    let site = fixture();
    let server = Server::start(site.root(), &[]);
    site.write("content/experiments/e-three.md", "---\ntitle: E Three\nhypothesis: contested-h\nstatus: validated\nended: 2026-03-01\ntags: [new-tag]\n---\nNow tagged.\n");
    server.wait_for("/tags/new-tag/", "the new term page", |s, _| s == 200);
    // A second server started fresh on the same files serves the same bytes.
    let fresh = Server::start(site.root(), &[]);
    for path in [
        "/experiments/e-three/",
        "/tags/new-tag/",
        "/experiments/",
        "/hypotheses/contested-h/",
        "/data/experiments.json",
    ] {
        let a = server.get(path).1.replace(&server.port.to_string(), "PORT");
        let b = fresh.get(path).1.replace(&fresh.port.to_string(), "PORT");
        assert_eq!(a, b, "{path}");
    }
}

/// Every served path and its bytes, from the data export's and the
/// sitemap's list of pages plus the fixed site-wide pages.
fn served_pages(server: &Server) -> Vec<(String, String)> {
    let sitemap = server.get("/sitemap.xml").1;
    let mut paths: Vec<String> = sitemap
        .split("<loc>")
        .skip(1)
        .filter_map(|s| s.split("</loc>").next())
        .map(|u| u.replace(&format!("http://127.0.0.1:{}", server.port), ""))
        .collect();
    paths.extend(
        [
            "/data/experiments.json",
            "/data/hypotheses.json",
            "/data/playbooks.json",
            "/feed.xml",
            "/sitemap.xml",
        ]
        .map(String::from),
    );
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let (status, body) = server.get(&p);
            (
                p,
                format!(
                    "{status}\n{}",
                    body.replace(&server.port.to_string(), "PORT")
                ),
            )
        })
        .collect()
}

#[test]
fn random_edit_sequences_serve_what_a_fresh_build_serves() {
    let site = fixture();
    let server = Server::start(site.root(), &[]);
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |n: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    };
    let mut names: Vec<String> = vec!["e-one".into(), "e-two".into(), "e-three".into()];
    for step in 0..16 {
        let dir = site.root().join("content/experiments");
        let mark = server.log_mark();
        let mut edited = true;
        match next(4) {
            0 => {
                let name = format!("random-{step}");
                site.write(
                    &format!("content/experiments/{name}.md"),
                    &format!("---\ntitle: Random {step}\nstatus: running\ntags: [t{}]\n---\nAdded at step {step}.\n", next(3)),
                );
                names.push(name);
            }
            1 if !names.is_empty() => {
                let i = next(names.len() as u64) as usize;
                let name = names[i].clone();
                let text = std::fs::read_to_string(dir.join(format!("{name}.md")))
                    .or_else(|_| std::fs::read_to_string(dir.join(format!("2026/q1/{name}.md"))))
                    .unwrap();
                let path = if dir.join(format!("{name}.md")).exists() {
                    dir.join(format!("{name}.md"))
                } else {
                    dir.join(format!("2026/q1/{name}.md"))
                };
                std::fs::write(path, format!("{text}\nEdited at step {step}.\n")).unwrap();
            }
            2 if names.len() > 3 => {
                let name = names.pop().unwrap();
                let renamed = format!("{name}-renamed");
                std::fs::rename(
                    dir.join(format!("{name}.md")),
                    dir.join(format!("{renamed}.md")),
                )
                .unwrap();
                names.push(renamed);
            }
            3 if names.len() > 3 => {
                let name = names.pop().unwrap();
                std::fs::remove_file(dir.join(format!("{name}.md"))).unwrap();
            }
            _ => edited = false,
        }
        // Half the edits are awaited (the server rebuilt), half pile up in
        // one batch of events with the next.
        if edited && next(2) == 0 {
            server.wait_log(mark, "Rebuilt");
        }
    }
    // Let the last change settle, then compare with a server started fresh.
    let fresh = Server::start(site.root(), &[]);
    let expected = served_pages(&fresh);
    assert!(
        expected.len() > 20,
        "the comparison covers the whole site: {}",
        expected.len()
    );
    assert!(
        expected.iter().any(|(p, _)| p.starts_with("/tags/")),
        "taxonomy pages are compared too"
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let got = served_pages(&server);
        if got == expected {
            break;
        }
        if std::time::Instant::now() > deadline {
            let expected_map: std::collections::BTreeMap<_, _> = expected.iter().cloned().collect();
            let got_map: std::collections::BTreeMap<_, _> = got.iter().cloned().collect();
            let diff: Vec<&String> = got_map
                .iter()
                .filter(|(path, body)| expected_map.get(*path) != Some(body))
                .map(|(path, _)| path)
                .chain(
                    expected_map
                        .keys()
                        .filter(|path| !got_map.contains_key(*path)),
                )
                .collect();
            let extra: Vec<&String> = got_map
                .keys()
                .filter(|k| !expected_map.contains_key(*k))
                .collect();
            eprintln!(
                "only served: {extra:?}\nlog:\n{}",
                server.log.lock().unwrap()
            );
            if let Some(p) = diff.first() {
                let a = got_map.get(*p).cloned().unwrap_or_default();
                let b = expected_map.get(*p).cloned().unwrap_or_default();
                let at = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
                eprintln!(
                    "{p} differs at {at}:\n  served: {:?}\n  fresh:  {:?}",
                    &a[at.saturating_sub(80)..(at + 80).min(a.len())],
                    &b[at.saturating_sub(80)..(at + 80).min(b.len())]
                );
            }
            panic!("served pages differ from a fresh build: {diff:?} (or the page lists differ: {} vs {})", got.len(), expected.len());
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

#[test]
fn template_static_and_settings_changes_are_served() {
    let site = fixture();
    let server = Server::start(site.root(), &[]);

    // A site template overrides the theme's: every page of that kind follows.
    site.write(
        "templates/page.html",
        "{% extends \"base.html\" %}{% block content %}<p>Custom page: {{ page.title }}</p>{% endblock content %}",
    );
    server.wait_for("/guides/onboarding/", "the new template", |_, b| {
        b.contains("Custom page: Onboarding guide")
    });

    // A broken template keeps the last good site; fixing it recovers.
    let mark = server.log_mark();
    site.write(
        "templates/page.html",
        "{% extends \"base.html\" %}{% block content %}{{ page.title",
    );
    server.wait_log(mark, "templates/page.html:");
    let (_, body) = server.get("/guides/onboarding/");
    assert!(body.contains("Custom page: Onboarding guide"), "{body}");
    site.write(
        "templates/page.html",
        "{% extends \"base.html\" %}{% block content %}<p>Fixed page: {{ page.title }}</p>{% endblock content %}",
    );
    server.wait_for("/guides/onboarding/", "the fixed template", |_, b| {
        b.contains("Fixed page: Onboarding guide")
    });

    // A template and a content file changed together (one batch of events,
    // most likely): both show.
    site.write(
        "templates/page.html",
        "{% extends \"base.html\" %}{% block content %}<p>Both: {{ page.title }}</p>{% endblock content %}",
    )
    .write("content/guides/onboarding.md", "# Onboarding, revised\n\nLinks to [[e-one]].\n");
    server.wait_for(
        "/guides/onboarding/",
        "the template and the edit",
        |_, b| b.contains("Both: Onboarding, revised"),
    );

    // A static file is served as it is.
    site.write("static/notes.txt", "plain notes\n");
    server.wait_for("/notes.txt", "the static file", |s, b| {
        s == 200 && b == "plain notes\n"
    });

    // A new setting reaches every page.
    site.write("gemba.yaml", "title: Renamed Site\n");
    server.wait_for("/experiments/e-one/", "the new title", |_, b| {
        b.contains("Renamed Site")
    });

    // And the whole result is what a fresh server gives.
    let fresh = Server::start(site.root(), &[]);
    for path in [
        "/guides/onboarding/",
        "/experiments/e-one/",
        "/",
        "/notes.txt",
    ] {
        let normalize = |s: &Server, b: String| b.replace(&format!("127.0.0.1:{}", s.port), "HOST");
        assert_eq!(
            normalize(&server, server.get(path).1),
            normalize(&fresh, fresh.get(path).1),
            "{path}"
        );
    }
}

#[test]
fn serve_reports_only_what_changed_in_the_problems() {
    let site = Site::new();
    site.write("gemba.yaml", "title: Report\n");
    let text = |i: usize, extra: &str| {
        format!(
            "---\ntitle: E{i}\nstatus: validated\nended: 2026-01-0{}\n{extra}metrics:\n  - {{name: M, target: 10, actual: 5}}\n---\n",
            i + 1
        )
    };
    for i in 0..8 {
        site.write(&format!("content/experiments/e{i}.md"), &text(i, ""));
    }
    let server = Server::start(site.root(), &[]);
    // The first report is grouped as `build` groups it.
    let first = server.log.lock().unwrap().clone();
    assert_eq!(
        first.matches("warning: marked validated").count(),
        5,
        "{first}"
    );
    assert!(first.contains("and 3 more like"), "{first}");
    // A save that adds a problem prints that problem only.
    let mark = server.log_mark();
    site.write("content/experiments/e0.md", &text(0, "stauts: x\n"));
    server.wait_log(mark, "1 new, 0 fixed; now 0 errors, 9 warnings");
    let since = server.log.lock().unwrap()[mark..].to_string();
    assert!(since.contains("`stauts` is not a known key"), "{since}");
    assert!(
        !since.contains("marked validated"),
        "the rest is not printed again:\n{since}"
    );
    // Fixing it says so.
    let mark = server.log_mark();
    site.write("content/experiments/e0.md", &text(0, ""));
    server.wait_log(mark, "0 new, 1 fixed; now 0 errors, 8 warnings");
}
