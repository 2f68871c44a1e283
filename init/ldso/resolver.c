/* resolver.c - what a resolver keeps for its root (resolve.h): every path
 * tried (its canonical form and the symlinks on the way) and every file
 * met, read once, so the thousandth program costs a few hash lookups per
 * library; the ld.so.cache, or without one the directories of ld.so.conf;
 * the names of /etc/ld.so.preload.
 */
/* 64-bit off_t, ino_t and d_off with 32-bit glibc too (the armel unit
 * tests); musl has them always. */
#define _FILE_OFFSET_BITS 64
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ldso/resolve_int.h"
#include "lib/file.h"

/* Messages name the file as the user can open it:
 * "root2ram: /srv/pi/usr/lib/libx.so: ...". */
const char *res_shown(const struct resolver *res, const char *canon, char *buf, size_t len)
{
	if (strcmp(res->root->dir, "/") == 0)
		return canon;
	snprintf(buf, len, "%s%s", res->root->dir, canon);
	return buf;
}

/* A file by its canonical path, read once: what the loader's open_verify
 * would learn of it. */
static struct file *file_get(struct resolver *res, const char *canon)
{
	struct file *f = strmap_get(&res->files, canon);
	char buf[4200];
	struct stat st;
	int fd;

	if (f)
		return f;
	f = arena_alloc(&res->a, sizeof *f);
	if (!f)
		return NULL;
	memset(f, 0, sizeof *f);
	f->canon = arena_strdup(&res->a, canon);
	if (!f->canon || strmap_put(&res->files, f->canon, f))
		return NULL;
	fd = openat(res->root->fd, canon[1] ? canon + 1 : ".", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		f->err = -errno;
		return f;
	}
	if (fstat(fd, &st) < 0) {
		f->err = -errno;
	} else if (!S_ISREG(st.st_mode)) {
		f->err = S_ISDIR(st.st_mode) ? -EISDIR : -ENOEXEC;
	} else {
		f->dev = st.st_dev;
		f->ino = st.st_ino;
		f->err = elf_read(&f->elf, fd, res_shown(res, canon, buf, sizeof buf));
	}
	close(fd);
	return f;
}

struct linkrec {
	unsigned n;
	const char *l[2 * ROOTFS_MAXLINKS + 2];
	struct arena *a;
};

static int record_link(void *ctx, const char *link, const char *target)
{
	struct linkrec *r = ctx;

	if (r->n + 2 > sizeof r->l / sizeof r->l[0])
		return 0;
	r->l[r->n++] = arena_strdup(r->a, link);
	r->l[r->n++] = arena_strdup(r->a, target);
	return 0;
}

struct pathres *res_path(struct resolver *res, const char *path)
{
	struct pathres *pr = strmap_get(&res->paths, path);
	struct linkrec lr;
	char canon[4096];
	const char *key;

	if (pr)
		return pr;
	pr = arena_alloc(&res->a, sizeof *pr);
	key = arena_strdup(&res->a, path);
	if (!pr || !key)
		return NULL;
	memset(pr, 0, sizeof *pr);
	lr.n = 0;
	lr.a = &res->a;
	pr->err = rootfs_realpath(res->root, path, canon, sizeof canon, 0, record_link, &lr);
	if (!pr->err) {
		pr->file = file_get(res, canon);
		if (!pr->file)
			pr->err = -ENOMEM;
	}
	if (lr.n) {
		pr->links = arena_alloc(&res->a, lr.n * sizeof *pr->links);
		if (pr->links) {
			memcpy(pr->links, lr.l, lr.n * sizeof *pr->links);
			pr->nlinks = lr.n / 2;
		}
	}
	if (strmap_put(&res->paths, key, pr))
		return NULL;
	return pr;
}

int resolver_new(struct resolver **out, const struct rootfs *r)
{
	struct resolver *res = calloc(1, sizeof *res);

	*out = NULL;
	if (!res)
		return -ENOMEM;
	res->root = r;
	res->cache_err = 1;
	*out = res;
	return 0;
}

void resolver_free(struct resolver *res)
{
	size_t i;

	if (!res)
		return;
	for (i = 0; i < res->files.cap; i++)
		if (res->files.keys[i])
			elf_free(&((struct file *)res->files.vals[i])->elf);
	for (i = 0; i < res->musl.cap; i++)
		if (res->musl.keys[i]) {
			dirlist_free(res->musl.vals[i]);
			free(res->musl.vals[i]);
		}
	strmap_free(&res->paths);
	strmap_free(&res->files);
	strmap_free(&res->reported);
	strmap_free(&res->musl);
	ldcache_free(res->cache);
	dirlist_free(&res->conf);
	arena_free(&res->a);
	free(res);
}

const struct ldcache *res_cache(struct resolver *res)
{
	if (res->cache_err == 1) {
		res->cache_err = ldcache_open(&res->cache, res->root, "/etc/ld.so.cache");
		if (res->cache_err && !res->conf_done) {
			search_ldconf(&res->conf, res->root);
			res->conf_done = 1;
		}
	}
	return res->cache;
}

/* /etc/ld.so.preload: names separated by white space or ':', '#'
 * comments (elf/rtld.c). */
void res_preload(struct resolver *res)
{
	char buf[8192], *p;
	ssize_t n;
	int fd;

	if (res->preload_done)
		return;
	res->preload_done = 1;
	fd = rootfs_openat(res->root, "/etc/ld.so.preload", O_RDONLY);
	if (fd < 0)
		return;
	n = read_full(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	for (p = buf; *p;) {
		size_t len;
		if (*p == '#') {
			p += strcspn(p, "\n");
			continue;
		}
		len = strcspn(p, " \t\n:#");
		if (len) {
			const char **np = arena_alloc(&res->a, (res->npreload + 1) * sizeof *np);
			if (!np)
				return;
			if (res->npreload)
				memcpy(np, res->preload, res->npreload * sizeof *np);
			np[res->npreload++] = arena_strndup(&res->a, p, len);
			res->preload = np;
			p += len;
		} else {
			p++;
		}
	}
}
