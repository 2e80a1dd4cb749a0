//! Markdown: finding `[[wiki links]]` with their positions, and rendering a
//! body to HTML with pulldown-cmark (tables, footnotes, strikethrough, task
//! lists, heading ids).

use crate::diagnostics::Span;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use std::collections::HashSet;
use std::ops::Range;

mod html;
mod outline;
pub use html::{escape_html, render, render_with, LinkTo};
pub use outline::{is_external, outline, MdLink, Outline};

/// A `[[target]]` or `[[target|label]]` in a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WikiLink {
    /// Byte range of the whole `[[…]]` in the body.
    pub range: Range<usize>,
    pub target: String,
    pub label: Option<String>,
    /// Position of the `[[` in the file.
    pub span: Span,
}

/// Find wiki links outside code blocks and inline code. `body_line` is the
/// file line the body starts on, so spans point into the file.
pub fn scan_wiki_links(body: &str, body_line: usize) -> Vec<WikiLink> {
    let mut links = Vec::new();
    let mut fence: Option<(char, usize)> = None;
    let mut offset = 0;
    for (i, line) in body.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += line.len();
        let trimmed = line.trim_start();
        let marker = trimmed.chars().next().filter(|c| *c == '`' || *c == '~');
        if let Some(c) = marker {
            let run = trimmed.chars().take_while(|x| *x == c).count();
            if run >= 3 {
                match fence {
                    None => fence = Some((c, run)),
                    Some((fc, frun))
                        if fc == c && run >= frun && trimmed[run..].trim().is_empty() =>
                    {
                        fence = None
                    }
                    Some(_) => {}
                }
                continue;
            }
        }
        if fence.is_some() || !line.contains("[[") {
            continue;
        }
        scan_line(line, start, body_line + i, &mut links);
    }
    links
}

fn scan_line(line: &str, line_start: usize, file_line: usize, links: &mut Vec<WikiLink>) {
    let bytes = line.as_bytes();
    // Backtick-run lengths known to have no closing run later on the line,
    // so that a line of unmatched backticks stays linear.
    let mut unclosed: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'`' {
            let run = bytes[i..].iter().take_while(|b| **b == b'`').count();
            let ticks = &line[i..i + run];
            match (!unclosed.contains(&run))
                .then(|| line[i + run..].find(ticks))
                .flatten()
            {
                Some(close) => i += run + close + run,
                None => {
                    unclosed.push(run);
                    i += run;
                }
            }
            continue;
        }
        if bytes[i] == b'[' && bytes.get(i + 1) == Some(&b'[') {
            let Some(close) = line[i + 2..].find("]]") else {
                // No closing `]]` later on this line: no more links on it.
                return;
            };
            {
                let inner = &line[i + 2..i + 2 + close];
                let clean = !inner.is_empty() && !inner.contains(['[', ']', '\n']);
                if clean {
                    let (target, label) = match inner.split_once('|') {
                        Some((t, l)) => (t.trim(), Some(l.trim().to_string())),
                        None => (inner.trim(), None),
                    };
                    if !target.is_empty() {
                        let col = line[..i].chars().count() + 1;
                        let len = inner.chars().count() + 4;
                        links.push(WikiLink {
                            range: line_start + i..line_start + i + close + 4,
                            target: target.to_string(),
                            label: label.filter(|l| !l.is_empty()),
                            span: Span::new(file_line, col, len),
                        });
                    }
                    i += close + 4;
                    continue;
                }
            }
        }
        i += 1;
    }
}

/// Replace each wiki link by a Markdown link (or by its label as plain text
/// when `resolve` gives no URL).
pub fn substitute_wiki_links(
    body: &str,
    links: &[WikiLink],
    mut resolve: impl FnMut(&WikiLink) -> Option<(String, String)>,
) -> String {
    if links.is_empty() {
        return body.to_string();
    }
    let mut out = String::with_capacity(body.len() + 64);
    let mut last = 0;
    for link in links {
        out.push_str(&body[last..link.range.start]);
        match resolve(link) {
            Some((url, title)) => {
                let label = link.label.clone().unwrap_or(title);
                out.push('[');
                out.push_str(&escape_markdown(&label));
                out.push_str("](<");
                out.push_str(&url.replace(['<', '>', ' '], ""));
                out.push_str(">)");
            }
            None => {
                let label = link.label.clone().unwrap_or_else(|| link.target.clone());
                out.push_str(&escape_markdown(&label));
            }
        }
        last = link.range.end;
    }
    out.push_str(&body[last..]);
    out
}

fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '[' | ']' | '*' | '_' | '`' | '<' | '>' | '&') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A rendered body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    pub html: String,
    /// Plain text of the first paragraph.
    pub first_paragraph: String,
    /// Plain text of the first level-1 heading.
    pub first_heading: Option<String>,
    /// The heading tree, for a table of contents.
    pub toc: Vec<TocEntry>,
    /// Whether a ```` ```mermaid ```` fence made a diagram (its page loads
    /// the diagram script).
    pub diagrams: bool,
}

/// A heading in a body's table of contents, with the headings under it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub title: String,
    pub children: Vec<TocEntry>,
}

/// The body as the parser reads it, with what was changed for it:
///
/// - template syntax at the end of a heading (`## Pa11y {% include
///   tag.html %}`, left from Jekyll) would be read as heading attributes
///   and vanish, so its brace is written as an entity and it stays text
///   (reported like template syntax anywhere else);
/// - a block opened with `markdown="1"` (kramdown) holds Markdown: a blank
///   line after its opening tag and before its closing one lets the parser
///   read it so.
///
/// Borrowed when nothing changes. The inserted blank lines are returned (as
/// 0-based lines of the result), so that positions can be mapped back.
pub fn parsable_with_inserted(body: &str) -> (std::borrow::Cow<'_, str>, Vec<usize>) {
    let tail_template = |line: &str| {
        let t = line.trim_end();
        t.trim_start().starts_with('#')
            && (t.ends_with("%}") || t.ends_with("}}"))
            && t.rfind(" {").is_some_and(|at| {
                let tail = &t[at + 1..];
                tail.starts_with("{%") || tail.starts_with("{{")
            })
    };
    fn opens_markdown(line: &str) -> Option<&str> {
        let t = line.trim();
        if !(t.starts_with('<') && t.ends_with('>') && !t.starts_with("</")) {
            return None;
        }
        if !(t.contains("markdown=\"1\"")
            || t.contains("markdown=\"block\"")
            || t.contains("markdown='1'"))
        {
            return None;
        }
        let name_end = t[1..]
            .find(|c: char| !c.is_ascii_alphanumeric())
            .map(|i| i + 1)?;
        let name = &t[1..name_end];
        (!name.is_empty() && !t.contains(&format!("</{name}"))).then_some(name)
    }
    if !body
        .lines()
        .any(|l| tail_template(l) || opens_markdown(l).is_some())
    {
        return (std::borrow::Cow::Borrowed(body), Vec::new());
    }
    let mut out = String::with_capacity(body.len() + 8);
    let mut inserted = Vec::new();
    let mut lines_out = 0;
    // Lines inside fenced code are code, whatever they look like.
    let mut fence: Option<&str> = None;
    let mut open: Vec<&str> = Vec::new();
    let mut blank_before = true;
    let mut blank_after_open = false;
    for line in body.split_inclusive('\n') {
        let t = line.trim_start();
        let marker = ["```", "~~~"].into_iter().find(|m| t.starts_with(m));
        match (fence, marker) {
            (None, Some(m)) => fence = Some(m),
            (Some(f), Some(m)) if f == m => fence = None,
            _ => {}
        }
        let in_code = fence.is_some() || marker.is_some();
        let blank = line.trim().is_empty();
        if blank_after_open && !blank {
            out.push('\n');
            inserted.push(lines_out);
            lines_out += 1;
        }
        blank_after_open = false;
        let closes = !in_code
            && open
                .last()
                .is_some_and(|name| t.starts_with(&format!("</{name}")));
        if closes {
            open.pop();
            if !blank_before {
                out.push('\n');
                inserted.push(lines_out);
                lines_out += 1;
            }
        }
        if !in_code && tail_template(line) {
            // As an entity the brace is text to the parser, which would
            // read a trailing `{…}` as attributes, escaped or not.
            let at = line.trim_end().rfind(" {").unwrap_or(0) + 1;
            out.push_str(&line[..at]);
            out.push_str("&#123;");
            out.push_str(&line[at + 1..]);
        } else {
            out.push_str(line);
        }
        if !line.ends_with('\n') {
            out.push('\n');
        }
        lines_out += 1;
        if !in_code {
            if let Some(name) = opens_markdown(line) {
                open.push(name);
                blank_after_open = true;
            }
        }
        blank_before = blank;
    }
    if !body.ends_with('\n') {
        out.pop();
    }
    (std::borrow::Cow::Owned(out), inserted)
}

/// The body as the parser reads it (see [`parsable_with_inserted`]).
pub fn parsable(body: &str) -> std::borrow::Cow<'_, str> {
    parsable_with_inserted(body).0
}

