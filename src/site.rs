//! The whole pipeline in one function: load → parse → resolve → render →
//! write. `compile` produces every output file into a `Sink`; `build` wraps
//! it with the atomic publish of `write`.

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::export::json_files;
use crate::git::History;
use crate::model::{Kind, Visibility};
use crate::parse::Document;
use crate::render::{render_site, RenderInput, Templates};
use crate::resolve::{resolve, Model, Selection};
use crate::reuse::PageReuse;
use crate::theme::Theme;
use crate::write::{check_output_dir, DiskSink, Sink, Staging};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub root: PathBuf,
    pub output: Option<PathBuf>,
    pub drafts: bool,
    pub audience: Option<Visibility>,
    pub base_url: Option<String>,
    pub no_git: bool,
    pub force: bool,
    /// Script injected into each page (serve only).
    pub live_reload: String,
    pub timings: bool,
    /// Which outputs to produce (`serve` builds the search index apart).
    pub outputs: Outputs,
    /// An earlier output of this site, whose search bundles and pages are
    /// taken over where their inputs are unchanged (`build` sets it to its
    /// own output).
    pub earlier_output: Option<PathBuf>,
    /// Record the key of each page in the output, for the next build to
    /// reuse (`build` does).
    pub page_keys: bool,
}

/// What a compile produces.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Outputs {
    #[default]
    All,
    /// Pages, data, feeds and static files, but no search index.
    PagesOnly,
    /// Only the search index.
    SearchOnly,
}

impl BuildOptions {
    pub fn output_dir(&self) -> PathBuf {
        match &self.output {
            Some(o) if o.is_absolute() => o.clone(),
            Some(o) => std::env::current_dir()
                .map(|d| d.join(o))
                .unwrap_or_else(|_| o.clone()),
            None => self.root.join("public"),
        }
    }
}

/// How a build ended.
#[derive(Debug)]
pub struct Outcome {
    pub diagnostics: Diagnostics,
    /// A problem with how gemba was called (exit code 2), not with the content.
    pub usage_error: Option<String>,
    pub timings: Vec<Phase>,
    pub pages: usize,
}

/// One phase of a build, for `--timings`: how long it took, and the
/// process's resident memory at its end (MiB, where the system tells).
#[derive(Debug, Clone)]
pub struct Phase {
    pub name: &'static str,
    pub ms: f64,
    pub resident_mib: Option<f64>,
}

impl std::fmt::Display for Phase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "  {:<26} {:>9.1} ms", self.name, self.ms)?;
        if let Some(mib) = self.resident_mib {
            write!(f, " {mib:>8.0} MiB resident")?;
        }
        Ok(())
    }
}

/// The resident memory of this process, from `/proc` where there is one.
fn resident_mib() -> Option<f64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: f64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096.0 / (1024.0 * 1024.0))
}

/// Times the phases of a build, for `--timings`.
pub(crate) struct Timer {
    start: Instant,
    pub phases: Vec<Phase>,
}

impl Timer {
    pub fn new() -> Timer {
        Timer {
            start: Instant::now(),
            phases: Vec::new(),
        }
    }

    pub fn lap(&mut self, name: &'static str) {
        let now = Instant::now();
        self.phases.push(Phase {
            name,
            ms: now.duration_since(self.start).as_secs_f64() * 1000.0,
            resident_mib: resident_mib(),
        });
        self.start = now;
    }
}

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
        }
    }
}

/// One content file after parsing: the document, or why there is none.
pub type Parsed = (Option<Arc<Document>>, Vec<Diagnostic>);

/// Read and parse every content file, in parallel, by path; the second
/// part is what the walk itself met (unreadable folders, link loops).
pub fn read_sources(
    opts: &BuildOptions,
    content_dir: &Path,
) -> (BTreeMap<PathBuf, Parsed>, Vec<Diagnostic>) {
    let (paths, walk_diags) =
        crate::load::content_paths(&opts.root, content_dir, &opts.output_dir());
    let sources = paths
        .into_par_iter()
        .map(|p| {
            let parsed = read_parsed(opts, content_dir, &p);
            (p, parsed)
        })
        .collect();
    (sources, walk_diags)
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
    model
        .docs
        .iter()
        .map(|d| {
            let abs = canonical_content.as_ref()?.join(&d.source.rel);
            all?.get(&abs).cloned()
        })
        .collect()
}

