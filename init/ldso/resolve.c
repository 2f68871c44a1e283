/* resolve.c - see resolve.h.
 *
 * A program is resolved the way glibc's loader builds its link map when
 * run as `ld.so --list PROGRAM` (elf/rtld.c, elf/dl-deps.c, elf/dl-load.c):
 *
 *   - the program is the first object, the loader (PT_INTERP) the second,
 *     known by its path and its SONAME;
 *   - /etc/ld.so.preload's libraries are mapped next, with the program as
 *     the requester;
 *   - then breadth-first: each object's DT_NEEDED in order, each name
 *     either an object already loaded under that name or SONAME, or
 *     searched (_dl_map_object), or, if missing, a placeholder that is
 *     listed as "not found" (and, as in glibc, not reused by name);
 *   - a file found under a new name but already loaded (same device and
 *     inode) is the same object.
 *
 * The list printed is that breadth-first order, with the loader where it
 * is first needed.  musl programs follow musl's simpler rules
 * (ldso/dynlink.c load_library).
 *
 * Everything read is kept for the resolver's life: each path tried (its
 * canonical form and the symlinks on the way) and each ELF file, so the
 * thousandth program costs a few hash lookups per library.
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

#include "ldso/elf.h"
#include "ldso/ldcache.h"
#include "lib/log.h"
#include "ldso/resolve.h"
#include "ldso/search.h"

/* ---- memory: an arena for strings and records, a string hash map ---- */

struct chunk {
	struct chunk *next;
	size_t used, cap;
	max_align_t data[];
};

struct arena {
	struct chunk *head;
};

static void *aalloc(struct arena *a, size_t n)
{
	struct chunk *c = a->head;
	void *p;

	n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	if (!c || c->cap - c->used < n) {
		size_t cap = n > 65536 ? n : 65536;
		c = malloc(sizeof *c + cap);
		if (!c)
			return NULL;
		c->used = 0;
		c->cap = cap;
		c->next = a->head;
		a->head = c;
	}
	p = (char *)c->data + c->used;
	c->used += n;
	return p;
}

static char *astrndup(struct arena *a, const char *s, size_t n)
{
	char *p = aalloc(a, n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

static char *astrdup(struct arena *a, const char *s)
{
	return astrndup(a, s, strlen(s));
}

static void afree(struct arena *a)
{
	while (a->head) {
		struct chunk *c = a->head;
		a->head = c->next;
		free(c);
	}
}

struct map {
	size_t cap, n;
	const char **keys;
	void **vals;
};

static size_t hash(const char *s)
{
	size_t h = 2166136261u;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static void *map_get(const struct map *m, const char *key)
{
	size_t i;

	if (!m->cap)
		return NULL;
	for (i = hash(key) & (m->cap - 1); m->keys[i]; i = (i + 1) & (m->cap - 1))
		if (strcmp(m->keys[i], key) == 0)
			return m->vals[i];
	return NULL;
}

/* key must outlive the map (an arena string). */
static int map_put(struct map *m, const char *key, void *val)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap) {
		struct map g = { m->cap ? m->cap * 2 : 256, 0, NULL, NULL };
		g.keys = calloc(g.cap, sizeof *g.keys);
		g.vals = calloc(g.cap, sizeof *g.vals);
		if (!g.keys || !g.vals) {
			free(g.keys);
			free(g.vals);
			return -ENOMEM;
		}
		for (i = 0; i < m->cap; i++)
			if (m->keys[i])
				map_put(&g, m->keys[i], m->vals[i]);
		free(m->keys);
		free(m->vals);
		*m = g;
	}
	for (i = hash(key) & (m->cap - 1); m->keys[i]; i = (i + 1) & (m->cap - 1))
		if (strcmp(m->keys[i], key) == 0) {
			m->vals[i] = val;
			return 0;
		}
	m->keys[i] = key;
	m->vals[i] = val;
	m->n++;
	return 0;
}

static void map_free(struct map *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof *m);
}

/* ---- what the resolver keeps: files and paths ---- */

struct file {
	const char *canon; /* canonical path inside the root */
	int err;           /* 0, or why it cannot be loaded: -ENOEXEC not ELF, -EINVAL malformed, ... */
	dev_t dev;
	ino_t ino;
	struct elf_info elf;
};

struct pathres {
	int err;            /* resolving the path: 0 or -errno */
	struct file *file;
	unsigned nlinks;
	const char **links; /* link, target, link, target, ... */
};

struct resolver {
	const struct rootfs *root;
	struct arena a;
	struct map paths, files, reported, musl;
	int cache_err; /* 1: not read yet */
	struct ldcache *cache;
	int conf_done;
	struct dirlist conf;
	int preload_done;
	unsigned npreload;
	const char **preload;
	/* the first dynamic program resolved: dlopen() lookups without a
	 * `ref` are made as that program would make them */
	const char *first_program;
};

