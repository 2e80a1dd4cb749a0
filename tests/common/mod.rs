//! Helpers for integration tests: fixture sites in temporary folders and the
//! built `gemba` binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Site {
    pub dir: tempfile::TempDir,
}

impl Site {
    pub fn new() -> Site {
        Site {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, rel: &str, text: &str) -> &Self {
        let path = self.root().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        self
    }

    /// A PNG of the given size at `rel`: its header, all an image-size
    /// reader needs.
    pub fn write_png(&self, rel: &str, width: u32, height: u32) -> &Self {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend_from_slice(&width.to_be_bytes());
        png.extend_from_slice(&height.to_be_bytes());
        png.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
        let path = self.root().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, png).unwrap();
        self
    }

    pub fn gemba(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_gemba"))
            .args(args)
            .arg("--root")
            .arg(self.root())
            .env("NO_COLOR", "1")
            .output()
            .expect("run gemba")
    }

    pub fn build(&self, extra: &[&str]) -> Output {
        let mut args = vec!["build", "--no-git"];
        args.extend_from_slice(extra);
        self.gemba(&args)
    }

    pub fn build_ok(&self, extra: &[&str]) -> Output {
        let out = self.build(extra);
        assert!(out.status.success(), "build failed:\n{}", stderr(&out));
        out
    }

