/*
 * report: decode, validate and normalise one reporter's checklist, from
 * the JSON API or from the form, and encode it back as JSON.
 *
 * Both decoders only take fields in; report_check then applies the rules
 * that concern the whole report, so a report built by any other path
 * (estctl import) passes the same gate. Every problem found is reported,
 * not just the first, so a reporter on a phone corrects everything in
 * one go. Messages are static strings: the field name says which row is
 * meant, the form shows the message beside it.
 *
 * A refused rating, count, area or period leaves the earlier value in
 * place. Text that is too long or holds control characters is kept
 * (with its error) so that the form shown again does not lose what the
 * reporter typed; such a report never passes report_check.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "conf.h"
#include "period.h"
#include "report.h"
#include "xmalloc.h"

struct msg {
	const char *sv;
	const char *en;
};

static const struct msg msg_malformed = {
    "Begäran kunde inte läsas: den ska vara ett JSON-objekt.",
    "The request could not be read: it must be a JSON object.",
};
static const struct msg msg_unknown_member = {
    "Okänt fält.",
    "Unknown field.",
};
static const struct msg msg_unknown_form = {
    "Okänt fält i formuläret.",
    "Unknown field in the form.",
};
static const struct msg msg_area_missing = {
    "Välj ett område.",
    "Choose an area.",
};
static const struct msg msg_area_bad = {
    "Området finns inte. Välj ett område i listan.",
    "That area does not exist. Choose one from the list.",
};
static const struct msg msg_period_bad = {
    "Ogiltig vecka. Skriv den som 2026-W47.",
    "Invalid week. Write it as 2026-W47.",
};
static const struct msg msg_ratings_type = {
    "Bedömningarna ska anges som punkt och värde 0–3.",
    "Ratings must be given as item and value 0–3.",
};
static const struct msg msg_counts_type = {
    "Antalen ska anges som punkt och heltal 0–10000.",
    "Counts must be given as item and whole number 0–10000.",
};
static const struct msg msg_unknown_indicator = {
    "Okänd punkt i checklistan.",
    "Unknown checklist item.",
};
static const struct msg msg_rating = {
    "Välj 0–3 eller lämna tomt.",
    "Choose 0–3 or leave it empty.",
};
static const struct msg msg_count = {
    "Ange ett heltal 0–10000.",
    "Enter a whole number 0–10000.",
};
static const struct msg msg_place_long = {
    "Platsen får vara högst 200 tecken.",
    "The place may be at most 200 characters.",
};
static const struct msg msg_place_control = {
    "Skriv platsen på en rad, utan specialtecken.",
    "Write the place on one line, without special characters.",
};
static const struct msg msg_place_type = {
    "Platsen ska vara text.",
    "The place must be text.",
};
static const struct msg msg_note_long = {
    "Anteckningen får vara högst 4000 tecken.",
    "The note may be at most 4000 characters.",
};
static const struct msg msg_note_control = {
    "Anteckningen innehåller otillåtna specialtecken.",
    "The note contains special characters that are not allowed.",
};
static const struct msg msg_note_type = {
    "Anteckningen ska vara text.",
    "The note must be text.",
};
static const struct msg msg_text_utf8 = {
    "Texten innehåller ogiltiga tecken. Skriv den igen.",
    "The text contains invalid characters. Please type it again.",
};
static const struct msg msg_nothing_type = {
    "Inget att rapportera ska vara sant eller falskt.",
    "Nothing to report must be true or false.",
};
static const struct msg msg_nothing_conflict = {
    "Du valde Inget att rapportera men angav också en bedömning över 0. "
    "Ändra det ena.",
    "You chose Nothing to report but also gave a rating above 0. "
    "Change one of them.",
};
static const struct msg msg_empty = {
    "Fyll i minst en rad, eller välj Inget att rapportera.",
    "Fill in at least one row, or choose Nothing to report.",
};

/* The rules of one free-text field. */
struct text_rule {
	const char *field; /* the same in JSON and the form */
	size_t max; /* code points */
	bool multiline;
	const struct msg *too_long;
	const struct msg *control;
	const struct msg *type;
};

static const struct text_rule place_rule = {
    "place",
    PLACE_MAX,
    false,
    &msg_place_long,
    &msg_place_control,
    &msg_place_type,
};
static const struct text_rule note_rule = {
    "note",
    NOTE_MAX,
    true,
    &msg_note_long,
    &msg_note_control,
    &msg_note_type,
};

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

