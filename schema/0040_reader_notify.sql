-- 0040: tell every Corral instance when what it keeps of one signed-in reader changes
-- (issue 20: a signed-in thread page with no round trip to PostgreSQL).
--
-- An instance keeps, in its page cache, a reader's session as their pages show it
-- (auth/viewer_cache.c) and their state of a thread page (forum/sharedpage.c). Both are
-- dropped by these notices on the cache's channel, sent at commit like those of 0008:
--   'u:<account>'  the account as a session shows it: the account's row (role, names,
--                  suspension, confirmed address, approved posts), its sessions (signed out,
--                  expired, touched), its notifications (the unread count);
--   'r:<account>'  what the account's thread pages show of it: its posts (held, anonymous),
--                  read markers, watches, reactions and bookmarks.
-- Triggers rather than calls in the code: every way a row changes is covered, a cascade
-- from a deleted account or thread included, and a direct change in psql too.

-- One function per name of the account's column, so that each reads it directly (a
-- dynamic column would plan a query per row, on every post written). TG_ARGV[0] is the
-- tag's letter. NOTIFY drops a payload already sent in the transaction, so a thousand
-- notifications marked read send one notice.
CREATE FUNCTION cache_notify_tag(tag text, old_id bigint, new_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF old_id IS NOT NULL THEN
        PERFORM pg_notify('corral_cache', tag || ':' || old_id);
    END IF;
    IF new_id IS NOT NULL AND new_id IS DISTINCT FROM old_id THEN
        PERFORM pg_notify('corral_cache', tag || ':' || new_id);
    END IF;
END;
$$;

CREATE FUNCTION cache_notify_user_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM cache_notify_tag(TG_ARGV[0], NULL, NEW.user_id);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM cache_notify_tag(TG_ARGV[0], OLD.user_id, NULL);
    ELSE
        PERFORM cache_notify_tag(TG_ARGV[0], OLD.user_id, NEW.user_id);
    END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION cache_notify_author_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM cache_notify_tag(TG_ARGV[0], NULL, NEW.author_id);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM cache_notify_tag(TG_ARGV[0], OLD.author_id, NULL);
    ELSE
        PERFORM cache_notify_tag(TG_ARGV[0], OLD.author_id, NEW.author_id);
    END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION cache_notify_account_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM cache_notify_tag(TG_ARGV[0], OLD.id, NULL);
    RETURN NULL;
END;
$$;

-- A new session is nobody's kept session yet: only its changes and its end matter.
CREATE TRIGGER cache_notify_sessions AFTER UPDATE OR DELETE ON sessions
    FOR EACH ROW EXECUTE FUNCTION cache_notify_user_id('u');
CREATE TRIGGER cache_notify_account_row AFTER UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION cache_notify_account_row('u');
CREATE TRIGGER cache_notify_notifications AFTER INSERT OR UPDATE OR DELETE ON notifications
    FOR EACH ROW EXECUTE FUNCTION cache_notify_user_id('u');

CREATE TRIGGER cache_notify_reader_posts AFTER INSERT OR UPDATE OR DELETE ON posts
    FOR EACH ROW EXECUTE FUNCTION cache_notify_author_id('r');
CREATE TRIGGER cache_notify_reader_reads AFTER INSERT OR UPDATE OR DELETE ON thread_reads
    FOR EACH ROW EXECUTE FUNCTION cache_notify_user_id('r');
CREATE TRIGGER cache_notify_reader_watch AFTER INSERT OR UPDATE OR DELETE ON thread_watchers
    FOR EACH ROW EXECUTE FUNCTION cache_notify_user_id('r');
CREATE TRIGGER cache_notify_reader_reactions AFTER INSERT OR UPDATE OR DELETE ON post_reactions
    FOR EACH ROW EXECUTE FUNCTION cache_notify_user_id('r');
CREATE TRIGGER cache_notify_reader_bookmarks AFTER INSERT OR UPDATE OR DELETE ON bookmarks
    FOR EACH ROW EXECUTE FUNCTION cache_notify_user_id('r');
