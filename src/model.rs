//! The domain's vocabulary: kinds, statuses, decisions, and the typed front
//! matter every file is parsed into. Derived facts live in `resolve`.

mod keys;
mod pages;
mod taxonomy;

pub use keys::{nested_keys, Key, KEYS};
pub use pages::SitePage;
pub use taxonomy::Taxonomy;

use crate::yaml::describe;
use jiff::civil::Date;
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Playbook,
    Hypothesis,
    Experiment,
    Page,
}

impl Kind {
    pub const STRUCTURED: [Kind; 3] = [Kind::Playbook, Kind::Hypothesis, Kind::Experiment];

    /// Accepts singular and plural names (`experiment`, `experiments`).
    pub fn parse(name: &str) -> Option<Kind> {
        match name.trim().to_ascii_lowercase().as_str() {
            "playbook" | "playbooks" => Some(Kind::Playbook),
            "hypothesis" | "hypotheses" => Some(Kind::Hypothesis),
            "experiment" | "experiments" => Some(Kind::Experiment),
            "page" | "pages" => Some(Kind::Page),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Playbook => "playbook",
            Kind::Hypothesis => "hypothesis",
            Kind::Experiment => "experiment",
            Kind::Page => "page",
        }
    }

    /// The name with its article: "an experiment", "a playbook".
    pub fn with_article(self) -> String {
        match self {
            Kind::Experiment => "an experiment".into(),
            k => format!("a {}", k.name()),
        }
    }