int
report_valid_utf8(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i, n;

	for (i = 0; i < len; i += n) {
		if (p[i] == '\0' || (n = utf8_seq(p + i, len - i)) == 0)
			return 0;
	}
	return 1;
}

int
report_valid_slug(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (i == AREA_SLUG_MAX)
			return 0;
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
			(s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	}
	return i > 0;
}

/*
 * Copy src into the error's field, cut at a character boundary: field
 * names can come from the client (unknown members, form names) and end
 * up in JSON and HTML, which must stay valid UTF-8.
 */
static void
field_copy(char *dst, size_t size, const char *src)
{
	const unsigned char *p = (const unsigned char *)src;
	size_t i = 0, n, avail;

	avail = strnlen(src, size - 1);
	while (
	    i < avail && p[i] != '\0' && (n = utf8_seq(p + i, avail - i)) != 0)
		i += n;
	memcpy(dst, src, i);
	dst[i] = '\0';
}

/* Errors beyond REPORT_ERRORS_MAX are dropped; errs may be NULL. */
void
report_error_add(struct report_errors *errs, const char *field, const char *sv,
    const char *en)
{
	struct report_error *e;

	if (errs == NULL || errs->n >= REPORT_ERRORS_MAX)
		return;
	e = &errs->e[errs->n++];
	field_copy(e->field, sizeof(e->field), field != NULL ? field : "");
	e->sv = sv;
	e->en = en;
}

/* Add an error and return -1, so callers can `return err(...)`. */
static int
err(struct report_errors *errs, const char *field, const struct msg *m)
{
	report_error_add(errs, field, m->sv, m->en);
	return -1;
}

/* An error on "PREFIX.KEY" ("ratings.klotter", "r.klotter"). */
static int
err_key(struct report_errors *errs, const char *prefix, const char *key,
    const struct msg *m)
{
	char field[64];
	size_t plen = strlen(prefix);

	/* Longer than the error's field; report_error_add cuts it. */
	memcpy(field, prefix, plen);
	field[plen] = '.';
	field_copy(field + plen + 1, sizeof(field) - plen - 1, key);
	return err(errs, field, m);
}

static int
has_error(const struct report_errors *errs, const char *field)
{
	size_t i;

	if (errs == NULL)
		return 0;
	for (i = 0; i < errs->n; i++) {
		if (strcmp(errs->e[i].field, field) == 0)
			return 1;
	}
	return 0;
}

static size_t
indicators(const struct checklist *cl)
{
	return cl->n < INDICATORS_MAX ? cl->n : INDICATORS_MAX;
}

/* Index of a key in the checklist, -1 if unknown. */
static int
indicator(const struct checklist *cl, const char *key)
{
	int i;

	i = conf_indicator_index(cl, key);
	if (i < 0 || (size_t)i >= indicators(cl))
		return -1;
	return i;
}

void
report_init(struct report *r)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	r->has_period = false;
	r->place = r->note = NULL;
	for (i = 0; i < INDICATORS_MAX; i++) {
		r->ratings[i] = RATING_NONE;
		r->counts[i] = COUNT_NONE;
	}
}

void
report_clear(struct report *r)
{
	free(r->place);
	free(r->note);
	r->place = r->note = NULL;
}

static int
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	    c == '\f';
}

/* Narrow s[0..*len) to its text without surrounding white space. */
static const char *
trim(const char *s, size_t *len)
{
	while (*len > 0 && is_space((unsigned char)s[0])) {
		s++;
		(*len)--;
	}
	while (*len > 0 && is_space((unsigned char)s[*len - 1]))
		(*len)--;
	return s;
}

/*
 * What is wrong with a trimmed text, or NULL. Control characters are
 * C0 (but line breaks and tabs in multi-line text), DEL and C1.
 */
static const struct msg *
text_problem(const char *s, size_t len, const struct text_rule *rule)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i, chars = 0;

	if (!report_valid_utf8(s, len))
		return &msg_text_utf8;
	for (i = 0; i < len; i++) {
		if (p[i] < 0x20 &&
		    !(rule->multiline &&
			(p[i] == '\n' || p[i] == '\r' || p[i] == '\t')))
			return rule->control;
		if (p[i] == 0x7f ||
		    (p[i] == 0xc2 && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f))
			return rule->control;
		if ((p[i] & 0xc0) != 0x80)
			chars++;
	}
	if (chars > rule->max)
		return rule->too_long;
	return NULL;
}

/*
 * Store s[0..len) trimmed into *dst (owned by the report; NULL when
 * empty). Text that is not UTF-8 is dropped, anything else kept even
 * when an error is added.
 */
