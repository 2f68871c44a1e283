/* mount.h - asking about mounts. */
#ifndef R2R_MOUNT_H
#define R2R_MOUNT_H

/* 1 if path is a mount point (another device than its parent, or the
 * root), else 0. */
int is_mountpoint(const char *path);

#endif
