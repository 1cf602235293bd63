/*
 * store: the SQLite database, and the only file with SQL.
 *
 * WAL, synchronous=FULL, foreign keys on, busy timeout, schema migrated by
 * PRAGMA user_version. Every write transaction starts with BEGIN
 * IMMEDIATE. In estd exactly one writer connection (the writer thread)
 * does all writes and checkpoints; HTTP threads use reader connections
 * opened with STORE_READER, which refuse to write. estctl opens its own
 * writer connection for short admin transactions and never checkpoints
 * (wal_autocheckpoint=0), which keeps the daemon the only checkpointer.
 *
 * A struct store is used by one thread at a time.
 *
 * Functions return 0 on success and -1 on failure; where the caller needs
 * the reason they fill *cause (owned by the caller, free(3)). Structs they
 * fill own their strings; release them with the matching _clear/_free.
 *
 * Callers: orchestrators (main, writer, submit, estctl) and HTTP handlers
 * through reader connections.
 */
#ifndef ESTD_STORE_H
#define ESTD_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "conf.h"
#include "period.h"
#include "report.h"
#include "token.h"

struct store;

enum store_mode {
	STORE_WRITER,	/* may write; creates the file if missing */
	STORE_READER,	/* read-only; the file must exist */
	STORE_ADMIN,	/* estctl: may write, never checkpoints */
};

enum role {
	ROLE_REPORTER,
	ROLE_KEYFUNCTION,
	ROLE_STEERING,
	ROLE_ADMIN,
};

struct area {
	long long	 id;
	char		 slug[AREA_SLUG_MAX + 1];
	char		*name;
};

struct person {
	long long	 id;
	char		*name;
	char		*email;
	char		*org;
	enum role	 role;
	bool		 all_areas;
	bool		 active;
	time_t		 created;
	size_t		 n_areas;
	char		**areas;	/* slugs, in the order given at add */
};

struct report_saved {
	long long	 id;
	int		 revision;	/* 1 for a new report */
	bool		 created;	/* false: an earlier one was replaced */
};

struct stored_report {
	long long	 id;
	long long	 person_id;	/* 0: imported, reporter unknown */
	char		*reporter_email;	/* NULL when unknown */
	char		*reporter_name;		/* NULL when unknown */
	time_t		 submitted;
	int		 revision;
	struct report	 report;	/* has_period set */
};

/* "reporter", "keyfunction", ... and back; -1 if unknown. */
const char	*store_role_name(enum role);
int		 store_role_parse(const char *, enum role *);

/*
 * Open the database. STORE_WRITER and STORE_ADMIN create the file if it
 * does not exist (not the schema: see store_migrate). Returns a new store
 * (store_close) or NULL with *cause.
 */
struct store	*store_open(const char *path, enum store_mode, char **cause);
void		 store_close(struct store *);
/* Create or upgrade the schema to the current version. Writer only. */
int		 store_migrate(struct store *, char **cause);
/* The schema version of the file (0: empty), or -1. */
int		 store_schema_version(struct store *);
/* 0 if the database answers a trivial query. */
int		 store_ping(struct store *);

/* What a connection runs with, for status output and tests. */
struct store_info {
	int	 schema_version;
	char	 journal_mode[16];	/* "wal" */
	int	 synchronous;		/* 2: FULL */
	int	 foreign_keys;		/* 1: on */
	int	 busy_timeout;		/* milliseconds */
	int	 query_only;		/* 1 on reader connections */
	int	 autocheckpoint;	/* pages; 0 on admin connections */
};
int		 store_info(struct store *, struct store_info *);

/* Transactions: BEGIN IMMEDIATE / COMMIT / ROLLBACK. */
int		 store_begin(struct store *);
int		 store_commit(struct store *);
void		 store_rollback(struct store *);
/* A savepoint inside a transaction, so one job can fail alone. */
int		 store_savepoint(struct store *);
int		 store_release(struct store *);
void		 store_rollback_savepoint(struct store *);
/* PRAGMA wal_checkpoint(PASSIVE). Writer only. */
int		 store_checkpoint(struct store *);
/* Consistent online copy to `path` (backup API), then quick_check. */
int		 store_backup(struct store *, const char *path, char **cause);

/* Areas. */
int		 store_area_add(struct store *, const char *slug,
		    const char *name, char **cause);
/* Fills the area (release with store_area_clear); -1 if none. */
int		 store_area_get(struct store *, const char *slug, struct area *);
void		 store_area_clear(struct area *);
int		 store_area_list(struct store *, struct area **, size_t *);
void		 store_areas_free(struct area *, size_t);

/*
 * People. store_person_add checks the areas exist and the e-mail is not
 * taken; returns the new id or -1 with *cause.
 */
long long	 store_person_add(struct store *, const struct person *,
		    const unsigned char hash[TOKEN_HASH_LEN], char **cause);
/* 0 and *out filled if some person (active or not) has this hash. */
int		 store_person_by_token(struct store *,
		    const unsigned char hash[TOKEN_HASH_LEN], struct person *out);
int		 store_person_get(struct store *, long long id, struct person *);
long long	 store_person_id_by_email(struct store *, const char *email);
int		 store_person_list(struct store *, struct person **, size_t *);
int		 store_person_set_token(struct store *, long long id,
		    const unsigned char hash[TOKEN_HASH_LEN], char **cause);
int		 store_person_disable(struct store *, long long id,
		    char **cause);
/* 1 if the person may report for / see the area, else 0. */
int		 store_person_has_area(const struct person *, const char *slug);
void		 store_person_clear(struct person *);
void		 store_people_free(struct person *, size_t);

/*
 * Save a report (report->has_period must be set) from person_id (0 for
 * imported history with no known reporter) inside the caller's
 * transaction. One report per (person, area, period): a second save
 * replaces the ratings and text and adds a revision; every revision is
 * kept in full. `source` is "form", "api" or "import".
 */
int		 store_report_save(struct store *, long long person_id,
		    const struct report *, const struct checklist *,
		    time_t submitted, const char *source,
		    struct report_saved *, char **cause);
/* The latest revision of one reporter's report; -1 if none. */
int		 store_report_get(struct store *, long long person_id,
		    const char *area, const struct period *,
		    const struct checklist *, struct stored_report *);
/* All reports of a period (latest revisions), by area then reporter. */
int		 store_report_list(struct store *, const struct period *,
		    const char *area_or_null, const struct checklist *,
		    struct stored_report **, size_t *);
/*
 * Revision `revision` of report `id` as saved: the JSON of
 * report_to_json, compact. A new string (free(3)), or NULL if none.
 */
char		*store_report_revision(struct store *, long long id,
		    int revision);
/* Number of reports stored (all periods). */
long long	 store_report_count(struct store *);
void		 store_stored_report_clear(struct stored_report *);
void		 store_stored_reports_free(struct stored_report *, size_t);

/*
 * Append an audit entry (actor: e-mail or "estctl", action: a verb like
 * "report.save", detail: short text without personal data) in the
 * caller's transaction, or in its own when none is open.
 */
int		 store_audit(struct store *, const char *actor,
		    const char *action, const char *detail);

#endif
