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
}
