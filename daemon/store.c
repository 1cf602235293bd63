/*
 * store: the SQLite database. The only file with SQL and the only one
 * that includes <sqlite3.h>.
 *
 * DESIGN
 *
 * Connections. A writer runs in WAL mode with synchronous=FULL, so a
 * COMMIT is on disk before anyone is told "saved", even across a power
 * loss. SQLite up to 3.51.2 can corrupt a WAL file when two connections
 * write or checkpoint at the same moment while one of them resets the
 * WAL; estd therefore has exactly one writer connection, which also does
 * every checkpoint, and estctl's admin connections never checkpoint
 * (wal_autocheckpoint=0). mmap_size is never set: it made that bug worse
 * in the field. Readers are opened read-only and query_only.
 *
 * Transactions. Every write transaction starts with BEGIN IMMEDIATE: a
 * deferred transaction that reads first and writes later gets
 * SQLITE_BUSY without the busy handler being called. Functions that
 * write several rows run as one operation (op_begin/op_end): their own
 * BEGIN IMMEDIATE transaction when the caller has none open, else a
 * savepoint inside the caller's, so a failure never leaves half a report
 * or a person without their areas.
 *
 * Statements. Every statement is in the table `queries` below, prepared
 * on first use with SQLITE_PREPARE_PERSISTENT, kept in the struct and
 * reset (bindings cleared) after each use, so no read transaction stays
 * open between calls. They are finalized in store_close.
 *
 * Schema. PRAGMA user_version holds the version; `migrations` is an
 * ordered array of SQL scripts, script i taking a file from version i to
 * i + 1, each applied in its own BEGIN IMMEDIATE transaction. To change
 * the schema, append a script; never edit one that has shipped.
 *
 * Reports. One row in reports per (reporter, area, period), unique on
 * ifnull(person_id, 0) so imported history without a reporter (NULL)
 * has one report per area and period too. ratings holds the latest
 * revision only: a row per indicator that was assessed or counted, and
 * nothing at all for an indicator left empty, which is how "not
 * assessed" differs from 0. report_revisions keeps every revision whole,
 * as the JSON of report_to_json, for audit. Scores (the highest assessed
 * rating per area, indicator and period) are kept in scores (schema
 * version 6), because an analysis reads tens of thousands of them and
 * computing them from five times as many ratings each time was too
 * slow. They cannot drift from the reports: the only writer of ratings,
 * store_report_save, computes the scores of the report's area and
 * period anew from its ratings in the same operation (a delete and an
 * INSERT ... SELECT), and the migration filled them from the reports
 * saved before. Retention erases text only, and reports are never
 * deleted.
 *
 * Outbox. A mail is a row from the moment it is decided, queued in the
 * same transaction as the decision, and dedup_key makes queuing it twice
 * a no-op. Its states:
 *
 *   queued --lease--> sending --result--> sent | queued (next_at) | failed
 *                       |
 *                       +-- lease_until passes (a crash) --> due again
 *
 * A lease is not a lock: delivery is at least once, and the Message-ID,
 * fixed at queuing, lets the relay and readers drop a repeat. Sent and
 * failed are final: neither a lease nor a late result changes them.
 *
 * Sessions end with their person: store_person_disable and
 * store_person_set_token delete them in the same operation.
 *
 * Audit log (schema version 4). Entries are hash-chained: entry i holds
 * prev_hash = hash of entry i - 1 and
 *
 *   hash = hex(SHA-256(ns("estd-audit-1") ns(id) ns(at) ns(actor)
 *          ns(action) ns(detail) ns(prev_hash)))
 *
 * where ns(x) is the netstring "LEN:x," (LEN the byte length of x in
 * decimal), id and at are decimal integers (at in Unix seconds), a
 * missing detail is "" and hashes are 64 lowercase hex digits. Anyone
 * with an export can recompute it. Triggers refuse UPDATE and DELETE,
 * and INSERT of an entry without its hashes (an older estd still
 * running against an upgraded file fails loudly rather than writing an
 * unchained entry). The one exception is retention: audit_anchor holds
 * one row, (last_id, hash) of the newest entry ever purged, 0 and 64
 * zeros before any purge; the first entry's prev_hash is the anchor's
 * hash. Its triggers let the anchor only move forward onto an existing
 * entry, and entries at or below it are the only ones DELETE accepts,
 * so a purge can remove the oldest entries only and the rest still
 * verifies. The chain shows changes made by anyone who does not
 * recompute every later hash; entries cut from the end leave no gap,
 * so keep the hash `estctl audit verify` prints with the backups.
 * Entries written before version 4 are chained by the migration, in id
 * order, with the time they were stamped with.
 *
 * Retention of free text blanks place and note of old reports and of
 * every revision's JSON, and sets reports.text_erased (reset when a new
 * revision is saved), so each report is rewritten once.
 *
 * Integrations. police_events keeps every notice the police API ever
 * returned (it shows only the latest 500), one row per id, updated in
 * place when a later answer changes it. webhook_outbox is the mail
 * outbox again for webhook deliveries: queued in the transaction of
 * the step that decided them, unique on dedup_key, leased while sent.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <pthread.h>
#include <sqlite3.h>

#include "buf.h"
#include "conf.h"
#include "log.h"
#include "period.h"
#include "report.h"
#include "store.h"
#include "token.h"
#include "xmalloc.h"

#define STORE_BUSY_MS 5000
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
/* WAL left on disk after a checkpoint is truncated to this size. */
#define STORE_JOURNAL_LIMIT (64LL * 1024 * 1024)

/* The anchor's hash before any purge, and the hex length of a hash. */
#define AUDIT_GENESIS                                                          \
	"0000000000000000000000000000000000000000000000000000000000000000"
#define AUDIT_HEX 64
/* The first netstring of every entry's hashed serialisation. */
#define AUDIT_TAG "estd-audit-1"

/* A reporting period's label: an ISO week, which also names fortnights. */
#define WEEK_LABEL_CHECK(col)                                                  \
	"CHECK (" col " GLOB '[0-9][0-9][0-9][0-9]-W[0-5][0-9]')"

/*
 * The schema, one script per version. Times are Unix seconds, days are
 * days since 1970-01-01 (period_first_day), booleans 0/1.
 */
static const char *const migrations[] = {
    /* Version 1. */
    "CREATE TABLE areas ("
    "  id      INTEGER PRIMARY KEY,"
    "  slug    TEXT NOT NULL UNIQUE,"
    "  name    TEXT NOT NULL,"
    "  created INTEGER NOT NULL"
    ");"
    "CREATE TABLE people ("
    "  id         INTEGER PRIMARY KEY,"
    "  name       TEXT NOT NULL,"
    "  email      TEXT NOT NULL COLLATE NOCASE UNIQUE,"
    "  org        TEXT NOT NULL DEFAULT '',"
    "  role       TEXT NOT NULL CHECK (role IN"
    "               ('reporter', 'keyfunction', 'steering', 'admin')),"
    "  all_areas  INTEGER NOT NULL DEFAULT 0 CHECK (all_areas IN (0, 1)),"
    "  active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),"
    "  token_hash BLOB UNIQUE CHECK (token_hash IS NULL OR"
    "               (typeof(token_hash) = 'blob' AND"
    "                length(token_hash) = 32)),"
    "  created    INTEGER NOT NULL,"
    "  disabled   INTEGER"
    ");"
    "CREATE TABLE person_areas ("
    "  person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,"
    "  area_id   INTEGER NOT NULL REFERENCES areas(id) ON DELETE CASCADE,"
    "  position  INTEGER NOT NULL,"
    "  PRIMARY KEY (person_id, area_id)"
    ") WITHOUT ROWID;"
    "CREATE INDEX person_areas_area ON person_areas(area_id);"
    /* Reports are records: deleting their area or reporter is refused. */
    "CREATE TABLE reports ("
    "  id           INTEGER PRIMARY KEY,"
    "  person_id    INTEGER REFERENCES people(id) ON DELETE RESTRICT,"
    "  area_id      INTEGER NOT NULL"
    "                 REFERENCES areas(id) ON DELETE RESTRICT,"
    "  period       TEXT NOT NULL,"
    "  period_start INTEGER NOT NULL,"
    "  revision     INTEGER NOT NULL CHECK (revision >= 1),"
    "  submitted    INTEGER NOT NULL,"
    "  source       TEXT NOT NULL"
    "                 CHECK (source IN ('form', 'api', 'import')),"
    /* "nothing" is an SQL keyword (DO NOTHING): always quoted. */
    "  \"nothing\"    INTEGER NOT NULL DEFAULT 0"
    "                 CHECK (\"nothing\" IN (0, 1)),"
    "  place        TEXT,"
    "  note         TEXT"
    ");"
    "CREATE UNIQUE INDEX reports_one ON reports"
    "  (ifnull(person_id, 0), area_id, period);"
    "CREATE INDEX reports_period ON reports(period, area_id);"
    "CREATE INDEX reports_start ON reports(period_start, area_id);"
    "CREATE INDEX reports_person ON reports(person_id);"
    "CREATE TABLE ratings ("
    "  report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,"
    "  indicator TEXT NOT NULL,"
    "  rating    INTEGER CHECK (rating BETWEEN 0 AND 3),"
    "  count     INTEGER CHECK (count BETWEEN 0 AND 10000),"
    "  CHECK (rating IS NOT NULL OR count IS NOT NULL),"
    "  PRIMARY KEY (report_id, indicator)"
    ") WITHOUT ROWID;"
    "CREATE TABLE report_revisions ("
    "  report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,"
    "  revision  INTEGER NOT NULL,"
    "  submitted INTEGER NOT NULL,"
    "  source    TEXT NOT NULL,"
    "  body      TEXT NOT NULL,"
    "  PRIMARY KEY (report_id, revision)"
    ") WITHOUT ROWID;"
    "CREATE TABLE audit ("
    "  id     INTEGER PRIMARY KEY,"
    "  at     INTEGER NOT NULL,"
    "  actor  TEXT NOT NULL,"
    "  action TEXT NOT NULL,"
    "  detail TEXT"
    ");"
    "CREATE INDEX audit_at ON audit(at);",

    /*
	 * Version 2: the picture cycle. Period columns hold reporting
	 * periods, which are named by a week (contract §3), with their
	 * first day beside them for ranges.
	 */
    "CREATE TABLE assessments ("
    "  area_id      INTEGER NOT NULL"
    "                 REFERENCES areas(id) ON DELETE RESTRICT,"
    "  period       TEXT NOT NULL " WEEK_LABEL_CHECK(
	"period") ","
		  "  period_start INTEGER NOT NULL,"
		  "  status       TEXT NOT NULL"
		  "                 CHECK (status IN ('green', 'yellow', "
		  "'red', 'grey')),"
		  "  comment      TEXT,"
		  "  person_id    INTEGER REFERENCES people(id) ON DELETE "
		  "RESTRICT,"
		  "  at           INTEGER NOT NULL,"
		  "  PRIMARY KEY (area_id, period)"
		  ") WITHOUT ROWID;"
		  "CREATE INDEX assessments_period ON assessments(period);"
		  "CREATE TABLE measures ("
		  "  id           INTEGER PRIMARY KEY,"
		  "  area_id      INTEGER NOT NULL"
		  "                 REFERENCES areas(id) ON DELETE RESTRICT,"
		  "  period       TEXT NOT NULL " WEEK_LABEL_CHECK(
		      "period") ","
				"  period_start INTEGER NOT NULL,"
				"  indicator    TEXT CHECK (length(indicator) "
				"BETWEEN 1 AND 32),"
				"  what         TEXT NOT NULL CHECK "
				"(length(what) > 0),"
				"  place        TEXT,"
				"  who          TEXT,"
				"  follow_up    INTEGER,"
				"  person_id    INTEGER REFERENCES people(id) "
				"ON DELETE RESTRICT,"
				"  at           INTEGER NOT NULL"
				");"
				"CREATE INDEX measures_period ON "
				"measures(period, area_id);"
				"CREATE INDEX measures_area ON "
				"measures(area_id);"
				"CREATE TABLE flags ("
				"  id            INTEGER PRIMARY KEY,"
				"  area_id       INTEGER NOT NULL"
				"                  REFERENCES areas(id) ON "
				"DELETE RESTRICT,"
				"  indicator     TEXT NOT NULL"
				"                  CHECK (length(indicator) "
				"BETWEEN 1 AND 32),"
				"  opened        TEXT NOT "
				"NULL " WEEK_LABEL_CHECK(
				    "opened") ","
					      "  opened_start  INTEGER NOT "
					      "NULL,"
					      "  closed        "
					      "TEXT " WEEK_LABEL_CHECK(
						  "closed") ","
							    "  closed_start  "
							    "INTEGER,"
							    "  reason_sv     "
							    "TEXT NOT NULL,"
							    "  reason_en     "
							    "TEXT NOT NULL,"
							    "  ack_comment   "
							    "TEXT,"
							    "  ack_person_id "
							    "INTEGER "
							    "REFERENCES "
							    "people(id) ON "
							    "DELETE RESTRICT,"
							    "  ack_at        "
							    "INTEGER,"
							    "  CHECK ((closed "
							    "IS NULL) = "
							    "(closed_start IS "
							    "NULL)),"
							    "  CHECK "
							    "(closed_start >= "
							    "opened_start),"
							    "  CHECK ((ack_at "
							    "IS NULL) = "
							    "(ack_person_id IS "
							    "NULL))"
							    ");"
							    /* One open episode per pair at a time. */
							    "CREATE UNIQUE "
							    "INDEX flags_open "
							    "ON flags(area_id, "
							    "indicator)"
							    "  WHERE closed IS "
							    "NULL;"
							    "CREATE INDEX "
							    "flags_pair ON "
							    "flags(area_id, "
							    "indicator, "
							    "opened_start);"
							    "CREATE INDEX "
							    "flags_ack_person "
							    "ON "
							    "flags(ack_person_"
							    "id);"
							    "CREATE TABLE "
							    "outbox ("
							    "  id          "
							    "INTEGER PRIMARY "
							    "KEY,"
							    "  message_id  "
							    "TEXT NOT NULL "
							    "UNIQUE CHECK "
							    "(length(message_"
							    "id) > 0),"
							    "  kind        "
							    "TEXT NOT NULL "
							    "CHECK "
							    "(length(kind) "
							    "BETWEEN 1 AND 32),"
							    "  dedup_key   "
							    "TEXT NOT NULL "
							    "UNIQUE CHECK "
							    "(length(dedup_key)"
							    " > 0),"
							    "  recipient   "
							    "TEXT NOT NULL "
							    "CHECK "
							    "(length(recipient)"
							    " > 0),"
							    "  subject     "
							    "TEXT NOT NULL,"
							    "  data        "
							    "BLOB NOT NULL "
							    "CHECK "
							    "(length(data) > "
							    "0),"
							    "  state       "
							    "TEXT NOT NULL "
							    "DEFAULT 'queued' "
							    "CHECK (state IN"
							    "                "
							    "('queued', "
							    "'sending', "
							    "'sent', "
							    "'failed')),"
							    "  attempts    "
							    "INTEGER NOT NULL "
							    "DEFAULT 0 CHECK "
							    "(attempts >= 0),"
							    "  created     "
							    "INTEGER NOT NULL,"
							    "  next_at     "
							    "INTEGER NOT NULL,"
							    "  lease_until "
							    "INTEGER NOT NULL "
							    "DEFAULT 0,"
							    "  sent_at     "
							    "INTEGER,"
							    "  last_error  "
							    "TEXT,"
							    "  CHECK ((state = "
							    "'sent') = "
							    "(sent_at IS NOT "
							    "NULL))"
							    ");"
							    "CREATE INDEX "
							    "outbox_due ON "
							    "outbox(state, "
							    "next_at);"
							    "CREATE TABLE jobs "
							    "("
							    "  name  TEXT NOT "
							    "NULL CHECK "
							    "(length(name) > "
							    "0),"
							    "  \"key\" TEXT "
							    "NOT NULL CHECK "
							    "(length(\"key\") "
							    "> 0),"
							    "  at    INTEGER "
							    "NOT NULL,"
							    "  PRIMARY KEY "
							    "(name, \"key\")"
							    ") WITHOUT ROWID;"
							    "CREATE TABLE "
							    "sessions ("
							    "  hash      BLOB "
							    "PRIMARY KEY"
							    "              "
							    "CHECK "
							    "(typeof(hash) = "
							    "'blob' AND "
							    "length(hash) = "
							    "32),"
							    "  person_id "
							    "INTEGER NOT NULL"
							    "              "
							    "REFERENCES "
							    "people(id) ON "
							    "DELETE CASCADE,"
							    "  csrf      TEXT "
							    "NOT NULL"
							    "    CHECK "
							    "(length(csrf) = "
							    "64 AND csrf NOT "
							    "GLOB "
							    "'*[^0-9a-f]*'),"
							    "  created   "
							    "INTEGER NOT NULL,"
							    "  last_seen "
							    "INTEGER NOT NULL"
							    ") WITHOUT ROWID;"
							    "CREATE INDEX "
							    "sessions_person "
							    "ON "
							    "sessions(person_"
							    "id);"
							    /* For store_scores; it makes reports_start redundant. */
							    "CREATE INDEX "
							    "reports_scores ON "
							    "reports(period_"
							    "start, area_id, "
							    "period);"
							    "DROP INDEX "
							    "reports_start;",

    /*
	 * Version 3: the salt a person's link is made from with the key
	 * file (token_derive), so mail can carry the link; NULL for links
	 * issued before.
	 */
    "ALTER TABLE people ADD COLUMN token_salt BLOB"
    "  CHECK (token_salt IS NULL OR length(token_salt) = 16);",

    /*
	 * Version 4: the audit log's hash chain and its anchor (see
	 * DESIGN; migrate_audit_chain then chains the entries already
	 * there and adds the triggers), and when retention erased a
	 * report's free text.
	 */
    "ALTER TABLE audit ADD COLUMN prev_hash TEXT;"
    "ALTER TABLE audit ADD COLUMN hash TEXT;"
    "CREATE TABLE audit_anchor ("
    "  id      INTEGER PRIMARY KEY CHECK (id = 1),"
    "  last_id INTEGER NOT NULL CHECK (last_id >= 0),"
    "  hash    TEXT NOT NULL CHECK (length(hash) = 64),"
    "  purged  INTEGER NOT NULL DEFAULT 0 CHECK (purged >= 0),"
    "  at      INTEGER"
    ");"
    "INSERT INTO audit_anchor (id, last_id, hash) VALUES (1, 0, '" AUDIT_GENESIS
    "');"
    "ALTER TABLE reports ADD COLUMN text_erased INTEGER;",

    /*
	 * Version 5: integrations. The police's event notices as fetched
	 * (id is theirs; at is their datetime in Unix seconds, datetime the
	 * text they sent; revision counts the versions seen), the poller's
	 * one row of state, and the webhook outbox, which works as the mail
	 * outbox does.
	 */
    "CREATE TABLE police_events ("
    "  id         INTEGER PRIMARY KEY CHECK (id > 0),"
    "  at         INTEGER NOT NULL,"
    "  datetime   TEXT NOT NULL,"
    "  name       TEXT NOT NULL,"
    "  summary    TEXT NOT NULL,"
    "  url        TEXT,"
    "  type       TEXT NOT NULL CHECK (length(type) > 0),"
    "  location   TEXT NOT NULL CHECK (length(location) > 0),"
    "  gps        TEXT,"
    "  first_seen INTEGER NOT NULL,"
    "  last_seen  INTEGER NOT NULL,"
    "  updated    INTEGER NOT NULL,"
    "  revision   INTEGER NOT NULL DEFAULT 1 CHECK (revision >= 1)"
    ");"
    "CREATE INDEX police_events_at ON police_events(at);"
    "CREATE TABLE police_state ("
    "  id            INTEGER PRIMARY KEY CHECK (id = 1),"
    "  url           TEXT,"
    "  etag          TEXT,"
    "  last_modified TEXT,"
    "  last_attempt  INTEGER NOT NULL DEFAULT 0,"
    "  last_success  INTEGER NOT NULL DEFAULT 0,"
    "  not_before    INTEGER NOT NULL DEFAULT 0,"
    "  last_error    TEXT"
    ");"
    "CREATE TABLE webhook_outbox ("
    "  id          INTEGER PRIMARY KEY,"
    "  event_id    TEXT NOT NULL CHECK (length(event_id) > 0),"
    "  webhook     TEXT NOT NULL CHECK (length(webhook) BETWEEN 1 AND 32),"
    "  event       TEXT NOT NULL CHECK (length(event) BETWEEN 1 AND 32),"
    "  dedup_key   TEXT NOT NULL UNIQUE CHECK (length(dedup_key) > 0),"
    "  body        BLOB NOT NULL CHECK (length(body) > 0),"
    "  state       TEXT NOT NULL DEFAULT 'queued' CHECK (state IN"
    "                ('queued', 'sending', 'sent', 'failed')),"
    "  attempts    INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),"
    "  created     INTEGER NOT NULL,"
    "  next_at     INTEGER NOT NULL,"
    "  lease_until INTEGER NOT NULL DEFAULT 0,"
    "  sent_at     INTEGER,"
    "  last_status INTEGER,"
    "  last_error  TEXT,"
    "  CHECK ((state = 'sent') = (sent_at IS NOT NULL))"
    ");"
    "CREATE INDEX webhook_outbox_due ON webhook_outbox(state, next_at);",

    /*
	 * Version 6: the scores, kept by store_report_save (see DESIGN),
	 * filled here from the reports already saved. Keyed for reading
	 * a range of periods and for replacing one area's period. No
	 * references: the rows are derived from reports and ratings,
	 * which hold them.
	 */
    "CREATE TABLE scores ("
    "  area_id      INTEGER NOT NULL,"
    "  indicator    TEXT NOT NULL,"
    "  period       TEXT NOT NULL,"
    "  period_start INTEGER NOT NULL,"
    "  score        INTEGER NOT NULL CHECK (score BETWEEN 0 AND 3),"
    "  PRIMARY KEY (period_start, area_id, indicator)"
    ") WITHOUT ROWID;"
    "INSERT INTO scores (area_id, indicator, period, period_start, score)"
    "  SELECT r.area_id, t.indicator, min(r.period), r.period_start,"
    "   max(t.rating)"
    "  FROM reports r JOIN ratings t ON t.report_id = r.id"
    "  WHERE t.rating IS NOT NULL"
    "  GROUP BY r.period_start, r.area_id, t.indicator;",
};

