/*
 * buf: a growable byte string. Never fails (xmalloc). The bytes are
 * always NUL-terminated so `data` can be used as a C string.
 *
 * Callers: everyone.
 */
#ifndef ESTD_BUF_H
#define ESTD_BUF_H

#include <stddef.h>

struct buf {
	char *data; /* owned; NULL until the first append */
	size_t len;
	size_t cap;
};

void buf_append(struct buf *, const void *, size_t);
void buf_puts(struct buf *, const char *);
void buf_printf(struct buf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
/* Append s with &<>"' replaced by HTML entities. */
void buf_html(struct buf *, const char *s);
/* Hand the bytes to the caller (free(3)); the buf is empty afterwards. */
char *buf_take(struct buf *, size_t *len);
void buf_reset(struct buf *);

#endif
