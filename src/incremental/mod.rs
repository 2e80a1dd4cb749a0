//! What `serve` keeps between rebuilds, and how it decides what to redo.
//!
//! A `Session` holds every stage's result for the site as last built: the
//! parsed files, the model, the rendered bodies, the cards, each page's
//! dependencies and the output files. An edit re-reads only the changed
//! files, then
//!
//! - keeps the model when the edits touched bodies only (same front matter,
//!   same wiki links at the same places), else resolves it again;
//! - re-renders every page when the set or order of documents changed (an
//!   addition, a deletion, a new slug) or the context all pages share did;
//! - otherwise marks the documents whose data changed, refreshes the cards
//!   that show them, and re-renders the pages that read either: a document's
//!   page reads its neighbours (what its view read, recorded when it was
//!   rendered: `render::render_pages` returns it), and a list page is
//!   re-rendered when its description (`ListPage::key`) or one of its cards
//!   changed.
//!
//! The result is what a fresh build gives, byte for byte; the serve tests
//! check that against fresh builds after random sequences of edits.

use crate::bodies::summarize_bodies;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::git::{History, HistoryMap};
use crate::load::Assets;
use crate::render::{Cards, ListPage};
use crate::resolve::{resolve, Model};
use crate::site::{
    documents, histories_for, prepare, read_parsed, read_sources, BuildOptions, Front, Parsed,
    Prepared, Problems, Timer,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

/// The render input of a session as it stands. A macro rather than a
/// method, so that the session's other fields stay free to change while the
/// input is alive.
macro_rules! render_input {
    ($session:expr) => {
        $session.front.render_input(
            $session.front.look.as_ref().expect("a session has a theme"),
            &$session.model,
            &$session.first_paragraphs,
            &$session.histories,
            &$session.changelog,
            &$session.opts.live_reload,
        )
    };
}

mod rerender;

/// The built site in memory, path → bytes (shared cheaply with readers).
pub type Files = BTreeMap<String, bytes::Bytes>;

pub struct Session {
    opts: BuildOptions,
    front: Front,
    /// The problems of the last build, but each file's own and those of
    /// rendering.
    problems: Problems,
    /// Every content file as on disk now, by absolute path.
    sources: BTreeMap<PathBuf, Parsed>,
    /// Files changed since the last good build.
    dirty: BTreeSet<PathBuf>,
    /// The files beside the content as on disk now.
    assets: Arc<Assets>,
    /// Whether they changed since the last good build.
    assets_changed: bool,
    /// The output paths of redirect pages and files beside the content.
    extra_paths: BTreeSet<String>,
    history: Option<HistoryMap>,
    /// The latest commits and what they changed, as read at the start.
    changelog: Vec<crate::changelog::CommitChanges>,
    // The last good build.
    model: Model,
    doc_by_rel: HashMap<String, usize>,
    histories: Vec<Option<History>>,
    /// Each body's first paragraph.
    first_paragraphs: Vec<String>,
    cards: Cards,
    global_key: u64,
    deps: Vec<Vec<usize>>,
    list_keys: BTreeMap<String, u64>,
    lists: Vec<ListPage>,
    /// Each document's entry in the JSON export.
    json: Vec<Option<Vec<u8>>>,
    /// Each experiment's entry in the feed.
    feed_entries: Vec<String>,
    /// The key of what the sitemap lists (`site::sitemap_urls`).
    sitemap_key: u64,
    files: Files,
    stale: bool,
    timer: Timer,
}

/// What an edit may have changed of the model, which decides what is
/// rendered again.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Edit {
    /// Bodies only: the model is as before.
    Bodies,
    /// Titles (and bodies): the model was patched (`Session::retitle`);
    /// addresses and dates are as before.
    Titles,
    /// The model was resolved again.
    Model,
}

/// How an update ended.
pub struct Update {
    pub diagnostics: Diagnostics,
    /// Output paths whose bytes changed (empty when the build failed).
    pub changed: Vec<String>,
    /// What was redone, for the console.
    pub scope: &'static str,
    /// How long each phase took, in milliseconds.
    pub timings: Vec<crate::site::Phase>,
}

