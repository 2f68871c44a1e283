/* search.c - see search.h. */
/* 64-bit off_t, ino_t and d_off with 32-bit glibc too (the armel unit
 * tests); musl has them always. */
#define _FILE_OFFSET_BITS 64
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "lib/file.h"
#include "lib/log.h"
#include "lib/match.h"
#include "ldso/search.h"

#ifndef AT_PLATFORM
#define AT_PLATFORM 15 /* the kernel's auxv tag; musl's headers may lack it */
#endif

/* What glibc is built with per architecture on Debian: the multiarch
 * triplet (its default directories and $LIB), the loader's name (what
 * `ld.so --list` prints for a library without PT_INTERP), AT_PLATFORM
 * when the machine cannot be asked, and the ld.so.cache flags its
 * _dl_cache_check_flags accepts (sysdeps/unix/sysv/linux/<arch>/dl-cache.h). */
static const struct arch {
	uint16_t machine;
	unsigned char cls, data;
	enum elf_float fl; /* ARM only; NONE: any */
	const char *triplet, *rtld, *platform;
	uint32_t flags0, flags1;
} arches[] = {
	{ ELF_EM_X86_64, ELF_CLASS64, ELF_DATA_LSB, ELF_FLOAT_NONE, "x86_64-linux-gnu",
	  "/lib64/ld-linux-x86-64.so.2", "x86_64", 0x303, 0 },
	{ ELF_EM_X86_64, ELF_CLASS32, ELF_DATA_LSB, ELF_FLOAT_NONE, "x86_64-linux-gnux32",
	  "/libx32/ld-linux-x32.so.2", "x86_64", 0x803, 0 },
	{ ELF_EM_386, ELF_CLASS32, ELF_DATA_LSB, ELF_FLOAT_NONE, "i386-linux-gnu", "/lib/ld-linux.so.2", "i686", 3, 1 },
	{ ELF_EM_AARCH64, ELF_CLASS64, ELF_DATA_LSB, ELF_FLOAT_NONE, "aarch64-linux-gnu",
	  "/lib/ld-linux-aarch64.so.1", "aarch64", 0xa03, 0 },
	{ ELF_EM_AARCH64, ELF_CLASS64, ELF_DATA_MSB, ELF_FLOAT_NONE, "aarch64_be-linux-gnu",
	  "/lib/ld-linux-aarch64_be.so.1", "aarch64_be", 0xa03, 0 },
	{ ELF_EM_ARM, ELF_CLASS32, ELF_DATA_LSB, ELF_FLOAT_HARD, "arm-linux-gnueabihf", "/lib/ld-linux-armhf.so.3",
	  "v7l", 0x903, 3 },
	{ ELF_EM_ARM, ELF_CLASS32, ELF_DATA_LSB, ELF_FLOAT_SOFT, "arm-linux-gnueabi", "/lib/ld-linux.so.3", "v7l",
	  0xb03, 3 },
	{ ELF_EM_ARM, ELF_CLASS32, ELF_DATA_MSB, ELF_FLOAT_HARD, "armeb-linux-gnueabihf",
	  "/lib/ld-linux-armhf.so.3", "v7b", 0x903, 3 },
	{ ELF_EM_ARM, ELF_CLASS32, ELF_DATA_MSB, ELF_FLOAT_SOFT, "armeb-linux-gnueabi", "/lib/ld-linux.so.3", "v7b",
	  0xb03, 3 },
	{ ELF_EM_RISCV, ELF_CLASS64, ELF_DATA_LSB, ELF_FLOAT_NONE, "riscv64-linux-gnu",
	  "/lib/ld-linux-riscv64-lp64d.so.1", "", 0x1003, 0 },
	{ ELF_EM_PPC64, ELF_CLASS64, ELF_DATA_LSB, ELF_FLOAT_NONE, "powerpc64le-linux-gnu", "/lib64/ld64.so.2",
	  "power8", 0x503, 0 },
	{ ELF_EM_PPC64, ELF_CLASS64, ELF_DATA_MSB, ELF_FLOAT_NONE, "powerpc64-linux-gnu", "/lib64/ld64.so.1", "",
	  0x503, 0 },
	{ ELF_EM_PPC, ELF_CLASS32, ELF_DATA_MSB, ELF_FLOAT_NONE, "powerpc-linux-gnu", "/lib/ld.so.1", "", 3, 1 },
	{ ELF_EM_S390, ELF_CLASS64, ELF_DATA_MSB, ELF_FLOAT_NONE, "s390x-linux-gnu", "/lib/ld64.so.1", "", 0x403, 0 },
	{ ELF_EM_MIPS, ELF_CLASS32, ELF_DATA_LSB, ELF_FLOAT_NONE, "mipsel-linux-gnu", "/lib/ld.so.1", "", 3, 1 },
	{ ELF_EM_MIPS, ELF_CLASS64, ELF_DATA_LSB, ELF_FLOAT_NONE, "mips64el-linux-gnuabi64", "/lib64/ld.so.1", "",
	  0x703, 0 },
	{ ELF_EM_LOONGARCH, ELF_CLASS64, ELF_DATA_LSB, ELF_FLOAT_NONE, "loongarch64-linux-gnu",
	  "/lib64/ld-linux-loongarch-lp64d.so.1", "", 0x1203, 0 },
	{ ELF_EM_SPARCV9, ELF_CLASS64, ELF_DATA_MSB, ELF_FLOAT_NONE, "sparc64-linux-gnu", "/lib64/ld-linux.so.2", "",
	  0x103, 0 },
	{ ELF_EM_68K, ELF_CLASS32, ELF_DATA_MSB, ELF_FLOAT_NONE, "m68k-linux-gnu", "/lib/ld.so.1", "", 3, 1 },
	{ ELF_EM_SH, ELF_CLASS32, ELF_DATA_LSB, ELF_FLOAT_NONE, "sh4-linux-gnu", "/lib/ld-linux.so.2", "", 3, 1 },
	{ ELF_EM_PARISC, ELF_CLASS32, ELF_DATA_MSB, ELF_FLOAT_NONE, "hppa-linux-gnu", "/lib/ld.so.1", "", 3, 1 },
};

