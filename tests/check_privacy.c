/*
 * check_privacy: personal identity numbers (Luhn, dates, samordnings-
 * nummer, 10 and 12 digits), phone numbers and e-mail addresses are
 * masked; the numbers of an ordinary note (years, dates, times, counts,
 * postcodes, street numbers) are not; the text around stays as it was,
 * the result is valid UTF-8 and masking twice changes nothing.
 *
 * Check digits were computed by hand (Luhn over YYMMDDNNN, weights
 * 2,1,2,...): 811218-987 gives 6, 811278-987 (day 18 + 60) gives 3.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "privacy.h"
#include "testutil.h"

#define PNR "[personnummer borttaget]"
#define TEL "[telefonnummer borttaget]"
#define MAIL "[e-postadress borttagen]"

/* Strict UTF-8: shortest forms, no surrogates, nothing above U+10FFFF. */
static int
valid_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned cp;
	int n, i;

	while (*p != '\0') {
		if (*p < 0x80) {
			p++;
			continue;
		}
		if (*p >= 0xc2 && *p <= 0xdf) {
			n = 1;
			cp = *p & 0x1f;
		} else if (*p >= 0xe0 && *p <= 0xef) {
			n = 2;
			cp = *p & 0x0f;
		} else if (*p >= 0xf0 && *p <= 0xf4) {
			n = 3;
			cp = *p & 0x07;
		} else
			return 0;
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return 0;
		p += n + 1;
	}
	return 1;
}

/*
 * Mask `in` and compare with `want` and the kinds found; then check that
 * the result is valid UTF-8 and that masking it again changes nothing.
 */
static void
expect(const char *in, const char *want, unsigned want_found)
{
	char *out, *again;
	unsigned found = 0xff, found2 = 0xff;

	out = privacy_mask(in, &found);
	ck_assert_msg(strcmp(out, want) == 0,
	    "mask(\"%s\") = \"%s\", want "
	    "\"%s\"",
	    in, out, want);
	ck_assert_msg(found == want_found, "mask(\"%s\") found %u, want %u", in,
	    found, want_found);
	ck_assert(valid_utf8(out));
	again = privacy_mask(out, &found2);
	ck_assert_str_eq(again, out);
	ck_assert_uint_eq(found2, 0);
	ck_assert_uint_eq(privacy_scan(in), want_found);
	free(again);
	free(out);
}

/* The text is left exactly as it was. */
static void
same(const char *in)
{
	expect(in, in, 0);
}

START_TEST(pnr_short_forms)
{
	expect("811218-9876", PNR, PRIVACY_PNR);
	expect("811218+9876", PNR, PRIVACY_PNR);
	expect("8112189876", PNR, PRIVACY_PNR);
	/* Skatteverket's test person Tolvan Tolvansson. */
	expect("121212-1212", PNR, PRIVACY_PNR);
	expect("Pnr 640823-3234 sågs", "Pnr " PNR " sågs", PRIVACY_PNR);
}
END_TEST

START_TEST(pnr_long_forms)
{
	expect("19811218-9876", PNR, PRIVACY_PNR);
	expect("198112189876", PNR, PRIVACY_PNR);
	expect("20050228-1231", PNR, PRIVACY_PNR);
	expect("200502281231", PNR, PRIVACY_PNR);
	/* Born more than 100 years ago. */
	expect("18811218-9876", PNR, PRIVACY_PNR);
	/* No such century. */
	same("21811218-9876");
	same("17811218-9876");
	same("218112189876");
	/* A '+' has no meaning after a four-digit year. */
	same("19811218+9876");
}
END_TEST

START_TEST(pnr_luhn)
{
	char buf[16];
	unsigned found;
	char *out;
	int d;

	/* Only the right check digit makes it a personnummer. */
	for (d = 0; d <= 9; d++) {
		snprintf(buf, sizeof(buf), "811218-987%d", d);
		out = privacy_mask(buf, &found);
		if (d == 6) {
			ck_assert_str_eq(out, PNR);
			ck_assert_uint_eq(found, PRIVACY_PNR);
		} else {
			ck_assert_str_eq(out, buf);
			ck_assert_uint_eq(found, 0);
		}
		free(out);
	}
	same("811218-9877");
	same("8112189875");
	same("19811218-9870");
	same("121212-1213");
}
END_TEST

