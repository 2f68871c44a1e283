/* elfgen.h - hand-made ELF files for the tests: any class, byte order and
 * machine, with PT_INTERP and a dynamic section, laid out like a linker
 * would (one PT_LOAD at 0x10000 covering the whole file). */
#ifndef R2R_ELFGEN_H
#define R2R_ELFGEN_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct elfgen {
	int is64, be;
	uint16_t type, machine;
	uint32_t flags;          /* e_flags */
	unsigned char osabi;
	const char *interp;      /* NULL: none */
	const char *needed[16];  /* NULL-terminated */
	const char *soname, *rpath, *runpath;
	uint32_t flags_1;
	int no_dynamic;
	/* a dynamic symbol table: imports (undefined) first, then exports,
	 * found through DT_GNU_HASH (hash == 2: symoffset past the imports)
	 * or DT_HASH (hash == 1: nchain = every symbol); none if hash == 0 */
	const char *imports[8], *exports[8];
	int hash;
	uint32_t nsym_override; /* if set: the count written in the hash table */
};

static inline void eg_put(unsigned char *p, size_t off, uint64_t v, int n, int be)
{
	int i;
	for (i = 0; i < n; i++)
		p[off + i] = (unsigned char)(v >> (8 * (be ? n - 1 - i : i)));
}

/* Returns a malloc'ed image and its size in *len. */
static inline unsigned char *elfgen(const struct elfgen *g, size_t *len)
{
	unsigned char *p = calloc(1, 8192);
	size_t eh = g->is64 ? 64 : 52, ph = g->is64 ? 56 : 32, dyn = g->is64 ? 16 : 8, a = g->is64 ? 8 : 4;
	size_t phoff = eh, nph = 1 + (g->interp ? 1 : 0) + (g->no_dynamic ? 0 : 1);
	size_t strtab = phoff + nph * ph, s = 1, interp = 0, dynoff, nd = 0, i, k;
	uint64_t base = 0x10000;
	struct { uint64_t tag, val; } d[32];
	const char *strs[24];
	size_t offs[24], ns = 0;

	if (!p)
		abort();
	p[strtab] = 0; /* index 0: the empty string */
#define ADDSTR(str) (strs[ns] = (str), offs[ns] = s, memcpy(p + strtab + s, (str), strlen(str) + 1), \
		     s += strlen(str) + 1, offs[ns++])
	for (i = 0; g->needed[i]; i++)
		d[nd].tag = 1, d[nd].val = ADDSTR(g->needed[i]), nd++;
	if (g->soname)
		d[nd].tag = 14, d[nd].val = ADDSTR(g->soname), nd++;
	if (g->rpath)
		d[nd].tag = 15, d[nd].val = ADDSTR(g->rpath), nd++;
	if (g->runpath)
		d[nd].tag = 29, d[nd].val = ADDSTR(g->runpath), nd++;
	if (g->flags_1)
		d[nd].tag = 0x6ffffffb, d[nd].val = g->flags_1, nd++;
	size_t symname[17], nimp = 0, nexp = 0, dsym = 0, dhash = 0;
	for (i = 0; g->hash && g->imports[i]; i++)
		symname[nimp++] = ADDSTR(g->imports[i]);
	for (i = 0; g->hash && g->exports[i]; i++)
		symname[nimp + nexp++] = ADDSTR(g->exports[i]);
	if (g->hash) {
		dsym = nd, d[nd].tag = 6, nd++;
		dhash = nd, d[nd].tag = g->hash == 2 ? 0x6ffffef5 : 4, nd++;
	}
	d[nd].tag = 5, d[nd].val = base + strtab, nd++;
	d[nd].tag = 10, d[nd].val = s, nd++;
	d[nd].tag = 0, d[nd].val = 0, nd++;
#undef ADDSTR
	if (g->interp) {
		interp = strtab + s;
		memcpy(p + interp, g->interp, strlen(g->interp) + 1);
		s += strlen(g->interp) + 1;
	}
	dynoff = (strtab + s + 7) & ~(size_t)7;
	*len = dynoff + (g->no_dynamic ? 0 : nd * dyn);
	if (g->hash) {
		size_t se = g->is64 ? 24 : 16, symoff = *len, hoff, nsym = 1 + nimp + nexp;
		for (k = 1; k < nsym; k++) {
			size_t o = symoff + k * se;
			eg_put(p, o, symname[k - 1], 4, g->be);                            /* st_name */
			eg_put(p, o + (g->is64 ? 6 : 14), k > nimp ? 1 : 0, 2, g->be); /* st_shndx */
		}
		hoff = symoff + nsym * se;
		eg_put(p, hoff, 1, 4, g->be); /* nbucket(s) */
		eg_put(p, hoff + 4, g->nsym_override ? g->nsym_override : g->hash == 2 ? 1 + nimp : nsym, 4,
		       g->be);                /* symoffset / nchain */
		d[dsym].val = base + symoff;
		d[dhash].val = base + hoff;
		*len = hoff + 16;
	}

	memcpy(p, "\177ELF", 4);
	p[4] = g->is64 ? 2 : 1;
	p[5] = g->be ? 2 : 1;
	p[6] = 1;
	p[7] = g->osabi;
	eg_put(p, 16, g->type ? g->type : 3, 2, g->be);
	eg_put(p, 18, g->machine, 2, g->be);
	eg_put(p, 20, 1, 4, g->be);
	eg_put(p, g->is64 ? 32 : 28, phoff, (int)a, g->be);
	eg_put(p, g->is64 ? 48 : 36, g->flags, 4, g->be);
	eg_put(p, g->is64 ? 52 : 40, eh, 2, g->be);
	eg_put(p, g->is64 ? 54 : 42, ph, 2, g->be);
	eg_put(p, g->is64 ? 56 : 44, nph, 2, g->be);
	for (k = 0; k < nph; k++) {
		size_t o = phoff + k * ph;
		uint64_t type, off, fs;
		if (k == 0)
			type = 1, off = 0, fs = *len;                    /* PT_LOAD */
		else if (g->interp && k == 1)
			type = 3, off = interp, fs = strlen(g->interp) + 1; /* PT_INTERP */
		else
			type = 2, off = dynoff, fs = nd * dyn;           /* PT_DYNAMIC */
		eg_put(p, o, type, 4, g->be);
		if (g->is64) {
			eg_put(p, o + 8, off, 8, g->be);
			eg_put(p, o + 16, base + off, 8, g->be);
			eg_put(p, o + 32, fs, 8, g->be);
			eg_put(p, o + 40, fs, 8, g->be);
		} else {
			eg_put(p, o + 4, off, 4, g->be);
			eg_put(p, o + 8, base + off, 4, g->be);
			eg_put(p, o + 16, fs, 4, g->be);
			eg_put(p, o + 20, fs, 4, g->be);
		}
	}
	for (k = 0; !g->no_dynamic && k < nd; k++) {
		eg_put(p, dynoff + k * dyn, d[k].tag, (int)a, g->be);
		eg_put(p, dynoff + k * dyn + a, d[k].val, (int)a, g->be);
	}
	(void)strs;
	return p;
}

static inline void elfgen_write(const char *path, const struct elfgen *g)
{
	size_t n;
	unsigned char *p = elfgen(g, &n);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n)
		abort();
	fclose(f);
	free(p);
}
#endif
