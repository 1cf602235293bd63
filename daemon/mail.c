/*
 * mail: one SMTP session per message through libESMTP, and the spool.
 *
 * DESIGN. libESMTP runs the whole session inside smtp_start_session and
 * reports through callbacks; afterwards the message and each recipient
 * hold the relay's last reply to them. What it does not keep for the
 * caller, this file collects while the session runs:
 *
 *  - the event callback notes whether STARTTLS succeeded and why it did
 *    not (not offered, certificate rejected), and keeps libESMTP's
 *    default of refusing a certificate it could not verify;
 *  - the monitor callback reads the relay's replies (never what we
 *    write, which holds the credentials) to see "235" after AUTH and to
 *    keep the last 4xx/5xx reply, for the session-level failures that
 *    libESMTP keeps to itself (greeting, EHLO, STARTTLS, AUTH);
 *  - the interact callback hands out user and password, and notes that
 *    authentication was attempted.
 *
 * libESMTP goes on without authentication when AUTH fails or is not
 * offered, so the message callback refuses to hand out the message
 * unless the session is authenticated (when [smtp] user is set) and
 * encrypted (when STARTTLS is required): it sets errno and returns no
 * data, libESMTP then drops the connection before the final ".", and
 * the relay discards the transaction.
 *
 * TLS context. libESMTP 1.1.0 caches the SSL_CTX it makes for itself in
 * a static variable but frees it with the first session that used it,
 * so the second STARTTLS session in a process uses freed memory
 * (libesmtp/libESMTP#30). We make one SSL_CTX for the process instead
 * and give it to every session with smtp_starttls_set_ctx, which takes
 * a reference of its own. It trusts OpenSSL's default CA paths (the
 * system store, or $SSL_CERT_FILE and $SSL_CERT_DIR); verification is
 * left to libESMTP, which checks the verify result and the host name
 * after the handshake and reports each failure as an event.
 *
 * The context speaks TLS 1.2 only. After a TLS 1.3 handshake the relay
 * sends session tickets; when they arrive before libESMTP has flushed
 * its EHLO, libESMTP reads first and waits for the reply to a command
 * it has not sent until the reply timeout, and the mail defers (one
 * session in ten against aiosmtpd on loopback; none with TLS 1.2 or
 * without tickets). TLS 1.2 delivers its tickets inside the handshake.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/ssl.h>

/* After OpenSSL, so that libesmtp.h declares smtp_starttls_set_ctx. */
#include <auth-client.h>
#include <libesmtp.h>

#include "buf.h"
#include "conf.h"
#include "mail.h"
#include "mime.h"
#include "xmalloc.h"

/* Reply timeouts, in milliseconds (libESMTP's defaults are 2-10 min). */
#define TIMEOUT_REPLY 30000 /* greeting, envelope, DATA's 354 */
#define TIMEOUT_TRANSFER 60000 /* relay accepting message bytes */
#define TIMEOUT_FINAL 120000 /* reply to the final "." */

#define PASSWORD_MAX 1024
#define ID_MAX 128
#define REPLY_MAX 300

/* What one session saw through libESMTP's callbacks. */
struct session {
	const char *msg; /* borrowed */
	size_t len;
	int fed; /* msg handed out since the rewind */

	char *user; /* borrowed from the conf */
	char *password; /* owned, wiped */
	int want_auth;
	int auth_tried;
	int auth_ok;

	int want_tls; /* STARTTLS required */
	int tls_ok;
	char *tls_error; /* owned; first TLS problem */

	int connected;
	int aborted; /* message withheld: see message_cb */

	char line[REPLY_MAX + 1]; /* reply line being read */
	size_t linelen;
	char *last_error; /* owned; last 4xx/5xx reply line */
	char *auth_error; /* owned; first 4xx/5xx after AUTH */
};

static pthread_once_t auth_once = PTHREAD_ONCE_INIT;
static pthread_once_t tls_once = PTHREAD_ONCE_INIT;
static SSL_CTX *tls_ctx; /* for the life of the process */

