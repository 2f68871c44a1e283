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
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
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

/* One walk: where it is (cur, the canonical path so far, "" for the root)
 * and what is left (p, inside rest).  Both buffers are RPATH_MAX long. */
struct walk {
	const struct rootfs *r;
	char *cur, *rest, *p;
	size_t curlen;
	int links;
	int unchecked; /* cur's last component not yet known to be a directory */
};

/* "name/." and "name/.." and "name/" need name to be a directory; the
 * check is put off until then, as most components are only passed. */
static int settle(struct walk *w)
{
	int e = 0;

	if (w->unchecked) {
		w->cur[w->curlen] = '\0';
		e = is_dir(w->r, w->cur);
		w->unchecked = 0;
	}
	return e;
}

/* "..": drop the last component; ".." of the root is the root. */
static void go_up(struct walk *w)
{
	while (w->curlen > 0 && w->cur[w->curlen - 1] != '/')
		w->curlen--;
	if (w->curlen > 0)
		w->curlen--;
	w->cur[w->curlen] = '\0';
}

/* The component at cur is a symlink to `target` (n bytes): what is left
 * becomes target "/" whatever came after the component (after), and an
 * absolute target restarts at the root. */
static int follow(struct walk *w, const char *target, size_t n, const char *after,
		  rootfs_link_fn fn, void *ctx)
{
	size_t alen = strlen(after);

	if (++w->links > ROOTFS_MAXLINKS)
		return -ELOOP;
	if (fn) {
		int stop = fn(ctx, w->cur, target);
		if (stop)
			return stop;
	}
	if (n + alen + 1 >= RPATH_MAX)
		return -ENAMETOOLONG;
	memmove(w->rest + n, after, alen + 1);
	memcpy(w->rest, target, n);
	w->p = w->rest;
	if (target[0] == '/')
		w->curlen = 0;
	w->cur[w->curlen] = '\0';
	w->unchecked = 0;
	return 0;
}

/* Walk `rest` from the canonical directory `cur`, rewritten in place. */
static int walk(const struct rootfs *r, char *cur, char *rest, int nofollow_last,
		rootfs_link_fn fn, void *ctx)
{
	struct walk w = { r, cur, rest, rest, strlen(cur), 0, 0 };
	char target[RPATH_MAX];
	int e;

	for (;;) {
		const char *name, *after;
		size_t clen;
		int last, dirsyntax;
		ssize_t n;

		while (*w.p == '/')
			w.p++;
		if (!*w.p)
			break;
		name = w.p;
		clen = strcspn(name, "/");
		dirsyntax = name[clen] == '/'; /* "name/": must be a directory */
		for (after = name + clen; *after == '/'; after++)
			;
		last = *after == '\0';
		w.p += clen;

		if (clen <= 2 && name[0] == '.' && (clen == 1 || name[1] == '.')) {
			if ((e = settle(&w)))
				return e;
			if (clen == 2)
				go_up(&w);
			continue;
		}
		if (clen > 255 || w.curlen + 1 + clen >= RPATH_MAX)
			return -ENAMETOOLONG;
		cur[w.curlen] = '/';
		memcpy(cur + w.curlen + 1, name, clen);
		cur[w.curlen + 1 + clen] = '\0';

		n = readlinkat(r->fd, cur + 1, target, sizeof target);
		if (n < 0 && errno != EINVAL)
			return -errno;
		if (n < 0 || (last && nofollow_last && !dirsyntax)) {
			/* a component that exists, and stays */
			w.curlen += 1 + clen;
			w.unchecked = n < 0 && (!last || dirsyntax);
			if (n >= 0)
				break;
			continue;
		}
		if ((size_t)n >= sizeof target)
			return -ENAMETOOLONG;
		target[n] = '\0';
		if ((e = follow(&w, target, (size_t)n, name + clen, fn, ctx)))
			return e;
	}
	if ((e = settle(&w)))
		return e;
	cur[w.curlen] = '\0';
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

/* openat2(2) (Linux 5.6): the kernel resolves the whole path inside the
 * root, atomically, so a directory swapped for a symlink between a check
 * and the open cannot lead outside.  musl has no wrapper. */
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
struct r2r_open_how {
	uint64_t flags, mode, resolve;
};
#define R2R_RESOLVE_NO_MAGICLINKS 0x02
#define R2R_RESOLVE_IN_ROOT 0x10

static int openat2_in_root(const struct rootfs *r, const char *path, int flags)
{
	static int missing; /* ENOSYS once: the walker from then on */
	struct r2r_open_how how = { (uint64_t)(unsigned)(flags | O_CLOEXEC), 0,
				    R2R_RESOLVE_IN_ROOT | R2R_RESOLVE_NO_MAGICLINKS };
	long fd;

	if (missing)
		return -ENOSYS;
	while (*path == '/')
		path++;
	fd = syscall(SYS_openat2, r->fd, *path ? path : ".", &how, sizeof how);
	if (fd >= 0)
		return (int)fd;
	/* ENOSYS: an older kernel; EPERM: a seccomp filter that does not know it */
	if (errno == ENOSYS || errno == EPERM) {
		missing = 1;
		return -ENOSYS;
	}
	return -errno;
}

int rootfs_openat(const struct rootfs *r, const char *path, int flags)
{
	char canon[RPATH_MAX];
	int e, fd;

	if ((fd = openat2_in_root(r, path, flags)) != -ENOSYS)
		return fd;

	e = rootfs_realpath(r, path, canon, sizeof canon, !!(flags & O_NOFOLLOW), NULL, NULL);
	if (e)
		return e;
	/* canon holds no symlink but perhaps the last one (O_NOFOLLOW asked) */
	fd = openat(r->fd, rel(canon), flags | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}
