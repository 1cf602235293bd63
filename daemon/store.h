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
#include "police.h"
#include "report.h"
#include "token.h"

struct store;

enum store_mode {
	STORE_WRITER, /* may write; creates the file if missing */
	STORE_READER, /* read-only; the file must exist */
	STORE_ADMIN, /* estctl: may write, never checkpoints */
};

enum role {
	ROLE_REPORTER,
	ROLE_KEYFUNCTION,
	ROLE_STEERING,
	ROLE_ADMIN,
};

struct area {
	long long id;
	char slug[AREA_SLUG_MAX + 1];
	char *name;
};

struct person {
	long long id;
	char *name;
	char *email;
	char *org;
	enum role role;
	bool all_areas;
	bool active;
	time_t created;
	size_t n_areas;
	char **areas; /* slugs, in the order given at add */
};

struct report_saved {
	long long id;
	int revision; /* 1 for a new report */
	bool created; /* false: an earlier one was replaced */
};

struct stored_report {
	long long id;
	long long person_id; /* 0: imported, reporter unknown */
	char *reporter_email; /* NULL when unknown */
	char *reporter_name; /* NULL when unknown */
	time_t submitted;
	int revision;
	struct report report; /* has_period set */
};

/* "reporter", "keyfunction", ... and back; -1 if unknown. */
const char *store_role_name(enum role);
int store_role_parse(const char *, enum role *);

/*
 * Open the database. STORE_WRITER and STORE_ADMIN create the file if it
 * does not exist (not the schema: see store_migrate). Returns a new store
 * (store_close) or NULL with *cause.
 */
struct store *store_open(const char *path, enum store_mode, char **cause);
void store_close(struct store *);
/* Create or upgrade the schema to the current version. Writer only. */
int store_migrate(struct store *, char **cause);
/*
 * Upgrade only as far as `version` (1 up to the current one), never
 * down: for tests that need a file of an older version.
 */
int store_migrate_to(struct store *, int version, char **cause);
/* The schema version this program writes. */
int store_schema_latest(void);
/* The schema version of the file (0: empty), or -1. */
int store_schema_version(struct store *);
/* 0 if the database answers a trivial query. */
int store_ping(struct store *);

/* What a connection runs with, for status output and tests. */
struct store_info {
	int schema_version;
	char journal_mode[16]; /* "wal" */
	int synchronous; /* 2: FULL */
	int foreign_keys; /* 1: on */
	int busy_timeout; /* milliseconds */
	int query_only; /* 1 on reader connections */
	int autocheckpoint; /* pages; 0 on admin connections */
};
int store_info(struct store *, struct store_info *);

/* Transactions: BEGIN IMMEDIATE / COMMIT / ROLLBACK. */
int store_begin(struct store *);
int store_commit(struct store *);
void store_rollback(struct store *);
/* A savepoint inside a transaction, so one job can fail alone. */
int store_savepoint(struct store *);
int store_release(struct store *);
void store_rollback_savepoint(struct store *);
/* PRAGMA wal_checkpoint(PASSIVE). Writer only. */
int store_checkpoint(struct store *);
/* Consistent online copy to `path` (backup API), then quick_check. */
int store_backup(struct store *, const char *path, char **cause);

/* Areas. */
int store_area_add(
    struct store *, const char *slug, const char *name, char **cause);
/* Fills the area (release with store_area_clear); -1 if none. */
int store_area_get(struct store *, const char *slug, struct area *);
void store_area_clear(struct area *);
int store_area_list(struct store *, struct area **, size_t *);
void store_areas_free(struct area *, size_t);

/*
 * People. store_person_add checks the areas exist and the e-mail is not
 * taken; returns the new id or -1 with *cause.
 */
long long store_person_add(struct store *, const struct person *,
    const unsigned char hash[TOKEN_HASH_LEN], char **cause);
/* 0 and *out filled if some person (active or not) has this hash. */
int store_person_by_token(struct store *,
    const unsigned char hash[TOKEN_HASH_LEN], struct person *out);
