/*
 * check_mime: message bytes compared with hand-written golden strings,
 * quoted-printable and base64 edge cases, header folding of long Swedish
 * subjects (decoded back here), refusal of header injection and bad
 * addresses, and round trips through decoders written in this file.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mime.h"
#include "testutil.h"
#include "xmalloc.h"

/* 2026-11-23 07:00:00 UTC, a Monday: 08:00 in Stockholm (CET). */
#define MONDAY_0800 ((time_t)1795417200)

/*
 * Decoders, written independently of the encoders they check.
 */

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Quoted-printable to bytes; CRLF hard breaks become LF. */
static char *
qp_decode(const char *s, size_t len)
{
	struct buf b = {NULL, 0, 0};
	size_t i;
	char c, *out;

	for (i = 0; i < len; i++) {
		if (s[i] == '=' && i + 1 < len && s[i + 1] == '\r') {
			ck_assert_msg(i + 2 < len && s[i + 2] == '\n',
			    "soft break without LF");
			i += 2;
		} else if (s[i] == '=') {
			ck_assert_msg(i + 2 < len && hexval(s[i + 1]) >= 0 &&
				hexval(s[i + 2]) >= 0,
			    "bad escape at %zu", i);
			c = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			buf_append(&b, &c, 1);
			i += 2;
		} else if (s[i] == '\r') {
			ck_assert_msg(i + 1 < len && s[i + 1] == '\n',
			    "bare CR in quoted-printable");
			buf_puts(&b, "\n");
			i++;
		} else {
			ck_assert_msg(s[i] != '\n', "bare LF");
			buf_append(&b, s + i, 1);
		}
	}
	buf_puts(&b, "");
	out = buf_take(&b, NULL);
	return out;
}

static int
b64val(int c)
{
	const char *a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			"0123456789+/";
	const char *p = c != '\0' ? strchr(a, c) : NULL;

	return p == NULL ? -1 : (int)(p - a);
}

/* Base64 (CRLF between lines) to bytes. */
static char *
b64_decode(const char *s, size_t len, size_t *outlen)
{
	struct buf b = {NULL, 0, 0};
	unsigned acc = 0;
	int bits = 0, v;
	size_t i;
	char c;

	for (i = 0; i < len; i++) {
		if (s[i] == '\r' || s[i] == '\n' || s[i] == '=')
			continue;
		v = b64val(s[i]);
		ck_assert_msg(v >= 0, "bad base64 byte 0x%02x", s[i]);
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			c = (char)((acc >> bits) & 0xff);
			buf_append(&b, &c, 1);
		}
	}
	buf_puts(&b, "");
	return buf_take(&b, outlen);
}

/* Q-decode the text of one encoded-word (between "Q?" and "?="). */
static void
q_decode(struct buf *b, const char *s, size_t len)
{
	size_t i;
	char c;

	for (i = 0; i < len; i++) {
		if (s[i] == '_')
			buf_puts(b, " ");
		else if (s[i] == '=') {
			ck_assert(i + 2 < len && hexval(s[i + 1]) >= 0 &&
			    hexval(s[i + 2]) >= 0);
			c = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			buf_append(b, &c, 1);
			i += 2;
		} else
			buf_append(b, s + i, 1);
	}
}

static int
valid_utf8(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n, j;

	while (i < len) {
		if (p[i] < 0x80)
			n = 1;
		else if ((p[i] & 0xe0) == 0xc0)
			n = 2;
		else if ((p[i] & 0xf0) == 0xe0)
			n = 3;
		else if ((p[i] & 0xf8) == 0xf0)
			n = 4;
		else
			return 0;
		if (i + n > len)
			return 0;
		for (j = 1; j < n; j++)
			if ((p[i + j] & 0xc0) != 0x80)
				return 0;
		i += n;
	}
	return 1;
}

/*
 * The value of header `name` in msg: its lines, unfolded. Checks on the
 * way that no line of the header passes 78 characters.
 */
static char *
header_value(const char *msg, const char *name)
{
	struct buf b = {NULL, 0, 0};
	const char *p = msg, *eol;
	size_t nlen = strlen(name);

	for (;;) {
		eol = strstr(p, "\r\n");
		ck_assert_ptr_nonnull(eol);
		if (eol == p)
			break; /* end of the header section */
		if (strncmp(p, name, nlen) == 0 && p[nlen] == ':') {
			ck_assert_msg(eol - p <= 78, "%s line of %d", name,
			    (int)(eol - p));
			buf_append(&b, p + nlen + 1, eol - p - nlen - 1);
			while (eol[2] == ' ' || eol[2] == '\t') {
				p = eol + 2;
				eol = strstr(p, "\r\n");
				ck_assert_msg(eol - p <= 78, "%s line of %d",
				    name, (int)(eol - p));
				buf_append(&b, p, eol - p);
			}
			buf_puts(&b, "");
			return buf_take(&b, NULL);
		}
		p = eol + 2;
	}
	ck_abort_msg("no %s header", name);
	return NULL;
}

