/*
 * check_mail: delivery through a real SMTP server on loopback, and the
 * spool.
 *
 * Each test starts tests/smtpd_fixture.py (Debian's python3-aiosmtpd,
 * run by /usr/bin/python3 or $ESTD_PYTHON, from the top of the tree as
 * the Makefile runs the suites) with the behaviour it needs: answer a
 * recipient 451 or 550, refuse DATA, offer or refuse STARTTLS, require
 * AUTH. The fixture writes each message it accepts as N.eml (bytes) and
 * N.json (parsed by Python's email package), and every command to
 * commands.log, which the tests read back.
 *
 * For STARTTLS, main() makes certificates with openssl(1): one for
 * "localhost" and one for "other.example" that the client trusts (both
 * in the file $SSL_CERT_FILE names, which OpenSSL's default verify
 * paths honour), and one it does not. Several STARTTLS sessions run in
 * one process (CK_FORK=no), as in the daemon.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "buf.h"
#include "conf.h"
#include "mail.h"
#include "mime.h"
#include "testutil.h"
#include "xmalloc.h"

#define FIXTURE "tests/smtpd_fixture.py"
#define ARGS_MAX 16

static const char SUBJECT[] = "Lägesbild v. 47 — Centrum och Södra";
static const char TEXT[] = "Hej!\n\nSkadegörelse åäö ÅÄÖ i Centrum.\n"
			   "Nivå 2 (förhöjd) = tre veckor i rad.\n";
static const char HTML[] = "<p>Skadegörelse åäö ÅÄÖ i Centrum.</p>\n";
static const char CSV[] = "område;nivå\r\nCentrum;2\r\n";

static const char *const RCPTS[] = {"anna@example.org", "syd@polisen.example"};

/* Set up once in main(): where the TLS files are. */
static char tls_dir[] = "/tmp/check_mail_tls.XXXXXX";
static char *cert_localhost, *key_localhost;
static char *cert_other, *key_other;
static char *cert_stranger, *key_stranger;

/* Strings for struct conf, whose members are not const. */
static char host_ip[] = "127.0.0.1";
static char host_name[] = "localhost";
static char empty[] = "";
static char from_box[] = "EST lägesbild <est@example.org>";
static char user_est[] = "est";

struct fixture {
	pid_t pid;
	int in; /* its stdin: closing it stops the server */
	int port;
	char dir[64]; /* messages, commands.log, spool */
	char *spool;
	char *password_file;
};

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
rm_tree(const char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static char *
path_in(const char *dir, const char *name)
{
	char *p;

	xasprintf(&p, "%s/%s", dir, name);
	return p;
}

static char *
read_file(const char *path, size_t *len)
{
	struct buf b = {NULL, 0, 0};
	char chunk[4096];
	ssize_t r;
	int fd;

	if ((fd = open(path, O_RDONLY)) == -1)
		return NULL;
	while ((r = read(fd, chunk, sizeof(chunk))) > 0)
		buf_append(&b, chunk, r);
	close(fd);
	buf_puts(&b, "");
	return buf_take(&b, len);
}

/* No Check assertions here: main() uses it outside any test. */
static int
write_file(const char *path, const char *data, mode_t mode)
{
	size_t len = strlen(data);
	int fd, rc = 0;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode)) == -1)
		return -1;
	if (write(fd, data, len) != (ssize_t)len)
		rc = -1;
	if (close(fd) == -1)
		rc = -1;
	return rc;
}

static void
put_file(const char *path, const char *data, mode_t mode)
{
	ck_assert_msg(
	    write_file(path, data, mode) == 0, "%s: %s", path, strerror(errno));
}

/* Names in dir ending in suffix. */
static int
count_files(const char *dir, const char *suffix)
{
	DIR *d;
	struct dirent *e;
	size_t n, s = strlen(suffix);
	int count = 0;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		n = strlen(e->d_name);
		if (n >= s && strcmp(e->d_name + n - s, suffix) == 0)
			count++;
	}
	closedir(d);
	return count;
}