/// GitHub's emoji shortcodes in some text replaced by their emoji:
/// `:tada:` → 🎉. A name GitHub does not know stays as written (`10:30:00`).
pub fn emoji_shortcodes(text: &str) -> std::borrow::Cow<'_, str> {
    let mut out = String::new();
    let mut last = 0;
    let mut search = 0;
    while let Some(start) = text[search..].find(':').map(|i| search + i) {
        let rest = &text[start + 1..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '-')))
            .unwrap_or(rest.len());
        let name = &rest[..end];
        if !name.is_empty() && rest[end..].starts_with(':') {
            if let Some(emoji) = emojis::get_by_shortcode(name) {
                out.push_str(&text[last..start]);
                out.push_str(emoji.as_str());
                last = start + 1 + end + 1;
                search = last;
                continue;
            }
        }
        search = start + 1;
    }
    if last == 0 {
        return std::borrow::Cow::Borrowed(text);
    }
    out.push_str(&text[last..]);
    std::borrow::Cow::Owned(out)
}

pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
        | Options::ENABLE_MATH
}

/// All the text of some Markdown, a line per paragraph, heading, list item
/// and table cell: what search indexes. No HTML is written for it.
pub fn plain_text(markdown: &str) -> String {
    let mut text = String::with_capacity(markdown.len());
    for event in Parser::new_ext(&parsable(markdown), options()) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                text.push_str(&t)
            }
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableCell,
            ) => text.push('\n'),
            _ => {}
        }
    }
    text
}

/// The text of the first `# heading` line of a body, found without parsing
/// it (a plain page's title when its front matter has none).
pub fn first_heading(body: &str) -> Option<String> {
    body.lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix("# "))
        .map(|h| h.trim().trim_end_matches('#').trim().to_string())
        .filter(|h| !h.is_empty())
}

/// Collects the plain text of a body's first paragraph with text in it.
#[derive(Default)]
pub(crate) struct FirstParagraph {
    text: String,
    inside: bool,
    done: bool,
}

impl FirstParagraph {
    pub(crate) fn feed(&mut self, event: &Event) {
        if self.done {
            return;
        }
        match event {
            Event::Start(Tag::Paragraph) => self.inside = true,
            Event::End(TagEnd::Paragraph) => {
                self.inside = false;
                self.done = !self.text.trim().is_empty();
            }
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) if self.inside => {
                self.text.push_str(t)
            }
            Event::SoftBreak | Event::HardBreak if self.inside => self.text.push(' '),
            _ => {}
        }
    }

    pub(crate) fn finish(self) -> String {
        self.text.trim().to_string()
    }
}

/// Only what lists and feeds need of a body: the plain text of its first
/// paragraph with text in it (what `render` gives as `first_paragraph`),
/// without rendering the rest: pages render their bodies when they are written.
pub fn summarize(markdown: &str) -> String {
    let mut first = FirstParagraph::default();
    for event in Parser::new_ext(&parsable(markdown), options()) {
        first.feed(&event);
        if first.done {
            break;
        }
    }
    first.finish()
}

/// Heading ids as GitHub makes them: from the heading's text, unique
/// within the body (`step`, `step-1`, …); `{#id}` sets one.
#[derive(Default)]
pub(crate) struct HeadingIds {
    used: HashSet<String>,
}

impl HeadingIds {
    pub(crate) fn id(&mut self, text: &str, explicit: Option<&str>) -> String {
        let base = match explicit {
            Some(id) => id.to_string(),
            None => {
                let s = github_slug(text);
                if s.is_empty() {
                    "section".to_string()
                } else {
                    s
                }
            }
        };
        let mut unique = base.clone();
        let mut n = 1;
        while !self.used.insert(unique.clone()) {
            unique = format!("{base}-{n}");
            n += 1;
        }
        unique
    }
}

