/*
 * fetch: HTTP requests out of estd, with libcurl. The only file that
 * includes <curl/curl.h>.
 *
 * Every request is bounded: a timeout for the whole exchange (and a
 * shorter one for connecting), a cap on the response body (checked
 * against Content-Length before the body comes, and while it comes), at
 * most `max_redirects` redirects, each one logged, to http or https only
 * and never from https down to http. TLS peers are verified against the
 * system's CA store, host name included. A transfer can be cancelled
 * (the daemon stopping) through a callback curl polls.
 *
 * Callers: outbound (the police poller and webhook delivery), on the
 * scheduler thread or in estctl; never an HTTP handler.
 */
#ifndef ESTD_FETCH_H
#define ESTD_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* Largest response body when the caller gives none. */
#define FETCH_MAX_SIZE (4u * 1024 * 1024)

struct fetch_request {
	const char *method; /* "GET" (NULL) or "POST" */
	const char *url;
	const char *const *headers; /* "Name: value", NULL-terminated */
	const void *body; /* POST */
	size_t body_len;
	const char *user_agent;
	int timeout; /* seconds, the whole exchange */
	size_t max_size; /* 0: FETCH_MAX_SIZE */
	int max_redirects; /* 0: redirects are not followed */
	const char *if_none_match; /* an ETag, or NULL */
	const char *if_modified_since; /* a Last-Modified, or NULL */
	/* Polled during the transfer; true stops it. May be NULL. */
	bool (*cancel)(void *arg);
	void *cancel_arg;
	/* Prefix of the log lines about redirects ("police"). */
	const char *what;
};

/* Why no response came. */
enum fetch_error {
	FETCH_OK,
	FETCH_TIMEOUT, /* too slow: connecting or in all */
	FETCH_CONNECT, /* no connection: refused, no route, DNS */
	FETCH_TLS, /* handshake or certificate refused */
	FETCH_TOO_LARGE, /* the body is over max_size */
	FETCH_TRUNCATED, /* the connection ended inside the body */
	FETCH_REDIRECTS, /* too many, or to a scheme not allowed */
	FETCH_CANCELLED,
	FETCH_OTHER,
};

/*
 * A response. Strings are owned (fetch_response_clear) and NULL when the
 * server did not send them; headers are those of the last response when
 * redirects were followed.
 */
struct fetch_response {
	long status;
	char *body; /* NUL-terminated, len bytes before it */
	size_t len;
	char *content_type;
	char *etag;
	char *last_modified;
	char *retry_after;
	char *location; /* of a redirect not followed */
	char *url; /* the URL that answered */
	long redirects; /* followed */
};

/*
 * Make the request. Returns 0 when a response came, whatever its status
 * (*out filled), or -1 with *err and *cause (caller frees) saying why
 * not, in words for a log line.
 */
int fetch(const struct fetch_request *, struct fetch_response *out,
    enum fetch_error *err, char **cause);
void fetch_response_clear(struct fetch_response *);

/*
 * A Retry-After value, delta-seconds or an HTTP-date, as an instant
 * after `now`; -1 if it is neither.
 */
time_t fetch_retry_after(const char *value, time_t now);

#endif
