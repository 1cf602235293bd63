/*
 * estctl: the administrator's tool (contract §4). It opens its own
 * connection to the daemon's database (STORE_ADMIN: short write
 * transactions, never a checkpoint), so it is safe while estd runs.
 *
 * Every command is one row of the table below: words, handler, usage
 * line and a line of help; `estctl --help` prints the table. A handler
 * parses its arguments first, so a mistyped command is refused before
 * the configuration is read, then opens what it needs with ctx_open,
 * validates, writes in one transaction with an audit entry, and prints.
 *
 * Exit status: 0 success, 1 runtime failure, 2 usage or configuration
 * error (including input that names something that does not exist).
 * Every error is one line on stderr, "estctl: ...".
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "analysis.h"
#include "buf.h"
#include "clock.h"
#include "conf.h"
#include "csv.h"
#include "deliver.h"
#include "digest.h"
#include "gather.h"
#include "gather_analysis.h"
#include "import.h"
#include "jobs.h"
#include "log.h"
#include "mime.h"
#include "outbound.h"
#include "page.h"
#include "period.h"
#include "picture.h"
#include "police.h"
#include "report.h"
#include "store.h"
#include "tmpl.h"
#include "token.h"
#include "writer.h"
#include "xmalloc.h"

#define EXIT_RUNTIME 1
#define EXIT_USAGE 2

#define NAME_MAX_CHARS 200
#define EMAIL_MAX 254
/* An import file is read whole; this is far beyond any real history. */
#define IMPORT_FILE_MAX ((size_t)1 << 30)

#define SLUG_RULE                                                              \
	"1\xe2\x80\x93"                                                        \
	"40 characters a\xe2\x80\x93z, "                                       \
	"0\xe2\x80\x93"                                                        \
	"9 and -"

struct ctx {
	const char *conf_path;
	struct conf *conf; /* owned; NULL until ctx_open */
	struct store *store; /* owned; NULL until ctx_open */
	unsigned char key[TOKEN_KEY_LEN]; /* see ctx_key */
	bool have_key;
};

struct cmd;
typedef int (*cmd_fn)(struct ctx *, const struct cmd *, int, char **);

struct cmd {
	const char *name;
	const char *sub; /* NULL: a command of one word */
	cmd_fn fn;
	const char *args; /* usage after the command words */
	const char *help;
};

static int ctx_key(struct ctx *);
static int cmd_init(struct ctx *, const struct cmd *, int, char **);
static int cmd_area_add(struct ctx *, const struct cmd *, int, char **);
static int cmd_area_list(struct ctx *, const struct cmd *, int, char **);
static int cmd_person_add(struct ctx *, const struct cmd *, int, char **);
static int cmd_person_list(struct ctx *, const struct cmd *, int, char **);
static int cmd_person_link(struct ctx *, const struct cmd *, int, char **);
static int cmd_person_disable(struct ctx *, const struct cmd *, int, char **);
static int cmd_import(struct ctx *, const struct cmd *, int, char **);
static int cmd_reports(struct ctx *, const struct cmd *, int, char **);
static int cmd_picture(struct ctx *, const struct cmd *, int, char **);
static int cmd_analysis(struct ctx *, const struct cmd *, int, char **);
static int cmd_flags(struct ctx *, const struct cmd *, int, char **);
static int cmd_backup(struct ctx *, const struct cmd *, int, char **);
static int cmd_audit_verify(struct ctx *, const struct cmd *, int, char **);
static int cmd_audit_export(struct ctx *, const struct cmd *, int, char **);
static int cmd_digest(struct ctx *, const struct cmd *, int, char **);
static int cmd_outbox(struct ctx *, const struct cmd *, int, char **);
static int cmd_outbox_flush(struct ctx *, const struct cmd *, int, char **);
static int cmd_police_fetch(struct ctx *, const struct cmd *, int, char **);
static int cmd_police_list(struct ctx *, const struct cmd *, int, char **);
static int cmd_webhooks(struct ctx *, const struct cmd *, int, char **);
static int cmd_webhooks_flush(struct ctx *, const struct cmd *, int, char **);

static const struct cmd cmds[] = {
    {"init", NULL, cmd_init, "", "create or migrate the database"},
    {"area", "add", cmd_area_add, "SLUG NAME",
	"add an area; SLUG: a-z, 0-9 and -"},
    {"area", "list", cmd_area_list, "[--json]", "list the areas"},
    {"person", "add", cmd_person_add,
	"--name NAME --email EMAIL --org ORG "
	"--role reporter|keyfunction|steering|admin "
	"(--area SLUG ... | --all-areas)",
	"add a person and print their personal link"},
    {"person", "list", cmd_person_list, "[--json]",
	"list the people, their roles and areas"},
    {"person", "link", cmd_person_link, "ID",
	"new personal link; the old one stops working"},
    {"person", "disable", cmd_person_disable, "ID",
	"disable a person; their link stops working"},
    {"import", NULL, cmd_import, "FILE.csv",
	"import historic reports; all or nothing"},
    {"reports", NULL, cmd_reports, "PERIOD [--area SLUG] [--json]",
	"the reports of a period, latest revision each"},
    {"picture", NULL, cmd_picture, "PERIOD [--json|--text|--html]",
	"the compiled picture of a period, every area"},
    {"analysis", NULL, cmd_analysis, "PERIOD [--json|--csv|--html]",
	"the analysis of a quarter, tertial or year (2026-Q3, 2026-T2, "
	"2026), every area; without an option a summary in words"},
    {"flags", NULL, cmd_flags, "[--json] [--all]",
	"open flags (--all: closed ones too)"},
    {"digest", NULL, cmd_digest, "PERIOD [--dry-run]",
	"queue the digest of PERIOD for every key function "
	"(--dry-run: print it instead)"},
    {"outbox", "flush", cmd_outbox_flush, "", "try to deliver queued mail now"},
    {"outbox", NULL, cmd_outbox, "[--json]",
	"queued, sent and failed mail with the last error"},
    {"police", "fetch", cmd_police_fetch, "",
	"fetch the police's event notices now ([police])"},
    {"police", "list", cmd_police_list, "PERIOD [--json]",
	"the police notices of a period and their counts by type"},
    {"webhooks", "flush", cmd_webhooks_flush, "",
	"try to deliver the webhook deliveries due now"},
    {"webhooks", NULL, cmd_webhooks, "[--json]",
	"queued, delivered and failed webhook deliveries"},
    {"backup", NULL, cmd_backup, "FILE",
	"online copy of the database, and the key as FILE.key"},
    {"audit", "verify", cmd_audit_verify, "",
	"check the audit log's hash chain"},
    {"audit", "export", cmd_audit_export, "[--since YYYY-MM-DD] [--csv|--json]",
	"the audit log with its hashes (default CSV)"},
};
#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

