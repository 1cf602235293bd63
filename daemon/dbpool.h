/*
 * dbpool: a fixed set of read-only store connections shared by the HTTP
 * threads. A thread borrows one for the length of a request and gives it
 * back; when all are lent, the next thread waits (bounded: the pool is
 * small and reads are short).
 *
 * Callers: HTTP handlers through main's app.
 */
#ifndef ESTD_DBPOOL_H
#define ESTD_DBPOOL_H

#include "store.h"

struct dbpool;

/* Open n reader connections on path; NULL with *cause on failure. */
struct dbpool *dbpool_open(const char *path, int n, char **cause);
void dbpool_close(struct dbpool *);
/* Borrow a connection (never NULL); give it back with dbpool_put. */
struct store *dbpool_get(struct dbpool *);
void dbpool_put(struct dbpool *, struct store *);

#endif
