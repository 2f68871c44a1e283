/* cmd_learn.c - `root2ram learn -o FILE [--seconds N] [--root DIR]
 * [--manifests DIR] [-- COMMAND [ARG...]]`: a manifest from what a run
 * really opened.
 *
 * fanotify(7) reports every open, exec and write on the marked mounts with
 * an fd of the file: its path is the /proc/self/fd link.  The mounts are
 * the one holding DIR and every mount under it except the API file systems
 * (/proc, /sys, /dev, /run, /tmp), read from /proc/self/mountinfo.  A
 * library is mmap'ed only after the loader opened it, so FAN_OPEN sees it.
 *
 * With COMMAND, an event counts when its process is COMMAND or one of its
 * descendants: the ppid chain in /proc/PID/stat leads to COMMAND or, for an
 * orphan, to us (we are its subreaper).  Opens are permission events
 * (FAN_OPEN_PERM): the process waits in open(2) until we answer, so it is
 * still there to be asked who it is, however short-lived (/bin/true).  A
 * kernel without CONFIG_FANOTIFY_ACCESS_PERMISSIONS gets plain events; a
 * process gone before its event is read is then counted as COMMAND's when
 * its pid is above COMMAND's (allocated after it, pids grow until they
 * wrap): a guess, which is reported.  Nothing of ours may open a file on
 * a watched mount while the marks are set: it would wait for itself.
 * Without COMMAND, every process's events count for N seconds (plain
 * events: nothing waits for learn).
 *
 * The pure part (what goes in the text, the merge) is stage/learn.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "lib/file.h"
#include "lib/log.h"
#include "lib/num.h"
#include "lib/paths.h"
#include "lib/rootfs.h"
#include "stage/learn.h"
#include "stage/manifest.h"
#include "stage/plan.h"

#define LEARN_USAGE \
	"usage: root2ram learn -o FILE [--seconds N] [--root DIR] [--manifests DIR] [-- COMMAND [ARG...]]\n"
#define LEARN_MASK (FAN_OPEN | FAN_OPEN_EXEC | FAN_CLOSE_WRITE | FAN_MODIFY)
#define LEARN_MASK_PERM (FAN_OPEN_PERM | FAN_CLOSE_WRITE | FAN_MODIFY)
#define LEARN_DRAIN_MS 200 /* after COMMAND exits: events still queued */

struct proc {
	const char *exe;
	int ours;
};

struct learner {
	struct learn l;
	struct rootfs rfs;
	char root[4096]; /* canonical; "" for "/" */
	size_t rootlen;
	int fan;
	int perm;            /* opens wait for our answer */
	pid_t self, child;
	struct strmap procs; /* "PID" -> struct proc */
	struct arena arena;
	struct timespec start;
	unsigned long events, overflow, outside, unnamed, guessed, nomem;
	char unnamed_eg[256];
	char self_exe[4096]; /* ours: COMMAND's image until it execs */
	const char *cmd_path; /* COMMAND as found in PATH */
};

/* statx(2) for the birth time: musl's headers do not have it.  The layout
 * is the kernel's ABI (include/uapi/linux/stat.h), 256 bytes. */
struct learn_statx {
	uint32_t mask, blksize;
	uint64_t attributes;
	uint32_t nlink, uid, gid;
	uint16_t mode, spare0;
	uint64_t ino, size, blocks, attributes_mask;
	struct { int64_t sec; uint32_t nsec; int32_t reserved; } atime, btime, ctime, mtime;
	uint64_t spare[16];
};
#define LEARN_STATX_BTIME 0x800U

/* Did the file come into being after the run started?  The birth time
 * says so where the file system keeps one (ext4, xfs, btrfs, tmpfs); else
 * (NFSv3) a modification after the start, at first sight, stands for it. */
static int born_after(const struct learner *x, int fd, const struct stat *st)
{
	struct learn_statx sx;
	int64_t s = x->start.tv_sec;

	memset(&sx, 0, sizeof sx);
	if (syscall(SYS_statx, fd, "", AT_EMPTY_PATH, LEARN_STATX_BTIME, &sx) == 0 &&
	    (sx.mask & LEARN_STATX_BTIME))
		return sx.btime.sec > s || (sx.btime.sec == s && (long)sx.btime.nsec >= x->start.tv_nsec);
	return st->st_mtim.tv_sec > x->start.tv_sec ||
	       (st->st_mtim.tv_sec == x->start.tv_sec && st->st_mtim.tv_nsec >= x->start.tv_nsec);
}

