/* forum/uploads.c — see uploads.h. A file is judged by its bytes (media_sniff), an image
 * decoded and encoded again (media_image_reencode) before anything is stored; the stored
 * bytes are keyed by their BLAKE2b-256, the original's hash kept to find it again. The
 * per-member daily limits are counted in the transaction that stores, under a lock per
 * member, so parallel uploads cannot both slip under them. */
#include "forum/uploads.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "db/db.h"
#include "forum/policy.h"
#include "forum/posts.h"
#include "forum/routes.h"
#include "http/http.h"
#include "media/media.h"

#define UPLOADS_HASH_HEX (crypto_generichash_BYTES * 2)
#define UPLOADS_NAME_MAX 80   /* bytes of a file name kept in the Markdown text */

static struct upload_config uploads_cfg;

static const struct opt_def upload_defs[] = {
	OPT_MIB("upload-max-mb", "MB", "10", 1, 1024, struct upload_config, max_bytes,
		"largest file a member may upload"),
	OPT_MIB("upload-daily-mb", "MB", "100", 1, 1048576, struct upload_config, daily_bytes,
		"bytes a member may upload per 24 hours (stored size)"),
	OPT_INT("upload-daily-count", "N", "50", 1, 1000000, struct upload_config, daily_count,
		"files a member may upload per 24 hours"),
	OPT_LIST("upload-kinds", "KIND[,KIND...]", "image,pdf,text,office", struct upload_config, kinds,
		 "kinds of file accepted, by content: image, pdf, text, office"),
	OPT_INT("upload-image-max-px", "PIXELS", "2048", 16, 16384, struct upload_config, max_edge,
		"images are shrunk to at most this on their long edge"),
	OPT_INT("upload-image-max-mp", "MEGAPIXELS", "50", 1, 1000, struct upload_config, max_megapixels,
		"images declaring more pixels are refused before decoding"),
	OPT_INT("upload-draft-hours", "HOURS", "168", 1, 87600, struct upload_config, draft_hours,
		"an upload no post links to is deleted after this long"),
};

const struct opt_table upload_opts = { "Uploads", upload_defs, OPT_COUNT(upload_defs) };

int
uploads_configure(const struct upload_config *cfg)
{
	static const char *const kinds[] = { "image", "pdf", "text", "office" };
	const char *p = cfg->kinds ? cfg->kinds : "";

	uploads_cfg = *cfg;
	/* Each listed kind must be one there is (the table checks only the list's form). */
	while (*p) {
		size_t n = strcspn(p, ","), i;

		for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
			if (strlen(kinds[i]) == n && strncmp(p, kinds[i], n) == 0)
				break;
		if (i == sizeof kinds / sizeof kinds[0]) {
			fprintf(stderr, "corral: --upload-kinds: '%.*s' is not one of image, pdf, text, office\n",
				(int)n, p);
			return 2;
		}
		p += n + (p[n] == ',');
	}
	return media_init() != 0 ? 1 : 0;
}

size_t
uploads_body_limit(const struct upload_config *cfg)
{
	/* The form around the file: a post body (50 000 bytes) and the multipart framing. */
	return cfg->max_bytes + 256u * 1024u;
}

void
uploads_expire(struct ctx *c)
{
	db_q(c, STMT_UPLOAD_EXPIRE, db_int(c, (int64_t)uploads_cfg.draft_hours * 3600));
}

static bool
uploads_kind_allowed(const char *kind)
{
	size_t n = strlen(kind);

	for (const char *p = uploads_cfg.kinds; p && *p;) {
		const char *comma = strchr(p, ','), *end = comma ? comma : p + strlen(p);

		if ((size_t)(end - p) == n && strncmp(p, kind, n) == 0)
			return true;
		p = comma ? comma + 1 : end;
	}
	return false;
}

static const char *
uploads_hash_hex(struct ctx *c, const unsigned char *data, size_t len)
{
	unsigned char h[crypto_generichash_BYTES];
	char *hex = arena_alloc(c->arena, UPLOADS_HASH_HEX + 1);

	crypto_generichash(h, sizeof h, data, len, NULL, 0);
	sodium_bin2hex(hex, UPLOADS_HASH_HEX + 1, h, sizeof h);
	return hex;
}

/* What one upload is, stored or about to be. */
struct uploads_file {
	int64_t user;
	const char *hash, *original, *kind, *ext, *type;
	const unsigned char *data;   /* NULL when the original was stored before */
	size_t bytes;
	int width, height;
	bool moderator;
};

