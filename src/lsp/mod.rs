//! `gemba lsp`: the Language Server Protocol over stdio, for writers'
//! editors. It keeps the site as the editor has it (`Workspace`: unsaved
//! buffers in place of their files), publishes what `gemba check` reports
//! as the user types, and answers completion, definition, references,
//! hover, document symbols and rename from the parsed documents.
//!
//! Messages are read here rather than by `lsp-server`'s own reader, so
//! that a malformed message (bad framing, invalid UTF-8, a lone surrogate)
//! gets a parse error and the server goes on.

mod complete;
mod navigate;
mod text;
mod workspace;

use lsp_server::{ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{self, Notification as _};
use lsp_types::request::{self, Request as _};
use lsp_types::{
    CompletionOptions, CompletionResponse, DocumentSymbolResponse, GotoDefinitionResponse, Hover,
    HoverContents, HoverProviderCapability, InitializeResult, MarkupContent, MarkupKind, OneOf,
    PublishDiagnosticsParams, RenameOptions, ServerCapabilities, ServerInfo,
    TextDocumentSyncCapability, TextDocumentSyncKind,
};
use navigate::{Docs, Token};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;
use text::{offset_of, path_uri, uri_path};
use workspace::Workspace;

/// How long typing must pause before diagnostics are published.
const DEBOUNCE: Duration = Duration::from_millis(30);

/// A request's failure: the protocol's error code and a message.
type Failure = (ErrorCode, String);

/// What the reader thread hands the server.
enum Incoming {
    Message(Message),
    /// A message that could not be read as JSON-RPC.
    Malformed(String),
}

/// Serve the protocol on stdin and stdout until the client says `exit` or
/// closes stdin.
pub fn run() -> Result<(), String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || read_messages(std::io::stdin().lock(), tx));
    let mut server = Server::new(std::io::stdout());
    server.serve(rx);
    Ok(())
}

/// Read framed messages (`Content-Length` headers, then the body) until the
/// stream ends.
fn read_messages(mut input: impl BufRead, tx: mpsc::Sender<Incoming>) {
    loop {
        let mut length: Option<usize> = None;
        let mut header = Vec::new();
        loop {
            header.clear();
            match input.read_until(b'\n', &mut header) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let line = String::from_utf8_lossy(&header);
            let line = line.trim_end();
            if line.is_empty() {
                if length.is_some() {
                    break;
                }
                continue;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.trim().eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().ok();
                }
            }
        }
        let Some(length) = length.filter(|&n| n <= 256 << 20) else {
            let _ = tx.send(Incoming::Malformed("no usable Content-Length".into()));
            continue;
        };
        let mut body = vec![0; length];
        if input.read_exact(&mut body).is_err() {
            return;
        }
        let text = String::from_utf8_lossy(&body);
        let incoming = match serde_json::from_str::<Message>(&text) {
            Ok(message) => Incoming::Message(message),
            Err(e) => Incoming::Malformed(e.to_string()),
        };
        if tx.send(incoming).is_err() {
            return;
        }
    }
}

struct Server<W: Write> {
    out: W,
    workspace: Option<Workspace>,
    /// The site folder the client named at `initialize`, if any.
    root_hint: Option<PathBuf>,
    /// Diagnostics as last published, by file.
    published: BTreeMap<PathBuf, Vec<lsp_types::Diagnostic>>,
    /// Files changed since diagnostics were last published.
    dirty: bool,
    can_rename_files: bool,
    shutting_down: bool,
}

impl<W: Write> Server<W> {
    fn new(out: W) -> Server<W> {
        Server {
            out,
            workspace: None,
            root_hint: None,
            published: BTreeMap::new(),
            dirty: false,
            can_rename_files: false,
            shutting_down: false,
        }
    }

    fn serve(&mut self, rx: mpsc::Receiver<Incoming>) {
        while let Ok(first) = rx.recv() {
            if self.handle(first) {
                return;
            }
            // Take whatever else arrived, then wait for typing to pause.
            loop {
                let next = if self.dirty {
                    rx.recv_timeout(DEBOUNCE).ok()
                } else {
                    rx.try_recv().ok()
                };
                let Some(incoming) = next else { break };
                if self.handle(incoming) {
                    return;
                }
            }
            if self.dirty {
                self.publish_diagnostics();
            }
        }
    }

