/*
 * form: see form.h. '+' is a space and %XX a byte, as browsers send.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "form.h"
#include "xmalloc.h"

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decode src[0..len) into a new NUL-terminated string (owned by the
 * caller). Returns NULL on a bad escape or when the result exceeds max.
 */
static char *
decode_part(const char *src, size_t len, size_t max, size_t *outlen)
{
	char *dst = xmalloc(len + 1);
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		int c = (unsigned char)src[i];

		if (c == '+')
			c = ' ';
		else if (c == '%') {
			int hi, lo;

			if (i + 2 >= len)
				goto bad;
			hi = hexval((unsigned char)src[i + 1]);
			lo = hexval((unsigned char)src[i + 2]);
			if (hi < 0 || lo < 0)
				goto bad;
			c = hi * 16 + lo;
			i += 2;
		}
		if (n >= max)
			goto bad;
		dst[n++] = (char)c;
	}
	dst[n] = '\0';
	*outlen = n;
	return dst;
bad:
	free(dst);
	return NULL;
}

int
form_decode(const char *data, size_t len, struct form *out, char **cause)
{
	const char *p = data, *end = data + len;

	out->n = 0;
	out->fields = NULL;
	while (p < end) {
		const char *amp, *eq;
		struct form_field *f;
		size_t nlen;

		amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end;
		if (amp == p) { /* "a=1&&b=2": skip the empty pair */
			p++;
			continue;
		}
		if (out->n >= FORM_FIELDS_MAX) {
			xasprintf(
			    cause, "more than %d fields", FORM_FIELDS_MAX);
			goto fail;
		}
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq == NULL)
			eq = amp;
		out->fields = xreallocarray(
		    out->fields, out->n + 1, sizeof(*out->fields));
		f = &out->fields[out->n];
		f->name =
		    decode_part(p, (size_t)(eq - p), FORM_NAME_MAX, &nlen);
		if (f->name == NULL) {
			xasprintf(cause, "field %zu: bad or over-long name",
			    out->n + 1);
			goto fail;
		}
		for (size_t i = 0; i < nlen; i++) {
			unsigned char c = (unsigned char)f->name[i];

			if (c < 0x21 || c > 0x7e) {
				free(f->name);
				xasprintf(
				    cause, "field %zu: bad name", out->n + 1);
				goto fail;
			}
		}
		if (nlen == 0) {
			free(f->name);
			xasprintf(cause, "field %zu: empty name", out->n + 1);
			goto fail;
		}
		f->value = eq < amp
		    ? decode_part(eq + 1, (size_t)(amp - eq - 1),
			  FORM_VALUE_MAX, &f->len)
		    : xstrdup("");
		if (eq == amp)
			f->len = 0;
		if (f->value == NULL) {
			xasprintf(cause,
			    "field \"%s\": bad escape or over %d bytes",
			    f->name, FORM_VALUE_MAX);
			free(f->name);
			goto fail;
		}
		out->n++;
		p = amp < end ? amp + 1 : end;
	}
	return 0;
fail:
	form_clear(out);
	return -1;
}

void
form_clear(struct form *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->fields[i].name);
		free(f->fields[i].value);
	}
	free(f->fields);
	f->fields = NULL;
	f->n = 0;
}

const char *
form_get(const struct form *f, const char *name, size_t *len)
{
	for (size_t i = 0; i < f->n; i++) {
		if (strcmp(f->fields[i].name, name) == 0) {
			if (len != NULL)
				*len = f->fields[i].len;
			return f->fields[i].value;
		}
	}
	return NULL;
}

void
form_encode(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~') {
			buf_append(b, s, 1);
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};

			buf_append(b, e, 3);
		}
	}
}
