-- 0025: the mail digest (issue 18): each member's digest frequency and when the next one is
-- due, and the notifications a digest has carried. Needs 0022 (notification mail).

-- One row per member (made with the account, below): how often, when the last digest was
-- built (the next covers what came after) and when the next is due. The worker
-- (forum/digest.c) claims due rows with FOR UPDATE SKIP LOCKED and moves next_at in the
-- transaction that queues the mail, so two instances never send one digest twice.
CREATE TABLE mail_digests (
    user_id    bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    frequency  text NOT NULL DEFAULT 'weekly' CHECK (frequency IN ('daily', 'weekly', 'off')),
    next_at    timestamptz NOT NULL,
    last_at    timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mail_digests_due ON mail_digests (next_at) WHERE frequency <> 'off';
COMMENT ON INDEX mail_digests_due IS 'the digest worker''s claim (DIGEST_BUILD) and next wake-up';

-- The time between two digests of a frequency ('off': none, NULL).
CREATE FUNCTION digest_period(frequency text) RETURNS interval
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE frequency WHEN 'daily' THEN interval '1 day' WHEN 'weekly' THEN interval '7 days' END
$$;

-- Every account has its row: weekly, the first a week after it was made (or now).
INSERT INTO mail_digests (user_id, next_at, last_at)
SELECT id, now() + interval '7 days', now() FROM users;

CREATE FUNCTION users_digest_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO mail_digests (user_id, next_at, last_at)
    VALUES (NEW.id, now() + interval '7 days', now()) ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;
CREATE TRIGGER users_digest_row AFTER INSERT ON users
    FOR EACH ROW EXECUTE FUNCTION users_digest_row();

-- When a digest carried a notification left for it (mail_state 'digest'). A column, not
-- another mail_state, so the CHECK of 0022 (which other migrations may widen) stays as it is.
ALTER TABLE notifications ADD COLUMN digested_at timestamptz;
CREATE INDEX notifications_digest ON notifications (user_id, id)
    WHERE mail_state = 'digest' AND digested_at IS NULL AND read_at IS NULL;
COMMENT ON INDEX notifications_digest IS 'a member''s notifications waiting for the next digest';

-- Wake the digest workers at commit when a digest becomes due now (corral mail digest-now,
-- a member choosing daily after weekly); the worker's own claims move next_at ahead and do
-- not wake anyone. PostgreSQL sends one notice per transaction for identical payloads.
CREATE FUNCTION mail_digests_wake() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('corral_digest', 'due');
    RETURN NULL;
END;
$$;
CREATE TRIGGER mail_digests_wake AFTER INSERT OR UPDATE OF next_at, frequency ON mail_digests
    FOR EACH ROW WHEN (NEW.next_at <= now() AND NEW.frequency <> 'off')
    EXECUTE FUNCTION mail_digests_wake();

-- The sections of a digest that every member of one window (what happened after since)
-- shares, as JSON arrays (NULL when empty): the most active threads, ideas whose status
-- changed (not their creation), and the threads still without a practitioner's voice.
-- DIGEST_BUILD computes them once per distinct window of a batch, not once per member.
-- Only visible threads and posts, only ideas not merged away.
CREATE FUNCTION digest_shared(since timestamptz, OUT active json, OUT ideas json, OUT needs json)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT
      (SELECT json_agg(json_build_object('id', a.id, 'title', a.title, 'posts', a.n) ORDER BY a.n DESC, a.id DESC)
         FROM (SELECT t.id, t.title, count(*) AS n FROM posts p JOIN threads t ON t.id = p.thread_id
               WHERE p.created_at > since AND p.state = 'visible' AND t.state = 'visible'
               GROUP BY t.id, t.title ORDER BY count(*) DESC, t.id DESC LIMIT 5) a),
      (SELECT json_agg(json_build_object('number', c.number, 'title', c.title, 'status', c.status)
                       ORDER BY c.at DESC, c.number DESC)
         FROM (SELECT i.number, i.title, i.status, max(h.at) AS at
               FROM idea_status_history h JOIN ideas i ON i.number = h.idea
               WHERE h.at > since AND i.merged_into IS NULL
                 AND h.id > (SELECT min(f.id) FROM idea_status_history f WHERE f.idea = h.idea)
               GROUP BY i.number ORDER BY max(h.at) DESC, i.number DESC LIMIT 10) c),
      (SELECT json_agg(json_build_object('id', q.id, 'title', q.title, 'replies', q.reply_count)
                       ORDER BY q.last_post_at DESC, q.id DESC)
         FROM (SELECT t.id, t.title, t.reply_count, t.last_post_at FROM threads t
               WHERE t.state = 'visible' AND t.doers = 0 AND t.last_post_at > since
               ORDER BY t.last_post_at DESC, t.id DESC LIMIT 5) q)
$$;