#define SCHEMA_VERSION ((int)(sizeof(migrations) / sizeof(migrations[0])))

/*
 * Added by migrate_audit_chain once the entries already there carry
 * their hashes: from then on the log only grows, except for a purge
 * through the anchor.
 */
static const char audit_triggers[] =
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
    " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
    " WHEN OLD.id > (SELECT last_id FROM audit_anchor)"
    " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
    "CREATE TRIGGER audit_chained BEFORE INSERT ON audit"
    " WHEN NEW.hash IS NULL OR length(NEW.hash) != 64"
    "  OR NEW.prev_hash IS NULL OR length(NEW.prev_hash) != 64"
    "  OR NEW.id <= (SELECT last_id FROM audit_anchor)"
    " BEGIN SELECT RAISE(ABORT, 'an audit entry must be chained to the"
    " log'); END;"
    "CREATE TRIGGER audit_anchor_forward BEFORE UPDATE ON audit_anchor"
    " WHEN NEW.id != OLD.id OR NEW.last_id <= OLD.last_id"
    "  OR NEW.purged < OLD.purged"
    "  OR NEW.hash IS NOT (SELECT hash FROM audit WHERE id = NEW.last_id)"
    " BEGIN SELECT RAISE(ABORT, 'the audit anchor only moves forward, onto"
    " an entry of the log'); END;"
    "CREATE TRIGGER audit_anchor_kept BEFORE DELETE ON audit_anchor"
    " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;";

static int migrate_audit_chain(struct store *);

/*
 * Work a version's script cannot do in SQL, run after it in the same
 * transaction; NULL: none. Returns -1 with SQLite's message left.
 */
static int (*const migration_steps[])(struct store *) = {
    NULL,
    NULL,
    NULL,
    migrate_audit_chain,
    NULL,
    NULL,
};
_Static_assert(sizeof(migration_steps) / sizeof(migration_steps[0]) ==
	sizeof(migrations) / sizeof(migrations[0]),
    "one migration step (or NULL) per schema version");

/* The first schema version with the audit chain. */
#define AUDIT_CHAIN_VERSION 4

enum query {
	Q_AREA_ADD,
	Q_AREA_GET,
	Q_AREA_LIST,
	Q_PERSON_ADD,
	Q_PERSON_AREA_ADD,
	Q_PERSON_GET,
	Q_PERSON_BY_TOKEN,
	Q_PERSON_BY_EMAIL,
	Q_PERSON_LIST,
	Q_PERSON_AREAS,
	Q_PERSON_LIST_AREAS,
	Q_PERSON_SET_TOKEN,
	Q_PERSON_DISABLE,
	Q_PERSON_SET_SALT,
	Q_PERSON_GET_SALT,
	Q_REPORT_FIND,
	Q_REPORT_INSERT,
	Q_REPORT_UPDATE,
	Q_RATINGS_DELETE,
	Q_RATING_INSERT,
	Q_REVISION_INSERT,
	Q_REVISION_GET,
	Q_REPORT_GET,
	Q_REPORT_LIST,
	Q_REPORT_LIST_RATINGS,
	Q_RATINGS_GET,
	Q_REPORT_COUNT,
	Q_AUDIT_ADD,
	Q_AUDIT_APPEND,
	Q_AUDIT_LAST,
	Q_AUDIT_ANCHOR,
	Q_AUDIT_WALK,
	Q_AUDIT_EXPORT,
	Q_AUDIT_PURGE_UPTO,
	Q_AUDIT_ANCHOR_MOVE,
	Q_AUDIT_PURGE,
	Q_RETENTION_COUNT,
	Q_RETENTION_REVISIONS,
	Q_RETENTION_REPORTS,
	Q_ASSESSMENT_SET,
	Q_ASSESSMENT_LIST,
	Q_MEASURE_ADD,
	Q_MEASURE_LIST,
	Q_FLAG_OPEN,
	Q_FLAG_CLOSE,
	Q_FLAG_IS_OPEN,
	Q_FLAG_ACK,
	Q_FLAG_LIST,
	Q_SCORES,
	Q_SCORES_CLEAR,
	Q_SCORES_FILL,
	Q_SCORE_RAISE,
	Q_RATINGS_OLD,
	Q_OUTBOX_ADD,
	Q_OUTBOX_DUE,
	Q_OUTBOX_LEASE,
	Q_OUTBOX_RESULT,
	Q_OUTBOX_LIST,
	Q_OUTBOX_COUNTS,
	Q_OUTBOX_OLDEST,
	Q_JOB_DONE,
	Q_JOB_MARK,
	Q_JOB_LAST,
	Q_SESSION_CREATE,
	Q_SESSION_GET,
	Q_SESSION_TOUCH,
	Q_SESSION_DELETE,
	Q_SESSION_DELETE_PERSON,
	Q_SESSION_EXPIRE,
	/* Transaction control, prepared once: they run for every report. */
	Q_TX_BEGIN,
	Q_TX_COMMIT,
	Q_TX_ROLLBACK,
	Q_OP_SAVEPOINT,
	Q_OP_RELEASE,
	Q_OP_ROLLBACK,
	Q_JOB_SAVEPOINT,
	Q_JOB_RELEASE,
	Q_JOB_ROLLBACK,
	Q_POLICE_GET,
	Q_POLICE_INSERT,
	Q_POLICE_UPDATE,
	Q_POLICE_SEEN,
	Q_POLICE_LIST,
	Q_POLICE_STATE_GET,
	Q_POLICE_STATE_SET,
	Q_WEBHOOK_ADD,
	Q_WEBHOOK_DUE,
	Q_WEBHOOK_LEASE,
	Q_WEBHOOK_RESULT,
	Q_WEBHOOK_LIST,
	Q_WEBHOOK_COUNTS,
	Q_WEBHOOK_OLDEST,
	Q__COUNT
};

#define PERSON_COLUMNS                                                         \
	"SELECT id, name, email, org, role, all_areas, active, created,"       \
	" token_hash FROM people"

/* Column order shared by report_from_row. */
#define REPORT_COLUMNS                                                         \
	"SELECT r.id, ifnull(r.person_id, 0), p.email, p.name, a.slug,"        \
	" r.revision, r.submitted, r.\"nothing\", r.place, r.note"             \
	" FROM reports r JOIN areas a ON a.id = r.area_id"                     \
	" LEFT JOIN people p ON p.id = r.person_id"

/* Column order shared by outbox_from_row; data, when wanted, is last. */
#define OUTBOX_COLUMNS                                                         \
	"SELECT id, message_id, kind, dedup_key, recipient, subject, state,"   \
	" attempts, created, next_at, lease_until, ifnull(sent_at, 0),"        \
	" last_error"

/* Column order shared by webhook_from_row; body, when wanted, is last. */
#define WEBHOOK_COLUMNS                                                        \
	"SELECT id, event_id, webhook, event, dedup_key, state, attempts,"     \
	" created, next_at, lease_until, ifnull(sent_at, 0),"                  \
	" ifnull(last_status, 0), last_error"

/* Column order shared by police_from_row. */
#define POLICE_COLUMNS                                                         \
	"SELECT id, at, datetime, name, summary, url, type, location, gps,"    \
	" first_seen, updated, revision FROM police_events"

/* Still to deliver: what a lease expiring after a crash puts back. */
#define OUTBOX_UNDELIVERED "state IN ('queued', 'sending')"

static const char *const queries[Q__COUNT] = {
    [Q_AREA_ADD] =
	"INSERT INTO areas (slug, name, created) VALUES (?1, ?2, ?3)",
    [Q_AREA_GET] = "SELECT id, slug, name FROM areas WHERE slug = ?1",
    [Q_AREA_LIST] = "SELECT id, slug, name FROM areas ORDER BY slug",
    [Q_PERSON_ADD] =
	"INSERT INTO people (name, email, org, role, all_areas, active,"
	" token_hash, created) VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?7)",
    [Q_PERSON_AREA_ADD] =
	"INSERT INTO person_areas (person_id, area_id, position)"
	" VALUES (?1, ?2, ?3)",
    [Q_PERSON_GET] = PERSON_COLUMNS " WHERE id = ?1",
    [Q_PERSON_BY_TOKEN] = PERSON_COLUMNS " WHERE token_hash = ?1",
    [Q_PERSON_BY_EMAIL] = "SELECT id FROM people WHERE email = ?1",
    [Q_PERSON_LIST] = PERSON_COLUMNS " ORDER BY id",
    [Q_PERSON_AREAS] = "SELECT a.slug FROM person_areas pa"
		       " JOIN areas a ON a.id = pa.area_id"
		       " WHERE pa.person_id = ?1 ORDER BY pa.position",
    /*
	 * Every person with their own areas in order, one row per area
	 * (or one with a NULL slug): store_person_list.
	 */
    [Q_PERSON_LIST_AREAS] =
	"SELECT p.id, p.name, p.email, p.org, p.role, p.all_areas,"
	" p.active, p.created, a.slug"
	" FROM people p"
	" LEFT JOIN person_areas pa ON pa.person_id = p.id"
	"  AND p.all_areas = 0"
	" LEFT JOIN areas a ON a.id = pa.area_id"
	" ORDER BY p.id, pa.position",
    [Q_PERSON_SET_TOKEN] = "UPDATE people SET token_hash = ?2 WHERE id = ?1",
    [Q_PERSON_SET_SALT] = "UPDATE people SET token_salt = ?2 WHERE id = ?1",
    [Q_PERSON_GET_SALT] = "SELECT token_salt FROM people WHERE id = ?1"
			  " AND token_salt IS NOT NULL",
    [Q_PERSON_DISABLE] =
	"UPDATE people SET active = 0, disabled = ifnull(disabled, ?2)"
	" WHERE id = ?1",
    /* The expression matches reports_one, which serves the lookup. */
    [Q_REPORT_FIND] = "SELECT id, revision FROM reports"
		      " WHERE ifnull(person_id, 0) = ?1 AND area_id = ?2"
		      " AND period = ?3",
    [Q_REPORT_INSERT] =
	"INSERT INTO reports (person_id, area_id, period, period_start,"
	" revision, submitted, source, \"nothing\", place, note)"
	" VALUES (nullif(?1, 0), ?2, ?3, ?4, 1, ?5, ?6, ?7, ?8, ?9)",
    /* A new revision may bring text again: retention looks anew. */
    [Q_REPORT_UPDATE] =
	"UPDATE reports SET revision = ?2, period_start = ?3,"
	" submitted = ?4, source = ?5, \"nothing\" = ?6, place = ?7,"
	" note = ?8, text_erased = NULL WHERE id = ?1",
    [Q_RATINGS_DELETE] = "DELETE FROM ratings WHERE report_id = ?1",
    [Q_RATING_INSERT] =
	"INSERT INTO ratings (report_id, indicator, rating, count)"
	" VALUES (?1, ?2, ?3, ?4)",
    [Q_REVISION_INSERT] =
	"INSERT INTO report_revisions (report_id, revision, submitted,"
	" source, body) VALUES (?1, ?2, ?3, ?4, ?5)",
    [Q_REVISION_GET] = "SELECT body FROM report_revisions"
		       " WHERE report_id = ?1 AND revision = ?2",
    [Q_REPORT_GET] =
	REPORT_COLUMNS " WHERE ifnull(r.person_id, 0) = ?1 AND a.slug = ?2"
		       " AND r.period = ?3",
    [Q_REPORT_LIST] =
	REPORT_COLUMNS " WHERE r.period = ?1 AND (?2 IS NULL OR a.slug = ?2)"
		       " ORDER BY a.slug, p.email, r.id",
    /*
	 * The ratings of Q_REPORT_LIST's reports in one query, not one
	 * per report: a picture has hundreds. Joined, sorted with them,
	 * they took three times as long.
	 */
    [Q_REPORT_LIST_RATINGS] =
	"SELECT t.report_id, t.indicator, t.rating, t.count"
	" FROM reports r JOIN areas a ON a.id = r.area_id"
	" JOIN ratings t ON t.report_id = r.id"
	" WHERE r.period = ?1 AND (?2 IS NULL OR a.slug = ?2)",
    [Q_RATINGS_GET] = "SELECT indicator, rating, count FROM ratings"
		      " WHERE report_id = ?1",
    [Q_REPORT_COUNT] = "SELECT count(*) FROM reports",
    /* Files before the audit chain (schema version 3 and older). */
    [Q_AUDIT_ADD] = "INSERT INTO audit (at, actor, action, detail)"
		    " VALUES (?1, ?2, ?3, ?4)",
    [Q_AUDIT_APPEND] =
	"INSERT INTO audit (id, at, actor, action, detail, prev_hash, hash)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [Q_AUDIT_LAST] = "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1",
    [Q_AUDIT_ANCHOR] = "SELECT last_id, hash FROM audit_anchor WHERE id = 1",
    /* Column order shared by audit_from_row. */
    [Q_AUDIT_WALK] =
	"SELECT id, at, actor, action, detail, prev_hash, hash FROM audit"
	" WHERE id <= ?1 ORDER BY id",
    [Q_AUDIT_EXPORT] =
	"SELECT id, at, actor, action, detail, prev_hash, hash FROM audit"
	" WHERE at >= ?1 ORDER BY id",
    /* The last entry of the prefix stamped before ?1; NULL if empty. */
    [Q_AUDIT_PURGE_UPTO] =
	"SELECT ifnull((SELECT min(id) FROM audit WHERE at >= ?1) - 1,"
	" (SELECT max(id) FROM audit))",
    [Q_AUDIT_ANCHOR_MOVE] = "UPDATE audit_anchor SET last_id = ?1,"
			    " hash = (SELECT hash FROM audit WHERE id = ?1),"
			    " purged = purged + ?2, at = ?3 WHERE id = 1",
    [Q_AUDIT_PURGE] = "DELETE FROM audit WHERE id <= ?1",
    [Q_RETENTION_COUNT] = "SELECT count(*) FROM reports WHERE period_start < ?1"
			  " AND text_erased IS NULL"
			  " AND (place IS NOT NULL OR note IS NOT NULL)",
    /* The JSON of report_to_json always has both keys. */
    [Q_RETENTION_REVISIONS] =
	"UPDATE report_revisions SET body = json_set(body,"
	" '$.place', json('null'), '$.note', json('null'))"
	" WHERE report_id IN (SELECT id FROM reports"
	"  WHERE period_start < ?1 AND text_erased IS NULL)"
	" AND json_valid(body)"
	" AND (json_type(body, '$.place') = 'text'"
	"  OR json_type(body, '$.note') = 'text')",
    [Q_RETENTION_REPORTS] =
	"UPDATE reports SET place = NULL, note = NULL, text_erased = ?2"
	" WHERE period_start < ?1 AND text_erased IS NULL",
    /*
	 * INSERT ... SELECT from areas: no row is written, and changes()
	 * is 0, when the area does not exist. The WHERE is needed for
	 * SQLite to parse the upsert after a SELECT.
	 */
    [Q_ASSESSMENT_SET] =
	"INSERT INTO assessments (area_id, period, period_start, status,"
	" comment, person_id, at)"
	" SELECT id, ?2, ?3, ?4, ?5, nullif(?6, 0), ?7 FROM areas"
	" WHERE slug = ?1"
	" ON CONFLICT (area_id, period) DO UPDATE SET"
	" period_start = excluded.period_start, status = excluded.status,"
	" comment = excluded.comment, person_id = excluded.person_id,"
	" at = excluded.at",
    [Q_ASSESSMENT_LIST] =
	"SELECT a.slug, s.status, s.comment, ifnull(s.person_id, 0),"
	" p.name, p.email, s.at"
	" FROM assessments s JOIN areas a ON a.id = s.area_id"
	" LEFT JOIN people p ON p.id = s.person_id"
	" WHERE s.period = ?1 ORDER BY a.slug",
    [Q_MEASURE_ADD] =
	"INSERT INTO measures (area_id, period, period_start, indicator,"
	" what, place, who, follow_up, person_id, at)"
	" SELECT id, ?2, ?3, ?4, ?5, ?6, ?7, ?8, nullif(?9, 0), ?10"
	" FROM areas WHERE slug = ?1",
    [Q_MEASURE_LIST] =
	"SELECT m.id, a.slug, m.period, ifnull(m.indicator, ''), m.what,"
	" m.place, m.who, ifnull(m.follow_up, -1), ifnull(m.person_id, 0),"
	" p.email, m.at"
	" FROM measures m JOIN areas a ON a.id = m.area_id"
	" LEFT JOIN people p ON p.id = m.person_id"
	" WHERE (?1 IS NULL OR m.period = ?1)"
	" AND (?2 IS NULL OR a.slug = ?2) ORDER BY m.id",
    [Q_FLAG_OPEN] =
	"INSERT INTO flags (area_id, indicator, opened, opened_start,"
	" reason_sv, reason_en)"
	" SELECT id, ?2, ?3, ?4, ?5, ?6 FROM areas WHERE slug = ?1",
    [Q_FLAG_CLOSE] = "UPDATE flags SET closed = ?2, closed_start = ?3"
		     " WHERE id = ?1 AND closed IS NULL",
    [Q_FLAG_IS_OPEN] = "SELECT closed IS NULL FROM flags WHERE id = ?1",
    [Q_FLAG_ACK] = "UPDATE flags SET ack_comment = ?2, ack_person_id = ?3,"
		   " ack_at = ?4 WHERE id = ?1",
    [Q_FLAG_LIST] = "SELECT f.id, a.slug, f.indicator, f.opened, f.closed,"
		    " f.reason_sv, f.reason_en, f.ack_comment, p.email,"
		    " ifnull(f.ack_at, 0)"
		    " FROM flags f JOIN areas a ON a.id = f.area_id"
		    " LEFT JOIN people p ON p.id = f.ack_person_id"
		    " WHERE (?1 OR f.closed IS NULL)"
		    " AND f.opened_start <= ?3"
		    " AND (f.closed IS NULL OR f.closed_start >= ?2)"
		    " ORDER BY a.slug, f.indicator, f.opened_start, f.id",
    /* A range of periods, in the order of the key. */
    [Q_SCORES] = "SELECT area_id, period_start, period, indicator, score"
		 " FROM scores WHERE period_start BETWEEN ?1 AND ?2",
    /*
	 * One area's period computed anew from the latest ratings of its
	 * reports (reports_scores finds them): CLEAR then FILL.
	 */
    [Q_SCORES_CLEAR] =
	"DELETE FROM scores WHERE period_start = ?2 AND area_id = ?1",
    [Q_SCORES_FILL] =
	"INSERT INTO scores (area_id, indicator, period, period_start,"
	" score)"
	" SELECT ?1, t.indicator, min(r.period), ?2, max(t.rating)"
	" FROM reports r JOIN ratings t ON t.report_id = r.id"
	" WHERE r.period_start = ?2 AND r.area_id = ?1"
	" AND t.rating IS NOT NULL"
	" GROUP BY t.indicator",
    /* A rating can only raise its score: no need to read the others. */
    [Q_SCORE_RAISE] =
	"INSERT INTO scores (area_id, indicator, period, period_start, score)"
	" VALUES (?1, ?2, ?3, ?4, ?5)"
	" ON CONFLICT (period_start, area_id, indicator)"
	" DO UPDATE SET score = max(score, excluded.score)",
    [Q_RATINGS_OLD] = "SELECT indicator, rating FROM ratings"
		      " WHERE report_id = ?1 AND rating IS NOT NULL",
    /* Only a dedup_key already queued is ignored, never a bad row. */
    [Q_OUTBOX_ADD] =
	"INSERT INTO outbox (message_id, kind, dedup_key, recipient,"
	" subject, data, created, next_at)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
	" ON CONFLICT (dedup_key) DO NOTHING",
    /* Each half is a range of outbox_due. */
    [Q_OUTBOX_DUE] =
	OUTBOX_COLUMNS ", data FROM outbox"
		       " WHERE state = 'queued' AND next_at <= ?1"
		       " UNION ALL " OUTBOX_COLUMNS ", data FROM outbox"
		       " WHERE state = 'sending' AND lease_until < ?1"
		       " ORDER BY created, id LIMIT ?2",
    [Q_OUTBOX_LEASE] = "UPDATE outbox SET state = 'sending', lease_until = ?2,"
		       " attempts = attempts + 1"
		       " WHERE id = ?1 AND " OUTBOX_UNDELIVERED,
    [Q_OUTBOX_RESULT] =
	"UPDATE outbox SET state = ?2,"
	" sent_at = CASE WHEN ?2 = 'sent' THEN ?3 END,"
	" next_at = CASE WHEN ?2 = 'queued' THEN ?4 ELSE next_at END,"
	" last_error = ?5,"
	/*
	     * A delivered mail keeps its headers, for the record, but not
	     * its body: reminders and digests carry personal links.
	     */
	" data = CASE WHEN ?2 = 'sent' AND instr(data, X'0D0A0D0A') > 0"
	"   THEN substr(data, 1, instr(data, X'0D0A0D0A') + 3)"
	"   ELSE data END"
	" WHERE id = ?1 AND " OUTBOX_UNDELIVERED,
    [Q_OUTBOX_LIST] =
	OUTBOX_COLUMNS " FROM outbox ORDER BY created DESC, id DESC"
		       " LIMIT ?1",
    [Q_OUTBOX_COUNTS] = "SELECT state, count(*) FROM outbox GROUP BY state",
    [Q_OUTBOX_OLDEST] =
	"SELECT min(created) FROM outbox WHERE " OUTBOX_UNDELIVERED,
    [Q_JOB_DONE] = "SELECT 1 FROM jobs WHERE name = ?1 AND \"key\" = ?2",
    [Q_JOB_MARK] = "INSERT INTO jobs (name, \"key\", at) VALUES (?1, ?2, ?3)"
		   " ON CONFLICT (name, \"key\") DO NOTHING",
    [Q_JOB_LAST] = "SELECT max(at) FROM jobs WHERE name = ?1",
    [Q_SESSION_CREATE] =
	"INSERT INTO sessions (hash, person_id, csrf, created, last_seen)"
	" VALUES (?1, ?2, ?3, ?4, ?4)",
    [Q_SESSION_GET] =
	"SELECT hash, person_id, csrf, created, last_seen FROM sessions"
	" WHERE hash = ?1",
    [Q_SESSION_TOUCH] = "UPDATE sessions SET last_seen = ?2 WHERE hash = ?1",
    [Q_SESSION_DELETE] = "DELETE FROM sessions WHERE hash = ?1",
    [Q_SESSION_DELETE_PERSON] = "DELETE FROM sessions WHERE person_id = ?1",
    [Q_SESSION_EXPIRE] =
	"DELETE FROM sessions WHERE last_seen < ?1 OR created < ?2",
    [Q_TX_BEGIN] = "BEGIN IMMEDIATE",
    [Q_TX_COMMIT] = "COMMIT",
    [Q_TX_ROLLBACK] = "ROLLBACK",
    [Q_OP_SAVEPOINT] = "SAVEPOINT store_op",
    [Q_OP_RELEASE] = "RELEASE store_op",
    [Q_OP_ROLLBACK] = "ROLLBACK TO store_op",
    [Q_JOB_SAVEPOINT] = "SAVEPOINT store_job",
    [Q_JOB_RELEASE] = "RELEASE store_job",
    [Q_JOB_ROLLBACK] = "ROLLBACK TO store_job",
    [Q_POLICE_GET] = POLICE_COLUMNS " WHERE id = ?1",
    [Q_POLICE_INSERT] =
	"INSERT INTO police_events (id, at, datetime, name, summary, url,"
	" type, location, gps, first_seen, last_seen, updated)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?10)",
    [Q_POLICE_UPDATE] =
	"UPDATE police_events SET at = ?2, datetime = ?3, name = ?4,"
	" summary = ?5, url = ?6, type = ?7, location = ?8, gps = ?9,"
	" last_seen = ?10, updated = ?10, revision = revision + 1"
	" WHERE id = ?1",
    [Q_POLICE_SEEN] = "UPDATE police_events SET last_seen = ?2 WHERE id = ?1",
    [Q_POLICE_LIST] =
	POLICE_COLUMNS " WHERE at >= ?1 AND at < ?2 ORDER BY at, id",
    [Q_POLICE_STATE_GET] =
	"SELECT url, etag, last_modified, last_attempt, last_success,"
	" not_before, last_error FROM police_state WHERE id = 1",
    [Q_POLICE_STATE_SET] =
	"INSERT INTO police_state (id, url, etag, last_modified,"
	" last_attempt, last_success, not_before, last_error)"
	" VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7)"
	" ON CONFLICT (id) DO UPDATE SET url = excluded.url,"
	" etag = excluded.etag, last_modified = excluded.last_modified,"
	" last_attempt = excluded.last_attempt,"
	" last_success = excluded.last_success,"
	" not_before = excluded.not_before,"
	" last_error = excluded.last_error",
    /* Only a dedup_key already queued is ignored, never a bad row. */
    [Q_WEBHOOK_ADD] =
	"INSERT INTO webhook_outbox (event_id, webhook, event, dedup_key,"
	" body, created, next_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
	" ON CONFLICT (dedup_key) DO NOTHING",
    /* Each half is a range of webhook_outbox_due. */
    [Q_WEBHOOK_DUE] = WEBHOOK_COLUMNS
    ", body FROM webhook_outbox"
    " WHERE state = 'queued' AND next_at <= ?1"
    " UNION ALL " WEBHOOK_COLUMNS ", body FROM webhook_outbox"
    " WHERE state = 'sending' AND lease_until < ?1"
    " ORDER BY created, id LIMIT ?2",
    [Q_WEBHOOK_LEASE] =
	"UPDATE webhook_outbox SET state = 'sending', lease_until = ?2,"
	" attempts = attempts + 1"
	" WHERE id = ?1 AND " OUTBOX_UNDELIVERED,
    [Q_WEBHOOK_RESULT] =
	"UPDATE webhook_outbox SET state = ?2,"
	" sent_at = CASE WHEN ?2 = 'sent' THEN ?3 END,"
	" next_at = CASE WHEN ?2 = 'queued' THEN ?4 ELSE next_at END,"
	" last_status = nullif(?5, 0), last_error = ?6"
	" WHERE id = ?1 AND " OUTBOX_UNDELIVERED,
    [Q_WEBHOOK_LIST] =
	WEBHOOK_COLUMNS " FROM webhook_outbox"
			" ORDER BY created DESC, id DESC LIMIT ?1",
    [Q_WEBHOOK_COUNTS] =
	"SELECT state, count(*) FROM webhook_outbox GROUP BY state",
    [Q_WEBHOOK_OLDEST] =
	"SELECT min(created) FROM webhook_outbox WHERE " OUTBOX_UNDELIVERED,
};

