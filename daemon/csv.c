/*
 * csv: RFC 4180 reading and writing over memory buffers.
 *
 * The reader accepts what spreadsheets and editors actually write: CRLF,
 * LF or a lone CR as line end, a UTF-8 byte order mark at the start,
 * quoted fields holding commas, doubled quotes and line breaks. Blank
 * lines are skipped wherever they are, so a file ending in several
 * newlines, or with an empty line between two blocks, reads the same as
 * one without; a row of one empty field must be written as "" (the
 * writer does so). Line numbers count physical lines, so an error names
 * the line an editor shows.
 *
 * Every byte is checked as it is read: invalid UTF-8 and NUL end the
 * reading with the line of the offending byte. After an error the reader
 * keeps returning it.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "csv.h"
#include "xmalloc.h"

struct csv_reader {
	const char *data; /* borrowed */
	size_t len;
	size_t pos;
	long line; /* physical line of data[pos] */
	char *error; /* owned; set once reading has failed */
};

/* A row being read: fields as they complete. */
struct row {
	char **fields; /* owned */
	size_t n;
	size_t cap;
};

static void
row_push(struct row *row, char *field)
{
	if (row->n == row->cap) {
		row->cap = row->cap == 0 ? 8 : row->cap * 2;
		row->fields =
		    xreallocarray(row->fields, row->cap, sizeof(*row->fields));
	}
	row->fields[row->n++] = field;
}

/*
 * Length of the UTF-8 sequence at p (at most n bytes available), or 0 if
 * it is invalid: overlong forms, surrogates and code points above
 * U+10FFFF are refused as by report_valid_utf8.
 */
