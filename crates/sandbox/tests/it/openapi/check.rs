//! Judging one simulator answer by the OpenAPI file, and counting what was judged.
//!
//! An accepted answer must be 2xx, validate against the operation's response schema, and have
//! every key of the documented example it matches (the one whose `status`/`message`/flags
//! equal the answer's) with a compatible type. A refusal must carry the expected status and
//! code and the keys of the operation's error example; when it reproduces that example (same
//! code) its message and `data` must be the example's, ids aside. Every check is tallied per
//! operation so the suite can assert that nothing was skipped.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::oas::{Oas, violations};
use crate::common::conforms;

/// Why a request was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One of the file's own request examples (or, for an operation without a body, its
    /// example parameters), real ids put in.
    Example,
    /// The example changed on purpose (an amount that fits the prepared order, another
    /// documented answer, an error case, a PHP-style empty object).
    Variant,
    /// A body or variant recorded from Tamara's PHP SDK (`tests/fixtures/php-sdk`).
    Php,
    /// Preparing state for another operation's case.
    Setup,
}

/// What was checked for one operation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub examples: usize,
    pub variants: usize,
    pub php: usize,
    pub setup: usize,
    /// Answers validated against a response schema of the file.
    pub schema: usize,
    /// Answers checked against the keys of a response example of the file.
    pub keys: usize,
    /// Refusals checked against the file's error examples.
    pub errors: usize,
}

/// Top-level fields that tell the documented variants of one answer apart.
const DISCRIMINATORS: [&str; 7] = [
    "status",
    "message",
    "auto_captured",
    "is_id_verified",
    "has_available_payment_options",
    "single_checkout_enabled",
    "order_was_voided",
];

pub struct Checker<'a> {
    oas: &'a Oas,
    pub tally: BTreeMap<String, Tally>,
    /// `(operation, status, example name)` of every documented answer the simulator gave.
    pub matched: BTreeSet<(String, u16, String)>,
}

fn same_variant(example: &Value, answer: &Value) -> bool {
    DISCRIMINATORS
        .iter()
        .all(|k| match (example.get(k), answer.get(k)) {
            (Some(e), Some(a)) => e == a,
            _ => true,
        })
}

fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl<'a> Checker<'a> {
    pub fn new(oas: &'a Oas) -> Self {
        Self {
            oas,
            tally: BTreeMap::new(),
            matched: BTreeSet::new(),
        }
    }

    fn count(&mut self, op: &str, kind: Kind) -> &mut Tally {
        let t = self.tally.entry(op.to_owned()).or_default();
        match kind {
            Kind::Example => t.examples += 1,
            Kind::Variant => t.variants += 1,
            Kind::Php => t.php += 1,
            Kind::Setup => t.setup += 1,
        }
        t
    }

    /// A 2xx answer of `op`: schema, then the matching example's keys.
    pub fn accepted(&mut self, op: &str, kind: Kind, status: u16, body: &Value, what: &str) {
        assert!(
            (200..300).contains(&status),
            "{op} ({what}) was refused with {status}: {body}"
        );
        self.count(op, kind);
        if let Some(schema) = self.oas.response_schema(op, status) {
            let bad = violations(&schema, body);
            assert!(
                bad.is_empty(),
                "{op} ({what}) breaks its schema: {bad:#?}\n{body}"
            );
            self.count_only(op).schema += 1;
        }
        let examples = self.oas.operation(op).response_examples(status);
        if examples.is_empty() {
            return;
        }
        let names: Vec<&str> = examples.iter().map(|(n, _)| n.as_str()).collect();
        let Some((name, example)) = examples.iter().find(|(_, e)| same_variant(e, body)) else {
            panic!("{op} ({what}) matches none of the documented answers {names:?}: {body}");
        };
        let mut errors = Vec::new();
        conforms(example, body, "$", &mut errors);
        // An empty list trivially has every key: a documented non-empty list must not be.
        if example.as_array().is_some_and(|e| !e.is_empty())
            && body.as_array().is_some_and(Vec::is_empty)
        {
            errors.push("$: empty where the example lists elements".to_owned());
        }
        assert!(
            errors.is_empty(),
            "{op} ({what}) vs example {name:?}: {errors:#?}\n{body}"
        );
        self.count_only(op).keys += 1;
        self.matched.insert((op.to_owned(), status, name.clone()));
    }

    fn count_only(&mut self, op: &str) -> &mut Tally {
        self.tally.entry(op.to_owned()).or_default()
    }

    /// A refusal of `op` with `status` and `code`. `real_order_id` stands where the file's
    /// error example names its order (its message and data are compared).
    #[allow(clippy::too_many_arguments)]
    pub fn refused(
        &mut self,
        op: &str,
        kind: Kind,
        (status, body): (u16, &Value),
        (want_status, want_code): (u16, &str),
        real_order_id: Option<&str>,
        what: &str,
    ) {
        assert_eq!(status, want_status, "{op} ({what}): {body}");
        assert_eq!(
            body["errors"][0]["error_code"], want_code,
            "{op} ({what}): {body}"
        );
        self.count(op, kind);
        // The operation's own error example for this status, else the file's first one: every
        // error example of the file has the same five keys.
        let own = self.oas.operation(op).response_examples(status);
        let (name, example) = match own.into_iter().next() {
            Some(e) => e,
            None => self.any_error_example(),
        };
        let mut errors = Vec::new();
        conforms(&example, body, "$", &mut errors);
        assert!(
            errors.is_empty(),
            "{op} ({what}) vs error example {name:?}: {errors:#?}\n{body}"
        );
        self.count_only(op).errors += 1;
        let reproduced = example["errors"][0]["error_code"] == want_code;
        if !reproduced || self.oas.operation(op).response(status).is_none() {
            return;
        }
        // The documented refusal itself: the same message and data, the example's order id
        // standing for the real one.
        let example_id = example["errors"][0]["data"]["order_id"].as_str();
        let swap = |s: &str| match (example_id, real_order_id) {
            (Some(e), Some(r)) => s.replace(e, r),
            _ => s.to_owned(),
        };
        let want_message = swap(example["message"].as_str().unwrap_or_default());
        let got_message = body["message"].as_str().unwrap_or_default();
        assert_eq!(
            squeeze(got_message),
            squeeze(&want_message),
            "{op} ({what})"
        );
        for (k, v) in example["errors"][0]["data"]
            .as_object()
            .into_iter()
            .flatten()
        {
            let want = match v.as_str() {
                Some(s) => Value::String(swap(s)),
                None => v.clone(),
            };
            assert_eq!(body["errors"][0]["data"][k], want, "{op} ({what}) data.{k}");
        }
        self.matched.insert((op.to_owned(), status, name));
    }

    fn any_error_example(&self) -> (String, Value) {
        for op in self.oas.operations() {
            for status in op.statuses().into_iter().filter(|s| *s >= 400) {
                if let Some(e) = op.response_examples(status).into_iter().next() {
                    return (format!("{} {status} {}", op.id, e.0), e.1);
                }
            }
        }
        panic!("the OpenAPI file has no error example");
    }
}