/* One line on stderr; returns `code` for the caller to pass on. */
static int __attribute__((format(printf, 2, 3)))
say(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("estctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

static void
usage_line(FILE *fp, const struct cmd *c)
{
	fprintf(fp, "estctl %s%s%s%s%s", c->name, c->sub != NULL ? " " : "",
	    c->sub != NULL ? c->sub : "", c->args[0] != '\0' ? " " : "",
	    c->args);
}

static int
usage(const struct cmd *c)
{
	fputs("estctl: usage: ", stderr);
	usage_line(stderr, c);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

/* A getopt_long failure as one line; argv as getopt left it. */
static int
bad_option(const struct cmd *c, int rc, char **argv)
{
	const char *opt = argv[optind - 1];

	fprintf(stderr, "estctl: %s \"%s\"; usage: ",
	    rc == ':' ? "missing value for" : "unknown option", opt);
	usage_line(stderr, c);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

/* A long usage over lines of at most 78 columns, continued indented. */
static void
wrap(FILE *fp, const char *s)
{
	size_t col = 2, n;

	fputs("  ", fp);
	for (; *s != '\0'; s += n) {
		while (*s == ' ')
			s++;
		n = strcspn(s, " ");
		if (col > 2 && col + 1 + n > 78) {
			fputs("\n     ", fp);
			col = 5;
		}
		if (col > 2) {
			fputc(' ', fp);
			col++;
		}
		fprintf(fp, "%.*s", (int)n, s);
		col += n;
	}
	fputc('\n', fp);
}

static void
help(FILE *fp)
{
	const struct cmd *c;
	char words[160];
	size_t i;
	int w;

	fputs("usage: estctl [-c FILE] COMMAND [ARGUMENTS]\n"
	      "\n"
	      "The administrator's tool of estd; safe to use while estd "
	      "runs.\n"
	      "\n"
	      "commands:\n",
	    fp);
	for (i = 0; i < NCMDS; i++) {
		c = &cmds[i];
		w = snprintf(words, sizeof(words), "%s%s%s%s%s", c->name,
		    c->sub != NULL ? " " : "", c->sub != NULL ? c->sub : "",
		    c->args[0] != '\0' ? " " : "", c->args);
		if (w > 30) {
			wrap(fp, words);
			fprintf(fp, "%34s%s\n", "", c->help);
		} else
			fprintf(fp, "  %-32s%s\n", words, c->help);
	}
	fputs("\n"
	      "options:\n"
	      "  -c FILE                         configuration (default: "
	      "$ESTD_CONFIG,\n"
	      "                                  else /etc/estd/estd.conf)\n"
	      "  --help                          this text; after a command, "
	      "its usage\n"
	      "  --version                       the version\n"
	      "\n"
	      "PERIOD is a week label such as 2026-W47. The import file starts "
	      "with the header\n" IMPORT_HEADER ".\n"
	      "Exit status: 0 success, 1 runtime failure, 2 usage or "
	      "configuration error.\n",
	    fp);
}

/*
 * Load the configuration, set the clock and open the database. Unless
 * `creating`, the database must exist and carry a schema. Returns 0 or
 * the exit status, the reason already printed.
 */
static int
ctx_open(struct ctx *ctx, bool creating)
{
	char *cause = NULL;
	int v;

	if ((ctx->conf = conf_load(ctx->conf_path, &cause)) == NULL) {
		say(EXIT_USAGE, "%s",
		    cause != NULL ? cause : "cannot load the configuration");
		free(cause);
		return EXIT_USAGE;
	}
	if (clock_init(ctx->conf->timezone, &cause) == -1) {
		say(EXIT_USAGE, "%s",
		    cause != NULL ? cause : "cannot set the time zone");
		free(cause);
		return EXIT_USAGE;
	}
	if (token_init() == -1)
		return say(EXIT_RUNTIME, "cannot initialise libsodium");
	/* STORE_ADMIN would create an empty file; only init may. */
	if (!creating && access(ctx->conf->database, F_OK) == -1 &&
	    errno == ENOENT)
		return say(EXIT_RUNTIME,
		    "the database %s does not exist; run "
		    "\"estctl init\"",
		    ctx->conf->database);
	ctx->store = store_open(ctx->conf->database, STORE_ADMIN, &cause);
	if (ctx->store == NULL) {
		say(EXIT_RUNTIME, "%s",
		    cause != NULL ? cause : "cannot open the database");
		free(cause);
		return EXIT_RUNTIME;
	}
	if (creating)
		return 0;
	if ((v = store_schema_version(ctx->store)) == -1)
		return say(EXIT_RUNTIME,
		    "cannot read the schema version of "
		    "the database %s",
		    ctx->conf->database);
	if (v == 0)
		return say(EXIT_RUNTIME,
		    "the database %s has no schema; run "
		    "\"estctl init\"",
		    ctx->conf->database);
	return 0;
}

/*
 * Commit a transaction begun by the caller, with its audit entry; rolls
 * back on failure. Returns 0 or the exit status, the reason printed.
 */
static int
commit_audited(struct ctx *ctx, const char *action, const char *detail)
{
	if (store_audit(ctx->store, "estctl", action, detail) == -1) {
		store_rollback(ctx->store);
		return say(EXIT_RUNTIME,
		    "cannot write the audit entry; "
		    "nothing was changed");
	}
	if (store_commit(ctx->store) == -1) {
		store_rollback(ctx->store);
		return say(EXIT_RUNTIME,
		    "cannot commit the change; nothing "
		    "was changed");
	}
	return 0;
}

/* Characters (code points) of valid UTF-8. */
static size_t
utf8_width(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/*
 * A name or organisation: valid UTF-8, not blank, no control characters
 * (they would break the tables), at most NAME_MAX_CHARS characters.
 * Returns 0, or the exit status with the reason printed.
 */
static int
check_text(const char *what, const char *s)
{
	const char *p;
	bool blank = true;

	if (!report_valid_utf8(s, strlen(s)))
		return say(EXIT_USAGE, "the %s is not valid UTF-8", what);
	for (p = s; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return say(EXIT_USAGE,
			    "the %s must be one line without "
			    "control characters",
			    what);
		if (*p != ' ')
			blank = false;
	}
	if (blank)
		return say(EXIT_USAGE, "the %s must not be empty", what);
	if (utf8_width(s) > NAME_MAX_CHARS)
		return say(EXIT_USAGE, "the %s is longer than %d characters",
		    what, NAME_MAX_CHARS);
	return 0;
}

static int
check_slug(const char *slug)
{
	if (!report_valid_slug(slug))
		return say(EXIT_USAGE,
		    "invalid area slug \"%s\": use " SLUG_RULE, slug);
	return 0;
}

/* Plausible, not proven: the address is only used to send mail to. */
static int
check_email(const char *e)
{
	const char *at = strchr(e, '@'), *p;
	size_t len = strlen(e);

	for (p = e; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			break;
	if (*p != '\0' || len > EMAIL_MAX || at == NULL || at == e ||
	    at[1] == '\0' || strchr(at + 1, '@') != NULL || at[1] == '.' ||
	    e[len - 1] == '.')
		return say(EXIT_USAGE,
		    "invalid e-mail address \"%s\": expected "
		    "one name@domain, ASCII, no spaces, at most %d characters",
		    e, EMAIL_MAX);
	return 0;
}

/* A person id as given on the command line; -1 if malformed. */
static long long
parse_id(const char *s)
{
	char *end;
	long long v;

	if (*s < '1' || *s > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	return v;
}

/* Print the document and release it; doc is a new reference. */
static int
print_json(json_t *doc)
{
	int rc;

	rc = json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (rc == -1)
		return say(EXIT_RUNTIME, "cannot write the JSON output");
	fputc('\n', stdout);
	return 0;
}

/* s, then spaces up to `width` characters. */
static void
cell(const char *s, size_t width)
{
	size_t w = utf8_width(s);

	fputs(s, stdout);
	for (; w < width; w++)
		fputc(' ', stdout);
}

/*
 * The common option parsing of the list commands: only --json. Returns
 * 0 (with *json set) or the exit status.
 */
static int
parse_json_only(const struct cmd *c, int argc, char **argv, bool *json)
{
	static const struct option longopts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {NULL, 0, NULL, 0},
	};
	int ch;

	*json = false;
	optind = 0;
	while ((ch = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		if (ch == 'j')
			*json = true;
		else
			return bad_option(c, ch, argv);
	}
	if (optind != argc)
		return usage(c);
	return 0;
}

static int
cmd_init(struct ctx *ctx, const struct cmd *c, int argc, char **argv)
{
	char *cause = NULL, detail[64];
	int rc, before, after;

	(void)argv;
	if (argc != 1)
		return usage(c);
	if ((rc = ctx_open(ctx, true)) != 0)
		return rc;
	before = store_schema_version(ctx->store);
	if (store_migrate(ctx->store, &cause) == -1) {
		say(EXIT_RUNTIME, "%s",
		    cause != NULL ? cause : "cannot create the schema");
		free(cause);
		return EXIT_RUNTIME;
	}
	if ((after = store_schema_version(ctx->store)) == -1)
		return say(EXIT_RUNTIME,
		    "cannot read the schema version of "
		    "the database %s",
		    ctx->conf->database);
	if (before != after) {
		snprintf(
		    detail, sizeof(detail), "schema %d to %d", before, after);
		if (store_audit(ctx->store, "estctl", "db.migrate", detail) ==
		    -1)
			return say(
			    EXIT_RUNTIME, "cannot write the audit entry");
	}
	if ((rc = ctx_key(ctx)) != 0)
		return rc;
	printf("database %s ready (schema version %d)\n", ctx->conf->database,
	    after);
	return 0;
}

static int
cmd_area_add(struct ctx *ctx, const struct cmd *c, int argc, char **argv)
{
	struct area a;
	char *cause = NULL;
	int rc;

	if (argc != 3 || argv[1][0] == '-')
		return usage(c);
	if ((rc = check_slug(argv[1])) != 0 ||
	    (rc = check_text("area name", argv[2])) != 0)
		return rc;
	if ((rc = ctx_open(ctx, false)) != 0)
		return rc;

	memset(&a, 0, sizeof(a));
	if (store_area_get(ctx->store, argv[1], &a) == 0) {
		free(a.name);
		return say(EXIT_USAGE, "area \"%s\" already exists", argv[1]);
	}
	if (store_begin(ctx->store) == -1)
		return say(EXIT_RUNTIME, "cannot start a write transaction");
	if (store_area_add(ctx->store, argv[1], argv[2], &cause) == -1) {
		store_rollback(ctx->store);
		say(EXIT_RUNTIME, "%s",
		    cause != NULL ? cause : "cannot add the area");
		free(cause);
		return EXIT_RUNTIME;
	}
	if ((rc = commit_audited(ctx, "area.add", argv[1])) != 0)
		return rc;
	printf("area %s added: %s\n", argv[1], argv[2]);
	return 0;
}

static int
cmd_area_list(struct ctx *ctx, const struct cmd *c, int argc, char **argv)
{
	struct area *areas = NULL;
	json_t *doc, *list;
	size_t n = 0, i, w = strlen("SLUG");
	bool json;
	int rc;

	if ((rc = parse_json_only(c, argc, argv, &json)) != 0)
		return rc;
	if ((rc = ctx_open(ctx, false)) != 0)
		return rc;
	if (store_area_list(ctx->store, &areas, &n) == -1)
		return say(EXIT_RUNTIME, "cannot read the areas");

	if (json) {
		list = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(list,
			    json_pack("{s:s, s:s}", "slug", areas[i].slug,
				"name", areas[i].name));
		doc = json_pack("{s:o}", "areas", list);
		rc = print_json(doc);
	} else if (n == 0) {
		printf("no areas yet; add one with \"estctl area add SLUG "
		       "NAME\"\n");
	} else {
		for (i = 0; i < n; i++)
			if (strlen(areas[i].slug) > w)
				w = strlen(areas[i].slug);
		cell("SLUG", w + 2);
		printf("NAME\n");
		for (i = 0; i < n; i++) {
			cell(areas[i].slug, w + 2);
			printf("%s\n", areas[i].name);
		}
	}
	store_areas_free(areas, n);
	return rc;
}

/* "centrum, norr" or "all areas" into b. */
static void
areas_text(struct buf *b, const struct person *p)
{
	size_t i;

	if (p->all_areas) {
		buf_puts(b, "all areas");
		return;
	}
	for (i = 0; i < p->n_areas; i++) {
		if (i > 0)
			buf_puts(b, ", ");
		buf_puts(b, p->areas[i]);
	}
}

/*
 * Print the personal link as the last line and wipe the token. Links go
 * to /r/ for reporters (the form) and /k/ for everyone else.
 */
/*
 * The key personal links are made from (token_derive), read from
 * [storage] key_file and made there when missing. Returns 0 or exits
 * through say's code.
 */
static int
ctx_key(struct ctx *ctx)
{
	char *cause = NULL;

	if (ctx->have_key)
		return 0;
	if (token_key_load(ctx->conf->key_file, 1, ctx->key, &cause) == -1) {
		say(EXIT_RUNTIME, "%s", cause);
		free(cause);
		return EXIT_RUNTIME;
	}
	ctx->have_key = true;
	return 0;
}

/* A new link: its salt, token and the token's hash. */
static int
new_link(struct ctx *ctx, unsigned char salt[TOKEN_SALT_LEN], char *tok,
    unsigned char hash[TOKEN_HASH_LEN])
{
	int rc;

	if ((rc = ctx_key(ctx)) != 0)
		return rc;
	token_salt_new(salt);
	token_derive(ctx->key, salt, tok);
	token_hash(tok, strlen(tok), hash);
	return 0;
}

static void
print_link(const struct ctx *ctx, enum role role, char *tok)
{
	printf("The link is shown once only; the database keeps only a "
	       "hash of it:\n");
	printf("%s/%s/%s\n", ctx->conf->base_url,
	    role == ROLE_REPORTER ? "r" : "k", tok);
	fflush(stdout);
	explicit_bzero(tok, TOKEN_LEN + 1);
}

static int
cmd_person_add(struct ctx *ctx, const struct cmd *c, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"name", required_argument, NULL, 'n'},
	    {"email", required_argument, NULL, 'e'},
	    {"org", required_argument, NULL, 'o'},
	    {"role", required_argument, NULL, 'r'},
	    {"area", required_argument, NULL, 'a'},
	    {"all-areas", no_argument, NULL, 'A'},
	    {NULL, 0, NULL, 0},
	};
	struct person p;
	struct area a;
	struct buf b = {NULL, 0, 0};
	unsigned char hash[TOKEN_HASH_LEN], salt[TOKEN_SALT_LEN];
	char tok[TOKEN_LEN + 1], detail[64], *cause = NULL;
	char *role_s = NULL;
	long long id;
	size_t i, j;
	int ch, rc = EXIT_USAGE;

	memset(&p, 0, sizeof(p));
	p.areas = xcalloc((size_t)argc, sizeof(*p.areas));
	optind = 0;
	while ((ch = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (ch) {
		case 'n': p.name = optarg; break;
		case 'e': p.email = optarg; break;
		case 'o': p.org = optarg; break;
		case 'r': role_s = optarg; break;
		case 'a':
			for (j = 0; j < p.n_areas; j++)
				if (strcmp(p.areas[j], optarg) == 0)
					break;
			if (j == p.n_areas)
				p.areas[p.n_areas++] = optarg;
			break;
		case 'A': p.all_areas = true; break;
		default: rc = bad_option(c, ch, argv); goto done;
		}
	}
	if (optind != argc) {
		rc = usage(c);
		goto done;
	}
	if (p.name == NULL || p.email == NULL || p.org == NULL ||
	    role_s == NULL) {
		say(EXIT_USAGE, "missing %s; usage: estctl person add %s",
		    p.name == NULL        ? "--name"
			: p.email == NULL ? "--email"
			: p.org == NULL   ? "--org"
					  : "--role",
		    c->args);
		goto done;
	}
	if ((rc = check_text("name", p.name)) != 0 ||
	    (rc = check_email(p.email)) != 0 ||
	    (rc = check_text("organisation", p.org)) != 0)
		goto done;
	rc = EXIT_USAGE;
	if (store_role_parse(role_s, &p.role) == -1) {
		say(EXIT_USAGE,
		    "unknown role \"%s\": use reporter, "
		    "keyfunction, steering or admin",
		    role_s);
		goto done;
	}
	if (p.all_areas && p.n_areas > 0) {
		say(EXIT_USAGE, "--all-areas and --area exclude each other");
		goto done;
	}
	if (p.role == ROLE_REPORTER && !p.all_areas && p.n_areas == 0) {
		say(EXIT_USAGE,
		    "a reporter needs at least one --area SLUG, "
		    "or --all-areas");
		goto done;
	}
	for (i = 0; i < p.n_areas; i++)
		if ((rc = check_slug(p.areas[i])) != 0)
			goto done;
	if ((rc = ctx_open(ctx, false)) != 0)
		goto done;

	rc = EXIT_USAGE;
	for (i = 0; i < p.n_areas; i++) {
		memset(&a, 0, sizeof(a));
		if (store_area_get(ctx->store, p.areas[i], &a) == -1) {
			say(EXIT_USAGE, "area \"%s\" does not exist",
			    p.areas[i]);
			goto done;
		}
		free(a.name);
	}
	if ((id = store_person_id_by_email(ctx->store, p.email)) > 0) {
		say(EXIT_USAGE, "the e-mail %s is already taken by person %lld",
		    p.email, id);
		goto done;
	}

	p.active = true;
	p.created = clock_now();
	if ((rc = new_link(ctx, salt, tok, hash)) != 0)
		goto done;
	rc = EXIT_RUNTIME;
	if (store_begin(ctx->store) == -1) {
		say(EXIT_RUNTIME, "cannot start a write transaction");
		goto wipe;
	}
	if ((id = store_person_add(ctx->store, &p, hash, &cause)) == -1 ||
	    store_person_set_salt(ctx->store, id, salt, &cause) == -1) {
		store_rollback(ctx->store);
		say(EXIT_RUNTIME, "%s",
		    cause != NULL ? cause : "cannot add the person");
		free(cause);
		goto wipe;
	}
	snprintf(detail, sizeof(detail), "person %lld, %s", id,
	    store_role_name(p.role));
	if ((rc = commit_audited(ctx, "person.add", detail)) != 0)
		goto wipe;

	if (p.all_areas || p.n_areas == 0)
		buf_puts(&b, p.all_areas ? "all areas" : "no areas");
	else {
		buf_puts(&b, p.n_areas == 1 ? "area " : "areas ");
		areas_text(&b, &p);
	}
	printf("person %lld added: %s <%s>, %s, %s\n", id, p.name, p.email,
	    store_role_name(p.role), b.data);
	buf_reset(&b);
	print_link(ctx, p.role, tok);
	rc = 0;
wipe:
	explicit_bzero(tok, sizeof(tok));
	explicit_bzero(hash, sizeof(hash));
done:
	free(p.areas);
	return rc;
}

static int
cmd_person_list(struct ctx *ctx, const struct cmd *c, int argc, char **argv)
{
	static const char *const head[] = {
	    "ID",
	    "NAME",
	    "E-MAIL",
	    "ORGANISATION",
	    "ROLE",
	    "STATUS",
	    "AREAS",
	};
	struct person *people = NULL;
	struct buf b = {NULL, 0, 0};
	json_t *list, *areas, *o;
	char id[32];
	const char *col[7];
	size_t n = 0, i, j, w[7];
	bool json;
	int rc;

	if ((rc = parse_json_only(c, argc, argv, &json)) != 0)
		return rc;
	if ((rc = ctx_open(ctx, false)) != 0)
		return rc;
	if (store_person_list(ctx->store, &people, &n) == -1)
		return say(EXIT_RUNTIME, "cannot read the people");

	if (json) {
		list = json_array();
		for (i = 0; i < n; i++) {
			areas = json_array();
			for (j = 0; j < people[i].n_areas; j++)
				json_array_append_new(
				    areas, json_string(people[i].areas[j]));
			o = json_pack(
			    "{s:I, s:s, s:s, s:s, s:s, s:o, s:b, s:b}", "id",
			    (json_int_t)people[i].id, "name", people[i].name,
			    "email", people[i].email, "org", people[i].org,
			    "role", store_role_name(people[i].role), "areas",
			    areas, "all_areas", people[i].all_areas, "active",
			    people[i].active);
			json_array_append_new(list, o);
		}
		rc = print_json(json_pack("{s:o}", "people", list));
		goto done;
	}
	if (n == 0) {
		printf("no people yet; add one with \"estctl person add\"\n");
		goto done;
	}

	/* Two passes: widths first, then the rows. */
	for (j = 0; j < 7; j++)
		w[j] = strlen(head[j]);
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			for (j = 0; j < 6; j++)
				cell(head[j], w[j] + 2);
			printf("%s\n", head[6]);
		}
		for (i = 0; i < n; i++) {
			snprintf(id, sizeof(id), "%lld", people[i].id);
			buf_reset(&b);
			areas_text(&b, &people[i]);
			col[0] = id;
			col[1] = people[i].name;
			col[2] = people[i].email;
			col[3] = people[i].org;
			col[4] = store_role_name(people[i].role);
			col[5] = people[i].active ? "active" : "disabled";
			col[6] = b.data != NULL ? b.data : "-";
			for (j = 0; j < 7; j++) {
				if (pass == 0) {
					if (utf8_width(col[j]) > w[j])
						w[j] = utf8_width(col[j]);
				} else if (j < 6)
					cell(col[j], w[j] + 2);
				else
					printf("%s\n", col[j]);
			}
		}
	}
	buf_reset(&b);
done:
	store_people_free(people, n);
	return rc;
}

/*
 * The person named by the single ID argument into *p (cleared by the
 * caller with store_person_clear). Returns 0 or the exit status.
 */
static int
person_arg(struct ctx *ctx, const struct cmd *c, int argc, char **argv,
    struct person *p, long long *id)
{
	int rc;

	if (argc != 2)
		return usage(c);
	if ((*id = parse_id(argv[1])) == -1)
		return say(EXIT_USAGE,
		    "invalid person id \"%s\"; see \"estctl "
		    "person list\"",
		    argv[1]);
	if ((rc = ctx_open(ctx, false)) != 0)
		return rc;
	memset(p, 0, sizeof(*p));
	if (store_person_get(ctx->store, *id, p) == -1)
		return say(EXIT_USAGE, "person %lld does not exist", *id);
	return 0;
}

static int
cmd_person_link(struct ctx *ctx, const struct cmd *c, int argc, char **argv)
{
	struct person p;
	unsigned char hash[TOKEN_HASH_LEN], salt[TOKEN_SALT_LEN];
	char tok[TOKEN_LEN + 1], detail[32], *cause = NULL;
	long long id;
	int rc;

	if ((rc = person_arg(ctx, c, argc, argv, &p, &id)) != 0)
		return rc;
	if (!p.active) {
		rc = say(EXIT_USAGE,
		    "person %lld is disabled; a new link would "
		    "not work",
		    id);
		goto done;
	}
	if ((rc = new_link(ctx, salt, tok, hash)) != 0)
		goto done;
	rc = EXIT_RUNTIME;
	if (store_begin(ctx->store) == -1) {
		say(EXIT_RUNTIME, "cannot start a write transaction");
		goto wipe;
	}
	if (store_person_set_token(ctx->store, id, hash, &cause) == -1 ||
	    store_person_set_salt(ctx->store, id, salt, &cause) == -1) {
		store_rollback(ctx->store);
		say(EXIT_RUNTIME, "cannot set the new link: %s",
		    cause != NULL ? cause : "unknown error");
		free(cause);
		goto wipe;
	}
	snprintf(detail, sizeof(detail), "person %lld", id);
	if ((rc = commit_audited(ctx, "person.link", detail)) != 0)
		goto wipe;
	printf("new link for person %lld: %s <%s>, %s; the old link no "
	       "longer works\n",
	    id, p.name, p.email, store_role_name(p.role));
	print_link(ctx, p.role, tok);
	rc = 0;
wipe:
	explicit_bzero(tok, sizeof(tok));
	explicit_bzero(hash, sizeof(hash));
done:
	store_person_clear(&p);
	return rc;
}

static int
cmd_person_disable(struct ctx *ctx, const struct cmd *c, int argc, char **argv)
{
	struct person p;
	char detail[32], *cause = NULL;
	long long id;
	int rc;

	if ((rc = person_arg(ctx, c, argc, argv, &p, &id)) != 0)
		return rc;
	if (!p.active) {
		printf("person %lld is already disabled: %s <%s>\n", id, p.name,
		    p.email);
		goto done;
	}
	if (store_begin(ctx->store) == -1) {
		rc = say(EXIT_RUNTIME, "cannot start a write transaction");
		goto done;
	}
	if (store_person_disable(ctx->store, id, &cause) == -1) {
		store_rollback(ctx->store);
		rc = say(EXIT_RUNTIME, "cannot disable person %lld: %s", id,
		    cause != NULL ? cause : "unknown error");
		free(cause);
		goto done;
	}
	snprintf(detail, sizeof(detail), "person %lld", id);
	if ((rc = commit_audited(ctx, "person.disable", detail)) != 0)
		goto done;
	printf("person %lld disabled: %s <%s>; their link no longer works\n",
	    id, p.name, p.email);
done:
	store_person_clear(&p);
	return rc;
}

/*
 * Read a whole file ("-": standard input) into *data (owned by the
 * caller, free(3)). Returns 0 or the exit status.
 */
static int
read_file(const char *path, char **data, size_t *len)
{
	struct stat st;
	FILE *fp;
	size_t cap = 1 << 16, n = 0, r;
	char *p;

	if (strcmp(path, "-") == 0)
		fp = stdin;
	else if ((fp = fopen(path, "rb")) == NULL)
		return say(
		    EXIT_USAGE, "cannot open %s: %s", path, strerror(errno));
	if (fstat(fileno(fp), &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			fclose(fp);
			return say(EXIT_USAGE, "%s is a directory", path);
		}
		if (S_ISREG(st.st_mode) && st.st_size > 0)
			cap = (size_t)st.st_size + 1;
	}
	p = xmalloc(cap);
	for (;;) {
		if (n == cap) {
			if (cap >= IMPORT_FILE_MAX)
				break;
			cap *= 2;
			p = xreallocarray(p, cap, 1);
		}
		if ((r = fread(p + n, 1, cap - n, fp)) == 0)
			break;
		n += r;
	}
	if (ferror(fp) || n >= IMPORT_FILE_MAX) {
		int saved = errno;

		free(p);
		if (fp != stdin)
			fclose(fp);
		if (n >= IMPORT_FILE_MAX)
			return say(EXIT_USAGE, "%s is larger than 1 GiB", path);
		return say(
		    EXIT_RUNTIME, "cannot read %s: %s", path, strerror(saved));
	}
	if (fp != stdin)
		fclose(fp);
	*data = p;
	*len = n;
	return 0;
}

static void
import_progress(long saved, long total, void *arg)
{
	fprintf(stderr, "estctl: %s: %ld of %ld reports saved\n",
	    (const char *)arg, saved, total);
}

static const char *
plural(long n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static int
cmd_import(struct ctx *ctx, const struct cmd *c, int argc, char **argv)
{
	struct import_options opts;
	struct import_result res;
	enum import_status st;
	const char *path;
	char *data = NULL, *cause = NULL;
	size_t len = 0, i;
	int rc;

	if (argc != 2 || (argv[1][0] == '-' && argv[1][1] != '\0'))
		return usage(c);
	path = argv[1];
	if ((rc = ctx_open(ctx, false)) != 0)
		return rc;
	if ((rc = read_file(path, &data, &len)) != 0)
		return rc;

	memset(&opts, 0, sizeof(opts));
	opts.fortnightly = ctx->conf->cadence == CADENCE_FORTNIGHTLY;
	opts.parity = ctx->conf->fortnight_start;
	opts.actor = "estctl";
	if (isatty(STDERR_FILENO)) {
		opts.progress = import_progress;
		opts.progress_arg = (void *)(uintptr_t)path;
	}
	st = import_csv(
	    ctx->store, &ctx->conf->checklist, &opts, data, len, &res, &cause);
	free(data);

	switch (st) {
	case IMPORT_OK:
		printf("imported %ld %s (%ld %s) for %ld %s and %ld %s\n",
		    res.reports, plural(res.reports, "report", "reports"),
		    res.rows, plural(res.rows, "row", "rows"), res.periods,
		    plural(res.periods, "period", "periods"), res.areas,
		    plural(res.areas, "area", "areas"));
		if (res.masked > 0)
			printf(
			    "personal data (identity numbers, phone numbers "
			    "or e-mail addresses) was masked in the notes of "
			    "%ld %s\n",
			    res.masked,
			    plural(res.masked, "report", "reports"));
		rc = 0;
		break;
	case IMPORT_INVALID:
		for (i = 0; i < res.n_messages; i++)
			say(EXIT_USAGE, "%s: %s", path, res.messages[i]);
		if (res.n_errors > (long)res.n_messages)
			say(EXIT_USAGE, "%s: and %ld more %s", path,
			    res.n_errors - (long)res.n_messages,
			    plural(res.n_errors - (long)res.n_messages, "error",
				"errors"));
		say(EXIT_USAGE, "%s: nothing was imported (%ld %s)", path,
		    res.n_errors, plural(res.n_errors, "error", "errors"));
		rc = EXIT_USAGE;
		break;
	case IMPORT_FAILED:
		say(EXIT_RUNTIME, "%s: %s; nothing was imported", path,
		    cause != NULL ? cause : "unknown error");
		free(cause);
		rc = EXIT_RUNTIME;
		break;
	}
	import_result_clear(&res);
	return rc;
}

/* The JSON of one stored report (contract §6). New reference. */
static json_t *
report_json(const struct stored_report *sr, const struct checklist *cl)
{
	const struct report *r = &sr->report;
	json_t *ratings, *counts;
	char when[40];
	size_t i;

	ratings = json_object();
	counts = json_object();
	for (i = 0; i < cl->n; i++) {
		if (r->ratings[i] != RATING_NONE)
			json_object_set_new(ratings, cl->items[i].key,
			    json_integer(r->ratings[i]));
		if (r->counts[i] != COUNT_NONE)
			json_object_set_new(counts, cl->items[i].key,
			    json_integer(r->counts[i]));
	}
	clock_format_iso(sr->submitted, when, sizeof(when));
	return json_pack("{s:I, s:s, s:s?, s:s, s:i, s:o, s:o, s:s?, s:s?, "
			 "s:b}",
	    "id", (json_int_t)sr->id, "area", r->area, "reporter",
	    sr->reporter_email, "submitted", when, "revision", sr->revision,
	    "ratings", ratings, "counts", counts, "place", r->place, "note",
	    r->note, "nothing", r->nothing);
}

/* Text lines indented under a label, for multi-line notes. */
static void
print_indented(const char *label, const char *text)
{
	const char *nl;

	printf("  %s: ", label);
	while ((nl = strchr(text, '\n')) != NULL) {
		printf("%.*s\n%*s", (int)(nl - text), text,
		    (int)strlen(label) + 4, "");
		text = nl + 1;
	}
	printf("%s\n", text);
}

static void
report_text(const struct stored_report *sr, const struct checklist *cl)
{
	const struct report *r = &sr->report;
	char when[40];
	size_t i, w = 0;

	clock_format_iso(sr->submitted, when, sizeof(when));
	printf("\n%s, ", r->area);
	if (sr->reporter_email != NULL)
		printf("%s%s%s%s", sr->reporter_email,
		    sr->reporter_name != NULL ? " (" : "",
		    sr->reporter_name != NULL ? sr->reporter_name : "",
		    sr->reporter_name != NULL ? ")" : "");
	else
		printf("no reporter (imported)");
	printf(": report %lld, revision %d, submitted %s\n", sr->id,
	    sr->revision, when);
	if (r->nothing)
		printf("  nothing to report\n");
	for (i = 0; i < cl->n; i++)
		if (strlen(cl->items[i].key) > w)
			w = strlen(cl->items[i].key);
	for (i = 0; i < cl->n && !r->nothing; i++) {
		if (r->ratings[i] == RATING_NONE && r->counts[i] == COUNT_NONE)
			continue;
		printf("  %-*s  ", (int)w, cl->items[i].key);
		if (r->ratings[i] != RATING_NONE)
			printf("%d", r->ratings[i]);
		else
			printf("-");
		if (r->counts[i] != COUNT_NONE)
			printf("  (%d %s)", r->counts[i],
			    plural(r->counts[i], "event", "events"));
		printf("\n");
	}
	if (r->place != NULL)
		print_indented("place", r->place);
	if (r->note != NULL)
		print_indented("note", r->note);
}

static int
cmd_reports(struct ctx *ctx, const struct cmd *c, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"area", required_argument, NULL, 'a'},
	    {"json", no_argument, NULL, 'j'},
	    {NULL, 0, NULL, 0},
	};
	struct stored_report *list = NULL;
	struct period p;
	struct area a;
	json_t *arr;
	const char *area = NULL;
	char label[PERIOD_LABEL_MAX];
	size_t n = 0, i;
	bool json = false;
	int ch, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		if (ch == 'a')
			area = optarg;
		else if (ch == 'j')
			json = true;
		else
			return bad_option(c, ch, argv);
	}
	if (optind != argc - 1)
		return usage(c);
	if (period_parse(argv[optind], &p) == -1 || p.kind != PERIOD_WEEK)
		return say(EXIT_USAGE,
		    "invalid period \"%s\": expected a week "
		    "such as 2026-W47",
		    argv[optind]);
	period_format(&p, label);
	if (area != NULL && (rc = check_slug(area)) != 0)
		return rc;
	if ((rc = ctx_open(ctx, false)) != 0)
		return rc;
	if (ctx->conf->cadence == CADENCE_FORTNIGHTLY &&
	    period_as_fortnight(&p, ctx->conf->fortnight_start) == -1)
		return say(EXIT_USAGE,
		    "%s is not the first week of a "
		    "fortnight",
		    label);
	if (area != NULL) {
		memset(&a, 0, sizeof(a));
		if (store_area_get(ctx->store, area, &a) == -1)
			return say(
			    EXIT_USAGE, "area \"%s\" does not exist", area);
		free(a.name);
	}
	if (store_report_list(
		ctx->store, &p, area, &ctx->conf->checklist, &list, &n) == -1)
		return say(
		    EXIT_RUNTIME, "cannot read the reports of %s", label);

	if (json) {
		arr = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(
			    arr, report_json(&list[i], &ctx->conf->checklist));
		rc = print_json(
		    json_pack("{s:s, s:o}", "period", label, "reports", arr));
	} else {
		if (n == 0)
			printf("%s%s%s: no reports\n", label,
			    area != NULL ? ", " : "", area != NULL ? area : "");
		else
			printf("%s%s%s: %zu %s\n", label,
			    area != NULL ? ", " : "", area != NULL ? area : "",
			    n, plural((long)n, "report", "reports"));
		for (i = 0; i < n; i++)
			report_text(&list[i], &ctx->conf->checklist);
	}
	store_stored_reports_free(list, n);
	return rc;
}

/*
 * The reporting period named on the command line, checked before and
 * after the configuration is read (a fortnight must start on its first
 * week). Returns 0 or the exit status, the reason printed.
 */
static int
period_arg(struct ctx *ctx, const char *label, struct period *p)
{
	int rc;

	if (period_parse(label, p) == -1 || p->kind != PERIOD_WEEK)
		return say(EXIT_USAGE,
		    "invalid period \"%s\": expected a week "
		    "such as 2026-W47",
		    label);
	if ((rc = ctx_open(ctx, false)) != 0)
		return rc;
	if (gather_period(ctx->conf, label, p) == -1)
		return say(EXIT_USAGE,
		    "%s is not the first week of a "
		    "fortnight",
		    label);
	return 0;
}

static int
cmd_picture(struct ctx *ctx, const struct cmd *c, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"text", no_argument, NULL, 't'},
	    {"html", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct gathered g;
	struct period p;
	json_t *doc;
	char *out, *cause = NULL;
	int ch, rc, format = 0;

	optind = 0;
	while ((ch = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		if (ch != 'j' && ch != 't' && ch != 'h')
			return bad_option(c, ch, argv);
		if (format != 0 && format != ch)
			return say(EXIT_USAGE,
			    "give one of --json, --text and "
			    "--html");
		format = ch;
	}
	if (optind != argc - 1)
		return usage(c);
	if ((rc = period_arg(ctx, argv[optind], &p)) != 0)
		return rc;
	/* The administrator sees every area and who has not reported. */
	if (gather(ctx->store, ctx->conf, &p, NULL, &g, &cause) == -1) {
		gather_clear(&g);
		rc = say(EXIT_RUNTIME, "%s",
		    cause != NULL ? cause : "cannot read the picture");
		free(cause);
		return rc;
	}
	switch (format) {
	case 'j':
		doc = gather_json(&g, true);
		rc = json_dumpf(doc, stdout,
		    JSON_INDENT(2) | JSON_PRESERVE_ORDER | PICTURE_JSON_REAL);
		json_decref(doc);
		if (rc == -1)
			rc = say(EXIT_RUNTIME, "cannot write the JSON output");
		else
			fputc('\n', stdout);
		break;
	case 'h':
		out = picture_to_html(g.picture, true);
		fputs(out, stdout);
		free(out);
		break;
	default:
		out = picture_to_text(g.picture, true);
		fputs(out, stdout);
		free(out);
		break;
	}
	gather_clear(&g);
	return rc;
}

/*
 * "data:TYPE;base64,..." of data[0..len) into b (reset first), without
 * the encoder's line breaks; returns b's string, owned by b.
 */
static const char *
data_uri(struct buf *b, const char *type, const void *data, size_t len)
{
	char *r, *w;

	buf_reset(b);
	buf_printf(b, "data:%s;base64,", type);
	mime_base64_encode(b, data, len);
	for (r = w = b->data; *r != '\0'; r++)
		if (*r != '\r' && *r != '\n')
			*w++ = *r;
	*w = '\0';
	b->len = (size_t)(w - b->data);
	return b->data;
}

/*
 * The charts the analysis page shows (each area's "charts" of
 * gather_analysis_json), as data: URIs by "AREA/INDICATOR", so the page
 * is one file. A new reference.
 */
static json_t *
analysis_chart_srcs(const struct gathered_analysis *g, json_t *doc)
{
	json_t *srcs = json_object(), *a, *k;
	struct buf b = {NULL, 0, 0};
	const char *slug, *key;
	char *svg, *name;
	size_t i, j;

	json_array_foreach(json_object_get(doc, "areas"), i, a)
	{
		slug = json_string_value(json_object_get(a, "area"));
		json_array_foreach(json_object_get(a, "charts"), j, k)
		{
			key = json_string_value(k);
			if (slug == NULL || key == NULL ||
			    (svg = analysis_svg_chart(
				 g->analysis, slug, key)) == NULL)
				continue;
			xasprintf(&name, "%s/%s", slug, key);
			json_object_set_new(srcs, name,
			    json_string(data_uri(
				&b, "image/svg+xml", svg, strlen(svg))));
			free(name);
			free(svg);
		}
	}
	buf_reset(&b);
	return srcs;
}

/*
 * The analysis page as one HTML document on stdout, its stylesheet and
 * charts in it as data: URIs, so the file can be mailed or archived.
 */
static int
analysis_html(struct ctx *ctx, const struct gathered_analysis *g)
{
	struct analysis_view v;
	struct page_set *pages;
	struct buf b = {NULL, 0, 0}, b2 = {NULL, 0, 0};
	json_t *doc;
	const char *css;
	char *cause = NULL, *html;
	size_t len;
	int rc = 0;

	if ((pages = page_load(ctx->conf->templates, &cause)) == NULL) {
		rc = say(EXIT_USAGE, "%s", cause);
		free(cause);
		return rc;
	}
	doc = gather_analysis_json(g);
	memset(&v, 0, sizeof(v));
	v.lang = "sv";
	v.analysis = doc;
	v.period_label = g->label;
	v.checklist = &ctx->conf->checklist;
	v.chart_srcs = analysis_chart_srcs(g, doc);
	css = page_css(pages, &len);
	v.stylesheet = data_uri(&b, "text/css", css, len);
	css = page_analysis_css(pages, &len);
	v.analysis_stylesheet = data_uri(&b2, "text/css", css, len);
	if ((html = page_analysis(pages, &v, &len)) == NULL)
		rc = say(EXIT_USAGE,
		    "the templates in %s have no "
		    "analysis.html",
		    ctx->conf->templates);
	else {
		fwrite(html, 1, len, stdout);
		free(html);
	}
	buf_reset(&b);
	buf_reset(&b2);
	json_decref(v.chart_srcs);
	json_decref(doc);
	page_free(pages);
	return rc;
}

/* The summary in words (the mail's, analysis-summary.txt) on stdout. */
static int
analysis_text(struct ctx *ctx, const struct gathered_analysis *g)
{
	struct digest_analysis in;
	struct tmpl_set *mail;
	json_t *doc;
	char *dir, *cause = NULL, *text;
	int rc = 0;

	xasprintf(&dir, "%s/mail", ctx->conf->templates);
	mail = tmpl_set_load(dir, &cause);
	free(dir);
	if (mail == NULL) {
		rc = say(EXIT_USAGE, "%s", cause);
		free(cause);
		return rc;
	}
	doc = analysis_to_json(g->analysis);
	memset(&in, 0, sizeof(in));
	in.analysis = doc;
	in.checklist = &ctx->conf->checklist;
	in.max_areas = SIZE_MAX;
	in.max_flags = SIZE_MAX;
	in.max_changes = 10;
	if ((text = digest_analysis_text(mail, &in, &cause)) == NULL) {
		rc = say(EXIT_USAGE, "%s", cause);
		free(cause);
	} else {
		fputs(text, stdout);
		free(text);
	}
	json_decref(doc);
	tmpl_set_free(mail);
	return rc;
}

static int
cmd_analysis(struct ctx *ctx, const struct cmd *c, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"csv", no_argument, NULL, 'c'},
	    {"html", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct gathered_analysis g;
	struct period p;
	json_t *doc;
	char *out, *cause = NULL;
	int ch, rc, format = 0;

	optind = 0;
	while ((ch = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		if (ch != 'j' && ch != 'c' && ch != 'h')
			return bad_option(c, ch, argv);
		if (format != 0 && format != ch)
			return say(EXIT_USAGE,
			    "give one of --json, --csv and "
			    "--html");
		format = ch;
	}
	if (optind != argc - 1)
		return usage(c);
	if (gather_analysis_period(argv[optind], &p) == -1)
		return say(EXIT_USAGE,
		    "invalid period \"%s\": expected a "
		    "quarter, tertial or year such as 2026-Q3, 2026-T2 or "
		    "2026",
		    argv[optind]);
	if ((rc = ctx_open(ctx, false)) != 0)
		return rc;
	/* The administrator sees every area. */
	if (gather_analysis(ctx->store, ctx->conf, &p, NULL, &g, &cause) ==
	    -1) {
		rc = say(EXIT_RUNTIME, "%s",
		    cause != NULL ? cause : "cannot read the analysis");
		free(cause);
		gather_analysis_clear(&g);
		return rc;
	}
	switch (format) {
	case 'j':
		doc = gather_analysis_json(&g);
		rc = json_dumpf(doc, stdout,
		    JSON_INDENT(2) | JSON_PRESERVE_ORDER | ANALYSIS_JSON_REAL);
		json_decref(doc);
		if (rc == -1)
			rc = say(EXIT_RUNTIME, "cannot write the JSON output");
		else
			fputc('\n', stdout);
		break;
	case 'c':
		out = analysis_to_csv(g.analysis);
		fputs(out, stdout);
		free(out);
		break;
	case 'h': rc = analysis_html(ctx, &g); break;
	default: rc = analysis_text(ctx, &g); break;
	}
	gather_analysis_clear(&g);
	return rc;
}

static int
cmd_flags(struct ctx *ctx, const struct cmd *c, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"all", no_argument, NULL, 'a'},
	    {NULL, 0, NULL, 0},
	};
	static const char *const heads[] = {"ID", "AREA", "INDICATOR", "OPENED",
	    "STATUS", "ACKNOWLEDGED", "REASON"};
	struct flag_row *flags = NULL;
	const char *col[7];
	char id[24], opened[PERIOD_LABEL_MAX];
	char closed[PERIOD_LABEL_MAX], status[32];
	size_t n = 0, i, j, w[7];
	bool json = false, all = false;
	int ch, rc, pass;

	optind = 0;
	while ((ch = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		if (ch == 'j')
			json = true;
		else if (ch == 'a')
			all = true;
		else
			return bad_option(c, ch, argv);
	}
	if (optind != argc)
		return usage(c);
	if ((rc = ctx_open(ctx, false)) != 0)
		return rc;
	if (gather_flags(ctx->store, NULL, all, &flags, &n) == -1)
		return say(EXIT_RUNTIME, "cannot read the flags");

	if (json)
		rc = print_json(gather_flags_json(flags, n));
	else if (n == 0)
		printf("%s\n", all ? "no flags" : "no open flags");
	else {
		for (j = 0; j < 7; j++)
			w[j] = strlen(heads[j]);
		/* Two passes: measure the columns, then print. */
		for (pass = 0; pass < 2; pass++) {
			for (j = 0; pass == 1 && j < 7; j++) {
				if (j < 6)
					cell(heads[j], w[j] + 2);
				else
					printf("%s\n", heads[j]);
			}
			for (i = 0; i < n; i++) {
				snprintf(id, sizeof(id), "%lld", flags[i].id);
				period_format(&flags[i].opened, opened);
				snprintf(status, sizeof(status), "open");
				if (!flags[i].open) {
					period_format(&flags[i].closed, closed);
					snprintf(status, sizeof(status),
					    "closed %s", closed);
				}
				col[0] = id;
				col[1] = flags[i].area;
				col[2] = flags[i].indicator;
				col[3] = opened;
				col[4] = status;
				col[5] = flags[i].ack_by != NULL
				    ? flags[i].ack_by
				    : "-";
				col[6] = flags[i].reason_sv != NULL
				    ? flags[i].reason_sv
				    : "";
				for (j = 0; j < 7; j++) {
					if (pass == 0 &&
					    utf8_width(col[j]) > w[j])
						w[j] = utf8_width(col[j]);
					else if (pass == 1 && j < 6)
						cell(col[j], w[j] + 2);
					else if (pass == 1)
						printf("%s\n", col[j]);
				}
			}
		}
	}
	store_flags_free(flags, n);
	return rc;
}

static int
cmd_backup(struct ctx *ctx, const struct cmd *c, int argc, char **argv)
{
	struct stat db, to;
	char *cause = NULL;
	int rc;

	if (argc != 2 || argv[1][0] == '-')
		return usage(c);
	if ((rc = ctx_open(ctx, false)) != 0)
		return rc;
	if (stat(ctx->conf->database, &db) == 0 && stat(argv[1], &to) == 0 &&
	    db.st_dev == to.st_dev && db.st_ino == to.st_ino)
		return say(EXIT_USAGE,
		    "%s is the database itself; choose "
		    "another file",
		    argv[1]);
	if (store_backup(ctx->store, argv[1], &cause) == -1) {
		say(EXIT_RUNTIME, "%s",
		    cause != NULL ? cause : "the backup failed");
		free(cause);
		return EXIT_RUNTIME;
	}
	printf("backup written to %s (quick_check ok)\n", argv[1]);
	/* Links in mail are made from the key: restoring needs both. */
	if (jobs_backup_key(ctx->conf, argv[1], &cause) == -1) {
		rc = say(EXIT_RUNTIME,
		    "the key file was not copied beside "
		    "the backup: %s",
		    cause);
		free(cause);
		return rc;
	}
	printf("key file copied to %s.key\n", argv[1]);
	return 0;
}

static int
cmd_audit_verify(struct ctx *ctx, const struct cmd *c, int argc, char **argv)
{
	char *cause = NULL, hash[65];
	long long checked, bad, newest, anchor;
	int rc;

	(void)argv;
	if (argc != 1)
		return usage(c);
	if ((rc = ctx_open(ctx, false)) != 0)
		return rc;
	if (store_audit_verify(ctx->store, &checked, &bad, &cause) == -1) {
		if (bad > 0)
			rc = say(EXIT_RUNTIME,
			    "audit log broken at entry %lld: "
			    "%s",
			    bad, cause);
		else
			rc =
			    say(EXIT_RUNTIME, "cannot verify the audit log: %s",
				cause != NULL ? cause : "unknown error");
		free(cause);
		return rc;
	}
	printf("audit log intact: %lld entries checked\n", checked);
	/* The newest hash, to note elsewhere: cutting the end leaves no gap. */
	if (store_audit_head(ctx->store, &newest, hash, &anchor) == 0) {
		if (checked > 0)
			printf("newest entry %lld, hash %s\n", newest, hash);
		if (anchor > 0)
			printf("entries up to %lld were removed by retention\n",
			    anchor);
	}
	return 0;
}

struct audit_out {
	bool json;
	long n;
	struct buf line;
};

/* One entry as a CSV row or a JSON array element. */
static int
audit_print(const struct audit_entry *e, void *arg)
{
	struct audit_out *o = arg;
	const char *f[7];
	char id[24], at[40], *s;
	json_t *obj;

	snprintf(id, sizeof(id), "%lld", e->id);
	clock_format_iso(e->at, at, sizeof(at));
	if (o->json) {
		obj = json_pack("{s:I,s:s,s:s,s:s,s:o,s:s,s:s}", "id",
		    (json_int_t)e->id, "at", at, "actor",
		    e->actor != NULL ? e->actor : "", "action",
		    e->action != NULL ? e->action : "", "detail",
		    e->detail != NULL ? json_string(e->detail) : json_null(),
		    "prev_hash", e->prev_hash != NULL ? e->prev_hash : "",
		    "hash", e->hash != NULL ? e->hash : "");
		/* Text that is not UTF-8 cannot be a JSON string. */
		if (obj == NULL)
			return -1;
		s = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(obj);
		if (s == NULL)
			return -1;
		printf("%s\n  %s", o->n > 0 ? "," : "", s);
		free(s);
	} else {
		f[0] = id;
		f[1] = at;
		f[2] = e->actor != NULL ? e->actor : "";
		f[3] = e->action != NULL ? e->action : "";
		f[4] = e->detail != NULL ? e->detail : "";
		f[5] = e->prev_hash != NULL ? e->prev_hash : "";
		f[6] = e->hash != NULL ? e->hash : "";
		csv_write_row(&o->line, f, 7);
		fwrite(o->line.data, 1, o->line.len, stdout);
		buf_reset(&o->line);
	}
	o->n++;
	return ferror(stdout) ? -1 : 0;
}

static int
cmd_audit_export(struct ctx *ctx, const struct cmd *c, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"since", required_argument, NULL, 's'},
	    {"csv", no_argument, NULL, 'c'},
	    {"json", no_argument, NULL, 'j'},
	    {NULL, 0, NULL, 0},
	};
	static const char *const head[] = {
	    "id", "at", "actor", "action", "detail", "prev_hash", "hash"};
	struct audit_out o;
	struct civil cv;
	const char *since_arg = NULL;
	char detail[96];
	time_t since = 0;
	long day = 0;
	int ch, rc, i, y, m, d, formats = 0;

	memset(&o, 0, sizeof(o));
	optind = 0;
	while ((ch = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		if (ch == 's')
			since_arg = optarg;
		else if (ch == 'c' || ch == 'j') {
			o.json = ch == 'j';
			formats++;
		} else
			return bad_option(c, ch, argv);
	}
	if (optind != argc || formats > 1)
		return usage(c);
	if (since_arg != NULL) {
		for (i = 0; since_arg[i] != '\0'; i++)
			if (i == 10 ||
			    ((i == 4 || i == 7) ? since_arg[i] != '-'
						: (since_arg[i] < '0' ||
						      since_arg[i] > '9')))
				goto bad_date;
		if (i != 10 ||
		    sscanf(since_arg, "%4d-%2d-%2d", &y, &m, &d) != 3)
			goto bad_date;
		day = period_days_from_civil(y, m, d);
		period_civil_from_days(day, &cv);
		if (cv.year != y || cv.month != m || cv.day != d)
			goto bad_date;
	}
	if ((rc = ctx_open(ctx, false)) != 0)
		return rc;
	/* Midnight local time, in the configured zone (set by ctx_open). */
	if (since_arg != NULL)
		since = clock_local_instant(day, 0, 0);

	if (o.json)
		printf("{\"since\": %s%s%s, \"entries\": [",
		    since_arg != NULL ? "\"" : "",
		    since_arg != NULL ? since_arg : "null",
		    since_arg != NULL ? "\"" : "");
	else {
		csv_write_row(&o.line, head, 7);
		fwrite(o.line.data, 1, o.line.len, stdout);
		buf_reset(&o.line);
	}
	if (store_audit_export(ctx->store, since, audit_print, &o) == -1) {
		buf_reset(&o.line);
		return say(EXIT_RUNTIME,
		    "cannot export the audit log (after "
		    "%ld entries)",
		    o.n);
	}
	if (o.json)
		printf("%s]}\n", o.n > 0 ? "\n" : "");
	/* Handing out the log is itself recorded. */
	snprintf(detail, sizeof(detail), "%ld entries since %s, %s", o.n,
	    since_arg != NULL ? since_arg : "the start",
	    o.json ? "json" : "csv");
	if (store_audit(ctx->store, "estctl", "audit.export", detail) == -1)
		return say(EXIT_RUNTIME, "cannot write the audit entry");
	return 0;
bad_date:
	return say(
	    EXIT_USAGE, "\"%s\" is not a date like 2024-11-22", since_arg);
}

/* The table row for the command words at argv[0] (and argv[1]). */
static const struct cmd *
find_cmd(int argc, char **argv, int *words)
{
	const struct cmd *c;
	struct buf subs = {NULL, 0, 0};
	size_t i;
	bool known = false;

	for (i = 0; i < NCMDS; i++) {
		c = &cmds[i];
		if (strcmp(c->name, argv[0]) != 0)
			continue;
		known = true;
		if (c->sub == NULL) {
			*words = 1;
			buf_reset(&subs);
			return c;
		}
		if (argc > 1 && strcmp(c->sub, argv[1]) == 0) {
			*words = 2;
			buf_reset(&subs);
			return c;
		}
		buf_printf(&subs, "%s%s", subs.len > 0 ? ", " : "", c->sub);
	}
	if (!known)
		say(EXIT_USAGE, "unknown command \"%s\"; see \"estctl --help\"",
		    argv[0]);
	else if (argc > 1)
		say(EXIT_USAGE,
		    "unknown command \"%s %s\"; \"%s\" takes one "
		    "of: %s",
		    argv[0], argv[1], argv[0], subs.data);
	else
		say(EXIT_USAGE, "\"%s\" needs one of: %s", argv[0], subs.data);
	buf_reset(&subs);
	return NULL;
}

static int
cmd_digest(struct ctx *ctx, const struct cmd *c, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"dry-run", no_argument, NULL, 'n'},
	    {NULL, 0, NULL, 0},
	};
	struct dbwrite dw;
	struct jobs_result r;
	struct tmpl_set *mail = NULL;
	struct period p;
	char *dir = NULL, *cause = NULL;
	bool dry_run = false;
	int ch, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		if (ch == 'n')
			dry_run = true;
		else
			return bad_option(c, ch, argv);
	}
	if (optind != argc - 1)
		return usage(c);
	if ((rc = ctx_open(ctx, false)) != 0)
		return rc;
	if (gather_period(ctx->conf, argv[optind], &p) == -1)
		return say(EXIT_USAGE,
		    "\"%s\" is not a reporting period (like "
		    "2026-W47)",
		    argv[optind]);
	if ((rc = ctx_key(ctx)) != 0)
		return rc;
	xasprintf(&dir, "%s/mail", ctx->conf->templates);
	mail = tmpl_set_load(dir, &cause);
	free(dir);
	if (mail == NULL) {
		say(EXIT_USAGE, "%s", cause);
		free(cause);
		return EXIT_USAGE;
	}
	memset(&dw, 0, sizeof(dw));
	dw.store = ctx->store;
	if (jobs_digest(ctx->conf, &dw, ctx->key, mail, &p, clock_now(), true,
		dry_run, &r, &cause) == -1) {
		rc = say(EXIT_RUNTIME, "digest of %s: %s", argv[optind], cause);
		free(cause);
	} else if (dry_run)
		printf("(dry run: %d mails would be queued)\n", r.queued);
	else
		printf("digest of %s: %d mails queued (mails queued before are "
		       "not queued again); %d flags opened, %d closed\n",
		    argv[optind], r.queued, r.flags_opened, r.flags_closed);
	tmpl_set_free(mail);
	return rc;
}

