/* cmdline_edit.c - see cmdline_edit.h.  Word boundaries are found as the
 * kernel's next_arg() finds them, and each word is then read by the boot's
 * own splitter (boot/cmdline.c), so the editor sees a name exactly where the
 * kernel, and root2ram at boot, will. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "boot/cmdline.h"
#include "boot/config.h"
#include "cmd/cmdline_edit.h"

/* what the editor knows a word as */
enum { K_OTHER, K_DASHDASH, K_ROOT, K_NFSROOT, K_IP, K_RW, K_ROOTFSTYPE, K_INIT, K_OURS };

struct word {
	const char *raw;
	size_t len;
	int kind;
	int is_ours; /* root=/dev/nfs, init=/sbin/root2ram */
	int set;     /* K_OURS: the first --set word of the same name, or -1 */
};

struct keys {
	char key[CMDLINE_EDIT_MAX_SET][CONFIG_NAME_MAX]; /* after "root2ram": "", ".size" */
	int n;
};

/* The next word at *p, as next_arg() delimits it: up to white space outside
 * double quotes.  *open: the word ends inside a quote. */
static const char *next_word(const char **p, size_t *len, int *open)
{
	const char *s = *p, *start;
	int q = 0;

	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return NULL;
	for (start = s; *s && (q || !isspace((unsigned char)*s)); s++)
		if (*s == '"')
			q = !q;
	*len = (size_t)(s - start);
	*open = q;
	*p = s;
	return start;
}

struct grab {
	int n;
	const char *name, *value;
};

static int grab(const char *name, const char *value, int after, void *ctx)
{
	struct grab *g = ctx;

	(void)after;
	g->name = name;
	g->value = value;
	g->n++;
	return 0;
}

/* name and value of one word, read by the boot's splitter into tmp;
 * g->n == 0 for a "--" */
static void split_word(const char *raw, size_t len, char *tmp, struct grab *g)
{
	memcpy(tmp, raw, len);
	tmp[len] = '\0';
	g->n = 0;
	cmdline_split(tmp, grab, g);
}

/* "root2ram" words: what follows the prefix ("" or ".NAME"), else NULL */
static const char *ours(const char *name)
{
	const char *rest = cmdline_match(name, "root2ram");
	return rest && (*rest == '\0' || *rest == '.') ? rest : NULL;
}

static int same_key(const char *a, const char *b)
{
	const char *p = cmdline_match(a, b);
	return p && *p == '\0';
}

static void classify(const char *raw, size_t len, const struct keys *k, struct word *w)
{
	char tmp[CMDLINE_MAX];
	struct grab g;
	const char *v, *rest;
	int j;

	w->raw = raw;
	w->len = len;
	w->kind = K_OTHER;
	w->is_ours = 0;
	w->set = -1;
	split_word(raw, len, tmp, &g);
	if (g.n == 0) {
		w->kind = K_DASHDASH;
		return;
	}
	v = g.value;
	/* the kernel's own parameters are matched as its __setup() does: exactly */
	if (v && !strcmp(g.name, "root")) {
		w->kind = K_ROOT;
		w->is_ours = !strcmp(v, "/dev/nfs");
	} else if (v && !strcmp(g.name, "nfsroot")) {
		w->kind = K_NFSROOT;
	} else if (v && !strcmp(g.name, "ip")) {
		w->kind = K_IP;
	} else if (!v && (!strcmp(g.name, "rw") || !strcmp(g.name, "ro"))) {
		w->kind = K_RW;
	} else if (v && !strcmp(g.name, "rootfstype")) {
		w->kind = K_ROOTFSTYPE;
	} else if (v && !strcmp(g.name, "init")) {
		w->kind = K_INIT;
		w->is_ours = !strcmp(v, "/sbin/root2ram");
	} else if ((rest = ours(g.name))) {
		w->kind = K_OURS;
		for (j = 0; k && j < k->n && w->set < 0; j++)
			if (same_key(rest, k->key[j]))
				w->set = j;
	}
}

