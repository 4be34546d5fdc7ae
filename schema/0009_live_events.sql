-- 0009: live updates. When a post becomes visible (at once, or when a moderator approves
-- it), every Corral instance hears 't:<thread>:<post>' on corral_events at commit and
-- pushes it to the readers of that thread's event stream, whichever instance they use.
CREATE FUNCTION events_notify_posts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.state = 'visible' AND (TG_OP = 'INSERT' OR OLD.state IS DISTINCT FROM 'visible') THEN
        PERFORM pg_notify('corral_events', 't:' || NEW.thread_id || ':' || NEW.id);
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER events_notify_posts AFTER INSERT OR UPDATE OF state ON posts
    FOR EACH ROW EXECUTE FUNCTION events_notify_posts();
