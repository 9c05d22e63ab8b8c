//! What a pasted credential must look like before it is stored.
//!
//! Every value first loses all whitespace and line breaks (copying from a portal, an e-mail or
//! a wrapped terminal adds them; no Tamara secret contains any). Then, per kind:
//!
//! - **API token** — reference §2 says it is a long JWT issued by Tamara (RS256; the dotnet SDK's
//!   sample shows it). So it must be three base64url parts joined by dots whose first part
//!   decodes to a JSON object naming an `alg` — the one thing RFC 7515 requires of every JWT
//!   header. The claims are not checked: the reference tells clients to treat the token as
//!   opaque, and Tamara may change them.
//! - **Notification token** and **public key** — the reference does not describe their format
//!   (the notification token is an HMAC key "used as raw bytes"), so only what any secret obeys
//!   is checked: printable ASCII, at least [`MIN_OPAQUE_LEN`] characters. Being stricter would
//!   risk refusing a real token.
//!
//! Every kind is limited to [`MAX_LEN`] characters (a pasted file is not a token), and a
//! notification token equal to the API token of the same request is refused: Tamara issues them
//! as different secrets, so equality means a paste went into the wrong field.
//!
//! Invariant: a [`ShapeProblem`] describes the value (length, position, character class),
//! never quotes it.

use std::fmt;

use base64::Engine as _;
use tamara::Sensitive;

use crate::credentials::CredentialKind;

/// Shortest notification token or public key accepted. Their format is undocumented; 16
/// characters is far below any generated secret and far above a truncated paste's leftovers.
pub const MIN_OPAQUE_LEN: usize = 16;
/// Shortest API token accepted: the smallest conceivable JWT (`{"alg":"RS256"}` header, a
/// claim, a signature) is longer than this.
pub const MIN_API_TOKEN_LEN: usize = 40;
/// Longest value of any kind.
pub const MAX_LEN: usize = 8192;

/// Why a value was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShapeProblem {
    Empty,
    TooShort {
        len: usize,
        min: usize,
    },
    TooLong {
        len: usize,
        max: usize,
    },
    /// A control, non-ASCII or otherwise unprintable character (1-based position).
    NotPrintable {
        position: usize,
        codepoint: u32,
    },
    /// The API token is not a JWT; `why` says which part is off.
    NotJwt {
        why: &'static str,
    },
    /// The notification token is the API token.
    SameAsApiToken,
}

impl ShapeProblem {
    pub fn code(&self) -> crate::ErrorCode {
        match self {
            ShapeProblem::Empty => crate::ErrorCode::CredentialEmpty,
            ShapeProblem::TooShort { .. } => crate::ErrorCode::CredentialTooShort,
            ShapeProblem::TooLong { .. } => crate::ErrorCode::CredentialTooLong,
            ShapeProblem::NotPrintable { .. } => crate::ErrorCode::CredentialNotPrintable,
            ShapeProblem::NotJwt { .. } => crate::ErrorCode::CredentialNotJwt,
            ShapeProblem::SameAsApiToken => crate::ErrorCode::CredentialReused,
        }
    }
}

impl fmt::Display for ShapeProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShapeProblem::Empty => f.write_str("is empty (after removing spaces and line breaks)"),
            ShapeProblem::TooShort { len, min } => write!(
                f,
                "is too short: {len} characters, expected at least {min} (was it cut off \
                 while copying?)"
            ),
            ShapeProblem::TooLong { len, max } => write!(
                f,
                "is too long: {len} characters, at most {max} expected (was more than the \
                 token pasted?)"
            ),
            ShapeProblem::NotPrintable {
                position,
                codepoint,
            } => write!(
                f,
                "contains a character no token contains (U+{codepoint:04X} at position \
                 {position}); tokens are printable ASCII"
            ),
            ShapeProblem::NotJwt { why } => write!(
                f,
                "does not look like a Tamara API token: it should be a JWT, three base64url \
                 parts joined by dots and starting with \"eyJ\" ({why})"
            ),
            ShapeProblem::SameAsApiToken => f.write_str(
                "is identical to the API token; Tamara issues them as two different secrets \
                 (was the same value pasted twice?)",
            ),
        }
    }
}

/// `raw` without any whitespace or line break.
pub fn normalise(raw: &str) -> Sensitive<String> {
    Sensitive::new(raw.chars().filter(|c| !c.is_whitespace()).collect())
}

/// Normalises `raw` and checks it is a plausible `kind`; the value to store, or why not.
pub fn check(kind: CredentialKind, raw: &str) -> Result<Sensitive<String>, ShapeProblem> {
    let value = normalise(raw);
    let v = value.expose();
    let len = v.chars().count();
    if len == 0 {
        return Err(ShapeProblem::Empty);
    }
    if let Some((i, c)) = v.chars().enumerate().find(|(_, c)| !c.is_ascii_graphic()) {
        return Err(ShapeProblem::NotPrintable {
            position: i + 1,
            codepoint: u32::from(c),
        });
    }
    if len > MAX_LEN {
        return Err(ShapeProblem::TooLong { len, max: MAX_LEN });
    }
    let min = match kind {
        CredentialKind::ApiToken => MIN_API_TOKEN_LEN,
        CredentialKind::NotificationToken | CredentialKind::PublicKey => MIN_OPAQUE_LEN,
    };
    if len < min {
        return Err(ShapeProblem::TooShort { len, min });
    }
    if kind == CredentialKind::ApiToken {
        check_jwt(v)?;
    }
    Ok(value)
}