size_t cmdline_fold(char *buf, size_t len, cmdline_note_fn note, void *ctx)
{
	size_t i, ls = 0, line = 1;
	int cr = 0;

	for (i = 0; i <= len; i++) {
		if (i < len && buf[i] == '\r') {
			buf[i] = ' ';
			cr = 1;
		}
		if (i < len && buf[i] != '\n')
			continue;
		if (line > 1 && note) {
			size_t s = ls, e = i;
			while (s < e && isspace((unsigned char)buf[s]))
				s++;
			while (e > s && isspace((unsigned char)buf[e - 1]))
				e--;
			if (e > s)
				note(ctx, NOTE_LINE, buf + s, e - s, NULL);
		}
		if (i < len)
			buf[i] = ' ';
		ls = i + 1;
		line++;
	}
	if (cr && note)
		note(ctx, NOTE_CR, NULL, 0, NULL);
	while (len > 0 && isspace((unsigned char)buf[len - 1]))
		len--;
	buf[len] = '\0';
	return len;
}

int cmdline_set_word(const char *arg, char *word, size_t size, char *err, size_t errlen)
{
	struct config c;
	struct grab g;
	char tmp[CMDLINE_MAX], norm[CONFIG_NAME_MAX], why[160];
	const char *p = arg, *rest, *eq;
	size_t len, i, n = strlen(arg);
	int open, r;

	err[0] = '\0';
	if (strpbrk(arg, "\r\n") || n >= sizeof tmp) {
		snprintf(err, errlen, "--set %.60s: a word of one line, like root2ram.debug", arg);
		return -EINVAL;
	}
	eq = strchr(arg, '=');
	if (!strchr(arg, '"') && eq && arg[strcspn(arg, " \t\v\f")]) {
		/* a value with spaces: quote it, as the kernel wants it */
		if (memchr(arg, ' ', (size_t)(eq - arg)) || memchr(arg, '\t', (size_t)(eq - arg)))
			goto not_ours;
		r = snprintf(word, size, "%.*s=\"%s\"", (int)(eq - arg), arg, eq + 1);
	} else {
		r = snprintf(word, size, "%s", arg);
	}
	if (r < 0 || (size_t)r >= size || (size_t)r >= sizeof tmp) {
		snprintf(err, errlen, "--set %.60s...: too long", arg);
		return -EINVAL;
	}
	p = word;
	if (next_word(&p, &len, &open) != word || len != (size_t)r || open)
		goto not_ours;
	split_word(word, len, tmp, &g);
	if (g.n == 0 || !(rest = ours(g.name)))
		goto not_ours;
	config_defaults(&c);
	if (*rest == '\0') { /* root2ram=on|off: a yes or no, as detach= */
		strcpy(norm, "detach");
	} else {
		for (i = 0; rest[i + 1] && i + 1 < sizeof norm; i++)
			norm[i] = rest[i + 1] == '-' ? '_' : rest[i + 1];
		norm[i] = '\0';
	}
	/* the boot's own judge of names and values: what it takes, this takes */
	r = config_set(&c, norm, g.value, 1, why, sizeof why);
	if (r == -ENOENT) {
		snprintf(err, errlen, "--set %.60s: root2ram has no boot option '%.40s' "
			 "('root2ram help' lists them)", arg, rest + 1);
		return -EINVAL;
	}
	if (r < 0) {
		snprintf(err, errlen, "--set %.60s: %s", arg, *rest ? why : "use root2ram=off or root2ram=on");
		return -EINVAL;
	}
	return 0;
not_ours:
	snprintf(err, errlen, "--set %.60s: give root2ram.NAME=VALUE, root2ram.NAME or root2ram=off", arg);
	return -EINVAL;
}

struct out {
	char *buf;
	size_t size, pos;
	int full;
	const struct cmdline_edit *e;
	const struct keys *k;
};

static void put(struct out *o, const char *w, size_t n)
{
	size_t sep = o->pos > 0;

	if (o->pos + sep + n >= o->size) {
		o->full = 1;
		return;
	}
	if (sep)
		o->buf[o->pos++] = ' ';
	memcpy(o->buf + o->pos, w, n);
	o->pos += n;
	o->buf[o->pos] = '\0';
}