/* "root2ram: /srv/pi/usr/lib/libx.so: ..." names the file as the user
 * can open it. */
static const char *shown(const struct resolver *res, const char *canon, char *buf, size_t len)
{
	if (strcmp(res->root->dir, "/") == 0)
		return canon;
	snprintf(buf, len, "%s%s", res->root->dir, canon);
	return buf;
}

static struct file *file_get(struct resolver *res, const char *canon)
{
	struct file *f = map_get(&res->files, canon);
	char buf[4200];
	struct stat st;
	int fd;

	if (f)
		return f;
	f = aalloc(&res->a, sizeof *f);
	if (!f)
		return NULL;
	memset(f, 0, sizeof *f);
	f->canon = astrdup(&res->a, canon);
	if (!f->canon || map_put(&res->files, f->canon, f))
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
		f->err = elf_read(&f->elf, fd, shown(res, canon, buf, sizeof buf));
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
	r->l[r->n++] = astrdup(r->a, link);
	r->l[r->n++] = astrdup(r->a, target);
	return 0;
}

/* A path as a program names it, resolved once. */
static struct pathres *path_get(struct resolver *res, const char *path)
{
	struct pathres *pr = map_get(&res->paths, path);
	struct linkrec lr;
	char canon[4096];
	const char *key;

	if (pr)
		return pr;
	pr = aalloc(&res->a, sizeof *pr);
	key = astrdup(&res->a, path);
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
		pr->links = aalloc(&res->a, lr.n * sizeof *pr->links);
		if (pr->links) {
			memcpy(pr->links, lr.l, lr.n * sizeof *pr->links);
			pr->nlinks = lr.n / 2;
		}
	}
	if (map_put(&res->paths, key, pr))
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
	map_free(&res->paths);
	map_free(&res->files);
	map_free(&res->reported);
	map_free(&res->musl);
	ldcache_free(res->cache);
	dirlist_free(&res->conf);
	afree(&res->a);
	free(res);
}

/* The root's ld.so.cache, read on first use; without one, ld.so.conf. */
static const struct ldcache *cache_get(struct resolver *res)
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
static void preload_get(struct resolver *res)
{
	char *text = NULL, *p;
	int fd;

	if (res->preload_done)
		return;
	res->preload_done = 1;
	fd = rootfs_openat(res->root, "/etc/ld.so.preload", O_RDONLY);
	if (fd < 0)
		return;
	{
		char buf[8192];
		ssize_t n = read(fd, buf, sizeof buf - 1);
		close(fd);
		if (n <= 0)
			return;
		buf[n] = '\0';
		text = astrdup(&res->a, buf);
	}
	if (!text)
		return;
	for (p = text; *p;) {
		size_t n;
		if (*p == '#') {
			p += strcspn(p, "\n");
			continue;
		}
		n = strcspn(p, " \t\n:#");
		if (n) {
			const char **np = aalloc(&res->a, (res->npreload + 1) * sizeof *np);
			if (!np)
				return;
			if (res->npreload)
				memcpy(np, res->preload, res->npreload * sizeof *np);
			np[res->npreload++] = astrndup(&res->a, p, n);
			res->preload = np;
			p += n;
		} else {
			p++;
		}
	}
}

/* ---- one program: the objects of its link map ---- */

struct name {
	const char *s;
	struct name *next;
};

struct obj {
	const char *libname;  /* the first name: what ld.so --list prints */
	const char *realname; /* the path the loader opened (l_name) */
	const char *origin;   /* $ORIGIN: realname's directory */
	struct file *file;    /* NULL for a placeholder */
	struct pathres *pr;
	struct obj *loader;   /* who first needed it (l_loader) */
	struct name *names;   /* further names it was asked for by */
	struct dirlist rpath, runpath;
	unsigned char faked, queued, seen, preload, rpath_done, runpath_done;
	const char *why; /* placeholder: the loader's error, if it stopped on a bad file */
};

struct run {
	struct resolver *res;
	struct loader_model m;
	struct arena a;
	struct obj **objs, **queue;
	unsigned nobjs, nqueue, cap;
	struct obj *main, *rtld;
	/* musl: what it prints, as it loads */
	const char **lines; /* name, path (NULL: not found) pairs */
	unsigned nlines;
	int oom;
};

static struct obj *obj_new(struct run *r)
{
	struct obj *o = aalloc(&r->a, sizeof *o);