impl Session {
    /// Build the whole site. `Err` carries the diagnostics of a failed build.
    pub fn start(opts: &BuildOptions) -> Result<(Session, Diagnostics), Diagnostics> {
        let mut front_problems = Vec::new();
        let front = Front::load(opts, &mut front_problems);
        let Some(front) = front.filter(|f| f.look.is_some()) else {
            return Err(Problems {
                front: front_problems,
                ..Problems::default()
            }
            .gather(&BTreeMap::new(), []));
        };
        let mut timer = Timer::new();
        let prepared = prepare(opts, &front, front_problems, &mut timer);
        if prepared.failed() {
            return Err(prepared.problems.gather(&prepared.sources, []));
        }
        let Prepared {
            sources,
            assets,
            history,
            changelog,
            model,
            histories,
            first_paragraphs,
            problems,
        } = prepared;
        let mut session = Session {
            opts: opts.clone(),
            front,
            problems,
            sources,
            dirty: BTreeSet::new(),
            assets,
            assets_changed: false,
            extra_paths: BTreeSet::new(),
            history,
            changelog,
            doc_by_rel: by_rel(&model),
            model,
            histories,
            first_paragraphs,
            cards: Cards {
                tera: Vec::new(),
                deps: Vec::new(),
                known: Default::default(),
            },
            global_key: 0,
            deps: Vec::new(),
            list_keys: BTreeMap::new(),
            lists: Vec::new(),
            json: Vec::new(),
            feed_entries: Vec::new(),
            sitemap_key: 0,
            files: Files::new(),
            stale: false,
            timer: Timer::new(),
        };
        let mut render_diags = Vec::new();
        session.render_everything(&mut render_diags);
        let diagnostics = session.diagnostics(render_diags);
        if diagnostics.has_errors() {
            return Err(diagnostics);
        }
        Ok((session, diagnostics))
    }

    /// The site as last built successfully.
    pub fn files(&self) -> &Files {
        &self.files
    }

    pub fn options(&self) -> &BuildOptions {
        &self.opts
    }

    /// Re-read the given paths (files or folders under `content/`) and bring
    /// the site up to date.
    pub fn update_content(&mut self, paths: &[PathBuf]) -> Update {
        self.timer = Timer::new();
        let content_dir = self.front.content_dir.clone();
        let output_dir = self.opts.output_dir();
        for path in paths {
            if path.is_dir()
                || (!path.exists()
                    && self
                        .sources
                        .range(path.clone()..)
                        .next()
                        .is_some_and(|(k, _)| k.starts_with(path) && k != path))
            {
                self.rescan();
                continue;
            }
            // A link that leads out of the site: the walk warns of it and
            // leaves it out.
            if crate::load::escapes_root(&self.opts.root, path) {
                self.rescan();
                continue;
            }
            if crate::load::is_asset_path(&content_dir, &output_dir, path) {
                let rel = crate::load::rel_path(&content_dir, path);
                // Copied once per batch: the model still holds the last
                // good build's.
                let assets = &mut Arc::make_mut(&mut self.assets).0;
                if path.is_file() {
                    assets.insert(rel, path.clone());
                } else {
                    assets.remove(&rel);
                }
                // A file changed in place (an image redrawn) is copied
                // again, and its size read again, too.
                self.assets_changed = true;
                continue;
            }
            if !crate::load::is_content_path(&content_dir, &output_dir, path) {
                continue;
            }
            if path.is_file() {
                let parsed = read_parsed(&self.opts, &content_dir, path);
                self.sources.insert(path.clone(), parsed);
            } else if self.sources.remove(path).is_none() {
                // A file gone that the session never knew: the watcher folded
                // its history (created or renamed to here, then removed) and
                // may have dropped where it came from. Look at its folder.
                self.forget_missing_beside(path);
            }
            self.dirty.insert(path.clone());
        }
        self.timer.lap("read + parse");
        self.rebuild()
    }

    /// A template or static file changed: load the theme again. When only
    /// static files differ, copy them; else render every page from the
    /// model as it is.
    ///
    /// Content edits still pending (their last update failed) are applied
    /// after the theme, so that the report covers them.
    pub fn reload_theme(&mut self) -> Update {
        self.timer = Timer::new();
        let update = self.apply_theme();
        if self.dirty.is_empty() || self.stale || update.diagnostics.has_errors() {
            return update;
        }
        let mut then = self.rebuild();
        let mut changed = update.changed;
        for path in then.changed {
            if !changed.contains(&path) {
                changed.push(path);
            }
        }
        then.changed = changed;
        let mut timings = update.timings;
        timings.append(&mut then.timings);
        then.timings = timings;
        then
    }

