//! The search index: Pagefind, through its Rust API. Each page becomes a
//! record (title, kind, status, statement, body text, metric names, tags;
//! kind and status are also filters). Records are indexed in bundles of
//! about `search_shard_pages` pages, chosen by a hash of each page's URL,
//! two bundles at a time, each bundle written out as soon as it is built:
//! the first under `/pagefind/`, the others under `/pagefind/shard-N/`,
//! which the search page merges. Search works offline from the site's own
//! files. A manifest records what made each bundle, so that the next build
//! into the same folder takes over the bundles whose pages did not change.

/// One page as the search engine sees it.
#[derive(Clone, Hash)]
pub struct Record {
    /// Root-relative URL path (`/experiments/foo/`); the theme's script
    /// tells Pagefind the site's base URL.
    pub url: String,
    pub title: String,
    pub kind: String,
    pub status: Option<String>,
    /// What comes before the body: the statement and summary, as
    /// sentences.
    pub head: String,
    /// The body's Markdown, wiki links resolved. Its plain text is made only
    /// when the record is indexed: a reused bundle's records never need it.
    pub body: String,
    /// Metric names and tags. Like the title, kind and status, they are
    /// searched as metadata and never shown in an excerpt.
    pub tags: String,
}

impl Record {
    /// The text Pagefind indexes and shows excerpts from: prose only.
    fn text(&self) -> String {
        let mut text = self.head.clone();
        text.push_str(&crate::markdown::plain_text(&self.body));
        if text.trim().is_empty() {
            // Pagefind leaves out a record without words.
            text.clone_from(&self.title);
        }
        text
    }
}

/// About how many pages one search bundle holds unless `gemba.yaml` says
/// otherwise. Pagefind keeps every page of a bundle in memory while it
/// indexes it, so a large site is indexed in several bundles, one after the
/// other, and the search page merges them in the browser.
pub const SHARD_PAGES: usize = 500;

/// How many bundles an index of `pages` records has.
pub fn bundle_count(pages: usize, per: usize) -> usize {
    pages.div_ceil(per.max(1)).max(1)
}

/// The records of each bundle, as indices into `urls`, in their order.
/// A page's bundle follows from a hash of its URL, not from its place in
/// the list, so adding or removing a page changes one bundle rather than
/// every bundle after it, and a rebuild reuses the others (see [`Earlier`]).
pub fn partition(urls: &[&str], per: usize) -> Vec<Vec<usize>> {
    let count = bundle_count(urls.len(), per);
    let mut bundles = vec![Vec::new(); count];
    for (i, url) in urls.iter().enumerate() {
        bundles[(crate::keys::hash_of(url) % count as u64) as usize].push(i);
    }
    bundles
}

/// Pagefind's ready-made user interfaces, which gemba's theme does not use
/// but ships once for themes that do.
fn is_ui_file(name: &str) -> bool {
    let name = name.trim_start_matches('/');
    name.contains("-ui.") || name.starts_with("pagefind-highlight")
}

/// Where bundle `k` lives under the output root (`pagefind/` first).
pub fn shard_dir(k: usize) -> String {
    if k == 0 {
        "pagefind/".to_string()
    } else {
        format!("pagefind/shard-{}/", k + 1)
    }
}

/// Where an index says which records made each of its bundles.
pub const MANIFEST: &str = "pagefind/gemba-bundles.json";

/// The bundles of an earlier build's index (its output folder), by folder:
/// the key of the records that made each bundle, and the bundle's files.
/// A bundle whose records are the same now is taken over (hard-linked), not
/// indexed again.
pub struct Earlier {
    root: std::path::PathBuf,
    bundles: std::collections::HashMap<String, (String, Vec<String>)>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Manifest {
    bundles: Vec<ManifestBundle>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct ManifestBundle {
    dir: String,
    key: String,
    files: Vec<String>,
}

impl Earlier {
    /// The index under `root`, if it has a readable manifest.
    pub fn read(root: &std::path::Path) -> Option<Earlier> {
        let text = std::fs::read(root.join(MANIFEST)).ok()?;
        let manifest: Manifest = serde_json::from_slice(&text).ok()?;
        Some(Earlier {
            root: root.to_path_buf(),
            bundles: manifest
                .bundles
                .into_iter()
                .map(|b| (b.dir, (b.key, b.files)))
                .collect(),
        })
    }

    /// The files of the bundle in `dir` (name, where it lies) if `key` made
    /// it and every file is still there.
    fn files(&self, dir: &str, key: &str) -> Option<Vec<(String, std::path::PathBuf)>> {
        let (earlier_key, files) = self.bundles.get(dir)?;
        // Only plain relative names inside the bundle's folder are read.
        let inside = |f: &str| {
            std::path::Path::new(f)
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_)))
        };
        if earlier_key != key || !files.iter().all(|f| inside(f)) {
            return None;
        }
        let found: Vec<(String, std::path::PathBuf)> = files
            .iter()
            .map(|f| (f.clone(), self.root.join(dir).join(f)))
            .collect();
        found
            .iter()
            .all(|(_, path)| path.is_file())
            .then_some(found)
    }
}

