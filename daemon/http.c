/*
 * http: see http.h.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <microhttpd.h>

#include "buf.h"
#include "http.h"
#include "log.h"
#include "xmalloc.h"

#define PARAMS_MAX 4
#define EXTRA_HEADERS 6
#define THREAD_STACK (256 * 1024)
#define POOL_SIZE (32 * 1024)

static const char csp[] =
    "default-src 'none'; style-src 'self'; "
    "img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'";

/* The statuses counted one by one for /metrics; others count as 0. */
static const int counted[] = {
    200, 201, 303, 400, 401, 403, 404, 405, 413, 422, 429, 500, 503};
#define N_COUNTED (sizeof(counted) / sizeof(counted[0]))

struct http_server {
	struct MHD_Daemon *mhd;
	/* Replies by route (the last row: no route) and status. */
	atomic_ulong (*replies)[N_COUNTED + 1];
	int fd;
	int port;
	const struct http_route *routes;
	size_t n_routes;
	void *app;
	http_error_page error_page;
	size_t max_body;
	char *trusted; /* " a b c ": trusted proxies */
	atomic_ulong served;
};

struct http_request {
	struct http_server *srv;
	struct MHD_Connection *conn;
	const struct http_route *route;
	char *method;
	char *path;
	int early_status; /* 404/405/413 decided early */
	bool too_big;
	bool replied;
	struct buf body;
	size_t n_params;
	char *param_names[PARAMS_MAX];
	char *param_values[PARAMS_MAX];
	size_t n_headers;
	char *header_names[EXTRA_HEADERS];
	char *header_values[EXTRA_HEADERS];
	int cache_seconds;
	char addr[INET6_ADDRSTRLEN];
};

/*
 * Match `path` against `pattern`; on success fill req's params (owned by
 * req). Returns 1 on a match.
 */
static int
match(const char *pattern, const char *path, struct http_request *req)
{
	const char *p = pattern, *u = path;
	size_t n = 0;
	char *names[PARAMS_MAX], *values[PARAMS_MAX];

	while (*p != '\0' && *u != '\0') {
		if (*p == ':') {
			const char *pe = strchr(p, '/'), *ue = strchr(u, '/');

			if (pe == NULL)
				pe = p + strlen(p);
			if (ue == NULL)
				ue = u + strlen(u);
			if (ue == u || n == PARAMS_MAX)
				goto no;
			names[n] = xstrndup(p + 1, (size_t)(pe - p - 1));
			values[n] = xstrndup(u, (size_t)(ue - u));
			n++;
			p = pe;
			u = ue;
			continue;
		}
		if (*p != *u)
			goto no;
		p++;
		u++;
	}
	if (*p != '\0' || *u != '\0')
		goto no;
	if (req != NULL) {
		req->n_params = n;
		memcpy(req->param_names, names, n * sizeof(*names));
		memcpy(req->param_values, values, n * sizeof(*values));
	} else {
		for (size_t i = 0; i < n; i++) {
			free(names[i]);
			free(values[i]);
		}
	}
	return 1;
no:
	for (size_t i = 0; i < n; i++) {
		free(names[i]);
		free(values[i]);
	}
	return 0;
}

static void
route_request(struct http_request *req)
{
	const struct http_server *srv = req->srv;
	bool path_known = false;
	const char *m = req->method;

	if (strcmp(m, "HEAD") == 0)
		m = "GET";
	for (size_t i = 0; i < srv->n_routes; i++) {
		const struct http_route *r = &srv->routes[i];

		if (strcmp(r->method, m) != 0) {
			if (!path_known && match(r->pattern, req->path, NULL))
				path_known = true;
			continue;
		}
		if (match(r->pattern, req->path, req)) {
			req->route = r;
			return;
		}
	}
	req->early_status = path_known ? 405 : 404;
}

static void
free_request(struct http_request *req)
{
	for (size_t i = 0; i < req->n_params; i++) {
		free(req->param_names[i]);
		free(req->param_values[i]);
	}
	for (size_t i = 0; i < req->n_headers; i++) {
		free(req->header_names[i]);
		free(req->header_values[i]);
	}
	buf_reset(&req->body);
	free(req->method);
	free(req->path);
	free(req);
}

static void
completed(void *cls, struct MHD_Connection *conn, void **req_cls,
    enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	if (*req_cls != NULL)
		free_request(*req_cls);
	*req_cls = NULL;
}

/* 1 if addr is one of the trusted proxies. */
static int
trusted_proxy(const struct http_server *srv, const char *addr)
{
	char needle[INET6_ADDRSTRLEN + 2];

	snprintf(needle, sizeof(needle), " %s ", addr);
	return strstr(srv->trusted, needle) != NULL;
}

