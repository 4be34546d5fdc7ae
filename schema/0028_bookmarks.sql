-- 0028: bookmarks with reminders (issue 19). A member bookmarks a post once, with an
-- optional short note and an optional reminder time; when the time comes, one instance
-- (forum/bookmark_reminders.c) turns the reminder into a notification of kind 'reminder',
-- which the notification mail worker (0022) mails through the member's preference of kind
-- 'reminder' (at once by default, like replies).
CREATE TABLE bookmarks (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- ON DELETE CASCADE: account_erase() (0021) erases a deleted account's bookmarks
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    post_id     bigint NOT NULL REFERENCES posts (id),
    note        text CHECK (note IS NULL OR char_length(note) BETWEEN 1 AND 200),
    remind_at   timestamptz,
    -- when the reminder became a notification (or was dropped, the post no longer being
    -- visible to the member): set once, by the conditional claim of one instance
    reminded_at timestamptz CHECK (reminded_at IS NULL OR remind_at IS NOT NULL),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT bookmarks_once UNIQUE (user_id, post_id)
);
COMMENT ON INDEX bookmarks_once IS 'one bookmark per member and post; a page''s bookmarked marks (BOOKMARKS_OF_POSTS)';
CREATE INDEX bookmarks_user_newest ON bookmarks (user_id, id DESC);
COMMENT ON INDEX bookmarks_user_newest IS 'the bookmarks page, newest first (BOOKMARKS_LIST)';
CREATE INDEX bookmarks_due ON bookmarks (remind_at) WHERE reminded_at IS NULL AND remind_at IS NOT NULL;
COMMENT ON INDEX bookmarks_due IS 'the reminder worker''s claim of due reminders (BOOKMARK_REMINDERS_FIRE)';

-- A reminder is a notification of its own kind, mailed under its own preference kind.
-- mail_kind_of() (0022) maps every kind it does not name to itself, so 'reminder' needs
-- no change there, and mail_choice() defaults it to 'immediately'.
--
-- allow_kind() widens a kind CHECK from the list it holds now rather than restating it,
-- so kinds that other migrations added stay allowed; every later migration that adds a
-- kind of notification or of mail calls it.
CREATE FUNCTION allow_kind(tbl regclass, con text, kind text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    kinds text[];
BEGIN
    -- the kinds are the quoted words of the definition, whichever form it has:
    -- kind IN ('a', 'b') reads back as ARRAY['a'::text, …], this function's as '{a,b}'::text[]
    SELECT array_agg(DISTINCT w) INTO kinds
      FROM pg_constraint k, regexp_matches(pg_get_constraintdef(k.oid), '''([^'']*)''', 'g') AS m,
           regexp_split_to_table(m[1], '[{},]') AS w
     WHERE k.conrelid = tbl AND k.conname = con AND w ~ '^[a-z_]+$';
    IF kinds IS NULL THEN
        RAISE EXCEPTION 'constraint % of % not found', con, tbl;
    END IF;
    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', tbl, con);
    EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I CHECK (kind = ANY (%L::text[]))', tbl, con,
                   array_append(array_remove(kinds, kind), kind));
END;
$$;
SELECT allow_kind('notifications', 'notifications_kind_check', 'reminder');
SELECT allow_kind('mail_preferences', 'mail_preferences_kind_check', 'reminder');
