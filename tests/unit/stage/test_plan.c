/* The plan: canonical paths, symlinks kept, dedup, hard links, created
 * paths, conflicts, optional and missing entries, globs, trees, totals. */
#include "unit.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "capture.h"
#include "fixture.h"
#include "lib/log.h"
#include "stage/plan.h"

static void manifest(const char *name, const char *text)
{
	char p[256];
	snprintf(p, sizeof p, "%s/%s.manifest", fx_mdir, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

struct run {
	struct rootfs r;
	struct plan p;
	int rc;
	char *err, *out;
};

static void run(struct run *x, const char *name)
{
	struct capture cap;
	char *names[] = { (char *)name };
	assert_int_equal(rootfs_open(&x->r, fx_root), 0);
	plan_init(&x->p, &x->r);
	capture_start(&cap, 2);
	x->rc = plan_build(&x->p, fx_mdir, names, 1);
	x->err = capture_end(&cap);
	capture_start(&cap, 1);
	plan_print(&x->p, stdout);
	x->out = capture_end(&cap);
}

static void done(struct run *x)
{
	plan_free(&x->p);
	rootfs_close(&x->r);
	free(x->err);
	free(x->out);
}

static const struct plan_entry *has(struct run *x, const char *path, int type)
{
	const struct plan_entry *e = plan_find(&x->p, path);
	if (!e)
		fail_msg("%s not planned; plan:\n%s", path, x->out);
	if (e->type != type)
		fail_msg("%s planned as %s", path, plan_type_name[e->type]);
	return e;
}

static void canonical_paths_and_symlinks(void **s)
{
	(void)s;
	struct run x;
	manifest("t", "/bin/alias\n/bin/alias\n/usr/bin/prog\n/etc/b\n/etc/a\n");
	run(&x, "t");
	assert_string_equal(x.err, "");
	assert_int_equal(x.rc, 0);
	assert_string_equal(has(&x, "/bin", PLAN_SYMLINK)->target, "usr/bin");
	assert_string_equal(has(&x, "/usr/bin/alias", PLAN_SYMLINK)->target, "prog");
	const struct plan_entry *e = has(&x, "/usr/bin/prog", PLAN_FILE);
	assert_int_equal(e->size, 5);
	assert_string_equal(e->why, "t.manifest:1"); /* first mention wins */
	has(&x, "/usr", PLAN_DIR);
	assert_null(has(&x, "/usr/bin", PLAN_DIR)->why); /* a parent */
	/* hard links: the first name in path order is copied */
	assert_string_equal(has(&x, "/etc/b", PLAN_HARDLINK)->target, "/etc/a");
	has(&x, "/etc/a", PLAN_FILE);
	assert_int_equal(x.p.n, 8);
	/* sorted, parents first */
	for (size_t i = 1; i < x.p.n; i++)
		assert_true(strcmp(x.p.e[i - 1].path, x.p.e[i].path) < 0);
	assert_non_null(strstr(x.out, "symlink  /bin -> usr/bin (t.manifest:1)\n"));
	assert_non_null(strstr(x.out, "file     /usr/bin/prog 5 (t.manifest:1)\n"));
	assert_non_null(strstr(x.out, "hardlink /etc/b => /etc/a (t.manifest:4)\n"));
	assert_non_null(strstr(x.out, "dir      /usr/bin 0755 (parent)\n"));
	struct plan_totals t;
	plan_totals(&x.p, &t);
	assert_int_equal(t.files, 2);
	assert_int_equal(t.hardlinks, 1);
	assert_int_equal(t.symlinks, 2);
	assert_int_equal(t.dirs, 3);
	assert_int_equal(t.bytes, 5 + 6);
	long pg = sysconf(_SC_PAGESIZE);
	assert_int_equal(t.pages, 2 * pg);
	assert_int_equal(t.tmpfs, 2 * pg + 7 * PLAN_INODE_COST);
	done(&x);
}

static void created_paths(void **s)
{
	(void)s;
	struct run x;
	manifest("t", "links /bin/busybox /bin prog sh\n/bin/prog\nsymlink /sbin/x /bin/prog\n"
		      "dir /new/deep 0700\ndir /etc 0711\n/etc/a\n");
	run(&x, "t");
	assert_string_equal(x.err, "");
	/* placed where the root has the directory: /bin -> usr/bin */
	assert_string_equal(has(&x, "/usr/bin/sh", PLAN_SYMLINK)->target, "/bin/busybox");
	/* a real file wins over an applet link */
	has(&x, "/usr/bin/prog", PLAN_FILE);
	has(&x, "/bin", PLAN_SYMLINK);
	/* missing parents are created */
	const struct plan_entry *e = has(&x, "/sbin", PLAN_DIR);
	assert_true(e->flags & PLAN_CREATED);
	assert_int_equal(e->mode & 07777, 0755);
	has(&x, "/sbin/x", PLAN_SYMLINK);
	assert_int_equal(has(&x, "/new/deep", PLAN_DIR)->mode & 07777, 0700);
	has(&x, "/new", PLAN_DIR);
	/* `dir` on a directory of the root sets its mode */
	assert_int_equal(has(&x, "/etc", PLAN_DIR)->mode & 07777, 0711);
	done(&x);
}

static void problems_all_reported(void **s)
{
	(void)s;
	struct run x;
	manifest("t", "/nope\n? /nope2\n/etc/a\nsymlink /etc/a x\n/nomatch*\n? /nomatch2*\n"
		      "/etc/a/\nbogus\n/bin/prog/x\n? lib libabsent.so.1\nlib libabsent.so.2\n");
	run(&x, "t");
	assert_int_equal(x.rc, -EINVAL);
	if (x.p.errors != 7)
		fail_msg("%d errors:\n%s", x.p.errors, x.err);
	assert_non_null(strstr(x.err, "t.manifest:1: /nope: No such file or directory; mark the line "
				      "optional with '?' if it may be absent"));
	assert_null(strstr(x.err, "nope2"));
	assert_non_null(strstr(x.err, "t.manifest:4: /etc/a is planned as file (t.manifest:3) and as "
				      "symlink -> x (t.manifest:4); keep one"));
	assert_non_null(strstr(x.err, "t.manifest:5: nothing in "));
	assert_non_null(strstr(x.err, " matches /nomatch*; mark the line optional"));
	assert_null(strstr(x.err, "nomatch2"));
	assert_non_null(strstr(x.err, "t.manifest:7: /etc/a/: not a directory; drop the final '/' "
				      "to copy the file"));
	assert_non_null(strstr(x.err, "t.manifest:8: unknown directive 'bogus'"));
	assert_non_null(strstr(x.err, "t.manifest:9: /bin/prog/x: Not a directory"));
	assert_null(strstr(x.err, "libabsent.so.1"));
	assert_non_null(strstr(x.err, "t.manifest:11: library libabsent.so.2: "));
	done(&x);
}

static void globs_and_trees(void **s)
{
	(void)s;
	struct run x;
	manifest("t", "/usr/*/*/gconv/*.conf\n/etc/sub/\n/usr/lib/?/gconv/[a-c]*\n");
	run(&x, "t");
	assert_string_equal(x.err, "");
	has(&x, "/usr/lib/x/gconv/a.conf", PLAN_FILE);
	has(&x, "/usr/lib/x/gconv/b.conf", PLAN_FILE);
	has(&x, "/usr/lib/x/gconv/c", PLAN_FILE);
	assert_null(plan_find(&x.p, "/usr/lib/x/gconv/.hidden.conf"));
	assert_null(plan_find(&x.p, "/usr/lib/x/gconv/d"));
	/* a tree: everything in it, symlinks as they are, never followed */
	has(&x, "/etc/sub", PLAN_DIR);
	has(&x, "/etc/sub/deep", PLAN_DIR);
	has(&x, "/etc/sub/deep/f", PLAN_FILE);
	assert_string_equal(has(&x, "/etc/sub/out", PLAN_SYMLINK)->target, "/../../../etc/a");
	assert_string_equal(has(&x, "/etc/sub/up", PLAN_SYMLINK)->target, "../../..");
	assert_null(plan_find(&x.p, "/etc/a"));
	done(&x);
}

/* ".." and symlinks pointing out of the root stay in the root */
static void confined(void **s)
{
	(void)s;
	struct run x;
	manifest("t", "/../../../etc/a\n/etc/sub/out\n/etc/sub/up/usr/bin/prog\n");
	run(&x, "t");
	assert_string_equal(x.err, "");
	has(&x, "/etc/a", PLAN_FILE);
	has(&x, "/etc/sub/out", PLAN_SYMLINK);
	has(&x, "/etc/sub/up", PLAN_SYMLINK);
	has(&x, "/usr/bin/prog", PLAN_FILE);
	for (size_t i = 0; i < x.p.n; i++)
		assert_int_equal(x.p.e[i].path[0], '/');
	done(&x);
}

static void tree_elsewhere(void **s)
{
	(void)s;
	struct rootfs r;
	struct plan p;
	assert_int_equal(rootfs_open(&r, fx_root), 0);
	plan_init(&p, &r);
	p.no_nss = 1;
	assert_int_equal(plan_add_tree(&p, "/etc/sub", "/", "overlay"), 0);
	assert_int_equal(plan_finish(&p), 0);
	const struct plan_entry *e = plan_find(&p, "/deep/f");
	assert_non_null(e);
	assert_string_equal(e->src, "/etc/sub/deep/f");
	assert_non_null(plan_find(&p, "/deep"));
	assert_null(plan_find(&p, "/"));
	plan_free(&p);
	rootfs_close(&r);
}

static int setup(void **s)
{
	(void)s;
	if (fx_make("plan") < 0)
		return -1;
	fx_dir("/usr");
	fx_dir("/usr/bin");
	fx_dir("/usr/lib");
	fx_dir("/usr/lib/x");
	fx_dir("/usr/lib/x/gconv");
	fx_dir("/etc");
	fx_dir("/etc/sub");
	fx_dir("/etc/sub/deep");
	fx_link("usr/bin", "/bin");
	fx_file("/usr/bin/prog", "text\n", 0644);
	fx_link("prog", "/usr/bin/alias");
	fx_file("/etc/a", "hello\n", 0644);
	char a[256], b[256];
	snprintf(a, sizeof a, "%s/etc/a", fx_root);
	snprintf(b, sizeof b, "%s/etc/b", fx_root);
	if (link(a, b))
		return -1;
	fx_file("/etc/sub/deep/f", "f", 0644);
	fx_link("/../../../etc/a", "/etc/sub/out");
	fx_link("../../..", "/etc/sub/up");
	fx_file("/usr/lib/x/gconv/a.conf", "a", 0644);
	fx_file("/usr/lib/x/gconv/b.conf", "b", 0644);
	fx_file("/usr/lib/x/gconv/.hidden.conf", "h", 0644);
	fx_file("/usr/lib/x/gconv/c", "c", 0644);
	fx_file("/usr/lib/x/gconv/d", "d", 0644);
	return 0;
}

static int teardown(void **s)
{
	(void)s;
	return fx_remove();
}

int main(void)
{
	log_setup(2, -1, LOG_INFO);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(canonical_paths_and_symlinks),
		cmocka_unit_test(created_paths),
		cmocka_unit_test(problems_all_reported),
		cmocka_unit_test(globs_and_trees),
		cmocka_unit_test(confined),
		cmocka_unit_test(tree_elsewhere),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
