//! HTTPS for the service's listener (the team server; the receiver too): a certificate chain and
//! its private key from PEM files, served with rustls.
//!
//! Invariants: a file that cannot be read, holds no certificate or no key, or a key that does
//! not fit the certificate is refused at start with the file's path — never a server that
//! starts and then fails every handshake. The key's bytes never reach a message.

use std::path::Path;
use std::sync::Arc;

use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::config::ConfigError;

/// The server configuration for `cert` (PEM, the chain, leaf first) and `key` (PEM, PKCS#8,
/// PKCS#1 or SEC1).
///
/// # Errors
/// [`ConfigError::TlsFile`] naming the file and what is wrong with it.
pub fn server_config(cert: &Path, key: &Path) -> Result<Arc<ServerConfig>, ConfigError> {
    let bad = |what: &'static str, path: &Path, reason: String| ConfigError::TlsFile {
        what,
        path: path.display().to_string(),
        reason,
    };
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| bad("certificate", cert, e.to_string()))?
        .collect::<Result<_, _>>()
        .map_err(|e| bad("certificate", cert, e.to_string()))?;
    if chain.is_empty() {
        return Err(bad("certificate", cert, "holds no certificate".into()));
    }
    // The key file's contents are not quoted in any message.
    let private = PrivateKeyDer::from_pem_file(key).map_err(|e| bad("key", key, e.to_string()))?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| bad("certificate", cert, e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, private)
        .map_err(|e| bad("key", key, format!("does not fit the certificate: {e}")))?;
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/tls")
            .join(name)
    }

    #[test]
    fn a_certificate_and_its_key_make_a_server_config() {
        assert!(server_config(&fixture("cert.pem"), &fixture("key.pem")).is_ok());
    }

    #[test]
    fn bad_files_are_refused_naming_the_file() {
        let missing = server_config(&fixture("nope.pem"), &fixture("key.pem")).unwrap_err();
        assert!(missing.to_string().contains("nope.pem"), "{missing}");
        let no_key = server_config(&fixture("cert.pem"), &fixture("cert.pem")).unwrap_err();
        assert!(no_key.to_string().starts_with("TLS key"), "{no_key}");
        let no_cert = server_config(&fixture("key.pem"), &fixture("key.pem")).unwrap_err();
        assert!(
            no_cert.to_string().contains("holds no certificate"),
            "{no_cert}"
        );
        // The CA's certificate with the server's key: they do not belong together.
        let mismatch = server_config(&fixture("ca.pem"), &fixture("key.pem")).unwrap_err();
        assert!(mismatch.to_string().contains("does not fit"), "{mismatch}");
        assert!(!mismatch.to_string().contains("PRIVATE KEY"));
    }
}
