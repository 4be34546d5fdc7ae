/* render/template_internal.h — what the template compiler (template.c) and the renderer
 * (template_render.c) share, and nothing else includes: the compiled ops, a template, the
 * set with its numbered names, and how a member's key finds its name's number. A compiled
 * set is read-only after tmpl_set_finalize. */
#ifndef CORRAL_RENDER_TEMPLATE_INTERNAL_H
#define CORRAL_RENDER_TEMPLATE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "render/template.h"

/* Sections open at once in one template: deeper nesting is a compile error, so a broken
 * template is caught at start-up rather than on some rare page. */
#define TMPL_MAX_NEST 64
/* Values pushed by sections during one render, across partials. The stack is a fixed
 * array so rendering never allocates; going deeper fails the render with -1. */
#define TMPL_MAX_FRAMES 64
/* Nested {{> partial}} calls during one render (the header promises 32). */
#define TMPL_MAX_PARTIALS 32

#define TMPL_NONE SIZE_MAX
/* A template's source is kept with this many zero bytes after it, so a text run of up to
 * that many bytes is copied by the renderer as one fixed-size move (template_render.c). */
#define TMPL_TEXT_PAD 32
#define TMPL_NO_PATH UINT32_MAX

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
	uint32_t path;      /* a dotted name's number among the set's (finalize), else TMPL_NO_PATH */
	uint32_t id1;       /* a name of one part: ids[0]; else (and before finalize) UINT32_MAX */
	size_t nparts;      /* 0 means "." (top of the stack) */
	size_t end;         /* section/inverted: index of the op after the body */
	size_t line;        /* where the tag is, for messages */
	const struct tmpl *partial;  /* set by tmpl_set_finalize() */
	struct tmpl_op *twin;   /* value "x_h": the name "x", whose time it reads (finalize) */
	size_t tail_off, tail_len;  /* the text op that follows it, written with it (finalize) */
};

struct tmpl {
	char *name;
	char *src;          /* private copy: text ops point into it; TMPL_TEXT_PAD bytes past the end */
	struct tmpl_op *ops;
	size_t nops, cap;
	const struct tmpl_set *set;
	/* The size of this template's last page, and a little more: the room a render makes
	 * first, so a 65 KB page is not grown by doubling from 256 bytes (eleven reallocs and
	 * their copies). Read and written by every thread rendering it, with relaxed atomics:
	 * only a hint, a wrong one costs a realloc. */
	size_t out_hint;
};

/* A key's first and last words: see tmpl_key_words. */
struct tmpl_keyw {
	uint64_t a, b;
};

/* Every distinct part of a dotted name in the set, numbered (tmpl_set_finalize). */
struct tmpl_name {
	const char *s;
	uint32_t len, hash;
	struct tmpl_keyw w;         /* tmpl_key_words(s, len) */
};

struct tmpl_set {
	struct tmpl **v;    /* pointers, so partial links survive growth of v */
	size_t n, cap;
	struct tmpl_name *names;
	uint32_t nnames;
	uint32_t *name_tab;         /* open addressing: a name's number + 1, 0 = empty */
	uint32_t name_mask;
	uint32_t npaths;            /* dotted names (op->path) */
};

/* A key's first and last 8 bytes (4 for keys of 4 to 7 bytes, which overlap; the first,
 * middle and last byte of shorter ones): together with the length they are the whole key
 * up to 16 bytes, so a member's key is compared with a name without memcmp — nearly every
 * name of the set is that short, and memcmp's call was a fifth of binding a member
 * (callgrind). */
static inline struct tmpl_keyw
tmpl_key_words(const char *s, size_t n)
{
	struct tmpl_keyw w = { 0, 0 };
	uint32_t x, y;

	if (n >= 8) {
		memcpy(&w.a, s, 8);
		memcpy(&w.b, s + n - 8, 8);
	} else if (n >= 4) {
		memcpy(&x, s, 4);
		memcpy(&y, s + n - 4, 4);
		w.a = x;
		w.b = y;
	} else if (n > 0) {
		w.a = (unsigned char)s[0];
		w.b = (unsigned char)s[n - 1] | (uint64_t)(unsigned char)s[n / 2] << 8;
	}
	return w;
}

/* A key's hash for the names table: its words (above) and its length, mixed. Keys are
 * hashed for every member of every frame pushed: FNV over every byte cost more than the
 * lookups it saved, and a few single bytes put names such as can_edit/can_flag in the same
 * chains (callgrind). */
static inline uint32_t
tmpl_key_hash(struct tmpl_keyw w, size_t n)
{
	uint64_t a = (w.a ^ (w.b * UINT64_C(0x9E3779B97F4A7C15)) ^ n) * UINT64_C(0xFF51AFD7ED558CCD);

	return (uint32_t)(a >> 32);
}

/* The number of the name s[0..n) (words w, hash h), or UINT32_MAX when no op of the set
 * uses it. Equal words and length are equal keys up to 16 bytes; longer ones compare
 * their middle too. */
static inline uint32_t
tmpl_name_find(const struct tmpl_set *set, const char *s, size_t n, struct tmpl_keyw w, uint32_t h)
{
	uint32_t i, e;

	if (set->name_tab == NULL)
		return UINT32_MAX;
	for (i = h & set->name_mask; (e = set->name_tab[i]) != 0; i = (i + 1) & set->name_mask) {
		const struct tmpl_name *nm = &set->names[e - 1];

		if (nm->hash == h && nm->len == n && nm->w.a == w.a && nm->w.b == w.b &&
		    (n <= 16 || memcmp(nm->s + 8, s + 8, n - 16) == 0))
			return e - 1;
	}
	return UINT32_MAX;
}

#endif
