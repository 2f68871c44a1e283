/* plan.c - see plan.h. */
/* 64-bit d_off and off_t with 32-bit glibc too (the armel unit tests): readdir
 * of ext4 under qemu-user fails with EOVERFLOW without it */
#define _FILE_OFFSET_BITS 64
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/match.h"
#include "lib/paths.h"
#include "ldso/resolve.h"
#include "stage/nss.h"
#include "stage/plan.h"

#define PATHMAX 4096

const char *const plan_type_name[] = { "dir", "file", "symlink", "hardlink" };

void plan_init(struct plan *p, const struct rootfs *root)
{
	memset(p, 0, sizeof *p);
	p->root = root;
}

void plan_free(struct plan *p)
{
	if (p->res)
		resolver_free(p->res);
	free(p->e);
	strmap_free(&p->index);
	arena_free(&p->arena);
	p->e = NULL;
	p->n = p->cap = 0;
	p->res = NULL;
}

__attribute__((format(printf, 2, 3))) static void plan_error(struct plan *p, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (p->where)
		error("%s:%d: %s", p->where, p->line, msg);
	else
		error("%s", msg);
	p->errors++;
}

/* --- the index: path -> entry ------------------------------------------------- */

static struct plan_entry *lookup(const struct plan *p, const char *path)
{
	uintptr_t i = (uintptr_t)strmap_get(&p->index, path);

	return i ? &p->e[i - 1] : NULL;
}

const struct plan_entry *plan_find(const struct plan *p, const char *path)
{
	return lookup(p, path);
}

/* After the entries moved (sorted): the paths are the same strings. */
static int reindex(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (strmap_put(&p->index, p->e[i].path, (void *)(uintptr_t)(i + 1)))
			return -ENOMEM;
	return 0;
}

/* --- adding entries --------------------------------------------------------- */

static int add_parents(struct plan *p, const char *path);

/* Put e in the plan, unless its path is there already: then the same thing
 * twice is one entry, and two different things are a conflict.  The
 * entry's parents are added too.  Returns the planned entry or NULL. */
static struct plan_entry *put(struct plan *p, const struct plan_entry *e, int parents)
{
	struct plan_entry *old;

	if (parents && add_parents(p, e->path))
		return NULL;
	if ((old = lookup(p, e->path))) {
		if (e->flags & PLAN_WEAK)
			return old;
		if (old->flags & PLAN_WEAK) { /* a real file over a `links` default */
			*old = *e;
			return old;
		}
		if (old->type == e->type &&
		    (e->type != PLAN_SYMLINK || !strcmp(old->target, e->target))) {
			if (e->type == PLAN_DIR && e->why && old->why == NULL) {
				/* `dir PATH MODE` sets the mode of a parent directory */
				old->mode = (old->mode & ~(mode_t)07777) | (e->mode & 07777);
				old->why = e->why;
			}
			return old;
		}
		plan_error(p, "%s is planned as %s%s%s (%s) and as %s%s%s (%s); keep one", e->path,
			   plan_type_name[old->type], old->target ? " -> " : "",
			   old->target ? old->target : "", old->why ? old->why : "parent directory",
			   plan_type_name[e->type], e->target ? " -> " : "", e->target ? e->target : "",
			   e->why ? e->why : "parent directory");
		return NULL;
	}
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 512;
		struct plan_entry *ne = realloc(p->e, cap * sizeof *ne);
		if (!ne)
			goto nomem;
		p->e = ne;
		p->cap = cap;
	}
	if (strmap_put(&p->index, e->path, (void *)(uintptr_t)(p->n + 1)))
		goto nomem;
	old = &p->e[p->n++];
	*old = *e;
	return old;
nomem:
	plan_error(p, "out of memory");
	return NULL;
}