static enum herr
uploads_store_tx(struct ctx *c, void *arg)
{
	struct uploads_file *u = arg;
	PGresult *res;
	char *hex;

	if (db_q(c, STMT_UPLOAD_LOCK_MEMBER, db_int(c, u->user)) == NULL ||
	    (res = db_q(c, STMT_UPLOAD_DAILY, db_int(c, u->user))) == NULL)
		return c->err;
	if (!u->moderator && (db_i64(res, 0, 0) >= uploads_cfg.daily_count ||
			      (size_t)db_i64(res, 0, 1) + u->bytes > uploads_cfg.daily_bytes)) {
		c->retry_after = 3600;
		return ctx_fail(c, HERR_RATE_LIMITED, "file", "You have reached today's upload limit; try again later.");
	}
	if (u->data) {
		hex = arena_alloc(c->arena, u->bytes * 2 + 1);
		sodium_bin2hex(hex, u->bytes * 2 + 1, u->data, u->bytes);
		if (db_q(c, STMT_UPLOAD_INSERT, u->hash, u->kind, u->ext, u->type,
			 u->width ? db_int(c, u->width) : NULL, u->height ? db_int(c, u->height) : NULL,
			 db_int(c, (int64_t)u->bytes), hex) == NULL ||
		    db_q(c, STMT_UPLOAD_ORIGINAL_ADD, u->original, u->hash) == NULL)
			return c->err;
	}
	if (db_qx(c, STMT_UPLOAD_EVENT_ADD,
		  DB_EXPECT({ "23503", HERR_CONFLICT, "file", "The file was removed meanwhile; upload it again." }),
		  db_int(c, u->user), u->hash, db_int(c, (int64_t)u->bytes)) == NULL)
		return c->err;
	return HERR_OK;
}

/* The file name as Markdown link text: no brackets, backslashes or controls, at most
 * UPLOADS_NAME_MAX bytes cut at a character boundary. */
static const char *
uploads_link_text(struct req *r, const char *name, bool image)
{
	struct buf b = BUF_INIT;
	const char *out;

	for (const unsigned char *p = (const unsigned char *)(name ? name : ""); *p; p++) {
		if (b.len >= UPLOADS_NAME_MAX && (*p & 0xc0) != 0x80)
			break;
		if (*p < 0x20 || *p == 0x7f || strchr("[]()<>\\`*_!", *p))
			buf_putc(&b, ' ');
		else
			buf_putc(&b, (char)*p);
	}
	out = b.len ? arena_strdup(r->c.arena, b.data) : image ? "image" : "file";
	buf_free(&b);
	return out;
}

static json_t *
uploads_model(struct req *r, const struct uploads_file *u, const char *name)
{
	const char *url = arena_printf(r->c.arena, "/uploads/%s.%s", u->hash, u->ext);
	bool image = strcmp(u->kind, "image") == 0;
	const char *text = uploads_link_text(r, name, image);

	return json_pack("{s:s,s:s,s:s,s:s,s:o,s:o,s:I,s:s}", "url", url, "hash", u->hash, "kind", u->kind,
			 "content_type", u->type, "width", u->width ? json_integer(u->width) : json_null(),
			 "height", u->height ? json_integer(u->height) : json_null(), "bytes", (json_int_t)u->bytes,
			 "markdown", arena_printf(r->c.arena, "%s[%s](%s)", image ? "!" : "", text, url));
}

/* Found by its original's hash: what was stored then. */
static void
uploads_from_row(struct req *r, PGresult *res, struct uploads_file *u)
{
	u->hash = arena_strdup(r->c.arena, db_str(res, 0, 0));
	u->kind = arena_strdup(r->c.arena, db_str(res, 0, 1));
	u->ext = arena_strdup(r->c.arena, db_str(res, 0, 2));
	u->width = db_str(res, 0, 3) ? (int)db_i64(res, 0, 3) : 0;
	u->height = db_str(res, 0, 4) ? (int)db_i64(res, 0, 4) : 0;
	u->bytes = (size_t)db_i64(res, 0, 5);
	u->type = arena_strdup(r->c.arena, db_str(res, 0, 6));
}

static int
uploads_refuse(struct req *r, enum herr e, const char *msg)
{
	http_fail(r, e, "file", msg);
	return -1;
}