/*
 * Decode an unfolded value made only of encoded-words: each word must be
 * at most 75 characters and hold whole UTF-8 characters.
 */
static char *
decode_words(const char *v)
{
	struct buf b = {NULL, 0, 0}, one = {NULL, 0, 0};
	const char *p = v, *end;

	while (*p == ' ')
		p++;
	while (*p != '\0') {
		ck_assert_msg(strncmp(p, "=?UTF-8?Q?", 10) == 0,
		    "not an encoded word: %s", p);
		end = strstr(p + 10, "?=");
		ck_assert_ptr_nonnull(end);
		ck_assert_msg(end + 2 - p <= 75, "word of %d characters",
		    (int)(end + 2 - p));
		buf_reset(&one);
		q_decode(&one, p + 10, end - (p + 10));
		ck_assert_msg(
		    valid_utf8(one.data, one.len), "word splits a character");
		buf_append(&b, one.data, one.len);
		p = end + 2;
		while (*p == ' ')
			p++;
	}
	buf_reset(&one);
	buf_puts(&b, "");
	return buf_take(&b, NULL);
}

static size_t
count_chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static void
starts_with(const char *s, const char *prefix)
{
	ck_assert_msg(strncmp(s, prefix, strlen(prefix)) == 0,
	    "\"%.60s\" does not start with \"%s\"", s, prefix);
}

/* The body after the blank line ending the headers. */
static const char *
body_of(const char *msg)
{
	const char *p = strstr(msg, "\r\n\r\n");

	ck_assert_ptr_nonnull(p);
	return p + 4;
}

/*
 * Content of the part of a multipart body that has header line `hdr`:
 * from after that part's blank line to the CRLF before the next
 * delimiter "--boundary".
 */
static char *
part_content(
    const char *msg, const char *boundary, const char *hdr, size_t *len)
{
	const char *p, *start, *end;
	char *delim;

	p = strstr(msg, hdr);
	ck_assert_msg(p != NULL, "no part with %s", hdr);
	start = strstr(p, "\r\n\r\n");
	ck_assert_ptr_nonnull(start);
	start += 4;
	xasprintf(&delim, "\r\n--%s", boundary);
	end = strstr(start, delim);
	free(delim);
	ck_assert_ptr_nonnull(end);
	*len = end - start;
	return xstrndup(start, *len);
}

/* Every line ends in CRLF, is at most `max` long, and all is 7-bit. */
static void
check_lines(const char *msg, size_t len, size_t max)
{
	size_t i, col = 0;

	for (i = 0; i < len; i++) {
		ck_assert_msg((unsigned char)msg[i] < 0x80,
		    "8-bit byte "
		    "at %zu",
		    i);
		if (msg[i] == '\r') {
			ck_assert_msg(i + 1 < len && msg[i + 1] == '\n',
			    "bare CR at %zu", i);
			ck_assert_msg(
			    col <= max, "line of %zu before %zu", col, i);
			col = 0;
			i++;
		} else {
			ck_assert_msg(msg[i] != '\n', "bare LF at %zu", i);
			col++;
		}
	}
	ck_assert_msg(len >= 2 && msg[len - 2] == '\r' && msg[len - 1] == '\n',
	    "message does not end in CRLF");
}

static char *
qp(const char *s)
{
	struct buf b = {NULL, 0, 0};

	mime_qp_encode(&b, s, strlen(s));
	buf_puts(&b, "");
	return buf_take(&b, NULL);
}

static char *
b64(const void *data, size_t len)
{
	struct buf b = {NULL, 0, 0};

	mime_base64_encode(&b, data, len);
	buf_puts(&b, "");
	return buf_take(&b, NULL);
}

static char *
repeat(const char *s, size_t n)
{
	struct buf b = {NULL, 0, 0};

	while (n-- > 0)
		buf_puts(&b, s);
	buf_puts(&b, "");
	return buf_take(&b, NULL);
}

/* A message with the defaults used below. */
static void
base_message(struct mime_message *m, const char *const *to, size_t n_to)
{
	memset(m, 0, sizeof(*m));
	m->from = "EST lägesbild <est@example.org>";
	m->to = to;
	m->n_to = n_to;
	m->subject = "Lägesbild v. 47";
	m->date = MONDAY_0800;
	m->utc_offset = 3600;
	m->message_id = "digest-2026-47-1@est.example.org";
	m->boundary_seed = "r4Nd0m";
	m->text = "Hej Anna!\nSkadegörelse åäö ÅÄÖ\n";
}

static char *
build_ok(const struct mime_message *m, size_t *len)
{
	char *out = NULL, *cause = NULL;
	size_t n = 0;

	if (mime_build(m, &out, &n, &cause) != 0)
		ck_abort_msg("mime_build: %s", cause);
	ck_assert_ptr_null(cause);
	ck_assert_uint_eq(n, strlen(out));
	if (len != NULL)
		*len = n;
	return out;
}

