-- 0033: "Ask the doers" (issue 21). A thread's author or a moderator asks for practitioners'
-- experience; practitioners who opted in are told (at most a few times a week each), and
-- /asks lists the open asks, those no practitioner has answered yet first.

-- The ask lives on the thread, as the accepted answer does: one per thread, reopened rather
-- than asked twice (practitioners are notified the first time only).
ALTER TABLE threads
    ADD COLUMN asked_at      timestamptz,
    ADD COLUMN asked_by      bigint REFERENCES users (id),
    ADD COLUMN ask_closed_at timestamptz,
    ADD CONSTRAINT threads_ask_whole CHECK ((asked_at IS NULL) = (asked_by IS NULL)),
    ADD CONSTRAINT threads_ask_closed CHECK (ask_closed_at IS NULL OR asked_at IS NOT NULL);
CREATE INDEX threads_asks_open ON threads (asked_at DESC, id DESC)
    WHERE asked_at IS NOT NULL AND ask_closed_at IS NULL AND state = 'visible';
COMMENT ON INDEX threads_asks_open IS '/asks: the open asks, newest first';
CREATE INDEX threads_asked_by ON threads (asked_by) WHERE asked_by IS NOT NULL;
COMMENT ON INDEX threads_asked_by IS 'the foreign key from users';

-- Practitioners who want to be asked. A row per member who opted in; erased with the
-- account (account_erase() deletes every ON DELETE CASCADE table).
CREATE TABLE ask_optins (
    user_id    bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Notifications of kind 'ask'; their mail is a kind of its own that members choose
-- (allow_kind(): schema/0028).
SELECT allow_kind('notifications', 'notifications_kind_check', 'ask');
SELECT allow_kind('mail_preferences', 'mail_preferences_kind_check', 'ask');
CREATE INDEX notifications_ask_week ON notifications (user_id, created_at) WHERE kind = 'ask';
COMMENT ON INDEX notifications_ask_week IS 'the weekly cap on asks per member';

-- Ask the opted-in practitioners about thread t (asked by a): every member whose role is a
-- doer's, active, not the asker, and told fewer than cap asks in the last seven days. One
-- statement, however many opted in. Returns how many were told.
CREATE FUNCTION ask_notify(t bigint, a bigint, cap integer, msg text) RETURNS integer
LANGUAGE sql AS $$
    WITH told AS (
        INSERT INTO notifications (user_id, kind, actor_id, thread_id, message)
        SELECT o.user_id, 'ask', a, t, msg
        FROM ask_optins o
        JOIN users u ON u.id = o.user_id
        JOIN community_roles cr ON cr.slug = u.community_role AND cr.kind = 'doer'
        WHERE o.user_id <> a AND u.deleted_at IS NULL
          AND (u.suspended_until IS NULL OR u.suspended_until <= now())
          AND (SELECT count(*) FROM notifications n
               WHERE n.user_id = o.user_id AND n.kind = 'ask' AND n.created_at > now() - interval '7 days') < cap
        RETURNING 1)
    SELECT count(*)::integer FROM told
$$;
