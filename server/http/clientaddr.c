/* http/clientaddr.c — addresses, trusted networks, and the right-to-left walk over the
 * forwarding headers that finds the client behind trusted proxies (http/clientaddr.h). */
#include "http/clientaddr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "core/opt.h"

/* Hops kept from the right of a header. The walk only goes left past trusted hops, and
 * no real chain has this many proxies; what lies further left is the client's own text. */
#define CLIENTADDR_MAX_HOPS 32

struct clientaddr_hops {
	const char *p[CLIENTADDR_MAX_HOPS];
	size_t len[CLIENTADDR_MAX_HOPS];
	int n;                        /* hops seen; the last CLIENTADDR_MAX_HOPS are kept */
};

static const unsigned char clientaddr_v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

int
clientaddr_parse(const char *s, size_t len, struct clientaddr *ret)
{
	char buf[INET6_ADDRSTRLEN];
	struct clientaddr a = { 0 };

	if (len == 0 || len >= sizeof buf)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (memchr(buf, ':', len)) {
		if (inet_pton(AF_INET6, buf, a.a) != 1)
			return -1;
		a.family = AF_INET6;
		if (memcmp(a.a, clientaddr_v4mapped, sizeof clientaddr_v4mapped) == 0) {
			memmove(a.a, a.a + 12, 4);
			memset(a.a + 4, 0, 12);
			a.family = AF_INET;
		}
	} else {
		if (inet_pton(AF_INET, buf, a.a) != 1)
			return -1;
		a.family = AF_INET;
	}
	*ret = a;
	return 0;
}

int
clientaddr_from_sockaddr(const struct sockaddr *sa, struct clientaddr *ret)
{
	char buf[INET6_ADDRSTRLEN];
	/* Copied out rather than read through a cast pointer (strict aliasing). */
	union {
		struct sockaddr_in in4;
		struct sockaddr_in6 in6;
	} u;
	const void *in;

	if (sa == NULL || (sa->sa_family != AF_INET && sa->sa_family != AF_INET6))
		return -1;
	if (sa->sa_family == AF_INET) {
		memcpy(&u.in4, sa, sizeof u.in4);
		in = &u.in4.sin_addr;
	} else {
		memcpy(&u.in6, sa, sizeof u.in6);
		in = &u.in6.sin6_addr;
	}
	/* Through text, so a mapped IPv4 peer of a dual-stack socket is stored as IPv4. */
	if (inet_ntop(sa->sa_family, in, buf, sizeof buf) == NULL)
		return -1;
	return clientaddr_parse(buf, strlen(buf), ret);
}

/* ":" and 1 to 5 digits up to 65535, exactly filling [s, s+len). */
static bool
clientaddr_port(const char *s, size_t len)
{
	long port = 0;

	if (len < 2 || len > 6 || s[0] != ':')
		return false;
	for (size_t i = 1; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		port = port * 10 + (s[i] - '0');
	}
	return port <= 65535;
}

int
clientaddr_parse_hop(const char *s, size_t len, struct clientaddr *ret)
{
	const char *colon, *close;
	struct clientaddr a;

	while (len > 0 && (*s == ' ' || *s == '\t'))
		s++, len--;
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len >= 2 && s[0] == '"' && s[len - 1] == '"')
		s++, len -= 2;
	/* Escapes and stray quotes have no place in an address: refuse rather than unquote. */
	if (len == 0 || memchr(s, '"', len) || memchr(s, '\\', len))
		return -1;
	if (s[0] == '[') {
		close = memchr(s, ']', len);
		if (close == NULL || clientaddr_parse(s + 1, (size_t)(close - s - 1), &a) != 0 ||
		    memchr(s + 1, ':', (size_t)(close - s - 1)) == NULL)
			return -1;
		if ((size_t)(close - s) + 1 < len &&
		    !clientaddr_port(close + 1, len - (size_t)(close - s) - 1))
			return -1;
	} else if ((colon = memchr(s, ':', len)) != NULL &&
		   memchr(colon + 1, ':', len - (size_t)(colon - s) - 1) == NULL) {
		/* One colon: IPv4 with a port. More: an IPv6 address written bare. */
		if (!clientaddr_port(colon, len - (size_t)(colon - s)) ||
		    memchr(s, '.', len) == NULL ||
		    clientaddr_parse(s, (size_t)(colon - s), &a) != 0 || a.family != AF_INET)
			return -1;
	} else if (clientaddr_parse(s, len, &a) != 0) {
		return -1;
	}
	*ret = a;
	return 0;
}

