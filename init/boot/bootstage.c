/* bootstage.c - see bootstage.h.  The boot's use of plan.c and copy.c:
 * everything is read through a rootfs opened on "/", the NFS root, and
 * closed again before the switch so nothing keeps a reference to it. */
/* 64-bit ino_t with 32-bit glibc too (the armel unit tests) */
#define _FILE_OFFSET_BITS 64
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "boot/bootstage.h"
#include "stage/copy.h"
#include "lib/file.h"
#include "lib/log.h"
#include "lib/mount.h"
#include "lib/paths.h"
#include "stage/plan.h"
#include "stage/staged.h"

static struct rootfs root; /* opened by bootstage_plan */
static struct plan plan;

int bootstage_plan(struct bootstage *st, char (*names)[CONFIG_NAME_MAX], int n, int modules)
{
	static struct utsname uts;
	char *list[CONFIG_MAX_MANIFESTS];
	int r, i;

	memset(st, 0, sizeof *st);
	st->record_fd = -1;
	st->names = names;
	st->n_names = n;
	if ((r = rootfs_open(&root, "/")) < 0) {
		error("open /: %s", strerror(-r));
		return r;
	}
	plan_init(&plan, &root);
	st->plan = &plan;
	if (modules && uname(&uts) == 0) {
		plan.kernel = uts.release;
		plan.sysfs = "/sys";
	}
	for (i = 0; i < n && i < CONFIG_MAX_MANIFESTS; i++)
		list[i] = names[i];
	/* NULL: manifests from /etc/root2ram/manifests inside the root */
	r = plan_build(&plan, NULL, list, i);
	/* warnings never stop a boot: `root2ram plan --strict` on the server is
	 * where they are errors */
	if (plan_warnings(&plan))
		info("the plan has %d warning%s (above); root2ram plan shows them", plan_warnings(&plan),
		     plan_warnings(&plan) == 1 ? "" : "s");
	return r;
}

unsigned long long bootstage_need(const struct bootstage *st)
{
	struct plan_totals t;

	plan_totals(st->plan, &t);
	return t.tmpfs;
}

/* Mount points and scratch directories the switch and rcS need, whatever
 * the manifest says. */
static void make_mount_points(int dfd)
{
	static const struct { const char *name; mode_t mode; } dirs[] = {
		{ "proc", 0555 }, { "sys", 0555 }, { "dev", 0755 },
		{ "run", 0755 },  { "tmp", 01777 }, { &R2R_OLD_ROOT[1], 0700 },
	};
	for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++)
		if (mkdirat(dfd, dirs[i].name, dirs[i].mode) == 0)
			fchmodat(dfd, dirs[i].name, dirs[i].mode, 0); /* past the umask */
}

/* What was staged, for root2ram diff, refresh and save (staged.h). */
static void record(const struct bootstage *st, const struct plan *ovl, int dfd)
{
	static struct staged s;
	double t0 = log_elapsed();
	size_t len = 0;
	int r;

	if (st->record_fd < 0)
		return;
	for (int i = 0; i < st->n_names && len < sizeof s.manifests; i++)
		len += (size_t)snprintf(s.manifests + len, sizeof s.manifests - len, "%s%s", i ? "," : "",
					st->names[i]);
	if ((r = staged_add_plan(&s, &plan, dfd, 1)) < 0 ||
	    (r = staged_add_plan(&s, ovl, dfd, 1)) < 0 || (r = staged_write(&s, st->record_fd)) < 0)
		warn("no record of what was staged (%s): root2ram diff, refresh and save will refuse",
		     strerror(-r));
	debug("recorded %lu paths in %.3f s", (unsigned long)s.n, log_elapsed() - t0);
	staged_free(&s);
}

/* 1 if every file of the plan is on the file system dev. */
static int on_dev(const struct plan *p, uint64_t dev)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->e[i].type == PLAN_FILE && p->e[i].dev != dev)
			return 0;
	return 1;
}

/* The copy's source when "/" is NFS read 4 KiB at a time (nfsroot's default):
 * the same export mounted once more, read-only, with the server's preferred
 * size (nfs_remount_options leaves the 4 KiB out), on a directory of the new
 * tmpfs that is gone again before the switch.  Under rsize=4096 each page
 * the copy reads is a request of its own, and the client's work for each (a
 * kernel thread woken for the reply) was most of the copy under QEMU.  0
 * with src open on it, or -1: the copy reads "/" itself (not NFS, a size
 * asked for, a planned file on another file system than dev, or the mount
 * failed). */
