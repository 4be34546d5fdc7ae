-- 0022: notification mail (issue 18): each member's choice per kind of mail, the state of
-- each notification's mail (decided once, by one instance), the server's secret that signs
-- unsubscribe links, ideas followed without voting, and notifications about ideas.

-- A member's choice for one kind of mail; a kind without a row has its default
-- (mail_choice below). 'digest' is stored but no digest is sent yet (issue 18, later).
CREATE TABLE mail_preferences (
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       text NOT NULL CHECK (kind IN ('reply', 'mention', 'watch', 'moderation', 'idea_status', 'survey')),
    choice     text NOT NULL CHECK (choice IN ('immediately', 'digest', 'never')),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, kind)
);

-- The choice of member u for kind k: the stored one, else the default.
CREATE FUNCTION mail_choice(u bigint, k text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce((SELECT choice FROM mail_preferences WHERE user_id = u AND kind = k),
                    CASE WHEN k IN ('watch', 'survey') THEN 'digest' ELSE 'immediately' END)
$$;

-- The kind of mail a notification belongs to.
CREATE FUNCTION mail_kind_of(notification_kind text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE notification_kind WHEN 'approved' THEN 'moderation' WHEN 'idea' THEN 'idea_status'
                ELSE notification_kind END
$$;

-- Secrets shared by every instance (the HMAC key of unsubscribe links), made here from
-- PostgreSQL's strong random source (gen_random_uuid: 122 random bits each).
CREATE TABLE server_secrets (
    name       text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{0,31}$'),
    secret     bytea NOT NULL CHECK (octet_length(secret) >= 32),
    created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO server_secrets (name, secret)
VALUES ('unsubscribe', decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'));

-- Following an idea without voting: told of its status changes like its voters.
CREATE TABLE idea_followers (
    idea       bigint NOT NULL REFERENCES ideas (number),
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (idea, user_id)
);
CREATE INDEX idea_followers_user ON idea_followers (user_id);

-- Notifications about an idea (its status changed, it was merged): kind 'idea', the idea's
-- number, the words (with the moderator's reason) in message.
ALTER TABLE notifications ADD COLUMN idea bigint REFERENCES ideas (number);
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
    CHECK (kind IN ('reply', 'mention', 'watch', 'moderation', 'approved', 'idea'));

-- What became of a notification's mail, set once by the instance that claims it
-- (forum/notify_mail.c): NULL while undecided, 'sent' (queued in mail_outbox), 'skipped'
-- (read first, never wanted, post gone, member gone), 'digest' (left for the digest).
ALTER TABLE notifications ADD COLUMN mail_state text
    CHECK (mail_state IS NULL OR mail_state IN ('sent', 'skipped', 'digest'));
-- Notifications from before mail existed are never mailed.
UPDATE notifications SET mail_state = 'skipped';
CREATE INDEX notifications_mail_due ON notifications (created_at, id)
    WHERE mail_state IS NULL AND read_at IS NULL;
COMMENT ON INDEX notifications_mail_due IS 'the notification mail worker''s claim (NOTIFY_MAIL_PICK) and next wake-up';
CREATE INDEX notifications_mail_group ON notifications (user_id, thread_id)
    WHERE mail_state IS NULL AND read_at IS NULL;
COMMENT ON INDEX notifications_mail_group IS 'a member''s undecided notifications of one thread, claimed as one mail';

-- Wake the notification mail workers at commit (once per transaction).
CREATE FUNCTION notifications_mail_wake() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('corral_notify_mail', 'new');
    RETURN NULL;
END;
$$;
CREATE TRIGGER notifications_mail_wake AFTER INSERT ON notifications
    FOR EACH STATEMENT EXECUTE FUNCTION notifications_mail_wake();
