//! What a build takes over from its earlier output instead of rendering it
//! again: a document page whose key (`render::DocPage::key`) is the one the
//! earlier output recorded, and whose file nothing touched since. The keys
//! are recorded in `.gemba-pages.json`, written after every page.

use crate::keys::program_identity;
use crate::write::Sink;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

/// Where an output records the key each document page was rendered from.
pub const PAGE_KEYS: &str = ".gemba-pages.json";

#[derive(serde::Serialize, serde::Deserialize)]
struct PageKeys {
    program: String,
    pages: BTreeMap<String, String>,
}

/// The pages of an earlier output that may be taken over.
struct EarlierPages {
    dir: PathBuf,
    keys: HashMap<String, u64>,
    /// When the keys were written: a page file changed after that time was
    /// changed by something else, and is not taken over.
    written: SystemTime,
}

impl EarlierPages {
    /// The page keys of the output in `dir`, if this program wrote them.
    fn read(dir: &Path) -> Option<EarlierPages> {
        let path = dir.join(PAGE_KEYS);
        let written = std::fs::metadata(&path).ok()?.modified().ok()?;
        let keys: PageKeys = serde_json::from_slice(&std::fs::read(&path).ok()?).ok()?;
        if Some(keys.program) != program_identity() {
            return None;
        }
        let keys = keys
            .pages
            .into_iter()
            .filter_map(|(path, key)| Some((path, u64::from_str_radix(&key, 16).ok()?)))
            .collect();
        Some(EarlierPages {
            dir: dir.to_path_buf(),
            keys,
            written,
        })
    }
}

/// A build's page reuse: what its earlier output offers, where pages go,
/// and the key of every document page of this build, for the next one.
pub struct PageReuse<'a> {
    earlier: Option<EarlierPages>,
    sink: &'a dyn Sink,
    keys: Mutex<Vec<(String, u64)>>,
}

impl<'a> PageReuse<'a> {
    /// Reuse the pages of the output in `earlier` (if any) into `sink`.
    pub fn new(earlier: Option<&Path>, sink: &'a dyn Sink) -> PageReuse<'a> {
        PageReuse {
            earlier: earlier.and_then(EarlierPages::read),
            sink,
            keys: Mutex::default(),
        }
    }

    /// Record the page at `path` with its `key`; true when the earlier
    /// output's page was taken over into the sink (then it is not rendered).
    pub fn take_over(&self, path: &str, key: u64) -> bool {
        self.keys
            .lock()
            .expect("lock")
            .push((path.to_string(), key));
        let Some(earlier) = &self.earlier else {
            return false;
        };
        if earlier.keys.get(path) != Some(&key) {
            return false;
        }
        let from = earlier.dir.join(path);
        // Older than the keys, strictly: file times are coarse, and a file
        // changed right after the build may share the keys' time.
        let untouched = std::fs::metadata(&from)
            .and_then(|m| m.modified())
            .is_ok_and(|t| t < earlier.written);
        untouched && self.sink.take(path, &from).is_ok()
    }

    /// The keys file for this build's pages; `None` when this program
    /// cannot be identified (then nothing is reused).
    pub fn keys_file(self) -> Option<Vec<u8>> {
        let mut keys = self.keys.into_inner().expect("lock");
        keys.sort_unstable();
        let keys = PageKeys {
            program: program_identity()?,
            pages: keys
                .into_iter()
                .map(|(p, k)| (p, format!("{k:016x}")))
                .collect(),
        };
        serde_json::to_vec(&keys).ok()
    }
}
