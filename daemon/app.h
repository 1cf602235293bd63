/*
 * app: what the daemon's HTTP handlers share, built by main at start-up
 * and torn down at exit. Handlers receive it as their `app` argument and
 * treat every member as borrowed.
 */
#ifndef ESTD_APP_H
#define ESTD_APP_H

#include <time.h>

#include "conf.h"

struct dbpool;
struct http_server;
struct page_set;
struct ratelimit;
struct writer;

struct app {
	const struct conf *conf;
	struct page_set *pages;
	struct writer *writer;
	struct dbpool *db;
	struct ratelimit *ratelimit;
	struct http_server *http; /* for /metrics; may be NULL */
	time_t started;
	/*
	 * Whether the daemon's threads are alive: 0, or -1 with *why (the
	 * caller frees). Set by server; NULL in a server without them.
	 */
	int (*health)(void *ctx, char **why);
	void *health_ctx;
};

#endif
