/* render/template.c — compiles Mustache-subset templates into flat op arrays and renders
 * them against a stack of jansson values. A compiled set is read-only after finalize, so
 * any number of threads may render from it at once. Beyond template.h: sections nest at
 * most 64 deep in one template (compile error), a render pushes at most 64 section frames
 * (-1), and a standalone {{> partial}} line drops its indentation instead of re-indenting. */
#include "render/template.h"

#include "core/arena.h"
#include "render/humanize.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Sections open at once in one template: deeper nesting is a compile error, so a broken
 * template is caught at start-up rather than on some rare page. */
#define TMPL_MAX_NEST 64
/* Values pushed by sections during one render, across partials. The stack is a fixed
 * array so rendering never allocates; going deeper fails the render with -1. */
#define TMPL_MAX_FRAMES 64
/* Nested {{> partial}} calls during one render (the header promises 32). */
#define TMPL_MAX_PARTIALS 32

#define TMPL_NONE SIZE_MAX

enum tmpl_kind {
	TMPL_TEXT,      /* src[off, off+len) copied as is */
	TMPL_VAR,       /* escaped value */
	TMPL_RAW,       /* unescaped value */
	TMPL_SECTION,   /* body is ops (i, end) */
	TMPL_INVERTED,  /* body is ops (i, end) */
	TMPL_PARTIAL,   /* render another template */
	TMPL_CLOSE, TMPL_COMMENT,   /* tags that never become ops */
};

struct tmpl_op {
	enum tmpl_kind kind;
	size_t off, len;    /* text run, or the tag's name as written (for messages) */
	char *key;          /* name split at dots into NUL-separated parts; partial: its name */
	size_t klen;        /* bytes of key, the separating NULs included */
	const char *ikey;   /* key, or an earlier op's equal key (tmpl_set_finalize) */
	uint32_t *ids;      /* nparts: each part's number in the set's names (finalize) */
	size_t nparts;      /* 0 means "." (top of the stack) */
	size_t end;         /* section/inverted: index of the op after the body */
	size_t line;        /* where the tag is, for messages */
	const struct tmpl *partial;  /* set by tmpl_set_finalize() */
	struct tmpl_op *twin;   /* value "x_h": the name "x", whose time it reads (finalize) */
};

struct tmpl {
	char *name;
	char *src;          /* private copy: text ops point into it */
	struct tmpl_op *ops;
	size_t nops, cap;
	const struct tmpl_set *set;
};

/* Every distinct part of a dotted name in the set, numbered (tmpl_set_finalize). */
struct tmpl_name {
	const char *s;
	uint32_t len, hash;
};

struct tmpl_set {
	struct tmpl **v;    /* pointers, so partial links survive growth of v */
	size_t n, cap;
	struct tmpl_name *names;
	uint32_t nnames;
	uint32_t *name_tab;         /* open addressing: a name's number + 1, 0 = empty */
	uint32_t name_mask;
};

/* Compiler state for one template. */
struct tmpl_cc {
	struct tmpl *t;
	const char *src;
	size_t len;
	size_t pos;                  /* first byte not yet compiled */
	size_t line, line_pos;       /* line number of src[line_pos] */
	size_t open[TMPL_MAX_NEST];  /* op indices of the sections still open */
	size_t nopen;
	char **ret_err;
};

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
	json_t **cur;                /* tmpl_cur and tmpl_undo of this thread: TLS addresses */
	struct tmpl_bind *undo;      /* are a call each in a -fPIC library, so taken once */
	struct tmpl_kept *kept;      /* tmpl_kept and its pairs, likewise */
	struct tmpl_bind *kept_pairs;
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

