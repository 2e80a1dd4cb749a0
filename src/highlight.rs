//! Code highlighting at build time: fenced code becomes spans with CSS
//! classes named after the grammar's scopes (`hl-keyword`, `hl-string`,
//! …), which the theme's stylesheet colours in light and dark.
//! The grammars are syntect's default set, loaded once, on the first fence.

use std::sync::OnceLock;
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

const STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// The grammar for a fence's language (`rust`, `py`, `yaml`, `sh`, …).
fn syntax(lang: &str) -> Option<&'static SyntaxReference> {
    let set = syntaxes();
    let lang = lang.trim().to_ascii_lowercase();
    let name = match lang.as_str() {
        "" => return None,
        "shell" | "console" | "zsh" => "bash",
        "js" | "jsx" | "ts" | "typescript" | "tsx" => "js",
        "yml" => "yaml",
        "py" | "python3" => "py",
        "golang" => "go",
        other => other,
    };
    set.find_syntax_by_token(name)
}

/// The code as HTML spans with classes, or `None` for a language without a
/// grammar (the caller shows it plain).
pub fn highlight(code: &str, lang: &str) -> Option<String> {
    let syntax = syntax(lang)?;
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, syntaxes(), STYLE);
    for line in LinesWithEndings::from(code) {
        generator
            .parse_html_for_line_which_includes_newline(line)
            .ok()?;
    }
    Some(generator.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_languages_get_classes_and_unknown_ones_none() {
        let html = highlight("fn main() { let x = 1; }\n", "rust").unwrap();
        assert!(html.contains("class=\"hl-"), "{html}");
        assert!(html.contains("main"));
        assert!(highlight("x", "no-such-language").is_none());
        assert!(highlight("a: 1\n", "yml").is_some());
        assert!(highlight("echo hi\n", "sh").is_some());
    }

    #[test]
    fn code_is_escaped() {
        let html = highlight("if a < b && c > d { }\n", "rust").unwrap();
        assert!(!html.contains("< b"));
        assert!(html.contains("&lt;"));
    }
}
