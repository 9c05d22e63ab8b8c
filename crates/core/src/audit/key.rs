//! The audit key: the secret that MACs the chain's checkpoints, kept where the database is not.
//!
//! Owns [`AuditKeys`] (the current key plus the retired ones, so checkpoints signed before a
//! rotation still check), where they live ([`KeySource`]: a key file named by
//! [`KEY_FILE_VAR`] on servers, else one OS keychain item, account [`KEYCHAIN_ACCOUNT`], shared
//! by both environments), and their text form: one key a line, 64 hex digits (32 random
//! bytes), the current key first.
//!
//! Invariants:
//! - no error, log line, `Debug` output or export of this module contains key bytes; a key is
//!   named only by its id, a fingerprint derived from it by HMAC that does not reveal it;
//! - a key file readable or writable by group or others is refused on Unix, and one written
//!   here is created 0600 (a rotation writes a new file and renames it over the old one);
//! - a missing key is generated on first use (file or keychain item), never silently replaced:
//!   an unreadable or malformed one is an error.
//!
//! Every function blocks (file IO, the platform keychain): call them from `spawn_blocking`.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use hmac::{Hmac, KeyInit, Mac};
use sha2_mac::Sha256;

use crate::credentials::{CredentialError, Keychain};
pub use crate::error::audit_key::AuditKeyError;

/// Variable naming the key file; when set the keychain is not used for the audit key.
pub use crate::error::audit_key::KEY_FILE_VAR;
/// The keychain account of the audit key (under the keychain's service name).
pub const KEYCHAIN_ACCOUNT: &str = "audit.key";

type HmacSha256 = Hmac<Sha256>;

/// One 32-byte key and its id. `Debug` shows the id only.
#[derive(Clone)]
pub struct AuditKey {
    bytes: [u8; 32],
    id: String,
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl AuditKey {
    fn from_bytes(bytes: [u8; 32]) -> AuditKey {
        // The id is a MAC of a fixed text: it tells keys apart without revealing one.
        let mac = mac_bytes(&bytes, b"mizan audit key id");
        let id = hex::encode(mac.get(..8).unwrap_or_default());
        AuditKey { bytes, id }
    }

    /// A fresh random key.
    ///
    /// # Errors
    /// The OS random source failed (reported as the key being unavailable).
    pub fn generate() -> Result<AuditKey, AuditKeyError> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| AuditKeyError::FileUnusable {
            path: "(random source)".into(),
            reason: e.to_string(),
        })?;
        Ok(AuditKey::from_bytes(bytes))
    }

    /// The key's fingerprint: 16 hex digits.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// HMAC-SHA256 of `message`, hex.
    pub fn mac_hex(&self, message: &[u8]) -> String {
        hex::encode(mac_bytes(&self.bytes, message))
    }

    /// Whether `mac_hex` is this key's MAC of `message`, compared in constant time.
    pub fn verify(&self, message: &[u8], mac_hex: &str) -> bool {
        let Ok(tag) = hex::decode(mac_hex) else {
            return false;
        };
        let Ok(mut mac) = HmacSha256::new_from_slice(&self.bytes) else {
            return false;
        };
        mac.update(message);
        mac.verify_slice(&tag).is_ok()
    }
}

