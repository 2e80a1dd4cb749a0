//! `gemba lsp` spoken to as an editor speaks to it: JSON-RPC over the
//! server's stdin and stdout. Diagnostics follow unsaved edits; completion,
//! definition, references, hover, symbols and rename answer from the site;
//! bad input gets a protocol error and the server goes on.

mod common;

use common::{fixture, Site};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

struct Client {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Value>,
    /// Messages read while waiting for something else.
    inbox: Vec<Value>,
    next_id: i64,
}

impl Client {
    /// Start `gemba lsp` and initialize it on the site at `root`.
    fn start(root: &Path, rename_files: bool) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_gemba"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start gemba lsp");
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let (tx, rx) = channel();
        std::thread::spawn(move || loop {
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if stdout.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some(v) = line.strip_prefix("Content-Length:") {
                    length = v.trim().parse().unwrap();
                }
            }
            let mut body = vec![0; length];
            if stdout.read_exact(&mut body).is_err() {
                return;
            }
            if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                return;
            }
        });
        let mut client = Client {
            child,
            stdin,
            rx,
            inbox: Vec::new(),
            next_id: 1,
        };
        let capabilities = if rename_files {
            json!({"workspace": {"workspaceEdit": {"documentChanges": true, "resourceOperations": ["rename"]}}})
        } else {
            json!({})
        };
        let init = client.request(
            "initialize",
            json!({"processId": null, "rootUri": uri(root), "capabilities": capabilities}),
        );
        assert_eq!(init["result"]["serverInfo"]["name"], "gemba", "{init}");
        client.notify("initialized", json!({}));
        client
    }

    fn send_body(&mut self, body: &[u8]) {
        write!(self.stdin, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        self.stdin.write_all(body).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        let msg = json!({"jsonrpc": "2.0", "method": method, "params": params});
        self.send_body(msg.to_string().as_bytes());
    }

    /// Send a request and wait for its response (the whole message).
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let msg = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        self.send_body(msg.to_string().as_bytes());
        self.wait(&format!("the answer to {method}"), |m| m["id"] == id)
    }

    /// Wait for a message for which `check` holds.
    fn wait(&mut self, what: &str, check: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.inbox.iter().position(&check) {
            return self.inbox.remove(i);
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let msg = self
                .rx
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("{what} never came; had {:#?}", self.inbox));
            if check(&msg) {
                return msg;
            }
            self.inbox.push(msg);
        }
    }

    /// Wait for diagnostics of `path` for which `check` holds; returns them.
    fn diagnostics(&mut self, path: &Path, check: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let target = uri(path);
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let msg = self.wait("diagnostics", |m| {
                m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == target
            });
            let list = msg["params"]["diagnostics"].as_array().unwrap().clone();
            if check(&list) {
                return list;
            }
            assert!(
                Instant::now() < deadline,
                "diagnostics never matched: {list:#?}"
            );
        }
    }

    fn open(&mut self, path: &Path, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri(path), "languageId": "markdown", "version": 1, "text": text}}),
        );
    }

    fn change(&mut self, path: &Path, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri(path), "version": version}, "contentChanges": [{"text": text}]}),
        );
    }

    fn at(&mut self, method: &str, path: &Path, line: u32, character: u32, extra: Value) -> Value {
        let mut params = json!({"textDocument": {"uri": uri(path)}, "position": {"line": line, "character": character}});
        for (k, v) in extra.as_object().unwrap() {
            params[k] = v.clone();
        }
        self.request(method, params)
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn uri(path: &Path) -> String {
    let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let mut out = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn path_of(uri: &str) -> PathBuf {
    let raw = uri.strip_prefix("file://").unwrap().as_bytes();
    let mut bytes = Vec::new();
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'%' {
            bytes.push(
                u8::from_str_radix(std::str::from_utf8(&raw[i + 1..i + 3]).unwrap(), 16).unwrap(),
            );
            i += 3;
        } else {
            bytes.push(raw[i]);
            i += 1;
        }
    }
    PathBuf::from(String::from_utf8(bytes).unwrap())
}

fn labels(completion: &Value) -> Vec<String> {
    completion["result"]
        .as_array()
        .unwrap_or_else(|| panic!("no completion list: {completion}"))
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_string())
        .collect()
}

fn file(site: &Site, rel: &str) -> PathBuf {
    site.root().join(rel).canonicalize().unwrap()
}

const E_TWO: &str = "content/experiments/e-two.md";

