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

int
session_cookie_id(const char *header, char *id)
{
	static const char	 name[] = SESSION_COOKIE;
	const char		*p, *v;
	size_t			 n;

	/*
	 * Cookies are "name=value" pairs separated by ";" and optional
	 * spaces (RFC 6265 §5.4). Take the first of our name whose value
	 * has the shape of a token; a browser may send a stale one too.
	 */
	for (p = header; p != NULL && *p != '\0'; p += strcspn(p, ";")) {
		while (*p == ';' || *p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, name, sizeof(name) - 1) != 0 ||
		    p[sizeof(name) - 1] != '=')
			continue;
		v = p + sizeof(name);
		for (n = 0; token_char(v[n]); n++)
			;
		if (n != TOKEN_LEN || (v[n] != '\0' && v[n] != ';' &&
		    v[n] != ' ' && v[n] != '\t'))
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
	char	*s;
	bool	 secure = base_url != NULL &&
		    strncasecmp(base_url, "https:", 6) == 0;

	/*
	 * HttpOnly: no script reads it. SameSite=Lax: a cross-site POST
	 * carries no session, while a link from the mail still signs in.
	 * No Max-Age: the browser forgets it when closed; the server ends
	 * it after SESSION_AGE_MAX anyway.
	 */
	if (id != NULL)
		xasprintf(&s, SESSION_COOKIE "=%s; Path=/; HttpOnly; "
		    "SameSite=Lax%s", id, secure ? "; Secure" : "");
	else
		xasprintf(&s, SESSION_COOKIE "=; Path=/; Max-Age=0; HttpOnly; "
		    "SameSite=Lax%s", secure ? "; Secure" : "");
	return s;
}
