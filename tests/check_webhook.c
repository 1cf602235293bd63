/*
 * Tests of webhook events, bodies, signatures and retry policy, and of
 * the [webhook NAME] sections of estd.conf. Hashes and MACs were worked
 * out with Python's hashlib and hmac; the HMAC vectors are RFC 4231's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "conf.h"
#include "token.h"
#include "webhook.h"
#include "testutil.h"

/* A picture as contract §6 gives it, with what must never leave. */
static const char picture[] =
    "{\"period\": \"2026-W47\", \"start\": \"2026-11-16\","
    " \"end\": \"2026-11-22\","
    " \"areas\": ["
    "  {\"area\": \"centrum\", \"name\": \"Centrum\", \"status\": \"red\","
    "   \"status_set_by\": \"Lena Nyckel\", \"assessment\": \"Oroligt\","
    "   \"reporters_expected\": 2, \"reporters_reported\": 1,"
    "   \"missing\": [{\"name\": \"Anna Rapp\", \"email\": \"anna@x.se\"}],"
    "   \"indicators\": ["
    "    {\"key\": \"skadegorelse\", \"score\": 3, \"mean\": 2.5,"
    "     \"reports\": 2, \"events\": 4, \"level\": \"red\","
    "     \"trend\": \"up\", \"flagged\": true},"
    "    {\"key\": \"klotter\", \"score\": 1, \"mean\": 1, \"reports\": 2,"
    "     \"events\": null, \"level\": \"green\", \"trend\": \"same\","
    "     \"flagged\": false}],"
    "   \"notes\": [{\"place\": \"Torget\", \"text\": \"Krossad busskur\"}]},"
    "  {\"area\": \"aby\", \"name\": \"\\u00c5by\", \"status\": \"green\","
    "   \"indicators\": [], \"notes\": []}],"
    " \"flags\": [{\"area\": \"centrum\", \"indicator\": \"skadegorelse\","
    "   \"opened\": \"2026-W45\", \"reason\": \"3 perioder i rad\","
    "   \"status\": \"open\"}],"
    " \"police_events\": {\"locations\": [\"\\u00d6rebro\"], \"total\": 2,"
    "   \"types\": [{\"type\": \"St\\u00f6ld\", \"count\": 2}]}}";

static json_t *
load(const char *s)
{
	json_error_t e;
	json_t *j = json_loads(s, 0, &e);

	ck_assert_msg(j != NULL, "%s", e.text);
	return j;
}

START_TEST(test_hmac_vectors)
{
	unsigned char mac[TOKEN_HASH_LEN], key[131];
	char sig[WEBHOOK_SIG_LEN + 1];
	static const char data[] = "Test Using Larger Than Block-Size Key - "
				   "Hash Key First";
	static const unsigned char want6[] = {
	    0x60,
	    0xe4,
	    0x31,
	    0x59,
	    0x1e,
	    0xe0,
	    0xb6,
	    0x7f,
	    0x0d,
	    0x8a,
	    0x26,
	    0xaa,
	    0xcb,
	    0xf5,
	    0xb7,
	    0x7f,
	    0x8e,
	    0x0b,
	    0xc6,
	    0x21,
	    0x37,
	    0x28,
	    0xc5,
	    0x14,
	    0x05,
	    0x46,
	    0x04,
	    0x0f,
	    0x0e,
	    0xe3,
	    0x7f,
	    0x54,
	};

	ck_assert_int_eq(token_init(), 0);
	/* RFC 4231 test case 2. */
	webhook_signature("Jefe", "what do ya want for nothing?", 28, sig);
	ck_assert_str_eq(sig,
	    "sha256=5bdcc146bf60754e6a042426089575c75a003f08"
	    "9d2739839dec58b964ec3843");
	/* Test case 6: a key longer than a block is hashed first. */
	memset(key, 0xaa, sizeof(key));
	token_hmac_sha256(key, sizeof(key), data, strlen(data), mac);
	ck_assert_mem_eq(mac, want6, sizeof(want6));
}
END_TEST

START_TEST(test_event_id)
{
	char a[WEBHOOK_ID_LEN + 1], b[WEBHOOK_ID_LEN + 1];

	webhook_event_id("https://est.example.se",
	    "flag.opened:centrum:skadegorelse:2026-W45", a);
	ck_assert_str_eq(a, "evt_e70aa7d73aa77a1490e50dc5552ae328");
	ck_assert_uint_eq(strlen(a), WEBHOOK_ID_LEN);
	/* Another installation, another id. */
	webhook_event_id("https://est.other.se",
	    "flag.opened:centrum:skadegorelse:2026-W45", b);
	ck_assert_str_ne(a, b);
}
END_TEST

