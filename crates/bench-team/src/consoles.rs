//! The consoles: each one a finance user with a token of their own, sending a fixed sequence
//! of `POST /api/v1/orders/page` requests one after another (a person clicking through the
//! order list, with no think time), all consoles at once.
//!
//! Owns the query mix. Requests come in sessions of three: the first page of a query, the
//! next page of it (pinned to the first page's `arrival_mark` with `arrived_upto`, as the app
//! does, since the order list has no cursor: paging is by offset), and a jump to page 21. The
//! queries cycle through [`Kind`]: no filter, a status, a currency, a status and a currency,
//! and a free-text search; the values cycle with the console and the session, so the consoles
//! do not all ask the same thing at the same moment.
//!
//! Invariants: the sequence depends only on (console, request number), so two runs send the
//! same requests; a request counts as a latency sample only when answered 200 with a page.

use std::time::{Duration, Instant};

use mizan_core::desktop::orders::{OrdersPage, OrdersQuery};
use serde::Serialize;

/// What a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// No filter: the whole list, newest first.
    All,
    /// One status.
    Status,
    /// One currency.
    Currency,
    /// A status and a currency.
    StatusCurrency,
    /// Free text: a name, a reference or an email fragment (the trigram index).
    Search,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::All,
        Kind::Status,
        Kind::Currency,
        Kind::StatusCurrency,
        Kind::Search,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Kind::All => "no filter",
            Kind::Status => "status",
            Kind::Currency => "currency",
            Kind::StatusCurrency => "status + currency",
            Kind::Search => "text search",
        }
    }
}

/// Where in a session a request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Offset 0.
    First,
    /// Offset one page, pinned to the first page's arrival mark.
    Next,
    /// Offset 20 pages, pinned.
    Jump,
}

const STATUSES: [&str; 5] = [
    "authorised",
    "fully_captured",
    "declined",
    "partially_refunded",
    "new",
];
const CURRENCIES: [&str; 3] = ["SAR", "AED", "KWD"];
/// Names, a surname, a reference prefix and an email fragment of the seeded orders.
const SEARCHES: [&str; 5] = ["Layla", "Haddad", "SEED-00012", "omar.77", "Reem Nasser"];

/// Request `n` of console `console`: its kind, step and query (before pinning).
pub fn request(console: usize, n: usize, limit: u32) -> (Kind, Step, OrdersQuery) {
    let session = n / 3;
    let step = match n % 3 {
        0 => Step::First,
        1 => Step::Next,
        _ => Step::Jump,
    };
    let kind = Kind::ALL[(console + session) % Kind::ALL.len()];
    let pick = console.wrapping_mul(7) + session;
    let mut q = OrdersQuery {
        limit,
        ..OrdersQuery::default()
    };
    let status = || vec![STATUSES[pick % STATUSES.len()].to_owned()];
    let currency = || Some(CURRENCIES[pick % CURRENCIES.len()].to_owned());
    match kind {
        Kind::All => {}
        Kind::Status => q.statuses = status(),
        Kind::Currency => q.currency = currency(),
        Kind::StatusCurrency => {
            q.statuses = status();
            q.currency = currency();
        }
        Kind::Search => q.text = Some(SEARCHES[pick % SEARCHES.len()].to_owned()),
    }
    q.offset = match step {
        Step::First => 0,
        Step::Next => limit,
        Step::Jump => limit.saturating_mul(20),
    };
    (kind, step, q)
}

/// Where to send and how much.
#[derive(Debug, Clone)]
pub struct Load {
    pub base_url: String,
    pub limit: u32,
    /// Requests per console.
    pub requests: usize,
}

/// One answered request.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub kind: Kind,
    pub step: Step,
    pub micros: u64,
    /// Rows on the page.
    pub rows: usize,
}

/// Everything the consoles measured.
#[derive(Debug, Clone, Default)]
pub struct LoadResult {
    pub samples: Vec<Sample>,
    pub errors: usize,
    /// The first error's text, to say why requests failed.
    pub first_error: Option<String>,
    /// First send to last answer.
    pub elapsed: Duration,
}

/// Runs every console at once; returns when all have sent their requests.
pub async fn run(http: &reqwest::Client, load: &Load, tokens: &[String]) -> LoadResult {
    let started = Instant::now();
    let tasks: Vec<_> = tokens
        .iter()
        .enumerate()
        .map(|(c, token)| tokio::spawn(console(http.clone(), load.clone(), c, token.clone())))
        .collect();
    let mut all = LoadResult::default();
    for task in tasks {
        match task.await {
            Ok(r) => {
                all.samples.extend(r.samples);
                all.errors += r.errors;
                all.first_error = all.first_error.or(r.first_error);
            }
            Err(e) => {
                all.errors += load.requests;
                all.first_error
                    .get_or_insert(format!("a console failed: {e}"));
            }
        }
    }
    all.elapsed = started.elapsed();
    all
}

async fn console(http: reqwest::Client, load: Load, c: usize, token: String) -> LoadResult {
    let url = format!("{}/api/v1/orders/page", load.base_url);
    let mut out = LoadResult::default();
    let mut mark = None;
    for n in 0..load.requests {
        let (kind, step, mut query) = request(c, n, load.limit);
        if step != Step::First {
            query.arrived_upto = mark;
        }
        let sent = Instant::now();
        match send(&http, &url, &token, &query).await {
            Ok(page) => {
                out.samples.push(Sample {
                    kind,
                    step,
                    micros: u64::try_from(sent.elapsed().as_micros()).unwrap_or(u64::MAX),
                    rows: page.rows.len(),
                });
                if step == Step::First {
                    mark = Some(page.arrival_mark);
                }
            }
            Err(e) => {
                out.errors += 1;
                out.first_error.get_or_insert(e);
            }
        }
    }
    out
}

async fn send(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    query: &OrdersQuery,
) -> Result<OrdersPage, String> {
    let r = http
        .post(url)
        .bearer_auth(token)
        .json(query)
        .timeout(Duration::from_secs(60))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = r.status();
    if !status.is_success() {
        let body = r.text().await.unwrap_or_default();
        return Err(format!(
            "HTTP {status}: {}",
            body.chars().take(300).collect::<String>()
        ));
    }
    r.json::<OrdersPage>().await.map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn sessions_are_first_next_jump_and_every_kind_comes_round() {
        let steps: Vec<Step> = (0..3).map(|n| request(0, n, 50).1).collect();
        assert_eq!(steps, [Step::First, Step::Next, Step::Jump]);
        let offsets: Vec<u32> = (0..3).map(|n| request(0, n, 50).2.offset).collect();
        assert_eq!(offsets, [0, 50, 1000]);
        let kinds: std::collections::BTreeSet<Kind> =
            (0..15).map(|n| request(3, n, 50).0).collect();
        assert_eq!(kinds.len(), Kind::ALL.len());
        let (kind, _, q) = request(3, 0, 50);
        assert_eq!(kind, Kind::StatusCurrency);
        assert!(!q.statuses.is_empty() && q.currency.is_some());
        assert_eq!(request(1, 4, 50), request(1, 4, 50), "deterministic");
    }

    #[test]
    fn the_queries_are_what_the_server_parses() {
        for n in 0..30 {
            let (_, _, q) = request(n % 7, n, 50);
            q.to_core().unwrap();
        }
    }
}
