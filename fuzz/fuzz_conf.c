/*
 * fuzz_conf: estd.conf and checklist.ini through conf_load and
 * conf_load_checklist, which read files: the input is written to files
 * in a private directory (in /dev/shm when there is one, to keep it
 * fast) and loaded from there.
 *
 * Input: CONF, optionally followed by "\n%%\n" and CHECKLIST. CHECKLIST
 * (the shipped default when absent) is written as checklist.ini beside
 * estd.conf, so "file = checklist.ini" in CONF finds it. Both files are
 * also loaded as checklists, to reach that parser's errors as well.
 *
 * run.sh builds conf.c with ESTD_SYSCONFDIR set to a directory of the
 * fuzzer's own, where setup() puts the default checklist, so that a
 * CONF without a [checklist] section loads too.
 *
 * Paths in CONF are followed by conf_load, so inputs naming /dev, /proc,
 * /sys, /run or ".." are skipped: /dev/zero or a FIFO as checklist would
 * hang the fuzzer, not find a bug.
 *
 * Oracles: a failure has a cause naming a file; a loaded checklist has
 * 1 to INDICATORS_MAX distinct keys of [a-z0-9_], labels in both
 * languages, and conf_indicator_index finds each key at its place; a
 * loaded conf holds every value within the bounds of conf.c's table.
 */
#include <sys/stat.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "conf.h"
#include "fuzz.h"

static const char default_checklist[] =
	"[klotter]\nsv = Klotter\nen = Graffiti\n\n"
	"[brand]\nsv = Anlagda bränder\nen = Arson\n"
	"help_sv = Bil, container, papperskorg\n";

static char	dir[64];
static char	conf_path[96];
static char	list_path[96];

static void
cleanup(void)
{
	unlink(conf_path);
	unlink(list_path);
	rmdir(dir);
}

static void
put(const char *path, const uint8_t *data, size_t size)
{
	FILE	*f;

	if ((f = fopen(path, "w")) == NULL)
		fuzz_fail("cannot write %s", path);
	if (size > 0 && fwrite(data, 1, size, f) != size)
		fuzz_fail("cannot write %s", path);
	if (fclose(f) != 0)
		fuzz_fail("cannot write %s", path);
}

static void
setup(void)
{
	struct stat	st;

	if (dir[0] != '\0')
		return;
	snprintf(dir, sizeof(dir), "%s/estd-fuzz-conf.XXXXXX",
	    stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm" :
	    "/tmp");
	if (mkdtemp(dir) == NULL)
		fuzz_fail("mkdtemp %s", dir);
	snprintf(conf_path, sizeof(conf_path), "%s/estd.conf", dir);
	snprintf(list_path, sizeof(list_path), "%s/checklist.ini", dir);
	atexit(cleanup);
#ifdef ESTD_SYSCONFDIR
	/* Written whole and renamed: several fuzzers may share it. */
	{
		char	tmp[160];

		(void)mkdir(ESTD_SYSCONFDIR, 0700);
		(void)mkdir(ESTD_SYSCONFDIR "/estd", 0700);
		snprintf(tmp, sizeof(tmp), "%s/estd/checklist.ini.%ld",
		    ESTD_SYSCONFDIR, (long)getpid());
		put(tmp, (const uint8_t *)default_checklist,
		    sizeof(default_checklist) - 1);
		if (rename(tmp, ESTD_SYSCONFDIR "/estd/checklist.ini") == -1)
			fuzz_fail("cannot rename %s", tmp);
	}
#endif
}

static int
has(const uint8_t *data, size_t size, const char *what)
{
	return memmem(data, size, what, strlen(what)) != NULL;
}

static void
check_checklist(const struct checklist *cl)
{
	size_t	i, len;

	FUZZ_CHECK(cl->n >= 1 && cl->n <= INDICATORS_MAX);
	for (i = 0; i < cl->n; i++) {
		len = strlen(cl->items[i].key);
		FUZZ_CHECK(len >= 1 && len <= INDICATOR_KEY_MAX);
		FUZZ_CHECK(strspn(cl->items[i].key,
		    "abcdefghijklmnopqrstuvwxyz0123456789_") == len);
		FUZZ_CHECK(cl->items[i].sv != NULL && *cl->items[i].sv != '\0');
		FUZZ_CHECK(cl->items[i].en != NULL && *cl->items[i].en != '\0');
		FUZZ_CHECK(cl->items[i].help_sv == NULL ||
		    *cl->items[i].help_sv != '\0');
		FUZZ_CHECK(cl->items[i].help_en == NULL ||
		    *cl->items[i].help_en != '\0');
		FUZZ_CHECK(conf_indicator_index(cl, cl->items[i].key) ==
		    (int)i);
	}
}

