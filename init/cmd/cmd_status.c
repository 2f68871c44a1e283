/* cmd_status.c - `root2ram status`: how this system was booted.
 *
 * Reads what PID 1 recorded under /run/root2ram: the summary line, the
 * timings of each boot step, and the NFS root it came from; and what rcS
 * wrote once the appliance's start.d scripts had run. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "lib/file.h"
#include "lib/log.h"
#include "lib/paths.h"

static int show(const char *name, const char *title)
{
	char path[128], buf[4096];
	ssize_t n;

	snprintf(path, sizeof path, "%s/%s", R2R_RUN_DIR, name);
	if ((n = read_text(path, buf, sizeof buf)) < 0)
		return (int)n;
	if (title)
		printf("%s\n", title);
	/* indent every line under a title */
	for (char *l = buf, *e; *l; l = e) {
		e = strchr(l, '\n');
		e = e ? e + 1 : l + strlen(l);
		printf("%s%.*s", title ? "  " : "", (int)(e - l), l);
	}
	return 0;
}

int cmd_status(int argc, char **argv)
{
	struct statvfs vfs;
	struct sysinfo si;
	char a[32], b[32], c[32], d[32];

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "usage: root2ram status\n");
		return EXIT_USAGE;
	}
	if (show("summary", NULL) < 0) {
		printf("root2ram: this system was not booted into RAM by root2ram (no %s/summary)\n",
		       R2R_RUN_DIR);
		return EXIT_CHECK;
	}
	/* the seed's advice: watch the RAM a RAM root uses */
	if (statvfs("/", &vfs) == 0 && sysinfo(&si) == 0) {
		unsigned long long total = (unsigned long long)vfs.f_blocks * vfs.f_frsize;
		unsigned long long used = total - (unsigned long long)vfs.f_bfree * vfs.f_frsize;
		printf("RAM root: %s used of a %s tmpfs; memory: %s free of %s\n",
		       log_human_bytes(used, a, sizeof a), log_human_bytes(total, b, sizeof b),
		       log_human_bytes((unsigned long long)si.freeram * si.mem_unit, c, sizeof c),
		       log_human_bytes((unsigned long long)si.totalram * si.mem_unit, d, sizeof d));
	}
	if (show("started", NULL) < 0)
		printf("appliance: starting (rcS is running the start.d scripts)\n");
	show("timings", "boot steps (seconds since root2ram started):");
	show("nfsroot", "NFS root:");
	return 0;
}
