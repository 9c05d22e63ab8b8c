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
}

/// `••••abcd`: the last four characters only (none for values shorter than 12 characters,
/// where four would be a third of the secret).
pub fn mask(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    if chars.len() < 12 {
        return "••••".to_owned();
    }
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("••••{tail}")
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
}
