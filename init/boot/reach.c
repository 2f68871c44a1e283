/* reach.c - see reach.h.  Every path is resolved inside the staged tree
 * (lib/rootfs), as it will be after the switch: an absolute symlink there
 * points into the RAM root, not into the NFS root. */
/* 64-bit ino_t and d_off with 32-bit glibc too (the armel unit tests) */
#define _FILE_OFFSET_BITS 64
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot/reach.h"
#include "lib/file.h"
#include "lib/match.h"
#include "lib/rootfs.h"

#define TODO_INSTALL "install root2ram's overlay with scripts/install.sh, or add it to the manifest"

static int executable(const struct rootfs *r, const char *path, char *canon, size_t size, int depth)
{
	char head[256], *p, *end;
	struct stat st;
	ssize_t n;
	int fd, e;

	if ((e = rootfs_realpath(r, path, canon, size, 0, NULL, NULL)) < 0)
		return e;
	if ((fd = rootfs_openat(r, canon, O_RDONLY)) < 0)
		return fd;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !(st.st_mode & 0111)) {
		close(fd);
		return -EACCES;
	}
	n = read_full(fd, head, sizeof head - 1);
	close(fd);
	if (n < 2 || head[0] != '#' || head[1] != '!')
		return 0;
	head[n] = '\0';
	for (p = head + 2; *p == ' ' || *p == '\t'; p++)
		;
	end = p + strcspn(p, " \t\r\n");
	*end = '\0';
	if (!*p || depth > 3) /* the kernel allows 4 levels of interpreters */
		return -ENOEXEC;
	char interp[4096];
	/* the file is there; it is the interpreter that is not */
	return executable(r, p, interp, sizeof interp, depth + 1) < 0 ? -ENOEXEC : 0;
}

