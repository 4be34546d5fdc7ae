-- 0007: idempotency keys. A creating POST that carries an Idempotency-Key header (or,
-- from a page, the form's one-time nonce) claims the key before it runs; a retry with
-- the same key gets the first answer instead of creating a second post, thread, flag or
-- vote. The primary key is what makes "at most once" hold under concurrency.
CREATE TABLE idempotency_keys (
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key        text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    method     text NOT NULL,
    path       text NOT NULL,
    request    text NOT NULL,          -- BLAKE2b of the request body: a key reused with another body is refused
    state      text NOT NULL DEFAULT 'started' CHECK (state IN ('started', 'done')),
    status     integer,
    location   text,
    response   jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key),
    CHECK ((state = 'done') = (status IS NOT NULL))
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
