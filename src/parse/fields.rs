//! A file's own values, checked where they are written: its status typed
//! for its kind, its slug, and an experiment's dates, decision and ICE
//! score (a playbook's stages are checked in `stages.rs`).

use super::{variant_help, Located};
use crate::diagnostics::{Diagnostic, Span};
use crate::model::{is_valid_slug, slugify, ExperimentStatus, FrontMatter, Kind, PlaybookStatus};

/// Types the status for the kind; an unknown one is reported and the default kept.
pub(super) fn statuses(
    kind: Kind,
    fm: &FrontMatter,
    located: &Located,
    diags: &mut Vec<Diagnostic>,
) -> (PlaybookStatus, ExperimentStatus) {
    let mut playbook_status = PlaybookStatus::default();
    let mut experiment_status = ExperimentStatus::default();
    if let Some(status) = fm.status.as_deref() {
        let span = located.value("status");
        let value = serde_yaml::Value::String(status.to_string());
        let parsed = match kind {
            Kind::Playbook => serde_yaml::from_value(value).map(|s| playbook_status = s),
            Kind::Experiment => serde_yaml::from_value(value).map(|s| experiment_status = s),
            _ => Ok(()),
        };
        if let Err(e) = parsed {
            let message = e.to_string();
            let mut d = located.error(span, format!("unknown {kind} status `{status}`"));
            if let Some(help) = variant_help(&message) {
                d = d.with_help(help);
            }
            diags.push(d);
        }
    }
    (playbook_status, experiment_status)
}

/// Checks that need only the file itself: ranges, dates, stage ids.
pub(super) fn check_fields(
    kind: Kind,
    fm: &FrontMatter,
    located: &Located,
    status: ExperimentStatus,
    diags: &mut Vec<Diagnostic>,
) {
    let at = |key: &str| located.value(key);
    let error = |span: Span, msg: String| located.error(span, msg);
    let warning = |span: Span, msg: String| located.warning(span, msg);
    if let Some(slug) = &fm.slug {
        if !is_valid_slug(slug) {
            diags.push(
                error(
                    at("slug"),
                    format!("slug `{slug}` may only contain a-z, 0-9 and -"),
                )
                .with_help(format!("try `{}`", slugify(slug))),
            );
        }
    }
    match kind {
        Kind::Playbook => super::stages::check_stages(fm, located, diags),
        Kind::Experiment => {
            if let (Some(s), Some(e)) = (fm.started, fm.ended) {
                if e < s {
                    diags.push(error(
                        at("ended"),
                        format!("`ended` ({e}) is before `started` ({s})"),
                    ));
                }
            }
            if status.is_concluded() && fm.ended.is_none() {
                diags.push(warning(
                    at("status"),
                    format!("a {} experiment should have an `ended` date", status.name()),
                ));
            }
            if fm.decision.is_some() && !status.is_concluded() {
                diags.push(
                    warning(
                        at("decision"),
                        format!("a {} experiment has no decision yet", status.name()),
                    )
                    .with_help("remove `decision` or conclude the experiment"),
                );
            }
            if let Some(ice) = fm.ice {
                for (name, v) in [
                    ("impact", ice.impact),
                    ("confidence", ice.confidence),
                    ("ease", ice.ease),
                ] {
                    if !(1..=10).contains(&v) {
                        diags.push(error(
                            at("ice"),
                            format!("ice {name} must be from 1 to 10, found {v}"),
                        ));
                    }
                }
            }
        }
        _ => {}
    }
}