/* Run a program quietly; its exit status. */
static int
run(const char *const argv[])
{
	pid_t pid;
	int status, fd;

	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		if ((fd = open("/dev/null", O_RDWR)) != -1) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execvp(argv[0], (char *const *)(const void *)argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) == -1 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * The fixture.
 */

static void
fixture_start(struct fixture *f, ...)
{
	const char *python, *argv[ARGS_MAX + 8];
	char *log, line[32];
	struct pollfd pfd;
	va_list ap;
	ssize_t r;
	size_t got = 0;
	int in[2], out[2], n = 0, fd;

	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/check_mail.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(f->dir));
	f->spool = path_in(f->dir, "spool");
	f->password_file = path_in(f->dir, "password");

	python = getenv("ESTD_PYTHON") != NULL ? getenv("ESTD_PYTHON")
					       : "/usr/bin/python3";
	argv[n++] = python;
	argv[n++] = FIXTURE;
	argv[n++] = "--dir";
	argv[n++] = f->dir;
	argv[n++] = "--lifetime";
	argv[n++] = "300";
	va_start(ap, f);
	while ((argv[n] = va_arg(ap, const char *)) != NULL) {
		ck_assert_int_lt(n, ARGS_MAX + 6);
		n++;
	}
	va_end(ap);

	ck_assert_int_eq(pipe2(in, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
	log = path_in(f->dir, "fixture.log");
	f->pid = fork();
	ck_assert_int_ne(f->pid, -1);
	if (f->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		if ((fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600)) != -1)
			dup2(fd, 2);
		execv(python, (char *const *)(const void *)argv);
		_exit(127);
	}
	free(log);
	close(in[0]);
	close(out[1]);
	f->in = in[1];

	/* The port arrives once the server listens. */
	pfd.fd = out[0];
	pfd.events = POLLIN;
	while (got < sizeof(line) - 1 && memchr(line, '\n', got) == NULL) {
		ck_assert_msg(poll(&pfd, 1, 20000) == 1,
		    "fixture did not "
		    "start (see %s/fixture.log)",
		    f->dir);
		r = read(out[0], line + got, sizeof(line) - 1 - got);
		ck_assert_msg(r > 0,
		    "fixture exited (is python3-aiosmtpd "
		    "installed? see %s/fixture.log)",
		    f->dir);
		got += r;
		line[got] = '\0';
	}
	close(out[0]);
	f->port = atoi(line);
	ck_assert_int_gt(f->port, 0);
}

static void
fixture_stop(struct fixture *f)
{
	int status, i;

	close(f->in);
	for (i = 0; i < 100; i++) {
		if (waitpid(f->pid, &status, WNOHANG) == f->pid)
			break;
		usleep(50000);
	}
	if (i == 100) {
		kill(f->pid, SIGKILL);
		waitpid(f->pid, &status, 0);
	}
	rm_tree(f->dir);
	free(f->spool);
	free(f->password_file);
}

/* A conf that sends to the fixture, in clear text, without AUTH. */
static void
fixture_conf(struct conf *c, const struct fixture *f)
{
	memset(c, 0, sizeof(*c));
	c->smtp_host = host_ip;
	c->smtp_port = f->port;
	c->smtp_starttls = STARTTLS_OFF;
	c->smtp_user = empty;
	c->smtp_password_file = empty;
	c->smtp_from = from_box;
	c->smtp_spool = f->spool;
}

static char *
commands(const struct fixture *f)
{
	char *p, *s;

	p = path_in(f->dir, "commands.log");
	s = read_file(p, NULL);
	free(p);
	return s != NULL ? s : xstrdup("");
}

static json_t *
saved_json(const struct fixture *f, int n)
{
	json_error_t err;
	json_t *j;
	char *p, name[16];

	snprintf(name, sizeof(name), "%d.json", n);
	p = path_in(f->dir, name);
	j = json_load_file(p, 0, &err);
	ck_assert_msg(j != NULL, "%s: %s", p, err.text);
	free(p);
	return j; /* new reference */
}

static const char *
jstr(json_t *j, const char *key)
{
	json_t *v = json_object_get(j, key); /* borrowed */

	ck_assert_msg(json_is_string(v), "%s is not a string", key);
	return json_string_value(v);
}

/*
 * Messages.
 */

static char *
swedish_message(size_t *len)
{
	const char *to[] = {"Anna Svensson <anna@example.org>",
	    "Polisen Syd <syd@polisen.example>"};
	struct mime_attachment a = {"lägesbild v47.csv",
	    "text/csv; charset=utf-8", CSV, sizeof(CSV) - 1};
	struct mime_message m;
	char *out, *cause = NULL;

	memset(&m, 0, sizeof(m));
	m.from = from_box;
	m.to = to;
	m.n_to = 2;
	m.subject = SUBJECT;
	m.date = 1795417200;
	m.utc_offset = 3600;
	m.message_id = "digest-2026-47-centrum@est.example.org";
	m.boundary_seed = "Zq81x";
	m.text = TEXT;
	m.html = HTML;
	m.attachments = &a;
	m.n_attachments = 1;
	if (mime_build(&m, &out, len, &cause) == -1)
		ck_abort_msg("mime_build: %s", cause);
	return out;
}

/* Send the Swedish message to RCPTS; statuses in st[2]. */
static char *
send_swedish(const struct conf *c, struct mail_status *st, size_t *len)
{
	char *msg, *cause = NULL;

	msg = swedish_message(len);
	if (mail_send(c, "digest-2026-47-centrum", msg, *len, RCPTS, 2, st,
		&cause) != 0)
		ck_abort_msg("mail_send: %s", cause);
	return msg;
}

static void
expect(const struct mail_status *st, enum mail_result r, int code,
    const char *reason_part)
{
	ck_assert_msg(st->result == r, "result %s, want %s (%s)",
	    mail_result_name(st->result), mail_result_name(r),
	    st->reason != NULL ? st->reason : "");
	ck_assert_int_eq(st->code, code);
	ck_assert_ptr_nonnull(st->reason);
	ck_assert_msg(strstr(st->reason, reason_part) != NULL,
	    "reason \"%s\" lacks \"%s\"", st->reason, reason_part);
}

/* Nothing reached the fixture: no MAIL command, no saved message. */
static void
expect_nothing_sent(const struct fixture *f)
{
	char *c = commands(f);

	ck_assert_msg(strstr(c, "MAIL ") == NULL, "MAIL was sent: %s", c);
	ck_assert_int_eq(count_files(f->dir, ".eml"), 0);
	free(c);
}

START_TEST(delivers_swedish_multipart_to_two)
{
	struct fixture f;
	struct conf c;
	struct mail_status st[2];
	json_t *j, *a;
	char *msg, *saved, *p;
	size_t len, slen;

	fixture_start(&f, NULL);
	fixture_conf(&c, &f);
	msg = send_swedish(&c, st, &len);
	expect(&st[0], MAIL_SENT, 250, "250 2.0.0 Ok: queued as Q1");
	expect(&st[1], MAIL_SENT, 250, "250 2.0.0 Ok: queued as Q1");

	/* libESMTP passed the bytes through unchanged. */
	p = path_in(f.dir, "1.eml");
	saved = read_file(p, &slen);
	ck_assert_ptr_nonnull(saved);
	ck_assert_uint_eq(slen, len);
	ck_assert_mem_eq(saved, msg, len);
	free(saved);
	free(p);

	j = saved_json(&f, 1);
	ck_assert_str_eq(jstr(j, "mail_from"), "est@example.org");
	ck_assert_uint_eq(json_array_size(json_object_get(j, "rcpt_tos")), 2);
	ck_assert_str_eq(json_string_value(
			     json_array_get(json_object_get(j, "rcpt_tos"), 0)),
	    "anna@example.org");
	ck_assert_str_eq(json_string_value(
			     json_array_get(json_object_get(j, "rcpt_tos"), 1)),
	    "syd@polisen.example");
	ck_assert_str_eq(jstr(j, "subject"), SUBJECT);
	ck_assert_str_eq(jstr(j, "from"), "EST lägesbild <est@example.org>");
	ck_assert_str_eq(jstr(j, "to"),
	    "Anna Svensson <anna@example.org>, "
	    "Polisen Syd <syd@polisen.example>");
	ck_assert_str_eq(
	    jstr(j, "message_id"), "<digest-2026-47-centrum@est.example.org>");
	ck_assert_str_eq(jstr(j, "content_type"), "multipart/mixed");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "defects")), 0);
	ck_assert_str_eq(jstr(j, "text"), TEXT);
	ck_assert_str_eq(jstr(j, "html"), HTML);
	ck_assert_uint_eq(
	    json_array_size(json_object_get(j, "attachments")), 1);
	a = json_array_get(json_object_get(j, "attachments"), 0);
	ck_assert_str_eq(jstr(a, "filename"), "lägesbild v47.csv");
	ck_assert_str_eq(jstr(a, "content_type"), "text/csv");
	ck_assert_str_eq(jstr(a, "content"), CSV);
	ck_assert(json_is_false(json_object_get(j, "tls")));
	json_decref(j);

	mail_status_free(st, 2);
	free(msg);
	fixture_stop(&f);
}
END_TEST

