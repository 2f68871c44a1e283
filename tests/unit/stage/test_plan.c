/* The plan: canonical paths, symlinks kept, dedup, hard links, created
 * paths, conflicts, optional and missing entries, globs, trees, totals;
 * the closures of ELF files in trees and globs, scripts' interpreters, and
 * the warnings (dangling links, a module's missing library, a path named
 * twice with different metadata), --strict. */
#include "unit.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "capture.h"
#include "elfgen.h"
#include "fixture.h"
#include "ldso/elf.h"
#include "lib/log.h"
#include "stage/plan.h"

#define SF 0x05000200u /* ARM EABI5 soft-float (Debian armel) */
#define LIBDIR "/usr/lib/arm-linux-gnueabi"
#define LDSO LIBDIR "/ld-linux.so.3"

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

static int strict; /* the next run's p->strict */

static void run(struct run *x, const char *name)
{
	struct capture cap;
	char *names[] = { (char *)name };
	assert_int_equal(rootfs_open(&x->r, fx_root), 0);
	plan_init(&x->p, &x->r);
	x->p.strict = strict;
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

static void want_err(struct run *x, const char *s)
{
	if (!strstr(x->err, s))
		fail_msg("no '%s' in:\n%s", s, x->err);
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
	assert_int_equal(x.rc, 0);
	/* the only problem: no /bin/busybox for the applet links */
	assert_int_equal(x.p.errors, 0);
	assert_int_equal(x.p.warnings, 1);
	want_err(&x, "t.manifest:1: /usr/bin/sh -> /bin/busybox: /usr/bin/busybox is not planned, so "
		     "the link dangles in the RAM root; add it to a manifest, or drop the link\n");
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
	assert_int_equal(x.p.errors, 0);
	/* /etc/sub/up -> ../../.. lands on "/"; /etc/sub/out on /etc/a, not planned */
	assert_int_equal(x.p.warnings, 1);
	want_err(&x, "t.manifest:2: /etc/sub/out -> /../../../etc/a: /etc/a is not planned");
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
	struct capture cap;
	assert_int_equal(plan_add_tree(&p, "/etc/sub", "/", "overlay"), 0);
	capture_start(&cap, 2);
	assert_int_equal(plan_finish(&p), 0);
	char *err = capture_end(&cap);
	/* /out -> /../../../etc/a: nothing planned at /etc in RAM */
	assert_int_equal(p.warnings, 1);
	assert_non_null(strstr(err, "root2ram: warning: /out -> /../../../etc/a: /etc is not planned"));
	free(err);
	const struct plan_entry *e = plan_find(&p, "/deep/f");
	assert_non_null(e);
	assert_string_equal(e->src, "/etc/sub/deep/f");
	assert_non_null(plan_find(&p, "/deep"));
	assert_null(plan_find(&p, "/"));
	plan_free(&p);
	rootfs_close(&r);
}

/* The line of `path` in the plan's output. */
static void line_is(struct run *x, const char *path, const char *want)
{
	char key[300];
	const char *l;
	snprintf(key, sizeof key, " %s ", path);
	l = strstr(x->out, key);
	if (!l)
		fail_msg("%s not in the plan:\n%s", path, x->out);
	while (l > x->out && l[-1] != '\n')
		l--;
	if (strncmp(l, want, strlen(want)) || l[strlen(want)] != '\n')
		fail_msg("want '%s', plan:\n%s", want, x->out);
}

static void why_is(struct run *x, const char *path, const char *why)
{
	const struct plan_entry *e = plan_find(&x->p, path);
	if (!e)
		fail_msg("%s not planned; plan:\n%s", path, x->out);
	if (!e->why || strcmp(e->why, why))
		fail_msg("%s: why '%s', want '%s'", path, e->why ? e->why : "(parent)", why);
}

/* A tree holding ELF modules and a script: each module's libraries, the
 * script's interpreter and its closure are planned; a module's missing
 * library and a dangling link are warned of, with the manifest line. */
static void tree_closures(void **s)
{
	(void)s;
	struct run x;
	char t[320];
	manifest("t", "/usr/lib/py/\n");
	run(&x, "t");
	assert_int_equal(x.p.errors, 0);
	assert_int_equal(x.rc, 0); /* warnings do not fail the plan */
	if (x.p.warnings != 2)
		fail_msg("%d warnings:\n%s", x.p.warnings, x.err);
	assert_int_equal(plan_warnings(&x.p), 2);
	has(&x, LIBDIR "/libz.so.1", PLAN_FILE);
	why_is(&x, LIBDIR "/libz.so.1", "needed by /usr/lib/py/mods/_z.so");
	/* what a module with a missing library needs otherwise is planned */
	why_is(&x, LIBDIR "/libc.so.6", "needed by /usr/lib/py/mods/_bad.so");
	assert_non_null(strstr(x.out, " (needed by /usr/lib/py/mods/_z.so)\n"));
	why_is(&x, "/usr/lib/py/mods/_z.so", "t.manifest:1");
	/* an executable script: its interpreter and what that needs */
	why_is(&x, "/usr/bin/interp", "interpreter of /usr/lib/py/run.sh");
	why_is(&x, LDSO, "interpreter of /usr/bin/interp");
	/* not executable: the kernel would not run it, nothing planned for it */
	assert_null(plan_find(&x.p, "/usr/bin/other"));
	/* not ELF and not a script, though named .so */
	has(&x, "/usr/lib/py/mods/fake.so", PLAN_FILE);
	snprintf(t, sizeof t, "root2ram: warning: %s/t.manifest:1: /usr/lib/py/mods/_bad.so: "
			      "libabsent.so.9 not found where the loader would look; add it to the root, "
			      "or ignore this if the module is never loaded\n", fx_mdir);
	want_err(&x, t);
	snprintf(t, sizeof t, "root2ram: warning: %s/t.manifest:1: /usr/lib/py/sitecustomize.py -> "
			      "/etc/py/sitecustomize.py: /etc is not planned, so the link dangles in "
			      "the RAM root; add it to a manifest, or drop the link\n", fx_mdir);
	want_err(&x, t);
	/* the resolver's own "not found" is not shown for a module */
	assert_null(strstr(x.err, "libabsent.so.9: not found"));
	struct plan_totals tt;
	struct capture cap;
	plan_totals(&x.p, &tt);
	assert_int_equal(tt.warnings, 2);
	capture_start(&cap, 1);
	plan_print_totals(&tt, stdout);
	char *tot = capture_end(&cap);
	assert_non_null(strstr(tot, " hard links, 2 warnings\n"));
	free(tot);
	done(&x);
}

/* ELF files matched by a wildcard get their closures too; a missing
 * library of one is a warning. */
static void glob_closures(void **s)
{
	(void)s;
	struct run x;
	manifest("t", "/usr/lib/py/mods/*.so\n");
	run(&x, "t");
	assert_int_equal(x.rc, 0);
	assert_int_equal(x.p.errors, 0);
	assert_int_equal(x.p.warnings, 1);
	why_is(&x, "/usr/lib/py/mods/_z.so", "t.manifest:1");
	why_is(&x, LIBDIR "/libz.so.1", "needed by /usr/lib/py/mods/_z.so");
	line_is(&x, "/usr/lib/py/mods/fake.so", "file     /usr/lib/py/mods/fake.so 7 (t.manifest:1)");
	assert_null(plan_find(&x.p, "/usr/lib/py/run.sh"));
	done(&x);
}

static void scripts(void **s)
{
	(void)s;
	struct run x;
	manifest("t", "/usr/bin/tool2\n/bin/orphan\n");
	run(&x, "t");
	assert_int_equal(x.rc, 0);
	/* an interpreter that is a script itself (binfmt_script nests) */
	why_is(&x, "/usr/bin/tool", "interpreter of /usr/bin/tool2");
	why_is(&x, "/usr/bin/interp", "interpreter of /usr/bin/tool");
	why_is(&x, LIBDIR "/libz.so.1", "needed by /usr/bin/interp");
	why_is(&x, LDSO, "interpreter of /usr/bin/interp");
	/* a named script whose interpreter is not in the root */
	assert_int_equal(x.p.warnings, 1);
	want_err(&x, "t.manifest:2: /usr/bin/orphan: its interpreter /usr/bin/nosuch is not in the root, "
		     "so it cannot run; install it, or correct the #! line\n");
	done(&x);
}

/* A program named on its own line that misses a library fails the plan:
 * it would not start. */
static void named_missing_library(void **s)
{
	(void)s;
	struct run x;
	manifest("t", "/usr/bin/broken\n");
	run(&x, "t");
	assert_int_equal(x.rc, -EINVAL);
	assert_int_equal(x.p.errors, 1);
	assert_int_equal(x.p.warnings, 0);
	want_err(&x, "libabsent.so.9: not found (needed by /usr/bin/broken)");
	want_err(&x, "t.manifest:1: /usr/bin/broken: a library it needs was not found (see above)");
	done(&x);
}

static void duplicates(void **s)
{
	(void)s;
	struct run x;
	manifest("t", "dir /x 0755\ndir /x 0700\n/usr/bin/prog\nlinks /usr/bin/prog /usr/bin l1\n"
		      "links /etc/a /usr/bin l1\nlinks /usr/bin/nothere /usr/bin l2\n"
		      "dir /run 0755\nsymlink /var/run /run\nsymlink /etc/mtab /run/mounts\n"
		      "dir /x 0755\n");
	run(&x, "t");
	assert_int_equal(x.rc, 0);
	assert_int_equal(x.p.errors, 0);
	if (x.p.warnings != 3)
		fail_msg("%d warnings:\n%s", x.p.warnings, x.err);
	want_err(&x, "t.manifest:2: /x is planned as dir 0755 (t.manifest:1) and as dir 0700 "
		     "(t.manifest:2); the first is kept: give it one mode\n");
	assert_int_equal(has(&x, "/x", PLAN_DIR)->mode & 07777, 0755);
	want_err(&x, "t.manifest:5: /usr/bin/l1 is linked to /usr/bin/prog (t.manifest:4) and to "
		     "/etc/a (t.manifest:5); the first is kept: drop one of the links lines\n");
	want_err(&x, "t.manifest:6: /usr/bin/l2 -> /usr/bin/nothere: /usr/bin/nothere is not planned");
	/* into a `dir` line's directory (filled at run time): not dangling */
	assert_null(strstr(x.err, "/etc/mtab"));
	assert_null(strstr(x.err, "/var/run"));
	done(&x);
}

/* --strict: the same warnings fail the plan. */
static void strict_warnings(void **s)
{
	(void)s;
	struct run x;
	manifest("t", "dir /x 0755\ndir /x 0700\n");
	strict = 1;
	run(&x, "t");
	strict = 0;
	assert_int_equal(x.rc, -EINVAL);
	assert_int_equal(x.p.errors, 0);
	assert_int_equal(plan_warnings(&x.p), 1);
	done(&x);
}

static void arm(const char *rel, struct elfgen g)
{
	char p[512];
	fx_path(p, sizeof p, fx_root, rel);
	g.machine = ELF_EM_ARM;
	g.flags = SF;
	elfgen_write(p, &g);
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
	/* an armel loader and libraries, modules in a tree, scripts */
	fx_dir(LIBDIR);
	arm(LDSO, (struct elfgen){ .type = ELF_ET_DYN, .soname = "ld-linux.so.3" });
	arm(LIBDIR "/libc.so.6", (struct elfgen){ .type = ELF_ET_DYN, .soname = "libc.so.6",
						  .needed = { "ld-linux.so.3" } });
	arm(LIBDIR "/libz.so.1", (struct elfgen){ .type = ELF_ET_DYN, .soname = "libz.so.1",
						  .needed = { "libc.so.6" } });
	arm("/usr/bin/interp", (struct elfgen){ .interp = LDSO, .needed = { "libz.so.1" } });
	arm("/usr/bin/broken", (struct elfgen){ .interp = LDSO, .needed = { "libabsent.so.9" } });
	fx_dir("/usr/lib/py");
	fx_dir("/usr/lib/py/mods");
	arm("/usr/lib/py/mods/_z.so", (struct elfgen){ .type = ELF_ET_DYN, .needed = { "libz.so.1" } });
	arm("/usr/lib/py/mods/_bad.so", (struct elfgen){ .type = ELF_ET_DYN,
							 .needed = { "libabsent.so.9", "libc.so.6" } });
	fx_file("/usr/lib/py/mods/fake.so", "not ELF", 0644);
	fx_file("/usr/lib/py/run.sh", "#!/usr/bin/interp -x\necho\n", 0755);
	fx_file("/usr/lib/py/noexec.sh", "#! /usr/bin/other\n", 0644);
	fx_file("/usr/bin/other", "x", 0755);
	fx_link("/etc/py/sitecustomize.py", "/usr/lib/py/sitecustomize.py");
	fx_file("/usr/bin/tool", "#!/usr/bin/interp\n", 0755);
	fx_file("/usr/bin/tool2", "#! \t/usr/bin/tool arg\n", 0755);
	fx_file("/usr/bin/orphan", "#!/usr/bin/nosuch\n", 0755);
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
		cmocka_unit_test(tree_closures),
		cmocka_unit_test(glob_closures),
		cmocka_unit_test(scripts),
		cmocka_unit_test(named_missing_library),
		cmocka_unit_test(duplicates),
		cmocka_unit_test(strict_warnings),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
