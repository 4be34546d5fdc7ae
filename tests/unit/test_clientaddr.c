/* Unit tests for http/clientaddr: addresses, CIDR lists, and the walk over X-Forwarded-For
 * and Forwarded that must never let a client choose the address it is counted under. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "http/clientaddr.h"
#include "tap.h"

static struct clientaddr_trust *trust;

static struct clientaddr
A(const char *s)
{
	struct clientaddr a = { 0 };

	if (clientaddr_parse(s, strlen(s), &a) != 0)
		printf("# test bug: '%s' is not an address\n", s);
	return a;
}

static const char *
fmt(const struct clientaddr *a)
{
	static char buf[INET6_ADDRSTRLEN];

	clientaddr_format(a, buf, sizeof buf);
	return buf;
}

static bool
hop_ok(const char *s)
{
	struct clientaddr a;

	return clientaddr_parse_hop(s, strlen(s), &a) == 0;
}

static const char *
hop(const char *s)
{
	struct clientaddr a = { 0 };

	if (clientaddr_parse_hop(s, strlen(s), &a) != 0)
		return "(refused)";
	return fmt(&a);
}

static bool
net_ok(const char *s)
{
	struct clientaddr_net n;

	return clientaddr_parse_net(s, strlen(s), &n) == 0;
}

/* The client the server settles on for a request from peer carrying header. */
static const char *
resolve(const char *peer, enum clientaddr_header kind, const char *header)
{
	struct clientaddr p = A(peer), c;

	clientaddr_resolve(trust, &p, kind, header, &c);
	return fmt(&c);
}

static const char *
xff(const char *peer, const char *header)
{
	return resolve(peer, CLIENTADDR_XFF, header);
}

static const char *
fwd(const char *peer, const char *header)
{
	return resolve(peer, CLIENTADDR_FORWARDED, header);
}

static void
test_addresses(void)
{
	struct clientaddr a;

	is_str(hop("192.0.2.1"), "192.0.2.1", "IPv4");
	is_str(hop(" 192.0.2.1\t"), "192.0.2.1", "spaces around a hop");
	is_str(hop("192.0.2.1:8443"), "192.0.2.1", "IPv4 with a port");
	is_str(hop("2001:db8::1"), "2001:db8::1", "bare IPv6");
	is_str(hop("[2001:db8::1]"), "2001:db8::1", "bracketed IPv6");
	is_str(hop("[2001:db8::1]:443"), "2001:db8::1", "bracketed IPv6 with a port");
	is_str(hop("\"[2001:db8::1]:443\""), "2001:db8::1", "quoted (Forwarded)");
	is_str(hop("::ffff:192.0.2.1"), "192.0.2.1", "IPv4-mapped IPv6 becomes IPv4");
	ok(!hop_ok("unknown"), "unknown refused");
	ok(!hop_ok("_hidden"), "obfuscated identifier refused");
	ok(!hop_ok(""), "empty refused");
	ok(!hop_ok("\"\""), "empty quotes refused");
	ok(!hop_ok("192.0.2"), "short IPv4 refused");
	ok(!hop_ok("0x7f.1"), "inet_aton forms refused");
	ok(!hop_ok("192.0.2.1:99999"), "port out of range refused");
	ok(!hop_ok("192.0.2.1:"), "empty port refused");
	ok(!hop_ok("192.0.2.1:80x"), "garbage port refused");
	ok(!hop_ok("[192.0.2.1]"), "IPv4 in brackets refused");
	ok(!hop_ok("[2001:db8::1"), "unclosed bracket refused");
	ok(!hop_ok("[2001:db8::1]x"), "garbage after bracket refused");
	ok(!hop_ok("fe80::1%eth0"), "zone identifier refused");
	ok(!hop_ok("\"192.0.2.1\\\""), "escape inside quotes refused");
	ok(!hop_ok("192.0.2.1 10.0.0.1"), "two addresses in one hop refused");
	ok(!hop_ok("evil.example"), "host name refused");
	ok(clientaddr_parse("2001:db8::1", 11, &a) == 0 && a.family == AF_INET6, "family IPv6");
	ok(clientaddr_loopback(&(struct clientaddr){ 0 }) == false, "zeroed is not loopback");
	a = A("127.1.2.3");
	ok(clientaddr_loopback(&a), "127/8 is loopback");
	a = A("::1");
	ok(clientaddr_loopback(&a), "::1 is loopback");
	a = A("::ffff:127.0.0.1");
	ok(clientaddr_loopback(&a), "mapped 127.0.0.1 is loopback");
	a = A("10.0.0.1");
	ok(!clientaddr_loopback(&a), "10.0.0.1 is not loopback");
}

