//! The gateway's dispute calls — **third-party-sourced** paths (reference §5.11): the list is a
//! read (retried like any other), the comment a write (sent once).

use tamara::model::WithRaw;
use tamara::model::dispute::{DisputeFilter, DisputeList, DisputeUpdated};

use super::{Gateway, GatewayError, retry};

impl Gateway {
    /// `GET {path}` with `filter`.
    pub async fn disputes(
        &self,
        path: &str,
        filter: &DisputeFilter,
    ) -> Result<WithRaw<DisputeList>, GatewayError> {
        read!(self, self.client.disputes(path, filter))
    }

    /// `POST {path}{dispute_id}` with a comment.
    pub async fn comment_dispute(
        &self,
        path: &str,
        dispute_id: i64,
        comment: &str,
    ) -> Result<WithRaw<DisputeUpdated>, GatewayError> {
        self.write(self.client.comment_dispute(path, dispute_id, comment))
            .await
    }
}
