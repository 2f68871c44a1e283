/* manifest.c - see manifest.h; the syntax is documented in manifests/README.md. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/log.h"
#include "stage/manifest.h"

/* --- manifests -------------------------------------------------------------- */

void manifest_init(struct manifest *m, const struct rootfs *root, const char *dir)
{
	memset(m, 0, sizeof *m);
	m->root = root;
	m->dir = dir;
}

void manifest_free(struct manifest *m)
{
	free(m->e);
	arena_free(&m->arena);
	m->e = NULL;
	m->n = m->cap = 0;
}

void manifest_error(struct manifest *m, const char *where, int line, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (line > 0)
		error("%s:%d: %s", where, line, msg);
	else
		error("%s: %s", where, msg);
	m->errors++;
}

int manifest_has_glob(const char *s) { return strpbrk(s, "*?[") != NULL; }

static struct mf_entry *add(struct manifest *m, enum mf_kind kind, unsigned flags,
			    const char *path, const char *where, const char *file, int line)
{
	struct mf_entry *e;

	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		e = realloc(m->e, cap * sizeof *e);
		if (!e)
			return NULL;
		m->e = e;
		m->cap = cap;
	}
	e = &m->e[m->n];
	memset(e, 0, sizeof *e);
	e->kind = kind;
	e->flags = flags;
	e->path = arena_strdup(&m->arena, path);
	e->where = where;
	e->file = file;
	e->line = line;
	if (!e->path)
		return NULL;
	m->n++;
	return e;
}

/* An absolute path a manifest may name; logs why not. */
static int check_path(struct manifest *m, const char *where, int line, const char *what,
		      const char *p, int glob_ok)
{
	if (p[0] != '/') {
		manifest_error(m, where, line, "%s '%s' is not absolute; write it as /%s", what, p, p);
		return -1;
	}
	if (strlen(p) >= 4096) {
		manifest_error(m, where, line, "%s is longer than 4095 bytes", what);
		return -1;
	}
	if (!glob_ok && manifest_has_glob(p)) {
		manifest_error(m, where, line,
			       "%s '%s' has a glob character (*, ? or [); globs are for files to copy, "
			       "name each %s",
			       what, p, what);
		return -1;
	}
	return 0;
}

static int check_name(struct manifest *m, const char *where, int line, const char *what,
		      const char *n)
{
	if (strchr(n, '/') || !strcmp(n, ".") || !strcmp(n, "..")) {
		manifest_error(m, where, line, "%s '%s' must be a plain name without '/'", what, n);
		return -1;
	}
	return 0;
}

static int parse_mode(const char *s, mode_t *mode)
{
	unsigned long v = 0;
	const char *p;

	if (!*s || strlen(s) > 5)
		return -1;
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '7')
			return -1;
		v = v * 8 + (unsigned long)(*p - '0');
	}
	if (v > 07777)
		return -1;
	*mode = (mode_t)v;
	return 0;
}

#define MAX_WORDS 256

static int load(struct manifest *m, const char *name, int optional);

