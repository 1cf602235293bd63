/*
 * picture: compile one period's reports into the joint situational
 * picture and render it (see picture.h for the figures and rules).
 *
 * DESIGN: picture_compile() does all the counting once, into a private
 * struct that owns copies of every string it shows; the three renderings
 * only format it. So JSON, text and HTML can never disagree about a
 * figure, and the caller can free its reports as soon as the picture is
 * compiled. A figure nobody gave stays "none" (RATING_NONE, -1) all the
 * way to the output, where it becomes null or a dash, never 0.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "conf.h"
#include "flags.h"
#include "picture.h"
#include "report.h"
#include "store.h"
#include "xmalloc.h"

#define DASH "\u2013"

enum trend {
	TREND_NONE, /* no score now */
	TREND_NEW, /* a score now, none before */
	TREND_SAME,
	TREND_UP,
	TREND_DOWN,
};

struct pic_ind {
	int score; /* highest rating, or RATING_NONE */
	int prev; /* the previous period's score */
	int reports; /* reports that assessed it */
	int sum; /* of their ratings */
	long events; /* sum of counts; -1 when none was given */
	long flag; /* its open flag in pic->flags, or -1 */
};

struct pic_note {
	char *place; /* NULL when not given */
	char *text; /* NULL when not given */
};

struct pic_person {
	char *name;
	char *email;
};

struct pic_area {
	char *slug;
	char *name;
	enum picture_level computed; /* worst level */
	enum picture_level status; /* computed, or as set */
	bool set; /* by a key function */
	char *set_by; /* NULL when not named */
	char *assessment; /* NULL when no comment */
	int expected;
	int reported;
	struct pic_ind *ind; /* one per checklist item */
	struct pic_note *notes;
	size_t n_notes;
	struct pic_person *missing;
	size_t n_missing;
};

struct pic_flag {
	char *area;
	char *indicator;
	size_t area_pos; /* in pic->areas */
	long ind; /* checklist index, or -1 */
	size_t seq; /* input order */
	struct flags_episode ep;
};

struct picture {
	char *label;
	char *start;
	char *end;
	size_t n_ind;
	char **keys;
	char **names; /* Swedish, or the key */
	struct pic_area *areas;
	size_t n_areas;
	struct pic_flag *flags;
	size_t n_flags;
	bool police; /* notices were fetched */
	char **police_where;
	size_t n_police_where;
	struct police_count *police_types;
	size_t n_police_types;
	long police_total;
};

/* The caveat shown with every count of police notices. */
#define POLICE_NOTE_SV                                                         \
	"Polisens händelsenotiser räknas per kommun: deras "                 \
	"position är kommunens eller länets mittpunkt, inte "                \
	"platsen, så de hör inte till något område."
#define POLICE_NOTE_EN                                                         \
	"Police event notices are counted per municipality: their position "   \
	"is the centre of the municipality or county, not the place, so "      \
	"they belong to no area."

static const char *const level_names[] = {
    "grey",
    "green",
    "yellow",
    "red",
};

static const char *const level_sv[] = {
    "ej bedömt",
    "grönt läge",
    "gult läge",
    "rött läge",
};

static const char *const trend_names[] = {
    "none",
    "new",
    "same",
    "up",
    "down",
};

static const char *const rating_sv[RATING_MAX + 1] = {
    "inget observerat",
    "enstaka",
    "återkommande",
    "omfattande",
};

const char *
picture_level_name(enum picture_level level)
{
	if ((int)level < 0 || level > PICTURE_RED)
		return "grey";
	return level_names[level];
}

int
picture_level_parse(const char *s, enum picture_level *level)
{
	int i;

	for (i = PICTURE_GREY; i <= PICTURE_RED; i++) {
		if (strcmp(s, level_names[i]) == 0) {
			*level = (enum picture_level)i;
			return 0;
		}
	}
	return -1;
}

static char *
dup_or_null(const char *s)
{
	return s == NULL ? NULL : xstrdup(s);
}

enum picture_level
picture_score_level(int score)
{
	if (score == RATING_NONE)
		return PICTURE_GREY;
	if (score >= 3)
		return PICTURE_RED;
	if (score == 2)
		return PICTURE_YELLOW;
	return PICTURE_GREEN;
}

static enum trend
trend_of(const struct pic_ind *ind)
{
	if (ind->score == RATING_NONE)
		return TREND_NONE;
	if (ind->prev == RATING_NONE)
		return TREND_NEW;
	if (ind->score > ind->prev)
		return TREND_UP;
	if (ind->score < ind->prev)
		return TREND_DOWN;
	return TREND_SAME;
}

/* The mean rounded to 2 decimals, as shown everywhere. */
static double
mean_of(const struct pic_ind *ind)
{
	return round(ind->sum * 100.0 / ind->reports) / 100.0;
}

/*
 * A report's rating of item i: a "nothing" report rates what it left
 * empty 0; anything outside the scale is taken as not assessed.
 */
static int
rating_of(const struct report *r, size_t i)
{
	int v = r->ratings[i];

	if (v == RATING_NONE && r->nothing)
		return 0;
	if (v < 0 || v > RATING_MAX)
		return RATING_NONE;
	return v;
}

