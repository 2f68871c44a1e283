/* Paths resolved under a root: symlinks, "..", loops, confinement. */
#include "unit.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "fixture.h"
#include "lib/rootfs.h"

static struct rootfs root;

static int setup(void **s)
{
	(void)s;
	assert_int_equal(fx_make("rootfs"), 0);
	fx_dir("usr");
	fx_dir("usr/lib");
	fx_dir("usr/lib/arm-linux-gnueabi");
	fx_file("usr/lib/arm-linux-gnueabi/ld-linux.so.3", "ld", 0644);
	fx_file("usr/lib/arm-linux-gnueabi/libc.so.6", "libc", 0644);
	fx_link("usr/lib", "lib");                                   /* merged /usr, relative */
	fx_link("arm-linux-gnueabi/ld-linux.so.3", "usr/lib/ld-linux.so.3");
	fx_link("/lib/ld-linux.so.3", "usr/lib/abs-ld");             /* absolute: stays in root */
	fx_link("../../../../../../etc/passwd", "usr/lib/escape");   /* .. cannot climb out */
	fx_file("passwd-outside", "no", 0644);
	fx_dir("etc");
	fx_file("etc/passwd", "root:x:0:0", 0644);
	fx_link("loop2", "loop1");
	fx_link("loop1", "loop2");
	fx_link("nowhere", "dangling");
	fx_file("file", "x", 0644);
	assert_int_equal(rootfs_open(&root, fx_root), 0);
	return 0;
}

static int teardown(void **s)
{
	(void)s;
	rootfs_close(&root);
	return fx_remove();
}

struct links { int n; char buf[1024]; };

static int record(void *ctx, const char *link, const char *target)
{
	struct links *l = ctx;
	size_t u = strlen(l->buf);
	snprintf(l->buf + u, sizeof l->buf - u, "%s -> %s;", link, target);
	l->n++;
	return 0;
}

static void canonical_with_symlink_chain(void **s)
{
	char out[4096];
	struct links l = { 0, "" };
	(void)s;
	assert_int_equal(rootfs_realpath(&root, "/lib/ld-linux.so.3", out, sizeof out, 0, record, &l), 0);
	assert_string_equal(out, "/usr/lib/arm-linux-gnueabi/ld-linux.so.3");
	assert_int_equal(l.n, 2);
	assert_string_equal(l.buf, "/lib -> usr/lib;/usr/lib/ld-linux.so.3 -> arm-linux-gnueabi/ld-linux.so.3;");
}

static void absolute_symlink_restarts_at_root(void **s)
{
	char out[4096];
	struct links l = { 0, "" };
	(void)s;
	assert_int_equal(rootfs_realpath(&root, "/usr/lib/abs-ld", out, sizeof out, 0, record, &l), 0);
	assert_string_equal(out, "/usr/lib/arm-linux-gnueabi/ld-linux.so.3");
	assert_int_equal(l.n, 3);
}

static void dotdot_cannot_escape(void **s)
{
	char out[4096];
	int fd;
	char buf[32] = "";
	(void)s;
	assert_int_equal(rootfs_realpath(&root, "/usr/lib/escape", out, sizeof out, 0, NULL, NULL), 0);
	assert_string_equal(out, "/etc/passwd");
	assert_int_equal(rootfs_realpath(&root, "../../../passwd-outside", out, sizeof out, 0, NULL, NULL), 0);
	assert_string_equal(out, "/passwd-outside"); /* the root's own file */
	fd = rootfs_openat(&root, "/usr/../../../../etc/passwd", O_RDONLY);
	assert_true(fd >= 0);
	assert_true(read(fd, buf, sizeof buf - 1) > 0);
	assert_string_equal(buf, "root:x:0:0");
	close(fd);
}

static void errors(void **s)
{
	char out[4096];
	(void)s;
	assert_int_equal(rootfs_realpath(&root, "/loop1", out, sizeof out, 0, NULL, NULL), -ELOOP);
	assert_int_equal(rootfs_realpath(&root, "/dangling", out, sizeof out, 0, NULL, NULL), -ENOENT);
	assert_int_equal(rootfs_realpath(&root, "/missing/x", out, sizeof out, 0, NULL, NULL), -ENOENT);
	assert_int_equal(rootfs_realpath(&root, "/file/x", out, sizeof out, 0, NULL, NULL), -ENOTDIR);
	assert_int_equal(rootfs_realpath(&root, "/file/..", out, sizeof out, 0, NULL, NULL), -ENOTDIR);
	assert_int_equal(rootfs_realpath(&root, "/file/", out, sizeof out, 0, NULL, NULL), -ENOTDIR);
	assert_int_equal(rootfs_realpath(&root, "/lib/ld-linux.so.3", out, 8, 0, NULL, NULL), -ENAMETOOLONG);
	assert_int_equal(rootfs_openat(&root, "/missing", O_RDONLY), -ENOENT);
}