fn mac_bytes(key: &[u8], message: &[u8]) -> Vec<u8> {
    // HMAC takes keys of any length, so this cannot fail for our 32 bytes.
    match HmacSha256::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(message);
            mac.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

/// The current key and the retired ones, newest first.
#[derive(Debug, Clone)]
pub struct AuditKeys {
    keys: Vec<AuditKey>,
}

impl AuditKeys {
    /// A ring of one key.
    pub fn single(key: AuditKey) -> AuditKeys {
        AuditKeys { keys: vec![key] }
    }

    /// The key new checkpoints are signed with.
    pub fn current(&self) -> &AuditKey {
        // Never empty: every constructor puts a key in.
        &self.keys[0]
    }

    /// The key with id `id`, current or retired.
    pub fn by_id(&self, id: &str) -> Option<&AuditKey> {
        self.keys.iter().find(|k| k.id == id)
    }

    /// This ring with `key` as the current one and the old keys retired behind it.
    pub fn rotated(&self, key: AuditKey) -> AuditKeys {
        let mut keys = vec![key];
        keys.extend(self.keys.iter().cloned());
        AuditKeys { keys }
    }

    /// Parses the text form; `place` names the file or item in errors.
    fn parse(text: &str, place: &str) -> Result<AuditKeys, AuditKeyError> {
        let malformed = |problem: String| AuditKeyError::Malformed {
            place: place.to_owned(),
            problem,
        };
        let mut keys = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bytes = hex::decode(line)
                .ok()
                .and_then(|b| <[u8; 32]>::try_from(b).ok())
                .ok_or_else(|| malformed(format!("line {} is not 64 hex digits", n + 1)))?;
            keys.push(AuditKey::from_bytes(bytes));
        }
        if keys.is_empty() {
            return Err(malformed("it holds no key".into()));
        }
        Ok(AuditKeys { keys })
    }

    /// The text form: one key a line, current first.
    fn to_text(&self) -> String {
        let mut text = String::new();
        for k in &self.keys {
            text.push_str(&hex::encode(k.bytes));
            text.push('\n');
        }
        text
    }
}

/// Where the audit key lives.
#[derive(Debug)]
pub enum KeySource {
    /// A key file (servers, tests): [`KEY_FILE_VAR`].
    File(PathBuf),
    /// One OS keychain item (desktop, CLI).
    Keychain(Keychain),
}

impl KeySource {
    /// The key file when [`KEY_FILE_VAR`] is set, else the keychain of `MIZAN_KEYCHAIN_SERVICE`.
    pub fn from_env() -> KeySource {
        match std::env::var(KEY_FILE_VAR) {
            Ok(p) if !p.trim().is_empty() => KeySource::File(PathBuf::from(p.trim())),
            _ => KeySource::Keychain(Keychain::from_env()),
        }
    }

    /// Where, for messages: the file's path or "the OS keychain".
    pub fn describe(&self) -> String {
        match self {
            KeySource::File(p) => p.display().to_string(),
            KeySource::Keychain(k) => format!("the OS keychain (service {})", k.service()),
        }
    }

    /// The stored keys, generating and storing a first key when there is none. The flag is
    /// true when the key was generated now.
    ///
    /// # Errors
    /// See [`AuditKeyError`].
    pub fn load_or_create(&self) -> Result<(AuditKeys, bool), AuditKeyError> {
        if let Some(keys) = self.load()? {
            return Ok((keys, false));
        }
        let keys = AuditKeys::single(AuditKey::generate()?);
        match self {
            KeySource::File(p) => write_new_file(p, &keys.to_text())?,
            KeySource::Keychain(k) => k
                .set_item(KEYCHAIN_ACCOUNT, "Mizan audit key", &keys.to_text())
                .map_err(keychain_error)?,
        }
        Ok((keys, true))
    }

    /// The stored keys, or None when there are none yet.
    ///
    /// # Errors
    /// See [`AuditKeyError`].
    pub fn load(&self) -> Result<Option<AuditKeys>, AuditKeyError> {
        match self {
            KeySource::File(p) => {
                if !p.exists() {
                    return Ok(None);
                }
                check_private(p)?;
                let text = std::fs::read_to_string(p).map_err(|e| unusable(p, &e))?;
                AuditKeys::parse(&text, &p.display().to_string()).map(Some)
            }
            KeySource::Keychain(k) => match k.get_item(KEYCHAIN_ACCOUNT).map_err(keychain_error)? {
                None => Ok(None),
                Some(text) => AuditKeys::parse(text.expose(), "the OS keychain").map(Some),
            },
        }
    }

