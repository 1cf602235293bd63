/*
 * page: the reporter's pages (form, receipt, error pages), the key
 * functions' picture and the steering group's analysis from the
 * templates and string tables of reporter-form/.
 *
 * DESIGN. Each renderer turns its view struct into one JSON context and
 * hands it to tmpl. This file is the only place that knows the names the
 * templates use; the context of every page has
 *
 *	lang, title, switch_href, switch_lang	the page and its language link
 *	t					the string table of the language
 *
 * plus the page's own members, built below. Everything the templates
 * show goes through tmpl's HTML escaping. Sentences with values in them
 * ("Hej {name}!") are filled in here, before escaping, so a translation
 * may put the values where its grammar wants them.
 *
 * The string tables are shared by every rendering thread: contexts take
 * a reference to them (jansson counts references atomically) and only
 * read them.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include "buf.h"
#include "conf.h"
#include "page.h"
#include "privacy.h"
#include "period.h"
#include "report.h"
#include "store.h"
#include "tmpl.h"
#include "xmalloc.h"

#define CSS_MAX (256 * 1024)

enum { LANG_SV, LANG_EN, LANG_N };

static const char *const lang_codes[LANG_N] = {"sv", "en"};

/* Statuses with their own title and explanation in the string tables. */
static const int error_statuses[] = {400, 401, 403, 404, 413, 429, 500, 503};

struct page_set {
	struct tmpl_set *tmpl;
	json_t *strings[LANG_N]; /* new references */
	char *css;
	size_t css_len;
	char *analysis_css; /* NULL without analysis.html */
	size_t analysis_css_len;
};

/* Strings the C code reads itself; the templates name the rest. */
static const struct {
	const char *key;
	json_type type;
	size_t n; /* array length */
} required_strings[] = {
    {"site_name", JSON_STRING, 0},
    {"form_heading", JSON_STRING, 0},
    {"receipt_title", JSON_STRING, 0},
    {"error_prefix", JSON_STRING, 0},
    {"greeting", JSON_STRING, 0},
    {"greeting_noname", JSON_STRING, 0},
    {"stored_notice", JSON_STRING, 0},
    {"receipt_version", JSON_STRING, 0},
    {"not_assessed", JSON_STRING, 0},
    {"place", JSON_STRING, 0},
    {"note", JSON_STRING, 0},
    {"scale", JSON_ARRAY, RATING_MAX + 1},
    {"months", JSON_ARRAY, 12},
    {"errors", JSON_OBJECT, 0},
    /* The key functions' picture. */
    {"picture_heading", JSON_STRING, 0},
    {"signed_in", JSON_STRING, 0},
    {"signed_out", JSON_OBJECT, 0},
    {"levels", JSON_OBJECT, 0},
    {"trends", JSON_OBJECT, 0},
    {"coverage", JSON_STRING, 0},
    {"coverage_none", JSON_STRING, 0},
    {"assessment_line", JSON_STRING, 0},
    {"assessment_legend", JSON_STRING, 0},
    {"comment", JSON_STRING, 0},
    {"personal_data_warning", JSON_STRING, 0},
    {"figures_mean", JSON_STRING, 0},
    {"figures_reports", JSON_STRING, 0},
    {"figures_events", JSON_STRING, 0},
    {"flag_since", JSON_STRING, 0},
    {"flag_closed", JSON_STRING, 0},
    {"ack_line", JSON_STRING, 0},
    {"ack_comment", JSON_STRING, 0},
    {"measure_what", JSON_STRING, 0},
    {"measure_what_hint", JSON_STRING, 0},
    {"measure_place", JSON_STRING, 0},
    {"measure_who", JSON_STRING, 0},
    {"measure_who_hint", JSON_STRING, 0},
    {"measure_follow_up", JSON_STRING, 0},
    {"measure_follow_up_hint", JSON_STRING, 0},
    {"measure_indicator", JSON_STRING, 0},
    {"measure_no_indicator", JSON_STRING, 0},
    {"measure_by", JSON_STRING, 0},
    /* The steering group's analysis. */
    {"analysis_heading", JSON_STRING, 0},
    {"analysis_kinds", JSON_OBJECT, 0},
    {"period_units", JSON_OBJECT, 0},
    {"strip_symbols", JSON_OBJECT, 0},
    {"chart_alt", JSON_STRING, 0},
    {"flag_earlier", JSON_STRING, 0},
    {"flag_earlier_one", JSON_STRING, 0},
    {"measure_decided", JSON_STRING, 0},
    {"measure_figures", JSON_STRING, 0},
    {"measure_flag_open", JSON_STRING, 0},
    {"measure_flag_closed", JSON_STRING, 0},
};

static int
lang_index(const char *lang)
{
	return lang != NULL && strcmp(lang, "en") == 0 ? LANG_EN : LANG_SV;
}

/*
 * Read a whole file into a new string (free(3)), or NULL with *cause
 * (owned by the caller).
 */
static char *
read_text(const char *path, size_t max, size_t *len, char **cause)
{
	FILE *f;
	struct buf b = {NULL, 0, 0};
	char chunk[4096];
	size_t n;

	if ((f = fopen(path, "r")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		buf_append(&b, chunk, n);
		if (b.len > max) {
			xasprintf(
			    cause, "%s: larger than %zu bytes", path, max);
			goto fail;
		}
	}
	if (ferror(f)) {
		xasprintf(cause, "%s: read error", path);
		goto fail;
	}
	fclose(f);
	return buf_take(&b, len);
fail:
	fclose(f);
	buf_reset(&b);
	return NULL;
}

/*
 * Both tables must have the same members, so no text is missing in one
 * language, and every leaf must be a string. `path` names the member for
 * the message ("errors.401.title").
 */
static int
same_shape(
    json_t *a, json_t *b, const char *path, const char *bfile, char **cause)
{
	const char *key;
	json_t *va, *vb;
	size_t i;
	char *sub;
	int rc;

	if (json_typeof(a) != json_typeof(b)) {
		xasprintf(cause,
		    "%s: \"%s\" is not of the same kind as in "
		    "sv.json",
		    bfile, path);
		return -1;
	}
	switch (json_typeof(a)) {
	case JSON_STRING: return 0;
	case JSON_OBJECT:
		json_object_foreach(a, key, va)
		{
			if (json_object_get(b, key) == NULL) {
				xasprintf(cause, "%s: \"%s%s%s\" is missing",
				    bfile, path, *path ? "." : "", key);
				return -1;
			}
		}
		json_object_foreach(b, key, vb)
		{
			xasprintf(&sub, "%s%s%s", path, *path ? "." : "", key);
			if ((va = json_object_get(a, key)) == NULL) {
				xasprintf(cause, "%s: \"%s\" is not in sv.json",
				    bfile, sub);
				rc = -1;
			} else
				rc = same_shape(va, vb, sub, bfile, cause);
			free(sub);
			if (rc == -1)
				return -1;
		}
		return 0;
	case JSON_ARRAY:
		if (json_array_size(a) != json_array_size(b)) {
			xasprintf(cause,
			    "%s: \"%s\" has %zu entries, sv.json "
			    "%zu",
			    bfile, path, json_array_size(b),
			    json_array_size(a));
			return -1;
		}
		for (i = 0; i < json_array_size(a); i++) {
			xasprintf(&sub, "%s[%zu]", path, i);
			rc = same_shape(json_array_get(a, i),
			    json_array_get(b, i), sub, bfile, cause);
			free(sub);
			if (rc == -1)
				return -1;
		}
		return 0;
	default:
		xasprintf(
		    cause, "%s: \"%s\" must be text in quotes", bfile, path);
		return -1;
	}
}

/* The members the C code reads must be there, of the right kind. */
static int
check_required(json_t *t, const char *file, char **cause)
{
	json_t *v, *e;
	size_t i, j;
	char code[8];

	for (i = 0; i < sizeof(required_strings) / sizeof(required_strings[0]);
	     i++) {
		v = json_object_get(t, required_strings[i].key);
		if (v == NULL || json_typeof(v) != required_strings[i].type ||
		    (required_strings[i].type == JSON_ARRAY &&
			json_array_size(v) != required_strings[i].n)) {
			xasprintf(cause,
			    "%s: \"%s\" is missing or of the "
			    "wrong kind",
			    file, required_strings[i].key);
			return -1;
		}
		for (j = 0; json_is_array(v) && j < json_array_size(v); j++)
			if (!json_is_string(json_array_get(v, j))) {
				xasprintf(cause,
				    "%s: \"%s\" must be a list of "
				    "texts",
				    file, required_strings[i].key);
				return -1;
			}
	}
	for (i = 0; i < sizeof(error_statuses) / sizeof(error_statuses[0]);
	     i++) {
		snprintf(code, sizeof(code), "%d", error_statuses[i]);
		e = json_object_get(json_object_get(t, "errors"), code);
		if (!json_is_string(json_object_get(e, "title")) ||
		    !json_is_string(json_object_get(e, "text"))) {
			xasprintf(cause,
			    "%s: \"errors.%s\" needs a \"title\" "
			    "and a \"text\"",
			    file, code);
			return -1;
		}
	}
	return 0;
}

static json_t *
load_strings(const char *dir, const char *lang, char **cause)
{
	json_t *t;
	json_error_t err;
	char *path;

	xasprintf(&path, "%s/i18n/%s.json", dir, lang);
	t = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
	if (t == NULL)
		xasprintf(cause, "%s:%d: %s", path, err.line, err.text);
	else if (!json_is_object(t)) {
		xasprintf(cause, "%s: must hold one object { ... }", path);
		json_decref(t);
		t = NULL;
	} else if (check_required(t, path, cause) == -1) {
		json_decref(t);
		t = NULL;
	}
	free(path);
	return t;
}

/*
 * Load templates, string tables and stylesheet from `dir`. Returns a new
 * set owned by the caller (page_free), or NULL with *cause (owned by the
 * caller).
 */
struct page_set *
page_load(const char *dir, char **cause)
{
	static const char *const pages[] = {"form", "receipt", "error"};
	struct page_set *ps;
	char *path = NULL, *bfile = NULL;
	size_t i;
	int rc = -1;

	*cause = NULL;
	ps = xcalloc(1, sizeof(*ps));
	if ((ps->tmpl = tmpl_set_load(dir, cause)) == NULL)
		goto done;
	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
		if (!tmpl_has(ps->tmpl, pages[i])) {
			xasprintf(cause, "%s/%s.html: missing", dir, pages[i]);
			goto done;
		}
	for (i = 0; i < LANG_N; i++)
		if ((ps->strings[i] =
			    load_strings(dir, lang_codes[i], cause)) == NULL)
			goto done;
	xasprintf(&bfile, "%s/i18n/en.json", dir);
	if (same_shape(ps->strings[LANG_SV], ps->strings[LANG_EN], "", bfile,
		cause) == -1)
		goto done;
	xasprintf(&path, "%s/estd.css", dir);
	if ((ps->css = read_text(path, CSS_MAX, &ps->css_len, cause)) == NULL)
		goto done;
	/* The analysis page's own stylesheet, where there is that page. */
	if (tmpl_has(ps->tmpl, "analysis")) {
		free(path);
		xasprintf(&path, "%s/analysis.css", dir);
		if ((ps->analysis_css = read_text(
			 path, CSS_MAX, &ps->analysis_css_len, cause)) == NULL)
			goto done;
	}
	rc = 0;
done:
	free(path);
	free(bfile);
	if (rc == -1) {
		page_free(ps);
		return NULL;
	}
	return ps;
}

void
page_free(struct page_set *ps)
{
	size_t i;

	if (ps == NULL)
		return;
	tmpl_set_free(ps->tmpl);
	for (i = 0; i < LANG_N; i++)
		json_decref(ps->strings[i]);
	free(ps->css);
	free(ps->analysis_css);
	free(ps);
}

/* The stylesheet, borrowed from the set. */
const char *
page_css(const struct page_set *ps, size_t *len)
{
	if (len != NULL)
		*len = ps->css_len;
	return ps->css;
}

/* The analysis page's stylesheet, borrowed; "" without that page. */
const char *
page_analysis_css(const struct page_set *ps, size_t *len)
{
	if (len != NULL)
		*len = ps->analysis_css != NULL ? ps->analysis_css_len : 0;
	return ps->analysis_css != NULL ? ps->analysis_css : "";
}

static const char *
known_lang(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < LANG_N; i++)
		if (len == strlen(lang_codes[i]) &&
		    strncasecmp(s, lang_codes[i], len) == 0)
			return lang_codes[i];
	return NULL;
}

