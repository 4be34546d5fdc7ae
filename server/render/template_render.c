/* render/template_render.c — renders a compiled template (template.c) against a stack
 * of jansson values, into a buffer, or with holes for per-viewer values (tmpl_render_holes;
 * template_fill.c fills them). A render pushes at most 64 section frames and 32 nested
 * partials (-1 beyond) and never allocates: its stacks are fixed arrays and its name
 * bindings per-thread tables. */
#include "render/template_internal.h"

#include <stdio.h>

#include "render/humanize.h"

/* Render state for one tmpl_render() call; lives on the caller's stack. */
struct tmpl_bind;
struct tmpl_rs {
	const struct tmpl_set *set;
	json_t *const *base;         /* the caller's context, never written */
	size_t nbase;
	json_t *frames[TMPL_MAX_FRAMES];
	uint32_t undo_at[TMPL_MAX_FRAMES];   /* tmpl_undo's length before frames[i] was bound */
	bool unbound_at[TMPL_MAX_FRAMES];    /* frames[i] could not be bound */
	size_t nframes;
	uint32_t nundo;
	int unbound;                 /* frames on the stack that could not be bound */
	bool bound;                  /* names are read from tmpl_cur, not by walking the stack */
	bool fast;                   /* bound and unbound == 0: a name is tmpl_cur[its id] */
	json_t **cur;                /* tmpl_cur and tmpl_undo of this thread: TLS addresses */
	struct tmpl_bind *undo;      /* are a call each in a -fPIC library, so taken once */
	struct tmpl_kept *kept;      /* tmpl_kept and its pairs, likewise */
	struct tmpl_bind *kept_pairs;
	struct tmpl_path_memo *paths; /* tmpl_paths, likewise */
	struct tmpl_int_text *ints;  /* tmpl_ints, likewise */
	uint64_t epoch;              /* this render's stamp in tmpl_kept */
	uint32_t nkept, nkept_pairs;
	int npartials;
	struct buf *out;
	struct tmpl_segs *segs;      /* tmpl_render_holes: where holes go; else NULL */
};

/* Names are bound as frames are pushed (shallow binding): tmpl_cur[n] is what name number
 * n means at this point of the render — the member of the topmost frame that has it —
 * and tmpl_undo what the pushes hid, given back when they are popped. A lookup is then
 * one load. Walking the stack instead (a page renders its post partial for every post,
 * and each name not in the post — page.csrf, thread.id… — was looked up again in every
 * frame below it, one jansson hash per frame, then per post through a memo) was a fifth
 * of an uncached thread page (callgrind, docs/performance.md). Pushing an object costs
 * one walk over its members, each key hashed once against the set's names. Per thread
 * (renders run on many threads at once) and of fixed size, so rendering never allocates:
 * a set with more names, or a frame with more members than fit, makes the render walk
 * the stack as before. */
#define TMPL_NAMES_MAX 4096
#define TMPL_UNDO 4096   /* bindings on the stack at once: a thread page needs a few hundred */
struct tmpl_bind {
	uint32_t id;
	json_t *old;
};
static _Thread_local json_t *tmpl_cur[TMPL_NAMES_MAX];
static _Thread_local struct tmpl_bind tmpl_undo[TMPL_UNDO];

/* A small object's bindings, kept for the render: the same object is often pushed again
 * (a page's posts share one list of zero reactions, three objects pushed under every
 * post), and copying its (name, value) pairs skips the walk over its members. */
#define TMPL_KEPT_OBJS 1024      /* power of two; at most 3/4 used */
#define TMPL_KEPT_PAIRS 2048
#define TMPL_KEPT_NONE UINT32_MAX  /* n of an object pushed once so far: no pairs kept */
struct tmpl_kept {
	const json_t *obj;
	uint64_t epoch;
	uint32_t off, n;             /* pairs [off, off + n) of tmpl_kept_pairs */
};
static _Thread_local struct tmpl_kept tmpl_kept[TMPL_KEPT_OBJS];
static _Thread_local struct tmpl_bind tmpl_kept_pairs[TMPL_KEPT_PAIRS];   /* old: the value */
static _Thread_local uint64_t tmpl_epoch;

