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
 * as the JSON of report_to_json, for audit.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <pthread.h>
#include <sqlite3.h>

#include "conf.h"
#include "log.h"
#include "period.h"
#include "report.h"
#include "store.h"
#include "token.h"
#include "xmalloc.h"

#define STORE_BUSY_MS		5000
/* WAL left on disk after a checkpoint is truncated to this size. */
#define STORE_JOURNAL_LIMIT	(64LL * 1024 * 1024)

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
};

#define SCHEMA_VERSION \
	((int)(sizeof(migrations) / sizeof(migrations[0])))

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
	Q_PERSON_SET_TOKEN,
	Q_PERSON_DISABLE,
	Q_REPORT_FIND,
	Q_REPORT_INSERT,
	Q_REPORT_UPDATE,
	Q_RATINGS_DELETE,
	Q_RATING_INSERT,
	Q_REVISION_INSERT,
	Q_REVISION_GET,
	Q_REPORT_GET,
	Q_REPORT_LIST,
	Q_RATINGS_GET,
	Q_REPORT_COUNT,
	Q_AUDIT_ADD,
	Q__COUNT
};

#define PERSON_COLUMNS \
	"SELECT id, name, email, org, role, all_areas, active, created," \
	" token_hash FROM people"

/* Column order shared by report_from_row. */
#define REPORT_COLUMNS \
	"SELECT r.id, ifnull(r.person_id, 0), p.email, p.name, a.slug," \
	" r.revision, r.submitted, r.\"nothing\", r.place, r.note" \
	" FROM reports r JOIN areas a ON a.id = r.area_id" \
	" LEFT JOIN people p ON p.id = r.person_id"

static const char *const queries[Q__COUNT] = {
	[Q_AREA_ADD] =
	    "INSERT INTO areas (slug, name, created) VALUES (?1, ?2, ?3)",
	[Q_AREA_GET] =
	    "SELECT id, slug, name FROM areas WHERE slug = ?1",
	[Q_AREA_LIST] =
	    "SELECT id, slug, name FROM areas ORDER BY slug",
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
	[Q_PERSON_AREAS] =
	    "SELECT a.slug FROM person_areas pa"
	    " JOIN areas a ON a.id = pa.area_id"
	    " WHERE pa.person_id = ?1 ORDER BY pa.position",
	[Q_PERSON_SET_TOKEN] =
	    "UPDATE people SET token_hash = ?2 WHERE id = ?1",
	[Q_PERSON_DISABLE] =
	    "UPDATE people SET active = 0, disabled = ifnull(disabled, ?2)"
	    " WHERE id = ?1",
	/* The expression matches reports_one, which serves the lookup. */
	[Q_REPORT_FIND] =
	    "SELECT id, revision FROM reports"
	    " WHERE ifnull(person_id, 0) = ?1 AND area_id = ?2"
	    " AND period = ?3",
	[Q_REPORT_INSERT] =
	    "INSERT INTO reports (person_id, area_id, period, period_start,"
	    " revision, submitted, source, \"nothing\", place, note)"
	    " VALUES (nullif(?1, 0), ?2, ?3, ?4, 1, ?5, ?6, ?7, ?8, ?9)",
	[Q_REPORT_UPDATE] =
	    "UPDATE reports SET revision = ?2, period_start = ?3,"
	    " submitted = ?4, source = ?5, \"nothing\" = ?6, place = ?7,"
	    " note = ?8 WHERE id = ?1",
	[Q_RATINGS_DELETE] = "DELETE FROM ratings WHERE report_id = ?1",
	[Q_RATING_INSERT] =
	    "INSERT INTO ratings (report_id, indicator, rating, count)"
	    " VALUES (?1, ?2, ?3, ?4)",
	[Q_REVISION_INSERT] =
	    "INSERT INTO report_revisions (report_id, revision, submitted,"
	    " source, body) VALUES (?1, ?2, ?3, ?4, ?5)",
	[Q_REVISION_GET] =
	    "SELECT body FROM report_revisions"
	    " WHERE report_id = ?1 AND revision = ?2",
	[Q_REPORT_GET] = REPORT_COLUMNS
	    " WHERE ifnull(r.person_id, 0) = ?1 AND a.slug = ?2"
	    " AND r.period = ?3",
	[Q_REPORT_LIST] = REPORT_COLUMNS
	    " WHERE r.period = ?1 AND (?2 IS NULL OR a.slug = ?2)"
	    " ORDER BY a.slug, p.email, r.id",
	[Q_RATINGS_GET] =
	    "SELECT indicator, rating, count FROM ratings"
	    " WHERE report_id = ?1",
	[Q_REPORT_COUNT] = "SELECT count(*) FROM reports",
	[Q_AUDIT_ADD] =
	    "INSERT INTO audit (at, actor, action, detail)"
	    " VALUES (?1, ?2, ?3, ?4)",
};

