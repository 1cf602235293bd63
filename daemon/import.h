/*
 * import: historic reports from CSV into the store (contract §7).
 *
 * The file is read whole and every row is checked against the checklist
 * and against the areas and people in the store before anything is
 * written. Rows of one (period, area, reporter) form one report; rows
 * without a reporter form one report per (period, area), stored with
 * person 0. If any row is wrong, every error found is returned with its
 * line number and the database is left as it was; otherwise all reports
 * are saved in a single transaction, each dated 12:00 local time on the
 * last day of its period. A report imported again for the same triple
 * replaces the earlier one as a new revision, so importing a file twice
 * leaves the same content.
 *
 * Orchestrates csv, report and store; no SQL, no output of its own
 * (progress goes through a callback). The local time zone must have been
 * set by clock_init.
 *
 * Callers: estctl import.
 */
#ifndef ESTD_IMPORT_H
#define ESTD_IMPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"
#include "period.h"
#include "store.h"

#define IMPORT_HEADER "period,area,reporter_email,indicator,rating,count,note"
/* Messages kept; further errors are only counted. */
#define IMPORT_ERRORS_MAX 50
/* Reports saved between two calls of the progress callback. */
#define IMPORT_PROGRESS_EVERY 10000

struct import_options {
	/*
	 * Fortnightly cadence: each period label must name the first week
	 * of a fortnight under `parity`; reports are stored per fortnight.
	 */
	bool fortnightly;
	enum fortnight_parity parity;
	/* Audit actor ("estctl"); NULL writes no audit entry. */
	const char *actor;
	/* Called every IMPORT_PROGRESS_EVERY saved reports; may be NULL. */
	void (*progress)(long saved, long total, void *arg);
	void *progress_arg;
};

struct import_result {
	long rows; /* data rows read (header excluded) */
	long reports; /* reports saved */
	long periods; /* distinct periods among them */
	long areas; /* distinct areas among them */
	long masked; /* reports whose note held personal
					   data, masked before storing */
	long n_errors; /* every error found */
	size_t n_messages; /* min(n_errors, IMPORT_ERRORS_MAX) */
	char *messages[IMPORT_ERRORS_MAX]; /* "line 7: ..." */
};

enum import_status {
	IMPORT_OK = 0,
	IMPORT_FAILED = -1, /* the store failed: *cause, nothing kept */
	IMPORT_INVALID = -2, /* the file is wrong: result->messages */
};

/*
 * Import data[0..len) (borrowed). `opts` may be NULL (weekly, no audit,
 * no progress). The result is filled in every case; its messages are
 * owned by the result (import_result_clear). On IMPORT_FAILED *cause is
 * set and owned by the caller (free(3)).
 */
enum import_status import_csv(struct store *, const struct checklist *,
    const struct import_options *, const char *data, size_t len,
    struct import_result *, char **cause);
/* Free the messages; the struct itself belongs to the caller. */
void import_result_clear(struct import_result *);

#endif
