-- tests/bench/sql/thread1000.sql — what GET /t/{id} and GET /api/v1/threads/{id} run for an
-- anonymous visitor (forum/threads.c threads_show): the thread with its voices, then the first
-- page of posts in tree order. Run by tests/bench/run as the DB ceiling with
--   pgbench -M prepared -D first=F -D stride=S -D count=N (the planted 1,000-post threads: the first page, 200 posts)
--   -D init=0 -D limit=201 -D viewer=0 -D moderator=false
-- Every SQL command names its statement in server/db/sql/*.def; tests/http/test_bench_sql.py
-- checks that it is still exactly that statement.
\if :init = 0
-- helper: once per client, the empty cursor of a first page (pgbench -D cannot give '')
SELECT '' AS after, 1 AS init \gset
\endif
\set tid :first + random(0, :count - 1) * :stride
-- statement: THREAD_GET
SELECT t.id, t.title, t.slug, t.state, t.pinned, t.locked, t.merged_into, t.created_at,
t.last_post_at, t.reply_count, t.post_count, t.author_id, (SELECT id FROM posts WHERE thread_id =
t.id AND parent_id IS NULL ORDER BY id LIMIT 1) AS first_post_id, json_build_object('id', c.id,
'slug', c.slug, 'name', c.name) AS category, CASE WHEN coalesce((SELECT op.anonymous FROM posts op
WHERE op.thread_id = t.id AND op.parent_id IS NULL ORDER BY op.id LIMIT 1), false) THEN
json_build_object('id', NULL, 'username', NULL, 'display_name', 'A verified practitioner',
'anonymous', true, 'community_role', (SELECT json_build_object('slug', ar.slug, 'label', ar.label,
'kind', ar.kind) FROM community_roles ar WHERE ar.slug = 'practitioner'), 'role_verified', true,
'deleted', false, 'affiliation', NULL) ELSE json_build_object('id', u.id, 'username', u.username,
'display_name', u.display_name, 'anonymous', false, 'community_role', json_build_object('slug',
cr.slug, 'label', cr.label, 'kind', cr.kind), 'role_verified', u.role_verified, 'deleted',
u.deleted_at IS NOT NULL, 'affiliation', CASE WHEN cr.kind = 'helper' AND u.affiliation IS NOT NULL
THEN json_build_object('organisation', u.affiliation, 'products', u.affiliation_products) END) END
AS author, json_build_object('participants', t.participants, 'doers', t.doers, 'doer_share',
t.doer_share, 'by_role', coalesce((SELECT json_agg(json_build_object('slug', r.slug, 'label',
r.label, 'kind', r.kind, 'count', x.n) ORDER BY r.position, r.slug) FROM (SELECT u2.community_role
AS slug, count(*) AS n FROM thread_participants tp JOIN users u2 ON u2.id = tp.user_id WHERE
tp.thread_id = t.id GROUP BY 1) x JOIN community_roles r ON r.slug = x.slug), '[]'::json)) AS
voices, coalesce((SELECT json_agg(json_build_object('name', g.name) ORDER BY g.name) FROM
thread_tags tt JOIN tags g ON g.id = tt.tag_id WHERE tt.thread_id = t.id), '[]'::json) AS tags FROM
threads t JOIN categories c ON c.id = t.category_id JOIN users u ON u.id = t.author_id JOIN
community_roles cr ON cr.slug = u.community_role WHERE t.id = :tid;
-- statement: POSTS_PAGE
WITH p AS MATERIALIZED (SELECT p.id, p.thread_id, p.parent_id, p.depth, p.path, p.state,
p.created_at, p.edited_at, p.body_html, p.anonymous, p.author_id, p.deleted_by, p.deleted_at FROM
posts p WHERE p.thread_id = :tid AND p.path > :after AND (p.state IN ('visible', 'deleted') OR
:moderator::boolean OR (p.state = 'pending' AND p.author_id = :viewer)) ORDER BY p.path LIMIT
:limit), a AS MATERIALIZED (SELECT d.author_id AS id, (SELECT json_build_object('id', u.id,
'username', u.username, 'display_name', u.display_name, 'anonymous', false, 'community_role',
json_build_object('slug', cr.slug, 'label', cr.label, 'kind', cr.kind), 'role_verified',
u.role_verified, 'deleted', u.deleted_at IS NOT NULL, 'affiliation', CASE WHEN cr.kind = 'helper'
AND u.affiliation IS NOT NULL THEN json_build_object('organisation', u.affiliation, 'products',
u.affiliation_products) END) FROM users u JOIN community_roles cr ON cr.slug = u.community_role
WHERE u.id = d.author_id) AS j FROM (SELECT DISTINCT author_id FROM p) d) SELECT p.id, p.thread_id,
p.parent_id, p.depth, p.path, p.state, p.created_at, p.edited_at, CASE WHEN p.state = 'deleted' AND
NOT :moderator::boolean THEN NULL ELSE p.body_html END AS body_html, CASE WHEN p.state = 'deleted'
AND NOT :moderator::boolean THEN NULL ELSE CASE WHEN p.anonymous THEN json_build_object('id', NULL,
'username', NULL, 'display_name', 'A verified practitioner', 'anonymous', true, 'community_role',
(SELECT json_build_object('slug', ar.slug, 'label', ar.label, 'kind', ar.kind) FROM community_roles
ar WHERE ar.slug = 'practitioner'), 'role_verified', true, 'deleted', false, 'affiliation', NULL)
ELSE a.j END END AS author, p.state = 'deleted' AND (:moderator::boolean OR (p.author_id = :viewer
AND (p.deleted_by = p.author_id AND p.deleted_at > now() - interval '24 hours'))) AS can_restore,
p.anonymous AND p.author_id = :viewer AS mine_anonymous FROM p JOIN a ON a.id = p.author_id ORDER BY
p.path;
