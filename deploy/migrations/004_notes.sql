-- Notes added through share links (SPEC §4: written before the answer,
-- shown on the page, the JSON view and annotated exports).

CREATE TABLE notes (
    tenant_id       text        NOT NULL,
    note_id         uuid        NOT NULL,
    share_id        uuid        NOT NULL,
    conversation_id text        NOT NULL,
    -- The message the note is about; NULL: the conversation as a whole.
    message_id      text,
    author          text        NOT NULL,
    author_role     text        NOT NULL,
    body            text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, note_id),
    FOREIGN KEY (tenant_id, share_id) REFERENCES shares (tenant_id, share_id)
);
CREATE INDEX notes_by_share ON notes (tenant_id, share_id, created_at);
CREATE INDEX notes_by_conversation
    ON notes (tenant_id, conversation_id, created_at);
