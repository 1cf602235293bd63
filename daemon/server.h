/*
 * server: estd's running parts assembled in order (writer, readers,
 * pages, rate limits, HTTP) and taken down in reverse. main runs one;
 * the HTTP tests run one in-process on port 0.
 *
 * Callers: main, tests.
 */
#ifndef ESTD_SERVER_H
#define ESTD_SERVER_H

#include "conf.h"

struct server;

/*
 * Start serving with `cf` (borrowed; must outlive the server). The clock
 * and libsodium must be initialised. Returns a new server (server_stop)
 * or NULL with *cause.
 */
struct server	*server_start(const struct conf *cf, char **cause);
/* The TCP port the server listens on. */
int		 server_port(const struct server *);
/* Stop accepting, finish requests and queued writes, free everything. */
void		 server_stop(struct server *);

#endif