static char *
tmpl_strndup(const char *s, size_t n)
{
	char *p = core_realloc_array(NULL, n + 1, 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* Set *ret_err, when the caller wants it, to a malloc'd "name:line: what" (the header's
 * format; line 0 leaves the line out). Always -1. */
__attribute__((format(printf, 4, 5))) static int
tmpl_err(char **ret_err, const char *name, size_t line, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	if (ret_err == NULL)
		return -1;
	if (line > 0)
		buf_printf(&b, "%s:%zu: ", name, line);
	else
		buf_printf(&b, "%s: ", name);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	*ret_err = buf_detach(&b, NULL);
	return -1;
}

#define TMPL_FAIL(cc, line, ...) tmpl_err((cc)->ret_err, (cc)->t->name, (line), __VA_ARGS__)

/* Line number of src[off]. Tags are met in order, so counting only moves forward and the
 * whole compile stays linear. */
static size_t
tmpl_line_at(struct tmpl_cc *cc, size_t off)
{
	for (; cc->line_pos < off; cc->line_pos++)
		if (cc->src[cc->line_pos] == '\n')
			cc->line++;
	return cc->line;
}

/* First occurrence of pat[0..n) at or after from, or TMPL_NONE. The source may hold NUL
 * bytes, so no str* functions. */
static size_t
tmpl_find(const struct tmpl_cc *cc, size_t from, const char *pat, size_t n)
{
	const char *p;

	while (from < cc->len && cc->len - from >= n) {
		p = memchr(cc->src + from, pat[0], cc->len - from - n + 1);
		if (p == NULL)
			break;
		from = (size_t)(p - cc->src);
		if (memcmp(p, pat, n) == 0)
			return from;
		from++;
	}
	return TMPL_NONE;
}

static struct tmpl_op *
tmpl_push_op(struct tmpl *t, enum tmpl_kind kind, size_t line)
{
	struct tmpl_op *op;

	if (t->nops == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->ops = core_realloc_array(t->ops, t->cap, sizeof *t->ops);
	}
	op = &t->ops[t->nops++];
	*op = (struct tmpl_op){ .kind = kind, .line = line };
	return op;
}

static void
tmpl_emit_text(struct tmpl_cc *cc, size_t from, size_t to)
{
	struct tmpl_op *op;

	if (to > from) {
		op = tmpl_push_op(cc->t, TMPL_TEXT, 0);
		op->off = from;
		op->len = to - from;
	}
}

static bool
tmpl_is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.';
}

/* Check the name in src[a, b), store it in op and split it at dots once here so that
 * rendering only walks NUL-separated parts. Partial names are not split. */
static int
tmpl_parse_name(struct tmpl_cc *cc, struct tmpl_op *op, size_t a, size_t b)
{
	const char *s = cc->src;
	size_t i, n;

	while (a < b && isspace((unsigned char)s[a]))
		a++;
	while (b > a && isspace((unsigned char)s[b - 1]))
		b--;
	n = b - a;
	op->off = a;
	op->len = n;
	if (n == 0)
		return TMPL_FAIL(cc, op->line, "empty name in tag");
	for (i = a; i < b; i++)
		if (!tmpl_is_name_char(s[i]))
			return TMPL_FAIL(cc, op->line, "bad character in name '%.*s'",
					 (int)(n > 64 ? 64 : n), s + a);
	op->key = tmpl_strndup(s + a, n);
	op->klen = n;
	op->ikey = op->key;
	op->nparts = n == 1 && s[a] == '.' ? 0 : 1;   /* 0: the top of the stack */
	for (i = 0; i < n && op->nparts > 0 && op->kind != TMPL_PARTIAL; i++) {
		if (op->key[i] != '.')
			continue;
		/* The previous dot is already a NUL, so this also catches "a..b". */
		if (i == 0 || i == n - 1 || op->key[i - 1] == '\0')
			return TMPL_FAIL(cc, op->line, "empty part in dotted name '%.*s'",
					 (int)(n > 64 ? 64 : n), s + a);
		op->key[i] = '\0';
		op->nparts++;
	}
	return 0;
}

/* Is the tag src[open, tag_end) alone on its line with only blanks around it? If so the
 * line disappears: *ret_from is where its leading blanks start and *ret_next is just past
 * its newline (or the end of the source). */
static bool
tmpl_standalone(const struct tmpl_cc *cc, size_t open, size_t tag_end, size_t *ret_from,
		size_t *ret_next)
{
	const char *s = cc->src;
	size_t a = open, b = tag_end;

	/* Stopping at pos means an earlier tag on the same line makes this one inline. */
	while (a > cc->pos && (s[a - 1] == ' ' || s[a - 1] == '\t'))
		a--;
	if (a > 0 && s[a - 1] != '\n')
		return false;
	while (b < cc->len && (s[b] == ' ' || s[b] == '\t'))
		b++;
	if (b < cc->len && s[b] == '\n')
		b++;
	else if (b + 1 < cc->len && s[b] == '\r' && s[b + 1] == '\n')
		b += 2;
	else if (b != cc->len)
		return false;
	*ret_from = a;
	*ret_next = b;
	return true;
}

/* One tag as found in the source: kind, name in src[name, close), tag ends at end. */
struct tmpl_tag {
	enum tmpl_kind kind;
	size_t line, name, close, end;
};

