/* staged.h - the record of what was staged (/run/root2ram/staged), and the
 * one walker that says how the RAM root and the NFS root differ from it.
 *
 * One text line per path of the plan (overlay included: a later line for a
 * path wins), after a header naming the manifests:
 *
 *   # root2ram staged 1 default,sensor
 *   T MODE UID GID SIZE MTIME SINO SCTIME RINO RCTIME<TAB>PATH<TAB>SRC<TAB>TARGET
 *
 * T is d f l h (directory, file, symlink, hard link); the numbers are hex,
 * times as SECONDS.NANOSECONDS; SRC is "=" when it is PATH, "-" when the
 * manifest created the path; TARGET is "-" but for links.  The change test
 * is the kernel's change stamp, on both sides: the source's inode and
 * ctime (SINO, SCTIME) on NFS, the copy's (RINO, RCTIME) in the RAM root.
 * Every write, chmod, chown, rename or utime moves ctime, and no user can
 * set it back, so an equal stamp means an unchanged file without reading
 * it (see README: Changing a running appliance).  A path with a tab or a
 * newline is not recorded.
 */
#ifndef R2R_STAGED_H
#define R2R_STAGED_H

#include <time.h>

#include "lib/rootfs.h"
#include "lib/strmap.h"

struct plan;
struct plan_entry;

struct staged_entry {
	const char *path, *src, *target; /* src NULL: created; target NULL: none */
	unsigned long long size, sino, rino; /* rino 0: nothing in the RAM root */
	struct timespec mtime, sctime, rctime;
	unsigned mode, uid, gid;
	char type;                    /* 'd' 'f' 'l' 'h' */
	const struct plan_entry *pe;  /* the plan's entry, when made from one */
};

struct staged {
	struct staged_entry *e;
	size_t n, cap;
	struct strmap index; /* path -> index + 1 */
	char manifests[512]; /* "default,sensor" */
};

void staged_free(struct staged *s);
const struct staged_entry *staged_get(const struct staged *s, const char *path);

/* Add (or replace) every entry of p: the source as the plan saw it, its
 * copy's lstat under ramfd.  record: the entry was just copied, so a copy
 * whose size or mtime is not the plan's (the source changed in between)
 * gets a source stamp no file has.  0 or -ENOMEM. */
int staged_add_plan(struct staged *s, const struct plan *p, int ramfd, int record);
/* The same for one entry. */
int staged_add(struct staged *s, const struct plan_entry *pe, int ramfd, int record);
/* Put an entry in (a copy of e), replacing the one of its path.  0 or -ENOMEM. */
int staged_put(struct staged *s, const struct staged_entry *e);

/* Plan the overlay of the root (/etc/root2ram/overlay copied over "/") in p,
 * which this plan_init's.  0 or -errno. */
int staged_overlay(struct plan *p, const struct rootfs *src);

/* The record as text to fd.  0 or -errno. */
int staged_write(const struct staged *s, int fd);
/* Read a record's text (modified in place; it must outlive s).  0, or
 * -EINVAL with *line the first bad line, or -ENOMEM. */
int staged_parse(struct staged *s, char *text, int *line);

enum staged_kind { SK_SAME, SK_RAM, SK_NFS, SK_BOTH, SK_ADDED_NFS, SK_ADDED_RAM,
		   SK_REMOVED_NFS, SK_REMOVED_RAM };
/* "changed-ram", "changed-nfs", "conflict", "added-nfs", ... */
extern const char *const staged_kind_name[];

/* Every path of the record (old) and of the plan now (now, made with
 * staged_add_plan against the NFS root): now's in order, then old's that
 * now lacks (last first: a directory after its files), then what the RAM root has in old's directories that neither
 * names (SK_ADDED_RAM, old and now NULL); not in the directories `dir`
 * lines make (filled at run time) nor on other file systems.
 * fn is called for each path that differs; a non-zero return stops the
 * walk with that value. */
typedef int (*staged_fn)(void *ctx, int kind, const char *path, const struct staged_entry *old,
			 const struct staged_entry *now);
int staged_walk(const struct staged *old, const struct staged *now, int ramfd, staged_fn fn,
		void *ctx);

#endif