    /// The URL section and content folder of the three structured kinds.
    pub fn section(self) -> &'static str {
        match self {
            Kind::Playbook => "playbooks",
            Kind::Hypothesis => "hypotheses",
            Kind::Experiment => "experiments",
            Kind::Page => "",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    #[default]
    Internal,
    Public,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum PlaybookStatus {
    Draft,
    #[default]
    Active,
    Retired,
}

impl PlaybookStatus {
    /// The name written in front matter and shown on pages.
    pub fn name(self) -> &'static str {
        match self {
            PlaybookStatus::Draft => "draft",
            PlaybookStatus::Active => "active",
            PlaybookStatus::Retired => "retired",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ExperimentStatus {
    #[default]
    Planned,
    Running,
    Validated,
    Invalidated,
    Inconclusive,
    Abandoned,
}

impl ExperimentStatus {
    pub fn is_concluded(self) -> bool {
        !matches!(self, ExperimentStatus::Planned | ExperimentStatus::Running)
    }

    pub fn name(self) -> &'static str {
        match self {
            ExperimentStatus::Planned => "planned",
            ExperimentStatus::Running => "running",
            ExperimentStatus::Validated => "validated",
            ExperimentStatus::Invalidated => "invalidated",
            ExperimentStatus::Inconclusive => "inconclusive",
            ExperimentStatus::Abandoned => "abandoned",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HypothesisStatus {
    Untested,
    Supported,
    Refuted,
    Contested,
}

impl HypothesisStatus {
    /// The name written in front matter and shown on pages.
    pub fn name(self) -> &'static str {
        match self {
            HypothesisStatus::Untested => "untested",
            HypothesisStatus::Supported => "supported",
            HypothesisStatus::Refuted => "refuted",
            HypothesisStatus::Contested => "contested",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Persevere,
    Pivot,
    Stop,
}

impl Decision {
    /// The name written in front matter and shown on pages.
    pub fn name(self) -> &'static str {
        match self {
            Decision::Persevere => "persevere",
            Decision::Pivot => "pivot",
            Decision::Stop => "stop",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    #[default]
    Increase,
    Decrease,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub goal: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Metric {
    pub name: String,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub baseline: Option<f64>,
    #[serde(default)]
    pub target: Option<f64>,
    #[serde(default)]
    pub actual: Option<f64>,
    #[serde(default)]
    pub direction: Direction,
    /// The counts behind the metric: the control arm and the variant arm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control: Option<ArmCounts>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<ArmCounts>,
    /// The metric the decision rests on (default: the first).
    #[serde(default, skip_serializing_if = "is_false")]
    pub primary: bool,
    /// A metric that must not get significantly worse.
    #[serde(default, skip_serializing_if = "is_false")]
    pub guardrail: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// One arm's counts as written: units and conversions (a rate metric), or
/// units, mean and sd (a mean metric).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ArmCounts {
    pub units: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversions: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sd: Option<f64>,
}

impl Metric {
    /// Whether its counts are a rate (conversions of units) rather than a
    /// mean.
    pub fn is_rate(&self) -> bool {
        self.control.is_some_and(|c| c.conversions.is_some())
    }

    /// Whether the actual value reaches the target, in the metric's direction.
    pub fn meets_target(&self) -> Option<bool> {
        let (target, actual) = (self.target?, self.actual?);
        Some(match self.direction {
            Direction::Increase => actual >= target,
            Direction::Decrease => actual <= target,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Ice {
    pub impact: u8,
    pub confidence: u8,
    pub ease: u8,
}

impl Ice {
    pub fn score(&self) -> u32 {
        u32::from(self.impact) * u32::from(self.confidence) * u32::from(self.ease)
    }
}

/// Every key of every kind; which of them a kind understands is
/// `Kind::keys`, from the table `KEYS`. Unknown keys are collected separately by the parser.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct FrontMatter {
    pub kind: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub title: Option<String>,
    pub slug: Option<String>,
    pub summary: Option<String>,
    #[serde(deserialize_with = "de_string_list")]
    pub tags: Vec<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub owner: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub team: Option<String>,
    #[serde(deserialize_with = "de_opt_date")]
    pub date: Option<Date>,
    #[serde(deserialize_with = "de_opt_date")]
    pub updated: Option<Date>,
    pub draft: bool,
    pub visibility: Option<Visibility>,
    pub extra: Option<serde_yaml::Mapping>,
    /// Old addresses of the page (`redirect_from:` is read the same way).
    #[serde(deserialize_with = "de_string_list")]
    pub aliases: Vec<String>,
    #[serde(deserialize_with = "de_string_list")]
    pub redirect_from: Vec<String>,
    /// A plain page's own address (Jekyll's `permalink:`, Hugo's `url:`).
    #[serde(deserialize_with = "de_opt_string")]
    pub permalink: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub url: Option<String>,

    // playbook
    pub status: Option<String>,
    #[serde(deserialize_with = "de_opt_string")]
    pub version: Option<String>,
    pub stages: Vec<Stage>,
    /// Where the team is (a stage id); derived when not written.
    pub current_stage: Option<String>,

    // hypothesis
    pub statement: Option<String>,
    pub playbook: Option<String>,
    pub stage: Option<String>,

    // experiment
    pub hypothesis: Option<String>,
    #[serde(deserialize_with = "de_opt_date")]
    pub started: Option<Date>,
    #[serde(deserialize_with = "de_opt_date")]
    pub ended: Option<Date>,
    pub metrics: Vec<Metric>,
    pub decision: Option<Decision>,
    pub follows: Option<String>,
    pub ice: Option<Ice>,
    /// The planned share of units in the variant arm.
    pub split: Option<f64>,
    /// The smallest relative effect worth detecting (`10%` or `0.1`).
    #[serde(deserialize_with = "de_opt_share")]
    pub mde: Option<Share>,
    /// This experiment's confidence, over `stats.confidence`.
    pub confidence: Option<f64>,
}

impl FrontMatter {
    /// The slug the reference key `key` (`playbook`, `hypothesis`,
    /// `follows`: the keys `KEYS` says name a document) holds.
    pub fn slug_named_by(&self, key: &str) -> Option<&str> {
        match key {
            "playbook" => self.playbook.as_deref(),
            "hypothesis" => self.hypothesis.as_deref(),
            "follows" => self.follows.as_deref(),
            _ => None,
        }
    }
}

/// A share as written: `10%` (`percent`) or `0.1`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Share {
    /// 0.1 for both `10%` and `0.1`.
    pub value: f64,
    pub percent: bool,
}

/// A share written as `10%` or `0.1`.
fn de_opt_share<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Share>, D::Error> {
    let v = serde_yaml::Value::deserialize(d)?;
    let bare = |value| Share {
        value,
        percent: false,
    };
    match &v {
        serde_yaml::Value::Null => Ok(None),
        serde_yaml::Value::Number(n) => Ok(n.as_f64().map(bare)),
        serde_yaml::Value::String(s) => {
            let t = s.trim();
            match t.strip_suffix('%').map(str::trim).map(str::parse::<f64>) {
                Some(Ok(x)) => Ok(Some(Share {
                    value: x / 100.0,
                    percent: true,
                })),
                _ => t.parse::<f64>().map(|x| Some(bare(x))).map_err(|_| {
                    serde::de::Error::custom(format!("`{t}` is not a share (write 10% or 0.1)"))
                }),
            }
        }
        other => Err(serde::de::Error::custom(format!(
            "expected a share such as 10% or 0.1, found {}",
            describe(other)
        ))),
    }
}

/// Dates are `YYYY-MM-DD`; a full timestamp is accepted and its date kept.
pub fn parse_date(text: &str) -> Result<Date, String> {
    let text = text.trim();
    let day = text.get(..10).unwrap_or(text);
    let rest = text.get(10..).unwrap_or("");
    if !(rest.is_empty() || rest.starts_with('T') || rest.starts_with(' ')) {
        return Err(format!("`{text}` is not a date (expected YYYY-MM-DD)"));
    }
    day.parse::<Date>()
        .map_err(|_| format!("`{text}` is not a date (expected YYYY-MM-DD)"))
}

fn de_opt_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
    let value: Option<serde_yaml::Value> = Option::deserialize(d)?;
    match value {
        None | Some(serde_yaml::Value::Null) => Ok(None),
        Some(serde_yaml::Value::String(s)) => {
            parse_date(&s).map(Some).map_err(serde::de::Error::custom)
        }
        Some(other) => Err(serde::de::Error::custom(format!(
            "expected a date YYYY-MM-DD, found {}",
            describe(&other)
        ))),
    }
}

/// Strings, numbers and booleans are accepted where a string is meant
/// (`version: 2.1`, `owner: 42`).
fn de_opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let value: Option<serde_yaml::Value> = Option::deserialize(d)?;
    match value {
        None | Some(serde_yaml::Value::Null) => Ok(None),
        Some(v) => scalar_string(&v).map(Some).ok_or_else(|| {
            serde::de::Error::custom(format!("expected a string, found {}", describe(&v)))
        }),
    }
}

fn de_string_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let value: Option<serde_yaml::Value> = Option::deserialize(d)?;
    match value {
        None | Some(serde_yaml::Value::Null) => Ok(Vec::new()),
        Some(serde_yaml::Value::Sequence(items)) => items
            .iter()
            .map(|v| {
                scalar_string(v).ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        "expected a list of strings, found {}",
                        describe(v)
                    ))
                })
            })
            .collect(),
        Some(v) => scalar_string(&v).map(|s| vec![s]).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "expected a list of strings, found {}",
                describe(&v)
            ))
        }),
    }
}

