/* ELF reading: both classes and byte orders, and broken files. */
#include "unit.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "capture.h"
#include "ldso/elf.h"
#include "elfgen.h"
#include "lib/log.h"

static struct elfgen full(int is64, int be, uint16_t machine)
{
	struct elfgen g = { .is64 = is64, .be = be, .machine = machine, .type = ELF_ET_EXEC,
			    .interp = "/lib/ld-linux.so.3",
			    .needed = { "libtomcrypt.so.1", "libz.so.1", "libc.so.6" },
			    .soname = "libself.so.1", .rpath = "$ORIGIN/../lib", .runpath = "/opt/lib",
			    .flags_1 = ELF_DF_1_NODEFLIB };
	return g;
}

static void all_classes_and_byte_orders(void **s)
{
	int is64, be;
	(void)s;
	for (is64 = 0; is64 < 2; is64++)
		for (be = 0; be < 2; be++) {
			struct elfgen g = full(is64, be, is64 ? ELF_EM_AARCH64 : ELF_EM_ARM);
			struct elf_info e;
			size_t n;
			unsigned char *p = elfgen(&g, &n);
			assert_int_equal(elf_parse(&e, p, n, "t"), 0);
			assert_int_equal(e.cls, is64 ? ELF_CLASS64 : ELF_CLASS32);
			assert_int_equal(e.data, be ? ELF_DATA_MSB : ELF_DATA_LSB);
			assert_int_equal(e.machine, is64 ? ELF_EM_AARCH64 : ELF_EM_ARM);
			assert_int_equal(e.type, ELF_ET_EXEC);
			assert_int_equal(e.phentsize, is64 ? 56 : 32);
			assert_true(e.dynamic);
			assert_string_equal(e.interp, "/lib/ld-linux.so.3");
			assert_int_equal(e.n_needed, 3);
			assert_string_equal(e.needed[0], "libtomcrypt.so.1");
			assert_string_equal(e.needed[1], "libz.so.1");
			assert_string_equal(e.needed[2], "libc.so.6");
			assert_string_equal(e.soname, "libself.so.1");
			assert_string_equal(e.rpath, "$ORIGIN/../lib");
			assert_string_equal(e.runpath, "/opt/lib");
			assert_int_equal(e.flags_1, ELF_DF_1_NODEFLIB);
			free(p);
			elf_free(&e);
		}
}

static void minimal_and_static(void **s)
{
	struct elfgen g = { .is64 = 1, .machine = ELF_EM_X86_64, .no_dynamic = 1, .type = ELF_ET_EXEC };
	struct elf_info e;
	size_t n;
	unsigned char *p = elfgen(&g, &n);
	(void)s;
	assert_int_equal(elf_parse(&e, p, n, "t"), 0);
	assert_false(e.dynamic);
	assert_null(e.interp);
	assert_null(e.soname);
	assert_int_equal(e.n_needed, 0);
	elf_free(&e);
	free(p);
}

/* Fifteen DT_NEEDED (the list grows past its first sizes), kept in their
 * order, each string a copy that outlives the file's bytes. */
static void many_needed_in_order(void **s)
{
	static const char *const names[15] = { "liba.so.1", "libb.so.2", "libc.so.6", "libd.so.4", "libe.so.5",
						"libf.so.6", "libg.so.7", "libh.so.8", "libi.so.9", "libj.so.10",
						"libk.so.11", "libl.so.12", "libm.so.6", "libn.so.14", "libo.so.15" };
	struct elfgen g = { .is64 = 0, .be = 1, .machine = ELF_EM_ARM, .type = ELF_ET_DYN, .soname = "libself.so" };
	struct elf_info e;
	unsigned i;
	size_t n;
	unsigned char *p;

	(void)s;
	for (i = 0; i < 15; i++)
		g.needed[i] = names[i];
	p = elfgen(&g, &n);
	assert_int_equal(elf_parse(&e, p, n, "t"), 0);
	memset(p, 0, n);
	free(p);
	assert_int_equal(e.n_needed, 15);
	for (i = 0; i < 15; i++)
		assert_string_equal(e.needed[i], names[i]);
	assert_string_equal(e.soname, "libself.so");
	elf_free(&e);
}