START_TEST(pnr_samordningsnummer)
{
	/* Day 18 + 60. */
	expect("811278-9873", PNR, PRIVACY_PNR);
	expect("19811278-9873", PNR, PRIVACY_PNR);
	expect("8112789873", PNR, PRIVACY_PNR);
	same("811278-9874");
	/* Day 31 + 60 in November, which has 30 days (Luhn right). */
	same("811191-0009");
	/* Day 61 - 60 = 1 is a date; 60 - 60 = 0 is not. */
	expect("811261-9872", PNR, PRIVACY_PNR);
	same("811260-9873");
}
END_TEST

START_TEST(pnr_dates)
{
	/* Month 13 with the right check digit: 811318-987 gives 5. */
	same("811318-9875");
	/*
	 * 29 February: 2000 and 12 are leap years, 1900 and 13 are not (00
	 * may be 2000, so it counts).
	 */
	expect("000229-1235", PNR, PRIVACY_PNR);
	expect("20000229-1235", PNR, PRIVACY_PNR);
	expect("120229-1231", PNR, PRIVACY_PNR);
	same("19000229-1235");
	same("130229-1230");
	/* Not a date but a phone number: 010-229 12 34. */
	expect("010229-1234", TEL, PRIVACY_PHONE);
	/* An organisation number (month + 20) is no person. */
	same("556012-5790");
	same("5560125790");
}
END_TEST

START_TEST(pnr_boundaries)
{
	/* Inside a word or a longer number. */
	same("x811218-9876");
	same("811218-9876x");
	same("ABC8112189876");
	same("ä811218-9876");
	same("811218-9876ö");
	same("1811218-9876");
	same("811218-98761");
	same("8112189876123");
	same("81121898761");
	same("1.8112189876");
	same("1:8112189876");
	same("811218-9876-5");
	same("id_8112189876");
	/* Beside punctuation and Swedish words it is found. */
	expect("(811218-9876)", "(" PNR ")", PRIVACY_PNR);
	expect("nr:811218-9876.", "nr:" PNR ".", PRIVACY_PNR);
	expect("»811218-9876«", "»" PNR "«", PRIVACY_PNR);
	expect("Åsa 811218-9876 är", "Åsa " PNR " är", PRIVACY_PNR);
	/* Two in a row; a comma or slash does not glue numbers. */
	expect("811218-9876, 121212-1212", PNR ", " PNR, PRIVACY_PNR);
	expect("811218-9876,121212-1212", PNR "," PNR, PRIVACY_PNR);
	expect("811218-9876/121212-1212", PNR "/" PNR, PRIVACY_PNR);
}
END_TEST

START_TEST(phone_swedish)
{
	expect("070-123 45 67", TEL, PRIVACY_PHONE);
	expect("070-1234567", TEL, PRIVACY_PHONE);
	expect("0701234567", TEL, PRIVACY_PHONE);
	expect("070 123 45 67", TEL, PRIVACY_PHONE);
	expect("073-987 65 43", TEL, PRIVACY_PHONE);
	expect("08-123 456 78", TEL, PRIVACY_PHONE);
	expect("08-12 34 56", TEL, PRIVACY_PHONE);
	expect("0980-123 45", TEL, PRIVACY_PHONE);
	expect("031-12 34 56", TEL, PRIVACY_PHONE);
	expect("(08) 123 456 78", TEL, PRIVACY_PHONE);
	/* With no-break spaces. */
	expect("070\xc2\xa0"
	       "123\xc2\xa0"
	       "45\xc2\xa0"
	       "67",
	    TEL, PRIVACY_PHONE);
	/* Seven digits is the least. */
	expect("08-123 45", TEL, PRIVACY_PHONE);
	same("08-123 4");
	same("070-12");
}
END_TEST

START_TEST(phone_international)
{
	expect("+46 70 123 45 67", TEL, PRIVACY_PHONE);
	expect("+46701234567", TEL, PRIVACY_PHONE);
	expect("+46-70-123 45 67", TEL, PRIVACY_PHONE);
	expect("+46 (0)70-123 45 67", TEL, PRIVACY_PHONE);
	expect("+46(0)8 123 456 78", TEL, PRIVACY_PHONE);
	expect("+46 070-123 45 67", TEL, PRIVACY_PHONE);
	expect("+46 8 123 456 78", TEL, PRIVACY_PHONE);
	expect("0046 70 123 45 67", TEL, PRIVACY_PHONE);
	expect("0046701234567", TEL, PRIVACY_PHONE);
	/* Other countries. */
	expect("+45 12 34 56 78", TEL, PRIVACY_PHONE);
	expect("+358 40 123 4567", TEL, PRIVACY_PHONE);
	expect("0047 912 34 567", TEL, PRIVACY_PHONE);
	/* Too short to be a number abroad. */
	same("+46 70 12");
	same("+5 grader");
	same("+12");
}
END_TEST

