/* cmd_ldd.c - `root2ram ldd [--root DIR] [--platform NAME] [--closure] FILE...`
 *
 * Without --closure, prints what glibc's `ld.so --list FILE` prints run
 * inside DIR, without the load addresses (and without linux-vdso, which
 * is the kernel's, not a file):
 *
 *	libz.so.1 => /lib/arm-linux-gnueabi/libz.so.1
 *	/lib/ld-linux.so.3
 *	libfoo.so.1 => not found
 *
 * in the loader's order; several FILEs get a "FILE:" header each, like
 * ldd.  A static file says "statically linked"; a file no loader runs
 * (not ELF, an object file) "not a dynamic executable".  FILE paths are
 * inside DIR (default /); nothing is executed, so DIR may hold another
 * architecture.
 *
 * With --closure, prints every path that must exist in a copy of DIR for
 * the FILEs to run, once each over all FILEs: the files, their
 * interpreters, their libraries and /etc/ld.so.preload's, and every
 * symlink on the way to one of them as "LINK -> TARGET" (TARGET as
 * readlink gives it), e.g.
 *
 *	/lib/ld-linux.so.3 -> arm-linux-gnueabi/ld-linux.so.3
 *	/lib/arm-linux-gnueabi/ld-linux.so.3
 *
 * Paths are canonical inside DIR; a symlink comes before what it leads to.
 *
 * Exit status: 0; 1 when a library or FILE is missing, or a FILE is not
 * dynamic; 100 usage; 111 system error.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "lib/log.h"
#include "ldso/resolve.h"
#include "lib/rootfs.h"

static int print_line(void *ctx, const char *name, const char *path)
{
	(void)ctx;
	if (!path)
		printf("\t%s => not found\n", name);
	else if (path == name)
		printf("\t%s\n", name);
	else
		printf("\t%s => %s\n", name, path);
	return 0;
}

static int print_item(void *ctx, const struct closure_item *it)
{
	(void)ctx;
	if (it->kind == CLOSURE_SYMLINK)
		printf("%s -> %s\n", it->path, it->target);
	else
		printf("%s\n", it->path);
	return 0;
}

static int usage_ldd(void)
{
	fprintf(stderr, "usage: root2ram ldd [--root DIR] [--platform NAME] [--closure] FILE...\n");
	return EXIT_USAGE;
}

/* -errno from the resolver to an exit status: a missing or unreadable
 * file is a failed check, anything else the system's fault. */
static int status_of(int e)
{
	if (e == -ENOMEM || e == -EIO || e == -EMFILE || e == -ENFILE)
		return EXIT_SYSTEM;
	return EXIT_CHECK;
}

int cmd_ldd(int argc, char **argv)
{
	static char obuf[1 << 16];
	const char *dir = "/";
	struct resolver *res;
	struct rootfs root;
	int i, closure = 0, multi, rc = 0, e;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else if (strcmp(argv[i], "--closure") == 0) {
			closure = 1;
		} else if (strcmp(argv[i], "--root") == 0 && i + 1 < argc) {
			dir = argv[++i];
		} else if (strncmp(argv[i], "--root=", 7) == 0) {
			dir = argv[i] + 7;
		} else if (strcmp(argv[i], "--platform") == 0 && i + 1 < argc) {
			if (cmd_platform("ldd", argv[++i]) < 0)
				return EXIT_USAGE;
		} else {
			return usage_ldd();
		}
	}
	if (i >= argc)
		return usage_ldd();
	e = rootfs_open(&root, dir);
	if (e) {
		error("%s: %s", dir, strerror(-e));
		return EXIT_CHECK;
	}
	e = resolver_new(&res, &root);
	if (e) {
		rootfs_close(&root);
		return EXIT_SYSTEM;
	}
	setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
	multi = argc - i > 1;
	for (; i < argc; i++) {
		if (closure) {
			e = resolver_closure(res, argv[i], print_item, NULL);
			if (e < 0 && status_of(e) > rc)
				rc = status_of(e);
			continue;
		}
		if (multi)
			printf("%s:\n", argv[i]);
		fflush(stdout); /* messages on stderr come after the header */
		e = resolver_list(res, argv[i], print_line, NULL);
		if (e == RESOLVE_STATIC) {
			printf("\tstatically linked\n");
		} else if (e == RESOLVE_NOT_DYNAMIC) {
			printf("\tnot a dynamic executable\n");
			e = RESOLVE_MISSING;
		}
		if (e == RESOLVE_MISSING && rc < EXIT_CHECK)
			rc = EXIT_CHECK;
		else if (e < 0 && status_of(e) > rc)
			rc = status_of(e);
	}
	fflush(stdout);
	resolver_free(res);
	rootfs_close(&root);
	return rc;
}
