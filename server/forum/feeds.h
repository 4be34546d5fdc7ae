/* forum/feeds.h — the Atom feeds (forum/feeds.c; the ideas' in ideas_pages.c), and the
 * <link rel="alternate"> by which a page that has one offers it to feed readers. */
#ifndef CORRAL_FORUM_FEEDS_H
#define CORRAL_FORUM_FEEDS_H

#include "http/http.h"

/* Offer the feed at path (/feed.atom, /c/{slug}/feed.atom…) in the <head> of this HTML
 * page, titled as the feed itself is: "<site name>: <what>". Nothing for the API. */
void feeds_link(struct req *r, const char *path, const char *what);

#endif
