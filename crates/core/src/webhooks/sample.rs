//! Bounded samples of a refused request: what the inbox keeps of a stranger's delivery instead
//! of the delivery itself.
//!
//! Owns the sample's shape: at most [`SAMPLE_BYTES`] of the body, of the (masked) query and of
//! the (masked) headers, with control characters escaped so a sample is safe to print on a
//! terminal or in the desktop's table. The real sizes travel beside it
//! ([`crate::store::deliveries::RequestSizes`]).
//!
//! Invariants: masking happens before truncation (a secret's last four characters are those of
//! the whole secret, and never more of it is kept); a sample never exceeds its budget by more
//! than the escapes of the kept characters and one `…`; the headers sample is valid JSON.

use std::borrow::Cow;
use std::collections::BTreeMap;

use axum::http::HeaderMap;

use crate::store::deliveries::RequestSizes;

/// How much of a refused request's body, query and headers is kept.
pub const SAMPLE_BYTES: usize = 512;

/// Most of one header's name or value kept in the headers sample.
const HEADER_PART_BYTES: usize = 128;

/// The request's real sizes.
pub(crate) fn sizes(headers: &HeaderMap, query: Option<&str>, body: &[u8]) -> RequestSizes {
    let headers = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum::<usize>();
    let n = |x: usize| u64::try_from(x).unwrap_or(u64::MAX);
    RequestSizes {
        body: n(body.len()),
        headers: n(headers),
        query: n(query.map_or(0, str::len)),
    }
}

/// The first [`SAMPLE_BYTES`] of `body`, as text, escaped.
pub(crate) fn body(body: &[u8]) -> String {
    let kept = &body[..body.len().min(SAMPLE_BYTES)];
    let mut out = escaped(&String::from_utf8_lossy(kept));
    if kept.len() < body.len() {
        out.push('…');
    }
    out
}

/// `text` cut to `max` bytes (on a character boundary), escaped, `…` when cut.
pub(crate) fn text(text: &str, max: usize) -> String {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let mut out = escaped(&text[..end]);
    if end < text.len() {
        out.push('…');
    }
    out
}

/// Already-masked headers cut to a JSON object of about [`SAMPLE_BYTES`]: each name and value
/// cut to [`HEADER_PART_BYTES`], headers taken in name order until the budget is spent, and
/// the count of those left out under the key `"…"`.
pub(crate) fn headers(masked: &BTreeMap<&str, Cow<'_, str>>) -> String {
    let mut kept: BTreeMap<String, String> = BTreeMap::new();
    let mut spent = 0;
    let mut left_out = 0usize;
    for (name, value) in masked {
        let (name, value) = (
            text(name, HEADER_PART_BYTES),
            text(value, HEADER_PART_BYTES),
        );
        let cost = name.len() + value.len();
        if spent + cost > SAMPLE_BYTES {
            left_out += 1;
            continue;
        }
        spent += cost;
        kept.insert(name, value);
    }
    if left_out > 0 {
        kept.insert("…".to_owned(), format!("{left_out} more"));
    }
    // A map of strings always serialises; the fallback is never reached.
    serde_json::to_string(&kept).unwrap_or_else(|_| "{}".to_owned())
}

/// Control characters as `\u{…}` escapes; everything else as it is.
fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_the_body_and_escapes_control_characters() {
        let big = vec![b'a'; 10_000];
        let s = body(&big);
        assert_eq!(s.len(), SAMPLE_BYTES + '…'.len_utf8());
        assert_eq!(body(b"a\x1b[31mb\n"), "a\\u{1b}[31mb\\u{a}");
        assert_eq!(body(b"short"), "short");
    }

    #[test]
    fn cuts_text_on_a_character_boundary() {
        assert_eq!(text("مرحبا", 3), "م…");
        assert_eq!(text("abc", 3), "abc");
    }

    #[test]
    fn the_headers_sample_is_bounded_json_that_counts_what_it_left_out() {
        let long = "v".repeat(60_000);
        let mut masked: BTreeMap<&str, Cow<'_, str>> = BTreeMap::new();
        masked.insert("x-big", Cow::Borrowed(long.as_str()));
        let names: Vec<String> = (0..40).map(|i| format!("x-h{i:02}")).collect();
        for n in &names {
            masked.insert(n, Cow::Borrowed("value"));
        }
        let s = headers(&masked);
        assert!(s.len() < 2 * SAMPLE_BYTES, "{}", s.len());
        let v: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert!(v["x-big"].as_str().unwrap().ends_with('…'));
        assert!(v["…"].as_str().unwrap().ends_with("more"));
    }
}
