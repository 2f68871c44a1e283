/* bytes.h - integers of a file read in the file's own byte order.
 *
 * An ELF file or an ld.so.cache of another machine (a host tool reading
 * an ARM root, an ARM init reading an x86 one) holds its fields in its own
 * byte order and alignment: they are read a byte at a time, never through
 * a cast pointer.  The caller has checked that the bytes lie in its buffer.
 */
#ifndef R2R_BYTES_H
#define R2R_BYTES_H

#include <stdint.h>

/* The n-byte (n <= 8) unsigned integer at p; be: big-endian. */
static inline uint64_t rd_uint(const unsigned char *p, unsigned n, int be)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * (be ? n - 1 - i : i));
	return v;
}

static inline uint16_t rd16(const unsigned char *p, int be) { return (uint16_t)rd_uint(p, 2, be); }
static inline uint32_t rd32(const unsigned char *p, int be) { return (uint32_t)rd_uint(p, 4, be); }
static inline uint64_t rd64(const unsigned char *p, int be) { return rd_uint(p, 8, be); }

#endif
