/*
 * outbox: see outbox.h.
 */
#include "outbox.h"

time_t
outbox_retry_at(int attempts, time_t now, uint32_t jitter)
{
	long delay = OUTBOX_FIRST_RETRY;
	long spread;

	for (int i = 1; i < attempts && delay < OUTBOX_MAX_RETRY; i++)
		delay *= 2;
	if (delay > OUTBOX_MAX_RETRY)
		delay = OUTBOX_MAX_RETRY;
	spread = delay / 10;
	delay += (long)(jitter % (uint32_t)(2 * spread + 1)) - spread;
	return now + delay;
}

enum outbox_state
outbox_after(enum mail_result r, int attempts, time_t created, time_t now,
    uint32_t jitter, time_t *next_at)
{
	*next_at = 0;
	switch (r) {
	case MAIL_SENT: return OUTBOX_SENT;
	case MAIL_FAIL: return OUTBOX_FAILED;
	case MAIL_DEFER: break;
	}
	if (now - created >= OUTBOX_GIVE_UP)
		return OUTBOX_FAILED;
	*next_at = outbox_retry_at(attempts, now, jitter);
	return OUTBOX_QUEUED;
}