/*
 * The weight of one Accept-Language entry from its parameters
 * (";q=0.5"), in thousandths; 1000 when there is none.
 */
static int
accept_weight(const char *p, const char *end)
{
	int q = 0, scale = 100;

	while (p < end && (*p == ';' || *p == ' '))
		p++;
	if (end - p < 3 || (*p != 'q' && *p != 'Q') || p[1] != '=')
		return 1000;
	p += 2;
	if (*p != '0')
		return 1000; /* "1", "1.0" or unreadable */
	if (++p < end && *p == '.')
		p++;
	for (; p < end && *p >= '0' && *p <= '9' && scale > 0; p++) {
		q += (*p - '0') * scale;
		scale /= 10;
	}
	return q;
}

/* "sv" or "en" from ?lang= and Accept-Language; static strings. */
const char *
page_pick_lang(const char *query_lang, const char *accept_language)
{
	const char *p, *item, *end, *tag_end, *lang, *best = NULL;
	int q, best_q = 0;

	if (query_lang != NULL &&
	    (lang = known_lang(query_lang, strlen(query_lang))) != NULL)
		return lang;
	for (p = accept_language; p != NULL && *p != '\0'; p = end) {
		while (*p == ' ' || *p == ',')
			p++;
		item = p;
		end = item + strcspn(item, ",");
		tag_end = item + strcspn(item, ";,- ");
		if (tag_end > end)
			tag_end = end;
		q = accept_weight(item + strcspn(item, ";,"), end);
		lang = known_lang(item, (size_t)(tag_end - item));
		/* Earlier entries win ties, as the header lists by liking. */
		if (lang != NULL && q > best_q) {
			best = lang;
			best_q = q;
		}
	}
	return best != NULL ? best : lang_codes[LANG_SV];
}

/*
 * Strings go into the context unchecked: they come from the database or
 * the checklist, already valid UTF-8, and a string that was not should
 * still show rather than vanish.
 */
static void
set_str(json_t *o, const char *key, const char *value)
{
	if (value != NULL)
		json_object_set_new(o, key, json_string_nocheck(value));
}

static void
set_take(json_t *o, const char *key, char *value)
{
	set_str(o, key, value);
	free(value);
}

/* A string of the table; the load checks make it exist. Borrowed. */
static const char *
text(const struct page_set *ps, int li, const char *key)
{
	const char *s =
	    json_string_value(json_object_get(ps->strings[li], key));

	return s != NULL ? s : "";
}

static const char *
text_at(const struct page_set *ps, int li, const char *key, size_t i)
{
	const char *s = json_string_value(
	    json_array_get(json_object_get(ps->strings[li], key), i));

	return s != NULL ? s : "";
}

/*
 * Fill "{name}" placeholders of `pattern` from `vars`, pairs of name and
 * value ending with NULL. Unknown placeholders stay as written, so a typo
 * in a translation shows instead of vanishing. New string (free(3)).
 */
static char *
fill(const char *pattern, const char *const *vars)
{
	struct buf b = {NULL, 0, 0};
	const char *p, *close;
	size_t i, n;

	for (p = pattern; *p != '\0'; p++) {
		if (*p == '{' && (close = strchr(p, '}')) != NULL) {
			n = (size_t)(close - p - 1);
			for (i = 0; vars[i] != NULL; i += 2)
				if (strlen(vars[i]) == n &&
				    strncmp(vars[i], p + 1, n) == 0)
					break;
			if (vars[i] != NULL) {
				buf_puts(&b, vars[i + 1]);
				p = close;
				continue;
			}
		}
		buf_append(&b, p, 1);
	}
	return buf_take(&b, NULL);
}

/* Append s to a URL query, percent-encoding all but unreserved bytes. */
static void
query_add(struct buf *b, const char *name, const char *value)
{
	const unsigned char *p;

	if (value == NULL || *value == '\0')
		return;
	buf_puts(b, b->len == 0 ? "?" : "&");
	buf_puts(b, name);
	buf_puts(b, "=");
	for (p = (const unsigned char *)value; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) != NULL)
			buf_append(b, p, 1);
		else
			buf_printf(b, "%%%02X", *p);
	}
}

/* "?area=..&period=..&lang=.." (new string, free(3)). */
static char *
query(const char *area, const char *period, const char *lang)
{
	struct buf b = {NULL, 0, 0};

	query_add(&b, "area", area);
	query_add(&b, "period", period);
	query_add(&b, "lang", lang);
	return buf_take(&b, NULL);
}

/*
 * The context every page starts from (new reference). `area` and
 * `period` are kept by the language link, which reloads the same page
 * in the other language.
 */
static json_t *
page_context(
    const struct page_set *ps, int li, const char *area, const char *period)
{
	json_t *ctx = json_object();
	int other = li == LANG_SV ? LANG_EN : LANG_SV;

	set_str(ctx, "lang", lang_codes[li]);
	json_object_set(ctx, "t", ps->strings[li]);
	set_str(ctx, "switch_lang", lang_codes[other]);
	set_take(ctx, "switch_href", query(area, period, lang_codes[other]));
	return ctx;
}

/* "Fel: Rapportera läget – Centrum – EST lägesbild" (new string). */
static char *
title(const struct page_set *ps, int li, int error, const char *heading,
    const char *area)
{
	char *s;

	xasprintf(&s, "%s%s%s%s%s – %s",
	    error ? text(ps, li, "error_prefix") : "", error ? " " : "",
	    heading, area != NULL ? " – " : "", area != NULL ? area : "",
	    text(ps, li, "site_name"));
	return s;
}

/* "20 november 14:03" in local time, month from the table. */
static void
format_time(const struct page_set *ps, int li, time_t t, char *buf, size_t size)
{
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL) {
		snprintf(buf, size, "?");
		return;
	}
	snprintf(buf, size, "%d %s %02d:%02d", tm.tm_mday,
	    text_at(ps, li, "months", (size_t)tm.tm_mon), tm.tm_hour,
	    tm.tm_min);
}

static char *
render(const struct page_set *ps, const char *name, json_t *ctx, size_t *len)
{
	char *html;

	html = tmpl_render(ps->tmpl, name, ctx, len);
	json_decref(ctx);
	return html;
}

/* Messages of one form field, per part of the page. */
struct field_errors {
	const char *rating[INDICATORS_MAX];
	const char *count[INDICATORS_MAX];
	const char *place;
	const char *note;
};

/*
 * Where an error belongs: its indicator and whether it is the rating
 * (1) or the count (2), or the place (3) or the note (4); 0 for errors
 * of the whole report, shown in the summary only. Both the form's
 * ("r.klotter") and the JSON API's ("ratings.klotter") names are known.
 */
static int
error_target(const struct checklist *cl, const char *field, int *index)
{
	static const struct {
		const char *prefix;
		int kind;
	} prefixes[] = {
	    {"r.", 1},
	    {"ratings.", 1},
	    {"n.", 2},
	    {"counts.", 2},
	};
	size_t i, n;

	if (strcmp(field, "place") == 0)
		return 3;
	if (strcmp(field, "note") == 0)
		return 4;
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		n = strlen(prefixes[i].prefix);
		if (strncmp(field, prefixes[i].prefix, n) == 0 &&
		    (*index = conf_indicator_index(cl, field + n)) != -1)
			return prefixes[i].kind;
	}
	return 0;
}

static const char *
indicator_label(const struct indicator *ind, int li)
{
	return li == LANG_EN && ind->en != NULL ? ind->en : ind->sv;
}

static const char *
indicator_help(const struct indicator *ind, int li)
{
	return li == LANG_EN && ind->help_en != NULL ? ind->help_en
						     : ind->help_sv;
}

/*
 * The error summary (new reference) and, in *fe, each message for its
 * field. Summary lines name the field ("Klotter: Välj 0–3 ...") and link
 * to its first input.
 */
static json_t *
form_errors(const struct page_set *ps, int li, const struct form_view *v,
    struct field_errors *fe)
{
	const struct report_error *e;
	json_t *list = json_array(), *item;
	const char *msg, *label;
	char *href, *line;
	size_t i;
	int idx = -1, kind;

