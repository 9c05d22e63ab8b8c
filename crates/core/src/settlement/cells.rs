//! One cell's text into an exact amount, a whole number or a date. Statements write English
//! numbers (`1,200.00`) and DD/MM/YYYY dates (reference §11.1), sometimes in Arabic-Indic
//! digits and with invisible direction marks; text that could mean two things is refused with
//! the reason, never guessed.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::money::parse_decimal;

/// Invisible direction marks (and a stray BOM) that Arabic spreadsheets put around values.
fn is_mark(c: char) -> bool {
    matches!(
        c,
        '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
            | '\u{feff}'
    )
}

/// The cell without surrounding spaces or direction marks.
pub fn trimmed(text: &str) -> &str {
    text.trim_matches(|c: char| c.is_whitespace() || is_mark(c))
}

/// ASCII digits for Arabic-Indic and Persian ones, `.` for the Arabic decimal separator, `-`
/// for a minus sign, marks dropped; everything else as it is.
pub fn latin(text: &str) -> String {
    let digit =
        |c: char, zero: char| char::from_digit(u32::from(c) - u32::from(zero), 10).unwrap_or(c);
    trimmed(text)
        .chars()
        .filter(|c| !is_mark(*c))
        .map(|c| match c {
            '٠'..='٩' => digit(c, '٠'),
            '۰'..='۹' => digit(c, '۰'),
            '٫' => '.',
            '\u{2212}' => '-',
            other => other,
        })
        .collect()
}

/// An amount: `.` before the decimals, and `,` `٬` or a space only between groups of three
/// digits. `1 200,00` or `1.200,00` (a decimal comma) is refused, since `1,200` would then be
/// ambiguous.
pub fn decimal(text: &str) -> Result<Decimal, String> {
    let t: String = latin(text)
        .chars()
        .map(|c| match c {
            '٬' | ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}' => ',',
            other => other,
        })
        .collect();
    let (sign, body) = match t.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", t.strip_prefix('+').unwrap_or(&t)),
    };
    let (whole, fraction) = match body.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (body, None),
    };
    let grouped = |w: &str| {
        let mut groups = w.split(',');
        let first = groups.next().unwrap_or_default();
        (1..=3).contains(&first.len())
            && first.bytes().all(|b| b.is_ascii_digit())
            && groups.all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()))
    };
    if fraction.is_some_and(|f| f.contains(',')) || (whole.contains(',') && !grouped(whole)) {
        return Err(format!(
            "{text:?} is not an amount as statements write them: a point before the decimals, \
             commas only between thousands (1,200.50)"
        ));
    }
    let plain = match fraction {
        Some(f) => format!("{sign}{}.{f}", whole.replace(',', "")),
        None => format!("{sign}{}", whole.replace(',', "")),
    };
    parse_decimal(&plain).map_err(|_| format!("{text:?} is not a decimal amount"))
}

/// A percentage as its number (`6.5%` is 6.5).
pub fn percent(text: &str) -> Result<Decimal, String> {
    decimal(trimmed(text).trim_end_matches(['%', '٪']))
}

/// A whole number that is not negative (instalments).
pub fn whole(text: &str) -> Result<u32, String> {
    let not = || format!("{text:?} is not a whole number");
    let d = decimal(text).map_err(|_| not())?;
    if d.is_sign_negative() || !d.fract().is_zero() {
        return Err(not());
    }
    d.trunc().to_string().parse().map_err(|_| not())
}

/// A date: DD/MM/YYYY (also with `-` or `.`, a time after it ignored), or year first
/// (`2026-12-01`, what a real date cell of a workbook reads as). A two-digit year is refused,
/// and so is a date that only reads as month/day.
pub fn date(text: &str) -> Result<NaiveDate, String> {
    let (day, month, year) = parts(text)?;
    if month > 12 && day <= 12 {
        return Err(format!(
            "{text:?} reads as month/day; statements write day/month (DD/MM/YYYY)"
        ));
    }
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| format!("{text:?} is not a date"))
}