/* rootfs_openat() of "/" itself (the root fd is O_PATH). */
static int root_open(const struct plan *p, const char *path, int flags)
{
	if (path[0] == '\0' || !strcmp(path, "/")) {
		int fd = openat(p->root->fd, ".", flags | O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	}
	return rootfs_openat(p->root, path, flags);
}

/* The directory of a path of the root, opened confined, and its last
 * component: the last component is then looked at with *at(...,
 * AT_SYMLINK_NOFOLLOW), never followed. */
static int open_dir_of(const struct plan *p, const char *path, const char **leaf)
{
	char dir[PATHMAX];
	const char *slash = strrchr(path, '/');
	size_t dl = slash ? (size_t)(slash - path) : 0;

	*leaf = slash ? slash + 1 : path;
	if (dl >= sizeof dir || !**leaf || !strcmp(*leaf, ".") || !strcmp(*leaf, ".."))
		return -EINVAL;
	memcpy(dir, path, dl);
	dir[dl] = '\0';
	return root_open(p, dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

static int stat_path(struct plan *p, const char *path, struct stat *st)
{
	const char *leaf;
	int fd = open_dir_of(p, path, &leaf), r = 0;

	if (fd < 0)
		return fd;
	if (fstatat(fd, leaf, st, AT_SYMLINK_NOFOLLOW))
		r = -errno;
	close(fd);
	return r;
}

static void from_stat(struct plan_entry *e, const struct stat *st)
{
	e->mode = st->st_mode;
	e->uid = st->st_uid;
	e->gid = st->st_gid;
	e->mtime = st->st_mtim;
	e->dev = st->st_dev;
	e->ino = st->st_ino;
	e->nlink = (unsigned)st->st_nlink;
	e->size = S_ISREG(st->st_mode) ? (unsigned long long)st->st_size : 0;
	e->type = S_ISDIR(st->st_mode) ? PLAN_DIR : S_ISLNK(st->st_mode) ? PLAN_SYMLINK : PLAN_FILE;
}

/* A directory the manifest wants with `mode`: the root's own (owner, times)
 * if it has one there, else a new one owned by root. */
static struct plan_entry *add_created_dir(struct plan *p, const char *path, mode_t mode,
					  const char *why, int parents)
{
	struct plan_entry e = { 0 };
	struct stat st;

	if (stat_path(p, path, &st) == 0 && S_ISDIR(st.st_mode)) {
		from_stat(&e, &st);
		e.src = path;
	} else {
		e.flags = PLAN_CREATED;
		e.mtime.tv_nsec = UTIME_OMIT;
	}
	e.path = path;
	e.why = why;
	e.type = PLAN_DIR;
	e.mode = S_IFDIR | mode;
	return put(p, &e, parents);
}

/* Make sure each directory above path is planned: copied from the root when
 * it is there (with its mode and owner), else created 0755. */
static int add_parents(struct plan *p, const char *path)
{
	char buf[PATHMAX];
	size_t len = strlen(path), i;

	if (len >= sizeof buf)
		return -1;
	memcpy(buf, path, len + 1);
	for (i = 1; i < len; i++) {
		const struct plan_entry *have;
		struct plan_entry e = { 0 };
		struct stat st;
		int r;

		if (buf[i] != '/')
			continue;
		buf[i] = '\0';
		have = plan_find(p, buf);
		if (have && have->type != PLAN_DIR) {
			plan_error(p, "%s needs %s to be a directory, but it is planned as %s (%s)", path,
				   buf, plan_type_name[have->type], have->why ? have->why : "parent");
			return -1;
		}
		if (!have) {
			char *dup = arena_strdup(&p->arena, buf);
			if (!dup)
				return -1;
			r = stat_path(p, buf, &st);
			if (r == -ENOENT) {
				if (!add_created_dir(p, dup, 0755, NULL, 0))
					return -1;
			} else if (r < 0 || !S_ISDIR(st.st_mode)) {
				plan_error(p, "%s: cannot plan its parent %s: %s", path, buf,
					   r < 0 ? strerror(-r) : "not a directory in the root");
				return -1;
			} else {
				from_stat(&e, &st);
				e.path = e.src = dup;
				if (!put(p, &e, 0))
					return -1;
			}
		}
		buf[i] = '/';
	}
	return 0;
}

/* A path of the root, whatever it is, copied as it is (a symlink stays a
 * symlink and is not followed). */
static struct plan_entry *add_src(struct plan *p, const char *path, const char *target,
				  const char *why)
{
	struct plan_entry e = { 0 };
	struct stat st;
	char buf[PATHMAX];
	int r = stat_path(p, path, &st);

	if (r < 0) {
		plan_error(p, "%s: %s", path, strerror(-r));
		return NULL;
	}
	from_stat(&e, &st);
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode)) {
		plan_error(p, "%s is a device, fifo or socket; root2ram copies files, directories "
			      "and symlinks (devtmpfs provides /dev)",
			   path);
		return NULL;
	}
	if (S_ISLNK(st.st_mode) && !target) {
		const char *leaf;
		int fd = open_dir_of(p, path, &leaf);
		ssize_t n = fd < 0 ? fd : readlinkat(fd, leaf, buf, sizeof buf - 1);
		if (fd >= 0)
			close(fd);
		if (n < 0) {
			plan_error(p, "%s: cannot read the symlink", path);
			return NULL;
		}
		buf[n] = '\0';
		target = buf;
	}
	e.path = e.src = arena_strdup(&p->arena, path);
	e.why = why ? arena_strdup(&p->arena, why) : NULL;
	if (target)
		e.target = arena_strdup(&p->arena, target);
	if (!e.path || (why && !e.why) || (target && !e.target)) {
		plan_error(p, "out of memory");
		return NULL;
	}
	return put(p, &e, 1);
}

/* Symlinks met while resolving a path: planned only once the whole path
 * resolved (an optional entry that is absent adds nothing). */
struct pending {
	struct plan *p;
	int n;
	const char *link[ROOTFS_MAXLINKS + 1], *target[ROOTFS_MAXLINKS + 1];
};

static int on_link(void *ctx, const char *link, const char *target)
{
	struct pending *pd = ctx;

	if (pd->n > ROOTFS_MAXLINKS)
		return -ELOOP;
	pd->link[pd->n] = arena_strdup(&pd->p->arena, link);
	pd->target[pd->n] = arena_strdup(&pd->p->arena, target);
	if (!pd->link[pd->n] || !pd->target[pd->n])
		return -ENOMEM;
	pd->n++;
	return 0;
}

static int commit_links(struct plan *p, struct pending *pd)
{
	for (int i = 0; i < pd->n; i++)
		if (!add_src(p, pd->link[i], pd->target[i], p->why))
			return -EINVAL;
	return 0;
}

/* Canonical path inside the root, its symlinks planned. */
static int canon(struct plan *p, const char *path, char *out)
{
	struct pending pd = { .p = p };
	int r = rootfs_realpath(p->root, path, out, PATHMAX, 0, on_link, &pd);

	return r < 0 ? r : commit_links(p, &pd);
}

/* Where a path the manifest creates lands: its parent canonical in the root
 * as far as the root has it, so `symlink /bin/sh busybox` in a root whose
 * /bin -> usr/bin is planned as /usr/bin/sh (with the /bin symlink), and
 * no symlink in DEST is ever followed while creating. */
static const char *canon_create(struct plan *p, const char *path)
{
	char dir[PATHMAX], out[PATHMAX], rest[PATHMAX] = "";
	const char *leaf = strrchr(path, '/');
	size_t dl = (size_t)(leaf - path);
	int r;

	memcpy(dir, path, dl);
	dir[dl] = '\0';
	snprintf(rest, sizeof rest, "%s", leaf);
	for (;;) {
		char *cut, tmp[PATHMAX];
		r = canon(p, dir[0] ? dir : "/", out);
		if (r == 0)
			break;
		if (r != -ENOENT || !dir[0]) {
			plan_error(p, "%s: cannot place it: %s", path, strerror(-r));
			return NULL;
		}
		cut = strrchr(dir, '/');
		snprintf(tmp, sizeof tmp, "%s%s", cut, rest);
		memcpy(rest, tmp, sizeof rest);
		*cut = '\0';
	}
	if (strlen(out) + strlen(rest) >= sizeof out) {
		plan_error(p, "%s: path too long", path);
		return NULL;
	}
	if (!strcmp(out, "/"))
		out[0] = '\0';
	strcat(out, rest);
	return arena_strdup(&p->arena, out);
}

static int on_item(void *ctx, const struct closure_item *it)
{
	struct plan *p = ctx;

	add_src(p, it->path, it->kind == CLOSURE_SYMLINK ? it->target : NULL,
		it->why ? it->why : p->why);
	return 0;
}

static int need_resolver(struct plan *p)
{
	int r;

	if (p->res)
		return 0;
	r = resolver_new(&p->res, p->root);
	if (r < 0)
		plan_error(p, "cannot read the loader configuration of %s: %s", p->root->dir,
			   strerror(-r));
	return r;
}

/* --- trees ---------------------------------------------------------------------- */

/* The entry of the tree at src in the root (dst in the RAM root), `name`
 * in the directory dfd: 0, 1 if it is not planned (said why), or -ENOMEM. */
static int tree_entry(struct plan *p, int dfd, const char *name, const char *src, const char *dst,
		      struct plan_entry *e)
{
	struct stat st;
	char target[PATHMAX];

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW)) {
		plan_error(p, "%s: %s", src, strerror(errno));
		return 1;
	}
	from_stat(e, &st);
	if (S_ISLNK(st.st_mode)) {
		ssize_t n = readlinkat(dfd, name, target, sizeof target - 1);
		if (n < 0) {
			plan_error(p, "%s: %s", src, strerror(errno));
			return 1;
		}
		target[n] = '\0';
		e->target = arena_strdup(&p->arena, target);
	} else if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		warn("%s: a device, fifo or socket; not copied", src);
		return 1;
	}
	e->path = arena_strdup(&p->arena, dst);
	e->src = strcmp(src, dst) ? arena_strdup(&p->arena, src) : e->path;
	e->why = p->why;
	if (!e->path || !e->src || (S_ISLNK(st.st_mode) && !e->target)) {
		plan_error(p, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

/* src and dst hold the directory's paths (sl and dl bytes); each entry's
 * name is appended in turn. */
static int walk(struct plan *p, int dfd, char *src, size_t sl, char *dst, size_t dl, int depth)
{
	DIR *d;
	struct dirent *de;
	int fd2, r = 0;

	if (depth > 64) {
		plan_error(p, "%s: more than 64 levels of directories", src);
		close(dfd);
		return -ELOOP;
	}
	d = fdopendir(dfd);
	if (!d) {
		r = -errno;
		close(dfd);
		plan_error(p, "%s: %s", src, strerror(-r));
		return r;
	}
	while ((de = readdir(d))) {
		struct plan_entry e = { 0 };
		size_t nl = strlen(de->d_name);
		int skip;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (sl + nl + 2 > PATHMAX || dl + nl + 2 > PATHMAX) {
			plan_error(p, "%s/%s: path too long", src, de->d_name);
			continue;
		}
		src[sl] = dst[dl] = '/';
		memcpy(src + sl + 1, de->d_name, nl + 1);
		memcpy(dst + dl + 1, de->d_name, nl + 1);
		skip = tree_entry(p, dirfd(d), de->d_name, src, dst, &e);
		if (skip < 0) {
			r = skip;
			break;
		}
		if (skip || !put(p, &e, 0) || e.type != PLAN_DIR)
			continue;
		fd2 = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd2 < 0)
			plan_error(p, "%s: %s", src, strerror(errno));
		else
			walk(p, fd2, src, sl + 1 + nl, dst, dl + 1 + nl, depth + 1);
	}
	closedir(d);
	return r;
}

int plan_add_tree(struct plan *p, const char *src, const char *dest, const char *why)
{
	char s[PATHMAX], d[PATHMAX];
	int fd, r, same = !dest || !strcmp(src, dest);

	if (!why)
		why = src;
	p->why = arena_strdup(&p->arena, why);
	r = canon(p, src, s);
	if (r < 0) {
		if (r != -EINVAL) /* else add_src said why */
			plan_error(p, "%s/: %s", src, strerror(-r));
		return r;
	}
	fd = root_open(p, s, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		plan_error(p, "%s/: %s", src, strerror(-fd));
		return fd;
	}
	snprintf(d, sizeof d, "%s", same ? s : dest);
	if (strcmp(d, "/")) {
		if (same ? !add_src(p, s, NULL, p->why)
			 : !add_created_dir(p, arena_strdup(&p->arena, d), 0755, p->why, 1)) {
			close(fd);
			return -EINVAL;
		}
	}
	/* "/" walks as "" so children are "/etc", not "//etc" */
	return walk(p, fd, s, strcmp(s, "/") ? strlen(s) : 0, d, strcmp(d, "/") ? strlen(d) : 0, 0);
}

/* --- directives ------------------------------------------------------------------ */

/* A path naming something of the root: a file with its closure, or a
 * directory (alone, or its tree). */
static void add_path(struct plan *p, const char *path, int tree, int optional)
{
	char c[PATHMAX];
	struct stat st;
	int r;

	r = rootfs_realpath(p->root, path, c, sizeof c, 0, NULL, NULL);
	if (r == 0)
		r = stat_path(p, c, &st);
	if (r < 0) {
		if (optional && (r == -ENOENT || r == -ENOTDIR))
			return;
		plan_error(p, "%s: %s%s", path, strerror(-r),
			   r == -ENOENT ? "; mark the line optional with '?' if it may be absent" : "");
		return;
	}
	if (tree || S_ISDIR(st.st_mode)) {
		if (!S_ISDIR(st.st_mode)) {
			plan_error(p, "%s/: not a directory; drop the final '/' to copy the file", path);
			return;
		}
		if (tree)
			plan_add_tree(p, path, NULL, p->why);
		else if (canon(p, path, c) == 0)
			add_src(p, c, NULL, p->why);
		return;
	}
	if (need_resolver(p))
		return;
	r = resolver_closure(p->res, path, on_item, p);
	if (r < 0)
		plan_error(p, "%s: %s", path,
			   r == -ENOENT ? "a library it needs was not found (see above)" : strerror(-r));
}

/* Components without glob characters are taken as they are: appended to
 * buf (*len bytes), *rest moved past them.  0, or -ENAMETOOLONG. */
static int literal_prefix(char *buf, size_t *len, const char **rest)
{
	const char *r = *rest, *slash;
	size_t cl, l = *len;

	while (*r) {
		slash = strchr(r, '/');
		cl = slash ? (size_t)(slash - r) : strlen(r);
		if (cl == 0) {
			r++;
			continue;
		}
		if (memchr(r, '*', cl) || memchr(r, '?', cl) || memchr(r, '[', cl))
			break;
		if (l + cl + 2 > PATHMAX)
			return -ENAMETOOLONG;
		buf[l++] = '/';
		memcpy(buf + l, r, cl);
		l += cl;
		buf[l] = '\0';
		r += cl;
	}
	*rest = r;
	*len = l;
	return 0;
}

/* buf (len bytes) is the part of the pattern matched so far, rest what is
 * left of it; each path that matches the whole pattern is planned. */
static void glob_step(struct plan *p, const struct mf_entry *me, char *buf, size_t len,
		      const char *rest, int *matches)
{
	char pat[256];
	const char *slash;
	struct dirent *de;
	size_t cl;
	DIR *d;
	int fd;

	if (literal_prefix(buf, &len, &rest))
		return;
	if (!*rest) {
		char c[PATHMAX];
		if (rootfs_realpath(p->root, buf, c, sizeof c, 0, NULL, NULL) == 0) {
			++*matches;
			add_path(p, buf, me->kind == MF_TREE, 0);
		}
		return;
	}
	slash = strchr(rest, '/');
	cl = slash ? (size_t)(slash - rest) : strlen(rest);
	if (cl >= sizeof pat)
		return;
	memcpy(pat, rest, cl);
	pat[cl] = '\0';
	fd = root_open(p, buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (!(d = fdopendir(fd))) {
		close(fd);
		return;
	}
	while ((de = readdir(d))) {
		size_t nl = strlen(de->d_name);
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    !match_glob(pat, de->d_name) || len + nl + 2 > PATHMAX)
			continue;
		buf[len] = '/';
		memcpy(buf + len + 1, de->d_name, nl + 1);
		glob_step(p, me, buf, len + 1 + nl, rest + cl, matches);
	}
	buf[len] = '\0';
	closedir(d);
}

static void add_lib(struct plan *p, const char *name, int optional)
{
	enum log_level lvl = log_get_level();
	int r;

	if (need_resolver(p))
		return;
	if (optional) /* an absent optional library is no news */
		log_set_level(LOG_FATAL);
	r = resolver_library(p->res, name, NULL, on_item, p);
	log_set_level(lvl);
	if (r == -ENOENT && optional)
		return;
	if (r < 0)
		plan_error(p, "library %s: %s", name,
			   r == -ENOENT ? "not found where the loader would look, or a library it "
					  "needs is missing; mark it optional with '?' if it may be absent"
					: strerror(-r));
}

static void add_created(struct plan *p, const struct mf_entry *me)
{
	struct plan_entry e = { 0 };
	const char *path = canon_create(p, me->path);

	if (!path)
		return;
	if (me->kind == MF_DIR) {
		add_created_dir(p, path, me->mode, p->why, 1);
		return;
	}
	e.path = path;
	e.target = arena_strdup(&p->arena, me->target);
	e.why = p->why;
	e.type = PLAN_SYMLINK;
	e.mode = S_IFLNK | 0777;
	e.flags = PLAN_CREATED | (me->flags & MF_WEAK ? PLAN_WEAK : 0);
	e.mtime.tv_nsec = UTIME_OMIT;
	put(p, &e, 1);
}

int plan_add_manifest(struct plan *p, const struct manifest *m)
{
	char why[512];
	int before = p->errors;

	for (size_t i = 0; i < m->n; i++) {
		const struct mf_entry *me = &m->e[i];
		int opt = !!(me->flags & MF_OPTIONAL);

		snprintf(why, sizeof why, "%s:%d", me->file, me->line);
		p->why = arena_strdup(&p->arena, why);
		p->where = me->where;
		p->line = me->line;
		if (!p->why) {
			plan_error(p, "out of memory");
			break;
		}
		switch (me->kind) {
		case MF_PATH:
		case MF_TREE:
			if (me->flags & MF_GLOB) {
				char buf[PATHMAX] = "";
				int matches = 0;
				glob_step(p, me, buf, 0, me->path, &matches);
				if (!matches && !opt)
					plan_error(p, "nothing in %s matches %s; mark the line optional "
						      "with '?' if that is fine",
						   p->root->dir, me->path);
			} else {
				add_path(p, me->path, me->kind == MF_TREE, opt);
			}
			break;
		case MF_LIB:
			add_lib(p, me->path, opt);
			break;
		case MF_DIR:
		case MF_SYMLINK:
			add_created(p, me);
			break;
		}
	}
	p->where = NULL;
	p->line = 0;
	return p->errors > before ? -EINVAL : 0;
}

/* --- finishing ------------------------------------------------------------------- */

static void on_module(void *ctx, const char *lib, const char *why)
{
	struct plan *p = ctx;

	p->why = arena_strdup(&p->arena, why);
	if (p->why)
		add_lib(p, lib, 1);
}

/* Only an nsswitch.conf that is staged is read at run time. */
static void add_nss(struct plan *p)
{
	char c[PATHMAX];
	const struct plan_entry *e;

	if (rootfs_realpath(p->root, NSS_CONF, c, sizeof c, 0, NULL, NULL) ||
	    !(e = plan_find(p, c)) || e->type != PLAN_FILE)
		return;
	nss_modules(p->root, c, on_module, p);
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct plan_entry *)a)->path, ((const struct plan_entry *)b)->path);
}