/// Checks the values of one request against each other (after [`check`] on each).
pub fn check_pair(
    api_token: Option<&Sensitive<String>>,
    notification_token: Option<&Sensitive<String>>,
) -> Result<(), ShapeProblem> {
    match (api_token, notification_token) {
        (Some(a), Some(n)) if a.expose() == n.expose() => Err(ShapeProblem::SameAsApiToken),
        _ => Ok(()),
    }
}

fn check_jwt(v: &str) -> Result<(), ShapeProblem> {
    let parts: Vec<&str> = v.split('.').collect();
    if parts.len() != 3 {
        return Err(ShapeProblem::NotJwt {
            why: if parts.len() < 3 {
                "fewer than three dot-separated parts"
            } else {
                "more than three dot-separated parts"
            },
        });
    }
    let base64url = |p: &str| {
        !p.is_empty()
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if !parts.iter().all(|p| base64url(p)) {
        return Err(ShapeProblem::NotJwt {
            why: "a part is empty or not base64url",
        });
    }
    let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(parts[0])
        .ok()
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok());
    match header {
        Some(h) if h.get("alg").is_some_and(|a| a.is_string()) => Ok(()),
        Some(_) => Err(ShapeProblem::NotJwt {
            why: "its header names no signing algorithm",
        }),
        None => Err(ShapeProblem::NotJwt {
            why: "its first part is not a JSON header",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A JWT-shaped token like Tamara's (header `{"alg":"RS256","typ":"JWT"}`).
    pub(crate) const JWT: &str = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.\
        eyJhY2NvdW50SWQiOiIxMjMiLCJ0eXBlIjoibWVyY2hhbnQifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ";

    #[test]
    fn strips_every_kind_of_whitespace() {
        let pasted = format!(
            "  {}\r\n{}\t{}\u{a0}\n",
            &JWT[..20],
            &JWT[20..50],
            &JWT[50..]
        );
        assert_eq!(
            check(CredentialKind::ApiToken, &pasted).unwrap().expose(),
            JWT
        );
        let n = check(CredentialKind::NotificationToken, " abcd-efgh-ijkl-mnop \n").unwrap();
        assert_eq!(n.expose(), "abcd-efgh-ijkl-mnop");
    }

    #[test]
    fn refuses_each_bad_shape_with_its_own_code() {
        let code = |k, v: &str| check(k, v).unwrap_err().code();
        assert_eq!(code(CredentialKind::ApiToken, " \n\t"), "credential_empty");
        assert_eq!(
            code(CredentialKind::ApiToken, "eyJhbGci.x.y"),
            "credential_too_short"
        );
        assert_eq!(
            code(CredentialKind::PublicKey, "short-key"),
            "credential_too_short"
        );
        assert_eq!(
            code(CredentialKind::NotificationToken, "abcdefgh\u{7}ijklmnopq"),
            "credential_not_printable"
        );
        assert_eq!(
            code(CredentialKind::NotificationToken, "abcdefghijklmnopé"),
            "credential_not_printable"
        );
        assert_eq!(
            code(CredentialKind::PublicKey, &"k".repeat(MAX_LEN + 1)),
            "credential_too_long"
        );
        // A long opaque string is a fine notification token but not an API token.
        let opaque = "0123456789abcdef0123456789abcdef0123456789abcdef";
        assert!(check(CredentialKind::NotificationToken, opaque).is_ok());
        assert_eq!(code(CredentialKind::ApiToken, opaque), "credential_not_jwt");
        let four = format!("{JWT}.more");
        assert_eq!(code(CredentialKind::ApiToken, &four), "credential_not_jwt");
        let bad_header = JWT.replacen("eyJhbGci", "eyJhbGc!", 1);
        assert_eq!(
            code(CredentialKind::ApiToken, &bad_header),
            "credential_not_jwt"
        );
        // base64url of {"typ":"JWT"}: a JSON header without `alg`.
        let no_alg = format!("eyJ0eXAiOiJKV1QifQ{}", &JWT[36..]);
        assert!(matches!(
            check(CredentialKind::ApiToken, &no_alg),
            Err(ShapeProblem::NotJwt { why }) if why.contains("algorithm")
        ));
    }

    #[test]
    fn problems_never_quote_the_value() {
        let secret = "abcdefghijklmnop\u{200b}qrstuvwxyz";
        let p = check(CredentialKind::NotificationToken, secret).unwrap_err();
        let text = p.to_string();
        assert!(
            text.contains("U+200B") && text.contains("position 17"),
            "{text}"
        );
        assert!(!text.contains("abcdef") && !text.contains("qrstuv"));
    }

    #[test]
    fn a_notification_token_equal_to_the_api_token_is_refused() {
        let a = Sensitive::new(JWT.to_owned());
        let n = Sensitive::new(JWT.to_owned());
        assert_eq!(
            check_pair(Some(&a), Some(&n)),
            Err(ShapeProblem::SameAsApiToken)
        );
        assert_eq!(check_pair(Some(&a), None), Ok(()));
    }
}
