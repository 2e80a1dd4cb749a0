//! How a session renders again: the pages that read what an edit touched,
//! or everything, and the data files; only what changed is swapped into the
//! served files.

use super::{render_input, Edit, Files, Session, Update};
use crate::bodies::summarize_body;
use crate::diagnostics::Diagnostic;
use crate::export::{json_entry, json_files_from};
use crate::keys::hash_of;
use crate::render::{list_pages, lists_show_body_of, render_pages, Cards, Global, ListPage};
use crate::resolve::Model;
use crate::site::{data_files, feed_entry, sitemap_urls, DataParts};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

impl Session {
    /// Re-render what reads the touched documents. After an edit of bodies
    /// only, the model is as before and only the touched documents' bodies
    /// changed, so other pages can only have changed through their cards.
    pub(super) fn render_touched(&mut self, touched: Vec<bool>, edit: Edit) -> Update {
        let bodies_only = edit == Edit::Bodies;
        let n = self.derived.model.docs.len();
        for (i, r) in summarize_touched(&self.derived.model, &self.inputs.front.prefix, &touched) {
            self.derived.first_paragraphs[i] = r;
        }
        let input = render_input(&self.inputs, &self.derived);
        let global = Global::new(&input);
        if global.key != self.served.global_key {
            return self.update_everything();
        }
        let m = &self.derived.model;
        let candidates = cards_to_refresh(&self.served.cards, &touched, bodies_only);
        let mut new_cards = vec![false; n];
        for d in self.served.cards.refresh(&input, &global, &candidates) {
            new_cards[d] = true;
        }
        let cards_changed = new_cards.contains(&true);
        // What other pages read of a document: its card, and unless only
        // bodies changed, its data.
        let shown: Vec<bool> = if bodies_only {
            new_cards.clone()
        } else {
            (0..n).map(|d| touched[d] || new_cards[d]).collect()
        };
        // A page is rendered again when it is touched, or its view read
        // something shown when it was last rendered. (What a view reads
        // follows from its own document's data and from what it read: a
        // page that comes to read something new read something that changed.)
        let reads_shown = |deps: &[usize]| deps.iter().any(|&x| shown[x]);
        let pages: Vec<usize> = (0..n)
            .filter(|&d| touched[d] || reads_shown(&self.served.deps[d]))
            .collect();
        self.timer.lap("cards + dependencies");
        // List pages: described again when the model changed, or a body they
        // carry as a plain value.
        let plain_bodies = (0..n).any(|d| touched[d] && lists_show_body_of(&m.docs[d]));
        let describe = !bodies_only || plain_bodies;
        let lists = Lists {
            old: &self.served.lists,
            old_keys: &self.served.list_keys,
            describe,
        };
        let (mut out, new_deps, described) =
            render_changed(&input, &self.served.cards, &global, &pages, &shown, lists);
        let mut keys = None;
        if let Some((lists, k)) = described {
            self.served.lists = lists;
            keys = Some(k);
        }
        self.timer.lap("pages");
        let json_kinds = if bodies_only {
            [false; 4]
        } else {
            changed_json(&input, &pages, &mut self.served.json)
        };
        let feed_changed = changed_feed_entries(&input, &touched, &mut self.served.feed_entries)
            || !bodies_only
            || cards_changed;
        // The sitemap only when what it lists changed: never after new
        // titles, which keep every address and date.
        let urls = (edit == Edit::Model)
            .then(|| sitemap_urls(&input))
            .filter(|urls| {
                let key = hash_of(urls);
                std::mem::replace(&mut self.served.sitemap_key, key) != key
            });
        // Redirect pages follow the aliases; the files beside the content
        // are read again when one of them changed.
        let feed_entries = &self.served.feed_entries;
        let feed_entry = |e: usize| feed_entries[e].clone();
        let parts = DataParts {
            json: if bodies_only {
                Vec::new()
            } else {
                json_files_from(m, &self.served.json, &json_kinds)
            },
            feed: feed_changed.then_some(&feed_entry),
            sitemap: urls.as_deref(),
            redirects: !bodies_only,
            assets: !bodies_only && self.inputs.assets_changed,
            statics: false,
        };
        for (path, bytes) in data_files(&input, parts) {
            out.put(path, bytes);
        }
        let mut gone = Vec::new();
        if !bodies_only {
            let now = extra_paths(m);
            gone = self.served.extra_paths.difference(&now).cloned().collect();
            self.served.extra_paths = now;
        }
        if out.diags.iter().any(Diagnostic::is_error) {
            // The files are those of the last good build; the next change
            // renders everything.
            self.served.global_key = 0;
            return Update {
                timings: std::mem::take(&mut self.timer.phases),
                diagnostics: self.diagnostics(out.diags),
                changed: Vec::new(),
                scope: "none",
            };
        }
        self.timer.lap("data");
        self.inputs.assets_changed = false;
        for (d, deps) in new_deps {
            self.served.deps[d] = deps;
        }
        let changed = self.swap_in(out.files, gone, keys);
        Update {
            timings: std::mem::take(&mut self.timer.phases),
            diagnostics: self.diagnostics(out.diags),
            changed,
            scope: if bodies_only {
                "bodies"
            } else {
                "changed pages"
            },
        }
    }

