/*
 * sched: estd's scheduler. One thread that wakes every few seconds, works
 * out which wall-clock jobs are due in the configured time zone
 * (DST-correct, ESTD_NOW honoured), and runs them through jobs. Jobs are
 * recorded in the database when done, so a daemon that was down on
 * Monday 08:00 sends the digest when it comes back, and one restarted
 * after sending it does not send it again.
 *
 * Callers: server.
 */
#ifndef ESTD_SCHED_H
#define ESTD_SCHED_H

#include <time.h>

#include "conf.h"
#include "period.h"

struct deliver;
struct sched;
struct tmpl_set;
struct writer;

/*
 * The period whose digest is due at `now`: the one before the period
 * containing the last digest_at instant at or before now. *at is that
 * instant.
 */
void sched_digest_period(
    const struct conf *, time_t now, struct period *, time_t *at);
/*
 * The period whose reminder is due at `now`, if reminder_at in the last
 * week of the current period has passed: returns 1 and fills *p and *at;
 * else 0.
 */
int sched_reminder_period(
    const struct conf *, time_t now, struct period *, time_t *at);

/* `mail` and `key` (the link key, or NULL) are borrowed. */
struct sched *sched_start(const struct conf *, struct writer *,
    struct deliver *, const struct tmpl_set *mail, const unsigned char *key);
void sched_stop(struct sched *);
time_t sched_heartbeat(struct sched *);

#endif