    /// Handle one message; true when the server should stop.
    fn handle(&mut self, incoming: Incoming) -> bool {
        match incoming {
            Incoming::Malformed(why) => {
                // JSON-RPC's parse error, with a null id.
                let reply = serde_json::json!({
                    "jsonrpc": "2.0",
                    "id": null,
                    "error": {"code": ErrorCode::ParseError as i32, "message": why},
                });
                self.send_raw(&reply.to_string());
                false
            }
            Incoming::Message(Message::Request(req)) => {
                let response = self.request(req);
                self.send(Message::Response(response));
                false
            }
            Incoming::Message(Message::Notification(n)) => self.notification(n),
            Incoming::Message(Message::Response(_)) => false,
        }
    }

    fn send(&mut self, message: Message) {
        let _ = message.write(&mut self.out);
        let _ = self.out.flush();
    }

    fn send_raw(&mut self, body: &str) {
        let _ = write!(self.out, "Content-Length: {}\r\n\r\n{body}", body.len());
        let _ = self.out.flush();
    }

    fn request(&mut self, req: Request) -> Response {
        let id = req.id.clone();
        if self.shutting_down && req.method != request::Shutdown::METHOD {
            return Response::new_err(
                id,
                ErrorCode::InvalidRequest as i32,
                "the server is shutting down".into(),
            );
        }
        if self.dirty && req.method != request::Initialize::METHOD {
            // Answer from the site as it stands now (derived statuses too).
            self.publish_diagnostics();
        }
        let result = match req.method.as_str() {
            request::Initialize::METHOD => self.initialize(req.params),
            request::Shutdown::METHOD => {
                self.shutting_down = true;
                Ok(serde_json::Value::Null)
            }
            request::Completion::METHOD => self.with_params(req.params, Self::completion),
            request::GotoDefinition::METHOD => self.with_params(req.params, Self::definition),
            request::References::METHOD => self.with_params(req.params, Self::references),
            request::HoverRequest::METHOD => self.with_params(req.params, Self::hover),
            request::DocumentSymbolRequest::METHOD => {
                self.with_params(req.params, Self::document_symbols)
            }
            request::Rename::METHOD => self.with_params(req.params, Self::rename),
            other => Err((
                ErrorCode::MethodNotFound,
                format!("gemba does not handle `{other}`"),
            )),
        };
        match result {
            Ok(value) => Response::new_ok(id, value),
            Err((code, message)) => Response::new_err(id, code as i32, message),
        }
    }

    /// Decode a request's parameters and run `f` on them.
    fn with_params<P: serde::de::DeserializeOwned, R: serde::Serialize>(
        &mut self,
        params: serde_json::Value,
        f: fn(&mut Self, P) -> Result<R, Failure>,
    ) -> Result<serde_json::Value, Failure> {
        let params: P = serde_json::from_value(params)
            .map_err(|e| (ErrorCode::InvalidParams, e.to_string()))?;
        let result = f(self, params)?;
        serde_json::to_value(result).map_err(|e| (ErrorCode::InternalError, e.to_string()))
    }

