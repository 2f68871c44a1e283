/* ldcache.h - the root's /etc/ld.so.cache, read as glibc's loader reads it.
 *
 * Only the format ldconfig has written by default since glibc 2.32,
 * "glibc-ld.so.cache1.1" at the start of the file (elf/dl-cache.c).  The
 * old "ld.so-1.7.0" format, with or without the new one embedded after
 * it, is refused (-ENOTSUP) and the caller falls back to ld.so.conf.
 *
 * One cache may list libraries of several architectures (an x86_64 host
 * with i386 and armel libraries): each entry's flags say which ABI it is
 * for, and a lookup takes only the entries its query accepts, as
 * _dl_cache_check_flags does in the loader of that architecture.
 */
#ifndef R2R_LDCACHE_H
#define R2R_LDCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/rootfs.h"

/* Entry flags (glibc's sysdeps/generic/ldconfig.h). */
enum {
	LDCACHE_FLAG_ELF = 0x0001,
	LDCACHE_FLAG_ELF_LIBC6 = 0x0003,
	LDCACHE_FLAG_SPARC_LIB64 = 0x0100,
	LDCACHE_FLAG_X8664_LIB64 = 0x0300,
	LDCACHE_FLAG_S390_LIB64 = 0x0400,
	LDCACHE_FLAG_POWERPC_LIB64 = 0x0500,
	LDCACHE_FLAG_MIPS64_LIBN64 = 0x0700,
	LDCACHE_FLAG_X8664_LIBX32 = 0x0800,
	LDCACHE_FLAG_ARM_LIBHF = 0x0900,
	LDCACHE_FLAG_AARCH64_LIB64 = 0x0a00,
	LDCACHE_FLAG_ARM_LIBSF = 0x0b00,
	LDCACHE_FLAG_RISCV_FLOAT_ABI_DOUBLE = 0x1000,
	LDCACHE_FLAG_LARCH_FLOAT_ABI_DOUBLE = 0x1200,
};

/* What one loader accepts. */
struct ldcache_query {
	/* _dl_cache_check_flags: an entry is taken if its flags equal one of
	 * these (0 ends the list early). */
	uint32_t flags[2];
	/* glibc-hwcaps subdirectories this CPU can use, best first
	 * ("x86-64-v3", "x86-64-v2"), NULL-terminated; NULL: none. */
	const char *const *hwcaps;
};

struct ldcache;

/* Read `path` (normally "/etc/ld.so.cache") inside the root.  0, -ENOENT
 * when there is none, -ENOTSUP for the old format, -EINVAL when it is
 * malformed (logged with the path). */
int ldcache_open(struct ldcache **out, const struct rootfs *r, const char *path);

/* The same from a buffer (copied). */
int ldcache_parse(struct ldcache **out, const void *buf, size_t len, const char *path);

void ldcache_free(struct ldcache *c);

/* The path the loader would take from the cache for `name`, or NULL.  The
 * string lives as long as the cache. */
const char *ldcache_lookup(const struct ldcache *c, const char *name, const struct ldcache_query *q);

/* glibc's _dl_cache_libcmp: the order of the cache, numbers compared as
 * numbers ("libc.so.10" after "libc.so.9"). */
int ldcache_libcmp(const char *a, const char *b);

#endif
