-- 0016: undoing a delete. A deleted post remembers the state it had (a pending post goes
-- back to waiting, never straight to visible), when it was deleted and by whom, so its
-- author can restore it for a while and moderators at any time.
ALTER TABLE posts
    ADD COLUMN deleted_at timestamptz,
    ADD COLUMN deleted_by bigint REFERENCES users (id),
    ADD COLUMN state_before_delete text
        CHECK (state_before_delete IS NULL OR state_before_delete IN ('visible', 'pending', 'hidden'));

-- Posts deleted before this migration keep no earlier state: only moderators restore them
-- (to visible, as nothing else is known).
UPDATE posts SET deleted_at = coalesce(edited_at, created_at) WHERE state = 'deleted';
ALTER TABLE posts ADD CONSTRAINT posts_deleted_at CHECK ((state = 'deleted') = (deleted_at IS NOT NULL));

-- Whichever code deletes or undeletes a post (the author, a flag decision, SQL by hand),
-- the record follows here; deleted_by is set by the statement that deletes, as only it
-- knows who asked (NULL: nobody but a moderator may undo it).
CREATE FUNCTION posts_remember_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.state = 'deleted' AND (TG_OP = 'INSERT' OR OLD.state <> 'deleted') THEN
        NEW.deleted_at := now();
        NEW.state_before_delete := CASE WHEN TG_OP = 'UPDATE' THEN OLD.state END;
    ELSIF NEW.state <> 'deleted' AND TG_OP = 'UPDATE' AND OLD.state = 'deleted' THEN
        NEW.deleted_at := NULL;
        NEW.deleted_by := NULL;
        NEW.state_before_delete := NULL;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER posts_remember_delete BEFORE INSERT OR UPDATE OF state ON posts
    FOR EACH ROW EXECUTE FUNCTION posts_remember_delete();
