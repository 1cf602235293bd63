/*
 * conf: estd.conf and the checklist, loaded once with libinih.
 *
 * Every key lives in one table in conf.c (section, name, type, default,
 * bounds, help). The loader, --check-config and the documentation in
 * config/estd.conf.sample (conf_write_sample) all follow from it.
 * Unknown sections and keys are refused. Each section appears once,
 * except webhooks: one "[webhook NAME]" section per webhook, as many as
 * wanted. Errors read "FILE:LINE: [section] key: message".
 *
 * The loaded struct is treated as const by everyone; the daemon keeps
 * one (the only global, conf_current) and replaces it whole on reload.
 *
 * Callers: orchestrators load it; everyone reads it.
 */
#ifndef ESTD_CONF_H
#define ESTD_CONF_H

#include <stdbool.h>
#include <stdio.h>

#include "period.h"

#define INDICATOR_KEY_MAX 32
#define INDICATORS_MAX 64
#define RATING_MAX 3
#define COUNT_MAX 10000

enum cadence { CADENCE_WEEKLY, CADENCE_FORTNIGHTLY };
enum analysis_kind { ANALYSIS_QUARTER, ANALYSIS_TERTIAL };
enum starttls_mode { STARTTLS_REQUIRED, STARTTLS_OPTIONAL, STARTTLS_OFF };

/* "mon 08:00": ISO weekday 1-7, hour, minute. */
struct weekly_time {
	int wday;
	int hour;
	int minute;
};

/*
 * What a webhook may be told about (conf_hook_event_name gives the
 * words, "picture.compiled" ...), and the body's shape.
 */
enum hook_event {
	HOOK_PICTURE_COMPILED,
	HOOK_FLAG_OPENED,
	HOOK_FLAG_CLOSED,
	HOOK_DIGEST_SENT,
	HOOK_ANALYSIS_READY,
	HOOK_EVENT_N
};
enum hook_format { HOOK_JSON, HOOK_SLACK, HOOK_TEAMS };

#define HOOK_NAME_MAX 32 /* [webhook NAME]: a-z, 0-9, - and _ */

/* One [webhook NAME] section. */
struct conf_webhook {
	char *name;
	char *url;
	unsigned int events; /* bit (1 << enum hook_event) */
	char *secret; /* "": deliveries are not signed */
	enum hook_format format;
	bool include_notes;
	int timeout; /* seconds, one delivery */
};

struct indicator {
	char key[INDICATOR_KEY_MAX + 1];
	char *sv;
	char *en;
	char *help_sv; /* may be NULL */
	char *help_en; /* may be NULL */
};

struct checklist {
	size_t n;
	struct indicator *items; /* n items, in display order */
};

struct conf {
	char *path; /* the file it was loaded from */

	/* [server] */
	char *listen; /* "127.0.0.1:8080", "[::1]:8080" */
	char *base_url; /* no trailing slash */
	int max_connections;
	int connection_timeout; /* seconds */
	int max_body; /* bytes */
	int failed_token_limit; /* per client address a minute */
	char *trusted_proxies; /* "127.0.0.1 ::1" */
	char *templates; /* directory of page templates */

	/* [storage] */
	char *database;
	char *key_file; /* never empty once loaded */

	/* [periods] */
	enum cadence cadence;
	enum fortnight_parity fortnight_start;
	char *timezone;
	enum analysis_kind analysis;
	struct weekly_time digest_at;
	struct weekly_time reminder_at;

	/* [flags] */
	int flag_level;
	int flag_consecutive;
	int flag_window;
	int flag_within;
	int flag_clear_after;

	/* [smtp] */
	char *smtp_host; /* "" = write .eml files to spool */
	int smtp_port;
	enum starttls_mode smtp_starttls;
	char *smtp_user;
	char *smtp_password_file;
	char *smtp_from;
	char *smtp_spool;

	/* [checklist] */
	char *checklist_file;
	struct checklist checklist; /* loaded from checklist_file */

	/* [police] */
	bool police_enabled;
	char *police_url;
	char *police_locations; /* "Örebro, Örebro län" */
	int police_interval; /* seconds, >= 60 */
	int police_timeout; /* seconds, one call */

	/* [webhook NAME] sections, in the order of the file */
	struct conf_webhook *webhooks;
	size_t n_webhooks;

	/* [retention] */
	int retention_free_text_days; /* 0: keep forever */
	int retention_audit_days; /* 0: keep forever */

	/* [backup] */
	char *backup_dir; /* "": no scheduled backups */
	int backup_interval_hours;
	int backup_keep;
};

/*
 * Load and validate `path` and the checklist it names. Relative paths in
 * the file are taken relative to the directory of `path`. Returns a new
 * conf owned by the caller (conf_free), or NULL with *cause set (owned by
 * the caller) to "FILE:LINE: [section] key: message".
 */
struct conf *conf_load(const char *path, char **cause);
void conf_free(struct conf *);

/*
 * Load a checklist file alone into *out (freed with conf_free_checklist).
 * Returns 0, or -1 with *cause as above.
 */
int conf_load_checklist(const char *path, struct checklist *out, char **cause);
void conf_free_checklist(struct checklist *);
/* Index of an indicator key in the checklist, or -1. */
int conf_indicator_index(const struct checklist *, const char *key);

/* "picture.compiled", ... for an event; NULL if out of range. */
const char *conf_hook_event_name(enum hook_event);
/* The webhook of that name, or NULL. */
const struct conf_webhook *conf_webhook_find(
    const struct conf *, const char *name);

/* Write the documented sample configuration, defaults filled in. */
void conf_write_sample(FILE *);

/* The default config path: $ESTD_CONFIG, else /etc/estd/estd.conf. */
const char *conf_default_path(void);

#endif
