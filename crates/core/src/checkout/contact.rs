//! The checker's rules about reaching the customer: phone numbers (per country, as Tamara's
//! sandbox notes describe them) and the `merchant_url` redirects (absolute, HTTPS outside the
//! sandbox). Part of the rules layer ([`super::rules`]).
//!
//! Invariant: a phone is judged by its digits and separators only; Tamara documents no rule for
//! KW, OM and QA numbers, so those get the E.164 length check alone.

use serde_json::Value;

use super::rules::at;
use super::{CheckCode, Finding, Severity, join};
use crate::environment::Environment;

pub(crate) fn phones(payload: &Value, out: &mut Vec<Finding>) {
    let country = payload
        .get("country_code")
        .and_then(Value::as_str)
        .unwrap_or("");
    for p in [
        "consumer.phone_number",
        "shipping_address.phone_number",
        "billing_address.phone_number",
    ] {
        let phone = at(payload, p).and_then(Value::as_str);
        let required = p.starts_with("consumer");
        if let Some((sev, code, msg)) = phone.and_then(|t| phone_problem(t, country, required)) {
            out.push(Finding::new(p, sev, code, msg));
        }
    }
}

/// What is wrong with `phone` for an order in `country`, if anything. Tamara's sandbox notes:
/// SA (966) and AE (971) numbers are 9 digits starting with 5, BH (973) 8 starting with 3,
/// sent local or with the country code and no `+`; other countries: any E.164 length.
pub fn phone_problem(
    phone: &str,
    country: &str,
    required: bool,
) -> Option<(Severity, CheckCode, String)> {
    let t = phone.trim();
    if t.is_empty() {
        return required.then(|| {
            (
                Severity::Error,
                CheckCode::PhoneInvalid,
                "the customer's phone number is empty".to_owned(),
            )
        });
    }
    let body = t.strip_prefix('+').unwrap_or(t);
    let digits: String = body.chars().filter(char::is_ascii_digit).collect();
    let separators = body
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')'));
    if !separators || !(7..=15).contains(&digits.len()) {
        return Some((
            Severity::Error,
            CheckCode::PhoneInvalid,
            format!("{t:?} is not a phone number (7 to 15 digits)"),
        ));
    }
    let (prefix, local_len, first) = match country {
        "SA" => ("966", 9, '5'),
        "AE" => ("971", 9, '5'),
        "BH" => ("973", 8, '3'),
        _ => return None,
    };
    let local = digits.strip_prefix(prefix).unwrap_or(&digits);
    let shaped = local.len() == local_len && local.starts_with(first);
    if shaped && digits.len() == body.len() {
        return None;
    }
    let expected = format!(
        "Tamara expects {local_len} digits starting with {first}, alone or after {prefix}, digits only"
    );
    Some((
        Severity::Warning,
        CheckCode::PhoneUnexpectedFormat,
        format!("{t:?}: {expected}"),
    ))
}

pub(crate) fn urls(payload: &Value, env: Environment, out: &mut Vec<Finding>) {
    for k in ["success", "failure", "cancel", "notification"] {
        let p = join("merchant_url", k);
        let Some(text) = at(payload, &p)
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
        else {
            continue;
        };
        if let Some((sev, code, msg)) = url_problem(text, env) {
            out.push(Finding::new(&p, sev, code, msg));
        }
    }
}

/// What is wrong with a redirect URL, if anything. HTTP is a warning in the sandbox (Tamara's
/// own example uses it) and an error in production; loopback is fine for a test on this machine.
pub fn url_problem(text: &str, env: Environment) -> Option<(Severity, CheckCode, String)> {
    let Ok(url) = url::Url::parse(text) else {
        return Some((
            Severity::Error,
            CheckCode::UrlInvalid,
            format!("{text:?} is not an absolute URL"),
        ));
    };
    match url.scheme() {
        "https" => None,
        "http" if env == Environment::Production => Some((
            Severity::Error,
            CheckCode::UrlNotHttps,
            "production redirects must use https://".into(),
        )),
        "http" if is_loopback(&url) => Some((
            Severity::Info,
            CheckCode::UrlLoopback,
            "a loopback address: only a browser on this machine can land there".into(),
        )),
        "http" => Some((
            Severity::Warning,
            CheckCode::UrlNotHttps,
            "not HTTPS: the customer's browser comes back unencrypted (required in production)"
                .into(),
        )),
        s => Some((
            Severity::Error,
            CheckCode::UrlInvalid,
            format!("{s}: is not a web address"),
        )),
    }
}

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost" || d.ends_with(".localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}