START_TEST(phone_in_text)
{
	expect("Ring 070-123 45 67 nu", "Ring " TEL " nu", PRIVACY_PHONE);
	expect("Tel: 070-123 45 67.", "Tel: " TEL ".", PRIVACY_PHONE);
	expect("tel:0701234567", "tel:" TEL, PRIVACY_PHONE);
	expect("(0701234567)", "(" TEL ")", PRIVACY_PHONE);
	/* A year after the number stays. */
	expect("070-123 45 67 2026", TEL " 2026", PRIVACY_PHONE);
	expect("+46 70 123 45 67 2026", TEL " 2026", PRIVACY_PHONE);
	expect("08-123 456 78 12 st", TEL " 12 st", PRIVACY_PHONE);
	/* Two numbers. */
	expect("0701234567 0701234568", TEL " " TEL, PRIVACY_PHONE);
	expect("070 123 45 67 08-123 456 78", TEL " " TEL, PRIVACY_PHONE);
	expect("070-123 45 67 / 08-123 456 78", TEL " / " TEL, PRIVACY_PHONE);
	expect("0701234567/0701234568", TEL "/" TEL, PRIVACY_PHONE);
	expect("0701234567,0701234568", TEL "," TEL, PRIVACY_PHONE);
	/*
	 * A number that cannot end where its groups do is cut at its last
	 * space: the rest is not a number, and most digits are masked.
	 */
	expect("070-123 45 67-2026", TEL " 67-2026", PRIVACY_PHONE);
}
END_TEST

START_TEST(phone_boundaries)
{
	same("id0701234567");
	same("0701234567x");
	same("10701234567");
	same("07012345678");
	same("070-1234567890");
	same("0701234567-8");
	same("x+46701234567");
	same("3.0701234567");
}
END_TEST

START_TEST(not_phones)
{
	same("2026");
	same("år 2026 vecka 47");
	same("14:30");
	same("kl. 14.30");
	same("14:30-15:45");
	same("2026-11-20");
	same("2026-11-20 kl 14:30");
	same("20 november 2026");
	same("10000");
	same("10 000 kr");
	same("1 000 000");
	same("123 45");
	same("123 45 Örebro");
	same("Storgatan 12");
	same("Storgatan 12, 702 11 Örebro");
	same("0,5 km");
	same("08.30-09.15");
	same("kl 08-12");
	/* Time ranges and dates that start with 0. */
	same("0800-1200");
	same("mellan 0830-1645");
	same("0200-0400");
	same("05-11-2026");
	same("05 11 2026");
	same("0 0 0 0 0 0 0 0");
	same("000 000 000");
	/* Bus line, building, floor. */
	same("buss 3, hus 14, plan 2");
	same("59.2753, 15.2134");
}
END_TEST

START_TEST(email)
{
	expect("kalle.anka@example.se", MAIL, PRIVACY_EMAIL);
	expect("kalle.anka@example.se.", MAIL ".", PRIVACY_EMAIL);
	expect("(a@b.se)", "(" MAIL ")", PRIVACY_EMAIL);
	expect("Mejla x_y+z@sub.kommun.se, tack", "Mejla " MAIL ", tack",
	    PRIVACY_EMAIL);
	expect("åsa.öberg@örebro.se", MAIL, PRIVACY_EMAIL);
	expect("Kontakt:a.b@c.org!", "Kontakt:" MAIL "!", PRIVACY_EMAIL);
	expect("a@b.xn--p1ai", MAIL, PRIVACY_EMAIL);
	expect("A.B@EXAMPLE.COM", MAIL, PRIVACY_EMAIL);
	expect("811218-9876@example.se", MAIL, PRIVACY_EMAIL);
	expect("mejl a@b.se-adressen", "mejl " MAIL "-adressen", PRIVACY_EMAIL);
	/* Not addresses. */
	same("@kommunen");
	same("a@b");
	same("a@b.c");
	same("a@localhost");
	same("a@b.12");
	same("@b.se");
	same("a@.se");
	same("a@-b.se");
	same("5 st @ 20 kr");
}
END_TEST