/* What a dotted name ("page.csrf", "thread.id", "author.anonymous") found inside the
 * object its first part found, for the render, by (name, object), direct-mapped: the post
 * partial asks for the same few in every post, from the same page and thread objects and
 * from authors shared by many posts, and each later part was a json_object_get
 * (callgrind: 5,000 a signed-in page). The model does not change during a render, so the
 * same first object gives the same value. */
#define TMPL_PATHS_MAX 1024      /* power of two */
struct tmpl_path_memo {
	const json_t *from;
	json_t *v;
	uint64_t epoch;
	uint32_t path;
};
static _Thread_local struct tmpl_path_memo tmpl_paths[TMPL_PATHS_MAX];

/* Integers' decimal text, by value: a page writes each post's id a dozen times (its
 * anchor, its forms and links), and a signed-in thread page wrote 940 integers at ~70
 * instructions each (callgrind). Kept per thread across renders: the text of a value
 * never changes. s[23] is the length; 0 is an empty entry (every text has a digit). */
#define TMPL_HINT_MAX (256 * 1024)   /* the most room a render makes first (struct tmpl) */
#define TMPL_INTS 64
struct tmpl_int_text {
	long long v;
	char s[24];
};
static _Thread_local struct tmpl_int_text tmpl_ints[TMPL_INTS];

/* ---- rendering: reads the set and the context, writes only rs and rs->out ---- */

static json_t *
tmpl_frame(const struct tmpl_rs *rs, size_t i)
{
	return i < rs->nframes ? rs->frames[rs->nframes - 1 - i]
			       : rs->base[rs->nbase - 1 - (i - rs->nframes)];
}

/* Bind name id to val, remembering what it hid. */
static void
tmpl_bind1(struct tmpl_rs *rs, uint32_t id, json_t *val)
{
	rs->undo[rs->nundo++] = (struct tmpl_bind){ .id = id, .old = rs->cur[id] };
	rs->cur[id] = val;
}

/* Give back what the bindings above mark hid. Through locals: with rs's fields the loop
 * read them again at every step, as a store to cur might change them (callgrind: 18
 * instructions a binding, a post has ~25). */
static void
tmpl_unbind_to(struct tmpl_rs *rs, uint32_t mark)
{
	json_t **cur = rs->cur;
	const struct tmpl_bind *u = rs->undo;
	uint32_t n = rs->nundo;

	while (n > mark) {
		n--;
		cur[u[n].id] = u[n].old;
	}
	rs->nundo = n;
}

/* obj's slot in tmpl_kept: its entry when kept in this render, else the free slot where it
 * would go. */
static struct tmpl_kept *
tmpl_kept_slot(const struct tmpl_rs *rs, const json_t *obj)
{
	uint32_t i = (uint32_t)((((uintptr_t)obj >> 4) * UINT64_C(0x9E3779B97F4A7C15)) >> 40);
	struct tmpl_kept *k;

	for (i &= TMPL_KEPT_OBJS - 1; (k = &rs->kept[i])->epoch == rs->epoch && k->obj != obj;
	     i = (i + 1) & (TMPL_KEPT_OBJS - 1))
		;
	return k;
}

/* Bind obj's members that are names of the set, on top of what was bound. False (and
 * nothing bound) when they do not fit in tmpl_undo. An object's first push is walked and
 * noted; its second is walked and its pairs kept; later ones copy the pairs. */