START_TEST(test_event_names)
{
	enum hook_event e;

	ck_assert_str_eq(
	    webhook_event_name(HOOK_PICTURE_COMPILED), "picture.compiled");
	ck_assert_str_eq(
	    webhook_event_name(HOOK_ANALYSIS_READY), "analysis.ready");
	ck_assert_ptr_null(webhook_event_name(HOOK_EVENT_N));
	ck_assert_int_eq(webhook_event_parse("flag.closed", &e), 0);
	ck_assert_int_eq(e, HOOK_FLAG_CLOSED);
	ck_assert_int_eq(webhook_event_parse("flag.deleted", &e), -1);
	ck_assert_int_eq(webhook_event_parse(NULL, &e), -1);
}
END_TEST

/* The picture.compiled event built from the fixture, a new reference. */
static json_t *
picture_event(void)
{
	json_t *pic = load(picture), *ev;
	struct checklist cl;
	struct indicator items[2];

	memset(items, 0, sizeof(items));
	snprintf(items[0].key, sizeof(items[0].key), "skadegorelse");
	items[0].sv = (char *)(uintptr_t) "Skadeg\xc3\xb6relse";
	snprintf(items[1].key, sizeof(items[1].key), "klotter");
	items[1].sv = (char *)(uintptr_t) "Klotter";
	cl.n = 2;
	cl.items = items;
	ev = webhook_event(HOOK_PICTURE_COMPILED, "evt_1",
	    "2026-11-23T08:00:30+01:00", "https://est.example.se",
	    webhook_picture_data(
		pic, &cl, "https://est.example.se/k/picture/2026-W47"));
	json_decref(pic);
	return ev;
}

START_TEST(test_picture_json)
{
	struct conf_webhook w = {.format = HOOK_JSON};
	json_t *ev = picture_event(), *got, *d, *a, *x;
	char *body;
	size_t len;

	body = webhook_body(&w, ev, &len);
	ck_assert_uint_eq(len, strlen(body));
	/* No person and no free text without include_notes. */
	ck_assert_ptr_null(strstr(body, "@"));
	ck_assert_ptr_null(strstr(body, "Anna"));
	ck_assert_ptr_null(strstr(body, "Lena"));
	ck_assert_ptr_null(strstr(body, "Krossad"));
	ck_assert_ptr_null(strstr(body, "Torget"));
	ck_assert_ptr_null(strstr(body, "Oroligt"));
	got = load(body);
	free(body);
	ck_assert_str_eq(
	    json_string_value(json_object_get(got, "id")), "evt_1");
	ck_assert_str_eq(json_string_value(json_object_get(got, "type")),
	    "picture.compiled");
	d = json_object_get(got, "data");
	ck_assert_str_eq(
	    json_string_value(json_object_get(d, "period")), "2026-W47");
	ck_assert_int_eq(json_integer_value(json_object_get(
			     json_object_get(d, "counts"), "red")),
	    1);
	ck_assert_int_eq(json_integer_value(json_object_get(
			     json_object_get(d, "counts"), "green")),
	    1);
	ck_assert_int_eq(json_integer_value(json_object_get(
			     json_object_get(d, "counts"), "yellow")),
	    0);
	ck_assert_int_eq(
	    json_integer_value(json_object_get(d, "flags_open")), 1);
	a = json_array_get(json_object_get(d, "areas"), 0);
	ck_assert_str_eq(
	    json_string_value(json_object_get(a, "name")), "Centrum");
	ck_assert_ptr_null(json_object_get(a, "notes"));
	ck_assert_ptr_null(json_object_get(a, "assessment"));
	ck_assert_ptr_null(json_object_get(a, "missing"));
	ck_assert_ptr_null(json_object_get(a, "status_set_by"));
	/* Only the elevated or flagged indicator. */
	ck_assert_uint_eq(json_array_size(json_object_get(a, "elevated")), 1);
	x = json_array_get(json_object_get(a, "elevated"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(x, "name")),
	    "Skadeg\xc3\xb6relse");
	ck_assert_int_eq(json_integer_value(json_object_get(x, "score")), 3);
	ck_assert(json_is_true(json_object_get(x, "flagged")));
	ck_assert_int_eq(json_integer_value(json_object_get(
			     json_object_get(d, "police_events"), "total")),
	    2);
	json_decref(got);

	/* With include_notes the free text goes too, no people still. */
	w.include_notes = true;
	body = webhook_body(&w, ev, &len);
	ck_assert_ptr_nonnull(strstr(body, "\"text\":\"Krossad busskur\""));
	ck_assert_ptr_nonnull(strstr(body, "\"assessment\":\"Oroligt\""));
	ck_assert_ptr_null(strstr(body, "Anna"));
	ck_assert_ptr_null(strstr(body, "@"));
	free(body);
	/* The event itself is not changed by a body. */
	ck_assert_ptr_nonnull(json_object_get(
	    json_array_get(
		json_object_get(json_object_get(ev, "data"), "areas"), 0),
	    "notes"));
	json_decref(ev);
}
END_TEST

