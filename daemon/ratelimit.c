/*
 * ratelimit: see ratelimit.h.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ratelimit.h"
#include "xmalloc.h"

#define SLOTS 4096

struct slot {
	uint64_t key;
	time_t minute;
	int count;
};

struct ratelimit {
	pthread_mutex_t lock;
	int limit;
	struct slot slots[SLOTS];
};

/* FNV-1a: only spreads addresses over slots, not a secret. */
static uint64_t
hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

struct ratelimit *
ratelimit_new(int per_minute)
{
	struct ratelimit *rl = xcalloc(1, sizeof(*rl));

	rl->limit = per_minute;
	pthread_mutex_init(&rl->lock, NULL);
	return rl;
}

void
ratelimit_free(struct ratelimit *rl)
{
	if (rl == NULL)
		return;
	pthread_mutex_destroy(&rl->lock);
	free(rl);
}

static struct slot *
slot_of(struct ratelimit *rl, const char *addr, time_t now)
{
	uint64_t h = hash(addr);
	struct slot *s = &rl->slots[h % SLOTS];

	if (s->key != h || s->minute != now / 60) {
		s->key = h;
		s->minute = now / 60;
		s->count = 0;
	}
	return s;
}

int
ratelimit_blocked(struct ratelimit *rl, const char *addr, time_t now)
{
	int blocked;

	pthread_mutex_lock(&rl->lock);
	blocked = slot_of(rl, addr, now)->count >= rl->limit;
	pthread_mutex_unlock(&rl->lock);
	return blocked;
}

void
ratelimit_fail(struct ratelimit *rl, const char *addr, time_t now)
{
	pthread_mutex_lock(&rl->lock);
	slot_of(rl, addr, now)->count++;
	pthread_mutex_unlock(&rl->lock);
}

int
ratelimit_retry_after(struct ratelimit *rl, const char *addr, time_t now)
{
	(void)rl;
	(void)addr;
	return (int)(60 - now % 60);
}