static void
format_time(time_t t, char *buf, size_t size)
{
	if (t == 0)
		snprintf(buf, size, "-");
	else
		clock_format_iso(t, buf, size);
}

/*
 * For a command of no arguments that runs one of the daemon's passes
 * itself: the database opened, and *dw writing straight to it rather
 * than through the writer thread. 0, or the exit code to return.
 */
static int
open_direct(struct ctx *ctx, const struct cmd *c, int argc, struct dbwrite *dw)
{
	int rc;

	if (argc != 1)
		return usage(c);
	if ((rc = ctx_open(ctx, false)) != 0)
		return rc;
	memset(dw, 0, sizeof(*dw));
	dw->store = ctx->store;
	return 0;
}

/*
 * The document of an outbox listing: its counts by state (`done` names
 * the sent state: "sent", "delivered"), the age of the oldest queued
 * entry and `arr` under `list`. arr is taken; the result is a new
 * reference for print_json.
 */
static json_t *
outbox_doc(const long counts[4], long oldest, const char *done,
    const char *list, json_t *arr)
{
	return json_pack("{s:{s:i,s:i,s:i,s:i},s:i,s:o}", "counts", "queued",
	    (int)counts[OUTBOX_QUEUED], "sending", (int)counts[OUTBOX_SENDING],
	    done, (int)counts[OUTBOX_SENT], "failed",
	    (int)counts[OUTBOX_FAILED], "oldest_queued_seconds", (int)oldest,
	    list, arr);
}

