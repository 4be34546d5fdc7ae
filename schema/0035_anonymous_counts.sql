-- 0035: a member's public post count leaves out their anonymous posts (issue 21). Counting
-- them let anyone watching a profile while "a verified practitioner" posted see whose count
-- went up. users.post_count is now the member's visible posts under their own name; the
-- thread counters (posts, replies, voices) still count anonymous posts, and approved_posts
-- (the trust rule that holds new accounts' posts, 0003) still counts every approved post of
-- the real account, anonymous or not.
--
-- Voices: a thread's participants were distinct accounts, so an anonymous reply by someone
-- who had posted under their name left the count as it was (and a named reply after an
-- anonymous one did too), narrowing who wrote it to the thread's named participants. A
-- participant is now an account *as readers see it*: its named posts and its anonymous posts
-- are two voices (thread_participants gains anonymous in its key).

ALTER TABLE thread_participants ADD COLUMN anonymous boolean NOT NULL DEFAULT false;
ALTER TABLE thread_participants DROP CONSTRAINT thread_participants_pkey;
ALTER TABLE thread_participants ADD PRIMARY KEY (thread_id, user_id, anonymous);

-- The thread's counters only (the member's count moves in posts_counters), with the voice
-- being the account named or anonymous (anon).
CREATE FUNCTION forum_post_came(t bigint, u bigint, anon boolean, at timestamptz, is_op boolean) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    n integer;
BEGIN
    INSERT INTO thread_participants AS tp (thread_id, user_id, anonymous, posts) VALUES (t, u, anon, 1)
        ON CONFLICT (thread_id, user_id, anonymous) DO UPDATE SET posts = tp.posts + 1
        RETURNING posts INTO n;
    UPDATE threads SET
        post_count = post_count + 1,
        reply_count = reply_count + CASE WHEN is_op THEN 0 ELSE 1 END,
        last_post_at = greatest(last_post_at, at),
        participants = participants + CASE WHEN n = 1 THEN 1 ELSE 0 END,
        doers = doers + CASE WHEN n = 1 AND forum_is_doer(u) THEN 1 ELSE 0 END
    WHERE id = t;
END;
$$;

CREATE FUNCTION forum_post_went(t bigint, u bigint, anon boolean, is_op boolean) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    n integer;
BEGIN
    UPDATE thread_participants SET posts = posts - 1
        WHERE thread_id = t AND user_id = u AND anonymous = anon AND posts > 1
        RETURNING posts INTO n;
    IF n IS NULL THEN
        DELETE FROM thread_participants WHERE thread_id = t AND user_id = u AND anonymous = anon;
    END IF;
    UPDATE threads SET
        post_count = post_count - 1,
        reply_count = reply_count - CASE WHEN is_op THEN 0 ELSE 1 END,
        last_post_at = coalesce((SELECT max(created_at) FROM posts
                                 WHERE thread_id = t AND state = 'visible'), created_at),
        participants = participants - CASE WHEN n IS NULL THEN 1 ELSE 0 END,
        doers = doers - CASE WHEN n IS NULL AND forum_is_doer(u) THEN 1 ELSE 0 END
    WHERE id = t;
END;
$$;

-- As 0003, plus the member's count: a post counts for its author while it is visible and
-- not anonymous, so it follows visibility (hide, delete, restore, approve), a change of
-- author, and a change of the anonymous flag itself (which also moves its voice).
CREATE OR REPLACE FUNCTION posts_counters() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    was_visible boolean := TG_OP <> 'INSERT' AND OLD.state = 'visible';
    now_visible boolean := TG_OP <> 'DELETE' AND NEW.state = 'visible';
    moved boolean := TG_OP = 'UPDATE' AND (OLD.thread_id <> NEW.thread_id OR OLD.author_id <> NEW.author_id
                                           OR (OLD.parent_id IS NULL) <> (NEW.parent_id IS NULL)
                                           OR OLD.anonymous <> NEW.anonymous);
    was_counted boolean := was_visible AND NOT OLD.anonymous;
    now_counted boolean := now_visible AND NOT NEW.anonymous;
    new_author boolean := TG_OP = 'UPDATE' AND OLD.author_id <> NEW.author_id;
