/* plan.c - see plan.h. */
/* 64-bit d_off and off_t with 32-bit glibc too (the armel unit tests): readdir
 * of ext4 under qemu-user fails with EOVERFLOW without it */
#define _FILE_OFFSET_BITS 64
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/match.h"
#include "lib/paths.h"
#include "ldso/resolve.h"
#include "stage/modules.h"
#include "stage/nss.h"
#include "stage/plan.h"

#define PATHMAX 4096
/* Linux BINPRM_BUF_SIZE: the kernel reads this much of a file to tell a
 * script's "#!" line; a longer line is cut there. */
#define HEADMAX 256
#define MISSMAX (2 * PATHMAX + 32)
/* Linux (binfmt_script, search_binary_handler): an interpreter may be a
 * script itself, four levels deep at most. */
#define SCRIPT_DEPTH 4

/* An ELF file or a script found in a tree or by a wildcard: its closure or
 * interpreter is planned by plan_finish, once every manifest line was
 * (so libraries keep the reason of the programs named on their own line,
 * and `lib` lines are searched as the first named program would). */
struct plan_todo {
	const char *path, *why, *at;
	const char *interp; /* a script's; NULL for an ELF file */
};

const char *const plan_type_name[] = { "dir", "file", "symlink", "hardlink" };

void plan_init(struct plan *p, const struct rootfs *root)
{
	memset(p, 0, sizeof *p);
	p->root = root;
}

void plan_free(struct plan *p)
{
	if (p->res)
		resolver_free(p->res);
	free(p->e);
	free(p->todo);
	strmap_free(&p->index);
	arena_free(&p->arena);
	p->e = NULL;
	p->todo = NULL;
	p->n = p->cap = p->ntodo = p->captodo = 0;
	p->res = NULL;
}

__attribute__((format(printf, 2, 3))) static void plan_error(struct plan *p, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (p->quiet) /* the plan's own errors are shown while the resolver is muted */
		log_set_level((enum log_level)(p->quiet - 1));
	if (p->at)
		error("%s: %s", p->at, msg);
	else
		error("%s", msg);
	if (p->quiet)
		log_set_level(LOG_FATAL);
	p->errors++;
}

/* "root2ram: warning: FILE:LINE: what; what to do", counted. */
void plan_warn(struct plan *p, const char *at, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (p->quiet)
		log_set_level((enum log_level)(p->quiet - 1));
	if (at)
		warn("%s: %s", at, msg);
	else
		warn("%s", msg);
	if (p->quiet)
		log_set_level(LOG_FATAL);
	p->warnings++;
}

int plan_warnings(const struct plan *p)
{
	return p->warnings;
}

/* --- the index: path -> entry ------------------------------------------------- */

static struct plan_entry *lookup(const struct plan *p, const char *path)
{
	uintptr_t i = (uintptr_t)strmap_get(&p->index, path);

	return i ? &p->e[i - 1] : NULL;
}

const struct plan_entry *plan_find(const struct plan *p, const char *path)
{
	return lookup(p, path);
}

/* After the entries moved (sorted): the paths are the same strings. */
static int reindex(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (strmap_put(&p->index, p->e[i].path, (void *)(uintptr_t)(i + 1)))
			return -ENOMEM;
	return 0;
}

/* --- adding entries --------------------------------------------------------- */

static int add_parents(struct plan *p, const char *path);

/* Put e in the plan, unless its path is there already: then the same thing
 * twice is one entry, and two different things are a conflict.  The
 * entry's parents are added too.  Returns the planned entry or NULL. */
static struct plan_entry *put(struct plan *p, const struct plan_entry *e, int parents)
{
	struct plan_entry *old;

	if (parents && add_parents(p, e->path))
		return NULL;
	if ((old = lookup(p, e->path))) {
		if (e->flags & PLAN_WEAK) {
			if ((old->flags & PLAN_WEAK) && strcmp(old->target, e->target))
				plan_warn(p, p->at, "%s is linked to %s (%s) and to %s (%s); the first "
						    "is kept: drop one of the links lines",
					  e->path, old->target, old->why, e->target, e->why);
			return old;
		}
		if (old->flags & PLAN_WEAK) { /* a real file over a `links` default */
			*old = *e;
			old->at = p->at;
			return old;
		}
		if (old->type == e->type &&
		    (e->type != PLAN_SYMLINK || !strcmp(old->target, e->target))) {
			if (e->type == PLAN_DIR && e->why && old->why == NULL) {
				/* `dir PATH MODE` sets the mode of a parent directory */
				old->mode = (old->mode & ~(mode_t)07777) | (e->mode & 07777);
				old->why = e->why;
				old->flags |= e->flags & PLAN_RUNTIME;
			} else if (e->type == PLAN_DIR && e->why && (old->mode & 07777) != (e->mode & 07777)) {
				plan_warn(p, p->at, "%s is planned as dir %04o (%s) and as dir %04o (%s); "
						    "the first is kept: give it one mode",
					  e->path, (unsigned)(old->mode & 07777), old->why,
					  (unsigned)(e->mode & 07777), e->why);
			} else if (e->type == PLAN_FILE && old->src && e->src && strcmp(old->src, e->src)) {
				plan_warn(p, p->at, "%s is planned from %s (%s) and from %s (%s); the "
						    "first is kept: keep one",
					  e->path, old->src, old->why ? old->why : "parent", e->src,
					  e->why ? e->why : "parent");
			}
			return old;
		}
		plan_error(p, "%s is planned as %s%s%s (%s) and as %s%s%s (%s); keep one", e->path,
			   plan_type_name[old->type], old->target ? " -> " : "",
			   old->target ? old->target : "", old->why ? old->why : "parent directory",
			   plan_type_name[e->type], e->target ? " -> " : "", e->target ? e->target : "",
			   e->why ? e->why : "parent directory");
		return NULL;
	}
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 512;
		struct plan_entry *ne = realloc(p->e, cap * sizeof *ne);
		if (!ne)
			goto nomem;
		p->e = ne;
		p->cap = cap;
	}
	if (strmap_put(&p->index, e->path, (void *)(uintptr_t)(p->n + 1)))
		goto nomem;
	old = &p->e[p->n++];
	*old = *e;
	old->at = p->at;
	return old;
