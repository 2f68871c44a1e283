/* Library resolution on hand-made roots of hand-made ELF files. */
#include "unit.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>
#include "capture.h"
#include "ldso/elf.h"
#include "elfgen.h"
#include "lib/log.h"
#include "ldso/resolve.h"
#include "ldso/search.h"
#include "lib/rootfs.h"

#define SF 0x05000200u /* ARM EABI5 soft-float (Debian armel) */
#define HF 0x05000400u /* ARM EABI5 hard-float */

static char tmp[256];

static void path_of(char *out, size_t n, const char *rel)
{
	snprintf(out, n, "%s%s", tmp, rel);
}

static void mkdirs(const char *rel)
{
	char p[512], *s;
	path_of(p, sizeof p, rel);
	for (s = p + strlen(tmp) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	mkdir(p, 0755);
}

static void parent(const char *rel)
{
	char d[512];
	snprintf(d, sizeof d, "%s", rel);
	*strrchr(d, '/') = '\0';
	if (d[0])
		mkdirs(d);
}

/* An ARM soft-float library or program, or whatever g says. */
static void elf(const char *rel, struct elfgen g)
{
	char p[512];
	parent(rel);
	path_of(p, sizeof p, rel);
	if (!g.machine) {
		g.machine = ELF_EM_ARM;
		g.flags = g.flags ? g.flags : SF;
	}
	elfgen_write(p, &g);
}

static void text(const char *rel, const char *s)
{
	char p[512];
	FILE *f;
	parent(rel);
	path_of(p, sizeof p, rel);
	f = fopen(p, "w");
	fputs(s, f);
	fclose(f);
}

static void ln(const char *target, const char *rel)
{
	char p[512];
	parent(rel);
	path_of(p, sizeof p, rel);
	assert_int_equal(symlink(target, p), 0);
}

static int fresh(void **s)
{
	(void)s;
	strcpy(tmp, "/tmp/r2r-resolve-XXXXXX");
	assert_non_null(mkdtemp(tmp));
	/* an armel root with merged /usr, as Raspberry Pi OS has */
	ln("usr/lib", "/lib");
	elf("/usr/lib/arm-linux-gnueabi/ld-linux.so.3", (struct elfgen){ .soname = "ld-linux.so.3" });
	ln("arm-linux-gnueabi/ld-linux.so.3", "/usr/lib/ld-linux.so.3");
	elf("/usr/lib/arm-linux-gnueabi/libc.so.6",
	    (struct elfgen){ .soname = "libc.so.6", .needed = { "ld-linux.so.3" } });
	elf("/usr/lib/arm-linux-gnueabi/libz.so.1.2.13",
	    (struct elfgen){ .soname = "libz.so.1", .needed = { "libc.so.6" } });
	ln("libz.so.1.2.13", "/usr/lib/arm-linux-gnueabi/libz.so.1");
	return 0;
}

static int cleanup(void **s)
{
	char cmd[300];
	(void)s;
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
	assert_int_equal(system(cmd), 0);
	return 0;
}

struct out { char buf[4096]; };

static int collect(void *ctx, const char *name, const char *path)
{
	struct out *o = ctx;
	size_t u = strlen(o->buf);
	if (!path)
		snprintf(o->buf + u, sizeof o->buf - u, "%s => not found\n", name);
	else if (path == name)
		snprintf(o->buf + u, sizeof o->buf - u, "%s\n", name);
	else
		snprintf(o->buf + u, sizeof o->buf - u, "%s => %s\n", name, path);
	return 0;
}

/* root2ram ldd --root tmp FILE, as text; *rc gets the return. */
static char *list(const char *file, int *rc)
{
	static struct out o;
	struct rootfs r;
	struct resolver *res;
	memset(&o, 0, sizeof o);
	assert_int_equal(rootfs_open(&r, tmp), 0);
	assert_int_equal(resolver_new(&res, &r), 0);
	*rc = resolver_list(res, file, collect, &o);
	resolver_free(res);
	rootfs_close(&r);
	return o.buf;
}

static int item(void *ctx, const struct closure_item *it)
{
	struct out *o = ctx;
	size_t u = strlen(o->buf);
	if (it->kind == CLOSURE_SYMLINK)
		snprintf(o->buf + u, sizeof o->buf - u, "%s -> %s\n", it->path, it->target);
	else
		snprintf(o->buf + u, sizeof o->buf - u, "%s\n", it->path);
	return 0;
}

static void the_loaders_order(void **s)
{
	int rc;
	(void)s;
	elf("/usr/sbin/prog", (struct elfgen){ .type = ELF_ET_DYN, .interp = "/lib/ld-linux.so.3",
					      .needed = { "libz.so.1", "libc.so.6", "ld-linux.so.3" } });
	assert_string_equal(list("/usr/sbin/prog", &rc), "libz.so.1 => /lib/arm-linux-gnueabi/libz.so.1\n"
							  "libc.so.6 => /lib/arm-linux-gnueabi/libc.so.6\n"
							  "/lib/ld-linux.so.3\n");
	assert_int_equal(rc, 0);
	/* a library: the loader under its own name, where it is needed */
	assert_string_equal(list("/lib/arm-linux-gnueabi/libz.so.1", &rc),
			    "libc.so.6 => /lib/arm-linux-gnueabi/libc.so.6\n/lib/ld-linux.so.3\n");
	assert_int_equal(list("/lib/ld-linux.so.3", &rc)[0], '\0');
	assert_int_equal(rc, RESOLVE_STATIC);
}

static void closure_with_symlinks_once(void **s)
{
	struct out o;
	struct rootfs r;
	struct resolver *res;
	(void)s;
	elf("/usr/sbin/prog", (struct elfgen){ .interp = "/lib/ld-linux.so.3", .needed = { "libz.so.1" } });
	elf("/usr/bin/other", (struct elfgen){ .interp = "/lib/ld-linux.so.3", .needed = { "libc.so.6" } });
	memset(&o, 0, sizeof o);
	assert_int_equal(rootfs_open(&r, tmp), 0);
	assert_int_equal(resolver_new(&res, &r), 0);
	assert_int_equal(resolver_closure(res, "/usr/sbin/prog", item, &o), 0);
	assert_string_equal(o.buf, "/usr/sbin/prog\n"
				   "/lib -> usr/lib\n"
				   "/usr/lib/ld-linux.so.3 -> arm-linux-gnueabi/ld-linux.so.3\n"
				   "/usr/lib/arm-linux-gnueabi/ld-linux.so.3\n"
				   "/usr/lib/arm-linux-gnueabi/libz.so.1 -> libz.so.1.2.13\n"
				   "/usr/lib/arm-linux-gnueabi/libz.so.1.2.13\n"
				   "/usr/lib/arm-linux-gnueabi/libc.so.6\n");
	/* what was reported is not reported again */
	memset(&o, 0, sizeof o);
	assert_int_equal(resolver_closure(res, "/usr/bin/other", item, &o), 0);
	assert_string_equal(o.buf, "/usr/bin/other\n");
	/* a dlopen'ed library, searched as the program would */
	elf("/usr/lib/arm-linux-gnueabi/libnss_files.so.2", (struct elfgen){ .needed = { "libc.so.6" } });
	memset(&o, 0, sizeof o);
	assert_int_equal(resolver_library(res, "libnss_files.so.2", "/usr/bin/other", item, &o), 0);
	assert_string_equal(o.buf, "/usr/lib/arm-linux-gnueabi/libnss_files.so.2\n");
	resolver_free(res);
	rootfs_close(&r);
}

static void rpath_chain_and_runpath(void **s)
{
	int rc;
	(void)s;
	elf("/opt/a/liba.so", (struct elfgen){ .needed = { "libb.so", "libc.so.6" } });
	elf("/opt/a/libb.so", (struct elfgen){ .needed = { "libc.so.6" } });
	elf("/opt/r/librun.so", (struct elfgen){ .runpath = "/nowhere", .needed = { "libb.so" } });
	/* RPATH of the program serves its libraries' lookups too */
	elf("/bin1", (struct elfgen){ .interp = "/lib/ld-linux.so.3", .rpath = "/opt/a", .needed = { "liba.so" } });
	assert_string_equal(list("/bin1", &rc), "liba.so => /opt/a/liba.so\n"
						 "libb.so => /opt/a/libb.so\n"
						 "libc.so.6 => /lib/arm-linux-gnueabi/libc.so.6\n"
						 "/lib/ld-linux.so.3\n");
	/* RUNPATH serves only the object that has it */
	elf("/bin2", (struct elfgen){ .interp = "/lib/ld-linux.so.3", .runpath = "/opt/a", .needed = { "liba.so" } });
	assert_string_equal(list("/bin2", &rc), "liba.so => /opt/a/liba.so\n"
						 "libb.so => not found\n"
						 "libc.so.6 => /lib/arm-linux-gnueabi/libc.so.6\n"
						 "/lib/ld-linux.so.3\n");
	assert_int_equal(rc, RESOLVE_MISSING);
	/* a requester with RUNPATH ignores every RPATH: the program's too */
	elf("/bin3", (struct elfgen){ .interp = "/lib/ld-linux.so.3", .rpath = "/opt/a:/opt/r",
				       .needed = { "librun.so" } });
	assert_string_equal(list("/bin3", &rc), "librun.so => /opt/r/librun.so\nlibb.so => not found\n");
	/* a program with both: RUNPATH wins */
	elf("/bin4", (struct elfgen){ .interp = "/lib/ld-linux.so.3", .rpath = "/opt/a", .runpath = "/nowhere",
				       .needed = { "liba.so" } });
	assert_string_equal(list("/bin4", &rc), "liba.so => not found\n");
}

static void origin_lib_platform(void **s)
{
	int rc;
	char want[1024];
	(void)s;
	elf("/usr/lib/priv/libp.so", (struct elfgen){ .needed = { "libc.so.6" } });
	elf("/opt/lib/arm-linux-gnueabi/libl.so", (struct elfgen){ 0 });
	/* $PLATFORM is the running machine's when it is one of the target's
	 * (the armel build of this test under qemu-arm: "v8l"); a 64-bit
	 * ARM kernel gives 32-bit programs "v8l" */
	const char *plat = "v7l";
	char pl[64];
#ifdef __arm__
	if (getauxval(AT_PLATFORM))
		plat = (const char *)getauxval(AT_PLATFORM);
#elif defined(__aarch64__)
	plat = "v8l";
#endif
	snprintf(pl, sizeof pl, "/opt/%s/libpl.so", plat);
	elf(pl, (struct elfgen){ 0 });
	elf("/usr/bin/prog", (struct elfgen){ .interp = "/lib/ld-linux.so.3",
					      .rpath = "$ORIGIN/../lib/priv/:/opt/$LIB:/opt/${PLATFORM}",
					      .needed = { "libp.so", "libl.so", "libpl.so" } });
	snprintf(want, sizeof want, "libp.so => /usr/bin/../lib/priv/libp.so\n"
				    "libl.so => /opt/lib/arm-linux-gnueabi/libl.so\n"
				    "libpl.so => %s\n"
				    "libc.so.6 => /lib/arm-linux-gnueabi/libc.so.6\n"
				    "/lib/ld-linux.so.3\n", pl);
	assert_string_equal(list("/usr/bin/prog", &rc), want);
	/* DT_NEEDED with a '/' and a token: opened as expanded */
	elf("/usr/bin/prog2", (struct elfgen){ .interp = "/lib/ld-linux.so.3", .needed = { "$ORIGIN/../lib/priv/libp.so" } });
	assert_string_equal(list("/usr/bin/prog2", &rc),
			    "$ORIGIN/../lib/priv/libp.so => /usr/bin/../lib/priv/libp.so\n"
			    "libc.so.6 => /lib/arm-linux-gnueabi/libc.so.6\n/lib/ld-linux.so.3\n");
}

static void wrong_class_machine_float(void **s)
{
	int rc;
	struct capture cap;
	char *msg, *got;
	(void)s;
	/* unmerged /usr: /lib is searched before /usr/lib */
	unlink(strcat(strcpy((char[300]){ 0 }, tmp), "/lib"));
	mkdirs("/lib/arm-linux-gnueabi");
	elf("/lib/arm-linux-gnueabi/libq.so.1", (struct elfgen){ .is64 = 1, .machine = ELF_EM_AARCH64 });
	elf("/usr/lib/arm-linux-gnueabi/libq.so.1", (struct elfgen){ .machine = ELF_EM_386 });
	elf("/lib/libq.so.1", (struct elfgen){ 0 });
	elf("/lib/arm-linux-gnueabi/libhf.so.1", (struct elfgen){ .flags = HF });
	elf("/usr/lib/arm-linux-gnueabi/libhf.so.1", (struct elfgen){ 0 });
	elf("/lib/ld-linux.so.3", (struct elfgen){ .soname = "ld-linux.so.3" });
	elf("/prog", (struct elfgen){ .interp = "/lib/ld-linux.so.3", .needed = { "libq.so.1" } });
	/* another class, another machine: skipped, the search goes on */
	assert_string_equal(list("/prog", &rc), "libq.so.1 => /lib/libq.so.1\n");
	assert_int_equal(rc, 0);
	/* the other float ABI stops glibc's loader */
	elf("/prog", (struct elfgen){ .interp = "/lib/ld-linux.so.3", .needed = { "libhf.so.1" } });
	capture_start(&cap, 2);
	got = list("/prog", &rc);
	msg = capture_end(&cap);
	assert_string_equal(got, "libhf.so.1 => not found\n");
	assert_int_equal(rc, RESOLVE_MISSING);
	assert_non_null(strstr(msg, "/lib/arm-linux-gnueabi/libhf.so.1: hard-float library for a soft-float loader"));
	free(msg);
	/* the same program as armhf finds the hard-float one */
	elf("/lib/ld-linux-armhf.so.3", (struct elfgen){ .flags = HF, .soname = "ld-linux-armhf.so.3" });
	elf("/usr/lib/arm-linux-gnueabihf/libhf.so.1", (struct elfgen){ .flags = HF });
	elf("/prog", (struct elfgen){ .flags = HF, .interp = "/lib/ld-linux-armhf.so.3", .needed = { "libhf.so.1" } });
	assert_string_equal(list("/prog", &rc), "libhf.so.1 => /usr/lib/arm-linux-gnueabihf/libhf.so.1\n");
}

static void missing_twice_and_nodeflib(void **s)
{
	int rc;
	(void)s;
	elf("/opt/libm1.so", (struct elfgen){ .needed = { "libgone.so.1" } });
	elf("/prog", (struct elfgen){ .interp = "/lib/ld-linux.so.3", .rpath = "/opt",
				       .needed = { "libgone.so.1", "libm1.so" } });
	/* glibc makes a new placeholder for each request of a missing name */
	assert_string_equal(list("/prog", &rc), "libgone.so.1 => not found\n"
						"libm1.so => /opt/libm1.so\n"
						"libgone.so.1 => not found\n");
	assert_int_equal(rc, RESOLVE_MISSING);
	/* DF_1_NODEFLIB: not from the default directories */
	elf("/prog", (struct elfgen){ .interp = "/lib/ld-linux.so.3", .flags_1 = ELF_DF_1_NODEFLIB,
				       .needed = { "libz.so.1" } });
	assert_string_equal(list("/prog", &rc), "libz.so.1 => not found\n");
}

static void conf_cache_preload(void **s)
{
	int rc;
	static const char cache_hdr[] = "glibc-ld.so.cache1.1";
	unsigned char c[256] = { 0 };
	char p[512];
	FILE *f;
	(void)s;
	/* without a cache: ld.so.conf, includes followed, before the defaults */
	text("/etc/ld.so.conf", "# comment\ninclude /etc/ld.so.conf.d/*.conf\n");
	text("/etc/ld.so.conf.d/b.conf", "/opt/b\n");
	text("/etc/ld.so.conf.d/a.conf", "/opt/a/ # trailing slash and comment\n");
	elf("/opt/a/libz.so.1", (struct elfgen){ 0 });
	elf("/opt/b/libz.so.1", (struct elfgen){ 0 });
	elf("/prog", (struct elfgen){ .interp = "/lib/ld-linux.so.3", .needed = { "libz.so.1" } });
	assert_string_equal(list("/prog", &rc), "libz.so.1 => /opt/a/libz.so.1\n");
	/* with a cache: the cache decides (entries of other ABIs skipped) */
	memcpy(c, cache_hdr, 20);
	c[20] = 2;  /* nlibs */
	c[28] = 2;  /* little endian */
	/* entry 0: x86-64 libz -> /opt/b; entry 1: armel libz -> /opt/b */
	c[48] = 0x03, c[49] = 0x03, c[52] = 96, c[56] = 106;
	c[72] = 0x03, c[73] = 0x0b, c[76] = 96, c[80] = 106;
	memcpy(c + 96, "libz.so.1", 10);
	memcpy(c + 106, "/opt/b/libz.so.1", 17);
	path_of(p, sizeof p, "/etc/ld.so.cache");
	f = fopen(p, "wb");
	fwrite(c, 1, 123, f);
	fclose(f);
	assert_string_equal(list("/prog", &rc), "libz.so.1 => /opt/b/libz.so.1\n");
	/* /etc/ld.so.preload, $PLATFORM expanded, listed first */
	elf("/usr/lib/arm-linux-gnueabi/libarmmem.so", (struct elfgen){ 0 });
	text("/etc/ld.so.preload", "# Raspberry Pi OS has libarmmem-${PLATFORM}.so\n"
				   "/usr/${LIB}/libarmmem.so\n");
	assert_string_equal(list("/prog", &rc), "/usr/${LIB}/libarmmem.so => /usr/lib/arm-linux-gnueabi/libarmmem.so\n"
						"libz.so.1 => /opt/b/libz.so.1\n");
}

/* Raspberry Pi OS's armhf ld.so.preload, planned for a given $PLATFORM
 * (plan --platform): the target's file, whatever machine plans it; a
 * 64-bit program keeps its own. */
static void preload_for_platform(void **s)
{
	int rc;
	(void)s;
	elf("/usr/lib/arm-linux-gnueabihf/libc.so.6", (struct elfgen){ .flags = HF });
	elf("/usr/lib/arm-linux-gnueabihf/libarmmem-v7l.so", (struct elfgen){ .flags = HF });
	elf("/usr/lib/arm-linux-gnueabihf/libarmmem-v8l.so", (struct elfgen){ .flags = HF });
	text("/etc/ld.so.preload", "/usr/lib/arm-linux-gnueabihf/libarmmem-${PLATFORM}.so\n");
	elf("/usr/bin/p", (struct elfgen){ .flags = HF, .interp = "/lib/ld-linux-armhf.so.3", .needed = { "libc.so.6" } });
	search_set_arm_platform("v8l");
	assert_string_equal(list("/usr/bin/p", &rc), "/usr/lib/arm-linux-gnueabihf/libarmmem-${PLATFORM}.so => "
						     "/usr/lib/arm-linux-gnueabihf/libarmmem-v8l.so\n"
						     "libc.so.6 => /lib/arm-linux-gnueabihf/libc.so.6\n");
	/* a library needing nothing is "statically linked" to ld.so --list, preload or not */
	assert_string_equal(list("/usr/lib/arm-linux-gnueabihf/libarmmem-v7l.so", &rc), "");
	assert_int_equal(rc, RESOLVE_STATIC);
	search_set_arm_platform("v6l");
	assert_string_equal(list("/usr/bin/p", &rc), "libc.so.6 => /lib/arm-linux-gnueabihf/libc.so.6\n");
	/* a 64-bit program: AArch64's own $PLATFORM */
	search_set_arm_platform("v8l");
	text("/etc/ld.so.preload", "/opt/libarmmem-${PLATFORM}.so\n");
	elf("/opt/libarmmem-aarch64.so", (struct elfgen){ .machine = ELF_EM_AARCH64, .is64 = 1 });
	elf("/usr/lib/aarch64-linux-gnu/libc.so.6", (struct elfgen){ .machine = ELF_EM_AARCH64, .is64 = 1 });
	elf("/usr/bin/p64", (struct elfgen){ .machine = ELF_EM_AARCH64, .is64 = 1,
					     .interp = "/lib/ld-linux-aarch64.so.1", .needed = { "libc.so.6" } });
	assert_string_equal(list("/usr/bin/p64", &rc), "/opt/libarmmem-${PLATFORM}.so => /opt/libarmmem-aarch64.so\n"
						       "libc.so.6 => /lib/aarch64-linux-gnu/libc.so.6\n");
	search_set_arm_platform(NULL);
}

static void musl_rules(void **s)
{
	int rc;
	(void)s;
	elf("/lib/ld-musl-armhf.so.1", (struct elfgen){ .flags = HF });
	elf("/opt/musl/libx.so", (struct elfgen){ .flags = HF, .needed = { "libc.so" } });
	elf("/usr/local/lib/r2r/liby.so", (struct elfgen){ .flags = HF, .needed = { "libm.so" } });
	text("/etc/ld-musl-armhf.path", "/opt/musl\n/usr/lib\n");
	elf("/usr/local/bin/m", (struct elfgen){ .flags = HF, .interp = "/lib/ld-musl-armhf.so.1",
						 .runpath = "$ORIGIN/../lib/r2r", .needed = { "libx.so", "liby.so", "libc.so" } });
	assert_string_equal(list("/usr/local/bin/m", &rc), "/lib/ld-musl-armhf.so.1\n"
							   "libx.so => /opt/musl/libx.so\n"
							   "liby.so => /usr/local/bin/../lib/r2r/liby.so\n"
							   "libc.so => /lib/ld-musl-armhf.so.1\n"
							   "libm.so => /lib/ld-musl-armhf.so.1\n");
	assert_int_equal(rc, 0);
}

/* A directory of a list that cannot be searched: each loader's errno rule
 * (keep_searching in linkmap.c), as the real loaders do it in a chroot. */
static void search_errors_per_loader(void **s)
{
	int rc;
	(void)s;
	text("/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
	/* musl: ENOTDIR, a path through a regular file, is passed over */
	elf("/lib/ld-musl-armhf.so.1", (struct elfgen){ .flags = HF });
	elf("/opt/musl/libx.so", (struct elfgen){ .flags = HF });
	text("/etc/ld-musl-armhf.path", "/etc/passwd/lib\n/opt/musl\n");
	elf("/m", (struct elfgen){ .flags = HF, .interp = "/lib/ld-musl-armhf.so.1", .needed = { "libx.so" } });
	assert_string_equal(list("/m", &rc), "/lib/ld-musl-armhf.so.1\nlibx.so => /opt/musl/libx.so\n");
	assert_int_equal(rc, 0);
	/* ... and a symlink through one inside an existing directory */
	ln("/etc/passwd/x", "/opt/bad/libx.so");
	text("/etc/ld-musl-armhf.path", "/opt/bad\n/opt/musl\n");
	assert_string_equal(list("/m", &rc), "/lib/ld-musl-armhf.so.1\nlibx.so => /opt/musl/libx.so\n");
	/* any other error (ELOOP) ends the search for the name: the system
	 * path after an RPATH too */
	ln("libx.so", "/opt/loop/libx.so");
	text("/etc/ld-musl-armhf.path", "/opt/loop\n/opt/musl\n");
	assert_string_equal(list("/m", &rc), "/lib/ld-musl-armhf.so.1\nlibx.so => not found\n");
	assert_int_equal(rc, RESOLVE_MISSING);
	text("/etc/ld-musl-armhf.path", "/opt/musl\n");
	elf("/m", (struct elfgen){ .flags = HF, .interp = "/lib/ld-musl-armhf.so.1", .rpath = "/opt/loop",
				    .needed = { "libx.so" } });
	assert_string_equal(list("/m", &rc), "/lib/ld-musl-armhf.so.1\nlibx.so => not found\n");
	/* a directory by the name is opened, cannot be mapped: not found */
	mkdirs("/opt/dir/libx.so");
	elf("/m", (struct elfgen){ .flags = HF, .interp = "/lib/ld-musl-armhf.so.1", .rpath = "/opt/dir:/opt/musl",
				    .needed = { "libx.so" } });
	assert_string_equal(list("/m", &rc), "/lib/ld-musl-armhf.so.1\nlibx.so => not found\n");

	/* glibc: a directory that does not stat as one is passed over
	 * (open_path's here_any), ENOTDIR included */
	elf("/opt/g/libg.so", (struct elfgen){ 0 });
	elf("/g", (struct elfgen){ .interp = "/lib/ld-linux.so.3", .rpath = "/etc/passwd/lib:/opt/g",
				    .needed = { "libg.so" } });
	assert_string_equal(list("/g", &rc), "libg.so => /opt/g/libg.so\n");
	assert_int_equal(rc, 0);
	/* in an existing directory, anything but ENOENT and EACCES ends the
	 * list (ENOTDIR, ELOOP): not found, the default directories tried */
	ln("/etc/passwd/x", "/opt/bad/libg.so");
	ln("libg.so", "/opt/loop/libg.so");
	elf("/g", (struct elfgen){ .interp = "/lib/ld-linux.so.3", .rpath = "/opt/bad:/opt/g", .needed = { "libg.so" } });
	assert_string_equal(list("/g", &rc), "libg.so => not found\n");
	assert_int_equal(rc, RESOLVE_MISSING);
	elf("/g", (struct elfgen){ .interp = "/lib/ld-linux.so.3", .runpath = "/opt/loop:/opt/g",
				    .needed = { "libg.so" } });
	assert_string_equal(list("/g", &rc), "libg.so => not found\n");
	ln("/etc/passwd/x", "/opt/bad/libz.so.1");
	elf("/opt/g/libz.so.1", (struct elfgen){ 0 });
	elf("/g", (struct elfgen){ .interp = "/lib/ld-linux.so.3", .rpath = "/opt/bad:/opt/g", .needed = { "libz.so.1" } });
	assert_string_equal(list("/g", &rc), "libz.so.1 => /lib/arm-linux-gnueabi/libz.so.1\n"
					     "libc.so.6 => /lib/arm-linux-gnueabi/libc.so.6\n"
					     "/lib/ld-linux.so.3\n");
}

static void byte_orders_and_classes(void **s)
{
	int rc;
	(void)s;
	/* aarch64, big-endian: its own triplet and loader name */
	elf("/lib/ld-linux-aarch64_be.so.1", (struct elfgen){ .is64 = 1, .be = 1, .machine = ELF_EM_AARCH64,
							       .soname = "ld-linux-aarch64_be.so.1" });
	elf("/usr/lib/aarch64_be-linux-gnu/libc.so.6", (struct elfgen){ .is64 = 1, .be = 1, .machine = ELF_EM_AARCH64,
									 .needed = { "ld-linux-aarch64_be.so.1" } });
	elf("/prog", (struct elfgen){ .is64 = 1, .be = 1, .machine = ELF_EM_AARCH64,
				       .interp = "/lib/ld-linux-aarch64_be.so.1", .needed = { "libc.so.6" } });
	assert_string_equal(list("/prog", &rc), "libc.so.6 => /lib/aarch64_be-linux-gnu/libc.so.6\n"
						"/lib/ld-linux-aarch64_be.so.1\n");
	/* x86-64 next to it in the same root */
	elf("/lib64/ld-linux-x86-64.so.2", (struct elfgen){ .is64 = 1, .machine = ELF_EM_X86_64,
							     .soname = "ld-linux-x86-64.so.2" });
	elf("/usr/lib/x86_64-linux-gnu/libc.so.6", (struct elfgen){ .is64 = 1, .machine = ELF_EM_X86_64,
								     .needed = { "ld-linux-x86-64.so.2" } });
	elf("/prog64", (struct elfgen){ .is64 = 1, .machine = ELF_EM_X86_64, .needed = { "libc.so.6" } });
	assert_string_equal(list("/prog64", &rc), "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6\n"
						  "/lib64/ld-linux-x86-64.so.2\n");
}

static void not_dynamic_and_errors(void **s)
{
	int rc;
	struct capture cap;
	char *msg;
	(void)s;
	elf("/bin/static", (struct elfgen){ .type = ELF_ET_EXEC, .no_dynamic = 1 });
	text("/bin/script", "#!/bin/sh\n");
	list("/bin/static", &rc);
	assert_int_equal(rc, RESOLVE_STATIC);
	list("/bin/script", &rc);
	assert_int_equal(rc, RESOLVE_NOT_DYNAMIC);
	capture_start(&cap, 2);
	list("/bin/missing", &rc);
	msg = capture_end(&cap);
	assert_int_equal(rc, -ENOENT);
	assert_non_null(strstr(msg, "/bin/missing: No such file or directory"));
	free(msg);
	/* a truncated library is an error naming it, never a crash */
	{
		char p[512];
		elf("/usr/lib/arm-linux-gnueabi/libbad.so.1", (struct elfgen){ .needed = { "libc.so.6" } });
		path_of(p, sizeof p, "/usr/lib/arm-linux-gnueabi/libbad.so.1");
		assert_int_equal(truncate(p, 100), 0);
	}
	elf("/prog", (struct elfgen){ .interp = "/lib/ld-linux.so.3", .needed = { "libbad.so.1" } });
	capture_start(&cap, 2);
	assert_string_equal(list("/prog", &rc), "libbad.so.1 => not found\n");
	msg = capture_end(&cap);
	assert_non_null(strstr(msg, "libbad.so.1: malformed ELF file"));
	free(msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(the_loaders_order, fresh, cleanup),
		cmocka_unit_test_setup_teardown(closure_with_symlinks_once, fresh, cleanup),
		cmocka_unit_test_setup_teardown(rpath_chain_and_runpath, fresh, cleanup),
		cmocka_unit_test_setup_teardown(origin_lib_platform, fresh, cleanup),
		cmocka_unit_test_setup_teardown(wrong_class_machine_float, fresh, cleanup),
		cmocka_unit_test_setup_teardown(missing_twice_and_nodeflib, fresh, cleanup),
		cmocka_unit_test_setup_teardown(conf_cache_preload, fresh, cleanup),
		cmocka_unit_test_setup_teardown(preload_for_platform, fresh, cleanup),
		cmocka_unit_test_setup_teardown(musl_rules, fresh, cleanup),
		cmocka_unit_test_setup_teardown(search_errors_per_loader, fresh, cleanup),
		cmocka_unit_test_setup_teardown(byte_orders_and_classes, fresh, cleanup),
		cmocka_unit_test_setup_teardown(not_dynamic_and_errors, fresh, cleanup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