/*
 * Behind a trusted proxy the client is the last address in
 * X-Forwarded-For that is not itself a trusted proxy; anything else in
 * the header is the client's own word and ignored.
 */
static void
forwarded_addr(struct http_request *req)
{
	const char *xff;
	char *copy, *p, *item;
	unsigned char bin[sizeof(struct in6_addr)];

	if (!trusted_proxy(req->srv, req->addr))
		return;
	xff = MHD_lookup_connection_value(
	    req->conn, MHD_HEADER_KIND, "X-Forwarded-For");
	if (xff == NULL)
		return;
	copy = xstrdup(xff);
	while ((p = strrchr(copy, ',')) != NULL || copy[0] != '\0') {
		item = p != NULL ? p + 1 : copy;
		item += strspn(item, " \t");
		item[strcspn(item, " \t")] = '\0';
		if (inet_pton(AF_INET, item, bin) != 1 &&
		    inet_pton(AF_INET6, item, bin) != 1)
			break; /* garbage: keep the proxy's address */
		if (!trusted_proxy(req->srv, item)) {
			snprintf(req->addr, sizeof(req->addr), "%s", item);
			break;
		}
		if (p == NULL)
			break;
		*p = '\0';
	}
	free(copy);
}

static void
client_addr(struct http_request *req)
{
	const union MHD_ConnectionInfo *ci;
	const struct sockaddr *sa;

	snprintf(req->addr, sizeof(req->addr), "unknown");
	ci = MHD_get_connection_info(
	    req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || (sa = ci->client_addr) == NULL)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET,
		    &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
		    req->addr, sizeof(req->addr));
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6,
		    &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
		    req->addr, sizeof(req->addr));
	forwarded_addr(req);
}

static bool
is_api(const struct http_request *req)
{
	return strncmp(req->path, "/api/", 5) == 0 ||
	    strcmp(req->path, "/healthz") == 0 ||
	    strcmp(req->path, "/metrics") == 0;
}

static void
reply_status(struct http_request *req, int status)
{
	const char *msg;

	if (!is_api(req) && req->srv->error_page != NULL) {
		req->srv->error_page(req, status, req->srv->app);
		if (req->replied)
			return;
	}
	switch (status) {
	case 400: msg = "malformed request"; break;
	case 404: msg = "no such resource"; break;
	case 405: msg = "method not allowed for this resource"; break;
	case 413: msg = "request body too large"; break;
	default: msg = "internal error"; break;
	}
	http_reply_error(req, status, msg, NULL);
}

/* How a request says where its body ends. */
struct framing {
	int n_length; /* Content-Length headers */
	int n_encoding; /* Transfer-Encoding headers */
};

static enum MHD_Result
count_framing(
    void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct framing *f = cls;

	(void)kind;
	(void)value;
	if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
		f->n_length++;
	else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0)
		f->n_encoding++;
	return MHD_YES;
}

/*
 * 1 if the request frames its body in more than one way: two
 * Content-Length headers, two Transfer-Encoding headers, or both kinds.
 * libmicrohttpd 0.9.75 reads such a request by one of them and ignores
 * the other, where a proxy in front may have read it by the other; so
 * it is refused and the connection closed (RFC 9112 6.3).
 */
static int
ambiguous_framing(struct MHD_Connection *conn)
{
	struct framing f = {0, 0};

	MHD_get_connection_values(conn, MHD_HEADER_KIND, count_framing, &f);
	return f.n_length > 1 || f.n_encoding > 1 ||
	    (f.n_length > 0 && f.n_encoding > 0);
}

/* The route's own limit, lowered by the configured one. */
static size_t
body_limit(const struct http_request *req)
{
	size_t lim = req->route->max_body;

	if (req->srv->max_body > 0 && req->srv->max_body < lim)
		lim = req->srv->max_body;
	return lim;
}

