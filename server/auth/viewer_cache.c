/* auth/viewer_cache.c — a session's viewer kept in the page cache: packed as one entry's
 * body, unpacked into the request's arena. */
#include "auth/viewer_cache.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/buf.h"
#include "http/cache.h"

enum { VC_USERNAME, VC_DISPLAY_NAME, VC_ROLE_NAME, VC_COMMUNITY_ROLE, VC_COMMUNITY_LABEL,
       VC_COMMUNITY_KIND, VC_CSRF, VC_NSTR };

/* The entry's body: this head, then the VC_NSTR strings each ended by a NUL. */
struct vc_head {
	int64_t id;
	int64_t kept_at_ms;            /* CLOCK_MONOTONIC */
	int32_t approved_posts, unread;
	uint16_t null_strings;         /* bit i: string i is NULL */
	uint8_t role_verified, suspended, email_verified;
};

int64_t
auth_reader_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool
auth_reader_keep(void)
{
	return auth_config()->reader_keep_s > 0;
}

bool
auth_reader_kept_too_long(int64_t kept_at_ms)
{
	return auth_reader_now_ms() - kept_at_ms > (int64_t)auth_config()->reader_keep_s * 1000;
}

static const char *
vc_key(struct req *r, const char *hash)
{
	return arena_printf(r->c.arena, "viewer\x1f%s", hash);
}

struct viewer *
auth_viewer_cache_get(struct req *r, const char *hash)
{
	struct cache_entry *e = cache_lookup(vc_key(r, hash));
	struct vc_head head;
	struct viewer *v = NULL;
	const char *body, *s, *end, *str[VC_NSTR];
	size_t len;

	if (e == NULL)
		return NULL;
	body = cache_body(e, &len);
	if (len < sizeof head)
		goto done;
	memcpy(&head, body, sizeof head);
	if (auth_reader_kept_too_long(head.kept_at_ms))
		goto done;
	s = body + sizeof head;
	end = body + len;
	for (int i = 0; i < VC_NSTR; i++) {
		size_t n = strnlen(s, (size_t)(end - s));

		if (s + n >= end)
			goto done;   /* not ours: every string ends inside the body */
		str[i] = head.null_strings & (1u << i) ? NULL : arena_strdup(r->c.arena, s);
		s += n + 1;
	}
	v = arena_calloc(r->c.arena, 1, sizeof *v);
	v->id = head.id;
	v->username = str[VC_USERNAME];
	v->display_name = str[VC_DISPLAY_NAME];
	v->role_name = str[VC_ROLE_NAME];
	v->role = (enum auth_role)auth_role_parse(v->role_name);
	v->community_role = str[VC_COMMUNITY_ROLE];
	v->community_label = str[VC_COMMUNITY_LABEL];
	v->community_kind = str[VC_COMMUNITY_KIND];
	v->csrf = str[VC_CSRF];
	v->role_verified = head.role_verified;
	v->suspended = head.suspended;
	v->email_verified = head.email_verified;
	v->approved_posts = head.approved_posts;
	v->unread = head.unread;
done:
	cache_release(e);
	return v;
}

void
auth_viewer_cache_put(struct req *r, const char *hash, const struct viewer *v, unsigned long notices_before)
{
	const char *str[VC_NSTR] = {
		[VC_USERNAME] = v->username, [VC_DISPLAY_NAME] = v->display_name, [VC_ROLE_NAME] = v->role_name,
		[VC_COMMUNITY_ROLE] = v->community_role, [VC_COMMUNITY_LABEL] = v->community_label,
		[VC_COMMUNITY_KIND] = v->community_kind, [VC_CSRF] = v->csrf,
	};
	struct vc_head head = {
		.id = v->id, .kept_at_ms = auth_reader_now_ms(), .approved_posts = v->approved_posts, .unread = v->unread,
		.role_verified = v->role_verified, .suspended = v->suspended, .email_verified = v->email_verified,
	};
	struct cache_stamp stamp;
	struct buf b = BUF_INIT;
	uint32_t global = cache_global();
	char tag[32];

	/* The stamp after the answer (its tag names the account it gave), then the check that
	 * no notice began in between: see cache_notices(). */
	snprintf(tag, sizeof tag, "u:%lld", (long long)v->id);
	stamp = cache_stamp(tag);
	if (cache_notices() != notices_before)
		return;
	for (int i = 0; i < VC_NSTR; i++)
		if (str[i] == NULL)
			head.null_strings |= (uint16_t)(1u << i);
	buf_append(&b, &head, sizeof head);
	for (int i = 0; i < VC_NSTR; i++)
		buf_append(&b, str[i] ? str[i] : "", strlen(str[i] ? str[i] : "") + 1);
	cache_put(vc_key(r, hash), "application/octet-stream", 200, b.data, b.len, "", &stamp, 1, global);
	buf_free(&b);
}