START_TEST(several)
{
	expect("Åsa såg 811218-9876 vid Ölandsgatan; ring 070-123 45 67 "
	       "eller skriv till a@b.se – tack!",
	    "Åsa såg " PNR " vid Ölandsgatan; ring " TEL
	    " eller skriv till " MAIL " – tack!",
	    PRIVACY_ALL);
	expect("Tel 070-123 45 67, 2026-11-20 kl 14:30, Storgatan 12",
	    "Tel " TEL ", 2026-11-20 kl 14:30, Storgatan 12", PRIVACY_PHONE);
	expect("a@b.se b@c.se", MAIL " " MAIL, PRIVACY_EMAIL);
	expect("121212-1212\n0701234567\r\nx@y.se\t",
	    PNR "\n" TEL "\r\n" MAIL "\t", PRIVACY_ALL);
}
END_TEST

START_TEST(neighbours)
{
	/*
	 * The first number reads on into "08" of the second and meets a
	 * dash: refused whole. The second is masked, then the first.
	 */
	expect("08-123 45 08-678 90", TEL " " TEL, PRIVACY_PHONE);
	expect("070-1726 0-123522", TEL " " TEL, PRIVACY_PHONE);
	/* A phone number glued to a personnummer by a space. */
	expect("+46 70 123 45 67 811218+9876", TEL " " PNR,
	    PRIVACY_PHONE | PRIVACY_PNR);
	/* Beside a marker is free, beside a digit behind ':' is not. */
	expect("0123456:+46740070", TEL ":" TEL, PRIVACY_PHONE);
	same("5:+46740070");
	expect("0712314:0@a.se", TEL ":" MAIL, PRIVACY_PHONE | PRIVACY_EMAIL);
	expect(
	    "a@b.se+46 70 123 45 67", MAIL TEL, PRIVACY_EMAIL | PRIVACY_PHONE);
	expect("0701234567(08) 123 45 67", TEL TEL, PRIVACY_PHONE);
	/* "se-0701234567" is no top-level domain, "se" is. */
	expect(
	    "a@b.se-0701234567", MAIL "-" TEL, PRIVACY_EMAIL | PRIVACY_PHONE);
	/* The domain ends before a label that is no top-level domain. */
	expect(
	    "a@b.se.0701234567", MAIL "." TEL, PRIVACY_EMAIL | PRIVACY_PHONE);
	/* A second '@' right after an address has no local part. */
	expect("foo@bar.se@baz.se", MAIL "@baz.se", PRIVACY_EMAIL);
	/* Digits glued to a personnummer: neither is found. */
	same("811218-98760701234567");
	/* A personnummer that could be a phone number is called one. */
	expect("0701234569", PNR, PRIVACY_PNR);
	expect("070-123 45 69", TEL, PRIVACY_PHONE);
}
END_TEST

