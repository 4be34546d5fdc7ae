-- tests/bench/sql/similar.sql — what GET /api/v1/threads/similar?title=… runs (forum/search.c
-- search_similar): the similar-titles statement with the API's limit and threshold.
--   pgbench -M prepared -D titles={"…","…"} (tests/bench/run: its SIMILAR_TITLES)
--   -D limit=10 -D threshold=0.4
-- Every SQL command names its statement in server/db/sql/*.def; tests/http/test_bench_sql.py
-- checks that it is still exactly that statement.
-- helper: one of the benchmark's titles per transaction, as wrk's paths draw them
SELECT (:titles::text[])[1 + floor(random() * array_length(:titles::text[], 1))::int] AS title \gset
-- statement: THREADS_SIMILAR
WITH k AS (SELECT search_title_key(:title) AS key, search_any_stem(:title) AS q,
search_stems(:title) AS stems, search_uncommon_any(search_stems(:title)) AS rare), c AS (SELECT
t.id, t.title, t.title_key, t.search FROM threads t WHERE t.id IN ( (SELECT n.id FROM threads n
WHERE n.state = 'visible' AND n.merged_into IS NULL ORDER BY n.title_key <->
search_title_key(:title) LIMIT 50) UNION ALL (SELECT w.id FROM k, search_title_word_matches(k.rare,
k.stems, 50) w))), s AS (SELECT id, title, similarity, rank FROM ( SELECT c.id, c.title,
round(greatest(similarity(c.title, :title), similarity(c.title_key, k.key), CASE WHEN x.shared >= 2
THEN x.shared / sqrt(length(c.search) * cardinality(k.stems)) ELSE 0 END )::numeric, 3) AS
similarity, ts_rank(c.search, k.q) AS rank FROM c CROSS JOIN k CROSS JOIN LATERAL (SELECT
search_shared_stems(c.search, k.stems) AS shared) x) y WHERE similarity >= :threshold::numeric ORDER
BY similarity DESC, rank DESC NULLS LAST, id DESC LIMIT :limit) SELECT s.id, s.title, s.similarity,
search_shared_words(s.title, k.stems) AS words FROM s, k ORDER BY s.similarity DESC, s.rank DESC
NULLS LAST, s.id DESC;
