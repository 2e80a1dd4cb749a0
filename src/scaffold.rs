//! `gemba init` and `gemba new`: files a writer starts from.

use crate::model::Kind;
use include_dir::{include_dir, Dir};
use std::path::{Path, PathBuf};

static EXAMPLE_CONTENT: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/content");

/// The example site's configuration: this repository's own, so that the
/// header and the home page's intro agree.
const EXAMPLE_CONFIG: &str = include_str!("../gemba.yaml");

const EMPTY_CONFIG: &str = "\
# gemba site configuration; every key is optional.
title: Playbooks
description: What we believe, what we tested, and what we learned.
base_url: /                 # or https://playbooks.example.com
theme: default              # themes/<name>, or the built-in default theme
language: en
default_visibility: internal
taxonomies: [tags, owners, teams]
";

const EMPTY_INTRO: &str = "\
---
title: Playbooks
---

This site shows what we believe, what we tested with real customers, and what we learned. It fills up as you write:

1. A **playbook** is a sequence of stages: `gemba new playbook \"Find our first customers\"`.
2. A **hypothesis** is a belief worth testing, filed under a stage: `gemba new hypothesis \"Founders sell better than decks\"`.
3. An **experiment** tests a hypothesis, and its outcome decides the hypothesis's status: `gemba new experiment \"Ten founder-led calls\"`.

Edit this text in `content/index.md`; `gemba serve` shows every change as you save.
";

/// Create a new site in `dir` (which must be empty or absent): with the
/// example content, or with `empty`, only an inviting home page.
pub fn init(dir: &Path, empty: bool) -> Result<(), String> {
    if dir.exists()
        && std::fs::read_dir(dir)
            .map_err(|e| e.to_string())?
            .next()
            .is_some()
    {
        return Err(format!(
            "{} is not empty; choose a new folder",
            dir.display()
        ));
    }
    let write = |rel: &Path, bytes: &[u8]| -> Result<(), String> {
        let path = dir.join(rel);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p).map_err(|e| format!("{}: {e}", p.display()))?;
        }
        std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))
    };
    if empty {
        write(Path::new("gemba.yaml"), EMPTY_CONFIG.as_bytes())?;
        write(Path::new("content/index.md"), EMPTY_INTRO.as_bytes())?;
        for kind in Kind::STRUCTURED {
            write(
                &Path::new("content").join(kind.section()).join(".keep"),
                b"",
            )?;
        }
    } else {
        write(Path::new("gemba.yaml"), EXAMPLE_CONFIG.as_bytes())?;
        for file in crate::theme::all_files(&EXAMPLE_CONTENT) {
            write(&Path::new("content").join(file.path()), file.contents())?;
        }
    }
    write(Path::new("static/.keep"), b"")?;
    write(Path::new("templates/.keep"), b"")?;
    Ok(())
}

/// The text of a new file of `kind` titled `title`, every key present.
pub fn template_for(kind: Kind, title: &str, today: &str) -> String {
    let quoted = serde_json::to_string(title).unwrap_or_else(|_| format!("\"{title}\""));
    match kind {
        Kind::Playbook => format!(
            "---\ntitle: {quoted}\nsummary: \nstatus: draft            # draft | active | retired\nversion: \"0.1\"\nowner: \nteam: \ntags: []\ndate: {today}\nvisibility: internal      # internal | public\nstages:\n  - id: discover\n    title: Discover\n    goal: \n  - id: validate\n    title: Validate\n    goal: \n---\n\nWhat this playbook is for, and how a team uses it.\n"
        ),
        Kind::Hypothesis => format!(
            "---\ntitle: {quoted}\nstatement: \"We believe that … will result in … We will know when …\"\nplaybook:                 # slug of a playbook\nstage:                    # a stage id of that playbook\nowner: \ntags: []\ndate: {today}\nvisibility: internal\n---\n\nWhy we believe this, and what would change our mind.\n"
        ),
        Kind::Experiment => format!(
            "---\ntitle: {quoted}\nhypothesis:               # slug of the hypothesis it tests\nstatus: planned           # planned | running | validated | invalidated | inconclusive | abandoned\nstarted: \nended: \nowner: \nteam: \ntags: []\nice: {{impact: 5, confidence: 5, ease: 5}}\nmetrics:\n  - name: Conversion\n    unit: \"%\"\n    baseline: \n    target: \n    actual: \n    direction: increase   # increase | decrease\n    # With counts, gemba computes the lift, its interval and p, and checks the claim:\n    # control: {{units: 10000, conversions: 500}}   # or {{units: …, mean: …, sd: …}}\n    # variant: {{units: 10000, conversions: 560}}\n# mde: 10%                # the smallest effect worth detecting: sizes the sample\n# decision: persevere     # persevere | pivot | stop, once concluded\n# follows:                # slug of the experiment this one iterates on\ndate: {today}\nvisibility: internal\n---\n\n## Setup\n\nWho saw what, for how long, and how units were split.\n\n## Result\n\n## What we learned\n\n## Decision and why\n"
        ),
        Kind::Page => format!("---\ntitle: {quoted}\n---\n\n"),
    }
}

/// Write a new file for `kind` under `root/content/`, refusing to overwrite.
pub fn new_file(root: &Path, kind: Kind, title: &str, today: &str) -> Result<PathBuf, String> {
    let slug = crate::model::slugify(title);
    if slug.is_empty() {
        return Err("the title needs at least one letter or digit".into());
    }
    let dir = root.join("content").join(kind.section());
    let path = dir.join(format!("{slug}.md"));
    if path.exists() {
        return Err(format!(
            "{} already exists; not overwriting it",
            path.display()
        ));
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    std::fs::write(&path, template_for(kind, title, today))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::SourceFile;

    #[test]
    fn new_files_parse_cleanly() {
        for kind in Kind::STRUCTURED {
            let text = template_for(kind, "Annual \"pricing\" test", "2026-01-01");
            let rel = format!("{}/x.md", kind.section());
            let f = SourceFile {
                path: rel.clone().into(),
                rel,
                text,
                mtime: None,
            };
            let (doc, diags) = crate::parse::parse_document(f);
            assert!(diags.is_empty(), "{kind}: {diags:?}");
            assert_eq!(doc.unwrap().title, "Annual \"pricing\" test");
        }
    }
}