static char arm_platform[32];

void search_set_arm_platform(const char *p)
{
	snprintf(arm_platform, sizeof arm_platform, "%s", p ? p : "");
}

static char sysdir_buf[sizeof arches / sizeof arches[0]][2][48];

/* The machine root2ram runs on, to ask AT_PLATFORM and the CPU itself
 * when the program is for this machine. */
static int is_this_machine(const struct loader_model *m)
{
#if defined(__x86_64__) && !defined(__ILP32__)
	return m->machine == ELF_EM_X86_64 && m->cls == ELF_CLASS64;
#elif defined(__aarch64__)
	return m->machine == ELF_EM_AARCH64 && m->cls == ELF_CLASS64;
#elif defined(__arm__)
	return m->machine == ELF_EM_ARM;
#elif defined(__i386__)
	return m->machine == ELF_EM_386;
#else
	(void)m;
	return 0;
#endif
}

/* glibc-hwcaps subdirectories the CPU can use, best first (glibc 2.33+,
 * sysdeps/x86_64/dl-hwcaps-subdirs.c).  Only x86-64 has them among the
 * machines Debian's glibc 2.36 builds for ARM and x86. */
static const char *const *hwcaps_for(const struct loader_model *m)
{
#if defined(__x86_64__) && !defined(__ILP32__) && defined(__GNUC__) && __GNUC__ >= 12
	static const char *const names[] = { "x86-64-v4", "x86-64-v3", "x86-64-v2" };
	static const char *list[4];
	static int done;
	if (!is_this_machine(m))
		return NULL;
	if (!done) {
		unsigned n = 0;
		__builtin_cpu_init();
		if (__builtin_cpu_supports("x86-64-v4"))
			list[n++] = names[0];
		if (__builtin_cpu_supports("x86-64-v3"))
			list[n++] = names[1];
		if (__builtin_cpu_supports("x86-64-v2"))
			list[n++] = names[2];
		list[n] = NULL;
		done = 1;
	}
	return list[0] ? list : NULL;
#else
	(void)m;
	return NULL;
#endif
}

