//! Verification of the `tamaraToken` JWT that authenticates Tamara's notifications (§8).
//!
//! Invariants: only HS256 is accepted (`alg: none` and every other algorithm are refused before
//! any key is used); the key is the notification token as raw bytes. The claims are checked as
//! the official PHP SDK checks them, each when present: `exp` (not past), `nbf` and `iat` (not
//! in the future), each with a small leeway for clock skew; `iss`, when present, must be
//! `Tamara`. [`TokenVerifier::require_exp`] makes `exp` mandatory. Stricter than the SDK in one
//! way: a token may live no longer than Tamara's own tokens do (`exp` − `iat`, see
//! [`DEFAULT_MAX_LIFETIME_SECS`]), so a leaked one cannot be replayed for years. Every refusal says which
//! check failed. Time comes from the caller, so tests are deterministic.
//!
//! The token does not sign the body: a verified notification proves the sender, not the
//! payload, so callers re-read the order from the API before acting on it.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, errors::ErrorKind};
use serde::{Deserialize, Serialize};

use crate::sensitive::Sensitive;

/// Seconds of clock skew tolerated on `exp` and `iat`.
pub const DEFAULT_LEEWAY_SECS: i64 = 60;

/// The longest lifetime (`exp` − `iat`) in Tamara's own sample tokens: 900 s (its docs) and
/// 1,800 s (its .NET README). A longer-lived token would be a key to replay for years.
pub const DEFAULT_MAX_LIFETIME_SECS: i64 = 1800;

/// Where the token was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenSource {
    AuthorizationHeader,
    QueryParameter,
}

/// Why a notification token was refused. `code()` is stable for storage and the UI.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("no token: neither an `Authorization: Bearer` header nor a `tamaraToken` parameter")]
    Missing,
    #[error("the Authorization header is not `Bearer <JWT>` and there is no tamaraToken parameter")]
    MalformedHeader,
    #[error("token is not a JWT: {0}")]
    Malformed(String),
    #[error("algorithm {0:?} is not allowed; Tamara signs with HS256 only")]
    AlgorithmNotAllowed(String),
    #[error("signature does not match the notification token of this environment")]
    BadSignature,
    #[error("token expired at {exp} (now {now}, leeway {leeway} s)")]
    Expired { exp: i64, now: i64, leeway: i64 },
    #[error("token issued in the future (iat {iat}, now {now})")]
    IssuedInFuture { iat: i64, now: i64 },
    #[error("token not valid before {nbf} (now {now})")]
    NotYetValid { nbf: i64, now: i64 },
    #[error("token lives {lifetime} s (iat to exp); Tamara's tokens live at most {max} s")]
    LifetimeTooLong { lifetime: i64, max: i64 },
    #[error("token has no `{0}` claim")]
    MissingClaim(&'static str),
    #[error("issuer is {0:?}, expected \"Tamara\"")]
    WrongIssuer(Option<String>),
    #[error("no notification token is configured for this environment")]
    NoKeyConfigured,
}

impl TokenError {
    pub fn code(&self) -> &'static str {
        match self {
            TokenError::Missing => "token_missing",
            TokenError::MalformedHeader => "token_malformed_header",
            TokenError::Malformed(_) => "token_malformed",
            TokenError::AlgorithmNotAllowed(_) => "token_algorithm_not_allowed",
            TokenError::BadSignature => "token_bad_signature",
            TokenError::Expired { .. } => "token_expired",
            TokenError::IssuedInFuture { .. } => "token_issued_in_future",
            TokenError::NotYetValid { .. } => "token_not_yet_valid",
            TokenError::LifetimeTooLong { .. } => "token_lifetime_too_long",
            TokenError::MissingClaim(_) => "token_missing_claim",
            TokenError::WrongIssuer(_) => "token_wrong_issuer",
            TokenError::NoKeyConfigured => "token_no_key_configured",
        }
    }
}

/// The claims Tamara is known to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenClaims {
    #[serde(default)]
    pub iss: Option<String>,
    #[serde(default)]
    pub iat: Option<i64>,
    #[serde(default)]
    pub exp: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
}

