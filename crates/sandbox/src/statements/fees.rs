//! The fee rules of one statement line: fixed fee, variable fee, VAT on the fees, payable.
//!
//! Rounding is per line, half away from zero ("half-up" as accountants mean it: 0.005 → 0.01,
//! −0.005 → −0.01, so a refund mirrors its capture), at the currency's precision (2 for
//! SAR/AED/QAR, 3 for KWD/BHD/OMR). Every amount is rescaled to that precision so it prints as
//! `1.00`, never `1`.

use rust_decimal::{Decimal, RoundingStrategy};

use super::{RefundFees, StatementConfig};

/// The fee columns of one line, each at the currency's precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fees {
    pub fixed: Decimal,
    /// In percent points, as configured (`6.99`).
    pub variable_percent: Decimal,
    pub variable: Decimal,
    pub total: Decimal,
    pub vat: Decimal,
    pub payable: Decimal,
}

/// `amount` rounded half away from zero to `precision` places, written with exactly that many.
pub fn round_money(amount: Decimal, precision: u32) -> Decimal {
    let mut d = amount.round_dp_with_strategy(precision, RoundingStrategy::MidpointAwayFromZero);
    d.rescale(precision);
    d
}

fn percent_of(amount: Decimal, percent: Decimal, precision: u32) -> Decimal {
    round_money(amount * percent / Decimal::ONE_HUNDRED, precision)
}

impl Fees {
    /// A capture line: `variable = round(amount × pct)`, `total = fixed + variable`,
    /// `VAT = round(total × vat%)`, `payable = amount − total − VAT`.
    pub fn capture(amount: Decimal, precision: u32, config: &StatementConfig) -> Fees {
        let fixed = round_money(config.fixed_fee, precision);
        let variable = percent_of(amount, config.variable_percent, precision);
        Fees::from_parts(
            amount,
            fixed,
            config.variable_percent,
            variable,
            precision,
            config,
        )
    }

    /// A refund line (`amount` negative), by [`RefundFees`].
    pub fn refund(amount: Decimal, precision: u32, config: &StatementConfig) -> Fees {
        let zero = round_money(Decimal::ZERO, precision);
        match config.refund_fees {
            RefundFees::None => Fees {
                fixed: zero,
                variable_percent: Decimal::ZERO,
                variable: zero,
                total: zero,
                vat: zero,
                payable: round_money(amount, precision),
            },
            RefundFees::VariableReturned => {
                let variable = percent_of(amount, config.variable_percent, precision);
                Fees::from_parts(
                    amount,
                    zero,
                    config.variable_percent,
                    variable,
                    precision,
                    config,
                )
            }
        }
    }

    fn from_parts(
        amount: Decimal,
        fixed: Decimal,
        variable_percent: Decimal,
        variable: Decimal,
        precision: u32,
        config: &StatementConfig,
    ) -> Fees {
        let total = round_money(fixed + variable, precision);
        let vat = percent_of(total, config.vat_percent, precision);
        Fees {
            fixed,
            variable_percent,
            variable,
            total,
            vat,
            payable: round_money(amount - total - vat, precision),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn a_capture_pays_fixed_and_variable_fees_and_vat_on_them_rounded_per_line() {
        let c = StatementConfig::default();
        // 460.00 × 6.99 % = 32.154 → 32.15; fees 33.15; VAT 4.9725 → 4.97; 460 − 33.15 − 4.97.
        let f = Fees::capture(d("460.00"), 2, &c);
        assert_eq!(
            [f.fixed, f.variable, f.total, f.vat, f.payable].map(|x| x.to_string()),
            ["1.00", "32.15", "33.15", "4.97", "421.88"]
        );
        // Half away from zero: 150 × 6.99 % = 10.485 → 10.49 (bankers' would say 10.48).
        assert_eq!(Fees::capture(d("150"), 2, &c).variable.to_string(), "10.49");
        // Three places for KWD: 12.5 × 6.99 % = 0.87375 → 0.874; fees 1.874; VAT 0.2811 → 0.281.
        let k = Fees::capture(d("12.5"), 3, &c);
        assert_eq!(
            [k.fixed, k.variable, k.total, k.vat, k.payable].map(|x| x.to_string()),
            ["1.000", "0.874", "1.874", "0.281", "10.345"]
        );
    }

    #[test]
    fn a_refund_carries_no_fees_unless_the_variable_fee_is_returned() {
        let mut c = StatementConfig::default();
        let f = Fees::refund(d("-100"), 2, &c);
        assert_eq!(
            (f.total.to_string(), f.payable.to_string()),
            ("0.00".into(), "-100.00".into())
        );
        c.refund_fees = RefundFees::VariableReturned;
        let f = Fees::refund(d("-150"), 2, &c);
        // Mirrors the capture of 150: −10.49 fees, −1.57 VAT (1.5735), payable −137.94.
        assert_eq!(
            [f.fixed, f.variable, f.total, f.vat, f.payable].map(|x| x.to_string()),
            ["0.00", "-10.49", "-10.49", "-1.57", "-137.94"]
        );
    }
}