struct store {
	sqlite3 *db;
	enum store_mode mode;
	char *path;
	sqlite3_stmt *stmt[Q__COUNT];
};

static const char *const role_names[] = {
    [ROLE_REPORTER] = "reporter",
    [ROLE_KEYFUNCTION] = "keyfunction",
    [ROLE_STEERING] = "steering",
    [ROLE_ADMIN] = "admin",
};

static const char *const report_sources[] = {"form", "api", "import"};

static void cause_set(char **, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/* Set *cause (owned by the caller) unless the caller passed NULL. */
static void
cause_set(char **cause, const char *fmt, ...)
{
	va_list ap;

	if (cause == NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(cause, fmt, ap) == -1)
		fatal("vasprintf");
	va_end(ap);
}

/* *cause = "what: SQLite's message for the last failure". */
static void
cause_db(struct store *s, char **cause, const char *what)
{
	cause_set(cause, "%s: %s", what, sqlite3_errmsg(s->db));
}

/* Run SQL without results; leaves SQLite's message for the caller. */
static int
exec_sql(struct store *s, const char *sql)
{
	return sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* Run SQL whose failure nobody can handle but should be seen. */
static int
exec_logged(struct store *s, const char *sql)
{
	if (exec_sql(s, sql) == -1) {
		log_warnx(
		    "store: %s: %s: %s", s->path, sql, sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
}

/*
 * The cached statement for q, prepared on first use. NULL on failure,
 * SQLite's message left for the caller. Hand it back with query_done.
 */
static sqlite3_stmt *
query(struct store *s, enum query q)
{
	if (s->stmt[q] == NULL &&
	    sqlite3_prepare_v3(s->db, queries[q], -1, SQLITE_PREPARE_PERSISTENT,
		&s->stmt[q], NULL) != SQLITE_OK) {
		s->stmt[q] = NULL;
		return NULL;
	}
	return s->stmt[q];
}

/*
 * Reset a statement so it holds no read snapshot, and clear bindings so
 * it keeps no pointer to the caller's strings.
 */
static void
query_done(sqlite3_stmt *st)
{
	if (st == NULL)
		return;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* Run a cached statement that returns no rows; 0 or -1. */
static int
exec_query(struct store *s, enum query q)
{
	sqlite3_stmt *st = query(s, q);
	int r;

	if (st == NULL)
		return -1;
	r = sqlite3_step(st);
	sqlite3_reset(st);
	return r == SQLITE_DONE ? 0 : -1;
}

/* Bind text, or NULL for a NULL or empty string. */
static void
bind_text_or_null(sqlite3_stmt *st, int i, const char *v)
{
	if (v == NULL || *v == '\0')
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

/* A copy of a text column (owned by the caller), NULL for SQL NULL. */
static char *
column_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *v = sqlite3_column_text(st, i);

	return v == NULL ? NULL : xstrdup((const char *)v);
}

/* An integer answer of a PRAGMA or query, into *out. */
static int
pragma_int(sqlite3 *db, const char *sql, int *out)
{
	sqlite3_stmt *st;
	int rc = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		*out = sqlite3_column_int(st, 0);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

/* A text answer of a PRAGMA, into buf (size bytes, truncated). */
static int
pragma_text(sqlite3 *db, const char *sql, char *buf, size_t size)
{
	sqlite3_stmt *st;
	const unsigned char *v;
	int rc = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		v = sqlite3_column_text(st, 0);
		snprintf(buf, size, "%s", v == NULL ? "" : (const char *)v);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

/*
 * Start an operation of several statements: a transaction of its own
 * when none is open (*own = 1), else a savepoint in the caller's.
 */
static int
op_begin(struct store *s, int *own, char **cause)
{
	*own = sqlite3_get_autocommit(s->db);
	if (exec_query(s, *own ? Q_TX_BEGIN : Q_OP_SAVEPOINT) == -1) {
		cause_db(s, cause, "cannot start a transaction");
		return -1;
	}
	return 0;
}

/*
 * End an operation: keep its writes if rc is 0, else undo them. Returns
 * rc, or -1 with *cause when keeping them fails.
 */
static int
op_end(struct store *s, int own, int rc, char **cause)
{
	if (rc == 0) {
		if (exec_query(s, own ? Q_TX_COMMIT : Q_OP_RELEASE) == 0)
			return 0;
		cause_db(s, cause, "cannot commit");
		rc = -1;
	}
	/*
	 * Errors are ignored: after some failures (disk full, I/O error)
	 * SQLite has already rolled the whole transaction back.
	 */
	if (own) {
		if (!sqlite3_get_autocommit(s->db))
			exec_query(s, Q_TX_ROLLBACK);
	} else if (exec_query(s, Q_OP_ROLLBACK) == 0)
		exec_query(s, Q_OP_RELEASE);
	return rc;
}

const char *
store_role_name(enum role r)
{
	if ((unsigned)r >= sizeof(role_names) / sizeof(role_names[0]))
		return NULL;
	return role_names[r];
}

int
store_role_parse(const char *name, enum role *out)
{
	size_t i;

	if (name == NULL)
		return -1;
	for (i = 0; i < sizeof(role_names) / sizeof(role_names[0]); i++) {
		if (strcmp(name, role_names[i]) == 0) {
			*out = (enum role)i;
			return 0;
		}
	}
	return -1;
}

/*
 * Library-wide settings, once per process before the first connection:
 * without memory statistics SQLite takes no global mutex on every
 * allocation, which matters with one HTTP thread per connection.
 */
static void
store_configure(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	sqlite3_initialize();
}

/*
 * Open path. Returns a new store owned by the caller (store_close), or
 * NULL with *cause (owned by the caller) set.
 */
struct store *
store_open(const char *path, enum store_mode mode, char **cause)
{
	struct store *s;
	char jmode[16], sql[64];
	int flags = SQLITE_OPEN_NOMUTEX, rc, v;
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, store_configure);
	if (mode == STORE_READER)
		flags |= SQLITE_OPEN_READONLY;
	else
		flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;

	s = xcalloc(1, sizeof(*s));
	s->mode = mode;
	s->path = xstrdup(path);
	if ((rc = sqlite3_open_v2(path, &s->db, flags, NULL)) != SQLITE_OK) {
		cause_set(cause, "cannot open database %s: %s", path,
		    s->db != NULL ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
	/* The schema is ours: refuse tricks a damaged file could play. */
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);

	if (mode == STORE_READER) {
		if (exec_sql(s,
			"PRAGMA foreign_keys = ON;"
			"PRAGMA query_only = 1") == -1)
			goto fail_db;
		/* The first read shows whether the file is a database. */
		if (pragma_int(s->db, "PRAGMA user_version", &v) == -1)
			goto fail_db;
		return s;
	}

	if (pragma_text(
		s->db, "PRAGMA journal_mode = WAL", jmode, sizeof(jmode)) == -1)
		goto fail_db;
	/* An in-memory database (tests) cannot have a WAL. */
	if (strcmp(jmode, "wal") != 0 &&
	    !(strcmp(path, ":memory:") == 0 && strcmp(jmode, "memory") == 0)) {
		cause_set(cause,
		    "cannot open database %s: journal mode is "
		    "\"%s\", not \"wal\"",
		    path, jmode);
		goto fail;
	}
	snprintf(sql, sizeof(sql), "PRAGMA journal_size_limit = %lld",
	    STORE_JOURNAL_LIMIT);
	if (exec_sql(s,
		"PRAGMA synchronous = FULL;"
		"PRAGMA foreign_keys = ON") == -1 ||
	    exec_sql(s, sql) == -1)
		goto fail_db;
	if (mode == STORE_ADMIN &&
	    exec_sql(s, "PRAGMA wal_autocheckpoint = 0") == -1)
		goto fail_db;
	return s;

fail_db:
	cause_set(
	    cause, "cannot open database %s: %s", path, sqlite3_errmsg(s->db));
fail:
	store_close(s);
	return NULL;
}

/* Finalize the cached statements and close; s is freed. */
void
store_close(struct store *s)
{
	int i;

	if (s == NULL)
		return;
	for (i = 0; i < Q__COUNT; i++)
		sqlite3_finalize(s->stmt[i]);
	/*
	 * Closing the last connection to the file checkpoints it; that
	 * needs an exclusive lock, so it never runs beside a writer.
	 */
	if (s->db != NULL && sqlite3_close(s->db) != SQLITE_OK)
		log_warnx(
		    "store: closing %s: %s", s->path, sqlite3_errmsg(s->db));
	free(s->path);
	free(s);
}

int
store_migrate(struct store *s, char **cause)
{
	return store_migrate_to(s, SCHEMA_VERSION, cause);
}

/*
 * Apply the scripts up to `version`. A file at or past it (up to this
 * program's version) is left as it is: nothing is ever downgraded.
 */
int
store_schema_latest(void)
{
	return SCHEMA_VERSION;
}

int
store_migrate_to(struct store *s, int version, char **cause)
{
	char sql[64];
	int v;

	if (s->mode == STORE_READER) {
		cause_set(cause,
		    "cannot migrate %s: the connection is "
		    "read-only",
		    s->path);
		return -1;
	}
	if (!sqlite3_get_autocommit(s->db)) {
		cause_set(
		    cause, "cannot migrate %s inside a transaction", s->path);
		return -1;
	}
	if (version < 1 || version > SCHEMA_VERSION) {
		cause_set(cause,
		    "cannot migrate %s to schema version %d: "
		    "this program knows versions 1 to %d",
		    s->path, version, SCHEMA_VERSION);
		return -1;
	}
	for (;;) {
		if (exec_sql(s, "BEGIN IMMEDIATE") == -1)
			goto fail_db;
		/* Read inside the lock: another process may have migrated. */
		if (pragma_int(s->db, "PRAGMA user_version", &v) == -1)
			goto fail_rollback;
		if (v < 0 || v > SCHEMA_VERSION) {
			exec_sql(s, "ROLLBACK");
			cause_set(cause,
			    "cannot migrate %s: schema version %d "
			    "is newer than this program's %d",
			    s->path, v, SCHEMA_VERSION);
			return -1;
		}
		if (v >= version || v >= SCHEMA_VERSION) {
			exec_sql(s, "ROLLBACK");
			return 0;
		}
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if (exec_sql(s, migrations[v]) == -1 ||
		    (migration_steps[v] != NULL &&
			migration_steps[v](s) == -1) ||
		    exec_sql(s, sql) == -1)
			goto fail_rollback;
		if (exec_sql(s, "COMMIT") == -1)
			goto fail_rollback;
		log_debug("store: %s: schema version %d", s->path, v + 1);
	}

fail_rollback:
	cause_set(
	    cause, "cannot migrate %s: %s", s->path, sqlite3_errmsg(s->db));
	if (!sqlite3_get_autocommit(s->db))
		exec_sql(s, "ROLLBACK");
	return -1;
fail_db:
	cause_set(
	    cause, "cannot migrate %s: %s", s->path, sqlite3_errmsg(s->db));
	return -1;
}

int
store_schema_version(struct store *s)
{
	int v;

	if (pragma_int(s->db, "PRAGMA user_version", &v) == -1)
		return -1;
	return v;
}

int
store_info(struct store *s, struct store_info *out)
{
	sqlite3 *db = s->db;

	memset(out, 0, sizeof(*out));
	if (pragma_int(db, "PRAGMA user_version", &out->schema_version) == -1 ||
	    pragma_text(db, "PRAGMA journal_mode", out->journal_mode,
		sizeof(out->journal_mode)) == -1 ||
	    pragma_int(db, "PRAGMA synchronous", &out->synchronous) == -1 ||
	    pragma_int(db, "PRAGMA foreign_keys", &out->foreign_keys) == -1 ||
	    pragma_int(db, "PRAGMA busy_timeout", &out->busy_timeout) == -1 ||
	    pragma_int(db, "PRAGMA query_only", &out->query_only) == -1 ||
	    pragma_int(db, "PRAGMA wal_autocheckpoint", &out->autocheckpoint) ==
		-1)
		return -1;
	return 0;
}

int
store_ping(struct store *s)
{
	int v;

	if (pragma_int(s->db, "SELECT 1", &v) == -1 || v != 1)
		return -1;
	return 0;
}

int
store_begin(struct store *s)
{
	return exec_logged(s, "BEGIN IMMEDIATE");
}

int
store_commit(struct store *s)
{
	return exec_logged(s, "COMMIT");
}

void
store_rollback(struct store *s)
{
	/* SQLite may already have rolled back after an I/O error. */
	if (!sqlite3_get_autocommit(s->db))
		exec_logged(s, "ROLLBACK");
}

int
store_savepoint(struct store *s)
{
	/* Outside a transaction it would start a deferred one. */
	if (sqlite3_get_autocommit(s->db)) {
		log_warnx(
		    "store: %s: savepoint outside a transaction", s->path);
		return -1;
	}
	return exec_query(s, Q_JOB_SAVEPOINT) == 0
	    ? 0
	    : exec_logged(s, "SAVEPOINT store_job");
}

int
store_release(struct store *s)
{
	return exec_query(s, Q_JOB_RELEASE) == 0
	    ? 0
	    : exec_logged(s, "RELEASE store_job");
}

void
store_rollback_savepoint(struct store *s)
{
	/* Undo, then drop the savepoint so the caller need not release. */
	if (exec_query(s, Q_JOB_ROLLBACK) == 0)
		exec_query(s, Q_JOB_RELEASE);
}

int
store_checkpoint(struct store *s)
{
	int rc;

	/* Only the daemon's writer checkpoints: see DESIGN above. */
	if (s->mode != STORE_WRITER)
		return -1;
	/* The same as PRAGMA wal_checkpoint(PASSIVE). */
	rc = sqlite3_wal_checkpoint_v2(
	    s->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	if (rc != SQLITE_OK) {
		log_warnx("store: %s: checkpoint: %s", s->path,
		    sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
}

/* Remove a failed backup and the files SQLite may have left beside it. */
static void
backup_remove(const char *path)
{
	static const char *const suffixes[] = {"", "-journal", "-wal", "-shm"};
	char *p;
	size_t i;

	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		xasprintf(&p, "%s%s", path, suffixes[i]);
		if (unlink(p) == -1 && errno != ENOENT)
			log_warn("store: cannot remove %s", p);
		free(p);
	}
}

int
store_backup(struct store *s, const char *path, char **cause)
{
	sqlite3 *dst = NULL;
	sqlite3_backup *b;
	char check[256];
	int fd, rc;

	/* Inside a transaction the copy would see uncommitted writes. */
	if (!sqlite3_get_autocommit(s->db)) {
		cause_set(cause, "cannot back up inside a transaction");
		return -1;
	}
	/* O_EXCL: never overwrite, not even a file that appears now. */
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) ==
	    -1) {
		if (errno == EEXIST)
			cause_set(
			    cause, "backup %s: the file already exists", path);
		else
			cause_set(
			    cause, "backup %s: %s", path, strerror(errno));
		return -1;
	}
	close(fd);

	if (sqlite3_open_v2(path, &dst,
		SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
		NULL) != SQLITE_OK) {
		cause_set(cause, "backup %s: %s", path,
		    dst != NULL ? sqlite3_errmsg(dst) : "out of memory");
		goto fail;
	}
	if ((b = sqlite3_backup_init(dst, "main", s->db, "main")) == NULL) {
		cause_set(cause, "backup %s: %s", path, sqlite3_errmsg(dst));
		goto fail;
	}
	rc = sqlite3_backup_step(b, -1);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		cause_set(cause, "backup %s: %s", path, sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_close(dst);
	dst = NULL;

	/* Check what reached the disk, through a fresh connection. */
	if (sqlite3_open_v2(path, &dst,
		SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
		NULL) != SQLITE_OK) {
		cause_set(cause, "backup %s: %s", path,
		    dst != NULL ? sqlite3_errmsg(dst) : "out of memory");
		goto fail;
	}
	if (pragma_text(dst, "PRAGMA quick_check", check, sizeof(check)) ==
	    -1) {
		cause_set(cause, "backup %s: quick_check: %s", path,
		    sqlite3_errmsg(dst));
		goto fail;
	}
	if (strcmp(check, "ok") != 0) {
		cause_set(cause, "backup %s: quick_check: %s", path, check);
		goto fail;
	}
	if (sqlite3_close(dst) != SQLITE_OK) {
		cause_set(cause, "backup %s: %s", path, sqlite3_errmsg(dst));
		dst = NULL;
		goto fail;
	}
	return 0;

fail:
	if (dst != NULL)
		sqlite3_close(dst);
	backup_remove(path);
	return -1;
}

/* The id of an area, 0 if there is none, -1 on error. */
static long long
area_id(struct store *s, const char *slug)
{
	sqlite3_stmt *st;
	long long id = -1;
	int rc;

	if ((st = query(s, Q_AREA_GET)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, slug, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	else if (rc == SQLITE_DONE)
		id = 0;
	query_done(st);
	return id;
}

/* Fill a from a row of Q_AREA_GET or Q_AREA_LIST; a->name is new. */
static void
area_from_row(sqlite3_stmt *st, struct area *a)
{
	const unsigned char *slug = sqlite3_column_text(st, 1);

	memset(a, 0, sizeof(*a));
	a->id = sqlite3_column_int64(st, 0);
	snprintf(a->slug, sizeof(a->slug), "%s",
	    slug == NULL ? "" : (const char *)slug);
	a->name = column_dup(st, 2);
	if (a->name == NULL)
		a->name = xstrdup("");
}

int
store_area_add(
    struct store *s, const char *slug, const char *name, char **cause)
{
	sqlite3_stmt *st = NULL;
	int own, rc = -1, r;

	if (!report_valid_slug(slug)) {
		cause_set(cause,
		    "invalid area slug \"%s\": use a-z, 0-9 and "
		    "-, at most %d characters",
		    slug, AREA_SLUG_MAX);
		return -1;
	}
	if (name == NULL || *name == '\0') {
		cause_set(cause, "area \"%s\" needs a name", slug);
		return -1;
	}
	if (op_begin(s, &own, cause) == -1)
		return -1;
	if ((st = query(s, Q_AREA_ADD)) == NULL) {
		cause_db(s, cause, "cannot add area");
		goto done;
	}
	sqlite3_bind_text(st, 1, slug, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)time(NULL));
	if ((r = sqlite3_step(st)) == SQLITE_CONSTRAINT_UNIQUE)
		cause_set(cause, "area \"%s\" already exists", slug);
	else if (r != SQLITE_DONE)
		cause_db(s, cause, "cannot add area");
	else
		rc = 0;
done:
	query_done(st);
	return op_end(s, own, rc, cause);
}

/* Fill *out; out->name is new: release it with store_area_clear. */
int
store_area_get(struct store *s, const char *slug, struct area *out)
{
	sqlite3_stmt *st;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if ((st = query(s, Q_AREA_GET)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, slug, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		area_from_row(st, out);
		rc = 0;
	}
	query_done(st);
	return rc;
}

void
store_area_clear(struct area *a)
{
	if (a == NULL)
		return;
	free(a->name);
	memset(a, 0, sizeof(*a));
}

/*
 * Every area by slug into a new array (*list, *n) owned by the caller
 * (store_areas_free).
 */
int
store_area_list(struct store *s, struct area **list, size_t *n)
{
	sqlite3_stmt *st;
	struct area *a = NULL;
	size_t na = 0;
	int rc;

	*list = NULL;
	*n = 0;
	if ((st = query(s, Q_AREA_LIST)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		a = xreallocarray(a, na + 1, sizeof(*a));
		area_from_row(st, &a[na++]);
	}
	query_done(st);
	if (rc != SQLITE_DONE) {
		store_areas_free(a, na);
		return -1;
	}
	*list = a;
	*n = na;
	return 0;
}

void
store_areas_free(struct area *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(list[i].name);
	free(list);
}

/*
 * Fill p from a row of PERSON_COLUMNS; its strings are new. The areas
 * are loaded separately (person_load_areas).
 */
static void
person_from_row(sqlite3_stmt *st, struct person *p)
{
	const unsigned char *role;

	memset(p, 0, sizeof(*p));
	p->id = sqlite3_column_int64(st, 0);
	p->name = column_dup(st, 1);
	p->email = column_dup(st, 2);
	p->org = column_dup(st, 3);
	if (p->org == NULL)
		p->org = xstrdup("");
	role = sqlite3_column_text(st, 4);
	/* The CHECK constraint keeps other values out. */
	if (store_role_parse((const char *)role, &p->role) == -1)
		p->role = ROLE_REPORTER;
	p->all_areas = sqlite3_column_int(st, 5) != 0;
	p->active = sqlite3_column_int(st, 6) != 0;
	p->created = (time_t)sqlite3_column_int64(st, 7);
}

/*
 * Load p->areas: the areas given at add in their order, or every area by
 * slug for a person with all areas.
 */
static int
person_load_areas(struct store *s, struct person *p)
{
	sqlite3_stmt *st;
	int rc, col;

	if (p->all_areas) {
		st = query(s, Q_AREA_LIST);
		col = 1;
	} else {
		st = query(s, Q_PERSON_AREAS);
		col = 0;
		if (st != NULL)
			sqlite3_bind_int64(st, 1, p->id);
	}
	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		p->areas =
		    xreallocarray(p->areas, p->n_areas + 1, sizeof(*p->areas));
		p->areas[p->n_areas++] = column_dup(st, col);
	}
	query_done(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/*
 * Insert a person; p and hash are borrowed. p->id and p->active are
 * ignored (a new person is active), and so are p->areas when
 * p->all_areas is set.
 */
long long
store_person_add(struct store *s, const struct person *p,
    const unsigned char hash[TOKEN_HASH_LEN], char **cause)
{
	sqlite3_stmt *st = NULL;
	long long *ids = NULL, id = -1, aid;
	size_t i, j, n = p->all_areas ? 0 : p->n_areas;
	int own, r;

	if (store_role_name(p->role) == NULL) {
		cause_set(cause, "unknown role %d", (int)p->role);
		return -1;
	}
	if (p->name == NULL || *p->name == '\0') {
		cause_set(cause, "a person needs a name");
		return -1;
	}
	if (p->email == NULL || *p->email == '\0') {
		cause_set(cause, "a person needs an e-mail address");
		return -1;
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			if (strcmp(p->areas[i], p->areas[j]) == 0) {
				cause_set(cause, "area \"%s\" is given twice",
				    p->areas[i]);
				return -1;
			}
	if (op_begin(s, &own, cause) == -1)
		return -1;

	if (store_person_id_by_email(s, p->email) > 0) {
		cause_set(cause, "a person with e-mail \"%s\" already exists",
		    p->email);
		goto done;
	}
	ids = xcalloc(n, sizeof(*ids));
	for (i = 0; i < n; i++) {
		if ((aid = area_id(s, p->areas[i])) == -1) {
			cause_db(s, cause, "cannot add person");
			goto done;
		}
		if (aid == 0) {
			cause_set(
			    cause, "area \"%s\" does not exist", p->areas[i]);
			goto done;
		}
		ids[i] = aid;
	}

	if ((st = query(s, Q_PERSON_ADD)) == NULL) {
		cause_db(s, cause, "cannot add person");
		goto done;
	}
	sqlite3_bind_text(st, 1, p->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, p->email, -1, SQLITE_STATIC);
	sqlite3_bind_text(
	    st, 3, p->org == NULL ? "" : p->org, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, store_role_name(p->role), -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, p->all_areas ? 1 : 0);
	if (hash != NULL)
		sqlite3_bind_blob(st, 6, hash, TOKEN_HASH_LEN, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 6);
	sqlite3_bind_int64(
	    st, 7, (sqlite3_int64)(p->created != 0 ? p->created : time(NULL)));
	r = sqlite3_step(st);
	if (r == SQLITE_CONSTRAINT_UNIQUE) {
		/* The e-mail was checked above, so it is the token. */
		cause_set(cause, "cannot add person: the token is in use");
		goto done;
	} else if (r != SQLITE_DONE) {
		cause_db(s, cause, "cannot add person");
		goto done;
	}
	id = sqlite3_last_insert_rowid(s->db);
	query_done(st);

	if (n > 0 && (st = query(s, Q_PERSON_AREA_ADD)) == NULL) {
		cause_db(s, cause, "cannot add person");
		id = -1;
		goto done;
	}
	for (i = 0; i < n; i++) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, ids[i]);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)i);
		if (sqlite3_step(st) != SQLITE_DONE) {
			cause_db(s, cause, "cannot add person");
			id = -1;
			goto done;
		}
		sqlite3_reset(st);
	}
done:
	query_done(st);
	free(ids);
	if (op_end(s, own, id > 0 ? 0 : -1, cause) == -1)
		return -1;
	return id;
}

/* Run a person query bound by the caller; fill *out (new strings). */
static int
person_fetch(struct store *s, sqlite3_stmt *st, const unsigned char *hash,
    struct person *out)
{
	const void *h;
	int rc = -1;

	if (sqlite3_step(st) == SQLITE_ROW) {
		h = sqlite3_column_blob(st, 8);
		/* The index found it; confirm without a timing leak. */
		if (hash == NULL ||
		    (h != NULL &&
			sqlite3_column_bytes(st, 8) == TOKEN_HASH_LEN &&
			token_hash_equal(h, hash))) {
			person_from_row(st, out);
			rc = 0;
		}
	}
	query_done(st);
	if (rc == 0 && person_load_areas(s, out) == -1) {
		store_person_clear(out);
		rc = -1;
	}
	return rc;
}

/* Fill *out (new strings: store_person_clear) for a token hash. */
int
store_person_by_token(struct store *s, const unsigned char hash[TOKEN_HASH_LEN],
    struct person *out)
{
	sqlite3_stmt *st;

	memset(out, 0, sizeof(*out));
	if ((st = query(s, Q_PERSON_BY_TOKEN)) == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, hash, TOKEN_HASH_LEN, SQLITE_STATIC);
	return person_fetch(s, st, hash, out);
}

/* Fill *out (new strings: store_person_clear); -1 if there is none. */
int
store_person_get(struct store *s, long long id, struct person *out)
{
	sqlite3_stmt *st;

	memset(out, 0, sizeof(*out));
	if ((st = query(s, Q_PERSON_GET)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return person_fetch(s, st, NULL, out);
}

/* The id of the person with this e-mail (any case), or -1. */
long long
store_person_id_by_email(struct store *s, const char *email)
{
	sqlite3_stmt *st;
	long long id = -1;

	if ((st = query(s, Q_PERSON_BY_EMAIL)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	query_done(st);
	return id;
}

/*
 * Every person by id into a new array (*list, *n) owned by the caller
 * (store_people_free). One query reads the people with their own areas
 * (a query per person made the picture slow with a thousand reporters);
 * those with all areas get the area list, read once.
 */
int
store_person_list(struct store *s, struct person **list, size_t *n)
{
	sqlite3_stmt *st;
	struct person *p = NULL, *last = NULL;
	char **all = NULL;
	size_t np = 0, nall = 0, i, j;
	int rc, want_all = 0;

	*list = NULL;
	*n = 0;
	if ((st = query(s, Q_PERSON_LIST_AREAS)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (last == NULL || sqlite3_column_int64(st, 0) != last->id) {
			p = xreallocarray(p, np + 1, sizeof(*p));
			last = &p[np++];
			person_from_row(st, last);
			if (last->all_areas)
				want_all = 1;
		}
		if (sqlite3_column_type(st, 8) == SQLITE_NULL)
			continue;
		last->areas = xreallocarray(
		    last->areas, last->n_areas + 1, sizeof(*last->areas));
		last->areas[last->n_areas++] = column_dup(st, 8);
	}
	query_done(st);
	if (rc == SQLITE_DONE && want_all) {
		if ((st = query(s, Q_AREA_LIST)) == NULL)
			rc = SQLITE_ERROR;
		else {
			while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
				all =
				    xreallocarray(all, nall + 1, sizeof(*all));
				all[nall++] = column_dup(st, 1);
			}
			query_done(st);
		}
	}
	for (i = 0; rc == SQLITE_DONE && i < np; i++) {
		if (!p[i].all_areas || nall == 0)
			continue;
		p[i].areas = xreallocarray(NULL, nall, sizeof(*p[i].areas));
		for (j = 0; j < nall; j++)
			p[i].areas[j] = xstrdup(all[j]);
		p[i].n_areas = nall;
	}
	for (j = 0; j < nall; j++)
		free(all[j]);
	free(all);
	if (rc != SQLITE_DONE) {
		store_people_free(p, np);
		return -1;
	}
	*list = p;
	*n = np;
	return 0;
}

/*
 * Run Q_PERSON_SET_TOKEN or Q_PERSON_DISABLE for one person and end
 * their web sessions, in one operation.
 */
static int
person_update(struct store *s, enum query q, long long id,
    const unsigned char *hash, char **cause)
{
	sqlite3_stmt *st;
	int own, rc = -1, r;

	if (op_begin(s, &own, cause) == -1)
		return -1;
	if ((st = query(s, q)) == NULL) {
		cause_db(s, cause, "cannot change person");
		goto done;
	}
	sqlite3_bind_int64(st, 1, id);
	if (q == Q_PERSON_SET_TOKEN)
		sqlite3_bind_blob(st, 2, hash, TOKEN_HASH_LEN, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
	if ((r = sqlite3_step(st)) == SQLITE_CONSTRAINT_UNIQUE)
		cause_set(cause, "cannot change person: the token is in use");
	else if (r != SQLITE_DONE)
		cause_db(s, cause, "cannot change person");
	else if (sqlite3_changes(s->db) == 0)
		cause_set(cause, "person %lld does not exist", id);
	else
		rc = 0;
	query_done(st);
	st = NULL;
	/* A disabled or relinked person is logged out at once. */
	if (rc == 0 && store_session_delete_person(s, id) == -1) {
		cause_db(s, cause, "cannot end the person's sessions");
		rc = -1;
	}
done:
	query_done(st);
	return op_end(s, own, rc, cause);
}

int
store_person_set_token(struct store *s, long long id,
    const unsigned char hash[TOKEN_HASH_LEN], char **cause)
{
	return person_update(s, Q_PERSON_SET_TOKEN, id, hash, cause);
}

int
store_person_set_salt(struct store *s, long long id,
    const unsigned char salt[TOKEN_SALT_LEN], char **cause)
{
	sqlite3_stmt *st;
	int own, rc = -1;

	if (op_begin(s, &own, cause) == -1)
		return -1;
	if ((st = query(s, Q_PERSON_SET_SALT)) == NULL) {
		cause_db(s, cause, "cannot change person");
		goto done;
	}
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_blob(st, 2, salt, TOKEN_SALT_LEN, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		cause_db(s, cause, "cannot change person");
	else if (sqlite3_changes(s->db) == 0)
		cause_set(cause, "person %lld does not exist", id);
	else
		rc = 0;
done:
	query_done(st);
	return op_end(s, own, rc, cause);
}

int
store_person_get_salt(
    struct store *s, long long id, unsigned char salt[TOKEN_SALT_LEN])
{
	sqlite3_stmt *st;
	int rc = -1;

	if ((st = query(s, Q_PERSON_GET_SALT)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_bytes(st, 0) == TOKEN_SALT_LEN) {
		memcpy(salt, sqlite3_column_blob(st, 0), TOKEN_SALT_LEN);
		rc = 0;
	}
	query_done(st);
	return rc;
}

/* Idempotent: disabling twice keeps the first time. */
int
store_person_disable(struct store *s, long long id, char **cause)
{
	return person_update(s, Q_PERSON_DISABLE, id, NULL, cause);
}

int
store_person_has_area(const struct person *p, const char *slug)
{
	size_t i;

	if (p->all_areas)
		return 1;
	for (i = 0; i < p->n_areas; i++)
		if (strcmp(p->areas[i], slug) == 0)
			return 1;
	return 0;
}

/* Free the strings of p; the struct itself belongs to the caller. */
void
store_person_clear(struct person *p)
{
	size_t i;

	if (p == NULL)
		return;
	free(p->name);
	free(p->email);
	free(p->org);
	for (i = 0; i < p->n_areas; i++)
		free(p->areas[i]);
	free(p->areas);
	memset(p, 0, sizeof(*p));
}

void
store_people_free(struct person *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		store_person_clear(&list[i]);
	free(list);
}

static int
valid_source(const char *source)
{
	size_t i;

	if (source == NULL)
		return 0;
	for (i = 0; i < sizeof(report_sources) / sizeof(report_sources[0]); i++)
		if (strcmp(source, report_sources[i]) == 0)
			return 1;
	return 0;
}

/* Replace the ratings rows of report id by those of r. */
static int
report_save_ratings(struct store *s, long long id, const struct report *r,
    const struct checklist *cl, char **cause)
{
	sqlite3_stmt *st;
	size_t i, n = cl->n;
	int rc = 0;

	if ((st = query(s, Q_RATINGS_DELETE)) == NULL) {
		cause_db(s, cause, "cannot save report");
		return -1;
	}
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_DONE) {
		cause_db(s, cause, "cannot save report");
		query_done(st);
		return -1;
	}
	query_done(st);

	if ((st = query(s, Q_RATING_INSERT)) == NULL) {
		cause_db(s, cause, "cannot save report");
		return -1;
	}
	if (n > INDICATORS_MAX)
		n = INDICATORS_MAX;
	for (i = 0; i < n; i++) {
		/* Not assessed and not counted: no row, never a 0. */
		if (r->ratings[i] == RATING_NONE && r->counts[i] == COUNT_NONE)
			continue;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, cl->items[i].key, -1, SQLITE_STATIC);
		if (r->ratings[i] == RATING_NONE)
			sqlite3_bind_null(st, 3);
		else
			sqlite3_bind_int(st, 3, r->ratings[i]);
		if (r->counts[i] == COUNT_NONE)
			sqlite3_bind_null(st, 4);
		else
			sqlite3_bind_int(st, 4, r->counts[i]);
		if (sqlite3_step(st) != SQLITE_DONE) {
			cause_db(s, cause, "cannot save report");
			rc = -1;
			break;
		}
		sqlite3_reset(st);
	}
	query_done(st);
	return rc;
}

/*
 * Compute the scores of area aid's period starting on day `start` anew
 * from the ratings, after a report of it was saved: the same operation,
 * so they never drift from the reports.
 */
static int
report_save_scores(struct store *s, long long aid, long start, char **cause)
{
	static const enum query steps[] = {Q_SCORES_CLEAR, Q_SCORES_FILL};
	sqlite3_stmt *st;
	size_t i;

	for (i = 0; i < NELEM(steps); i++) {
		if ((st = query(s, steps[i])) == NULL) {
			cause_db(s, cause, "cannot save report");
			return -1;
		}
		sqlite3_bind_int64(st, 1, aid);
		sqlite3_bind_int64(st, 2, start);
		if (sqlite3_step(st) != SQLITE_DONE) {
			cause_db(s, cause, "cannot save report");
			query_done(st);
			return -1;
		}
		query_done(st);
	}
	return 0;
}

/*
 * 1 when replacing report `id`'s ratings by r's can lower a score: some
 * rating it had before is now lower or gone. Then the area's period must
 * be computed anew; otherwise each new rating can only raise its score.
 * -1 on a database error.
 */
static int
report_lowers_scores(struct store *s, long long id, const struct report *r,
    const struct checklist *cl)
{
	sqlite3_stmt *st;
	int rc = 0, step, i;

	if ((st = query(s, Q_RATINGS_OLD)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		i = conf_indicator_index(
		    cl, (const char *)sqlite3_column_text(st, 0));
		if (i < 0 || r->ratings[i] == RATING_NONE ||
		    r->ratings[i] < sqlite3_column_int(st, 1))
			rc = 1;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = -1;
	query_done(st);
	return rc;
}

/* Raise the scores of area aid's period by r's ratings. */
static int
report_raise_scores(struct store *s, long long aid, const struct report *r,
    const struct checklist *cl, char **cause)
{
	sqlite3_stmt *st;
	char label[PERIOD_LABEL_MAX];
	size_t i, n = cl->n < INDICATORS_MAX ? cl->n : INDICATORS_MAX;
	int rc = 0;

	if ((st = query(s, Q_SCORE_RAISE)) == NULL) {
		cause_db(s, cause, "cannot save report");
		return -1;
	}
	period_format(&r->period, label);
	for (i = 0; i < n && rc == 0; i++) {
		if (r->ratings[i] == RATING_NONE)
			continue;
		sqlite3_bind_int64(st, 1, aid);
		sqlite3_bind_text(st, 2, cl->items[i].key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, label, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, period_first_day(&r->period));
		sqlite3_bind_int(st, 5, r->ratings[i]);
		if (sqlite3_step(st) != SQLITE_DONE) {
			cause_db(s, cause, "cannot save report");
			rc = -1;
		}
		sqlite3_reset(st);
	}
	query_done(st);
	return rc;
}

/* Insert or update the reports row; fills saved. */
static int
report_save_row(struct store *s, long long person_id, long long aid,
    const struct report *r, time_t submitted, const char *source,
    struct report_saved *saved, char **cause)
{
	sqlite3_stmt *st;
	char label[PERIOD_LABEL_MAX];
	long start = period_first_day(&r->period);
	int rc;

	period_format(&r->period, label);
	if ((st = query(s, Q_REPORT_FIND)) == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, person_id);
	sqlite3_bind_int64(st, 2, aid);
	sqlite3_bind_text(st, 3, label, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		saved->id = sqlite3_column_int64(st, 0);
		saved->revision = sqlite3_column_int(st, 1) + 1;
		saved->created = false;
	} else if (rc == SQLITE_DONE) {
		saved->id = 0;
		saved->revision = 1;
		saved->created = true;
	} else {
		query_done(st);
		goto fail;
	}
	query_done(st);

	if (saved->created) {
		if ((st = query(s, Q_REPORT_INSERT)) == NULL)
			goto fail;
		sqlite3_bind_int64(st, 1, person_id);
		sqlite3_bind_int64(st, 2, aid);
		sqlite3_bind_text(st, 3, label, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, start);
		sqlite3_bind_int64(st, 5, (sqlite3_int64)submitted);
		sqlite3_bind_text(st, 6, source, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 7, r->nothing ? 1 : 0);
		bind_text_or_null(st, 8, r->place);
		bind_text_or_null(st, 9, r->note);
	} else {
		if ((st = query(s, Q_REPORT_UPDATE)) == NULL)
			goto fail;
		sqlite3_bind_int64(st, 1, saved->id);
		sqlite3_bind_int(st, 2, saved->revision);
		sqlite3_bind_int64(st, 3, start);
		sqlite3_bind_int64(st, 4, (sqlite3_int64)submitted);
		sqlite3_bind_text(st, 5, source, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 6, r->nothing ? 1 : 0);
		bind_text_or_null(st, 7, r->place);
		bind_text_or_null(st, 8, r->note);
	}
	if ((rc = sqlite3_step(st)) != SQLITE_DONE) {
		/* The area was found, so the missing row is the person. */
		if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
			query_done(st);
			cause_set(
			    cause, "person %lld does not exist", person_id);
			return -1;
		}
		query_done(st);
		goto fail;
	}
	query_done(st);
	if (saved->created)
		saved->id = sqlite3_last_insert_rowid(s->db);
	return 0;
fail:
	cause_db(s, cause, "cannot save report");
	return -1;
}

/* Keep revision saved->revision whole, as JSON. */
static int
report_save_revision(struct store *s, const struct report *r,
    const struct checklist *cl, time_t submitted, const char *source,
    const struct report_saved *saved, char **cause)
{
	sqlite3_stmt *st;
	json_t *j;
	char *body;
	int rc = -1;

	/* j is a new reference, body a new string: both ours. */
	if ((j = report_to_json(r, cl)) == NULL) {
		cause_set(cause, "cannot save report: cannot encode it");
		return -1;
	}
	body = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (body == NULL) {
		cause_set(cause, "cannot save report: cannot encode it");
		return -1;
	}
	if ((st = query(s, Q_REVISION_INSERT)) == NULL) {
		cause_db(s, cause, "cannot save report");
		goto done;
	}
	sqlite3_bind_int64(st, 1, saved->id);
	sqlite3_bind_int(st, 2, saved->revision);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)submitted);
	sqlite3_bind_text(st, 4, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, body, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		cause_db(s, cause, "cannot save report");
	else
		rc = 0;
done:
	query_done(st);
	free(body);
	return rc;
}

/* r and cl are borrowed; *saved is filled on success. */
int
store_report_save(struct store *s, long long person_id, const struct report *r,
    const struct checklist *cl, time_t submitted, const char *source,
    struct report_saved *saved, char **cause)
{
	struct report_saved sv;
	long long aid;
	int own, rc = -1, lowers;

	memset(&sv, 0, sizeof(sv));
	if (!r->has_period) {
		cause_set(cause, "cannot save report: it has no period");
		return -1;
	}
	if (!valid_source(source)) {
		cause_set(cause, "cannot save report: unknown source \"%s\"",
		    source == NULL ? "" : source);
		return -1;
	}
	if (person_id < 0) {
		cause_set(cause, "person %lld does not exist", person_id);
		return -1;
	}
	if (op_begin(s, &own, cause) == -1)
		return -1;

	if ((aid = area_id(s, r->area)) == -1) {
		cause_db(s, cause, "cannot save report");
		goto done;
	}
	if (aid == 0) {
		cause_set(cause, "area \"%s\" does not exist", r->area);
		goto done;
	}
	if (report_save_row(
		s, person_id, aid, r, submitted, source, &sv, cause) == -1)
		goto done;
	/* Before the old ratings go: may this save lower a score? */
	lowers = sv.created ? 0 : report_lowers_scores(s, sv.id, r, cl);
	if (lowers == -1) {
		cause_db(s, cause, "cannot save report");
		goto done;
	}
	if (report_save_ratings(s, sv.id, r, cl, cause) == -1 ||
	    (lowers ? report_save_scores(
			  s, aid, period_first_day(&r->period), cause)
		    : report_raise_scores(s, aid, r, cl, cause)) == -1 ||
	    report_save_revision(s, r, cl, submitted, source, &sv, cause) == -1)
		goto done;
	rc = 0;
done:
	if ((rc = op_end(s, own, rc, cause)) == 0 && saved != NULL)
		*saved = sv;
	return rc;
}

/*
 * Fill out from a row of REPORT_COLUMNS, without its ratings. The period
 * is the caller's: the label matched, and the caller knows whether it is
 * a week or a fortnight. Strings in out are new.
 */
static void
report_fill_row(
    sqlite3_stmt *row, const struct period *p, struct stored_report *out)
{
	const unsigned char *slug;

	memset(out, 0, sizeof(*out));
	report_init(&out->report);
	out->id = sqlite3_column_int64(row, 0);
	out->person_id = sqlite3_column_int64(row, 1);
	out->reporter_email = column_dup(row, 2);
	out->reporter_name = column_dup(row, 3);
	slug = sqlite3_column_text(row, 4);
	snprintf(out->report.area, sizeof(out->report.area), "%s",
	    slug == NULL ? "" : (const char *)slug);
	out->revision = sqlite3_column_int(row, 5);
	out->submitted = (time_t)sqlite3_column_int64(row, 6);
	out->report.nothing = sqlite3_column_int(row, 7) != 0;
	out->report.place = column_dup(row, 8);
	out->report.note = column_dup(row, 9);
	out->report.has_period = true;
	out->report.period = *p;
}

/*
 * Take one ratings row (indicator, rating, count from column col on)
 * into out.
 */
static void
report_fill_rating(sqlite3_stmt *st, int col, const struct checklist *cl,
    struct stored_report *out)
{
	const unsigned char *key;
	int i;

	key = sqlite3_column_text(st, col);
	/* Indicators dropped from the checklist are not shown. */
	if (key == NULL ||
	    (i = conf_indicator_index(cl, (const char *)key)) < 0 ||
	    i >= INDICATORS_MAX)
		return;
	if (sqlite3_column_type(st, col + 1) != SQLITE_NULL)
		out->report.ratings[i] = sqlite3_column_int(st, col + 1);
	if (sqlite3_column_type(st, col + 2) != SQLITE_NULL)
		out->report.counts[i] = sqlite3_column_int(st, col + 2);
}

/*
 * Fill out from a row of REPORT_COLUMNS and the ratings rows. Strings
 * in out are new.
 */
static int
report_from_row(struct store *s, sqlite3_stmt *row, const struct period *p,
    const struct checklist *cl, struct stored_report *out)
{
	sqlite3_stmt *st;
	int rc;

	report_fill_row(row, p, out);
	if ((st = query(s, Q_RATINGS_GET)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, out->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		report_fill_rating(st, 0, cl, out);
	query_done(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Fill *out (new strings: store_stored_report_clear); -1 if none. */
int
store_report_get(struct store *s, long long person_id, const char *area,
    const struct period *p, const struct checklist *cl,
    struct stored_report *out)
{
	sqlite3_stmt *st;
	char label[PERIOD_LABEL_MAX];
	int rc = -1;

	memset(out, 0, sizeof(*out));
	period_format(p, label);
	if ((st = query(s, Q_REPORT_GET)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, person_id);
	sqlite3_bind_text(st, 2, area, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, label, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		rc = report_from_row(s, st, p, cl, out);
		if (rc == -1)
			store_stored_report_clear(out);
	}
	query_done(st);
	return rc;
}

/* A report's id and its index in a list, for store_report_list. */
struct report_at {
	long long id;
	size_t at;
};

static int
report_at_cmp(const void *a, const void *b)
{
	const struct report_at *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

/*
 * The reports of period p (of one area unless area is NULL), by area
 * slug then reporter e-mail, into a new array (*list, *n) owned by the
 * caller (store_stored_reports_free). Two queries: the reports, then
 * all their ratings, matched by id.
 */
int
store_report_list(struct store *s, const struct period *p, const char *area,
    const struct checklist *cl, struct stored_report **list, size_t *n)
{
	sqlite3_stmt *st;
	struct stored_report *r = NULL;
	struct report_at *ids = NULL, key, *hit;
	char label[PERIOD_LABEL_MAX];
	size_t nr = 0, i;
	int rc;

	*list = NULL;
	*n = 0;
	period_format(p, label);
	if ((st = query(s, Q_REPORT_LIST)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, label, -1, SQLITE_STATIC);
	if (area != NULL)
		sqlite3_bind_text(st, 2, area, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		r = xreallocarray(r, nr + 1, sizeof(*r));
		report_fill_row(st, p, &r[nr++]);
	}
	query_done(st);
	if (rc != SQLITE_DONE || nr == 0)
		goto done;

	ids = xreallocarray(NULL, nr, sizeof(*ids));
	for (i = 0; i < nr; i++) {
		ids[i].id = r[i].id;
		ids[i].at = i;
	}
	qsort(ids, nr, sizeof(*ids), report_at_cmp);
	if ((st = query(s, Q_REPORT_LIST_RATINGS)) == NULL) {
		rc = SQLITE_ERROR;
		goto done;
	}
	sqlite3_bind_text(st, 1, label, -1, SQLITE_STATIC);
	if (area != NULL)
		sqlite3_bind_text(st, 2, area, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		/* A report saved since the first query is not listed. */
		key.id = sqlite3_column_int64(st, 0);
		if ((hit = bsearch(
			 &key, ids, nr, sizeof(*ids), report_at_cmp)) != NULL)
			report_fill_rating(st, 1, cl, &r[hit->at]);
	}
	query_done(st);
done:
	free(ids);
	if (rc != SQLITE_DONE) {
		store_stored_reports_free(r, nr);
		return -1;
	}
	*list = r;
	*n = nr;
	return 0;
}

/* The JSON of one revision of a report (new string, free(3)), or NULL. */
char *
store_report_revision(struct store *s, long long report_id, int revision)
{
	sqlite3_stmt *st;
	char *body = NULL;

	if ((st = query(s, Q_REVISION_GET)) == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, report_id);
	sqlite3_bind_int(st, 2, revision);
	if (sqlite3_step(st) == SQLITE_ROW)
		body = column_dup(st, 0);
	query_done(st);
	return body;
}

long long
store_report_count(struct store *s)
{
	sqlite3_stmt *st;
	long long n = -1;

	if ((st = query(s, Q_REPORT_COUNT)) == NULL)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	query_done(st);
	return n;
}

/* Free the strings of r; the struct itself belongs to the caller. */
void
store_stored_report_clear(struct stored_report *r)
{
	if (r == NULL)
		return;
	free(r->reporter_email);
	free(r->reporter_name);
	report_clear(&r->report);
	memset(r, 0, sizeof(*r));
}

void
store_stored_reports_free(struct stored_report *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		store_stored_report_clear(&list[i]);
	free(list);
}

/* Hex of n bytes, lowercase, NUL-terminated, into out[2n + 1]. */
static void
hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

/* Append the netstring "LEN:s,". */
static void
netstring(struct buf *b, const char *s)
{
	size_t len = strlen(s);

	buf_printf(b, "%zu:", len);
	buf_append(b, s, len);
	buf_append(b, ",", 1);
}

/*
 * The hash of an entry (its own hash member is not read) into
 * hex[AUDIT_HEX + 1], as DESIGN above defines it.
 */
static void
audit_hash(const struct audit_entry *e, char hex[AUDIT_HEX + 1])
{
	struct buf b = {NULL, 0, 0};
	unsigned char h[TOKEN_HASH_LEN];
	char num[32];

	netstring(&b, AUDIT_TAG);
	snprintf(num, sizeof(num), "%lld", e->id);
	netstring(&b, num);
	snprintf(num, sizeof(num), "%lld", (long long)e->at);
	netstring(&b, num);
	netstring(&b, e->actor != NULL ? e->actor : "");
	netstring(&b, e->action != NULL ? e->action : "");
	netstring(&b, e->detail != NULL ? e->detail : "");
	netstring(&b, e->prev_hash != NULL ? e->prev_hash : "");
	token_sha256(b.data, b.len, h);
	buf_reset(&b);
	hex_encode(h, sizeof(h), hex);
}

/* A row of Q_AUDIT_WALK or Q_AUDIT_EXPORT; strings live until the next step. */
static void
audit_from_row(sqlite3_stmt *st, struct audit_entry *e)
{
	e->id = sqlite3_column_int64(st, 0);
	e->at = (time_t)sqlite3_column_int64(st, 1);
	e->actor = (const char *)sqlite3_column_text(st, 2);
	e->action = (const char *)sqlite3_column_text(st, 3);
	e->detail = (const char *)sqlite3_column_text(st, 4);
	e->prev_hash = (const char *)sqlite3_column_text(st, 5);
	e->hash = (const char *)sqlite3_column_text(st, 6);
}

/*
 * The anchor: the id and hash (into hash[AUDIT_HEX + 1]) the log starts
 * from. Returns 0, or -1 with SQLite's message left (or none: the row
 * is missing or damaged).
 */
static int
audit_anchor(struct store *s, long long *last_id, char *hash)
{
	sqlite3_stmt *st;
	const unsigned char *h;
	int rc = -1;

	if ((st = query(s, Q_AUDIT_ANCHOR)) == NULL)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW &&
	    (h = sqlite3_column_text(st, 1)) != NULL &&
	    strlen((const char *)h) == AUDIT_HEX) {
		*last_id = sqlite3_column_int64(st, 0);
		memcpy(hash, h, AUDIT_HEX + 1);
		rc = 0;
	}
	query_done(st);
	return rc;
}

/*
 * The newest entry's id and hash, or the anchor's when the log is
 * empty: what the next entry follows. Returns 0 or -1.
 */
static int
audit_head(struct store *s, long long *id, char *hash)
{
	sqlite3_stmt *st;
	const unsigned char *h;
	int rc, found = 0;

	if ((st = query(s, Q_AUDIT_LAST)) == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		h = sqlite3_column_text(st, 1);
		/* An unchained entry breaks verification there, not here. */
		snprintf(hash, AUDIT_HEX + 1, "%s",
		    h != NULL ? (const char *)h : "");
		found = 1;
	}
	query_done(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	if (found)
		return 0;
	return audit_anchor(s, id, hash);
}

int
store_audit(
    struct store *s, const char *actor, const char *action, const char *detail)
{
	return store_audit_at(s, time(NULL), actor, action, detail);
}

int
store_audit_at(struct store *s, time_t at, const char *actor,
    const char *action, const char *detail)
{
	struct audit_entry e;
	sqlite3_stmt *st = NULL;
	char *cause = NULL, prev[AUDIT_HEX + 1];
	char hash[AUDIT_HEX + 1];
	long long last;
	int own, rc = -1, v;

	if (op_begin(s, &own, &cause) == -1)
		goto done;
	if ((v = store_schema_version(s)) == -1)
		goto fail_db;
	if (v < AUDIT_CHAIN_VERSION) {
		/* Chained later, by the migration to version 4. */
		if ((st = query(s, Q_AUDIT_ADD)) == NULL)
			goto fail_db;
		sqlite3_bind_int64(st, 1, (sqlite3_int64)at);
		sqlite3_bind_text(st, 2, actor, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, action, -1, SQLITE_STATIC);
		bind_text_or_null(st, 4, detail);
	} else {
		if (audit_head(s, &last, prev) == -1)
			goto fail_db;
		memset(&e, 0, sizeof(e));
		e.id = last + 1;
		e.at = at;
		e.actor = actor;
		e.action = action;
		/* Stored as NULL when empty, which hashes the same. */
		e.detail = detail;
		e.prev_hash = prev;
		audit_hash(&e, hash);
		if ((st = query(s, Q_AUDIT_APPEND)) == NULL)
			goto fail_db;
		sqlite3_bind_int64(st, 1, e.id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)at);
		sqlite3_bind_text(st, 3, actor, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, action, -1, SQLITE_STATIC);
		bind_text_or_null(st, 5, detail);
		sqlite3_bind_text(st, 6, prev, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, hash, -1, SQLITE_STATIC);
	}
	if (sqlite3_step(st) == SQLITE_DONE)
		rc = 0;
	else
		cause_db(s, &cause, "cannot write audit entry");
	query_done(st);
	goto end;
fail_db:
	cause_db(s, &cause, "cannot write audit entry");
end:
	rc = op_end(s, own, rc, rc == 0 ? &cause : NULL);
done:
	if (cause != NULL)
		log_warnx("store: %s: %s", s->path, cause);
	free(cause);
	return rc;
}

/*
 * Check the chain from the anchor up to entry `upto`, inside the
 * caller's read or write transaction. Returns 0 with *checked, or -1
 * with *cause (caller frees) and *bad_id (0: could not read).
 */
static int
audit_walk(struct store *s, long long upto, long long *checked,
    long long *bad_id, char **cause)
{
	sqlite3_stmt *st;
	struct audit_entry e;
	char expect[AUDIT_HEX + 1], hash[AUDIT_HEX + 1];
	long long anchor_id, prev_id;
	int step;

	*checked = 0;
	*bad_id = 0;
	if (audit_anchor(s, &anchor_id, expect) == -1) {
		cause_set(cause, "cannot read the audit log's anchor: %s",
		    sqlite3_errmsg(s->db));
		return -1;
	}
	prev_id = anchor_id;
	if ((st = query(s, Q_AUDIT_WALK)) == NULL) {
		cause_db(s, cause, "cannot read the audit log");
		return -1;
	}
	sqlite3_bind_int64(st, 1, upto);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		audit_from_row(st, &e);
		if (e.id <= anchor_id) {
			cause_set(cause,
			    "it is older than the anchor left "
			    "by the last purge (entry %lld) and should have "
			    "been removed with it",
			    anchor_id);
			goto bad;
		}
		if (e.hash == NULL || e.prev_hash == NULL) {
			cause_set(cause,
			    "it has no hash: it was not written "
			    "by estd");
			goto bad;
		}
		audit_hash(&e, hash);
		if (strcmp(hash, e.hash) != 0) {
			cause_set(cause,
			    "its content does not match its "
			    "hash: it was changed after it was written");
			goto bad;
		}
		if (strcmp(e.prev_hash, expect) != 0) {
			if (prev_id == 0)
				cause_set(cause,
				    "it does not start the log: "
				    "entries before it were removed");
			else if (prev_id == anchor_id && *checked == 0)
				cause_set(cause,
				    "it does not follow the anchor "
				    "left by the last purge (entry %lld): "
				    "entries before it were removed",
				    anchor_id);
			else
				cause_set(cause,
				    "it does not follow entry "
				    "%lld: an entry between them was removed, "
				    "or entry %lld was changed and its hash "
				    "rewritten",
				    prev_id, prev_id);
			goto bad;
		}
		memcpy(expect, hash, sizeof(expect));
		prev_id = e.id;
		(*checked)++;
	}
	if (step != SQLITE_DONE) {
		cause_db(s, cause, "cannot read the audit log");
		query_done(st);
		return -1;
	}
	query_done(st);
	return 0;
bad:
	*bad_id = e.id;
	query_done(st);
	return -1;
}

/*
 * Open a read snapshot for several statements unless the caller has a
 * transaction open (*own says which); -1 with *cause.
 */
static int
read_begin(struct store *s, int *own, char **cause)
{
	int v;

	*own = sqlite3_get_autocommit(s->db);
	if (*own && exec_sql(s, "BEGIN") == -1) {
		cause_db(s, cause, "cannot read the database");
		return -1;
	}
	if ((v = store_schema_version(s)) == -1) {
		cause_db(s, cause, "cannot read the database");
		goto fail;
	}
	if (v < AUDIT_CHAIN_VERSION) {
		cause_set(cause,
		    "the database has schema version %d; the "
		    "audit log is chained from version %d on (run \"estctl "
		    "init\")",
		    v, AUDIT_CHAIN_VERSION);
		goto fail;
	}
	return 0;
fail:
	if (*own)
		exec_sql(s, "ROLLBACK");
	return -1;
}

static void
read_end(struct store *s, int own)
{
	/* Nothing was written: ending the snapshot cannot lose anything. */
	if (own && !sqlite3_get_autocommit(s->db))
		exec_sql(s, "ROLLBACK");
}

int
store_audit_verify(
    struct store *s, long long *checked, long long *bad_id, char **cause)
{
	int own, rc;

	*checked = 0;
	*bad_id = 0;
	if (read_begin(s, &own, cause) == -1)
		return -1;
	rc = audit_walk(s, LLONG_MAX, checked, bad_id, cause);
	read_end(s, own);
	return rc;
}

int
store_audit_head(
    struct store *s, long long *id, char *hash, long long *anchor_id)
{
	char ahash[AUDIT_HEX + 1], *cause = NULL;
	int own, rc = -1;

	if (read_begin(s, &own, &cause) == -1) {
		log_warnx("store: %s: %s", s->path, cause);
		free(cause);
		return -1;
	}
	if (audit_anchor(s, anchor_id, ahash) == 0 &&
	    audit_head(s, id, hash) == 0)
		rc = 0;
	read_end(s, own);
	return rc;
}

int
store_audit_export(struct store *s, time_t since, store_audit_fn fn, void *arg)
{
	sqlite3_stmt *st;
	struct audit_entry e;
	char *cause = NULL;
	int own, step, rc = -1;

	if (read_begin(s, &own, &cause) == -1) {
		log_warnx("store: %s: %s", s->path, cause);
		free(cause);
		return -1;
	}
	if ((st = query(s, Q_AUDIT_EXPORT)) == NULL) {
		log_warnx("store: %s: cannot read the audit log: %s", s->path,
		    sqlite3_errmsg(s->db));
		goto done;
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64)since);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		audit_from_row(st, &e);
		if (fn(&e, arg) == -1)
			break;
	}
	if (step == SQLITE_DONE)
		rc = 0;
	else if (step != SQLITE_ROW)
		log_warnx("store: %s: cannot read the audit log: %s", s->path,
		    sqlite3_errmsg(s->db));
	query_done(st);
done:
	read_end(s, own);
	return rc;
}

int
store_audit_purge(
    struct store *s, time_t before, time_t now, long long *purged, char **cause)
{
	sqlite3_stmt *st;
	char anchor_hash[AUDIT_HEX + 1], *why = NULL;
	long long upto = 0, anchor_id, checked, bad;
	int own, rc = -1, found = 0;

	*purged = 0;
	if (op_begin(s, &own, cause) == -1)
		return -1;
	if ((st = query(s, Q_AUDIT_PURGE_UPTO)) == NULL)
		goto fail_db;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)before);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL) {
		upto = sqlite3_column_int64(st, 0);
		found = 1;
	}
	query_done(st);
	if (audit_anchor(s, &anchor_id, anchor_hash) == -1)
		goto fail_db;
	if (!found || upto <= anchor_id) {
		rc = 0;
		goto done;
	}
	/* Never remove the evidence of a break. */
	if (audit_walk(s, upto, &checked, &bad, &why) == -1) {
		if (bad != 0)
			cause_set(cause,
			    "the audit log is broken at entry "
			    "%lld: %s; nothing was purged",
			    bad, why);
		else
			cause_set(cause, "%s", why);
		free(why);
		goto done;
	}
	if ((st = query(s, Q_AUDIT_ANCHOR_MOVE)) == NULL)
		goto fail_db;
	sqlite3_bind_int64(st, 1, upto);
	sqlite3_bind_int64(st, 2, checked);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)now);
	if (sqlite3_step(st) != SQLITE_DONE) {
		query_done(st);
		goto fail_db;
	}
	query_done(st);
	if ((st = query(s, Q_AUDIT_PURGE)) == NULL)
		goto fail_db;
	sqlite3_bind_int64(st, 1, upto);
	if (sqlite3_step(st) != SQLITE_DONE) {
		query_done(st);
		goto fail_db;
	}
	query_done(st);
	*purged = sqlite3_changes(s->db);
	rc = 0;
	goto done;
fail_db:
	cause_db(s, cause, "cannot purge the audit log");
done:
	rc = op_end(s, own, rc, cause);
	if (rc == -1)
		*purged = 0;
	return rc;
}

/*
 * The step of the migration to version 4: chain the entries already in
 * the log, in id order, then add the triggers that keep it append-only.
 * In batches, so no SELECT is open while its table is updated.
 */
static int
migrate_audit_chain(struct store *s)
{
	enum { BATCH = 256 };
	sqlite3_stmt *sel = NULL, *upd = NULL;
	struct audit_entry e[BATCH];
	char prev[AUDIT_HEX + 1] = AUDIT_GENESIS;
	char hash[BATCH][AUDIT_HEX + 1];
	long long after = 0;
	int n, i, step, rc = -1;

	if (sqlite3_prepare_v2(s->db,
		"SELECT id, at, actor, action, detail"
		" FROM audit WHERE id > ?1 ORDER BY id LIMIT ?2",
		-1, &sel, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db,
		"UPDATE audit SET prev_hash = ?2,"
		" hash = ?3 WHERE id = ?1",
		-1, &upd, NULL) != SQLITE_OK)
		goto done;
	memset(e, 0, sizeof(e));
	do {
		sqlite3_bind_int64(sel, 1, after);
		sqlite3_bind_int(sel, 2, BATCH);
		for (n = 0;
		     n < BATCH && (step = sqlite3_step(sel)) == SQLITE_ROW;
		     n++) {
			e[n].id = sqlite3_column_int64(sel, 0);
			e[n].at = (time_t)sqlite3_column_int64(sel, 1);
			e[n].actor = column_dup(sel, 2);
			e[n].action = column_dup(sel, 3);
			e[n].detail = column_dup(sel, 4);
		}
		if (n < BATCH && step != SQLITE_DONE)
			goto done;
		sqlite3_reset(sel);
		for (i = 0; i < n; i++) {
			e[i].prev_hash = i == 0 ? prev : hash[i - 1];
			audit_hash(&e[i], hash[i]);
			sqlite3_bind_int64(upd, 1, e[i].id);
			sqlite3_bind_text(
			    upd, 2, e[i].prev_hash, -1, SQLITE_STATIC);
			sqlite3_bind_text(upd, 3, hash[i], -1, SQLITE_STATIC);
			step = sqlite3_step(upd);
			sqlite3_reset(upd);
			if (step != SQLITE_DONE)
				goto done;
		}
		if (n > 0) {
			memcpy(prev, hash[n - 1], sizeof(prev));
			after = e[n - 1].id;
		}
		for (i = 0; i < n; i++) {
			free((char *)(uintptr_t)e[i].actor);
			free((char *)(uintptr_t)e[i].action);
			free((char *)(uintptr_t)e[i].detail);
			memset(&e[i], 0, sizeof(e[i]));
		}
	} while (n == BATCH);
	if (exec_sql(s, audit_triggers) == -1)
		goto done;
	rc = 0;
done:
	for (i = 0; i < BATCH; i++) {
		free((char *)(uintptr_t)e[i].actor);
		free((char *)(uintptr_t)e[i].action);
		free((char *)(uintptr_t)e[i].detail);
	}
	sqlite3_finalize(sel);
	sqlite3_finalize(upd);
	return rc;
}

int
store_retention_erase(struct store *s, long before_day, time_t now,
    long *reports, long *revisions, char **cause)
{
	sqlite3_stmt *st;
	int own, rc = -1;

	*reports = 0;
	*revisions = 0;
	if (op_begin(s, &own, cause) == -1)
		return -1;
	if ((st = query(s, Q_RETENTION_COUNT)) == NULL)
		goto fail_db;
	sqlite3_bind_int64(st, 1, before_day);
	if (sqlite3_step(st) != SQLITE_ROW) {
		query_done(st);
		goto fail_db;
	}
	*reports = (long)sqlite3_column_int64(st, 0);
	query_done(st);
	/* Revisions first: they are found through the reports' mark. */
	if ((st = query(s, Q_RETENTION_REVISIONS)) == NULL)
		goto fail_db;
	sqlite3_bind_int64(st, 1, before_day);
	if (sqlite3_step(st) != SQLITE_DONE) {
		query_done(st);
		goto fail_db;
	}
	query_done(st);
	*revisions = sqlite3_changes(s->db);
	if ((st = query(s, Q_RETENTION_REPORTS)) == NULL)
		goto fail_db;
	sqlite3_bind_int64(st, 1, before_day);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)now);
	if (sqlite3_step(st) != SQLITE_DONE) {
		query_done(st);
		goto fail_db;
	}
	query_done(st);
	rc = 0;
	goto done;
fail_db:
	cause_db(s, cause, "cannot erase old free text");
done:
	rc = op_end(s, own, rc, cause);
	if (rc == -1)
		*reports = *revisions = 0;
	return rc;
}

/* Copy a text column into buf (size bytes, truncated); "" for NULL. */
static void
column_copy(sqlite3_stmt *st, int i, char *buf, size_t size)
{
	const unsigned char *v = sqlite3_column_text(st, i);

	snprintf(buf, size, "%s", v == NULL ? "" : (const char *)v);
}

/*
 * A period label column into *out. Only labels written by period_format
 * are stored, so a failure means a damaged file: logged, and -1.
 */
static int
column_period(struct store *s, sqlite3_stmt *st, int i, struct period *out)
{
	const unsigned char *v = sqlite3_column_text(st, i);

	memset(out, 0, sizeof(*out));
	if (v == NULL || period_parse((const char *)v, out) == -1) {
		log_warnx("store: %s: bad period label \"%s\"", s->path,
		    v == NULL ? "" : (const char *)v);
		return -1;
	}
	return 0;
}

/*
 * Step a statement that writes, for functions without *cause: 0 when it
 * ran, else -1 with SQLite's message logged.
 */
static int
step_logged(struct store *s, sqlite3_stmt *st, const char *what)
{
	if (sqlite3_step(st) != SQLITE_DONE) {
		log_warnx(
		    "store: %s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
}

static const char *const level_names[] = {
    [LEVEL_GREEN] = "green",
    [LEVEL_YELLOW] = "yellow",
    [LEVEL_RED] = "red",
    [LEVEL_GREY] = "grey",
};

static const char *const outbox_state_names[] = {
    [OUTBOX_QUEUED] = "queued",
    [OUTBOX_SENDING] = "sending",
    [OUTBOX_SENT] = "sent",
    [OUTBOX_FAILED] = "failed",
};

/* The index of name in names[n], or -1. */
static int
name_index(const char *const *names, size_t n, const char *name)
{
	size_t i;

	if (name == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (strcmp(name, names[i]) == 0)
			return (int)i;
	return -1;
}

const char *
store_level_name(enum level l)
{
	if ((unsigned)l >= NELEM(level_names))
		return NULL;
	return level_names[l];
}

int
store_level_parse(const char *name, enum level *out)
{
	int i;

	if ((i = name_index(level_names, NELEM(level_names), name)) == -1)
		return -1;
	*out = (enum level)i;
	return 0;
}

/*
 * Set the assessment of (area, period), replacing an earlier one; a
 * single statement, so it commits itself when no transaction is open.
 * LEVEL_GREY is stored like the others: it says no status was set. A
 * person_id of 0 stores no person (estctl).
 */
int
store_assessment_set(struct store *s, const char *area, const struct period *p,
    enum level status, const char *comment, long long person_id, time_t at,
    char **cause)
{
	sqlite3_stmt *st;
	char label[PERIOD_LABEL_MAX];
	int rc = -1, r;

	if (store_level_name(status) == NULL) {
		cause_set(cause, "unknown level %d", (int)status);
		return -1;
	}
	if (person_id < 0) {
		cause_set(cause, "person %lld does not exist", person_id);
		return -1;
	}
	if ((st = query(s, Q_ASSESSMENT_SET)) == NULL) {
		cause_db(s, cause, "cannot set assessment");
		return -1;
	}
	period_format(p, label);
	sqlite3_bind_text(st, 1, area, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, label, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, period_first_day(p));
	sqlite3_bind_text(st, 4, store_level_name(status), -1, SQLITE_STATIC);
	bind_text_or_null(st, 5, comment);
	sqlite3_bind_int64(st, 6, person_id);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)at);
	if ((r = sqlite3_step(st)) == SQLITE_CONSTRAINT_FOREIGNKEY)
		cause_set(cause, "person %lld does not exist", person_id);
	else if (r != SQLITE_DONE)
		cause_db(s, cause, "cannot set assessment");
	else if (sqlite3_changes(s->db) == 0)
		cause_set(cause, "area \"%s\" does not exist", area);
	else
		rc = 0;
	query_done(st);
	return rc;
}

/*
 * The assessments of period p by area slug, into a new array (*list,
 * *n) owned by the caller (store_assessments_free). Each carries p
 * itself, so a fortnight stays a fortnight.
 */
int
store_assessment_list(struct store *s, const struct period *p,
    struct assessment **list, size_t *n)
{
	sqlite3_stmt *st;
	struct assessment *a = NULL, *x;
	char label[PERIOD_LABEL_MAX];
	size_t na = 0;
	int rc;

	*list = NULL;
	*n = 0;
	if ((st = query(s, Q_ASSESSMENT_LIST)) == NULL)
		return -1;
	period_format(p, label);
	sqlite3_bind_text(st, 1, label, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		a = xreallocarray(a, na + 1, sizeof(*a));
		x = &a[na++];
		memset(x, 0, sizeof(*x));
		column_copy(st, 0, x->area, sizeof(x->area));
		x->period = *p;
		/* The CHECK constraint keeps other values out. */
		if (store_level_parse((const char *)sqlite3_column_text(st, 1),
			&x->status) == -1)
			x->status = LEVEL_GREY;
		x->comment = column_dup(st, 2);
		x->person_id = sqlite3_column_int64(st, 3);
		x->by_name = column_dup(st, 4);
		x->by_email = column_dup(st, 5);
		x->at = (time_t)sqlite3_column_int64(st, 6);
	}
	query_done(st);
	if (rc != SQLITE_DONE) {
		store_assessments_free(a, na);
		return -1;
	}
	*list = a;
	*n = na;
	return 0;
}

void
store_assessments_free(struct assessment *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(list[i].comment);
		free(list[i].by_name);
		free(list[i].by_email);
	}
	free(list);
}

/*
 * Record a measure; m is borrowed, its id and by_email ignored. An empty
 * indicator, place or who is stored as none, a negative follow_up as no
 * follow-up day, m->at 0 as now. Returns the new id, or -1 with *cause.
 */
long long
store_measure_add(struct store *s, const struct measure *m, char **cause)
{
	sqlite3_stmt *st;
	char label[PERIOD_LABEL_MAX];
	long long id = -1;
	int r;

	if (m->what == NULL || *m->what == '\0') {
		cause_set(cause, "a measure needs a description");
		return -1;
	}
	if (m->person_id < 0) {
		cause_set(cause, "person %lld does not exist", m->person_id);
		return -1;
	}
	if ((st = query(s, Q_MEASURE_ADD)) == NULL) {
		cause_db(s, cause, "cannot add measure");
		return -1;
	}
	period_format(&m->period, label);
	sqlite3_bind_text(st, 1, m->area, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, label, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, period_first_day(&m->period));
	bind_text_or_null(st, 4, m->indicator);
	sqlite3_bind_text(st, 5, m->what, -1, SQLITE_STATIC);
	bind_text_or_null(st, 6, m->place);
	bind_text_or_null(st, 7, m->who);
	if (m->follow_up >= 0)
		sqlite3_bind_int64(st, 8, m->follow_up);
	sqlite3_bind_int64(st, 9, m->person_id);
	sqlite3_bind_int64(
	    st, 10, (sqlite3_int64)(m->at != 0 ? m->at : time(NULL)));
	if ((r = sqlite3_step(st)) == SQLITE_CONSTRAINT_FOREIGNKEY)
		cause_set(cause, "person %lld does not exist", m->person_id);
	else if (r != SQLITE_DONE)
		cause_db(s, cause, "cannot add measure");
	else if (sqlite3_changes(s->db) == 0)
		cause_set(cause, "area \"%s\" does not exist", m->area);
	else
		id = sqlite3_last_insert_rowid(s->db);
	query_done(st);
	return id;
}

/*
 * Measures of period p (NULL: every period) and area (NULL: every
 * area), by id, into a new array (*list, *n) owned by the caller
 * (store_measures_free). With p given each carries p itself; otherwise
 * the period is read from its label, so a fortnight comes back as the
 * week that names it.
 */
int
store_measure_list(struct store *s, const struct period *p, const char *area,
    struct measure **list, size_t *n)
{
	sqlite3_stmt *st;
	struct measure *m = NULL, *x;
	char label[PERIOD_LABEL_MAX];
	size_t nm = 0;
	int rc;

	*list = NULL;
	*n = 0;
	if ((st = query(s, Q_MEASURE_LIST)) == NULL)
		return -1;
	if (p != NULL) {
		period_format(p, label);
		sqlite3_bind_text(st, 1, label, -1, SQLITE_STATIC);
	}
	if (area != NULL)
		sqlite3_bind_text(st, 2, area, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		m = xreallocarray(m, nm + 1, sizeof(*m));
		x = &m[nm++];
		memset(x, 0, sizeof(*x));
		x->id = sqlite3_column_int64(st, 0);
		column_copy(st, 1, x->area, sizeof(x->area));
		if (p != NULL)
			x->period = *p;
		else if (column_period(s, st, 2, &x->period) == -1) {
			rc = SQLITE_CORRUPT;
			break;
		}
		column_copy(st, 3, x->indicator, sizeof(x->indicator));
		x->what = column_dup(st, 4);
		x->place = column_dup(st, 5);
		x->who = column_dup(st, 6);
		x->follow_up = (long)sqlite3_column_int64(st, 7);
		x->person_id = sqlite3_column_int64(st, 8);
		x->by_email = column_dup(st, 9);
		x->at = (time_t)sqlite3_column_int64(st, 10);
	}
	query_done(st);
	if (rc != SQLITE_DONE) {
		store_measures_free(m, nm);
		return -1;
	}
	*list = m;
	*n = nm;
	return 0;
}

void
store_measures_free(struct measure *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(list[i].what);
		free(list[i].place);
		free(list[i].who);
		free(list[i].by_email);
	}
	free(list);
}

/*
 * Open a flag of (area, indicator) in period `opened`; at most one flag
 * of a pair is open at a time. Strings borrowed. Returns the new id or
 * -1 with *cause.
 */
long long
store_flag_open(struct store *s, const char *area, const char *indicator,
    const struct period *opened, const char *reason_sv, const char *reason_en,
    char **cause)
{
	sqlite3_stmt *st;
	char label[PERIOD_LABEL_MAX];
	long long id = -1;
	int r;

	if (indicator == NULL || *indicator == '\0' ||
	    strlen(indicator) > INDICATOR_KEY_MAX) {
		cause_set(cause, "invalid indicator \"%s\"",
		    indicator == NULL ? "" : indicator);
		return -1;
	}
	if ((st = query(s, Q_FLAG_OPEN)) == NULL) {
		cause_db(s, cause, "cannot open flag");
		return -1;
	}
	period_format(opened, label);
	sqlite3_bind_text(st, 1, area, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, indicator, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, label, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, period_first_day(opened));
	sqlite3_bind_text(
	    st, 5, reason_sv == NULL ? "" : reason_sv, -1, SQLITE_STATIC);
	sqlite3_bind_text(
	    st, 6, reason_en == NULL ? "" : reason_en, -1, SQLITE_STATIC);
	if ((r = sqlite3_step(st)) == SQLITE_CONSTRAINT_UNIQUE)
		cause_set(cause, "a flag of \"%s\" in \"%s\" is already open",
		    indicator, area);
	else if (r != SQLITE_DONE)
		cause_db(s, cause, "cannot open flag");
	else if (sqlite3_changes(s->db) == 0)
		cause_set(cause, "area \"%s\" does not exist", area);
	else
		id = sqlite3_last_insert_rowid(s->db);
	query_done(st);
	return id;
}

/* Why flag id was not changed: it does not exist, or it is closed. */
static void
flag_missing(struct store *s, long long id, char **cause)
{
	sqlite3_stmt *st;
	int r;

	if ((st = query(s, Q_FLAG_IS_OPEN)) == NULL) {
		cause_db(s, cause, "cannot close flag");
		return;
	}
	sqlite3_bind_int64(st, 1, id);
	if ((r = sqlite3_step(st)) == SQLITE_ROW)
		cause_set(cause, "flag %lld is already closed", id);
	else if (r == SQLITE_DONE)
		cause_set(cause, "flag %lld does not exist", id);
	else
		cause_db(s, cause, "cannot close flag");
	query_done(st);
}

/* Close an open flag in period `closed` (not before it opened). */
int
store_flag_close(
    struct store *s, long long id, const struct period *closed, char **cause)
{
	sqlite3_stmt *st;
	char label[PERIOD_LABEL_MAX];
	int rc = -1, missing = 0;

	if ((st = query(s, Q_FLAG_CLOSE)) == NULL) {
		cause_db(s, cause, "cannot close flag");
		return -1;
	}
	period_format(closed, label);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, label, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, period_first_day(closed));
	if (sqlite3_step(st) != SQLITE_DONE)
		cause_db(s, cause, "cannot close flag");
	else if (sqlite3_changes(s->db) > 0)
		rc = 0;
	else
		missing = 1;
	query_done(st);
	if (missing)
		flag_missing(s, id, cause);
	return rc;
}

/*
 * Record that person_id acknowledged flag id with comment (borrowed;
 * NULL is kept as ""), open or closed; a later acknowledgement
 * replaces it.
 */
int
store_flag_ack(struct store *s, long long id, long long person_id,
    const char *comment, time_t at, char **cause)
{
	sqlite3_stmt *st;
	int rc = -1, r;

	if (person_id <= 0) {
		cause_set(cause, "person %lld does not exist", person_id);
		return -1;
	}
	if ((st = query(s, Q_FLAG_ACK)) == NULL) {
		cause_db(s, cause, "cannot acknowledge flag");
		return -1;
	}
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(
	    st, 2, comment == NULL ? "" : comment, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, person_id);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)at);
	if ((r = sqlite3_step(st)) == SQLITE_CONSTRAINT_FOREIGNKEY)
		cause_set(cause, "person %lld does not exist", person_id);
	else if (r != SQLITE_DONE)
		cause_db(s, cause, "cannot acknowledge flag");
	else if (sqlite3_changes(s->db) == 0)
		cause_set(cause, "flag %lld does not exist", id);
	else
		rc = 0;
	query_done(st);
	return rc;
}

/*
 * Flags by area slug, indicator and the period they opened, into a new
 * array (*list, *n) owned by the caller (store_flags_free). Periods are
 * read from their labels: a fortnight comes back as the week that names
 * it.
 */
/*
 * The flags of Q_FLAG_LIST (open ones only unless include_closed) that
 * opened on or before day `to` and were still open on day `from`.
 */
static int
flag_list(struct store *s, bool include_closed, long from, long to,
    struct flag_row **list, size_t *n)
{
	sqlite3_stmt *st;
	struct flag_row *f = NULL, *x;
	size_t nf = 0;
	int rc;

	*list = NULL;
	*n = 0;
	if ((st = query(s, Q_FLAG_LIST)) == NULL)
		return -1;
	sqlite3_bind_int(st, 1, include_closed ? 1 : 0);
	sqlite3_bind_int64(st, 2, from);
	sqlite3_bind_int64(st, 3, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		f = xreallocarray(f, nf + 1, sizeof(*f));
		x = &f[nf++];
		memset(x, 0, sizeof(*x));
		x->id = sqlite3_column_int64(st, 0);
		column_copy(st, 1, x->area, sizeof(x->area));
		column_copy(st, 2, x->indicator, sizeof(x->indicator));
		x->open = sqlite3_column_type(st, 4) == SQLITE_NULL;
		x->reason_sv = column_dup(st, 5);
		x->reason_en = column_dup(st, 6);
		x->ack_comment = column_dup(st, 7);
		x->ack_by = column_dup(st, 8);
		x->ack_at = (time_t)sqlite3_column_int64(st, 9);
		if (column_period(s, st, 3, &x->opened) == -1 ||
		    (!x->open && column_period(s, st, 4, &x->closed) == -1)) {
			rc = SQLITE_CORRUPT;
			break;
		}
	}
	query_done(st);
	if (rc != SQLITE_DONE) {
		store_flags_free(f, nf);
		return -1;
	}
	*list = f;
	*n = nf;
	return 0;
}

int
store_flag_list(
    struct store *s, bool include_closed, struct flag_row **list, size_t *n)
{
	return flag_list(s, include_closed, LONG_MIN, LONG_MAX, list, n);
}

int
store_flag_list_during(
    struct store *s, const struct period *p, struct flag_row **list, size_t *n)
{
	return flag_list(
	    s, true, period_first_day(p), period_first_day(p), list, n);
}

void
store_flags_free(struct flag_row *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(list[i].reason_sv);
		free(list[i].reason_en);
		free(list[i].ack_comment);
		free(list[i].ack_by);
	}
	free(list);
}

/* An area's slug by id and its place in slug order, for store_scores. */
struct area_slug {
	long long id;
	size_t rank;
	char slug[AREA_SLUG_MAX + 1];
};

/* An indicator key as a score row holds it, and its place in key order. */
struct score_ind {
	char key[INDICATOR_KEY_MAX + 1];
	size_t len;
	size_t rank;
};

/* A score as read, before it takes its place in the order. */
struct score_tmp {
	struct period period;
	int score;
	size_t area; /* index into the areas, by id */
	size_t ind; /* index into the keys */
};

static int
area_slug_cmp(const void *a, const void *b)
{
	const struct area_slug *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

/* Pointers to score_ind, by key. */
static int
score_ind_cmp(const void *a, const void *b)
{
	const struct score_ind *const *x = a, *const *y = b;

	return strcmp((*x)->key, (*y)->key);
}

/*
 * Every area's slug and rank in slug order, by id, into a new array
 * (free(3)).
 */
static int
area_slugs(struct store *s, struct area_slug **list, size_t *n)
{
	sqlite3_stmt *st;
	struct area_slug *a = NULL;
	size_t na = 0;
	int rc;

	*list = NULL;
	*n = 0;
	if ((st = query(s, Q_AREA_LIST)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		a = xreallocarray(a, na + 1, sizeof(*a));
		memset(&a[na], 0, sizeof(a[na]));
		a[na].id = sqlite3_column_int64(st, 0);
		a[na].rank = na;
		column_copy(st, 1, a[na].slug, sizeof(a[na].slug));
		na++;
	}
	query_done(st);
	if (rc != SQLITE_DONE) {
		free(a);
		return -1;
	}
	qsort(a, na, sizeof(*a), area_slug_cmp);
	*list = a;
	*n = na;
	return 0;
}

/*
 * The index of key (as a score row holds it: cut at INDICATOR_KEY_MAX)
 * in the growing array *inds of *n, added if new. The keys of a period
 * and area come in the same order every time, so the one after *guess
 * is tried first.
 */
static size_t
score_ind_find(struct score_ind **inds, size_t *n, size_t *size, size_t guess,
    const char *key)
{
	struct score_ind *x;
	size_t len = strnlen(key, INDICATOR_KEY_MAX), k;

	if (guess < *n && (*inds)[guess].len == len &&
	    memcmp((*inds)[guess].key, key, len) == 0)
		return guess;
	for (k = 0; k < *n; k++)
		if ((*inds)[k].len == len &&
		    memcmp((*inds)[k].key, key, len) == 0)
			return k;
	if (*n == *size) {
		*size = *size == 0 ? 16 : *size * 2;
		*inds = xreallocarray(*inds, *size, sizeof(**inds));
	}
	x = &(*inds)[*n];
	memset(x, 0, sizeof(*x));
	memcpy(x->key, key, len);
	x->len = len;
	return (*n)++;
}

/*
 * The score series of every pair over the reporting periods whose first
 * day lies from from's first day to to's first day, into a new array
 * (*list, *n) owned by the caller (free(3)), ordered by area slug,
 * indicator key and period. Periods are read from their labels, as
 * weeks: turning them into fortnights is for the caller, who knows the
 * cadence.
 *
 * The scores table holds them ready (see DESIGN), in the order of its
 * key: by period, then area. The flag step asks for the whole history
 * every time, five years of 100 areas a third of a million scores, so
 * no comparison sort: areas and keys are given their rank in slug and
 * key order, and a counting sort by (area, key), stable, keeps the
 * periods of each pair in the order read. A period label is parsed only
 * when it changes.
 */
int
store_scores(struct store *s, const struct period *from,
    const struct period *to, struct score_row **list, size_t *n)
{
	sqlite3_stmt *st = NULL;
	struct area_slug *areas = NULL, key, *area = NULL;
	struct score_ind *inds = NULL, **byrank = NULL;
	struct score_tmp *tmp = NULL, *t;
	struct score_row *out = NULL, *o;
	struct period p;
	const char *ind, *label;
	char plabel[PERIOD_LABEL_MAX];
	size_t na, nind = 0, sind = 0, nt = 0, st_size = 0;
	size_t k = 0, nb, b, i, *at = NULL;
	int rc = SQLITE_ERROR;

	*list = NULL;
	*n = 0;
	memset(&p, 0, sizeof(p));
	plabel[0] = '\0';
	if (area_slugs(s, &areas, &na) == -1 ||
	    (st = query(s, Q_SCORES)) == NULL)
		goto done;
	sqlite3_bind_int64(st, 1, period_first_day(from));
	sqlite3_bind_int64(st, 2, period_first_day(to));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (area == NULL || sqlite3_column_int64(st, 0) != area->id) {
			key.id = sqlite3_column_int64(st, 0);
			area = bsearch(
			    &key, areas, na, sizeof(*areas), area_slug_cmp);
			if (area == NULL) {
				rc = SQLITE_CORRUPT;
				break;
			}
		}
		label = (const char *)sqlite3_column_text(st, 2);
		if (label == NULL || strcmp(label, plabel) != 0) {
			if (column_period(s, st, 2, &p) == -1) {
				rc = SQLITE_CORRUPT;
				break;
			}
			snprintf(plabel, sizeof(plabel), "%s", label);
		}
		if ((ind = (const char *)sqlite3_column_text(st, 3)) == NULL)
			continue;
		k = score_ind_find(&inds, &nind, &sind, k + 1, ind);
		if (nt == st_size) {
			st_size = st_size == 0 ? 256 : st_size * 2;
			tmp = xreallocarray(tmp, st_size, sizeof(*tmp));
		}
		t = &tmp[nt++];
		t->period = p;
		t->score = sqlite3_column_int(st, 4);
		t->area = (size_t)(area - areas);
		t->ind = k;
	}
done:
	query_done(st);
	if (rc != SQLITE_DONE || nt == 0)
		goto out;

	/* Rank the keys; then the counting sort, bucket (area, key). */
	byrank = xreallocarray(NULL, nind, sizeof(*byrank));
	for (i = 0; i < nind; i++)
		byrank[i] = &inds[i];
	qsort(byrank, nind, sizeof(*byrank), score_ind_cmp);
	for (i = 0; i < nind; i++)
		byrank[i]->rank = i;
	nb = na * nind;
	at = xcalloc(nb + 1, sizeof(*at));
	for (i = 0; i < nt; i++)
		at[areas[tmp[i].area].rank * nind + inds[tmp[i].ind].rank +
		    1]++;
	for (b = 0; b < nb; b++)
		at[b + 1] += at[b];
	out = xreallocarray(NULL, nt, sizeof(*out));
	for (i = 0; i < nt; i++) {
		t = &tmp[i];
		o = &out[at[areas[t->area].rank * nind + inds[t->ind].rank]++];
		memset(o, 0, sizeof(*o));
		memcpy(o->area, areas[t->area].slug, sizeof(o->area));
		memcpy(o->indicator, inds[t->ind].key, sizeof(o->indicator));
		o->period = t->period;
		o->score = t->score;
	}
out:
	free(at);
	free(byrank);
	free(inds);
	free(tmp);
	free(areas);
	if (rc != SQLITE_DONE)
		return -1;
	*list = out;
	*n = nt;
	return 0;
}

const char *
store_outbox_state_name(enum outbox_state m)
{
	if ((unsigned)m >= NELEM(outbox_state_names))
		return NULL;
	return outbox_state_names[m];
}

/*
 * Queue m (borrowed; its id, state, attempts, lease_until, sent_at and
 * last_error are ignored, created 0 means now). A single statement: it
 * belongs to the caller's transaction, or commits itself when none is
 * open. *added is 1 when the mail was queued, 0 when its dedup_key was
 * there already.
 */
int
store_outbox_add(
    struct store *s, const struct outbox_mail *m, int *added, char **cause)
{
	sqlite3_stmt *st;
	const char *missing = NULL;
	int rc = -1, r;

	if (added != NULL)
		*added = 0;
	if (m->message_id == NULL || *m->message_id == '\0')
		missing = "message id";
	else if (m->kind == NULL || *m->kind == '\0')
		missing = "kind";
	else if (m->dedup_key == NULL || *m->dedup_key == '\0')
		missing = "dedup key";
	else if (m->recipient == NULL || *m->recipient == '\0')
		missing = "recipient";
	else if (m->data == NULL || m->len == 0)
		missing = "message";
	if (missing != NULL) {
		cause_set(cause, "cannot queue mail: it has no %s", missing);
		return -1;
	}
	if ((st = query(s, Q_OUTBOX_ADD)) == NULL) {
		cause_db(s, cause, "cannot queue mail");
		return -1;
	}
	sqlite3_bind_text(st, 1, m->message_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, m->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, m->dedup_key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, m->recipient, -1, SQLITE_STATIC);
	sqlite3_bind_text(
	    st, 5, m->subject == NULL ? "" : m->subject, -1, SQLITE_STATIC);
	sqlite3_bind_blob64(st, 6, m->data, m->len, SQLITE_STATIC);
	sqlite3_bind_int64(
	    st, 7, (sqlite3_int64)(m->created != 0 ? m->created : time(NULL)));
	sqlite3_bind_int64(st, 8, (sqlite3_int64)m->next_at);
	if ((r = sqlite3_step(st)) == SQLITE_CONSTRAINT_UNIQUE)
		cause_set(cause,
		    "cannot queue mail: message id \"%s\" is in "
		    "use",
		    m->message_id);
	else if (r != SQLITE_DONE)
		cause_db(s, cause, "cannot queue mail");
	else {
		if (added != NULL)
			*added = sqlite3_changes(s->db) > 0;
		rc = 0;
	}
	query_done(st);
	return rc;
}

/*
 * Fill m from a row of OUTBOX_COLUMNS; its strings are new. With data,
 * m->data is a new copy of the message with a NUL after its len bytes.
 */
static void
outbox_from_row(sqlite3_stmt *st, struct outbox_mail *m, int with_data)
{
	const void *data;
	int state;

	memset(m, 0, sizeof(*m));
	m->id = sqlite3_column_int64(st, 0);
	m->message_id = column_dup(st, 1);
	m->kind = column_dup(st, 2);
	m->dedup_key = column_dup(st, 3);
	m->recipient = column_dup(st, 4);
	m->subject = column_dup(st, 5);
	/* The CHECK constraint keeps other values out. */
	state = name_index(outbox_state_names, NELEM(outbox_state_names),
	    (const char *)sqlite3_column_text(st, 6));
	m->state = state == -1 ? OUTBOX_FAILED : (enum outbox_state)state;
	m->attempts = sqlite3_column_int(st, 7);
	m->created = (time_t)sqlite3_column_int64(st, 8);
	m->next_at = (time_t)sqlite3_column_int64(st, 9);
	m->lease_until = (time_t)sqlite3_column_int64(st, 10);
	m->sent_at = (time_t)sqlite3_column_int64(st, 11);
	m->last_error = column_dup(st, 12);
	if (with_data) {
		/* The blob first, then its size, as SQLite asks. */
		data = sqlite3_column_blob(st, 13);
		m->len = (size_t)sqlite3_column_bytes(st, 13);
		m->data = xmalloc(m->len + 1);
		if (m->len > 0)
			memcpy(m->data, data, m->len);
		m->data[m->len] = '\0';
	}
}

/* Run an outbox listing bound by the caller into (*list, *n). */
static int
outbox_fetch(
    sqlite3_stmt *st, int with_data, struct outbox_mail **list, size_t *n)
{
	struct outbox_mail *m = NULL;
	size_t nm = 0;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		m = xreallocarray(m, nm + 1, sizeof(*m));
		outbox_from_row(st, &m[nm++], with_data);
	}
	query_done(st);
	if (rc != SQLITE_DONE) {
		store_outbox_free(m, nm);
		return -1;
	}
	*list = m;
	*n = nm;
	return 0;
}

/*
 * The mails to attempt at `now`, oldest first, at most `limit` of them
 * (0 or less: all), with their messages, into a new array (*list, *n)
 * owned by the caller (store_outbox_free). To keep a second deliverer
 * (estctl outbox flush) from taking the same mails, run this and the
 * leases in one write transaction (store_begin).
 */
int
store_outbox_due(struct store *s, time_t now, int limit,
    struct outbox_mail **list, size_t *n)
{
	sqlite3_stmt *st;

	*list = NULL;
	*n = 0;
	if ((st = query(s, Q_OUTBOX_DUE)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
	sqlite3_bind_int(st, 2, limit > 0 ? limit : -1);
	return outbox_fetch(st, 1, list, n);
}

/*
 * Lease a queued or sending mail until lease_until. -1 if the mail does
 * not exist or is sent or failed already: those are never attempted.
 */
/*
 * Lease row id of a delivery queue (the mail outbox or the webhook
 * outbox, by its query q) until lease_until. 0, or -1 when it is gone.
 */
static int
queue_lease(struct store *s, enum query q, long long id, time_t lease_until,
    const char *what)
{
	sqlite3_stmt *st;
	int rc = -1;

	if ((st = query(s, q)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)lease_until);
	if (step_logged(s, st, what) == 0 && sqlite3_changes(s->db) > 0)
		rc = 0;
	query_done(st);
	return rc;
}

/*
 * counts[state] of a delivery queue (queries q_counts and q_oldest),
 * and the age at `now` of its oldest row not yet delivered.
 */
static int
queue_counts(struct store *s, enum query q_counts, enum query q_oldest,
    time_t now, long counts[4], long *oldest_age)
{
	sqlite3_stmt *st;
	sqlite3_int64 oldest;
	int rc, i;

	memset(counts, 0, 4 * sizeof(counts[0]));
	*oldest_age = 0;
	if ((st = query(s, q_counts)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		i = name_index(outbox_state_names, NELEM(outbox_state_names),
		    (const char *)sqlite3_column_text(st, 0));
		if (i >= 0 && i < 4)
			counts[i] = (long)sqlite3_column_int64(st, 1);
	}
	query_done(st);
	if (rc != SQLITE_DONE)
		return -1;
	if ((st = query(s, q_oldest)) == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL) {
		oldest = sqlite3_column_int64(st, 0);
		if ((sqlite3_int64)now > oldest)
			*oldest_age = (long)((sqlite3_int64)now - oldest);
	}
	query_done(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

int
store_outbox_lease(struct store *s, long long id, time_t lease_until)
{
	return queue_lease(
	    s, Q_OUTBOX_LEASE, id, lease_until, "cannot lease mail");
}

/*
 * Record the outcome of an attempt on a queued or sending mail: SENT
 * (sent_at = now), QUEUED again until next_at, or FAILED. error
 * (borrowed; NULL or "" for none) becomes last_error. -1 for
 * OUTBOX_SENDING, or when the mail does not exist or is sent or failed
 * already: a late answer never undoes "sent".
 */
int
store_outbox_result(struct store *s, long long id, enum outbox_state state,
    time_t now, time_t next_at, const char *error)
{
	sqlite3_stmt *st;
	int rc = -1;

	if (state != OUTBOX_SENT && state != OUTBOX_QUEUED &&
	    state != OUTBOX_FAILED)
		return -1;
	if ((st = query(s, Q_OUTBOX_RESULT)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(
	    st, 2, store_outbox_state_name(state), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)now);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)next_at);
	bind_text_or_null(st, 5, error);
	if (step_logged(s, st, "cannot record delivery") == 0 &&
	    sqlite3_changes(s->db) > 0)
		rc = 0;
	query_done(st);
	return rc;
}

/*
 * Every mail without its message (data NULL, len 0), newest first, at
 * most limit (0: all), into a new array (*list, *n) owned by the caller
 * (store_outbox_free).
 */
int
store_outbox_list(
    struct store *s, int limit, struct outbox_mail **list, size_t *n)
{
	sqlite3_stmt *st;

	*list = NULL;
	*n = 0;
	if ((st = query(s, Q_OUTBOX_LIST)) == NULL)
		return -1;
	sqlite3_bind_int(st, 1, limit > 0 ? limit : -1);
	return outbox_fetch(st, 0, list, n);
}

/*
 * counts[state] for each enum outbox_state, and the age at `now` of the
 * oldest mail not yet delivered: queued, or sending (a lease that a
 * crash may have left) - either way the relay has not taken it.
 */
int
store_outbox_counts(
    struct store *s, time_t now, long counts[4], long *oldest_queued_age)
{
	return queue_counts(s, Q_OUTBOX_COUNTS, Q_OUTBOX_OLDEST, now, counts,
	    oldest_queued_age);
}

void
store_outbox_free(struct outbox_mail *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(list[i].message_id);
		free(list[i].kind);
		free(list[i].dedup_key);
		free(list[i].recipient);
		free(list[i].subject);
		free(list[i].data);
		free(list[i].last_error);
	}
	free(list);
}

int
store_job_done(struct store *s, const char *name, const char *key)
{
	sqlite3_stmt *st;
	int rc, done = -1;

	if ((st = query(s, Q_JOB_DONE)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		done = 1;
	else if (rc == SQLITE_DONE)
		done = 0;
	query_done(st);
	return done;
}

/* Mark (name, key) done at `at`; marking it again keeps the first time. */
int
store_job_mark(struct store *s, const char *name, const char *key, time_t at)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = query(s, Q_JOB_MARK)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)at);
	rc = step_logged(s, st, "cannot mark job done");
	query_done(st);
	return rc;
}

int
store_job_last(struct store *s, const char *name, time_t *at)
{
	sqlite3_stmt *st;
	int rc = -1;

	if ((st = query(s, Q_JOB_LAST)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		if (sqlite3_column_type(st, 0) == SQLITE_NULL)
			rc = 0;
		else {
			*at = (time_t)sqlite3_column_int64(st, 0);
			rc = 1;
		}
	}
	query_done(st);
	return rc;
}

/*
 * A new session of person_id; csrf (borrowed) is 64 lowercase hex
 * characters. -1 if the person does not exist or the hash is taken.
 */
int
store_session_create(struct store *s, const unsigned char hash[TOKEN_HASH_LEN],
    long long person_id, const char *csrf, time_t now)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = query(s, Q_SESSION_CREATE)) == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, hash, TOKEN_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, person_id);
	sqlite3_bind_text(st, 3, csrf, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)now);
	rc = step_logged(s, st, "cannot create session");
	query_done(st);
	return rc;
}

int
store_session_get(struct store *s, const unsigned char hash[TOKEN_HASH_LEN],
    struct session *out)
{
	sqlite3_stmt *st;
	const void *h;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if ((st = query(s, Q_SESSION_GET)) == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, hash, TOKEN_HASH_LEN, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		h = sqlite3_column_blob(st, 0);
		/* The index found it; confirm without a timing leak. */
		if (h != NULL &&
		    sqlite3_column_bytes(st, 0) == TOKEN_HASH_LEN &&
		    token_hash_equal(h, hash)) {
			out->person_id = sqlite3_column_int64(st, 1);
			column_copy(st, 2, out->csrf, sizeof(out->csrf));
			out->created = (time_t)sqlite3_column_int64(st, 3);
			out->last_seen = (time_t)sqlite3_column_int64(st, 4);
			rc = 0;
		}
	}
	query_done(st);
	return rc;
}

/* Note the session was used at `now`; -1 if there is no such session. */
int
store_session_touch(
    struct store *s, const unsigned char hash[TOKEN_HASH_LEN], time_t now)
{
	sqlite3_stmt *st;
	int rc = -1;

	if ((st = query(s, Q_SESSION_TOUCH)) == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, hash, TOKEN_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)now);
	if (step_logged(s, st, "cannot touch session") == 0 &&
	    sqlite3_changes(s->db) > 0)
		rc = 0;
	query_done(st);
	return rc;
}

/* Deleting a session that is not there is not an error (logout twice). */
int
store_session_delete(struct store *s, const unsigned char hash[TOKEN_HASH_LEN])
{
	sqlite3_stmt *st;
	int rc;

	if ((st = query(s, Q_SESSION_DELETE)) == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, hash, TOKEN_HASH_LEN, SQLITE_STATIC);
	rc = step_logged(s, st, "cannot end session");
	query_done(st);
	return rc;
}

int
store_session_delete_person(struct store *s, long long id)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = query(s, Q_SESSION_DELETE_PERSON)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = step_logged(s, st, "cannot end sessions");
	query_done(st);
	return rc;
}

int
store_session_expire(struct store *s, time_t idle_before, time_t created_before)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = query(s, Q_SESSION_EXPIRE)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)idle_before);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)created_before);
	rc = step_logged(s, st, "cannot expire sessions");
	query_done(st);
	return rc;
}