nomem:
	plan_error(p, "out of memory");
	return NULL;
}

/* rootfs_openat() of "/" itself (the root fd is O_PATH). */
static int root_open(const struct plan *p, const char *path, int flags)
{
	if (path[0] == '\0' || !strcmp(path, "/")) {
		int fd = openat(p->root->fd, ".", flags | O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	}
	return rootfs_openat(p->root, path, flags);
}

/* The directory of a path of the root, opened confined, and its last
 * component: the last component is then looked at with *at(...,
 * AT_SYMLINK_NOFOLLOW), never followed. */
static int open_dir_of(const struct plan *p, const char *path, const char **leaf)
{
	char dir[PATHMAX];
	const char *slash = strrchr(path, '/');
	size_t dl = slash ? (size_t)(slash - path) : 0;

	*leaf = slash ? slash + 1 : path;
	if (dl >= sizeof dir || !**leaf || !strcmp(*leaf, ".") || !strcmp(*leaf, ".."))
		return -EINVAL;
	memcpy(dir, path, dl);
	dir[dl] = '\0';
	return root_open(p, dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

static int stat_path(struct plan *p, const char *path, struct stat *st)
{
	const char *leaf;
	int fd = open_dir_of(p, path, &leaf), r = 0;

	if (fd < 0)
		return fd;
	if (fstatat(fd, leaf, st, AT_SYMLINK_NOFOLLOW))
		r = -errno;
	close(fd);
	return r;
}

static void from_stat(struct plan_entry *e, const struct stat *st)
{
	e->mode = st->st_mode;
	e->uid = st->st_uid;
	e->gid = st->st_gid;
	e->mtime = st->st_mtim;
	e->ctime = st->st_ctim;
	e->dev = st->st_dev;
	e->ino = st->st_ino;
	e->nlink = (unsigned)st->st_nlink;
	e->size = S_ISREG(st->st_mode) ? (unsigned long long)st->st_size : 0;
	e->type = S_ISDIR(st->st_mode) ? PLAN_DIR : S_ISLNK(st->st_mode) ? PLAN_SYMLINK : PLAN_FILE;
}

/* A directory the manifest wants with `mode`: the root's own (owner, times)
 * if it has one there, else a new one owned by root. */
static struct plan_entry *add_created_dir(struct plan *p, const char *path, mode_t mode,
					  const char *why, int parents, unsigned flags)
{
	struct plan_entry e = { 0 };
	struct stat st;

	if (stat_path(p, path, &st) == 0 && S_ISDIR(st.st_mode)) {
		from_stat(&e, &st);
		e.src = path;
	} else {
		e.flags = PLAN_CREATED;
		e.mtime.tv_nsec = UTIME_OMIT;
	}
	e.path = path;
	e.why = why;
	e.type = PLAN_DIR;
	e.mode = S_IFDIR | mode;
	e.flags |= flags;
	return put(p, &e, parents);
}

/* Make sure each directory above path is planned: copied from the root when
 * it is there (with its mode and owner), else created 0755. */
static int add_parents(struct plan *p, const char *path)
{
	char buf[PATHMAX];
	size_t len = strlen(path), i;

	if (len >= sizeof buf)
		return -1;
	memcpy(buf, path, len + 1);
	for (i = 1; i < len; i++) {
		const struct plan_entry *have;
		struct plan_entry e = { 0 };
		struct stat st;
		int r;

		if (buf[i] != '/')
			continue;
		buf[i] = '\0';
		have = plan_find(p, buf);
		if (have && have->type != PLAN_DIR) {
			plan_error(p, "%s needs %s to be a directory, but it is planned as %s (%s)", path,
				   buf, plan_type_name[have->type], have->why ? have->why : "parent");
			return -1;
		}
		if (!have) {
			char *dup = arena_strdup(&p->arena, buf);
			if (!dup)
				return -1;
			r = stat_path(p, buf, &st);
			if (r == -ENOENT) {
				if (!add_created_dir(p, dup, 0755, NULL, 0, 0))
					return -1;
			} else if (r < 0 || !S_ISDIR(st.st_mode)) {
				plan_error(p, "%s: cannot plan its parent %s: %s", path, buf,
					   r < 0 ? strerror(-r) : "not a directory in the root");
				return -1;
			} else {
				from_stat(&e, &st);
				e.path = e.src = dup;
				if (!put(p, &e, 0))
					return -1;
			}
		}
		buf[i] = '/';
	}
	return 0;
}

/* A path of the root, whatever it is, copied as it is (a symlink stays a
 * symlink and is not followed). */
static struct plan_entry *add_src(struct plan *p, const char *path, const char *target,
				  const char *why)
{
	struct plan_entry e = { 0 };
	struct stat st;
	char buf[PATHMAX];
	int r = stat_path(p, path, &st);

	if (r < 0) {
		plan_error(p, "%s: %s", path, strerror(-r));
		return NULL;
	}
	from_stat(&e, &st);
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode)) {
		plan_error(p, "%s is a device, fifo or socket; root2ram copies files, directories "
			      "and symlinks (devtmpfs provides /dev)",
			   path);
		return NULL;
	}
	if (S_ISLNK(st.st_mode) && !target) {
		const char *leaf;
		int fd = open_dir_of(p, path, &leaf);
		ssize_t n = fd < 0 ? fd : readlinkat(fd, leaf, buf, sizeof buf - 1);
		if (fd >= 0)
			close(fd);
		if (n < 0) {
			plan_error(p, "%s: cannot read the symlink", path);
			return NULL;
		}
		buf[n] = '\0';
		target = buf;
	}
	e.path = e.src = arena_strdup(&p->arena, path);
	e.why = why ? arena_strdup(&p->arena, why) : NULL;
	if (target)
		e.target = arena_strdup(&p->arena, target);
	if (!e.path || (why && !e.why) || (target && !e.target)) {
		plan_error(p, "out of memory");
		return NULL;
	}
	return put(p, &e, 1);
}

/* Symlinks met while resolving a path: planned only once the whole path
 * resolved (an optional entry that is absent adds nothing). */
struct pending {
	struct plan *p;
	int n;
	const char *link[ROOTFS_MAXLINKS + 1], *target[ROOTFS_MAXLINKS + 1];
};

static int on_link(void *ctx, const char *link, const char *target)
{
	struct pending *pd = ctx;

	if (pd->n > ROOTFS_MAXLINKS)
		return -ELOOP;
	pd->link[pd->n] = arena_strdup(&pd->p->arena, link);
	pd->target[pd->n] = arena_strdup(&pd->p->arena, target);
	if (!pd->link[pd->n] || !pd->target[pd->n])
		return -ENOMEM;
	pd->n++;
	return 0;
}

static int commit_links(struct plan *p, struct pending *pd)
{
	for (int i = 0; i < pd->n; i++)
		if (!add_src(p, pd->link[i], pd->target[i], p->why))
			return -EINVAL;
	return 0;
}

/* Canonical path inside the root, its symlinks planned. */
static int canon(struct plan *p, const char *path, char *out)
{
	struct pending pd = { .p = p };
	int r = rootfs_realpath(p->root, path, out, PATHMAX, 0, on_link, &pd);

	return r < 0 ? r : commit_links(p, &pd);
}

/* Where a path the manifest creates lands: its parent canonical in the root
 * as far as the root has it, so `symlink /bin/sh busybox` in a root whose
 * /bin -> usr/bin is planned as /usr/bin/sh (with the /bin symlink), and
 * no symlink in DEST is ever followed while creating. */
static const char *canon_create(struct plan *p, const char *path)
{
	char dir[PATHMAX], out[PATHMAX], rest[PATHMAX] = "";
	const char *leaf = strrchr(path, '/');
	size_t dl = (size_t)(leaf - path);
	int r;

	memcpy(dir, path, dl);
	dir[dl] = '\0';
	snprintf(rest, sizeof rest, "%s", leaf);
	for (;;) {
		char *cut, tmp[PATHMAX];
		r = canon(p, dir[0] ? dir : "/", out);
		if (r == 0)
			break;
		if (r != -ENOENT || !dir[0]) {
			plan_error(p, "%s: cannot place it: %s", path, strerror(-r));
			return NULL;
		}
		cut = strrchr(dir, '/');
		snprintf(tmp, sizeof tmp, "%s%s", cut, rest);
		memcpy(rest, tmp, sizeof rest);
		*cut = '\0';
	}
	if (strlen(out) + strlen(rest) >= sizeof out) {
		plan_error(p, "%s: path too long", path);
		return NULL;
	}
	if (!strcmp(out, "/"))
		out[0] = '\0';
	strcat(out, rest);
	return arena_strdup(&p->arena, out);
}

static int on_item(void *ctx, const struct closure_item *it)
{
	struct plan *p = ctx;

	add_src(p, it->path, it->kind == CLOSURE_SYMLINK ? it->target : NULL,
		it->why ? it->why : p->why);
	return 0;
}

static int need_resolver(struct plan *p)
{
	int r;

	if (p->res)
		return 0;
	r = resolver_new(&p->res, p->root);
	if (r < 0)
		plan_error(p, "cannot read the loader configuration of %s: %s", p->root->dir,
			   strerror(-r));
	return r;
}

/* --- closures of what trees and wildcards hold, scripts' interpreters ----------- */

enum { HEAD_NONE, HEAD_ELF, HEAD_SCRIPT };

/* What the first bytes of the file `name` in dfd say: an ELF program or
 * shared object (ET_EXEC or ET_DYN; whether it is dynamic the resolver
 * tells from PT_INTERP and DT_NEEDED), a script the kernel would run
 * (binfmt_script: "#!" and an execute bit, as execve() needs; its
 * interpreter path, cut at the first blank as the kernel does, in interp),
 * or neither. */
static int file_kind(int dfd, const char *name, char *interp)
{
	char buf[HEADMAX];
	struct stat st;
	ssize_t n;
	size_t i, j;
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return HEAD_NONE;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || (n = read(fd, buf, sizeof buf - 1)) < 0)
		n = 0;
	close(fd);
	buf[n] = '\0';
	if (n >= 18 && !memcmp(buf, "\177ELF", 4)) {
		/* e_type at offset 16, in the byte order of EI_DATA (2: big) */
		unsigned t = buf[5] == 2 ? (unsigned char)buf[16] << 8 | (unsigned char)buf[17]
					 : (unsigned char)buf[17] << 8 | (unsigned char)buf[16];
		return t == 2 || t == 3 ? HEAD_ELF : HEAD_NONE;
	}
	if (n < 3 || buf[0] != '#' || buf[1] != '!' || !(st.st_mode & 0111))
		return HEAD_NONE;
	for (i = 2; buf[i] == ' ' || buf[i] == '\t'; i++)
		;
	for (j = 0; buf[i] && buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\n'; i++)
		interp[j++] = buf[i];
	interp[j] = '\0';
	return j ? HEAD_SCRIPT : HEAD_NONE;
}

/* file_kind of a canonical path of the root. */
static int path_kind(const struct plan *p, const char *path, char *interp)
{
	const char *leaf;
	int fd = open_dir_of(p, path, &leaf), k;

	if (fd < 0)
		return HEAD_NONE;
	k = file_kind(fd, leaf, interp);
	close(fd);
	return k;
}

static void defer(struct plan *p, const char *path, const char *interp)
{
	struct plan_todo *t;

	if (p->ntodo == p->captodo) {
		size_t cap = p->captodo ? p->captodo * 2 : 64;
		if (!(t = realloc(p->todo, cap * sizeof *t))) {
			plan_error(p, "out of memory");
			return;
		}
		p->todo = t;
		p->captodo = cap;
	}
	t = &p->todo[p->ntodo];
	t->path = arena_strdup(&p->arena, path);
	t->interp = interp ? arena_strdup(&p->arena, interp) : NULL;
	t->why = p->why;
	t->at = p->at;
	if (!t->path || (interp && !t->interp))
		plan_error(p, "out of memory");
	else
		p->ntodo++;
}

struct missing {
	char names[512];
	size_t n;
};

static int on_line(void *ctx, const char *name, const char *path)
{
	struct missing *m = ctx;
	size_t l = strlen(name);

	if (!path && m->n + l + 3 < sizeof m->names && !strstr(m->names, name)) {
		if (m->n) {
			memcpy(m->names + m->n, ", ", 2);
			m->n += 2;
		}
		memcpy(m->names + m->n, name, l + 1);
		m->n += l;
	}
	return 0;
}

/* The closure of an ELF file, planned.  A named program (soft == 0) that
 * misses a library fails the plan, as it would fail to start.  A module
 * found in a tree or by a wildcard (soft) may never be loaded: a library
 * of it that no search finds is a warning; the resolver's own messages are
 * muted and the names it could not find said once. */
static void closure(struct plan *p, const char *path, int soft)
{
	struct missing m = { "", 0 };
	int r;

	if (need_resolver(p))
		return;
	if (soft) {
		p->quiet = (int)log_get_level() + 1;
		log_set_level(LOG_FATAL);
	}
	r = resolver_closure(p->res, path, on_item, p);
	if (soft && r == -ENOENT)
		resolver_list(p->res, path, on_line, &m);
	if (soft) {
		log_set_level((enum log_level)(p->quiet - 1));
		p->quiet = 0;
	}
	if (r == 0)
		return;
	if (!soft)
		plan_error(p, "%s: %s", path,
			   r == -ENOENT ? "a library it needs was not found (see above)" : strerror(-r));
	else if (r == -ENOENT)
		plan_warn(p, p->at, "%s: %s not found where the loader would look; add it to the root, "
				    "or ignore this if the module is never loaded",
			  path, m.n ? m.names : "a library it needs or its interpreter");
	else
		plan_warn(p, p->at, "%s: its libraries cannot be planned: %s; ignore this if it is "
				    "never loaded",
			  path, strerror(-r));
}

/* A script's interpreter, as execve() would run it: the file (its closure
 * if it is ELF), and its own interpreter if it is a script too. */
static void script(struct plan *p, const char *path, const char *interp, int soft, int depth)
{
	char c[PATHMAX], why[PATHMAX + 32], next[HEADMAX];
	const char *saved = p->why;
	struct stat st;

	if (rootfs_realpath(p->root, interp, c, sizeof c, 0, NULL, NULL) || stat_path(p, c, &st) ||
	    !S_ISREG(st.st_mode)) {
		if (!soft)
			plan_warn(p, p->at, "%s: its interpreter %s is not in the root, so it cannot "
					    "run; install it, or correct the #! line",
				  path, interp);
		return;
	}
	snprintf(why, sizeof why, "interpreter of %s", path);
	if (!(p->why = arena_strdup(&p->arena, why))) {
		p->why = saved;
		plan_error(p, "out of memory");
		return;
	}
	closure(p, c, soft);
	if (depth < SCRIPT_DEPTH && path_kind(p, c, next) == HEAD_SCRIPT)
		script(p, c, next, soft, depth + 1);
	p->why = saved;
}

static int todo_by_path(const void *a, const void *b)
{
	return strcmp(((const struct plan_todo *)a)->path, ((const struct plan_todo *)b)->path);
}

/* In path order, not readdir()'s, so a library shared by several modules
 * has the same reason on every file system. */
static void run_todo(struct plan *p)
{
	if (p->ntodo)
		qsort(p->todo, p->ntodo, sizeof *p->todo, todo_by_path);
	for (size_t i = 0; i < p->ntodo; i++) {
		const struct plan_todo *t = &p->todo[i];
		p->why = t->why;
		p->at = t->at;
		if (t->interp)
			script(p, t->path, t->interp, 1, 1);
		else
			closure(p, t->path, 1);
	}
	p->at = NULL;
}

/* --- trees ---------------------------------------------------------------------- */

/* The entry of the tree at src in the root (dst in the RAM root), `name`
 * in the directory dfd: 0, 1 if it is not planned (said why), or -ENOMEM. */
static int tree_entry(struct plan *p, int dfd, const char *name, const char *src, const char *dst,
		      struct plan_entry *e)
{
	struct stat st;
	char target[PATHMAX];

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW)) {
		plan_error(p, "%s: %s", src, strerror(errno));
		return 1;
	}
	from_stat(e, &st);
	if (S_ISLNK(st.st_mode)) {
		ssize_t n = readlinkat(dfd, name, target, sizeof target - 1);
		if (n < 0) {
			plan_error(p, "%s: %s", src, strerror(errno));
			return 1;
		}
		target[n] = '\0';
		e->target = arena_strdup(&p->arena, target);
	} else if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		plan_warn(p, p->at, "%s: a device, fifo or socket; not copied (devtmpfs provides /dev)",
			  src);
		return 1;
	}
	e->path = arena_strdup(&p->arena, dst);
	e->src = strcmp(src, dst) ? arena_strdup(&p->arena, src) : e->path;
	e->why = p->why;
	if (!e->path || !e->src || (S_ISLNK(st.st_mode) && !e->target)) {
		plan_error(p, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

/* src and dst hold the directory's paths (sl and dl bytes); each entry's
 * name is appended in turn. */
static int walk(struct plan *p, int dfd, char *src, size_t sl, char *dst, size_t dl, int depth,
		int deps)
{
	DIR *d;
	struct dirent *de;
	int fd2, r = 0;

	if (depth > 64) {
		plan_error(p, "%s: more than 64 levels of directories", src);
		close(dfd);
		return -ELOOP;
	}
	d = fdopendir(dfd);
	if (!d) {
		r = -errno;
		close(dfd);
		plan_error(p, "%s: %s", src, strerror(-r));
		return r;
	}
	while ((de = readdir(d))) {
		struct plan_entry e = { 0 };
		size_t nl = strlen(de->d_name);
		int skip;

		/* root2ram save's backups, and its copies cut off, are not the appliance's */
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    (nl > 13 && (!strcmp(de->d_name + nl - 13, ".root2ram-old") ||
				 !strcmp(de->d_name + nl - 13, ".root2ram-new"))))
			continue;
		if (sl + nl + 2 > PATHMAX || dl + nl + 2 > PATHMAX) {
			plan_error(p, "%s/%s: path too long", src, de->d_name);
			continue;
		}
		src[sl] = dst[dl] = '/';
		memcpy(src + sl + 1, de->d_name, nl + 1);
		memcpy(dst + dl + 1, de->d_name, nl + 1);
		skip = tree_entry(p, dirfd(d), de->d_name, src, dst, &e);
		if (skip < 0) {
			r = skip;
			break;
		}
		if (skip || !put(p, &e, 0))
			continue;
		if (e.type == PLAN_FILE && deps) {
			char interp[HEADMAX];
			int k = file_kind(dirfd(d), de->d_name, interp);
			if (k != HEAD_NONE)
				defer(p, dst, k == HEAD_SCRIPT ? interp : NULL);
		}
		if (e.type != PLAN_DIR)
			continue;
		fd2 = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd2 < 0)
			plan_error(p, "%s: %s", src, strerror(errno));
		else
			walk(p, fd2, src, sl + 1 + nl, dst, dl + 1 + nl, depth + 1, deps);
	}
	closedir(d);
	return r;
}

