//! The two gateway environments a merchant works in: `sandbox` and `production`.
//!
//! Every stored row, every secret and every request names one of them, so test data and real
//! money never mix. The text forms (`sandbox`, `production`) are what SQLite stores, what the
//! CLI accepts and what serde writes; the upper-case forms name environment variables
//! (`MIZAN_SANDBOX_API_TOKEN`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A gateway environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    /// Tamara's sandbox (or the local simulator): no real money moves.
    Sandbox,
    /// Tamara's production API: real customers, real money.
    Production,
}

/// A text that names no environment. Carries the offending value so the message can say it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown environment {0:?} (expected \"sandbox\" or \"production\")")]
pub struct UnknownEnvironment(pub String);

impl Environment {
    /// Both environments, sandbox first.
    pub const ALL: [Environment; 2] = [Environment::Sandbox, Environment::Production];

    /// The stored and displayed name: `sandbox` or `production`.
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Sandbox => "sandbox",
            Environment::Production => "production",
        }
    }

    /// The `<ENV>` part of environment-variable names: `SANDBOX` or `PRODUCTION`.
    pub fn env_var_prefix(self) -> &'static str {
        match self {
            Environment::Sandbox => "SANDBOX",
            Environment::Production => "PRODUCTION",
        }
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Environment {
    type Err = UnknownEnvironment;

    /// Accepts exactly the stored names; no case folding, so a typo is never silently
    /// taken for production.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Environment::ALL
            .into_iter()
            .find(|e| e.as_str() == s)
            .ok_or_else(|| UnknownEnvironment(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips() {
        for env in Environment::ALL {
            assert_eq!(env.as_str().parse::<Environment>().unwrap(), env);
            assert_eq!(env.to_string(), env.as_str());
        }
        assert_eq!(Environment::Production.env_var_prefix(), "PRODUCTION");
        assert_eq!(Environment::Sandbox.env_var_prefix(), "SANDBOX");
    }

    #[test]
    fn unknown_names_are_errors_naming_the_value() {
        let e = "Prod".parse::<Environment>().unwrap_err();
        assert!(e.to_string().contains("\"Prod\""), "{e}");
        assert!("Sandbox".parse::<Environment>().is_err(), "no case folding");
    }

    #[test]
    fn serde_is_lowercase() {
        let json = serde_json::to_string(&Environment::Production).unwrap();
        assert_eq!(json, "\"production\"");
        let env: Environment = serde_json::from_str("\"sandbox\"").unwrap();
        assert_eq!(env, Environment::Sandbox);
    }
}
