//! A handbook brought over from Jekyll or a GitHub folder builds as it is:
//! pages at their paths, old addresses redirected, relative links and
//! images working, and every leftover reported at its line. A link checker
//! over the output follows every internal `href` and `src`.

mod common;
use common::{attrs, html_files, stderr, texts, Site};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const RUNBOOK: &str = r#"---
title: Runbook
layout: page
status: draft
status: live
---
# Runbook

See the [first week](../onboarding/First_Week.md#day-one) and the [onboarding folder](../onboarding/).
The [billing policy](billing_policy.md) and [toil](TOIL.md).
Old links still work: [old toil](/toil/) and [old billing](/billing.html).

![Flow](img/flow.png "How a page ships")

Published with {{ site.baseurl }} and {% include note.html %}.

> [!NOTE]
> Pages are checked before they ship.

> [!WARNING]
> Never page the on-call twice.

```rust
fn main() { println!("ship"); }
```

```python
def ship(): return True
```

```yaml
on_call: ana
```

```mermaid
flowchart LR
  A[Alert] --> B{Triage}
  B --> C[Fix]
```

The error rate is $e = \frac{f}{n}$ and

$$\sum_{i=1}^{n} x_i$$

## Escalation

Broken on purpose: [missing](./missing.md), [no heading](#no-such-heading), ![gone](img/nope.png), [wrong anchor](../onboarding/First_Week.md#day-nine).
"#;

/// A Jekyll-style handbook: nested folders, `index.md` and `README.md`,
/// mixed-case and underscored names, permalinks, aliases.
fn handbook() -> Site {
    let site = Site::new();
    site.write("gemba.yaml", "title: Handbook\n")
        .write("content/handbook/ops/runbook.md", RUNBOOK)
        .write(
            "content/handbook/onboarding/First_Week.md",
            "---\ntitle: First week\n---\n## Day one\n\nRead the [runbook](../ops/runbook.md#escalation).\n\n## Day two\n\nBack to [the handbook](../index.md) or [its readme](../README.md). Use `{{ site.title }}` in templates.\n",
        )
        .write(
            "content/handbook/onboarding/README.md",
            "# Onboarding\n\nStart with [the first week](First_Week.md).\n",
        )
        .write(
            "content/handbook/index.md",
            "---\ntitle: Handbook\n---\nSee [onboarding](onboarding/) and [ops](ops/TOIL.md), and the [plan](<Team Notes/Ünïcode Plan.md#next-steps>).\n\n![flow](ops/img/flow.png)\n",
        )
        .write(
            "content/handbook/README.md",
            "# About this handbook\n\nThe [index](index.md).\n",
        )
        .write(
            "content/handbook/ops/TOIL.md",
            "---\ntitle: Toil\nredirect_from:\n  - /toil/\n  - /ops/toil.html\n---\nToil is work that grows with load. Back to the [runbook](runbook.md).\n",
        )
        .write(
            "content/handbook/ops/billing_policy.md",
            "---\ntitle: Billing policy\npermalink: /policies/billing/\naliases: [/billing.html]\n---\nSee [toil](TOIL.md).\n",
        )
        .write(
            "content/handbook/ops/pattern.md",
            "---\ntitle: Pattern\npermalink: /:categories/:title/\n---\nBody.\n",
        )
        .write(
            "content/handbook/Team Notes/Ünïcode Plan.md",
            "# Ünïcode plan\n\n## Next steps\n\nBack to the [handbook](../index.md).\n",
        )
        .write("content/index.md", "Start at the [handbook](handbook/).\n")
        .write_png("content/handbook/ops/img/flow.png", 640, 360);
    site
}

/// Each warning of a report as `path:line: message`.
fn warnings(report: &str) -> Vec<String> {
    report
        .lines()
        .filter_map(|l| {
            let (place, message) = l.split_once(": warning: ")?;
            let mut parts = place.rsplitn(3, ':');
            let (_col, line, path) = (parts.next()?, parts.next()?, parts.next()?);
            Some(format!("{path}:{line}: {message}"))
        })
        .collect()
}

#[test]
fn a_handbook_builds_with_exactly_the_expected_warnings_at_their_lines() {
    let site = handbook();
    let out = site.build_ok(&["--verbose"]);
    let report = stderr(&out);
    let got: BTreeSet<String> = warnings(&report).into_iter().collect();
    let runbook = "content/handbook/ops/runbook.md";
    let expected: BTreeSet<String> = [
        format!("{runbook}:5: `status` is written twice"),
        format!("{runbook}:15: template syntax in the text is shown as written (and once more in this file)"),
        format!("{runbook}:47: link to `./missing.md` leads nowhere: there is no `handbook/ops/missing.md`"),
        format!("{runbook}:47: link to `#no-such-heading`: this page has no heading with that id"),
        format!("{runbook}:47: image `img/nope.png` is not in content/ (looked for `handbook/ops/img/nope.png`)"),
        format!("{runbook}:47: link to `#day-nine`: `handbook/onboarding/First_Week.md` has no heading with that id"),
        "content/handbook/ops/pattern.md:3: `permalink: /:categories/:title/` is a pattern or another site's address, not a path".to_string(),
    ]
    .into_iter()
    .collect();
    assert_eq!(got, expected, "the whole report:\n{report}");
}

#[test]
fn pages_keep_their_paths_and_old_addresses_redirect() {
    let site = handbook();
    site.build_ok(&[]);
    let public = site.public();
    for page in [
        "handbook/index.html",
        "handbook/README/index.html",
        "handbook/onboarding/index.html",
        "handbook/onboarding/First_Week/index.html",
        "handbook/ops/TOIL/index.html",
        "handbook/ops/runbook/index.html",
        "policies/billing/index.html",
        "handbook/ops/pattern/index.html",
        "handbook/ops/img/flow.png",
        "handbook/Team Notes/Ünïcode Plan/index.html",
    ] {
        assert!(public.join(page).is_file(), "{page} is missing");
    }
    // Characters a URL cannot hold are percent-encoded in links.
    assert!(attrs(&site.html("handbook/index.html"), ".prose a", "href")
        .contains(&"/handbook/Team%20Notes/%C3%9Cn%C3%AFcode%20Plan/#next-steps".to_string()));
    // The README of a folder with an index keeps its own path; the one of
    // a folder without stands for it.
    assert_eq!(
        texts(&site.html("handbook/README/index.html"), "h1")[0],
        "About this handbook"
    );
    assert_eq!(
        texts(&site.html("handbook/onboarding/index.html"), "h1")[0],
        "Onboarding"
    );

    // Redirects: a refresh, a canonical link, noindex; in no list or sitemap.
    for (alias, to) in [
        ("toil/index.html", "/handbook/ops/TOIL/"),
        ("ops/toil.html", "/handbook/ops/TOIL/"),
        ("billing.html", "/policies/billing/"),
    ] {
        let page = site.html(alias);
        assert_eq!(attrs(&page, "link[rel=canonical]", "href"), [to], "{alias}");
        assert_eq!(attrs(&page, "meta[name=robots]", "content"), ["noindex"]);
        assert_eq!(
            attrs(&page, "meta[http-equiv=refresh]", "content"),
            [format!("0; url={to}")]
        );
    }
    let sitemap = site.read("sitemap.xml");
    assert!(sitemap.contains("/handbook/ops/TOIL/") && !sitemap.contains("/toil/"));
}

#[test]
fn links_and_images_lead_where_they_do_on_github() {
    let site = handbook();
    site.build_ok(&[]);
    let runbook = site.html("handbook/ops/runbook/index.html");
    let hrefs = attrs(&runbook, ".prose a[href]", "href");
    for expected in [
        "/handbook/onboarding/First_Week/#day-one",
        "/handbook/onboarding/",
        "/policies/billing/",
        "/handbook/ops/TOIL/",
    ] {
        assert!(
            hrefs.iter().any(|h| h == expected),
            "{expected} in {hrefs:?}"
        );
    }
    // Links to old addresses go straight to the page, not through its redirect.
    assert!(
        !hrefs.iter().any(|h| h == "/toil/" || h == "/billing.html"),
        "{hrefs:?}"
    );
    let img = runbook
        .select(&scraper::Selector::parse(".prose img[alt=Flow]").unwrap())
        .next()
        .expect("the image");
    assert_eq!(img.attr("src"), Some("/handbook/ops/img/flow.png"));
    assert_eq!(
        (img.attr("width"), img.attr("height")),
        (Some("640"), Some("360"))
    );
    assert_eq!(img.attr("title"), Some("How a page ships"));
}

#[test]
fn markdown_as_github_shows_it() {
    let site = handbook();
    site.build_ok(&[]);
    let page = site.html("handbook/ops/runbook/index.html");
    let one = |sel: &str| page.select(&scraper::Selector::parse(sel).unwrap()).count();
    assert_eq!(texts(&page, ".alert-note .alert-title"), ["Note"]);
    assert_eq!(texts(&page, ".alert-warning .alert-title"), ["Warning"]);
    assert!(
        one("pre.code code.language-rust span[class^=hl-]") > 0,
        "rust is highlighted"
    );
    assert!(one("pre.code code.language-python span[class^=hl-]") > 0);
    assert!(one("pre.code code.language-yaml span[class^=hl-]") > 0);
    assert_eq!(one("pre.mermaid"), 1);
    assert!(texts(&page, "pre.mermaid")[0].contains("A[Alert] --> B{Triage}"));
    assert_eq!(
        attrs(&page, "script[src]", "src")
            .iter()
            .filter(|s| s.ends_with("/vendor/mermaid.min.js"))
            .count(),
        1
    );
    assert_eq!(one("math"), 2);
    assert_eq!(one("math[display=block]"), 1);
    assert_eq!(attrs(&page, "h2 a.anchor", "href"), ["#escalation"]);
    // The template syntax is shown as written.
    assert!(texts(&page, ".prose p")
        .join(" ")
        .contains("{{ site.baseurl }}"));
    // A page without a diagram does not load the script.
    let toil = site.html("handbook/ops/TOIL/index.html");
    assert!(attrs(&toil, "script[src]", "src")
        .iter()
        .all(|s| !s.contains("mermaid")));
}

/// Every internal `href` and `src` of every HTML file, and every
/// redirect's target, followed: `from → to` for each that leads nowhere
/// (no file, or no element with the fragment's id).
fn broken_links(public: &Path) -> BTreeSet<String> {
    let pages: BTreeMap<String, scraper::Html> = html_files(public)
        .into_iter()
        .map(|(rel, text)| (rel, scraper::Html::parse_document(&text)))
        .collect();
    let target_file = |url_path: &str| -> Option<String> {
        let decoded = url_path.trim_start_matches('/');
        let decoded = percent_decode(decoded);
        let candidates = if decoded.is_empty() || decoded.ends_with('/') {
            vec![format!("{decoded}index.html")]
        } else {
            vec![decoded.clone(), format!("{decoded}/index.html")]
        };
        candidates.into_iter().find(|c| public.join(c).is_file())
    };
    let selectors = [
        ("a[href]", "href"),
        ("img[src]", "src"),
        ("script[src]", "src"),
        ("link[href]", "href"),
    ];
    let mut broken = BTreeSet::new();
    for (rel, doc) in &pages {
        let base = format!("/{}", rel.trim_end_matches("index.html"));
        let mut urls: Vec<String> = Vec::new();
        for (sel, attr) in selectors {
            urls.extend(attrs(doc, sel, attr));
        }
        for refresh in attrs(doc, "meta[http-equiv=refresh]", "content") {
            urls.extend(refresh.split_once("url=").map(|(_, u)| u.to_string()));
        }
        for url in urls {
            if url.contains("://")
                || url.starts_with("//")
                || url.starts_with("mailto:")
                || url.starts_with("data:")
            {
                continue;
            }
            let (path, fragment) = url.split_once('#').unwrap_or((&url, ""));
            let path = path.split('?').next().unwrap();
            let absolute = if path.is_empty() {
                base.clone()
            } else if path.starts_with('/') {
                path.to_string()
            } else {
                resolve_relative(&base, path)
            };
            let ok = match target_file(&absolute) {
                None => false,
                Some(_) if fragment.is_empty() => true,
                Some(file) => pages.get(&file).is_some_and(|target| {
                    let id = percent_decode(fragment);
                    target
                        .select(&scraper::Selector::parse("[id]").unwrap())
                        .any(|e| e.attr("id") == Some(id.as_str()))
                }),
            };
            if !ok {
                broken.insert(format!("{rel} → {url}"));
            }
        }
    }
    broken
}

fn resolve_relative(base: &str, path: &str) -> String {
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    if !base.ends_with('/') {
        parts.pop();
    }
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    let mut out = format!("/{}", parts.join("/"));
    if path.ends_with('/') && out != "/" {
        out.push('/');
    }
    out
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match (
            bytes[i],
            s.get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok()),
        ) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn the_link_checker_finds_only_what_the_handbook_breaks_on_purpose() {
    let site = handbook();
    site.build_ok(&[]);
    let broken = broken_links(&site.public());
    let expected: BTreeSet<String> = [
        "handbook/ops/runbook/index.html → ./missing.md",
        "handbook/ops/runbook/index.html → #no-such-heading",
        "handbook/ops/runbook/index.html → img/nope.png",
        "handbook/ops/runbook/index.html → /handbook/onboarding/First_Week/#day-nine",
    ]
    .map(String::from)
    .into_iter()
    .collect();
    assert_eq!(broken, expected);
}

#[test]
fn the_example_site_has_no_broken_link() {
    let site = Site::new();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gemba"))
        .args(["init", site.root().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    site.build_ok(&[]);
    assert_eq!(broken_links(&site.public()), BTreeSet::new());
}

#[test]
fn a_repeated_key_in_an_experiment_is_an_error_at_the_repeat() {
    let site = Site::new();
    site.write(
        "content/experiments/e.md",
        "---\ntitle: E\nstatus: running\nstatus: validated\n---\nBody.\n",
    );
    let out = site.build(&[]);
    assert!(!out.status.success());
    let report = stderr(&out);
    assert!(
        report.contains("content/experiments/e.md:4:1: error: `status` is written twice"),
        "{report}"
    );
    assert!(!site.public().exists(), "a failed build writes nothing");
}

#[test]
fn two_files_claiming_one_address_is_an_error_naming_both() {
    let site = Site::new();
    site.write(
        "content/guides/a.md",
        "---\ntitle: A\npermalink: /same/\n---\n",
    )
    .write("content/same.md", "# Same\n")
    .write(
        "content/guides/b.md",
        "---\ntitle: B\naliases: [/same/]\n---\n",
    );
    let out = site.build(&[]);
    assert!(!out.status.success());
    let report = stderr(&out);
    assert!(
        report.contains("content/same.md:1:1: error: duplicate page URL `/same/`: also used by content/guides/a.md")
            && report.contains("content/guides/b.md:3:10: warning: alias `/same/` is also claimed by content/guides/a.md, which keeps it"),
        "{report}"
    );
}

#[test]
fn a_redirect_two_pages_claim_is_a_warning_and_the_first_keeps_it() {
    let site = Site::new();
    site.write(
        "content/guides/a.md",
        "---
title: A
redirect_from: [/old/, /guides/b/]
---
",
    )
    .write(
        "content/guides/b.md",
        "---
title: B
redirect_from: [/old/]
---
",
    );
    let out = site.build_ok(&[]);
    let report = stderr(&out);
    assert!(
        report.contains("content/guides/a.md:3:16: warning: alias `/guides/b/` is also claimed by content/guides/b.md, which keeps it"),
        "{report}"
    );
    assert!(
        report.contains("content/guides/b.md:3:16: warning: alias `/old/` is also claimed by content/guides/a.md (as an alias), which keeps it"),
        "{report}"
    );
    // The page keeps its own address; the first file keeps the shared one.
    assert!(site.read("guides/b/index.html").contains("<h1"));
    assert!(site.read("old/index.html").contains("/guides/a/"));
}

#[test]
fn wiki_links_find_pages_whatever_the_case_of_their_file() {
    let site = Site::new();
    site.write("content/ops/TOIL.md", "# Toil\n").write(
        "content/a.md",
        "# A\n\nSee [[toil]], [[ops/toil]] and [[ops/TOIL]].\n",
    );
    site.build_ok(&[]);
    assert_eq!(
        attrs(&site.html("a/index.html"), ".prose a", "href"),
        ["/ops/TOIL/", "/ops/TOIL/", "/ops/TOIL/"]
    );
}

#[test]
fn a_link_to_a_page_left_out_becomes_its_text_with_a_warning() {
    let site = Site::new();
    site.write(
        "content/open.md",
        "---\ntitle: Open\nvisibility: public\n---\nSee [the plan](plan.md).\n",
    )
    .write("content/plan.md", "---\ntitle: Plan\n---\nInternal.\n");
    let out = site.build_ok(&["--audience", "public", "--verbose"]);
    let report = stderr(&out);
    assert!(
        report.contains("content/open.md:5:5: warning: page `plan` is internal and left out of this public build; the link becomes plain text"),
        "{report}"
    );
    let page = site.html("open/index.html");
    assert!(attrs(&page, ".prose a", "href").is_empty());
    assert!(texts(&page, ".prose p").join(" ").contains("See the plan."));
}

#[test]
fn heading_ids_and_anchors_are_githubs_and_raise_no_false_warnings() {
    let site = Site::new();
    site.write(
        "content/guide.md",
        "# Guide\n\n## What's new?\n\n## CI/CD\n\n## Что нового\n\n<a id=\"legacy-anchor\"></a>\n\nWrite to <security@example.com>.\n",
    )
    .write(
        "content/links.md",
        "# Links\n\n[a](guide.md#whats-new) [b](guide.md#cicd) [c](guide.md#что-нового) [d](guide.md#legacy-anchor) [e](guide.md#what-s-new)\n",
    );
    let out = site.build_ok(&[]);
    let err = stderr(&out);
    let guide = site.html("guide/index.html");
    let ids = attrs(&guide, ".prose h2", "id");
    assert_eq!(ids, ["whats-new", "cicd", "что-нового"]);
    assert!(
        !err.contains("link to `security@example.com`"),
        "a mail autolink is no dead link:\n{err}"
    );
    assert!(
        !err.contains("link to `#legacy-anchor`"),
        "an id anchor is an anchor:\n{err}"
    );
    // The one wrong anchor is warned, with the real id as the hint.
    assert!(
        err.contains("content/links.md:3:") && err.contains("link to `#what-s-new`"),
        "{err}"
    );
    assert!(err.contains("did you mean `#whats-new`?"), "{err}");
    assert_eq!(err.matches("warning:").count(), 1, "{err}");
}

#[test]
fn githubs_second_round_each_case_builds_as_github_shows_it() {
    let site = Site::new();
    site.write("gemba.yaml", "title: Round two\n")
        .write(
            "content/README.md",
            "# Handbook\n\nStart with [the team](team/index.md) and [the review guide](review/reviewer/comments.md).\n",
        )
        .write("content/team/index.md", "# Team\n\nWho we are.\n")
        .write("content/about/index.md", "# About\n\n## History\n\nSince 2019.\n")
        .write(
            "content/review/reviewer/comments.md",
            "---\ntitle: Comments\n---\n## [About us](../../about/index.md)\n\n<a href=\"../../team/index.md\">Team</a> and <a href=\"/about/index\">about</a>.\n\n<aside markdown=\"1\">\n**Tip:** see [history](../../about/index.md#history).\n</aside>\n\n## Pa11y {% include tag.html %}\n\nShipped :tada: and noted.[^1]\n\n[^1]: A note with [a link](../../team/index.md).\n",
        )
        .write(
            "content/ar.md",
            "---\ntitle: مرحبا\nlang: ar\n---\nنص.\n",
        );
    let out = site.build_ok(&[]);
    let err = stderr(&out);
    // The only warning: the template syntax left in the heading, as text.
    assert!(
        err.contains("content/review/reviewer/comments.md:12:10: warning: template syntax"),
        "{err}"
    );
    assert_eq!(err.matches("warning:").count(), 1, "{err}");
    let page = site.html("review/reviewer/comments/index.html");
    let hrefs = attrs(
        &page,
        ".prose a:not(.anchor):not(.footnote-ref a):not(.footnote-backref)",
        "href",
    );
    assert!(
        hrefs.contains(&"/about/".to_string()),
        "a link in a heading: {hrefs:?}"
    );
    assert!(
        hrefs.contains(&"/team/".to_string()),
        "raw HTML's href: {hrefs:?}"
    );
    assert_eq!(
        hrefs.iter().filter(|h| *h == "/about/").count(),
        2,
        "/about/index is the page's address: {hrefs:?}"
    );
    assert!(
        hrefs.contains(&"/about/#history".to_string()),
        "Markdown inside markdown=\"1\": {hrefs:?}"
    );
    assert_eq!(texts(&page, ".prose aside strong"), ["Tip:"]);
    let h2 = texts(&page, ".prose h2");
    assert!(
        h2.iter()
            .any(|h| h.starts_with("Pa11y {% include tag.html %}")),
        "{h2:?}"
    );
    assert!(texts(&page, ".prose")
        .join(" ")
        .contains("Shipped 🎉 and noted."));
    assert_eq!(attrs(&page, "section.footnotes li", "id"), ["fn-1"]);
    assert_eq!(
        attrs(&page, "section.footnotes a.footnote-backref", "href"),
        ["#fnref-1"]
    );
    // The home page's own text links where GitHub would.
    let home = site.html("index.html");
    let home_links = attrs(&home, ".intro a, .hero a, main a", "href");
    assert!(home_links.contains(&"/team/".to_string()), "{home_links:?}");
    assert!(
        home_links.contains(&"/review/reviewer/comments/".to_string()),
        "{home_links:?}"
    );
    // The .html address a default GitHub Pages build published redirects.
    assert!(site
        .read("review/reviewer/comments.html")
        .contains("/review/reviewer/comments/"));
    // lang: sets the page's language and direction.
    let ar = site.read("ar/index.html");
    assert!(
        ar.contains("<html lang=\"ar\" dir=\"rtl\">"),
        "{}",
        &ar[..200]
    );
    // Nothing left broken.
    let broken: Vec<String> = broken_links(&site.public())
        .into_iter()
        .filter(|b| !b.contains("{%"))
        .collect();
    assert!(broken.is_empty(), "{broken:?}");
}