#[test]
fn diagnostics_follow_unsaved_edits_and_clear_when_fixed() {
    let site = fixture();
    let path = file(&site, E_TWO);
    let on_disk = std::fs::read_to_string(&path).unwrap();
    let mut lsp = Client::start(site.root(), false);
    lsp.open(&path, &on_disk);
    // A misspelt status, typed and not saved.
    lsp.change(
        &path,
        2,
        "---\ntitle: E Two\nstatus: validatd\n---\nBody.\n",
    );
    let list = lsp.diagnostics(&path, |l| !l.is_empty());
    assert_eq!(list.len(), 1, "{list:#?}");
    let d = &list[0];
    assert_eq!(d["severity"], 1);
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("unknown experiment status `validatd`"),
        "{d}"
    );
    assert!(d["message"]
        .as_str()
        .unwrap()
        .contains("did you mean `validated`?"));
    assert_eq!(
        d["range"],
        json!({"start": {"line": 2, "character": 8}, "end": {"line": 2, "character": 16}})
    );
    // A reference to nothing, with the hypothesis's name at its place.
    lsp.change(
        &path,
        3,
        "---\ntitle: E Two\nstatus: running\nhypothesis: nope-h\n---\nBody.\n",
    );
    let list = lsp.diagnostics(&path, |l| {
        l.iter().any(|d| {
            d["message"]
                .as_str()
                .unwrap()
                .contains("no hypothesis with slug `nope-h`")
        })
    });
    assert_eq!(
        list[0]["range"]["start"],
        json!({"line": 3, "character": 12})
    );
    // Fixed: the file's diagnostics are cleared.
    lsp.change(&path, 4, "---\ntitle: E Two\nstatus: running\n---\nBody.\n");
    lsp.diagnostics(&path, |l| l.is_empty());
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        on_disk,
        "nothing is written"
    );
}

#[test]
fn diagnostics_are_those_of_gemba_check() {
    let site = fixture();
    site.write(
        "content/experiments/broken.md",
        "---\ntitle: Broken\nfollows: ghost\nstauts: running\n---\nSee [[missing-page]].\n",
    );
    let check = site.gemba(&["check", "--no-git"]);
    let reported = common::stderr(&check);
    let mut lsp = Client::start(site.root(), false);
    let path = file(&site, "content/experiments/broken.md");
    let list = lsp.diagnostics(&path, |l| l.len() == 3);
    for d in &list {
        let line = d["range"]["start"]["line"].as_u64().unwrap() + 1;
        let col = d["range"]["start"]["character"].as_u64().unwrap() + 1;
        let first = d["message"].as_str().unwrap().lines().next().unwrap();
        let kind = if d["severity"] == 1 {
            "error"
        } else {
            "warning"
        };
        let expected = format!("content/experiments/broken.md:{line}:{col}: {kind}: {first}");
        assert!(
            reported.contains(&expected),
            "check did not say `{expected}`:\n{reported}"
        );
    }
}