	memset(fe, 0, sizeof(*fe));
	for (i = 0; v->errors != NULL && i < v->errors->n; i++) {
		e = &v->errors->e[i];
		msg = li == LANG_EN && e->en != NULL ? e->en : e->sv;
		if (msg == NULL)
			continue;
		label = NULL;
		href = NULL;
		kind = error_target(v->checklist, e->field, &idx);
		switch (kind) {
		case 1:
		case 2:
			label = indicator_label(&v->checklist->items[idx], li);
			if (kind == 1 && fe->rating[idx] == NULL) {
				fe->rating[idx] = msg;
				xasprintf(&href, "#r-%s-0",
				    v->checklist->items[idx].key);
			} else if (kind == 2 && fe->count[idx] == NULL) {
				fe->count[idx] = msg;
				xasprintf(&href, "#n-%s",
				    v->checklist->items[idx].key);
			}
			break;
		case 3:
			label = text(ps, li, "place");
			if (fe->place == NULL)
				fe->place = msg;
			href = xstrdup("#place");
			break;
		case 4:
			label = text(ps, li, "note");
			if (fe->note == NULL)
				fe->note = msg;
			href = xstrdup("#note");
			break;
		}
		item = json_object();
		if (label != NULL) {
			xasprintf(&line, "%s: %s", label, msg);
			set_take(item, "message", line);
		} else
			set_str(item, "message", msg);
		set_take(item, "href", href);
		json_array_append_new(list, item);
	}
	return list;
}

/* One indicator of the checklist as the form shows it (new reference). */
static json_t *
form_indicator(const struct page_set *ps, int li, const struct form_view *v,
    size_t i, const struct field_errors *fe)
{
	static const char *const values[] = {"0", "1", "2", "3", ""};
	const struct indicator *ind = &v->checklist->items[i];
	json_t *o = json_object(), *choices, *c;
	const char *help = indicator_help(ind, li);
	char *s;
	int rating = RATING_NONE, count = COUNT_NONE, r;
	size_t j;

	if (v->values != NULL) {
		rating = v->values->ratings[i];
		count = v->values->counts[i];
	}
	set_str(o, "key", ind->key);
	set_str(o, "label", indicator_label(ind, li));
	xasprintf(&s, "r.%s", ind->key);
	set_take(o, "rating_name", s);
	if (help != NULL && *help != '\0') {
		set_str(o, "help", help);
		xasprintf(&s, "help-%s", ind->key);
		set_take(o, "help_id", s);
	}
	if (fe->rating[i] != NULL) {
		set_str(o, "rating_error", fe->rating[i]);
		xasprintf(&s, "error-r-%s", ind->key);
		set_take(o, "rating_error_id", s);
	}

	choices = json_array();
	for (j = 0; j < sizeof(values) / sizeof(values[0]); j++) {
		r = j <= RATING_MAX ? (int)j : RATING_NONE;
		c = json_object();
		set_str(c, "value", values[j]);
		set_str(c, "level", r == RATING_NONE ? "none" : values[j]);
		set_str(c, "word",
		    r == RATING_NONE ? text(ps, li, "not_assessed")
				     : text_at(ps, li, "scale", j));
		xasprintf(&s, "r-%s-%s", ind->key,
		    r == RATING_NONE ? "none" : values[j]);
		set_take(c, "id", s);
		/* An unknown stored value shows as not assessed. */
		if (r == rating ||
		    (r == RATING_NONE && (rating < 0 || rating > RATING_MAX)))
			json_object_set_new(c, "checked", json_true());
		json_array_append_new(choices, c);
	}
	json_object_set_new(o, "choices", choices);

	xasprintf(&s, "n.%s", ind->key);
	set_take(o, "count_name", s);
	xasprintf(&s, "n-%s", ind->key);
	set_take(o, "count_id", s);
	if (count >= 0) {
		xasprintf(&s, "%d", count);
		set_take(o, "count", s);
	} else
		set_str(o, "count", "");
	if (fe->count[i] != NULL) {
		set_str(o, "count_error", fe->count[i]);
		xasprintf(&s, "error-n-%s", ind->key);
		set_take(o, "count_error_id", s);
	}
	return o;
}

/*
 * A free-text field (new reference): its value, its error, and the ids
 * its input is described by (the personal-data warning, the error).
 */
static json_t *
text_field(
    const char *name, const char *value, const char *error, int maxlength)
{
	json_t *o = json_object();
	char *s;

	set_str(o, "id", name);
	set_str(o, "value", value != NULL ? value : "");
	json_object_set_new(o, "maxlength", json_integer(maxlength));
	xasprintf(&s, "%s-warning", name);
	set_take(o, "warning_id", s);
	if (error != NULL) {
		set_str(o, "error", error);
		xasprintf(&s, "%s-error", name);
		set_take(o, "error_id", s);
		xasprintf(&s, "%s-warning %s-error", name, name);
	} else
		xasprintf(&s, "%s-warning", name);
	set_take(o, "describedby", s);
	return o;
}

/*
 * The reporter's form. Returns a new document owned by the caller
 * (free(3)).
 */
char *
page_form(const struct page_set *ps, const struct form_view *v, size_t *len)
{
	const struct page_period *pp = NULL;
	struct field_errors fe;
	json_t *ctx, *list, *o;
	const char *area_name, *place = NULL, *note = NULL;
	char when[64], version[16];
	size_t i;
	int li = lang_index(v->lang);

	if (v->n_periods > 0)
		pp =
		    &v->periods[v->period_index < v->n_periods ? v->period_index
							       : 0];
	area_name = v->area;
	for (i = 0; i < v->n_areas; i++)
		if (v->area != NULL && strcmp(v->areas[i].slug, v->area) == 0)
			area_name = v->areas[i].name;

	ctx = page_context(ps, li, v->area, pp != NULL ? pp->label : NULL);
	set_str(ctx, "action", v->action);
	if (v->person != NULL && v->person->name != NULL &&
	    *v->person->name != '\0')
		set_take(ctx, "greeting",
		    fill(text(ps, li, "greeting"),
			(const char *const[]){"name", v->person->name, NULL}));
	else
		set_str(ctx, "greeting", text(ps, li, "greeting_noname"));

	set_str(ctx, "area_slug", v->area);
	set_str(ctx, "area_name", area_name);
	list = json_array();
	for (i = 0; i < v->n_areas; i++) {
		o = json_object();
		set_str(o, "slug", v->areas[i].slug);
		set_str(o, "name", v->areas[i].name);
		if (v->area != NULL && strcmp(v->areas[i].slug, v->area) == 0)
			json_object_set_new(o, "selected", json_true());
		json_array_append_new(list, o);
	}
	json_object_set_new(ctx, "areas", list);
	json_object_set_new(ctx, "several_areas", json_boolean(v->n_areas > 1));

	if (pp != NULL) {
		set_str(ctx, "period_label", pp->label);
		set_str(ctx, "period_description", pp->description);
	}
	list = json_array();
	for (i = 0; i < v->n_periods; i++) {
		o = json_object();
		set_str(o, "label", v->periods[i].label);
		set_str(o, "description", v->periods[i].description);
		if (&v->periods[i] == pp)
			json_object_set_new(o, "selected", json_true());
		json_array_append_new(list, o);
	}
	json_object_set_new(ctx, "periods", list);
	json_object_set_new(
	    ctx, "several_periods", json_boolean(v->n_periods > 1));
	json_object_set_new(
	    ctx, "switcher", json_boolean(v->n_areas > 1 || v->n_periods > 1));

	if (v->stored != NULL) {
		format_time(ps, li, v->stored->submitted, when, sizeof(when));
		snprintf(version, sizeof(version), "%d", v->stored->revision);
		set_take(ctx, "stored_notice",
		    fill(text(ps, li, "stored_notice"),
			(const char *const[]){"period",
			    pp != NULL ? pp->description : "", "version",
			    version, "submitted", when, NULL}));
	}

	list = form_errors(ps, li, v, &fe);
	json_object_set_new(
	    ctx, "has_errors", json_boolean(json_array_size(list) > 0));
	json_object_set_new(ctx, "errors", list);
	set_take(ctx, "title",
	    title(ps, li, json_array_size(list) > 0,
		text(ps, li, "form_heading"), area_name));

	list = json_array();
	for (i = 0; v->checklist != NULL && i < v->checklist->n; i++)
		json_array_append_new(list, form_indicator(ps, li, v, i, &fe));
	json_object_set_new(ctx, "indicators", list);

	if (v->values != NULL) {
		place = v->values->place;
		note = v->values->note;
	}
	json_object_set_new(
	    ctx, "place", text_field("place", place, fe.place, PLACE_MAX));
	json_object_set_new(
	    ctx, "note", text_field("note", note, fe.note, NOTE_MAX));
	return render(ps, "form", ctx, len);
}

/*
 * The area after `current` in the person's list, for "report another
 * area"; NULL when they have one area only. Borrowed.
 */
static const char *
next_area(const struct person *p, const char *current)
{
	size_t i;

	if (p == NULL || p->n_areas < 2)
		return NULL;
	for (i = 0; i < p->n_areas; i++)
		if (strcmp(p->areas[i], current) == 0)
			return p->areas[(i + 1) % p->n_areas];
	return p->areas[0];
}

/*
 * The receipt after a report was stored. Returns a new document owned by
 * the caller (free(3)).
 */