/*
 * The first line of an outbox listing: "2 queued, 0 being sent, 5 sent,
 * 1 failed; the oldest waiting mail is 3 minutes old", with `done` for
 * "sent" and `waiting` for "waiting mail".
 */
static void
print_outbox_counts(
    const long counts[4], long oldest, const char *done, const char *waiting)
{
	printf("%ld queued, %ld being %s, %ld %s, %ld failed",
	    counts[OUTBOX_QUEUED], counts[OUTBOX_SENDING], done,
	    counts[OUTBOX_SENT], done, counts[OUTBOX_FAILED]);
	if (oldest > 0)
		printf(
		    "; the oldest %s is %ld minutes old", waiting, oldest / 60);
	printf("\n");
}

static int
cmd_outbox(struct ctx *ctx, const struct cmd *c, int argc, char **argv)
{
	struct outbox_mail *m = NULL;
	size_t n = 0;
	long counts[4], oldest;
	bool json = false;
	char created[40], when[40];
	int rc;

	if ((rc = parse_json_only(c, argc, argv, &json)) != 0)
		return rc;
	if ((rc = ctx_open(ctx, false)) != 0)
		return rc;
	if (store_outbox_list(ctx->store, 0, &m, &n) == -1 ||
	    store_outbox_counts(ctx->store, clock_now(), counts, &oldest) == -1)
		return say(EXIT_RUNTIME, "cannot read the outbox");
	if (json) {
		json_t *arr = json_array();

		for (size_t i = 0; i < n; i++) {
			format_time(m[i].created, created, sizeof(created));
			json_array_append_new(arr,
			    json_pack(
				"{s:I,s:s,s:s,s:s,s:s,s:s,s:i,s:s,s:o,s:o}",
				"id", (json_int_t)m[i].id, "state",
				store_outbox_state_name(m[i].state), "kind",
				m[i].kind, "recipient", m[i].recipient,
				"subject", m[i].subject, "message_id",
				m[i].message_id, "attempts", m[i].attempts,
				"created", created, "sent",
				m[i].sent_at != 0 ? (format_time(m[i].sent_at,
							 when, sizeof(when)),
							json_string(when))
						  : json_null(),
				"last_error",
				m[i].last_error != NULL
				    ? json_string(m[i].last_error)
				    : json_null()));
		}
		rc = print_json(
		    outbox_doc(counts, oldest, "sent", "mails", arr));
	} else {
		print_outbox_counts(counts, oldest, "sent", "waiting mail");
		for (size_t i = 0; i < n; i++) {
			format_time(m[i].created, created, sizeof(created));
			format_time(m[i].state == OUTBOX_SENT ? m[i].sent_at
							      : m[i].next_at,
			    when, sizeof(when));
			printf(
			    "%-5lld %-8s %-9s %-32s %s, %d attempt%s, %s %s\n",
			    m[i].id, store_outbox_state_name(m[i].state),
			    m[i].kind, m[i].recipient, created, m[i].attempts,
			    m[i].attempts == 1 ? "" : "s",
			    m[i].state == OUTBOX_SENT         ? "sent"
				: m[i].state == OUTBOX_FAILED ? "gave up"
							      : "next",
			    m[i].state == OUTBOX_FAILED ? "" : when);
			if (m[i].last_error != NULL)
				printf("      %s: %s\n",
				    m[i].state == OUTBOX_SENT ? "relay's answer"
							      : "last error",
				    m[i].last_error);
		}
	}
	store_outbox_free(m, n);
	return rc;
}

