-- 0023: reactions on posts and accepted answers (issue 19).
--
-- A reaction is one row per member, post and kind: the primary key is what makes a repeat
-- a no-op and parallel reactions count exactly once; the counts follow the rows by trigger. Each row keeps the community role its member had when
-- reacting, as survey responses do: what a practitioner agreed with stays a practitioner's
-- agreement when they later change role, and a deleted (anonymised) account's reactions stay
-- counted under the role they were made with. Whether a reaction shows is decided when it
-- is read: only reactions on visible posts are counted, so hiding a post hides them and
-- unhiding brings them back.
CREATE TABLE post_reactions (
    post_id        bigint NOT NULL REFERENCES posts (id),
    -- no ON DELETE CASCADE: account_erase() (0021) leaves the reactions of a deleted account
    user_id        bigint NOT NULL REFERENCES users (id),
    kind           text NOT NULL CHECK (kind IN ('plus_one', 'thanks', 'insightful')),
    community_role text NOT NULL REFERENCES community_roles (slug) ON UPDATE CASCADE,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (post_id, kind, user_id)
);
COMMENT ON INDEX post_reactions_pkey IS 'one reaction per member, post and kind; a page''s counts by post id';
CREATE INDEX post_reactions_user ON post_reactions (user_id, post_id);
COMMENT ON INDEX post_reactions_user IS 'the viewer''s own reactions on a page of posts';

-- The counts a page shows, by post, kind and the role stored with each reaction: kept by
-- the trigger below in the statement that reacts, so a page reads at most a few rows per
-- post however many reacted, rather than counting every reaction on every view. Parallel
-- reactions of the same kind and role take turns on their counts row (ON CONFLICT DO
-- UPDATE); a repeated reaction inserts nothing and so counts nothing.
CREATE TABLE post_reaction_counts (
    post_id        bigint NOT NULL REFERENCES posts (id),
    kind           text NOT NULL,
    community_role text NOT NULL REFERENCES community_roles (slug) ON UPDATE CASCADE,
    n              integer NOT NULL CHECK (n >= 0),
    PRIMARY KEY (post_id, kind, community_role)
);
COMMENT ON INDEX post_reaction_counts_pkey IS 'a page''s counts by post id; the replies sorted by agreement';

CREATE FUNCTION post_reactions_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO post_reaction_counts AS c (post_id, kind, community_role, n)
            VALUES (NEW.post_id, NEW.kind, NEW.community_role, 1)
            ON CONFLICT (post_id, kind, community_role) DO UPDATE SET n = c.n + 1;
    ELSE
        UPDATE post_reaction_counts SET n = n - 1
            WHERE post_id = OLD.post_id AND kind = OLD.kind AND community_role = OLD.community_role;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER post_reactions_count AFTER INSERT OR DELETE ON post_reactions
    FOR EACH ROW EXECUTE FUNCTION post_reactions_count();

-- A thread's cached pages show the counts: a reaction makes them stale.
CREATE FUNCTION cache_notify_reactions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('corral_cache', 't:' || p.thread_id) FROM posts p
        WHERE p.id = coalesce(NEW.post_id, OLD.post_id);
    RETURN NULL;
END;
$$;
CREATE TRIGGER cache_notify_reactions AFTER INSERT OR DELETE ON post_reactions
    FOR EACH ROW EXECUTE FUNCTION cache_notify_reactions();

-- Question-style categories: a thread's author or a moderator marks one reply as the
-- answer. The mark stays on the thread; it is shown (and the thread counted as solved)
-- only while that post is visible and still in the thread (a split may move it away).
ALTER TABLE categories ADD COLUMN question_style boolean NOT NULL DEFAULT false;
ALTER TABLE threads
    ADD COLUMN answer_post_id bigint REFERENCES posts (id),
    ADD COLUMN answer_by      bigint REFERENCES users (id),
    ADD COLUMN answer_at      timestamptz,
    ADD CONSTRAINT threads_answer_whole CHECK ((answer_post_id IS NULL) = (answer_at IS NULL));
CREATE INDEX threads_answer_post ON threads (answer_post_id) WHERE answer_post_id IS NOT NULL;
COMMENT ON INDEX threads_answer_post IS 'the foreign key from posts: which thread a post answers';
