/*
 * httptest: the fixture shared by the HTTP suites (check_server,
 * check_keyweb, check_analysisweb). A temporary directory with an
 * estd.conf listening on 127.0.0.1:0 and a migrated SQLite file, the
 * clock pinned by ESTD_NOW, and libcurl requests whose replies are
 * collected into buffers. Each suite seeds its own data and keeps its
 * own assertions.
 */
#ifndef ESTD_HTTPTEST_H
#define ESTD_HTTPTEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <curl/curl.h>
#include <jansson.h>

#include "buf.h"
#include "clock.h"
#include "conf.h"
#include "server.h"
#include "store.h"
#include "token.h"
#include "xmalloc.h"

/* A reply: both buffers are the caller's (reply_clear). */
struct reply {
	long status;
	struct buf body;
	struct buf headers;
};

#define HAS(s, want)                                                           \
	ck_assert_msg(strstr((s), (want)) != NULL, "missing \"%s\"", (want))
#define HASNT(s, bad)                                                          \
	ck_assert_msg(strstr((s), (bad)) == NULL, "unexpected \"%s\"", (bad))

static inline size_t
httptest_collect(char *p, size_t size, size_t n, void *arg)
{
	buf_append(arg, p, size * n);
	return size * n;
}

/*
 * One request to the server on `port`. `cookie` (or NULL) is sent as
 * "Cookie: estd_session=..", `headers` is a NULL-terminated list (or
 * NULL), `body` (or NULL) is `len` bytes. A failed transfer fails the
 * test. The reply's buffers are the caller's (reply_clear); both hold at
 * least "".
 */
static inline void
httptest_request(int port, const char *method, const char *path,
    const char *cookie, const char *const *headers, const char *body,
    size_t len, struct reply *r)
{
	CURL *c = curl_easy_init();
	struct curl_slist *hl = NULL;
	char url[512], ch[128];

	memset(r, 0, sizeof(*r));
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (cookie != NULL) {
		snprintf(ch, sizeof(ch), "Cookie: estd_session=%s", cookie);
		hl = curl_slist_append(hl, ch);
	}
	for (; headers != NULL && *headers != NULL; headers++)
		hl = curl_slist_append(hl, *headers);
	/* No "100-continue" round trip before a body. */
	hl = curl_slist_append(hl, "Expect:");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
	}
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, httptest_collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r->body);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, httptest_collect);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &r->headers);
	ck_assert_int_eq(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	if (r->body.data == NULL)
		buf_puts(&r->body, "");
	if (r->headers.data == NULL)
		buf_puts(&r->headers, "");
}

static inline void
reply_clear(struct reply *r)
{
	buf_reset(&r->body);
	buf_reset(&r->headers);
}

/*
 * The value of header `name` ("Location") as the server spelled it, a
 * new string the caller frees, or NULL.
 */
static inline char *
httptest_header(const struct reply *r, const char *name)
{
	char want[64];
	const char *p, *end;

	snprintf(want, sizeof(want), "\n%s: ", name);
	if ((p = strstr(r->headers.data, want)) == NULL)
		return NULL;
	p += strlen(want);
	end = p + strcspn(p, "\r\n");
	return xstrndup(p, (size_t)(end - p));
}

/* The string member `key` of `o` (borrowed), or NULL. */
static inline const char *
httptest_jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* The member of doc's "areas" whose "area" is `slug` (borrowed), or NULL. */
static inline json_t *
httptest_area_of(json_t *doc, const char *slug)
{
	json_t *a;
	size_t i;

	json_array_foreach(json_object_get(doc, "areas"), i,
	    a) if (strcmp(json_string_value(json_object_get(a, "area")),
		       slug) == 0) return a;
	return NULL;
}

/*
 * Make the temporary directory from the template `dir` (rewritten in
 * place), put the database path into dbpath[dbpathsz] and write an
 * estd.conf there listening on port 0, with `server_extra` (or NULL;
 * "key = value\n" lines) added to [server]. Pin the clock to `now` and
 * ready the token module. The config is the caller's (conf_free).
 */
static inline struct conf *
httptest_conf(char *dir, char *dbpath, size_t dbpathsz,
    const char *server_extra, const char *now)
{
	char path[512], cwd[256], *cause = NULL;
	FILE *f;
	struct conf *cf;

	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(dbpath, dbpathsz, "%s/estd.db", dir);
	snprintf(path, sizeof(path), "%s/estd.conf", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f,
	    "[server]\nlisten = 127.0.0.1:0\n"
	    "%s"
	    "templates = %s/reporter-form\n"
	    "[storage]\ndatabase = estd.db\n"
	    "[smtp]\nspool = outbox\n"
	    "[checklist]\nfile = %s/config/checklist.ini\n",
	    server_extra != NULL ? server_extra : "", cwd, cwd);
	fclose(f);
	cf = conf_load(path, &cause);
	ck_assert_msg(cf != NULL, "%s", cause);
	setenv("ESTD_NOW", now, 1);
	ck_assert_int_eq(clock_init(cf->timezone, &cause), 0);
	ck_assert_int_eq(token_init(), 0);
	return cf;
}

/* The database at `dbpath` opened for writing and migrated; the caller's. */
static inline struct store *
httptest_store(const char *dbpath)
{
	char *cause = NULL;
	struct store *s;

	s = store_open(dbpath, STORE_WRITER, &cause);
	ck_assert_msg(s != NULL, "%s", cause);
	ck_assert_msg(store_migrate(s, &cause) == 0, "%s", cause);
	return s;
}

/* Start the server on `cf` (borrowed); the server is the caller's. */
static inline struct server *
httptest_start(const struct conf *cf)
{
	char *cause = NULL;
	struct server *srv;

	srv = server_start(cf, &cause);
	ck_assert_msg(srv != NULL, "%s", cause);
	return srv;
}

/*
 * Stop `srv`, free `cf`, remove the directory `dir` and put the mkdtemp
 * template back into it for the next test.
 */
static inline void
httptest_stop(
    struct server *srv, struct conf *cf, char *dir, const char *template)
{
	char cmd[300];

	server_stop(srv);
	conf_free(cf);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
	strcpy(dir, template);
}

#endif
