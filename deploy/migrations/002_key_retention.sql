-- Idempotency keys older than IDEMPOTENCY_RETENTION_DAYS are pruned by the
-- consumer loop; this index keeps that cheap.
CREATE INDEX processed_events_by_age
    ON processed_events (consumer, processed_at);