/*
 * ---- Integrations: the police's notices, the poller's state and the
 * webhook outbox.
 */

/* Text columns equal, NULL equal to NULL only. */
static bool
same_text(const char *a, const unsigned char *b)
{
	if (a == NULL || b == NULL)
		return a == NULL && b == NULL;
	return strcmp(a, (const char *)b) == 0;
}

/* Bind a notice's columns 1-9 (id to gps), borrowed. */
static void
police_bind(sqlite3_stmt *st, const struct police_notice *p)
{
	sqlite3_bind_int64(st, 1, p->id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)p->at);
	sqlite3_bind_text(st, 3, p->datetime, -1, SQLITE_STATIC);
	sqlite3_bind_text(
	    st, 4, p->name != NULL ? p->name : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(
	    st, 5, p->summary != NULL ? p->summary : "", -1, SQLITE_STATIC);
	bind_text_or_null(st, 6, p->url);
	sqlite3_bind_text(st, 7, p->type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, p->location, -1, SQLITE_STATIC);
	bind_text_or_null(st, 9, p->gps);
}

int
store_police_upsert(struct store *s, const struct police_notice *p, time_t now,
    enum police_change *change)
{
	sqlite3_stmt *st;
	enum query q;
	int r;

	if (p->datetime == NULL || p->type == NULL || p->location == NULL)
		return -1;
	if ((st = query(s, Q_POLICE_GET)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, p->id);
	if ((r = sqlite3_step(st)) == SQLITE_ROW) {
		/* POLICE_COLUMNS: at is 1, datetime 2, ... gps 8. */
		*change = (time_t)sqlite3_column_int64(st, 1) == p->at &&
			same_text(p->datetime, sqlite3_column_text(st, 2)) &&
			same_text(p->name != NULL ? p->name : "",
			    sqlite3_column_text(st, 3)) &&
			same_text(p->summary != NULL ? p->summary : "",
			    sqlite3_column_text(st, 4)) &&
			same_text(
			    p->url != NULL && *p->url != '\0' ? p->url : NULL,
			    sqlite3_column_text(st, 5)) &&
			same_text(p->type, sqlite3_column_text(st, 6)) &&
			same_text(p->location, sqlite3_column_text(st, 7)) &&
			same_text(
			    p->gps != NULL && *p->gps != '\0' ? p->gps : NULL,
			    sqlite3_column_text(st, 8))
		    ? POLICE_SAME
		    : POLICE_UPDATED;
	} else if (r == SQLITE_DONE)
		*change = POLICE_NEW;
	query_done(st);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return -1;

	q = *change == POLICE_NEW       ? Q_POLICE_INSERT
	    : *change == POLICE_UPDATED ? Q_POLICE_UPDATE
					: Q_POLICE_SEEN;
	if ((st = query(s, q)) == NULL)
		return -1;
	if (q == Q_POLICE_SEEN) {
		sqlite3_bind_int64(st, 1, p->id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)now);
	} else {
		police_bind(st, p);
		sqlite3_bind_int64(st, 10, (sqlite3_int64)now);
	}
	r = step_logged(s, st, "cannot keep a police notice");
	query_done(st);
	return r;
}

