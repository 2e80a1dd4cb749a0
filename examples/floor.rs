//! The floor: the least work any generator of this site must do. Read every
//! file, split front matter, parse YAML, render Markdown with pulldown-cmark,
//! write one file per page — in parallel, nothing else.
//!
//! cargo run --release --example floor -- CONTENT_DIR OUT_DIR

use rayon::prelude::*;
use std::path::{Path, PathBuf};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let content = PathBuf::from(&args[1]);
    let out = PathBuf::from(&args[2]);
    let files: Vec<PathBuf> = walkdir::WalkDir::new(&content)
        .into_iter()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| e.into_path())
        .collect();
    files.par_iter().for_each(|path| {
        let text = std::fs::read_to_string(path).unwrap();
        let split = gemba::load::split_front_matter(&text).unwrap();
        let _fm: serde_yaml::Value =
            serde_yaml::from_str(split.front.unwrap_or("")).unwrap_or(serde_yaml::Value::Null);
        let mut html = String::new();
        pulldown_cmark::html::push_html(
            &mut html,
            pulldown_cmark::Parser::new_ext(split.body, gemba::markdown::options()),
        );
        let rel = path.strip_prefix(&content).unwrap().with_extension("");
        let dest = out.join(rel).join("index.html");
        std::fs::create_dir_all(dest.parent().unwrap_or(Path::new("."))).unwrap();
        std::fs::write(dest, html).unwrap();
    });
}
