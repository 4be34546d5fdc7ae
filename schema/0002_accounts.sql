-- 0002: accounts with their two roles, sessions, API tokens, rate limits, and the
-- append-only moderation log (role changes and suspensions are its first entries).

CREATE TABLE users (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username          text NOT NULL CHECK (username ~ '^[A-Za-z0-9_-]{3,32}$'),
    display_name      text NOT NULL DEFAULT '' CHECK (length(display_name) <= 64),
    email             text CHECK (email IS NULL OR length(email) <= 254),
    password_hash     text NOT NULL,
    role              text NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'moderator', 'admin')),
    community_role    text NOT NULL REFERENCES community_roles (slug) ON UPDATE CASCADE,
    role_verified     boolean NOT NULL DEFAULT false,
    bio               text NOT NULL DEFAULT '' CHECK (octet_length(bio) <= 5000),
    bio_html          text NOT NULL DEFAULT '',
    approved_posts    integer NOT NULL DEFAULT 0 CHECK (approved_posts >= 0),
    post_count        integer NOT NULL DEFAULT 0 CHECK (post_count >= 0),
    suspended_until   timestamptz,
    suspension_reason text CHECK (suspension_reason IS NULL OR length(suspension_reason) <= 500),
    created_at        timestamptz NOT NULL DEFAULT now()
);
-- Names are unique regardless of case: "Alice" and "alice" are one account.
CREATE UNIQUE INDEX users_username_lower ON users (lower(username));
COMMENT ON INDEX users_username_lower IS 'sign-in, profiles, mentions: lookups by lower(username)';

CREATE TABLE sessions (
    token_hash   bytea PRIMARY KEY CHECK (octet_length(token_hash) = 32),
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);
COMMENT ON TABLE sessions IS 'Only a BLAKE2b hash of each session token is stored; the token lives in the cookie.';

CREATE TABLE api_tokens (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
    token_hash   bytea NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Fixed-window counters shared by every Corral instance on this database.
CREATE TABLE rate_limits (
    key          text PRIMARY KEY,
    window_start timestamptz NOT NULL,
    count        integer NOT NULL
);

CREATE TABLE mod_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor_id    bigint REFERENCES users (id),
    action      text NOT NULL CHECK (length(action) BETWEEN 1 AND 64),
    target_type text NOT NULL CHECK (target_type IN ('user', 'thread', 'post', 'idea', 'category',
                                                     'community_role', 'queue_item', 'survey')),
    target_id   text NOT NULL,
    reason      text CHECK (reason IS NULL OR length(reason) <= 1000),
    details     jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX mod_log_at ON mod_log (id DESC);

-- The log is append-only for everyone, the application included.
CREATE FUNCTION mod_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'mod_log is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER mod_log_no_update BEFORE UPDATE OR DELETE ON mod_log
    FOR EACH ROW EXECUTE FUNCTION mod_log_refuse_change();
CREATE TRIGGER mod_log_no_truncate BEFORE TRUNCATE ON mod_log
    FOR EACH STATEMENT EXECUTE FUNCTION mod_log_refuse_change();