int
store_police_list(struct store *s, time_t from, time_t to,
    struct police_notice **list, size_t *n)
{
	sqlite3_stmt *st;
	struct police_notice *l = NULL, *p;
	size_t nl = 0;
	int rc;

	*list = NULL;
	*n = 0;
	if ((st = query(s, Q_POLICE_LIST)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)from);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		l = xreallocarray(l, nl + 1, sizeof(*l));
		p = &l[nl++];
		memset(p, 0, sizeof(*p));
		p->id = sqlite3_column_int64(st, 0);
		p->at = (time_t)sqlite3_column_int64(st, 1);
		p->datetime = column_dup(st, 2);
		p->name = column_dup(st, 3);
		p->summary = column_dup(st, 4);
		p->url = column_dup(st, 5);
		p->type = column_dup(st, 6);
		p->location = column_dup(st, 7);
		p->gps = column_dup(st, 8);
		p->first_seen = (time_t)sqlite3_column_int64(st, 9);
		p->updated = (time_t)sqlite3_column_int64(st, 10);
		p->revision = sqlite3_column_int(st, 11);
	}
	query_done(st);
	if (rc != SQLITE_DONE) {
		store_police_free(l, nl);
		return -1;
	}
	*list = l;
	*n = nl;
	return 0;
}

