/*
 * ratelimit: counts failed token look-ups per client address in the
 * current minute. An address over the limit is refused (429) until the
 * minute is over. A fixed table: memory does not grow with the number of
 * addresses; two addresses sharing a slot share a count, which can only
 * make the limit stricter.
 *
 * Callers: HTTP handlers. Thread-safe.
 */
#ifndef ESTD_RATELIMIT_H
#define ESTD_RATELIMIT_H

#include <time.h>

struct ratelimit;

struct ratelimit *ratelimit_new(int per_minute);
void ratelimit_free(struct ratelimit *);
/* 1 if `addr` is over the limit at `now` (seconds), else 0. */
int ratelimit_blocked(struct ratelimit *, const char *addr, time_t now);
/* Count one failure for `addr` at `now`. */
void ratelimit_fail(struct ratelimit *, const char *addr, time_t now);
/* Seconds until the address's minute is over (for Retry-After). */
int ratelimit_retry_after(struct ratelimit *, const char *addr, time_t now);

#endif
