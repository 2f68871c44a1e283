/* The record of what was staged: written and read back, every kind of
 * difference the walker reports, lines it refuses; the copy engine's
 * overwrite (written beside, renamed over). */
#include "unit.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fixture.h"
#include "lib/log.h"
#include "stage/copy.h"
#include "stage/plan.h"
#include "stage/staged.h"

static char dest[128];

static void write_at(const char *base, const char *rel, const char *text)
{
	char p[512];
	FILE *f;
	fx_path(p, sizeof p, base, rel);
	assert_non_null(f = fopen(p, "w"));
	fputs(text, f);
	fclose(f);
}

static void build(struct plan *p, struct rootfs *r, struct staged *s, int dfd, int record)
{
	char *names[] = { "t" };
	plan_init(p, r);
	p->no_nss = 1;
	assert_int_equal(plan_build(p, fx_mdir, names, 1), 0);
	assert_int_equal(staged_add_plan(s, p, dfd, record), 0);
}

struct seen {
	char text[2048];
};

static int collect(void *ctx, int kind, const char *path, const struct staged_entry *o,
		   const struct staged_entry *n)
{
	struct seen *s = ctx;
	(void)o;
	(void)n;
	snprintf(s->text + strlen(s->text), sizeof s->text - strlen(s->text), "%s %s\n",
		 staged_kind_name[kind], path);
	return 0;
}

static void record_and_walk(void **st)
{
	(void)st;
	struct rootfs r;
	struct plan p, p2;
	struct staged s = { 0 }, back = { 0 }, now = { 0 };
	struct copy_stats cs = { 0 };
	struct seen seen = { "" };
	char path[256], *text;
	int dfd, line;
	FILE *f;
	size_t n;

	assert_int_equal(rootfs_open(&r, fx_root), 0);
	snprintf(dest, sizeof dest, "%s/dest", fx_top);
	assert_int_equal(mkdir(dest, 0755), 0);
	assert_true((dfd = open(dest, O_RDONLY | O_DIRECTORY)) >= 0);
	build(&p, &r, &s, -1, 1); /* nothing staged yet: no RAM stamps */
	staged_free(&s);
	assert_int_equal(copy_plan(&p, &r, dfd, &cs), 0);
	build(&p2, &r, &s, dfd, 1);
	snprintf(s.manifests, sizeof s.manifests, "t");
	fx_path(path, sizeof path, fx_top, "staged");
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(staged_write(&s, fd), 0);
	close(fd);
	assert_non_null(f = fopen(path, "r"));
	text = calloc(1, 65536);
	n = fread(text, 1, 65535, f);
	fclose(f);
	assert_true(n > 0 && !strncmp(text, "# root2ram staged 1 t\n", 22));
	assert_int_equal(staged_parse(&back, text, &line), 0);
	assert_int_equal(back.n, s.n);
	for (size_t i = 0; i < s.n; i++) {
		const struct staged_entry *a = &s.e[i], *b = staged_get(&back, a->path);
		assert_non_null(b);
		assert_int_equal(a->type, b->type);
		assert_int_equal(a->mode, b->mode);
		assert_int_equal(a->size, b->size);
		assert_int_equal(a->sino, b->sino);
		assert_int_equal(a->rino, b->rino);
		assert_int_equal(a->sctime.tv_nsec, b->sctime.tv_nsec);
		assert_int_equal(a->rctime.tv_sec, b->rctime.tv_sec);
		assert_true(a->src == NULL ? b->src == NULL : !strcmp(a->src, b->src));
		assert_true(a->target == NULL ? b->target == NULL : !strcmp(a->target, b->target));
	}
	/* nothing changed: the walker says nothing */
	staged_walk(&back, &s, dfd, collect, &seen);
	assert_string_equal(seen.text, "");

	usleep(20000); /* a ctime the changes cannot share */
	write_at(fx_root, "/etc/app/nfs.conf", "changed on NFS\n");
	write_at(dest, "/etc/app/ram.conf", "changed in RAM\n");
	write_at(fx_root, "/etc/app/both.conf", "NFS\n");
	write_at(dest, "/etc/app/both.conf", "RAM\n");
	write_at(fx_root, "/etc/app/new.conf", "added on NFS\n");
	write_at(dest, "/etc/app/mine.conf", "made in RAM\n");
	fx_path(path, sizeof path, fx_root, "/etc/app/gone.conf");
	unlink(path);
	fx_path(path, sizeof path, dest, "/etc/app/lost.conf");
	unlink(path);
	plan_free(&p);
	build(&p, &r, &now, dfd, 0);
	staged_walk(&back, &now, dfd, collect, &seen);
	assert_string_equal(seen.text, "conflict /etc/app/both.conf\n"
				       "removed-ram /etc/app/lost.conf\n"
				       "added-nfs /etc/app/new.conf\n"
				       "changed-nfs /etc/app/nfs.conf\n"
				       "changed-ram /etc/app/ram.conf\n"
				       "removed-nfs /etc/app/gone.conf\n"
				       "added-ram /etc/app/mine.conf\n");
	plan_free(&p);
	plan_free(&p2);
	staged_free(&s);
	staged_free(&back);
	staged_free(&now);
	free(text);
	close(dfd);
	rootfs_close(&r);
}

