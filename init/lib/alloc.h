/* alloc.h - the memory allocator of the static musl builds.
 *
 * malloc, free, calloc and realloc for the armel and arm64 inits, in place
 * of musl's mallocng, which costs 9 KiB of the armel init's size budget
 * (README: Dependencies).  Blocks up to 64 KiB come from free lists by size
 * class (two classes per power of two), carved from 256 KiB mappings and
 * reused, never unmapped: what a process holds is bounded by the most it
 * ever had in use of each class.  Larger blocks are mappings of their own,
 * given back at free() (and grown in place or moved by mremap).
 *
 * Not thread-safe: root2ram runs one thread per process (the copy workers
 * are processes, see stage/copy.c).
 *
 * The alloc_* functions are always built, so that the unit tests can run
 * them on the host, under ASan and under qemu-user; malloc and friends
 * become them only where the C library is not glibc (host, sanitizer and
 * unit test builds keep glibc's, and the sanitizers' checks).
 */
#ifndef R2R_ALLOC_H
#define R2R_ALLOC_H

#include <stddef.h>

void *alloc_malloc(size_t n);
void alloc_free(void *p);
/* NULL with errno ENOMEM when n * size overflows. */
void *alloc_calloc(size_t n, size_t size);
void *alloc_realloc(void *p, size_t n);
/* The bytes p may hold (at least what was asked for). */
size_t alloc_usable_size(const void *p);

#endif