/// A heading's id as GitHub makes it: lowercase; every character but
/// letters and digits of any script, `-`, `_` and spaces removed (so
/// punctuation and emoji go); each space a `-`. `What's new?` →
/// `whats-new`, `CI/CD` → `cicd`, `Что нового` → `что-нового`, `🎉 Done` →
/// `-done`.
pub fn github_slug(text: &str) -> String {
    text.trim()
        .chars()
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ' '))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The plain text of a heading, from the events after its start.
pub(crate) fn heading_text<'e, 'a: 'e>(after_start: impl Iterator<Item = &'e Event<'a>>) -> String {
    let mut text = String::new();
    for e in after_start {
        match e {
            Event::End(TagEnd::Heading(_)) => break,
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) => text.push_str(t),
            _ => {}
        }
    }
    text.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn markdown_blocks_and_headings_with_template_syntax_parse_as_github_would() {
        let body = "<aside markdown=\"1\">\n**Bold** and [a link](x.md)\n</aside>\n\n## Pa11y {% include tag.html %}\n\n```\n# {{ kept }}\n```\n";
        let (text, inserted) = parsable_with_inserted(body);
        assert_eq!(inserted, [1, 3]);
        assert!(
            text.contains("## Pa11y &#123;% include tag.html %}"),
            "{text}"
        );
        assert!(text.contains("# {{ kept }}"), "{text}");
        let html = render(body).html;
        assert!(html.contains("<strong>Bold</strong>"), "{html}");
        assert!(
            html.contains("<h2 id=\"pa11y--include-taghtml-\">Pa11y {% include tag.html %}<a"),
            "{html}"
        );
    }

    #[test]
    fn footnotes_gather_at_the_end_with_links_back() {
        let html = render(
            "First[^b] and second[^a].\n\n[^a]: The a note.\n\n[^b]: The b note.\n\nAfter.\n",
        )
        .html;
        let (text, notes) = html
            .split_once("<section class=\"footnotes\"")
            .expect("a notes section");
        assert!(text.contains("After."), "{html}");
        assert!(
            text.contains("href=\"#fn-b\" id=\"fnref-b\" role=\"doc-noteref\">1</a>"),
            "{html}"
        );
        assert!(
            text.contains("href=\"#fn-a\" id=\"fnref-a\" role=\"doc-noteref\">2</a>"),
            "{html}"
        );
        let b = notes.find("id=\"fn-b\"").unwrap();
        let a = notes.find("id=\"fn-a\"").unwrap();
        assert!(b < a, "in the order referred to: {notes}");
        assert!(
            notes.contains("The b note. <a href=\"#fnref-b\" class=\"footnote-backref\""),
            "{notes}"
        );
    }

    #[test]
    fn emoji_shortcodes_are_githubs() {
        assert_eq!(
            emoji_shortcodes("Shipped :tada: at 10:30:00"),
            "Shipped 🎉 at 10:30:00"
        );
        assert_eq!(
            emoji_shortcodes(":+1: and :not_an_emoji_name:"),
            "👍 and :not_an_emoji_name:"
        );
        assert!(matches!(
            emoji_shortcodes("no codes"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn heading_ids_are_githubs() {
        for (text, id) in [
            ("What's new?", "whats-new"),
            ("CI/CD", "cicd"),
            ("Что нового", "что-нового"),
            ("🎉 Done", "-done"),
            ("Step 1: install", "step-1-install"),
            ("snake_case and kebab-case", "snake_case-and-kebab-case"),
            ("Café Olé", "café-olé"),
        ] {
            assert_eq!(github_slug(text), id, "{text}");
        }
        let mut ids = HeadingIds::default();
        assert_eq!(ids.id("Notes", None), "notes");
        assert_eq!(ids.id("Notes", None), "notes-1");
        assert_eq!(ids.id("Notes", None), "notes-2");
        assert_eq!(ids.id("Anything", Some("custom")), "custom");
    }

    #[test]
    fn finds_links_with_labels_and_positions() {
        let body = "See [[pricing-test]] and\n[[experiment/onboarding|the onboarding test]].\n";
        let links = scan_wiki_links(body, 5);
        assert_eq!(links.len(), 2);
        assert_eq!(links[0].target, "pricing-test");
        assert_eq!(links[0].span, Span::new(5, 5, 16));
        assert_eq!(links[1].target, "experiment/onboarding");
        assert_eq!(links[1].label.as_deref(), Some("the onboarding test"));
        assert_eq!(links[1].span.line, 6);
        assert_eq!(links[1].span.col, 1);
    }

    #[test]
    fn skips_code() {
        let body = "`[[not-a-link]]`\n```\n[[nor-this]]\n```\n[[yes]]\n";
        let links = scan_wiki_links(body, 1);
        assert_eq!(links.len(), 1);
        assert_eq!(links[0].target, "yes");
    }

    #[test]
    fn substitutes_links_and_plain_text() {
        let body = "A [[x]] and [[y|why]].";
        let links = scan_wiki_links(body, 1);
        let out = substitute_wiki_links(body, &links, |l| {
            (l.target == "x").then(|| ("/experiments/x/".to_string(), "Ex".to_string()))
        });
        assert_eq!(out, "A [Ex](</experiments/x/>) and why.");
    }

    #[test]
    fn headings_get_unique_ids_and_summary() {
        let r = render("# Title\n\nFirst *para*\nline.\n\n## Step\n\n## Step\n\nSecond.\n");
        assert!(r.html.contains("<h2 id=\"step\">"));
        assert!(r.html.contains("<h2 id=\"step-1\">"));
        assert_eq!(r.first_paragraph, "First para line.");
        assert_eq!(r.first_heading.as_deref(), Some("Title"));
    }

    #[test]
    fn plain_text_keeps_every_word_a_line_per_block() {
        let text = plain_text(
            "# Title\n\nA *b* `c`\nd.\n\n- one\n- two\n\n| h |\n|---|\n| cell |\n\n<b>tag</b> [link](/x/)\n",
        );
        assert_eq!(text, "Title\nA b c d.\none\ntwo\nh\ncell\ntag link\n");
    }

    #[test]
    fn renders_tables_tasks_footnotes_strikethrough() {
        let r = render(
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n\n~~old~~ note[^1]\n\n[^1]: foot\n",
        );
        assert!(r.html.contains("<table>"));
        assert!(r.html.contains("type=\"checkbox\""));
        assert!(r.html.contains("<del>old</del>"));
        assert!(r.html.contains("footnote"));
    }

    proptest! {
        #[test]
        fn scanner_never_panics_and_ranges_are_links(body in "(\\PC|\\[|\\]|\\||`|\n){0,300}") {
            for link in scan_wiki_links(&body, 1) {
                let text = &body[link.range.clone()];
                prop_assert!(text.starts_with("[[") && text.ends_with("]]"));
                prop_assert!(!link.target.is_empty());
            }
        }
    }

    /// The first paragraph as a reader of the HTML sees it: the text of
    /// the first `<p>` with any, found by an HTML parser in plain
    /// pulldown-cmark output (no code of this module involved).
    fn first_paragraph_in_html(markdown: &str) -> String {
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, Parser::new_ext(&parsable(markdown), options()));
        let doc = scraper::Html::parse_fragment(&html);
        let p = scraper::Selector::parse("p").unwrap();
        doc.select(&p)
            .map(|e| e.text().collect::<String>())
            .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
            .find(|t| !t.is_empty())
            .unwrap_or_default()
    }

    fn words(s: &str) -> String {
        s.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    proptest! {
        /// The summary pass, and the full render, find the first paragraph
        /// a reader of the HTML finds.
        #[test]
        fn summary_agrees_with_the_html(body in "([a-zA-Z0-9 .,;:*_#>-]{0,40}|\n|\n\n|# |- |> |`|\\*|\\[x\\]\\(y\\)|  \n|1\\. ){0,40}") {
            let expected = first_paragraph_in_html(&body);
            prop_assert_eq!(words(&summarize(&body)), expected.clone());
            prop_assert_eq!(words(&render(&body).first_paragraph), expected);
        }
    }

    proptest! {
        /// Any body is outlined and rendered without a panic; every link,
        /// image and template tag found is placed on a line of the body.
        #[test]
        fn outline_and_render_take_any_body(body in "([a-zA-Z0-9 .#:/]{0,12}|\n|\\[|\\]|\\(|\\)|!|`|~|\\$|\\{|\\}|%|>|\\[!NOTE\\]|```mermaid\n|```rust\n|- \\[x\\] |\\|){0,60}") {
            let lines = body.split('\n').count();
            let o = outline(&body, 10);
            for span in o.links.iter().map(|l| l.span).chain(o.template_tags.iter().copied()) {
                prop_assert!(span.line >= 10 && span.line < 10 + lines, "{span:?} outside {lines} lines");
            }
            let r = render_with(&body, &|d| LinkTo::Url { url: format!("/x/{d}"), size: Some((1, 1)) });
            prop_assert_eq!(r.html.matches("<h").count() >= o.anchors.len(), true);
        }
    }

    #[test]
    fn outline_finds_local_links_anchors_and_leftovers() {
        let body = "# Title\n\nSee [a](setup.md#install), [b](https://x.y/) and ![i](img/a.png).\n\n## Title\n\n{{ site.baseurl }} and `{{ code }}`\n";
        let o = outline(body, 5);
        let dests: Vec<&str> = o.links.iter().map(|l| l.dest.as_str()).collect();
        assert_eq!(dests, ["setup.md#install", "img/a.png"]);
        assert_eq!(o.links[0].span, Span::new(7, 5, 21));
        assert!(o.links[1].image);
        assert_eq!(o.anchors, ["title", "title-1"]);
        assert_eq!(o.template_tags, [Span::new(11, 1, 2)]);
    }
}