/* The path inside the root, or NULL if it is outside. */
static const char *inside(const struct learner *x, const char *path)
{
	if (!x->rootlen)
		return path;
	if (strncmp(path, x->root, x->rootlen))
		return NULL;
	if (!path[x->rootlen])
		return "/";
	return path[x->rootlen] == '/' ? path + x->rootlen : NULL;
}

static struct proc *proc_get(struct learner *x, pid_t pid, int create)
{
	char key[16];
	struct proc *p;
	char *k;

	snprintf(key, sizeof key, "%d", (int)pid);
	if ((p = strmap_get(&x->procs, key)) || !create)
		return p;
	if (!(p = arena_alloc(&x->arena, sizeof *p)) || !(k = arena_strdup(&x->arena, key)) ||
	    strmap_put(&x->procs, k, p))
		return NULL;
	p->exe = NULL;
	p->ours = 0;
	return p;
}

/* The parent of pid from /proc/PID/stat ("PID (COMM) S PPID ..."; COMM may
 * hold anything, so the last ')' ends it), or -1 if pid is gone. */
static pid_t parent_of(pid_t pid)
{
	char path[32], buf[512], *s;
	unsigned long long v;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if (read_text(path, buf, sizeof buf) < 0 || !(s = strrchr(buf, ')')))
		return -1;
	if (s[1] != ' ' || !s[2] || s[3] != ' ' || !num_decimal(s + 4, &v))
		return -1;
	return (pid_t)v;
}

static int is_ours(struct learner *x, pid_t pid)
{
	pid_t chain[64], p = pid, pp;
	struct proc *c;
	int n = 0, r, i;

	for (;;) {
		if (p == x->child || p == x->self) {
			r = 1;
			break;
		}
		if ((c = proc_get(x, p, 0))) {
			r = c->ours;
			break;
		}
		if (p <= 1 || n == (int)(sizeof chain / sizeof chain[0])) {
			r = 0;
			break;
		}
		chain[n++] = p;
		if ((pp = parent_of(p)) < 0) {
			/* gone: only the event's own process can be (its
			 * ancestors are alive, or it was reparented to us) */
			r = p == pid && pid > x->child;
			x->guessed += r;
			break;
		}
		p = pp;
	}
	for (i = 0; i < n; i++)
		if ((c = proc_get(x, chain[i], 1)))
			c->ours = r;
	return r;
}

static const char *proc_exe(struct learner *x, pid_t pid)
{
	struct proc *p = proc_get(x, pid, 0);

	return p ? p->exe : NULL;
}

/* The program a process runs now, for the "used by" comments; the last
 * one known once it has exited. */
static const char *exe_of(struct learner *x, pid_t pid)
{
	char path[32], buf[4096];
	struct proc *p = proc_get(x, pid, 1);
	const char *e;
	ssize_t n;

	if (!p)
		return NULL;
	snprintf(path, sizeof path, "/proc/%d/exe", (int)pid);
	if ((n = readlink(path, buf, sizeof buf - 1)) > 0) {
		buf[n] = 0;
		e = inside(x, buf) ? inside(x, buf) : buf;
		/* COMMAND opening its own program is still us, in execve */
		if (pid == x->child && x->cmd_path && !strcmp(buf, x->self_exe))
			e = x->cmd_path;
		if (!p->exe || strcmp(p->exe, e))
			p->exe = arena_strdup(&x->arena, e);
	}
	return p->exe;
}

static void note(struct learner *x, const char *path, const char *prog, pid_t pid,
		 unsigned flags, int fd, const struct stat *st)
{
	const char *rel = inside(x, path);
	int r;

	if (!rel) {
		x->outside++;
		return;
	}
	if (learn_is_api(rel) && !learn_nameable(rel))
		return; /* left out anyway: not worth a warning */
	if (fd >= 0 && born_after(x, fd, st))
		flags |= LEARN_NEW;
	r = learn_note(&x->l, rel, prog ? prog : proc_exe(x, pid), (int)pid, flags,
		       (unsigned long long)st->st_size);
	if (r == -EINVAL) {
		/* a blank in the name, or "(deleted)" */
		if (!x->unnamed++)
			snprintf(x->unnamed_eg, sizeof x->unnamed_eg, "%s", rel);
	} else if (r < 0) {
		x->nomem++;
	}
}

