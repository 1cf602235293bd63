/*
 * flags: persistence (kvarstående problem) of one (area, indicator)
 * pair, judged from the series of its period scores. Pure: no I/O, no
 * clock, no globals.
 *
 * A score is the highest rating reported for the pair in a period, or
 * RATING_NONE when nobody assessed it. With the rule of [flags]:
 *
 *   elevated   an assessed score >= level
 *   below      an assessed score <  level
 *
 * A flag opens in a period when, counting only periods after the last
 * close of this pair,
 *
 *   (a) the last `consecutive` assessed periods were all elevated (a
 *       period nobody assessed neither breaks nor extends that run), or
 *   (b) at least `within` of the last `window` periods were elevated
 *       (a period nobody assessed takes its place in the window and
 *       counts as not elevated; so do periods before the series or at
 *       or before the last close).
 *
 * When both hold, the reason given is (a). An open flag closes in the
 * period that completes `clear_after` assessed periods below level in a
 * row; an elevated period starts that count again, an unassessed one
 * leaves it as it is. Because a new episode may only count periods after
 * the close, a flag never reopens in the period it closed, and the
 * elevated periods that led to the old episode do not open a new one.
 *
 * The series must hold every period in order, one entry each: a period
 * with no reports is given as RATING_NONE, not left out.
 *
 * flags_run() judges a whole series; flags_step() moves a saved state on
 * by one period, for the scheduler. Both give the same episodes and the
 * same final state.
 *
 * Callers: jobs (the flag step), estctl, picture, analysis.
 */
#ifndef ESTD_FLAGS_H
#define ESTD_FLAGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "period.h"
#include "report.h"

#define FLAGS_WINDOW_MAX 64 /* bits in flags_state.recent */
#define FLAGS_REASON_MAX 48

/* The word in the reason: "veckor"/"weeks" or "perioder"/"periods". */
enum flags_unit {
	FLAGS_UNIT_PERIODS,
	FLAGS_UNIT_WEEKS,
};

struct flags_rule {
	int level; /* 1-3 */
	int consecutive; /* >= 1 */
	int window; /* 1-FLAGS_WINDOW_MAX */
	int within; /* 1-window */
	int clear_after; /* >= 1 */
	enum flags_unit unit;
};

enum flags_why {
	FLAGS_WHY_CONSECUTIVE, /* rule (a) */
	FLAGS_WHY_WINDOW, /* rule (b) */
};

struct flags_episode {
	char opened[PERIOD_LABEL_MAX]; /* label */
	char closed[PERIOD_LABEL_MAX]; /* "" while open */
	enum flags_why why;
	int n; /* elevated periods that opened it */
	int of; /* the window (rule b); 0 for rule (a) */
	char reason_sv[FLAGS_REASON_MAX]; /* "3 veckor i rad" */
	char reason_en[FLAGS_REASON_MAX]; /* "4 of 6 weeks" */
};

/*
 * Where one pair stands after some periods: a plain value the caller
 * may copy and keep (the scheduler stores it between runs). Start from
 * flags_state_init(); change it only through flags_step().
 */
struct flags_state {
	bool open;
	struct flags_episode episode; /* the open one, else the last
						   closed; zeroed if none */
	int run; /* elevated assessed periods in a row */
	int below; /* below-level assessed periods in a row
					   while open, else 0 */
	uint64_t recent; /* bit k: elevated k periods
						   ago, k < window; 0 at a
						   close */
};

enum flags_change {
	FLAGS_UNCHANGED,
	FLAGS_OPENED,
	FLAGS_CLOSED,
};

/* One period of a series; label borrowed. */
struct flags_point {
	const char *label;
	int score; /* 0-RATING_MAX or RATING_NONE */
};

/* Every episode of one pair, oldest first; the last may be open. */
struct flags_history {
	size_t n;
	struct flags_episode *episodes; /* owned; flags_history_clear */
	struct flags_state state; /* after the last period */
};

/*
 * The rule of [flags]; the unit is weeks for a weekly cadence and
 * periods for a fortnightly one.
 */
void flags_rule_from_conf(const struct conf *, struct flags_rule *);
/* 0 if the rule is usable, else -1 and *cause (caller frees). */
int flags_rule_check(const struct flags_rule *, char **cause);

void flags_state_init(struct flags_state *);

/*
 * Judge the next period (label borrowed, copied into the state when a
 * flag opens or closes) and report what changed in *change; the episode
 * opened or closed is then state->episode. Returns -1, leaving the state
 * as it was, if the rule fails flags_rule_check, the score is out of
 * range or the label does not fit PERIOD_LABEL_MAX.
 */
int flags_step(const struct flags_rule *, struct flags_state *,
    const char *label, int score, enum flags_change *change);

/*
 * Judge a whole series of n periods into *out, which the caller releases
 * with flags_history_clear whatever the result. Returns 0, or -1 and
 * *cause (caller frees) for a bad rule, score or label.
 */
int flags_run(const struct flags_rule *, const struct flags_point *, size_t n,
    struct flags_history *out, char **cause);
void flags_history_clear(struct flags_history *);

#endif
