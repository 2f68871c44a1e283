/* ld.so.cache: a hand-made cache in the glibc-ld.so.cache1.1 format. */
#include "unit.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "capture.h"
#include "elfgen.h"
#include "ldso/ldcache.h"
#include "lib/log.h"

struct ent { uint32_t flags; const char *key, *value; uint64_t hwcap; };

/* Build a cache image: entries must be given in the cache's order. */
static unsigned char *mkcache(const struct ent *e, unsigned n, int be, const char *const *hwcaps, size_t *len)
{
	unsigned char *p = calloc(1, 16384);
	size_t s = 48 + 24 * (size_t)n, i, ext = 0, nh = 0, hw = 0;
	size_t hoff[8];

	memcpy(p, "glibc-ld.so.cache1.1", 20);
	eg_put(p, 20, n, 4, be);
	p[28] = be ? 3 : 2;
	for (i = 0; i < n; i++) {
		size_t o = 48 + 24 * i;
		eg_put(p, o, e[i].flags, 4, be);
		eg_put(p, o + 4, s, 4, be);
		strcpy((char *)p + s, e[i].key);
		s += strlen(e[i].key) + 1;
		eg_put(p, o + 8, s, 4, be);
		strcpy((char *)p + s, e[i].value);
		s += strlen(e[i].value) + 1;
		eg_put(p, o + 16, e[i].hwcap, 8, be);
	}
	if (hwcaps) {
		for (nh = 0; hwcaps[nh]; nh++) {
			hoff[nh] = s;
			strcpy((char *)p + s, hwcaps[nh]);
			s += strlen(hwcaps[nh]) + 1;
		}
		s = (s + 3) & ~(size_t)3;
		hw = s;
		for (i = 0; i < nh; i++)
			eg_put(p, hw + 4 * i, hoff[i], 4, be);
		s += 4 * nh;
		ext = s;
		eg_put(p, ext, 0xeaa42174u, 4, be);
		eg_put(p, ext + 4, 1, 4, be);
		eg_put(p, ext + 8, 1, 4, be);       /* tag: glibc-hwcaps */
		eg_put(p, ext + 16, hw, 4, be);
		eg_put(p, ext + 20, 4 * nh, 4, be);
		s = ext + 24;
		eg_put(p, 32, ext, 4, be);
	}
	eg_put(p, 24, s - 48 - 24 * n, 4, be);
	*len = s;
	return p;
}

#define X86_64 { 0x303, 0 }
#define I386 { 3, 1 }
#define ARMHF { 0x903, 3 }
#define ARMEL { 0xb03, 3 }
#define HWEXT(i) ((1ull << 62) | (i))

static const struct ent multi[] = {
	/* ldconfig sorts names in descending ldcache_libcmp order; several
	 * ABIs in one cache */
	{ 0x303, "libz.so.1", "/lib/x86_64-linux-gnu/libz.so.1", 0 },
	{ 3, "libold.so.1", "/lib/libold.so.1", 0 }, /* unmarked ARM object */
	{ 0x303, "libfoo.so.10", "/usr/lib/libfoo.so.10", 0 },
	{ 0x303, "libfoo.so.9", "/usr/lib/libfoo.so.9", 0 },
	{ 0x303, "libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6", 0 },
	{ 0x903, "libc.so.6", "/lib/arm-linux-gnueabihf/libc.so.6", 0 },
	{ 0xb03, "libc.so.6", "/lib/arm-linux-gnueabi/libc.so.6", 0 },
	{ 3, "libc.so.6", "/lib/i386-linux-gnu/libc.so.6", 0 },
	{ 0x903, "libarmmem-v7l.so", "/usr/lib/arm-linux-gnueabihf/libarmmem-v7l.so", 0 },
};

