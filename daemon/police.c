/*
 * police: see police.h.
 *
 * DESIGN. The API is someone else's and changes without notice, so the
 * parser is strict about what a notice must have (an id, a datetime
 * that parses, a type, a location) and lenient about the rest: a bad
 * notice is skipped and counted rather than failing the whole answer,
 * and members never seen before are ignored. Only the top level not
 * being a JSON array (an error page, a truncated body) fails a parse.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "buf.h"
#include "period.h"
#include "police.h"
#include "xmalloc.h"

void
police_notice_clear(struct police_notice *p)
{
	free(p->datetime);
	free(p->name);
	free(p->summary);
	free(p->url);
	free(p->type);
	free(p->location);
	free(p->gps);
	memset(p, 0, sizeof(*p));
}

void
police_notices_free(struct police_notice *p, size_t n)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		police_notice_clear(&p[i]);
	free(p);
}

/* n digits at s into *v; returns the character after them, or NULL. */
static const char *
digits(const char *s, int min, int max, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < max && isdigit((unsigned char)s[i]); i++)
		*v = *v * 10 + (s[i] - '0');
	return i < min ? NULL : s + i;
}

int
police_datetime(const char *s, time_t *out)
{
	int y, mo, d, h, mi, sec = 0, oh = 0, om = 0, sign = 1;
	long days;

	if (s == NULL)
		return -1;
	while (*s == ' ')
		s++;
	if ((s = digits(s, 4, 4, &y)) == NULL || *s++ != '-' ||
	    (s = digits(s, 2, 2, &mo)) == NULL || *s++ != '-' ||
	    (s = digits(s, 2, 2, &d)) == NULL || (*s != ' ' && *s != 'T'))
		return -1;
	while (*s == ' ' || *s == 'T')
		s++;
	if ((s = digits(s, 1, 2, &h)) == NULL || *s++ != ':' ||
	    (s = digits(s, 2, 2, &mi)) == NULL)
		return -1;
	if (*s == ':' && (s = digits(s + 1, 2, 2, &sec)) == NULL)
		return -1;
	while (*s == ' ')
		s++;
	if (*s == 'Z')
		s++;
	else if (*s == '+' || *s == '-') {
		sign = *s++ == '-' ? -1 : 1;
		if ((s = digits(s, 2, 2, &oh)) == NULL)
			return -1;
		if (*s == ':')
			s++;
		if ((s = digits(s, 2, 2, &om)) == NULL)
			return -1;
	} else
		return -1;
	while (*s == ' ')
		s++;
	if (*s != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 60 || oh > 14 || om > 59)
		return -1;
	days = period_days_from_civil(y, mo, d);
	/* A 31 April reads back as 1 May: refuse it. */
	{
		struct civil c;

		period_civil_from_days(days, &c);
		if (c.year != y || c.month != mo || c.day != d)
			return -1;
	}
	*out = (time_t)days * 86400 + h * 3600 + mi * 60 + sec -
	    sign * (oh * 3600 + om * 60);
	return 0;
}

char *
police_site(const char *api_url)
{
	const char *p;
	size_t n;

	if (api_url == NULL || (p = strstr(api_url, "://")) == NULL)
		return NULL;
	p += 3;
	n = strcspn(p, "/?#");
	if (n == 0)
		return NULL;
	return xstrndup(api_url, (size_t)(p - api_url) + n);
}

static bool
url_chars_ok(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f || *s == '"' ||
		    *s == '<' || *s == '>' || *s == '\\' || *s == '\'')
			return false;
	return true;
}

char *
police_absolute_url(const char *site, const char *url)
{
	const char *colon;
	char *s;

	if (url == NULL || *url == '\0' || !url_chars_ok(url))
		return NULL;
	if (strncasecmp(url, "https://", 8) == 0 ||
	    strncasecmp(url, "http://", 7) == 0)
		return xstrdup(url);
	/* Another scheme (javascript:, data:) is no link of the police. */
	colon = strchr(url, ':');
	if (colon != NULL && colon < url + strcspn(url, "/?#"))
		return NULL;
	if (site == NULL)
		return NULL;
	if (url[0] == '/' && url[1] == '/') {
		colon = strchr(site, ':');
		xasprintf(&s, "%.*s:%s", (int)(colon - site), site, url);
	} else
		xasprintf(&s, "%s%s%s", site, url[0] == '/' ? "" : "/", url);
	return s;
}