static int
cmd_outbox_flush(struct ctx *ctx, const struct cmd *c, int argc, char **argv)
{
	struct dbwrite dw;
	struct deliver_counts dc, total;
	char *cause = NULL;
	int rc;

	(void)argv;
	if ((rc = open_direct(ctx, c, argc, &dw)) != 0)
		return rc;
	memset(&total, 0, sizeof(total));
	/* Passes until nothing due is left (each takes a batch). */
	do {
		if (deliver_pass(ctx->conf, &dw, clock_now(), &dc, &cause) ==
		    -1) {
			rc = say(EXIT_RUNTIME, "delivery: %s", cause);
			free(cause);
			break;
		}
		total.attempted += dc.attempted;
		total.sent += dc.sent;
		total.deferred += dc.deferred;
		total.failed += dc.failed;
	} while (dc.attempted > 0 && dc.deferred + dc.failed < dc.attempted);
	printf("%d attempted: %d sent, %d deferred, %d failed\n",
	    total.attempted, total.sent, total.deferred, total.failed);
	return rc;
}

static int
cmd_police_fetch(struct ctx *ctx, const struct cmd *c, int argc, char **argv)
{
	struct dbwrite dw;
	struct outbound_police r;
	char *cause = NULL, next[40];
	int rc;

	(void)argv;
	if ((rc = open_direct(ctx, c, argc, &dw)) != 0)
		return rc;
	if (outbound_police_poll(
		ctx->conf, &dw, clock_now(), true, NULL, &r, &cause) == -1) {
		rc = say(ctx->conf->police_enabled ? EXIT_RUNTIME : EXIT_USAGE,
		    "police: %s", cause);
		free(cause);
		return rc;
	}
	if (!r.called) {
		format_time(r.next, next, sizeof(next));
		return say(EXIT_RUNTIME,
		    "police: not fetched: the police "
		    "allow no call before %s (one call every %d s at most, "
		    "and none before a Retry-After)",
		    next, OUTBOUND_POLICE_GAP);
	}
	if (r.not_modified)
		printf("police: no new notices (not modified since the last "
		       "fetch)\n");
	else
		printf("police: %zu notices fetched: %zu new, %zu updated, %zu "
		       "unchanged; %zu malformed and skipped\n",
		    r.received, r.added, r.updated, r.unchanged, r.malformed);
	return 0;
}

