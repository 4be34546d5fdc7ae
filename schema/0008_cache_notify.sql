-- 0008: tell every Corral instance which cached pages a committed change makes stale.
-- NOTIFY is transactional (sent at commit, never for a rolled-back change) and
-- de-duplicated within a transaction. Payloads: 't:<thread id>' for a thread's pages,
-- 'lists' for every list of threads (home, categories, feeds, voices), 'all' when a
-- change shows on every page (a name, a community role, a category).

CREATE FUNCTION cache_notify_posts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM pg_notify('corral_cache', 't:' || OLD.thread_id);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM pg_notify('corral_cache', 't:' || NEW.thread_id);
    END IF;
    PERFORM pg_notify('corral_cache', 'lists');
    RETURN NULL;
END;
$$;
CREATE TRIGGER cache_notify_posts AFTER INSERT OR UPDATE OR DELETE ON posts
    FOR EACH ROW EXECUTE FUNCTION cache_notify_posts();

CREATE FUNCTION cache_notify_threads() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('corral_cache', 't:' || coalesce(NEW.id, OLD.id));
    PERFORM pg_notify('corral_cache', 'lists');
    RETURN NULL;
END;
$$;
CREATE TRIGGER cache_notify_threads AFTER INSERT OR UPDATE OR DELETE ON threads
    FOR EACH ROW EXECUTE FUNCTION cache_notify_threads();

CREATE FUNCTION cache_notify_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('corral_cache', 'all');
    RETURN NULL;
END;
$$;
CREATE TRIGGER cache_notify_categories AFTER INSERT OR UPDATE OR DELETE ON categories
    FOR EACH STATEMENT EXECUTE FUNCTION cache_notify_all();
CREATE TRIGGER cache_notify_roles AFTER INSERT OR UPDATE OR DELETE ON community_roles
    FOR EACH STATEMENT EXECUTE FUNCTION cache_notify_all();
CREATE TRIGGER cache_notify_users AFTER UPDATE OF username, display_name, community_role, role_verified
    ON users FOR EACH ROW
    WHEN (OLD.username IS DISTINCT FROM NEW.username OR OLD.display_name IS DISTINCT FROM NEW.display_name
          OR OLD.community_role IS DISTINCT FROM NEW.community_role
          OR OLD.role_verified IS DISTINCT FROM NEW.role_verified)
    EXECUTE FUNCTION cache_notify_all();
