/*
 * mime: build one complete Internet message (RFC 5322 with MIME, RFC
 * 2045-2047 and 2231) as bytes with CRLF line ends, ready for the outbox
 * and for mail_send. Pure: no clock, no randomness, no I/O. The caller
 * passes the date, its UTC offset, the Message-ID and the boundary seed,
 * so the same input always gives the same bytes and a retry sends
 * exactly what was stored.
 *
 * The result is 7-bit clean, so the relay needs neither 8BITMIME nor
 * SMTPUTF8: text parts are UTF-8 quoted-printable, attachments base64,
 * non-ASCII header text RFC 2047 encoded-words (never splitting a UTF-8
 * character, no header line longer than 78 characters), non-ASCII
 * attachment names RFC 2231. Header values with CR or LF are refused
 * rather than cleaned, so user text can never add a header; addresses
 * must be plain ASCII local@domain.
 *
 * Callers: the jobs that render digests, reminders and analyses; mail
 * (addresses).
 */
#ifndef ESTD_MIME_H
#define ESTD_MIME_H

#include <stddef.h>
#include <time.h>

#include "buf.h"

/* Longest address accepted (RFC 5321's path limit less the brackets). */
#define MIME_ADDRESS_MAX 254

struct mime_attachment {
	const char *filename; /* UTF-8, no '/', '\\' or controls */
	const char *content_type; /* "text/csv; charset=utf-8" */
	const void *data;
	size_t len;
};

/*
 * Everything is borrowed for the duration of mime_build. A mailbox is
 * "local@domain" or "Display Name <local@domain>" (the name may be
 * UTF-8, or a "quoted string").
 */
struct mime_message {
	const char *from; /* one mailbox */
	const char *const *to; /* n_to mailboxes, n_to >= 1 */
	size_t n_to;
	const char *subject; /* UTF-8 */
	time_t date;
	int utc_offset; /* seconds east of UTC */
	const char *message_id; /* "id@host", without <> */
	/*
	 * [A-Za-z0-9._-]{1,60}, random per message; needed when there is
	 * html or an attachment. The boundaries are "=_SEED.a" and
	 * "=_SEED.m", which cannot occur in quoted-printable or base64.
	 */
	const char *boundary_seed;
	const char *text; /* text/plain, UTF-8, required */
	const char *html; /* text/html, UTF-8, or NULL */
	const struct mime_attachment *attachments;
	size_t n_attachments;
};

/*
 * Build the message. Without html and attachments the body is one
 * text/plain part; with html it is multipart/alternative (text, then
 * html); with attachments that is wrapped in multipart/mixed. Line
 * breaks in text and html (LF or CRLF) become CRLF hard breaks.
 * Returns 0 with *out (NUL-terminated, owned by the caller) and *len,
 * or -1 with *cause (owned by the caller), e.g. "subject contains a
 * line break" or "to: \"x\" is not a plain address (local@domain)".
 */
int mime_build(
    const struct mime_message *, char **out, size_t *len, char **cause);

/*
 * Split a mailbox into its display name ("" when there is none) and
 * address, both new strings owned by the caller. Returns 0, or -1 with
 * *cause (owned by the caller) when it holds a line break or control
 * character, is not UTF-8, or the address is not plain local@domain.
 */
int mime_mailbox(const char *mailbox, char **name, char **addr, char **cause);

/* 1 if s is a plain ASCII address local@domain (dot-atoms), else 0. */
int mime_valid_address(const char *s);

/*
 * Append s[0..len) quoted-printable (RFC 2045 6.7): lines of at most 76
 * characters with soft breaks, '=' and line-final blanks encoded, LF or
 * CRLF kept as CRLF hard breaks; a UTF-8 character is never split over
 * two lines. Nothing is added after the last byte.
 */
void mime_qp_encode(struct buf *, const char *s, size_t len);

/* Append data[0..len) in base64, 76 characters a line, CRLF between. */
void mime_base64_encode(struct buf *, const void *data, size_t len);

#endif
