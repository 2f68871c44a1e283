/* copy.c - see copy.h. */
/* 64-bit d_off and off_t with 32-bit glibc too (the armel unit tests): readdir
 * of ext4 under qemu-user fails with EOVERFLOW without it */
#define _FILE_OFFSET_BITS 64
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "stage/copy.h"
#include "lib/log.h"
#include "lib/num.h"

#define BUFSZ (1 << 20)

int copy_jobs; /* 0: by the source's file system, see auto_jobs() */

int copy_jobs_parse(const char *s)
{
	unsigned long long n;

	return num_in_range(s, 1, COPY_MAX_JOBS, &n) < 0 ? -EINVAL : (int)n;
}
int copy_method;
struct copy_progress *copy_progress;

/* In a MAP_SHARED mapping: the workers are forked processes, and the
 * counters, the next entry and the lock are theirs and the caller's. */
struct job {
	const struct plan *p;
	const struct rootfs *src;
	int dest;
	unsigned flags;
	size_t next;          /* next entry for a worker (atomic) */
	unsigned long files, hardlinks, symlinks, dirs; /* atomic */
	unsigned long long bytes;                       /* under lock: armv5 has no 64-bit atomics */
	int lock;                                       /* a spin lock, see lock() */
	int errors, first;                              /* atomic */
	int no_cfr, no_sendfile;                        /* kernel said no, once */
	int progress;
	double t0, last;
	struct copy_progress *cp;   /* copy_progress when the job started */
	unsigned long long bytes0;  /* cp->bytes_done then */
};

/* A worker's open parent directory in DEST, reused while entries (sorted
 * by path) stay in the same directory. */
struct worker {
	struct job *j;
	char dir[4096];
	int dirfd;
	char *buf; /* read/write fallback and xattr values */
	pid_t pid; /* a worker process, 0 for the caller's */
	int lead;  /* the caller: shows the progress */
};

/* The workers and the caller update the job in shared memory.  ARMv5 (the
 * armel build) has no atomic instruction: there a read-modify-write goes
 * through the kernel's compare-and-swap helper, with the barriers an SMP
 * system needs (Documentation/arm/kernel_user_helpers.rst), as libgcc's
 * __sync functions do, without their 4 KiB. */