static int fast_source(const char *nfsroot, uint64_t dev, const char *newroot, struct rootfs *src,
		       char *dir, size_t size)
{
	static char text[4096];
	struct nfsroot n;
	char opts[1200];

	if (!nfsroot || snprintf(text, sizeof text, "%s", nfsroot) >= (int)sizeof text ||
	    nfsroot_parse(text, &n) < 0 || strncmp(n.fstype, "nfs", 3) || !on_dev(&plan, dev) ||
	    nfs_remount_options(n.options, 1, "nosharecache", opts, sizeof opts) < 0 || strstr(opts, "rsize="))
		return -1;
	snprintf(dir, size, "%s%s", newroot, R2R_STAGE_SOURCE);
	if (mkdir(dir, 0700) < 0)
		return -1;
	if (mount(n.source, dir, n.fstype, MS_RDONLY | MS_NOSUID | MS_NODEV, opts) < 0 ||
	    rootfs_open(src, dir) < 0) {
		debug("copying from / (%s mounted again with %s: %s)", n.source, opts, strerror(errno));
		umount2(dir, MNT_DETACH);
		rmdir(dir);
		return -1;
	}
	debug("copying from %s mounted again with %s", n.source, opts);
	return 0;
}

int bootstage_copy(struct bootstage *st, const char *newroot)
{
	struct rootfs fast, *src = &root;
	uint64_t dev = 0; /* of "/", where the plan's files are (with src the second mount) */
	char fast_dir[128];
	struct copy_stats cs;
	struct plan ovl;
	struct stat sb;
	int dfd, r;

	memset(&cs, 0, sizeof cs);
	plan_init(&ovl, &root);
	dfd = open(newroot, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		r = -errno;
		error("open %s: %s", newroot, strerror(errno));
		goto out;
	}
	if (fstat(root.fd, &sb) == 0) {
		dev = (uint64_t)sb.st_dev;
		if (fast_source(st->nfsroot, dev, newroot, &fast, fast_dir, sizeof fast_dir) == 0)
			src = &fast;
	}
	r = copy_plan_flags(&plan, src, dfd, 0, &cs); /* no progress line on the console */
	if (r < 0)
		goto out;
	if (fstatat(root.fd, &R2R_OVERLAY_DIR[1], &sb, 0) == 0) { /* relative to the root */
		plan_free(&ovl);
		if ((r = staged_overlay(&ovl, &root)) < 0 ||
		    (r = copy_plan_flags(&ovl, on_dev(&ovl, dev) ? src : &root, dfd, COPY_OVERWRITE,
					 &cs)) < 0)
			goto out;
	} else {
		warn("no %s in the NFS root: the RAM root has no inittab of root2ram's "
		     "(install it with scripts/install.sh)", R2R_OVERLAY_DIR);
	}
	make_mount_points(dfd);
	record(st, &ovl, dfd);
out:
	if (src == &fast) {
		rootfs_close(&fast);
		umount2(fast_dir, MNT_DETACH);
		rmdir(fast_dir);
	}
	st->files = cs.files + cs.symlinks + cs.hardlinks;
	st->bytes = cs.bytes;
	st->seconds = cs.seconds;
	if (dfd >= 0)
		close(dfd);
	plan_free(&ovl);
	plan_free(&plan);
	rootfs_close(&root);
	return r;
}

unsigned long long bootstage_tmpfs_size(unsigned long long need, unsigned long long ram,
					unsigned long long size, unsigned pct)
{
	if (size)
		return size;
	if (pct)
		return ram / 100 * pct;
	size = need + need / 4 + (16ULL << 20);
	if (size > ram / 2)
		size = ram / 2 > need ? ram / 2 : need;
	return size;
}

int bootstage_tmpfs_sizes(unsigned long long need, unsigned long long ram, unsigned long long free_ram,
			  unsigned long long size, unsigned pct, struct tmpfs_sizes *out)
{
	unsigned long long want, max_root, rest;

	memset(out, 0, sizeof *out);
	out->reserve = free_ram / 4 > (16ULL << 20) ? free_ram / 4 : 16ULL << 20;
	out->budget = free_ram > out->reserve ? free_ram - out->reserve : 0;
	max_root = out->budget > TMPFS_MIN_OTHERS ? out->budget - TMPFS_MIN_OTHERS : 0;
	want = bootstage_tmpfs_size(need, ram, size, pct);
	if (want > max_root) {
		if (size || pct)
			out->asked = want;
		want = max_root;
	}
	rest = out->budget - want;
	out->root = want;
	out->tmp = rest / 2;
	out->run = rest / 4;
	out->shm = rest / 4;
	return need > want ? -ENOSPC : 0;
}