START_TEST(test_flag_slack)
{
	struct conf_webhook w = {.format = HOOK_SLACK};
	struct webhook_flag f = {"centrum", "Centrum & <Torg>", "skadegorelse",
	    "Skadeg\xc3\xb6relse", "2026-W45", NULL, "3 perioder i rad",
	    "3 periods in a row",
	    "https://est.example."
	    "se/k/picture/2026-W47"};
	json_t *ev;
	char *body;
	size_t len;

	ev = webhook_event(HOOK_FLAG_OPENED, "evt_2",
	    "2026-11-23T08:00:30+01:00", "https://est.example.se",
	    webhook_flag_data(&f));
	body = webhook_body(&w, ev, &len);
	ck_assert_str_eq(body,
	    "{\"text\":\"*Kvarst\xc3\xa5"
	    "ende problem: "
	    "Centrum &amp; &lt;Torg&gt;, Skadeg\xc3\xb6relse*\\nKvarst\xc3\xa5"
	    "ende sedan 2026-W45 (3 perioder i rad).\\n"
	    "<https://est.example.se/k/picture/2026-W47|\xc3\x96ppna i EST "
	    "l\xc3\xa4gesbild>\"}");
	free(body);
	json_decref(ev);

	f.closed = "2026-W48";
	w.format = HOOK_JSON;
	ev = webhook_event(HOOK_FLAG_CLOSED, "evt_3",
	    "2026-11-23T08:00:30+01:00", "https://est.example.se",
	    webhook_flag_data(&f));
	body = webhook_body(&w, ev, &len);
	ck_assert_str_eq(body,
	    "{\"id\":\"evt_3\",\"type\":\"flag.closed\","
	    "\"created\":\"2026-11-23T08:00:30+01:00\","
	    "\"source\":\"https://est.example.se\",\"data\":{"
	    "\"area\":\"centrum\",\"area_name\":\"Centrum & <Torg>\","
	    "\"indicator\":\"skadegorelse\",\"indicator_name\":"
	    "\"Skadeg\xc3\xb6relse\",\"opened\":\"2026-W45\","
	    "\"closed\":\"2026-W48\",\"reason\":\"3 perioder i rad\","
	    "\"reason_en\":\"3 periods in a row\","
	    "\"url\":\"https://est.example.se/k/picture/2026-W47\"}}");
	free(body);
	json_decref(ev);
}
END_TEST

START_TEST(test_teams)
{
	struct conf_webhook w = {.format = HOOK_TEAMS};
	json_t *ev = picture_event(), *got, *card, *blocks;
	char *body;
	const char *text;
	size_t len;

	body = webhook_body(&w, ev, &len);
	got = load(body);
	free(body);
	ck_assert_str_eq(
	    json_string_value(json_object_get(got, "type")), "message");
	card = json_object_get(
	    json_array_get(json_object_get(got, "attachments"), 0), "content");
	ck_assert_str_eq(
	    json_string_value(json_object_get(
		json_array_get(json_object_get(got, "attachments"), 0),
		"contentType")),
	    "application/vnd.microsoft.card.adaptive");
	ck_assert_str_eq(
	    json_string_value(json_object_get(card, "type")), "AdaptiveCard");
	blocks = json_object_get(card, "body");
	ck_assert_str_eq(json_string_value(json_object_get(
			     json_array_get(blocks, 0), "text")),
	    "L\xc3\xa4gesbild 2026-W47");
	text = json_string_value(
	    json_object_get(json_array_get(blocks, 1), "text"));
	ck_assert_str_eq(text,
	    "1 i r\xc3\xb6tt l\xc3\xa4ge, 0 i gult, 1 i "
	    "gr\xc3\xb6nt, 0 ej bed\xc3\xb6mda; 1 kvarst\xc3\xa5"
	    "ende "
	    "problem.\nCentrum (r\xc3\xb6tt): Skadeg\xc3\xb6relse 3 "
	    "(kvarst\xc3\xa5"
	    "ende)\nPolisens h\xc3\xa4ndelsenotiser: 2.");
	ck_assert_str_eq(
	    json_string_value(json_object_get(
		json_array_get(json_object_get(card, "actions"), 0), "url")),
	    "https://est.example.se/k/picture/2026-W47");
	json_decref(got);
	json_decref(ev);
}
END_TEST

