-- 0018: accounts by mail — confirmed email addresses and single-use account tokens (email
-- verification, email change, password reset; server/auth/onetime.c).
--
-- A token is 256 random bits mailed as a link; only its BLAKE2b hash is stored, so a copy
-- of the database cannot be used to reset anybody's password. It is consumed by one
-- conditional UPDATE (used_at IS NULL AND expires_at > now() … RETURNING), so two clicks
-- on the same link cannot both succeed.

ALTER TABLE users ADD COLUMN email_verified_at timestamptz;
ALTER TABLE users ADD CONSTRAINT users_verified_has_email CHECK (email_verified_at IS NULL OR email IS NOT NULL);

-- An address taken away (an erased account, SQL by hand) takes its confirmation with it,
-- whichever code does it, so the check above never refuses such an update.
CREATE FUNCTION users_email_cleared() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.email_verified_at := NULL;
    RETURN NEW;
END;
$$;
CREATE TRIGGER users_email_cleared BEFORE UPDATE OF email ON users
    FOR EACH ROW WHEN (NEW.email IS NULL AND OLD.email_verified_at IS NOT NULL)
    EXECUTE FUNCTION users_email_cleared();

-- An address belongs to one account once it is confirmed; before that several accounts may
-- name it (nobody can hold an address hostage by typing it at registration), and the first
-- to confirm it wins: the others' confirmation then fails on this index (409).
CREATE UNIQUE INDEX users_email_verified_lower ON users (lower(email)) WHERE email_verified_at IS NOT NULL;
COMMENT ON INDEX users_email_verified_lower IS
    'one account per confirmed address (ignoring case); the "taken" check of a change of address';
CREATE INDEX users_email_lower ON users (lower(email)) WHERE email IS NOT NULL;
COMMENT ON INDEX users_email_lower IS 'forgot password by address (ACCT_BY_EMAIL)';

CREATE TABLE account_tokens (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    purpose     text NOT NULL CHECK (purpose IN ('verify_email', 'change_email', 'reset_password')),
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash  bytea NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
    -- the address the link was mailed to: the one to confirm (verify_email), the new one
    -- (change_email); none for a reset
    email       text CHECK (email IS NULL OR length(email) BETWEEN 3 AND 254),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    CHECK ((purpose = 'reset_password') = (email IS NULL)),
    CHECK (expires_at > created_at)
);
COMMENT ON TABLE account_tokens IS
    'Single-use links mailed to account holders; only a BLAKE2b hash of each token is stored.';
CREATE INDEX account_tokens_user ON account_tokens (user_id, purpose) WHERE used_at IS NULL;
COMMENT ON INDEX account_tokens_user IS 'voiding the open links of an account (ONETIME_VOID), its pending address';
CREATE INDEX account_tokens_expires ON account_tokens (expires_at);
COMMENT ON INDEX account_tokens_expires IS 'maintenance: forgetting old tokens (ONETIME_EXPIRE)';