    /// Take the rendered files into the served ones, and drop those no
    /// longer made (`gone`, and list pages no longer described); returns
    /// the paths that changed.
    fn swap_in(
        &mut self,
        files: Files,
        gone: Vec<String>,
        keys: Option<BTreeMap<String, u64>>,
    ) -> Vec<String> {
        let mut changed = Vec::new();
        for path in gone {
            if !files.contains_key(&path) && self.served.files.remove(&path).is_some() {
                changed.push(path);
            }
        }
        if let Some(keys) = keys {
            for old_list in self.served.list_keys.keys() {
                if !keys.contains_key(old_list) && self.served.files.remove(old_list).is_some() {
                    changed.push(old_list.clone());
                }
            }
            self.served.list_keys = keys;
        }
        for (path, bytes) in files {
            if self.served.files.get(&path) != Some(&bytes) {
                self.served.files.insert(path.clone(), bytes);
                changed.push(path);
            }
        }
        changed
    }

    /// An update that renders every page again.
    pub(super) fn update_everything(&mut self) -> Update {
        let mut render_diags = Vec::new();
        let changed = self.render_everything(&mut render_diags);
        Update {
            timings: std::mem::take(&mut self.timer.phases),
            diagnostics: self.diagnostics(render_diags),
            changed,
            scope: "all pages",
        }
    }

    /// Render every page and data file from the current model; returns the
    /// paths that differ from before.
    pub(super) fn render_everything(&mut self, diags: &mut Vec<Diagnostic>) -> Vec<String> {
        let input = render_input(&self.inputs, &self.derived);
        let global = Global::new(&input);
        let cards = Cards::all(&input, &global);
        let n = self.derived.model.docs.len();
        let lists = list_pages(&input);
        let docs: Vec<usize> = (0..n).collect();
        let out = Mutex::new(Output::default());
        let list_refs: Vec<&ListPage> = lists.iter().collect();
        let deps = render_pages(
            &input,
            &cards,
            &global,
            &docs,
            &list_refs,
            None,
            &|path, html| out.lock().expect("lock").page(path, html),
        );
        let mut out = out.into_inner().expect("lock");
        let export = input.export();
        let json: Vec<Option<Vec<u8>>> = (0..n)
            .into_par_iter()
            .map(|d| json_entry(&export, d))
            .collect();
        let feed_entries: Vec<String> = (0..self.derived.model.experiments.len())
            .into_par_iter()
            .map(|e| feed_entry(&input, e))
            .collect();
        let urls = sitemap_urls(&input);
        let parts = DataParts {
            json: json_files_from(&self.derived.model, &json, &[true; 4]),
            feed: Some(&|e| feed_entries[e].clone()),
            sitemap: Some(&urls),
            redirects: true,
            assets: true,
            statics: true,
        };
        let data = data_files(&input, parts);
        for (path, bytes) in data {
            out.put(path, bytes);
        }
        let failed = out.diags.iter().any(Diagnostic::is_error);
        diags.extend(out.diags);
        if failed {
            self.served.global_key = 0;
            return Vec::new();
        }
        self.served.deps = vec![Vec::new(); n];
        for (d, deps) in deps {
            self.served.deps[d] = deps;
        }
        self.served.list_keys = list_keys(&lists);
        self.served.lists = lists;
        self.served.json = json;
        self.served.feed_entries = feed_entries;
        self.served.sitemap_key = hash_of(&urls);
        self.served.extra_paths = extra_paths(&self.derived.model);
        self.inputs.assets_changed = false;
        self.served.global_key = global.key;
        self.served.cards = cards;
        let mut changed: Vec<String> = self
            .served
            .files
            .iter()
            .filter(|(k, v)| out.files.get(*k) != Some(v))
            .map(|(k, _)| k.clone())
            .collect();
        changed.extend(
            out.files
                .keys()
                .filter(|k| !self.served.files.contains_key(*k))
                .cloned(),
        );
        self.served.files = out.files;
        changed
    }
}

/// Rendered files and the problems met while rendering them.
#[derive(Default)]
struct Output {
    files: Files,
    diags: Vec<Diagnostic>,
}

