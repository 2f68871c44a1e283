/* modules.c - see modules.h. */
/* 64-bit ino_t with 32-bit glibc too (the armel unit tests) */
#define _FILE_OFFSET_BITS 64
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/file.h"
#include "lib/log.h"
#include "lib/match.h"
#include "stage/manifest.h"
#include "stage/modules.h"
#include "stage/plan.h"

#define NAME_MAX_ 64

static void norm(char *s)
{
	for (; *s; s++)
		if (*s == '-')
			*s = '_';
}

char *mod_name(char *out, size_t size, const char *s)
{
	const char *b = strrchr(s, '/');
	size_t n;

	b = b ? b + 1 : s;
	n = strcspn(b, ".");
	if (n >= size)
		n = size - 1;
	memcpy(out, b, n);
	out[n] = '\0';
	norm(out);
	return out;
}

/* The next line of *p, cut in place; NULL at the end. */
static char *line_of(char **p)
{
	char *l = *p, *nl;

	if (!*l)
		return NULL;
	nl = l + strcspn(l, "\n");
	*p = *nl ? nl + 1 : nl;
	*nl = '\0';
	return l;
}

/* The next blank-separated word of *s, cut in place; NULL at the end. */
static char *word(char **s)
{
	char *w = *s + strspn(*s, " \t\r"), *e;

	if (!*w)
		return NULL;
	e = w + strcspn(w, " \t\r");
	*s = *e ? e + 1 : e;
	*e = '\0';
	return w;
}

static void put_name(struct mod_index *x, struct strmap *m, const char *path, void *val)
{
	char n[NAME_MAX_], *k;

	mod_name(n, sizeof n, path);
	if ((k = arena_strdup(&x->arena, n)))
		strmap_put(m, k, val);
}

void mod_index_dep(struct mod_index *x, char *text)
{
	char *l, *c;

	while ((l = line_of(&text)))
		if ((c = strchr(l, ':')) && c > l) {
			*c = '\0';
			put_name(x, &x->dep, l, l);
			*c = ':';
		}
}

void mod_index_alias(struct mod_index *x, char *text)
{
	char *l, *w, *pat, *name;

	while ((l = line_of(&text))) {
		if (!(w = word(&l)) || strcmp(w, "alias") || !(pat = word(&l)) || !(name = word(&l)))
			continue;
		if (x->nalias == x->capalias) {
			size_t cap = x->capalias ? x->capalias * 2 : 256;
			struct mod_alias *a = realloc(x->alias, cap * sizeof *a);
			if (!a)
				return;
			x->alias = a;
			x->capalias = cap;
		}
		norm(name);
		x->alias[x->nalias].pat = pat;
		x->alias[x->nalias++].name = name;
	}
}

void mod_index_softdep(struct mod_index *x, char *text)
{
	char *l, *w, *name;

	while ((l = line_of(&text)))
		if ((w = word(&l)) && !strcmp(w, "softdep") && (name = word(&l)))
			put_name(x, &x->softdep, name, l);
}

void mod_index_builtin(struct mod_index *x, char *text)
{
	char *l, *w;

	while ((l = line_of(&text)))
		if ((w = word(&l)))
			put_name(x, &x->builtin, w, "");
}

void mod_index_free(struct mod_index *x)
{
	strmap_free(&x->dep);
	strmap_free(&x->softdep);
	strmap_free(&x->builtin);
	free(x->alias);
	arena_free(&x->arena);
	memset(x, 0, sizeof *x);
}

const char *mod_dep(const struct mod_index *x, const char *name)
{
	char n[NAME_MAX_];

	return strmap_get(&x->dep, mod_name(n, sizeof n, name));
}

const char *mod_alias_match(const struct mod_index *x, const char *modalias, size_t *i)
{
	for (; *i < x->nalias; ++*i)
		if (match_glob(x->alias[*i].pat, modalias))
			return x->alias[(*i)++].name;
	return NULL;
}

int mod_list(char *text, int (*fn)(void *ctx, const char *name, int line), void *ctx)
{
	char *l, *w;
	int n = 0, r;

	while ((l = line_of(&text)))
		if (++n, (w = word(&l)) && *w != '#' && *w != ';' && (r = fn(ctx, w, n)))
			return r;
	return 0;
}

int mod_fstab(char *text, int (*fn)(void *ctx, const char *name, int line), void *ctx)
{
	char *l, *w;
	int n = 0, r;

	while ((l = line_of(&text)))
		if (++n, (w = word(&l)) && *w != '#' && word(&l) && (w = word(&l)) && (r = fn(ctx, w, n)))
			return r;
	return 0;
}