const char *
mail_result_name(enum mail_result r)
{
	switch (r) {
	case MAIL_SENT: return "sent";
	case MAIL_DEFER: return "defer";
	case MAIL_FAIL: return "fail";
	}
	return "?";
}

void
mail_status_free(struct mail_status *status, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(status[i].reason);
		status[i].reason = NULL;
	}
}

/* Relay text goes into logs and the database: printable ASCII only. */
static char *
clean_text(const char *s)
{
	struct buf b = {NULL, 0, 0};
	const char *p;
	char *out;

	for (p = s; *p != '\0' && b.len < REPLY_MAX; p++) {
		if (*p >= 0x20 && *p < 0x7f)
			buf_append(&b, p, 1);
		else if (*p == '\t')
			buf_puts(&b, " ");
	}
	while (b.len > 0 && b.data[b.len - 1] == ' ')
		b.data[--b.len] = '\0';
	buf_puts(&b, "");
	out = buf_take(&b, NULL);
	return out;
}

static void set_status(struct mail_status *, enum mail_result, int,
    const char *, ...) __attribute__((format(printf, 4, 5)));
static void tls_problem(struct session *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
set_status(
    struct mail_status *st, enum mail_result r, int code, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		s = NULL;
	va_end(ap);
	st->result = r;
	st->code = code;
	st->reason = clean_text(s != NULL ? s : "");
	free(s);
}

/* "451 4.2.0 text" from a libESMTP status. */
static char *
status_text(const smtp_status_t *s)
{
	char *t, *out;

	t = clean_text(s->text != NULL ? s->text : "");
	if (s->enh_class != 0)
		xasprintf(&out, "%d %d.%d.%d %s", s->code, s->enh_class,
		    s->enh_subject, s->enh_detail, t);
	else
		xasprintf(&out, "%d %s", s->code, t);
	free(t);
	t = clean_text(out);
	free(out);
	return t;
}

/*
 * Callbacks.
 */

/* One complete reply line from the relay. */
static void
reply_line(struct session *s)
{
	const char *l = s->line;
	int code;

	if (s->linelen < 3 || l[0] < '1' || l[0] > '5' || l[1] < '0' ||
	    l[1] > '9' || l[2] < '0' || l[2] > '9')
		return;
	code = (l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0');
	if (l[3] == '-')
		return; /* only the last line of a reply counts */
	if (code == 235)
		s->auth_ok = 1;
	if (code >= 400) {
		free(s->last_error);
		s->last_error = clean_text(l);
		if (s->auth_tried && !s->auth_ok && s->auth_error == NULL)
			s->auth_error = clean_text(l);
	}
}

static void
monitor_cb(const char *buf, int len, int writing, void *arg)
{
	struct session *s = arg;
	int i;

	if (writing != SMTP_CB_READING)
		return;
	for (i = 0; i < len; i++) {
		if (buf[i] == '\n') {
			s->line[s->linelen] = '\0';
			reply_line(s);
			s->linelen = 0;
		} else if (buf[i] != '\r' && s->linelen < REPLY_MAX)
			s->line[s->linelen++] = buf[i];
	}
}

static void
tls_problem(struct session *s, const char *fmt, ...)
{
	va_list ap;
	char *t;

	if (s->tls_error != NULL)
		return; /* the first one is the cause */
	va_start(ap, fmt);
	if (vasprintf(&t, fmt, ap) == -1)
		t = NULL;
	va_end(ap);
	s->tls_error = clean_text(t != NULL ? t : "TLS failed");
	free(t);
}

/*
 * The arguments after arg depend on the event (libESMTP's tlsevents
 * documentation). Where it passes an `ok` flag it has already set it to
 * 0, which refuses; it is left so.
 */
static void
event_cb(smtp_session_t session, int event, void *arg, ...)
{
	struct session *s = arg;
	va_list ap;
	const char *domain;
	long verify;

	(void)session;
	va_start(ap, arg);
	switch (event) {
	case SMTP_EV_CONNECT: s->connected = 1; break;
	case SMTP_EV_STARTTLS_OK: s->tls_ok = 1; break;
	case SMTP_EV_EXTNA_STARTTLS:
		tls_problem(s,
		    "relay does not offer STARTTLS "
		    "([smtp] starttls = required)");
		break;
	case SMTP_EV_INVALID_PEER_CERTIFICATE:
		verify = va_arg(ap, long);
		tls_problem(s,
		    "certificate of the relay not trusted "
		    "(OpenSSL verify error %ld)",
		    verify);
		break;
	case SMTP_EV_NO_PEER_CERTIFICATE:
		tls_problem(s, "relay presented no certificate");
		break;
	case SMTP_EV_WRONG_PEER_CERTIFICATE:
		(void)va_arg(ap, int *);
		domain = va_arg(ap, const char *);
		tls_problem(s,
		    "certificate of the relay is for \"%s\", not "
		    "the configured host",
		    domain != NULL ? domain : "");
		break;
	case SMTP_EV_WEAK_CIPHER:
		tls_problem(s, "relay negotiated a weak cipher");
		break;
	case SMTP_EV_UNUSABLE_CA_LIST:
		tls_problem(s,
		    "CA list unusable (libesmtp ca.pem or ca/ "
		    "must belong to us and be private)");
		break;
	case SMTP_EV_NO_CLIENT_CERTIFICATE:
	case SMTP_EV_UNUSABLE_CLIENT_CERTIFICATE:
		tls_problem(s, "client certificate unusable");
		break;
	default: break;
	}
	va_end(ap);
}

static int
interact_cb(auth_client_request_t req, char **result, int fields, void *arg)
{
	static char empty[] = "";
	struct session *s = arg;
	char *v;
	int i;

	s->auth_tried = 1;
	for (i = 0; i < fields; i++) {
		if (req[i].flags & AUTH_PASS)
			v = s->password;
		else if (req[i].flags & AUTH_USER)
			v = s->user;
		else
			v = empty; /* realm */
		/* Plugins copy into fixed buffers of this size. */
		if (req[i].size != 0 && strlen(v) > req[i].size)
			return 0;
		result[i] = v;
	}
	return 1;
}

static const char *
message_cb(void **ctx, int *len, void *arg)
{
	struct session *s = arg;

	(void)ctx;
	if (len == NULL) { /* rewind */
		s->fed = 0;
		return NULL;
	}
	if ((s->want_auth && !s->auth_ok) || (s->want_tls && !s->tls_ok)) {
		s->aborted = 1;
		errno = EACCES;
		*len = 0;
		return NULL;
	}
	if (s->fed) {
		*len = 0;
		return NULL;
	}
	s->fed = 1;
	*len = (int)s->len;
	return s->msg;
}

/*
 * Setup.
 */

static void
tls_init(void)
{
	SSL_CTX *ctx;

	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		return;
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
	    !SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION) ||
	    !SSL_CTX_set_default_verify_paths(ctx)) {
		SSL_CTX_free(ctx);
		return;
	}
	tls_ctx = ctx;
}