fn scalar_string(v: &serde_yaml::Value) -> Option<String> {
    match v {
        serde_yaml::Value::String(s) => Some(s.clone()),
        serde_yaml::Value::Number(n) => Some(n.to_string()),
        serde_yaml::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// What a URL path keeps as it is: letters, digits, `/` and the
/// characters RFC 3986 allows in a path segment; the rest is
/// percent-encoded.
const PATH_KEEPS: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b':')
    .remove(b'@');

/// A path as it may stand in a URL: `/`-separated parts kept as they are
/// but for characters a URL cannot hold, which are percent-encoded.
pub fn encode_path(path: &str) -> String {
    percent_encoding::utf8_percent_encode(path, PATH_KEEPS).to_string()
}

/// Slugify that never yields an empty string for a non-empty name.
pub fn slugify(name: &str) -> String {
    let s = slug::slugify(name);
    if s.is_empty() && !name.trim().is_empty() {
        name.trim()
            .bytes()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    } else {
        s
    }
}

pub fn is_valid_slug(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_accept_timestamps() {
        assert_eq!(
            parse_date("2026-03-05T10:00:00Z").unwrap().to_string(),
            "2026-03-05"
        );
        assert!(parse_date("2026-13-01").is_err());
        assert!(parse_date("yesterday").is_err());
    }

    #[test]
    fn metric_direction_decides_target() {
        let mut m = Metric {
            name: "churn".into(),
            unit: None,
            baseline: Some(5.0),
            target: Some(4.0),
            actual: Some(3.5),
            direction: Direction::Decrease,
            ..Metric::default()
        };
        assert_eq!(m.meets_target(), Some(true));
        m.direction = Direction::Increase;
        assert_eq!(m.meets_target(), Some(false));
    }
}
