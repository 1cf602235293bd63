/*
 * check_flags: the persistence rule. Series are written as strings of
 * scores ("2 2 0 - 3", "-" = not assessed) for weeks 2026-W01 onwards;
 * every expected episode below is worked out by hand in the comment
 * above its assertions. A random walk then demands that flags_step and
 * flags_run agree on thousands of series and rules.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "flags.h"
#include "report.h"
#include "testutil.h"

#define SERIES_MAX 128

/* The default rule of [flags], weekly. */
static const struct flags_rule def = {2, 3, 6, 4, 2, FLAGS_UNIT_WEEKS};

struct series {
	size_t n;
	char labels[SERIES_MAX][PERIOD_LABEL_MAX];
	struct flags_point pt[SERIES_MAX];
};

/* "2 0 - 3": scores for 2026-W01, W02, ... */
static void
series_parse(struct series *s, const char *text)
{
	const char *p;

	s->n = 0;
	for (p = text; *p != '\0'; p++) {
		if (*p == ' ')
			continue;
		ck_assert_uint_lt(s->n, SERIES_MAX);
		snprintf(
		    s->labels[s->n], PERIOD_LABEL_MAX, "2026-W%02zu", s->n + 1);
		s->pt[s->n].label = s->labels[s->n];
		s->pt[s->n].score = *p == '-' ? RATING_NONE : *p - '0';
		s->n++;
	}
}

static void
run_ok(const struct flags_rule *rule, const char *text, struct flags_history *h)
{
	struct series s;
	char *cause = NULL;

	series_parse(&s, text);
	ck_assert_msg(flags_run(rule, s.pt, s.n, h, &cause) == 0, "%s",
	    cause != NULL ? cause : "");
	ck_assert_ptr_null(cause);
}

static void
expect_episode(const struct flags_history *h, size_t i, const char *opened,
    const char *closed, enum flags_why why, int n, int of,
    const char *reason_sv, const char *reason_en)
{
	const struct flags_episode *ep;

	ck_assert_uint_lt(i, h->n);
	ep = &h->episodes[i];
	ck_assert_str_eq(ep->opened, opened);
	ck_assert_str_eq(ep->closed, closed);
	ck_assert_int_eq(ep->why, why);
	ck_assert_int_eq(ep->n, n);
	ck_assert_int_eq(ep->of, of);
	ck_assert_str_eq(ep->reason_sv, reason_sv);
	ck_assert_str_eq(ep->reason_en, reason_en);
}

static void
expect_state(const struct flags_state *st, bool open, int run, int below,
    uint64_t recent)
{
	ck_assert_int_eq(st->open, open);
	ck_assert_int_eq(st->run, run);
	ck_assert_int_eq(st->below, below);
	ck_assert_uint_eq(st->recent, recent);
}

static void
expect_same_episode(
    const struct flags_episode *a, const struct flags_episode *b)
{
	ck_assert_str_eq(a->opened, b->opened);
	ck_assert_str_eq(a->closed, b->closed);
	ck_assert_int_eq(a->why, b->why);
	ck_assert_int_eq(a->n, b->n);
	ck_assert_int_eq(a->of, b->of);
	ck_assert_str_eq(a->reason_sv, b->reason_sv);
	ck_assert_str_eq(a->reason_en, b->reason_en);
}

static void
expect_same_state(const struct flags_state *a, const struct flags_state *b)
{
	expect_state(a, b->open, b->run, b->below, b->recent);
	expect_same_episode(&a->episode, &b->episode);
}

/*
 * Step through pt[from..n) starting from *st, collecting the episodes
 * into *h (which may already hold the episodes before `from`).
 */
