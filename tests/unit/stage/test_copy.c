/* The staging engine: bytes, mode, owner, times, xattrs, symlinks, hard
 * links, with each data mover; never following a symlink in DEST. */
#include "unit.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>
#include "capture.h"
#include "fixture.h"
#include "stage/copy.h"
#include "lib/log.h"
#include "stage/plan.h"

static int have_xattr;

static char *slurp(const char *p, size_t *n)
{
	int fd = open(p, O_RDONLY);
	assert_true(fd >= 0);
	struct stat st;
	fstat(fd, &st);
	char *b = malloc((size_t)st.st_size + 1);
	assert_int_equal(read(fd, b, (size_t)st.st_size), st.st_size);
	close(fd);
	*n = (size_t)st.st_size;
	return b;
}

/* Every planned entry of DEST against the root. */
static void compare(const struct plan *p, const char *dest)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct plan_entry *e = &p->e[i];
		char s[512], d[512];
		struct stat ss, ds;
		fx_path(s, sizeof s, fx_root, e->src ? e->src : e->path);
		fx_path(d, sizeof d, dest, e->path);
		assert_int_equal(lstat(d, &ds), 0);
		if (e->flags & PLAN_CREATED)
			continue;
		assert_int_equal(lstat(s, &ss), 0);
		assert_int_equal(ss.st_mode, ds.st_mode);
		assert_int_equal(ss.st_uid, ds.st_uid);
		assert_int_equal(ss.st_gid, ds.st_gid);
		assert_int_equal(ss.st_mtim.tv_sec, ds.st_mtim.tv_sec);
		assert_int_equal(ss.st_mtim.tv_nsec, ds.st_mtim.tv_nsec);
		if (S_ISLNK(ss.st_mode)) {
			char a[256], b[256];
			ssize_t na = readlink(s, a, sizeof a), nb = readlink(d, b, sizeof b);
			assert_int_equal(na, nb);
			assert_memory_equal(a, b, (size_t)na);
		} else if (S_ISREG(ss.st_mode)) {
			size_t na, nb;
			char *a = slurp(s, &na), *b = slurp(d, &nb);
			assert_int_equal(na, nb);
			assert_memory_equal(a, b, na);
			free(a);
			free(b);
			if (have_xattr) {
				char la[1024], lb[1024];
				ssize_t xa = listxattr(s, la, sizeof la), xb = listxattr(d, lb, sizeof lb);
				assert_int_equal(xa, xb);
				assert_memory_equal(la, lb, (size_t)xa);
			}
		}
		if (e->type == PLAN_HARDLINK) {
			char t[512];
			struct stat ts;
			fx_path(t, sizeof t, dest, e->target);
			assert_int_equal(stat(t, &ts), 0);
			assert_int_equal(ts.st_ino, ds.st_ino);
		}
	}
}

static int plan_of(struct plan *p, struct rootfs *r, const char *name)
{
	char *names[] = { (char *)name };
	assert_int_equal(rootfs_open(r, fx_root), 0);
	plan_init(p, r);
	return plan_build(p, fx_mdir, names, 1);
}

static void fresh(char *dest, size_t n, const char *name)
{
	char cmd[300];
	snprintf(dest, n, "%s/%s", fx_top, name);
	snprintf(cmd, sizeof cmd, "rm -rf %s && mkdir %s", dest, dest);
	assert_int_equal(system(cmd), 0);
}

static void stage_with(int method, int jobs)
{
	struct rootfs r;
	struct plan p;
	struct copy_stats st = { 0 };
	char dest[128], name[32];
	snprintf(name, sizeof name, "d%d%d", method, jobs);
	fresh(dest, sizeof dest, name);
	assert_int_equal(plan_of(&p, &r, "all"), 0);
	int fd = open(dest, O_RDONLY | O_DIRECTORY);
	assert_int_equal(copy_dest_empty(fd), 1);
	copy_method = method;
	copy_jobs = jobs;
	assert_int_equal(copy_plan(&p, &r, fd, &st), 0);
	copy_method = 0;
	copy_jobs = 4;
	assert_int_equal(copy_dest_empty(fd), 0);
	assert_int_equal(st.errors, 0);
	assert_int_equal(st.files, 4);
	assert_int_equal(st.hardlinks, 1);
	assert_int_equal(st.bytes, 3 * 3 + 3000000);
	compare(&p, dest);
	/* setuid survives chown; created entries as planned */
	struct stat s;
	char d[256];
	fx_path(d, sizeof d, dest, "/usr/bin/su");
	assert_int_equal(stat(d, &s), 0);
	assert_int_equal(s.st_mode & 07777, 04755);
	fx_path(d, sizeof d, dest, "/tmp");
	assert_int_equal(stat(d, &s), 0);
	assert_int_equal(s.st_mode & 07777, 01777);
	char summary[200];
	copy_summary(&st, summary, sizeof summary);
	assert_non_null(strstr(summary, "staged 5 files, 2.9 MiB in "));
	close(fd);
	plan_free(&p);
	rootfs_close(&r);
}

