/* rootfs.c - see rootfs.h.
 *
 * Paths are walked one component at a time with readlinkat(2) against the
 * root's directory fd, the way the kernel walks them inside a chroot: a
 * symlink's text replaces the component (an absolute one restarts at the
 * root), ".." never goes above the root, and at most ROOTFS_MAXLINKS
 * symlinks are followed.  The walk needs no allocation: two PATH_MAX
 * buffers on the stack.
 */
/* 64-bit off_t, ino_t and d_off with 32-bit glibc too (the armel unit
 * tests); musl has them always. */
#define _FILE_OFFSET_BITS 64
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/rootfs.h"

#define RPATH_MAX 4096

int rootfs_open(struct rootfs *r, const char *dir)
{
	size_t n = strlen(dir);
	int fd;

	r->fd = -1;
	if (n >= sizeof r->dir)
		return -ENAMETOOLONG;
	fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r->fd = fd;
	memcpy(r->dir, dir, n + 1);
	return 0;
}

void rootfs_close(struct rootfs *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}

/* The path relative to the root fd: "" (the root itself) becomes ".". */
static const char *rel(const char *canon)
{
	return canon[0] ? canon + 1 : ".";
}

static int is_dir(const struct rootfs *r, const char *canon)
{
	struct stat st;

	if (fstatat(r->fd, rel(canon), &st, 0) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

/* Walk `rest` starting from the canonical directory `cur` ("" is the
 * root).  cur is rewritten in place; both buffers are RPATH_MAX long. */
static int walk(const struct rootfs *r, char *cur, char *rest, int nofollow_last,
		rootfs_link_fn fn, void *ctx)
{
	size_t curlen = strlen(cur);
	int links = 0, unchecked = 0; /* cur's last component not known to be a dir */
	char *p = rest;

	for (;;) {
		char target[RPATH_MAX];
		size_t clen;
		const char *after;
		int last, dirsyntax;
		ssize_t n;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		clen = strcspn(p, "/");
		after = p + clen;
		while (*after == '/')
			after++;
		last = *after == '\0';
		dirsyntax = p[clen] == '/'; /* "name/": must be a directory */

		if (clen == 1 && p[0] == '.') {
			if (unchecked) {
				int e = is_dir(r, cur);
				if (e)
					return e;
				unchecked = 0;
			}
			p += clen;
			continue;
		}
		if (clen == 2 && p[0] == '.' && p[1] == '.') {
			if (unchecked) {
				int e = is_dir(r, cur);
				if (e)
					return e;
				unchecked = 0;
			}
			/* ".." of the root is the root */
			while (curlen > 0 && cur[curlen - 1] != '/')
				curlen--;
			if (curlen > 0)
				curlen--;
			cur[curlen] = '\0';
			p += clen;
			continue;
		}
		if (clen > 255)
			return -ENAMETOOLONG;
		if (curlen + 1 + clen >= RPATH_MAX)
			return -ENAMETOOLONG;
		cur[curlen] = '/';
		memcpy(cur + curlen + 1, p, clen);
		cur[curlen + 1 + clen] = '\0';

		n = readlinkat(r->fd, cur + 1, target, sizeof target);
		if (n < 0) {
			if (errno != EINVAL)
				return -errno;
			/* not a symlink: the component exists */
			curlen += 1 + clen;
			unchecked = !last || dirsyntax;
			p += clen;
			continue;
		}
		if (last && nofollow_last && !dirsyntax) {
			curlen += 1 + clen;
			unchecked = 0;
			break;
		}
		if ((size_t)n >= sizeof target)
			return -ENAMETOOLONG;
		target[n] = '\0';
		if (++links > ROOTFS_MAXLINKS)
			return -ELOOP;
		if (fn) {
			int stop = fn(ctx, cur, target);
			if (stop)
				return stop;
		}
		/* rest := target "/" what came after this component */
		{
			size_t alen = strlen(p + clen);
			if ((size_t)n + alen + 1 >= RPATH_MAX)
				return -ENAMETOOLONG;
			memmove(rest + n, p + clen, alen + 1);
			memcpy(rest, target, (size_t)n);
			p = rest;
		}
		if (target[0] == '/')
			curlen = 0; /* absolute: restart at the root */
		cur[curlen] = '\0';
		unchecked = 0;
	}
	if (unchecked) {
		int e = is_dir(r, cur);
		if (e)
			return e;
	}
	cur[curlen] = '\0';
	return 0;
}

static int finish(char *cur, char *out, size_t outlen)
{
	const char *s = cur[0] ? cur : "/";
	size_t n = strlen(s);

	if (n >= outlen)
		return -ENAMETOOLONG;
	memcpy(out, s, n + 1);
	return 0;
}

int rootfs_realpath(const struct rootfs *r, const char *path, char *out, size_t outlen,
		    int nofollow_last, rootfs_link_fn fn, void *ctx)
{
	char cur[RPATH_MAX], rest[RPATH_MAX];
	size_t n = strlen(path);
	int e;

	if (n >= sizeof rest)
		return -ENAMETOOLONG;
	memcpy(rest, path, n + 1);
	cur[0] = '\0';
	e = walk(r, cur, rest, nofollow_last, fn, ctx);
	return e ? e : finish(cur, out, outlen);
}

int rootfs_realpath_in(const struct rootfs *r, const char *dir, const char *name, char *out,
		       size_t outlen, rootfs_link_fn fn, void *ctx)
{
	char cur[RPATH_MAX], rest[RPATH_MAX];
	size_t dn = strlen(dir), nn = strlen(name);
	int e;

	if (dn == 1 && dir[0] == '/')
		dn = 0;
	if (dn >= sizeof cur || nn >= sizeof rest)
		return -ENAMETOOLONG;
	memcpy(cur, dir, dn);
	cur[dn] = '\0';
	memcpy(rest, name, nn + 1);
	e = walk(r, cur, rest, 0, fn, ctx);
	return e ? e : finish(cur, out, outlen);
}

int rootfs_openat(const struct rootfs *r, const char *path, int flags)
{
	char canon[RPATH_MAX];
	int e, fd;

	e = rootfs_realpath(r, path, canon, sizeof canon, !!(flags & O_NOFOLLOW), NULL, NULL);
	if (e)
		return e;
	/* canon holds no symlink but perhaps the last one (O_NOFOLLOW asked) */
	fd = openat(r->fd, rel(canon), flags | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}