static long
area_index(const struct picture *pic, const char *slug)
{
	size_t i;

	if (slug == NULL)
		return -1;
	for (i = 0; i < pic->n_areas; i++)
		if (strcmp(pic->areas[i].slug, slug) == 0)
			return (long)i;
	return -1;
}

static long
indicator_index(const struct picture *pic, const char *key)
{
	size_t i;

	if (key == NULL)
		return -1;
	for (i = 0; i < pic->n_ind; i++)
		if (strcmp(pic->keys[i], key) == 0)
			return (long)i;
	return -1;
}

static void
add_report(struct picture *pic, const struct stored_report *sr)
{
	const struct report *r = &sr->report;
	struct pic_area *a;
	struct pic_ind *ind;
	struct pic_note *note;
	long ai;
	size_t i;
	int v;

	if ((ai = area_index(pic, r->area)) == -1)
		return;
	a = &pic->areas[ai];
	for (i = 0; i < pic->n_ind; i++) {
		ind = &a->ind[i];
		if ((v = rating_of(r, i)) != RATING_NONE) {
			ind->reports++;
			ind->sum += v;
			if (v > ind->score)
				ind->score = v;
		}
		if (r->counts[i] >= 0 && r->counts[i] <= COUNT_MAX)
			ind->events =
			    (ind->events < 0 ? 0 : ind->events) + r->counts[i];
	}
	if (r->place == NULL && r->note == NULL)
		return;
	a->notes = xreallocarray(a->notes, a->n_notes + 1, sizeof(*a->notes));
	note = &a->notes[a->n_notes++];
	note->place = dup_or_null(r->place);
	note->text = dup_or_null(r->note);
}

static void
add_previous(struct picture *pic, const struct stored_report *sr)
{
	struct pic_area *a;
	long ai;
	size_t i;
	int v;

	if ((ai = area_index(pic, sr->report.area)) == -1)
		return;
	a = &pic->areas[ai];
	for (i = 0; i < pic->n_ind; i++)
		if ((v = rating_of(&sr->report, i)) > a->ind[i].prev)
			a->ind[i].prev = v;
}

static bool
person_expected(const struct person *p, const char *slug)
{
	size_t i;

	if (!p->active || p->role != ROLE_REPORTER)
		return false;
	if (p->all_areas)
		return true;
	for (i = 0; i < p->n_areas; i++)
		if (p->areas[i] != NULL && strcmp(p->areas[i], slug) == 0)
			return true;
	return false;
}

static void
add_coverage(struct picture *pic, const struct picture_input *in)
{
	struct pic_area *a;
	const struct person *p;
	struct pic_person *m;
	size_t i, j, k;
	bool reported;

	for (i = 0; i < pic->n_areas; i++) {
		a = &pic->areas[i];
		for (j = 0; j < in->n_people; j++) {
			p = &in->people[j];
			if (!person_expected(p, a->slug))
				continue;
			a->expected++;
			reported = false;
			for (k = 0; k < in->n_reports && !reported; k++)
				reported = in->reports[k].person_id == p->id &&
				    strcmp(in->reports[k].report.area,
					a->slug) == 0;
			if (reported) {
				a->reported++;
				continue;
			}
			a->missing = xreallocarray(
			    a->missing, a->n_missing + 1, sizeof(*a->missing));
			m = &a->missing[a->n_missing++];
			m->name = xstrdup(p->name != NULL ? p->name : "");
			m->email = xstrdup(p->email != NULL ? p->email : "");
		}
	}
}

static void
add_statuses(struct picture *pic, const struct picture_input *in)
{
	const struct picture_status *st;
	struct pic_area *a;
	size_t i;
	long ai;

	for (i = 0; i < in->n_statuses; i++) {
		st = &in->statuses[i];
		if (st->level <= PICTURE_GREY || st->level > PICTURE_RED ||
		    (ai = area_index(pic, st->area)) == -1)
			continue;
		a = &pic->areas[ai];
		a->set = true;
		a->status = st->level;
		free(a->set_by);
		free(a->assessment);
		a->set_by = dup_or_null(st->set_by);
		a->assessment = dup_or_null(st->comment);
	}
}

/*
 * The next collation weight of a UTF-8 name in Swedish order: case
 * folded, å ä ö after z (æ with ä, ø with ö), é and è with e, ü with y,
 * other non-ASCII letters after all of those by code point.
 */
