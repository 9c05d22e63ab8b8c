//! `mizan credentials test`: proving an API token works, and that it belongs to the
//! environment it is configured for, with a call that changes nothing.
//!
//! The call is `GET /orders/00000000-0000-0000-0000-000000000000`: a read (reference §5.8a) of
//! an order id no order can have. Tamara authenticates before it looks the order up, so 404
//! (unknown order — or 400, an id it will not parse) proves the token was accepted, and 401/403
//! that it was refused. Sandbox and production tokens never work in each other's environment
//! (reference §1), so a refusal is explained specifically when the evidence allows:
//! - the refused token is the very token configured for the other environment;
//! - or, only when the caller asks (`probe_other`), the other environment accepts it. That
//!   sends the token to the other environment's host, hence opt-in.
//!
//! Invariant: no retries (a refused token stays refused) and no circuit breaker (this is a
//! diagnosis, not traffic); the token is never part of a result or an error.

use tamara::{ApiError, ClientConfig, OrderPath, Sensitive, TamaraClient};

use crate::config::{ConsoleConfig, EnvironmentConfig, TokenSource};
use crate::credentials::CredentialError;
use crate::environment::Environment;

/// The order id of the harmless read: the nil UUID, which Tamara never assigns.
pub const PROBE_ORDER_ID: &str = "00000000-0000-0000-0000-000000000000";

/// Why a refused token is said to belong to the other environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    /// It equals the API token configured for the other environment.
    SameAsOtherToken,
    /// The other environment accepted it (`--probe-other`).
    OtherAccepted,
}

/// An accepted token: which environment and URL accepted it, with which answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenTest {
    pub environment: Environment,
    pub url: String,
    /// The HTTP status that proved acceptance (404 normally).
    pub status: u16,
    pub source: TokenSource,
}

enum Answer {
    Accepted(u16),
    Refused(u16),
}

/// Tests the API token of `env` in `config`. Fill both environments from the keychain first
/// ([`crate::credentials::fill_from_keychain`]) so a token stored for the other environment can
/// serve as evidence.
pub async fn test_api_token(
    config: &ConsoleConfig,
    env: Environment,
    probe_other: bool,
) -> Result<TokenTest, CredentialError> {
    let cfg = config.for_env(env);
    let token = cfg
        .api_token
        .clone()
        .ok_or(CredentialError::Missing { env })?;
    let status = match ask(cfg, &cfg.api_url, &token).await? {
        Answer::Accepted(status) => {
            return Ok(TokenTest {
                environment: env,
                url: cfg.api_url.clone(),
                status,
                source: cfg.api_token_source,
            });
        }
        Answer::Refused(status) => status,
    };
    let other = match env {
        Environment::Sandbox => Environment::Production,
        Environment::Production => Environment::Sandbox,
    };
    let other_cfg = config.for_env(other);
    let wrong = |evidence| CredentialError::WrongEnvironment {
        env,
        token_env: other,
        status,
        evidence,
    };
    if other_cfg
        .api_token
        .as_ref()
        .is_some_and(|t| t.expose() == token.expose())
    {
        return Err(wrong(Evidence::SameAsOtherToken));
    }
    if probe_other {
        // The simulator cannot judge a real token: probe Tamara's own sandbox then.
        let url = if other_cfg.built_in_sandbox {
            tamara::client::SANDBOX_BASE_URL
        } else {
            other_cfg.api_url.as_str()
        };
        if let Ok(Answer::Accepted(_)) = ask(other_cfg, url, &token).await {
            return Err(wrong(Evidence::OtherAccepted));
        }
    }
    Err(CredentialError::Refused {
        env,
        status,
        url: cfg.api_url.clone(),
    })
}

async fn ask(
    cfg: &EnvironmentConfig,
    url: &str,
    token: &Sensitive<String>,
) -> Result<Answer, CredentialError> {
    let mut client_cfg = ClientConfig::new(url, token.clone());
    client_cfg.connect_timeout = cfg.connect_timeout;
    client_cfg.total_timeout = cfg.total_timeout;
    let client = TamaraClient::new(client_cfg)?;
    match client.order(PROBE_ORDER_ID, OrderPath::Orders).await {
        Ok(_) => Ok(Answer::Accepted(200)),
        Err(ApiError::Http { status, .. }) if status == 401 || status == 403 => {
            Ok(Answer::Refused(status))
        }
        Err(ApiError::Http { status, .. }) if status == 404 || status == 400 => {
            Ok(Answer::Accepted(status))
        }
        // A 200 whose body is not an order still means the token got through.
        Err(ApiError::Decode { status: 200, .. }) => Ok(Answer::Accepted(200)),
        Err(e) => Err(e.into()),
    }
}
