-- 0013: authors and moderators rename threads (issue 16); the revisions of a thread's
-- opening post keep the title it had at each revision, so the history shows what the
-- thread was called before.
ALTER TABLE post_revisions ADD COLUMN title text
    CHECK (title IS NULL OR char_length(title) BETWEEN 3 AND 200);
COMMENT ON COLUMN post_revisions.title IS 'the thread''s title at this revision; opening posts only';

-- Whichever code writes a revision of an opening post (starting a thread, editing it,
-- renaming the thread), the title of that moment goes with it.
CREATE FUNCTION post_revisions_title() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.title IS NULL THEN
        SELECT t.title INTO NEW.title FROM posts p JOIN threads t ON t.id = p.thread_id
         WHERE p.id = NEW.post_id AND p.parent_id IS NULL;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER post_revisions_title BEFORE INSERT ON post_revisions
    FOR EACH ROW EXECUTE FUNCTION post_revisions_title();

-- Until now no thread could be renamed: every revision had today's title.
UPDATE post_revisions r SET title = t.title
  FROM posts p JOIN threads t ON t.id = p.thread_id
 WHERE p.id = r.post_id AND p.parent_id IS NULL;
