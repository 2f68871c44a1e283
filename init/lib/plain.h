/* plain.h - small versions of C library functions for the static builds.
 *
 * musl's qsort (smoothsort, 2 KiB) and strstr (two-way, 1.4 KiB) are made
 * for inputs root2ram never has: it sorts a plan's entries and searches
 * short lines.  Where the C library is not glibc these become qsort and
 * strstr (README: Dependencies); the plain_* names are always built, for
 * the unit tests.  The static builds' fork is musl's _Fork as well: a
 * program with one thread has no atfork handlers or other threads' locks
 * to take, and musl's fork pulls its thread locks (3 KiB) for them.
 */
#ifndef R2R_PLAIN_H
#define R2R_PLAIN_H

#include <stddef.h>

/* A heapsort: O(n log n) comparisons, no memory, not stable (as musl's). */
void plain_qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));
/* The first n in h, or NULL; O(strlen(h) * strlen(n)). */
char *plain_strstr(const char *h, const char *n);

#endif
