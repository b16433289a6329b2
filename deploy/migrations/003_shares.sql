-- Share links, the audit trail, cache writes waiting for Redis, and events
-- deferred until their conversation exists.

CREATE TABLE shares (
    tenant_id       text        NOT NULL,
    share_id        uuid        NOT NULL,
    conversation_id text        NOT NULL,
    -- SHA-256 of the token, lowercase hex; the token itself is never kept.
    token_hash      text        NOT NULL UNIQUE
        CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    audience        text        NOT NULL
        CHECK (audience IN ('team', 'external')),
    permission      text        NOT NULL
        CHECK (permission IN ('view', 'comment', 'edit')),
    min_role        text        NOT NULL
        CHECK (min_role IN ('viewer', 'agent', 'admin')),
    require_login   boolean     NOT NULL,
    expires_at      timestamptz,
    include         jsonb       NOT NULL DEFAULT '{}',
    redact          jsonb       NOT NULL DEFAULT '{}',
    context         jsonb,
    -- The last message seq at share time for a snapshot link; NULL: live.
    snapshot_seq    bigint,
    snapshot        boolean     NOT NULL DEFAULT false,
    recipients      jsonb       NOT NULL DEFAULT '[]',
    created_by      text        NOT NULL,
    created_by_role text        NOT NULL,
    escalation_id   text,
    review_tags     jsonb       NOT NULL DEFAULT '[]',
    -- Bumped on every change; cache entries carry it so an older write
    -- never replaces a newer one.
    version         bigint      NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    revoked_at      timestamptz,
    revoked_by      text,
    PRIMARY KEY (tenant_id, share_id)
);
CREATE INDEX shares_by_conversation ON shares (tenant_id, conversation_id);
CREATE UNIQUE INDEX shares_by_escalation ON shares (tenant_id, escalation_id)
    WHERE escalation_id IS NOT NULL;

CREATE TABLE audit_events (
    id              bigserial   PRIMARY KEY,
    tenant_id       text        NOT NULL,
    share_id        uuid,
    export_id       uuid,
    conversation_id text,
    at              timestamptz NOT NULL DEFAULT now(),
    type            text        NOT NULL,
    actor           text        NOT NULL,
    role            text,
    status          integer,
    reason          text,
    client          text,
    user_agent      text,
    details         jsonb
);
CREATE INDEX audit_by_share ON audit_events (tenant_id, share_id, at, id);

-- Cache writes queued in the transaction of their change and applied to
-- Redis after commit, in order; a row stays until Redis took it.
CREATE TABLE cache_pending (
    id         bigserial   PRIMARY KEY,
    cache_key  text        NOT NULL,
    value      text        NOT NULL,
    version    bigint      NOT NULL,
    ttl_ms     bigint      NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Events that name a conversation the read model does not hold yet.
CREATE TABLE deferred_events (
    id           bigserial   PRIMARY KEY,
    consumer     text        NOT NULL,
    tenant_id    text        NOT NULL,
    conv_key     text        NOT NULL,
    topic        text        NOT NULL,
    kafka_partition integer  NOT NULL,
    kafka_offset bigint      NOT NULL,
    payload      text        NOT NULL,
    first_seen   timestamptz NOT NULL DEFAULT now(),
    next_attempt timestamptz NOT NULL DEFAULT now(),
    attempts     integer     NOT NULL DEFAULT 0
);
CREATE INDEX deferred_due ON deferred_events (consumer, next_attempt);
CREATE INDEX deferred_queue ON deferred_events (consumer, tenant_id, conv_key, id);