void search_model(struct loader_model *m, const struct elf_info *exe, const struct elf_info *interp)
{
	const struct arch *a = NULL;
	size_t i;

	memset(m, 0, sizeof *m);
	m->cls = exe->cls;
	m->data = exe->data;
	m->machine = exe->machine;
	if (exe->machine == ELF_EM_ARM) {
		/* The loader's own float ABI decides; Debian names it in
		 * the interpreter's name when the flags say nothing. */
		m->arm_float = interp ? elf_arm_float(interp) : ELF_FLOAT_NONE;
		if (m->arm_float == ELF_FLOAT_NONE)
			m->arm_float = elf_arm_float(exe);
		if (m->arm_float == ELF_FLOAT_NONE)
			m->arm_float = exe->interp && strstr(exe->interp, "armhf") ? ELF_FLOAT_HARD : ELF_FLOAT_SOFT;
	}
	if (exe->interp) {
		const char *b = strrchr(exe->interp, '/');
		b = b ? b + 1 : exe->interp;
		if (strncmp(b, "ld-musl-", 8) == 0) {
			size_t n = strcspn(b + 8, ".");
			m->musl = 1;
			if (n >= sizeof m->musl_arch)
				n = sizeof m->musl_arch - 1;
			memcpy(m->musl_arch, b + 8, n);
		}
	}
	for (i = 0; i < sizeof arches / sizeof arches[0]; i++)
		if (arches[i].machine == m->machine && arches[i].cls == m->cls && arches[i].data == m->data &&
		    (arches[i].fl == ELF_FLOAT_NONE || arches[i].fl == m->arm_float)) {
			a = &arches[i];
			break;
		}
	if (a) {
		m->triplet = a->triplet;
		m->rtld = a->rtld;
		snprintf(m->lib, sizeof m->lib, "lib/%s", a->triplet);
		snprintf(m->platform, sizeof m->platform, "%s", a->platform);
		m->cache.flags[0] = a->flags0;
		m->cache.flags[1] = a->flags1;
		snprintf(sysdir_buf[i][0], sizeof sysdir_buf[i][0], "/lib/%s/", a->triplet);
		snprintf(sysdir_buf[i][1], sizeof sysdir_buf[i][1], "/usr/lib/%s/", a->triplet);
		m->sysdirs[m->nsysdirs++] = sysdir_buf[i][0];
		m->sysdirs[m->nsysdirs++] = sysdir_buf[i][1];
	} else {
		m->triplet = "";
		m->rtld = "/lib/ld.so";
		snprintf(m->lib, sizeof m->lib, "lib");
		m->cache.flags[0] = 3;
		m->cache.flags[1] = 1;
	}
	m->sysdirs[m->nsysdirs++] = "/lib/";
	m->sysdirs[m->nsysdirs++] = "/usr/lib/";
	if (is_this_machine(m)) {
		const char *p = (const char *)getauxval(AT_PLATFORM);
		if (p)
			snprintf(m->platform, sizeof m->platform, "%s", p);
	}
#ifdef __aarch64__
	/* a 64-bit kernel gives 32-bit programs "v8l" */
	if (m->machine == ELF_EM_ARM && m->data == ELF_DATA_LSB)
		snprintf(m->platform, sizeof m->platform, "v8l");
#endif
	if (m->machine == ELF_EM_ARM && arm_platform[0])
		snprintf(m->platform, sizeof m->platform, "%s", arm_platform);
	m->cache.hwcaps = hwcaps_for(m);
}

enum verdict search_check(const struct loader_model *m, const struct elf_info *e, const char **why)
{
	int osabi_ok;

