/*
 * jobs: the periodic steps of the EST cycle, and the one place that knows
 * their order: update the persistence flags from the scores, compile the
 * picture, queue one digest per key function; queue reminders to
 * reporters who have not reported; when a quarter, tertial or year has
 * closed, queue its analysis to the steering group. Each step runs in
 * one transaction that also records it as done, so a restart neither
 * repeats nor skips it, and every mail is queued in the same transaction
 * as the decision that produced it. Also the housekeeping: retention
 * (daily) and the scheduled online backups.
 *
 * Backups. jobs_backup copies the database with SQLite's backup API
 * through a reader connection of its own, so the writer keeps
 * committing while it runs (in WAL mode a reader holds no lock that
 * stops the writer). A backup is written under a hidden temporary name,
 * checked with quick_check and only then renamed to
 * `dir/estd-YYYYMMDD-HHMMSS.db` (UTC, so names sort in time order
 * across DST changes), with the key file copied beside it as
 * `estd-...db.key` (mode 0600): the personal links in mail are derived
 * from that key, so a database restored without it can no longer put
 * links in mail. A crash midway leaves at most a temporary file, which
 * the next run removes.
 *
 * Restore: stop estd; copy the backup over [storage] database and its
 * .key over the key file; remove the database's -wal and -shm files if
 * any are left (they belong to the old file); start estd, which checks
 * the file and migrates it if it is older; then `estctl audit verify`.
 * tests/e2e_backup.sh does exactly this.
 *
 * Callers: sched (in estd), estctl digest and backup.
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
	bool already_done; /* recorded earlier: nothing was done */
	bool no_reports; /* nobody reported: no digest (analysis) */
	int queued; /* mails queued */
	int flags_opened;
	int flags_closed;
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
int jobs_digest(const struct conf *, const struct dbwrite *,
    const unsigned char *key, const struct tmpl_set *mail,
    const struct period *, time_t now, bool force, bool dry_run,
    struct jobs_result *, char **cause);
/* Reminders for `period` (the current one). */
int jobs_remind(const struct conf *, const struct dbwrite *,
    const unsigned char *key, const struct tmpl_set *mail,
    const struct period *, time_t now, struct jobs_result *, char **cause);

struct jobs_retention_result {
	bool already_done; /* ran today already */
	long reports; /* reports whose free text was erased */
	long revisions; /* revisions rewritten */
	long long audit_purged; /* audit entries removed */
	char text_before[11]; /* "2024-11-22", "" if kept */
	char audit_before[11];
};

/*
 * Retention, once per local day ("retention", "YYYY-MM-DD"): erase the
 * free text of reports of periods that started more than
 * [retention] free_text_days ago, and purge audit entries older than
 * audit_days, in one transaction with an audit entry saying what was
 * done. 0 days keeps that kind forever. Returns 0 or -1 with *cause.
 */
int jobs_retention(const struct conf *, const struct dbwrite *, time_t now,
    struct jobs_retention_result *, char **cause);

struct jobs_backup_result {
	bool written; /* a backup was made */
	char name[32]; /* its file name in [backup] dir */
	int removed; /* old backups deleted beyond `keep` */
};

/*
 * The scheduled backup: when [backup] dir is set and it holds no backup
 * made in the last interval_hours, write one (see above), record it
 * (job "backup", key the file name, and an audit entry) and delete the
 * oldest beyond `keep`. Returns 0 (nothing due counts as success) or -1
 * with *cause; a failed backup leaves no file behind.
 */
int jobs_backup(const struct conf *, const struct dbwrite *, time_t now,
    struct jobs_backup_result *, char **cause);
/*
 * Copy the key file ([storage] key_file) beside a backup written to
 * `backup`, as backup + ".key": created with mode 0600, never over an
 * existing file, synced. Returns 0 or -1 with *cause.
 */
int jobs_backup_key(const struct conf *, const char *backup, char **cause);
/*
 * Seconds since the newest backup in [backup] dir (by its name), or -1
 * when backups are off or there is none. For monitoring.
 */
long long jobs_backup_age(const struct conf *, time_t now);

/*
 * Reporting periods after a quarter, tertial or year has closed during
 * which its analysis is still sent: a daemon that was down when it
 * closed catches up, one started long after (on imported history) does
 * not mail an old analysis.
 */
#define JOBS_ANALYSIS_LATE 4

/*
 * The quarter or tertial ([periods] analysis) and the year whose
 * analyses are due once the digest of `digest` has been sent: each one
 * `digest` ends, or that ended at most JOBS_ANALYSIS_LATE periods
 * before it. Returns how many (0-2), written to out in that order.
 */
int jobs_analysis_due(
    const struct conf *, const struct period *digest, struct period out[2]);
/*
 * The analysis of `span` (a quarter, tertial or year that has closed):
 * one mail to each active member of the steering group with the summary
 * (digest_render_analysis), their personal link and the CSV attached as
 * analysis-2026-Q3.csv, queued in the transaction that records the job
 * ("analysis", "2026-Q3"); only the record when nobody reported in the
 * span. With `force`, run even if recorded as done (mails queued before
 * are still not queued twice). Returns 0 or -1 with *cause.
 */
int jobs_analysis(const struct conf *, const struct dbwrite *,
    const unsigned char *key, const struct tmpl_set *mail,
    const struct period *span, time_t now, bool force, struct jobs_result *,
    char **cause);

#endif
