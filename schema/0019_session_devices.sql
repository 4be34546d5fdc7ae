-- 0019: sessions a person can recognise and end one at a time (issue 17). Each gets an id
-- to be named by in pages and the API (never the token or its hash), the browser that
-- signed in (its User-Agent, cleaned and cut to 256 bytes by auth/device.c) and the
-- address it was last seen from (the client's, behind trusted proxies).

ALTER TABLE sessions
    ADD COLUMN id         bigint GENERATED ALWAYS AS IDENTITY,
    ADD COLUMN user_agent text NOT NULL DEFAULT ''
        CHECK (octet_length(user_agent) <= 512 AND user_agent !~ '[\x01-\x1f\x7f]'),
    ADD COLUMN client_ip  text NOT NULL DEFAULT '' CHECK (octet_length(client_ip) <= 64);
ALTER TABLE sessions ADD CONSTRAINT sessions_id_key UNIQUE (id);
COMMENT ON INDEX sessions_id_key IS 'revoking one session: DELETE … WHERE id = $1 AND user_id = $2';