/* Find the end of the tag opening at src[open] and what kind it is. */
static int
tmpl_scan_tag(struct tmpl_cc *cc, size_t open, struct tmpl_tag *tag)
{
	static const char sigils[] = "#^/!>&";
	static const enum tmpl_kind kinds[] = {
		TMPL_SECTION, TMPL_INVERTED, TMPL_CLOSE, TMPL_COMMENT, TMPL_PARTIAL, TMPL_RAW,
	};
	size_t p = open + 2, n = 2;
	const char *sig;

	*tag = (struct tmpl_tag){ .kind = TMPL_VAR };
	tag->line = tmpl_line_at(cc, open);
	if (p < cc->len && cc->src[p] == '{') {
		tag->kind = TMPL_RAW;
		n = 3;
		p++;
	} else if (p < cc->len && cc->src[p] != '\0' &&
		   (sig = strchr(sigils, cc->src[p])) != NULL) {
		tag->kind = kinds[sig - sigils];
		p++;
	}
	tag->name = p;
	tag->close = tmpl_find(cc, p, "}}}", n);   /* "}}" unless the tag opened with "{{{" */
	if (tag->close == TMPL_NONE)
		return TMPL_FAIL(cc, tag->line, "unclosed tag");
	tag->end = tag->close + n;
	return 0;
}

/* A {{/name}}: it must close the innermost open section, by the same name. */
static int
tmpl_close_section(struct tmpl_cc *cc, size_t line, size_t a, size_t b)
{
	struct tmpl_op tmp = { .kind = TMPL_CLOSE, .line = line };
	const struct tmpl_op *op;
	int rc = -1;

	if (tmpl_parse_name(cc, &tmp, a, b) != 0)
		goto out;
	if (cc->nopen == 0) {
		TMPL_FAIL(cc, line, "'{{/%.*s}}' closes no section", (int)tmp.len,
			  cc->src + tmp.off);
		goto out;
	}
	op = &cc->t->ops[cc->open[cc->nopen - 1]];
	if (op->len != tmp.len || memcmp(cc->src + op->off, cc->src + tmp.off, tmp.len) != 0) {
		TMPL_FAIL(cc, line, "'{{/%.*s}}' does not match '{{%c%.*s}}' of line %zu",
			  (int)tmp.len, cc->src + tmp.off, op->kind == TMPL_SECTION ? '#' : '^',
			  (int)op->len, cc->src + op->off, op->line);
		goto out;
	}
	cc->t->ops[cc->open[--cc->nopen]].end = cc->t->nops;
	rc = 0;
out:
	free(tmp.key);
	return rc;
}

/* Compile the tag at src[open] and the text before it; *ret_next is where to go on. */
static int
tmpl_compile_tag(struct tmpl_cc *cc, size_t open, size_t *ret_next)
{
	struct tmpl_tag tag;
	struct tmpl_op *op;
	size_t from = open;

	if (tmpl_scan_tag(cc, open, &tag) != 0)
		return -1;
	*ret_next = tag.end;
	if (tag.kind != TMPL_VAR && tag.kind != TMPL_RAW &&
	    !tmpl_standalone(cc, open, tag.end, &from, ret_next)) {
		from = open;
		*ret_next = tag.end;
	}
	tmpl_emit_text(cc, cc->pos, from);
	switch (tag.kind) {
	case TMPL_COMMENT:
		return 0;
	case TMPL_CLOSE:
		return tmpl_close_section(cc, tag.line, tag.name, tag.close);
	case TMPL_SECTION:
	case TMPL_INVERTED:
		if (cc->nopen == TMPL_MAX_NEST)
			return TMPL_FAIL(cc, tag.line, "sections nested deeper than %d",
					 TMPL_MAX_NEST);
		cc->open[cc->nopen++] = cc->t->nops;
		break;
	case TMPL_TEXT:
	case TMPL_VAR:
	case TMPL_RAW:
	case TMPL_PARTIAL:
		break;
	}
	op = tmpl_push_op(cc->t, tag.kind, tag.line);
	return tmpl_parse_name(cc, op, tag.name, tag.close);
}

static int
tmpl_compile(struct tmpl_cc *cc)
{
	const struct tmpl_op *op;
	size_t open, next;

	while (cc->pos < cc->len) {
		open = tmpl_find(cc, cc->pos, "{{", 2);
		if (open == TMPL_NONE) {
			tmpl_emit_text(cc, cc->pos, cc->len);
			break;
		}
		if (tmpl_compile_tag(cc, open, &next) != 0)
			return -1;
		cc->pos = next;
	}
	if (cc->nopen > 0) {
		op = &cc->t->ops[cc->open[cc->nopen - 1]];
		return TMPL_FAIL(cc, op->line, "unclosed section '%.*s'", (int)op->len,
				 cc->src + op->off);
	}
	return 0;
}