static void answer(struct learner *x, const struct fanotify_event_metadata *ev)
{
	struct fanotify_response r = { ev->fd, FAN_ALLOW };

	if (ev->mask & FAN_ALL_PERM_EVENTS)
		while (write(x->fan, &r, sizeof r) < 0 && errno == EINTR)
			;
}

static void event(struct learner *x, const struct fanotify_event_metadata *ev)
{
	char link[32], path[4096];
	struct stat st;
	unsigned flags = 0;
	ssize_t n;

	if (ev->mask & FAN_Q_OVERFLOW)
		x->overflow++;
	if (ev->fd < 0)
		return;
	if (ev->pid == x->self || (x->child > 0 && !is_ours(x, ev->pid))) {
		answer(x, ev);
		goto out;
	}
	/* who it is, while it waits; then let it go on */
	exe_of(x, ev->pid);
	answer(x, ev);
	x->events++;
	if (ev->mask & (FAN_OPEN | FAN_OPEN_EXEC | FAN_OPEN_PERM))
		flags |= LEARN_READ;
	if (ev->mask & (FAN_CLOSE_WRITE | FAN_MODIFY))
		flags |= LEARN_WRITTEN;
	snprintf(link, sizeof link, "/proc/self/fd/%d", ev->fd);
	if ((n = readlink(link, path, sizeof path - 1)) <= 0 || fstat(ev->fd, &st) < 0) {
		x->unnamed++;
		goto out;
	}
	path[n] = 0;
	if (S_ISREG(st.st_mode))
		note(x, path, NULL, ev->pid, flags, ev->fd, &st);
out:
	close(ev->fd);
}

/* Read what is queued; 1 if anything was, 0 if not. */
static int read_events(struct learner *x)
{
	/* the kernel's records are 8-byte aligned, as struct fanotify_event_metadata */
	static uint64_t buf[4096 / sizeof(uint64_t)];
	const struct fanotify_event_metadata *ev;
	ssize_t len;
	int any = 0;

	while ((len = read(x->fan, buf, sizeof buf)) > 0) {
		any = 1;
		for (ev = (const void *)buf; FAN_EVENT_OK(ev, len); ev = FAN_EVENT_NEXT(ev, len))
			if (ev->vers == FANOTIFY_METADATA_VERSION)
				event(x, ev);
	}
	return any;
}

/* Mark the root's mount and every mount under it that is not an API file
 * system.  mountinfo's 5th field is the mount point, with blanks as \040. */
static int mark_mounts(struct learner *x, const char *rootdir)
{
	char *buf, *line, *next, mp[4096];
	const char *rel;
	ssize_t n;
	int marked = 0;

	unsigned long long mask = x->perm ? LEARN_MASK_PERM : LEARN_MASK;

	if (fanotify_mark(x->fan, FAN_MARK_ADD | FAN_MARK_MOUNT, mask, AT_FDCWD, rootdir) < 0)
		return -errno;
	marked++;
	if (!(buf = malloc(1 << 20)))
		return -ENOMEM;
	if ((n = read_text("/proc/self/mountinfo", buf, 1 << 20)) < 0) {
		free(buf);
		return (int)n;
	}
	for (line = buf; *line; line = next) {
		char *f = line, *o = mp;
		int i;

		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = 0;
		for (i = 0; i < 4 && f; i++)
			f = strchr(f, ' ') ? strchr(f, ' ') + 1 : NULL;
		if (!f)
			continue;
		for (; *f && *f != ' ' && o < mp + sizeof mp - 1; f++) {
			if (f[0] == '\\' && f[1] >= '0' && f[1] <= '3' && f[2] && f[3]) {
				*o++ = (char)((f[1] - '0') * 64 + (f[2] - '0') * 8 + (f[3] - '0'));
				f += 3;
			} else {
				*o++ = *f;
			}
		}
		*o = 0;
		if (!(rel = inside(x, mp)) || !strcmp(rel, "/") || learn_is_api(rel))
			continue;
		if (fanotify_mark(x->fan, FAN_MARK_ADD | FAN_MARK_MOUNT, mask, AT_FDCWD, mp) < 0)
			warn("learn: cannot watch %s: %s; what is read there is not seen", mp,
			     strerror(errno));
		else
			marked++;
	}
	free(buf);
	debug("learn: watching %d mounts", marked);
	return 0;
}