/// Compile the site at `opts.root` into `sink`. Nothing is written when
/// there are errors other than what the sink already received.
pub fn compile(opts: &BuildOptions, sink: &dyn Sink) -> Outcome {
    let mut timer = Timer::new();
    let mut diags: Vec<Diagnostic> = Vec::new();
    let Some(front) = Front::load(opts, &mut diags) else {
        return finish(diags, timer, 0);
    };

    // load + parse
    let (sources, walk_diags) = read_sources(opts, &front.content_dir);
    diags.extend(walk_diags);
    timer.lap("load + parse");
    let mut docs = Vec::with_capacity(sources.len());
    for (doc, d) in sources.into_values() {
        diags.extend(d);
        docs.extend(doc);
    }

    // resolve
    let model = resolve(docs, front.selection(opts), &mut diags);
    timer.lap("resolve");
    let Some(look) = &front.look else {
        return finish(diags, timer, 0);
    };
    if diags.iter().any(Diagnostic::is_error) {
        return finish(diags, timer, 0);
    }

    // history
    let all_history = if opts.no_git {
        None
    } else {
        crate::git::read_history(&front.content_dir, &mut diags)
    };
    let histories = histories_for(&model, &front.content_dir, all_history.as_ref());
    drop(all_history);
    timer.lap("git");

    // markdown: first paragraphs now; each body is rendered with its page
    let first_paragraphs = crate::bodies::summarize_bodies(&model, &front.prefix);
    timer.lap("summaries");

    let input = front.render_input(
        look,
        &model,
        &first_paragraphs,
        &histories,
        &opts.live_reload,
    );
    // The search index depends only on the model, so it is built on its own
    // thread while the pages render.
    let config = &front.config;
    let want_pages = opts.outputs != Outputs::SearchOnly;
    let want_search = config.search && opts.outputs != Outputs::PagesOnly;
    let reuse = opts
        .page_keys
        .then(|| PageReuse::new(opts.earlier_output.as_deref(), sink));
    let search_index = std::thread::scope(|scope| {
        let search = want_search.then(|| {
            scope.spawn(|| {
                let start = Instant::now();
                let docs = searchable(&model);
                let urls: Vec<&str> = docs.iter().map(|&d| model.docs[d].url.as_str()).collect();
                let earlier = opts
                    .earlier_output
                    .as_deref()
                    .and_then(crate::search::Earlier::read);
                // Each bundle goes to the sink as soon as it is built.
                let done = crate::search::build_index(
                    &urls,
                    config.search_shard_pages,
                    &config.language,
                    earlier.as_ref(),
                    &|members| {
                        let members: Vec<usize> = members.iter().map(|&i| docs[i]).collect();
                        search_records(&model, &front.prefix, &members)
                    },
                    &crate::search::Emit {
                        put: &|path, bytes| {
                            sink.put(&path, bytes)
                                .map_err(|e| format!("cannot write {path}: {e}"))
                        },
                        take: &|path, from| {
                            sink.take(&path, from)
                                .map_err(|e| format!("cannot write {path}: {e}"))
                        },
                    },
                );
                (done, start.elapsed().as_secs_f64() * 1000.0)
            })
        });
        if want_pages {
            render_site(&input, sink, reuse.as_ref(), &mut diags);
        }
        search.map(|handle| {
            handle
                .join()
                .unwrap_or_else(|_| (Err("the search indexer panicked".into()), 0.0))
        })
    });
    timer.lap("render");

    let mut put = |path: &str, bytes: Vec<u8>| {
        if let Err(e) = sink.put(path, bytes) {
            diags.push(Diagnostic::error(path, None, format!("cannot write: {e}")));
        }
    };
    if want_pages {
        for (path, bytes) in data_files(&input, &json_files(&input.export())) {
            put(&path, bytes);
        }
    }
    timer.lap("data");
    // Last, after every page: a page changed later is not reused.
    if let Some(bytes) = reuse.and_then(PageReuse::keys_file) {
        put(crate::reuse::PAGE_KEYS, bytes);
    }

    if let Some((done, ms)) = search_index {
        if let Err(e) = done {
            diags.push(Diagnostic::error(
                "search",
                None,
                format!("cannot build the search index: {e}"),
            ));
        }
        timer.phases.push(Phase {
            name: "(search, alongside render)",
            ms,
            resident_mib: None,
        });
    }
    let pages = model.docs.len();
    finish(diags, timer, pages)
}

impl Front {
    pub fn render_input<'a>(
        &'a self,
        look: &'a Look,
        model: &'a Model,
        first_paragraphs: &'a [String],
        histories: &'a [Option<History>],
        live_reload: &'a str,
    ) -> RenderInput<'a> {
        RenderInput {
            model,
            first_paragraphs,
            config: &self.config,
            prefix: &self.prefix,
            histories,
            live_reload,
            theme: &look.theme,
            templates: &look.templates,
        }
    }
}

/// Everything besides the pages and the search index: the JSON export
/// (given, already serialised), the feed, the sitemap and the theme's static files.
pub fn data_files(input: &RenderInput, json: &[(String, Vec<u8>)]) -> Vec<(String, Vec<u8>)> {
    let mut files = json.to_vec();
    files.push(feed_file(input));
    files.push(sitemap_file(input));
    for (path, bytes) in &input.theme.statics {
        files.push((path.clone(), bytes.clone()));
    }
    files
}

