#![allow(clippy::unwrap_used)]

use super::*;

/// The cheapest cost Argon2 accepts, for tests that are about everything but the cost.
fn cheap() -> TokenHasher {
    TokenHasher::with_cost(8, 1, 1).unwrap()
}

#[test]
fn a_token_verifies_against_its_hash_and_nothing_else() {
    let hasher = cheap();
    let (token, stored) = hasher.issue().unwrap();
    assert!(verify(token.reveal(), &stored.hash));

    let (other, other_stored) = hasher.issue().unwrap();
    assert!(!verify(other.reveal(), &stored.hash));
    assert!(!verify(token.reveal(), &other_stored.hash));

    // One character changed at the end.
    let mut wrong = token.reveal().to_owned();
    let last = wrong.pop().unwrap();
    wrong.push(if last == 'A' { 'B' } else { 'A' });
    assert!(!verify(&wrong, &stored.hash));
}

#[test]
fn the_default_cost_is_argon2id_at_owasps_parameters() {
    let (token, stored) = TokenHasher::default().issue().unwrap();
    assert!(
        stored.hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{}",
        stored.hash
    );
    assert!(verify(token.reveal(), &stored.hash));
}

#[test]
fn tokens_have_their_shape_and_are_never_repeated() {
    let hasher = cheap();
    let (a, stored_a) = hasher.issue().unwrap();
    let (b, _) = hasher.issue().unwrap();
    assert_ne!(a.reveal(), b.reveal());
    assert_eq!(a.reveal().len(), 4 + 43);
    assert!(a.reveal().starts_with("mzn_"));
    assert_eq!(a.prefix(), &a.reveal()[4..12]);
    assert_eq!(stored_a.prefix, a.prefix());
    assert_eq!(lookup_prefix(a.reveal()).unwrap(), a.prefix());
    // The hash holds neither the token nor its secret part.
    assert!(!stored_a.hash.contains(&a.reveal()[4..]));
}

#[test]
fn the_secret_never_prints() {
    let (token, _) = cheap().issue().unwrap();
    let secret = &token.reveal()[4 + PREFIX_LEN..];
    for shown in [
        format!("{token:?}"),
        format!("{token:#?}"),
        token.to_string(),
    ] {
        assert!(!shown.contains(secret), "{shown}");
        assert!(shown.contains(token.prefix()), "{shown}");
    }
}

#[test]
fn the_same_token_hashes_differently_each_time() {
    let hasher = cheap();
    let (token, first) = hasher.issue().unwrap();
    let second = hasher.hash(token.reveal()).unwrap();
    assert_ne!(first.hash, second.hash, "a fresh salt each time");
    assert!(verify(token.reveal(), &second.hash));
}

#[test]
fn malformed_tokens_are_refused_before_any_hashing() {
    let good = format!("mzn_{}", "A".repeat(43));
    assert_eq!(lookup_prefix(&good).unwrap(), "AAAAAAAA");
    for bad in [
        String::new(),
        "mzn_".to_owned(),
        "A".repeat(47),
        format!("mzx_{}", "A".repeat(43)),
        format!("mzn_{}", "A".repeat(42)),
        format!("mzn_{}", "A".repeat(44)),
        format!("mzn_{}=", "A".repeat(42)),
        format!("mzn_{}+", "A".repeat(42)),
        format!("mzn_{}ش", "A".repeat(41)),
    ] {
        assert_eq!(lookup_prefix(&bad), Err(TokenError::Malformed), "{bad:?}");
        assert!(!verify(
            &bad,
            "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA"
        ));
        assert!(cheap().hash(&bad).is_err());
    }
}

#[test]
fn an_unreadable_or_foreign_hash_verifies_nothing() {
    let hasher = cheap();
    let (token, stored) = hasher.issue().unwrap();
    assert!(!verify(token.reveal(), ""));
    assert!(!verify(token.reveal(), "not a hash"));
    assert!(!verify(
        token.reveal(),
        &stored.hash.replacen("argon2id", "argon2i", 1)
    ));
    // A hash cut short.
    assert!(!verify(
        token.reveal(),
        &stored.hash[..stored.hash.len() - 4]
    ));
}

#[test]
fn a_cost_argon2_refuses_is_a_typed_error() {
    assert!(matches!(
        TokenHasher::with_cost(1, 1, 1),
        Err(TokenError::Hash(_))
    ));
}