int plan_add_tree(struct plan *p, const char *src, const char *dest, const char *why)
{
	char s[PATHMAX], d[PATHMAX];
	int fd, r, same = !dest || !strcmp(src, dest);

	if (!why)
		why = src;
	p->why = arena_strdup(&p->arena, why);
	r = canon(p, src, s);
	if (r < 0) {
		if (r != -EINVAL) /* else add_src said why */
			plan_error(p, "%s/: %s", src, strerror(-r));
		return r;
	}
	fd = root_open(p, s, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		plan_error(p, "%s/: %s", src, strerror(-fd));
		return fd;
	}
	snprintf(d, sizeof d, "%s", same ? s : dest);
	if (strcmp(d, "/")) {
		if (same ? !add_src(p, s, NULL, p->why)
			 : !add_created_dir(p, arena_strdup(&p->arena, d), 0755, p->why, 1, 0)) {
			close(fd);
			return -EINVAL;
		}
	}
	/* "/" walks as "" so children are "/etc", not "//etc".  The ELF files
	 * and scripts of a tree planned where it is get their closures; a tree
	 * copied elsewhere (the overlay) is planned as it is. */
	return walk(p, fd, s, strcmp(s, "/") ? strlen(s) : 0, d, strcmp(d, "/") ? strlen(d) : 0, 0,
		    same);
}

