/* cmd_nfs.c - `root2ram nfs mount|umount|status`: the old NFS root, on demand.
 *
 * PID 1 recorded the NFS root it left in /run/root2ram/nfsroot (source and
 * the kernel's own option string from /proc/self/mountinfo).  `mount`
 * mounts it again at /old_root with those options, changed on purpose:
 *   - soft,timeo=100,retrans=3 (unless --hard): when the server is away, a
 *     command touching /old_root gets an I/O error after ~30 s instead of
 *     hanging in D state, which is the hang root2ram exists to avoid;
 *   - nolock: no lockd/rpcbind in the RAM root.
 * Work in it, or `chroot /old_root /bin/bash`; `umount` releases it (lazily
 * if busy, so a dead server never blocks the command).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "switchroot.h"

#define NFSROOT_FILE "/run/root2ram/nfsroot"
#define OLD_ROOT "/old_root"

struct nfsroot {
	char source[512], fstype[32], options[1024];
};

static int load(struct nfsroot *n)
{
	char buf[4096], *line, *next;
	ssize_t len;
	int fd = open(NFSROOT_FILE, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	len = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (len < 0)
		return -EIO;
	buf[len] = '\0';
	memset(n, 0, sizeof *n);
	for (line = buf; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!strncmp(line, "source=", 7))
			snprintf(n->source, sizeof n->source, "%s", line + 7);
		else if (!strncmp(line, "fstype=", 7))
			snprintf(n->fstype, sizeof n->fstype, "%s", line + 7);
		else if (!strncmp(line, "super_options=", 14))
			snprintf(n->options, sizeof n->options, "%s", line + 14);
	}
	return n->source[0] && n->fstype[0] ? 0 : -EINVAL;
}

/* Copy the recorded options, dropping the ones chosen here again and the
 * generic flags that are not NFS options. */
int nfs_remount_options(const char *recorded, int hard, const char *extra, char *out, unsigned long size)
{
	static const char *const drop[] = { "rw", "ro", "hard", "soft", "softerr", "timeo", "retrans",
					    "lock", "nolock", "local_lock", NULL };
	char opts[1024], *o, *save = NULL;
	size_t len = 0;
	int w;

	snprintf(opts, sizeof opts, "%s", recorded);
	out[0] = '\0';
	for (o = strtok_r(opts, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		size_t klen = strcspn(o, "=");
		int skip = 0;
		for (int i = 0; drop[i]; i++)
			if (strlen(drop[i]) == klen && !strncmp(o, drop[i], klen))
				skip = 1;
		if (skip)
			continue;
		w = snprintf(out + len, size - len, "%s%s", len ? "," : "", o);
		if (w < 0 || (size_t)w >= size - len)
			return -ENAMETOOLONG;
		len += (size_t)w;
	}
	w = snprintf(out + len, size - len, "%s%s%s%s", len ? "," : "",
		     hard ? "hard,timeo=600,retrans=2" : "soft,timeo=100,retrans=3", ",nolock",
		     extra ? "," : "");
	if (w < 0 || (size_t)w >= size - len)
		return -ENAMETOOLONG;
	len += (size_t)w;
	if (extra && snprintf(out + len, size - len, "%s", extra) >= (int)(size - len))
		return -ENAMETOOLONG;
	return 0;
}

int cmd_nfs(int argc, char **argv)
{
	struct nfsroot n;
	char opts[1200];
	const char *extra = NULL;
	int hard = 0, ro = 0, r, i;

	if (argc < 2)
		goto usage;
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--hard"))
			hard = 1;
		else if (!strcmp(argv[i], "--ro"))
			ro = 1;
		else if (!strcmp(argv[i], "-o") && i + 1 < argc)
			extra = argv[++i];
		else
			goto usage;
	}
	if (!strcmp(argv[1], "umount")) {
		if (!is_mountpoint(OLD_ROOT)) {
			printf("root2ram: nfs: %s is not mounted\n", OLD_ROOT);
			return 0;
		}
		if (umount2(OLD_ROOT, 0) < 0 && umount2(OLD_ROOT, MNT_DETACH) < 0) {
			fprintf(stderr, "root2ram: nfs: unmount %s: %s\n", OLD_ROOT, strerror(errno));
			return EXIT_SYSTEM;
		}
		printf("root2ram: nfs: %s released\n", OLD_ROOT);
		return 0;
	}
	if ((r = load(&n)) < 0) {
		fprintf(stderr, "root2ram: nfs: %s: %s (was this system booted by root2ram from NFS?)\n",
			NFSROOT_FILE, r == -EINVAL ? "incomplete" : strerror(-r));
		return EXIT_SYSTEM;
	}
	if (!strcmp(argv[1], "status")) {
		printf("NFS root: %s (%s)\n%s: %s\n", n.source, n.fstype, OLD_ROOT,
		       is_mountpoint(OLD_ROOT) ? "mounted" : "not mounted");
		return 0;
	}
	if (strcmp(argv[1], "mount"))
		goto usage;
	if (strncmp(n.fstype, "nfs", 3)) {
		fprintf(stderr, "root2ram: nfs: the old root was %s, not NFS\n", n.fstype);
		return EXIT_SYSTEM;
	}
	if (is_mountpoint(OLD_ROOT)) {
		printf("root2ram: nfs: %s is already mounted\n", OLD_ROOT);
		return 0;
	}
	if (nfs_remount_options(n.options, hard, extra, opts, sizeof opts) < 0) {
		fprintf(stderr, "root2ram: nfs: mount options too long\n");
		return EXIT_USAGE;
	}
	mkdir(OLD_ROOT, 0700);
	if (mount(n.source, OLD_ROOT, n.fstype, ro ? MS_RDONLY : 0, opts) < 0) {
		fprintf(stderr, "root2ram: nfs: mount %s on %s: %s (options %s)\n", n.source, OLD_ROOT,
			strerror(errno), opts);
		return EXIT_SYSTEM;
	}
	printf("root2ram: nfs: %s mounted on %s (%s); chroot %s /bin/sh to work in it\n", n.source,
	       OLD_ROOT, hard ? "hard" : "soft: an outage gives I/O errors, not a hang", OLD_ROOT);
	return 0;

usage:
	fprintf(stderr, "usage: root2ram nfs mount [--hard] [--ro] [-o OPTIONS] | umount | status\n");
	return EXIT_USAGE;
}