static void
step_all(const struct flags_rule *rule, const struct flags_point *pt,
    size_t from, size_t n, struct flags_state *st, struct flags_history *h)
{
	enum flags_change ch;
	size_t i;

	for (i = from; i < n; i++) {
		ck_assert_int_eq(
		    flags_step(rule, st, pt[i].label, pt[i].score, &ch), 0);
		switch (ch) {
		case FLAGS_OPENED:
			ck_assert(st->open);
			ck_assert_str_eq(st->episode.opened, pt[i].label);
			h->episodes = realloc(
			    h->episodes, (h->n + 1) * sizeof(*h->episodes));
			ck_assert_ptr_nonnull(h->episodes);
			h->episodes[h->n++] = st->episode;
			break;
		case FLAGS_CLOSED:
			ck_assert(!st->open);
			ck_assert_uint_gt(h->n, 0);
			ck_assert_str_eq(st->episode.closed, pt[i].label);
			h->episodes[h->n - 1] = st->episode;
			break;
		case FLAGS_UNCHANGED: break;
		}
	}
}

START_TEST(test_three_in_a_row)
{
	struct flags_history h;

	/* Elevated in W01, W02, W03: the run reaches 3 in W03. */
	run_ok(&def, "2 2 2", &h);
	ck_assert_uint_eq(h.n, 1);
	expect_episode(&h, 0, "2026-W03", "", FLAGS_WHY_CONSECUTIVE, 3, 0,
	    "3 veckor i rad", "3 weeks in a row");
	/* Open, run 3, bits for W03, W02, W01. */
	expect_state(&h.state, true, 3, 0, 0x7);
	expect_same_episode(&h.state.episode, &h.episodes[0]);
	flags_history_clear(&h);

	/* Any score at or above the level counts. */
	run_ok(&def, "3 2 3", &h);
	ck_assert_uint_eq(h.n, 1);
	ck_assert_str_eq(h.episodes[0].opened, "2026-W03");
	flags_history_clear(&h);

	/* Only two elevated in a row: nothing yet; run 2, bits W03 W02. */
	run_ok(&def, "1 2 2", &h);
	ck_assert_uint_eq(h.n, 0);
	expect_state(&h.state, false, 2, 0, 0x3);
	flags_history_clear(&h);

	/* Unassessed weeks do not break the run: W01, W04, W07 elevated. */
	run_ok(&def, "2 - - 2 - - 2", &h);
	ck_assert_uint_eq(h.n, 1);
	expect_episode(&h, 0, "2026-W07", "", FLAGS_WHY_CONSECUTIVE, 3, 0,
	    "3 veckor i rad", "3 weeks in a row");
	flags_history_clear(&h);

	/* ...nor do they extend it: two elevated, then only gaps. */
	run_ok(&def, "2 2 - - - - - -", &h);
	ck_assert_uint_eq(h.n, 0);
	expect_state(&h.state, false, 2, 0, 0);
	flags_history_clear(&h);
}
END_TEST

START_TEST(test_four_of_six)
{
	struct flags_history h;

	/*
	 * W01 2 (run 1, window 1), W02 2 (2, 2), W03 0 (0, 2), W04 2 (1, 3),
	 * W05 - (1, 3), W06 2 (2, 4): opens in W06 by the window.
	 */
	run_ok(&def, "2 2 0 2 -", &h);
	ck_assert_uint_eq(h.n, 0);
	flags_history_clear(&h);
	run_ok(&def, "2 2 0 2 - 2", &h);
	ck_assert_uint_eq(h.n, 1);
	expect_episode(&h, 0, "2026-W06", "", FLAGS_WHY_WINDOW, 4, 6,
	    "4 av 6 veckor", "4 of 6 weeks");
	/* Bits (newest first) W06 1, W05 0, W04 1, W03 0, W02 1, W01 1. */
	expect_state(&h.state, true, 2, 0, 0x35);
	flags_history_clear(&h);

	/*
	 * The window slides: W01 3, W02 -, W03 2, W04 0, W05 -, W06 2,
	 * W07 2. At W06 the window W01-W06 holds 3 elevated, at W07 the
	 * window W02-W07 holds 3 (W01 fell out): no flag. W08 2 makes the
	 * run W06-W08 three long and the window W03-W08 four: both rules
	 * hold, and the reason is the run.
	 */
	run_ok(&def, "3 - 2 0 - 2 2", &h);
	ck_assert_uint_eq(h.n, 0);
	flags_history_clear(&h);
	run_ok(&def, "3 - 2 0 - 2 2 2", &h);
	ck_assert_uint_eq(h.n, 1);
	expect_episode(&h, 0, "2026-W08", "", FLAGS_WHY_CONSECUTIVE, 3, 0,
	    "3 veckor i rad", "3 weeks in a row");
	flags_history_clear(&h);
}
END_TEST

