/*
 * import: see import.h.
 *
 * DESIGN: two passes over memory. The first reads every row, resolves
 * its period, area and reporter through small hash maps (each distinct
 * value is parsed or looked up in the store once, which keeps a file of
 * hundreds of thousands of rows to a few thousand store queries) and
 * folds it into its report; every error is recorded and the reading goes
 * on, so the administrator sees all of them at once. The second pass runs
 * only when there was no error: it saves the reports in the order they
 * first appear in the file, in one transaction, and rolls it back if any
 * save fails.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clock.h"
#include "conf.h"
#include "csv.h"
#include "import.h"
#include "privacy.h"
#include "period.h"
#include "report.h"
#include "store.h"
#include "xmalloc.h"

enum column {
	COL_PERIOD,
	COL_AREA,
	COL_EMAIL,
	COL_INDICATOR,
	COL_RATING,
	COL_COUNT,
	COL_NOTE,
	COLUMNS
};

static const char *const column_names[COLUMNS] = {
    "period",
    "area",
    "reporter_email",
    "indicator",
    "rating",
    "count",
    "note",
};

/* Longest value quoted back in a message, in characters. */
#define SHOWN_MAX 40

/*
 * A map from strings to longs, open addressing. Keys are copied and
 * owned by the map.
 */
struct strmap_ent {
	char *key;
	long val;
	uint64_t hash;
};

struct strmap {
	struct strmap_ent *e;
	size_t cap; /* power of two, or 0 */
	size_t n;
};

/* How a distinct reporter e-mail resolved. */
enum who {
	WHO_REPORTER,
	WHO_UNKNOWN,
	WHO_NOT_REPORTER,
};

struct who_ent {
	enum who state;
	long long id;
	struct person p; /* filled for WHO_REPORTER */
	const char *email; /* borrowed from the map's key */
};

/* One report being assembled from its rows. */
struct group {
	long long person_id; /* 0: no reporter */
	const char *email; /* borrowed; NULL for person 0 */
	long pidx; /* index in state.periods */
	long aidx; /* index in state.areas */
	long line; /* first row */
	long *rated; /* per indicator: line rated, or 0 */
	long *counted; /* per indicator: line counted, or 0 */
	char **notes; /* owned, distinct, in file order */
	size_t n_notes;
	struct report r;
};

struct state {
	struct store *s;
	const struct checklist *cl;
	const struct import_options *opts;
	struct import_result *res;

	struct area *areas; /* from the store */
	size_t n_areas;
	struct strmap area_map; /* slug -> index */

	struct period *periods;
	long n_periods;
	struct strmap period_map; /* label -> index or error */

	struct who_ent *who;
	long n_who;
	struct strmap who_map; /* e-mail -> index */

	struct group *groups;
	long n_groups;
	long cap_groups;
	long *slots; /* group index + 1, or 0 */
	size_t cap_slots; /* power of two */
};

/* Period map values below 0: why the label was refused. */
#define PERIOD_BAD (-1)
#define PERIOD_NOT_START (-2)

static uint64_t
hash_bytes(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static uint64_t
hash_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

static struct strmap_ent *
strmap_slot(const struct strmap *m, const char *key, uint64_t h)
{
	size_t i = (size_t)h & (m->cap - 1);

	while (m->e[i].key != NULL) {
		if (m->e[i].hash == h && strcmp(m->e[i].key, key) == 0)
			break;
		i = (i + 1) & (m->cap - 1);
	}
	return &m->e[i];
}

/* The entry for key, or NULL. */
static struct strmap_ent *
strmap_get(const struct strmap *m, const char *key)
{
	struct strmap_ent *e;

	if (m->cap == 0)
		return NULL;
	e = strmap_slot(m, key, hash_bytes(key));
	return e->key != NULL ? e : NULL;
}

/* Add key (copied) with val; the key must not be present. */
static struct strmap_ent *
strmap_put(struct strmap *m, const char *key, long val)
{
	struct strmap_ent *old = m->e, *e;
	size_t oldcap = m->cap, i;
	uint64_t h;

	if ((m->n + 1) * 2 > m->cap) {
		m->cap = m->cap == 0 ? 64 : m->cap * 2;
		m->e = xcalloc(m->cap, sizeof(*m->e));
		for (i = 0; i < oldcap; i++) {
			if (old[i].key == NULL)
				continue;
			*strmap_slot(m, old[i].key, old[i].hash) = old[i];
		}
		free(old);
	}
	h = hash_bytes(key);
	e = strmap_slot(m, key, h);
	e->key = xstrdup(key);
	e->val = val;
	e->hash = h;
	m->n++;
	return e;
}

static void
strmap_free(struct strmap *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		free(m->e[i].key);
	free(m->e);
	memset(m, 0, sizeof(*m));
}

/* Strip ASCII white space at both ends, in place. */
static char *
trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	n = strlen(s);
	while (n > 0 &&
	    (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' ||
		s[n - 1] == '\n'))
		s[--n] = '\0';
	return s;
}

