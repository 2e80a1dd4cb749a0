//! The shape of the code, checked: modules of `src/` import each other
//! without cycles, and so do the files of each folder; each file and each
//! function stays small enough to read in one sitting; no `usize::MAX`
//! stands for "none"; and the documents the code cites, and the names
//! ARCHITECTURE.md cites, are in the repository.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const SRC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src");

/// The most lines a function may span, from its `fn` to its closing brace.
const MAX_FUNCTION_LINES: usize = 120;

/// Every Rust file under `src/`, whole.
fn files() -> Vec<(PathBuf, String)> {
    walkdir::WalkDir::new(SRC)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
        .map(|e| {
            let text = std::fs::read_to_string(e.path()).unwrap();
            (e.path().strip_prefix(SRC).unwrap().to_path_buf(), text)
        })
        .collect()
}

/// Every Rust file under `src/`, with its text before its unit tests.
fn sources() -> Vec<(PathBuf, String)> {
    files()
        .into_iter()
        .map(|(rel, text)| match text.find("#[cfg(test)]") {
            Some(i) => (rel, text[..i].to_string()),
            None => (rel, text),
        })
        .collect()
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn is_identifier(word: &str) -> bool {
    word.starts_with(|c: char| c.is_alphabetic() || c == '_') && word.chars().all(is_ident_char)
}

/// The identifier `text` starts with (empty if none).
fn leading_ident(text: &str) -> &str {
    let end = text.find(|c: char| !is_ident_char(c)).unwrap_or(text.len());
    &text[..end]
}

/// `text` with its comments, strings and character literals blanked out
/// (newlines kept, so every line keeps its number): what is left is code.
fn mask(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut code = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        match literal_end(&chars, i) {
            Some(end) => {
                let blank = |c: &char| if *c == '\n' { '\n' } else { ' ' };
                code.extend(chars[i..end].iter().map(blank));
                i = end;
            }
            None => {
                code.push(chars[i]);
                i += 1;
            }
        }
    }
    code
}