static void
test_nets(void)
{
	const char *bad;
	size_t badlen;
	struct clientaddr_trust *t;
	struct clientaddr a;

	ok(net_ok("127.0.0.1/32"), "127.0.0.1/32");
	ok(net_ok("10.0.0.0/8"), "10.0.0.0/8");
	ok(net_ok("0.0.0.0/0"), "0.0.0.0/0");
	ok(net_ok("::1/128"), "::1/128");
	ok(net_ok("2001:db8::/32"), "2001:db8::/32");
	ok(net_ok("192.0.2.7"), "an address alone");
	ok(net_ok("::ffff:10.0.0.0/104"), "an IPv4-mapped network");
	ok(!net_ok("10.0.0.1/8"), "host bits past the prefix refused");
	ok(!net_ok("10.0.0.0/33"), "IPv4 prefix over 32 refused");
	ok(!net_ok("::/129"), "IPv6 prefix over 128 refused");
	ok(!net_ok("10.0.0.0/"), "empty prefix refused");
	ok(!net_ok("10.0.0.0/-1"), "negative prefix refused");
	ok(!net_ok("10.0.0.0/8x"), "garbage prefix refused");
	ok(!net_ok("10.0.0.0/0008"), "long prefix refused");
	ok(!net_ok("localhost"), "host name refused");
	ok(!net_ok("[::1]/128"), "brackets refused");

	t = clientaddr_trust_parse("127.0.0.1/32, 10.0.0.0/8,::1/128", &bad, &badlen);
	ok(t && t->n == 3, "list of three parsed");
	a = A("10.200.3.4");
	ok(clientaddr_trusted(t, &a), "inside 10/8");
	a = A("11.0.0.1");
	ok(!clientaddr_trusted(t, &a), "outside 10/8");
	a = A("::ffff:127.0.0.1");
	ok(clientaddr_trusted(t, &a), "mapped loopback matches 127.0.0.1/32");
	a = A("127.0.0.2");
	ok(!clientaddr_trusted(t, &a), "127.0.0.2 is not 127.0.0.1/32");
	a = A("::1");
	ok(clientaddr_trusted(t, &a), "::1 matches ::1/128");
	a = A("::2");
	ok(!clientaddr_trusted(t, &a), "::2 does not");
	free(t);
	t = clientaddr_trust_parse("10.0.0.0/8,nonsense/3", &bad, &badlen);
	ok(t == NULL, "a bad item refuses the list");
	ok(t == NULL && badlen == strlen("nonsense/3") && strncmp(bad, "nonsense/3", badlen) == 0,
	   "and names the item");
	t = clientaddr_trust_parse("2001:db8:a::/48", &bad, &badlen);
	a = A("2001:db8:a:ffff::1");
	ok(clientaddr_trusted(t, &a), "inside an IPv6 /48");
	a = A("2001:db8:b::1");
	ok(!clientaddr_trusted(t, &a), "outside it");
	a = A("10.0.0.1");
	ok(!clientaddr_trusted(t, &a), "IPv4 never matches an IPv6 network");
	free(t);
	a = A("127.0.0.1");
	ok(!clientaddr_trusted(NULL, &a), "no list trusts nobody");
}

static void
test_xff(void)
{
	trust = clientaddr_trust_parse("127.0.0.1/32,10.0.0.0/8,::1/128", &(const char *){ 0 },
				       &(size_t){ 0 });
	is_str(xff("127.0.0.1", "203.0.113.7"), "203.0.113.7", "one hop from a trusted proxy");
	is_str(xff("127.0.0.1", NULL), "127.0.0.1", "no header: the peer");
	is_str(xff("127.0.0.1", ""), "127.0.0.1", "empty header: the peer");
	is_str(xff("198.51.100.9", "203.0.113.7"), "198.51.100.9",
	       "header from an untrusted peer ignored");
	is_str(xff("198.51.100.9", "127.0.0.1"), "198.51.100.9",
	       "an untrusted peer cannot claim to be loopback");
	is_str(xff("127.0.0.1", "1.1.1.1, 2.2.2.2, 203.0.113.7"), "203.0.113.7",
	       "attacker's left-most entries skipped: the right-most untrusted wins");
	is_str(xff("127.0.0.1", "1.1.1.1, 203.0.113.7, 10.0.0.5"), "203.0.113.7",
	       "trusted hops on the right are walked past");
	is_str(xff("127.0.0.1", "10.0.0.9, 10.0.0.5"), "10.0.0.9",
	       "every hop trusted: the left-most");
	is_str(xff("127.0.0.1", "garbage, 203.0.113.7"), "203.0.113.7",
	       "garbage left of the client is never reached");
	is_str(xff("127.0.0.1", "203.0.113.7, garbage"), "127.0.0.1",
	       "garbage from the trusted proxy: the peer, not the attacker's text");
	is_str(xff("127.0.0.1", "203.0.113.7, garbage, 10.0.0.5"), "10.0.0.5",
	       "garbage stops the walk at the last hop read");
	is_str(xff("127.0.0.1", "unknown"), "127.0.0.1", "unknown: the peer");
	is_str(xff("127.0.0.1", "203.0.113.7:5555"), "203.0.113.7", "a port is dropped");
	is_str(xff("127.0.0.1", "2001:db8::7"), "2001:db8::7", "bare IPv6");
	is_str(xff("::1", "[2001:db8::7]:443"), "2001:db8::7", "IPv6 peer, bracketed hop");
	is_str(xff("::ffff:127.0.0.1", "203.0.113.7"), "203.0.113.7",
	       "mapped IPv4 peer on a dual-stack socket is trusted");
	is_str(xff("127.0.0.1", "203.0.113.7,,  ,"), "203.0.113.7", "empty items skipped");
	is_str(xff("127.0.0.1", "1.1.1.1,1.1.1.1,1.1.1.1,1.1.1.1,1.1.1.1,1.1.1.1,1.1.1.1,1.1.1.1,"
				"1.1.1.1,1.1.1.1,1.1.1.1,1.1.1.1,1.1.1.1,1.1.1.1,1.1.1.1,1.1.1.1,"
				"1.1.1.1,1.1.1.1,1.1.1.1,1.1.1.1,1.1.1.1,1.1.1.1,1.1.1.1,1.1.1.1,"
				"1.1.1.1,1.1.1.1,1.1.1.1,1.1.1.1,1.1.1.1,1.1.1.1,1.1.1.1,1.1.1.1,"
				"1.1.1.1,1.1.1.1,203.0.113.7"),
	       "203.0.113.7", "a long header: still the right-most");
	is_str(xff("127.0.0.1", "10.0.0.1,10.0.0.1,10.0.0.1,10.0.0.1,10.0.0.1,10.0.0.1,10.0.0.1,"
				"10.0.0.1,10.0.0.1,10.0.0.1,10.0.0.1,10.0.0.1,10.0.0.1,10.0.0.1,"
				"10.0.0.1,10.0.0.1,10.0.0.1,10.0.0.1,10.0.0.1,10.0.0.1,10.0.0.1,"
				"10.0.0.1,10.0.0.1,10.0.0.1,10.0.0.1,10.0.0.1,10.0.0.1,10.0.0.1,"
				"10.0.0.1,10.0.0.1,10.0.0.1,10.0.0.1,10.0.0.2,10.0.0.3"),
	       "10.0.0.1", "more trusted hops than are kept: a trusted one, never a made-up one");
}