	if (!o) {
		r->oom = 1;
		return NULL;
	}
	memset(o, 0, sizeof *o);
	if (r->nobjs == r->cap || r->nqueue == r->cap) {
		unsigned cap = r->cap ? r->cap * 2 : 32;
		struct obj **no = realloc(r->objs, cap * sizeof *no);
		struct obj **nq = no ? realloc(r->queue, cap * sizeof *nq) : NULL;
		if (no)
			r->objs = no;
		if (!no || !nq) {
			r->oom = 1;
			return NULL;
		}
		r->queue = nq;
		r->cap = cap;
	}
	r->objs[r->nobjs++] = o;
	return o;
}

static void enqueue(struct run *r, struct obj *o)
{
	if (!o->queued) {
		o->queued = 1;
		r->queue[r->nqueue++] = o;
	}
}

static void set_origin(struct run *r, struct obj *o)
{
	const char *sl = strrchr(o->realname, '/');

	if (!sl)
		o->origin = "/"; /* relative names are taken from the root */
	else if (sl == o->realname)
		o->origin = "/";
	else
		o->origin = astrndup(&r->a, o->realname, (size_t)(sl - o->realname));
}

static int name_match(const struct obj *o, const char *name)
{
	const struct name *n;

	if (strcmp(o->libname, name) == 0 || (o->realname && strcmp(o->realname, name) == 0))
		return 1;
	for (n = o->names; n; n = n->next)
		if (strcmp(n->s, name) == 0)
			return 1;
	return o->file && o->file->elf.soname && strcmp(o->file->elf.soname, name) == 0;
}

static void add_name(struct run *r, struct obj *o, const char *name)
{
	struct name *n;

	if (name_match(o, name))
		return;
	n = aalloc(&r->a, sizeof *n);
	if (!n)
		return;
	n->s = name;
	n->next = o->names;
	o->names = n;
}

/* Outcome of trying one candidate path. */
enum { TRY_NEXT, TRY_FOUND, TRY_FATAL, TRY_STOP };

struct found {
	const char *path;
	struct pathres *pr;
	const char *why;
};

/* glibc's open_verify on a candidate. */
static int try_path(struct run *r, const char *path, struct found *fd)
{
	struct pathres *pr = path_get(r->res, path);
	struct file *f;

	if (!pr) {
		r->oom = 1;
		return TRY_STOP;
	}
	if (pr->err)
		/* open(2) failing with anything but ENOENT or EACCES ends
		 * this list of directories (open_path) */
		return pr->err == -ENOENT || pr->err == -EACCES ? TRY_NEXT : TRY_STOP;
	f = pr->file;
	fd->path = path;
	fd->pr = pr;
	if (r->m.musl)
		return f->err == -EISDIR || f->err == -EACCES ? TRY_NEXT : TRY_FOUND;
	switch (f->err) {
	case 0:
		break;
	case -ENOEXEC:
		fd->why = "invalid ELF header";
		return TRY_FATAL;
	case -EINVAL:
		fd->why = "malformed ELF file";
		return TRY_FATAL;
	case -EACCES:
		return TRY_NEXT;
	default:
		fd->why = "cannot read file data";
		return TRY_FATAL;
	}
	switch (search_check(&r->m, &f->elf, &fd->why)) {
	case CAND_OK:
		return TRY_FOUND;
	case CAND_SKIP:
		return TRY_NEXT;
	default:
		return TRY_FATAL;
	}
}

/* open_path: each directory, in it each usable glibc-hwcaps
 * subdirectory first. */
static int try_dirs(struct run *r, const struct dirlist *d, const char *name, int nodeflib, struct found *fd)
{
	char buf[8192];
	unsigned i, h;
	int t;

	for (i = 0; i < d->n; i++) {
		if (nodeflib && search_in_sysdirs(&r->m, d->dir[i]))
			continue;
		for (h = 0; r->m.cache.hwcaps && r->m.cache.hwcaps[h]; h++) {
			if ((size_t)snprintf(buf, sizeof buf, "%sglibc-hwcaps/%s/%s", d->dir[i], r->m.cache.hwcaps[h],
					     name) >= sizeof buf)
				continue;
			t = try_path(r, buf, fd);
			if (t != TRY_NEXT) {
				if (t != TRY_STOP)
					fd->path = astrdup(&r->a, buf);
				return t;
			}
		}
		if ((size_t)snprintf(buf, sizeof buf, "%s%s", d->dir[i], name) >= sizeof buf)
			continue;
		t = try_path(r, buf, fd);
		if (t != TRY_NEXT) {
			if (t != TRY_STOP)
				fd->path = astrdup(&r->a, buf);
			return t;
		}
	}
	return TRY_NEXT;
}

