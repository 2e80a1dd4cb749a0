//! What only a browser shows: search results from the Pagefind index, and a
//! page that reloads itself after its file is edited. Needs Chromium
//! (`/usr/bin/chromium`); ignored by plain `cargo test`.

mod common;
use common::*;
use serde_json::{json, Value};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tungstenite::stream::MaybeTlsStream;

/// Headless Chromium driven over the DevTools protocol.
struct Browser {
    child: Child,
    _profile: tempfile::TempDir,
    socket: tungstenite::WebSocket<MaybeTlsStream<TcpStream>>,
    next_id: u64,
    /// The DevTools HTTP port, which lists every tab.
    port: u16,
}

impl Browser {
    fn open(url: &str) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let child = Command::new("chromium")
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                // Chromium picks a free port and writes it to the profile.
                "--remote-debugging-port=0",
                &format!("--user-data-dir={}", profile.path().display()),
                url,
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromium is installed");
        let deadline = Instant::now() + Duration::from_secs(30);
        let port: u16 = loop {
            assert!(Instant::now() < deadline, "chromium did not start");
            let written = std::fs::read_to_string(profile.path().join("DevToolsActivePort"));
            if let Some(port) = written
                .ok()
                .and_then(|t| t.lines().next().and_then(|l| l.trim().parse().ok()))
            {
                break port;
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let ws_url = loop {
            assert!(Instant::now() < deadline, "chromium did not start");
            if let Some(list) = http_get(port, "/json/list") {
                if let Ok(Value::Array(targets)) = serde_json::from_str::<Value>(&list) {
                    if let Some(t) = targets.iter().find(|t| t["type"] == "page") {
                        break t["webSocketDebuggerUrl"].as_str().unwrap().to_string();
                    }
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        let (socket, _) = tungstenite::connect(ws_url.as_str()).unwrap();
        Browser {
            child,
            _profile: profile,
            socket,
            next_id: 1,
            port,
        }
    }

    /// Evaluate JavaScript in the page and return its value.
    fn eval(&mut self, expression: &str) -> Value {
        let reply = self.call(
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true}),
        );
        reply["result"]["value"].clone()
    }

    /// Evaluate JavaScript that returns a promise, and return its value.
    fn eval_async(&mut self, expression: &str) -> Value {
        let reply = self.call(
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true, "awaitPromise": true}),
        );
        reply["result"]["value"].clone()
    }

    /// Go to a URL, as typing it in the address bar would.
    fn navigate(&mut self, url: &str) {
        self.call("Page.navigate", json!({"url": url}));
    }

    /// Send one DevTools command and return its result.
    fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let msg = json!({"id": id, "method": method, "params": params});
        self.socket
            .send(tungstenite::Message::text(msg.to_string()))
            .unwrap();
        loop {
            let reply = self.socket.read().unwrap();
            if let Ok(v) = serde_json::from_str::<Value>(reply.to_text().unwrap_or("")) {
                if v["id"] == id {
                    return v["result"].clone();
                }
            }
        }
    }

    fn wait_until(&mut self, what: &str, expression: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let v = self.eval(expression);
            if v.as_bool() == Some(true) || (v.is_string() && !v.as_str().unwrap().is_empty()) {
                return v;
            }
            if Instant::now() > deadline {
                let state = self.eval("location.href + ' | ' + (document.body ? document.body.innerText.slice(0, 400) : '')");
                panic!("{what} did not happen; the page: {state}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A GET that stops at Content-Length: the DevTools server keeps connections open.
fn http_get(port: u16, path: &str) -> Option<String> {
    use std::io::{Read, Write};
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(3))).ok()?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n").ok()?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let n = s.read(&mut chunk).ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>())
                })
                .and_then(Result::ok);
            if length.is_some_and(|len| body.len() >= len) {
                return Some(body.to_string());
            }
        }
    }
    String::from_utf8_lossy(&buf)
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
}

