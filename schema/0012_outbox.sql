-- 0012: outgoing mail. A message is inserted, fully built (RFC 5322 text), in the same
-- transaction as the change that causes it, so it exists exactly when that change does;
-- a worker thread of each instance sends it later (server/mail/outbox.c). A claim sets
-- next_attempt_at to a lease in the future and bumps attempts: another instance skips the
-- row (FOR UPDATE SKIP LOCKED, then the lease) until the sender marks it or crashes.

CREATE TABLE mail_outbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at      timestamptz NOT NULL DEFAULT now(),
    kind            text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_]{0,31}$'),
    to_addr         text NOT NULL CHECK (length(to_addr) BETWEEN 3 AND 254),
    subject         text NOT NULL CHECK (length(subject) <= 1000),
    message         text NOT NULL CHECK (length(message) <= 4 * 1024 * 1024),
    -- the one link of a reset or verification, logged when no SMTP server is set up
    -- (a laptop must finish every flow); forgotten once the message is sent
    link            text,
    state           text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'failed')),
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    sent_at         timestamptz,
    CHECK ((state = 'sent') = (sent_at IS NOT NULL))
);

CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE state = 'queued';
COMMENT ON INDEX mail_outbox_due IS 'the worker''s claim (MAIL_CLAIM) and its next wake-up (MAIL_NEXT_DUE)';
CREATE INDEX mail_outbox_state ON mail_outbox (state, created_at DESC) WHERE state <> 'sent';
COMMENT ON INDEX mail_outbox_state IS 'the admin''s list of queued and failed mail (MAIL_LIST)';

-- Wake the workers of every instance at commit (once per transaction: NOTIFY de-duplicates).
CREATE FUNCTION mail_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('corral_mail', 'queued');
    RETURN NULL;
END;
$$;
CREATE TRIGGER mail_outbox_notify AFTER INSERT ON mail_outbox
    FOR EACH STATEMENT EXECUTE FUNCTION mail_outbox_notify();