/// Where the comment, string or character literal that starts at `chars[i]`
/// ends (just past it), if one starts there: `// …`, `/* … */` (nested),
/// `"…"` (with escapes), `r"…"` and `r#"…"#`, `'{'`, `'\''`; a lifetime
/// (`'a`) is code.
fn literal_end(chars: &[char], i: usize) -> Option<usize> {
    let at = |k: usize| chars.get(k).copied().unwrap_or('\0');
    let len = chars.len();
    match chars[i] {
        '/' if at(i + 1) == '/' => Some((i..len).find(|&k| chars[k] == '\n').unwrap_or(len)),
        '/' if at(i + 1) == '*' => {
            let (mut depth, mut k) = (0, i);
            while k < len {
                if chars[k] == '/' && at(k + 1) == '*' {
                    depth += 1;
                    k += 2;
                } else if chars[k] == '*' && at(k + 1) == '/' {
                    depth -= 1;
                    k += 2;
                    if depth == 0 {
                        return Some(k);
                    }
                } else {
                    k += 1;
                }
            }
            Some(len)
        }
        '"' => {
            let mut k = i + 1;
            while k < len && chars[k] != '"' {
                k += if chars[k] == '\\' { 2 } else { 1 };
            }
            Some((k + 1).min(len))
        }
        // `r` opens a raw string only as a word of its own, or after `b`/`c`.
        'r' if i == 0
            || !is_ident_char(chars[i - 1])
            || (matches!(chars[i - 1], 'b' | 'c') && (i < 2 || !is_ident_char(chars[i - 2]))) =>
        {
            let hashes = chars[i + 1..].iter().take_while(|&&c| c == '#').count();
            if at(i + 1 + hashes) != '"' {
                return None;
            }
            let close: Vec<char> = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            let body = i + 2 + hashes;
            let end = (body..len).find(|&k| chars[k..].starts_with(&close));
            Some(end.map_or(len, |k| k + close.len()))
        }
        '\'' if at(i + 1) == '\\' => {
            let mut k = i + 3;
            while k < len && chars[k] != '\'' {
                k += 1;
            }
            Some((k + 1).min(len))
        }
        '\'' if at(i + 2) == '\'' => Some(i + 3),
        _ => None,
    }
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

/// The lower-case name a path starts with (`cards::Card` → `cards`).
fn first_name(path: &str) -> String {
    path.trim()
        .chars()
        .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
        .collect()
}

/// The paths a `use` group lists, up to its closing brace (`rest` starts
/// after its `{`): `a, b::{C, D}, e}` → `a`, `b::{C, D}`, `e`.
fn group_items(rest: &str) -> Vec<&str> {
    let (mut items, mut depth, mut start) = (Vec::new(), 0, 0);
    for (i, c) in rest.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                items.push(&rest[start..i]);
                break;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&rest[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items
}

/// The first names of the paths a text writes after `prefix` (`crate::`,
/// `super::`, `crate::render::`), `use prefix{a, b::{C}}` groups included.
/// A `prefix` in the middle of a path (`super::super::`) is not a start.
fn names_after(code: &str, prefix: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (i, _) in code.match_indices(prefix) {
        let before = &code[..i];
        if before.ends_with("::") || before.ends_with(is_ident_char) {
            continue;
        }
        let rest = &code[i + prefix.len()..];
        let names: Vec<String> = match rest.strip_prefix('{') {
            Some(group) => group_items(group).into_iter().map(first_name).collect(),
            None => vec![first_name(rest)],
        };
        found.extend(
            names
                .into_iter()
                .filter(|n| !n.is_empty() && n != "self" && n != "super"),
        );
    }
    found
}

/// The modules a text names through `crate::…`, `use crate::{a, b}` included.
fn imports(code: &str) -> BTreeSet<String> {
    names_after(code, "crate::")
}

/// Whether `rel` is a top-level module's own file (`stats.rs`,
/// `render/mod.rs`), whose `super` is the crate.
fn is_top_file(rel: &Path) -> bool {
    match rel.components().count() {
        1 => true,
        2 => rel.file_name().is_some_and(|n| n == "mod.rs"),
        _ => false,
    }
}

/// The top-level modules a file's code names: through `crate::`, and through
/// `super::`, which from a top-level module's own file names the module `x`
/// and from any other file stays in the file's module (from
/// `render/cards.rs`, `super::view` is `render/view.rs`).
fn modules_named(rel: &Path, code: &str) -> BTreeSet<String> {
    let mut named = imports(code);
    let through_super = names_after(code, "super::");
    if is_top_file(rel) {
        named.extend(through_super);
    } else if !through_super.is_empty() {
        named.insert(module_of(rel));
    }
    named
}

fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (rel, code) in sources() {
        let module = module_of(&rel);
        if module == "lib" || module == "main" {
            continue;
        }
        let named = modules_named(&rel, &mask(&code));
        let deps = graph.entry(module.clone()).or_default();
        deps.extend(named.into_iter().filter(|m| *m != module));
    }
    graph
}

/// The sibling names a file of the folder of module `module` (`render`,
/// `resolve::links` for a deeper one) may write: after `super::` or after
/// `crate::module::`.
fn sibling_imports(code: &str, module: &str) -> BTreeSet<String> {
    let mut found = names_after(code, "super::");
    found.extend(names_after(code, &format!("crate::{module}::")));
    found
}

/// For each folder under `src/`, which of its files name which of their
/// siblings. The folder's own module file (`render/mod.rs`, or `stats.rs`
/// beside `stats/`) is their parent, not a sibling.
fn sibling_graphs() -> BTreeMap<PathBuf, BTreeMap<String, BTreeSet<String>>> {
    let mut folders: BTreeMap<PathBuf, Vec<(String, String)>> = BTreeMap::new();
    for (rel, code) in sources() {
        let Some(folder) = rel.parent().filter(|p| !p.as_os_str().is_empty()) else {
            continue;
        };
        let name = rel.file_stem().unwrap().to_string_lossy().into_owned();
        if name != "mod" {
            let files = folders.entry(folder.to_path_buf()).or_default();
            files.push((name, mask(&code)));
        }
    }
    folders
        .into_iter()
        .map(|(folder, files)| {
            let module: Vec<String> = folder
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let module = module.join("::");
            let siblings: BTreeSet<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
            let graph: BTreeMap<String, BTreeSet<String>> = files
                .iter()
                .map(|(name, code)| {
                    let named: BTreeSet<String> = sibling_imports(code, &module)
                        .into_iter()
                        .filter(|n| n != name && siblings.contains(n.as_str()))
                        .collect();
                    (name.clone(), named)
                })
                .collect();
            (folder, graph)
        })
        .collect()
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

/// Where the body of a function whose signature `rest` starts with opens:
/// the first `{` outside its parameters, if it comes before a `;`.
fn body_start(rest: &[u8]) -> Option<usize> {
    let mut depth = 0;
    for (i, &b) in rest.iter().enumerate() {
        match b {
            b'(' | b'[' => depth += 1,
            b')' | b']' => depth -= 1,
            b'{' if depth == 0 => return Some(i),
            b';' if depth == 0 => return None,
            _ => {}
        }
    }
    None
}

/// The brace that closes the one at `open`.
fn matching_brace(code: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0;
    for (i, &b) in code.iter().enumerate().skip(open) {
        match b {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Every function with a body in `text`: its name, the line of its `fn` and
/// its length in lines, up to its closing brace. A nested function counts
/// in its outer one's length and on its own.
fn function_lengths(text: &str) -> Vec<(String, usize, usize)> {
    let code = mask(text);
    let bytes = code.as_bytes();
    let newlines: Vec<usize> = code.match_indices('\n').map(|(i, _)| i).collect();
    let line_at = |i: usize| 1 + newlines.partition_point(|&n| n < i);
    let mut found = Vec::new();
    for (at, _) in code.match_indices("fn ") {
        if code[..at].ends_with(is_ident_char) {
            continue;
        }
        let name = leading_ident(code[at + 3..].trim_start());
        if name.is_empty() {
            continue;
        }
        let Some(open) = body_start(&bytes[at..]).map(|i| at + i) else {
            continue;
        };
        let Some(close) = matching_brace(bytes, open) else {
            continue;
        };
        let (first, last) = (line_at(at), line_at(close));
        found.push((name.to_string(), first, last - first + 1));
    }
    found
}

/// The variants of every enum in `code`: the names that open its lines.
fn variants(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (at, _) in code.match_indices("enum ") {
        if code[..at].ends_with(is_ident_char) {
            continue;
        }
        let Some(open) = body_start(&code.as_bytes()[at..]).map(|i| at + i) else {
            continue;
        };
        let Some(close) = matching_brace(code.as_bytes(), open) else {
            continue;
        };
        for line in code[open + 1..close].lines() {
            let name = leading_ident(line.trim_start());
            if name.starts_with(|c: char| c.is_ascii_uppercase()) {
                found.push(name.to_string());
            }
        }
    }
    found
}

/// Every name `src/` defines: items (`fn name`, `struct name`, `mod name`,
/// …), enum variants, and fields (`name:` first on a line, `pub` aside).
fn defined_names() -> BTreeSet<String> {
    const ITEMS: [&str; 10] = [
        "fn",
        "struct",
        "enum",
        "union",
        "trait",
        "type",
        "const",
        "static",
        "mod",
        "macro_rules",
    ];
    let mut names = BTreeSet::new();
    for (_, text) in files() {
        let code = mask(&text);
        let words: Vec<&str> = code
            .split(|c: char| !is_ident_char(c))
            .filter(|w| !w.is_empty())
            .collect();
        for pair in words.windows(2) {
            if ITEMS.contains(&pair[0]) {
                names.insert(pair[1].to_string());
            }
        }
        for line in code.lines() {
            let line = line.trim_start();
            let line = ["pub(crate) ", "pub(super) ", "pub "]
                .iter()
                .find_map(|p| line.strip_prefix(*p))
                .unwrap_or(line);
            let name = leading_ident(line);
            let after = &line[name.len()..];
            if is_identifier(name) && after.starts_with(':') && !after.starts_with("::") {
                names.insert(name.to_string());
            }
        }
        names.extend(variants(&code));
    }
    names
}

/// What a backticked word of ARCHITECTURE.md cites in the repository.
#[derive(Debug, PartialEq)]
enum Cited<'a> {
    /// A file or folder: `render/cards.rs`, `tests/lsp.rs`, `parse/`.
    File(&'a str),
    /// An item, variant or field by its last name: `site::compile` →
    /// `compile`, `render_with()` → `render_with`, `PageFacts`.
    Name(&'a str),
}

/// What `word` cites, if it looks like code: a path of the repository, a
/// Rust path, a `CamelCase` name, or a `snake_case` one with an underscore
/// or `()`. Prose, commands (`gemba serve`, `--timings`), data files
/// (`gemba.yaml`) and the folders of a site (`content/`) cite nothing.
fn citation(word: &str) -> Option<Cited<'_>> {
    const DATA: [&str; 6] = [".html", ".md", ".json", ".yaml", ".xml", ".csv"];
    const SITE: [&str; 4] = ["content/", "templates/", "static/", "public"];
    if word.contains(char::is_whitespace)
        || word.starts_with("--")
        || DATA.iter().any(|x| word.ends_with(*x))
    {
        return None;
    }
    let path_chars = word
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_-./".contains(c));
    if path_chars && (word.contains('/') || word.ends_with(".rs") || word.ends_with(".toml")) {
        return (!SITE.iter().any(|s| word.starts_with(*s))).then_some(Cited::File(word));
    }
    let path = word.strip_suffix("()").unwrap_or(word);
    let name = path.rsplit("::").next().unwrap_or(path);
    let snake = name.contains('_') && !name.contains(|c: char| c.is_ascii_uppercase());
    let camel = name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.contains(|c: char| c.is_ascii_lowercase());
    let code = path.contains("::") || word.ends_with("()") || snake || camel;
    (code && path.split("::").all(is_identifier)).then_some(Cited::Name(name))
}

/// The names of code outside the repository that ARCHITECTURE.md may cite:
/// the crates Cargo.toml depends on (`lol_html`), `std`, and the primitive
/// types (`usize::MAX`).
fn outside_names() -> BTreeSet<String> {
    let manifest = std::fs::read_to_string(Path::new(ROOT).join("Cargo.toml")).unwrap();
    let mut names: BTreeSet<String> = [
        "std", "core", "alloc", "bool", "char", "str", "usize", "isize", "u8", "u16", "u32", "u64",
        "i8", "i16", "i32", "i64", "f32", "f64",
    ]
    .map(String::from)
    .into();
    let mut section = "";
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            section = line;
        } else if section.ends_with("dependencies]") && !line.starts_with('#') {
            if let Some((name, _)) = line.split_once('=') {
                names.insert(name.trim().replace('-', "_"));
            }
        }
    }
    names
}

/// The words between backticks in a Markdown text's prose (fenced blocks
/// aside), with their line numbers.
fn backticked(markdown: &str) -> Vec<(usize, String)> {
    let mut fenced = false;
    let prose: String = markdown
        .lines()
        .map(|line| {
            let fence = line.trim_start().starts_with("```");
            fenced ^= fence;
            if fence || fenced {
                "\n".to_string()
            } else {
                format!("{line}\n")
            }
        })
        .collect();
    let (mut line, mut found) = (1, Vec::new());
    for (i, piece) in prose.split('`').enumerate() {
        if i % 2 == 1 {
            found.push((line, piece.to_string()));
        }
        line += piece.matches('\n').count();
    }
    found
}

/// Modules import downward only: no cycle between the top-level modules.
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
        imports("use crate::{a::X, bb::{Y}, cc};\nfn f() { crate::dd::g() }"),
        ["a", "bb", "cc", "dd"]
            .map(String::from)
            .into_iter()
            .collect()
    );
}

/// An import written `super::x` counts as much as `crate::x`: from a
/// top-level module's own file it names the module `x`.
#[test]
fn imports_through_super_are_read() {
    fn set(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|n| n.to_string()).collect()
    }
    let read = |file: &str, code: &str| modules_named(Path::new(file), code);
    assert_eq!(
        read(
            "render/mod.rs",
            "use super::resolve::Model;\nuse super::{fmt, site::Site};"
        ),
        set(&["fmt", "resolve", "site"])
    );
    assert_eq!(
        read("stats.rs", "fn f() { super::fmt::percent(1.0) }"),
        set(&["fmt"])
    );
    assert_eq!(
        read(
            "render/cards.rs",
            "use super::view::View;\nuse crate::resolve::Model;"
        ),
        set(&["render", "resolve"])
    );
    let files_using_super = sources()
        .iter()
        .filter(|(_, code)| !names_after(&mask(code), "super::").is_empty())
        .count();
    assert!(
        files_using_super > 10,
        "`super::` imports were read in {files_using_super} files of src/ only"
    );
}

