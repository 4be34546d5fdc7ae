-- tests/bench/sql/vote.sql — what POST and DELETE /api/v1/ideas/{n}/votes run for a signed-in
-- member (forum/ideas.c ideas_vote_set): the viewer of the session cookie, the idea's state,
-- the vote added or taken back (the idea row locked first; triggers keep the counters), and
-- the idea's votes by role for the answer.
--   pgbench -M prepared -D init=0 -D nsessions=N -D idle=1209600 -D ideas={1,2,…}
-- Each pgbench client votes as one of the sessions the benchmark signed in, for a random one
-- of the benchmark's ideas, and adds or takes back its vote at random (vote.lua alternates
-- passes of each).
-- Every SQL command names its statement in server/db/sql/*.def; tests/http/test_bench_sql.py
-- checks that it is still exactly that statement.
\if :init = 0
\set k :client_id % :nsessions
-- helper: once per client, the session (and account) this client votes as
SELECT s.token_hash AS tok, s.user_id AS uid, 1 AS init FROM sessions s ORDER BY s.token_hash
OFFSET :k LIMIT 1 \gset
\endif
-- helper: one of the benchmark's ideas per transaction
SELECT (:ideas::bigint[])[1 + floor(random() * array_length(:ideas::bigint[], 1))::int] AS num \gset
\set unvote random(0, 1)
-- statement: SESSION_VIEWER
SELECT u.id, u.username, u.display_name, u.role, u.community_role, cr.label, cr.kind,
u.role_verified, coalesce(u.suspended_until > now(), false) AS suspended, u.approved_posts, (SELECT
count(*) FROM notifications n WHERE n.user_id = u.id AND n.read_at IS NULL) AS unread, s.csrf_token,
s.last_seen_at < now() - interval '1 minute' AS stale, u.email_verified_at IS NOT NULL AS
email_verified FROM sessions s JOIN users u ON u.id = s.user_id JOIN community_roles cr ON cr.slug = u.community_role WHERE s.token_hash = :tok AND
s.expires_at > now() AND s.last_seen_at > now() - make_interval(secs => :idle);
-- statement: IDEA_STATE
SELECT number, merged_into FROM ideas WHERE number = :num;
\if :unvote = 0
-- statement: IDEA_VOTE
WITH i AS (SELECT number FROM ideas WHERE number = :num AND merged_into IS NULL FOR NO KEY UPDATE)
INSERT INTO idea_votes (idea, user_id) SELECT number, :uid FROM i ON CONFLICT DO NOTHING;
\else
-- statement: IDEA_UNVOTE
WITH i AS (SELECT number FROM ideas WHERE number = :num AND merged_into IS NULL FOR NO KEY UPDATE)
DELETE FROM idea_votes v USING i WHERE v.idea = i.number AND v.user_id = :uid;
\endif
-- statement: IDEA_VOTES
SELECT (SELECT json_build_object('total', i.vote_count, 'by_role',
coalesce(json_agg(json_build_object('slug', r.slug, 'label', r.label, 'kind', r.kind, 'count', x.n)
ORDER BY r.position, r.slug), '[]'::json), 'by_kind', json_build_object('doer', coalesce(sum(x.n)
FILTER (WHERE r.kind = 'doer'), 0), 'helper', coalesce(sum(x.n) FILTER (WHERE r.kind = 'helper'),
0))) FROM (SELECT vu.community_role AS slug, count(*) AS n FROM idea_votes v JOIN users vu ON vu.id
= v.user_id WHERE v.idea = i.number GROUP BY 1) x JOIN community_roles r ON r.slug = x.slug) AS
votes, EXISTS (SELECT 1 FROM idea_votes WHERE idea = i.number AND user_id = :uid) AS voted FROM
ideas i WHERE i.number = :num;
