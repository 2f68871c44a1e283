/* search.h - where a dynamic loader looks for a library, as data.
 *
 * The rules are glibc 2.36's (elf/dl-load.c: _dl_map_object, open_path,
 * fillin_rpath, open_verify) with Debian's multiarch defaults, or musl's
 * (ldso/dynlink.c) for a program whose interpreter is ld-musl-*.  A
 * loader_model says which loader a program gets, from its ELF header
 * and interpreter: the class, byte order, machine and ARM float ABI it
 * accepts, its default directories, its ld.so.cache flags, and the
 * values of $LIB and $PLATFORM.  The resolver (linkmap.c) walks the
 * directories in the order given here.
 */
#ifndef R2R_SEARCH_H
#define R2R_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "ldso/elf.h"
#include "ldso/ldcache.h"
#include "lib/rootfs.h"

struct loader_model {
	unsigned char cls, data;
	uint16_t machine;
	enum elf_float arm_float; /* ARM: the float ABI the loader was built for */
	int musl;                 /* ld-musl-*: musl's rules */
	const char *triplet;      /* Debian multiarch name, "" if unknown */
	const char *rtld;         /* the loader's own name, for files without PT_INTERP */
	char lib[64];             /* $LIB: Debian's DL_DST_LIB, "lib/<triplet>" */
	char platform[32];        /* $PLATFORM: AT_PLATFORM of the machine */
	char musl_arch[32];       /* musl's LDSO_ARCH: "armhf", "aarch64" */
	struct ldcache_query cache; /* ld.so.cache entries this loader takes */
	const char *sysdirs[4];   /* glibc's default directories, with a trailing '/' */
	unsigned nsysdirs;
};

/* The loader for a program: `exe` is the program's ELF, `interp` its
 * interpreter's when it could be read (NULL otherwise): the interpreter is
 * the loader, so its float ABI wins over the program's. */
void search_model(struct loader_model *m, const struct elf_info *exe, const struct elf_info *interp);

/* $PLATFORM of 32-bit ARM programs from now on, whatever the machine:
 * the target's AT_PLATFORM ("v8l" on a Pi 4/5 running 32-bit Raspberry
 * Pi OS) for a plan made elsewhere.  NULL: the default again. */
void search_set_arm_platform(const char *p);

/* Whether glibc's loader takes a candidate file (open_verify): */
enum verdict {
	CAND_OK,
	CAND_SKIP,  /* another class or machine: the search goes on */
	CAND_FATAL, /* the loader stops with an error (*why says which) */
};
enum verdict search_check(const struct loader_model *m, const struct elf_info *e, const char **why);

/* Expand $ORIGIN, $LIB, $PLATFORM (and ${...}) in `in`, as glibc's
 * _dl_dst_substitute does.  `origin` is the directory of the object whose
 * string it is.  Returns 0, -1 when a token has no value (glibc then
 * drops the path), -ENAMETOOLONG. */
int search_expand(const struct loader_model *m, const char *origin, const char *in, char *out, size_t outlen);

/* A list of directory prefixes: a candidate is prefix + name. */
struct dirlist {
	unsigned n;
	char **dir;
};
void dirlist_free(struct dirlist *d);
int dirlist_add(struct dirlist *d, const char *dir, size_t len); /* 0 or -ENOMEM; duplicates kept out */

/* Split a DT_RPATH/DT_RUNPATH value the way glibc's fillin_rpath does:
 * ':'-separated, tokens expanded, trailing slashes dropped and one added,
 * empty elements (the current directory) and dropped tokens skipped. */
int search_split_rpath(struct dirlist *out, const struct loader_model *m, const char *origin, const char *list);

/* musl: $ORIGIN only (any other '$' makes musl ignore the whole list),
 * separators ':' and newline, candidate "dir/name". */
int search_split_musl(struct dirlist *out, const char *origin, const char *list);

/* The directories of /etc/ld.so.conf inside the root, `include` globs
 * followed (wildcards in the last component only), in the order ldconfig
 * reads them.  What the cache would hold when there is none. */
int search_ldconf(struct dirlist *out, const struct rootfs *r);

/* musl's system path: PREFIX/etc/ld-musl-ARCH.path lines, else
 * /lib:/usr/local/lib:/usr/lib (PREFIX is the interpreter's grandparent,
 * "" for /lib/ld-musl-armhf.so.1). */
int search_musl_path(struct dirlist *out, const struct rootfs *r, const char *interp, const char *arch);

/* Whether `path` lies in one of glibc's default directories (what
 * DF_1_NODEFLIB rules out). */
int search_in_sysdirs(const struct loader_model *m, const char *path);

#endif
