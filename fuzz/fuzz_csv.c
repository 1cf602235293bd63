/*
 * fuzz_csv: the CSV reader over any bytes, as estctl import reads a
 * file, and the writer on what was read.
 *
 * Oracles: rows come with rising line numbers and fields of valid UTF-8
 * without NUL; an error reads "line N: ..." and is repeated by the next
 * call; and the round trip: each row read, written with csv_write_row
 * and read again, gives exactly that row and nothing more.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "csv.h"
#include "fuzz.h"

/* Write one row, read it back: the same fields, then the end. */
static void
round_trip(char **fields, size_t n)
{
	struct buf		 b = { NULL, 0, 0 };
	struct csv_reader	*r;
	char			**f2 = NULL, *cause = NULL;
	size_t			 n2 = 0, i;
	long			 line = 0;
	int			 rc;

	csv_write_row(&b, (const char *const *)fields, n);
	r = csv_reader_new(b.data, b.len);
	rc = csv_next(r, &f2, &n2, &line, &cause);
	if (rc != 1)
		fuzz_fail("csv_write_row output \"%s\" read as %d (%s)",
		    fuzz_show(b.data, b.len), rc, cause != NULL ? cause : "");
	if (n2 != n)
		fuzz_fail("csv_write_row output \"%s\" read as %zu fields, "
		    "not %zu", fuzz_show(b.data, b.len), n2, n);
	for (i = 0; i < n; i++)
		if (strcmp(fields[i], f2[i]) != 0)
			fuzz_fail("csv_write_row output \"%s\": field %zu "
			    "read as \"%s\", not \"%s\"",
			    fuzz_show(b.data, b.len), i,
			    fuzz_show(f2[i], strlen(f2[i])),
			    fuzz_show(fields[i], strlen(fields[i])));
	FUZZ_CHECK(line == 1);
	csv_row_free(f2, n2);
	FUZZ_CHECK(csv_next(r, &f2, &n2, &line, &cause) == 0);
	csv_reader_free(r);
	buf_reset(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv_reader	*r;
	char			**fields, *cause = NULL, *again = NULL;
	size_t			 n, i, rows = 0;
	long			 line, last = 0;
	int			 rc;

	r = csv_reader_new((const char *)data, size);
	while ((rc = csv_next(r, &fields, &n, &line, &cause)) == 1) {
		FUZZ_CHECK(n >= 1);
		FUZZ_CHECK(line > last);
		last = line;
		for (i = 0; i < n; i++)
			FUZZ_CHECK(fuzz_valid_utf8(fields[i],
			    strlen(fields[i])));
		if (rows++ < 64)
			round_trip(fields, n);
		csv_row_free(fields, n);
	}
	if (rc == -1) {
		FUZZ_CHECK(cause != NULL && strncmp(cause, "line ", 5) == 0);
		FUZZ_CHECK(strtol(cause + 5, NULL, 10) >= (last > 0 ? last : 1));
		FUZZ_CHECK(csv_next(r, &fields, &n, &line, &again) == -1);
		FUZZ_CHECK(strcmp(cause, again) == 0);
		free(again);
		free(cause);
	} else {
		FUZZ_CHECK(rc == 0);
		FUZZ_CHECK(csv_next(r, &fields, &n, &line, &cause) == 0);
	}
	csv_reader_free(r);
	return 0;
}