BEGIN
    IF was_visible AND (NOT now_visible OR moved) THEN
        PERFORM forum_post_went(OLD.thread_id, OLD.author_id, OLD.anonymous, OLD.parent_id IS NULL);
    END IF;
    IF now_visible AND (NOT was_visible OR moved) THEN
        PERFORM forum_post_came(NEW.thread_id, NEW.author_id, NEW.anonymous, NEW.created_at, NEW.parent_id IS NULL);
    END IF;
    IF was_counted AND (NOT now_counted OR new_author) THEN
        UPDATE users SET post_count = post_count - 1 WHERE id = OLD.author_id;
    END IF;
    IF now_counted AND (NOT was_counted OR new_author) THEN
        UPDATE users SET post_count = post_count + 1 WHERE id = NEW.author_id;
    END IF;
    -- A post that becomes visible after waiting in the queue counts towards trust.
    IF TG_OP = 'UPDATE' AND OLD.state = 'pending' AND NEW.state = 'visible' THEN
        UPDATE users SET approved_posts = approved_posts + 1 WHERE id = NEW.author_id;
    END IF;
    RETURN NULL;
END;
$$;
DROP TRIGGER posts_counters ON posts;
CREATE TRIGGER posts_counters AFTER INSERT OR DELETE OR UPDATE OF state, thread_id, author_id, parent_id, anonymous
    ON posts FOR EACH ROW EXECUTE FUNCTION posts_counters();
DROP FUNCTION forum_post_came(bigint, bigint, timestamptz, boolean);
DROP FUNCTION forum_post_went(bigint, bigint, boolean);

-- The voices of threads with anonymous posts, counted again the new way.
CREATE TEMPORARY TABLE anon_threads ON COMMIT DROP AS
    SELECT DISTINCT thread_id AS id FROM posts WHERE anonymous AND state = 'visible';
DELETE FROM thread_participants WHERE thread_id IN (SELECT id FROM anon_threads);
INSERT INTO thread_participants (thread_id, user_id, anonymous, posts)
    SELECT p.thread_id, p.author_id, p.anonymous, count(*) FROM posts p
    WHERE p.state = 'visible' AND p.thread_id IN (SELECT id FROM anon_threads) GROUP BY 1, 2, 3;
UPDATE threads t SET
    participants = (SELECT count(*) FROM thread_participants tp WHERE tp.thread_id = t.id),
    doers = (SELECT count(*) FILTER (WHERE forum_is_doer(tp.user_id)) FROM thread_participants tp
             WHERE tp.thread_id = t.id)
    WHERE t.id IN (SELECT id FROM anon_threads);

-- Counts kept so far included anonymous posts.
UPDATE users u SET post_count = c.n
FROM (SELECT uu.id, count(p.id) FILTER (WHERE p.state = 'visible' AND NOT p.anonymous) AS n
      FROM users uu LEFT JOIN posts p ON p.author_id = uu.id GROUP BY uu.id) c
WHERE c.id = u.id AND u.post_count <> c.n;

-- The anonymous post a member's current suspension was made through (forum/anonymous.c, or
-- the flag queue's "hide and suspend" of an anonymous post), so that lifting it is logged
-- against that post too: a "lifted the suspension of <member>" after no named suspension
-- would point members reading the log to the post's author. NULL for a suspension made on
-- the profile, and once lifted.
ALTER TABLE users ADD COLUMN suspension_post_id bigint REFERENCES posts (id);
COMMENT ON COLUMN users.suspension_post_id IS
    'the anonymous post the current suspension was made through: its lifting is logged against the post';