impl Output {
    fn page(&mut self, path: String, html: Result<String, Diagnostic>) {
        match html {
            Ok(html) => self.put(path, html.into_bytes()),
            Err(d) => self.diags.push(d),
        }
    }

    fn put(&mut self, path: String, bytes: Vec<u8>) {
        self.files.insert(path, bytes::Bytes::from(bytes));
    }
}

/// Cards to build again: those of touched documents, and, unless only
/// bodies changed, those that read a touched document.
fn cards_to_refresh(cards: &Cards, touched: &[bool], bodies_only: bool) -> Vec<usize> {
    let own = (0..touched.len()).filter(|&d| touched[d]);
    if bodies_only {
        return own.collect();
    }
    let mut c = cards.reading(touched);
    c.extend(own);
    c.sort_unstable();
    c.dedup();
    c
}

/// The list pages as last described, and whether to describe them again.
struct Lists<'a> {
    old: &'a [ListPage],
    old_keys: &'a BTreeMap<String, u64>,
    describe: bool,
}

/// A new description of the list pages, and each one's key.
type Described = Option<(Vec<ListPage>, BTreeMap<String, u64>)>;

/// Render the documents' `pages` while the lists are described (when
/// asked) and those rendered whose description or one of whose cards
/// (`shown`) changed. Returns the output, each rendered page's reads and
/// the new description.
fn render_changed(
    input: &crate::render::RenderInput,
    cards: &Cards,
    global: &Global,
    pages: &[usize],
    shown: &[bool],
    lists: Lists,
) -> (Output, Vec<(usize, Vec<usize>)>, Described) {
    let out = Mutex::new(Output::default());
    let put = |path, html| out.lock().expect("lock").page(path, html);
    let (new_deps, described) = rayon::join(
        || render_pages(input, cards, global, pages, &[], None, &put),
        || {
            let described = lists.describe.then(|| {
                let lists = list_pages(input);
                let keys = list_keys(&lists);
                (lists, keys)
            });
            let (now, keys) = match &described {
                Some((now, keys)) => (now.as_slice(), Some(keys)),
                None => (lists.old, None),
            };
            let changed: Vec<&ListPage> = now
                .iter()
                .filter(|p| {
                    p.shows_any(shown)
                        || keys.is_some_and(|k| lists.old_keys.get(&p.path) != k.get(&p.path))
                })
                .collect();
            render_pages(input, cards, global, &[], &changed, None, &put);
            described
        },
    );
    (out.into_inner().expect("lock"), new_deps, described)
}

/// The JSON entries of the rendered `pages`, taken into `json`; returns
/// which kinds' files changed.
fn changed_json(
    input: &crate::render::RenderInput,
    pages: &[usize],
    json: &mut [Option<Vec<u8>>],
) -> [bool; 4] {
    let export = input.export();
    let entries: Vec<(usize, Option<Vec<u8>>)> = pages
        .par_iter()
        .map(|&d| (d, json_entry(&export, d)))
        .collect();
    let mut kinds = [false; 4];
    for (d, entry) in entries {
        if json[d] != entry {
            kinds[input.model.docs[d].kind as usize] = true;
            json[d] = entry;
        }
    }
    kinds
}

/// Feed entries follow their own experiment's document (and its first
/// paragraph): those of touched experiments, taken into `entries`; returns
/// whether one changed.
fn changed_feed_entries(
    input: &crate::render::RenderInput,
    touched: &[bool],
    entries: &mut [String],
) -> bool {
    let m = input.model;
    let redo: Vec<(usize, String)> = (0..m.experiments.len())
        .filter(|&e| touched[m.experiments[e].doc])
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|e| (e, feed_entry(input, e)))
        .collect();
    let mut changed = false;
    for (e, entry) in redo {
        if entries[e] != entry {
            entries[e] = entry;
            changed = true;
        }
    }
    changed
}

fn summarize_touched(model: &Model, prefix: &str, which: &[bool]) -> Vec<(usize, String)> {
    let docs: Vec<usize> = (0..model.docs.len()).filter(|&i| which[i]).collect();
    docs.into_par_iter()
        .map(|i| (i, summarize_body(model, prefix, i)))
        .collect()
}

/// The output paths of the redirect pages and the files beside the content.
fn extra_paths(model: &Model) -> BTreeSet<String> {
    model
        .aliases
        .iter()
        .map(|(alias, _)| crate::render::output_path(alias))
        .chain(model.assets.0.keys().cloned())
        .collect()
}

/// Each list page's key, by output path.
fn list_keys(lists: &[ListPage]) -> BTreeMap<String, u64> {
    lists
        .par_iter()
        .map(|p| (p.path.clone(), p.key()))
        .collect()
}
