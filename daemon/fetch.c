/*
 * fetch: see fetch.h.
 *
 * DESIGN. One easy handle per request, nothing shared between requests
 * but curl's global state, set up once (curl_global_init is thread-safe
 * in the libcurl Debian ships, and pthread_once keeps it to one call
 * anyway). The body is gathered into a buffer that refuses to grow past
 * the cap: the write callback returns short and curl stops the transfer.
 * Headers are read by a callback that starts afresh at each status line,
 * so after redirects only the final response's headers are kept; a
 * redirect it sees while curl follows them is logged there.
 */
#include <ctype.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "fetch.h"
#include "log.h"
#include "xmalloc.h"

/* Seconds to connect, at most (or the whole timeout when shorter). */
#define CONNECT_TIMEOUT 10
/* A header value longer than this is not one we want. */
#define HEADER_MAX 2048

struct transfer {
	const struct fetch_request *req;
	struct fetch_response *out;
	size_t cap; /* allocated for body */
	size_t max;
	bool too_large;
	bool follow; /* redirects are followed */
	long status; /* of the response being read */
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_OK;

static void
global_init(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static size_t
on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct transfer *t = arg;
	struct fetch_response *r = t->out;
	size_t n = size * nmemb, want;

	if (n > t->max - r->len) {
		t->too_large = true;
		return 0; /* curl stops with CURLE_WRITE_ERROR */
	}
	if (r->len + n + 1 > t->cap) {
		want = t->cap == 0 ? 16384 : t->cap;
		while (want < r->len + n + 1)
			want *= 2;
		if (want > t->max + 1)
			want = t->max + 1;
		r->body = xreallocarray(r->body, want, 1);
		t->cap = want;
	}
	memcpy(r->body + r->len, data, n);
	r->len += n;
	r->body[r->len] = '\0';
	return n;
}

/* Replace *field with the value (owned), blanks trimmed. */
static void
set_header(char **field, const char *v, size_t n)
{
	while (n > 0 && isspace((unsigned char)*v)) {
		v++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)v[n - 1]))
		n--;
	free(*field);
	*field = xstrndup(v, n);
}

static size_t
on_header(char *data, size_t size, size_t nmemb, void *arg)
{
	struct transfer *t = arg;
	struct fetch_response *r = t->out;
	size_t n = size * nmemb, klen;
	const char *colon;
	char **field = NULL;
	static const struct {
		const char *name;
		size_t off;
	} wanted[] = {
	    {"content-type", offsetof(struct fetch_response, content_type)},
	    {"etag", offsetof(struct fetch_response, etag)},
	    {"last-modified", offsetof(struct fetch_response, last_modified)},
	    {"retry-after", offsetof(struct fetch_response, retry_after)},
	    {"location", offsetof(struct fetch_response, location)},
	};

	if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		/* A new response (after a redirect or a 100 Continue). */
		const char *sp = memchr(data, ' ', n);

		t->status = sp != NULL ? strtol(sp + 1, NULL, 10) : 0;
		for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]);
		     i++) {
			field = (char **)(void *)((char *)r + wanted[i].off);
			free(*field);
			*field = NULL;
		}
		return n;
	}
	if ((colon = memchr(data, ':', n)) == NULL || n > HEADER_MAX)
		return n;
	klen = (size_t)(colon - data);
	for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
		if (strlen(wanted[i].name) != klen ||
		    strncasecmp(data, wanted[i].name, klen) != 0)
			continue;
		field = (char **)(void *)((char *)r + wanted[i].off);
		set_header(field, colon + 1, n - klen - 1);
		if (t->follow && t->status >= 300 && t->status < 400 &&
		    strcmp(wanted[i].name, "location") == 0)
			log_info("%s: redirected (%ld) to %s",
			    t->req->what != NULL ? t->req->what : "fetch",
			    t->status, *field);
		break;
	}
	return n;
}

static int
on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
    curl_off_t ulnow)
{
	struct transfer *t = arg;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return t->req->cancel != NULL && t->req->cancel(t->req->cancel_arg);
}

static enum fetch_error
classify(CURLcode rc, const struct transfer *t)
{
	switch (rc) {
	case CURLE_OK: return FETCH_OK;
	case CURLE_OPERATION_TIMEDOUT: return FETCH_TIMEOUT;
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR: return FETCH_CONNECT;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_USE_SSL_FAILED: return FETCH_TLS;
	case CURLE_FILESIZE_EXCEEDED: return FETCH_TOO_LARGE;
	case CURLE_WRITE_ERROR:
		return t->too_large ? FETCH_TOO_LARGE : FETCH_OTHER;
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR: return FETCH_TRUNCATED;
	case CURLE_TOO_MANY_REDIRECTS:
	case CURLE_UNSUPPORTED_PROTOCOL: return FETCH_REDIRECTS;
	case CURLE_ABORTED_BY_CALLBACK: return FETCH_CANCELLED;
	default: return FETCH_OTHER;
	}
}