START_TEST(recipient_451_defers_alone)
{
	struct fixture f;
	struct conf c;
	struct mail_status st[2];
	json_t *j;
	char *msg;
	size_t len;

	fixture_start(&f, "--rcpt", "syd@polisen.example=451", NULL);
	fixture_conf(&c, &f);
	msg = send_swedish(&c, st, &len);
	expect(&st[0], MAIL_SENT, 250, "queued as Q1");
	expect(&st[1], MAIL_DEFER, 451,
	    "451 4.2.0 Mailbox temporarily unavailable");
	j = saved_json(&f, 1);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "rcpt_tos")), 1);
	json_decref(j);
	mail_status_free(st, 2);
	free(msg);
	fixture_stop(&f);
}
END_TEST

START_TEST(recipient_550_fails_alone)
{
	struct fixture f;
	struct conf c;
	struct mail_status st[2];
	char *msg;
	size_t len;

	fixture_start(&f, "--rcpt", "anna@example.org=550", NULL);
	fixture_conf(&c, &f);
	msg = send_swedish(&c, st, &len);
	expect(&st[0], MAIL_FAIL, 550, "550 5.1.1 No such user");
	expect(&st[1], MAIL_SENT, 250, "queued as Q1");
	ck_assert_int_eq(count_files(f.dir, ".eml"), 1);
	mail_status_free(st, 2);
	free(msg);
	fixture_stop(&f);
}
END_TEST