/* Characters (code points) in valid UTF-8. */
static size_t
utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/*
 * A value as it may be quoted back in a one-line message: at most
 * SHOWN_MAX characters, control characters as spaces. Writes into buf.
 */
static const char *
shown(const char *s, char *buf, size_t size)
{
	size_t i = 0, chars = 0, n;

	while (*s != '\0') {
		n = 1;
		if (((unsigned char)*s & 0xe0) == 0xc0)
			n = 2;
		else if (((unsigned char)*s & 0xf0) == 0xe0)
			n = 3;
		else if (((unsigned char)*s & 0xf8) == 0xf0)
			n = 4;
		if (chars == SHOWN_MAX || i + n + 4 > size) {
			/* Room for the ellipsis is kept by the test above. */
			memcpy(buf + i, "\xe2\x80\xa6", 3);
			i += 3;
			break;
		}
		if (n == 1)
			buf[i++] = (unsigned char)*s < 0x20 ? ' ' : *s;
		else {
			if (strnlen(s, n) < n)
				break;
			memcpy(buf + i, s, n);
			i += n;
		}
		s += n;
		chars++;
	}
	buf[i] = '\0';
	return buf;
}

/* Record an error of `line` (0: none); the text is kept while room. */
static void __attribute__((format(printf, 3, 4)))
error_at(struct import_result *res, long line, const char *fmt, ...)
{
	va_list ap;
	char *text;

	res->n_errors++;
	if (res->n_messages >= IMPORT_ERRORS_MAX)
		return;
	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) == -1)
		text = NULL;
	va_end(ap);
	if (text == NULL)
		text = xstrdup("(out of memory)");
	if (line > 0) {
		char *full;

		xasprintf(&full, "line %ld: %s", line, text);
		free(text);
		text = full;
	}
	res->messages[res->n_messages++] = text;
}

/* Record a message that already names its line (from csv). */
static void
error_raw(struct import_result *res, char *text)
{
	res->n_errors++;
	if (res->n_messages >= IMPORT_ERRORS_MAX) {
		free(text);
		return;
	}
	res->messages[res->n_messages++] = text;
}

/*
 * 0 if the header row is exactly the contract's, else -1 (recorded, with
 * what differs: most wrong headers are a renamed column or a spreadsheet
 * that saved with semicolons).
 */
static int
check_header(struct import_result *res, char **f, size_t n, long line)
{
	char buf[4 * SHOWN_MAX + 8];
	size_t i;

	if (n == 1 && strchr(f[0], ';') != NULL) {
		error_at(res, line,
		    "the first line must be the header \"%s\" "
		    "(this one is separated by semicolons: save the file as "
		    "comma-separated CSV)",
		    IMPORT_HEADER);
		return -1;
	}
	if (n != COLUMNS) {
		error_at(res, line,
		    "the first line must be the header \"%s\" "
		    "(found %zu column%s, expected %d)",
		    IMPORT_HEADER, n, n == 1 ? "" : "s", COLUMNS);
		return -1;
	}
	for (i = 0; i < COLUMNS; i++)
		if (strcmp(f[i], column_names[i]) != 0)
			break;
	if (i == COLUMNS)
		return 0;
	error_at(res, line,
	    "the first line must be the header \"%s\" "
	    "(column %zu is \"%s\", expected \"%s\")",
	    IMPORT_HEADER, i + 1, shown(f[i], buf, sizeof(buf)),
	    column_names[i]);
	return -1;
}

/*
 * Resolve a period label to an index in st->periods, or PERIOD_BAD /
 * PERIOD_NOT_START. Labels that name the same period share its index.
 */
