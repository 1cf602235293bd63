/*
 * gather: see gather.h.
 *
 * DESIGN. One function reads everything a picture needs, in the order
 * picture_compile wants it, and keeps what the picture does not copy
 * (flags with their ids, measures) for the pages that act on them. The
 * reports of every area are read at once and left for picture_compile to
 * narrow: one query instead of one per area, and the picture ignores
 * what is not among its areas by design.
 *
 * With [police] enabled, the police's notices dated in the period (from
 * local midnight of its first day to local midnight after its last) are
 * counted by type for the configured locations and go on the picture
 * beside the areas: every reader sees the same municipality-wide counts.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "clock.h"
#include "gather.h"
#include "police.h"
#include "xmalloc.h"

bool
gather_sees_all(const struct person *p)
{
	return p == NULL || p->all_areas || p->role == ROLE_STEERING ||
	    p->role == ROLE_ADMIN;
}

/* 1 if the slug is among the areas. */
static bool
in_areas(const struct area *areas, size_t n, const char *slug)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(areas[i].slug, slug) == 0)
			return true;
	return false;
}

int
gather_areas(
    struct store *s, const struct person *reader, struct area **out, size_t *n)
{
	struct area *all = NULL;
	size_t n_all = 0, i, kept = 0;

	*out = NULL;
	*n = 0;
	if (store_area_list(s, &all, &n_all) == -1)
		return -1;
	if (gather_sees_all(reader)) {
		*out = all;
		*n = n_all;
		return 0;
	}
	/* Keep the reader's in place; free the names of the others. */
	for (i = 0; i < n_all; i++) {
		if (store_person_has_area(reader, all[i].slug)) {
			if (kept != i) {
				all[kept] = all[i];
				all[i].name = NULL;
			}
			kept++;
		} else {
			free(all[i].name);
			all[i].name = NULL;
		}
	}
	/* The others' names are freed: store_areas_free(all, kept) is right. */
	*out = all;
	*n = kept;
	return 0;
}

int
gather_period(const struct conf *cf, const char *label, struct period *p)
{
	if (label == NULL || period_parse(label, p) == -1 ||
	    p->kind != PERIOD_WEEK)
		return -1;
	if (cf->cadence == CADENCE_FORTNIGHTLY &&
	    period_as_fortnight(p, cf->fortnight_start) == -1)
		return -1;
	return 0;
}

void
gather_current(const struct conf *cf, time_t now, struct period *p)
{
	period_of_day(clock_local_days(now), cf->cadence == CADENCE_FORTNIGHTLY,
	    cf->fortnight_start, p);
}

void
gather_latest(const struct conf *cf, time_t now, struct period *p)
{
	struct period cur;

	gather_current(cf, now, &cur);
	period_prev(&cur, cf->fortnight_start, p);
}

static void
format_day(long days, char out[16])
{
	struct civil c;

	period_civil_from_days(days, &c);
	snprintf(out, 16, "%04d-%02d-%02d", c.year, c.month, c.day);
}

void
gather_dates(
    const struct conf *cf, const struct period *p, char start[16], char end[16])
{
	format_day(period_first_day(p), start);
	format_day(period_last_day_parity(p, cf->fortnight_start), end);
}

void
gather_flag_episode(const struct flag_row *f, struct flags_episode *ep)
{
	memset(ep, 0, sizeof(*ep));
	period_format(&f->opened, ep->opened);
	if (!f->open)
		period_format(&f->closed, ep->closed);
	ep->why = FLAGS_WHY_CONSECUTIVE;
	snprintf(ep->reason_sv, sizeof(ep->reason_sv), "%s",
	    f->reason_sv != NULL ? f->reason_sv : "");
	snprintf(ep->reason_en, sizeof(ep->reason_en), "%s",
	    f->reason_en != NULL ? f->reason_en : "");
}

static enum picture_level
picture_level_of(enum level l)
{
	switch (l) {
	case LEVEL_GREEN: return PICTURE_GREEN;
	case LEVEL_YELLOW: return PICTURE_YELLOW;
	case LEVEL_RED: return PICTURE_RED;
	case LEVEL_GREY: break;
	}
	return PICTURE_GREY;
}

/*
 * Keep the flags of the areas that were open during p (see gather.h),
 * moving them to the front of the array; returns how many. A flag that
 * closed after p is marked open, as it stood in p. The rest are freed.
 */