static void
build_fails(const struct mime_message *m, const char *want)
{
	char *out = (char *)1, *cause = NULL;
	size_t n = 1;

	ck_assert_int_eq(mime_build(m, &out, &n, &cause), -1);
	ck_assert_ptr_null(out);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_nonnull(cause);
	ck_assert_str_eq(cause, want);
	free(cause);
}

START_TEST(golden_text_only)
{
	const char *to[] = {"anna@example.org"};
	struct mime_message m;
	char *out;

	base_message(&m, to, 1);
	m.boundary_seed = NULL; /* not needed for one part */
	out = build_ok(&m, NULL);
	ck_assert_str_eq(out,
	    "Date: Mon, 23 Nov 2026 08:00:00 +0100\r\n"
	    "From: =?UTF-8?Q?EST_l=C3=A4gesbild?= <est@example.org>\r\n"
	    "To: anna@example.org\r\n"
	    "Subject: =?UTF-8?Q?L=C3=A4gesbild_v._47?=\r\n"
	    "Message-ID: <digest-2026-47-1@est.example.org>\r\n"
	    "Auto-Submitted: auto-generated\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n"
	    "\r\n"
	    "Hej Anna!\r\n"
	    "Skadeg=C3=B6relse =C3=A5=C3=A4=C3=B6 =C3=85=C3=84=C3=96\r\n");
	free(out);
}
END_TEST

START_TEST(golden_alternative)
{
	const char *to[] = {"Anna Svensson <anna@example.org>",
	    "\"Polisen, Region Syd\" <syd@polisen.example>"};
	struct mime_message m;
	char *out;

	base_message(&m, to, 2);
	m.subject = "Weekly digest";
	m.utc_offset = 0;
	m.text = "Hej";
	m.html = "<p>Hej</p>\n";
	out = build_ok(&m, NULL);
	ck_assert_str_eq(out,
	    "Date: Mon, 23 Nov 2026 07:00:00 +0000\r\n"
	    "From: =?UTF-8?Q?EST_l=C3=A4gesbild?= <est@example.org>\r\n"
	    "To: Anna Svensson <anna@example.org>, \"Polisen, Region Syd\"\r\n"
	    " <syd@polisen.example>\r\n"
	    "Subject: Weekly digest\r\n"
	    "Message-ID: <digest-2026-47-1@est.example.org>\r\n"
	    "Auto-Submitted: auto-generated\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: multipart/alternative; boundary=\"=_r4Nd0m.a\"\r\n"
	    "\r\n"
	    "--=_r4Nd0m.a\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n"
	    "\r\n"
	    "Hej\r\n"
	    "--=_r4Nd0m.a\r\n"
	    "Content-Type: text/html; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n"
	    "\r\n"
	    "<p>Hej</p>\r\n"
	    "\r\n"
	    "--=_r4Nd0m.a--\r\n");
	free(out);
}
END_TEST

START_TEST(golden_mixed_csv)
{
	const char *to[] = {"styrgrupp@example.org"};
	/* printf 'omr\303\245de;niv\303\245\r\nCentrum;2\r\n' | base64 */
	const char csv[] = "område;nivå\r\nCentrum;2\r\n";
	struct mime_attachment a = {"analys-2026-Q4.csv",
	    "text/csv; charset=utf-8", csv, sizeof(csv) - 1};
	struct mime_message m;
	char *out;

	base_message(&m, to, 1);
	m.subject = "Analys Q4";
	m.text = "Se bilagan.\n";
	m.attachments = &a;
	m.n_attachments = 1;
	out = build_ok(&m, NULL);
	ck_assert_str_eq(out,
	    "Date: Mon, 23 Nov 2026 08:00:00 +0100\r\n"
	    "From: =?UTF-8?Q?EST_l=C3=A4gesbild?= <est@example.org>\r\n"
	    "To: styrgrupp@example.org\r\n"
	    "Subject: Analys Q4\r\n"
	    "Message-ID: <digest-2026-47-1@est.example.org>\r\n"
	    "Auto-Submitted: auto-generated\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: multipart/mixed; boundary=\"=_r4Nd0m.m\"\r\n"
	    "\r\n"
	    "--=_r4Nd0m.m\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n"
	    "\r\n"
	    "Se bilagan.\r\n"
	    "\r\n"
	    "--=_r4Nd0m.m\r\n"
	    "Content-Type: text/csv; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: base64\r\n"
	    "Content-Disposition: attachment; "
	    "filename=\"analys-2026-Q4.csv\"\r\n"
	    "\r\n"
	    "b21yw6VkZTtuaXbDpQ0KQ2VudHJ1bTsyDQo=\r\n"
	    "--=_r4Nd0m.m--\r\n");
	free(out);
}
END_TEST

START_TEST(qp_swedish)
{
	char *s;

	s = qp("Skadegörelse åäö ÅÄÖ");
	ck_assert_str_eq(
	    s, "Skadeg=C3=B6relse =C3=A5=C3=A4=C3=B6 =C3=85=C3=84=C3=96");
	free(s);
}
END_TEST