/* What base brings: its own lines, and what planning it adds (libraries,
 * NSS modules, the symlinks and directories on the way). */
static void load_base(struct learner *x, const char *mdir)
{
	struct manifest m;
	struct plan p;
	enum log_level lvl = log_get_level();
	size_t i;

	manifest_init(&m, mdir ? NULL : &x->rfs, mdir ? mdir : R2R_MANIFEST_DIR);
	if (manifest_load(&m, "base") == -ENOENT) {
		warn("learn: no base.manifest in %s: nothing is left out for it",
		     mdir ? mdir : x->rfs.dir);
		manifest_free(&m);
		return;
	}
	learn_skip_manifest(&x->l, &m);
	/* the plan's problems (a base naming busybox on a host without it)
	 * are for `root2ram plan` to report, not here */
	plan_init(&p, &x->rfs);
	log_set_level(LOG_FATAL);
	plan_add_manifest(&p, &m);
	plan_finish(&p);
	log_set_level(lvl);
	for (i = 0; i < p.n; i++)
		learn_skip(&x->l, p.e[i].path);
	plan_free(&p);
	manifest_free(&m);
}

/* The canonical path of what path names, as the kernel sees it: an O_PATH
 * fd's link.  (musl's realpath and strftime with its time zone code cost
 * the init more than all of learn.)  0 or -errno. */
static int canon(const char *path, char *out, size_t size)
{
	char link[32];
	ssize_t n;
	int fd = open(path, O_PATH | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	n = readlink(link, out, size - 1);
	close(fd);
	if (n <= 0 || (size_t)n >= size - 1)
		return n < 0 ? -errno : -ENAMETOOLONG;
	out[n] = 0;
	return 0;
}

/* "2026-12-01 10:12:00 UTC" from seconds since the epoch: days to a civil
 * date as in Howard Hinnant's days_from_civil, inverted. */
static void utc_date(long long t, char *buf, size_t size)
{
	long long z = (t >= 0 ? t : t - 86399) / 86400, era, doe, yoe, doy, mp, y, m, d;
	long long sec = t - z * 86400;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	snprintf(buf, size, "%04lld-%02lld-%02lld %02lld:%02lld:%02lld UTC", y + (m <= 2), m, d,
		 sec / 3600, sec / 60 % 60, sec % 60);
}

/* COMMAND as the user named it, found in PATH as execvp does, with its
 * directory resolved and its own name kept: /usr/bin/python3 stays a
 * symlink to python3.11 (the plan copies both). */
static void note_command(struct learner *x, const char *cmd)
{
	const char *path = getenv("PATH"), *p, *e;
	char cand[4096], dir[4096], full[4096];
	struct stat st;
	size_t n;

	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = strchr(cmd, '/') ? "" : path;; p = e + 1) {
		e = p + strcspn(p, ":");
		n = (size_t)(e - p);
		if (strchr(cmd, '/'))
			snprintf(cand, sizeof cand, "%s", cmd);
		else if (snprintf(cand, sizeof cand, "%.*s/%s", (int)n, n ? p : ".", cmd) >=
			 (int)sizeof cand)
			goto next;
		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0) {
			char *slash = strrchr(cand, '/');
			*slash = 0;
			if (!canon(*cand ? cand : "/", dir, sizeof dir) &&
			    snprintf(full, sizeof full, "%s/%s", strcmp(dir, "/") ? dir : "",
				     slash + 1) < (int)sizeof full &&
			    lstat(full, &st) == 0)
				note(x, full, inside(x, full), x->child, LEARN_READ, -1, &st);
			if (inside(x, full))
				x->cmd_path = arena_strdup(&x->arena, inside(x, full));
			return;
		}
	next:
		if (!*e)
			return;
	}
}

/* Python opens DIR/__pycache__/NAME.cpython-311.pyc and only stats
 * DIR/NAME.py (fanotify sees no stat), but imports the cached file only
 * next to its source (PEP 3147): the source goes with it. */
