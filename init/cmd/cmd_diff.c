/* cmd_diff.c - `root2ram diff`: how the RAM root and the NFS root differ
 * from what the boot staged, for the paths of the plan, one line each:
 *
 *   changed-ram  /etc/motd
 *   changed-nfs  /etc/sensor/sensord
 *
 * and the session diff, refresh and save share (cmd.h: struct ramroot): the
 * record of the boot (/run/root2ram/staged), the NFS root mounted soft at
 * /run/root2ram/nfs by cmd_nfs.c (an outage is an I/O error within 30 s,
 * the mount gives up after 15 s), the boot's manifests planned against it.
 * Exit status 0 when nothing differs, 1 when something does. */
#define _FILE_OFFSET_BITS 64
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "lib/file.h"
#include "lib/log.h"
#include "lib/paths.h"

#define TMPFS_MAGIC 0x01021994

static char *slurp(const char *path)
{
	struct stat st;
	char *buf = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0 && fstat(fd, &st) == 0 && (buf = malloc((size_t)st.st_size + 1))) {
		ssize_t n = read_full(fd, buf, (size_t)st.st_size);
		if (n < 0) {
			free(buf);
			buf = NULL;
		} else {
			buf[n] = '\0';
		}
	}
	if (fd >= 0)
		close(fd);
	return buf;
}

int ramroot_open(struct ramroot *r, const char *cmd, int rw, int replan)
{
	char *names[CMD_MAX_MANIFESTS], *save = NULL, *m, opt[8] = "";
	static struct utsname uts;
	struct statfs sf;
	struct stat st;
	int n = 0, line, e;

	memset(r, 0, sizeof *r);
	r->cmd = cmd;
	setvbuf(stdout, NULL, _IOLBF, 0); /* its lines in order with the errors */
	r->nfs.fd = r->ramfd = -1;
	if (statfs("/", &sf) < 0 || sf.f_type != TMPFS_MAGIC || !(r->text = slurp(R2R_RUN_STAGED))) {
		fprintf(stderr, "root2ram: %s: not running from a RAM root root2ram staged (no tmpfs "
				"/ with %s); it works on a system booted with init=/sbin/root2ram\n", cmd,
			R2R_RUN_STAGED);
		return EXIT_SYSTEM;
	}
	if (staged_parse(&r->old, r->text, &line) < 0) {
		fprintf(stderr, "root2ram: %s: %s:%d: not a record line; a reboot writes it again\n", cmd,
			R2R_RUN_STAGED, line);
		return EXIT_SYSTEM;
	}
	if ((r->ramfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    (e = nfs_mount_at(R2R_RUN_NFS, !rw)))
		return EXIT_SYSTEM;
	r->mounted = 1;
	if ((e = rootfs_open(&r->nfs, R2R_RUN_NFS)) < 0) {
		fprintf(stderr, "root2ram: %s: open %s: %s\n", cmd, R2R_RUN_NFS, strerror(-e));
		return EXIT_SYSTEM;
	}
	if (!replan)
		return 0;
	for (m = strtok_r(r->old.manifests, ",", &save); m && n < CMD_MAX_MANIFESTS;
	     m = strtok_r(NULL, ",", &save))
		names[n++] = m;
	plan_init(&r->plan, &r->nfs);
	plan_init(&r->ovl, &r->nfs);
	r->planned = 1;
	/* the kernel modules too, as the boot planned them (root2ram.modules):
	 * else they would be what the plan no longer names */
	cmd_run_value(R2R_RUN_OPTIONS, "modules", opt, sizeof opt);
	if (strcmp(opt, "no") && uname(&uts) == 0) {
		r->plan.kernel = uts.release;
		r->plan.sysfs = "/sys";
	}
	if (plan_build(&r->plan, NULL, names, n) < 0) {
		goto noplan;
	}
	if (fstatat(r->nfs.fd, &R2R_OVERLAY_DIR[1], &st, 0) == 0) {
		plan_free(&r->ovl);
		if (staged_overlay(&r->ovl, &r->nfs) < 0)
			goto noplan;
	}
	if ((e = staged_add_plan(&r->now, &r->plan, r->ramfd, 0)) < 0 ||
	    (e = staged_add_plan(&r->now, &r->ovl, r->ramfd, 0)) < 0) {
		fprintf(stderr, "root2ram: %s: reading the NFS root: %s; nothing changed\n", cmd,
			strerror(-e));
		return EXIT_SYSTEM;
	}
	return 0;
noplan:
	fprintf(stderr, "root2ram: %s: the NFS root's manifests or overlay do not plan (above); "
			"nothing changed\n", cmd);
	return EXIT_SYSTEM;
}

void ramroot_close(struct ramroot *r)
{
	if (r->planned) {
		plan_free(&r->plan);
		plan_free(&r->ovl);
	}
	staged_free(&r->old);
	staged_free(&r->now);
	if (r->nfs.fd >= 0)
		rootfs_close(&r->nfs);
	if (r->mounted)
		nfs_umount_at(R2R_RUN_NFS);
	if (r->ramfd >= 0)
		close(r->ramfd);
	free(r->text);
}

int ramroot_save(struct ramroot *r, const struct staged *s)
{
	static const char tmp[] = R2R_RUN_DIR "/.staged.new";
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), e = fd < 0 ? -errno : 0;

	if (!e && !(e = staged_write(s, fd)) && (fsync(fd) < 0 || rename(tmp, R2R_RUN_STAGED) < 0))
		e = -errno;
	if (fd >= 0)
		close(fd);
	if (!e)
		return 0;
	fprintf(stderr, "root2ram: %s: cannot write %s: %s\n", r->cmd, R2R_RUN_STAGED, strerror(-e));
	unlink(tmp);
	return EXIT_SYSTEM;
}

void ramroot_line(int kind, const char *path)
{
	printf("%-12s %s\n", staged_kind_name[kind], path);
}

static int show(void *ctx, int kind, const char *path, const struct staged_entry *o,
		const struct staged_entry *n)
{
	(void)o;
	(void)n;
	++*(int *)ctx;
	ramroot_line(kind, path);
	return 0;
}

int cmd_diff(int argc, char **argv)
{
	struct ramroot r;
	int rc, count = 0;

	if (argc > 1) {
		fprintf(stderr, "root2ram: diff: no argument (%s); usage: root2ram diff\n", argv[1]);
		return EXIT_USAGE;
	}
	if (!(rc = ramroot_open(&r, "diff", 0, 1))) {
		staged_walk(&r.old, &r.now, r.ramfd, show, &count);
		rc = count ? EXIT_CHECK : 0;
	}
	ramroot_close(&r);
	return rc;
}
