/* learn.c - see learn.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/match.h"
#include "stage/learn.h"

void learn_init(struct learn *l)
{
	memset(l, 0, sizeof *l);
}

void learn_free(struct learn *l)
{
	free(l->f);
	free(l->d);
	free(l->globs);
	strmap_free(&l->files);
	strmap_free(&l->dirs);
	strmap_free(&l->known);
	strmap_free(&l->old);
	arena_free(&l->arena);
	memset(l, 0, sizeof *l);
}

int learn_nameable(const char *path)
{
	const unsigned char *s = (const unsigned char *)path;

	if (*s != '/')
		return 0;
	/* a manifest splits words at blanks and has no quoting; "(deleted)"
	 * is how the kernel names an unlinked file's fd */
	for (; *s; s++)
		if (*s <= ' ' || *s == 0x7f)
			return 0;
	return 1;
}

int learn_is_api(const char *path)
{
	static const char *const api[] = { "/proc", "/sys", "/dev", "/run", "/tmp", "/var/tmp" };
	size_t i, n;

	for (i = 0; i < sizeof api / sizeof api[0]; i++) {
		n = strlen(api[i]);
		if (!strncmp(path, api[i], n) && (path[n] == '/' || !path[n]))
			return 1;
	}
	return 0;
}

static int grow(void **v, size_t *cap, size_t n, size_t size)
{
	void *p;
	size_t c;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 256;
	if (!(p = realloc(*v, c * size)))
		return -ENOMEM;
	*v = p;
	*cap = c;
	return 0;
}

int learn_note(struct learn *l, const char *path, const char *prog, int pid, unsigned flags,
	       unsigned long long size)
{
	size_t i = (size_t)strmap_get(&l->files, path);
	struct learn_file *f;

	if (!learn_nameable(path))
		return -EINVAL;
	if (i) {
		/* new or not is what the first sight said */
		l->f[i - 1].flags |= flags & ~LEARN_NEW;
		l->f[i - 1].size = size;
		return 0;
	}
	if (grow((void **)&l->f, &l->capf, l->nf, sizeof *l->f))
		return -ENOMEM;
	f = &l->f[l->nf];
	memset(f, 0, sizeof *f);
	if (!(f->path = arena_strdup(&l->arena, path)) ||
	    (prog && !(f->prog = arena_strdup(&l->arena, prog))))
		return -ENOMEM;
	f->pid = pid;
	f->flags = flags;
	f->size = size;
	f->seq = l->nf;
	if (strmap_put(&l->files, f->path, (void *)(l->nf + 1)))
		return -ENOMEM;
	l->nf++;
	return 0;
}

int learn_note_dir(struct learn *l, const char *path, mode_t mode)
{
	struct learn_dir *d;

	if (!learn_nameable(path))
		return -EINVAL;
	if (strmap_get(&l->dirs, path))
		return 0;
	if (grow((void **)&l->d, &l->capd, l->nd, sizeof *l->d))
		return -ENOMEM;
	d = &l->d[l->nd];
	if (!(d->path = arena_strdup(&l->arena, path)))
		return -ENOMEM;
	d->mode = mode & 07777;
	if (strmap_put(&l->dirs, d->path, (void *)(l->nd + 1)))
		return -ENOMEM;
	l->nd++;
	return 0;
}

static int put_key(struct learn *l, struct strmap *m, const char *path, size_t n)
{
	char *k;

	if (strmap_get(m, path) && !path[n])
		return 0;
	if (!(k = arena_strndup(&l->arena, path, n)))
		return -ENOMEM;
	return strmap_put(m, k, (void *)1);
}

int learn_skip(struct learn *l, const char *path)
{
	if (!manifest_has_glob(path))
		return put_key(l, &l->known, path, strlen(path));
	if (grow((void **)&l->globs, &l->capglobs, l->nglobs, sizeof *l->globs))
		return -ENOMEM;
	if (!(l->globs[l->nglobs] = arena_strdup(&l->arena, path)))
		return -ENOMEM;
	l->nglobs++;
	return 0;
}