static long
period_index(struct state *st, const char *label)
{
	struct strmap_ent *e;
	struct period p;
	char canon[PERIOD_LABEL_MAX];
	long idx;

	if ((e = strmap_get(&st->period_map, label)) != NULL)
		return e->val;

	if (period_parse(label, &p) == -1 || p.kind != PERIOD_WEEK)
		idx = PERIOD_BAD;
	else if (st->opts->fortnightly &&
	    period_as_fortnight(&p, st->opts->parity) == -1)
		idx = PERIOD_NOT_START;
	else {
		period_format(&p, canon);
		if ((e = strmap_get(&st->period_map, canon)) != NULL)
			idx = e->val;
		else {
			idx = st->n_periods++;
			st->periods = xreallocarray(st->periods,
			    (size_t)st->n_periods, sizeof(*st->periods));
			st->periods[idx] = p;
			strmap_put(&st->period_map, canon, idx);
		}
	}
	if (strmap_get(&st->period_map, label) == NULL)
		strmap_put(&st->period_map, label, idx);
	return idx;
}

/* Resolve an e-mail to its entry in st->who (looked up once). */
static struct who_ent *
who_lookup(struct state *st, const char *email)
{
	struct strmap_ent *e;
	struct who_ent *w;
	long idx;

	if ((e = strmap_get(&st->who_map, email)) != NULL)
		return &st->who[e->val];

	idx = st->n_who++;
	st->who = xreallocarray(st->who, (size_t)st->n_who, sizeof(*st->who));
	w = &st->who[idx];
	memset(w, 0, sizeof(*w));
	e = strmap_put(&st->who_map, email, idx);
	w->email = e->key;
	w->state = WHO_UNKNOWN;
	if ((w->id = store_person_id_by_email(st->s, email)) > 0 &&
	    store_person_get(st->s, w->id, &w->p) == 0) {
		if (w->p.role == ROLE_REPORTER)
			w->state = WHO_REPORTER;
		else
			w->state = WHO_NOT_REPORTER;
	}
	return w;
}

static uint64_t
group_hash(long pidx, long aidx, long long person_id)
{
	return hash_mix(((uint64_t)pidx << 40) ^ ((uint64_t)aidx << 20) ^
	    hash_mix((uint64_t)person_id));
}

static void
group_rehash(struct state *st)
{
	struct group *g;
	size_t i;
	long k;

	free(st->slots);
	st->cap_slots = st->cap_slots == 0 ? 1024 : st->cap_slots * 2;
	st->slots = xcalloc(st->cap_slots, sizeof(*st->slots));
	for (k = 0; k < st->n_groups; k++) {
		g = &st->groups[k];
		i = (size_t)group_hash(g->pidx, g->aidx, g->person_id) &
		    (st->cap_slots - 1);
		while (st->slots[i] != 0)
			i = (i + 1) & (st->cap_slots - 1);
		st->slots[i] = k + 1;
	}
}

/* The report of (period, area, person), created at `line` if new. */
static struct group *
group_get(
    struct state *st, long pidx, long aidx, const struct who_ent *w, long line)
{
	struct group *g;
	long long person_id = w != NULL ? w->id : 0;
	size_t i;
	long k;

	if ((size_t)(st->n_groups + 1) * 2 > st->cap_slots)
		group_rehash(st);
	i = (size_t)group_hash(pidx, aidx, person_id) & (st->cap_slots - 1);
	while ((k = st->slots[i]) != 0) {
		g = &st->groups[k - 1];
		if (g->pidx == pidx && g->aidx == aidx &&
		    g->person_id == person_id)
			return g;
		i = (i + 1) & (st->cap_slots - 1);
	}

	if (st->n_groups == st->cap_groups) {
		st->cap_groups = st->cap_groups == 0 ? 256 : st->cap_groups * 2;
		st->groups = xreallocarray(
		    st->groups, (size_t)st->cap_groups, sizeof(*st->groups));
	}
	k = st->n_groups++;
	st->slots[i] = k + 1;
	g = &st->groups[k];
	memset(g, 0, sizeof(*g));
	g->person_id = person_id;
	g->email = w != NULL ? w->email : NULL;
	g->pidx = pidx;
	g->aidx = aidx;
	g->line = line;
	g->rated = xcalloc(st->cl->n, sizeof(*g->rated));
	g->counted = xcalloc(st->cl->n, sizeof(*g->counted));
	report_init(&g->r);
	memcpy(g->r.area, st->areas[aidx].slug, sizeof(g->r.area));
	g->r.has_period = true;
	g->r.period = st->periods[pidx];
	return g;
}

static void
group_free(struct group *g)
{
	size_t i;

	for (i = 0; i < g->n_notes; i++)
		free(g->notes[i]);
	free(g->notes);
	free(g->rated);
	free(g->counted);
	report_clear(&g->r);
}

