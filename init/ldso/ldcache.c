/* ldcache.c - see ldcache.h.
 *
 * Layout of the new format (glibc sysdeps/generic/dl-cache.h), all fields
 * in the byte order the header's flags name:
 *   0  magic "glibc-ld.so.cache" "1.1"      20 bytes
 *  20  nlibs, len_strings                    u32, u32
 *  28  flags (bits 0-1: 2 little, 3 big endian, 0 unknown), 3 bytes pad
 *  32  extension_offset                      u32
 *  36  unused[3]
 *  48  entries: flags i32, key u32, value u32, osversion u32, hwcap u64
 * then the strings; key and value are offsets from the start of the file.
 * The extension directory (magic 0xeaa42174) lists sections; tag 1 holds
 * the glibc-hwcaps subdirectory names an entry's hwcap field indexes.
 */
/* 64-bit off_t, ino_t and d_off with 32-bit glibc too (the armel unit
 * tests); musl has them always. */
#define _FILE_OFFSET_BITS 64
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ldso/bytes.h"
#include "ldso/ldcache.h"
#include "lib/file.h"
#include "lib/log.h"

#define MAGIC_NEW "glibc-ld.so.cache1.1"
#define MAGIC_OLD "ld.so-1.7.0"
#define HDR 48u
#define ENTRY 24u
#define EXT_MAGIC 0xeaa42174u
#define EXT_TAG_HWCAPS 1u
#define HWCAP_EXTENSION (1ull << 62)
#define HWCAP_ISA_LEVEL_MASK 0x3ffull
#define HWCAP_TLS (1ull << 63)
#define MAX_CACHE (64u << 20)

struct ldcache {
	unsigned char *p;
	size_t len;
	int be;
	uint32_t nlibs;
	uint32_t hwcaps_off, hwcaps_n; /* the glibc-hwcaps section, or 0 */
};

/* The 32-bit field at off, which the caller has checked lies in the file. */
static uint32_t get32(const struct ldcache *c, size_t off)
{
	return rd32(c->p + off, c->be);
}

/* A string at a file offset, or NULL if it is not inside the file and
 * terminated there. */
static const char *str(const struct ldcache *c, uint64_t off)
{
	if (off >= c->len || !memchr(c->p + off, '\0', c->len - (size_t)off))
		return NULL;
	return (const char *)c->p + off;
}

int ldcache_parse(struct ldcache **out, const void *buf, size_t len, const char *path)
{
	struct ldcache *c;
	unsigned endian;
	uint32_t ext;

	*out = NULL;
	if (len >= sizeof MAGIC_OLD - 1 && memcmp(buf, MAGIC_OLD, sizeof MAGIC_OLD - 1) == 0) {
		warn("%s: old ld.so.cache format (ld.so-1.7.0) is not read; using ld.so.conf", path);
		return -ENOTSUP;
	}
	if (len <= HDR || memcmp(buf, MAGIC_NEW, sizeof MAGIC_NEW - 1) != 0) {
		error("%s: not an ld.so.cache (no %s header)", path, MAGIC_NEW);
		return -EINVAL;
	}
	c = calloc(1, sizeof *c);
	if (!c)
		return -ENOMEM;
	c->p = malloc(len);
	if (!c->p) {
		free(c);
		return -ENOMEM;
	}
	memcpy(c->p, buf, len);
	c->len = len;
	endian = c->p[28] & 3;
	if (endian == 1) {
		error("%s: ld.so.cache marks its byte order invalid", path);
		ldcache_free(c);
		return -EINVAL;
	}
	/* Unknown byte order (written before glibc 2.32): take the one that
	 * gives a plausible entry count. */
	c->be = endian == 3;
	if (endian == 0 && get32(c, 20) > (len - HDR) / ENTRY)
		c->be = 1;
	c->nlibs = get32(c, 20);
	if (c->nlibs > (len - HDR) / ENTRY) {
		error("%s: ld.so.cache truncated: %u entries do not fit", path, c->nlibs);
		ldcache_free(c);
		return -EINVAL;
	}
	ext = get32(c, 32);
	if (ext && ext % 4 == 0 && ext <= len - 8 && get32(c, ext) == EXT_MAGIC) {
		uint32_t i, count = get32(c, ext + 4);
		for (i = 0; i < count && (size_t)ext + 8 + 16 * ((uint64_t)i + 1) <= len; i++) {
			size_t s = ext + 8 + 16 * (size_t)i;
			uint32_t off = get32(c, s + 8), size = get32(c, s + 12);
			if (get32(c, s) == EXT_TAG_HWCAPS && off <= len && size <= len - off) {
				c->hwcaps_off = off;
				c->hwcaps_n = size / 4;
			}
		}
	}
	*out = c;
	return 0;
}

