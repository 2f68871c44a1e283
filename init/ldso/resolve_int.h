/* resolve_int.h - what the pieces of the resolver share; callers use
 * resolve.h.
 *
 *   resolver.c      what is read once per root: the files and paths met,
 *                   the ld.so.cache (or ld.so.conf), /etc/ld.so.preload
 *   linkmap.c       one program's link map: its objects, the candidates
 *                   tried for a name, the breadth-first walk over
 *                   DT_NEEDED, what `ld.so --list` prints
 *   linkmap_glibc.c glibc's rules for a name (_dl_map_object)
 *   linkmap_musl.c  musl's (load_library)
 *   closure.c       a link map as the paths a copy of the root needs, and
 *                   what glibc dlopen()s: libgcc_s, a library by name
 */
#ifndef R2R_RESOLVE_INT_H
#define R2R_RESOLVE_INT_H

#include <sys/types.h>

#include "ldso/elf.h"
#include "ldso/ldcache.h"
#include "ldso/resolve.h"
#include "ldso/search.h"
#include "lib/arena.h"
#include "lib/strmap.h"

/* Every file of the resolver defines _FILE_OFFSET_BITS 64 before any
 * header: struct file must have one layout for all of them. */
_Static_assert(sizeof(ino_t) == 8 && sizeof(off_t) == 8, "_FILE_OFFSET_BITS 64 first");

/* ---- resolver.c ---- */

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
	struct strmap paths, files, reported, musl;
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

/* `canon` as the user can open it ("/srv/pi/usr/lib/libx.so"), in buf. */
const char *res_shown(const struct resolver *res, const char *canon, char *buf, size_t len);
/* A path as a program names it, resolved once; NULL when out of memory. */
struct pathres *res_path(struct resolver *res, const char *path);
/* The root's ld.so.cache, read on first use; without one (NULL),
 * res->conf holds what ld.so.conf names. */
const struct ldcache *res_cache(struct resolver *res);
/* res->preload: /etc/ld.so.preload's names, read on first use. */
void res_preload(struct resolver *res);

/* ---- linkmap.c: one program ---- */

struct name {
	const char *s;
	struct name *next;
};

/* Which lists (struct objq) hold an object. */
enum { IN_LINKMAP = 1, IN_DLOPEN = 2 };

struct obj {
	const char *libname;  /* the first name: what ld.so --list prints */
	const char *realname; /* the path the loader opened (l_name) */
	const char *origin;   /* $ORIGIN: realname's directory */
	struct file *file;    /* NULL for a placeholder */
	struct pathres *pr;
	struct obj *loader;   /* who first needed it (l_loader) */
	struct name *names;   /* further names it was asked for by */
	struct dirlist rpath, runpath;
	unsigned char faked, in, preload, rpath_done, runpath_done;
	const char *why; /* placeholder: the loader's error, if it stopped on a bad file */
};

/* A list of objects; with a non-zero bit, each object in it once. */
struct objq {
	struct obj **v;
	unsigned n, cap;
	unsigned char bit; /* IN_* */
};

struct run {
	struct resolver *res;
	struct loader_model m;
	struct arena a;
	struct objq objs;    /* every object, in the order they were made */
	struct objq linkmap; /* breadth-first load order, the program first */
	struct obj *main, *rtld;
	/* what `ld.so --list` prints: name, path (NULL: not found) pairs */
	const char **lines;
	unsigned nlines;
	unsigned musl_libc; /* the names of musl's libc reported, a bit each */
	int oom;
};

/* How a loader maps a name for the object that needs it. */
typedef struct obj *(*load_fn)(struct run *r, struct obj *needed_by, const char *name);

/* Outcome of trying one candidate path, or a list of them: TRY_NEXT not
 * there, try on; TRY_FOUND; TRY_FATAL a file the loader stops on (fd->why
 * says why for glibc); TRY_STOP an error that ends the list (glibc: that
 * list only; musl: the whole search for the name). */
enum { TRY_NEXT, TRY_FOUND, TRY_FATAL, TRY_STOP };

struct found {
	const char *path; /* lives as long as the run */
	struct pathres *pr;
	const char *why;
	int err; /* TRY_NEXT: why the candidate could not be opened (-errno), or 0 */
};

struct obj *lm_obj_new(struct run *r);
/* The object `loader` gets for `name`: the file fd found, or with fd NULL
 * a placeholder. */
struct obj *lm_obj_map(struct run *r, struct obj *loader, const char *name, const struct found *fd);
/* Append o to q unless q holds it already. */
void lm_enqueue(struct run *r, struct objq *q, struct obj *o);
void lm_set_origin(struct run *r, struct obj *o);
int lm_name_match(const struct obj *o, const char *name);
void lm_add_name(struct run *r, struct obj *o, const char *name);
/* The object of the link map that is file f (same device and inode). */
struct obj *lm_same_file(struct run *r, const struct file *f);
void lm_line(struct run *r, const char *name, const char *path);
/* Every DT_NEEDED of q->v[from] and the objects after it, breadth-first. */
void lm_load_deps(struct run *r, struct objq *q, unsigned from, load_fn load);

/* One candidate path; a directory list (open_path, path_open), each
 * directory ending in '/'. */
int lm_try_path(struct run *r, const char *path, struct found *fd);
int lm_try_dirs(struct run *r, const struct dirlist *d, const char *name, int nodeflib, struct found *fd);
/* o's DT_RPATH (runpath 0) or DT_RUNPATH split, or NULL if it has none. */
const struct dirlist *lm_rpath(struct run *r, struct obj *o, int runpath);

enum { RUN_OK, RUN_STATIC, RUN_NOT_DYNAMIC };

void lm_free(struct run *r);

/* ---- run.c ---- */

/* Build the link map of `path`.  RUN_*, or -errno (logged) when the file
 * itself cannot be had. */
int lm_run(struct run *r, const char *path);

/* ---- linkmap_glibc.c, linkmap_musl.c ---- */

/* _dl_map_object: the object `loader` gets for `name`; NULL when out of
 * memory. */
struct obj *glibc_map_object(struct run *r, struct obj *loader, const char *name);
/* The rest of the link map once the program and the loader are made. */
int glibc_link(struct run *r);
int musl_link(struct run *r);

#endif
