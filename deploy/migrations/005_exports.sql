-- Rendered exports (TXT, PDF, JSON), stored until their download link
-- expires; the download link is signed, so the id alone opens nothing.

CREATE TABLE exports (
    tenant_id       text        NOT NULL,
    export_id       uuid        NOT NULL UNIQUE,
    conversation_id text        NOT NULL,
    share_id        uuid,
    format          text        NOT NULL
        CHECK (format IN ('txt', 'pdf', 'json')),
    annotated       boolean     NOT NULL,
    requested_by    text        NOT NULL,
    filename        text        NOT NULL,
    content_type    text        NOT NULL,
    bytes           bigint      NOT NULL,
    -- SHA-256 of content, lowercase hex.
    sha256          text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    content         bytea       NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, export_id)
);
CREATE INDEX exports_expiry ON exports (expires_at);