static void with_copy_file_range(void **s) { (void)s; stage_with(0, 4); }
static void with_sendfile(void **s) { (void)s; stage_with(1, 1); }
static void with_read_write(void **s) { (void)s; stage_with(2, 2); }

/* What a watcher in another process would read: the plan's files, their
 * bytes, a path among them; the overlay adds to it.  Shared memory, as the
 * boot maps it: the copy workers are processes. */
static void progress_recorded(void **s)
{
	(void)s;
	struct rootfs r;
	struct plan p;
	struct copy_stats st = { 0 };
	struct copy_progress *shared = mmap(NULL, sizeof *shared, PROT_READ | PROT_WRITE,
					    MAP_SHARED | MAP_ANONYMOUS, -1, 0), cp;
	char dest[128];
	assert_true(shared != MAP_FAILED);
	memset(shared, 0, sizeof *shared);
	fresh(dest, sizeof dest, "progress");
	assert_int_equal(plan_of(&p, &r, "all"), 0);
	int fd = open(dest, O_RDONLY | O_DIRECTORY);
	copy_progress = shared;
	copy_jobs = 2;
	assert_int_equal(copy_plan_flags(&p, &r, fd, 0, &st), 0);
	copy_jobs = 4;
	cp = *shared;
	assert_int_equal(st.files, 4);
	assert_int_equal(cp.files_total, 4);
	assert_int_equal(cp.files_done, 4);
	assert_int_equal(cp.bytes_done, 3 * 3 + 3000000);
	assert_int_equal(cp.bytes_done, st.bytes);
	/* the start, each file's start and end, and the big file in 1 MiB
	 * chunks: 3 updates at least */
	assert_true(cp.seq >= 1 + 2 * 4 + 3);
	assert_true(!strcmp(cp.current, "/usr/bin/su") || !strcmp(cp.current, "/usr/bin/big") ||
		    !strcmp(cp.current, "/etc/passwd") || !strcmp(cp.current, "/etc/shadow"));
	/* no worker left on record once the copy is over */
	assert_int_equal(cp.workers[0] | cp.workers[1], 0);
	unsigned long seq = cp.seq;
	assert_int_equal(copy_tree(&r, "/overlay", fd, &st), 0);
	cp = *shared;
	assert_int_equal(cp.files_total, 6);
	assert_int_equal(cp.files_done, 6);
	assert_int_equal(cp.bytes_done, 3 * 3 + 3000000 + 3 + 10);
	assert_true(cp.seq > seq);
	assert_true(!strcmp(cp.current, "/overlay/etc/inittab") ||
		    !strcmp(cp.current, "/overlay/etc/init.d/rcS"));
	copy_progress = NULL;
	munmap(shared, sizeof *shared);
	close(fd);
	plan_free(&p);

	/* NULL: nothing recorded, the copy as before */
	struct copy_progress zero;
	memset(&zero, 0, sizeof zero);
	memset(&cp, 0, sizeof cp);
	fresh(dest, sizeof dest, "noprogress");
	fd = open(dest, O_RDONLY | O_DIRECTORY);
	memset(&st, 0, sizeof st);
	assert_int_equal(copy_tree(&r, "/overlay", fd, &st), 0);
	assert_int_equal(st.files, 2);
	assert_memory_equal(&cp, &zero, sizeof cp);
	close(fd);
	rootfs_close(&r);
}

/* A symlink in DEST where a directory goes is never followed. */
static void dest_symlink_not_followed(void **s)
{
	(void)s;
	struct rootfs r;
	struct plan p;
	struct copy_stats st = { 0 };
	struct capture cap;
	char dest[128], outside[128], l[256];
	fresh(dest, sizeof dest, "evil");
	fresh(outside, sizeof outside, "outside");
	fx_path(l, sizeof l, dest, "/etc");
	assert_int_equal(symlink(outside, l), 0);
	assert_int_equal(plan_of(&p, &r, "all"), 0);
	int fd = open(dest, O_RDONLY | O_DIRECTORY);
	capture_start(&cap, 2);
	int rc = copy_plan_flags(&p, &r, fd, 0, &st);
	char *err = capture_end(&cap);
	assert_true(rc < 0);
	assert_true(st.errors > 0);
	assert_non_null(strstr(err, "root2ram: stage: /etc: DEST has something else there"));
	assert_non_null(strstr(err, "root2ram: stage: /etc/passwd: cannot open its directory in DEST "
				    "without following a symlink"));
	free(err);
	int ofd = open(outside, O_RDONLY | O_DIRECTORY);
	assert_int_equal(copy_dest_empty(ofd), 1);
	close(ofd);
	close(fd);
	plan_free(&p);
	rootfs_close(&r);
}

