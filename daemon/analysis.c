/*
 * analysis: compile the figures of a quarter, tertial or year and render
 * them (see analysis.h for the figures and the ranking rule).
 *
 * DESIGN: analysis_compile() places every score in its reporting period
 * once, in a table sorted by area, indicator and day that later steps
 * search, and works out every figure into a private struct that owns
 * copies of what it shows. The renderings only format that struct, so
 * JSON, CSV, pages and charts cannot disagree. Figures are kept as
 * integer sums (periods assessed, sum of scores, periods elevated) and
 * divided only on the way out, so a span without data stays apart from
 * a span of zeros until it becomes null or an empty field.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "analysis.h"
#include "buf.h"
#include "conf.h"
#include "csv.h"
#include "period.h"
#include "picture.h"
#include "report.h"
#include "store.h"
#include "xmalloc.h"

#define EN_DASH "\u2013"

/* Chart geometry: the plot spans X0-X1, score s sits at Y0 - s * YSTEP. */
#define CHART_W 320
#define CHART_H 140
#define CHART_X0 30.0
#define CHART_X1 310.0
#define CHART_Y0 110.0
#define CHART_YSTEP 30.0

/* What a span of periods says about one (area, indicator) pair. */
struct fig {
	int assessed; /* periods with a score */
	int sum; /* of those scores */
	int elevated; /* of those, at or above the level */
};

struct an_ind {
	int *scores; /* one per period, or RATING_NONE */
	struct fig cur;
	struct fig prev;
	struct fig last_year;
	bool has_trend;
	double trend;
	bool flagged;
};

struct an_area {
	char *slug;
	char *name;
	struct an_ind *ind; /* one per indicator */
	enum picture_level *status; /* one per period */
	bool *set; /* one per period */
	int counts[PICTURE_RED + 1];
	bool has_cov;
	long expected;
	long reported;
	int periods_short;
	int flags_end; /* open at the end */
	int flags_opened; /* opened in the analysis */
	long need; /* times max(n_ind, 1) */
	bool has_means;
	double mean_of_means;
	int rank;
};

struct an_flag {
	size_t area;
	long ind; /* checklist index, or -1 */
	char *indicator;
	char opened[PERIOD_LABEL_MAX];
	char closed[PERIOD_LABEL_MAX]; /* "" while open */
	long opened_day;
	bool open_at_end;
	bool opened_in;
	char *reason_sv; /* NULL when none */
	char *reason_en;
	char *comment;
	int earlier;
	int rank; /* of its area, for sorting */
	size_t seq;
};

struct an_measure {
	long long id;
	size_t area;
	char *indicator; /* NULL when the area as a whole */
	char period[PERIOD_LABEL_MAX];
	long day;
	char *what;
	char *place;
	char *who;
	long follow_up; /* day, or -1 */
	struct fig before;
	struct fig after;
	bool has_flag;
	char flag_opened[PERIOD_LABEL_MAX];
	char flag_closed[PERIOD_LABEL_MAX]; /* "" while open */
	char *flag_reason;
	int rank; /* of its area, for sorting */
	size_t seq;
};

/* One score placed in its reporting period. */
struct cell {
	size_t area;
	size_t ind;
	long day; /* first day of the reporting period */
	int score;
};

struct analysis {
	struct period period;
	char label[PERIOD_LABEL_MAX];
	char prev_label[PERIOD_LABEL_MAX];
	char last_year_label[PERIOD_LABEL_MAX];
	int level;
	bool fortnightly;
	enum fortnight_parity parity;
	size_t n_periods;
	struct period periods[ANALYSIS_PERIODS_MAX];
	long days[ANALYSIS_PERIODS_MAX];
	char labels[ANALYSIS_PERIODS_MAX][PERIOD_LABEL_MAX];
	const char *label_ptrs[ANALYSIS_PERIODS_MAX];
	size_t n_ind;
	char **keys;
	char **names; /* Swedish, or the key */
	struct an_area *areas; /* input order */
	size_t n_areas;
	size_t *order; /* area indices by rank */
	struct an_flag *flags;
	size_t n_flags;
	struct an_measure *measures;
	size_t n_measures;
	struct cell *cells; /* sorted: area, ind, day */
	size_t n_cells;
};

static char *
dup_or_null(const char *s)
{
	return s == NULL ? NULL : xstrdup(s);
}

/* A key function's status; grey (nothing assessed) is no assessment. */
static bool
assessed_level(enum level l, enum picture_level *out)
{
	switch (l) {
	case LEVEL_GREEN: *out = PICTURE_GREEN; return true;
	case LEVEL_YELLOW: *out = PICTURE_YELLOW; return true;
	case LEVEL_RED: *out = PICTURE_RED; return true;
	case LEVEL_GREY:
	default: return false;
	}
}

/* Rounded to 2 decimals; adding 0.0 turns -0.0 into 0.0 for output. */
static double
round2(double v)
{
	return round(v * 100.0) / 100.0 + 0.0;
}

static double
fig_mean(const struct fig *f)
{
	return round2((double)f->sum / f->assessed);
}

static void
fig_add(struct fig *f, int score, int level)
{
	if (score == RATING_NONE)
		return;
	f->assessed++;
	f->sum += score;
	if (score >= level)
		f->elevated++;
}

static bool
is_span(const struct period *p)
{
	return p->kind == PERIOD_QUARTER || p->kind == PERIOD_TERTIAL ||
	    p->kind == PERIOD_YEAR;
}

void
analysis_input_init(
    struct analysis_input *in, const struct conf *conf, const struct period *p)
{
	memset(in, 0, sizeof(*in));
	in->period = *p;
	in->flag_level = conf->flag_level;
	in->fortnightly = conf->cadence == CADENCE_FORTNIGHTLY;
	in->parity = conf->fortnight_start;
	in->checklist = &conf->checklist;
}

size_t
analysis_periods(const struct period *span, bool fortnightly,
    enum fortnight_parity parity, struct period out[ANALYSIS_PERIODS_MAX])
{
	struct period p, c;
	size_t n = 0;

