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

#include "ldso/bytes.h"
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

/* Read an n-byte field at off into *v; -1 if it is outside the file. */
static int rdn(const struct rd *b, uint64_t off, unsigned n, uint64_t *v)
{
	if (!in(b, off, n))
		return -1;
	*v = rd_uint(b->p + off, n, b->be);
	return 0;
}

/* Address-sized fields: 4 bytes in ELF32, 8 in ELF64. */
static int rda(const struct rd *b, uint64_t off, uint64_t *v)
{
	return rdn(b, off, b->is64 ? 8 : 4, v);
}

/* The strings the loader reads; the DT_ ones are offsets in DT_STRTAB. */
enum { S_INTERP, S_SONAME, S_RPATH, S_RUNPATH, NSTR };

/* What the parse has found so far. */
struct parse {
	struct rd b;
	const char *path;           /* for messages */
	uint64_t phoff, phnum;      /* program headers */
	unsigned phent;
	uint64_t dynoff, dynsz;     /* PT_DYNAMIC in the file */
	/* the dynamic section */
	uint64_t strtab, strsz, symtab, hash, gnuhash;
	uint64_t stridx[NSTR];      /* DT_SONAME... values */
	unsigned char has[NSTR];    /* S_INTERP: PT_INTERP; else the tag was seen */
	unsigned char has_strtab;
	uint64_t *needed;           /* the DT_NEEDED values, e->n_needed of them */
	uint64_t stroff;            /* DT_STRTAB as a file offset */
	const char *str[NSTR];      /* in the file; NULL when absent */
};

