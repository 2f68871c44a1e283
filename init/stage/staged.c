/* staged.c - see staged.h. */
#define _FILE_OFFSET_BITS 64
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stage/staged.h"
#include "lib/paths.h"
#include "stage/plan.h"

const char *const staged_kind_name[] = { "same", "changed-ram", "changed-nfs", "conflict",
					 "added-nfs", "added-ram", "removed-nfs", "removed-ram" };

void staged_free(struct staged *s)
{
	free(s->e);
	strmap_free(&s->index);
	memset(s, 0, sizeof *s);
}

const struct staged_entry *staged_get(const struct staged *s, const char *path)
{
	size_t i = (size_t)strmap_get(&s->index, path);

	return i ? &s->e[i - 1] : NULL;
}

int staged_put(struct staged *s, const struct staged_entry *e)
{
	size_t i = (size_t)strmap_get(&s->index, e->path);

	if (i) {
		s->e[i - 1] = *e;
		return 0;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		void *n = realloc(s->e, cap * sizeof *s->e);
		if (!n)
			return -ENOMEM;
		s->e = n;
		s->cap = cap;
	}
	s->e[s->n] = *e;
	if (strmap_put(&s->index, s->e[s->n].path, (void *)(s->n + 1)) < 0)
		return -ENOMEM;
	s->n++;
	return 0;
}

