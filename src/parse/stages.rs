//! A playbook's stages, checked where they are written: ids that are
//! valid and unique, and a `current_stage` that names one of them.

use super::{is_valid_slug, Located};
use crate::diagnostics::Diagnostic;
use crate::model::FrontMatter;

pub(super) fn check_stages(fm: &FrontMatter, located: &Located, diags: &mut Vec<Diagnostic>) {
    let at = |key: &str| located.value(key);
    let error = |span, msg: String| located.error(span, msg);
    let mut seen = std::collections::HashSet::new();
    for stage in &fm.stages {
        if !is_valid_slug(&stage.id) {
            diags.push(error(
                at("stages"),
                format!("stage id `{}` may only contain a-z, 0-9 and -", stage.id),
            ));
        } else if !seen.insert(stage.id.as_str()) {
            diags.push(error(
                at("stages"),
                format!("stage id `{}` is used twice", stage.id),
            ));
        }
    }
    if let Some(current) = &fm.current_stage {
        if !fm.stages.iter().any(|s| &s.id == current) {
            let ids: Vec<&str> = fm.stages.iter().map(|s| s.id.as_str()).collect();
            let mut diag = error(
                at("current_stage"),
                format!("`current_stage` `{current}` is not a stage of this playbook"),
            );
            diag = match crate::diagnostics::closest(current, ids.iter().copied()) {
                Some(c) => diag.with_help(format!(
                    "did you mean `{c}`? its stages are: {}",
                    ids.join(", ")
                )),
                None if ids.is_empty() => diag.with_help("the playbook has no `stages`"),
                None => diag.with_help(format!("its stages are: {}", ids.join(", "))),
            };
            diags.push(diag);
        }
    }
}
