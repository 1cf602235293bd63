/*
 * check_conf: estd.conf and checklist loading: defaults, every key, the
 * exact text and line of each kind of error, relative paths, the shipped
 * checklist and the sample file generated from the key table.
 *
 * Each test works in its own directory made with mkdtemp and removed
 * afterwards.
 */
#include <sys/stat.h>

#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "xmalloc.h"
#include "testutil.h"

#ifndef ESTD_DATADIR
#define ESTD_DATADIR "/usr/local/share/estd"
#endif
#ifndef ESTD_SYSCONFDIR
#define ESTD_SYSCONFDIR "/etc"
#endif

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

static char *tmpdir; /* this test's directory, absolute */

static const char *const mini_checklist = "[a]\nsv = Å\nen = A\n";

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
setup(void)
{
	char templ[] = "/tmp/check_conf.XXXXXX";

	ck_assert_ptr_nonnull(mkdtemp(templ));
	tmpdir = realpath(templ, NULL);
	ck_assert_ptr_nonnull(tmpdir);
}

static void
teardown(void)
{
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(tmpdir);
	tmpdir = NULL;
}

/* The path of name in the test directory; the caller frees it. */
static char *
tpath(const char *name)
{
	char *p;

	xasprintf(&p, "%s/%s", tmpdir, name);
	return p;
}

static void
write_file(const char *name, const char *text)
{
	char *p = tpath(name);
	FILE *f = fopen(p, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
	free(p);
}

/* A whole file into a string the caller frees. */
static char *
read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	char *data;
	long len;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	rewind(f);
	data = xmalloc((size_t)len + 1);
	ck_assert_uint_eq(fread(data, 1, (size_t)len, f), (size_t)len);
	data[len] = '\0';
	fclose(f);
	return data;
}

/* A file of the source tree (the tree holding this test); caller frees. */
static char *
srcpath(const char *rel)
{
	const char *me = __FILE__, *tail = "tests/check_conf.c";
	size_t len = strlen(me) - strlen(tail);
	char *p;

	ck_assert(strcmp(me + len, tail) == 0);
	xasprintf(&p, "%.*s%s", (int)len, me, rel);
	return p;
}

/*
 * Load `body` as estd.conf in the test directory, with a [checklist]
 * section appended (after the body, so its line numbers stay) that
 * points at a small checklist beside it.
 */
static struct conf *
load(const char *body, char **cause)
{
	struct conf *conf;
	char *text, *path;

	xasprintf(&text, "%s\n[checklist]\nfile = checklist.ini\n", body);
	write_file("estd.conf", text);
	write_file("checklist.ini", mini_checklist);
	path = tpath("estd.conf");
	*cause = NULL;
	conf = conf_load(path, cause);
	free(path);
	free(text);
	return conf;
}

static struct conf *
load_ok(const char *body)
{
	struct conf *conf;
	char *cause;

	conf = load(body, &cause);
	ck_assert_msg(conf != NULL, "conf_load: %s", cause);
	ck_assert_ptr_null(cause);
	return conf;
}

/* `body` must fail with "<dir>/estd.conf:" + want. */
static void
expect_error(const char *body, const char *want)
{
	struct conf *conf;
	char *cause, *full;

	conf = load(body, &cause);
	ck_assert_ptr_null(conf);
	ck_assert_ptr_nonnull(cause);
	xasprintf(&full, "%s/estd.conf:%s", tmpdir, want);
	ck_assert_str_eq(cause, full);
	free(full);
	free(cause);
}

/* A checklist `text` must fail with "<dir>/checklist.ini:" + want. */
static void
expect_checklist_error(const char *text, const char *want)
{
	struct checklist cl;
	char *cause = NULL, *path, *full;

	write_file("checklist.ini", text);
	path = tpath("checklist.ini");
	cl.n = 99;
	ck_assert_int_eq(conf_load_checklist(path, &cl, &cause), -1);
	ck_assert_uint_eq(cl.n, 0);
	ck_assert_ptr_null(cl.items);
	ck_assert_ptr_nonnull(cause);
	xasprintf(&full, "%s:%s", path, want);
	ck_assert_str_eq(cause, full);
	free(full);
	free(cause);
	free(path);
}

static void
make_dir(const char *name)
{
	char *p = tpath(name);

	ck_assert_int_eq(mkdir(p, 0700), 0);
	free(p);
}

static void
expect_str_in(const char *got, const char *rel)
{
	char *want = tpath(rel);

	ck_assert_str_eq(got, want);
	free(want);
}