/* --- directives ------------------------------------------------------------------ */

/* A path naming something of the root: a file with its closure, or a
 * directory (alone, or its tree).  soft: found by a wildcard, its closure
 * planned by plan_finish and its missing libraries only warned of. */
static void add_path(struct plan *p, const char *path, int tree, int optional, int soft)
{
	char c[PATHMAX], interp[HEADMAX];
	int k;
	struct stat st;
	int r;

	r = rootfs_realpath(p->root, path, c, sizeof c, 0, NULL, NULL);
	if (r == 0)
		r = stat_path(p, c, &st);
	if (r < 0) {
		if (optional && (r == -ENOENT || r == -ENOTDIR))
			return;
		plan_error(p, "%s: %s%s", path, strerror(-r),
			   r == -ENOENT ? "; mark the line optional with '?' if it may be absent" : "");
		return;
	}
	if (tree || S_ISDIR(st.st_mode)) {
		if (!S_ISDIR(st.st_mode)) {
			plan_error(p, "%s/: not a directory; drop the final '/' to copy the file", path);
			return;
		}
		if (tree)
			plan_add_tree(p, path, NULL, p->why);
		else if (canon(p, path, c) == 0)
			add_src(p, c, NULL, p->why);
		return;
	}
	if (soft) {
		if ((r = canon(p, path, c)) < 0) {
			if (r != -EINVAL) /* else add_src said why */
				plan_error(p, "%s: %s", path, strerror(-r));
			return;
		}
		if (add_src(p, c, NULL, p->why) && (k = path_kind(p, c, interp)) != HEAD_NONE)
			defer(p, c, k == HEAD_SCRIPT ? interp : NULL);
		return;
	}
	closure(p, path, 0);
	if (path_kind(p, c, interp) == HEAD_SCRIPT)
		script(p, c, interp, 0, 1);
}

