-- 0027: tags (issue 19, "Tags"). Needs 0003 (threads), 0008 (cache notifications) and
-- 0014 (search_hits). Moderators define tags; a thread carries at most five.
CREATE TABLE tags (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9-]{0,29}$'),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 500),
    created_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE tags IS 'topics moderators define; threads carry up to five (thread_tags)';

-- Deleting a tag removes it from its threads (ON DELETE CASCADE).
CREATE TABLE thread_tags (
    thread_id bigint NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    tag_id    bigint NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (thread_id, tag_id)
);
CREATE INDEX thread_tags_tag ON thread_tags (tag_id, thread_id);
COMMENT ON INDEX thread_tags_tag IS 'a tag''s threads (/tags/{name}, ?tag=, tag: in search) and its thread count';

-- At most five per thread, whoever writes them: the thread's row is locked first, so two
-- concurrent retaggings cannot both pass the count.
CREATE FUNCTION thread_tags_limit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM threads WHERE id = NEW.thread_id FOR UPDATE;
    IF (SELECT count(*) FROM thread_tags WHERE thread_id = NEW.thread_id) > 5 THEN
        RAISE EXCEPTION 'a thread carries at most 5 tags' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER thread_tags_limit AFTER INSERT ON thread_tags
    FOR EACH ROW EXECUTE FUNCTION thread_tags_limit();

-- Cached pages (0008's channel): a thread's tags show on its page and in every list; a
-- tag's name or description on the tag pages, which are lists too.
CREATE FUNCTION cache_notify_thread_tags() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('corral_cache', 't:' || coalesce(NEW.thread_id, OLD.thread_id));
    PERFORM pg_notify('corral_cache', 'lists');
    RETURN NULL;
END;
$$;
CREATE TRIGGER cache_notify_thread_tags AFTER INSERT OR DELETE ON thread_tags
    FOR EACH ROW EXECUTE FUNCTION cache_notify_thread_tags();
-- A renamed or re-described tag shows on every page of its threads: 'all', as categories.
CREATE TRIGGER cache_notify_tags AFTER INSERT OR UPDATE OR DELETE ON tags
    FOR EACH STATEMENT EXECUTE FUNCTION cache_notify_all();

-- search_hits (0014) with tag: as one more filter, applied like category: before each
-- kind's LIMIT. Ideas carry no tags, so tag: finds no ideas. f_tag defaults to NULL, so
-- the callers of the eight-argument form keep working unchanged.
DROP FUNCTION search_hits(tsquery, text, integer, text, text, date, date, text);
CREATE FUNCTION search_hits(q tsquery, kind text, n integer, f_author text, f_category text,
                            f_after date, f_before date, f_status text, f_tag text DEFAULT NULL)
RETURNS TABLE (type text, id bigint, rank real)
LANGUAGE sql STABLE SET gin_fuzzy_search_limit = 2000 AS $$
    (SELECT 'thread', t.id, ts_rank(t.search, q) FROM threads t
     WHERE kind IN ('all', 'threads') AND f_status IS NULL
       AND t.state = 'visible' AND t.merged_into IS NULL AND t.search @@ q
       AND (f_author IS NULL OR t.author_id = (SELECT u.id FROM users u WHERE lower(u.username) = lower(f_author)))
       AND (f_category IS NULL OR t.category_id = (SELECT c.id FROM categories c WHERE c.slug = f_category))
       AND (f_after IS NULL OR t.created_at >= f_after::timestamp AT TIME ZONE 'UTC')
       AND (f_before IS NULL OR t.created_at < f_before::timestamp AT TIME ZONE 'UTC')
       AND (f_tag IS NULL OR EXISTS (SELECT 1 FROM thread_tags tt WHERE tt.thread_id = t.id
                                     AND tt.tag_id = (SELECT g.id FROM tags g WHERE g.name = f_tag)))
     ORDER BY 3 DESC, 2 DESC LIMIT n)
    UNION ALL
    (SELECT 'post', p.id, ts_rank(p.search, q, 1) FROM posts p JOIN threads t ON t.id = p.thread_id
     WHERE kind IN ('all', 'posts') AND f_status IS NULL
       AND p.state = 'visible' AND t.state = 'visible' AND p.search @@ q
       -- the opening post of a thread listed above (same author, time and category as it)
       AND NOT (kind = 'all' AND p.parent_id IS NULL AND t.merged_into IS NULL AND t.search @@ q)
       AND (f_author IS NULL OR p.author_id = (SELECT u.id FROM users u WHERE lower(u.username) = lower(f_author)))
       AND (f_category IS NULL OR t.category_id = (SELECT c.id FROM categories c WHERE c.slug = f_category))
       AND (f_after IS NULL OR p.created_at >= f_after::timestamp AT TIME ZONE 'UTC')
       AND (f_before IS NULL OR p.created_at < f_before::timestamp AT TIME ZONE 'UTC')
       AND (f_tag IS NULL OR EXISTS (SELECT 1 FROM thread_tags tt WHERE tt.thread_id = t.id
                                     AND tt.tag_id = (SELECT g.id FROM tags g WHERE g.name = f_tag)))
     ORDER BY 3 DESC, 2 DESC LIMIT n)
    UNION ALL
    (SELECT 'idea', i.number, ts_rank(i.search, q) FROM ideas i
     WHERE kind IN ('all', 'ideas') AND f_category IS NULL AND f_tag IS NULL
       AND i.merged_into IS NULL AND i.search @@ q
       AND (f_author IS NULL OR i.author_id = (SELECT u.id FROM users u WHERE lower(u.username) = lower(f_author)))
       AND (f_after IS NULL OR i.created_at >= f_after::timestamp AT TIME ZONE 'UTC')
       AND (f_before IS NULL OR i.created_at < f_before::timestamp AT TIME ZONE 'UTC')
       AND (f_status IS NULL OR i.status = f_status)
     ORDER BY 3 DESC, 2 DESC LIMIT n)
$$;

-- Tags are created, changed and deleted by moderators, each logged like other actions.
ALTER TABLE mod_log DROP CONSTRAINT mod_log_target_type_check;
ALTER TABLE mod_log ADD CONSTRAINT mod_log_target_type_check
    CHECK (target_type IN ('user', 'thread', 'post', 'idea', 'category', 'community_role',
                           'queue_item', 'survey', 'site', 'tag'));
