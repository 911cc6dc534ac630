-- Checkpoints by seq: the latest signed tree head (every proof), the head of a given size, and
-- audit:verify's (seq, id) order were full scans of AccessLogCheckpoint (20,000 rows at 10M
-- entries with a head every 500), as was the insert trigger's "at or after every existing one".
CREATE INDEX "AccessLogCheckpoint_seq_id_idx" ON "AccessLogCheckpoint"("seq", "id");
