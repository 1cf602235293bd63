/*
 * session: the rules of the web sessions of key functions, steering
 * members and admins, apart from any I/O: when a session has expired,
 * when its last_seen is worth a write, and the cookie that carries its
 * id. Pure: the caller passes the time in.
 *
 * A session is made by opening the personal link /k/TOKEN. Its id is a
 * fresh random token (256 bits) sent only in the cookie; the store keeps
 * its SHA-256. A session ends after SESSION_IDLE_MAX seconds without a
 * request or SESSION_AGE_MAX seconds after it began, whichever comes
 * first (ASVS 7.3.1/7.3.2: 30 min idle, 12 h absolute). last_seen is
 * written at most once every SESSION_TOUCH_EVERY seconds, so an active
 * reader costs one write a minute rather than one per page.
 *
 * Callers: the HTTP session handlers (http_session.c), tests.
 */
#ifndef ESTD_SESSION_H
#define ESTD_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "store.h"
#include "token.h"

#define SESSION_COOKIE "estd_session"
#define SESSION_COOKIE_HOST "__Host-estd_session" /* over https */
#define SESSION_IDLE_MAX (30 * 60)
#define SESSION_AGE_MAX (12 * 60 * 60)
#define SESSION_TOUCH_EVERY 60

/*
 * 1 if the session is over at `now`: idle for SESSION_IDLE_MAX seconds
 * or more, begun SESSION_AGE_MAX seconds ago or more, or with times
 * from the future (a clock set back: safer to sign in again).
 */
bool session_expired(const struct session *, time_t now);
/* 1 if last_seen is old enough to be written again at `now`. */
bool session_touch_due(const struct session *, time_t now);
/*
 * The session id from a Cookie header ("a=1; estd_session=ID"), copied
 * into id[TOKEN_LEN + 1]. Returns 0, or -1 when the header is NULL or
 * holds no estd_session cookie shaped like a token.
 */
int session_cookie_id(const char *header, char *id);
/*
 * The Set-Cookie value that starts a session (id given) or ends one (id
 * NULL: empty value, Max-Age=0). Secure is added when the site is served
 * over https, as `base_url` tells. Returns a new string (free(3)).
 */
char *session_cookie(const char *id, const char *base_url);

#endif
