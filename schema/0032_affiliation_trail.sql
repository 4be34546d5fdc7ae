-- 0032: practitioners heard (issue 21, part): helpers' declared affiliations, categories
-- that require one, the practitioners' votes of each idea as a kept counter (the board
-- sorts by it), and what the monthly report reads. Needs 0001-0006 and 0008.

-- What a helper (consultant, vendor, analyst, trainer…) declares: the organisation they
-- work for and, for vendors, what they sell. Shown beside the role on every post while
-- the member's role is a helper role (forum/affiliation.c).
ALTER TABLE users
    ADD COLUMN affiliation text
        CHECK (affiliation IS NULL OR char_length(affiliation) BETWEEN 1 AND 100),
    ADD COLUMN affiliation_products text
        CHECK (affiliation_products IS NULL OR char_length(affiliation_products) BETWEEN 1 AND 300),
    ADD COLUMN affiliation_at timestamptz,
    ADD CONSTRAINT users_products_need_affiliation
        CHECK (affiliation_products IS NULL OR affiliation IS NOT NULL);
COMMENT ON COLUMN users.affiliation IS
    'the organisation a helper declared (1-100 characters); NULL: none declared';

-- Every post shows it: a change makes every cached page stale, like a name.
CREATE TRIGGER cache_notify_users_affiliation AFTER UPDATE OF affiliation, affiliation_products ON users
    FOR EACH ROW
    WHEN (OLD.affiliation IS DISTINCT FROM NEW.affiliation
          OR OLD.affiliation_products IS DISTINCT FROM NEW.affiliation_products)
    EXECUTE FUNCTION cache_notify_all();

-- Deleting an account (account_erase, schema/0021) erases what its member declared.
CREATE FUNCTION users_erase_affiliation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.affiliation := NULL;
    NEW.affiliation_products := NULL;
    NEW.affiliation_at := NULL;
    RETURN NEW;
END;
$$;
CREATE TRIGGER users_erase_affiliation BEFORE UPDATE OF deleted_at ON users
    FOR EACH ROW WHEN (NEW.deleted_at IS NOT NULL AND OLD.deleted_at IS NULL)
    EXECUTE FUNCTION users_erase_affiliation();

ALTER TABLE categories ADD COLUMN requires_affiliation boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN categories.requires_affiliation IS
    'helpers must have declared an affiliation to start threads or reply here';

-- Practitioners' votes per idea, kept like vote_count: by the votes themselves, and
-- again when a voter's role or a role's kind changes (the split follows current roles,
-- as the vote split on the idea page does).
ALTER TABLE ideas ADD COLUMN doer_vote_count integer NOT NULL DEFAULT 0 CHECK (doer_vote_count >= 0);
UPDATE ideas i SET doer_vote_count = (
    SELECT count(*) FROM idea_votes v JOIN users u ON u.id = v.user_id
    JOIN community_roles cr ON cr.slug = u.community_role WHERE v.idea = i.number AND cr.kind = 'doer');
CREATE INDEX ideas_by_doer_votes ON ideas (doer_vote_count DESC, vote_count DESC, number DESC)
    WHERE merged_into IS NULL;
COMMENT ON INDEX ideas_by_doer_votes IS '/ideas?sort=practitioners: the board by practitioners'' votes';
CREATE INDEX ideas_status_doer_votes ON ideas (status, doer_vote_count DESC, vote_count DESC)
    WHERE merged_into IS NULL;
COMMENT ON INDEX ideas_status_doer_votes IS '/ideas?sort=practitioners&status=';

CREATE FUNCTION idea_votes_doer_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF forum_is_doer(NEW.user_id) THEN
            UPDATE ideas SET doer_vote_count = doer_vote_count + 1 WHERE number = NEW.idea;
        END IF;
    ELSIF forum_is_doer(OLD.user_id) THEN
        UPDATE ideas SET doer_vote_count = doer_vote_count - 1 WHERE number = OLD.idea;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER idea_votes_doer_count AFTER INSERT OR DELETE ON idea_votes
    FOR EACH ROW EXECUTE FUNCTION idea_votes_doer_count();

CREATE FUNCTION ideas_recount_doer_votes(only_user bigint) RETURNS void LANGUAGE sql AS $$
    UPDATE ideas i SET doer_vote_count = (
        SELECT count(*) FROM idea_votes v JOIN users u ON u.id = v.user_id
        JOIN community_roles cr ON cr.slug = u.community_role WHERE v.idea = i.number AND cr.kind = 'doer')
    WHERE only_user IS NULL OR i.number IN (SELECT idea FROM idea_votes WHERE user_id = only_user)
$$;
CREATE FUNCTION users_role_changed_votes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ideas_recount_doer_votes(NEW.id);
    RETURN NULL;
END;
$$;
CREATE TRIGGER users_role_changed_votes AFTER UPDATE OF community_role ON users
    FOR EACH ROW WHEN (OLD.community_role IS DISTINCT FROM NEW.community_role)
    EXECUTE FUNCTION users_role_changed_votes();
CREATE FUNCTION community_roles_kind_changed_votes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ideas_recount_doer_votes(NULL);
    RETURN NULL;
END;
$$;
CREATE TRIGGER community_roles_kind_changed_votes AFTER UPDATE OF kind ON community_roles
    FOR EACH ROW WHEN (OLD.kind IS DISTINCT FROM NEW.kind)
    EXECUTE FUNCTION community_roles_kind_changed_votes();

-- The monthly report (/report/YYYY-MM) reads status changes by time.
CREATE INDEX idea_status_history_at ON idea_status_history (at);
COMMENT ON INDEX idea_status_history_at IS '/report/YYYY-MM: the ideas that moved in a month';

-- The report's cached pages depend on what the 'lists' tag does not cover: status
-- changes, votes, surveys and their responses, members and their roles.
CREATE FUNCTION cache_notify_report() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('corral_cache', 'report');
    RETURN NULL;
END;
$$;
CREATE TRIGGER cache_notify_report_history AFTER INSERT OR UPDATE OR DELETE ON idea_status_history
    FOR EACH STATEMENT EXECUTE FUNCTION cache_notify_report();
CREATE TRIGGER cache_notify_report_ideas AFTER UPDATE OR DELETE ON ideas
    FOR EACH STATEMENT EXECUTE FUNCTION cache_notify_report();
CREATE TRIGGER cache_notify_report_surveys AFTER INSERT OR UPDATE OR DELETE ON surveys
    FOR EACH STATEMENT EXECUTE FUNCTION cache_notify_report();
CREATE TRIGGER cache_notify_report_responses AFTER INSERT OR UPDATE OR DELETE ON survey_responses
    FOR EACH STATEMENT EXECUTE FUNCTION cache_notify_report();
CREATE TRIGGER cache_notify_report_members AFTER INSERT OR DELETE OR UPDATE OF community_role ON users
    FOR EACH STATEMENT EXECUTE FUNCTION cache_notify_report();
