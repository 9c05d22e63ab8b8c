//! An order statement, or the receipt of one money move, as a printable HTML page: what a
//! finance person hands a customer or files ("print, or save as PDF").
//!
//! Invariants: everything from outside (names, references, items, notes) is HTML-escaped;
//! amounts are exact at the currency's precision with the currency code; only succeeded moves
//! are listed as done, others are named with their state; the page carries its own language
//! and direction (`ar` is right to left) and needs nothing from the network.

use chrono::{DateTime, Utc};

use super::CachedOrder;
use crate::error::{Error, Result};
use crate::html::escape as esc;
use crate::store::ledger::{LedgerEntry, LedgerKind, LedgerState};

/// The page's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Ar,
}

impl Lang {
    /// `ar` is Arabic; anything else English.
    pub fn of(locale: Option<&str>) -> Lang {
        if locale.is_some_and(|l| l.trim().eq_ignore_ascii_case("ar")) {
            Lang::Ar
        } else {
            Lang::En
        }
    }
}

/// The page's words in one language.
struct Words {
    statement: &'static str,
    receipt: &'static str,
    reference: &'static str,
    tamara_id: &'static str,
    created: &'static str,
    status: &'static str,
    customer: &'static str,
    items: &'static str,
    item: &'static str,
    qty: &'static str,
    amount: &'static str,
    moves: &'static str,
    when: &'static str,
    what: &'static str,
    note: &'static str,
    totals: &'static str,
    total: &'static str,
    captured: &'static str,
    refunded: &'static str,
    canceled: &'static str,
    generated: &'static str,
    none: &'static str,
}

const EN: Words = Words {
    statement: "Order statement",
    receipt: "Receipt",
    reference: "Reference",
    tamara_id: "Tamara order id",
    created: "Created",
    status: "Status",
    customer: "Customer",
    items: "Items",
    item: "Item",
    qty: "Qty",
    amount: "Amount",
    moves: "Money movements",
    when: "When (UTC)",
    what: "What",
    note: "Note / Tamara id",
    totals: "Totals",
    total: "Order total",
    captured: "Captured",
    refunded: "Refunded",
    canceled: "Canceled",
    generated: "Generated",
    none: "None yet",
};

const AR: Words = Words {
    statement: "كشف الطلب",
    receipt: "إيصال",
    reference: "المرجع",
    tamara_id: "معرّف الطلب في تمارا",
    created: "أُنشئ",
    status: "الحالة",
    customer: "العميل",
    items: "المنتجات",
    item: "المنتج",
    qty: "الكمية",
    amount: "المبلغ",
    moves: "الحركات المالية",
    when: "الوقت (UTC)",
    what: "العملية",
    note: "ملاحظة / معرّف تمارا",
    totals: "الإجماليات",
    total: "إجمالي الطلب",
    captured: "المحصَّل",
    refunded: "المسترد",
    canceled: "الملغى",
    generated: "أُنشئ الكشف",
    none: "لا شيء بعد",
};

fn kind_word(kind: LedgerKind, lang: Lang) -> &'static str {
    match (kind, lang) {
        (LedgerKind::Authorise, Lang::En) => "Authorisation",
        (LedgerKind::Capture, Lang::En) => "Capture",
        (LedgerKind::Refund, Lang::En) => "Refund",
        (LedgerKind::Cancel, Lang::En) => "Cancellation",
        (LedgerKind::Authorise, Lang::Ar) => "تفويض",
        (LedgerKind::Capture, Lang::Ar) => "تحصيل",
        (LedgerKind::Refund, Lang::Ar) => "استرداد",
        (LedgerKind::Cancel, Lang::Ar) => "إلغاء",
    }
}

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