#[test]
#[ignore = "needs Chromium"]
fn search_finds_a_word_from_one_experiments_body() {
    let site = fixture();
    site.write(
        "content/experiments/needle.md",
        "---\ntitle: The needle test\nstatus: running\n---\nOnly this body mentions the word quokkaberry.\n",
    );
    let server = Server::start(site.root(), &[]);
    server.wait_for("/pagefind/pagefind.js", "the search index", |s, _| s == 200);
    let mut browser = Browser::open(&format!("http://127.0.0.1:{}/", server.port));
    browser.wait_until("the home page", "document.readyState === 'complete'");
    // Type into the header's search box and submit, as a reader would.
    browser.navigate(&format!("http://127.0.0.1:{}/search/", server.port));
    browser.wait_until("the search page", "location.pathname === '/search/' && document.readyState === 'complete' && !!document.getElementById('search-input')");
    // Type into the search box as a reader would: each keystroke is an input event.
    browser.eval("(() => { const i = document.getElementById('search-input'); for (const ch of 'quokkaberry') { i.value += ch; i.dispatchEvent(new Event('input')); } return true; })()");
    let text = browser.wait_until(
        "search results",
        "(() => { const r = document.getElementById('search-results'); return r && r.innerText.includes('The needle test') ? r.innerText : ''; })()",
    );
    let text = text.as_str().unwrap();
    assert!(
        text.contains("experiment"),
        "the result names its kind: {text}"
    );
    assert!(
        text.contains("running"),
        "the result carries its status: {text}"
    );
    assert!(
        !text.contains("E One"),
        "other experiments do not match: {text}"
    );
    // The excerpt is the body's sentence, the word marked; one search box.
    let excerpt = browser.eval("document.querySelector('#search-results li p').innerHTML");
    assert_eq!(
        excerpt.as_str().unwrap(),
        "Only this body mentions the word <mark>quokkaberry.</mark>"
    );
    assert_eq!(
        browser.eval("document.querySelectorAll('input[type=search]').length"),
        json!(1)
    );
}

#[test]
#[ignore = "needs Chromium"]
fn search_merges_every_bundle_of_a_sharded_index() {
    let site = fixture();
    // About four pages a bundle, pages spread by URL: the six needles land
    // in several bundles, so all six are found only if the search page
    // merges every bundle.
    site.write("gemba.yaml", "title: Fixture\nsearch_shard_pages: 4\n");
    for n in 1..=6 {
        site.write(
            &format!("content/experiments/needle-{n}.md"),
            &format!(
                "---\ntitle: Needle {n}\nstatus: running\n---\nThe word quokkaberry is here.\n"
            ),
        );
    }
    // The needles do lie in several bundles (read from a build's files).
    site.build_ok(&[]);
    let holding_needles = walkdir::WalkDir::new(site.public().join("pagefind"))
        .into_iter()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "pf_fragment"))
        .filter(|e| {
            let mut text = String::new();
            let bytes = std::fs::read(e.path()).unwrap();
            std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut text)
                .is_ok()
                && text.contains("quokkaberry")
        })
        .map(|e| e.path().parent().unwrap().parent().unwrap().to_path_buf())
        .collect::<std::collections::BTreeSet<_>>();
    assert!(holding_needles.len() >= 3, "{holding_needles:?}");
    let server = Server::start(site.root(), &[]);
    server.wait_for("/pagefind/pagefind.js", "the search index", |s, _| s == 200);
    let bundles = (2..10)
        .filter(|k| {
            http_get(
                server.port,
                &format!("/pagefind/shard-{k}/pagefind-entry.json"),
            )
            .is_some_and(|b| b.contains("languages"))
        })
        .count();
    assert!(
        bundles >= 3,
        "the index comes in several bundles: {bundles} after the first"
    );
    let mut browser = Browser::open(&format!(
        "http://127.0.0.1:{}/search/?q=quokkaberry",
        server.port
    ));
    let text = browser.wait_until(
        "results from every bundle",
        "(() => { const r = document.getElementById('search-results'); const t = r ? r.innerText : ''; return [1, 2, 3, 4, 5, 6].every(n => t.includes('Needle ' + n)) ? t : ''; })()",
    );
    assert!(!text.as_str().unwrap().contains("E One"));
}

