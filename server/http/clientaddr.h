/* http/clientaddr.h — who the client is when reverse proxies stand in front: addresses and
 * CIDR lists (--trusted-proxy), and the walk over X-Forwarded-For or Forwarded (RFC 7239)
 * from the right. Pure code (no MHD), so every spoofing case has a unit test.
 *
 * The rule: a forwarding header is believed only when the TCP peer is a trusted proxy, and
 * then only as far as it was written by trusted proxies: walking from the right-most hop
 * (the one the nearest proxy appended), the first hop that is not itself trusted is the
 * client. Anything to its left was sent by the client and may be invented. */
#ifndef CORRAL_HTTP_CLIENTADDR_H
#define CORRAL_HTTP_CLIENTADDR_H

#include <stdbool.h>
#include <stddef.h>

struct sockaddr;

/* An IPv4 or IPv6 address. IPv4-mapped IPv6 addresses (::ffff:a.b.c.d, how a dual-stack
 * socket shows an IPv4 peer) are stored as IPv4, so one CIDR matches both forms. */
struct clientaddr {
	int family;                   /* AF_INET or AF_INET6 */
	unsigned char a[16];          /* network order; 4 bytes used for AF_INET */
};

struct clientaddr_net {
	struct clientaddr addr;       /* bits past prefix are zero */
	int prefix;                   /* 0..32 or 0..128 */
};

/* A list of trusted networks (caller frees with free()). */
struct clientaddr_trust {
	int n;
	struct clientaddr_net nets[];
};

/* Which header the trusted proxies write; the other is never read. */
enum clientaddr_header {
	CLIENTADDR_XFF,               /* X-Forwarded-For: 203.0.113.7, 10.0.0.2 */
	CLIENTADDR_FORWARDED,         /* Forwarded: for=203.0.113.7;proto=https, for="[2001:db8::1]:443" */
};

/* A bare address of len bytes ("192.0.2.1", "2001:db8::1"). 0, or -1 with *ret untouched. */
int clientaddr_parse(const char *s, size_t len, struct clientaddr *ret);

/* A socket's peer (AF_INET or AF_INET6). 0, or -1 with *ret untouched. */
int clientaddr_from_sockaddr(const struct sockaddr *sa, struct clientaddr *ret);

/* One hop of a forwarding header: an address, optionally with a port ("192.0.2.1:80",
 * "[2001:db8::1]:443", "[::1]"), optionally in double quotes (Forwarded), surrounded by
 * optional spaces. 0, or -1 ("unknown", "_hidden", garbage) with *ret untouched. */
int clientaddr_parse_hop(const char *s, size_t len, struct clientaddr *ret);

/* "10.0.0.0/8", "::1/128", or an address alone (its full length). Host bits set past the
 * prefix are refused ("10.0.0.1/8" is most likely a typo). 0, or -1. */
int clientaddr_parse_net(const char *s, size_t len, struct clientaddr_net *ret);

/* A comma-separated list of networks. Returns the list (caller frees), or NULL with the
 * bad item in *ret_bad and *ret_badlen (ret_badlen 0 when memory ran out). */
struct clientaddr_trust *clientaddr_trust_parse(const char *list, const char **ret_bad,
						size_t *ret_badlen);

/* Whether a lies in one of t's networks (false for a NULL or empty t). */
bool clientaddr_trusted(const struct clientaddr_trust *t, const struct clientaddr *a);

/* 127.0.0.0/8 or ::1. */
bool clientaddr_loopback(const struct clientaddr *a);

/* The client behind peer: peer itself unless peer is trusted and header (every field of
 * that name joined by commas, or NULL) names hops; then the right-most hop not trusted,
 * or, when every hop is trusted or one cannot be read, the left-most readable hop met
 * before it. Returns true when the answer came from the header. */
bool clientaddr_resolve(const struct clientaddr_trust *t, const struct clientaddr *peer,
			enum clientaddr_header kind, const char *header, struct clientaddr *ret);

/* The address as text into buf (INET6_ADDRSTRLEN bytes are enough). */
void clientaddr_format(const struct clientaddr *a, char *buf, size_t size);

#endif
