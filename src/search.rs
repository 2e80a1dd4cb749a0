//! The search index: Pagefind, through its Rust API, over one record per
//! page (title, statement, body, metric names, tags). The index and Pagefind's
//! own script files are written under `/pagefind/`, so search works offline.

use std::collections::BTreeMap;

/// One page as the search engine sees it.
pub struct Record {
    pub url: String,
    pub title: String,
    pub kind: String,
    pub status: Option<String>,
    pub text: String,
}

/// Build the index; returns `(path under the output root, bytes)` pairs.
pub fn build_index(records: Vec<Record>, language: &str) -> Result<Vec<(String, Vec<u8>)>, String> {
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
        for r in records {
            let mut meta = BTreeMap::new();
            meta.insert("title".to_string(), r.title);
            meta.insert("kind".to_string(), r.kind.clone());
            let mut filters = BTreeMap::new();
            filters.insert("kind".to_string(), vec![r.kind]);
            if let Some(s) = r.status {
                meta.insert("status".to_string(), s.clone());
                filters.insert("status".to_string(), vec![s]);
            }
            index
                .add_custom_record(
                    r.url,
                    r.text,
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
            .map(|f| {
                let name = f.filename.to_string_lossy().replace('\\', "/");
                (
                    format!("pagefind/{}", name.trim_start_matches('/')),
                    f.contents,
                )
            })
            .collect())
    })
}
