//! Where a reference leads and where a document is referenced: the slug
//! values of `playbook:`, `hypothesis:`, `follows:` and `stage:` and the
//! targets of wiki links, for go to definition, find references, hover and
//! rename; and a file's headings as its symbols.

use super::text::{byte_range, path_uri, span_bytes};
use super::workspace::Workspace;
use crate::markdown::options;
use crate::model::{is_valid_slug, Kind};
use crate::parse::Document;
use crate::resolve::Index;
use lsp_types::{
    DocumentChangeOperation, DocumentChanges, DocumentSymbol, Location, OneOf,
    OptionalVersionedTextDocumentIdentifier, Range, RenameFile, ResourceOp, SymbolKind,
    TextDocumentEdit, TextEdit, WorkspaceEdit,
};
use std::collections::{BTreeMap, HashMap};
use std::ops::Range as Bytes;
use std::path::Path;
use std::sync::Arc;

/// The front-matter keys of `doc`'s kind whose value names another
/// document, with that document's kind.
fn reference_keys(doc: &Document) -> impl Iterator<Item = (&'static str, Kind)> {
    doc.kind.keys().filter_map(|k| Some((k.name, k.names?)))
}

/// What the cursor is on.
pub enum Token {
    /// A document named by a front-matter key or a wiki link.
    Doc { target: usize },
    /// A stage id: the playbook that has it, and the id.
    Stage { playbook: usize, id: String },
}

/// Every parsed document and an index over them.
pub struct Docs {
    pub all: Vec<Arc<Document>>,
}

impl Docs {
    pub fn of(ws: &Workspace) -> Docs {
        Docs {
            all: ws.documents(),
        }
    }

    pub fn index(&self) -> Index<'_> {
        Index::new(&self.all)
    }

    pub fn find(&self, kind: Kind, slug: &str) -> Option<usize> {
        self.index().get(kind, slug)
    }

    fn position(&self, doc: &Arc<Document>) -> Option<usize> {
        self.all.iter().position(|d| Arc::ptr_eq(d, doc))
    }
}

/// Where a body starts in the file's text (after a byte-order mark).
fn body_offset(doc: &Document) -> usize {
    let bom = if doc.source.text.starts_with('\u{feff}') {
        3
    } else {
        0
    };
    bom + doc.body_start
}

/// The bytes of a wiki link's target name (the slug after any `kind/`,
/// before any `#anchor`) in the file's text.
fn wiki_slug_bytes(doc: &Document, link: &crate::markdown::WikiLink) -> Bytes<usize> {
    let start = body_offset(doc) + link.range.start + 2;
    let end = body_offset(doc) + link.range.end - 2;
    let inner = &doc.source.text[start..end];
    let target = inner.split('|').next().unwrap_or(inner);
    let target = target.split('#').next().unwrap_or(target);
    let lead = target.len() - target.trim_start().len();
    let trimmed = target.trim();
    let name_at = trimmed.rfind('/').map_or(0, |i| i + 1);
    let from = start + lead + name_at;
    from..start + lead + trimmed.len()
}

/// The value bytes of a top-level front-matter key.
fn value_bytes(doc: &Document, key: &str) -> Option<Bytes<usize>> {
    let span = doc.key_spans.get(key)?.value;
    let bytes = span_bytes(&doc.source.text, span);
    (!bytes.is_empty()).then_some(bytes)
}

/// The playbook a document's stage belongs to.
fn playbook_of(docs: &Docs, doc: &Document) -> Option<usize> {
    docs.index().playbook_of(
        &docs.all,
        doc.fm.playbook.as_deref(),
        doc.fm.hypothesis.as_deref(),
    )
}