/* Components without glob characters are taken as they are: appended to
 * buf (*len bytes), *rest moved past them.  0, or -ENAMETOOLONG. */
static int literal_prefix(char *buf, size_t *len, const char **rest)
{
	const char *r = *rest, *slash;
	size_t cl, l = *len;

	while (*r) {
		slash = strchr(r, '/');
		cl = slash ? (size_t)(slash - r) : strlen(r);
		if (cl == 0) {
			r++;
			continue;
		}
		if (memchr(r, '*', cl) || memchr(r, '?', cl) || memchr(r, '[', cl))
			break;
		if (l + cl + 2 > PATHMAX)
			return -ENAMETOOLONG;
		buf[l++] = '/';
		memcpy(buf + l, r, cl);
		l += cl;
		buf[l] = '\0';
		r += cl;
	}
	*rest = r;
	*len = l;
	return 0;
}

/* buf (len bytes) is the part of the pattern matched so far, rest what is
 * left of it; each path that matches the whole pattern is planned. */
static void glob_step(struct plan *p, const struct mf_entry *me, char *buf, size_t len,
		      const char *rest, int *matches)
{
	char pat[256];
	const char *slash;
	struct dirent *de;
	size_t cl;
	DIR *d;
	int fd;

	if (literal_prefix(buf, &len, &rest))
		return;
	if (!*rest) {
		char c[PATHMAX];
		if (rootfs_realpath(p->root, buf, c, sizeof c, 0, NULL, NULL) == 0) {
			++*matches;
			add_path(p, buf, me->kind == MF_TREE, 0, 1);
		}
		return;
	}
	slash = strchr(rest, '/');
	cl = slash ? (size_t)(slash - rest) : strlen(rest);
	if (cl >= sizeof pat)
		return;
	memcpy(pat, rest, cl);
	pat[cl] = '\0';
	fd = root_open(p, buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (!(d = fdopendir(fd))) {
		close(fd);
		return;
	}
	while ((de = readdir(d))) {
		size_t nl = strlen(de->d_name);
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    !match_glob(pat, de->d_name) || len + nl + 2 > PATHMAX)
			continue;
		buf[len] = '/';
		memcpy(buf + len + 1, de->d_name, nl + 1);
		glob_step(p, me, buf, len + 1 + nl, rest + cl, matches);
	}
	buf[len] = '\0';
	closedir(d);
}