void
store_police_free(struct police_notice *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(list[i].datetime);
		free(list[i].name);
		free(list[i].summary);
		free(list[i].url);
		free(list[i].type);
		free(list[i].location);
		free(list[i].gps);
	}
	free(list);
}

int
store_police_state_get(struct store *s, struct police_state *ps)
{
	sqlite3_stmt *st;
	int rc;

	memset(ps, 0, sizeof(*ps));
	if ((st = query(s, Q_POLICE_STATE_GET)) == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ps->url = column_dup(st, 0);
		ps->etag = column_dup(st, 1);
		ps->last_modified = column_dup(st, 2);
		ps->last_attempt = (time_t)sqlite3_column_int64(st, 3);
		ps->last_success = (time_t)sqlite3_column_int64(st, 4);
		ps->not_before = (time_t)sqlite3_column_int64(st, 5);
		ps->last_error = column_dup(st, 6);
	}
	query_done(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int
store_police_state_set(struct store *s, const struct police_state *ps)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = query(s, Q_POLICE_STATE_SET)) == NULL)
		return -1;
	bind_text_or_null(st, 1, ps->url);
	bind_text_or_null(st, 2, ps->etag);
	bind_text_or_null(st, 3, ps->last_modified);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)ps->last_attempt);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)ps->last_success);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)ps->not_before);
	bind_text_or_null(st, 7, ps->last_error);
	rc = step_logged(s, st, "cannot record the police poller's state");
	query_done(st);
	return rc;
}