/* The compiled-in defaults, as documented in contract §2. */
static void
check_defaults(const struct conf *c)
{
	ck_assert_str_eq(c->listen, "127.0.0.1:8080");
	ck_assert_str_eq(c->base_url, "http://127.0.0.1:8080");
	ck_assert_int_eq(c->max_connections, 512);
	ck_assert_int_eq(c->connection_timeout, 15);
	ck_assert_int_eq(c->max_body, 65536);
	ck_assert_int_eq(c->failed_token_limit, 20);
	ck_assert_str_eq(c->templates, ESTD_DATADIR "/reporter-form");
	ck_assert_str_eq(c->database, "/var/lib/estd/estd.db");
	ck_assert_int_eq(c->cadence, CADENCE_WEEKLY);
	ck_assert_int_eq(c->fortnight_start, PARITY_ODD);
	ck_assert_str_eq(c->timezone, "Europe/Stockholm");
	ck_assert_int_eq(c->analysis, ANALYSIS_QUARTER);
	ck_assert_int_eq(c->digest_at.wday, 1);
	ck_assert_int_eq(c->digest_at.hour, 8);
	ck_assert_int_eq(c->digest_at.minute, 0);
	ck_assert_int_eq(c->reminder_at.wday, 5);
	ck_assert_int_eq(c->reminder_at.hour, 12);
	ck_assert_int_eq(c->reminder_at.minute, 0);
	ck_assert_int_eq(c->flag_level, 2);
	ck_assert_int_eq(c->flag_consecutive, 3);
	ck_assert_int_eq(c->flag_window, 6);
	ck_assert_int_eq(c->flag_within, 4);
	ck_assert_int_eq(c->flag_clear_after, 2);
	ck_assert_str_eq(c->smtp_host, "");
	ck_assert_int_eq(c->smtp_port, 587);
	ck_assert_int_eq(c->smtp_starttls, STARTTLS_REQUIRED);
	ck_assert_str_eq(c->smtp_user, "");
	ck_assert_str_eq(c->smtp_password_file, "");
	ck_assert_str_eq(
	    c->smtp_from, "EST l\xc3\xa4gesbild <est@example.org>");
	ck_assert_str_eq(c->smtp_spool, "/var/lib/estd/outbox");
}

START_TEST(test_defaults)
{
	struct conf *c;

	c = load_ok("");
	check_defaults(c);
	expect_str_in(c->path, "estd.conf");
	expect_str_in(c->checklist_file, "checklist.ini");
	ck_assert_uint_eq(c->checklist.n, 1);
	ck_assert_str_eq(c->checklist.items[0].key, "a");
	ck_assert_str_eq(c->checklist.items[0].sv, "\xc3\x85");
	ck_assert_str_eq(c->checklist.items[0].en, "A");
	ck_assert_ptr_null(c->checklist.items[0].help_sv);
	ck_assert_ptr_null(c->checklist.items[0].help_en);
	conf_free(c);
}
END_TEST

START_TEST(test_every_key)
{
	struct conf *c;
	char *cause = NULL, *path;

	make_dir("lists");
	write_file("lists/checklist.ini",
	    "[x]\nsv = X\nen = Y\n"
	    "help_sv = Hjälp\nhelp_en = Help\n");
	write_file("estd.conf",
	    "[server]\n"
	    "listen = [::1]:9090\n"
	    "base_url = https://est.example.se/lagesbild/\n"
	    "max_connections = 16\n"
	    "connection_timeout = 300\n"
	    "max_body = 1048576\n"
	    "failed_token_limit = 10000\n"
	    "templates = tmpl\n"
	    "[storage]\n"
	    "database = data/est.db\n"
	    "[periods]\n"
	    "cadence = fortnightly\n"
	    "fortnight_start = even\n"
	    "timezone = UTC\n"
	    "analysis = tertial\n"
	    "digest_at = tue 7:05\n"
	    "reminder_at = sun 23:59\n"
	    "[flags]\n"
	    "level = 3\n"
	    "consecutive = 1\n"
	    "window = 52\n"
	    "within = 52\n"
	    "clear_after = 5\n"
	    "[smtp]\n"
	    "host = smtp.example.se\n"
	    "port = 465\n"
	    "starttls = off\n"
	    "user = est\n"
	    "password_file = /etc/estd/smtp.pw\n"
	    "from = est@example.se\n"
	    "spool = ../outbox\n"
	    "[checklist]\n"
	    "file = lists/checklist.ini\n");
	path = tpath("estd.conf");
	c = conf_load(path, &cause);
	ck_assert_msg(c != NULL, "conf_load: %s", cause);
	ck_assert_str_eq(c->path, path);
	ck_assert_str_eq(c->listen, "[::1]:9090");
	ck_assert_str_eq(c->base_url, "https://est.example.se/lagesbild");
	ck_assert_int_eq(c->max_connections, 16);
	ck_assert_int_eq(c->connection_timeout, 300);
	ck_assert_int_eq(c->max_body, 1048576);
	ck_assert_int_eq(c->failed_token_limit, 10000);
	expect_str_in(c->templates, "tmpl");
	expect_str_in(c->database, "data/est.db");
	ck_assert_int_eq(c->cadence, CADENCE_FORTNIGHTLY);
	ck_assert_int_eq(c->fortnight_start, PARITY_EVEN);
	ck_assert_str_eq(c->timezone, "UTC");
	ck_assert_int_eq(c->analysis, ANALYSIS_TERTIAL);
	ck_assert_int_eq(c->digest_at.wday, 2);
	ck_assert_int_eq(c->digest_at.hour, 7);
	ck_assert_int_eq(c->digest_at.minute, 5);
	ck_assert_int_eq(c->reminder_at.wday, 7);
	ck_assert_int_eq(c->reminder_at.hour, 23);
	ck_assert_int_eq(c->reminder_at.minute, 59);
	ck_assert_int_eq(c->flag_level, 3);
	ck_assert_int_eq(c->flag_consecutive, 1);
	ck_assert_int_eq(c->flag_window, 52);
	ck_assert_int_eq(c->flag_within, 52);
	ck_assert_int_eq(c->flag_clear_after, 5);
	ck_assert_str_eq(c->smtp_host, "smtp.example.se");
	ck_assert_int_eq(c->smtp_port, 465);
	ck_assert_int_eq(c->smtp_starttls, STARTTLS_OFF);
	ck_assert_str_eq(c->smtp_user, "est");
	ck_assert_str_eq(c->smtp_password_file, "/etc/estd/smtp.pw");
	ck_assert_str_eq(c->smtp_from, "est@example.se");
	expect_str_in(c->smtp_spool, "../outbox");
	expect_str_in(c->checklist_file, "lists/checklist.ini");
	ck_assert_uint_eq(c->checklist.n, 1);
	ck_assert_str_eq(c->checklist.items[0].key, "x");
	ck_assert_str_eq(c->checklist.items[0].help_sv, "Hj\xc3\xa4lp");
	ck_assert_str_eq(c->checklist.items[0].help_en, "Help");
	conf_free(c);
	free(path);
}
END_TEST