    fn apply_theme(&mut self) -> Update {
        let mut front_problems = Vec::new();
        match Front::load(&self.opts, &mut front_problems) {
            Some(front)
                if front.look.is_some() && !front_problems.iter().any(Diagnostic::is_error) =>
            {
                let old = std::mem::replace(&mut self.front, front);
                self.problems.front = front_problems;
                let (Some(was), Some(now)) = (&old.look, &self.front.look) else {
                    return self.update_everything();
                };
                let same_templates = was.theme.templates.len() == now.theme.templates.len()
                    && was
                        .theme
                        .templates
                        .iter()
                        .zip(&now.theme.templates)
                        .all(|((a, x), (b, y))| a == b && x.text == y.text);
                if !same_templates || old.config != self.front.config {
                    return self.update_everything();
                }
                let mut changed = Vec::new();
                for path in was.theme.statics.keys() {
                    if !now.theme.statics.contains_key(path) && self.files.remove(path).is_some() {
                        changed.push(path.clone());
                    }
                }
                for (path, bytes) in &now.theme.statics {
                    if self.files.get(path).map(|b| &b[..]) != Some(&bytes[..]) {
                        self.files
                            .insert(path.clone(), bytes::Bytes::from(bytes.clone()));
                        changed.push(path.clone());
                    }
                }
                self.timer.lap("static files");
                Update {
                    timings: std::mem::take(&mut self.timer.phases),
                    diagnostics: self.diagnostics(Vec::new()),
                    changed,
                    scope: "static files",
                }
            }
            _ => {
                self.stale = true;
                let problems = Problems {
                    front: front_problems,
                    ..self.problems.clone()
                };
                Update {
                    timings: std::mem::take(&mut self.timer.phases),
                    diagnostics: problems.gather(&self.sources, []),
                    changed: Vec::new(),
                    scope: "none",
                }
            }
        }
    }

    /// Whether the session no longer matches the site's theme or settings,
    /// so that only a fresh start can bring it up to date.
    pub fn is_stale(&self) -> bool {
        self.stale
    }

    /// Drop the files of `path`'s folder that are no longer on disk.
    fn forget_missing_beside(&mut self, path: &std::path::Path) {
        let Some(folder) = path.parent() else {
            return;
        };
        let gone: Vec<PathBuf> = self
            .sources
            .range(folder.to_path_buf()..)
            .map(|(k, _)| k)
            .take_while(|k| k.starts_with(folder))
            .filter(|k| k.parent() == Some(folder) && !k.exists())
            .cloned()
            .collect();
        for path in gone {
            self.sources.remove(&path);
            self.dirty.insert(path);
        }
    }

    /// Walk `content/` again, for changes to whole folders.
    fn rescan(&mut self) {
        let (fresh, assets, walk_problems) = read_sources(&self.opts, &self.front.content_dir);
        if *self.assets != assets {
            self.assets = Arc::new(assets);
            self.assets_changed = true;
        }
        self.problems.walk = walk_problems;
        for (path, parsed) in &fresh {
            if self.sources.get(path).map(|(d, _)| d) != Some(&parsed.0) {
                self.dirty.insert(path.clone());
            }
        }
        for path in self.sources.keys() {
            if !fresh.contains_key(path) {
                self.dirty.insert(path.clone());
            }
        }
        self.sources = fresh;
    }

