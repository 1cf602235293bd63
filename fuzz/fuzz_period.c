/*
 * fuzz_period: any text through period_parse, as period labels arrive
 * in forms, the API, CSV import and estctl.
 *
 * Oracles: a label that parses formats back to itself and parses to the
 * same period; and the calendar agrees with itself for that period:
 * first day <= last day, a week is Monday to Sunday and contains the
 * days it is made of, the week before the next week is the week, the
 * containing quarter, tertial and year hold the week's Thursday, a
 * fortnight has one or two weeks, and the descriptions are UTF-8.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "period.h"

static int
same(const struct period *a, const struct period *b)
{
	return a->kind == b->kind && a->year == b->year && a->num == b->num;
}

static void
check_describe(const struct period *p)
{
	char	buf[128], small[8];

	period_describe(p, "sv", buf, sizeof(buf));
	FUZZ_CHECK(fuzz_valid_utf8(buf, strlen(buf)));
	period_describe(p, "en", buf, sizeof(buf));
	FUZZ_CHECK(fuzz_valid_utf8(buf, strlen(buf)));
	/* A short buffer is cut, never overrun. */
	period_describe(p, "sv", small, sizeof(small));
	FUZZ_CHECK(strlen(small) < sizeof(small));
}

static void
check_week(const struct period *w)
{
	static const enum period_kind containers[] = {
		PERIOD_QUARTER, PERIOD_TERTIAL, PERIOD_YEAR
	};
	struct period	prev, next, back, c, f, of;
	long		first = period_first_day(w), last = period_last_day(w);
	long		d;
	size_t		i;
	int		parity, weeks;

	FUZZ_CHECK(last - first == 6);
	FUZZ_CHECK(period_weekday(first) == 1);
	FUZZ_CHECK(w->num >= 1 && w->num <= period_weeks_in_year(w->year));
	for (d = first; d <= last; d++) {
		period_week_of_day(d, &of);
		FUZZ_CHECK(same(&of, w));
		period_of_day(d, false, PARITY_ODD, &of);
		FUZZ_CHECK(same(&of, w));
	}
	period_next(w, PARITY_ODD, &next);
	period_prev(&next, PARITY_ODD, &back);
	FUZZ_CHECK(same(&back, w));
	FUZZ_CHECK(period_first_day(&next) == last + 1);
	period_prev(w, PARITY_ODD, &prev);
	FUZZ_CHECK(period_last_day(&prev) == first - 1);
	FUZZ_CHECK(period_cmp(&prev, w) < 0 && period_cmp(w, &next) < 0);

	for (i = 0; i < sizeof(containers) / sizeof(containers[0]); i++) {
		period_container(w, containers[i], &c);
		FUZZ_CHECK(c.kind == containers[i]);
		FUZZ_CHECK(period_first_day(&c) <= first &&
		    last <= period_last_day(&c));
	}

	for (parity = PARITY_ODD; parity <= PARITY_EVEN; parity++) {
		f = *w;
		if (period_as_fortnight(&f, (enum fortnight_parity)parity) ==
		    -1)
			continue;
		FUZZ_CHECK(f.kind == PERIOD_FORTNIGHT);
		weeks = (int)((period_last_day_parity(&f,
		    (enum fortnight_parity)parity) - first + 1) / 7);
		FUZZ_CHECK(weeks == 1 || weeks == 2);
		period_of_day(first, true, (enum fortnight_parity)parity, &of);
		FUZZ_CHECK(same(&of, &f));
		period_of_day(first + 7 * weeks - 1, true,
		    (enum fortnight_parity)parity, &of);
		FUZZ_CHECK(same(&of, &f));
		check_describe(&f);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct period	 p, q;
	char		*label, out[PERIOD_LABEL_MAX];

	if (size > 64)
		return 0;
	label = fuzz_cstring(data, size);
	if (period_parse(label, &p) == 0) {
		period_format(&p, out);
		if (strcmp(out, label) != 0)
			fuzz_fail("\"%s\" parsed and formatted as \"%s\"",
			    fuzz_show(label, strlen(label)), out);
		FUZZ_CHECK(period_parse(out, &q) == 0 && same(&p, &q));
		FUZZ_CHECK(period_first_day(&p) <= period_last_day(&p));
		check_describe(&p);
		if (p.kind == PERIOD_WEEK)
			check_week(&p);
	}
	free(label);
	return 0;
}
