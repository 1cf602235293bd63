/*
 * webhook: what estd tells other systems, as the bodies POSTed to the
 * [webhook NAME] receivers, their signature, and the retry policy of
 * their queue (the webhook outbox). Pure: no I/O, no clock, no globals.
 *
 * An event is one JSON document, the same for every receiver:
 *
 *   {"id": "evt_<32 hex>", "type": "flag.opened",
 *    "created": "2026-11-23T08:00:30+01:00",
 *    "source": "https://est.example.se", "data": {...}}
 *
 * The id is derived from the source and what happened ("flag.opened:
 * centrum:skadegorelse:2026-W45"), so it is the same however often the
 * step that found it runs, and receivers can drop a repeat. `data` holds
 * areas, indicators, periods, levels and counts: never a name or an
 * address of a person. The reporters' notes and the key functions'
 * assessment comments (free text) are in the document as built, and
 * webhook_body removes them unless the receiver has include_notes.
 *
 * Formats: json (the document), slack ({"text": ...}, an incoming
 * webhook's message) and teams (a message with one Adaptive Card, as
 * Teams workflows take it). The words are Swedish.
 *
 * Delivery: 2xx is delivered. 400, 410, 413, 415 and 422 say the
 * receiver will never take this body: failed at once. Anything else (no
 * connection, a timeout, TLS, 3xx, 401, 403, 404, 429, 5xx) is tried
 * again after 30 s, doubling to at most an hour, with ±10 % jitter, and
 * never before a Retry-After; after WEBHOOK_GIVE_UP it is failed.
 *
 * Callers: jobs (building and queueing events), outbound (delivery),
 * estctl.
 */
#ifndef ESTD_WEBHOOK_H
#define ESTD_WEBHOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "conf.h"
#include "store.h"

#define WEBHOOK_ID_LEN 36 /* "evt_" and 32 hex digits */
#define WEBHOOK_SIG_LEN 71 /* "sha256=" and 64 hex digits */
#define WEBHOOK_FIRST_RETRY 30
#define WEBHOOK_MAX_RETRY 3600
#define WEBHOOK_GIVE_UP (5 * 24 * 3600)
#define WEBHOOK_LEASE 300 /* longer than any delivery timeout */

/* "flag.opened" and back; -1 if unknown. */
const char *webhook_event_name(enum hook_event);
int webhook_event_parse(const char *, enum hook_event *);

/* The stable id of what happened: "evt_" + hex(SHA-256)[0..32). */
void webhook_event_id(
    const char *source, const char *key, char out[WEBHOOK_ID_LEN + 1]);

/*
 * The event document (new reference). `data` is stolen; `created` is
 * ISO 8601 with offset; the strings are copied.
 */
json_t *webhook_event(enum hook_event, const char *id, const char *created,
    const char *source, json_t *data);

/*
 * picture.compiled: from the picture JSON of contract §6 (borrowed):
 * {period, start, end, url, counts {red, yellow, green, grey},
 * flags_open, areas [{area, name, status, elevated [{indicator, name,
 * score, level, trend, flagged}], notes [{place, text}], assessment}],
 * police_events (when the picture has them)}. New reference.
 */
json_t *webhook_picture_data(
    json_t *picture, const struct checklist *, const char *url);

/* flag.opened and flag.closed. Strings borrowed; closed may be NULL. */
struct webhook_flag {
	const char *area;
	const char *area_name;
	const char *indicator;
	const char *indicator_name;
	const char *opened; /* "2026-W45" */
	const char *closed; /* NULL while open */
	const char *reason; /* "3 perioder i rad" */
	const char *reason_en;
	const char *url; /* the picture on the web, or NULL */
};
json_t *webhook_flag_data(const struct webhook_flag *);
/* digest.sent: {period, mails, url}; analysis.ready: {period, url}. */
json_t *webhook_digest_data(const char *period, int mails, const char *url);
json_t *webhook_analysis_data(const char *period, const char *url);

/*
 * The body for one receiver, in its format and without free text unless
 * it has include_notes. `event` is borrowed. A new string (free(3)),
 * *len its length.
 */
char *webhook_body(const struct conf_webhook *, json_t *event, size_t *len);

/* "sha256=" + hex HMAC-SHA256(secret, body), into out. */
void webhook_signature(const char *secret, const void *body, size_t len,
    char out[WEBHOOK_SIG_LEN + 1]);

/* When to try again after `attempts` attempts (1: the first failed). */
time_t webhook_retry_at(int attempts, time_t now, uint32_t jitter);
/*
 * The state after an attempt: `status` is the HTTP status, 0 when no
 * answer came. `retry_after` (0: none) is the earliest next attempt the
 * receiver asked for. OUTBOX_SENT, OUTBOX_QUEUED (with *next_at) or
 * OUTBOX_FAILED.
 */
enum outbox_state webhook_after(long status, int attempts, time_t created,
    time_t now, time_t retry_after, uint32_t jitter, time_t *next_at);

#endif
