//! Generate a deterministic synthetic site for the benchmark: N experiments,
//! N/10 hypotheses, N/200 playbooks of 4–6 stages, 1.5–4 KB bodies with
//! tables, lists, links and wiki links. Writes a gemba site and the same
//! content as a Hugo site with minimal layouts.
//!
//! cargo run --release --example bench_gen -- N OUT_DIR

use std::fmt::Write as _;
use std::path::Path;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const WORDS: &[&str] = &[
    "customer",
    "pricing",
    "onboarding",
    "segment",
    "pipeline",
    "retention",
    "message",
    "channel",
    "pilot",
    "activation",
    "referral",
    "webinar",
    "interview",
    "conversion",
    "churn",
    "expansion",
    "partner",
    "signal",
    "evidence",
    "learning",
    "decision",
    "cohort",
    "funnel",
    "renewal",
    "discovery",
    "trial",
];

fn sentence(rng: &mut Rng, words: usize) -> String {
    let mut s = String::new();
    for i in 0..words {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(WORDS[rng.below(WORDS.len())]);
    }
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect::<String>() + ".")
        .unwrap_or_default()
}

/// What a body of the rich corpus adds to plain prose: fenced code, a
/// relative link to a source file with an anchor, an image beside the
/// page, now and then a diagram and math.
struct Rich {
    /// A relative link to another file, anchor included.
    link: String,
}

