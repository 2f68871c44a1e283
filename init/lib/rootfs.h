/* rootfs.h - paths resolved under a root directory, never the process root.
 *
 * The same code stages from "/" on the Pi and from an export directory on a
 * server, so every path a manifest or an ELF file names is looked up inside
 * a root held as a directory fd: ".." at the root stays at the root, and an
 * absolute symlink restarts at the root (like chroot, without chroot).
 * Nothing outside the root is ever read.
 */
#ifndef R2R_ROOTFS_H
#define R2R_ROOTFS_H

#include <stddef.h>

#define ROOTFS_MAXLINKS 40 /* the kernel's MAXSYMLINKS */

struct rootfs {
	int fd;         /* O_PATH | O_DIRECTORY of the root */
	char dir[4096]; /* the root as given, for messages */
};

int rootfs_open(struct rootfs *r, const char *dir); /* 0 or -errno */
void rootfs_close(struct rootfs *r);

/* Called for each symlink met while resolving: `link` is the symlink's own
 * canonical path inside the root, `target` its contents (as readlink gives
 * them). Return non-zero to stop the resolution with that value. */
typedef int (*rootfs_link_fn)(void *ctx, const char *link, const char *target);

/* Resolve `path` (absolute inside the root; a relative one is taken from
 * the root) following every symlink, the last one included, confined to the
 * root.  Writes the canonical path ("/lib/arm-linux-gnueabi/ld-linux.so.3")
 * to out.  Returns 0, or -ENOENT, -ENOTDIR, -ELOOP, -ENAMETOOLONG, ...
 * With nofollow_last, a symlink as the last component is not followed. */
int rootfs_realpath(const struct rootfs *r, const char *path, char *out, size_t outlen,
		    int nofollow_last, rootfs_link_fn fn, void *ctx);

/* The same for `name` (relative; may hold "/" and "..") looked up from
 * `dir`, a canonical directory inside the root ("/" or "/usr/lib", as
 * rootfs_realpath gives it), so a search that tries many names in one
 * directory walks the directory once.  The last symlink is followed. */
int rootfs_realpath_in(const struct rootfs *r, const char *dir, const char *name, char *out,
		       size_t outlen, rootfs_link_fn fn, void *ctx);

/* Open a path inside the root (resolved as above, O_NOFOLLOW semantics for
 * nothing: the last symlink is followed unless flags has O_NOFOLLOW).
 * Returns an fd or -errno. */
int rootfs_openat(const struct rootfs *r, const char *path, int flags);

#endif
