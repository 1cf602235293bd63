/*
 * mime: RFC 5322 messages with MIME bodies, built in memory.
 *
 * Headers are written token by token: each token follows one space, and
 * when it would take the line past 78 characters the space becomes a
 * fold (CRLF SP) instead. Encoded-words are sized before they are
 * written so that each fits both its line and the 75-character limit of
 * RFC 2047; the whitespace between adjacent encoded-words is ignored by
 * decoders, so spaces in the text travel inside the words as '_'.
 *
 * Everything is checked before a byte is written, so a refused message
 * never leaves half a result behind.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "mime.h"
#include "xmalloc.h"

#define LINE_MAX_HDR 78 /* RFC 5322 2.1.1 */
#define WORD_MAX 75 /* RFC 2047 2 */
#define QP_LINE_MAX 76 /* RFC 2045 6.7 (5) */
#define B64_LINE_MAX 76
#define WORD_OPEN "=?UTF-8?Q?"
#define WORD_CLOSE "?="
#define WORD_OVERHEAD 12 /* strlen(WORD_OPEN) + strlen(WORD_CLOSE) */
#define CHAR_WIDTH_MAX 12 /* a 4-byte character, each byte =XX */
#define SEED_MAX 60
#define MESSAGE_ID_MAX 250
#define FILENAME_SAFE_MAX 60

static const char hexdigits[] = "0123456789ABCDEF";

/* A header being written: the line so far and whether it holds a token. */
struct hdr {
	struct buf *b;
	size_t col;
	int tokens; /* tokens on the current line */
};

/*
 * Length of the UTF-8 sequence at p (n bytes available), or 0 if it is
 * invalid: overlong forms, surrogates and code points above U+10FFFF
 * are refused.
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

static int
valid_utf8(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;

	while (i < len) {
		if ((n = utf8_seq(p + i, len - i)) == 0)
			return 0;
		i += n;
	}
	return 1;
}

/*
 * Text that goes into a header: one line of UTF-8 without control
 * characters. CR and LF get their own message since they are what a
 * header injection would use.
 */
static int
check_header_text(const char *what, const char *s, char **cause)
{
	const unsigned char *p;

	if (strpbrk(s, "\r\n") != NULL) {
		xasprintf(cause, "%s contains a line break", what);
		return -1;
	}
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			xasprintf(
			    cause, "%s contains a control character", what);
			return -1;
		}
	}
	if (!valid_utf8(s, strlen(s))) {
		xasprintf(cause, "%s is not valid UTF-8", what);
		return -1;
	}
	return 0;
}

