/* forum/search.h — similar threads, for the new-thread page's preview step. */
#ifndef CORRAL_FORUM_SEARCH_H
#define CORRAL_FORUM_SEARCH_H

#include <jansson.h>

#include "http/http.h"

/* Visible threads whose titles are like title (reworded, reordered, inflected, or sharing
 * its significant words), best first, at most limit: a new array [{id, title, similarity,
 * words, why}] in *ret (words: the thread's title words shared with title; why: that, as a
 * sentence). 0, or -1 with the error recorded. */
int search_similar(struct req *r, const char *title, int limit, json_t **ret);

/* The ?title= of a "similar titles" request (threads, ideas), trimmed, 1–200 characters:
 * the title (arena), or NULL with 400 on `title` recorded. */
const char *search_title_param(struct req *r);

#endif
