/* mount.h - asking about mounts. */
#ifndef R2R_MOUNT_H
#define R2R_MOUNT_H

/* 1 if path (absolute, canonical) is a mount point, else 0.  Read from
 * /proc/self/mountinfo, which answers at once whatever the servers do;
 * without /proc, from the device numbers of path and its parent. */
int is_mountpoint(const char *path);

/* 1 if the text of a mountinfo file has a mount on path, else 0. */
int mountinfo_has(const char *text, const char *path);

#endif