static void parse_line(struct manifest *m, char **w, int n, const char *where, const char *file,
		       int line)
{
	unsigned flags = 0;
	struct mf_entry *e;
	const char *d = w[0];
	int i;

	if (!strcmp(d, "?") || !strcmp(d, "optional")) {
		if (n == 1) {
			manifest_error(m, where, line, "'%s' needs a path, lib or include after it", d);
			return;
		}
		flags = MF_OPTIONAL;
		w++, n--;
		d = w[0];
	} else if (d[0] == '?' && d[1] == '/') {
		flags = MF_OPTIONAL;
		d = w[0] = w[0] + 1;
	}

	if (d[0] == '/') {
		size_t len = strlen(d);
		enum mf_kind kind = MF_PATH;
		if (n > 1) {
			manifest_error(m, where, line,
				       "unexpected '%s' after the path; one path a line "
				       "(paths with blanks are not supported)",
				       w[1]);
			return;
		}
		if (check_path(m, where, line, "path", d, 1))
			return;
		if (len > 1 && d[len - 1] == '/') {
			kind = MF_TREE;
			while (len > 1 && d[len - 1] == '/')
				w[0][--len] = '\0';
		} else if (len == 1) {
			kind = MF_TREE;
		}
		if (manifest_has_glob(d))
			flags |= MF_GLOB;
		if (!add(m, kind, flags, d, where, file, line))
			goto nomem;
		return;
	}
	if (!strcmp(d, "lib")) {
		if (n < 2) {
			manifest_error(m, where, line,
				       "lib needs a library name, e.g. 'lib libnss_files.so.2'");
			return;
		}
		for (i = 1; i < n; i++)
			if (!check_name(m, where, line, "library name", w[i]) &&
			    !add(m, MF_LIB, flags, w[i], where, file, line))
				goto nomem;
		return;
	}
	if (!strcmp(d, "include")) {
		if (n < 2) {
			manifest_error(m, where, line, "include needs a manifest name, e.g. 'include base'");
			return;
		}
		for (i = 1; i < n; i++) {
			int r;
			if (check_name(m, where, line, "manifest name", w[i]))
				continue;
			r = load(m, w[i], flags & MF_OPTIONAL);
			if (r == -ENOENT && (flags & MF_OPTIONAL))
				continue;
			if (r == -ENOENT || r == -EIO) /* said why already */
				manifest_error(m, where, line, "in 'include %s'", w[i]);
		}
		return;
	}
	if (flags && (!strcmp(d, "dir") || !strcmp(d, "symlink") || !strcmp(d, "links"))) {
		manifest_error(m, where, line, "'?' and 'optional' apply to paths, lib and include, not to %s",
			       d);
		return;
	}
	if (!strcmp(d, "dir")) {
		mode_t mode = 0755;
		if (n < 2 || n > 3) {
			manifest_error(m, where, line,
				       "dir needs a path and an optional octal mode, e.g. 'dir /tmp 1777'");
			return;
		}
		if (check_path(m, where, line, "dir path", w[1], 0))
			return;
		if (n == 3 && parse_mode(w[2], &mode)) {
			manifest_error(m, where, line, "bad mode '%s'; write it in octal, e.g. 0755 or 1777",
				       w[2]);
			return;
		}
		if (!(e = add(m, MF_DIR, 0, w[1], where, file, line)))
			goto nomem;
		e->mode = mode;
		return;
	}
	if (!strcmp(d, "symlink")) {
		if (n != 3) {
			manifest_error(m, where, line,
				       "symlink needs the link's path and its target, "
				       "e.g. 'symlink /bin/sh busybox'");
			return;
		}
		if (check_path(m, where, line, "symlink path", w[1], 0))
			return;
		if (!(e = add(m, MF_SYMLINK, 0, w[1], where, file, line)))
			goto nomem;
		if (!(e->target = arena_strdup(&m->arena, w[2])))
			goto nomem;
		return;
	}
	if (!strcmp(d, "links")) {
		char path[4096];
		if (n < 4) {
			manifest_error(m, where, line,
				       "links needs a target, a directory and names, "
				       "e.g. 'links /bin/busybox /bin sh ls'");
			return;
		}
		if (check_path(m, where, line, "links target", w[1], 0) ||
		    check_path(m, where, line, "links directory", w[2], 0))
			return;
		for (i = 3; i < n; i++) {
			if (check_name(m, where, line, "link name", w[i]))
				continue;
			snprintf(path, sizeof path, "%s%s%s", w[2],
				 w[2][strlen(w[2]) - 1] == '/' ? "" : "/", w[i]);
			if (!(e = add(m, MF_SYMLINK, MF_WEAK, path, where, file, line)))
				goto nomem;
			if (!(e->target = arena_strdup(&m->arena, w[1])))
				goto nomem;
		}
		return;
	}
	if (strchr(d, '/'))
		manifest_error(m, where, line, "path '%s' is not absolute; write it as /%s", d, d);
	else
		manifest_error(m, where, line,
			       "unknown directive '%s'; a line is an absolute path, or starts with "
			       "lib, dir, symlink, links, include, optional or ?",
			       d);
	return;
nomem:
	manifest_error(m, where, line, "out of memory");
}

int manifest_parse(struct manifest *m, char *text, size_t len, const char *where,
		   const char *file)
{
	int before = m->errors, line = 0;
	char *p = text, *end = text + len;

	if (memchr(text, '\0', len)) {
		manifest_error(m, where, 0, "has a NUL byte: not a text file; is it a manifest?");
		return m->errors - before;
	}
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p)), *w[MAX_WORDS], *q;
		int n = 0;

		line++;
		if (!nl)
			nl = end;
		*nl = '\0';
		for (q = p; *q;) {
			while (*q == ' ' || *q == '\t' || *q == '\r')
				*q++ = '\0';
			if (!*q || *q == '#') /* a comment starts a word */
				break;
			if (n == MAX_WORDS) {
				manifest_error(m, where, line, "more than %d words; split the line", MAX_WORDS);
				n = -1;
				break;
			}
			w[n++] = q;
			while (*q && *q != ' ' && *q != '\t' && *q != '\r')
				q++;
		}
		if (n > 0)
			parse_line(m, w, n, where, file, line);
		p = nl + 1;
	}
	return m->errors - before;
}

/* A manifest named by name is looked up inside the root when m->root is set;
 * one given as a path is always on the host. */
