-- 0031: verified community roles (issue 21) — a member's request to have their current
-- community role verified (a note of evidence, optionally a work address confirmed by a
-- mailed link), the moderators' `verifications` queue, and the rule that a member is
-- verified only for the role they hold now.
--
-- users.role_verified (0002) stays the one flag every read path already shows. It means
-- "verified for the current community role": the trigger below drops it whenever the role
-- changes, whoever changes it (settings, the API, an admin, SQL by hand), and withdraws an
-- open request made for the old role. Setting the same role again is not a change.

-- A work address is confirmed through the single-use tokens of 0018. The purpose CHECK is
-- widened from the list it holds now (as allow_kind() of 0028 does for kinds), so purposes
-- other migrations added stay allowed.
DO $$
DECLARE
    purposes text[];
BEGIN
    SELECT array_agg(m[1]) INTO purposes
      FROM pg_constraint k, regexp_matches(pg_get_constraintdef(k.oid), '''([a-z_]+)''', 'g') AS m
     WHERE k.conrelid = 'account_tokens'::regclass AND k.conname = 'account_tokens_purpose_check';
    IF purposes IS NULL THEN
        RAISE EXCEPTION 'constraint account_tokens_purpose_check not found';
    END IF;
    ALTER TABLE account_tokens DROP CONSTRAINT account_tokens_purpose_check;
    EXECUTE format('ALTER TABLE account_tokens ADD CONSTRAINT account_tokens_purpose_check'
                   ' CHECK (purpose = ANY (%L::text[]))',
                   array_append(array_remove(purposes, 'verify_work_email'), 'verify_work_email'));
END;
$$;

CREATE TABLE role_verifications (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- erased with the account (account_erase deletes the users row)
    user_id            bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    community_role     text NOT NULL REFERENCES community_roles (slug) ON UPDATE CASCADE ON DELETE CASCADE,
    note               text NOT NULL CHECK (length(note) BETWEEN 1 AND 2000),
    work_email         text CHECK (work_email IS NULL OR length(work_email) BETWEEN 3 AND 254),
    -- the address is at a free-mail provider: shown to the moderator, not refused
    free_mail          boolean NOT NULL DEFAULT false,
    -- unconfirmed: waits for its work address; open: in the queue; withdrawn: the member's
    -- role changed before a decision
    state              text NOT NULL DEFAULT 'open'
                       CHECK (state IN ('unconfirmed', 'open', 'approved', 'rejected', 'withdrawn')),
    email_confirmed_at timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    queued_at          timestamptz,
    decided_by         bigint REFERENCES users (id) ON DELETE SET NULL,
    decided_at         timestamptz,
    reason             text CHECK (reason IS NULL OR length(reason) BETWEEN 1 AND 1000),
    CHECK (state <> 'unconfirmed' OR work_email IS NOT NULL),
    CHECK ((state IN ('approved', 'rejected')) = (decided_at IS NOT NULL)),
    CHECK (state <> 'rejected' OR reason IS NOT NULL)
);
COMMENT ON TABLE role_verifications IS
    'Requests to verify a member''s community role (forum/verification.c); the verdict lands in users.role_verified.';
CREATE UNIQUE INDEX role_verifications_one_open ON role_verifications (user_id)
    WHERE state IN ('unconfirmed', 'open');
COMMENT ON INDEX role_verifications_one_open IS 'one open request per member (409 on a second)';
CREATE INDEX role_verifications_queue ON role_verifications (queued_at, id) WHERE state = 'open';
COMMENT ON INDEX role_verifications_queue IS 'the verifications queue, oldest first (VERIFY_QUEUE)';

CREATE FUNCTION users_role_unverify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.role_verified := false;
    UPDATE role_verifications SET state = 'withdrawn'
     WHERE user_id = NEW.id AND state IN ('unconfirmed', 'open');
    RETURN NEW;
END;
$$;
CREATE TRIGGER users_role_unverify BEFORE UPDATE OF community_role ON users
    FOR EACH ROW WHEN (OLD.community_role IS DISTINCT FROM NEW.community_role)
    EXECUTE FUNCTION users_role_unverify();

-- The one test of "verified as this role": the member is verified now and holds role now.
-- Counts over rows that stored a role when they were made (reactions, survey responses)
-- pass that stored role, so a reaction made as a practitioner by someone verified since as
-- a vendor does not count as a verified practitioner's.
CREATE FUNCTION user_verified_as(uid bigint, as_role text) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT EXISTS (SELECT 1 FROM users WHERE id = uid AND role_verified AND community_role = as_role)
$$;
