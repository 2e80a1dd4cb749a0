//! gemba compiles a folder of playbooks, hypotheses and experiments into a
//! static site. The pipeline is `build::build_site`: load → parse → resolve →
//! render → write; ARCHITECTURE.md maps each step to its module.

pub mod config;
pub mod diagnostics;
pub mod load;
pub mod markdown;
pub mod model;
pub mod parse;
pub mod resolve;