START_TEST(qp_soft_breaks)
{
	char *in, *s, *want, *a75, *a50;

	/* 76 fit on the last line of a paragraph; 77 do not. */
	in = repeat("a", 76);
	s = qp(in);
	ck_assert_str_eq(s, in);
	free(s);
	free(in);

	in = repeat("a", 77);
	a75 = repeat("a", 75);
	xasprintf(&want, "%s=\r\naa", a75);
	s = qp(in);
	ck_assert_str_eq(s, want);
	free(s);
	free(want);
	free(in);

	in = repeat("a", 200);
	a50 = repeat("a", 50);
	xasprintf(&want, "%s=\r\n%s=\r\n%s", a75, a75, a50);
	s = qp(in);
	ck_assert_str_eq(s, want);
	free(s);
	free(want);
	free(a75);
	free(a50);
	free(in);

	/* An escape is never split: 74 letters then 'ö' (=C3=B6). */
	a75 = repeat("b", 74);
	xasprintf(&in, "%sö", a75);
	xasprintf(&want, "%s=\r\n=C3=B6", a75);
	s = qp(in);
	ck_assert_str_eq(s, want);
	free(s);
	free(want);
	free(in);
	free(a75);

	/* 70 letters and 'ö' end the paragraph: exactly 76, no break. */
	a75 = repeat("c", 70);
	xasprintf(&in, "%sö", a75);
	xasprintf(&want, "%s=C3=B6", a75);
	s = qp(in);
	ck_assert_str_eq(s, want);
	ck_assert_uint_eq(strlen(s), 76);
	free(s);
	free(want);
	free(in);
	free(a75);
}
END_TEST

START_TEST(qp_long_swedish_round_trip)
{
	char *in, *s, *back;
	const char *p, *eol;

	in = repeat("Skadegörelse vid skolan på Åsgatan, ökad oro. ", 9);
	s = qp(in);
	for (p = s; *p != '\0'; p = eol + 2) {
		if ((eol = strstr(p, "\r\n")) == NULL)
			eol = p + strlen(p);
		ck_assert_msg(eol - p <= 76, "line of %d", (int)(eol - p));
		/* A character's escapes stay on one line. */
		ck_assert_msg(eol - p < 3 || strncmp(eol - 3, "=C3", 3) != 0,
		    "character split at a soft break");
		if (*eol == '\0')
			break;
	}
	back = qp_decode(s, strlen(s));
	ck_assert_str_eq(back, in);
	free(back);
	free(s);
	free(in);
}
END_TEST

START_TEST(qp_trailing_space_and_equals)
{
	char *s;

	s = qp("abc \nnext\t\nin  side\n");
	ck_assert_str_eq(s, "abc=20\r\nnext=09\r\nin  side\r\n");
	free(s);
	s = qp("a=b =");
	ck_assert_str_eq(s, "a=3Db =3D");
	free(s);
	s = qp("end ");
	ck_assert_str_eq(s, "end=20");
	free(s);
}
END_TEST

START_TEST(qp_line_breaks)
{
	char *s;

	s = qp("x\r\ny\r\n\r\nz");
	ck_assert_str_eq(s, "x\r\ny\r\n\r\nz");
	free(s);
	s = qp("x\ny\n");
	ck_assert_str_eq(s, "x\r\ny\r\n");
	free(s);
	/* A lone CR is data, not a line break. */
	s = qp("a\rb");
	ck_assert_str_eq(s, "a=0Db");
	free(s);
	/* Lines that mbox or SMTP tools would touch. */
	s = qp("From the start\n.\n.. x\nFromage\n");
	ck_assert_str_eq(s, "=46rom the start\r\n=2E\r\n=2E. x\r\nFromage\r\n");
	free(s);
}
END_TEST

START_TEST(base64_lengths)
{
	unsigned char all[256];
	char *s, *back;
	size_t i, n;

	s = b64("", 0);
	ck_assert_str_eq(s, "");
	free(s);
	s = b64("f", 1);
	ck_assert_str_eq(s, "Zg==");
	free(s);
	s = b64("fo", 2);
	ck_assert_str_eq(s, "Zm8=");
	free(s);
	s = b64("foo", 3);
	ck_assert_str_eq(s, "Zm9v");
	free(s);
	s = b64("foob", 4);
	ck_assert_str_eq(s, "Zm9vYg==");
	free(s);

	/* 57 bytes are exactly one line of 76; 58 start a second. */
	memset(all, 0, sizeof(all));
	s = b64(all, 57);
	ck_assert_uint_eq(strlen(s), 76);
	ck_assert_ptr_null(strchr(s, '\r'));
	free(s);
	s = b64(all, 58);
	ck_assert_uint_eq(strlen(s), 76 + 2 + 4);
	ck_assert_str_eq(s + 76, "\r\nAA==");
	free(s);

	for (i = 0; i < sizeof(all); i++)
		all[i] = (unsigned char)i;
	s = b64(all, sizeof(all));
	back = b64_decode(s, strlen(s), &n);
	ck_assert_uint_eq(n, sizeof(all));
	ck_assert_mem_eq(back, all, sizeof(all));
	free(back);
	free(s);
}
END_TEST

