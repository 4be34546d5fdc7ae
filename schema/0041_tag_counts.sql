-- 0041: each tag's count of visible threads kept on tags (issue 20). /tags and /tags/{name}
-- counted them on every request (a subquery over thread_tags and threads: 32-39 ms for a
-- common tag at 2.5M posts, and /tags did it for every tag). The count means exactly what
-- that subquery did: the threads carrying the tag whose state is 'visible' (a merged thread
-- is hidden, so it drops out as it did).
--
-- It changes when a thread gains or loses a tag (thread_tags rows inserted, deleted,
-- updated, or deleted by the cascade of a deleted tag or thread) and when a thread's state
-- enters or leaves 'visible' (held, approved, hidden, deleted, restored, merged); a thread is
-- never inserted with tags, and moving it to another category changes nothing here.
--
-- Concurrency: the counts move by UPDATE tags SET n = n ± k (the tag's row lock), never by
-- reading and writing back. The thread's row orders the two kinds of change: the triggers
-- on thread_tags lock it (FOR UPDATE, as thread_tags_limit of 0027 already does on insert)
-- before they read its state, and a change of state holds it too, so a retagging and a
-- hiding of the same thread never both count (or both miss) the same tag.
ALTER TABLE tags ADD COLUMN visible_threads integer NOT NULL DEFAULT 0 CHECK (visible_threads >= 0);
COMMENT ON COLUMN tags.visible_threads IS
    'threads carrying the tag whose state is visible; kept by the triggers of 0041 (/tags, /tags/{name})';

-- Statement by statement, a count per tag: a bulk retagging by hand moves each tag's row
-- once, where a row trigger would update it once per row (a row updated thousands of times
-- in one transaction gets slower with each version).
CREATE FUNCTION tags_count_thread_tags() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- the threads are locked (in id order) before their state is read, whatever it is
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        -- a deleted tag's cascade (its row gone) needs no lock; a deleted thread's finds no
        -- thread: tags_count_thread_went counted it
        PERFORM 1 FROM threads t WHERE t.id IN (SELECT o.thread_id FROM old_rows o JOIN tags g ON g.id = o.tag_id)
          ORDER BY t.id FOR UPDATE;
        UPDATE tags g SET visible_threads = g.visible_threads - x.n
          FROM (SELECT o.tag_id, count(*) AS n FROM old_rows o JOIN threads t ON t.id = o.thread_id
                 WHERE t.state = 'visible' GROUP BY o.tag_id) x
         WHERE g.id = x.tag_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM 1 FROM threads t WHERE t.id IN (SELECT thread_id FROM new_rows) ORDER BY t.id FOR UPDATE;
        UPDATE tags g SET visible_threads = g.visible_threads + x.n
          FROM (SELECT w.tag_id, count(*) AS n FROM new_rows w JOIN threads t ON t.id = w.thread_id
                 WHERE t.state = 'visible' GROUP BY w.tag_id) x
         WHERE g.id = x.tag_id;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER tags_count_thread_tags_added AFTER INSERT ON thread_tags REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tags_count_thread_tags();
CREATE TRIGGER tags_count_thread_tags_removed AFTER DELETE ON thread_tags REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tags_count_thread_tags();
CREATE TRIGGER tags_count_thread_tags_changed AFTER UPDATE ON thread_tags
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tags_count_thread_tags();

-- A thread entering or leaving 'visible' counts for or against each of its tags.
CREATE FUNCTION tags_count_thread_state() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tags SET visible_threads = visible_threads + CASE WHEN NEW.state = 'visible' THEN 1 ELSE -1 END
     WHERE id IN (SELECT tag_id FROM thread_tags WHERE thread_id = NEW.id);
    RETURN NULL;
END;
$$;
CREATE TRIGGER tags_count_thread_state AFTER UPDATE OF state ON threads
    FOR EACH ROW WHEN ((OLD.state = 'visible') <> (NEW.state = 'visible'))
    EXECUTE FUNCTION tags_count_thread_state();

-- A deleted thread (no code deletes one; SQL by hand might): counted before the row goes,
-- because by the time the cascade deletes its thread_tags the thread can no longer be read,
-- and AFTER DELETE on threads runs after that cascade (triggers fire by name, RI_… first).
CREATE FUNCTION tags_count_thread_went() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.state = 'visible' THEN
        UPDATE tags SET visible_threads = visible_threads - 1
         WHERE id IN (SELECT tag_id FROM thread_tags WHERE thread_id = OLD.id);
    END IF;
    RETURN OLD;
END;
$$;
CREATE TRIGGER tags_count_thread_went BEFORE DELETE ON threads
    FOR EACH ROW EXECUTE FUNCTION tags_count_thread_went();

-- Backfilled after the triggers exist: creating them waited for writers of thread_tags and
-- threads to finish and holds them off until this commits, so no change falls in between.
UPDATE tags g SET visible_threads = (SELECT count(*) FROM thread_tags tt JOIN threads t ON t.id = tt.thread_id
                                      WHERE tt.tag_id = g.id AND t.state = 'visible');