int store_person_get(struct store *, long long id, struct person *);
long long store_person_id_by_email(struct store *, const char *email);
int store_person_list(struct store *, struct person **, size_t *);
int store_person_set_token(struct store *, long long id,
    const unsigned char hash[TOKEN_HASH_LEN], char **cause);
int store_person_disable(struct store *, long long id, char **cause);
/*
 * The salt the person's link is derived from (token_derive); links
 * issued without one have none (store_person_get_salt gives -1).
 */
int store_person_set_salt(struct store *, long long id,
    const unsigned char salt[TOKEN_SALT_LEN], char **cause);
int store_person_get_salt(
    struct store *, long long id, unsigned char salt[TOKEN_SALT_LEN]);
/* 1 if the person may report for / see the area, else 0. */
int store_person_has_area(const struct person *, const char *slug);
void store_person_clear(struct person *);
void store_people_free(struct person *, size_t);

/*
 * Save a report (report->has_period must be set) from person_id (0 for
 * imported history with no known reporter) inside the caller's
 * transaction. One report per (person, area, period): a second save
 * replaces the ratings and text and adds a revision; every revision is
 * kept in full. `source` is "form", "api" or "import".
 */
int store_report_save(struct store *, long long person_id,
    const struct report *, const struct checklist *, time_t submitted,
    const char *source, struct report_saved *, char **cause);
/* The latest revision of one reporter's report; -1 if none. */
int store_report_get(struct store *, long long person_id, const char *area,
    const struct period *, const struct checklist *, struct stored_report *);
/* All reports of a period (latest revisions), by area then reporter. */
int store_report_list(struct store *, const struct period *,
    const char *area_or_null, const struct checklist *, struct stored_report **,
    size_t *);
/*
 * Revision `revision` of report `id` as saved: the JSON of
 * report_to_json, compact. A new string (free(3)), or NULL if none.
 */
char *store_report_revision(struct store *, long long id, int revision);
/* Number of reports stored (all periods). */
long long store_report_count(struct store *);
void store_stored_report_clear(struct stored_report *);
void store_stored_reports_free(struct stored_report *, size_t);

/*
 * The audit log (schema version 4): append-only and hash-chained. Each
 * entry's hash is SHA-256 over a canonical serialisation of (id, at,
 * actor, action, detail, prev_hash), and prev_hash is the hash of the
 * entry before it, so changing, removing or reordering an entry breaks
 * the chain from there on (the serialisation is in store.c's DESIGN).
 * Triggers refuse UPDATE and DELETE; only store_audit_purge removes
 * entries, oldest first, and leaves their last hash as the anchor the
 * remaining log starts from.
 *
 * Append an audit entry (actor: e-mail or "estctl", action: a verb like
 * "report.save", detail: short text without personal data) in the
 * caller's transaction, or in its own when none is open. store_audit
 * stamps it with the system's time, never ESTD_NOW: the log records
 * when things really happened.
 */
int store_audit(
    struct store *, const char *actor, const char *action, const char *detail);
int store_audit_at(struct store *, time_t at, const char *actor,
    const char *action, const char *detail);

/* An entry as read back; strings borrowed for the callback only. */
struct audit_entry {
	long long id;
	time_t at;
	const char *actor;
	const char *action;
	const char *detail; /* NULL: none */
	const char *prev_hash; /* 64 lowercase hex digits */
	const char *hash;
};

/*
 * Check the whole chain in one read snapshot. Returns 0 with *checked
 * entries when it is intact. Returns -1 with *bad_id the first entry at
 * fault and *cause (caller frees) saying how, or with *bad_id 0 when the
 * log could not be read.
 */
int store_audit_verify(
    struct store *, long long *checked, long long *bad_id, char **cause);
/*
 * The newest entry's id and hash (hash[65]; when the log is empty, the
 * anchor's), and the id of the last entry removed by retention (0:
 * none). Returns 0 or -1.
 */
int store_audit_head(
    struct store *, long long *id, char *hash, long long *anchor_id);