static int
clientaddr_bits(const struct clientaddr *a)
{
	return a->family == AF_INET ? 32 : 128;
}

/* Whether a and b agree on their first prefix bits (same family assumed). */
static bool
clientaddr_prefix_eq(const unsigned char *a, const unsigned char *b, int prefix)
{
	int whole = prefix / 8, rest = prefix % 8;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));

	if (memcmp(a, b, (size_t)whole) != 0)
		return false;
	return rest == 0 || ((a[whole] ^ b[whole]) & mask) == 0;
}

int
clientaddr_parse_net(const char *s, size_t len, struct clientaddr_net *ret)
{
	const char *slash = memchr(s, '/', len);
	size_t alen = slash ? (size_t)(slash - s) : len;
	struct clientaddr_net net = { 0 };
	long prefix = 0;

	if (clientaddr_parse(s, alen, &net.addr) != 0)
		return -1;
	if (slash == NULL) {
		prefix = clientaddr_bits(&net.addr);
	} else {
		if (len - alen < 2 || len - alen > 4)
			return -1;
		for (size_t i = alen + 1; i < len; i++) {
			if (s[i] < '0' || s[i] > '9')
				return -1;
			prefix = prefix * 10 + (s[i] - '0');
		}
		/* ::ffff:10.0.0.0/104 was stored as IPv4: its prefix counts from bit 96. */
		if (net.addr.family == AF_INET && memchr(s, ':', alen))
			prefix -= 96;
		if (prefix < 0 || prefix > clientaddr_bits(&net.addr))
			return -1;
	}
	net.prefix = (int)prefix;
	/* Host bits set past the prefix: most likely a typo for another network. */
	for (int b = net.prefix; b < clientaddr_bits(&net.addr); b++)
		if (net.addr.a[b / 8] & (0x80 >> (b % 8)))
			return -1;
	*ret = net;
	return 0;
}

struct clientaddr_trust *
clientaddr_trust_parse(const char *list, const char **ret_bad, size_t *ret_badlen)
{
	const char *cur = list, *item;
	struct clientaddr_trust *t;
	size_t len;
	int n = 0;

	while (opt_list_next(&cur, &item, &len))
		n++;
	t = malloc(sizeof *t + (size_t)n * sizeof t->nets[0]);
	if (t == NULL) {
		*ret_bad = list;
		*ret_badlen = 0;
		return NULL;
	}
	t->n = 0;
	cur = list;
	while (opt_list_next(&cur, &item, &len)) {
		if (clientaddr_parse_net(item, len, &t->nets[t->n]) != 0) {
			*ret_bad = item;
			*ret_badlen = len;
			free(t);
			return NULL;
		}
		t->n++;
	}
	return t;
}

bool
clientaddr_trusted(const struct clientaddr_trust *t, const struct clientaddr *a)
{
	for (int i = 0; t && i < t->n; i++)
		if (t->nets[i].addr.family == a->family &&
		    clientaddr_prefix_eq(t->nets[i].addr.a, a->a, t->nets[i].prefix))
			return true;
	return false;
}

bool
clientaddr_loopback(const struct clientaddr *a)
{
	static const unsigned char v6_loopback[16] = { [15] = 1 };

	if (a->family == AF_INET)
		return a->a[0] == 127;
	return a->family == AF_INET6 && memcmp(a->a, v6_loopback, 16) == 0;
}

static void
clientaddr_hop_add(struct clientaddr_hops *h, const char *p, size_t len)
{
	h->p[h->n % CLIENTADDR_MAX_HOPS] = p;
	h->len[h->n % CLIENTADDR_MAX_HOPS] = len;
	h->n++;
}

