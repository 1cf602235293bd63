/*
 * privacy: find and mask personal data in the reporters' free text
 * (place, note). EST reports describe places, never people, and a report
 * handed to a municipality is likely a public document, so Swedish
 * personal identity numbers, phone numbers and e-mail addresses are
 * replaced by a fixed marker before a text is kept, and the caller is
 * told which kinds were found so the form can say why. Pure: no I/O, no
 * clock, no globals.
 *
 * What counts (the rules are in privacy.c):
 *  - personnummer and samordningsnummer (day + 60): YYMMDD-XXXX,
 *    YYMMDD+XXXX, YYMMDDXXXX, YYYYMMDD-XXXX, YYYYMMDDXXXX with a real
 *    date and a valid Luhn check digit;
 *  - phone numbers: Swedish national (07X-XXX XX XX, 08-123 456 78,
 *    070-1234567), +46 / 0046 and other international numbers, digit
 *    groups split by single spaces or dashes, at least 7 digits;
 *  - e-mail addresses (local@domain.tld, Swedish letters allowed).
 * Digits inside a word or a longer number are not personal data here,
 * nor are years, dates, times, counts, postcodes or street numbers.
 *
 * The markers contain no digit and no '@', so masked text holds nothing
 * more to find: privacy_mask is idempotent. Markers are Swedish by
 * default, the language of the stored reports; English ones exist for
 * texts shown to English readers.
 *
 * Callers: report handling before a text is stored, the form (to tell
 * the reporter), estctl import.
 */
#ifndef ESTD_PRIVACY_H
#define ESTD_PRIVACY_H

/* Kinds of personal data, as bit flags. */
#define PRIVACY_PNR 0x1u /* personnummer or samordningsnummer */
#define PRIVACY_PHONE 0x2u /* telefonnummer */
#define PRIVACY_EMAIL 0x4u /* e-postadress */
#define PRIVACY_ALL (PRIVACY_PNR | PRIVACY_PHONE | PRIVACY_EMAIL)

/*
 * A copy of the NUL-terminated `text` with every item found replaced by
 * its Swedish marker ("[personnummer borttaget]", "[telefonnummer
 * borttaget]", "[e-postadress borttagen]"). Bytes that are not valid
 * UTF-8 become U+FFFD, so the result is always valid UTF-8. *found (when
 * not NULL) is set to the kinds found, 0 if none. The result is owned by
 * the caller (free(3)); never NULL.
 */
char *privacy_mask(const char *text, unsigned *found);
/*
 * As privacy_mask with the markers of `lang`: "en" gives
 * "[personal identity number removed]", "[phone number removed]",
 * "[e-mail address removed]"; anything else Swedish. Result owned by
 * the caller.
 */
char *privacy_mask_lang(const char *text, const char *lang, unsigned *found);
/* The kinds privacy_mask would find in text, 0 if none. */
unsigned privacy_scan(const char *text);

/*
 * Name of one kind for a message to the reporter: "personnummer",
 * "telefonnummer", "e-postadress" (sv) or "personal identity number",
 * "phone number", "e-mail address" (en); NULL unless `kind` is exactly
 * one of the flags. Static strings.
 */
const char *privacy_kind_name(unsigned kind, const char *lang);
/* The marker of one kind in `lang`, or NULL as above. Static strings. */
const char *privacy_marker(unsigned kind, const char *lang);

#endif