START_TEST(utf8)
{
	/* Invalid bytes become U+FFFD; valid text is untouched. */
	expect("abc\xff"
	       "def",
	    "abc\xef\xbf\xbd"
	    "def",
	    0);
	expect("\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd", 0);
	expect("slut\xc3", "slut\xef\xbf\xbd", 0);
	expect("\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 0);
	expect("\xf4\x90\x80\x80",
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
	    "\xef\xbf\xbd",
	    0);
	same("🚒 brand vid återvinningen, 😀");
	same("ÅÄÖ åäö é ü ß");
	/* An invalid byte beside a number does not glue to it. */
	expect("\xff"
	       "811218-9876",
	    "\xef\xbf\xbd" PNR, PRIVACY_PNR);
	expect(
	    "811218-9876\xe2\x82", PNR "\xef\xbf\xbd\xef\xbf\xbd", PRIVACY_PNR);
	/* Emoji are not letters. */
	expect("📞0701234567", "📞" TEL, PRIVACY_PHONE);
	/* Letters of other scripts are. */
	same("тел0701234567");
}
END_TEST

START_TEST(plain_text)
{
	same("");
	same("Krossad busskur vid Torget, glas på marken.");
	same("Inget att rapportera.");
	same(PNR " " TEL " " MAIL);
	same("[personal identity number removed] [phone number removed] "
	     "[e-mail address removed]");
	ck_assert_uint_eq(privacy_scan("Torget"), 0);
}
END_TEST

START_TEST(english)
{
	char *out;
	unsigned found;

	out = privacy_mask_lang(
	    "811218-9876, 070-123 45 67, a@b.se", "en", &found);
	ck_assert_str_eq(out,
	    "[personal identity number removed], "
	    "[phone number removed], [e-mail address removed]");
	ck_assert_uint_eq(found, PRIVACY_ALL);
	free(out);
	/* Anything but "en" is Swedish. */
	out = privacy_mask_lang("a@b.se", "de", NULL);
	ck_assert_str_eq(out, MAIL);
	free(out);
	out = privacy_mask_lang("a@b.se", NULL, NULL);
	ck_assert_str_eq(out, MAIL);
	free(out);
	out = privacy_mask("070-123 45 67", NULL);
	ck_assert_str_eq(out, TEL);
	free(out);
}
END_TEST

START_TEST(names)
{
	ck_assert_str_eq(privacy_kind_name(PRIVACY_PNR, "sv"), "personnummer");
	ck_assert_str_eq(
	    privacy_kind_name(PRIVACY_PHONE, "sv"), "telefonnummer");
	ck_assert_str_eq(
	    privacy_kind_name(PRIVACY_EMAIL, "sv"), "e-postadress");
	ck_assert_str_eq(
	    privacy_kind_name(PRIVACY_PNR, "en"), "personal identity number");
	ck_assert_str_eq(
	    privacy_kind_name(PRIVACY_PHONE, "en"), "phone number");
	ck_assert_str_eq(
	    privacy_kind_name(PRIVACY_EMAIL, "en"), "e-mail address");
	ck_assert_str_eq(
	    privacy_kind_name(PRIVACY_EMAIL, NULL), "e-postadress");
	ck_assert_ptr_null(privacy_kind_name(0, "sv"));
	ck_assert_ptr_null(privacy_kind_name(PRIVACY_ALL, "sv"));
	ck_assert_ptr_null(privacy_kind_name(0x8, "en"));
	ck_assert_str_eq(privacy_marker(PRIVACY_PNR, "sv"), PNR);
	ck_assert_str_eq(privacy_marker(PRIVACY_PHONE, "sv"), TEL);
	ck_assert_str_eq(privacy_marker(PRIVACY_EMAIL, "sv"), MAIL);
	ck_assert_str_eq(
	    privacy_marker(PRIVACY_PHONE, "en"), "[phone number removed]");
	ck_assert_ptr_null(privacy_marker(PRIVACY_PNR | PRIVACY_PHONE, "en"));
}
END_TEST

START_TEST(long_text)
{
	char *in, *out, *p;
	size_t i, n = 300;
	unsigned found;

	/* A 4000-character note of numbers, each found. */
	in = malloc(n * 13 + 1);
	ck_assert_ptr_nonnull(in);
	for (i = 0, p = in; i < n; i++, p += 13)
		memcpy(p, i % 2 == 0 ? "811218-9876, " : "0701234567 , ", 13);
	*p = '\0';
	out = privacy_mask(in, &found);
	ck_assert_uint_eq(found, PRIVACY_PNR | PRIVACY_PHONE);
	ck_assert_uint_eq(
	    strlen(out), n / 2 * (strlen(PNR ", ") + strlen(TEL " , ")));
	ck_assert(strncmp(out, PNR ", " TEL " , " PNR,
		      2 * strlen(PNR) + strlen(TEL) + 5) == 0);
	free(out);
	free(in);
}
END_TEST

static Suite *
privacy_suite(void)
{
	Suite *s = suite_create("privacy");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, pnr_short_forms);
	tcase_add_test(tc, pnr_long_forms);
	tcase_add_test(tc, pnr_luhn);
	tcase_add_test(tc, pnr_samordningsnummer);
	tcase_add_test(tc, pnr_dates);
	tcase_add_test(tc, pnr_boundaries);
	tcase_add_test(tc, phone_swedish);
	tcase_add_test(tc, phone_international);
	tcase_add_test(tc, phone_in_text);
	tcase_add_test(tc, phone_boundaries);
	tcase_add_test(tc, not_phones);
	tcase_add_test(tc, email);
	tcase_add_test(tc, several);
	tcase_add_test(tc, neighbours);
	tcase_add_test(tc, utf8);
	tcase_add_test(tc, plain_text);
	tcase_add_test(tc, english);
	tcase_add_test(tc, names);
	tcase_add_test(tc, long_text);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return testutil_run(privacy_suite());
}
