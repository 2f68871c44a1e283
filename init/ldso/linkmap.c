/* linkmap.c - one program's link map, built the way glibc's loader builds
 * it when run as `ld.so --list PROGRAM` (elf/rtld.c, elf/dl-deps.c,
 * elf/dl-load.c), or musl's for a musl program (ldso/dynlink.c):
 *
 *   - the program is the first object, the loader (PT_INTERP) the second,
 *     known by its path and its SONAME;
 *   - then breadth-first: each object's DT_NEEDED in order, each name
 *     either an object already loaded or searched (linkmap_glibc.c,
 *     linkmap_musl.c), or, if missing, a placeholder listed as "not found";
 *   - a file found under a new name but already loaded (same device and
 *     inode) is the same object.
 *
 * Here is what both loaders share: the objects, the candidate paths tried
 * for a name, and the walk over DT_NEEDED.  run.c starts a run and picks
 * the loader's rules.
 */
/* 64-bit off_t, ino_t and d_off with 32-bit glibc too (the armel unit
 * tests); musl has them always. */
#define _FILE_OFFSET_BITS 64
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldso/resolve_int.h"
#include "lib/log.h"

void lm_enqueue(struct run *r, struct objq *q, struct obj *o)
{
	if (o->in & q->bit)
		return;
	if (q->n == q->cap) {
		unsigned cap = q->cap ? q->cap * 2 : 32;
		struct obj **v = realloc(q->v, cap * sizeof *v);
		if (!v) {
			r->oom = 1;
			return;
		}
		q->v = v;
		q->cap = cap;
	}
	o->in |= q->bit;
	q->v[q->n++] = o;
}

struct obj *lm_obj_new(struct run *r)
{
	struct obj *o = arena_alloc(&r->a, sizeof *o);
	unsigned n = r->objs.n;

	if (o) {
		memset(o, 0, sizeof *o);
		lm_enqueue(r, &r->objs, o); /* bit 0: always appended */
	}
	if (!o || r->objs.n == n) {
		r->oom = 1;
		return NULL;
	}
	return o;
}

void lm_set_origin(struct run *r, struct obj *o)
{
	const char *sl = strrchr(o->realname, '/');

	if (!sl || sl == o->realname)
		o->origin = "/"; /* relative names are taken from the root */
	else
		o->origin = arena_strndup(&r->a, o->realname, (size_t)(sl - o->realname));
}

struct obj *lm_obj_map(struct run *r, struct obj *loader, const char *name, const struct found *fd)
{
	struct obj *o = lm_obj_new(r);

	if (!o)
		return NULL;
	o->libname = name;
	o->loader = loader;
	if (fd) {
		o->realname = fd->path;
		o->pr = fd->pr;
		o->file = fd->pr->file;
		lm_set_origin(r, o);
	} else {
		o->faked = 1;
	}
	return o;
}

int lm_name_match(const struct obj *o, const char *name)
{
	const struct name *n;

	if (strcmp(o->libname, name) == 0 || (o->realname && strcmp(o->realname, name) == 0))
		return 1;
	for (n = o->names; n; n = n->next)
		if (strcmp(n->s, name) == 0)
			return 1;
	return o->file && o->file->elf.soname && strcmp(o->file->elf.soname, name) == 0;
}

void lm_add_name(struct run *r, struct obj *o, const char *name)
{
	struct name *n;

	if (lm_name_match(o, name))
		return;
	n = arena_alloc(&r->a, sizeof *n);
	if (!n)
		return;
	n->s = name;
	n->next = o->names;
	o->names = n;
}

struct obj *lm_same_file(struct run *r, const struct file *f)
{
	unsigned i;

	for (i = 0; i < r->objs.n; i++) {
		struct obj *o = r->objs.v[i];
		if (!o->faked && o->file && o->file->dev == f->dev && o->file->ino == f->ino &&
		    (o->file->dev || o->file->ino))
			return o;
	}
	return NULL;
}

