//! Tera with the theme's templates, and template errors located in the
//! theme's files.

use crate::diagnostics::{Diagnostic, Span};
use crate::keys::hash_of;
use crate::theme::Theme;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

/// Tera with the theme's templates, and where each template came from.
pub struct Templates {
    tera: tera::Tera,
    shown: HashMap<String, PathBuf>,
    /// Of every template's name and text.
    pub fingerprint: u64,
}

impl Templates {
    pub fn compile(theme: &Theme, diags: &mut Vec<Diagnostic>) -> Option<Templates> {
        let mut tera = tera::Tera::default();
        let mut shown = HashMap::new();
        let mut ok = true;
        for (name, src) in &theme.templates {
            shown.insert(name.clone(), src.shown.clone());
        }
        // All at once, so that inheritance resolves whatever the order.
        let all = theme
            .templates
            .iter()
            .map(|(name, src)| (name.as_str(), src.text.as_str()));
        if let Err(e) = tera.add_raw_templates(all) {
            diags.push(template_diagnostic(&e, &shown, &theme.templates));
            ok = false;
        }
        for required in ["base.html", "page.html"] {
            if !tera.contains_template(required) {
                diags.push(Diagnostic::error(
                    "templates",
                    None,
                    format!("the theme has no `{required}` template"),
                ));
                ok = false;
            }
        }
        let fingerprint = hash_of(
            &theme
                .templates
                .iter()
                .map(|(name, src)| (name, &src.text))
                .collect::<Vec<_>>(),
        );
        ok.then_some(Templates {
            tera,
            shown,
            fingerprint,
        })
    }

    pub(super) fn render(
        &self,
        name: &str,
        ctx: &tera::Context,
        theme: &Theme,
    ) -> Result<String, Diagnostic> {
        self.tera
            .render(name, ctx)
            .map_err(|e| template_diagnostic(&e, &self.shown, &theme.templates))
    }

    pub fn has(&self, name: &str) -> bool {
        self.tera.contains_template(name)
    }
}

fn template_diagnostic(
    e: &tera::Error,
    shown: &HashMap<String, PathBuf>,
    sources: &BTreeMap<String, crate::theme::TemplateSource>,
) -> Diagnostic {
    let report = match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => Some(r),
        _ => None,
    };
    match report {
        Some(r) => {
            let name = r.filename();
            let path = shown
                .get(name)
                .cloned()
                .unwrap_or_else(|| PathBuf::from(format!("templates/{name}")));
            let s = r.span();
            let len = if s.end_line == s.start_line {
                s.end_col.saturating_sub(s.start_col)
            } else {
                1
            };
            let d = Diagnostic::error(
                path,
                Some(Span::new(s.start_line, s.start_col + 1, len.max(1))),
                r.message(),
            );
            match sources.get(name) {
                Some(src) => d.with_source(&src.text),
                None => d,
            }
        }
        None => Diagnostic::error("templates", None, format!("template error: {e}")),
    }
}
