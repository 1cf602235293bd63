/*
 * fuzz_json_report: any body through report_from_json, as POST
 * /api/v1/reports does.
 *
 * Oracles: the status is one of the three; MALFORMED carries exactly one
 * error with an empty field; every error is well formed; an accepted
 * report obeys report.h and survives report_to_json and
 * report_from_json unchanged.
 */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz.h"
#include "fuzz_report.h"
#include "report.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct checklist	*cl = fuzz_checklist();
	struct report		 r;
	struct report_errors	 errs;
	enum report_status	 st;

	st = report_from_json((const char *)data, size, cl, &r, &errs);
	fuzz_check_errors(&errs);
	switch (st) {
	case REPORT_OK:
		fuzz_check_accepted(&r, cl, &errs);
		break;
	case REPORT_MALFORMED:
		FUZZ_CHECK(errs.n == 1 && errs.e[0].field[0] == '\0');
		break;
	case REPORT_INVALID:
		FUZZ_CHECK(errs.n > 0);
		break;
	default:
		fuzz_fail("report_from_json returned %d", st);
	}
	report_clear(&r);
	return 0;
}
