/*
 * flags: the persistence rule with hysteresis (see flags.h for the rule
 * itself).
 *
 * DESIGN: the rule is written twice on purpose. flags_step() keeps a
 * small state (two counters and a bit per period of the window) so the
 * scheduler can judge one new period without reading the history
 * again. flags_run() is the rule as it reads in flags.h: for each period
 * it looks back over the series itself. The test suite runs both over
 * random series and demands the same episodes and the same final state,
 * so a slip in the incremental bookkeeping cannot hide.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "flags.h"
#include "report.h"
#include "xmalloc.h"

void
flags_rule_from_conf(const struct conf *conf, struct flags_rule *rule)
{
	rule->level = conf->flag_level;
	rule->consecutive = conf->flag_consecutive;
	rule->window = conf->flag_window;
	rule->within = conf->flag_within;
	rule->clear_after = conf->flag_clear_after;
	rule->unit = conf->cadence == CADENCE_WEEKLY ? FLAGS_UNIT_WEEKS
						     : FLAGS_UNIT_PERIODS;
}

int
flags_rule_check(const struct flags_rule *rule, char **cause)
{
	const char *what = NULL;

	if (rule->level < 1 || rule->level > RATING_MAX)
		what = "level must be 1-3";
	else if (rule->consecutive < 1)
		what = "consecutive must be at least 1";
	else if (rule->window < 1 || rule->window > FLAGS_WINDOW_MAX)
		what = "window must be 1-64";
	else if (rule->within < 1 || rule->within > rule->window)
		what = "within must be 1-window";
	else if (rule->clear_after < 1)
		what = "clear_after must be at least 1";
	else if (rule->unit != FLAGS_UNIT_PERIODS &&
	    rule->unit != FLAGS_UNIT_WEEKS)
		what = "unknown unit";
	if (what == NULL)
		return 0;
	if (cause != NULL)
		xasprintf(cause, "flags: %s", what);
	return -1;
}

void
flags_state_init(struct flags_state *st)
{
	memset(st, 0, sizeof(*st));
}

static int
score_valid(int score)
{
	return score == RATING_NONE || (score >= 0 && score <= RATING_MAX);
}

static int
label_valid(const char *label)
{
	return label != NULL && strlen(label) < PERIOD_LABEL_MAX;
}

/* Labels are checked by label_valid() before they are copied. */
static void
label_copy(char *dst, const char *label)
{
	snprintf(dst, PERIOD_LABEL_MAX, "%s", label);
}

static bool
elevated(const struct flags_rule *rule, int score)
{
	return score != RATING_NONE && score >= rule->level;
}

static bool
below(const struct flags_rule *rule, int score)
{
	return score != RATING_NONE && score < rule->level;
}

/* Fill the episode opened in `label` for reason `why`, n of `of`. */
static void
episode_open(struct flags_episode *ep, const struct flags_rule *rule,
    const char *label, enum flags_why why, int n, int of)
{
	bool weeks = rule->unit == FLAGS_UNIT_WEEKS;
	int count = why == FLAGS_WHY_CONSECUTIVE ? n : of;
	bool one = count == 1;
	const char *sv, *en;

	memset(ep, 0, sizeof(*ep));
	label_copy(ep->opened, label);
	ep->why = why;
	ep->n = n;
	ep->of = why == FLAGS_WHY_WINDOW ? of : 0;

	if (weeks) {
		sv = one ? "vecka" : "veckor";
		en = one ? "week" : "weeks";
	} else {
		sv = one ? "period" : "perioder";
		en = one ? "period" : "periods";
	}
	if (why == FLAGS_WHY_CONSECUTIVE) {
		snprintf(
		    ep->reason_sv, sizeof(ep->reason_sv), "%d %s i rad", n, sv);
		snprintf(ep->reason_en, sizeof(ep->reason_en), "%d %s in a row",
		    n, en);
	} else {
		snprintf(ep->reason_sv, sizeof(ep->reason_sv), "%d av %d %s", n,
		    of, sv);
		snprintf(ep->reason_en, sizeof(ep->reason_en), "%d of %d %s", n,
		    of, en);
	}
}

static uint64_t
window_mask(int window)
{
	return window >= 64 ? UINT64_MAX : ((uint64_t)1 << window) - 1;
}

static int
popcount64(uint64_t v)
{
	int n = 0;

	for (; v != 0; v &= v - 1)
		n++;
	return n;
}

