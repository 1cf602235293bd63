/*
 * outbox: the delivery policy of queued mail. Pure.
 *
 * A mail the relay accepted is sent; one it refused for good (5xx) is
 * failed at once and never retried; anything else (4xx, no connection,
 * a timeout, a TLS failure) is retried with growing back-off: 5 minutes,
 * doubling to at most 4000 s (about 67 minutes), with ±10 % jitter so
 * mails queued together do not hit a recovering relay together. After
 * OUTBOX_GIVE_UP seconds of trying, a mail is failed with the last error.
 *
 * Callers: deliver.
 */
#ifndef ESTD_OUTBOX_H
#define ESTD_OUTBOX_H

#include <stdint.h>
#include <time.h>

#include "mail.h"
#include "store.h"

#define OUTBOX_FIRST_RETRY 300
#define OUTBOX_MAX_RETRY 4000
#define OUTBOX_GIVE_UP (5 * 24 * 3600) /* 5 days, as Postfix */
#define OUTBOX_LEASE 900 /* longer than any SMTP timeout */

/*
 * When to try again after `attempts` attempts (1 = the first failed).
 * `jitter` is any random number.
 */
time_t outbox_retry_at(int attempts, time_t now, uint32_t jitter);

/*
 * The state after an attempt: OUTBOX_SENT, OUTBOX_QUEUED (with *next_at) or
 * OUTBOX_FAILED. `created` is when the mail was queued.
 */
enum outbox_state outbox_after(enum mail_result, int attempts, time_t created,
    time_t now, uint32_t jitter, time_t *next_at);

#endif
