/* forum/mail_prefs.c — members' mail preferences (the settings page's section and
 * /api/v1/me/mail-preferences) and one-click unsubscribe (/unsubscribe, RFC 8058): a link
 * signed with the instances' shared secret sets one kind of mail to never, without
 * signing in. GET only shows a confirmation: link scanners fetch every URL of a mail. */
#include "forum/mail_prefs.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/auth.h"
#include "core/log.h"
#include "db/db.h"
#include "forum/app.h"
#include "forum/digest.h"
#include "forum/routes.h"

/* An unsubscribe link works this long: mail stays in inboxes. */
#define MAIL_UNSUB_TTL_S (366 * 24 * 3600)
/* crypto_auth's MAC in unpadded base64url. */
#define MAIL_UNSUB_MAC_B64 sodium_base64_ENCODED_LEN(crypto_auth_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING)

const char *const mail_pref_kinds[] = { "reply", "mention", "watch", "moderation", "idea_status", "survey",
					"reminder", "ask", NULL };
static const char *const mail_pref_labels[] = { "replies to your posts", "mentions of you",
						 "new posts in threads you watch",
						 "moderators' decisions on your posts",
						 "status changes of ideas you voted for or follow", "new surveys",
						 "reminders of posts you bookmarked",
						 "threads asking practitioners for their experience" };
static const char *const mail_pref_choices[] = { "immediately", "digest", "never", NULL };
static const char *const mail_pref_choice_labels[] = { "At once", "In the digest", "Never" };

const char *
mail_pref_label(const char *kind)
{
	for (size_t i = 0; mail_pref_kinds[i]; i++) {
		if (strcmp(kind, mail_pref_kinds[i]) == 0)
			return mail_pref_labels[i];
	}
	/* The digest's own unsubscribe link (forum/digest.c) names it as a kind. */
	return strcmp(kind, "digest") == 0 ? "the digest" : kind;
}

/* --- the shared secret and the token --- */

static pthread_mutex_t mail_key_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char mail_key[crypto_auth_KEYBYTES];
static bool mail_key_loaded;

/* The key, read once per process from server_secrets. 0, or -1 with the error recorded. */
static int
mail_unsub_key(struct ctx *c, unsigned char key[crypto_auth_KEYBYTES])
{
	PGresult *res;
	size_t n = 0;
	int rc = 0;

	pthread_mutex_lock(&mail_key_lock);
	if (!mail_key_loaded) {
		rc = -1;
		if ((res = db_q(c, STMT_SERVER_SECRET, "unsubscribe")) == NULL)
			goto out;
		if (PQntuples(res) != 1 ||
		    sodium_hex2bin(mail_key, sizeof mail_key, db_str(res, 0, 0), strlen(db_str(res, 0, 0)), NULL, &n,
				   NULL) != 0 || n != sizeof mail_key) {
			log_error("mail: the unsubscribe secret is missing from server_secrets");
			ctx_fail(c, HERR_INTERNAL, NULL, NULL);
			goto out;
		}
		mail_key_loaded = true;
		rc = 0;
	}
	memcpy(key, mail_key, sizeof mail_key);
out:
	pthread_mutex_unlock(&mail_key_lock);
	return rc;
}

int
mail_prefs_secret(struct ctx *c, unsigned char ret[crypto_auth_KEYBYTES])
{
	return mail_unsub_key(c, ret);
}