START_TEST(data_refused)
{
	struct fixture f;
	struct conf c;
	struct mail_status st[2];
	char *msg;
	size_t len;

	fixture_start(&f, "--data", "554", NULL);
	fixture_conf(&c, &f);
	msg = send_swedish(&c, st, &len);
	expect(&st[0], MAIL_FAIL, 554, "554 5.6.0 Message refused");
	expect(&st[1], MAIL_FAIL, 554, "554 5.6.0 Message refused");
	mail_status_free(st, 2);
	free(msg);
	fixture_stop(&f);

	fixture_start(&f, "--data", "452", NULL);
	fixture_conf(&c, &f);
	msg = send_swedish(&c, st, &len);
	expect(&st[0], MAIL_DEFER, 452, "452 4.3.1");
	expect(&st[1], MAIL_DEFER, 452, "452 4.3.1");
	ck_assert_int_eq(count_files(f.dir, ".eml"), 0);
	mail_status_free(st, 2);
	free(msg);
	fixture_stop(&f);
}
END_TEST

START_TEST(no_server_defers_all)
{
	struct fixture f;
	struct conf c;
	struct mail_status st[2];
	char *msg, *want;
	size_t len;

	/* A port that was just free: nothing listens there now. */
	fixture_start(&f, NULL);
	fixture_conf(&c, &f);
	fixture_stop(&f);
	msg = send_swedish(&c, st, &len);
	xasprintf(&want, "cannot connect to 127.0.0.1:%d: Connection refused",
	    c.smtp_port);
	expect(&st[0], MAIL_DEFER, 0, want);
	expect(&st[1], MAIL_DEFER, 0, want);
	free(want);
	mail_status_free(st, 2);
	free(msg);
}
END_TEST

START_TEST(starttls_required_not_offered)
{
	struct fixture f;
	struct conf c;
	struct mail_status st[2];
	char *msg;
	size_t len;

	fixture_start(&f, NULL);
	fixture_conf(&c, &f);
	c.smtp_starttls = STARTTLS_REQUIRED;
	msg = send_swedish(&c, st, &len);
	expect(
	    &st[0], MAIL_DEFER, 0, "STARTTLS: relay does not offer STARTTLS");
	expect(
	    &st[1], MAIL_DEFER, 0, "STARTTLS: relay does not offer STARTTLS");
	expect_nothing_sent(&f);
	mail_status_free(st, 2);
	free(msg);
	fixture_stop(&f);
}
END_TEST

START_TEST(starttls_refused_by_relay)
{
	struct fixture f;
	struct conf c;
	struct mail_status st[2];
	char *msg;
	size_t len;

	fixture_start(&f, "--refuse-starttls", NULL);
	fixture_conf(&c, &f);
	c.smtp_starttls = STARTTLS_REQUIRED;
	msg = send_swedish(&c, st, &len);
	expect(&st[0], MAIL_DEFER, 0, "454 4.7.0 TLS not available");
	expect(&st[1], MAIL_DEFER, 0, "454 4.7.0 TLS not available");
	expect_nothing_sent(&f);
	mail_status_free(st, 2);
	free(msg);

	/* optional does not fall back to clear text either. */
	c.smtp_starttls = STARTTLS_OPTIONAL;
	msg = send_swedish(&c, st, &len);
	expect(&st[0], MAIL_DEFER, 0, "454 4.7.0 TLS not available");
	expect_nothing_sent(&f);
	mail_status_free(st, 2);
	free(msg);
	fixture_stop(&f);
}
END_TEST