	if (!is_span(span))
		return 0;
	period_of_day(period_first_day(span), fortnightly, parity, &p);
	/* A fortnight begun in the span before belongs to that one. */
	period_container(&p, span->kind, &c);
	if (period_cmp(&c, span) != 0)
		period_next(&p, parity, &p);
	for (;;) {
		period_container(&p, span->kind, &c);
		if (period_cmp(&c, span) != 0 || n == ANALYSIS_PERIODS_MAX)
			break;
		out[n++] = p;
		period_next(&p, parity, &p);
	}
	return n;
}

/* The same quarter or tertial a year earlier; the year before. */
static void
same_last_year(const struct period *p, struct period *out)
{
	*out = *p;
	out->year--;
}

int
analysis_score_span(
    const struct analysis_input *in, struct period *from, struct period *to)
{
	struct period ly, list[ANALYSIS_PERIODS_MAX];
	size_t n;

	if (!is_span(&in->period))
		return -1;
	/*
	 * Last year's span starts no later than the previous one, and the
	 * window before a measure reaches back no further than that.
	 */
	same_last_year(&in->period, &ly);
	if ((n = analysis_periods(&ly, in->fortnightly, in->parity, list)) == 0)
		return -1;
	*from = list[0];
	if ((n = analysis_periods(
		 &in->period, in->fortnightly, in->parity, list)) == 0)
		return -1;
	*to = list[n - 1];
	return 0;
}

/*
 * First day of the reporting period that holds the first day of p (a
 * week or fortnight), so a week label counts for its fortnight. -1 for
 * anything else.
 */
static int
reporting_day(const struct analysis *an, const struct period *p, long *day)
{
	struct period rp;

	if ((p->kind != PERIOD_WEEK && p->kind != PERIOD_FORTNIGHT) ||
	    p->num < 1 || p->num > period_weeks_in_year(p->year))
		return -1;
	period_of_day(period_first_day(p), an->fortnightly, an->parity, &rp);
	*day = period_first_day(&rp);
	return 0;
}

static long
period_index(const struct analysis *an, long day)
{
	size_t i;

	for (i = 0; i < an->n_periods; i++)
		if (an->days[i] == day)
			return (long)i;
	return -1;
}

static long
area_index(const struct analysis *an, const char *slug)
{
	size_t i;

	for (i = 0; i < an->n_areas; i++)
		if (strcmp(an->areas[i].slug, slug) == 0)
			return (long)i;
	return -1;
}

/*
 * As area_index, trying *hint first: the score rows arrive sorted by
 * area, so the area of the row before is nearly always right.
 */
static long
area_index_hint(const struct analysis *an, const char *slug, long *hint)
{
	if (*hint >= 0 && (size_t)*hint < an->n_areas &&
	    strcmp(an->areas[*hint].slug, slug) == 0)
		return *hint;
	return *hint = area_index(an, slug);
}

static long
indicator_index(const struct analysis *an, const char *key)
{
	size_t i;

	for (i = 0; i < an->n_ind; i++)
		if (strcmp(an->keys[i], key) == 0)
			return (long)i;
	return -1;
}

static int
cell_cmp(const void *va, const void *vb)
{
	const struct cell *a = va, *b = vb;

	if (a->area != b->area)
		return a->area < b->area ? -1 : 1;
	if (a->ind != b->ind)
		return a->ind < b->ind ? -1 : 1;
	if (a->day != b->day)
		return a->day < b->day ? -1 : 1;
	return 0;
}

/*
 * The score table. Rows naming the same pair and reporting period (a
 * week and its fortnight) merge into the highest, as one period's
 * score is the highest rating.
 */
static void
place_scores(struct analysis *an, const struct analysis_input *in)
{
	const struct score_row *r;
	struct cell *c;
	size_t i, n;
	long ai, ii, day, hint = -1;

	an->cells = xcalloc(in->n_scores + 1, sizeof(*an->cells));
	for (i = 0; i < in->n_scores; i++) {
		r = &in->scores[i];
		if (r->score < 0 || r->score > RATING_MAX ||
		    (ai = area_index_hint(an, r->area, &hint)) == -1 ||
		    (ii = indicator_index(an, r->indicator)) == -1 ||
		    reporting_day(an, &r->period, &day) == -1)
			continue;
		c = &an->cells[an->n_cells++];
		c->area = (size_t)ai;
		c->ind = (size_t)ii;
		c->day = day;
		c->score = r->score;
	}
	qsort(an->cells, an->n_cells, sizeof(*an->cells), cell_cmp);
	for (i = 0, n = 0; i < an->n_cells; i++) {
		if (n > 0 && cell_cmp(&an->cells[n - 1], &an->cells[i]) == 0) {
			if (an->cells[i].score > an->cells[n - 1].score)
				an->cells[n - 1].score = an->cells[i].score;
			continue;
		}
		an->cells[n++] = an->cells[i];
	}
	an->n_cells = n;
}

static int
score_at(const struct analysis *an, size_t area, size_t ind, long day)
{
	struct cell key, *c;

	key.area = area;
	key.ind = ind;
	key.day = day;
	key.score = RATING_NONE;
	c = bsearch(&key, an->cells, an->n_cells, sizeof(*an->cells), cell_cmp);
	return c == NULL ? RATING_NONE : c->score;
}

/* The pair's score, or with ind -1 the area's worst indicator score. */
static int
value_at(const struct analysis *an, size_t area, long ind, long day)
{
	size_t i;
	int v, worst = RATING_NONE;

	if (ind >= 0)
		return score_at(an, area, (size_t)ind, day);
	for (i = 0; i < an->n_ind; i++)
		if ((v = score_at(an, area, i, day)) > worst)
			worst = v;
	return worst;
}