/// What a bundle's files follow from: this program (its size and time, so
/// that another version of gemba or Pagefind indexes anew), the bundle's
/// place, the language and every field of every record, in order. `None`
/// when the program cannot be told apart from another: nothing is reused.
fn bundle_key(k: usize, language: &str, records: &[Record]) -> Option<String> {
    use std::hash::{Hash, Hasher};
    let program = crate::keys::program_identity()?;
    // Two hashes with different seeds: 128 bits.
    let digest = |seed| {
        let mut h = crate::keys::key_hasher(seed);
        (&program, k, language).hash(&mut h);
        records.hash(&mut h);
        h.finish()
    };
    Some(format!("{:016x}{:016x}", digest(2), digest(3)))
}

/// Where the files of an index go: each new file's path under the output
/// root and bytes, and each file taken over from an earlier index.
pub struct Emit<'a> {
    pub put: &'a (dyn Fn(String, Vec<u8>) -> Result<(), String> + Sync),
    pub take: &'a (dyn Fn(String, &std::path::Path) -> Result<(), String> + Sync),
}

/// Build the index of the records of `urls`, made bundle by bundle by
/// `records(indices)`, so that only one bundle's records exist at a time,
/// and hand each file to `emit` as soon as its bundle is done. Bundles that
/// `earlier` holds for the same records are taken over from it.
pub fn build_index(
    urls: &[&str],
    per_shard: usize,
    language: &str,
    earlier: Option<&Earlier>,
    records: &(dyn Fn(&[usize]) -> Vec<Record> + Sync),
    emit: &Emit,
) -> Result<(), String> {
    // Pagefind indexes one record at a time, so bundles are built two at
    // a time, one on each core: two workers take the next bundle as each
    // finishes one (so neither waits for the other), and only two
    // bundles' records exist at once.
    let bundles: Vec<(usize, Vec<usize>)> =
        partition(urls, per_shard).into_iter().enumerate().collect();
    let build = |(k, members): &(usize, Vec<usize>)| -> Result<ManifestBundle, String> {
        let shard = records(members);
        let dir = shard_dir(*k);
        let key = bundle_key(*k, language, &shard).unwrap_or_default();
        let reused = earlier.filter(|_| !key.is_empty());
        let mut names = Vec::new();
        let taken = reused
            .and_then(|e| e.files(&dir, &key))
            .is_some_and(|files| {
                files.into_iter().all(|(name, from)| {
                    let ok = (emit.take)(format!("{dir}{name}"), &from).is_ok();
                    names.push(name);
                    ok
                })
            });
        if !taken {
            names.clear();
            for (name, bytes) in build_bundle(&shard, language)? {
                let name = name.trim_start_matches('/').to_string();
                // Later bundles are only searched; the first one
                // carries Pagefind's user-interface files.
                if *k > 0 && is_ui_file(&name) {
                    continue;
                }
                (emit.put)(format!("{dir}{name}"), bytes)?;
                names.push(name);
            }
        }
        // Pagefind hands its files over in no fixed order.
        names.sort_unstable();
        Ok(ManifestBundle {
            dir,
            key,
            files: names,
        })
    };
    let next = std::sync::atomic::AtomicUsize::new(0);
    let done: Vec<std::sync::OnceLock<Result<ManifestBundle, String>>> =
        bundles.iter().map(|_| std::sync::OnceLock::new()).collect();
    let worker = || loop {
        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let Some(bundle) = bundles.get(i) else {
            break;
        };
        let built = build(bundle);
        let failed = built.is_err();
        let _ = done[i].set(built);
        if failed {
            // The others stop at their next bundle.
            next.store(bundles.len(), std::sync::atomic::Ordering::Relaxed);
        }
    };
    rayon::join(worker, worker);
    let mut manifest = Vec::new();
    for bundle in done {
        // Every bundle before a failed one was built: they are taken in order.
        let built = bundle.into_inner().ok_or("a search bundle was not built")?;
        manifest.push(built?);
    }
    let manifest =
        serde_json::to_vec(&Manifest { bundles: manifest }).map_err(|e| e.to_string())?;
    (emit.put)(MANIFEST.to_string(), manifest)
}

