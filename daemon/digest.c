/*
 * digest: the key function's digest and the reporter's reminder, from
 * the templates of reporter-form/mail/ (see digest.h).
 *
 * DESIGN. Each mail is one JSON context built here, rendered three
 * times: subject, text and HTML. This file is the only place that knows
 * the names the templates use (reporter-form/mail/README.md lists them).
 * Words stay in the templates: a value the templates must choose a word
 * by is given as booleans, all of them set, true or false, because a
 * name missing from an object would be looked up in the enclosing ones
 * and find some other object's answer.
 *
 * The picture JSON is read defensively: it is contract §6 output, but a
 * member missing or of the wrong type reads as absent (not assessed,
 * no name, no notes) rather than failing the mail.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "conf.h"
#include "digest.h"
#include "period.h"
#include "tmpl.h"
#include "xmalloc.h"

/* Levels as ordered by severity, as in picture.h. */
enum lvl { LVL_GREY, LVL_GREEN, LVL_YELLOW, LVL_RED, LVL_N };

static const char *const lvl_names[LVL_N] = {
    "grey",
    "green",
    "yellow",
    "red",
};

static const char *const trend_names[] = {
    "up",
    "down",
    "same",
    "new",
    "none",
};

static const char *const templates[] = {
    "digest-subject.txt",
    "digest.txt",
    "digest.html",
    "reminder-subject.txt",
    "reminder.txt",
    "reminder.html",
    "analysis-subject.txt",
    "analysis.txt",
    "analysis.html",
    "analysis-summary.txt",
};

/* The end of the period the picture is of, for "for how long". */
struct now {
	bool have_end;
	long end; /* last day, days since 1970-01-01 */
	int year; /* ISO week-year; 0 if unknown */
	char label[PERIOD_LABEL_MAX];
};

/* An area of the picture, in the order the mail shows them. */
struct area_ref {
	json_t *a; /* borrowed */
	int level;
	size_t pos; /* in the picture */
};

/* The change groups, in the order the mail lists them. */
enum change { CH_NEW, CH_ESCALATED, CH_RESOLVED, CH_FLAGS, CH_N };

static const char *const change_names[CH_N] = {
    "new",
    "escalated",
    "resolved",
    "flags",
};

/* A new JSON string, or null for NULL or text that is not UTF-8. */
static json_t *
jstr(const char *s)
{
	json_t *v;

	if (s == NULL || (v = json_string(s)) == NULL)
		return json_null();
	return v;
}

static const char *
get_str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static json_int_t
get_int(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? json_integer_value(v) : 0;
}

static void
set_bool(json_t *o, const char *key, bool v)
{
	json_object_set_new(o, key, json_boolean(v));
}

/* n and the singular flag the templates choose "område"/"områden" by. */
static void
set_count(json_t *o, const char *key, json_int_t n)
{
	char one[64];

	json_object_set_new(o, key, json_integer(n));
	snprintf(one, sizeof(one), "%s_one", key);
	set_bool(o, one, n == 1);
}

static int
level_parse(const char *s)
{
	int i;

	for (i = 0; s != NULL && i < LVL_N; i++)
		if (strcmp(s, lvl_names[i]) == 0)
			return i;
	return LVL_GREY;
}

/* red, yellow, green, grey: exactly one of them true. */
static void
set_levels(json_t *o, int level)
{
	int i;

	for (i = 0; i < LVL_N; i++)
		set_bool(o, lvl_names[i], i == level);
}

static json_t *
levels_json(int level)
{
	json_t *o = json_object();

	set_levels(o, level);
	return o;
}

/* A score 0-3, or -1 when it is null, missing or off the scale. */
static int
score_of(json_t *ind)
{
	json_t *v = json_object_get(ind, "score");
	json_int_t s;

	if (!json_is_integer(v))
		return -1;
	s = json_integer_value(v);
	return s < 0 || s > RATING_MAX ? -1 : (int)s;
}

/*
 * {score, s0..s3, none}: the score and which word of the scale it
 * takes. New reference.
 */
static json_t *
score_json(int score)
{
	json_t *o = json_object();
	char key[8];
	int i;

	json_object_set_new(
	    o, "score", score < 0 ? json_null() : json_integer(score));
	for (i = 0; i <= RATING_MAX; i++) {
		snprintf(key, sizeof(key), "s%d", i);
		set_bool(o, key, i == score);
	}
	set_bool(o, "none", score < 0);
	return o;
}

/*
 * Free text as {first, rest: [...]}, one line each, CRs dropped, so a
 * template can indent the lines after the first. New reference; null
 * for NULL.
 */
static json_t *
lines_json(const char *s)
{
	json_t *o, *rest;
	char *copy, *p, *next, *q, *w;

	if (s == NULL)
		return json_null();
	copy = xstrdup(s);
	for (q = w = copy; *q != '\0'; q++)
		if (*q != '\r')
			*w++ = *q;
	*w = '\0';
	o = json_object();
	rest = json_array();
	for (p = copy; p != NULL; p = next) {
		if ((next = strchr(p, '\n')) != NULL)
			*next++ = '\0';
		if (p == copy)
			json_object_set_new(o, "first", jstr(p));
		else
			json_array_append_new(rest, jstr(p));
	}
	json_object_set_new(o, "rest", rest);
	free(copy);
	return o;
}