/// The files of a folder import each other without cycles: each one can
/// be read knowing only the siblings below it.
#[test]
fn sibling_files_import_each_other_without_cycles() {
    let graphs = sibling_graphs();
    let files: usize = graphs.values().map(|graph| graph.len()).sum();
    let edges: usize = graphs
        .values()
        .flat_map(|graph| graph.values())
        .map(|named| named.len())
        .sum();
    assert!(
        graphs.len() >= 5 && files > 20,
        "the folders of src/ and their files were found: {graphs:?}"
    );
    assert!(
        edges > 8,
        "imports between sibling files were read: {graphs:?}"
    );
    let cycles: Vec<String> = graphs
        .iter()
        .filter_map(|(folder, graph)| {
            let cycle = find_cycle(graph)?;
            let files: Vec<String> = cycle.iter().map(|f| format!("{f}.rs")).collect();
            Some(format!("src/{}/: {}", folder.display(), files.join(" → ")))
        })
        .collect();
    assert!(
        cycles.is_empty(),
        "import cycles between sibling files:\n{}",
        cycles.join("\n")
    );
}

#[test]
fn the_sibling_reader_finds_siblings() {
    let code = "use super::a::X;\n\
                use super::{a, b::Y, Global};\n\
                fn f() { crate::render::cards::x(); crate::resolve::links::y() }";
    assert_eq!(
        sibling_imports(code, "render"),
        ["a", "b", "cards"].map(String::from).into_iter().collect()
    );
}

