/* Paths resolved under a root: symlinks, "..", loops, confinement. */
#include "unit.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "rootfs.h"

static char tmp[256];
static struct rootfs root;

static void mk(const char *rel, const char *content)
{
	char p[512];
	FILE *f;
	snprintf(p, sizeof p, "%s/%s", tmp, rel);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static void mkd(const char *rel)
{
	char p[512];
	snprintf(p, sizeof p, "%s/%s", tmp, rel);
	assert_int_equal(mkdir(p, 0755), 0);
}

static void ln(const char *target, const char *rel)
{
	char p[512];
	snprintf(p, sizeof p, "%s/%s", tmp, rel);
	assert_int_equal(symlink(target, p), 0);
}

static int setup(void **s)
{
	(void)s;
	strcpy(tmp, "/tmp/r2r-rootfs-XXXXXX");
	assert_non_null(mkdtemp(tmp));
	mkd("usr");
	mkd("usr/lib");
	mkd("usr/lib/arm-linux-gnueabi");
	mk("usr/lib/arm-linux-gnueabi/ld-linux.so.3", "ld");
	mk("usr/lib/arm-linux-gnueabi/libc.so.6", "libc");
	ln("usr/lib", "lib");                                   /* merged /usr, relative */
	ln("arm-linux-gnueabi/ld-linux.so.3", "usr/lib/ld-linux.so.3");
	ln("/lib/ld-linux.so.3", "usr/lib/abs-ld");             /* absolute: stays in root */
	ln("../../../../../../etc/passwd", "usr/lib/escape");   /* .. cannot climb out */
	mk("passwd-outside", "no");
	mkd("etc");
	mk("etc/passwd", "root:x:0:0");
	ln("loop2", "loop1");
	ln("loop1", "loop2");
	ln("nowhere", "dangling");
	mk("file", "x");
	assert_int_equal(rootfs_open(&root, tmp), 0);
	return 0;
}

static int teardown(void **s)
{
	char cmd[300];
	(void)s;
	rootfs_close(&root);
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
	assert_int_equal(system(cmd), 0);
	return 0;
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
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
