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
struct server *server_start(const struct conf *cf, char **cause);
/* The TCP port the server listens on. */
int server_port(const struct server *);
/*
 * 0 when the writer, scheduler and delivery threads have all gone round
 * their loops recently, else -1 with *why (caller frees) naming the one
 * that is stuck. For /healthz and the systemd watchdog.
 */
int server_health(struct server *, char **why);
/* Stop accepting, finish requests and queued writes, free everything. */
void server_stop(struct server *);

#endif