static void
tmpl_free_one(struct tmpl *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nops; i++) {
		free(t->ops[i].key);
		free(t->ops[i].ids);
		if (t->ops[i].twin) {
			free(t->ops[i].twin->key);
			free(t->ops[i].twin->ids);
			free(t->ops[i].twin);
		}
	}
	free(t->ops);
	free(t->src);
	free(t->name);
	free(t);
}

struct tmpl_set *
tmpl_set_new(void)
{
	struct tmpl_set *set = calloc(1, sizeof *set);

	if (set == NULL)
		core_oom();
	return set;
}

void
tmpl_set_free(struct tmpl_set *set)
{
	size_t i;

	if (set == NULL)
		return;
	for (i = 0; i < set->n; i++)
		tmpl_free_one(set->v[i]);
	free(set->v);
	free(set->names);
	free(set->name_tab);
	free(set);
}

int
tmpl_set_add(struct tmpl_set *set, const char *name, const char *src, size_t len,
	     char **ret_err)
{
	struct tmpl_cc cc;
	struct tmpl *t;

	if (tmpl_get(set, name) != NULL)
		return tmpl_err(ret_err, name, 0, "template already in the set");
	t = core_realloc_array(NULL, 1, sizeof *t);
	memset(t, 0, sizeof *t);
	t->name = tmpl_strndup(name, strlen(name));
	t->set = set;
	t->src = tmpl_strndup(src, len);
	cc = (struct tmpl_cc){ .t = t, .src = t->src, .len = len, .line = 1,
			       .ret_err = ret_err };
	if (tmpl_compile(&cc) != 0)
		goto fail;
	if (set->n == set->cap) {
		set->cap = set->cap ? set->cap * 2 : 16;
		set->v = core_realloc_array(set->v, set->cap, sizeof *set->v);
	}
	set->v[set->n++] = t;
	return 0;
fail:
	tmpl_free_one(t);
	return -1;
}

/* Point op->ikey at the first equal name among the ops of templates [0, ti] of the set.
 * Quadratic, once at start-up over a few thousand ops. */
static void
tmpl_intern(struct tmpl_set *set, size_t ti, struct tmpl_op *op)
{
	const struct tmpl_op *o;
	size_t i, j;

	if (op->nparts == 0)
		return;
	for (i = 0; i <= ti; i++)
		for (j = 0; j < set->v[i]->nops; j++) {
			o = &set->v[i]->ops[j];
			if (o == op)
				return;
			if (o->kind != TMPL_PARTIAL && o->nparts > 0 && o->klen == op->klen &&
			    memcmp(o->key, op->key, op->klen) == 0) {
				op->ikey = o->ikey;
				return;
			}
		}
}

/* A key's hash for the names table: its first and last 8 bytes (4 for shorter keys, which
 * overlap) and its length, mixed. Keys are hashed for every member of every frame pushed:
 * FNV over every byte cost more than the lookups it saved, and a few single bytes put
 * names such as can_edit/can_flag in the same chains (callgrind). Equal names still meet
 * through memcmp. */
static uint32_t
tmpl_key_hash(const char *s, size_t n)
{
	uint64_t a = 0, b = 0;
	uint32_t x, y;

	if (n >= 8) {
		memcpy(&a, s, 8);
		memcpy(&b, s + n - 8, 8);
	} else if (n >= 4) {
		memcpy(&x, s, 4);
		memcpy(&y, s + n - 4, 4);
		a = x;
		b = y;
	} else if (n > 0) {
		a = (unsigned char)s[0];
		b = (unsigned char)s[n - 1] | (uint64_t)(unsigned char)s[n / 2] << 8;
	}
	a = (a ^ (b * UINT64_C(0x9E3779B97F4A7C15)) ^ n) * UINT64_C(0xFF51AFD7ED558CCD);
	return (uint32_t)(a >> 32);
}

/* The number of the name s[0..n), or UINT32_MAX when no op of the set uses it. */
static uint32_t
tmpl_name_find(const struct tmpl_set *set, const char *s, size_t n, uint32_t h)
{
	uint32_t i, e;

	if (set->name_tab == NULL)
		return UINT32_MAX;
	for (i = h & set->name_mask; (e = set->name_tab[i]) != 0; i = (i + 1) & set->name_mask) {
		const struct tmpl_name *nm = &set->names[e - 1];

		if (nm->hash == h && nm->len == n && memcmp(nm->s, s, n) == 0)
			return e - 1;
	}
	return UINT32_MAX;
}

