/* The small qsort and strstr of the static builds (init/lib/plain.c), run
 * here through their plain_* names, against what the C library answers. */
#include "unit.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/plain.h"

static int by_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* a record larger than the swap buffer, keyed by a string */
struct rec {
	char key[16];
	unsigned char pad[100];
	unsigned sum;
};
static int by_key(const void *a, const void *b) { return strcmp(((const struct rec *)a)->key, ((const struct rec *)b)->key); }

static void sorts_like_qsort(void **s)
{
	static const size_t sizes[] = { 0, 1, 2, 3, 7, 64, 100, 1000, 4099 };
	static int a[4099], want[4099];
	uint32_t seed = 12345;
	size_t k, i;
	(void)s;

	for (k = 0; k < sizeof sizes / sizeof *sizes; k++) {
		size_t n = sizes[k];
		for (i = 0; i < n; i++) {
			seed = seed * 1103515245 + 12345;
			/* few distinct values in half the runs: ties */
			a[i] = (int)(k % 2 ? seed >> 8 : (seed >> 16) % 7);
		}
		memcpy(want, a, n * sizeof *a);
		qsort(want, n, sizeof *want, by_int);
		plain_qsort(a, n, sizeof *a, by_int);
		if (n)
			assert_memory_equal(a, want, n * sizeof *a);
	}
	/* already sorted, and reversed */
	for (i = 0; i < 1000; i++)
		a[i] = (int)i;
	plain_qsort(a, 1000, sizeof *a, by_int);
	for (i = 0; i < 1000; i++)
		assert_int_equal(a[i], (int)i);
	for (i = 0; i < 1000; i++)
		a[i] = (int)(1000 - i);
	plain_qsort(a, 1000, sizeof *a, by_int);
	for (i = 0; i < 1000; i++)
		assert_int_equal(a[i], (int)i + 1);
}

static void moves_whole_records(void **s)
{
	enum { N = 300 };
	static struct rec r[N];
	size_t i, k;
	(void)s;

	for (i = 0; i < N; i++) {
		snprintf(r[i].key, sizeof r[i].key, "/usr/%03zu", (i * 7919) % N);
		memset(r[i].pad, (int)((i * 7919) % N), sizeof r[i].pad);
		r[i].sum = (unsigned)((i * 7919) % N);
	}
	plain_qsort(r, N, sizeof *r, by_key);
	for (i = 0; i < N; i++) {
		char want[16];
		snprintf(want, sizeof want, "/usr/%03zu", i);
		assert_string_equal(r[i].key, want);
		assert_int_equal(r[i].sum, i);
		for (k = 0; k < sizeof r[i].pad; k++)
			assert_int_equal(r[i].pad[k], (unsigned char)i);
	}
}

static void finds_like_strstr(void **s)
{
	static const char *const h[] = { "", "a", "abc", "aab", "::respawn:/usr/sbin/dropbear -F -R",
					 "ababababc", "x - nfs 10.0.2.2:/srv rw" };
	static const char *const n[] = { "", "a", "b", "c", "abc", "ab", "abababc", "/dropbear ",
					 "-R", " - ", "zz", "abcd" };
	size_t i, k;
	(void)s;

	for (i = 0; i < sizeof h / sizeof *h; i++)
		for (k = 0; k < sizeof n / sizeof *n; k++)
			if (plain_strstr(h[i], n[k]) != strstr(h[i], n[k]))
				fail_msg("strstr(\"%s\", \"%s\")", h[i], n[k]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sorts_like_qsort),
		cmocka_unit_test(moves_whole_records),
		cmocka_unit_test(finds_like_strstr),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