static unsigned long
sv_weight(const unsigned char **sp)
{
	const unsigned char *s = *sp;
	unsigned long cp;
	int len, i;

	if (s[0] < 0x80) {
		cp = s[0];
		len = 1;
	} else if ((s[0] & 0xe0) == 0xc0) {
		cp = s[0] & 0x1f;
		len = 2;
	} else if ((s[0] & 0xf0) == 0xe0) {
		cp = s[0] & 0x0f;
		len = 3;
	} else {
		cp = s[0] & 0x07;
		len = 4;
	}
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			/* Not UTF-8: weigh the byte alone. */
			*sp = s + 1;
			return 0x110000UL + s[0];
		}
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	*sp = s + len;

	if (cp >= 'A' && cp <= 'Z')
		return cp - 'A' + 'a';
	switch (cp) {
	case 0xe5:
	case 0xc5: /* å */ return 'z' + 1;
	case 0xe4:
	case 0xc4:
	case 0xe6:
	case 0xc6: /* ä æ */ return 'z' + 2;
	case 0xf6:
	case 0xd6:
	case 0xf8:
	case 0xd8: /* ö ø */ return 'z' + 3;
	case 0xe9:
	case 0xc9:
	case 0xe8:
	case 0xc8: /* é è */ return 'e';
	case 0xfc:
	case 0xdc: /* ü */ return 'y';
	default: break;
	}
	return cp < 0x80 ? cp : 0x100 + cp;
}

int
picture_name_cmp(const char *a, const char *b)
{
	const unsigned char *pa = (const unsigned char *)a;
	const unsigned char *pb = (const unsigned char *)b;
	unsigned long wa, wb;

	while (*pa != '\0' && *pb != '\0') {
		wa = sv_weight(&pa);
		wb = sv_weight(&pb);
		if (wa != wb)
			return wa < wb ? -1 : 1;
	}
	if (*pa != '\0' || *pb != '\0')
		return *pa == '\0' ? -1 : 1;
	return strcmp(a, b);
}

static int
area_cmp(const void *va, const void *vb)
{
	const struct pic_area *a = va, *b = vb;
	int c;

	if (a->status != b->status)
		return a->status > b->status ? -1 : 1;
	if ((c = picture_name_cmp(a->name, b->name)) != 0)
		return c;
	return strcmp(a->slug, b->slug);
}

/* By area as shown, then checklist order (unknown keys last), then input. */
static int
flag_cmp(const void *va, const void *vb)
{
	const struct pic_flag *a = va, *b = vb;
	unsigned long ia = (unsigned long)a->ind;
	unsigned long ib = (unsigned long)b->ind;

	if (a->area_pos != b->area_pos)
		return a->area_pos < b->area_pos ? -1 : 1;
	if (ia != ib)
		return ia < ib ? -1 : 1;
	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	return 0;
}

static void
add_flags(struct picture *pic, const struct picture_input *in)
{
	const struct picture_flag *f;
	struct pic_flag *pf;
	struct pic_ind *ind;
	size_t i;
	long ai;

	pic->flags =
	    xcalloc(in->n_flags == 0 ? 1 : in->n_flags, sizeof(*pic->flags));
	for (i = 0; i < in->n_flags; i++) {
		f = &in->flags[i];
		if (f->indicator == NULL ||
		    (ai = area_index(pic, f->area)) == -1)
			continue;
		pf = &pic->flags[pic->n_flags++];
		pf->area = xstrdup(f->area);
		pf->indicator = xstrdup(f->indicator);
		pf->area_pos = (size_t)ai;
		pf->ind = indicator_index(pic, f->indicator);
		pf->seq = i;
		pf->ep = f->episode;
		/* Fixed-size strings from outside: make sure they end. */
		pf->ep.opened[sizeof(pf->ep.opened) - 1] = '\0';
		pf->ep.closed[sizeof(pf->ep.closed) - 1] = '\0';
		pf->ep.reason_sv[sizeof(pf->ep.reason_sv) - 1] = '\0';
		pf->ep.reason_en[sizeof(pf->ep.reason_en) - 1] = '\0';
	}
	qsort(pic->flags, pic->n_flags, sizeof(*pic->flags), flag_cmp);
	for (i = 0; i < pic->n_flags; i++) {
		pf = &pic->flags[i];
		if (pf->ind == -1 || pf->ep.closed[0] != '\0')
			continue;
		ind = &pic->areas[pf->area_pos].ind[pf->ind];
		if (ind->flag == -1)
			ind->flag = (long)i;
	}
}

/* Copy the police counts, which the picture shows as given. */
static void
add_police(struct picture *pic, const struct picture_police *pp)
{
	size_t i;

	if (pp == NULL)
		return;
	pic->police = true;
	pic->police_total = pp->total;
	pic->police_where =
	    xcalloc(pp->n_locations + 1, sizeof(*pic->police_where));
	for (i = 0; i < pp->n_locations; i++)
		pic->police_where[i] = xstrdup(pp->locations[i]);
	pic->n_police_where = pp->n_locations;
	pic->police_types =
	    xcalloc(pp->n_counts + 1, sizeof(*pic->police_types));
	for (i = 0; i < pp->n_counts; i++) {
		pic->police_types[i].type = xstrdup(pp->counts[i].type);
		pic->police_types[i].count = pp->counts[i].count;
	}
	pic->n_police_types = pp->n_counts;
}