char *
page_receipt(
    const struct page_set *ps, const struct receipt_view *v, size_t *len)
{
	const struct report *r = v->stored != NULL ? &v->stored->report : NULL;
	json_t *ctx, *list, *o;
	const char *next;
	char label[PERIOD_LABEL_MAX], when[64], version[16], *q, *href, *num;
	size_t i;
	int li = lang_index(v->lang), rating;

	label[0] = '\0';
	if (r != NULL && r->has_period)
		period_format(&r->period, label);
	ctx = page_context(ps, li, r != NULL ? r->area : NULL, label);
	set_take(ctx, "title",
	    title(ps, li, 0, text(ps, li, "receipt_title"), NULL));
	set_str(ctx, "area_name", v->area_name);
	set_str(ctx, "period_description", v->period_description);
	if (v->masked != 0) {
		list = json_array();
		for (unsigned bit = 1; bit <= PRIVACY_ALL; bit <<= 1)
			if (v->masked & bit)
				json_array_append_new(list,
				    json_string(
					privacy_kind_name(bit, v->lang)));
		json_object_set_new(ctx, "masked", list);
		json_object_set_new(ctx, "has_masked", json_true());
	}
	if (v->stored != NULL) {
		if (v->submitted != NULL)
			snprintf(when, sizeof(when), "%s", v->submitted);
		else
			format_time(
			    ps, li, v->stored->submitted, when, sizeof(when));
		snprintf(version, sizeof(version), "%d", v->stored->revision);
		set_take(ctx, "version_line",
		    fill(text(ps, li, "receipt_version"),
			(const char *const[]){
			    "version", version, "submitted", when, NULL}));
	}

	list = json_array();
	for (i = 0; r != NULL && v->checklist != NULL && i < v->checklist->n;
	     i++) {
		o = json_object();
		rating = r->ratings[i];
		set_str(
		    o, "label", indicator_label(&v->checklist->items[i], li));
		if (rating >= 0 && rating <= RATING_MAX) {
			set_str(o, "answer",
			    text_at(ps, li, "scale", (size_t)rating));
			xasprintf(&num, "%d", rating);
			set_take(o, "level", num);
		} else {
			set_str(o, "answer", text(ps, li, "not_assessed"));
			set_str(o, "level", "none");
		}
		/*
		 * Text, so that a count of 0 shows too; always set, so the
		 * lookup never reaches an outer "count".
		 */
		if (r->counts[i] >= 0) {
			xasprintf(&num, "%d", r->counts[i]);
			set_take(o, "count", num);
		} else
			set_str(o, "count", "");
		json_array_append_new(list, o);
	}
	json_object_set_new(ctx, "answers", list);
	if (r != NULL) {
		json_object_set_new(ctx, "nothing", json_boolean(r->nothing));
		set_str(ctx, "place", r->place);
		set_str(ctx, "note", r->note);

		q = query(r->area, label, lang_codes[li]);
		xasprintf(&href, "%s%s", v->action, q);
		set_take(ctx, "edit_href", href);
		free(q);
		if ((next = next_area(v->person, r->area)) != NULL ||
		    (v->person != NULL && v->person->all_areas)) {
			q = query(next, label, lang_codes[li]);
			xasprintf(&href, "%s%s", v->action, q);
			set_take(ctx, "other_area_href", href);
			free(q);
		}
	}
	return render(ps, "receipt", ctx, len);
}

/*
 * An error page. Statuses without their own text get the one of 500.
 * Returns a new document owned by the caller (free(3)).
 */
char *
page_error(const struct page_set *ps, const char *lang, int status, size_t *len)
{
	json_t *ctx, *errors, *e;
	const char *heading;
	char code[16];
	int li = lang_index(lang);

	snprintf(code, sizeof(code), "%d", status);
	errors = json_object_get(ps->strings[li], "errors");
	if ((e = json_object_get(errors, code)) == NULL)
		e = json_object_get(errors, "500");
	heading = json_string_value(json_object_get(e, "title"));
	ctx = page_context(ps, li, NULL, NULL);
	json_object_set_new(ctx, "status", json_integer(status));
	set_str(ctx, "heading", heading);
	set_str(
	    ctx, "explanation", json_string_value(json_object_get(e, "text")));
	set_take(ctx, "title",
	    title(ps, li, 0, heading != NULL ? heading : "", NULL));
	return render(ps, "error", ctx, len);
}

/*
 * ---- The key functions' picture (picture.html, with the field.html
 * partial). The page is built from the picture JSON of contract §6, so it
 * shows exactly what the API gives; the words come from the string
 * tables.
 */

/* A string member of a JSON object, or NULL. Borrowed. */
static const char *
jstr_of(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* A text of a group of the table ("levels", "red"); the key if none. */
static const char *
text_in(const struct page_set *ps, int li, const char *group, const char *key)
{
	const char *s;

	if (key == NULL)
		return "";
	s = json_string_value(
	    json_object_get(json_object_get(ps->strings[li], group), key));
	return s != NULL ? s : key;
}

/* The rating classes of estd.css for a level: the colour bar. */
static const char *
level_class(const char *level)
{
	if (level == NULL)
		return "none";
	if (strcmp(level, "green") == 0)
		return "1";
	if (strcmp(level, "yellow") == 0)
		return "2";
	if (strcmp(level, "red") == 0)
		return "3";
	return "none";
}

/* "2026-11-17 10:00" from "2026-11-17T10:00:00+01:00" (local time). */
static void
short_time(const char *iso, char *buf, size_t size)
{
	if (iso == NULL || strlen(iso) < 16) {
		snprintf(buf, size, "%s", iso != NULL ? iso : "");
		return;
	}
	snprintf(buf, size, "%.10s %.5s", iso, iso + 11);
}

/* The label of an indicator key in the page's language. Borrowed. */
static const char *
key_label(const struct checklist *cl, int li, const char *key)
{
	int i;

	if (key == NULL)
		return "";
	if (cl == NULL || (i = conf_indicator_index(cl, key)) == -1)
		return key;
	return indicator_label(&cl->items[i], li);
}

/* The refusal if it is of this form (and area or flag), else NULL. */
static const struct picture_refusal *
refusal_of(const struct picture_view *v, const char *form, const char *area,
    long long flag_id)
{
	const struct picture_refusal *r = v->refused;

	if (r == NULL || r->form == NULL || strcmp(r->form, form) != 0)
		return NULL;
	if (strcmp(form, "ack") == 0)
		return r->flag_id == flag_id ? r : NULL;
	return area != NULL && r->area != NULL && strcmp(r->area, area) == 0
	    ? r
	    : NULL;
}

static const char *
refused_value(const struct picture_refusal *r, const char *field)
{
	size_t i;

	for (i = 0; r != NULL && i < r->n_values; i++)
		if (strcmp(r->values[i].name, field) == 0)
			return r->values[i].value;
	return NULL;
}

static const char *
refused_error(const struct picture_refusal *r, int li, const char *field)
{
	const struct report_error *e;
	size_t i;

	for (i = 0; r != NULL && r->errors != NULL && i < r->errors->n; i++) {
		e = &r->errors->e[i];
		if (strcmp(e->field, field) == 0)
			return li == LANG_EN && e->en != NULL ? e->en : e->sv;
	}
	return NULL;
}

/* What a field of the picture's forms is called on the page. */
static const char *
field_label(
    const struct page_set *ps, int li, const char *form, const char *field)
{
	static const struct {
		const char *field;
		const char *key;
	} labels[] = {
	    {"status", "assessment_legend"},
	    {"what", "measure_what"},
	    {"place", "measure_place"},
	    {"who", "measure_who"},
	    {"follow_up", "measure_follow_up"},
	    {"indicator", "measure_indicator"},
	};
	size_t i;

	if (strcmp(field, "comment") == 0)
		return text(ps, li,
		    strcmp(form, "ack") == 0 ? "ack_comment" : "comment");
	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(labels[i].field, field) == 0)
			return text(ps, li, labels[i].key);
	return field;
}

/* "assessment-centrum-comment": the id of a field of an area's form. */
static char *
field_id(const char *form, const char *key, const char *field)
{
	char *s;

	xasprintf(&s, "%s-%s-%s", form, key, field);
	return s;
}

struct field_spec {
	const char *form; /* "assessment", "measure", "ack" */
	const char *key; /* area slug or flag id */
	const char *name; /* the form field */
	const char *label;
	const char *hint; /* NULL: none */
	const char *type; /* "text", "date" */
	int maxlength;
	bool optional;
	bool multiline;
};

/*
 * A field for the field.html partial (new reference). Every member is
 * set, so no name is looked up in the enclosing contexts.
 */
static json_t *
field_json(const struct field_spec *f, const char *value, const char *error)
{
	json_t *o = json_object();
	char *id, *s;

	id = field_id(f->form, f->key, f->name);
	set_str(o, "id", id);
	set_str(o, "name", f->name);
	set_str(o, "label", f->label);
	set_str(o, "type", f->type);
	set_str(o, "value", value != NULL ? value : "");
	json_object_set_new(o, "maxlength", json_integer(f->maxlength));
	json_object_set_new(o, "optional", json_boolean(f->optional));
	json_object_set_new(o, "multiline", json_boolean(f->multiline));
	set_str(o, "hint", f->hint != NULL ? f->hint : "");
	xasprintf(&s, "%s-hint", id);
	set_take(o, "hint_id", s);
	set_str(o, "error", error != NULL ? error : "");
	xasprintf(&s, "%s-error", id);
	set_take(o, "error_id", s);
	if (f->hint != NULL && error != NULL)
		xasprintf(&s, "%s-hint %s-error", id, id);
	else if (f->hint != NULL)
		xasprintf(&s, "%s-hint", id);
	else if (error != NULL)
		xasprintf(&s, "%s-error", id);
	else
		s = xstrdup("");
	set_take(o, "describedby", s);
	free(id);
	return o;
}

/* The name of the area with this slug in the picture. Borrowed. */
static const char *
area_name_of(json_t *pic, const char *slug)
{
	json_t *areas = json_object_get(pic, "areas"), *a;
	size_t i;

	for (i = 0; (a = json_array_get(areas, i)) != NULL; i++) {
		if (slug != NULL && jstr_of(a, "area") != NULL &&
		    strcmp(jstr_of(a, "area"), slug) == 0)
			return jstr_of(a, "name");
	}
	return slug;
}

/*
 * The error summary of a refused change (new reference): each message
 * named by its area and field, linking to the field.
 */
static json_t *
picture_errors(const struct page_set *ps, int li, const struct picture_view *v)
{
	const struct picture_refusal *r = v->refused;
	const struct report_error *e;
	json_t *list = json_array(), *item;
	const char *msg, *where;
	char key[32], *id, *line;
	size_t i;

	if (r == NULL || r->errors == NULL || r->form == NULL)
		return list;
	where = NULL;
	if (strcmp(r->form, "ack") == 0)
		snprintf(key, sizeof(key), "%lld", r->flag_id);
	else {
		snprintf(
		    key, sizeof(key), "%s", r->area != NULL ? r->area : "");
		where = area_name_of(v->picture, r->area);
	}
	for (i = 0; i < r->errors->n; i++) {
		e = &r->errors->e[i];
		msg = li == LANG_EN && e->en != NULL ? e->en : e->sv;
		if (msg == NULL)
			continue;
		item = json_object();
		xasprintf(&line, "%s%s%s: %s", where != NULL ? where : "",
		    where != NULL ? ", " : "",
		    field_label(ps, li, r->form, e->field), msg);
		set_take(item, "message", line);
		/* The status error links to the first of its choices. */
		id = field_id(r->form, key, e->field);
		xasprintf(&line, "#%s%s", id,
		    strcmp(e->field, "status") == 0 ? "-green" : "");
		set_take(item, "href", line);
		free(id);
		json_array_append_new(list, item);
	}
	return list;
}

