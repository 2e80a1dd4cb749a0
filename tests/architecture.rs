//! The shape of the code, checked: modules of `src/` import each other
//! without cycles, each file stays small enough to read in one sitting,
//! and documents the code cites are in the repository.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const SRC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src");

/// Every Rust file under `src/`, with its text before its unit tests.
fn sources() -> Vec<(PathBuf, String)> {
    walkdir::WalkDir::new(SRC)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
        .map(|e| {
            let text = std::fs::read_to_string(e.path()).unwrap();
            let code = match text.find("#[cfg(test)]") {
                Some(i) => text[..i].to_string(),
                None => text,
            };
            (e.path().strip_prefix(SRC).unwrap().to_path_buf(), code)
        })
        .collect()
}

/// The top-level module a file belongs to (`render/cards.rs` → `render`).
fn module_of(rel: &Path) -> String {
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

/// The modules a text names through `crate::…`, `use crate::{a, b}` included.
fn imports(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    found.insert(name);
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.insert(name);
            }
        }
    }
    found
}

fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (rel, code) in sources() {
        let module = module_of(&rel);
        if module == "lib" || module == "main" {
            continue;
        }
        let deps = graph.entry(module.clone()).or_default();
        deps.extend(imports(&code).into_iter().filter(|m| *m != module));
    }
    graph
}

/// A cycle in `graph`, if there is one, as the path around it.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if graph.contains_key(next) {
                if let Some(c) = visit(next, graph, path, done) {
                    return Some(c);
                }
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

#[test]
fn modules_import_each_other_without_cycles() {
    let graph = module_graph();
    assert!(graph.len() > 15, "the modules were found: {graph:?}");
    assert!(
        graph["render"].contains("resolve") && graph["site"].contains("render"),
        "imports were read: {graph:?}"
    );
    if let Some(cycle) = find_cycle(&graph) {
        panic!("an import cycle: {}", cycle.join(" → "));
    }
}

#[test]
fn the_cycle_finder_finds_cycles() {
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a", "d"]),
        ("d", vec![]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.into_iter().map(String::from).collect()))
    .collect();
    assert_eq!(
        find_cycle(&graph),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
    assert_eq!(
        imports("use crate::{a::X, bb::{Y}};\nfn f() { crate::cc::g() }"),
        ["a", "bb", "cc"].map(String::from).into_iter().collect()
    );
}

#[test]
fn every_file_reads_in_one_sitting() {
    for (rel, code) in sources() {
        let lines = code.lines().count();
        assert!(
            lines <= 650,
            "src/{} has {lines} lines before its tests: split it by what it produces",
            rel.display()
        );
    }
}

#[test]
fn documents_cited_in_the_code_are_in_the_repository() {
    // What counts as a citation: an upper-case document name or a path
    // under docs/, in a comment.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cited = |word: &str| {
        let name = word.strip_prefix("docs/").unwrap_or(word);
        word.len() > ".md".len()
            && word.ends_with(".md")
            && (word.starts_with("docs/")
                || name
                    .trim_end_matches(".md")
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c == '_'))
    };
    for (rel, code) in sources() {
        let comments = code
            .lines()
            .filter_map(|l| l.trim_start().strip_prefix("//"))
            .collect::<Vec<_>>()
            .join("\n");
        for word in comments.split(|c: char| c.is_whitespace() || "`(),;".contains(c)) {
            if cited(word) {
                assert!(
                    root.join(word).is_file(),
                    "src/{} cites {word}, which is not in the repository",
                    rel.display()
                );
            }
        }
    }
}