/* The password file's first line, in a buffer to wipe. */
static int
read_password(const char *path, char **out, char **cause)
{
	char *buf;
	size_t len = 0;
	ssize_t r;
	int fd;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		xasprintf(cause, "password file %s: %s", path, strerror(errno));
		return -1;
	}
	buf = xmalloc(PASSWORD_MAX + 2);
	while (len < PASSWORD_MAX + 1) {
		r = read(fd, buf + len, PASSWORD_MAX + 1 - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			xasprintf(cause, "password file %s: %s", path,
			    strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		len += r;
	}
	if (len > PASSWORD_MAX) {
		xasprintf(cause, "password file %s: longer than %d bytes", path,
		    PASSWORD_MAX);
		goto fail;
	}
	buf[len] = '\0';
	if (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	if (len > 0 && buf[len - 1] == '\r')
		buf[--len] = '\0';
	if (len == 0 || memchr(buf, '\n', len) != NULL ||
	    memchr(buf, '\0', len) != NULL) {
		xasprintf(cause,
		    "password file %s: must hold one non-empty "
		    "line",
		    path);
		goto fail;
	}
	close(fd);
	*out = buf;
	return 0;
fail:
	explicit_bzero(buf, PASSWORD_MAX + 2);
	free(buf);
	close(fd);
	return -1;
}

static void
wipe_password(struct session *s)
{
	if (s->password != NULL) {
		explicit_bzero(s->password, strlen(s->password));
		free(s->password);
		s->password = NULL;
	}
}

static int
valid_id(const char *id)
{
	size_t len = strlen(id);

	return len > 0 && len <= ID_MAX && id[0] != '.' &&
	    strspn(id,
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		"0123456789._@+=-") == len;
}

/* What libESMTP needs of the message: CRLF lines, headers, a body. */
static int
check_message(const char *msg, size_t len, char **cause)
{
	size_t i;

	if (msg == NULL || len == 0) {
		xasprintf(cause, "empty message");
		return -1;
	}
	if (len > INT_MAX) {
		xasprintf(cause, "message of %zu bytes is too large", len);
		return -1;
	}
	for (i = 0; i < len; i++) {
		if ((msg[i] == '\n' && (i == 0 || msg[i - 1] != '\r')) ||
		    (msg[i] == '\r' && (i + 1 == len || msg[i + 1] != '\n'))) {
			xasprintf(cause,
			    "message has a bare CR or LF at byte "
			    "%zu",
			    i);
			return -1;
		}
	}
	if (memmem(msg, len, "\r\n\r\n", 4) == NULL) {
		xasprintf(cause,
		    "message has no blank line after its "
		    "headers");
		return -1;
	}
	return 0;
}

/*
 * Verdicts.
 */

/*
 * Why a session ended without verdicts for the recipients, from the
 * most specific observation down. libESMTP's error number is only read
 * when smtp_start_session failed: it is not reset between sessions.
 */
static char *
session_reason(
    const struct session *s, int started, int err, const char *server)
{
	const char *last = s->last_error;
	char ebuf[256], *r;

	if (smtp_strerror(err, ebuf, sizeof(ebuf)) == NULL)
		snprintf(ebuf, sizeof(ebuf), "error %d", err);
	if (s->tls_error != NULL)
		xasprintf(&r, "STARTTLS: %s", s->tls_error);
	else if (!s->connected)
		xasprintf(&r, "cannot connect to %s: %s", server, ebuf);
	else if (s->auth_tried && !s->auth_ok)
		xasprintf(&r, "authentication failed: %s",
		    s->auth_error != NULL ? s->auth_error : "no reply");
	else if (s->want_tls && !s->tls_ok && last != NULL)
		xasprintf(&r, "STARTTLS: relay: %s", last);
	else if (s->want_tls && !s->tls_ok)
		xasprintf(&r, "STARTTLS: no TLS session with %s", server);
	else if (s->want_auth && !s->auth_ok && last != NULL)
		xasprintf(&r, "not authenticated: relay: %s", last);
	else if (s->want_auth && !s->auth_ok)
		xasprintf(&r,
		    "not authenticated: the relay offered no AUTH "
		    "mechanism we may use");
	else if (last != NULL)
		xasprintf(&r, "relay: %s", last);
	else if (!started)
		xasprintf(&r, "session with %s failed: %s", server, ebuf);
	else
		xasprintf(&r,
		    "session with %s ended without a reply to "
		    "the message",
		    server);
	return r;
}

/*
 * One recipient: its RCPT reply first, then the message's (MAIL FROM
 * before, DATA after). Anything without a reply defers with the
 * session's reason.
 */
static void
verdict(struct mail_status *st, smtp_recipient_t r, smtp_message_t m,
    const char *why)
{
	const smtp_status_t *rs, *ms, *fs;
	char *t;

	rs = smtp_recipient_status(r);
	ms = smtp_message_transfer_status(m);
	fs = smtp_reverse_path_status(m);
	if (rs != NULL && rs->code >= 400 && rs->code < 600) {
		t = status_text(rs);
		set_status(st, rs->code >= 500 ? MAIL_FAIL : MAIL_DEFER,
		    rs->code, "%s", t);
		free(t);
	} else if (rs != NULL && rs->code / 100 == 2) {
		if (ms != NULL &&
		    (ms->code / 100 == 2 || ms->code / 100 == 4 ||
			ms->code / 100 == 5)) {
			t = status_text(ms);
			set_status(st,
			    ms->code / 100 == 2       ? MAIL_SENT
				: ms->code / 100 == 5 ? MAIL_FAIL
						      : MAIL_DEFER,
			    ms->code, "%s", t);
			free(t);
		} else
			set_status(st, MAIL_DEFER, 0,
			    "no reply to the "
			    "message: %s",
			    why);
	} else if (fs != NULL && fs->code >= 400 && fs->code < 600) {
		t = status_text(fs);
		set_status(st, fs->code >= 500 ? MAIL_FAIL : MAIL_DEFER,
		    fs->code, "sender refused: %s", t);
		free(t);
	} else
		set_status(st, MAIL_DEFER, 0, "%s", why);
}

static void
all_status(struct mail_status *status, size_t n, const int *skip,
    enum mail_result r, const char *why)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (skip == NULL || !skip[i])
			set_status(&status[i], r, 0, "%s", why);
}

/*
 * The session.
 */

static void
relay_session(const struct conf *conf, const char *msg, size_t len,
    const char *const *rcpts, size_t n, struct mail_status *status)
{
	struct session s;
	smtp_session_t session = NULL;
	smtp_message_t message = NULL;
	smtp_recipient_t *handles;
	auth_context_t auth = NULL;
	enum starttls_option tls;
	char *server = NULL, *name = NULL, *from = NULL;
	char *cause = NULL, *why = NULL, ebuf[256];
	int *invalid, started, err = 0;
	size_t i, valid = 0;

	memset(&s, 0, sizeof(s));
	s.msg = msg;
	s.len = len;
	handles = xcalloc(n, sizeof(*handles));
	invalid = xcalloc(n, sizeof(*invalid));

	/* Addresses the relay should never see: fail them alone. */
	for (i = 0; i < n; i++) {
		if (rcpts[i] == NULL || !mime_valid_address(rcpts[i])) {
			invalid[i] = 1;
			set_status(&status[i], MAIL_FAIL, 0,
			    "not a plain "
			    "address (local@domain)");
		} else
			valid++;
	}
	if (valid == 0)
		goto done;

	/* Configuration problems defer: the operator can fix them. */
	if (strchr(conf->smtp_host, ':') != NULL) {
		all_status(status, n, invalid, MAIL_DEFER,
		    "[smtp] host: "
		    "IPv6 address literals are not supported; use a name");
		goto done;
	}
	if (mime_mailbox(conf->smtp_from, &name, &from, &cause) == -1) {
		xasprintf(&why, "[smtp] from: %s", cause);
		all_status(status, n, invalid, MAIL_DEFER, why);
		goto done;
	}
	if (conf->smtp_user != NULL && *conf->smtp_user != '\0') {
		s.want_auth = 1;
		s.user = conf->smtp_user;
		if (conf->smtp_password_file == NULL ||
		    *conf->smtp_password_file == '\0') {
			all_status(status, n, invalid, MAIL_DEFER,
			    "[smtp] "
			    "user is set but password_file is not");
			goto done;
		}
		if (read_password(
			conf->smtp_password_file, &s.password, &cause) == -1) {
			all_status(status, n, invalid, MAIL_DEFER, cause);
			goto done;
		}
	}

	xasprintf(&server, "%s:%d", conf->smtp_host, conf->smtp_port);
	if ((session = smtp_create_session()) == NULL ||
	    (message = smtp_add_message(session)) == NULL ||
	    !smtp_set_server(session, server) ||
	    !smtp_set_reverse_path(message, from) ||
	    !smtp_set_messagecb(message, message_cb, &s) ||
	    !smtp_set_eventcb(session, event_cb, &s) ||
	    !smtp_set_monitorcb(session, monitor_cb, &s, 0))
		goto broken;

	switch (conf->smtp_starttls) {
	case STARTTLS_REQUIRED:
		tls = Starttls_REQUIRED;
		s.want_tls = 1;
		break;
	case STARTTLS_OPTIONAL: tls = Starttls_ENABLED; break;
	default: tls = Starttls_DISABLED; break;
	}
	if (!smtp_starttls_enable(session, tls))
		goto broken;
	if (tls != Starttls_DISABLED) {
		pthread_once(&tls_once, tls_init);
		if (tls_ctx == NULL) {
			all_status(status, n, invalid, MAIL_DEFER,
			    "STARTTLS: "
			    "cannot set up an OpenSSL context");
			goto done;
		}
		if (!smtp_starttls_set_ctx(session, tls_ctx))
			goto broken;
	}

	smtp_set_timeout(session,
	    Timeout_GREETING | Timeout_OVERRIDE_RFC2822_MINIMUM, TIMEOUT_REPLY);
	smtp_set_timeout(session,
	    Timeout_ENVELOPE | Timeout_OVERRIDE_RFC2822_MINIMUM, TIMEOUT_REPLY);
	smtp_set_timeout(session,
	    Timeout_DATA | Timeout_OVERRIDE_RFC2822_MINIMUM, TIMEOUT_REPLY);
	smtp_set_timeout(session,
	    Timeout_TRANSFER | Timeout_OVERRIDE_RFC2822_MINIMUM,
	    TIMEOUT_TRANSFER);
	smtp_set_timeout(session,
	    Timeout_DATA2 | Timeout_OVERRIDE_RFC2822_MINIMUM, TIMEOUT_FINAL);

	if (s.want_auth) {
		pthread_once(&auth_once, auth_client_init);
		if ((auth = auth_create_context()) == NULL)
			goto broken;
		/* PLAIN and LOGIN stay disabled unless asked for. */
		auth_set_mechanism_flags(auth, AUTH_PLUGIN_PLAIN, 0);
		auth_set_interact_cb(auth, interact_cb, &s);
		smtp_auth_set_context(session, auth);
	}

	for (i = 0; i < n; i++) {
		if (invalid[i])
			continue;
		if ((handles[i] = smtp_add_recipient(message, rcpts[i])) ==
		    NULL)
			goto broken;
	}

	started = smtp_start_session(session);
	if (!started)
		err = smtp_errno();

	why = session_reason(&s, started, err, server);
	for (i = 0; i < n; i++) {
		if (invalid[i])
			continue;
		/*
		 * Without the TLS or the authentication asked for, nothing
		 * was delivered, and refusals are about us, not the mail.
		 */
		if (s.tls_error != NULL || s.aborted ||
		    (s.want_tls && !s.tls_ok) || (s.want_auth && !s.auth_ok))
			set_status(&status[i], MAIL_DEFER, 0, "%s", why);
		else
			verdict(&status[i], handles[i], message, why);
	}
	goto done;
broken:
	/* libESMTP refuses only on allocation failure or a bad argument. */
	err = smtp_errno();
	xasprintf(&why, "cannot set up the SMTP session: %s",
	    smtp_strerror(err, ebuf, sizeof(ebuf)) != NULL ? ebuf : "error");
	all_status(status, n, invalid, MAIL_DEFER, why);
done:
	if (session != NULL)
		smtp_destroy_session(session);
	if (auth != NULL)
		auth_destroy_context(auth);
	wipe_password(&s);
	free(s.tls_error);
	free(s.last_error);
	free(s.auth_error);
	free(handles);
	free(invalid);
	free(server);
	free(name);
	free(from);
	free(cause);
	free(why);
}

int
mail_send(const struct conf *conf, const char *id, const char *msg, size_t len,
    const char *const *rcpts, size_t n, struct mail_status *status,
    char **cause)
{
	char *why = NULL, *path;
	size_t i;

	*cause = NULL;
	if (n == 0 || rcpts == NULL) {
		xasprintf(cause, "no recipients");
		return -1;
	}
	if (id == NULL || !valid_id(id)) {
		xasprintf(cause,
		    "message id is not 1-%d of "
		    "[A-Za-z0-9._@+=-] starting with no dot",
		    ID_MAX);
		return -1;
	}
	if (check_message(msg, len, cause) == -1)
		return -1;
	for (i = 0; i < n; i++)
		memset(&status[i], 0, sizeof(status[i]));

	if (conf->smtp_host == NULL || *conf->smtp_host == '\0') {
		if (mail_spool(conf, id, msg, len, &why) == -1)
			all_status(status, n, NULL, MAIL_DEFER, why);
		else {
			xasprintf(&path, "written to %s/%s.eml",
			    conf->smtp_spool, id);
			all_status(status, n, NULL, MAIL_SENT, path);
			free(path);
		}
		free(why);
		return 0;
	}
	relay_session(conf, msg, len, rcpts, n, status);
	return 0;
}

/*
 * The spool.
 */

/* mkdir -p with mode 0700 for what it creates. */
static int
make_dirs(const char *path, char **cause)
{
	struct stat sb;
	char *p, *s;
	char c;

	p = xstrdup(path);
	for (s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		c = *s;
		*s = '\0';
		if (mkdir(p, 0700) == -1 && errno != EEXIST) {
			xasprintf(cause, "spool %s: mkdir %s: %s", path, p,
			    strerror(errno));
			free(p);
			return -1;
		}
		*s = c;
		if (c == '\0')
			break;
	}
	free(p);
	if (stat(path, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
		xasprintf(cause, "spool %s: not a directory", path);
		return -1;
	}
	return 0;
}

int
mail_spool(const struct conf *conf, const char *id, const char *msg, size_t len,
    char **cause)
{
	const char *dir = conf->smtp_spool;
	char *tmp = NULL, *path = NULL;
	size_t off = 0;
	ssize_t w;
	int fd = -1, dfd, rc = -1;

	*cause = NULL;
	if (id == NULL || !valid_id(id)) {
		xasprintf(cause,
		    "message id is not 1-%d of "
		    "[A-Za-z0-9._@+=-] starting with no dot",
		    ID_MAX);
		return -1;
	}
	if (dir == NULL || *dir == '\0') {
		xasprintf(cause, "[smtp] spool is empty");
		return -1;
	}
	if (make_dirs(dir, cause) == -1)
		return -1;

	/* Hidden and not ending in .eml: readers of the spool skip it. */
	xasprintf(&tmp, "%s/.%s.XXXXXX", dir, id);
	xasprintf(&path, "%s/%s.eml", dir, id);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		xasprintf(cause, "spool %s: %s", tmp, strerror(errno));
		free(tmp);
		tmp = NULL;
		goto done;
	}
	while (off < len) {
		w = write(fd, msg + off, len - off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1) {
			xasprintf(
			    cause, "spool %s: write: %s", tmp, strerror(errno));
			goto done;
		}
		off += w;
	}
	if (fsync(fd) == -1) {
		xasprintf(cause, "spool %s: fsync: %s", tmp, strerror(errno));
		goto done;
	}
	if (close(fd) == -1) {
		fd = -1;
		xasprintf(cause, "spool %s: close: %s", tmp, strerror(errno));
		goto done;
	}
	fd = -1;
	if (rename(tmp, path) == -1) {
		xasprintf(cause, "spool %s: rename: %s", path, strerror(errno));
		goto done;
	}
	free(tmp);
	tmp = NULL;
	/* The rename itself must survive a crash. */
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    fsync(dfd) == -1) {
		xasprintf(cause, "spool %s: fsync: %s", dir, strerror(errno));
		if (dfd != -1)
			close(dfd);
		goto done;
	}
	close(dfd);
	rc = 0;
done:
	if (fd != -1)
		close(fd);
	if (tmp != NULL)
		unlink(tmp);
	free(tmp);
	free(path);
	return rc;
}
