/*
 * log: one line per event on stderr, for journald.
 *
 * Callable from any thread; never from a signal handler. Lines carry a
 * sd-daemon priority prefix ("<3>", "<4>", "<6>", "<7>") when stderr is the
 * journal, so the journal records the right priority; on a terminal the
 * prefix is left out. Never log tokens or report text.
 */
#ifndef ESTD_LOG_H
#define ESTD_LOG_H

#include <stdarg.h>

void log_init(const char *progname, int debug);
void log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
/* log_warn appends ": strerror(errno)"; log_warnx does not. */
void log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_err(const char *, ...) __attribute__((format(printf, 1, 2)));
/* fatal and fatalx log at priority 2 and exit(1). */
void fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
