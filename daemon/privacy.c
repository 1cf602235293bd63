/*
 * privacy: find and mask personal identity numbers, phone numbers and
 * e-mail addresses in free text (see privacy.h).
 *
 * DESIGN: the text is first made valid UTF-8 (invalid bytes become
 * U+FFFD), so every later step can decode code points and every span it
 * replaces starts and ends on a character boundary. A pass then finds
 * the e-mail addresses (anchored at '@'), and between them, left to
 * right, personal identity numbers and phone numbers; each item found
 * is replaced by its marker. An item may only start and end where a word
 * or a number does: a letter or digit beside it, or a digit behind a
 * '-', '+', '.' or ':' beside it, means it is part of something longer
 * (an id, a decimal, a time or date) and is left alone.
 *
 * The boundary rules look at an item's neighbours, which may be masked
 * in the same pass: a pass reads text it has masked already, and e-mail
 * addresses it is about to mask, as markers, and a phone number that
 * cannot end where its groups end is cut at a space (phone_len). Should
 * some case remain where masking one item frees another, passes are
 * repeated until one finds nothing, which makes privacy_mask idempotent
 * whatever the rules miss. This ends: each change removes an '@' or at
 * least seven digits, and the markers contain neither.
 *
 * False positives are preferred to misses where the two conflict (the
 * text may become a public document), but the usual numbers of a note
 * stay: years, dates, times, time ranges ("0800-1200"), counts, postcodes
 * and street numbers. Organisation numbers (month + 20) fail the date
 * check and stay too: they are not personal data.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "privacy.h"
#include "xmalloc.h"

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */
/* Digits of the longest phone number read: "00" and 15 of E.164. */
#define PHONE_DIGITS_MAX 17

struct kind {
	unsigned flag;
	const char *name_sv;
	const char *name_en;
	const char *marker_sv;
	const char *marker_en;
};

static const struct kind kind_table[] = {
    {PRIVACY_PNR, "personnummer", "personal identity number",
	"[personnummer borttaget]", "[personal identity number removed]"},
    {PRIVACY_PHONE, "telefonnummer", "phone number",
	"[telefonnummer borttaget]", "[phone number removed]"},
    {PRIVACY_EMAIL, "e-postadress", "e-mail address",
	"[e-postadress borttagen]", "[e-mail address removed]"},
};

static const struct kind *
kind_of(unsigned flag)
{
	size_t i;

	for (i = 0; i < sizeof(kind_table) / sizeof(kind_table[0]); i++)
		if (kind_table[i].flag == flag)
			return &kind_table[i];
	return NULL;
}

static bool
is_english(const char *lang)
{
	return lang != NULL && strcmp(lang, "en") == 0;
}

const char *
privacy_kind_name(unsigned kind, const char *lang)
{
	const struct kind *k;

	if ((k = kind_of(kind)) == NULL)
		return NULL;
	return is_english(lang) ? k->name_en : k->name_sv;
}

const char *
privacy_marker(unsigned kind, const char *lang)
{
	const struct kind *k;

	if ((k = kind_of(kind)) == NULL)
		return NULL;
	return is_english(lang) ? k->marker_en : k->marker_sv;
}

/*
 * Length of the UTF-8 sequence at p (n bytes available), or 0 when it is
 * not the shortest encoding of a scalar value up to U+10FFFF.
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
 * A copy of text with each byte that does not start a valid sequence
 * replaced by U+FFFD. Owned by the caller; its length in *len.
 */
static char *
sanitize(const char *text, size_t *len)
{
	const unsigned char *p = (const unsigned char *)text;
	struct buf b = {NULL, 0, 0};
	size_t n = strlen(text), i = 0, run = 0, k;

	while (i < n) {
		if ((k = utf8_seq(p + i, n - i)) != 0) {
			i += k;
			continue;
		}
		buf_append(&b, p + run, i - run);
		buf_append(&b, REPLACEMENT, 3);
		run = ++i;
	}
	buf_append(&b, p + run, n - run);
	return buf_take(&b, len);
}

