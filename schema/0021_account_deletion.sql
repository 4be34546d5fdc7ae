-- 0021: deleting an account (issue 17). The row in users stays, because posts, votes,
-- survey responses and flags point at it and must keep counting (voices, idea vote
-- splits and survey breakdowns stay true); everything that is about the person goes.
--
-- The erased row is renamed 'deleted member <id>': a name no live account can have (it
-- holds spaces), so every view that shows a username shows "deleted member" without each
-- query having to know about deleted accounts, and two deleted members in one thread stay
-- two people. The old name is retired, not freed: other members' posts still say @name
-- and link to /u/name, and a newcomer taking it would pass as the author of those
-- conversations. Only a SHA-256 digest of the lower-case name is kept for that, so the
-- table is no readable list of who left (a digest of a short name can be guessed; the
-- name also stays as text in others' posts, which are theirs).

ALTER TABLE users ADD COLUMN deleted_at timestamptz;
ALTER TABLE users DROP CONSTRAINT users_username_check;
ALTER TABLE users ADD CONSTRAINT users_username_check CHECK (CASE WHEN deleted_at IS NULL
    THEN username ~ '^[A-Za-z0-9_-]{3,32}$' ELSE username = 'deleted member ' || id END);
COMMENT ON COLUMN users.deleted_at IS
    'When the account was deleted (account_erase): its personal data is gone, its posts stay.';

CREATE TABLE retired_usernames (
    name_digest bytea PRIMARY KEY CHECK (octet_length(name_digest) = 32),
    retired_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE retired_usernames IS
    'sha256(lower(username)) of deleted accounts: the names cannot be registered again.';

CREATE FUNCTION username_digest(name text) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT sha256(convert_to(lower(name), 'UTF8'))
$$;

-- A retired name is "taken" (23505, as the unique index would say), whichever code
-- registers or renames.
CREATE FUNCTION users_name_not_retired() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM retired_usernames WHERE name_digest = username_digest(NEW.username)) THEN
        RAISE EXCEPTION 'username % belonged to a deleted account', NEW.username
            USING ERRCODE = 'unique_violation';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER users_name_not_retired BEFORE INSERT OR UPDATE OF username ON users
    FOR EACH ROW WHEN (NEW.deleted_at IS NULL) EXECUTE FUNCTION users_name_not_retired();

-- Nothing new is written for a deleted account: a reply to one of its posts, a mention
-- in a post approved later, a moderator's notice would otherwise start a new inbox nobody
-- can read.
CREATE FUNCTION notifications_skip_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT deleted_at FROM users WHERE id = NEW.user_id) IS NOT NULL THEN
        RETURN NULL;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER notifications_skip_deleted BEFORE INSERT ON notifications
    FOR EACH ROW EXECUTE FUNCTION notifications_skip_deleted();

-- Per-user tables (ON DELETE CASCADE to users) whose rows stay when an account is erased.
CREATE TABLE account_erase_keep (
    table_name text PRIMARY KEY,
    why        text NOT NULL
);
INSERT INTO account_erase_keep VALUES
    ('idea_votes', 'votes keep counting in idea vote splits under the community role');

-- Erase account uid, in the caller's transaction: false when there is no such live
-- account. What stays: the row's id, community role (and its verified mark), post count
-- and creation time; posts and their revisions, idea votes, survey responses, flags and
-- nominations, the moderation log. What goes is below.
CREATE FUNCTION account_erase(uid bigint) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    old_name text;
    old_email text;
    r record;
BEGIN
    SELECT username, email INTO old_name, old_email FROM users
     WHERE id = uid AND deleted_at IS NULL FOR UPDATE;
    IF NOT FOUND THEN
        RETURN false;
    END IF;

    -- The tables whose rows are one person's own: every table with a foreign key to users
    -- ON DELETE CASCADE, found in the catalog, so a per-user table added by a later
    -- migration is erased without touching this function. A table whose rows must outlive
    -- the person (their votes keep counting under their community role) is named in
    -- account_erase_keep, with the reason.
    FOR r IN
        SELECT c.conrelid::regclass AS tbl, a.attname AS col
          FROM pg_constraint c
          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
         WHERE c.contype = 'f' AND c.confrelid = 'users'::regclass AND c.confdeltype = 'c'
           AND cardinality(c.conkey) = 1
           AND NOT EXISTS (SELECT 1 FROM account_erase_keep k
                            WHERE k.table_name = c.conrelid::regclass::text)
    LOOP
        EXECUTE format('DELETE FROM %s WHERE %I = $1', r.tbl, r.col) USING uid;
    END LOOP;
    -- Rows about the person in tables that do not cascade with users.
    DELETE FROM post_mentions WHERE user_id = uid;
    DELETE FROM rate_limits WHERE key = 'signin:acct:' || lower(old_name);
    IF old_email IS NOT NULL THEN
        DELETE FROM mail_outbox WHERE lower(to_addr) = lower(old_email);
    END IF;

    INSERT INTO retired_usernames (name_digest) VALUES (username_digest(old_name))
        ON CONFLICT DO NOTHING;
    -- '!' is no argon2id string: no password ever verifies against it.
    UPDATE users SET username = 'deleted member ' || id, display_name = '', email = NULL,
           bio = '', bio_html = '', password_hash = '!', role = 'member',
           suspended_until = NULL, suspension_reason = NULL, deleted_at = now()
     WHERE id = uid;
    RETURN true;
END;
$$;
