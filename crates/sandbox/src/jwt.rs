//! Signing of outgoing notifications the way Tamara does (reference §8.1–8.2).
//!
//! HS256 over `{iss: "Tamara", iat, exp: iat + 1800}` with the notification token used as raw
//! key bytes. `iat` comes from the simulated clock, so a receiver checking `exp` against real
//! time sees tokens from the "future" after a clock advance — the same thing a receiver with a
//! skewed clock would see.

use serde::Serialize;

/// Lifetime of a `tamaraToken`, as in Tamara's published sample (`exp - iat = 1800`).
pub const TOKEN_LIFETIME_SECS: i64 = 1800;

#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    iat: i64,
    exp: i64,
}

/// Signs a notification token issued at `iat` (unix seconds).
pub fn sign(notification_token: &str, iat: i64) -> anyhow::Result<String> {
    let claims = Claims {
        iss: "Tamara",
        iat,
        exp: iat + TOKEN_LIFETIME_SECS,
    };
    let header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    let key = jsonwebtoken::EncodingKey::from_secret(notification_token.as_bytes());
    Ok(jsonwebtoken::encode(&header, &claims, &key)?)
}
