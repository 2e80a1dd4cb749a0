//! `brand:` of `gemba.yaml`: a logo, an accent colour and a favicon, so a
//! team can make the default theme its own without writing templates. An
//! accent that fails WCAG AA contrast (4.5:1 for text) against the theme's
//! light or dark background is a warning naming the ratio.

use serde::{Deserialize, Serialize};

/// The theme's backgrounds the accent is read against: light, then dark.
const BACKGROUNDS: [(&str, [u8; 3]); 2] =
    [("light", [0xfb, 0xfa, 0xf7]), ("dark", [0x14, 0x17, 0x1c])];

/// WCAG AA for normal text.
const AA: f64 = 4.5;

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Brand {
    /// A file under `static/` shown beside the site's title.
    pub logo: Option<String>,
    /// A hex colour (`#1f5fbf`) for links and highlights in both schemes.
    pub accent: Option<String>,
    /// A file under `static/` used as the favicon.
    pub favicon: Option<String>,
}

/// `#rgb` or `#rrggbb` as bytes.
pub fn parse_hex(colour: &str) -> Option<[u8; 3]> {
    let hex = colour.trim().strip_prefix('#')?;
    let digit = |i: usize, len: usize| u8::from_str_radix(hex.get(i..i + len)?, 16).ok();
    match hex.len() {
        3 => Some([digit(0, 1)? * 17, digit(1, 1)? * 17, digit(2, 1)? * 17]),
        6 => Some([digit(0, 2)?, digit(2, 2)?, digit(4, 2)?]),
        _ => None,
    }
}

/// WCAG 2 relative luminance.
fn luminance(rgb: [u8; 3]) -> f64 {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2])
}

/// WCAG 2 contrast ratio of two colours, 1 to 21.
pub fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

impl Brand {
    /// What is wrong with the brand as written: an accent that is not a hex
    /// colour, or that is hard to read on either background (warnings).
    pub fn problems(&self) -> Vec<String> {
        let Some(accent) = &self.accent else {
            return Vec::new();
        };
        let Some(rgb) = parse_hex(accent) else {
            return vec![format!(
                "`brand.accent` `{accent}` is not a hex colour such as `#1f5fbf`; the theme's accent is kept"
            )];
        };
        BACKGROUNDS
            .iter()
            .filter_map(|(scheme, bg)| {
                let ratio = contrast(rgb, *bg);
                (ratio < AA).then(|| {
                    format!(
                        "`brand.accent` `{accent}` has a contrast of {ratio:.2}:1 against the {scheme} background, below the 4.5:1 WCAG AA asks of text"
                    )
                })
            })
            .collect()
    }

    /// The accent, when it is a colour.
    pub fn accent(&self) -> Option<String> {
        let rgb = parse_hex(self.accent.as_deref()?)?;
        Some(format!("#{:02x}{:02x}{:02x}", rgb[0], rgb[1], rgb[2]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_matches_wcag() {
        // Black on white is 21:1; the theme's own light accent passes AA.
        assert!((contrast([0, 0, 0], [255, 255, 255]) - 21.0).abs() < 1e-9);
        assert!(contrast(parse_hex("#1f5fbf").unwrap(), BACKGROUNDS[0].1) > AA);
        assert_eq!(parse_hex("#fff"), Some([255, 255, 255]));
        assert_eq!(parse_hex("blue"), None);
    }

    #[test]
    fn a_pale_accent_is_named_with_its_ratio() {
        let brand = Brand {
            accent: Some("#ffd700".into()),
            ..Brand::default()
        };
        let problems = brand.problems();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("light background"), "{problems:?}");
        assert!(problems[0].contains(":1"), "{problems:?}");
    }
}
