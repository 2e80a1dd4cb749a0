//! The first half of the pipeline, shared by `build`, `check` and `serve`:
//! the configuration and theme (`Front`), then every content file read and
//! parsed, the model resolved, git history and first paragraphs
//! (`Prepared`), and every problem met on the way (`Problems`).

use super::timings::Timer;
use super::BuildOptions;
use crate::bodies::summarize_bodies;
use crate::changelog::CommitChanges;
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::git::{History, HistoryMap};
use crate::load::Assets;
use crate::parse::Document;
use crate::render::{RenderInput, Templates};
use crate::resolve::{resolve, Model, Selection};
use crate::theme::Theme;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What a build reads besides the content: configuration, theme and
/// templates, each loaded once.
pub struct Front {
    pub config: Config,
    pub content_dir: PathBuf,
    pub prefix: String,
    /// `None` when the theme or its templates are broken (the reasons are
    /// diagnostics); the content is still checked.
    pub look: Option<Look>,
}

pub struct Look {
    pub theme: Theme,
    pub templates: Templates,
}

impl Front {
    /// Load the configuration and the theme. `None` when there is no
    /// content folder; problems are pushed to `diags`.
    pub fn load(opts: &BuildOptions, diags: &mut Vec<Diagnostic>) -> Option<Front> {
        let root = &opts.root;
        let (mut config, config_diags) = Config::load(root);
        diags.extend(config_diags);
        if let Some(base) = &opts.base_url {
            config.base_url = base.clone();
        }
        let content_dir = root.join("content");
        if !content_dir.is_dir() {
            diags.push(
                Diagnostic::error("content", None, "no content/ folder here").with_help(
                    "run gemba in a site folder, pass --root, or create a site with `gemba init`",
                ),
            );
            return None;
        }
        let look = Theme::load(root, &config.theme, diags).and_then(|theme| {
            let templates = Templates::compile(&theme, diags)?;
            Some(Look { theme, templates })
        });
        let prefix = config.url_prefix();
        Some(Front {
            config,
            content_dir,
            prefix,
            look,
        })
    }

    pub fn selection(&self, opts: &BuildOptions) -> Selection {
        Selection {
            drafts: opts.drafts,
            audience: opts.audience,
            default_visibility: self.config.default_visibility,
            stats: self.config.stats.settings(),
        }
    }
}

/// One content file after parsing: the document, or why there is none.
pub type Parsed = (Option<Arc<Document>>, Vec<Diagnostic>);

/// Read and parse every content file, in parallel, by path; the files
/// beside them; and what the walk itself met (unreadable folders, link loops).
pub fn read_sources(
    opts: &BuildOptions,
    content_dir: &Path,
) -> (BTreeMap<PathBuf, Parsed>, Assets, Vec<Diagnostic>) {
    let (paths, assets, walk_diags) =
        crate::load::content_paths(&opts.root, content_dir, &opts.output_dir());
    let sources = paths
        .into_par_iter()
        .map(|p| {
            let parsed = read_parsed(opts, content_dir, &p);
            (p, parsed)
        })
        .collect();
    (sources, assets, walk_diags)
}

/// Read and parse one content file; a file that cannot be read is a
/// document-less result with the reason.
pub fn read_parsed(opts: &BuildOptions, content_dir: &Path, path: &Path) -> Parsed {
    match crate::load::read_one(&opts.root, content_dir, path) {
        Ok(file) => parse_shared(file),
        Err(d) => (None, vec![d]),
    }
}

/// Parse one file into a document shared by the model and `serve`'s session.
pub fn parse_shared(file: crate::load::SourceFile) -> Parsed {
    let (doc, diags) = crate::parse::parse_document(file);
    (doc.map(Arc::new), diags)
}

/// Each kept document's git history, or `None` outside git.
pub fn histories_for(
    model: &Model,
    content_dir: &Path,
    all: Option<&crate::git::HistoryMap>,
) -> Vec<Option<History>> {
    let canonical_content = content_dir.canonicalize().ok();
    let public = model.selection.audience == Some(crate::model::Visibility::Public);
    model
        .docs
        .iter()
        .map(|d| {
            let abs = canonical_content.as_ref()?.join(&d.source.rel);
            let mut history = all?.get(&abs).cloned()?;
            if public {
                // A commit's message may name internal work it also touched.
                for c in &mut history.commits {
                    c.summary.clear();
                }
            }
            Some(history)
        })
        .collect()
}