/// One Pagefind bundle for `records`; paths are relative to the bundle.
/// Records are given to Pagefind as they are (no HTML to parse), in order,
/// which keeps the index byte-for-byte reproducible.
fn build_bundle(records: &[Record], language: &str) -> Result<Vec<(String, Vec<u8>)>, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let options = pagefind::options::PagefindServiceConfig::builder()
            .force_language(language.to_string())
            .build();
        let mut index =
            pagefind::api::PagefindIndex::new(Some(options)).map_err(|e| e.to_string())?;
        for r in records {
            let mut meta = std::collections::BTreeMap::new();
            meta.insert("title".to_string(), r.title.clone());
            meta.insert("kind".to_string(), r.kind.clone());
            if !r.tags.is_empty() {
                meta.insert("tags".to_string(), r.tags.clone());
            }
            let mut filters = std::collections::BTreeMap::new();
            filters.insert("kind".to_string(), vec![r.kind.clone()]);
            if let Some(status) = &r.status {
                meta.insert("status".to_string(), status.clone());
                filters.insert("status".to_string(), vec![status.clone()]);
            }
            index
                .add_custom_record(
                    r.url.clone(),
                    r.text(),
                    language.to_string(),
                    Some(meta),
                    Some(filters),
                    None,
                )
                .await
                .map_err(|e| e.to_string())?;
        }
        let files = index.get_files().await.map_err(|e| e.to_string())?;
        Ok(files
            .into_iter()
            .map(|f| (f.filename.to_string_lossy().replace('\\', "/"), f.contents))
            .collect())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_lands_in_one_bundle_and_bundles_stay_near_their_size() {
        let urls: Vec<String> = (0..10_051)
            .map(|i| format!("/experiments/e-{i}/"))
            .collect();
        let refs: Vec<&str> = urls.iter().map(String::as_str).collect();
        let bundles = partition(&refs, 1000);
        assert_eq!(bundles.len(), 11);
        let mut seen: Vec<usize> = bundles.concat();
        seen.sort_unstable();
        assert_eq!(seen, (0..urls.len()).collect::<Vec<_>>());
        for b in &bundles {
            assert!(
                b.windows(2).all(|w| w[0] < w[1]),
                "a bundle keeps the order"
            );
            assert!((800..1100).contains(&b.len()), "{} pages", b.len());
        }
        assert_eq!(partition(&[], 1000), vec![Vec::<usize>::new()]);
    }

    #[test]
    fn a_new_page_changes_one_bundle() {
        let mut urls: Vec<String> = (0..4500).map(|i| format!("/experiments/e-{i}/")).collect();
        let before: Vec<Vec<String>> = {
            let refs: Vec<&str> = urls.iter().map(String::as_str).collect();
            partition(&refs, 1000)
                .iter()
                .map(|b| b.iter().map(|&i| urls[i].clone()).collect())
                .collect()
        };
        urls.insert(1234, "/experiments/a-new-one/".into());
        let refs: Vec<&str> = urls.iter().map(String::as_str).collect();
        let after: Vec<Vec<String>> = partition(&refs, 1000)
            .iter()
            .map(|b| b.iter().map(|&i| urls[i].clone()).collect())
            .collect();
        let changed = before.iter().zip(&after).filter(|(b, a)| b != a).count();
        assert_eq!(changed, 1);
    }

    #[test]
    fn a_bundle_key_follows_the_records_their_order_place_and_language() {
        let base_record = Record {
            url: "/a/".into(),
            title: "A".into(),
            kind: "experiment".into(),
            status: None,
            head: "A\n".into(),
            body: "x".into(),
            tags: String::new(),
        };
        let key = |r: &[Record]| bundle_key(0, "en", r).unwrap();
        let base = key(std::slice::from_ref(&base_record));
        assert_eq!(base, key(std::slice::from_ref(&base_record.clone())));
        // A changed field changes the key (every field is hashed: the
        // key hashes the records through their derived `Hash`).
        let mut changed = base_record.clone();
        changed.body = "y".into();
        assert_ne!(base, key(&[changed]));
        // So do the records' order, the bundle's place and the language.
        let mut other = base_record.clone();
        other.url = "/b/".into();
        assert_ne!(
            key(&[base_record.clone(), other.clone()]),
            key(&[other, base_record.clone()])
        );
        assert_ne!(
            base,
            bundle_key(1, "en", std::slice::from_ref(&base_record)).unwrap()
        );
        assert_ne!(
            base,
            bundle_key(0, "de", std::slice::from_ref(&base_record)).unwrap()
        );
    }

    #[test]
    fn an_earlier_manifest_reads_only_files_inside_its_bundle() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("pagefind/fragment")).unwrap();
        std::fs::write(root.path().join("pagefind/fragment/a"), b"kept").unwrap();
        std::fs::write(root.path().join("secret"), b"not index").unwrap();
        let manifest = |files: &str| {
            let text =
                format!(r#"{{"bundles":[{{"dir":"pagefind/","key":"k","files":{files}}}]}}"#);
            std::fs::write(root.path().join(MANIFEST), text).unwrap();
            Earlier::read(root.path()).unwrap()
        };
        let ok = manifest(r#"["fragment/a"]"#);
        assert_eq!(
            ok.files("pagefind/", "k"),
            Some(vec![(
                "fragment/a".to_string(),
                root.path().join("pagefind/fragment/a")
            )])
        );
        assert_eq!(ok.files("pagefind/", "other key"), None);
        assert_eq!(ok.files("pagefind/shard-2/", "k"), None);
        for outside in [
            r#"["../secret"]"#,
            r#"["/etc/hostname"]"#,
            r#"["fragment/missing"]"#,
        ] {
            assert_eq!(manifest(outside).files("pagefind/", "k"), None, "{outside}");
        }
    }
}