static bool
tmpl_bind_obj(struct tmpl_rs *rs, json_t *obj)
{
	uint32_t mark = rs->nundo, id, first = rs->nkept_pairs;
	struct tmpl_kept *k = tmpl_kept_slot(rs, obj);
	bool again = k->epoch == rs->epoch;

	if (again && k->n != TMPL_KEPT_NONE) {
		if (k->n > TMPL_UNDO - rs->nundo)
			return false;
		json_t **cur = rs->cur;
		struct tmpl_bind *u = rs->undo + rs->nundo;
		const struct tmpl_bind *p = rs->kept_pairs + k->off;

		for (uint32_t i = 0; i < k->n; i++) {
			u[i] = (struct tmpl_bind){ .id = p[i].id, .old = cur[p[i].id] };
			cur[p[i].id] = p[i].old;
		}
		rs->nundo += k->n;
		return true;
	}
	for (void *it = json_object_iter(obj); it != NULL; it = json_object_iter_next(obj, it)) {
		const char *key = json_object_iter_key(it);
		size_t klen = json_object_iter_key_len(it);
		json_t *val;

		struct tmpl_keyw w = tmpl_key_words(key, klen);

		if ((id = tmpl_name_find(rs->set, key, klen, w, tmpl_key_hash(w, klen))) == UINT32_MAX)
			continue;
		if (rs->nundo == TMPL_UNDO) {
			tmpl_unbind_to(rs, mark);
			rs->nkept_pairs = first;
			return false;
		}
		val = json_object_iter_value(it);
		tmpl_bind1(rs, id, val);
		if (again && rs->nkept_pairs < TMPL_KEPT_PAIRS)
			rs->kept_pairs[rs->nkept_pairs++] = (struct tmpl_bind){ .id = id, .old = val };
		else
			again = false;   /* no room: walked each time */
	}
	if (k->epoch == rs->epoch && again) {
		k->off = first;
		k->n = rs->nkept_pairs - first;
	} else if (k->epoch == rs->epoch) {
		rs->nkept_pairs = first;
	} else if (rs->nkept < TMPL_KEPT_OBJS / 4 * 3) {
		*k = (struct tmpl_kept){ .obj = obj, .epoch = rs->epoch, .n = TMPL_KEPT_NONE };
		rs->nkept++;
	}
	return true;
}

static void
tmpl_push(struct tmpl_rs *rs, json_t *v)
{
	size_t f = rs->nframes++;

	rs->frames[f] = v;
	rs->undo_at[f] = rs->nundo;
	rs->unbound_at[f] = false;
	if (rs->bound && json_is_object(v) && !tmpl_bind_obj(rs, v)) {
		rs->unbound_at[f] = true;
		rs->unbound++;
		rs->fast = false;
	}
}

static void
tmpl_pop(struct tmpl_rs *rs)
{
	size_t f = --rs->nframes;

	tmpl_unbind_to(rs, rs->undo_at[f]);
	if (rs->unbound_at[f] && --rs->unbound == 0)
		rs->fast = rs->bound;
}

/* Bind the caller's context, bottom up; false leaves the render walking the stack. */
static bool
tmpl_bind_base(struct tmpl_rs *rs)
{
	const struct tmpl_set *set = rs->set;

	if (set == NULL || set->name_tab == NULL || set->nnames > TMPL_NAMES_MAX)
		return false;
	memset(rs->cur, 0, set->nnames * sizeof rs->cur[0]);
	rs->nundo = 0;
	for (size_t i = 0; i < rs->nbase; i++)
		if (json_is_object(rs->base[i]) && !tmpl_bind_obj(rs, rs->base[i]))
			return false;
	return true;
}

/* The later parts of op's name inside v, what its first part found. */
static json_t *
tmpl_lookup_rest(struct tmpl_rs *rs, const struct tmpl_op *op, json_t *v)
{
	const char *part = op->ikey;
	struct tmpl_path_memo *m = NULL;
	const json_t *from = v;

	if (op->path != TMPL_NO_PATH && v != NULL) {
		uint64_t h = ((uintptr_t)v >> 4) * UINT64_C(0x9E3779B97F4A7C15) + op->path * UINT64_C(0xFF51AFD7ED558CCD);

		m = &rs->paths[(h >> 40) & (TMPL_PATHS_MAX - 1)];
		if (m->epoch == rs->epoch && m->from == v && m->path == op->path)
			return m->v;
	}
	for (size_t i = 1; i < op->nparts && v != NULL; i++) {
		part += strlen(part) + 1;
		v = json_is_object(v) ? json_object_get(v, part) : NULL;
	}
	if (m != NULL)
		*m = (struct tmpl_path_memo){ .from = from, .v = v, .epoch = rs->epoch, .path = op->path };
	return v;
}