/// What is at byte `offset` of the file `path`.
pub fn token_at(ws: &Workspace, docs: &Docs, path: &Path, offset: usize) -> Option<Token> {
    let doc = ws.document(path)?;
    let inside = |r: &Bytes<usize>| r.start <= offset && offset <= r.end;
    for (key, kind) in reference_keys(&doc) {
        if let Some(bytes) = value_bytes(&doc, key).filter(inside) {
            let slug = doc.source.text[bytes.clone()].trim().to_string();
            return Some(Token::Doc {
                target: docs.find(kind, &slug)?,
            });
        }
    }
    if value_bytes(&doc, "stage").is_some_and(|b| inside(&b)) {
        return Some(Token::Stage {
            playbook: playbook_of(docs, &doc)?,
            id: doc.fm.stage.clone()?,
        });
    }
    let index = docs.index();
    for link in &doc.wiki_links {
        let whole = body_offset(&doc) + link.range.start..body_offset(&doc) + link.range.end;
        if inside(&whole) {
            let target = link.target.split('#').next().unwrap_or(&link.target);
            return Some(Token::Doc {
                target: index.wiki(target)?,
            });
        }
    }
    None
}

/// What a hover shows of the front-matter key at byte `offset`, from
/// the table of keys.
pub fn key_at(ws: &Workspace, path: &Path, offset: usize) -> Option<String> {
    let doc = ws.document(path)?;
    let (name, _) = doc.key_spans.iter().find(|(_, k)| {
        let bytes = span_bytes(&doc.source.text, k.key);
        bytes.start <= offset && offset < bytes.end
    })?;
    let key = doc.kind.key(name)?;
    let mut text = format!("**`{}`** · {}\n\n{}", key.name, key.ty, key.doc);
    if !key.values.is_empty() {
        text.push_str(&format!("\n\none of: {}", key.values.join(", ")));
    }
    Some(text)
}

/// The document a request is about: the one the cursor names, else the
/// file's own.
pub fn subject(ws: &Workspace, docs: &Docs, path: &Path, offset: usize) -> Option<usize> {
    match token_at(ws, docs, path, offset) {
        Some(Token::Doc { target }) => Some(target),
        Some(Token::Stage { playbook, .. }) => Some(playbook),
        None => docs.position(&ws.document(path)?),
    }
}

pub fn definition(ws: &Workspace, docs: &Docs, path: &Path, offset: usize) -> Option<Location> {
    match token_at(ws, docs, path, offset)? {
        Token::Doc { target } => {
            let file = ws.path_of(&docs.all[target]);
            Some(Location::new(path_uri(&file), Range::default()))
        }
        Token::Stage { playbook, id } => {
            let doc = &docs.all[playbook];
            let text = &doc.source.text;
            // The line that declares the stage's id.
            let at = text
                .match_indices(id.as_str())
                .map(|(i, _)| i)
                .find(|&i| {
                    let line_start = text[..i].rfind('\n').map_or(0, |l| l + 1);
                    text[line_start..i].contains("id:")
                })
                .unwrap_or(0);
            Some(Location::new(
                path_uri(&ws.path_of(doc)),
                byte_range(text, at..at + if at == 0 { 0 } else { id.len() }),
            ))
        }
    }
}

/// Every place that names document `target`: front-matter references and
/// wiki links, as (file, bytes of the name) pairs.
fn mentions(ws: &Workspace, docs: &Docs, target: usize) -> Vec<(Arc<Document>, Bytes<usize>)> {
    let t = &docs.all[target];
    let index = docs.index();
    let mut found = Vec::new();
    for doc in &docs.all {
        for (key, kind) in reference_keys(doc) {
            if kind == t.kind && doc.fm.slug_named_by(key) == Some(t.slug.as_str()) {
                if let Some(bytes) = value_bytes(doc, key) {
                    found.push((Arc::clone(doc), bytes));
                }
            }
        }
        for link in &doc.wiki_links {
            let name = link.target.split('#').next().unwrap_or(&link.target);
            if !name.is_empty() && index.wiki(name) == Some(target) {
                found.push((Arc::clone(doc), wiki_slug_bytes(doc, link)));
            }
        }
    }
    let _ = ws;
    found
}