int plan_add_path(struct plan *p, const char *path, const char *why)
{
	struct mf_entry me = { .kind = MF_PATH, .path = path };
	char buf[PATHMAX] = "";
	int n = 0;

	p->why = why;
	if (manifest_has_glob(path))
		glob_step(p, &me, buf, 0, path, &n);
	else if (canon(p, path, buf) == 0) /* data, not programs: no closure, no head read */
		n = !!add_src(p, buf, NULL, why);
	return n;
}

static void add_lib(struct plan *p, const char *name, int optional)
{
	enum log_level lvl = log_get_level();
	int r;

	if (need_resolver(p))
		return;
	if (optional) /* an absent optional library is no news */
		log_set_level(LOG_FATAL);
	r = resolver_library(p->res, name, NULL, on_item, p);
	log_set_level(lvl);
	if (r == -ENOENT && optional)
		return;
	if (r < 0)
		plan_error(p, "library %s: %s", name,
			   r == -ENOENT ? "not found where the loader would look, or a library it "
					  "needs is missing; mark it optional with '?' if it may be absent"
					: strerror(-r));
}

static void add_created(struct plan *p, const struct mf_entry *me)
{
	struct plan_entry e = { 0 };
	const char *path = canon_create(p, me->path);

	if (!path)
		return;
	if (me->kind == MF_DIR) {
		add_created_dir(p, path, me->mode, p->why, 1, PLAN_RUNTIME);
		return;
	}
	e.path = path;
	e.target = arena_strdup(&p->arena, me->target);
	e.why = p->why;
	e.type = PLAN_SYMLINK;
	e.mode = S_IFLNK | 0777;
	e.flags = PLAN_CREATED | (me->flags & MF_WEAK ? PLAN_WEAK : 0);
	e.mtime.tv_nsec = UTIME_OMIT;
	put(p, &e, 1);
}