/* The persisting problems with their acknowledge forms (new reference). */
static json_t *
picture_flags(const struct page_set *ps, int li, const struct picture_view *v)
{
	const struct picture_refusal *r;
	struct field_spec spec;
	json_t *list = json_array(), *f, *o;
	json_t *ack, *form;
	json_t *flags = json_object_get(v->picture, "flags");
	const char *reason, *comment, *closed;
	char key[32], when[32], *s;
	json_int_t id;
	size_t i;
	bool open;

	for (i = 0; (f = json_array_get(flags, i)) != NULL; i++) {
		o = json_object();
		set_str(o, "flag_area",
		    area_name_of(v->picture, jstr_of(f, "area")));
		set_str(o, "flag_indicator",
		    key_label(v->checklist, li, jstr_of(f, "indicator")));
		reason = jstr_of(f, li == LANG_EN ? "reason_en" : "reason");
		set_take(o, "flag_since",
		    fill(text(ps, li, "flag_since"),
			(const char *const[]){"opened",
			    jstr_of(f, "opened") ? jstr_of(f, "opened") : "",
			    "reason", reason != NULL ? reason : "", NULL}));
		closed = jstr_of(f, "closed");
		open = closed == NULL;
		if (!open)
			set_take(o, "flag_closed",
			    fill(text(ps, li, "flag_closed"),
				(const char *const[]){"closed", closed, NULL}));
		else
			set_str(o, "flag_closed", "");

		ack = json_object_get(f, "acknowledged");
		set_str(o, "ack_line", "");
		set_str(o, "ack_comment", "");
		if (ack != NULL) {
			short_time(jstr_of(ack, "at"), when, sizeof(when));
			set_take(o, "ack_line",
			    fill(text(ps, li, "ack_line"),
				(const char *const[]){"by",
				    jstr_of(ack, "by") ? jstr_of(ack, "by")
						       : "",
				    "at", when, NULL}));
			if ((comment = jstr_of(ack, "comment")) != NULL &&
			    *comment != '\0')
				set_str(o, "ack_comment", comment);
		}

		/* Open and not yet acknowledged: the form to do it. */
		id = json_integer_value(json_object_get(f, "id"));
		if (open && ack == NULL && id > 0) {
			r = refusal_of(v, "ack", NULL, (long long)id);
			snprintf(key, sizeof(key), "%lld", (long long)id);
			memset(&spec, 0, sizeof(spec));
			spec.form = "ack";
			spec.key = key;
			spec.name = "comment";
			spec.label = text(ps, li, "ack_comment");
			spec.type = "text";
			spec.maxlength = PAGE_COMMENT_MAX;
			spec.optional = true;
			form = json_object();
			xasprintf(&s, "/k/flags/%lld/ack", (long long)id);
			set_take(form, "action", s);
			json_object_set_new(form, "comment_field",
			    field_json(&spec, refused_value(r, "comment"),
				refused_error(r, li, "comment")));
			json_object_set_new(o, "ack_form", form);
		} else
			json_object_set_new(o, "ack_form", json_false());
		json_array_append_new(list, o);
	}
	return list;
}

/* "medel 1,67 · rapporter: 3 · händelser: 5", or "" (new string). */
static char *
figures(const struct page_set *ps, int li, json_t *ind)
{
	struct buf b = {NULL, 0, 0};
	json_t *mean = json_object_get(ind, "mean");
	json_t *events = json_object_get(ind, "events");
	char num[32], *p, *s;

	if (json_is_number(mean)) {
		snprintf(num, sizeof(num), "%.2f", json_number_value(mean));
		if (li == LANG_SV && (p = strchr(num, '.')) != NULL)
			*p = ',';
		s = fill(text(ps, li, "figures_mean"),
		    (const char *const[]){"mean", num, NULL});
		buf_puts(&b, s);
		free(s);
		snprintf(num, sizeof(num), "%lld",
		    (long long)json_integer_value(
			json_object_get(ind, "reports")));
		s = fill(text(ps, li, "figures_reports"),
		    (const char *const[]){"reports", num, NULL});
		buf_printf(&b, " · %s", s);
		free(s);
	}
	if (json_is_integer(events)) {
		snprintf(num, sizeof(num), "%lld",
		    (long long)json_integer_value(events));
		s = fill(text(ps, li, "figures_events"),
		    (const char *const[]){"events", num, NULL});
		buf_printf(&b, "%s%s", b.len > 0 ? " · " : "", s);
		free(s);
	}
	if (b.len == 0)
		return xstrdup("");
	return buf_take(&b, NULL);
}

static json_t *
area_indicators(const struct page_set *ps, int li, const struct picture_view *v,
    json_t *area)
{
	json_t *list = json_array(), *ind, *o, *score;
	json_t *all = json_object_get(area, "indicators");
	const char *level;
	size_t i;
	json_int_t sc;

	for (i = 0; (ind = json_array_get(all, i)) != NULL; i++) {
		o = json_object();
		set_str(o, "label",
		    key_label(v->checklist, li, jstr_of(ind, "key")));
		json_object_set_new(o, "flagged",
		    json_boolean(
			json_is_true(json_object_get(ind, "flagged"))));
		set_take(o, "figures", figures(ps, li, ind));
		level = jstr_of(ind, "level");
		set_str(o, "level", level_class(level));
		score = json_object_get(ind, "score");
		sc = json_integer_value(score);
		if (json_is_integer(score) && sc >= 0 && sc <= RATING_MAX)
			set_str(o, "score_word",
			    text_at(ps, li, "scale", (size_t)sc));
		else
			set_str(o, "score_word", text(ps, li, "not_assessed"));
		set_str(o, "trend_word",
		    text_in(ps, li, "trends", jstr_of(ind, "trend")));
		json_array_append_new(list, o);
	}
	return list;
}

static json_t *
area_missing(json_t *area)
{
	json_t *list = json_array(), *m, *o;
	json_t *missing = json_object_get(area, "missing");
	size_t i;

	for (i = 0; (m = json_array_get(missing, i)) != NULL; i++) {
		o = json_object();
		set_str(o, "person",
		    jstr_of(m, "name") != NULL ? jstr_of(m, "name") : "");
		set_str(o, "email",
		    jstr_of(m, "email") != NULL ? jstr_of(m, "email") : "");
		json_object_set_new(
		    o, "last", json_boolean(i + 1 == json_array_size(missing)));
		json_array_append_new(list, o);
	}
	return list;
}

static json_t *
area_notes(json_t *area)
{
	json_t *list = json_array(), *n, *o;
	json_t *all = json_object_get(area, "notes");
	size_t i;

	for (i = 0; (n = json_array_get(all, i)) != NULL; i++) {
		o = json_object();
		set_str(o, "note_place",
		    jstr_of(n, "place") != NULL ? jstr_of(n, "place") : "");
		set_str(o, "note_text",
		    jstr_of(n, "text") != NULL ? jstr_of(n, "text") : "");
		json_array_append_new(list, o);
	}
	return list;
}

/* "Plats: Torget · Ansvarig: Polisen · ..." of a measure (new string). */
static char *
measure_details(
    const struct page_set *ps, int li, const struct picture_view *v, json_t *m)
{
	static const struct {
		const char *member;
		const char *key;
	} parts[] = {
	    {"place", "measure_place"},
	    {"who", "measure_who"},
	    {"follow_up", "measure_follow_up"},
	    {"indicator", "measure_indicator"},
	};
	struct buf b = {NULL, 0, 0};
	const char *val;
	char when[32], *s;
	size_t i;

	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if ((val = jstr_of(m, parts[i].member)) == NULL || *val == '\0')
			continue;
		if (strcmp(parts[i].member, "indicator") == 0)
			val = key_label(v->checklist, li, val);
		buf_printf(&b, "%s%s: %s", b.len > 0 ? " · " : "",
		    text(ps, li, parts[i].key), val);
	}
	short_time(jstr_of(m, "at"), when, sizeof(when));
	s = fill(text(ps, li, "measure_by"),
	    (const char *const[]){"by",
		jstr_of(m, "by") != NULL ? jstr_of(m, "by") : "", "at", when,
		NULL});
	buf_printf(&b, "%s%s", b.len > 0 ? " · " : "", s);
	free(s);
	return buf_take(&b, NULL);
}

static json_t *
area_measures(const struct page_set *ps, int li, const struct picture_view *v,
    json_t *area)
{
	json_t *list = json_array(), *m, *o;
	json_t *all = json_object_get(area, "measures");
	size_t i;

	for (i = 0; (m = json_array_get(all, i)) != NULL; i++) {
		o = json_object();
		set_str(o, "what",
		    jstr_of(m, "what") != NULL ? jstr_of(m, "what") : "");
		set_take(o, "details", measure_details(ps, li, v, m));
		json_array_append_new(list, o);
	}
	return list;
}