static enum MHD_Result
access_cb(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **req_cls)
{
	struct http_server *srv = cls;
	struct http_request *req = *req_cls;

	(void)version;
	if (req == NULL) {
		const char *cl;

		req = xcalloc(1, sizeof(*req));
		req->srv = srv;
		req->conn = conn;
		req->method = xstrdup(method);
		req->path = xstrdup(url);
		*req_cls = req;
		client_addr(req);
		route_request(req);
		if (ambiguous_framing(conn)) {
			log_info("%s from %s: ambiguous body framing refused",
			    req->method, req->addr);
			http_add_header(
			    req, MHD_HTTP_HEADER_CONNECTION, "close");
			reply_status(req, 400);
			return req->replied ? MHD_YES : MHD_NO;
		}
		cl = MHD_lookup_connection_value(
		    conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (req->route != NULL && cl != NULL) {
			char *end;
			unsigned long long n;

			errno = 0;
			n = strtoull(cl, &end, 10);
			if (errno != 0 || *end != '\0' || n > body_limit(req))
				req->early_status = 413;
		}
		if (req->early_status != 0) {
			reply_status(req, req->early_status);
			return req->replied ? MHD_YES : MHD_NO;
		}
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		if (req->replied) {
			*upload_data_size = 0;
			return MHD_YES;
		}
		if (req->body.len + *upload_data_size > body_limit(req))
			req->too_big = true;
		else
			buf_append(&req->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (req->replied)
		return MHD_YES;
	if (req->too_big) {
		reply_status(req, 413);
		return MHD_YES;
	}
	req->route->handler(req, srv->app);
	if (!req->replied) {
		log_warnx("%s %s: handler gave no answer", req->method,
		    req->route->pattern);
		reply_status(req, 500);
	}
	atomic_fetch_add(&srv->served, 1);
	return req->replied ? MHD_YES : MHD_NO;
}

static void
mhd_logger(void *cls, const char *fmt, va_list ap)
{
	char line[512];

	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_warnx("http: %s", line);
}

/* Parse "host:port" or "[v6]:port" and return a listening socket. */
static int
listen_socket(const char *listen_addr, int *port, char **cause)
{
	char *host = NULL, *colon;
	const char *service;
	struct addrinfo hints, *res = NULL;
	int fd = -1, on = 1, rc;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if (listen_addr[0] == '[') {
		const char *close = strchr(listen_addr, ']');

		if (close == NULL || close[1] != ':')
			goto bad;
		host = xstrndup(
		    listen_addr + 1, (size_t)(close - listen_addr - 1));
		service = close + 2;
	} else {
		if ((colon = strrchr(listen_addr, ':')) == NULL)
			goto bad;
		host = xstrndup(listen_addr, (size_t)(colon - listen_addr));
		service = colon + 1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((rc = getaddrinfo(host[0] ? host : NULL, service, &hints, &res)) !=
	    0) {
		xasprintf(
		    cause, "listen %s: %s", listen_addr, gai_strerror(rc));
		goto fail;
	}
	fd = socket(
	    res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol);
	if (fd == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1 ||
	    bind(fd, res->ai_addr, res->ai_addrlen) == -1 ||
	    listen(fd, 1024) == -1 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl) == -1) {
		xasprintf(cause, "listen %s: %s", listen_addr, strerror(errno));
		if (fd != -1)
			close(fd);
		fd = -1;
		goto fail;
	}
	if (ss.ss_family == AF_INET6)
		*port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	else
		*port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	goto fail; /* done: clean up */
bad:
	xasprintf(cause, "listen \"%s\": expected host:port or [v6]:port",
	    listen_addr);
fail:
	if (res != NULL)
		freeaddrinfo(res);
	free(host);
	return fd;
}

struct http_server *
http_start(const char *listen_addr, const struct http_route *routes, size_t n,
    const struct http_limits *lim, void *app, char **cause)
{
	struct http_server *srv = xcalloc(1, sizeof(*srv));

	srv->routes = routes;
	srv->n_routes = n;
	srv->replies = xcalloc(n + 1, sizeof(*srv->replies));
	srv->app = app;
	srv->error_page = lim->error_page;
	srv->max_body = lim->max_body;
	xasprintf(&srv->trusted, " %s ",
	    lim->trusted_proxies != NULL ? lim->trusted_proxies : "");
	if ((srv->fd = listen_socket(listen_addr, &srv->port, cause)) == -1) {
		free(srv->replies);
		free(srv->trusted);
		free(srv);
		return NULL;
	}
	srv->mhd = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION |
		MHD_USE_POLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC,
	    0, NULL, NULL, access_cb, srv, MHD_OPTION_EXTERNAL_LOGGER,
	    mhd_logger, (void *)NULL, MHD_OPTION_LISTEN_SOCKET, srv->fd,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)lim->max_connections,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)lim->timeout,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)POOL_SIZE,
	    MHD_OPTION_THREAD_STACK_SIZE, (size_t)THREAD_STACK,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, (void *)NULL,
	    MHD_OPTION_END);
	if (srv->mhd == NULL) {
		xasprintf(cause, "listen %s: the HTTP server did not start",
		    listen_addr);
		close(srv->fd);
		free(srv->replies);
		free(srv->trusted);
		free(srv);
		return NULL;
	}
	return srv;
}

int
http_port(const struct http_server *srv)
{
	return srv->port;
}

unsigned long
http_served(const struct http_server *srv)
{
	return atomic_load(&srv->served);
}

void
http_stop(struct http_server *srv)
{
	if (srv == NULL)
		return;
	MHD_quiesce_daemon(srv->mhd);
	MHD_stop_daemon(srv->mhd);
	close(srv->fd);
	free(srv->replies);
	free(srv->trusted);
	free(srv);
}

