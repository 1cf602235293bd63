/*
 * webhook: see webhook.h.
 *
 * DESIGN. The event document is built once from what the step knows,
 * whitelisting members from the picture rather than copying it, so a
 * member added to the picture later (a name, say) never leaks into a
 * body by accident. Free text is in the document and stripped per
 * receiver by webhook_body, the one place that decides what leaves
 * estd. Slack and Teams get the same few Swedish lines, made from the
 * document alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "conf.h"
#include "token.h"
#include "webhook.h"
#include "xmalloc.h"

/* Areas listed by name in a Slack or Teams message, at most. */
#define TEXT_AREAS 10

static const char *const level_sv[] = {
    "red",
    "rött",
    "yellow",
    "gult",
    "green",
    "grönt",
    "grey",
    "ej bedömt",
};

const char *
webhook_event_name(enum hook_event e)
{
	return conf_hook_event_name(e);
}

int
webhook_event_parse(const char *s, enum hook_event *out)
{
	const char *name;

	for (int i = 0; (name = conf_hook_event_name(i)) != NULL; i++) {
		if (s != NULL && strcmp(s, name) == 0) {
			*out = (enum hook_event)i;
			return 0;
		}
	}
	return -1;
}

static void
hex(const unsigned char *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

void
webhook_event_id(
    const char *source, const char *key, char out[WEBHOOK_ID_LEN + 1])
{
	unsigned char h[TOKEN_HASH_LEN];
	char *s;

	/* The source keeps two installations' ids apart. */
	xasprintf(&s, "%s\n%s", source != NULL ? source : "", key);
	token_sha256(s, strlen(s), h);
	free(s);
	memcpy(out, "evt_", 4);
	hex(h, 16, out + 4);
}

/* A new JSON string, or null for NULL or text that is not UTF-8. */
static json_t *
jstr(const char *s)
{
	json_t *v;

	if (s == NULL || (v = json_string(s)) == NULL)
		return json_null();
	return v;
}

json_t *
webhook_event(enum hook_event e, const char *id, const char *created,
    const char *source, json_t *data)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", jstr(id));
	json_object_set_new(o, "type", jstr(conf_hook_event_name(e)));
	json_object_set_new(o, "created", jstr(created));
	json_object_set_new(o, "source", jstr(source));
	json_object_set_new(o, "data", data != NULL ? data : json_object());
	return o;
}

/* The checklist's Swedish name of an indicator key, or the key. */
static const char *
indicator_sv(const struct checklist *cl, const char *key)
{
	int i;

	if (cl == NULL || key == NULL ||
	    (i = conf_indicator_index(cl, key)) == -1)
		return key;
	return cl->items[i].sv;
}

/* A member copied when it is there (borrowed o, new copy into to). */
static void
copy_member(json_t *to, json_t *from, const char *key)
{
	json_t *v = json_object_get(from, key);

	json_object_set_new(
	    to, key, v != NULL ? json_deep_copy(v) : json_null());
}

static bool
is_level(json_t *o, const char *key, const char *level)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL && strcmp(s, level) == 0;
}