#[test]
fn completion_offers_keys_values_slugs_stages_and_targets() {
    let site = fixture();
    let path = file(&site, E_TWO);
    let mut lsp = Client::start(site.root(), false);
    let text = "---\ntitle: E Two\nsta\nstatus: \nhypothesis: \nfollows: \ndecision: \nmetrics:\n  - {name: X, direction: }\n  - na\n---\nSee [[e-o\nand [x](\n";
    lsp.open(&path, text);
    let keys = lsp.at("textDocument/completion", &path, 2, 3, json!({}));
    let found = labels(&keys);
    for k in ["status", "started", "stage", "metrics", "follows"] {
        assert!(found.contains(&k.to_string()), "{k} in {found:?}");
    }
    assert!(
        !found.contains(&"statement".to_string()),
        "experiments have no statement"
    );
    let item = keys["result"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "decision")
        .unwrap();
    assert!(
        item["detail"].as_str().unwrap().contains("persevere"),
        "{item}"
    );
    // Jekyll's and Hugo's keys come with what they are for.
    let detail = |label: &str| {
        keys["result"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["label"] == label)
            .map(|i| i["detail"].as_str().unwrap_or("").to_string())
    };
    assert!(detail("redirect_from").is_some_and(|d| d.contains("redirect")));
    assert!(detail("aliases").is_some_and(|d| d.contains("old addresses")));

    let statuses = labels(&lsp.at("textDocument/completion", &path, 3, 8, json!({})));
    assert_eq!(
        statuses,
        [
            "planned",
            "running",
            "validated",
            "invalidated",
            "inconclusive",
            "abandoned"
        ]
    );
    let hyps = lsp.at("textDocument/completion", &path, 4, 12, json!({}));
    let names = labels(&hyps);
    assert!(
        names.contains(&"supported-h".to_string()) && names.contains(&"contested-h".to_string()),
        "{names:?}"
    );
    let contested = hyps["result"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "contested-h")
        .unwrap();
    assert_eq!(contested["detail"], "Contested H · contested");
    assert!(
        labels(&lsp.at("textDocument/completion", &path, 5, 9, json!({})))
            .contains(&"e-one".to_string())
    );
    assert_eq!(
        labels(&lsp.at("textDocument/completion", &path, 6, 10, json!({}))),
        ["persevere", "pivot", "stop"]
    );
    assert_eq!(
        labels(&lsp.at("textDocument/completion", &path, 8, 25, json!({}))),
        ["increase", "decrease"]
    );
    let metric_keys = labels(&lsp.at("textDocument/completion", &path, 9, 6, json!({})));
    assert!(
        metric_keys.contains(&"baseline".to_string()),
        "{metric_keys:?}"
    );
    let targets = labels(&lsp.at("textDocument/completion", &path, 11, 9, json!({})));
    assert!(
        targets.contains(&"e-one".to_string()) && targets.contains(&"growth".to_string()),
        "{targets:?}"
    );
    let files = labels(&lsp.at("textDocument/completion", &path, 12, 8, json!({})));
    assert!(
        files.contains(&"../hypotheses/supported-h.md".to_string()),
        "{files:?}"
    );
    assert!(files.contains(&"2026/q1/e-one.md".to_string()), "{files:?}");

    // Stage ids of the playbook the file names.
    let h = file(&site, "content/hypotheses/untested-h.md");
    lsp.open(
        &h,
        "---\ntitle: Untested H\nplaybook: growth\nstage: \n---\n",
    );
    let stages = lsp.at("textDocument/completion", &h, 3, 7, json!({}));
    assert_eq!(labels(&stages), ["first", "second"]);
    assert_eq!(stages["result"][1]["detail"], "Second");
}

