-- 0036: search at 2.5M posts (issue 20, target 3). A word found in a quarter of all posts
-- made every search read its whole GIN posting list (34–41 ms at 2.5M) and rank a sample
-- of ~2000 of its posts before the first result: 200–320 ms one client. An index cannot
-- give the best-ranked matches first, but the primary key gives the newest first, and a
-- common word is found after a few rows of that order. So each side of a search (thread
-- titles, posts) now depends on how many rows PostgreSQL expects to match (its own
-- estimate, from the lexeme statistics ANALYZE keeps for the `search` columns):
--   - at most search_exact_limit(): as before (schema 0027), so rare words lose nothing;
--   - more: the newest search_window() matches (or down to the page asked for), found
--     walking the primary key backwards (threads: threads_recent_search, an index-only
--     scan) or through the GIN index when the planner, seeing the words, finds that
--     cheaper, are ranked. The cost follows the window, not the forum's size; relevance
--     becomes "the best of the recent matches", where the old path ranked a random sample
--     (gin_fuzzy_search_limit) that changed from one search to the next.
-- Searches with a filter (author:, category:, tag:, after:, before:, status:) keep the old
-- path: a filter could keep the newest-first walk from stopping early. Ideas are searched
-- as before. Visibility is the same predicate in both paths: visible posts of visible
-- threads, visible threads not merged away.

-- How many visible posts (kind 'posts') or thread titles (kind 'threads') the planner
-- expects to match q: EXPLAIN of the match alone, with q as a literal so its lexemes'
-- frequencies (pg_stats.most_common_elems, kept by autovacuum's ANALYZE) are used.
-- VOLATILE only because PostgreSQL allows EXPLAIN in no other kind of function.
CREATE FUNCTION search_estimate(q tsquery, kind text) RETURNS double precision
LANGUAGE plpgsql VOLATILE STRICT AS $$
DECLARE
    plan json;
BEGIN
    EXECUTE format('EXPLAIN (FORMAT JSON) SELECT 1 FROM %I WHERE state = %L AND search @@ %L::tsquery%s',
                   kind, 'visible', q::text, CASE kind WHEN 'threads' THEN ' AND merged_into IS NULL' ELSE '' END)
        INTO plan;
    RETURN (plan -> 0 -> 'Plan' ->> 'Plan Rows')::double precision;
END;
$$;

-- The newest visible thread titles with their vectors in one small index (19 MB for 164k
-- threads), so a common title word's newest matches are read without visiting the table.
CREATE INDEX threads_recent_search ON threads (id DESC) INCLUDE (search)
    WHERE state = 'visible' AND merged_into IS NULL;

-- Above this many expected matches a search ranks a recent window instead of every match.
CREATE FUNCTION search_exact_limit() RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT 2000';
-- How many of the newest matches are ranked then (or the page's end, if further).
CREATE FUNCTION search_window() RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT 300';

CREATE OR REPLACE FUNCTION search_hits(q tsquery, kind text, n integer, f_author text, f_category text,
                                       f_after date, f_before date, f_status text, f_tag text DEFAULT NULL)
RETURNS TABLE (type text, id bigint, rank real)
LANGUAGE plpgsql STABLE SET gin_fuzzy_search_limit = 2000 AS $fn$
#variable_conflict use_column
DECLARE
    -- numnode: a query of stop words only has no lexeme to estimate (nor to find)
    plain boolean := f_status IS NULL AND f_author IS NULL AND f_category IS NULL AND f_after IS NULL
        AND f_before IS NULL AND f_tag IS NULL AND numnode(q) > 0;
    -- q as a literal in the window queries: planned for this query's words, not generically
    lit text := quote_literal(q::text) || '::tsquery';
    win integer := greatest(search_window(), n);
BEGIN
    IF kind IN ('all', 'threads') AND plain AND search_estimate(q, 'threads') > search_exact_limit() THEN
        -- titles tie on a common word (one occurrence each), newest first: the window
        -- loses next to nothing; read from threads_recent_search alone
        RETURN QUERY EXECUTE format($q$
            SELECT 'thread'::text, w.id, w.rank FROM (
                SELECT t.id, ts_rank(t.search, %1$s) AS rank FROM threads t
                WHERE t.state = 'visible' AND t.merged_into IS NULL AND t.search @@ %1$s
                ORDER BY t.id DESC LIMIT %2$s) w
            ORDER BY 3 DESC, 2 DESC LIMIT $1$q$, lit, win) USING n;
    ELSE
        RETURN QUERY
        SELECT 'thread'::text, t.id, ts_rank(t.search, q) FROM threads t
         WHERE kind IN ('all', 'threads') AND f_status IS NULL
           AND t.state = 'visible' AND t.merged_into IS NULL AND t.search @@ q
           AND (f_author IS NULL OR t.author_id = (SELECT u.id FROM users u WHERE lower(u.username) = lower(f_author)))
           AND (f_category IS NULL OR t.category_id = (SELECT c.id FROM categories c WHERE c.slug = f_category))
           AND (f_after IS NULL OR t.created_at >= f_after::timestamp AT TIME ZONE 'UTC')
           AND (f_before IS NULL OR t.created_at < f_before::timestamp AT TIME ZONE 'UTC')
           AND (f_tag IS NULL OR EXISTS (SELECT 1 FROM thread_tags tt WHERE tt.thread_id = t.id
                                         AND tt.tag_id = (SELECT g.id FROM tags g WHERE g.name = f_tag)))
         ORDER BY 3 DESC, 2 DESC LIMIT n;
    END IF;

    RETURN QUERY
    SELECT 'idea'::text, i.number, ts_rank(i.search, q) FROM ideas i
     WHERE kind IN ('all', 'ideas') AND f_category IS NULL AND f_tag IS NULL
       AND i.merged_into IS NULL AND i.search @@ q
       AND (f_author IS NULL OR i.author_id = (SELECT u.id FROM users u WHERE lower(u.username) = lower(f_author)))
       AND (f_after IS NULL OR i.created_at >= f_after::timestamp AT TIME ZONE 'UTC')
       AND (f_before IS NULL OR i.created_at < f_before::timestamp AT TIME ZONE 'UTC')
       AND (f_status IS NULL OR i.status = f_status)
     ORDER BY 3 DESC, 2 DESC LIMIT n;

    IF kind IN ('all', 'posts') AND plain AND search_estimate(q, 'posts') > search_exact_limit() THEN
        -- No sampling: the window is the newest matches, whichever index finds them.
        PERFORM set_config('gin_fuzzy_search_limit', '0', true);
        RETURN QUERY EXECUTE format($q$
            SELECT 'post'::text, w.id, w.rank FROM (
                SELECT p.id, ts_rank(p.search, %1$s, 1) AS rank
                FROM posts p JOIN threads t ON t.id = p.thread_id
                WHERE p.state = 'visible' AND t.state = 'visible' AND p.search @@ %1$s
                  -- the opening post of a thread listed above (as in the exact path)
                  AND NOT ($1 = 'all' AND p.parent_id IS NULL AND t.merged_into IS NULL AND t.search @@ %1$s)
                ORDER BY p.id DESC LIMIT %2$s) w
            ORDER BY 3 DESC, 2 DESC LIMIT $2$q$, lit, win) USING kind, n;
    ELSE
        RETURN QUERY
        SELECT 'post'::text, p.id, ts_rank(p.search, q, 1) FROM posts p JOIN threads t ON t.id = p.thread_id
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
         ORDER BY 3 DESC, 2 DESC LIMIT n;
    END IF;
END;
$fn$;
