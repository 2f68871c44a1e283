/* The allocator of the static musl builds (init/lib/alloc.c), run here
 * through its alloc_* names: alignment, no overlap, reuse instead of growth,
 * calloc's zeroes and overflow, realloc keeping the bytes, large blocks
 * given back to the kernel. */
#include "unit.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/alloc.h"

#define ALIGN _Alignof(max_align_t)

static int mapped(const void *p)
{
	unsigned char v;
	long pg = sysconf(_SC_PAGESIZE);

	return mincore((void *)((uintptr_t)p & ~(uintptr_t)(pg - 1)), 1, &v) == 0;
}

/* sizes across every class, the limit of the small blocks and beyond */
static const size_t sizes[] = { 0,     1,     7,     8,     9,     15,    16,    17,
				24,    40,    100,   1000,  4095,  4096,  40000, 49144,
				49145, 65519, 65520, 65521, 65528, 65536, 70000, 1 << 20 };
#define NSIZES (sizeof sizes / sizeof *sizes)

static void aligned_and_apart(void **s)
{
	unsigned char *p[NSIZES];
	size_t i, k;
	(void)s;

	for (i = 0; i < NSIZES; i++) {
		p[i] = alloc_malloc(sizes[i]);
		assert_non_null(p[i]);
		assert_true((uintptr_t)p[i] % ALIGN == 0);
		assert_true(alloc_usable_size(p[i]) >= sizes[i]);
		/* at most a third wasted in a small block */
		assert_true(sizes[i] < 16 || alloc_usable_size(p[i]) + ALIGN <= (sizes[i] + ALIGN) / 2 * 3);
		memset(p[i], (int)i, sizes[i]);
	}
	for (i = 0; i < NSIZES; i++)
		for (k = 0; k < sizes[i]; k++)
			if (p[i][k] != (unsigned char)i)
				fail_msg("block %zu (%zu bytes) overwritten at %zu", i, sizes[i], k);
	for (i = 0; i < NSIZES; i++)
		alloc_free(p[i]);
	alloc_free(NULL);
}

/* Blocks freed are what the next requests of their class get: a loop that
 * allocates and frees never needs more than its first round. */
static void freed_blocks_reused(void **s)
{
	enum { N = 300, ROUNDS = 50 };
	void *first[N], *p[N];
	int r, i, k;
	(void)s;

	for (i = 0; i < N; i++)
		assert_non_null(first[i] = alloc_malloc((size_t)(i * 37 % 3000)));
	for (i = 0; i < N; i++)
		alloc_free(first[i]);
	for (r = 0; r < ROUNDS; r++) {
		for (i = 0; i < N; i++) {
			assert_non_null(p[i] = alloc_malloc((size_t)(i * 37 % 3000)));
			for (k = 0; k < N && p[i] != first[k]; k++)
				;
			if (k == N)
				fail_msg("round %d: block %d is new memory", r, i);
		}
		for (i = N; i-- > 0;)
			alloc_free(p[i]);
	}
}

static void calloc_zeroes_and_overflow(void **s)
{
	unsigned char *p;
	size_t i;
	(void)s;

	p = alloc_malloc(200);
	assert_non_null(p);
	memset(p, 0xa5, 200);
	alloc_free(p);
	p = alloc_calloc(25, 8); /* the same block back, dirty */
	assert_non_null(p);
	for (i = 0; i < 200; i++)
		assert_int_equal(p[i], 0);
	alloc_free(p);
	p = alloc_calloc(1, 300000);
	assert_non_null(p);
	assert_int_equal(p[0] | p[299999], 0);
	alloc_free(p);
	errno = 0;
	assert_null(alloc_calloc(SIZE_MAX / 2 + 2, 2));
	assert_int_equal(errno, ENOMEM);
	errno = 0;
	assert_null(alloc_calloc(3, SIZE_MAX / 3 + 1));
	assert_int_equal(errno, ENOMEM);
	assert_non_null(p = alloc_calloc(0, 0));
	alloc_free(p);
}

static void too_large(void **s)
{
	void *p = alloc_malloc(1 << 20);
	(void)s;
	errno = 0;
	assert_null(alloc_malloc(SIZE_MAX));
	assert_int_equal(errno, ENOMEM);
	errno = 0;
	assert_null(alloc_malloc((size_t)PTRDIFF_MAX));
	assert_int_equal(errno, ENOMEM);
	errno = 0;
	assert_null(alloc_realloc(p, SIZE_MAX - 10));
	assert_int_equal(errno, ENOMEM);
	alloc_free(p);
}

static void check_bytes(const unsigned char *p, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (p[i] != (unsigned char)(i * 7))
			fail_msg("byte %zu lost", i);
}

static void realloc_keeps_bytes(void **s)
{
	unsigned char *p = alloc_realloc(NULL, 10), *q;
	size_t n = 10, i;
	(void)s;

	assert_non_null(p);
	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 7);
	/* grows through every class into a mapping, then the mapping grows */
	while (n < (4u << 20)) {
		size_t m = n + n / 2 + 1;
		p = alloc_realloc(p, m);
		assert_non_null(p);
		assert_true((uintptr_t)p % ALIGN == 0);
		check_bytes(p, n);
		for (i = n; i < m; i++)
			p[i] = (unsigned char)(i * 7);
		n = m;
	}
	/* a mapping shrinks, a small block stays where it is */
	p = alloc_realloc(p, 100000);
	assert_non_null(p);
	check_bytes(p, 100000);
	q = alloc_realloc(p, 50);
	assert_non_null(q);
	check_bytes(q, 50);
	alloc_free(q);
	p = alloc_malloc(1000);
	assert_ptr_equal(alloc_realloc(p, 900), p);
	assert_ptr_equal(alloc_realloc(p, 0), p);
	alloc_free(p);
}

/* A large block is a mapping of its own: free() gives it back, and keeps
 * errno as it was (callers report errno after freeing). */
static void large_blocks_unmapped(void **s)
{
	char *p = alloc_malloc(3 << 20);
	(void)s;

	assert_non_null(p);
	memset(p, 1, 3 << 20);
	assert_true(mapped(p) && mapped(p + (2 << 20)));
	errno = EILSEQ;
	alloc_free(p);
	assert_int_equal(errno, EILSEQ);
	assert_false(mapped(p));
	assert_false(mapped(p + (2 << 20)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(aligned_and_apart),
		cmocka_unit_test(freed_blocks_reused),
		cmocka_unit_test(calloc_zeroes_and_overflow),
		cmocka_unit_test(too_large),
		cmocka_unit_test(realloc_keeps_bytes),
		cmocka_unit_test(large_blocks_unmapped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
