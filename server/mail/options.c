/* mail/options.c — the options of outgoing mail and what follows from them at start:
 * the sender's mailbox, the SMTP password, the folder of .eml files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail/internal.h"
#include "mail/smtp.h"

static const struct opt_def mail_msg_defs[] = {
	OPT_STRING("mail-from", "MAILBOX", NULL, struct mail_config, from,
		   "sender of outgoing mail: ADDRESS or 'Name <ADDRESS>' (default corral@ the base URL's host)"),
};
const struct opt_table mail_msg_opts = { "Outgoing mail", mail_msg_defs, OPT_COUNT(mail_msg_defs) };

static const struct opt_def mail_send_defs[] = {
	OPT_STRING("smtp-url", "URL", NULL, struct mail_config, smtp_url,
		   "smtps://HOST[:PORT], or smtp://HOST[:PORT] with STARTTLS required; none: --mail-dir or the log"),
	OPT_STRING("smtp-user", "NAME", NULL, struct mail_config, smtp_user, "SMTP AUTH user"),
	OPT_STRING("smtp-password-file", "FILE", NULL, struct mail_config, smtp_password_file,
		   "file holding the SMTP password (else $CORRAL_SMTP_PASSWORD)"),
	OPT_FLAG("smtp-plain-loopback", struct mail_config, smtp_plain_loopback,
		 "smtp:// to 127.0.0.0/8, [::1] or localhost without STARTTLS (a local relay)"),
	OPT_STRING("smtp-ca-file", "FILE", NULL, struct mail_config, smtp_ca_file,
		   "PEM certificates the SMTP server's must chain to (default: the system's)"),
	OPT_INT("smtp-timeout", "SECONDS", "60", 1, 600, struct mail_config, smtp_timeout_s,
		"give up one delivery attempt after this long"),
	OPT_STRING("mail-dir", "DIR", NULL, struct mail_config, dir,
		   "without --smtp-url, write each message here as ID.eml (default DATA_DIR/outbox "
		   "with the embedded cluster, else the log)"),
	OPT_INT("mail-retry-base", "SECONDS", "60", 1, 86400, struct mail_config, retry_base_s,
		"wait after the first failed attempt, doubled after each further one"),
	OPT_INT("mail-retry-cap", "SECONDS", "21600", 1, 604800, struct mail_config, retry_cap_s,
		"longest wait between two attempts"),
	OPT_INT("mail-retry-max", "N", "10", 1, 1000, struct mail_config, retry_max,
		"attempts before a message is marked failed (shown to admins)"),
};
const struct opt_table mail_send_opts = { "Outgoing mail", mail_send_defs, OPT_COUNT(mail_send_defs) };

struct mail_state mail_st;

/* The host of an http(s) URL, without port; an address (no letters) becomes localhost,
 * which a mailbox and a Message-ID can carry. */
static void
mail_base_host(const char *base_url, char *out, size_t size)
{
	const char *h = base_url ? strstr(base_url, "://") : NULL;
	size_t n;
	bool letters = false;

	snprintf(out, size, "localhost");
	if (h == NULL || h[3] == '[')
		return;
	h += 3;
	n = strcspn(h, ":/?#");
	for (size_t i = 0; i < n; i++)
		letters |= (h[i] >= 'a' && h[i] <= 'z') || (h[i] >= 'A' && h[i] <= 'Z');
	if (letters && n > 0 && n < size)
		snprintf(out, size, "%.*s", (int)n, h);
}

static int
mail_read_password(const char *path)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL) {
		fprintf(stderr, "corral: --smtp-password-file %s cannot be read\n", path);
		return -1;
	}
	n = fread(mail_st.password, 1, sizeof mail_st.password - 1, f);
	fclose(f);
	mail_st.password[n] = '\0';
	mail_st.password[strcspn(mail_st.password, "\r\n")] = '\0';
	return 0;
}

int
mail_configure(const struct mail_config *cfg, const char *base_url, const char *default_dir)
{
	const char *env = getenv("CORRAL_SMTP_PASSWORD");
	bool loopback = false;

	mail_st.cfg = *cfg;
	mail_base_host(base_url, mail_st.host, sizeof mail_st.host);
	if (cfg->from && *cfg->from) {
		if (mail_parse_mailbox(cfg->from, mail_st.from_name, sizeof mail_st.from_name, mail_st.from_addr,
				       sizeof mail_st.from_addr, &mail_st.sender.name) != 0) {
			fprintf(stderr, "corral: --mail-from must be ADDRESS or 'Name <ADDRESS>', not '%s'\n", cfg->from);
			return -1;
		}
	} else {
		snprintf(mail_st.from_addr, sizeof mail_st.from_addr, "corral@%s", mail_st.host);
		mail_st.sender.name = NULL;
	}
	mail_st.sender.addr = mail_st.from_addr;
	mail_st.sender.msgid_host = mail_st.host;
	if (cfg->smtp_url && *cfg->smtp_url) {
		if (!smtp_url_valid(cfg->smtp_url, &loopback)) {
			fprintf(stderr, "corral: --smtp-url must be smtp://HOST[:PORT] or smtps://HOST[:PORT]\n");
			return -1;
		}
		if (cfg->smtp_password_file && mail_read_password(cfg->smtp_password_file) != 0)
			return -1;
		if (!cfg->smtp_password_file && env)
			snprintf(mail_st.password, sizeof mail_st.password, "%s", env);
		mail_st.smtp = (struct mail_smtp){
			.url = cfg->smtp_url, .user = cfg->smtp_user, .password = mail_st.password,
			.plain_loopback = cfg->smtp_plain_loopback && loopback, .ca_file = cfg->smtp_ca_file,
			.timeout_ms = cfg->smtp_timeout_s * 1000L, .cancel = &mail_st.stopping,
		};
		mail_st.use_smtp = true;
		if (cfg->smtp_plain_loopback && !loopback)
			fprintf(stderr, "corral: --smtp-plain-loopback applies to loopback hosts only; "
				"%s gets STARTTLS\n", cfg->smtp_url);
	} else if (cfg->dir && *cfg->dir) {
		snprintf(mail_st.dir, sizeof mail_st.dir, "%s", cfg->dir);
	} else if (default_dir) {
		snprintf(mail_st.dir, sizeof mail_st.dir, "%s/outbox", default_dir);
	}
	return smtp_global_init();
}

const char *
mail_transport(void)
{
	return mail_st.use_smtp ? mail_st.cfg.smtp_url : mail_st.dir[0] ? mail_st.dir : "the log";
}

const char *
mail_msgid_host(void)
{
	return mail_st.sender.msgid_host ? mail_st.sender.msgid_host : "localhost";
}
