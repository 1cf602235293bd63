/*
 * page: the HTML pages people see (reporter form, receipt, error pages,
 * the key functions' picture, the steering group's analysis), rendered
 * from the templates and strings in reporter-form/. Pure: the
 * templates and the two string tables are loaded once by page_load; after
 * that, rendering reads no files and touches no globals, so any thread
 * may render.
 *
 * Languages: "sv" (default) and "en". Every user-visible word comes from
 * reporter-form/i18n/LANG.json or the templates, never from C strings,
 * except validation messages which report.c provides in both languages.
 *
 * Callers: HTTP handlers.
 */
#ifndef ESTD_PAGE_H
#define ESTD_PAGE_H

#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "conf.h"
#include "period.h"
#include "report.h"
#include "store.h"

struct page_set;

/* One choice of period on the form (the current one, maybe the previous). */
struct page_period {
	struct period period;
	const char *label; /* "2026-W47" */
	const char *description; /* "vecka 47, 16–22 november" */
};

struct form_view {
	const char *lang; /* "sv" or "en" */
	const char *action; /* "/r/TOKEN": where the form posts */
	const struct person *person;
	const struct area *areas; /* the reporter's areas, in order */
	size_t n_areas;
	const char *area; /* slug of the selected area */
	const struct page_period *periods; /* allowed periods, current first */
	size_t n_periods;
	size_t period_index; /* selected one */
	const struct checklist *checklist;
	/*
	 * Values to show: the submitted values after an error, else the
	 * stored report of the selected (area, period) when correcting, else
	 * NULL (an empty form).
	 */
	const struct report *values;
	/* When a report is already stored for this area and period. */
	const struct stored_report *stored;
	const struct report_errors *errors; /* NULL or n == 0: none */
};

struct receipt_view {
	const char *lang;
	const char *action; /* "/r/TOKEN" */
	const struct person *person;
	const char *area_name;
	const char *period_description;
	const struct checklist *checklist;
	const struct stored_report *stored;
	const char *submitted; /* "20 november 14:03", or NULL:
						   worded from stored->submitted */
	/*
	 * PRIVACY_* bits: kinds of personal data removed from the free
	 * text before it was stored (the page says so, and why).
	 */
	unsigned masked;
};

/* Longest texts of the picture page's forms, in characters. */
#define PAGE_COMMENT_MAX 1000 /* assessment and acknowledgement */
#define PAGE_WHAT_MAX 1000 /* what a measure does */
#define PAGE_WHO_MAX 200 /* who is responsible */

/* One form field as it was sent. */
struct page_field {
	const char *name;
	const char *value;
};

/*
 * A change to the picture that was refused (422): which form, its values
 * to show again and the errors, each next to its field ("status",
 * "comment", "what", "place", "who", "follow_up", "indicator").
 */
struct picture_refusal {
	const char *form; /* "assessment", "measure",
						   "ack" */
	const char *area; /* the area (not "ack") */
	long long flag_id; /* of "ack" */
	const struct page_field *values;
	size_t n_values;
	const struct report_errors *errors;
};

struct picture_view {
	const char *lang;
	const struct person *person; /* signed in */
	/*
	 * The picture (borrowed): gather_json() with the missing reporters,
	 * so contract §6 members plus measures and flag ids.
	 */
	json_t *picture;
	const char *period_label; /* "2026-W46" */
	const char *period_description;
	const char *prev_label; /* NULL: no link */
	const char *next_label; /* NULL: no link */
	const struct checklist *checklist;
	const char *csrf; /* the session's, every form */
	const struct picture_refusal *refused; /* NULL: none */
};

/*
 * The steering group's analysis of a quarter, tertial or year
 * (analysis.html): the areas ranked by need, a strip of every area's
 * status per reporting period, per area its figures, a chart of each
 * elevated indicator, the persisting problems with their history and the
 * measures with their figures before and after.
 */
struct analysis_view {
	const char *lang;
	/* Signed in; NULL for a document of its own (estctl --html). */
	const struct person *person;
	/* analysis_to_json of the reader's areas (borrowed). */
	json_t *analysis;
	const char *period_label; /* "2026-Q3" */
	const char *prev_label; /* NULL: no link */
	const char *next_label; /* NULL: no link */
	const struct checklist *checklist;
	const char *csrf; /* the session's (logout) */
	/*
	 * Where the charts are: NULL for the chart resources
	 * /k/analysis/PERIOD/chart/AREA/INDICATOR.svg, else an object from
	 * "AREA/INDICATOR" to each chart's src (data: URIs when the page is
	 * a file of its own).
	 */
	json_t *chart_srcs;
	/*
	 * The stylesheets' hrefs: NULL for /static/estd.css and
	 * /static/analysis.css.
	 */
	const char *stylesheet;
	const char *analysis_stylesheet;
};

/*
 * Load templates and strings from `dir` (reporter-form/). Returns a new
 * set (page_free) or NULL with *cause naming the file at fault.
 */
struct page_set *page_load(const char *dir, char **cause);
void page_free(struct page_set *);

/* "sv" or "en" from ?lang= and Accept-Language (either may be NULL). */
const char *page_pick_lang(const char *query_lang, const char *accept_language);

/*
 * Each renderer returns a new NUL-terminated HTML document (free(3))
 * and its length.
 */
char *page_form(const struct page_set *, const struct form_view *, size_t *len);
char *page_receipt(
    const struct page_set *, const struct receipt_view *, size_t *len);
/*
 * An error page for a person: status 401, 403, 404, 413, 429, 500 or 503
 * picks the title and explanation from the strings table.
 */
char *page_error(
    const struct page_set *, const char *lang, int status, size_t *len);
/*
 * The picture of one period with the forms that act on it. NULL when
 * the set has no picture.html (a copy of the templates from before the
 * key functions' pages): the caller answers with an error page.
 */
char *page_picture(
    const struct page_set *, const struct picture_view *, size_t *len);
/*
 * The analysis page. NULL when the set has no analysis.html: the
 * caller answers with an error page.
 */
char *page_analysis(
    const struct page_set *, const struct analysis_view *, size_t *len);
/* The page for a request without a live session (signed out, expired). */
char *page_signed_out(const struct page_set *, const char *lang, size_t *len);
/* The stylesheet (reporter-form/estd.css), borrowed from the set. */
const char *page_css(const struct page_set *, size_t *len);
/*
 * The analysis page's stylesheet (reporter-form/analysis.css, read when
 * the set has analysis.html), borrowed; "" without it.
 */
const char *page_analysis_css(const struct page_set *, size_t *len);

#endif