/* "2026-W47, centrum, anna@example.org" for messages. */
static void
group_name(
    const struct state *st, const struct group *g, char *buf, size_t size)
{
	char label[PERIOD_LABEL_MAX];

	period_format(&g->r.period, label);
	snprintf(buf, size, "%s, %s, %s", label, st->areas[g->aidx].slug,
	    g->email != NULL ? g->email : "no reporter");
}

/* Rating "0"-"3" or empty (RATING_NONE); -2 if invalid. */
static int
parse_rating(const char *s)
{
	if (*s == '\0')
		return RATING_NONE;
	if (s[0] >= '0' && s[0] <= '0' + RATING_MAX && s[1] == '\0')
		return s[0] - '0';
	return -2;
}

/* Count 0-COUNT_MAX or empty (COUNT_NONE); -2 if invalid. */
static int
parse_count(const char *s)
{
	long v = 0;
	size_t i;

	if (*s == '\0')
		return COUNT_NONE;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= 9)
			return -2;
		v = v * 10 + (s[i] - '0');
	}
	return v <= COUNT_MAX ? (int)v : -2;
}

/* Check one data row and fold it into its report. */
static void
take_row(struct state *st, char **f, size_t n, long line)
{
	struct import_result *res = st->res;
	struct group *g;
	struct who_ent *w = NULL;
	struct strmap_ent *e;
	const char *label, *slug, *email, *key, *rs, *cs;
	char *note;
	char b1[4 * SHOWN_MAX + 8], b2[4 * SHOWN_MAX + 8];
	long pidx, aidx = -1;
	int k, rating, count, bad = 0;
	size_t i;

	if (n != COLUMNS) {
		error_at(res, line, "%zu field%s, expected %d (%s)", n,
		    n == 1 ? "" : "s", COLUMNS, IMPORT_HEADER);
		return;
	}
	label = trim(f[COL_PERIOD]);
	slug = trim(f[COL_AREA]);
	email = trim(f[COL_EMAIL]);
	key = trim(f[COL_INDICATOR]);
	rs = trim(f[COL_RATING]);
	cs = trim(f[COL_COUNT]);
	note = trim(f[COL_NOTE]);

	pidx = period_index(st, label);
	if (pidx == PERIOD_BAD) {
		error_at(res, line,
		    "period \"%s\" is not a week like "
		    "2026-W47",
		    shown(label, b1, sizeof(b1)));
		bad = 1;
	} else if (pidx == PERIOD_NOT_START) {
		error_at(res, line,
		    "period \"%s\" is not the first week of a "
		    "fortnight",
		    shown(label, b1, sizeof(b1)));
		bad = 1;
	}

	if (*slug == '\0') {
		error_at(res, line, "area is empty");
		bad = 1;
	} else if ((e = strmap_get(&st->area_map, slug)) == NULL) {
		error_at(res, line, "area \"%s\" does not exist",
		    shown(slug, b1, sizeof(b1)));
		bad = 1;
	} else
		aidx = e->val;

	if (*email != '\0') {
		w = who_lookup(st, email);
		switch (w->state) {
		case WHO_UNKNOWN:
			error_at(res, line,
			    "no person has the e-mail \"%s\" "
			    "(add the reporter first, or leave reporter_email "
			    "empty)",
			    shown(email, b1, sizeof(b1)));
			bad = 1;
			break;
		case WHO_NOT_REPORTER:
			error_at(res, line, "%s is a %s, not a reporter",
			    shown(email, b1, sizeof(b1)),
			    store_role_name(w->p.role));
			bad = 1;
			break;
		case WHO_REPORTER:
			if (aidx >= 0 && !store_person_has_area(&w->p, slug)) {
				error_at(res, line,
				    "%s does not report for "
				    "area \"%s\"",
				    shown(email, b1, sizeof(b1)), slug);
				bad = 1;
			}
			break;
		}
	}

	if ((k = conf_indicator_index(st->cl, key)) < 0) {
		error_at(res, line, "unknown indicator \"%s\"",
		    shown(key, b1, sizeof(b1)));
		bad = 1;
	}
	if ((rating = parse_rating(rs)) == -2) {
		error_at(res, line,
		    "rating \"%s\" for %s must be 0\xe2\x80\x93"
		    "%d or empty",
		    shown(rs, b1, sizeof(b1)), shown(key, b2, sizeof(b2)),
		    RATING_MAX);
		bad = 1;
	}
	if ((count = parse_count(cs)) == -2) {
		error_at(res, line,
		    "count \"%s\" for %s must be a whole "
		    "number 0\xe2\x80\x93%d or empty",
		    shown(cs, b1, sizeof(b1)), shown(key, b2, sizeof(b2)),
		    COUNT_MAX);
		bad = 1;
	}
	if (utf8_chars(note) > NOTE_MAX) {
		error_at(
		    res, line, "note is longer than %d characters", NOTE_MAX);
		bad = 1;
	}
	if (rating == RATING_NONE && count == COUNT_NONE && *note == '\0') {
		error_at(res, line, "rating, count and note are all empty");
		bad = 1;
	}
	if (bad)
		return;

	g = group_get(st, pidx, aidx, w, line);
	if (rating != RATING_NONE) {
		if (g->rated[k] != 0) {
			group_name(st, g, b1, sizeof(b1));
			error_at(res, line,
			    "%s is rated twice for %s (first on "
			    "line %ld)",
			    key, b1, g->rated[k]);
			return;
		}
		g->rated[k] = line;
		g->r.ratings[k] = rating;
	}
	if (count != COUNT_NONE) {
		if (g->counted[k] != 0) {
			group_name(st, g, b1, sizeof(b1));
			error_at(res, line,
			    "%s is counted twice for %s (first "
			    "on line %ld)",
			    key, b1, g->counted[k]);
			return;
		}
		g->counted[k] = line;
		g->r.counts[k] = count;
	}
	if (*note != '\0') {
		for (i = 0; i < g->n_notes; i++)
			if (strcmp(g->notes[i], note) == 0)
				break;
		if (i == g->n_notes) {
			g->notes = xreallocarray(
			    g->notes, g->n_notes + 1, sizeof(*g->notes));
			g->notes[g->n_notes++] = xstrdup(note);
		}
	}
}

