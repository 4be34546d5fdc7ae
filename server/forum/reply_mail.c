/* forum/reply_mail.c — reply by email: signed reply addresses for notification mail, and
 * `corral mail receive`, which checks one incoming message (address, member, single use),
 * posts its trimmed text as a web reply would and explains a refusal to the member. */
#include "forum/reply_mail.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth/auth.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/utf8.h"
#include "db/db.h"
#include "forum/app.h"
#include "forum/mail_prefs.h"
#include "forum/threads.h"
#include "http/http.h"
#include "mail/inbound.h"
#include "mail/mail.h"
#include "mail/reply_addr.h"

static const struct opt_def reply_mail_defs[] = {
	OPT_STRING("reply-address-domain", "DOMAIN", NULL, struct reply_mail_config, domain,
		   "give notification mail a signed Reply-To reply+…@DOMAIN (routed to `corral mail receive`)"),
	OPT_INT("reply-address-days", "DAYS", "90", 1, 3660, struct reply_mail_config, days,
		"how long a reply address works"),
};
const struct opt_table reply_mail_opts = { "Outgoing mail", reply_mail_defs, OPT_COUNT(reply_mail_defs) };

static struct reply_mail_config rm_cfg = { NULL, 90 };

/* Refusals explained by mail to one member, per window. */
#define REPLY_MAIL_BOUNCES 5
#define REPLY_MAIL_BOUNCE_WINDOW_S 3600

int
reply_mail_configure(const struct reply_mail_config *cfg)
{
	const char *d = cfg->domain;

	rm_cfg = *cfg;
	if (d && *d == '\0')
		rm_cfg.domain = NULL;
	if (rm_cfg.domain && (strlen(d) > 200 || strspn(d, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") !=
						       strlen(d) || d[0] == '.' || d[0] == '-' || strstr(d, "..") || strchr(d, '.') == NULL)) {
		fprintf(stderr, "corral: --reply-address-domain: not a domain name: %s\n", d);
		return -1;
	}
	return 0;
}

static int
reply_mail_key(struct ctx *c, unsigned char key[REPLY_ADDR_KEYBYTES])
{
	unsigned char secret[crypto_auth_KEYBYTES];

	if (mail_prefs_secret(c, secret) != 0)
		return -1;
	reply_addr_key(secret, key);
	sodium_memzero(secret, sizeof secret);
	return 0;
}

int
reply_mail_address(struct ctx *c, int64_t uid, int64_t post, const char **ret)
{
	unsigned char key[REPLY_ADDR_KEYBYTES];
	struct reply_addr a = { uid, post, (int64_t)time(NULL) + (int64_t)rm_cfg.days * 86400 };
	char tok[REPLY_ADDR_TOKEN_MAX + 1];

	*ret = NULL;
	if (rm_cfg.domain == NULL || post <= 0)
		return 0;
	if (reply_mail_key(c, key) != 0)
		return -1;
	if (reply_addr_make(key, &a, tok) == 0)
		*ret = arena_printf(c->arena, REPLY_ADDR_PREFIX "+%s@%s", tok, rm_cfg.domain);
	sodium_memzero(key, sizeof key);
	return 0;
}

/* --- receiving --- */

/* One message on its way: what is known so far. */
struct rm_in {
	struct inbound_msg m;
	const char *token;           /* lower case */
	struct reply_addr addr;
	bool genuine;                /* the MAC matched: the member is who the address says */
	const char *name, *email;    /* the member, when genuine and still there */
	bool verified;
	const char *title;           /* the thread's */
	int64_t thread;
	const char *text;            /* trimmed */
};

/* The status of a reply path error. */
static int
rm_status(enum herr e)
{
	switch (e) {
	case HERR_OK:
		return REPLY_MAIL_OK;
	case HERR_UNAVAILABLE:
	case HERR_INTERNAL:
	case HERR_RATE_LIMITED:
		return REPLY_MAIL_TEMPFAIL;
	case HERR_INVALID:
	case HERR_TOO_LARGE:
		return REPLY_MAIL_DATAERR;
	default:
		return REPLY_MAIL_NOPERM;
	}
}

struct rm_bounce {
	const struct rm_in *in;
	const char *why;
};

static enum herr
rm_bounce_tx(struct ctx *c, void *arg)
{
	struct rm_bounce *b = arg;
	const struct rm_in *in = b->in;
	const char *base = app_config()->base_url, *excerpt = in->text ? in->text : in->m.text;
	const char *link = in->thread ? arena_printf(c->arena, "%s/t/%lld", base, (long long)in->thread) : base;
	struct buf text = BUF_INIT;
	enum herr rc;
	PGresult *res;

	/* Whoever holds a genuine address could make it mail the member at will: a few an hour. */
	res = db_q(c, STMT_RATE_HIT, arena_printf(c->arena, "reply-bounce:user:%lld", (long long)in->addr.uid),
		   db_int(c, REPLY_MAIL_BOUNCE_WINDOW_S));
	if (res == NULL)
		return c->err;
	if (db_i64(res, 0, 0) > REPLY_MAIL_BOUNCES)
		return HERR_OK;
	buf_printf(&text, "Hello %s,\n\nYour reply by email%s%s%s was not posted:\n\n%s\n\n", in->name,
		   in->title ? " to \u201c" : "", in->title ? in->title : "", in->title ? "\u201d" : "", b->why);
	if (excerpt && *excerpt) {
		size_t n = utf8_truncate(excerpt, strlen(excerpt), 2000);

		buf_puts(&text, "What you wrote:\n\n");
		for (const char *p = excerpt, *end = excerpt + n; p < end;) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t k = nl ? (size_t)(nl - p) : (size_t)(end - p);

			buf_puts(&text, "> ");
			buf_append(&text, p, k);
			buf_putc(&text, '\n');
			p += k + 1;
		}
		buf_putc(&text, '\n');
	}
	buf_printf(&text, "You can reply on the forum: %s\n", link);
	rc = mail_enqueue(c, &(struct mail_msg){ .kind = "reply_refused", .to = in->email, .to_name = in->name,
						 .subject = "Your reply by email was not posted", .text = text.data },
			  NULL);
	buf_free(&text);
	return rc;
}

