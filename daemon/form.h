/*
 * form: decode an application/x-www-form-urlencoded body or query
 * string. Pure. Limits are explicit: at most FORM_FIELDS_MAX fields, each
 * name at most FORM_NAME_MAX bytes and each value at most FORM_VALUE_MAX
 * bytes after decoding. Values may contain any byte (the caller checks
 * UTF-8); names must be printable ASCII.
 *
 * Callers: HTTP handlers.
 */
#ifndef ESTD_FORM_H
#define ESTD_FORM_H

#include <stddef.h>

#define FORM_FIELDS_MAX 200
#define FORM_NAME_MAX 64
#define FORM_VALUE_MAX 8192

struct form_field {
	char *name; /* NUL-terminated */
	char *value; /* NUL-terminated; may hold NULs: use len */
	size_t len;
};

struct form {
	size_t n;
	struct form_field *fields;
};

/*
 * Decode data[0..len) into *out (form_clear frees it). Returns 0, or -1
 * with *cause (caller frees) for a bad %-escape, too many fields, an
 * over-long name or value, or a name that is not printable ASCII.
 */
int form_decode(const char *data, size_t len, struct form *out, char **cause);
void form_clear(struct form *);
/* The first value named `name`, or NULL; *len set when not NULL. */
const char *form_get(const struct form *, const char *name, size_t *len);
/* Append `s` %-encoded for a query string value to the buf. */
struct buf;
void form_encode(struct buf *, const char *s);

#endif
