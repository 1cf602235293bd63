/*
 * page: the reporter's pages (form, receipt, error pages) from the
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include "buf.h"
#include "conf.h"
#include "page.h"
#include "period.h"
#include "report.h"
#include "store.h"
#include "tmpl.h"
#include "xmalloc.h"

#define CSS_MAX		(256 * 1024)

enum { LANG_SV, LANG_EN, LANG_N };

static const char *const lang_codes[LANG_N] = { "sv", "en" };

/* Statuses with their own title and explanation in the string tables. */
static const int error_statuses[] = { 400, 401, 403, 404, 413, 429, 500,
    503 };

struct page_set {
	struct tmpl_set	*tmpl;
	json_t		*strings[LANG_N];	/* new references */
	char		*css;
	size_t		 css_len;
};

/* Strings the C code reads itself; the templates name the rest. */
static const struct {
	const char	*key;
	json_type	 type;
	size_t		 n;	/* array length */
} required_strings[] = {
	{ "site_name", JSON_STRING, 0 },
	{ "form_heading", JSON_STRING, 0 },
	{ "receipt_title", JSON_STRING, 0 },
	{ "error_prefix", JSON_STRING, 0 },
	{ "greeting", JSON_STRING, 0 },
	{ "greeting_noname", JSON_STRING, 0 },
	{ "stored_notice", JSON_STRING, 0 },
	{ "receipt_version", JSON_STRING, 0 },
	{ "not_assessed", JSON_STRING, 0 },
	{ "place", JSON_STRING, 0 },
	{ "note", JSON_STRING, 0 },
	{ "scale", JSON_ARRAY, RATING_MAX + 1 },
	{ "months", JSON_ARRAY, 12 },
	{ "errors", JSON_OBJECT, 0 },
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
	FILE		*f;
	struct buf	 b = { NULL, 0, 0 };
	char		 chunk[4096];
	size_t		 n;

	if ((f = fopen(path, "r")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		buf_append(&b, chunk, n);
		if (b.len > max) {
			xasprintf(cause, "%s: larger than %zu bytes", path, max);
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
same_shape(json_t *a, json_t *b, const char *path, const char *bfile,
    char **cause)
{
	const char	*key;
	json_t		*va, *vb;
	size_t		 i;
	char		*sub;
	int		 rc;

	if (json_typeof(a) != json_typeof(b)) {
		xasprintf(cause, "%s: \"%s\" is not of the same kind as in "
		    "sv.json", bfile, path);
		return -1;
	}
	switch (json_typeof(a)) {
	case JSON_STRING:
		return 0;
	case JSON_OBJECT:
		json_object_foreach(a, key, va) {
			if (json_object_get(b, key) == NULL) {
				xasprintf(cause, "%s: \"%s%s%s\" is missing",
				    bfile, path, *path ? "." : "", key);
				return -1;
			}
		}
		json_object_foreach(b, key, vb) {
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
			xasprintf(cause, "%s: \"%s\" has %zu entries, sv.json "
			    "%zu", bfile, path, json_array_size(b),
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
		xasprintf(cause, "%s: \"%s\" must be text in quotes", bfile,
		    path);
		return -1;
	}
}

/* The members the C code reads must be there, of the right kind. */
static int
check_required(json_t *t, const char *file, char **cause)
{
	json_t	*v, *e;
	size_t	 i, j;
	char	 code[8];

	for (i = 0; i < sizeof(required_strings) / sizeof(required_strings[0]);
	    i++) {
		v = json_object_get(t, required_strings[i].key);
		if (v == NULL || json_typeof(v) != required_strings[i].type ||
		    (required_strings[i].type == JSON_ARRAY &&
		    json_array_size(v) != required_strings[i].n)) {
			xasprintf(cause, "%s: \"%s\" is missing or of the "
			    "wrong kind", file, required_strings[i].key);
			return -1;
		}
		for (j = 0; json_is_array(v) && j < json_array_size(v); j++)
			if (!json_is_string(json_array_get(v, j))) {
				xasprintf(cause, "%s: \"%s\" must be a list of "
				    "texts", file, required_strings[i].key);
				return -1;
			}
	}
	for (i = 0; i < sizeof(error_statuses) / sizeof(error_statuses[0]);
	    i++) {
		snprintf(code, sizeof(code), "%d", error_statuses[i]);
		e = json_object_get(json_object_get(t, "errors"), code);
		if (!json_is_string(json_object_get(e, "title")) ||
		    !json_is_string(json_object_get(e, "text"))) {
			xasprintf(cause, "%s: \"errors.%s\" needs a \"title\" "
			    "and a \"text\"", file, code);
			return -1;
		}
	}
	return 0;
}

static json_t *
load_strings(const char *dir, const char *lang, char **cause)
{
	json_t		*t;
	json_error_t	 err;
	char		*path;

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
	static const char *const pages[] = { "form", "receipt", "error" };
	struct page_set	*ps;
	char		*path = NULL, *bfile = NULL;
	size_t		 i;
	int		 rc = -1;

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
		if ((ps->strings[i] = load_strings(dir, lang_codes[i],
		    cause)) == NULL)
			goto done;
	xasprintf(&bfile, "%s/i18n/en.json", dir);
	if (same_shape(ps->strings[LANG_SV], ps->strings[LANG_EN], "", bfile,
	    cause) == -1)
		goto done;
	xasprintf(&path, "%s/estd.css", dir);
	if ((ps->css = read_text(path, CSS_MAX, &ps->css_len, cause)) == NULL)
		goto done;
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
	int	q = 0, scale = 100;

	while (p < end && (*p == ';' || *p == ' '))
		p++;
	if (end - p < 3 || (*p != 'q' && *p != 'Q') || p[1] != '=')
		return 1000;
	p += 2;
	if (*p != '0')
		return 1000;	/* "1", "1.0" or unreadable */
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
	const char	*p, *item, *end, *tag_end, *lang, *best = NULL;
	int		 q, best_q = 0;

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
	const char *s = json_string_value(json_object_get(ps->strings[li],
	    key));

	return s != NULL ? s : "";
}

static const char *
text_at(const struct page_set *ps, int li, const char *key, size_t i)
{
	const char *s = json_string_value(json_array_get(
	    json_object_get(ps->strings[li], key), i));

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
	struct buf	 b = { NULL, 0, 0 };
	const char	*p, *close;
	size_t		 i, n;

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
	struct buf b = { NULL, 0, 0 };

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
page_context(const struct page_set *ps, int li, const char *area,
    const char *period)
{
	json_t	*ctx = json_object();
	int	 other = li == LANG_SV ? LANG_EN : LANG_SV;

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

	xasprintf(&s, "%s%s%s%s%s – %s", error ? text(ps, li, "error_prefix") :
	    "", error ? " " : "", heading, area != NULL ? " – " : "",
	    area != NULL ? area : "", text(ps, li, "site_name"));
	return s;
}

/* "20 november 14:03" in local time, month from the table. */
static void
format_time(const struct page_set *ps, int li, time_t t, char *buf,
    size_t size)
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
render(const struct page_set *ps, const char *name, json_t *ctx,
    size_t *len)
{
	char *html;

	html = tmpl_render(ps->tmpl, name, ctx, len);
	json_decref(ctx);
	return html;
}

/* Messages of one form field, per part of the page. */
struct field_errors {
	const char	*rating[INDICATORS_MAX];
	const char	*count[INDICATORS_MAX];
	const char	*place;
	const char	*note;
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
		const char	*prefix;
		int		 kind;
	} prefixes[] = {
		{ "r.", 1 }, { "ratings.", 1 }, { "n.", 2 }, { "counts.", 2 },
	};
	size_t	i, n;

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
	return li == LANG_EN && ind->help_en != NULL ? ind->help_en :
	    ind->help_sv;
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
	const struct report_error	*e;
	json_t				*list = json_array(), *item;
	const char			*msg, *label;
	char				*href, *line;
	size_t				 i;
	int				 idx = -1, kind;

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
	static const char *const values[] = { "0", "1", "2", "3", "" };
	const struct indicator	*ind = &v->checklist->items[i];
	json_t			*o = json_object(), *choices, *c;
	const char		*help = indicator_help(ind, li);
	char			*s;
	int			 rating = RATING_NONE, count = COUNT_NONE, r;
	size_t			 j;

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
		set_str(c, "word", r == RATING_NONE ?
		    text(ps, li, "not_assessed") : text_at(ps, li, "scale", j));
		xasprintf(&s, "r-%s-%s", ind->key, r == RATING_NONE ? "none" :
		    values[j]);
		set_take(c, "id", s);
		/* An unknown stored value shows as not assessed. */
		if (r == rating || (r == RATING_NONE &&
		    (rating < 0 || rating > RATING_MAX)))
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
text_field(const char *name, const char *value, const char *error,
    int maxlength)
{
	json_t	*o = json_object();
	char	*s;

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
	const struct page_period	*pp = NULL;
	struct field_errors		 fe;
	json_t				*ctx, *list, *o;
	const char			*area_name, *place = NULL, *note = NULL;
	char				 when[64], version[16];
	size_t				 i;
	int				 li = lang_index(v->lang);

	if (v->n_periods > 0)
		pp = &v->periods[v->period_index < v->n_periods ?
		    v->period_index : 0];
	area_name = v->area;
	for (i = 0; i < v->n_areas; i++)
		if (v->area != NULL && strcmp(v->areas[i].slug, v->area) == 0)
			area_name = v->areas[i].name;

	ctx = page_context(ps, li, v->area, pp != NULL ? pp->label : NULL);
	set_str(ctx, "action", v->action);
	if (v->person != NULL && v->person->name != NULL &&
	    *v->person->name != '\0')
		set_take(ctx, "greeting", fill(text(ps, li, "greeting"),
		    (const char *const[]){ "name", v->person->name, NULL }));
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
	json_object_set_new(ctx, "several_areas",
	    json_boolean(v->n_areas > 1));

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
	json_object_set_new(ctx, "several_periods",
	    json_boolean(v->n_periods > 1));
	json_object_set_new(ctx, "switcher",
	    json_boolean(v->n_areas > 1 || v->n_periods > 1));

	if (v->stored != NULL) {
		format_time(ps, li, v->stored->submitted, when, sizeof(when));
		snprintf(version, sizeof(version), "%d", v->stored->revision);
		set_take(ctx, "stored_notice", fill(text(ps, li,
		    "stored_notice"), (const char *const[]){ "period",
		    pp != NULL ? pp->description : "", "version", version,
		    "submitted", when, NULL }));
	}

	list = form_errors(ps, li, v, &fe);
	json_object_set_new(ctx, "has_errors",
	    json_boolean(json_array_size(list) > 0));
	json_object_set_new(ctx, "errors", list);
	set_take(ctx, "title", title(ps, li, json_array_size(list) > 0,
	    text(ps, li, "form_heading"), area_name));

	list = json_array();
	for (i = 0; v->checklist != NULL && i < v->checklist->n; i++)
		json_array_append_new(list, form_indicator(ps, li, v, i, &fe));
	json_object_set_new(ctx, "indicators", list);

	if (v->values != NULL) {
		place = v->values->place;
		note = v->values->note;
	}
	json_object_set_new(ctx, "place", text_field("place", place, fe.place,
	    PLACE_MAX));
	json_object_set_new(ctx, "note", text_field("note", note, fe.note,
	    NOTE_MAX));
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
page_receipt(const struct page_set *ps, const struct receipt_view *v,
    size_t *len)
{
	const struct report	*r = v->stored != NULL ? &v->stored->report :
				    NULL;
	json_t			*ctx, *list, *o;
	const char		*next;
	char			 label[PERIOD_LABEL_MAX], when[64],
				 version[16], *q, *href, *num;
	size_t			 i;
	int			 li = lang_index(v->lang), rating;

	label[0] = '\0';
	if (r != NULL && r->has_period)
		period_format(&r->period, label);
	ctx = page_context(ps, li, r != NULL ? r->area : NULL, label);
	set_take(ctx, "title", title(ps, li, 0, text(ps, li, "receipt_title"),
	    NULL));
	set_str(ctx, "area_name", v->area_name);
	set_str(ctx, "period_description", v->period_description);
	if (v->stored != NULL) {
		if (v->submitted != NULL)
			snprintf(when, sizeof(when), "%s", v->submitted);
		else
			format_time(ps, li, v->stored->submitted, when,
			    sizeof(when));
		snprintf(version, sizeof(version), "%d", v->stored->revision);
		set_take(ctx, "version_line", fill(text(ps, li,
		    "receipt_version"), (const char *const[]){ "version",
		    version, "submitted", when, NULL }));
	}

	list = json_array();
	for (i = 0; r != NULL && v->checklist != NULL && i < v->checklist->n;
	    i++) {
		o = json_object();
		rating = r->ratings[i];
		set_str(o, "label", indicator_label(&v->checklist->items[i],
		    li));
		if (rating >= 0 && rating <= RATING_MAX) {
			set_str(o, "answer", text_at(ps, li, "scale",
			    (size_t)rating));
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
page_error(const struct page_set *ps, const char *lang, int status,
    size_t *len)
{
	json_t		*ctx, *errors, *e;
	const char	*heading;
	char		 code[16];
	int		 li = lang_index(lang);

	snprintf(code, sizeof(code), "%d", status);
	errors = json_object_get(ps->strings[li], "errors");
	if ((e = json_object_get(errors, code)) == NULL)
		e = json_object_get(errors, "500");
	heading = json_string_value(json_object_get(e, "title"));
	ctx = page_context(ps, li, NULL, NULL);
	json_object_set_new(ctx, "status", json_integer(status));
	set_str(ctx, "heading", heading);
	set_str(ctx, "explanation", json_string_value(json_object_get(e,
	    "text")));
	set_take(ctx, "title", title(ps, li, 0, heading != NULL ? heading : "",
	    NULL));
	return render(ps, "error", ctx, len);
}