static json_t *
police_notice_json(const struct police_notice *n)
{
	char at[40], first[40], updated[40];

	format_time(n->at, at, sizeof(at));
	format_time(n->first_seen, first, sizeof(first));
	format_time(n->updated, updated, sizeof(updated));
	return json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:i,s:s,s:s}",
	    "id", (json_int_t)n->id, "at", at, "datetime", n->datetime, "type",
	    n->type, "location", n->location, "name", n->name, "summary",
	    n->summary, "url",
	    n->url != NULL ? json_string(n->url) : json_null(), "gps",
	    n->gps != NULL ? json_string(n->gps) : json_null(), "revision",
	    n->revision, "first_seen", first, "updated", updated);
}

static int
cmd_police_list(struct ctx *ctx, const struct cmd *c, int argc, char **argv)
{
	struct police_notice *notices = NULL;
	struct police_count *counts = NULL;
	struct period p;
	char **names = NULL, start[16], end[16], label[16];
	char at[40];
	size_t n = 0, n_names = 0, n_counts = 0, i;
	time_t from, to;
	json_t *arr, *types, *where;
	bool json = false;
	long total;
	int rc;

	optind = 0;
	if (argc == 3 && strcmp(argv[2], "--json") == 0) {
		json = true;
		argc--;
	}
	if (argc != 2 || argv[1][0] == '-')
		return usage(c);
	if ((rc = period_arg(ctx, argv[1], &p)) != 0)
		return rc;
	if (ctx->conf->police_locations[0] == '\0')
		return say(EXIT_USAGE,
		    "police: no locations are configured "
		    "([police] locations)");
	gather_dates(ctx->conf, &p, start, end);
	period_format(&p, label);
	from = clock_local_instant(period_first_day(&p), 0, 0);
	to = clock_local_instant(
	    period_last_day_parity(&p, ctx->conf->fortnight_start) + 1, 0, 0);
	if (store_police_list(ctx->store, from, to, &notices, &n) == -1)
		return say(EXIT_RUNTIME, "cannot read the police notices");
	/* What the picture counts: the configured locations. */
	n_names = police_locations(ctx->conf->police_locations, &names);
	total = police_count(notices, n, names, n_names, &counts, &n_counts);
	if (json) {
		arr = json_array();
		types = json_array();
		where = json_array();
		for (i = 0; i < n_names; i++)
			json_array_append_new(where, json_string(names[i]));
		for (i = 0; i < n_counts; i++)
			json_array_append_new(types,
			    json_pack("{s:s,s:I}", "type", counts[i].type,
				"count", (json_int_t)counts[i].count));
		for (i = 0; i < n; i++)
			if (police_location_match(
				notices[i].location, names, n_names))
				json_array_append_new(
				    arr, police_notice_json(&notices[i]));
		rc = print_json(
		    json_pack("{s:s,s:s,s:s,s:o,s:I,s:o,s:o}", "period", label,
			"start", start, "end", end, "locations", where, "total",
			(json_int_t)total, "types", types, "notices", arr));
	} else {
		printf("Police notices %s (%s \xe2\x80\x93 %s)", label, start,
		    end);
		for (i = 0; i < n_names; i++)
			printf("%s%s", i == 0 ? ", " : "; ", names[i]);
		printf(": %ld\n", total);
		for (i = 0; i < n_counts; i++)
			printf("  %s: %ld\n", counts[i].type, counts[i].count);
		for (i = 0; i < n; i++) {
			if (!police_location_match(
				notices[i].location, names, n_names))
				continue;
			format_time(notices[i].at, at, sizeof(at));
			printf("%-9lld %.16s  %s, %s: %s%s\n", notices[i].id,
			    at, notices[i].type, notices[i].location,
			    notices[i].name,
			    notices[i].revision > 1 ? " (updated)" : "");
			if (notices[i].url != NULL)
				printf("          %s\n", notices[i].url);
		}
		printf("Positions are municipality or county centres: the "
		       "notices belong to no area.\n");
	}
	police_counts_free(counts, n_counts);
	police_locations_free(names, n_names);
	police_notices_free(notices, n);
	return rc;
}

