/* config.c - see config.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/cmdline.h"
#include "boot/config.h"
#include "lib/log.h"
#include "lib/num.h"
#include "lib/paths.h"
#include "stage/copy.h"

enum { SRC_FILE = 1, SRC_CMDLINE = 2 };

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof *c);
	strcpy(c->manifest[0], "default");
	c->n_manifest = 1;
	strcpy(c->init, "/sbin/init");
	strcpy(c->fallback, "/sbin/init");
	c->detach = 1;
	c->ssh = 1;
	c->logs = 1;
	c->modules = 1;
}

int config_parse_size(const char *s, unsigned long long *bytes, unsigned *pct)
{
	const char *end;
	unsigned long long v, mul = 1;

	if (!(end = num_decimal(s, &v)))
		return -EINVAL;
	if (*end == '%' && end[1] == '\0') {
		if (v == 0 || v > 100)
			return -EINVAL;
		*pct = (unsigned)v;
		*bytes = 0;
		return 0;
	}
	switch (*end) {
	case '\0': break;
	case 'k': case 'K': mul = 1ULL << 10; end++; break;
	case 'm': case 'M': mul = 1ULL << 20; end++; break;
	case 'g': case 'G': mul = 1ULL << 30; end++; break;
	default: return -EINVAL;
	}
	if (*end || v == 0 || v > ~0ULL / mul)
		return -EINVAL;
	*bytes = v * mul;
	*pct = 0;
	return 0;
}

static int parse_bool(const char *v)
{
	static const char *const yes[] = { "1", "y", "yes", "on", "true" };
	static const char *const no[] = { "0", "n", "no", "off", "false" };
	size_t i;

	if (!v)
		return 1; /* a bare flag means yes */
	for (i = 0; i < sizeof yes / sizeof *yes; i++)
		if (strcmp(v, yes[i]) == 0)
			return 1;
	for (i = 0; i < sizeof no / sizeof *no; i++)
		if (strcmp(v, no[i]) == 0)
			return 0;
	return -1;
}

/* A host for syslogd -R (or a list of them, for ntp), written into a file
 * rcS reads: only the characters of a host name, an address, [v6] and a
 * port. */
static int set_host(char *dst, const char *v, const char *name, const char *eg, char *err,
		    size_t errlen)
{
	if (!v || !*v || strlen(v) >= CONFIG_NAME_MAX || v[strspn(v, "abcdefghijklmnopqrstuvwxyz"
								       "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]_,")] ||
	    (strchr(v, ',') && strcmp(name, "ntp"))) {
		snprintf(err, errlen, "%s=%s: use HOST or HOST:PORT, like %s=%s", name, v ? v : "",
			 name, eg);
		return -EINVAL;
	}
	strcpy(dst, v);
	return 0;
}

static int set_path(char *dst, const char *v, const char *name, char *err, size_t errlen)
{
	if (!v || v[0] != '/') {
		snprintf(err, errlen, "%s needs an absolute path, like %s=/sbin/init", name, name);
		return -EINVAL;
	}
	if (strlen(v) >= CONFIG_PATH_MAX) {
		snprintf(err, errlen, "%s path is longer than %d bytes", name, CONFIG_PATH_MAX - 1);
		return -EINVAL;
	}
	strcpy(dst, v);
	return 0;
}

/* One name of a manifest list: a name, looked up in /etc/root2ram/manifests,
 * never a path (root2ram.manifest=../../etc/shadow would read any file,
 * and echo its lines as errors). */
static int check_manifest_name(const char *p, size_t n, int have, char *err, size_t errlen)
{
	if (n >= CONFIG_NAME_MAX) {
		snprintf(err, errlen, "manifest name '%.*s...' is too long", 20, p);
		return -EINVAL;
	}
	if (memchr(p, '/', n) || (n <= 2 && !strncmp(p, "..", n))) {
		snprintf(err, errlen, "manifest=%.*s: a manifest is a name in %s, like manifest=default, "
			 "not a path", (int)(n > 40 ? 40 : n), p, R2R_MANIFEST_DIR);
		return -EINVAL;
	}
	if (have == CONFIG_MAX_MANIFESTS) {
		snprintf(err, errlen, "more than %d manifests", CONFIG_MAX_MANIFESTS);
		return -EINVAL;
	}
	return 0;
}

static int add_manifests(struct config *c, const char *v, int src, char *err, size_t errlen)
{
	int have, pass;

	if (!v || !*v) {
		snprintf(err, errlen, "manifest needs a name, like manifest=default");
		return -EINVAL;
	}
	have = c->manifest_src == src ? c->n_manifest : 0; /* first in this source: replace */
	/* check every name first: a bad list changes nothing */
	for (pass = 0; pass < 2; pass++) {
		int n_now = have;
		for (const char *p = v; *p;) {
			size_t n = strcspn(p, ",");
			if (n == 0) {
				p++;
				continue;
			}
			if (pass == 0 && check_manifest_name(p, n, n_now, err, errlen) < 0)
				return -EINVAL;
			if (pass == 1) {
				memcpy(c->manifest[n_now], p, n);
				c->manifest[n_now][n] = '\0';
			}
			n_now++;
			p += n;
		}
		if (pass == 1) {
			c->n_manifest = n_now;
			c->manifest_src = src;
		}
	}
	return 0;
}