void mod_firmware(const char *data, size_t n, void (*fn)(void *ctx, const char *name), void *ctx)
{
	/* .modinfo is "key=value" strings, each after a NUL */
	for (size_t i = 1; i + 9 < n; i++)
		if (!data[i - 1] && !memcmp(data + i, "firmware=", 9) && data[i + 9] &&
		    memchr(data + i + 9, '\0', n - i - 9))
			fn(ctx, data + i + 9);
}

void mod_modinfo(char *text, void (*fn)(void *ctx, const char *key, const char *value), void *ctx)
{
	char *l, *v;

	while ((l = line_of(&text)))
		if (*(v = l + strcspn(l, ":"))) {
			*v++ = '\0';
			fn(ctx, l, v + strspn(v, " \t"));
		}
}

/* --- planning -------------------------------------------------------------------- */

struct mods {
	struct plan *p;
	struct mod_index x;
	struct strmap want, load; /* names planned; names in the load list */
	char dir[128];            /* /lib/modules/RELEASE */
	const char *at, *why;     /* the line asking, for warnings; the reason in the plan */
	char *list;               /* the load list: a name a line */
	size_t len, cap;
	int fw_missing, fw_all;
	char fw_first[96];
	struct packed {           /* compressed modules, for modinfo */
		const char *rel, *why, *at;
	} *xz;
	size_t nxz, capxz;
};

/* A file of the root, whole and NUL-terminated, *len bytes: in the index's
 * arena (freed with it) when keep, else malloc'ed; NULL if it is not a
 * regular file. */
static char *slurp(struct mods *s, const char *path, size_t *len, int keep)
{
	struct stat st;
	char *buf = NULL;
	ssize_t n = 0;
	int fd = rootfs_openat(s->p->root, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return NULL;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size < (64 << 20) &&
	    (buf = keep ? arena_alloc(&s->x.arena, (size_t)st.st_size + 1) : malloc((size_t)st.st_size + 1))) {
		n = read_full(fd, buf, (size_t)st.st_size);
		buf[n > 0 ? n : 0] = '\0';
	}
	close(fd);
	if (len)
		*len = n > 0 ? (size_t)n : 0;
	return buf;
}

static void on_firmware(void *ctx, const char *name)
{
	static const char *const ext[] = { "", ".xz", ".zst" };
	struct mods *s = ctx;
	char path[512];
	int found = 0;

	for (size_t i = 0; i < sizeof ext / sizeof *ext; i++)
		if ((size_t)snprintf(path, sizeof path, "/lib/firmware/%s%s", name, ext[i]) < sizeof path)
			found += plan_add_path(s->p, path, s->why);
	s->fw_all++;
	if (!found && !s->fw_missing++)
		snprintf(s->fw_first, sizeof s->fw_first, "%s", name);
}

/* The firmware of one module read: one line for what is missing. */
static void fw_done(struct mods *s, const char *rel)
{
	if (s->fw_missing)
		plan_warn(s->p, s->at, "%s: %d of its %d firmware files (%s%s) are not in /lib/firmware; "
				       "install them, or ignore this if the device is absent",
			  rel, s->fw_missing, s->fw_all, s->fw_first, s->fw_missing > 1 ? ", ..." : "");
	s->fw_missing = s->fw_all = 0;
}

/* A module file (relative to the modules directory) and its firmware. */
static void add_file(struct mods *s, const char *rel)
{
	char path[512], *data;
	size_t l;

	snprintf(path, sizeof path, "%s/%s", s->dir, rel);
	if (!plan_add_path(s->p, path, s->why)) {
		plan_warn(s->p, s->at, "%s is listed in modules.dep but not in the root; run depmod", path);
		return;
	}
	l = strlen(path);
	if (l < 3 || strcmp(path + l - 3, ".ko")) {
		/* .ko.xz, .ko.zst: their .modinfo is compressed too: modinfo reads it */
		if (s->nxz == s->capxz) {
			size_t cap = s->capxz * 2 + 16;
			struct packed *x = realloc(s->xz, cap * sizeof *x);
			if (!x)
				return;
			s->xz = x;
			s->capxz = cap;
		}
		s->xz[s->nxz++] = (struct packed){ arena_strdup(&s->p->arena, rel), s->why, s->at };
		return;
	}
	if ((data = slurp(s, path, &l, 0)))
		mod_firmware(data, l, on_firmware, s);
	free(data);
	fw_done(s, rel);
}

