/* linkmap_musl.c - the link map as musl's loader builds it (ldso/dynlink.c
 * load_library, load_deps): the names of the C library are the loader
 * itself; any other name without '/' is an object already loaded by that
 * name, or searched in the RPATH and RUNPATH of the requester and its
 * requesters alike, then the system path.  Each line is printed as the
 * object is loaded, as musl's ldd does.
 */
/* 64-bit off_t, ino_t and d_off with 32-bit glibc too (the armel unit
 * tests); musl has them always. */
#define _FILE_OFFSET_BITS 64
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ldso/resolve_int.h"

/* musl's load_library search for a name without '/'.  An error that
 * ends a list (TRY_STOP: path_open's -2) ends the search: load_library
 * runs the RPATH loop "fd == -1 && p" and the system path "if (fd == -1)"
 * only while nothing failed that way. */
static int search(struct run *r, struct obj *needed_by, const char *name, struct found *fd)
{
	struct dirlist *sys;
	struct obj *p;
	int t;

	for (p = needed_by; p; p = p->loader) {
		const struct dirlist *d = p->file ? lm_rpath(r, p, p->file->elf.runpath != NULL) : NULL;
		if (d) {
			t = lm_try_dirs(r, d, name, 0, fd);
			if (t != TRY_NEXT)
				return t;
		}
	}
	/* the system path, read once per loader */
	sys = strmap_get(&r->res->musl, r->rtld->libname);
	if (!sys) {
		const char *key = arena_strdup(&r->res->a, r->rtld->libname);
		sys = calloc(1, sizeof *sys);
		if (!sys || !key || strmap_put(&r->res->musl, key, sys)) {
			free(sys);
			r->oom = 1;
			return TRY_NEXT;
		}
		search_musl_path(sys, r->res->root, r->rtld->libname, r->m.musl_arch);
	}
	return lm_try_dirs(r, sys, name, 0, fd);
}

/* The C library's names (musl's reserved list): what the loader is. */
static struct obj *libc_name(struct run *r, const char *name)
{
	static const char reserved[] = "c.pthread.rt.m.dl.util.xnet.";
	const char *rp, *next;
	unsigned bit;

	if (strncmp(name, "lib", 3) != 0)
		return NULL;
	for (rp = reserved; *rp; rp = next) {
		next = strchr(rp, '.') + 1;
		if (strncmp(name + 3, rp, (size_t)(next - rp)) == 0)
			break;
	}
	if (!*rp)
		return NULL;
	/* each name reported once */
	bit = 1u << (rp - reserved);
	if (!(r->musl_libc & bit)) {
		r->musl_libc |= bit;
		lm_line(r, name, r->rtld->libname);
	}
	return r->rtld;
}

/* musl's load_library. */
static struct obj *load(struct run *r, struct obj *needed_by, const char *name)
{
	struct found fd = { NULL, NULL, NULL, 0 };
	struct obj *o;
	unsigned i;
	int t;

	if ((o = libc_name(r, name)))
		return o;
	if (strcmp(name, r->rtld->libname) == 0)
		return r->rtld;
	if (strchr(name, '/')) {
		t = lm_try_path(r, name, &fd);
		if (t == TRY_FOUND)
			fd.path = name;
	} else {
		for (i = 0; i < r->objs.n; i++) {
			o = r->objs.v[i];
			if (!o->faked && o != r->main && o->libname && !strchr(o->libname, '/') &&
			    strcmp(o->libname, name) == 0)
				return o;
		}
		/* "if (strlen(name) > NAME_MAX) return 0;" */
		t = strlen(name) > 255 ? TRY_NEXT : search(r, needed_by, name, &fd);
	}
	if (t == TRY_FOUND && (o = lm_same_file(r, fd.pr->file)))
		return o;
	o = lm_obj_map(r, needed_by, name, t == TRY_FOUND ? &fd : NULL);
	if (o)
		lm_line(r, name, o->realname);
	return o;
}

int musl_link(struct run *r)
{
	lm_line(r, r->rtld->libname, r->rtld->libname);
	lm_load_deps(r, &r->linkmap, 0, load);
	return r->oom ? -ENOMEM : RUN_OK;
}