/* The first part through the stack, top down; the other parts inside what it found. A
 * missing later part does not resume the stack search (Mustache rule). */
static json_t *
tmpl_lookup_slow(struct tmpl_rs *rs, const struct tmpl_op *op)
{
	size_t i, n = rs->nframes + rs->nbase;
	json_t *v = NULL, *f;

	if (op->nparts == 0)
		return n > 0 ? tmpl_frame(rs, 0) : NULL;
	if (rs->fast && op->ids != NULL) {
		v = rs->cur[op->ids[0]];
	} else {
		for (i = 0; i < n && v == NULL; i++)
			if (json_is_object(f = tmpl_frame(rs, i)))
				v = json_object_get(f, op->ikey);
	}
	return op->nparts > 1 ? tmpl_lookup_rest(rs, op, v) : v;
}

/* A lookup is mostly one name of one part with the names bound: one load, inline (the
 * call alone was a third of the lookups' instructions). */
static inline json_t *
tmpl_lookup(struct tmpl_rs *rs, const struct tmpl_op *op)
{
	if (rs->fast && op->id1 != UINT32_MAX)
		return rs->cur[op->id1];
	return tmpl_lookup_slow(rs, op);
}

/* Mustache's falsy values, by the value's type once. */
static inline bool
tmpl_falsy(const json_t *v)
{
	if (v == NULL)
		return true;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
	case JSON_TRUE:
		return false;
	case JSON_ARRAY:
		return json_array_size(v) == 0;
	case JSON_STRING:
		return json_string_length(v) == 0;
	case JSON_INTEGER:
		return json_integer_value(v) == 0;
	case JSON_REAL:
		return json_real_value(v) == 0.0;
	case JSON_FALSE:
	case JSON_NULL:
		break;
	}
	return true;
}

static void
tmpl_put_int(struct tmpl_rs *rs, long long v)
{
	struct tmpl_int_text *e = &rs->ints[(unsigned long long)v % TMPL_INTS];
	struct buf *b = rs->out;

	if (e->s[23] == 0 || e->v != v) {
		e->v = v;
		e->s[23] = (char)buf_i64_text(e->s, v);
	}
	if (b->cap - b->len <= sizeof e->s)
		buf_grow(b, sizeof e->s);
	memcpy(b->data + b->len, e->s, sizeof e->s);   /* one fixed move; the room is there */
	b->len += (size_t)e->s[23];
}

static void
tmpl_put_value(struct tmpl_rs *rs, const json_t *v, bool raw)
{
	struct buf *out = rs->out;

	/* Numbers and "true" hold nothing to escape. */
	if (json_is_string(v) && raw)
		buf_append(out, json_string_value(v), json_string_length(v));
	else if (json_is_string(v))
		buf_html_escape(out, json_string_value(v), json_string_length(v));
	else if (json_is_integer(v))
		tmpl_put_int(rs, json_integer_value(v));
	else if (json_is_real(v))
		buf_printf(out, "%.15g", json_real_value(v));
	else if (json_is_true(v))
		buf_append(out, "true", 4);
}

/* "x_h" found nothing: the readable form of x when it is a time, else nothing — what
 * a twin "x_h" beside x in the model held, without a walk of every HTML model that added one
 * to every time (0.13 M instructions of an uncached thread page). */
static void
tmpl_put_time(struct buf *out, const json_t *v)
{
	char h[32];

	if (json_is_string(v) && json_string_length(v) == 20 && humanize_time(json_string_value(v), 20, h))
		buf_html_escape(out, h, strlen(h));
}