/* Load path as a checklist and check what comes out. */
static void
load_checklist(const char *path)
{
	struct checklist	 cl;
	char			*cause = NULL;

	if (conf_load_checklist(path, &cl, &cause) == -1) {
		FUZZ_CHECK(cause != NULL &&
		    strncmp(cause, path, strlen(path)) == 0);
		FUZZ_CHECK(cl.n == 0 && cl.items == NULL);
		free(cause);
		return;
	}
	check_checklist(&cl);
	conf_free_checklist(&cl);
}

static void
check_conf(const struct conf *c)
{
	size_t	len;

	FUZZ_CHECK(c->path != NULL && c->path[0] == '/');
	FUZZ_CHECK(c->listen != NULL && strchr(c->listen, ':') != NULL);
	len = strlen(c->base_url);
	FUZZ_CHECK(strncasecmp(c->base_url, "http", 4) == 0);
	FUZZ_CHECK(len > 0 && c->base_url[len - 1] != '/');
	FUZZ_CHECK(c->max_connections >= 16 && c->max_connections <= 4096);
	FUZZ_CHECK(c->connection_timeout >= 1 &&
	    c->connection_timeout <= 300);
	FUZZ_CHECK(c->max_body >= 1024 && c->max_body <= 1048576);
	FUZZ_CHECK(c->failed_token_limit >= 1 &&
	    c->failed_token_limit <= 10000);
	FUZZ_CHECK(c->templates != NULL && c->templates[0] == '/');
	FUZZ_CHECK(c->database != NULL && c->database[0] == '/');
	FUZZ_CHECK(c->cadence == CADENCE_WEEKLY ||
	    c->cadence == CADENCE_FORTNIGHTLY);
	FUZZ_CHECK(c->fortnight_start == PARITY_ODD ||
	    c->fortnight_start == PARITY_EVEN);
	FUZZ_CHECK(c->analysis == ANALYSIS_QUARTER ||
	    c->analysis == ANALYSIS_TERTIAL);
	FUZZ_CHECK(c->digest_at.wday >= 1 && c->digest_at.wday <= 7);
	FUZZ_CHECK(c->digest_at.hour >= 0 && c->digest_at.hour <= 23);
	FUZZ_CHECK(c->digest_at.minute >= 0 && c->digest_at.minute <= 59);
	FUZZ_CHECK(c->reminder_at.wday >= 1 && c->reminder_at.wday <= 7);
	FUZZ_CHECK(c->flag_level >= 1 && c->flag_level <= 3);
	FUZZ_CHECK(c->flag_within <= c->flag_window);
	FUZZ_CHECK(c->smtp_port >= 1 && c->smtp_port <= 65535);
	FUZZ_CHECK(c->smtp_host != NULL && strpbrk(c->smtp_host, " \t") ==
	    NULL);
	FUZZ_CHECK(c->smtp_from != NULL && strchr(c->smtp_from, '@') != NULL);
	FUZZ_CHECK(c->smtp_spool != NULL && c->smtp_spool[0] == '/');
	FUZZ_CHECK(c->checklist_file != NULL && c->checklist_file[0] == '/');
	check_checklist(&c->checklist);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t	*sep;
	struct conf	*c;
	char		*cause = NULL;
	size_t		 conf_size;

	if (has(data, size, "/dev") || has(data, size, "/proc") ||
	    has(data, size, "/sys") || has(data, size, "/run") ||
	    has(data, size, ".."))
		return 0;
	setup();
	sep = memmem(data, size, "\n%%\n", 4);
	conf_size = sep != NULL ? (size_t)(sep - data) : size;
	put(conf_path, data, conf_size);
	if (sep != NULL)
		put(list_path, sep + 4, size - conf_size - 4);
	else
		put(list_path, (const uint8_t *)default_checklist,
		    sizeof(default_checklist) - 1);

	load_checklist(list_path);
	load_checklist(conf_path);
	if ((c = conf_load(conf_path, &cause)) == NULL) {
		FUZZ_CHECK(cause != NULL && *cause != '\0');
		free(cause);
		return 0;
	}
	check_conf(c);
	conf_free(c);
	return 0;
}