START_TEST(starttls_with_trusted_certificate)
{
	struct fixture f;
	struct conf c;
	struct mail_status st[2];
	json_t *j;
	char *msg;
	size_t len;

	fixture_start(&f, "--tls", cert_localhost, key_localhost, NULL);
	fixture_conf(&c, &f);
	c.smtp_host = host_name;
	c.smtp_starttls = STARTTLS_REQUIRED;
	msg = send_swedish(&c, st, &len);
	expect(&st[0], MAIL_SENT, 250, "queued as Q1");
	expect(&st[1], MAIL_SENT, 250, "queued as Q1");
	j = saved_json(&f, 1);
	ck_assert(json_is_true(json_object_get(j, "tls")));
	ck_assert_str_eq(jstr(j, "subject"), SUBJECT);
	json_decref(j);
	mail_status_free(st, 2);
	free(msg);

	/*
	 * A second STARTTLS session in the same process: with libESMTP's
	 * own SSL_CTX this one used freed memory (libESMTP#30).
	 */
	c.smtp_starttls = STARTTLS_OPTIONAL;
	msg = send_swedish(&c, st, &len);
	expect(&st[0], MAIL_SENT, 250, "queued as Q2");
	j = saved_json(&f, 2);
	ck_assert(json_is_true(json_object_get(j, "tls")));
	json_decref(j);
	mail_status_free(st, 2);
	free(msg);
	fixture_stop(&f);
}
END_TEST

START_TEST(starttls_untrusted_or_wrong_name)
{
	struct fixture f;
	struct conf c;
	struct mail_status st[2];
	char *msg;
	size_t len;

	fixture_start(&f, "--tls", cert_stranger, key_stranger, NULL);
	fixture_conf(&c, &f);
	c.smtp_host = host_name;
	c.smtp_starttls = STARTTLS_OPTIONAL;
	msg = send_swedish(&c, st, &len);
	expect(&st[0], MAIL_DEFER, 0,
	    "STARTTLS: certificate of the relay not trusted");
	expect(&st[1], MAIL_DEFER, 0,
	    "STARTTLS: certificate of the relay not trusted");
	expect_nothing_sent(&f);
	mail_status_free(st, 2);
	free(msg);
	fixture_stop(&f);

	fixture_start(&f, "--tls", cert_other, key_other, NULL);
	fixture_conf(&c, &f);
	c.smtp_host = host_name;
	c.smtp_starttls = STARTTLS_REQUIRED;
	msg = send_swedish(&c, st, &len);
	expect(&st[0], MAIL_DEFER, 0,
	    "STARTTLS: certificate of the relay "
	    "is for \"other.example\"");
	expect_nothing_sent(&f);
	mail_status_free(st, 2);
	free(msg);
	fixture_stop(&f);
}
END_TEST

START_TEST(auth_plain_with_password_file)
{
	struct fixture f;
	struct conf c;
	struct mail_status st[2];
	json_t *j;
	char *msg, *log;
	size_t len;

	fixture_start(&f, "--auth", "est:hemligt lösen", NULL);
	fixture_conf(&c, &f);
	c.smtp_user = user_est;
	c.smtp_password_file = f.password_file;
	put_file(f.password_file, "hemligt lösen\n", 0600);
	msg = send_swedish(&c, st, &len);
	expect(&st[0], MAIL_SENT, 250, "queued as Q1");
	expect(&st[1], MAIL_SENT, 250, "queued as Q1");
	j = saved_json(&f, 1);
	ck_assert(json_is_true(json_object_get(j, "authenticated")));
	json_decref(j);
	/* libESMTP takes the relay's first mechanism: aiosmtpd lists LOGIN. */
	log = commands(&f);
	ck_assert_str_eq(log,
	    "AUTH LOGIN est ok\nMAIL est@example.org\n"
	    "RCPT anna@example.org\nRCPT syd@polisen.example\nDATA\n");
	free(log);
	mail_status_free(st, 2);
	free(msg);
	fixture_stop(&f);
}
END_TEST