/* Least-squares slope of score against position, over assessed ones. */
static void
trend_of(const struct analysis *an, struct an_ind *ind)
{
	long n = 0, sx = 0, sy = 0, sxy = 0, sxx = 0, den;
	size_t i;
	int y;

	for (i = 0; i < an->n_periods; i++) {
		if ((y = ind->scores[i]) == RATING_NONE)
			continue;
		n++;
		sx += (long)i;
		sy += y;
		sxy += (long)i * y;
		sxx += (long)i * (long)i;
	}
	/* Distinct positions: with two or more points den > 0. */
	if (n < 2 || (den = n * sxx - sx * sx) <= 0)
		return;
	ind->has_trend = true;
	ind->trend = round2((double)(n * sxy - sx * sy) / (double)den);
}

/* The figures of a whole other span (previous, last year) for a pair. */
static void
span_fig(const struct analysis *an, const struct period *list, size_t n,
    size_t area, size_t ind, struct fig *f)
{
	size_t i;

	for (i = 0; i < n; i++)
		fig_add(f, score_at(an, area, ind, period_first_day(&list[i])),
		    an->level);
}

static void
compile_figures(struct analysis *an)
{
	struct period prev, ly;
	struct period prev_list[ANALYSIS_PERIODS_MAX];
	struct period ly_list[ANALYSIS_PERIODS_MAX];
	size_t n_prev, n_ly, i, j, k;
	struct an_area *a;
	struct an_ind *ind;
	int v;
	enum picture_level l;

	period_prev(&an->period, an->parity, &prev);
	same_last_year(&an->period, &ly);
	period_format(&prev, an->prev_label);
	period_format(&ly, an->last_year_label);
	n_prev =
	    analysis_periods(&prev, an->fortnightly, an->parity, prev_list);
	n_ly = analysis_periods(&ly, an->fortnightly, an->parity, ly_list);

	for (i = 0; i < an->n_areas; i++) {
		a = &an->areas[i];
		for (j = 0; j < an->n_ind; j++) {
			ind = &a->ind[j];
			for (k = 0; k < an->n_periods; k++) {
				v = score_at(an, i, j, an->days[k]);
				ind->scores[k] = v;
				fig_add(&ind->cur, v, an->level);
			}
			span_fig(an, prev_list, n_prev, i, j, &ind->prev);
			span_fig(an, ly_list, n_ly, i, j, &ind->last_year);
			trend_of(an, ind);
		}
		for (k = 0; k < an->n_periods; k++) {
			if (a->set[k])
				continue;
			a->status[k] = PICTURE_GREY;
			for (j = 0; j < an->n_ind; j++) {
				l = picture_score_level(a->ind[j].scores[k]);
				if (l > a->status[k])
					a->status[k] = l;
			}
		}
	}
}

static void
apply_assessments(struct analysis *an, const struct analysis_input *in)
{
	const struct assessment *as;
	enum picture_level l;
	long ai, k, day;
	size_t i;

	for (i = 0; i < in->n_assessments; i++) {
		as = &in->assessments[i];
		if (!assessed_level(as->status, &l) ||
		    (ai = area_index(an, as->area)) == -1 ||
		    reporting_day(an, &as->period, &day) == -1 ||
		    (k = period_index(an, day)) == -1)
			continue;
		an->areas[ai].status[k] = l;
		an->areas[ai].set[k] = true;
	}
}

static void
apply_coverage(struct analysis *an, const struct analysis_input *in)
{
	const struct analysis_coverage *c;
	struct an_area *a;
	long ai, day;
	size_t i;

	for (i = 0; i < in->n_coverage; i++) {
		c = &in->coverage[i];
		if (c->area == NULL || (ai = area_index(an, c->area)) == -1 ||
		    reporting_day(an, &c->period, &day) == -1 ||
		    period_index(an, day) == -1)
			continue;
		a = &an->areas[ai];
		a->has_cov = true;
		a->expected += c->expected;
		a->reported += c->reported;
		if (c->reported < c->expected)
			a->periods_short++;
	}
}

/* Where a flag row lies in reporting periods; -1 if it names none. */
static int
flag_days(const struct analysis *an, const struct flag_row *f, long *opened,
    long *closed)
{
	if (reporting_day(an, &f->opened, opened) == -1)
		return -1;
	*closed = 0;
	if (!f->open && reporting_day(an, &f->closed, closed) == -1)
		return -1;
	return 0;
}

static void
collect_flags(struct analysis *an, const struct analysis_input *in)
{
	const struct flag_row *f, *g;
	struct an_flag *af;
	long ai, opened, closed, o2, c2;
	long first = an->days[0];
	long last = an->days[an->n_periods - 1];
	size_t i, j;

	an->flags = xcalloc(in->n_flags + 1, sizeof(*an->flags));
	for (i = 0; i < in->n_flags; i++) {
		f = &in->flags[i];
		if ((ai = area_index(an, f->area)) == -1 ||
		    flag_days(an, f, &opened, &closed) == -1)
			continue;
		/* Open at some time in the analysis. */
		if (opened > last || (!f->open && closed < first))
			continue;
		af = &an->flags[an->n_flags++];
		af->area = (size_t)ai;
		af->ind = indicator_index(an, f->indicator);
		af->indicator = xstrdup(f->indicator);
		period_format(&f->opened, af->opened);
		if (!f->open)
			period_format(&f->closed, af->closed);
		af->opened_day = opened;
		af->open_at_end = f->open || closed > last;
		af->opened_in = opened >= first;
		af->reason_sv = dup_or_null(f->reason_sv);
		af->reason_en = dup_or_null(f->reason_en);
		af->comment = dup_or_null(f->ack_comment);
		af->seq = i;
		for (j = 0; j < in->n_flags; j++) {
			g = &in->flags[j];
			if (j != i && strcmp(g->area, f->area) == 0 &&
			    strcmp(g->indicator, f->indicator) == 0 &&
			    flag_days(an, g, &o2, &c2) == 0 && o2 < opened)
				af->earlier++;
		}
		if (af->open_at_end)
			an->areas[ai].flags_end++;
		if (af->opened_in)
			an->areas[ai].flags_opened++;
		if (af->ind != -1)
			an->areas[ai].ind[af->ind].flagged = true;
	}
}

