/* render/markdown.h — the one Markdown pipeline of Corral: cmark-gfm (GitHub-flavoured
 * Markdown: tables, ~~strikethrough~~, autolinked web and mail addresses, task lists) in
 * its safe mode plus a pass over the AST that adds what a forum needs.
 *
 * Posts, bios, idea summaries and survey intros all go through md_render() once, at
 * write time; pages serve the stored HTML. The pass:
 *   - `@username` (3–32 of [A-Za-z0-9_-], not preceded by a word character, not inside
 *     code or links) becomes <a class="mention" href="/u/username">@username</a> when
 *     opts->mention_ok accepts it (all candidates when NULL);
 *   - `IDEA-n` (n a positive integer, word-bounded, not inside code or links) becomes
 *     <a class="idea-ref" href="/ideas/n">IDEA-n</a>;
 *   - link and image targets are kept only when they are http:, https:, mailto: (links
 *     only) or relative; any other target is dropped and the link's text kept as text;
 *   - every link written by the author gets rel="nofollow ugc noopener";
 *   - headings are demoted by two levels (# → h3, capped at h6) so a post never breaks
 *     the page's heading order.
 * Raw HTML is never passed through (cmark's safe default; CMARK_OPT_UNSAFE is never set)
 * and input is validated as UTF-8 by us before cmark sees it.
 *
 * Debian 12's cmark-gfm 0.29.0.gfm.6 has inputs that take super-linear time, in its
 * cmark core (fixed in cmark 0.31) and in its table and autolink extensions (fixed in
 * gfm.7 to gfm.13); a pre-scan refuses such input with MD_TOO_COMPLEX instead of
 * rendering it for seconds, so md_render runs in time roughly linear in len for every
 * input it accepts (measured: under 40 ms for any 50 000-byte input it accepts, where
 * bare cmark-gfm takes up to 9 s).
 * Also refused with MD_TOO_COMPLEX: a parsed tree deeper than 100 levels. At most 50
 * distinct @names are looked up per post (mention_ok is never called for a refused post),
 * so a post full of unknown names cannot cost thousands of queries. */
#ifndef CORRAL_RENDER_MARKDOWN_H
#define CORRAL_RENDER_MARKDOWN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MD_MAX_BYTES 50000   /* SPEC §3: a body is 1–50 000 bytes */
#define MD_MAX_MENTIONS 20   /* further mentions stay plain text */

enum md_status {
	MD_OK = 0,
	MD_EMPTY,          /* no non-whitespace content */
	MD_TOO_LARGE,      /* len > max_bytes */
	MD_INVALID_UTF8,   /* malformed UTF-8 or a NUL byte */
	MD_TOO_COMPLEX,    /* would make cmark super-linear */
};

struct md_opts {
	size_t max_bytes;  /* 0 means MD_MAX_BYTES */
	/* Decides whether @name (without '@', as typed) is linked; NULL links every candidate.
	 * Called at most once per distinct name (case-insensitive). */
	bool (*mention_ok)(void *cls, const char *name);
	void *cls;
};

struct md_out {
	char *html;            /* malloc'd, NUL-terminated */
	size_t html_len;
	char **mentions;       /* linked usernames as typed, distinct case-insensitively */
	size_t n_mentions;
	int64_t *ideas;        /* distinct IDEA numbers referenced, in order of appearance */
	size_t n_ideas;
	size_t n_links;        /* links written by the author (not mentions, IDEA links or images) */
};

/* Render src[0..len). On MD_OK fills *out (free with md_out_free); otherwise *out is
 * zeroed and *ret_reason (if not NULL) points to a static, user-facing sentence. */
enum md_status md_render(const char *src, size_t len, const struct md_opts *opts,
			 struct md_out *out, const char **ret_reason);

void md_out_free(struct md_out *out);

/* The cmark-gfm version the HTML was made with, e.g. "0.29.0.gfm.6" (stored beside each
 * post, so posts can be re-rendered after an upgrade). */
const char *md_version(void);

#endif