START_TEST(long_swedish_subject)
{
	const char *to[] = {"anna@example.org"};
	struct mime_message m;
	char *subject, *out, *v, *back;
	size_t len;

	/* 200 characters: 8 × 25, with ä, ö and a 3-byte dash. */
	subject = repeat("Lägesbild — ökad oro vid ", 8);
	ck_assert_uint_eq(count_chars(subject), 200);
	ck_assert_uint_eq(strlen(subject), 8 * (25 + 4));
	base_message(&m, to, 1);
	m.subject = subject;
	out = build_ok(&m, &len);
	check_lines(out, len, 78);
	v = header_value(out, "Subject");
	ck_assert_ptr_nonnull(
	    strstr(out, "\r\nSubject: =?UTF-8?Q?L=C3=A4gesbild_"));
	back = decode_words(v);
	ck_assert_str_eq(back, subject);
	free(back);
	free(v);
	free(out);
	free(subject);
}
END_TEST

START_TEST(subject_with_four_byte_characters)
{
	const char *to[] = {"anna@example.org"};
	struct mime_message m;
	char *subject, *out, *v, *back;
	size_t len;

	subject = repeat("x🙂", 40);
	base_message(&m, to, 1);
	m.subject = subject;
	out = build_ok(&m, &len);
	check_lines(out, len, 78);
	v = header_value(out, "Subject");
	back = decode_words(v);
	ck_assert_str_eq(back, subject);
	free(back);
	free(v);
	free(out);
	free(subject);
}
END_TEST

START_TEST(long_ascii_subject_folds_at_spaces)
{
	const char *to[] = {"anna@example.org"};
	struct mime_message m;
	char *subject, *out, *v;
	size_t len;

	subject = repeat("Weekly picture of the areas ", 5);
	subject[strlen(subject) - 1] = '\0';
	base_message(&m, to, 1);
	m.subject = subject;
	out = build_ok(&m, &len);
	check_lines(out, len, 78);
	v = header_value(out, "Subject");
	/* Unfolding gives back the text after "Subject:" and one space. */
	ck_assert_str_eq(v + 1, subject);
	ck_assert_ptr_nonnull(strstr(out, "\r\n "));
	free(v);
	free(out);
	free(subject);
}
END_TEST

START_TEST(display_names)
{
	const char *to[] = {"Anna Svensson <anna@example.org>",
	    "\"Polisen, Syd\" <syd@polisen.example>",
	    "Åsa Öberg <asa@example.org>", "=?x?= <q@example.org>",
	    "bare@example.org"};
	struct mime_message m;
	char *out, *v;

	base_message(&m, to, 5);
	out = build_ok(&m, NULL);
	v = header_value(out, "To");
	ck_assert_str_eq(v,
	    " Anna Svensson <anna@example.org>,"
	    " \"Polisen, Syd\" <syd@polisen.example>,"
	    " =?UTF-8?Q?=C3=85sa_=C3=96berg?= <asa@example.org>,"
	    " =?UTF-8?Q?=3D=3Fx=3F=3D?= <q@example.org>, bare@example.org");
	free(v);
	free(out);
}
END_TEST

START_TEST(long_display_name_breaks_at_spaces)
{
	const char *name = "Åsa Öberg-Långnamnsdotter från "
			   "Kommunens Trygghetsavdelning";
	const char *to[1];
	struct mime_message m;
	char *mb, *out, *v, *lt, *back;
	const char *p;
	size_t len, words = 0;

	xasprintf(&mb, "%s <asa@example.org>", name);
	to[0] = mb;
	base_message(&m, to, 1);
	out = build_ok(&m, &len);
	check_lines(out, len, 78);
	v = header_value(out, "To");
	lt = strstr(v, " <asa@example.org>");
	ck_assert_ptr_nonnull(lt);
	*lt = '\0';
	/* Every word but the last ends in an encoded space. */
	for (p = v; (p = strstr(p, "?= ")) != NULL; p += 3) {
		ck_assert_msg(p[-1] == '_', "word ends inside a word");
		words++;
	}
	ck_assert_uint_eq(words, 1);
	back = decode_words(v);
	ck_assert_str_eq(back, name);
	free(back);
	free(v);
	free(out);
	free(mb);
}
END_TEST

