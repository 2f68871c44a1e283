/* run.c - one run of the link map for a program: its file checked, the
 * program and the loader as the first two objects, then the rest by its
 * loader's rules (linkmap_glibc.c or linkmap_musl.c, on what linkmap.c
 * shares), and `root2ram ldd`'s list made of it (resolver_list). */
/* 64-bit off_t, ino_t and d_off with 32-bit glibc too (the armel unit
 * tests); musl has them always. */
#define _FILE_OFFSET_BITS 64
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldso/resolve_int.h"
#include "lib/log.h"

/* The program, its file checked: RUN_NOT_DYNAMIC, or -errno (logged),
 * else 0 with *out set. */
static int program(struct run *r, const char *abspath, struct pathres **out)
{
	struct resolver *res = r->res;
	struct pathres *pr = res_path(res, abspath);
	char buf[4200];
	int e;

	if (!pr)
		return -ENOMEM;
	if (pr->err) {
		error("%s: %s", res_shown(res, abspath, buf, sizeof buf), strerror(-pr->err));
		return pr->err;
	}
	e = pr->file->err;
	if (e == -ENOEXEC || e == -EISDIR)
		return RUN_NOT_DYNAMIC;
	if (e) {
		if (e != -EINVAL) /* malformed: elf_read said why */
			error("%s: %s", res_shown(res, abspath, buf, sizeof buf), strerror(-e));
		return e;
	}
	if (pr->file->elf.type != ELF_ET_EXEC && pr->file->elf.type != ELF_ET_DYN)
		return RUN_NOT_DYNAMIC;
	*out = pr;
	return 0;
}

int lm_run(struct run *r, const char *path)
{
	struct pathres *pr = NULL, *ipr = NULL;
	const struct elf_info *e;
	char abspath[4096];
	int err;

	r->linkmap.bit = IN_LINKMAP;
	if ((size_t)snprintf(abspath, sizeof abspath, "%s%s", path[0] == '/' ? "" : "/", path) >= sizeof abspath)
		return -ENAMETOOLONG;
	if ((err = program(r, abspath, &pr)))
		return err;
	e = &pr->file->elf;
	if (e->interp) {
		ipr = res_path(r->res, e->interp);
		if (ipr && (ipr->err || ipr->file->err))
			ipr = NULL;
	}
	search_model(&r->m, e, ipr ? &ipr->file->elf : NULL);

	r->main = lm_obj_new(r);
	r->rtld = lm_obj_new(r);
	if (!r->main || !r->rtld)
		return -ENOMEM;
	r->main->libname = r->main->realname = arena_strdup(&r->a, abspath);
	r->main->file = pr->file;
	r->main->pr = pr;
	lm_set_origin(r, r->main);
	/* The loader is loaded before anything: its path is PT_INTERP (or its
	 * built-in name for a library), its SONAME the name libraries need
	 * it by. */
	r->rtld->libname = r->rtld->realname = e->interp ? e->interp : r->m.rtld;
	if (ipr) {
		r->rtld->file = ipr->file;
		r->rtld->pr = ipr;
	} else {
		const char *b = strrchr(r->rtld->libname, '/');
		lm_add_name(r, r->rtld, b ? b + 1 : r->rtld->libname);
	}
	if (!e->dynamic)
		return RUN_STATIC;
	lm_enqueue(r, &r->linkmap, r->main);
	return r->m.musl ? musl_link(r) : glibc_link(r);
}

int resolver_list(struct resolver *res, const char *path, resolve_line_fn fn, void *ctx)
{
	struct run r;
	unsigned i;
	int e, missing = 0;

	memset(&r, 0, sizeof r);
	r.res = res;
	e = lm_run(&r, path);
	if (e == RUN_OK) {
		for (i = 0; i < r.nlines; i++) {
			const char *name = r.lines[2 * i], *p = r.lines[2 * i + 1];
			int stop;
			missing |= !p;
			stop = fn(ctx, name, p && strcmp(p, name) == 0 ? name : p);
			if (stop) {
				lm_free(&r);
				return stop;
			}
		}
		e = missing ? RESOLVE_MISSING : 0;
	} else if (e == RUN_STATIC) {
		e = RESOLVE_STATIC;
	} else if (e == RUN_NOT_DYNAMIC) {
		e = RESOLVE_NOT_DYNAMIC;
	}
	lm_free(&r);
	return e;
}