static int bad(const char *path, const char *what)
{
	error("%s: malformed ELF file: %s", path, what);
	return -EINVAL;
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
static int vaddr_to_off(const struct parse *p, uint64_t va, uint64_t *off)
{
	uint64_t i;
	struct phdr ph;

	for (i = 0; i < p->phnum; i++) {
		if (read_phdr(&p->b, p->phoff + i * p->phent, &ph))
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
	const unsigned char *s;
	uint64_t room;

	if (off >= b->len)
		return NULL;
	room = b->len - off;
	if (max < room)
		room = max;
	s = b->p + off;
	return memchr(s, '\0', (size_t)room) ? (const char *)s : NULL;
}

/* String idx of DT_STRTAB, or NULL if it is not inside the table. */
static const char *dyn_str(const struct parse *p, uint64_t idx)
{
	return idx < p->strsz ? str_at(&p->b, p->stroff + idx, p->strsz - idx) : NULL;
}

/* e_ident: the class and byte order decide how everything else is read. */
static int read_ident(struct elf_info *e, struct parse *p)
{
	static const unsigned char magic[4] = { 0x7f, 'E', 'L', 'F' };
	const unsigned char *id = p->b.p;
	unsigned k;

	if (p->b.len < 16 || memcmp(id, magic, 4) != 0)
		return -ENOEXEC;
	e->cls = id[4];
	e->data = id[5];
	e->ident_version = id[6];
	e->osabi = id[7];
	e->abiversion = id[8];
	for (k = 9; k < 16; k++)
		e->pad_nonzero |= id[k] != 0;
	if (e->cls != ELF_CLASS32 && e->cls != ELF_CLASS64)
		return bad(p->path, "unknown class");
	if (e->data != ELF_DATA_LSB && e->data != ELF_DATA_MSB)
		return bad(p->path, "unknown byte order");
	p->b.be = e->data == ELF_DATA_MSB;
	p->b.is64 = e->cls == ELF_CLASS64;
	return 0;
}

/* The ELF header, and where the program headers are. */
static int read_header(struct elf_info *e, struct parse *p)
{
	const struct rd *b = &p->b;
	uint64_t v;

	if (b->len < (b->is64 ? 64u : 52u))
		return bad(p->path, "file too short for its header");
	e->type = rd16(b->p + 16, b->be);
	e->machine = rd16(b->p + 18, b->be);
	e->version = rd32(b->p + 20, b->be);
	if (b->is64) {
		p->phoff = rd64(b->p + 32, b->be);
		e->flags = rd32(b->p + 48, b->be);
		e->phentsize = rd16(b->p + 54, b->be);
		p->phnum = rd16(b->p + 56, b->be);
	} else {
		p->phoff = rd32(b->p + 28, b->be);
		e->flags = rd32(b->p + 36, b->be);
		e->phentsize = rd16(b->p + 42, b->be);
		p->phnum = rd16(b->p + 44, b->be);
	}
	p->phent = b->is64 ? 56 : 32;
	if (p->phnum == PN_XNUM_) {
		/* more than 65534 headers: the count is section 0's sh_info */
		uint64_t shoff = b->is64 ? rd64(b->p + 40, b->be) : rd32(b->p + 32, b->be);
		if (rdn(b, shoff + (b->is64 ? 44 : 28), 4, &v))
			return bad(p->path, "section header 0 past the end");
		p->phnum = v;
	}
	if (p->phnum == 0)
		return 0; /* e.g. a relocatable object: nothing for the loader */
	if (e->phentsize != p->phent)
		return bad(p->path, "unexpected program header size");
	if (p->phoff > b->len || p->phnum > (b->len - p->phoff) / p->phent)
		return bad(p->path, "program headers past the end");
	return 0;
}

/* PT_INTERP and PT_DYNAMIC, the first of each. */
static int read_phdrs(struct elf_info *e, struct parse *p)
{
	uint64_t i;
	struct phdr ph;

	for (i = 0; i < p->phnum; i++) {
		read_phdr(&p->b, p->phoff + i * p->phent, &ph); /* in bounds: read_header checked */
		if (ph.type == PT_INTERP_ && !p->has[S_INTERP]) {
			p->has[S_INTERP] = 1;
			p->str[S_INTERP] = str_at(&p->b, ph.offset, ph.filesz);
		} else if (ph.type == PT_DYNAMIC_ && !e->dynamic) {
			e->dynamic = 1;
			p->dynoff = ph.offset;
			p->dynsz = ph.filesz;
		}
	}
	if (p->has[S_INTERP] && !p->str[S_INTERP])
		return bad(p->path, "PT_INTERP past the end or not terminated");
	if (e->dynamic && !in(&p->b, p->dynoff, p->dynsz))
		return bad(p->path, "PT_DYNAMIC past the end");
	return 0;
}

static int add_needed(struct elf_info *e, struct parse *p, uint64_t val)
{
	if (!(e->n_needed & (e->n_needed - 1))) { /* 0, 1, 2, 4...: full */
		uint64_t *n = realloc(p->needed, (e->n_needed ? 2 * e->n_needed : 1) * sizeof *n);
		if (!n)
			return -ENOMEM;
		p->needed = n;
	}
	p->needed[e->n_needed++] = val;
	return 0;
}

/* The dynamic section, read once up to DT_NULL.  A tag seen twice keeps
 * its last value, as glibc's elf_get_dynamic_info does; DT_NEEDED keeps
 * every one, in order. */
static int read_dynamic(struct elf_info *e, struct parse *p)
{
	unsigned ent = p->b.is64 ? 16 : 8;
	uint64_t i, tag, val;

	p->strsz = UINT64_MAX;
	for (i = 0; i + ent <= p->dynsz; i += ent) {
		rda(&p->b, p->dynoff + i, &tag); /* in bounds: read_phdrs checked */
		rda(&p->b, p->dynoff + i + ent / 2, &val);
		switch (tag) {
		case DT_NULL_: return 0;
		case DT_NEEDED_:
			if (add_needed(e, p, val))
				return -ENOMEM;
			break;
		case DT_STRTAB_: p->strtab = val; p->has_strtab = 1; break;
		case DT_STRSZ_: p->strsz = val; break;
		case DT_SONAME_: p->stridx[S_SONAME] = val; p->has[S_SONAME] = 1; break;
		case DT_RPATH_: p->stridx[S_RPATH] = val; p->has[S_RPATH] = 1; break;
		case DT_RUNPATH_: p->stridx[S_RUNPATH] = val; p->has[S_RUNPATH] = 1; break;
		case DT_FLAGS_1_: e->flags_1 = (uint32_t)val; break;
		case DT_SYMTAB_: p->symtab = val; break;
		case DT_HASH_: p->hash = val; break;
		case DT_GNU_HASH_: p->gnuhash = val; break;
		}
	}
	return 0;
}

/* The first import (an undefined dynamic symbol) that makes glibc dlopen
 * libgcc_s.so.1 to unwind (nptl's pthread_cancel and pthread_exit, C11's
 * thrd_exit, debug/backtrace.c), or NULL.  With DT_GNU_HASH the imports are
 * among the symbols below its symoffset (the word at +4, where DT_HASH keeps
 * nchain, the count of all symbols, looked at when there is no GNU hash).
 * A table out of bounds just ends the look: the loader decides about such
 * a file, not this. */
static const char *unwind_import(const struct parse *p)
{
	static const char *const names[] = { "pthread_cancel", "pthread_exit", "thrd_exit", "backtrace" };
	const struct rd *b = &p->b;
	uint64_t symoff, hoff, nsym, i, name, shndx;
	unsigned ent = b->is64 ? 24 : 16, k;
	const char *s;

	if (!p->symtab || !(p->gnuhash ? p->gnuhash : p->hash) || vaddr_to_off(p, p->symtab, &symoff) ||
	    vaddr_to_off(p, p->gnuhash ? p->gnuhash : p->hash, &hoff) || rdn(b, hoff + 4, 4, &nsym))
		return NULL;
	for (i = 1; i < nsym && in(b, symoff + i * ent, ent); i++) {
		rdn(b, symoff + i * ent, 4, &name);
		rdn(b, symoff + i * ent + (b->is64 ? 6 : 14), 2, &shndx);
		if (shndx != 0 || !(s = dyn_str(p, name)))
			continue;
		for (k = 0; k < sizeof names / sizeof *names; k++)
			if (!strcmp(s, names[k]))
				return names[k];
	}
	return NULL;
}

/* The strings the dynamic section names, found through DT_STRTAB as the
 * loader finds them; DT_NEEDED's are checked when they are copied. */
static int read_strings(struct elf_info *e, struct parse *p)
{
	static const char *const what[NSTR] = {
		NULL, "DT_SONAME string past the end of the string table",
		"DT_RPATH string past the end of the string table", "DT_RUNPATH string past the end of the string table"
	};
	unsigned k;

	if (!(e->n_needed || p->has[S_SONAME] || p->has[S_RPATH] || p->has[S_RUNPATH]))
		return 0;
	if (!p->has_strtab)
		return bad(p->path, "strings used but no DT_STRTAB");
	if (vaddr_to_off(p, p->strtab, &p->stroff))
		return bad(p->path, "DT_STRTAB outside the loaded segments");
	for (k = S_SONAME; k < NSTR; k++)
		if (p->has[k] && !(p->str[k] = dyn_str(p, p->stridx[k])))
			return bad(p->path, what[k]);
	e->unwind_import = unwind_import(p);
	return 0;
}

static char *put(char *w, const char *s, const char **dst)
{
	size_t n = strlen(s) + 1;

	memcpy(w, s, n);
	*dst = w;
	return w + n;
}

/* One block for the DT_NEEDED pointer array and every string, copied: the
 * file may go away. */
static int copy_strings(struct elf_info *e, struct parse *p)
{
	const char **dst[NSTR] = { &e->interp, &e->soname, &e->rpath, &e->runpath };
	size_t total = e->n_needed * sizeof(char *);
	const char *s;
	unsigned k;
	char *w;

	for (k = 0; k < NSTR; k++)
		if (p->str[k])
			total += strlen(p->str[k]) + 1;
	for (k = 0; k < e->n_needed; k++) {
		if (!(s = dyn_str(p, p->needed[k])))
			return bad(p->path, "DT_NEEDED string past the end of the string table");
		total += strlen(s) + 1;
	}
	e->mem = malloc(total ? total : 1);
	if (!e->mem)
		return -ENOMEM;
	e->needed = e->mem;
	w = (char *)e->mem + e->n_needed * sizeof(char *);
	for (k = 0; k < NSTR; k++)
		if (p->str[k])
			w = put(w, p->str[k], dst[k]);
	for (k = 0; k < e->n_needed; k++)
		w = put(w, dyn_str(p, p->needed[k]), &e->needed[k]);
	return 0;
}

int elf_parse(struct elf_info *e, const void *buf, size_t len, const char *path)
{
	struct parse p = { .b = { buf, len, 0, 0 }, .path = path };
	int r;

	memset(e, 0, sizeof *e);
	if (!(r = read_ident(e, &p)) && !(r = read_header(e, &p)) && !(r = read_phdrs(e, &p)) &&
	    !(r = read_dynamic(e, &p)) && !(r = read_strings(e, &p)))
		r = copy_strings(e, &p);
	free(p.needed);
	return r;
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