/* Lexical details: case, quotes, comments, indentation, CRLF, BOM. */
START_TEST(test_syntax_accepted)
{
	struct conf *c;

	c = load_ok("\xef\xbb\xbf; estd.conf\r\n"
		    "# another comment\r\n"
		    "[ periods ]\r\n"
		    "  cadence = Fortnightly\r\n"
		    "\tfortnight_start = EVEN ; inline comment\r\n"
		    "digest_at = Wed\t 09:30\r\n"
		    "[smtp]\n"
		    "host =              ; empty: write to spool\n"
		    "from = \"Trygg i Stan <trygg@example.se>\"\n"
		    "    port = 25\n"
		    "user: kalle\n"
		    "[server]\n"
		    "base_url = HTTP://est.example.se//\n");
	ck_assert_int_eq(c->cadence, CADENCE_FORTNIGHTLY);
	ck_assert_int_eq(c->fortnight_start, PARITY_EVEN);
	ck_assert_int_eq(c->digest_at.wday, 3);
	ck_assert_int_eq(c->digest_at.hour, 9);
	ck_assert_int_eq(c->digest_at.minute, 30);
	ck_assert_str_eq(c->smtp_host, "");
	ck_assert_str_eq(c->smtp_from, "Trygg i Stan <trygg@example.se>");
	/* Indented: a key of its own, not the continuation of `from`. */
	ck_assert_int_eq(c->smtp_port, 25);
	ck_assert_str_eq(c->smtp_user, "kalle");
	ck_assert_str_eq(c->base_url, "HTTP://est.example.se");
	conf_free(c);
}
END_TEST