/* X-Forwarded-For: comma-separated hops; empty items are skipped. */
static void
clientaddr_xff_hops(const char *s, struct clientaddr_hops *h)
{
	for (;;) {
		size_t len = strcspn(s, ",");

		if (strspn(s, " \t") < len)
			clientaddr_hop_add(h, s, len);
		if (s[len] == '\0')
			return;
		s += len + 1;
	}
}

/* Past a quoted string starting at s (on '"'), or at the '\0' when it never closes. */
static const char *
clientaddr_skip_quoted(const char *s)
{
	for (s++; *s && *s != '"'; s++)
		if (*s == '\\' && s[1])
			s++;
	return *s ? s + 1 : s;
}

/* One Forwarded element starting at s: *ret_for (raw, quotes kept) and its length, or
 * length 0 when the element has no for= or cannot be read. Returns the ',' or '\0' that
 * ends it; *ret_empty tells an element without any pair. */
static const char *
clientaddr_fwd_element(const char *s, const char **ret_for, size_t *ret_len, bool *ret_empty)
{
	static const char *const stop = ",;\" \t=";
	const char *val = NULL, *v;
	size_t name_len, vlen = 0;
	bool bad = false, is_for;

	*ret_empty = true;
	for (;;) {
		s += strspn(s, " \t");
		if (*s == ',' || *s == '\0')
			break;
		if (*s == ';') {
			s++;
			continue;
		}
		*ret_empty = false;
		name_len = strcspn(s, stop);
		if (name_len == 0 || s[name_len] != '=') {
			bad = true;
			break;
		}
		is_for = name_len == 3 && strncasecmp(s, "for", 3) == 0;
		s += name_len + 1;
		v = s;
		s = *s == '"' ? clientaddr_skip_quoted(s) : s + strcspn(s, stop);
		if (is_for) {
			if (val)
				bad = true;   /* two for= in one element: which one is the truth? */
			val = v;
			vlen = (size_t)(s - v);
		}
		s += strspn(s, " \t");
		if (*s != ';' && *s != ',' && *s != '\0') {
			bad = true;
			break;
		}
	}
	/* Resynchronise on the next comma outside quotes. */
	while (*s && *s != ',')
		s = *s == '"' ? clientaddr_skip_quoted(s) : s + 1;
	*ret_for = val ? val : s;
	*ret_len = bad || val == NULL ? 0 : vlen;
	return s;
}

static void
clientaddr_forwarded_hops(const char *s, struct clientaddr_hops *h)
{
	const char *val;
	size_t len;
	bool empty;

	for (;;) {
		s = clientaddr_fwd_element(s, &val, &len, &empty);
		if (!empty)
			clientaddr_hop_add(h, val, len);   /* length 0: unreadable, stops the walk */
		if (*s == '\0')
			return;
		s++;
	}
}

bool
clientaddr_resolve(const struct clientaddr_trust *t, const struct clientaddr *peer,
		   enum clientaddr_header kind, const char *header, struct clientaddr *ret)
{
	struct clientaddr_hops h = { .n = 0 };
	struct clientaddr hop, last = *peer;
	bool found = false;

	*ret = *peer;
	if (header == NULL || !clientaddr_trusted(t, peer))
		return false;
	if (kind == CLIENTADDR_FORWARDED)
		clientaddr_forwarded_hops(header, &h);
	else
		clientaddr_xff_hops(header, &h);
	for (int i = h.n - 1; i >= 0 && i >= h.n - CLIENTADDR_MAX_HOPS; i--) {
		int k = i % CLIENTADDR_MAX_HOPS;

		/* An unreadable hop was written by the trusted hop to its right, or is the
		 * client's own text: either way nothing left of it can be believed. */
		if (clientaddr_parse_hop(h.p[k], h.len[k], &hop) != 0)
			break;
		last = hop;
		found = true;
		if (!clientaddr_trusted(t, &hop))
			break;
	}
	*ret = last;
	return found;
}

void
clientaddr_format(const struct clientaddr *a, char *buf, size_t size)
{
	if (inet_ntop(a->family, a->a, buf, (socklen_t)size) == NULL && size > 0)
		snprintf(buf, size, "unknown");
}