/*
 * Call fn for every entry stamped at or after `since` (0: all), in id
 * order, in one read snapshot. fn returns 0 to go on, -1 to stop; the
 * result is -1 if fn stopped or the log could not be read.
 */
typedef int (*store_audit_fn)(const struct audit_entry *, void *arg);
int store_audit_export(
    struct store *, time_t since, store_audit_fn fn, void *arg);
/*
 * Retention: remove the oldest entries stamped before `before`, up to
 * (not past) the first entry stamped later, after checking that their
 * chain is intact; the hash of the last one removed becomes the anchor.
 * In the caller's transaction or its own. *purged: entries removed.
 */
int store_audit_purge(
    struct store *, time_t before, time_t now, long long *purged, char **cause);

/*
 * Retention of free text: erase place and note of every report whose
 * period starts before day `before_day` (days since 1970-01-01), in the
 * report and in every saved revision; ratings and counts stay. Reports
 * already erased are skipped, so it is cheap to run daily. *reports:
 * reports that had text in their latest revision; *revisions: revisions
 * rewritten. In the caller's transaction or its own.
 */
int store_retention_erase(struct store *, long before_day, time_t now,
    long *reports, long *revisions, char **cause);

/*
 * ---- The picture cycle: assessments, measures, flags, outbox, jobs and
 * sessions (schema version 2). All of these are written by the daemon's
 * writer thread (writer_run) or by estctl; HTTP threads only read.
 */

enum level {
	LEVEL_GREEN,
	LEVEL_YELLOW,
	LEVEL_RED,
	LEVEL_GREY, /* nothing assessed */
};

/* "green", "yellow", "red", "grey" and back; -1 if unknown. */
const char *store_level_name(enum level);
int store_level_parse(const char *, enum level *);

/* The joint assessment a key function set for an area and period. */
struct assessment {
	char area[AREA_SLUG_MAX + 1];
	struct period period;
	enum level status;
	char *comment; /* may be NULL */
	long long person_id;
	char *by_name;
	char *by_email;
	time_t at;
};

/* Set (or replace) the assessment of (area, period). */
int store_assessment_set(struct store *, const char *area,
    const struct period *, enum level, const char *comment, long long person_id,
    time_t at, char **cause);
/* Every assessment of a period, by area slug. */
int store_assessment_list(
    struct store *, const struct period *, struct assessment **, size_t *);
void store_assessments_free(struct assessment *, size_t);

/* A decided measure (insats). */
struct measure {
	long long id;
	char area[AREA_SLUG_MAX + 1];
	struct period period; /* the picture it was decided on */
	char indicator[INDICATOR_KEY_MAX + 1]; /* "" if none */
	char *what;
	char *place; /* may be NULL */
	char *who; /* may be NULL: organisation/person */
	long follow_up; /* day number, or -1 */
	long long person_id;
	char *by_email;
	time_t at;
};

long long store_measure_add(
    struct store *, const struct measure *, char **cause);
/* Measures of a period (NULL: all), of an area (NULL: all), by id. */
int store_measure_list(struct store *, const struct period *, const char *area,
    struct measure **, size_t *);
void store_measures_free(struct measure *, size_t);

/* A persistence flag episode of (area, indicator). */
struct flag_row {
	long long id;
	char area[AREA_SLUG_MAX + 1];
	char indicator[INDICATOR_KEY_MAX + 1];
	struct period opened;
	bool open;
	struct period closed; /* valid when !open */
	char *reason_sv;
	char *reason_en;
	char *ack_comment; /* NULL until acknowledged */
	char *ack_by; /* e-mail */
	time_t ack_at;
};

/* Open a flag; returns its id or -1. */
long long store_flag_open(struct store *, const char *area,
    const char *indicator, const struct period *opened, const char *reason_sv,
    const char *reason_en, char **cause);
int store_flag_close(
    struct store *, long long id, const struct period *closed, char **cause);
int store_flag_ack(struct store *, long long id, long long person_id,
    const char *comment, time_t at, char **cause);
/*
 * Flags (open ones only unless include_closed), by area, indicator.
 * store_flag_list_during: only those that opened in or before reporting
 * period p and had not closed before it (p's first day decides).
 */