/*
 * The flag of (area, indicator) open when a measure was decided in the
 * period starting `day`: opened by then and not closed by it. The latest
 * such episode if the history holds more than one.
 */
static const struct flag_row *
addressed_flag(const struct analysis *an, const struct analysis_input *in,
    const char *area, const char *indicator, long day)
{
	const struct flag_row *f, *best = NULL;
	long opened, closed, best_opened = 0;
	size_t i;

	for (i = 0; i < in->n_flags; i++) {
		f = &in->flags[i];
		if (strcmp(f->area, area) != 0 ||
		    strcmp(f->indicator, indicator) != 0 ||
		    flag_days(an, f, &opened, &closed) == -1)
			continue;
		if (opened > day || (!f->open && closed <= day))
			continue;
		if (best == NULL || opened > best_opened) {
			best = f;
			best_opened = opened;
		}
	}
	return best;
}

static void
measure_windows(const struct analysis *an, struct an_measure *am,
    const struct period *decided, long ind)
{
	struct period p;
	long last = an->days[an->n_periods - 1], day;
	int k;

	p = *decided;
	for (k = 0; k < ANALYSIS_MEASURE_WINDOW; k++) {
		fig_add(&am->before,
		    value_at(an, am->area, ind, period_first_day(&p)),
		    an->level);
		period_prev(&p, an->parity, &p);
	}
	p = *decided;
	for (k = 0; k < ANALYSIS_MEASURE_WINDOW; k++) {
		period_next(&p, an->parity, &p);
		if ((day = period_first_day(&p)) > last)
			break;
		fig_add(
		    &am->after, value_at(an, am->area, ind, day), an->level);
	}
}

static void
collect_measures(struct analysis *an, const struct analysis_input *in)
{
	const struct measure *m;
	const struct flag_row *f;
	struct an_measure *am;
	struct period decided;
	long ai, ind, day;
	size_t i;

	an->measures = xcalloc(in->n_measures + 1, sizeof(*an->measures));
	for (i = 0; i < in->n_measures; i++) {
		m = &in->measures[i];
		if ((ai = area_index(an, m->area)) == -1 ||
		    reporting_day(an, &m->period, &day) == -1 ||
		    period_index(an, day) == -1)
			continue;
		period_of_day(day, an->fortnightly, an->parity, &decided);
		am = &an->measures[an->n_measures++];
		am->id = m->id;
		am->area = (size_t)ai;
		am->day = day;
		am->seq = i;
		period_format(&m->period, am->period);
		am->what = xstrdup(m->what != NULL ? m->what : "");
		am->place = dup_or_null(m->place);
		am->who = dup_or_null(m->who);
		am->follow_up = m->follow_up;
		ind = -1;
		if (m->indicator[0] != '\0') {
			am->indicator = xstrdup(m->indicator);
			/* A key no longer in the checklist has no scores. */
			if ((ind = indicator_index(an, m->indicator)) == -1)
				continue;
		}
		measure_windows(an, am, &decided, ind);
		if (am->indicator == NULL ||
		    (f = addressed_flag(an, in, m->area, m->indicator, day)) ==
			NULL)
			continue;
		am->has_flag = true;
		period_format(&f->opened, am->flag_opened);
		if (!f->open)
			period_format(&f->closed, am->flag_closed);
		am->flag_reason = dup_or_null(f->reason_sv);
	}
}

/* The rule of analysis.h, in integers scaled by the indicator count. */
static void
compute_need(struct analysis *an, struct an_area *a)
{
	long scale = an->n_ind > 0 ? (long)an->n_ind : 1;
	long elevated = 0;
	double means = 0;
	int n_means = 0;
	size_t j;

	for (j = 0; j < an->n_ind; j++) {
		elevated += a->ind[j].cur.elevated;
		if (a->ind[j].cur.assessed > 0) {
			means +=
			    (double)a->ind[j].cur.sum / a->ind[j].cur.assessed;
			n_means++;
		}
	}
	for (j = 0; j < an->n_periods; j++)
		a->counts[a->status[j]]++;
	a->need = (3L * a->counts[PICTURE_RED] + a->counts[PICTURE_YELLOW] +
		      4L * a->flags_end + 2L * a->flags_opened) *
		scale +
	    elevated;
	a->has_means = n_means > 0;
	a->mean_of_means = n_means > 0 ? means / n_means : 0;
}

static int
need_cmp(const struct an_area *a, const struct an_area *b)
{
	int c;

	if (a->need != b->need)
		return a->need > b->need ? -1 : 1;
	if (a->has_means != b->has_means)
		return a->has_means ? -1 : 1;
	if (a->mean_of_means > b->mean_of_means)
		return -1;
	if (a->mean_of_means < b->mean_of_means)
		return 1;
	if ((c = picture_name_cmp(a->name, b->name)) != 0)
		return c;
	return strcmp(a->slug, b->slug);
}

static void
rank_areas(struct analysis *an)
{
	size_t i, j, k;

	an->order = xcalloc(an->n_areas + 1, sizeof(*an->order));
	/* Insertion sort: a few dozen areas, and no context for qsort. */
	for (i = 0; i < an->n_areas; i++) {
		for (j = i; j > 0 &&
		     need_cmp(&an->areas[i], &an->areas[an->order[j - 1]]) < 0;
		     j--)
			an->order[j] = an->order[j - 1];
		an->order[j] = i;
	}
	for (k = 0; k < an->n_areas; k++)
		an->areas[an->order[k]].rank = (int)k + 1;
}

static int
flag_cmp(const void *va, const void *vb)
{
	const struct an_flag *a = va, *b = vb;
	unsigned long ia = (unsigned long)a->ind;
	unsigned long ib = (unsigned long)b->ind;

	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	/* Unknown indicators (-1) become the largest and go last. */
	if (ia != ib)
		return ia < ib ? -1 : 1;
	if (a->opened_day != b->opened_day)
		return a->opened_day < b->opened_day ? -1 : 1;
	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	return 0;
}

