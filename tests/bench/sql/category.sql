-- tests/bench/sql/category.sql — what GET /c/{slug} runs for an anonymous visitor
-- (forum/site.c site_category): the category by slug, then its first page of latest threads.
--   pgbench -M prepared -D slug=SLUG -D limit=31 -D offset=0 -D solved=-1 (any) -D viewer=0 (anonymous)
--   -D tag=0 (any: ?tag= not given)
-- statement: CATEGORY_BY_SLUG
SELECT id, slug, name, description, position, thread_count, question_style, requires_affiliation FROM categories WHERE
slug = :slug
\gset
-- statement: THREADS_LATEST_IN
SELECT tr.last_post_id AS last_read_post_id, CASE WHEN tr.last_post_id IS NOT NULL OR t.author_id =
:viewer THEN (SELECT count(*) FROM posts p WHERE p.thread_id = t.id AND p.state = 'visible' AND p.id
> coalesce(tr.last_post_id, 0) AND p.author_id <> :viewer)::int END AS unread_posts, (tr.user_id IS
NULL AND :viewer::bigint <> 0 AND t.author_id <> :viewer AND t.created_at > greatest(now() -
interval '14 days', (SELECT m.new_since FROM member_read_marks m WHERE m.user_id = :viewer))) AS
is_new, t.id, t.title, t.slug, json_build_object('id', c.id, 'slug', c.slug, 'name', c.name) AS
category, CASE WHEN coalesce((SELECT op.anonymous FROM posts op WHERE op.thread_id = t.id AND
op.parent_id IS NULL ORDER BY op.id LIMIT 1), false) THEN json_build_object('id', NULL, 'username',
NULL, 'display_name', 'A verified practitioner', 'anonymous', true, 'community_role', (SELECT
json_build_object('slug', ar.slug, 'label', ar.label, 'kind', ar.kind) FROM community_roles ar WHERE
ar.slug = 'practitioner'), 'role_verified', true, 'deleted', false, 'affiliation', NULL) ELSE
json_build_object('id', u.id, 'username', u.username, 'display_name', u.display_name, 'anonymous',
false, 'community_role', json_build_object('slug', cr.slug, 'label', cr.label, 'kind', cr.kind),
'role_verified', u.role_verified, 'deleted', u.deleted_at IS NOT NULL, 'affiliation', CASE WHEN
cr.kind = 'helper' AND u.affiliation IS NOT NULL THEN json_build_object('organisation',
u.affiliation, 'products', u.affiliation_products) END) END AS author, t.created_at, t.last_post_at,
t.reply_count, t.pinned, t.locked, json_build_object('participants', t.participants, 'doers',
t.doers, 'doer_share', t.doer_share) AS voices, EXISTS (SELECT 1 FROM posts ap WHERE ap.id =
t.answer_post_id AND ap.thread_id = t.id AND ap.state = 'visible') AS solved, coalesce((SELECT
json_agg(json_build_object('name', g.name) ORDER BY g.name) FROM thread_tags tt JOIN tags g ON g.id
= tt.tag_id WHERE tt.thread_id = t.id), '[]'::json) AS tags FROM threads t JOIN categories c ON c.id
= t.category_id JOIN users u ON u.id = t.author_id JOIN community_roles cr ON cr.slug =
u.community_role LEFT JOIN thread_reads tr ON tr.thread_id = t.id AND tr.user_id = :viewer WHERE
t.state = 'visible' AND t.category_id = :id AND (:solved::int < 0 OR EXISTS (SELECT 1 FROM posts ap
WHERE ap.id = t.answer_post_id AND ap.thread_id = t.id AND ap.state = 'visible') = (:solved::int =
1)) AND (:tag::bigint = 0 OR EXISTS (SELECT 1 FROM thread_tags ft WHERE ft.thread_id = t.id AND
ft.tag_id = :tag)) ORDER BY t.pinned DESC, t.last_post_at DESC, t.id DESC LIMIT :limit OFFSET
:offset;
