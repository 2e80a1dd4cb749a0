//! References between documents: every front-matter reference and wiki link
//! is checked against every document in the source, kept or not, so that a
//! link to a left-out item is told apart from a link to nothing.

use super::{LinkTarget, Selection};
use crate::diagnostics::{closest, Diagnostic};
use crate::markdown::WikiLink;
use crate::model::Kind;
use crate::parse::Document;
use std::collections::HashMap;
use std::sync::Arc;

/// Index of every document that exists in the source, kept or not, so that a
/// reference to a left-out item is told apart from one to nothing.
pub struct Index<'a> {
    by_kind: HashMap<(Kind, &'a str), usize>,
    page_stems: HashMap<&'a str, Vec<usize>>,
    /// Plain pages by their path in lower case: `[[ops/toil]]` finds
    /// `ops/TOIL.md`, as a file name written in another case would.
    pages_folded: HashMap<String, Vec<usize>>,
}

impl<'a> Index<'a> {
    pub fn new(docs: &'a [Arc<Document>]) -> Self {
        let mut by_kind = HashMap::new();
        let mut page_stems: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut pages_folded: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, d) in docs.iter().enumerate() {
            by_kind.entry((d.kind, d.slug.as_str())).or_insert(i);
            if d.kind == Kind::Page && !d.slug.is_empty() {
                let stem = d.slug.rsplit('/').next().unwrap_or(&d.slug);
                page_stems.entry(stem).or_default().push(i);
                pages_folded
                    .entry(d.slug.to_lowercase())
                    .or_default()
                    .push(i);
                if stem.len() != d.slug.len() {
                    pages_folded.entry(stem.to_lowercase()).or_default().push(i);
                }
            }
        }
        Index {
            by_kind,
            page_stems,
            pages_folded,
        }
    }

    pub fn get(&self, kind: Kind, slug: &str) -> Option<usize> {
        self.by_kind.get(&(kind, slug)).copied()
    }

    /// The playbook a hypothesis's or experiment's stage belongs to: the
    /// one it names, else its hypothesis's (`all` is what the index was
    /// made of). Resolve, completion and navigation all follow this rule.
    pub fn playbook_of(
        &self,
        all: &[Arc<Document>],
        playbook: Option<&str>,
        hypothesis: Option<&str>,
    ) -> Option<usize> {
        match playbook {
            Some(p) => self.get(Kind::Playbook, p),
            None => {
                let h = self.get(Kind::Hypothesis, hypothesis?)?;
                self.get(Kind::Playbook, all[h].fm.playbook.as_deref()?)
            }
        }
    }

    /// Resolve a wiki-link target: `slug`, `kind/slug`, or a page path.
    pub fn wiki(&self, target: &str) -> Option<usize> {
        let target = target.trim().trim_matches('/');
        if let Some((prefix, rest)) = target.split_once('/') {
            if let Some(kind) = Kind::parse(prefix) {
                return match kind {
                    Kind::Page => self.page(rest),
                    k => self.get(k, rest),
                };
            }
            return self.page(target);
        }
        Kind::STRUCTURED
            .iter()
            .find_map(|k| self.get(*k, target))
            .or_else(|| self.page(target))
    }

    fn page(&self, path: &str) -> Option<usize> {
        let path = path.trim_matches('/');
        let unique = |v: Option<&Vec<usize>>| match v {
            Some(v) if v.len() == 1 => Some(v[0]),
            _ => None,
        };
        self.get(Kind::Page, path)
            .or_else(|| unique(self.page_stems.get(path)))
            .or_else(|| unique(self.pages_folded.get(&path.to_lowercase())))
    }
}

#[derive(Debug, Default, Clone)]
pub(super) struct Refs {
    pub playbook: Option<usize>,
    pub hypothesis: Option<usize>,
    pub follows: Option<usize>,
    pub stage: Option<String>,
}

pub(super) fn report_duplicates(all: &mut Vec<Arc<Document>>, diags: &mut Vec<Diagnostic>) {
    let mut i = 1;
    while i < all.len() {
        let (a, b) = (&all[i - 1], &all[i]);
        if a.kind == b.kind && a.slug == b.slug {
            let (what, name) = if a.kind == Kind::Page {
                ("URL", &b.url)
            } else {
                ("slug", &b.slug)
            };
            let span = b
                .key_spans
                .get("slug")
                .map_or(crate::diagnostics::Span::new(1, 1, 1), |k| k.value);
            diags.push(
                b.diag_error(
                    span,
                    format!(
                        "duplicate {} {what} `{name}`: also used by {}",
                        a.kind,
                        a.source.path.display()
                    ),
                )
                .with_help("give one of the files another name or a `slug:`"),
            );
            all.remove(i);
        } else {
            i += 1;
        }
    }
}

