/* boot.c - root2ram as PID 1.  Read top to bottom: this is the whole boot.
 *
 *   1. /dev, the console and /dev/kmsg; /proc, /sys; /proc/cmdline
 *   2. options: /etc/root2ram/root2ram.conf, then root2ram.* on the cmdline
 *   3. plan the manifests; size every tmpfs from the free RAM
 *   4. mount the tmpfs, stage the plan, copy the overlay over it (in a
 *      child, watched: a stalled NFS server is said on the console)
 *   5. check the RAM root can be reached (reach.c); switch: move /proc /sys
 *      /dev, pivot_root, record the NFS root under /run/root2ram, detach
 *      the old root
 *   6. exec the RAM root's init
 *
 * Until pivot_root every failure ends in fallback(): one line (fail.c) saying
 * what failed and what to do, then exec of the NFS root's own init, so the
 * device boots as it did before root2ram.  After it, a failing init falls
 * back to /bin/sh, and last to a loop that reaps children.  PID 1 never
 * returns.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>

#include "boot/boot.h"
#include "boot/bootstage.h"
#include "boot/config.h"
#include "boot/fail.h"
#include "boot/reach.h"
#include "boot/switchroot.h"
#include "lib/file.h"
#include "lib/log.h"
#include "lib/mount.h"
#include "lib/paths.h"
#include "stage/copy.h"
#include "version.h"

static struct config cfg;
static char timings[1024];
static size_t timings_len;

/* "name seconds" lines, kept for /run/root2ram/timings */
static void mark_at(const char *step, double t)
{
	int n = snprintf(timings + timings_len, sizeof timings - timings_len, "%s %.3f\n", step, t);
	if (n > 0 && (size_t)n < sizeof timings - timings_len)
		timings_len += (size_t)n;
}

static void mark(const char *step) { mark_at(step, log_elapsed()); }

static void __attribute__((noreturn)) hang(void)
{
	fatal("nothing left to run; the system is halted (reset to retry)");
	for (;;) /* reap whatever is re-parented to PID 1 */
		if (wait(NULL) < 0 && errno == ECHILD)
			pause();
}

/* The kernel's own order when init= fails (init/main.c), after `first`. */
static void __attribute__((noreturn)) exec_inits(const char *first, char **argv)
{
	static const char *const order[] = { "/sbin/init", "/etc/init", "/bin/init", "/bin/sh" };
	size_t i;

	if (first && first[0]) {
		struct boot_failure f;
		char line[320];

		argv[0] = (char *)first;
		execv(first, argv);
		boot_fail(&f, -errno, NULL, "run %s", first);
		error("%s", boot_failure_line(&f, "trying /sbin/init, /etc/init, /bin/init, /bin/sh", line,
					      sizeof line));
	}
	for (i = 0; i < sizeof order / sizeof *order; i++) {
		if (first && strcmp(first, order[i]) == 0)
			continue;
		argv[0] = (char *)order[i];
		execv(order[i], argv);
	}
	hang();
}

/* Before the switch: the failure in one line, then the NFS root's own init. */
static void __attribute__((noreturn)) fallback(char **argv, const struct boot_failure *f)
{
	char line[400], instead[CONFIG_PATH_MAX + 32];

	snprintf(instead, sizeof instead, "booting the NFS root's %s", cfg.fallback);
	error("%s", boot_failure_line(f, instead, line, sizeof line));
	exec_inits(cfg.fallback, argv);
}

/* The same, for a step that fails here: err is -errno or 0, todo may be NULL. */
static void __attribute__((noreturn, format(printf, 4, 5)))
fall_back(char **argv, int err, const char *todo, const char *fmt, ...)
{
	struct boot_failure f;
	va_list ap;

	va_start(ap, fmt);
	boot_vfail(&f, err, todo, fmt, ap);
	va_end(ap);
	fallback(argv, &f);
}

/* The console: the kernel opens /dev/console for init only if it exists on
 * the root it mounted.  If it did not, open it from the devtmpfs now. */
static void open_console(void)
{
	int fd;

	if (fcntl(2, F_GETFD) >= 0)
		return;
	fd = open("/dev/console", O_RDWR | O_NOCTTY);
	if (fd < 0)
		return;
	for (int i = 0; i < 3; i++)
		if (fd != i)
			dup2(fd, i);
	if (fd > 2)
		close(fd);
}

