-- 0005: the idea corral (ideas, their sources, votes and status history) and search
-- (full-text vectors kept by the database, trigram matching of thread titles).
--
-- Numbered 0005 because 0004 belongs to the moderation queues; it relies on 0003 only.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE ideas (
    number         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,   -- IDEA-<number>
    title          text NOT NULL CHECK (char_length(title) BETWEEN 3 AND 200),
    summary        text NOT NULL CHECK (octet_length(summary) BETWEEN 1 AND 50000),
    summary_html   text NOT NULL,
    render_version text NOT NULL,
    status         text NOT NULL DEFAULT 'new'
                   CHECK (status IN ('new', 'under_review', 'planned', 'in_progress', 'done', 'declined')),
    merged_into    bigint REFERENCES ideas (number) CHECK (merged_into <> number),
    author_id      bigint NOT NULL REFERENCES users (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    -- kept by the trigger on idea_votes, in the transaction that votes
    vote_count     integer NOT NULL DEFAULT 0 CHECK (vote_count >= 0),
    search         tsvector GENERATED ALWAYS AS
                   (setweight(to_tsvector('english', title), 'A') ||
                    setweight(to_tsvector('english', summary), 'B')) STORED
);
CREATE INDEX ideas_by_votes ON ideas (vote_count DESC, number DESC) WHERE merged_into IS NULL;
COMMENT ON INDEX ideas_by_votes IS '/ideas?sort=votes: the board';
CREATE INDEX ideas_status ON ideas (status, vote_count DESC) WHERE merged_into IS NULL;
COMMENT ON INDEX ideas_status IS '/ideas?status=';
CREATE INDEX ideas_merged_into ON ideas (merged_into) WHERE merged_into IS NOT NULL;
CREATE INDEX ideas_search ON ideas USING gin (search) WHERE merged_into IS NULL;
COMMENT ON INDEX ideas_search IS '/api/v1/search?type=ideas';

-- The posts an idea came from. One post may carry several ideas.
CREATE TABLE idea_sources (
    idea     bigint NOT NULL REFERENCES ideas (number),
    post_id  bigint NOT NULL REFERENCES posts (id),
    added_by bigint REFERENCES users (id),
    added_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (idea, post_id)
);
CREATE INDEX idea_sources_post ON idea_sources (post_id);

-- One vote per member per idea: the primary key is what makes a repeated vote a no-op,
-- however many arrive at once.
CREATE TABLE idea_votes (
    idea       bigint NOT NULL REFERENCES ideas (number),
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (idea, user_id)
);
CREATE INDEX idea_votes_user ON idea_votes (user_id);

CREATE FUNCTION idea_votes_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE ideas SET vote_count = vote_count + 1 WHERE number = NEW.idea;
    ELSE
        UPDATE ideas SET vote_count = vote_count - 1 WHERE number = OLD.idea;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER idea_votes_count AFTER INSERT OR DELETE ON idea_votes
    FOR EACH ROW EXECUTE FUNCTION idea_votes_count();

CREATE TABLE idea_status_history (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    idea     bigint NOT NULL REFERENCES ideas (number),
    status   text NOT NULL
             CHECK (status IN ('new', 'under_review', 'planned', 'in_progress', 'done', 'declined')),
    actor_id bigint REFERENCES users (id),
    reason   text CHECK (reason IS NULL OR char_length(reason) <= 1000),
    at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idea_status_history_idea ON idea_status_history (idea, id);

-- Full-text search: vectors computed by PostgreSQL from the row itself, so no code path
-- can leave them stale. Only visible rows are ever searched, so the indexes hold only those.
ALTER TABLE threads ADD COLUMN search tsvector
    GENERATED ALWAYS AS (setweight(to_tsvector('english', title), 'A')) STORED;
CREATE INDEX threads_search ON threads USING gin (search) WHERE state = 'visible';
COMMENT ON INDEX threads_search IS '/api/v1/search?type=threads';

ALTER TABLE posts ADD COLUMN search tsvector
    GENERATED ALWAYS AS (to_tsvector('english', body)) STORED;
CREATE INDEX posts_search ON posts USING gin (search) WHERE state = 'visible';
COMMENT ON INDEX posts_search IS '/api/v1/search?type=posts';

-- What the searcher typed (web-search syntax: "phrase", or, -word) as a query. A query of
-- stop words only is empty, which PostgreSQL reports with a NOTICE per search; that is
-- not news for the server log.
CREATE FUNCTION search_query(q text) RETURNS tsquery
LANGUAGE sql STABLE STRICT SET client_min_messages = warning AS $$
    SELECT websearch_to_tsquery('english'::regconfig, q)
$$;

-- The ranked matches of a search, best first, at most n of each kind (kind: all,
-- threads, posts, ideas). Only visible posts of visible threads, visible threads and
-- ideas not merged away. A word found in most posts would make ranking read every one
-- of them; gin_fuzzy_search_limit makes such a term's index scan return a random sample
-- of about that many rows instead (PostgreSQL's own remedy, "GIN Tips and Tricks"), so a
-- search costs at most that many row reads per kind while selective terms stay exact.
-- 2000 rather than the 5000 the manual starts at: measured on 100 000 posts, 5000 more
-- than doubled p95 (tests/bench/search_latency.sh), and a term in more than 2 % of all
-- posts ranks poorly anyway; combined terms narrow the matches below it.
-- The SET clause also keeps the function from being inlined: the query inside always
-- gets the same plan, index scans, whatever the caller's statement looks like.
CREATE FUNCTION search_hits(q tsquery, kind text, n integer)
RETURNS TABLE (type text, id bigint, rank real)
LANGUAGE sql STABLE SET gin_fuzzy_search_limit = 2000 AS $$
    (SELECT 'thread', t.id, ts_rank(t.search, q) FROM threads t
     WHERE kind IN ('all', 'threads') AND t.state = 'visible' AND t.merged_into IS NULL AND t.search @@ q
     ORDER BY 3 DESC, 2 DESC LIMIT n)
    UNION ALL
    (SELECT 'post', p.id, ts_rank(p.search, q, 1) FROM posts p JOIN threads t ON t.id = p.thread_id
     WHERE kind IN ('all', 'posts') AND p.state = 'visible' AND t.state = 'visible' AND p.search @@ q
     ORDER BY 3 DESC, 2 DESC LIMIT n)
    UNION ALL
    (SELECT 'idea', i.number, ts_rank(i.search, q) FROM ideas i
     WHERE kind IN ('all', 'ideas') AND i.merged_into IS NULL AND i.search @@ q
     ORDER BY 3 DESC, 2 DESC LIMIT n)
$$;

-- A title reduced to its distinct stems in sorted order ("Cutting the cost of ITSM
-- tools" → "cost cut itsm tool"), so trigram similarity sees through word order, stop
-- words and inflection, and still through typos ("advisery" → "adviseri" shares most
-- trigrams of "advisori"). Stored beside the title; similar titles are found through
-- its trigram index. (A trigram index on the raw title as well doubled the lookup time
-- in tests/bench/search_latency.sh without finding more, there or in the tests.)
CREATE FUNCTION search_title_key(title text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(string_agg(l, ' ' ORDER BY l), '')
    FROM unnest(tsvector_to_array(to_tsvector('english'::regconfig, title))) AS l
$$;
ALTER TABLE threads ADD COLUMN title_key text
    GENERATED ALWAYS AS (search_title_key(title)) STORED;
CREATE INDEX threads_title_key_trgm ON threads USING gin (title_key gin_trgm_ops) WHERE state = 'visible';
COMMENT ON INDEX threads_title_key_trgm IS '/api/v1/threads/similar: title_key % search_title_key($1)';

-- Any of the stems of a text as a query ('cost' | 'cut' | …), built from the vector so
-- that no stop-word notice is raised; NULL when the text has no stems.
CREATE FUNCTION search_any_stem(q text) RETURNS tsquery
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$
    SELECT string_agg('''' || replace(replace(l, '\', '\\'), '''', '''''') || '''', ' | ')::tsquery
    FROM unnest(tsvector_to_array(to_tsvector('english'::regconfig, q))) AS l
$$;

-- Times inside JSON documents, in the API's RFC 3339 UTC form (STABLE: to_char is).
CREATE FUNCTION api_time(t timestamptz) RETURNS text
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$
    SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$$;
