-- 0026: reply by email (issue 18): a signed reply address (forum/reply_mail.c) posts once.
-- The use is recorded in the transaction that stores the reply, so the same message
-- delivered twice, or a second message to the same address, never posts twice.
CREATE TABLE reply_mail_uses (
    token      text PRIMARY KEY CHECK (token ~ '^[a-z0-9.]{1,58}$'),
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    message_id text CHECK (message_id IS NULL OR length(message_id) <= 998),
    post_id    bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX reply_mail_uses_message ON reply_mail_uses (user_id, message_id)
    WHERE message_id IS NOT NULL;
COMMENT ON INDEX reply_mail_uses_message IS
    'one post per member and Message-ID: a message redelivered to another reply address of the same member';