    fn initialize(&mut self, params: serde_json::Value) -> Result<serde_json::Value, Failure> {
        let params: lsp_types::InitializeParams = serde_json::from_value(params)
            .map_err(|e| (ErrorCode::InvalidParams, e.to_string()))?;
        #[allow(deprecated)] // `root_uri` is how many clients still say it.
        let folder = params
            .workspace_folders
            .as_ref()
            .and_then(|f| f.first())
            .map(|f| f.uri.clone())
            .or(params.root_uri.clone());
        self.root_hint = folder
            .as_ref()
            .and_then(uri_path)
            .filter(|p| p.join("content").is_dir());
        self.can_rename_files = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.workspace_edit.as_ref())
            .is_some_and(|e| {
                e.document_changes == Some(true)
                    && e.resource_operations
                        .as_ref()
                        .is_some_and(|ops| ops.contains(&lsp_types::ResourceOperationKind::Rename))
            });
        if let Some(root) = self.root_hint.clone() {
            self.workspace = Some(Workspace::open(&root));
            self.dirty = true;
        }
        let capabilities = ServerCapabilities {
            text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
            completion_provider: Some(CompletionOptions {
                trigger_characters: Some(vec![":".into(), "[".into(), "(".into(), " ".into()]),
                ..CompletionOptions::default()
            }),
            definition_provider: Some(OneOf::Left(true)),
            references_provider: Some(OneOf::Left(true)),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            document_symbol_provider: Some(OneOf::Left(true)),
            rename_provider: Some(OneOf::Right(RenameOptions {
                prepare_provider: Some(false),
                work_done_progress_options: Default::default(),
            })),
            ..ServerCapabilities::default()
        };
        serde_json::to_value(InitializeResult {
            capabilities,
            server_info: Some(ServerInfo {
                name: "gemba".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
        })
        .map_err(|e| (ErrorCode::InternalError, e.to_string()))
    }

    /// The workspace a file (a canonical path) belongs to, opening the site
    /// on first use; `None` for files outside a site.
    fn workspace_for(&mut self, path: &Path) -> Option<&mut Workspace> {
        if self.workspace.is_none() {
            let root = Workspace::root_of(path)?;
            self.workspace = Some(Workspace::open(&root));
            self.dirty = true;
        }
        let ws = self.workspace.as_mut()?;
        ws.is_content(path).then_some(ws)
    }

    fn notification(&mut self, n: Notification) -> bool {
        match n.method.as_str() {
            notification::Exit::METHOD => return true,
            notification::DidOpenTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(n.params)
                {
                    self.set_buffer(&p.text_document.uri, Some(p.text_document.text));
                }
            }
            notification::DidChangeTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(n.params)
                {
                    // Full sync: the last change holds the whole text.
                    if let Some(change) = p.content_changes.into_iter().last() {
                        self.set_buffer(&p.text_document.uri, Some(change.text));
                    }
                }
            }
            notification::DidCloseTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidCloseTextDocumentParams>(n.params)
                {
                    self.set_buffer(&p.text_document.uri, None);
                }
            }
            notification::DidSaveTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidSaveTextDocumentParams>(n.params)
                {
                    self.on_disk(&p.text_document.uri);
                }
            }
            notification::DidChangeWatchedFiles::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidChangeWatchedFilesParams>(n.params)
                {
                    for change in p.changes {
                        self.on_disk(&change.uri);
                    }
                }
            }
            // Anything else (`initialized`, `$/cancelRequest`, …) needs nothing.
            _ => {}
        }
        false
    }

    fn set_buffer(&mut self, uri: &lsp_types::Uri, text: Option<String>) {
        let Some(path) = uri_path(uri) else { return };
        let path = path.canonicalize().unwrap_or(path);
        if let Some(ws) = self.workspace_for(&path) {
            ws.set_buffer(&path, text);
            self.dirty = true;
        }
    }

    /// A file changed on disk: settings and themes load again, a content
    /// file is read again unless its buffer is open.
    fn on_disk(&mut self, uri: &lsp_types::Uri) {
        let Some(path) = uri_path(uri) else { return };
        let Some(ws) = self.workspace.as_mut() else {
            return;
        };
        let path = path.canonicalize().unwrap_or(path);
        let Ok(rel) = path.strip_prefix(&ws.root) else {
            return;
        };
        let first = rel.components().next().map(|c| c.as_os_str().to_owned());
        match first.as_ref().and_then(|f| f.to_str()) {
            Some("content") => {
                if path.is_dir() || !path.exists() {
                    ws.rescan();
                } else {
                    ws.reparse(&path);
                }
            }
            Some("gemba.yaml" | "templates" | "themes" | "static") => ws.load_front(),
            _ => return,
        }
        self.dirty = true;
    }

    fn publish_diagnostics(&mut self) {
        self.dirty = false;
        let Some(ws) = self.workspace.as_mut() else {
            return;
        };
        let now = ws.diagnostics();
        let files: BTreeSet<PathBuf> = now.keys().chain(self.published.keys()).cloned().collect();
        for path in files {
            let new = now.get(&path).cloned().unwrap_or_default();
            if self
                .published
                .get(&path)
                .map_or(new.is_empty(), |old| *old == new)
            {
                continue;
            }
            let params = PublishDiagnosticsParams::new(path_uri(&path), new, None);
            self.send(Message::Notification(Notification::new(
                notification::PublishDiagnostics::METHOD.into(),
                params,
            )));
        }
        self.published = now;
    }

    /// The workspace, the file and the byte offset a position names; `None`
    /// for files outside the site and positions past the end.
    fn locate(
        &mut self,
        at: &lsp_types::TextDocumentPositionParams,
    ) -> Option<(&Workspace, PathBuf, usize)> {
        let path = uri_path(&at.text_document.uri)?;
        let path = path.canonicalize().unwrap_or(path);
        let ws = self.workspace_for(&path)?;
        let text = ws.text(&path)?;
        let offset = offset_of(&text, at.position)?;
        Some((&*ws, path, offset))
    }

    fn completion(
        &mut self,
        p: lsp_types::CompletionParams,
    ) -> Result<Option<CompletionResponse>, Failure> {
        let Some((ws, path, offset)) = self.locate(&p.text_document_position) else {
            return Ok(None);
        };
        let text = ws.text(&path).unwrap_or_default();
        let items = complete::complete(ws, &path, &text, offset);
        Ok(Some(CompletionResponse::Array(items)))
    }

    fn definition(
        &mut self,
        p: lsp_types::GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>, Failure> {
        let Some((ws, path, offset)) = self.locate(&p.text_document_position_params) else {
            return Ok(None);
        };
        let docs = Docs::of(ws);
        Ok(navigate::definition(ws, &docs, &path, offset).map(GotoDefinitionResponse::Scalar))
    }

    fn references(
        &mut self,
        p: lsp_types::ReferenceParams,
    ) -> Result<Option<Vec<lsp_types::Location>>, Failure> {
        let Some((ws, path, offset)) = self.locate(&p.text_document_position) else {
            return Ok(None);
        };
        let docs = Docs::of(ws);
        let Some(target) = navigate::subject(ws, &docs, &path, offset) else {
            return Ok(None);
        };
        Ok(Some(navigate::references(
            ws,
            &docs,
            target,
            p.context.include_declaration,
        )))
    }

    fn hover(&mut self, p: lsp_types::HoverParams) -> Result<Option<Hover>, Failure> {
        let Some((ws, path, offset)) = self.locate(&p.text_document_position_params) else {
            return Ok(None);
        };
        if let Some(text) = navigate::key_at(ws, &path, offset) {
            return Ok(Some(markdown_hover(text)));
        }
        let docs = Docs::of(ws);
        let target = match navigate::token_at(ws, &docs, &path, offset) {
            Some(Token::Doc { target }) => target,
            Some(Token::Stage { playbook, id }) => {
                let stage = docs.all[playbook].fm.stages.iter().find(|s| s.id == id);
                let text = match stage {
                    Some(s) => format!(
                        "**{}**  \nstage of {}{}",
                        s.title,
                        docs.all[playbook].title,
                        s.goal
                            .as_deref()
                            .map(|g| format!("\n\n{g}"))
                            .unwrap_or_default()
                    ),
                    None => return Ok(None),
                };
                return Ok(Some(markdown_hover(text)));
            }
            None => return Ok(None),
        };
        Ok(Some(markdown_hover(navigate::describe(ws, &docs, target))))
    }

    fn document_symbols(
        &mut self,
        p: lsp_types::DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>, Failure> {
        let Some(path) = uri_path(&p.text_document.uri) else {
            return Ok(None);
        };
        let path = path.canonicalize().unwrap_or(path);
        let Some(ws) = self.workspace_for(&path) else {
            return Ok(None);
        };
        let Some(doc) = ws.document(&path) else {
            return Ok(Some(DocumentSymbolResponse::Nested(Vec::new())));
        };
        let symbols = navigate::symbols(&doc.source.text, navigate::body_start_of(&doc));
        Ok(Some(DocumentSymbolResponse::Nested(symbols)))
    }

    fn rename(
        &mut self,
        p: lsp_types::RenameParams,
    ) -> Result<Option<lsp_types::WorkspaceEdit>, Failure> {
        let can_rename_files = self.can_rename_files;
        let Some((ws, path, offset)) = self.locate(&p.text_document_position) else {
            return Ok(None);
        };
        let docs = Docs::of(ws);
        let Some(target) = navigate::subject(ws, &docs, &path, offset) else {
            return Err((
                ErrorCode::InvalidParams,
                "nothing to rename here: put the cursor on a slug or a wiki link".into(),
            ));
        };
        navigate::rename(ws, &docs, target, p.new_name.trim(), can_rename_files)
            .map(Some)
            .map_err(|why| (ErrorCode::RequestFailed, why))
    }
}

fn markdown_hover(value: String) -> Hover {
    Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range: None,
    }
}
