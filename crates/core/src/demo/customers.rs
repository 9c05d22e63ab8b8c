//! Made-up shoppers and baskets for the demo: varied enough to make the order list, search and
//! the dashboard look like a shop's, deterministic from a seed so tests can rely on them.

use tamara::model::checkout::CheckoutRequest;
use tamara::model::{Address, Consumer, MerchantUrl};
use tamara::model::{Item, PaymentType};
use tamara::money::{Currency, Money, MoneyError};

/// A small deterministic generator (SplitMix64): no dependency, same sequence per seed.
#[derive(Debug, Clone)]
pub struct Dice(u64);

impl Dice {
    pub fn new(seed: u64) -> Dice {
        Dice(seed)
    }

    pub fn roll(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.roll() % n.max(1)
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let i = usize::try_from(self.below(items.len() as u64)).unwrap_or(0);
        &items[i.min(items.len().saturating_sub(1))]
    }
}

const FIRST: [&str; 12] = [
    "Sara", "Omar", "Layla", "Khalid", "Noura", "Faisal", "Huda", "Yousef", "Reem", "Tariq",
    "Maha", "Ali",
];
const LAST: [&str; 10] = [
    "Khalid",
    "Al-Harbi",
    "Al-Qahtani",
    "Haddad",
    "Al-Mansour",
    "Nasser",
    "Al-Otaibi",
    "Saleh",
    "Al-Zahrani",
    "Farouk",
];
const PRODUCTS: [(&str, &str, u64); 8] = [
    ("LAMP-991", "Desk lamp", 19_500),
    ("CHAIR-12", "Office chair", 89_900),
    ("MUG-4", "Coffee mug set", 6_500),
    ("RUG-77", "Wool rug", 145_000),
    ("KETTLE-2", "Electric kettle", 24_900),
    ("HEAD-9", "Headphones", 59_900),
    ("BAG-31", "Travel bag", 32_000),
    ("PLANT-5", "Indoor plant", 8_900),
];

/// A checkout for demo order number `n` with a random shopper and basket, in SAR (most
/// orders) or AED. `base` is where the redirect pages are (the in-app receiver).
///
/// # Errors
/// None in practice: whole halalas always make valid 2-dp money.
pub fn checkout(dice: &mut Dice, n: u64, base: &str) -> Result<CheckoutRequest, MoneyError> {
    let currency = if dice.chance(80) {
        Currency::Sar
    } else {
        Currency::Aed
    };
    let first = *dice.pick(&FIRST);
    let last = *dice.pick(&LAST);
    let (sku, name, halalas) = *dice.pick(&PRODUCTS);
    let quantity = 1 + dice.below(3);
    // Prices are whole halalas/fils: exact at 2 dp.
    let minor = |n: u64| rust_decimal::Decimal::new(i64::try_from(n).unwrap_or(i64::MAX), 2);
    let unit = Money::new(minor(halalas), currency)?;
    let total = Money::new(minor(halalas * quantity), currency)?;
    let reference = format!("DEMO-{n:06}");
    let phone = format!("5{:08}", dice.below(100_000_000));
    let email = format!(
        "{}.{}@example.test",
        first.to_ascii_lowercase(),
        last.to_ascii_lowercase().replace('-', "")
    );
    let country = if currency == Currency::Sar {
        "SA"
    } else {
        "AE"
    };
    Ok(CheckoutRequest {
        order_reference_id: reference.clone(),
        order_number: Some(format!("{n}")),
        total_amount: total,
        shipping_amount: Money::zero(currency),
        tax_amount: Money::zero(currency),
        discount: None,
        description: format!("{quantity} × {name}"),
        country_code: country.into(),
        payment_type: PaymentType::PayByInstalments,
        instalments: Some(3),
        locale: Some("en_US".into()),
        items: vec![Item {
            reference_id: format!("{reference}-1"),
            kind: "Physical".into(),
            name: name.into(),
            sku: sku.into(),
            quantity: u32::try_from(quantity).unwrap_or(1),
            total_amount: total,
            unit_price: Some(unit),
            discount_amount: None,
            tax_amount: None,
            image_url: None,
            item_url: None,
        }],
        consumer: Consumer {
            first_name: first.into(),
            last_name: last.into(),
            phone_number: phone.clone(),
            email: Some(email),
            ..Consumer::default()
        },
        shipping_address: Address {
            first_name: first.into(),
            last_name: last.into(),
            line1: "12 Olaya St".into(),
            city: if currency == Currency::Sar {
                "Riyadh"
            } else {
                "Dubai"
            }
            .into(),
            country_code: country.into(),
            phone_number: Some(phone),
            ..Address::default()
        },
        billing_address: None,
        merchant_url: MerchantUrl {
            success: format!("{base}/checkout/success"),
            failure: format!("{base}/checkout/failure"),
            cancel: format!("{base}/checkout/cancel"),
            notification: None,
        },
        platform: Some("Mizan demo".into()),
        is_mobile: Some(false),
        risk_assessment: None,
        additional_data: None,
        expires_in_minutes: None,
    })
}
