//! How a session renders again: the pages that read what an edit touched,
//! or everything, and the data files; only what changed is swapped into the
//! served files.

use super::{Edit, Files, Session, Update};
use crate::bodies::summarize_body;
use crate::diagnostics::Diagnostic;
use crate::export::{json_entry, json_files_from};
use crate::keys::hash_of;
use crate::render::{list_pages, lists_show_body_of, render_pages, Cards, Global, ListPage};
use crate::resolve::Model;
use crate::site::{
    asset_files, data_files, feed_entry, feed_file, redirect_files, sitemap_file, sitemap_urls,
};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

impl Session {
    /// Re-render what reads the touched documents. After an edit of bodies
    /// only, the model is as before and only the touched documents' bodies
    /// changed, so other pages can only have changed through their cards.
    pub(super) fn render_touched(&mut self, touched: Vec<bool>, edit: Edit) -> Update {
        let bodies_only = edit == Edit::Bodies;
        let n = self.model.docs.len();
        for (i, r) in summarize_touched(&self.model, &self.front.prefix, &touched) {
            self.first_paragraphs[i] = r;
        }
        let input = render_input!(self);
        let global = Global::new(&input);
        if global.key != self.global_key {
            return self.update_everything();
        }
        let m = &self.model;
        // Cards to build again: those of touched documents, and, unless only
        // bodies changed, those that read a touched document.
        let candidates: Vec<usize> = if bodies_only {
            (0..n).filter(|&d| touched[d]).collect()
        } else {
            let mut c = self.cards.reading(&touched);
            c.extend((0..n).filter(|&d| touched[d]));
            c.sort_unstable();
            c.dedup();
            c
        };
        let mut new_cards = vec![false; n];
        for d in self.cards.refresh(&input, &global, &candidates) {
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
            .filter(|&d| touched[d] || reads_shown(&self.deps[d]))
            .collect();
        self.timer.lap("cards + dependencies");
        // List pages: described again when the model changed, or a body they
        // carry as a plain value; re-rendered when their description or one
        // of their cards changed.
        let plain_bodies = (0..n).any(|d| touched[d] && lists_show_body_of(&m.docs[d]));
        let describe = !bodies_only || plain_bodies;
        // The documents' pages render while the lists are described and
        // those that changed rendered.
        let out = Mutex::new(Output::default());
        let put = |path, html| out.lock().expect("lock").page(path, html);
        let (new_deps, described) = rayon::join(
            || render_pages(&input, &self.cards, &global, &pages, &[], None, &put),
            || {
                let described = describe.then(|| {
                    let lists = list_pages(&input);
                    let keys = list_keys(&lists);
                    (lists, keys)
                });
                let (lists, keys) = match &described {
                    Some((lists, keys)) => (lists, Some(keys)),
                    None => (&self.lists, None),
                };
                let changed: Vec<&ListPage> = lists
                    .iter()
                    .filter(|p| {
                        p.shows_any(&shown)
                            || keys.is_some_and(|k| self.list_keys.get(&p.path) != k.get(&p.path))
                    })
                    .collect();
                render_pages(&input, &self.cards, &global, &[], &changed, None, &put);
                described
            },
        );
        let mut keys = None;
        if let Some((lists, k)) = described {
            self.lists = lists;
            keys = Some(k);
        }
        let mut out = out.into_inner().expect("lock");
        self.timer.lap("pages");
        // The JSON files of the kinds whose entries changed.
        let mut json_kinds = [false; 4];
        if !bodies_only {
            let export = input.export();
            let entries: Vec<(usize, Option<Vec<u8>>)> = pages
                .par_iter()
                .map(|&d| (d, json_entry(&export, d)))
                .collect();
            for (d, entry) in entries {
                if self.json[d] != entry {
                    json_kinds[m.docs[d].kind as usize] = true;
                    self.json[d] = entry;
                }
            }
        }
        // Feed entries follow their own experiment's document (and its
        // first paragraph); the feed is joined again when one changed.
        let redo: Vec<usize> = (0..m.experiments.len())
            .filter(|&e| touched[m.experiments[e].doc])
            .collect();
        let entries: Vec<(usize, String)> = redo
            .into_par_iter()
            .map(|e| (e, feed_entry(&input, e)))
            .collect();
        let mut feed_changed = !bodies_only || cards_changed;
        for (e, entry) in entries {
            if self.feed_entries[e] != entry {
                self.feed_entries[e] = entry;
                feed_changed = true;
            }
        }
        // The sitemap only when what it lists changed: never after new
        // titles, which keep every address and date.
        let mut sitemap = None;
        if edit == Edit::Model {
            let urls = sitemap_urls(&input);
            let key = hash_of(&urls);
            if key != self.sitemap_key {
                self.sitemap_key = key;
                sitemap = Some(urls);
            }
        }
        // The data files are independent of each other: build them at once.
        let json = &self.json;
        let feed_entries = &self.feed_entries;
        let ((json_files, sitemap), feed) = rayon::join(
            || {
                if bodies_only {
                    (Vec::new(), None)
                } else {
                    rayon::join(
                        || json_files_from(m, json, &json_kinds),
                        || sitemap.as_deref().map(sitemap_file),
                    )
                }
            },
            || feed_changed.then(|| feed_file(&input, &|e| feed_entries[e].clone())),
        );
        for (path, bytes) in json_files.into_iter().chain(sitemap).chain(feed) {
            out.put(path, bytes);
        }
        // Redirect pages follow the aliases; the files beside the content
        // are read again when one of them changed.
        let mut gone = Vec::new();
        if !bodies_only {
            let mut extra = redirect_files(&input);
            if self.assets_changed {
                extra.extend(asset_files(m));
            }
            let now = extra_paths(m);
            gone = self.extra_paths.difference(&now).cloned().collect();
            self.extra_paths = now;
            for (path, bytes) in extra {
                out.put(path, bytes);
            }
        }
        if out.diags.iter().any(Diagnostic::is_error) {
            // The files are those of the last good build; the next change
            // renders everything.
            self.global_key = 0;
            return Update {
                timings: std::mem::take(&mut self.timer.phases),
                diagnostics: self.diagnostics(out.diags),
                changed: Vec::new(),
                scope: "none",
            };
        }
        self.timer.lap("data");
        self.assets_changed = false;
        for (d, deps) in new_deps {
            self.deps[d] = deps;
        }
        let mut changed = Vec::new();
        for path in gone {
            if !out.files.contains_key(&path) && self.files.remove(&path).is_some() {
                changed.push(path);
            }
        }
        if let Some(keys) = keys {
            for old_list in self.list_keys.keys() {
                if !keys.contains_key(old_list) && self.files.remove(old_list).is_some() {
                    changed.push(old_list.clone());
                }
            }
            self.list_keys = keys;
        }
        for (path, bytes) in out.files {
            if self.files.get(&path) != Some(&bytes) {
                self.files.insert(path.clone(), bytes);
                changed.push(path);
            }
        }
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
        let input = render_input!(self);
        let global = Global::new(&input);
        let cards = Cards::all(&input, &global);
        let n = self.model.docs.len();
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
        let feed_entries: Vec<String> = (0..self.model.experiments.len())
            .into_par_iter()
            .map(|e| feed_entry(&input, e))
            .collect();
        let urls = sitemap_urls(&input);
        let data = data_files(
            &input,
            &json_files_from(&self.model, &json, &[true; 4]),
            &|e| feed_entries[e].clone(),
            &urls,
        );
        for (path, bytes) in data {
            out.put(path, bytes);
        }
        let failed = out.diags.iter().any(Diagnostic::is_error);
        diags.extend(out.diags);
        if failed {
            self.global_key = 0;
            return Vec::new();
        }
        self.deps = vec![Vec::new(); n];
        for (d, deps) in deps {
            self.deps[d] = deps;
        }
        self.list_keys = list_keys(&lists);
        self.lists = lists;
        self.json = json;
        self.feed_entries = feed_entries;
        self.sitemap_key = hash_of(&urls);
        self.extra_paths = extra_paths(&self.model);
        self.assets_changed = false;
        self.global_key = global.key;
        self.cards = cards;
        let mut changed: Vec<String> = self
            .files
            .iter()
            .filter(|(k, v)| out.files.get(*k) != Some(v))
            .map(|(k, _)| k.clone())
            .collect();
        changed.extend(
            out.files
                .keys()
                .filter(|k| !self.files.contains_key(*k))
                .cloned(),
        );
        self.files = out.files;
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