json_t *
webhook_picture_data(json_t *pic, const struct checklist *cl, const char *url)
{
	json_t *d = json_object(), *areas = json_array(), *counts;
	json_t *a, *ind, *o, *elevated, *notes, *n, *police, *p;
	size_t i, j;
	long c[4] = {0, 0, 0, 0};
	long flags_open = 0;
	static const char *const levels[] = {"red", "yellow", "green", "grey"};

	copy_member(d, pic, "period");
	copy_member(d, pic, "start");
	copy_member(d, pic, "end");
	json_object_set_new(d, "url", jstr(url));
	json_array_foreach(json_object_get(pic, "areas"), i, a)
	{
		o = json_object();
		copy_member(o, a, "area");
		copy_member(o, a, "name");
		copy_member(o, a, "status");
		for (j = 0; j < 4; j++)
			if (is_level(a, "status", levels[j]))
				c[j]++;
		elevated = json_array();
		json_array_foreach(json_object_get(a, "indicators"), j, ind)
		{
			const char *key =
			    json_string_value(json_object_get(ind, "key"));

			if (!is_level(ind, "level", "red") &&
			    !is_level(ind, "level", "yellow") &&
			    !json_is_true(json_object_get(ind, "flagged")))
				continue;
			n = json_object();
			json_object_set_new(n, "indicator", jstr(key));
			json_object_set_new(
			    n, "name", jstr(indicator_sv(cl, key)));
			copy_member(n, ind, "score");
			copy_member(n, ind, "level");
			copy_member(n, ind, "trend");
			copy_member(n, ind, "flagged");
			json_array_append_new(elevated, n);
		}
		json_object_set_new(o, "elevated", elevated);
		notes = json_array();
		json_array_foreach(json_object_get(a, "notes"), j, n)
		{
			json_t *note = json_object();

			copy_member(note, n, "place");
			copy_member(note, n, "text");
			json_array_append_new(notes, note);
		}
		json_object_set_new(o, "notes", notes);
		copy_member(o, a, "assessment");
		json_array_append_new(areas, o);
	}
	counts = json_object();
	for (j = 0; j < 4; j++)
		json_object_set_new(counts, levels[j], json_integer(c[j]));
	json_object_set_new(d, "counts", counts);
	json_array_foreach(json_object_get(pic, "flags"), i,
	    o) if (is_level(o, "status", "open")) flags_open++;
	json_object_set_new(d, "flags_open", json_integer(flags_open));
	json_object_set_new(d, "areas", areas);
	if ((police = json_object_get(pic, "police_events")) != NULL) {
		p = json_object();
		copy_member(p, police, "locations");
		copy_member(p, police, "total");
		copy_member(p, police, "types");
		json_object_set_new(d, "police_events", p);
	}
	return d;
}

json_t *
webhook_flag_data(const struct webhook_flag *f)
{
	json_t *d = json_object();

	json_object_set_new(d, "area", jstr(f->area));
	json_object_set_new(d, "area_name", jstr(f->area_name));
	json_object_set_new(d, "indicator", jstr(f->indicator));
	json_object_set_new(d, "indicator_name", jstr(f->indicator_name));
	json_object_set_new(d, "opened", jstr(f->opened));
	json_object_set_new(d, "closed", jstr(f->closed));
	json_object_set_new(d, "reason", jstr(f->reason));
	json_object_set_new(d, "reason_en", jstr(f->reason_en));
	json_object_set_new(d, "url", jstr(f->url));
	return d;
}

json_t *
webhook_digest_data(const char *period, int mails, const char *url)
{
	json_t *d = json_object();

	json_object_set_new(d, "period", jstr(period));
	json_object_set_new(d, "mails", json_integer(mails));
	json_object_set_new(d, "url", jstr(url));
	return d;
}

json_t *
webhook_analysis_data(const char *period, const char *url)
{
	json_t *d = json_object();

	json_object_set_new(d, "period", jstr(period));
	json_object_set_new(d, "url", jstr(url));
	return d;
}

/* Remove the free text of every area (in place). */
static void
strip_notes(json_t *event)
{
	json_t *a;
	size_t i;

	json_array_foreach(
	    json_object_get(json_object_get(event, "data"), "areas"), i, a)
	{
		json_object_del(a, "notes");
		json_object_del(a, "assessment");
	}
}

static const char *
get_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

static const char *
level_word(const char *level)
{
	for (size_t i = 0; i + 1 < sizeof(level_sv) / sizeof(level_sv[0]);
	     i += 2)
		if (strcmp(level, level_sv[i]) == 0)
			return level_sv[i + 1];
	return level;
}

/*
 * The message of an event for people: a title and lines of text
 * (Swedish, plain). Both are new strings.
 */
