/* cmd_nfs.c - `root2ram nfs mount|umount|status`: the old NFS root, on demand.
 *
 * PID 1 recorded the NFS root it left in /run/root2ram/nfsroot (source and
 * the kernel's own option string from /proc/self/mountinfo).  `mount`
 * mounts it again at /old_root with those options, changed on purpose:
 *   - soft,timeo=50,retrans=1 (unless --hard): when the server is away, a
 *     command touching /old_root gets an I/O error within NFS_IO_BOUND
 *     seconds instead of hanging in D state, which is the hang root2ram
 *     exists to avoid (over TCP the client waits timeo, then 2 x timeo:
 *     15 s; the rest is the reconnect);
 *   - ro when the boot's root was ro (--rw to write anyway);
 *   - nolock: no lockd/rpcbind in the RAM root.
 * The mount itself is given NFS_MOUNT_TIMEOUT seconds, in a child killed
 * after that (an NFS mount waits killably for a server that does not answer).
 * `umount` detaches it lazily and `status` reads the kernel's mount table:
 * neither touches the mount, so a dead server never blocks them.  `chroot [COMMAND...]` runs a shell or COMMAND inside it with
 * /proc, /sys, /dev and /run bound in (mounting and releasing it around that
 * if it was not mounted), to run apt or edit files as on the NFS boot.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "lib/file.h"
#include "lib/mount.h"
#include "lib/paths.h"

#define NFS_MOUNT_TIMEOUT 15 /* seconds */
#define NFS_IO_BOUND 30      /* seconds, the README's promise for a soft mount */

static int load(struct nfsroot *n)
{
	char buf[4096];
	ssize_t len = read_text(R2R_RUN_NFSROOT, buf, sizeof buf);

	return len < 0 ? (int)len : nfsroot_parse(buf, n);
}

/* mount(2) in a child, given `seconds`: an NFS mount waits for a server
 * that does not answer, killably.  0, -errno, or -ETIMEDOUT. */
static int mount_bounded(const char *src, const char *dst, const char *type, unsigned long flags,
			 const char *opts, int seconds)
{
	int st = 0, ms;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0)
		_exit(mount(src, dst, type, flags, opts) < 0 ? errno & 0xff : 0);
	for (ms = 0; ms < seconds * 1000; ms += 50) {
		pid_t w = waitpid(pid, &st, WNOHANG);
		if (w == pid)
			return WIFEXITED(st) ? -WEXITSTATUS(st) : -EINTR;
		if (w < 0 && errno != EINTR)
			return -errno;
		usleep(50000);
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return -ETIMEDOUT;
}

/* mount the recorded NFS root at dir: 0, or an exit status */
static int nfs_mount(const struct nfsroot *n, int hard, int ro, const char *extra, int quiet,
		     const char *dir)
{
	char opts[1200];
	int e;

	if (strncmp(n->fstype, "nfs", 3)) {
		fprintf(stderr, "root2ram: nfs: the old root was %s, not NFS\n", n->fstype);
		return EXIT_SYSTEM;
	}
	if (nfs_remount_options(n->options, hard, extra, opts, sizeof opts) < 0) {
		fprintf(stderr, "root2ram: nfs: mount options too long\n");
		return EXIT_USAGE;
	}
	mkdir(dir, 0700);
	e = mount_bounded(n->source, dir, n->fstype, ro ? MS_RDONLY : 0, opts, NFS_MOUNT_TIMEOUT);
	/* a soft mount gives up by itself (EIO) before the child is killed */
	if (e == -ETIMEDOUT || e == -EIO) {
		fprintf(stderr, "root2ram: nfs: mount %s on %s: the server did not answer in %d s (%s); "
				"try again when it is back\n", n->source, dir, NFS_MOUNT_TIMEOUT,
			strerror(-e));
		return EXIT_SYSTEM;
	}
	if (e == -ECONNREFUSED || e == -EHOSTUNREACH || e == -ENETUNREACH) {
		fprintf(stderr, "root2ram: nfs: mount %s on %s: the server is not there (%s); "
				"try again when it is back\n", n->source, dir, strerror(-e));
		return EXIT_SYSTEM;
	}
	if (e < 0) {
		fprintf(stderr, "root2ram: nfs: mount %s on %s: %s (options %s)\n", n->source, dir,
			strerror(-e), opts);
		return EXIT_SYSTEM;
	}
	if (!quiet)
		printf("root2ram: nfs: %s mounted on %s, %s (%s); 'root2ram nfs chroot' to work in it\n",
		       n->source, dir, ro ? "read-only" : "read-write",
		       hard ? "hard" : "soft: an outage gives I/O errors, not a hang");
	return 0;
}