static const char *
indicator_name(const struct checklist *cl, const char *key)
{
	size_t i;

	if (key == NULL)
		return "";
	for (i = 0; cl != NULL && i < cl->n; i++)
		if (strcmp(cl->items[i].key, key) == 0 &&
		    cl->items[i].sv != NULL)
			return cl->items[i].sv;
	return key;
}

/* The area of `slug` in a picture (borrowed), or NULL. */
static json_t *
find_area(json_t *pic, const char *slug)
{
	json_t *a;
	size_t i;

	if (slug == NULL)
		return NULL;
	json_array_foreach(json_object_get(pic, "areas"), i, a)
	{
		const char *s = get_str(a, "area");

		if (s != NULL && strcmp(s, slug) == 0)
			return a;
	}
	return NULL;
}

static json_t *
find_indicator(json_t *area, const char *key)
{
	json_t *ind;
	size_t i;

	if (key == NULL)
		return NULL;
	json_array_foreach(json_object_get(area, "indicators"), i, ind)
	{
		const char *k = get_str(ind, "key");

		if (k != NULL && strcmp(k, key) == 0)
			return ind;
	}
	return NULL;
}

static bool
flag_open(json_t *f)
{
	const char *st = get_str(f, "status");

	return st == NULL || strcmp(st, "open") == 0;
}

/* The open flag of (slug, key) in the picture (borrowed), or NULL. */
static json_t *
find_open_flag(json_t *pic, const char *slug, const char *key)
{
	json_t *f;
	size_t i;
	const char *a, *k;

	json_array_foreach(json_object_get(pic, "flags"), i, f)
	{
		a = get_str(f, "area");
		k = get_str(f, "indicator");
		if (a != NULL && k != NULL && slug != NULL && key != NULL &&
		    strcmp(a, slug) == 0 && strcmp(k, key) == 0 && flag_open(f))
			return f;
	}
	return NULL;
}

