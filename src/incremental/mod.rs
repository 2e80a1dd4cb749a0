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

mod rerender;

/// The built site in memory, path → bytes (shared cheaply with readers).
pub type Files = BTreeMap<String, bytes::Bytes>;

pub struct Session {
    /// What was read: the options, the theme and configuration, and every
    /// content file as on disk now.
    inputs: Inputs,
    /// What the last good build derived from them.
    derived: Derived,
    /// What was made from that: the served files and what each was made of.
    served: Served,
    stale: bool,
    timer: Timer,
}

/// A session's inputs.
struct Inputs {
    opts: BuildOptions,
    front: Front,
    /// Every content file as on disk now, by absolute path.
    sources: BTreeMap<PathBuf, Parsed>,
    /// Files changed since the last good build.
    dirty: BTreeSet<PathBuf>,
    /// The files beside the content as on disk now.
    assets: Arc<Assets>,
    /// Whether they changed since the last good build.
    assets_changed: bool,
    history: Option<HistoryMap>,
    /// The latest commits and what they changed, as read at the start.
    changelog: Vec<crate::changelog::CommitChanges>,
}

/// What the last good build derived from the inputs.
struct Derived {
    /// The problems of the last build, but each file's own and those of
    /// rendering.
    problems: Problems,
    model: Model,
    doc_by_rel: HashMap<String, usize>,
    histories: Vec<Option<History>>,
    /// Each body's first paragraph.
    first_paragraphs: Vec<String>,
}

/// The served files and, for each, what it was made from, so that an edit
/// renders again only what it touched.
struct Served {
    cards: Cards,
    global_key: u64,
    /// Each document page's recorded reads.
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
    /// The output paths of redirect pages and files beside the content.
    extra_paths: BTreeSet<String>,
}