/* Join the notes and apply the whole-report rules. */
static void
finish_group(struct state *st, struct group *g)
{
	struct report_errors errs;
	struct buf b = {NULL, 0, 0};
	char name[160];
	size_t i;

	for (i = 0; i < g->n_notes; i++) {
		if (i > 0)
			buf_append(&b, "\n", 1);
		buf_puts(&b, g->notes[i]);
	}
	if (b.len > 0) {
		unsigned kinds = 0;
		char *masked;

		g->r.note = buf_take(&b, NULL);
		/* History is stored under the same rule as new reports. */
		masked = privacy_mask(g->r.note, &kinds);
		if (kinds != 0) {
			free(g->r.note);
			g->r.note = masked;
			st->res->masked++;
		} else
			free(masked);
		if (utf8_chars(g->r.note) > NOTE_MAX) {
			group_name(st, g, name, sizeof(name));
			error_at(st->res, g->line,
			    "the notes of the report "
			    "for %s are longer than %d characters together",
			    name, NOTE_MAX);
			return;
		}
	}
	memset(&errs, 0, sizeof(errs));
	if (report_check(&g->r, st->cl, true, &errs) != REPORT_OK) {
		group_name(st, g, name, sizeof(name));
		for (i = 0; i < errs.n; i++)
			error_at(st->res, g->line, "report for %s: %s%s%s",
			    name, errs.e[i].field,
			    errs.e[i].field[0] != '\0' ? ": " : "",
			    errs.e[i].en);
		if (errs.n == 0)
			error_at(st->res, g->line,
			    "report for %s is not "
			    "valid",
			    name);
	}
}

/* Read and check every row; fills the groups and the errors. */
static void
read_all(struct state *st, const char *data, size_t len)
{
	struct csv_reader *r;
	char **f = NULL, *cause = NULL;
	size_t n;
	long line = 1, k;
	int rc;

	r = csv_reader_new(data, len);
	rc = csv_next(r, &f, &n, &line, &cause);
	if (rc == 0) {
		error_at(st->res, 1,
		    "the file is empty; the first line must "
		    "be the header \"%s\"",
		    IMPORT_HEADER);
		goto done;
	}
	if (rc == -1) {
		error_raw(st->res, cause);
		goto done;
	}
	rc = check_header(st->res, f, n, line);
	csv_row_free(f, n);
	if (rc == -1)
		goto done;

	while ((rc = csv_next(r, &f, &n, &line, &cause)) == 1) {
		st->res->rows++;
		take_row(st, f, n, line);
		csv_row_free(f, n);
	}
	if (rc == -1) {
		/* The reader cannot find the next row after a broken one. */
		error_raw(st->res, cause);
		goto done;
	}
	for (k = 0; k < st->n_groups; k++)
		finish_group(st, &st->groups[k]);
done:
	csv_reader_free(r);
}

