/*
 * fuzz_form: a urlencoded body through form_decode, every field through
 * report_form_field over a fixed checklist, then report_check, as the
 * form handler does.
 *
 * Oracles: the decoder keeps its limits (fields, name and value
 * lengths, printable names, values NUL-terminated after len bytes);
 * form_encode of a decoded name and value decodes back to them; every
 * error is well formed; an accepted report obeys report.h and survives
 * report_to_json and report_from_json unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "form.h"
#include "fuzz.h"
#include "fuzz_report.h"
#include "report.h"

static const char *const ignored[] = { "token", "lang", "csrf", NULL };

/* The decoder's limits hold for every field. */
static void
check_fields(const struct form *f)
{
	const struct form_field	*ff;
	size_t			 i, k, nlen;

	FUZZ_CHECK(f->n <= FORM_FIELDS_MAX);
	for (i = 0; i < f->n; i++) {
		ff = &f->fields[i];
		nlen = strlen(ff->name);
		FUZZ_CHECK(nlen > 0 && nlen <= FORM_NAME_MAX);
		for (k = 0; k < nlen; k++)
			FUZZ_CHECK(ff->name[k] > 0x20 && ff->name[k] < 0x7f);
		FUZZ_CHECK(ff->len <= FORM_VALUE_MAX);
		FUZZ_CHECK(ff->value[ff->len] == '\0');
		FUZZ_CHECK(form_get(f, ff->name, NULL) != NULL);
	}
}

/* name=value encoded by form_encode decodes to the same pair. */
static void
check_encode(const struct form_field *ff)
{
	struct form	 f2;
	struct buf	 b = { NULL, 0, 0 };
	char		*cause = NULL;

	/* form_encode takes C strings. */
	if (memchr(ff->value, '\0', ff->len) != NULL)
		return;
	form_encode(&b, ff->name);
	buf_append(&b, "=", 1);
	form_encode(&b, ff->value);
	if (form_decode(b.data, b.len, &f2, &cause) == -1)
		fuzz_fail("form_encode output refused: %s", cause);
	FUZZ_CHECK(f2.n == 1);
	FUZZ_CHECK(strcmp(f2.fields[0].name, ff->name) == 0);
	FUZZ_CHECK(f2.fields[0].len == ff->len);
	FUZZ_CHECK(memcmp(f2.fields[0].value, ff->value, ff->len) == 0);
	form_clear(&f2);
	buf_reset(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct checklist	*cl = fuzz_checklist();
	struct form		 f;
	struct report		 r;
	struct report_errors	 errs;
	enum report_status	 st;
	char			*cause = NULL;
	size_t			 i;

	if (form_decode((const char *)data, size, &f, &cause) == -1) {
		FUZZ_CHECK(cause != NULL);
		FUZZ_CHECK(f.n == 0 && f.fields == NULL);
		free(cause);
		return 0;
	}
	check_fields(&f);

	report_init(&r);
	errs.n = 0;
	for (i = 0; i < f.n; i++) {
		st = report_form_field(&r, cl, f.fields[i].name,
		    f.fields[i].value, f.fields[i].len, ignored, &errs);
		FUZZ_CHECK(st == REPORT_OK || st == REPORT_INVALID);
		if (i < 8)
			check_encode(&f.fields[i]);
	}
	fuzz_check_errors(&errs);
	st = report_check(&r, cl, false, &errs);
	fuzz_check_errors(&errs);
	if (st == REPORT_OK)
		fuzz_check_accepted(&r, cl, &errs);
	else
		FUZZ_CHECK(st == REPORT_INVALID && errs.n > 0);
	report_clear(&r);
	form_clear(&f);
	return 0;
}
