/* switchroot.h - leave the NFS root for the RAM root.
 *
 * busybox switch_root and klibc run-init only leave an initramfs (they
 * refuse unless / is ramfs/tmpfs, and delete its contents).  Leaving an NFS
 * root needs pivot_root(2): the new root must be a mount point, the old one
 * goes under it, and no mount may have shared propagation (systemd-less
 * roots usually have none, but the kernel refuses pivot_root otherwise).
 */
#ifndef R2R_SWITCHROOT_H
#define R2R_SWITCHROOT_H

/* Move /proc, /sys, /dev (those mounted) under newroot, pivot_root with the
 * old root at newroot/old_root, chroot and chdir to the new "/".
 * Returns NULL on success, else the step that failed ("pivot_root"), errno
 * kept, as klibc's run_init() does.  Before the pivot nothing destructive
 * is done; a failure after moving the API mounts moves them back.  Once
 * pivot_root has succeeded it returns NULL: there is no way back. */
const char *switch_root(const char *newroot);

/* Detach /old_root (umount2 MNT_DETACH) so nothing keeps the NFS root:
 * once PID 1 execs from the RAM root, the NFS superblock is released.
 * 0 or -errno. */
int detach_old_root(void);

/* Checks before anything destructive: newroot is a tmpfs mount point on
 * another device than /, and init inside it is an executable regular file
 * (symlinks followed inside newroot).  NULL or the failed check. */
const char *switch_root_check(const char *newroot, const char *init);

#endif