static int
measure_cmp(const void *va, const void *vb)
{
	const struct an_measure *a = va, *b = vb;

	if (a->day != b->day)
		return a->day < b->day ? -1 : 1;
	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	return 0;
}

static void
init_areas(struct analysis *an, const struct analysis_input *in)
{
	struct an_area *a;
	size_t i, j;

	an->areas = xcalloc(in->n_areas + 1, sizeof(*an->areas));
	for (i = 0; i < in->n_areas; i++) {
		/* A slug given twice would split its figures: keep one. */
		if (area_index(an, in->areas[i].slug) != -1)
			continue;
		a = &an->areas[an->n_areas++];
		a->slug = xstrdup(in->areas[i].slug);
		a->name =
		    xstrdup(in->areas[i].name != NULL ? in->areas[i].name
						      : in->areas[i].slug);
		a->ind = xcalloc(an->n_ind + 1, sizeof(*a->ind));
		for (j = 0; j < an->n_ind; j++)
			a->ind[j].scores =
			    xcalloc(an->n_periods, sizeof(*a->ind[j].scores));
		a->status = xcalloc(an->n_periods, sizeof(*a->status));
		a->set = xcalloc(an->n_periods, sizeof(*a->set));
	}
}

struct analysis *
analysis_compile(const struct analysis_input *in, char **cause)
{
	struct analysis *an;
	char label[PERIOD_LABEL_MAX];
	size_t i, n_ind;

	if (!is_span(&in->period)) {
		period_format(&in->period, label);
		xasprintf(cause, "%s is not a quarter, tertial or year", label);
		return NULL;
	}
	if (in->flag_level < 1 || in->flag_level > RATING_MAX) {
		xasprintf(cause, "flag level %d is outside 1-%d",
		    in->flag_level, RATING_MAX);
		return NULL;
	}

	an = xcalloc(1, sizeof(*an));
	an->period = in->period;
	period_format(&in->period, an->label);
	an->level = in->flag_level;
	an->fortnightly = in->fortnightly;
	an->parity = in->parity;
	an->n_periods = analysis_periods(
	    &in->period, in->fortnightly, in->parity, an->periods);
	for (i = 0; i < an->n_periods; i++) {
		an->days[i] = period_first_day(&an->periods[i]);
		period_format(&an->periods[i], an->labels[i]);
		an->label_ptrs[i] = an->labels[i];
	}

	n_ind = in->checklist != NULL ? in->checklist->n : 0;
	if (n_ind > INDICATORS_MAX)
		n_ind = INDICATORS_MAX;
	an->n_ind = n_ind;
	an->keys = xcalloc(n_ind + 1, sizeof(*an->keys));
	an->names = xcalloc(n_ind + 1, sizeof(*an->names));
	for (i = 0; i < n_ind; i++) {
		an->keys[i] = xstrdup(in->checklist->items[i].key);
		an->names[i] = xstrdup(in->checklist->items[i].sv != NULL
			? in->checklist->items[i].sv
			: in->checklist->items[i].key);
	}

	init_areas(an, in);
	place_scores(an, in);
	apply_assessments(an, in);
	compile_figures(an);
	apply_coverage(an, in);
	collect_flags(an, in);
	collect_measures(an, in);
	for (i = 0; i < an->n_areas; i++)
		compute_need(an, &an->areas[i]);
	rank_areas(an);
	/* The comparators see the rank through a copy (qsort has no
	 * context argument, and a global would not be thread-safe). */
	for (i = 0; i < an->n_flags; i++)
		an->flags[i].rank = an->areas[an->flags[i].area].rank;
	for (i = 0; i < an->n_measures; i++)
		an->measures[i].rank = an->areas[an->measures[i].area].rank;
	qsort(an->flags, an->n_flags, sizeof(*an->flags), flag_cmp);
	qsort(an->measures, an->n_measures, sizeof(*an->measures), measure_cmp);
	return an;
}