const char *
http_method(const struct http_request *req)
{
	return req->method;
}

const char *
http_path(const struct http_request *req)
{
	return req->path;
}

const char *
http_param(const struct http_request *req, const char *name)
{
	for (size_t i = 0; i < req->n_params; i++)
		if (strcmp(req->param_names[i], name) == 0)
			return req->param_values[i];
	return NULL;
}

const char *
http_query(const struct http_request *req, const char *name)
{
	return MHD_lookup_connection_value(
	    req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *
http_header(const struct http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *
http_body(const struct http_request *req, size_t *len)
{
	*len = req->body.len;
	return req->body.data != NULL ? req->body.data : "";
}

const char *
http_client_addr(const struct http_request *req)
{
	return req->addr;
}

void
http_add_header(struct http_request *req, const char *name, const char *value)
{
	if (req->n_headers == EXTRA_HEADERS) {
		log_warnx(
		    "http: too many headers for one reply, %s dropped", name);
		return;
	}
	req->header_names[req->n_headers] = xstrdup(name);
	req->header_values[req->n_headers] = xstrdup(value);
	req->n_headers++;
}

void
http_cacheable(struct http_request *req, int seconds)
{
	req->cache_seconds = seconds;
}

static void
count_reply(struct http_request *req, int status)
{
	size_t row, col;

	row = req->route != NULL ? (size_t)(req->route - req->srv->routes)
				 : req->srv->n_routes;
	for (col = 0; col < N_COUNTED && counted[col] != status; col++)
		;
	atomic_fetch_add(&req->srv->replies[row][col], 1);
}

void
http_metrics(const struct http_server *srv, struct buf *b)
{
	buf_puts(b,
	    "# HELP estd_http_requests_total HTTP requests answered, "
	    "by route and status.\n"
	    "# TYPE estd_http_requests_total counter\n");
	for (size_t row = 0; row <= srv->n_routes; row++) {
		const char *method =
		    row < srv->n_routes ? srv->routes[row].method : "";
		const char *route =
		    row < srv->n_routes ? srv->routes[row].pattern : "unknown";

		for (size_t col = 0; col <= N_COUNTED; col++) {
			unsigned long n = atomic_load(&srv->replies[row][col]);

			if (n == 0)
				continue;
			buf_printf(b,
			    "estd_http_requests_total{method=\"%s\","
			    "route=\"%s\",status=\"%d\"} %lu\n",
			    method, route, col < N_COUNTED ? counted[col] : 0,
			    n);
		}
	}
}

void
http_reply(struct http_request *req, int status, const char *type,
    const char *body, size_t len)
{
	struct MHD_Response *resp;
	char cc[64];

	if (req->replied) {
		/* The route, not the path: a path may hold a token. */
		log_warnx("http: second reply to %s %s dropped", req->method,
		    req->route != NULL ? req->route->pattern : "(no route)");
		return;
	}
	resp = MHD_create_response_from_buffer(
	    len, (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		fatalx("http: cannot create a response");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(resp, "Content-Security-Policy", csp);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	if (req->cache_seconds > 0)
		snprintf(
		    cc, sizeof(cc), "public, max-age=%d", req->cache_seconds);
	else
		snprintf(cc, sizeof(cc), "no-store");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, cc);
	for (size_t i = 0; i < req->n_headers; i++)
		MHD_add_response_header(
		    resp, req->header_names[i], req->header_values[i]);
	if (MHD_queue_response(req->conn, (unsigned int)status, resp) !=
	    MHD_YES)
		log_warnx("http: could not queue a %d reply", status);
	MHD_destroy_response(resp);
	req->replied = true;
	count_reply(req, status);
}

void
http_reply_json(struct http_request *req, int status, json_t *doc)
{
	char *s = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(15));
	size_t len;

	json_decref(doc);
	if (s == NULL)
		fatalx("http: cannot serialise a JSON reply");
	len = strlen(s);
	s = xreallocarray(s, len + 2, 1);
	s[len++] = '\n';
	s[len] = '\0';
	http_reply(req, status, "application/json; charset=utf-8", s, len);
	free(s);
}

void
http_reply_error(struct http_request *req, int status, const char *message,
    const char *field)
{
	json_t *doc = json_pack("{s:s}", "error", message);

	if (field != NULL && field[0] != '\0')
		json_object_set_new(doc, "field", json_string(field));
	http_reply_json(req, status, doc);
}

void
http_redirect(struct http_request *req, const char *location)
{
	static const char body[] = "See Other\n";

	http_add_header(req, MHD_HTTP_HEADER_LOCATION, location);
	http_reply(
	    req, 303, "text/plain; charset=utf-8", body, sizeof(body) - 1);
}
