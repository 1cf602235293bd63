/*
 * deliver: sends the outbox. One pass leases every due mail (so a crash
 * mid-send leaves it to be retried when the lease ends, with the same
 * Message-ID), hands each to the relay (or the spool folder when [smtp]
 * host is empty), and records each outcome by the outbox policy. In estd
 * the passes run on a thread of their own, so a slow relay never holds
 * up the scheduler or an HTTP request.
 *
 * Callers: main/server (the thread), estctl outbox flush (one pass).
 */
#ifndef ESTD_DELIVER_H
#define ESTD_DELIVER_H

#include <time.h>

#include "conf.h"
#include "writer.h"

struct deliver;

struct deliver_counts {
	int attempted;
	int sent;
	int deferred;
	int failed;
};

/*
 * One pass over the mail due at `now`. Returns 0 (counts filled), or -1
 * with *cause when the outbox could not be read or updated.
 */
int deliver_pass(const struct conf *, const struct dbwrite *, time_t now,
    struct deliver_counts *, char **cause);

/* The delivery thread: a pass every 30 s and whenever woken. */
struct deliver *deliver_start(const struct conf *, struct writer *);
/* New mail is queued: deliver it now rather than in up to 30 s. */
void deliver_wake(struct deliver *);
/* Finish the mail being sent (its outcome recorded), then stop. */
void deliver_stop(struct deliver *);
/* When the thread last went round its loop (for health checks). */
time_t deliver_heartbeat(struct deliver *);

#endif