/* Lazily, and judged by the mount table: neither a stat nor the sync of a
 * plain umount waits for a server that may be gone. */
static int nfs_umount(int quiet, const char *dir)
{
	int n;

	if (!is_mountpoint(dir)) {
		if (!quiet)
			printf("root2ram: nfs: %s is not mounted\n", dir);
		return 0;
	}
	for (n = 0; n < 16 && is_mountpoint(dir); n++) /* mounts stacked there too */
		if (umount2(dir, MNT_DETACH) < 0) {
			fprintf(stderr, "root2ram: nfs: unmount %s: %s\n", dir, strerror(errno));
			return EXIT_SYSTEM;
		}
	if (is_mountpoint(dir)) {
		fprintf(stderr, "root2ram: nfs: %s is still mounted after %d unmounts\n", dir, n);
		return EXIT_SYSTEM;
	}
	if (!quiet)
		printf("root2ram: nfs: %s released\n", dir);
	return 0;
}

int nfs_mount_at(const char *dir, int ro)
{
	struct nfsroot n;
	int r = load(&n);

	if (r < 0) {
		fprintf(stderr, "root2ram: nfs: %s: %s (was this system booted by root2ram from NFS?)\n",
			R2R_RUN_NFSROOT, r == -EINVAL ? "incomplete" : strerror(-r));
		return EXIT_SYSTEM;
	}
	if (is_mountpoint(dir))
		nfs_umount(1, dir); /* left by a command that was killed */
	/* a superblock of its own: the boot's (detach=no) has attributes
	 * cached for up to a minute, and a change test must see the server's */
	return nfs_mount(&n, 0, ro, "nosharecache", 1, dir);
}

int nfs_umount_at(const char *dir)
{
	return nfs_umount(1, dir);
}

/* The child of `nfs chroot`: a private mount namespace in which the NFS
 * root gets what a system needs to run commands (as arch-chroot gives it):
 * /proc, /sys, /dev with pts and shm, /run of the RAM root, and a fresh tmpfs
 * on /tmp so scratch files do not land on the server.  Gone when it ends. */