static size_t
flags_of_period(struct flag_row *flags, size_t n, const struct period *p,
    const struct area *areas, size_t n_areas)
{
	long day = period_first_day(p);
	size_t i, kept = 0;
	bool keep;
	struct flag_row tmp;

	for (i = 0; i < n; i++) {
		keep = in_areas(areas, n_areas, flags[i].area) &&
		    period_first_day(&flags[i].opened) <= day &&
		    (flags[i].open ||
			period_first_day(&flags[i].closed) >= day);
		if (!keep)
			continue;
		if (!flags[i].open && period_first_day(&flags[i].closed) > day)
			flags[i].open = true;
		if (kept != i) {
			tmp = flags[kept];
			flags[kept] = flags[i];
			flags[i] = tmp;
		}
		kept++;
	}
	return kept;
}

/*
 * The first `kept` of n rows in a new array (store_flags_free); the
 * array given and the other rows are freed.
 */
static struct flag_row *
flags_keep(struct flag_row *rows, size_t kept, size_t n)
{
	struct flag_row *front = xcalloc(kept + 1, sizeof(*front));

	memcpy(front, rows, kept * sizeof(*rows));
	memmove(rows, rows + kept, (n - kept) * sizeof(*rows));
	store_flags_free(rows, n - kept);
	return front;
}

/* The same for measures (store_measures_free). */
static struct measure *
measures_keep(struct measure *rows, size_t kept, size_t n)
{
	struct measure *front = xcalloc(kept + 1, sizeof(*front));

	memcpy(front, rows, kept * sizeof(*rows));
	memmove(rows, rows + kept, (n - kept) * sizeof(*rows));
	store_measures_free(rows, n - kept);
	return front;
}

/* Keep the measures of the areas at the front; returns how many. */
static size_t
measures_of_areas(
    struct measure *m, size_t n, const struct area *areas, size_t n_areas)
{
	size_t i, kept = 0;
	struct measure tmp;

	for (i = 0; i < n; i++) {
		if (!in_areas(areas, n_areas, m[i].area))
			continue;
		if (kept != i) {
			tmp = m[kept];
			m[kept] = m[i];
			m[i] = tmp;
		}
		kept++;
	}
	return kept;
}

/* The police counts of a period; what they point to is freed by the caller. */
struct police_gathered {
	struct picture_police pp;
	char **where;
	size_t n_where;
	struct police_count *counts;
	size_t n_counts;
};

static int
gather_police(struct store *s, const struct conf *cf, const struct period *p,
    struct police_gathered *pg)
{
	struct police_notice *notices = NULL;
	size_t n = 0;
	time_t from, to;

	from = clock_local_instant(period_first_day(p), 0, 0);
	to = clock_local_instant(
	    period_last_day_parity(p, cf->fortnight_start) + 1, 0, 0);
	if (store_police_list(s, from, to, &notices, &n) == -1)
		return -1;
	pg->n_where = police_locations(cf->police_locations, &pg->where);
	pg->pp.total = police_count(
	    notices, n, pg->where, pg->n_where, &pg->counts, &pg->n_counts);
	pg->pp.locations = pg->where;
	pg->pp.n_locations = pg->n_where;
	pg->pp.counts = pg->counts;
	pg->pp.n_counts = pg->n_counts;
	police_notices_free(notices, n);
	return 0;
}

