//! The changes page: the changelog as days of commits, each with what it
//! changed in the items this build shows.

use super::RenderInput;
use crate::changelog::{FileChange, FileChangeKind, Version};
use serde_json::{json, Value};

/// The changelog as the changes page shows it: days, newest first, each
/// with its commits and, per commit, what it changed in the items this
/// build shows (a commit that changed none of them is left out; a public
/// build shows no commit messages, which may name internal work).
pub(super) fn changelog_days(input: &RenderInput) -> Vec<Value> {
    let m = input.model;
    if input.changelog.is_empty() {
        return Vec::new();
    }
    let by_rel: std::collections::HashMap<&str, usize> = m
        .docs
        .iter()
        .enumerate()
        .map(|(i, d)| (d.source.rel.as_str(), i))
        .collect();
    let public = m.selection.audience == Some(crate::model::Visibility::Public);
    let shown_version = |v: &Version| {
        (m.selection.drafts || !v.draft)
            && (!public
                || match v.visibility.as_deref() {
                    Some(vis) => vis == "public",
                    None => m.selection.default_visibility == crate::model::Visibility::Public,
                })
    };
    let mut days: Vec<(String, Vec<Value>)> = Vec::new();
    // A file's name now, for the names it had before later renames.
    let mut now_called: std::collections::HashMap<&str, &str> = Default::default();
    // Files since removed, and whether this build would show them (as
    // their last version says).
    let mut gone: std::collections::HashMap<&str, bool> = Default::default();
    for c in input.changelog {
        let mut files = Vec::new();
        let mut tally = Tally::default();
        for f in &c.files {
            let name = now_called.get(f.rel.as_str()).copied().unwrap_or(&f.rel);
            if let Some(old) = &f.old_rel {
                now_called.insert(old, name);
            }
            let doc = by_rel.get(name).copied();
            let latest = f.after.as_ref().or(f.before.as_ref());
            // An item this build shows; or one since removed whose last
            // version this build would have shown.
            if doc.is_none() && f.after.is_none() && !gone.contains_key(name) {
                gone.insert(name, f.before.as_ref().is_some_and(&shown_version));
            }
            let shown = doc.is_some() || gone.get(name).copied().unwrap_or(false);
            if !shown {
                continue;
            }
            let kind = crate::parse::folder_kind(&f.rel).name();
            let title = doc
                .map(|d| m.docs[d].title.clone())
                .or_else(|| latest.and_then(|v| v.title.clone()))
                .unwrap_or_else(|| f.rel.clone());
            let what = what_changed(f, &mut tally);
            // News: anything the model shows, not wording alone.
            let mut what = what;
            let news = !what.is_empty();
            if !news {
                // Both versions read: their wording changed; else a commit
                // too large to read file by file.
                let both = f.before.is_some() && f.after.is_some();
                what.push(if both { "text revised" } else { "revised" }.into());
            }
            files.push(json!({
                "title": title,
                "url": doc.map(|d| input.url(d)),
                "kind": kind,
                "what": what.join("; "),
                "news": news,
            }));
        }
        if files.is_empty() {
            continue;
        }
        let mut counts = Vec::new();
        for (n, word) in [
            (tally.added, "added"),
            (tally.removed, "removed"),
            (tally.revised, "revised"),
        ] {
            if n > 0 {
                counts.push(format!("{n} {word}"));
            }
        }
        let news = files.iter().any(|f| f["news"] == true);
        let commit = json!({
            "news": news,
            "titles": files.iter().filter_map(|f| f["title"].as_str()).collect::<Vec<_>>(),
            "id": c.id,
            "short": &c.id[..c.id.len().min(8)],
            "author": input.config.author_name(&c.author, &c.email),
            "summary": if public { None } else { Some(&c.summary) },
            "collapsed": files.len() > 8,
            "counts": counts.join(", "),
            "files": files,
        });
        match days.last_mut() {
            Some((day, commits)) if *day == c.date => commits.push(commit),
            _ => days.push((c.date.clone(), vec![commit])),
        }
    }
    days.into_iter()
        .take(90)
        .map(|(date, commits)| day_value(date, commits))
        .collect()
}

/// How many files a commit added, removed and revised.
#[derive(Default)]
struct Tally {
    added: usize,
    removed: usize,
    revised: usize,
}

/// What a file's change did that the model shows: added, removed, moved,
/// its status, decision, title or statement (empty for wording alone).
fn what_changed(f: &FileChange, tally: &mut Tally) -> Vec<String> {
    let quote = |s: &str| format!("\u{201c}{s}\u{201d}");
    let mut what: Vec<String> = Vec::new();
    match f.kind {
        FileChangeKind::Added => {
            tally.added += 1;
            what.push("added".into());
        }
        FileChangeKind::Removed => {
            tally.removed += 1;
            what.push("removed".into());
        }
        FileChangeKind::Renamed => {
            tally.revised += 1;
            what.push(format!(
                "moved from {}",
                f.old_rel.as_deref().unwrap_or("elsewhere")
            ));
        }
        FileChangeKind::Modified => tally.revised += 1,
    }
    if let (Some(b), Some(a)) = (&f.before, &f.after) {
        if b.status != a.status {
            what.push(format!(
                "{} \u{2192} {}",
                b.status.as_deref().unwrap_or("no status"),
                a.status.as_deref().unwrap_or("no status")
            ));
        }
        if b.decision != a.decision {
            what.push(match (&b.decision, &a.decision) {
                (None, Some(d)) => format!("decision: {d}"),
                (Some(x), Some(y)) => format!("decision: {x} \u{2192} {y}"),
                _ => "decision withdrawn".into(),
            });
        }
        if b.title != a.title {
            if let Some(old) = &b.title {
                what.push(format!("retitled from {}", quote(old)));
            }
        }
        if b.statement != a.statement && a.statement.is_some() {
            what.push(if b.statement.is_none() {
                "statement written".into()
            } else {
                "statement rewritten".into()
            });
        }
    }
    what
}

/// One day of the changes page: its commits, and those that change
/// nothing the model shows folded into one line.
fn day_value(date: String, commits: Vec<Value>) -> Value {
    // Commits that change nothing the model shows fold into a line.
    let quiet: Vec<&Value> = commits.iter().filter(|c| c["news"] == false).collect();
    let mut titles: Vec<&str> = quiet
        .iter()
        .flat_map(|c| c["titles"].as_array().into_iter().flatten())
        .filter_map(Value::as_str)
        .collect();
    titles.dedup();
    let mut authors: Vec<&str> = quiet.iter().filter_map(|c| c["author"].as_str()).collect();
    authors.sort_unstable();
    authors.dedup();
    let messages: Vec<String> = quiet
        .iter()
        .filter_map(|c| c["summary"].as_str())
        .map(|m| format!("\u{201c}{m}\u{201d}"))
        .collect();
    let quiet_line = (!quiet.is_empty()).then(|| {
        format!(
            "{} {} revised wording only ({}){}, by {}",
            quiet.len(),
            if quiet.len() == 1 {
                "commit"
            } else {
                "commits"
            },
            titles.join(", "),
            if messages.is_empty() {
                String::new()
            } else {
                format!(": {}", messages.join(", "))
            },
            authors.join(", ")
        )
    });
    json!({"date": date, "commits": commits, "quiet": quiet_line})
}