/* The MAC of "unsubscribe:UID:KIND:EXPIRY" in base64url into out. */
static int
mail_unsub_mac(struct ctx *c, int64_t uid, const char *kind, long long exp, char out[MAIL_UNSUB_MAC_B64])
{
	unsigned char key[crypto_auth_KEYBYTES], mac[crypto_auth_BYTES];
	char msg[128];
	int n = snprintf(msg, sizeof msg, "unsubscribe:%lld:%s:%lld", (long long)uid, kind, exp);

	if (mail_unsub_key(c, key) != 0)
		return -1;
	crypto_auth(mac, (const unsigned char *)msg, (unsigned long long)n, key);
	sodium_memzero(key, sizeof key);
	sodium_bin2base64(out, MAIL_UNSUB_MAC_B64, mac, sizeof mac, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return 0;
}

const char *
mail_unsub_url(struct ctx *c, int64_t uid, const char *kind)
{
	long long exp = (long long)time(NULL) + MAIL_UNSUB_TTL_S;
	char mac[MAIL_UNSUB_MAC_B64];

	if (mail_unsub_mac(c, uid, kind, exp, mac) != 0)
		return NULL;
	return arena_printf(c->arena, "%s/unsubscribe?token=%lld.%s.%lld.%s", app_config()->base_url, (long long)uid,
			    kind, exp, mac);
}

/* A token's member and kind: 0, or -1 with 400 on "token" (malformed, forged or expired). */
static int
mail_unsub_check(struct req *r, const char *tok, int64_t *ret_uid, const char **ret_kind)
{
	char kind[32], mac[MAIL_UNSUB_MAC_B64], want[MAIL_UNSUB_MAC_B64];
	long long uid, exp;
	int end = 0;
	bool known;
	size_t k;

	if (tok == NULL || strlen(tok) > 200 ||
	    sscanf(tok, "%lld.%31[a-z_].%lld.%43[A-Za-z0-9_-]%n", &uid, kind, &exp, mac, &end) != 4 ||
	    tok[end] != '\0' || uid < 1 || strlen(mac) != MAIL_UNSUB_MAC_B64 - 1) {
		http_fail(r, HERR_INVALID, "token", "This unsubscribe link is not valid.");
		return -1;
	}
	for (k = 0; mail_pref_kinds[k] && strcmp(kind, mail_pref_kinds[k]) != 0; k++)
		;
	known = mail_pref_kinds[k] != NULL || strcmp(kind, "digest") == 0;
	if (known && mail_unsub_mac(&r->c, uid, kind, exp, want) != 0)
		return -1;   /* the secret could not be read: recorded */
	if (!known || sodium_memcmp(want, mac, MAIL_UNSUB_MAC_B64 - 1) != 0) {
		http_fail(r, HERR_INVALID, "token", "This unsubscribe link is not valid.");
		return -1;
	}
	if (exp < (long long)time(NULL)) {
		http_fail(r, HERR_INVALID, "token",
			  "This unsubscribe link has expired. Change your mail preferences in your settings.");
		return -1;
	}
	*ret_uid = uid;
	*ret_kind = mail_pref_kinds[k] ? mail_pref_kinds[k] : "digest";
	return 0;
}

/* --- unsubscribe --- */

/* The token from ?token= (the link as mailed, and RFC 8058's POST to it) or the form. */
static const char *
mail_unsub_token(struct req *r)
{
	const char *tok = http_query(r, "token");

	if (tok == NULL && r->c.err == HERR_OK && json_is_string(json_object_get(r->input, "token")))
		tok = json_string_value(json_object_get(r->input, "token"));
	return tok;
}

/* GET: what the link would do, and a button to do it. POST: do it. */
static enum herr
mail_unsub(struct req *r)
{
	bool post = strcmp(r->method, "POST") == 0;
	const char *tok = mail_unsub_token(r), *kind;
	PGresult *res;
	int64_t uid;

	if (r->c.err != HERR_OK || mail_unsub_check(r, tok, &uid, &kind) != 0)
		return r->c.err;
	if ((res = db_q(&r->c, STMT_MAIL_UNSUB_USER, db_int(&r->c, uid))) == NULL)
		return r->c.err;
	if (PQntuples(res) == 0)
		return http_fail(r, HERR_INVALID, "token", "This unsubscribe link is not valid.");
	if (post && strcmp(kind, "digest") == 0 && digest_set_frequency(&r->c, uid, "off") != HERR_OK)
		return r->c.err;
	if (post && strcmp(kind, "digest") != 0 && db_q(&r->c, STMT_MAIL_PREF_SET, db_int(&r->c, uid), kind, "never") == NULL)
		return r->c.err;
	json_object_set_new(http_model(r), "unsubscribe",
			    json_pack("{s:s,s:s,s:s,s:b}", "username", db_str(res, 0, 0), "kind", kind, "label",
				      mail_pref_label(kind), "done", post));
	json_object_set_new(r->model, "token", json_string(tok));
	return HERR_OK;
}

/* --- preferences --- */

/* [{kind, label, choice, options: [{value, label, checked}]}] of member uid. */
static json_t *
mail_prefs_list(struct ctx *c, int64_t uid, bool html)
{
	struct buf kinds = BUF_INIT;
	json_t *list, *p, *opts;
	PGresult *res;
	size_t i;

	for (i = 0; mail_pref_kinds[i]; i++)
		buf_printf(&kinds, "%s%s", i ? "," : "{", mail_pref_kinds[i]);
	buf_putc(&kinds, '}');
	res = db_q(c, STMT_MAIL_PREFS, db_int(c, uid), arena_strdup(c->arena, kinds.data));
	buf_free(&kinds);
	if (res == NULL)
		return NULL;
	list = db_rows_json(res);
	json_array_foreach(list, i, p) {
		const char *choice = json_string_value(json_object_get(p, "choice"));

		json_object_set_new(p, "label", json_string(mail_pref_label(json_string_value(json_object_get(p, "kind")))));
		if (!html)
			continue;
		opts = json_array();
		for (size_t j = 0; mail_pref_choices[j]; j++)
			json_array_append_new(opts, json_pack("{s:s,s:s,s:b}", "value", mail_pref_choices[j], "label",
							      mail_pref_choice_labels[j], "checked",
							      choice && strcmp(choice, mail_pref_choices[j]) == 0));
		json_object_set_new(p, "options", opts);
	}
	return list;
}

/* The digest's frequency: "digest" in the model, and on pages the radio buttons. */
static enum herr
mail_prefs_digest_model(struct req *r, json_t *model)
{
	const char *freq = digest_frequency(&r->c, auth_viewer(r)->id);
	json_t *opts;

	if (freq == NULL)
		return r->c.err;
	json_object_set_new(model, "digest", json_string(freq));
	if (!r->html)
		return HERR_OK;
	opts = json_array();
	for (size_t j = 0; digest_frequencies[j]; j++)
		json_array_append_new(opts, json_pack("{s:s,s:s,s:b}", "value", digest_frequencies[j], "label",
						      digest_frequency_labels[j], "checked",
						      strcmp(freq, digest_frequencies[j]) == 0));
	json_object_set_new(model, "digest_options", opts);
	return HERR_OK;
}

/* The model of GET /api/v1/me/mail-preferences: {preferences: {kind: choice}, kinds: […],
 * digest: daily|weekly|off}. */
static enum herr
mail_prefs_model(struct req *r, const char *key)
{
	json_t *list, *map, *p;
	size_t i;

	if ((list = mail_prefs_list(&r->c, auth_viewer(r)->id, r->html)) == NULL)
		return r->c.err;
	if (key) {
		json_object_set_new(http_model(r), key, list);
		return mail_prefs_digest_model(r, r->model);
	}
	map = json_object();
	json_array_foreach(list, i, p)
		json_object_set(map, json_string_value(json_object_get(p, "kind")), json_object_get(p, "choice"));
	json_object_set_new(http_model(r), "preferences", map);
	json_object_set_new(r->model, "kinds", list);
	return mail_prefs_digest_model(r, r->model);
}

enum herr
mail_prefs_settings_model(struct req *r)
{
	return mail_prefs_model(r, "mail_prefs");
}

static enum herr
mail_prefs_get(struct req *r)
{
	if (auth_require(r, ROLE_MEMBER) != 0)
		return r->c.err;
	return mail_prefs_model(r, NULL);
}

struct mail_prefs_set {
	int64_t uid;
	const char *choice[sizeof mail_pref_labels / sizeof *mail_pref_labels];   /* one per kind */
	const char *digest;   /* the digest's frequency, or NULL: unchanged */
};

static enum herr
mail_prefs_save_tx(struct ctx *c, void *arg)
{
	struct mail_prefs_set *s = arg;

	for (size_t i = 0; mail_pref_kinds[i]; i++) {
		if (s->choice[i] && db_q(c, STMT_MAIL_PREF_SET, db_int(c, s->uid), mail_pref_kinds[i], s->choice[i]) == NULL)
			return c->err;
	}
	return s->digest ? digest_set_frequency(c, s->uid, s->digest) : HERR_OK;
}

/* POST /settings/mail (the settings page's form) and PUT /api/v1/me/mail-preferences. */
static enum herr
mail_prefs_save(struct req *r)
{
	struct mail_prefs_set s = { 0 };
	const char *key;
	json_t *v;
	size_t i, given = 0;
	int rc;

	if (auth_require(r, ROLE_MEMBER) != 0)
		return r->c.err;
	if (!json_is_object(r->input))
		return http_fail(r, HERR_INVALID, NULL, "Send an object of kind: choice.");
	/* A form carries its CSRF token beside the choices; JSON names only kinds. */
	json_object_foreach(r->input, key, v) {
		for (i = 0; mail_pref_kinds[i] && strcmp(key, mail_pref_kinds[i]) != 0; i++)
			;
		if (mail_pref_kinds[i] == NULL && !r->input_form && strcmp(key, "digest") != 0)
			return http_fail(r, HERR_INVALID, arena_strdup(r->c.arena, key),
					 "There is no such kind of mail (reply, mention, watch, moderation, "
					 "idea_status, survey, reminder, ask).");
	}
	for (i = 0; mail_pref_kinds[i]; i++) {
		if ((rc = in_enum(r, mail_pref_kinds[i], mail_pref_choices, 0, &s.choice[i])) < 0)
			return r->c.err;
		given += rc == 0;
	}
	if ((rc = in_enum(r, "digest", digest_frequencies, 0, &s.digest)) < 0)
		return r->c.err;
	given += rc == 0;
	if (given == 0)
		return http_fail(r, HERR_INVALID, NULL, "Give a choice for at least one kind of mail or the digest.");
	s.uid = auth_viewer(r)->id;
	if (db_transaction(&r->c, mail_prefs_save_tx, &s) != HERR_OK)
		return r->c.err;
	r->location = "/settings#mail";
	return r->html ? HERR_OK : mail_prefs_model(r, NULL);
}

const struct route mail_prefs_routes[] = {
	{ "GET", "/api/v1/me/mail-preferences", mail_prefs_get },
	{ "PUT", "/api/v1/me/mail-preferences", mail_prefs_save },
	{ "POST", "/settings/mail", mail_prefs_save, .view = "settings", .title = "Settings", .page = acct_settings },
	/* The token in the link is the credential: no session, no CSRF token. A one-click
	 * POST (RFC 8058) comes from the mail provider as multipart/form-data, whose body
	 * says nothing the URL does not. */
	{ "GET", "/unsubscribe", mail_unsub, .view = "unsubscribe", .title = "Unsubscribe" },
	{ "POST", "/unsubscribe", mail_unsub, .view = "unsubscribe", .title = "Unsubscribed",
	  .flags = ROUTE_NO_CSRF | ROUTE_ANY_BODY },
	{ "GET", "/api/v1/unsubscribe", mail_unsub },
	{ "POST", "/api/v1/unsubscribe", mail_unsub, .flags = ROUTE_NO_CSRF },
};
const size_t mail_prefs_routes_n = ROUTES_N(mail_prefs_routes);