/// The tokens a delivery offers, in the order they are tried: the `Authorization` header when
/// it is `Bearer <three-part JWT>`, then the `tamaraToken` query parameter (reference §8.2).
///
/// Both are candidates because `authorization` is Tamara's own example of a custom webhook
/// header, and whether a registered one replaces Tamara's `Bearer` header is unknown: a header
/// that is not a bearer JWT is then skipped rather than fatal. Trying both weakens nothing —
/// each must carry a valid signature.
///
/// # Errors
/// [`TokenError::MalformedHeader`] when the only thing offered is a header that is not a
/// bearer JWT; [`TokenError::Missing`] when nothing is offered.
pub fn token_candidates(
    authorization: Option<&str>,
    query_token: Option<&str>,
) -> Result<Vec<(String, TokenSource)>, TokenError> {
    let mut out = Vec::with_capacity(2);
    let header = authorization.map(str::trim).filter(|h| !h.is_empty());
    if let Some(h) = header {
        let mut parts = h.split_whitespace();
        if let (Some(scheme), Some(t), None) = (parts.next(), parts.next(), parts.next())
            && scheme.eq_ignore_ascii_case("bearer")
            && t.split('.').count() == 3
        {
            out.push((t.to_owned(), TokenSource::AuthorizationHeader));
        }
    }
    if let Some(q) = query_token.filter(|t| !t.is_empty()) {
        out.push((q.to_owned(), TokenSource::QueryParameter));
    }
    match (out.is_empty(), header.is_some()) {
        (false, _) => Ok(out),
        (true, true) => Err(TokenError::MalformedHeader),
        (true, false) => Err(TokenError::Missing),
    }
}

/// Verifies tokens with one environment's notification token.
///
/// The decoding key and the validation rules are built once here, not per token: the receiver
/// verifies every delivery of a storm with them. The key is the only copy of the secret kept.
#[derive(Clone)]
pub struct TokenVerifier {
    /// The notification token was empty: every token is refused as `NoKeyConfigured`.
    no_key: bool,
    decoding: DecodingKey,
    validation: Validation,
    leeway: i64,
    require_exp: bool,
    max_lifetime: i64,
}

impl std::fmt::Debug for TokenVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenVerifier")
            .field("leeway", &self.leeway)
            .finish_non_exhaustive()
    }
}

