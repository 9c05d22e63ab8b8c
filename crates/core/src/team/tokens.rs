//! Personal access tokens: made here, shown to their owner once, kept only as a hash.
//!
//! A token is `mzn_` + 43 characters of unpadded base64url over 32 random bytes from the OS.
//! Invariants: the secret never reaches a log — [`PersonalToken`]'s `Debug` and `Display` show
//! only its lookup prefix; at rest there is only an Argon2id PHC string (salt and parameters
//! inside it) and the prefix, the first [`PREFIX_LEN`] characters after `mzn_`. The prefix finds
//! the row without hashing against every user's token, and gives the login throttle a key; it
//! gives away 48 of the 256 bits, which leaves 208 to guess. Verification is Argon2's own,
//! whose final comparison is constant-time.
//!
//! Why Argon2 at all for 256 random bits? A fast hash would do against guessing, but a leaked
//! table of fast hashes is a table of work orders for a GPU the day a generator turns out weak;
//! Argon2id costs one hash per login, which the server can afford.

use std::fmt;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// What every token starts with, so a leaked one is recognisable (secret scanners, logs).
pub const TOKEN_PREFIX: &str = "mzn_";
/// Characters after `mzn_` kept in clear to find the token's row.
pub const PREFIX_LEN: usize = 8;
/// Random bytes in a token.
const SECRET_BYTES: usize = 32;
/// Characters of the base64url text of [`SECRET_BYTES`], unpadded.
const SECRET_CHARS: usize = 43;

/// Why a token could not be made, hashed or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the OS random source failed: {0}")]
    Random(String),
    #[error("token hashing failed: {0}")]
    Hash(String),
    /// A presented text is not shaped like a token. Says nothing about the text itself: it may
    /// be someone's password typed into the wrong field.
    #[error("not a mizan token (expected mzn_ and 43 base64url characters)")]
    Malformed,
}

/// A freshly made token: the only time its secret exists in full outside its owner's hands.
/// Not `Clone`, so the secret is not copied around by accident.
pub struct PersonalToken {
    text: String,
}

impl PersonalToken {
    /// The full token, to show its owner once.
    pub fn reveal(&self) -> &str {
        &self.text
    }

    /// The non-secret lookup prefix.
    pub fn prefix(&self) -> &str {
        // `text` was built by `issue`: always `mzn_` + 43 ASCII characters.
        self.text
            .get(TOKEN_PREFIX.len()..TOKEN_PREFIX.len() + PREFIX_LEN)
            .unwrap_or_default()
    }
}

impl fmt::Debug for PersonalToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PersonalToken")
            .field("prefix", &self.prefix())
            .finish_non_exhaustive()
    }
}

impl fmt::Display for PersonalToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{TOKEN_PREFIX}{}…", self.prefix())
    }
}

/// What the server stores for a token: safe to log and to back up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredToken {
    /// The first [`PREFIX_LEN`] characters after `mzn_`.
    pub prefix: String,
    /// Argon2id PHC string: `$argon2id$v=19$m=…,t=…,p=…$salt$hash`.
    pub hash: String,
}

/// The Argon2id cost of new hashes. Verification reads the cost from each stored hash, so
/// raising it later applies to new tokens without breaking old ones.
#[derive(Debug, Clone)]
pub struct TokenHasher {
    params: Params,
}

impl Default for TokenHasher {
    /// The argon2 crate's defaults, which are OWASP's first recommendation for Argon2id:
    /// 19 MiB, 2 passes, 1 lane. An unoptimised build takes far longer per hash than a release
    /// one, so tests use the cheapest cost except the one that
    /// checks this default.
    fn default() -> Self {
        TokenHasher {
            params: Params::default(),
        }
    }
}

impl TokenHasher {
    /// A hasher with an explicit cost: memory in KiB, passes, lanes.
    ///
    /// # Errors
    /// [`TokenError::Hash`] for a cost Argon2 refuses (e.g. less than 8 KiB per lane).
    pub fn with_cost(memory_kib: u32, passes: u32, lanes: u32) -> Result<Self, TokenError> {
        let params = Params::new(memory_kib, passes, lanes, None)
            .map_err(|e| TokenError::Hash(e.to_string()))?;
        Ok(TokenHasher { params })
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    /// Makes a new token and what to store for it.
    ///
    /// # Errors
    /// [`TokenError::Random`] when the OS has no randomness to give; [`TokenError::Hash`].
    pub fn issue(&self) -> Result<(PersonalToken, StoredToken), TokenError> {
        let mut bytes = [0u8; SECRET_BYTES];
        getrandom::fill(&mut bytes).map_err(|e| TokenError::Random(e.to_string()))?;
        let token = PersonalToken {
            text: format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes)),
        };
        let stored = self.hash(token.reveal())?;
        Ok((token, stored))
    }

    /// What to store for a token text (also re-hashes an old token at a new cost).
    ///
    /// # Errors
    /// [`TokenError::Malformed`] for a text that is not a token; [`TokenError::Random`] for the
    /// salt; [`TokenError::Hash`].
    pub fn hash(&self, token: &str) -> Result<StoredToken, TokenError> {
        let prefix = lookup_prefix(token)?.to_owned();
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(|e| TokenError::Random(e.to_string()))?;
        let salt = SaltString::encode_b64(&salt).map_err(|e| TokenError::Hash(e.to_string()))?;
        let hash = self
            .argon2()
            .hash_password(token.as_bytes(), &salt)
            .map_err(|e| TokenError::Hash(e.to_string()))?
            .to_string();
        Ok(StoredToken { prefix, hash })
    }
}

/// The lookup prefix of a presented token, after checking its shape (cheap, before any hash is
/// computed: a malformed text costs the server nothing).
///
/// # Errors
/// [`TokenError::Malformed`].
pub fn lookup_prefix(token: &str) -> Result<&str, TokenError> {
    let secret = token
        .strip_prefix(TOKEN_PREFIX)
        .ok_or(TokenError::Malformed)?;
    let shaped = secret.len() == SECRET_CHARS
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !shaped {
        return Err(TokenError::Malformed);
    }
    secret.get(..PREFIX_LEN).ok_or(TokenError::Malformed)
}

/// Whether `token` is the one `stored_hash` was made from. False for a malformed token or an
/// unreadable hash: a login either proves the token or fails, it never errors differently.
pub fn verify(token: &str, stored_hash: &str) -> bool {
    if lookup_prefix(token).is_err() {
        return false;
    }
    let Ok(parsed) = PasswordHash::new(stored_hash) else {
        return false;
    };
    // Only Argon2id hashes are ours; the cost comes from the hash itself.
    if parsed.algorithm != Algorithm::Argon2id.ident() {
        return false;
    }
    Argon2::default()
        .verify_password(token.as_bytes(), &parsed)
        .is_ok()
}

#[cfg(test)]
#[path = "tokens_tests.rs"]
mod tests;
