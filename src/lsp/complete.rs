//! Completion: front-matter keys of the file's kind, the values of keys
//! that take a fixed set, slugs after `playbook:`, `hypothesis:` and
//! `follows:`, the chosen playbook's stage ids after `stage:`, and link
//! targets after `[[` and inside `](`.

use super::navigate::Docs;
use super::workspace::Workspace;
use crate::load::split_front_matter;
use crate::model::{nested_keys, Kind};
use lsp_types::{CompletionItem, CompletionItemKind};
use std::path::Path;

/// Keys that may stand inside the list items of a top-level key.
/// The kind of a file, from its parsed document or else from its folder.
fn kind_of(ws: &Workspace, path: &Path) -> Kind {
    if let Some(doc) = ws.document(path) {
        return doc.kind;
    }
    path.strip_prefix(ws.root.join("content"))
        .ok()
        .and_then(|rel| rel.components().next())
        .and_then(|c| Kind::parse(&c.as_os_str().to_string_lossy()))
        .filter(|k| *k != Kind::Page)
        .unwrap_or(Kind::Page)
}

/// Completions at byte `offset` of `text`, the buffer of `path`.
pub fn complete(ws: &Workspace, path: &Path, text: &str, offset: usize) -> Vec<CompletionItem> {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..offset];
    let line_no = text[..line_start].matches('\n').count() + 1;
    let docs = Docs::of(ws);
    let kind = kind_of(ws, path);
    let in_front = match split_front_matter(text) {
        Ok(split) => split.front.is_some() && line_no >= 2 && line_no < split.body_line - 1,
        // An unclosed block: everything after the first line is front matter.
        Err(_) => line_no >= 2,
    };
    if in_front {
        return front_matter(ws, &docs, kind, text, line_start, before);
    }
    body(ws, &docs, path, before)
}

fn front_matter(
    ws: &Workspace,
    docs: &Docs,
    kind: Kind,
    text: &str,
    line_start: usize,
    before: &str,
) -> Vec<CompletionItem> {
    // The key being given a value: the last `key:` before the cursor.
    if let Some(colon) = before.rfind(':') {
        let head = &before[..colon];
        let key = head
            .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .next()
            .unwrap_or("");
        let typed = before[colon + 1..].trim_start();
        if typed.contains([',', '}']) {
            return Vec::new();
        }
        return values(ws, docs, kind, text, key);
    }
    let indented = before.starts_with([' ', '\t', '-']);
    let keys: Vec<(&str, &str)> = if indented {
        // Inside a list under a top-level key: that key's item keys.
        let parent = text[..line_start]
            .lines()
            .rev()
            .find(|l| l.chars().next().is_some_and(|c| c.is_ascii_alphabetic()))
            .and_then(|l| l.split(':').next())
            .unwrap_or("");
        nested_keys(parent.trim()).map(|k| (k, "")).collect()
    } else {
        kind.keys().map(|k| (k.name, k.doc)).collect()
    };
    keys.into_iter()
        .map(|(k, doc)| CompletionItem {
            label: k.to_string(),
            kind: Some(CompletionItemKind::PROPERTY),
            detail: Some(doc.to_string()).filter(|d| !d.is_empty()),
            insert_text: Some(format!("{k}: ")),
            ..CompletionItem::default()
        })
        .collect()
}

fn values(ws: &Workspace, docs: &Docs, kind: Kind, text: &str, key: &str) -> Vec<CompletionItem> {
    let slugs_of = |of: Kind| -> Vec<CompletionItem> {
        docs.all
            .iter()
            .filter(|d| d.kind == of)
            .map(|d| CompletionItem {
                label: d.slug.clone(),
                kind: Some(CompletionItemKind::REFERENCE),
                detail: Some(format!("{} · {}", d.title, status_of(ws, d))),
                ..CompletionItem::default()
            })
            .collect()
    };
    if let Some(of) = kind.key(key).and_then(|k| k.names) {
        return slugs_of(of);
    }
    match key {
        "stage" => stages(docs, text)
            .into_iter()
            .map(|(id, title)| CompletionItem {
                label: id,
                kind: Some(CompletionItemKind::ENUM_MEMBER),
                detail: Some(title),
                ..CompletionItem::default()
            })
            .collect(),
        _ => kind
            .key_values(key)
            .iter()
            .map(|v| CompletionItem {
                label: v.to_string(),
                kind: Some(CompletionItemKind::ENUM_MEMBER),
                ..CompletionItem::default()
            })
            .collect(),
    }
}

fn status_of(ws: &Workspace, d: &crate::parse::Document) -> String {
    match d.kind {
        Kind::Playbook => d.playbook_status.name().into(),
        Kind::Experiment => d.experiment_status.name().into(),
        Kind::Hypothesis => ws
            .hypothesis_status(&d.slug)
            .map_or("untested", |s| s.name())
            .into(),
        Kind::Page => "page".into(),
    }
}

/// The stages (id, title) of the playbook a buffer names, directly or
/// through its hypothesis.
fn stages(docs: &Docs, text: &str) -> Vec<(String, String)> {
    let value = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
            .map(|v| v.trim().trim_matches(['"', '\'']).to_string())
            .filter(|v| !v.is_empty())
    };
    // A buffer being typed may not parse: its keys are read line by line.
    let (playbook, hypothesis) = (value("playbook"), value("hypothesis"));
    let Some(p) = docs
        .index()
        .playbook_of(&docs.all, playbook.as_deref(), hypothesis.as_deref())
    else {
        return Vec::new();
    };
    docs.all[p]
        .fm
        .stages
        .iter()
        .map(|s| (s.id.clone(), s.title.clone()))
        .collect()
}

fn body(ws: &Workspace, docs: &Docs, path: &Path, before: &str) -> Vec<CompletionItem> {
    if let Some(open) = before.rfind("[[") {
        if !before[open..].contains("]]") {
            return docs
                .all
                .iter()
                .filter(|d| !d.is_home_intro())
                .map(|d| CompletionItem {
                    label: d.slug.clone(),
                    kind: Some(CompletionItemKind::REFERENCE),
                    detail: Some(format!("{} · {}", d.kind.name(), d.title)),
                    ..CompletionItem::default()
                })
                .collect();
        }
    }
    if let Some(open) = before.rfind("](") {
        if !before[open..].contains(')') {
            let from = path.parent().unwrap_or(path);
            return docs
                .all
                .iter()
                .map(|d| ws.path_of(d))
                .filter(|p| p != path)
                .map(|p| CompletionItem {
                    label: relative(from, &p),
                    kind: Some(CompletionItemKind::FILE),
                    ..CompletionItem::default()
                })
                .collect();
        }
    }
    Vec::new()
}

/// `to` relative to the folder `from`, with `/` and `..` as a link has it.
fn relative(from: &Path, to: &Path) -> String {
    let from: Vec<_> = from.components().collect();
    let to_parts: Vec<_> = to.components().collect();
    let common = from
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut parts: Vec<String> = vec!["..".into(); from.len() - common];
    parts.extend(
        to_parts[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_links_climb_and_descend() {
        assert_eq!(
            relative(
                Path::new("/s/content/experiments"),
                Path::new("/s/content/hypotheses/h.md")
            ),
            "../hypotheses/h.md"
        );
        assert_eq!(
            relative(Path::new("/s/content"), Path::new("/s/content/a/b.md")),
            "a/b.md"
        );
    }
}