	/* In the order of glibc's open_verify: only another class or
	 * machine lets the search go on; anything else odd stops it. */
	if (e->cls != m->cls)
		return CAND_SKIP;
	if (e->data != m->data) {
		*why = m->data == ELF_DATA_LSB ? "ELF file data encoding not little-endian"
					       : "ELF file data encoding not big-endian";
		return CAND_FATAL;
	}
	if (e->ident_version != 1) {
		*why = "ELF file version ident does not match current one";
		return CAND_FATAL;
	}
	osabi_ok = e->osabi == ELF_OSABI_SYSV || e->osabi == ELF_OSABI_GNU ||
		   (m->machine == ELF_EM_ARM && e->osabi == ELF_OSABI_ARM_AEABI);
	if (!osabi_ok) {
		*why = "ELF file OS ABI invalid";
		return CAND_FATAL;
	}
	if (e->abiversion != 0 && !(e->osabi == ELF_OSABI_GNU && e->abiversion < 4)) {
		*why = "ELF file ABI version invalid";
		return CAND_FATAL;
	}
	if (e->pad_nonzero) {
		*why = "nonzero padding in e_ident";
		return CAND_FATAL;
	}
	/* The ARM loader's VALID_FLOAT_ABI is part of its header check: an
	 * object of the other float ABI is not skipped but is an error
	 * (glibc says "internal error"). */
	if (m->machine == ELF_EM_ARM && (e->flags & ELF_ARM_EABIMASK) == ELF_ARM_EABI_VER5 &&
	    (e->flags & (m->arm_float == ELF_FLOAT_HARD ? ELF_ARM_ABI_FLOAT_SOFT : ELF_ARM_ABI_FLOAT_HARD))) {
		*why = m->arm_float == ELF_FLOAT_HARD ? "soft-float library for a hard-float loader (glibc: internal error)"
						      : "hard-float library for a soft-float loader (glibc: internal error)";
		return CAND_FATAL;
	}
	if (e->version != 1) {
		*why = "ELF file version does not match current one";
		return CAND_FATAL;
	}
	if (e->machine != m->machine)
		return CAND_SKIP;
	if (e->type != ELF_ET_DYN && e->type != ELF_ET_EXEC) {
		*why = "only ET_DYN and ET_EXEC can be loaded";
		return CAND_FATAL;
	}
	return CAND_OK;
}

/* glibc's is_dst: the token name, braced or followed by a character
 * that cannot continue an identifier.  Returns its length, 0 if none. */
static size_t is_dst(const char *in, const char *ref)
{
	size_t len = strlen(ref);
	int curly = in[0] == '{';

	if (curly)
		in++;
	if (strncmp(in, ref, len) != 0 || (curly && in[len] != '}') ||
	    (!curly && (isalnum((unsigned char)in[len]) || in[len] == '_')))
		return 0;
	return curly ? len + 2 : len;
}

int search_expand(const struct loader_model *m, const char *origin, const char *in, char *out, size_t outlen)
{
	size_t w = 0;

	while (*in) {
		const char *repl = NULL;
		size_t len = 0, rl;

		if (*in != '$') {
			if (w + 1 >= outlen)
				return -ENAMETOOLONG;
			out[w++] = *in++;
			continue;
		}
		in++;
		if ((len = is_dst(in, "ORIGIN")))
			repl = origin;
		else if ((len = is_dst(in, "PLATFORM")))
			repl = m->platform[0] ? m->platform : NULL;
		else if ((len = is_dst(in, "LIB")))
			repl = m->lib;
		if (len && !repl)
			return -1; /* known token, no value: the path is dropped */
		if (!len)
			repl = "$";
		rl = strlen(repl);
		if (w + rl >= outlen)
			return -ENAMETOOLONG;
		memcpy(out + w, repl, rl);
		w += rl;
		in += len;
	}
	out[w] = '\0';
	return 0;
}

void dirlist_free(struct dirlist *d)
{
	unsigned i;

	for (i = 0; i < d->n; i++)
		free(d->dir[i]);
	free(d->dir);
	d->dir = NULL;
	d->n = 0;
}

int dirlist_add(struct dirlist *d, const char *dir, size_t len)
{
	char **nd;
	unsigned i;

	for (i = 0; i < d->n; i++)
		if (strlen(d->dir[i]) == len && memcmp(d->dir[i], dir, len) == 0)
			return 0;
	nd = realloc(d->dir, (d->n + 1) * sizeof *nd);
	if (!nd)
		return -ENOMEM;
	d->dir = nd;
	nd[d->n] = malloc(len + 1);
	if (!nd[d->n])
		return -ENOMEM;
	memcpy(nd[d->n], dir, len);
	nd[d->n][len] = '\0';
	d->n++;
	return 0;
}

