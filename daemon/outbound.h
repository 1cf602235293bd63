/*
 * outbound: estd's calls to other systems over HTTP. Two steps, each
 * safe to run at any time and from estd or estctl alike:
 *
 *   police   fetch the police's event notices for [police] locations
 *            and keep them: new ones added, changed ones updated
 *            (revision + 1), the API only ever showing the latest 500.
 *            At most one call per [police] interval (and never two
 *            within 10 s, even when asked), none before a Retry-After,
 *            with If-None-Match / If-Modified-Since when the API gave an
 *            ETag or Last-Modified. The poller's state (validators,
 *            last call, Retry-After) is in the database, so a restart
 *            does not call again early.
 *   webhook  deliver the webhook outbox: lease one due delivery at a
 *            time, POST it (signed when the webhook has a secret), and
 *            record the outcome by the webhook retry policy.
 *
 * Every request goes through fetch, and no transaction is open while it
 * runs: the notices are written in one transaction after the answer is
 * in. In estd both run on the scheduler's thread, which is not the mail
 * delivery thread: a slow police API or receiver never holds up mail.
 *
 * Callers: sched (estd), estctl police fetch and webhooks flush.
 */
#ifndef ESTD_OUTBOUND_H
#define ESTD_OUTBOUND_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "conf.h"
#include "writer.h"

/* Never two calls to the police within this many seconds. */
#define OUTBOUND_POLICE_GAP 10

/* How the caller follows a run; every member may be NULL. */
struct outbound_ctl {
	bool (*cancel)(void *arg); /* true: stop now (estd stopping) */
	void (*alive)(void *arg); /* after each exchange */
	void *arg;
};

struct outbound_police {
	bool called; /* false: not due yet, *next says when */
	time_t next; /* the earliest next call */
	long status; /* the HTTP status; 0 when no answer came */
	bool not_modified; /* 304: nothing new */
	size_t received; /* notices in the answer */
	size_t added;
	size_t updated;
	size_t unchanged;
	size_t malformed; /* skipped */
};

/*
 * One poll at `now` if it is due (or, with `force`, unless a call was
 * made within OUTBOUND_POLICE_GAP seconds or a Retry-After is running).
 * Returns 0 with *r filled (also when nothing was due), or -1 with
 * *cause (caller frees) when [police] is not enabled, the call failed
 * (no answer, an HTTP error, 429, a body that is no array of notices)
 * or the database could not be written; the failure is recorded in the
 * poller's state either way.
 */
int outbound_police_poll(const struct conf *, const struct dbwrite *,
    time_t now, bool force, const struct outbound_ctl *,
    struct outbound_police *r, char **cause);

struct outbound_counts {
	int attempted;
	int sent;
	int deferred;
	int failed;
};

/*
 * Deliver up to `limit` webhook deliveries due at the time of each
 * (clock_now), one at a time, stopping early after `budget` seconds of
 * real time (0: no budget) or when cancelled. Returns 0 with *c filled,
 * or -1 with *cause when the outbox could not be read or written.
 */
int outbound_webhook_pass(const struct conf *, const struct dbwrite *,
    int limit, int budget, const struct outbound_ctl *,
    struct outbound_counts *c, char **cause);

/* "estd/0.1.0 (+https://est.example.se)": a new string. */
char *outbound_user_agent(const struct conf *);

#endif