size_t
police_locations(const char *value, char ***names)
{
	const char *p = value, *e;
	size_t n = 0, len;

	*names = NULL;
	if (value == NULL)
		return 0;
	for (;;) {
		p += strspn(p, " \t");
		len = strcspn(p, ",;");
		for (e = p + len; e > p && (e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		if (e > p) {
			*names = xreallocarray(*names, n + 1, sizeof(**names));
			(*names)[n++] = xstrndup(p, (size_t)(e - p));
		}
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	return n;
}

void
police_locations_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

bool
police_location_match(const char *location, char *const *names, size_t n)
{
	for (size_t i = 0; location != NULL && i < n; i++)
		if (strcasecmp(location, names[i]) == 0)
			return true;
	return false;
}

char *
police_request_url(const char *api_url, char *const *names, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf b = {NULL, 0, 0};
	const unsigned char *c;

	buf_puts(&b, api_url);
	if (n == 0)
		return buf_take(&b, NULL);
	buf_puts(&b, strchr(api_url, '?') != NULL ? "&" : "?");
	buf_puts(&b, "locationname=");
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			buf_puts(&b, ";"); /* the API's separator */
		for (c = (const unsigned char *)names[i]; *c != '\0'; c++) {
			if (isalnum(*c) || *c == '-' || *c == '.' ||
			    *c == '_' || *c == '~')
				buf_append(&b, c, 1);
			else
				buf_printf(
				    &b, "%%%c%c", hex[*c >> 4], hex[*c & 15]);
		}
	}
	return buf_take(&b, NULL);
}

/*
 * A string member no longer than max bytes, with no NUL inside and, for
 * one-line fields, no control character. NULL if it is not so.
 */
static const char *
member_text(json_t *o, const char *key, size_t max, bool one_line)
{
	json_t *v = json_object_get(o, key);
	const char *s;
	size_t len;

	if (!json_is_string(v))
		return NULL;
	s = json_string_value(v);
	len = json_string_length(v);
	if (len > max || strlen(s) != len)
		return NULL;
	for (size_t i = 0; one_line && i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return NULL;
	return s;
}

/* The id: a positive integer, or a string of digits. -1 if neither. */
static long long
member_id(json_t *o)
{
	json_t *v = json_object_get(o, "id");
	const char *s;
	char *end;
	long long id;

	if (json_is_integer(v))
		return json_integer_value(v) > 0 ? json_integer_value(v) : -1;
	if (!json_is_string(v))
		return -1;
	s = json_string_value(v);
	if (!isdigit((unsigned char)*s))
		return -1;
	id = strtoll(s, &end, 10);
	return *end == '\0' && id > 0 ? id : -1;
}

/* One element into *p; -1 (nothing allocated) if it is no notice. */
static int
parse_one(json_t *o, const char *site, struct police_notice *p)
{
	json_t *loc;
	const char *datetime, *type, *where, *name, *summary, *url;
	const char *gps = NULL;
	time_t at;
	long long id;

	memset(p, 0, sizeof(*p));
	if (!json_is_object(o) || (id = member_id(o)) == -1)
		return -1;
	datetime = member_text(o, "datetime", 64, true);
	if (datetime == NULL || police_datetime(datetime, &at) == -1)
		return -1;
	type = member_text(o, "type", POLICE_TYPE_MAX, true);
	loc = json_object_get(o, "location");
	where = member_text(loc, "name", POLICE_LOCATION_MAX, true);
	if (type == NULL || *type == '\0' || where == NULL || *where == '\0')
		return -1;
	/* Name and summary may be missing; not too long or broken. */
	name = member_text(o, "name", POLICE_NAME_MAX, false);
	summary = member_text(o, "summary", POLICE_SUMMARY_MAX, false);
	if ((name == NULL && json_object_get(o, "name") != NULL &&
		!json_is_null(json_object_get(o, "name"))) ||
	    (summary == NULL && json_object_get(o, "summary") != NULL &&
		!json_is_null(json_object_get(o, "summary"))))
		return -1;
	url = member_text(o, "url", POLICE_URL_MAX, true);
	if (json_is_object(loc))
		gps = member_text(loc, "gps", 64, true);

	p->id = id;
	p->at = at;
	p->datetime = xstrdup(datetime);
	p->name = xstrdup(name != NULL ? name : "");
	p->summary = xstrdup(summary != NULL ? summary : "");
	p->url = police_absolute_url(site, url);
	p->type = xstrdup(type);
	p->location = xstrdup(where);
	p->gps = gps != NULL && *gps != '\0' ? xstrdup(gps) : NULL;
	return 0;
}

int
police_parse(const char *body, size_t len, const char *site,
    struct police_notice **out, size_t *n, size_t *skipped, char **cause)
{
	json_t *doc, *o;
	json_error_t jerr;
	struct police_notice *list = NULL, one;
	size_t i, k, count = 0;

	*out = NULL;
	*n = 0;
	*skipped = 0;
	/* A NUL in one text should cost that notice, not the answer. */
	if ((doc = json_loadb(body, len, JSON_ALLOW_NUL, &jerr)) == NULL) {
		xasprintf(cause, "not JSON: %s (line %d, column %d)", jerr.text,
		    jerr.line, jerr.column);
		return -1;
	}
	if (!json_is_array(doc)) {
		xasprintf(cause, "expected a JSON array of notices, got %s",
		    json_is_object(doc) ? "an object" : "a single value");
		json_decref(doc);
		return -1;
	}
	list = xcalloc(json_array_size(doc) + 1, sizeof(*list));
	json_array_foreach(doc, i, o)
	{
		if (parse_one(o, site, &one) == -1) {
			(*skipped)++;
			continue;
		}
		for (k = 0; k < count && list[k].id != one.id; k++)
			;
		if (k == count)
			list[count++] = one;
		else if (one.at > list[k].at) {
			police_notice_clear(&list[k]);
			list[k] = one;
		} else
			police_notice_clear(&one);
	}
	json_decref(doc);
	*out = list;
	*n = count;
	return 0;
}

static int
count_cmp(const void *va, const void *vb)
{
	const struct police_count *a = va, *b = vb;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return strcmp(a->type, b->type);
}

long
police_count(const struct police_notice *notices, size_t n,
    char *const *locations, size_t n_locations, struct police_count **out,
    size_t *n_out)
{
	struct police_count *c = NULL;
	size_t nc = 0, k;
	long total = 0;

	for (size_t i = 0; i < n; i++) {
		if (!police_location_match(
			notices[i].location, locations, n_locations))
			continue;
		for (k = 0; k < nc && strcmp(c[k].type, notices[i].type) != 0;
		     k++)
			;
		if (k == nc) {
			c = xreallocarray(c, nc + 1, sizeof(*c));
			c[nc].type = xstrdup(notices[i].type);
			c[nc++].count = 0;
		}
		c[k].count++;
		total++;
	}
	if (nc > 0)
		qsort(c, nc, sizeof(*c), count_cmp);
	*out = c;
	*n_out = nc;
	return total;
}

void
police_counts_free(struct police_count *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(c[i].type);
	free(c);
}