static const struct dirlist *rpath_of(struct run *r, struct obj *o, int runpath)
{
	const char *s = runpath ? o->file->elf.runpath : o->file->elf.rpath;
	struct dirlist *d = runpath ? &o->runpath : &o->rpath;
	unsigned char *done = runpath ? &o->runpath_done : &o->rpath_done;

	if (!s)
		return NULL;
	if (!*done) {
		*done = 1;
		if (r->m.musl)
			search_split_musl(d, o->origin, s);
		else
			search_split_rpath(d, &r->m, o->origin, s);
	}
	return d;
}

/* _dl_map_object's search for a name without '/'. */
static int search_glibc(struct run *r, struct obj *loader, const char *name, struct found *fd)
{
	struct obj *l;
	const struct dirlist *d;
	int t, nodeflib;

	if (!loader->file->elf.runpath) {
		int did_main = 0;
		for (l = loader; l; l = l->loader)
			if (l->file && (d = rpath_of(r, l, 0))) {
				t = try_dirs(r, d, name, 0, fd);
				if (t == TRY_FOUND || t == TRY_FATAL)
					return t;
				did_main |= l == r->main;
			}
		if (!did_main && (d = rpath_of(r, r->main, 0))) {
			t = try_dirs(r, d, name, 0, fd);
			if (t == TRY_FOUND || t == TRY_FATAL)
				return t;
		}
	}
	/* (LD_LIBRARY_PATH would come here: a clean environment has none.) */
	if ((d = rpath_of(r, loader, 1))) {
		t = try_dirs(r, d, name, 0, fd);
		if (t == TRY_FOUND || t == TRY_FATAL)
			return t;
	}
	nodeflib = !!(loader->file->elf.flags_1 & ELF_DF_1_NODEFLIB);
	if (cache_get(r->res)) {
		const char *p = ldcache_lookup(r->res->cache, name, &r->m.cache);
		if (p && !(nodeflib && search_in_sysdirs(&r->m, p))) {
			t = try_path(r, p, fd);
			if (t == TRY_FOUND || t == TRY_FATAL) {
				fd->path = astrdup(&r->a, p);
				return t;
			}
		}
	} else {
		/* No cache (a root unpacked from packages): what ldconfig
		 * would have put in it, from ld.so.conf. */
		t = try_dirs(r, &r->res->conf, name, nodeflib, fd);
		if (t == TRY_FOUND || t == TRY_FATAL)
			return t;
	}
	if (!nodeflib) {
		struct dirlist sys = { r->m.nsysdirs, (char **)r->m.sysdirs };
		t = try_dirs(r, &sys, name, 0, fd);
		if (t == TRY_FOUND || t == TRY_FATAL)
			return t;
	}
	return TRY_NEXT;
}

/* musl's load_library search for a name without '/'. */
static int search_musl(struct run *r, struct obj *needed_by, const char *name, struct found *fd)
{
	struct dirlist *sys;
	struct obj *p;
	int t;

	for (p = needed_by; p; p = p->loader) {
		const struct dirlist *d = p->file ? rpath_of(r, p, p->file->elf.runpath != NULL) : NULL;
		if (d) {
			t = try_dirs(r, d, name, 0, fd);
			if (t == TRY_FOUND || t == TRY_FATAL)
				return t;
		}
	}
	sys = map_get(&r->res->musl, r->rtld->libname);
	if (!sys) {
		const char *key = astrdup(&r->res->a, r->rtld->libname);
		sys = calloc(1, sizeof *sys);
		if (!sys || !key) {
			free(sys);
			r->oom = 1;
			return TRY_NEXT;
		}
		search_musl_path(sys, r->res->root, r->rtld->libname, r->m.musl_arch);
		map_put(&r->res->musl, key, sys);
	}
	return try_dirs(r, sys, name, 0, fd);
}

static struct obj *same_file(struct run *r, const struct file *f)
{
	unsigned i;

	for (i = 0; i < r->nobjs; i++) {
		struct obj *o = r->objs[i];
		if (!o->faked && o->file && o->file->dev == f->dev && o->file->ino == f->ino &&
		    (o->file->dev || o->file->ino))
			return o;
	}
	return NULL;
}

/* _dl_map_object: the object `loader` gets for `name`. */
static struct obj *map_object(struct run *r, struct obj *loader, const char *name)
{
	struct found fd = { NULL, NULL, NULL };
	struct obj *o;
	unsigned i;
	int t;