static const struct {
	const char *body;
	const char *want; /* after "<dir>/estd.conf:" */
} conf_errors[] = {
    {"[server]\nlisten = 127.0.0.1:80\nlisten_port = 80\n",
	"3: [server] listen_port: unknown key; the keys of [server] are "
	"listen, base_url, max_connections, connection_timeout, max_body, "
	"failed_token_limit, trusted_proxies and templates"},
    {"[flags]\nlevels = 2\n",
	"2: [flags] levels: unknown key; the keys of [flags] are level, "
	"consecutive, window, within and clear_after"},
    {"[server]\n\n[archive]\nurl = x\n",
	"3: [archive]: unknown section; the sections are server, storage, "
	"periods, flags, smtp, checklist, police, webhook NAME, retention "
	"and backup"},
    {"; nothing in it\n[ldap]\n",
	"2: [ldap]: unknown section; the sections are server, storage, "
	"periods, flags, smtp, checklist, police, webhook NAME, retention "
	"and backup"},
    {"[flags]\nlevel = 2\n; again\nlevel = 3\n",
	"4: [flags] level: given twice (first on line 2)"},
    {"[smtp]\nport = 25\n[flags]\n[smtp]\n",
	"4: [smtp]: section given twice (first on line 1)"},
    {"port = 25\n[smtp]\n", "1: port: comes before any [section]"},
    {"\n[periods]\ncadence = monthly\n",
	"3: [periods] cadence: must be weekly or fortnightly, not "
	"\"monthly\""},
    {"[periods]\nfortnight_start = 1\n",
	"2: [periods] fortnight_start: must be odd or even, not \"1\""},
    {"[periods]\nanalysis = year\n",
	"2: [periods] analysis: must be quarter or tertial, not \"year\""},
    {"[smtp]\nstarttls = yes\n",
	"2: [smtp] starttls: must be required, optional or off, not "
	"\"yes\""},
    {"[server]\nmax_connections = 8\n",
	"2: [server] max_connections: must be from 16 to 4096, not 8"},
    {"[server]\nconnection_timeout = 0\n",
	"2: [server] connection_timeout: must be from 1 to 300, not 0"},
    {"[server]\nmax_body = 99999999999999999999\n",
	"2: [server] max_body: must be from 1024 to 1048576, not "
	"99999999999999999999"},
    {"[smtp]\nport = 65536\n",
	"2: [smtp] port: must be from 1 to 65535, not 65536"},
    {"[flags]\nclear_after = -1\n",
	"2: [flags] clear_after: must be from 1 to 52, not -1"},
    {"[smtp]\nport = 25x\n",
	"2: [smtp] port: must be a whole number from 1 to 65535, not "
	"\"25x\""},
    {"[flags]\nlevel =\n",
	"2: [flags] level: must be a whole number from 1 to 3, not \"\""},
    {"[flags]\nlevel = 2.5\n",
	"2: [flags] level: must be a whole number from 1 to 3, not "
	"\"2.5\""},
    {"[periods]\ndigest_at = mon 8\n",
	"2: [periods] digest_at: must be a weekday (mon, tue, wed, thu, "
	"fri, sat or sun) and a 24-hour time, like \"mon 08:00\", not "
	"\"mon 8\""},
    {"[periods]\nreminder_at = xyz 08:00\n",
	"2: [periods] reminder_at: must be a weekday (mon, tue, wed, thu, "
	"fri, sat or sun) and a 24-hour time, like \"mon 08:00\", not "
	"\"xyz 08:00\""},
    {"[periods]\ndigest_at = mon 24:00\n",
	"2: [periods] digest_at: must be a weekday (mon, tue, wed, thu, "
	"fri, sat or sun) and a 24-hour time, like \"mon 08:00\", not "
	"\"mon 24:00\""},
    {"[periods]\ndigest_at = fri 12:60\n",
	"2: [periods] digest_at: must be a weekday (mon, tue, wed, thu, "
	"fri, sat or sun) and a 24-hour time, like \"mon 08:00\", not "
	"\"fri 12:60\""},
    {"[periods]\ndigest_at = monday 08:00\n",
	"2: [periods] digest_at: must be a weekday (mon, tue, wed, thu, "
	"fri, sat or sun) and a 24-hour time, like \"mon 08:00\", not "
	"\"monday 08:00\""},
    {"[periods]\ndigest_at = mon 08:00:00\n",
	"2: [periods] digest_at: must be a weekday (mon, tue, wed, thu, "
	"fri, sat or sun) and a 24-hour time, like \"mon 08:00\", not "
	"\"mon 08:00:00\""},
    {"[flags]\nwindow = 5\nwithin = 6\n",
	"3: [flags] within: must not be more than window (5), not 6"},
    {"[flags]\nwithin = 7\n",
	"2: [flags] within: must not be more than window (6), not 7"},
    {"[flags]\nwindow = 3\n",
	"2: [flags] window: must not be less than within (4), not 3"},
    {"[server]\nbase_url = est.example.se\n",
	"2: [server] base_url: must start with http:// or https://, not "
	"\"est.example.se\""},
    {"[server]\nbase_url = ftp://est.example.se\n",
	"2: [server] base_url: must start with http:// or https://, not "
	"\"ftp://est.example.se\""},
    {"[server]\nbase_url = https://\n",
	"2: [server] base_url: must name a host after https://, not "
	"\"https://\""},
    {"[server]\nbase_url = http://est.example.se/?a=b\n",
	"2: [server] base_url: must be a plain URL without spaces, quotes, "
	"<>, ?, # or \\, not \"http://est.example.se/?a=b\""},
    {"[server]\nlisten = 8080\n",
	"2: [server] listen: must be host:port or [address]:port, like "
	"127.0.0.1:8080 or [::1]:8080, not \"8080\""},
    {"[server]\nlisten = ::1:8080\n",
	"2: [server] listen: must be host:port or [address]:port, like "
	"127.0.0.1:8080 or [::1]:8080, not \"::1:8080\""},
    {"[server]\nlisten = 127.0.0.1:65536\n",
	"2: [server] listen: must be host:port or [address]:port, like "
	"127.0.0.1:8080 or [::1]:8080, not \"127.0.0.1:65536\""},
    {"[server]\nlisten = 127.0.0.1:\n",
	"2: [server] listen: must be host:port or [address]:port, like "
	"127.0.0.1:8080 or [::1]:8080, not \"127.0.0.1:\""},
    {"[periods]\ntimezone = ../../etc/passwd\n",
	"2: [periods] timezone: must be a time zone name like "
	"Europe/Stockholm, not \"../../etc/passwd\""},
    {"[smtp]\nfrom = nobody\n",
	"2: [smtp] from: must be an address or a name and <address>, like "
	"\"EST l\xc3\xa4gesbild <est@example.org>\", not \"nobody\""},
    {"[smtp]\nfrom = EST <est@example.org\n",
	"2: [smtp] from: must be an address or a name and <address>, like "
	"\"EST l\xc3\xa4gesbild <est@example.org>\", not "
	"\"EST <est@example.org\""},
    {"[smtp]\nhost = mail example se\n",
	"2: [smtp] host: must be a host name or address, not "
	"\"mail example se\""},
    {"[storage]\ndatabase =\n", "2: [storage] database: must not be empty"},
    {"[storage]\ndatabase = \"\"\n",
	"2: [storage] database: must not be empty"},
    {"[server]\nlisten\n", "2: expected [section] or key = value"},
    {"[server]\nbogus line\n[flags]\nlevel = 9\n",
	"2: expected [section] or key = value"},
    {"[flags]\nlevel = 9\nbogus line\n",
	"2: [flags] level: must be from 1 to 3, not 9"},
    {"[server\nlisten = 127.0.0.1:80\n", "1: missing ] after the section name"},
    {"[server] listen = 127.0.0.1:80\n", "1: unexpected text after ]"},
    {"[smtp]\n= 25\n", "2: a key name is missing before ="},
    {"[smtp]\nfrom = Tr\xe5gg <a@example.se>\n",
	"2: [smtp] from: the value is not valid UTF-8 (save the file as "
	"UTF-8)"},
    {"[smtp]\nuser = a\x01z\n",
	"2: [smtp] user: the value contains a control character"},
    {"[smtp]\nuser = aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaa\n",
	"2: line longer than 199 bytes"},
};

START_TEST(test_conf_errors)
{
	expect_error(conf_errors[_i].body, conf_errors[_i].want);
}
END_TEST

