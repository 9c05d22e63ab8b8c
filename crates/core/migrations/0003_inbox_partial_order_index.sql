-- The receiver's acknowledgement waits for its inbox commit, and every page a commit touches is
-- written to the WAL. Indexing deliveries by order as they arrive touched one leaf per
-- delivery (orders are scattered through the index), about half the pages of each commit.
-- Pending deliveries are found through the queue index instead; a delivery enters this index
-- when it leaves 'pending' (the processor's write, after the answer).
DROP INDEX webhook_deliveries_by_order;
CREATE INDEX webhook_deliveries_by_order ON webhook_deliveries (environment, order_id, id)
    WHERE processing_state <> 'pending';
