//! gemba compiles a folder of playbooks, hypotheses and experiments into a
//! static site. The pipeline is `site::compile`: load → parse → resolve →
//! render → write, its first half shared with `serve` (`site::prepare`);
//! ARCHITECTURE.md maps each step to its module.

// A diagnostic is the error type of every stage; it is built rarely and
// carried by value on purpose.
#![allow(clippy::result_large_err)]

pub mod bodies;
pub mod brand;
pub mod changelog;
pub mod charts;
pub mod config;
pub mod diagnostics;
pub mod export;
pub mod feeds;
pub mod fmt;
pub mod git;
pub mod highlight;
pub mod incremental;
pub mod keys;
pub mod load;
pub mod lsp;
pub mod markdown;
pub mod model;
pub mod parse;
pub mod render;
pub mod resolve;
pub mod reuse;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod site;
pub mod stats;
pub mod theme;
pub mod write;
pub mod yaml;