int
flags_step(const struct flags_rule *rule, struct flags_state *st,
    const char *label, int score, enum flags_change *change)
{
	int count;

	*change = FLAGS_UNCHANGED;
	if (flags_rule_check(rule, NULL) != 0 || !score_valid(score) ||
	    !label_valid(label))
		return -1;

	st->recent = ((st->recent << 1) | (elevated(rule, score) ? 1 : 0)) &
	    window_mask(rule->window);
	if (elevated(rule, score)) {
		if (st->run < INT_MAX)
			st->run++;
	} else if (below(rule, score))
		st->run = 0;

	if (st->open) {
		if (elevated(rule, score))
			st->below = 0;
		else if (below(rule, score) &&
		    ++st->below >= rule->clear_after) {
			label_copy(st->episode.closed, label);
			st->open = false;
			st->below = 0;
			st->run = 0;
			/* A new episode counts only periods after this one. */
			st->recent = 0;
			*change = FLAGS_CLOSED;
		}
		return 0;
	}

	count = popcount64(st->recent);
	if (st->run >= rule->consecutive)
		episode_open(&st->episode, rule, label, FLAGS_WHY_CONSECUTIVE,
		    st->run, 0);
	else if (count >= rule->within)
		episode_open(&st->episode, rule, label, FLAGS_WHY_WINDOW, count,
		    rule->window);
	else
		return 0;
	st->open = true;
	st->below = 0;
	*change = FLAGS_OPENED;
	return 0;
}

/*
 * Elevated assessed periods in a row ending at `last`, looking no
 * further back than `first`: unassessed periods are skipped, a
 * below-level one ends the run.
 */
static int
run_back(const struct flags_rule *rule, const struct flags_point *pt,
    long first, long last)
{
	int run = 0;
	long i;

	for (i = last; i >= first; i--) {
		if (below(rule, pt[i].score))
			break;
		if (elevated(rule, pt[i].score))
			run++;
	}
	return run;
}

/* Below-level assessed periods in a row ending at `last`, as above. */
static int
below_back(const struct flags_rule *rule, const struct flags_point *pt,
    long first, long last)
{
	int n = 0;
	long i;

	for (i = last; i >= first; i--) {
		if (elevated(rule, pt[i].score))
			break;
		if (below(rule, pt[i].score))
			n++;
	}
	return n;
}

/* Elevated periods among the window ending at `last`, none before `first`. */
static int
window_count(const struct flags_rule *rule, const struct flags_point *pt,
    long first, long last)
{
	int n = 0;
	long i;

	for (i = last; i >= first && i > last - rule->window; i--)
		if (elevated(rule, pt[i].score))
			n++;
	return n;
}

static void
history_add(struct flags_history *h, const struct flags_episode *ep)
{
	h->episodes =
	    xreallocarray(h->episodes, h->n + 1, sizeof(*h->episodes));
	h->episodes[h->n++] = *ep;
}

int
flags_run(const struct flags_rule *rule, const struct flags_point *pt, size_t n,
    struct flags_history *out, char **cause)
{
	struct flags_state *st = &out->state;
	long i, k, last = (long)n - 1;
	long since = 0; /* first that may count */
	long opened = -1; /* index of the open episode */
	int run, count;

	memset(out, 0, sizeof(*out));
	if (flags_rule_check(rule, cause) != 0)
		return -1;
	for (i = 0; i < (long)n; i++) {
		if (!label_valid(pt[i].label)) {
			xasprintf(cause, "flags: period %ld: bad label", i + 1);
			return -1;
		}
		if (!score_valid(pt[i].score)) {
			xasprintf(cause, "flags: %s: score %d out of range",
			    pt[i].label, pt[i].score);
			return -1;
		}
	}

	for (i = 0; i < (long)n; i++) {
		if (st->open) {
			if (below(rule, pt[i].score) &&
			    below_back(rule, pt, opened + 1, i) >=
				rule->clear_after) {
				label_copy(st->episode.closed, pt[i].label);
				history_add(out, &st->episode);
				st->open = false;
				since = i + 1;
			}
			continue;
		}
		run = run_back(rule, pt, since, i);
		count = window_count(rule, pt, since, i);
		if (run >= rule->consecutive)
			episode_open(&st->episode, rule, pt[i].label,
			    FLAGS_WHY_CONSECUTIVE, run, 0);
		else if (count >= rule->within)
			episode_open(&st->episode, rule, pt[i].label,
			    FLAGS_WHY_WINDOW, count, rule->window);
		else
			continue;
		st->open = true;
		opened = i;
	}
	if (st->open)
		history_add(out, &st->episode);

	/* The state flags_step would hold after the same periods. */
	st->run = run_back(rule, pt, since, last);
	st->below = st->open ? below_back(rule, pt, opened + 1, last) : 0;
	st->recent = 0;
	for (k = 0; k < rule->window && last - k >= since; k++)
		if (elevated(rule, pt[last - k].score))
			st->recent |= (uint64_t)1 << k;
	return 0;
}

void
flags_history_clear(struct flags_history *h)
{
	free(h->episodes);
	memset(h, 0, sizeof(*h));
}
