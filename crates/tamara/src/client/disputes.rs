//! The dispute calls of [`TamaraClient`] — **third-party-sourced** (reference §5.11): neither
//! path is in Tamara's OpenAPI file, so both take the list path from the caller
//! ([`crate::model::dispute::DEFAULT_DISPUTES_PATH`] is the third-party profile's).
//!
//! Invariants: the path keeps its trailing slash when it has one (the profile writes
//! `…/disputes/`); the update is `multipart/form-data` with one `comment` part, as the profile
//! says, and a comment that is empty or over 255 characters is refused before anything is
//! sent.

use reqwest::Method;

use super::TamaraClient;
use crate::error::ApiError;
use crate::model::WithRaw;
use crate::model::dispute::{DisputeFilter, DisputeList, DisputeUpdated, MAX_COMMENT_CHARS};

/// The boundary of the update's multipart body (fixed: the comment is the only part, and a
/// boundary that could occur in it is refused).
const BOUNDARY: &str = "mizan-dispute-comment-7d1f0c2a";

impl TamaraClient {
    /// `GET {path}?filters`: the merchant's disputes.
    pub async fn disputes(
        &self,
        path: &str,
        filter: &DisputeFilter,
    ) -> Result<WithRaw<DisputeList>, ApiError> {
        let segments = segments(path, None);
        let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
        self.call::<(), _>(Method::GET, &segments, &filter.query(), None)
            .await
    }

    /// `POST {path}{dispute_id}` with a `comment` (multipart form).
    pub async fn comment_dispute(
        &self,
        path: &str,
        dispute_id: i64,
        comment: &str,
    ) -> Result<WithRaw<DisputeUpdated>, ApiError> {
        let body = comment_form(comment)?;
        let segments = segments(path, Some(dispute_id));
        let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
        let url = self.url(&segments, &[])?;
        let host = url.host_str().unwrap_or("").to_owned();
        let req = self
            .http
            .post(url)
            .bearer_auth(self.token.expose())
            .header(reqwest::header::ACCEPT, "application/json")
            .header(
                reqwest::header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(body);
        let (status, raw) = self.answer(req, &host).await?;
        self.interpret(status, raw)
    }
}

/// The path's segments, an empty last one for a trailing slash, then the id if any.
fn segments(path: &str, id: Option<i64>) -> Vec<String> {
    let mut out: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    match id {
        Some(id) => out.push(id.to_string()),
        None if path.ends_with('/') => out.push(String::new()),
        None => {}
    }
    out
}

/// The multipart body with the one `comment` part.
///
/// # Errors
/// [`ApiError::Encode`] for an empty comment, one over 255 characters, or one holding the
/// boundary.
pub fn comment_form(comment: &str) -> Result<Vec<u8>, ApiError> {
    let trimmed = comment.trim();
    if trimmed.is_empty() {
        return Err(ApiError::Encode("a dispute comment cannot be empty".into()));
    }
    let n = trimmed.chars().count();
    if n > MAX_COMMENT_CHARS {
        return Err(ApiError::Encode(format!(
            "a dispute comment has at most {MAX_COMMENT_CHARS} characters; this one has {n}"
        )));
    }
    if trimmed.contains(BOUNDARY) {
        return Err(ApiError::Encode(
            "the comment contains the form's boundary".into(),
        ));
    }
    Ok(format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"comment\"\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n{trimmed}\r\n--{BOUNDARY}--\r\n"
    )
    .into_bytes())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn paths_keep_their_trailing_slash_and_take_the_id() {
        let p = crate::model::dispute::DEFAULT_DISPUTES_PATH;
        assert_eq!(
            segments(p, None),
            ["external", "merchants", "orders", "disputes", ""]
        );
        assert_eq!(
            segments(p, Some(41)),
            ["external", "merchants", "orders", "disputes", "41"]
        );
    }

    #[test]
    fn a_comment_is_one_form_part_and_bad_ones_are_refused() {
        let body = String::from_utf8(comment_form(" shipped on 2 Dec ").unwrap()).unwrap();
        assert!(body.contains("name=\"comment\"\r\n"));
        assert!(body.contains("\r\n\r\nshipped on 2 Dec\r\n"));
        assert!(comment_form("  ").is_err());
        assert!(comment_form(&"x".repeat(256)).is_err());
        assert!(comment_form(&"x".repeat(255)).is_ok());
    }
}