struct modinfo {
	struct mods *s;
	size_t from, n, cur; /* the modules of this run; the one being read (n: none) */
};

/* "filename: PATH" starts a module's lines; "firmware: NAME" is one of its. */
static void on_modinfo(void *ctx, const char *key, const char *v)
{
	struct modinfo *mi = ctx;
	struct packed *x = mi->s->xz + mi->from;

	if (!strcmp(key, "filename")) {
		if (mi->cur < mi->n)
			fw_done(mi->s, x[mi->cur].rel);
		for (mi->cur = 0; mi->cur < mi->n; mi->cur++) {
			size_t vl = strlen(v), rl = strlen(x[mi->cur].rel);
			if (vl > rl && v[vl - rl - 1] == '/' && !strcmp(v + vl - rl, x[mi->cur].rel))
				break;
		}
		if (mi->cur < mi->n) {
			mi->s->why = x[mi->cur].why;
			mi->s->at = x[mi->cur].at;
		}
	} else if (mi->cur < mi->n && !strcmp(key, "firmware") && *v) {
		on_firmware(mi->s, v);
	}
}

/* The firmware of the compressed modules from their "filename:" and
 * "firmware:" lines of modinfo (kmod's reads any architecture's modules):
 * the root's own at boot, the server's for a root elsewhere; one run for
 * up to 64 modules.  0, or -1 if modinfo could not run. */
static int modinfo_firmware(struct mods *s, size_t from, size_t n)
{
	const char *dir = strcmp(s->p->root->dir, "/") ? s->p->root->dir : "";
	char *argv[64 + 2], path[512], c[512], full[4608], *out = NULL, *q;
	struct modinfo mi = { s, from, n, n };
	size_t len = 0, cap = 0;
	int fd[2], st = 0, a = 0;
	ssize_t r;
	pid_t pid;

	argv[a++] = *dir ? "modinfo" : "/sbin/modinfo";
	for (size_t i = from; i < from + n; i++) {
		snprintf(path, sizeof path, "%s/%s", s->dir, s->xz[i].rel);
		if (rootfs_realpath(s->p->root, path, c, sizeof c, 0, NULL, NULL) == 0) {
			snprintf(full, sizeof full, "%s%s", dir, c);
			argv[a++] = arena_strdup(&s->x.arena, full);
		}
	}
	argv[a] = NULL;
	if (pipe2(fd, O_CLOEXEC) < 0)
		return -1;
	if ((pid = fork()) == 0) {
		dup2(fd[1], 1);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fd[1]);
	do {
		if (len + 4096 > cap) {
			if (cap > (16 << 20) || !(q = realloc(out, cap * 2 + 65536)))
				break;
			out = q;
			cap = cap * 2 + 65536;
		}
		r = read(fd[0], out + len, cap - len - 1);
		len += r > 0 ? (size_t)r : 0;
	} while (r > 0 || (r < 0 && errno == EINTR));
	close(fd[0]);
	while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (pid < 0 || !out || !WIFEXITED(st) || WEXITSTATUS(st) == 127) {
		free(out);
		return -1;
	}
	out[len] = '\0';
	mod_modinfo(out, on_modinfo, &mi);
	if (mi.cur < n)
		fw_done(s, s->xz[from + mi.cur].rel);
	free(out);
	return 0;
}

/* 1: planned (now or before), 0: built into the kernel, -ENOENT: neither. */
static int want(struct mods *s, const char *name, int depth)
{
	char n[NAME_MAX_], *k, *q, *w;
	const char *line, *soft;

	mod_name(n, sizeof n, name);
	if (strmap_get(&s->want, n))
		return 1;
	if (!(line = strmap_get(&s->x.dep, n)))
		return strmap_get(&s->x.builtin, n) ? 0 : -ENOENT;
	if (!(k = arena_strdup(&s->p->arena, n)) || strmap_put(&s->want, k, k) ||
	    !(q = arena_strdup(&s->x.arena, line)))
		return -ENOMEM;
	while ((w = word(&q))) {
		size_t l = strlen(w);
		if (w[l - 1] == ':')
			w[l - 1] = '\0';
		if (*w)
			add_file(s, w);
	}
	if (depth < 8 && (soft = strmap_get(&s->x.softdep, n)) && (q = arena_strdup(&s->x.arena, soft)))
		while ((w = word(&q)))
			if (strcmp(w, "pre:") && strcmp(w, "post:"))
				want(s, w, depth + 1);
	return 1;
}

/* A module asked for by `src` (a "FILE:LINE", or what coldplug matched);
 * at: the line for warnings, NULL when a missing one is no news. */
