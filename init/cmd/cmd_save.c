/* cmd_save.c - `root2ram save [--force] --all | PATH...`: write files changed
 * in the RAM root back to the NFS root, the only command that writes there.
 *
 * Each file is written beside its NFS copy (".NAME.root2ram-new"), with the
 * RAM file's owner, mode, mtime and extended attributes, flushed to the
 * server, and renamed over it: the server never holds half a file.  The previous version is kept as
 * NAME.root2ram-old (one, replaced at each save), linked before the rename.
 * A file whose NFS copy changed since the boot (its change stamp is not the
 * record's) is a conflict: refused unless --force.  --all saves every file
 * `root2ram diff` shows as changed-ram.  The record is updated, so diff no
 * longer shows what was saved. */
#define _FILE_OFFSET_BITS 64
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "stage/copy.h"

static int stamp_eq(const struct staged_entry *o, const struct stat *st)
{
	return o->sino == (unsigned long long)st->st_ino && o->size == (unsigned long long)st->st_size &&
	       o->sctime.tv_sec == st->st_ctim.tv_sec && o->sctime.tv_nsec == st->st_ctim.tv_nsec &&
	       o->mtime.tv_sec == st->st_mtim.tv_sec && o->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

/* The RAM file o->path over its NFS copy o->src, by the copy engine with
 * the roles swapped: the RAM root is the source, the NFS root the DEST,
 * written beside and renamed (COPY_OVERWRITE).  close() on NFS writes the
 * data and COMMITs it to the server's disk, the fsync a rename needs.
 * 0 saved, 1 refused, or -errno from the NFS root. */
static int save_one(struct ramroot *r, struct rootfs *ram, struct staged *rec,
		    const struct staged_entry *o, int force)
{
	struct plan_entry pe = { .path = o->src, .src = o->path, .type = PLAN_FILE };
	struct staged_entry e = *o;
	struct copy_stats cs = { 0 };
	struct plan one;
	struct stat ns, rs;
	char bak[4200];
	int had, e2, fd;

	if (fstatat(r->ramfd, o->path + 1, &rs, AT_SYMLINK_NOFOLLOW) || !S_ISREG(rs.st_mode)) {
		fprintf(stderr, "root2ram: save: %s: not a file in the RAM root\n", o->path);
		return 1;
	}
	had = fstatat(r->nfs.fd, o->src + 1, &ns, AT_SYMLINK_NOFOLLOW) == 0;
	if (!had && errno != ENOENT)
		return -errno;
	if (!force && (!had || !stamp_eq(o, &ns))) {
		fprintf(stderr, "root2ram: save: %s: changed on the NFS root since the boot (a conflict): "
				"not saved; --force writes over it\n", o->path);
		return 1;
	}
	/* the previous version, linked before the new one is renamed over it */
	snprintf(bak, sizeof bak, "%s.root2ram-old", o->src + 1);
	if ((unlinkat(r->nfs.fd, bak, 0) && errno != ENOENT) ||
	    (had && linkat(r->nfs.fd, o->src + 1, r->nfs.fd, bak, 0)))
		return -errno;
	plan_init(&one, ram);
	one.e = &pe;
	one.n = 1;
	e2 = copy_plan_flags(&one, ram, r->nfs.fd, COPY_OVERWRITE, &cs);
	one.e = NULL;
	one.n = 0;
	plan_free(&one);
	if (e2 < 0)
		return e2;
	/* an open revalidates the attributes (close-to-open): the rename moved
	 * the file's ctime on the server, after the client last saw it */
	if ((fd = rootfs_openat(&r->nfs, o->src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return fd;
	e2 = fstat(fd, &ns) ? -errno : 0;
	close(fd);
	if (e2)
		return e2;
	e.mode = rs.st_mode;
	e.uid = rs.st_uid;
	e.gid = rs.st_gid;
	e.size = (unsigned long long)rs.st_size;
	e.mtime = rs.st_mtim;
	e.rino = rs.st_ino;
	e.rctime = rs.st_ctim;
	e.sino = ns.st_ino;
	e.sctime = ns.st_ctim;
	printf("saved     %s (%s%s)\n", o->path, had ? "the previous version: /" : "new on the NFS root",
	       had ? bak : "");
	return staged_put(rec, &e);
}

/* save_one with its message; bad: how many refused, < 0 once the NFS root failed */
static void one(struct ramroot *r, struct rootfs *ram, struct staged *rec, const struct staged_entry *o,
		int force, int *bad, int *n)
{
	int e = save_one(r, ram, rec, o, force);

	if (e < 0)
		fprintf(stderr, "root2ram: save: %s: writing the NFS root: %s; its NFS copy is as it was\n",
			o->path, strerror(-e));
	*bad = e < 0 ? e : *bad + e;
	*n += !e;
}

int cmd_save(int argc, char **argv)
{
	struct staged rec = { 0 };
	struct ramroot r;
	struct rootfs ram = { .fd = -1 };
	int i, all = 0, force = 0, rc, bad = 0, n = 0;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--all"))
			all = 1;
		else if (!strcmp(argv[i], "--force"))
			force = 1;
		else
			break;
	}
	if (all == (i < argc) || (i < argc && argv[i][0] == '-')) {
		fprintf(stderr, "usage: root2ram save [--force] --all | PATH...\n");
		return EXIT_USAGE;
	}
	if ((rc = ramroot_open(&r, "save", 1, 0)) || (rc = rootfs_open(&ram, "/") ? EXIT_SYSTEM : 0))
		goto out;
	for (size_t k = 0; k < r.old.n; k++)
		staged_put(&rec, &r.old.e[k]);
	snprintf(rec.manifests, sizeof rec.manifests, "%s", r.old.manifests);
	/* --all: every file of the record changed in RAM; else the PATHs */
	for (size_t k = 0; bad >= 0 && (all ? k < r.old.n : i < argc); k++) {
		const struct staged_entry *o = all ? &r.old.e[k] : staged_get(&r.old, argv[i++]);
		struct stat st;
		int ok = o && o->type == 'f' && o->src;
		if (all && (!ok || fstatat(r.ramfd, o->path + 1, &st, AT_SYMLINK_NOFOLLOW) ||
			    (o->rino == (unsigned long long)st.st_ino && o->rctime.tv_sec == st.st_ctim.tv_sec &&
			     o->rctime.tv_nsec == st.st_ctim.tv_nsec)))
			continue;
		if (ok) {
			one(&r, &ram, &rec, o, force, &bad, &n);
			continue;
		}
		fprintf(stderr, "root2ram: save: %s: not a file the boot staged (root2ram diff lists them)\n",
			argv[i - 1]);
		bad++;
	}
	if (n && (rc = ramroot_save(&r, &rec)))
		goto out;
	rc = bad < 0 ? EXIT_SYSTEM : bad ? EXIT_CHECK : 0;
	printf("root2ram: save: %d saved%s\n", n, bad > 0 ? ", some refused (above)" : bad < 0 ? ", stopped (above)" : "");
out:
	if (ram.fd >= 0)
		rootfs_close(&ram);
	staged_free(&rec);
	ramroot_close(&r);
	return rc;
}
