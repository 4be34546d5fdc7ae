/* render/template.c — compiles Mustache-subset templates into flat op arrays, a set of
 * them linked (partials) and its names numbered; template_render.c renders them. A
 * compiled set is read-only after finalize, so any number of threads may render from it at
 * once. Beyond template.h: sections nest at most 64 deep in one template (compile error),
 * and a standalone {{> partial}} line drops its indentation instead of re-indenting. */
#include "render/template_internal.h"

#include "core/arena.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	*op = (struct tmpl_op){ .kind = kind, .line = line, .path = TMPL_NO_PATH, .id1 = UINT32_MAX };
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
	t->src = calloc(1, len + TMPL_TEXT_PAD + 1);
	if (t->src == NULL)
		core_oom();
	memcpy(t->src, src, len);
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
	set->npaths = 0;
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
			op->path = op->nparts > 1 ? set->npaths++ : TMPL_NO_PATH;
			op->id1 = UINT32_MAX;
			part = op->ikey;
			for (k = 0; k < op->nparts; part += strlen(part) + 1, k++) {
				size_t n = strlen(part);
				struct tmpl_keyw w = tmpl_key_words(part, n);
				uint32_t h = tmpl_key_hash(w, n), id = tmpl_name_find(set, part, n, w, h), at;

				if (id == UINT32_MAX) {
					id = set->nnames++;
					set->names[id] = (struct tmpl_name){ .s = part, .len = (uint32_t)n, .hash = h,
									     .w = w };
					for (at = h & set->name_mask; set->name_tab[at] != 0; at = (at + 1) & set->name_mask)
						;
					set->name_tab[at] = id + 1;
				}
				op->ids[k] = id;
			}
			if (op->nparts == 1)
				op->id1 = op->ids[0];
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

/* An op that a text op always follows carries that text (tail_off, tail_len); the render
 * writes both at one dispatch and steps over the text op. A value followed by text
 * ("p{{id}}-meta\"") is most of a page's ops, and a section is most often followed by text
 * too. For a value, the text must be of its own body: the next op and no section's end
 * (where a skipped body jumps to). For a section, the text is its end when no other section
 * ends there (else the text belongs outside that one). A fused text op is then reached only
 * through its op: it cannot be a body's first op, which follows a section op. */
static void
tmpl_fuse_tails(struct tmpl *t)
{
	uint32_t *nend = calloc(t->nops + 1, sizeof *nend);

	if (nend == NULL)
		core_oom();
	for (size_t j = 0; j < t->nops; j++)
		if (t->ops[j].kind == TMPL_SECTION || t->ops[j].kind == TMPL_INVERTED)
			nend[t->ops[j].end]++;
	for (size_t j = 0; j < t->nops; j++) {
		struct tmpl_op *op = &t->ops[j];
		size_t next = TMPL_NONE;

		op->tail_off = op->tail_len = 0;
		if ((op->kind == TMPL_VAR || op->kind == TMPL_RAW) && nend[j + 1] == 0)
			next = j + 1;
		else if ((op->kind == TMPL_SECTION || op->kind == TMPL_INVERTED) && nend[op->end] == 1)
			next = op->end;
		if (next < t->nops && t->ops[next].kind == TMPL_TEXT) {
			op->tail_off = t->ops[next].off;
			op->tail_len = t->ops[next].len;
		}
	}
	free(nend);
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
	for (i = 0; i < set->n; i++)
		tmpl_fuse_tails(set->v[i]);
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
