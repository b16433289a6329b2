-- An access event's idempotency key lives on its audit row (SPEC §2: the
-- key is recorded in the same transaction as the effect, and here the row
-- is the whole effect): a UUIDv5 of consumer, tenantid, source and id, so
-- a redelivered event inserts nothing (ON CONFLICT DO NOTHING) and
-- ingestd writes one row per access event instead of two.  Lifecycle
-- entries carry no key (NULL) and stay out of the index.
-- stored_at is when the row was written (its transaction's start): for an
-- access event, stored_at - at is how long it waited to reach the trail
-- (SPEC §7: at most 2 s at the bench's load).
ALTER TABLE audit_events
    ADD COLUMN event_key uuid,
    ADD COLUMN stored_at timestamptz NOT NULL DEFAULT now();
CREATE UNIQUE INDEX audit_by_event_key ON audit_events (event_key)
    WHERE event_key IS NOT NULL;