/// Every file reads in one sitting.
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

/// Every function reads in one sitting, tests included.
#[test]
fn every_function_reads_in_one_sitting() {
    let mut measured = 0;
    let mut long = Vec::new();
    for (rel, text) in files() {
        for (name, line, lines) in function_lengths(&text) {
            measured += 1;
            if lines > MAX_FUNCTION_LINES {
                long.push(format!(
                    "src/{}:{line}: fn {name} has {lines} lines",
                    rel.display()
                ));
            }
        }
    }
    assert!(
        measured > 300,
        "only {measured} functions were measured in src/"
    );
    assert!(
        long.is_empty(),
        "functions longer than {MAX_FUNCTION_LINES} lines, to split by what they do:\n{}",
        long.join("\n")
    );
}

#[test]
fn the_brace_counter_skips_literals_and_comments() {
    let snippet = r##"fn outer<'a>(s: &'a str) -> usize {
    let open = '{';
    let byte = b'{';
    let quoted = "{ \" {";
    let raw = r#"}"#;
    // {
    /* } */
    fn inner() {
        let _ = '\'';
    }
    s.len()
}
fn after() {}
"##;
    assert_eq!(
        function_lengths(snippet),
        vec![
            ("outer".to_string(), 1, 12),
            ("inner".to_string(), 8, 3),
            ("after".to_string(), 13, 1),
        ]
    );
    assert_eq!(
        mask("f(usize::MAX) // usize::MAX").trim_end(),
        "f(usize::MAX)"
    );
}

