/*
 * digest: the mails of the weekly cycle, rendered from the templates in
 * reporter-form/mail/. Pure: the caller loads the template set once
 * (tmpl_set_load on that folder) and passes everything in; rendering
 * reads no files, no clock and no globals, so any thread may render.
 *
 * Two mails:
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
 *
 * Every word of the mails is in the templates; C only supplies values,
 * counts and the booleans the templates choose words by (a singular,
 * a level, a trend). Text templates are rendered by the same engine,
 * which escapes for HTML, so the text is unescaped afterwards (the five
 * entities buf_html writes): a text template must not itself contain
 * "&amp;", "&lt;", "&gt;", "&quot;" or "&#39;". reporter-form/mail/
 * README.md lists the names each template receives.
 *
 * Callers: jobs (the digest and reminder steps), estctl digest --dry-run.
 */
#ifndef ESTD_DIGEST_H
#define ESTD_DIGEST_H

#include <stddef.h>

#include <jansson.h>

#include "conf.h"
#include "tmpl.h"

#define DIGEST_MAX_AREAS	12	/* areas shown in full */
#define DIGEST_MAX_LINES	40	/* indicator lines, see max_lines */

/*
 * The templates digest_render and digest_render_reminder need, as
 * files of the set's folder: digest-subject.txt, digest.txt,
 * digest.html, reminder-subject.txt, reminder.txt, reminder.html.
 */

/* One rendered mail. Every string is owned (digest_mail_clear). */
struct digest_mail {
	char	*subject;	/* UTF-8, one line, no line break */
	char	*text;		/* text/plain, UTF-8, "\n" line ends */
	char	*html;		/* text/html, a whole document, UTF-8 */
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
	json_t			*picture;
	json_t			*previous;
	const struct checklist	*checklist;	/* names; NULL: keys shown */
	const char		*name;		/* recipient; NULL: no name */
	const char		*url;		/* the picture on the web */
	const char		*week;		/* "v. 47", "v. 47–48" */
	size_t			 max_areas;
	size_t			 max_lines;
};

/* What a reminder is made from. Everything is borrowed for the call. */
struct digest_reminder {
	const char		*name;		/* reporter; NULL: no name */
	const char		*week;		/* "vecka 47", for the subject */
	const char		*period;	/* "vecka 47, 16–22 november" */
	const char *const	*areas;		/* names of areas not reported */
	size_t			 n_areas;
	const char		*url;		/* the personal form link */
};

/*
 * Render the digest into *out, whose strings the caller then owns
 * (digest_mail_clear). Returns 0, or -1 with *out cleared and *cause
 * (owned by the caller) when the picture is not an object with an
 * "areas" array or the set lacks one of the digest's templates.
 */
int	digest_render(const struct tmpl_set *, const struct digest_input *,
	    struct digest_mail *out, char **cause);

/* As digest_render, for a reminder. */
int	digest_render_reminder(const struct tmpl_set *,
	    const struct digest_reminder *, struct digest_mail *out,
	    char **cause);

/*
 * 0 if the set has every template the mails need, else -1 and *cause
 * (owned by the caller) naming the first one missing: for startup and
 * --check-config.
 */
int	digest_check_templates(const struct tmpl_set *, char **cause);

/* Free the strings of *m and set them to NULL; m itself is the caller's. */
void	digest_mail_clear(struct digest_mail *m);

#endif