void
store_police_state_clear(struct police_state *ps)
{
	free(ps->url);
	free(ps->etag);
	free(ps->last_modified);
	free(ps->last_error);
	memset(ps, 0, sizeof(*ps));
}

/*
 * Queue w (borrowed; its id, state, attempts, lease_until, sent_at and
 * last_* are ignored, created 0 means now). A single statement: it
 * belongs to the caller's transaction, or commits itself when none is
 * open. *added is 1 when it was queued, 0 when its dedup_key was there
 * already.
 */
int
store_webhook_add(
    struct store *s, const struct webhook_row *w, int *added, char **cause)
{
	sqlite3_stmt *st;
	const char *missing = NULL;
	int rc = -1;

	if (added != NULL)
		*added = 0;
	if (w->event_id == NULL || *w->event_id == '\0')
		missing = "event id";
	else if (w->webhook == NULL || *w->webhook == '\0')
		missing = "webhook";
	else if (w->event == NULL || *w->event == '\0')
		missing = "event";
	else if (w->dedup_key == NULL || *w->dedup_key == '\0')
		missing = "dedup key";
	else if (w->body == NULL || w->len == 0)
		missing = "body";
	if (missing != NULL) {
		cause_set(cause,
		    "cannot queue a webhook delivery: it has no "
		    "%s",
		    missing);
		return -1;
	}
	if ((st = query(s, Q_WEBHOOK_ADD)) == NULL) {
		cause_db(s, cause, "cannot queue a webhook delivery");
		return -1;
	}
	sqlite3_bind_text(st, 1, w->event_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, w->webhook, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, w->event, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, w->dedup_key, -1, SQLITE_STATIC);
	sqlite3_bind_blob64(st, 5, w->body, w->len, SQLITE_STATIC);
	sqlite3_bind_int64(
	    st, 6, (sqlite3_int64)(w->created != 0 ? w->created : time(NULL)));
	sqlite3_bind_int64(st, 7, (sqlite3_int64)w->next_at);
	if (sqlite3_step(st) != SQLITE_DONE)
		cause_db(s, cause, "cannot queue a webhook delivery");
	else {
		if (added != NULL)
			*added = sqlite3_changes(s->db) > 0;
		rc = 0;
	}
	query_done(st);
	return rc;
}