int search_split_rpath(struct dirlist *out, const struct loader_model *m, const char *origin, const char *list)
{
	char elem[4096], exp[4096];

	while (list) {
		const char *sep = strchr(list, ':');
		size_t n = sep ? (size_t)(sep - list) : strlen(list);
		const char *start = list;
		int e;

		list = sep ? sep + 1 : NULL;
		/* An empty element means the current directory, which has
		 * no meaning inside a root: skipped. */
		if (n == 0 || n >= sizeof elem)
			continue;
		memcpy(elem, start, n);
		elem[n] = '\0';
		if (search_expand(m, origin, elem, exp, sizeof exp - 1) != 0)
			continue;
		n = strlen(exp);
		if (n == 0)
			continue;
		while (n > 1 && exp[n - 1] == '/')
			n--;
		if (exp[n - 1] != '/')
			exp[n++] = '/';
		e = dirlist_add(out, exp, n);
		if (e)
			return e;
	}
	return 0;
}

int search_split_musl(struct dirlist *out, const char *origin, const char *list)
{
	char exp[4096];
	size_t w = 0, olen = origin ? strlen(origin) : 1;
	const char *s, *t;

	/* musl's fixup_rpath: only $ORIGIN and ${ORIGIN}; any other '$'
	 * and the list is not used at all. */
	for (s = list; (t = strchr(s, '$')); s = t + 1)
		if (strncmp(t, "$ORIGIN", 7) && strncmp(t, "${ORIGIN}", 9))
			return 0;
	for (s = list; *s;) {
		size_t k = strncmp(s, "$ORIGIN", 7) == 0 ? 7 : strncmp(s, "${ORIGIN}", 9) == 0 ? 9 : 0;
		if (k) {
			if (w + olen >= sizeof exp)
				return -ENAMETOOLONG;
			memcpy(exp + w, origin ? origin : ".", olen);
			w += olen;
			s += k;
		} else {
			if (w + 1 >= sizeof exp)
				return -ENAMETOOLONG;
			exp[w++] = *s++;
		}
	}
	exp[w] = '\0';
	/* path_open: elements split at ':' and newline, tried as "dir/name" */
	for (s = exp; *s;) {
		size_t l;
		char buf[4096];
		int e;

		s += strspn(s, ":\n");
		l = strcspn(s, ":\n");
		if (l == 0 || l + 1 >= sizeof buf)
			break;
		memcpy(buf, s, l);
		buf[l] = '/';
		e = dirlist_add(out, buf, l + 1);
		if (e)
			return e;
		s += l;
	}
	return 0;
}

/* A small text file inside the root (ld.so.conf and what it includes, an
 * ld-musl path file), whole: NUL-terminated, malloc'ed; -EFBIG past 1 MiB. */
static int slurp(const struct rootfs *r, const char *path, char **out)
{
	size_t cap = 4096, len = 0;
	char *buf, *nb;
	int fd = rootfs_openat(r, path, O_RDONLY);
	ssize_t n;

	*out = NULL;
	if (fd < 0)
		return fd;
	buf = malloc(cap);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		n = read_full(fd, buf + len, cap - 1 - len);
		if (n < 0)
			break;
		len += (size_t)n;
		if (len + 1 < cap) { /* read_full stops short only at the end */
			close(fd);
			buf[len] = '\0';
			*out = buf;
			return 0;
		}
		nb = cap < (1u << 20) ? realloc(buf, cap * 2) : NULL;
		if (!nb) {
			n = -EFBIG;
			break;
		}
		buf = nb;
		cap *= 2;
	}
	free(buf);
	close(fd);
	return (int)n;
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int parse_conf(struct dirlist *out, const struct rootfs *r, const char *file, int depth);

/* ldconfig's parse_conf_include: a glob, relative to the including
 * file's directory unless absolute; matches read in sorted order. */
