/*
 * server: see server.h.
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "clock.h"
#include "dbpool.h"
#include "deliver.h"
#include "digest.h"
#include "handlers.h"
#include "http.h"
#include "page.h"
#include "ratelimit.h"
#include "sched.h"
#include "server.h"
#include "tmpl.h"
#include "token.h"
#include "writer.h"
#include "xmalloc.h"

/* Reader connections shared by the HTTP threads. */
#define READERS 8

/*
 * How long each thread may go without a heartbeat before the daemon
 * counts as stuck. The writer wakes every second; the scheduler every
 * 15 s (a digest over years of history takes about a second); delivery
 * may wait on a slow relay for minutes, up to its lease.
 */
#define WRITER_STUCK 30
#define SCHED_STUCK 120
#define DELIVER_STUCK 900

struct server {
	struct app app;
	struct tmpl_set *mail;
	unsigned char key[TOKEN_KEY_LEN];
	struct deliver *deliver;
	struct sched *sched;
	struct http_server *http;
};

static int health(void *, char **);

struct server *
server_start(const struct conf *cf, char **cause)
{
	struct server *srv = xcalloc(1, sizeof(*srv));
	struct app *app = &srv->app;
	struct http_limits lim;
	char *dir;

	app->conf = cf;
	app->started = clock_now();
	if ((app->pages = page_load(cf->templates, cause)) == NULL)
		goto fail;
	if ((app->writer = writer_start(cf->database, cause)) == NULL)
		goto fail;
	if ((app->db = dbpool_open(cf->database, READERS, cause)) == NULL)
		goto fail;
	app->ratelimit = ratelimit_new(cf->failed_token_limit);
	xasprintf(&dir, "%s/mail", cf->templates);
	srv->mail = tmpl_set_load(dir, cause);
	free(dir);
	if (srv->mail == NULL || digest_check_templates(srv->mail, cause) == -1)
		goto fail;
	if (token_key_load(cf->key_file, 1, srv->key, cause) == -1)
		goto fail;
	srv->deliver = deliver_start(cf, app->writer);
	srv->sched =
	    sched_start(cf, app->writer, srv->deliver, srv->mail, srv->key);
	app->health = health;
	app->health_ctx = srv;

	memset(&lim, 0, sizeof(lim));
	lim.max_connections = cf->max_connections;
	lim.timeout = cf->connection_timeout;
	lim.max_body = (size_t)cf->max_body;
	lim.error_page = handle_error_page;
	lim.trusted_proxies = cf->trusted_proxies;
	if ((srv->http = http_start(
		 cf->listen, routes, n_routes, &lim, app, cause)) == NULL)
		goto fail;
	app->http = srv->http;
	return srv;
fail:
	server_stop(srv);
	return NULL;
}

int
server_health(struct server *srv, char **why)
{
	struct writer_stats ws;
	time_t now = time(NULL), t;

	writer_stats(srv->app.writer, &ws);
	if (now - ws.heartbeat > WRITER_STUCK) {
		xasprintf(why,
		    "the database writer has not answered for %lld "
		    "s",
		    (long long)(now - ws.heartbeat));
		return -1;
	}
	if (now - (t = sched_heartbeat(srv->sched)) > SCHED_STUCK) {
		xasprintf(why, "the scheduler has not run for %lld s",
		    (long long)(now - t));
		return -1;
	}
	if (now - (t = deliver_heartbeat(srv->deliver)) > DELIVER_STUCK) {
		xasprintf(why, "mail delivery has not run for %lld s",
		    (long long)(now - t));
		return -1;
	}
	return 0;
}

static int
health(void *ctx, char **why)
{
	return server_health(ctx, why);
}

int
server_port(const struct server *srv)
{
	return http_port(srv->http);
}

void
server_stop(struct server *srv)
{
	if (srv == NULL)
		return;
	/* Requests first, then the jobs that may queue mail, then mail. */
	http_stop(srv->http);
	sched_stop(srv->sched);
	deliver_stop(srv->deliver);
	if (srv->mail != NULL)
		tmpl_set_free(srv->mail);
	writer_stop(srv->app.writer);
	explicit_bzero(srv->key, sizeof(srv->key));
	dbpool_close(srv->app.db);
	ratelimit_free(srv->app.ratelimit);
	if (srv->app.pages != NULL)
		page_free(srv->app.pages);
	free(srv);
}
