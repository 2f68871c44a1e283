/* linkmap_glibc.c - the link map as glibc's loader builds it
 * (elf/rtld.c dl_main, elf/dl-deps.c _dl_map_object_deps, elf/dl-load.c
 * _dl_map_object):
 *
 *   - /etc/ld.so.preload's libraries are mapped right after the program
 *     and the loader, with the program as the requester;
 *   - a name is an object already loaded under that name or SONAME, or
 *     searched: the RPATHs of the requester and its loaders, its RUNPATH,
 *     the ld.so.cache, the default directories;
 *   - a name not found is a placeholder listed as "not found" and, as in
 *     glibc, not reused by name.
 */
/* 64-bit off_t, ino_t and d_off with 32-bit glibc too (the armel unit
 * tests); musl has them always. */
#define _FILE_OFFSET_BITS 64
#include <errno.h>
#include <string.h>

#include "ldso/resolve_int.h"
#include "lib/log.h"

/* Whether a step of the search ends it: the file found, or an error. */
static int done(int t)
{
	return t == TRY_FOUND || t == TRY_FATAL;
}

/* _dl_map_object's search for a name without '/'. */
static int search(struct run *r, struct obj *loader, const char *name, struct found *fd)
{
	struct dirlist sys = { r->m.nsysdirs, (char **)r->m.sysdirs };
	const struct dirlist *d;
	struct obj *l;
	int t, nodeflib;

	if (!loader->file->elf.runpath) {
		int did_main = 0;
		for (l = loader; l; l = l->loader)
			if (l->file && (d = lm_rpath(r, l, 0))) {
				t = lm_try_dirs(r, d, name, 0, fd);
				if (done(t))
					return t;
				did_main |= l == r->main;
			}
		if (!did_main && (d = lm_rpath(r, r->main, 0)) && done(t = lm_try_dirs(r, d, name, 0, fd)))
			return t;
	}
	/* (LD_LIBRARY_PATH would come here: a clean environment has none.) */
	if ((d = lm_rpath(r, loader, 1)) && done(t = lm_try_dirs(r, d, name, 0, fd)))
		return t;
	nodeflib = !!(loader->file->elf.flags_1 & ELF_DF_1_NODEFLIB);
	if (res_cache(r->res)) {
		const char *p = ldcache_lookup(r->res->cache, name, &r->m.cache);
		if (p && !(nodeflib && search_in_sysdirs(&r->m, p)) && done(t = lm_try_path(r, p, fd))) {
			fd->path = arena_strdup(&r->a, p);
			return t;
		}
	} else if (done(t = lm_try_dirs(r, &r->res->conf, name, nodeflib, fd))) {
		/* No cache (a root unpacked from packages): what ldconfig
		 * would have put in it, from ld.so.conf. */
		return t;
	}
	if (!nodeflib && done(t = lm_try_dirs(r, &sys, name, 0, fd)))
		return t;
	return TRY_NEXT;
}

struct obj *glibc_map_object(struct run *r, struct obj *loader, const char *name)
{
	struct found fd = { NULL, NULL, NULL, 0 };
	struct obj *o;
	unsigned i;
	int t;

	for (i = 0; i < r->objs.n; i++)
		if (!r->objs.v[i]->faked && lm_name_match(r->objs.v[i], name))
			return r->objs.v[i];
	if (strchr(name, '/')) {
		char exp[4096];
		if (search_expand(&r->m, loader ? loader->origin : NULL, name, exp, sizeof exp) != 0)
			exp[0] = '\0';
		t = exp[0] ? lm_try_path(r, exp, &fd) : TRY_NEXT;
		if (done(t))
			fd.path = arena_strdup(&r->a, exp);
	} else {
		t = search(r, loader, name, &fd);
	}
	if (t == TRY_FOUND && (o = lm_same_file(r, fd.pr->file))) {
		lm_add_name(r, o, name);
		return o;
	}
	o = lm_obj_map(r, loader, name, t == TRY_FOUND ? &fd : NULL);
	if (o && t == TRY_FATAL) {
		char buf[4200];
		o->why = fd.why;
		error("%s: %s (loading %s)", res_shown(r->res, fd.pr->file->canon, buf, sizeof buf), fd.why, name);
	}
	return o;
}

/* /etc/ld.so.preload's libraries, mapped for the program before its
 * DT_NEEDED; one not found is warned about and left out, as glibc does. */
static int preload(struct run *r)
{
	struct resolver *res = r->res;
	unsigned i;

	res_preload(res);
	for (i = 0; i < res->npreload; i++) {
		char exp[4096];
		const char *name = res->preload[i];
		struct obj *o;
		/* a name with '/' has its tokens expanded by _dl_map_object */
		if (strchr(name, '/') && search_expand(&r->m, r->main->origin, name, exp, sizeof exp) == 0 &&
		    strcmp(exp, name) != 0)
			name = arena_strdup(&r->a, exp);
		o = glibc_map_object(r, r->main, name);
		if (!o)
			return -ENOMEM;
		if (o->faked) {
			warn("%s: /etc/ld.so.preload names %s: not found, not preloaded", res->root->dir,
			     res->preload[i]);
			o->libname = ""; /* never matched again */
			continue;
		}
		o->preload = 1;
		/* listed as glibc lists it: "NAME => EXPANDED" */
		if (name != res->preload[i])
			o->libname = res->preload[i];
		lm_enqueue(r, &r->linkmap, o);
	}
	return 0;
}

/* Where the loader's line goes: glibc's dl_main takes the loader, mapped
 * first, out of the namespace's chain, and puts it back only when "some
 * DT_NEEDED entry referred to the interpreter object itself", after the
 * object before it in the program's search list (l_searchlist.r_list[i -
 * 1], elf/rtld.c), a list that leaves placeholders out (elf/dl-deps.c).
 * The object the loader's line follows (r->main: the first line), or NULL
 * when nothing needs the loader. */
static struct obj *loader_place(const struct run *r)
{
	const struct objq *q = &r->linkmap;
	struct obj *after = r->main;
	unsigned i;

	if (!(r->rtld->in & IN_LINKMAP))
		return NULL;
	for (i = 1; i < q->n && q->v[i] != r->rtld; i++)
		if (!q->v[i]->faked)
			after = q->v[i];
	return after;
}

int glibc_link(struct run *r)
{
	const struct objq *q = &r->linkmap;
	struct obj *after;
	unsigned i;

	/* what ld.so --list says of a DSO needing nothing, preload or not */
	if (r->main->file->elf.n_needed == 0 && q->n == 1)
		return RUN_STATIC;
	if (preload(r))
		return -ENOMEM;
	lm_load_deps(r, &r->linkmap, 0, glibc_map_object);
	/* The list is the namespace's chain: objects in the order they were
	 * mapped, placeholders included, the loader where it was put back. */
	after = loader_place(r);
	if (after == r->main)
		lm_line(r, r->rtld->libname, r->rtld->realname);
	for (i = 1; i < q->n; i++) {
		struct obj *o = q->v[i];
		if (o == r->rtld)
			continue;
		lm_line(r, o->libname, o->faked ? NULL : o->realname);
		if (o == after)
			lm_line(r, r->rtld->libname, r->rtld->realname);
	}
	return r->oom ? -ENOMEM : RUN_OK;
}