	for (i = 0; i < r->nobjs; i++)
		if (!r->objs[i]->faked && name_match(r->objs[i], name))
			return r->objs[i];
	if (strchr(name, '/')) {
		char exp[4096];
		if (search_expand(&r->m, loader ? loader->origin : NULL, name, exp, sizeof exp) != 0)
			exp[0] = '\0';
		t = exp[0] ? try_path(r, exp, &fd) : TRY_NEXT;
		if (t == TRY_FOUND || t == TRY_FATAL)
			fd.path = astrdup(&r->a, exp);
	} else {
		t = search_glibc(r, loader, name, &fd);
	}
	if (t == TRY_FOUND) {
		o = same_file(r, fd.pr->file);
		if (o) {
			add_name(r, o, name);
			return o;
		}
	}
	o = obj_new(r);
	if (!o)
		return NULL;
	o->libname = name;
	o->loader = loader;
	if (t == TRY_FOUND) {
		o->realname = fd.path;
		o->pr = fd.pr;
		o->file = fd.pr->file;
		set_origin(r, o);
	} else {
		o->faked = 1;
		if (t == TRY_FATAL) {
			char buf[4200];
			o->why = fd.why;
			error("%s: %s (loading %s)", shown(r->res, fd.pr->file->canon, buf, sizeof buf), fd.why, name);
		}
	}
	return o;
}

static void line(struct run *r, const char *name, const char *path)
{
	const char **nl = aalloc(&r->a, (r->nlines + 1) * 2 * sizeof *nl);

	if (!nl) {
		r->oom = 1;
		return;
	}
	if (r->nlines)
		memcpy(nl, r->lines, r->nlines * 2 * sizeof *nl);
	nl[2 * r->nlines] = name;
	nl[2 * r->nlines + 1] = path;
	r->lines = nl;
	r->nlines++;
}

/* musl's load_library. */
static struct obj *musl_load(struct run *r, struct obj *needed_by, const char *name, unsigned *reported)
{
	static const char reserved[] = "c.pthread.rt.m.dl.util.xnet.";
	struct found fd = { NULL, NULL, NULL };
	struct obj *o;
	unsigned i;
	int t;

	if (strncmp(name, "lib", 3) == 0) {
		const char *rp, *next;
		for (rp = reserved; *rp; rp = next) {
			next = strchr(rp, '.') + 1;
			if (strncmp(name + 3, rp, (size_t)(next - rp)) == 0)
				break;
		}
		if (*rp) {
			/* the C library is the loader itself, each name
			 * reported once */
			unsigned mask = 1u << (rp - reserved);
			if (!(*reported & mask)) {
				*reported |= mask;
				line(r, name, r->rtld->libname);
			}
			return r->rtld;
		}
	}
	if (strcmp(name, r->rtld->libname) == 0)
		return r->rtld;
	if (strchr(name, '/')) {
		t = try_path(r, name, &fd);
		if (t == TRY_FOUND)
			fd.path = name;
	} else {
		for (i = 0; i < r->nobjs; i++)
			if (!r->objs[i]->faked && r->objs[i] != r->main && r->objs[i]->libname &&
			    !strchr(r->objs[i]->libname, '/') && strcmp(r->objs[i]->libname, name) == 0)
				return r->objs[i];
		t = search_musl(r, needed_by, name, &fd);
	}
	if (t == TRY_FOUND) {
		o = same_file(r, fd.pr->file);
		if (o)
			return o;
	}
	o = obj_new(r);
	if (!o)
		return NULL;
	o->libname = name;
	o->loader = needed_by;
	if (t == TRY_FOUND) {
		o->realname = fd.path == name ? name : astrdup(&r->a, fd.path);
		o->pr = fd.pr;
		o->file = fd.pr->file;
		set_origin(r, o);
		line(r, name, o->realname);
	} else {
		o->faked = 1;
		line(r, name, NULL);
	}
	return o;
}

enum { RUN_OK, RUN_STATIC, RUN_NOT_DYNAMIC };

/* Build the link map of `path`.  Returns RUN_*, or -errno (logged) when
 * the file itself cannot be had. */
