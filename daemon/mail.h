/*
 * mail: hand one prepared message (the bytes of mime_build) to the relay
 * of [smtp], or, with [smtp] host empty, write it to [smtp] spool as one
 * .eml file. The adapter for libESMTP: the only file that includes
 * <libesmtp.h> and <auth-client.h>.
 *
 * libESMTP calls a session a success even when the relay refused the
 * message or some recipients, so every recipient gets its own verdict:
 *
 *   MAIL_SENT   the relay took responsibility for it (2xx after DATA),
 *               or the .eml file is safely on disk
 *   MAIL_DEFER  4xx, or no verdict from the relay at all: no connection,
 *               timeout, connection lost, STARTTLS not offered, refused
 *               or failed, authentication failed, password file
 *               unreadable, spool not writable. Retry later.
 *   MAIL_FAIL   5xx for the recipient or for the message, or an address
 *               that is not plain local@domain. Never retry.
 *
 * A 5xx before any recipient (greeting, EHLO, STARTTLS, AUTH) says
 * something about the relay or our credentials, not about the mail, so
 * it defers; so does a 5xx to RCPT when [smtp] user is set but we are
 * not authenticated (a relay refusing to relay for strangers). Nothing
 * is ever sent unauthenticated when [smtp] user is set, nor in clear
 * text with starttls = required.
 *
 * Delivery is at least once: if the connection breaks after the final
 * "." but before the relay's reply, the recipients defer although the
 * relay may have queued the message; the stable Message-ID lets a
 * retry be recognised for what it is.
 *
 * Blocking: a call may take minutes. connect() has only the kernel's
 * timeout (about two minutes); then each reply is awaited at most 30 s
 * (greeting, envelope, DATA), 60 s (message transfer) and 120 s (reply
 * to the final "."). Call it from the scheduler's thread, never from an
 * HTTP handler. Calls on different threads do not share a session, but
 * libESMTP's AUTH plugins and TLS context are process-wide, set up on
 * first use.
 *
 * The process must ignore SIGPIPE (main does): libESMTP writes to
 * sockets the relay may already have closed.
 *
 * TLS: "optional" uses STARTTLS when offered and does not fall back to
 * clear text when the handshake or certificate check fails (it defers).
 * TLS 1.2 (not 1.3, for a libESMTP flaw explained in mail.c); the
 * relay's certificate must chain to a CA in
 * OpenSSL's default store (/etc/ssl/certs, or the file and directory
 * named by $SSL_CERT_FILE and $SSL_CERT_DIR, e.g. set in the unit for a
 * private CA), and its DNS name must match [smtp] host: IP-address
 * certificates are not supported, so name the relay by host name. IPv6
 * address literals cannot be given. With starttls = off and a user, the
 * password crosses in clear text: only for a relay on loopback.
 *
 * Callers: the delivery job (outbox), estctl.
 */
#ifndef ESTD_MAIL_H
#define ESTD_MAIL_H

#include <stddef.h>

struct conf;

enum mail_result { MAIL_SENT, MAIL_DEFER, MAIL_FAIL };

struct mail_status {
	enum mail_result result;
	int code; /* relay's reply code, 0 if none */
	/*
	 * For the outbox's "last error" and the log, owned by the caller
	 * (mail_status_free): "451 4.2.0 Mailbox busy", "cannot connect to
	 * smtp.example.org:587: Connection refused", "250 2.0.0 Ok: queued
	 * as 4XG2". Printable ASCII only.
	 */
	char *reason;
};

/*
 * Deliver msg[0..len) (CRLF line ends, all headers present) to
 * rcpts[0..n) (plain addresses), with the envelope sender taken from
 * [smtp] from. id is the message's stable id ([A-Za-z0-9._@+=-], at
 * most 128, not starting with '.'): the spool file name when [smtp]
 * host is empty. The password is read from [smtp] password_file for
 * this call only and wiped afterwards.
 *
 * Returns 0 with status[0..n) filled in, one per recipient in order,
 * even when all of them deferred or failed; -1 with *cause (owned by
 * the caller) and status untouched when the call itself is wrong: no
 * recipients, an empty message, a bare CR or LF, a bad id.
 */
int mail_send(const struct conf *, const char *id, const char *msg, size_t len,
    const char *const *rcpts, size_t n, struct mail_status *status,
    char **cause);

/*
 * Write msg[0..len) to [smtp] spool as "<id>.eml", atomically: a hidden
 * temporary file in the same directory, fsync, rename, fsync of the
 * directory. The same id again replaces the file, so a retry never
 * makes a second one. The directory is created (mode 0700) when
 * missing. Returns 0, or -1 with *cause (owned by the caller).
 */
int mail_spool(const struct conf *, const char *id, const char *msg, size_t len,
    char **cause);

/* Free the reasons of status[0..n) (the array itself is the caller's). */
void mail_status_free(struct mail_status *status, size_t n);

/* "sent", "defer", "fail": for logs and the outbox. */
const char *mail_result_name(enum mail_result);

#endif