static void lookup_per_abi(void **s)
{
	size_t n;
	int be;
	(void)s;
	for (be = 0; be < 2; be++) {
		unsigned char *p = mkcache(multi, 9, be, NULL, &n);
		struct ldcache *c;
		struct ldcache_query x = { X86_64, NULL }, i386 = { I386, NULL }, hf = { ARMHF, NULL },
				     sf = { ARMEL, NULL }, a64 = { { 0xa03, 0 }, NULL };
		assert_int_equal(ldcache_parse(&c, p, n, "/etc/ld.so.cache"), 0);
		assert_string_equal(ldcache_lookup(c, "libc.so.6", &x), "/lib/x86_64-linux-gnu/libc.so.6");
		assert_string_equal(ldcache_lookup(c, "libc.so.6", &i386), "/lib/i386-linux-gnu/libc.so.6");
		assert_string_equal(ldcache_lookup(c, "libc.so.6", &hf), "/lib/arm-linux-gnueabihf/libc.so.6");
		assert_string_equal(ldcache_lookup(c, "libc.so.6", &sf), "/lib/arm-linux-gnueabi/libc.so.6");
		assert_null(ldcache_lookup(c, "libc.so.6", &a64));
		/* unmarked objects fit either ARM float ABI */
		assert_string_equal(ldcache_lookup(c, "libold.so.1", &hf), "/lib/libold.so.1");
		assert_string_equal(ldcache_lookup(c, "libold.so.1", &sf), "/lib/libold.so.1");
		assert_null(ldcache_lookup(c, "libarmmem-v7l.so", &sf));
		assert_string_equal(ldcache_lookup(c, "libfoo.so.10", &x), "/usr/lib/libfoo.so.10");
		assert_string_equal(ldcache_lookup(c, "libfoo.so.9", &x), "/usr/lib/libfoo.so.9");
		assert_string_equal(ldcache_lookup(c, "libz.so.1", &x), "/lib/x86_64-linux-gnu/libz.so.1");
		assert_null(ldcache_lookup(c, "libzz.so.1", &x));
		assert_null(ldcache_lookup(c, "a", &x));
		ldcache_free(c);
		free(p);
	}
}

static void glibc_hwcaps_entries(void **s)
{
	static const char *const subdirs[] = { "x86-64-v2", "x86-64-v3", "x86-64-v4", NULL };
	static const struct ent e[] = {
		{ 0x303, "libp.so.1", "/lib/x86_64-linux-gnu/haswell/libp.so.1", 1ull << 5 },
		{ 0x303, "libp.so.1", "/lib/x86_64-linux-gnu/libp.so.1", 0 },
		{ 0x303, "libn.so.1", "/lib/x86_64-linux-gnu/tls/libn.so.1", 1ull << 63 },
		{ 0x303, "libm.so.6", "/lib/x86_64-linux-gnu/glibc-hwcaps/x86-64-v4/libm.so.6", HWEXT(2) },
		{ 0x303, "libm.so.6", "/lib/x86_64-linux-gnu/glibc-hwcaps/x86-64-v3/libm.so.6", HWEXT(1) },
		{ 0x303, "libm.so.6", "/lib/x86_64-linux-gnu/glibc-hwcaps/x86-64-v2/libm.so.6", HWEXT(0) },
		{ 0x303, "libm.so.6", "/lib/x86_64-linux-gnu/libm.so.6", 0 },
	};
	static const char *const v3cpu[] = { "x86-64-v3", "x86-64-v2", NULL };
	static const char *const v2cpu[] = { "x86-64-v2", NULL };
	size_t n;
	unsigned char *p = mkcache(e, 7, 0, subdirs, &n);
	struct ldcache *c;
	struct ldcache_query none = { X86_64, NULL }, v3 = { X86_64, v3cpu }, v2 = { X86_64, v2cpu };
	(void)s;
	assert_int_equal(ldcache_parse(&c, p, n, "t"), 0);
	assert_string_equal(ldcache_lookup(c, "libm.so.6", &v3), "/lib/x86_64-linux-gnu/glibc-hwcaps/x86-64-v3/libm.so.6");
	assert_string_equal(ldcache_lookup(c, "libm.so.6", &v2), "/lib/x86_64-linux-gnu/glibc-hwcaps/x86-64-v2/libm.so.6");
	assert_string_equal(ldcache_lookup(c, "libm.so.6", &none), "/lib/x86_64-linux-gnu/libm.so.6");
	assert_string_equal(ldcache_lookup(c, "libn.so.1", &none), "/lib/x86_64-linux-gnu/tls/libn.so.1");
	assert_string_equal(ldcache_lookup(c, "libp.so.1", &none), "/lib/x86_64-linux-gnu/libp.so.1");
	ldcache_free(c);
	free(p);
}