static void chroot_child(char **cmd)
{
	static const struct {
		const char *src, *dst, *type;
		unsigned long flags;
	} m[] = {
		{ "/proc", R2R_OLD_ROOT "/proc", NULL, MS_BIND | MS_REC },
		{ "/sys", R2R_OLD_ROOT "/sys", NULL, MS_BIND | MS_REC },
		{ "/dev", R2R_OLD_ROOT "/dev", NULL, MS_BIND | MS_REC },
		{ "/run", R2R_OLD_ROOT "/run", NULL, MS_BIND | MS_REC },
		{ "tmp", R2R_OLD_ROOT "/tmp", "tmpfs", MS_NOSUID | MS_NODEV },
	};
	char *sh[] = { "sh", NULL };
	const char *shell = getenv("SHELL");

	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		fprintf(stderr, "root2ram: nfs: chroot: a private mount namespace: %s\n", strerror(errno));
		_exit(EXIT_SYSTEM);
	}
	for (size_t i = 0; i < sizeof m / sizeof *m; i++)
		if (is_mountpoint(m[i].src) || m[i].type)
			if (mount(m[i].src, m[i].dst, m[i].type, m[i].flags,
				  m[i].type ? "mode=1777" : NULL) < 0)
				fprintf(stderr, "root2ram: nfs: chroot: %s on %s: %s (going on without)\n",
					m[i].src, m[i].dst, strerror(errno));
	if (chroot(R2R_OLD_ROOT) < 0 || chdir("/") < 0) {
		fprintf(stderr, "root2ram: nfs: chroot %s: %s\n", R2R_OLD_ROOT, strerror(errno));
		_exit(EXIT_SYSTEM);
	}
	setenv("debian_chroot", "nfs-root", 0); /* Debian's bash prompt shows (nfs-root) */
	if (!cmd[0]) {
		if (shell && *shell == '/' && access(shell, X_OK) == 0)
			sh[0] = (char *)shell;
		else
			sh[0] = "/bin/sh";
		cmd = sh;
	}
	execvp(cmd[0], cmd);
	fprintf(stderr, "root2ram: nfs: chroot: run %s in the NFS root: %s\n", cmd[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

/* `nfs chroot [COMMAND...]`: mount the NFS root if it is not, run COMMAND
 * (default: a shell) inside it, and release it again if it was mounted for
 * this.  The exit status is COMMAND's. */
static int nfs_chroot(const struct nfsroot *n, int hard, int ro, const char *extra, char **cmd)
{
	int r, mounted = 0, st = 0;
	pid_t pid;

	if (!is_mountpoint(R2R_OLD_ROOT)) {
		if ((r = nfs_mount(n, hard, ro, extra, 1, R2R_OLD_ROOT)))
			return r;
		mounted = 1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "root2ram: nfs: chroot: fork: %s\n", strerror(errno));
		r = EXIT_SYSTEM;
	} else {
		if (pid == 0)
			chroot_child(cmd);
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		r = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	}
	if (mounted)
		nfs_umount(1, R2R_OLD_ROOT);
	return r;
}

int cmd_nfs(int argc, char **argv)
{
	struct nfsroot n;
	const char *extra = NULL;
	int hard = 0, ro = -1, r, i;

	if (argc < 2)
		goto usage;
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--hard"))
			hard = 1;
		else if (!strcmp(argv[i], "--ro"))
			ro = 1;
		else if (!strcmp(argv[i], "--rw"))
			ro = 0;
		else if (!strcmp(argv[i], "-o") && i + 1 < argc)
			extra = argv[++i];
		else if (!strcmp(argv[1], "chroot")) {
			i += !strcmp(argv[i], "--");
			break;
		} else
			goto usage;
	}
	if (!strcmp(argv[1], "umount"))
		return nfs_umount(0, R2R_OLD_ROOT);
	if (strcmp(argv[1], "mount") && strcmp(argv[1], "chroot") && strcmp(argv[1], "status"))
		goto usage;
	if ((r = load(&n)) < 0) {
		fprintf(stderr, "root2ram: nfs: %s: %s (was this system booted by root2ram from NFS?)\n",
			R2R_RUN_NFSROOT, r == -EINVAL ? "incomplete" : strerror(-r));
		return EXIT_SYSTEM;
	}
	if (ro < 0)
		ro = n.ro; /* as the boot had it */
	if (!strcmp(argv[1], "status")) {
		printf("NFS root: %s (%s)\n%s: %s\n", n.source, n.fstype, R2R_OLD_ROOT,
		       is_mountpoint(R2R_OLD_ROOT) ? "mounted" : "not mounted");
		return 0;
	}
	if (!strcmp(argv[1], "chroot"))
		return nfs_chroot(&n, hard, ro, extra, argv + i);
	if (is_mountpoint(R2R_OLD_ROOT)) {
		printf("root2ram: nfs: %s is already mounted\n", R2R_OLD_ROOT);
		return 0;
	}
	return nfs_mount(&n, hard, ro, extra, 0, R2R_OLD_ROOT);

usage:
	fprintf(stderr, "usage: root2ram nfs mount [--hard] [--ro|--rw] [-o OPTIONS] | umount | status\n"
			"       root2ram nfs chroot [--hard] [--ro|--rw] [-o OPTIONS] [COMMAND [ARG...]]\n");
	return EXIT_USAGE;
}
