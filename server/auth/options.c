/* auth/options.c — the options of sessions, password hashing and sign-in/registration
 * limits (struct auth_config). */
#include "auth/auth.h"

static const struct opt_def auth_defs[] = {
	OPT_INT("session-idle", "SECONDS", "1209600", 60, 31536000, struct auth_config, session_idle_s,
		"sign a session out after this long unused (14 days)"),
	OPT_INT("session-max", "SECONDS", "5184000", 60, 315360000, struct auth_config, session_max_s,
		"sign a session out after this long in any case (60 days)"),
	OPT_INT("reader-keep", "SECONDS", "10", 0, 3600, struct auth_config, reader_keep_s,
		"use a member's session and page state kept in memory for a thread page this long at most (0: ask PostgreSQL every time)"),
	OPT_INT("hash-concurrency", "N", "2", 1, 64, struct auth_config, hash_concurrency,
		"password hashes computed at once (each takes --hash-memory)"),
	OPT_INT("hash-memory", "MIB", "64", 19, 1024, struct auth_config, hash_memory_mib,
		"argon2id memory per password hash (OWASP's minimum: 19)"),
	OPT_INT("signin-limit-account", "N", "5", 1, 1000000, struct auth_config, signin_fail_account,
		"failed sign-ins per account per window before 429"),
	OPT_INT("signin-limit-ip", "N", "50", 1, 1000000, struct auth_config, signin_fail_ip,
		"failed sign-ins per client address per window before 429"),
	OPT_INT("signin-window", "SECONDS", "900", 1, 86400, struct auth_config, signin_window_s,
		"sign-in limit window"),
	OPT_INT("register-limit-ip", "N", "10", 1, 1000000, struct auth_config, register_per_ip,
		"registrations per client address per window"),
	OPT_INT("register-window", "SECONDS", "3600", 1, 86400, struct auth_config, register_window_s,
		"registration limit window"),
	OPT_STRING("secret-key-file", "FILE", NULL, struct auth_config, secret_key_file,
		   "the server's key sealing two-factor secrets: 64 hex digits, the same file for every "
		   "instance (default: DATA_DIR/secret.key with the embedded cluster, made at first start)"),
	OPT_FLAG("require-2fa-staff", struct auth_config, require_2fa_staff,
		 "moderators and admins without two-factor sign-in may only set it up"),
	OPT_FLAG("require-verified-email", struct auth_config, require_verified_email,
		 "members post only once they confirmed an email address (registration then asks for one)"),
	OPT_INT("reset-limit-ip", "N", "10", 1, 1000000, struct auth_config, reset_per_ip,
		"forgot-password requests per client address per window before 429"),
	OPT_INT("account-mail-limit", "N", "3", 1, 1000, struct auth_config, mail_per_account,
		"verification, address-change and reset mails per account per window, each"),
	OPT_INT("account-mail-window", "SECONDS", "3600", 1, 604800, struct auth_config, account_mail_window_s,
		"window of the two limits above"),
};

const struct opt_table auth_opts = { "Accounts and sign-in", auth_defs, OPT_COUNT(auth_defs) };
