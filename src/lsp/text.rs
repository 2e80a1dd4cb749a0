//! Positions and addresses as the protocol speaks them: lines from 0 and
//! columns in UTF-16 code units, and `file://` URIs; gemba's spans count
//! lines and characters from 1.

use crate::diagnostics::Span;
use lsp_types::{Position, Range, Uri};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The byte offset of a protocol position in `text`; `None` past the end.
pub fn offset_of(text: &str, pos: Position) -> Option<usize> {
    let mut start = 0;
    for _ in 0..pos.line {
        start += text[start..].find('\n')? + 1;
    }
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let line = &text[start..line_end];
    let mut units = 0u32;
    for (i, c) in line.char_indices() {
        if units >= pos.character {
            return Some(start + i);
        }
        units += c.len_utf16() as u32;
    }
    (units >= pos.character).then_some(line_end)
}

/// The protocol position of a byte offset in `text` (clamped to the text).
pub fn position_of(text: &str, offset: usize) -> Position {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() as u32;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let character = text[line_start..offset].encode_utf16().count() as u32;
    Position { line, character }
}

/// The byte range of a gemba span (1-based line, 1-based character column,
/// length in characters) in `text`.
pub fn span_bytes(text: &str, span: Span) -> std::ops::Range<usize> {
    let mut start = 0;
    for _ in 1..span.line.max(1) {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len()..text.len(),
        }
    }
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let line = &text[start..line_end];
    let at = |chars: usize| {
        line.char_indices()
            .nth(chars)
            .map_or(line_end, |(i, _)| start + i)
    };
    let from = at(span.col.saturating_sub(1));
    let to = at(span.col.saturating_sub(1) + span.len);
    from..to.max(from)
}

/// The protocol range of a gemba span in `text`.
pub fn span_range(text: &str, span: Span) -> Range {
    let bytes = span_bytes(text, span);
    Range::new(position_of(text, bytes.start), position_of(text, bytes.end))
}

pub fn byte_range(text: &str, bytes: std::ops::Range<usize>) -> Range {
    Range::new(position_of(text, bytes.start), position_of(text, bytes.end))
}

/// The file a `file://` URI names; `None` for any other URI.
pub fn uri_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    // `file://host/path` is not a local file; `file:///path` is.
    let path = rest.strip_prefix("localhost").unwrap_or(rest);
    if !path.starts_with('/') {
        return None;
    }
    crate::load::percent_decode(path).map(PathBuf::from)
}

/// The `file://` URI of an absolute path.
pub fn path_uri(path: &Path) -> Uri {
    const KEEPS: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'/')
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    let path = path.to_string_lossy();
    let out = format!(
        "file://{}",
        percent_encoding::utf8_percent_encode(&path, KEEPS)
    );
    Uri::from_str(&out).unwrap_or_else(|_| Uri::from_str("file:///").expect("a valid URI"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units() {
        let text = "ab\nä😀x\n";
        let p = position_of(text, text.find('x').unwrap());
        assert_eq!(p, Position::new(1, 3));
        assert_eq!(offset_of(text, p), text.find('x'));
        assert_eq!(offset_of(text, Position::new(5, 0)), None);
        assert_eq!(offset_of(text, Position::new(0, 9)), None);
        assert_eq!(offset_of(text, Position::new(0, 2)), Some(2));
    }

    #[test]
    fn spans_map_to_bytes() {
        let text = "---\nstatus: välid\n---\n";
        let r = span_bytes(text, Span::new(2, 9, 5));
        assert_eq!(&text[r], "välid");
        assert_eq!(
            span_range(text, Span::new(2, 9, 5)),
            Range::new(Position::new(1, 8), Position::new(1, 13))
        );
    }

    #[test]
    fn uris_and_paths_round_trip() {
        let path = Path::new("/tmp/a site/ä#1.md");
        let uri = path_uri(path);
        assert_eq!(uri.as_str(), "file:///tmp/a%20site/%C3%A4%231.md");
        assert_eq!(uri_path(&uri).unwrap(), path);
        assert_eq!(uri_path(&Uri::from_str("https://x/y").unwrap()), None);
    }
}
