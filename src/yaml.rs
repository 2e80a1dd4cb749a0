//! YAML helpers shared by the front-matter parser and `gemba.yaml`: where
//! top-level keys stand, error messages without serde's position, and YAML
//! values as JSON.

use crate::diagnostics::Span;
use std::collections::BTreeMap;

/// Where a top-level key and its value stand in the file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KeySpan {
    pub key: Span,
    pub value: Span,
}

/// A YAML error's message without the position serde_yaml appends: the
/// diagnostic carries the position itself.
pub fn yaml_message(e: &serde_yaml::Error) -> String {
    let mut message = e.to_string();
    if let Some(i) = message.find(" at line ") {
        message.truncate(i);
    }
    message
}

/// A top-level `key: value` line of a front-matter block.
struct KeyLine<'a> {
    key: &'a str,
    /// The line's index in the block.
    index: usize,
    span: KeySpan,
}

fn key_lines(front: &str, front_line: usize) -> impl Iterator<Item = KeyLine<'_>> {
    front.lines().enumerate().filter_map(move |(i, line)| {
        let line = line.trim_end_matches('\r');
        let first = line.chars().next()?;
        if first.is_whitespace() || matches!(first, '-' | '#' | '}' | ']') {
            return None;
        }
        let colon = find_key_colon(line)?;
        let key = line[..colon].trim().trim_matches(|c| c == '"' || c == '\'');
        let file_line = front_line + i;
        let key_span = Span::new(file_line, 1, key.chars().count().max(1));
        let after = &line[colon + 1..];
        let value = after.trim_start();
        let value = match value.find(" #") {
            Some(h) => value[..h].trim_end(),
            None => value.trim_end(),
        };
        let value_span = if value.is_empty() {
            key_span
        } else {
            let col = line[..colon + 1 + (after.len() - after.trim_start().len())]
                .chars()
                .count()
                + 1;
            Span::new(file_line, col, value.chars().count())
        };
        Some(KeyLine {
            key,
            index: i,
            span: KeySpan {
                key: key_span,
                value: value_span,
            },
        })
    })
}

/// Positions of the top-level `key: value` lines of a front-matter block
/// (of a key's last occurrence, the one that counts).
pub fn scan_top_level_keys(front: &str, front_line: usize) -> BTreeMap<String, KeySpan> {
    key_lines(front, front_line)
        .map(|k| (k.key.to_string(), k.span))
        .collect()
}

/// A top-level key written again: where it stands, and where it stood first.
#[derive(Debug, Clone, PartialEq)]
pub struct RepeatedKey {
    pub key: String,
    pub first: Span,
    pub again: Span,
}

/// The block with every top-level key that is written again taken out but
/// for its last occurrence (its lines become blank, so that positions stay
/// put), and the keys that were repeated. `None` when no key repeats.
pub fn last_occurrences(front: &str, front_line: usize) -> Option<(String, Vec<RepeatedKey>)> {
    let keys: Vec<KeyLine> = key_lines(front, front_line).collect();
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    let mut repeated = Vec::new();
    // Line ranges of earlier occurrences: from the key's line up to the
    // next top-level key.
    let mut blank: Vec<std::ops::Range<usize>> = Vec::new();
    let line_count = front.lines().count();
    for (n, k) in keys.iter().enumerate() {
        if let Some(&before) = seen.get(k.key) {
            let end = keys.get(before + 1).map_or(line_count, |next| next.index);
            blank.push(keys[before].index..end);
            repeated.push(RepeatedKey {
                key: k.key.to_string(),
                first: keys[before].span.key,
                again: k.span.key,
            });
        }
        seen.insert(k.key, n);
    }
    if repeated.is_empty() {
        return None;
    }
    let cleaned = front
        .split_inclusive('\n')
        .enumerate()
        .map(|(i, line)| {
            if blank.iter().any(|r| r.contains(&i)) {
                if line.ends_with('\n') {
                    "\n"
                } else {
                    ""
                }
            } else {
                line
            }
        })
        .collect();
    Some((cleaned, repeated))
}

fn find_key_colon(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut quote = None;
    for (i, &b) in bytes.iter().enumerate() {
        match (quote, b) {
            (None, b'"' | b'\'') if i == 0 => quote = Some(b),
            (Some(q), c) if c == q => quote = None,
            (None, b':')
                if bytes
                    .get(i + 1)
                    .is_none_or(|n| *n == b' ' || *n == b'\t' || *n == b'\r') =>
            {
                return Some(i)
            }
            _ => {}
        }
    }
    None
}

pub fn yaml_to_json(v: &serde_yaml::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        serde_yaml::Value::Null => J::Null,
        serde_yaml::Value::Bool(b) => J::Bool(*b),
        serde_yaml::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                J::from(i)
            } else if let Some(u) = n.as_u64() {
                J::from(u)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map_or(J::Null, J::Number)
            }
        }
        serde_yaml::Value::String(s) => J::String(s.clone()),
        serde_yaml::Value::Sequence(items) => J::Array(items.iter().map(yaml_to_json).collect()),
        serde_yaml::Value::Mapping(m) => J::Object(
            m.iter()
                .map(|(k, v)| {
                    let key = match k {
                        serde_yaml::Value::String(s) => s.clone(),
                        other => serde_yaml::to_string(other)
                            .unwrap_or_default()
                            .trim()
                            .to_string(),
                    };
                    (key, yaml_to_json(v))
                })
                .collect(),
        ),
        serde_yaml::Value::Tagged(t) => yaml_to_json(&t.value),
    }
}

pub fn describe(v: &serde_yaml::Value) -> &'static str {
    match v {
        serde_yaml::Value::Null => "nothing",
        serde_yaml::Value::Bool(_) => "a boolean",
        serde_yaml::Value::Number(_) => "a number",
        serde_yaml::Value::String(_) => "a string",
        serde_yaml::Value::Sequence(_) => "a list",
        serde_yaml::Value::Mapping(_) => "a mapping",
        serde_yaml::Value::Tagged(_) => "a tagged value",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_key_keeps_its_last_value_and_the_lines_stay_put() {
        let front = "status: draft\ntags:\n  - a\ntitle: T\nstatus: live\n";
        let (cleaned, repeated) = last_occurrences(front, 2).unwrap();
        assert_eq!(cleaned, "\ntags:\n  - a\ntitle: T\nstatus: live\n");
        assert_eq!(cleaned.lines().count(), front.lines().count());
        assert_eq!(repeated.len(), 1);
        assert_eq!(repeated[0].key, "status");
        assert_eq!((repeated[0].first.line, repeated[0].again.line), (2, 6));
        // A block value of an earlier occurrence goes with it.
        let (cleaned, _) = last_occurrences("tags:\n  - a\n  - b\ntags: [c]\n", 2).unwrap();
        let v: serde_yaml::Value = serde_yaml::from_str(&cleaned).unwrap();
        assert_eq!(v["tags"][0].as_str(), Some("c"));
        assert!(last_occurrences("a: 1\nb: 2\n", 2).is_none());
    }
}