int store_flag_list(
    struct store *, bool include_closed, struct flag_row **, size_t *);
int store_flag_list_during(
    struct store *, const struct period *, struct flag_row **, size_t *);
void store_flags_free(struct flag_row *, size_t);

/*
 * The score series: for every (area, indicator, period) with at least
 * one assessed rating between `from` and `to` (inclusive, by first day),
 * the highest rating. Ordered by area, indicator, period.
 */
struct score_row {
	char area[AREA_SLUG_MAX + 1];
	char indicator[INDICATOR_KEY_MAX + 1];
	struct period period;
	int score; /* 0-3 */
};
int store_scores(struct store *, const struct period *from,
    const struct period *to, struct score_row **, size_t *);

/* The outbox: every mail is stored here before it is delivered. */
enum outbox_state {
	OUTBOX_QUEUED, /* waiting for next_at */
	OUTBOX_SENDING, /* leased by a delivery attempt until lease_until */
	OUTBOX_SENT, /* the relay accepted it (or it was spooled) */
	OUTBOX_FAILED, /* refused for good (5xx) or given up */
};

struct outbox_mail {
	long long id;
	char *message_id; /* stable across retries */
	char *kind; /* "digest", "reminder", "analysis" */
	char *dedup_key; /* "digest:2026-W47:lena@x" */
	char *recipient; /* one address */
	char *subject; /* UTF-8, for listings */
	char *data; /* the whole RFC 5322 message */
	size_t len;
	enum outbox_state state;
	int attempts;
	time_t created;
	time_t next_at;
	time_t lease_until;
	time_t sent_at; /* 0 until sent */
	char *last_error; /* NULL, or the relay's last answer */
};

const char *store_outbox_state_name(enum outbox_state);
/*
 * Queue a mail in the caller's transaction. If a mail with the same
 * dedup_key exists nothing is added and *added is 0: queuing the same
 * decision twice never mails twice.
 */
int store_outbox_add(
    struct store *, const struct outbox_mail *, int *added, char **cause);
/*
 * Mails to attempt at `now`: queued with next_at <= now, or sending with
 * an expired lease (a crash during delivery). At most `limit`, oldest
 * first, with data.
 */
int store_outbox_due(
    struct store *, time_t now, int limit, struct outbox_mail **, size_t *);
/* Mark as sending until `lease_until`; attempts + 1. */
int store_outbox_lease(struct store *, long long id, time_t lease_until);
/*
 * Record an attempt's outcome: SENT, QUEUED (retry at next_at) or FAILED.
 * A sent mail keeps only its header block: its body (with the personal
 * link) is not kept once delivered.
 */
int store_outbox_result(struct store *, long long id, enum outbox_state,
    time_t now, time_t next_at, const char *error);
/* Every mail (without data), newest first; `limit` 0: all. */
int store_outbox_list(
    struct store *, int limit, struct outbox_mail **, size_t *);
/* Counts by state and the age of the oldest queued mail (0: none). */
int store_outbox_counts(
    struct store *, time_t now, long counts[4], long *oldest_queued_age);
void store_outbox_free(struct outbox_mail *, size_t);

/*
 * Scheduled jobs done, so a restart neither repeats nor skips them:
 * (name, key) such as ("digest", "2026-W47").
 */
int store_job_done(struct store *, const char *name,
    const char *key); /* 1 done, 0 not, -1 error */
int store_job_mark(
    struct store *, const char *name, const char *key, time_t at);
/* When job `name` was last marked done: 1 with *at, 0 never, -1 error. */
int store_job_last(struct store *, const char *name, time_t *at);

/*
 * Web sessions of key functions, steering members and admins. Only the
 * SHA-256 of the session id is stored.
 */
struct session {
	long long person_id;
	time_t created;
	time_t last_seen;
	char csrf[65]; /* hex, per session */
};

int store_session_create(struct store *,
    const unsigned char hash[TOKEN_HASH_LEN], long long person_id,
    const char *csrf, time_t now);
