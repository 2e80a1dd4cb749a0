//! The site-wide pages gemba makes besides documents' own and the
//! taxonomies': their addresses and templates, once. Lists render them,
//! the sitemap lists them and links may point at them.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SitePage {
    Home,
    Playbooks,
    Hypotheses,
    Experiments,
    Outcomes,
    Backlog,
    Changes,
    Glossary,
    Search,
    NotFound,
}

impl SitePage {
    pub const ALL: [SitePage; 10] = [
        SitePage::Home,
        SitePage::Playbooks,
        SitePage::Hypotheses,
        SitePage::Experiments,
        SitePage::Outcomes,
        SitePage::Backlog,
        SitePage::Changes,
        SitePage::Glossary,
        SitePage::Search,
        SitePage::NotFound,
    ];

    /// Its address (a paginated list's first page).
    pub fn url(self) -> &'static str {
        match self {
            SitePage::Home => "/",
            SitePage::Playbooks => "/playbooks/",
            SitePage::Hypotheses => "/hypotheses/",
            SitePage::Experiments => "/experiments/",
            SitePage::Outcomes => "/outcomes/",
            SitePage::Backlog => "/backlog/",
            SitePage::Changes => "/changes/",
            SitePage::Glossary => "/glossary/",
            SitePage::Search => "/search/",
            SitePage::NotFound => "/404.html",
        }
    }

    /// The URL section of a paginated list (`experiments`).
    pub fn section(self) -> &'static str {
        self.url().trim_matches('/')
    }

    /// The theme's template that renders it.
    pub fn template(self) -> &'static str {
        match self {
            SitePage::Home => "index.html",
            SitePage::Playbooks => "playbooks.html",
            SitePage::Hypotheses => "hypotheses.html",
            SitePage::Experiments => "experiments.html",
            SitePage::Outcomes => "outcomes.html",
            SitePage::Backlog => "backlog.html",
            SitePage::Changes => "changes.html",
            SitePage::Glossary => "glossary.html",
            SitePage::Search => "search.html",
            SitePage::NotFound => "404.html",
        }
    }

    /// Whether the sitemap lists it (the search page and the 404 page are
    /// made but not listed).
    pub fn in_sitemap(self) -> bool {
        !matches!(self, SitePage::Search | SitePage::NotFound)
    }

    /// Whether a link may point at it.
    pub fn is_link_target(self) -> bool {
        self != SitePage::NotFound
    }
}