START_TEST(rfc2231_long_filename)
{
	const char *to[] = {"anna@example.org"};
	char *name, *out, *v, *want, *p;
	struct buf dec = {NULL, 0, 0};
	struct mime_attachment a;
	struct mime_message m;
	size_t len, i;
	const char *q;

	name = repeat("lägesbild_åäö_", 6);
	a.filename = name;
	a.content_type = "text/csv; charset=utf-8";
	a.data = "x";
	a.len = 1;
	base_message(&m, to, 1);
	m.attachments = &a;
	m.n_attachments = 1;
	out = build_ok(&m, &len);
	check_lines(out, len, 78);
	/* The part's headers start at its Content-Type. */
	p = strstr(out, "\r\nContent-Type: text/csv");
	ck_assert_ptr_nonnull(p);
	v = header_value(p + 2, "Content-Disposition");
	ck_assert_ptr_nonnull(strstr(v, " attachment; filename*0*=utf-8''"));
	ck_assert_ptr_nonnull(strstr(v, "; filename*1*="));
	/* Join the segments and percent-decode them. */
	for (i = 0;; i++) {
		xasprintf(&want,
		    i == 0 ? "filename*%zu*=utf-8''" : "filename*%zu*=", i);
		p = strstr(v, want);
		if (p == NULL) {
			free(want);
			break;
		}
		for (q = p + strlen(want); *q != '\0' && *q != ';' && *q != ' ';
		     q++) {
			if (*q == '%') {
				char c =
				    (char)(hexval(q[1]) * 16 + hexval(q[2]));
				buf_append(&dec, &c, 1);
				q += 2;
			} else
				buf_append(&dec, q, 1);
		}
		free(want);
	}
	ck_assert_uint_ge(i, 2);
	buf_puts(&dec, "");
	ck_assert_str_eq(dec.data, name);
	buf_reset(&dec);
	free(v);
	free(out);
	free(name);
}
END_TEST

START_TEST(round_trip_mixed)
{
	const char *to[] = {"anna@example.org"};
	unsigned char bin[300];
	struct mime_attachment a[2];
	struct mime_message m;
	char *out, *part, *dec;
	const char *text, *html;
	size_t len, plen, dlen, i;

	for (i = 0; i < sizeof(bin); i++)
		bin[i] = (unsigned char)(i * 7);
	text = "Vecka 47\n\nCentrum: förhöjd nivå (2) — skadegörelse, "
	       "klotter och nedskräpning vid busstorget och skolan = oro.\n"
	       "Slut utan radbrytning ";
	html = "<p>Vecka 47</p>\n<p>Centrum: förhöjd nivå</p>";
	a[0].filename = "lägesbild.csv";
	a[0].content_type = "text/csv; charset=utf-8";
	a[0].data = "område;nivå\r\nCentrum;2\r\n";
	a[0].len = strlen(a[0].data);
	a[1].filename = "data.bin";
	a[1].content_type = "application/octet-stream";
	a[1].data = bin;
	a[1].len = sizeof(bin);
	base_message(&m, to, 1);
	m.text = text;
	m.html = html;
	m.attachments = a;
	m.n_attachments = 2;
	out = build_ok(&m, &len);
	check_lines(out, len, 78);
	ck_assert_ptr_nonnull(strstr(out,
	    "Content-Type: multipart/mixed; "
	    "boundary=\"=_r4Nd0m.m\"\r\n"));
	ck_assert_ptr_nonnull(strstr(out,
	    "\r\n--=_r4Nd0m.m\r\nContent-Type: "
	    "multipart/alternative; boundary=\"=_r4Nd0m.a\"\r\n"));
	ck_assert_ptr_nonnull(strstr(out, "\r\n--=_r4Nd0m.m--\r\n"));
	ck_assert_ptr_nonnull(strstr(out,
	    "Content-Disposition: attachment;"
	    " filename*=utf-8''l%C3%A4gesbild.csv\r\n"));

	part =
	    part_content(out, "=_r4Nd0m.a", "Content-Type: text/plain", &plen);
	dec = qp_decode(part, plen);
	ck_assert_str_eq(dec, text);
	free(dec);
	free(part);

	part =
	    part_content(out, "=_r4Nd0m.a", "Content-Type: text/html", &plen);
	dec = qp_decode(part, plen);
	ck_assert_str_eq(dec, html);
	free(dec);
	free(part);

	part = part_content(out, "=_r4Nd0m.m", "Content-Type: text/csv", &plen);
	dec = b64_decode(part, plen, &dlen);
	ck_assert_uint_eq(dlen, a[0].len);
	ck_assert_mem_eq(dec, a[0].data, dlen);
	free(dec);
	free(part);

	part = part_content(
	    out, "=_r4Nd0m.m", "Content-Type: application/octet-stream", &plen);
	dec = b64_decode(part, plen, &dlen);
	ck_assert_uint_eq(dlen, sizeof(bin));
	ck_assert_mem_eq(dec, bin, dlen);
	free(dec);
	free(part);
	free(out);
}
END_TEST

START_TEST(single_part_without_final_newline)
{
	const char *to[] = {"anna@example.org"};
	struct mime_message m;
	char *out, *dec;
	const char *body;
	size_t len;

	base_message(&m, to, 1);
	m.text = "Ingen radbrytning på slutet";
	out = build_ok(&m, &len);
	check_lines(out, len, 78);
	body = body_of(out);
	ck_assert_str_eq(body, "Ingen radbrytning p=C3=A5 slutet=\r\n");
	dec = qp_decode(body, strlen(body));
	ck_assert_str_eq(dec, m.text);
	free(dec);
	free(out);
}
END_TEST