/* Nothing is created on the NFS root: the directories must be there (they
 * are on every Raspberry Pi OS root).  The kernel may have mounted /dev
 * already (CONFIG_DEVTMPFS_MOUNT): a second mount would stack on it. */
static int mount_dev(void)
{
	if (!is_mountpoint("/dev") && mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755") < 0)
		return -errno;
	return 0;
}

/* After the console is open, so that a failure here is seen. */
static void mount_proc_sys(char **argv, int dev_err)
{
	if (dev_err)
		warn("mount /dev: %s (is CONFIG_DEVTMPFS on?)", strerror(-dev_err));
	if (!is_mountpoint("/proc") &&
	    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		fall_back(argv, -errno, "the NFS root needs an empty /proc", "mount /proc");
	if (!is_mountpoint("/sys") && mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		warn("mount /sys: %s", strerror(errno));
}

/* Pick the directory to mount the tmpfs on: an existing empty directory of
 * the NFS root (nothing is created there: the NFS root is never written). */
static const char *mount_point(void)
{
	static const char *const cand[] = { "/run", "/mnt", "/media", "/tmp" };
	struct stat st;

	for (size_t i = 0; i < sizeof cand / sizeof *cand; i++)
		if (stat(cand[i], &st) == 0 && S_ISDIR(st.st_mode))
			return cand[i];
	return NULL;
}

/* What the NFS root was, for `root2ram nfs mount` and `root2ram status`. */
static char nfsinfo[4096]; /* the mount of "/", record_nfs_root's */

static void record_nfs_root(char *out, size_t size)
{
	static char info[16384];

	out[0] = '\0';
	if (read_text("/proc/self/mountinfo", info, sizeof info) >= 0)
		bootstage_root_mount(info, out, size);
}

/* The file systems a running system expects, mounted here rather than by
 * rcS: a mount from C costs nothing, a fork of busybox per mount is a
 * noticeable share of the time to SSH on a small board.  1 when every one
 * is mounted (rcS is told, and checks none of them again), else 0 (rcS
 * mounts whatever is missing). */
static int mount_run_fs(const struct tmpfs_sizes *ts)
{
	const struct { const char *dir, *type, *opts; mode_t mode; unsigned long flags; unsigned long long size; } fs[] = {
		{ "/run", "tmpfs", "mode=0755", 0755, MS_NOSUID | MS_NODEV, ts->run },
		{ "/tmp", "tmpfs", "mode=1777", 01777, MS_NOSUID | MS_NODEV, ts->tmp },
		{ "/dev/pts", "devpts", "gid=5,mode=620,ptmxmode=666", 0755, MS_NOSUID | MS_NOEXEC, 0 },
		{ "/dev/shm", "tmpfs", "mode=1777", 01777, MS_NOSUID | MS_NODEV, ts->shm },
	};
	char opts[64];
	int all = is_mountpoint("/proc") && is_mountpoint("/sys");

	for (size_t i = 0; i < sizeof fs / sizeof *fs; i++) {
		mkdir(fs[i].dir, fs[i].mode);
		if (is_mountpoint(fs[i].dir))
			continue;
		/* a tmpfs without size= may take half of RAM: each has its share */
		if (fs[i].size)
			snprintf(opts, sizeof opts, "%s,size=%llu", fs[i].opts, fs[i].size);
		else
			snprintf(opts, sizeof opts, "%s", fs[i].opts);
		if (mount(fs[i].type, fs[i].dir, fs[i].type, fs[i].flags, opts) < 0) {
			warn("mount %s: %s", fs[i].dir, strerror(errno));
			all = 0;
		}
	}
	mkdir("/run/lock", 0755);
	mkdir("/var", 0755);
	mkdir("/var/log", 0755);
	/* the links udev makes: /dev/stdin for scripts, /dev/fd for bash's <(...) */
	symlink("/proc/self/fd", "/dev/fd");
	symlink("/proc/self/fd/0", "/dev/stdin");
	symlink("/proc/self/fd/1", "/dev/stdout");
	symlink("/proc/self/fd/2", "/dev/stderr");
	return all;
}

/* What every init does before its scripts (systemd's loopback-setup.c and
 * hostname-setup.c): the loopback up (the kernel gives it 127.0.0.1), and
 * the host name from /etc/hostname if the manifest copied one.  rcS does
 * both only if they are not done, so no busybox is forked for them. */
static void net_basics(void)
{
	struct ifreq ifr;
	char name[65];
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd >= 0) {
		memset(&ifr, 0, sizeof ifr);
		memcpy(ifr.ifr_name, "lo", 3);
		if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 && !(ifr.ifr_flags & IFF_UP)) {
			ifr.ifr_flags |= IFF_UP;
			if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
				warn("bring up the loopback: %s", strerror(errno));
		}
		close(fd);
	}
	if (read_text("/etc/hostname", name, sizeof name) <= 0)
		return;
	name[strcspn(name, " \t\r\n")] = '\0';
	if (name[0] && sethostname(name, strlen(name)) < 0)
		warn("set the host name %s: %s", name, strerror(errno));
}

/* The record of what was staged (staged.h): written by the staging child
 * into a memfd, put in /run/root2ram once /run is the RAM root's. */
static int record_fd = -1;

static void save_record(void)
{
	struct stat st;
	off_t off = 0;
	int out = -1;

	if (record_fd < 0 || fstat(record_fd, &st) < 0 ||
	    (out = open(R2R_RUN_STAGED, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		goto fail;
	while (off < st.st_size)
		if (sendfile(out, record_fd, &off, (size_t)(st.st_size - off)) <= 0)
			goto fail;
	close(out);
	close(record_fd);
	return;
fail:
	warn("no record of what was staged (%s): root2ram diff, refresh and save will refuse",
	     strerror(errno));
	if (out >= 0)
		close(out);
}

/* What the staging child tells PID 1: an empty fail.what is success. */
struct stage_result {
	struct boot_failure fail;
	struct tmpfs_sizes sizes;
	int mounted;
	unsigned long files;
	unsigned long long bytes;
	double seconds, t_planned;
	char modules[4096]; /* the modules to load, a name a line */
};

/* Steps 3 and 4: plan, check the plan fits, mount the tmpfs, stage.
 * 0, or -1 with res->fail saying what failed. */
static int stage(const char *newroot, struct stage_result *res)
{
	struct boot_failure *f = &res->fail;
	struct bootstage st;
	struct tmpfs_sizes *ts = &res->sizes;
	struct sysinfo si;
	unsigned long long need, ram, avail;
	char b1[32], b2[32], b3[32], b4[32], opts[64];
	double t0 = log_elapsed();
	int fits;

	if (cfg.jobs)
		copy_jobs = cfg.jobs;
	if (bootstage_plan(&st, cfg.manifest, cfg.n_manifest, cfg.modules) < 0)
		return boot_fail(f, 0, "check it with: root2ram plan MANIFEST", "the manifest has errors (above)");
	if (st.plan->modules_load)
		snprintf(res->modules, sizeof res->modules, "%s", st.plan->modules_load);
	st.record_fd = record_fd;
	st.nfsroot = nfsinfo;
	res->t_planned = log_elapsed();
	need = bootstage_need(&st);
	if (sysinfo(&si) < 0)
		return boot_fail(f, -errno, NULL, "sysinfo");
	ram = (unsigned long long)si.totalram * si.mem_unit;
	avail = (unsigned long long)si.freeram * si.mem_unit;
	fits = bootstage_tmpfs_sizes(need, ram, avail, cfg.size, cfg.size_pct, ts) == 0;
	if (ts->asked)
		warn("root2ram.size asks for %s, more than this RAM can hold: the RAM root gets %s "
		     "(%s of RAM is kept for programs, %s for /tmp, /run and /dev/shm)",
		     log_human_bytes(ts->asked, b1, sizeof b1), log_human_bytes(ts->root, b2, sizeof b2),
		     log_human_bytes(ts->reserve, b3, sizeof b3),
		     log_human_bytes(ts->budget - ts->root, b4, sizeof b4));
	info("planned %s for a %s tmpfs in %.2f s", log_human_bytes(need, b1, sizeof b1),
	     log_human_bytes(ts->root, b2, sizeof b2), res->t_planned - t0);
	if (!fits && (cfg.size || cfg.size_pct) && !ts->asked)
		return boot_fail(f, 0, "raise root2ram.size or trim the manifest",
				 "the plan needs %s but root2ram.size is %s", log_human_bytes(need, b1, sizeof b1),
				 log_human_bytes(ts->root, b2, sizeof b2));
	if (!fits)
		return boot_fail(f, 0, "trim the manifest",
				 "the plan needs %s but the RAM root can have only %s: of the %s of RAM free, "
				 "%s is kept for programs and 3 MiB for /tmp, /run and /dev/shm",
				 log_human_bytes(need, b1, sizeof b1), log_human_bytes(ts->root, b2, sizeof b2),
				 log_human_bytes(avail, b3, sizeof b3), log_human_bytes(ts->reserve, b4, sizeof b4));
	snprintf(opts, sizeof opts, "size=%llu,mode=0755", ts->root);
	if (mount("root2ram", newroot, "tmpfs", 0, opts) < 0)
		return boot_fail(f, -errno, "is CONFIG_TMPFS on?", "mount a tmpfs on %s", newroot);
	res->mounted = 1;
	if (bootstage_copy(&st, newroot) < 0)
		return boot_fail(f, 0, NULL, "staging into RAM failed (above)");
	res->files = st.files;
	res->bytes = st.bytes;
	res->seconds = st.seconds;
	return 0;
}

static void stage_in_child(const char *newroot, struct stage_result *res)
{
	int fd[2] = { -1, -1 }, status = 0;
	struct copy_progress *pg;
	ssize_t n;
	pid_t pid = -1;

	memset(res, 0, sizeof *res);
	record_fd = memfd_create("root2ram-staged", MFD_CLOEXEC);
	/* the copy's progress, shared with the child, for the console */
	pg = mmap(NULL, sizeof *pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	copy_progress = pg == MAP_FAILED ? NULL : pg;
	if (pipe2(fd, O_CLOEXEC) < 0 || (pid = fork()) < 0) {
		warn("cannot start the staging child (%s): staging in PID 1 itself, "
		     "where a bug in it would stop the boot", strerror(errno));
		if (fd[0] >= 0) {
			close(fd[0]);
			close(fd[1]);
		}
		stage(newroot, res);
		return;
	}
	if (pid == 0) {
		close(fd[0]);
		stage(newroot, res);
		n = write(fd[1], res, sizeof *res);
		_exit(n == (ssize_t)sizeof *res ? 0 : 1);
	}
	close(fd[1]);
	bootstage_watch(fd[0], pid, copy_progress);
	n = read_full(fd[0], res, sizeof *res);
	close(fd[0]);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno == EINTR)
			continue;
		status = 0xff00; /* not known: as if it exited 255 */
		break;
	}
	if (n != (ssize_t)sizeof *res) {
		memset(res, 0, sizeof *res);
		res->mounted = 1; /* it may have got that far */
		if (WIFSIGNALED(status))
			boot_fail(&res->fail, 0, "please report it with the lines above",
				  "staging crashed (signal %d): a bug in root2ram", WTERMSIG(status));
		else
			boot_fail(&res->fail, 0, "please report it with the lines above",
				  "staging stopped (status %d)", WEXITSTATUS(status));
	}
}

void boot_main(int argc, char **argv)
{
	static char cmdline[4096], conf[8192], summary[256], opts[768];
	struct stage_result res;
	const char *mnt, *step;
	char buf[64], newroot[64];
	int r, mounted;

	(void)argc;
	log_start_clock();
	config_defaults(&cfg);

	/* 1. */
	r = mount_dev(); /* /dev/console and /dev/kmsg first: every line after is seen */
	open_console();
	log_open_kmsg();
	mount_proc_sys(argv, r);
	log_kernel_echo(); /* /proc is there now */
	if ((r = (int)read_text("/proc/cmdline", cmdline, sizeof cmdline)) < 0)
		fall_back(argv, r, NULL, "read /proc/cmdline");

	/* 2. the file first; the command line wins */
	if (read_text(R2R_CONF_FILE, conf, sizeof conf) >= 0)
		config_from_text(&cfg, conf, R2R_CONF_FILE);
	config_from_cmdline(&cfg, cmdline);
	if (cfg.debug)
		log_set_level(LOG_DEBUG);
	if (cfg.off)
		fall_back(argv, 0, NULL, "root2ram=off on the kernel command line");
	info("starting (version %s), manifest %s%s", R2R_VERSION, cfg.manifest[0],
	     cfg.n_manifest > 1 ? ", ..." : "");
	mark("start");

	/* 3. and 4., in a child: a bug in planning or staging can only kill
	 * the child, never PID 1 (that would panic the kernel) */
	if (!(mnt = mount_point()))
		fall_back(argv, 0, NULL, "no directory to mount the tmpfs on (need /run, /mnt or /tmp)");
	snprintf(newroot, sizeof newroot, "%s", mnt);
	/* the NFS root: for the copy (read in the child) and, after the
	 * switch, for root2ram nfs mount */
	record_nfs_root(nfsinfo, sizeof nfsinfo);
	stage_in_child(newroot, &res);
	if (res.fail.what[0]) {
		if (res.mounted)
			umount2(newroot, MNT_DETACH);
		fallback(argv, &res.fail);
	}
	mark_at("planned", res.t_planned);
	mark("staged");
	info("staged %lu files, %s in %.2f s", res.files, log_human_bytes(res.bytes, buf, sizeof buf),
	     res.seconds);
	if (reach_check(newroot, cfg.init, cfg.ssh, &res.fail) < 0) {
		umount2(newroot, MNT_DETACH);
		fallback(argv, &res.fail);
	}
	if ((step = switch_root_check(newroot, cfg.init))) {
		r = -errno;
		umount2(newroot, MNT_DETACH);
		fall_back(argv, r, NULL, "%s", step);
	}

	/* 5. */
	if ((step = switch_root(newroot))) {
		r = -errno;
		umount2(newroot, MNT_DETACH);
		fall_back(argv, r, NULL, "%s", step);
	}
	mark("switched");
	/* From here on the RAM root is "/": no fallback to the NFS root. */
	mounted = mount_run_fs(&res.sizes);
	net_basics();
	mkdir(R2R_RUN_DIR, 0755);
	write_text(R2R_RUN_NFSROOT, nfsinfo);
	/* what rcS needs of the options: shell words, checked by config.c */
	snprintf(opts, sizeof opts,
		 "mounts=%s\nlogs=%s\nsyslog=%s\nmodules=%s\nntp=%s\nwatchdog=%u\nhealth=%s\n",
		 mounted ? "yes" : "no", cfg.logs ? "yes" : "no", cfg.syslog, cfg.modules ? "yes" : "no",
		 cfg.ntp, cfg.watchdog, cfg.health);
	write_text(R2R_RUN_OPTIONS, opts);
	write_text(R2R_RUN_MODULES, res.modules);
	save_record();
	if (cfg.detach) {
		if ((r = detach_old_root()) < 0)
			warn("detach the NFS root: %s; it stays at " R2R_OLD_ROOT, strerror(-r));
		else {
			mark("detached");
			info("NFS root detached: an outage can no longer stall this system");
		}
	}
	snprintf(summary, sizeof summary,
		 "root2ram: running from RAM: %lu files, %s staged in %.2f s; NFS root %s\n", res.files,
		 log_human_bytes(res.bytes, buf, sizeof buf), res.seconds,
		 cfg.detach ? "detached (root2ram nfs mount brings it back)" : "at " R2R_OLD_ROOT);
	write_text(R2R_RUN_SUMMARY, summary);
	mark("exec-init");
	write_text(R2R_RUN_TIMINGS, timings);
	info("switched to RAM in %.2f s; starting %s", log_elapsed(), cfg.init);

	/* 6. */
	argv[0] = cfg.init;
	execv(cfg.init, argv);
	{
		struct boot_failure f;
		char line[400];

		boot_fail(&f, -errno, NULL, "run %s in the RAM root", cfg.init);
		error("%s", boot_failure_line(&f, "starting /bin/sh", line, sizeof line));
	}
	argv[0] = "/bin/sh";
	execv("/bin/sh", argv);
	hang();
}
