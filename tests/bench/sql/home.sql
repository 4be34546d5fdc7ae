-- tests/bench/sql/home.sql — what GET / runs for an anonymous visitor (forum/site.c site_home):
-- the categories, then the first page of latest threads.
--   pgbench -M prepared -D limit=31 -D offset=0 -D solved=-1 (any: ?solved= not given)
-- statement: CATEGORIES
SELECT id, slug, name, description, position, thread_count, question_style FROM categories ORDER BY
position, id;
-- statement: THREADS_LATEST
SELECT t.id, t.title, t.slug, json_build_object('id', c.id, 'slug', c.slug, 'name', c.name) AS
category, json_build_object('id', u.id, 'username', u.username, 'display_name', u.display_name,
'community_role', json_build_object('slug', cr.slug, 'label', cr.label, 'kind', cr.kind),
'role_verified', u.role_verified, 'deleted', u.deleted_at IS NOT NULL) AS author, t.created_at, t.last_post_at, t.reply_count, t.pinned,
t.locked, json_build_object('participants', t.participants, 'doers', t.doers, 'doer_share',
t.doer_share) AS voices, EXISTS (SELECT 1 FROM posts ap WHERE ap.id = t.answer_post_id AND
ap.thread_id = t.id AND ap.state = 'visible') AS solved FROM threads t JOIN categories c ON c.id =
t.category_id JOIN users u ON u.id = t.author_id JOIN community_roles cr ON cr.slug =
u.community_role WHERE t.state = 'visible' AND (:solved::int < 0 OR EXISTS (SELECT 1 FROM posts ap
WHERE ap.id = t.answer_post_id AND ap.thread_id = t.id AND ap.state = 'visible') = (:solved::int =
1)) ORDER BY t.pinned DESC, t.last_post_at DESC, t.id DESC LIMIT :limit OFFSET :offset;
