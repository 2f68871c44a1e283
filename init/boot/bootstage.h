/* bootstage.h - the RAM root for the boot: plan the manifests found in the
 * NFS root, then stage them and the overlay into the tmpfs. */
#ifndef R2R_BOOTSTAGE_H
#define R2R_BOOTSTAGE_H

#include "boot/config.h"


struct plan;

struct bootstage {
	struct plan *plan;
	unsigned long files;      /* staged, overlay included */
	unsigned long long bytes;
	double seconds;           /* time spent copying */
};

/* Plan the named manifests against "/".  0, or -errno after every problem
 * was logged with its file and line. */
int bootstage_plan(struct bootstage *st, char (*names)[CONFIG_NAME_MAX], int n);

/* Bytes the tmpfs must hold for the plan. */
unsigned long long bootstage_need(const struct bootstage *st);

/* Stage the plan into newroot (a fresh tmpfs), copy the overlay over it,
 * create the mount points the switch needs.  Closes everything it opened on
 * the NFS root.  0 or -errno (logged). */
int bootstage_copy(struct bootstage *st, const char *newroot);

/* The tmpfs size: `size` bytes or `pct` % of RAM when given (root2ram.size),
 * else what the plan needs plus headroom for the files the system writes
 * while it runs (a quarter more and 16 MiB), at most half of RAM (the
 * tmpfs default, and Alpine diskless's) but never less than the need. */
unsigned long long bootstage_tmpfs_size(unsigned long long need, unsigned long long ram,
					unsigned long long size, unsigned pct);

/* Every tmpfs root2ram mounts, sized so that together they cannot take
 * the memory the programs need: filled to the brim, they leave `reserve`
 * (a quarter of the RAM free at boot, at least 16 MiB) to the programs.
 * "/" comes first (bootstage_tmpfs_size, cut to leave at least 3 MiB to the
 * others); /tmp gets half of what is left, /run and /dev/shm a quarter each. */
struct tmpfs_sizes {
	unsigned long long root, tmp, run, shm;
	unsigned long long budget;  /* free - reserve: what all of them may take */
	unsigned long long reserve; /* kept for the programs */
	unsigned long long asked;   /* root2ram.size in bytes, if one was cut, else 0 */
};
#define TMPFS_MIN_OTHERS (3ULL << 20)

/* free: the RAM free now (sysinfo's freeram).  0, or -ENOSPC when the plan
 * does not fit the budget (out is filled all the same, for the message). */
int bootstage_tmpfs_sizes(unsigned long long need, unsigned long long ram, unsigned long long free_ram,
			  unsigned long long size, unsigned pct, struct tmpfs_sizes *out);

/* From the text of /proc/self/mountinfo (modified), the mount of "/" as
 * "source=...\nfstype=...\nmount_options=...\nsuper_options=...\n" in out
 * (empty if there is none). */
void bootstage_root_mount(char *mountinfo, char *out, size_t size);

#endif
