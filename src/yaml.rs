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

/// Positions of the top-level `key: value` lines of a front-matter block.
pub fn scan_top_level_keys(front: &str, front_line: usize) -> BTreeMap<String, KeySpan> {
    let mut spans = BTreeMap::new();
    for (i, line) in front.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        let Some(first) = line.chars().next() else {
            continue;
        };
        if first.is_whitespace() || matches!(first, '-' | '#' | '}' | ']') {
            continue;
        }
        let Some(colon) = find_key_colon(line) else {
            continue;
        };
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
        spans.entry(key.to_string()).or_insert(KeySpan {
            key: key_span,
            value: value_span,
        });
    }
    spans
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