/* Sniffed and allowed, or -1 with the refusal recorded. */
static int
uploads_sniff(struct req *r, const struct http_file *f, enum media_type *ret)
{
	enum media_refusal why;
	const char *kind;

	if (f->len == 0)
		return uploads_refuse(r, HERR_INVALID, "The file is empty.");
	if (f->len > uploads_cfg.max_bytes)
		return uploads_refuse(r, HERR_TOO_LARGE,
				      arena_printf(r->c.arena, "The file is larger than %zu MB.",
						   uploads_cfg.max_bytes >> 20));
	*ret = media_sniff(f->data, f->len, f->filename, &why);
	switch (why) {
	case MEDIA_OK:
		break;
	case MEDIA_MISMATCH:
		return uploads_refuse(r, HERR_UNSUPPORTED, "The file is named as an image but its content is not one.");
	case MEDIA_MARKUP:
		return uploads_refuse(r, HERR_UNSUPPORTED, "The file looks like a web page or script; those are not accepted.");
	case MEDIA_NOT_ALLOWED:
		return uploads_refuse(r, HERR_UNSUPPORTED,
				      "This kind of file is not accepted: images (JPEG, PNG, GIF, WebP), PDF, "
				      "plain text or CSV, Word, Excel or PowerPoint files.");
	}
	kind = media_kind(*ret);
	if (!uploads_kind_allowed(kind))
		return uploads_refuse(r, HERR_UNSUPPORTED,
				      arena_printf(r->c.arena, "Files of this kind (%s) are not accepted here.", kind));
	return 0;
}

/* Re-encode an image into u (data owned by *img). 0, or -1 with the refusal recorded. */
static int
uploads_image(struct req *r, const struct http_file *f, enum media_type t, struct uploads_file *u,
	      struct media_image *img)
{
	struct media_limits lim = { uploads_cfg.max_edge, (int64_t)uploads_cfg.max_megapixels * 1000000 };

	switch (media_image_reencode(f->data, f->len, t, &lim, img)) {
	case MEDIA_IMAGE_OK:
		break;
	case MEDIA_IMAGE_BOMB:
		return uploads_refuse(r, HERR_INVALID,
				      arena_printf(r->c.arena, "The image has more than %d megapixels.",
						   uploads_cfg.max_megapixels));
	case MEDIA_IMAGE_CORRUPT:
	case MEDIA_IMAGE_FAILED:
		return uploads_refuse(r, HERR_INVALID, "The image is truncated or corrupt.");
	}
	u->data = img->data;
	u->bytes = img->len;
	u->width = img->width;
	u->height = img->height;
	u->ext = img->ext;
	u->type = img->type;
	return 0;
}

/* Store one file; *ret is its model. 0, or -1 with the error recorded, nothing stored. */
static int
uploads_store(struct req *r, const struct http_file *f, json_t **ret)
{
	struct uploads_file u = { 0 };
	struct media_image img = { 0 };
	enum media_type t;
	PGresult *res;
	int rc = -1;

	if (uploads_sniff(r, f, &t) != 0)
		return -1;
	u.user = auth_viewer(r)->id;
	u.moderator = policy_is_moderator(auth_viewer(r));
	u.original = uploads_hash_hex(&r->c, f->data, f->len);
	if ((res = db_q(&r->c, STMT_UPLOAD_BY_ORIGINAL, u.original)) == NULL)
		return -1;
	if (PQntuples(res) > 0) {
		uploads_from_row(r, res, &u);
	} else {
		u.kind = media_kind(t);
		if (media_is_image(t)) {
			if (uploads_image(r, f, t, &u, &img) != 0)
				goto out;
		} else {
			u.data = f->data;
			u.bytes = f->len;
			u.ext = media_ext(t, f->filename);
			u.type = media_content_type(t, f->filename);
		}
		u.hash = uploads_hash_hex(&r->c, u.data, u.bytes);
	}
	if (db_transaction(&r->c, uploads_store_tx, &u) != HERR_OK)
		goto out;
	*ret = uploads_model(r, &u, f->filename);
	rc = 0;
out:
	media_image_free(&img);
	return rc;
}

static const struct http_file *
uploads_the_file(struct req *r)
{
	for (const struct http_file *f = r->files; f; f = f->next)
		if (strcmp(f->field, "file") == 0)
			return f;
	return NULL;
}

/* POST /api/v1/uploads: multipart/form-data, the file in the field "file". */
static enum herr
uploads_create(struct req *r)
{
	const struct http_file *f;
	json_t *m;

	if (posts_may_write(r) != 0)
		return r->c.err;
	if (!r->input_multipart)
		return http_fail(r, HERR_UNSUPPORTED, NULL, "Send the file as multipart/form-data in the field \"file\".");
	if ((f = uploads_the_file(r)) == NULL)
		return http_fail(r, HERR_INVALID, "file", "Choose a file to upload.");
	for (const struct http_file *g = f->next; g; g = g->next)
		if (strcmp(g->field, "file") == 0)
			return http_fail(r, HERR_INVALID, "file", "Send one file per request.");
	if (uploads_store(r, f, &m) != 0)
		return r->c.err;
	json_decref(r->model);
	r->model = m;
	r->status = 201;
	r->location = json_string_value(json_object_get(m, "url"));
	return HERR_OK;
}

