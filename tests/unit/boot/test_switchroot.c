/* Leaving a root for a tmpfs: the checks before anything destructive, and
 * the switch itself, in a child with a private mount namespace (needs
 * root; skipped otherwise). */
#include "unit.h"
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "boot/switchroot.h"

static char dir[64];

/* run fn in a child that has its own mount namespace */
static int in_namespace(int (*fn)(void))
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		if (unshare(CLONE_NEWNS) < 0)
			_exit(77);
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			_exit(78);
		_exit(fn());
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int make_tmpfs_root(void)
{
	char p[128];
	int fd;

	if (mount("t", dir, "tmpfs", 0, "size=1m") < 0)
		return -1;
	snprintf(p, sizeof p, "%s/sbin", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof p, "%s/sbin/real-init", dir);
	fd = open(p, O_WRONLY | O_CREAT, 0755);
	if (fd < 0)
		return -1;
	close(fd);
	snprintf(p, sizeof p, "%s/sbin/init", dir);
	if (symlink("/sbin/real-init", p) < 0) /* absolute: inside the new root */
		return -1;
	snprintf(p, sizeof p, "%s/sbin/data", dir);
	fd = open(p, O_WRONLY | O_CREAT, 0644);
	close(fd);
	return 0;
}

static int checks(void)
{
	/* a plain directory on the same device as / is refused */
	if (!switch_root_check(dir, "/sbin/init"))
		return 10;
	if (make_tmpfs_root() < 0)
		return 11;
	if (switch_root_check(dir, "/sbin/init"))
		return 12; /* absolute symlink followed inside the new root */
	const char *why = switch_root_check(dir, "/sbin/data");
	if (!why || !strstr(why, "not an executable"))
		return 13;
	why = switch_root_check(dir, "/sbin/none");
	if (!why || errno != ENOENT)
		return 14;
	return 0;
}

static int do_switch(void)
{
	struct stat st;

	if (make_tmpfs_root() < 0)
		return 20;
	if (switch_root(dir))
		return 21;
	/* the tmpfs is "/" now, the old root is under /old_root */
	if (stat("/sbin/real-init", &st) < 0)
		return 22;
	if (stat("/old_root/proc", &st) < 0 && stat("/old_root/etc", &st) < 0)
		return 23;
	if (detach_old_root() < 0)
		return 24;
	if (stat("/old_root", &st) == 0)
		return 25;
	return 0;
}

static int not_a_mount_point(void)
{
	/* a directory that is not a mount point is refused before anything */
	const char *why = switch_root(dir);
	return why && strstr(why, "not a mount point") ? 0 : 30;
}

static void run(int (*fn)(void))
{
	int r = in_namespace(fn);
	if (r == 77 || r == 78)
		skip();
	assert_int_equal(r, 0);
}

static void checks_before_switch(void **s) { (void)s; run(checks); }
static void switch_to_tmpfs(void **s) { (void)s; run(do_switch); }
static void refuses_non_mount_point(void **s) { (void)s; run(not_a_mount_point); }

static int setup(void **s)
{
	(void)s;
	strcpy(dir, "/tmp/r2r-switchroot.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **s)
{
	(void)s;
	rmdir(dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(checks_before_switch),
		cmocka_unit_test(switch_to_tmpfs),
		cmocka_unit_test(refuses_non_mount_point),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