pub(super) fn check_references(
    d: &Document,
    all: &[Arc<Document>],
    index: &Index,
    kept_ref: &dyn Fn(usize) -> Option<usize>,
    selection: &Selection,
    diags: &mut Vec<Diagnostic>,
) -> Refs {
    let mut refs = Refs::default();
    if !matches!(d.kind, Kind::Hypothesis | Kind::Experiment) {
        return refs;
    }
    let mut lookup = |key: &str, kind: Kind, value: &Option<String>| -> Option<usize> {
        let slug = value.as_deref()?;
        let span = d.value_span(key);
        match index.get(kind, slug) {
            None => {
                let candidates = all
                    .iter()
                    .filter(|o| o.kind == kind)
                    .map(|o| o.slug.as_str());
                let mut diag = d.diag_error(span, format!("no {kind} with slug `{slug}`"));
                if let Some(c) = closest(slug, candidates) {
                    diag = diag.with_help(format!("did you mean `{c}`?"));
                }
                diags.push(diag);
                None
            }
            Some(old) => match kept_ref(old) {
                Some(new) => Some(new),
                None => {
                    diags.push(d.diag_warning(
                        span,
                        left_out_reason(&all[old], selection, "the reference is dropped"),
                    ));
                    None
                }
            },
        }
    };
    let playbook_old =
        d.fm.playbook
            .as_deref()
            .and_then(|s| index.get(Kind::Playbook, s));
    refs.playbook = lookup("playbook", Kind::Playbook, &d.fm.playbook);
    if d.kind == Kind::Experiment {
        refs.hypothesis = lookup("hypothesis", Kind::Hypothesis, &d.fm.hypothesis);
        refs.follows = lookup("follows", Kind::Experiment, &d.fm.follows);
        if d.fm.follows.as_deref() == Some(d.slug.as_str()) {
            diags.push(d.diag_error(
                d.value_span("follows"),
                "an experiment cannot follow itself",
            ));
            refs.follows = None;
        }
    }
    // The stage is checked against the playbook named here, or the hypothesis's.
    if let Some(stage) = &d.fm.stage {
        let playbook =
            playbook_old.or_else(|| index.playbook_of(all, None, d.fm.hypothesis.as_deref()));
        match playbook {
            None if d.fm.playbook.is_none() => diags.push(
                d.diag_error(
                    d.value_span("stage"),
                    format!("stage `{stage}` needs a playbook"),
                )
                .with_help("add `playbook:` with the slug of the playbook that defines this stage"),
            ),
            None => {}
            Some(p) => {
                let stages = &all[p].fm.stages;
                if stages.iter().any(|s| &s.id == stage) {
                    refs.stage = Some(stage.clone());
                } else {
                    let ids: Vec<&str> = stages.iter().map(|s| s.id.as_str()).collect();
                    let mut diag = d.diag_error(
                        d.value_span("stage"),
                        format!("playbook `{}` has no stage `{stage}`", all[p].slug),
                    );
                    diag = match closest(stage, ids.iter().copied()) {
                        Some(c) => diag.with_help(format!(
                            "did you mean `{c}`? its stages are: {}",
                            ids.join(", ")
                        )),
                        None if ids.is_empty() => diag.with_help("that playbook defines no stages"),
                        None => diag.with_help(format!("its stages are: {}", ids.join(", "))),
                    };
                    diags.push(diag);
                }
            }
        }
    }
    refs
}

/// Why a reference names nothing in this build, and what becomes of it.
pub(super) fn left_out_reason(
    target: &Document,
    selection: &Selection,
    consequence: &str,
) -> String {
    let (kind, slug) = (target.kind, &target.slug);
    if target.fm.draft && !selection.drafts {
        format!("{kind} `{slug}` is a draft and left out of this build; {consequence}")
    } else {
        format!("{kind} `{slug}` is internal and left out of this public build; {consequence}")
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn resolve_wiki_link(
    d: &Document,
    link: &WikiLink,
    all: &[Arc<Document>],
    index: &Index,
    kept_ref: &dyn Fn(usize) -> Option<usize>,
    selection: &Selection,
    diags: &mut Vec<Diagnostic>,
    linked: &mut Vec<usize>,
) -> LinkTarget {
    let (target, anchor) = match link.target.split_once('#') {
        Some((t, a)) => (t, Some(a)),
        None => (link.target.as_str(), None),
    };
    let found = if target.is_empty() {
        None
    } else {
        index.wiki(target)
    };
    match found {
        None => {
            let mut diag = d.diag_error(
                link.span,
                format!("wiki link to `{}` leads nowhere", link.target),
            );
            let bare = target.rsplit('/').next().unwrap_or(target);
            if let Some(c) = closest(
                bare,
                all.iter()
                    .map(|o| o.slug.rsplit('/').next().unwrap_or(&o.slug)),
            ) {
                diag = diag.with_help(format!("did you mean `{c}`?"));
            }
            diags.push(diag);
            None
        }
        Some(old) => match kept_ref(old) {
            Some(new) => {
                linked.push(new);
                let t = &all[old];
                let url = match anchor {
                    Some(a) => format!("{}#{a}", t.url),
                    None => t.url.clone(),
                };
                Some((url, t.title.clone()))
            }
            None => {
                diags.push(d.diag_warning(
                    link.span,
                    left_out_reason(&all[old], selection, "the link becomes plain text"),
                ));
                None
            }
        },
    }
}