START_TEST(test_digest_event)
{
	struct conf_webhook w = {.format = HOOK_SLACK};
	json_t *ev;
	char *body;
	size_t len;

	ev = webhook_event(HOOK_DIGEST_SENT, "evt_4",
	    "2026-11-23T08:00:30+01:00", "https://est.example.se",
	    webhook_digest_data("2026-W47", 3, NULL));
	body = webhook_body(&w, ev, &len);
	ck_assert_str_eq(body,
	    "{\"text\":\"*L\xc3\xa4gesbild 2026-W47 "
	    "utskickad*\\n3 mejl till nyckelpersoner.\"}");
	free(body);
	json_decref(ev);
}
END_TEST

START_TEST(test_retry_policy)
{
	const time_t now = 1000000, created = 990000;
	time_t next;

	/* jitter = spread gives +0: 30, 60, 120, ... to 3600. */
	ck_assert_int_eq(webhook_retry_at(1, now, 3) - now, 30);
	ck_assert_int_eq(webhook_retry_at(2, now, 6) - now, 60);
	ck_assert_int_eq(webhook_retry_at(3, now, 12) - now, 120);
	ck_assert_int_eq(webhook_retry_at(8, now, 360) - now, 3600);
	ck_assert_int_eq(webhook_retry_at(40, now, 360) - now, 3600);
	for (uint32_t j = 0; j < 500; j++) {
		time_t d = webhook_retry_at(1, now, j * 7919u) - now;

		ck_assert(d >= 27 && d <= 33);
	}

	ck_assert_int_eq(
	    webhook_after(200, 1, created, now, 0, 3, &next), OUTBOX_SENT);
	ck_assert_int_eq(next, 0);
	ck_assert_int_eq(
	    webhook_after(204, 1, created, now, 0, 3, &next), OUTBOX_SENT);
	/* The body is refused for good. */
	ck_assert_int_eq(
	    webhook_after(400, 1, created, now, 0, 3, &next), OUTBOX_FAILED);
	ck_assert_int_eq(
	    webhook_after(410, 1, created, now, 0, 3, &next), OUTBOX_FAILED);
	ck_assert_int_eq(
	    webhook_after(422, 1, created, now, 0, 3, &next), OUTBOX_FAILED);
	/* Down, overloaded, misconfigured, redirected: again later. */
	ck_assert_int_eq(
	    webhook_after(0, 1, created, now, 0, 3, &next), OUTBOX_QUEUED);
	ck_assert_int_eq(next, now + 30);
	ck_assert_int_eq(
	    webhook_after(500, 2, created, now, 0, 6, &next), OUTBOX_QUEUED);
	ck_assert_int_eq(next, now + 60);
	ck_assert_int_eq(
	    webhook_after(404, 1, created, now, 0, 3, &next), OUTBOX_QUEUED);
	ck_assert_int_eq(
	    webhook_after(301, 1, created, now, 0, 3, &next), OUTBOX_QUEUED);
	/* Retry-After wins when later, up to a day. */
	ck_assert_int_eq(
	    webhook_after(429, 1, created, now, now + 600, 3, &next),
	    OUTBOX_QUEUED);
	ck_assert_int_eq(next, now + 600);
	ck_assert_int_eq(
	    webhook_after(503, 1, created, now, now + 10, 3, &next),
	    OUTBOX_QUEUED);
	ck_assert_int_eq(next, now + 30);
	ck_assert_int_eq(
	    webhook_after(503, 1, created, now, now + 9999999, 3, &next),
	    OUTBOX_QUEUED);
	ck_assert_int_eq(next, now + 86400);
	/* Given up after five days. */
	ck_assert_int_eq(webhook_after(0, 99, created,
			     created + WEBHOOK_GIVE_UP, 0, 3, &next),
	    OUTBOX_FAILED);
}
END_TEST

/* Write `text` to dir/name. */
static void
write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

