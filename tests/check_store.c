/*
 * Tests of store against real SQLite files in a fresh temporary
 * directory per test: schema and connection settings, areas, people and
 * their tokens, saving and replacing reports with their revisions,
 * transactions and savepoints, and the online backup.
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include "conf.h"
#include "period.h"
#include "report.h"
#include "store.h"
#include "testutil.h"
#include "token.h"

static char		 dir[64];
static char		 dbpath[128];
static struct store	*st;

/* The checklist of the tests, in display order. */
static struct indicator	 items3[3] = {
	{ .key = "skadegorelse" }, { .key = "klotter" }, { .key = "brand" },
};
static const struct checklist cl3 = { 3, items3 };
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
	char	*cause = NULL;

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
	char	*cause = NULL;

	ck_assert_msg(store_area_add(s, slug, name, &cause) == 0, "%s",
	    cause);
}

/* Add a person with areas (NULL-terminated) and a token hashed from t. */
static long long
add_person(const char *name, const char *email, enum role role,
    const char *const *areas, int all, const char *t)
{
	struct person	 p;
	unsigned char	 h[TOKEN_HASH_LEN];
	char		*cause = NULL, *list[8];
	long long	 id;
	size_t		 n = 0;

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
	struct report_saved	 sv;
	char			*cause = NULL;

	memset(&sv, 0xff, sizeof(sv));
	ck_assert_msg(store_report_save(st, person, r, &cl3, 1763643791,
	    source, &sv, &cause) == 0, "%s", cause);
	return sv;
}

/* Areas centrum and norr, Anna (norr, centrum) and Bert (centrum). */
static void
populate(long long *anna, long long *bert)
{
	const char *const aa[] = { "norr", "centrum", NULL };
	const char *const ba[] = { "centrum", NULL };

	add_area(st, "centrum", "Centrum");
	add_area(st, "norr", "Norr");
	*anna = add_person("Anna Ek", "anna@example.org", ROLE_REPORTER, aa,
	    0, "anna-token");
	*bert = add_person("Bert Al", "bert@example.org", ROLE_REPORTER, ba,
	    0, "bert-token");
}

START_TEST(test_migrate_idempotent)
{
	struct store_info	 info;
	char			*cause = NULL;

	ck_assert_int_eq(store_schema_version(st), 1);
	ck_assert_int_eq(store_migrate(st, &cause), 0);
	ck_assert_int_eq(store_migrate(st, &cause), 0);
	ck_assert_ptr_null(cause);
	ck_assert_int_eq(store_schema_version(st), 1);
	ck_assert_int_eq(store_info(st, &info), 0);
	ck_assert_int_eq(info.schema_version, 1);
	ck_assert_int_eq(store_ping(st), 0);

	/* A second connection sees the migrated file and changes nothing. */
	store_close(st);
	st = store_open(dbpath, STORE_ADMIN, &cause);
	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(store_schema_version(st), 1);
	ck_assert_int_eq(store_migrate(st, &cause), 0);
	ck_assert_int_eq(store_schema_version(st), 1);
}
END_TEST

