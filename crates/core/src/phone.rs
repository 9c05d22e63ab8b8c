//! The one rule for matching phone numbers as people type them: a phone's *key* is its
//! national number, so `515961287`, `0515961287`, `+966 51 596 1287` and `00966515961287`
//! all have the key `515961287`.
//!
//! Rule, in order: Arabic-Indic digits become ASCII digits; spaces, dashes, dots and
//! parentheses are dropped; a leading `+` or `00` is dropped; a leading Gulf country code
//! (966, 971, 965, 973, 974, 968) is dropped when at least 7 digits remain; one national trunk
//! `0` is dropped when at least 7 digits remain. Anything else than digits left means the text
//! is not a phone. Used on both sides: the store writes the key of each cached order's phone
//! (`orders.customer_phone_key`, migration 0009) and the order list's search compares the
//! key of what was typed.
//!
//! Invariant: pure, no I/O; a key is all ASCII digits.

/// Country codes whose numbers Tamara serves: SA, AE, KW, BH, QA, OM.
pub const COUNTRY_CODES: [&str; 6] = ["966", "971", "965", "973", "974", "968"];

/// Fewest digits a national number keeps: shorter remainders keep their prefix.
pub const MIN_NATIONAL_DIGITS: usize = 7;

/// The national number of `text`, or `None` when `text` is not only digits and phone
/// separators, or has no digit.
pub fn key(text: &str) -> Option<String> {
    let mut digits = String::with_capacity(text.len());
    let mut plus = false;
    for (i, c) in text.trim().chars().enumerate() {
        match c {
            '0'..='9' => digits.push(c),
            '\u{0660}'..='\u{0669}' => digits.push(shift(c, '\u{0660}')),
            '\u{06F0}'..='\u{06F9}' => digits.push(shift(c, '\u{06F0}')),
            ' ' | '-' | '.' | '(' | ')' | '\u{00A0}' => {}
            '+' if i == 0 => plus = true,
            _ => return None,
        }
    }
    if digits.is_empty() {
        return None;
    }
    let mut rest = digits.as_str();
    let international = if plus {
        true
    } else if let Some(r) = rest.strip_prefix("00") {
        rest = r;
        true
    } else {
        false
    };
    let long_enough = |r: &str| r.len() >= MIN_NATIONAL_DIGITS;
    if let Some(r) = COUNTRY_CODES
        .iter()
        .find_map(|cc| rest.strip_prefix(cc))
        .filter(|r| long_enough(r))
    {
        rest = r;
    } else if international && rest.is_empty() {
        return None;
    }
    if let Some(r) = rest.strip_prefix('0').filter(|r| long_enough(r)) {
        rest = r;
    }
    Some(rest.to_owned())
}

/// The key of a search text when it reads as a whole phone number (at least
/// [`MIN_NATIONAL_DIGITS`] digits once normalised); shorter digit runs are parts of numbers,
/// which the ordinary "contains" search answers.
pub fn search_key(text: &str) -> Option<String> {
    key(text).filter(|k| k.len() >= MIN_NATIONAL_DIGITS)
}

fn shift(c: char, zero: char) -> char {
    char::from_digit(u32::from(c) - u32::from(zero), 10).unwrap_or('0')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_way_people_type_a_saudi_number_has_one_key() {
        for typed in [
            "515961287",
            "0515961287",
            "966515961287",
            "+966515961287",
            "+966 51 596 1287",
            "00966 515 961 287",
            "(051) 596-1287",
            "٠٥١٥٩٦١٢٨٧",
        ] {
            assert_eq!(key(typed).as_deref(), Some("515961287"), "{typed}");
        }
    }

    #[test]
    fn other_gulf_codes_and_short_numbers() {
        assert_eq!(key("+971 50 123 4567").as_deref(), Some("501234567"));
        assert_eq!(key("+965 5012 3456").as_deref(), Some("50123456"));
        assert_eq!(key("973 3600 1234").as_deref(), Some("36001234"));
        // An Omani national number that begins like a country code keeps its digits.
        assert_eq!(key("96812345").as_deref(), Some("96812345"));
        assert_eq!(search_key("596"), None);
        assert_eq!(key("596").as_deref(), Some("596"));
    }

    #[test]
    fn text_that_is_not_a_phone_has_no_key() {
        assert_eq!(key("DEMO-000046"), None);
        assert_eq!(key("sara@example.test"), None);
        assert_eq!(key(""), None);
        assert_eq!(key("+"), None);
        assert_eq!(key("51+5"), None);
    }
}