START_TEST(test_conf_sections)
{
	char dir[] = "/tmp/check_webhook.XXXXXX", path[512];
	char *cause = NULL;
	struct conf *cf;
	const struct conf_webhook *w;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	write_file(dir, "checklist.ini",
	    "[klotter]\nsv = Klotter\n"
	    "en = Graffiti\n");
	write_file(dir, "estd.conf",
	    "[checklist]\nfile = checklist.ini\n"
	    "[webhook teams]\nurl = https://example.org/teams\n"
	    "events = flag.opened, flag.closed\nformat = teams\n"
	    "[police]\nenabled = true\nlocations = \xc3\x96rebro, Kumla\n"
	    "interval = 120\n"
	    "[webhook siem]\nurl = http://127.0.0.1:9000/in\n"
	    "secret = \"s3cret\"\ninclude_notes = yes\ntimeout = 5\n");
	snprintf(path, sizeof(path), "%s/estd.conf", dir);
	cf = conf_load(path, &cause);
	ck_assert_msg(cf != NULL, "%s", cause);
	ck_assert_uint_eq(cf->n_webhooks, 2);
	w = conf_webhook_find(cf, "teams");
	ck_assert_ptr_eq(w, &cf->webhooks[0]);
	ck_assert_str_eq(w->url, "https://example.org/teams");
	ck_assert_uint_eq(
	    w->events, (1u << HOOK_FLAG_OPENED) | (1u << HOOK_FLAG_CLOSED));
	ck_assert_int_eq(w->format, HOOK_TEAMS);
	ck_assert_str_eq(w->secret, "");
	ck_assert(!w->include_notes);
	ck_assert_int_eq(w->timeout, 10);
	w = conf_webhook_find(cf, "siem");
	ck_assert_str_eq(w->secret, "s3cret");
	ck_assert_uint_eq(w->events, (1u << HOOK_EVENT_N) - 1);
	ck_assert_int_eq(w->format, HOOK_JSON);
	ck_assert(w->include_notes);
	ck_assert_int_eq(w->timeout, 5);
	ck_assert_ptr_null(conf_webhook_find(cf, "other"));
	ck_assert(cf->police_enabled);
	ck_assert_str_eq(cf->police_locations, "\xc3\x96rebro, Kumla");
	ck_assert_int_eq(cf->police_interval, 120);
	ck_assert_str_eq(cf->police_url, "https://polisen.se/api/events");
	conf_free(cf);

	/* The police are never asked more than once a minute. */
	write_file(dir, "estd.conf",
	    "[checklist]\nfile = checklist.ini\n"
	    "[police]\ninterval = 59\n");
	ck_assert_ptr_null(conf_load(path, &cause));
	ck_assert_ptr_nonnull(strstr(cause,
	    ":4: [police] interval: must be "
	    "from 60 to 86400, not 59"));
	free(cause);
	cause = NULL;
	/* A webhook without its url. */
	write_file(dir, "estd.conf",
	    "[checklist]\nfile = checklist.ini\n"
	    "[webhook a]\nformat = slack\n[police]\n");
	ck_assert_ptr_null(conf_load(path, &cause));
	ck_assert_ptr_nonnull(strstr(cause, ":3: [webhook a] url: missing"));
	free(cause);
	cause = NULL;
	/* Two of one name. */
	write_file(dir, "estd.conf",
	    "[webhook a]\nurl = http://x/\n"
	    "[webhook a]\nurl = http://y/\n");
	ck_assert_ptr_null(conf_load(path, &cause));
	ck_assert_ptr_nonnull(strstr(cause,
	    ":3: [webhook a]: webhook given "
	    "twice (first on line 1)"));
	free(cause);
	cause = NULL;
	/* A name that is no name. */
	write_file(dir, "estd.conf", "[webhook Teams!]\nurl = http://x/\n");
	ck_assert_ptr_null(conf_load(path, &cause));
	ck_assert_ptr_nonnull(strstr(cause,
	    ":1: [webhook Teams!]: a "
	    "webhook's name must be"));
	free(cause);

	snprintf(path, sizeof(path), "%s/estd.conf", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/checklist.ini", dir);
	unlink(path);
	rmdir(dir);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("webhook");
	TCase *tc = tcase_create("events");

	tcase_add_test(tc, test_hmac_vectors);
	tcase_add_test(tc, test_event_id);
	tcase_add_test(tc, test_event_names);
	tcase_add_test(tc, test_picture_json);
	tcase_add_test(tc, test_flag_slack);
	tcase_add_test(tc, test_teams);
	tcase_add_test(tc, test_digest_event);
	tcase_add_test(tc, test_retry_policy);
	tcase_add_test(tc, test_conf_sections);
	suite_add_tcase(s, tc);
	return testutil_run(s);
}