static void
test_forwarded(void)
{
	is_str(fwd("127.0.0.1", "for=203.0.113.7"), "203.0.113.7", "for=");
	is_str(fwd("127.0.0.1", "For=203.0.113.7;proto=https;by=10.0.0.1"), "203.0.113.7",
	       "parameter names are case-insensitive; other pairs ignored");
	is_str(fwd("127.0.0.1", "for=\"[2001:db8:cafe::17]:4711\""), "2001:db8:cafe::17",
	       "quoted IPv6 with a port");
	is_str(fwd("127.0.0.1", "for=\"203.0.113.7:80\""), "203.0.113.7", "quoted IPv4 with a port");
	is_str(fwd("198.51.100.9", "for=203.0.113.7"), "198.51.100.9",
	       "from an untrusted peer ignored");
	is_str(fwd("127.0.0.1", "for=1.1.1.1, for=203.0.113.7;proto=https"), "203.0.113.7",
	       "attacker's left-most element skipped");
	is_str(fwd("127.0.0.1", "for=203.0.113.7, for=10.0.0.5"), "203.0.113.7",
	       "trusted elements walked past");
	is_str(fwd("127.0.0.1", "for=10.0.0.9, for=10.0.0.5"), "10.0.0.9",
	       "every element trusted: the left-most");
	is_str(fwd("127.0.0.1", "for=\"1.1.1.1, for=2.2.2.2\""), "127.0.0.1",
	       "a comma inside quotes does not make a hop");
	is_str(fwd("127.0.0.1", "for=\"1.1.1.1\", for=\"10.0.0.5, 10.0.0.6\""), "127.0.0.1",
	       "an unreadable right-most element: the peer");
	is_str(fwd("127.0.0.1", "for=203.0.113.7;for=1.1.1.1"), "127.0.0.1",
	       "two for= in one element: not believed");
	is_str(fwd("127.0.0.1", "proto=https;by=10.0.0.1"), "127.0.0.1", "no for=: the peer");
	is_str(fwd("127.0.0.1", "for=unknown"), "127.0.0.1", "for=unknown: the peer");
	is_str(fwd("127.0.0.1", "for=_hidden, for=10.0.0.5"), "10.0.0.5",
	       "obfuscated hop stops the walk at the trusted one");
	is_str(fwd("127.0.0.1", "for=1.1.1.1, garbage;;, for=203.0.113.7"), "203.0.113.7",
	       "garbage element left of the client is never reached");
	is_str(fwd("127.0.0.1", "for=203.0.113.7, ,"), "203.0.113.7", "empty elements skipped");
	is_str(fwd("127.0.0.1", "for=\"unterminated"), "127.0.0.1", "unterminated quote");
	is_str(fwd("127.0.0.1", "for=203.0.113.7 junk"), "127.0.0.1", "junk after a value");
	is_str(xff("127.0.0.1", "for=203.0.113.7"), "127.0.0.1",
	       "X-Forwarded-For is not read as Forwarded");
	is_str(fwd("127.0.0.1", "203.0.113.7"), "127.0.0.1", "Forwarded is not read as X-Forwarded-For");
	free(trust);
	trust = NULL;
}

int
main(void)
{
	test_addresses();
	test_nets();
	test_xff();
	test_forwarded();
	return done_testing();
}