    /// Replaces the stored keys with `keys` (a rotation).
    ///
    /// # Errors
    /// See [`AuditKeyError`].
    pub fn store(&self, keys: &AuditKeys) -> Result<(), AuditKeyError> {
        match self {
            KeySource::File(p) => replace_file(p, &keys.to_text()),
            KeySource::Keychain(k) => k
                .set_item(KEYCHAIN_ACCOUNT, "Mizan audit key", &keys.to_text())
                .map_err(keychain_error),
        }
    }
}

fn keychain_error(e: CredentialError) -> AuditKeyError {
    let reason = match e {
        CredentialError::KeychainUnavailable { reason, .. }
        | CredentialError::KeychainLocked { reason, .. }
        | CredentialError::KeychainFailed { reason } => reason,
        other => other.to_string(),
    };
    AuditKeyError::KeychainUnavailable { reason }
}

fn unusable(p: &Path, e: &std::io::Error) -> AuditKeyError {
    AuditKeyError::FileUnusable {
        path: p.display().to_string(),
        reason: e.to_string(),
    }
}

/// Refuses a key file that group or others may read or write.
#[cfg(unix)]
fn check_private(p: &Path) -> Result<(), AuditKeyError> {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(p)
        .map_err(|e| unusable(p, &e))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(AuditKeyError::FileExposed {
            path: p.display().to_string(),
            mode: mode & 0o777,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_p: &Path) -> Result<(), AuditKeyError> {
    Ok(())
}

/// Creates `p` (which must not exist) readable by its owner only, with `text`.
fn write_new_file(p: &Path, text: &str) -> Result<(), AuditKeyError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut f = options.open(p).map_err(|e| unusable(p, &e))?;
    f.write_all(text.as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| unusable(p, &e))
}

/// Replaces `p` with a new 0600 file holding `text`, by rename, so a crash leaves the old or
/// the new keys, never half of them.
fn replace_file(p: &Path, text: &str) -> Result<(), AuditKeyError> {
    let mut tmp = p.as_os_str().to_owned();
    tmp.push(".new");
    let tmp = PathBuf::from(tmp);
    // A leftover from a crashed rotation holds no key that is not also in `p` or in `text`.
    let _ = std::fs::remove_file(&tmp);
    write_new_file(&tmp, text)?;
    std::fs::rename(&tmp, p).map_err(|e| unusable(p, &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_form_round_trips_and_never_shows_in_debug() {
        let keys = AuditKeys::single(AuditKey::generate().unwrap());
        let keys = keys.rotated(AuditKey::generate().unwrap());
        let text = keys.to_text();
        let back = AuditKeys::parse(&text, "t").unwrap();
        assert_eq!(back.current().id(), keys.current().id());
        assert_eq!(back.keys.len(), 2);
        let debug = format!("{keys:?}");
        for line in text.lines() {
            assert!(!debug.contains(line), "a key in Debug output");
        }
        let e = AuditKeys::parse("zz\n", "f").unwrap_err();
        assert_eq!(e.code(), crate::ErrorCode::AuditKeyInvalid);
        assert!(!e.to_string().contains("zz"));
    }

    #[test]
    fn macs_check_only_with_their_key() {
        let a = AuditKey::generate().unwrap();
        let b = AuditKey::generate().unwrap();
        let mac = a.mac_hex(b"m");
        assert!(a.verify(b"m", &mac));
        assert!(!a.verify(b"n", &mac));
        assert!(!b.verify(b"m", &mac));
        assert!(!a.verify(b"m", "not hex"));
    }

    #[cfg(unix)]
    #[test]
    fn a_key_file_is_created_private_and_refused_when_exposed() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.key");
        let source = KeySource::File(path.clone());
        let (keys, created) = source.load_or_create().unwrap();
        assert!(created);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let (again, created) = source.load_or_create().unwrap();
        assert!(!created);
        assert_eq!(again.current().id(), keys.current().id());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = source.load().unwrap_err();
        assert_eq!(e.code(), crate::ErrorCode::AuditKeyExposed, "{e}");
    }
}