/* The joint assessment's form of one area, into the area's context. */
static void
area_assessment_form(const struct page_set *ps, int li,
    const struct picture_view *v, json_t *area, json_t *o)
{
	static const char *const levels[] = {"green", "yellow", "red"};
	const struct picture_refusal *r;
	struct field_spec spec;
	json_t *choices, *c, *fields;
	const char *slug = jstr_of(area, "area");
	const char *status = NULL, *comment = NULL, *err;
	char *s;
	size_t i;

	r = refusal_of(v, "assessment", slug, 0);
	if (r != NULL) {
		status = refused_value(r, "status");
		comment = refused_value(r, "comment");
	} else if (json_object_get(area, "status_set_by") != NULL) {
		/* Changing an assessment starts from the one set. */
		status = jstr_of(area, "status");
		comment = jstr_of(area, "assessment");
	}
	xasprintf(&s, "/k/picture/%s/assessment", v->period_label);
	set_take(o, "assessment_action", s);

	err = refused_error(r, li, "status");
	set_str(o, "status_error", err != NULL ? err : "");
	set_take(
	    o, "status_error_id", field_id("assessment", slug, "status-error"));
	choices = json_array();
	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		c = json_object();
		xasprintf(&s, "assessment-%s-status-%s", slug, levels[i]);
		set_take(c, "id", s);
		set_str(c, "value", levels[i]);
		set_str(c, "word", text_in(ps, li, "levels", levels[i]));
		json_object_set_new(c, "checked",
		    json_boolean(
			status != NULL && strcmp(status, levels[i]) == 0));
		json_array_append_new(choices, c);
	}
	json_object_set_new(o, "status_choices", choices);

	memset(&spec, 0, sizeof(spec));
	spec.form = "assessment";
	spec.key = slug;
	spec.name = "comment";
	spec.label = text(ps, li, "comment");
	spec.hint = text(ps, li, "personal_data_warning");
	spec.type = "text";
	spec.maxlength = PAGE_COMMENT_MAX;
	spec.optional = true;
	spec.multiline = true;
	fields = json_array();
	json_array_append_new(fields,
	    field_json(&spec, comment, refused_error(r, li, "comment")));
	json_object_set_new(o, "assessment_fields", fields);
}

/* The form that records a measure for one area, into its context. */
static void
area_measure_form(const struct page_set *ps, int li,
    const struct picture_view *v, json_t *area, json_t *o)
{
	const struct picture_refusal *r;
	struct field_spec spec[4];
	json_t *fields, *choices, *c;
	const char *slug = jstr_of(area, "area");
	const char *err, *want;
	char *s;
	size_t i;

	r = refusal_of(v, "measure", slug, 0);
	xasprintf(&s, "/k/picture/%s/measure", v->period_label);
	set_take(o, "measure_action", s);

	memset(spec, 0, sizeof(spec));
	for (i = 0; i < 4; i++) {
		spec[i].form = "measure";
		spec[i].key = slug;
		spec[i].type = "text";
		spec[i].optional = true;
	}
	spec[0].name = "what";
	spec[0].label = text(ps, li, "measure_what");
	spec[0].hint = text(ps, li, "measure_what_hint");
	spec[0].maxlength = PAGE_WHAT_MAX;
	spec[0].optional = false;
	spec[0].multiline = true;
	spec[1].name = "place";
	spec[1].label = text(ps, li, "measure_place");
	spec[1].maxlength = PLACE_MAX;
	spec[2].name = "who";
	spec[2].label = text(ps, li, "measure_who");
	spec[2].hint = text(ps, li, "measure_who_hint");
	spec[2].maxlength = PAGE_WHO_MAX;
	spec[3].name = "follow_up";
	spec[3].label = text(ps, li, "measure_follow_up");
	spec[3].hint = text(ps, li, "measure_follow_up_hint");
	spec[3].type = "date";
	spec[3].maxlength = 10;
	fields = json_array();
	for (i = 0; i < 4; i++)
		json_array_append_new(fields,
		    field_json(&spec[i], refused_value(r, spec[i].name),
			refused_error(r, li, spec[i].name)));
	json_object_set_new(o, "measure_fields", fields);

	set_take(o, "indicator_id", field_id("measure", slug, "indicator"));
	err = refused_error(r, li, "indicator");
	set_str(o, "indicator_error", err != NULL ? err : "");
	set_take(o, "indicator_error_id",
	    field_id("measure", slug, "indicator-error"));
	want = refused_value(r, "indicator");
	choices = json_array();
	c = json_object();
	set_str(c, "key", "");
	set_str(c, "label", text(ps, li, "measure_no_indicator"));
	json_object_set_new(c, "selected", json_false());
	json_array_append_new(choices, c);
	for (i = 0; v->checklist != NULL && i < v->checklist->n; i++) {
		c = json_object();
		set_str(c, "key", v->checklist->items[i].key);
		set_str(
		    c, "label", indicator_label(&v->checklist->items[i], li));
		json_object_set_new(c, "selected",
		    json_boolean(want != NULL &&
			strcmp(want, v->checklist->items[i].key) == 0));
		json_array_append_new(choices, c);
	}
	json_object_set_new(o, "indicator_choices", choices);
}

/* One area of the picture as the page shows it (new reference). */
static json_t *
picture_area(const struct page_set *ps, int li, const struct picture_view *v,
    json_t *area)
{
	json_t *o = json_object(), *list;
	const char *slug = jstr_of(area, "area"), *by, *comment;
	char *s, expected[16], reported[16];

	set_str(o, "slug", slug);
	set_str(o, "name", jstr_of(area, "name"));
	xasprintf(&s, "area-%s", slug);
	set_take(o, "anchor", s);
	set_str(o, "level", level_class(jstr_of(area, "status")));
	set_str(o, "status_word",
	    text_in(ps, li, "levels", jstr_of(area, "status")));

	set_str(o, "assessment_line", "");
	set_str(o, "assessment_comment", "");
	if (json_object_get(area, "status_set_by") != NULL) {
		by = jstr_of(area, "status_set_by");
		set_take(o, "assessment_line",
		    fill(text(ps, li, "assessment_line"),
			(const char *const[]){"by", by != NULL ? by : "",
			    "computed",
			    text_in(ps, li, "levels",
				jstr_of(area, "status_computed")),
			    NULL}));
		if ((comment = jstr_of(area, "assessment")) != NULL)
			set_str(o, "assessment_comment", comment);
	}

	snprintf(expected, sizeof(expected), "%lld",
	    (long long)json_integer_value(
		json_object_get(area, "reporters_expected")));
	snprintf(reported, sizeof(reported), "%lld",
	    (long long)json_integer_value(
		json_object_get(area, "reporters_reported")));
	if (strcmp(expected, "0") == 0)
		set_str(o, "coverage", text(ps, li, "coverage_none"));
	else
		set_take(o, "coverage",
		    fill(text(ps, li, "coverage"),
			(const char *const[]){
			    "reported", reported, "expected", expected, NULL}));
	list = area_missing(area);
	json_object_set_new(
	    o, "has_missing", json_boolean(json_array_size(list) > 0));
	json_object_set_new(o, "missing", list);

	json_object_set_new(o, "indicators", area_indicators(ps, li, v, area));
	list = area_notes(area);
	json_object_set_new(
	    o, "has_notes", json_boolean(json_array_size(list) > 0));
	json_object_set_new(o, "notes", list);
	list = area_measures(ps, li, v, area);
	json_object_set_new(
	    o, "has_measures", json_boolean(json_array_size(list) > 0));
	json_object_set_new(o, "measures", list);

	area_assessment_form(ps, li, v, area, o);
	area_measure_form(ps, li, v, area, o);
	return o;
}

/* "/k/picture/2026-W45?lang=sv" (new string), or NULL without a label. */
static char *
picture_href(const char *label, int li)
{
	char *s;

	if (label == NULL)
		return NULL;
	xasprintf(&s, "/k/picture/%s?lang=%s", label, lang_codes[li]);
	return s;
}

/*
 * The key functions' picture of one period. Returns a new document
 * owned by the caller (free(3)), or NULL without picture.html.
 */
char *
page_picture(
    const struct page_set *ps, const struct picture_view *v, size_t *len)
{
	json_t *ctx, *list, *areas, *area;
	const char *name;
	char *heading;
	size_t i;
	int li = lang_index(v->lang);

	if (!tmpl_has(ps->tmpl, "picture")) {
		*len = 0;
		return NULL;
	}
	ctx = page_context(ps, li, NULL, NULL);
	/*
	 * The language link names the period: after a refused POST the
	 * page's own address is the form's, which answers POST only.
	 */
	set_take(ctx, "switch_href",
	    picture_href(v->period_label, li == LANG_SV ? LANG_EN : LANG_SV));
	heading = fill(text(ps, li, "picture_heading"),
	    (const char *const[]){"period",
		v->period_description != NULL ? v->period_description
					      : v->period_label,
		NULL});
	set_str(ctx, "heading", heading);
	name =
	    v->person != NULL && v->person->name != NULL ? v->person->name : "";
	set_take(ctx, "signed_in",
	    fill(text(ps, li, "signed_in"),
		(const char *const[]){"name", name, NULL}));
	set_str(ctx, "logout_action", "/k/logout");
	set_str(ctx, "csrf", v->csrf);
	set_str(ctx, "period_label", v->period_label);
	set_take(ctx, "prev_href", picture_href(v->prev_label, li));
	set_take(ctx, "next_href", picture_href(v->next_label, li));

	list = picture_errors(ps, li, v);
	json_object_set_new(
	    ctx, "has_errors", json_boolean(json_array_size(list) > 0));
	json_object_set_new(ctx, "errors", list);
	set_take(ctx, "title",
	    title(ps, li, json_array_size(list) > 0, heading, NULL));
	free(heading);

	list = json_array();
	areas = json_object_get(v->picture, "areas");
	for (i = 0; (area = json_array_get(areas, i)) != NULL; i++)
		json_array_append_new(list, picture_area(ps, li, v, area));
	json_object_set_new(
	    ctx, "has_areas", json_boolean(json_array_size(list) > 0));
	json_object_set_new(ctx, "areas", list);

	list = picture_flags(ps, li, v);
	json_object_set_new(
	    ctx, "has_flags", json_boolean(json_array_size(list) > 0));
	json_object_set_new(ctx, "flags", list);
	/* Only when [police] is on does the picture carry the notices. */
	if ((area = json_object_get(v->picture, "police_events")) != NULL)
		json_object_set(ctx, "police", area);
	return render(ps, "picture", ctx, len);
}

/*
 * The page for a request without a live session. Returns a new document
 * owned by the caller (free(3)).
 */
char *
page_signed_out(const struct page_set *ps, const char *lang, size_t *len)
{
	json_t *ctx, *e;
	const char *heading;
	int li = lang_index(lang);

	e = json_object_get(ps->strings[li], "signed_out");
	heading = jstr_of(e, "title");
	ctx = page_context(ps, li, NULL, NULL);
	json_object_set_new(ctx, "status", json_integer(401));
	set_str(ctx, "heading", heading);
	set_str(ctx, "explanation", jstr_of(e, "text"));
	set_take(ctx, "title",
	    title(ps, li, 0, heading != NULL ? heading : "", NULL));
	return render(ps, "error", ctx, len);
}

