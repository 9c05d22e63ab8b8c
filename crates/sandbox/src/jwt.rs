//! Signing of outgoing notifications the way Tamara does (reference §8.1–8.2).
//!
//! HS256 over `{iss: "Tamara", iat, exp: iat + lifetime}` with the notification token used as
//! raw key bytes. The lifetime is configured (`token_lifetime_secs`: Tamara's samples show 900
//! and 1,800 s, §16.5). `iat` comes from the simulated clock, so a receiver checking `exp`
//! against real time sees tokens from the "future" after a clock advance — the same thing a
//! receiver with a skewed clock would see.

use serde::Serialize;

/// Lifetime of a `tamaraToken` in Tamara's newer published sample (`exp - iat = 900`); the
/// older .NET sample has 1,800.
pub const TOKEN_LIFETIME_SECS: i64 = 900;

#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    iat: i64,
    exp: i64,
}

/// Signs a notification token issued at `iat` (unix seconds), valid for [`TOKEN_LIFETIME_SECS`].
pub fn sign(notification_token: &str, iat: i64) -> anyhow::Result<String> {
    sign_for(notification_token, iat, TOKEN_LIFETIME_SECS)
}

/// Signs a notification token issued at `iat` (unix seconds), valid for `lifetime` seconds.
pub fn sign_for(notification_token: &str, iat: i64, lifetime: i64) -> anyhow::Result<String> {
    let claims = Claims {
        iss: "Tamara",
        iat,
        exp: iat.saturating_add(lifetime),
    };
    let header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    let key = jsonwebtoken::EncodingKey::from_secret(notification_token.as_bytes());
    Ok(jsonwebtoken::encode(&header, &claims, &key)?)
}