static int
cmd_webhooks(struct ctx *ctx, const struct cmd *c, int argc, char **argv)
{
	struct webhook_row *w = NULL;
	size_t n = 0;
	long counts[4], oldest;
	bool json = false;
	char created[40], when[40];
	int rc;

	if ((rc = parse_json_only(c, argc, argv, &json)) != 0)
		return rc;
	if ((rc = ctx_open(ctx, false)) != 0)
		return rc;
	if (store_webhook_list(ctx->store, 0, &w, &n) == -1 ||
	    store_webhook_counts(ctx->store, clock_now(), counts, &oldest) ==
		-1)
		return say(EXIT_RUNTIME, "cannot read the webhook outbox");
	if (json) {
		json_t *arr = json_array();

		for (size_t i = 0; i < n; i++) {
			format_time(w[i].created, created, sizeof(created));
			json_array_append_new(arr,
			    json_pack(
				"{s:I,s:s,s:s,s:s,s:s,s:i,s:s,s:o,s:o,s:o,s:o}",
				"id", (json_int_t)w[i].id, "state",
				store_outbox_state_name(w[i].state), "webhook",
				w[i].webhook, "event", w[i].event, "event_id",
				w[i].event_id, "attempts", w[i].attempts,
				"created", created, "next",
				w[i].state == OUTBOX_QUEUED
				    ? (format_time(
					   w[i].next_at, when, sizeof(when)),
					  json_string(when))
				    : json_null(),
				"delivered",
				w[i].sent_at != 0 ? (format_time(w[i].sent_at,
							 when, sizeof(when)),
							json_string(when))
						  : json_null(),
				"last_status",
				w[i].last_status != 0
				    ? json_integer(w[i].last_status)
				    : json_null(),
				"last_error",
				w[i].last_error != NULL
				    ? json_string(w[i].last_error)
				    : json_null()));
		}
		rc = print_json(
		    outbox_doc(counts, oldest, "delivered", "deliveries", arr));
	} else {
		print_outbox_counts(counts, oldest, "delivered", "waiting");
		for (size_t i = 0; i < n; i++) {
			format_time(w[i].created, created, sizeof(created));
			format_time(w[i].state == OUTBOX_SENT ? w[i].sent_at
							      : w[i].next_at,
			    when, sizeof(when));
			printf("%-5lld %-8s %-16s %-12s %s, %d attempt%s, %s "
			       "%s\n",
			    w[i].id, store_outbox_state_name(w[i].state),
			    w[i].event, w[i].webhook, created, w[i].attempts,
			    w[i].attempts == 1 ? "" : "s",
			    w[i].state == OUTBOX_SENT         ? "delivered"
				: w[i].state == OUTBOX_FAILED ? "gave up"
							      : "next",
			    w[i].state == OUTBOX_FAILED ? "" : when);
			if (w[i].last_error != NULL)
				printf(
				    "      last error: %s\n", w[i].last_error);
		}
	}
	store_webhooks_free(w, n);
	return rc;
}