pub fn references(
    ws: &Workspace,
    docs: &Docs,
    target: usize,
    include_declaration: bool,
) -> Vec<Location> {
    let mut out: Vec<Location> = mentions(ws, docs, target)
        .into_iter()
        .map(|(doc, bytes)| {
            Location::new(
                path_uri(&ws.path_of(&doc)),
                byte_range(&doc.source.text, bytes),
            )
        })
        .collect();
    if include_declaration {
        out.insert(
            0,
            Location::new(path_uri(&ws.path_of(&docs.all[target])), Range::default()),
        );
    }
    out
}

/// What a hover shows of a document: title, kind and status, and its
/// statement, headline metric or summary.
pub fn describe(ws: &Workspace, docs: &Docs, target: usize) -> String {
    let d = &docs.all[target];
    let status = match d.kind {
        Kind::Playbook => Some(d.playbook_status.name().to_string()),
        Kind::Experiment => Some(d.experiment_status.name().to_string()),
        Kind::Hypothesis => ws.hypothesis_status(&d.slug).map(|s| s.name().to_string()),
        Kind::Page => None,
    };
    let mut text = format!("**{}**  \n{}", d.title, d.kind.name());
    if let Some(s) = status {
        text.push_str(&format!(" · {s}"));
    }
    if let Some(statement) = &d.fm.statement {
        text.push_str(&format!("\n\n{statement}"));
    }
    let result = (d.kind == Kind::Experiment)
        .then(|| ws.experiment_result(&d.slug))
        .flatten();
    if let Some(result) = &result {
        text.push_str(&format!("\n\n{result}"));
    } else if let Some(m) = d.fm.metrics.first() {
        text.push_str(&format!(
            "\n\n{}: {}",
            m.name,
            crate::render::metric_text(m)
        ));
    }
    if let Some(decision) = d.fm.decision {
        text.push_str(&format!("\n\ndecision: {}", decision.name()));
    }
    let summary =
        d.fm.summary
            .clone()
            .unwrap_or_else(|| crate::markdown::summarize(d.body()));
    if !summary.is_empty() && d.fm.statement.is_none() {
        text.push_str(&format!("\n\n{summary}"));
    }
    text
}

/// Why a rename cannot be done.
pub type Refusal = String;

/// Rename document `target` to `new`: every front-matter reference and
/// wiki link that names it, and its own `slug:` or file name.
pub fn rename(
    ws: &Workspace,
    docs: &Docs,
    target: usize,
    new: &str,
    can_rename_files: bool,
) -> Result<WorkspaceEdit, Refusal> {
    let t = &docs.all[target];
    if t.kind == Kind::Page {
        return Err("a plain page is named by its path: move its file to rename it".into());
    }
    if !is_valid_slug(new) {
        return Err(format!("`{new}` is not a slug: use a-z, 0-9 and -"));
    }
    if docs.find(t.kind, new).is_some_and(|other| other != target) {
        return Err(format!("{} `{new}` exists already", t.kind.with_article()));
    }
    // A bare `[[new]]` could lead to another document: then write the kind.
    let bare_taken = docs.index().wiki(new).is_some_and(|other| other != target);
    let mut edits: BTreeMap<std::path::PathBuf, Vec<TextEdit>> = BTreeMap::new();
    for (doc, bytes) in mentions(ws, docs, target) {
        let text = &doc.source.text;
        let in_link = bytes.start >= 2
            && doc.wiki_links.iter().any(|l| {
                let start = body_offset(&doc) + l.range.start;
                start <= bytes.start && bytes.end <= body_offset(&doc) + l.range.end
            });
        let qualified = in_link && bare_taken && !text[..bytes.start].ends_with('/');
        let name = if qualified {
            format!("{}/{new}", t.kind.name())
        } else {
            new.to_string()
        };
        edits
            .entry(ws.path_of(&doc))
            .or_default()
            .push(TextEdit::new(byte_range(text, bytes), name));
    }
    let own = ws.path_of(t);
    let mut rename_file = None;
    if let Some(bytes) = value_bytes(t, "slug") {
        edits
            .entry(own.clone())
            .or_default()
            .push(TextEdit::new(byte_range(&t.source.text, bytes), new.into()));
    } else if can_rename_files {
        rename_file = Some(own.with_file_name(format!("{new}.md")));
    } else {
        // The file keeps its name; the slug is written instead.
        let after_fence = t.source.text.find('\n').map_or(0, |i| i + 1);
        let at = super::text::position_of(&t.source.text, after_fence);
        edits
            .entry(own.clone())
            .or_default()
            .push(TextEdit::new(Range::new(at, at), format!("slug: {new}\n")));
    }
    if !can_rename_files {
        // The protocol's own map type: URIs hash by their text.
        #[allow(clippy::mutable_key_type)]
        let changes: HashMap<_, _> = edits
            .into_iter()
            .map(|(path, e)| (path_uri(&path), e))
            .collect();
        return Ok(WorkspaceEdit::new(changes));
    }
    let mut ops: Vec<DocumentChangeOperation> = edits
        .into_iter()
        .map(|(path, e)| {
            DocumentChangeOperation::Edit(TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier {
                    uri: path_uri(&path),
                    version: None,
                },
                edits: e.into_iter().map(OneOf::Left).collect(),
            })
        })
        .collect();
    if let Some(to) = rename_file {
        if to.exists() {
            return Err(format!("{} exists already", to.display()));
        }
        ops.push(DocumentChangeOperation::Op(ResourceOp::Rename(
            RenameFile {
                old_uri: path_uri(&own),
                new_uri: path_uri(&to),
                options: None,
                annotation_id: None,
            },
        )));
    }
    Ok(WorkspaceEdit {
        document_changes: Some(DocumentChanges::Operations(ops)),
        ..WorkspaceEdit::default()
    })
}