/// The month-first reading of a DD/MM/YYYY date whose day and month are both 12 or less, for
/// the file-wide check that a whole file was not written month first.
pub fn month_first(text: &str) -> Option<NaiveDate> {
    let t = latin(text);
    if t.get(..4)
        .is_some_and(|y| y.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let (day, month, year) = parts(text).ok()?;
    if day > 12 || month > 12 {
        return None;
    }
    NaiveDate::from_ymd_opt(year, day, month)
}

/// Day, month and year of a date's text, in whichever order it writes them.
fn parts(text: &str) -> Result<(u32, u32, i32), String> {
    let not = || format!("{text:?} is not a DD/MM/YYYY date");
    let t = latin(text);
    let day_part = t.split([' ', 'T']).next().unwrap_or_default();
    let parts: Vec<&str> = day_part.split(['/', '-', '.']).collect();
    let [a, b, c] = parts.as_slice() else {
        return Err(not());
    };
    let number = |s: &str, widths: &[usize]| {
        (widths.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    let (d, m, y) = if a.len() == 4 {
        (number(c, &[1, 2]), number(b, &[1, 2]), number(a, &[4]))
    } else {
        (number(a, &[1, 2]), number(b, &[1, 2]), number(c, &[4]))
    };
    match (d, m, y.and_then(|y| i32::try_from(y).ok())) {
        (Some(d), Some(m), Some(y)) => Ok((d, m, y)),
        _ => Err(not()),
    }
}

/// The spreadsheet letter of the column at `index` (0 is `A`, 26 is `AA`).
pub fn letter(index: usize) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(char::from(b'A' + u8::try_from(rem).unwrap_or(0)));
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn amounts_read_exactly_whatever_the_digits_or_grouping() {
        for (text, want) in [
            ("1,200.00", "1200.00"),
            ("-1,200.50", "-1200.50"),
            ("1 200.50", "1200.50"),
            ("1\u{a0}234\u{a0}567.5", "1234567.5"),
            ("١٬٢٠٠٫٥٠", "1200.50"),
            ("\u{200f}-٤٦٠٫٠٠\u{200f}", "-460.00"),
            ("  413.83 ", "413.83"),
            ("\u{2212}5", "-5"),
            ("12", "12"),
        ] {
            assert_eq!(decimal(text).unwrap().to_string(), want, "{text}");
        }
        for text in [
            "1 200,00", "1.200,00", "12,5", "1,20.00", "1,2345", "", "12 SAR",
        ] {
            assert!(decimal(text).is_err(), "{text:?} should be refused");
        }
        assert_eq!(percent("٦٫٥٪").unwrap().to_string(), "6.5");
        assert_eq!(whole("٤").unwrap(), 4);
        assert!(whole("3.5").is_err() && whole("-1").is_err());
    }

    #[test]
    fn dates_are_day_first_and_a_month_first_date_is_refused() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(date("13/01/2026").unwrap(), d(2026, 1, 13));
        assert_eq!(date("05/06/2026").unwrap(), d(2026, 6, 5));
        assert_eq!(date("٠٣/١٢/٢٠٢٦").unwrap(), d(2026, 12, 3));
        assert_eq!(date("2026-12-01").unwrap(), d(2026, 12, 1));
        assert_eq!(date("01/12/2026 10:30").unwrap(), d(2026, 12, 1));
        assert!(date("01/13/2026").unwrap_err().contains("month/day"));
        for bad in ["01/12/26", "31/02/2026", "2026-12-01x", "1/2", "yesterday"] {
            assert!(date(bad).is_err(), "{bad:?} should be refused");
        }
        assert_eq!(month_first("05/06/2026"), Some(d(2026, 5, 6)));
        assert_eq!(month_first("13/06/2026"), None);
        assert_eq!(month_first("2026-06-05"), None);
        assert_eq!(
            (letter(0), letter(25), letter(26)),
            ("A".into(), "Z".into(), "AA".into())
        );
    }
}