static void pyc_source(struct learner *x, const struct learn_file *f)
{
	char src[4096];
	const char *c = strstr(f->path, "/__pycache__/"), *name, *dot;
	struct stat st;
	int n;

	if (!c || !(dot = strchr(name = c + 13, '.')) || strcmp(f->path + strlen(f->path) - 4, ".pyc"))
		return;
	n = snprintf(src, sizeof src, "%.*s/%.*s.py", (int)(c - f->path), f->path,
		     (int)(dot - name), name);
	if (n < (int)sizeof src && fstatat(x->rfs.fd, src + 1, &st, 0) == 0 && S_ISREG(st.st_mode))
		learn_note(&x->l, src, f->prog, f->pid, LEARN_READ, (unsigned long long)st.st_size);
}

/* For each file: still there?  For each written one: its directory. */
static void finish_notes(struct learner *x)
{
	char dir[4096];
	struct stat st;
	size_t i, nf = x->l.nf;

	for (i = 0; i < nf; i++) {
		struct learn_file *f = &x->l.f[i];
		char *slash;

		if (fstatat(x->rfs.fd, f->path[1] ? f->path + 1 : ".", &st, AT_SYMLINK_NOFOLLOW) < 0)
			f->flags |= LEARN_GONE;
		pyc_source(x, f);
		f = &x->l.f[i]; /* learn_note may have moved them */
		if (!(f->flags & LEARN_WRITTEN))
			continue;
		snprintf(dir, sizeof dir, "%s", f->path);
		if (!(slash = strrchr(dir, '/')) || slash == dir)
			continue;
		*slash = 0;
		if (fstatat(x->rfs.fd, dir + 1, &st, 0) == 0 && S_ISDIR(st.st_mode))
			learn_note_dir(&x->l, dir, st.st_mode);
	}
}

/* A program names /bin/true, the kernel opens /usr/bin/true: the fd
 * link says only the latter.  On a merged-/usr root the top-level links
 * (/bin -> usr/bin, /lib -> usr/lib) are how programs name nearly
 * everything, so each one leading to a recorded file is recorded too (the
 * plan copies a symlink a line names as a symlink). */