static void ask(struct mods *s, const char *name, const char *at, const char *src)
{
	char why[512], n[NAME_MAX_];
	int r;

	mod_name(n, sizeof n, name);
	snprintf(why, sizeof why, "module %s (%s)", n, src);
	if (!(s->why = arena_strdup(&s->p->arena, why)))
		return;
	s->at = at;
	r = want(s, n, 0);
	if (r == -ENOENT && at)
		plan_warn(s->p, at, "module %s is not in %s (modules.dep) nor built in; check the name, or "
				    "drop the line", name, s->dir);
	if (r == 1 && !strmap_get(&s->load, n)) {
		size_t l = strlen(n);
		char *k = arena_strdup(&s->p->arena, n);
		if (s->len + l + 2 > s->cap) {
			size_t cap = s->cap * 2 + l + 256;
			char *list = realloc(s->list, cap);
			if (!list)
				return;
			s->list = list;
			s->cap = cap;
		}
		if (!k || strmap_put(&s->load, k, k))
			return;
		memcpy(s->list + s->len, n, l);
		s->len += l;
		s->list[s->len++] = '\n';
		s->list[s->len] = '\0';
	}
}

struct listfile {
	struct mods *s;
	const char *path;
	int quiet; /* fstab: a file system that is no module is no news */
};

static int on_name(void *ctx, const char *name, int line)
{
	struct listfile *f = ctx;
	char at[512];
	const char *a;

	snprintf(at, sizeof at, "%s:%d", f->path, line);
	if ((a = arena_strdup(&f->s->p->arena, at)))
		ask(f->s, name, f->quiet ? NULL : a, a);
	return 0;
}

static void read_list(struct mods *s, const char *path, int fstab)
{
	struct listfile f = { s, path, fstab };
	char *t = slurp(s, path, NULL, 1);

	if (t)
		(fstab ? mod_fstab : mod_list)(t, on_name, &f);
}

/* A directory of the root, for readdir; NULL if there is none. */
static DIR *opendir_in(struct mods *s, const char *path)
{
	int fd = rootfs_openat(s->p->root, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);

	if (fd >= 0 && !d)
		close(fd);
	return d;
}

struct conf {
	const char *dir, *name;
};

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct conf *)a)->name, ((const struct conf *)b)->name);
}

/* /etc/modules, then the modules-load.d files in name order, a name in an
 * earlier directory hiding the same name in a later one (modules-load.d(5)). */
static void modules_load_d(struct mods *s)
{
	static const char *const dirs[] = { "/etc/modules-load.d", "/run/modules-load.d",
					    "/usr/local/lib/modules-load.d", "/usr/lib/modules-load.d",
					    "/lib/modules-load.d" };
	struct conf c[256];
	struct strmap seen = { 0 };
	char path[512];
	size_t n = 0;

	read_list(s, "/etc/modules", 0);
	for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
		struct dirent *e;
		DIR *d = opendir_in(s, dirs[i]);
		if (!d)
			continue;
		while ((e = readdir(d)) && n < sizeof c / sizeof *c) {
			size_t l = strlen(e->d_name);
			char *k;
			if (l < 6 || strcmp(e->d_name + l - 5, ".conf") || strmap_get(&seen, e->d_name) ||
			    !(k = arena_strdup(&s->x.arena, e->d_name)) || strmap_put(&seen, k, k))
				continue;
			c[n].dir = dirs[i];
			c[n++].name = k;
		}
		closedir(d);
	}
	strmap_free(&seen);
	qsort(c, n, sizeof *c, by_name);
	for (size_t i = 0; i < n; i++) {
		char real[512];
		const char *a;
		snprintf(path, sizeof path, "%s/%s", c[i].dir, c[i].name);
		/* Debian's modules.conf is a link to /etc/modules, read already */
		if (rootfs_realpath(s->p->root, path, real, sizeof real, 0, NULL, NULL) == 0 &&
		    strcmp(real, "/etc/modules") && (a = arena_strdup(&s->x.arena, path)))
			read_list(s, a, 0);
	}
}

