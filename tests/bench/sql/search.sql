-- tests/bench/sql/search.sql — what GET /search?q=… runs for an anonymous visitor
-- (forum/search.c search_page): the one search statement, first page, all kinds.
--   pgbench -M prepared -D terms={"…","…"} (tests/bench/run: its SEARCH_TERMS)
--   -D limit=21 -D offset=0 -D kind=all
-- Every SQL command names its statement in server/db/sql/*.def; tests/http/test_bench_sql.py
-- checks that it is still exactly that statement.
-- helper: one of the benchmark's search terms per transaction, as wrk's paths draw them, and
-- no filters (the empty string, as pgbench -D cannot give one)
SELECT (:terms::text[])[1 + floor(random() * array_length(:terms::text[], 1))::int] AS term,
'' AS author, '' AS category, '' AS after, '' AS before, '' AS status, '' AS tag \gset
-- statement: SEARCH
WITH q AS (SELECT search_query(:term) AS q), h AS (SELECT h.* FROM q, search_hits(q.q, :kind,
:limit::int + :offset::int, nullif(:author, ''), nullif(:category, ''), nullif(:after, '')::date,
nullif(:before, '')::date, nullif(:status, ''), nullif(:tag, '')) h WHERE nullif(:author, '') IS
NULL OR NOT CASE h.type WHEN 'post' THEN coalesce((SELECT ap.anonymous FROM posts ap WHERE ap.id =
h.id), false) WHEN 'thread' THEN coalesce((SELECT op.anonymous FROM posts op WHERE op.thread_id =
h.id AND op.parent_id IS NULL ORDER BY op.id LIMIT 1), false) ELSE false END ORDER BY h.rank DESC,
h.type, h.id DESC LIMIT :limit::int OFFSET :offset::int) SELECT h.type, h.id, p.thread_id,
coalesce(t.title, pt.title, i.title) AS title, CASE h.type WHEN 'thread' THEN '/t/' || h.id WHEN
'post' THEN '/t/' || p.thread_id || '#p' || h.id ELSE '/ideas/' || h.id END AS url, i.status,
round(h.rank::numeric, 4) AS rank, coalesce(t.created_at, p.created_at, i.created_at) AS created_at,
CASE h.type WHEN 'thread' THEN t.title || E'\n' || coalesce((SELECT CASE WHEN length(o.body) <=
search_headline_prefix() THEN o.body WHEN substr(o.body, search_headline_prefix() + 1, 1) ~ '\s'
THEN left(o.body, search_headline_prefix()) ELSE regexp_replace(left(o.body,
search_headline_prefix()), '\S+$', '') END FROM posts o WHERE o.thread_id = t.id AND o.parent_id
IS NULL AND o.state = 'visible' ORDER BY o.id LIMIT 1), '') WHEN 'post' THEN p.body ELSE i.title
|| E'\n' || i.summary END AS hl_text, q.q::text AS hl_query, CASE WHEN CASE h.type WHEN 'post' THEN coalesce((SELECT ap.anonymous FROM posts ap WHERE
ap.id = h.id), false) WHEN 'thread' THEN coalesce((SELECT op.anonymous FROM posts op WHERE
op.thread_id = h.id AND op.parent_id IS NULL ORDER BY op.id LIMIT 1), false) ELSE false END THEN
'A verified practitioner' ELSE au.username END AS author FROM h CROSS JOIN q LEFT JOIN threads t ON
h.type = 'thread' AND t.id = h.id LEFT JOIN posts p ON h.type = 'post' AND p.id = h.id LEFT JOIN
threads pt ON pt.id = p.thread_id LEFT JOIN ideas i ON h.type = 'idea' AND i.number = h.id LEFT JOIN
users au ON au.id = coalesce(t.author_id, p.author_id, i.author_id) ORDER BY h.rank DESC, h.type,
h.id DESC;