/* The first of the names of a hard-linked file (in path order) is copied,
 * the others are linked to it. */
static int find_hardlinks(struct plan *p)
{
	struct strmap first = { 0 };
	char key[40];
	int r = 0;

	for (size_t i = 0; i < p->n && !r; i++) {
		struct plan_entry *e = &p->e[i];
		const struct plan_entry *f;
		char *k;

		if (e->type != PLAN_FILE || e->nlink < 2 || !e->src)
			continue;
		snprintf(key, sizeof key, "%llx:%llx", (unsigned long long)e->dev,
			 (unsigned long long)e->ino);
		if ((f = strmap_get(&first, key))) {
			e->type = PLAN_HARDLINK;
			e->target = f->path;
		} else if (!(k = arena_strdup(&p->arena, key)) || strmap_put(&first, k, e)) {
			r = -ENOMEM;
		}
	}
	strmap_free(&first);
	return r;
}

int plan_finish(struct plan *p)
{
	p->where = NULL;
	if (!p->no_nss)
		add_nss(p);
	qsort(p->e, p->n, sizeof *p->e, by_path);
	if (reindex(p) || find_hardlinks(p))
		plan_error(p, "out of memory");
	p->finished = 1;
	return p->errors ? -EINVAL : 0;
}

int plan_build(struct plan *p, const char *manifest_dir, char *const *names, int n)
{
	struct manifest m;
	int i;

	manifest_init(&m, manifest_dir ? NULL : p->root,
		      manifest_dir ? manifest_dir : R2R_MANIFEST_DIR);
	for (i = 0; i < n; i++)
		manifest_load(&m, names[i]);
	/* plan what parsed, so missing files are reported in the same run */
	plan_add_manifest(p, &m);
	p->errors += m.errors;
	manifest_free(&m);
	return plan_finish(p);
}

