/*
 * dbpool: see dbpool.h.
 */
#include <pthread.h>
#include <stdlib.h>

#include "dbpool.h"
#include "xmalloc.h"

struct dbpool {
	pthread_mutex_t lock;
	pthread_cond_t freed;
	int n;
	int n_free;
	struct store **all;
	struct store **free_list;
};

struct dbpool *
dbpool_open(const char *path, int n, char **cause)
{
	struct dbpool *p = xcalloc(1, sizeof(*p));

	p->all = xcalloc((size_t)n, sizeof(*p->all));
	p->free_list = xcalloc((size_t)n, sizeof(*p->free_list));
	for (p->n = 0; p->n < n; p->n++) {
		if ((p->all[p->n] = store_open(path, STORE_READER, cause)) ==
		    NULL) {
			dbpool_close(p);
			return NULL;
		}
		p->free_list[p->n] = p->all[p->n];
	}
	p->n_free = n;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->freed, NULL);
	return p;
}

void
dbpool_close(struct dbpool *p)
{
	if (p == NULL)
		return;
	for (int i = 0; i < p->n; i++)
		store_close(p->all[i]);
	if (p->n_free == p->n && p->n > 0) {
		pthread_mutex_destroy(&p->lock);
		pthread_cond_destroy(&p->freed);
	}
	free(p->all);
	free(p->free_list);
	free(p);
}

struct store *
dbpool_get(struct dbpool *p)
{
	struct store *s;

	pthread_mutex_lock(&p->lock);
	while (p->n_free == 0)
		pthread_cond_wait(&p->freed, &p->lock);
	s = p->free_list[--p->n_free];
	pthread_mutex_unlock(&p->lock);
	return s;
}

void
dbpool_put(struct dbpool *p, struct store *s)
{
	pthread_mutex_lock(&p->lock);
	p->free_list[p->n_free++] = s;
	pthread_cond_signal(&p->freed);
	pthread_mutex_unlock(&p->lock);
}