START_TEST(dates)
{
	const char *to[] = {"anna@example.org"};
	struct mime_message m;
	char *out;

	base_message(&m, to, 1);
	m.date = 0;
	m.utc_offset = -5 * 3600;
	out = build_ok(&m, NULL);
	starts_with(out, "Date: Wed, 31 Dec 1969 19:00:00 -0500\r\n");
	free(out);
	m.utc_offset = 0;
	out = build_ok(&m, NULL);
	starts_with(out, "Date: Thu, 1 Jan 1970 00:00:00 +0000\r\n");
	free(out);
	/* Summer time in Stockholm, half-hour zones. */
	m.date = (time_t)1782889200; /* 2026-07-01 07:00:00 UTC */
	m.utc_offset = 2 * 3600;
	out = build_ok(&m, NULL);
	starts_with(out, "Date: Wed, 1 Jul 2026 09:00:00 +0200\r\n");
	free(out);
	m.utc_offset = 5 * 3600 + 1800;
	out = build_ok(&m, NULL);
	starts_with(out, "Date: Wed, 1 Jul 2026 12:30:00 +0530\r\n");
	free(out);
	m.utc_offset = 30;
	build_fails(&m, "UTC offset 30 is not whole minutes within a day");
}
END_TEST

START_TEST(injection_refused)
{
	const char *to[] = {"anna@example.org"};
	const char *bad_to[] = {"Anna\r\nBcc: x@evil.example "
				"<anna@example.org>"};
	const char *crlf_to[] = {"anna@example.org\r\n"};
	struct mime_attachment a = {"x.csv\nBcc: y", "text/csv", "x", 1};
	struct mime_message m;

	base_message(&m, to, 1);
	m.subject = "Lägesbild\r\nBcc: evil@example.org";
	build_fails(&m, "subject contains a line break");
	m.subject = "Lägesbild\nv. 47";
	build_fails(&m, "subject contains a line break");
	m.subject = "Lägesbild\rv. 47";
	build_fails(&m, "subject contains a line break");
	m.subject = "tab\tin subject";
	build_fails(&m, "subject contains a control character");
	m.subject = "bad \xc3\x28 utf-8";
	build_fails(&m, "subject is not valid UTF-8");

	base_message(&m, to, 1);
	m.from = "EST\n <est@example.org>";
	build_fails(&m, "from: mailbox contains a line break");
	base_message(&m, bad_to, 1);
	build_fails(&m, "to: mailbox contains a line break");
	base_message(&m, crlf_to, 1);
	build_fails(&m, "to: mailbox contains a line break");

	base_message(&m, to, 1);
	m.message_id = "x@y\r\nBcc: z";
	build_fails(&m, "message id is not id@host");
	m.message_id = "<x@y>";
	build_fails(&m, "message id is not id@host");

	base_message(&m, to, 1);
	m.attachments = &a;
	m.n_attachments = 1;
	build_fails(&m, "attachment 1 name contains a line break");
	a.filename = "../etc/passwd";
	build_fails(&m, "attachment 1 name contains / or \\");
	a.filename = "x.csv";
	a.content_type = "text/csv\r\nBcc: z";
	build_fails(&m,
	    "attachment 1: content type is not type/subtype in "
	    "printable ASCII");
}
END_TEST

START_TEST(addresses_refused)
{
	const char *utf8[] = {"anna@exämple.org"};
	const char *noat[] = {"Anna <anna>"};
	const char *none[] = {""};
	const char *to[] = {"anna@example.org"};
	struct mime_message m;

	base_message(&m, utf8, 1);
	build_fails(&m,
	    "to: \"anna@exämple.org\" is not a plain address "
	    "(local@domain)");
	base_message(&m, noat, 1);
	build_fails(&m, "to: \"anna\" is not a plain address (local@domain)");
	base_message(&m, none, 1);
	build_fails(&m, "to: \"\" is not a plain address (local@domain)");
	base_message(&m, to, 0);
	build_fails(&m, "no recipient");
	base_message(&m, to, 1);
	m.from = "Åsa <åsa@example.org>";
	build_fails(&m,
	    "from: \"åsa@example.org\" is not a plain address "
	    "(local@domain)");
	base_message(&m, to, 1);
	m.html = "<p>x</p>";
	m.boundary_seed = "has space";
	build_fails(&m, "boundary seed must be 1-60 of [A-Za-z0-9._-]");
	m.boundary_seed = NULL;
	build_fails(&m, "boundary seed must be 1-60 of [A-Za-z0-9._-]");
	base_message(&m, to, 1);
	m.text = "bad \xff";
	build_fails(&m, "text is not valid UTF-8");
}
END_TEST