int ldcache_open(struct ldcache **out, const struct rootfs *r, const char *path)
{
	struct stat st;
	unsigned char *buf;
	ssize_t n;
	int fd, e;

	*out = NULL;
	fd = rootfs_openat(r, path, O_RDONLY);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (unsigned long long)st.st_size > MAX_CACHE) {
		close(fd);
		error("%s%s: not a regular file of a sane size", r->dir, path);
		return -EINVAL;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	n = read_full(fd, buf, (size_t)st.st_size);
	close(fd);
	if (n >= 0 && n < st.st_size)
		n = -EIO; /* shorter than fstat said: being rewritten */
	if (n < 0) {
		error("%s%s: %s", r->dir, path, strerror((int)-n));
		free(buf);
		return (int)n;
	}
	e = ldcache_parse(out, buf, (size_t)n, path);
	free(buf);
	return e;
}

void ldcache_free(struct ldcache *c)
{
	if (!c)
		return;
	free(c->p);
	free(c);
}

int ldcache_libcmp(const char *p1, const char *p2)
{
	while (*p1 != '\0') {
		if (*p1 >= '0' && *p1 <= '9') {
			if (*p2 >= '0' && *p2 <= '9') {
				/* numbers compare as numbers (saturating, not
				 * glibc's overflow, on hostile input) */
				unsigned long long v1 = 0, v2 = 0;
				while (*p1 >= '0' && *p1 <= '9')
					v1 = v1 < 1000000000000ull ? v1 * 10 + (unsigned)(*p1++ - '0') : (p1++, v1);
				while (*p2 >= '0' && *p2 <= '9')
					v2 = v2 < 1000000000000ull ? v2 * 10 + (unsigned)(*p2++ - '0') : (p2++, v2);
				if (v1 != v2)
					return v1 < v2 ? -1 : 1;
			} else {
				return 1;
			}
		} else if (*p2 >= '0' && *p2 <= '9') {
			return -1;
		} else if (*p1 != *p2) {
			return (unsigned char)*p1 - (unsigned char)*p2;
		} else {
			++p1;
			++p2;
		}
	}
	return (unsigned char)*p1 - (unsigned char)*p2;
}

static const char *key_of(const struct ldcache *c, uint32_t i)
{
	return str(c, get32(c, HDR + (size_t)i * ENTRY + 4));
}

/* The priority of a glibc-hwcaps subdirectory for this query: 1 for the
 * best, 0 when this CPU cannot use it. */
static unsigned hwcaps_priority(const struct ldcache *c, uint32_t index, const struct ldcache_query *q)
{
	const char *name;
	unsigned i;

	if (!q->hwcaps || index >= c->hwcaps_n)
		return 0;
	name = str(c, get32(c, c->hwcaps_off + 4 * (size_t)index));
	if (!name)
		return 0;
	for (i = 0; q->hwcaps[i]; i++)
		if (strcmp(q->hwcaps[i], name) == 0)
			return i + 1;
	return 0;
}

/* glibc's search_cache: a binary search on the keys (ldconfig sorts them
 * in descending _dl_cache_libcmp order), back to the
 * first entry of the name, then the entries of that name in order: named
 * glibc-hwcaps entries come first and the best usable one wins; else the
 * first plain entry whose flags this loader accepts. */
const char *ldcache_lookup(const struct ldcache *c, const char *name, const struct ldcache_query *q)
{
	int64_t left = 0, right = (int64_t)c->nlibs - 1;
	const char *best = NULL;
	unsigned best_prio = 0;

	while (left <= right) {
		int64_t mid = (left + right) / 2;
		const char *key = key_of(c, (uint32_t)mid);
		int cmp;

		if (!key)
			return NULL;
		cmp = ldcache_libcmp(name, key);
		if (cmp == 0) {
			while (mid > 0) {
				key = key_of(c, (uint32_t)mid - 1);
				if (!key || ldcache_libcmp(name, key) != 0)
					break;
				mid--;
			}
			for (; mid < (int64_t)c->nlibs; mid++) {
				size_t e = HDR + (size_t)mid * ENTRY;
				uint32_t flags = get32(c, e);
				uint64_t hwcap = rd64(c->p + e + 16, c->be);
				const char *value;
				int named;

				key = key_of(c, (uint32_t)mid);
				if (!key || ldcache_libcmp(name, key) != 0)
					break;
				if (flags != q->flags[0] && (!q->flags[1] || flags != q->flags[1]))
					continue;
				value = str(c, get32(c, e + 8));
				if (!value)
					continue;
				named = ((hwcap >> 32) & ~HWCAP_ISA_LEVEL_MASK) == (HWCAP_EXTENSION >> 32);
				if (!named && best)
					break; /* the hwcaps entries came first */
				if (named) {
					unsigned prio = hwcaps_priority(c, (uint32_t)hwcap, q);
					if (!prio || (best && prio >= best_prio))
						continue;
					best_prio = prio;
					best = value;
					continue;
				}
				/* Legacy hwcap subdirectories (tls/, x86_64/,
				 * v7l/neon/...) depend on the running CPU: only
				 * entries that need none are taken. */
				if (hwcap & ~HWCAP_TLS)
					continue;
				return value;
			}
			return best;
		}
		if (cmp < 0)
			left = mid + 1;
		else
			right = mid - 1;
	}
	return best;
}
