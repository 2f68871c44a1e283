/* bootstage.c - see bootstage.h.  The boot's use of plan.c and copy.c:
 * everything is read through a rootfs opened on "/", the NFS root, and
 * closed again before the switch so nothing keeps a reference to it. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bootstage.h"
#include "copy.h"
#include "log.h"
#include "plan.h"

static struct rootfs root; /* opened by bootstage_plan */
static struct plan plan;

int bootstage_plan(struct bootstage *st, char (*names)[CONFIG_NAME_MAX], int n)
{
	char *list[CONFIG_MAX_MANIFESTS];
	int r, i;

	memset(st, 0, sizeof *st);
	if ((r = rootfs_open(&root, "/")) < 0) {
		error("open /: %s", strerror(-r));
		return r;
	}
	plan_init(&plan, &root);
	st->plan = &plan;
	for (i = 0; i < n && i < CONFIG_MAX_MANIFESTS; i++)
		list[i] = names[i];
	/* NULL: manifests from /etc/root2ram/manifests inside the root */
	return plan_build(&plan, NULL, list, i);
}

unsigned long long bootstage_need(const struct bootstage *st)
{
	struct plan_totals t;

	plan_totals(st->plan, &t);
	return t.tmpfs;
}

/* Mount points and scratch directories the switch and rcS need, whatever
 * the manifest says. */
static void make_mount_points(int dfd)
{
	static const struct { const char *name; mode_t mode; } dirs[] = {
		{ "proc", 0555 }, { "sys", 0555 }, { "dev", 0755 },
		{ "run", 0755 },  { "tmp", 01777 }, { "old_root", 0700 },
	};
	for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++)
		if (mkdirat(dfd, dirs[i].name, dirs[i].mode) == 0)
			fchmodat(dfd, dirs[i].name, dirs[i].mode, 0); /* past the umask */
}

int bootstage_copy(struct bootstage *st, const char *newroot)
{
	struct copy_stats cs;
	struct stat sb;
	int dfd, r;

	memset(&cs, 0, sizeof cs);
	dfd = open(newroot, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		r = -errno;
		error("open %s: %s", newroot, strerror(errno));
		goto out;
	}
	r = copy_plan_flags(&plan, &root, dfd, 0, &cs); /* no progress line on the console */
	if (r < 0)
		goto out;
	if (fstatat(root.fd, BOOT_OVERLAY_DIR + 1, &sb, 0) == 0) {
		if ((r = copy_tree(&root, BOOT_OVERLAY_DIR, dfd, &cs)) < 0)
			goto out;
	} else {
		warn("no %s in the NFS root: the RAM root has no inittab of root2ram's "
		     "(install it with scripts/install.sh)", BOOT_OVERLAY_DIR);
	}
	make_mount_points(dfd);
out:
	st->files = cs.files + cs.symlinks + cs.hardlinks;
	st->bytes = cs.bytes;
	st->seconds = cs.seconds;
	if (dfd >= 0)
		close(dfd);
	plan_free(&plan);
	rootfs_close(&root);
	return r;
}