/* Number the parts of every name of the set (op->ids) and build the table that finds a
 * member's key among them. */
static void
tmpl_number_names(struct tmpl_set *set)
{
	size_t total = 1, i, j, k, cap = 16;
	struct tmpl_op *op;
	const char *part;

	free(set->names);   /* finalized again: numbered afresh */
	free(set->name_tab);
	set->nnames = 0;
	for (i = 0; i < set->n; i++)
		for (j = 0; j < set->v[i]->nops; j++)
			if (set->v[i]->ops[j].kind != TMPL_PARTIAL)
				total += set->v[i]->ops[j].nparts * (set->v[i]->ops[j].twin ? 2 : 1);
	while (cap < 2 * total)
		cap *= 2;
	set->names = core_realloc_array(NULL, total, sizeof *set->names);
	set->name_tab = calloc(cap, sizeof *set->name_tab);
	if (set->name_tab == NULL)
		core_oom();
	set->name_mask = (uint32_t)(cap - 1);
	for (i = 0; i < set->n; i++)
		for (j = 0; j < 2 * set->v[i]->nops; j++) {
			/* each op, then its twin */
			op = &set->v[i]->ops[j / 2];
			if (j % 2 == 1)
				op = op->twin;
			if (op == NULL || op->kind == TMPL_PARTIAL || op->nparts == 0)
				continue;
			op->ids = core_realloc_array(op->ids, op->nparts, sizeof *op->ids);
			part = op->ikey;
			for (k = 0; k < op->nparts; part += strlen(part) + 1, k++) {
				size_t n = strlen(part);
				uint32_t h = tmpl_key_hash(part, n), id = tmpl_name_find(set, part, n, h), at;

				if (id == UINT32_MAX) {
					id = set->nnames++;
					set->names[id] = (struct tmpl_name){ .s = part, .len = (uint32_t)n, .hash = h };
					for (at = h & set->name_mask; set->name_tab[at] != 0; at = (at + 1) & set->name_mask)
						;
					set->name_tab[at] = id + 1;
				}
				op->ids[k] = id;
			}
		}
}

/* A value tag "a.x_h" gets the twin "a.x": when no value of its own name is found, the
 * render writes the readable form of the time the twin finds (render/humanize.h). */
static void
tmpl_make_twin(struct tmpl_op *op)
{
	struct tmpl_op *tw;

	if ((op->kind != TMPL_VAR && op->kind != TMPL_RAW) || op->nparts == 0 || op->twin != NULL ||
	    op->klen < 3 || memcmp(op->key + op->klen - 2, "_h", 2) != 0 || op->key[op->klen - 3] == '\0')
		return;
	tw = calloc(1, sizeof *tw);
	if (tw == NULL)
		core_oom();
	*tw = *op;
	tw->ids = NULL;
	tw->klen = op->klen - 2;
	tw->key = tmpl_strndup(op->key, tw->klen);
	tw->ikey = tw->key;
	op->twin = tw;
}

int
tmpl_set_finalize(struct tmpl_set *set, char **ret_err)
{
	struct tmpl_op *op;
	struct tmpl *t;
	size_t i, j;

	for (i = 0; i < set->n; i++) {
		t = set->v[i];
		for (j = 0; j < t->nops; j++) {
			op = &t->ops[j];
			if (op->kind != TMPL_PARTIAL) {
				tmpl_intern(set, i, op);
				tmpl_make_twin(op);
				continue;
			}
			op->partial = tmpl_get(set, op->key);
			if (op->partial == NULL)
				return tmpl_err(ret_err, t->name, op->line,
						"unknown partial '%s'", op->key);
		}
	}
	tmpl_number_names(set);
	return 0;
}

const struct tmpl *
tmpl_get(const struct tmpl_set *set, const char *name)
{
	size_t i;

	/* A few dozen templates: a linear scan costs less than keeping an index right. */
	for (i = 0; i < set->n; i++)
		if (strcmp(set->v[i]->name, name) == 0)
			return set->v[i];
	return NULL;
}

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