void lm_line(struct run *r, const char *name, const char *path)
{
	const char **nl = arena_alloc(&r->a, (r->nlines + 1) * 2 * sizeof *nl);

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

/* glibc's _dl_map_object_deps, musl's load_deps: the objects of q from
 * `from` on, each one's DT_NEEDED in order, what each name maps to added
 * at the end, until no object is left.  The loader's own DT_NEEDED are not
 * followed: it was loaded before anything. */
void lm_load_deps(struct run *r, struct objq *q, unsigned from, load_fn load)
{
	unsigned i, k;

	for (i = from; i < q->n && !r->oom; i++) {
		struct obj *o = q->v[i];
		if (o->faked || !o->file || o == r->rtld)
			continue;
		for (k = 0; k < o->file->elf.n_needed; k++) {
			struct obj *d = load(r, o, o->file->elf.needed[k]);
			if (d)
				lm_enqueue(r, q, d);
		}
	}
}

/* Whether a candidate that could not be opened, open(2) failing with err
 * (-errno), lets the loader go on to the next directory of its list.
 *
 * musl 1.2.3, ldso/dynlink.c path_open:
 *	if ((fd = open(buf, O_RDONLY|O_CLOEXEC))>=0) return fd;
 *	switch (errno) {
 *	case ENOENT: case ENOTDIR: case EACCES: case ENAMETOOLONG:
 *		break;
 *	default:
 *		return -2;	("will inhibit futher path search")
 *	}
 * and load_library tries nothing more for the name once fd is -2 (the
 * RPATH loop runs while fd == -1, the system path only if fd == -1): the
 * name is not found, "Error loading shared library NAME: <strerror>".
 *
 * glibc 2.36, elf/dl-load.c open_path, after every candidate of one
 * directory (its glibc-hwcaps subdirectories, then itself) failed:
 *	if (here_any && (err = errno) != ENOENT && err != EACCES)
 *	  return -1;
 * ends that list only (_dl_map_object goes on with RUNPATH, the cache, the
 * default directories), and only when the directory exists: here_any is
 * set by a stat() showing a directory, so a path through a regular file
 * (ENOTDIR, "/etc/passwd/lib") or a missing one is passed over whatever
 * open(2) said; errno there is the last candidate's, the directory's own
 * (see dirs_one). */
static int keep_searching(const struct run *r, int err)
{
	if (r->m.musl)
		return err == -ENOENT || err == -ENOTDIR || err == -EACCES || err == -ENAMETOOLONG;
	return err == -ENOENT || err == -EACCES;
}

/* glibc's open_verify on a candidate (musl only opens it).  TRY_NEXT with
 * fd->err set when it cannot be opened (keep_searching decides, for a
 * directory list, whether that ends the list). */
int lm_try_path(struct run *r, const char *path, struct found *fd)
{
	struct pathres *pr = res_path(r->res, path);
	struct file *f;

	fd->err = 0;
	if (!pr) {
		r->oom = 1;
		return TRY_STOP;
	}
	if (pr->err) {
		fd->err = pr->err;
		return TRY_NEXT;
	}
	f = pr->file;
	fd->path = path;
	fd->pr = pr;
	if (f->err == -EACCES) { /* open(2) refused: as above */
		fd->err = f->err;
		return TRY_NEXT;
	}
	if (r->m.musl)
		/* musl's load_library takes the first file it can open: one it
		 * cannot map (map_library: a directory fails read(2) with
		 * EISDIR, a file that is not ELF) is the name not found, the
		 * search not resumed. */
		return f->err ? TRY_FATAL : TRY_FOUND;
	switch (f->err) {
	case 0:
		break;
	case -ENOEXEC:
		fd->why = "invalid ELF header";
		return TRY_FATAL;
	case -EINVAL:
		fd->why = "malformed ELF file";
		return TRY_FATAL;
	default:
		fd->why = "cannot read file data";
		return TRY_FATAL;
	}
	switch (search_check(&r->m, &f->elf, &fd->why)) {
	case CAND_OK:
		return TRY_FOUND;
	case CAND_SKIP:
		/* another class or machine: open_verify closes it and sets
		 * errno to ENOENT */
		fd->err = -ENOENT;
		return TRY_NEXT;
	default:
		return TRY_FATAL;
	}
}

/* One candidate of a directory list, its path kept when it ends the
 * search. */
static int try_one(struct run *r, const char *buf, struct found *fd)
{
	int t = lm_try_path(r, buf, fd);

	if (t == TRY_FOUND || t == TRY_FATAL)
		fd->path = arena_strdup(&r->a, buf);
	return t;
}

/* glibc's here_any: whether `dir` ("/usr/lib/", as lists hold it) is a
 * directory, as open_path's stat() of it, the trailing '/' cut, says. */
static int dir_exists(struct run *r, const char *dir)
{
	char buf[4096];
	size_t n = strlen(dir);
	struct pathres *pr;

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n >= sizeof buf)
		return 0;
	memcpy(buf, dir, n);
	buf[n] = '\0';
	pr = res_path(r->res, buf);
	if (!pr) {
		r->oom = 1;
		return 0;
	}
	return !pr->err && pr->file->err == -EISDIR;
}

/* The candidates of one directory of a list: TRY_STOP when the loader
 * would search no further in the list. */
static int dirs_one(struct run *r, const char *dir, const char *name, struct found *fd)
{
	/* musl's load_library: char buf[2*NAME_MAX+2], a longer "dir/name"
	 * skipped by path_open's snprintf check */
	size_t max = r->m.musl ? 2 * 255 + 2 : 8192;
	char buf[8192];
	unsigned h;
	int t;

	/* glibc: a glibc-hwcaps subdirectory failing never ends the list
	 * ("for (cnt = 0; fd == -1 && cnt < ncapstr; ++cnt)"); only the
	 * errno left by the last candidate, the directory itself, counts */
	for (h = 0; r->m.cache.hwcaps && r->m.cache.hwcaps[h]; h++) {
		if ((size_t)snprintf(buf, sizeof buf, "%sglibc-hwcaps/%s/%s", dir, r->m.cache.hwcaps[h], name) >=
		    sizeof buf)
			continue;
		if ((t = try_one(r, buf, fd)) == TRY_FOUND || t == TRY_FATAL)
			return t;
	}
	if ((size_t)snprintf(buf, sizeof buf, "%s%s", dir, name) >= max)
		return TRY_NEXT;
	if ((t = try_one(r, buf, fd)) != TRY_NEXT)
		return t;
	if (!keep_searching(r, fd->err) && (r->m.musl || dir_exists(r, dir)))
		return TRY_STOP;
	return TRY_NEXT;
}

/* open_path, path_open: each directory in turn. */
int lm_try_dirs(struct run *r, const struct dirlist *d, const char *name, int nodeflib, struct found *fd)
{
	unsigned i;
	int t;

	for (i = 0; i < d->n; i++) {
		if (nodeflib && search_in_sysdirs(&r->m, d->dir[i]))
			continue;
		if ((t = dirs_one(r, d->dir[i], name, fd)) != TRY_NEXT)
			return t;
	}
	return TRY_NEXT;
}

const struct dirlist *lm_rpath(struct run *r, struct obj *o, int runpath)
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

void lm_free(struct run *r)
{
	unsigned i;

	for (i = 0; i < r->objs.n; i++) {
		dirlist_free(&r->objs.v[i]->rpath);
		dirlist_free(&r->objs.v[i]->runpath);
	}
	free(r->objs.v);
	free(r->linkmap.v);
	arena_free(&r->a);
}