/*
 * ---- The steering group's analysis (analysis.html). Built from the
 * analysis JSON of contract §6 with the members analysis_to_json adds,
 * so the page, the API and the CSV show the same figures.
 */

static json_int_t
jint_of(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? json_integer_value(v) : 0;
}

/* A figure in the page's language ("1,20"); "–" for null. */
static void
decimal(json_t *v, int li, char *buf, size_t size)
{
	char *p;

	if (!json_is_number(v)) {
		snprintf(buf, size, "\xe2\x80\x93");
		return;
	}
	snprintf(buf, size, "%.2f", json_number_value(v));
	if (li == LANG_SV && (p = strchr(buf, '.')) != NULL)
		*p = ',';
}

/* A slope with its sign: "+0,12", "−0,05" (a real minus), "0,00". */
static void
signed_decimal(json_t *v, int li, char *buf, size_t size)
{
	char num[24];

	decimal(v, li, num, sizeof(num));
	if (!json_is_number(v) || json_number_value(v) == 0)
		snprintf(buf, size, "%s", num);
	else if (num[0] == '-')
		snprintf(buf, size, "\xe2\x88\x92%s", num + 1);
	else
		snprintf(buf, size, "+%s", num);
}

/* "veckor" or "perioder", as the cadence of the analysis counts. */
static const char *
unit_word(const struct page_set *ps, int li, json_t *an)
{
	const char *c = jstr_of(an, "cadence");

	return text_in(ps, li, "period_units",
	    c != NULL && strcmp(c, "fortnightly") == 0 ? "fortnight" : "week");
}

/* "/k/analysis/2026-Q3?lang=sv" (new string), or NULL without a label. */
static char *
analysis_href(const char *label, int li)
{
	char *s;

	if (label == NULL)
		return NULL;
	xasprintf(&s, "/k/analysis/%s?lang=%s", label, lang_codes[li]);
	return s;
}

/* The week number of a label ("2026-W27" gives "27"). Borrowed. */
static const char *
week_of(const char *label)
{
	const char *w = label != NULL ? strchr(label, 'W') : NULL;

	return w != NULL ? w + 1 : label != NULL ? label : "";
}

/* The head of the strip: one column per reporting period. */
static json_t *
strip_periods(json_t *an)
{
	json_t *list = json_array(), *o, *p;
	size_t i;

	json_array_foreach(json_object_get(an, "periods"), i, p)
	{
		o = json_object();
		set_str(o, "label", json_string_value(p));
		set_str(o, "week", week_of(json_string_value(p)));
		json_array_append_new(list, o);
	}
	return list;
}

/*
 * One row of the strip: the area's status in each period, and whether
 * a key function set it ("statuses_set", from gather_analysis_json).
 */
static json_t *
strip_cells(const struct page_set *ps, int li, json_t *area)
{
	json_t *list = json_array(), *o, *st, *set;
	const char *status;
	size_t k;

	set = json_object_get(area, "statuses_set");
	json_array_foreach(json_object_get(area, "statuses"), k, st)
	{
		status = json_string_value(st);
		if (status == NULL)
			status = "grey";
		o = json_object();
		set_str(o, "level", status);
		set_str(o, "symbol", text_in(ps, li, "strip_symbols", status));
		set_str(o, "word", text_in(ps, li, "levels", status));
		json_object_set_new(o, "set",
		    json_boolean(json_is_true(json_array_get(set, k))));
		json_array_append_new(list, o);
	}
	return list;
}

/* Elevated at some time in the span, or flagged: marked in the table. */
static bool
elevated_once(json_t *ind)
{
	return jint_of(ind, "periods_elevated") > 0 ||
	    json_is_true(json_object_get(ind, "flagged"));
}

/* The chart's values in words, for the table under it. */
static json_t *
chart_values(const struct page_set *ps, int li, json_t *an, json_t *ind)
{
	json_t *list = json_array(), *o, *sc, *periods;
	json_int_t v;
	size_t k;
	char num[8];

	periods = json_object_get(an, "periods");
	json_array_foreach(json_object_get(ind, "scores"), k, sc)
	{
		o = json_object();
		set_str(
		    o, "period", json_string_value(json_array_get(periods, k)));
		set_str(o, "week",
		    week_of(json_string_value(json_array_get(periods, k))));
		v = json_integer_value(sc);
		if (json_is_integer(sc) && v >= 0 && v <= RATING_MAX) {
			snprintf(num, sizeof(num), "%d", (int)v);
			set_str(o, "score_num", num);
			set_str(o, "score_word",
			    text_at(ps, li, "scale", (size_t)v));
		} else {
			set_str(o, "score_num", "");
			set_str(o, "score_word", text(ps, li, "not_assessed"));
		}
		json_array_append_new(list, o);
	}
	return list;
}

/* 1 if the array of strings holds s. */
static bool
listed(json_t *arr, const char *s)
{
	json_t *v;
	size_t i;

	json_array_foreach(arr, i, v) if (json_is_string(v) &&
	    strcmp(json_string_value(v), s) == 0) return true;
	return false;
}

/*
 * The charts of an area (new reference): of the indicators its
 * "charts" names (gather_analysis_json), the most elevated ones.
 */
static json_t *
area_charts(const struct page_set *ps, int li, const struct analysis_view *v,
    json_t *area)
{
	json_t *list = json_array(), *ind, *o, *src;
	const char *slug = jstr_of(area, "area"), *key, *label, *name;
	char mean[32], elevated[16], assessed[16], *s;
	size_t i;

	json_array_foreach(json_object_get(area, "indicators"), i, ind)
	{
		if ((key = jstr_of(ind, "key")) == NULL ||
		    !listed(json_object_get(area, "charts"), key))
			continue;
		o = json_object();
		label = key_label(v->checklist, li, key);
		set_str(o, "indicator", label);
		xasprintf(&s, "chart-%s-%s", slug, key);
		set_take(o, "id", s);
		xasprintf(&s, "%s/%s", slug, key);
		src = v->chart_srcs != NULL ? json_object_get(v->chart_srcs, s)
					    : NULL;
		free(s);
		if (src != NULL)
			set_str(o, "src", json_string_value(src));
		else {
			xasprintf(&s, "/k/analysis/%s/chart/%s/%s.svg",
			    v->period_label, slug, key);
			set_take(o, "src", s);
		}
		decimal(
		    json_object_get(ind, "mean_score"), li, mean, sizeof(mean));
		snprintf(elevated, sizeof(elevated), "%lld",
		    (long long)jint_of(ind, "periods_elevated"));
		snprintf(assessed, sizeof(assessed), "%lld",
		    (long long)jint_of(ind, "periods_assessed"));
		name = jstr_of(area, "name") != NULL ? jstr_of(area, "name")
						     : slug;
		set_take(o, "alt",
		    fill(text(ps, li, "chart_alt"),
			(const char *const[]){"indicator", label, "area", name,
			    "mean", mean, "elevated", elevated, "assessed",
			    assessed, "unit", unit_word(ps, li, v->analysis),
			    NULL}));
		json_object_set_new(
		    o, "values", chart_values(ps, li, v->analysis, ind));
		json_array_append_new(list, o);
	}
	return list;
}

/*
 * The table of an area's indicators (new reference): those with a
 * figure in the span, the previous one or last year's, or flagged.
 */
static json_t *
area_figures(int li, const struct analysis_view *v, json_t *area)
{
	json_t *list = json_array(), *ind, *o, *e;
	char num[32];
	size_t i;

	json_array_foreach(json_object_get(area, "indicators"), i, ind)
	{
		/* Items nobody assessed in any of the spans say nothing. */
		if (json_is_null(json_object_get(ind, "mean_score")) &&
		    json_is_null(json_object_get(ind, "previous_mean_score")) &&
		    json_is_null(
			json_object_get(ind, "last_year_mean_score")) &&
		    !json_is_true(json_object_get(ind, "flagged")))
			continue;
		o = json_object();
		set_str(o, "label",
		    key_label(v->checklist, li, jstr_of(ind, "key")));
		decimal(
		    json_object_get(ind, "mean_score"), li, num, sizeof(num));
		set_str(o, "mean", num);
		decimal(json_object_get(ind, "previous_mean_score"), li, num,
		    sizeof(num));
		set_str(o, "previous", num);
		decimal(json_object_get(ind, "last_year_mean_score"), li, num,
		    sizeof(num));
		set_str(o, "last_year", num);
		e = json_object_get(ind, "periods_elevated");
		if (json_is_integer(e))
			snprintf(num, sizeof(num), "%lld / %lld",
			    (long long)json_integer_value(e),
			    (long long)jint_of(ind, "periods_assessed"));
		else
			snprintf(num, sizeof(num), "\xe2\x80\x93");
		set_str(o, "elevated", num);
		signed_decimal(
		    json_object_get(ind, "trend"), li, num, sizeof(num));
		set_str(o, "trend", num);
		json_object_set_new(o, "flagged",
		    json_boolean(
			json_is_true(json_object_get(ind, "flagged"))));
		json_object_set_new(
		    o, "level", json_string(elevated_once(ind) ? "2" : "none"));
		json_array_append_new(list, o);
	}
	return list;
}

/* The persisting problems of an area, with their history. */
static json_t *
area_flags(const struct page_set *ps, int li, const struct analysis_view *v,
    const char *slug)
{
	json_t *list = json_array(), *f, *o;
	const char *reason, *closed, *comment, *area;
	char n[16];
	json_int_t earlier;
	size_t i;

	json_array_foreach(json_object_get(v->analysis, "flags"), i, f)
	{
		area = jstr_of(f, "area");
		if (area == NULL || slug == NULL || strcmp(area, slug) != 0)
			continue;
		o = json_object();
		set_str(o, "indicator",
		    key_label(v->checklist, li, jstr_of(f, "indicator")));
		reason = jstr_of(f, li == LANG_EN ? "reason_en" : "reason");
		set_take(o, "since",
		    fill(text(ps, li, "flag_since"),
			(const char *const[]){"opened",
			    jstr_of(f, "opened") ? jstr_of(f, "opened") : "",
			    "reason", reason != NULL ? reason : "", NULL}));
		closed = jstr_of(f, "closed");
		if (closed != NULL)
			set_take(o, "closed",
			    fill(text(ps, li, "flag_closed"),
				(const char *const[]){"closed", closed, NULL}));
		else
			set_str(o, "closed", "");
		json_object_set_new(o, "open_at_end",
		    json_boolean(
			json_is_true(json_object_get(f, "open_at_end"))));
		json_object_set_new(o, "opened_in",
		    json_boolean(
			json_is_true(json_object_get(f, "opened_in_period"))));
		earlier = jint_of(f, "earlier_episodes");
		snprintf(n, sizeof(n), "%lld", (long long)earlier);
		if (earlier > 0)
			set_take(o, "earlier",
			    fill(text(ps, li,
				     earlier == 1 ? "flag_earlier_one"
						  : "flag_earlier"),
				(const char *const[]){"n", n, NULL}));
		else
			set_str(o, "earlier", "");
		comment = jstr_of(f, "comment");
		set_str(o, "comment", comment != NULL ? comment : "");
		json_array_append_new(list, o);
	}
	return list;
}

