//! The search index: Pagefind, through its Rust API. Each page becomes a
//! small HTML record (title, kind, status, statement, body text, metric
//! names, tags) in a scratch folder, which Pagefind indexes in parallel. The
//! index and Pagefind's own scripts are written under `/pagefind/`, so search
//! works offline from the site's own files.

use rayon::prelude::*;
use std::path::Path;

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

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn record_html(r: &Record, language: &str) -> String {
    let mut html = format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title></head><body><main data-pagefind-body>\
         <h1 data-pagefind-meta=\"title\">{}</h1><span data-pagefind-meta=\"kind:{}\" data-pagefind-filter=\"kind:{}\"></span>",
        escape(language),
        escape(&r.title),
        escape(&r.title),
        escape(&r.kind),
        escape(&r.kind),
    );
    if let Some(s) = &r.status {
        html.push_str(&format!(
            "<span data-pagefind-meta=\"status:{}\" data-pagefind-filter=\"status:{}\"></span>",
            escape(s),
            escape(s)
        ));
    }
    html.push_str("<p>");
    html.push_str(&escape(&r.text));
    html.push_str("</p>");
    html.push_str("</main></body></html>");
    html
}

/// A scratch folder in memory where the system has one.
fn scratch_parent() -> std::path::PathBuf {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    }
}

/// The most pages one search bundle holds unless `gemba.yaml` says
/// otherwise. Pagefind keeps every page of a bundle in memory while it
/// indexes it, so a large site is indexed in several bundles, one after the
/// other, and the search page merges them in the browser.
pub const SHARD_PAGES: usize = 2000;

/// How many bundles `pages` records make, and the pages of each.
pub fn shard_sizes(pages: usize, per: usize) -> Vec<usize> {
    let per = per.max(1);
    let shards = pages.div_ceil(per).max(1);
    let base = pages / shards;
    let extra = pages % shards;
    (0..shards).map(|k| base + usize::from(k < extra)).collect()
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
    let mut start = 0;
    for (k, n) in shard_sizes(pages, per_shard).into_iter().enumerate() {
        let shard = records(start..start + n);
        start += n;
        let dir = shard_dir(k);
        for (name, bytes) in build_bundle(&shard, language)? {
            emit(format!("{dir}{}", name.trim_start_matches('/')), bytes)?;
        }
    }
    Ok(())
}

/// One Pagefind bundle for `records`; paths are relative to the bundle.
fn build_bundle(records: &[Record], language: &str) -> Result<Vec<(String, Vec<u8>)>, String> {
    let scratch = tempfile::Builder::new()
        .prefix("gemba-search-")
        .tempdir_in(scratch_parent())
        .or_else(|_| tempfile::tempdir())
        .map_err(|e| format!("cannot create a scratch folder: {e}"))?;
    // Pagefind takes files in directory order; writing them one by one in
    // the model's order keeps the index byte-for-byte reproducible.
    let pages: Vec<String> = records
        .par_iter()
        .map(|r| record_html(r, language))
        .collect();
    for (r, html) in records.iter().zip(pages) {
        let dir = scratch.path().join(r.url.trim_matches('/'));
        std::fs::create_dir_all(&dir)
            .and_then(|()| std::fs::write(dir.join("index.html"), html))
            .map_err(|e| format!("cannot write search records: {e}"))?;
    }
    let root = scratch.path().to_string_lossy().into_owned();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let options = pagefind::options::PagefindServiceConfig::builder()
            .force_language(language.to_string())
            .build();
        let mut index =
            pagefind::api::PagefindIndex::new(Some(options)).map_err(|e| e.to_string())?;
        index
            .add_directory(root, None)
            .await
            .map_err(|e| e.to_string())?;
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