START_TEST(auth_wrong_password_defers)
{
	struct fixture f;
	struct conf c;
	struct mail_status st[2];
	char *msg, *log;
	size_t len;

	fixture_start(&f, "--auth", "est:hemligt", NULL);
	fixture_conf(&c, &f);
	c.smtp_user = user_est;
	c.smtp_password_file = f.password_file;
	put_file(f.password_file, "fel\r\n", 0600);
	msg = send_swedish(&c, st, &len);
	expect(&st[0], MAIL_DEFER, 0, "authentication failed: 535 5.7.8");
	expect(&st[1], MAIL_DEFER, 0, "authentication failed: 535 5.7.8");
	/*
	 * Both plain mechanisms are tried; libESMTP then goes on to MAIL,
	 * which aiosmtpd refuses (530) before its handler sees it.
	 */
	log = commands(&f);
	ck_assert_str_eq(log, "AUTH LOGIN est bad\nAUTH PLAIN est bad\n");
	free(log);
	ck_assert_int_eq(count_files(f.dir, ".eml"), 0);
	mail_status_free(st, 2);
	free(msg);
	fixture_stop(&f);
}
END_TEST

START_TEST(auth_not_offered_sends_nothing)
{
	struct fixture f;
	struct conf c;
	struct mail_status st[2];
	char *msg;
	size_t len;

	fixture_start(&f, NULL);
	fixture_conf(&c, &f);
	c.smtp_user = user_est;
	c.smtp_password_file = f.password_file;
	put_file(f.password_file, "hemligt\n", 0600);
	msg = send_swedish(&c, st, &len);
	expect(&st[0], MAIL_DEFER, 0,
	    "not authenticated: the relay offered "
	    "no AUTH mechanism we may use");
	expect(&st[1], MAIL_DEFER, 0, "not authenticated");
	/* The envelope went out, the message did not. */
	ck_assert_int_eq(count_files(f.dir, ".eml"), 0);
	mail_status_free(st, 2);
	free(msg);
	fixture_stop(&f);
}
END_TEST

START_TEST(password_file_problems_defer)
{
	struct fixture f;
	struct conf c;
	struct mail_status st[2];
	char *msg, *want;
	size_t len;

	fixture_start(&f, "--auth", "est:hemligt", NULL);
	fixture_conf(&c, &f);
	c.smtp_user = user_est;
	c.smtp_password_file = f.password_file;
	msg = send_swedish(&c, st, &len);
	xasprintf(&want, "password file %s: No such file or directory",
	    f.password_file);
	expect(&st[0], MAIL_DEFER, 0, want);
	free(want);
	mail_status_free(st, 2);
	free(msg);

	put_file(f.password_file, "\n", 0600);
	msg = send_swedish(&c, st, &len);
	expect(&st[1], MAIL_DEFER, 0, "must hold one non-empty line");
	mail_status_free(st, 2);
	free(msg);

	c.smtp_password_file = empty;
	msg = send_swedish(&c, st, &len);
	expect(&st[0], MAIL_DEFER, 0,
	    "[smtp] user is set but password_file "
	    "is not");
	mail_status_free(st, 2);
	free(msg);
	expect_nothing_sent(&f);
	fixture_stop(&f);
}
END_TEST

START_TEST(invalid_recipient_fails_alone)
{
	struct fixture f;
	struct conf c;
	struct mail_status st[3];
	const char *rcpts[] = {
	    "anna@example.org", "Anna <anna@example.org>", "åsa@example.org"};
	char *msg, *cause = NULL, *log;
	size_t len;

	fixture_start(&f, NULL);
	fixture_conf(&c, &f);
	msg = swedish_message(&len);
	ck_assert_int_eq(
	    mail_send(&c, "m1", msg, len, rcpts, 3, st, &cause), 0);
	expect(&st[0], MAIL_SENT, 250, "queued as Q1");
	expect(&st[1], MAIL_FAIL, 0, "not a plain address (local@domain)");
	expect(&st[2], MAIL_FAIL, 0, "not a plain address (local@domain)");
	log = commands(&f);
	ck_assert_str_eq(log,
	    "MAIL est@example.org\nRCPT anna@example.org\n"
	    "DATA\n");
	free(log);
	mail_status_free(st, 3);
	free(msg);
	fixture_stop(&f);
}
END_TEST

