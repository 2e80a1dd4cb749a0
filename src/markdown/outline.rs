//! A body's outline, read before anything is rendered: its local links
//! and images, the ids its headings get, and template syntax left in it.

use super::{heading_text, options, HeadingIds};
use crate::diagnostics::Span;
use pulldown_cmark::{Event, LinkType, Parser, Tag, TagEnd};
use std::ops::Range;

/// A Markdown link or image in a body whose destination is in the site
/// (relative, root-relative or an `#anchor`), not another site's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MdLink {
    pub dest: String,
    /// Where the `[` (or `![`) stands in the file.
    pub span: Span,
    pub image: bool,
}

/// What the site needs of a body before anything is rendered: its local
/// links, the ids its headings get, and template syntax left in its text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outline {
    pub links: Vec<MdLink>,
    /// The `href` and `src` of raw HTML that lead into the site (they are
    /// published as written; the files they use are published with them).
    pub html_links: Vec<MdLink>,
    pub anchors: Vec<String>,
    /// `{{ … }}` and `{% … %}` outside code, by position.
    pub template_tags: Vec<Span>,
}

/// Whether a link destination leads outside the site (`https:`,
/// `mailto:`, `//host`).
pub fn is_external(dest: &str) -> bool {
    if dest.starts_with("//") {
        return true;
    }
    let scheme_end = dest.find(':');
    scheme_end.is_some_and(|end| {
        let scheme = &dest[..end];
        !scheme.is_empty()
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
            && !dest[..end].contains('/')
    })
}

/// The brace template syntax opens with (`{{ … }}`, `{% … %}`).
const BRACE: char = '{';

/// Where template syntax starts in some text (`{{` or `{%`).
fn template_syntax(text: &str) -> impl Iterator<Item = usize> + '_ {
    text.match_indices(BRACE)
        .map(|(i, _)| i)
        .filter(move |&i| text[i + 1..].starts_with([BRACE, '%']))
        .filter(move |&i| !text[..i].ends_with(BRACE))
}

/// Read a body's outline. `body_line` is the file line the body starts on.
pub fn outline(body: &str, body_line: usize) -> Outline {
    let (parsable, inserted) = super::parsable_with_inserted(body);
    let body = &*parsable;
    let mut out = Outline::default();
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(body.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let span_at = |offset: usize, len: usize| {
        let line = line_starts.partition_point(|&s| s <= offset) - 1;
        let col = body[line_starts[line]..offset].chars().count() + 1;
        // Lines the parser was given in addition are not in the file.
        let added = inserted.partition_point(|&l| l < line);
        Span::new(body_line + line - added, col, len.max(1))
    };
    let events: Vec<(Event, Range<usize>)> = Parser::new_ext(body, options())
        .into_offset_iter()
        .collect();
    let mut ids = HeadingIds::default();
    let mut in_code = false;
    for (i, (event, range)) in events.iter().enumerate() {
        match event {
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::Start(Tag::Heading { id, .. }) => {
                let text = heading_text(events[i + 1..].iter().map(|(e, _)| e));
                out.anchors.push(ids.id(&text, id.as_deref()));
            }
            // `<name@example.com>`: a mail address, not a path.
            Event::Start(Tag::Link {
                link_type: LinkType::Email,
                ..
            }) => {}
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                let image = matches!(event, Event::Start(Tag::Image { .. }));
                let source = &body[range.clone()];
                let first_line = source.lines().next().unwrap_or("");
                let span = span_at(range.start, first_line.chars().count());
                if template_syntax(dest_url).next().is_some() {
                    out.template_tags.push(span);
                } else if !dest_url.is_empty() && !is_external(dest_url) {
                    out.links.push(MdLink {
                        dest: dest_url.to_string(),
                        span,
                        image,
                    });
                }
            }
            Event::Html(t) | Event::InlineHtml(t) if !in_code => {
                let source = &body[range.clone()];
                let first_line = source.lines().next().unwrap_or("");
                let span = span_at(range.start, first_line.chars().count());
                let (dests, anchors) = html_destinations(t);
                // `<a id="x"></a>` and `name="x"`: anchors as real as a
                // heading's.
                out.anchors.extend(anchors);
                for dest in dests {
                    if !dest.is_empty() && !is_external(&dest) && !dest.starts_with('#') {
                        out.html_links.push(MdLink {
                            dest,
                            span,
                            image: false,
                        });
                    }
                }
                template_tags(&mut out, body, t, range, &span_at);
            }
            Event::Text(t) if !in_code => {
                // A brace the parser was given as an entity (template
                // syntax at a heading's end) comes as a text of its own.
                if let Some((Event::Text(prev), prev_range)) = i.checked_sub(1).map(|p| &events[p])
                {
                    if prev.ends_with(BRACE) && t.starts_with([BRACE, '%']) {
                        out.template_tags.push(span_at(prev_range.start, 2));
                    }
                }
                template_tags(&mut out, body, t, range, &span_at)
            }
            _ => {}
        }
    }
    out.template_tags.dedup();
    out
}

/// Where template syntax stands in a piece of text of the body.
fn template_tags(
    out: &mut Outline,
    body: &str,
    t: &str,
    range: &Range<usize>,
    span_at: &dyn Fn(usize, usize) -> Span,
) {
    for at in template_syntax(t) {
        // The text's place in the body: found from its range (escapes and
        // entities can make the two differ).
        let source = &body[range.clone()];
        let offset = source
            .find(&t[at..(at + 2).min(t.len())])
            .map_or(range.start, |o| range.start + o);
        out.template_tags.push(span_at(offset, 2));
    }
}

/// The `href` and `src` values of the elements in a piece of raw HTML,
/// and the anchors its `id` and `name` attributes make.
fn html_destinations(html: &str) -> (Vec<String>, Vec<String>) {
    if !["href", "src", "id", "name"]
        .iter()
        .any(|a| html.contains(a))
    {
        return (Vec::new(), Vec::new());
    }
    let found = std::cell::RefCell::new((Vec::new(), Vec::new()));
    let settings = lol_html::RewriteStrSettings::new().append_element_content_handler(
        lol_html::element!("[href], [src], [id], a[name]", |el| {
            let mut found = found.borrow_mut();
            for name in ["href", "src"] {
                if let Some(value) = el.get_attribute(name) {
                    found.0.push(value.trim().to_string());
                }
            }
            for name in ["id", "name"] {
                if let Some(value) = el.get_attribute(name).filter(|v| !v.trim().is_empty()) {
                    found.1.push(value.trim().to_string());
                }
            }
            Ok(())
        }),
    );
    // A fragment that cannot be read yields what was found before it.
    let _ = lol_html::rewrite_str(html, settings);
    found.into_inner()
}
