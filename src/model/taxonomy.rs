//! The three taxonomies: their names, the front-matter keys that feed
//! them, and the addresses of their pages, once.

use super::{slugify, FrontMatter};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Taxonomy {
    Tags,
    Owners,
    Teams,
}

impl Taxonomy {
    pub const ALL: [Taxonomy; 3] = [Taxonomy::Tags, Taxonomy::Owners, Taxonomy::Teams];

    /// The name `gemba.yaml` and templates use, and the URL section.
    pub fn name(self) -> &'static str {
        match self {
            Taxonomy::Tags => "tags",
            Taxonomy::Owners => "owners",
            Taxonomy::Teams => "teams",
        }
    }

    pub fn parse(name: &str) -> Option<Taxonomy> {
        Taxonomy::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The terms a document's front matter gives this taxonomy, as written.
    pub fn terms_of(self, fm: &FrontMatter) -> &[String] {
        match self {
            Taxonomy::Tags => &fm.tags,
            Taxonomy::Owners => fm.owner.as_slice(),
            Taxonomy::Teams => fm.team.as_slice(),
        }
    }

    /// The page that lists every term: `/tags/`.
    pub fn index_url(self) -> String {
        format!("/{}/", self.name())
    }

    /// The page of the term written `term`: `/tags/pricing/`.
    pub fn term_url(self, term: &str) -> String {
        self.slug_url(&slugify(term.trim()))
    }

    /// The page of the term whose slug is `slug`.
    pub fn slug_url(self, slug: &str) -> String {
        format!("/{}/{slug}/", self.name())
    }
}