static size_t
utf8_seq(const unsigned char *p, size_t n)
{
	size_t need, i;
	unsigned cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		need = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		need = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		need = 4;
		cp = p[0] & 0x07;
	} else
		return 0;
	if (n < need)
		return 0;
	for (i = 1; i < need; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((need == 3 && cp < 0x800) || (need == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return need;
}

/*
 * Length of the line end at data[pos] (CRLF 2, LF or CR 1), 0 if there
 * is none.
 */
static size_t
line_end(const struct csv_reader *r, size_t pos)
{
	if (pos >= r->len)
		return 0;
	if (r->data[pos] == '\n')
		return 1;
	if (r->data[pos] == '\r')
		return pos + 1 < r->len && r->data[pos + 1] == '\n' ? 2 : 1;
	return 0;
}

static int
fail(struct csv_reader *r, long line, const char *what)
{
	free(r->error);
	xasprintf(&r->error, "line %ld: %s", line, what);
	return -1;
}

/*
 * Copy the byte or UTF-8 sequence at r->pos into b after checking it.
 * Line ends are the caller's business.
 */
static int
take_char(struct csv_reader *r, struct buf *b)
{
	const unsigned char *p = (const unsigned char *)r->data + r->pos;
	size_t n;

	if (*p == '\0')
		return fail(r, r->line, "NUL byte");
	if ((n = utf8_seq(p, r->len - r->pos)) == 0)
		return fail(r, r->line, "invalid UTF-8");
	buf_append(b, p, n);
	r->pos += n;
	return 0;
}

/*
 * Read a quoted field; r->pos is at the opening quote. Leaves r->pos at
 * the separator, line end or end of data that follows the closing quote.
 */
static int
read_quoted(struct csv_reader *r, struct buf *b)
{
	long start = r->line;
	size_t eol;

	r->pos++;
	for (;;) {
		if (r->pos >= r->len)
			return fail(r, start, "unterminated quoted field");
		if (r->data[r->pos] == '"') {
			if (r->pos + 1 < r->len && r->data[r->pos + 1] == '"') {
				buf_append(b, "\"", 1);
				r->pos += 2;
				continue;
			}
			r->pos++;
			break;
		}
		if ((eol = line_end(r, r->pos)) != 0) {
			buf_append(b, r->data + r->pos, eol);
			r->pos += eol;
			r->line++;
			continue;
		}
		if (take_char(r, b) == -1)
			return -1;
	}
	if (r->pos < r->len && r->data[r->pos] != ',' &&
	    line_end(r, r->pos) == 0)
		return fail(
		    r, r->line, "unexpected character after closing quote");
	return 0;
}

/* Read an unquoted field up to the separator, line end or end of data. */
static int
read_plain(struct csv_reader *r, struct buf *b)
{
	while (r->pos < r->len && r->data[r->pos] != ',' &&
	    line_end(r, r->pos) == 0) {
		if (r->data[r->pos] == '"')
			return fail(r, r->line, "quote inside unquoted field");
		if (take_char(r, b) == -1)
			return -1;
	}
	return 0;
}

/* The reader borrows data; it must outlive the reader. */
struct csv_reader *
csv_reader_new(const char *data, size_t len)
{
	struct csv_reader *r;

	r = xcalloc(1, sizeof(*r));
	r->data = data;
	r->len = len;
	r->line = 1;
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		r->pos = 3;
	return r;
}

void
csv_reader_free(struct csv_reader *r)
{
	if (r == NULL)
		return;
	free(r->error);
	free(r);
}

/*
 * On 1, *fields and its strings belong to the caller (csv_row_free); on
 * -1, *cause does (free(3)).
 */
int
csv_next(
    struct csv_reader *r, char ***fields, size_t *n, long *line, char **cause)
{
	struct row row = {NULL, 0, 0};
	struct buf b = {NULL, 0, 0};
	size_t eol;
	long start;

	*fields = NULL;
	*n = 0;
	if (r->error != NULL)
		goto fail;

	/* Blank lines are not rows. */
	while ((eol = line_end(r, r->pos)) != 0) {
		r->pos += eol;
		r->line++;
	}
	if (r->pos >= r->len)
		return 0;

	start = r->line;
	for (;;) {
		if (r->pos < r->len && r->data[r->pos] == '"') {
			if (read_quoted(r, &b) == -1)
				goto fail;
		} else if (read_plain(r, &b) == -1)
			goto fail;
		row_push(&row, buf_take(&b, NULL));

		if (r->pos < r->len && r->data[r->pos] == ',') {
			r->pos++;
			continue;
		}
		if ((eol = line_end(r, r->pos)) != 0) {
			r->pos += eol;
			r->line++;
		}
		break;
	}
	*fields = row.fields;
	*n = row.n;
	*line = start;
	return 1;

fail:
	buf_reset(&b);
	csv_row_free(row.fields, row.n);
	*cause = xstrdup(r->error);
	return -1;
}

/* Frees the strings and the array returned by csv_next. */
void
csv_row_free(char **fields, size_t n)
{
	size_t i;

	if (fields == NULL)
		return;
	for (i = 0; i < n; i++)
		free(fields[i]);
	free(fields);
}

/*
 * Quoted when the field holds a separator, quote or line break, starts
 * or ends with white space that a spreadsheet would otherwise trim, or
 * starts with a byte order mark, which a reader skips at the start of
 * the data.
 */
static int
needs_quotes(const char *s)
{
	size_t len = strlen(s);

	if (len == 0)
		return 0;
	if (strpbrk(s, ",\"\r\n") != NULL || strncmp(s, "\xef\xbb\xbf", 3) == 0)
		return 1;
	return s[0] == ' ' || s[0] == '\t' || s[len - 1] == ' ' ||
	    s[len - 1] == '\t';
}

void
csv_write_row(struct buf *b, const char *const *fields, size_t n)
{
	const char *s, *q;
	size_t i;

	for (i = 0; i < n; i++) {
		s = fields[i] != NULL ? fields[i] : "";
		if (i > 0)
			buf_append(b, ",", 1);
		if (n == 1 && *s == '\0') {
			/* A bare empty line would read back as no row. */
			buf_append(b, "\"\"", 2);
			continue;
		}
		if (!needs_quotes(s)) {
			buf_puts(b, s);
			continue;
		}
		buf_append(b, "\"", 1);
		while ((q = strchr(s, '"')) != NULL) {
			buf_append(b, s, (size_t)(q - s) + 1);
			buf_append(b, "\"", 1);
			s = q + 1;
		}
		buf_puts(b, s);
		buf_append(b, "\"", 1);
	}
	buf_append(b, "\r\n", 2);
}
