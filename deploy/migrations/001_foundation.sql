-- The conversation read model, idempotency keys and the outbox.
-- Every table that holds tenant data is keyed by tenant first.

CREATE TABLE conversations (
    tenant_id       text        NOT NULL,
    conversation_id text        NOT NULL,
    status          text        NOT NULL
        CHECK (status IN ('open', 'pending', 'escalated', 'resolved', 'closed')),
    channel         text,
    contact         jsonb,
    tags            jsonb       NOT NULL DEFAULT '[]',
    message_count   integer     NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, conversation_id)
);

CREATE TABLE messages (
    tenant_id       text        NOT NULL,
    conversation_id text        NOT NULL,
    message_id      text        NOT NULL,
    seq             bigint      NOT NULL,
    sender          text        NOT NULL
        CHECK (sender IN ('contact', 'ai', 'agent', 'system')),
    sender_name     text,
    body            text        NOT NULL,
    sent_at         timestamptz NOT NULL,
    internal        boolean     NOT NULL DEFAULT false,
    citations       jsonb       NOT NULL DEFAULT '[]',
    PRIMARY KEY (tenant_id, conversation_id, message_id),
    FOREIGN KEY (tenant_id, conversation_id)
        REFERENCES conversations (tenant_id, conversation_id)
        ON DELETE CASCADE
);
CREATE INDEX messages_by_seq ON messages (tenant_id, conversation_id, seq);

-- One row per consumed event, written in the transaction of its effects:
-- a redelivered event finds its key and has no second effect.
CREATE TABLE processed_events (
    consumer     text        NOT NULL,
    tenant_id    text        NOT NULL,
    source       text        NOT NULL,
    event_id     text        NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, tenant_id, source, event_id)
);

-- Replies written with the effects, published after commit, deleted once
-- their delivery is confirmed.
CREATE TABLE outbox (
    id         bigserial   PRIMARY KEY,
    topic      text        NOT NULL,
    msg_key    text,
    payload    text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
