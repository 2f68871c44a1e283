/* manifest.h - the appliance manifests: what goes into the RAM root.
 *
 * A manifest is a text file, one directive a line (manifests/README.md has
 * the full syntax with examples):
 *
 *   /usr/sbin/dropbear          a file; if ELF, with everything it needs to run
 *   /etc/dropbear/              a directory with its whole tree
 *   /usr/share/zoneinfo/[A-Z]*  a glob, fnmatch(3) per path component
 *   lib libnss_files.so.2       a library by name, found as the loader would
 *   ? /etc/ld.so.preload        optional: no error if absent ("optional" too)
 *   dir /tmp 1777               a directory to create, with its mode
 *   symlink /bin/sh busybox     a symlink to create
 *   links /bin/busybox /bin sh ls cat    symlinks DIR/NAME -> TARGET
 *   include base                another manifest, by name
 *   module i2c-dev w1-gpio      kernel modules, with their dependencies and firmware
 *
 * Parsing never stops at the first mistake: every problem is logged as
 * "FILE:LINE: what is wrong; what to do" and counted, so a user fixes a
 * manifest in one round (musl's dynamic linker reports every missing
 * library the same way before giving up).
 */
#ifndef R2R_MANIFEST_H
#define R2R_MANIFEST_H

#include <stddef.h>
#include <sys/types.h>

#include "lib/arena.h"
#include "lib/rootfs.h"

enum mf_kind {
	MF_PATH,    /* a file (with its closure if ELF), or a bare directory */
	MF_TREE,    /* a directory and everything under it ("/etc/dropbear/") */
	MF_LIB,     /* a library by name */
	MF_DIR,     /* a directory to create with `mode` */
	MF_SYMLINK, /* a symlink `path` -> `target` to create */
	MF_MODULE,  /* a kernel module by name, planned by modules.c */
};

enum {
	MF_OPTIONAL = 1, /* no error if it does not exist */
	MF_GLOB = 2,     /* path has *, ? or [ in it */
	MF_WEAK = 4,     /* from `links`: a real file at the same path wins */
};

struct mf_entry {
	enum mf_kind kind;
	unsigned flags;
	const char *path;   /* absolute path, or the library name for MF_LIB */
	const char *target; /* MF_SYMLINK: the link's text */
	mode_t mode;        /* MF_DIR */
	const char *file;   /* the manifest's name, "base.manifest", for "why" */
	const char *where;  /* the manifest as opened, for error messages */
	int line;
};

#define MANIFEST_MAX_DEPTH 16
#define MANIFEST_MAX_SIZE (1 << 20)

struct manifest {
	struct mf_entry *e;
	size_t n, cap;
	int errors;          /* problems logged so far */
	struct arena arena;
	/* where names are looked up: DIR/NAME.manifest, inside `root` when it
	 * is set (the Pi: /etc/root2ram/manifests of the NFS root), else on
	 * the host (the source tree: manifests/) */
	const struct rootfs *root;
	const char *dir;
	/* manifests loaded so far (each once), and the include chain */
	const char *loaded[64];
	int n_loaded;
	const char *stack[MANIFEST_MAX_DEPTH];
	int depth;
};

void manifest_init(struct manifest *m, const struct rootfs *root, const char *dir);
void manifest_free(struct manifest *m);

/* Load a manifest and what it includes.  `name` is a path if it contains a
 * '/' or ends in ".manifest" (relative to the current directory, on the
 * host), else a name looked up as DIR/NAME.manifest.  Problems are logged
 * and counted in m->errors; returns 0, or -EINVAL if any were found in this
 * call, -ENOENT if the manifest itself was not found. */
int manifest_load(struct manifest *m, const char *name);

/* Parse one manifest's text (modified in place; NUL-terminated, `len`
 * bytes).  `where` names it in messages ("manifests/base.manifest"),
 * `file` in "why" notes ("base.manifest").  includes are loaded through
 * manifest_load.  Returns the number of problems found. */
int manifest_parse(struct manifest *m, char *text, size_t len, const char *where,
		   const char *file);

/* Log a problem at an entry's line: "WHERE:LINE: ...". Counts it. */
void manifest_error(struct manifest *m, const char *where, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* fnmatch(3) per path component: does the string have a glob character? */
int manifest_has_glob(const char *s);

#endif