int staged_add(struct staged *s, const struct plan_entry *pe, int ramfd, int record)
{
	static const char types[] = "dflh";
	struct staged_entry e = { .path = pe->path, .src = pe->src, .target = pe->target,
				  .type = types[pe->type], .pe = pe, .mode = pe->mode,
				  .uid = pe->uid, .gid = pe->gid };
	struct stat st;

	if (strpbrk(pe->path, "\t\n") || (pe->src && strpbrk(pe->src, "\t\n")) ||
	    (pe->target && strpbrk(pe->target, "\t\n")))
		return 0;
	if (pe->flags & PLAN_RUNTIME)
		e.src = NULL; /* a `dir` line: filled at run time, walk_ram skips it */
	/* the source as the plan saw it (a directory: mode and owner only) */
	if (pe->src && pe->type != PLAN_DIR) {
		e.size = pe->size;
		e.mtime = pe->mtime;
		e.sino = pe->ino;
		e.sctime = pe->ctime;
	}
	if (fstatat(ramfd, pe->path + 1, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		e.rino = st.st_ino;
		e.rctime = st.st_ctim;
		/* the source changed between the plan and its copy: a stamp no
		 * source has, so the next diff sees it changed on NFS */
		if (record && e.type == 'f' && (st.st_size != (off_t)e.size ||
				      st.st_mtim.tv_sec != e.mtime.tv_sec ||
				      st.st_mtim.tv_nsec != e.mtime.tv_nsec))
			e.sctime.tv_sec = e.sctime.tv_nsec = 0;
	}
	return staged_put(s, &e);
}

int staged_add_plan(struct staged *s, const struct plan *p, int ramfd, int record)
{
	int r;

	for (size_t i = 0; i < p->n; i++)
		if ((r = staged_add(s, &p->e[i], ramfd, record)) < 0)
			return r;
	return 0;
}

int staged_overlay(struct plan *p, const struct rootfs *src)
{
	int r;

	plan_init(p, src);
	p->no_nss = 1;
	r = plan_add_tree(p, R2R_OVERLAY_DIR, "/", R2R_OVERLAY_DIR);
	return plan_finish(p) < 0 && !r ? -EINVAL : r;
}

static int flush(int fd, char *buf, size_t *len)
{
	for (size_t done = 0; done < *len;) {
		ssize_t w = write(fd, buf + done, *len - done);
		if (w < 0 && errno != EINTR)
			return -errno;
		done += w > 0 ? (size_t)w : 0;
	}
	*len = 0;
	return 0;
}

int staged_write(const struct staged *s, int fd)
{
	char buf[16384];
	size_t len = (size_t)snprintf(buf, sizeof buf, "# root2ram staged 1 %s\n", s->manifests);
	int r = 0;

	for (size_t i = 0; i < s->n && !r; i++) {
		const struct staged_entry *e = &s->e[i];
		if (!e->type)
			continue; /* removed */
		if (len > sizeof buf - 8700 && (r = flush(fd, buf, &len)))
			break;
		len += (size_t)snprintf(buf + len, sizeof buf - len,
					"%c %x %x %x %llx %llx.%lx %llx %llx.%lx %llx %llx.%lx\t%.4000s\t%.4000s\t%.400s\n",
					e->type, e->mode, e->uid, e->gid, e->size,
					(unsigned long long)e->mtime.tv_sec, (unsigned long)e->mtime.tv_nsec, e->sino,
					(unsigned long long)e->sctime.tv_sec, (unsigned long)e->sctime.tv_nsec,
					e->rino, (unsigned long long)e->rctime.tv_sec,
					(unsigned long)e->rctime.tv_nsec, e->path,
					!e->src ? "-" : strcmp(e->src, e->path) ? e->src : "=",
					e->target ? e->target : "-");
	}
	return r ? r : flush(fd, buf, &len);
}

/* A hex number at s, then `end`: the character after it, or NULL. */
static char *hex(char *s, unsigned long long *v, char end)
{
	unsigned long long n = 0;
	char *p = s;

	for (; (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'); p++) {
		if (n >> 60)
			return NULL;
		n = n * 16 + (unsigned)(*p <= '9' ? *p - '0' : *p - 'a' + 10);
	}
	*v = n;
	return p > s && *p == end ? p + 1 : NULL;
}

static char *stamp(char *s, struct timespec *t, char end)
{
	unsigned long long a, b;

	if (!(s = hex(s, &a, '.')) || !(s = hex(s, &b, end)) || b >= 1000000000 || a >> 62)
		return NULL;
	t->tv_sec = (time_t)a;
	t->tv_nsec = (long)b;
	return s;
}

static int parse_line(struct staged *s, char *l)
{
	struct staged_entry e = { 0 };
	unsigned long long v[4];
	char *f[3], *tab;


	if (!l[0] || !strchr("dflh", l[0]) || l[1] != ' ')
		return -EINVAL;
	e.type = l[0];
	l += 2;
	for (int i = 0; i < 3; i++)
		if (!(l = hex(l, &v[i], ' ')) || v[i] >> 32)
			return -EINVAL;
	e.mode = (unsigned)v[0];
	e.uid = (unsigned)v[1];
	e.gid = (unsigned)v[2];
	if (!(l = hex(l, &e.size, ' ')) || !(l = stamp(l, &e.mtime, ' ')) || !(l = hex(l, &e.sino, ' ')) ||
	    !(l = stamp(l, &e.sctime, ' ')) || !(l = hex(l, &e.rino, ' ')) || !(l = stamp(l, &e.rctime, '\t')))
		return -EINVAL;
	f[0] = l;
	for (int i = 1; i < 3; i++) {
		if (!(tab = strchr(f[i - 1], '\t')))
			return -EINVAL;
		*tab = '\0';
		f[i] = tab + 1;
	}
	if (strchr(f[2], '\t') || f[0][0] != '/')
		return -EINVAL;
	e.path = f[0];
	e.src = !strcmp(f[1], "-") ? NULL : !strcmp(f[1], "=") ? f[0] : f[1];
	e.target = strcmp(f[2], "-") ? f[2] : NULL;
	return staged_put(s, &e);
}

int staged_parse(struct staged *s, char *text, int *line)
{
	char *l, *next;
	int r;

	*line = 0;
	if (strncmp(text, "# root2ram staged 1 ", 20))
		return -EINVAL;
	for (l = text; l && *l; l = next) {
		++*line;
		if ((next = strchr(l, '\n')))
			*next++ = '\0';
		if (*line == 1)
			snprintf(s->manifests, sizeof s->manifests, "%s", l + 20);
		else if ((r = parse_line(s, l)) < 0)
			return r;
	}
	return 0;
}

static int ts_eq(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

static int str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* What the NFS root has for a path against what was staged.  A directory's
 * own times and size move with every name added in it: its kind, mode and
 * owner are what count. */
static int nfs_changed(const struct staged_entry *o, const struct staged_entry *n)
{
	if (o->type != n->type || !str_eq(o->src, n->src) || !str_eq(o->target, n->target) ||
	    o->mode != n->mode || o->uid != n->uid || o->gid != n->gid)
		return 1;
	return o->type != 'd' && o->src &&
	       (o->size != n->size || o->sino != n->sino || !ts_eq(&o->mtime, &n->mtime) ||
		!ts_eq(&o->sctime, &n->sctime));
}

static int ram_changed(const struct staged_entry *o, unsigned long long ino, const struct timespec *ct)
{
	return o->type != 'd' && (o->rino != ino || !ts_eq(&o->rctime, ct));
}

int staged_walk(const struct staged *old, const struct staged *now, int ramfd, staged_fn fn, void *ctx)
{
	struct stat st, rs;
	char path[4096];
	int k, r;

	for (size_t i = 0; i < now->n; i++) {
		const struct staged_entry *n = &now->e[i], *o = staged_get(old, n->path);
		if (!o)
			k = n->rino ? SK_BOTH : SK_ADDED_NFS;
		else if (!n->rino)
			k = nfs_changed(o, n) ? SK_BOTH : SK_REMOVED_RAM;
		else
			k = (nfs_changed(o, n) ? SK_NFS : 0) | (ram_changed(o, n->rino, &n->rctime) ? SK_RAM : 0);
		if (k && (r = fn(ctx, k, n->path, o, n)))
			return r;
	}
	for (size_t i = old->n; i-- > 0;) { /* last first: a directory after its files */
		const struct staged_entry *o = &old->e[i];
		if (staged_get(now, o->path))
			continue;
		if (fstatat(ramfd, o->path + 1, &st, AT_SYMLINK_NOFOLLOW))
			continue; /* gone from both */
		k = ram_changed(o, st.st_ino, &st.st_ctim) ? SK_BOTH : SK_REMOVED_NFS;
		if ((r = fn(ctx, k, o->path, o, NULL)))
			return r;
	}
	for (size_t i = 0; i < old->n; i++) {
		const struct staged_entry *o = &old->e[i];
		struct dirent *d;
		struct stat ds;
		DIR *dp;
		int fd;

		/* a `dir` line's directory is filled at run time (/tmp, /var);
		 * other file systems mounted in the RAM root are not its files */
		if (o->type != 'd' || !o->src || fstat(ramfd, &rs) ||
		    (fd = openat(ramfd, o->path + 1, O_RDONLY | O_DIRECTORY |
						   O_NOFOLLOW | O_CLOEXEC)) < 0)
			continue;
		if (fstat(fd, &ds) || ds.st_dev != rs.st_dev || !(dp = fdopendir(fd))) {
			close(fd);
			continue;
		}
		r = 0;
		while (!r && (d = readdir(dp))) {
			if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, "..") ||
			    snprintf(path, sizeof path, "%s/%s", o->path, d->d_name) >= (int)sizeof path ||
			    staged_get(old, path) || staged_get(now, path) ||
			    fstatat(dirfd(dp), d->d_name, &st, AT_SYMLINK_NOFOLLOW) || st.st_dev != ds.st_dev)
				continue;
			r = fn(ctx, SK_ADDED_RAM, path, NULL, NULL);
		}
		closedir(dp);
		if (r)
			return r;
	}
	return 0;
}
