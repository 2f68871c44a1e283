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
	int record_fd;            /* bootstage_copy writes the record here (staged.h); -1: not */
	char (*names)[CONFIG_NAME_MAX]; /* the manifests, for the record */
	int n_names;
	const char *nfsroot;      /* the mount of "/" (bootstage_root_mount's text), or NULL */
};

/* Plan the named manifests against "/", with the modules of the running
 * kernel when modules is set.  0, or -errno after every problem was logged
 * with its file and line. */
int bootstage_plan(struct bootstage *st, char (*names)[CONFIG_NAME_MAX], int n, int modules);

/* Bytes the tmpfs must hold for the plan. */
unsigned long long bootstage_need(const struct bootstage *st);

/* Stage the plan into newroot (a fresh tmpfs), copy the overlay over it,
 * create the mount points the switch needs, write the record of what it
 * staged to st->record_fd (without one, a warning: the boot goes on).  Closes everything it opened on
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

/* Staging reads the NFS root through the kernel's hard mount: with the
 * server gone it waits, silently, as long as the server is away (the
 * kernel's own "not responding" comes only after timeo x retrans, minutes).
 * PID 1 watches the staging child and says why the boot stands still.
 * One step a second: seq is the child's copy_progress.seq, running whether
 * it or one of its copy workers is on a CPU (planning makes no copy
 * progress but runs). */
#define STALL_SECONDS 5
#define STALL_REPEAT 60
struct stall {
	unsigned long seq;
	int idle;   /* seconds without progress */
	int waited; /* said so, at idle seconds */
};
enum { STALL_NONE, STALL_WAITS, STALL_STILL, STALL_GOES_ON };
/* What to say after one more second: STALL_WAITS when it has stood still for
 * STALL_SECONDS, STALL_STILL every STALL_REPEAT seconds after, STALL_GOES_ON
 * when it moves again (s->idle is then the wait). */
int bootstage_stall_step(struct stall *s, unsigned long seq, int running);

/* Wait until fd (the child's result pipe) is readable, one second at a
 * time, saying on the console when the child stands still and when it goes
 * on.  pg: the shared progress (NULL: just wait). */
struct copy_progress;
void bootstage_watch(int fd, int pid, const struct copy_progress *pg);

/* From the text of /proc/self/mountinfo (modified), the mount of "/" as
 * "source=...\nfstype=...\nmount_options=...\nsuper_options=...\n" in out
 * (empty if there is none). */
void bootstage_root_mount(char *mountinfo, char *out, size_t size);

#endif