/// The statement of `c` (every money move), or with `entry` the receipt of that one move.
///
/// # Errors
/// [`Error::Invalid`] when `entry` is not a move of this order.
pub fn render(
    c: &CachedOrder,
    entry: Option<i64>,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<String> {
    let w = match lang {
        Lang::En => &EN,
        Lang::Ar => &AR,
    };
    let o = &c.order;
    let moves: Vec<&LedgerEntry> = match entry {
        None => c.ledger.iter().collect(),
        Some(id) => {
            let one = c.ledger.iter().find(|e| e.id == id).ok_or_else(|| {
                Error::Invalid(format!(
                    "money move {id} is not a move of order {}",
                    o.order_id
                ))
            })?;
            vec![one]
        }
    };
    let title = match entry {
        None => format!("{} — {}", w.statement, o.order_reference_id),
        Some(_) => format!(
            "{} — {} {}",
            w.receipt,
            kind_word(moves[0].kind, lang),
            o.order_reference_id
        ),
    };
    let (lang_code, dir) = match lang {
        Lang::En => ("en", "ltr"),
        Lang::Ar => ("ar", "rtl"),
    };
    let mut out = format!(
        "<!doctype html><html lang=\"{lang_code}\" dir=\"{dir}\"><head><meta charset=\"utf-8\">\
         <title>{t}</title><style>body{{font-family:sans-serif;max-width:48rem;margin:2rem auto;\
         color:#111}}table{{border-collapse:collapse;width:100%;margin-block:.5rem 1.5rem}}\
         td,th{{border:1px solid #bbb;padding:.35rem .5rem;text-align:start;vertical-align:top}}\
         .num{{text-align:end;font-variant-numeric:tabular-nums;white-space:nowrap}}\
         .id{{direction:ltr;unicode-bidi:isolate;font-family:monospace}}\
         @media print{{body{{margin:0}}}}</style></head><body><h1>{t}</h1>",
        t = esc(&title)
    );
    let customer = [&o.customer_name, &o.customer_phone, &o.customer_email]
        .iter()
        .filter_map(|v| v.as_deref())
        .map(esc)
        .collect::<Vec<_>>()
        .join(" · ");
    out.push_str(&format!(
        "<table><tr><th>{}</th><td class=\"id\">{}</td></tr><tr><th>{}</th><td class=\"id\">{}\
         </td></tr><tr><th>{}</th><td>{}</td></tr><tr><th>{}</th><td>{}</td></tr><tr><th>{}</th>\
         <td>{}</td></tr></table>",
        w.reference,
        esc(&o.order_reference_id),
        w.tamara_id,
        esc(&o.order_id),
        w.created,
        stamp(o.created_at),
        w.status,
        esc(&o.status),
        w.customer,
        if customer.is_empty() {
            "—".to_owned()
        } else {
            customer
        }
    ));
    if entry.is_none() && !c.items.is_empty() {
        out.push_str(&format!(
            "<h2>{}</h2><table><tr><th>{}</th><th>{}</th><th class=\"num\">{}</th></tr>",
            w.items, w.item, w.qty, w.amount
        ));
        for i in &c.items {
            let name = i.name.as_deref().or(i.sku.as_deref()).unwrap_or("—");
            out.push_str(&format!(
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                esc(name),
                i.quantity,
                esc(&i.total_amount.to_string())
            ));
        }
        out.push_str("</table>");
    }
    out.push_str(&format!(
        "<h2>{}</h2><table><tr><th>{}</th><th>{}</th><th class=\"num\">{}</th><th>{}</th></tr>",
        w.moves, w.when, w.what, w.amount, w.note
    ));
    if moves.is_empty() {
        out.push_str(&format!("<tr><td colspan=\"4\">{}</td></tr>", w.none));
    }
    for e in &moves {
        let state = if e.state == LedgerState::Succeeded {
            String::new()
        } else {
            format!(" ({})", e.state.as_str())
        };
        let said = [e.comment.as_deref(), e.gateway_id.as_deref()]
            .into_iter()
            .flatten()
            .map(esc)
            .collect::<Vec<_>>()
            .join("<br>");
        out.push_str(&format!(
            "<tr><td>{}</td><td>{}{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            stamp(e.occurred_at),
            kind_word(e.kind, lang),
            esc(&state),
            esc(&e.amount.to_string()),
            said
        ));
    }
    out.push_str("</table>");
    if entry.is_none() {
        out.push_str(&format!(
            "<h2>{}</h2><table><tr><th>{}</th><td class=\"num\">{}</td></tr><tr><th>{}</th>\
             <td class=\"num\">{}</td></tr><tr><th>{}</th><td class=\"num\">{}</td></tr><tr>\
             <th>{}</th><td class=\"num\">{}</td></tr></table>",
            w.totals,
            w.total,
            esc(&o.total.to_string()),
            w.captured,
            esc(&o.captured.to_string()),
            w.refunded,
            esc(&o.refunded.to_string()),
            w.canceled,
            esc(&o.canceled.to_string()),
        ));
    }
    out.push_str(&format!(
        "<p><small>{} {} UTC · Mizan · {}</small></p></body></html>\n",
        w.generated,
        stamp(now),
        esc(o.environment.as_str())
    ));
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::environment::Environment;
    use crate::money::{Currency, Money};
    use crate::store::ledger::LedgerSource;
    use crate::store::orders::OrderRecord;

    fn order() -> CachedOrder {
        let sar = |t: &str| Money::parse(t, Currency::Sar).unwrap();
        let at = Utc::now();
        let entry = |id: i64, kind, amount: &str, state, comment: Option<&str>| LedgerEntry {
            id,
            environment: Environment::Sandbox,
            order_id: "o-1".into(),
            kind,
            gateway_id: Some(format!("g-{id}")),
            amount: sar(amount),
            state,
            source: LedgerSource::Api,
            idempotency_ref: None,
            actor: "نورة".into(),
            comment: comment.map(str::to_owned),
            occurred_at: at,
            recorded_at: at,
            updated_at: at,
            request_summary: None,
            error: None,
            witness: None,
        };
        CachedOrder {
            order: OrderRecord {
                environment: Environment::Sandbox,
                order_id: "o-1".into(),
                order_reference_id: "REF-<1>".into(),
                order_number: None,
                status: "partially_refunded".into(),
                payment_type: None,
                instalments: None,
                total: sar("460"),
                authorised: sar("460"),
                captured: sar("460"),
                refunded: sar("100.5"),
                canceled: sar("0"),
                paid: sar("460"),
                customer_name: Some("سارة <script>".into()),
                customer_phone: Some("966500000001".into()),
                customer_email: None,
                country_code: Some("SA".into()),
                settlement_status: None,
                settlement_date: None,
                description: None,
                created_at: at,
                updated_at: at,
                last_synced_at: None,
                raw_json: None,
            },
            items: Vec::new(),
            ledger: vec![
                entry(
                    1,
                    LedgerKind::Capture,
                    "460",
                    LedgerState::Succeeded,
                    Some("two boxes"),
                ),
                entry(
                    2,
                    LedgerKind::Refund,
                    "100.5",
                    LedgerState::Succeeded,
                    Some("damaged"),
                ),
                entry(3, LedgerKind::Refund, "5", LedgerState::Unknown, None),
            ],
        }
    }

    #[test]
    fn a_statement_lists_every_move_exactly_and_escapes_what_came_from_outside() {
        let page = render(&order(), None, Lang::En, Utc::now()).unwrap();
        assert!(
            page.contains("REF-&lt;1&gt;") && !page.contains("<script>"),
            "{page}"
        );
        assert!(page.contains("460.00 SAR") && page.contains("100.50 SAR"));
        assert!(page.contains("two boxes") && page.contains("damaged"));
        assert!(
            page.contains("Refund (unknown)"),
            "an unsettled move is named as such"
        );
        assert!(page.contains("dir=\"ltr\""));
    }

    #[test]
    fn a_receipt_shows_one_move_in_the_chosen_language() {
        let page = render(&order(), Some(2), Lang::Ar, Utc::now()).unwrap();
        assert!(
            page.contains("dir=\"rtl\"") && page.contains("إيصال — استرداد"),
            "{page}"
        );
        assert!(
            page.contains("100.50 SAR") && !page.contains("460.00 SAR"),
            "{page}"
        );
        assert!(matches!(
            render(&order(), Some(9), Lang::En, Utc::now()),
            Err(Error::Invalid(_))
        ));
        assert_eq!(Lang::of(Some(" AR ")), Lang::Ar);
        assert_eq!(Lang::of(None), Lang::En);
    }
}
