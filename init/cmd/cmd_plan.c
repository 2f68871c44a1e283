/* cmd_plan.c - `root2ram plan [--strict] [--root DIR] [--manifests DIR]
 * [--platform NAME] [--kernel RELEASE] MANIFEST...`: what the manifests would
 * put in the RAM root, one line per entry, then the totals, the tmpfs size,
 * the $PLATFORM planned for and the kernel modules the boot would load.  Exit 0 only if staging would succeed; with
 * --strict (for CI on a server), only if there is no warning either. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "ldso/search.h"
#include "lib/log.h"
#include "stage/plan.h"

#define PLAN_USAGE "usage: root2ram plan [--strict] [--root DIR] [--manifests DIR] [--platform NAME]\n" \
		   "                     [--kernel RELEASE] MANIFEST...\n"

/* The $PLATFORM the plan used for the ABI of the root's /bin/sh. */
static void print_platform(const struct rootfs *r, const char *given)
{
	struct elf_info e;
	struct loader_model m;
	int fd = rootfs_openat(r, "/bin/sh", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || elf_read(&e, fd, "/bin/sh") < 0) {
		if (fd >= 0)
			close(fd);
		printf("platform: %s (no ELF /bin/sh to tell the root's ABI)\n", given ? given : "v7l");
		return;
	}
	close(fd);
	search_model(&m, &e, NULL);
	printf("platform: %s for %s (/bin/sh), %s\n", m.platform[0] ? m.platform : "none",
	       m.triplet[0] ? m.triplet : "an unknown ABI",
	       given ? "--platform" : m.machine == ELF_EM_ARM ? "the default; a Pi 4/5 is v8l: --platform v8l"
							: "the default");
	elf_free(&e);
}

int cmd_plan(int argc, char **argv)
{
	const char *root = "/", *mdir = NULL, *platform = NULL, *kernel = NULL;
	struct rootfs rfs;
	struct plan p;
	struct plan_totals t;
	int i, r, first = 0, strict = 0;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if ((r = cmd_option(argc, argv, &i, "--root", &root)) ||
		    (r = cmd_option(argc, argv, &i, "--manifests", &mdir)) ||
		    (r = cmd_option(argc, argv, &i, "--platform", &platform)) ||
		    (r = cmd_option(argc, argv, &i, "--kernel", &kernel))) {
			if (r < 0 || (platform && cmd_platform("plan", platform) < 0))
				return EXIT_USAGE;
			continue;
		}
		if (!strcmp(argv[i], "--strict")) {
			strict = 1;
			continue;
		}
		if (!strcmp(argv[i], "--"))  {
			i++;
			break;
		}
		fprintf(stderr, "root2ram: plan: unknown option '%s'\n" PLAN_USAGE, argv[i]);
		return EXIT_USAGE;
	}
	first = i;
	if (first >= argc) {
		fprintf(stderr, PLAN_USAGE "  MANIFEST is a path, or a name looked up as NAME.manifest in the\n"
				"  manifest directory (default: /etc/root2ram/manifests inside DIR)\n");
		return EXIT_USAGE;
	}
	if ((r = rootfs_open(&rfs, root)) < 0) {
		error("plan: cannot open the root %s: %s", root, strerror(-r));
		return EXIT_SYSTEM;
	}
	plan_init(&p, &rfs);
	p.strict = strict;
	p.kernel = cmd_kernel(&rfs, kernel);
	r = plan_build(&p, cmd_manifest_dir(&rfs, mdir), argv + first, argc - first);
	plan_print(&p, stdout);
	plan_totals(&p, &t);
	plan_print_totals(&t, stdout);
	print_platform(&rfs, platform);
	if (p.kernel)
		printf("modules: %s loaded at boot, before start.d:\n%s"
		       "modules: and those matching the Pi's devices (modules.alias), decided at boot\n",
		       p.kernel, p.modules_load ? p.modules_load : "");
	fflush(stdout);
	if (r < 0 && p.errors)
		error("plan: %d problem%s (above); staging would fail", p.errors,
		      p.errors == 1 ? "" : "s");
	else if (r < 0)
		error("plan: %d warning%s (above), which --strict makes errors", p.warnings,
		      p.warnings == 1 ? "" : "s");
	plan_free(&p);
	rootfs_close(&rfs);
	return r < 0 ? (r == -EINVAL ? EXIT_CHECK : EXIT_SYSTEM) : 0;
}