int
gather(struct store *s, const struct conf *cf, const struct period *p,
    const struct person *reader, struct gathered *g, char **cause)
{
	struct picture_input in;
	struct stored_report *reports = NULL, *previous = NULL;
	struct person *people = NULL;
	struct assessment *assessments = NULL;
	struct picture_flag *pflags = NULL;
	struct picture_status *statuses = NULL;
	struct flag_row *flags = NULL;
	struct measure *measures = NULL;
	struct police_gathered police;
	struct period prev;
	size_t n_reports = 0, n_previous = 0, n_people = 0;
	size_t n_assessments = 0, n_flags = 0, n_measures = 0;
	size_t i, n_shown_flags = 0, n_shown_measures = 0;
	const char *what = NULL;
	int rc = -1;

	memset(g, 0, sizeof(*g));
	memset(&police, 0, sizeof(police));
	g->period = *p;
	period_format(p, g->label);
	gather_dates(cf, p, g->start, g->end);
	period_prev(p, cf->fortnight_start, &prev);

	if (gather_areas(s, reader, &g->areas, &g->n_areas) == -1)
		what = "the areas";
	else if (store_report_list(
		     s, p, NULL, &cf->checklist, &reports, &n_reports) == -1)
		what = "the reports";
	else if (store_report_list(s, &prev, NULL, &cf->checklist, &previous,
		     &n_previous) == -1)
		what = "the previous period's reports";
	else if (store_person_list(s, &people, &n_people) == -1)
		what = "the people";
	else if (store_flag_list_during(s, p, &flags, &n_flags) == -1)
		what = "the flags";
	else if (store_assessment_list(s, p, &assessments, &n_assessments) ==
	    -1)
		what = "the assessments";
	else if (store_measure_list(s, p, NULL, &measures, &n_measures) == -1)
		what = "the measures";
	else if (cf->police_enabled && gather_police(s, cf, p, &police) == -1)
		what = "the police notices";
	if (what != NULL) {
		xasprintf(cause, "cannot read %s of %s", what, g->label);
		goto done;
	}

	n_shown_flags =
	    flags_of_period(flags, n_flags, p, g->areas, g->n_areas);
	n_shown_measures =
	    measures_of_areas(measures, n_measures, g->areas, g->n_areas);

	pflags = xcalloc(n_shown_flags + 1, sizeof(*pflags));
	for (i = 0; i < n_shown_flags; i++) {
		pflags[i].area = flags[i].area;
		pflags[i].indicator = flags[i].indicator;
		gather_flag_episode(&flags[i], &pflags[i].episode);
	}
	statuses = xcalloc(n_assessments + 1, sizeof(*statuses));
	for (i = 0; i < n_assessments; i++) {
		statuses[i].area = assessments[i].area;
		statuses[i].level = picture_level_of(assessments[i].status);
		statuses[i].comment = assessments[i].comment;
		statuses[i].set_by = assessments[i].by_name != NULL &&
			assessments[i].by_name[0] != '\0'
		    ? assessments[i].by_name
		    : assessments[i].by_email;
	}

	memset(&in, 0, sizeof(in));
	in.label = g->label;
	in.start = g->start;
	in.end = g->end;
	in.checklist = &cf->checklist;
	in.areas = g->areas;
	in.n_areas = g->n_areas;
	in.reports = reports;
	in.n_reports = n_reports;
	in.previous = previous;
	in.n_previous = n_previous;
	in.people = people;
	in.n_people = n_people;
	in.flags = pflags;
	in.n_flags = n_shown_flags;
	in.statuses = statuses;
	in.n_statuses = n_assessments;
	in.police = cf->police_enabled ? &police.pp : NULL;
	g->picture = picture_compile(&in);

	g->flags = flags_keep(flags, n_shown_flags, n_flags);
	g->n_flags = n_shown_flags;
	g->measures = measures_keep(measures, n_shown_measures, n_measures);
	g->n_measures = n_shown_measures;
	flags = NULL;
	n_flags = 0;
	measures = NULL;
	n_measures = 0;
	rc = 0;
done:
	store_flags_free(flags, n_flags);
	store_measures_free(measures, n_measures);
	free(pflags);
	free(statuses);
	store_stored_reports_free(reports, n_reports);
	store_stored_reports_free(previous, n_previous);
	store_people_free(people, n_people);
	store_assessments_free(assessments, n_assessments);
	police_locations_free(police.where, police.n_where);
	police_counts_free(police.counts, police.n_counts);
	return rc;
}

void
gather_clear(struct gathered *g)
{
	store_areas_free(g->areas, g->n_areas);
	store_flags_free(g->flags, g->n_flags);
	store_measures_free(g->measures, g->n_measures);
	picture_free(g->picture);
	memset(g, 0, sizeof(*g));
}

/*
 * A new JSON string, or null for NULL. Text from the store was checked
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
jtime(time_t t)
{
	char buf[40];

	clock_format_iso(t, buf, sizeof(buf));
	return json_string(buf);
}

/* Who acknowledged the flag, when and why: a new reference, or NULL. */
static json_t *
ack_json(const struct flag_row *f)
{
	json_t *ack;

	if (f->ack_by == NULL)
		return NULL;
	ack = json_object();
	json_object_set_new(ack, "by", jstr(f->ack_by));
	json_object_set_new(ack, "at", jtime(f->ack_at));
	json_object_set_new(ack, "comment", jstr(f->ack_comment));
	return ack;
}

