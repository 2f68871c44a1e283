/* alloc.c - see alloc.h. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "lib/alloc.h"

/* Every block starts with a header of one alignment unit (8 bytes on
 * armel, 16 on arm64 and x86-64): the size class of a small block, or the
 * bytes a large one holds.  Small blocks are two sizes per power of two,
 * header included: 16, 24, 32, 48 ... 48 KiB, 64 KiB on armel (32, 48 ...
 * with a 16-byte header), so a block wastes at most a third. */
#define HDR _Alignof(max_align_t)
#define MAX_BLOCK ((size_t)64 << 10)
#define NCLASS 26
#define REGION ((size_t)256 << 10)
#define PAGE ((size_t)4096) /* the smallest page: mmap rounds up to the real one */

struct header {
	size_t v; /* < NCLASS: a small block's class; else a large block's usable bytes */
};
#define HEAD(p) ((struct header *)((char *)(p) - HDR))

static void *free_list[NCLASS]; /* a free block's first word: the next one */
static char *cur, *end;         /* the part of the last region not carved yet */

static size_t block_size(unsigned c) { return (size_t)(2 + (c & 1)) * HDR << (c >> 1); }

void *alloc_malloc(size_t n)
{
	struct header *h;
	unsigned c = 0;

	if (n > MAX_BLOCK - HDR) {
		size_t len = (n + HDR + PAGE - 1) & ~(PAGE - 1);
		if (n > (size_t)PTRDIFF_MAX - HDR - PAGE) {
			errno = ENOMEM;
			return NULL;
		}
		h = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (h == MAP_FAILED)
			return NULL;
		h->v = len - HDR;
		return (char *)h + HDR;
	}
	while (block_size(c) < n + HDR)
		c++;
	if (free_list[c]) {
		void *p = free_list[c];
		free_list[c] = *(void **)p;
		return p;
	}
	if ((size_t)(end - cur) < block_size(c)) {
		/* the rest of the old region stays untouched: address space, no RAM */
		char *m = mmap(NULL, REGION, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			return NULL;
		cur = m;
		end = m + REGION;
	}
	h = (struct header *)cur;
	cur += block_size(c);
	h->v = c;
	return (char *)h + HDR;
}

void alloc_free(void *p)
{
	struct header *h;
	int saved = errno;

	if (!p)
		return;
	h = HEAD(p);
	if (h->v < NCLASS) {
		*(void **)p = free_list[h->v];
		free_list[h->v] = p;
	} else {
		munmap(h, h->v + HDR);
		errno = saved;
	}
}

size_t alloc_usable_size(const void *p)
{
	const struct header *h;

	if (!p)
		return 0;
	h = (const struct header *)((const char *)p - HDR);
	return h->v < NCLASS ? block_size((unsigned)h->v) - HDR : h->v;
}

void *alloc_calloc(size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	n *= size;
	p = alloc_malloc(n);
	/* a large block is a fresh mapping, zero already */
	if (p && HEAD(p)->v < NCLASS)
		memset(p, 0, n);
	return p;
}

void *alloc_realloc(void *p, size_t n)
{
	size_t have = alloc_usable_size(p);
	void *q;

	if (!p)
		return alloc_malloc(n);
	if (HEAD(p)->v >= NCLASS && n > MAX_BLOCK - HDR) {
		size_t len = (n + HDR + PAGE - 1) & ~(PAGE - 1);
		struct header *h;
		if (n > (size_t)PTRDIFF_MAX - HDR - PAGE) {
			errno = ENOMEM;
			return NULL;
		}
		h = mremap(HEAD(p), have + HDR, len, MREMAP_MAYMOVE);
		if (h == MAP_FAILED)
			return NULL;
		h->v = len - HDR;
		return (char *)h + HDR;
	}
	if (n <= have)
		return p;
	if (!(q = alloc_malloc(n)))
		return NULL;
	memcpy(q, p, have);
	alloc_free(p);
	return q;
}

#ifndef __GLIBC__
void *malloc(size_t n) __attribute__((alias("alloc_malloc")));
void free(void *p) __attribute__((alias("alloc_free")));
void *calloc(size_t n, size_t size) __attribute__((alias("alloc_calloc")));
void *realloc(void *p, size_t n) __attribute__((alias("alloc_realloc")));
#endif