/* The measures decided in an area, with their figures before and after. */
static json_t *
area_measures_an(const struct page_set *ps, int li,
    const struct analysis_view *v, const char *slug)
{
	json_t *list = json_array(), *m, *o, *fl;
	const char *area, *val, *unit = unit_word(ps, li, v->analysis);
	char before[32], after[32], nb[16], na[16];
	struct buf b = {NULL, 0, 0};
	size_t i;

	json_array_foreach(json_object_get(v->analysis, "measures"), i, m)
	{
		area = jstr_of(m, "area");
		if (area == NULL || slug == NULL || strcmp(area, slug) != 0)
			continue;
		o = json_object();
		set_str(o, "what",
		    jstr_of(m, "what") != NULL ? jstr_of(m, "what") : "");
		buf_printf(&b, "%s: %s", text(ps, li, "measure_decided"),
		    jstr_of(m, "period") != NULL ? jstr_of(m, "period") : "");
		if ((val = jstr_of(m, "indicator")) != NULL)
			buf_printf(&b, " · %s: %s",
			    text(ps, li, "measure_indicator"),
			    key_label(v->checklist, li, val));
		if ((val = jstr_of(m, "place")) != NULL && *val != '\0')
			buf_printf(&b, " · %s: %s",
			    text(ps, li, "measure_place"), val);
		if ((val = jstr_of(m, "who")) != NULL && *val != '\0')
			buf_printf(
			    &b, " · %s: %s", text(ps, li, "measure_who"), val);
		if ((val = jstr_of(m, "follow_up")) != NULL)
			buf_printf(&b, " · %s: %s",
			    text(ps, li, "measure_follow_up"), val);
		set_take(o, "details", buf_take(&b, NULL));
		decimal(json_object_get(m, "mean_before"), li, before,
		    sizeof(before));
		decimal(
		    json_object_get(m, "mean_after"), li, after, sizeof(after));
		snprintf(nb, sizeof(nb), "%lld",
		    (long long)jint_of(m, "periods_before"));
		snprintf(na, sizeof(na), "%lld",
		    (long long)jint_of(m, "periods_after"));
		set_take(o, "figures",
		    fill(text(ps, li, "measure_figures"),
			(const char *const[]){"before", before, "n_before", nb,
			    "after", after, "n_after", na, "unit", unit,
			    NULL}));
		fl = json_object_get(m, "flag");
		if (json_is_object(fl))
			set_take(o, "flag",
			    fill(text(ps, li,
				     jstr_of(fl, "closed") != NULL
					 ? "measure_flag_closed"
					 : "measure_flag_open"),
				(const char *const[]){"opened",
				    jstr_of(fl, "opened")
					? jstr_of(fl, "opened")
					: "",
				    "closed",
				    jstr_of(fl, "closed")
					? jstr_of(fl, "closed")
					: "",
				    NULL}));
		else
			set_str(o, "flag", "");
		json_array_append_new(list, o);
	}
	return list;
}

/* An area's figures in the ranking and the strip, shared by both. */
static void
area_head(int li, json_t *area, json_t *o)
{
	json_t *counts = json_object_get(area, "status_counts");
	const char *slug = jstr_of(area, "area");
	char num[32], *s;

	json_object_set_new(o, "rank", json_integer(jint_of(area, "rank")));
	set_str(o, "name", jstr_of(area, "name"));
	set_str(o, "slug", slug);
	xasprintf(&s, "area-%s", slug != NULL ? slug : "");
	set_take(o, "anchor", s);
	decimal(json_object_get(area, "need"), li, num, sizeof(num));
	set_str(o, "need", num);
	json_object_set_new(o, "red", json_integer(jint_of(counts, "red")));
	json_object_set_new(
	    o, "yellow", json_integer(jint_of(counts, "yellow")));
	json_object_set_new(o, "green", json_integer(jint_of(counts, "green")));
	json_object_set_new(o, "grey", json_integer(jint_of(counts, "grey")));
}

/* Flags of the area still open at the end of the span. */
static json_int_t
open_at_end(json_t *an, const char *slug)
{
	json_t *f;
	const char *a;
	json_int_t n = 0;
	size_t i;

	json_array_foreach(json_object_get(an, "flags"), i, f)
	{
		a = jstr_of(f, "area");
		if (a != NULL && slug != NULL && strcmp(a, slug) == 0 &&
		    json_is_true(json_object_get(f, "open_at_end")))
			n++;
	}
	return n;
}

/*
 * The analysis page. Returns a new document owned by the caller
 * (free(3)), or NULL without analysis.html.
 */
char *
page_analysis(
    const struct page_set *ps, const struct analysis_view *v, size_t *len)
{
	json_t *ctx, *ranking, *strip, *areas, *area, *o, *list;
	struct period p;
	const char *name, *kind;
	char descr[128], *heading, *s;
	size_t i;
	int li = lang_index(v->lang);
	int level = (int)jint_of(v->analysis, "level");

	if (!tmpl_has(ps->tmpl, "analysis")) {
		*len = 0;
		return NULL;
	}
	ctx = page_context(ps, li, NULL, NULL);
	set_take(ctx, "switch_href",
	    analysis_href(v->period_label, li == LANG_SV ? LANG_EN : LANG_SV));
	descr[0] = '\0';
	kind = "quarter";
	if (v->period_label != NULL && period_parse(v->period_label, &p) == 0) {
		period_describe(&p, lang_codes[li], descr, sizeof(descr));
		kind = p.kind == PERIOD_TERTIAL ? "tertial"
		    : p.kind == PERIOD_YEAR     ? "year"
						: "quarter";
	}
	heading = fill(text(ps, li, "analysis_heading"),
	    (const char *const[]){"kind",
		text_in(ps, li, "analysis_kinds", kind), "period",
		descr[0] != '\0'      ? descr
		    : v->period_label ? v->period_label
				      : "",
		NULL});
	set_str(ctx, "heading", heading);
	set_take(ctx, "title", title(ps, li, 0, heading, NULL));
	free(heading);

	set_str(ctx, "stylesheet",
	    v->stylesheet != NULL ? v->stylesheet : "/static/estd.css");
	set_str(ctx, "analysis_stylesheet",
	    v->analysis_stylesheet != NULL ? v->analysis_stylesheet
					   : "/static/analysis.css");
	json_object_set_new(ctx, "standalone", json_boolean(v->person == NULL));
	if (v->person != NULL) {
		name = v->person->name != NULL ? v->person->name : "";
		set_take(ctx, "signed_in",
		    fill(text(ps, li, "signed_in"),
			(const char *const[]){"name", name, NULL}));
		set_str(ctx, "logout_action", "/k/logout");
		set_str(ctx, "csrf", v->csrf != NULL ? v->csrf : "");
		set_take(ctx, "prev_href", analysis_href(v->prev_label, li));
		set_take(ctx, "next_href", analysis_href(v->next_label, li));
		xasprintf(&s, "/k/picture?lang=%s", lang_codes[li]);
		set_take(ctx, "picture_href", s);
		xasprintf(&s, "/k/analysis/%s/csv", v->period_label);
		set_take(ctx, "csv_href", s);
		xasprintf(&s, "analysis-%s.csv", v->period_label);
		set_take(ctx, "csv_name", s);
	}
	set_str(ctx, "period_label", v->period_label);
	set_str(ctx, "unit", unit_word(ps, li, v->analysis));
	json_object_set_new(ctx, "n_periods",
	    json_integer((json_int_t)json_array_size(
		json_object_get(v->analysis, "periods"))));
	json_object_set_new(ctx, "level", json_integer(level));
	json_object_set_new(ctx, "periods", strip_periods(v->analysis));
	set_str(ctx, "level_word",
	    text_at(ps, li, "scale",
		(size_t)(level >= 0 && level <= RATING_MAX ? level : 0)));

	ranking = json_array();
	strip = json_array();
	areas = json_array();
	json_array_foreach(json_object_get(v->analysis, "areas"), i, area)
	{
		const char *slug = jstr_of(area, "area");

		o = json_object();
		area_head(li, area, o);
		json_object_set_new(o, "flags_open",
		    json_integer(open_at_end(v->analysis, slug)));
		json_array_append_new(ranking, o);

		o = json_object();
		area_head(li, area, o);
		json_object_set_new(o, "cells", strip_cells(ps, li, area));
		json_array_append_new(strip, o);

		o = json_object();
		area_head(li, area, o);
		list = area_figures(li, v, area);
		json_object_set_new(
		    o, "any_figures", json_boolean(json_array_size(list) > 0));
		json_object_set_new(o, "figures", list);
		list = area_charts(ps, li, v, area);
		json_object_set_new(
		    o, "any_charts", json_boolean(json_array_size(list) > 0));
		json_object_set_new(o, "charts", list);
		list = area_flags(ps, li, v, slug);
		json_object_set_new(
		    o, "any_flags", json_boolean(json_array_size(list) > 0));
		json_object_set_new(o, "flags", list);
		list = area_measures_an(ps, li, v, slug);
		json_object_set_new(
		    o, "any_measures", json_boolean(json_array_size(list) > 0));
		json_object_set_new(o, "measures", list);
		json_array_append_new(areas, o);
	}
	json_object_set_new(
	    ctx, "has_areas", json_boolean(json_array_size(ranking) > 0));
	json_object_set_new(ctx, "ranking", ranking);
	json_object_set_new(ctx, "strip", strip);
	json_object_set_new(ctx, "areas", areas);
	return render(ps, "analysis", ctx, len);
}
