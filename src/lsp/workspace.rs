//! The site as the editor has it: every content file parsed, open buffers
//! in place of their files on disk, and the problems `gemba check` reports
//! of it, by file. A change re-parses only the changed file; the model is
//! resolved again before diagnostics are published.

use super::text::span_range;
use crate::diagnostics::{Diagnostic, Severity};
use crate::load::{is_content_path, source_from_text, Assets};
use crate::model::{HypothesisStatus, Kind};
use crate::parse::Document;
use crate::resolve::{resolve, Model};
use crate::site::{documents, parse_shared, read_sources, BuildOptions, Front, Parsed, Problems};
use lsp_types::{DiagnosticSeverity, Position, Range};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub struct Workspace {
    /// The site's folder (the one with `content/`), canonical.
    pub root: PathBuf,
    opts: BuildOptions,
    front: Option<Front>,
    problems: Problems,
    /// Every content file, parsed from its buffer when open, else from disk.
    sources: BTreeMap<PathBuf, Parsed>,
    /// The files beside the content, which links may lead to.
    assets: Arc<Assets>,
    /// The text of open buffers, by path.
    overlays: HashMap<PathBuf, String>,
    /// The model as last resolved (derived statuses for hovers).
    model: Option<Model>,
}

impl Workspace {
    /// Read the site at `root`.
    pub fn open(root: &Path) -> Workspace {
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let opts = BuildOptions {
            root: root.clone(),
            no_git: true,
            ..BuildOptions::default()
        };
        let mut ws = Workspace {
            root,
            opts,
            front: None,
            problems: Problems::default(),
            sources: BTreeMap::new(),
            assets: Arc::default(),
            overlays: HashMap::new(),
            model: None,
        };
        ws.load_front();
        ws.rescan();
        ws
    }

    /// The site folder a file belongs to: the nearest folder above it with
    /// a `content/` folder that holds the file.
    pub fn root_of(path: &Path) -> Option<PathBuf> {
        path.ancestors()
            .skip(1)
            .find(|dir| dir.file_name().is_some_and(|n| n == "content"))
            .and_then(Path::parent)
            .map(Path::to_path_buf)
    }

    fn content_dir(&self) -> PathBuf {
        self.root.join("content")
    }

    /// Whether `path` is a content file of this site.
    pub fn is_content(&self, path: &Path) -> bool {
        is_content_path(&self.content_dir(), &self.opts.output_dir(), path)
    }

    /// Load `gemba.yaml` and the theme again.
    pub fn load_front(&mut self) {
        let mut problems = Vec::new();
        self.front = Front::load(&self.opts, &mut problems);
        self.problems.front = problems;
    }

    /// Walk `content/` again (files added or removed on disk).
    pub fn rescan(&mut self) {
        let (sources, assets, walk) = read_sources(&self.opts, &self.content_dir());
        self.sources = sources;
        self.assets = Arc::new(assets);
        self.problems.walk = walk;
        let open: Vec<PathBuf> = self.overlays.keys().cloned().collect();
        for path in open {
            self.reparse(&path);
        }
    }

    /// An open buffer's text (`Some`), or the buffer closed (`None`).
    pub fn set_buffer(&mut self, path: &Path, text: Option<String>) {
        match text {
            Some(text) => {
                self.overlays.insert(path.to_path_buf(), text);
            }
            None => {
                self.overlays.remove(path);
            }
        }
        self.reparse(path);
    }

    /// Parse one file again, from its buffer or from disk.
    pub fn reparse(&mut self, path: &Path) {
        if !self.is_content(path) {
            return;
        }
        if crate::load::escapes_root(&self.root, path) {
            // Not followed, as in a build (the walk warns of it).
            self.sources.remove(path);
            return;
        }
        let content_dir = self.content_dir();
        let parsed = match self.overlays.get(path) {
            Some(text) => parse_shared(source_from_text(
                &self.root,
                &content_dir,
                path,
                text.clone(),
            )),
            None if path.is_file() => crate::site::read_parsed(&self.opts, &content_dir, path),
            None => {
                self.sources.remove(path);
                return;
            }
        };
        self.sources.insert(path.to_path_buf(), parsed);
    }

    /// The text of a file as the editor has it.
    pub fn text(&self, path: &Path) -> Option<Cow<'_, str>> {
        if let Some(t) = self.overlays.get(path) {
            return Some(Cow::Borrowed(t));
        }
        if let Some((Some(doc), _)) = self.sources.get(path) {
            return Some(Cow::Borrowed(&doc.source.text));
        }
        std::fs::read_to_string(path).ok().map(Cow::Owned)
    }

    /// Every parsed document, drafts and other audiences included.
    pub fn documents(&self) -> Vec<Arc<Document>> {
        documents(&self.sources)
    }

    /// The parsed document of a file.
    pub fn document(&self, path: &Path) -> Option<Arc<Document>> {
        self.sources.get(path).and_then(|(d, _)| d.clone())
    }

    /// The absolute path of a document's file.
    pub fn path_of(&self, doc: &Document) -> PathBuf {
        self.content_dir().join(&doc.source.rel)
    }

    /// Resolve the site and return what `gemba check` would report before
    /// rendering, as protocol diagnostics by file.
    pub fn diagnostics(&mut self) -> BTreeMap<PathBuf, Vec<lsp_types::Diagnostic>> {
        let selection = match &self.front {
            Some(front) => front.selection(&self.opts),
            None => Default::default(),
        };
        let mut resolve_problems = Vec::new();
        let model = resolve(
            self.documents(),
            self.assets.clone(),
            selection,
            &mut resolve_problems,
        );
        self.problems.resolve = resolve_problems;
        if let Some(old) = self.model.replace(model) {
            // Freeing a whole model takes a while on a large site.
            std::thread::spawn(move || drop(old));
        }
        let all = self.problems.gather(&self.sources, []);
        let mut by_file: BTreeMap<PathBuf, Vec<lsp_types::Diagnostic>> = BTreeMap::new();
        for d in all.0 {
            let path = if d.path.is_absolute() {
                d.path.clone()
            } else {
                self.root.join(&d.path)
            };
            if path.is_dir() {
                continue;
            }
            let range = match (d.span, self.text(&path)) {
                (Some(span), Some(text)) => span_range(&text, span),
                _ => Range::new(Position::new(0, 0), Position::new(0, 0)),
            };
            by_file
                .entry(path)
                .or_default()
                .push(protocol_diagnostic(&d, range));
        }
        by_file
    }

    /// An experiment's primary result in one line, from its counts, as last
    /// resolved.
    pub fn experiment_result(&self, slug: &str) -> Option<String> {
        let m = self.model.as_ref()?;
        let doc = m.find(Kind::Experiment, slug)?;
        crate::render::result_line(m.experiment_of(doc)?, &m.docs[doc])
    }

    /// A hypothesis's derived status, as last resolved.
    pub fn hypothesis_status(&self, slug: &str) -> Option<HypothesisStatus> {
        let m = self.model.as_ref()?;
        let doc = m.find(Kind::Hypothesis, slug)?;
        Some(m.hypothesis_of(doc)?.status)
    }
}

fn protocol_diagnostic(d: &Diagnostic, range: Range) -> lsp_types::Diagnostic {
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    lsp_types::Diagnostic {
        range,
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        source: Some("gemba".into()),
        message,
        ..Default::default()
    }
}