static void libcmp_order(void **s)
{
	(void)s;
	assert_true(ldcache_libcmp("libc.so.9", "libc.so.10") < 0);
	assert_true(ldcache_libcmp("libc.so.10", "libc.so.9") > 0);
	assert_int_equal(ldcache_libcmp("libz.so.1", "libz.so.1"), 0);
	assert_true(ldcache_libcmp("liba.so", "libb.so") < 0);
	assert_true(ldcache_libcmp("lib1", "liba") > 0); /* a digit sorts after a letter */
	assert_int_equal(ldcache_libcmp("x99999999999999999999999", "x99999999999999999999998"), 0);
}

static void broken_caches(void **s)
{
	size_t n, len;
	unsigned char *p = mkcache(multi, 9, 0, NULL, &n);
	struct ldcache *c;
	struct ldcache_query x = { X86_64, NULL };
	struct capture cap;
	char *msg;
	(void)s;
	/* every truncation: refused or readable, never a bad read */
	log_setup(-1, -1, LOG_ERROR);
	for (len = 0; len < n; len++) {
		unsigned char *copy = malloc(len ? len : 1);
		memcpy(copy, p, len);
		if (ldcache_parse(&c, copy, len, "t") == 0) {
			ldcache_lookup(c, "libc.so.6", &x);
			ldcache_lookup(c, "libz.so.1", &x);
			ldcache_free(c);
		}
		free(copy);
	}
	/* string offsets pointing anywhere */
	eg_put(p, 48 + 24 * 4 + 4, 0xfffffff0u, 4, 0); /* libc.so.6's key */
	eg_put(p, 48 + 24 * 1 + 8, (uint32_t)n - 1, 4, 0);
	p[n - 1] = 'x'; /* the last string loses its NUL */
	assert_int_equal(ldcache_parse(&c, p, n, "t"), 0);
	ldcache_lookup(c, "libc.so.6", &x);
	ldcache_lookup(c, "libz.so.1", &x);
	ldcache_free(c);
	log_setup(2, -1, LOG_INFO);
	/* too many entries for the file */
	eg_put(p, 20, 100000, 4, 0);
	capture_start(&cap, 2);
	assert_int_equal(ldcache_parse(&c, p, n, "/etc/ld.so.cache"), -EINVAL);
	msg = capture_end(&cap);
	assert_non_null(strstr(msg, "root2ram: /etc/ld.so.cache: ld.so.cache truncated"));
	free(msg);
	free(p);
	/* the old format is refused */
	capture_start(&cap, 2);
	assert_int_equal(ldcache_parse(&c, "ld.so-1.7.0\0\0\0\0\0", 16, "/etc/ld.so.cache"), -ENOTSUP);
	free(capture_end(&cap));
	log_setup(-1, -1, LOG_ERROR);
	assert_int_equal(ldcache_parse(&c, "garbage", 7, "t"), -EINVAL);
	log_setup(2, -1, LOG_INFO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lookup_per_abi),
		cmocka_unit_test(glibc_hwcaps_entries),
		cmocka_unit_test(libcmp_order),
		cmocka_unit_test(broken_caches),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