#if defined(__arm__) && __ARM_ARCH < 6
typedef int kernel_cmpxchg(int old, int new, volatile int *p);
static int cas(volatile int *p, int o, int n) { return !(*(kernel_cmpxchg *)0xffff0fc0)(o, n, p); }
static int add(volatile void *p, int v)
{
	int o;

	do
		o = *(volatile int *)p;
	while (!cas(p, o, o + v));
	return o + v;
}
#define ADD(x, v) add(&(x), (int)(v))
#else
static int cas(volatile int *p, int o, int n)
{
	return __atomic_compare_exchange_n(p, &o, n, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}
#define ADD(x, v) __atomic_add_fetch(&(x), (v), __ATOMIC_RELAXED)
#endif
#define GET(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define BUMP(cp) ADD((cp)->seq, 1)

/* Held only for a few stores: the holder never waits for I/O, a waiter
 * yields the CPU to it. */
static void lock(struct job *j)
{
	while (!cas(&j->lock, 0, 1))
		sched_yield();
}
static void unlock(struct job *j) { cas(&j->lock, 1, 0); }

__attribute__((format(printf, 4, 5))) static int fail(struct job *j, int err, const char *path,
							const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	error("stage: %s: %s: %s", path, msg, strerror(err));
	ADD(j->errors, 1);
	cas(&j->first, 0, -err);
	return -err;
}

/* Open the directory of `path` in DEST without following any symlink;
 * *leaf points at the last component.  Returns an fd the caller must not
 * close (it belongs to w), or -errno. */
static int parent(struct worker *w, const char *path, const char **leaf)
{
	const char *slash = strrchr(path, '/'), *c, *e;
	size_t dl = slash ? (size_t)(slash - path) : 0;
	int fd;

	*leaf = slash ? slash + 1 : path;
	if (path[0] != '/' || !**leaf || !strcmp(*leaf, ".") || !strcmp(*leaf, "..") ||
	    dl >= sizeof w->dir)
		return -EINVAL;
	if (w->dirfd >= 0 && strlen(w->dir) == dl && !memcmp(w->dir, path, dl))
		return w->dirfd;
	if (w->dirfd >= 0 && w->dirfd != w->j->dest)
		close(w->dirfd);
	w->dirfd = -1;
	fd = w->j->dest;
	for (c = path + 1; c < path + dl; c = e + 1) {
		char name[256];
		int nfd;
		e = memchr(c, '/', (size_t)(path + dl - c));
		if (!e)
			e = path + dl;
		if (e == c || (size_t)(e - c) >= sizeof name) {
			nfd = -EINVAL;
		} else {
			memcpy(name, c, (size_t)(e - c));
			name[e - c] = '\0';
			nfd = !strcmp(name, ".") || !strcmp(name, "..")
				      ? -EINVAL
				      : openat(fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (nfd < 0 && nfd != -EINVAL)
				nfd = -errno;
		}
		if (fd != w->j->dest)
			close(fd);
		if (nfd < 0)
			return nfd == -ELOOP ? -ENOTDIR : nfd;
		fd = nfd;
	}
	memcpy(w->dir, path, dl);
	w->dir[dl] = '\0';
	w->dirfd = fd;
	return fd;
}

/* Extended attributes, security.capability included.  A source without
 * xattr support has none to copy. */
static int copy_xattrs(struct worker *w, int sfd, int dfd, const struct plan_entry *e)
{
	char list[4096];
	ssize_t n = flistxattr(sfd, list, sizeof list), i;

	if (n < 0)
		return errno == ENOTSUP || errno == ENOSYS
			       ? 0
			       : fail(w->j, errno, e->path, "cannot list extended attributes of %s",
				      e->src);
	for (i = 0; i < n; i += (ssize_t)strlen(list + i) + 1) {
		ssize_t v = fgetxattr(sfd, list + i, w->buf, BUFSZ);
		if (v < 0)
			return fail(w->j, errno, e->path, "cannot read attribute %s", list + i);
		if (fsetxattr(dfd, list + i, w->buf, (size_t)v, 0)) {
			if (errno == ENOTSUP && strncmp(list + i, "security.", 9)) {
				warn("stage: %s: attribute %s not kept: DEST does not support it",
				     e->path, list + i);
				continue;
			}
			return fail(w->j, errno, e->path, "cannot set attribute %s", list + i);
		}
	}
	return 0;
}

/* Owner, then mode (chown clears setuid), then xattrs (chown clears
 * security.capability), then times. */
static int set_meta(struct worker *w, int sfd, int dfd, const struct plan_entry *e,
		    const struct stat *st)
{
	struct timespec ts[2] = { st->st_atim, st->st_mtim };

	if (fchown(dfd, st->st_uid, st->st_gid))
		return fail(w->j, errno, e->path, "cannot set owner %u:%u", (unsigned)st->st_uid,
			    (unsigned)st->st_gid);
	if (fchmod(dfd, st->st_mode & 07777))
		return fail(w->j, errno, e->path, "cannot set mode %04o",
			    (unsigned)(st->st_mode & 07777));
	if (sfd >= 0 && copy_xattrs(w, sfd, dfd, e))
		return -1;
	if (futimens(dfd, ts))
		return fail(w->j, errno, e->path, "cannot set times");
	return 0;
}

static int copy_data(struct worker *w, int sfd, int dfd, off_t size)
{
	struct job *j = w->j;
	off_t done = 0;
	/* a watcher sees bytes move once a chunk: sendfile from NFS could
	 * otherwise sit a minute in one call that is making progress */
	off_t chunk = j->cp ? BUFSZ : 1 << 30;

	while (done < size) {
		size_t want = size - done > chunk ? (size_t)chunk : (size_t)(size - done);
		ssize_t n;

		if (!GET(j->no_cfr)) {
			n = copy_file_range(sfd, NULL, dfd, NULL, want, 0);
			if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS ||
				      errno == EOPNOTSUPP || errno == EBADF)) {
				__atomic_store_n(&j->no_cfr, 1, __ATOMIC_RELAXED);
				continue;
			}
		} else if (!GET(j->no_sendfile)) {
			n = sendfile(dfd, sfd, NULL, want);
			if (n < 0 && (errno == EINVAL || errno == ENOSYS)) {
				__atomic_store_n(&j->no_sendfile, 1, __ATOMIC_RELAXED);
				continue;
			}
		} else {
			n = read(sfd, w->buf, want > BUFSZ ? BUFSZ : want);
			if (n > 0) {
				ssize_t o = 0, m;
				for (; o < n; o += m) {
					m = write(dfd, w->buf + o, (size_t)(n - o));
					if (m < 0 && errno != EINTR)
						return -errno;
					if (m < 0)
						m = 0;
				}
			}
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break; /* the file shrank: keep what there was */
		done += n;
		lock(j);
		j->bytes += (unsigned long long)n;
		if (j->cp)
			j->cp->bytes_done = j->bytes0 + j->bytes;
		unlock(j);
		if (j->cp)
			BUMP(j->cp);
	}
	return 0;
}

static int create_at(struct worker *w, const struct plan_entry *e, const char **leaf)
{
	int pfd = parent(w, e->path, leaf);

	if (pfd < 0)
		fail(w->j, -pfd, e->path, "cannot open its directory in DEST without following a symlink");
	return pfd;
}

/* With COPY_OVERWRITE (the overlay, stage --force, refresh) the new version
 * is made beside the old one, as ".LEAF.root2ram-new", and renamed over it:
 * a program opening the path gets the old file or the new one, never half
 * of either.  Without it, LEAF itself is created (O_EXCL: nothing there). */
static const char *beside(struct worker *w, int pfd, const char *leaf, char *buf, size_t n)
{
	if (!(w->j->flags & COPY_OVERWRITE))
		return leaf;
	if (snprintf(buf, n, ".%s.root2ram-new", leaf) >= (int)n)
		return leaf; /* too long: O_EXCL says so */
	unlinkat(pfd, buf, 0); /* left by a copy that was cut off */
	return buf;
}

/* Rename the one beside over LEAF (renaming a hard link over itself does
 * nothing, so the name beside is removed after); on failure remove it. */
static int put_in_place(struct worker *w, int pfd, const char *name, const char *leaf, int r,
			const struct plan_entry *e)
{
	if (name == leaf)
		return r;
	if (!r && renameat(pfd, name, pfd, leaf))
		r = fail(w->j, errno, e->path, "cannot put the new version in place");
	unlinkat(pfd, name, 0);
	return r;
}

static int copy_file(struct worker *w, const struct plan_entry *e)
{
	const char *leaf, *name;
	struct stat st;
	char tmp[300];
	int sfd, dfd, pfd, r;

	sfd = rootfs_openat(w->j->src, e->src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (sfd < 0)
		return fail(w->j, -sfd, e->path, "cannot open %s in the root", e->src);
	if (fstat(sfd, &st) || !S_ISREG(st.st_mode)) {
		close(sfd);
		return fail(w->j, errno ? errno : EINVAL, e->path, "%s is not a regular file", e->src);
	}
	posix_fadvise(sfd, 0, 0, POSIX_FADV_SEQUENTIAL);
	if ((pfd = create_at(w, e, &leaf)) < 0) {
		close(sfd);
		return pfd;
	}
	name = beside(w, pfd, leaf, tmp, sizeof tmp);
	dfd = openat(pfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (dfd < 0) {
		r = fail(w->j, errno, e->path, "cannot create it");
		close(sfd);
		return r;
	}
	r = copy_data(w, sfd, dfd, st.st_size);
	if (r < 0)
		fail(w->j, -r, e->path, "cannot copy %s", e->src);
	else
		r = set_meta(w, sfd, dfd, e, &st);
	close(sfd);
	if (close(dfd) && !r)
		r = fail(w->j, errno, e->path, "cannot write it");
	if (!(r = put_in_place(w, pfd, name, leaf, r, e)))
		ADD(w->j->files, 1);
	return r;
}

static int make_dir(struct worker *w, const struct plan_entry *e)
{
	const char *leaf;
	struct stat st;
	int pfd = create_at(w, e, &leaf);

	if (pfd < 0)
		return pfd;
	if (mkdirat(pfd, leaf, 0700) == 0)
		return 0;
	if (errno != EEXIST)
		return fail(w->j, errno, e->path, "cannot create the directory");
	if (fstatat(pfd, leaf, &st, AT_SYMLINK_NOFOLLOW) || !S_ISDIR(st.st_mode))
		return fail(w->j, ENOTDIR, e->path, "DEST has something else there");
	return 0;
}

/* After everything inside is there: a directory's mode, owner, times. */
static int finish_dir(struct worker *w, const struct plan_entry *e)
{
	const char *leaf;
	struct stat st;
	int pfd = create_at(w, e, &leaf), dfd, sfd = -1, r;

	if (pfd < 0)
		return pfd;
	dfd = openat(pfd, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return fail(w->j, errno, e->path, "cannot open the directory");
	if (e->flags & PLAN_CREATED) {
		r = fchmod(dfd, e->mode & 07777) ? fail(w->j, errno, e->path, "cannot set its mode") : 0;
		close(dfd);
		return r;
	}
	sfd = rootfs_openat(w->j->src, e->src, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sfd < 0 || fstat(sfd, &st)) {
		r = fail(w->j, sfd < 0 ? -sfd : errno, e->path, "cannot open %s in the root", e->src);
	} else {
		st.st_mode = (st.st_mode & ~(mode_t)07777) | (e->mode & 07777); /* `dir` may set it */
		r = set_meta(w, sfd, dfd, e, &st);
	}
	if (sfd >= 0)
		close(sfd);
	close(dfd);
	return r;
}

static int make_link(struct worker *w, const struct plan_entry *e)
{
	const char *leaf, *tleaf, *name;
	char tmp[300];
	int pfd = create_at(w, e, &leaf), r = 0;

	if (pfd < 0)
		return pfd;
	name = beside(w, pfd, leaf, tmp, sizeof tmp);
	if (e->type == PLAN_SYMLINK) {
		struct timespec ts[2] = { e->mtime, e->mtime };
		if (symlinkat(e->target, pfd, name))
			return fail(w->j, errno, e->path, "cannot create the symlink");
		if (!(e->flags & PLAN_CREATED) && fchownat(pfd, name, e->uid, e->gid, AT_SYMLINK_NOFOLLOW))
			r = fail(w->j, errno, e->path, "cannot set the symlink's owner");
		else if (!(e->flags & PLAN_CREATED) && utimensat(pfd, name, ts, AT_SYMLINK_NOFOLLOW))
			r = fail(w->j, errno, e->path, "cannot set the symlink's time");
		if (!(r = put_in_place(w, pfd, name, leaf, r, e)))
			ADD(w->j->symlinks, 1);
		return r;
	}
	/* a hard link: the target's directory is opened on its own */
	{
		struct worker t = { .j = w->j, .dirfd = -1 };
		int tfd = parent(&t, e->target, &tleaf);
		if (tfd < 0)
			return fail(w->j, -tfd, e->path, "cannot open the directory of %s", e->target);
		if (linkat(tfd, tleaf, pfd, name, 0))
			r = fail(w->j, errno, e->path, "cannot link it to %s", e->target);
		else
			r = put_in_place(w, pfd, name, leaf, 0, e);
		if (tfd != w->j->dest)
			close(tfd);
		if (!r)
			ADD(w->j->hardlinks, 1);
		return r;
	}
}

static void progress(struct job *j, int end)
{
	char b[32];
	double t = log_elapsed();

	if (!j->progress || (!end && t - j->last < 0.2))
		return;
	j->last = t;
	if (end) {
		fprintf(stderr, "\r\033[K");
	} else {
		unsigned long long by;
		lock(j);
		by = j->bytes;
		unlock(j);
		fprintf(stderr, "\rroot2ram: staging %lu/%lu files, %s, %.0f MiB/s\033[K", GET(j->files),
			(unsigned long)j->p->n, log_human_bytes(by, b, sizeof b),
			t > j->t0 ? (double)by / (t - j->t0) / 1048576 : 0.0);
	}
	fflush(stderr);
}

static void work(struct worker *w)
{
	struct job *j = w->j;
	size_t i;

	while ((i = (size_t)ADD(j->next, 1) - 1) < j->p->n) {
		const struct plan_entry *e = &j->p->e[i];
		if (e->type == PLAN_FILE && j->cp) {
			/* under the lock: two workers' paths never mix in it */
			lock(j);
			snprintf(j->cp->current, sizeof j->cp->current, "%s", e->src);
			unlock(j);
			BUMP(j->cp);
			copy_file(w, e);
			ADD(j->cp->files_done, 1);
			BUMP(j->cp);
		} else if (e->type == PLAN_FILE) {
			copy_file(w, e);
		}
		if (w->lead && j->progress)
			progress(j, 0);
	}
}

/* A worker: a child that copies files until none are left.  It dies with
 * its parent (a stage that was killed leaves nothing writing to DEST) and
 * ends with _exit: the parent's stdio buffers and atexit handlers are not
 * its own. */
static pid_t start_worker(struct worker *w)
{
	pid_t parent = getpid(), pid = fork();

	if (pid)
		return pid < 0 ? 0 : pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == parent)
		work(w);
	_exit(0);
}

/* Reaped: a worker that did not end by itself (a crash) is an error, the
 * files it was copying may be missing. */
static void reap_worker(struct job *j, struct worker *w, int k)
{
	int status;

	while (waitpid(w->pid, &status, 0) < 0)
		if (errno != EINTR)
			return; /* SIGCHLD ignored: it was reaped for us */
	if (WIFSIGNALED(status) || WEXITSTATUS(status)) {
		error("stage: a copy worker ended with %s %d: files it was copying may be missing",
		      WIFSIGNALED(status) ? "signal" : "status",
		      WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		ADD(j->errors, 1);
	}
	if (j->cp)
		j->cp->workers[k] = 0;
}

static void worker_done(struct worker *w)
{
	if (w->dirfd >= 0 && w->dirfd != w->j->dest)
		close(w->dirfd);
	w->dirfd = -1;
	free(w->buf);
}

/* Several files in flight pay off where each read waits on the network
 * (measured: on NFS under QEMU, one CPU, 4 threads staged 6% faster than 1)
 * and, from a local page cache, where there are CPUs to run them (on a
 * 2-CPU host 2 or 4 threads staged 705 MiB in 0.19 s, 1 thread in 0.33 to
 * 0.61 s; on the 1-CPU guest 1 thread was 35% faster than 4). */
static int auto_jobs(const struct rootfs *src)
{
	struct statfs sfs;
	cpu_set_t set; /* the CPUs this process may run on, as musl's sysconf counts them */
	int cpus = sched_getaffinity(0, sizeof set, &set) ? 1 : CPU_COUNT(&set);

	if (fstatfs(src->fd, &sfs) == 0)
		switch ((unsigned long)sfs.f_type) {
		case 0x6969:     /* NFS_SUPER_MAGIC */
		case 0xff534d42: /* CIFS_SUPER_MAGIC */
		case 0xfe534d42: /* SMB2_SUPER_MAGIC */
		case 0x65735546: /* FUSE_SUPER_MAGIC (sshfs, ...) */
		case 0x01021997: /* V9FS_MAGIC */
			return 4;
		}
	return cpus < 1 ? 1 : cpus > 4 ? 4 : cpus;
}

int copy_plan_flags(const struct plan *p, const struct rootfs *src, int dest_dirfd,
		    unsigned flags, struct copy_stats *st)
{
	struct job one, *j = mmap(NULL, sizeof *j, PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct worker ws[COPY_MAX_JOBS];
	int n = copy_jobs < 1 ? auto_jobs(src) : copy_jobs > COPY_MAX_JOBS ? COPY_MAX_JOBS : copy_jobs, r;
	double t0 = log_elapsed();
	size_t i;

	if (j == MAP_FAILED) {
		j = &one; /* no memory to share: no workers */
		n = 1;
	}
	*j = (struct job){ .p = p, .src = src, .dest = dest_dirfd, .flags = flags,
			   .no_cfr = copy_method >= 1, .no_sendfile = copy_method >= 2 };
	j->progress = (flags & COPY_PROGRESS) && isatty(2);
	j->t0 = j->last = t0;
	if ((j->cp = copy_progress)) {
		unsigned long files = 0;
		for (i = 0; i < p->n; i++)
			files += p->e[i].type == PLAN_FILE;
		j->bytes0 = j->cp->bytes_done;
		ADD(j->cp->files_total, files);
		BUMP(j->cp);
	}
	memset(ws, 0, sizeof ws);
	for (int k = 0; k < n; k++) {
		ws[k].j = j;
		ws[k].dirfd = -1;
		ws[k].buf = malloc(BUFSZ);
		if (!ws[k].buf) {
			n = k;
			break;
		}
	}
	if (n == 0) {
		if (j != &one)
			munmap(j, sizeof *j);
		return -ENOMEM;
	}
	ws[0].lead = 1;
	/* 1: directories, parents first (sorted by path) */
	for (i = 0; i < p->n; i++)
		if (p->e[i].type == PLAN_DIR && make_dir(&ws[0], &p->e[i]) == 0)
			j->dirs++;
	/* 2: files, several in flight: the caller and n - 1 workers */
	for (int k = 1; k < n; k++)
		if ((ws[k].pid = start_worker(&ws[k])) && j->cp)
			j->cp->workers[k] = ws[k].pid;
	work(&ws[0]);
	for (int k = 1; k < n; k++)
		if (ws[k].pid)
			reap_worker(j, &ws[k], k);
	/* 3: links, once their targets are there */
	for (i = 0; i < p->n; i++)
		if (p->e[i].type == PLAN_SYMLINK || p->e[i].type == PLAN_HARDLINK)
			make_link(&ws[0], &p->e[i]);
	/* 4: directory metadata, children first so their mtimes stay */
	for (i = p->n; i-- > 0;)
		if (p->e[i].type == PLAN_DIR)
			finish_dir(&ws[0], &p->e[i]);
	progress(j, 1);
	for (int k = 0; k < n; k++)
		worker_done(&ws[k]);
	st->files += j->files;
	st->dirs += j->dirs;
	st->symlinks += j->symlinks;
	st->hardlinks += j->hardlinks;
	st->bytes += j->bytes;
	st->errors += j->errors;
	st->seconds += log_elapsed() - t0;
	r = j->errors ? (j->first ? j->first : -EIO) : 0;
	if (j != &one)
		munmap(j, sizeof *j);
	return r;
}

int copy_plan(const struct plan *p, const struct rootfs *src, int dest_dirfd, struct copy_stats *st)
{
	return copy_plan_flags(p, src, dest_dirfd, COPY_PROGRESS, st);
}

int copy_tree(const struct rootfs *src, const char *dir, int dest_dirfd, struct copy_stats *st)
{
	struct plan p;
	int r;

	plan_init(&p, src);
	p.no_nss = 1;
	r = plan_add_tree(&p, dir, "/", dir);
	if (plan_finish(&p) == 0 && r == 0)
		r = copy_plan_flags(&p, src, dest_dirfd, COPY_OVERWRITE, st);
	else if (r == 0)
		r = -EINVAL;
	plan_free(&p);
	return r;
}

int copy_dest_empty(int dirfd)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), r = 1;
	struct dirent *de;
	DIR *d;

	if (fd < 0)
		return -errno;
	if (!(d = fdopendir(fd))) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			r = 0;
			break;
		}
	closedir(d);
	return r;
}

void copy_summary(const struct copy_stats *st, char *buf, unsigned long size)
{
	char b[32];

	snprintf(buf, size, "staged %lu files, %s in %.2f s (%lu symlinks, %lu hard links, %lu directories)",
		 st->files + st->hardlinks, log_human_bytes(st->bytes, b, sizeof b), st->seconds,
		 st->symlinks, st->hardlinks, st->dirs);
}
