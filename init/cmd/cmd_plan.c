/* cmd_plan.c - `root2ram plan [--strict] [--root DIR] [--manifests DIR] MANIFEST...`:
 * what the manifests would put in the RAM root, one line per entry, then
 * the totals and the tmpfs size.  Exit 0 only if staging would succeed;
 * with --strict (for CI on a server), only if there is no warning either. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "lib/log.h"
#include "stage/plan.h"

int cmd_plan(int argc, char **argv)
{
	const char *root = "/", *mdir = NULL;
	struct rootfs rfs;
	struct plan p;
	struct plan_totals t;
	int i, r, first = 0, strict = 0;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if ((r = cmd_option(argc, argv, &i, "--root", &root)) ||
		    (r = cmd_option(argc, argv, &i, "--manifests", &mdir))) {
			if (r < 0)
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
		fprintf(stderr, "root2ram: plan: unknown option '%s'\n"
				"usage: root2ram plan [--strict] [--root DIR] [--manifests DIR] MANIFEST...\n",
			argv[i]);
		return EXIT_USAGE;
	}
	first = i;
	if (first >= argc) {
		fprintf(stderr, "usage: root2ram plan [--strict] [--root DIR] [--manifests DIR] MANIFEST...\n"
				"  MANIFEST is a path, or a name looked up as NAME.manifest in the\n"
				"  manifest directory (default: /etc/root2ram/manifests inside DIR)\n");
		return EXIT_USAGE;
	}
	if ((r = rootfs_open(&rfs, root)) < 0) {
		error("plan: cannot open the root %s: %s", root, strerror(-r));
		return EXIT_SYSTEM;
	}
	plan_init(&p, &rfs);
	p.strict = strict;
	r = plan_build(&p, cmd_manifest_dir(&rfs, mdir), argv + first, argc - first);
	plan_print(&p, stdout);
	plan_totals(&p, &t);
	plan_print_totals(&t, stdout);
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
