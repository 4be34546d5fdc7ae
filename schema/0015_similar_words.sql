-- 0015: similar titles found by their significant words as well as by trigrams (issue 16).
--
-- Trigram similarity of the sorted stems misses a short title inside a long one: "CAB
-- meeting agenda" against "What should go on the agenda of our weekly CAB meeting for
-- infrastructure changes" shares all its stems but only 0.37 of the trigrams (the long
-- key has many the short one lacks), below the 0.4 cut; and among 164 000 threads the
-- short title need not be one of the 50 nearest by trigram distance at all. So a second
-- set of candidates comes from the full-text index on titles (threads_search): titles
-- sharing at least two of the new title's stems (stop words removed by the english
-- config), scored by the cosine of the two stem sets, shared / sqrt(n * m): 3 / sqrt(3 * 7)
-- = 0.65 above.

-- The distinct stems of a text, sorted (no stop words).
CREATE FUNCTION search_stems(q text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT tsvector_to_array(to_tsvector('english'::regconfig, q))
$$;

-- How many of stems a vector holds (ts_delete is C: cheap enough for every candidate row).
CREATE FUNCTION search_shared_stems(v tsvector, stems text[]) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT length(v) - length(ts_delete(v, stems))
$$;

-- Of stems, those that are not common in thread titles, as a query matching any of them
-- ('cab' | 'agenda'); NULL when none is left. Common: in more than 1000 titles, by the
-- statistics ANALYZE keeps for threads.search (most_common_elems, the share of rows holding
-- each frequent lexeme). The candidates by words are read through these only, so a lookup
-- reads at most about 1000 titles per word whatever the forum's size, where a word such
-- as "incident", in half the titles of a large forum, would have the index return tens of
-- thousands. A title made only of common words is left to the trigram candidates.
CREATE FUNCTION search_uncommon_any(stems text[]) RETURNS tsquery
LANGUAGE sql STABLE STRICT AS $$
    WITH common AS (
        SELECT c.e FROM pg_stats s
        JOIN pg_class r ON r.relname = s.tablename AND r.relnamespace = s.schemaname::regnamespace
        CROSS JOIN LATERAL unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS c(e, f)
        WHERE s.schemaname = current_schema() AND s.tablename = 'threads' AND s.attname = 'search'
          AND c.e IS NOT NULL AND c.f * r.reltuples > 1000)
    SELECT string_agg('''' || replace(replace(l, '\', '\\'), '''', '''''') || '''', ' | ')::tsquery
    FROM unnest(stems) AS l WHERE l NOT IN (SELECT e FROM common)
$$;

-- Visible threads whose titles share at least two of stems (search_stems() of the new
-- title) and hold one of q (search_uncommon_any() of the stems), most alike first (the
-- cosine above, m being the same for all), at most n. The caller computes q and stems
-- once: as arguments they are plain values here, where calls on a parameter would run
-- again for every row. The index finds the titles holding any word of q (a tsquery of
-- single words is cheap to check; a query of all the pairs was several times slower per
-- row), the count keeps those sharing two. The SET keeps the function from being inlined,
-- so the index scan is planned once (as search_hits, schema 0005; GIN samples only when
-- every word is very common, which the words of q are not).
CREATE FUNCTION search_title_word_matches(q tsquery, stems text[], n integer)
RETURNS TABLE (id bigint)
LANGUAGE sql STABLE SET gin_fuzzy_search_limit = 2000 AS $$
    SELECT t.id FROM threads t
    WHERE t.state = 'visible' AND t.merged_into IS NULL AND t.search @@ q
      AND search_shared_stems(t.search, stems) >= 2
    ORDER BY search_shared_stems(t.search, stems) / sqrt(length(t.search)) DESC, t.id DESC
    LIMIT n
$$;

-- The words of a title whose stems are among stems, once per stem, in the title's order
-- and spelling: why a thread is suggested.
CREATE FUNCTION search_shared_words(title text, stems text[]) RETURNS json
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(json_agg(w ORDER BY o), '[]') FROM (
        SELECT DISTINCT ON (ws[1]) w, o FROM (
            SELECT w, o, search_stems(w) AS ws
            FROM regexp_split_to_table(title, '[^[:alnum:]]+') WITH ORDINALITY AS r(w, o)) y
        WHERE ws && stems
        ORDER BY ws[1], o) z
$$;

COMMENT ON INDEX threads_search IS
    '/api/v1/search?type=threads; /api/v1/threads/similar: search @@ search_uncommon_any(stems)';