/* A line of exactly the longest length inih takes is fine. */
START_TEST(test_longest_line)
{
	struct conf *c;
	char body[300], user[200];

	memset(user, 'u', 192);
	user[192] = '\0';
	/* "user = " is 7 bytes: 7 + 192 = 199. */
	snprintf(body, sizeof body, "[smtp]\nuser = %s\n", user);
	c = load_ok(body);
	ck_assert_str_eq(c->smtp_user, user);
	conf_free(c);
}
END_TEST

START_TEST(test_unknown_timezone)
{
	char *want;

	unsetenv("TZDIR");
	if (access("/usr/share/zoneinfo/Europe/Stockholm", F_OK) != 0)
		return; /* no zone database to check against */
	xasprintf(&want,
	    "2: [periods] timezone: unknown time zone "
	    "\"Europe/Stokholm\" (not in /usr/share/zoneinfo); use a name like "
	    "Europe/Stockholm");
	expect_error("[periods]\ntimezone = Europe/Stokholm\n", want);
	free(want);
}
END_TEST

START_TEST(test_missing_files)
{
	struct conf *c;
	char *cause = NULL, *path, *want;

	path = tpath("nope.conf");
	ck_assert_ptr_null(conf_load(path, &cause));
	xasprintf(&want, "%s: cannot open: No such file or directory", path);
	ck_assert_str_eq(cause, want);
	free(want);
	free(cause);
	free(path);

	path = tpath("nodir/estd.conf");
	ck_assert_ptr_null(conf_load(path, &cause));
	xasprintf(&want, "%s: cannot open: No such file or directory", path);
	ck_assert_str_eq(cause, want);
	free(want);
	free(cause);
	free(path);

	/* A directory is no config file. */
	ck_assert_ptr_null(conf_load(tmpdir, &cause));
	xasprintf(&want, "%s: cannot read: Is a directory", tmpdir);
	ck_assert_str_eq(cause, want);
	free(want);
	free(cause);

	/* The checklist it names is missing. */
	write_file("estd.conf", "[checklist]\nfile = lists/none.ini\n");
	path = tpath("estd.conf");
	c = conf_load(path, &cause);
	ck_assert_ptr_null(c);
	xasprintf(&want,
	    "%s/lists/none.ini: cannot open: No such file or "
	    "directory",
	    tmpdir);
	ck_assert_str_eq(cause, want);
	free(want);
	free(cause);
	free(path);

	/* An error in the checklist names the checklist's file and line. */
	write_file("estd.conf", "[checklist]\nfile = bad.ini\n");
	write_file("bad.ini", "[a]\nsv = A\nen = A\nfr = A\n");
	path = tpath("estd.conf");
	ck_assert_ptr_null(conf_load(path, &cause));
	xasprintf(&want,
	    "%s/bad.ini:4: [a] fr: unknown key; the keys of an "
	    "indicator are sv, en, help_sv and help_en",
	    tmpdir);
	ck_assert_str_eq(cause, want);
	free(want);
	free(cause);
	free(path);
}
END_TEST

/* A config given by a relative path: everything ends up absolute. */
START_TEST(test_relative_paths)
{
	struct conf *c;
	char *cause = NULL, cwd[PATH_MAX];

	make_dir("demo");
	write_file("demo/estd.conf",
	    "[server]\ntemplates = ../reporter-form\n"
	    "[storage]\ndatabase = estd.db\n"
	    "[smtp]\npassword_file = secret/pw\nspool = ./outbox\n"
	    "[checklist]\nfile = checklist.ini\n");
	write_file("demo/checklist.ini", mini_checklist);
	ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
	ck_assert_int_eq(chdir(tmpdir), 0);
	c = conf_load("demo/estd.conf", &cause);
	ck_assert_int_eq(chdir(cwd), 0);
	ck_assert_msg(c != NULL, "conf_load: %s", cause);
	expect_str_in(c->path, "demo/estd.conf");
	expect_str_in(c->templates, "demo/../reporter-form");
	expect_str_in(c->database, "demo/estd.db");
	expect_str_in(c->smtp_password_file, "demo/secret/pw");
	expect_str_in(c->smtp_spool, "demo/./outbox");
	expect_str_in(c->checklist_file, "demo/checklist.ini");
	ck_assert_uint_eq(c->checklist.n, 1);
	conf_free(c);

	/* A bare file name: the current directory. */
	ck_assert_int_eq(chdir(tmpdir), 0);
	ck_assert_int_eq(chdir("demo"), 0);
	c = conf_load("estd.conf", &cause);
	ck_assert_int_eq(chdir(cwd), 0);
	ck_assert_msg(c != NULL, "conf_load: %s", cause);
	expect_str_in(c->path, "demo/estd.conf");
	expect_str_in(c->database, "demo/estd.db");
	conf_free(c);
}
END_TEST