START_TEST(test_flapping)
{
	struct flags_history h;
	struct flags_rule r7 = def;

	/*
	 * Elevated every other week: the run never passes 1 and any six
	 * weeks hold 3 elevated, so the default rule never fires.
	 */
	run_ok(&def, "2 0 2 0 2 0 2 0 2 0 2 0 2 0 2 0 2 0 2 0", &h);
	ck_assert_uint_eq(h.n, 0);
	flags_history_clear(&h);
	run_ok(&def, "3 1 3 1 3 1 3 1 3 1 3 1", &h);
	ck_assert_uint_eq(h.n, 0);
	flags_history_clear(&h);

	/* With a window of 7 weeks, W01-W07 hold 4 elevated: opens in W07. */
	r7.window = 7;
	run_ok(&r7, "2 0 2 0 2 0 2", &h);
	ck_assert_uint_eq(h.n, 1);
	expect_episode(&h, 0, "2026-W07", "", FLAGS_WHY_WINDOW, 4, 7,
	    "4 av 7 veckor", "4 of 7 weeks");
	flags_history_clear(&h);

	/*
	 * Two up, one down: W01 (run 1, window 1), W02 (2, 2), W03 (0, 2),
	 * W04 (1, 3), W05 (2, 4): opens in W05 by 4 of 6. Afterwards no
	 * two assessed weeks below level follow each other, so it stays
	 * open.
	 */
	run_ok(&def, "2 2 0 2 2 0 2 2 0 2 2 0", &h);
	ck_assert_uint_eq(h.n, 1);
	expect_episode(&h, 0, "2026-W05", "", FLAGS_WHY_WINDOW, 4, 6,
	    "4 av 6 veckor", "4 of 6 weeks");
	/* Last week W12 is below: below 1, run 0. */
	ck_assert(h.state.open);
	ck_assert_int_eq(h.state.below, 1);
	ck_assert_int_eq(h.state.run, 0);
	flags_history_clear(&h);
}
END_TEST

START_TEST(test_close)
{
	struct flags_history h;

	/* Opens in W03; W04 and W05 are below: closes in W05. */
	run_ok(&def, "2 2 2 1 0", &h);
	ck_assert_uint_eq(h.n, 1);
	expect_episode(&h, 0, "2026-W03", "2026-W05", FLAGS_WHY_CONSECUTIVE, 3,
	    0, "3 veckor i rad", "3 weeks in a row");
	expect_state(&h.state, false, 0, 0, 0);
	expect_same_episode(&h.state.episode, &h.episodes[0]);
	flags_history_clear(&h);

	/* One below week is not enough. */
	run_ok(&def, "2 2 2 1", &h);
	ck_assert_uint_eq(h.n, 1);
	ck_assert_str_eq(h.episodes[0].closed, "");
	/* Bits: W04 0, W03 1, W02 1, W01 1. */
	expect_state(&h.state, true, 0, 1, 0xe);
	flags_history_clear(&h);

	/* W04 below, W05 elevated starts the count again, W06-W07 close. */
	run_ok(&def, "2 2 2 1 2 0 0", &h);
	ck_assert_uint_eq(h.n, 1);
	ck_assert_str_eq(h.episodes[0].opened, "2026-W03");
	ck_assert_str_eq(h.episodes[0].closed, "2026-W07");
	flags_history_clear(&h);
}
END_TEST