/* RFC 5322 atext. */
static int
is_atext(unsigned char c)
{
	return isalnum(c) ||
	    (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* dot-atom-text: atext runs joined by single dots. */
static int
valid_dot_atom(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || s[0] == '.' || s[len - 1] == '.')
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (s[i + 1] == '.')
				return 0;
		} else if (!is_atext((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

int
mime_valid_address(const char *s)
{
	const char *at, *label, *p;
	size_t len, n;

	len = strlen(s);
	if (len == 0 || len > MIME_ADDRESS_MAX)
		return 0;
	if ((at = strchr(s, '@')) == NULL || strchr(at + 1, '@') != NULL)
		return 0;
	if (at - s > 64 || !valid_dot_atom(s, at - s))
		return 0;

	/* The domain: LDH labels of 1-63 characters, no empty label. */
	label = at + 1;
	if (*label == '\0')
		return 0;
	for (;;) {
		for (p = label; isalnum((unsigned char)*p) || *p == '-'; p++)
			;
		n = p - label;
		if (n == 0 || n > 63 || label[0] == '-' || p[-1] == '-')
			return 0;
		if (*p == '\0')
			return 1;
		if (*p != '.')
			return 0;
		label = p + 1;
	}
}

static char *
trim(const char *s, size_t len)
{
	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	return xstrndup(s, len);
}

int
mime_mailbox(const char *mailbox, char **name, char **addr, char **cause)
{
	char *t = NULL, *lt, *n = NULL, *a = NULL, *src, *dst;
	size_t len;
	int rc = -1;

	*name = *addr = NULL;
	if (check_header_text("mailbox", mailbox, cause) == -1)
		goto done;
	t = trim(mailbox, strlen(mailbox));
	len = strlen(t);
	if (len > 0 && t[len - 1] == '>' && (lt = strrchr(t, '<')) != NULL) {
		a = xstrndup(lt + 1, t + len - 1 - (lt + 1));
		n = trim(t, lt - t);
		len = strlen(n);
		/* A quoted display name: drop the quotes and the escapes. */
		if (len >= 2 && n[0] == '"' && n[len - 1] == '"') {
			n[len - 1] = '\0';
			for (src = n + 1, dst = n; *src != '\0'; src++) {
				if (*src == '\\' && src[1] != '\0')
					src++;
				*dst++ = *src;
			}
			*dst = '\0';
		}
	} else {
		a = xstrdup(t);
		n = xstrdup("");
	}
	if (!mime_valid_address(a)) {
		xasprintf(cause,
		    "\"%s\" is not a plain address "
		    "(local@domain)",
		    a);
		goto done;
	}
	*name = n;
	*addr = a;
	n = a = NULL;
	rc = 0;
done:
	free(t);
	free(n);
	free(a);
	return rc;
}

/*
 * Header writing.
 */

static void
hdr_begin(struct hdr *h, struct buf *b, const char *name)
{
	h->b = b;
	buf_puts(b, name);
	buf_puts(b, ":");
	h->col = strlen(name) + 1;
	h->tokens = 0;
}

/* One token after a space, or after a fold when the line would be full. */
static void
hdr_token(struct hdr *h, const char *tok, size_t len)
{
	if (h->tokens > 0 && h->col + 1 + len > LINE_MAX_HDR) {
		buf_puts(h->b, "\r\n");
		h->col = 0;
		h->tokens = 0;
	}
	buf_puts(h->b, " ");
	buf_append(h->b, tok, len);
	h->col += 1 + len;
	h->tokens++;
}

static void
hdr_end(struct hdr *h)
{
	buf_puts(h->b, "\r\n");
}

/*
 * Q encoding (RFC 2047 4.2, 5). In a phrase (display name) only letters,
 * digits and !*+-/ stand for themselves; in unstructured text (Subject)
 * any printable but '=', '?' and '_' does.
 */
static int
q_literal(unsigned char c, int phrase)
{
	if (isalnum(c))
		return 1;
	if (phrase)
		return strchr("!*+-/", c) != NULL;
	return c > 0x20 && c < 0x7f && c != '=' && c != '?' && c != '_';
}

static size_t
q_width(const unsigned char *p, size_t n, int phrase)
{
	size_t i, w = 0;

	for (i = 0; i < n; i++)
		w += (p[i] == ' ' || q_literal(p[i], phrase)) ? 1 : 3;
	return w;
}

static void
q_append(struct buf *b, const unsigned char *p, size_t n, int phrase)
{
	size_t i;
	char hex[3];

	for (i = 0; i < n; i++) {
		if (p[i] == ' ')
			buf_puts(b, "_");
		else if (q_literal(p[i], phrase))
			buf_append(b, p + i, 1);
		else {
			hex[0] = '=';
			hex[1] = hexdigits[p[i] >> 4];
			hex[2] = hexdigits[p[i] & 0xf];
			buf_append(b, hex, 3);
		}
	}
}

/*
 * All of s (valid UTF-8) as encoded-words. Each word is filled as far as
 * the current line allows, or up to 75 characters on a new line when
 * less than one widest character would fit; characters are never split.
 * A word that must end ends after a space when one lies in its second
 * half: decoders that wrongly keep the fold between words (Python's
 * address parser does, in display names) then show "a  b", not "a b"
 * inside a word.
 */
static void
hdr_encoded(struct hdr *h, const char *s, int phrase)
{
	const unsigned char *p = (const unsigned char *)s, *cut_p = NULL;
	struct buf word = {NULL, 0, 0};
	size_t rest = strlen(s), room, n, w;
	size_t cut_len = 0, cut_rest = 0;

	while (rest > 0) {
		room =
		    h->col + 1 < LINE_MAX_HDR ? LINE_MAX_HDR - h->col - 1 : 0;
		if (room < WORD_OVERHEAD + CHAR_WIDTH_MAX)
			room = WORD_MAX;
		if (room > WORD_MAX)
			room = WORD_MAX;
		buf_reset(&word);
		buf_puts(&word, WORD_OPEN);
		cut_len = 0;
		while (rest > 0) {
			n = utf8_seq(p, rest);
			w = q_width(p, n, phrase);
			if (word.len + w + strlen(WORD_CLOSE) > room) {
				if (cut_len > 0 && 2 * cut_len >= room) {
					word.len = cut_len;
					word.data[cut_len] = '\0';
					p = cut_p;
					rest = cut_rest;
				}
				break;
			}
			q_append(&word, p, n, phrase);
			p += n;
			rest -= n;
			if (p[-1] == ' ') {
				cut_len = word.len;
				cut_p = p;
				cut_rest = rest;
			}
		}
		buf_puts(&word, WORD_CLOSE);
		hdr_token(h, word.data, word.len);
	}
	buf_reset(&word);
}

/*
 * Unstructured text that can go as it is: printable ASCII, words of a
 * length that fits a folded line, single spaces between them, and
 * nothing a decoder could take for an encoded-word.
 */
static int
plain_words(const char *s, size_t maxword)
{
	const char *p;
	size_t run = 0;

	if (*s == ' ' || strstr(s, "=?") != NULL)
		return 0;
	for (p = s; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			return 0;
		if (*p == ' ') {
			if (p[1] == ' ' || p[1] == '\0')
				return 0;
			run = 0;
		} else if (++run > maxword)
			return 0;
	}
	return 1;
}

/* Space-separated words as tokens, so folding can happen between them. */
static void
hdr_words(struct hdr *h, const char *s)
{
	const char *p, *sp;

	for (p = s; *p != '\0'; p = *sp == '\0' ? sp : sp + 1) {
		if ((sp = strchr(p, ' ')) == NULL)
			sp = p + strlen(p);
		hdr_token(h, p, sp - p);
	}
}

static void
hdr_subject(struct hdr *h, const char *s)
{
	if (plain_words(s, LINE_MAX_HDR - 1 - strlen("Subject:")))
		hdr_words(h, s);
	else
		hdr_encoded(h, s, 0);
}

/* A display name as atoms, a quoted-string or encoded-words. */
static void
hdr_phrase(struct hdr *h, const char *name)
{
	struct buf q = {NULL, 0, 0};
	const char *p;
	int atoms = 1, ascii = 1;

	if (!plain_words(name, 40))
		atoms = ascii = 0;
	for (p = name; *p != '\0' && ascii; p++) {
		if ((unsigned char)*p >= 0x80)
			ascii = 0;
		else if (*p != ' ' && !is_atext((unsigned char)*p))
			atoms = 0;
	}
	if (ascii && atoms)
		hdr_words(h, name);
	else if (ascii && strlen(name) <= 60) {
		buf_puts(&q, "\"");
		for (p = name; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\')
				buf_puts(&q, "\\");
			buf_append(&q, p, 1);
		}
		buf_puts(&q, "\"");
		hdr_token(h, q.data, q.len);
		buf_reset(&q);
	} else
		hdr_encoded(h, name, 1);
}

/* A checked mailbox: name (may be "") and address, then `after`. */
static void
hdr_mailbox(
    struct hdr *h, const char *name, const char *addr, const char *after)
{
	char *tok;

	if (*name == '\0')
		xasprintf(&tok, "%s%s", addr, after);
	else {
		hdr_phrase(h, name);
		xasprintf(&tok, "<%s>%s", addr, after);
	}
	hdr_token(h, tok, strlen(tok));
	free(tok);
}

static int
date_header(struct buf *b, time_t t, int offset, char **cause)
{
	static const char *const days[] = {
	    "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	struct tm tm;
	time_t local;
	int a;

	if (offset % 60 != 0 || offset <= -86400 || offset >= 86400) {
		xasprintf(cause,
		    "UTC offset %d is not whole minutes within "
		    "a day",
		    offset);
		return -1;
	}
	local = t + offset;
	if (gmtime_r(&local, &tm) == NULL || tm.tm_year + 1900 > 9999 ||
	    tm.tm_year + 1900 < 1900) {
		xasprintf(cause, "date out of range");
		return -1;
	}
	a = offset < 0 ? -offset : offset;
	buf_printf(b, "Date: %s, %d %s %d %02d:%02d:%02d %c%02d%02d\r\n",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
	    tm.tm_hour, tm.tm_min, tm.tm_sec, offset < 0 ? '-' : '+', a / 3600,
	    (a % 3600) / 60);
	return 0;
}

static int
valid_message_id(const char *s)
{
	const char *at;
	size_t len = strlen(s);

	if (len > MESSAGE_ID_MAX || (at = strchr(s, '@')) == NULL ||
	    strchr(at + 1, '@') != NULL)
		return 0;
	return valid_dot_atom(s, at - s) &&
	    valid_dot_atom(at + 1, len - (at + 1 - s));
}

static int
valid_seed(const char *s)
{
	size_t len = strlen(s);

	return len > 0 && len <= SEED_MAX &&
	    strspn(s,
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		"0123456789._-") == len;
}

/* "type/subtype" with optional parameters, printable ASCII. */
static int
valid_content_type(const char *s)
{
	const char *p, *slash;

	if ((slash = strchr(s, '/')) == NULL || slash == s)
		return 0;
	for (p = s; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			return 0;
	}
	return slash[1] != '\0' && slash[1] != ';' && slash[1] != ' ';
}

/*
 * Quoted-printable.
 */

void
mime_qp_encode(struct buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, eol, end, k, n, j, w, col;
	char tok[CHAR_WIDTH_MAX];
	unsigned char c;
	int last, force, lit;

	while (i < len) {
		/* One hard line: [i, end), its break (if any) at eol. */
		for (eol = i; eol < len && p[eol] != '\n'; eol++)
			;
		end = eol;
		if (eol < len && end > i && p[end - 1] == '\r')
			end--;

		col = 0;
		for (k = i; k < end; k += n) {
			if ((n = utf8_seq(p + k, end - k)) == 0)
				n = 1;
			last = k + n == end;
			for (force = 0;; force = 1) {
				w = 0;
				for (j = 0; j < n; j++) {
					c = p[k + j];
					lit =
					    (c >= 33 && c <= 126 && c != '=') ||
					    ((c == ' ' || c == '\t') && !last);
					/*
					 * At the start of a line, '.' and
					 * "From " are encoded so that SMTP
					 * and mbox tools leave them alone.
					 */
					if (col == 0 && j == 0 &&
					    (c == '.' ||
						(c == 'F' && end - k >= 5 &&
						    memcmp(p + k, "From ", 5) ==
							0)))
						lit = 0;
					if (lit)
						tok[w++] = c;
					else {
						tok[w++] = '=';
						tok[w++] = hexdigits[c >> 4];
						tok[w++] = hexdigits[c & 0xf];
					}
				}
				if (force ||
				    col + w <=
					(last ? QP_LINE_MAX : QP_LINE_MAX - 1))
					break;
				/* Soft break, then encode again at col 0. */
				buf_puts(b, "=\r\n");
				col = 0;
			}
			buf_append(b, tok, w);
			col += w;
		}
		if (eol < len) {
			buf_puts(b, "\r\n");
			i = eol + 1;
		} else
			i = len;
	}
}

void
mime_base64_encode(struct buf *b, const void *data, size_t len)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789+/";
	const unsigned char *p = data;
	size_t i, col = 0;
	unsigned v;
	char q[4];

	for (i = 0; i < len; i += 3) {
		v = (unsigned)p[i] << 16;
		if (i + 1 < len)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		q[0] = alphabet[(v >> 18) & 0x3f];
		q[1] = alphabet[(v >> 12) & 0x3f];
		q[2] = i + 1 < len ? alphabet[(v >> 6) & 0x3f] : '=';
		q[3] = i + 2 < len ? alphabet[v & 0x3f] : '=';
		if (col == B64_LINE_MAX) {
			buf_puts(b, "\r\n");
			col = 0;
		}
		buf_append(b, q, 4);
		col += 4;
	}
}

/*
 * Body parts.
 */

static void
text_part_headers(struct buf *b, const char *subtype)
{
	buf_printf(b,
	    "Content-Type: text/%s; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n",
	    subtype);
}

/* RFC 2231 attr-char (as RFC 5987 lists it). */
static int
attr_char(unsigned char c)
{
	return isalnum(c) || (c != '\0' && strchr("!#$&+-.^_`|~", c) != NULL);
}

/*
 * The filename parameter: a quoted string when the name is short and
 * plainly safe ASCII, otherwise RFC 2231 (utf-8, percent-encoded), in
 * numbered segments when one line would not hold it.
 */
static void
disposition_header(struct buf *b, const char *filename)
{
	const unsigned char *p = (const unsigned char *)filename;
	struct hdr h;
	struct buf enc = {NULL, 0, 0}, seg = {NULL, 0, 0};
	size_t len = strlen(filename), n, j, k, start;
	size_t *cuts = NULL, ncuts = 0, maxseg, segno;
	char hex[3];

	hdr_begin(&h, b, "Content-Disposition");
	hdr_token(&h, "attachment;", strlen("attachment;"));
	if (len <= FILENAME_SAFE_MAX &&
	    strspn(filename,
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		"0123456789 ._()+,-") == len) {
		buf_printf(&enc, "filename=\"%s\"", filename);
		hdr_token(&h, enc.data, enc.len);
		goto done;
	}

	/* Percent-encode, noting where each character starts. */
	cuts = xreallocarray(NULL, len + 1, sizeof(*cuts));
	for (k = 0; k < len; k += n) {
		n = utf8_seq(p + k, len - k);
		cuts[ncuts++] = enc.len;
		for (j = 0; j < n; j++) {
			if (attr_char(p[k + j]))
				buf_append(&enc, p + k + j, 1);
			else {
				hex[0] = '%';
				hex[1] = hexdigits[p[k + j] >> 4];
				hex[2] = hexdigits[p[k + j] & 0xf];
				buf_append(&enc, hex, 3);
			}
		}
	}
	cuts[ncuts] = enc.len;

	/* " filename*=utf-8''" + value must fit one line. */
	if (1 + strlen("filename*=utf-8''") + enc.len <= LINE_MAX_HDR) {
		buf_printf(&seg, "filename*=utf-8''%s", enc.data);
		hdr_token(&h, seg.data, seg.len);
		goto done;
	}
	/* " filename*NN*=" [utf-8''] value ";" per line. */
	start = 0;
	segno = 0;
	for (k = 0; start < enc.len; segno++) {
		buf_reset(&seg);
		buf_printf(&seg, "filename*%zu*=%s", segno,
		    segno == 0 ? "utf-8''" : "");
		maxseg = LINE_MAX_HDR - 1 - seg.len - 1;
		while (k < ncuts && cuts[k + 1] - start <= maxseg)
			k++;
		buf_append(&seg, enc.data + start, cuts[k] - start);
		start = cuts[k];
		if (start < enc.len)
			buf_puts(&seg, ";");
		hdr_token(&h, seg.data, seg.len);
	}
done:
	hdr_end(&h);
	free(cuts);
	buf_reset(&enc);
	buf_reset(&seg);
}

/* Text parts end where the text ends; the delimiter brings its CRLF. */
static void
alternative_body(
    struct buf *b, const struct mime_message *m, const char *boundary)
{
	buf_printf(b, "--%s\r\n", boundary);
	text_part_headers(b, "plain");
	buf_puts(b, "\r\n");
	mime_qp_encode(b, m->text, strlen(m->text));
	buf_printf(b, "\r\n--%s\r\n", boundary);
	text_part_headers(b, "html");
	buf_puts(b, "\r\n");
	mime_qp_encode(b, m->html, strlen(m->html));
	buf_printf(b, "\r\n--%s--\r\n", boundary);
}

/* Everything mime_build refuses, checked before any output. */
static int
check_message(const struct mime_message *m, char **cause)
{
	const struct mime_attachment *a;
	char *name = NULL, *addr = NULL;
	char *why = NULL, what[48];
	size_t i;

	if (m->from == NULL ||
	    mime_mailbox(m->from, &name, &addr, &why) == -1) {
		xasprintf(cause, "from: %s", why != NULL ? why : "missing");
		goto fail;
	}
	free(name);
	free(addr);
	if (m->n_to == 0 || m->to == NULL) {
		xasprintf(cause, "no recipient");
		goto fail;
	}
	for (i = 0; i < m->n_to; i++) {
		if (mime_mailbox(m->to[i], &name, &addr, &why) == -1) {
			xasprintf(cause, "to: %s", why);
			goto fail;
		}
		free(name);
		free(addr);
	}
	if (m->subject == NULL) {
		xasprintf(cause, "subject missing");
		return -1;
	}
	if (check_header_text("subject", m->subject, cause) == -1)
		return -1;
	if (m->message_id == NULL || !valid_message_id(m->message_id)) {
		xasprintf(cause, "message id is not id@host");
		return -1;
	}
	if ((m->html != NULL || m->n_attachments > 0) &&
	    (m->boundary_seed == NULL || !valid_seed(m->boundary_seed))) {
		xasprintf(cause,
		    "boundary seed must be 1-%d of "
		    "[A-Za-z0-9._-]",
		    SEED_MAX);
		return -1;
	}
	if (m->text == NULL || !valid_utf8(m->text, strlen(m->text))) {
		xasprintf(cause, "text is %s",
		    m->text == NULL ? "missing" : "not valid UTF-8");
		return -1;
	}
	if (m->html != NULL && !valid_utf8(m->html, strlen(m->html))) {
		xasprintf(cause, "html is not valid UTF-8");
		return -1;
	}
	if (m->n_attachments > 0 && m->attachments == NULL) {
		xasprintf(cause, "attachments missing");
		return -1;
	}
	for (i = 0; i < m->n_attachments; i++) {
		a = &m->attachments[i];
		snprintf(what, sizeof(what), "attachment %zu name", i + 1);
		if (a->filename == NULL || *a->filename == '\0') {
			xasprintf(cause, "%s missing", what);
			return -1;
		}
		if (check_header_text(what, a->filename, cause) == -1)
			return -1;
		if (strpbrk(a->filename, "/\\") != NULL) {
			xasprintf(cause, "%s contains / or \\", what);
			return -1;
		}
		if (a->content_type == NULL ||
		    !valid_content_type(a->content_type)) {
			xasprintf(cause,
			    "attachment %zu: content type is not "
			    "type/subtype in printable ASCII",
			    i + 1);
			return -1;
		}
		if (a->data == NULL && a->len > 0) {
			xasprintf(cause, "attachment %zu: no data", i + 1);
			return -1;
		}
	}
	return 0;
fail:
	free(why);
	return -1;
}

static void
header_from_to(struct buf *b, const struct mime_message *m)
{
	struct hdr h;
	char *name, *addr, *cause = NULL;
	size_t i;

	/* Already checked, so these cannot fail. */
	hdr_begin(&h, b, "From");
	(void)mime_mailbox(m->from, &name, &addr, &cause);
	hdr_mailbox(&h, name, addr, "");
	free(name);
	free(addr);
	hdr_end(&h);

	hdr_begin(&h, b, "To");
	for (i = 0; i < m->n_to; i++) {
		(void)mime_mailbox(m->to[i], &name, &addr, &cause);
		hdr_mailbox(&h, name, addr, i + 1 < m->n_to ? "," : "");
		free(name);
		free(addr);
	}
	hdr_end(&h);
}

int
mime_build(const struct mime_message *m, char **out, size_t *len, char **cause)
{
	struct buf b = {NULL, 0, 0};
	struct hdr h;
	const struct mime_attachment *a;
	char alt[SEED_MAX + 8], mix[SEED_MAX + 8];
	size_t i;

	*out = NULL;
	*len = 0;
	*cause = NULL;
	if (check_message(m, cause) == -1)
		return -1;
	if (date_header(&b, m->date, m->utc_offset, cause) == -1) {
		buf_reset(&b);
		return -1;
	}
	header_from_to(&b, m);
	hdr_begin(&h, &b, "Subject");
	hdr_subject(&h, m->subject);
	hdr_end(&h);
	buf_printf(&b, "Message-ID: <%s>\r\n", m->message_id);
	/* RFC 3834: keeps vacation responders from answering a digest. */
	buf_puts(&b, "Auto-Submitted: auto-generated\r\n");
	buf_puts(&b, "MIME-Version: 1.0\r\n");

	if (m->html != NULL || m->n_attachments > 0) {
		snprintf(alt, sizeof(alt), "=_%s.a", m->boundary_seed);
		snprintf(mix, sizeof(mix), "=_%s.m", m->boundary_seed);
	}
	if (m->n_attachments == 0 && m->html == NULL) {
		text_part_headers(&b, "plain");
		buf_puts(&b, "\r\n");
		mime_qp_encode(&b, m->text, strlen(m->text));
		/*
		 * End the message with CRLF; a soft break adds nothing to
		 * the text, so it decodes to exactly what was given.
		 */
		if (b.data[b.len - 1] != '\n')
			buf_puts(&b, "=\r\n");
	} else if (m->n_attachments == 0) {
		buf_printf(&b,
		    "Content-Type: multipart/alternative; "
		    "boundary=\"%s\"\r\n\r\n",
		    alt);
		alternative_body(&b, m, alt);
	} else {
		buf_printf(&b,
		    "Content-Type: multipart/mixed; "
		    "boundary=\"%s\"\r\n\r\n",
		    mix);
		buf_printf(&b, "--%s\r\n", mix);
		if (m->html != NULL) {
			buf_printf(&b,
			    "Content-Type: multipart/alternative; "
			    "boundary=\"%s\"\r\n\r\n",
			    alt);
			alternative_body(&b, m, alt);
		} else {
			text_part_headers(&b, "plain");
			buf_puts(&b, "\r\n");
			mime_qp_encode(&b, m->text, strlen(m->text));
		}
		for (i = 0; i < m->n_attachments; i++) {
			a = &m->attachments[i];
			buf_printf(&b, "\r\n--%s\r\n", mix);
			hdr_begin(&h, &b, "Content-Type");
			hdr_token(&h, a->content_type, strlen(a->content_type));
			hdr_end(&h);
			buf_puts(&b, "Content-Transfer-Encoding: base64\r\n");
			disposition_header(&b, a->filename);
			buf_puts(&b, "\r\n");
			mime_base64_encode(&b, a->data, a->len);
		}
		buf_printf(&b, "\r\n--%s--\r\n", mix);
	}
	*out = buf_take(&b, len);
	return 0;
}