int config_set(struct config *c, const char *name, const char *v, int src,
	       char *err, size_t errlen)
{
	int b, *flag;

	err[0] = '\0';
	if (strcmp(name, "manifest") == 0)
		return add_manifests(c, v, src, err, errlen);
	if (strcmp(name, "size") == 0) {
		if (config_parse_size(v, &c->size, &c->size_pct) < 0) {
			snprintf(err, errlen, "size=%s is not a size: use bytes with K, M or G, or a share of RAM like 25%%",
				 v ? v : "");
			return -EINVAL;
		}
		return 0;
	}
	if (strcmp(name, "jobs") == 0) {
		int n = copy_jobs_parse(v);
		if (n < 0) {
			snprintf(err, errlen, "jobs=%s: use a number from 1 to %d", v ? v : "", COPY_MAX_JOBS);
			return -EINVAL;
		}
		c->jobs = n;
		return 0;
	}
	if (strcmp(name, "init") == 0)
		return set_path(c->init, v, "init", err, errlen);
	if (strcmp(name, "fallback") == 0)
		return set_path(c->fallback, v, "fallback", err, errlen);
	if (strcmp(name, "syslog") == 0)
		return set_host(c->syslog, v, "syslog", "10.0.0.1:514", err, errlen);
	if (strcmp(name, "ntp") == 0)
		return set_host(c->ntp, v, "ntp", "10.0.0.1,10.0.0.2:123 or ntp=no", err, errlen);
	if (strcmp(name, "health") == 0)
		return set_path(c->health, v, "health", err, errlen);
	if (strcmp(name, "watchdog") == 0) {
		unsigned long long n;
		if (!v || num_in_range(v, 0, 3600, &n) < 0) {
			snprintf(err, errlen, "watchdog=%s: use seconds from 1 to 3600, or 0 for off", v ? v : "");
			return -EINVAL;
		}
		c->watchdog = (unsigned)n;
		return 0;
	}
	flag = strcmp(name, "detach") == 0 ? &c->detach :
	       strcmp(name, "logs") == 0   ? &c->logs :
	       strcmp(name, "modules") == 0 ? &c->modules :
	       strcmp(name, "ssh") == 0    ? &c->ssh :
	       strcmp(name, "debug") == 0  ? &c->debug :
	       strcmp(name, "off") == 0    ? &c->off : NULL;
	if (flag) {
		if ((b = parse_bool(v)) < 0) {
			snprintf(err, errlen, "%s=%s: use yes or no", name, v);
			return -EINVAL;
		}
		*flag = b;
		return 0;
	}
	snprintf(err, errlen, "unknown option '%s'", name);
	return -ENOENT;
}

struct cmdline_ctx {
	struct config *c;
	int bad;
};

static int cmdline_word(const char *name, const char *value, int after, void *arg)
{
	struct cmdline_ctx *x = arg;
	const char *key;
	char err[160], norm[CONFIG_NAME_MAX];
	size_t i;
	int b;

	if (after) /* init's own arguments: not ours */
		return 0;
	key = cmdline_match(name, "root2ram");
	if (key && *key == '\0') { /* root2ram=off, root2ram=on */
		if ((b = parse_bool(value)) < 0) {
			warn("kernel command line: root2ram=%s: use root2ram=off or root2ram=on; ignored",
			     value);
			x->bad++;
		} else {
			x->c->off = !b;
		}
		return 0;
	}
	key = cmdline_match(name, "root2ram.");
	if (!key)
		return 0;
	for (i = 0; key[i] && i + 1 < sizeof norm; i++)
		norm[i] = key[i] == '-' ? '_' : key[i];
	norm[i] = '\0';
	if (config_set(x->c, norm, value, SRC_CMDLINE, err, sizeof err) < 0) {
		warn("kernel command line: root2ram.%s: %s; ignored", key, err);
		x->bad++;
	}
	return 0;
}

int config_from_cmdline(struct config *c, char *buf)
{
	struct cmdline_ctx x = { c, 0 };
	cmdline_split(buf, cmdline_word, &x);
	return x.bad;
}

int config_from_text(struct config *c, char *buf, const char *path)
{
	char *line = buf, *next, err[160];
	int lineno = 0, bad = 0;

	for (; line && *line; line = next) {
		char *eq, *s, *e;
		lineno++;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		s = line;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '#' || *s == '\0')
			continue;
		e = s + strlen(s);
		while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			*--e = '\0';
		eq = strchr(s, '=');
		if (eq) {
			char *ke = eq;
			while (ke > s && (ke[-1] == ' ' || ke[-1] == '\t'))
				ke--;
			*ke = '\0';
			eq++;
			while (*eq == ' ' || *eq == '\t')
				eq++;
		}
		if (config_set(c, s, eq, SRC_FILE, err, sizeof err) < 0) {
			warn("%s:%d: %s; line ignored", path, lineno, err);
			bad++;
		}
	}
	return bad;
}