struct store {
	sqlite3		*db;
	enum store_mode	 mode;
	char		*path;
	sqlite3_stmt	*stmt[Q__COUNT];
};

static const char *const role_names[] = {
	[ROLE_REPORTER] = "reporter",
	[ROLE_KEYFUNCTION] = "keyfunction",
	[ROLE_STEERING] = "steering",
	[ROLE_ADMIN] = "admin",
};

static const char *const report_sources[] = { "form", "api", "import" };

static void	cause_set(char **, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

/* Set *cause (owned by the caller) unless the caller passed NULL. */
static void
cause_set(char **cause, const char *fmt, ...)
{
	va_list	 ap;

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
	return sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK ?
	    0 : -1;
}

/* Run SQL whose failure nobody can handle but should be seen. */
static int
exec_logged(struct store *s, const char *sql)
{
	if (exec_sql(s, sql) == -1) {
		log_warnx("store: %s: %s: %s", s->path, sql,
		    sqlite3_errmsg(s->db));
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
	if (s->stmt[q] == NULL && sqlite3_prepare_v3(s->db, queries[q], -1,
	    SQLITE_PREPARE_PERSISTENT, &s->stmt[q], NULL) != SQLITE_OK) {
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
	const unsigned char	*v = sqlite3_column_text(st, i);

	return v == NULL ? NULL : xstrdup((const char *)v);
}

/* An integer answer of a PRAGMA or query, into *out. */
static int
pragma_int(sqlite3 *db, const char *sql, int *out)
{
	sqlite3_stmt	*st;
	int		 rc = -1;

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
	sqlite3_stmt		*st;
	const unsigned char	*v;
	int			 rc = -1;

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
	if (exec_sql(s, *own ? "BEGIN IMMEDIATE" :
	    "SAVEPOINT store_op") == -1) {
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
		if (exec_sql(s, own ? "COMMIT" : "RELEASE store_op") == 0)
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
			exec_sql(s, "ROLLBACK");
	} else if (exec_sql(s, "ROLLBACK TO store_op") == 0)
		exec_sql(s, "RELEASE store_op");
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
	size_t	 i;

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
	struct store	*s;
	char		 jmode[16], sql[64];
	int		 flags = SQLITE_OPEN_NOMUTEX, rc, v;
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
		if (exec_sql(s, "PRAGMA foreign_keys = ON;"
		    "PRAGMA query_only = 1") == -1)
			goto fail_db;
		/* The first read shows whether the file is a database. */
		if (pragma_int(s->db, "PRAGMA user_version", &v) == -1)
			goto fail_db;
		return s;
	}

	if (pragma_text(s->db, "PRAGMA journal_mode = WAL", jmode,
	    sizeof(jmode)) == -1)
		goto fail_db;
	/* An in-memory database (tests) cannot have a WAL. */
	if (strcmp(jmode, "wal") != 0 && !(strcmp(path, ":memory:") == 0 &&
	    strcmp(jmode, "memory") == 0)) {
		cause_set(cause, "cannot open database %s: journal mode is "
		    "\"%s\", not \"wal\"", path, jmode);
		goto fail;
	}
	snprintf(sql, sizeof(sql), "PRAGMA journal_size_limit = %lld",
	    STORE_JOURNAL_LIMIT);
	if (exec_sql(s, "PRAGMA synchronous = FULL;"
	    "PRAGMA foreign_keys = ON") == -1 || exec_sql(s, sql) == -1)
		goto fail_db;
	if (mode == STORE_ADMIN &&
	    exec_sql(s, "PRAGMA wal_autocheckpoint = 0") == -1)
		goto fail_db;
	return s;

fail_db:
	cause_set(cause, "cannot open database %s: %s", path,
	    sqlite3_errmsg(s->db));
fail:
	store_close(s);
	return NULL;
}

/* Finalize the cached statements and close; s is freed. */
void
store_close(struct store *s)
{
	int	 i;

	if (s == NULL)
		return;
	for (i = 0; i < Q__COUNT; i++)
		sqlite3_finalize(s->stmt[i]);
	/*
	 * Closing the last connection to the file checkpoints it; that
	 * needs an exclusive lock, so it never runs beside a writer.
	 */
	if (s->db != NULL && sqlite3_close(s->db) != SQLITE_OK)
		log_warnx("store: closing %s: %s", s->path,
		    sqlite3_errmsg(s->db));
	free(s->path);
	free(s);
}

int
store_migrate(struct store *s, char **cause)
{
	char	 sql[64];
	int	 v;

	if (s->mode == STORE_READER) {
		cause_set(cause, "cannot migrate %s: the connection is "
		    "read-only", s->path);
		return -1;
	}
	if (!sqlite3_get_autocommit(s->db)) {
		cause_set(cause, "cannot migrate %s inside a transaction",
		    s->path);
		return -1;
	}
	for (;;) {
		if (exec_sql(s, "BEGIN IMMEDIATE") == -1)
			goto fail_db;
		/* Read inside the lock: another process may have migrated. */
		if (pragma_int(s->db, "PRAGMA user_version", &v) == -1)
			goto fail_rollback;
		if (v == SCHEMA_VERSION) {
			exec_sql(s, "ROLLBACK");
			return 0;
		}
		if (v < 0 || v > SCHEMA_VERSION) {
			exec_sql(s, "ROLLBACK");
			cause_set(cause, "cannot migrate %s: schema version %d "
			    "is newer than this program's %d", s->path, v,
			    SCHEMA_VERSION);
			return -1;
		}
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if (exec_sql(s, migrations[v]) == -1 || exec_sql(s, sql) == -1)
			goto fail_rollback;
		if (exec_sql(s, "COMMIT") == -1)
			goto fail_rollback;
		log_info("store: %s: schema version %d", s->path, v + 1);
	}

fail_rollback:
	cause_set(cause, "cannot migrate %s: %s", s->path,
	    sqlite3_errmsg(s->db));
	if (!sqlite3_get_autocommit(s->db))
		exec_sql(s, "ROLLBACK");
	return -1;
fail_db:
	cause_set(cause, "cannot migrate %s: %s", s->path,
	    sqlite3_errmsg(s->db));
	return -1;
}

int
store_schema_version(struct store *s)
{
	int	 v;

	if (pragma_int(s->db, "PRAGMA user_version", &v) == -1)
		return -1;
	return v;
}

int
store_info(struct store *s, struct store_info *out)
{
	sqlite3	*db = s->db;

	memset(out, 0, sizeof(*out));
	if (pragma_int(db, "PRAGMA user_version", &out->schema_version) == -1 ||
	    pragma_text(db, "PRAGMA journal_mode", out->journal_mode,
	    sizeof(out->journal_mode)) == -1 ||
	    pragma_int(db, "PRAGMA synchronous", &out->synchronous) == -1 ||
	    pragma_int(db, "PRAGMA foreign_keys", &out->foreign_keys) == -1 ||
	    pragma_int(db, "PRAGMA busy_timeout", &out->busy_timeout) == -1 ||
	    pragma_int(db, "PRAGMA query_only", &out->query_only) == -1 ||
	    pragma_int(db, "PRAGMA wal_autocheckpoint",
	    &out->autocheckpoint) == -1)
		return -1;
	return 0;
}

int
store_ping(struct store *s)
{
	int	 v;

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
		log_warnx("store: %s: savepoint outside a transaction",
		    s->path);
		return -1;
	}
	return exec_logged(s, "SAVEPOINT store_job");
}

int
store_release(struct store *s)
{
	return exec_logged(s, "RELEASE store_job");
}

void
store_rollback_savepoint(struct store *s)
{
	/* Undo, then drop the savepoint so the caller need not release. */
	if (exec_logged(s, "ROLLBACK TO store_job") == 0)
		exec_logged(s, "RELEASE store_job");
}

int
store_checkpoint(struct store *s)
{
	int	 rc;

	/* Only the daemon's writer checkpoints: see DESIGN above. */
	if (s->mode != STORE_WRITER)
		return -1;
	/* The same as PRAGMA wal_checkpoint(PASSIVE). */
	rc = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE,
	    NULL, NULL);
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
	static const char *const suffixes[] = { "", "-journal", "-wal",
	    "-shm" };
	char	*p;
	size_t	 i;

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
	sqlite3		*dst = NULL;
	sqlite3_backup	*b;
	char		 check[256];
	int		 fd, rc;

	/* Inside a transaction the copy would see uncommitted writes. */
	if (!sqlite3_get_autocommit(s->db)) {
		cause_set(cause, "cannot back up inside a transaction");
		return -1;
	}
	/* O_EXCL: never overwrite, not even a file that appears now. */
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1) {
		if (errno == EEXIST)
			cause_set(cause, "backup %s: the file already exists",
			    path);
		else
			cause_set(cause, "backup %s: %s", path,
			    strerror(errno));
		return -1;
	}
	close(fd);

	if (sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		cause_set(cause, "backup %s: %s", path, dst != NULL ?
		    sqlite3_errmsg(dst) : "out of memory");
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
	if (sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		cause_set(cause, "backup %s: %s", path, dst != NULL ?
		    sqlite3_errmsg(dst) : "out of memory");
		goto fail;
	}
	if (pragma_text(dst, "PRAGMA quick_check", check,
	    sizeof(check)) == -1) {
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
	sqlite3_stmt	*st;
	long long	 id = -1;
	int		 rc;

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
	const unsigned char	*slug = sqlite3_column_text(st, 1);

	memset(a, 0, sizeof(*a));
	a->id = sqlite3_column_int64(st, 0);
	snprintf(a->slug, sizeof(a->slug), "%s",
	    slug == NULL ? "" : (const char *)slug);
	a->name = column_dup(st, 2);
	if (a->name == NULL)
		a->name = xstrdup("");
}

int
store_area_add(struct store *s, const char *slug, const char *name,
    char **cause)
{
	sqlite3_stmt	*st = NULL;
	int		 own, rc = -1, r;

	if (!report_valid_slug(slug)) {
		cause_set(cause, "invalid area slug \"%s\": use a-z, 0-9 and "
		    "-, at most %d characters", slug, AREA_SLUG_MAX);
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
	sqlite3_stmt	*st;
	int		 rc = -1;

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
	sqlite3_stmt	*st;
	struct area	*a = NULL;
	size_t		 na = 0;
	int		 rc;

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
	size_t	 i;

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
	const unsigned char	*role;

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
	sqlite3_stmt	*st;
	int		 rc, col;

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
		p->areas = xreallocarray(p->areas, p->n_areas + 1,
		    sizeof(*p->areas));
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
	sqlite3_stmt	*st = NULL;
	long long	*ids = NULL, id = -1, aid;
	size_t		 i, j, n = p->all_areas ? 0 : p->n_areas;
	int		 own, r;

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
			cause_set(cause, "area \"%s\" does not exist",
			    p->areas[i]);
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
	sqlite3_bind_text(st, 3, p->org == NULL ? "" : p->org, -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 4, store_role_name(p->role), -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, p->all_areas ? 1 : 0);
	if (hash != NULL)
		sqlite3_bind_blob(st, 6, hash, TOKEN_HASH_LEN, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 6);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)(p->created != 0 ?
	    p->created : time(NULL)));
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
person_fetch(struct store *s, sqlite3_stmt *st,
    const unsigned char *hash, struct person *out)
{
	const void	*h;
	int		 rc = -1;

	if (sqlite3_step(st) == SQLITE_ROW) {
		h = sqlite3_column_blob(st, 8);
		/* The index found it; confirm without a timing leak. */
		if (hash == NULL || (h != NULL &&
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
store_person_by_token(struct store *s,
    const unsigned char hash[TOKEN_HASH_LEN], struct person *out)
{
	sqlite3_stmt	*st;

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
	sqlite3_stmt	*st;

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
	sqlite3_stmt	*st;
	long long	 id = -1;

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
 * (store_people_free).
 */
int
store_person_list(struct store *s, struct person **list, size_t *n)
{
	sqlite3_stmt	*st;
	struct person	*p = NULL;
	size_t		 np = 0, i;
	int		 rc;

	*list = NULL;
	*n = 0;
	if ((st = query(s, Q_PERSON_LIST)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		p = xreallocarray(p, np + 1, sizeof(*p));
		person_from_row(st, &p[np++]);
	}
	query_done(st);
	for (i = 0; rc == SQLITE_DONE && i < np; i++)
		if (person_load_areas(s, &p[i]) == -1)
			rc = SQLITE_ERROR;
	if (rc != SQLITE_DONE) {
		store_people_free(p, np);
		return -1;
	}
	*list = p;
	*n = np;
	return 0;
}

/* Run Q_PERSON_SET_TOKEN or Q_PERSON_DISABLE for one person. */
static int
person_update(struct store *s, enum query q, long long id,
    const unsigned char *hash, char **cause)
{
	sqlite3_stmt	*st;
	int		 own, rc = -1, r;

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

/* Idempotent: disabling twice keeps the first time. */
int
store_person_disable(struct store *s, long long id, char **cause)
{
	return person_update(s, Q_PERSON_DISABLE, id, NULL, cause);
}

int
store_person_has_area(const struct person *p, const char *slug)
{
	size_t	 i;

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
	size_t	 i;

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
	size_t	 i;

	for (i = 0; i < n; i++)
		store_person_clear(&list[i]);
	free(list);
}

static int
valid_source(const char *source)
{
	size_t	 i;

	if (source == NULL)
		return 0;
	for (i = 0; i < sizeof(report_sources) / sizeof(report_sources[0]);
	    i++)
		if (strcmp(source, report_sources[i]) == 0)
			return 1;
	return 0;
}

/* Replace the ratings rows of report id by those of r. */
static int
report_save_ratings(struct store *s, long long id, const struct report *r,
    const struct checklist *cl, char **cause)
{
	sqlite3_stmt	*st;
	size_t		 i, n = cl->n;
	int		 rc = 0;

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

/* Insert or update the reports row; fills saved. */
static int
report_save_row(struct store *s, long long person_id, long long aid,
    const struct report *r, time_t submitted, const char *source,
    struct report_saved *saved, char **cause)
{
	sqlite3_stmt	*st;
	char		 label[PERIOD_LABEL_MAX];
	long		 start = period_first_day(&r->period);
	int		 rc;

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
			cause_set(cause, "person %lld does not exist",
			    person_id);
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
	sqlite3_stmt	*st;
	json_t		*j;
	char		*body;
	int		 rc = -1;

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
store_report_save(struct store *s, long long person_id,
    const struct report *r, const struct checklist *cl, time_t submitted,
    const char *source, struct report_saved *saved, char **cause)
{
	struct report_saved	 sv;
	long long		 aid;
	int			 own, rc = -1;

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
	if (report_save_row(s, person_id, aid, r, submitted, source, &sv,
	    cause) == -1 ||
	    report_save_ratings(s, sv.id, r, cl, cause) == -1 ||
	    report_save_revision(s, r, cl, submitted, source, &sv,
	    cause) == -1)
		goto done;
	rc = 0;
done:
	if ((rc = op_end(s, own, rc, cause)) == 0 && saved != NULL)
		*saved = sv;
	return rc;
}

/*
 * Fill out from a row of REPORT_COLUMNS and the ratings rows. The period
 * is the caller's: the label matched, and the caller knows whether it is
 * a week or a fortnight. Strings in out are new.
 */
static int
report_from_row(struct store *s, sqlite3_stmt *row, const struct period *p,
    const struct checklist *cl, struct stored_report *out)
{
	sqlite3_stmt		*st;
	const unsigned char	*slug, *key;
	int			 i, rc;

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

	if ((st = query(s, Q_RATINGS_GET)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, out->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		key = sqlite3_column_text(st, 0);
		/* Indicators dropped from the checklist are not shown. */
		if (key == NULL || (i = conf_indicator_index(cl,
		    (const char *)key)) < 0 || i >= INDICATORS_MAX)
			continue;
		if (sqlite3_column_type(st, 1) != SQLITE_NULL)
			out->report.ratings[i] = sqlite3_column_int(st, 1);
		if (sqlite3_column_type(st, 2) != SQLITE_NULL)
			out->report.counts[i] = sqlite3_column_int(st, 2);
	}
	query_done(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Fill *out (new strings: store_stored_report_clear); -1 if none. */
int
store_report_get(struct store *s, long long person_id, const char *area,
    const struct period *p, const struct checklist *cl,
    struct stored_report *out)
{
	sqlite3_stmt	*st;
	char		 label[PERIOD_LABEL_MAX];
	int		 rc = -1;

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

/*
 * The reports of period p (of one area unless area is NULL), by area
 * slug then reporter e-mail, into a new array (*list, *n) owned by the
 * caller (store_stored_reports_free).
 */
int
store_report_list(struct store *s, const struct period *p,
    const char *area, const struct checklist *cl,
    struct stored_report **list, size_t *n)
{
	sqlite3_stmt		*st;
	struct stored_report	*r = NULL;
	char			 label[PERIOD_LABEL_MAX];
	size_t			 nr = 0;
	int			 rc;

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
		if (report_from_row(s, st, p, cl, &r[nr++]) == -1) {
			rc = SQLITE_ERROR;
			break;
		}
	}
	query_done(st);
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
	sqlite3_stmt	*st;
	char		*body = NULL;

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
	sqlite3_stmt	*st;
	long long	 n = -1;

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
	size_t	 i;

	for (i = 0; i < n; i++)
		store_stored_report_clear(&list[i]);
	free(list);
}

int
store_audit(struct store *s, const char *actor, const char *action,
    const char *detail)
{
	sqlite3_stmt	*st;
	char		*cause = NULL;
	int		 own, rc = -1;

	if (op_begin(s, &own, &cause) == -1)
		goto done;
	if ((st = query(s, Q_AUDIT_ADD)) != NULL) {
		sqlite3_bind_int64(st, 1, (sqlite3_int64)time(NULL));
		sqlite3_bind_text(st, 2, actor, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, action, -1, SQLITE_STATIC);
		bind_text_or_null(st, 4, detail);
		if (sqlite3_step(st) == SQLITE_DONE)
			rc = 0;
		else
			cause_db(s, &cause, "cannot write audit entry");
		query_done(st);
	} else
		cause_db(s, &cause, "cannot write audit entry");
	rc = op_end(s, own, rc, rc == 0 ? &cause : NULL);
done:
	if (cause != NULL)
		log_warnx("store: %s: %s", s->path, cause);
	free(cause);
	return rc;
}
