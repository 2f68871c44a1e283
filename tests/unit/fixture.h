/* fixture.h - scratch trees for the unit tests.
 *
 * fx_make("copy") makes /tmp/r2r-copy-XXXXXX (fx_top) holding root/
 * (fx_root, the tree a test resolves or stages from) and m/ (fx_mdir, for
 * manifests); fx_file, fx_dir and fx_link make entries under fx_root
 * ("/etc/a" and "etc/a" alike); fx_remove deletes the whole scratch tree. */
#ifndef R2R_FIXTURE_H
#define R2R_FIXTURE_H
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char fx_top[64], fx_root[96], fx_mdir[96];

static inline void fx_path(char *p, size_t n, const char *base, const char *rel)
{
	snprintf(p, n, "%s%s%s", base, rel[0] == '/' ? "" : "/", rel);
}

static inline void fx_file(const char *rel, const char *text, mode_t mode)
{
	char p[512];
	FILE *f;
	fx_path(p, sizeof p, fx_root, rel);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(p, mode), 0);
}

static inline void fx_dir(const char *rel)
{
	char p[512];
	fx_path(p, sizeof p, fx_root, rel);
	assert_int_equal(mkdir(p, 0755), 0);
}

static inline void fx_link(const char *target, const char *rel)
{
	char p[512];
	fx_path(p, sizeof p, fx_root, rel);
	assert_int_equal(symlink(target, p), 0);
}

static inline int fx_make(const char *name)
{
	snprintf(fx_top, sizeof fx_top, "/tmp/r2r-%s-XXXXXX", name);
	if (!mkdtemp(fx_top))
		return -1;
	snprintf(fx_root, sizeof fx_root, "%s/root", fx_top);
	snprintf(fx_mdir, sizeof fx_mdir, "%s/m", fx_top);
	return mkdir(fx_root, 0755) || mkdir(fx_mdir, 0755) ? -1 : 0;
}

static inline int fx_rm(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p);
}

static inline int fx_remove(void)
{
	return nftw(fx_top, fx_rm, 16, FTW_DEPTH | FTW_PHYS);
}
#endif