/* The modalias of each device linked in the directory `path`, each once. */
static void coldplug_dir(struct mods *s, const char *path, struct strmap *seen)
{
	char buf[512], src[600], name[300];
	struct dirent *e;
	DIR *d = opendir(path);

	if (!d)
		return;
	while ((e = readdir(d))) {
		const char *mod;
		char *k;
		size_t i = 0;
		snprintf(name, sizeof name, "%.200s/modalias", e->d_name);
		if (e->d_name[0] == '.' || read_text_at(dirfd(d), name, buf, sizeof buf) <= 0)
			continue;
		buf[strcspn(buf, "\n")] = '\0';
		if (!buf[0] || strmap_get(seen, buf) || !(k = arena_strdup(&s->x.arena, buf)) ||
		    strmap_put(seen, k, k))
			continue;
		snprintf(src, sizeof src, "device %s", buf);
		while ((mod = mod_alias_match(&s->x, buf, &i)))
			ask(s, mod, NULL, src);
	}
	closedir(d);
}

/* udev's coldplug: the modalias of every device of the running system's
 * sysfs (not the root's: it is the device that boots) on a bus, and of
 * the input devices (a class of their own).  /sys/bus/BUS/devices links to
 * them: walking /sys/devices whole takes seconds on a slow board. */
static void coldplug(struct mods *s, const char *sys)
{
	struct strmap seen = { 0 };
	struct dirent *b;
	char path[512];
	DIR *bus;

	snprintf(path, sizeof path, "%s/bus", sys);
	if ((bus = opendir(path))) {
		while ((b = readdir(bus)))
			if (b->d_name[0] != '.') {
				snprintf(path, sizeof path, "%s/bus/%.200s/devices", sys, b->d_name);
				coldplug_dir(s, path, &seen);
			}
		closedir(bus);
	}
	snprintf(path, sizeof path, "%s/class/input", sys);
	coldplug_dir(s, path, &seen);
	strmap_free(&seen);
}

void plan_modules(struct plan *p, const struct manifest *m)
{
	static const char *const index[] = { "modules.softdep", "modules.builtin", "modules.alias" };
	void (*const parse[])(struct mod_index *, char *) = { mod_index_softdep, mod_index_builtin,
							      mod_index_alias };
	struct mods s;
	struct dirent *e;
	char path[512], *t;
	DIR *d;

	memset(&s, 0, sizeof s);
	s.p = p;
	snprintf(s.dir, sizeof s.dir, "/lib/modules/%s", p->kernel);
	snprintf(path, sizeof path, "%s/modules.dep", s.dir);
	if (!(t = slurp(&s, path, NULL, 1))) {
		warn("no %s in %s: no kernel modules are staged, and modprobe fails in RAM; install the "
		     "kernel's modules there, or set root2ram.modules=no", path, p->root->dir);
		goto out;
	}
	mod_index_dep(&s.x, t);
	for (size_t i = 0; i < sizeof index / sizeof *index; i++) {
		snprintf(path, sizeof path, "%s/%s", s.dir, index[i]);
		if ((i < 2 || p->sysfs) && (t = slurp(&s, path, NULL, 1)))
			parse[i](&s.x, t);
	}
	for (size_t i = 0; i < m->n; i++)
		if (m->e[i].kind == MF_MODULE) {
			char at[512], src[300];
			const char *a, *b;
			snprintf(at, sizeof at, "%s:%d", m->e[i].where, m->e[i].line);
			snprintf(src, sizeof src, "%s:%d", m->e[i].file, m->e[i].line);
			if ((a = arena_strdup(&p->arena, at)) && (b = arena_strdup(&p->arena, src)))
				ask(&s, m->e[i].path, m->e[i].flags & MF_OPTIONAL ? NULL : a, b);
		}
	modules_load_d(&s);
	read_list(&s, "/etc/fstab", 1);
	if (p->sysfs)
		coldplug(&s, p->sysfs);
	/* the indexes, listed here: a wildcard reads the head of each file */
	if ((d = opendir_in(&s, s.dir))) {
		while ((e = readdir(d)))
			if (!strncmp(e->d_name, "modules.", 8)) {
				snprintf(path, sizeof path, "%s/%.200s", s.dir, e->d_name);
				plan_add_path(p, path, "the module indexes, for modprobe");
			}
		closedir(d);
	}
	for (size_t i = 0; i < s.nxz; i += 64)
		if (modinfo_firmware(&s, i, s.nxz - i < 64 ? s.nxz - i : 64) < 0) {
			info("no modinfo ran to read the firmware of %zu compressed module%s; name it in a "
			     "manifest (e.g. ? /lib/firmware/brcm/)", s.nxz - i, s.nxz - i == 1 ? "" : "s");
			break;
		}
	p->modules_load = arena_strdup(&p->arena, s.list ? s.list : "");
out:
	mod_index_free(&s.x);
	strmap_free(&s.want);
	strmap_free(&s.load);
	free(s.list);
	free(s.xz);
}