int learn_skip_manifest(struct learn *l, const struct manifest *m)
{
	char tree[4096];
	size_t i;
	int r;

	for (i = 0; i < m->n; i++) {
		const struct mf_entry *e = &m->e[i];

		switch (e->kind) {
		case MF_TREE:
			/* the parser keeps a tree's path without its '/' */
			r = snprintf(tree, sizeof tree, "%s/", e->path);
			if (r < 0 || (size_t)r >= sizeof tree)
				continue;
			if (!strcmp(e->path, "/"))
				tree[1] = 0;
			if ((r = learn_skip(l, tree)))
				return r;
			break;
		case MF_PATH:
		case MF_DIR:
		case MF_SYMLINK:
			if ((r = learn_skip(l, e->path)))
				return r;
			break;
		case MF_LIB:
		case MF_MODULE:
			break;
		}
	}
	return 0;
}

/* A glob line against a path, one component at a time; a pattern ending
 * in '/' (a tree) covers everything under what it matches. */
static int glob_covers(const char *pat, const char *path)
{
	char pc[256], sc[256];
	size_t pn, sn;

	for (;;) {
		while (*pat == '/')
			pat++;
		while (*path == '/')
			path++;
		if (!*pat)
			return !*path;
		if (!*path)
			return 0;
		pn = strcspn(pat, "/");
		sn = strcspn(path, "/");
		if (pn >= sizeof pc || sn >= sizeof sc)
			return 0;
		memcpy(pc, pat, pn);
		pc[pn] = 0;
		memcpy(sc, path, sn);
		sc[sn] = 0;
		if (!match_glob(pc, sc))
			return 0;
		pat += pn;
		path += sn;
		/* "/a/b/" covers "/a/b/c": the pattern is used up after its '/' */
		if (*pat == '/' && !pat[1])
			return 1;
	}
}

/* The path itself, or a tree "DIR/" above it, in m. */
static int covered(const struct strmap *m, const char *path)
{
	char buf[4096];
	size_t n = strlen(path), i;

	if (strmap_get(m, path))
		return 1;
	if (n + 1 >= sizeof buf)
		return 0;
	/* the tree's own directory */
	memcpy(buf, path, n);
	memcpy(buf + n, "/", 2);
	if (strmap_get(m, buf))
		return 1;
	buf[n] = 0;
	for (i = n; i > 0; i--)
		if (buf[i - 1] == '/') {
			char c = buf[i];
			buf[i] = 0;
			if (strmap_get(m, buf))
				return 1;
			buf[i] = c;
		}
	return 0;
}

int learn_known(const struct learn *l, const char *path)
{
	size_t i;

	if (covered(&l->known, path))
		return 1;
	for (i = 0; i < l->nglobs; i++)
		if (glob_covers(l->globs[i], path))
			return 1;
	return 0;
}

int learn_old(struct learn *l, const char *text)
{
	const char *s = text, *w;
	size_t n;
	int r;

	while (*s) {
		size_t len = strcspn(s, "\n");
		const char *end = s + len;

		/* the first word, after an optional mark ("?", "? ", "optional") */
		w = s + strspn(s, " \t");
		if (*w == '?')
			w++;
		else if (!strncmp(w, "optional", 8) && (w[8] == ' ' || w[8] == '\t'))
			w += 8;
		w += strspn(w, " \t");
		if (!strncmp(w, "dir", 3) && (w[3] == ' ' || w[3] == '\t')) {
			w += 3;
			w += strspn(w, " \t");
		}
		if (*w == '/' && w < end) {
			n = strcspn(w, " \t\n");
			if ((r = put_key(l, &l->old, w, n)))
				return r;
		}
		s = *end ? end + 1 : end;
	}
	return 0;
}

struct line {
	const char *path;
	const char *prog;
	size_t gseq;
	int pid;
};

struct group {
	size_t seq;
	int pid;
};

static int by_group(const void *a, const void *b)
{
	const struct line *x = a, *y = b;

	if (x->gseq != y->gseq)
		return x->gseq < y->gseq ? -1 : 1;
	return strcmp(x->path, y->path);
}

static int by_dir(const void *a, const void *b)
{
	return strcmp(((const struct learn_dir *)a)->path, ((const struct learn_dir *)b)->path);
}

/* The text grows here: vsnprintf into a doubling buffer (open_memstream
 * and its FILE machinery would cost the init a kilobyte). */
