/* closure.c - a link map as the paths a copy of the root needs
 * (resolver_closure), and what glibc dlopen()s that no DT_NEEDED names:
 * libgcc_s.so.1 for unwinding, a library by name (resolver_library: the
 * NSS modules nsswitch.conf names, a manifest's `lib` lines).
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

	if (rp->stop || strmap_get(&rp->res->reported, path))
		return rp->stop;
	key = arena_strdup(&rp->res->a, path);
	if (!key || strmap_put(&rp->res->reported, key, (void *)1))
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
	unsigned i, n = r->linkmap.n;
	char why[4200];

	if (r->m.musl)
		return;
	for (i = 0; i < n; i++) {
		o = r->linkmap.v[i];
		if (o->faked || !o->file)
			continue;
		if (!imp && o->file->elf.unwind_import)
			imp = o;
		if (o->file->elf.soname && !strcmp(o->file->elf.soname, "libc.so.6"))
			libc = o;
	}
	if (!imp || !(o = glibc_map_object(r, libc, "libgcc_s.so.1")) || (o->in & IN_LINKMAP))
		return;
	if (o->faked) {
		warn("%s: %s uses %s, for which glibc loads libgcc_s.so.1: not found, not copied",
		     r->res->root->dir, imp->realname, imp->file->elf.unwind_import);
		return;
	}
	lm_enqueue(r, &r->linkmap, o);
	lm_load_deps(r, &r->linkmap, n, glibc_map_object);
	snprintf(why, sizeof why, "loaded by libc for %s in %s", imp->file->elf.unwind_import,
		 imp->realname);
	report_path(rp, o->pr, why);
	for (i = n + 1; i < r->linkmap.n; i++)
		if (!r->linkmap.v[i]->faked && r->linkmap.v[i] != r->rtld)
			report_obj(rp, r, r->linkmap.v[i]);
}

/* The program's interpreter, or an error when it cannot be had. */
static int report_interp(struct report *rp, struct run *r, const char *path)
{
	const char *interp = r->main->file->elf.interp;
	char why[4200], buf[4200];
	struct pathres *ipr;

	snprintf(why, sizeof why, "interpreter of %s", r->main->realname);
	if (r->rtld->pr) {
		report_path(rp, r->rtld->pr, why);
		return 0;
	}
	ipr = res_path(r->res, interp);
	if (ipr && !ipr->err && ipr->file->err)
		error("%s: interpreter %s of %s: not loadable", r->res->root->dir, interp, path);
	else
		error("%s: interpreter of %s not found", res_shown(r->res, interp, buf, sizeof buf), path);
	return -ENOENT;
}

static int closure_of_run(struct run *r, struct report *rp, const char *path, int e)
{
	char buf[4200];
	unsigned i;
	int missing = 0;

	if (e < 0)
		return e;
	if (!r->main) { /* not ELF, a directory, or an ELF object that is not a program */
		struct pathres *pr;
		if ((size_t)snprintf(buf, sizeof buf, "%s%s", path[0] == '/' ? "" : "/", path) >= sizeof buf)
			return -ENAMETOOLONG;
		if ((pr = res_path(r->res, buf)))
			report_path(rp, pr, NULL);
		return rp->stop;
	}
	report_path(rp, r->main->pr, NULL);
	if (e != RUN_NOT_DYNAMIC && r->main->file->elf.interp && report_interp(rp, r, path))
		missing = 1;
	for (i = 1; i < r->linkmap.n && !rp->stop; i++) {
		struct obj *o = r->linkmap.v[i];
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
	e = lm_run(&r, path);
	if (e == RUN_OK && !res->first_program)
		res->first_program = arena_strdup(&res->a, r.main->realname);
	e = closure_of_run(&r, &rp, path, e);
	lm_free(&r);
	return e;
}

/* The dlopen()ed library and what it needs, reported. */
static int report_dlopen(struct report *rp, struct run *r, const struct objq *q, const char *ref)
{
	unsigned i;
	int e = 0;

	for (i = 0; i < q->n && !rp->stop; i++) {
		struct obj *o = q->v[i];
		if (o->faked) {
			if (!o->why)
				error("%s: not found (needed by %s)", o->libname, o->loader ? o->loader->realname : ref);
			e = -ENOENT;
		} else if (o == r->rtld) {
			if (o->pr)
				report_path(rp, o->pr, "the loader");
		} else if (i == 0) {
			report_path(rp, o->pr, NULL); /* the caller knows why it asked */
		} else {
			report_obj(rp, r, o);
		}
	}
	return rp->stop ? rp->stop : e;
}

int resolver_library(struct resolver *res, const char *name, const char *ref, closure_fn fn, void *ctx)
{
	struct report rp = { res, fn, ctx, 0 };
	struct objq q = { NULL, 0, 0, IN_DLOPEN };
	struct run r;
	struct obj *o;
	int e;

	if (!ref && !(ref = res->first_program)) {
		struct pathres *pr = res_path(res, "/sbin/init");
		ref = pr && !pr->err && !pr->file->err && pr->file->elf.dynamic ? "/sbin/init" : "/bin/sh";
	}
	memset(&r, 0, sizeof r);
	r.res = res;
	e = lm_run(&r, ref);
	if (e != RUN_OK) {
		lm_free(&r);
		if (e >= 0)
			error("%s: not a dynamic program: cannot tell how %s would be found", ref, name);
		return e >= 0 ? -EINVAL : e;
	}
	/* dlopen() from the program: searched with the program as the
	 * requester, after everything it needs is loaded; then what the
	 * library needs, breadth-first, objects the program loaded too. */
	o = glibc_map_object(&r, r.main, name);
	if (!o || o->faked) {
		if (o && !o->why)
			error("%s: not found (as %s would dlopen it)", name, ref);
		lm_free(&r);
		return o ? -ENOENT : -ENOMEM;
	}
	lm_enqueue(&r, &q, o);
	lm_load_deps(&r, &q, 0, glibc_map_object);
	e = report_dlopen(&rp, &r, &q, ref);
	if (r.oom)
		e = -ENOMEM;
	free(q.v);
	lm_free(&r);
	return e;
}