/* Save every report in one transaction; all or nothing. */
static enum import_status
save_all(struct state *st, char **cause)
{
	struct report_saved saved;
	struct group *g;
	time_t *when;
	char name[160], detail[96], *why = NULL;
	bool *seen_p, *seen_a;
	long k;

	when = xcalloc((size_t)st->n_periods + 1, sizeof(*when));
	seen_p = xcalloc((size_t)st->n_periods + 1, sizeof(*seen_p));
	seen_a = xcalloc(st->n_areas + 1, sizeof(*seen_a));
	for (k = 0; k < st->n_periods; k++)
		when[k] = clock_local_instant(
		    period_last_day(&st->periods[k]), 12, 0);

	if (store_begin(st->s) == -1) {
		*cause = xstrdup("could not start a write transaction");
		goto fail;
	}
	for (k = 0; k < st->n_groups; k++) {
		g = &st->groups[k];
		if (store_report_save(st->s, g->person_id, &g->r, st->cl,
			when[g->pidx], "import", &saved, &why) == -1) {
			group_name(st, g, name, sizeof(name));
			xasprintf(cause,
			    "line %ld: saving the report for %s: "
			    "%s",
			    g->line, name,
			    why != NULL ? why : "database error");
			free(why);
			goto rollback;
		}
		if (!seen_p[g->pidx]) {
			seen_p[g->pidx] = true;
			st->res->periods++;
		}
		if (!seen_a[g->aidx]) {
			seen_a[g->aidx] = true;
			st->res->areas++;
		}
		st->res->reports++;
		if (st->opts->progress != NULL &&
		    st->res->reports % IMPORT_PROGRESS_EVERY == 0)
			st->opts->progress(st->res->reports, st->n_groups,
			    st->opts->progress_arg);
	}
	if (st->opts->actor != NULL) {
		snprintf(detail, sizeof(detail), "%ld reports, %ld rows",
		    st->res->reports, st->res->rows);
		if (store_audit(st->s, st->opts->actor, "import", detail) ==
		    -1) {
			*cause = xstrdup("could not write the audit entry");
			goto rollback;
		}
	}
	if (store_commit(st->s) == -1) {
		*cause = xstrdup("could not commit the import");
		goto rollback;
	}
	free(when);
	free(seen_p);
	free(seen_a);
	return IMPORT_OK;

rollback:
	store_rollback(st->s);
fail:
	st->res->reports = st->res->periods = st->res->areas = 0;
	free(when);
	free(seen_p);
	free(seen_a);
	return IMPORT_FAILED;
}

/*
 * data is borrowed; result messages belong to the result, *cause to the
 * caller.
 */
enum import_status
import_csv(struct store *s, const struct checklist *cl,
    const struct import_options *opts, const char *data, size_t len,
    struct import_result *res, char **cause)
{
	static const struct import_options defaults;
	struct state st;
	enum import_status rc = IMPORT_FAILED;
	size_t i;
	long k;

	memset(res, 0, sizeof(*res));
	memset(&st, 0, sizeof(st));
	st.s = s;
	st.cl = cl;
	st.opts = opts != NULL ? opts : &defaults;
	st.res = res;

	if (store_area_list(s, &st.areas, &st.n_areas) == -1) {
		*cause = xstrdup("could not read the areas");
		goto done;
	}
	for (i = 0; i < st.n_areas; i++)
		strmap_put(&st.area_map, st.areas[i].slug, (long)i);

	read_all(&st, data, len);
	if (res->n_errors > 0) {
		rc = IMPORT_INVALID;
		goto done;
	}
	rc = save_all(&st, cause);

done:
	for (k = 0; k < st.n_groups; k++)
		group_free(&st.groups[k]);
	free(st.groups);
	free(st.slots);
	for (k = 0; k < st.n_who; k++)
		if (st.who[k].state != WHO_UNKNOWN)
			store_person_clear(&st.who[k].p);
	free(st.who);
	free(st.periods);
	strmap_free(&st.who_map);
	strmap_free(&st.period_map);
	strmap_free(&st.area_map);
	if (st.areas != NULL)
		store_areas_free(st.areas, st.n_areas);
	return rc;
}

void
import_result_clear(struct import_result *res)
{
	size_t i;

	for (i = 0; i < res->n_messages; i++)
		free(res->messages[i]);
	res->n_messages = 0;
}