static void top_links(struct learner *x)
{
	char target[4096];
	struct dirent *d;
	struct stat st;
	DIR *dir;
	int fd;
	size_t i, n, nf = x->l.nf;

	if ((fd = openat(x->rfs.fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    !(dir = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((d = readdir(dir))) {
		char link[300];

		snprintf(link, sizeof link, "/%s", d->d_name);
		if (fstatat(x->rfs.fd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISLNK(st.st_mode) ||
		    rootfs_realpath(&x->rfs, link, target, sizeof target, 0, NULL, NULL) < 0)
			continue;
		n = strlen(target);
		for (i = 0; i < nf; i++) {
			const struct learn_file *f = &x->l.f[i];

			if (n > 1 && !strncmp(f->path, target, n) && f->path[n] == '/' &&
			    !(f->flags & LEARN_GONE)) {
				learn_note(&x->l, link, f->prog, f->pid, LEARN_READ, 0);
				break;
			}
		}
	}
	closedir(dir);
}

static int write_atomic(const char *file, const char *text)
{
	char tmp[4096];
	int r;

	if (snprintf(tmp, sizeof tmp, "%s.tmp", file) >= (int)sizeof tmp)
		return -ENAMETOOLONG;
	if ((r = write_text(tmp, text)) < 0)
		return r;
	if (rename(tmp, file) < 0) {
		r = -errno;
		unlink(tmp);
		return r;
	}
	return 0;
}

static int run(struct learner *x, const char *out, unsigned long long seconds, char **cmd,
	       const char *rootdir, const char *mdir)
{
	struct learn_totals t;
	sigset_t sigs;
	struct timespec now;
	struct pollfd pfd[2];
	char *old = NULL, *text = NULL, what[1024], date[96], sz[32];
	int pipefd[2] = { -1, -1 }, status = 0, done = 0, r, i;
	size_t wl = 0;
	ssize_t n;

	x->perm = cmd != NULL;
	x->fan = fanotify_init((x->perm ? FAN_CLASS_CONTENT : FAN_CLASS_NOTIF) | FAN_CLOEXEC |
				       FAN_NONBLOCK | FAN_UNLIMITED_QUEUE,
			       O_RDONLY | O_LARGEFILE | O_CLOEXEC);
	if (x->fan < 0 && x->perm && errno == EINVAL) {
		warn("learn: the kernel has no CONFIG_FANOTIFY_ACCESS_PERMISSIONS: the files of a "
		     "process that exits at once are guessed");
		x->perm = 0;
		x->fan = fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK |
					       FAN_UNLIMITED_QUEUE,
				       O_RDONLY | O_LARGEFILE | O_CLOEXEC);
	}
	if (x->fan < 0) {
		if (errno == EPERM)
			error("learn: fanotify needs root (CAP_SYS_ADMIN): run it as root");
		else if (errno == ENOSYS)
			error("learn: this kernel has no fanotify: build it with CONFIG_FANOTIFY=y");
		else
			error("learn: fanotify_init: %s", strerror(errno));
		return EXIT_SYSTEM;
	}
	load_base(x, cmd_manifest_dir(&x->rfs, mdir));
	if (!(old = malloc(MANIFEST_MAX_SIZE)))
		return EXIT_SYSTEM;
	if ((n = read_text(out, old, MANIFEST_MAX_SIZE)) < 0) {
		if (n != -ENOENT) {
			error("learn: cannot read %s: %s", out, strerror((int)-n));
			return EXIT_SYSTEM;
		}
		*old = 0;
	}
	if (*old && learn_old(&x->l, old) < 0)
		return EXIT_SYSTEM;

	/* ^C or a kill ends a --seconds run early, with the file written; with
	 * COMMAND, it is COMMAND's to act on (same process group) and we wait
	 * for it.  A signalfd, not a handler: poll wakes up for it. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	pfd[1].fd = signalfd(-1, &sigs, SFD_NONBLOCK | SFD_CLOEXEC);
	pfd[1].events = POLLIN;
	pfd[1].revents = 0;
	clock_gettime(CLOCK_REALTIME, &x->start);
	if (cmd) {
		/* orphans of COMMAND's tree come to us, not to init: their
		 * ppid chain still ends here */
		prctl(PR_SET_CHILD_SUBREAPER, 1);
		if (pipe2(pipefd, O_CLOEXEC) < 0 || (x->child = fork()) < 0) {
			error("learn: cannot start %s: %s", cmd[0], strerror(errno));
			return EXIT_SYSTEM;
		}
		if (!x->child) {
			char c;

			close(pipefd[1]);
			if (read(pipefd[0], &c, 1) != 1)
				_exit(127);
			sigprocmask(SIG_UNBLOCK, &sigs, NULL);
			execvp(cmd[0], cmd);
			fprintf(stderr, "root2ram: learn: cannot run %s: %s\n", cmd[0], strerror(errno));
			_exit(127);
		}
		close(pipefd[0]);
	}
	if (cmd)
		note_command(x, cmd[0]);
	if ((r = mark_mounts(x, rootdir)) < 0) {
		error("learn: cannot watch %s: %s", rootdir, strerror(-r));
		if (cmd)
			close(pipefd[1]);
		return EXIT_SYSTEM;
	}
	if (cmd) {
		if (write(pipefd[1], "g", 1) != 1)
			return EXIT_SYSTEM;
		close(pipefd[1]);
		for (i = 0; cmd[i]; i++)
			if (wl < sizeof what - 1)
				wl += (size_t)snprintf(what + wl, sizeof what - wl, "%s%s",
						       i ? " " : "", cmd[i]);
	} else {
		snprintf(what, sizeof what, "every process for %llu s", seconds);
		info("learn: watching every process for %llu s", seconds);
	}

	pfd[0].fd = x->fan;
	pfd[0].events = POLLIN;
	for (;;) {
		int timeout = 100;
		pid_t w;

		if (!cmd) {
			long long left;

			clock_gettime(CLOCK_REALTIME, &now);
			left = ((long long)x->start.tv_sec + (long long)seconds - now.tv_sec) * 1000 -
			       ((long long)now.tv_nsec - x->start.tv_nsec) / 1000000;
			if (left <= 0 || (pfd[1].revents & POLLIN))
				break;
			if (left < timeout)
				timeout = (int)left;
		}
		poll(pfd, pfd[1].fd >= 0 ? 2 : 1, timeout);
		read_events(x);
		if (!cmd)
			continue;
		while ((w = waitpid(-1, &r, WNOHANG)) > 0)
			if (w == x->child) {
				status = r;
				done = 1;
			}
		if (done)
			break;
	}
	/* what was queued when the run ended */
	while (poll(pfd, 1, LEARN_DRAIN_MS) > 0 && read_events(x))
		;
	/* no more waiting on us: the files below can be opened */
	close(x->fan);
	finish_notes(x);
	top_links(x);

	utc_date(x->start.tv_sec, date, sizeof date);
	if (learn_text(&x->l, old, date, what, &text, &t) < 0 ||
	    (r = write_atomic(out, text)) < 0) {
		error("learn: cannot write %s: %s", out, text ? strerror(-r) : "out of memory");
		free(text);
		free(old);
		return EXIT_SYSTEM;
	}
	free(text);
	free(old);

	if (cmd) {
		if (WIFEXITED(status))
			info("learn: %s exited %d", cmd[0], WEXITSTATUS(status));
		else if (WIFSIGNALED(status))
			info("learn: %s was killed by signal %d", cmd[0], WTERMSIG(status));
	}
	printf("root2ram: learn: %lu files, %lu directories, %s; %lu lines added to %s\n",
	       t.files, t.dirs, log_human_bytes(t.bytes, sz, sizeof sz), t.added, out);
	printf("root2ram: learn: left out: %lu brought by base, %lu in API file systems, "
	       "%lu created by the run, %lu gone\n",
	       t.base, t.api, t.created, t.gone);
	/* what it could not see */
	if (!cmd)
		info("learn: files opened before learn started are not seen: start it before "
		     "the appliance");
	if (x->overflow)
		warn("learn: the kernel's queue overflowed %lu times: some files were not seen; "
		     "learn again with -o %s to add them", x->overflow, out);
	if (x->unnamed)
		warn("learn: %lu files could not be named (blanks in the name, or deleted), e.g. %s",
		     x->unnamed, x->unnamed_eg[0] ? x->unnamed_eg : "?");
	if (x->outside)
		info("learn: %lu opens outside %s left out", x->outside, rootdir);
	if (x->guessed)
		info("learn: %lu processes had exited before their events were read; counted as "
		     "COMMAND's because they started after it",
		     x->guessed);
	if (x->nomem)
		warn("learn: out of memory for %lu files", x->nomem);
	return 0;
}

int cmd_learn(int argc, char **argv)
{
	const char *out = NULL, *root = "/", *mdir = NULL, *secs = NULL;
	unsigned long long seconds = 30;
	char rootdir[4096];
	static struct learner x;
	char **cmd = NULL;
	int i, r;

	for (i = 1; i < argc; i++) {
		if ((r = cmd_option(argc, argv, &i, "-o", &out)) ||
		    (r = cmd_option(argc, argv, &i, "--seconds", &secs)) ||
		    (r = cmd_option(argc, argv, &i, "--root", &root)) ||
		    (r = cmd_option(argc, argv, &i, "--manifests", &mdir))) {
			if (r < 0)
				return EXIT_USAGE;
			continue;
		}
		if (!strcmp(argv[i], "--") && i + 1 < argc) {
			cmd = argv + i + 1;
			break;
		}
		fprintf(stderr, "root2ram: learn: unexpected '%s'\n" LEARN_USAGE, argv[i]);
		return EXIT_USAGE;
	}
	if (!out) {
		fprintf(stderr, "root2ram: learn: -o FILE is needed\n" LEARN_USAGE
				"  records what COMMAND (or every process, for N seconds: default 30)\n"
				"  opens, executes or maps, as a manifest\n");
		return EXIT_USAGE;
	}
	if (secs && (cmd || num_in_range(secs, 1, 86400, &seconds))) {
		fprintf(stderr, "root2ram: learn: --seconds takes 1 to 86400, without a COMMAND\n");
		return EXIT_USAGE;
	}
	if ((r = canon(root, rootdir, sizeof rootdir)) < 0 ||
	    (r = rootfs_open(&x.rfs, rootdir)) < 0) {
		error("learn: cannot open the root %s: %s", root, strerror(-r));
		return EXIT_SYSTEM;
	}
	learn_init(&x.l);
	x.self = getpid();
	{
		ssize_t n = readlink("/proc/self/exe", x.self_exe, sizeof x.self_exe - 1);
		x.self_exe[n > 0 ? n : 0] = 0;
	}
	x.child = -1;
	snprintf(x.root, sizeof x.root, "%s", strcmp(rootdir, "/") ? rootdir : "");
	x.rootlen = strlen(x.root);
	r = run(&x, out, seconds, cmd, rootdir, mdir);
	learn_free(&x.l);
	strmap_free(&x.procs);
	arena_free(&x.arena);
	rootfs_close(&x.rfs);
	return r;
}