void
analysis_free(struct analysis *an)
{
	struct an_area *a;
	size_t i, j;

	if (an == NULL)
		return;
	for (i = 0; i < an->n_areas; i++) {
		a = &an->areas[i];
		for (j = 0; j < an->n_ind; j++)
			free(a->ind[j].scores);
		free(a->ind);
		free(a->status);
		free(a->set);
		free(a->slug);
		free(a->name);
	}
	free(an->areas);
	free(an->order);
	for (i = 0; i < an->n_flags; i++) {
		free(an->flags[i].indicator);
		free(an->flags[i].reason_sv);
		free(an->flags[i].reason_en);
		free(an->flags[i].comment);
	}
	free(an->flags);
	for (i = 0; i < an->n_measures; i++) {
		free(an->measures[i].indicator);
		free(an->measures[i].what);
		free(an->measures[i].place);
		free(an->measures[i].who);
		free(an->measures[i].flag_reason);
	}
	free(an->measures);
	for (i = 0; i < an->n_ind; i++) {
		free(an->keys[i]);
		free(an->names[i]);
	}
	free(an->keys);
	free(an->names);
	free(an->cells);
	free(an);
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

/* A label, or null when empty. */
static json_t *
jlabel(const char *s)
{
	return s[0] == '\0' ? json_null() : jstr(s);
}

static json_t *
jmean(const struct fig *f)
{
	return f->assessed == 0 ? json_null() : json_real(fig_mean(f));
}

static json_t *
jelevated(const struct fig *f)
{
	return f->assessed == 0 ? json_null() : json_integer(f->elevated);
}

static void
format_date(long day, char *buf, size_t size)
{
	struct civil c;

	period_civil_from_days(day, &c);
	snprintf(buf, size, "%04d-%02d-%02d", c.year, c.month, c.day);
}

/*
 * Up to three indicators with the highest mean score above 0 (exact
 * means compared, then periods elevated, then checklist order).
 */
static size_t
top_indicators(
    const struct analysis *an, const struct an_area *a, size_t top[3])
{
	const struct fig *f, *g;
	size_t n = 0, i, j;
	long lf, lg;

	for (i = 0; i < an->n_ind; i++) {
		f = &a->ind[i].cur;
		if (f->assessed == 0 || f->sum == 0)
			continue;
		for (j = n; j > 0; j--) {
			g = &a->ind[top[j - 1]].cur;
			lf = (long)f->sum * g->assessed;
			lg = (long)g->sum * f->assessed;
			if (lf < lg || (lf == lg && f->elevated <= g->elevated))
				break;
			if (j < 3)
				top[j] = top[j - 1];
		}
		if (j < 3) {
			top[j] = i;
			if (n < 3)
				n++;
		}
	}
	return n;
}

static json_t *
indicator_json(const struct analysis *an, const struct an_ind *ind, size_t i)
{
	json_t *o = json_object(), *arr;
	size_t k;

	json_object_set_new(o, "key", jstr(an->keys[i]));
	json_object_set_new(o, "mean_score", jmean(&ind->cur));
	json_object_set_new(o, "periods_elevated", jelevated(&ind->cur));
	json_object_set_new(
	    o, "periods_assessed", json_integer(ind->cur.assessed));
	json_object_set_new(o, "previous_mean_score", jmean(&ind->prev));
	json_object_set_new(
	    o, "previous_periods_elevated", jelevated(&ind->prev));
	json_object_set_new(o, "last_year_mean_score", jmean(&ind->last_year));
	json_object_set_new(
	    o, "last_year_periods_elevated", jelevated(&ind->last_year));
	json_object_set_new(
	    o, "trend", ind->has_trend ? json_real(ind->trend) : json_null());
	json_object_set_new(o, "flagged", json_boolean(ind->flagged));
	arr = json_array();
	for (k = 0; k < an->n_periods; k++)
		json_array_append_new(arr,
		    ind->scores[k] == RATING_NONE
			? json_null()
			: json_integer(ind->scores[k]));
	json_object_set_new(o, "scores", arr);
	return o;
}

static json_t *
area_json(const struct analysis *an, const struct an_area *a)
{
	json_t *o = json_object(), *arr, *c;
	size_t top[3], n, k;

	json_object_set_new(o, "area", jstr(a->slug));
	json_object_set_new(o, "name", jstr(a->name));
	json_object_set_new(o, "rank", json_integer(a->rank));
	json_object_set_new(o, "need",
	    json_real(round2(
		(double)a->need / (an->n_ind > 0 ? (double)an->n_ind : 1.0))));
	c = json_object();
	json_object_set_new(c, "green", json_integer(a->counts[PICTURE_GREEN]));
	json_object_set_new(
	    c, "yellow", json_integer(a->counts[PICTURE_YELLOW]));
	json_object_set_new(c, "red", json_integer(a->counts[PICTURE_RED]));
	json_object_set_new(c, "grey", json_integer(a->counts[PICTURE_GREY]));
	json_object_set_new(o, "status_counts", c);
	arr = json_array();
	for (k = 0; k < an->n_periods; k++)
		json_array_append_new(
		    arr, json_string(picture_level_name(a->status[k])));
	json_object_set_new(o, "statuses", arr);
	if (a->has_cov) {
		c = json_object();
		json_object_set_new(c, "expected", json_integer(a->expected));
		json_object_set_new(c, "reported", json_integer(a->reported));
		json_object_set_new(
		    c, "periods_short", json_integer(a->periods_short));
	} else
		c = json_null();
	json_object_set_new(o, "coverage", c);
	arr = json_array();
	n = top_indicators(an, a, top);
	for (k = 0; k < n; k++)
		json_array_append_new(arr, jstr(an->keys[top[k]]));
	json_object_set_new(o, "top_indicators", arr);
	arr = json_array();
	for (k = 0; k < an->n_ind; k++)
		json_array_append_new(arr, indicator_json(an, &a->ind[k], k));
	json_object_set_new(o, "indicators", arr);
	return o;
}

static json_t *
flag_json(const struct analysis *an, const struct an_flag *f)
{
	json_t *o = json_object();

	json_object_set_new(o, "area", jstr(an->areas[f->area].slug));
	json_object_set_new(o, "indicator", jstr(f->indicator));
	json_object_set_new(o, "opened", jstr(f->opened));
	json_object_set_new(o, "closed", jlabel(f->closed));
	json_object_set_new(
	    o, "status", json_string(f->closed[0] == '\0' ? "open" : "closed"));
	json_object_set_new(o, "reason", jstr(f->reason_sv));
	json_object_set_new(o, "reason_en", jstr(f->reason_en));
	json_object_set_new(o, "open_at_end", json_boolean(f->open_at_end));
	json_object_set_new(o, "opened_in_period", json_boolean(f->opened_in));
	json_object_set_new(o, "earlier_episodes", json_integer(f->earlier));
	json_object_set_new(o, "comment", jstr(f->comment));
	return o;
}

static json_t *
measure_json(const struct analysis *an, const struct an_measure *m)
{
	json_t *o = json_object(), *fl;
	char date[16];

	json_object_set_new(o, "id", json_integer(m->id));
	json_object_set_new(o, "area", jstr(an->areas[m->area].slug));
	json_object_set_new(o, "indicator", jstr(m->indicator));
	json_object_set_new(o, "period", jstr(m->period));
	json_object_set_new(o, "what", jstr(m->what));
	json_object_set_new(o, "place", jstr(m->place));
	json_object_set_new(o, "who", jstr(m->who));
	if (m->follow_up >= 0) {
		format_date(m->follow_up, date, sizeof(date));
		json_object_set_new(o, "follow_up", jstr(date));
	} else
		json_object_set_new(o, "follow_up", json_null());
	json_object_set_new(o, "mean_before", jmean(&m->before));
	json_object_set_new(
	    o, "periods_before", json_integer(m->before.assessed));
	json_object_set_new(o, "mean_after", jmean(&m->after));
	json_object_set_new(
	    o, "periods_after", json_integer(m->after.assessed));
	if (m->has_flag) {
		fl = json_object();
		json_object_set_new(fl, "opened", jstr(m->flag_opened));
		json_object_set_new(fl, "reason", jstr(m->flag_reason));
		json_object_set_new(fl, "status",
		    json_string(m->flag_closed[0] == '\0' ? "open" : "closed"));
		json_object_set_new(fl, "closed", jlabel(m->flag_closed));
	} else
		fl = json_null();
	json_object_set_new(o, "flag", fl);
	return o;
}

json_t *
analysis_to_json(const struct analysis *an)
{
	json_t *doc = json_object(), *arr;
	char date[16];
	size_t i;

	json_object_set_new(doc, "period", jstr(an->label));
	format_date(period_first_day(&an->period), date, sizeof(date));
	json_object_set_new(doc, "start", jstr(date));
	format_date(period_last_day(&an->period), date, sizeof(date));
	json_object_set_new(doc, "end", jstr(date));
	json_object_set_new(doc, "cadence",
	    json_string(an->fortnightly ? "fortnightly" : "weekly"));
	json_object_set_new(doc, "level", json_integer(an->level));
	json_object_set_new(doc, "previous_period", jstr(an->prev_label));
	json_object_set_new(doc, "last_year_period", jstr(an->last_year_label));
	arr = json_array();
	for (i = 0; i < an->n_periods; i++)
		json_array_append_new(arr, jstr(an->labels[i]));
	json_object_set_new(doc, "periods", arr);
	arr = json_array();
	for (i = 0; i < an->n_areas; i++)
		json_array_append_new(
		    arr, area_json(an, &an->areas[an->order[i]]));
	json_object_set_new(doc, "areas", arr);
	arr = json_array();
	for (i = 0; i < an->n_flags; i++)
		json_array_append_new(arr, flag_json(an, &an->flags[i]));
	json_object_set_new(doc, "flags", arr);
	arr = json_array();
	for (i = 0; i < an->n_measures; i++)
		json_array_append_new(arr, measure_json(an, &an->measures[i]));
	json_object_set_new(doc, "measures", arr);
	return doc;
}

/* "2.71", or "" for no data. */
static void
csv_mean(const struct fig *f, char *buf, size_t size)
{
	if (f->assessed == 0)
		buf[0] = '\0';
	else
		snprintf(buf, size, "%.2f", fig_mean(f));
}

char *
analysis_to_csv(const struct analysis *an)
{
	static const char *const header[] = {
	    "period",
	    "area",
	    "indicator",
	    "mean_score",
	    "periods_elevated",
	    "previous_mean_score",
	    "last_year_mean_score",
	    "flagged",
	};
	struct buf b = {NULL, 0, 0};
	const struct an_area *a;
	const struct an_ind *ind;
	const char *row[8];
	char mean[32], elev[16], prev[32], ly[32];
	size_t i, j;

	csv_write_row(&b, header, 8);
	for (i = 0; i < an->n_areas; i++) {
		a = &an->areas[an->order[i]];
		for (j = 0; j < an->n_ind; j++) {
			ind = &a->ind[j];
			csv_mean(&ind->cur, mean, sizeof(mean));
			csv_mean(&ind->prev, prev, sizeof(prev));
			csv_mean(&ind->last_year, ly, sizeof(ly));
			if (ind->cur.assessed == 0)
				elev[0] = '\0';
			else
				snprintf(elev, sizeof(elev), "%d",
				    ind->cur.elevated);
			row[0] = an->label;
			row[1] = a->slug;
			row[2] = an->keys[j];
			row[3] = mean;
			row[4] = elev;
			row[5] = prev;
			row[6] = ly;
			row[7] = ind->flagged ? "true" : "false";
			csv_write_row(&b, row, 8);
		}
	}
	return buf_take(&b, NULL);
}

size_t
analysis_area_count(const struct analysis *an)
{
	return an->n_areas;
}

int
analysis_area_view(
    const struct analysis *an, size_t i, struct analysis_area_view *out)
{
	const struct an_area *a;

	if (i >= an->n_areas)
		return -1;
	a = &an->areas[an->order[i]];
	memset(out, 0, sizeof(*out));
	out->area = a->slug;
	out->name = a->name;
	out->rank = a->rank;
	out->need =
	    round2((double)a->need / (an->n_ind > 0 ? (double)an->n_ind : 1.0));
	memcpy(out->status_counts, a->counts, sizeof(out->status_counts));
	out->n_periods = an->n_periods;
	out->periods = an->label_ptrs;
	out->statuses = a->status;
	out->statuses_set = a->set;
	return 0;
}

/* "v. 47", or "v. 47–48" for a two-week fortnight. */
static void
short_label(const struct analysis *an, size_t i, char *buf, size_t size)
{
	struct period last;

	period_week_of_day(
	    period_last_day_parity(&an->periods[i], an->parity), &last);
	if (last.num == an->periods[i].num)
		snprintf(buf, size, "v. %d", an->periods[i].num);
	else
		snprintf(buf, size, "v. %d" EN_DASH "%d", an->periods[i].num,
		    last.num);
}

/*
 * "chart-centrum-skadegorelse": unique on a page of charts. Slugs and
 * keys are [a-z0-9_-] when stored; anything else is replaced, so the id
 * can go into attributes unescaped.
 */
static void
chart_id(char *buf, size_t size, const char *slug, const char *key)
{
	char *p;

	snprintf(buf, size, "chart-%s-%s", slug, key);
	for (p = buf; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
			*p == '-' || *p == '_'))
			*p = '_';
}