/* The code point at s[i] of valid UTF-8; its length in *n. */
static unsigned
cp_at(const char *s, size_t i, size_t *n)
{
	const unsigned char *p = (const unsigned char *)s + i;
	unsigned cp;
	size_t k;

	if (p[0] < 0x80) {
		*n = 1;
		return p[0];
	}
	if (p[0] < 0xe0) {
		*n = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] < 0xf0) {
		*n = 3;
		cp = p[0] & 0x0f;
	} else {
		*n = 4;
		cp = p[0] & 0x07;
	}
	for (k = 1; k < *n; k++)
		cp = (cp << 6) | (p[k] & 0x3f);
	return cp;
}

/* The code point that ends just before s[i] (i > 0); its start in *at. */
static unsigned
cp_before(const char *s, size_t i, size_t *at)
{
	size_t j = i - 1, n;

	while (j > 0 && ((unsigned char)s[j] & 0xc0) == 0x80)
		j--;
	*at = j;
	return cp_at(s, j, &n);
}

static bool
is_digit(unsigned c)
{
	return c >= '0' && c <= '9';
}

static bool
is_ascii_alpha(unsigned c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * A letter, by Unicode block: good enough to tell the Swedish, Nordic
 * and other letters of a word from punctuation, symbols, spaces and
 * emoji around a number, without a Unicode table.
 */
static bool
is_letter(unsigned cp)
{
	if (cp < 0x80)
		return is_ascii_alpha(cp);
	if (cp < 0xc0) /* Latin-1 punctuation and signs */
		return false;
	if (cp < 0x250) /* Latin-1 letters, Latin Extended */
		return cp != 0xd7 && cp != 0xf7;
	if (cp < 0x2000) /* IPA, Greek, Cyrillic ... Greek Ext */
		return true;
	if (cp < 0x2c00) /* punctuation, symbols, arrows */
		return false;
	if (cp < 0x2e00) /* Glagolitic ... Cyrillic Ext-A */
		return true;
	if (cp < 0x3040) /* CJK punctuation */
		return false;
	if (cp < 0xd800) /* kana, Hangul, CJK */
		return true;
	if (cp < 0xf900) /* private use */
		return false;
	if (cp < 0xfe00) /* compatibility, presentation forms */
		return true;
	if (cp < 0xfe70) /* selectors, small and vertical forms */
		return false;
	if (cp < 0xff00) /* Arabic presentation forms */
		return true;
	if (cp < 0xff21) /* full-width punctuation and digits */
		return false;
	if (cp < 0xffe0) /* full-width letters, half-width kana */
		return true;
	if (cp < 0x10000)
		return false;
	if (cp >= 0x1f000 && cp < 0x1fc00) /* emoji, symbols */
		return false;
	return cp < 0x40000;
}

/* Part of a word or a number. */
static bool
is_word(unsigned cp)
{
	return is_digit(cp) || cp == '_' || is_letter(cp);
}

/*
 * Punctuation that glues digits into one number: 1.5, 14:30, 2026-11,
 * 811218+9876. Not ',' and '/', which join lists of numbers more often
 * than the parts of one that could be taken for an item here:
 * "0701234567/0701234568".
 */
static bool
is_glue(unsigned c)
{
	return c == '-' || c == '+' || c == '.' || c == ':';
}

/*
 * May an item start at s[i]: is it not the inside of a word or number?
 * Text before `masked` has been masked already and will read as the
 * marker's ']': "0123456:+46 70 123 45 67" has two numbers.
 */
static bool
starts_free(const char *s, size_t i, size_t masked)
{
	size_t at;
	unsigned c;

	if (i <= masked)
		return true;
	c = cp_before(s, i, &at);
	if (is_word(c))
		return false;
	return !(
	    is_glue(c) && at > masked && is_digit((unsigned char)s[at - 1]));
}

/*
 * May an item end just before s[end]? An e-mail address that starts at
 * limit will be a marker by then: "0701234567:a@b.se" has two items.
 */
static bool
ends_free(const char *s, size_t len, size_t end, size_t limit)
{
	size_t n;
	unsigned c;

	if (end >= len || end == limit)
		return true;
	c = cp_at(s, end, &n);
	if (is_word(c))
		return false;
	return !(is_glue(c) && end + 1 < limit &&
	    is_digit((unsigned char)s[end + 1]));
}

/* Digits at s[i], not beyond limit, counting at most cap. */
static size_t
digit_run(const char *s, size_t i, size_t limit, size_t cap)
{
	size_t n = 0;

	while (i + n < limit && n < cap && is_digit((unsigned char)s[i + n]))
		n++;
	return n;
}

/* Two digits as a number. */
static int
two(const char *d)
{
	return (d[0] - '0') * 10 + (d[1] - '0');
}

/*
 * YYMMDD at d, the day of a samordningsnummer raised by 60, is a date.
 * century is 18-20, or -1 when the number does not say (then 29
 * February counts in any year divisible by 4, 1900 included).
 */
static bool
birth_date(int century, const char *d)
{
	static const int mdays[12] = {
	    31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int year, month = two(d + 2), day = two(d + 4);
	bool leap;

	if (day > 60)
		day -= 60;
	if (month < 1 || month > 12 || day < 1 || day > mdays[month - 1])
		return false;
	if (month != 2 || day != 29)
		return true;
	if (century < 0)
		return two(d) % 4 == 0;
	year = century * 100 + two(d);
	leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	return leap;
}

/* The Luhn check of YYMMDDNNNC: C follows from the nine digits before. */
static bool
luhn_ok(const char *d)
{
	int i, v, sum = 0;

	for (i = 0; i < 9; i++) {
		v = (d[i] - '0') * (i % 2 == 0 ? 2 : 1);
		sum += v > 9 ? v - 9 : v;
	}
	return (10 - sum % 10) % 10 == d[9] - '0';
}

/*
 * Length of the personal identity number at s[i] (a digit that starts a
 * number), or 0. The digits must not reach beyond limit.
 */
static size_t
pnr_len(const char *s, size_t len, size_t i, size_t limit)
{
	char d[10];
	size_t run, end;
	int century = -1;

	run = digit_run(s, i, limit, 13);
	switch (run) {
	case 10: /* YYMMDDXXXX */
		memcpy(d, s + i, 10);
		end = i + 10;
		break;
	case 12: /* YYYYMMDDXXXX */
		century = two(s + i);
		memcpy(d, s + i + 2, 10);
		end = i + 12;
		break;
	case 6: /* YYMMDD-XXXX, YYMMDD+XXXX */
	case 8: /* YYYYMMDD-XXXX */
		end = i + run;
		if (end >= limit ||
		    !(s[end] == '-' || (run == 6 && s[end] == '+')))
			return 0;
		if (digit_run(s, end + 1, limit, 5) != 4)
			return 0;
		if (run == 8)
			century = two(s + i);
		memcpy(d, s + end - 6, 6);
		memcpy(d + 6, s + end + 1, 4);
		end += 5;
		break;
	default: return 0;
	}
	if (century != -1 && (century < 18 || century > 20))
		return 0;
	if (!birth_date(century, d) || !luhn_ok(d))
		return 0;
	if (!ends_free(s, len, end, limit))
		return 0;
	return end - i;
}

/* A separator between the digit groups of a phone number, or 0. */
static size_t
phone_sep(const char *s, size_t i, size_t limit)
{
	if (i >= limit)
		return 0;
	if (s[i] == ' ' || s[i] == '-')
		return 1;
	/* A no-break space, as word processors put in numbers. */
	if (i + 1 < limit && (unsigned char)s[i] == 0xc2 &&
	    (unsigned char)s[i + 1] == 0xa0)
		return 2;
	return 0;
}

/* A phone number as read: its digits and the shape of its groups. */
struct phone {
	char d[PHONE_DIGITS_MAX];
	size_t nd;
	size_t groups;
	size_t glen[3]; /* of the first three groups */
	char sep[2]; /* the first two separators, ' ' for NBSP */
	bool plus;
};

/*
 * Most digits a number with the digits d[0..n) may have: 10 for a
 * Swedish national number (0 and at most 9), 11 for +46 (12 when the
 * trunk 0 is written after it as well), 15 for other country codes
 * (E.164); with 00 instead of + two more.
 */
static size_t
phone_max(const char *d, size_t n, bool plus)
{
	size_t extra = 0;

	if (!plus) {
		if (n < 2)
			return PHONE_DIGITS_MAX;
		if (d[0] == '0' && d[1] != '0')
			return 10;
		d += 2;
		n -= 2;
		extra = 2;
	}
	if (n >= 2 && d[0] == '4' && d[1] == '6')
		return extra + 11 + (n >= 3 && d[2] == '0');
	return extra + 15;
}

/* True if the next international "(0)" is at s[*p]; skips it. */
static bool
trunk_zero(const char *s, size_t *p, size_t limit)
{
	size_t q = *p;

	q += phone_sep(s, q, limit);
	if (q + 3 > limit || memcmp(s + q, "(0)", 3) != 0)
		return false;
	q += 3;
	q += phone_sep(s, q, limit);
	if (q >= limit || !is_digit((unsigned char)s[q]))
		return false;
	*p = q;
	return true;
}

/* "HHMM" at d is a time of day (24:00 included). */
static bool
hhmm(const char *d)
{
	return two(d) <= 24 && two(d + 2) <= 59;
}

/* The number as read is one of the usual non-phones that start with 0. */
static bool
phone_lookalike(const struct phone *ph)
{
	int day, month, year;

	/* A time range: "0800-1200". */
	if (ph->groups == 2 && ph->glen[0] == 4 && ph->glen[1] == 4 &&
	    ph->sep[0] == '-' && hhmm(ph->d) && hhmm(ph->d + 4))
		return true;
	/* A date: "05-11-2026", "05 11 2026". */
	if (ph->groups == 3 && ph->glen[0] == 2 && ph->glen[1] == 2 &&
	    ph->glen[2] == 4 && ph->sep[0] == ph->sep[1]) {
		day = two(ph->d);
		month = two(ph->d + 2);
		year = two(ph->d + 4) * 100 + two(ph->d + 6);
		if (day >= 1 && day <= 31 && month >= 1 && month <= 12 &&
		    year >= 1900 && year <= 2099)
			return true;
	}
	return false;
}

/*
 * Add the group of g digits at s[p] to ph, or return false if the number
 * would be too long with it.
 */
static bool
phone_group(struct phone *ph, const char *s, size_t p, size_t g)
{
	char d[PHONE_DIGITS_MAX];
	size_t n = ph->nd + g;

	if (n > PHONE_DIGITS_MAX)
		return false;
	memcpy(d, ph->d, ph->nd);
	memcpy(d + ph->nd, s + p, g);
	if (n > phone_max(d, n, ph->plus))
		return false;
	/* Swedish subscriber numbers never start with 0: "0200-0400". */
	if (ph->groups == 1 && !ph->plus && d[0] == '0' && d[1] != '0' &&
	    s[p] == '0')
		return false;
	memcpy(ph->d, d, n);
	if (ph->groups < 3)
		ph->glen[ph->groups] = g;
	ph->groups++;
	ph->nd = n;
	return true;
}

/* The digits read make a phone number (its end aside). */
static bool
phone_valid(const struct phone *ph)
{
	if (ph->nd < 2)
		return false;
	if (ph->plus)
		return ph->d[0] != '0' && ph->nd >= 8;
	if (ph->d[0] != '0')
		return false;
	if (ph->d[1] == '0')
		return ph->nd >= 3 && ph->d[2] != '0' && ph->nd - 2 >= 8;
	return ph->nd >= 7 && !phone_lookalike(ph);
}

/*
 * Length of the phone number at s[i] ('+', '0' or '('), or 0. Groups
 * are taken while the number stays within its longest length, so a
 * number followed by a year or a second number ends where it should.
 * A number that cannot end where its groups end (a dash and a digit
 * follow) ends at the last space between its groups where it is a
 * whole number: in "08-123 45 08-678 90" the first number read on into
 * the second, and "+46 70 123 45 67 811218+9876" is a phone number
 * and a personnummer.
 */
static size_t
phone_len(const char *s, size_t len, size_t i, size_t limit)
{
	struct phone ph, tried;
	size_t p = i, end = 0, cut_end = 0, g, k;
	bool spaced = false;

	memset(&ph, 0, sizeof(ph));
	if (s[p] == '+') {
		ph.plus = true;
		p++;
	} else if (s[p] == '(') {
		/* An area code in brackets: "(08) 123 456 78". */
		g = digit_run(s, p + 1, limit, 5);
		if (g < 2 || g > 4 || s[p + 1] != '0' || s[p + 2] == '0' ||
		    p + 1 + g >= limit || s[p + 1 + g] != ')')
			return 0;
		(void)phone_group(&ph, s, p + 1, g);
		p += g + 2;
		end = p;
		if (p < limit && s[p] == ' ')
			p++;
		if (p >= limit || !is_digit((unsigned char)s[p]))
			return 0;
		ph.sep[0] = ')';
	}
	for (;;) {
		if ((g = digit_run(s, p, limit, PHONE_DIGITS_MAX + 1)) == 0)
			break;
		tried = ph;
		if (!phone_group(&ph, s, p, g))
			break;
		if (spaced && phone_valid(&tried))
			cut_end = end;
		p += g;
		end = p;
		spaced = false;
		if (ph.groups == 1 &&
		    (ph.plus || (ph.d[0] == '0' && ph.d[1] == '0')) &&
		    trunk_zero(s, &p, limit))
			continue;
		if ((k = phone_sep(s, p, limit)) == 0 || p + k >= limit ||
		    !is_digit((unsigned char)s[p + k]))
			break;
		if (ph.groups <= 2)
			ph.sep[ph.groups - 1] = s[p] == '-' ? '-' : ' ';
		spaced = s[p] != '-';
		p += k;
	}
	if (!ends_free(s, len, end, limit)) {
		if (cut_end == 0)
			return 0;
		return cut_end - i;
	}
	if (!phone_valid(&ph))
		return 0;
	return end - i;
}

/* May this code point be in the local part of an address? */
static bool
is_local(unsigned cp)
{
	return is_digit(cp) || is_letter(cp) || cp == '.' || cp == '_' ||
	    cp == '%' || cp == '+' || cp == '-';
}

/* May this code point be in a domain label? */
static bool
is_label(unsigned cp)
{
	return is_digit(cp) || is_letter(cp) || cp == '-';
}

/* A top-level domain: two letters or more, or an "xn--" name. */
static bool
tld_ok(const char *s, size_t a, size_t b)
{
	size_t n, chars = 0;
	unsigned cp;

	if (b - a > 4 && strncasecmp(s + a, "xn--", 4) == 0)
		return true;
	while (a < b) {
		cp = cp_at(s, a, &n);
		if (!is_letter(cp))
			return false;
		chars++;
		a += n;
	}
	return chars >= 2;
}

struct span {
	size_t start;
	size_t end;
};

/*
 * The address around the '@' at s[at], its local part starting at lo or
 * later. The domain is the longest run of labels that ends in a top-level
 * domain, so "a@b.se." and "a@b.se.Hej" end where a reader sees the end.
 */
static bool
email_at(const char *s, size_t len, size_t at, size_t lo, struct span *sp)
{
	const char *dash;
	size_t b = at, p, q, n, j, best = 0, labels = 0;
	unsigned cp;

	while (b > lo) {
		cp = cp_before(s, b, &j);
		if (!is_local(cp) || j < lo)
			break;
		b = j;
	}
	while (b < at && s[b] == '.')
		b++;
	if (b == at)
		return false;
	for (p = at + 1; p < len; p = q + 1) {
		for (q = p; q < len; q += n) {
			cp = cp_at(s, q, &n);
			if (!is_label(cp))
				break;
		}
		/* A dash that ends a label ends the address: "a@b.se-". */
		while (q > p && s[q - 1] == '-')
			q--;
		if (q == p || s[p] == '-')
			break;
		if (++labels >= 2) {
			if (tld_ok(s, p, q))
				best = q;
			else if ((dash = memchr(s + p, '-', q - p)) != NULL &&
			    tld_ok(s, p, (size_t)(dash - s)))
				/* A Swedish compound: "a@b.se-adressen". */
				best = (size_t)(dash - s);
		}
		if (q >= len || s[q] != '.')
			break;
	}
	if (best == 0)
		return false;
	sp->start = b;
	sp->end = best;
	return true;
}

/* The e-mail addresses of s, in order and apart; *n of them, owned. */
static struct span *
find_emails(const char *s, size_t len, size_t *n)
{
	struct span *v = NULL, sp;
	size_t i, lo = 0, cap = 0;

	*n = 0;
	for (i = 0; i < len; i++) {
		if (s[i] != '@' || !email_at(s, len, i, lo, &sp))
			continue;
		if (*n == cap) {
			cap = cap == 0 ? 4 : cap * 2;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		v[(*n)++] = sp;
		lo = sp.end;
		i = sp.end - 1;
	}
	return v;
}

/*
 * One pass over s[0..len) (valid UTF-8). Returns a new string (owned by
 * the caller) with what was found masked, its length in *outlen and the
 * kinds added to *found; NULL if nothing was found.
 */
static char *
mask_pass(const char *s, size_t len, const char *lang, unsigned *found,
    size_t *outlen)
{
	struct buf b = {NULL, 0, 0};
	struct span *emails;
	size_t nemails, e = 0, i = 0, copied = 0, limit, n;
	unsigned kind, c;
	bool any = false;

	emails = find_emails(s, len, &nemails);
	while (i < len) {
		limit = e < nemails ? emails[e].start : len;
		kind = 0;
		n = 0;
		c = (unsigned char)s[i];
		if (i == limit) {
			kind = PRIVACY_EMAIL;
			n = emails[e].end - i;
			e++;
		} else if ((is_digit(c) || c == '+' || c == '(') &&
		    starts_free(s, i, copied)) {
			if (is_digit(c) && (n = pnr_len(s, len, i, limit)) > 0)
				kind = PRIVACY_PNR;
			else if ((c == '0' || c == '+' || c == '(') &&
			    (n = phone_len(s, len, i, limit)) > 0)
				kind = PRIVACY_PHONE;
		}
		if (kind == 0) {
			i++;
			continue;
		}
		buf_append(&b, s + copied, i - copied);
		buf_puts(&b, privacy_marker(kind, lang));
		*found |= kind;
		any = true;
		i += n;
		copied = i;
	}
	free(emails);
	if (!any) {
		buf_reset(&b);
		return NULL;
	}
	buf_append(&b, s + copied, len - copied);
	return buf_take(&b, outlen);
}

/* The result is owned by the caller. */
char *
privacy_mask_lang(const char *text, const char *lang, unsigned *found)
{
	char *cur, *next;
	size_t len;
	unsigned kinds = 0;

	cur = sanitize(text, &len);
	while ((next = mask_pass(cur, len, lang, &kinds, &len)) != NULL) {
		free(cur);
		cur = next;
	}
	if (found != NULL)
		*found = kinds;
	return cur;
}

/* The result is owned by the caller. */
char *
privacy_mask(const char *text, unsigned *found)
{
	return privacy_mask_lang(text, "sv", found);
}

unsigned
privacy_scan(const char *text)
{
	unsigned found;

	free(privacy_mask_lang(text, "sv", &found));
	return found;
}
