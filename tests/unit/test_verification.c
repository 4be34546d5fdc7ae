/* Unit tests for forum/verification: which work addresses are at a free-mail provider. */
#include <string.h>

#include "forum/verification.h"
#include "tap.h"

int
main(void)
{
	ok(verification_free_mail("someone@gmail.com"), "gmail.com is free mail");
	ok(verification_free_mail("Someone@GMAIL.COM"), "the domain is compared ignoring case");
	ok(verification_free_mail("a@b@outlook.com"), "the last '@' names the domain");
	ok(!verification_free_mail("me@acme.example"), "an organisation's domain is not");
	ok(!verification_free_mail("me@mail.gmail.com.evil.example"), "a domain merely containing one is not");
	ok(!verification_free_mail("me@notgmail.com"), "nor one that ends like one");
	ok(!verification_free_mail(NULL), "no address: no hint");
	ok(!verification_free_mail("gmail.com"), "no '@': no hint");
	ok(!verification_free_mail("me@"), "an empty domain: no hint");
	return done_testing();
}