static int read_manifest(struct manifest *m, const char *path, int is_path, char **text,
			 size_t *len)
{
	/* O_NONBLOCK: a FIFO named by mistake must not hang the boot */
	int fd = m->root && !is_path ? rootfs_openat(m->root, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
				     : open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	size_t n = 0;
	char *buf;

	if (fd < 0)
		return m->root && !is_path ? fd : -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	}
	buf = malloc(MANIFEST_MAX_SIZE + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t r = read(fd, buf + n, MANIFEST_MAX_SIZE + 1 - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			close(fd);
			free(buf);
			return (int)r;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > MANIFEST_MAX_SIZE) {
			close(fd);
			free(buf);
			return -EFBIG;
		}
	}
	close(fd);
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
}

int manifest_load(struct manifest *m, const char *name) { return load(m, name, 0); }

/* optional: an absent manifest is no error (`? include NAME`) */
static int load(struct manifest *m, const char *name, int optional)
{
	char path[4096];
	const char *where, *file, *slash;
	char *text = NULL;
	size_t len = 0, nl = strlen(name);
	int i, r, before = m->errors;
	int is_path = strchr(name, '/') || (nl > 9 && !strcmp(name + nl - 9, ".manifest"));

	if (is_path)
		snprintf(path, sizeof path, "%s", name);
	else if ((size_t)snprintf(path, sizeof path, "%s/%s.manifest", m->dir ? m->dir : ".", name) >=
		 sizeof path)
		return -ENAMETOOLONG;
	for (i = 0; i < m->depth; i++)
		if (!strcmp(m->stack[i], path)) {
			char chain[1024] = "";
			for (int j = i; j < m->depth; j++) {
				strncat(chain, m->stack[j], sizeof chain - strlen(chain) - 1);
				strncat(chain, " -> ", sizeof chain - strlen(chain) - 1);
			}
			strncat(chain, path, sizeof chain - strlen(chain) - 1);
			manifest_error(m, m->stack[m->depth - 1], 0,
				       "include cycle: %s; remove one of these includes", chain);
			return -EINVAL;
		}
	for (i = 0; i < m->n_loaded; i++)
		if (!strcmp(m->loaded[i], path))
			return 0; /* each manifest once, however often included */
	if (m->depth == MANIFEST_MAX_DEPTH) {
		manifest_error(m, path, 0, "includes nest deeper than %d", MANIFEST_MAX_DEPTH);
		return -EINVAL;
	}
	r = read_manifest(m, path, is_path, &text, &len);
	if (r == -ENOENT && optional)
		return r;
	if (r < 0) {
		if (r == -EFBIG)
			error("manifest '%s': %s is larger than %d bytes; is it a manifest?", name, path,
			      MANIFEST_MAX_SIZE);
		else if (r == -EINVAL)
			error("manifest '%s': %s is not a regular file", name, path);
		else
			error("manifest '%s': cannot read %s%s%s: %s%s", name, path,
			      m->root && !is_path ? " in " : "", m->root && !is_path ? m->root->dir : "",
			      strerror(-r),
			      r == -ENOENT && !is_path ? "; list the manifest directory, or give "
							 "--manifests DIR" : "");
		m->errors++;
		return r == -ENOENT ? -ENOENT : -EIO;
	}
	where = arena_strdup(&m->arena, path);
	slash = strrchr(path, '/');
	file = arena_strdup(&m->arena, slash ? slash + 1 : path);
	if (!where || !file) {
		free(text);
		return -ENOMEM;
	}
	m->stack[m->depth++] = where;
	manifest_parse(m, text, len, where, file);
	m->depth--;
	if (m->n_loaded < (int)(sizeof m->loaded / sizeof m->loaded[0]))
		m->loaded[m->n_loaded++] = where;
	free(text);
	return m->errors > before ? -EINVAL : 0;
}

void manifest_nsswitch(char *text, void (*fn)(void *ctx, const char *db, const char *svc),
		       void *ctx)
{
	char *line = text, *next;

	for (; line; line = next) {
		char *p, *db;
		int in_action = 0;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if ((p = strchr(line, '#')))
			*p = '\0';
		p = strchr(line, ':');
		if (!p)
			continue;
		*p++ = '\0';
		db = line + strspn(line, " \t");
		db[strcspn(db, " \t")] = '\0';
		if (!*db)
			continue;
		while (*p) {
			char *w;
			p += strspn(p, " \t\r");
			if (!*p)
				break;
			w = p;
			p += strcspn(p, " \t\r[]");
			if (w == p) { /* '[' or ']' */
				in_action = *p == '[';
				p++;
				continue;
			}
			if (*p == '[' || *p == ']') {
				char c = *p;
				*p = '\0';
				if (!in_action)
					fn(ctx, db, w);
				in_action = c == '[';
				p++;
				continue;
			}
			if (*p)
				*p++ = '\0';
			if (!in_action)
				fn(ctx, db, w);
		}
	}
}
