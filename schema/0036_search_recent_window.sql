-- 0036: search at 2.5M posts (issue 20, target 3). A word found in a quarter of all posts
-- made every search read its whole GIN posting list (34–41 ms at 2.5M) and rank a sample
-- of ~2000 of its posts before the first result: 200–320 ms one client. An index cannot
-- give the best-ranked matches first, but the primary key gives the newest first, and a
-- common word is found after a few rows of that order. So each side of a search (thread
-- titles, posts) first asks the statistics ANALYZE keeps for the `search` columns whether
-- the query's rarest required word is common (search_common()):
--   - if so, and in more than 2000 rows, the newest search_window() (100) matches among
--     the newest search_scan() rows (10,000 titles from the index-only
--     threads_recent_search, 5,000 posts) are ranked: bounded work, whatever the forum's
--     size and whatever the words;
--   - if not, or if that scan finds fewer matches than the window (words that go together
--     less than the statistics allow), every match is ranked as before (schema 0027),
--     so rare words lose nothing.
-- Relevance for common words becomes "the best of the recent matches", where the old path
-- ranked a random sample (gin_fuzzy_search_limit) that changed from one search to the next
-- and lost most matches of two common words together. Searches with a filter (author:,
-- category:, tag:, after:, before:, status:) keep the old path. Ideas are searched as
-- before. Visibility is the same predicate in every path: visible posts of visible
-- threads, visible threads not merged away.

-- How many visible posts (kind 'posts') or thread titles (kind 'threads') the planner
-- expects to match the tsquery text q: EXPLAIN of the match alone, with q as a literal so
-- its lexemes' frequencies (pg_stats.most_common_elems, kept by autovacuum's ANALYZE) are
-- used. VOLATILE only because PostgreSQL allows EXPLAIN in no other kind of function.
CREATE FUNCTION search_planned_rows(q text, kind text) RETURNS double precision
LANGUAGE plpgsql VOLATILE STRICT AS $$
DECLARE
    plan json;
BEGIN
    EXECUTE format('EXPLAIN (FORMAT JSON) SELECT 1 FROM %I WHERE state = %L AND search @@ %L::tsquery%s',
                   kind, 'visible', q, CASE kind WHEN 'threads' THEN ' AND merged_into IS NULL' ELSE '' END)
        INTO plan;
    RETURN (plan -> 0 -> 'Plan' ->> 'Plan Rows')::double precision;
END;
$$;

