-- 0020: two-factor sign-in with time-based codes (RFC 6238) and one-time recovery codes
-- (issue 17). Needs only 0002 (users). docs/security.md says what is stored how.

-- One row per account that has started enrolment; enabled once a first code confirmed it.
-- The secret is stored as it is (Corral has no server-side key to seal it with yet).
CREATE TABLE user_totp (
    user_id    bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret     bytea NOT NULL CHECK (length(secret) = 20),
    -- The account's own random key of the recovery codes' keyed hash (a salt, so one
    -- account's hashes say nothing about another's).
    recovery_key bytea NOT NULL CHECK (length(recovery_key) = 16),
    enabled_at timestamptz,
    -- The newest time step (unix time / 30) whose code was taken: a code is accepted only
    -- for a later step, so none is taken twice (replay), even by two instances at once
    -- (the update that records it is conditional).
    last_step  bigint NOT NULL DEFAULT 0 CHECK (last_step >= 0),
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON COLUMN user_totp.enabled_at IS 'NULL while the enrolment waits for its first code.';

-- Recovery codes: only a BLAKE2b-256 hash of each, keyed with the account's recovery_key
-- (80 random bits, so a fast hash is enough); used_at set once, which is what makes each
-- usable only once.
CREATE TABLE totp_recovery_codes (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id   bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash bytea NOT NULL CHECK (length(code_hash) = 32),
    used_at   timestamptz
);
CREATE INDEX totp_recovery_codes_user ON totp_recovery_codes (user_id);
COMMENT ON INDEX totp_recovery_codes_user IS 'A code is looked up by its account (TOTP_RECOVERY_USE).';

-- Between a right password and the code: a pending sign-in, known by the hash of a token
-- the client holds (cookie or JSON), short-lived and deleted when it makes a session.
CREATE TABLE totp_pending (
    token_hash bytea PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    next       text NOT NULL DEFAULT '/' CHECK (length(next) < 512),  -- the page to go on to
    expires_at timestamptz NOT NULL
);
CREATE INDEX totp_pending_expires ON totp_pending (expires_at);
COMMENT ON INDEX totp_pending_expires IS 'Expired rows are dropped when a new one is made (TOTP_PENDING_CREATE).';