/* One flag (new reference). */
static json_t *
flag_json(const struct flag_row *f)
{
	json_t *o = json_object(), *ack;
	char label[PERIOD_LABEL_MAX];

	json_object_set_new(o, "id", json_integer(f->id));
	json_object_set_new(o, "area", jstr(f->area));
	json_object_set_new(o, "indicator", jstr(f->indicator));
	period_format(&f->opened, label);
	json_object_set_new(o, "opened", jstr(label));
	json_object_set_new(o, "reason", jstr(f->reason_sv));
	json_object_set_new(o, "reason_en", jstr(f->reason_en));
	json_object_set_new(
	    o, "status", json_string(f->open ? "open" : "closed"));
	if (!f->open) {
		period_format(&f->closed, label);
		json_object_set_new(o, "closed", jstr(label));
	}
	if ((ack = ack_json(f)) != NULL)
		json_object_set_new(o, "acknowledged", ack);
	return o;
}

/* One measure (new reference). */
static json_t *
measure_json(const struct measure *m)
{
	json_t *o = json_object();
	char day[16];

	json_object_set_new(o, "id", json_integer(m->id));
	json_object_set_new(o, "indicator",
	    m->indicator[0] != '\0' ? jstr(m->indicator) : json_null());
	json_object_set_new(o, "what", jstr(m->what));
	json_object_set_new(o, "place", jstr(m->place));
	json_object_set_new(o, "who", jstr(m->who));
	if (m->follow_up >= 0) {
		format_day(m->follow_up, day);
		json_object_set_new(o, "follow_up", json_string(day));
	} else
		json_object_set_new(o, "follow_up", json_null());
	json_object_set_new(o, "by", jstr(m->by_email));
	json_object_set_new(o, "at", jtime(m->at));
	return o;
}

json_t *
gather_json(const struct gathered *g, bool with_missing)
{
	json_t *doc, *areas, *flags, *a, *f, *list, *ack;
	const char *slug, *ind, *opened;
	char label[PERIOD_LABEL_MAX];
	size_t i, j;

	doc = picture_to_json(g->picture, with_missing);
	areas = json_object_get(doc, "areas");
	for (i = 0; (a = json_array_get(areas, i)) != NULL; i++) {
		slug = json_string_value(json_object_get(a, "area"));
		list = json_array();
		for (j = 0; slug != NULL && j < g->n_measures; j++)
			if (strcmp(g->measures[j].area, slug) == 0)
				json_array_append_new(
				    list, measure_json(&g->measures[j]));
		json_object_set_new(a, "measures", list);
	}
	/* The picture knows a flag by (area, indicator, opened). */
	flags = json_object_get(doc, "flags");
	for (i = 0; (f = json_array_get(flags, i)) != NULL; i++) {
		slug = json_string_value(json_object_get(f, "area"));
		ind = json_string_value(json_object_get(f, "indicator"));
		opened = json_string_value(json_object_get(f, "opened"));
		for (j = 0; slug != NULL && ind != NULL && opened != NULL &&
		     j < g->n_flags;
		     j++) {
			period_format(&g->flags[j].opened, label);
			if (strcmp(g->flags[j].area, slug) != 0 ||
			    strcmp(g->flags[j].indicator, ind) != 0 ||
			    strcmp(label, opened) != 0)
				continue;
			json_object_set_new(
			    f, "id", json_integer(g->flags[j].id));
			if ((ack = ack_json(&g->flags[j])) != NULL)
				json_object_set_new(f, "acknowledged", ack);
			break;
		}
	}
	return doc;
}

int
gather_flags(struct store *s, const struct person *reader, bool include_closed,
    struct flag_row **out, size_t *n)
{
	struct area *areas = NULL;
	size_t n_areas = 0, i, kept = 0;
	struct flag_row tmp;

	*out = NULL;
	*n = 0;
	if (store_flag_list(s, include_closed, out, n) == -1)
		return -1;
	if (gather_sees_all(reader))
		return 0;
	if (gather_areas(s, reader, &areas, &n_areas) == -1) {
		store_flags_free(*out, *n);
		*out = NULL;
		*n = 0;
		return -1;
	}
	/* The others go to the back and are freed there. */
	for (i = 0; i < *n; i++) {
		if (!in_areas(areas, n_areas, (*out)[i].area))
			continue;
		if (kept != i) {
			tmp = (*out)[kept];
			(*out)[kept] = (*out)[i];
			(*out)[i] = tmp;
		}
		kept++;
	}
	store_areas_free(areas, n_areas);
	*out = flags_keep(*out, kept, *n);
	*n = kept;
	return 0;
}

json_t *
gather_flags_json(const struct flag_row *flags, size_t n)
{
	json_t *list = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(list, flag_json(&flags[i]));
	return json_pack("{s:o}", "flags", list);
}
