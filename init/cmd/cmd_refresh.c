/* cmd_refresh.c - `root2ram refresh [--dry-run] [--force] [--restart]`: bring
 * the RAM root up to date with the NFS root without a reboot.
 *
 * Plans the boot's manifests against the NFS root (cmd_diff.c), checks the
 * new and changed files fit the RAM root's free space, then copies each
 * with the copy engine, one entry at a time: a file is written beside the
 * old one and renamed over it (COPY_OVERWRITE), so a program never sees
 * half a file, and when the server stops answering the refresh stops at
 * that file, which stays the old one, and says what is not done.  What the
 * plan no longer names goes; a path changed in RAM is kept unless --force.
 * --restart runs `stop` then `start` of each start.d script that changed or
 * names a path that changed.  The record is updated for what was done. */
#define _FILE_OFFSET_BITS 64
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "lib/file.h"
#include "lib/log.h"
#include "stage/copy.h"

#define START_DIR "/etc/root2ram/start.d"

struct refresh {
	struct ramroot *r;
	struct staged rec;    /* the record after the refresh */
	int dry, force, pass; /* pass 0: count the bytes, 1: copy, 2: hard links, 3: remove */
	unsigned long copied, removed, kept, failed;
	unsigned long long need;
	const char **changed; /* paths copied or removed, for --restart */
	size_t nchanged;
	const char *stopped;  /* the path the server stopped answering at */
};

static void changed(struct refresh *f, const char *path)
{
	const char **n = realloc(f->changed, (f->nchanged + 1) * sizeof *n);

	if (n) {
		f->changed = n;
		n[f->nchanged++] = path;
	}
}

/* One entry of the new plan into the RAM root, as a plan of one, in a child
 * watched here: a read from a server that stopped answering waits longer
 * than any bound (each page the kernel retries waits its soft timeout), so
 * after REFRESH_STALL seconds without progress the child is killed (the
 * wait is killable) and the copy it was writing beside removed: the old
 * file stays. */
#define REFRESH_STALL 15
static int copy_one(struct refresh *f, const struct staged_entry *n)
{
	static struct copy_progress *pg;
	struct copy_stats cs = { 0 };
	unsigned long seq = 0;
	char tmp[4200];
	int st = 0, idle = 0;
	pid_t pid;

	if (!pg && (pg = mmap(NULL, sizeof *pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
			      0)) == MAP_FAILED)
		pg = NULL;
	copy_progress = pg;
	fflush(NULL);
	if ((pid = fork()) < 0)
		return -errno;
	if (pid == 0) {
		struct plan one;
		plan_init(&one, &f->r->nfs);
		one.e = (struct plan_entry *)n->pe;
		one.n = 1;
		_exit(-copy_plan_flags(&one, &f->r->nfs, f->r->ramfd, COPY_OVERWRITE, &cs) & 0xff);
	}
	while (waitpid(pid, &st, WNOHANG) != pid) {
		if (pg && pg->seq != seq) {
			seq = pg->seq;
			idle = 0;
		} else if (++idle > REFRESH_STALL * 10) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			snprintf(tmp, sizeof tmp, "%.*s.%s.root2ram-new", (int)(strrchr(n->path, '/') - n->path),
				 n->path + 1, strrchr(n->path, '/') + 1);
			unlinkat(f->r->ramfd, tmp, 0);
			return -ETIMEDOUT;
		}
		usleep(100000);
	}
	return WIFEXITED(st) ? -WEXITSTATUS(st) : -EINTR;
}

static void say(const char *verb, const char *path, const char *why)
{
	printf("%-9s %s%s%s%s\n", verb, path, why ? " (" : "", why ? why : "", why ? ")" : "");
}

