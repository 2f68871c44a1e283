/* elf.c - see elf.h.
 *
 * Reads what glibc's loader reads (elf/dl-load.c open_verify, then the
 * dynamic section through the PT_LOAD mapping): the header, PT_INTERP,
 * PT_DYNAMIC, and in it DT_NEEDED, DT_SONAME, DT_RPATH, DT_RUNPATH,
 * DT_FLAGS_1, with the strings found through DT_STRTAB as a virtual
 * address, the way the loader finds them, not through section headers
 * (which strip may remove).  Nothing is read without checking it lies in
 * the buffer; offsets are 64-bit even on a 32-bit host.
 */
/* 64-bit off_t, ino_t and d_off with 32-bit glibc too (the armel unit
 * tests); musl has them always. */
#define _FILE_OFFSET_BITS 64
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "ldso/elf.h"
#include "lib/log.h"

enum { PT_LOAD_ = 1, PT_DYNAMIC_ = 2, PT_INTERP_ = 3 };
enum { DT_NULL_ = 0, DT_NEEDED_ = 1, DT_HASH_ = 4, DT_STRTAB_ = 5, DT_SYMTAB_ = 6, DT_STRSZ_ = 10,
       DT_SONAME_ = 14, DT_RPATH_ = 15, DT_RUNPATH_ = 29 };
#define DT_GNU_HASH_ 0x6ffffef5u
#define DT_FLAGS_1_ 0x6ffffffbu
#define PN_XNUM_ 0xffff

/* A bounded view of the file in its own byte order and class. */
struct rd {
	const unsigned char *p;
	uint64_t len;
	int be, is64;
};

static int in(const struct rd *b, uint64_t off, uint64_t n)
{
	return off <= b->len && n <= b->len - off;
}

static uint64_t get(const struct rd *b, uint64_t off, unsigned n)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)b->p[off + i] << (8 * (b->be ? n - 1 - i : i));
	return v;
}

/* Read an n-byte field at off into *v; -1 if it is outside the file. */
static int rdn(const struct rd *b, uint64_t off, unsigned n, uint64_t *v)
{
	if (!in(b, off, n))
		return -1;
	*v = get(b, off, n);
	return 0;
}

/* Address-sized fields: 4 bytes in ELF32, 8 in ELF64. */
static int rda(const struct rd *b, uint64_t off, uint64_t *v)
{
	return rdn(b, off, b->is64 ? 8 : 4, v);
}

struct phdr {
	uint64_t type, offset, vaddr, filesz;
};

static int read_phdr(const struct rd *b, uint64_t off, struct phdr *ph)
{
	if (b->is64)
		return rdn(b, off, 4, &ph->type) || rdn(b, off + 8, 8, &ph->offset) ||
		       rdn(b, off + 16, 8, &ph->vaddr) || rdn(b, off + 32, 8, &ph->filesz);
	return rdn(b, off, 4, &ph->type) || rdn(b, off + 4, 4, &ph->offset) ||
	       rdn(b, off + 8, 4, &ph->vaddr) || rdn(b, off + 16, 4, &ph->filesz);
}

/* A virtual address to a file offset through the PT_LOAD segments, as the
 * loader's mapping would place it. */
static int vaddr_to_off(const struct rd *b, uint64_t phoff, uint64_t phnum, unsigned phent, uint64_t va,
			uint64_t *off)
{
	uint64_t i;
	struct phdr ph;

	for (i = 0; i < phnum; i++) {
		if (read_phdr(b, phoff + i * phent, &ph))
			return -1;
		if (ph.type == PT_LOAD_ && va >= ph.vaddr && va - ph.vaddr < ph.filesz) {
			*off = ph.offset + (va - ph.vaddr);
			return 0;
		}
	}
	return -1;
}

/* A NUL-terminated string at off, at most max bytes long with its NUL. */
static const char *str_at(const struct rd *b, uint64_t off, uint64_t max)
{
	const unsigned char *s, *nul;
	uint64_t room;

	if (off >= b->len)
		return NULL;
	room = b->len - off;
	if (max < room)
		room = max;
	s = b->p + off;
	nul = memchr(s, '\0', (size_t)room);
	return nul ? (const char *)s : NULL;
}

