//! A body as HTML: heading ids and anchors, alerts as callouts, code
//! highlighted, `mermaid` fences as diagrams, math as MathML, and links and
//! images where the site resolved them.

use super::{heading_text, options, FirstParagraph, HeadingIds, Rendered, TocEntry};
use pulldown_cmark::{
    BlockQuoteKind, CodeBlockKind, CowStr, Event, HeadingLevel, Parser, Tag, TagEnd,
};

/// Where a body's link or image leads, as the site resolved it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LinkTo {
    /// This address (prefix included), and an image's size when known.
    Url {
        url: String,
        size: Option<(u32, u32)>,
    },
    /// No link: the target is left out of this build; its text stays.
    Text,
    /// As written.
    AsWritten,
}

/// Render Markdown to HTML with no link rewritten.
pub fn render(markdown: &str) -> Rendered {
    render_with(markdown, &|_| LinkTo::AsWritten)
}

pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    pulldown_cmark_escape::escape_html(&mut out, text).expect("a String takes any text");
    out
}

fn alert_name(kind: BlockQuoteKind) -> (&'static str, &'static str) {
    match kind {
        BlockQuoteKind::Note => ("note", "Note"),
        BlockQuoteKind::Tip => ("tip", "Tip"),
        BlockQuoteKind::Important => ("important", "Important"),
        BlockQuoteKind::Warning => ("warning", "Warning"),
        BlockQuoteKind::Caution => ("caution", "Caution"),
    }
}

fn math(latex: &str, display: bool) -> String {
    let storage = pulldown_latex::Storage::new();
    let parser = pulldown_latex::Parser::new(latex, &storage);
    let config = pulldown_latex::RenderConfig {
        display_mode: if display {
            pulldown_latex::config::DisplayMode::Block
        } else {
            pulldown_latex::config::DisplayMode::Inline
        },
        annotation: Some(latex),
        ..Default::default()
    };
    let mut out = String::new();
    match pulldown_latex::push_mathml(&mut out, parser, config) {
        Ok(()) => out,
        Err(_) => format!("<code class=\"math-error\">{}</code>", escape_html(latex)),
    }
}

/// Build a heading tree from headings in order.
fn toc_tree(flat: Vec<TocEntry>) -> Vec<TocEntry> {
    fn insert(into: &mut Vec<TocEntry>, entry: TocEntry) {
        match into.last_mut() {
            Some(last) if last.level < entry.level => insert(&mut last.children, entry),
            _ => into.push(entry),
        }
    }
    let mut tree = Vec::new();
    for entry in flat {
        insert(&mut tree, entry);
    }
    tree
}

/// Render Markdown to HTML. Headings get unique ids and an anchor link;
/// GitHub's alerts become callouts; fenced code is highlighted, `mermaid`
/// fences become diagrams and `$…$` math MathML; each link and image goes
/// where `links` says.
pub fn render_with(markdown: &str, links: &dyn Fn(&str) -> LinkTo) -> Rendered {
    let parsable = super::parsable(markdown);
    let events = footnotes_at_the_end(Parser::new_ext(&parsable, options()).collect());
    let mut writer = Writer::new(links, events.len());
    let mut i = 0;
    while i < events.len() {
        i = writer.write(&events, i) + 1;
    }
    writer.finish(markdown.len() * 3 / 2)
}

/// What ends the language a fence's info string starts with (`rust` in
/// `rust,ignore`, `rust ignore` and `rust{1}`).
const LANG_END: [char; 3] = [' ', ',', '{'];

/// The state of [`render_with`]'s pass over a body's events: the events
/// written so far, what was noted on the way and what is still open.
struct Writer<'e, 'l> {
    links: &'l dyn Fn(&str) -> LinkTo,
    result: Rendered,
    ids: HeadingIds,
    first: FirstParagraph,
    toc: Vec<TocEntry>,
    out: Vec<Event<'e>>,
    // For each open block quote, whether it is an alert; for each open
    // link, whether its tags were dropped.
    quotes: Vec<bool>,
    dropped_links: Vec<bool>,
    // The id of the heading being written, for its anchor at its end.
    heading_anchor: Option<String>,
}

impl<'e, 'l> Writer<'e, 'l> {
    /// A writer with nothing written, for a body of `len` events.
    fn new(links: &'l dyn Fn(&str) -> LinkTo, len: usize) -> Self {
        Writer {
            links,
            result: Rendered::default(),
            ids: HeadingIds::default(),
            first: FirstParagraph::default(),
            toc: Vec::new(),
            out: Vec::with_capacity(len),
            quotes: Vec::new(),
            dropped_links: Vec::new(),
            heading_anchor: None,
        }
    }

