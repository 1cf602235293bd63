/*
 * submit: see submit.h.
 */
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "privacy.h"
#include "submit.h"
#include "writer.h"

static void
current_period(const struct conf *cf, time_t now, struct period *p)
{
	period_of_day(clock_local_days(now), cf->cadence == CADENCE_FORTNIGHTLY,
	    cf->fortnight_start, p);
}

size_t
submit_open_periods(const struct conf *cf, time_t now, struct period out[2])
{
	long first;
	time_t deadline;

	current_period(cf, now, &out[0]);
	first = period_first_day(&out[0]);
	deadline = clock_local_instant(first + cf->digest_at.wday - 1,
	    cf->digest_at.hour, cf->digest_at.minute);
	if (now >= deadline)
		return 1;
	period_prev(&out[0], cf->fortnight_start, &out[1]);
	return 2;
}

int
submit_resolve_period(const struct conf *cf, time_t now, struct report *r,
    bool json_names, struct report_errors *errs)
{
	struct period open[2];
	size_t n = submit_open_periods(cf, now, open);

	if (!r->has_period) {
		r->period = open[0];
		r->has_period = true;
		return 0;
	}
	if (cf->cadence == CADENCE_FORTNIGHTLY)
		period_of_day(period_first_day(&r->period), true,
		    cf->fortnight_start, &r->period);
	for (size_t i = 0; i < n; i++)
		if (period_cmp(&r->period, &open[i]) == 0)
			return 0;
	report_error_add(errs, "period",
	    "Perioden är stängd. Du kan rapportera för den här perioden och, "
	    "fram till att lägesbilden skickas, för den förra.",
	    "This period is closed. You can report for the current period "
	    "and, until the picture is sent out, for the previous one.");
	(void)json_names;
	return -1;
}

/*
 * Replace *text by its masked copy when it holds personal data. A marker
 * can be longer than what it replaces; the text is then cut to `max`
 * characters, so the stored text keeps its limit.
 */
static void
mask(char **text, size_t max, unsigned *found)
{
	unsigned kinds = 0;
	char *masked;
	size_t i, chars = 0;

	if (*text == NULL)
		return;
	masked = privacy_mask(*text, &kinds);
	if (kinds == 0) {
		free(masked);
		return;
	}
	for (i = 0; masked[i] != '\0'; i++) {
		if (((unsigned char)masked[i] & 0xc0) != 0x80 &&
		    chars++ == max) {
			masked[i] = '\0';
			break;
		}
	}
	free(*text);
	*text = masked;
	*found |= kinds;
}

enum submit_result
submit_report(struct app *app, const struct person *person, struct report *r,
    const char *source, bool json_names, struct report_errors *errs,
    struct report_saved *saved, unsigned *masked)
{
	time_t now = clock_now();
	char *cause = NULL;

	*masked = 0;
	if (!store_person_has_area(person, r->area))
		return SUBMIT_FORBIDDEN;
	if (submit_resolve_period(app->conf, now, r, json_names, errs) == -1)
		return SUBMIT_INVALID;
	mask(&r->place, PLACE_MAX, masked);
	mask(&r->note, NOTE_MAX, masked);
	if (writer_save_report(app->writer, person->id, r,
		&app->conf->checklist, now, source, saved, &cause) == -1) {
		log_warnx("report from person %lld not stored: %s", person->id,
		    cause);
		free(cause);
		return SUBMIT_UNAVAILABLE;
	}
	return SUBMIT_OK;
}