static const struct {
	const char *text;
	const char *want; /* after "<dir>/checklist.ini:" */
} checklist_errors[] = {
    {"[Klotter]\nsv = Klotter\nen = Graffiti\n",
	"1: [Klotter]: an indicator key must be 1 to 32 characters of a-z, "
	"0-9 and _"},
    {"[otrygg-plats]\nsv = O\nen = U\n",
	"1: [otrygg-plats]: an indicator key must be 1 to 32 characters of "
	"a-z, 0-9 and _"},
    {"[abcdefghijabcdefghijabcdefghijabc]\nsv = A\nen = A\n",
	"1: [abcdefghijabcdefghijabcdefghijabc]: an indicator key must be 1 "
	"to 32 characters of a-z, 0-9 and _"},
    {"[]\nsv = A\nen = A\n",
	"1: []: an indicator key must be 1 to 32 characters of a-z, 0-9 "
	"and _"},
    {"[a]\nsv = A\nen = A\n\n[a]\nsv = B\nen = B\n",
	"5: [a]: indicator given twice (first on line 1)"},
    {"[a]\nsv = A\nlabel = x\n",
	"3: [a] label: unknown key; the keys of an indicator are sv, en, "
	"help_sv and help_en"},
    {"[a]\nsv = A\nen = A\nsv = B\n",
	"4: [a] sv: given twice (first on line 2)"},
    {"[a]\nsv = A\n[b]\nsv = B\nen = B\n",
	"1: [a] en: missing; every indicator needs sv and en, its Swedish "
	"and English label"},
    {"[a]\nsv = A\nen = A\n\n[b]\nen = B\n",
	"5: [b] sv: missing; every indicator needs sv and en, its Swedish "
	"and English label"},
    {"",
	"1: no indicators; the checklist needs at least one [key] section "
	"with sv and en"},
    {"; only\n; comments\n",
	"2: no indicators; the checklist needs at least one [key] section "
	"with sv and en"},
    {"[a]\nsv =\nen = A\n", "2: [a] sv: must not be empty"},
    {"[a]\nsv = Skadeg\xf6relse\nen = Vandalism\n",
	"2: [a] sv: the value is not valid UTF-8 (save the file as UTF-8)"},
    {"[a]\nsv = A\nen = \xed\xa0\x80\n",
	"3: [a] en: the value is not valid UTF-8 (save the file as UTF-8)"},
    {"[a]\nsv = A\nen = \xc0\xaf\n",
	"3: [a] en: the value is not valid UTF-8 (save the file as UTF-8)"},
    {"sv = A\n[a]\n", "1: sv: comes before any [section]"},
    {"[a]\nsv A\n", "2: expected [section] or key = value"},
};

START_TEST(test_checklist_errors)
{
	expect_checklist_error(
	    checklist_errors[_i].text, checklist_errors[_i].want);
}
END_TEST

/* n indicators "i0".."i<n-1>", four lines each. */
static char *
many_indicators(int n)
{
	char *text = xstrdup(""), *next;
	int i;

	for (i = 0; i < n; i++) {
		xasprintf(
		    &next, "%s[i%d]\nsv = S%d\nen = E%d\n\n", text, i, i, i);
		free(text);
		text = next;
	}
	return text;
}

START_TEST(test_checklist_max)
{
	struct checklist cl;
	char *text, *cause = NULL, *path;

	text = many_indicators(INDICATORS_MAX);
	write_file("checklist.ini", text);
	free(text);
	path = tpath("checklist.ini");
	ck_assert_int_eq(conf_load_checklist(path, &cl, &cause), 0);
	ck_assert_uint_eq(cl.n, 64);
	ck_assert_str_eq(cl.items[63].key, "i63");
	ck_assert_str_eq(cl.items[63].sv, "S63");
	ck_assert_int_eq(conf_indicator_index(&cl, "i40"), 40);
	conf_free_checklist(&cl);
	ck_assert_uint_eq(cl.n, 0);
	ck_assert_ptr_null(cl.items);
	free(path);

	/* The 65th starts on line 64 * 4 + 1. */
	text = many_indicators(INDICATORS_MAX + 1);
	expect_checklist_error(text, "257: [i64]: more than 64 indicators");
	free(text);
}
END_TEST

static const struct {
	const char *key;
	const char *sv;
	const char *en;
	const char *help_sv;
	const char *help_en;
} shipped[] = {
    {"skadegorelse", "Skadegörelse", "Vandalism",
	"T.ex. glaskross, förstörd utrustning",
	"E.g. broken glass, damaged equipment"},
    {"klotter", "Klotter", "Graffiti", NULL, NULL},
    {"nedskrapning", "Nedskräpning", "Littering", NULL, NULL},
    {"brand", "Anlagda bränder", "Arson", "Bil, container, papperskorg",
	"Car, container, bin"},
    {"samlingar", "Otrygghetsskapande samlingar",
	"Gatherings that create insecurity", NULL, NULL},
    {"narkotika", "Misstänkt narkotikahantering", "Suspected drug dealing",
	NULL, NULL},
    {"vald", "Hot, våld, bråk eller rån",
	"Threats, violence, fights or robbery", NULL, NULL},
    {"anstalld", "Incident mot anställd", "Incident against staff", NULL, NULL},
    {"inbrott", "Inbrott", "Burglary", "Även förråd och källare",
	"Including storage rooms and basements"},
    {"trafik", "Olovlig trafik eller buskörning",
	"Unlawful or reckless driving", NULL, NULL},
    {"otrygg_plats", "Otrygg plats", "Unsafe place",
	"Belysning, insyn, ödslighet", "Lighting, sight lines, deserted"},
    {"tillhall", "Olovligt boende eller tillhåll",
	"Unlawful sleeping place or hang-out", NULL, NULL},
    {"rykten", "Rykten eller oro i sociala medier",
	"Rumours or unrest on social media", NULL, NULL},
};

