/* manifest.c - see manifest.h; the syntax is documented in manifests/README.md. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/file.h"
#include "lib/log.h"
#include "stage/manifest.h"

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

static void verror(struct manifest *m, const char *where, int line, const char *fmt, va_list ap)
{
	char msg[768];

	vsnprintf(msg, sizeof msg, fmt, ap);
	if (line > 0)
		error("%s:%d: %s", where, line, msg);
	else
		error("%s: %s", where, msg);
	m->errors++;
}

void manifest_error(struct manifest *m, const char *where, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(m, where, line, fmt, ap);
	va_end(ap);
}

int manifest_has_glob(const char *s) { return strpbrk(s, "*?[") != NULL; }

/* --- one line ----------------------------------------------------------------- */

/* The line being parsed, and the manifest it adds to: `where` names it in
 * messages, `file` in "why" notes. */
struct line {
	struct manifest *m;
	const char *where, *file;
	int line;
};

__attribute__((format(printf, 2, 3))) static void bad(const struct line *ln, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(ln->m, ln->where, ln->line, fmt, ap);
	va_end(ap);
}

static struct mf_entry *add(const struct line *ln, enum mf_kind kind, unsigned flags,
			    const char *path)
{
	struct manifest *m = ln->m;
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
	e->where = ln->where;
	e->file = ln->file;
	e->line = ln->line;
	if (!e->path)
		return NULL;
	m->n++;
	return e;
}

static int add_symlink(const struct line *ln, unsigned flags, const char *path, const char *target)
{
	struct mf_entry *e = add(ln, MF_SYMLINK, flags, path);

	if (!e || !(e->target = arena_strdup(&ln->m->arena, target)))
		return -ENOMEM;
	return 0;
}

/* A word of the line as a message quotes it.  A file read as a manifest
 * by mistake (/etc/shadow, a private key) must not be copied to the
 * console and the kernel log, which anyone at the Pi can read: a word is
 * cut after its first ':' (a shadow or passwd line "root:$y$j9T$..." shows
 * as "root:..."), and after SHOW_MAX bytes, "..." marking the cut; a byte
 * that is not printable ASCII shows as '?', so a binary file sends no
 * escape sequences to the console.  Returns buf. */
#define SHOW_MAX 24
static const char *show(char buf[SHOW_MAX + 4], const char *w)
{
	size_t n = strcspn(w, ":");

	n += w[n] == ':';
	if (n > SHOW_MAX)
		n = SHOW_MAX;
	for (size_t i = 0; i < n; i++)
		buf[i] = w[i] >= ' ' && w[i] < 0x7f ? w[i] : '?';
	strcpy(buf + n, w[n] ? "..." : "");
	return buf;
}

/* An absolute path a manifest may name; logs why not. */
static int check_path(const struct line *ln, const char *what, const char *p, int glob_ok)
{
	char s[SHOW_MAX + 4];

	if (p[0] != '/') {
		/* the advice only for a word shown whole: "/root:..." is none */
		int whole = !strcmp(show(s, p), p);
		bad(ln, "%s '%s' is not absolute%s%s", what, s, whole ? "; write it as /" : "",
		    whole ? p : "");
		return -1;
	}
	if (strlen(p) >= 4096) {
		bad(ln, "%s is longer than 4095 bytes", what);
		return -1;
	}
	if (!glob_ok && manifest_has_glob(p)) {
		bad(ln, "%s '%s' has a glob character (*, ? or [); globs are for files to copy, "
			"name each %s",
		    what, show(s, p), what);
		return -1;
	}
	return 0;
}