static int bad(const char *path, const char *what)
{
	error("%s: malformed ELF file: %s", path, what);
	return -EINVAL;
}

/* The first import (an undefined dynamic symbol) that makes glibc dlopen
 * libgcc_s.so.1 to unwind (nptl's pthread_cancel and pthread_exit, C11's
 * thrd_exit, debug/backtrace.c), or NULL.  With DT_GNU_HASH the imports are
 * among the symbols below its symoffset (the word at +4, where DT_HASH keeps
 * nchain, the count of all symbols, looked at when there is no GNU hash).  A table out of bounds just ends the look:
 * the loader decides about such a file, not this. */
static const char *unwind_import(const struct rd *b, uint64_t phoff, uint64_t phnum, unsigned phent,
				 uint64_t symtab, uint64_t hashva, uint64_t stroff, uint64_t strsz)
{
	static const char *const names[] = { "pthread_cancel", "pthread_exit", "thrd_exit", "backtrace" };
	uint64_t symoff, hoff, nsym, i, name, shndx;
	unsigned ent = b->is64 ? 24 : 16;

	if (!hashva || vaddr_to_off(b, phoff, phnum, phent, symtab, &symoff) ||
	    vaddr_to_off(b, phoff, phnum, phent, hashva, &hoff) || rdn(b, hoff + 4, 4, &nsym))
		return NULL;
	for (i = 1; i < nsym && in(b, symoff + i * ent, ent); i++) {
		const char *s;
		rdn(b, symoff + i * ent, 4, &name);
		rdn(b, symoff + i * ent + (b->is64 ? 6 : 14), 2, &shndx);
		if (shndx != 0 || name >= strsz || !(s = str_at(b, stroff + name, strsz - name)))
			continue;
		for (unsigned k = 0; k < sizeof names / sizeof *names; k++)
			if (!strcmp(s, names[k]))
				return names[k];
	}
	return NULL;
}