START_TEST(bad_calls_refused)
{
	struct fixture f;
	struct conf c;
	struct mail_status st[2];
	char *cause = NULL;
	const char *lf = "Subject: x\n\nbody\n";
	const char *nobody = "Subject: x\r\n";
	const char *ok = "Subject: x\r\n\r\nbody\r\n";

	memset(&f, 0, sizeof(f));
	f.port = 25;
	f.spool = empty;
	fixture_conf(&c, &f);
	memset(st, 0x5a, sizeof(st));
	ck_assert_int_eq(
	    mail_send(&c, "id", ok, strlen(ok), RCPTS, 0, st, &cause), -1);
	ck_assert_str_eq(cause, "no recipients");
	free(cause);
	ck_assert_int_eq(
	    mail_send(&c, "id", lf, strlen(lf), RCPTS, 2, st, &cause), -1);
	ck_assert_str_eq(cause, "message has a bare CR or LF at byte 10");
	free(cause);
	ck_assert_int_eq(
	    mail_send(&c, "id", nobody, strlen(nobody), RCPTS, 2, st, &cause),
	    -1);
	ck_assert_str_eq(cause,
	    "message has no blank line after its "
	    "headers");
	free(cause);
	ck_assert_int_eq(mail_send(&c, "id", ok, 0, RCPTS, 2, st, &cause), -1);
	ck_assert_str_eq(cause, "empty message");
	free(cause);
	ck_assert_int_eq(
	    mail_send(&c, "../etc/x", ok, strlen(ok), RCPTS, 2, st, &cause),
	    -1);
	ck_assert_str_eq(cause,
	    "message id is not 1-128 of "
	    "[A-Za-z0-9._@+=-] starting with no dot");
	free(cause);
	ck_assert_int_eq(
	    mail_send(&c, ".hidden", ok, strlen(ok), RCPTS, 2, st, &cause), -1);
	free(cause);
	/* status untouched on refusal */
	ck_assert_int_eq(st[0].code, 0x5a5a5a5a);

	ck_assert_str_eq(mail_result_name(MAIL_SENT), "sent");
	ck_assert_str_eq(mail_result_name(MAIL_DEFER), "defer");
	ck_assert_str_eq(mail_result_name(MAIL_FAIL), "fail");
}
END_TEST

START_TEST(spool_one_file_per_id)
{
	struct conf c;
	struct mail_status st[2];
	struct stat sb;
	char dir[] = "/tmp/check_mail_spool.XXXXXX";
	char *spool, *path, *data, *cause = NULL, *msg;
	const char *second = "Subject: again\r\n\r\nbody\r\n";
	size_t len, dlen;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	xasprintf(&spool, "%s/var/outbox", dir); /* made on demand */
	memset(&c, 0, sizeof(c));
	c.smtp_host = empty;
	c.smtp_from = from_box;
	c.smtp_spool = spool;
	msg = swedish_message(&len);

	ck_assert_int_eq(
	    mail_send(&c, "digest-47.1", msg, len, RCPTS, 2, st, &cause), 0);
	xasprintf(&path, "written to %s/digest-47.1.eml", spool);
	expect(&st[0], MAIL_SENT, 0, path);
	expect(&st[1], MAIL_SENT, 0, path);
	free(path);
	mail_status_free(st, 2);
	ck_assert_int_eq(count_files(spool, ""), 3); /* ., .., the file */
	ck_assert_int_eq(count_files(spool, ".eml"), 1);
	ck_assert_int_eq(stat(spool, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 07777, 0700);
	path = path_in(spool, "digest-47.1.eml");
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 07777, 0600);
	data = read_file(path, &dlen);
	ck_assert_uint_eq(dlen, len);
	ck_assert_mem_eq(data, msg, len);
	free(data);

	/* The same id again: the same single file, new content. */
	ck_assert_int_eq(
	    mail_spool(&c, "digest-47.1", second, strlen(second), &cause), 0);
	ck_assert_int_eq(count_files(spool, ""), 3);
	data = read_file(path, NULL);
	ck_assert_str_eq(data, second);
	free(data);
	free(path);

	/* Another id: another file. */
	ck_assert_int_eq(
	    mail_spool(&c, "reminder-47.9@x", second, strlen(second), &cause),
	    0);
	ck_assert_int_eq(count_files(spool, ".eml"), 2);

	ck_assert_int_eq(
	    mail_spool(&c, "a/b", second, strlen(second), &cause), -1);
	ck_assert_str_eq(cause,
	    "message id is not 1-128 of "
	    "[A-Za-z0-9._@+=-] starting with no dot");
	free(cause);

	/* A spool that cannot be made defers the recipients. */
	free(spool);
	xasprintf(&spool, "%s/var/outbox/digest-47.1.eml/sub", dir);
	c.smtp_spool = spool;
	ck_assert_int_eq(
	    mail_send(&c, "x1", msg, len, RCPTS, 2, st, &cause), 0);
	expect(&st[0], MAIL_DEFER, 0, "mkdir");
	mail_status_free(st, 2);

	free(msg);
	free(spool);
	rm_tree(dir);
}
END_TEST