struct out {
	char *s;
	size_t n, cap;
	int err;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		if (o->err)
			return;
		va_start(ap, fmt);
		n = vsnprintf(o->s + o->n, o->cap - o->n, fmt, ap);
		va_end(ap);
		if (n < 0) {
			o->err = -EINVAL;
			return;
		}
		if ((size_t)n < o->cap - o->n) {
			o->n += (size_t)n;
			return;
		}
		{
			size_t c = (o->cap + (size_t)n + 1) * 2;
			char *p = realloc(o->s, c);

			if (!p) {
				o->err = -ENOMEM;
				return;
			}
			o->s = p;
			o->cap = c;
		}
	}
}

int learn_text(struct learn *l, const char *old, const char *date, const char *what, char **out,
	       struct learn_totals *t)
{
	struct line *ln = NULL;
	struct learn_dir *dl = NULL;
	struct strmap groups = { 0 };
	size_t i, n = 0, nd = 0;
	struct out o = { NULL, 0, 0, 0 };
	const char *gprog = NULL;
	size_t gseq = (size_t)-1;
	int r = -ENOMEM;

	memset(t, 0, sizeof *t);
	*out = NULL;
	if (l->nf && !(ln = malloc(l->nf * sizeof *ln)))
		return -ENOMEM;
	if (l->nd && !(dl = malloc(l->nd * sizeof *dl)))
		goto done;
	for (i = 0; i < l->nf; i++) {
		const struct learn_file *e = &l->f[i];
		const char *key = e->prog ? e->prog : "";
		struct group *g;

		/* a group is a program, in the order the programs were first
		 * seen (the command's own first), headed by its first pid,
		 * whatever of it is left out */
		if (!(g = strmap_get(&groups, key))) {
			if (!(g = arena_alloc(&l->arena, sizeof *g)))
				goto done;
			g->seq = e->seq;
			g->pid = e->pid;
			if (strmap_put(&groups, key, g))
				goto done;
		}
		if (learn_is_api(e->path)) {
			t->api++;
			continue;
		}
		if (e->flags & LEARN_GONE) {
			t->gone++;
			continue;
		}
		if ((e->flags & (LEARN_WRITTEN | LEARN_NEW)) == (LEARN_WRITTEN | LEARN_NEW)) {
			t->created++;
			continue;
		}
		if (learn_known(l, e->path)) {
			t->base++;
			continue;
		}
		t->files++;
		t->bytes += e->size;
		if (covered(&l->old, e->path))
			continue;
		ln[n++] = (struct line){ e->path, e->prog, g->seq, g->pid };
	}
	for (i = 0; i < l->nd; i++) {
		const struct learn_dir *d = &l->d[i];

		if (!strcmp(d->path, "/") || learn_is_api(d->path) || learn_known(l, d->path))
			continue;
		t->dirs++;
		if (!strmap_get(&l->old, d->path))
			dl[nd++] = *d;
	}
	t->added = n + nd;
	if (ln)
		qsort(ln, n, sizeof *ln, by_group);
	if (dl)
		qsort(dl, nd, sizeof *dl, by_dir);

	if (!old)
		old = "";
	if (*old && !t->added) {
		*out = strdup(old);
		r = *out ? 0 : -ENOMEM;
		goto done;
	}
	if (*old) {
		put(&o, "%s%s", old, old[strlen(old) - 1] != '\n' ? "\n" : "");
		put(&o, "\n# learned again on %s, from: %s\n", date, what);
	} else {
		put(&o, "# Learned by `root2ram learn` on %s, from: %s\n"
			   "# Every file the run opened, executed or mapped, by the program that\n"
			   "# used it first; what base brings, the API file systems and the files\n"
			   "# the run created are left out.  Learning again with -o this file adds\n"
			   "# what this run did not see.\n"
			   "include base\n",
			date, what);
	}
	for (i = 0; i < n; i++) {
		if (ln[i].gseq != gseq || i == 0) {
			gseq = ln[i].gseq;
			gprog = ln[i].prog;
			if (gprog)
				put(&o, "\n# used by %s (pid %d)\n", gprog, ln[i].pid);
			else
				put(&o, "\n# used by a process that had exited (pid %d)\n", ln[i].pid);
		}
		put(&o, "%s\n", ln[i].path);
	}
	if (nd)
		put(&o, "\n# written to: the directories, not what the run wrote in them\n");
	for (i = 0; i < nd; i++)
		put(&o, "dir %s %04o\n", dl[i].path, (unsigned)dl[i].mode);
	if ((r = o.err) < 0)
		free(o.s);
	else
		*out = o.s;
done:
	free(ln);
	free(dl);
	strmap_free(&groups);
	return r;
}