/* --- output ---------------------------------------------------------------------- */

void plan_totals(const struct plan *p, struct plan_totals *t)
{
	long pg = sysconf(_SC_PAGESIZE);
	unsigned long long page = pg > 0 ? (unsigned long long)pg : 4096;

	memset(t, 0, sizeof *t);
	for (size_t i = 0; i < p->n; i++) {
		const struct plan_entry *e = &p->e[i];
		switch (e->type) {
		case PLAN_FILE:
			t->files++;
			t->bytes += e->size;
			t->pages += (e->size + page - 1) / page * page;
			break;
		case PLAN_DIR:
			t->dirs++;
			break;
		case PLAN_SYMLINK:
			t->symlinks++;
			if (strlen(e->target) >= PLAN_SHORT_SYMLINK)
				t->pages += page;
			break;
		case PLAN_HARDLINK:
			t->hardlinks++;
			break;
		}
	}
	t->tmpfs = t->pages + (t->files + t->dirs + t->symlinks) * (unsigned long long)PLAN_INODE_COST;
}

void plan_print(const struct plan *p, FILE *f)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct plan_entry *e = &p->e[i];
		const char *why = e->why ? e->why : "parent";

		switch (e->type) {
		case PLAN_DIR:
			fprintf(f, "dir      %s %04o (%s)\n", e->path, (unsigned)(e->mode & 07777), why);
			break;
		case PLAN_FILE:
			fprintf(f, "file     %s %llu (%s)\n", e->path, e->size, why);
			break;
		case PLAN_SYMLINK:
			fprintf(f, "symlink  %s -> %s (%s)\n", e->path, e->target, why);
			break;
		case PLAN_HARDLINK:
			fprintf(f, "hardlink %s => %s (%s)\n", e->path, e->target, why);
			break;
		}
	}
}

void plan_print_totals(const struct plan_totals *t, FILE *f)
{
	char b1[32], b2[32];

	fprintf(f, "total: %lu files, %llu bytes (%s), %lu symlinks, %lu directories, %lu hard links\n",
		t->files, t->bytes, log_human_bytes(t->bytes, b1, sizeof b1), t->symlinks, t->dirs,
		t->hardlinks);
	fprintf(f, "tmpfs: %llu bytes (%s): %llu in pages + %d per inode for %lu inodes\n", t->tmpfs,
		log_human_bytes(t->tmpfs, b2, sizeof b2), t->pages, PLAN_INODE_COST,
		t->files + t->dirs + t->symlinks);
}
