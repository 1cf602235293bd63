/*
 * submit: the rules a submission passes before it is stored, shared by
 * the form and the JSON API: which periods are open, whether the area is
 * the reporter's, then the durable save through the writer.
 *
 * Callers: HTTP handlers.
 */
#ifndef ESTD_SUBMIT_H
#define ESTD_SUBMIT_H

#include <stddef.h>
#include <time.h>

#include "app.h"
#include "period.h"
#include "report.h"
#include "store.h"

enum submit_result {
	SUBMIT_OK, /* stored; *saved filled */
	SUBMIT_INVALID, /* 422: errors filled (period closed, ...) */
	SUBMIT_FORBIDDEN, /* 403: not this person's area */
	SUBMIT_UNAVAILABLE, /* 503: the database did not take it */
};

/*
 * The reporting periods open at `now`: the current one first, then the
 * previous one until digest_at in the current period. Returns how many
 * (1 or 2) were written to out.
 */
size_t submit_open_periods(
    const struct conf *, time_t now, struct period out[2]);
/*
 * Resolve the report's period (none given: the current one; a week
 * inside a fortnight: that fortnight) and check it is open. Returns 0,
 * or -1 with an error on field "period".
 */
int submit_resolve_period(const struct conf *, time_t now, struct report *,
    bool json_names, struct report_errors *);
/*
 * Check and durably save `report` for `person`. `source` is "form" or
 * "api". The report's period is resolved in place, and personal data in
 * its place and note (identity numbers, phone numbers, e-mail
 * addresses) is masked before it is stored; *masked gets the PRIVACY_*
 * kinds that were found, so the reporter can be told.
 */
enum submit_result submit_report(struct app *, const struct person *,
    struct report *, const char *source, bool json_names,
    struct report_errors *, struct report_saved *, unsigned *masked);

#endif
