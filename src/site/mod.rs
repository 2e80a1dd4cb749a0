//! The whole pipeline in one function: load → parse → resolve → render →
//! write. `compile` produces every output file into a `Sink`; `build` wraps
//! it with the atomic publish of `write`.

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::export::json_files;
use crate::model::Visibility;
use crate::render::render_site;
use crate::reuse::PageReuse;
use crate::write::{check_output_dir, DiskSink, Sink, Staging};
use std::path::{Path, PathBuf};
use std::time::Instant;

mod outputs;
mod prepare;
mod timings;

pub use outputs::{data_files, feed_entry, sitemap_urls, DataParts};
use outputs::{search_records, searchable};
pub use prepare::{
    documents, histories_for, parse_shared, prepare, read_parsed, read_sources, Front, Look,
    Parsed, Prepared, Problems,
};
use timings::resident_mib;
pub use timings::{Phase, Timer};

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
    /// The documents built (or checked).
    pub pages: usize,
}

/// Compile the site at `opts.root` into `sink`. Nothing is written when
/// there are errors other than what the sink already received.
pub fn compile(opts: &BuildOptions, sink: &dyn Sink) -> Outcome {
    let mut timer = Timer::new();
    let mut front_problems = Vec::new();
    let Some(front) = Front::load(opts, &mut front_problems) else {
        return finish(Diagnostics(front_problems), timer, 0);
    };
    let Prepared {
        sources,
        model,
        histories,
        changelog,
        first_paragraphs,
        problems,
        ..
    } = prepare(opts, &front, front_problems, &mut timer);
    let mut diags = problems.gather(&sources, []).0;
    drop(sources);
    let Some(look) = &front.look else {
        return finish(Diagnostics(diags), timer, 0);
    };
    if diags.iter().any(Diagnostic::is_error) {
        return finish(Diagnostics(diags), timer, 0);
    }

    let input = front.render_input(
        look,
        &model,
        &first_paragraphs,
        &histories,
        &changelog,
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
        let search = want_search.then(|| scope.spawn(|| index_search(opts, &front, &model, sink)));
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
        let json = json_files(&input.export());
        let urls = sitemap_urls(&input);
        let parts = DataParts {
            json,
            feed: Some(&|e| feed_entry(&input, e)),
            sitemap: Some(&urls),
            redirects: true,
            assets: true,
            statics: true,
        };
        for (path, bytes) in data_files(&input, parts) {
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
    finish(Diagnostics(diags), timer, pages)
}

/// Build the search index of `model` into `sink`, each bundle as soon as
/// it is built; returns the outcome and how long it took (ms).
fn index_search(
    opts: &BuildOptions,
    front: &Front,
    model: &crate::resolve::Model,
    sink: &dyn Sink,
) -> (Result<(), String>, f64) {
    let config = &front.config;
    let start = Instant::now();
    let docs = searchable(model);
    let urls: Vec<&str> = docs.iter().map(|&d| model.docs[d].url.as_str()).collect();
    let earlier = opts
        .earlier_output
        .as_deref()
        .and_then(crate::search::Earlier::read);
    let done = crate::search::build_index(
        &urls,
        config.search_shard_pages,
        &config.language,
        earlier.as_ref(),
        &|members| {
            let members: Vec<usize> = members.iter().map(|&i| docs[i]).collect();
            search_records(model, &front.prefix, &members)
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
}

fn finish(mut diagnostics: Diagnostics, timer: Timer, pages: usize) -> Outcome {
    diagnostics.sort();
    Outcome {
        diagnostics,
        usage_error: None,
        timings: timer.phases,
        pages,
    }
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