static int run_program(struct run *r, const char *path)
{
	struct resolver *res = r->res;
	struct pathres *pr, *ipr = NULL;
	const struct elf_info *e;
	char abspath[4096], buf[4200];
	unsigned i, k, reported = 0;

	if ((size_t)snprintf(abspath, sizeof abspath, "%s%s", path[0] == '/' ? "" : "/", path) >= sizeof abspath)
		return -ENAMETOOLONG;
	pr = path_get(res, abspath);
	if (!pr)
		return -ENOMEM;
	if (pr->err) {
		error("%s: %s", shown(res, abspath, buf, sizeof buf), strerror(-pr->err));
		return pr->err;
	}
	if (pr->file->err == -ENOEXEC || pr->file->err == -EISDIR)
		return RUN_NOT_DYNAMIC;
	if (pr->file->err) {
		if (pr->file->err != -EINVAL) /* malformed: elf_read said why */
			error("%s: %s", shown(res, abspath, buf, sizeof buf), strerror(-pr->file->err));
		return pr->file->err;
	}
	e = &pr->file->elf;
	if (e->type != ELF_ET_EXEC && e->type != ELF_ET_DYN)
		return RUN_NOT_DYNAMIC;
	if (e->interp) {
		ipr = path_get(res, e->interp);
		if (ipr && (ipr->err || ipr->file->err))
			ipr = NULL;
	}
	search_model(&r->m, e, ipr ? &ipr->file->elf : NULL);

	r->main = obj_new(r);
	r->rtld = obj_new(r);
	if (!r->main || !r->rtld)
		return -ENOMEM;
	r->main->libname = r->main->realname = astrdup(&r->a, abspath);
	r->main->file = pr->file;
	r->main->pr = pr;
	set_origin(r, r->main);
	/* The loader is loaded before anything: its path is PT_INTERP (or its
	 * built-in name for a library), its SONAME the name libraries need
	 * it by. */
	r->rtld->libname = r->rtld->realname = e->interp ? e->interp : r->m.rtld;
	if (ipr) {
		r->rtld->file = ipr->file;
		r->rtld->pr = ipr;
	} else {
		const char *b = strrchr(r->rtld->libname, '/');
		add_name(r, r->rtld, b ? b + 1 : r->rtld->libname);
	}
	if (!e->dynamic)
		return RUN_STATIC;
	enqueue(r, r->main);

	if (r->m.musl) {
		line(r, r->rtld->libname, r->rtld->libname);
		for (i = 0; i < r->nqueue && !r->oom; i++) {
			struct obj *o = r->queue[i];
			if (o->faked || !o->file || o == r->rtld)
				continue;
			for (k = 0; k < o->file->elf.n_needed; k++) {
				struct obj *d = musl_load(r, o, o->file->elf.needed[k], &reported);
				if (d && d != r->rtld)
					enqueue(r, d);
			}
		}
		return r->oom ? -ENOMEM : RUN_OK;
	}

	preload_get(res);
	for (i = 0; i < res->npreload; i++) {
		char exp[4096];
		const char *name = res->preload[i];
		struct obj *o;
		/* a name with '/' has its tokens expanded by _dl_map_object */
		if (strchr(name, '/') && search_expand(&r->m, r->main->origin, name, exp, sizeof exp) == 0 &&
		    strcmp(exp, name) != 0)
			name = astrdup(&r->a, exp);
		o = map_object(r, r->main, name);
		if (!o)
			return -ENOMEM;
		if (o->faked) {
			warn("%s: /etc/ld.so.preload names %s: not found, not preloaded", r->res->root->dir,
			     res->preload[i]);
			o->libname = ""; /* never matched again */
			continue;
		}
		o->preload = 1;
		enqueue(r, o);
	}
	if (e->n_needed == 0 && r->nqueue == 1)
		return RUN_STATIC; /* what ld.so --list says of a DSO needing nothing */
	for (i = 0; i < r->nqueue && !r->oom; i++) {
		struct obj *o = r->queue[i];
		if (o->faked || !o->file || o == r->rtld)
			continue;
		for (k = 0; k < o->file->elf.n_needed; k++) {
			struct obj *d = map_object(r, o, o->file->elf.needed[k]);
			if (d)
				enqueue(r, d);
		}
	}
	/* The list is the namespace's chain: objects in the order they were
	 * mapped (placeholders included), but the loader, mapped first,
	 * is put back right after the object before it in the search list,
	 * which leaves placeholders out (rtld.c, dl-deps.c). */
	{
		struct obj *after = r->main;
		for (i = 1; i < r->nqueue && r->queue[i] != r->rtld; i++)
			if (!r->queue[i]->faked)
				after = r->queue[i];
		if (i < r->nqueue && after == r->main)
			line(r, r->rtld->libname, r->rtld->realname);
		for (i = 1; i < r->nqueue; i++) {
			struct obj *o = r->queue[i];
			if (o == r->rtld)
				continue;
			line(r, o->libname, o->faked ? NULL : o->realname);
			if (o == after && r->rtld->queued)
				line(r, r->rtld->libname, r->rtld->realname);
		}
	}
	return r->oom ? -ENOMEM : RUN_OK;
}

static void run_free(struct run *r)
{
	unsigned i;

	for (i = 0; i < r->nobjs; i++) {
		dirlist_free(&r->objs[i]->rpath);
		dirlist_free(&r->objs[i]->runpath);
	}
	free(r->objs);
	free(r->queue);
	afree(&r->a);
}