static int conf_include(struct dirlist *out, const struct rootfs *r, const char *from, const char *pat, int depth)
{
	char full[4096], dir[4096];
	const char *base;
	char **names = NULL;
	size_t n = 0, i;
	struct dirent *de;
	DIR *d;
	int fd;

	if (pat[0] == '/') {
		snprintf(full, sizeof full, "%s", pat);
	} else {
		const char *sl = strrchr(from, '/');
		snprintf(full, sizeof full, "%.*s/%s", sl ? (int)(sl - from) : 0, from, pat);
	}
	base = strrchr(full, '/') + 1;
	snprintf(dir, sizeof dir, "%.*s", (int)(base - full), full);
	if (strpbrk(dir, "*?[")) {
		warn("%s: include %s: wildcards before the last '/' are not followed", from, pat);
		return 0;
	}
	if (!strpbrk(base, "*?["))
		return parse_conf(out, r, full, depth + 1);
	fd = rootfs_openat(r, dir, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return 0; /* no such directory: glob matches nothing */
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return 0;
	}
	while ((de = readdir(d))) {
		char **nn;
		if (!match_glob(base, de->d_name))
			continue;
		nn = realloc(names, (n + 1) * sizeof *names);
		if (!nn)
			break;
		names = nn;
		names[n] = malloc(strlen(dir) + strlen(de->d_name) + 1);
		if (!names[n])
			break;
		strcpy(names[n], dir);
		strcat(names[n], de->d_name);
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, cmpstr);
	for (i = 0; i < n; i++) {
		parse_conf(out, r, names[i], depth + 1);
		free(names[i]);
	}
	free(names);
	return 0;
}

static int parse_conf(struct dirlist *out, const struct rootfs *r, const char *file, int depth)
{
	char *text, *line, *next;
	int e;

	if (depth > 8) {
		warn("%s: includes nested too deep, not read", file);
		return 0;
	}
	e = slurp(r, file, &text);
	if (e)
		return e == -ENOENT ? 0 : e;
	for (line = text; line; line = next) {
		char *cp = line, *hash;
		size_t n;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		while (isspace((unsigned char)*cp))
			cp++;
		if (!*cp)
			continue;
		if (strncmp(cp, "include", 7) == 0 && (cp[7] == ' ' || cp[7] == '\t')) {
			char *pat, *rest = cp + 8;
			while ((pat = strsep(&rest, " \t")))
				if (*pat)
					conf_include(out, r, file, pat, depth);
			continue;
		}
		if (strncasecmp(cp, "hwcap", 5) == 0 && (cp[5] == ' ' || cp[5] == '\t'))
			continue;
		/* "dir=TYPE" (libc4/5 days): the type is ignored */
		n = strcspn(cp, "=");
		while (n > 0 && isspace((unsigned char)cp[n - 1]))
			n--;
		while (n > 1 && cp[n - 1] == '/')
			n--;
		if (n == 0 || n + 2 > 4096)
			continue;
		cp[n] = '/';
		e = dirlist_add(out, cp, n + (cp[n - 1] == '/' ? 0 : 1));
		if (e)
			break;
	}
	free(text);
	return e;
}

int search_ldconf(struct dirlist *out, const struct rootfs *r)
{
	return parse_conf(out, r, "/etc/ld.so.conf", 0);
}

int search_musl_path(struct dirlist *out, const struct rootfs *r, const char *interp, const char *arch)
{
	char path[4096];
	const char *s, *t, *z;
	char *text = NULL;
	size_t prefix = 0;
	int e;

	/* the interpreter's grandparent directory, as musl computes it */
	if (interp[0] == '/') {
		for (s = t = z = interp; *s; s++)
			if (*s == '/')
				z = t, t = s;
		prefix = (size_t)(z - interp);
	}
	snprintf(path, sizeof path, "%.*s/etc/ld-musl-%s.path", (int)prefix, interp, arch);
	e = slurp(r, path, &text);
	if (e == -ENOENT)
		return search_split_musl(out, NULL, "/lib:/usr/local/lib:/usr/lib");
	if (e)
		return 0; /* unreadable: musl searches nothing */
	e = search_split_musl(out, NULL, text);
	free(text);
	return e;
}

int search_in_sysdirs(const struct loader_model *m, const char *path)
{
	unsigned i;

	for (i = 0; i < m->nsysdirs; i++)
		if (strncmp(path, m->sysdirs[i], strlen(m->sysdirs[i])) == 0)
			return 1;
	return 0;
}
