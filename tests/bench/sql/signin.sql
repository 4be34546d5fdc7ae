-- tests/bench/sql/signin.sql — what POST /api/v1/session runs for a good password
-- (forum/accounts.c acct_sign_in, auth/session.c auth_session_start): the two rate-limit
-- checks, the account, clearing the account's failure count, the new session, the profile.
-- The argon2id verification between them is CPU in Corral, not SQL.
--   pgbench -M prepared -D username=U -D acct_key=signin:acct:U -D ip_key=signin:ip:127.0.0.1
--   -D window=900 -D csrf=TOKEN -D session_max=5184000 -D ua=USER_AGENT -D ip=127.0.0.1
-- helper: a fresh 32-byte token hash per sign-in (Corral makes it with libsodium, no SQL)
SELECT sha256(random()::text::bytea) AS tok \gset
-- statement: RATE_GET
SELECT count, greatest(1, ceil(extract(epoch FROM window_start + make_interval(secs => :window) -
now())))::int AS retry_after FROM rate_limits WHERE key = :acct_key AND window_start > now() -
make_interval(secs => :window);
-- statement: RATE_GET
SELECT count, greatest(1, ceil(extract(epoch FROM window_start + make_interval(secs => :window) -
now())))::int AS retry_after FROM rate_limits WHERE key = :ip_key AND window_start > now() -
make_interval(secs => :window);
-- statement: USER_FOR_SIGNIN
SELECT id, password_hash FROM users WHERE lower(username) = lower(:username) AND deleted_at IS NULL
\gset
-- statement: RATE_CLEAR
DELETE FROM rate_limits WHERE key = :acct_key;
-- statement: SESSION_CREATE
INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at, user_agent, client_ip) VALUES
(:tok, :id, :csrf, now() + make_interval(secs => :session_max), :ua, :ip);
-- statement: USER_BY_ID
SELECT u.id, u.username, u.display_name, u.role, json_build_object('slug', cr.slug, 'label',
cr.label, 'kind', cr.kind) AS community_role, u.role_verified, u.created_at, u.post_count,
u.bio_html, coalesce(u.suspended_until > now(), false) AS suspended, CASE WHEN u.suspended_until
> now() AND u.suspended_until <> 'infinity' THEN u.suspended_until END AS suspended_until,
u.bio, u.email, u.email_verified_at, u.suspension_reason FROM users u JOIN community_roles cr ON cr.slug =
u.community_role WHERE u.id = :id;