pub fn feed_file(input: &RenderInput) -> (String, Vec<u8>) {
    let summary = |doc: usize| input.model.docs[doc].summary(&input.first_paragraphs[doc]);
    let feed = crate::feeds::atom_feed(input.model, &input.config.title, input.prefix, &summary);
    ("feed.xml".into(), feed.into_bytes())
}

pub fn sitemap_file(input: &RenderInput) -> (String, Vec<u8>) {
    let mut lists: Vec<String> = [
        "/",
        "/playbooks/",
        "/hypotheses/",
        "/experiments/",
        "/outcomes/",
        "/backlog/",
        "/changes/",
    ]
    .map(String::from)
    .to_vec();
    for t in &input.config.taxonomies {
        lists.push(format!("/{t}/"));
        let terms = crate::resolve::taxonomy(input.model, t);
        lists.extend(terms.keys().map(|slug| format!("/{t}/{slug}/")));
    }
    let sitemap = crate::feeds::sitemap(input.model, input.prefix, &lists);
    ("sitemap.xml".into(), sitemap.into_bytes())
}

fn finish(diags: Vec<Diagnostic>, timer: Timer, pages: usize) -> Outcome {
    let mut diagnostics = Diagnostics(diags);
    diagnostics.sort();
    Outcome {
        diagnostics,
        usage_error: None,
        timings: timer.phases,
        pages,
    }
}

/// The documents the search index holds: all but the home page's intro.
fn searchable(model: &Model) -> Vec<usize> {
    (0..model.docs.len())
        .filter(|&i| !model.docs[i].is_home_intro())
        .collect()
}

/// The search records of some documents, with their bodies' Markdown (the
/// index makes plain text of the bodies it indexes).
fn search_records(model: &Model, prefix: &str, docs: &[usize]) -> Vec<crate::search::Record> {
    docs.par_iter()
        .map(|&i| {
            let d = &model.docs[i];
            let mut text = String::new();
            for piece in [
                Some(&d.title),
                d.fm.statement.as_ref(),
                d.fm.summary.as_ref(),
            ]
            .into_iter()
            .flatten()
            {
                text.push_str(piece);
                text.push('\n');
            }
            for m in &d.fm.metrics {
                text.push_str(&m.name);
                text.push('\n');
            }
            text.push_str(&d.fm.tags.join(" "));
            text.push('\n');
            let status = match d.kind {
                Kind::Experiment => {
                    Some(model.experiments[model.item[i]].status.name().to_string())
                }
                Kind::Hypothesis => Some(model.hypotheses[model.item[i]].status.name().to_string()),
                Kind::Playbook => Some(d.playbook_status.name().to_string()),
                Kind::Page => None,
            };
            crate::search::Record {
                url: d.url.clone(),
                title: d.title.clone(),
                kind: d.kind.name().to_string(),
                status,
                head: text,
                body: crate::bodies::body_with_links(model, prefix, i),
            }
        })
        .collect()
}

/// `gemba build`: compile into a staging folder, publish it only on success.
pub fn build(opts: &BuildOptions, deny_warnings: bool) -> Outcome {
    let output = opts.output_dir();
    if let Err(e) = check_output_dir(&opts.root, &output, opts.force) {
        return Outcome {
            diagnostics: Diagnostics::default(),
            usage_error: Some(e),
            timings: vec![],
            pages: 0,
        };
    }
    let staging = match Staging::new(&output) {
        Ok(s) => s,
        Err(e) => {
            return Outcome {
                diagnostics: Diagnostics::default(),
                usage_error: Some(format!(
                    "cannot create a staging folder beside {}: {e}",
                    output.display()
                )),
                timings: vec![],
                pages: 0,
            }
        }
    };
    let sink = DiskSink::new(staging.dir().to_path_buf());
    let mut opts = opts.clone();
    opts.page_keys = true;
    if output.join(crate::write::MARKER).is_file() {
        opts.earlier_output = Some(output.clone());
    }
    let mut outcome = compile(&opts, &sink);
    let failed = outcome.diagnostics.has_errors()
        || (deny_warnings && outcome.diagnostics.warning_count() > 0);
    if !failed {
        let start = Instant::now();
        if let Err(e) = staging.publish() {
            outcome.diagnostics.push(Diagnostic::error(
                output.clone(),
                None,
                format!("cannot publish the site: {e}"),
            ));
        }
        outcome.timings.push(Phase {
            name: "publish",
            ms: start.elapsed().as_secs_f64() * 1000.0,
            resident_mib: resident_mib(),
        });
    }
    outcome
}

/// `gemba check`: everything `build` does, writing nothing.
pub fn check(opts: &BuildOptions) -> Outcome {
    compile(opts, &crate::write::NullSink)
}

/// Where the site root is: `--root`, else the current folder.
pub fn site_root(root: Option<&Path>) -> PathBuf {
    root.map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}