int plan_add_manifest(struct plan *p, const struct manifest *m)
{
	char why[512];
	int before = p->errors;

	for (size_t i = 0; i < m->n; i++) {
		const struct mf_entry *me = &m->e[i];
		int opt = !!(me->flags & MF_OPTIONAL);

		snprintf(why, sizeof why, "%s:%d", me->file, me->line);
		p->why = arena_strdup(&p->arena, why);
		p->where = me->where;
		p->line = me->line;
		snprintf(why, sizeof why, "%s:%d", me->where, me->line);
		p->at = arena_strdup(&p->arena, why);
		if (!p->why || !p->at) {
			plan_error(p, "out of memory");
			break;
		}
		switch (me->kind) {
		case MF_PATH:
		case MF_TREE:
			if (me->flags & MF_GLOB) {
				char buf[PATHMAX] = "";
				int matches = 0;
				glob_step(p, me, buf, 0, me->path, &matches);
				if (!matches && !opt)
					plan_error(p, "nothing in %s matches %s; mark the line optional "
						      "with '?' if that is fine",
						   p->root->dir, me->path);
			} else {
				add_path(p, me->path, me->kind == MF_TREE, opt, 0);
			}
			break;
		case MF_LIB:
			add_lib(p, me->path, opt);
			break;
		case MF_MODULE: /* plan_modules, with the other sources of modules */
			break;
		case MF_DIR:
		case MF_SYMLINK:
			add_created(p, me);
			break;
		}
	}
	p->where = NULL;
	p->line = 0;
	p->at = NULL;
	return p->errors > before ? -EINVAL : 0;
}

/* --- finishing ------------------------------------------------------------------- */

static void on_module(void *ctx, const char *lib, const char *why)
{
	struct plan *p = ctx;

	p->why = arena_strdup(&p->arena, why);
	if (p->why)
		add_lib(p, lib, 1);
}

/* Only an nsswitch.conf that is staged is read at run time. */
static void add_nss(struct plan *p)
{
	char c[PATHMAX];
	const struct plan_entry *e;

	if (rootfs_realpath(p->root, NSS_CONF, c, sizeof c, 0, NULL, NULL) ||
	    !(e = plan_find(p, c)) || e->type != PLAN_FILE)
		return;
	p->at = e->at; /* what the modules bring in came with nsswitch.conf */
	nss_modules(p->root, c, on_module, p);
	p->at = NULL;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct plan_entry *)a)->path, ((const struct plan_entry *)b)->path);
}

/* The first of the names of a hard-linked file (in path order) is copied,
 * the others are linked to it. */
static int find_hardlinks(struct plan *p)
{
	struct strmap first = { 0 };
	char key[40];
	int r = 0;

	for (size_t i = 0; i < p->n && !r; i++) {
		struct plan_entry *e = &p->e[i];
		const struct plan_entry *f;
		char *k;

		if (e->type != PLAN_FILE || e->nlink < 2 || !e->src)
			continue;
		snprintf(key, sizeof key, "%llx:%llx", (unsigned long long)e->dev,
			 (unsigned long long)e->ino);
		if ((f = strmap_get(&first, key))) {
			e->type = PLAN_HARDLINK;
			e->target = f->path;
		} else if (!(k = arena_strdup(&p->arena, key)) || strmap_put(&first, k, e)) {
			r = -ENOMEM;
		}
	}
	strmap_free(&first);
	return r;
}

/* Whether the symlink e leads to something planned, followed through the
 * plan's own entries as the kernel would follow it in the RAM root (at most
 * 40 links, Linux MAXSYMLINKS).  A path under a `dir` line's directory is
 * made at run time (a mount point, /tmp) and counts as there.  If not,
 * the first path that is missing goes in miss. */
static int link_lands(const struct plan *p, const struct plan_entry *e, char *miss)
{
	char cur[PATHMAX], rest[PATHMAX], tmp[2 * PATHMAX];
	const char *r = rest, *slash;
	size_t cl, len;
	int hops = 0;

	if (e->target[0] == '/') {
		cur[0] = '\0';
	} else {
		slash = strrchr(e->path, '/');
		len = (size_t)(slash - e->path);
		memcpy(cur, e->path, len);
		cur[len] = '\0';
	}
	snprintf(rest, sizeof rest, "%s", e->target);
	for (;;) {
		const struct plan_entry *q;
		while (*r == '/')
			r++;
		if (!*r)
			return 1;
		slash = strchr(r, '/');
		cl = slash ? (size_t)(slash - r) : strlen(r);
		len = strlen(cur);
		if (cl == 1 && r[0] == '.') {
			r += cl;
			continue;
		}
		if (cl == 2 && r[0] == '.' && r[1] == '.') {
			char *up = strrchr(cur, '/');
			if (up)
				*up = '\0';
			r += cl;
			continue;
		}
		if (len + cl + 2 > sizeof cur)
			return 1; /* not ours to judge */
		cur[len] = '/';
		memcpy(cur + len + 1, r, cl);
		cur[len + 1 + cl] = '\0';
		r += cl;
		if (!(q = lookup(p, cur))) {
			const struct plan_entry *dir;
			cur[len] = '\0';
			dir = len ? lookup(p, cur) : NULL;
			if (dir && dir->type == PLAN_DIR && (dir->flags & PLAN_RUNTIME))
				return 1;
			cur[len] = '/';
			snprintf(miss, MISSMAX, "%s", cur);
			return 0;
		}
		if (q->type == PLAN_SYMLINK) {
			if (++hops > 40) {
				snprintf(miss, MISSMAX, "%s (too many levels of links)", cur);
				return 0;
			}
			if ((size_t)snprintf(tmp, sizeof tmp, "%s/%s", q->target, r) >= sizeof rest)
				return 1;
			memcpy(rest, tmp, strlen(tmp) + 1);
			r = rest;
			if (q->target[0] == '/')
				cur[0] = '\0';
			else
				cur[len] = '\0';
		} else if (q->type != PLAN_DIR) {
			while (*r == '/')
				r++;
			if (*r) {
				snprintf(miss, MISSMAX, "%s/%s (below a file)", cur, r);
				return 0;
			}
		}
	}
}

