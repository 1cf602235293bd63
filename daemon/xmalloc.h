/*
 * xmalloc: allocators that never return NULL (they call fatal on
 * exhaustion), as in OpenBSD's and tmux's xmalloc. Memory they return is
 * owned by the caller and released with free(3).
 */
#ifndef ESTD_XMALLOC_H
#define ESTD_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t);
void *xcalloc(size_t, size_t);
void *xreallocarray(void *, size_t, size_t);
char *xstrdup(const char *);
char *xstrndup(const char *, size_t);
int xasprintf(char **, const char *, ...) __attribute__((format(printf, 2, 3)));
/* Wipe a secret (token, session id) before it is freed. */
void freezero_str(char *);

#endif
