/*
 * fuzz_report: the fixed checklist and the report oracles shared by
 * fuzz_form and fuzz_json_report. Whatever path a report came in by, an
 * accepted one must satisfy the rules of report.h, and its JSON
 * (report_to_json) must be accepted again as the same report.
 */
#ifndef ESTD_FUZZ_REPORT_H
#define ESTD_FUZZ_REPORT_H

#include <stdbool.h>
#include <string.h>

#include <jansson.h>

#include "conf.h"
#include "fuzz.h"
#include "report.h"

static char	fz_k0[] = "klotter", fz_k1[] = "brand", fz_k2[] = "vald";
static char	fz_sv0[] = "Klotter", fz_sv1[] = "Anlagda bränder",
		fz_sv2[] = "Hot, våld, bråk eller rån";
static char	fz_en0[] = "Graffiti", fz_en1[] = "Arson",
		fz_en2[] = "Threats, violence, fights or robbery";

/* Three indicators, as a small config/checklist.ini would give. */
static struct checklist *
fuzz_checklist(void)
{
	static struct indicator	items[3];
	static struct checklist	cl;
	char			*keys[3] = { fz_k0, fz_k1, fz_k2 };
	char			*sv[3] = { fz_sv0, fz_sv1, fz_sv2 };
	char			*en[3] = { fz_en0, fz_en1, fz_en2 };
	size_t			 i;

	if (cl.n == 0) {
		for (i = 0; i < 3; i++) {
			strcpy(items[i].key, keys[i]);
			items[i].sv = sv[i];
			items[i].en = en[i];
		}
		cl.items = items;
		cl.n = 3;
	}
	return &cl;
}

/* Every error names a field as valid, cut UTF-8 and has both texts. */
static void
fuzz_check_errors(const struct report_errors *errs)
{
	size_t	i, len;

	FUZZ_CHECK(errs->n <= REPORT_ERRORS_MAX);
	for (i = 0; i < errs->n; i++) {
		len = strnlen(errs->e[i].field, sizeof(errs->e[i].field));
		FUZZ_CHECK(len < sizeof(errs->e[i].field));
		FUZZ_CHECK(fuzz_valid_utf8(errs->e[i].field, len));
		FUZZ_CHECK(errs->e[i].sv != NULL && errs->e[i].en != NULL);
	}
}

static size_t
fuzz_chars(const char *s)
{
	size_t	n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static bool
fuzz_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\v' || c == '\f';
}

/* An accepted text: UTF-8, trimmed, not empty, within its length. */
static void
fuzz_check_text(const char *s, size_t max)
{
	size_t	len;

	if (s == NULL)
		return;
	len = strlen(s);
	FUZZ_CHECK(len > 0);
	FUZZ_CHECK(fuzz_valid_utf8(s, len));
	FUZZ_CHECK(!fuzz_space(s[0]) && !fuzz_space(s[len - 1]));
	FUZZ_CHECK(fuzz_chars(s) <= max);
}

static bool
fuzz_same_text(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/*
 * r was accepted (REPORT_OK): check it against report.h, then encode it
 * and decode it again.
 */
static void
fuzz_check_accepted(const struct report *r, const struct checklist *cl,
    const struct report_errors *errs)
{
	struct report		r2;
	struct report_errors	e2;
	enum report_status	st;
	json_t			*j;
	char			*s;
	size_t			 i;
	bool			 any = r->nothing || r->place != NULL ||
				    r->note != NULL;

	FUZZ_CHECK(errs->n == 0);
	FUZZ_CHECK(report_valid_slug(r->area));
	fuzz_check_text(r->place, PLACE_MAX);
	fuzz_check_text(r->note, NOTE_MAX);
	if (r->has_period)
		FUZZ_CHECK(r->period.kind == PERIOD_WEEK);
	for (i = 0; i < cl->n; i++) {
		FUZZ_CHECK(r->ratings[i] == RATING_NONE ||
		    (r->ratings[i] >= 0 && r->ratings[i] <= RATING_MAX));
		FUZZ_CHECK(r->counts[i] == COUNT_NONE ||
		    (r->counts[i] >= 0 && r->counts[i] <= COUNT_MAX));
		if (r->nothing)
			FUZZ_CHECK(r->ratings[i] == 0);
		if (r->ratings[i] != RATING_NONE || r->counts[i] != COUNT_NONE)
			any = true;
	}
	FUZZ_CHECK(any);

	j = report_to_json(r, cl);
	FUZZ_CHECK(j != NULL);
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	FUZZ_CHECK(s != NULL);
	st = report_from_json(s, strlen(s), cl, &r2, &e2);
	if (st != REPORT_OK)
		fuzz_fail("report_to_json gave %s, refused (%d, field \"%s\")",
		    s, st, e2.n > 0 ? e2.e[0].field : "");
	FUZZ_CHECK(strcmp(r->area, r2.area) == 0);
	FUZZ_CHECK(r->has_period == r2.has_period);
	if (r->has_period)
		FUZZ_CHECK(r->period.kind == r2.period.kind &&
		    r->period.year == r2.period.year &&
		    r->period.num == r2.period.num);
	for (i = 0; i < cl->n; i++) {
		FUZZ_CHECK(r->ratings[i] == r2.ratings[i]);
		FUZZ_CHECK(r->counts[i] == r2.counts[i]);
	}
	FUZZ_CHECK(fuzz_same_text(r->place, r2.place));
	FUZZ_CHECK(fuzz_same_text(r->note, r2.note));
	FUZZ_CHECK(r->nothing == r2.nothing);
	report_clear(&r2);
	free(s);
}

#endif
