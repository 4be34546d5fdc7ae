-- 0043: a two-factor code used again tells the account's holder (ASVS 2.8.5): a mail and a
-- notice in the app, at most one per account per hour (forum/twofactor_notice.c). Needs
-- 0020 (user_totp) and 0028 (allow_kind).

-- When the holder was last told of a reused code. The notice is decided by one conditional
-- UPDATE of this column (TOTP_REUSE_NOTICE): of two instances that see replays at once,
-- the second waits on the row's lock, then finds it set and sends nothing.
ALTER TABLE user_totp ADD COLUMN reuse_noticed_at timestamptz;
COMMENT ON COLUMN user_totp.reuse_noticed_at IS
    'When the holder was last told that a code of theirs was used again (one notice per hour).';

-- The notice in the app: kind 'security', its words in message, about no thread. It is
-- mailed by the code that makes it (a security notice is not a mail preference), so it is
-- stored with mail_state 'skipped' and the notification mail worker never sees it.
SELECT allow_kind('notifications', 'notifications_kind_check', 'security');