    fn rebuild(&mut self) -> Update {
        let parse_failed = self
            .sources
            .values()
            .any(|(_, d)| d.iter().any(Diagnostic::is_error));
        // Body-only edits keep the model as it is.
        let bodies_only = !parse_failed
            && !self.assets_changed
            && self.dirty.iter().all(|path| {
                let Some((Some(new), _)) = self.sources.get(path) else {
                    return false;
                };
                let Some(&i) = self.doc_by_rel.get(&new.source.rel) else {
                    return false;
                };
                self.model.docs[i].same_apart_from_body(new)
                    && !self
                        .problems
                        .resolve
                        .iter()
                        .any(|d| d.path == new.source.path)
            });
        if bodies_only {
            let changed: Vec<usize> = self
                .dirty
                .iter()
                .filter_map(|path| {
                    let new = self.sources[path].0.clone()?;
                    let i = self.doc_by_rel[&new.source.rel];
                    self.model.docs[i] = new;
                    Some(i)
                })
                .collect();
            self.dirty.clear();
            let mut touched = vec![false; self.model.docs.len()];
            for &i in &changed {
                touched[i] = true;
            }
            return self.render_touched(touched, Edit::Bodies);
        }

        if !parse_failed && !self.assets_changed {
            if let Some(touched) = self.retitle() {
                return self.render_touched(touched, Edit::Titles);
            }
        }

        let mut resolve_problems = Vec::new();
        let model = resolve(
            documents(&self.sources),
            self.assets.clone(),
            self.front.selection(&self.opts),
            &mut resolve_problems,
        );
        self.timer.lap("resolve");
        let failed = parse_failed || resolve_problems.iter().any(Diagnostic::is_error);
        if failed {
            // The session keeps its last good model and its problems.
            let problems = Problems {
                resolve: resolve_problems,
                ..self.problems.clone()
            };
            return Update {
                timings: std::mem::take(&mut self.timer.phases),
                diagnostics: problems.gather(&self.sources, []),
                changed: Vec::new(),
                scope: "none",
            };
        }
        let old = std::mem::replace(&mut self.model, model);
        self.problems.resolve = resolve_problems;
        // A public build publishes the files its pages use: a link can
        // change which.
        self.assets_changed |= old.assets != self.model.assets;
        let same_order = self.model.same_places(&old);
        if !same_order {
            self.dirty.clear();
            self.doc_by_rel = by_rel(&self.model);
            self.histories =
                histories_for(&self.model, &self.front.content_dir, self.history.as_ref());
            self.first_paragraphs = summarize_bodies(&self.model, &self.front.prefix);
            return self.update_everything();
        }

        // Same documents in the same places: mark what changed, in the
        // files and in what resolve derived from them.
        let mut touched = self.model.changed_since(&old);
        for path in std::mem::take(&mut self.dirty) {
            if let Some((Some(doc), _)) = self.sources.get(&path) {
                if let Some(&i) = self.doc_by_rel.get(&doc.source.rel) {
                    touched[i] |= old.docs[i] != *doc;
                }
            }
        }
        drop_in_background(old);
        self.timer.lap("compare");
        self.render_touched(touched, Edit::Model)
    }

    /// When the edits changed titles (and bodies) only, patch the model
    /// rather than resolve it again: the documents, the wiki links that
    /// show a retitled document's title, and the log's order, which ties by
    /// title. `None`, and nothing changed, when another field changed or a
    /// problem of the document may have moved.
    fn retitle(&mut self) -> Option<Vec<bool>> {
        let mut new_docs = Vec::new();
        for path in &self.dirty {
            let Some((Some(new), _)) = self.sources.get(path) else {
                return None;
            };
            let &i = self.doc_by_rel.get(&new.source.rel)?;
            let old = &self.model.docs[i];
            if !old.same_apart_from_title(new) {
                return None;
            }
            // Its problems stay where they were: none in the body, which
            // may have moved, or on the title's line.
            let title_line = old.key_spans.get("title").map(|k| k.key.line);
            let moved = |d: &Diagnostic| match d.span {
                Some(span) => old.body() != new.body() || Some(span.line) == title_line,
                None => false,
            };
            if self
                .problems
                .resolve
                .iter()
                .any(|d| d.path == new.source.path && moved(d))
            {
                return None;
            }
            new_docs.push((i, new.clone()));
        }
        self.dirty.clear();
        let mut touched = vec![false; self.model.docs.len()];
        for (i, new) in new_docs {
            if self.model.docs[i] == new {
                continue;
            }
            touched[i] = true;
            for j in self.model.retitle(i, new) {
                touched[j] = true;
            }
        }
        self.model.log = crate::resolve::log_order(&self.model);
        self.timer.lap("retitle");
        Some(touched)
    }

    fn diagnostics(&self, render: Vec<Diagnostic>) -> Diagnostics {
        self.problems.gather(&self.sources, render)
    }
}

fn by_rel(model: &Model) -> HashMap<String, usize> {
    model
        .docs
        .iter()
        .enumerate()
        .map(|(i, d)| (d.source.rel.clone(), i))
        .collect()
}

/// Freeing a whole model takes a while at 10,000 documents; the caller
/// need not wait for it.
fn drop_in_background(model: Model) {
    std::thread::spawn(move || drop(model));
}