static int check_name(const struct line *ln, const char *what, const char *n)
{
	char s[SHOW_MAX + 4];

	if (strchr(n, '/') || !strcmp(n, ".") || !strcmp(n, "..")) {
		bad(ln, "%s '%s' must be a plain name without '/'", what, show(s, n));
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

/* Each directive gets the words after its name (as many as the table
 * allows) and returns 0, or -ENOMEM; a mistake in them is logged and
 * counted, and is no failure of the parse. */

static int path_line(const struct line *ln, char **w, int n, unsigned flags)
{
	char *p = w[0];
	size_t len = strlen(p);
	enum mf_kind kind = len == 1 || p[len - 1] == '/' ? MF_TREE : MF_PATH;
	char s[SHOW_MAX + 4];

	if (n > 1) {
		bad(ln, "unexpected '%s' after the path; one path a line "
			"(paths with blanks are not supported)",
		    show(s, w[1]));
		return 0;
	}
	if (check_path(ln, "path", p, 1))
		return 0;
	while (len > 1 && p[len - 1] == '/')
		p[--len] = '\0';
	if (manifest_has_glob(p))
		flags |= MF_GLOB;
	return add(ln, kind, flags, p) ? 0 : -ENOMEM;
}

static int do_lib(const struct line *ln, char **arg, int n, unsigned flags)
{
	for (int i = 0; i < n; i++)
		if (!check_name(ln, "library name", arg[i]) && !add(ln, MF_LIB, flags, arg[i]))
			return -ENOMEM;
	return 0;
}

static int do_module(const struct line *ln, char **arg, int n, unsigned flags)
{
	for (int i = 0; i < n; i++)
		if (!check_name(ln, "module name", arg[i]) && !add(ln, MF_MODULE, flags, arg[i]))
			return -ENOMEM;
	return 0;
}

/* includes recurse: load() parses the included manifest */
static int load(struct manifest *m, const char *name, int optional);

static int do_include(const struct line *ln, char **arg, int n, unsigned flags)
{
	for (int i = 0; i < n; i++) {
		int r;
		if (check_name(ln, "manifest name", arg[i]))
			continue;
		r = load(ln->m, arg[i], flags & MF_OPTIONAL);
		if (r == -ENOENT && (flags & MF_OPTIONAL))
			continue;
		if (r == -ENOENT || r == -EIO) /* said why already */
			bad(ln, "in 'include %s'", arg[i]);
	}
	return 0;
}

static int do_dir(const struct line *ln, char **arg, int n, unsigned flags)
{
	struct mf_entry *e;
	mode_t mode = 0755;
	char s[SHOW_MAX + 4];

	(void)flags;
	if (check_path(ln, "dir path", arg[0], 0))
		return 0;
	if (n == 2 && parse_mode(arg[1], &mode)) {
		bad(ln, "bad mode '%s'; write it in octal, e.g. 0755 or 1777", show(s, arg[1]));
		return 0;
	}
	if (!(e = add(ln, MF_DIR, 0, arg[0])))
		return -ENOMEM;
	e->mode = mode;
	return 0;
}

static int do_symlink(const struct line *ln, char **arg, int n, unsigned flags)
{
	(void)n, (void)flags;
	if (check_path(ln, "symlink path", arg[0], 0))
		return 0;
	return add_symlink(ln, 0, arg[0], arg[1]);
}

static int do_links(const struct line *ln, char **arg, int n, unsigned flags)
{
	const char *sep = arg[1][strlen(arg[1]) - 1] == '/' ? "" : "/";
	char path[4096];

	(void)flags;
	if (check_path(ln, "links target", arg[0], 0) ||
	    check_path(ln, "links directory", arg[1], 0))
		return 0;
	for (int i = 2; i < n; i++) {
		if (check_name(ln, "link name", arg[i]))
			continue;
		snprintf(path, sizeof path, "%s%s%s", arg[1], sep, arg[i]);
		if (add_symlink(ln, MF_WEAK, path, arg[0]))
			return -ENOMEM;
	}
	return 0;
}

/* The example is what a line with the wrong number of words is shown. */
static const struct directive {
	const char *name;
	unsigned char min, max; /* words after the name; max 0: no limit */
	unsigned char optional; /* '?' applies: the thing may be absent */
	int (*fn)(const struct line *ln, char **arg, int n, unsigned flags);
	const char *needs, *example;
} directives[] = {
	{ "lib", 1, 0, 1, do_lib, "a library name", "lib libnss_files.so.2" },
	{ "dir", 1, 2, 0, do_dir, "a path and an optional octal mode", "dir /tmp 1777" },
	{ "symlink", 2, 2, 0, do_symlink, "the link's path and its target", "symlink /bin/sh busybox" },
	{ "links", 3, 0, 0, do_links, "a target, a directory and names",
	  "links /bin/busybox /bin sh ls" },
	{ "include", 1, 0, 1, do_include, "a manifest name", "include base" },
	{ "module", 1, 0, 1, do_module, "a kernel module name", "module i2c-dev" },
};

#define MAX_WORDS 256

/* The words of a line, cut in place; a word that starts with '#' ends the
 * line.  The count, or -1 after logging that there are too many. */
static int split(const struct line *ln, char *q, char **w)
{
	int n = 0;

	while (*q) {
		while (*q == ' ' || *q == '\t' || *q == '\r')
			*q++ = '\0';
		if (!*q || *q == '#')
			break;
		if (n == MAX_WORDS) {
			bad(ln, "more than %d words; split the line", MAX_WORDS);
			return -1;
		}
		w[n++] = q;
		q += strcspn(q, " \t\r");
	}
	return n;
}

static void parse_line(const struct line *ln, char *text)
{
	char *words[MAX_WORDS], **w = words;
	const struct directive *d = NULL;
	unsigned flags = 0;
	int n = split(ln, text, words), r;

	if (n <= 0)
		return;
	if (!strcmp(w[0], "?") || !strcmp(w[0], "optional")) {
		if (n == 1) {
			bad(ln, "'%s' needs a path, lib or include after it", w[0]);
			return;
		}
		flags = MF_OPTIONAL;
		w++, n--;
	} else if (w[0][0] == '?' && w[0][1] == '/') {
		flags = MF_OPTIONAL;
		w[0]++;
	}
	if (w[0][0] == '/') {
		r = path_line(ln, w, n, flags);
		goto done;
	}
	for (size_t i = 0; i < sizeof directives / sizeof *directives; i++)
		if (!strcmp(w[0], directives[i].name))
			d = &directives[i];
	if (!d) {
		char s[SHOW_MAX + 4];
		if (strchr(w[0], '/'))
			check_path(ln, "path", w[0], 1);
		else
			bad(ln, "unknown directive '%s'; a line is an absolute path, or starts with "
				"lib, dir, symlink, links, include, module, optional or ?",
			    show(s, w[0]));
		return;
	}
	if (flags && !d->optional) {
		bad(ln, "'?' and 'optional' apply to paths, lib, include and module, not to %s", d->name);
		return;
	}
	if (n - 1 < d->min || (d->max && n - 1 > d->max)) {
		bad(ln, "%s needs %s, e.g. '%s'", d->name, d->needs, d->example);
		return;
	}
	r = d->fn(ln, w + 1, n - 1, flags);
done:
	if (r)
		bad(ln, "out of memory");
}

int manifest_parse(struct manifest *m, char *text, size_t len, const char *where,
		   const char *file)
{
	struct line ln = { m, where, file, 0 };
	int before = m->errors;
	char *p = text, *end = text + len;

	if (memchr(text, '\0', len)) {
		manifest_error(m, where, 0, "has a NUL byte: not a text file; is it a manifest?");
		return m->errors - before;
	}
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));

		ln.line++;
		if (!nl)
			nl = end;
		*nl = '\0';
		parse_line(&ln, p);
		p = nl + 1;
	}
	return m->errors - before;
}

