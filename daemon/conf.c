/*
 * conf: estd.conf and the checklist file, read with libinih.
 *
 * DESIGN: keys[] below is the only description of estd.conf. Each entry
 * names the section, key, type, default, bounds, help text and the member
 * of struct conf it fills. Defaults are applied by parsing their text
 * through the same code as values from the file, so a default can never
 * disagree with the validation; conf_write_sample() prints the sample file
 * from the same entries.
 *
 * libinih splits "key = value" lines and strips comments. The rest happens
 * in the reader we give ini_parse_stream(), because of what inih does not
 * do for us: its handler gets no line number (Debian builds it without
 * INI_HANDLER_LINENO), so the reader counts lines; it never reports a
 * section without keys and truncates long section names, so the reader
 * reads [section] lines itself; it takes an indented line as the
 * continuation of the previous value (surprising in a hand-edited file),
 * so the reader strips leading blanks; and it silently splits a line longer
 * than its buffer in two, so the reader refuses such lines.
 *
 * Every section appears once, except webhooks: each is a section of its
 * own, "[webhook NAME]", as many as wanted. Their keys are in keys[] like
 * any other (KEY_WEBHOOK: the offset is into struct conf_webhook); a
 * new section starts a new webhook with the defaults filled in, and its
 * url must be given before the section ends.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ini.h>

#include "buf.h"
#include "conf.h"
#include "log.h"
#include "xmalloc.h"

#ifndef ESTD_DATADIR
#define ESTD_DATADIR "/usr/local/share/estd"
#endif
#ifndef ESTD_SYSCONFDIR
#define ESTD_SYSCONFDIR "/etc"
#endif

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

/* Enum members are written through an int. */
_Static_assert(sizeof(enum cadence) == sizeof(int), "enum cadence");
_Static_assert(sizeof(enum fortnight_parity) == sizeof(int), "enum parity");
_Static_assert(sizeof(enum analysis_kind) == sizeof(int), "enum analysis");
_Static_assert(sizeof(enum starttls_mode) == sizeof(int), "enum starttls");
_Static_assert(sizeof(enum hook_format) == sizeof(int), "enum hook_format");
_Static_assert(HOOK_EVENT_N <= 32, "hook events fit an unsigned int");

enum key_type {
	KEY_STRING, /* char * */
	KEY_PATH, /* char *, made absolute */
	KEY_INT, /* int, min..max */
	KEY_ENUM, /* an enum: index into words */
	KEY_WEEKLY, /* struct weekly_time, "mon 08:00" */
	KEY_BOOL, /* bool: true or false */
	KEY_EVENTS, /* unsigned int, bit (1 << enum hook_event) */
};

#define KEY_EMPTY_OK 0x1 /* a string or path that may be "" */
#define KEY_WEBHOOK 0x2 /* in struct conf_webhook, per section */

struct key {
	const char *section;
	const char *name;
	enum key_type type;
	const char *def;
	int min;
	int max;
	const char *const *words; /* KEY_ENUM, NULL-terminated */
	int flags;
	/* Extra check of a string; may rewrite *value (owned). */
	int (*check)(char **value, char **msg);
	size_t offset;
	const char *help;
};

static int check_listen(char **, char **);
static int check_base_url(char **, char **);
static int check_timezone(char **, char **);
static int check_host(char **, char **);
static int check_from(char **, char **);
static int check_http_url(char **, char **);
static int check_locations(char **, char **);

/* In enum order: the index of a word is the enum's value. */
static const char *const cadence_words[] = {"weekly", "fortnightly", NULL};
static const char *const parity_words[] = {"odd", "even", NULL};
static const char *const analysis_words[] = {"quarter", "tertial", NULL};
static const char *const starttls_words[] = {
    "required", "optional", "off", NULL};
static const char *const bool_words[] = {"false", "true", NULL};
static const char *const format_words[] = {"json", "slack", "teams", NULL};
/* In enum hook_event order. */
static const char *const hook_event_words[] = {"picture.compiled",
    "flag.opened", "flag.closed", "digest.sent", "analysis.ready", NULL};
