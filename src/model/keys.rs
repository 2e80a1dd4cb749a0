//! Every front-matter key, once: which kinds take it, the type of its
//! value, what it is for in one line, the values it takes from a fixed set
//! and the kind of document it names. Parsing (unknown-key warnings),
//! completion, hover and the README's reference all read this table.

use super::Kind;

/// One front-matter key of some kinds.
pub struct Key {
    pub name: &'static str,
    pub kinds: &'static [Kind],
    /// The type of its value, as README's reference writes it.
    pub ty: &'static str,
    /// What it is for, in one line (editors show it).
    pub doc: &'static str,
    /// The values it takes, when they come from a fixed set.
    pub values: &'static [&'static str],
    /// The kind of document its value names by slug.
    pub names: Option<Kind>,
}

const ALL: &[Kind] = &[
    Kind::Playbook,
    Kind::Hypothesis,
    Kind::Experiment,
    Kind::Page,
];
const PLAYBOOK: &[Kind] = &[Kind::Playbook];
const HYPOTHESIS: &[Kind] = &[Kind::Hypothesis];
const EXPERIMENT: &[Kind] = &[Kind::Experiment];
const IN_PLAYBOOK: &[Kind] = &[Kind::Hypothesis, Kind::Experiment];
const PAGE: &[Kind] = &[Kind::Page];

const fn key(
    name: &'static str,
    kinds: &'static [Kind],
    ty: &'static str,
    doc: &'static str,
) -> Key {
    Key {
        name,
        kinds,
        ty,
        doc,
        values: &[],
        names: None,
    }
}

const fn one_of(
    name: &'static str,
    kinds: &'static [Kind],
    values: &'static [&'static str],
    doc: &'static str,
) -> Key {
    Key {
        name,
        kinds,
        ty: "one of a set",
        doc,
        values,
        names: None,
    }
}

const fn names(name: &'static str, kinds: &'static [Kind], of: Kind, doc: &'static str) -> Key {
    Key {
        name,
        kinds,
        ty: "slug",
        doc,
        values: &[],
        names: Some(of),
    }
}

/// The table, in the order completion offers the keys.
pub const KEYS: &[Key] = &[
    key("title", ALL, "string", "the title (plain pages: else the first `# heading`)"),
    key("slug", ALL, "[a-z0-9-]+", "the address part, [a-z0-9-]+; defaults to the file name"),
    key("summary", ALL, "string", "one paragraph; defaults to the body's first paragraph"),
    key("tags", ALL, "list of strings", "list of tags (taxonomy /tags/)"),
    key("owner", ALL, "string", "who owns it (taxonomy /owners/)"),
    key("team", ALL, "string", "the team it belongs to (taxonomy /teams/)"),
    key("date", ALL, "date", "created, YYYY-MM-DD"),
    key("updated", ALL, "date", "last meaningful revision, YYYY-MM-DD (git supplies a default)"),
    one_of("draft", ALL, &["true", "false"], "true leaves it out unless --drafts"),
    one_of("visibility", ALL, &["internal", "public"], "internal or public"),
    key("extra", ALL, "mapping", "free-form mapping, page.extra in templates"),
    one_of(
        "kind",
        ALL,
        &["playbook", "hypothesis", "experiment", "page"],
        "playbook, hypothesis, experiment or page (overrides the folder)",
    ),
    key("aliases", ALL, "list of URL paths", "old addresses of this page: each gets a redirect page"),
    key("redirect_from", ALL, "list of URL paths", "Jekyll's name for aliases: old addresses that redirect here"),
    key("permalink", PAGE, "URL path", "the page's own address, such as /guides/onboarding/"),
    key("url", PAGE, "URL path", "Hugo's name for permalink: the page's own address"),
    one_of("status", PLAYBOOK, &["draft", "active", "retired"], "where it stands"),
    key("version", PLAYBOOK, "string", "the playbook's version, e.g. 2.1"),
    key("stages", PLAYBOOK, "list of {id, title, goal?}", "ordered list of {id, title, goal?}"),
    key(
        "current_stage",
        PLAYBOOK,
        "stage id",
        "id of the stage the team is at (default: the first not done that has work)",
    ),
    key("statement", HYPOTHESIS, "string", "We believe that … will result in … We will know when …"),
    names("hypothesis", EXPERIMENT, Kind::Hypothesis, "slug of the hypothesis it tests"),
    names("playbook", IN_PLAYBOOK, Kind::Playbook, "slug of the playbook it belongs to"),
    key("stage", IN_PLAYBOOK, "stage id", "id of a stage of its playbook"),
    one_of(
        "status",
        EXPERIMENT,
        &["planned", "running", "validated", "invalidated", "inconclusive", "abandoned"],
        "where it stands",
    ),
    key("started", EXPERIMENT, "date", "when it started, YYYY-MM-DD"),
    key("ended", EXPERIMENT, "date", "when it ended, YYYY-MM-DD"),
    key(
        "metrics",
        EXPERIMENT,
        "list of metrics",
        "list of {name, unit?, baseline?, target?, actual?, direction?, control?, variant?, primary?, guardrail?}",
    ),
    one_of("decision", EXPERIMENT, &["persevere", "pivot", "stop"], "persevere, pivot or stop (concluded experiments)"),
    names("follows", EXPERIMENT, Kind::Experiment, "slug of the experiment this one iterates on"),
    key("ice", EXPERIMENT, "{impact, confidence, ease}", "{impact, confidence, ease}, each 1-10: orders the backlog"),
    key("split", EXPERIMENT, "share", "planned share of units in the variant arm (default 0.5)"),
    key("mde", EXPERIMENT, "share or percentage", "smallest relative effect worth detecting: 10% or 0.1"),
    key("confidence", EXPERIMENT, "share", "this experiment's confidence, e.g. 0.95 (default from stats:)"),
];

