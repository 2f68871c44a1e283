/* mount.h - asking about mounts. */
#ifndef R2R_MOUNT_H
#define R2R_MOUNT_H

/* 1 if path (absolute, canonical) is a mount point, else 0.  Read from
 * /proc/self/mountinfo, which answers at once whatever the servers do;
 * without /proc, from the device numbers of path and its parent. */
int is_mountpoint(const char *path);

/* 1 if the text of a mountinfo file has a mount on path, else 0. */
int mountinfo_has(const char *text, const char *path);

/* The NFS root as PID 1 records it (bootstage_root_mount's text:
 * "source=...\nfstype=...\nmount_options=...\nsuper_options=...\n"). */
struct nfsroot {
	char source[512], fstype[32], options[1024]; /* options: the super options */
	int ro; /* the boot's root was mounted read-only */
};

/* Parse that text (modified) into n.  0, or -EINVAL without a source and a
 * file system type. */
int nfsroot_parse(char *text, struct nfsroot *n);

/* The options to mount an NFS root again with, from its super options in
 * mountinfo (`recorded`): hard (the boot's) or soft (a bounded wait), nolock,
 * then `extra` (or NULL); rw/ro, the lock and retry options of the record
 * and nfsroot's default 4 KiB I/O size are left out.  0 or -ENAMETOOLONG. */
int nfs_remount_options(const char *recorded, int hard, const char *extra, char *out,
			unsigned long size);

#endif
