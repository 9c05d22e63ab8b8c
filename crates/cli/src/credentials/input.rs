//! Reading secrets for `mizan credentials set`: a hidden prompt on a terminal, else stdin.
//!
//! Never argv: a secret on the command line lands in shell history and in every process
//! listing. Stdin takes either
//! - named fields, one per line (`api_token=...`, `notification-token: ...`, also the variable
//!   names `MIZAN_SANDBOX_API_TOKEN=...`), where a line without a name continues the field
//!   above it — so a token wrapped over several lines by a mail client still arrives whole; or
//! - plain lines in order: API token, notification token, public key (optional); with `--only`
//!   the whole input is the one value.
//!
//! Whitespace inside values is removed later by the shape check, not here. Invariant: errors
//! name lines and fields, never their content.

use std::collections::HashMap;
use std::io::{IsTerminal, Read};

use mizan_core::Environment;
use mizan_core::credentials::CredentialKind;

use crate::CliError;

/// The raw values read for `kinds`; a kind absent from the map was left out (only the public
/// key may be).
pub fn read(
    env: Environment,
    kinds: &[CredentialKind],
) -> Result<HashMap<CredentialKind, String>, CliError> {
    if std::io::stdin().is_terminal() {
        return prompt(env, kinds);
    }
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| CliError::Usage(format!("cannot read the credentials from stdin: {e}")))?;
    parse(&text, env, kinds)
}

fn prompt(
    env: Environment,
    kinds: &[CredentialKind],
) -> Result<HashMap<CredentialKind, String>, CliError> {
    let mut values = HashMap::new();
    for &kind in kinds {
        let optional = optional(kind, kinds);
        let question = format!(
            "{env} {}{} (input hidden): ",
            kind.label(),
            if optional {
                ", optional — Enter skips"
            } else {
                ""
            }
        );
        let v = rpassword::prompt_password(question)
            .map_err(|e| CliError::Usage(format!("cannot read the {}: {e}", kind.label())))?;
        if !(optional && v.trim().is_empty()) {
            values.insert(kind, v);
        }
    }
    Ok(values)
}

/// The public key is optional unless it is the only thing being set (it is not used by the
/// console's calls, only shown).
fn optional(kind: CredentialKind, kinds: &[CredentialKind]) -> bool {
    kind == CredentialKind::PublicKey && kinds.len() > 1
}

/// Parses stdin text (see the module comment).
pub fn parse(
    text: &str,
    env: Environment,
    kinds: &[CredentialKind],
) -> Result<HashMap<CredentialKind, String>, CliError> {
    let lines: Vec<&str> = text.lines().collect();
    let named = lines.iter().any(|l| field_name(l, env).is_some());
    let mut values: HashMap<CredentialKind, String> = HashMap::new();
    if named {
        let mut current: Option<CredentialKind> = None;
        for (i, line) in lines.iter().enumerate() {
            if let Some((kind, rest)) = field_name(line, env) {
                if !kinds.contains(&kind) {
                    return Err(CliError::Usage(format!(
                        "line {}: the {} is not being set here (see --only)",
                        i + 1,
                        kind.label()
                    )));
                }
                if values.contains_key(&kind) {
                    return Err(CliError::Usage(format!(
                        "line {}: the {} is given twice",
                        i + 1,
                        kind.label()
                    )));
                }
                values.insert(kind, rest.to_owned());
                current = Some(kind);
            } else if let Some(kind) = current {
                if let Some(v) = values.get_mut(&kind) {
                    v.push_str(line);
                }
            } else if !line.trim().is_empty() {
                return Err(CliError::Usage(format!(
                    "line {} has no field name; start it with api_token=, \
                     notification_token= or public_key=",
                    i + 1
                )));
            }
        }
    } else if let [only] = kinds {
        values.insert(*only, text.to_owned());
    } else {
        let filled: Vec<&str> = lines
            .iter()
            .copied()
            .filter(|l| !l.trim().is_empty())
            .collect();
        if filled.len() > kinds.len() {
            return Err(CliError::Usage(format!(
                "expected at most {} lines ({}), got {}; to paste a token broken over several \
                 lines, name the fields (api_token=..., notification_token=...)",
                kinds.len(),
                kinds
                    .iter()
                    .map(|k| k.label())
                    .collect::<Vec<_>>()
                    .join(", "),
                filled.len()
            )));
        }
        for (kind, line) in kinds.iter().zip(filled) {
            values.insert(*kind, line.to_owned());
        }
    }
    for &kind in kinds {
        if !values.contains_key(&kind) && !optional(kind, kinds) {
            return Err(CliError::Usage(format!(
                "no {} on stdin; give one line per credential (API token, notification \
                 token, optional public key) or name the fields (api_token=...)",
                kind.label()
            )));
        }
    }
    Ok(values)
}

/// `(kind, rest of the line)` when `line` starts with a field name and `=` or `:`.
fn field_name(line: &str, env: Environment) -> Option<(CredentialKind, &str)> {
    let line = line.trim_start();
    let end = line.find(['=', ':'])?;
    let name = line[..end].trim();
    let kind = CredentialKind::ALL.into_iter().find(|k| {
        let n = name.to_ascii_lowercase().replace('-', "_");
        n == k.as_str() || name == k.env_var(env)
    })?;
    Some((kind, &line[end + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [CredentialKind; 3] = CredentialKind::ALL;
    use CredentialKind::{ApiToken, NotificationToken, PublicKey};

    fn msg(r: Result<HashMap<CredentialKind, String>, CliError>) -> String {
        r.unwrap_err().to_string()
    }

    #[test]
    fn plain_lines_in_order_and_an_optional_public_key() {
        let v = parse("aaa\n\nbbb\n", Environment::Sandbox, &ALL).unwrap();
        assert_eq!(v[&ApiToken], "aaa");
        assert_eq!(v[&NotificationToken], "bbb");
        assert!(!v.contains_key(&PublicKey));
        let e = msg(parse("a\nb\nc\nd\n", Environment::Sandbox, &ALL));
        assert!(e.contains("at most 3 lines"), "{e}");
        let e = msg(parse("only-one\n", Environment::Sandbox, &ALL));
        assert!(e.contains("no notification token"), "{e}");
    }

    #[test]
    fn named_fields_continue_over_wrapped_lines() {
        let text = "notification-token: nnn\nMIZAN_SANDBOX_API_TOKEN=eyJ.part1\npart2.\n  sig\n";
        let v = parse(text, Environment::Sandbox, &ALL).unwrap();
        assert_eq!(v[&ApiToken], "eyJ.part1part2.  sig");
        assert_eq!(v[&NotificationToken], " nnn");
        let e = msg(parse("junk\napi_token=x\n", Environment::Sandbox, &ALL));
        assert!(e.contains("line 1 has no field name"), "{e}");
        let e = msg(parse(
            "api_token=x\napi_token=y\nnotification_token=z",
            Environment::Sandbox,
            &ALL,
        ));
        assert!(e.contains("given twice"), "{e}");
    }

    #[test]
    fn with_only_the_whole_input_is_the_value() {
        let v = parse("eyJ.a\nb.c\n", Environment::Production, &[ApiToken]).unwrap();
        assert_eq!(v[&ApiToken], "eyJ.a\nb.c\n");
        let e = msg(parse(
            "public_key=abc",
            Environment::Production,
            &[ApiToken],
        ));
        assert!(e.contains("not being set here"), "{e}");
    }
}