static int
set_text(char **dst, const char *s, size_t len, const struct text_rule *rule,
    struct report_errors *errs)
{
	const struct msg *m;

	if (!report_valid_utf8(s, len))
		return err(errs, rule->field, &msg_text_utf8);
	s = trim(s, &len);
	free(*dst);
	*dst = len > 0 ? xstrndup(s, len) : NULL;
	if ((m = text_problem(s, len, rule)) != NULL)
		return err(errs, rule->field, m);
	return 0;
}

/* Trim a text already in the report in place; NULL when empty. */
static int
check_text(char **p, const struct text_rule *rule, struct report_errors *errs)
{
	const struct msg *m;
	const char *s;
	size_t len;

	if (*p == NULL)
		return 0;
	len = strlen(*p);
	s = trim(*p, &len);
	memmove(*p, s, len);
	(*p)[len] = '\0';
	if (len == 0) {
		free(*p);
		*p = NULL;
		return 0;
	}
	if ((m = text_problem(*p, len, rule)) != NULL) {
		/* Said once: the decoder may have kept it with its error. */
		if (!has_error(errs, rule->field))
			err(errs, rule->field, m);
		return -1;
	}
	return 0;
}

/* A week label; fortnights are the caller's business (config). */
static int
parse_week(const char *label, struct period *p)
{
	struct period tmp;

	if (period_parse(label, &tmp) == -1 || tmp.kind != PERIOD_WEEK)
		return -1;
	*p = tmp;
	return 0;
}

/*
 * The whole-report rules. `earlier` says errors were found before (by a
 * decoder): then an empty report is not blamed on the reporter, whose
 * input was refused rather than missing.
 */
static enum report_status
check(struct report *r, const struct checklist *cl, bool json_names,
    struct report_errors *errs, bool earlier)
{
	const char *rp = json_names ? "ratings" : "r";
	const char *cp = json_names ? "counts" : "n";
	size_t i, n = indicators(cl);
	int bad = 0;
	bool any, above0 = false;

	if (check_text(&r->place, &place_rule, errs) == -1)
		bad++;
	if (check_text(&r->note, &note_rule, errs) == -1)
		bad++;

	if (memchr(r->area, '\0', sizeof(r->area)) == NULL) {
		bad++;
		err(errs, "area", &msg_area_bad);
	} else if (r->area[0] == '\0') {
		bad++;
		if (!has_error(errs, "area"))
			err(errs, "area", &msg_area_missing);
	} else if (!report_valid_slug(r->area)) {
		bad++;
		err(errs, "area", &msg_area_bad);
	}

	any = r->nothing || r->place != NULL || r->note != NULL;
	for (i = 0; i < n; i++) {
		if (r->ratings[i] != RATING_NONE &&
		    (r->ratings[i] < 0 || r->ratings[i] > RATING_MAX)) {
			bad++;
			err_key(errs, rp, cl->items[i].key, &msg_rating);
		}
		if (r->counts[i] != COUNT_NONE &&
		    (r->counts[i] < 0 || r->counts[i] > COUNT_MAX)) {
			bad++;
			err_key(errs, cp, cl->items[i].key, &msg_count);
		}
		if (r->ratings[i] > 0)
			above0 = true;
		if (r->ratings[i] != RATING_NONE || r->counts[i] != COUNT_NONE)
			any = true;
	}

	if (r->nothing) {
		if (above0) {
			bad++;
			err(errs, "nothing", &msg_nothing_conflict);
		} else {
			for (i = 0; i < n; i++)
				r->ratings[i] = 0;
		}
	}

	if (!any && bad == 0 && !earlier) {
		bad++;
		err(errs, "", &msg_empty);
	}
	return bad > 0 || earlier ? REPORT_INVALID : REPORT_OK;
}

enum report_status
report_check(struct report *r, const struct checklist *cl, bool json_names,
    struct report_errors *errs)
{
	return check(r, cl, json_names, errs, errs != NULL && errs->n > 0);
}

/* Decode {"KEY": value, ...} of ratings or counts; v is borrowed. */
static int
json_indicators(json_t *v, const struct checklist *cl, bool ratings, int *out,
    struct report_errors *errs)
{
	const char *prefix = ratings ? "ratings" : "counts";
	const char *key;
	json_t *x;
	json_int_t i, max = ratings ? RATING_MAX : COUNT_MAX;
	int idx, bad = 0;