START_TEST(test_gaps)
{
	struct flags_history h;

	/* Gaps while open close nothing: still open after five of them. */
	run_ok(&def, "2 2 2 - - - - -", &h);
	ck_assert_uint_eq(h.n, 1);
	ck_assert_str_eq(h.episodes[0].closed, "");
	/* Window bits: W08-W04 not elevated, W03 elevated (bit 5). */
	expect_state(&h.state, true, 3, 0, 0x20);
	flags_history_clear(&h);

	/* Below W06 and W09, gaps between: the second below closes. */
	run_ok(&def, "2 2 2 - - 0 - - 1", &h);
	ck_assert_uint_eq(h.n, 1);
	ck_assert_str_eq(h.episodes[0].closed, "2026-W09");
	flags_history_clear(&h);

	/* A gap between two below weeks does not reset their count. */
	run_ok(&def, "2 2 2 0 - 1", &h);
	ck_assert_str_eq(h.episodes[0].closed, "2026-W06");
	flags_history_clear(&h);

	/* ...but an elevated week between them does. */
	run_ok(&def, "2 2 2 0 - 2 1", &h);
	ck_assert_str_eq(h.episodes[0].closed, "");
	/* Bits of W07-W02: 0, 1, 0, 0, 1, 1 (W01 has left the window). */
	expect_state(&h.state, true, 0, 1, 0x32);
	flags_history_clear(&h);
}
END_TEST

START_TEST(test_reopen)
{
	struct flags_history h;

	/*
	 * W03-W05 the first episode. Counting resumes in W06: W06 (run 1,
	 * window 1), W07 (2, 2), W08 (3, 3): reopens in W08 by the run.
	 * Without the reset W02-W07 would have held 4 of 6 in W07.
	 */
	run_ok(&def, "2 2 2 0 0 2 2", &h);
	ck_assert_uint_eq(h.n, 1);
	flags_history_clear(&h);
	run_ok(&def, "2 2 2 0 0 2 2 2", &h);
	ck_assert_uint_eq(h.n, 2);
	expect_episode(&h, 0, "2026-W03", "2026-W05", FLAGS_WHY_CONSECUTIVE, 3,
	    0, "3 veckor i rad", "3 weeks in a row");
	expect_episode(&h, 1, "2026-W08", "", FLAGS_WHY_CONSECUTIVE, 3, 0,
	    "3 veckor i rad", "3 weeks in a row");
	expect_same_episode(&h.state.episode, &h.episodes[1]);
	flags_history_clear(&h);

	/*
	 * After the close in W05: W06 (1, 1), W07 (2, 2), W08 0 (0, 2),
	 * W09 (1, 3), W10 (2, 4): reopens in W10 by 4 of 6.
	 */
	run_ok(&def, "2 2 2 0 0 2 2 0 2 2", &h);
	ck_assert_uint_eq(h.n, 2);
	expect_episode(&h, 1, "2026-W10", "", FLAGS_WHY_WINDOW, 4, 6,
	    "4 av 6 veckor", "4 of 6 weeks");
	flags_history_clear(&h);
}
END_TEST

START_TEST(test_no_reopen_in_close_period)
{
	struct flags_history h;
	struct flags_rule r = {2, 3, 6, 2, 1, FLAGS_UNIT_WEEKS};

	/*
	 * 2 of 6 opens, one below week closes. W02 opens (window 2); W03
	 * closes, and although W01-W03 still hold 2 elevated the flag does
	 * not reopen there; W04 (window 1), W05 (window 2) reopens.
	 */
	run_ok(&r, "2 2 0 2 2", &h);
	ck_assert_uint_eq(h.n, 2);
	expect_episode(&h, 0, "2026-W02", "2026-W03", FLAGS_WHY_WINDOW, 2, 6,
	    "2 av 6 veckor", "2 of 6 weeks");
	expect_episode(&h, 1, "2026-W05", "", FLAGS_WHY_WINDOW, 2, 6,
	    "2 av 6 veckor", "2 of 6 weeks");
	flags_history_clear(&h);

	run_ok(&r, "2 2 0", &h);
	ck_assert_uint_eq(h.n, 1);
	expect_state(&h.state, false, 0, 0, 0);
	flags_history_clear(&h);
}
END_TEST

