-- Dead letters go through the outbox: written in the transaction that
-- refuses (and, for a deferred event, removes) the event, published by the
-- relay with the replies, deleted once Kafka confirmed them.  A dead letter
-- keeps the event's original bytes (raw, not always text) and its headers
-- ([[name, value], ...]); a reply has a payload and no raw.

ALTER TABLE outbox
    ALTER COLUMN payload DROP NOT NULL,
    ADD COLUMN raw     bytea,
    ADD COLUMN headers jsonb,
    ADD CONSTRAINT outbox_one_body CHECK ((payload IS NULL) <> (raw IS NULL));