const FENCES: [&str; 3] = [
    "```rust
fn lift(control: f64, variant: f64) -> f64 {
    (variant - control) / control
}
```
",
    "```yaml
metric: conversion
split: 0.5
mde: 10%
```
",
    "```python
def lift(control, variant):
    return (variant - control) / control
```
",
];

fn rich_part(rng: &mut Rng, rich: &Rich, out: &mut String) {
    out.push_str(FENCES[rng.below(FENCES.len())]);
    out.push('\n');
    let _ = writeln!(
        out,
        "{} Read [the hypothesis]({}) first.\n\n![Weekly chart](img/chart.png)\n",
        sentence(rng, 8),
        rich.link
    );
    if rng.below(20) == 0 {
        out.push_str("```mermaid\nflowchart LR\n  A[Idea] --> B{Test}\n  B --> C[Learn]\n```\n\n");
    }
    if rng.below(10) == 0 {
        out.push_str("The lift is $\\frac{v - c}{c}$.\n\n");
    }
}

fn body(rng: &mut Rng, links: &[String], rich: Option<&Rich>) -> String {
    let target = 1500 + rng.below(2500);
    let mut out = String::new();
    if let Some(rich) = rich {
        rich_part(rng, rich, &mut out);
    }
    while out.len() < target {
        match rng.below(6) {
            0 => {
                let _ = writeln!(out, "## {}\n", sentence(rng, 3).trim_end_matches('.'));
            }
            1 => {
                out.push_str("| Week | Visitors | Signups |\n|---|---|---|\n");
                for w in 1..=4 {
                    let _ = writeln!(
                        out,
                        "| {w} | {} | {} |",
                        1000 + rng.below(5000),
                        10 + rng.below(200)
                    );
                }
                out.push('\n');
            }
            2 => {
                for _ in 0..3 + rng.below(3) {
                    let _ = writeln!(out, "- {}", sentence(rng, 6));
                }
                out.push('\n');
            }
            3 if !links.is_empty() => {
                let l = &links[rng.below(links.len())];
                let _ = writeln!(
                    out,
                    "{} See [[{l}]] and [the guide](/guides/method/).\n",
                    sentence(rng, 12)
                );
            }
            _ => {
                let _ = writeln!(
                    out,
                    "{} {} **{}**.\n",
                    sentence(rng, 14),
                    sentence(rng, 10),
                    WORDS[rng.below(WORDS.len())]
                );
            }
        }
    }
    out
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args
        .get(1)
        .and_then(|a| a.parse().ok())
        .expect("usage: bench_gen N OUT_DIR [--plain]");
    let out = Path::new(args.get(2).expect("usage: bench_gen N OUT_DIR [--plain]"));
    // Plain prose only, to measure what the rich corpus's code, diagrams,
    // math, relative links and images cost.
    let plain = args.get(3).is_some_and(|a| a == "--plain");
    let gemba = out.join("gemba");
    let hugo = out.join("hugo");
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let playbooks = (n / 200).max(1);
    let hypotheses = (n / 10).max(1);
    let statuses = [
        "planned",
        "running",
        "validated",
        "invalidated",
        "inconclusive",
        "abandoned",
    ];
    let mut files: Vec<(String, String)> = Vec::new();
    let mut stage_ids = Vec::new();
    for p in 0..playbooks {
        let stages = 4 + rng.below(3);
        let mut fm = format!(
            "---\ntitle: Playbook {p}\nowner: Owner {}\nteam: Team {}\ntags: [strategy]\nstages:\n",
            p % 7,
            p % 5
        );
        for s in 0..stages {
            let _ = writeln!(
                fm,
                "  - {{id: stage-{s}, title: Stage {s}, goal: {}}}",
                sentence(&mut rng, 5).trim_end_matches('.')
            );
        }
        stage_ids.push(stages);
        let text = format!("{fm}---\n\n{}", body(&mut rng, &[], None));
        files.push((format!("playbooks/playbook-{p}.md"), text));
    }
    for h in 0..hypotheses {
        let p = h % playbooks;
        let s = rng.below(stage_ids[p]);
        let text = format!(
            "---\ntitle: Hypothesis {h}\nstatement: \"We believe that {} will result in {}.\"\nplaybook: playbook-{p}\nstage: stage-{s}\nowner: Owner {}\ntags: [{}]\n---\n\n{}",
            WORDS[rng.below(WORDS.len())],
            WORDS[rng.below(WORDS.len())],
            h % 11,
            WORDS[rng.below(WORDS.len())],
            body(&mut rng, &[format!("playbook-{p}")], None)
        );
        // Rich experiments link to this heading.
        let text = if plain {
            text
        } else {
            text.replacen(
                "---\n\n",
                "---\n\n## Evidence\n\nWhat we have seen so far.\n\n",
                1,
            )
        };
        files.push((format!("hypotheses/hypothesis-{h}.md"), text));
    }
    for e in 0..n {
        let h = e % hypotheses;
        let status = statuses[rng.below(statuses.len())];
        let concluded = !matches!(status, "planned" | "running");
        let month = 1 + e % 12;
        let mut fm = format!(
            "---\ntitle: Experiment {e}\nhypothesis: hypothesis-{h}\nstatus: {status}\nowner: Owner {}\nteam: Team {}\ntags: [{}, {}]\n",
            e % 13,
            e % 5,
            WORDS[rng.below(WORDS.len())],
            WORDS[rng.below(WORDS.len())]
        );
        if status != "planned" {
            let _ = writeln!(fm, "started: 2025-{month:02}-01");
        }
        if concluded {
            let _ = writeln!(fm, "ended: 2025-{month:02}-20");
            fm.push_str(
                [
                    "decision: persevere\n",
                    "decision: pivot\n",
                    "decision: stop\n",
                ][e % 3],
            );
        }
        if status == "planned" {
            let _ = writeln!(
                fm,
                "ice: {{impact: {}, confidence: {}, ease: {}}}",
                1 + rng.below(10),
                1 + rng.below(10),
                1 + rng.below(10)
            );
        }
        // Metrics that agree with the claim.
        let (target, actual) = match status {
            "validated" => (30, 40),
            "invalidated" => (30, 20),
            _ => (30, 25),
        };
        let _ = write!(
            fm,
            "metrics:\n  - {{name: Conversion, unit: \"%\", baseline: 10, target: {target}"
        );
        if concluded {
            let _ = write!(fm, ", actual: {actual}");
        }
        fm.push_str("}\n");
        if e >= hypotheses && e % 4 == 0 {
            let _ = writeln!(fm, "follows: experiment-{}", e - hypotheses);
        }
        let links = vec![
            format!("hypothesis-{h}"),
            format!("experiment-{}", (e * 7 + 3) % n),
        ];
        let rich = (!plain).then(|| Rich {
            link: format!("../../hypotheses/hypothesis-{h}.md#evidence"),
        });
        let text = format!("{fm}---\n\n{}", body(&mut rng, &links, rich.as_ref()));
        files.push((format!("experiments/{}/experiment-{e}.md", e % 20), text));
    }
    files.push((
        "guides/method.md".into(),
        "---\ntitle: Method\n---\n\nHow we experiment.\n".into(),
    ));

    for (rel, text) in &files {
        write(&gemba.join("content").join(rel), text);
        // Hugo reads the same front matter; its URLs follow the file path, so
        // the experiments' subfolders are flattened to match gemba's URLs.
        let flat = rel
            .split('/')
            .filter(|s| !s.chars().all(|c| c.is_ascii_digit()))
            .collect::<Vec<_>>()
            .join("/");
        write(&hugo.join("content").join(flat), text);
    }
    if !plain {
        // The image each experiment shows, beside its file (a PNG header
        // of 640 × 360 is all a size reader needs).
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend_from_slice(&640u32.to_be_bytes());
        png.extend_from_slice(&360u32.to_be_bytes());
        png.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
        for folder in 0..20.min(n) {
            for site in [&gemba, &hugo] {
                let dir = if std::ptr::eq(site, &gemba) {
                    format!("content/experiments/{folder}/img/chart.png")
                } else {
                    "static/experiments/img/chart.png".to_string()
                };
                std::fs::create_dir_all(site.join(&dir).parent().unwrap()).unwrap();
                std::fs::write(site.join(dir), &png).unwrap();
            }
        }
    }
    write(&gemba.join("gemba.yaml"), "title: Benchmark\n");
    write(
        &hugo.join("hugo.toml"),
        "baseURL = '/'\ntitle = 'Benchmark'\nrelativeURLs = true\n[taxonomies]\ntag = 'tags'\nowner = 'owner'\nteam = 'team'\n",
    );
    let base = "<!doctype html><html><head><title>{{ .Title }}</title></head><body><nav><a href=\"/\">Home</a></nav><main>{{ block \"main\" . }}{{ end }}</main></body></html>";
    write(&hugo.join("layouts/_default/baseof.html"), base);
    write(&hugo.join("layouts/_default/single.html"), "{{ define \"main\" }}<h1>{{ .Title }}</h1><p>{{ .Params.status }}</p>{{ .Content }}{{ end }}");
    write(&hugo.join("layouts/_default/list.html"), "{{ define \"main\" }}<h1>{{ .Title }}</h1><ul>{{ range .Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}");
    write(
        &hugo.join("layouts/index.html"),
        "{{ define \"main\" }}<h1>{{ .Site.Title }}</h1>{{ end }}",
    );
    eprintln!(
        "generated {} files ({n} experiments) in {}",
        files.len(),
        out.display()
    );
}