struct picture *
picture_compile(const struct picture_input *in)
{
	struct picture *pic;
	struct pic_area *a;
	enum picture_level level;
	size_t i, j;
	size_t n_ind = in->checklist != NULL ? in->checklist->n : 0;

	pic = xcalloc(1, sizeof(*pic));
	pic->label = xstrdup(in->label != NULL ? in->label : "");
	pic->start = xstrdup(in->start != NULL ? in->start : "");
	pic->end = xstrdup(in->end != NULL ? in->end : "");

	if (n_ind > INDICATORS_MAX)
		n_ind = INDICATORS_MAX;
	pic->n_ind = n_ind;
	pic->keys = xcalloc(n_ind + 1, sizeof(*pic->keys));
	pic->names = xcalloc(n_ind + 1, sizeof(*pic->names));
	for (i = 0; i < n_ind; i++) {
		pic->keys[i] = xstrdup(in->checklist->items[i].key);
		pic->names[i] = xstrdup(in->checklist->items[i].sv != NULL
			? in->checklist->items[i].sv
			: in->checklist->items[i].key);
	}

	pic->areas = xcalloc(in->n_areas + 1, sizeof(*pic->areas));
	for (i = 0; i < in->n_areas; i++) {
		/* A slug given twice would split its reports: keep one. */
		if (area_index(pic, in->areas[i].slug) != -1)
			continue;
		a = &pic->areas[pic->n_areas++];
		a->slug = xstrdup(in->areas[i].slug);
		a->name =
		    xstrdup(in->areas[i].name != NULL ? in->areas[i].name
						      : in->areas[i].slug);
		a->ind = xcalloc(n_ind + 1, sizeof(*a->ind));
		for (j = 0; j < n_ind; j++) {
			a->ind[j].score = RATING_NONE;
			a->ind[j].prev = RATING_NONE;
			a->ind[j].events = -1;
			a->ind[j].flag = -1;
		}
	}

	for (i = 0; i < in->n_reports; i++)
		add_report(pic, &in->reports[i]);
	for (i = 0; i < in->n_previous; i++)
		add_previous(pic, &in->previous[i]);
	add_coverage(pic, in);
	add_statuses(pic, in);
	for (i = 0; i < pic->n_areas; i++) {
		a = &pic->areas[i];
		a->computed = PICTURE_GREY;
		for (j = 0; j < n_ind; j++) {
			level = picture_score_level(a->ind[j].score);
			if (level > a->computed)
				a->computed = level;
		}
		if (!a->set)
			a->status = a->computed;
	}
	qsort(pic->areas, pic->n_areas, sizeof(*pic->areas), area_cmp);
	add_flags(pic, in);
	add_police(pic, in->police);
	return pic;
}

void
picture_free(struct picture *pic)
{
	struct pic_area *a;
	size_t i, j;

	if (pic == NULL)
		return;
	for (i = 0; i < pic->n_areas; i++) {
		a = &pic->areas[i];
		free(a->slug);
		free(a->name);
		free(a->set_by);
		free(a->assessment);
		free(a->ind);
		for (j = 0; j < a->n_notes; j++) {
			free(a->notes[j].place);
			free(a->notes[j].text);
		}
		free(a->notes);
		for (j = 0; j < a->n_missing; j++) {
			free(a->missing[j].name);
			free(a->missing[j].email);
		}
		free(a->missing);
	}
	free(pic->areas);
	for (i = 0; i < pic->n_flags; i++) {
		free(pic->flags[i].area);
		free(pic->flags[i].indicator);
	}
	free(pic->flags);
	for (i = 0; i < pic->n_ind; i++) {
		free(pic->keys[i]);
		free(pic->names[i]);
	}
	free(pic->keys);
	free(pic->names);
	for (i = 0; i < pic->n_police_where; i++)
		free(pic->police_where[i]);
	free(pic->police_where);
	for (i = 0; i < pic->n_police_types; i++)
		free(pic->police_types[i].type);
	free(pic->police_types);
	free(pic->label);
	free(pic->start);
	free(pic->end);
	free(pic);
}

/*
 * A new JSON string, or null for NULL. Text reaching here was checked
 * as UTF-8 when it was stored; should some not be, null is shown rather
 * than a broken document.
 */
static json_t *
jstr(const char *s)
{
	json_t *v;

	if (s == NULL || (v = json_string(s)) == NULL)
		return json_null();
	return v;
}

static json_t *
jscore(int v)
{
	return v == RATING_NONE ? json_null() : json_integer(v);
}

static json_t *
indicator_json(const struct picture *pic, const struct pic_ind *ind, size_t i)
{
	json_t *o = json_object();

	json_object_set_new(o, "key", jstr(pic->keys[i]));
	json_object_set_new(o, "score", jscore(ind->score));
	json_object_set_new(o, "mean",
	    ind->reports == 0 ? json_null() : json_real(mean_of(ind)));
	json_object_set_new(o, "reports", json_integer(ind->reports));
	json_object_set_new(o, "events",
	    ind->events < 0 ? json_null() : json_integer(ind->events));
	json_object_set_new(
	    o, "level", jstr(level_names[picture_score_level(ind->score)]));
	json_object_set_new(o, "trend", jstr(trend_names[trend_of(ind)]));
	json_object_set_new(o, "flagged", json_boolean(ind->flag != -1));
	return o;
}