static int
cmd_webhooks_flush(struct ctx *ctx, const struct cmd *c, int argc, char **argv)
{
	struct dbwrite dw;
	struct outbound_counts oc;
	char *cause = NULL;
	int rc;

	(void)argv;
	if ((rc = open_direct(ctx, c, argc, &dw)) != 0)
		return rc;
	/* Each one due once: a deferred one is due again only later. */
	if (outbound_webhook_pass(
		ctx->conf, &dw, 1000000, 0, NULL, &oc, &cause) == -1) {
		rc = say(EXIT_RUNTIME, "webhooks: %s", cause);
		free(cause);
	}
	printf("%d attempted: %d delivered, %d deferred, %d failed\n",
	    oc.attempted, oc.sent, oc.deferred, oc.failed);
	return rc;
}

int
main(int argc, char **argv)
{
	const struct cmd *c;
	struct ctx ctx;
	int i, words, rc;

	log_init("estctl", 0);
	memset(&ctx, 0, sizeof(ctx));
	/* A relay that hangs up must not kill estctl outbox flush. */
	signal(SIGPIPE, SIG_IGN);

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			help(stdout);
			return 0;
		}
		if (strcmp(argv[i], "--version") == 0) {
			printf("estctl %s\n", ESTD_VERSION);
			return 0;
		}
		if (strcmp(argv[i], "-c") == 0) {
			if (++i == argc)
				return say(EXIT_USAGE,
				    "-c needs a file; see "
				    "\"estctl --help\"");
			ctx.conf_path = argv[i];
		} else if (strncmp(argv[i], "-c", 2) == 0)
			ctx.conf_path = argv[i] + 2;
		else
			return say(EXIT_USAGE,
			    "unknown option \"%s\"; see "
			    "\"estctl --help\"",
			    argv[i]);
	}
	if (i == argc)
		return say(EXIT_USAGE,
		    "no command given; see \"estctl "
		    "--help\"");
	if ((c = find_cmd(argc - i, argv + i, &words)) == NULL)
		return EXIT_USAGE;
	argv += i + words - 1;
	argc -= i + words - 1;

	/* "estctl area add --help" explains that one command. */
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--help") == 0) {
			printf("usage: ");
			usage_line(stdout, c);
			printf("\n%s\n", c->help);
			return 0;
		}
	}

	if (ctx.conf_path == NULL)
		ctx.conf_path = conf_default_path();
	rc = c->fn(&ctx, c, argc, argv);

	if (ctx.store != NULL)
		store_close(ctx.store);
	explicit_bzero(ctx.key, sizeof(ctx.key));
	if (ctx.conf != NULL)
		conf_free(ctx.conf);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		say(EXIT_RUNTIME, "cannot write the output: %s",
		    strerror(errno));
		if (rc == 0)
			rc = EXIT_RUNTIME;
	}
	return rc;
}