int reach_executable(const struct rootfs *r, const char *path, char *canon, size_t size)
{
	return executable(r, path, canon, size, 0);
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* a file matching `pattern` in dir, with something in it */
static int has_key(const struct rootfs *r, const char *dir, const char *pattern)
{
	struct dirent *d;
	struct stat st;
	DIR *dp;
	int fd = rootfs_openat(r, dir, O_RDONLY | O_DIRECTORY), found = 0;

	if (fd < 0 || !(dp = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while (!found && (d = readdir(dp)))
		found = match_glob(pattern, d->d_name) && fstatat(dirfd(dp), d->d_name, &st, 0) == 0 &&
			S_ISREG(st.st_mode) && st.st_size > 0;
	closedir(dp);
	return found;
}

/* dropbear's checkpubkeyperms: the home, ~/.ssh and authorized_keys owned
 * by the user or root and not writable by group or others, or no key
 * login.  0, or -1 with f set. */
static int keys_usable(const struct rootfs *r, struct boot_failure *f)
{
	static const char *const chain[] = { "/root", "/root/.ssh", "/root/.ssh/authorized_keys" };
	struct stat st;

	for (size_t i = 0; i < sizeof chain / sizeof *chain; i++) {
		int fd = rootfs_openat(r, chain[i], O_PATH);
		if (fd < 0)
			return boot_fail(f, fd, "install a key with scripts/install.sh --authorized-key FILE, "
					 "or set root2ram.ssh=no", "no SSH key login for root in the RAM root (%s)",
					 chain[i]);
		if (fstat(fd, &st) < 0)
			st.st_uid = (uid_t)-1;
		close(fd);
		if (st.st_uid != 0)
			return boot_fail(f, 0,
					 st.st_uid == 65534 || st.st_uid == (uid_t)-2 ? "an NFSv4 server sends owners this kernel maps to nobody: "
							      "have it send numeric IDs, or boot with vers=3"
							    : "chown it to root on the NFS root",
					 "%s in the RAM root is owned by uid %u, not root: dropbear refuses key logins",
					 chain[i], (unsigned)st.st_uid);
		if (st.st_mode & 022)
			return boot_fail(f, 0, "chmod go-w it on the NFS root",
					 "%s in the RAM root is writable by group or others: dropbear refuses key logins",
					 chain[i]);
	}
	return 0;
}

/* The text of a small file of the root, NUL-terminated: its length or -errno. */
static ssize_t read_in_root(const struct rootfs *r, const char *path, char *buf, size_t size)
{
	int fd = rootfs_openat(r, path, O_RDONLY);
	ssize_t n = fd >= 0 ? read_full(fd, buf, size - 1) : fd;

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return n;
}

/* The line of text that starts with prefix (whole: the line equals it), or NULL. */
static const char *find_line(const char *text, const char *prefix, int whole)
{
	size_t n = strlen(prefix);

	for (const char *line = text; *line; line += strcspn(line, "\n") + (line[strcspn(line, "\n")] != 0))
		if (!strncmp(line, prefix, n) && (!whole || line[n] == '\n' || !line[n]))
			return line;
	return NULL;
}

/* root's login shell, as dropbear checks it (svr-auth.c checkusername):
 * it must run, and be listed by getusershell(), which reads /etc/shells
 * (without the file, glibc and musl answer /bin/sh and /bin/csh).  The
 * accounts are the NFS root's: a Pi OS root logs in to /bin/bash. */
static int shell_usable(const struct rootfs *r, struct boot_failure *f)
{
	static char text[16384];
	char shell[256] = "/bin/sh", canon[4096];
	ssize_t n = read_in_root(r, "/etc/passwd", text, sizeof text);
	const char *line;
	int e;

	if (n < 0)
		return boot_fail(f, (int)n, "add /etc/passwd to the manifest (base.manifest has it)",
				 "the RAM root has no /etc/passwd: nobody can log in");
	if (!(line = find_line(text, "root:", 0)))
		return boot_fail(f, 0, "root needs an account in the NFS root's /etc/passwd",
				 "the RAM root's /etc/passwd has no root");
	{
		const char *p = line, *end;
		for (int i = 0; i < 6 && p; i++)
			if ((p = strchr(p, ':')))
				p++;
		end = p ? p + strcspn(p, "\n") : NULL;
		if (p && end > p && (size_t)(end - p) < sizeof shell) {
			memcpy(shell, p, (size_t)(end - p));
			shell[end - p] = '\0';
		}
	}
	if ((e = executable(r, shell, canon, sizeof canon, 0)) < 0)
		return boot_fail(f, e, "add it to the manifest",
				 "root's login shell %s is not in the RAM root: dropbear refuses the login", shell);
	if (read_in_root(r, "/etc/shells", text, sizeof text) < 0)
		return !strcmp(shell, "/bin/sh") || !strcmp(shell, "/bin/csh")
			       ? 0
			       : boot_fail(f, 0, "add /etc/shells to the manifest",
					   "root's login shell %s is not a shell for dropbear: the RAM root has no /etc/shells",
					   shell);
	if (find_line(text, shell, 1))
		return 0;
	return boot_fail(f, 0, "list it in the NFS root's /etc/shells",
			 "root's login shell %s is not in the RAM root's /etc/shells: dropbear refuses the login", shell);
}

struct inittab {
	int ssh;      /* a line starts dropbear or sshd */
	int dropbear_r; /* ... dropbear with -R (keys made at the first login) */
};

/* busybox init runs a process through /bin/sh -c when it has any of these
 * (init/init.c: strpbrk(a->command, "~`!$^&*()=|\\{}[];\"'<>?")). */
#define SHELL_CHARS "~`!$^&*()=|\\{}[];\"'<>?"

/* Check every program the inittab text starts. */
static int check_inittab(const struct rootfs *r, char *text, struct inittab *it, struct boot_failure *f)
{
	char canon[4096], *line, *next;
	int e, lineno = 0;

	for (line = text; line && *line; line = next, lineno++) {
		char *fld[4], *p = line, *prog, *end;
		int i;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (*line == '#' || !line[strspn(line, " \t\r")])
			continue;
		for (i = 0; i < 3 && p; i++) {
			fld[i] = p;
			if ((p = strchr(p, ':')))
				*p++ = '\0';
		}
		if (i < 3 || !p)
			continue; /* busybox skips a bad line too */
		fld[3] = p;
		if (strcmp(fld[2], "sysinit") && strcmp(fld[2], "wait") && strcmp(fld[2], "once") &&
		    strcmp(fld[2], "respawn") && strcmp(fld[2], "askfirst"))
			continue;
		for (prog = fld[3]; *prog == ' ' || *prog == '\t' || *prog == '-'; prog++)
			;
		if (strpbrk(prog, SHELL_CHARS) &&
		    (e = executable(r, "/bin/sh", canon, sizeof canon, 0)) < 0)
			return boot_fail(f, e, TODO_INSTALL,
					 "/etc/inittab of the RAM root needs /bin/sh for line %d", lineno + 1);
		if (!strncmp(prog, "exec ", 5))
			prog += 5;
		end = prog + strcspn(prog, " \t\r");
		if (*end)
			*end++ = '\0';
		/* the daemon may be started through a shell (sh -c '...; exec dropbear') */
		int dropbear = !strcmp(base_name(prog), "dropbear") || strstr(end, "/dropbear ");
		if (dropbear || !strcmp(base_name(prog), "sshd") || strstr(end, "/sshd ")) {
			it->ssh = 1;
			it->dropbear_r |= dropbear && strstr(end, "-R");
		}
		if (prog[0] == '/' && (e = executable(r, prog, canon, sizeof canon, 0)) < 0)
			return boot_fail(f, e, TODO_INSTALL, "/etc/inittab of the RAM root runs %s, %s", prog,
					 e == -ENOENT ? "which is not there" : "which cannot run");
	}
	return 0;
}

int reach_check(const char *newroot, const char *init, int need_ssh, struct boot_failure *f)
{
	static char text[16384];
	struct inittab it = { 0, 0 };
	struct rootfs r;
	char canon[4096];
	int e, busybox, ret = -1;

	if ((e = rootfs_open(&r, newroot)) < 0)
		return boot_fail(f, e, NULL, "open the RAM root %s", newroot);
	if ((e = executable(&r, init, canon, sizeof canon, 0)) < 0) {
		boot_fail(f, e, "add it to the manifest, or set root2ram.init=", "the RAM root's init %s %s",
			  init, e == -ENOENT ? "is not there" : "cannot run");
		goto out;
	}
	busybox = !strcmp(base_name(canon), "busybox");
	if (busybox) {
		if (read_in_root(&r, "/etc/inittab", text, sizeof text) >= 0) {
			if (check_inittab(&r, text, &it, f) < 0)
				goto out;
		} else if ((e = executable(&r, "/etc/init.d/rcS", canon, sizeof canon, 0)) < 0) {
			/* busybox's built-in inittab: rcS, then shells on the console */
			boot_fail(f, e, TODO_INSTALL, "the RAM root has no /etc/inittab and no /etc/init.d/rcS");
			goto out;
		}
	}
	if (need_ssh) {
		int dropbear = executable(&r, "/usr/sbin/dropbear", canon, sizeof canon, 0) == 0 &&
			       (it.dropbear_r || has_key(&r, "/etc/dropbear", "dropbear_*_host_key"));
		int sshd = executable(&r, "/usr/sbin/sshd", canon, sizeof canon, 0) == 0 &&
			   has_key(&r, "/etc/ssh", "ssh_host_*_key");

		if (!dropbear && !sshd) {
			boot_fail(f, 0, "install with scripts/install.sh (it makes the keys), or set root2ram.ssh=no",
				  "the RAM root has no SSH daemon with a host key (dropbear and "
				  "/etc/dropbear/dropbear_*_host_key, or sshd and /etc/ssh/ssh_host_*_key)");
			goto out;
		}
		if (busybox && !it.ssh) {
			boot_fail(f, 0, TODO_INSTALL, "/etc/inittab of the RAM root starts no SSH daemon");
			goto out;
		}
		if (keys_usable(&r, f) < 0 || shell_usable(&r, f) < 0)
			goto out;
	}
	ret = 0;
out:
	rootfs_close(&r);
	return ret;
}