int elf_parse(struct elf_info *e, const void *buf, size_t len, const char *path)
{
	static const unsigned char magic[4] = { 0x7f, 'E', 'L', 'F' };
	const unsigned char *id = buf;
	struct rd b = { buf, len, 0, 0 };
	uint64_t phoff, phnum, i, dynoff = 0, dynsz = 0, interpoff = 0, interpsz = 0;
	uint64_t strtab = 0, strsz = UINT64_MAX, soname = 0, rpath = 0, runpath = 0, stroff = 0;
	uint64_t symtab = 0, hash = 0, gnuhash = 0;
	int has_strtab = 0, has_soname = 0, has_rpath = 0, has_runpath = 0, has_interp = 0;
	unsigned phent, dynent, k;
	const char *s_interp = NULL, *s_soname = NULL, *s_rpath = NULL, *s_runpath = NULL;
	size_t total, n;
	char *w;

	memset(e, 0, sizeof *e);
	if (len < 16 || memcmp(id, magic, 4) != 0)
		return -ENOEXEC;
	e->cls = id[4];
	e->data = id[5];
	e->ident_version = id[6];
	e->osabi = id[7];
	e->abiversion = id[8];
	for (k = 9; k < 16; k++)
		e->pad_nonzero |= id[k] != 0;
	if (e->cls != ELF_CLASS32 && e->cls != ELF_CLASS64)
		return bad(path, "unknown class");
	if (e->data != ELF_DATA_LSB && e->data != ELF_DATA_MSB)
		return bad(path, "unknown byte order");
	b.be = e->data == ELF_DATA_MSB;
	b.is64 = e->cls == ELF_CLASS64;
	dynent = b.is64 ? 16 : 8;
	if (len < (b.is64 ? 64u : 52u))
		return bad(path, "file too short for its header");
	e->type = (uint16_t)get(&b, 16, 2);
	e->machine = (uint16_t)get(&b, 18, 2);
	e->version = (uint32_t)get(&b, 20, 4);
	if (b.is64) {
		phoff = get(&b, 32, 8);
		e->flags = (uint32_t)get(&b, 48, 4);
		e->phentsize = (uint16_t)get(&b, 54, 2);
		phnum = get(&b, 56, 2);
	} else {
		phoff = get(&b, 28, 4);
		e->flags = (uint32_t)get(&b, 36, 4);
		e->phentsize = (uint16_t)get(&b, 42, 2);
		phnum = get(&b, 44, 2);
	}
	phent = b.is64 ? 56 : 32;
	if (phnum == PN_XNUM_) {
		/* more than 65534 headers: the count is section 0's sh_info */
		uint64_t shoff = get(&b, b.is64 ? 40 : 32, b.is64 ? 8 : 4);
		if (rdn(&b, shoff + (b.is64 ? 44 : 28), 4, &phnum))
			return bad(path, "section header 0 past the end");
	}
	if (phnum == 0)
		goto strings; /* e.g. a relocatable object: nothing for the loader */
	if (e->phentsize != phent)
		return bad(path, "unexpected program header size");
	if (phoff > len || phnum > (len - phoff) / phent)
		return bad(path, "program headers past the end");

	for (i = 0; i < phnum; i++) {
		struct phdr ph;
		read_phdr(&b, phoff + i * phent, &ph); /* in bounds: checked above */
		if (ph.type == PT_INTERP_ && !has_interp) {
			has_interp = 1;
			interpoff = ph.offset;
			interpsz = ph.filesz;
		} else if (ph.type == PT_DYNAMIC_ && !e->dynamic) {
			e->dynamic = 1;
			dynoff = ph.offset;
			dynsz = ph.filesz;
		}
	}
	if (has_interp) {
		s_interp = str_at(&b, interpoff, interpsz);
		if (!s_interp)
			return bad(path, "PT_INTERP past the end or not terminated");
	}
	if (!e->dynamic)
		goto strings;
	if (!in(&b, dynoff, dynsz))
		return bad(path, "PT_DYNAMIC past the end");
	/* First pass: the tags that hold addresses and offsets.  A tag seen
	 * twice keeps its last value, as glibc's elf_get_dynamic_info does. */
	for (i = 0; i + dynent <= dynsz; i += dynent) {
		uint64_t tag, val;
		rda(&b, dynoff + i, &tag);
		rda(&b, dynoff + i + dynent / 2, &val);
		if (tag == DT_NULL_)
			break;
		switch (tag) {
		case DT_NEEDED_: e->n_needed++; break;
		case DT_STRTAB_: strtab = val; has_strtab = 1; break;
		case DT_STRSZ_: strsz = val; break;
		case DT_SONAME_: soname = val; has_soname = 1; break;
		case DT_RPATH_: rpath = val; has_rpath = 1; break;
		case DT_RUNPATH_: runpath = val; has_runpath = 1; break;
		case DT_FLAGS_1_: e->flags_1 = (uint32_t)val; break;
		case DT_SYMTAB_: symtab = val; break;
		case DT_HASH_: hash = val; break;
		case DT_GNU_HASH_: gnuhash = val; break;
		}
	}
	if (!(e->n_needed || has_soname || has_rpath || has_runpath))
		goto strings;
	if (!has_strtab)
		return bad(path, "strings used but no DT_STRTAB");
	if (vaddr_to_off(&b, phoff, phnum, phent, strtab, &stroff))
		return bad(path, "DT_STRTAB outside the loaded segments");
#define STR(idx, out, what)                                                     \
	do {                                                                    \
		if ((idx) >= strsz || !((out) = str_at(&b, stroff + (idx), strsz - (idx)))) \
			return bad(path, what " string past the end of the string table"); \
	} while (0)
	if (has_soname)
		STR(soname, s_soname, "DT_SONAME");
	if (has_rpath)
		STR(rpath, s_rpath, "DT_RPATH");
	if (has_runpath)
		STR(runpath, s_runpath, "DT_RUNPATH");
	if (symtab)
		e->unwind_import = unwind_import(&b, phoff, phnum, phent, symtab, gnuhash ? gnuhash : hash,
						 stroff, strsz);

strings:
	/* One block: the DT_NEEDED pointer array, then every string. */
	total = e->n_needed * sizeof(char *);
	if (s_interp)
		total += strlen(s_interp) + 1;
	if (s_soname)
		total += strlen(s_soname) + 1;
	if (s_rpath)
		total += strlen(s_rpath) + 1;
	if (s_runpath)
		total += strlen(s_runpath) + 1;
	k = 0;
	for (i = 0; e->n_needed && i + dynent <= dynsz; i += dynent) {
		uint64_t tag, val;
		const char *s;
		rda(&b, dynoff + i, &tag);
		rda(&b, dynoff + i + dynent / 2, &val);
		if (tag == DT_NULL_)
			break;
		if (tag != DT_NEEDED_)
			continue;
		STR(val, s, "DT_NEEDED");
		total += strlen(s) + 1;
	}
	e->mem = malloc(total ? total : 1);
	if (!e->mem)
		return -ENOMEM;
	e->needed = e->mem;
	w = (char *)e->mem + e->n_needed * sizeof(char *);
#define PUT(src, dst)                         \
	do {                                  \
		n = strlen(src) + 1;          \
		memcpy(w, src, n);            \
		(dst) = w;                    \
		w += n;                       \
	} while (0)
	if (s_interp)
		PUT(s_interp, e->interp);
	if (s_soname)
		PUT(s_soname, e->soname);
	if (s_rpath)
		PUT(s_rpath, e->rpath);
	if (s_runpath)
		PUT(s_runpath, e->runpath);
	for (i = 0; e->n_needed && i + dynent <= dynsz && k < e->n_needed; i += dynent) {
		uint64_t tag, val;
		const char *s;
		rda(&b, dynoff + i, &tag);
		rda(&b, dynoff + i + dynent / 2, &val);
		if (tag == DT_NULL_)
			break;
		if (tag != DT_NEEDED_)
			continue;
		s = str_at(&b, stroff + val, strsz - val); /* checked in the sizing pass */
		PUT(s, e->needed[k]);
		k++;
	}
	return 0;
#undef STR
#undef PUT
}