START_TEST(test_fresh_file_version_0)
{
	struct store	*s;
	char		 path[160], *cause = NULL;

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
	struct store_info	 info;
	char			 wal[160];

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
	struct store		*a;
	struct store_info	 info;
	char			*cause = NULL;

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
	struct store		*r;
	struct store_info	 info;
	struct area		*areas;
	size_t			 n;
	char			*cause = NULL;

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
	char	 path[160], want[256], *cause = NULL;
	FILE	*f;

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
	struct area	*areas, a;
	size_t		 n;
	char		*cause = NULL;

	add_area(st, "norr", "Norr");
	add_area(st, "centrum", "Centrum");
	ck_assert_int_eq(store_area_add(st, "centrum", "Centrum igen",
	    &cause), -1);
	ck_assert_str_eq(cause, "area \"centrum\" already exists");
	free(cause);
	cause = NULL;
	ck_assert_int_eq(store_area_add(st, "Centrum!", "X", &cause), -1);
	ck_assert_str_eq(cause, "invalid area slug \"Centrum!\": use a-z, "
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
	char		 centrum[] = "centrum", norr[] = "norr";
	char		 soder[] = "soder", cecilia[] = "Cecilia";
	char		 cmail[] = "cecilia@example.org";
	char		 amail[] = "ANNA@example.org";
	char		*unknown[] = { centrum, soder };
	char		*twice[] = { norr, norr };
	char		*soder_list = soder;
	struct person	*people, p;
	long long	 anna, bert, kim;
	size_t		 n;
	char		*cause = NULL;

	populate(&anna, &bert);
	kim = add_person("Kim Berg", "kim@polisen.se", ROLE_KEYFUNCTION,
	    NULL, 1, "kim-token");
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

	ck_assert_int_eq(store_person_id_by_email(st, "ANNA@Example.ORG"),
	    anna);
	ck_assert_int_eq(store_person_id_by_email(st, "nobody@example.org"),
	    -1);

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
	ck_assert_int_eq(store_person_id_by_email(st, "cecilia@example.org"),
	    -1);

	p.areas = twice;
	ck_assert_int_eq(store_person_add(st, &p, NULL, &cause), -1);
	ck_assert_str_eq(cause, "area \"norr\" is given twice");
	free(cause);
	cause = NULL;

	p.areas = &soder_list;
	p.n_areas = 1;
	p.email = amail;
	ck_assert_int_eq(store_person_add(st, &p, NULL, &cause), -1);
	ck_assert_str_eq(cause,
	    "a person with e-mail \"ANNA@example.org\" already exists");
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
	struct person	 p;
	unsigned char	 h[TOKEN_HASH_LEN], h2[TOKEN_HASH_LEN];
	char		 t[TOKEN_LEN + 1], *cause = NULL;
	long long	 anna, bert;

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
	struct person	 p;
	unsigned char	 h[TOKEN_HASH_LEN];
	char		*cause = NULL;
	long long	 anna, bert;

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
	struct report		 r;
	struct report_saved	 s1, s2;
	struct stored_report	 got;
	struct period		 w47;
	long long		 anna, bert;
	char			*body;

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
	ck_assert_int_eq(store_report_get(st, anna, "centrum", &w47, &cl3,
	    &got), 0);
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
	ck_assert_str_eq(body, "{\"area\":\"centrum\",\"period\":\"2026-W47\","
	    "\"ratings\":{\"skadegorelse\":2,\"klotter\":1},"
	    "\"counts\":{\"klotter\":3},\"place\":\"Torget\",\"note\":null,"
	    "\"nothing\":false}");
	free(body);
	body = store_report_revision(st, s1.id, 2);
	ck_assert_str_eq(body, "{\"area\":\"centrum\",\"period\":\"2026-W47\","
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
	ck_assert_int_eq(store_report_get(st, bert, "norr", &w47, &cl3, &got),
	    -1);
}
END_TEST

START_TEST(test_report_imported)
{
	struct report		 r;
	struct report_saved	 s1, s2;
	struct stored_report	 got;
	struct period		 w;
	long long		 anna, bert;

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
	struct report		 r;
	struct stored_report	 got;
	long long		 anna, bert;
	int			 i;

	populate(&anna, &bert);
	mkreport(&r, "centrum", "2026-W10");
	r.ratings[KLOTTER] = 0;
	save(anna, &r, "form");
	ck_assert_int_eq(store_report_get(st, anna, "centrum", &r.period,
	    &cl3, &got), 0);
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
	ck_assert_int_eq(store_report_get(st, anna, "norr", &r.period, &cl3,
	    &got), 0);
	ck_assert(got.report.nothing);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(got.report.ratings[i], 0);
	store_stored_report_clear(&got);
	report_clear(&r);
}
END_TEST

START_TEST(test_swedish_text)
{
	const char		*place = "Torget vid Åhléns, källaren";
	const char		*note = "Glaskross på förskolan; ÅÄÖ åäö é ü "
				    "– “citat” €";
	struct report		 r;
	struct stored_report	 got;
	long long		 anna, bert;

	populate(&anna, &bert);
	mkreport(&r, "norr", "2026-W47");
	r.ratings[SKADEGORELSE] = 1;
	r.place = strdup(place);
	r.note = strdup(note);
	save(anna, &r, "form");
	ck_assert_int_eq(store_report_get(st, anna, "norr", &r.period, &cl3,
	    &got), 0);
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
	ck_assert_int_eq(store_report_get(st, anna, "norr", &r.period, &cl3,
	    &got), 0);
	ck_assert_ptr_null(got.report.place);
	ck_assert_ptr_null(got.report.note);
	ck_assert_int_eq(got.revision, 2);
	store_stored_report_clear(&got);
	report_clear(&r);
}
END_TEST

START_TEST(test_list_order)
{
	struct report		 r;
	struct stored_report	*list;
	struct period		 w47, w40;
	size_t			 n;
	long long		 anna, bert;

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
	ck_assert_int_eq(store_report_list(st, &w47, NULL, &cl3, &list, &n),
	    0);
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

	ck_assert_int_eq(store_report_list(st, &w47, "norr", &cl3, &list, &n),
	    0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(list[0].person_id, anna);
	store_stored_reports_free(list, n);

	ck_assert_int_eq(period_parse("2026-W40", &w40), 0);
	ck_assert_int_eq(store_report_list(st, &w40, NULL, &cl3, &list, &n),
	    0);
	ck_assert_uint_eq(n, 0);
	store_stored_reports_free(list, n);
}
END_TEST

START_TEST(test_checklist_changed)
{
	/* The checklist reordered and skadegorelse dropped since saving. */
	struct indicator	 items2[2] = {
		{ .key = "brand" }, { .key = "klotter" },
	};
	const struct checklist	 cl2 = { 2, items2 };
	struct report		 r;
	struct stored_report	 got;
	long long		 anna, bert;

	populate(&anna, &bert);
	mkreport(&r, "norr", "2026-W47");
	r.ratings[SKADEGORELSE] = 3;
	r.ratings[KLOTTER] = 1;
	r.ratings[BRAND] = 2;
	r.counts[BRAND] = 5;
	save(anna, &r, "form");
	ck_assert_int_eq(store_report_get(st, anna, "norr", &r.period, &cl2,
	    &got), 0);
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
	struct report		 r;
	struct report_saved	 sv = { 0, 0, false };
	long long		 anna, bert;
	char			*cause = NULL;

	populate(&anna, &bert);
	mkreport(&r, "soder", "2026-W47");
	r.ratings[KLOTTER] = 1;
	ck_assert_int_eq(store_report_save(st, anna, &r, &cl3, 1, "form",
	    &sv, &cause), -1);
	ck_assert_str_eq(cause, "area \"soder\" does not exist");
	free(cause);
	cause = NULL;

	snprintf(r.area, sizeof(r.area), "norr");
	ck_assert_int_eq(store_report_save(st, 42, &r, &cl3, 1, "form",
	    &sv, &cause), -1);
	ck_assert_str_eq(cause, "person 42 does not exist");
	free(cause);
	cause = NULL;

	ck_assert_int_eq(store_report_save(st, anna, &r, &cl3, 1, "mail",
	    &sv, &cause), -1);
	ck_assert_str_eq(cause, "cannot save report: unknown source \"mail\"");
	free(cause);
	cause = NULL;

	/* Out of range: the schema refuses it and nothing is kept. */
	r.ratings[KLOTTER] = 4;
	ck_assert_int_eq(store_report_save(st, anna, &r, &cl3, 1, "form",
	    &sv, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "CHECK constraint failed"));
	free(cause);
	cause = NULL;

	r.ratings[KLOTTER] = 1;
	r.has_period = false;
	ck_assert_int_eq(store_report_save(st, anna, &r, &cl3, 1, "form",
	    &sv, &cause), -1);
	ck_assert_str_eq(cause, "cannot save report: it has no period");
	free(cause);
	ck_assert_int_eq(store_report_count(st), 0);
	ck_assert_int_eq(sv.id, 0);
	report_clear(&r);
}
END_TEST

START_TEST(test_rollback)
{
	struct report		 r;
	struct stored_report	 got;
	long long		 anna, bert;

	populate(&anna, &bert);
	ck_assert_int_eq(store_begin(st), 0);
	mkreport(&r, "norr", "2026-W47");
	r.ratings[KLOTTER] = 1;
	save(anna, &r, "form");
	ck_assert_int_eq(store_audit(st, "anna@example.org", "report.save",
	    "report 1"), 0);
	ck_assert_int_eq(store_report_count(st), 1);
	store_rollback(st);
	ck_assert_int_eq(store_report_count(st), 0);
	ck_assert_int_eq(store_report_get(st, anna, "norr", &r.period, &cl3,
	    &got), -1);
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
	struct report		 a, b;
	struct stored_report	 got;
	long long		 anna, bert;

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
	ck_assert_int_eq(store_report_get(st, anna, "norr", &a.period, &cl3,
	    &got), 0);
	ck_assert_int_eq(got.report.ratings[KLOTTER], 1);
	store_stored_report_clear(&got);
	ck_assert_int_eq(store_report_get(st, bert, "centrum", &b.period,
	    &cl3, &got), -1);
	report_clear(&a);
	report_clear(&b);
}
END_TEST

START_TEST(test_backup)
{
	struct store		*c;
	struct report		 r;
	struct stored_report	*list;
	struct period		 w;
	struct stat		 sb;
	size_t			 n;
	long long		 anna, bert;
	char			 copy[160], want[256], *cause = NULL;

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
	snprintf(want, sizeof(want), "backup %s: the file already exists",
	    copy);
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
	ck_assert_int_eq(store_schema_version(c), 1);
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
	char	 path[160], *cause = NULL;

	snprintf(path, sizeof(path), "%s/nodir/copy.db", dir);
	ck_assert_int_eq(store_backup(st, path, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "No such file or directory"));
	free(cause);
}
END_TEST

START_TEST(test_roles)
{
	enum role	 r;

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
	struct store		*rd;
	struct report		 r;
	struct stored_report	 got;
	long long		 anna, bert;
	char			*cause = NULL;

	populate(&anna, &bert);
	rd = store_open(dbpath, STORE_READER, &cause);
	ck_assert_ptr_nonnull(rd);
	mkreport(&r, "norr", "2026-W47");
	r.ratings[KLOTTER] = 3;
	ck_assert_int_eq(store_report_get(rd, anna, "norr", &r.period, &cl3,
	    &got), -1);
	save(anna, &r, "form");
	ck_assert_int_eq(store_report_get(rd, anna, "norr", &r.period, &cl3,
	    &got), 0);
	ck_assert_int_eq(got.report.ratings[KLOTTER], 3);
	store_stored_report_clear(&got);
	report_clear(&r);
	store_close(rd);
}
END_TEST

static Suite *
store_suite(void)
{
	Suite	*s = suite_create("store");
	TCase	*tc = tcase_create("store");

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
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return testutil_run(store_suite());
}