static json_t *
area_json(
    const struct picture *pic, const struct pic_area *a, bool with_missing)
{
	json_t *o = json_object(), *arr, *item;
	size_t i;

	json_object_set_new(o, "area", jstr(a->slug));
	json_object_set_new(o, "name", jstr(a->name));
	json_object_set_new(o, "status", jstr(level_names[a->status]));
	if (a->set) {
		json_object_set_new(o, "status_set_by", jstr(a->set_by));
		json_object_set_new(o, "assessment", jstr(a->assessment));
		json_object_set_new(
		    o, "status_computed", jstr(level_names[a->computed]));
	}
	json_object_set_new(o, "reporters_expected", json_integer(a->expected));
	json_object_set_new(o, "reporters_reported", json_integer(a->reported));
	if (with_missing) {
		arr = json_array();
		for (i = 0; i < a->n_missing; i++) {
			item = json_object();
			json_object_set_new(
			    item, "name", jstr(a->missing[i].name));
			json_object_set_new(
			    item, "email", jstr(a->missing[i].email));
			json_array_append_new(arr, item);
		}
		json_object_set_new(o, "missing", arr);
	}
	arr = json_array();
	for (i = 0; i < pic->n_ind; i++)
		json_array_append_new(arr, indicator_json(pic, &a->ind[i], i));
	json_object_set_new(o, "indicators", arr);
	arr = json_array();
	for (i = 0; i < a->n_notes; i++) {
		item = json_object();
		json_object_set_new(item, "place", jstr(a->notes[i].place));
		json_object_set_new(item, "text", jstr(a->notes[i].text));
		json_array_append_new(arr, item);
	}
	json_object_set_new(o, "notes", arr);
	return o;
}

/* "police_events" (new reference). */
static json_t *
police_json(const struct picture *pic)
{
	json_t *o = json_object(), *arr, *item;
	size_t i;

	arr = json_array();
	for (i = 0; i < pic->n_police_where; i++)
		json_array_append_new(arr, jstr(pic->police_where[i]));
	json_object_set_new(o, "locations", arr);
	json_object_set_new(o, "total", json_integer(pic->police_total));
	arr = json_array();
	for (i = 0; i < pic->n_police_types; i++) {
		item = json_object();
		json_object_set_new(
		    item, "type", jstr(pic->police_types[i].type));
		json_object_set_new(
		    item, "count", json_integer(pic->police_types[i].count));
		json_array_append_new(arr, item);
	}
	json_object_set_new(o, "types", arr);
	json_object_set_new(o, "note", json_string(POLICE_NOTE_SV));
	json_object_set_new(o, "note_en", json_string(POLICE_NOTE_EN));
	return o;
}

json_t *
picture_to_json(const struct picture *pic, bool with_missing)
{
	json_t *doc = json_object(), *arr, *item;
	const struct pic_flag *f;
	size_t i;

	json_object_set_new(doc, "period", jstr(pic->label));
	json_object_set_new(doc, "start", jstr(pic->start));
	json_object_set_new(doc, "end", jstr(pic->end));
	arr = json_array();
	for (i = 0; i < pic->n_areas; i++)
		json_array_append_new(
		    arr, area_json(pic, &pic->areas[i], with_missing));
	json_object_set_new(doc, "areas", arr);
	arr = json_array();
	for (i = 0; i < pic->n_flags; i++) {
		f = &pic->flags[i];
		item = json_object();
		json_object_set_new(item, "area", jstr(f->area));
		json_object_set_new(item, "indicator", jstr(f->indicator));
		json_object_set_new(item, "opened", jstr(f->ep.opened));
		json_object_set_new(item, "reason", jstr(f->ep.reason_sv));
		json_object_set_new(item, "reason_en", jstr(f->ep.reason_en));
		if (f->ep.closed[0] != '\0') {
			json_object_set_new(
			    item, "status", json_string("closed"));
			json_object_set_new(item, "closed", jstr(f->ep.closed));
		} else
			json_object_set_new(
			    item, "status", json_string("open"));
		json_array_append_new(arr, item);
	}
	json_object_set_new(doc, "flags", arr);
	if (pic->police)
		json_object_set_new(doc, "police_events", police_json(pic));
	return doc;
}

/* "1,67": Swedish decimal comma. */
static void
format_mean(char *buf, size_t size, double mean)
{
	char *p;

	snprintf(buf, size, "%.2f", mean);
	if ((p = strchr(buf, '.')) != NULL)
		*p = ',';
}

/* The trend in words, Swedish: "upp från 1", "oförändrat", ... */
static void
format_trend(char *buf, size_t size, const struct pic_ind *ind)
{
	switch (trend_of(ind)) {
	case TREND_UP: snprintf(buf, size, "upp från %d", ind->prev); break;
	case TREND_DOWN: snprintf(buf, size, "ner från %d", ind->prev); break;
	case TREND_SAME: snprintf(buf, size, "oförändrat"); break;
	case TREND_NEW: snprintf(buf, size, "ej bedömt förra perioden"); break;
	case TREND_NONE: snprintf(buf, size, "ej bedömt denna period"); break;
	}
}