int elf_read(struct elf_info *e, int fd, const char *path)
{
	struct stat st;
	void *map;
	int r;

	memset(e, 0, sizeof *e);
	if (fstat(fd, &st) < 0) {
		r = -errno;
		error("%s: %s", path, strerror(-r));
		return r;
	}
	if (!S_ISREG(st.st_mode))
		return -ENOEXEC;
	if (st.st_size < 16)
		return -ENOEXEC;
	if ((uint64_t)st.st_size > (uint64_t)SIZE_MAX / 2) {
		error("%s: too big to read", path);
		return -EFBIG;
	}
	/* Only the pages touched are read: the headers, the dynamic section
	 * and its strings, a few KiB even of a large library over NFS. */
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		r = -errno;
		error("%s: cannot map: %s", path, strerror(-r));
		return r;
	}
	/* No read-around: over NFS every fault would wait for a readahead
	 * window of the file (most of a small library); the copy that follows
	 * streams the whole file with readahead anyway. */
	madvise(map, (size_t)st.st_size, MADV_RANDOM);
	r = elf_parse(e, map, (size_t)st.st_size, path);
	munmap(map, (size_t)st.st_size);
	return r;
}

void elf_free(struct elf_info *e)
{
	free(e->mem);
	memset(e, 0, sizeof *e);
}

enum elf_float elf_arm_float(const struct elf_info *e)
{
	if (e->machine != ELF_EM_ARM || (e->flags & ELF_ARM_EABIMASK) != ELF_ARM_EABI_VER5)
		return ELF_FLOAT_NONE;
	if (e->flags & ELF_ARM_ABI_FLOAT_HARD)
		return ELF_FLOAT_HARD;
	if (e->flags & ELF_ARM_ABI_FLOAT_SOFT)
		return ELF_FLOAT_SOFT;
	return ELF_FLOAT_NONE;
}