static double
chart_x(const struct analysis *an, size_t i)
{
	if (an->n_periods < 2)
		return (CHART_X0 + CHART_X1) / 2;
	return CHART_X0 +
	    (CHART_X1 - CHART_X0) * (double)i / (double)(an->n_periods - 1);
}

static double
chart_y(double score)
{
	return CHART_Y0 - CHART_YSTEP * score;
}

/* The <title> and <desc>: the chart in words. */
static void
chart_words(struct buf *b, const struct analysis *an, const struct an_area *a,
    size_t j, const char *id)
{
	const struct an_ind *ind = &a->ind[j];
	char span[96], when[32], mean[32], *s, *p;
	size_t k;

	period_describe_parity(
	    &an->period, an->parity, "sv", span, sizeof(span));
	xasprintf(&s, "%s i %s, %s", an->names[j], a->name, span);
	buf_printf(b, "<title id=\"%s-title\">", id);
	buf_html(b, s);
	buf_puts(b, "</title>\n");
	free(s);

	buf_printf(b, "<desc id=\"%s-desc\">", id);
	buf_printf(b, "Högsta bedömning (0" EN_DASH "3) per %s. ",
	    an->fortnightly ? "tvåveckorsperiod" : "vecka");
	for (k = 0; k < an->n_periods; k++) {
		short_label(an, k, when, sizeof(when));
		if (ind->scores[k] == RATING_NONE)
			buf_printf(b, "%s: ej bedömt", when);
		else
			buf_printf(b, "%s: %d", when, ind->scores[k]);
		buf_puts(b, k + 1 < an->n_periods ? "; " : ". ");
	}
	buf_printf(b, "Förhöjt från %d: %d av %d bedömda perioder.", an->level,
	    ind->cur.elevated, ind->cur.assessed);
	if (ind->cur.assessed > 0) {
		/* Swedish decimal comma: "2,71". */
		snprintf(mean, sizeof(mean), "%.2f", fig_mean(&ind->cur));
		if ((p = strchr(mean, '.')) != NULL)
			*p = ',';
		buf_printf(b, " Medel %s.", mean);
	}
	buf_puts(b, "</desc>\n");
}