/* "2026-11-22" into *days (since 1970-01-01): 0, or -1 if malformed. */
static int
parse_date(const char *s, long *days)
{
	int y, m, d, n = 0;

	if (s == NULL || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 ||
	    s[n] != '\0' || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	*days = period_days_from_civil(y, m, d);
	return 0;
}

static void
now_of(json_t *pic, struct now *now)
{
	struct period p;
	const char *label = get_str(pic, "period");
	bool parsed;

	memset(now, 0, sizeof(*now));
	parsed = label != NULL && period_parse(label, &p) == 0;
	if (label != NULL)
		snprintf(now->label, sizeof(now->label), "%s", label);
	if (parsed && p.kind == PERIOD_WEEK)
		now->year = p.year;
	if (parse_date(get_str(pic, "end"), &now->end) == 0)
		now->have_end = true;
	else if (parsed) {
		now->end = period_last_day(&p);
		now->have_end = true;
	}
}

/*
 * An open flag for the templates: {opened, since_week, since_year
 * (null in the current year), weeks (from the Monday of the week it
 * opened to the end of this period; null when unknown), weeks_one,
 * reason}. New reference.
 */
static json_t *
flag_json(json_t *f, const struct now *now)
{
	json_t *o = json_object();
	struct period p;
	const char *opened = get_str(f, "opened");
	long first, weeks = -1;
	bool known;

	known = opened != NULL && period_parse(opened, &p) == 0 &&
	    p.kind == PERIOD_WEEK;
	json_object_set_new(o, "opened", jstr(opened));
	json_object_set_new(
	    o, "since_week", known ? json_integer(p.num) : json_null());
	json_object_set_new(o, "since_year",
	    known && p.year != now->year ? json_integer(p.year) : json_null());
	if (known && now->have_end) {
		first = period_first_day(&p);
		if (now->end >= first)
			weeks = (now->end - first) / 7 + 1;
	}
	json_object_set_new(
	    o, "weeks", weeks < 0 ? json_null() : json_integer(weeks));
	set_bool(o, "weeks_one", weeks == 1);
	json_object_set_new(o, "reason", jstr(get_str(f, "reason")));
	return o;
}

static int
area_ref_cmp(const void *va, const void *vb)
{
	const struct area_ref *a = va, *b = vb;

	if (a->level != b->level)
		return a->level > b->level ? -1 : 1;
	return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/*
 * The areas, worst status first and otherwise as the picture has them
 * (picture_to_json already orders them so; a picture built elsewhere
 * may not). New array (free(3)), n_areas + 1 entries.
 */
static struct area_ref *
sorted_areas(json_t *areas, size_t *n)
{
	struct area_ref *refs;
	json_t *a;
	size_t i;

	*n = json_array_size(areas);
	refs = xcalloc(*n + 1, sizeof(*refs));
	json_array_foreach(areas, i, a)
	{
		refs[i].a = a;
		refs[i].level = level_parse(get_str(a, "status"));
		refs[i].pos = i;
	}
	qsort(refs, *n, sizeof(*refs), area_ref_cmp);
	return refs;
}

/* The level an indicator was at in the previous picture. */
static int
previous_level(json_t *prev_area, const char *key, int *score)
{
	json_t *ind = find_indicator(prev_area, key);

	*score = ind != NULL ? score_of(ind) : -1;
	return ind != NULL ? level_parse(get_str(ind, "level")) : LVL_GREY;
}

/*
 * One line of "what changed" (new reference): a change of score, or
 * with `reason` (a new reference, taken over) a flag opened this period.
 */
static json_t *
change_item(const char *area, const char *indicator, int score, int before,
    json_t *reason)
{
	json_t *o = json_object();

	json_object_set_new(o, "area", jstr(area));
	json_object_set_new(o, "indicator", jstr(indicator));
	json_object_set_new(
	    o, "now", reason != NULL ? json_null() : score_json(score));
	json_object_set_new(
	    o, "before", reason != NULL ? json_null() : score_json(before));
	json_object_set_new(o, "reason", reason != NULL ? reason : json_null());
	return o;
}

/*
 * "What changed": {any, groups: [{new, escalated, resolved, flags,
 * items: [...]}], more, more_one}. Groups without items are left out;
 * at most max_lines items in all. New reference.
 */
static json_t *
changes_json(const struct digest_input *in, const struct area_ref *refs,
    size_t n, const struct now *now)
{
	json_t *out, *groups, *items[CH_N], *ind, *f, *g, *prev_area;
	const char *slug, *key, *name, *opened, *fa;
	size_t i, j, total = 0, shown = 0;
	int c, k, level, before, score;

	for (c = 0; c < CH_N; c++)
		items[c] = json_array();
	for (i = 0; i < n; i++) {
		slug = get_str(refs[i].a, "area");
		if ((name = get_str(refs[i].a, "name")) == NULL)
			name = slug;
		prev_area = find_area(in->previous, slug);
		json_array_foreach(
		    json_object_get(refs[i].a, "indicators"), j, ind)
		{
			if (in->previous == NULL)
				break; /* nothing to compare with */
			key = get_str(ind, "key");
			level = level_parse(get_str(ind, "level"));
			score = score_of(ind);
			k = previous_level(prev_area, key, &before);
			if (level >= LVL_YELLOW && k <= LVL_GREEN)
				c = CH_NEW;
			else if (level == LVL_RED && k == LVL_YELLOW)
				c = CH_ESCALATED;
			else if (level == LVL_GREEN && k >= LVL_YELLOW)
				c = CH_RESOLVED;
			else
				continue;
			json_array_append_new(items[c],
			    change_item(name,
				indicator_name(in->checklist, key), score,
				before, NULL));
		}
		json_array_foreach(json_object_get(in->picture, "flags"), j, f)
		{
			opened = get_str(f, "opened");
			fa = get_str(f, "area");
			if (!flag_open(f) || opened == NULL || fa == NULL ||
			    slug == NULL || strcmp(opened, now->label) != 0 ||
			    strcmp(fa, slug) != 0)
				continue;
			json_array_append_new(items[CH_FLAGS],
			    change_item(name,
				indicator_name(
				    in->checklist, get_str(f, "indicator")),
				-1, -1, jstr(get_str(f, "reason"))));
		}
	}

	out = json_object();
	groups = json_array();
	for (c = 0; c < CH_N; c++) {
		total += json_array_size(items[c]);
		while (shown + json_array_size(items[c]) > in->max_lines &&
		    json_array_size(items[c]) > 0)
			json_array_remove(
			    items[c], json_array_size(items[c]) - 1);
		shown += json_array_size(items[c]);
		if (json_array_size(items[c]) == 0) {
			json_decref(items[c]);
			continue;
		}
		g = json_object();
		for (k = 0; k < CH_N; k++)
			set_bool(g, change_names[k], k == c);
		json_object_set_new(g, "items", items[c]);
		json_array_append_new(groups, g);
	}
	set_bool(out, "any", total > 0);
	json_object_set_new(out, "groups", groups);
	set_count(out, "more", (json_int_t)(total - shown));
	return out;
}

/*
 * One indicator line of an area: {key, name, red/yellow/green/grey,
 * now, trend {up, down, same, new, none, from, from_known}, reports,
 * events (null when no count was given), flag (null unless open)}.
 * ind is NULL for an open flag whose indicator the area does not list.
 * New reference.
 */
static json_t *
item_json(const struct digest_input *in, json_t *ind, const char *key,
    json_t *prev_area, json_t *flag, const struct now *now)
{
	json_t *o = json_object(), *t, *ev;
	const char *trend = ind != NULL ? get_str(ind, "trend") : NULL;
	int before = -1;
	size_t i;

	if (trend == NULL)
		trend = "none";
	json_object_set_new(o, "key", jstr(key));
	json_object_set_new(
	    o, "name", jstr(indicator_name(in->checklist, key)));
	set_levels(
	    o, ind != NULL ? level_parse(get_str(ind, "level")) : LVL_GREY);
	json_object_set_new(
	    o, "now", score_json(ind != NULL ? score_of(ind) : -1));

	t = json_object();
	for (i = 0; i < sizeof(trend_names) / sizeof(trend_names[0]); i++)
		set_bool(t, trend_names[i], strcmp(trend, trend_names[i]) == 0);
	if (strcmp(trend, "up") == 0 || strcmp(trend, "down") == 0)
		previous_level(prev_area, key, &before);
	json_object_set_new(
	    t, "from", before < 0 ? json_null() : json_integer(before));
	set_bool(t, "from_known", before >= 0);
	json_object_set_new(o, "trend", t);

	set_count(o, "reports", ind != NULL ? get_int(ind, "reports") : 0);
	ev = ind != NULL ? json_object_get(ind, "events") : NULL;
	if (json_is_integer(ev))
		set_count(o, "events", json_integer_value(ev));
	else {
		json_object_set_new(o, "events", json_null());
		set_bool(o, "events_one", false);
	}
	json_object_set_new(
	    o, "flag", flag != NULL ? flag_json(flag, now) : json_null());
	return o;
}

/*
 * Every line an area would show: indicators in yellow or red or with an
 * open flag, in the picture's (checklist) order, then open flags of
 * indicators the area does not list. New reference.
 */
static json_t *
area_items(const struct digest_input *in, json_t *a, const struct now *now)
{
	json_t *items = json_array(), *ind, *f, *prev_area;
	const char *slug = get_str(a, "area"), *key, *fa;
	size_t i;

	prev_area = find_area(in->previous, slug);
	json_array_foreach(json_object_get(a, "indicators"), i, ind)
	{
		key = get_str(ind, "key");
		f = find_open_flag(in->picture, slug, key);
		if (level_parse(get_str(ind, "level")) < LVL_YELLOW &&
		    f == NULL)
			continue;
		json_array_append_new(
		    items, item_json(in, ind, key, prev_area, f, now));
	}
	json_array_foreach(json_object_get(in->picture, "flags"), i, f)
	{
		fa = get_str(f, "area");
		key = get_str(f, "indicator");
		if (!flag_open(f) || fa == NULL || slug == NULL ||
		    key == NULL || strcmp(fa, slug) != 0 ||
		    find_indicator(a, key) != NULL)
			continue;
		json_array_append_new(
		    items, item_json(in, NULL, key, prev_area, f, now));
	}
	return items;
}

/*
 * One area of the mail, with at most `take` of its lines. New
 * reference; see reporter-form/mail/README.md for the members.
 */
static json_t *
area_json(json_t *a, int level, json_t *items, size_t take)
{
	json_t *o = json_object(), *arr, *item, *m;
	json_int_t expected, reported;
	size_t i, n = json_array_size(items);
	int computed;
	bool set;

	json_object_set_new(o, "name",
	    jstr(get_str(a, "name") != NULL ? get_str(a, "name")
					    : get_str(a, "area")));
	json_object_set_new(o, "slug", jstr(get_str(a, "area")));
	set_levels(o, level);

	set = json_object_get(a, "status_computed") != NULL;
	computed = set ? level_parse(get_str(a, "status_computed")) : level;
	set_bool(o, "set", set);
	json_object_set_new(o, "set_by", jstr(get_str(a, "status_set_by")));
	json_object_set_new(
	    o, "assessment", lines_json(get_str(a, "assessment")));
	json_object_set_new(o, "computed", levels_json(computed));

	while (json_array_size(items) > take)
		json_array_remove(items, json_array_size(items) - 1);
	json_object_set(o, "items", items);
	set_bool(o, "any_items", take > 0);
	set_count(o, "more_items", (json_int_t)(n - take));
	set_bool(o, "quiet", n == 0 && computed != LVL_GREY);
	set_bool(o, "unassessed", n == 0 && computed == LVL_GREY);

	arr = json_array();
	json_array_foreach(json_object_get(a, "notes"), i, item)
	{
		const char *place = get_str(item, "place");
		const char *text = get_str(item, "text");

		if (place == NULL && text == NULL)
			continue;
		m = json_object();
		json_object_set_new(m, "place", jstr(place));
		json_object_set_new(m, "text", lines_json(text));
		json_array_append_new(arr, m);
	}
	set_bool(o, "any_notes", json_array_size(arr) > 0);
	json_object_set_new(o, "notes", arr);

	expected = get_int(a, "reporters_expected");
	reported = get_int(a, "reporters_reported");
	json_object_set_new(o, "reported", json_integer(reported));
	set_count(o, "expected", expected);
	set_bool(o, "no_reporters", expected == 0);

	arr = json_array();
	json_array_foreach(json_object_get(a, "missing"), i, item)
	{
		m = json_object();
		json_object_set_new(m, "name", jstr(get_str(item, "name")));
		json_object_set_new(m, "email", jstr(get_str(item, "email")));
		set_bool(m, "sep", json_array_size(arr) > 0);
		json_array_append_new(arr, m);
	}
	set_bool(o, "any_missing", json_array_size(arr) > 0);
	json_object_set_new(o, "missing", arr);
	return o;
}

/*
 * The headline counts: n_areas, n_red, ... (each with its _one),
 * n_elevated, and `counts`, the non-zero ones worst first as
 * [{n, one, red, yellow, green, grey, sep}].
 */
static void
set_counts(json_t *ctx, const struct area_ref *refs, size_t n)
{
	json_int_t count[LVL_N] = {0};
	json_t *arr, *c;
	char key[16];
	size_t i;
	int l;

	for (i = 0; i < n; i++)
		count[refs[i].level]++;
	set_count(ctx, "n_areas", (json_int_t)n);
	set_bool(ctx, "no_areas", n == 0);
	for (l = 0; l < LVL_N; l++) {
		snprintf(key, sizeof(key), "n_%s", lvl_names[l]);
		set_count(ctx, key, count[l]);
	}
	set_count(ctx, "n_elevated", count[LVL_RED] + count[LVL_YELLOW]);
	arr = json_array();
	for (l = LVL_N - 1; l >= 0; l--) {
		if (count[l] == 0)
			continue;
		c = json_object();
		set_count(c, "n", count[l]);
		set_levels(c, l);
		set_bool(c, "sep", json_array_size(arr) > 0);
		json_array_append_new(arr, c);
	}
	json_object_set_new(ctx, "counts", arr);
}

/*
 * `police`: false when the picture has no police notices (not fetched),
 * else {total (with _one), none, where ("Örebro, Kumla"), types [{type,
 * count (with _one)}]}. New reference.
 */
static json_t *
police_context(json_t *pic)
{
	json_t *pe = json_object_get(pic, "police_events"), *o, *arr;
	json_t *item, *t;
	struct buf where = {NULL, 0, 0};
	char *s;
	size_t i;

	if (!json_is_object(pe))
		return json_false();
	o = json_object();
	set_count(o, "total", get_int(pe, "total"));
	set_bool(o, "none", get_int(pe, "total") == 0);
	json_array_foreach(json_object_get(pe, "locations"), i, item)
	{
		if (!json_is_string(item))
			continue;
		buf_puts(&where, where.len > 0 ? ", " : "");
		buf_puts(&where, json_string_value(item));
	}
	s = buf_take(&where, NULL);
	json_object_set_new(o, "where", jstr(s != NULL ? s : ""));
	free(s);
	arr = json_array();
	json_array_foreach(json_object_get(pe, "types"), i, item)
	{
		if (get_str(item, "type") == NULL)
			continue;
		t = json_object();
		json_object_set_new(t, "type", jstr(get_str(item, "type")));
		set_count(t, "count", get_int(item, "count"));
		json_array_append_new(arr, t);
	}
	json_object_set_new(o, "types", arr);
	return o;
}

/* The whole context of a digest. New reference. */
static json_t *
digest_context(const struct digest_input *in)
{
	json_t *ctx = json_object(), *shown, *items;
	struct area_ref *refs;
	struct now now;
	size_t n, i, lines = 0, take, k;

	now_of(in->picture, &now);
	refs = sorted_areas(json_object_get(in->picture, "areas"), &n);

	json_object_set_new(ctx, "name", jstr(in->name));
	json_object_set_new(ctx, "week", jstr(in->week));
	json_object_set_new(ctx, "period", jstr(now.label));
	json_object_set_new(ctx, "url", jstr(in->url));
	set_counts(ctx, refs, n);
	set_bool(ctx, "compared", in->previous != NULL);
	json_object_set_new(ctx, "changes", changes_json(in, refs, n, &now));
	json_object_set_new(ctx, "police", police_context(in->picture));

	shown = json_array();
	for (i = 0; i < n && i < in->max_areas; i++) {
		items = area_items(in, refs[i].a, &now);
		k = json_array_size(items);
		if (i > 0 && lines + k > in->max_lines) {
			json_decref(items);
			break;
		}
		take = k < in->max_lines - lines ? k : in->max_lines - lines;
		lines += take;
		json_array_append_new(
		    shown, area_json(refs[i].a, refs[i].level, items, take));
		json_decref(items);
	}
	json_object_set_new(ctx, "areas", shown);
	set_count(ctx, "more_areas", (json_int_t)(n - i));
	free(refs);
	return ctx;
}

/*
 * Undo the HTML escaping tmpl gave the values, in place: the five
 * entities buf_html writes, and nothing else.
 */
static void
unescape(char *s)
{
	static const struct {
		const char *ent;
		char c;
	} ents[] = {
	    {"&amp;", '&'},
	    {"&lt;", '<'},
	    {"&gt;", '>'},
	    {"&quot;", '"'},
	    {"&#39;", '\''},
	};
	char *r, *w;
	size_t i, len;

	for (r = w = s; *r != '\0';) {
		if (*r == '&') {
			for (i = 0; i < sizeof(ents) / sizeof(ents[0]); i++) {
				len = strlen(ents[i].ent);
				if (strncmp(r, ents[i].ent, len) == 0)
					break;
			}
			if (i < sizeof(ents) / sizeof(ents[0])) {
				*w++ = ents[i].c;
				r += len;
				continue;
			}
		}
		*w++ = *r++;
	}
	*w = '\0';
}

/*
 * A subject: one line, whatever the template's line breaks; control
 * characters become spaces, runs of spaces one, none at either end.
 */
static void
one_line(char *s)
{
	char *r, *w;
	bool space = true; /* drops leading spaces */

	for (r = w = s; *r != '\0'; r++) {
		if ((unsigned char)*r < 0x20 || *r == 0x7f || *r == ' ') {
			if (!space)
				*w++ = ' ';
			space = true;
			continue;
		}
		*w++ = *r;
		space = false;
	}
	if (w > s && w[-1] == ' ')
		w--;
	*w = '\0';
}

/*
 * A text body: no blank lines at the start, at most one blank line in
 * a row (a section left empty must not leave a hole), and exactly one
 * line end at the end.
 */
static void
tidy_text(char *s)
{
	char *r, *w;
	int breaks = 2; /* drops leading blank lines */

	for (r = w = s; *r != '\0'; r++) {
		if (*r == '\n') {
			if (++breaks > 2)
				continue;
		} else
			breaks = 0;
		*w++ = *r;
	}
	while (w > s && w[-1] == '\n')
		w--;
	*w++ = '\n';
	*w = '\0';
}

/*
 * Render the three parts of a mail from `ctx` (borrowed; gains
 * "subject" for the HTML title). Returns 0, or -1 with *cause when a
 * template is missing.
 */
static int
render_mail(const struct tmpl_set *set, const char *base, json_t *ctx,
    struct digest_mail *out, char **cause)
{
	char name[64];

	snprintf(name, sizeof(name), "%s-subject.txt", base);
	if ((out->subject = tmpl_render(set, name, ctx, NULL)) == NULL)
		goto missing;
	unescape(out->subject);
	one_line(out->subject);
	json_object_set_new(ctx, "subject", jstr(out->subject));

	snprintf(name, sizeof(name), "%s.txt", base);
	if ((out->text = tmpl_render(set, name, ctx, NULL)) == NULL)
		goto missing;
	unescape(out->text);
	tidy_text(out->text);

	snprintf(name, sizeof(name), "%s.html", base);
	if ((out->html = tmpl_render(set, name, ctx, NULL)) == NULL)
		goto missing;
	return 0;
missing:
	xasprintf(cause, "no mail template \"%s\"", name);
	digest_mail_clear(out);
	return -1;
}

int
digest_check_templates(const struct tmpl_set *set, char **cause)
{
	size_t i;

	*cause = NULL;
	for (i = 0; i < sizeof(templates) / sizeof(templates[0]); i++) {
		if (!tmpl_has(set, templates[i])) {
			xasprintf(
			    cause, "no mail template \"%s\"", templates[i]);
			return -1;
		}
	}
	return 0;
}

/*
 * Render the digest. in and everything it points to are borrowed.
 * Returns 0 with out's strings owned by the caller (digest_mail_clear),
 * or -1 with out cleared and *cause owned by the caller.
 */
int
digest_render(const struct tmpl_set *set, const struct digest_input *in,
    struct digest_mail *out, char **cause)
{
	struct digest_input cp = *in;
	json_t *ctx;
	int rc;

	*cause = NULL;
	memset(out, 0, sizeof(*out));
	if (!json_is_object(in->picture) ||
	    !json_is_array(json_object_get(in->picture, "areas"))) {
		*cause = xstrdup("the picture is not an object with an "
				 "\"areas\" array");
		return -1;
	}
	if (!json_is_object(cp.previous))
		cp.previous = NULL;
	if (cp.max_areas == 0)
		cp.max_areas = DIGEST_MAX_AREAS;
	if (cp.max_lines == 0)
		cp.max_lines = DIGEST_MAX_LINES;
	ctx = digest_context(&cp);
	rc = render_mail(set, "digest", ctx, out, cause);
	json_decref(ctx);
	return rc;
}

/*
 * Render a reminder. r and everything it points to are borrowed.
 * Returns 0 with out's strings owned by the caller (digest_mail_clear),
 * or -1 with out cleared and *cause owned by the caller.
 */
int
digest_render_reminder(const struct tmpl_set *set,
    const struct digest_reminder *r, struct digest_mail *out, char **cause)
{
	json_t *ctx, *areas, *a;
	size_t i;
	int rc;

	*cause = NULL;
	memset(out, 0, sizeof(*out));
	ctx = json_object();
	json_object_set_new(ctx, "name", jstr(r->name));
	json_object_set_new(ctx, "week", jstr(r->week));
	json_object_set_new(ctx, "period", jstr(r->period));
	json_object_set_new(ctx, "url", jstr(r->url));
	areas = json_array();
	for (i = 0; i < r->n_areas; i++) {
		a = json_object();
		json_object_set_new(a, "name", jstr(r->areas[i]));
		set_bool(a, "sep", i > 0);
		json_array_append_new(areas, a);
	}
	json_object_set_new(ctx, "areas", areas);
	set_count(ctx, "n_areas", (json_int_t)r->n_areas);
	rc = render_mail(set, "reminder", ctx, out, cause);
	json_decref(ctx);
	return rc;
}

void
digest_mail_clear(struct digest_mail *m)
{
	free(m->subject);
	free(m->text);
	free(m->html);
	m->subject = m->text = m->html = NULL;
}

/*
 * ---- The steering group's analysis (analysis-*.txt, analysis.html),
 * from the analysis JSON of contract §6. The summary is the same in the
 * mail and in estctl's text: the mail's text part includes
 * analysis-summary.txt.
 */

/* A number of the analysis as Swedish writes it ("1,20"); "" for null. */
static void
decimal_sv(json_t *v, char *buf, size_t size)
{
	char *p;

	if (!json_is_number(v)) {
		buf[0] = '\0';
		return;
	}
	snprintf(buf, size, "%.2f", json_number_value(v));
	if ((p = strchr(buf, '.')) != NULL)
		*p = ',';
}

/* The Swedish name of the area with this slug; the slug if none. */
static const char *
analysis_area_name(json_t *an, const char *slug)
{
	json_t *a = find_area(an, slug);

	return a != NULL && get_str(a, "name") != NULL ? get_str(a, "name")
	    : slug != NULL                             ? slug
						       : "";
}

static bool
flag_open_at_end(json_t *f)
{
	return json_is_true(json_object_get(f, "open_at_end"));
}

/* One area of the ranking (new reference). */
static json_t *
analysis_area(json_t *an, const struct checklist *cl, json_t *a)
{
	json_t *o = json_object(), *counts, *top, *t, *f;
	const char *slug = get_str(a, "area"), *fa;
	char num[32];
	json_int_t open = 0;
	size_t i;

	json_object_set_new(o, "rank", json_integer(get_int(a, "rank")));
	json_object_set_new(o, "name", jstr(get_str(a, "name")));
	json_object_set_new(o, "slug", jstr(slug));
	decimal_sv(json_object_get(a, "need"), num, sizeof(num));
	json_object_set_new(o, "need", jstr(num));
	counts = json_object_get(a, "status_counts");
	for (i = 0; i < LVL_N; i++)
		set_count(o, lvl_names[i], get_int(counts, lvl_names[i]));
	json_array_foreach(json_object_get(an, "flags"), i, f)
	{
		fa = get_str(f, "area");
		if (fa != NULL && slug != NULL && strcmp(fa, slug) == 0 &&
		    flag_open_at_end(f))
			open++;
	}
	set_count(o, "flags_open", open);
	top = json_array();
	json_array_foreach(json_object_get(a, "top_indicators"), i, t)
	{
		f = json_object();
		json_object_set_new(
		    f, "name", jstr(indicator_name(cl, json_string_value(t))));
		set_bool(f, "sep", i > 0);
		json_array_append_new(top, f);
	}
	set_bool(o, "any_top", json_array_size(top) > 0);
	json_object_set_new(o, "top", top);
	return o;
}

/* A persisting problem: a flag still open at the end (new reference). */
static json_t *
analysis_flag(json_t *an, const struct checklist *cl, json_t *f, int span_year)
{
	json_t *o = json_object();
	struct period p;
	const char *opened = get_str(f, "opened");

	json_object_set_new(
	    o, "area", jstr(analysis_area_name(an, get_str(f, "area"))));
	json_object_set_new(
	    o, "indicator", jstr(indicator_name(cl, get_str(f, "indicator"))));
	json_object_set_new(o, "opened", jstr(opened));
	if (opened != NULL && period_parse(opened, &p) == 0 &&
	    p.kind == PERIOD_WEEK) {
		json_object_set_new(o, "since_week", json_integer(p.num));
		json_object_set_new(o, "since_year",
		    p.year != span_year ? json_integer(p.year) : json_null());
	} else {
		json_object_set_new(o, "since_week", json_null());
		json_object_set_new(o, "since_year", json_null());
	}
	json_object_set_new(o, "reason", jstr(get_str(f, "reason")));
	set_bool(
	    o, "new", json_is_true(json_object_get(f, "opened_in_period")));
	set_count(o, "earlier", get_int(f, "earlier_episodes"));
	json_object_set_new(o, "comment", lines_json(get_str(f, "comment")));
	return o;
}

/* A change of an indicator's mean against the previous span. */
struct an_change {
	json_t *area;
	json_t *ind;
	double delta;
	json_int_t rank;
	size_t pos; /* the indicator's, in checklist order */
};

static int
an_change_cmp(const void *va, const void *vb)
{
	const struct an_change *a = va, *b = vb;
	double da = fabs(a->delta), db = fabs(b->delta);

	if (da != db)
		return da > db ? -1 : 1;
	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	return (a->pos > b->pos) - (a->pos < b->pos);
}

/*
 * The biggest changes of mean scores (new reference), at most `max`;
 * *total counts every pair that changed, *compared whether the previous
 * span had any score at all.
 */
static json_t *
analysis_changes(json_t *an, const struct checklist *cl, size_t max,
    size_t *total, bool *compared)
{
	struct an_change *ch = NULL;
	json_t *list = json_array(), *a, *ind, *o, *now, *was;
	size_t n = 0, cap = 0, i, j;
	char num[32];
	double d;

	*compared = false;
	json_array_foreach(json_object_get(an, "areas"), i, a)
	{
		json_array_foreach(json_object_get(a, "indicators"), j, ind)
		{
			now = json_object_get(ind, "mean_score");
			was = json_object_get(ind, "previous_mean_score");
			if (json_is_number(was))
				*compared = true;
			if (!json_is_number(now) || !json_is_number(was))
				continue;
			d = json_number_value(now) - json_number_value(was);
			/* Means have 2 decimals: below that is rounding. */
			if (fabs(d) < 0.005)
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 32;
				ch = xreallocarray(ch, cap, sizeof(*ch));
			}
			ch[n].area = a;
			ch[n].ind = ind;
			ch[n].delta = d;
			ch[n].rank = get_int(a, "rank");
			ch[n].pos = j;
			n++;
		}
	}
	if (n > 0)
		qsort(ch, n, sizeof(*ch), an_change_cmp);
	for (i = 0; i < n && i < max; i++) {
		o = json_object();
		json_object_set_new(
		    o, "area", jstr(get_str(ch[i].area, "name")));
		json_object_set_new(o, "indicator",
		    jstr(indicator_name(cl, get_str(ch[i].ind, "key"))));
		decimal_sv(json_object_get(ch[i].ind, "previous_mean_score"),
		    num, sizeof(num));
		json_object_set_new(o, "before", jstr(num));
		decimal_sv(
		    json_object_get(ch[i].ind, "mean_score"), num, sizeof(num));
		json_object_set_new(o, "after", jstr(num));
		set_bool(o, "up", ch[i].delta > 0);
		set_bool(o, "down", ch[i].delta < 0);
		json_array_append_new(list, o);
	}
	free(ch);
	*total = n;
	return list;
}

/* The context of the analysis mail and summary (new reference). */
static json_t *
analysis_context(const struct digest_analysis *in)
{
	json_t *an = in->analysis, *ctx = json_object(), *list, *a;
	json_t *f;
	struct period p;
	const char *label = get_str(an, "period");
	char words[128];
	size_t max_areas, max_flags, max_changes, i, n, total;
	bool compared;

	max_areas = in->max_areas != 0 ? in->max_areas : DIGEST_ANALYSIS_AREAS;
	max_flags = in->max_flags != 0 ? in->max_flags : DIGEST_ANALYSIS_FLAGS;
	max_changes =
	    in->max_changes != 0 ? in->max_changes : DIGEST_ANALYSIS_CHANGES;
	memset(&p, 0, sizeof(p));
	if (label == NULL || period_parse(label, &p) == -1)
		p.kind = PERIOD_WEEK; /* none of the three below */

	json_object_set_new(ctx, "period", jstr(label));
	set_bool(ctx, "quarter", p.kind == PERIOD_QUARTER);
	set_bool(ctx, "tertial", p.kind == PERIOD_TERTIAL);
	set_bool(ctx, "year", p.kind == PERIOD_YEAR);
	json_object_set_new(ctx, "span_year", json_integer(p.year));
	json_object_set_new(ctx, "span_num", json_integer(p.num));
	words[0] = '\0';
	if (p.kind != PERIOD_WEEK)
		period_describe(&p, "sv", words, sizeof(words));
	json_object_set_new(ctx, "description", jstr(words));
	json_object_set_new(
	    ctx, "previous_period", jstr(get_str(an, "previous_period")));
	words[0] = '\0';
	if (get_str(an, "previous_period") != NULL &&
	    period_parse(get_str(an, "previous_period"), &p) == 0)
		period_describe(&p, "sv", words, sizeof(words));
	json_object_set_new(ctx, "previous_description", jstr(words));
	set_count(ctx, "n_periods",
	    (json_int_t)json_array_size(json_object_get(an, "periods")));
	json_object_set_new(ctx, "level", json_integer(get_int(an, "level")));
	set_bool(ctx, "weekly",
	    get_str(an, "cadence") == NULL ||
		strcmp(get_str(an, "cadence"), "fortnightly") != 0);
	json_object_set_new(ctx, "name", jstr(in->name));
	json_object_set_new(ctx, "url", jstr(in->url));
	json_object_set_new(ctx, "attachment", jstr(in->attachment));

	list = json_array();
	n = json_array_size(json_object_get(an, "areas"));
	json_array_foreach(json_object_get(an, "areas"), i, a)
	{
		if (i >= max_areas)
			break;
		json_array_append_new(
		    list, analysis_area(an, in->checklist, a));
	}
	set_count(ctx, "n_areas", (json_int_t)n);
	set_bool(ctx, "no_areas", n == 0);
	json_object_set_new(ctx, "areas", list);
	set_count(ctx, "more_areas", (json_int_t)(n - json_array_size(list)));

	list = json_array();
	n = 0;
	json_array_foreach(json_object_get(an, "flags"), i, f)
	{
		if (!flag_open_at_end(f))
			continue;
		if (n++ < max_flags)
			json_array_append_new(list,
			    analysis_flag(an, in->checklist, f,
				(int)get_int(ctx, "span_year")));
	}
	set_count(ctx, "n_persisting", (json_int_t)n);
	set_bool(ctx, "any_persisting", n > 0);
	json_object_set_new(ctx, "persisting", list);
	set_count(
	    ctx, "more_persisting", (json_int_t)(n - json_array_size(list)));

	list =
	    analysis_changes(an, in->checklist, max_changes, &total, &compared);
	set_bool(ctx, "compared", compared);
	set_bool(ctx, "any_changes", json_array_size(list) > 0);
	json_object_set_new(ctx, "changes", list);
	set_count(
	    ctx, "more_changes", (json_int_t)(total - json_array_size(list)));
	return ctx;
}

static int
analysis_check(const struct digest_analysis *in, char **cause)
{
	if (!json_is_object(in->analysis) ||
	    !json_is_array(json_object_get(in->analysis, "areas"))) {
		*cause = xstrdup("the analysis is not an object with an "
				 "\"areas\" array");
		return -1;
	}
	return 0;
}

/*
 * Render the analysis mail. in and everything it points to are
 * borrowed. Returns 0 with out's strings owned by the caller
 * (digest_mail_clear), or -1 with out cleared and *cause owned by the
 * caller.
 */
int
digest_render_analysis(const struct tmpl_set *set,
    const struct digest_analysis *in, struct digest_mail *out, char **cause)
{
	json_t *ctx;
	int rc;

	*cause = NULL;
	memset(out, 0, sizeof(*out));
	if (analysis_check(in, cause) == -1)
		return -1;
	ctx = analysis_context(in);
	rc = render_mail(set, "analysis", ctx, out, cause);
	json_decref(ctx);
	return rc;
}

/*
 * The summary alone as text. in is borrowed. Returns a new string owned
 * by the caller, or NULL with *cause owned by the caller.
 */
char *
digest_analysis_text(
    const struct tmpl_set *set, const struct digest_analysis *in, char **cause)
{
	json_t *ctx;
	char *text;

	*cause = NULL;
	if (analysis_check(in, cause) == -1)
		return NULL;
	ctx = analysis_context(in);
	text = tmpl_render(set, "analysis-summary.txt", ctx, NULL);
	json_decref(ctx);
	if (text == NULL) {
		*cause = xstrdup("no mail template \"analysis-summary.txt\"");
		return NULL;
	}
	unescape(text);
	tidy_text(text);
	return text;
}
