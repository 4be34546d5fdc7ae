-- tests/bench/sql/reply.sql — what POST /api/v1/threads/{id}/posts runs for a signed-in,
-- trusted member replying to the opening post (forum/threads.c threads_reply): the viewer of
-- the session cookie, the thread, the parent post, the posting rate limit, the burst check
-- (forum/moderation.c: the member's posts of the last minute), then one
-- transaction: the post (its triggers: path, counters, voices, notifications to the parent's
-- author and the thread's watchers), its first revision, the author's watch.
--   pgbench -M prepared -D init=0 -D nsessions=N -D first=F -D stride=S -D count=C
--   -D idle=1209600 -D window=60 -D pstate=visible -D body=MARKDOWN -D body_html=HTML
--   -D render_version=V
-- Each pgbench client posts as one of the sessions the benchmark signed in.
\if :init = 0
\set k :client_id % :nsessions
-- helper: once per client, the session (and account) this client posts as, and its rate
-- limit key 'post:user:ID' (chr(58) is ':', which pgbench would take for a variable)
SELECT s.token_hash AS tok, s.user_id AS uid, concat('post', chr(58), 'user', chr(58), s.user_id) AS rkey,
1 AS init
FROM sessions s ORDER BY s.token_hash OFFSET :k LIMIT 1 \gset
\endif
\set tid :first + random(0, :count - 1) * :stride
-- statement: SESSION_VIEWER
SELECT u.id, u.username, u.display_name, u.role, u.community_role, cr.label, cr.kind,
u.role_verified, coalesce(u.suspended_until > now(), false) AS suspended, u.approved_posts, (SELECT
count(*) FROM notifications n WHERE n.user_id = u.id AND n.read_at IS NULL) AS unread, s.csrf_token,
s.last_seen_at < now() - interval '1 minute' AS stale, u.email_verified_at IS NOT NULL AS
email_verified FROM sessions s JOIN users u ON u.id = s.user_id JOIN community_roles cr ON cr.slug = u.community_role WHERE s.token_hash = :tok AND
s.expires_at > now() AND s.last_seen_at > now() - make_interval(secs => :idle);
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
community_roles cr ON cr.slug = u.community_role WHERE t.id = :tid
\gset
-- statement: POST_GET
SELECT p.id, p.thread_id, p.parent_id, p.author_id, p.depth, p.path, p.state, p.body, p.body_html,
p.created_at, p.edited_at, t.locked, t.state AS thread_state, t.title AS thread_title, CASE WHEN
p.anonymous THEN json_build_object('id', NULL, 'username', NULL, 'display_name',
'A verified practitioner', 'anonymous', true, 'community_role', (SELECT json_build_object('slug',
ar.slug, 'label', ar.label, 'kind', ar.kind) FROM community_roles ar WHERE ar.slug =
'practitioner'), 'role_verified', true, 'deleted', false, 'affiliation', NULL) ELSE
json_build_object('id', u.id, 'username', u.username, 'display_name', u.display_name, 'anonymous',
false, 'community_role', json_build_object('slug', cr.slug, 'label', cr.label, 'kind', cr.kind),
'role_verified', u.role_verified, 'deleted', u.deleted_at IS NOT NULL, 'affiliation', CASE WHEN
cr.kind = 'helper' AND u.affiliation IS NOT NULL THEN json_build_object('organisation',
u.affiliation, 'products', u.affiliation_products) END) END AS author, p.anonymous FROM posts p JOIN
threads t ON t.id = p.thread_id JOIN users u ON u.id = p.author_id JOIN community_roles cr ON
cr.slug = u.community_role WHERE p.id = :first_post_id;
-- statement: RATE_HIT
INSERT INTO rate_limits AS r (key, window_start, count) VALUES (:rkey, now(), 1) ON CONFLICT (key)
DO UPDATE SET count = CASE WHEN r.window_start <= now() - make_interval(secs => :window) THEN 1 ELSE
r.count + 1 END, window_start = CASE WHEN r.window_start <= now() - make_interval(secs => :window)
THEN now() ELSE r.window_start END RETURNING count, greatest(1, ceil(extract(epoch FROM window_start
+ make_interval(secs => :window) - now())))::int AS retry_after;
-- statement: POSTS_RECENT_BY
SELECT count(*) FROM posts WHERE author_id = :uid AND created_at > now() - make_interval(secs => :window);
BEGIN;
\set anonymous 0
-- statement: POST_CREATE
INSERT INTO posts (thread_id, parent_id, author_id, state, body, body_html, render_version,
anonymous) VALUES (:tid, :first_post_id, :uid, :pstate, :body, :body_html, :render_version,
:anonymous) RETURNING id, depth, created_at
\gset
-- statement: REVISION_ADD
INSERT INTO post_revisions (post_id, editor_id, body) VALUES (:id, :uid, :body);
-- statement: WATCH_ADD
INSERT INTO thread_watchers (thread_id, user_id) VALUES (:tid, :uid) ON CONFLICT DO NOTHING;
COMMIT;