/*
 * Fill w from a row of WEBHOOK_COLUMNS; its strings are new. With the
 * body, w->body is a new copy with a NUL after its len bytes.
 */
static void
webhook_from_row(sqlite3_stmt *st, struct webhook_row *w, int with_body)
{
	const void *body;
	int state;

	memset(w, 0, sizeof(*w));
	w->id = sqlite3_column_int64(st, 0);
	w->event_id = column_dup(st, 1);
	w->webhook = column_dup(st, 2);
	w->event = column_dup(st, 3);
	w->dedup_key = column_dup(st, 4);
	state = name_index(outbox_state_names, NELEM(outbox_state_names),
	    (const char *)sqlite3_column_text(st, 5));
	w->state = state == -1 ? OUTBOX_FAILED : (enum outbox_state)state;
	w->attempts = sqlite3_column_int(st, 6);
	w->created = (time_t)sqlite3_column_int64(st, 7);
	w->next_at = (time_t)sqlite3_column_int64(st, 8);
	w->lease_until = (time_t)sqlite3_column_int64(st, 9);
	w->sent_at = (time_t)sqlite3_column_int64(st, 10);
	w->last_status = (long)sqlite3_column_int64(st, 11);
	w->last_error = column_dup(st, 12);
	if (with_body) {
		body = sqlite3_column_blob(st, 13);
		w->len = (size_t)sqlite3_column_bytes(st, 13);
		w->body = xmalloc(w->len + 1);
		if (w->len > 0)
			memcpy(w->body, body, w->len);
		w->body[w->len] = '\0';
	}
}

static int
webhook_fetch(
    sqlite3_stmt *st, int with_body, struct webhook_row **list, size_t *n)
{
	struct webhook_row *w = NULL;
	size_t nw = 0;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		w = xreallocarray(w, nw + 1, sizeof(*w));
		webhook_from_row(st, &w[nw++], with_body);
	}
	query_done(st);
	if (rc != SQLITE_DONE) {
		store_webhooks_free(w, nw);
		return -1;
	}
	*list = w;
	*n = nw;
	return 0;
}

int
store_webhook_due(struct store *s, time_t now, int limit,
    struct webhook_row **list, size_t *n)
{
	sqlite3_stmt *st;

	*list = NULL;
	*n = 0;
	if ((st = query(s, Q_WEBHOOK_DUE)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
	sqlite3_bind_int(st, 2, limit > 0 ? limit : -1);
	return webhook_fetch(st, 1, list, n);
}

int
store_webhook_lease(struct store *s, long long id, time_t lease_until)
{
	return queue_lease(s, Q_WEBHOOK_LEASE, id, lease_until,
	    "cannot lease a webhook delivery");
}

int
store_webhook_result(struct store *s, long long id, enum outbox_state state,
    time_t now, time_t next_at, long status, const char *error)
{
	sqlite3_stmt *st;
	int rc = -1;

	if (state != OUTBOX_SENT && state != OUTBOX_QUEUED &&
	    state != OUTBOX_FAILED)
		return -1;
	if ((st = query(s, Q_WEBHOOK_RESULT)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(
	    st, 2, store_outbox_state_name(state), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)now);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)next_at);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)status);
	bind_text_or_null(st, 6, error);
	if (step_logged(s, st, "cannot record a webhook delivery") == 0 &&
	    sqlite3_changes(s->db) > 0)
		rc = 0;
	query_done(st);
	return rc;
}

int
store_webhook_list(
    struct store *s, int limit, struct webhook_row **list, size_t *n)
{
	sqlite3_stmt *st;

	*list = NULL;
	*n = 0;
	if ((st = query(s, Q_WEBHOOK_LIST)) == NULL)
		return -1;
	sqlite3_bind_int(st, 1, limit > 0 ? limit : -1);
	return webhook_fetch(st, 0, list, n);
}

int
store_webhook_counts(
    struct store *s, time_t now, long counts[4], long *oldest_queued_age)
{
	return queue_counts(s, Q_WEBHOOK_COUNTS, Q_WEBHOOK_OLDEST, now, counts,
	    oldest_queued_age);
}

void
store_webhooks_free(struct webhook_row *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(list[i].event_id);
		free(list[i].webhook);
		free(list[i].event);
		free(list[i].dedup_key);
		free(list[i].body);
		free(list[i].last_error);
	}
	free(list);
}