#[test]
fn definition_references_hover_and_symbols() {
    let site = fixture();
    let mut lsp = Client::start(site.root(), false);
    let e_two = file(&site, E_TWO);
    // `hypothesis: refuted-h` on line 2, `follows: e-one` on line 7.
    let def = lsp.at("textDocument/definition", &e_two, 2, 14, json!({}));
    assert_eq!(
        path_of(def["result"]["uri"].as_str().unwrap()),
        file(&site, "content/hypotheses/refuted-h.md")
    );
    let def = lsp.at("textDocument/definition", &e_two, 7, 10, json!({}));
    assert_eq!(
        path_of(def["result"]["uri"].as_str().unwrap()),
        file(&site, "content/experiments/2026/q1/e-one.md")
    );

    // A key's hover says its type and what it is for.
    let hover = lsp.at("textDocument/hover", &e_two, 2, 3, json!({}));
    let text = hover["result"]["contents"]["value"].as_str().unwrap_or("");
    assert!(
        text.contains("`hypothesis`") && text.contains("slug of the hypothesis it tests"),
        "{hover}"
    );

    let hover = lsp.at("textDocument/hover", &e_two, 7, 10, json!({}));
    let text = hover["result"]["contents"]["value"].as_str().unwrap();
    assert!(
        text.contains("**E One**") && text.contains("experiment · validated"),
        "{text}"
    );
    // The same words as the card: the unit after each number.
    assert!(
        text.contains("Conversion: 2\u{a0}% → 4\u{a0}% (target 3\u{a0}%)"),
        "{text}"
    );
    let hover = lsp.at("textDocument/hover", &e_two, 2, 14, json!({}));
    assert!(
        hover["result"]["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("hypothesis · refuted"),
        "{hover}"
    );

    // A hypothesis's experiments, from anywhere in its file.
    let contested = file(&site, "content/hypotheses/contested-h.md");
    let refs = lsp.at(
        "textDocument/references",
        &contested,
        0,
        0,
        json!({"context": {"includeDeclaration": false}}),
    );
    let mut places: Vec<PathBuf> = refs["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| path_of(l["uri"].as_str().unwrap()))
        .collect();
    places.sort();
    assert_eq!(
        places,
        [
            file(&site, "content/experiments/e-four.md"),
            file(&site, "content/experiments/e-three.md")
        ]
    );
    // A page's backlinks: wiki links, at the name inside `[[…]]`.
    let e_one = file(&site, "content/experiments/2026/q1/e-one.md");
    let refs = lsp.at(
        "textDocument/references",
        &e_one,
        0,
        0,
        json!({"context": {"includeDeclaration": false}}),
    );
    let found: Vec<(PathBuf, Value)> = refs["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (path_of(l["uri"].as_str().unwrap()), l["range"].clone()))
        .collect();
    assert!(
        found.contains(&(
            file(&site, "content/guides/onboarding.md"),
            json!({"start": {"line": 7, "character": 11}, "end": {"line": 7, "character": 16}})
        )),
        "{found:?}"
    );
    assert!(
        found.iter().any(|(p, _)| *p == e_two),
        "follows: e-one is a reference: {found:?}"
    );

    let doc = file(&site, "content/guides/onboarding.md");
    std::fs::write(
        &doc,
        "---\ntitle: Guide\n---\n# Start\n\n## One\n\n## Two\n\n# Later\n",
    )
    .unwrap();
    lsp.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&doc), "type": 2}]}),
    );
    let symbols = lsp.at("textDocument/documentSymbol", &doc, 0, 0, json!({}));
    let top: Vec<&str> = symbols["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(top, ["Start", "Later"]);
    let children: Vec<&str> = symbols["result"][0]["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(children, ["One", "Two"]);
    assert_eq!(symbols["result"][0]["range"]["start"]["line"], 3);
}

/// Apply a workspace edit to files on disk, as an editor would.
fn apply(edit: &Value) {
    fn offset(text: &str, pos: &Value) -> usize {
        let (line, ch) = (
            pos["line"].as_u64().unwrap() as usize,
            pos["character"].as_u64().unwrap() as usize,
        );
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let mut units = 0;
        for (i, c) in text[start..].char_indices() {
            if units >= ch {
                return start + i;
            }
            units += c.len_utf16();
        }
        text.len()
    }
    let edit_file = |uri: &str, edits: &[Value]| {
        let path = path_of(uri);
        let mut text = std::fs::read_to_string(&path).unwrap();
        let mut edits: Vec<&Value> = edits.iter().collect();
        edits.sort_by_key(|e| std::cmp::Reverse(offset(&text, &e["range"]["start"])));
        for e in edits {
            let (a, b) = (
                offset(&text, &e["range"]["start"]),
                offset(&text, &e["range"]["end"]),
            );
            text.replace_range(a..b, e["newText"].as_str().unwrap());
        }
        std::fs::write(path, text).unwrap();
    };
    if let Some(changes) = edit["changes"].as_object() {
        for (uri, edits) in changes {
            edit_file(uri, edits.as_array().unwrap());
        }
    }
    for op in edit["documentChanges"].as_array().into_iter().flatten() {
        if op["kind"] == "rename" {
            std::fs::rename(
                path_of(op["oldUri"].as_str().unwrap()),
                path_of(op["newUri"].as_str().unwrap()),
            )
            .unwrap();
        } else {
            edit_file(
                op["textDocument"]["uri"].as_str().unwrap(),
                op["edits"].as_array().unwrap(),
            );
        }
    }
}

#[test]
fn rename_moves_the_file_and_every_reference_and_the_site_still_builds() {
    let site = fixture();
    let mut lsp = Client::start(site.root(), true);
    let e_two = file(&site, E_TWO);
    // Rename e-one from `follows: e-one` in another file.
    let answer = lsp.at(
        "textDocument/rename",
        &e_two,
        7,
        10,
        json!({"newName": "e-first"}),
    );
    let edit = &answer["result"];
    assert!(edit["documentChanges"].is_array(), "{answer}");
    apply(edit);
    assert!(!site
        .root()
        .join("content/experiments/2026/q1/e-one.md")
        .exists());
    assert!(site
        .root()
        .join("content/experiments/2026/q1/e-first.md")
        .exists());
    assert!(std::fs::read_to_string(&e_two)
        .unwrap()
        .contains("follows: e-first\n"));
    let guide = std::fs::read_to_string(site.root().join("content/guides/onboarding.md")).unwrap();
    assert!(guide.contains("[[e-first]]"), "{guide}");
    let check = site.gemba(&["check", "--no-git"]);
    assert!(check.status.success(), "{}", common::stderr(&check));
    site.build_ok(&[]);
    assert!(site
        .public()
        .join("experiments/e-first/index.html")
        .exists());

    // A client that cannot rename files gets a `slug:` instead.
    let site = fixture();
    let mut lsp = Client::start(site.root(), false);
    let h = file(&site, "content/hypotheses/refuted-h.md");
    let answer = lsp.at(
        "textDocument/rename",
        &h,
        0,
        0,
        json!({"newName": "refuted-pricing"}),
    );
    assert!(answer["result"]["changes"].is_object(), "{answer}");
    apply(&answer["result"]);
    assert!(std::fs::read_to_string(&h)
        .unwrap()
        .contains("slug: refuted-pricing\n"));
    assert!(std::fs::read_to_string(site.root().join(E_TWO))
        .unwrap()
        .contains("hypothesis: refuted-pricing\n"));
    let wiki =
        std::fs::read_to_string(site.root().join("content/experiments/2026/q1/e-one.md")).unwrap();
    assert!(
        wiki.contains("[[hypothesis/refuted-pricing|the refuted one]]"),
        "{wiki}"
    );
    let check = site.gemba(&["check", "--no-git"]);
    assert!(check.status.success(), "{}", common::stderr(&check));

    // Names that cannot be: refused with the reason.
    let refused = lsp.at(
        "textDocument/rename",
        &h,
        0,
        0,
        json!({"newName": "Not A Slug"}),
    );
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not a slug"),
        "{refused}"
    );
    let taken = lsp.at(
        "textDocument/rename",
        &h,
        0,
        0,
        json!({"newName": "supported-h"}),
    );
    assert!(
        taken["error"]["message"]
            .as_str()
            .unwrap()
            .contains("exists already"),
        "{taken}"
    );
}