/* The overlay: copied over what is there, files replaced. */
static void tree_over(void **s)
{
	(void)s;
	struct rootfs r;
	struct copy_stats st = { 0 };
	char dest[128], d[256];
	size_t n;
	fresh(dest, sizeof dest, "ov");
	fx_path(d, sizeof d, dest, "/etc");
	mkdir(d, 0755);
	fx_path(d, sizeof d, dest, "/etc/inittab");
	FILE *f = fopen(d, "w");
	fputs("old", f);
	fclose(f);
	assert_int_equal(rootfs_open(&r, fx_root), 0);
	int fd = open(dest, O_RDONLY | O_DIRECTORY);
	assert_int_equal(copy_tree(&r, "/overlay", fd, &st), 0);
	char *b = slurp(d, &n);
	assert_int_equal(n, 3);
	assert_memory_equal(b, "new", 3);
	free(b);
	fx_path(d, sizeof d, dest, "/etc/init.d/rcS");
	assert_int_equal(access(d, X_OK), 0);
	close(fd);
	rootfs_close(&r);
}

static int setup(void **s)
{
	(void)s;
	char a[256], b[256];
	if (fx_make("copy") < 0)
		return -1;
	fx_dir("/usr");
	fx_dir("/usr/bin");
	fx_dir("/etc");
	fx_dir("/overlay");
	fx_dir("/overlay/etc");
	fx_dir("/overlay/etc/init.d");
	fx_file("/overlay/etc/inittab", "new", 0644);
	fx_file("/overlay/etc/init.d/rcS", "#!/bin/sh\n", 0755);
	fx_file("/usr/bin/su", "su\n", 04755);
	fx_file("/etc/passwd", "pw\n", 0644);
	fx_file("/etc/shadow", "sh\n", 0640);
	fx_path(a, sizeof a, fx_root, "/etc/shadow");
	if (chown(a, 0, 42))
		return -1;
	fx_path(b, sizeof b, fx_root, "/etc/shadow-");
	if (link(a, b))
		return -1;
	fx_path(a, sizeof a, fx_root, "/usr/bin/big");
	int fd = open(a, O_WRONLY | O_CREAT, 0755);
	char *buf = malloc(3000000);
	for (int i = 0; i < 3000000; i++)
		buf[i] = (char)(i * 7 + i / 4096);
	if (write(fd, buf, 3000000) != 3000000)
		return -1;
	free(buf);
	close(fd);
	fx_path(a, sizeof a, fx_root, "/usr/bin/sh");
	if (symlink("su", a))
		return -1;
	struct timespec ts[2] = { { 1000000000, 5 }, { 1000000000, 123456789 } };
	utimensat(AT_FDCWD, a, ts, AT_SYMLINK_NOFOLLOW);
	if (lchown(a, 7, 8))
		return -1;
	fx_path(a, sizeof a, fx_root, "/usr/bin/su");
	have_xattr = setxattr(a, "user.root2ram", "x", 1, 0) == 0;
	if (have_xattr)
		setxattr(a, "trusted.root2ram", "yy", 2, 0);
	if (chown(a, 0, 0) || chmod(a, 04755)) /* chown clears setuid */
		return -1;
	utimensat(AT_FDCWD, a, ts, 0);
	fx_path(a, sizeof a, fx_root, "/etc");
	utimensat(AT_FDCWD, a, ts, 0);
	snprintf(a, sizeof a, "%s/all.manifest", fx_mdir);
	FILE *f = fopen(a, "w");
	fputs("/usr/bin/su\n/usr/bin/big\n/usr/bin/sh\n/etc/\ndir /tmp 1777\n", f);
	fclose(f);
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
		cmocka_unit_test(with_copy_file_range),
		cmocka_unit_test(with_sendfile),
		cmocka_unit_test(with_read_write),
		cmocka_unit_test(progress_recorded),
		cmocka_unit_test(dest_symlink_not_followed),
		cmocka_unit_test(tree_over),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