static void say(struct out *o, int how, const struct word *w, const char *nw)
{
	if (o->e->note)
		o->e->note(o->e->ctx, how, w ? w->raw : NULL, w ? w->len : 0, nw);
}

static void add(struct out *o, const char *nw)
{
	put(o, nw, strlen(nw));
	say(o, NOTE_ADD, NULL, nw);
}

static void replace(struct out *o, const struct word *w, const char *nw)
{
	put(o, nw, strlen(nw));
	if (w->len != strlen(nw) || memcmp(w->raw, nw, w->len))
		say(o, NOTE_REPLACE, w, nw);
}

/* the --set words of one name, the first in place of w (if any) */
static void put_set(struct out *o, const struct word *w, int j)
{
	const struct cmdline_edit *e = o->e;
	int i;

	for (i = j; i < e->n_set; i++) {
		if (i != j && !same_key(o->k->key[i], o->k->key[j]))
			continue;
		if (w) {
			replace(o, w, e->set[i]);
			w = NULL;
		} else {
			add(o, e->set[i]);
		}
	}
}

static int check_nfsroot(const char *s, char *word, size_t size, char *err, size_t errlen)
{
	const char *colon = strchr(s, ':');
	const char *c;
	int r;

	for (c = s; *c && (unsigned char)*c > ' ' && *c != '"' && *c != 0x7f; c++)
		;
	if (*c || !colon || colon == s || colon[1] != '/') {
		snprintf(err, errlen, "--nfsroot %.80s: give SERVER:/PATH[,OPTIONS], "
			 "like 10.0.0.1:/srv/nfs/pi,vers=3", s);
		return -EINVAL;
	}
	r = snprintf(word, size, "nfsroot=%s", s);
	if (r < 0 || (size_t)r >= size) {
		snprintf(err, errlen, "--nfsroot: too long");
		return -EINVAL;
	}
	return 0;
}