/// A key inside a list's items and the values it takes from a fixed set.
pub type Nested = (&'static str, &'static [&'static str]);

/// Keys inside the items of a list or mapping key (`metrics`, `stages`,
/// `ice`), with the values each takes from a fixed set.
pub const NESTED: &[(&str, &[Nested])] = &[
    (
        "metrics",
        &[
            ("name", &[]),
            ("unit", &[]),
            ("baseline", &[]),
            ("target", &[]),
            ("actual", &[]),
            ("direction", &["increase", "decrease"]),
            ("primary", &["true", "false"]),
            ("guardrail", &["true", "false"]),
            ("control", &[]),
            ("variant", &[]),
        ],
    ),
    ("stages", &[("id", &[]), ("title", &[]), ("goal", &[])]),
    (
        "ice",
        &[("impact", &[]), ("confidence", &[]), ("ease", &[])],
    ),
];

impl Kind {
    /// The front-matter keys a file of this kind understands, in order.
    pub fn keys(self) -> impl Iterator<Item = &'static Key> {
        KEYS.iter().filter(move |k| k.kinds.contains(&self))
    }

    /// The key `name` of this kind, if it has one.
    pub fn key(self, name: &str) -> Option<&'static Key> {
        self.keys().find(|k| k.name == name)
    }

    /// The values a front-matter key of this kind takes from a fixed set
    /// (keys of a list's items included).
    pub fn key_values(self, name: &str) -> &'static [&'static str] {
        if let Some(k) = self.key(name) {
            return k.values;
        }
        NESTED
            .iter()
            .flat_map(|(_, inner)| inner.iter())
            .find(|(n, _)| *n == name)
            .map_or(&[], |(_, values)| values)
    }
}

/// The keys of the items under `parent` (`metrics`, `stages`, `ice`).
pub fn nested_keys(parent: &str) -> impl Iterator<Item = &'static str> + use<'_> {
    NESTED
        .iter()
        .filter(move |(p, _)| *p == parent)
        .flat_map(|(_, inner)| inner.iter().map(|(n, _)| *n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_has_each_key_once() {
        for kind in ALL {
            let names: Vec<_> = kind.keys().map(|k| k.name).collect();
            let mut unique = names.clone();
            unique.sort_unstable();
            unique.dedup();
            assert_eq!(names.len(), unique.len(), "{kind}: {names:?}");
            assert!(kind.keys().all(|k| !k.doc.is_empty()));
        }
        assert!(Kind::Experiment.key("ice").is_some());
        assert!(Kind::Hypothesis.key("metrics").is_none());
        assert_eq!(Kind::Playbook.key_values("status")[0], "draft");
        assert_eq!(Kind::Experiment.key_values("status")[0], "planned");
        assert_eq!(Kind::Experiment.key_values("direction")[0], "increase");
        assert_eq!(Kind::Page.key("permalink").map(|k| k.ty), Some("URL path"));
    }
}
