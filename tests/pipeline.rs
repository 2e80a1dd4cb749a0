//! One pipeline, two front ends: the same site built by `compile` (what
//! `gemba build` and `check` run) into memory, and by a `serve` session,
//! must give the same files, byte for byte.

mod common;

use common::Site;
use gemba::incremental::Session;
use gemba::model::Visibility;
use gemba::site::{compile, BuildOptions, Outputs};
use gemba::write::MemorySink;
use std::collections::BTreeMap;

/// The example site of `gemba init`, with more of what lists, taxonomies,
/// drafts, audiences and wiki links do.
fn example_site() -> Site {
    let site = Site::new();
    gemba::scaffold::init(site.root(), false).expect("init");
    site.write(
        "gemba.yaml",
        "title: Pipeline\npaginate: 2\ntaxonomies: [tags, owners, teams]\n",
    )
    .write(
        "content/guides/notes.md",
        "---\nvisibility: public\n---\n# Notes\n\nSee [[guides/other]].\n",
    )
    .write(
        "content/guides/other.md",
        "---\ntitle: Other\ntags: [alpha]\nowner: Ana\nteam: Growth\n---\nBack to [[guides/notes]].\n",
    )
    .write(
        "content/guides/draft.md",
        "---\ntitle: Draft\ndraft: true\n---\nNot yet.\n",
    );
    site
}

fn compiled(opts: &BuildOptions) -> BTreeMap<String, Vec<u8>> {
    let sink = MemorySink::default();
    let opts = BuildOptions {
        outputs: Outputs::PagesOnly,
        ..opts.clone()
    };
    let outcome = compile(&opts, &sink);
    assert!(
        !outcome.diagnostics.has_errors(),
        "compile failed:\n{}",
        outcome.diagnostics.render(std::path::Path::new(""))
    );
    sink.files.into_inner().unwrap()
}

fn served(opts: &BuildOptions) -> BTreeMap<String, Vec<u8>> {
    let (session, _) = Session::start(opts)
        .unwrap_or_else(|d| panic!("session failed:\n{}", d.render(std::path::Path::new(""))));
    session
        .files()
        .iter()
        .map(|(path, bytes)| (path.clone(), bytes.to_vec()))
        .collect()
}

fn assert_same(opts: &BuildOptions) {
    let built = compiled(opts);
    let served = served(opts);
    assert!(built.len() > 30, "too few files: {}", built.len());
    let differ: Vec<&String> = built
        .iter()
        .filter(|(path, bytes)| served.get(*path) != Some(bytes))
        .map(|(path, _)| path)
        .chain(served.keys().filter(|path| !built.contains_key(*path)))
        .collect();
    assert!(
        differ.is_empty(),
        "compile and a serve session disagree on {differ:?}"
    );
}

#[test]
fn compile_and_a_serve_session_give_the_same_files() {
    let site = example_site();
    let opts = BuildOptions {
        root: site.root().to_path_buf(),
        no_git: true,
        live_reload: "<script>/* reload */</script>".into(),
        ..BuildOptions::default()
    };
    assert_same(&opts);
}

#[test]
fn compile_and_a_serve_session_agree_on_a_public_build_with_drafts() {
    let site = example_site();
    let opts = BuildOptions {
        root: site.root().to_path_buf(),
        no_git: true,
        drafts: true,
        audience: Some(Visibility::Public),
        base_url: Some("https://example.com/handbook".into()),
        ..BuildOptions::default()
    };
    assert_same(&opts);
}