START_TEST(test_level_three)
{
	struct flags_history h;
	struct flags_rule r = def;

	r.level = 3;
	/* Every 2 is below level 3: never flagged, run stays 0. */
	run_ok(&r, "2 2 2 2 2 2 2", &h);
	ck_assert_uint_eq(h.n, 0);
	expect_state(&h.state, false, 0, 0, 0);
	flags_history_clear(&h);

	/*
	 * W01 2 below, W02 3 (run 1, window 1), W03 3 (2, 2), W04 2 (0, 2),
	 * W05 3 (1, 3), W06 3 (2, 4): opens in W06 by 4 of 6.
	 */
	run_ok(&r, "2 3 3 2 3 3 3", &h);
	ck_assert_uint_eq(h.n, 1);
	expect_episode(&h, 0, "2026-W06", "", FLAGS_WHY_WINDOW, 4, 6,
	    "4 av 6 veckor", "4 of 6 weeks");
	flags_history_clear(&h);

	/* Three 3s in a row, then two 2s (below level 3) close it. */
	run_ok(&r, "3 3 3 2 2", &h);
	ck_assert_uint_eq(h.n, 1);
	expect_episode(&h, 0, "2026-W03", "2026-W05", FLAGS_WHY_CONSECUTIVE, 3,
	    0, "3 veckor i rad", "3 weeks in a row");
	flags_history_clear(&h);
}
END_TEST

START_TEST(test_consecutive_one)
{
	struct flags_history h;
	struct flags_rule r = def;

	r.consecutive = 1;
	/* W03 opens at once, W04-W05 close, W06 reopens. */
	run_ok(&r, "0 1 2 0 0 2", &h);
	ck_assert_uint_eq(h.n, 2);
	expect_episode(&h, 0, "2026-W03", "2026-W05", FLAGS_WHY_CONSECUTIVE, 1,
	    0, "1 vecka i rad", "1 week in a row");
	expect_episode(&h, 1, "2026-W06", "", FLAGS_WHY_CONSECUTIVE, 1, 0,
	    "1 vecka i rad", "1 week in a row");
	flags_history_clear(&h);

	/* Nothing elevated, nothing flagged. */
	run_ok(&r, "0 1 - 1 0", &h);
	ck_assert_uint_eq(h.n, 0);
	flags_history_clear(&h);
}
END_TEST

START_TEST(test_units)
{
	struct flags_history h;
	struct flags_rule r = def;
	struct flags_rule one = {2, 2, 1, 1, 1, FLAGS_UNIT_WEEKS};
	struct conf conf;

	r.unit = FLAGS_UNIT_PERIODS;
	run_ok(&r, "2 2 2", &h);
	expect_episode(&h, 0, "2026-W03", "", FLAGS_WHY_CONSECUTIVE, 3, 0,
	    "3 perioder i rad", "3 periods in a row");
	flags_history_clear(&h);
	run_ok(&r, "2 2 0 2 - 2", &h);
	expect_episode(&h, 0, "2026-W06", "", FLAGS_WHY_WINDOW, 4, 6,
	    "4 av 6 perioder", "4 of 6 periods");
	flags_history_clear(&h);

	/* A window of one: "1 av 1 vecka" in the first elevated week. */
	run_ok(&one, "0 3", &h);
	expect_episode(&h, 0, "2026-W02", "", FLAGS_WHY_WINDOW, 1, 1,
	    "1 av 1 vecka", "1 of 1 week");
	flags_history_clear(&h);

	memset(&conf, 0, sizeof(conf));
	conf.flag_level = 3;
	conf.flag_consecutive = 4;
	conf.flag_window = 8;
	conf.flag_within = 5;
	conf.flag_clear_after = 3;
	conf.cadence = CADENCE_FORTNIGHTLY;
	flags_rule_from_conf(&conf, &r);
	ck_assert_int_eq(r.level, 3);
	ck_assert_int_eq(r.consecutive, 4);
	ck_assert_int_eq(r.window, 8);
	ck_assert_int_eq(r.within, 5);
	ck_assert_int_eq(r.clear_after, 3);
	ck_assert_int_eq(r.unit, FLAGS_UNIT_PERIODS);
	conf.cadence = CADENCE_WEEKLY;
	flags_rule_from_conf(&conf, &r);
	ck_assert_int_eq(r.unit, FLAGS_UNIT_WEEKS);
}
END_TEST