static void nofollow_last_and_root(void **s)
{
	char out[4096];
	struct links l = { 0, "" };
	(void)s;
	assert_int_equal(rootfs_realpath(&root, "/lib/ld-linux.so.3", out, sizeof out, 1, record, &l), 0);
	assert_string_equal(out, "/usr/lib/ld-linux.so.3");
	assert_int_equal(l.n, 1);
	assert_int_equal(rootfs_realpath(&root, "/dangling", out, sizeof out, 1, NULL, NULL), 0);
	assert_string_equal(out, "/dangling");
	assert_int_equal(rootfs_realpath(&root, "", out, sizeof out, 0, NULL, NULL), 0);
	assert_string_equal(out, "/");
	assert_int_equal(rootfs_realpath(&root, "/..//./", out, sizeof out, 0, NULL, NULL), 0);
	assert_string_equal(out, "/");
	assert_int_equal(rootfs_realpath(&root, "usr//lib/./", out, sizeof out, 0, NULL, NULL), 0);
	assert_string_equal(out, "/usr/lib");
}

static void from_a_canonical_dir(void **s)
{
	char out[4096];
	struct links l = { 0, "" };
	(void)s;
	assert_int_equal(rootfs_realpath_in(&root, "/usr/lib", "ld-linux.so.3", out, sizeof out, record, &l), 0);
	assert_string_equal(out, "/usr/lib/arm-linux-gnueabi/ld-linux.so.3");
	assert_string_equal(l.buf, "/usr/lib/ld-linux.so.3 -> arm-linux-gnueabi/ld-linux.so.3;");
	/* ".." after a symlink is the target's parent, as in the kernel:
	 * lib -> usr/lib, so lib/.. is /usr */
	assert_int_equal(rootfs_realpath_in(&root, "/", "lib/../etc/passwd", out, sizeof out, NULL, NULL), -ENOENT);
	assert_int_equal(rootfs_realpath_in(&root, "/", "lib/../lib/arm-linux-gnueabi/libc.so.6", out, sizeof out,
					    NULL, NULL), 0);
	assert_string_equal(out, "/usr/lib/arm-linux-gnueabi/libc.so.6");
}

static int stop_at_first(void *ctx, const char *link, const char *target)
{
	(void)ctx;
	(void)link;
	(void)target;
	return 7;
}

static void callback_stops(void **s)
{
	char out[4096];
	(void)s;
	assert_int_equal(rootfs_realpath(&root, "/lib/ld-linux.so.3", out, sizeof out, 0, stop_at_first, NULL), 7);
}

/* A directory of the root swapped, again and again, with a symlink that
 * leads outside (..): an open that checks the path and then hands it to the
 * kernel would, some of the time, read the file outside.  openat2's
 * RESOLVE_IN_ROOT closes that window; on a kernel without it the test is
 * skipped (the walker alone cannot close it). */
static void swapped_directory_cannot_escape(void **s)
{
	char d[512], l[512], outside[512], inner[600];
	int escaped = 0, opened = 0;
	pid_t pid;
	(void)s;
	if (syscall(SYS_openat2, -1, "", NULL, 0) < 0 && errno == ENOSYS)
		skip();
	fx_dir("race");
	fx_file("race/f", "inside", 0644);
	snprintf(outside, sizeof outside, "%s/outside", fx_top);
	assert_int_equal(mkdir(outside, 0755), 0);
	snprintf(inner, sizeof inner, "%s/f", outside);
	FILE *f = fopen(inner, "w");
	assert_non_null(f);
	fputs("secret", f);
	fclose(f);
	fx_link("../outside", "race-link"); /* from the root: its parent's outside */
	fx_path(d, sizeof d, fx_root, "race");
	fx_path(l, sizeof l, fx_root, "race-link");
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		for (;;)
			syscall(SYS_renameat2, AT_FDCWD, d, AT_FDCWD, l, 2 /* RENAME_EXCHANGE */);
	}
	for (int i = 0; i < 20000; i++) {
		char buf[16] = "";
		int fd = rootfs_openat(&root, "/race/f", O_RDONLY);
		if (fd < 0)
			continue;
		opened++;
		if (read(fd, buf, sizeof buf - 1) > 0 && !strcmp(buf, "secret"))
			escaped++;
		close(fd);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	assert_int_equal(escaped, 0);
	assert_true(opened > 0);
	unlink(inner);
	rmdir(outside);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(canonical_with_symlink_chain),
		cmocka_unit_test(absolute_symlink_restarts_at_root),
		cmocka_unit_test(dotdot_cannot_escape),
		cmocka_unit_test(errors),
		cmocka_unit_test(nofollow_last_and_root),
		cmocka_unit_test(from_a_canonical_dir),
		cmocka_unit_test(callback_stops),
		cmocka_unit_test(swapped_directory_cannot_escape),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