static void refused_lines(void **st)
{
	(void)st;
	static const char *const bad[] = {
		"",
		"# not a record\n",
		"# root2ram staged 1 t\nx 1 0 0 0 0.0 0 0.0 0 0.0\t/a\t=\t-\n",
		"# root2ram staged 1 t\nf 1 0 0 0 0.0 0 0.0 0 0.0\t/a\t=\n",
		"# root2ram staged 1 t\nf 1 0 0 0 0.0 0 0.0 0 0.0\ta\t=\t-\n",
		"# root2ram staged 1 t\nf 1 0 0 0 0.3b9aca00 0 0.0 0 0.0\t/a\t=\t-\n",
		"# root2ram staged 1 t\nf 1 0 0 fffffffffffffffff 0.0 0 0.0 0 0.0\t/a\t=\t-\n",
		"# root2ram staged 1 t\nf 100000000 0 0 0 0.0 0 0.0 0 0.0\t/a\t=\t-\n",
		"# root2ram staged 1 t\nf 1 0 0 0 0.0 0 0.0 0 0.0\t/a\t=\t-\t\n",
		"# root2ram staged 1 t\nf 1 0 0 0 0.0 0 0.0 0\t/a\t=\t-\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct staged s = { 0 };
		char *t = strdup(bad[i]);
		int line;
		assert_int_equal(staged_parse(&s, t, &line), -EINVAL);
		assert_int_equal(line, i < 2 ? 0 : 2);
		staged_free(&s);
		free(t);
	}
	struct staged s = { 0 };
	char *t = strdup("# root2ram staged 1 a,b\nl 1ff 0 0 0 0.0 0 0.0 0 0.0\t/x\t-\tdest\n");
	int line;
	assert_int_equal(staged_parse(&s, t, &line), 0);
	assert_string_equal(s.manifests, "a,b");
	assert_null(staged_get(&s, "/x")->src);
	assert_string_equal(staged_get(&s, "/x")->target, "dest");
	staged_free(&s);
	free(t);
}

/* COPY_OVERWRITE: a new inode renamed over the old, nothing left beside */
static void overwrite_beside(void **st)
{
	(void)st;
	struct rootfs r;
	struct plan p;
	struct staged s = { 0 };
	struct copy_stats cs = { 0 };
	char path[256], buf[64];
	struct stat a, b;
	int dfd, fd;

	assert_int_equal(rootfs_open(&r, fx_root), 0);
	assert_true((dfd = open(dest, O_RDONLY | O_DIRECTORY)) >= 0);
	fx_path(path, sizeof path, dest, "/etc/app/nfs.conf");
	assert_int_equal(stat(path, &a), 0);
	build(&p, &r, &s, dfd, 0);
	assert_int_equal(copy_plan_flags(&p, &r, dfd, 0, &cs), -EEXIST);
	assert_int_equal(copy_plan_flags(&p, &r, dfd, COPY_OVERWRITE, &cs), 0);
	assert_int_equal(stat(path, &b), 0);
	assert_true(a.st_ino != b.st_ino);
	fd = open(path, O_RDONLY);
	buf[read(fd, buf, sizeof buf - 1)] = '\0';
	close(fd);
	assert_string_equal(buf, "changed on NFS\n");
	fx_path(path, sizeof path, dest, "/etc/app/.nfs.conf.root2ram-new");
	assert_int_equal(access(path, F_OK), -1);
	fx_path(path, sizeof path, dest, "/etc/app/lnk");
	assert_int_equal(readlink(path, buf, sizeof buf), 8);
	plan_free(&p);
	staged_free(&s);
	close(dfd);
	rootfs_close(&r);
}

static int setup(void **s)
{
	(void)s;
	if (fx_make("staged") < 0)
		return -1;
	fx_dir("/etc");
	fx_dir("/etc/app");
	for (const char *const *n = (const char *const[]){ "nfs", "ram", "both", "gone", "lost", NULL }; *n; n++) {
		char p[64];
		snprintf(p, sizeof p, "/etc/app/%s.conf", *n);
		fx_file(p, "as staged\n", 0644);
	}
	fx_link("ram.conf", "/etc/app/lnk");
	write_at(fx_mdir, "t.manifest", "/etc/app/\n");
	return 0;
}

static int teardown(void **s)
{
	(void)s;
	return fx_remove();
}

int main(void)
{
	log_setup(2, -1, LOG_WARN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(record_and_walk),
		cmocka_unit_test(refused_lines),
		cmocka_unit_test(overwrite_beside),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
