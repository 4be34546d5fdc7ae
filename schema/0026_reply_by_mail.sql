-- 0026: reply by email and survey notifications (issue 18).

-- A signed reply address (forum/reply_mail.c) posts once: its use is recorded in the
-- transaction that stores the reply, so the same message delivered twice, or a second
-- message to the same address, never posts twice.
CREATE TABLE reply_mail_uses (
    token      text PRIMARY KEY CHECK (token ~ '^[a-z0-9.]{1,58}$'),
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    message_id text CHECK (message_id IS NULL OR length(message_id) <= 998),
    post_id    bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX reply_mail_uses_message ON reply_mail_uses (user_id, message_id)
    WHERE message_id IS NOT NULL;
COMMENT ON INDEX reply_mail_uses_message IS
    'one post per member and Message-ID: a message redelivered to another reply address of the same member';

-- Survey notifications (issue 18, the 'survey' kind of mail preferences): when a survey
-- opens, every member who may answer it (live, not suspended) is told in the app, once;
-- mail follows each member's choice for 'survey' (default: the digest).
ALTER TABLE surveys ADD COLUMN announced_at timestamptz;
COMMENT ON COLUMN surveys.announced_at IS 'When its members were notified that it opened (surveys_announce)';
-- Surveys open before this migration are not announced now.
UPDATE surveys SET announced_at = now();
CREATE INDEX surveys_unannounced ON surveys (opens_at) WHERE announced_at IS NULL;
COMMENT ON INDEX surveys_unannounced IS 'surveys_announce(): the surveys still to announce';

ALTER TABLE notifications ADD COLUMN survey bigint REFERENCES surveys (id) ON DELETE CASCADE;
-- 'survey' joins the kinds whatever other migrations added to the list, in whichever order
-- they ran: the kinds are read from the constraint as it is, in either form PostgreSQL
-- shows (ARRAY['a'::text, …] from an IN list, '{a,…}'::text[] from allow_kind() of 0028),
-- and written back as an IN list, which allow_kind() reads.
DO $$
DECLARE
    def text := (SELECT pg_get_constraintdef(oid) FROM pg_constraint
                 WHERE conrelid = 'notifications'::regclass AND conname = 'notifications_kind_check');
    kinds text[];
BEGIN
    SELECT array_agg(m[1]) INTO kinds FROM regexp_matches(def, '''([a-z_]+)''', 'g') AS m;
    IF kinds IS NULL THEN
        kinds := string_to_array((regexp_match(def, '''\{([a-z_,]+)\}'''))[1], ',');
    END IF;
    IF kinds IS NULL THEN
        RAISE EXCEPTION 'notifications_kind_check has an unexpected form: %', def;
    END IF;
    IF NOT 'survey' = ANY (kinds) THEN
        ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
        EXECUTE format('ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check CHECK (kind IN (%s))',
                       (SELECT string_agg(quote_literal(k), ', ') FROM unnest(array_append(kinds, 'survey')) AS k));
    END IF;
END $$;

-- Announce every survey that is open and not yet announced: mark it, then one set-based
-- INSERT for its whole audience (100 000 members are one statement, not a loop). Two
-- callers at once: the second waits on the row lock and finds announced_at set. Called in
-- the transaction that creates or edits a survey, and by the maintenance thread every
-- minute for surveys that were scheduled. Returns the notifications made.
CREATE FUNCTION surveys_announce() RETURNS bigint LANGUAGE sql AS $$
    WITH s AS (
        UPDATE surveys SET announced_at = now()
         WHERE announced_at IS NULL AND opens_at <= now() AND (closes_at IS NULL OR closes_at > now())
        RETURNING id, title, author_id),
    n AS (
        INSERT INTO notifications (user_id, kind, actor_id, survey, message)
        SELECT u.id, 'survey', s.author_id, s.id, left('New survey: ' || s.title, 1000)
          FROM s JOIN users u ON u.id <> s.author_id
         WHERE u.deleted_at IS NULL AND NOT coalesce(u.suspended_until > now(), false)
        RETURNING 1)
    SELECT count(*) FROM n
$$;
