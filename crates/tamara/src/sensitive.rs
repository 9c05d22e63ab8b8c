//! `Sensitive<T>`: a secret that can be used but never shown.
//!
//! Invariant: neither `Debug` nor `Display` reveals the value, and it has no `Serialize`, so a
//! secret cannot reach a log line, an error message or a JSON export by accident. The only way
//! out is [`Sensitive::expose`], which is easy to grep for.

use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct Sensitive<T>(T);

impl<T> Sensitive<T> {
    pub fn new(value: T) -> Self {
        Sensitive(value)
    }

    /// The secret itself. Call only where it is sent to the gateway or used as a key.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl Sensitive<String> {
    /// What a UI may show: whether it is set and its last four characters.
    pub fn masked(&self) -> String {
        mask(&self.0)
    }

    /// The last four characters, when the value is long enough to show them ([`last_four`]).
    pub fn last_four(&self) -> Option<String> {
        last_four(&self.0)
    }
}

/// Values shorter than this show nothing: four characters would be a third of the secret.
pub const MASK_MIN_CHARS: usize = 12;

/// The one masking rule: the last four characters, and only of a value of at least
/// [`MASK_MIN_CHARS`] characters. Every mask (here, in the store, in the UI) is built on it.
pub fn last_four(secret: &str) -> Option<String> {
    let count = secret.chars().count();
    (count >= MASK_MIN_CHARS).then(|| secret.chars().skip(count - 4).collect())
}

/// `••••abcd`: [`last_four`] behind a bullet prefix.
pub fn mask(secret: &str) -> String {
    format!("••••{}", last_four(secret).unwrap_or_default())
}

/// `****abcd`: [`last_four`] behind an ASCII prefix, for places that must stay plain ASCII
/// (stored headers, query strings, URLs). A value already masked this way is kept as it is.
pub fn mask_ascii(secret: &str) -> String {
    if secret.starts_with(ASCII_MASK) {
        return secret.to_owned();
    }
    format!("{ASCII_MASK}{}", last_four(secret).unwrap_or_default())
}

const ASCII_MASK: &str = "****";

/// Name fragments that mark a header's or a query parameter's value as a secret.
const SECRET_NAME_HINTS: [&str; 7] = [
    "token",
    "key",
    "secret",
    "authorization",
    "cookie",
    "password",
    "signature",
];

/// True when a header or query-parameter name suggests its value is a secret. The one rule
/// for both, so a name masked in a stored header is masked in a stored query too.
pub fn names_a_secret(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    SECRET_NAME_HINTS.iter().any(|h| lower.contains(h)) || matches!(lower.as_str(), "sig" | "pwd")
}

/// A raw query string with every value whose name suggests a secret masked ([`mask_ascii`]);
/// every other parameter kept byte for byte (as it came, not re-encoded).
pub fn mask_query(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for (i, pair) in raw.split('&').enumerate() {
        if i > 0 {
            out.push('&');
        }
        match url::form_urlencoded::parse(pair.as_bytes()).next() {
            Some((key, value)) if names_a_secret(&key) => {
                out.extend(url::form_urlencoded::byte_serialize(key.as_bytes()));
                out.push('=');
                out.extend(url::form_urlencoded::byte_serialize(
                    mask_ascii(&value).as_bytes(),
                ));
            }
            _ => out.push_str(pair),
        }
    }
    out
}

/// A URL as it may be stored or shown: a password in it and query values whose names suggest
/// a secret are masked. Text that is not a URL is returned as it is (nothing to find in it).
pub fn mask_url(text: &str) -> String {
    let Ok(mut url) = url::Url::parse(text) else {
        return text.to_owned();
    };
    if url.password().is_some() {
        // Only fails for URLs that cannot have a password, and this one has one.
        let _ = url.set_password(Some(ASCII_MASK));
    }
    if let Some(query) = url.query().map(mask_query) {
        url.set_query(Some(&query));
    }
    let masked = url.to_string();
    // Keep the text as given when nothing was masked (the parser normalises, e.g. a bare host
    // gains a trailing slash).
    if masked
        == url::Url::parse(text)
            .map(|u| u.to_string())
            .unwrap_or_default()
    {
        text.to_owned()
    } else {
        masked
    }
}

impl<T> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sensitive(<redacted>)")
    }
}

impl<T> fmt::Display for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl From<String> for Sensitive<String> {
    fn from(s: String) -> Self {
        Sensitive(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_the_secret() {
        let s = Sensitive::new("super-secret-token-1234".to_owned());
        assert!(!format!("{s:?}").contains("secret"));
        assert!(!format!("{s}").contains("secret"));
        assert_eq!(s.masked(), "••••1234");
        assert_eq!(mask("short"), "••••");
    }

    #[test]
    fn shows_four_characters_of_long_values_only() {
        assert_eq!(last_four("abcdefghijk"), None, "11 characters show nothing");
        assert_eq!(last_four("abcdefghijkl").as_deref(), Some("ijkl"));
        assert_eq!(last_four("ééééééééééé٣٤٥٦").as_deref(), Some("٣٤٥٦"));
        assert_eq!(last_four(""), None);
        assert_eq!(mask("abcdefghijk"), "••••");
    }

    #[test]
    fn one_rule_names_secrets_in_headers_and_queries() {
        for name in [
            "X-Api-Key",
            "tamaraToken",
            "Authorization",
            "sig",
            "client_secret",
        ] {
            assert!(names_a_secret(name), "{name}");
        }
        for name in ["storeId", "order", "lang", "page"] {
            assert!(!names_a_secret(name), "{name}");
        }
    }

    #[test]
    fn masks_secret_query_values_and_keeps_the_rest_byte_for_byte() {
        assert_eq!(
            mask_query("storeId=1&tamaraToken=eyJhbGciOiJIUzI1NiJ9.abc.signature1234&q=a%20b"),
            "storeId=1&tamaraToken=****1234&q=a%20b"
        );
        assert_eq!(mask_query("api_key=short"), "api_key=****");
    }

    #[test]
    fn masks_secrets_in_a_url_and_is_idempotent() {
        let url = "https://user:hunter2hunter2@shop.example/hook?shop=7&key=abcdefghijkl1234";
        let masked = mask_url(url);
        assert_eq!(
            masked,
            "https://user:****@shop.example/hook?shop=7&key=****1234"
        );
        assert_eq!(mask_url(&masked), masked, "masking twice changes nothing");
        let plain = "https://shop.example/tamara/webhook";
        assert_eq!(mask_url(plain), plain);
        assert_eq!(mask_url("not a url"), "not a url");
    }
}
