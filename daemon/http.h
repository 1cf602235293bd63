/*
 * http: the HTTP server, over libmicrohttpd (the only file that includes
 * <microhttpd.h>).
 *
 * DESIGN. One thread per connection (MHD's thread-per-connection mode):
 * a handler may wait for the writer thread to commit without stopping any
 * other connection, which is what makes a 2xx answer to a report durable
 * without blocking the server. Limits are explicit: connection count,
 * idle timeout, thread stack, per-route body size. The request lifecycle
 * is MHD's: a context on the first call, bounded body accumulation on the
 * middle calls, dispatch on the last, release in the completion callback.
 *
 * Routes live in one table (method, pattern, handler, max body). A
 * pattern is a path whose segments may be ":name" (one segment captured).
 * 404 vs 405 is decided here; bodies over the limit get 413 here.
 *
 * Every response carries the security headers (CSP, nosniff,
 * Referrer-Policy, frame-ancestors), and Cache-Control: no-store unless
 * the handler says otherwise.
 *
 * Callers: main (start/stop) and the http_* handlers (request accessors
 * and replies).
 */
#ifndef ESTD_HTTP_H
#define ESTD_HTTP_H

#include <stddef.h>

#include <jansson.h>

struct http_request;
struct http_server;

typedef void (*http_handler)(struct http_request *, void *app);
/* Renders an error page (404, 405, 413, 500) for a path outside /api/. */
typedef void (*http_error_page)(struct http_request *, int status, void *app);

struct http_route {
	const char *method; /* "GET", "POST" */
	const char *pattern; /* "/r/:token", "/api/v1/reports" */
	http_handler handler;
	size_t max_body; /* 0: no body allowed */
};

struct http_limits {
	int max_connections;
	int timeout; /* seconds idle */
	size_t max_body; /* lowers every route's limit */
	/*
	 * Space-separated addresses of proxies whose X-Forwarded-For is
	 * believed (NULL or "": none).
	 */
	const char *trusted_proxies;
	http_error_page error_page; /* may be NULL: JSON errors */
};

/*
 * Listen on `listen` ("127.0.0.1:8080", "[::1]:0") and serve `routes`
 * (n entries, borrowed for the server's life) with `app` passed to every
 * handler. Returns a new server (http_stop) or NULL with *cause.
 */
struct http_server *http_start(const char *listen,
    const struct http_route *routes, size_t n, const struct http_limits *,
    void *app, char **cause);
/* The port actually bound (useful with port 0). */
int http_port(const struct http_server *);
/* Stop accepting, finish running requests, free the server. */
void http_stop(struct http_server *);
struct buf;
/* Append the reply counters by route and status, Prometheus text. */
void http_metrics(const struct http_server *, struct buf *);
/* Requests answered so far (heartbeat for health checks). */
unsigned long http_served(const struct http_server *);

/* Request accessors; strings are borrowed from the request. */
const char *http_method(const struct http_request *);
const char *http_path(const struct http_request *);
/* A ":name" segment of the matched pattern, or NULL. */
const char *http_param(const struct http_request *, const char *name);
const char *http_query(const struct http_request *, const char *name);
const char *http_header(const struct http_request *, const char *name);
const char *http_body(const struct http_request *, size_t *len);
/*
 * The client address as text ("127.0.0.1", "::1"); behind a trusted
 * proxy, the address it forwarded for.
 */
const char *http_client_addr(const struct http_request *);

/*
 * Replies. Each queues exactly one response; the body is copied. A
 * handler that returns without replying gets a 500.
 */
void http_reply(struct http_request *, int status, const char *type,
    const char *body, size_t len);
/* JSON reply from `doc` (a reference is stolen). */
void http_reply_json(struct http_request *, int status, json_t *doc);
/* {"error": message, "field": field} (field may be NULL). */
void http_reply_error(
    struct http_request *, int status, const char *message, const char *field);
/* 303 See Other to `location` (a path). */
void http_redirect(struct http_request *, const char *location);
/* Add a header to the coming reply (e.g. Retry-After, Set-Cookie). */
void http_add_header(
    struct http_request *, const char *name, const char *value);
/* Let the coming reply be cached for `seconds` (static files). */
void http_cacheable(struct http_request *, int seconds);

#endif