static void
check_shipped(const struct checklist *cl)
{
	size_t i;

	ck_assert_uint_eq(cl->n, 13);
	/* "Skadegörelse" as UTF-8 bytes, whatever this file is saved as. */
	ck_assert_str_eq(cl->items[0].sv, "Skadeg\xc3\xb6relse");
	for (i = 0; i < nitems(shipped); i++) {
		ck_assert_str_eq(cl->items[i].key, shipped[i].key);
		ck_assert_str_eq(cl->items[i].sv, shipped[i].sv);
		ck_assert_str_eq(cl->items[i].en, shipped[i].en);
		if (shipped[i].help_sv == NULL)
			ck_assert_ptr_null(cl->items[i].help_sv);
		else
			ck_assert_str_eq(
			    cl->items[i].help_sv, shipped[i].help_sv);
		if (shipped[i].help_en == NULL)
			ck_assert_ptr_null(cl->items[i].help_en);
		else
			ck_assert_str_eq(
			    cl->items[i].help_en, shipped[i].help_en);
	}
	ck_assert_int_eq(conf_indicator_index(cl, "skadegorelse"), 0);
	ck_assert_int_eq(conf_indicator_index(cl, "vald"), 6);
	ck_assert_int_eq(conf_indicator_index(cl, "rykten"), 12);
	ck_assert_int_eq(conf_indicator_index(cl, "vandalism"), -1);
	ck_assert_int_eq(conf_indicator_index(cl, ""), -1);
}

START_TEST(test_shipped_checklist)
{
	struct checklist cl;
	char *cause = NULL, *path;

	path = srcpath("config/checklist.ini");
	ck_assert_msg(conf_load_checklist(path, &cl, &cause) == 0,
	    "conf_load_checklist: %s", cause);
	check_shipped(&cl);
	conf_free_checklist(&cl);
	free(path);
}
END_TEST

START_TEST(test_checklist_missing)
{
	struct checklist cl;
	char *cause = NULL, *path, *want;

	path = tpath("none.ini");
	ck_assert_int_eq(conf_load_checklist(path, &cl, &cause), -1);
	xasprintf(&want, "%s: cannot open: No such file or directory", path);
	ck_assert_str_eq(cause, want);
	ck_assert_uint_eq(cl.n, 0);
	free(want);
	free(cause);
	free(path);
}
END_TEST

/* Replace every `from` in *s with `to`. */
static void
replace_all(char **s, const char *from, const char *to)
{
	char *p, *next;
	size_t at = 0;

	while ((p = strstr(*s + at, from)) != NULL) {
		xasprintf(
		    &next, "%.*s%s%s", (int)(p - *s), *s, to, p + strlen(from));
		at = (size_t)(p - *s) + strlen(to);
		free(*s);
		*s = next;
	}
}