char *
analysis_svg_chart(
    const struct analysis *an, const char *area, const char *indicator)
{
	struct buf b = {NULL, 0, 0};
	const struct an_area *a;
	const struct an_ind *ind;
	char id[128], when[32];
	long ai, j;
	size_t k, run;
	int s;

	if (area == NULL || indicator == NULL ||
	    (ai = area_index(an, area)) == -1 ||
	    (j = indicator_index(an, indicator)) == -1)
		return NULL;
	a = &an->areas[ai];
	ind = &a->ind[j];
	chart_id(id, sizeof(id), a->slug, an->keys[j]);

	buf_printf(&b,
	    "<svg xmlns=\"http://www.w3.org/2000/svg\""
	    " class=\"analysis-chart\" width=\"%d\" height=\"%d\""
	    " viewBox=\"0 0 %d %d\" role=\"img\""
	    " aria-labelledby=\"%s-title %s-desc\">\n",
	    CHART_W, CHART_H, CHART_W, CHART_H, id, id);
	chart_words(&b, an, a, (size_t)j, id);

	buf_puts(&b,
	    "<g class=\"grid\" stroke=\"#cccccc\""
	    " stroke-width=\"1\">\n");
	for (s = 0; s <= RATING_MAX; s++)
		buf_printf(&b,
		    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\""
		    " y2=\"%.1f\"/>\n",
		    CHART_X0, chart_y(s), CHART_X1, chart_y(s));
	buf_puts(&b, "</g>\n");
	buf_puts(&b,
	    "<g class=\"labels\" font-family=\"sans-serif\""
	    " font-size=\"10\" fill=\"#444444\" aria-hidden=\"true\">\n");
	for (s = 0; s <= RATING_MAX; s++)
		buf_printf(&b,
		    "<text x=\"%.1f\" y=\"%.1f\""
		    " text-anchor=\"end\">%d</text>\n",
		    CHART_X0 - 6, chart_y(s) + 3.5, s);
	short_label(an, 0, when, sizeof(when));
	buf_printf(&b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"start\">",
	    CHART_X0, CHART_Y0 + 18);
	buf_html(&b, when);
	buf_puts(&b, "</text>\n");
	if (an->n_periods > 1) {
		short_label(an, an->n_periods - 1, when, sizeof(when));
		buf_printf(&b,
		    "<text x=\"%.1f\" y=\"%.1f\""
		    " text-anchor=\"end\">",
		    CHART_X1, CHART_Y0 + 18);
		buf_html(&b, when);
		buf_puts(&b, "</text>\n");
	}
	buf_puts(&b, "</g>\n");
	buf_printf(&b,
	    "<line class=\"level\" x1=\"%.1f\" y1=\"%.1f\""
	    " x2=\"%.1f\" y2=\"%.1f\" stroke=\"#b00020\" stroke-width=\"1\""
	    " stroke-dasharray=\"4 3\"/>\n",
	    CHART_X0, chart_y(an->level), CHART_X1, chart_y(an->level));

	/* One polyline per run of assessed periods: a gap stays a gap. */
	for (k = 0; k < an->n_periods; k = run) {
		if (ind->scores[k] == RATING_NONE) {
			run = k + 1;
			continue;
		}
		for (run = k;
		     run < an->n_periods && ind->scores[run] != RATING_NONE;
		     run++)
			;
		if (run - k < 2)
			continue;
		buf_puts(&b,
		    "<polyline class=\"series\" fill=\"none\""
		    " stroke=\"#1f4e79\" stroke-width=\"2\" points=\"");
		for (; k < run; k++)
			buf_printf(&b, "%s%.1f,%.1f",
			    k > 0 && ind->scores[k - 1] != RATING_NONE ? " "
								       : "",
			    chart_x(an, k), chart_y(ind->scores[k]));
		buf_puts(&b, "\"/>\n");
	}
	for (k = 0; k < an->n_periods; k++)
		if (ind->scores[k] != RATING_NONE)
			buf_printf(&b,
			    "<circle class=\"point\" cx=\"%.1f\""
			    " cy=\"%.1f\" r=\"3\" fill=\"#1f4e79\"/>\n",
			    chart_x(an, k), chart_y(ind->scores[k]));
	buf_puts(&b, "</svg>\n");
	return buf_take(&b, NULL);
}
