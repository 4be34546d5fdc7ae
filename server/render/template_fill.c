/* render/template_fill.c — a page rendered with holes (tmpl_render_holes), filled: per
 * viewer (tmpl_fill), or some holes now and the rest later (tmpl_fill_some). Works on the
 * page's bytes and segments only, never on templates or models. */
#include "render/template.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"

void
tmpl_segs_push(struct tmpl_segs *s, size_t off, uint32_t hole, enum tmpl_seg_kind kind)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->v = core_realloc_array(s->v, s->cap, sizeof *s->v);
	}
	s->v[s->n++] = (struct tmpl_seg){ .off = (uint32_t)off, .hole = hole, .kind = (uint8_t)kind };
}

static bool
tmpl_value_truthy(const struct tmpl_value *v)
{
	switch (v->type) {
	case TMPL_V_BOOL:
		return v->b;
	case TMPL_V_INT:
		return v->i != 0;
	case TMPL_V_STR:
		return v->s != NULL && v->s[0] != '\0';
	case TMPL_V_NONE:
	case TMPL_V_KEEP:
		break;
	}
	return false;
}

static void
tmpl_value_put(struct buf *out, const struct tmpl_value *v, bool raw)
{
	if (v->type == TMPL_V_STR && v->s != NULL && (raw || v->plain))
		buf_puts(out, v->s);
	else if (v->type == TMPL_V_STR && v->s != NULL)
		buf_html_escape(out, v->s, strlen(v->s));
	else if (v->type == TMPL_V_INT)
		buf_put_i64(out, v->i);
	else if (v->type == TMPL_V_BOOL && v->b)
		buf_append(out, "true", 4);
}

/* The copy's text between two holes, into room tmpl_fill made: a page has a thousand such
 * stretches, and buf_append's call, check and NUL each time were a sixth of a fill. */
static inline void
tmpl_fill_copy(struct buf *out, const char *p, size_t n)
{
	if (n == 0)
		return;
	if (out->len + n + 1 > out->cap)
		buf_grow(out, n);
	memcpy(out->data + out->len, p, n);
	out->len += n;
}

/* The index of the END matching the begin segs[i], or n. */
static size_t
tmpl_seg_end(const struct tmpl_seg *segs, size_t n, size_t i)
{
	size_t depth = 0;

	for (; i < n; i++) {
		if (segs[i].kind == TMPL_SEG_IF || segs[i].kind == TMPL_SEG_UNLESS)
			depth++;
		else if (segs[i].kind == TMPL_SEG_END && --depth == 0)
			return i;
	}
	return n;
}

int
tmpl_fill(const char *body, size_t len, const struct tmpl_seg *segs, size_t nsegs, tmpl_hole_fn *fn,
	  void *arg, struct buf *out)
{
	struct tmpl_value v;
	size_t at = 0, i = 0;

	/* Room for the page and its values at once: growing a 200 KB page by doubling cost
	 * more than filling it (callgrind). */
	buf_grow(out, len + len / 8 + 256);
	while (i < nsegs) {
		const struct tmpl_seg *s = &segs[i];

		if (s->off < at || s->off > len)
			return -1;
		tmpl_fill_copy(out, body + at, s->off - at);
		at = s->off;
		if (s->kind == TMPL_SEG_END) {
			i++;
			continue;
		}
		v = (struct tmpl_value){ .type = TMPL_V_NONE };
		fn(arg, s->hole, &v);
		if (s->kind == TMPL_SEG_VALUE || s->kind == TMPL_SEG_RAW) {
			tmpl_value_put(out, &v, s->kind == TMPL_SEG_RAW);
			i++;
			continue;
		}
		if (tmpl_value_truthy(&v) == (s->kind == TMPL_SEG_IF)) {
			i++;   /* kept: go on inside */
			continue;
		}
		/* dropped: on after the matching end */
		if ((i = tmpl_seg_end(segs, nsegs, i)) == nsegs)
			return -1;
		at = segs[i].off;
		i++;
	}
	if (at > len)
		return -1;
	buf_append(out, body + at, len - at);   /* and the NUL the copies left out */
	return 0;
}

int
tmpl_fill_some(const char *body, size_t len, const struct tmpl_seg *segs, size_t nsegs, tmpl_hole_fn *fn,
	       void *arg, struct buf *out, struct tmpl_segs *out_segs)
{
	/* For each section open here: whether it stays a hole (its end is kept too). */
	bool *kept = core_realloc_array(NULL, nsegs + 1, sizeof *kept);
	size_t at = 0, i = 0, depth = 0;
	struct tmpl_value v;
	int rc = -1;

	buf_grow(out, len + 256);
	while (i < nsegs) {
		const struct tmpl_seg *s = &segs[i];

		if (s->off < at || s->off > len)
			goto done;
		tmpl_fill_copy(out, body + at, s->off - at);
		at = s->off;
		i++;
		if (s->kind == TMPL_SEG_END) {
			if (depth == 0)
				goto done;
			if (kept[--depth])
				tmpl_segs_push(out_segs, out->len, s->hole, TMPL_SEG_END);
			continue;
		}
		v = (struct tmpl_value){ .type = TMPL_V_NONE };
		fn(arg, s->hole, &v);
		if (v.type == TMPL_V_KEEP) {
			tmpl_segs_push(out_segs, out->len, s->hole, (enum tmpl_seg_kind)s->kind);
			if (s->kind == TMPL_SEG_IF || s->kind == TMPL_SEG_UNLESS)
				kept[depth++] = true;
		} else if (s->kind == TMPL_SEG_VALUE || s->kind == TMPL_SEG_RAW) {
			tmpl_value_put(out, &v, s->kind == TMPL_SEG_RAW);
		} else if (tmpl_value_truthy(&v) == (s->kind == TMPL_SEG_IF)) {
			kept[depth++] = false;   /* kept: on inside, its end dropped */
		} else {
			/* dropped, with every hole inside: on after the matching end */
			if ((i = tmpl_seg_end(segs, nsegs, i - 1)) == nsegs)
				goto done;
			at = segs[i].off;
			i++;
		}
	}
	if (at > len || depth != 0)
		goto done;
	buf_append(out, body + at, len - at);
	rc = 0;
done:
	free(kept);
	return rc;
}
