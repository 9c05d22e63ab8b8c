//! The token tester: paste a `tamaraToken` (or a whole notification URL, or an
//! `Authorization: Bearer` value) and see each check the receiver makes, which one fails and
//! why — with the active environment's notification token, exactly as the receiver verifies.
//!
//! Invariant: the token and the key never appear in the result (only check names, claims
//! times and reasons).

use tamara::notification::{TokenError, TokenVerifier};

use crate::console::Console;

/// One check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
    pub detail: String,
}

/// The checks in the order the receiver makes them.
const CHECKS: [&str; 7] = [
    "found",
    "key_configured",
    "format",
    "algorithm",
    "signature",
    "expiry",
    "issuer",
];

/// Which check a refusal belongs to.
fn failed_check(e: &TokenError) -> &'static str {
    match e {
        TokenError::Missing | TokenError::MalformedHeader => "found",
        TokenError::NoKeyConfigured => "key_configured",
        TokenError::Malformed(_) => "format",
        TokenError::AlgorithmNotAllowed(_) => "algorithm",
        TokenError::BadSignature => "signature",
        TokenError::Expired { .. }
        | TokenError::IssuedInFuture { .. }
        | TokenError::NotYetValid { .. }
        | TokenError::LifetimeTooLong { .. } => "expiry",
        TokenError::MissingClaim(c) if *c == "exp" => "expiry",
        TokenError::MissingClaim(_) | TokenError::WrongIssuer(_) => "issuer",
    }
}

/// Finds the token in what was pasted: a URL's `tamaraToken` parameter, a `Bearer` value, or
/// the token itself.
fn extract(input: &str) -> Result<(String, &'static str), TokenError> {
    let input = input.trim();
    if input.is_empty() {
        return Err(TokenError::Missing);
    }
    if input.contains("tamaraToken=") {
        let query = input.split_once('?').map_or(input, |(_, q)| q);
        let token = url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == "tamaraToken")
            .map(|(_, v)| v.into_owned());
        return first_candidate(None, token.as_deref(), "the URL's tamaraToken parameter");
    }
    let header = input
        .strip_prefix("Authorization:")
        .map_or(input, str::trim);
    if header
        .split_whitespace()
        .next()
        .is_some_and(|w| w.eq_ignore_ascii_case("bearer"))
    {
        return first_candidate(Some(header), None, "the Authorization header");
    }
    Ok((input.to_owned(), "the pasted token"))
}

fn first_candidate(
    header: Option<&str>,
    query: Option<&str>,
    from: &'static str,
) -> Result<(String, &'static str), TokenError> {
    let found = tamara::notification::token_candidates(header, query)?;
    let (token, _) = found.into_iter().next().ok_or(TokenError::Missing)?;
    Ok((token, from))
}

/// Runs every check on `input` at `now` (Unix seconds) with the active environment's
/// notification token. Returns whether it passed and each check.
pub fn check_token(console: &Console, input: &str, now: i64) -> (bool, Vec<Check>) {
    let key = console.config().active().notification_token.clone();
    let result = extract(input).and_then(|(token, from)| {
        let verifier = TokenVerifier::new(key.ok_or(TokenError::NoKeyConfigured)?);
        verifier.verify(&token, now).map(|claims| (from, claims))
    });
    let failed = result
        .as_ref()
        .err()
        .map(|e| (failed_check(e), e.to_string()));
    let mut seen_failure = false;
    let checks = CHECKS
        .iter()
        .map(|&name| {
            let (ok, detail) = match &failed {
                Some((f, why)) if *f == name => {
                    seen_failure = true;
                    (false, why.clone())
                }
                _ if seen_failure => (false, "not checked: an earlier check failed".to_owned()),
                _ => (true, passed_detail(name, &result)),
            };
            Check { name, ok, detail }
        })
        .collect();
    (failed.is_none(), checks)
}

fn passed_detail(
    name: &str,
    result: &Result<(&'static str, tamara::notification::TokenClaims), TokenError>,
) -> String {
    let claims = result.as_ref().ok().map(|(_, c)| c);
    match name {
        "found" => match result {
            Ok((from, _)) => format!("token taken from {from}"),
            Err(_) => "token found".into(),
        },
        "key_configured" => "this environment has a notification token".into(),
        "format" => "a JWT (three base64url segments)".into(),
        "algorithm" => "HS256".into(),
        "signature" => "signed with this environment's notification token".into(),
        "expiry" => match claims.and_then(|c| c.exp) {
            Some(exp) => format!("expires at {}", fmt_unix(exp)),
            None => "not expired".into(),
        },
        "issuer" => "issued by Tamara".into(),
        _ => String::new(),
    }
}

fn fmt_unix(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0).map_or_else(
        || t.to_string(),
        |d| d.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_found_in_urls_headers_and_bare() {
        let (t, from) =
            extract("https://shop.example/webhooks/tamara?x=1&tamaraToken=abc.def.ghi").unwrap();
        assert_eq!(
            (t.as_str(), from),
            ("abc.def.ghi", "the URL's tamaraToken parameter")
        );
        let (t, _) = extract("Authorization: Bearer abc.def.ghi").unwrap();
        assert_eq!(t, "abc.def.ghi");
        let (t, _) = extract("  abc.def.ghi ").unwrap();
        assert_eq!(t, "abc.def.ghi");
        assert_eq!(extract(" ").unwrap_err(), TokenError::Missing);
        assert_eq!(
            extract("https://x/?tamaraToken=").unwrap_err(),
            TokenError::Missing
        );
    }
}
