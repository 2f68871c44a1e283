/* cmd_stage.c - `root2ram stage --root DIR --to DEST MANIFEST...`: copy
 * what the manifests name from DIR into DEST, as the boot does into the
 * tmpfs.  DEST must be empty unless --force; it is created when its parent
 * exists. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "stage/copy.h"
#include "lib/log.h"
#include "stage/plan.h"


static const char usage_text[] =
	"usage: root2ram stage --root DIR --to DEST [--force] [--manifests DIR]\n"
	"                      [--overlay PATH] [--jobs N] [--platform NAME] MANIFEST...\n";

int cmd_stage(int argc, char **argv)
{
	const char *root = NULL, *to = NULL, *mdir = NULL, *overlay = NULL, *jobs = NULL, *kernel = NULL,
		   *platform = NULL;
	struct stat rs, ds;
	struct rootfs rfs;
	struct copy_stats cs = { 0 };
	struct plan p;
	int i, r, force = 0, dest, rc = 0;
	char line[256];

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if ((r = cmd_option(argc, argv, &i, "--root", &root)) ||
		    (r = cmd_option(argc, argv, &i, "--to", &to)) ||
		    (r = cmd_option(argc, argv, &i, "--manifests", &mdir)) ||
		    (r = cmd_option(argc, argv, &i, "--overlay", &overlay)) ||
		    (r = cmd_option(argc, argv, &i, "--jobs", &jobs)) ||
		    (r = cmd_option(argc, argv, &i, "--kernel", &kernel)) ||
		    (r = cmd_option(argc, argv, &i, "--platform", &platform))) {
			if (r < 0 || (platform && cmd_platform("stage", platform) < 0))
				return EXIT_USAGE;
			continue;
		}
		if (!strcmp(argv[i], "--force")) {
			force = 1;
			continue;
		}
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		fprintf(stderr, "root2ram: stage: unknown option '%s'\n%s", argv[i], usage_text);
		return EXIT_USAGE;
	}
	if (!root || !to || i >= argc) {
		fprintf(stderr, "%s", usage_text);
		return EXIT_USAGE;
	}
	if (jobs) {
		if ((copy_jobs = copy_jobs_parse(jobs)) < 0) {
			fprintf(stderr, "root2ram: stage: --jobs takes 1 to %d\n", COPY_MAX_JOBS);
			return EXIT_USAGE;
		}
	}
	if ((r = rootfs_open(&rfs, root)) < 0) {
		error("stage: cannot open the root %s: %s", root, strerror(-r));
		return EXIT_SYSTEM;
	}
	if (mkdir(to, 0755) == 0)
		info("stage: created DEST %s", to);
	dest = open(to, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dest < 0) {
		error("stage: cannot open DEST %s: %s", to, strerror(errno));
		rootfs_close(&rfs);
		return EXIT_SYSTEM;
	}
	if (fstat(rfs.fd, &rs) == 0 && fstat(dest, &ds) == 0 && rs.st_dev == ds.st_dev &&
	    rs.st_ino == ds.st_ino) {
		error("stage: DEST %s is the root itself; root2ram never writes to the root", to);
		rc = EXIT_USAGE;
		goto out;
	}
	if (!force && (r = copy_dest_empty(dest)) != 1) {
		if (r < 0)
			error("stage: cannot read DEST %s: %s", to, strerror(-r));
		else
			error("stage: DEST %s is not empty; empty it, or give --force to stage over it", to);
		rc = r < 0 ? EXIT_SYSTEM : EXIT_USAGE;
		goto out;
	}
	plan_init(&p, &rfs);
	p.kernel = cmd_kernel(&rfs, kernel);
	r = plan_build(&p, cmd_manifest_dir(&rfs, mdir), argv + i, argc - i);
	if (r < 0) {
		error("stage: %d problem%s (above); nothing staged", p.errors, p.errors == 1 ? "" : "s");
		rc = r == -EINVAL ? EXIT_CHECK : EXIT_SYSTEM;
		plan_free(&p);
		goto out;
	}
	/* --force: each path written beside what DEST has and renamed over it */
	r = copy_plan_flags(&p, &rfs, dest, COPY_PROGRESS | (force ? COPY_OVERWRITE : 0), &cs);
	plan_free(&p);
	if (r == 0 && overlay)
		r = copy_tree(&rfs, overlay, dest, &cs);
	copy_summary(&cs, line, sizeof line);
	if (r < 0) {
		error("stage: %d error%s (above); DEST %s is incomplete", cs.errors,
		      cs.errors == 1 ? "" : "s", to);
		rc = EXIT_SYSTEM;
	} else {
		info("%s", line);
	}
out:
	close(dest);
	rootfs_close(&rfs);
	return rc;
}