/* 0 and *out filled when the session exists, else -1. */
int store_session_get(struct store *, const unsigned char hash[TOKEN_HASH_LEN],
    struct session *out);
int store_session_touch(
    struct store *, const unsigned char hash[TOKEN_HASH_LEN], time_t now);
int store_session_delete(
    struct store *, const unsigned char hash[TOKEN_HASH_LEN]);
/* End every session of a person (disable, new link). */
int store_session_delete_person(struct store *, long long id);
/* Delete sessions idle since before `idle_before` or created before
 * `created_before`. */
int store_session_expire(
    struct store *, time_t idle_before, time_t created_before);

/*
 * ---- Integrations: the police's event notices, the poller's state and
 * the webhook outbox (see outbound, webhook).
 */

enum police_change {
	POLICE_SAME, /* as stored: only last_seen moves */
	POLICE_NEW,
	POLICE_UPDATED, /* a text, type, place or datetime changed */
};

/*
 * Keep a notice (borrowed): added when its id is new, else updated in
 * place when anything the police sent changed (revision + 1, updated =
 * now), else only seen. *change says which. In the caller's transaction
 * when one is open. The store fills first_seen, updated and revision;
 * the notice's own are ignored.
 */
int store_police_upsert(struct store *, const struct police_notice *,
    time_t now, enum police_change *change);
/*
 * Notices dated at or after `from` and before `to`, by date then id,
 * into a new array (store_police_free).
 */
int store_police_list(
    struct store *, time_t from, time_t to, struct police_notice **, size_t *);
void store_police_free(struct police_notice *, size_t);

/* The poller's state; all zero and NULL before the first call. */
struct police_state {
	char *url; /* the request the validators belong to */
	char *etag;
	char *last_modified;
	time_t last_attempt;
	time_t last_success;
	time_t not_before; /* a Retry-After: no call before */
	char *last_error; /* NULL after a success */
};

/* Strings of *out new (store_police_state_clear). */
int store_police_state_get(struct store *, struct police_state *out);
int store_police_state_set(struct store *, const struct police_state *);
void store_police_state_clear(struct police_state *);

/*
 * A webhook delivery: one event for one [webhook NAME], its body made
 * when it was queued. States as the mail outbox's.
 */
struct webhook_row {
	long long id;
	char *event_id; /* "evt_...", shared by the webhooks */
	char *webhook; /* the section's NAME */
	char *event; /* "flag.opened" */
	char *dedup_key; /* "NAME:flag.opened:centrum:..." */
	char *body; /* as POSTed */
	size_t len;
	enum outbox_state state;
	int attempts;
	time_t created;
	time_t next_at;
	time_t lease_until;
	time_t sent_at; /* 0 until delivered */
	long last_status; /* 0: no answer (or none yet) */
	char *last_error;
};

/*
 * Queue a delivery in the caller's transaction; nothing is added, and
 * *added is 0, when its dedup_key is queued already.
 */
int store_webhook_add(
    struct store *, const struct webhook_row *, int *added, char **cause);
/*
 * Deliveries to attempt at `now` (queued and due, or sending with an
 * expired lease), oldest first, at most `limit`, with their bodies.
 */
int store_webhook_due(
    struct store *, time_t now, int limit, struct webhook_row **, size_t *);
/* Mark as sending until lease_until; attempts + 1. */
int store_webhook_lease(struct store *, long long id, time_t lease_until);
/*
 * Record an attempt's outcome: SENT, QUEUED (again at next_at) or
 * FAILED, with the HTTP status (0: no answer) and the error (NULL: none).
 */
int store_webhook_result(struct store *, long long id, enum outbox_state,
    time_t now, time_t next_at, long status, const char *error);
/* Every delivery (without body), newest first; `limit` 0: all. */
int store_webhook_list(
    struct store *, int limit, struct webhook_row **, size_t *);
/* Counts by state, and the age of the oldest undelivered (0: none). */
int store_webhook_counts(
    struct store *, time_t now, long counts[4], long *oldest_queued_age);
void store_webhooks_free(struct webhook_row *, size_t);

#endif