impl Front {
    pub fn render_input<'a>(
        &'a self,
        look: &'a Look,
        model: &'a Model,
        first_paragraphs: &'a [String],
        histories: &'a [Option<History>],
        changelog: &'a [CommitChanges],
        live_reload: &'a str,
    ) -> RenderInput<'a> {
        RenderInput {
            model,
            first_paragraphs,
            config: &self.config,
            prefix: &self.prefix,
            histories,
            changelog,
            live_reload,
            theme: &look.theme,
            templates: &look.templates,
        }
    }
}

/// Every problem met before rendering, kept apart by where it came from
/// (a `serve` session redoes each part on its own); each file's own
/// problems stay with the file (`Parsed`).
#[derive(Debug, Clone, Default)]
pub struct Problems {
    /// The configuration and the theme.
    pub front: Vec<Diagnostic>,
    /// The walk of `content/` (unreadable folders, link loops).
    pub walk: Vec<Diagnostic>,
    pub git: Vec<Diagnostic>,
    /// References and wiki links across files.
    pub resolve: Vec<Diagnostic>,
}

impl Problems {
    /// Every problem of a build, sorted: these, each file's own, and those
    /// met while rendering. The one place a build's report is put together.
    pub fn gather(
        &self,
        sources: &BTreeMap<PathBuf, Parsed>,
        render: impl IntoIterator<Item = Diagnostic>,
    ) -> Diagnostics {
        let mut all = self.front.clone();
        all.extend_from_slice(&self.walk);
        all.extend(sources.values().flat_map(|(_, d)| d.iter().cloned()));
        all.extend_from_slice(&self.git);
        all.extend_from_slice(&self.resolve);
        all.extend(render);
        let mut all = Diagnostics(all);
        all.sort();
        all
    }
}

/// The site read and resolved: everything rendering needs besides the
/// theme. `compile` and `serve`'s session both make it with `prepare`.
pub struct Prepared {
    /// Every content file as on disk, by absolute path.
    pub sources: BTreeMap<PathBuf, Parsed>,
    /// Every file beside the content (the model holds those this build
    /// publishes).
    pub assets: Arc<Assets>,
    /// Git history of every file, `None` outside git or with `--no-git`.
    pub history: Option<HistoryMap>,
    /// The latest commits and what they changed in the strategy.
    pub changelog: Vec<CommitChanges>,
    pub model: Model,
    /// Per document of the model.
    pub histories: Vec<Option<History>>,
    /// Per document: its body's first paragraph (bodies are rendered with
    /// their pages, and never kept).
    pub first_paragraphs: Vec<String>,
    pub problems: Problems,
}

impl Prepared {
    /// Whether anything before rendering failed; then nothing is rendered.
    pub fn failed(&self) -> bool {
        let own = self.sources.values().flat_map(|(_, d)| d);
        let p = &self.problems;
        p.front
            .iter()
            .chain(&p.walk)
            .chain(own)
            .chain(&p.git)
            .chain(&p.resolve)
            .any(Diagnostic::is_error)
    }
}

/// Read, parse and resolve the site; then, unless that failed, read its git
/// history and its bodies' first paragraphs. `front_problems` are those of
/// `Front::load`.
pub fn prepare(
    opts: &BuildOptions,
    front: &Front,
    front_problems: Vec<Diagnostic>,
    timer: &mut Timer,
) -> Prepared {
    let (sources, assets, walk) = read_sources(opts, &front.content_dir);
    let assets = Arc::new(assets);
    timer.lap("load + parse");
    let mut resolve_problems = Vec::new();
    let model = resolve(
        documents(&sources),
        assets.clone(),
        front.selection(opts),
        &mut resolve_problems,
    );
    timer.lap("resolve");
    let mut prepared = Prepared {
        sources,
        assets,
        history: None,
        changelog: Vec::new(),
        model,
        histories: Vec::new(),
        first_paragraphs: Vec::new(),
        problems: Problems {
            front: front_problems,
            walk,
            git: Vec::new(),
            resolve: resolve_problems,
        },
    };
    if prepared.failed() || front.look.is_none() {
        return prepared;
    }
    if !opts.no_git {
        prepared.history = crate::git::read_history(&front.content_dir, &mut prepared.problems.git);
        if prepared.history.is_some() {
            prepared.changelog = crate::changelog::read(&front.content_dir);
        }
    }
    prepared.histories = histories_for(
        &prepared.model,
        &front.content_dir,
        prepared.history.as_ref(),
    );
    timer.lap("git");
    prepared.first_paragraphs = summarize_bodies(&prepared.model, &front.prefix);
    timer.lap("summaries");
    prepared
}

/// The documents of the parsed files, in path order.
pub fn documents(sources: &BTreeMap<PathBuf, Parsed>) -> Vec<Arc<Document>> {
    sources.values().filter_map(|(d, _)| d.clone()).collect()
}