/// The render input of a session as it stands.
fn render_input<'a>(inputs: &'a Inputs, derived: &'a Derived) -> crate::render::RenderInput<'a> {
    inputs.front.render_input(
        inputs.front.look.as_ref().expect("a session has a theme"),
        &derived.model,
        &derived.first_paragraphs,
        &derived.histories,
        &inputs.changelog,
        &inputs.opts.live_reload,
    )
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
            inputs: Inputs {
                opts: opts.clone(),
                front,
                sources,
                dirty: BTreeSet::new(),
                assets,
                assets_changed: false,
                history,
                changelog,
            },
            derived: Derived {
                problems,
                doc_by_rel: by_rel(&model),
                model,
                histories,
                first_paragraphs,
            },
            served: Served {
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
                extra_paths: BTreeSet::new(),
            },
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
        &self.served.files
    }

    pub fn options(&self) -> &BuildOptions {
        &self.inputs.opts
    }

    /// Re-read the given paths (files or folders under `content/`) and bring
    /// the site up to date.
    pub fn update_content(&mut self, paths: &[PathBuf]) -> Update {
        self.timer = Timer::new();
        let content_dir = self.inputs.front.content_dir.clone();
        let output_dir = self.inputs.opts.output_dir();
        for path in paths {
            if path.is_dir()
                || (!path.exists()
                    && self
                        .inputs
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
            if crate::load::escapes_root(&self.inputs.opts.root, path) {
                self.rescan();
                continue;
            }
            if crate::load::is_asset_path(&content_dir, &output_dir, path) {
                let rel = crate::load::rel_path(&content_dir, path);
                // Copied once per batch: the model still holds the last
                // good build's.
                let assets = &mut Arc::make_mut(&mut self.inputs.assets).0;
                if path.is_file() {
                    assets.insert(rel, path.clone());
                } else {
                    assets.remove(&rel);
                }
                // A file changed in place (an image redrawn) is copied
                // again, and its size read again, too.
                self.inputs.assets_changed = true;
                continue;
            }
            if !crate::load::is_content_path(&content_dir, &output_dir, path) {
                continue;
            }
            if path.is_file() {
                let parsed = read_parsed(&self.inputs.opts, &content_dir, path);
                self.inputs.sources.insert(path.clone(), parsed);
            } else if self.inputs.sources.remove(path).is_none() {
                // A file gone that the session never knew: the watcher folded
                // its history (created or renamed to here, then removed) and
                // may have dropped where it came from. Look at its folder.
                self.forget_missing_beside(path);
            }
            self.inputs.dirty.insert(path.clone());
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
        if self.inputs.dirty.is_empty() || self.stale || update.diagnostics.has_errors() {
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
        match Front::load(&self.inputs.opts, &mut front_problems) {
            Some(front)
                if front.look.is_some() && !front_problems.iter().any(Diagnostic::is_error) =>
            {
                let old = std::mem::replace(&mut self.inputs.front, front);
                self.derived.problems.front = front_problems;
                let (Some(was), Some(now)) = (&old.look, &self.inputs.front.look) else {
                    return self.update_everything();
                };
                let same_templates = was.theme.templates.len() == now.theme.templates.len()
                    && was
                        .theme
                        .templates
                        .iter()
                        .zip(&now.theme.templates)
                        .all(|((a, x), (b, y))| a == b && x.text == y.text);
                if !same_templates || old.config != self.inputs.front.config {
                    return self.update_everything();
                }
                let mut changed = Vec::new();
                for path in was.theme.statics.keys() {
                    if !now.theme.statics.contains_key(path)
                        && self.served.files.remove(path).is_some()
                    {
                        changed.push(path.clone());
                    }
                }
                for (path, bytes) in &now.theme.statics {
                    if self.served.files.get(path).map(|b| &b[..]) != Some(&bytes[..]) {
                        self.served
                            .files
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
                    ..self.derived.problems.clone()
                };
                Update {
                    timings: std::mem::take(&mut self.timer.phases),
                    diagnostics: problems.gather(&self.inputs.sources, []),
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
            .inputs
            .sources
            .range(folder.to_path_buf()..)
            .map(|(k, _)| k)
            .take_while(|k| k.starts_with(folder))
            .filter(|k| k.parent() == Some(folder) && !k.exists())
            .cloned()
            .collect();
        for path in gone {
            self.inputs.sources.remove(&path);
            self.inputs.dirty.insert(path);
        }
    }

    /// Walk `content/` again, for changes to whole folders.
    fn rescan(&mut self) {
        let (fresh, assets, walk_problems) =
            read_sources(&self.inputs.opts, &self.inputs.front.content_dir);
        if *self.inputs.assets != assets {
            self.inputs.assets = Arc::new(assets);
            self.inputs.assets_changed = true;
        }
        self.derived.problems.walk = walk_problems;
        for (path, parsed) in &fresh {
            if self.inputs.sources.get(path).map(|(d, _)| d) != Some(&parsed.0) {
                self.inputs.dirty.insert(path.clone());
            }
        }
        for path in self.inputs.sources.keys() {
            if !fresh.contains_key(path) {
                self.inputs.dirty.insert(path.clone());
            }
        }
        self.inputs.sources = fresh;
    }

    fn rebuild(&mut self) -> Update {
        let parse_failed = self
            .inputs
            .sources
            .values()
            .any(|(_, d)| d.iter().any(Diagnostic::is_error));
        // Body-only edits keep the model as it is.
        let bodies_only = !parse_failed
            && !self.inputs.assets_changed
            && self.inputs.dirty.iter().all(|path| {
                let Some((Some(new), _)) = self.inputs.sources.get(path) else {
                    return false;
                };
                let Some(&i) = self.derived.doc_by_rel.get(&new.source.rel) else {
                    return false;
                };
                self.derived.model.docs[i].same_apart_from_body(new)
                    && !self
                        .derived
                        .problems
                        .resolve
                        .iter()
                        .any(|d| d.path == new.source.path)
            });
        if bodies_only {
            let changed: Vec<usize> = self
                .inputs
                .dirty
                .iter()
                .filter_map(|path| {
                    let new = self.inputs.sources[path].0.clone()?;
                    let i = self.derived.doc_by_rel[&new.source.rel];
                    self.derived.model.docs[i] = new;
                    Some(i)
                })
                .collect();
            self.inputs.dirty.clear();
            let mut touched = vec![false; self.derived.model.docs.len()];
            for &i in &changed {
                touched[i] = true;
            }
            return self.render_touched(touched, Edit::Bodies);
        }

        if !parse_failed && !self.inputs.assets_changed {
            if let Some(touched) = self.retitle() {
                return self.render_touched(touched, Edit::Titles);
            }
        }

        let mut resolve_problems = Vec::new();
        let model = resolve(
            documents(&self.inputs.sources),
            self.inputs.assets.clone(),
            self.inputs.front.selection(&self.inputs.opts),
            &mut resolve_problems,
        );
        self.timer.lap("resolve");
        let failed = parse_failed || resolve_problems.iter().any(Diagnostic::is_error);
        if failed {
            // The session keeps its last good model and its problems.
            let problems = Problems {
                resolve: resolve_problems,
                ..self.derived.problems.clone()
            };
            return Update {
                timings: std::mem::take(&mut self.timer.phases),
                diagnostics: problems.gather(&self.inputs.sources, []),
                changed: Vec::new(),
                scope: "none",
            };
        }
        let old = std::mem::replace(&mut self.derived.model, model);
        self.derived.problems.resolve = resolve_problems;
        // A public build publishes the files its pages use: a link can
        // change which.
        self.inputs.assets_changed |= old.assets != self.derived.model.assets;
        let same_order = self.derived.model.same_places(&old);
        if !same_order {
            self.inputs.dirty.clear();
            self.derived.doc_by_rel = by_rel(&self.derived.model);
            self.derived.histories = histories_for(
                &self.derived.model,
                &self.inputs.front.content_dir,
                self.inputs.history.as_ref(),
            );
            self.derived.first_paragraphs =
                summarize_bodies(&self.derived.model, &self.inputs.front.prefix);
            return self.update_everything();
        }

        // Same documents in the same places: mark what changed, in the
        // files and in what resolve derived from them.
        let mut touched = self.derived.model.changed_since(&old);
        for path in std::mem::take(&mut self.inputs.dirty) {
            if let Some((Some(doc), _)) = self.inputs.sources.get(&path) {
                if let Some(&i) = self.derived.doc_by_rel.get(&doc.source.rel) {
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
        for path in &self.inputs.dirty {
            let Some((Some(new), _)) = self.inputs.sources.get(path) else {
                return None;
            };
            let &i = self.derived.doc_by_rel.get(&new.source.rel)?;
            let old = &self.derived.model.docs[i];
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
                .derived
                .problems
                .resolve
                .iter()
                .any(|d| d.path == new.source.path && moved(d))
            {
                return None;
            }
            new_docs.push((i, new.clone()));
        }
        self.inputs.dirty.clear();
        let mut touched = vec![false; self.derived.model.docs.len()];
        for (i, new) in new_docs {
            if self.derived.model.docs[i] == new {
                continue;
            }
            touched[i] = true;
            for j in self.derived.model.retitle(i, new) {
                touched[j] = true;
            }
        }
        self.derived.model.log = crate::resolve::log_order(&self.derived.model);
        self.timer.lap("retitle");
        Some(touched)
    }

    fn diagnostics(&self, render: Vec<Diagnostic>) -> Diagnostics {
        self.derived.problems.gather(&self.inputs.sources, render)
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
