/* resolve.h - which files a program needs, as glibc's (or musl's) loader
 * would load them, found without running anything.
 *
 * A resolver holds what it read once per root: ld.so.cache or ld.so.conf,
 * ld.so.preload, and every ELF file it opened, so resolving many programs
 * costs little more than resolving one.
 */
#ifndef R2R_RESOLVE_H
#define R2R_RESOLVE_H

#include "lib/rootfs.h"

struct resolver;

enum closure_kind {
	CLOSURE_FILE,    /* a regular file: the program, its interpreter, a library */
	CLOSURE_SYMLINK, /* a symlink on the way to one of them */
};

struct closure_item {
	enum closure_kind kind;
	const char *path;   /* canonical path inside the root (symlinks: the link itself) */
	const char *target; /* CLOSURE_SYMLINK: the link's text as readlink gives it */
	const char *why;    /* "needed by /usr/sbin/dropbear", "interpreter of ...",
			       "preloaded (/etc/ld.so.preload)", or NULL for the file asked for */
};

/* Return non-zero to stop; that value is returned by the resolver call. */
typedef int (*closure_fn)(void *ctx, const struct closure_item *it);

/* 0 or -errno.  The resolver keeps a pointer to r. */
int resolver_new(struct resolver **out, const struct rootfs *r);
void resolver_free(struct resolver *res);

/* Everything `path` needs to run: the file, its interpreter, each library,
 * the preloaded libraries, and every symlink on the way to each, each
 * reported once per resolver (a path already reported by an earlier call is
 * not reported again).  Returns 0; -ENOENT etc. if `path` itself is missing;
 * a library that cannot be found is logged with who needs it and gives
 * -ENOENT after the rest of the closure was reported.  A file that is not
 * ELF, or a static one, is reported alone (with its symlinks). */
int resolver_closure(struct resolver *res, const char *path, closure_fn fn, void *ctx);

/* A library by name, searched as the loader would for a dlopen() from
 * `ref` (an ELF file inside the root whose class/machine/ABI decides; NULL:
 * the first dynamic program resolved, else the root's /sbin/init, else
 * /bin/sh), then its own closure.  The library itself is reported with a
 * NULL `why`, like the file given to resolver_closure.  Same returns. */
int resolver_library(struct resolver *res, const char *name, const char *ref,
		     closure_fn fn, void *ctx);

/* What `ld.so --list PROGRAM` prints, one call per line, addresses
 * left out: `path` NULL means "NAME => not found"; `path == name` (the
 * same pointer) a line holding only the name (the interpreter).
 * Return non-zero to stop; that value is returned. */
typedef int (*resolve_line_fn)(void *ctx, const char *name, const char *path);

enum {
	RESOLVE_MISSING = 1,     /* listed, but some library was not found */
	RESOLVE_STATIC = 2,      /* statically linked: nothing to list */
	RESOLVE_NOT_DYNAMIC = 3, /* not ELF, or an ELF file no loader runs */
};

/* 0 when every library was found, RESOLVE_*, or -errno (logged) when
 * `path` itself cannot be read. */
int resolver_list(struct resolver *res, const char *path, resolve_line_fn fn, void *ctx);

#endif