/* The shipped sample is what conf_write_sample prints. */
START_TEST(test_sample_file)
{
	FILE *f;
	char *path, *want, *got = NULL;
	size_t len = 0;

	path = srcpath("config/estd.conf.sample");
	want = read_all(path);
	/* The shipped file is made by a build with the Makefile's paths. */
	replace_all(&want, "/usr/local/share/estd/", ESTD_DATADIR "/");
	replace_all(&want, "/etc/estd/", ESTD_SYSCONFDIR "/estd/");
	f = open_memstream(&got, &len);
	ck_assert_ptr_nonnull(f);
	conf_write_sample(f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_uint_eq(len, strlen(want));
	ck_assert_str_eq(got, want);
	/* Every key is in it, with its default. */
	ck_assert_ptr_nonnull(strstr(got, "\n[server]\n"));
	ck_assert_ptr_nonnull(strstr(got, "\nfailed_token_limit = 20\n"));
	ck_assert_ptr_nonnull(strstr(got, "\nfortnight_start = odd\n"));
	ck_assert_ptr_nonnull(strstr(got, "\nhost =\n"));
	ck_assert_ptr_nonnull(strstr(got,
	    "\n; From 16 to 4096.\n"
	    "max_connections = 512\n"));
	ck_assert_ptr_nonnull(strstr(got,
	    "\n; One of: required, optional, "
	    "off.\nstarttls = required\n"));
	free(got);
	free(want);
	free(path);
}
END_TEST

/* The sample loads, with its checklist pointed at a copy of the shipped. */
START_TEST(test_sample_loads)
{
	struct conf *c;
	char *path, *text, *cause = NULL, *line;

	path = srcpath("config/estd.conf.sample");
	text = read_all(path);
	free(path);
	xasprintf(&line, "\nfile = %s/estd/checklist.ini\n", ESTD_SYSCONFDIR);
	ck_assert_ptr_nonnull(strstr(text, line));
	replace_all(&text, line, "\nfile = checklist.ini\n");
	free(line);
	write_file("estd.conf", text);
	free(text);
	path = srcpath("config/checklist.ini");
	text = read_all(path);
	free(path);
	write_file("checklist.ini", text);
	free(text);

	path = tpath("estd.conf");
	c = conf_load(path, &cause);
	ck_assert_msg(c != NULL, "conf_load: %s", cause);
	check_defaults(c);
	check_shipped(&c->checklist);
	conf_free(c);
	free(path);
}
END_TEST

START_TEST(test_default_path)
{
	char *saved = getenv("ESTD_CONFIG");

	saved = saved != NULL ? xstrdup(saved) : NULL;
	unsetenv("ESTD_CONFIG");
	ck_assert_str_eq(
	    conf_default_path(), ESTD_SYSCONFDIR "/estd/estd.conf");
	setenv("ESTD_CONFIG", "", 1);
	ck_assert_str_eq(
	    conf_default_path(), ESTD_SYSCONFDIR "/estd/estd.conf");
	setenv("ESTD_CONFIG", "/srv/est/estd.conf", 1);
	ck_assert_str_eq(conf_default_path(), "/srv/est/estd.conf");
	if (saved != NULL)
		setenv("ESTD_CONFIG", saved, 1);
	else
		unsetenv("ESTD_CONFIG");
	free(saved);
}
END_TEST

/* [retention] and [backup]: defaults, every key, and what is refused. */
START_TEST(test_retention_backup_defaults)
{
	struct conf *c;

	c = load_ok("");
	ck_assert_int_eq(c->retention_free_text_days, 730);
	ck_assert_int_eq(c->retention_audit_days, 3650);
	ck_assert_str_eq(c->backup_dir, "");
	ck_assert_int_eq(c->backup_interval_hours, 6);
	ck_assert_int_eq(c->backup_keep, 8);
	conf_free(c);
}
END_TEST

START_TEST(test_retention_backup_keys)
{
	struct conf *c;
	char *want;

	c = load_ok(
	    "[retention]\nfree_text_days = 0\naudit_days = 36500\n"
	    "[backup]\ndir = backups\ninterval_hours = 168\nkeep = 1\n");
	ck_assert_int_eq(c->retention_free_text_days, 0);
	ck_assert_int_eq(c->retention_audit_days, 36500);
	/* Relative to the file's directory, like every path. */
	xasprintf(&want, "%s/backups", tmpdir);
	ck_assert_str_eq(c->backup_dir, want);
	free(want);
	ck_assert_int_eq(c->backup_interval_hours, 168);
	ck_assert_int_eq(c->backup_keep, 1);
	conf_free(c);

	c = load_ok("[backup]\ndir = /srv/backup/estd\ninterval_hours = 1\n"
		    "keep = 1000\n[retention]\naudit_days = 0\n");
	ck_assert_str_eq(c->backup_dir, "/srv/backup/estd");
	ck_assert_int_eq(c->backup_interval_hours, 1);
	ck_assert_int_eq(c->backup_keep, 1000);
	ck_assert_int_eq(c->retention_audit_days, 0);
	ck_assert_int_eq(c->retention_free_text_days, 730);
	conf_free(c);

	/* An empty dir is "off", not an error. */
	c = load_ok("[backup]\ndir =\n");
	ck_assert_str_eq(c->backup_dir, "");
	conf_free(c);
}
END_TEST

static const struct {
	const char *body;
	const char *want; /* after "<dir>/estd.conf:" */
} retention_backup_errors[] = {
    {"[retention]\nfree_text_days = -1\n",
	"2: [retention] free_text_days: must be from 0 to 36500, not -1"},
    {"[retention]\naudit_days = 36501\n",
	"2: [retention] audit_days: must be from 0 to 36500, not 36501"},
    {"[retention]\nfree_text_days = two years\n",
	"2: [retention] free_text_days: must be a whole number from 0 to "
	"36500, not \"two years\""},
    {"[retention]\nreports_days = 30\n",
	"2: [retention] reports_days: unknown key; the keys of [retention] "
	"are free_text_days and audit_days"},
    {"[backup]\ninterval_hours = 0\n",
	"2: [backup] interval_hours: must be from 1 to 168, not 0"},
    {"[backup]\ninterval_hours = 169\n",
	"2: [backup] interval_hours: must be from 1 to 168, not 169"},
    {"[backup]\nkeep = 0\n", "2: [backup] keep: must be from 1 to 1000, not 0"},
    {"[backup]\nkeep = 1001\n",
	"2: [backup] keep: must be from 1 to 1000, not 1001"},
    {"[backup]\nkeep = 8\nkeep = 9\n",
	"3: [backup] keep: given twice (first on line 2)"},
    {"[backup]\ndirectory = /srv\n",
	"2: [backup] directory: unknown key; the keys of [backup] are dir, "
	"interval_hours and keep"},
    {"[backup]\n[retention]\n[backup]\n",
	"3: [backup]: section given twice (first on line 1)"},
};

START_TEST(test_retention_backup_errors)
{
	expect_error(
	    retention_backup_errors[_i].body, retention_backup_errors[_i].want);
}
END_TEST

static Suite *
conf_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *tc;

	tc = tcase_create("conf");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_every_key);
	tcase_add_test(tc, test_syntax_accepted);
	tcase_add_loop_test(tc, test_conf_errors, 0, nitems(conf_errors));
	tcase_add_test(tc, test_longest_line);
	tcase_add_test(tc, test_unknown_timezone);
	tcase_add_test(tc, test_missing_files);
	tcase_add_test(tc, test_relative_paths);
	tcase_add_test(tc, test_default_path);
	tcase_add_test(tc, test_retention_backup_defaults);
	tcase_add_test(tc, test_retention_backup_keys);
	tcase_add_loop_test(tc, test_retention_backup_errors, 0,
	    nitems(retention_backup_errors));
	suite_add_tcase(s, tc);

	tc = tcase_create("checklist");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(
	    tc, test_checklist_errors, 0, nitems(checklist_errors));
	tcase_add_test(tc, test_checklist_max);
	tcase_add_test(tc, test_shipped_checklist);
	tcase_add_test(tc, test_checklist_missing);
	suite_add_tcase(s, tc);

	tc = tcase_create("sample");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_sample_file);
	tcase_add_test(tc, test_sample_loads);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return testutil_run(conf_suite());
}