/* Tell the member why (a permanent refusal of a genuine address, to a confirmed address
 * only: never to the message's From, which anyone can write). */
static void
rm_bounce(struct ctx *c, const struct rm_in *in, int status, const char *why)
{
	struct ctx quiet = { .arena = c->arena, .rid = c->rid };
	struct rm_bounce b = { in, why };

	if (status == REPLY_MAIL_OK || status == REPLY_MAIL_TEMPFAIL || !in->genuine || in->email == NULL ||
	    !in->verified || !mail_addr_valid(in->email))
		return;
	if (db_transaction(&quiet, rm_bounce_tx, &b) != HERR_OK)
		log_warn("mail receive: the refusal could not be mailed to member %lld", (long long)in->addr.uid);
}

/* The address: from the envelope, else the headers; checked. 0, or a status with *why. */
static int
rm_address(struct ctx *c, struct rm_in *in, const char *recipient, const char **why)
{
	unsigned char key[REPLY_ADDR_KEYBYTES];
	const char *tok = recipient ? inbound_find_token(c->arena, recipient, REPLY_ADDR_PREFIX) : NULL;
	enum reply_addr_check chk;

	if (tok == NULL && in->m.recipients)
		tok = inbound_find_token(c->arena, in->m.recipients, REPLY_ADDR_PREFIX);
	if (tok == NULL) {
		*why = "The message is not addressed to a reply address of this forum.";
		return REPLY_MAIL_NOUSER;
	}
	if (reply_mail_key(c, key) != 0) {
		*why = "The forum is unavailable; the message will be tried again.";
		return REPLY_MAIL_TEMPFAIL;
	}
	chk = reply_addr_check(key, tok, (int64_t)time(NULL), &in->addr);
	sodium_memzero(key, sizeof key);
	if (chk == REPLY_ADDR_MALFORMED || chk == REPLY_ADDR_FORGED) {
		*why = "This reply address is not valid.";
		return REPLY_MAIL_NOUSER;
	}
	in->genuine = true;
	in->token = arena_strdup(c->arena, tok);
	for (char *p = (char *)in->token; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	if (chk == REPLY_ADDR_EXPIRED) {
		*why = "This reply address has expired. Reply on the forum instead.";
		return REPLY_MAIL_NOUSER;
	}
	return 0;
}

/* The member and the thread. 0, or a status with *why. */
static int
rm_member(struct ctx *c, struct rm_in *in, const char **why)
{
	PGresult *res;

	if ((res = db_q(c, STMT_REPLY_MAIL_MEMBER, db_int(c, in->addr.uid))) == NULL)
		goto tempfail;
	if (PQntuples(res) == 0) {
		in->genuine = false;   /* nobody to tell */
		*why = "This reply address belongs to an account that no longer exists.";
		return REPLY_MAIL_NOUSER;
	}
	in->name = db_str(res, 0, 0);
	in->email = db_str(res, 0, 1);
	in->verified = db_bool(res, 0, 2);
	if ((res = db_q(c, STMT_REPLY_MAIL_POST, db_int(c, in->addr.post))) == NULL)
		goto tempfail;
	if (PQntuples(res) == 1) {
		in->thread = db_i64(res, 0, 0);
		in->title = db_str(res, 0, 1);
	}
	return 0;
tempfail:
	*why = "The forum is unavailable; the message will be tried again.";
	return REPLY_MAIL_TEMPFAIL;
}

/* Used already? 0 (no), REPLY_MAIL_OK with *why (this very message was posted: a
 * duplicate delivery), or a refusal. */
static int
rm_used(struct ctx *c, struct rm_in *in, const char **why, bool *ret_dup)
{
	PGresult *res = db_q(c, STMT_REPLY_MAIL_USE_GET, in->token, db_int(c, in->addr.uid), in->m.message_id);

	*ret_dup = false;
	if (res == NULL) {
		*why = "The forum is unavailable; the message will be tried again.";
		return REPLY_MAIL_TEMPFAIL;
	}
	if (PQntuples(res) == 0)
		return 0;
	if (in->m.message_id && db_str(res, 0, 0) && strcmp(db_str(res, 0, 0), in->m.message_id) == 0) {
		*ret_dup = true;
		*why = arena_printf(c->arena, "This message was posted already (post %s).", db_str(res, 0, 1));
		return REPLY_MAIL_OK;
	}
	in->genuine = false;   /* whoever reuses an address, the member is not told */
	*why = "This reply address has been used already. Reply to a newer notification, or on the forum.";
	return REPLY_MAIL_NOUSER;
}

struct rm_use {
	const struct rm_in *in;
};

/* In the reply's transaction: the address is spent. A second delivery racing this one
 * meets the primary key and rolls its reply back. */
static enum herr
rm_use_record(struct ctx *c, int64_t post, void *arg)
{
	const struct rm_in *in = ((struct rm_use *)arg)->in;

	if (db_qx(c, STMT_REPLY_MAIL_USE_ADD,
		  DB_EXPECT({ "23505", HERR_CONFLICT, NULL, "This reply address has been used already." }), in->token,
		  db_int(c, in->addr.uid), in->m.message_id, db_int(c, post)) == NULL)
		return c->err;
	return HERR_OK;
}

/* Post the text as the member, as POST /api/v1/threads/{id}/posts would. */
static int
rm_post(struct ctx *c, struct rm_in *in, const char **why)
{
	struct req r = { .c = { .arena = c->arena, .rid = c->rid }, .method = "POST" };
	struct rm_use use = { in };
	const struct threads_reply_hook hook = { rm_use_record, &use };
	int status, found;

	if ((found = auth_viewer_load(&r, in->addr.uid)) <= 0) {
		*why = found < 0 ? "The forum is unavailable; the message will be tried again."
				 : "This reply address belongs to an account that no longer exists.";
		return found < 0 ? REPLY_MAIL_TEMPFAIL : REPLY_MAIL_NOUSER;
	}
	r.m.nparams = 1;
	r.m.names[0] = "id";
	r.m.values[0] = arena_printf(c->arena, "%lld", (long long)in->thread);
	r.input = json_pack("{s:s,s:I}", "body", in->text, "parent_id", (json_int_t)in->addr.post);
	threads_reply_with(&r, &hook);
	status = rm_status(r.c.err);
	if (status == REPLY_MAIL_OK) {
		json_t *p = json_object_get(r.model, "post");

		*why = arena_printf(c->arena, "Posted as post %lld in thread %lld (%s).",
				    (long long)json_integer_value(json_object_get(p, "id")), (long long)in->thread,
				    json_string_value(json_object_get(p, "state")));
	} else {
		*why = r.c.err_msg ? r.c.err_msg : herr_default_message(r.c.err);
		if (r.c.err == HERR_RATE_LIMITED)
			*why = "You are posting too fast; the message will be tried again later.";
	}
	json_decref(r.input);
	json_decref(r.model);
	return status;
}

char *
reply_mail_read(FILE *f, size_t *ret_len)
{
	size_t cap = 1 << 16, len = 0, n;
	char *buf = malloc(cap), *more;

	while (buf && len <= INBOUND_MAX_BYTES) {
		if (len == cap) {
			if ((more = realloc(buf, cap * 2)) == NULL) {
				free(buf);
				return NULL;
			}
			buf = more;
			cap *= 2;
		}
		if ((n = fread(buf + len, 1, cap - len, f)) == 0)
			break;
		len += n;
	}
	if (buf == NULL || ferror(f)) {
		free(buf);
		return NULL;
	}
	*ret_len = len;
	return buf;
}

int
reply_mail_receive(struct ctx *c, const char *data, size_t len, const char *recipient, const char **ret_msg)
{
	struct rm_in in = { 0 };
	const char *why = NULL, *perr = NULL;
	int status;
	bool dup;

	if (len > INBOUND_MAX_BYTES) {
		*ret_msg = "The message is larger than 10 MiB.";
		return REPLY_MAIL_DATAERR;
	}
	if (inbound_parse(c->arena, data, len, &in.m, &perr) != 0 && in.m.recipients == NULL) {
		*ret_msg = perr;
		return REPLY_MAIL_DATAERR;   /* not even headers: nobody to tell */
	}
	/* The Message-ID is only compared: one a column cannot hold is as good as none. */
	if (in.m.message_id && (strlen(in.m.message_id) > 998 || !utf8_valid(in.m.message_id, strlen(in.m.message_id))))
		in.m.message_id = NULL;
	if ((status = rm_address(c, &in, recipient, &why)) != 0) {
		const char *ignored;

		if (in.genuine)   /* expired: the member is told, if still there */
			(void)rm_member(c, &in, &ignored);
		goto out;
	}
	if ((status = rm_member(c, &in, &why)) != 0)
		goto out;
	if ((status = rm_used(c, &in, &why, &dup)) != 0 || dup)
		goto out;
	/* The address is the credential, but a notification forwarded to a colleague should not
	 * let the colleague's reply speak for the member: the reply comes from the address the
	 * notification went to. (From is easy to forge; this is against mistakes, not attacks.) */
	if (in.m.from == NULL || in.email == NULL || strcasecmp(in.m.from, in.email) != 0) {
		why = "This reply was sent from another address than the one your notifications go to.";
		status = REPLY_MAIL_NOPERM;
		goto out;
	}
	if (perr) {
		why = perr;
		status = REPLY_MAIL_DATAERR;
		goto out;
	}
	in.text = inbound_trim(c->arena, in.m.text);
	if (*in.text == '\0') {
		why = "The message has no new text to post (only quoted text or a signature).";
		status = REPLY_MAIL_DATAERR;
		goto out;
	}
	if (in.thread == 0) {
		why = "The post you replied to no longer exists.";
		status = REPLY_MAIL_NOPERM;
		goto out;
	}
	status = rm_post(c, &in, &why);
out:
	rm_bounce(c, &in, status, why);
	*ret_msg = why;
	return status;
}
