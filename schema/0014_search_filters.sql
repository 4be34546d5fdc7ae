-- 0014: search filters (author:, category:, after:, before:, status:) and one result per
-- opening post (issue 16).
--
-- An opening post whose thread's title matched was listed twice: once as the thread (whose
-- snippet is that opening post) and once as a post. Searching everything, the thread now
-- stands for its opening post: the post is left out when its thread is listed.
--
-- The filters forum/search_filters.c takes out of the search's text arrive as parameters
-- of their own (NULL when absent) and are applied here, to the rows the full-text indexes
-- return and before each kind's LIMIT, so a page is never cut short by filtering after
-- it. author: and category: are resolved once per search (initplans on the unique
-- username and slug indexes); an unknown name finds nothing. Dates are UTC days: after:
-- includes its day, before: does not. status: is an idea status, so it finds only ideas;
-- ideas have no category, so category: finds no ideas.
DROP FUNCTION search_hits(tsquery, text, integer);

-- Same contract as before (schema 0005: visible content only, gin_fuzzy_search_limit and
-- its reasons, never inlined), with the filters.
CREATE FUNCTION search_hits(q tsquery, kind text, n integer, f_author text, f_category text,
                            f_after date, f_before date, f_status text)
RETURNS TABLE (type text, id bigint, rank real)
LANGUAGE sql STABLE SET gin_fuzzy_search_limit = 2000 AS $$
    (SELECT 'thread', t.id, ts_rank(t.search, q) FROM threads t
     WHERE kind IN ('all', 'threads') AND f_status IS NULL
       AND t.state = 'visible' AND t.merged_into IS NULL AND t.search @@ q
       AND (f_author IS NULL OR t.author_id = (SELECT u.id FROM users u WHERE lower(u.username) = lower(f_author)))
       AND (f_category IS NULL OR t.category_id = (SELECT c.id FROM categories c WHERE c.slug = f_category))
       AND (f_after IS NULL OR t.created_at >= f_after::timestamp AT TIME ZONE 'UTC')
       AND (f_before IS NULL OR t.created_at < f_before::timestamp AT TIME ZONE 'UTC')
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
     ORDER BY 3 DESC, 2 DESC LIMIT n)
    UNION ALL
    (SELECT 'idea', i.number, ts_rank(i.search, q) FROM ideas i
     WHERE kind IN ('all', 'ideas') AND f_category IS NULL
       AND i.merged_into IS NULL AND i.search @@ q
       AND (f_author IS NULL OR i.author_id = (SELECT u.id FROM users u WHERE lower(u.username) = lower(f_author)))
       AND (f_after IS NULL OR i.created_at >= f_after::timestamp AT TIME ZONE 'UTC')
       AND (f_before IS NULL OR i.created_at < f_before::timestamp AT TIME ZONE 'UTC')
       AND (f_status IS NULL OR i.status = f_status)
     ORDER BY 3 DESC, 2 DESC LIMIT n)
$$;