static void arm_float_abi(void **s)
{
	struct elf_info e = { .machine = ELF_EM_ARM };
	(void)s;
	e.flags = 0x05000200; /* Debian armel */
	assert_int_equal(elf_arm_float(&e), ELF_FLOAT_SOFT);
	e.flags = 0x05000400; /* armhf, Raspberry Pi OS */
	assert_int_equal(elf_arm_float(&e), ELF_FLOAT_HARD);
	e.flags = 0x05000000; /* unmarked: fits either */
	assert_int_equal(elf_arm_float(&e), ELF_FLOAT_NONE);
	e.flags = 0x04000400; /* EABI 4: the bit means something else */
	assert_int_equal(elf_arm_float(&e), ELF_FLOAT_NONE);
	e.machine = ELF_EM_AARCH64;
	e.flags = 0x05000400;
	assert_int_equal(elf_arm_float(&e), ELF_FLOAT_NONE);
}

static void not_elf(void **s)
{
	struct elf_info e;
	(void)s;
	assert_int_equal(elf_parse(&e, "#!/bin/sh\necho hello\n", 22, "t"), -ENOEXEC);
	assert_int_equal(elf_parse(&e, "\177ELF", 4, "t"), -ENOEXEC);
	assert_int_equal(elf_parse(&e, "", 0, "t"), -ENOEXEC);
}

/* Every truncation of a valid file is an error naming the path, never a
 * crash (ASan and qemu run this too). */
static void every_truncation_fails_cleanly(void **s)
{
	int is64, be;
	(void)s;
	for (is64 = 0; is64 < 2; is64++)
		for (be = 0; be < 2; be++) {
			struct elfgen g = full(is64, be, ELF_EM_ARM);
			size_t n, len;
			unsigned char *p = elfgen(&g, &n);
			for (len = 0; len < n; len++) {
				struct elf_info e;
				unsigned char *copy = malloc(len ? len : 1);
				struct capture cap;
				char *msg;
				int r;
				memcpy(copy, p, len);
				capture_start(&cap, 2);
				r = elf_parse(&e, copy, len, "/lib/libtrunc.so");
				msg = capture_end(&cap);
				assert_true(r == -ENOEXEC || r == -EINVAL);
				if (r == -EINVAL)
					assert_non_null(strstr(msg, "root2ram: /lib/libtrunc.so: malformed ELF file"));
				free(msg);
				free(copy);
			}
			free(p);
		}
}

/* Random corruption: whatever comes out, no read outside the buffer. */
static void corrupted_bytes_never_crash(void **s)
{
	unsigned seed = 12345;
	int round;
	(void)s;
	log_setup(-1, -1, LOG_ERROR);
	for (round = 0; round < 4000; round++) {
		struct elfgen g = full(round & 1, (round >> 1) & 1, ELF_EM_ARM);
		struct elf_info e;
		size_t n, k;
		unsigned char *p = elfgen(&g, &n);
		for (k = 0; k < 1 + (size_t)round % 7; k++) {
			seed = seed * 1103515245 + 12345;
			p[16 + (seed >> 8) % (n - 16)] = (unsigned char)(seed >> 20);
		}
		if (elf_parse(&e, p, n, "t") == 0) {
			unsigned i;
			for (i = 0; i < e.n_needed; i++)
				assert_non_null(e.needed[i]);
			elf_free(&e);
		}
		free(p);
	}
	log_setup(2, -1, LOG_INFO);
}

static void hostile_fields(void **s)
{
	struct elfgen g = full(0, 0, ELF_EM_ARM);
	struct elf_info e;
	size_t n;
	unsigned char *p;
	(void)s;
	log_setup(-1, -1, LOG_ERROR);
	/* program header count far past the end */
	p = elfgen(&g, &n);
	eg_put(p, 44, 0xfffe, 2, 0);
	assert_int_equal(elf_parse(&e, p, n, "t"), -EINVAL);
	free(p);
	/* program header offset near 2^32 */
	p = elfgen(&g, &n);
	eg_put(p, 28, 0xffffffc0, 4, 0);
	assert_int_equal(elf_parse(&e, p, n, "t"), -EINVAL);
	free(p);
	/* wrong program header size */
	p = elfgen(&g, &n);
	eg_put(p, 42, 40, 2, 0);
	assert_int_equal(elf_parse(&e, p, n, "t"), -EINVAL);
	free(p);
	/* DT_STRSZ too small for the names: strings past the table */
	p = elfgen(&g, &n);
	{
		/* find DT_STRSZ (tag 10) in the dynamic section and shrink it */
		size_t off;
		for (off = 52; off + 8 <= n; off += 4)
			if (p[off] == 10 && !p[off + 1] && !p[off + 2] && !p[off + 3] && p[off + 4] > 2 &&
			    (off % 8) == (n % 8)) {
				eg_put(p, off + 4, 2, 4, 0);
				break;
			}
	}
	assert_int_equal(elf_parse(&e, p, n, "t"), -EINVAL);
	free(p);
	/* 64-bit offsets that wrap around */
	g = full(1, 1, ELF_EM_AARCH64);
	p = elfgen(&g, &n);
	eg_put(p, 32, 0xffffffffffffff00ull, 8, 1);
	assert_int_equal(elf_parse(&e, p, n, "t"), -EINVAL);
	free(p);
	log_setup(2, -1, LOG_INFO);
}

