//! The audit log's signing key in the real OS keychain (Secret Service), through the real
//! binary: refused clearly without a keychain, made once, read back and rotated.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::credentials_cli::{Mizan, session_bus};

#[tokio::test(flavor = "multi_thread")]
async fn the_audit_key_is_generated_once_in_the_keychain() {
    // Without a key file, the audit key is one keychain item, made on first use.
    let unreachable = Mizan::new("auditnobus", "unix:path=/nonexistent/mizan-test-bus");
    let (code, message) = unreachable.error_code(&["--json", "audit", "verify"], "");
    assert_eq!(code, "audit_key_unavailable");
    assert!(message.contains("MIZAN_AUDIT_KEY_FILE"), "{message}");

    let Some(bus) = session_bus("the_audit_key_is_generated_once_in_the_keychain") else {
        return;
    };
    let m = Mizan::new("auditkey", &bus);
    let first = m.json(&["--json", "audit", "verify"]);
    assert_eq!(first["written"]["reason"], "adopt", "{first}");
    let key_id = first["key_id"].as_str().unwrap().to_owned();
    let again = m.json(&["--json", "audit", "verify"]);
    assert_eq!(again["key_id"], key_id.as_str(), "the same key, read back");
    assert_eq!(again["checkpoints"], 1);
    let rotated = m.json(&["--json", "audit", "rotate-key"]);
    assert_ne!(rotated["key_id"], key_id.as_str());
    let after = m.json(&["--json", "audit", "verify"]);
    assert_eq!(
        after["checkpoints"], 3,
        "the retired key still checks its checkpoints"
    );
}
