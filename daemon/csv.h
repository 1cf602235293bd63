/*
 * csv: RFC 4180 reading and writing (UTF-8, comma, CRLF or LF, double
 * quotes doubled inside quoted fields). Pure.
 *
 * Callers: estctl import, analysis export.
 */
#ifndef ESTD_CSV_H
#define ESTD_CSV_H

#include <stddef.h>

#include "buf.h"

struct csv_reader;

/* A reader over data[0..len) (borrowed; must outlive the reader). */
struct csv_reader *csv_reader_new(const char *data, size_t len);
void csv_reader_free(struct csv_reader *);
/*
 * Next row. Returns 1 with *fields (array of n NUL-terminated strings,
 * owned by the caller: csv_row_free) and *line (1-based line where the
 * row starts), 0 at the end, or -1 with *cause (caller frees) for an
 * unterminated quote, a quote inside an unquoted field, text after a
 * closing quote, invalid UTF-8 or a NUL byte ("line 4: unterminated
 * quoted field"). Blank lines are skipped, wherever they are; a leading
 * UTF-8 BOM is ignored.
 */
int csv_next(
    struct csv_reader *, char ***fields, size_t *n, long *line, char **cause);
void csv_row_free(char **fields, size_t n);

/* Append one row, quoting fields that need it, ending in CRLF. */
void csv_write_row(struct buf *, const char *const *fields, size_t n);

#endif