START_TEST(test_rule_check)
{
	static const struct {
		struct flags_rule r;
		const char *cause;
	} bad[] = {
	    {{0, 3, 6, 4, 2, FLAGS_UNIT_WEEKS}, "flags: level must be 1-3"},
	    {{4, 3, 6, 4, 2, FLAGS_UNIT_WEEKS}, "flags: level must be 1-3"},
	    {{2, 0, 6, 4, 2, FLAGS_UNIT_WEEKS},
		"flags: consecutive must be at least 1"},
	    {{2, 3, 0, 0, 2, FLAGS_UNIT_WEEKS}, "flags: window must be 1-64"},
	    {{2, 3, 65, 4, 2, FLAGS_UNIT_WEEKS}, "flags: window must be 1-64"},
	    {{2, 3, 6, 7, 2, FLAGS_UNIT_WEEKS},
		"flags: within must be 1-window"},
	    {{2, 3, 6, 0, 2, FLAGS_UNIT_WEEKS},
		"flags: within must be 1-window"},
	    {{2, 3, 6, 4, 0, FLAGS_UNIT_WEEKS},
		"flags: clear_after must be at least 1"},
	};
	struct flags_history h;
	struct flags_point pt = {"2026-W01", 2};
	char *cause;
	size_t i;

	ck_assert_int_eq(flags_rule_check(&def, NULL), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cause = NULL;
		ck_assert_int_eq(flags_rule_check(&bad[i].r, &cause), -1);
		ck_assert_str_eq(cause, bad[i].cause);
		free(cause);
		cause = NULL;
		ck_assert_int_eq(flags_run(&bad[i].r, &pt, 1, &h, &cause), -1);
		ck_assert_str_eq(cause, bad[i].cause);
		ck_assert_uint_eq(h.n, 0);
		free(cause);
		flags_history_clear(&h);
	}
}
END_TEST

START_TEST(test_bad_input)
{
	struct flags_point pt[2] = {{"2026-W01", 2}, {"2026-W02", 4}};
	struct flags_history h;
	struct flags_state st, before;
	struct flags_rule bad = def;
	enum flags_change ch;
	char *cause = NULL;

	ck_assert_int_eq(flags_run(&def, pt, 2, &h, &cause), -1);
	ck_assert_str_eq(cause, "flags: 2026-W02: score 4 out of range");
	free(cause);
	flags_history_clear(&h);

	pt[1].score = -2;
	cause = NULL;
	ck_assert_int_eq(flags_run(&def, pt, 2, &h, &cause), -1);
	ck_assert_str_eq(cause, "flags: 2026-W02: score -2 out of range");
	free(cause);
	flags_history_clear(&h);

	pt[1].score = 2;
	pt[0].label = "a label far too long for a period";
	cause = NULL;
	ck_assert_int_eq(flags_run(&def, pt, 2, &h, &cause), -1);
	ck_assert_str_eq(cause, "flags: period 1: bad label");
	free(cause);
	flags_history_clear(&h);

	/* The empty series: nothing, the initial state. */
	ck_assert_int_eq(flags_run(&def, pt, 0, &h, NULL), 0);
	ck_assert_uint_eq(h.n, 0);
	expect_state(&h.state, false, 0, 0, 0);
	flags_history_clear(&h);

	/* A refused step leaves the state alone. */
	flags_state_init(&st);
	ck_assert_int_eq(flags_step(&def, &st, "2026-W01", 2, &ch), 0);
	before = st;
	ck_assert_int_eq(flags_step(&def, &st, "2026-W02", 4, &ch), -1);
	ck_assert_int_eq(ch, FLAGS_UNCHANGED);
	ck_assert_int_eq(flags_step(&def, &st, NULL, 2, &ch), -1);
	ck_assert_int_eq(
	    flags_step(&def, &st, "a label far too long", 2, &ch), -1);
	bad.within = 9;
	ck_assert_int_eq(flags_step(&bad, &st, "2026-W02", 2, &ch), -1);
	expect_same_state(&st, &before);
}
END_TEST