int resolver_list(struct resolver *res, const char *path, resolve_line_fn fn, void *ctx)
{
	struct run r;
	unsigned i;
	int e, missing = 0;

	memset(&r, 0, sizeof r);
	r.res = res;
	e = run_program(&r, path);
	if (e == RUN_OK) {
		for (i = 0; i < r.nlines; i++) {
			const char *name = r.lines[2 * i], *p = r.lines[2 * i + 1];
			int stop;
			missing |= !p;
			stop = fn(ctx, name, p && strcmp(p, name) == 0 ? name : p);
			if (stop) {
				run_free(&r);
				return stop;
			}
		}
		e = missing ? RESOLVE_MISSING : 0;
	} else if (e == RUN_STATIC) {
		e = RESOLVE_STATIC;
	} else if (e == RUN_NOT_DYNAMIC) {
		e = RESOLVE_NOT_DYNAMIC;
	}
	run_free(&r);
	return e;
}

/* ---- closures ---- */

struct report {
	struct resolver *res;
	closure_fn fn;
	void *ctx;
	int stop;
};

static int report_one(struct report *rp, enum closure_kind kind, const char *path, const char *target,
		      const char *why)
{
	struct closure_item it = { kind, path, target, why };
	const char *key;

	if (rp->stop || map_get(&rp->res->reported, path))
		return rp->stop;
	key = astrdup(&rp->res->a, path);
	if (!key || map_put(&rp->res->reported, key, (void *)1))
		return rp->stop = -ENOMEM;
	rp->stop = rp->fn(rp->ctx, &it);
	return rp->stop;
}

/* A file reached through `pr`: the symlinks on the way, then the file. */
static int report_path(struct report *rp, const struct pathres *pr, const char *why)
{
	unsigned i;

	for (i = 0; i < pr->nlinks; i++)
		report_one(rp, CLOSURE_SYMLINK, pr->links[2 * i], pr->links[2 * i + 1], why);
	if (pr->file)
		report_one(rp, CLOSURE_FILE, pr->file->canon, NULL, why);
	return rp->stop;
}

static int report_obj(struct report *rp, struct run *r, struct obj *o)
{
	char why[4200];

	if (o == r->main || !o->pr)
		return rp->stop;
	if (o->preload)
		snprintf(why, sizeof why, "preloaded (/etc/ld.so.preload)");
	else
		snprintf(why, sizeof why, "needed by %s", o->loader ? o->loader->realname : "the loader");
	return report_path(rp, o->pr, why);
}

/* glibc dlopen()s libgcc_s.so.1 to unwind a thread that is cancelled or
 * exits and for backtrace(); no DT_NEEDED names it, and without it the
 * program aborts ("libgcc_s.so.1 must be installed for pthread_cancel to
 * work").  When an object of the closure imports one of those, the library
 * is added as libc's dlopen() would find it, with what it needs. */
static void closure_libgcc(struct run *r, struct report *rp)
{
	struct obj *imp = NULL, *libc = r->main, *o;
	unsigned i, k, n = r->nqueue;
	char why[4200];

	if (r->m.musl)
		return;
	for (i = 0; i < n; i++) {
		o = r->queue[i];
		if (o->faked || !o->file)
			continue;
		if (!imp && o->file->elf.unwind_import)
			imp = o;
		if (o->file->elf.soname && !strcmp(o->file->elf.soname, "libc.so.6"))
			libc = o;
	}
	if (!imp || !(o = map_object(r, libc, "libgcc_s.so.1")) || o->queued)
		return;
	if (o->faked) {
		warn("%s: %s uses %s, for which glibc loads libgcc_s.so.1: not found, not copied",
		     r->res->root->dir, imp->realname, imp->file->elf.unwind_import);
		return;
	}
	enqueue(r, o);
	for (i = n; i < r->nqueue && !r->oom; i++) {
		struct obj *q = r->queue[i];
		if (q->faked || !q->file || q == r->rtld)
			continue;
		for (k = 0; k < q->file->elf.n_needed; k++) {
			struct obj *d = map_object(r, q, q->file->elf.needed[k]);
			if (d)
				enqueue(r, d);
		}
	}
	snprintf(why, sizeof why, "loaded by libc for %s in %s", imp->file->elf.unwind_import,
		 imp->realname);
	report_path(rp, o->pr, why);
	for (i = n + 1; i < r->nqueue; i++)
		if (!r->queue[i]->faked && r->queue[i] != r->rtld)
			report_obj(rp, r, r->queue[i]);
}

