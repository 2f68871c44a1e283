/* copy.h - carry a plan out: the staging engine.
 *
 * Reads the source only through the rootfs API (confined to the root, the
 * last component never followed), writes only under a DEST directory fd
 * with *at() calls: each parent is opened component by component with
 * O_NOFOLLOW|O_DIRECTORY and each name is created with O_EXCL, mkdirat,
 * symlinkat or linkat, so a symlink in DEST is never followed, whatever
 * the plan or the source says.  Paths with "." or ".." components are
 * refused.
 *
 * Keeps content (byte for byte), mode with setuid/setgid, owner, group,
 * mtime (symlinks too) and extended attributes (security.capability: set
 * after chown, which clears it).  No program is run: data moves with
 * copy_file_range, else sendfile, else read/write with a 1 MiB buffer; a
 * few worker processes (fork, no threads: the init has no pthreads) keep
 * several files in flight so network latency overlaps.
 */
#ifndef R2R_COPY_H
#define R2R_COPY_H

#include "stage/plan.h"
#include "lib/rootfs.h"

struct copy_stats {
	unsigned long files, dirs, symlinks, hardlinks;
	unsigned long long bytes;
	double seconds;
	int errors;
};

enum {
	COPY_OVERWRITE = 1, /* replace what DEST has at a path (the overlay) */
	COPY_PROGRESS = 2,  /* progress line on stderr, if it is a terminal */
};

/* Files copied at once (1: by the caller alone, no worker).  0, the default: 4 when
 * the source is on a network file system (NFS, SMB, FUSE, 9p), else one
 * per online CPU, at most 4. */
extern int copy_jobs;
#define COPY_MAX_JOBS 16
/* A jobs value as given by the user ("4"): 1 to COPY_MAX_JOBS, or -EINVAL. */
int copy_jobs_parse(const char *s);
/* The first data mover tried: 0 copy_file_range, 1 sendfile, 2 read/write
 * (for tests and measurements; each falls back to the next on its own). */
extern int copy_method;

/* What a copy has done so far, for a watcher in another process (the
 * boot maps it shared before it forks the staging child).  Updated by
 * the copy's processes, so it must be in MAP_SHARED memory; read without
 * locks: a torn read shows an old value. */
struct copy_progress {
	volatile unsigned long files_done, files_total;
	volatile unsigned long long bytes_done;
	volatile unsigned long seq;   /* bumped on every update: progress means seq changed */
	char current[256];            /* the path being copied (as seen in the root), NUL-terminated */
	volatile int workers[COPY_MAX_JOBS]; /* the worker processes' pids while they run, else 0 */
};
/* NULL (the default): nothing is recorded.  Each copy_plan adds to the
 * counts (the plan's files to files_total when it starts, each file to
 * files_done when it is over, copied or not), so the staging and then the
 * overlay add up; the watcher zeroes the struct first.  bytes_done moves
 * every MiB at most, a stalled read shows as seq standing still with
 * `current` naming the file.  bytes_done is 64 bits without atomics on
 * armv5: a reader there may see its two halves from two updates. */
extern struct copy_progress *copy_progress;

/* Stage the plan into dest_dirfd.  Every problem is logged with its path;
 * the copy goes on with the other entries.  0, or the first -errno.
 * Adds to *st. */
int copy_plan(const struct plan *p, const struct rootfs *src, int dest_dirfd,
	      struct copy_stats *st);
int copy_plan_flags(const struct plan *p, const struct rootfs *src, int dest_dirfd,
		    unsigned flags, struct copy_stats *st);

/* Copy the tree `dir` of the root over DEST ("/etc/root2ram/overlay" holds
 * etc/inittab ... for the RAM root's /etc/inittab ...), replacing files
 * that are there.  0 or -errno. */
int copy_tree(const struct rootfs *src, const char *dir, int dest_dirfd, struct copy_stats *st);

/* 1 if the directory is empty, 0 if not, or -errno. */
int copy_dest_empty(int dirfd);

/* "staged 214 files, 5.3 MiB in 0.41 s (31 symlinks, 12 directories)" */
void copy_summary(const struct copy_stats *st, char *buf, unsigned long size);

#endif
