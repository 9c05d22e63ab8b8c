//! Anchors: heads of the chain noted off this machine, checked against the chain as it is.
//!
//! A keyed checkpoint proves the chain to whoever holds the key; an anchor proves it to
//! someone who kept a copy elsewhere (`mizan audit checkpoints --json` or `verify --json`,
//! mailed, printed or committed to another system). Each anchored `(seq, hash)` must still be
//! in the chain with that hash: a chain rewritten and re-signed by someone who took the key,
//! or cut below an anchored head, fails here even when every checkpoint checks.
//!
//! Invariant: reading an anchor writes nothing; an anchor file that names no head is refused,
//! never taken as "nothing to check".

use serde_json::Value;

use super::verify::{Breach, ChainBreak};
use crate::error::{Error, Result};
use crate::store::Store;
use crate::store::audit as chain_store;

/// One head of the chain as noted elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnchorPoint {
    pub seq: i64,
    pub hash: String,
}

/// The heads an anchor file names: the JSON of `mizan audit checkpoints --json` (an array of
/// checkpoints with `seq` and `head_hash`) or of `mizan audit verify --json` (its `head`).
/// Heads of an empty chain (seq 0) are skipped.
///
/// # Errors
/// [`Error::Invalid`] when the text is not such JSON or names no head.
pub fn parse(text: &str) -> Result<Vec<AnchorPoint>> {
    let v: Value = serde_json::from_str(text)
        .map_err(|e| Error::Invalid(format!("the anchor is not JSON: {e}")))?;
    let point = |seq: Option<&Value>, hash: Option<&Value>| -> Option<AnchorPoint> {
        Some(AnchorPoint {
            seq: seq?.as_i64()?,
            hash: hash?.as_str()?.to_owned(),
        })
    };
    let points: Vec<Option<AnchorPoint>> = match &v {
        Value::Array(rows) => rows
            .iter()
            .map(|r| point(r.get("seq"), r.get("head_hash")))
            .collect(),
        Value::Object(o) => match o.get("head") {
            Some(Value::Null) => vec![],
            Some(h) => vec![point(h.get("seq"), h.get("hash"))],
            None => vec![None],
        },
        _ => vec![None],
    };
    if points.iter().any(Option::is_none) {
        return Err(Error::Invalid(
            "the anchor is not the output of `mizan audit checkpoints --json` or \
             `mizan audit verify --json` (a head without seq and hash)"
                .into(),
        ));
    }
    let mut points: Vec<AnchorPoint> = points.into_iter().flatten().filter(|p| p.seq > 0).collect();
    if points.is_empty() {
        return Err(Error::Invalid(
            "the anchor names no head of the chain".into(),
        ));
    }
    points.sort_by_key(|p| p.seq);
    points.dedup();
    Ok(points)
}

/// The first anchored head the chain no longer has as noted, if any: cut
/// ([`Breach::Truncated`]) or with another hash ([`Breach::Rewritten`]).
///
/// # Errors
/// Store errors.
pub async fn check(store: &Store, points: &[AnchorPoint]) -> Result<Option<ChainBreak>> {
    for p in points {
        let found = chain_store::list_chain(store, 1, p.seq - 1).await?;
        match found.first() {
            Some(e) if e.seq == p.seq && e.hash == p.hash => {}
            Some(e) if e.seq == p.seq => {
                return Ok(Some(ChainBreak {
                    seq: p.seq,
                    breach: Breach::Rewritten,
                }));
            }
            _ => {
                let newest = chain_store::last(store).await?.map_or(0, |e| e.seq);
                return Ok(Some(ChainBreak {
                    seq: (newest + 1).min(p.seq),
                    breach: Breach::Truncated {
                        verified_seq: p.seq,
                    },
                }));
            }
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn reads_both_outputs_and_refuses_what_names_no_head() {
        let listed = r#"[{"id":1,"seq":0,"head_hash":"00"},{"id":2,"seq":7,"head_hash":"ab"},
            {"id":3,"seq":3,"head_hash":"cd"}]"#;
        let points = parse(listed).unwrap();
        assert_eq!(
            points,
            vec![
                AnchorPoint {
                    seq: 3,
                    hash: "cd".into()
                },
                AnchorPoint {
                    seq: 7,
                    hash: "ab".into()
                }
            ]
        );
        let verified = r#"{"intact":true,"head":{"seq":12,"hash":"ef"}}"#;
        assert_eq!(parse(verified).unwrap()[0].seq, 12);
        for bad in [
            "nope",
            "[]",
            r#"{"head":null}"#,
            r#"[{"seq":"x"}]"#,
            r#"{"a":1}"#,
            "3",
        ] {
            assert!(matches!(parse(bad), Err(Error::Invalid(_))), "{bad}");
        }
    }
}