static void check_links(struct plan *p)
{
	char miss[MISSMAX];

	for (size_t i = 0; i < p->n; i++) {
		const struct plan_entry *e = &p->e[i];
		if (e->type == PLAN_SYMLINK && !link_lands(p, e, miss))
			plan_warn(p, e->at, "%s -> %s: %s is not planned, so the link dangles in the "
					    "RAM root; add it to a manifest, or drop the link",
				  e->path, e->target, miss);
	}
}

int plan_finish(struct plan *p)
{
	p->where = NULL;
	p->at = NULL;
	if (!p->no_nss)
		add_nss(p);
	run_todo(p);
	if (p->n) /* an empty plan has no array */
		qsort(p->e, p->n, sizeof *p->e, by_path);
	if (reindex(p) || find_hardlinks(p))
		plan_error(p, "out of memory");
	check_links(p);
	p->finished = 1;
	return p->errors || (p->strict && p->warnings) ? -EINVAL : 0;
}

int plan_build(struct plan *p, const char *manifest_dir, char *const *names, int n)
{
	struct manifest m;
	int i;

	manifest_init(&m, manifest_dir ? NULL : p->root,
		      manifest_dir ? manifest_dir : R2R_MANIFEST_DIR);
	for (i = 0; i < n; i++)
		manifest_load(&m, names[i]);
	/* plan what parsed, so missing files are reported in the same run */
	plan_add_manifest(p, &m);
	if (p->kernel) {
		double t0 = log_elapsed();
		plan_modules(p, &m);
		debug("kernel modules planned in %.2f s", log_elapsed() - t0);
	}
	p->errors += m.errors;
	manifest_free(&m);
	return plan_finish(p);
}

/* --- output ---------------------------------------------------------------------- */

void plan_totals(const struct plan *p, struct plan_totals *t)
{
	unsigned long long page = (unsigned long long)getpagesize();

	memset(t, 0, sizeof *t);
	t->warnings = p->warnings;
	for (size_t i = 0; i < p->n; i++) {
		const struct plan_entry *e = &p->e[i];
		switch (e->type) {
		case PLAN_FILE:
			t->files++;
			t->bytes += e->size;
			t->pages += (e->size + page - 1) / page * page;
			break;
		case PLAN_DIR:
			t->dirs++;
			break;
		case PLAN_SYMLINK:
			t->symlinks++;
			if (strlen(e->target) >= PLAN_SHORT_SYMLINK)
				t->pages += page;
			break;
		case PLAN_HARDLINK:
			t->hardlinks++;
			break;
		}
	}
	t->tmpfs = t->pages + (t->files + t->dirs + t->symlinks) * (unsigned long long)PLAN_INODE_COST;
}

void plan_print(const struct plan *p, FILE *f)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct plan_entry *e = &p->e[i];
		const char *why = e->why ? e->why : "parent";

		switch (e->type) {
		case PLAN_DIR:
			fprintf(f, "dir      %s %04o (%s)\n", e->path, (unsigned)(e->mode & 07777), why);
			break;
		case PLAN_FILE:
			fprintf(f, "file     %s %llu (%s)\n", e->path, e->size, why);
			break;
		case PLAN_SYMLINK:
			fprintf(f, "symlink  %s -> %s (%s)\n", e->path, e->target, why);
			break;
		case PLAN_HARDLINK:
			fprintf(f, "hardlink %s => %s (%s)\n", e->path, e->target, why);
			break;
		}
	}
}

void plan_print_totals(const struct plan_totals *t, FILE *f)
{
	char b1[32], b2[32];

	fprintf(f, "total: %lu files, %llu bytes (%s), %lu symlinks, %lu directories, %lu hard links",
		t->files, t->bytes, log_human_bytes(t->bytes, b1, sizeof b1), t->symlinks, t->dirs,
		t->hardlinks);
	if (t->warnings)
		fprintf(f, ", %d warning%s", t->warnings, t->warnings == 1 ? "" : "s");
	fputc('\n', f);
	fprintf(f, "tmpfs: %llu bytes (%s): %llu in pages + %d per inode for %lu inodes\n", t->tmpfs,
		log_human_bytes(t->tmpfs, b2, sizeof b2), t->pages, PLAN_INODE_COST,
		t->files + t->dirs + t->symlinks);
}