    /// Write the event at `i`, with the events after it that belong to it (a
    /// code block's text, an image's alt text); returns the index of the
    /// last event it used.
    fn write(&mut self, events: &[Event<'e>], i: usize) -> usize {
        let event = &events[i];
        self.first.feed(event);
        match event {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                let text = heading_text(events[i + 1..].iter());
                self.start_heading(*level, id.as_deref(), classes, attrs, text);
            }
            Event::End(TagEnd::Heading(_)) => self.end_heading(event),
            Event::Start(Tag::BlockQuote(kind)) => self.start_quote(*kind, event),
            Event::End(TagEnd::BlockQuote(_)) => self.end_quote(event),
            Event::Start(Tag::CodeBlock(kind)) => return self.code_block(events, i, kind),
            // Raw HTML's links and images lead where the Markdown ones do.
            Event::Html(t) | Event::InlineHtml(t) if t.contains("href") || t.contains("src") => {
                let html = rewrite_html_links(t, self.links);
                self.out.push(match event {
                    Event::Html(_) => Event::Html(CowStr::from(html)),
                    _ => Event::InlineHtml(CowStr::from(html)),
                });
            }
            // `:tada:` as GitHub shows it; unknown names stay as written.
            Event::Text(t) if t.contains(':') => {
                self.out.push(Event::Text(CowStr::from(
                    super::emoji_shortcodes(t).into_owned(),
                )));
            }
            // Tables scroll inside their own box on a narrow screen.
            Event::Start(Tag::Table(_)) => {
                self.out.push(Event::Html(CowStr::from(
                    "<div class=\"table-scroll\" role=\"region\" aria-label=\"Table\" tabindex=\"0\">\n",
                )));
                self.out.push(event.clone());
            }
            Event::End(TagEnd::Table) => {
                self.out.push(event.clone());
                self.out.push(Event::Html(CowStr::from("</div>\n")));
            }
            // A task's box says what it shows to a screen reader.
            Event::TaskListMarker(done) => {
                self.out.push(Event::InlineHtml(CowStr::from(if *done {
                    "<input type=\"checkbox\" disabled checked aria-label=\"Done\"> "
                } else {
                    "<input type=\"checkbox\" disabled aria-label=\"Not done\"> "
                })))
            }
            Event::InlineMath(latex) => self
                .out
                .push(Event::InlineHtml(CowStr::from(math(latex, false)))),
            Event::DisplayMath(latex) => self
                .out
                .push(Event::InlineHtml(CowStr::from(math(latex, true)))),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => match (self.links)(dest_url) {
                LinkTo::Url { url, .. } => {
                    self.dropped_links.push(false);
                    self.out.push(Event::Start(Tag::Link {
                        link_type: *link_type,
                        dest_url: CowStr::from(url),
                        title: title.clone(),
                        id: id.clone(),
                    }));
                }
                LinkTo::Text => self.dropped_links.push(true),
                LinkTo::AsWritten => {
                    self.dropped_links.push(false);
                    self.out.push(event.clone());
                }
            },
            Event::End(TagEnd::Link) => {
                if self.dropped_links.pop() != Some(true) {
                    self.out.push(event.clone());
                }
            }
            Event::Start(Tag::Image {
                dest_url, title, ..
            }) => return self.image(events, i, dest_url, title),
            _ => self.out.push(event.clone()),
        }
        i
    }

