/* printf.h - the printf family of the static musl builds.
 *
 * snprintf, vsnprintf, printf, vprintf, fprintf, vfprintf, dprintf and
 * vdprintf for the armel and arm64 inits, in place of musl's, whose
 * printf_core and the exact floating-point printer it always links cost
 * 12 KiB of the armel init's size budget (README: Dependencies).
 *
 * What it formats: flags - + space 0 #, a width and a precision (a number
 * or *), the lengths hh h l ll j z t, and the conversions d i u o x X c s p
 * % and f.  %f is rounded as glibc rounds it (half to even, from the
 * exact value) while |v| * 10^precision < 2^53, which holds for every value
 * root2ram prints (seconds, MiB); past that, and past 15 decimals, the
 * last digits are zeros.  e, g, a, n and positional arguments are not formatted: such a
 * conversion is copied as it is, so a wrong one shows instead of being
 * misread.  Output to a FILE is assembled in 256-byte pieces, so a line of
 * one call reaches the console in one write, not one per conversion.
 *
 * The fmt_* functions are always built, so that the unit tests compare them
 * with glibc's on the host, under ASan and under qemu-user; the printf
 * family becomes them only where the C library is not glibc.
 */
#ifndef R2R_PRINTF_H
#define R2R_PRINTF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int fmt_vfprintf(FILE *f, const char *fmt, va_list ap);
int fmt_vdprintf(int fd, const char *fmt, va_list ap);

#endif