impl TokenVerifier {
    pub fn new(notification_token: Sensitive<String>) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        // Time and issuer are checked in `verify` against the caller's clock, with our messages.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.required_spec_claims.clear();
        validation.validate_aud = false;
        TokenVerifier {
            no_key: notification_token.expose().is_empty(),
            decoding: DecodingKey::from_secret(notification_token.expose().as_bytes()),
            validation,
            leeway: DEFAULT_LEEWAY_SECS,
            require_exp: false,
            max_lifetime: DEFAULT_MAX_LIFETIME_SECS,
        }
    }

    /// The longest lifetime accepted (default [`DEFAULT_MAX_LIFETIME_SECS`], with the leeway on
    /// top): a token whose `exp` lies further after its `iat` is refused, and one with an `iat`
    /// but no `exp` expires that long after its `iat`.
    #[must_use]
    pub fn with_max_lifetime(mut self, secs: i64) -> Self {
        self.max_lifetime = secs;
        self
    }

    /// Refuses tokens without `exp`. Off by default: the official SDK accepts them, and every
    /// token Tamara has been seen to send carries one (900 or 1,800 s after `iat`).
    #[must_use]
    pub fn require_exp(mut self, required: bool) -> Self {
        self.require_exp = required;
        self
    }

    pub fn with_leeway(mut self, secs: i64) -> Self {
        self.leeway = secs;
        self
    }

    /// Verifies a delivery's token at `now` (Unix seconds): the first of its
    /// [`token_candidates`] that verifies wins; when none does, the first one's error.
    ///
    /// # Errors
    /// As [`token_candidates`] and [`TokenVerifier::verify`].
    pub fn verify_delivery(
        &self,
        authorization: Option<&str>,
        query_token: Option<&str>,
        now: i64,
    ) -> Result<(TokenClaims, TokenSource), TokenError> {
        let mut first_error = None;
        for (token, source) in token_candidates(authorization, query_token)? {
            match self.verify(&token, now) {
                Ok(claims) => return Ok((claims, source)),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        Err(first_error.unwrap_or(TokenError::Missing))
    }

    /// Verifies `token` at time `now` (Unix seconds).
    pub fn verify(&self, token: &str, now: i64) -> Result<TokenClaims, TokenError> {
        if self.no_key {
            return Err(TokenError::NoKeyConfigured);
        }
        let segments: Vec<&str> = token.split('.').collect();
        if segments.len() != 3 {
            return Err(TokenError::Malformed(format!(
                "{} segments, a JWT has 3",
                segments.len()
            )));
        }
        // Read `alg` ourselves first: a library that cannot even parse `none` would report it
        // as a vague format error, and the user deserves to hear "algorithm not allowed".
        let header_json = URL_SAFE_NO_PAD
            .decode(segments[0])
            .map_err(|_| TokenError::Malformed("header is not base64url".into()))?;
        let header: serde_json::Value = serde_json::from_slice(&header_json)
            .map_err(|_| TokenError::Malformed("header is not JSON".into()))?;
        let alg = header
            .get("alg")
            .and_then(|a| a.as_str())
            .unwrap_or("")
            .to_owned();
        if alg != "HS256" {
            return Err(TokenError::AlgorithmNotAllowed(alg));
        }

        let data = jsonwebtoken::decode::<TokenClaims>(token, &self.decoding, &self.validation)
            .map_err(|e| match e.kind() {
                ErrorKind::InvalidSignature => TokenError::BadSignature,
                ErrorKind::InvalidAlgorithm => TokenError::AlgorithmNotAllowed(alg.clone()),
                other => TokenError::Malformed(format!("{other:?}")),
            })?;
        let claims = data.claims;
        if let (Some(iat), Some(exp)) = (claims.iat, claims.exp)
            && exp.saturating_sub(iat) > self.max_lifetime.saturating_add(self.leeway)
        {
            return Err(TokenError::LifetimeTooLong {
                lifetime: exp.saturating_sub(iat),
                max: self.max_lifetime,
            });
        }
        if self.require_exp && claims.exp.is_none() {
            return Err(TokenError::MissingClaim("exp"));
        }
        // Without `exp`, a token with an `iat` still ends a lifetime after it was issued.
        let exp = claims
            .exp
            .or_else(|| claims.iat.map(|iat| iat.saturating_add(self.max_lifetime)));
        if let Some(exp) = exp
            && now > exp.saturating_add(self.leeway)
        {
            return Err(TokenError::Expired {
                exp,
                now,
                leeway: self.leeway,
            });
        }
        if let Some(nbf) = claims.nbf
            && nbf > now.saturating_add(self.leeway)
        {
            return Err(TokenError::NotYetValid { nbf, now });
        }
        if let Some(iat) = claims.iat
            && iat > now.saturating_add(self.leeway)
        {
            return Err(TokenError::IssuedInFuture { iat, now });
        }
        if let Some(iss) = &claims.iss
            && iss != "Tamara"
        {
            return Err(TokenError::WrongIssuer(Some(iss.clone())));
        }
        Ok(claims)
    }
}

/// Signs a token as Tamara does (HS256, `iss`, `iat`, `exp = iat + 1800`). For `mizan webhooks
/// test` and tests; never used to accept anything.
pub fn sign_token(notification_token: &Sensitive<String>, iat: i64) -> Result<String, TokenError> {
    let claims = TokenClaims {
        iss: Some("Tamara".into()),
        iat: Some(iat),
        exp: Some(iat + 1800),
        nbf: None,
    };
    let key = jsonwebtoken::EncodingKey::from_secret(notification_token.expose().as_bytes());
    jsonwebtoken::encode(&jsonwebtoken::Header::new(Algorithm::HS256), &claims, &key)
        .map_err(|e| TokenError::Malformed(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_750_000_000;

    fn key(s: &str) -> Sensitive<String> {
        Sensitive::new(s.to_owned())
    }

    fn verifier() -> TokenVerifier {
        TokenVerifier::new(key("notif-secret"))
    }

    fn forge(header: &str, claims: &str, sig: &str) -> String {
        format!(
            "{}.{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(claims),
            sig
        )
    }

    #[test]
    fn accepts_a_token_signed_like_tamara() {
        let t = sign_token(&key("notif-secret"), NOW).unwrap();
        let claims = verifier().verify(&t, NOW + 10).unwrap();
        assert_eq!(claims.exp, Some(NOW + 1800));
    }

    #[test]
    fn each_failed_check_is_named() {
        let good = sign_token(&key("notif-secret"), NOW).unwrap();
        let v = verifier();
        let wrong = sign_token(&key("other-key"), NOW).unwrap();
        assert_eq!(v.verify(&wrong, NOW), Err(TokenError::BadSignature));
        assert!(matches!(
            v.verify(&good, NOW + 1800 + 61),
            Err(TokenError::Expired { .. })
        ));
        assert!(
            v.verify(&good, NOW + 1800 + 59).is_ok(),
            "inside the leeway"
        );
        assert!(matches!(
            v.verify(&good, NOW - 3600),
            Err(TokenError::IssuedInFuture { .. })
        ));
        let none = forge(
            r#"{"alg":"none","typ":"JWT"}"#,
            r#"{"iss":"Tamara","exp":9999999999}"#,
            "",
        );
        assert_eq!(
            v.verify(&none, NOW),
            Err(TokenError::AlgorithmNotAllowed("none".into()))
        );
        let hs512 = forge(r#"{"alg":"HS512"}"#, "{}", "abc");
        assert_eq!(
            v.verify(&hs512, NOW),
            Err(TokenError::AlgorithmNotAllowed("HS512".into()))
        );
        assert!(matches!(
            v.verify("abc", NOW),
            Err(TokenError::Malformed(_))
        ));
        assert!(matches!(
            v.verify("a.b.c", NOW),
            Err(TokenError::Malformed(_))
        ));
    }

    fn encode(claims: &TokenClaims) -> String {
        let k = jsonwebtoken::EncodingKey::from_secret(b"notif-secret");
        jsonwebtoken::encode(&jsonwebtoken::Header::new(Algorithm::HS256), claims, &k).unwrap()
    }

    fn claims(iss: Option<&str>, exp: Option<i64>) -> TokenClaims {
        TokenClaims {
            iss: iss.map(str::to_owned),
            iat: Some(NOW),
            exp,
            nbf: None,
        }
    }

    /// The official SDK checks `iss` not at all and `exp` only when present.
    #[test]
    fn issuer_and_exp_are_checked_when_present() {
        let no_iss = encode(&claims(None, Some(NOW + 100)));
        assert!(verifier().verify(&no_iss, NOW).is_ok());
        let other = encode(&claims(Some("Evil"), Some(NOW + 100)));
        assert_eq!(
            verifier().verify(&other, NOW),
            Err(TokenError::WrongIssuer(Some("Evil".into())))
        );
        let no_exp = encode(&claims(Some("Tamara"), None));
        assert!(verifier().verify(&no_exp, NOW + 100).is_ok());
        assert_eq!(
            verifier().require_exp(true).verify(&no_exp, NOW),
            Err(TokenError::MissingClaim("exp"))
        );
        let empty = TokenVerifier::new(key(""));
        assert_eq!(empty.verify(&no_exp, NOW), Err(TokenError::NoKeyConfigured));
    }

    #[test]
    fn a_token_not_yet_valid_is_refused_beyond_the_leeway() {
        let mut c = claims(Some("Tamara"), Some(NOW + 900));
        c.nbf = Some(NOW + 120);
        let t = encode(&c);
        assert_eq!(
            verifier().verify(&t, NOW),
            Err(TokenError::NotYetValid {
                nbf: NOW + 120,
                now: NOW
            })
        );
        assert!(verifier().verify(&t, NOW + 61).is_ok(), "inside the leeway");
    }

    #[test]
    fn a_lifetime_longer_than_tamaras_is_refused_and_a_token_without_exp_still_ends() {
        let t = encode(&claims(Some("Tamara"), Some(NOW + 10 * 365 * 86_400)));
        assert!(matches!(
            verifier().verify(&t, NOW),
            Err(TokenError::LifetimeTooLong { max: 1800, .. })
        ));
        assert!(
            verifier()
                .with_max_lifetime(20 * 365 * 86_400)
                .verify(&t, NOW)
                .is_ok(),
            "the cap is a setting"
        );
        let no_exp = encode(&claims(Some("Tamara"), None));
        assert!(verifier().verify(&no_exp, NOW + 1800).is_ok());
        assert!(matches!(
            verifier().verify(&no_exp, NOW + 1800 + 61),
            Err(TokenError::Expired { .. })
        ));
    }

    /// Tamara's samples carry lifetimes of 900 s (docs) and 1,800 s (.NET README).
    #[test]
    fn both_documented_lifetimes_are_accepted_until_they_end() {
        for lifetime in [900, 1800] {
            let t = encode(&claims(Some("Tamara"), Some(NOW + lifetime)));
            assert!(
                verifier().verify(&t, NOW + lifetime - 1).is_ok(),
                "{lifetime}"
            );
            assert!(
                matches!(
                    verifier().verify(&t, NOW + lifetime + 61),
                    Err(TokenError::Expired { .. })
                ),
                "{lifetime}"
            );
        }
    }

    #[test]
    fn token_candidates_follow_the_reference() {
        let jwt = "h.p.s";
        let bearer = format!("Bearer {jwt}");
        assert_eq!(
            token_candidates(Some(&bearer), None),
            Ok(vec![(jwt.into(), TokenSource::AuthorizationHeader)])
        );
        assert_eq!(
            token_candidates(None, Some("xyz")),
            Ok(vec![("xyz".into(), TokenSource::QueryParameter)])
        );
        assert_eq!(
            token_candidates(Some(&bearer), Some("q.q.q")),
            Ok(vec![
                (jwt.into(), TokenSource::AuthorizationHeader),
                ("q.q.q".into(), TokenSource::QueryParameter)
            ])
        );
        // A custom `authorization` header (Tamara's own example) is skipped, not fatal.
        assert_eq!(
            token_candidates(Some("12344-1231-abcd"), Some("q.q.q")),
            Ok(vec![("q.q.q".into(), TokenSource::QueryParameter)])
        );
        assert_eq!(token_candidates(None, None), Err(TokenError::Missing));
        assert_eq!(token_candidates(None, Some("")), Err(TokenError::Missing));
        assert_eq!(
            token_candidates(Some("Basic abc"), None),
            Err(TokenError::MalformedHeader)
        );
        assert_eq!(
            token_candidates(Some("Bearer"), None),
            Err(TokenError::MalformedHeader)
        );
        assert_eq!(
            token_candidates(Some("Bearer abc"), None),
            Err(TokenError::MalformedHeader)
        );
    }

    #[test]
    fn a_delivery_verifies_when_any_candidate_does() {
        let good = encode(&claims(Some("Tamara"), Some(NOW + 900)));
        let v = verifier();
        let custom = "12344-1231-abcd";
        // The custom header stands where Tamara's Bearer would: the query token carries it.
        assert!(v.verify_delivery(Some(custom), Some(&good), NOW).is_ok());
        // A forged bearer does not block a valid query token, and the other way round.
        let other_key = jsonwebtoken::EncodingKey::from_secret(b"someone-else");
        let forged = jsonwebtoken::encode(
            &jsonwebtoken::Header::new(Algorithm::HS256),
            &claims(Some("Tamara"), Some(NOW + 900)),
            &other_key,
        )
        .unwrap();
        let (_, source) = v
            .verify_delivery(Some(&format!("Bearer {forged}")), Some(&good), NOW)
            .unwrap();
        assert_eq!(source, TokenSource::QueryParameter);
        let (_, source) = v
            .verify_delivery(Some(&format!("Bearer {good}")), Some(&forged), NOW)
            .unwrap();
        assert_eq!(source, TokenSource::AuthorizationHeader);
        // None verifies: the first candidate's reason.
        assert_eq!(
            v.verify_delivery(Some(&format!("Bearer {forged}")), None, NOW),
            Err(TokenError::BadSignature)
        );
        assert_eq!(
            v.verify_delivery(Some(custom), None, NOW),
            Err(TokenError::MalformedHeader)
        );
    }
}
