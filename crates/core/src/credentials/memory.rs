//! An in-memory [`CredentialStore`] for unit tests of the logic around the keychain (the
//! keychain itself is tested against the real Secret Service in the CLI's tests). It can be
//! told to fail like an unreachable keychain.

use std::collections::HashMap;
use std::sync::Mutex;

use tamara::Sensitive;

use crate::credentials::{CredentialError, CredentialKind, CredentialStore};
use crate::environment::Environment;

#[derive(Default)]
pub struct MemoryStore {
    values: Mutex<HashMap<(Environment, CredentialKind), String>>,
    /// When set, every call fails as an unreachable keychain does.
    pub unreachable: bool,
    /// How many calls were made (to prove the keychain was not consulted).
    pub calls: Mutex<usize>,
}

impl MemoryStore {
    pub fn with(entries: &[(Environment, CredentialKind, &str)]) -> MemoryStore {
        let store = MemoryStore::default();
        for (env, kind, v) in entries {
            store
                .values
                .lock()
                .unwrap()
                .insert((*env, *kind), (*v).to_owned());
        }
        store
    }

    /// A store whose every call fails like an unreachable keychain.
    pub fn unreachable() -> MemoryStore {
        MemoryStore {
            unreachable: true,
            ..MemoryStore::default()
        }
    }

    fn touch(&self, env: Environment) -> Result<(), CredentialError> {
        *self.calls.lock().unwrap() += 1;
        if self.unreachable {
            return Err(CredentialError::KeychainUnavailable {
                env,
                reason: "test: no session bus".into(),
            });
        }
        Ok(())
    }
}

impl CredentialStore for MemoryStore {
    fn get(
        &self,
        env: Environment,
        kind: CredentialKind,
    ) -> Result<Option<Sensitive<String>>, CredentialError> {
        self.touch(env)?;
        let values = self.values.lock().unwrap();
        Ok(values.get(&(env, kind)).cloned().map(Sensitive::new))
    }

    fn set(
        &self,
        env: Environment,
        kind: CredentialKind,
        value: &Sensitive<String>,
    ) -> Result<(), CredentialError> {
        self.touch(env)?;
        let mut values = self.values.lock().unwrap();
        values.insert((env, kind), value.expose().clone());
        Ok(())
    }

    fn delete(&self, env: Environment, kind: CredentialKind) -> Result<bool, CredentialError> {
        self.touch(env)?;
        Ok(self.values.lock().unwrap().remove(&(env, kind)).is_some())
    }
}