START_TEST(test_step_events)
{
	static const char *const labels[] = {"2026-W01", "2026-W02", "2026-W03",
	    "2026-W04", "2026-W05", "2026-W06"};
	static const int scores[] = {2, 2, 2, 0, RATING_NONE, 0};
	static const enum flags_change want[] = {FLAGS_UNCHANGED,
	    FLAGS_UNCHANGED, FLAGS_OPENED, FLAGS_UNCHANGED, FLAGS_UNCHANGED,
	    FLAGS_CLOSED};
	struct flags_state st;
	enum flags_change ch;
	size_t i;

	flags_state_init(&st);
	for (i = 0; i < 6; i++) {
		ck_assert_int_eq(
		    flags_step(&def, &st, labels[i], scores[i], &ch), 0);
		ck_assert_msg(ch == want[i], "period %zu: %d", i + 1, ch);
	}
	ck_assert(!st.open);
	ck_assert_str_eq(st.episode.opened, "2026-W03");
	ck_assert_str_eq(st.episode.closed, "2026-W06");
	ck_assert_str_eq(st.episode.reason_sv, "3 veckor i rad");
	expect_state(&st, false, 0, 0, 0);
}
END_TEST

START_TEST(test_wide_window)
{
	struct flags_rule r = {2, 64, 64, 64, 1, FLAGS_UNIT_WEEKS};
	struct flags_point pt[70];
	char labels[70][PERIOD_LABEL_MAX];
	struct flags_history h, stepped = {0, NULL, {0}};
	struct flags_state st;
	size_t i;

	/* 64 elevated weeks in a row fill the whole 64-bit window. */
	for (i = 0; i < 70; i++) {
		snprintf(labels[i], sizeof(labels[i]), "p%zu", i + 1);
		pt[i].label = labels[i];
		pt[i].score = 2;
	}
	ck_assert_int_eq(flags_run(&r, pt, 64, &h, NULL), 0);
	ck_assert_uint_eq(h.n, 1);
	expect_episode(&h, 0, "p64", "", FLAGS_WHY_CONSECUTIVE, 64, 0,
	    "64 veckor i rad", "64 weeks in a row");
	ck_assert_uint_eq(h.state.recent, UINT64_MAX);
	flags_history_clear(&h);

	ck_assert_int_eq(flags_run(&r, pt, 63, &h, NULL), 0);
	ck_assert_uint_eq(h.n, 0);
	flags_history_clear(&h);

	flags_state_init(&st);
	step_all(&r, pt, 0, 70, &st, &stepped);
	ck_assert_int_eq(flags_run(&r, pt, 70, &h, NULL), 0);
	ck_assert_uint_eq(stepped.n, 1);
	expect_same_state(&st, &h.state);
	ck_assert_int_eq(st.run, 70);
	flags_history_clear(&h);
	flags_history_clear(&stepped);
}
END_TEST

/* xorshift64*: the same sequence on every machine. */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static int
rnd_int(uint64_t *s, int lo, int hi)
{
	return lo + (int)(rnd(s) % (uint64_t)(hi - lo + 1));
}

