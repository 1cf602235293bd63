/*
 * fuzz: helpers shared by the libFuzzer harnesses in this directory.
 * Header-only so each harness is one file plus the daemon modules it
 * tests. An oracle that fails calls fuzz_fail, which aborts: libFuzzer
 * then keeps the input as a crash and stops, as for a sanitizer report.
 */
#ifndef ESTD_FUZZ_H
#define ESTD_FUZZ_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	fuzz_fail(const char *, ...)
		    __attribute__((format(printf, 1, 2), noreturn, unused));

/* Say which oracle failed, then abort so libFuzzer keeps the input. */
static void
fuzz_fail(const char *fmt, ...)
{
	va_list	ap;

	fputs("fuzz oracle failed: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

#define FUZZ_CHECK(cond) do {						\
	if (!(cond))							\
		fuzz_fail("%s:%d: %s", __FILE__, __LINE__, #cond);	\
} while (0)

/*
 * s[0..len) with control and non-ASCII bytes as \xNN, for a message
 * before abort (never freed).
 */
static inline char *
fuzz_show(const char *s, size_t len)
{
	static const char	 hex[] = "0123456789abcdef";
	char			*out, *o;
	size_t			 i;

	if ((out = o = malloc(len * 4 + 1)) == NULL)
		abort();
	for (i = 0; i < len; i++) {
		unsigned char	c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '\\') {
			*o++ = (char)c;
			continue;
		}
		*o++ = '\\';
		*o++ = 'x';
		*o++ = hex[c >> 4];
		*o++ = hex[c & 15];
	}
	*o = '\0';
	return out;
}

/* data[0..size) as a C string, cut at the first NUL; caller frees. */
static inline char *
fuzz_cstring(const uint8_t *data, size_t size)
{
	const uint8_t	*nul = memchr(data, '\0', size);
	char		*s;

	if (nul != NULL)
		size = (size_t)(nul - data);
	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/*
 * Strict UTF-8 (shortest forms, no surrogates, at most U+10FFFF, no
 * NUL), written apart from the daemon's own checks so that it can judge
 * them.
 */
static inline int
fuzz_valid_utf8(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, n, k;
	unsigned		 cp;

	while (i < len) {
		if (p[i] == 0)
			return 0;
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if (p[i] >= 0xc2 && p[i] <= 0xdf) {
			n = 1;
			cp = p[i] & 0x1f;
		} else if (p[i] >= 0xe0 && p[i] <= 0xef) {
			n = 2;
			cp = p[i] & 0x0f;
		} else if (p[i] >= 0xf0 && p[i] <= 0xf4) {
			n = 3;
			cp = p[i] & 0x07;
		} else
			return 0;
		if (len - i <= n)
			return 0;
		for (k = 1; k <= n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return 0;
		i += n + 1;
	}
	return 1;
}

#endif