/// The headings of a file's body, nested by level.
#[allow(deprecated)] // `DocumentSymbol::deprecated` must still be given.
pub fn symbols(text: &str, body_start: usize) -> Vec<DocumentSymbol> {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let body = &text[body_start.min(text.len())..];
    let mut flat: Vec<(u32, DocumentSymbol)> = Vec::new();
    let mut current: Option<(u32, usize, String)> = None;
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                current = Some((level as u32, range.start, String::new()));
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, _, name)) = &mut current {
                    name.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, start, name)) = current.take() {
                    let end = body_start + range.end;
                    let r = byte_range(text, body_start + start..end.min(text.len()));
                    let name = if name.trim().is_empty() {
                        "(untitled)".to_string()
                    } else {
                        name.trim().to_string()
                    };
                    flat.push((
                        level,
                        DocumentSymbol {
                            name,
                            detail: None,
                            kind: SymbolKind::STRING,
                            tags: None,
                            deprecated: None,
                            range: r,
                            selection_range: r,
                            children: None,
                        },
                    ));
                }
            }
            _ => {}
        }
    }
    nest(flat)
}

/// Headings into a tree: each takes the later ones of a deeper level.
fn nest(flat: Vec<(u32, DocumentSymbol)>) -> Vec<DocumentSymbol> {
    let mut roots: Vec<DocumentSymbol> = Vec::new();
    let mut stack: Vec<(u32, DocumentSymbol)> = Vec::new();
    let close = |stack: &mut Vec<(u32, DocumentSymbol)>, roots: &mut Vec<DocumentSymbol>| {
        let (_, done) = stack.pop().expect("a symbol");
        match stack.last_mut() {
            Some((_, parent)) => parent.children.get_or_insert_with(Vec::new).push(done),
            None => roots.push(done),
        }
    };
    for (level, sym) in flat {
        while stack.last().is_some_and(|(l, _)| *l >= level) {
            close(&mut stack, &mut roots);
        }
        stack.push((level, sym));
    }
    while !stack.is_empty() {
        close(&mut stack, &mut roots);
    }
    roots
}

/// The position at the start of a document's body.
pub fn body_start_of(doc: &Document) -> usize {
    body_offset(doc)
}
