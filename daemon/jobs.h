/*
 * jobs: the periodic steps of the EST cycle, and the one place that knows
 * their order: update the persistence flags from the scores, compile the
 * picture, queue one digest per key function; queue reminders to
 * reporters who have not reported. Each step runs in one transaction
 * that also records it as done, so a restart neither repeats nor skips
 * it, and every mail is queued in the same transaction as the decision
 * that produced it.
 *
 * Callers: sched (in estd), estctl digest.
 */
#ifndef ESTD_JOBS_H
#define ESTD_JOBS_H

#include <stdbool.h>
#include <time.h>

#include "conf.h"
#include "period.h"
#include "writer.h"

struct tmpl_set;

struct jobs_result {
	bool	already_done;	/* recorded earlier: nothing was done */
	bool	no_reports;	/* nobody reported: no digest was sent */
	int	queued;		/* mails queued */
	int	flags_opened;
	int	flags_closed;
};

/*
 * The digest of `period` (just closed): flags, then one mail per active
 * key function with areas in the picture. With `force`, run even if it
 * was recorded as done (mails already queued are still not queued
 * twice). `mail` is the set of mail templates (reporter-form/mail);
 * `key` (TOKEN_KEY_LEN bytes, or NULL) makes the personal links mail
 * carries (token_derive).
 * Returns 0 or -1 with *cause.
 */
int	jobs_digest(const struct conf *, const struct dbwrite *,
	    const unsigned char *key, const struct tmpl_set *mail,
	    const struct period *, time_t now, bool force, bool dry_run,
	    struct jobs_result *, char **cause);
/* Reminders for `period` (the current one). */
int	jobs_remind(const struct conf *, const struct dbwrite *,
	    const unsigned char *key, const struct tmpl_set *mail,
	    const struct period *, time_t now, struct jobs_result *,
	    char **cause);

#endif