int
uploads_attach_form(struct req *r)
{
	const char *body = json_string_value(json_object_get(r->input, "body"));
	struct buf b = BUF_INIT;
	json_t *m;
	int rc = -1;

	if (uploads_the_file(r) == NULL)
		return 0;
	buf_puts(&b, body ? body : "");
	for (const struct http_file *f = r->files; f; f = f->next) {
		if (strcmp(f->field, "file") != 0)
			continue;
		if (uploads_store(r, f, &m) != 0)
			goto out;
		/* Its own paragraph, after what was typed. */
		while (b.len > 0 && strchr(" \t\r\n", b.data[b.len - 1]))
			b.data[--b.len] = '\0';
		buf_puts(&b, b.len ? "\n\n" : "");
		buf_puts(&b, json_string_value(json_object_get(m, "markdown")));
		json_decref(m);
	}
	json_object_set_new(r->input, "body", json_string(b.data));
	rc = 0;
out:
	buf_free(&b);
	return rc;
}

/* "{64 hex}.{ext}" split into the hash and the extension; false when malformed. */
static bool
uploads_parse_name(struct req *r, const char *file, const char **ret_hash, const char **ret_ext)
{
	const char *dot = file ? strchr(file, '.') : NULL;

	if (dot == NULL || dot - file != UPLOADS_HASH_HEX || strlen(dot + 1) < 2 || strlen(dot + 1) > 5)
		return false;
	for (const char *p = file; *p; p++)
		if (p != dot && !((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z')))
			return false;
	for (const char *p = file; p < dot; p++)
		if (*p > 'f')
			return false;
	*ret_hash = arena_strndup(r->c.arena, file, UPLOADS_HASH_HEX);
	*ret_ext = dot + 1;
	return true;
}

/* The bytea column as libpq gives it ("\x" and hex) into r->out. */
static int
uploads_bytes_out(struct req *r, const char *hex)
{
	size_t n = hex ? strlen(hex) : 0, bin;

	if (n < 2 || hex[0] != '\\' || hex[1] != 'x')
		return -1;
	buf_grow(&r->out, (n - 2) / 2 + 1);
	if (sodium_hex2bin((unsigned char *)r->out.data, (n - 2) / 2 + 1, hex + 2, n - 2, NULL, &bin, NULL) != 0)
		return -1;
	r->out.len = bin;
	r->out.data[bin] = '\0';
	return 0;
}

/* GET /uploads/{hash}.{ext}: images as themselves, every other file as an attachment;
 * either way under a sandbox CSP and nosniff, so nothing served here can run. */
static enum herr
uploads_serve(struct req *r)
{
	struct viewer *v = auth_viewer(r);
	const char *hash, *ext;
	bool image, pub;
	PGresult *res;

	if (!uploads_parse_name(r, http_param(r, "file"), &hash, &ext))
		return http_fail(r, HERR_NOT_FOUND, NULL, NULL);
	res = db_q(&r->c, STMT_UPLOAD_GET, hash, db_int(&r->c, v ? v->id : 0),
		   policy_is_moderator(v) ? "true" : "false");
	if (res == NULL)
		return r->c.err;
	/* Not there, or only linked from posts this viewer may not see: the same 404. */
	if (PQntuples(res) == 0 || strcmp(db_str(res, 0, 0), ext) != 0 || !db_bool(res, 0, 5))
		return http_fail(r, HERR_NOT_FOUND, NULL, "No such file, or it was removed.");
	if (uploads_bytes_out(r, db_str(res, 0, 3)) != 0)
		return http_fail(r, HERR_INTERNAL, NULL, NULL);
	image = strcmp(db_str(res, 0, 2), "image") == 0;
	pub = db_bool(res, 0, 4);
	r->content_type = arena_strdup(r->c.arena, db_str(res, 0, 1));
	r->csp = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox";
	r->etag = arena_printf(r->c.arena, "\"%s\"", hash);
	/* Content-addressed, so never changed; a day at most, so a removal reaches caches. */
	r->cache_control = pub ? "public, max-age=86400, immutable" : "private, no-cache";
	http_add_header(r, "Content-Disposition",
			arena_printf(r->c.arena, "%s; filename=\"%s.%s\"", image ? "inline" : "attachment", hash, ext));
	http_add_header(r, "Cross-Origin-Resource-Policy", "same-origin");
	return HERR_OK;
}

const struct route uploads_routes[] = {
	{ "POST", "/api/v1/uploads", uploads_create, .flags = ROUTE_UPLOAD },
	{ "GET", "/uploads/{file}", uploads_serve },
};
const size_t uploads_routes_n = ROUTES_N(uploads_routes);