#[test]
fn bad_input_gets_an_error_and_the_server_goes_on() {
    let site = fixture();
    let mut lsp = Client::start(site.root(), false);
    let e_two = file(&site, E_TWO);
    let unknown = lsp.request("gemba/teleport", json!({}));
    assert_eq!(unknown["error"]["code"], -32601);
    // Positions past the end, and files outside the site.
    let past = lsp.at("textDocument/hover", &e_two, 900, 3, json!({}));
    assert_eq!(past["result"], Value::Null);
    let past = lsp.at("textDocument/completion", &e_two, 2, 900, json!({}));
    assert_eq!(past["result"], Value::Null);
    let outside = std::env::temp_dir().join("not-in-any-site.md");
    std::fs::write(&outside, "# Hello\n").unwrap();
    lsp.open(&outside, "---\nstatus: nonsense\n---\n");
    assert_eq!(
        lsp.at("textDocument/definition", &outside, 1, 9, json!({}))["result"],
        Value::Null
    );
    // Invalid UTF-8 in a message, and a message that is not JSON.
    let mut bad = br#"{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"x","languageId":"markdown","version":1,"text":""#.to_vec();
    bad.extend_from_slice(&[0xff, 0xfe, b'"', b'}', b'}', b'}']);
    lsp.send_body(&bad);
    lsp.send_body(b"{not json");
    lsp.send_body(br#"{"jsonrpc":"2.0","id":99,"method":"textDocument/hover","params":{"textDocument":{"uri":"file:///x.md"},"position":{"line":"zero","character":0}}}"#);
    let invalid = lsp.wait("the invalid params error", |m| m["id"] == 99);
    assert_eq!(invalid["error"]["code"], -32602);
    let parse_errors = lsp.wait("a parse error", |m| m["error"]["code"] == -32700);
    assert!(parse_errors["id"].is_null());
    // Still answering, and still following edits.
    let hover = lsp.at("textDocument/hover", &e_two, 7, 10, json!({}));
    assert!(hover["result"]["contents"]["value"]
        .as_str()
        .unwrap()
        .contains("E One"));
    lsp.open(&e_two, "---\ntitle: E Two\nstatus: wrong\n---\n");
    lsp.diagnostics(&e_two, |l| !l.is_empty());
    assert!(
        lsp.child.try_wait().unwrap().is_none(),
        "the server still runs"
    );
    // A clean shutdown.
    assert_eq!(lsp.request("shutdown", Value::Null)["result"], Value::Null);
    lsp.notify("exit", Value::Null);
    let deadline = Instant::now() + Duration::from_secs(10);
    while lsp.child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "exit did not end the server");
        std::thread::sleep(Duration::from_millis(20));
    }
}
