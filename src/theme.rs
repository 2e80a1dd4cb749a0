//! Themes: templates and static files from `themes/<name>/`, the default
//! theme embedded in the binary when no such folder exists, and per-site
//! `templates/` overriding theme templates file by file.

use crate::diagnostics::{Diagnostic, Span};
use include_dir::{include_dir, Dir};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub static DEFAULT_THEME: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// A template's text and the path diagnostics name it by.
pub struct TemplateSource {
    pub text: String,
    pub shown: PathBuf,
}

pub struct Theme {
    pub templates: BTreeMap<String, TemplateSource>,
    /// Static files: output path → bytes, theme first, site `static/` over it.
    pub statics: BTreeMap<String, Vec<u8>>,
}

impl Theme {
    pub fn load(root: &Path, name: &str, diags: &mut Vec<Diagnostic>) -> Option<Theme> {
        let mut theme = Theme {
            templates: BTreeMap::new(),
            statics: BTreeMap::new(),
        };
        let dir = root.join("themes").join(name);
        if dir.is_dir() {
            read_tree(&dir.join("templates"), root, &mut |rel, bytes, shown| {
                theme.add_template(rel, bytes, shown, diags);
            });
            read_tree(&dir.join("static"), root, &mut |rel, bytes, _| {
                theme.statics.insert(rel, bytes);
            });
        } else if name == "default" {
            for file in all_files(&DEFAULT_THEME) {
                let path = file.path().to_string_lossy().replace('\\', "/");
                let shown = PathBuf::from("themes/default").join(&path);
                if let Some(rel) = path.strip_prefix("templates/") {
                    theme.add_template(rel.to_string(), file.contents().to_vec(), shown, diags);
                } else if let Some(rel) = path.strip_prefix("static/") {
                    theme
                        .statics
                        .insert(rel.to_string(), file.contents().to_vec());
                }
            }
        } else {
            diags.push(
                Diagnostic::error(
                    "gemba.yaml",
                    None,
                    format!("theme `{name}` not found in themes/{name}/"),
                )
                .with_help("use `theme: default` or create the theme folder"),
            );
            return None;
        }
        read_tree(&root.join("templates"), root, &mut |rel, bytes, shown| {
            theme.add_template(rel, bytes, shown, diags);
        });
        read_tree(&root.join("static"), root, &mut |rel, bytes, _| {
            theme.statics.insert(rel, bytes);
        });
        Some(theme)
    }

    fn add_template(
        &mut self,
        rel: String,
        bytes: Vec<u8>,
        shown: PathBuf,
        diags: &mut Vec<Diagnostic>,
    ) {
        match String::from_utf8(bytes) {
            Ok(text) => {
                self.templates.insert(rel, TemplateSource { text, shown });
            }
            Err(_) => diags.push(Diagnostic::error(
                shown,
                Some(Span::new(1, 1, 1)),
                "template is not valid UTF-8",
            )),
        }
    }
}

/// Every file of an embedded folder, depth first.
pub fn all_files<'a>(dir: &'a Dir<'a>) -> Vec<&'a include_dir::File<'a>> {
    let mut out: Vec<&include_dir::File> = dir.files().collect();
    for d in dir.dirs() {
        out.extend(all_files(d));
    }
    out
}

fn read_tree(dir: &Path, root: &Path, f: &mut dyn FnMut(String, Vec<u8>, PathBuf)) {
    if !dir.is_dir() {
        return;
    }
    for entry in walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .flatten()
    {
        if !entry.file_type().is_file() || entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(dir) else {
            continue;
        };
        let rel = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        if let Ok(bytes) = std::fs::read(entry.path()) {
            f(rel, bytes, crate::load::display_path(root, entry.path()));
        }
    }
}

/// Write the embedded default theme into `dir` (used by `gemba init`).
pub fn write_default_theme(dir: &Path) -> std::io::Result<()> {
    for file in all_files(&DEFAULT_THEME) {
        let path = dir.join(file.path());
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, file.contents())?;
    }
    Ok(())
}
