/*
 * Tests of fetch, against a small HTTP server on loopback run by a
 * thread of the test: each test sets how it answers (or misbehaves) and
 * what it received is checked afterwards.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fetch.h"
#include "testutil.h"

struct server {
	int fd;
	int port;
	pthread_t thread;
	/* What to answer, in order, one per connection. */
	const char *answers[4];
	size_t n_answers;
	int delay; /* seconds before answering */
	bool raw; /* answer after the first read */
	char request[8192]; /* the last request, headers + body */
};

static void
read_request(int c, char *buf, size_t size)
{
	size_t len = 0, want = 0;
	ssize_t n;
	char *end, *cl;

	buf[0] = '\0';
	while (len + 1 < size) {
		if ((n = read(c, buf + len, size - 1 - len)) <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		if ((end = strstr(buf, "\r\n\r\n")) == NULL)
			continue;
		if (want == 0) {
			cl = strcasestr(buf, "Content-Length:");
			want = (size_t)(end + 4 - buf) +
			    (cl != NULL && cl < end ? strtoul(cl + 15, NULL, 10)
						    : 0);
		}
		if (len >= want)
			break;
	}
}

static void *
serve(void *arg)
{
	struct server *s = arg;

	for (size_t i = 0; i < s->n_answers; i++) {
		int c = accept(s->fd, NULL, NULL);

		if (c == -1)
			break;
		if (s->raw)
			(void)!read(c, s->request, sizeof(s->request) - 1);
		else
			read_request(c, s->request, sizeof(s->request));
		if (s->delay > 0)
			sleep((unsigned)s->delay);
		(void)!write(c, s->answers[i], strlen(s->answers[i]));
		close(c);
	}
	return NULL;
}

static void
server_start(struct server *s)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int one = 1;

	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(s->fd, 0);
	setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(s->fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(listen(s->fd, 4), 0);
	getsockname(s->fd, (struct sockaddr *)&sin, &len);
	s->port = ntohs(sin.sin_port);
	ck_assert_int_eq(pthread_create(&s->thread, NULL, serve, s), 0);
}

static void
server_stop(struct server *s)
{
	shutdown(s->fd, SHUT_RDWR);
	pthread_join(s->thread, NULL);
	close(s->fd);
}

static void
request_init(struct fetch_request *req, char *url, size_t size,
    const struct server *s, const char *path)
{
	memset(req, 0, sizeof(*req));
	snprintf(url, size, "http://127.0.0.1:%d%s", s->port, path);
	req->url = url;
	req->user_agent = "estd/test (+http://example.org)";
	req->timeout = 5;
	req->what = "test";
}

START_TEST(test_get_headers)
{
	struct server s = {
	    .answers =
		{"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
		 "ETag: \"v1\"\r\nLast-Modified: Fri, 20 Nov 2026 07:05:00 "
		 "GMT\r\n"
		 "Content-Length: 7\r\nConnection: close\r\n\r\n[1,2,3]"},
	    .n_answers = 1};
	struct fetch_request req;
	struct fetch_response r;
	enum fetch_error err;
	char url[128], *cause = NULL;

	server_start(&s);
	request_init(&req, url, sizeof(url), &s, "/api/events");
	req.if_none_match = "\"v0\"";
	req.if_modified_since = "Thu, 19 Nov 2026 07:05:00 GMT";
	ck_assert_int_eq(fetch(&req, &r, &err, &cause), 0);
	server_stop(&s);
	ck_assert_int_eq(r.status, 200);
	ck_assert_uint_eq(r.len, 7);
	ck_assert_str_eq(r.body, "[1,2,3]");
	ck_assert_str_eq(r.etag, "\"v1\"");
	ck_assert_str_eq(r.last_modified, "Fri, 20 Nov 2026 07:05:00 GMT");
	ck_assert_str_eq(r.content_type, "application/json");
	ck_assert_ptr_null(r.retry_after);
	ck_assert_ptr_nonnull(strstr(s.request, "GET /api/events HTTP/1.1"));
	ck_assert_ptr_nonnull(
	    strstr(s.request, "User-Agent: estd/test (+http://example.org)"));
	ck_assert_ptr_nonnull(strstr(s.request, "If-None-Match: \"v0\""));
	ck_assert_ptr_nonnull(strstr(
	    s.request, "If-Modified-Since: Thu, 19 Nov 2026 07:05:00 GMT"));
	fetch_response_clear(&r);
}
END_TEST

START_TEST(test_post_body)
{
	struct server s = {.answers = {"HTTP/1.1 503 Busy\r\nRetry-After: "
				       "120\r\nContent-Length: 0\r\n"
				       "Connection: close\r\n\r\n"},
	    .n_answers = 1};
	const char *headers[] = {"Content-Type: application/json",
	    "X-Estd-Signature: sha256=00", NULL};
	struct fetch_request req;
	struct fetch_response r;
	enum fetch_error err;
	char url[128], *cause = NULL;

	server_start(&s);
	request_init(&req, url, sizeof(url), &s, "/hook");
	req.method = "POST";
	req.headers = headers;
	req.body = "{\"a\":\"\xc3\xb6\"}";
	req.body_len = strlen(req.body);
	ck_assert_int_eq(fetch(&req, &r, &err, &cause), 0);
	server_stop(&s);
	/* Any status is a response; the caller judges it. */
	ck_assert_int_eq(r.status, 503);
	ck_assert_str_eq(r.retry_after, "120");
	ck_assert_str_eq(r.body, "");
	ck_assert_ptr_nonnull(strstr(s.request, "POST /hook HTTP/1.1"));
	ck_assert_ptr_nonnull(strstr(s.request, "X-Estd-Signature: sha256=00"));
	ck_assert_ptr_null(strstr(s.request, "Expect:"));
	ck_assert_ptr_nonnull(
	    strstr(s.request, "\r\n\r\n{\"a\":\"\xc3\xb6\"}"));
	fetch_response_clear(&r);
}
END_TEST

START_TEST(test_too_large_by_length)
{
	struct server s = {
	    .answers = {"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n"
			"Connection: close\r\n\r\nxxxx"},
	    .n_answers = 1};
	struct fetch_request req;
	struct fetch_response r;
	enum fetch_error err;
	char url[128], *cause = NULL;

	server_start(&s);
	request_init(&req, url, sizeof(url), &s, "/");
	req.max_size = 1000;
	ck_assert_int_eq(fetch(&req, &r, &err, &cause), -1);
	server_stop(&s);
	ck_assert_int_eq(err, FETCH_TOO_LARGE);
	ck_assert_str_eq(cause,
	    "the answer is larger than 1000 bytes; it was "
	    "not read");
	ck_assert_ptr_null(r.body);
	free(cause);
}
END_TEST

START_TEST(test_too_large_unannounced)
{
	static char big[4096];
	struct server s = {.n_answers = 1};
	struct fetch_request req;
	struct fetch_response r;
	enum fetch_error err;
	char url[128], *cause = NULL;

	/* No Content-Length: the cap is found while reading. */
	snprintf(big, sizeof(big),
	    "HTTP/1.1 200 OK\r\nConnection: close\r\n"
	    "\r\n");
	memset(big + strlen(big), '[', 3000);
	s.answers[0] = big;
	server_start(&s);
	request_init(&req, url, sizeof(url), &s, "/");
	req.max_size = 1000;
	ck_assert_int_eq(fetch(&req, &r, &err, &cause), -1);
	server_stop(&s);
	ck_assert_int_eq(err, FETCH_TOO_LARGE);
	free(cause);
}
END_TEST

START_TEST(test_truncated)
{
	struct server s = {
	    .answers = {"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n"
			"Connection: close\r\n\r\n[{\"id\": 1,"},
	    .n_answers = 1};
	struct fetch_request req;
	struct fetch_response r;
	enum fetch_error err;
	char url[128], *cause = NULL;

	server_start(&s);
	request_init(&req, url, sizeof(url), &s, "/");
	ck_assert_int_eq(fetch(&req, &r, &err, &cause), -1);
	server_stop(&s);
	ck_assert_int_eq(err, FETCH_TRUNCATED);
	ck_assert_ptr_nonnull(strstr(cause, "cut off after 10 bytes"));
	free(cause);
}
END_TEST

START_TEST(test_timeout)
{
	struct server s = {
	    .answers = {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n[]"},
	    .n_answers = 1,
	    .delay = 3};
	struct fetch_request req;
	struct fetch_response r;
	enum fetch_error err;
	char url[128], *cause = NULL;

	server_start(&s);
	request_init(&req, url, sizeof(url), &s, "/");
	req.timeout = 1;
	ck_assert_int_eq(fetch(&req, &r, &err, &cause), -1);
	ck_assert_int_eq(err, FETCH_TIMEOUT);
	ck_assert_ptr_nonnull(strstr(cause, "no answer within 1 s"));
	server_stop(&s);
	free(cause);
}
END_TEST

static bool
cancel_now(void *arg)
{
	(void)arg;
	return true;
}

START_TEST(test_cancel)
{
	struct server s = {
	    .answers = {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n[]"},
	    .n_answers = 1,
	    .delay = 2};
	struct fetch_request req;
	struct fetch_response r;
	enum fetch_error err;
	char url[128], *cause = NULL;

	server_start(&s);
	request_init(&req, url, sizeof(url), &s, "/");
	req.cancel = cancel_now;
	ck_assert_int_eq(fetch(&req, &r, &err, &cause), -1);
	ck_assert_int_eq(err, FETCH_CANCELLED);
	server_stop(&s);
	free(cause);
}
END_TEST

START_TEST(test_redirects)
{
	struct server s = {.n_answers = 3};
	struct fetch_request req;
	struct fetch_response r;
	enum fetch_error err;
	char url[128], a0[256], a1[256], *cause = NULL;

	s.answers[2] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
		       "Connection: close\r\n\r\n[]";
	server_start(&s);
	snprintf(a0, sizeof(a0),
	    "HTTP/1.1 301 Moved\r\nLocation: "
	    "http://127.0.0.1:%d/b\r\nContent-Length: 0\r\nConnection: close"
	    "\r\n\r\n",
	    s.port);
	snprintf(a1, sizeof(a1),
	    "HTTP/1.1 302 Found\r\nLocation: /c\r\n"
	    "Content-Length: 0\r\nConnection: close\r\n\r\n");
	s.answers[0] = a0;
	s.answers[1] = a1;
	request_init(&req, url, sizeof(url), &s, "/a");
	req.max_redirects = 3;
	ck_assert_int_eq(fetch(&req, &r, &err, &cause), 0);
	server_stop(&s);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(r.redirects, 2);
	snprintf(a0, sizeof(a0), "http://127.0.0.1:%d/c", s.port);
	ck_assert_str_eq(r.url, a0);
	ck_assert_ptr_null(r.location);
	fetch_response_clear(&r);
}
END_TEST

START_TEST(test_redirects_limited)
{
	struct server s = {.n_answers = 2};
	struct fetch_request req;
	struct fetch_response r;
	enum fetch_error err;
	char url[128], *cause = NULL;

	s.answers[0] = "HTTP/1.1 302 Found\r\nLocation: /b\r\n"
		       "Content-Length: 0\r\nConnection: close\r\n\r\n";
	s.answers[1] = "HTTP/1.1 302 Found\r\nLocation: /c\r\n"
		       "Content-Length: 0\r\nConnection: close\r\n\r\n";
	server_start(&s);
	request_init(&req, url, sizeof(url), &s, "/a");
	req.max_redirects = 1;
	ck_assert_int_eq(fetch(&req, &r, &err, &cause), -1);
	ck_assert_int_eq(err, FETCH_REDIRECTS);
	free(cause);
	cause = NULL;
	server_stop(&s);

	/* Not following: the redirect is the answer, with its Location. */
	s.n_answers = 1;
	server_start(&s);
	request_init(&req, url, sizeof(url), &s, "/a");
	ck_assert_int_eq(fetch(&req, &r, &err, &cause), 0);
	server_stop(&s);
	ck_assert_int_eq(r.status, 302);
	ck_assert_str_eq(r.location, "/b");
	fetch_response_clear(&r);
}
END_TEST

START_TEST(test_connect_refused)
{
	struct server s = {.n_answers = 0};
	struct fetch_request req;
	struct fetch_response r;
	enum fetch_error err;
	char url[128], *cause = NULL;

	/* A port that was just free: nobody listens on it any more. */
	server_start(&s);
	server_stop(&s);
	request_init(&req, url, sizeof(url), &s, "/");
	ck_assert_int_eq(fetch(&req, &r, &err, &cause), -1);
	ck_assert_int_eq(err, FETCH_CONNECT);
	ck_assert_ptr_nonnull(strstr(cause, "cannot connect"));
	free(cause);
}
END_TEST

START_TEST(test_tls_refused)
{
	struct server s = {
	    .answers = {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n[]"},
	    .n_answers = 1,
	    .raw = true};
	struct fetch_request req;
	struct fetch_response r;
	enum fetch_error err;
	char url[128], *cause = NULL;

	/* https:// to a server that speaks plain HTTP: no handshake. */
	server_start(&s);
	request_init(&req, url, sizeof(url), &s, "/");
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/", s.port);
	ck_assert_int_eq(fetch(&req, &r, &err, &cause), -1);
	server_stop(&s);
	ck_assert_int_eq(err, FETCH_TLS);
	ck_assert_ptr_nonnull(strstr(cause, "TLS failed"));
	free(cause);
}
END_TEST

START_TEST(test_retry_after)
{
	const time_t now = 1800000000;

	ck_assert_int_eq(fetch_retry_after("120", now), now + 120);
	ck_assert_int_eq(fetch_retry_after(" 0 ", now), now);
	ck_assert_int_eq(fetch_retry_after("soon", now), -1);
	ck_assert_int_eq(fetch_retry_after("-5", now), -1);
	ck_assert_int_eq(fetch_retry_after("12x", now), -1);
	ck_assert_int_eq(fetch_retry_after(NULL, now), -1);
	/* A date already past: now. */
	ck_assert_int_eq(
	    fetch_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now), now);
	/* A date a day ahead of the real clock: a day ahead of now. */
	{
		char date[64];
		time_t t = time(NULL) + 86400;
		struct tm tm;
		time_t got;

		gmtime_r(&t, &tm);
		strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
		got = fetch_retry_after(date, now);
		ck_assert(got >= now + 86400 - 2 && got <= now + 86400);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("fetch");
	TCase *tc = tcase_create("http");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_get_headers);
	tcase_add_test(tc, test_post_body);
	tcase_add_test(tc, test_too_large_by_length);
	tcase_add_test(tc, test_too_large_unannounced);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_timeout);
	tcase_add_test(tc, test_cancel);
	tcase_add_test(tc, test_redirects);
	tcase_add_test(tc, test_redirects_limited);
	tcase_add_test(tc, test_connect_refused);
	tcase_add_test(tc, test_tls_refused);
	tcase_add_test(tc, test_retry_after);
	suite_add_tcase(s, tc);
	return testutil_run(s);
}