static int closure_of_run(struct run *r, struct report *rp, const char *path, int e)
{
	char why[4200], buf[4200];
	unsigned i;
	int missing = 0;

	if (e < 0)
		return e;
	if (!r->main) { /* not ELF, a directory, or an ELF object that is not a program */
		struct pathres *pr;
		if ((size_t)snprintf(buf, sizeof buf, "%s%s", path[0] == '/' ? "" : "/", path) >= sizeof buf)
			return -ENAMETOOLONG;
		if ((pr = path_get(r->res, buf)))
			report_path(rp, pr, NULL);
		return rp->stop;
	}
	report_path(rp, r->main->pr, NULL);
	if (e == RUN_NOT_DYNAMIC || !r->main->file->elf.interp)
		goto objs;
	snprintf(why, sizeof why, "interpreter of %s", r->main->realname);
	if (r->rtld->pr) {
		report_path(rp, r->rtld->pr, why);
	} else {
		struct pathres *ipr = path_get(r->res, r->main->file->elf.interp);
		if (ipr && !ipr->err && ipr->file->err)
			error("%s: interpreter %s of %s: not loadable", r->res->root->dir, r->main->file->elf.interp,
			      path);
		else
			error("%s: interpreter of %s not found",
			      shown(r->res, r->main->file->elf.interp, buf, sizeof buf), path);
		missing = 1;
	}
objs:
	for (i = 1; i < r->nqueue && !rp->stop; i++) {
		struct obj *o = r->queue[i];
		if (o == r->rtld)
			continue;
		if (o->faked) {
			if (!o->why)
				error("%s: not found (needed by %s)", o->libname,
				      o->loader ? o->loader->realname : path);
			missing = 1;
			continue;
		}
		report_obj(rp, r, o);
	}
	if (!missing && e == RUN_OK)
		closure_libgcc(r, rp);
	if (rp->stop)
		return rp->stop;
	return missing ? -ENOENT : 0;
}

int resolver_closure(struct resolver *res, const char *path, closure_fn fn, void *ctx)
{
	struct report rp = { res, fn, ctx, 0 };
	struct run r;
	int e;

	memset(&r, 0, sizeof r);
	r.res = res;
	e = run_program(&r, path);
	if (e == RUN_OK && !res->first_program)
		res->first_program = astrdup(&res->a, r.main->realname);
	e = closure_of_run(&r, &rp, path, e);
	run_free(&r);
	return e;
}

int resolver_library(struct resolver *res, const char *name, const char *ref, closure_fn fn, void *ctx)
{
	struct report rp = { res, fn, ctx, 0 };
	struct run r;
	struct obj *o, **list;
	unsigned i, k, n = 0, cap = 16;
	int e;

	if (!ref && !(ref = res->first_program)) {
		struct pathres *pr = path_get(res, "/sbin/init");
		ref = pr && !pr->err && !pr->file->err && pr->file->elf.dynamic ? "/sbin/init" : "/bin/sh";
	}
	memset(&r, 0, sizeof r);
	r.res = res;
	e = run_program(&r, ref);
	if (e != RUN_OK) {
		run_free(&r);
		if (e >= 0)
			error("%s: not a dynamic program: cannot tell how %s would be found", ref, name);
		return e >= 0 ? -EINVAL : e;
	}
	/* dlopen() from the program: searched with the program as the
	 * requester, after everything it needs is loaded; then what the
	 * library needs, breadth-first. */
	o = map_object(&r, r.main, name);
	if (!o || o->faked) {
		if (o && !o->why)
			error("%s: not found (as %s would dlopen it)", name, ref);
		run_free(&r);
		return o ? -ENOENT : -ENOMEM;
	}
	list = malloc(cap * sizeof *list);
	if (!list) {
		run_free(&r);
		return -ENOMEM;
	}
	list[n++] = o;
	o->seen = 1;
	for (i = 0; i < n && !r.oom; i++) {
		struct obj *q = list[i];
		if (q->faked || !q->file || q == r.rtld)
			continue;
		for (k = 0; k < q->file->elf.n_needed; k++) {
			struct obj *d = map_object(&r, q, q->file->elf.needed[k]);
			if (!d || d->seen)
				continue;
			if (n == cap) {
				struct obj **nl = realloc(list, 2 * cap * sizeof *nl);
				if (!nl)
					break;
				list = nl;
				cap *= 2;
			}
			d->seen = 1;
			list[n++] = d;
		}
	}
	e = 0;
	for (i = 0; i < n && !rp.stop; i++) {
		struct obj *q = list[i];
		if (q->faked) {
			if (!q->why)
				error("%s: not found (needed by %s)", q->libname, q->loader ? q->loader->realname : ref);
			e = -ENOENT;
		} else if (q == r.rtld) {
			if (q->pr)
				report_path(&rp, q->pr, "the loader");
		} else if (q == o) {
			report_path(&rp, q->pr, NULL); /* the caller knows why it asked */
		} else {
			report_obj(&rp, &r, q);
		}
	}
	free(list);
	run_free(&r);
	return rp.stop ? rp.stop : e;
}