static int act(void *ctx, int kind, const char *path, const struct staged_entry *o,
	       const struct staged_entry *n)
{
	struct refresh *f = ctx;
	int touch = kind == SK_NFS || kind == SK_ADDED_NFS || kind == SK_REMOVED_NFS ||
		    (f->force && kind != SK_ADDED_RAM);
	int hard = n && n->type == 'h';

	if (kind == SK_ADDED_RAM)
		return 0;
	if (!touch) {
		if (f->pass == 1) {
			say("kept", path, kind == SK_REMOVED_RAM ? "removed in RAM; --force puts it back"
							       : "changed in RAM; --force replaces it");
			f->kept++;
		}
		return 0;
	}
	if (f->pass == 0) {
		if (n && n->type == 'f')
			f->need += (n->size + 4095) / 4096 * 4096 + PLAN_INODE_COST;
		return 0;
	}
	if (!n) { /* gone from the plan: in pass 3, after every copy */
		if (f->pass == 3 && !f->dry) {
			if (unlinkat(f->r->ramfd, path + 1, o->type == 'd' ? AT_REMOVEDIR : 0) < 0) {
				say("kept", path, strerror(errno));
				f->kept++;
				return 0;
			}
			((struct staged_entry *)staged_get(&f->rec, path))->type = 0;
		}
		if (f->pass == 3) {
			say(f->dry ? "remove" : "removed", path, NULL);
			f->removed++;
			changed(f, path);
		}
		return 0;
	}
	if (f->pass != 1 + hard)
		return 0;
	if (!f->dry) {
		int r = copy_one(f, n);
		if (r == -EIO || r == -ETIMEDOUT || r == -ESTALE || r == -ENOTCONN) {
			f->stopped = path;
			return 1;
		}
		if (r < 0 || staged_add(&f->rec, n->pe, f->r->ramfd, 1) < 0) {
			f->failed++;
			return 0;
		}
	}
	say(f->dry ? "copy" : "copied", path, NULL);
	f->copied++;
	if (n->type != 'd')
		changed(f, path);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run(const char *script, const char *arg)
{
	int st = 0, fd;
	pid_t pid = fork();

	if (pid == 0) {
		/* as rcS runs it: on the console, not in this session */
		fd = open("/dev/console", O_RDWR | O_NOCTTY);
		if (fd < 0)
			fd = open("/dev/null", O_RDWR);
		setsid();
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		execv(script, (char *[]){ (char *)script, (char *)arg, NULL });
		_exit(127);
	}
	while (pid > 0 && waitpid(pid, &st, 0) < 0)
		;
	return pid > 0 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Each start.d script that changed, or whose text names a path that did. */
static void restart(struct refresh *f)
{
	char *names[256], path[512], text[65536];
	struct dirent *d;
	int n = 0;
	DIR *dp = opendir(START_DIR);

	while (dp && n < 256 && (d = readdir(dp)))
		if (d->d_name[0] != '.' && (names[n] = strdup(d->d_name)))
			n++;
	if (dp)
		closedir(dp);
	qsort(names, (size_t)n, sizeof *names, by_name);
	for (int i = 0; i < n; i++) {
		size_t k = 0;
		snprintf(path, sizeof path, "%s/%s", START_DIR, names[i]);
		free(names[i]);
		if (access(path, X_OK) || read_text(path, text, sizeof text) < 0)
			continue;
		while (k < f->nchanged && strcmp(f->changed[k], path) && !strstr(text, f->changed[k]))
			k++;
		if (k == f->nchanged)
			continue;
		if (f->dry) {
			say("restart", path, NULL);
			continue;
		}
		run(path, "stop");
		say("restarted", path, run(path, "start") ? "start failed" : NULL);
	}
}

int cmd_refresh(int argc, char **argv)
{
	struct refresh f = { 0 };
	struct ramroot r;
	struct statvfs vfs;
	double t0 = log_elapsed();
	int rc, restart_ = 0;
	char b1[32], b2[32];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--dry-run"))
			f.dry = 1;
		else if (!strcmp(argv[i], "--force"))
			f.force = 1;
		else if (!strcmp(argv[i], "--restart"))
			restart_ = 1;
		else {
			fprintf(stderr, "usage: root2ram refresh [--dry-run] [--force] [--restart]\n");
			return EXIT_USAGE;
		}
	}
	f.r = &r;
	copy_jobs = 1; /* one entry at a time: the refresh stops at the first the server fails */
	if ((rc = ramroot_open(&r, "refresh", 0, 1)))
		goto out;
	for (size_t i = 0; i < r.old.n; i++)
		if (staged_put(&f.rec, &r.old.e[i]) < 0)
			goto nomem;
	snprintf(f.rec.manifests, sizeof f.rec.manifests, "%s", r.old.manifests);
	staged_walk(&r.old, &r.now, r.ramfd, act, &f);
	if (statvfs("/", &vfs) == 0 && f.need > (unsigned long long)vfs.f_bavail * vfs.f_frsize) {
		fprintf(stderr, "root2ram: refresh: the new files need %s, the RAM root has %s free: "
				"nothing copied; make room, or boot with a larger root2ram.size\n",
			log_human_bytes(f.need, b1, sizeof b1),
			log_human_bytes((unsigned long long)vfs.f_bavail * vfs.f_frsize, b2, sizeof b2));
		rc = EXIT_CHECK;
		goto out;
	}
	for (f.pass = 1; f.pass < 4 && !f.stopped; f.pass++)
		staged_walk(&r.old, &r.now, r.ramfd, act, &f);
	if (!f.dry && (rc = ramroot_save(&r, &f.rec)))
		goto out;
	if (f.stopped) {
		fprintf(stderr, "root2ram: refresh: stopped at %s: the NFS server does not answer; each "
				"file is old or new; %lu copied, the rest not done: run refresh again when the "
				"server is back\n", f.stopped, f.copied);
		rc = EXIT_SYSTEM;
		goto out;
	}
	if (restart_)
		restart(&f);
	printf("root2ram: refresh: %s%lu copied, %lu removed, %lu kept, %lu failed in %.2f s\n",
	       f.dry ? "dry run: " : "", f.copied, f.removed, f.kept, f.failed, log_elapsed() - t0);
	rc = f.failed ? EXIT_SYSTEM : 0;
	goto out;
nomem:
	fprintf(stderr, "root2ram: refresh: out of memory\n");
	rc = EXIT_SYSTEM;
out:
	free(f.changed);
	staged_free(&f.rec);
	ramroot_close(&r);
	return rc;
}
