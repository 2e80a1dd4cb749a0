//! Stage 5, write: render into a staging folder beside the output, then swap
//! it in only when the whole build succeeded. A failed or interrupted build
//! leaves the previous output exactly as it was. gemba marks the folders it
//! writes and never replaces a folder it did not create.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Where rendered files go: a staging folder on disk, or memory for `serve`.
pub trait Sink: Sync {
    /// `path` is relative to the output root, with `/` separators.
    fn put(&self, path: &str, bytes: Vec<u8>) -> std::io::Result<()>;

    /// Put the file at `from` (an earlier output's) at `path` as it is.
    fn take(&self, path: &str, from: &std::path::Path) -> std::io::Result<()> {
        self.put(path, std::fs::read(from)?)
    }
}

/// The file that marks a folder as gemba's output.
pub const MARKER: &str = ".gemba-output";

/// Why an output folder may not be used.
pub fn check_output_dir(root: &Path, output: &Path, force: bool) -> Result<(), String> {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let out = absolute(output);
    let content = root.join("content");
    if out == root {
        return Err(format!(
            "the output folder {} is the site root",
            output.display()
        ));
    }
    if out.starts_with(&content) {
        return Err(format!(
            "the output folder {} lies inside content/",
            output.display()
        ));
    }
    if root.starts_with(&out) || out.join("content").is_dir() {
        return Err(format!(
            "the output folder {} contains content/",
            output.display()
        ));
    }
    if out.is_file() {
        return Err(format!("the output path {} is a file", output.display()));
    }
    let non_empty = std::fs::read_dir(&out)
        .map(|mut d| d.next().is_some())
        .unwrap_or(false);
    if non_empty && !out.join(MARKER).exists() && !force {
        return Err(format!(
            "{} exists and was not written by gemba; refusing to replace it (use --force to replace it anyway)",
            output.display()
        ));
    }
    Ok(())
}

/// The path made absolute and with `..` resolved as far as it exists.
fn absolute(p: &Path) -> PathBuf {
    if let Ok(c) = p.canonicalize() {
        return c;
    }
    match (p.parent(), p.file_name()) {
        (Some(parent), Some(name)) if !parent.as_os_str().is_empty() => absolute(parent).join(name),
        _ => std::env::current_dir()
            .map(|d| d.join(p))
            .unwrap_or_else(|_| p.to_path_buf()),
    }
}

/// A staging folder that is removed unless published.
pub struct Staging {
    dir: PathBuf,
    output: PathBuf,
    published: bool,
}

impl Staging {
    pub fn new(output: &Path) -> std::io::Result<Staging> {
        let output = absolute(output);
        let parent = output
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        std::fs::create_dir_all(&parent)?;
        let name = output
            .file_name()
            .map_or("public".into(), |n| n.to_string_lossy().into_owned());
        let dir = parent.join(format!(".{name}.gemba-staging-{}", std::process::id()));
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        std::fs::create_dir_all(&dir)?;
        Ok(Staging {
            dir,
            output,
            published: false,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Swap the staging folder in for the output folder.
    pub fn publish(mut self) -> std::io::Result<()> {
        std::fs::write(
            self.dir.join(MARKER),
            b"This folder is written by gemba and replaced on every build.\n",
        )?;
        let old = self.dir.with_file_name(format!(
            ".{}.gemba-old-{}",
            self.output
                .file_name()
                .map_or("public".into(), |n| n.to_string_lossy().into_owned()),
            std::process::id()
        ));
        let had_output = self.output.exists();
        if had_output {
            std::fs::rename(&self.output, &old)?;
        }
        if let Err(e) = std::fs::rename(&self.dir, &self.output) {
            if had_output {
                let _ = std::fs::rename(&old, &self.output);
            }
            return Err(e);
        }
        self.published = true;
        if had_output {
            remove_all(&old);
        }
        Ok(())
    }
}

/// Remove a folder and everything in it, its subfolders in parallel (an
/// earlier output holds a folder per page). Errors are ignored.
fn remove_all(dir: &Path) {
    use rayon::prelude::*;
    let entries: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .min_depth(1)
        .max_depth(2)
        .into_iter()
        .flatten()
        .filter(|e| e.depth() == 2 || !e.file_type().is_dir())
        .map(|e| e.into_path())
        .collect();
    entries.par_iter().for_each(|path| {
        let _ = std::fs::remove_dir_all(path).or_else(|_| std::fs::remove_file(path));
    });
    let _ = std::fs::remove_dir_all(dir);
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.published {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Writes files under a folder, creating parents as needed (each folder
/// once: most files share theirs with others).
pub struct DiskSink {
    dir: PathBuf,
    made: Mutex<std::collections::HashSet<PathBuf>>,
}

impl DiskSink {
    pub fn new(dir: PathBuf) -> DiskSink {
        DiskSink {
            dir,
            made: Mutex::default(),
        }
    }

    fn parent_made(&self, full: &Path) -> std::io::Result<()> {
        if let Some(parent) = full.parent() {
            if !self.made.lock().expect("lock").contains(parent) {
                std::fs::create_dir_all(parent)?;
                self.made.lock().expect("lock").insert(parent.to_path_buf());
            }
        }
        Ok(())
    }
}

impl Sink for DiskSink {
    /// A new file, never written through: a file already at `path` may be
    /// a hard link to an earlier output's, which stays as it was.
    fn put(&self, path: &str, bytes: Vec<u8>) -> std::io::Result<()> {
        use std::io::Write;
        let full = self.dir.join(path);
        self.parent_made(&full)?;
        let create = || {
            std::fs::File::options()
                .write(true)
                .create_new(true)
                .open(&full)
        };
        let mut file = match create() {
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                std::fs::remove_file(&full)?;
                create()?
            }
            file => file?,
        };
        file.write_all(&bytes)
    }

    /// A hard link when the file system allows one, else a copy.
    fn take(&self, path: &str, from: &Path) -> std::io::Result<()> {
        let full = self.dir.join(path);
        self.parent_made(&full)?;
        std::fs::hard_link(from, &full).or_else(|_| std::fs::copy(from, &full).map(|_| ()))
    }
}

/// Keeps files in memory (the tests that compare builds).
#[derive(Default)]
pub struct MemorySink {
    pub files: Mutex<BTreeMap<String, Vec<u8>>>,
}

impl Sink for MemorySink {
    fn put(&self, path: &str, bytes: Vec<u8>) -> std::io::Result<()> {
        self.files
            .lock()
            .expect("lock")
            .insert(path.to_string(), bytes);
        Ok(())
    }
}

/// Discards what it is given (`check`).
pub struct NullSink;

impl Sink for NullSink {
    fn put(&self, _: &str, _: Vec<u8>) -> std::io::Result<()> {
        Ok(())
    }
}