int bootstage_stall_step(struct stall *s, unsigned long seq, int running)
{
	if (seq != s->seq || running) {
		int said = s->waited;
		s->seq = seq;
		if (!said) {
			s->idle = 0;
			return STALL_NONE;
		}
		s->waited = 0; /* s->idle: how long it waited */
		return STALL_GOES_ON;
	}
	s->idle++;
	if (!s->waited && s->idle >= STALL_SECONDS) {
		s->waited = s->idle;
		return STALL_WAITS;
	}
	if (s->waited && s->idle - s->waited >= STALL_REPEAT) {
		s->waited = s->idle;
		return STALL_STILL;
	}
	return STALL_NONE;
}

/* A thread of pid on a CPU ("R" in /proc/PID/task/TID/stat)?  A copy that
 * waits for NFS is in "D" or "S". */
static int running(int pid)
{
	char path[64], buf[512];
	struct dirent *d;
	DIR *dp;
	int r = 0;

	snprintf(path, sizeof path, "/proc/%d/task", pid);
	if (!(dp = opendir(path)))
		return 0;
	while (!r && (d = readdir(dp))) {
		char *p;
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "/proc/%d/task/%.20s/stat", pid, d->d_name);
		if (read_text(path, buf, sizeof buf) > 0 && (p = strrchr(buf, ')')))
			r = p[1] == ' ' && p[2] == 'R';
	}
	closedir(dp);
	return r;
}

/* The staging child, or one of its copy workers, on a CPU? */
static int busy(int pid, const struct copy_progress *pg)
{
	int r = running(pid), k;

	for (k = 0; pg && !r && k < COPY_MAX_JOBS; k++)
		r = pg->workers[k] > 0 && running(pg->workers[k]);
	return r;
}

void bootstage_watch(int fd, int pid, const struct copy_progress *pg)
{
	struct pollfd p = { fd, POLLIN, 0 };
	struct stall s = { pg ? pg->seq : 0, 0, 0 };

	for (;;) {
		int r = poll(&p, 1, 1000);
		if (r > 0 || (r < 0 && errno != EINTR) || !pg)
			return;
		if (r < 0)
			continue;
		switch (bootstage_stall_step(&s, pg->seq, busy(pid, pg))) {
		case STALL_WAITS:
		case STALL_STILL:
			if (pg->current[0])
				info("staging waits for the NFS server: no progress for %d s while copying %.200s "
				     "(%lu of %lu files done); it goes on by itself when the server answers",
				     s.idle, pg->current, pg->files_done, pg->files_total);
			else
				info("staging waits for the NFS server: no progress for %d s while planning; "
				     "it goes on by itself when the server answers", s.idle);
			break;
		case STALL_GOES_ON:
			info("the NFS server answers again: staging goes on after %d s", s.idle);
			break;
		}
	}
}

/* Split line in place into up to max space-separated fields. */
static int fields(char *line, char **f, int max)
{
	int n = 0;

	while (*line && n < max) {
		while (*line == ' ')
			*line++ = '\0';
		if (!*line)
			break;
		f[n++] = line;
		while (*line && *line != ' ')
			line++;
		if (*line)
			*line++ = '\0'; /* end the field even when it is the last wanted */
	}
	return n;
}

/* A mountinfo line (proc(5)):
 *   22 1 0:20 / / rw,relatime shared:1 - nfs 10.0.2.2:/srv/pi rw,vers=3,...
 * mount ID, parent, dev, root, mount point, options, optional fields, "-",
 * type, source, super options.  The last line for "/" is the visible one. */
void bootstage_root_mount(char *info, char *out, size_t size)
{
	char *line, *next, *f[6], *dash, *mopts;

	out[0] = '\0';
	for (line = info; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!(dash = strstr(line, " - ")))
			continue;
		*dash = '\0';
		if (fields(line, f, 6) < 6 || strcmp(f[4], "/") != 0)
			continue;
		mopts = f[5];
		if (fields(dash + 3, f, 3) < 3)
			continue;
		snprintf(out, size, "source=%s\nfstype=%s\nmount_options=%s\nsuper_options=%s\n", f[1],
			 f[0], mopts, f[2]);
	}
}
