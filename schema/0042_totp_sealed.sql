-- 0042: two-factor secrets sealed with the server's own key (auth/seal.h): a box of 61
-- bytes (version 1, nonce, the 20 bytes, tag) bound to its account, or, until the server
-- that stored it has a key, the 20 bytes as they are. Every instance seals what is left
-- unsealed when it starts with a key (forum/twofactor.c). docs/security.md says more.
ALTER TABLE user_totp DROP CONSTRAINT user_totp_secret_check;
ALTER TABLE user_totp ADD CONSTRAINT user_totp_secret_check
    CHECK (length(secret) = 20 OR (length(secret) = 61 AND get_byte(secret, 0) = 1));
COMMENT ON COLUMN user_totp.secret IS
    'The time-based code secret: 61 bytes sealed with the server key (auth/seal.h), or 20 as they are when stored without one.';
