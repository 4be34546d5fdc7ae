/* mail/smtp.c — sending one message with libcurl's SMTP (CURLOPT_MAIL_FROM/RCPT and a
 * read callback over the built message). */
#include "mail/smtp.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"

int
smtp_global_init(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_error("mail: libcurl failed to initialise");
		return -1;
	}
	return 0;
}

bool
smtp_url_valid(const char *url, bool *ret_loopback)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	bool ok = false;

	if (u == NULL)
		return false;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    (strcmp(scheme, "smtp") == 0 || strcmp(scheme, "smtps") == 0) && host[0] != '\0') {
		ok = true;
		*ret_loopback = strncmp(host, "127.", 4) == 0 || strcmp(host, "[::1]") == 0 ||
				strcasecmp(host, "localhost") == 0;
	}
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return ok;
}

struct smtp_reader {
	const char *p;
	size_t left;
};

static size_t
smtp_read(char *dst, size_t size, size_t nmemb, void *arg)
{
	struct smtp_reader *r = arg;
	size_t n = size * nmemb < r->left ? size * nmemb : r->left;

	memcpy(dst, r->p, n);
	r->p += n;
	r->left -= n;
	return n;
}

/* Shutdown must not wait for a slow server: libcurl calls this often while it works. */
static int
smtp_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	const atomic_bool *cancel = arg;

	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	return cancel && atomic_load(cancel) ? 1 : 0;
}

enum smtp_result
smtp_send(const struct mail_smtp *cfg, const char *from, const char *to, const char *msg, size_t len,
	  char *err, size_t errsize)
{
	struct smtp_reader rd = { msg, len };
	struct curl_slist *rcpt = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	bool loopback = false;
	long code = 0;
	CURLcode rc;
	CURL *h;

	err[0] = '\0';
	if ((h = curl_easy_init()) == NULL || (rcpt = curl_slist_append(NULL, to)) == NULL) {
		snprintf(err, errsize, "libcurl: out of memory");
		curl_easy_cleanup(h);
		return SMTP_RETRY;
	}
	smtp_url_valid(cfg->url, &loopback);
	curl_easy_setopt(h, CURLOPT_URL, cfg->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	/* STARTTLS is required on smtp:// (never a silent downgrade), except to a relay on
	 * this machine when the operator allowed it. smtps:// is TLS from the first byte. */
	curl_easy_setopt(h, CURLOPT_USE_SSL, (long)(cfg->plain_loopback && loopback ? CURLUSESSL_NONE : CURLUSESSL_ALL));
	if (cfg->ca_file && *cfg->ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, cfg->ca_file);
	if (cfg->user && *cfg->user) {
		curl_easy_setopt(h, CURLOPT_USERNAME, cfg->user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, cfg->password ? cfg->password : "");
	}
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, smtp_read);
	curl_easy_setopt(h, CURLOPT_READDATA, &rd);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);   /* threads: no SIGALRM for DNS timeouts */
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, cfg->timeout_ms < 10000 ? cfg->timeout_ms : 10000L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, cfg->timeout_ms);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, smtp_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, (void *)cfg->cancel);
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(h);
	if (rc == CURLE_OK)
		return SMTP_SENT;
	snprintf(err, errsize, "%s%s%s (SMTP %ld)", curl_easy_strerror(rc), errbuf[0] ? ": " : "", errbuf, code);
	/* A 5xx refuses this message for good — but not a failed sign-in (530, 534, 535),
	 * which the operator fixes while the mail waits. */
	return code >= 500 && code < 600 && (code < 530 || code > 535) ? SMTP_REJECTED : SMTP_RETRY;
}