static void read_from_a_file(void **s)
{
	char path[] = "/tmp/r2r-elf-XXXXXX";
	struct elfgen g = full(1, 0, ELF_EM_X86_64);
	struct elf_info e;
	int fd = mkstemp(path);
	(void)s;
	assert_true(fd >= 0);
	close(fd);
	elfgen_write(path, &g);
	fd = open(path, O_RDONLY);
	assert_int_equal(elf_read(&e, fd, path), 0);
	assert_string_equal(e.needed[0], "libtomcrypt.so.1");
	elf_free(&e);
	close(fd);
	/* an empty file is not ELF */
	fd = open(path, O_RDWR | O_TRUNC);
	assert_int_equal(elf_read(&e, fd, path), -ENOEXEC);
	close(fd);
	unlink(path);
}

static const char *unwind_of(struct elfgen *g)
{
	static char got[32];
	struct elf_info e;
	size_t n;
	unsigned char *p = elfgen(g, &n);

	assert_int_equal(elf_parse(&e, p, n, "t"), 0);
	snprintf(got, sizeof got, "%s", e.unwind_import ? e.unwind_import : "-");
	elf_free(&e);
	free(p);
	return got;
}

/* the imports for which glibc dlopens libgcc_s.so.1: found among the
 * undefined dynamic symbols only, through DT_GNU_HASH or DT_HASH */
static void unwind_imports(void **s)
{
	(void)s;
	for (int is64 = 0; is64 < 2; is64++)
		for (int be = 0; be < 2; be++)
			for (int h = 1; h <= 2; h++) {
				struct elfgen g = full(is64, be, is64 ? ELF_EM_AARCH64 : ELF_EM_ARM);
				g.hash = h;
				g.imports[0] = "free";
				g.imports[1] = "pthread_cancel";
				g.exports[0] = "backtrace";
				assert_string_equal(unwind_of(&g), "pthread_cancel");
				g.imports[1] = "pthread_create"; /* a near name is not it */
				assert_string_equal(unwind_of(&g), "-");
				g.imports[1] = NULL; /* libc itself: defines them */
				g.exports[1] = "pthread_exit";
				assert_string_equal(unwind_of(&g), "-");
			}
	struct elfgen g = full(0, 0, ELF_EM_ARM);
	g.imports[0] = "thrd_exit";
	g.hash = 1;
	assert_string_equal(unwind_of(&g), "thrd_exit");
	g.imports[0] = "backtrace";
	assert_string_equal(unwind_of(&g), "backtrace");
	g.imports[0] = "pthread_exit";
	assert_string_equal(unwind_of(&g), "pthread_exit");
	g.hash = 2;
	g.nsym_override = 1; /* symoffset 1: no symbol is an import */
	assert_string_equal(unwind_of(&g), "-");
	g.nsym_override = 0xffffffffu; /* a hostile count: the file's end stops the look */
	assert_string_equal(unwind_of(&g), "pthread_exit");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(all_classes_and_byte_orders),
		cmocka_unit_test(minimal_and_static),
		cmocka_unit_test(many_needed_in_order),
		cmocka_unit_test(arm_float_abi),
		cmocka_unit_test(not_elf),
		cmocka_unit_test(every_truncation_fails_cleanly),
		cmocka_unit_test(corrupted_bytes_never_crash),
		cmocka_unit_test(hostile_fields),
		cmocka_unit_test(read_from_a_file),
		cmocka_unit_test(unwind_imports),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
