/* elf.h - what a dynamic loader reads from an ELF file, read safely.
 *
 * ELF32 and ELF64, either byte order, whatever machine: a host tool reads
 * ARM files and an ARM root2ram reads x86 ones.  Every field is read
 * through bounded, byte-order-aware accessors (ldso/bytes.h; toybox's
 * toys/other/readelf.c does the same), so a truncated or hostile file is an
 * error naming its path, never a crash or a read outside the buffer.
 */
#ifndef R2R_ELF_H
#define R2R_ELF_H

#include <stddef.h>
#include <stdint.h>

/* The few constants used, under our own names: musl's <elf.h> and glibc's
 * differ in what they define, and the values are fixed by the ABI. */
enum {
	ELF_CLASS32 = 1, ELF_CLASS64 = 2,
	ELF_DATA_LSB = 1, ELF_DATA_MSB = 2,
	ELF_ET_REL = 1, ELF_ET_EXEC = 2, ELF_ET_DYN = 3,
	ELF_EM_386 = 3, ELF_EM_68K = 4, ELF_EM_MIPS = 8, ELF_EM_PARISC = 15, ELF_EM_PPC = 20,
	ELF_EM_PPC64 = 21, ELF_EM_S390 = 22, ELF_EM_ARM = 40, ELF_EM_SH = 42,
	ELF_EM_SPARCV9 = 43, ELF_EM_X86_64 = 62, ELF_EM_AARCH64 = 183, ELF_EM_RISCV = 243,
	ELF_EM_LOONGARCH = 258,
	ELF_OSABI_SYSV = 0, ELF_OSABI_GNU = 3, ELF_OSABI_ARM_AEABI = 64,
};
#define ELF_DF_1_NODEFLIB 0x800u
/* ARM e_flags: the EABI version, and in version 5 the float ABI the
 * object was built for (gcc's -mfloat-abi=hard sets FLOAT_HARD, Debian
 * armel objects carry FLOAT_SOFT; old objects carry neither). */
#define ELF_ARM_EABIMASK 0xff000000u
#define ELF_ARM_EABI_VER5 0x05000000u
#define ELF_ARM_ABI_FLOAT_SOFT 0x200u
#define ELF_ARM_ABI_FLOAT_HARD 0x400u

enum elf_float { ELF_FLOAT_NONE, ELF_FLOAT_SOFT, ELF_FLOAT_HARD };

struct elf_info {
	/* e_ident */
	unsigned char cls, data, ident_version, osabi, abiversion;
	unsigned char pad_nonzero; /* e_ident[EI_PAD..] not all zero */
	/* header */
	uint16_t type, machine, phentsize;
	uint32_t version, flags;
	/* program headers */
	unsigned char dynamic;   /* has PT_DYNAMIC */
	const char *interp;      /* PT_INTERP, or NULL */
	/* dynamic section */
	const char *soname, *rpath, *runpath; /* NULL when absent */
	uint32_t flags_1;        /* DT_FLAGS_1 */
	unsigned n_needed;
	const char **needed;     /* DT_NEEDED, in order */
	/* an imported symbol for which glibc dlopens libgcc_s.so.1
	 * ("pthread_cancel", "pthread_exit", "thrd_exit", "backtrace"), or NULL;
	 * a static string, not in mem */
	const char *unwind_import;
	void *mem;               /* one block holding the strings above */
};

/* Parse an ELF file held in buf[0..len).  0, or:
 *   -ENOEXEC  not ELF (no magic): silent, the caller decides;
 *   -EINVAL   ELF but truncated or malformed: logged with `path`;
 *   -ENOMEM.
 * On success e->mem must be freed with elf_free; the strings are copies,
 * buf may go away. */
int elf_parse(struct elf_info *e, const void *buf, size_t len, const char *path);

/* The same for an open file (mapped, parsed, unmapped). */
int elf_read(struct elf_info *e, int fd, const char *path);

void elf_free(struct elf_info *e);

/* ARM only: the float ABI recorded in e_flags (EABI version 5). */
enum elf_float elf_arm_float(const struct elf_info *e);

#endif
