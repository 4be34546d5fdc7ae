/* forum/idempotency.c — Idempotency-Key for creating requests. The key is claimed in its
 * own statement before the handler runs (so a concurrent duplicate sees it at once) and
 * the answer is stored when the request ends; a failed request lets the key go. */
#include "forum/idempotency.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "core/log.h"
#include "db/db.h"
#include "render/jsontext.h"

static const char *
idem_key(struct req *r)
{
	bool field;
	const char *k = http_header_or_field(r, "Idempotency-Key", "idem", true, &field);

	/* Pages put a one-time nonce in their forms: a double click posts it twice. */
	if (k == NULL || !field)
		return k;
	if (*k == '\0' || strlen(k) > 64)
		return NULL;
	/* One nonce serves every form of a page: scope it to the form's action. */
	return arena_printf(r->c.arena, "form:%s:%.180s", k, r->url);
}

static bool
idem_key_valid(const char *k)
{
	size_t n = strlen(k);

	if (n < 1 || n > 255)
		return false;
	for (size_t i = 0; i < n; i++)
		if (k[i] < 0x21 || k[i] > 0x7e)
			return false;
	return true;
}

/* What the request asks for, apart from the key: a retry must send the same body. (A form's
 * nonce is part of its body, which is why the form key above is the nonce itself.) */
static const char *
idem_request_hash(struct req *r)
{
	unsigned char h[16];
	char *hex = arena_alloc(r->c.arena, 33);

	crypto_generichash(h, sizeof h, (const unsigned char *)(r->body.data ? r->body.data : ""), r->body.len,
			   NULL, 0);
	sodium_bin2hex(hex, 33, h, sizeof h);
	return hex;
}

enum herr
idem_prepare(struct req *r, struct idem_state *st)
{
	struct viewer *v = auth_viewer(r);
	const char *key, *uid, *request;
	PGresult *res;

	st->key = NULL;
	if (v == NULL || strcmp(r->method, "POST") != 0 || (key = idem_key(r)) == NULL)
		return HERR_OK;
	if (!idem_key_valid(key))
		return http_fail(r, HERR_INVALID, "Idempotency-Key",
				 "An idempotency key is 1 to 255 printable ASCII characters.");
	uid = db_int(&r->c, v->id);
	request = idem_request_hash(r);
	if ((res = db_q(&r->c, STMT_IDEM_CLAIM, uid, key, r->method, r->url, request)) == NULL)
		return r->c.err;
	if (PQntuples(res) == 1) {
		st->key = arena_strdup(r->c.arena, key);
		return HERR_OK;
	}
	if ((res = db_q(&r->c, STMT_IDEM_GET, uid, key)) == NULL)
		return r->c.err;
	if (PQntuples(res) == 0)   /* released just now by a failing first attempt */
		return http_fail(r, HERR_CONFLICT, NULL, "The first request with this key failed; send it again.");
	if (strcmp(db_str(res, 0, 4), r->method) != 0 || strcmp(db_str(res, 0, 5), r->url) != 0 ||
	    strcmp(db_str(res, 0, 6), request) != 0)
		return http_fail(r, HERR_CONFLICT, "Idempotency-Key", "This key was used for another request.");
	if (strcmp(db_str(res, 0, 0), "done") != 0)
		return http_fail(r, HERR_CONFLICT, NULL, "The same request is still being processed.");
	/* Replay the first answer. */
	r->status = (int)db_i64(res, 0, 1);
	r->location = db_str(res, 0, 2) ? arena_strdup(r->c.arena, db_str(res, 0, 2)) : NULL;
	if (db_str(res, 0, 3))
		r->model = json_loads(db_str(res, 0, 3), 0, NULL);
	http_add_header(r, "Idempotent-Replayed", "true");
	r->handled = true;
	return HERR_OK;
}

void
idem_finish(struct req *r, struct idem_state *st)
{
	struct ctx c = { .arena = r->c.arena, .rid = r->c.rid };
	struct viewer *v = auth_viewer(r);
	char *body = NULL;

	if (st->key == NULL || v == NULL)
		return;
	if (r->sent_status >= 200 && r->sent_status < 400) {
		body = r->model ? jsontext_arena(r->c.arena, r->model, JSON_COMPACT | JSON_REAL_PRECISION(6)) : NULL;
		if (db_q(&c, STMT_IDEM_DONE, db_int(&c, v->id), st->key, db_int(&c, r->sent_status),
			 r->location, body) == NULL)
			log_warn("rid=%s idempotency: could not store the answer for a key", r->c.rid);
	} else if (db_q(&c, STMT_IDEM_RELEASE, db_int(&c, v->id), st->key) == NULL) {
		log_warn("rid=%s idempotency: could not release a key", r->c.rid);
	}
}