/* --- files and includes ------------------------------------------------------ */

/* in_root: a manifest named by name is looked up inside the root, when
 * there is one; one given as a path is always on the host. */
static int read_manifest(struct manifest *m, const char *path, int in_root, char **text,
			 size_t *len)
{
	/* O_NONBLOCK: a FIFO named by mistake must not hang the boot */
	int fd = in_root ? rootfs_openat(m->root, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
			 : open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	ssize_t n;
	char *buf;

	if (fd < 0)
		return in_root ? fd : -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	}
	/* one byte more than allowed, to tell a file that is too large */
	buf = malloc(MANIFEST_MAX_SIZE + 1);
	n = buf ? read_full(fd, buf, MANIFEST_MAX_SIZE + 1) : -ENOMEM;
	close(fd);
	if (n < 0 || n > MANIFEST_MAX_SIZE) {
		free(buf);
		return n < 0 ? (int)n : -EFBIG;
	}
	buf[n] = '\0';
	*text = buf;
	*len = (size_t)n;
	return 0;
}

static void read_error(struct manifest *m, const char *name, const char *path, int is_path, int r)
{
	int in_root = m->root && !is_path;

	if (r == -EFBIG)
		error("manifest '%s': %s is larger than %d bytes; is it a manifest?", name, path,
		      MANIFEST_MAX_SIZE);
	else if (r == -EINVAL)
		error("manifest '%s': %s is not a regular file", name, path);
	else
		error("manifest '%s': cannot read %s%s%s: %s%s", name, path, in_root ? " in " : "",
		      in_root ? m->root->dir : "", strerror(-r),
		      r == -ENOENT && !is_path ? "; list the manifest directory, or give "
						 "--manifests DIR" : "");
	m->errors++;
}

/* An include of a manifest already on the include chain: logs the chain. */
static int cycle(struct manifest *m, const char *path)
{
	char chain[1024];
	int i = 0;

	while (i < m->depth && strcmp(m->stack[i], path))
		i++;
	if (i == m->depth)
		return 0;
	for (chain[0] = '\0'; i < m->depth; i++) {
		strncat(chain, m->stack[i], sizeof chain - strlen(chain) - 1);
		strncat(chain, " -> ", sizeof chain - strlen(chain) - 1);
	}
	strncat(chain, path, sizeof chain - strlen(chain) - 1);
	manifest_error(m, m->stack[m->depth - 1], 0,
		       "include cycle: %s; remove one of these includes", chain);
	return 1;
}

static int loaded(const struct manifest *m, const char *path)
{
	for (int i = 0; i < m->n_loaded; i++)
		if (!strcmp(m->loaded[i], path))
			return 1;
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
	int r, before = m->errors;
	int is_path = strchr(name, '/') || (nl > 9 && !strcmp(name + nl - 9, ".manifest"));

	if (is_path)
		snprintf(path, sizeof path, "%s", name);
	else if ((size_t)snprintf(path, sizeof path, "%s/%s.manifest", m->dir ? m->dir : ".", name) >=
		 sizeof path)
		return -ENAMETOOLONG;
	if (cycle(m, path))
		return -EINVAL;
	if (loaded(m, path))
		return 0; /* each manifest once, however often included */
	if (m->depth == MANIFEST_MAX_DEPTH) {
		manifest_error(m, path, 0, "includes nest deeper than %d", MANIFEST_MAX_DEPTH);
		return -EINVAL;
	}
	r = read_manifest(m, path, m->root && !is_path, &text, &len);
	if (r == -ENOENT && optional)
		return r;
	if (r < 0) {
		read_error(m, name, path, is_path, r);
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
