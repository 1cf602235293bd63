/*
 * session: see session.h.
 */
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "session.h"
#include "xmalloc.h"

bool
session_expired(const struct session *s, time_t now)
{
	if (s->created > now || s->last_seen > now)
		return true;
	if (now - s->last_seen >= SESSION_IDLE_MAX)
		return true;
	if (now - s->created >= SESSION_AGE_MAX)
		return true;
	return false;
}

bool
session_touch_due(const struct session *s, time_t now)
{
	return now - s->last_seen >= SESSION_TOUCH_EVERY;
}

/* The characters of a token (URL-safe base64). */
static bool
token_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* The length of our cookie's name at p ("__Host-" form or plain), or 0. */
static size_t
cookie_name(const char *p)
{
	static const char host[] = SESSION_COOKIE_HOST,
			  plain[] = SESSION_COOKIE;

	if (strncmp(p, host, sizeof(host) - 1) == 0)
		return sizeof(host) - 1;
	if (strncmp(p, plain, sizeof(plain) - 1) == 0)
		return sizeof(plain) - 1;
	return 0;
}

int
session_cookie_id(const char *header, char *id)
{
	const char *p, *v;
	size_t n, len;

	/*
	 * Cookies are "name=value" pairs separated by ";" and optional
	 * spaces (RFC 6265 §5.4). Take the first of our name whose value
	 * has the shape of a token; a browser may send a stale one too.
	 */
	for (p = header; p != NULL && *p != '\0'; p += strcspn(p, ";")) {
		while (*p == ';' || *p == ' ' || *p == '\t')
			p++;
		if ((len = cookie_name(p)) == 0 || p[len] != '=')
			continue;
		v = p + len + 1;
		for (n = 0; token_char(v[n]); n++)
			;
		if (n != TOKEN_LEN ||
		    (v[n] != '\0' && v[n] != ';' && v[n] != ' ' &&
			v[n] != '\t'))
			continue;
		memcpy(id, v, TOKEN_LEN);
		id[TOKEN_LEN] = '\0';
		return 0;
	}
	return -1;
}

char *
session_cookie(const char *id, const char *base_url)
{
	char *s;
	bool secure =
	    base_url != NULL && strncasecmp(base_url, "https:", 6) == 0;

	/*
	 * HttpOnly: no script reads it. SameSite=Lax: a cross-site POST
	 * carries no session, while a link from the mail still signs in.
	 * No Max-Age: the browser forgets it when closed; the server ends
	 * it after SESSION_AGE_MAX anyway.
	 */
	/*
	 * Over https the "__Host-" prefix also makes the browser refuse the
	 * cookie unless it is Secure, for this host only and for all paths.
	 */
	if (id != NULL)
		xasprintf(&s, "%s=%s; Path=/; HttpOnly; SameSite=Lax%s",
		    secure ? SESSION_COOKIE_HOST : SESSION_COOKIE, id,
		    secure ? "; Secure" : "");
	else
		xasprintf(&s,
		    "%s=; Path=/; Max-Age=0; HttpOnly; "
		    "SameSite=Lax%s",
		    secure ? SESSION_COOKIE_HOST : SESSION_COOKIE,
		    secure ? "; Secure" : "");
	return s;
}
