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
-- no change there, and mail_choice() defaults it to 'immediately'. Each CHECK is widened
-- from the list it holds now rather than restated, so a kind that another migration
-- added alongside this one stays allowed.
DO $$
DECLARE
    c record;
    kinds text[];
BEGIN
    FOR c IN SELECT * FROM (VALUES ('notifications'::regclass, 'notifications_kind_check'),
                                   ('mail_preferences'::regclass, 'mail_preferences_kind_check')) AS x(tbl, con)
    LOOP
        SELECT array_agg(m[1]) INTO kinds
          FROM pg_constraint k, regexp_matches(pg_get_constraintdef(k.oid), '''([a-z_]+)''', 'g') AS m
         WHERE k.conrelid = c.tbl AND k.conname = c.con;
        IF kinds IS NULL THEN
            RAISE EXCEPTION 'constraint % of % not found', c.con, c.tbl;
        END IF;
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', c.tbl, c.con);
        EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I CHECK (kind = ANY (%L::text[]))', c.tbl, c.con,
                       array_append(array_remove(kinds, 'reminder'), 'reminder'));
    END LOOP;
END;
$$;