-- At most how many rows of kind q may match, as far as the statistics tell. The planner
-- multiplies the frequencies of words that must all be there, but a forum's words go
-- together ("on-call rotation" is in as many titles as "rotation"): a query without `|`
-- matches at most what its rarest required word does, so that is the estimate; with `|`,
-- the planner's (which adds them up).
CREATE FUNCTION search_estimate(q tsquery, kind text) RETURNS double precision
LANGUAGE sql VOLATILE STRICT AS $$
    SELECT CASE WHEN position('|' IN q::text) > 0 THEN search_planned_rows(q::text, kind)
        ELSE (SELECT min(search_planned_rows(format('''%s''%s', l[2], l[3]), kind))
              FROM regexp_matches(q::text, $re$(!?)'((?:[^']|'')*)'((?::[*A-D]+)?)$re$, 'g') l
              WHERE l[1] = '') END
$$;

-- The newest visible thread titles with their vectors in one small index (19 MB for 164k
-- threads), so a common title word's newest matches are read without visiting the table.
CREATE INDEX threads_recent_search ON threads (id DESC) INCLUDE (search)
    WHERE state = 'visible' AND merged_into IS NULL;

-- How many of the newest matches are ranked (or down to the page asked for, if further);
-- 300 cost a third more at 2.5M (p50 20.5 against 14.9 ms, pgbench, one client).
CREATE FUNCTION search_window() RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT 100';
-- Among how many of the newest visible rows they are looked for: bounded work whatever
-- the words (titles ~0.3 µs each from threads_recent_search, posts ~1 µs from the table).
CREATE FUNCTION search_scan(kind text) RETURNS integer LANGUAGE sql IMMUTABLE
    AS $$SELECT CASE kind WHEN 'threads' THEN 10000 ELSE 5000 END$$;

-- Whether the newest search_scan() rows of kind are expected to hold a window of matches
-- for q, and whether that is worth it: the rarest required word's rows, from the
-- statistics, are at least search_window() / search_scan() of the table (2 % of posts,
-- 1 % of titles) and more than 2000 (fewer are ranked all at once about as fast: at 250k
-- posts a common title word is in ~650 of 15,600 titles). A word outside the statistics'
-- common elements is guessed at half the least common one's share (0.15 % of posts at
-- 2.5M), so it is not.
CREATE FUNCTION search_common(q tsquery, kind text) RETURNS boolean
LANGUAGE sql VOLATILE STRICT AS $$
    SELECT numnode(q) > 0 AND search_estimate(q, kind)
        >= (SELECT greatest(c.reltuples * search_window() / search_scan(kind), 2000)
              FROM pg_class c WHERE c.oid = kind::regclass)
$$;

CREATE OR REPLACE FUNCTION search_hits(q tsquery, kind text, n integer, f_author text, f_category text,
                                       f_after date, f_before date, f_status text, f_tag text DEFAULT NULL)
RETURNS TABLE (type text, id bigint, rank real)
LANGUAGE plpgsql STABLE SET gin_fuzzy_search_limit = 2000
    -- a search ranks a few hundred rows at most: starting parallel workers cost 8-14 ms
    SET max_parallel_workers_per_gather = 0 AS $fn$
#variable_conflict use_column
DECLARE
    plain boolean := f_status IS NULL AND f_author IS NULL AND f_category IS NULL AND f_after IS NULL
        AND f_before IS NULL AND f_tag IS NULL;
    win integer := greatest(search_window(), n);
    ids bigint[];
    ranks real[];
BEGIN
    IF kind IN ('all', 'threads') AND plain AND search_common(q, 'threads') THEN
        -- Titles holding a common word tie (once each) and ties go newest first, so the
        -- newest matches lose next to nothing; read from threads_recent_search alone.
        SELECT array_agg(w.id ORDER BY w.rank DESC, w.id DESC), array_agg(w.rank ORDER BY w.rank DESC, w.id DESC)
          INTO ids, ranks
          FROM (SELECT c.id, ts_rank(c.search, q) AS rank
                  FROM (SELECT t.id, t.search FROM threads t WHERE t.state = 'visible' AND t.merged_into IS NULL
                        ORDER BY t.id DESC LIMIT search_scan('threads')) c
                 WHERE c.search @@ q ORDER BY c.id DESC LIMIT win) w;
    END IF;
    -- fewer matches there than the window: the words go together less than the
    -- statistics allow, and every match is ranked as below
    IF cardinality(ids) >= win THEN
        RETURN QUERY SELECT 'thread'::text, u.id, u.rank FROM unnest(ids[1:n], ranks[1:n]) u (id, rank);
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

    ids := NULL;
    IF kind IN ('all', 'posts') AND plain AND search_common(q, 'posts') THEN
        SELECT array_agg(w.id ORDER BY w.rank DESC, w.id DESC), array_agg(w.rank ORDER BY w.rank DESC, w.id DESC)
          INTO ids, ranks
          FROM (SELECT c.id, ts_rank(c.search, q, 1) AS rank
                  FROM (SELECT p.id, p.thread_id, p.parent_id, p.search FROM posts p WHERE p.state = 'visible'
                        ORDER BY p.id DESC LIMIT search_scan('posts')) c
                  JOIN threads t ON t.id = c.thread_id
                 WHERE c.search @@ q AND t.state = 'visible'
                   -- the opening post of a thread listed above (as in the exact path)
                   AND NOT (kind = 'all' AND c.parent_id IS NULL AND t.merged_into IS NULL AND t.search @@ q)
                 ORDER BY c.id DESC LIMIT win) w;
    END IF;
    IF cardinality(ids) >= win THEN
        RETURN QUERY SELECT 'post'::text, u.id, u.rank FROM unnest(ids[1:n], ranks[1:n]) u (id, rank);
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