/// The search page's status and results for `query`, once they show
/// `expected`, within 20 seconds: the index is rebuilt in the background.
fn search_until(browser: &mut Browser, port: u16, query: &str, expected: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    let shown = "(() => { const s = document.getElementById('search-status'); const r = document.getElementById('search-results'); return (s ? s.innerText : '') + '\\n' + (r ? r.innerText : ''); })()";
    loop {
        // Load the page again until the index it reads has the edit: the
        // index is rebuilt in the background.
        browser.navigate(&format!("http://127.0.0.1:{port}/search/?q={query}"));
        let attempt = Instant::now() + Duration::from_secs(3);
        let mut text = String::new();
        while Instant::now() < attempt {
            text = browser.eval(shown).as_str().unwrap_or("").to_string();
            if text.contains(expected) {
                return text;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(
            Instant::now() < deadline,
            "a search for {query} did not find {expected}: {text}"
        );
    }
}

#[test]
#[ignore = "needs Chromium"]
fn search_follows_an_edit_while_serving() {
    let site = fixture();
    site.write("gemba.yaml", "title: Fixture\nsearch_shard_pages: 4\n")
        .write(
            "content/experiments/needle.md",
            "---\ntitle: The needle test\nstatus: running\n---\nThis body mentions quokkaberry.\n",
        )
        .write(
            "content/experiments/steady.md",
            "---\ntitle: The steady page\nstatus: planned\n---\nThis body mentions kiwiplum.\n",
        );
    let server = Server::start(site.root(), &[]);
    server.wait_for("/pagefind/pagefind.js", "the search index", |s, _| s == 200);
    let mut browser = Browser::open(&format!("http://127.0.0.1:{}/", server.port));
    search_until(&mut browser, server.port, "quokkaberry", "The needle test");
    site.write(
        "content/experiments/needle.md",
        "---\ntitle: The edited needle\nstatus: running\n---\nThis body now mentions wombatfig.\n",
    );
    search_until(&mut browser, server.port, "wombatfig", "The edited needle");
    search_until(&mut browser, server.port, "quokkaberry", "No results");
    search_until(&mut browser, server.port, "kiwiplum", "The steady page");
}

#[test]
#[ignore = "needs Chromium"]
fn nine_preview_pages_all_load_and_all_reload() {
    // A browser keeps six HTTP connections per host: live reload that held
    // one per page would leave the seventh page loading for ever.
    let site = fixture();
    let server = Server::start(site.root(), &[]);
    let mut browser = Browser::open(&format!("http://127.0.0.1:{}/", server.port));
    browser.wait_until("the home page", "document.readyState === 'complete'");
    // Nine tabs, as a writer opens them, each a page of its own.
    let start = Instant::now();
    for i in 0..9 {
        browser.call(
            "Target.createTarget",
            json!({"url": format!("http://127.0.0.1:{}/experiments/e-two/?tab={i}", server.port)}),
        );
    }
    // A tab that has loaded shows its page's title; one still waiting, its
    // address.
    let tabs = |browser: &Browser| -> Vec<(String, String)> {
        let list = http_get(browser.port, "/json/list").unwrap_or_default();
        let targets: Vec<Value> = serde_json::from_str(&list).unwrap_or_default();
        targets
            .into_iter()
            .filter(|t| t["type"] == "page" && t["url"].as_str().unwrap_or("").contains("?tab="))
            .map(|t| {
                (
                    t["title"].as_str().unwrap_or("").to_string(),
                    t["webSocketDebuggerUrl"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let open = tabs(&browser);
        if open.len() == 9 && open.iter().all(|(title, _)| title.starts_with("E Two")) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the tabs did not all load: {:?}",
            open.iter().map(|t| &t.0).collect::<Vec<_>>()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let loaded = start.elapsed();
    assert!(loaded < Duration::from_secs(3), "nine tabs took {loaded:?}");
    // Each tab goes live, and reloads on an edit.
    let mut sockets: Vec<_> = tabs(&browser)
        .into_iter()
        .map(|(_, ws)| tungstenite::connect(ws.as_str()).unwrap().0)
        .collect();
    let mut id = 1000;
    let mut eval = |socket: &mut tungstenite::WebSocket<MaybeTlsStream<TcpStream>>,
                    expression: &str|
     -> Value {
        id += 1;
        let msg = json!({"id": id, "method": "Runtime.evaluate", "params": {"expression": expression, "returnByValue": true}});
        socket
            .send(tungstenite::Message::text(msg.to_string()))
            .unwrap();
        loop {
            let reply = socket.read().unwrap();
            if let Ok(v) = serde_json::from_str::<Value>(reply.to_text().unwrap_or("")) {
                if v["id"] == id {
                    return v["result"]["result"]["value"].clone();
                }
            }
        }
    };
    let wait_all = |what: &str,
                    expression: &str,
                    sockets: &mut Vec<_>,
                    eval: &mut dyn FnMut(
        &mut tungstenite::WebSocket<MaybeTlsStream<TcpStream>>,
        &str,
    ) -> Value| {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !sockets
            .iter_mut()
            .all(|s| eval(s, expression) == json!(true))
        {
            assert!(
                Instant::now() < deadline,
                "{what} did not happen in every tab"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    wait_all(
        "going live",
        "document.documentElement.dataset.gembaLive === 'open'",
        &mut sockets,
        &mut eval,
    );
    for s in sockets.iter_mut() {
        eval(s, "window.__old = true");
    }
    site.write(
        "content/experiments/e-two.md",
        "---\ntitle: E Two\nhypothesis: refuted-h\nstatus: invalidated\nended: 2026-02-20\n---\nNine tabs later.\n",
    );
    wait_all(
        "the reload",
        "window.__old === undefined && document.body.innerText.includes('Nine tabs later.')",
        &mut sockets,
        &mut eval,
    );
}

#[test]
#[ignore = "needs Chromium"]
fn an_open_page_shows_an_edit_without_a_manual_reload() {
    let site = fixture();
    let server = Server::start(site.root(), &[]);
    let mut browser = Browser::open(&format!(
        "http://127.0.0.1:{}/experiments/e-two/",
        server.port
    ));
    browser.wait_until(
        "the page",
        "document.body && document.body.innerText.includes('Body two.')",
    );
    browser.wait_until(
        "the event stream to open",
        "document.documentElement.dataset.gembaLive === 'open'",
    );
    browser.eval("window.__not_reloaded = true");
    site.write(
        "content/experiments/e-two.md",
        "---\ntitle: E Two\nhypothesis: refuted-h\nstatus: invalidated\nended: 2026-02-20\n---\nA sentence typed just now.\n",
    );
    browser.wait_until(
        "the new text",
        "document.body && document.body.innerText.includes('A sentence typed just now.')",
    );
    assert_eq!(
        browser.eval("window.__not_reloaded === undefined"),
        json!(true),
        "the page reloaded by itself"
    );

    // A broken file shows an overlay; fixing it clears the overlay.
    site.write(
        "content/experiments/e-two.md",
        "---\ntitle: E Two\nstatus: wrongstatus\n---\n",
    );
    let overlay = browser.wait_until(
        "the error overlay",
        "(() => { const o = document.getElementById('gemba-overlay'); return o ? o.innerText : ''; })()",
    );
    assert!(
        overlay
            .as_str()
            .unwrap()
            .contains("content/experiments/e-two.md:3:9"),
        "{overlay}"
    );
    site.write(
        "content/experiments/e-two.md",
        "---\ntitle: E Two\nstatus: running\n---\nRepaired.\n",
    );
    browser.wait_until(
        "the overlay to clear",
        "document.body && document.body.innerText.includes('Repaired.') && !document.getElementById('gemba-overlay')",
    );
}

#[test]
#[ignore = "needs Chromium"]
fn diagrams_math_code_and_alerts_render_in_light_and_dark() {
    let site = Site::new();
    site.write("gemba.yaml", "title: Handbook\nsearch: false\n").write(
        "content/ops/runbook.md",
        "# Runbook\n\n> [!WARNING]\n> Never page the on-call twice.\n\n```rust\nfn main() { let shipped = true; }\n```\n\n```mermaid\nflowchart LR\n  A[Alert] --> B{Triage}\n  B --> C[Fix]\n```\n\nThe error rate is $e = \\frac{f}{n}$.\n",
    );
    let server = Server::start(site.root(), &[]);
    let url = format!("http://127.0.0.1:{}/ops/runbook/", server.port);
    server.wait_for("/ops/runbook/", "the page", |s, _| s == 200);
    let mut browser = Browser::open("about:blank");
    let mut keyword_colours = Vec::new();
    for scheme in ["light", "dark"] {
        browser.call(
            "Emulation.setEmulatedMedia",
            json!({"features": [{"name": "prefers-color-scheme", "value": scheme}]}),
        );
        browser.navigate(&url);
        // Mermaid draws the fence into an SVG with a size.
        browser.wait_until(
            &format!("the diagram ({scheme})"),
            "(() => { const s = document.querySelector('pre.mermaid svg'); if (!s) return false; const r = s.getBoundingClientRect(); return r.width > 50 && r.height > 20 && s.textContent.includes('Triage'); })()",
        );
        let math = browser.eval("(() => { const m = document.querySelector('math'); const r = m.getBoundingClientRect(); return [r.width, r.height, !!m.querySelector('mfrac')]; })()");
        assert!(
            math[0].as_f64().unwrap() > 10.0 && math[1].as_f64().unwrap() > 10.0,
            "{scheme}: math has a size: {math}"
        );
        assert_eq!(math[2], true, "{scheme}: the fraction is MathML");
        // The keyword's colour differs from the code's own.
        let colours = browser.eval("(() => { const code = document.querySelector('pre.code code'); const k = code.querySelector('.hl-keyword, .hl-storage'); return [getComputedStyle(code).color, k ? getComputedStyle(k).color : '']; })()");
        let (text, keyword) = (colours[0].as_str().unwrap(), colours[1].as_str().unwrap());
        assert!(
            !keyword.is_empty() && keyword != text,
            "{scheme}: keyword {keyword} vs text {text}"
        );
        keyword_colours.push(keyword.to_string());
        // The alert is a callout with its title, set apart from the page.
        let alert = browser.eval("(() => { const a = document.querySelector('.alert-warning'); return [a.querySelector('.alert-title').innerText, getComputedStyle(a).backgroundColor, getComputedStyle(document.body).backgroundColor]; })()");
        assert_eq!(alert[0], "Warning");
        assert_ne!(
            alert[1], alert[2],
            "{scheme}: the callout has its own background"
        );
    }
    assert_ne!(
        keyword_colours[0], keyword_colours[1],
        "dark mode colours code its own way"
    );
}

/// A static file server over a built output folder, on a free port: what a
/// reader's web server does, without `serve`'s live reload.
fn serve_folder(dir: std::path::PathBuf) -> u16 {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let dir = dir.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request = String::new();
                if reader.read_line(&mut request).is_err() {
                    return;
                }
                // Skip the headers.
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                    line.clear();
                }
                let path = request.split_whitespace().nth(1).unwrap_or("/");
                let path = path.split(['?', '#']).next().unwrap();
                let mut file = dir.join(path.trim_start_matches('/'));
                if file.is_dir() {
                    file = file.join("index.html");
                }
                let mut stream = stream;
                match std::fs::read(&file) {
                    Ok(bytes) => {
                        let kind = match file.extension().and_then(|e| e.to_str()) {
                            Some("html") => "text/html; charset=utf-8",
                            Some("css") => "text/css",
                            Some("js") => "text/javascript",
                            Some("svg") => "image/svg+xml",
                            Some("json") => "application/json",
                            Some("png") => "image/png",
                            _ => "application/octet-stream",
                        };
                        let _ = write!(stream, "HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", bytes.len());
                        let _ = stream.write_all(&bytes);
                    }
                    Err(_) => {
                        let _ = write!(stream, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                    }
                }
            });
        }
    });
    port
}

/// Every page of a built site: each `index.html` but the redirects', as a URL path.
fn pages_of(public: &std::path::Path) -> Vec<String> {
    html_files(public)
        .into_iter()
        .filter(|(rel, text)| {
            !rel.starts_with("pagefind") && !text.contains("http-equiv=\"refresh\"")
        })
        .map(|(rel, _)| format!("/{}", rel.trim_end_matches("index.html")))
        .collect()
}

/// A site with what stretches a layout: long titles, many metrics with
/// counts, a wide Markdown table, task lists.
fn stretched() -> Site {
    let site = fixture();
    let mut metrics = String::from("metrics:\n");
    for m in 0..6 {
        metrics.push_str(&format!(
            "  - name: A long metric name number {m} about trial to paid conversion\n    unit: \"%\"\n    baseline: 8\n    target: 10\n    control: {{units: 2400, conversions: {}}}\n    variant: {{units: 2380, conversions: {}}}\n",
            190 + m,
            230 + 5 * m
        ));
    }
    site.write(
        "content/experiments/long.md",
        &format!("---\ntitle: An experiment whose title runs on and on about annual plans for mid-market operations leaders\nhypothesis: supported-h\nstatus: validated\nstarted: 2026-01-02\nended: 2026-02-02\ndecision: persevere\n{metrics}---\nBody.\n\n| Week | Visitors | Trials | Paid | Revenue | Refunds | Notes on what happened |\n|---|---|---|---|---|---|---|\n| 1 | 10200 | 400 | 31 | 12400 | 2 | a very long note that keeps going to stretch the table wide |\n\n- [x] done task\n- [ ] open task\n"),
    );
    site
}

#[test]
#[ignore = "needs Chromium"]
fn every_page_fits_a_phone_and_a_desktop_and_passes_axe() {
    let axe = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/vendor/axe-core/axe.min.js"
    ))
    .unwrap();
    let example = Site::new();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gemba"))
        .args(["init", example.root().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success());
    let sites = [example, stretched()];
    let mut browser = Browser::open("about:blank");
    let mut problems = Vec::new();
    let mut checked = 0;
    for site in &sites {
        site.build_ok(&[]);
        let port = serve_folder(site.public());
        for page in pages_of(&site.public()) {
            for width in [375, 1280] {
                browser.call(
                    "Emulation.setDeviceMetricsOverride",
                    json!({"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 500}),
                );
                browser.navigate(&format!("http://127.0.0.1:{port}{page}"));
                browser.wait_until(
                    "the page",
                    &format!(
                        "location.pathname === {page:?} && document.readyState === 'complete'"
                    ),
                );
                checked += 1;
                let layout = browser.eval(
                    "(() => { const w = window.innerWidth; const out = []; \
                     if (document.documentElement.scrollWidth > w) out.push('the page is ' + document.documentElement.scrollWidth + ' px wide'); \
                     for (const t of document.querySelectorAll('svg text')) { const m = t.getScreenCTM(); if (!m || !t.getClientRects().length) continue; \
                       const px = parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b); \
                       if (px < 11) out.push('chart text ' + px.toFixed(1) + ' px: ' + t.textContent); } \
                     for (const e of document.querySelectorAll('img, svg')) { const r = e.getBoundingClientRect(); if (r.width && r.right > w + 1 && !e.closest('.table-scroll, pre')) out.push(e.tagName + ' reaches ' + Math.round(r.right) + ' px'); } \
                     for (const chart of document.querySelectorAll('.metric-bars, .month-chart, .mix')) { \
                       const vertical = chart.classList.contains('month-chart'); \
                       const marks = [...chart.querySelectorAll('[data-value]')].map(e => [parseFloat(e.dataset.value), vertical ? e.getBoundingClientRect().height : e.getBoundingClientRect().width]); \
                       const big = marks.reduce((a, m) => Math.abs(m[0]) > Math.abs(a[0]) ? m : a, [0, 0]); \
                       if (!big[0] || !big[1]) continue; const k = big[1] / Math.abs(big[0]); \
                       for (const [v, len] of marks) if (Math.abs(len - Math.abs(v) * k) > 1.5) out.push('a bar of ' + v + ' is ' + len.toFixed(1) + ' px where ' + (Math.abs(v) * k).toFixed(1) + ' px is in scale'); \
                       const track = chart.querySelector('.mb-track'); \
                       if (track) { const x0 = track.getBoundingClientRect().left; \
                         for (const t of chart.querySelectorAll('.mb-target[data-at]')) { const x = t.getBoundingClientRect().left - x0; const want = Math.abs(parseFloat(t.dataset.at)) * k; if (Math.abs(x - want) > 2) out.push('the target line at ' + x.toFixed(1) + ' px, ' + want.toFixed(1) + ' px in scale'); } } } \
                     const result = document.getElementById('result'); \
                     if (location.pathname.startsWith('/experiments/') && location.pathname.split('/').length > 3 && !result) out.push('no #result sentence'); \
                     if (result && w < 500 && result.getBoundingClientRect().top + 60 > 740) out.push('the result starts at ' + Math.round(result.getBoundingClientRect().top) + ' px, below a phone\\'s first screen'); \
                     for (const st of document.querySelectorAll('.stage-current')) if (!st.querySelector('.mini li')) out.push('the current stage has no work: ' + st.id); \
                     if (w < 500) for (const t of document.querySelectorAll('table.stack')) { const r = t.getBoundingClientRect(); if (r.width && r.right > w + 1) out.push('a table reaches ' + Math.round(r.right) + ' px'); } \
                     return out; })()",
                );
                for p in layout.as_array().unwrap() {
                    problems.push(format!("{page} at {width}: {}", p.as_str().unwrap()));
                }
                if width == 1280 {
                    browser.eval(&axe);
                    let found = browser.eval_async(
                        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}).then(r => ({passes: r.passes.length, violations: r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))}))",
                    );
                    assert!(
                        found["passes"].as_u64().unwrap_or(0) > 5,
                        "axe ran on {page}: {found}"
                    );
                    for v in found["violations"].as_array().unwrap() {
                        problems.push(format!("{page}: axe {}", v.as_str().unwrap()));
                    }
                }
            }
        }
    }
    assert!(checked > 60, "every page was opened: {checked}");
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
#[ignore = "needs Chromium"]
fn the_log_shows_as_a_table_with_the_same_filters() {
    let site = fixture();
    site.build_ok(&[]);
    let port = serve_folder(site.public());
    let mut browser = Browser::open(&format!("http://127.0.0.1:{port}/experiments/"));
    browser.wait_until(
        "the log",
        "document.readyState === 'complete' && !document.querySelector('.view-switch').hidden",
    );
    assert_eq!(
        browser.eval("document.getElementById('experiments-table').hidden"),
        json!(true)
    );
    browser.eval("document.querySelector('.view-switch [data-view=table]').click()");
    assert_eq!(
        browser.eval("document.getElementById('experiments').hidden"),
        json!(true)
    );
    let rows = browser
        .eval("document.querySelectorAll('#experiments-table tbody tr:not([hidden])').length");
    assert_eq!(
        rows,
        browser.eval("document.querySelectorAll('#experiments .card').length")
    );
    // The filters act on the table too.
    browser.eval("(() => { const s = document.querySelector('form.filters select[name=status]'); s.value = 'validated'; s.dispatchEvent(new Event('change', {bubbles: true})); return true; })()");
    let shown = browser.eval("Array.from(document.querySelectorAll('#experiments-table tbody tr:not([hidden]) th')).map(t => t.innerText)");
    assert_eq!(shown, json!(["E Three", "E One"]));
    // Tiles lead to what they count: the outcomes' decision tiles to the
    // log filtered by that decision.
    browser.navigate(&format!("http://127.0.0.1:{port}/outcomes/"));
    browser.wait_until(
        "the outcomes",
        "document.readyState === 'complete' && location.pathname === '/outcomes/'",
    );
    browser.eval("Array.from(document.querySelectorAll('.stats .tile a')).find(a => a.innerText === 'Pivot').click()");
    browser.wait_until(
        "the log filtered by decision",
        "location.search === '?decision=pivot' && document.readyState === 'complete' && Array.from(document.querySelectorAll('#experiments .card:not([hidden]) .card-title')).map(a => a.innerText).join() === 'E Two'",
    );
    // The choice outlives the page.
    browser.navigate(&format!("http://127.0.0.1:{port}/experiments/"));
    browser.wait_until("the table again", "document.readyState === 'complete' && document.getElementById('experiments-table').hidden === false");
}