/* A text op's run: a page has thousands, mostly a few bytes between two tags. Runs up to
 * TMPL_TEXT_PAD bytes are one fixed move of that many (the source is padded, and room is
 * made for it), inline: buf_append's call, its length cases and its NUL were a fifth of
 * the render (callgrind). The NUL is written once, at the end of the render. */
static inline void
tmpl_put_text(struct buf *b, const char *p, size_t n)
{
	char *d;

	if (b->cap - b->len <= n + TMPL_TEXT_PAD)
		buf_grow(b, n + TMPL_TEXT_PAD);
	d = b->data + b->len;
	if (n <= TMPL_TEXT_PAD) {
		_Static_assert(TMPL_TEXT_PAD == 32, "two 16-byte moves");
		memcpy(d, p, 16);
		memcpy(d + 16, p + 16, 16);
	} else {
		memcpy(d, p, n);
	}
	b->len += n;
}

static int tmpl_render_ops(struct tmpl_rs *rs, const struct tmpl *t, size_t i, size_t end);
static int tmpl_render_with(struct tmpl_rs *rs, const struct tmpl *t, size_t i, json_t *v);

/* In a render with holes, v's hole number when v is a hole. */
static bool
tmpl_hole(const struct tmpl_rs *rs, const json_t *v, uint32_t *ret)
{
	json_t *n;

	if (rs->segs == NULL || !json_is_object(v) || (n = json_object_get(v, TMPL_HOLE_KEY)) == NULL ||
	    !json_is_integer(n))
		return false;
	*ret = (uint32_t)json_integer_value(n);
	return true;
}

static void
tmpl_seg_add(struct tmpl_rs *rs, uint32_t hole, enum tmpl_seg_kind kind)
{
	tmpl_segs_push(rs->segs, rs->out->len, hole, kind);
}

/* A section or inverted section over a hole: its body once, between begin and end. */
static int
tmpl_render_hole_section(struct tmpl_rs *rs, const struct tmpl *t, size_t i, json_t *v, uint32_t hole)
{
	int rc;

	tmpl_seg_add(rs, hole, t->ops[i].kind == TMPL_SECTION ? TMPL_SEG_IF : TMPL_SEG_UNLESS);
	rc = tmpl_render_with(rs, t, i, v);
	tmpl_seg_add(rs, hole, TMPL_SEG_END);
	return rc;
}

/* The body of section ops[i] once with v on top of the stack. */
static int
tmpl_render_with(struct tmpl_rs *rs, const struct tmpl *t, size_t i, json_t *v)
{
	int rc;

	if (rs->nframes == TMPL_MAX_FRAMES)
		return -1;
	tmpl_push(rs, v);
	rc = tmpl_render_ops(rs, t, i + 1, t->ops[i].end);
	tmpl_pop(rs);
	return rc;
}

static int
tmpl_render_section(struct tmpl_rs *rs, const struct tmpl *t, size_t i)
{
	json_t *v = tmpl_lookup(rs, &t->ops[i]);
	uint32_t hole;
	size_t k;

	if (tmpl_hole(rs, v, &hole))
		return tmpl_render_hole_section(rs, t, i, v, hole);
	if (tmpl_falsy(v))
		return 0;
	if (!json_is_array(v))
		return tmpl_render_with(rs, t, i, v);
	for (k = 0; k < json_array_size(v); k++)
		if (tmpl_render_with(rs, t, i, json_array_get(v, k)) != 0)
			return -1;
	return 0;
}