/* The words of a failure, for the log and listings (new string). */
static char *
describe(enum fetch_error e, CURLcode rc, const char *errbuf,
    const struct transfer *t)
{
	const char *detail =
	    errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
	char *s;

	switch (e) {
	case FETCH_TIMEOUT:
		xasprintf(
		    &s, "no answer within %d s (%s)", t->req->timeout, detail);
		break;
	case FETCH_CONNECT: xasprintf(&s, "cannot connect (%s)", detail); break;
	case FETCH_TLS:
		xasprintf(&s, "TLS failed, nothing was exchanged (%s)", detail);
		break;
	case FETCH_TOO_LARGE:
		xasprintf(&s,
		    "the answer is larger than %zu bytes; it was "
		    "not read",
		    t->max);
		break;
	case FETCH_TRUNCATED:
		xasprintf(&s, "the answer was cut off after %zu bytes (%s)",
		    t->out->len, detail);
		break;
	case FETCH_REDIRECTS:
		xasprintf(&s,
		    "redirects not followed: more than %d, or to an "
		    "address that is not https (%s)",
		    t->req->max_redirects, detail);
		break;
	case FETCH_CANCELLED: s = xstrdup("cancelled: estd is stopping"); break;
	default: xasprintf(&s, "%s", detail); break;
	}
	return s;
}

int
fetch(const struct fetch_request *req, struct fetch_response *out,
    enum fetch_error *err, char **cause)
{
	struct transfer t;
	struct curl_slist *hdrs = NULL;
	CURL *h = NULL;
	CURLcode rc;
	char errbuf[CURL_ERROR_SIZE], *line, *eff = NULL;
	bool https;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	memset(&t, 0, sizeof(t));
	*err = FETCH_OTHER;
	t.req = req;
	t.out = out;
	t.max = req->max_size != 0 ? req->max_size : FETCH_MAX_SIZE;
	t.follow = req->max_redirects > 0;
	errbuf[0] = '\0';

	pthread_once(&once, global_init);
	if (global_rc != CURLE_OK) {
		xasprintf(cause, "cannot initialise libcurl: %s",
		    curl_easy_strerror(global_rc));
		return -1;
	}
	if ((h = curl_easy_init()) == NULL) {
		*cause = xstrdup("cannot initialise a libcurl handle");
		return -1;
	}
	https = strncasecmp(req->url, "https:", 6) == 0;

	for (const char *const *p = req->headers; p != NULL && *p != NULL; p++)
		hdrs = curl_slist_append(hdrs, *p);
	if (req->if_none_match != NULL) {
		xasprintf(&line, "If-None-Match: %s", req->if_none_match);
		hdrs = curl_slist_append(hdrs, line);
		free(line);
	}
	if (req->if_modified_since != NULL) {
		xasprintf(
		    &line, "If-Modified-Since: %s", req->if_modified_since);
		hdrs = curl_slist_append(hdrs, line);
		free(line);
	}
	/* No "Expect: 100-continue" round trip before a body. */
	hdrs = curl_slist_append(hdrs, "Expect:");

	curl_easy_setopt(h, CURLOPT_URL, req->url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	/* Never from https down to plain http. */
	curl_easy_setopt(
	    h, CURLOPT_REDIR_PROTOCOLS_STR, https ? "https" : "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, t.follow ? 1L : 0L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, (long)req->max_redirects);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)req->timeout);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT,
	    (long)(req->timeout < CONNECT_TIMEOUT ? req->timeout
						  : CONNECT_TIMEOUT));
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)t.max);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	if (req->user_agent != NULL)
		curl_easy_setopt(h, CURLOPT_USERAGENT, req->user_agent);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, &t);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	if (req->method != NULL && strcmp(req->method, "POST") == 0) {
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(
		    h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
		curl_easy_setopt(
		    h, CURLOPT_POSTFIELDS, req->body != NULL ? req->body : "");
	}

	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
	curl_easy_getinfo(h, CURLINFO_REDIRECT_COUNT, &out->redirects);
	if (curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &eff) == CURLE_OK &&
	    eff != NULL)
		out->url = xstrdup(eff);
	*err = classify(rc, &t);
	if (*err != FETCH_OK) {
		*cause = describe(*err, rc, errbuf, &t);
		fetch_response_clear(out);
		goto done;
	}
	if (out->body == NULL)
		out->body = xstrdup("");
	ret = 0;
done:
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(h);
	return ret;
}

void
fetch_response_clear(struct fetch_response *r)
{
	free(r->body);
	free(r->content_type);
	free(r->etag);
	free(r->last_modified);
	free(r->retry_after);
	free(r->location);
	free(r->url);
	memset(r, 0, sizeof(*r));
}

time_t
fetch_retry_after(const char *value, time_t now)
{
	const char *p;
	char *end;
	long long n;
	time_t at, real;

	if (value == NULL)
		return -1;
	for (p = value; isspace((unsigned char)*p); p++)
		;
	if (isdigit((unsigned char)*p)) {
		n = strtoll(p, &end, 10);
		while (isspace((unsigned char)*end))
			end++;
		if (*end != '\0' || n < 0 || n > 366LL * 24 * 3600)
			return -1;
		return now + (time_t)n;
	}
	/*
	 * An HTTP-date is wall-clock time; estd's clock may be shifted
	 * (ESTD_NOW), so keep the distance from the real time.
	 */
	if ((at = curl_getdate(p, NULL)) == -1)
		return -1;
	real = time(NULL);
	return at <= real ? now : now + (at - real);
}