    pub fn public(&self) -> PathBuf {
        self.root().join("public")
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.public().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    pub fn html(&self, rel: &str) -> scraper::Html {
        scraper::Html::parse_document(&self.read(rel))
    }

    pub fn json(&self, rel: &str) -> serde_json::Value {
        serde_json::from_str(&self.read(rel)).unwrap()
    }
}

/// Every HTML file of a built site: its path in the output (with `/`
/// separators) and its text, by path.
pub fn html_files(public: &Path) -> std::collections::BTreeMap<String, String> {
    let mut files = std::collections::BTreeMap::new();
    for entry in walkdir::WalkDir::new(public) {
        let entry = entry.unwrap();
        let rel = entry
            .path()
            .strip_prefix(public)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if rel.ends_with(".html") {
            files.insert(rel, std::fs::read_to_string(entry.path()).unwrap());
        }
    }
    files
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Text of every element matching `selector`.
pub fn texts(doc: &scraper::Html, selector: &str) -> Vec<String> {
    let sel = scraper::Selector::parse(selector).unwrap();
    doc.select(&sel)
        .map(|e| {
            e.text()
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

pub fn attrs(doc: &scraper::Html, selector: &str, attr: &str) -> Vec<String> {
    let sel = scraper::Selector::parse(selector).unwrap();
    doc.select(&sel)
        .filter_map(|e| e.value().attr(attr).map(String::from))
        .collect()
}

/// Every file under `dir` with its bytes, sorted by path.
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out: Vec<_> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(dir).unwrap().to_path_buf(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

/// The names of the entries of `dir` that contain `part` (what a build may
/// have left behind beside its output).
pub fn entries_named(dir: &Path, part: &str) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(part))
        .collect()
}

/// A small site exercising every kind and derived status.
pub fn fixture() -> Site {
    let site = Site::new();
    site.write("gemba.yaml", "title: Fixture\n")
        .write(
            "content/playbooks/growth.md",
            "---\ntitle: Growth\nstages:\n  - {id: first, title: First}\n  - {id: second, title: Second}\n---\nThe growth playbook.\n",
        )
        .write("content/hypotheses/supported-h.md", "---\ntitle: Supported H\nplaybook: growth\nstage: second\nstatement: We believe S.\n---\n")
        .write("content/hypotheses/refuted-h.md", "---\ntitle: Refuted H\nplaybook: growth\nstage: first\n---\n")
        .write("content/hypotheses/contested-h.md", "---\ntitle: Contested H\nplaybook: growth\n---\n")
        .write("content/hypotheses/untested-h.md", "---\ntitle: Untested H\nplaybook: growth\nstage: first\n---\n")
        .write(
            "content/experiments/2026/q1/e-one.md",
            "---\ntitle: E One\nhypothesis: supported-h\nstatus: validated\nstarted: 2026-01-01\nended: 2026-01-20\ndecision: persevere\nowner: Ann\nteam: Growth\ntags: [pricing, Ünïcode Tag]\nmetrics:\n  - {name: Conversion, unit: \"%\", baseline: 2, target: 3, actual: 4}\n  - {name: Churn, baseline: 5, target: 4, actual: 3, direction: decrease}\n---\nFirst paragraph of e-one.\n\nSee [[e-two]] and [[hypothesis/refuted-h|the refuted one]].\n",
        )
        .write(
            "content/experiments/e-two.md",
            "---\ntitle: E Two\nhypothesis: refuted-h\nstatus: invalidated\nstarted: 2026-02-01\nended: 2026-02-20\ndecision: pivot\nfollows: e-one\nowner: Bob\n---\nBody two.\n",
        )
        .write("content/experiments/e-three.md", "---\ntitle: E Three\nhypothesis: contested-h\nstatus: validated\nended: 2026-03-01\n---\n")
        .write("content/experiments/e-four.md", "---\ntitle: E Four\nhypothesis: contested-h\nstatus: invalidated\nended: 2026-03-05\ntags: [Pricing]\n---\n")
        .write("content/experiments/e-plan-a.md", "---\ntitle: Plan A\nstatus: planned\nice: {impact: 5, confidence: 5, ease: 5}\n---\n")
        .write("content/experiments/e-plan-b.md", "---\ntitle: Plan B\nstatus: planned\nice: {impact: 9, confidence: 5, ease: 5}\n---\n")
        .write("content/experiments/e-plan-c.md", "---\ntitle: Plan C\nstatus: planned\nice: {impact: 5, confidence: 5, ease: 5}\n---\n")
        .write("content/experiments/drafty.md", "---\ntitle: Drafty\ndraft: true\n---\n")
        .write("content/guides/onboarding.md", "---\nlayout: post\nsidebar: guides\nredirect_from: [/old/]\n---\n# Onboarding guide\n\nLinks to [[e-one]].\n")
        .write("content/guides/index.md", "# Guides\n")
        .write("content/index.md", "---\ntitle: Welcome\n---\nIntro text of the home page.\n");
    site
}

/// A running `gemba serve` on a free port, stopped on drop.
pub struct Server {
    pub child: std::process::Child,
    pub port: u16,
    /// What the server printed, read continuously so its pipe never fills.
    pub log: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Server {
    pub fn start(root: &Path, extra: &[&str]) -> Server {
        // Port 0: the server binds a free port and says which.
        let mut child = Command::new(env!("CARGO_BIN_EXE_gemba"))
            .args(["serve", "--no-git", "--port", "0", "--root"])
            .arg(root)
            .args(extra)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let stderr = child.stderr.take().unwrap();
        let sink = std::sync::Arc::clone(&log);
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
            {
                let mut l = sink.lock().unwrap();
                l.push_str(&line);
                l.push('\n');
            }
        });
        let mut server = Server {
            child,
            port: 0,
            log,
        };
        let line = server.wait_log(0, "Serving on http://127.0.0.1:");
        server.port = line
            .split("http://127.0.0.1:")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .and_then(|p| p.parse().ok())
            .expect("the server says its port");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while std::time::Instant::now() < deadline {
            if server.try_get("/").is_some() {
                return server;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("server did not start");
    }

    /// How much the server has printed so far: a mark for `wait_log`.
    pub fn log_mark(&self) -> usize {
        self.log.lock().unwrap().len()
    }

    /// Wait until the server prints a line containing `needle` after `mark`;
    /// returns that line.
    pub fn wait_log(&self, mark: usize, needle: &str) -> String {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            {
                let log = self.log.lock().unwrap();
                if let Some(line) = log[mark.min(log.len())..]
                    .lines()
                    .find(|l| l.contains(needle))
                {
                    return line.to_string();
                }
                assert!(
                    std::time::Instant::now() < deadline,
                    "the server never said `{needle}`; it said:\n{log}"
                );
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// `(status, body)` of a GET, or `None` when nothing answers.
    pub fn try_get(&self, path: &str) -> Option<(u16, String)> {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        s.set_read_timeout(Some(std::time::Duration::from_secs(5)))
            .ok()?;
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        .ok()?;
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).ok()?;
        let text = String::from_utf8_lossy(&buf).into_owned();
        let status = text.split(' ').nth(1)?.parse().ok()?;
        let body = text
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default();
        Some((status, body))
    }

    pub fn get(&self, path: &str) -> (u16, String) {
        self.try_get(path)
            .unwrap_or_else(|| panic!("no answer for {path}"))
    }

    /// Wait until `path` answers with a body for which `check` holds.
    pub fn wait_for(&self, path: &str, what: &str, check: impl Fn(u16, &str) -> bool) -> String {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        let mut last = String::new();
        while std::time::Instant::now() < deadline {
            if let Some((status, body)) = self.try_get(path) {
                if check(status, &body) {
                    return body;
                }
                last = format!("{status}: {}", &body[..body.len().min(300)]);
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("{path}: {what} did not happen; last answer {last}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A small deterministic generator (xorshift), so that random cases are
/// the same on every run.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}