static const char *const weekdays[] = {
    "mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL};

static const struct section {
	const char *name;
	const char *help;
} sections[] = {
    {"server",
	"The web server: the reporters' form and the "
	"pictures."},
    {"storage", "Where reports, areas and people are kept."},
    {"periods", "The reporting calendar and when mail goes out."},
    {"flags",
	"When a problem counts as persistent (kvarstående "
	"problem)."},
    {"smtp", "Sending mail."},
    {"checklist", "The indicators on the reporters' form."},
    {"police",
	"The police's event notices (polisen.se/api/events) "
	"for the municipality,\ncounted by type on each "
	"picture. Their positions are the centre of the\n"
	"municipality or county, never a place: they are "
	"never put in an area."},
    {"webhook",
	"Webhooks: a POST to another system when something "
	"happens. Each webhook is\na section of its own, "
	"[webhook NAME] (NAME: 1-32 of a-z, 0-9, - and _),\n"
	"as many as wanted. Deliveries are queued in the "
	"database and retried\nwith back-off for five days, "
	"so a receiver that is down loses nothing\n(estctl "
	"webhooks shows them). Bodies carry no names or "
	"addresses of\nreporters, and no free text unless "
	"include_notes = true. For example:\n"
	"  [webhook teams]\n  url = https://example.org/hook\n"
	"  events = flag.opened, flag.closed\n"
	"  format = teams\n  secret = a long random string"},
    {"retention",
	"How long what is stored is kept. Reports handed to a "
	"municipality are\nofficial documents: set these with "
	"the municipality's archive rules\n(gallringsbeslut) "
	"in mind."},
    {"backup",
	"Online copies of the database, made while estd runs. "
	"To restore: stop\nestd, copy a backup over the "
	"database and its .key over the key file,\ndelete "
	"the database's -wal and -shm files, start estd."},
};

#define M(member) offsetof(struct conf, member)
#define W(member) offsetof(struct conf_webhook, member)

/* Every key of estd.conf, in the order of the sample file. */
static const struct key keys[] = {
    /* [server] */
    {"server", "listen", KEY_STRING, "127.0.0.1:8080", 0, 0, NULL, 0,
	check_listen, M(listen),
	"Address and port to listen on: host:port, or [::1]:8080 for "
	"IPv6.\nPort 0 lets the system choose a free port."},
    {"server", "base_url", KEY_STRING, "http://127.0.0.1:8080", 0, 0, NULL, 0,
	check_base_url, M(base_url),
	"Address of estd as users reach it, for the links in e-mails.\n"
	"Starts with http:// or https://; a trailing slash is dropped."},
    {"server", "max_connections", KEY_INT, "512", 16, 4096, NULL, 0, NULL,
	M(max_connections),
	"Most HTTP connections served at once; more are refused."},
    {"server", "connection_timeout", KEY_INT, "15", 1, 300, NULL, 0, NULL,
	M(connection_timeout),
	"Seconds an idle or slow HTTP connection is kept open."},
    {"server", "max_body", KEY_INT, "65536", 1024, 1048576, NULL, 0, NULL,
	M(max_body), "Largest request body accepted, in bytes."},
    {"server", "failed_token_limit", KEY_INT, "20", 1, 10000, NULL, 0, NULL,
	M(failed_token_limit),
	"Requests with an unknown link allowed per client address a "
	"minute;\nmore from that address are refused until the minute "
	"is over."},
    {"server", "trusted_proxies", KEY_STRING, "127.0.0.1 ::1", 0, 0, NULL,
	KEY_EMPTY_OK, NULL, M(trusted_proxies),
	"Addresses of reverse proxies whose X-Forwarded-For names the "
	"client,\nseparated by spaces; empty: believe no proxy."},
    {"server", "templates", KEY_PATH, ESTD_DATADIR "/reporter-form", 0, 0, NULL,
	0, NULL, M(templates),
	"Directory of the templates of every page and mail."},

    /* [storage] */
    {"storage", "database", KEY_PATH, "/var/lib/estd/estd.db", 0, 0, NULL, 0,
	NULL, M(database),
	"The SQLite database. estd must be allowed to write in its "
	"directory."},
    {"storage", "key_file", KEY_PATH, "", 0, 0, NULL, KEY_EMPTY_OK, NULL,
	M(key_file),
	"Secret key from which the personal links in reminders and "
	"digests\nare made (created by estctl init; empty: the database "
	"path plus \".key\").\nKeep it as private as the database, and "
	"back it up with it."},

    /* [periods] */
    {"periods", "cadence", KEY_ENUM, "weekly", 0, 0, cadence_words, 0, NULL,
	M(cadence),
	"How often reporters report: every ISO week, or every other "
	"week."},
    {"periods", "fortnight_start", KEY_ENUM, "odd", 0, 0, parity_words, 0, NULL,
	M(fortnight_start),
	"With cadence = fortnightly: whether fortnights start on odd or "
	"even\nISO week numbers."},
    {"periods", "timezone", KEY_STRING, "Europe/Stockholm", 0, 0, NULL, 0,
	check_timezone, M(timezone),
	"Time zone of the calendar, digest_at and reminder_at (a tz "
	"database name)."},
    {"periods", "analysis", KEY_ENUM, "quarter", 0, 0, analysis_words, 0, NULL,
	M(analysis),
	"Analysis period of the steering group: quarters, or tertials\n"
	"(T1 January-April, T2 May-August, T3 September-December)."},
    {"periods", "digest_at", KEY_WEEKLY, "mon 08:00", 0, 0, NULL, 0, NULL,
	M(digest_at),
	"When the picture of the period just closed is mailed. Reports "
	"for that\nperiod are accepted until then."},
    {"periods", "reminder_at", KEY_WEEKLY, "fri 12:00", 0, 0, NULL, 0, NULL,
	M(reminder_at),
	"When reporters who have not reported yet are reminded."},

    /* [flags] */
    {"flags", "level", KEY_INT, "2", 1, 3, NULL, 0, NULL, M(flag_level),
	"A rating at or above this is elevated (1 isolated, 2 recurring, "
	"3 extensive)."},
    {"flags", "consecutive", KEY_INT, "3", 1, 52, NULL, 0, NULL,
	M(flag_consecutive),
	"Elevated in this many periods in a row: the problem is flagged "
	"as persistent."},
    {"flags", "window", KEY_INT, "6", 1, 52, NULL, 0, NULL, M(flag_window),
	"Or elevated in `within` of the last `window` periods: flagged "
	"as well."},
    {"flags", "within", KEY_INT, "4", 1, 52, NULL, 0, NULL, M(flag_within),
	"See window; at most window."},
    {"flags", "clear_after", KEY_INT, "2", 1, 52, NULL, 0, NULL,
	M(flag_clear_after),
	"A flag closes after this many assessed periods below level;\n"
	"periods nobody assessed neither extend nor close it."},

    /* [smtp] */
    {"smtp", "host", KEY_STRING, "", 0, 0, NULL, KEY_EMPTY_OK, check_host,
	M(smtp_host),
	"Mail server. Empty: no mail is sent; each mail is written as an "
	".eml file\nto spool instead."},
    {"smtp", "port", KEY_INT, "587", 1, 65535, NULL, 0, NULL, M(smtp_port),
	"Port of the mail server."},
    {"smtp", "starttls", KEY_ENUM, "required", 0, 0, starttls_words, 0, NULL,
	M(smtp_starttls),
	"Encryption with STARTTLS: required sends nothing without it, "
	"optional uses\nit when offered, off never does."},
    {"smtp", "user", KEY_STRING, "", 0, 0, NULL, KEY_EMPTY_OK, NULL,
	M(smtp_user),
	"User name for SMTP authentication. Empty: no authentication."},
    {"smtp", "password_file", KEY_PATH, "", 0, 0, NULL, KEY_EMPTY_OK, NULL,
	M(smtp_password_file),
	"File holding the SMTP password; make it readable by estd "
	"only."},
    {"smtp", "from", KEY_STRING, "EST lägesbild <est@example.org>", 0, 0, NULL,
	0, check_from, M(smtp_from),
	"Sender of every mail: an address, or a name and <address>."},
    {"smtp", "spool", KEY_PATH, "/var/lib/estd/outbox", 0, 0, NULL, 0, NULL,
	M(smtp_spool),
	"Directory of mail waiting to be sent, and of the .eml files "
	"when host\nis empty."},

    /* [checklist] */
    {"checklist", "file", KEY_PATH, ESTD_SYSCONFDIR "/estd/checklist.ini", 0, 0,
	NULL, 0, NULL, M(checklist_file),
	"The checklist: one [section] per indicator, in display order "
	"(see the\nchecklist.ini shipped with estd)."},

    /* [police] */
    {"police", "enabled", KEY_BOOL, "false", 0, 0, bool_words, 0, NULL,
	M(police_enabled),
	"Fetch the police's event notices and show their counts on the "
	"pictures."},
    {"police", "url", KEY_STRING, "https://polisen.se/api/events", 0, 0, NULL,
	0, check_http_url, M(police_url),
	"The events API. Relative links in the notices are made absolute "
	"with this\naddress's scheme and host."},
    {"police", "locations", KEY_STRING, "", 0, 0, NULL, KEY_EMPTY_OK,
	check_locations, M(police_locations),
	"Municipalities or counties as the police write them, separated "
	"by commas\n(\"Örebro, Örebro län\"). Required when enabled; only "
	"notices of these\nare fetched and counted."},
    {"police", "interval", KEY_INT, "600", 60, 86400, NULL, 0, NULL,
	M(police_interval),
	"Seconds between two fetches. The police allow at most 60 calls "
	"an hour;\nan answer 429 (too many) is honoured with its "
	"Retry-After."},
    {"police", "timeout", KEY_INT, "30", 5, 60, NULL, 0, NULL,
	M(police_timeout), "Seconds one fetch may take, connection included."},

    /* [webhook NAME] */
    {"webhook", "url", KEY_STRING, "", 0, 0, NULL, KEY_EMPTY_OK | KEY_WEBHOOK,
	check_http_url, W(url),
	"Where the events are POSTed: an http:// or https:// address. "
	"Redirects\nare not followed. Required."},
    {"webhook", "events", KEY_EVENTS,
	"picture.compiled, flag.opened, "
	"flag.closed, digest.sent, analysis.ready",
	0, 0, hook_event_words, KEY_WEBHOOK, NULL, W(events),
	"The events sent, separated by commas: picture.compiled (the "
	"picture of a\nperiod, at the digest), flag.opened, flag.closed, "
	"digest.sent (the digest\nmails are queued) and analysis.ready."},
    {"webhook", "secret", KEY_STRING, "", 0, 0, NULL,
	KEY_EMPTY_OK | KEY_WEBHOOK, NULL, W(secret),
	"Shared secret: each body is signed with HMAC-SHA256, in the "
	"header\nX-Estd-Signature: sha256=HEX. Empty: not signed."},
    {"webhook", "format", KEY_ENUM, "json", 0, 0, format_words, KEY_WEBHOOK,
	NULL, W(format),
	"The body: json (estd's event document), slack (an incoming "
	"webhook\nmessage) or teams (a message with an Adaptive Card)."},
    {"webhook", "include_notes", KEY_BOOL, "false", 0, 0, bool_words,
	KEY_WEBHOOK, NULL, W(include_notes),
	"Also send the reporters' notes and the assessment comments "
	"(free text)."},
    {"webhook", "timeout", KEY_INT, "10", 1, 60, NULL, KEY_WEBHOOK, NULL,
	W(timeout),
	"Seconds one delivery may take; a slower receiver is tried "
	"again later."},

    /* [retention] */
    {"retention", "free_text_days", KEY_INT, "730", 0, 36500, NULL, 0, NULL,
	M(retention_free_text_days),
	"Days the free text of a report (place and note, in every "
	"saved revision)\nis kept, counted from the first day of its "
	"period; then it is erased\nand the ratings and counts are "
	"kept for trends. 0: keep forever.\nAssessment comments, "
	"measures and flag acknowledgements are the\nmunicipality's "
	"own records and are kept."},
    {"retention", "audit_days", KEY_INT, "3650", 0, 36500, NULL, 0, NULL,
	M(retention_audit_days),
	"Days audit entries are kept; older ones are removed oldest "
	"first,\nleaving an anchor so that the rest can still be "
	"verified. 0: keep forever."},

    /* [backup] */
    {"backup", "dir", KEY_PATH, "", 0, 0, NULL, KEY_EMPTY_OK, NULL,
	M(backup_dir),
	"Directory of the scheduled backups: estd-YYYYMMDD-HHMMSS.db "
	"(UTC), each\nwith a copy of the key file beside it (.db.key). "
	"Empty: no scheduled\nbackups. Put it on another disk, and "
	"copy it off the host."},
    {"backup", "interval_hours", KEY_INT, "6", 1, 168, NULL, 0, NULL,
	M(backup_interval_hours),
	"A backup is made when the newest one is this many hours "
	"old."},
    {"backup", "keep", KEY_INT, "8", 1, 1000, NULL, 0, NULL, M(backup_keep),
	"Backups kept; the oldest beyond this number are deleted."},
};

#undef M
#undef W

/*
 * One pass over an INI file: the reader and handler given to inih, the
 * line count and the first error.
 */
struct parse {
	const char *path; /* as given, for messages */
	FILE *f;
	char *line; /* getline buffer */
	size_t linecap;
	int lineno;
	char *section; /* current section, NULL before any */
	char *error; /* first error, whole message */
	int error_line;
	/* A [section] line, or NULL at the end of the file. */
	int (*on_section)(struct parse *, const char *);
	int (*on_key)(struct parse *, const char *, const char *);
	void *arg;
};

static void parse_error(struct parse *, int, const char *, ...)
    __attribute__((format(printf, 3, 4)));
static void parse_key_error(struct parse *, const char *, const char *, ...)
    __attribute__((format(printf, 3, 4)));

/* Record the first error; line 0 means the file as a whole. */
static void
parse_error(struct parse *p, int line, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (p->error != NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		fatal("vasprintf");
	va_end(ap);
	if (line > 0)
		xasprintf(&p->error, "%s:%d: %s", p->path, line, msg);
	else
		xasprintf(&p->error, "%s: %s", p->path, msg);
	p->error_line = line;
	free(msg);
}

/* "FILE:LINE: [section] key: message" for the line just read. */
static void
parse_key_error(struct parse *p, const char *name, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		fatal("vasprintf");
	va_end(ap);
	if (p->section != NULL)
		parse_error(p, p->lineno, "[%s] %s: %s", p->section, name, msg);
	else
		parse_error(p, p->lineno, "%s: %s", name, msg);
	free(msg);
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* A "[name]" line, s at the '['. */
static int
parse_section(struct parse *p, char *s)
{
	char *close, *rest, *name, *end;

	if ((close = strchr(s, ']')) == NULL) {
		parse_error(p, p->lineno, "missing ] after the section name");
		return -1;
	}
	for (rest = close + 1; is_blank(*rest); rest++)
		;
	if (*rest != '\0' && *rest != ';' && *rest != '#') {
		parse_error(p, p->lineno, "unexpected text after ]");
		return -1;
	}
	*close = '\0';
	for (name = s + 1; is_blank(*name); name++)
		;
	for (end = close; end > name && is_blank(end[-1]); end--)
		;
	*end = '\0';
	free(p->section);
	p->section = xstrdup(name);
	return p->on_section(p, name);
}

/*
 * The ini_reader: hands inih one line at a time, counting lines, taking
 * [section] lines for itself (inih sees an empty line) and stopping the
 * parse at the first error.
 */
static char *
parse_reader(char *str, int num, void *stream)
{
	struct parse *p = stream;
	ssize_t len;
	char *s, *end;

	if (p->error != NULL)
		return NULL;
	errno = 0;
	if ((len = getline(&p->line, &p->linecap, p->f)) == -1) {
		if (ferror(p->f))
			parse_error(p, 0, "cannot read: %s", strerror(errno));
		return NULL;
	}
	p->lineno++;
	if ((size_t)len != strlen(p->line)) {
		parse_error(p, p->lineno,
		    "a NUL byte: this is not a text "
		    "file");
		return NULL;
	}
	s = p->line;
	if (p->lineno == 1 && strncmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3; /* a UTF-8 byte order mark */
	while (is_blank(*s))
		s++;
	end = s + strlen(s);
	while (end > s &&
	    (is_blank(end[-1]) || end[-1] == '\n' || end[-1] == '\r'))
		end--;
	*end = '\0';

	if (*s == '[') {
		if (parse_section(p, s) == -1)
			return NULL;
		end = s;
		*end = '\0';
	}
	if ((size_t)(end - s) + 1 > (size_t)num) {
		parse_error(p, p->lineno, "line longer than %d bytes", num - 1);
		return NULL;
	}
	memcpy(str, s, (size_t)(end - s) + 1);
	return str;
}

/* True if s is well-formed UTF-8 (no overlong forms, no surrogates). */
static int
utf8_valid(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned int c;
	int n, i;

	while (*u != '\0') {
		if (*u < 0x80) {
			u++;
			continue;
		}
		if (*u >= 0xc2 && *u <= 0xdf) {
			n = 1;
			c = *u & 0x1f;
		} else if (*u >= 0xe0 && *u <= 0xef) {
			n = 2;
			c = *u & 0x0f;
		} else if (*u >= 0xf0 && *u <= 0xf4) {
			n = 3;
			c = *u & 0x07;
		} else
			return 0;
		for (i = 1; i <= n; i++) {
			if ((u[i] & 0xc0) != 0x80)
				return 0;
			c = (c << 6) | (u[i] & 0x3f);
		}
		if ((n == 2 && c < 0x800) || (n == 3 && c < 0x10000) ||
		    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
			return 0;
		u += n + 1;
	}
	return 1;
}

/* The ini_handler: checks what every value must be, then on_key. */
static int
parse_handler(
    void *user, const char *section, const char *name, const char *value)
{
	struct parse *p = user;
	const char *c;
	char *v;
	size_t len;
	int rc;

	(void)section; /* the reader keeps its own, untruncated */
	if (p->error != NULL)
		return 0;
	if (*name == '\0') {
		parse_error(p, p->lineno, "a key name is missing before =");
		return 0;
	}
	if (p->section == NULL) {
		parse_key_error(p, name, "comes before any [section]");
		return 0;
	}
	if (!utf8_valid(value)) {
		parse_key_error(p, name,
		    "the value is not valid UTF-8 "
		    "(save the file as UTF-8)");
		return 0;
	}
	for (c = value; *c != '\0'; c++) {
		if (((unsigned char)*c < 0x20 && *c != '\t') || *c == 0x7f) {
			parse_key_error(p, name,
			    "the value contains a "
			    "control character");
			return 0;
		}
	}
	/* Quotes are allowed around a value and are not part of it. */
	len = strlen(value);
	if (len >= 2 && value[0] == '"' && value[len - 1] == '"')
		v = xstrndup(value + 1, len - 2);
	else
		v = xstrdup(value);
	rc = p->on_key(p, name, v);
	free(v);
	return rc == 0;
}

/*
 * Parse the INI file at path with the callbacks in p (on_section, on_key,
 * arg). Returns 0, or -1 with *cause (owned by the caller).
 */
static int
parse_file(const char *path, struct parse *p, char **cause)
{
	int rc;

	p->path = path;
	if ((p->f = fopen(path, "r")) == NULL) {
		xasprintf(cause, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	rc = ini_parse_stream(parse_reader, p, parse_handler, p);
	/* inih's own complaint: a line that is neither key nor section. */
	if (rc > 0 && (p->error == NULL || rc < p->error_line)) {
		free(p->error);
		p->error = NULL;
		parse_error(p, rc, "expected [section] or key = value");
	} else if (rc < 0 && p->error == NULL)
		parse_error(p, 0, "cannot parse (error %d from inih)", rc);
	if (p->error == NULL)
		(void)p->on_section(p, NULL);
	fclose(p->f);
	p->f = NULL;
	free(p->line);
	p->line = NULL;
	free(p->section);
	p->section = NULL;
	if (p->error != NULL) {
		*cause = p->error;
		p->error = NULL;
		return -1;
	}
	return 0;
}

/* Append words as "a, b and c" (or "a, b or c"). */
static void
buf_words(struct buf *b, const char *const *words, size_t n, const char *last)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_puts(b, i == n - 1 ? last : ", ");
		buf_puts(b, words[i]);
	}
}

static size_t
count_words(const char *const *words)
{
	size_t n = 0;

	while (words[n] != NULL)
		n++;
	return n;
}

/*
 * The allowed values of a key, as in "must be weekly or fortnightly";
 * the caller frees the string.
 */
static char *
enum_choices(const struct key *k)
{
	struct buf b = {NULL, 0, 0};

	buf_words(&b, k->words, count_words(k->words), " or ");
	return buf_take(&b, NULL);
}

static int
check_listen(char **value, char **msg)
{
	const char *s = *value, *host_end, *port, *close;
	char *colon;
	size_t i;
	long n;

	if (*s == '[') {
		close = strchr(s, ']');
		if (close == NULL || close == s + 1 || close[1] != ':')
			goto bad;
		host_end = close;
		port = close + 2;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL || colon == s ||
		    memchr(s, ':', (size_t)(colon - s)) != NULL)
			goto bad;
		host_end = colon;
		port = colon + 1;
	}
	for (i = 0; s + i < host_end; i++)
		if (is_blank(s[i]))
			goto bad;
	if (*port == '\0' || strlen(port) > 5 ||
	    strspn(port, "0123456789") != strlen(port))
		goto bad;
	n = strtol(port, NULL, 10);
	if (n > 65535)
		goto bad;
	return 0;
bad:
	xasprintf(msg,
	    "must be host:port or [address]:port, like "
	    "127.0.0.1:8080 or [::1]:8080, not \"%s\"",
	    s);
	return -1;
}

static int
check_base_url(char **value, char **msg)
{
	char *s = *value;
	size_t scheme, len;

	if (strncasecmp(s, "http://", 7) == 0)
		scheme = 7;
	else if (strncasecmp(s, "https://", 8) == 0)
		scheme = 8;
	else {
		xasprintf(msg,
		    "must start with http:// or https://, not "
		    "\"%s\"",
		    s);
		return -1;
	}
	if (strpbrk(s, " \t\"'<>?#\\") != NULL) {
		xasprintf(msg,
		    "must be a plain URL without spaces, quotes, "
		    "<>, ?, # or \\, not \"%s\"",
		    s);
		return -1;
	}
	if (s[scheme] == '\0' || s[scheme] == '/') {
		xasprintf(msg, "must name a host after %.*s, not \"%s\"",
		    (int)scheme, s, s);
		return -1;
	}
	/* Links are built as base_url + "/path". */
	len = strlen(s);
	while (len > scheme && s[len - 1] == '/')
		s[--len] = '\0';
	return 0;
}

/*
 * An http:// or https:// address with a host, and nothing that would
 * need quoting (spaces, quotes, <>, \) or a #fragment.
 */
static int
check_http_url(char **value, char **msg)
{
	const char *s = *value;
	size_t scheme;

	if (strncasecmp(s, "http://", 7) == 0)
		scheme = 7;
	else if (strncasecmp(s, "https://", 8) == 0)
		scheme = 8;
	else {
		xasprintf(msg,
		    "must start with http:// or https://, not "
		    "\"%s\"",
		    s);
		return -1;
	}
	if (strpbrk(s, " \t\"'<>#\\") != NULL) {
		xasprintf(msg,
		    "must be a plain URL without spaces, quotes, "
		    "<>, # or \\, not \"%s\"",
		    s);
		return -1;
	}
	if (s[scheme] == '\0' || s[scheme] == '/' || s[scheme] == '?') {
		xasprintf(msg, "must name a host after %.*s, not \"%s\"",
		    (int)scheme, s, s);
		return -1;
	}
	return 0;
}

/*
 * Names separated by "," (or ";" without a blank before it, which would
 * start a comment), none empty or longer than 100 bytes, at most 20: the
 * police's locationname takes a list of that shape.
 */
static int
check_locations(char **value, char **msg)
{
	const char *p = *value, *e;
	size_t n, count = 0;

	for (;;) {
		p += strspn(p, " \t");
		n = strcspn(p, ";,");
		for (e = p + n; e > p && is_blank(e[-1]); e--)
			;
		if (e == p) {
			xasprintf(msg,
			    "an empty name in \"%s\"; separate "
			    "names with commas",
			    *value);
			return -1;
		}
		if (e - p > 100) {
			xasprintf(msg, "\"%.*s\" is longer than 100 bytes",
			    (int)(e - p), p);
			return -1;
		}
		if (++count > 20) {
			*msg = xstrdup("more than 20 locations");
			return -1;
		}
		if (p[n] == '\0')
			break;
		p += n + 1;
	}
	return 0;
}

static int
check_timezone(char **value, char **msg)
{
	const char *s = *value, *dir;
	char *file;
	struct stat st;
	int found;

	if (*s == '\0' || *s == '/' || strlen(s) > 200 ||
	    strspn(s,
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		"0123456789/_+-") != strlen(s) ||
	    strstr(s, "..") != NULL) {
		xasprintf(msg,
		    "must be a time zone name like "
		    "Europe/Stockholm, not \"%s\"",
		    s);
		return -1;
	}
	if ((dir = getenv("TZDIR")) == NULL || *dir == '\0')
		dir = "/usr/share/zoneinfo";
	/* Without a zone database here, clock_init() is the judge. */
	if (stat(dir, &st) == -1 || !S_ISDIR(st.st_mode))
		return 0;
	xasprintf(&file, "%s/%s", dir, s);
	found = stat(file, &st) == 0 && S_ISREG(st.st_mode);
	free(file);
	if (!found) {
		xasprintf(msg,
		    "unknown time zone \"%s\" (not in %s); use a "
		    "name like Europe/Stockholm",
		    s, dir);
		return -1;
	}
	return 0;
}

static int
check_host(char **value, char **msg)
{
	if (strpbrk(*value, " \t") != NULL) {
		xasprintf(
		    msg, "must be a host name or address, not \"%s\"", *value);
		return -1;
	}
	return 0;
}

/* An address "a@b", or "Name <a@b>". */
static int
check_from(char **value, char **msg)
{
	const char *s = *value, *addr, *at;
	size_t len;

	if ((addr = strchr(s, '<')) != NULL) {
		addr++;
		len = strlen(addr);
		if (len == 0 || addr[len - 1] != '>')
			goto bad;
		len--;
	} else {
		addr = s;
		len = strlen(s);
	}
	at = memchr(addr, '@', len);
	if (at == NULL || at == addr || at == addr + len - 1)
		goto bad;
	if (strcspn(addr, " \t<>") < len)
		goto bad;
	return 0;
bad:
	xasprintf(msg,
	    "must be an address or a name and <address>, like "
	    "\"EST lägesbild <est@example.org>\", not \"%s\"",
	    s);
	return -1;
}

/* true/false, yes/no, on/off, 1/0, any case, into *v (1 or 0). */
static int
parse_bool(const char *s, int *v)
{
	static const char *const yes[] = {"true", "yes", "on", "1"};
	static const char *const no[] = {"false", "no", "off", "0"};
	size_t i;

	for (i = 0; i < nitems(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*v = 1;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*v = 0;
			return 0;
		}
	}
	return -1;
}

/*
 * A list of event names of k->words separated by commas, semicolons or
 * blanks into the bit set *out; at least one. Returns 0, or -1 with
 * *msg (owned by the caller).
 */
static int
parse_events(
    const struct key *k, const char *value, unsigned int *out, char **msg)
{
	const char *p = value;
	char *choices, word[64];
	unsigned int set = 0;
	size_t n;
	int i;

	for (;;) {
		p += strspn(p, ",; \t");
		if (*p == '\0')
			break;
		n = strcspn(p, ",; \t");
		for (i = 0; k->words[i] != NULL; i++)
			if (strlen(k->words[i]) == n &&
			    strncasecmp(p, k->words[i], n) == 0)
				break;
		if (k->words[i] == NULL) {
			snprintf(word, sizeof(word), "%.*s", (int)n, p);
			choices = enum_choices(k);
			xasprintf(msg,
			    "unknown event \"%s\"; the events are "
			    "%s",
			    word, choices);
			free(choices);
			return -1;
		}
		set |= 1u << i;
		p += n;
	}
	if (set == 0) {
		*msg = xstrdup("must name at least one event");
		return -1;
	}
	*out = set;
	return 0;
}

/* "mon 08:00" (weekday case-insensitive, hour with one or two digits). */
static int
parse_weekly(const char *s, struct weekly_time *wt)
{
	int i, hour, minute;

	for (i = 0; weekdays[i] != NULL; i++)
		if (strncasecmp(s, weekdays[i], 3) == 0)
			break;
	if (weekdays[i] == NULL || !is_blank(s[3]))
		return -1;
	for (s += 3; is_blank(*s); s++)
		;
	if (!isdigit((unsigned char)s[0]))
		return -1;
	hour = s[0] - '0';
	s++;
	if (isdigit((unsigned char)s[0])) {
		hour = hour * 10 + (s[0] - '0');
		s++;
	}
	if (s[0] != ':' || !isdigit((unsigned char)s[1]) ||
	    !isdigit((unsigned char)s[2]) || s[3] != '\0')
		return -1;
	minute = (s[1] - '0') * 10 + (s[2] - '0');
	if (hour > 23 || minute > 59)
		return -1;
	wt->wday = i + 1;
	wt->hour = hour;
	wt->minute = minute;
	return 0;
}

/*
 * Set the member of key k from its text, in `base`: the struct conf, or
 * for KEY_WEBHOOK keys the struct conf_webhook of the section. A
 * relative path is joined to dir. Returns 0, or -1 with *msg (owned by
 * the caller) saying what the value must be.
 */
static int
key_set(void *base, const struct key *k, const char *value, const char *dir,
    char **msg)
{
	char *member = (char *)base + k->offset;
	char *copy, *abs, *choices;
	struct weekly_time wt;
	char *end;
	long n;
	int i;

	switch (k->type) {
	case KEY_STRING:
	case KEY_PATH:
		if (*value == '\0' && !(k->flags & KEY_EMPTY_OK)) {
			*msg = xstrdup("must not be empty");
			return -1;
		}
		copy = xstrdup(value);
		if (*copy != '\0' && k->check != NULL &&
		    k->check(&copy, msg) == -1) {
			free(copy);
			return -1;
		}
		if (k->type == KEY_PATH && *copy != '\0' && *copy != '/') {
			xasprintf(&abs, "%s%s%s", dir,
			    dir[strlen(dir) - 1] == '/' ? "" : "/", copy);
			free(copy);
			copy = abs;
		}
		free(*(char **)(void *)member);
		*(char **)(void *)member = copy;
		return 0;
	case KEY_INT:
		errno = 0;
		n = strtol(value, &end, 10);
		if (!(isdigit((unsigned char)value[0]) ||
			((value[0] == '-' || value[0] == '+') &&
			    isdigit((unsigned char)value[1]))) ||
		    *end != '\0') {
			xasprintf(msg,
			    "must be a whole number from %d to %d, "
			    "not \"%s\"",
			    k->min, k->max, value);
			return -1;
		}
		if (errno == ERANGE || n < k->min || n > k->max) {
			xasprintf(msg, "must be from %d to %d, not %s", k->min,
			    k->max, value);
			return -1;
		}
		*(int *)(void *)member = (int)n;
		return 0;
	case KEY_ENUM:
		for (i = 0; k->words[i] != NULL; i++) {
			if (strcasecmp(value, k->words[i]) == 0) {
				*(int *)(void *)member = i;
				return 0;
			}
		}
		choices = enum_choices(k);
		xasprintf(msg, "must be %s, not \"%s\"", choices, value);
		free(choices);
		return -1;
	case KEY_WEEKLY:
		if (parse_weekly(value, &wt) == -1) {
			xasprintf(msg,
			    "must be a weekday (mon, tue, wed, thu, "
			    "fri, sat or sun) and a 24-hour time, like "
			    "\"mon 08:00\", not \"%s\"",
			    value);
			return -1;
		}
		memcpy(member, &wt, sizeof wt);
		return 0;
	case KEY_BOOL:
		if (parse_bool(value, &i) == -1) {
			xasprintf(
			    msg, "must be true or false, not \"%s\"", value);
			return -1;
		}
		*(bool *)(void *)member = i;
		return 0;
	case KEY_EVENTS:
		return parse_events(
		    k, value, (unsigned int *)(void *)member, msg);
	}
	*msg = xstrdup("unknown key type");
	return -1;
}

/* State of one conf_load while inih runs. */
struct conf_parse {
	struct conf *conf;
	const char *dir; /* absolute, of the file */
	int key_line[nitems(keys)]; /* 0: not given */
	int section_line[nitems(sections)];
	struct conf_webhook *hook; /* the section being read */
	int *hook_lines; /* of each [webhook NAME] */
};

/* Give every KEY_WEBHOOK key of w its default. */
static void
webhook_defaults(struct conf_webhook *w)
{
	char *msg = NULL;
	size_t i;

	for (i = 0; i < nitems(keys); i++) {
		if (!(keys[i].flags & KEY_WEBHOOK))
			continue;
		if (key_set(w, &keys[i], keys[i].def, "/", &msg) == -1)
			fatalx("conf: default of [webhook] %s: %s",
			    keys[i].name, msg);
	}
}

/*
 * The webhook section being read ends (at the next section or the end
 * of the file): its url must have been given.
 */
static int
webhook_finish(struct parse *p, struct conf_parse *cp)
{
	struct conf_webhook *w = cp->hook;

	cp->hook = NULL;
	if (w == NULL || w->url[0] != '\0')
		return 0;
	parse_error(p, cp->hook_lines[cp->conf->n_webhooks - 1],
	    "[webhook %s] url: missing; every webhook needs the address to "
	    "POST to",
	    w->name);
	return -1;
}

/* "[webhook NAME]": a new webhook with the defaults filled in. */
static int
webhook_start(struct parse *p, struct conf_parse *cp, const char *name)
{
	struct conf *conf = cp->conf;
	struct conf_webhook *w;
	size_t i, len;

	while (is_blank(*name))
		name++;
	len = strlen(name);
	if (len == 0) {
		parse_error(p, p->lineno,
		    "[webhook]: give each webhook a "
		    "name, like [webhook teams]");
		return -1;
	}
	if (len > HOOK_NAME_MAX ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-_") != len) {
		parse_error(p, p->lineno,
		    "[webhook %s]: a webhook's name must "
		    "be 1 to %d characters of a-z, 0-9, - and _",
		    name, HOOK_NAME_MAX);
		return -1;
	}
	for (i = 0; i < conf->n_webhooks; i++) {
		if (strcmp(conf->webhooks[i].name, name) == 0) {
			parse_error(p, p->lineno,
			    "[webhook %s]: webhook given "
			    "twice (first on line %d)",
			    name, cp->hook_lines[i]);
			return -1;
		}
	}
	conf->webhooks = xreallocarray(
	    conf->webhooks, conf->n_webhooks + 1, sizeof(*conf->webhooks));
	cp->hook_lines = xreallocarray(
	    cp->hook_lines, conf->n_webhooks + 1, sizeof(*cp->hook_lines));
	w = &conf->webhooks[conf->n_webhooks];
	memset(w, 0, sizeof(*w));
	w->name = xstrdup(name);
	webhook_defaults(w);
	cp->hook_lines[conf->n_webhooks] = p->lineno;
	conf->n_webhooks++;
	cp->hook = w;
	/* Each webhook may give each of its keys once. */
	for (i = 0; i < nitems(keys); i++)
		if (keys[i].flags & KEY_WEBHOOK)
			cp->key_line[i] = 0;
	return 0;
}

static int
conf_on_section(struct parse *p, const char *name)
{
	struct conf_parse *cp = p->arg;
	struct buf b = {NULL, 0, 0};
	const char *names[nitems(sections)];
	char *list;
	size_t i;

	if (webhook_finish(p, cp) == -1)
		return -1;
	if (name == NULL)
		return 0;
	if (strncmp(name, "webhook", 7) == 0 &&
	    (name[7] == '\0' || is_blank(name[7])))
		return webhook_start(p, cp, name + 7);
	for (i = 0; i < nitems(sections); i++) {
		if (strcmp(name, sections[i].name) != 0)
			continue;
		if (cp->section_line[i] != 0) {
			parse_error(p, p->lineno,
			    "[%s]: section given twice "
			    "(first on line %d)",
			    name, cp->section_line[i]);
			return -1;
		}
		cp->section_line[i] = p->lineno;
		return 0;
	}
	for (i = 0; i < nitems(sections); i++)
		names[i] = strcmp(sections[i].name, "webhook") == 0
		    ? "webhook NAME"
		    : sections[i].name;
	buf_words(&b, names, nitems(sections), " and ");
	list = buf_take(&b, NULL);
	parse_error(p, p->lineno, "[%s]: unknown section; the sections are %s",
	    name, list);
	free(list);
	return -1;
}

static int
conf_on_key(struct parse *p, const char *name, const char *value)
{
	struct conf_parse *cp = p->arg;
	struct buf b = {NULL, 0, 0};
	const char *names[nitems(keys)];
	const char *kind;
	char *msg = NULL, *list;
	size_t i, n = 0;

	kind = cp->hook != NULL ? "webhook" : p->section;
	for (i = 0; i < nitems(keys); i++) {
		if (strcmp(keys[i].section, kind) != 0)
			continue;
		names[n++] = keys[i].name;
		if (strcmp(keys[i].name, name) == 0)
			break;
	}
	if (i == nitems(keys)) {
		buf_words(&b, names, n, " and ");
		list = buf_take(&b, NULL);
		parse_key_error(p, name, "unknown key; the keys of [%s] are %s",
		    p->section, list);
		free(list);
		return -1;
	}
	if (cp->key_line[i] != 0) {
		parse_key_error(
		    p, name, "given twice (first on line %d)", cp->key_line[i]);
		return -1;
	}
	cp->key_line[i] = p->lineno;
	if (key_set(keys[i].flags & KEY_WEBHOOK ? (void *)cp->hook
						: (void *)cp->conf,
		&keys[i], value, cp->dir, &msg) == -1) {
		parse_key_error(p, name, "%s", msg);
		free(msg);
		return -1;
	}
	return 0;
}

static size_t
key_index(const char *section, const char *name)
{
	size_t i;

	for (i = 0; i < nitems(keys); i++)
		if (strcmp(keys[i].section, section) == 0 &&
		    strcmp(keys[i].name, name) == 0)
			return i;
	fatalx("conf: no key [%s] %s", section, name);
}

/* Rules between keys, checked once the whole file is read. */
static int
conf_cross_check(struct conf_parse *cp, const char *path, char **cause)
{
	struct conf *conf = cp->conf;
	int within_line, window_line;

	within_line = cp->key_line[key_index("flags", "within")];
	window_line = cp->key_line[key_index("flags", "window")];
	if (conf->flag_within > conf->flag_window) {
		if (within_line != 0)
			xasprintf(cause,
			    "%s:%d: [flags] within: must not be "
			    "more than window (%d), not %d",
			    path, within_line, conf->flag_window,
			    conf->flag_within);
		else
			xasprintf(cause,
			    "%s:%d: [flags] window: must not be "
			    "less than within (%d), not %d",
			    path, window_line, conf->flag_within,
			    conf->flag_window);
		return -1;
	}
	if (conf->police_enabled && conf->police_locations[0] == '\0') {
		xasprintf(cause,
		    "%s:%d: [police] locations: must name at "
		    "least one municipality or county when enabled = true",
		    path, cp->key_line[key_index("police", "enabled")]);
		return -1;
	}
	return 0;
}

/*
 * The absolute directory of path, owned by the caller; NULL with *cause
 * (owned by the caller) if it is not there.
 */
static char *
conf_dir(const char *path, char **cause)
{
	char *copy, *slash, *dir;

	copy = xstrdup(path);
	if ((slash = strrchr(copy, '/')) == NULL)
		dir = realpath(".", NULL);
	else if (slash == copy)
		dir = realpath("/", NULL);
	else {
		*slash = '\0';
		dir = realpath(copy, NULL);
	}
	if (dir == NULL)
		xasprintf(cause, "%s: cannot open: %s", path, strerror(errno));
	free(copy);
	return dir;
}

struct conf *
conf_load(const char *path, char **cause)
{
	struct conf *conf;
	struct conf_parse cp;
	struct parse p;
	const char *base;
	char *dir = NULL, *msg = NULL;
	size_t i;

	conf = xcalloc(1, sizeof *conf);
	memset(&cp, 0, sizeof cp);
	for (i = 0; i < nitems(keys); i++) {
		if (keys[i].flags & KEY_WEBHOOK)
			continue; /* per section: webhook_start */
		if (key_set(conf, &keys[i], keys[i].def, "/", &msg) == -1)
			fatalx("conf: default of [%s] %s: %s", keys[i].section,
			    keys[i].name, msg);
	}
	if ((dir = conf_dir(path, cause)) == NULL)
		goto fail;
	base = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
	xasprintf(&conf->path, "%s%s%s", dir,
	    dir[strlen(dir) - 1] == '/' ? "" : "/", base);

	cp.conf = conf;
	cp.dir = dir;
	memset(&p, 0, sizeof p);
	p.on_section = conf_on_section;
	p.on_key = conf_on_key;
	p.arg = &cp;
	if (parse_file(path, &p, cause) == -1)
		goto fail;
	if (conf_cross_check(&cp, path, cause) == -1)
		goto fail;
	if (conf->key_file[0] == '\0') {
		free(conf->key_file);
		xasprintf(&conf->key_file, "%s.key", conf->database);
	}
	if (conf_load_checklist(
		conf->checklist_file, &conf->checklist, cause) == -1)
		goto fail;
	free(cp.hook_lines);
	free(dir);
	return conf;
fail:
	free(cp.hook_lines);
	free(dir);
	conf_free(conf);
	return NULL;
}

void
conf_free(struct conf *conf)
{
	size_t i, j;

	if (conf == NULL)
		return;
	/* Webhook secrets are secrets: wiped before they are freed. */
	for (j = 0; j < conf->n_webhooks; j++)
		if (conf->webhooks[j].secret != NULL)
			explicit_bzero(conf->webhooks[j].secret,
			    strlen(conf->webhooks[j].secret));
	for (i = 0; i < nitems(keys); i++) {
		if (keys[i].type != KEY_STRING && keys[i].type != KEY_PATH)
			continue;
		if (!(keys[i].flags & KEY_WEBHOOK)) {
			free(*(char **)(void *)((char *)conf + keys[i].offset));
			continue;
		}
		for (j = 0; j < conf->n_webhooks; j++)
			free(*(char **)(void *)((char *)&conf->webhooks[j] +
			    keys[i].offset));
	}
	for (j = 0; j < conf->n_webhooks; j++)
		free(conf->webhooks[j].name);
	free(conf->webhooks);
	free(conf->path);
	conf_free_checklist(&conf->checklist);
	free(conf);
}

/* The checklist keys, in the order of the error message. */
static const char *const checklist_keys[] = {"sv", "en", "help_sv", "help_en"};

/* State of one conf_load_checklist while inih runs. */
struct checklist_parse {
	struct checklist *cl;
	int lines[INDICATORS_MAX]; /* of each section */
	int key_line[nitems(checklist_keys)];
};

/* The indicator being read must have both labels. */
static int
checklist_finish(struct parse *p, struct checklist_parse *cp)
{
	struct indicator *ind;
	size_t last;

	if (cp->cl->n == 0)
		return 0;
	last = cp->cl->n - 1;
	ind = &cp->cl->items[last];
	if (ind->sv == NULL || ind->en == NULL) {
		parse_error(p, cp->lines[last],
		    "[%s] %s: missing; every "
		    "indicator needs sv and en, its Swedish and English label",
		    ind->key, ind->sv == NULL ? "sv" : "en");
		return -1;
	}
	return 0;
}

static int
checklist_on_section(struct parse *p, const char *name)
{
	struct checklist_parse *cp = p->arg;
	struct checklist *cl = cp->cl;
	size_t i, len = strlen(name != NULL ? name : "");

	if (checklist_finish(p, cp) == -1)
		return -1;
	if (name == NULL) {
		if (cl->n == 0) {
			parse_error(p, p->lineno > 0 ? p->lineno : 1,
			    "no indicators; the checklist needs at least one "
			    "[key] section with sv and en");
			return -1;
		}
		return 0;
	}
	if (len == 0 || len > INDICATOR_KEY_MAX ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") != len) {
		parse_error(p, p->lineno,
		    "[%s]: an indicator key must be 1 to "
		    "%d characters of a-z, 0-9 and _",
		    name, INDICATOR_KEY_MAX);
		return -1;
	}
	for (i = 0; i < cl->n; i++) {
		if (strcmp(cl->items[i].key, name) == 0) {
			parse_error(p, p->lineno,
			    "[%s]: indicator given twice "
			    "(first on line %d)",
			    name, cp->lines[i]);
			return -1;
		}
	}
	if (cl->n == INDICATORS_MAX) {
		parse_error(p, p->lineno, "[%s]: more than %d indicators", name,
		    INDICATORS_MAX);
		return -1;
	}
	cl->items = xreallocarray(cl->items, cl->n + 1, sizeof *cl->items);
	memset(&cl->items[cl->n], 0, sizeof cl->items[cl->n]);
	memcpy(cl->items[cl->n].key, name, len + 1);
	cp->lines[cl->n] = p->lineno;
	cl->n++;
	memset(cp->key_line, 0, sizeof cp->key_line);
	return 0;
}

static int
checklist_on_key(struct parse *p, const char *name, const char *value)
{
	struct checklist_parse *cp = p->arg;
	struct indicator *ind;
	char **field;
	size_t i;

	for (i = 0; i < nitems(checklist_keys); i++)
		if (strcmp(name, checklist_keys[i]) == 0)
			break;
	if (i == nitems(checklist_keys)) {
		parse_key_error(p, name,
		    "unknown key; the keys of an "
		    "indicator are sv, en, help_sv and help_en");
		return -1;
	}
	if (cp->key_line[i] != 0) {
		parse_key_error(
		    p, name, "given twice (first on line %d)", cp->key_line[i]);
		return -1;
	}
	cp->key_line[i] = p->lineno;
	ind = &cp->cl->items[cp->cl->n - 1];
	switch (i) {
	case 0: field = &ind->sv; break;
	case 1: field = &ind->en; break;
	case 2: field = &ind->help_sv; break;
	default: field = &ind->help_en; break;
	}
	if (*value == '\0') {
		if (i < 2) {
			parse_key_error(p, name, "must not be empty");
			return -1;
		}
		return 0; /* an empty help is no help: NULL */
	}
	*field = xstrdup(value);
	return 0;
}

int
conf_load_checklist(const char *path, struct checklist *out, char **cause)
{
	struct checklist_parse cp;
	struct parse p;

	out->n = 0;
	out->items = NULL;
	memset(&cp, 0, sizeof cp);
	cp.cl = out;
	memset(&p, 0, sizeof p);
	p.on_section = checklist_on_section;
	p.on_key = checklist_on_key;
	p.arg = &cp;
	if (parse_file(path, &p, cause) == -1) {
		conf_free_checklist(out);
		return -1;
	}
	return 0;
}

void
conf_free_checklist(struct checklist *cl)
{
	size_t i;

	for (i = 0; i < cl->n; i++) {
		free(cl->items[i].sv);
		free(cl->items[i].en);
		free(cl->items[i].help_sv);
		free(cl->items[i].help_en);
	}
	free(cl->items);
	cl->items = NULL;
	cl->n = 0;
}

int
conf_indicator_index(const struct checklist *cl, const char *key)
{
	size_t i;

	for (i = 0; i < cl->n; i++)
		if (strcmp(cl->items[i].key, key) == 0)
			return (int)i;
	return -1;
}

/* Help text as "; " lines. */
static void
write_comment(FILE *f, const char *text)
{
	const char *nl;

	while (text != NULL && *text != '\0') {
		nl = strchr(text, '\n');
		if (nl == NULL) {
			fprintf(f, "; %s\n", text);
			break;
		}
		fprintf(f, "; %.*s\n", (int)(nl - text), text);
		text = nl + 1;
	}
}

void
conf_write_sample(FILE *f)
{
	const struct key *k;
	struct buf b = {NULL, 0, 0};
	const char *lead;
	char *words;
	size_t s, i;

	fputs("; estd.conf: the configuration of estd, the EST lägesbild "
	      "daemon.\n"
	      ";\n"
	      "; Every key is shown with its default; a key left out keeps "
	      "it. Lines that\n"
	      "; start with ; or # are comments, as is the rest of a line "
	      "from \" ;\" on.\n"
	      "; A value may be put in \"double quotes\". A relative path "
	      "is taken from\n"
	      "; the directory of this file. Unknown sections and keys are "
	      "errors:\n"
	      "; check a changed file with estd --check-config.\n"
	      ";\n"
	      "; Written by estd --sample-config.\n",
	    f);
	for (s = 0; s < nitems(sections); s++) {
		/*
		 * A webhook has no defaults for every key (its url), so its
		 * section is shown commented out, for copying.
		 */
		lead = strcmp(sections[s].name, "webhook") == 0 ? "; " : "";
		if (*lead != '\0')
			fprintf(f, "\n; [%s NAME]\n", sections[s].name);
		else
			fprintf(f, "\n[%s]\n", sections[s].name);
		write_comment(f, sections[s].help);
		for (i = 0; i < nitems(keys); i++) {
			k = &keys[i];
			if (strcmp(k->section, sections[s].name) != 0)
				continue;
			fputs("\n", f);
			write_comment(f, k->help);
			switch (k->type) {
			case KEY_INT:
				fprintf(
				    f, "; From %d to %d.\n", k->min, k->max);
				break;
			case KEY_ENUM:
				buf_words(
				    &b, k->words, count_words(k->words), ", ");
				words = buf_take(&b, NULL);
				fprintf(f, "; One of: %s.\n", words);
				free(words);
				break;
			case KEY_WEEKLY:
				fputs("; A weekday (mon, tue, wed, thu, fri, "
				      "sat, sun) and a 24-hour time.\n",
				    f);
				break;
			case KEY_BOOL: fputs("; true or false.\n", f); break;
			case KEY_EVENTS:
			case KEY_STRING:
			case KEY_PATH: break;
			}
			if (*k->def == '\0')
				fprintf(f, "%s%s =\n", lead, k->name);
			else
				fprintf(
				    f, "%s%s = %s\n", lead, k->name, k->def);
		}
	}
}

const char *
conf_hook_event_name(enum hook_event e)
{
	if ((unsigned int)e >= HOOK_EVENT_N)
		return NULL;
	return hook_event_words[e];
}

const struct conf_webhook *
conf_webhook_find(const struct conf *conf, const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < conf->n_webhooks; i++)
		if (strcmp(conf->webhooks[i].name, name) == 0)
			return &conf->webhooks[i];
	return NULL;
}

const char *
conf_default_path(void)
{
	const char *env;

	if ((env = getenv("ESTD_CONFIG")) != NULL && *env != '\0')
		return env;
	return ESTD_SYSCONFDIR "/estd/estd.conf";
}