static void
event_text(json_t *ev, char **title, char **text)
{
	json_t *d = json_object_get(ev, "data"), *a, *x, *c;
	const char *type = get_str(ev, "type");
	struct buf b = {NULL, 0, 0};
	size_t i, j, shown = 0;

	if (strcmp(type, "picture.compiled") == 0) {
		xasprintf(title, "Lägesbild %s", get_str(d, "period"));
		c = json_object_get(d, "counts");
		buf_printf(&b,
		    "%lld i rött läge, %lld i gult, %lld i grönt, "
		    "%lld ej bedömda; %lld kvarstående problem.",
		    json_integer_value(json_object_get(c, "red")),
		    json_integer_value(json_object_get(c, "yellow")),
		    json_integer_value(json_object_get(c, "green")),
		    json_integer_value(json_object_get(c, "grey")),
		    json_integer_value(json_object_get(d, "flags_open")));
		json_array_foreach(json_object_get(d, "areas"), i, a)
		{
			if (json_array_size(json_object_get(a, "elevated")) ==
				0 &&
			    json_array_size(json_object_get(a, "notes")) == 0)
				continue;
			if (shown++ == TEXT_AREAS) {
				buf_puts(&b, "\n…");
				break;
			}
			buf_printf(&b, "\n%s (%s):", get_str(a, "name"),
			    level_word(get_str(a, "status")));
			json_array_foreach(json_object_get(a, "elevated"), j, x)
			    buf_printf(&b, "%s %s %lld%s", j > 0 ? "," : "",
				get_str(x, "name"),
				json_integer_value(json_object_get(x, "score")),
				json_is_true(json_object_get(x, "flagged"))
				    ? " (kvarstående)"
				    : "");
			json_array_foreach(json_object_get(a, "notes"), j, x)
			{
				buf_puts(&b, "\n  ");
				if (*get_str(x, "place") != '\0')
					buf_printf(
					    &b, "%s: ", get_str(x, "place"));
				buf_puts(&b, get_str(x, "text"));
			}
		}
		if ((x = json_object_get(d, "police_events")) != NULL)
			buf_printf(&b, "\nPolisens händelsenotiser: %lld.",
			    json_integer_value(json_object_get(x, "total")));
	} else if (strcmp(type, "flag.opened") == 0 ||
	    strcmp(type, "flag.closed") == 0) {
		bool closed = strcmp(type, "flag.closed") == 0;

		xasprintf(title, "%s: %s, %s",
		    closed ? "Avslutat problem" : "Kvarstående problem",
		    get_str(d, "area_name"), get_str(d, "indicator_name"));
		buf_printf(&b, "Kvarstående sedan %s (%s)",
		    get_str(d, "opened"), get_str(d, "reason"));
		if (closed)
			buf_printf(&b, ", avslutat %s", get_str(d, "closed"));
		buf_puts(&b, ".");
	} else if (strcmp(type, "digest.sent") == 0) {
		xasprintf(
		    title, "Lägesbild %s utskickad", get_str(d, "period"));
		buf_printf(&b, "%lld mejl till nyckelpersoner.",
		    json_integer_value(json_object_get(d, "mails")));
	} else {
		xasprintf(title, "Analys %s klar", get_str(d, "period"));
		buf_puts(&b, "Analysen finns på webben.");
	}
	*text = buf_take(&b, NULL);
}

/* Slack's mrkdwn wants &, < and > escaped, and nothing else. */
static void
slack_escape(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '&')
			buf_puts(b, "&amp;");
		else if (*s == '<')
			buf_puts(b, "&lt;");
		else if (*s == '>')
			buf_puts(b, "&gt;");
		else
			buf_append(b, s, 1);
	}
}

static json_t *
slack_message(json_t *ev)
{
	struct buf b = {NULL, 0, 0};
	const char *url = json_string_value(
	    json_object_get(json_object_get(ev, "data"), "url"));
	char *title, *text, *s;
	json_t *o;

	event_text(ev, &title, &text);
	buf_puts(&b, "*");
	slack_escape(&b, title);
	buf_puts(&b, "*\n");
	slack_escape(&b, text);
	if (url != NULL) {
		buf_puts(&b, "\n<");
		slack_escape(&b, url);
		buf_puts(&b, "|Öppna i EST lägesbild>");
	}
	s = buf_take(&b, NULL);
	o = json_pack("{s:o}", "text", jstr(s));
	free(s);
	free(title);
	free(text);
	return o;
}