	if (!json_is_object(v))
		return err(errs, prefix,
		    ratings ? &msg_ratings_type : &msg_counts_type);
	json_object_foreach(v, key, x)
	{
		if ((idx = indicator(cl, key)) == -1) {
			bad =
			    err_key(errs, prefix, key, &msg_unknown_indicator);
			continue;
		}
		if (json_is_null(x)) {
			out[idx] = ratings ? RATING_NONE : COUNT_NONE;
			continue;
		}
		/* 2.0 and "2" are not integers; jansson keeps them apart. */
		if (!json_is_integer(x) || (i = json_integer_value(x)) < 0 ||
		    i > max) {
			bad = err_key(errs, prefix, key,
			    ratings ? &msg_rating : &msg_count);
			continue;
		}
		out[idx] = (int)i;
	}
	return bad;
}

/* Decode "place" or "note": a string or null; v is borrowed. */
static int
json_text(json_t *v, char **dst, const struct text_rule *rule,
    struct report_errors *errs)
{
	if (json_is_null(v)) {
		free(*dst);
		*dst = NULL;
		return 0;
	}
	if (!json_is_string(v))
		return err(errs, rule->field, rule->type);
	return set_text(
	    dst, json_string_value(v), json_string_length(v), rule, errs);
}

/* Decode one top-level member; v is borrowed. */
static int
json_member(struct report *r, const struct checklist *cl, const char *key,
    json_t *v, struct report_errors *errs)
{
	const char *s;

	if (strcmp(key, "area") == 0) {
		if (!json_is_string(v))
			return err(errs, key, &msg_area_bad);
		s = json_string_value(v);
		if (*s != '\0' && !report_valid_slug(s))
			return err(errs, key, &msg_area_bad);
		/* valid_slug bounds the length. */
		strcpy(r->area, s);
		return 0;
	}
	if (strcmp(key, "period") == 0) {
		if (json_is_null(v)) {
			r->has_period = false;
			return 0;
		}
		if (!json_is_string(v) ||
		    parse_week(json_string_value(v), &r->period) == -1)
			return err(errs, key, &msg_period_bad);
		r->has_period = true;
		return 0;
	}
	if (strcmp(key, "ratings") == 0)
		return json_indicators(v, cl, true, r->ratings, errs);
	if (strcmp(key, "counts") == 0)
		return json_indicators(v, cl, false, r->counts, errs);
	if (strcmp(key, "place") == 0)
		return json_text(v, &r->place, &place_rule, errs);
	if (strcmp(key, "note") == 0)
		return json_text(v, &r->note, &note_rule, errs);
	if (strcmp(key, "nothing") == 0) {
		if (!json_is_boolean(v))
			return err(errs, key, &msg_nothing_type);
		r->nothing = json_is_true(v);
		return 0;
	}
	return err(errs, key, &msg_unknown_member);
}

/*
 * The report is initialised here; whatever the result, the caller
 * releases it with report_clear. errs is emptied first. A MALFORMED
 * body gets one error with an empty field.
 */
enum report_status
report_from_json(const char *body, size_t len, const struct checklist *cl,
    struct report *r, struct report_errors *errs)
{
	json_t *root = NULL, *v;
	json_error_t jerr;
	const char *key;
	enum report_status status;
	bool bad = false;

	report_init(r);
	if (errs != NULL)
		errs->n = 0;
	/*
	 * jansson refuses invalid UTF-8 and \u0000; a raw NUL is refused
	 * here so that no byte of the body is silently cut.
	 */
	if (body == NULL || memchr(body, '\0', len) != NULL ||
	    (root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr)) ==
		NULL ||
	    !json_is_object(root)) {
		err(errs, "", &msg_malformed);
		status = REPORT_MALFORMED;
		goto done;
	}
	json_object_foreach(root, key, v)
	{
		if (json_member(r, cl, key, v, errs) == -1)
			bad = true;
	}
	status = check(r, cl, true, errs, bad);
done:
	json_decref(root);
	return status;
}

/* Names of fields the form carries for itself; NULL-terminated. */
static int
ignored_name(const char *name, const char *const *ignored)
{
	if (ignored == NULL)
		return 0;
	for (; *ignored != NULL; ignored++) {
		if (strcmp(name, *ignored) == 0)
			return 1;
	}
	return 0;
}

/* "" clears, "0".."3" sets. */
static int
form_rating(const char *v, size_t len, int *out)
{
	if (len == 0) {
		*out = RATING_NONE;
		return 0;
	}
	if (len != 1 || v[0] < '0' || v[0] > '0' + RATING_MAX)
		return -1;
	*out = v[0] - '0';
	return 0;
}