int cmdline_edit(const char *in, const struct cmdline_edit *e, char *buf, size_t size,
		 char *err, size_t errlen)
{
	struct keys k;
	struct word w;
	struct out o = { buf, size, 0, 0, e, &k };
	struct grab g;
	char nfsw[CMDLINE_MAX];
	const char *p, *s, *rest, *root = NULL, *tail = NULL;
	size_t len, rootlen = 0;
	int open, j, nfs = 0, has_nfsroot = 0, has_ip = 0, has_rw = 0;
	int root_seen = 0, nfsroot_seen = 0, init_seen = 0, inserted = 0;
	char done[CMDLINE_EDIT_MAX_SET] = { 0 };

	err[0] = '\0';
	if (size == 0)
		return -E2BIG;
	buf[0] = '\0';
	if (strlen(in) >= CMDLINE_MAX) {
		snprintf(err, errlen, "is longer than %d bytes: not a cmdline.txt", CMDLINE_MAX - 1);
		return -EINVAL;
	}
	if (e->n_set < 0 || e->n_set > CMDLINE_EDIT_MAX_SET || (e->off && (e->n_set || e->nfsroot))) {
		snprintf(err, errlen, "--off takes no --set or --nfsroot");
		return -EINVAL;
	}
	for (k.n = 0; k.n < e->n_set; k.n++) {
		p = e->set[k.n];
		s = next_word(&p, &len, &open);
		if (s == e->set[k.n] && !*p && !open && len < CMDLINE_MAX) {
			split_word(s, len, nfsw, &g);
			rest = g.n ? ours(g.name) : NULL;
		} else {
			rest = NULL;
		}
		if (!rest || strlen(rest) >= CONFIG_NAME_MAX) {
			snprintf(err, errlen, "--set %.60s: not a root2ram word", e->set[k.n]);
			return -EINVAL;
		}
		strcpy(k.key[k.n], rest);
	}
	if (e->nfsroot && check_nfsroot(e->nfsroot, nfsw, sizeof nfsw, err, errlen) < 0)
		return -EINVAL;

	/* what the line has, and whether it can be edited */
	for (p = in; (s = next_word(&p, &len, &open));) {
		classify(s, len, NULL, &w);
		if (w.kind == K_DASHDASH)
			break;
		if (open) {
			snprintf(err, errlen, "has a quote that is never closed, in %.60s: close it first", s);
			return -EINVAL;
		}
		nfs |= w.is_ours && w.kind == K_ROOT;
		if (w.kind == K_ROOT) {
			root = s;
			rootlen = len;
		}
		has_nfsroot |= w.kind == K_NFSROOT;
		has_ip |= w.kind == K_IP;
		has_rw |= w.kind == K_RW;
	}
	/* nothing to add root2ram to; --off has nothing to remove */
	p = in;
	if (!next_word(&p, &len, &open) && !e->nfsroot && !e->off) {
		snprintf(err, errlen, "is empty: give --nfsroot SERVER:/PATH to make a line");
		return -EINVAL;
	}
	if (!e->off && !e->nfsroot && !nfs && !has_nfsroot) {
		if (root)
			snprintf(err, errlen, "boots from %.*s: root2ram runs on an NFS root; "
				 "give --nfsroot SERVER:/PATH", (int)(rootlen > 80 ? 80 : rootlen), root);
		else
			snprintf(err, errlen, "has no root=: root2ram runs on an NFS root; "
				 "give --nfsroot SERVER:/PATH");
		return -EINVAL;
	}

	for (p = in; (s = next_word(&p, &len, &open));) {
		classify(s, len, &k, &w);
		if (w.kind == K_DASHDASH) {
			tail = s;
			break;
		}
		switch (w.kind) {
		case K_ROOT:
		case K_NFSROOT:
		case K_ROOTFSTYPE:
			if (!e->nfsroot)
				goto keep;
			if (w.kind == K_ROOT && !root_seen++) {
				replace(&o, &w, "root=/dev/nfs");
				/* the rest of an NFS root next to it, where people look */
				if (!has_nfsroot)
					add(&o, nfsw);
				if (!has_ip)
					add(&o, "ip=dhcp");
				if (!has_rw)
					add(&o, "rw");
				inserted = 1;
			} else if (w.kind == K_NFSROOT && !nfsroot_seen++) {
				replace(&o, &w, nfsw);
			} else {
				say(&o, NOTE_DEL, &w, NULL);
			}
			continue;
		case K_INIT:
			if (e->off ? w.is_ours : init_seen++)
				say(&o, NOTE_DEL, &w, NULL);
			else if (e->off)
				goto keep;
			else
				replace(&o, &w, CMDLINE_INIT);
			continue;
		case K_OURS:
			if (e->off || (w.set >= 0 && done[w.set]))
				say(&o, NOTE_DEL, &w, NULL);
			else if (w.set < 0)
				goto keep;
			else {
				put_set(&o, &w, w.set);
				done[w.set] = 1;
			}
			continue;
		}
keep:
		put(&o, s, len);
	}
	if (e->nfsroot && !inserted) {
		add(&o, "root=/dev/nfs");
		if (!has_nfsroot)
			add(&o, nfsw);
		if (!has_ip)
			add(&o, "ip=dhcp");
		if (!has_rw)
			add(&o, "rw");
	}
	if (!e->off && !init_seen)
		add(&o, CMDLINE_INIT);
	for (j = 0; j < e->n_set; j++) {
		int first = j, i;
		for (i = 0; i < j; i++)
			if (same_key(k.key[i], k.key[j]))
				first = i;
		/* done[] is set on the first word of a name: mark the rest too */
		if (first == j && !done[j])
			put_set(&o, NULL, j);
		done[j] = 1;
	}
	/* init's argv: kept as it is */
	for (p = tail; tail && (s = next_word(&p, &len, &open));)
		put(&o, s, len);
	if (o.full) {
		snprintf(err, errlen, "would be longer than %zu bytes", size - 1);
		return -E2BIG;
	}
	return 0;
}
