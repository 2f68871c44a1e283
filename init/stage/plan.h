/* plan.h - manifests turned into a copy plan: every directory, file,
 * symlink and hard link the RAM root will hold, each once, with why it is
 * there, and what it costs in the tmpfs.
 *
 * Paths are canonical inside the source root: a file reached through a
 * symlink is planned under its real path, and the symlink as a symlink, so
 * the RAM root has the same shape as the source and every file is stored
 * once.  A file hard-linked in the source (same st_dev/st_ino) is planned
 * once and linked under its other names.
 *
 * Used by `root2ram plan`, `root2ram stage` and by the boot (bootstage.c).
 * Nothing here exits; problems are logged as "FILE:LINE: ..." and counted:
 * errors (staging would fail) in p->errors, warnings (a link that would
 * dangle in RAM, a module's library not found, a path named twice with
 * different metadata) in p->warnings; p->strict makes warnings fail too.
 */
#ifndef R2R_PLAN_H
#define R2R_PLAN_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include "lib/rootfs.h"
#include "lib/strmap.h"
#include "stage/manifest.h"

enum plan_type { PLAN_DIR, PLAN_FILE, PLAN_SYMLINK, PLAN_HARDLINK };

enum {
	PLAN_CREATED = 1, /* made by the manifest (dir, symlink), not copied */
	PLAN_WEAK = 2,    /* from `links`: a real file at the same path wins */
	PLAN_RUNTIME = 4, /* a `dir` line: filled at run time (a mount point,
			     /tmp), so a link into it is not dangling */
};

struct plan_entry {
	const char *path;   /* in the RAM root */
	const char *src;    /* in the source root (== path, except for trees
			       copied elsewhere, like the overlay); NULL if created */
	const char *target; /* symlink: its text; hard link: the planned path it links to */
	const char *why;    /* "base.manifest:12", "needed by /usr/sbin/dropbear"; NULL: a parent */
	const char *at;     /* "manifests/base.manifest:12": the line that brought it in, for warnings */
	unsigned long long size;
	mode_t mode;        /* st_mode, type bits included */
	uid_t uid;
	gid_t gid;
	struct timespec mtime; /* tv_nsec == UTIME_OMIT: leave as created */
	struct timespec ctime; /* with ino, the source's change stamp (staged.h) */
	uint64_t dev;       /* fixed width: the same layout whatever _FILE_OFFSET_BITS */
	uint64_t ino;
	unsigned nlink;
	unsigned char type, flags;
};

struct plan_totals {
	unsigned long files, dirs, symlinks, hardlinks;
	int warnings;                   /* the plan's, printed when there are any */
	unsigned long long bytes;       /* sum of the regular files' sizes */
	unsigned long long pages;       /* bytes the tmpfs allocates in pages */
	unsigned long long tmpfs;       /* pages + PLAN_INODE_COST per inode: the size to give */
};

/* What one inode costs a tmpfs besides its pages, rounded up: struct inode
 * and shmem_inode_info (about 700 bytes on 64-bit kernels, less on 32-bit),
 * its dentry (192), and the page-cache tree node share. */
#define PLAN_INODE_COST 1024
/* shmem keeps a symlink target shorter than this in the inode (Linux
 * SHORT_SYMLINK_LEN); a longer one takes a page. */
#define PLAN_SHORT_SYMLINK 128

struct resolver;
struct plan_todo;

struct plan {
	struct plan_entry *e;
	size_t n, cap;
	int errors;
	int warnings;
	int strict;           /* plan_finish: warnings fail the plan too (plan --strict) */
	int finished;
	int no_nss;           /* plan_finish: do not look at nsswitch.conf */
	const struct rootfs *root;
	struct resolver *res; /* made on first need */
	struct arena arena;
	struct strmap index;  /* path -> its index in e[] + 1 */
	const char *why;      /* of the directive being planned */
	const char *where;
	int line;
	const char *at;       /* "where:line" of it, NULL outside a manifest */
	unsigned flags;
	int quiet;            /* the resolver's messages muted: the level to restore + 1 */
	/* ELF files and scripts met in trees and wildcards, whose libraries
	 * and interpreters plan_finish adds */
	struct plan_todo *todo;
	size_t ntodo, captodo;
	/* kernel modules (modules.h): the release whose /lib/modules are
	 * planned (NULL: none), the running system's sysfs to coldplug from
	 * (NULL: none), and the modules to load at boot, a name a line */
	const char *kernel, *sysfs;
	const char *modules_load;
};

void plan_init(struct plan *p, const struct rootfs *root);
void plan_free(struct plan *p);

/* Everything in one call, as the boot and the commands use it: load the
 * manifests `names` (see manifest_load) from manifest_dir on the host, or
 * from /etc/root2ram/manifests inside the root when manifest_dir is NULL,
 * plan them, and finish the plan.  p must be plan_init'ed.  0, or -EINVAL
 * after every problem was logged (p->errors of them), or -errno. */
int plan_build(struct plan *p, const char *manifest_dir, char *const *names, int n);

/* The steps of plan_build. */
int plan_add_manifest(struct plan *p, const struct manifest *m);
/* A directory tree `src` of the root copied to `dest` in the RAM root,
 * symlinks in it kept as symlinks (the overlay: "/etc/root2ram/overlay" to
 * "/").  0 or -errno. */
int plan_add_tree(struct plan *p, const char *src, const char *dest, const char *why);
/* Add the NSS modules nsswitch.conf names if it is planned, the closures
 * of the ELF files and scripts found in trees and wildcards, sort by path
 * (parents before children), find hard links, warn of symlinks whose
 * target is not planned.  Returns -EINVAL if p->errors, or p->warnings
 * with p->strict; else 0. */
int plan_finish(struct plan *p);
/* A data file of the root (a wildcard too: each match as a manifest line
 * plans it), with why; absent, nothing.  The number of paths planned. */
int plan_add_path(struct plan *p, const char *path, const char *why);
/* "root2ram: warning: AT: ...", counted in p->warnings. */
void plan_warn(struct plan *p, const char *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The warnings of the plan (the boot logs the count; they never fail it). */
int plan_warnings(const struct plan *p);

const struct plan_entry *plan_find(const struct plan *p, const char *path);
void plan_totals(const struct plan *p, struct plan_totals *t);
/* One line per entry: "file /usr/sbin/dropbear 312476 (needed by ...)". */
void plan_print(const struct plan *p, FILE *f);
void plan_print_totals(const struct plan_totals *t, FILE *f);

extern const char *const plan_type_name[];

#endif