START_TEST(valid_address_table)
{
	static const struct {
		const char *s;
		int ok;
	} t[] = {
	    {"anna@example.org", 1},
	    {"a.b+tag@sub.example.org", 1},
	    {"est@localhost", 1},
	    {"o'brien@example.ie", 1},
	    {"a@b-c.se", 1},
	    {"", 0},
	    {"anna", 0},
	    {"@example.org", 0},
	    {"anna@", 0},
	    {"a@b@c", 0},
	    {".anna@example.org", 0},
	    {"anna.@example.org", 0},
	    {"an..na@example.org", 0},
	    {"anna@example..org", 0},
	    {"anna@-example.org", 0},
	    {"anna@example-.org", 0},
	    {"anna@example.org.", 0},
	    {"an na@example.org", 0},
	    {"anna@exa mple.org", 0},
	    {"\"anna\"@example.org", 0},
	    {"anna@[127.0.0.1]", 0},
	    {"åsa@example.org", 0},
	    {"anna@example.org\r\n", 0},
	};
	char *longlocal;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		ck_assert_msg(mime_valid_address(t[i].s) == t[i].ok,
		    "\"%s\" should be %s", t[i].s,
		    t[i].ok ? "valid" : "refused");
	longlocal = repeat("a", 65);
	longlocal = xreallocarray(longlocal, 100, 1);
	strcat(longlocal, "@example.org");
	ck_assert_int_eq(mime_valid_address(longlocal), 0);
	longlocal[1] = '@';
	longlocal[2] = '\0';
	ck_assert_int_eq(mime_valid_address(longlocal), 0);
	free(longlocal);
}
END_TEST

START_TEST(mailbox_parsing)
{
	char *name, *addr, *cause = NULL;

	ck_assert_int_eq(mime_mailbox("EST lägesbild <est@example.org>", &name,
			     &addr, &cause),
	    0);
	ck_assert_str_eq(name, "EST lägesbild");
	ck_assert_str_eq(addr, "est@example.org");
	free(name);
	free(addr);

	ck_assert_int_eq(mime_mailbox("  \"Polisen, \\\"Syd\\\"\"  "
				      "<syd@polisen.example>  ",
			     &name, &addr, &cause),
	    0);
	ck_assert_str_eq(name, "Polisen, \"Syd\"");
	ck_assert_str_eq(addr, "syd@polisen.example");
	free(name);
	free(addr);

	ck_assert_int_eq(
	    mime_mailbox("est@example.org", &name, &addr, &cause), 0);
	ck_assert_str_eq(name, "");
	ck_assert_str_eq(addr, "est@example.org");
	free(name);
	free(addr);

	ck_assert_int_eq(
	    mime_mailbox("<est@example.org>", &name, &addr, &cause), 0);
	ck_assert_str_eq(name, "");
	ck_assert_str_eq(addr, "est@example.org");
	free(name);
	free(addr);

	ck_assert_int_eq(
	    mime_mailbox("EST <est example.org>", &name, &addr, &cause), -1);
	ck_assert_ptr_null(name);
	ck_assert_ptr_null(addr);
	ck_assert_str_eq(cause,
	    "\"est example.org\" is not a plain address "
	    "(local@domain)");
	free(cause);
}
END_TEST

static Suite *
mime_suite(void)
{
	Suite *s = suite_create("mime");
	TCase *tc;

	tc = tcase_create("golden");
	tcase_add_test(tc, golden_text_only);
	tcase_add_test(tc, golden_alternative);
	tcase_add_test(tc, golden_mixed_csv);
	suite_add_tcase(s, tc);

	tc = tcase_create("encodings");
	tcase_add_test(tc, qp_swedish);
	tcase_add_test(tc, qp_soft_breaks);
	tcase_add_test(tc, qp_long_swedish_round_trip);
	tcase_add_test(tc, qp_trailing_space_and_equals);
	tcase_add_test(tc, qp_line_breaks);
	tcase_add_test(tc, base64_lengths);
	suite_add_tcase(s, tc);

	tc = tcase_create("headers");
	tcase_add_test(tc, long_swedish_subject);
	tcase_add_test(tc, subject_with_four_byte_characters);
	tcase_add_test(tc, long_ascii_subject_folds_at_spaces);
	tcase_add_test(tc, display_names);
	tcase_add_test(tc, long_display_name_breaks_at_spaces);
	tcase_add_test(tc, rfc2231_long_filename);
	tcase_add_test(tc, dates);
	suite_add_tcase(s, tc);

	tc = tcase_create("round trip");
	tcase_add_test(tc, round_trip_mixed);
	tcase_add_test(tc, single_part_without_final_newline);
	suite_add_tcase(s, tc);

	tc = tcase_create("refusals");
	tcase_add_test(tc, injection_refused);
	tcase_add_test(tc, addresses_refused);
	tcase_add_test(tc, valid_address_table);
	tcase_add_test(tc, mailbox_parsing);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return testutil_run(mime_suite());
}