static json_t *
teams_message(json_t *ev)
{
	const char *url = json_string_value(
	    json_object_get(json_object_get(ev, "data"), "url"));
	char *title, *text;
	json_t *card, *body, *actions;

	event_text(ev, &title, &text);
	body = json_array();
	json_array_append_new(body,
	    json_pack("{s:s,s:o,s:s,s:s,s:b}", "type", "TextBlock", "text",
		jstr(title), "weight", "Bolder", "size", "Medium", "wrap", 1));
	json_array_append_new(body,
	    json_pack("{s:s,s:o,s:b}", "type", "TextBlock", "text", jstr(text),
		"wrap", 1));
	card = json_pack("{s:s,s:s,s:s,s:o}", "$schema",
	    "http://adaptivecards.io/schemas/adaptive-card.json", "type",
	    "AdaptiveCard", "version", "1.4", "body", body);
	if (url != NULL) {
		actions = json_array();
		json_array_append_new(actions,
		    json_pack("{s:s,s:s,s:s}", "type", "Action.OpenUrl",
			"title", "Öppna i EST lägesbild", "url", url));
		json_object_set_new(card, "actions", actions);
	}
	free(title);
	free(text);
	return json_pack("{s:s,s:[{s:s,s:n,s:o}]}", "type", "message",
	    "attachments", "contentType",
	    "application/vnd.microsoft.card.adaptive", "contentUrl", "content",
	    card);
}

char *
webhook_body(const struct conf_webhook *w, json_t *event, size_t *len)
{
	json_t *ev = json_deep_copy(event), *out;
	char *s;

	if (!w->include_notes)
		strip_notes(ev);
	switch (w->format) {
	case HOOK_SLACK: out = slack_message(ev); break;
	case HOOK_TEAMS: out = teams_message(ev); break;
	default: out = json_incref(ev); break;
	}
	s = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (s == NULL)
		s = xstrdup("{}");
	json_decref(out);
	json_decref(ev);
	*len = strlen(s);
	return s;
}

void
webhook_signature(const char *secret, const void *body, size_t len,
    char out[WEBHOOK_SIG_LEN + 1])
{
	unsigned char mac[TOKEN_HASH_LEN];

	token_hmac_sha256(secret, strlen(secret), body, len, mac);
	memcpy(out, "sha256=", 7);
	hex(mac, sizeof(mac), out + 7);
	explicit_bzero(mac, sizeof(mac));
}

time_t
webhook_retry_at(int attempts, time_t now, uint32_t jitter)
{
	long delay = WEBHOOK_FIRST_RETRY, spread;

	for (int i = 1; i < attempts && delay < WEBHOOK_MAX_RETRY; i++)
		delay *= 2;
	if (delay > WEBHOOK_MAX_RETRY)
		delay = WEBHOOK_MAX_RETRY;
	spread = delay / 10;
	delay += (long)(jitter % (uint32_t)(2 * spread + 1)) - spread;
	return now + delay;
}

enum outbox_state
webhook_after(long status, int attempts, time_t created, time_t now,
    time_t retry_after, uint32_t jitter, time_t *next_at)
{
	*next_at = 0;
	if (status >= 200 && status < 300)
		return OUTBOX_SENT;
	if (status == 400 || status == 410 || status == 413 || status == 415 ||
	    status == 422)
		return OUTBOX_FAILED;
	if (now - created >= WEBHOOK_GIVE_UP)
		return OUTBOX_FAILED;
	*next_at = webhook_retry_at(attempts, now, jitter);
	/* A receiver's own wish, but not beyond a day. */
	if (retry_after > *next_at)
		*next_at =
		    retry_after < now + 86400 ? retry_after : now + 86400;
	return OUTBOX_QUEUED;
}
