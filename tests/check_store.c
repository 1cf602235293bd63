/*
 * Tests of store against real SQLite files in a fresh temporary
 * directory per test: schema and connection settings, areas, people and
 * their tokens, saving and replacing reports with their revisions,
 * transactions and savepoints, and the online backup; the audit log's
 * hash chain, its triggers and purge, and retention of free text.
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>
#include <sqlite3.h>

#include "conf.h"
#include "period.h"
#include "report.h"
#include "store.h"
#include "testutil.h"
#include "token.h"
#include "xmalloc.h"

static char dir[64];
static char dbpath[128];
static struct store *st;

/* The checklist of the tests, in display order. */
static struct indicator items3[3] = {
    {.key = "skadegorelse"},
    {.key = "klotter"},
    {.key = "brand"},
};
static const struct checklist cl3 = {3, items3};
enum { SKADEGORELSE, KLOTTER, BRAND };

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
setup(void)
{
	char *cause = NULL;

	ck_assert_int_eq(token_init(), 0);
	snprintf(dir, sizeof(dir), "/tmp/check_store.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(dbpath, sizeof(dbpath), "%s/estd.db", dir);
	st = store_open(dbpath, STORE_WRITER, &cause);
	ck_assert_msg(st != NULL, "%s", cause);
	ck_assert_msg(store_migrate(st, &cause) == 0, "%s", cause);
}

static void
teardown(void)
{
	store_close(st);
	st = NULL;
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static void
add_area(struct store *s, const char *slug, const char *name)
{
	char *cause = NULL;

	ck_assert_msg(store_area_add(s, slug, name, &cause) == 0, "%s", cause);
}

/* Add a person with areas (NULL-terminated) and a token hashed from t. */
static long long
add_person(const char *name, const char *email, enum role role,
    const char *const *areas, int all, const char *t)
{
	struct person p;
	unsigned char h[TOKEN_HASH_LEN];
	char *cause = NULL, *list[8];
	long long id;
	size_t n = 0;

	memset(&p, 0, sizeof(p));
	while (areas != NULL && areas[n] != NULL) {
		list[n] = strdup(areas[n]);
		n++;
	}
	p.name = strdup(name);
	p.email = strdup(email);
	p.org = strdup("Bostadsbolaget");
	p.role = role;
	p.all_areas = all;
	p.areas = list;
	p.n_areas = n;
	token_hash(t, strlen(t), h);
	id = store_person_add(st, &p, h, &cause);
	ck_assert_msg(id > 0, "%s", cause == NULL ? "" : cause);
	p.areas = NULL;
	p.n_areas = 0;
	while (n > 0)
		free(list[--n]);
	store_person_clear(&p);
	return id;
}

/* A report for area and period with every indicator unset. */
static void
mkreport(struct report *r, const char *area, const char *period)
{
	report_init(r);
	snprintf(r->area, sizeof(r->area), "%s", area);
	ck_assert_int_eq(period_parse(period, &r->period), 0);
	r->has_period = true;
}

static struct report_saved
save(long long person, struct report *r, const char *source)
{
	struct report_saved sv;
	char *cause = NULL;

	memset(&sv, 0xff, sizeof(sv));
	ck_assert_msg(store_report_save(st, person, r, &cl3, 1763643791, source,
			  &sv, &cause) == 0,
	    "%s", cause);
	return sv;
}

/* Areas centrum and norr, Anna (norr, centrum) and Bert (centrum). */
static void
populate(long long *anna, long long *bert)
{
	const char *const aa[] = {"norr", "centrum", NULL};
	const char *const ba[] = {"centrum", NULL};

	add_area(st, "centrum", "Centrum");
	add_area(st, "norr", "Norr");
	*anna = add_person(
	    "Anna Ek", "anna@example.org", ROLE_REPORTER, aa, 0, "anna-token");
	*bert = add_person(
	    "Bert Al", "bert@example.org", ROLE_REPORTER, ba, 0, "bert-token");
}

START_TEST(test_migrate_idempotent)
{
	struct store_info info;
	char *cause = NULL;

	ck_assert_int_eq(store_schema_version(st), store_schema_latest());
	ck_assert_int_eq(store_migrate(st, &cause), 0);
	ck_assert_int_eq(store_migrate(st, &cause), 0);
	ck_assert_ptr_null(cause);
	ck_assert_int_eq(store_schema_version(st), store_schema_latest());
	ck_assert_int_eq(store_info(st, &info), 0);
	ck_assert_int_eq(info.schema_version, store_schema_latest());
	ck_assert_int_eq(store_ping(st), 0);

	/* A second connection sees the migrated file and changes nothing. */
	store_close(st);
	st = store_open(dbpath, STORE_ADMIN, &cause);
	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(store_schema_version(st), store_schema_latest());
	ck_assert_int_eq(store_migrate(st, &cause), 0);
	ck_assert_int_eq(store_schema_version(st), store_schema_latest());
}
END_TEST

START_TEST(test_fresh_file_version_0)
{
	struct store *s;
	char path[160], *cause = NULL;

	snprintf(path, sizeof(path), "%s/fresh.db", dir);
	s = store_open(path, STORE_WRITER, &cause);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(store_schema_version(s), 0);
	ck_assert_int_eq(access(path, F_OK), 0);
	store_close(s);
}
END_TEST

START_TEST(test_writer_settings)
{
	struct store_info info;
	char wal[160];

	ck_assert_int_eq(store_info(st, &info), 0);
	ck_assert_str_eq(info.journal_mode, "wal");
	ck_assert_int_eq(info.synchronous, 2);
	ck_assert_int_eq(info.foreign_keys, 1);
	ck_assert_int_eq(info.busy_timeout, 5000);
	ck_assert_int_eq(info.query_only, 0);
	ck_assert_int_eq(info.autocheckpoint, 1000);

	add_area(st, "centrum", "Centrum");
	snprintf(wal, sizeof(wal), "%s-wal", dbpath);
	ck_assert_int_eq(access(wal, F_OK), 0);
	ck_assert_int_eq(store_checkpoint(st), 0);
}
END_TEST

START_TEST(test_admin_settings)
{
	struct store *a;
	struct store_info info;
	char *cause = NULL;

	a = store_open(dbpath, STORE_ADMIN, &cause);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(store_info(a, &info), 0);
	ck_assert_str_eq(info.journal_mode, "wal");
	ck_assert_int_eq(info.synchronous, 2);
	ck_assert_int_eq(info.autocheckpoint, 0);
	ck_assert_int_eq(info.busy_timeout, 5000);
	/* Admin connections write but never checkpoint. */
	add_area(a, "centrum", "Centrum");
	ck_assert_int_eq(store_checkpoint(a), -1);
	store_close(a);
}
END_TEST

START_TEST(test_reader)
{
	struct store *r;
	struct store_info info;
	struct area *areas;
	size_t n;
	char *cause = NULL;

	add_area(st, "centrum", "Centrum");
	r = store_open(dbpath, STORE_READER, &cause);
	ck_assert_msg(r != NULL, "%s", cause);
	ck_assert_int_eq(store_info(r, &info), 0);
	ck_assert_int_eq(info.query_only, 1);
	ck_assert_int_eq(info.foreign_keys, 1);
	ck_assert_int_eq(info.busy_timeout, 5000);

	ck_assert_int_eq(store_area_add(r, "norr", "Norr", &cause), -1);
	ck_assert_ptr_nonnull(cause);
	ck_assert_ptr_nonnull(strstr(cause, "readonly"));
	free(cause);
	cause = NULL;
	ck_assert_int_eq(store_migrate(r, &cause), -1);
	free(cause);
	cause = NULL;
	ck_assert_int_eq(store_checkpoint(r), -1);

	/* The reader sees what the writer commits, and only that. */
	ck_assert_int_eq(store_area_list(r, &areas, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(areas[0].slug, "centrum");
	store_areas_free(areas, n);
	add_area(st, "norr", "Norr");
	ck_assert_int_eq(store_area_list(r, &areas, &n), 0);
	ck_assert_uint_eq(n, 2);
	store_areas_free(areas, n);
	store_close(r);
}
END_TEST

START_TEST(test_open_errors)
{
	char path[160], want[256], *cause = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "%s/missing.db", dir);
	ck_assert_ptr_null(store_open(path, STORE_READER, &cause));
	snprintf(want, sizeof(want),
	    "cannot open database %s: unable to open database file", path);
	ck_assert_str_eq(cause, want);
	free(cause);
	cause = NULL;
	ck_assert_int_eq(access(path, F_OK), -1);

	snprintf(path, sizeof(path), "%s/nodir/x.db", dir);
	ck_assert_ptr_null(store_open(path, STORE_WRITER, &cause));
	snprintf(want, sizeof(want),
	    "cannot open database %s: unable to open database file", path);
	ck_assert_str_eq(cause, want);
	free(cause);
	cause = NULL;

	snprintf(path, sizeof(path), "%s/text.db", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	for (int i = 0; i < 100; i++)
		fputs("this is not a database at all\n", f);
	fclose(f);
	snprintf(want, sizeof(want),
	    "cannot open database %s: file is not a database", path);
	ck_assert_ptr_null(store_open(path, STORE_WRITER, &cause));
	ck_assert_str_eq(cause, want);
	free(cause);
	cause = NULL;
	ck_assert_ptr_null(store_open(path, STORE_READER, &cause));
	ck_assert_str_eq(cause, want);
	free(cause);
}
END_TEST

START_TEST(test_areas)
{
	struct area *areas, a;
	size_t n;
	char *cause = NULL;

	add_area(st, "norr", "Norr");
	add_area(st, "centrum", "Centrum");
	ck_assert_int_eq(
	    store_area_add(st, "centrum", "Centrum igen", &cause), -1);
	ck_assert_str_eq(cause, "area \"centrum\" already exists");
	free(cause);
	cause = NULL;
	ck_assert_int_eq(store_area_add(st, "Centrum!", "X", &cause), -1);
	ck_assert_str_eq(cause,
	    "invalid area slug \"Centrum!\": use a-z, "
	    "0-9 and -, at most 40 characters");
	free(cause);
	cause = NULL;
	ck_assert_int_eq(store_area_add(st, "syd", "", &cause), -1);
	ck_assert_str_eq(cause, "area \"syd\" needs a name");
	free(cause);

	ck_assert_int_eq(store_area_list(st, &areas, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(areas[0].slug, "centrum");
	ck_assert_str_eq(areas[0].name, "Centrum");
	ck_assert_str_eq(areas[1].slug, "norr");
	ck_assert_str_eq(areas[1].name, "Norr");
	ck_assert_int_ne(areas[0].id, areas[1].id);
	store_areas_free(areas, n);

	ck_assert_int_eq(store_area_get(st, "norr", &a), 0);
	ck_assert_str_eq(a.slug, "norr");
	ck_assert_str_eq(a.name, "Norr");
	store_area_clear(&a);
	ck_assert_int_eq(store_area_get(st, "syd", &a), -1);
	ck_assert_ptr_null(a.name);
}
END_TEST

START_TEST(test_person_add_list)
{
	char centrum[] = "centrum", norr[] = "norr";
	char soder[] = "soder", cecilia[] = "Cecilia";
	char cmail[] = "cecilia@example.org";
	char amail[] = "ANNA@example.org";
	char *unknown[] = {centrum, soder};
	char *twice[] = {norr, norr};
	char *soder_list = soder;
	struct person *people, p;
	long long anna, bert, kim;
	size_t n;
	char *cause = NULL;

	populate(&anna, &bert);
	kim = add_person("Kim Berg", "kim@polisen.se", ROLE_KEYFUNCTION, NULL,
	    1, "kim-token");
	add_area(st, "aby", "Åby");

	ck_assert_int_eq(store_person_list(st, &people, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(people[0].id, anna);
	ck_assert_str_eq(people[0].name, "Anna Ek");
	ck_assert_str_eq(people[0].email, "anna@example.org");
	ck_assert_str_eq(people[0].org, "Bostadsbolaget");
	ck_assert_int_eq(people[0].role, ROLE_REPORTER);
	ck_assert(people[0].active);
	ck_assert(!people[0].all_areas);
	ck_assert(people[0].created > 0);
	/* In the order given, not by slug. */
	ck_assert_uint_eq(people[0].n_areas, 2);
	ck_assert_str_eq(people[0].areas[0], "norr");
	ck_assert_str_eq(people[0].areas[1], "centrum");
	ck_assert_int_eq(people[1].id, bert);
	ck_assert_uint_eq(people[1].n_areas, 1);
	ck_assert_str_eq(people[1].areas[0], "centrum");
	/* All areas: every area by slug, including one added later. */
	ck_assert_int_eq(people[2].id, kim);
	ck_assert_int_eq(people[2].role, ROLE_KEYFUNCTION);
	ck_assert(people[2].all_areas);
	ck_assert_uint_eq(people[2].n_areas, 3);
	ck_assert_str_eq(people[2].areas[0], "aby");
	ck_assert_str_eq(people[2].areas[1], "centrum");
	ck_assert_str_eq(people[2].areas[2], "norr");
	ck_assert_int_eq(store_person_has_area(&people[0], "centrum"), 1);
	ck_assert_int_eq(store_person_has_area(&people[1], "norr"), 0);
	ck_assert_int_eq(store_person_has_area(&people[2], "aby"), 1);
	store_people_free(people, n);

	ck_assert_int_eq(store_person_get(st, bert, &p), 0);
	ck_assert_str_eq(p.email, "bert@example.org");
	store_person_clear(&p);
	ck_assert_int_eq(store_person_get(st, 999, &p), -1);

	ck_assert_int_eq(
	    store_person_id_by_email(st, "ANNA@Example.ORG"), anna);
	ck_assert_int_eq(
	    store_person_id_by_email(st, "nobody@example.org"), -1);

	/* Refusals leave nothing behind. */
	memset(&p, 0, sizeof(p));
	p.name = cecilia;
	p.email = cmail;
	p.role = ROLE_REPORTER;
	p.areas = unknown;
	p.n_areas = 2;
	ck_assert_int_eq(store_person_add(st, &p, NULL, &cause), -1);
	ck_assert_str_eq(cause, "area \"soder\" does not exist");
	free(cause);
	cause = NULL;
	ck_assert_int_eq(
	    store_person_id_by_email(st, "cecilia@example.org"), -1);

	p.areas = twice;
	ck_assert_int_eq(store_person_add(st, &p, NULL, &cause), -1);
	ck_assert_str_eq(cause, "area \"norr\" is given twice");
	free(cause);
	cause = NULL;

	p.areas = &soder_list;
	p.n_areas = 1;
	p.email = amail;
	ck_assert_int_eq(store_person_add(st, &p, NULL, &cause), -1);
	ck_assert_str_eq(
	    cause, "a person with e-mail \"ANNA@example.org\" already exists");
	free(cause);
	cause = NULL;

	p.email = cmail;
	p.role = (enum role)9;
	ck_assert_int_eq(store_person_add(st, &p, NULL, &cause), -1);
	free(cause);

	ck_assert_int_eq(store_person_list(st, &people, &n), 0);
	ck_assert_uint_eq(n, 3);
	store_people_free(people, n);
}
END_TEST

START_TEST(test_token_lookup)
{
	struct person p;
	unsigned char h[TOKEN_HASH_LEN], h2[TOKEN_HASH_LEN];
	char t[TOKEN_LEN + 1], *cause = NULL;
	long long anna, bert;

	populate(&anna, &bert);
	token_hash("bert-token", 10, h);
	ck_assert_int_eq(store_person_by_token(st, h, &p), 0);
	ck_assert_int_eq(p.id, bert);
	ck_assert_str_eq(p.email, "bert@example.org");
	ck_assert_uint_eq(p.n_areas, 1);
	ck_assert_str_eq(p.areas[0], "centrum");
	store_person_clear(&p);

	token_hash("carl-token", 10, h2);
	ck_assert_int_eq(store_person_by_token(st, h2, &p), -1);
	ck_assert_ptr_null(p.email);

	/* A new link: the old one stops working. */
	token_new(t);
	token_hash(t, strlen(t), h2);
	ck_assert_int_eq(store_person_set_token(st, bert, h2, &cause), 0);
	ck_assert_int_eq(store_person_by_token(st, h, &p), -1);
	ck_assert_int_eq(store_person_by_token(st, h2, &p), 0);
	ck_assert_int_eq(p.id, bert);
	store_person_clear(&p);

	/* Two people cannot share a hash. */
	ck_assert_int_eq(store_person_set_token(st, anna, h2, &cause), -1);
	ck_assert_str_eq(cause, "cannot change person: the token is in use");
	free(cause);
	cause = NULL;
	ck_assert_int_eq(store_person_set_token(st, 7, h, &cause), -1);
	ck_assert_str_eq(cause, "person 7 does not exist");
	free(cause);
}
END_TEST

START_TEST(test_disable)
{
	struct person p;
	unsigned char h[TOKEN_HASH_LEN];
	char *cause = NULL;
	long long anna, bert;

	populate(&anna, &bert);
	ck_assert_int_eq(store_person_disable(st, anna, &cause), 0);
	ck_assert_int_eq(store_person_get(st, anna, &p), 0);
	ck_assert(!p.active);
	store_person_clear(&p);
	ck_assert_int_eq(store_person_get(st, bert, &p), 0);
	ck_assert(p.active);
	store_person_clear(&p);

	/* Still found by token, so the form can say the link is off. */
	token_hash("anna-token", 10, h);
	ck_assert_int_eq(store_person_by_token(st, h, &p), 0);
	ck_assert_int_eq(p.id, anna);
	ck_assert(!p.active);
	store_person_clear(&p);

	ck_assert_int_eq(store_person_disable(st, anna, &cause), 0);
	ck_assert_int_eq(store_person_disable(st, 7, &cause), -1);
	ck_assert_str_eq(cause, "person 7 does not exist");
	free(cause);
}
END_TEST

START_TEST(test_report_replace)
{
	struct report r;
	struct report_saved s1, s2;
	struct stored_report got;
	struct period w47;
	long long anna, bert;
	char *body;

	populate(&anna, &bert);
	mkreport(&r, "centrum", "2026-W47");
	r.ratings[SKADEGORELSE] = 2;
	r.ratings[KLOTTER] = 1;
	r.counts[KLOTTER] = 3;
	r.place = strdup("Torget");
	s1 = save(anna, &r, "form");
	ck_assert(s1.created);
	ck_assert_int_eq(s1.revision, 1);
	ck_assert_int_gt(s1.id, 0);
	report_clear(&r);

	mkreport(&r, "centrum", "2026-W47");
	r.ratings[SKADEGORELSE] = 3;
	r.counts[BRAND] = 4;
	s2 = save(anna, &r, "api");
	ck_assert(!s2.created);
	ck_assert_int_eq(s2.revision, 2);
	ck_assert_int_eq(s2.id, s1.id);
	report_clear(&r);
	ck_assert_int_eq(store_report_count(st), 1);

	ck_assert_int_eq(period_parse("2026-W47", &w47), 0);
	ck_assert_int_eq(
	    store_report_get(st, anna, "centrum", &w47, &cl3, &got), 0);
	ck_assert_int_eq(got.id, s1.id);
	ck_assert_int_eq(got.person_id, anna);
	ck_assert_str_eq(got.reporter_email, "anna@example.org");
	ck_assert_str_eq(got.reporter_name, "Anna Ek");
	ck_assert_int_eq(got.revision, 2);
	ck_assert_int_eq(got.submitted, 1763643791);
	ck_assert_str_eq(got.report.area, "centrum");
	ck_assert(got.report.has_period);
	ck_assert_int_eq(got.report.period.year, 2026);
	ck_assert_int_eq(got.report.period.num, 47);
	ck_assert_int_eq(got.report.ratings[SKADEGORELSE], 3);
	/* Given in revision 1, absent from revision 2: gone. */
	ck_assert_int_eq(got.report.ratings[KLOTTER], RATING_NONE);
	ck_assert_int_eq(got.report.counts[KLOTTER], COUNT_NONE);
	/* A count without a rating. */
	ck_assert_int_eq(got.report.ratings[BRAND], RATING_NONE);
	ck_assert_int_eq(got.report.counts[BRAND], 4);
	ck_assert_int_eq(got.report.counts[SKADEGORELSE], COUNT_NONE);
	ck_assert_ptr_null(got.report.place);
	ck_assert_ptr_null(got.report.note);
	ck_assert(!got.report.nothing);
	store_stored_report_clear(&got);

	/* Both revisions kept whole. */
	body = store_report_revision(st, s1.id, 1);
	ck_assert_str_eq(body,
	    "{\"area\":\"centrum\",\"period\":\"2026-W47\","
	    "\"ratings\":{\"skadegorelse\":2,\"klotter\":1},"
	    "\"counts\":{\"klotter\":3},\"place\":\"Torget\",\"note\":null,"
	    "\"nothing\":false}");
	free(body);
	body = store_report_revision(st, s1.id, 2);
	ck_assert_str_eq(body,
	    "{\"area\":\"centrum\",\"period\":\"2026-W47\","
	    "\"ratings\":{\"skadegorelse\":3},\"counts\":{\"brand\":4},"
	    "\"place\":null,\"note\":null,\"nothing\":false}");
	free(body);
	ck_assert_ptr_null(store_report_revision(st, s1.id, 3));
	ck_assert_ptr_null(store_report_revision(st, s1.id, 0));

	/* Another reporter, same area and period: a report of their own. */
	mkreport(&r, "centrum", "2026-W47");
	r.ratings[BRAND] = 1;
	s2 = save(bert, &r, "form");
	ck_assert(s2.created);
	ck_assert_int_eq(s2.revision, 1);
	ck_assert_int_ne(s2.id, s1.id);
	report_clear(&r);
	ck_assert_int_eq(store_report_count(st), 2);
	ck_assert_int_eq(
	    store_report_get(st, bert, "norr", &w47, &cl3, &got), -1);
}
END_TEST

START_TEST(test_report_imported)
{
	struct report r;
	struct report_saved s1, s2;
	struct stored_report got;
	struct period w;
	long long anna, bert;

	populate(&anna, &bert);
	mkreport(&r, "norr", "2025-W03");
	r.ratings[KLOTTER] = 2;
	s1 = save(0, &r, "import");
	report_clear(&r);
	mkreport(&r, "norr", "2025-W03");
	r.ratings[BRAND] = 1;
	r.note = strdup("Importerad");
	s2 = save(0, &r, "import");
	report_clear(&r);
	ck_assert(s1.created);
	ck_assert(!s2.created);
	ck_assert_int_eq(s2.id, s1.id);
	ck_assert_int_eq(s2.revision, 2);
	ck_assert_int_eq(store_report_count(st), 1);

	ck_assert_int_eq(period_parse("2025-W03", &w), 0);
	ck_assert_int_eq(store_report_get(st, 0, "norr", &w, &cl3, &got), 0);
	ck_assert_int_eq(got.person_id, 0);
	ck_assert_ptr_null(got.reporter_email);
	ck_assert_ptr_null(got.reporter_name);
	ck_assert_int_eq(got.report.ratings[KLOTTER], RATING_NONE);
	ck_assert_int_eq(got.report.ratings[BRAND], 1);
	ck_assert_str_eq(got.report.note, "Importerad");
	store_stored_report_clear(&got);

	/* A known reporter's report of the same week stays apart. */
	mkreport(&r, "norr", "2025-W03");
	r.ratings[KLOTTER] = 0;
	s2 = save(anna, &r, "import");
	report_clear(&r);
	ck_assert(s2.created);
	ck_assert_int_eq(store_report_count(st), 2);
}
END_TEST

START_TEST(test_not_assessed)
{
	struct report r;
	struct stored_report got;
	long long anna, bert;
	int i;

	populate(&anna, &bert);
	mkreport(&r, "centrum", "2026-W10");
	r.ratings[KLOTTER] = 0;
	save(anna, &r, "form");
	ck_assert_int_eq(
	    store_report_get(st, anna, "centrum", &r.period, &cl3, &got), 0);
	ck_assert_int_eq(got.report.ratings[KLOTTER], 0);
	ck_assert_int_eq(got.report.ratings[SKADEGORELSE], RATING_NONE);
	ck_assert_int_eq(got.report.ratings[BRAND], RATING_NONE);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(got.report.counts[i], COUNT_NONE);
	/* Beyond the checklist too. */
	for (i = 3; i < INDICATORS_MAX; i++)
		ck_assert_int_eq(got.report.ratings[i], RATING_NONE);
	store_stored_report_clear(&got);
	report_clear(&r);

	/* "Inget att rapportera": every indicator 0, kept as such. */
	mkreport(&r, "norr", "2026-W10");
	r.nothing = true;
	for (i = 0; i < 3; i++)
		r.ratings[i] = 0;
	save(anna, &r, "form");
	ck_assert_int_eq(
	    store_report_get(st, anna, "norr", &r.period, &cl3, &got), 0);
	ck_assert(got.report.nothing);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(got.report.ratings[i], 0);
	store_stored_report_clear(&got);
	report_clear(&r);
}
END_TEST

START_TEST(test_swedish_text)
{
	const char *place = "Torget vid Åhléns, källaren";
	const char *note = "Glaskross på förskolan; ÅÄÖ åäö é ü "
			   "– “citat” €";
	struct report r;
	struct stored_report got;
	long long anna, bert;

	populate(&anna, &bert);
	mkreport(&r, "norr", "2026-W47");
	r.ratings[SKADEGORELSE] = 1;
	r.place = strdup(place);
	r.note = strdup(note);
	save(anna, &r, "form");
	ck_assert_int_eq(
	    store_report_get(st, anna, "norr", &r.period, &cl3, &got), 0);
	ck_assert_str_eq(got.report.place, place);
	ck_assert_str_eq(got.report.note, note);
	ck_assert_uint_eq(strlen(got.report.place), strlen(place));
	store_stored_report_clear(&got);
	report_clear(&r);

	/* Empty text is stored as absent. */
	mkreport(&r, "norr", "2026-W47");
	r.ratings[SKADEGORELSE] = 1;
	r.place = strdup("");
	save(anna, &r, "form");
	ck_assert_int_eq(
	    store_report_get(st, anna, "norr", &r.period, &cl3, &got), 0);
	ck_assert_ptr_null(got.report.place);
	ck_assert_ptr_null(got.report.note);
	ck_assert_int_eq(got.revision, 2);
	store_stored_report_clear(&got);
	report_clear(&r);
}
END_TEST

START_TEST(test_list_order)
{
	struct report r;
	struct stored_report *list;
	struct period w47, w40;
	size_t n;
	long long anna, bert;

	populate(&anna, &bert);
	/* Saved out of order on purpose. */
	mkreport(&r, "norr", "2026-W47");
	r.ratings[BRAND] = 3;
	save(anna, &r, "form");
	report_clear(&r);
	mkreport(&r, "centrum", "2026-W47");
	r.ratings[BRAND] = 2;
	save(bert, &r, "form");
	report_clear(&r);
	mkreport(&r, "centrum", "2026-W47");
	r.ratings[BRAND] = 1;
	save(anna, &r, "form");
	report_clear(&r);
	mkreport(&r, "centrum", "2026-W47");
	r.ratings[BRAND] = 0;
	save(0, &r, "import");
	report_clear(&r);
	mkreport(&r, "centrum", "2026-W48");
	r.ratings[BRAND] = 2;
	save(anna, &r, "form");
	report_clear(&r);

	ck_assert_int_eq(period_parse("2026-W47", &w47), 0);
	ck_assert_int_eq(store_report_list(st, &w47, NULL, &cl3, &list, &n), 0);
	ck_assert_uint_eq(n, 4);
	/* By area, then reporter; the unknown reporter first. */
	ck_assert_str_eq(list[0].report.area, "centrum");
	ck_assert_ptr_null(list[0].reporter_email);
	ck_assert_int_eq(list[0].report.ratings[BRAND], 0);
	ck_assert_str_eq(list[1].report.area, "centrum");
	ck_assert_str_eq(list[1].reporter_email, "anna@example.org");
	ck_assert_int_eq(list[1].report.ratings[BRAND], 1);
	ck_assert_str_eq(list[2].report.area, "centrum");
	ck_assert_str_eq(list[2].reporter_email, "bert@example.org");
	ck_assert_int_eq(list[2].report.ratings[BRAND], 2);
	ck_assert_str_eq(list[3].report.area, "norr");
	ck_assert_str_eq(list[3].reporter_email, "anna@example.org");
	ck_assert_int_eq(list[3].report.ratings[BRAND], 3);
	ck_assert_int_eq(list[3].report.period.num, 47);
	store_stored_reports_free(list, n);

	ck_assert_int_eq(
	    store_report_list(st, &w47, "norr", &cl3, &list, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(list[0].person_id, anna);
	store_stored_reports_free(list, n);

	ck_assert_int_eq(period_parse("2026-W40", &w40), 0);
	ck_assert_int_eq(store_report_list(st, &w40, NULL, &cl3, &list, &n), 0);
	ck_assert_uint_eq(n, 0);
	store_stored_reports_free(list, n);
}
END_TEST

START_TEST(test_checklist_changed)
{
	/* The checklist reordered and skadegorelse dropped since saving. */
	struct indicator items2[2] = {
	    {.key = "brand"},
	    {.key = "klotter"},
	};
	const struct checklist cl2 = {2, items2};
	struct report r;
	struct stored_report got;
	long long anna, bert;

	populate(&anna, &bert);
	mkreport(&r, "norr", "2026-W47");
	r.ratings[SKADEGORELSE] = 3;
	r.ratings[KLOTTER] = 1;
	r.ratings[BRAND] = 2;
	r.counts[BRAND] = 5;
	save(anna, &r, "form");
	ck_assert_int_eq(
	    store_report_get(st, anna, "norr", &r.period, &cl2, &got), 0);
	ck_assert_int_eq(got.report.ratings[0], 2);
	ck_assert_int_eq(got.report.counts[0], 5);
	ck_assert_int_eq(got.report.ratings[1], 1);
	ck_assert_int_eq(got.report.counts[1], COUNT_NONE);
	ck_assert_int_eq(got.report.ratings[2], RATING_NONE);
	store_stored_report_clear(&got);
	report_clear(&r);
}
END_TEST

START_TEST(test_save_refused)
{
	struct report r;
	struct report_saved sv = {0, 0, false};
	long long anna, bert;
	char *cause = NULL;

	populate(&anna, &bert);
	mkreport(&r, "soder", "2026-W47");
	r.ratings[KLOTTER] = 1;
	ck_assert_int_eq(
	    store_report_save(st, anna, &r, &cl3, 1, "form", &sv, &cause), -1);
	ck_assert_str_eq(cause, "area \"soder\" does not exist");
	free(cause);
	cause = NULL;

	snprintf(r.area, sizeof(r.area), "norr");
	ck_assert_int_eq(
	    store_report_save(st, 42, &r, &cl3, 1, "form", &sv, &cause), -1);
	ck_assert_str_eq(cause, "person 42 does not exist");
	free(cause);
	cause = NULL;

	ck_assert_int_eq(
	    store_report_save(st, anna, &r, &cl3, 1, "mail", &sv, &cause), -1);
	ck_assert_str_eq(cause, "cannot save report: unknown source \"mail\"");
	free(cause);
	cause = NULL;

	/* Out of range: the schema refuses it and nothing is kept. */
	r.ratings[KLOTTER] = 4;
	ck_assert_int_eq(
	    store_report_save(st, anna, &r, &cl3, 1, "form", &sv, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "CHECK constraint failed"));
	free(cause);
	cause = NULL;

	r.ratings[KLOTTER] = 1;
	r.has_period = false;
	ck_assert_int_eq(
	    store_report_save(st, anna, &r, &cl3, 1, "form", &sv, &cause), -1);
	ck_assert_str_eq(cause, "cannot save report: it has no period");
	free(cause);
	ck_assert_int_eq(store_report_count(st), 0);
	ck_assert_int_eq(sv.id, 0);
	report_clear(&r);
}
END_TEST

START_TEST(test_rollback)
{
	struct report r;
	struct stored_report got;
	long long anna, bert;

	populate(&anna, &bert);
	ck_assert_int_eq(store_begin(st), 0);
	mkreport(&r, "norr", "2026-W47");
	r.ratings[KLOTTER] = 1;
	save(anna, &r, "form");
	ck_assert_int_eq(
	    store_audit(st, "anna@example.org", "report.save", "report 1"), 0);
	ck_assert_int_eq(store_report_count(st), 1);
	store_rollback(st);
	ck_assert_int_eq(store_report_count(st), 0);
	ck_assert_int_eq(
	    store_report_get(st, anna, "norr", &r.period, &cl3, &got), -1);
	report_clear(&r);
	/* No transaction is left open. */
	ck_assert_int_eq(store_begin(st), 0);
	ck_assert_int_eq(store_commit(st), 0);
	/* An audit entry alone commits itself. */
	ck_assert_int_eq(store_audit(st, "estctl", "area.add", "norr"), 0);
	ck_assert_int_eq(store_begin(st), 0);
	store_rollback(st);
}
END_TEST

START_TEST(test_savepoint)
{
	struct report a, b;
	struct stored_report got;
	long long anna, bert;

	populate(&anna, &bert);
	ck_assert_int_eq(store_savepoint(st), -1);
	ck_assert_int_eq(store_begin(st), 0);

	mkreport(&a, "norr", "2026-W47");
	a.ratings[KLOTTER] = 1;
	ck_assert_int_eq(store_savepoint(st), 0);
	save(anna, &a, "form");
	ck_assert_int_eq(store_release(st), 0);

	mkreport(&b, "centrum", "2026-W47");
	b.ratings[KLOTTER] = 2;
	ck_assert_int_eq(store_savepoint(st), 0);
	save(bert, &b, "form");
	ck_assert_int_eq(store_report_count(st), 2);
	store_rollback_savepoint(st);

	ck_assert_int_eq(store_commit(st), 0);
	ck_assert_int_eq(store_report_count(st), 1);
	ck_assert_int_eq(
	    store_report_get(st, anna, "norr", &a.period, &cl3, &got), 0);
	ck_assert_int_eq(got.report.ratings[KLOTTER], 1);
	store_stored_report_clear(&got);
	ck_assert_int_eq(
	    store_report_get(st, bert, "centrum", &b.period, &cl3, &got), -1);
	report_clear(&a);
	report_clear(&b);
}
END_TEST

START_TEST(test_backup)
{
	struct store *c;
	struct report r;
	struct stored_report *list;
	struct period w;
	struct stat sb;
	size_t n;
	long long anna, bert;
	char copy[160], want[256], *cause = NULL;

	populate(&anna, &bert);
	mkreport(&r, "norr", "2026-W47");
	r.ratings[KLOTTER] = 2;
	r.note = strdup("Sprayat på skolan");
	save(anna, &r, "form");
	report_clear(&r);
	mkreport(&r, "centrum", "2026-W47");
	r.counts[BRAND] = 1;
	save(bert, &r, "api");
	report_clear(&r);

	snprintf(copy, sizeof(copy), "%s/copy.db", dir);
	ck_assert_msg(store_backup(st, copy, &cause) == 0, "%s", cause);
	/* One private file, no WAL left beside it. */
	ck_assert_int_eq(stat(copy, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0600);
	snprintf(want, sizeof(want), "%s-wal", copy);
	ck_assert_int_eq(access(want, F_OK), -1);

	/* Never over an existing file. */
	ck_assert_int_eq(store_backup(st, copy, &cause), -1);
	snprintf(
	    want, sizeof(want), "backup %s: the file already exists", copy);
	ck_assert_str_eq(cause, want);
	free(cause);
	cause = NULL;

	/* Not inside a transaction. */
	snprintf(want, sizeof(want), "%s/copy2.db", dir);
	ck_assert_int_eq(store_begin(st), 0);
	ck_assert_int_eq(store_backup(st, want, &cause), -1);
	ck_assert_str_eq(cause, "cannot back up inside a transaction");
	free(cause);
	cause = NULL;
	store_rollback(st);
	ck_assert_int_eq(access(want, F_OK), -1);

	c = store_open(copy, STORE_READER, &cause);
	ck_assert_msg(c != NULL, "%s", cause);
	ck_assert_int_eq(store_schema_version(c), store_schema_latest());
	ck_assert_int_eq(store_report_count(c), 2);
	ck_assert_int_eq(period_parse("2026-W47", &w), 0);
	ck_assert_int_eq(store_report_list(c, &w, NULL, &cl3, &list, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(list[0].report.area, "centrum");
	ck_assert_str_eq(list[0].reporter_email, "bert@example.org");
	ck_assert_int_eq(list[0].report.counts[BRAND], 1);
	ck_assert_int_eq(list[0].report.ratings[BRAND], RATING_NONE);
	ck_assert_str_eq(list[1].report.area, "norr");
	ck_assert_int_eq(list[1].report.ratings[KLOTTER], 2);
	ck_assert_str_eq(list[1].report.note, "Sprayat på skolan");
	store_stored_reports_free(list, n);
	store_close(c);
}
END_TEST

START_TEST(test_backup_bad_path)
{
	char path[160], *cause = NULL;

	snprintf(path, sizeof(path), "%s/nodir/copy.db", dir);
	ck_assert_int_eq(store_backup(st, path, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "No such file or directory"));
	free(cause);
}
END_TEST

START_TEST(test_roles)
{
	enum role r;

	ck_assert_str_eq(store_role_name(ROLE_REPORTER), "reporter");
	ck_assert_str_eq(store_role_name(ROLE_KEYFUNCTION), "keyfunction");
	ck_assert_str_eq(store_role_name(ROLE_STEERING), "steering");
	ck_assert_str_eq(store_role_name(ROLE_ADMIN), "admin");
	ck_assert_ptr_null(store_role_name((enum role)4));
	ck_assert_int_eq(store_role_parse("steering", &r), 0);
	ck_assert_int_eq(r, ROLE_STEERING);
	ck_assert_int_eq(store_role_parse("admin", &r), 0);
	ck_assert_int_eq(r, ROLE_ADMIN);
	ck_assert_int_eq(store_role_parse("Admin", &r), -1);
	ck_assert_int_eq(store_role_parse("", &r), -1);
}
END_TEST

START_TEST(test_reader_sees_reports)
{
	struct store *rd;
	struct report r;
	struct stored_report got;
	long long anna, bert;
	char *cause = NULL;

	populate(&anna, &bert);
	rd = store_open(dbpath, STORE_READER, &cause);
	ck_assert_ptr_nonnull(rd);
	mkreport(&r, "norr", "2026-W47");
	r.ratings[KLOTTER] = 3;
	ck_assert_int_eq(
	    store_report_get(rd, anna, "norr", &r.period, &cl3, &got), -1);
	save(anna, &r, "form");
	ck_assert_int_eq(
	    store_report_get(rd, anna, "norr", &r.period, &cl3, &got), 0);
	ck_assert_int_eq(got.report.ratings[KLOTTER], 3);
	store_stored_report_clear(&got);
	report_clear(&r);
	store_close(rd);
}
END_TEST

/* ---- Schema version 2: the picture cycle. */

#define T0 1763600000 /* 2025-11-20, any fixed moment */

static struct period
week(const char *label)
{
	struct period p;

	ck_assert_int_eq(period_parse(label, &p), 0);
	return p;
}

/* Save a report of area and period with one rating (and maybe a count). */
static void
rate(long long person, const char *area, const char *period, int item,
    int rating, int count)
{
	struct report r;

	mkreport(&r, area, period);
	r.ratings[item] = rating;
	r.counts[item] = count;
	save(person, &r, person == 0 ? "import" : "form");
	report_clear(&r);
}

/*
 * Run SQL on the file at path through a connection of its own, as
 * someone with the file and the sqlite3 tool would. NULL on success,
 * else SQLite's message (sqlite3_free).
 */
static char *
raw_sql_at(const char *path, const char *sql)
{
	sqlite3 *db;
	char *err = NULL;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 2000);
	sqlite3_exec(db, sql, NULL, NULL, &err);
	ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
	return err;
}

static void
raw_ok_at(const char *path, const char *sql)
{
	char *err = raw_sql_at(path, sql);

	ck_assert_msg(err == NULL, "%s: %s", sql, err);
}

/* A hash of s, standing in for a session id's SHA-256. */
static void
hash_of(const char *s, unsigned char h[TOKEN_HASH_LEN])
{
	token_hash(s, strlen(s), h);
}

START_TEST(test_migrate_from_v1)
{
	struct store *s;
	struct report r;
	struct stored_report got;
	struct assessment *as;
	struct score_row *sc;
	struct period w47;
	size_t n;
	long long anna, bert;
	char path[160], sql[640], *cause = NULL;

	/*
	 * A file of version 1, made as estd 0.1 made it, with two reports
	 * of norr in 2026-W47 written as it wrote them (this program's
	 * store_report_save needs the scores of version 6): Anna's klotter
	 * 2 and skadegorelse 0, and imported history's klotter 1 and a
	 * count of brand without a rating.
	 */
	snprintf(path, sizeof(path), "%s/v1.db", dir);
	store_close(st);
	ck_assert_ptr_nonnull(st = store_open(path, STORE_WRITER, &cause));
	ck_assert_msg(store_migrate_to(st, 1, &cause) == 0, "%s", cause);
	ck_assert_int_eq(store_schema_version(st), 1);
	populate(&anna, &bert);
	w47 = week("2026-W47");
	snprintf(sql, sizeof(sql),
	    "INSERT INTO reports (id, person_id, area_id, period,"
	    " period_start, revision, submitted, source) VALUES"
	    " (1, %lld, (SELECT id FROM areas WHERE slug = 'norr'),"
	    "  '2026-W47', %ld, 1, 1763643791, 'form'),"
	    " (2, NULL, (SELECT id FROM areas WHERE slug = 'norr'),"
	    "  '2026-W47', %ld, 1, 1763643791, 'import');"
	    "INSERT INTO ratings (report_id, indicator, rating, count) VALUES"
	    " (1, 'klotter', 2, NULL), (1, 'skadegorelse', 0, NULL),"
	    " (2, 'klotter', 1, NULL), (2, 'brand', NULL, 4);",
	    anna, period_first_day(&w47), period_first_day(&w47));
	raw_ok_at(path, sql);
	/* The tables of version 2 are not there yet. */
	ck_assert_int_eq(store_job_done(st, "digest", "2026-W47"), -1);
	/* Asking for less than the file has changes nothing. */
	ck_assert_int_eq(store_migrate_to(st, 1, &cause), 0);
	store_close(st);

	/* The current daemon upgrades it in place. */
	ck_assert_ptr_nonnull(st = store_open(path, STORE_WRITER, &cause));
	ck_assert_msg(store_migrate(st, &cause) == 0, "%s", cause);
	ck_assert_int_eq(store_schema_version(st), store_schema_latest());
	ck_assert_int_eq(store_report_count(st), 2);
	mkreport(&r, "norr", "2026-W47");
	ck_assert_int_eq(
	    store_report_get(st, anna, "norr", &r.period, &cl3, &got), 0);
	ck_assert_int_eq(got.report.ratings[KLOTTER], 2);
	ck_assert_int_eq(got.revision, 1);
	store_stored_report_clear(&got);
	report_clear(&r);

	/* The migration computed the scores of the reports there. */
	ck_assert_int_eq(store_scores(st, &w47, &w47, &sc, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(sc[0].area, "norr");
	ck_assert_str_eq(sc[0].indicator, "klotter");
	ck_assert_int_eq(sc[0].period.num, 47);
	ck_assert_int_eq(sc[0].score, 2);
	ck_assert_str_eq(sc[1].indicator, "skadegorelse");
	ck_assert_int_eq(sc[1].score, 0);
	free(sc);
	/* And saving keeps them from now on: Anna lowers klotter to 0. */
	rate(anna, "norr", "2026-W47", KLOTTER, 0, COUNT_NONE);
	ck_assert_int_eq(store_scores(st, &w47, &w47, &sc, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(sc[0].indicator, "klotter");
	ck_assert_int_eq(sc[0].score, 1);
	free(sc);

	/* The new tables work, and the old reports have scores. */
	ck_assert_int_eq(store_job_done(st, "digest", "2026-W47"), 0);
	ck_assert_int_eq(store_job_mark(st, "digest", "2026-W47", T0), 0);
	ck_assert_int_eq(store_job_done(st, "digest", "2026-W47"), 1);
	r.period = week("2026-W47");
	ck_assert_msg(store_assessment_set(st, "norr", &r.period, LEVEL_RED,
			  NULL, anna, T0, &cause) == 0,
	    "%s", cause);
	ck_assert_int_eq(store_assessment_list(st, &r.period, &as, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(as[0].status, LEVEL_RED);
	store_assessments_free(as, n);

	/* Never down, and never past what this program knows. */
	ck_assert_int_eq(store_migrate_to(st, 1, &cause), 0);
	ck_assert_int_eq(store_schema_version(st), store_schema_latest());
	ck_assert_int_eq(
	    store_migrate_to(st, store_schema_latest() + 1, &cause), -1);
	snprintf(path, sizeof(path),
	    "cannot migrate %s/v1.db to schema "
	    "version %d: this program knows versions 1 to %d",
	    dir, store_schema_latest() + 1, store_schema_latest());
	ck_assert_str_eq(cause, path);
	free(cause);

	/* A reader of the upgraded file. */
	snprintf(path, sizeof(path), "%s/v1.db", dir);
	ck_assert_ptr_nonnull(s = store_open(path, STORE_READER, &cause));
	ck_assert_int_eq(store_schema_version(s), store_schema_latest());
	ck_assert_int_eq(store_job_done(s, "digest", "2026-W47"), 1);
	store_close(s);
}
END_TEST

START_TEST(test_level_and_state_names)
{
	enum level l;

	ck_assert_str_eq(store_level_name(LEVEL_GREEN), "green");
	ck_assert_str_eq(store_level_name(LEVEL_YELLOW), "yellow");
	ck_assert_str_eq(store_level_name(LEVEL_RED), "red");
	ck_assert_str_eq(store_level_name(LEVEL_GREY), "grey");
	ck_assert_ptr_null(store_level_name((enum level)4));
	ck_assert_int_eq(store_level_parse("yellow", &l), 0);
	ck_assert_int_eq(l, LEVEL_YELLOW);
	ck_assert_int_eq(store_level_parse("grey", &l), 0);
	ck_assert_int_eq(l, LEVEL_GREY);
	ck_assert_int_eq(store_level_parse("gray", &l), -1);
	ck_assert_int_eq(store_level_parse("Red", &l), -1);
	ck_assert_int_eq(store_level_parse(NULL, &l), -1);
	ck_assert_int_eq(l, LEVEL_GREY);

	ck_assert_str_eq(store_outbox_state_name(OUTBOX_QUEUED), "queued");
	ck_assert_str_eq(store_outbox_state_name(OUTBOX_SENDING), "sending");
	ck_assert_str_eq(store_outbox_state_name(OUTBOX_SENT), "sent");
	ck_assert_str_eq(store_outbox_state_name(OUTBOX_FAILED), "failed");
	ck_assert_ptr_null(store_outbox_state_name((enum outbox_state)4));
}
END_TEST

START_TEST(test_assessments)
{
	struct assessment *as;
	struct period w46, w47, fn;
	size_t n;
	long long anna, bert, kim;
	char *cause = NULL;

	populate(&anna, &bert);
	kim = add_person("Kim Berg", "kim@polisen.se", ROLE_KEYFUNCTION, NULL,
	    1, "kim-token");
	w46 = week("2026-W46");
	w47 = week("2026-W47");

	ck_assert_int_eq(store_assessment_set(st, "centrum", &w47, LEVEL_RED,
			     "Bränder i källare", kim, T0, &cause),
	    0);
	ck_assert_int_eq(store_assessment_set(st, "norr", &w47, LEVEL_YELLOW,
			     NULL, kim, T0 + 1, &cause),
	    0);
	/* A second one for (centrum, W47) replaces the first. */
	ck_assert_int_eq(store_assessment_set(st, "centrum", &w47, LEVEL_GREEN,
			     "Lugnare efter insatsen", bert, T0 + 2, &cause),
	    0);
	/* Grey is kept as given; estctl sets with no person. */
	ck_assert_int_eq(store_assessment_set(st, "centrum", &w46, LEVEL_GREY,
			     "", 0, T0 + 3, &cause),
	    0);
	ck_assert_ptr_null(cause);

	ck_assert_int_eq(store_assessment_list(st, &w47, &as, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(as[0].area, "centrum");
	ck_assert_int_eq(as[0].period.kind, PERIOD_WEEK);
	ck_assert_int_eq(as[0].period.year, 2026);
	ck_assert_int_eq(as[0].period.num, 47);
	ck_assert_int_eq(as[0].status, LEVEL_GREEN);
	ck_assert_str_eq(as[0].comment, "Lugnare efter insatsen");
	ck_assert_int_eq(as[0].person_id, bert);
	ck_assert_str_eq(as[0].by_name, "Bert Al");
	ck_assert_str_eq(as[0].by_email, "bert@example.org");
	ck_assert_int_eq(as[0].at, T0 + 2);
	ck_assert_str_eq(as[1].area, "norr");
	ck_assert_int_eq(as[1].status, LEVEL_YELLOW);
	ck_assert_ptr_null(as[1].comment);
	ck_assert_int_eq(as[1].person_id, kim);
	ck_assert_str_eq(as[1].by_name, "Kim Berg");
	ck_assert_str_eq(as[1].by_email, "kim@polisen.se");
	ck_assert_int_eq(as[1].at, T0 + 1);
	store_assessments_free(as, n);

	ck_assert_int_eq(store_assessment_list(st, &w46, &as, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(as[0].area, "centrum");
	ck_assert_int_eq(as[0].status, LEVEL_GREY);
	ck_assert_ptr_null(as[0].comment);
	ck_assert_int_eq(as[0].person_id, 0);
	ck_assert_ptr_null(as[0].by_name);
	ck_assert_ptr_null(as[0].by_email);
	store_assessments_free(as, n);

	/* A fortnight named by W47 is the same picture, and stays one. */
	fn = w47;
	ck_assert_int_eq(period_as_fortnight(&fn, PARITY_ODD), 0);
	ck_assert_int_eq(store_assessment_list(st, &fn, &as, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(as[1].period.kind, PERIOD_FORTNIGHT);
	ck_assert_int_eq(as[1].period.num, 47);
	store_assessments_free(as, n);

	ck_assert_int_eq(store_assessment_list(st,
			     &(struct period){PERIOD_WEEK, 2026, 40}, &as, &n),
	    0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(as);

	/* Refusals change nothing. */
	ck_assert_int_eq(store_assessment_set(st, "soder", &w47, LEVEL_RED,
			     NULL, kim, T0, &cause),
	    -1);
	ck_assert_str_eq(cause, "area \"soder\" does not exist");
	free(cause);
	cause = NULL;
	ck_assert_int_eq(store_assessment_set(st, "norr", &w47, LEVEL_RED, NULL,
			     999, T0, &cause),
	    -1);
	ck_assert_str_eq(cause, "person 999 does not exist");
	free(cause);
	cause = NULL;
	ck_assert_int_eq(store_assessment_set(st, "norr", &w47, (enum level)7,
			     NULL, kim, T0, &cause),
	    -1);
	ck_assert_str_eq(cause, "unknown level 7");
	free(cause);
	cause = NULL;
	/* Pictures are of reporting periods, never of a quarter. */
	ck_assert_int_eq(store_assessment_set(st, "norr",
			     &(struct period){PERIOD_QUARTER, 2026, 4},
			     LEVEL_RED, NULL, kim, T0, &cause),
	    -1);
	ck_assert_ptr_nonnull(strstr(cause, "CHECK constraint failed"));
	free(cause);
	ck_assert_int_eq(store_assessment_list(st, &w47, &as, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(as[1].status, LEVEL_YELLOW);
	store_assessments_free(as, n);
}
END_TEST

/* Add a measure; strings borrowed. */
static long long
add_measure(const char *area, const char *period, const char *indicator,
    const char *what, const char *place, const char *who, long follow_up,
    long long person, time_t at, char **cause)
{
	struct measure m;

	memset(&m, 0, sizeof(m));
	snprintf(m.area, sizeof(m.area), "%s", area);
	m.period = week(period);
	snprintf(m.indicator, sizeof(m.indicator), "%s", indicator);
	m.what = what == NULL ? NULL : strdup(what);
	m.place = place == NULL ? NULL : strdup(place);
	m.who = who == NULL ? NULL : strdup(who);
	m.follow_up = follow_up;
	m.person_id = person;
	m.at = at;
	/* The store takes these from the database, not from here. */
	m.id = 77;
	m.by_email = strdup("ignored@example.org");
	m.id = store_measure_add(st, &m, cause);
	free(m.what);
	free(m.place);
	free(m.who);
	free(m.by_email);
	return m.id;
}

START_TEST(test_measures)
{
	struct measure *ms;
	struct period w47, w40;
	size_t n;
	long long anna, bert, kim, m1, m2, m3;
	char *cause = NULL;

	populate(&anna, &bert);
	kim = add_person("Kim Berg", "kim@polisen.se", ROLE_KEYFUNCTION, NULL,
	    1, "kim-token");
	/* Follow-up on Monday 2026-12-07, day 20794. */
	m1 =
	    add_measure("centrum", "2026-W47", "klotter", "Sanering av klotter",
		"Torget", "Bostadsbolaget", 20794, kim, T0, &cause);
	ck_assert_msg(m1 > 0, "%s", cause);
	m2 = add_measure("norr", "2026-W47", "", "Extra rondering", "", NULL,
	    -1, 0, T0 + 1, &cause);
	ck_assert_msg(m2 > m1, "%s", cause);
	m3 = add_measure("centrum", "2026-W48", "brand", "Brandskyddsinfo",
	    NULL, "Räddningstjänsten", -5, kim, T0 + 2, &cause);
	ck_assert_msg(m3 > m2, "%s", cause);

	ck_assert_int_eq(store_measure_list(st, NULL, NULL, &ms, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(ms[0].id, m1);
	ck_assert_str_eq(ms[0].area, "centrum");
	ck_assert_int_eq(ms[0].period.kind, PERIOD_WEEK);
	ck_assert_int_eq(ms[0].period.year, 2026);
	ck_assert_int_eq(ms[0].period.num, 47);
	ck_assert_str_eq(ms[0].indicator, "klotter");
	ck_assert_str_eq(ms[0].what, "Sanering av klotter");
	ck_assert_str_eq(ms[0].place, "Torget");
	ck_assert_str_eq(ms[0].who, "Bostadsbolaget");
	ck_assert_int_eq(ms[0].follow_up, 20794);
	ck_assert_int_eq(ms[0].person_id, kim);
	ck_assert_str_eq(ms[0].by_email, "kim@polisen.se");
	ck_assert_int_eq(ms[0].at, T0);
	/* Empty and missing are both none. */
	ck_assert_int_eq(ms[1].id, m2);
	ck_assert_str_eq(ms[1].area, "norr");
	ck_assert_str_eq(ms[1].indicator, "");
	ck_assert_str_eq(ms[1].what, "Extra rondering");
	ck_assert_ptr_null(ms[1].place);
	ck_assert_ptr_null(ms[1].who);
	ck_assert_int_eq(ms[1].follow_up, -1);
	ck_assert_int_eq(ms[1].person_id, 0);
	ck_assert_ptr_null(ms[1].by_email);
	ck_assert_int_eq(ms[1].at, T0 + 1);
	ck_assert_int_eq(ms[2].id, m3);
	ck_assert_int_eq(ms[2].period.num, 48);
	ck_assert_str_eq(ms[2].who, "Räddningstjänsten");
	ck_assert_int_eq(ms[2].follow_up, -1);
	store_measures_free(ms, n);

	w47 = week("2026-W47");
	ck_assert_int_eq(store_measure_list(st, &w47, NULL, &ms, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(ms[0].id, m1);
	ck_assert_int_eq(ms[1].id, m2);
	store_measures_free(ms, n);
	ck_assert_int_eq(store_measure_list(st, NULL, "centrum", &ms, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(ms[0].id, m1);
	ck_assert_int_eq(ms[1].id, m3);
	store_measures_free(ms, n);
	ck_assert_int_eq(store_measure_list(st, &w47, "centrum", &ms, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(ms[0].id, m1);
	store_measures_free(ms, n);
	w40 = week("2026-W40");
	ck_assert_int_eq(store_measure_list(st, &w40, NULL, &ms, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(store_measure_list(st, NULL, "soder", &ms, &n), 0);
	ck_assert_uint_eq(n, 0);

	ck_assert_int_eq(add_measure("soder", "2026-W47", "", "X", NULL, NULL,
			     -1, kim, T0, &cause),
	    -1);
	ck_assert_str_eq(cause, "area \"soder\" does not exist");
	free(cause);
	cause = NULL;
	ck_assert_int_eq(add_measure("norr", "2026-W47", "", "", NULL, NULL, -1,
			     kim, T0, &cause),
	    -1);
	ck_assert_str_eq(cause, "a measure needs a description");
	free(cause);
	cause = NULL;
	ck_assert_int_eq(add_measure("norr", "2026-W47", "", NULL, NULL, NULL,
			     -1, kim, T0, &cause),
	    -1);
	ck_assert_str_eq(cause, "a measure needs a description");
	free(cause);
	cause = NULL;
	ck_assert_int_eq(add_measure("norr", "2026-W47", "", "X", NULL, NULL,
			     -1, 999, T0, &cause),
	    -1);
	ck_assert_str_eq(cause, "person 999 does not exist");
	free(cause);
	ck_assert_int_eq(store_measure_list(st, NULL, NULL, &ms, &n), 0);
	ck_assert_uint_eq(n, 3);
	store_measures_free(ms, n);
}
END_TEST

START_TEST(test_flags)
{
	struct flag_row *f;
	struct period w44, w45, w46, w48, w50;
	size_t n;
	long long anna, bert, kim, f1, f2, f3, f4;
	char want[64], *cause = NULL;

	populate(&anna, &bert);
	kim = add_person("Kim Berg", "kim@polisen.se", ROLE_KEYFUNCTION, NULL,
	    1, "kim-token");
	w44 = week("2026-W44");
	w45 = week("2026-W45");
	w46 = week("2026-W46");
	w48 = week("2026-W48");
	w50 = week("2026-W50");

	f1 = store_flag_open(st, "centrum", "klotter", &w45, "3 veckor i rad",
	    "3 weeks in a row", &cause);
	ck_assert_msg(f1 > 0, "%s", cause);
	f2 = store_flag_open(
	    st, "norr", "brand", &w46, "4 av 6 veckor", "4 of 6 weeks", &cause);
	ck_assert_msg(f2 > f1, "%s", cause);
	f3 = store_flag_open(st, "centrum", "brand", &w44, "3 veckor i rad",
	    "3 weeks in a row", &cause);
	ck_assert_msg(f3 > f2, "%s", cause);

	/* One open episode per pair. */
	ck_assert_int_eq(
	    store_flag_open(st, "centrum", "klotter", &w46, "x", "x", &cause),
	    -1);
	ck_assert_str_eq(
	    cause, "a flag of \"klotter\" in \"centrum\" is already open");
	free(cause);
	cause = NULL;
	ck_assert_int_eq(
	    store_flag_open(st, "soder", "klotter", &w46, "x", "x", &cause),
	    -1);
	ck_assert_str_eq(cause, "area \"soder\" does not exist");
	free(cause);
	cause = NULL;
	ck_assert_int_eq(
	    store_flag_open(st, "norr", "", &w46, "x", "x", &cause), -1);
	ck_assert_str_eq(cause, "invalid indicator \"\"");
	free(cause);
	cause = NULL;

	/* Open ones by area, indicator: none acknowledged yet. */
	ck_assert_int_eq(store_flag_list(st, false, &f, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(f[0].id, f3);
	ck_assert_str_eq(f[0].area, "centrum");
	ck_assert_str_eq(f[0].indicator, "brand");
	ck_assert_int_eq(f[0].opened.kind, PERIOD_WEEK);
	ck_assert_int_eq(f[0].opened.year, 2026);
	ck_assert_int_eq(f[0].opened.num, 44);
	ck_assert(f[0].open);
	ck_assert_str_eq(f[0].reason_sv, "3 veckor i rad");
	ck_assert_str_eq(f[0].reason_en, "3 weeks in a row");
	ck_assert_ptr_null(f[0].ack_comment);
	ck_assert_ptr_null(f[0].ack_by);
	ck_assert_int_eq(f[0].ack_at, 0);
	ck_assert_int_eq(f[1].id, f1);
	ck_assert_str_eq(f[1].indicator, "klotter");
	ck_assert_int_eq(f[2].id, f2);
	ck_assert_str_eq(f[2].area, "norr");
	ck_assert_str_eq(f[2].reason_sv, "4 av 6 veckor");
	store_flags_free(f, n);

	/* Close f1; it leaves the open list but stays in the history. */
	ck_assert_msg(store_flag_close(st, f1, &w48, &cause) == 0, "%s", cause);
	ck_assert_int_eq(store_flag_close(st, f1, &w50, &cause), -1);
	snprintf(want, sizeof(want), "flag %lld is already closed", f1);
	ck_assert_str_eq(cause, want);
	free(cause);
	cause = NULL;
	ck_assert_int_eq(store_flag_close(st, 999, &w48, &cause), -1);
	ck_assert_str_eq(cause, "flag 999 does not exist");
	free(cause);
	cause = NULL;
	/* Never closed before it opened. */
	ck_assert_int_eq(store_flag_close(st, f2, &w45, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "CHECK constraint failed"));
	free(cause);
	cause = NULL;

	ck_assert_int_eq(store_flag_list(st, false, &f, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(f[0].id, f3);
	ck_assert_int_eq(f[1].id, f2);
	ck_assert(f[1].open);
	store_flags_free(f, n);

	/* A new episode of the pair once the old one is closed. */
	f4 = store_flag_open(st, "centrum", "klotter", &w50, "2 av 3 veckor",
	    "2 of 3 weeks", &cause);
	ck_assert_msg(f4 > f3, "%s", cause);

	/* Acknowledge f2, and f1 although it is closed. */
	ck_assert_int_eq(
	    store_flag_ack(st, f2, kim, "Polisen informerad", T0 + 60, &cause),
	    0);
	ck_assert_int_eq(
	    store_flag_ack(st, f1, anna, NULL, T0 + 70, &cause), 0);
	ck_assert_int_eq(store_flag_ack(st, f2, 999, "x", T0, &cause), -1);
	ck_assert_str_eq(cause, "person 999 does not exist");
	free(cause);
	cause = NULL;
	ck_assert_int_eq(store_flag_ack(st, f2, 0, "x", T0, &cause), -1);
	ck_assert_str_eq(cause, "person 0 does not exist");
	free(cause);
	cause = NULL;
	ck_assert_int_eq(store_flag_ack(st, 999, kim, "x", T0, &cause), -1);
	ck_assert_str_eq(cause, "flag 999 does not exist");
	free(cause);
	cause = NULL;

	ck_assert_int_eq(store_flag_list(st, true, &f, &n), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(f[0].id, f3);
	ck_assert_int_eq(f[1].id, f1);
	ck_assert(!f[1].open);
	ck_assert_int_eq(f[1].opened.num, 45);
	ck_assert_int_eq(f[1].closed.kind, PERIOD_WEEK);
	ck_assert_int_eq(f[1].closed.year, 2026);
	ck_assert_int_eq(f[1].closed.num, 48);
	ck_assert_str_eq(f[1].ack_comment, "");
	ck_assert_str_eq(f[1].ack_by, "anna@example.org");
	ck_assert_int_eq(f[1].ack_at, T0 + 70);
	ck_assert_int_eq(f[2].id, f4);
	ck_assert(f[2].open);
	ck_assert_int_eq(f[2].opened.num, 50);
	ck_assert_str_eq(f[2].reason_en, "2 of 3 weeks");
	ck_assert_int_eq(f[3].id, f2);
	ck_assert(f[3].open);
	ck_assert_str_eq(f[3].ack_comment, "Polisen informerad");
	ck_assert_str_eq(f[3].ack_by, "kim@polisen.se");
	ck_assert_int_eq(f[3].ack_at, T0 + 60);
	store_flags_free(f, n);

	/* A second acknowledgement replaces the first. */
	ck_assert_int_eq(
	    store_flag_ack(st, f2, anna, "Uppföljt", T0 + 80, &cause), 0);
	ck_assert_int_eq(store_flag_list(st, false, &f, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(f[2].id, f2);
	ck_assert_str_eq(f[2].ack_comment, "Uppföljt");
	ck_assert_str_eq(f[2].ack_by, "anna@example.org");
	ck_assert_int_eq(f[2].ack_at, T0 + 80);
	store_flags_free(f, n);
}
END_TEST

START_TEST(test_scores)
{
	struct score_row *sc, *c;
	struct period w44, w45, w47;
	struct report r;
	size_t n;
	long long anna, bert;

	populate(&anna, &bert);
	/* Two reporters: the highest rating is the score. */
	rate(anna, "centrum", "2026-W45", KLOTTER, 1, COUNT_NONE);
	rate(bert, "centrum", "2026-W45", KLOTTER, 3, 2);
	/* A count alone is not an assessment: no brand score. */
	mkreport(&r, "centrum", "2026-W45");
	r.ratings[KLOTTER] = 1;
	r.ratings[SKADEGORELSE] = 0;
	r.counts[BRAND] = 4;
	save(anna, &r, "form");
	report_clear(&r);
	/* Replaced: only the latest revision counts. */
	rate(anna, "centrum", "2026-W46", KLOTTER, 3, COUNT_NONE);
	rate(anna, "centrum", "2026-W46", KLOTTER, 0, COUNT_NONE);
	rate(anna, "norr", "2026-W46", BRAND, 2, COUNT_NONE);
	/* Imported history counts too. */
	rate(0, "centrum", "2026-W47", KLOTTER, 1, COUNT_NONE);
	/* Outside the range on either side. */
	rate(anna, "centrum", "2026-W44", KLOTTER, 3, COUNT_NONE);
	rate(anna, "norr", "2026-W48", BRAND, 3, COUNT_NONE);
	/* Added last, first by slug. */
	add_area(st, "aby", "Åby");
	rate(0, "aby", "2026-W46", BRAND, 1, COUNT_NONE);

	w44 = week("2026-W44");
	w45 = week("2026-W45");
	w47 = week("2026-W47");
	ck_assert_int_eq(store_scores(st, &w45, &w47, &sc, &n), 0);
	ck_assert_uint_eq(n, 6);
	ck_assert_str_eq(sc[0].area, "aby");
	ck_assert_str_eq(sc[0].indicator, "brand");
	ck_assert_int_eq(sc[0].period.num, 46);
	ck_assert_int_eq(sc[0].score, 1);
	/* Then centrum and norr. */
	c = sc + 1;
	ck_assert_str_eq(c[0].area, "centrum");
	ck_assert_str_eq(c[0].indicator, "klotter");
	ck_assert_int_eq(c[0].period.kind, PERIOD_WEEK);
	ck_assert_int_eq(c[0].period.year, 2026);
	ck_assert_int_eq(c[0].period.num, 45);
	ck_assert_int_eq(c[0].score, 3);
	ck_assert_str_eq(c[1].area, "centrum");
	ck_assert_str_eq(c[1].indicator, "klotter");
	ck_assert_int_eq(c[1].period.num, 46);
	ck_assert_int_eq(c[1].score, 0);
	ck_assert_str_eq(c[2].indicator, "klotter");
	ck_assert_int_eq(c[2].period.num, 47);
	ck_assert_int_eq(c[2].score, 1);
	ck_assert_str_eq(c[3].area, "centrum");
	ck_assert_str_eq(c[3].indicator, "skadegorelse");
	ck_assert_int_eq(c[3].period.num, 45);
	ck_assert_int_eq(c[3].score, 0);
	ck_assert_str_eq(c[4].area, "norr");
	ck_assert_str_eq(c[4].indicator, "brand");
	ck_assert_int_eq(c[4].period.num, 46);
	ck_assert_int_eq(c[4].score, 2);
	free(sc);

	/* One period; both ends inclusive. */
	ck_assert_int_eq(store_scores(st, &w44, &w44, &sc, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(sc[0].indicator, "klotter");
	ck_assert_int_eq(sc[0].period.num, 44);
	ck_assert_int_eq(sc[0].score, 3);
	free(sc);

	/* By first day: a quarter from its first week. 2026-Q4 starts on
	 * Monday of W40, so W44 to W48 are all in. */
	ck_assert_int_eq(
	    store_scores(st, &(struct period){PERIOD_QUARTER, 2026, 4},
		&(struct period){PERIOD_WEEK, 2026, 52}, &sc, &n),
	    0);
	ck_assert_uint_eq(n, 8);
	ck_assert_str_eq(sc[1].area, "centrum");
	ck_assert_int_eq(sc[1].period.num, 44);
	ck_assert_str_eq(sc[7].area, "norr");
	ck_assert_int_eq(sc[7].period.num, 48);
	ck_assert_int_eq(sc[7].score, 3);
	free(sc);

	/* An empty range. */
	ck_assert_int_eq(store_scores(st, &w47, &w45, &sc, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(sc);
}
END_TEST

/*
 * The scores as they were computed from the ratings before schema
 * version 6 kept them, in store_scores's order, one "area indicator
 * period score" line each, for the test's file: the reference the kept
 * scores must equal.
 */
static void
scores_from_ratings(char *out, size_t size)
{
	sqlite3 *db;
	sqlite3_stmt *q;
	size_t len = 0;
	int w;

	ck_assert_int_eq(
	    sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(
	    sqlite3_prepare_v2(db,
		"SELECT a.slug, t.indicator, min(r.period), max(t.rating)"
		" FROM reports r JOIN ratings t ON t.report_id = r.id"
		" JOIN areas a ON a.id = r.area_id WHERE t.rating IS NOT NULL"
		" GROUP BY r.area_id, r.period_start, t.indicator"
		" ORDER BY a.slug, t.indicator, r.period_start",
		-1, &q, NULL),
	    SQLITE_OK);
	out[0] = '\0';
	while (sqlite3_step(q) == SQLITE_ROW) {
		w = snprintf(out + len, size - len, "%s %s %s %d\n",
		    (const char *)sqlite3_column_text(q, 0),
		    (const char *)sqlite3_column_text(q, 1),
		    (const char *)sqlite3_column_text(q, 2),
		    sqlite3_column_int(q, 3));
		ck_assert_int_ge(w, 0);
		ck_assert_uint_lt((size_t)w, size - len);
		len += (size_t)w;
	}
	sqlite3_finalize(q);
	ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
}

/* store_scores's rows in the same lines as scores_from_ratings. */
static void
scores_kept(const char *from, const char *to, char *out, size_t size)
{
	struct score_row *sc;
	struct period f = week(from), t = week(to);
	char label[PERIOD_LABEL_MAX];
	size_t n, i, len = 0;
	int w;

	ck_assert_int_eq(store_scores(st, &f, &t, &sc, &n), 0);
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		period_format(&sc[i].period, label);
		w = snprintf(out + len, size - len, "%s %s %s %d\n", sc[i].area,
		    sc[i].indicator, label, sc[i].score);
		ck_assert_int_ge(w, 0);
		ck_assert_uint_lt((size_t)w, size - len);
		len += (size_t)w;
	}
	free(sc);
}

/*
 * The kept scores follow every save: a replaced report's lowered
 * rating lowers the score, an indicator no report assessed has no row,
 * and they equal what the ratings gave before they were kept.
 */
START_TEST(test_scores_kept)
{
	struct report r;
	char got[1024], want[1024];
	long long anna, bert;

	populate(&anna, &bert);
	/* centrum W45: Anna klotter 2, skadegorelse 1; Bert klotter 3. */
	mkreport(&r, "centrum", "2026-W45");
	r.ratings[KLOTTER] = 2;
	r.ratings[SKADEGORELSE] = 1;
	save(anna, &r, "form");
	report_clear(&r);
	rate(bert, "centrum", "2026-W45", KLOTTER, 3, COUNT_NONE);
	/* norr W46: brand only counted, never assessed. */
	rate(anna, "norr", "2026-W46", BRAND, RATING_NONE, 5);
	/* centrum W46: brand 2, klotter 1. */
	mkreport(&r, "centrum", "2026-W46");
	r.ratings[BRAND] = 2;
	r.ratings[KLOTTER] = 1;
	save(0, &r, "import");
	report_clear(&r);
	scores_kept("2026-W45", "2026-W46", got, sizeof(got));
	ck_assert_str_eq(got,
	    "centrum brand 2026-W46 2\n"
	    "centrum klotter 2026-W45 3\n"
	    "centrum klotter 2026-W46 1\n"
	    "centrum skadegorelse 2026-W45 1\n");
	scores_from_ratings(want, sizeof(want));
	ck_assert_str_eq(got, want);

	/* Bert's second revision lowers his klotter 3 to 1: Anna's 2. */
	rate(bert, "centrum", "2026-W45", KLOTTER, 1, COUNT_NONE);
	scores_kept("2026-W45", "2026-W45", got, sizeof(got));
	ck_assert_str_eq(got,
	    "centrum klotter 2026-W45 2\n"
	    "centrum skadegorelse 2026-W45 1\n");
	/*
	 * Anna's second revision: klotter 0, skadegorelse only counted.
	 * Klotter is Bert's 1; skadegorelse, assessed by nobody now, has
	 * no row.
	 */
	mkreport(&r, "centrum", "2026-W45");
	r.ratings[KLOTTER] = 0;
	r.counts[SKADEGORELSE] = 2;
	save(anna, &r, "form");
	report_clear(&r);
	/* The imported W46 report again without brand: its row goes. */
	rate(0, "centrum", "2026-W46", KLOTTER, 0, COUNT_NONE);
	scores_kept("2026-W45", "2026-W46", got, sizeof(got));
	ck_assert_str_eq(got,
	    "centrum klotter 2026-W45 1\n"
	    "centrum klotter 2026-W46 0\n");
	scores_from_ratings(want, sizeof(want));
	ck_assert_str_eq(got, want);
	/* Only the saved area and period were touched. */
	scores_kept("2026-W40", "2026-W52", got, sizeof(got));
	ck_assert_str_eq(got, want);
}
END_TEST

/* Queue a digest; returns *added. Strings copied. */
static int
queue_mail(const char *mid, const char *key, const char *to, time_t created,
    time_t next_at)
{
	struct outbox_mail m;
	char data[160], *cause = NULL;
	int added = -1;

	memset(&m, 0, sizeof(m));
	m.message_id = strdup(mid);
	m.kind = strdup("digest");
	m.dedup_key = strdup(key);
	m.recipient = strdup(to);
	m.subject = strdup("Lägesbild v. 47");
	snprintf(data, sizeof(data),
	    "Message-ID: <%s>\r\nTo: %s\r\n\r\n"
	    "Hej\r\n",
	    mid, to);
	m.data = strdup(data);
	m.len = strlen(data);
	m.created = created;
	m.next_at = next_at;
	/* Ignored: a new mail is queued, untried. */
	m.state = OUTBOX_SENT;
	m.attempts = 9;
	ck_assert_msg(
	    store_outbox_add(st, &m, &added, &cause) == 0, "%s", cause);
	free(m.message_id);
	free(m.kind);
	free(m.dedup_key);
	free(m.recipient);
	free(m.subject);
	free(m.data);
	return added;
}

/* The ids of the mails due at now, at most 8, as "id,id,...". */
static const char *
due_ids(time_t now)
{
	static char buf[128];
	struct outbox_mail *m;
	size_t n, i, len = 0;

	ck_assert_int_eq(store_outbox_due(st, now, 8, &m, &n), 0);
	buf[0] = '\0';
	for (i = 0; i < n; i++)
		len += snprintf(buf + len, sizeof(buf) - len, "%s%lld",
		    i > 0 ? "," : "", m[i].id);
	store_outbox_free(m, n);
	return buf;
}

/* One mail as listed (without data). */
static void
mail_get(long long id, struct outbox_mail *out)
{
	struct outbox_mail *m;
	size_t n, i;

	ck_assert_int_eq(store_outbox_list(st, 0, &m, &n), 0);
	for (i = 0; i < n; i++)
		if (m[i].id == id)
			break;
	ck_assert_uint_lt(i, n);
	*out = m[i];
	memset(&m[i], 0, sizeof(m[i]));
	store_outbox_free(m, n);
}

static void
mail_clear(struct outbox_mail *m)
{
	free(m->message_id);
	free(m->kind);
	free(m->dedup_key);
	free(m->recipient);
	free(m->subject);
	free(m->data);
	free(m->last_error);
	memset(m, 0, sizeof(*m));
}

START_TEST(test_outbox_state_machine)
{
	struct outbox_mail *m, got;
	size_t n;
	long long a, b;
	char want[160];

	ck_assert_str_eq(due_ids(T0), "");
	ck_assert_int_eq(
	    queue_mail("1@estd", "digest:2026-W47:kim@x", "kim@x", T0, T0), 1);
	ck_assert_int_eq(queue_mail("2@estd", "digest:2026-W47:lena@x",
			     "lena@x", T0 + 10, T0 + 10),
	    1);
	/* The same decision again, even with a new Message-ID: one row. */
	ck_assert_int_eq(queue_mail("3@estd", "digest:2026-W47:kim@x", "kim@x",
			     T0 + 20, T0 + 20),
	    0);
	ck_assert_int_eq(store_outbox_list(st, 0, &m, &n), 0);
	ck_assert_uint_eq(n, 2);
	store_outbox_free(m, n);

	/* Due when next_at has come, oldest first, with the message. */
	ck_assert_int_eq(store_outbox_due(st, T0, 8, &m, &n), 0);
	ck_assert_uint_eq(n, 1);
	a = m[0].id;
	ck_assert_str_eq(m[0].message_id, "1@estd");
	ck_assert_str_eq(m[0].kind, "digest");
	ck_assert_str_eq(m[0].dedup_key, "digest:2026-W47:kim@x");
	ck_assert_str_eq(m[0].recipient, "kim@x");
	ck_assert_str_eq(m[0].subject, "Lägesbild v. 47");
	snprintf(want, sizeof(want),
	    "Message-ID: <1@estd>\r\nTo: kim@x\r\n"
	    "\r\nHej\r\n");
	ck_assert_uint_eq(m[0].len, strlen(want));
	ck_assert_mem_eq(m[0].data, want, m[0].len);
	ck_assert_int_eq(m[0].data[m[0].len], '\0');
	ck_assert_int_eq(m[0].state, OUTBOX_QUEUED);
	ck_assert_int_eq(m[0].attempts, 0);
	ck_assert_int_eq(m[0].created, T0);
	ck_assert_int_eq(m[0].next_at, T0);
	ck_assert_int_eq(m[0].lease_until, 0);
	ck_assert_int_eq(m[0].sent_at, 0);
	ck_assert_ptr_null(m[0].last_error);
	store_outbox_free(m, n);
	ck_assert_int_eq(store_outbox_due(st, T0 + 10, 8, &m, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(m[0].id, a);
	b = m[1].id;
	ck_assert_str_eq(m[1].message_id, "2@estd");
	store_outbox_free(m, n);
	ck_assert_int_eq(store_outbox_due(st, T0 + 10, 1, &m, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(m[0].id, a);
	store_outbox_free(m, n);

	/* Leased (in the transaction that read it): not due meanwhile. */
	ck_assert_int_eq(store_begin(st), 0);
	ck_assert_int_eq(store_outbox_lease(st, a, T0 + 100), 0);
	ck_assert_int_eq(store_commit(st), 0);
	snprintf(want, sizeof(want), "%lld", b);
	ck_assert_str_eq(due_ids(T0 + 50), want);
	ck_assert_str_eq(due_ids(T0 + 100), want);
	mail_get(a, &got);
	ck_assert_int_eq(got.state, OUTBOX_SENDING);
	ck_assert_int_eq(got.attempts, 1);
	ck_assert_int_eq(got.lease_until, T0 + 100);
	ck_assert_ptr_null(got.data);
	ck_assert_uint_eq(got.len, 0);
	mail_clear(&got);

	/* A crash during delivery: once the lease is over it is due again. */
	snprintf(want, sizeof(want), "%lld,%lld", a, b);
	ck_assert_str_eq(due_ids(T0 + 101), want);
	ck_assert_int_eq(store_outbox_due(st, T0 + 101, 1, &m, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(m[0].state, OUTBOX_SENDING);
	ck_assert_uint_eq(m[0].len, 40);
	store_outbox_free(m, n);

	/* Deferred: queued again, not due before next_at, the error kept. */
	ck_assert_int_eq(store_outbox_lease(st, a, T0 + 1000), 0);
	ck_assert_int_eq(store_outbox_result(st, a, OUTBOX_QUEUED, T0 + 110,
			     T0 + 500, "421 4.3.0 try again later"),
	    0);
	mail_get(a, &got);
	ck_assert_int_eq(got.state, OUTBOX_QUEUED);
	ck_assert_int_eq(got.attempts, 2);
	ck_assert_int_eq(got.next_at, T0 + 500);
	ck_assert_int_eq(got.sent_at, 0);
	ck_assert_str_eq(got.last_error, "421 4.3.0 try again later");
	mail_clear(&got);
	snprintf(want, sizeof(want), "%lld", b);
	ck_assert_str_eq(due_ids(T0 + 499), want);
	snprintf(want, sizeof(want), "%lld,%lld", a, b);
	ck_assert_str_eq(due_ids(T0 + 500), want);

	/* Sent: never due again, and nothing can undo it. */
	ck_assert_int_eq(store_outbox_lease(st, a, T0 + 1400), 0);
	ck_assert_int_eq(
	    store_outbox_result(st, a, OUTBOX_SENT, T0 + 510, 0, NULL), 0);
	mail_get(a, &got);
	ck_assert_int_eq(got.state, OUTBOX_SENT);
	ck_assert_int_eq(got.attempts, 3);
	ck_assert_int_eq(got.sent_at, T0 + 510);
	ck_assert_ptr_null(got.last_error);
	ck_assert_int_eq(got.next_at, T0 + 500);
	mail_clear(&got);
	ck_assert_int_eq(store_outbox_lease(st, a, T0 + 2000), -1);
	ck_assert_int_eq(store_outbox_result(
			     st, a, OUTBOX_QUEUED, T0 + 600, T0 + 900, "late"),
	    -1);
	ck_assert_int_eq(
	    store_outbox_result(st, a, OUTBOX_FAILED, T0 + 600, 0, "late"), -1);
	mail_get(a, &got);
	ck_assert_int_eq(got.state, OUTBOX_SENT);
	ck_assert_ptr_null(got.last_error);
	mail_clear(&got);

	/* Failed for good: never due again, the relay's answer kept. */
	ck_assert_int_eq(store_outbox_lease(st, b, T0 + 1500), 0);
	ck_assert_int_eq(store_outbox_result(st, b, OUTBOX_FAILED, T0 + 520, 0,
			     "550 5.1.1 no such user"),
	    0);
	mail_get(b, &got);
	ck_assert_int_eq(got.state, OUTBOX_FAILED);
	ck_assert_int_eq(got.attempts, 1);
	ck_assert_int_eq(got.sent_at, 0);
	ck_assert_str_eq(got.last_error, "550 5.1.1 no such user");
	mail_clear(&got);
	ck_assert_int_eq(store_outbox_lease(st, b, T0 + 2000), -1);
	ck_assert_str_eq(due_ids(T0 + 1000000), "");

	/* Not an outcome; not a mail. */
	ck_assert_int_eq(
	    store_outbox_result(st, b, OUTBOX_SENDING, T0, T0, NULL), -1);
	ck_assert_int_eq(store_outbox_lease(st, 999, T0), -1);
	ck_assert_int_eq(
	    store_outbox_result(st, 999, OUTBOX_SENT, T0, T0, NULL), -1);
}
END_TEST

START_TEST(test_outbox_sent_with_note)
{
	struct outbox_mail *m, got;
	size_t n;
	long long a;

	/* Spooled or sent straight from queued, with the relay's text. */
	ck_assert_int_eq(
	    queue_mail("1@estd", "reminder:2026-W47:anna@x", "anna@x", T0, T0),
	    1);
	ck_assert_int_eq(store_outbox_due(st, T0, 0, &m, &n), 0);
	ck_assert_uint_eq(n, 1);
	a = m[0].id;
	store_outbox_free(m, n);
	ck_assert_int_eq(store_outbox_result(st, a, OUTBOX_SENT, T0 + 5, 0,
			     "250 2.0.0 Ok: queued as 4XyZ"),
	    0);
	mail_get(a, &got);
	ck_assert_int_eq(got.state, OUTBOX_SENT);
	ck_assert_int_eq(got.attempts, 0);
	ck_assert_int_eq(got.sent_at, T0 + 5);
	ck_assert_str_eq(got.last_error, "250 2.0.0 Ok: queued as 4XyZ");
	mail_clear(&got);
}
END_TEST

START_TEST(test_outbox_add_refused)
{
	struct outbox_mail m, *list;
	char mid[] = "1@estd", kind[] = "digest";
	char key[] = "digest:2026-W47:kim@x";
	char to[] = "kim@x", *cause = NULL;
	char data[] = "Subject: x\r\n\r\nx\r\n";
	size_t n;
	int added = -1;

	memset(&m, 0, sizeof(m));
	m.message_id = mid;
	m.kind = kind;
	m.dedup_key = key;
	m.recipient = to;
	m.data = data;
	m.len = 0;
	ck_assert_int_eq(store_outbox_add(st, &m, &added, &cause), -1);
	ck_assert_str_eq(cause, "cannot queue mail: it has no message");
	ck_assert_int_eq(added, 0);
	free(cause);
	cause = NULL;
	m.len = strlen(data);
	m.recipient = NULL;
	ck_assert_int_eq(store_outbox_add(st, &m, &added, &cause), -1);
	ck_assert_str_eq(cause, "cannot queue mail: it has no recipient");
	free(cause);
	cause = NULL;
	m.recipient = to;
	m.dedup_key = NULL;
	ck_assert_int_eq(store_outbox_add(st, &m, &added, &cause), -1);
	ck_assert_str_eq(cause, "cannot queue mail: it has no dedup key");
	free(cause);
	cause = NULL;
	m.dedup_key = key;

	/* No subject is an empty one; created 0 is now. */
	ck_assert_int_eq(store_outbox_add(st, &m, &added, &cause), 0);
	ck_assert_int_eq(added, 1);
	ck_assert_int_eq(store_outbox_list(st, 0, &list, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(list[0].subject, "");
	ck_assert_int_ge(list[0].created, T0);
	store_outbox_free(list, n);

	/* A Message-ID is never reused for another mail. */
	m.dedup_key = to;
	ck_assert_int_eq(store_outbox_add(st, &m, &added, &cause), -1);
	ck_assert_str_eq(
	    cause, "cannot queue mail: message id \"1@estd\" is in use");
	ck_assert_int_eq(added, 0);
	free(cause);

	/* Inside the caller's transaction, and undone with it. */
	ck_assert_int_eq(store_begin(st), 0);
	ck_assert_int_eq(
	    queue_mail("2@estd", "digest:2026-W47:lena@x", "lena@x", T0, T0),
	    1);
	store_rollback(st);
	ck_assert_int_eq(store_outbox_list(st, 0, &list, &n), 0);
	ck_assert_uint_eq(n, 1);
	store_outbox_free(list, n);
}
END_TEST

START_TEST(test_outbox_counts_list)
{
	struct outbox_mail *m;
	long counts[4];
	long age;
	size_t n;
	long long id[4];
	int i;

	memset(counts, 0xff, sizeof(counts));
	age = -1;
	ck_assert_int_eq(store_outbox_counts(st, T0, counts, &age), 0);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(counts[i], 0);
	ck_assert_int_eq(age, 0);

	queue_mail("1@estd", "k1", "a@x", T0, T0);
	queue_mail("2@estd", "k2", "b@x", T0 + 30, T0 + 30);
	queue_mail("3@estd", "k3", "c@x", T0 + 60, T0 + 60);
	queue_mail("4@estd", "k4", "d@x", T0 + 90, T0 + 90);

	/* Newest first, without the messages. */
	ck_assert_int_eq(store_outbox_list(st, 0, &m, &n), 0);
	ck_assert_uint_eq(n, 4);
	for (i = 0; i < 4; i++) {
		id[3 - i] = m[i].id;
		ck_assert_ptr_null(m[i].data);
		ck_assert_uint_eq(m[i].len, 0);
	}
	ck_assert_str_eq(m[0].message_id, "4@estd");
	ck_assert_str_eq(m[3].message_id, "1@estd");
	store_outbox_free(m, n);
	ck_assert_int_eq(store_outbox_list(st, 2, &m, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(m[0].message_id, "4@estd");
	ck_assert_str_eq(m[1].message_id, "3@estd");
	store_outbox_free(m, n);

	/* 1 sending (the oldest), 2 sent, 3 failed, 4 queued. */
	ck_assert_int_eq(store_outbox_lease(st, id[0], T0 + 1000), 0);
	ck_assert_int_eq(
	    store_outbox_result(st, id[1], OUTBOX_SENT, T0 + 40, 0, NULL), 0);
	ck_assert_int_eq(
	    store_outbox_result(st, id[2], OUTBOX_FAILED, T0 + 70, 0, "550"),
	    0);
	ck_assert_int_eq(store_outbox_counts(st, T0 + 100, counts, &age), 0);
	ck_assert_int_eq(counts[OUTBOX_QUEUED], 1);
	ck_assert_int_eq(counts[OUTBOX_SENDING], 1);
	ck_assert_int_eq(counts[OUTBOX_SENT], 1);
	ck_assert_int_eq(counts[OUTBOX_FAILED], 1);
	/* A mail being sent is not delivered yet either. */
	ck_assert_int_eq(age, 100);

	ck_assert_int_eq(
	    store_outbox_result(st, id[0], OUTBOX_SENT, T0 + 110, 0, NULL), 0);
	ck_assert_int_eq(store_outbox_counts(st, T0 + 200, counts, &age), 0);
	ck_assert_int_eq(counts[OUTBOX_QUEUED], 1);
	ck_assert_int_eq(counts[OUTBOX_SENDING], 0);
	ck_assert_int_eq(counts[OUTBOX_SENT], 2);
	ck_assert_int_eq(age, 110);
	/* A clock behind the mail gives no negative age. */
	ck_assert_int_eq(store_outbox_counts(st, T0, counts, &age), 0);
	ck_assert_int_eq(age, 0);

	ck_assert_int_eq(
	    store_outbox_result(st, id[3], OUTBOX_SENT, T0 + 210, 0, NULL), 0);
	ck_assert_int_eq(store_outbox_counts(st, T0 + 300, counts, &age), 0);
	ck_assert_int_eq(counts[OUTBOX_QUEUED], 0);
	ck_assert_int_eq(counts[OUTBOX_SENT], 3);
	ck_assert_int_eq(counts[OUTBOX_FAILED], 1);
	ck_assert_int_eq(age, 0);
}
END_TEST

START_TEST(test_jobs)
{
	struct store *rd;
	char *cause = NULL;

	ck_assert_int_eq(store_job_done(st, "digest", "2026-W47"), 0);
	ck_assert_int_eq(store_job_mark(st, "digest", "2026-W47", T0), 0);
	ck_assert_int_eq(store_job_done(st, "digest", "2026-W47"), 1);
	/* Marking again is harmless. */
	ck_assert_int_eq(store_job_mark(st, "digest", "2026-W47", T0 + 5), 0);
	ck_assert_int_eq(store_job_done(st, "digest", "2026-W47"), 1);
	ck_assert_int_eq(store_job_done(st, "digest", "2026-W48"), 0);
	ck_assert_int_eq(store_job_done(st, "reminder", "2026-W47"), 0);
	ck_assert_int_eq(store_job_mark(st, "", "2026-W47", T0), -1);
	ck_assert_int_eq(store_job_mark(st, "digest", "", T0), -1);

	/* Undone with the caller's transaction. */
	ck_assert_int_eq(store_begin(st), 0);
	ck_assert_int_eq(store_job_mark(st, "flags", "2026-W47", T0), 0);
	ck_assert_int_eq(store_job_done(st, "flags", "2026-W47"), 1);
	store_rollback(st);
	ck_assert_int_eq(store_job_done(st, "flags", "2026-W47"), 0);

	/* Readers see it; they cannot mark. */
	ck_assert_ptr_nonnull(rd = store_open(dbpath, STORE_READER, &cause));
	ck_assert_int_eq(store_job_done(rd, "digest", "2026-W47"), 1);
	ck_assert_int_eq(store_job_mark(rd, "digest", "2026-W49", T0), -1);
	store_close(rd);
}
END_TEST

static const char csrf1[] =
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
static const char csrf2[] =
    "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

START_TEST(test_sessions)
{
	struct session se;
	unsigned char h1[TOKEN_HASH_LEN], h2[TOKEN_HASH_LEN];
	unsigned char h3[TOKEN_HASH_LEN], h4[TOKEN_HASH_LEN];
	char upper[65];
	long long anna, bert, kim;

	populate(&anna, &bert);
	kim = add_person("Kim Berg", "kim@polisen.se", ROLE_KEYFUNCTION, NULL,
	    1, "kim-token");
	hash_of("session-1", h1);
	hash_of("session-2", h2);
	hash_of("session-3", h3);
	hash_of("session-4", h4);

	ck_assert_int_eq(store_session_create(st, h1, kim, csrf1, T0), 0);
	ck_assert_int_eq(store_session_create(st, h2, kim, csrf2, T0 + 10), 0);
	ck_assert_int_eq(store_session_create(st, h3, anna, csrf1, T0 + 20), 0);
	memset(&se, 0xff, sizeof(se));
	ck_assert_int_eq(store_session_get(st, h1, &se), 0);
	ck_assert_int_eq(se.person_id, kim);
	ck_assert_int_eq(se.created, T0);
	ck_assert_int_eq(se.last_seen, T0);
	ck_assert_str_eq(se.csrf, csrf1);
	ck_assert_int_eq(store_session_get(st, h2, &se), 0);
	ck_assert_str_eq(se.csrf, csrf2);
	ck_assert_int_eq(store_session_get(st, h4, &se), -1);
	ck_assert_int_eq(se.person_id, 0);

	/* Refused: a hash in use, nobody, a token that is not hex. */
	ck_assert_int_eq(store_session_create(st, h1, anna, csrf2, T0), -1);
	ck_assert_int_eq(store_session_create(st, h4, 999, csrf1, T0), -1);
	snprintf(upper, sizeof(upper), "%s", csrf1);
	upper[10] = 'A';
	ck_assert_int_eq(store_session_create(st, h4, kim, upper, T0), -1);
	ck_assert_int_eq(store_session_create(st, h4, kim, "abc", T0), -1);
	ck_assert_int_eq(store_session_get(st, h4, &se), -1);

	/* Use moves last_seen, never created. */
	ck_assert_int_eq(store_session_touch(st, h1, T0 + 100), 0);
	ck_assert_int_eq(store_session_get(st, h1, &se), 0);
	ck_assert_int_eq(se.created, T0);
	ck_assert_int_eq(se.last_seen, T0 + 100);
	ck_assert_int_eq(store_session_touch(st, h4, T0 + 100), -1);

	/* Idle since before T0 + 50: h2 and h3 go, h1 stays. */
	ck_assert_int_eq(store_session_expire(st, T0 + 50, T0 - 1000), 0);
	ck_assert_int_eq(store_session_get(st, h1, &se), 0);
	ck_assert_int_eq(store_session_get(st, h2, &se), -1);
	ck_assert_int_eq(store_session_get(st, h3, &se), -1);
	/* Too old however busy: created before T0 + 1. */
	ck_assert_int_eq(store_session_expire(st, T0 - 1000, T0), 0);
	ck_assert_int_eq(store_session_get(st, h1, &se), 0);
	ck_assert_int_eq(store_session_expire(st, T0 - 1000, T0 + 1), 0);
	ck_assert_int_eq(store_session_get(st, h1, &se), -1);

	/* Logout, twice. */
	ck_assert_int_eq(store_session_create(st, h4, bert, csrf2, T0), 0);
	ck_assert_int_eq(store_session_delete(st, h4), 0);
	ck_assert_int_eq(store_session_get(st, h4, &se), -1);
	ck_assert_int_eq(store_session_delete(st, h4), 0);

	/* Every session of one person, and only theirs. */
	ck_assert_int_eq(store_session_create(st, h1, kim, csrf1, T0), 0);
	ck_assert_int_eq(store_session_create(st, h2, kim, csrf1, T0), 0);
	ck_assert_int_eq(store_session_create(st, h3, anna, csrf1, T0), 0);
	ck_assert_int_eq(store_session_delete_person(st, kim), 0);
	ck_assert_int_eq(store_session_get(st, h1, &se), -1);
	ck_assert_int_eq(store_session_get(st, h2, &se), -1);
	ck_assert_int_eq(store_session_get(st, h3, &se), 0);
	ck_assert_int_eq(se.person_id, anna);
	ck_assert_int_eq(store_session_delete_person(st, kim), 0);
}
END_TEST

START_TEST(test_sessions_end_with_link)
{
	struct session se;
	unsigned char h1[TOKEN_HASH_LEN], h2[TOKEN_HASH_LEN];
	unsigned char h3[TOKEN_HASH_LEN], th[TOKEN_HASH_LEN];
	char *cause = NULL;
	long long anna, bert, kim;

	populate(&anna, &bert);
	kim = add_person("Kim Berg", "kim@polisen.se", ROLE_KEYFUNCTION, NULL,
	    1, "kim-token");
	hash_of("session-1", h1);
	hash_of("session-2", h2);
	hash_of("session-3", h3);
	ck_assert_int_eq(store_session_create(st, h1, kim, csrf1, T0), 0);
	ck_assert_int_eq(store_session_create(st, h2, kim, csrf2, T0), 0);
	ck_assert_int_eq(store_session_create(st, h3, anna, csrf1, T0), 0);

	/* A relink that fails (the token is Anna's) ends nothing. */
	hash_of("anna-token", th);
	ck_assert_int_eq(store_person_set_token(st, kim, th, &cause), -1);
	ck_assert_str_eq(cause, "cannot change person: the token is in use");
	free(cause);
	cause = NULL;
	ck_assert_int_eq(store_session_get(st, h1, &se), 0);
	ck_assert_int_eq(store_session_get(st, h2, &se), 0);

	/* A new link logs Kim out everywhere, nobody else. */
	hash_of("kim-token-2", th);
	ck_assert_msg(
	    store_person_set_token(st, kim, th, &cause) == 0, "%s", cause);
	ck_assert_int_eq(store_session_get(st, h1, &se), -1);
	ck_assert_int_eq(store_session_get(st, h2, &se), -1);
	ck_assert_int_eq(store_session_get(st, h3, &se), 0);

	/* Disabling Anna ends hers, also inside a transaction undone. */
	ck_assert_int_eq(store_begin(st), 0);
	ck_assert_int_eq(store_person_disable(st, anna, &cause), 0);
	ck_assert_int_eq(store_session_get(st, h3, &se), -1);
	store_rollback(st);
	ck_assert_int_eq(store_session_get(st, h3, &se), 0);
	ck_assert_int_eq(store_person_disable(st, anna, &cause), 0);
	ck_assert_int_eq(store_session_get(st, h3, &se), -1);
	ck_assert_ptr_null(cause);
}
END_TEST

/* ---- Schema version 4: the audit chain, its purge, and retention. */

#define GENESIS                                                                \
	"0000000000000000000000000000000000000000000000000000000000000000"
/* Worked out by hand from the serialisation in store.c (sha256sum). */
#define HASH1 "c618be9784e482852516f52bafdfdf61c2214f7354d80ce6283bd3c8e599dcac"
#define HASH2 "37f33bb244cbf8765f46e24144f7266c0cc09ae3b24ec3b1a0a97c3e0da24218"
#define HASH3 "5a27e41994c16288621b3c9cbac29b906f1f143c93c6eb348e76408d054ba93f"

#define MAXROWS 16

/* The log as store_audit_export hands it out. */
struct audit_rows {
	size_t n;
	long long id[MAXROWS];
	time_t at[MAXROWS];
	char actor[MAXROWS][64];
	char action[MAXROWS][64];
	char detail[MAXROWS][64]; /* "(null)" for none */
	char prev[MAXROWS][65];
	char hash[MAXROWS][65];
};

static int
collect(const struct audit_entry *e, void *arg)
{
	struct audit_rows *r = arg;

	ck_assert_uint_lt(r->n, MAXROWS);
	r->id[r->n] = e->id;
	r->at[r->n] = e->at;
	snprintf(r->actor[r->n], 64, "%s", e->actor);
	snprintf(r->action[r->n], 64, "%s", e->action);
	snprintf(r->detail[r->n], 64, "%s",
	    e->detail != NULL ? e->detail : "(null)");
	snprintf(r->prev[r->n], 65, "%s", e->prev_hash);
	snprintf(r->hash[r->n], 65, "%s", e->hash);
	r->n++;
	return 0;
}

static void
read_log(struct store *s, time_t since, struct audit_rows *r)
{
	memset(r, 0, sizeof(*r));
	ck_assert_int_eq(store_audit_export(s, since, collect, r), 0);
}

/* raw_sql_at on the test's file. */
static char *
raw_sql(const char *sql)
{
	return raw_sql_at(dbpath, sql);
}

static void
raw_ok(const char *sql)
{
	char *err = raw_sql(sql);

	ck_assert_msg(err == NULL, "%s: %s", sql, err);
}

static void
raw_refused(const char *sql, const char *want)
{
	char *err = raw_sql(sql);

	ck_assert_msg(err != NULL, "%s: accepted", sql);
	ck_assert_str_eq(err, want);
	sqlite3_free(err);
}

/* The documented hash, computed here on its own, into out[65]. */
static void
entry_hash(long long id, long long at, const char *actor, const char *action,
    const char *detail, const char *prev, char *out)
{
	const char *parts[7];
	char sid[24], sat[24], *m = NULL, *next;
	unsigned char h[TOKEN_HASH_LEN];
	size_t i;

	snprintf(sid, sizeof(sid), "%lld", id);
	snprintf(sat, sizeof(sat), "%lld", at);
	parts[0] = "estd-audit-1";
	parts[1] = sid;
	parts[2] = sat;
	parts[3] = actor;
	parts[4] = action;
	parts[5] = detail != NULL ? detail : "";
	parts[6] = prev;
	for (i = 0; i < 7; i++) {
		xasprintf(&next, "%s%zu:%s,", m != NULL ? m : "",
		    strlen(parts[i]), parts[i]);
		free(m);
		m = next;
	}
	token_sha256(m, strlen(m), h);
	free(m);
	for (i = 0; i < TOKEN_HASH_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", h[i]);
}

/* The three entries whose hashes are HASH1..3. */
static void
three_entries(void)
{
	ck_assert_int_eq(
	    store_audit_at(st, T0, "estctl", "area.add", "norr"), 0);
	ck_assert_int_eq(store_audit_at(st, T0 + 60, "anna@example.org",
			     "session.start", NULL),
	    0);
	ck_assert_int_eq(store_audit_at(st, T0 + 120, "estd", "digest.queue",
			     "\xc3\x96stra torget"),
	    0);
}

static void
expect_intact(long long want)
{
	long long checked = -1, bad = -1;
	char *cause = NULL;

	ck_assert_msg(store_audit_verify(st, &checked, &bad, &cause) == 0,
	    "entry %lld: %s", bad, cause);
	ck_assert_int_eq(checked, want);
	ck_assert_int_eq(bad, 0);
	ck_assert_ptr_null(cause);
}

static void
expect_broken(long long want_id, const char *want_cause)
{
	long long checked = -1, bad = -1;
	char *cause = NULL;

	ck_assert_int_eq(store_audit_verify(st, &checked, &bad, &cause), -1);
	ck_assert_int_eq(bad, want_id);
	ck_assert_str_eq(cause, want_cause);
	free(cause);
}

START_TEST(test_audit_chain)
{
	struct audit_rows r;
	char h[65], head[65];
	long long id, anchor;

	/* An empty log is intact and starts from the genesis anchor. */
	expect_intact(0);
	ck_assert_int_eq(store_audit_head(st, &id, head, &anchor), 0);
	ck_assert_int_eq(id, 0);
	ck_assert_str_eq(head, GENESIS);
	ck_assert_int_eq(anchor, 0);

	three_entries();
	read_log(st, 0, &r);
	ck_assert_uint_eq(r.n, 3);
	ck_assert_int_eq(r.id[0], 1);
	ck_assert_int_eq(r.at[0], T0);
	ck_assert_str_eq(r.actor[0], "estctl");
	ck_assert_str_eq(r.action[0], "area.add");
	ck_assert_str_eq(r.detail[0], "norr");
	ck_assert_str_eq(r.prev[0], GENESIS);
	ck_assert_str_eq(r.hash[0], HASH1);
	ck_assert_int_eq(r.id[1], 2);
	ck_assert_str_eq(r.detail[1], "(null)");
	ck_assert_str_eq(r.prev[1], HASH1);
	ck_assert_str_eq(r.hash[1], HASH2);
	ck_assert_int_eq(r.id[2], 3);
	ck_assert_str_eq(r.detail[2], "\xc3\x96stra torget");
	ck_assert_str_eq(r.prev[2], HASH2);
	ck_assert_str_eq(r.hash[2], HASH3);
	/* The test's own implementation of the format agrees. */
	entry_hash(3, T0 + 120, "estd", "digest.queue", "\xc3\x96stra torget",
	    HASH2, h);
	ck_assert_str_eq(h, HASH3);
	expect_intact(3);
	ck_assert_int_eq(store_audit_head(st, &id, head, &anchor), 0);
	ck_assert_int_eq(id, 3);
	ck_assert_str_eq(head, HASH3);

	/* Since: entries stamped at or after the instant. */
	read_log(st, T0 + 60, &r);
	ck_assert_uint_eq(r.n, 2);
	ck_assert_int_eq(r.id[0], 2);

	/* An entry of a rolled-back transaction leaves no trace. */
	ck_assert_int_eq(store_begin(st), 0);
	ck_assert_int_eq(
	    store_audit_at(st, T0 + 180, "estctl", "area.add", "syd"), 0);
	store_rollback(st);
	ck_assert_int_eq(store_audit(st, "estctl", "area.add", "väst"), 0);
	read_log(st, 0, &r);
	ck_assert_uint_eq(r.n, 4);
	ck_assert_int_eq(r.id[3], 4);
	ck_assert_str_eq(r.detail[3], "v\xc3\xa4st");
	ck_assert_str_eq(r.prev[3], HASH3);
	entry_hash(4, r.at[3], "estctl", "area.add", "v\xc3\xa4st", HASH3, h);
	ck_assert_str_eq(r.hash[3], h);
	expect_intact(4);

	/* A reader connection verifies too. */
	store_close(st);
	ck_assert_ptr_nonnull(st = store_open(dbpath, STORE_READER, NULL));
	expect_intact(4);
}
END_TEST

START_TEST(test_audit_append_only)
{
	three_entries();
	raw_refused("UPDATE audit SET detail = 'syd' WHERE id = 1",
	    "the audit log is append-only");
	raw_refused(
	    "DELETE FROM audit WHERE id = 3", "the audit log is append-only");
	raw_refused("DELETE FROM audit", "the audit log is append-only");
	raw_refused(
	    "INSERT INTO audit (at, actor, action) VALUES (1, 'x', 'y')",
	    "an audit entry must be chained to the log");
	raw_refused("INSERT INTO audit (id, at, actor, action, prev_hash, hash)"
		    " VALUES (4, 1, 'x', 'y', '" HASH3 "', 'abc')",
	    "an audit entry must be chained to the log");
	/* The anchor moves only forward, onto an entry, and stays. */
	raw_refused("UPDATE audit_anchor SET last_id = 2, hash = '" HASH1 "'",
	    "the audit anchor only moves forward, onto an entry of the log");
	raw_refused("UPDATE audit_anchor SET last_id = 9, hash = '" HASH1 "'",
	    "the audit anchor only moves forward, onto an entry of the log");
	raw_refused("DELETE FROM audit_anchor", "the audit log is append-only");
	expect_intact(3);
}
END_TEST

START_TEST(test_audit_tamper)
{
	char sql[512], h[65];

	three_entries();
	/* Someone with the file drops the trigger and edits an entry. */
	raw_ok("DROP TRIGGER audit_no_update;"
	       "UPDATE audit SET detail = 'syd' WHERE id = 2");
	expect_broken(2,
	    "its content does not match its hash: it was "
	    "changed after it was written");

	/* Rewriting its hash as well shows at the next entry. */
	entry_hash(
	    2, T0 + 60, "anna@example.org", "session.start", "syd", HASH1, h);
	snprintf(
	    sql, sizeof(sql), "UPDATE audit SET hash = '%s' WHERE id = 2", h);
	raw_ok(sql);
	expect_broken(3,
	    "it does not follow entry 2: an entry between them "
	    "was removed, or entry 2 was changed and its hash rewritten");

	/* Put back: intact again. */
	raw_ok(
	    "UPDATE audit SET detail = NULL, hash = '" HASH2 "' WHERE id = 2");
	expect_intact(3);

	/* Reordering (a changed time) and a removed entry. */
	raw_ok("UPDATE audit SET at = at - 1 WHERE id = 3");
	expect_broken(3,
	    "its content does not match its hash: it was "
	    "changed after it was written");
	raw_ok("UPDATE audit SET at = at + 1 WHERE id = 3;"
	       "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE id = 2");
	expect_broken(3,
	    "it does not follow entry 1: an entry between them "
	    "was removed, or entry 1 was changed and its hash rewritten");
	raw_ok("DELETE FROM audit WHERE id = 1");
	expect_broken(3,
	    "it does not start the log: entries before it were "
	    "removed");
}
END_TEST

START_TEST(test_audit_purge)
{
	struct audit_rows r;
	char *cause = NULL, head[65];
	long long purged = -1, id, anchor;

	/* Stamped 1000, 900, 10, 800 days before T0 + 1000 days. */
	ck_assert_int_eq(store_audit_at(st, T0, "estctl", "a", "1"), 0);
	ck_assert_int_eq(
	    store_audit_at(st, T0 + 100 * 86400, "estctl", "a", "2"), 0);
	ck_assert_int_eq(
	    store_audit_at(st, T0 + 990 * 86400, "estctl", "a", "3"), 0);
	ck_assert_int_eq(
	    store_audit_at(st, T0 + 200 * 86400, "estctl", "a", "4"), 0);
	read_log(st, 0, &r);
	ck_assert_uint_eq(r.n, 4);

	/* Nothing that old: nothing removed. */
	ck_assert_int_eq(
	    store_audit_purge(st, T0 - 1, T0 + 1000 * 86400, &purged, &cause),
	    0);
	ck_assert_int_eq(purged, 0);
	/* Older than a year: 1 and 2; 4 is old too but follows 3. */
	ck_assert_msg(store_audit_purge(st, T0 + 635 * 86400, T0 + 1000 * 86400,
			  &purged, &cause) == 0,
	    "%s", cause);
	ck_assert_int_eq(purged, 2);
	read_log(st, 0, &r);
	ck_assert_uint_eq(r.n, 2);
	ck_assert_int_eq(r.id[0], 3);
	ck_assert_int_eq(r.id[1], 4);
	expect_intact(2);
	ck_assert_int_eq(store_audit_head(st, &id, head, &anchor), 0);
	ck_assert_int_eq(id, 4);
	ck_assert_str_eq(head, r.hash[1]);
	ck_assert_int_eq(anchor, 2);
	/* Again: nothing more to do. */
	ck_assert_int_eq(store_audit_purge(st, T0 + 635 * 86400,
			     T0 + 1000 * 86400, &purged, &cause),
	    0);
	ck_assert_int_eq(purged, 0);

	/* The log goes on from the anchor; ids are never reused. */
	ck_assert_int_eq(store_audit_at(st, T0 + 1000 * 86400, "estd",
			     "retention", "removed 2"),
	    0);
	read_log(st, 0, &r);
	ck_assert_uint_eq(r.n, 3);
	ck_assert_int_eq(r.id[2], 5);
	expect_intact(3);

	/* Everything: the next entry follows the anchor of entry 5. */
	ck_assert_int_eq(store_audit_purge(st, T0 + 2000 * 86400,
			     T0 + 2000 * 86400, &purged, &cause),
	    0);
	ck_assert_int_eq(purged, 3);
	expect_intact(0);
	ck_assert_int_eq(store_audit_head(st, &id, head, &anchor), 0);
	ck_assert_int_eq(id, 5);
	ck_assert_int_eq(anchor, 5);
	ck_assert_int_eq(store_audit_at(st, T0, "estctl", "a", "6"), 0);
	read_log(st, 0, &r);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_int_eq(r.id[0], 6);
	ck_assert_str_eq(r.prev[0], head);
	expect_intact(1);

	/* Removing the entry after the anchor shows at the next one. */
	ck_assert_int_eq(store_audit_at(st, T0, "estctl", "a", "7"), 0);
	raw_ok("DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE id = 6");
	expect_broken(7,
	    "it does not follow the anchor left by the last purge "
	    "(entry 5): entries before it were removed");
}
END_TEST

/* A purge never removes the evidence of a break. */
START_TEST(test_audit_purge_broken)
{
	char *cause = NULL;
	long long purged = -1;

	three_entries();
	raw_ok("DROP TRIGGER audit_no_update;"
	       "UPDATE audit SET actor = 'nobody' WHERE id = 1");
	ck_assert_int_eq(
	    store_audit_purge(st, T0 + 86400, T0 + 86400, &purged, &cause), -1);
	ck_assert_int_eq(purged, 0);
	ck_assert_str_eq(cause,
	    "the audit log is broken at entry 1: its "
	    "content does not match its hash: it was changed after it was "
	    "written; nothing was purged");
	free(cause);
	expect_broken(1,
	    "its content does not match its hash: it was changed "
	    "after it was written");
	ck_assert_int_eq(store_audit_at(st, T0 + 180, "estctl", "a", "b"), 0);
}
END_TEST

/* Entries written before version 4 are chained by the migration. */
START_TEST(test_audit_migrate_v3)
{
	struct audit_rows r;
	long long checked, bad;
	char h[65], *cause = NULL;

	/* raw_sql below works on dbpath. */
	snprintf(dbpath, sizeof(dbpath), "%s/v3.db", dir);
	store_close(st);
	ck_assert_ptr_nonnull(st = store_open(dbpath, STORE_WRITER, &cause));
	ck_assert_msg(store_migrate_to(st, 3, &cause) == 0, "%s", cause);
	/* Written as estd 0.1 wrote them: no hashes. */
	three_entries();
	ck_assert_int_eq(store_audit_verify(st, &checked, &bad, &cause), -1);
	ck_assert_int_eq(bad, 0);
	ck_assert_str_eq(cause,
	    "the database has schema version 3; the "
	    "audit log is chained from version 4 on (run \"estctl init\")");
	free(cause);
	cause = NULL;

	ck_assert_msg(store_migrate(st, &cause) == 0, "%s", cause);
	ck_assert_int_eq(store_schema_version(st), store_schema_latest());
	read_log(st, 0, &r);
	ck_assert_uint_eq(r.n, 3);
	/* The same chain as entries written by version 4. */
	ck_assert_str_eq(r.prev[0], GENESIS);
	ck_assert_str_eq(r.hash[0], HASH1);
	ck_assert_str_eq(r.hash[1], HASH2);
	ck_assert_str_eq(r.hash[2], HASH3);
	ck_assert_int_eq(store_audit_verify(st, &checked, &bad, &cause), 0);
	ck_assert_int_eq(checked, 3);
	ck_assert_int_eq(store_audit_at(st, T0 + 180, "estctl", "db.migrate",
			     "schema 3 to 4"),
	    0);
	read_log(st, 0, &r);
	entry_hash(
	    4, T0 + 180, "estctl", "db.migrate", "schema 3 to 4", HASH3, h);
	ck_assert_str_eq(r.hash[3], h);
	/* The triggers came with it. */
	raw_refused(
	    "DELETE FROM audit WHERE id = 1", "the audit log is append-only");
}
END_TEST

/* More entries than one batch of the migration. */
START_TEST(test_audit_migrate_many)
{
	long long checked, bad;
	char path[160], d[16], *cause = NULL;
	int i;

	snprintf(path, sizeof(path), "%s/v3.db", dir);
	store_close(st);
	ck_assert_ptr_nonnull(st = store_open(path, STORE_WRITER, &cause));
	ck_assert_int_eq(store_migrate_to(st, 3, &cause), 0);
	ck_assert_int_eq(store_begin(st), 0);
	for (i = 0; i < 600; i++) {
		snprintf(d, sizeof(d), "%d", i);
		ck_assert_int_eq(
		    store_audit_at(st, T0 + i, "estctl", "x", d), 0);
	}
	ck_assert_int_eq(store_commit(st), 0);
	ck_assert_int_eq(store_migrate(st, &cause), 0);
	ck_assert_int_eq(store_audit_verify(st, &checked, &bad, &cause), 0);
	ck_assert_int_eq(checked, 600);
}
END_TEST

START_TEST(test_retention_erase)
{
	struct report r;
	struct report_saved old, kept;
	struct stored_report got;
	long long anna, bert;
	long reports = -1, revisions = -1, cut;
	char *body, *cause = NULL;

	populate(&anna, &bert);
	/* 2024-W40 with text in both revisions; 2024-W41 without text. */
	mkreport(&r, "norr", "2024-W40");
	r.ratings[KLOTTER] = 2;
	r.place = strdup("Skolgården");
	r.note = strdup("Sprayat på väggen");
	old = save(anna, &r, "import");
	report_clear(&r);
	mkreport(&r, "norr", "2024-W40");
	r.ratings[KLOTTER] = 3;
	r.counts[KLOTTER] = 4;
	r.note = strdup("Mer i dag");
	save(anna, &r, "import");
	report_clear(&r);
	mkreport(&r, "centrum", "2024-W41");
	r.ratings[BRAND] = 1;
	save(bert, &r, "import");
	report_clear(&r);
	/* Recent: kept whole. */
	mkreport(&r, "norr", "2026-W47");
	r.ratings[KLOTTER] = 1;
	r.place = strdup("Torget");
	kept = save(anna, &r, "form");
	report_clear(&r);

	/* Periods starting before 2025-01-01. */
	cut = period_days_from_civil(2025, 1, 1);
	ck_assert_msg(store_retention_erase(
			  st, cut, T0, &reports, &revisions, &cause) == 0,
	    "%s", cause);
	ck_assert_int_eq(reports, 1);
	ck_assert_int_eq(revisions, 2);

	mkreport(&r, "norr", "2024-W40");
	ck_assert_int_eq(
	    store_report_get(st, anna, "norr", &r.period, &cl3, &got), 0);
	ck_assert_ptr_null(got.report.place);
	ck_assert_ptr_null(got.report.note);
	/* Ratings and counts stay, for trends. */
	ck_assert_int_eq(got.report.ratings[KLOTTER], 3);
	ck_assert_int_eq(got.report.counts[KLOTTER], 4);
	ck_assert_int_eq(got.revision, 2);
	store_stored_report_clear(&got);
	report_clear(&r);
	body = store_report_revision(st, old.id, 1);
	ck_assert_str_eq(body,
	    "{\"area\":\"norr\",\"period\":\"2024-W40\","
	    "\"ratings\":{\"klotter\":2},\"counts\":{},\"place\":null,"
	    "\"note\":null,\"nothing\":false}");
	free(body);
	body = store_report_revision(st, old.id, 2);
	ck_assert_str_eq(body,
	    "{\"area\":\"norr\",\"period\":\"2024-W40\","
	    "\"ratings\":{\"klotter\":3},\"counts\":{\"klotter\":4},"
	    "\"place\":null,\"note\":null,\"nothing\":false}");
	free(body);
	body = store_report_revision(st, kept.id, 1);
	ck_assert_ptr_nonnull(strstr(body, "\"place\":\"Torget\""));
	free(body);

	/* Daily runs find nothing more. */
	ck_assert_int_eq(store_retention_erase(
			     st, cut, T0 + 86400, &reports, &revisions, &cause),
	    0);
	ck_assert_int_eq(reports, 0);
	ck_assert_int_eq(revisions, 0);

	/* A new revision of an old report brings text: erased next time. */
	mkreport(&r, "norr", "2024-W40");
	r.ratings[KLOTTER] = 1;
	r.note = strdup("Rättelse");
	save(anna, &r, "import");
	report_clear(&r);
	ck_assert_int_eq(store_retention_erase(st, cut, T0 + 2 * 86400,
			     &reports, &revisions, &cause),
	    0);
	ck_assert_int_eq(reports, 1);
	ck_assert_int_eq(revisions, 1);
	body = store_report_revision(st, old.id, 3);
	ck_assert_str_eq(body,
	    "{\"area\":\"norr\",\"period\":\"2024-W40\","
	    "\"ratings\":{\"klotter\":1},\"counts\":{},\"place\":null,"
	    "\"note\":null,\"nothing\":false}");
	free(body);

	/* Undone with the caller's transaction. */
	mkreport(&r, "norr", "2026-W47");
	ck_assert_int_eq(store_begin(st), 0);
	ck_assert_int_eq(store_retention_erase(
			     st, cut + 1000, T0, &reports, &revisions, &cause),
	    0);
	ck_assert_int_eq(reports, 1);
	store_rollback(st);
	ck_assert_int_eq(
	    store_report_get(st, anna, "norr", &r.period, &cl3, &got), 0);
	ck_assert_str_eq(got.report.place, "Torget");
	store_stored_report_clear(&got);
	report_clear(&r);
	ck_assert_ptr_null(cause);
}
END_TEST

START_TEST(test_job_last)
{
	time_t at = 0;

	ck_assert_int_eq(store_job_last(st, "backup", &at), 0);
	ck_assert_int_eq(
	    store_job_mark(st, "backup", "estd-20261118-090000.db", T0), 0);
	ck_assert_int_eq(
	    store_job_mark(st, "backup", "estd-20261118-150000.db", T0 + 21600),
	    0);
	ck_assert_int_eq(
	    store_job_mark(st, "retention", "2026-11-19", T0 + 90000), 0);
	ck_assert_int_eq(store_job_last(st, "backup", &at), 1);
	ck_assert_int_eq(at, T0 + 21600);
}
END_TEST

/* A notice of the police API, strings borrowed. */
static struct police_notice
notice(long long id, time_t at, const char *summary, const char *gps)
{
	struct police_notice p;

	memset(&p, 0, sizeof(p));
	p.id = id;
	p.at = at;
	p.datetime = (char *)(uintptr_t) "2026-11-20 8:05:00 +01:00";
	p.name = (char *)(uintptr_t) "20 november 07.40, St\xc3\xb6ld, "
				     "\xc3\x96rebro";
	p.summary = (char *)(uintptr_t)summary;
	p.url = (char *)(uintptr_t) "https://polisen.se/a/";
	p.type = (char *)(uintptr_t) "St\xc3\xb6ld";
	p.location = (char *)(uintptr_t) "\xc3\x96rebro";
	p.gps = (char *)(uintptr_t)gps;
	return p;
}

START_TEST(test_police_notices)
{
	struct police_notice p, *l = NULL;
	enum police_change ch;
	size_t n = 0;

	p = notice(612685, T0, "Misst\xc3\xa4nkt st\xc3\xb6ld.", NULL);
	ck_assert_int_eq(store_police_upsert(st, &p, T0 + 5, &ch), 0);
	ck_assert_int_eq(ch, POLICE_NEW);
	ck_assert_int_eq(store_police_upsert(st, &p, T0 + 65, &ch), 0);
	ck_assert_int_eq(ch, POLICE_SAME);
	/* An update: new text, a position, a later datetime. */
	p = notice(
	    612685, T0 + 600, "Uppdatering: tv\xc3\xa5 gripna.", "59.27,15.20");
	ck_assert_int_eq(store_police_upsert(st, &p, T0 + 125, &ch), 0);
	ck_assert_int_eq(ch, POLICE_UPDATED);
	p = notice(612686, T0 + 3600, "", NULL);
	ck_assert_int_eq(store_police_upsert(st, &p, T0 + 125, &ch), 0);
	ck_assert_int_eq(ch, POLICE_NEW);
	p = notice(612680, T0 + 600, "B", NULL);
	ck_assert_int_eq(store_police_upsert(st, &p, T0 + 125, &ch), 0);

	/* [from, to): from included, to not; by date, then id. */
	ck_assert_int_eq(store_police_list(st, T0 + 600, T0 + 3600, &l, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(l[0].id, 612680);
	ck_assert_int_eq(l[1].id, 612685);
	ck_assert_int_eq(l[1].at, T0 + 600);
	ck_assert_str_eq(l[1].summary, "Uppdatering: tv\xc3\xa5 gripna.");
	ck_assert_str_eq(l[1].gps, "59.27,15.20");
	ck_assert_str_eq(l[1].type, "St\xc3\xb6ld");
	ck_assert_str_eq(l[1].location, "\xc3\x96rebro");
	ck_assert_str_eq(l[1].url, "https://polisen.se/a/");
	ck_assert_str_eq(l[1].datetime, "2026-11-20 8:05:00 +01:00");
	ck_assert_int_eq(l[1].revision, 2);
	ck_assert_int_eq(l[1].first_seen, T0 + 5);
	ck_assert_int_eq(l[1].updated, T0 + 125);
	ck_assert_int_eq(l[0].revision, 1);
	store_police_free(l, n);
	ck_assert_int_eq(
	    store_police_list(st, T0 + 3601, T0 + 7200, &l, &n), 0);
	ck_assert_uint_eq(n, 0);
	store_police_free(l, n);
	ck_assert_int_eq(store_police_list(st, 0, T0 + 7200, &l, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(l[2].summary, "");
	ck_assert_ptr_null(l[2].gps);
	store_police_free(l, n);
}
END_TEST

START_TEST(test_police_state)
{
	struct police_state ps, got;

	ck_assert_int_eq(store_police_state_get(st, &got), 0);
	ck_assert_ptr_null(got.url);
	ck_assert_ptr_null(got.etag);
	ck_assert_int_eq(got.last_attempt, 0);
	ck_assert_int_eq(got.not_before, 0);
	store_police_state_clear(&got);

	memset(&ps, 0, sizeof(ps));
	ps.url = (char *)(uintptr_t) "https://polisen.se/api/events?"
				     "locationname=%C3%96rebro";
	ps.etag = (char *)(uintptr_t) "\"v1\"";
	ps.last_attempt = T0;
	ps.last_success = T0;
	ck_assert_int_eq(store_police_state_set(st, &ps), 0);
	/* A 429: the error and the Retry-After; the validators stay. */
	ps.last_attempt = T0 + 60;
	ps.not_before = T0 + 660;
	ps.last_error = (char *)(uintptr_t) "the police answered 429";
	ck_assert_int_eq(store_police_state_set(st, &ps), 0);
	ck_assert_int_eq(store_police_state_get(st, &got), 0);
	ck_assert_str_eq(got.url, ps.url);
	ck_assert_str_eq(got.etag, "\"v1\"");
	ck_assert_ptr_null(got.last_modified);
	ck_assert_int_eq(got.last_attempt, T0 + 60);
	ck_assert_int_eq(got.last_success, T0);
	ck_assert_int_eq(got.not_before, T0 + 660);
	ck_assert_str_eq(got.last_error, "the police answered 429");
	store_police_state_clear(&got);
	ck_assert_ptr_null(got.url);
}
END_TEST

/* Queue a webhook delivery; *added of store_webhook_add. */
static int
queue_hook(const char *event_id, const char *webhook, const char *dedup,
    time_t created)
{
	struct webhook_row w;
	int added = -1;

	memset(&w, 0, sizeof(w));
	w.event_id = (char *)(uintptr_t)event_id;
	w.webhook = (char *)(uintptr_t)webhook;
	w.event = (char *)(uintptr_t) "flag.opened";
	w.dedup_key = (char *)(uintptr_t)dedup;
	w.body = (char *)(uintptr_t) "{\"id\":\"evt_1\"}";
	w.len = strlen(w.body);
	w.created = created;
	w.next_at = created;
	ck_assert_int_eq(store_webhook_add(st, &w, &added, NULL), 0);
	return added;
}

START_TEST(test_webhook_outbox)
{
	struct webhook_row *w = NULL, bad;
	size_t n = 0;
	long counts[4], oldest;
	long long a, b;
	char *cause = NULL;

	ck_assert_int_eq(
	    queue_hook("evt_1", "siem", "siem:flag.opened:x", T0), 1);
	ck_assert_int_eq(
	    queue_hook("evt_1", "chat", "chat:flag.opened:x", T0 + 10), 1);
	/* The same event for the same webhook again: nothing added. */
	ck_assert_int_eq(
	    queue_hook("evt_1", "siem", "siem:flag.opened:x", T0 + 20), 0);
	memset(&bad, 0, sizeof(bad));
	bad.event_id = (char *)(uintptr_t) "evt_2";
	ck_assert_int_eq(store_webhook_add(st, &bad, NULL, &cause), -1);
	ck_assert_str_eq(cause,
	    "cannot queue a webhook delivery: it has no "
	    "webhook");
	free(cause);

	ck_assert_int_eq(store_webhook_due(st, T0, 8, &w, &n), 0);
	ck_assert_uint_eq(n, 1);
	a = w[0].id;
	ck_assert_str_eq(w[0].event_id, "evt_1");
	ck_assert_str_eq(w[0].webhook, "siem");
	ck_assert_str_eq(w[0].event, "flag.opened");
	ck_assert_str_eq(w[0].dedup_key, "siem:flag.opened:x");
	ck_assert_uint_eq(w[0].len, 14);
	ck_assert_str_eq(w[0].body, "{\"id\":\"evt_1\"}");
	ck_assert_int_eq(w[0].state, OUTBOX_QUEUED);
	ck_assert_int_eq(w[0].attempts, 0);
	store_webhooks_free(w, n);
	ck_assert_int_eq(store_webhook_due(st, T0 + 10, 8, &w, &n), 0);
	ck_assert_uint_eq(n, 2);
	b = w[1].id;
	store_webhooks_free(w, n);

	/* Leased, refused with 503, due again at next_at. */
	ck_assert_int_eq(store_webhook_lease(st, a, T0 + 300), 0);
	ck_assert_int_eq(store_webhook_due(st, T0 + 10, 8, &w, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(w[0].id, b);
	store_webhooks_free(w, n);
	ck_assert_int_eq(store_webhook_result(st, a, OUTBOX_QUEUED, T0 + 1,
			     T0 + 31, 503, "HTTP 503"),
	    0);
	ck_assert_int_eq(store_webhook_due(st, T0 + 30, 1, &w, &n), 0);
	ck_assert_int_eq(w[0].id, b);
	store_webhooks_free(w, n);
	ck_assert_int_eq(store_webhook_due(st, T0 + 31, 8, &w, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(w[0].id, a);
	ck_assert_int_eq(w[0].attempts, 1);
	ck_assert_int_eq(w[0].last_status, 503);
	ck_assert_str_eq(w[0].last_error, "HTTP 503");
	store_webhooks_free(w, n);

	/* A lease that ran out (a crash): due again. */
	ck_assert_int_eq(store_webhook_lease(st, b, T0 + 40), 0);
	ck_assert_int_eq(store_webhook_due(st, T0 + 41, 8, &w, &n), 0);
	ck_assert_uint_eq(n, 2);
	store_webhooks_free(w, n);

	ck_assert_int_eq(store_webhook_lease(st, a, T0 + 400), 0);
	ck_assert_int_eq(
	    store_webhook_result(st, a, OUTBOX_SENT, T0 + 50, 0, 200, NULL), 0);
	/* Delivered is final. */
	ck_assert_int_eq(store_webhook_lease(st, a, T0 + 500), -1);
	ck_assert_int_eq(store_webhook_result(
			     st, a, OUTBOX_QUEUED, T0 + 60, T0 + 90, 0, "late"),
	    -1);
	ck_assert_int_eq(store_webhook_result(
			     st, b, OUTBOX_FAILED, T0 + 60, 0, 410, "HTTP 410"),
	    0);
	ck_assert_int_eq(
	    store_webhook_result(st, b, OUTBOX_SENDING, T0 + 60, 0, 0, NULL),
	    -1);

	ck_assert_int_eq(store_webhook_list(st, 0, &w, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(w[0].id, b);
	ck_assert_int_eq(w[0].state, OUTBOX_FAILED);
	ck_assert_int_eq(w[0].last_status, 410);
	ck_assert_ptr_null(w[0].body);
	ck_assert_int_eq(w[1].state, OUTBOX_SENT);
	ck_assert_int_eq(w[1].sent_at, T0 + 50);
	ck_assert_int_eq(w[1].attempts, 2);
	ck_assert_int_eq(w[1].last_status, 200);
	ck_assert_ptr_null(w[1].last_error);
	store_webhooks_free(w, n);
	ck_assert_int_eq(
	    store_webhook_counts(st, T0 + 100, counts, &oldest), 0);
	ck_assert_int_eq(counts[OUTBOX_QUEUED], 0);
	ck_assert_int_eq(counts[OUTBOX_SENT], 1);
	ck_assert_int_eq(counts[OUTBOX_FAILED], 1);
	ck_assert_int_eq(oldest, 0);
	ck_assert_int_eq(
	    queue_hook("evt_3", "siem", "siem:digest.sent:x", T0 + 70), 1);
	ck_assert_int_eq(
	    store_webhook_counts(st, T0 + 100, counts, &oldest), 0);
	ck_assert_int_eq(counts[OUTBOX_QUEUED], 1);
	ck_assert_int_eq(oldest, 30);
}
END_TEST

static Suite *
store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("store");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_migrate_idempotent);
	tcase_add_test(tc, test_fresh_file_version_0);
	tcase_add_test(tc, test_writer_settings);
	tcase_add_test(tc, test_admin_settings);
	tcase_add_test(tc, test_reader);
	tcase_add_test(tc, test_open_errors);
	tcase_add_test(tc, test_areas);
	tcase_add_test(tc, test_person_add_list);
	tcase_add_test(tc, test_token_lookup);
	tcase_add_test(tc, test_disable);
	tcase_add_test(tc, test_report_replace);
	tcase_add_test(tc, test_report_imported);
	tcase_add_test(tc, test_not_assessed);
	tcase_add_test(tc, test_swedish_text);
	tcase_add_test(tc, test_list_order);
	tcase_add_test(tc, test_checklist_changed);
	tcase_add_test(tc, test_save_refused);
	tcase_add_test(tc, test_rollback);
	tcase_add_test(tc, test_savepoint);
	tcase_add_test(tc, test_backup);
	tcase_add_test(tc, test_backup_bad_path);
	tcase_add_test(tc, test_roles);
	tcase_add_test(tc, test_reader_sees_reports);
	tcase_add_test(tc, test_migrate_from_v1);
	tcase_add_test(tc, test_level_and_state_names);
	tcase_add_test(tc, test_assessments);
	tcase_add_test(tc, test_measures);
	tcase_add_test(tc, test_flags);
	tcase_add_test(tc, test_scores);
	tcase_add_test(tc, test_scores_kept);
	tcase_add_test(tc, test_outbox_state_machine);
	tcase_add_test(tc, test_outbox_sent_with_note);
	tcase_add_test(tc, test_outbox_add_refused);
	tcase_add_test(tc, test_outbox_counts_list);
	tcase_add_test(tc, test_jobs);
	tcase_add_test(tc, test_sessions);
	tcase_add_test(tc, test_sessions_end_with_link);
	tcase_add_test(tc, test_audit_chain);
	tcase_add_test(tc, test_audit_append_only);
	tcase_add_test(tc, test_audit_tamper);
	tcase_add_test(tc, test_audit_purge);
	tcase_add_test(tc, test_audit_purge_broken);
	tcase_add_test(tc, test_audit_migrate_v3);
	tcase_add_test(tc, test_audit_migrate_many);
	tcase_add_test(tc, test_retention_erase);
	tcase_add_test(tc, test_job_last);
	tcase_add_test(tc, test_police_notices);
	tcase_add_test(tc, test_police_state);
	tcase_add_test(tc, test_webhook_outbox);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return testutil_run(store_suite());
}
