/*
 * digest: the mails of the weekly cycle, rendered from the templates in
 * reporter-form/mail/. Pure: the caller loads the template set once
 * (tmpl_set_load on that folder) and passes everything in; rendering
 * reads no files, no clock and no globals, so any thread may render.
 *
 * Three mails:
 *
 *   digest    to a key function, from the picture JSON of exactly their
 *             areas (picture_to_json with with_missing): headline counts,
 *             what changed since the previous picture (indicators that
 *             went yellow or red, yellow that went red, yellow or red
 *             that went green, flags opened this period), then each area
 *             by status with its elevated or flagged indicators, open
 *             flags and for how long, the reporters' notes, coverage and
 *             who has not reported, and the link to the picture on the
 *             web. Beyond the cap the mail counts what it leaves out and
 *             links to the web page instead.
 *   reminder  to a reporter with areas not yet reported this period,
 *             with their personal link.
 *   analysis  to a member of the steering group when a quarter,
 *             tertial or year has closed: the areas most in need, the
 *             persisting problems, the biggest changes against the
 *             previous span, their personal link; the CSV goes with it
 *             as an attachment (added by the caller).
 *
 * Every word of the mails is in the templates; C only supplies values,
 * counts and the booleans the templates choose words by (a singular,
 * a level, a trend). Text templates are rendered by the same engine,
 * which escapes for HTML, so the text is unescaped afterwards (the five
 * entities buf_html writes): a text template must not itself contain
 * "&amp;", "&lt;", "&gt;", "&quot;" or "&#39;". reporter-form/mail/
 * README.md lists the names each template receives.
 *
 * Callers: jobs (the digest, reminder and analysis steps), estctl
 * digest --dry-run and estctl analysis.
 */
#ifndef ESTD_DIGEST_H
#define ESTD_DIGEST_H

#include <stddef.h>

#include <jansson.h>

#include "conf.h"
#include "tmpl.h"

#define DIGEST_MAX_AREAS 12 /* areas shown in full */
#define DIGEST_MAX_LINES 40 /* indicator lines, see max_lines */

/*
 * The templates digest_render and digest_render_reminder need, as
 * files of the set's folder: digest-subject.txt, digest.txt,
 * digest.html, reminder-subject.txt, reminder.txt, reminder.html.
 */

/* One rendered mail. Every string is owned (digest_mail_clear). */
struct digest_mail {
	char *subject; /* UTF-8, one line, no line break */
	char *text; /* text/plain, UTF-8, "\n" line ends */
	char *html; /* text/html, a whole document, UTF-8 */
};

/*
 * What a digest is made from. Everything is borrowed for the call.
 *
 * picture: contract §6 JSON with the "missing" members, narrowed to
 * the recipient's areas. previous: the same for the previous period and
 * the same areas, or NULL when there is none (the mail then says there
 * was nothing to compare with). An area or indicator absent from the
 * previous picture counts as not assessed then.
 *
 * max_areas: areas shown in full; the rest are counted. max_lines:
 * indicator lines, counted once in "what changed" and once over the
 * areas. An area is shown whole or not at all, except the first, which
 * is cut to max_lines if it alone is longer. 0 takes the default.
 */
struct digest_input {
	json_t *picture;
	json_t *previous;
	const struct checklist *checklist; /* names; NULL: keys shown */
	const char *name; /* recipient; NULL: no name */
	const char *url; /* the picture on the web */
	const char *week; /* "v. 47", "v. 47–48" */
	size_t max_areas;
	size_t max_lines;
};

/* What a reminder is made from. Everything is borrowed for the call. */
struct digest_reminder {
	const char *name; /* reporter; NULL: no name */
	const char *week; /* "vecka 47", for the subject */
	const char *period; /* "vecka 47, 16–22 november" */
	const char *const *areas; /* names of areas not reported */
	size_t n_areas;
	const char *url; /* the personal form link */
};

/* What an analysis mail shows in full by default; the rest is counted. */
#define DIGEST_ANALYSIS_AREAS 10
#define DIGEST_ANALYSIS_CHANGES 8
#define DIGEST_ANALYSIS_FLAGS 20

/*
 * What the steering group's analysis mail (and estctl's summary of an
 * analysis) is made from. Everything is borrowed for the call.
 *
 * analysis: contract §6 analysis JSON (analysis_to_json) of every area.
 * The summary names the areas most in need with their status counts,
 * the persisting problems still open at the end of the span, and the
 * biggest changes of an indicator's mean score against the previous
 * span. max_areas, max_flags, max_changes: shown in full, the rest
 * counted; 0 takes the default, SIZE_MAX shows all.
 */
struct digest_analysis {
	json_t *analysis;
	const struct checklist *checklist; /* names; NULL: keys shown */
	const char *name; /* recipient; NULL: no name */
	const char *url; /* the analysis on the web */
	const char *attachment; /* "analysis-2026-Q3.csv" */
	size_t max_areas;
	size_t max_flags;
	size_t max_changes;
};

/*
 * Render the digest into *out, whose strings the caller then owns
 * (digest_mail_clear). Returns 0, or -1 with *out cleared and *cause
 * (owned by the caller) when the picture is not an object with an
 * "areas" array or the set lacks one of the digest's templates.
 */
int digest_render(const struct tmpl_set *, const struct digest_input *,
    struct digest_mail *out, char **cause);

/* As digest_render, for a reminder. */
int digest_render_reminder(const struct tmpl_set *,
    const struct digest_reminder *, struct digest_mail *out, char **cause);

/*
 * As digest_render, for the analysis mail to a member of the steering
 * group (analysis-subject.txt, analysis.txt, analysis.html). Fails with
 * *cause when the analysis is not an object with an "areas" array.
 */
int digest_render_analysis(const struct tmpl_set *,
    const struct digest_analysis *, struct digest_mail *out, char **cause);

/*
 * The summary of an analysis alone, as plain text (the template
 * analysis-summary.txt, which the mail's text part includes): a new
 * string (free(3)), or NULL with *cause (owned by the caller).
 */
char *digest_analysis_text(
    const struct tmpl_set *, const struct digest_analysis *, char **cause);

/*
 * 0 if the set has every template the mails need, else -1 and *cause
 * (owned by the caller) naming the first one missing: for startup and
 * --check-config.
 */
int digest_check_templates(const struct tmpl_set *, char **cause);

/* Free the strings of *m and set them to NULL; m itself is the caller's. */
void digest_mail_clear(struct digest_mail *m);

#endif