static int
tmpl_render_ops(struct tmpl_rs *rs, const struct tmpl *t, size_t i, size_t end)
{
	const struct tmpl_op *op;
	uint32_t hole;
	json_t *v;

	while (i < end) {
		op = &t->ops[i];
		switch (op->kind) {
		case TMPL_TEXT:
			tmpl_put_text(rs->out, t->src + op->off, op->len);
			break;
		case TMPL_VAR:
		case TMPL_RAW:
			v = tmpl_lookup(rs, op);
			if (v == NULL && op->twin != NULL)
				tmpl_put_time(rs->out, tmpl_lookup(rs, op->twin));
			else if (tmpl_hole(rs, v, &hole))
				tmpl_seg_add(rs, hole, op->kind == TMPL_RAW ? TMPL_SEG_RAW : TMPL_SEG_VALUE);
			else
				tmpl_put_value(rs, v, op->kind == TMPL_RAW);
			if (op->tail_len > 0) {
				tmpl_put_text(rs->out, t->src + op->tail_off, op->tail_len);
				i += 2;   /* the text op after it, written */
				continue;
			}
			break;
		case TMPL_SECTION:
			if (tmpl_render_section(rs, t, i) != 0)
				return -1;
			i = op->end;
			if (op->tail_len > 0) {
				tmpl_put_text(rs->out, t->src + op->tail_off, op->tail_len);
				i++;   /* the text op at its end, written */
			}
			continue;
		case TMPL_INVERTED:
			v = tmpl_lookup(rs, op);
			if (tmpl_hole(rs, v, &hole)) {
				if (tmpl_render_hole_section(rs, t, i, v, hole) != 0)
					return -1;
			} else if (tmpl_falsy(v) && tmpl_render_ops(rs, t, i + 1, op->end) != 0) {
				return -1;
			}
			i = op->end;
			if (op->tail_len > 0) {
				tmpl_put_text(rs->out, t->src + op->tail_off, op->tail_len);
				i++;
			}
			continue;
		case TMPL_PARTIAL:
			/* Unresolved means finalize was skipped: fail rather than guess. */
			if (op->partial == NULL || rs->npartials == TMPL_MAX_PARTIALS)
				return -1;
			rs->npartials++;
			if (tmpl_render_ops(rs, op->partial, 0, op->partial->nops) != 0)
				return -1;
			rs->npartials--;
			break;
		case TMPL_CLOSE:
		case TMPL_COMMENT:
			break;
		}
		i++;
	}
	return 0;
}

int
tmpl_render_holes(const struct tmpl *t, json_t *const *ctx, size_t depth, struct buf *out,
		  struct tmpl_segs *segs)
{
	struct tmpl_rs rs;
	size_t start;
	int rc;

	if (t == NULL)
		return -1;
	rs.set = t->set;
	rs.base = ctx;
	rs.nbase = ctx != NULL ? depth : 0;
	rs.nframes = rs.npartials = 0;
	rs.out = out;
	rs.segs = segs;
	rs.unbound = 0;
	rs.bound = rs.fast = false;
	rs.cur = tmpl_cur;
	rs.undo = tmpl_undo;
	rs.kept = tmpl_kept;
	rs.kept_pairs = tmpl_kept_pairs;
	rs.paths = tmpl_paths;
	rs.ints = tmpl_ints;
	rs.epoch = ++tmpl_epoch;
	rs.nkept = rs.nkept_pairs = 0;
	rs.bound = tmpl_bind_base(&rs);
	rs.fast = rs.bound;
	start = out->len;
	buf_grow(out, __atomic_load_n(&t->out_hint, __ATOMIC_RELAXED));   /* an empty page is still a string */
	rc = tmpl_render_ops(&rs, t, 0, t->nops);
	out->data[out->len] = '\0';   /* text runs leave it out */
	if (rc == 0) {
		size_t n = out->len - start;

		__atomic_store_n(&((struct tmpl *)t)->out_hint, n < TMPL_HINT_MAX ? n + n / 8 : TMPL_HINT_MAX,
				 __ATOMIC_RELAXED);
	}
	return rc;
}

int
tmpl_render(const struct tmpl *t, json_t *const *ctx, size_t depth, struct buf *out)
{
	return tmpl_render_holes(t, ctx, depth, out, NULL);
}
