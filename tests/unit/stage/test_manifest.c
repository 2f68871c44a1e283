/* The manifest parser: every directive, every error message, includes. */
#include "unit.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "capture.h"
#include "lib/log.h"
#include "stage/manifest.h"

static char dir[64];

static void put_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Parse text as "t.manifest"; returns what was logged (malloc'ed). */
static char *parse(struct manifest *m, const char *text, int *errors)
{
	struct capture cap;
	char *buf = strdup(text);
	manifest_init(m, NULL, dir);
	capture_start(&cap, 2);
	*errors = manifest_parse(m, buf, strlen(buf), "m/t.manifest", "t.manifest");
	free(buf);
	return capture_end(&cap);
}

/* One line that must fail with `msg`; nothing planned. */
static void bad(const char *line, const char *msg)
{
	struct manifest m;
	int errors;
	char text[1200];
	snprintf(text, sizeof text, "# a comment\n%s\n", line);
	char *out = parse(&m, text, &errors);
	if (!strstr(out, msg) || errors != 1)
		fail_msg("line '%s': expected 1 error '%s', got %d: '%s'", line, msg, errors, out);
	assert_non_null(strstr(out, "root2ram: m/t.manifest:2: "));
	assert_int_equal(m.n, 0);
	free(out);
	manifest_free(&m);
}

static void directives(void **s)
{
	(void)s;
	struct manifest m;
	int errors;
	char *out = parse(&m,
			  "# base\n"
			  "/usr/sbin/dropbear   # the SSH server\n"
			  "\t/etc/dropbear/\n"
			  "/usr/lib/*/gconv/gconv-modules\n"
			  "lib libnss_files.so.2 libnss_dns.so.2\n"
			  "? /etc/ld.so.preload\n"
			  "optional lib libfoo.so.1\n"
			  "?/etc/hostname\r\n"
			  "dir /tmp 1777\n"
			  "dir /run\n"
			  "symlink /bin/sh busybox\n"
			  "links /bin/busybox /sbin init reboot\n"
			  "/a#b\n"
			  "/\n",
			  &errors);
	assert_string_equal(out, "");
	assert_int_equal(errors, 0);
	free(out);
	assert_int_equal(m.n, 15);
	assert_int_equal(m.e[0].kind, MF_PATH);
	assert_string_equal(m.e[0].path, "/usr/sbin/dropbear");
	assert_int_equal(m.e[0].line, 2);
	assert_string_equal(m.e[0].file, "t.manifest");
	assert_string_equal(m.e[0].where, "m/t.manifest");
	assert_int_equal(m.e[1].kind, MF_TREE);
	assert_string_equal(m.e[1].path, "/etc/dropbear");
	assert_int_equal(m.e[2].kind, MF_PATH);
	assert_int_equal(m.e[2].flags, MF_GLOB);
	assert_int_equal(m.e[3].kind, MF_LIB);
	assert_string_equal(m.e[3].path, "libnss_files.so.2");
	assert_string_equal(m.e[4].path, "libnss_dns.so.2");
	assert_int_equal(m.e[5].flags, MF_OPTIONAL);
	assert_string_equal(m.e[5].path, "/etc/ld.so.preload");
	assert_int_equal(m.e[6].kind, MF_LIB);
	assert_int_equal(m.e[6].flags, MF_OPTIONAL);
	assert_string_equal(m.e[7].path, "/etc/hostname");
	assert_int_equal(m.e[7].flags, MF_OPTIONAL);
	assert_int_equal(m.e[8].kind, MF_DIR);
	assert_int_equal(m.e[8].mode, 01777);
	assert_int_equal(m.e[9].mode, 0755);
	assert_int_equal(m.e[10].kind, MF_SYMLINK);
	assert_string_equal(m.e[10].target, "busybox");
	assert_int_equal(m.e[10].flags, 0);
	assert_string_equal(m.e[11].path, "/sbin/init");
	assert_string_equal(m.e[11].target, "/bin/busybox");
	assert_int_equal(m.e[11].flags, MF_WEAK);
	assert_string_equal(m.e[12].path, "/sbin/reboot");
	assert_string_equal(m.e[13].path, "/a#b");
	assert_int_equal(m.e[14].kind, MF_TREE);
	assert_string_equal(m.e[14].path, "/");
	manifest_free(&m);
}

/* module lines: names, several a line, optional; never a path */
static void module_lines(void **s)
{
	(void)s;
	struct manifest m;
	int errors;
	char *out = parse(&m, "module i2c-dev w1_gpio\n? module brcmfmac # Wi-Fi\n", &errors);
	assert_int_equal(errors, 0);
	assert_string_equal(out, "");
	assert_int_equal(m.n, 3);
	assert_int_equal(m.e[0].kind, MF_MODULE);
	assert_string_equal(m.e[0].path, "i2c-dev");
	assert_string_equal(m.e[1].path, "w1_gpio");
	assert_int_equal(m.e[1].line, 1);
	assert_string_equal(m.e[2].path, "brcmfmac");
	assert_int_equal(m.e[2].flags, MF_OPTIONAL);
	free(out);
	manifest_free(&m);
	bad("module", "module needs a kernel module name, e.g. 'module i2c-dev'");
	bad("module kernel/i2c-dev.ko", "module name 'kernel/i2c-dev.ko' must be a plain name without '/'");
}

static void error_messages(void **s)
{
	(void)s;
	char many[1200] = "lib";
	for (int i = 0; i < 300; i++)
		strcat(many, " x");
	bad("usr/bin/x", "path 'usr/bin/x' is not absolute; write it as /usr/bin/x");
	bad("? usr/bin/x", "path 'usr/bin/x' is not absolute");
	bad("frobnicate /x", "unknown directive 'frobnicate'; a line is an absolute path, or starts "
			     "with lib, dir, symlink, links, include, module, optional or ?");
	bad("/usr/bin/my program", "unexpected 'program' after the path; one path a line");
	bad("?", "'?' needs a path, lib or include after it");
	bad("optional", "'optional' needs a path, lib or include after it");
	bad("? dir /x", "'?' and 'optional' apply to paths, lib, include and module, not to dir");
	bad("lib", "lib needs a library name, e.g. 'lib libnss_files.so.2'");
	bad("lib /lib/libc.so.6", "library name '/lib/libc.so.6' must be a plain name without '/'");
	bad("include", "include needs a manifest name, e.g. 'include base'");
	bad("include ../base", "manifest name '../base' must be a plain name without '/'");
	bad("dir", "dir needs a path and an optional octal mode, e.g. 'dir /tmp 1777'");
	bad("dir /a 0755 x", "dir needs a path and an optional octal mode");
	bad("dir /a 0x755", "bad mode '0x755'; write it in octal, e.g. 0755 or 1777");
	bad("dir /a 17777", "bad mode '17777'");
	bad("dir /a 8", "bad mode '8'");
	bad("dir tmp", "dir path 'tmp' is not absolute; write it as /tmp");
	bad("dir /t*", "dir path '/t*' has a glob character (*, ? or [); globs are for files to copy");
	bad("symlink /bin/sh", "symlink needs the link's path and its target, e.g. 'symlink /bin/sh busybox'");
	bad("symlink bin/sh busybox", "symlink path 'bin/sh' is not absolute");
	bad("links /bin/busybox /bin", "links needs a target, a directory and names, e.g. 'links /bin/busybox /bin sh ls'");
	bad("links busybox /bin sh", "links target 'busybox' is not absolute");
	bad("links /bin/busybox bin sh", "links directory 'bin' is not absolute");
	bad("links /bin/busybox /bin a/b", "link name 'a/b' must be a plain name without '/'");
	bad(many, "more than 256 words; split the line");
	/* one prefix only; the count is checked after it */
	bad("? ?/x", "path '?/x' is not absolute; write it as /?/x");
	bad("? ? /x", "unknown directive '?'");
	bad("? include", "include needs a manifest name, e.g. 'include base'");
	bad("optional links /bin/busybox /bin a",
	    "'?' and 'optional' apply to paths, lib, include and module, not to links");
	bad("symlink /a b c", "symlink needs the link's path and its target");
	bad("links /a /b* c", "links directory '/b*' has a glob character");
	bad("?/etc/hostname extra", "unexpected 'extra' after the path");
}

static void all_errors_at_once(void **s)
{
	(void)s;
	struct manifest m;
	int errors;
	char *out = parse(&m, "bogus\n/ok\ndir /x 99\n\nlib\n/fine\n", &errors);
	assert_int_equal(errors, 3);
	assert_int_equal(m.errors, 3);
	assert_non_null(strstr(out, "m/t.manifest:1: unknown directive 'bogus'"));
	assert_non_null(strstr(out, "m/t.manifest:3: bad mode '99'"));
	assert_non_null(strstr(out, "m/t.manifest:5: lib needs"));
	/* the good lines are kept, so a plan can report missing files too */
	assert_int_equal(m.n, 2);
	assert_string_equal(m.e[1].path, "/fine");
	free(out);
	manifest_free(&m);
}

/* Every line of `out` starts with "root2ram: WHERE:N: " for N from 1 up,
 * is at most `max` bytes and has only printable ASCII. */
static void short_lines(const char *out, const char *where, int lines, size_t max)
{
	const char *p = out;
	char prefix[128];
	int n = 0;
	for (; *p; n++) {
		const char *nl = strchr(p, '\n');
		assert_non_null(nl);
		snprintf(prefix, sizeof prefix, "root2ram: %s:%d: ", where, n + 1);
		if (strncmp(p, prefix, strlen(prefix)) || (size_t)(nl - p) > max)
			fail_msg("line %d, %d bytes: '%.100s'", n + 1, (int)(nl - p), p);
		for (const char *c = p; c < nl; c++)
			if (*c < ' ' || *c >= 0x7f)
				fail_msg("line %d: byte 0x%02x", n + 1, (unsigned char)*c);
		p = nl + 1;
	}
	assert_int_equal(n, lines);
}

/* /etc/shadow read as a manifest: its hashes never reach the console or
 * the kernel log, only the user name. */
static void shadow_not_echoed(void **s)
{
	(void)s;
	struct manifest m;
	int errors;
	char *out = parse(&m,
			  "root:$y$j9T$abcdefghijklmnopqrstu.$defghijklmnopqrstuvwxyzABCDEFGHIJKLMN:19700:0:99999:7:::\n"
			  "daemon:*:19700:0:99999:7:::\n"
			  "pi:$6$saltsalt$Zm9vYmFy/YmF6cXV4.quuxcorge/graultgarply:19700:0:99999:7:::\n"
			  "averyveryverylongusername:$y$j9T$abc$def:19700:0:99999:7:::\n"
			  "nobody:!:19700::::::\n"
			  "root:$y$j9T$abc$def$ghi:19700:0:99999:7::: with blanks\n",
			  &errors);
	assert_int_equal(errors, 6);
	assert_int_equal(m.errors, 6);
	assert_int_equal(m.n, 0);
	assert_null(strchr(out, '$'));
	assert_null(strstr(out, "abc"));
	assert_null(strstr(out, "salt"));
	assert_null(strstr(out, "Zm9v"));
	assert_null(strstr(out, "19700"));
	assert_non_null(strstr(out, "m/t.manifest:1: unknown directive 'root:...'; a line is an absolute path"));
	assert_non_null(strstr(out, "m/t.manifest:2: unknown directive 'daemon:...'"));
	/* a '/' in the hash: a path that is not absolute, still cut */
	assert_non_null(strstr(out, "m/t.manifest:3: path 'pi:...' is not absolute\n"));
	assert_non_null(strstr(out, "m/t.manifest:4: unknown directive 'averyveryverylongusernam...'"));
	assert_non_null(strstr(out, "m/t.manifest:5: unknown directive 'nobody:...'"));
	assert_non_null(strstr(out, "m/t.manifest:6: unknown directive 'root:...'"));
	short_lines(out, "m/t.manifest", 6, 200);
	free(out);
	manifest_free(&m);
}

/* A binary file (without NUL) or one with very long lines: one short
 * error a line, no control byte sent to the console. */
static void binary_and_long_lines(void **s)
{
	(void)s;
	struct manifest m;
	int errors;
	enum { LINES = 40, LEN = 5000 };
	char *text = malloc(LINES * (LEN + 1) + 1), *p = text;
	unsigned x = 12345;
	for (int i = 0; i < LINES; i++) {
		/* no blank first: a blank line or '#' is no error */
		*p++ = (char)(0x80 + i);
		for (int k = 1; k < LEN; k++) {
			x = x * 1103515245 + 12345;
			char c = (char)(x >> 16);
			*p++ = c == '\n' || c == '\0' ? 'x' : c;
		}
		*p++ = '\n';
	}
	*p = '\0';
	char *out = parse(&m, text, &errors);
	assert_int_equal(errors, LINES);
	short_lines(out, "m/t.manifest", LINES, 200);
	free(out);
	manifest_free(&m);

	/* long words where each message quotes one */
	char *w = malloc(100001);
	memset(w, 'a', 100000);
	w[100000] = '\0';
	w[50000] = '/';
	free(text);
	text = malloc(700000);
	snprintf(text, 700000, "%s\nlib %s\n/x %s\ndir /x %s\ndir %s\nlinks /a /b %s\n",
		 w, w, w, w + 50001, w, w);
	out = parse(&m, text, &errors);
	assert_int_equal(errors, 6);
	short_lines(out, "m/t.manifest", 6, 200);
	assert_non_null(strstr(out, ":1: path 'aaaaaaaaaaaaaaaaaaaaaaaa...' is not absolute\n"));
	assert_non_null(strstr(out, ":2: library name 'aaaaaaaaaaaaaaaaaaaaaaaa...' must be"));
	assert_non_null(strstr(out, ":3: unexpected 'aaaaaaaaaaaaaaaaaaaaaaaa...' after the path"));
	assert_non_null(strstr(out, ":4: bad mode 'aaaaaaaaaaaaaaaaaaaaaaaa...'"));
	assert_non_null(strstr(out, ":5: dir path 'aaaaaaaaaaaaaaaaaaaaaaaa...' is not absolute\n"));
	assert_non_null(strstr(out, ":6: link name 'aaaaaaaaaaaaaaaaaaaaaaaa...' must be"));
	free(out);
	manifest_free(&m);
	free(w);
	free(text);
}

static void nul_byte(void **s)
{
	(void)s;
	struct manifest m;
	struct capture cap;
	char text[] = "/a\0/b\n";
	manifest_init(&m, NULL, dir);
	capture_start(&cap, 2);
	assert_int_equal(manifest_parse(&m, text, sizeof text - 1, "x.manifest", "x.manifest"), 1);
	char *out = capture_end(&cap);
	assert_non_null(strstr(out, "root2ram: x.manifest: has a NUL byte: not a text file; is it a manifest?"));
	free(out);
	manifest_free(&m);
}

static char *load(struct manifest *m, const char *name, int *r)
{
	struct capture cap;
	manifest_init(m, NULL, dir);
	capture_start(&cap, 2);
	*r = manifest_load(m, name);
	return capture_end(&cap);
}

static void includes(void **s)
{
	(void)s;
	struct manifest m;
	int r;
	char path[128];
	/* a diamond: top includes a and b, both include base: base read once */
	put_file("base.manifest", "/bin/busybox\n");
	put_file("a.manifest", "include base\n/a\n");
	put_file("b.manifest", "include base\n/b\n");
	put_file("top.manifest", "include a b\n? include absent\n/top\n");
	char *out = load(&m, "top", &r);
	assert_string_equal(out, "");
	assert_int_equal(r, 0);
	assert_int_equal(m.n, 4);
	assert_string_equal(m.e[0].path, "/bin/busybox");
	assert_string_equal(m.e[0].file, "base.manifest");
	assert_int_equal(m.e[0].line, 1);
	assert_string_equal(m.e[1].path, "/a");
	assert_string_equal(m.e[2].path, "/b");
	assert_string_equal(m.e[3].path, "/top");
	assert_int_equal(m.e[3].line, 3);
	free(out);
	manifest_free(&m);
	/* by path: the includes are still looked up in the manifest directory */
	snprintf(path, sizeof path, "%s/top.manifest", dir);
	free(load(&m, path, &r));
	assert_int_equal(r, 0);
	assert_int_equal(m.n, 4);
	manifest_free(&m);
}

static void include_errors(void **s)
{
	(void)s;
	struct manifest m;
	int r;
	put_file("c1.manifest", "/x\ninclude c2\n");
	put_file("c2.manifest", "include c1\n");
	char *out = load(&m, "c1", &r);
	assert_int_equal(r, -EINVAL);
	assert_non_null(strstr(out, "c2.manifest: include cycle: "));
	assert_non_null(strstr(out, "c1.manifest -> "));
	assert_non_null(strstr(out, "c2.manifest -> "));
	assert_non_null(strstr(out, "; remove one of these includes"));
	free(out);
	manifest_free(&m);

	put_file("inc.manifest", "/x\ninclude nosuch\n");
	out = load(&m, "inc", &r);
	assert_int_equal(r, -EINVAL);
	assert_non_null(strstr(out, "root2ram: manifest 'nosuch': cannot read "));
	assert_non_null(strstr(out, "nosuch.manifest: No such file or directory; list the manifest "
				    "directory, or give --manifests DIR"));
	assert_non_null(strstr(out, "inc.manifest:2: in 'include nosuch'"));
	free(out);
	manifest_free(&m);

	out = load(&m, "nosuch", &r);
	assert_int_equal(r, -ENOENT);
	assert_int_equal(m.errors, 1);
	free(out);
	manifest_free(&m);

	out = load(&m, "/nonexistent/x.manifest", &r);
	assert_int_equal(r, -ENOENT);
	assert_non_null(strstr(out, "cannot read /nonexistent/x.manifest: No such file or directory"));
	free(out);
	manifest_free(&m);
}

static void too_big(void **s)
{
	(void)s;
	struct manifest m;
	int r;
	char path[128];
	snprintf(path, sizeof path, "%s/big.manifest", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, MANIFEST_MAX_SIZE + 1), 0);
	close(fd);
	char *out = load(&m, "big", &r);
	assert_int_equal(r, -EIO);
	assert_non_null(strstr(out, "big.manifest is larger than 1048576 bytes; is it a manifest?"));
	free(out);
	manifest_free(&m);
}