    /// Open a heading under a unique id, noted for the table of contents
    /// (and as the body's first heading when it is the first of level 1).
    fn start_heading(
        &mut self,
        level: HeadingLevel,
        id: Option<&str>,
        classes: &[CowStr<'e>],
        attrs: &[(CowStr<'e>, Option<CowStr<'e>>)],
        text: String,
    ) {
        if level == HeadingLevel::H1 && self.result.first_heading.is_none() {
            self.result.first_heading = Some(text.clone());
        }
        let unique = self.ids.id(&text, id);
        self.toc.push(TocEntry {
            level: level as u8,
            id: unique.clone(),
            title: text,
            children: Vec::new(),
        });
        self.out.push(Event::Start(Tag::Heading {
            level,
            id: Some(CowStr::from(unique.clone())),
            classes: classes.to_vec(),
            attrs: attrs.to_vec(),
        }));
        // Its content goes through the loop like any other (links
        // in a heading resolve as GitHub resolves them); the anchor
        // goes at its end.
        self.heading_anchor = Some(unique);
    }

    /// Close a heading, after the anchor link to it.
    fn end_heading(&mut self, event: &Event<'e>) {
        if let Some(unique) = self.heading_anchor.take() {
            self.out.push(Event::Html(CowStr::from(format!(
                "<a class=\"anchor\" href=\"#{}\" aria-label=\"Link to this section\">#</a>",
                escape_html(&unique)
            ))));
        }
        self.out.push(event.clone());
    }

    /// Open a block quote, or the callout a GitHub alert becomes.
    fn start_quote(&mut self, kind: Option<BlockQuoteKind>, event: &Event<'e>) {
        self.quotes.push(kind.is_some());
        match kind {
            Some(kind) => {
                let (class, title) = alert_name(kind);
                self.out.push(Event::Html(CowStr::from(format!(
                    "<div class=\"alert alert-{class}\" role=\"note\">\n<p class=\"alert-title\">{title}</p>\n"
                ))));
            }
            None => self.out.push(event.clone()),
        }
    }

    /// Close a block quote, or the callout it became.
    fn end_quote(&mut self, event: &Event<'e>) {
        if self.quotes.pop() == Some(true) {
            self.out.push(Event::Html(CowStr::from("</div>\n")));
        } else {
            self.out.push(event.clone());
        }
    }

    /// Write the code block starting at `i` as highlighted code, or as a
    /// diagram for a `mermaid` fence; returns the index of its end.
    fn code_block(&mut self, events: &[Event<'e>], i: usize, kind: &CodeBlockKind<'e>) -> usize {
        let lang = match kind {
            CodeBlockKind::Fenced(info) => info.split(LANG_END).next().unwrap_or("").to_string(),
            CodeBlockKind::Indented => String::new(),
        };
        let mut code = String::new();
        let mut j = i + 1;
        while let Event::Text(t) = &events[j] {
            code.push_str(t);
            j += 1;
        }
        let html = if lang == "mermaid" {
            self.result.diagrams = true;
            format!(
                "<pre class=\"mermaid\" tabindex=\"0\">{}</pre>\n",
                escape_html(&code)
            )
        } else {
            let class = if lang.is_empty() {
                String::new()
            } else {
                format!(" class=\"language-{}\"", escape_html(&lang))
            };
            let body =
                crate::highlight::highlight(&code, &lang).unwrap_or_else(|| escape_html(&code));
            format!("<pre class=\"code\"><code{class}>{body}</code></pre>\n")
        };
        self.out.push(Event::Html(CowStr::from(html)));
        j
    }

    /// Write the image starting at `i` as an `<img>` where `links` says (or
    /// as its alt text, when this build does not publish it); returns the
    /// index of its end.
    fn image(&mut self, events: &[Event<'e>], i: usize, dest_url: &str, title: &str) -> usize {
        let mut alt = String::new();
        let mut j = i + 1;
        let mut depth = 0;
        loop {
            match &events[j] {
                Event::End(TagEnd::Image) if depth == 0 => break,
                Event::Start(Tag::Image { .. }) => depth += 1,
                Event::End(TagEnd::Image) => depth -= 1,
                Event::Text(t) | Event::Code(t) => alt.push_str(t),
                _ => {}
            }
            j += 1;
        }
        let (src, size) = match (self.links)(dest_url) {
            LinkTo::Url { url, size } => (url, size),
            // An image this build does not publish: its text.
            LinkTo::Text => {
                self.out.push(Event::Text(CowStr::from(alt)));
                return j;
            }
            LinkTo::AsWritten => (dest_url.to_string(), None),
        };
        let mut html = format!(
            "<img src=\"{}\" alt=\"{}\"",
            escape_href(&src),
            escape_html(&alt)
        );
        if !title.is_empty() {
            html.push_str(&format!(" title=\"{}\"", escape_html(title)));
        }
        if let Some((w, h)) = size {
            html.push_str(&format!(" width=\"{w}\" height=\"{h}\""));
        }
        html.push_str(" loading=\"lazy\">");
        self.out.push(Event::InlineHtml(CowStr::from(html)));
        j
    }

    /// The rendered body: the events written as HTML, with what was noted.
    fn finish(self, capacity: usize) -> Rendered {
        let mut result = self.result;
        result.first_paragraph = self.first.finish();
        result.toc = toc_tree(self.toc);
        let mut html = String::with_capacity(capacity);
        pulldown_cmark::html::push_html(&mut html, self.out.into_iter());
        result.html = html;
        result
    }
}

/// Footnotes as GitHub shows them: each reference a numbered link with an
/// id to come back to, and the notes gathered at the end, in the order
/// they are first referred to, each with a link back.
fn footnotes_at_the_end(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    if !events
        .iter()
        .any(|e| matches!(e, Event::Start(Tag::FootnoteDefinition(_))))
    {
        return events;
    }
    let mut main = Vec::with_capacity(events.len());
    let mut notes: Vec<(CowStr, Vec<Event>)> = Vec::new();
    let mut depth = 0;
    for event in events {
        match &event {
            Event::Start(Tag::FootnoteDefinition(label)) => {
                if depth == 0 {
                    notes.push((label.clone(), Vec::new()));
                }
                depth += 1;
            }
            Event::End(TagEnd::FootnoteDefinition) => depth -= 1,
            _ if depth > 0 => notes.last_mut().expect("a note is open").1.push(event),
            _ => main.push(event),
        }
    }
    let slug = |label: &str| super::github_slug(label);
    let mut order: Vec<String> = Vec::new();
    let defined = |label: &str| notes.iter().any(|(l, _)| l.as_ref() == label);
    let mut numbered = Vec::with_capacity(main.len());
    for event in main {
        match event {
            Event::FootnoteReference(label) if defined(&label) => {
                let n = match order.iter().position(|l| *l == *label) {
                    Some(i) => i + 1,
                    None => {
                        order.push(label.to_string());
                        order.len()
                    }
                };
                let id = escape_html(&slug(&label));
                numbered.push(Event::InlineHtml(CowStr::from(format!(
                    "<sup class=\"footnote-ref\"><a href=\"#fn-{id}\" id=\"fnref-{id}\" role=\"doc-noteref\">{n}</a></sup>"
                ))));
            }
            Event::FootnoteReference(label) => {
                numbered.push(Event::Text(CowStr::from(format!("[^{label}]"))))
            }
            other => numbered.push(other),
        }
    }
    // Notes never referred to come last, in the order written.
    for (label, _) in &notes {
        if !order.iter().any(|l| l == label.as_ref()) {
            order.push(label.to_string());
        }
    }
    numbered.push(Event::Html(CowStr::from(
        "<section class=\"footnotes\" role=\"doc-endnotes\">\n<ol>\n",
    )));
    for (n, label) in order.iter().enumerate() {
        let Some((_, body)) = notes.iter_mut().find(|(l, _)| l.as_ref() == label) else {
            continue;
        };
        let id = escape_html(&slug(label));
        numbered.push(Event::Html(CowStr::from(format!("<li id=\"fn-{id}\">\n"))));
        let back = Event::InlineHtml(CowStr::from(format!(
            " <a href=\"#fnref-{id}\" class=\"footnote-backref\" role=\"doc-backlink\" aria-label=\"Back to reference {}\">\u{21a9}</a>",
            n + 1
        )));
        let mut body = std::mem::take(body);
        match body
            .iter()
            .rposition(|e| matches!(e, Event::End(TagEnd::Paragraph)))
        {
            Some(at) => body.insert(at, back),
            None => body.push(back),
        }
        numbered.extend(body);
        numbered.push(Event::Html(CowStr::from("</li>\n")));
    }
    numbered.push(Event::Html(CowStr::from("</ol>\n</section>\n")));
    numbered
}

/// A piece of raw HTML with each `href` and `src` where `links` says: a
/// new address, or none (a link to a page this build leaves out).
fn rewrite_html_links(html: &str, links: &dyn Fn(&str) -> LinkTo) -> String {
    let settings = lol_html::RewriteStrSettings::new().append_element_content_handler(
        lol_html::element!("[href], [src]", |el| {
            for name in ["href", "src"] {
                let Some(value) = el.get_attribute(name) else {
                    continue;
                };
                match links(value.trim()) {
                    LinkTo::Url { url, .. } => el.set_attribute(name, &url)?,
                    LinkTo::Text => el.remove_attribute(name),
                    LinkTo::AsWritten => {}
                }
            }
            Ok(())
        }),
    );
    lol_html::rewrite_str(html, settings).unwrap_or_else(|_| html.to_string())
}

fn escape_href(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    pulldown_cmark_escape::escape_href(&mut out, url).expect("a String takes any text");
    escape_html(&out)
}
