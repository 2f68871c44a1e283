/* switchroot.c - see switchroot.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/log.h"
#include "boot/reach.h"
#include "boot/switchroot.h"
#include "lib/rootfs.h"
#include "lib/mount.h"
#include "lib/paths.h"

#define TMPFS_MAGIC 0x01021994
#define RAMFS_MAGIC 0x858458f6

static const char *const api_mounts[] = { "/dev", "/proc", "/sys" };

const char *switch_root_check(const char *newroot, const char *init)
{
	struct statfs sfs;
	struct stat rs, ns;
	struct rootfs r;
	char path[4096];
	int e;

	if (statfs(newroot, &sfs) < 0)
		return "statfs new root";
	if ((unsigned long)sfs.f_type != TMPFS_MAGIC && (unsigned long)sfs.f_type != RAMFS_MAGIC) {
		errno = EINVAL;
		return "new root is not a tmpfs";
	}
	if (stat("/", &rs) < 0 || stat(newroot, &ns) < 0)
		return "stat new root";
	if (rs.st_dev == ns.st_dev) {
		errno = EINVAL;
		return "new root is on the same device as /";
	}
	if ((e = rootfs_open(&r, newroot)) < 0) {
		errno = -e;
		return "open new root";
	}
	e = reach_executable(&r, init, path, sizeof path);
	rootfs_close(&r);
	if (e == -EACCES || e == -ENOEXEC) {
		errno = EACCES;
		return "init in the new root is not an executable file";
	}
	if (e < 0) {
		errno = -e;
		return "init in the new root";
	}
	return NULL;
}

const char *switch_root(const char *newroot)
{
	char dst[4096];
	const char *step;
	unsigned moved = 0;
	size_t i;
	int saved;

	if (!is_mountpoint(newroot)) {
		errno = EINVAL;
		return "new root is not a mount point";
	}
	/* pivot_root(2) fails with EINVAL if the parent mount is shared:
	 * make every mount private first (no propagation to anything). */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return "make mounts private";
	step = "move /dev, /proc, /sys into the new root";
	for (i = 0; i < sizeof api_mounts / sizeof *api_mounts; i++) {
		snprintf(dst, sizeof dst, "%s%s", newroot, api_mounts[i]);
		mkdir(dst, 0755); /* normally staging made it */
		if (!is_mountpoint(api_mounts[i]))
			continue;
		if (mount(api_mounts[i], dst, NULL, MS_MOVE, NULL) < 0)
			goto undo;
		moved |= 1u << i;
	}
	snprintf(dst, sizeof dst, "%s" R2R_OLD_ROOT, newroot);
	mkdir(dst, 0700);
	step = "chdir to the new root";
	if (chdir(newroot) < 0)
		goto undo;
	step = "pivot_root";
	if (syscall(SYS_pivot_root, ".", &R2R_OLD_ROOT[1]) < 0)
		goto undo;
	/* The point of no return: the NFS root is under /old_root now, and
	 * pivot_root has moved every process whose root was the old one (this
	 * one too) to the new root.  What is left cannot make the switch
	 * fail, so it is not reported as a failure: there is no way back. */
	if (chroot(".") < 0 || chdir("/") < 0)
		warn("after the switch: chroot into the new root: %s (going on in it)", strerror(errno));
	return NULL;

undo:
	saved = errno;
	for (i = 0; i < sizeof api_mounts / sizeof *api_mounts; i++) {
		if (!(moved & (1u << i)))
			continue;
		snprintf(dst, sizeof dst, "%s%s", newroot, api_mounts[i]);
		if (mount(dst, api_mounts[i], NULL, MS_MOVE, NULL) < 0)
			warn("cannot move %s back: %s", dst, strerror(errno));
	}
	if (chdir("/") < 0)
		warn("chdir /: %s", strerror(errno));
	errno = saved;
	return step;
}

int detach_old_root(void)
{
	if (umount2(R2R_OLD_ROOT, MNT_DETACH) < 0)
		return -errno;
	rmdir(R2R_OLD_ROOT);
	return 0;
}