/* inside a root: the default manifest directory is looked up there */
static void inside_root(void **s)
{
	(void)s;
	struct manifest m;
	struct rootfs r;
	struct capture cap;
	char sub[128];
	snprintf(sub, sizeof sub, "%s/etc", dir);
	mkdir(sub, 0755);
	snprintf(sub, sizeof sub, "%s/etc/m", dir);
	mkdir(sub, 0755);
	snprintf(sub, sizeof sub, "%s/etc/m/x.manifest", dir);
	FILE *f = fopen(sub, "w");
	fputs("/inside\n", f);
	fclose(f);
	assert_int_equal(rootfs_open(&r, dir), 0);
	manifest_init(&m, &r, "/etc/m");
	capture_start(&cap, 2);
	assert_int_equal(manifest_load(&m, "x"), 0);
	assert_int_equal(manifest_load(&m, "y"), -ENOENT);
	char *out = capture_end(&cap);
	assert_non_null(strstr(out, "manifest 'y': cannot read /etc/m/y.manifest in "));
	free(out);
	assert_int_equal(m.n, 1);
	assert_string_equal(m.e[0].where, "/etc/m/x.manifest");
	manifest_free(&m);
	rootfs_close(&r);
}

static void arena(void **s)
{
	(void)s;
	struct arena a = { 0 };
	char big[100000];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	char *p = arena_strdup(&a, "hello");
	char *q = arena_strdup(&a, big);
	char *r = arena_strndup(&a, "abcdef", 3);
	assert_string_equal(p, "hello");
	assert_int_equal(strlen(q), sizeof big - 1);
	assert_string_equal(r, "abc");
	for (int i = 0; i < 10000; i++)
		assert_non_null(arena_alloc(&a, 100));
	arena_free(&a);
	assert_null(a.head);
}

static int setup(void **s)
{
	(void)s;
	strcpy(dir, "/tmp/r2r-manifest-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **s)
{
	(void)s;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	log_setup(2, -1, LOG_INFO);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(directives),
		cmocka_unit_test(module_lines),
		cmocka_unit_test(error_messages),
		cmocka_unit_test(all_errors_at_once),
		cmocka_unit_test(shadow_not_echoed),
		cmocka_unit_test(binary_and_long_lines),
		cmocka_unit_test(nul_byte),
		cmocka_unit_test(includes),
		cmocka_unit_test(include_errors),
		cmocka_unit_test(too_big),
		cmocka_unit_test(inside_root),
		cmocka_unit_test(arena),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