static const char *
plural(long n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* Text with each line after the first indented, so notes stay readable. */
static void
text_indented(struct buf *b, const char *s, const char *indent)
{
	for (; *s != '\0'; s++) {
		if (*s == '\r')
			continue;
		if (*s == '\n') {
			buf_puts(b, "\n");
			buf_puts(b, indent);
			continue;
		}
		buf_append(b, s, 1);
	}
}

static void
text_coverage(struct buf *b, const struct pic_area *a)
{
	if (a->expected == 0)
		buf_puts(b, "  Inga rapportörer är kopplade till området.\n");
	else
		buf_printf(b, "  %d av %d %s har rapporterat.\n", a->reported,
		    a->expected,
		    plural(a->expected, "rapportör", "rapportörer"));
}

static void
text_area(struct buf *b, const struct picture *pic, const struct pic_area *a,
    bool with_missing)
{
	const struct pic_ind *ind;
	const struct pic_flag *f;
	char trend[64], mean[32];
	size_t i, shown = 0;

	buf_printf(b, "%s: %s", a->name, level_sv[a->status]);
	if (a->set) {
		buf_puts(b, " (gemensam bedömning");
		if (a->set_by != NULL)
			buf_printf(b, " av %s", a->set_by);
		if (a->computed == PICTURE_GREY)
			buf_puts(b, "; inga bedömningar i rapporterna)");
		else
			buf_printf(
			    b, "; rapporterna ger %s)", level_sv[a->computed]);
	}
	buf_puts(b, "\n");
	if (a->set && a->assessment != NULL) {
		buf_puts(b, "  Bedömning: ");
		text_indented(b, a->assessment, "    ");
		buf_puts(b, "\n");
	}

	for (i = 0; i < pic->n_ind; i++) {
		ind = &a->ind[i];
		if (picture_score_level(ind->score) < PICTURE_YELLOW &&
		    ind->flag == -1)
			continue;
		shown++;
		format_trend(trend, sizeof(trend), ind);
		if (ind->score == RATING_NONE)
			buf_printf(b, "  %s: %s.", pic->names[i], trend);
		else {
			format_mean(mean, sizeof(mean), mean_of(ind));
			buf_printf(b, "  %s: %s (%d), %s. Medel %s i %d %s",
			    pic->names[i], rating_sv[ind->score], ind->score,
			    trend, mean, ind->reports,
			    plural(ind->reports, "rapport", "rapporter"));
			if (ind->events >= 0)
				buf_printf(b, ", %ld %s", ind->events,
				    plural(
					ind->events, "händelse", "händelser"));
			buf_puts(b, ".");
		}
		if (ind->flag != -1) {
			f = &pic->flags[ind->flag];
			buf_printf(b, " Kvarstående sedan %s (%s).",
			    f->ep.opened, f->ep.reason_sv);
		}
		buf_puts(b, "\n");
	}
	if (shown == 0) {
		if (a->computed == PICTURE_GREY)
			buf_puts(b, "  Inga bedömningar denna period.\n");
		else
			buf_puts(b, "  Inget i gult eller rött läge.\n");
	}

	if (a->n_notes > 0)
		buf_puts(b, "  Anteckningar:\n");
	for (i = 0; i < a->n_notes; i++) {
		buf_puts(b, "  - ");
		if (a->notes[i].place != NULL) {
			buf_puts(b, a->notes[i].place);
			if (a->notes[i].text != NULL)
				buf_puts(b, ": ");
		}
		if (a->notes[i].text != NULL)
			text_indented(b, a->notes[i].text, "    ");
		buf_puts(b, "\n");
	}

	text_coverage(b, a);
	if (with_missing && a->n_missing > 0) {
		buf_puts(b, "  Har inte rapporterat: ");
		for (i = 0; i < a->n_missing; i++)
			buf_printf(b, "%s%s <%s>", i > 0 ? ", " : "",
			    a->missing[i].name, a->missing[i].email);
		buf_puts(b, "\n");
	}
}

static const char *
area_name(const struct picture *pic, const struct pic_flag *f)
{
	return pic->areas[f->area_pos].name;
}

static const char *
indicator_name(const struct picture *pic, const struct pic_flag *f)
{
	return f->ind == -1 ? f->indicator : pic->names[f->ind];
}

/* "Örebro, Kumla" */
static void
police_where(struct buf *b, const struct picture *pic, bool html)
{
	for (size_t i = 0; i < pic->n_police_where; i++) {
		if (i > 0)
			buf_puts(b, ", ");
		if (html)
			buf_html(b, pic->police_where[i]);
		else
			buf_puts(b, pic->police_where[i]);
	}
}

static void
text_police(struct buf *b, const struct picture *pic)
{
	buf_puts(b, "\nPolisens händelsenotiser (");
	police_where(b, pic, false);
	if (pic->police_total == 0)
		buf_puts(b, "): inga denna period.\n");
	else
		buf_printf(b, "): %ld.\n", pic->police_total);
	for (size_t i = 0; i < pic->n_police_types; i++)
		buf_printf(b, "  %s: %ld\n", pic->police_types[i].type,
		    pic->police_types[i].count);
	buf_puts(b, "  " POLICE_NOTE_SV "\n");
}

char *
picture_to_text(const struct picture *pic, bool with_missing)
{
	struct buf b = {NULL, 0, 0};
	const struct pic_flag *f;
	size_t i;

	buf_printf(&b, "Lägesbild %s (%s " DASH " %s)\n", pic->label,
	    pic->start, pic->end);
	if (pic->n_areas == 0)
		buf_puts(&b, "\nInga områden.\n");
	for (i = 0; i < pic->n_areas; i++) {
		buf_puts(&b, "\n");
		text_area(&b, pic, &pic->areas[i], with_missing);
	}
	if (pic->n_flags > 0)
		buf_puts(&b, "\nKvarstående problem:\n");
	for (i = 0; i < pic->n_flags; i++) {
		f = &pic->flags[i];
		buf_printf(&b, "  %s, %s: sedan %s (%s)", area_name(pic, f),
		    indicator_name(pic, f), f->ep.opened, f->ep.reason_sv);
		if (f->ep.closed[0] != '\0')
			buf_printf(&b, ", avslutat %s", f->ep.closed);
		buf_puts(&b, "\n");
	}
	if (pic->police)
		text_police(&b, pic);
	return buf_take(&b, NULL);
}

/* Escaped text whose line breaks stay visible. */
static void
html_lines(struct buf *b, const char *s)
{
	char *line, *p, *next;

	line = xstrdup(s);
	for (p = line; p != NULL; p = next) {
		if ((next = strchr(p, '\n')) != NULL)
			*next++ = '\0';
		if (p != line)
			buf_puts(b, "<br>\n");
		if (*p != '\0' && p[strlen(p) - 1] == '\r')
			p[strlen(p) - 1] = '\0';
		buf_html(b, p);
	}
	free(line);
}

static void
html_area(struct buf *b, const struct picture *pic, const struct pic_area *a,
    bool with_missing)
{
	static const char *const heads[] = {"Högsta", "Medel", "Rapporter",
	    "Händelser", "Trend", "Kvarstående"};
	const struct pic_ind *ind;
	const struct pic_flag *f;
	char s[64];
	size_t i;

	buf_printf(
	    b, "<div class=\"area status-%s\">\n", level_names[a->status]);
	buf_puts(b, "<h3><span class=\"area-name\">");
	buf_html(b, a->name);
	buf_printf(b,
	    "</span> <span class=\"status status-%s\">%s</span>"
	    "</h3>\n",
	    level_names[a->status], level_sv[a->status]);
	if (a->set) {
		buf_puts(b, "<p class=\"assessment\">Gemensam bedömning");
		if (a->set_by != NULL) {
			buf_puts(b, " av ");
			buf_html(b, a->set_by);
		}
		if (a->assessment != NULL) {
			buf_puts(b, ": ");
			buf_html(b, a->assessment);
		}
		if (a->computed == PICTURE_GREY)
			buf_puts(b,
			    " <span class=\"computed\">(inga "
			    "bedömningar i rapporterna)</span></p>\n");
		else
			buf_printf(b,
			    " <span class=\"computed\">(rapporterna "
			    "ger %s)</span></p>\n",
			    level_sv[a->computed]);
	}

	buf_puts(b,
	    "<table class=\"indicators\">\n<thead><tr>"
	    "<th scope=\"col\">Punkt</th>");
	for (i = 0; i < sizeof(heads) / sizeof(heads[0]); i++)
		buf_printf(b, "<th scope=\"col\">%s</th>", heads[i]);
	buf_puts(b, "</tr></thead>\n<tbody>\n");
	for (i = 0; i < pic->n_ind; i++) {
		ind = &a->ind[i];
		buf_printf(b, "<tr class=\"level-%s%s\"><th scope=\"row\">",
		    level_names[picture_score_level(ind->score)],
		    ind->flag != -1 ? " flagged" : "");
		buf_html(b, pic->names[i]);
		buf_puts(b, "</th>");
		if (ind->score == RATING_NONE)
			buf_puts(b,
			    "<td class=\"score\">" DASH "</td>"
			    "<td class=\"mean\">" DASH "</td>");
		else {
			format_mean(s, sizeof(s), mean_of(ind));
			buf_printf(b,
			    "<td class=\"score\">%d</td>"
			    "<td class=\"mean\">%s</td>",
			    ind->score, s);
		}
		buf_printf(b, "<td class=\"reports\">%d</td>", ind->reports);
		if (ind->events < 0)
			buf_puts(b, "<td class=\"events\">" DASH "</td>");
		else
			buf_printf(
			    b, "<td class=\"events\">%ld</td>", ind->events);
		format_trend(s, sizeof(s), ind);
		buf_printf(b, "<td class=\"trend trend-%s\">%s</td>",
		    trend_names[trend_of(ind)], s);
		buf_puts(b, "<td class=\"flag\">");
		if (ind->flag != -1) {
			f = &pic->flags[ind->flag];
			buf_puts(b, "sedan ");
			buf_html(b, f->ep.opened);
			buf_puts(b, " (");
			buf_html(b, f->ep.reason_sv);
			buf_puts(b, ")");
		}
		buf_puts(b, "</td></tr>\n");
	}
	buf_puts(b, "</tbody>\n</table>\n");

	if (a->n_notes > 0) {
		buf_puts(b, "<ul class=\"notes\">\n");
		for (i = 0; i < a->n_notes; i++) {
			buf_puts(b, "<li>");
			if (a->notes[i].place != NULL) {
				buf_puts(b, "<span class=\"place\">");
				buf_html(b, a->notes[i].place);
				buf_puts(b, "</span>");
				if (a->notes[i].text != NULL)
					buf_puts(b, ": ");
			}
			if (a->notes[i].text != NULL) {
				buf_puts(b, "<span class=\"note\">");
				html_lines(b, a->notes[i].text);
				buf_puts(b, "</span>");
			}
			buf_puts(b, "</li>\n");
		}
		buf_puts(b, "</ul>\n");
	}

	buf_puts(b, "<p class=\"coverage\">");
	if (a->expected == 0)
		buf_puts(b, "Inga rapportörer är kopplade till området.");
	else
		buf_printf(b, "%d av %d %s har rapporterat.", a->reported,
		    a->expected,
		    plural(a->expected, "rapportör", "rapportörer"));
	buf_puts(b, "</p>\n");
	if (with_missing && a->n_missing > 0) {
		buf_puts(b, "<p class=\"missing\">Har inte rapporterat: ");
		for (i = 0; i < a->n_missing; i++) {
			if (i > 0)
				buf_puts(b, ", ");
			buf_puts(b, "<a href=\"mailto:");
			buf_html(b, a->missing[i].email);
			buf_puts(b, "\">");
			buf_html(b, a->missing[i].name);
			buf_puts(b, "</a>");
		}
		buf_puts(b, "</p>\n");
	}
	buf_puts(b, "</div>\n");
}

static void
html_police(struct buf *b, const struct picture *pic)
{
	buf_puts(b,
	    "<div class=\"police\">\n<h3>Polisens "
	    "händelsenotiser</h3>\n<p class=\"police-where\">");
	police_where(b, pic, true);
	if (pic->police_total == 0)
		buf_puts(b, ": inga denna period.</p>\n");
	else
		buf_printf(b, ": %ld.</p>\n", pic->police_total);
	if (pic->n_police_types > 0) {
		buf_puts(b,
		    "<table class=\"police-types\">\n<thead><tr>"
		    "<th scope=\"col\">Typ</th><th scope=\"col\">Antal</th>"
		    "</tr></thead>\n<tbody>\n");
		for (size_t i = 0; i < pic->n_police_types; i++) {
			buf_puts(b, "<tr><td>");
			buf_html(b, pic->police_types[i].type);
			buf_printf(b, "</td><td>%ld</td></tr>\n",
			    pic->police_types[i].count);
		}
		buf_puts(b, "</tbody>\n</table>\n");
	}
	buf_puts(b, "<p class=\"caveat\">" POLICE_NOTE_SV "</p>\n</div>\n");
}

char *
picture_to_html(const struct picture *pic, bool with_missing)
{
	struct buf b = {NULL, 0, 0};
	const struct pic_flag *f;
	size_t i;

	buf_puts(&b, "<div class=\"picture\">\n<h2>Lägesbild ");
	buf_html(&b, pic->label);
	buf_puts(&b, "</h2>\n<p class=\"period\">");
	buf_html(&b, pic->start);
	buf_puts(&b, " " DASH " ");
	buf_html(&b, pic->end);
	buf_puts(&b, "</p>\n");
	if (pic->n_areas == 0)
		buf_puts(&b, "<p class=\"empty\">Inga områden.</p>\n");
	for (i = 0; i < pic->n_areas; i++)
		html_area(&b, pic, &pic->areas[i], with_missing);

	if (pic->n_flags > 0) {
		buf_puts(&b,
		    "<h3>Kvarstående problem</h3>\n"
		    "<table class=\"flags\">\n<thead><tr>"
		    "<th scope=\"col\">Område</th><th scope=\"col\">Punkt</th>"
		    "<th scope=\"col\">Sedan</th><th scope=\"col\">Varför</th>"
		    "<th scope=\"col\">Avslutat</th></tr></thead>\n<tbody>\n");
		for (i = 0; i < pic->n_flags; i++) {
			f = &pic->flags[i];
			buf_printf(&b, "<tr class=\"flag-%s\"><td>",
			    f->ep.closed[0] != '\0' ? "closed" : "open");
			buf_html(&b, area_name(pic, f));
			buf_puts(&b, "</td><td>");
			buf_html(&b, indicator_name(pic, f));
			buf_puts(&b, "</td><td>");
			buf_html(&b, f->ep.opened);
			buf_puts(&b, "</td><td>");
			buf_html(&b, f->ep.reason_sv);
			buf_puts(&b, "</td><td>");
			if (f->ep.closed[0] != '\0')
				buf_html(&b, f->ep.closed);
			buf_puts(&b, "</td></tr>\n");
		}
		buf_puts(&b, "</tbody>\n</table>\n");
	}
	if (pic->police)
		html_police(&b, pic);
	buf_puts(&b, "</div>\n");
	return buf_take(&b, NULL);
}
