//! The search index: Pagefind, through its Rust API. Each page becomes a
//! record (title, kind, status, statement, body text, metric names, tags;
//! kind and status are also filters). Records are indexed in bundles of a
//! bounded size, two bundles at a time, each bundle written out as soon as
//! it is built: the first under `/pagefind/`, the others under
//! `/pagefind/shard-N/`, which the search page merges. Search works offline
//! from the site's own files.

use rayon::prelude::*;

/// One page as the search engine sees it.
pub struct Record {
    /// Root-relative URL path (`/experiments/foo/`); the theme's script
    /// tells Pagefind the site's base URL.
    pub url: String,
    pub title: String,
    pub kind: String,
    pub status: Option<String>,
    pub text: String,
}

/// The most pages one search bundle holds unless `gemba.yaml` says
/// otherwise. Pagefind keeps every page of a bundle in memory while it
/// indexes it, so a large site is indexed in several bundles, one after the
/// other, and the search page merges them in the browser.
pub const SHARD_PAGES: usize = 1000;

/// How many bundles `pages` records make, and the pages of each.
pub fn shard_sizes(pages: usize, per: usize) -> Vec<usize> {
    let per = per.max(1);
    let shards = pages.div_ceil(per).max(1);
    let base = pages / shards;
    let extra = pages % shards;
    (0..shards).map(|k| base + usize::from(k < extra)).collect()
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

/// Build the index of `pages` records, made bundle by bundle by
/// `records(range)`, so that only one bundle's records exist at a time, and
/// hand each file to `emit` (path under the output root, bytes) as soon as
/// its bundle is done.
pub fn build_index(
    pages: usize,
    per_shard: usize,
    language: &str,
    records: &(dyn Fn(std::ops::Range<usize>) -> Vec<Record> + Sync),
    emit: &(dyn Fn(String, Vec<u8>) -> Result<(), String> + Sync),
) -> Result<(), String> {
    // Pagefind indexes one record at a time, so bundles are built two at
    // a time, one on each core.
    let mut ranges = Vec::new();
    let mut start = 0;
    for n in shard_sizes(pages, per_shard) {
        ranges.push(start..start + n);
        start += n;
    }
    let ranges: Vec<(usize, std::ops::Range<usize>)> = ranges.into_iter().enumerate().collect();
    for pair in ranges.chunks(2) {
        let built: Vec<Result<(), String>> = pair
            .par_iter()
            .map(|(k, range)| {
                let shard = records(range.clone());
                let dir = shard_dir(*k);
                for (name, bytes) in build_bundle(&shard, language)? {
                    // Later bundles are only searched; the first one carries
                    // Pagefind's user-interface files.
                    if *k > 0 && is_ui_file(&name) {
                        continue;
                    }
                    emit(format!("{dir}{}", name.trim_start_matches('/')), bytes)?;
                }
                Ok(())
            })
            .collect();
        built.into_iter().collect::<Result<(), String>>()?;
    }
    Ok(())
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
            let mut filters = std::collections::BTreeMap::new();
            filters.insert("kind".to_string(), vec![r.kind.clone()]);
            if let Some(status) = &r.status {
                meta.insert("status".to_string(), status.clone());
                filters.insert("status".to_string(), vec![status.clone()]);
            }
            index
                .add_custom_record(
                    r.url.clone(),
                    r.text.clone(),
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
    fn shards_are_even_and_cover_every_page() {
        assert_eq!(shard_sizes(0, 2500), vec![0]);
        assert_eq!(shard_sizes(2500, 2500), vec![2500]);
        assert_eq!(shard_sizes(2501, 2500), vec![1251, 1250]);
        assert_eq!(shard_sizes(10051, 2500), vec![2011, 2010, 2010, 2010, 2010]);
        for n in [1, 7, 999, 10_000, 123_457] {
            let sizes = shard_sizes(n, 2500);
            assert_eq!(sizes.iter().sum::<usize>(), n);
            assert!(sizes.iter().all(|&s| s <= 2500));
        }
    }
}