/*
 * TLS files for the whole run.
 */

static char *
make_cert(const char *name)
{
	char *cert, *key, *subj, *san;
	const char *argv[] = {"openssl", "req", "-x509", "-newkey", "ec",
	    "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
	    "-subj", NULL, "-addext", NULL, "-keyout", NULL, "-out", NULL,
	    NULL};

	xasprintf(&cert, "%s/%s.pem", tls_dir, name);
	xasprintf(&key, "%s/%s.key", tls_dir, name);
	xasprintf(&subj, "/CN=%s", name);
	xasprintf(&san, "subjectAltName=DNS:%s", name);
	argv[11] = subj;
	argv[13] = san;
	argv[15] = key;
	argv[17] = cert;
	if (run(argv) != 0) {
		fprintf(
		    stderr, "check_mail: openssl req failed for %s\n", name);
		exit(1);
	}
	free(subj);
	free(san);
	free(key);
	return cert;
}

static void
concat(const char *out, const char *a, const char *b)
{
	char *da, *db, *all;

	da = read_file(a, NULL);
	db = read_file(b, NULL);
	if (da == NULL || db == NULL) {
		fprintf(stderr, "check_mail: cannot read %s or %s\n", a, b);
		exit(1);
	}
	xasprintf(&all, "%s%s", da, db);
	if (write_file(out, all, 0600) == -1) {
		perror(out);
		exit(1);
	}
	free(da);
	free(db);
	free(all);
}

static void
tls_setup(void)
{
	char *ca;

	if (mkdtemp(tls_dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	cert_localhost = make_cert("localhost");
	cert_other = make_cert("other.example");
	cert_stranger = make_cert("stranger");
	xasprintf(&key_localhost, "%s/localhost.key", tls_dir);
	xasprintf(&key_other, "%s/other.example.key", tls_dir);
	xasprintf(&key_stranger, "%s/stranger.key", tls_dir);
	xasprintf(&ca, "%s/ca.pem", tls_dir);
	concat(ca, cert_localhost, cert_other);
	setenv("SSL_CERT_FILE", ca, 1);
	unsetenv("SSL_CERT_DIR");
	free(ca);
}

static void
tls_teardown(void)
{
	rm_tree(tls_dir);
	free(cert_localhost);
	free(cert_other);
	free(cert_stranger);
	free(key_localhost);
	free(key_other);
	free(key_stranger);
}

static Suite *
mail_suite(void)
{
	Suite *s = suite_create("mail");
	TCase *tc;

	tc = tcase_create("relay");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, delivers_swedish_multipart_to_two);
	tcase_add_test(tc, recipient_451_defers_alone);
	tcase_add_test(tc, recipient_550_fails_alone);
	tcase_add_test(tc, data_refused);
	tcase_add_test(tc, no_server_defers_all);
	tcase_add_test(tc, invalid_recipient_fails_alone);
	tcase_add_test(tc, bad_calls_refused);
	suite_add_tcase(s, tc);

	tc = tcase_create("starttls");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, starttls_required_not_offered);
	tcase_add_test(tc, starttls_refused_by_relay);
	tcase_add_test(tc, starttls_with_trusted_certificate);
	tcase_add_test(tc, starttls_untrusted_or_wrong_name);
	suite_add_tcase(s, tc);

	tc = tcase_create("auth");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, auth_plain_with_password_file);
	tcase_add_test(tc, auth_wrong_password_defers);
	tcase_add_test(tc, auth_not_offered_sends_nothing);
	tcase_add_test(tc, password_file_problems_defer);
	suite_add_tcase(s, tc);

	tc = tcase_create("spool");
	tcase_add_test(tc, spool_one_file_per_id);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	int rc;

	/* As the daemon does: libESMTP may write to a closed socket. */
	signal(SIGPIPE, SIG_IGN);
	tls_setup();
	rc = testutil_run(mail_suite());
	tls_teardown();
	return rc;
}