/// No `usize::MAX` stands for "none": an absent value is an `Option`, which
/// cannot be used as an index by mistake.
#[test]
fn no_usize_max_stands_for_none() {
    let (mut files_read, mut usizes) = (0, 0);
    let mut found = Vec::new();
    for (rel, text) in files() {
        let code = mask(&text);
        files_read += 1;
        usizes += code.matches("usize").count();
        for (n, line) in code.lines().enumerate() {
            if line.contains("usize::MAX") {
                let source = text.lines().nth(n).unwrap_or_default().trim();
                found.push(format!("src/{}:{}: {source}", rel.display(), n + 1));
            }
        }
    }
    assert!(
        files_read > 30 && usizes > 50,
        "the code of src/ was read: {files_read} files, {usizes} mentions of usize"
    );
    assert!(
        found.is_empty(),
        "usize::MAX as a sentinel (use an Option):\n{}",
        found.join("\n")
    );
}

/// ARCHITECTURE.md cites only files and names that exist, so that it
/// cannot drift from the code unnoticed.
#[test]
fn architecture_cites_only_names_that_exist() {
    let root = Path::new(ROOT);
    let read = |name: &str| std::fs::read_to_string(root.join(name)).unwrap_or_default();
    let doc = read("ARCHITECTURE.md");
    // Settings and JSON fields are cited by the keys users write.
    let keys = ["README.md", "DESIGN.md", "docs/json.md"]
        .map(read)
        .concat();
    let defined = defined_names();
    let outside = outside_names();
    let file_names: BTreeSet<String> = files()
        .iter()
        .filter_map(|(rel, _)| rel.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .collect();
    let mut checked = 0;
    let mut missing = Vec::new();
    for (line, word) in backticked(&doc) {
        let Some(cited) = citation(&word) else {
            continue;
        };
        let exists = match cited {
            Cited::File(path) => {
                let path = path.trim_end_matches('/');
                root.join(path).exists()
                    || Path::new(SRC).join(path).exists()
                    || file_names.contains(path)
            }
            // Another crate's names are that crate's to keep.
            Cited::Name(_) if outside.contains(word.split("::").next().unwrap_or_default()) => {
                continue
            }
            Cited::Name(name) => {
                defined.contains(name)
                    || keys.contains(&format!("{name}:"))
                    || keys.contains(&format!("\"{name}\""))
            }
        };
        checked += 1;
        if !exists {
            missing.push(format!("ARCHITECTURE.md:{line}: `{word}`"));
        }
    }
    assert!(
        checked > 30,
        "only {checked} names of ARCHITECTURE.md were checked"
    );
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md cites what src/ does not define or the repository does not hold:\n{}",
        missing.join("\n")
    );
}

#[test]
fn documents_cited_in_the_code_are_in_the_repository() {
    // What counts as a citation: an upper-case document name or a path
    // under docs/, in a comment.
    let root = Path::new(ROOT);
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