START_TEST(test_step_agrees_with_run)
{
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	struct flags_point pt[SERIES_MAX];
	char labels[SERIES_MAX][PERIOD_LABEL_MAX];
	struct flags_history h, stepped, prefix;
	struct flags_state st;
	struct flags_rule r;
	size_t n, i, cut, episodes = 0;
	int iter, bias;

	for (i = 0; i < SERIES_MAX; i++) {
		snprintf(labels[i], sizeof(labels[i]), "p%zu", i + 1);
		pt[i].label = labels[i];
	}
	for (iter = 0; iter < 5000; iter++) {
		r.level = rnd_int(&seed, 1, 3);
		r.consecutive = rnd_int(&seed, 1, 6);
		r.window = rnd_int(&seed, 0, 9) == 0 ? rnd_int(&seed, 1, 64)
						     : rnd_int(&seed, 1, 10);
		r.within = rnd_int(&seed, 1, r.window);
		r.clear_after = rnd_int(&seed, 1, 4);
		r.unit = (enum flags_unit)rnd_int(&seed, 0, 1);
		n = (size_t)rnd_int(&seed, 0, SERIES_MAX);
		/* Vary how often a period is unassessed or high. */
		bias = rnd_int(&seed, 0, 3);
		for (i = 0; i < n; i++) {
			pt[i].score = rnd_int(&seed, -1, 3 + bias);
			if (pt[i].score > 3)
				pt[i].score = r.level;
		}

		ck_assert_int_eq(flags_run(&r, pt, n, &h, NULL), 0);
		memset(&stepped, 0, sizeof(stepped));
		flags_state_init(&st);
		step_all(&r, pt, 0, n, &st, &stepped);
		ck_assert_uint_eq(stepped.n, h.n);
		for (i = 0; i < h.n; i++)
			expect_same_episode(
			    &stepped.episodes[i], &h.episodes[i]);
		expect_same_state(&st, &h.state);

		/* Episodes open on elevated and close on below periods. */
		for (i = 0; i < h.n; i++) {
			const struct flags_episode *ep = &h.episodes[i];
			size_t o = (size_t)atoi(ep->opened + 1) - 1;

			ck_assert_int_ge(pt[o].score, r.level);
			if (ep->closed[0] != '\0')
				ck_assert_int_lt(
				    pt[atoi(ep->closed + 1) - 1].score,
				    r.level);
			/* Only the last episode may be open. */
			ck_assert_int_eq(ep->closed[0] == '\0',
			    i == h.n - 1 && h.state.open);
			/* A new episode opens after the last one closed. */
			if (i > 0)
				ck_assert_int_gt((int)o,
				    atoi(h.episodes[i - 1].closed + 1) - 1);
			episodes++;
		}

		/* The batch state carries on with steps to the same end. */
		cut = n == 0 ? 0 : (size_t)rnd_int(&seed, 0, (int)n);
		ck_assert_int_eq(flags_run(&r, pt, cut, &prefix, NULL), 0);
		st = prefix.state;
		step_all(&r, pt, cut, n, &st, &prefix);
		ck_assert_uint_eq(prefix.n, h.n);
		for (i = 0; i < h.n; i++)
			expect_same_episode(
			    &prefix.episodes[i], &h.episodes[i]);
		expect_same_state(&st, &h.state);

		flags_history_clear(&h);
		flags_history_clear(&stepped);
		flags_history_clear(&prefix);
	}
	/* The walk must have exercised the rule, not just quiet series. */
	ck_assert_uint_gt(episodes, 1000);
}
END_TEST

static Suite *
flags_suite(void)
{
	Suite *s = suite_create("flags");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_three_in_a_row);
	tcase_add_test(tc, test_four_of_six);
	tcase_add_test(tc, test_flapping);
	tcase_add_test(tc, test_close);
	tcase_add_test(tc, test_gaps);
	tcase_add_test(tc, test_reopen);
	tcase_add_test(tc, test_no_reopen_in_close_period);
	tcase_add_test(tc, test_level_three);
	tcase_add_test(tc, test_consecutive_one);
	tcase_add_test(tc, test_units);
	tcase_add_test(tc, test_rule_check);
	tcase_add_test(tc, test_bad_input);
	tcase_add_test(tc, test_step_events);
	tcase_add_test(tc, test_wide_window);
	suite_add_tcase(s, tc);

	tc = tcase_create("random");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_step_agrees_with_run);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return testutil_run(flags_suite());
}