/* "" clears; otherwise plain decimal digits, no sign or spaces. */
static int
form_count(const char *v, size_t len, int *out)
{
	size_t i;
	int n = 0;

	if (len == 0) {
		*out = COUNT_NONE;
		return 0;
	}
	for (i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		n = n * 10 + (v[i] - '0');
		if (n > COUNT_MAX)
			return -1;
	}
	*out = n;
	return 0;
}

/* Copy a short value into a C string; -1 if too long or holding NUL. */
static int
short_value(const char *v, size_t len, char *buf, size_t size)
{
	if (len >= size || memchr(v, '\0', len) != NULL)
		return -1;
	memcpy(buf, v, len);
	buf[len] = '\0';
	return 0;
}

/*
 * Later fields of the same name replace earlier ones, as the last
 * radio button or input wins in a browser.
 */
enum report_status
report_form_field(struct report *r, const struct checklist *cl,
    const char *name, const char *value, size_t len, const char *const *ignored,
    struct report_errors *errs)
{
	char buf[PERIOD_LABEL_MAX + AREA_SLUG_MAX + 1];
	int idx, rc = 0;

	if (value == NULL) {
		value = "";
		len = 0;
	}
	if (strcmp(name, "area") == 0) {
		if (short_value(value, len, buf, AREA_SLUG_MAX + 1) == -1 ||
		    (buf[0] != '\0' && !report_valid_slug(buf)))
			rc = err(errs, name, &msg_area_bad);
		else
			strcpy(r->area, buf);
	} else if (strcmp(name, "period") == 0) {
		if (len == 0)
			r->has_period = false;
		else if (short_value(value, len, buf, PERIOD_LABEL_MAX) == -1 ||
		    parse_week(buf, &r->period) == -1)
			rc = err(errs, name, &msg_period_bad);
		else
			r->has_period = true;
	} else if (strncmp(name, "r.", 2) == 0 &&
	    (idx = indicator(cl, name + 2)) != -1) {
		if (form_rating(value, len, &r->ratings[idx]) == -1)
			rc = err(errs, name, &msg_rating);
	} else if (strncmp(name, "n.", 2) == 0 &&
	    (idx = indicator(cl, name + 2)) != -1) {
		if (form_count(value, len, &r->counts[idx]) == -1)
			rc = err(errs, name, &msg_count);
	} else if (strncmp(name, "r.", 2) == 0 || strncmp(name, "n.", 2) == 0)
		rc = err(errs, name, &msg_unknown_indicator);
	else if (strcmp(name, "place") == 0)
		rc = set_text(&r->place, value, len, &place_rule, errs);
	else if (strcmp(name, "note") == 0)
		rc = set_text(&r->note, value, len, &note_rule, errs);
	else if (strcmp(name, "nothing") == 0) {
		if (len == 0)
			r->nothing = false;
		else if ((len == 1 && value[0] == '1') ||
		    (len == 2 && memcmp(value, "on", 2) == 0))
			r->nothing = true;
		else
			rc = err(errs, name, &msg_nothing_type);
	} else if (!ignored_name(name, ignored))
		rc = err(errs, name, &msg_unknown_form);
	return rc == 0 ? REPORT_OK : REPORT_INVALID;
}

/* A string member, or null if s is NULL or not UTF-8. New reference. */
static json_t *
string_or_null(const char *s)
{
	json_t *v = NULL;

	if (s != NULL)
		v = json_string(s);
	return v != NULL ? v : json_null();
}

/* New reference, owned by the caller. */
json_t *
report_to_json(const struct report *r, const struct checklist *cl)
{
	json_t *o, *ratings, *counts;
	char label[PERIOD_LABEL_MAX];
	size_t i, n = indicators(cl);

	o = json_object();
	ratings = json_object();
	counts = json_object();
	for (i = 0; i < n; i++) {
		if (r->ratings[i] != RATING_NONE)
			json_object_set_new(ratings, cl->items[i].key,
			    json_integer(r->ratings[i]));
		if (r->counts[i] != COUNT_NONE)
			json_object_set_new(counts, cl->items[i].key,
			    json_integer(r->counts[i]));
	}
	json_object_set_new(o, "area", json_string(r->area));
	if (r->has_period) {
		period_format(&r->period, label);
		json_object_set_new(o, "period", json_string(label));
	}
	json_object_set_new(o, "ratings", ratings);
	json_object_set_new(o, "counts", counts);
	json_object_set_new(o, "place", string_or_null(r->place));
	json_object_set_new(o, "note", string_or_null(r->note));
	json_object_set_new(o, "nothing", json_boolean(r->nothing));
	return o;
}