static void
tmpl_unbind_to(struct tmpl_rs *rs, uint32_t mark)
{
	while (rs->nundo > mark) {
		rs->nundo--;
		rs->cur[rs->undo[rs->nundo].id] = rs->undo[rs->nundo].old;
	}
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
		for (uint32_t i = 0; i < k->n; i++)
			tmpl_bind1(rs, rs->kept_pairs[k->off + i].id, rs->kept_pairs[k->off + i].old);
		return true;
	}
	for (void *it = json_object_iter(obj); it != NULL; it = json_object_iter_next(obj, it)) {
		const char *key = json_object_iter_key(it);
		size_t klen = json_object_iter_key_len(it);
		json_t *val;

		if ((id = tmpl_name_find(rs->set, key, klen, tmpl_key_hash(key, klen))) == UINT32_MAX)
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
	}
}

static void
tmpl_pop(struct tmpl_rs *rs)
{
	size_t f = --rs->nframes;

	tmpl_unbind_to(rs, rs->undo_at[f]);
	if (rs->unbound_at[f])
		rs->unbound--;
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

/* The first part through the stack, top down; the other parts inside what it found. A
 * missing later part does not resume the stack search (Mustache rule). */
static json_t *
tmpl_lookup(struct tmpl_rs *rs, const struct tmpl_op *op)
{
	size_t i, n = rs->nframes + rs->nbase;
	const char *part = op->ikey;
	json_t *v = NULL, *f;

	if (op->nparts == 0)
		return n > 0 ? tmpl_frame(rs, 0) : NULL;
	if (rs->bound && rs->unbound == 0 && op->ids != NULL) {
		v = rs->cur[op->ids[0]];
	} else {
		for (i = 0; i < n && v == NULL; i++)
			if (json_is_object(f = tmpl_frame(rs, i)))
				v = json_object_get(f, part);
	}
	for (i = 1; i < op->nparts && v != NULL; i++) {
		part += strlen(part) + 1;
		v = json_is_object(v) ? json_object_get(v, part) : NULL;
	}
	return v;
}

static bool
tmpl_falsy(const json_t *v)
{
	return v == NULL || json_is_false(v) || json_is_null(v) ||
	       (json_is_string(v) && json_string_length(v) == 0) ||
	       (json_is_integer(v) && json_integer_value(v) == 0) ||
	       (json_is_real(v) && json_real_value(v) == 0.0) ||
	       (json_is_array(v) && json_array_size(v) == 0);
}

static void
tmpl_put_value(struct buf *out, const json_t *v, bool raw)
{
	/* Numbers and "true" hold nothing to escape. */
	if (json_is_string(v) && raw)
		buf_append(out, json_string_value(v), json_string_length(v));
	else if (json_is_string(v))
		buf_html_escape(out, json_string_value(v), json_string_length(v));
	else if (json_is_integer(v))
		buf_put_i64(out, json_integer_value(v));
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
			buf_append(rs->out, t->src + op->off, op->len);
			break;
		case TMPL_VAR:
		case TMPL_RAW:
			v = tmpl_lookup(rs, op);
			if (v == NULL && op->twin != NULL) {
				tmpl_put_time(rs->out, tmpl_lookup(rs, op->twin));
				break;
			}
			if (tmpl_hole(rs, v, &hole))
				tmpl_seg_add(rs, hole, op->kind == TMPL_RAW ? TMPL_SEG_RAW : TMPL_SEG_VALUE);
			else
				tmpl_put_value(rs->out, v, op->kind == TMPL_RAW);
			break;
		case TMPL_SECTION:
			if (tmpl_render_section(rs, t, i) != 0)
				return -1;
			i = op->end;
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

	if (t == NULL)
		return -1;
	rs.set = t->set;
	rs.base = ctx;
	rs.nbase = ctx != NULL ? depth : 0;
	rs.nframes = rs.npartials = 0;
	rs.out = out;
	rs.segs = segs;
	rs.unbound = 0;
	rs.bound = false;
	rs.cur = tmpl_cur;
	rs.undo = tmpl_undo;
	rs.kept = tmpl_kept;
	rs.kept_pairs = tmpl_kept_pairs;
	rs.epoch = ++tmpl_epoch;
	rs.nkept = rs.nkept_pairs = 0;
	rs.bound = tmpl_bind_base(&rs);
	buf_append(out, "", 0);   /* an empty page is still a string, never NULL data */
	return tmpl_render_ops(&rs, t, 0, t->nops);
}

int
tmpl_render(const struct tmpl *t, json_t *const *ctx, size_t depth, struct buf *out)
{
	return tmpl_render_holes(t, ctx, depth, out, NULL);
}
