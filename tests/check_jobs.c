/*
 * Tests of the housekeeping jobs against a real database in a fresh
 * temporary directory: retention once a day (free text erased, audit
 * entries purged, one audit entry saying so) and the scheduled backups
 * (due by the newest file's name, key copied beside, oldest beyond
 * `keep` deleted, leftovers of an interrupted run removed).
 */
#include <sys/stat.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "clock.h"
#include "conf.h"
#include "jobs.h"
#include "period.h"
#include "report.h"
#include "store.h"
#include "testutil.h"
#include "token.h"
#include "writer.h"

/* 2026-11-22T11:00:00Z, a Sunday. */
#define T0 1795345200

static char dir[64];
static char dbpath[128], keypath[128], bdir[128];
static struct store *st;
static struct dbwrite dw;
static struct conf cf;

static struct indicator items[2] = {{.key = "klotter"}, {.key = "brand"}};

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
write_file(const char *path, const char *data, size_t len)
{
	FILE *f;

	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

static void
setup(void)
{
	char *cause = NULL;

	unsetenv("ESTD_NOW");
	ck_assert_int_eq(clock_init("UTC", &cause), 0);
	ck_assert_int_eq(token_init(), 0);
	snprintf(dir, sizeof(dir), "/tmp/check_jobs.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(dbpath, sizeof(dbpath), "%s/estd.db", dir);
	snprintf(keypath, sizeof(keypath), "%s/estd.db.key", dir);
	snprintf(bdir, sizeof(bdir), "%s/backups", dir);
	write_file(keypath, "0123456789abcdef0123456789abcdef", 32);
	st = store_open(dbpath, STORE_ADMIN, &cause);
	ck_assert_msg(st != NULL, "%s", cause);
	ck_assert_msg(store_migrate(st, &cause) == 0, "%s", cause);
	memset(&dw, 0, sizeof(dw));
	dw.store = st;
	memset(&cf, 0, sizeof(cf));
	cf.database = dbpath;
	cf.key_file = keypath;
	cf.checklist.n = 2;
	cf.checklist.items = items;
	cf.retention_free_text_days = 730;
	cf.retention_audit_days = 3650;
	cf.backup_dir = bdir;
	cf.backup_interval_hours = 6;
	cf.backup_keep = 2;
}

static void
teardown(void)
{
	store_close(st);
	st = NULL;
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* A report of `period` in area norr with a note, from nobody known. */
static long long
report_with_note(const char *period, const char *note)
{
	struct report r;
	struct report_saved sv;
	char *cause = NULL;

	report_init(&r);
	snprintf(r.area, sizeof(r.area), "norr");
	ck_assert_int_eq(period_parse(period, &r.period), 0);
	r.has_period = true;
	r.ratings[0] = 2;
	r.note = strdup(note);
	ck_assert_msg(store_report_save(st, 0, &r, &cf.checklist, T0, "import",
			  &sv, &cause) == 0,
	    "%s", cause);
	report_clear(&r);
	return sv.id;
}

struct last_entry {
	long long n;
	char actor[32];
	char action[32];
	char detail[160];
};

static int
last_entry(const struct audit_entry *e, void *arg)
{
	struct last_entry *l = arg;

	l->n++;
	snprintf(l->actor, sizeof(l->actor), "%s", e->actor);
	snprintf(l->action, sizeof(l->action), "%s", e->action);
	snprintf(l->detail, sizeof(l->detail), "%s",
	    e->detail != NULL ? e->detail : "");
	return 0;
}

static struct last_entry
audit_last(void)
{
	struct last_entry l;

	memset(&l, 0, sizeof(l));
	ck_assert_int_eq(store_audit_export(st, 0, last_entry, &l), 0);
	return l;
}

START_TEST(test_retention_daily)
{
	struct jobs_retention_result r;
	struct last_entry l;
	struct stored_report *list;
	struct period p;
	size_t n;
	long long checked, bad;
	char *cause = NULL;

	ck_assert_int_eq(store_area_add(st, "norr", "Norr", &cause), 0);
	report_with_note("2024-W40", "Gammal anteckning");
	report_with_note("2026-W47", "Ny anteckning");
	/* Two entries from before 2016-11-24, one from 2021. */
	ck_assert_int_eq(store_audit_at(st, T0 - 4000 * 86400LL, "estctl",
			     "area.add", "syd"),
	    0);
	ck_assert_int_eq(store_audit_at(st, T0 - 3900 * 86400LL, "estctl",
			     "area.add", "väst"),
	    0);
	ck_assert_int_eq(store_audit_at(st, T0 - 2000 * 86400LL, "estctl",
			     "area.add", "öst"),
	    0);

	ck_assert_msg(
	    jobs_retention(&cf, &dw, T0, &r, &cause) == 0, "%s", cause);
	ck_assert(!r.already_done);
	ck_assert_int_eq(r.reports, 1);
	ck_assert_int_eq(r.revisions, 1);
	ck_assert_int_eq(r.audit_purged, 2);
	ck_assert_str_eq(r.text_before, "2024-11-22");
	ck_assert_str_eq(r.audit_before, "2016-11-24");
	l = audit_last();
	/* The 2021 entry and the job's own. */
	ck_assert_int_eq(l.n, 2);
	ck_assert_str_eq(l.actor, "estd");
	ck_assert_str_eq(l.action, "retention");
	ck_assert_str_eq(l.detail,
	    "erased free text of 1 reports "
	    "(1 revisions) of periods before 2024-11-22; removed 2 audit "
	    "entries from before 2016-11-24");
	ck_assert_int_eq(store_audit_verify(st, &checked, &bad, &cause), 0);
	ck_assert_int_eq(checked, 2);
	ck_assert_int_eq(store_job_done(st, "retention", "2026-11-22"), 1);

	ck_assert_int_eq(period_parse("2024-W40", &p), 0);
	ck_assert_int_eq(
	    store_report_list(st, &p, NULL, &cf.checklist, &list, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_ptr_null(list[0].report.note);
	ck_assert_int_eq(list[0].report.ratings[0], 2);
	store_stored_reports_free(list, n);
	ck_assert_int_eq(period_parse("2026-W47", &p), 0);
	ck_assert_int_eq(
	    store_report_list(st, &p, NULL, &cf.checklist, &list, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(list[0].report.note, "Ny anteckning");
	store_stored_reports_free(list, n);

	/* Once a day. */
	ck_assert_int_eq(jobs_retention(&cf, &dw, T0 + 3600, &r, &cause), 0);
	ck_assert(r.already_done);
	ck_assert_int_eq(r.reports, 0);
	/* The next day finds nothing and writes no audit entry. */
	ck_assert_int_eq(jobs_retention(&cf, &dw, T0 + 86400, &r, &cause), 0);
	ck_assert(!r.already_done);
	ck_assert_int_eq(r.reports + r.revisions + r.audit_purged, 0);
	ck_assert_int_eq(audit_last().n, 2);
	ck_assert_int_eq(store_job_done(st, "retention", "2026-11-23"), 1);
	ck_assert_ptr_null(cause);
}
END_TEST

START_TEST(test_retention_off)
{
	struct jobs_retention_result r;
	char *cause = NULL;

	cf.retention_free_text_days = 0;
	cf.retention_audit_days = 0;
	ck_assert_int_eq(store_area_add(st, "norr", "Norr", &cause), 0);
	report_with_note("2010-W01", "Mycket gammal");
	ck_assert_int_eq(store_audit_at(st, 1, "estctl", "area.add", "x"), 0);
	ck_assert_int_eq(jobs_retention(&cf, &dw, T0, &r, &cause), 0);
	ck_assert_int_eq(r.reports + r.revisions + r.audit_purged, 0);
	ck_assert_str_eq(r.text_before, "");
	ck_assert_str_eq(r.audit_before, "");
	ck_assert_int_eq(audit_last().n, 1);
	ck_assert_int_eq(store_job_done(st, "retention", "2026-11-22"), 1);
}
END_TEST

static int
exists(const char *name)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", bdir, name);
	return access(p, F_OK) == 0;
}

static int
file_mode(const char *name)
{
	struct stat sb;
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", bdir, name);
	ck_assert_int_eq(stat(p, &sb), 0);
	return (int)(sb.st_mode & 0777);
}

START_TEST(test_backup_schedule)
{
	struct jobs_backup_result r;
	struct last_entry l;
	struct store *c;
	char *cause = NULL, p[256], key[64];
	time_t at;
	FILE *f;

	ck_assert_int_eq(jobs_backup_age(&cf, T0), -1);
	ck_assert_int_eq(store_area_add(st, "norr", "Norr", &cause), 0);

	/* None yet: the directory is made and a backup written. */
	ck_assert_msg(jobs_backup(&cf, &dw, T0, &r, &cause) == 0, "%s", cause);
	ck_assert(r.written);
	ck_assert_str_eq(r.name, "estd-20261122-110000.db");
	ck_assert_int_eq(r.removed, 0);
	ck_assert_int_eq(file_mode("estd-20261122-110000.db"), 0600);
	ck_assert_int_eq(file_mode("estd-20261122-110000.db.key"), 0600);
	snprintf(p, sizeof(p), "%s/estd-20261122-110000.db.key", bdir);
	ck_assert_ptr_nonnull(f = fopen(p, "r"));
	ck_assert_uint_eq(fread(key, 1, sizeof(key), f), 32);
	fclose(f);
	ck_assert_int_eq(
	    memcmp(key, "0123456789abcdef0123456789abcdef", 32), 0);
	ck_assert_int_eq(store_job_last(st, "backup", &at), 1);
	ck_assert_int_eq(at, T0);
	l = audit_last();
	ck_assert_str_eq(l.action, "backup");
	ck_assert_str_eq(l.detail, "estd-20261122-110000.db");
	/* The copy is a database with the area. */
	snprintf(p, sizeof(p), "%s/estd-20261122-110000.db", bdir);
	ck_assert_ptr_nonnull(c = store_open(p, STORE_READER, &cause));
	ck_assert_int_eq(store_schema_version(c), store_schema_latest());
	store_close(c);

	/* Within the interval: nothing. */
	ck_assert_int_eq(
	    jobs_backup(&cf, &dw, T0 + 6 * 3600 - 1, &r, &cause), 0);
	ck_assert(!r.written);
	ck_assert_int_eq(jobs_backup_age(&cf, T0 + 3 * 3600), 3 * 3600);

	/* Six hours on, then twelve: keep = 2 deletes the first. */
	ck_assert_int_eq(jobs_backup(&cf, &dw, T0 + 6 * 3600, &r, &cause), 0);
	ck_assert(r.written);
	ck_assert_str_eq(r.name, "estd-20261122-170000.db");
	ck_assert_int_eq(r.removed, 0);
	ck_assert_int_eq(jobs_backup(&cf, &dw, T0 + 12 * 3600, &r, &cause), 0);
	ck_assert(r.written);
	ck_assert_str_eq(r.name, "estd-20261122-230000.db");
	ck_assert_int_eq(r.removed, 1);
	ck_assert(!exists("estd-20261122-110000.db"));
	ck_assert(!exists("estd-20261122-110000.db.key"));
	ck_assert(exists("estd-20261122-170000.db"));
	ck_assert(exists("estd-20261122-230000.db.key"));
	ck_assert_int_eq(jobs_backup_age(&cf, T0 + 13 * 3600), 3600);
	ck_assert_int_eq(store_job_last(st, "backup", &at), 1);
	ck_assert_int_eq(at, T0 + 12 * 3600);
	ck_assert_ptr_null(cause);
}
END_TEST

START_TEST(test_backup_leftovers)
{
	struct jobs_backup_result r;
	char *cause = NULL, p[256];

	ck_assert_int_eq(mkdir(bdir, 0700), 0);
	/* An interrupted run, a key without its backup, a stranger. */
	snprintf(p, sizeof(p), "%s/.estd-20261122-050000.db.tmp", bdir);
	write_file(p, "x", 1);
	snprintf(p, sizeof(p), "%s/estd-20261122-040000.db.key", bdir);
	write_file(p, "k", 1);
	snprintf(p, sizeof(p), "%s/notes.txt", bdir);
	write_file(p, "n", 1);
	/* A backup from the future (the clock went back) does not count. */
	snprintf(p, sizeof(p), "%s/estd-20301122-110000.db", bdir);
	write_file(p, "", 0);
	ck_assert_int_eq(jobs_backup_age(&cf, T0), -1);

	ck_assert_msg(jobs_backup(&cf, &dw, T0, &r, &cause) == 0, "%s", cause);
	ck_assert(r.written);
	ck_assert(!exists(".estd-20261122-050000.db.tmp"));
	ck_assert(!exists("estd-20261122-040000.db.key"));
	ck_assert(exists("notes.txt"));
	ck_assert(exists("estd-20261122-110000.db"));
	ck_assert_int_eq(jobs_backup_age(&cf, T0 + 60), 60);
	/* keep = 2: the future one sorts last and is kept. */
	ck_assert(exists("estd-20301122-110000.db"));
}
END_TEST

START_TEST(test_backup_fails_clean)
{
	struct jobs_backup_result r;
	char *cause = NULL, want[256];

	/* Off. */
	cf.backup_dir = (char *)(uintptr_t) "";
	ck_assert_int_eq(jobs_backup(&cf, &dw, T0, &r, &cause), 0);
	ck_assert(!r.written);
	ck_assert_int_eq(jobs_backup_age(&cf, T0), -1);
	cf.backup_dir = bdir;

	/* No key file: no backup, and nothing left behind. */
	ck_assert_int_eq(unlink(keypath), 0);
	ck_assert_int_eq(jobs_backup(&cf, &dw, T0, &r, &cause), -1);
	ck_assert(!r.written);
	snprintf(want, sizeof(want), "key file %s: No such file or directory",
	    keypath);
	ck_assert_str_eq(cause, want);
	free(cause);
	cause = NULL;
	ck_assert_int_eq(jobs_backup_age(&cf, T0), -1);
	ck_assert(!exists("estd-20261122-110000.db"));
	ck_assert(!exists("estd-20261122-110000.db.key"));

	/* A directory that cannot be made. */
	snprintf(want, sizeof(want), "%s/no/such/dir", dir);
	cf.backup_dir = want;
	ck_assert_int_eq(jobs_backup(&cf, &dw, T0, &r, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "No such file or directory"));
	free(cause);
	cf.backup_dir = bdir;
}
END_TEST

static Suite *
jobs_suite(void)
{
	Suite *s = suite_create("jobs");
	TCase *tc = tcase_create("housekeeping");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_retention_daily);
	tcase_add_test(tc, test_retention_off);
	tcase_add_test(tc, test_backup_schedule);
	tcase_add_test(tc, test_backup_leftovers);
	tcase_add_test(tc, test_backup_fails_clean);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return testutil_run(jobs_suite());
}
