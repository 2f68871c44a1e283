/* printf.c - see printf.h. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "lib/printf.h"

enum { LEFT = 1, PLUS = 2, SPACE = 4, ZERO = 8, ALT = 16 };
enum { HH = 1, H, L, LL, J, Z, T, LD };

/* Where the bytes go: a string (cap bytes, the rest only counted), or a
 * FILE or a descriptor, through piece[]. */
struct sink {
	char *buf;
	size_t cap, used, total;
	FILE *f;
	int fd, err;
	char piece[256];
};

static void flush(struct sink *s)
{
	size_t off = 0;

	if (s->f) {
		if (s->used && fwrite(s->buf, 1, s->used, s->f) != s->used)
			s->err = 1;
	} else {
		while (off < s->used) {
			ssize_t w = write(s->fd, s->buf + off, s->used - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				s->err = 1;
				break;
			}
			off += (size_t)w;
		}
	}
	s->used = 0;
}

static void put(struct sink *s, const char *p, size_t n)
{
	s->total += n;
	while (n) {
		size_t k = s->cap - s->used;
		if (k == 0) {
			if (s->buf != s->piece)
				return; /* a full string: counted only */
			flush(s);
			k = s->cap;
		}
		if (k > n)
			k = n;
		memcpy(s->buf + s->used, p, k);
		s->used += k;
		p += k;
		n -= k;
	}
}

static void pad(struct sink *s, char c, size_t n)
{
	char b[16];

	memset(b, c, sizeof b);
	for (; n > sizeof b; n -= sizeof b)
		put(s, b, sizeof b);
	put(s, b, n);
}

/* [spaces] pre zeros body tail-zeros [spaces], in width */
static void field(struct sink *s, int flags, int width, const char *pre, size_t npre, size_t zeros,
		  const char *body, size_t nbody, size_t tail)
{
	size_t len = npre + zeros + nbody + tail, w = width > 0 ? (size_t)width : 0;

	if ((flags & (ZERO | LEFT)) == ZERO && w > len) {
		zeros += w - len;
		len = w;
	}
	if (!(flags & LEFT) && w > len)
		pad(s, ' ', w - len);
	put(s, pre, npre);
	pad(s, '0', zeros);
	put(s, body, nbody);
	pad(s, '0', tail);
	if ((flags & LEFT) && w > len)
		pad(s, ' ', w - len);
}

static size_t sign(char *pre, int neg, int flags)
{
	if (neg)
		*pre = '-';
	else if (flags & PLUS)
		*pre = '+';
	else if (flags & SPACE)
		*pre = ' ';
	else
		return 0;
	return 1;
}

static void integer(struct sink *s, uintmax_t v, int neg, unsigned base, int upper, int flags, int width,
		    int prec)
{
	const char *dig = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char d[24], pre[2];
	size_t n = 0, np = sign(pre, neg, flags), zeros = 0;
	int zero = v == 0;

	for (; v; v /= base)
		d[sizeof d - ++n] = dig[v % base];
	if (zero && prec < 0)
		d[sizeof d - ++n] = '0';
	if ((flags & ALT) && base == 16 && !zero) {
		pre[np++] = '0';
		pre[np++] = upper ? 'X' : 'x';
	}
	if ((flags & ALT) && base == 8 && (n == 0 || d[sizeof d - n] != '0') && prec <= (int)n)
		d[sizeof d - ++n] = '0';
	if (prec >= 0) {
		flags &= ~ZERO;
		if ((size_t)prec > n)
			zeros = (size_t)prec - n;
	}
	field(s, flags, width, pre, np, zeros, d + sizeof d - n, n, 0);
}

static size_t digits(char *end, uint64_t v, size_t min)
{
	size_t n = 0;

	while (v || n < min) {
		end[-(ptrdiff_t)++n] = (char)('0' + v % 10);
		v /= 10;
	}
	return n;
}

/* a * b = p + err exactly (Dekker's product: no fma on a soft-float CPU) */
static double product(double a, double b, double *err)
{
	double p = a * b, ca = 134217729.0 * a, cb = 134217729.0 * b;
	double ah = ca - (ca - a), al = a - ah, bh = cb - (cb - b), bl = b - bh;

	*err = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
	return p;
}

#define EXACT 9007199254740992.0 /* 2^53 */

/* %f: v * 10^prec rounded half to even (as glibc, from the exact product),
 * split at the point; digits past 15, or past 2^53, are zeros */
static void floating(struct sink *s, double v, int flags, int width, int prec)
{
	char b[340], pre[1], *end = b + sizeof b;
	size_t np, n = 0;
	uint64_t scale = 1, r;
	int p = 0, point;

	np = sign(pre, __builtin_signbit(v) != 0, flags);
	if (np && *pre == '-')
		v = -v;
	if (v != v || v == __builtin_inf()) {
		field(s, flags & ~ZERO, width, pre, np, 0, v != v ? "nan" : "inf", 3, 0);
		return;
	}
	if (prec < 0)
		prec = 6;
	point = prec || (flags & ALT);
	for (; p < prec && p < 15; p++)
		scale *= 10;
	while (p > 0 && v * (double)scale >= EXACT) {
		scale /= 10;
		p--;
	}
	if (v >= 9.2e18) {
		double x = v;
		int k = 0;
		for (; x >= 9.2e18; k++)
			x /= 10;
		if (point)
			end[-(ptrdiff_t)++n] = '.';
		memset(end - n - k, '0', (size_t)k);
		n += (size_t)k;
		n += digits(end - n, (uint64_t)x, 1);
	} else {
		double err, t = product(v, (double)scale, &err), f, d;
		r = (uint64_t)t;
		f = t - (double)r; /* exact: t < 2^53, or t is whole */
		d = (f - 0.5) + err;
		if (f + err < 0) { /* t was rounded up to a whole number */
			r--;
			d = (f + 0.5) + err;
		}
		if (d > 0 || (d == 0 && (r & 1)))
			r++;
		if (point) {
			n = digits(end, r % scale, (size_t)p);
			end[-(ptrdiff_t)++n] = '.';
		}
		n += digits(end - n, r / scale, 1);
	}
	field(s, flags, width, pre, np, 0, end - n, n, (size_t)(prec - p));
}

static void format(struct sink *s, const char *p, va_list ap)
{
	while (*p) {
		const char *start = strchr(p, '%'), *q;
		int flags = 0, width = 0, prec = -1, len = 0;

		if (!start) {
			put(s, p, strlen(p));
			return;
		}
		put(s, p, (size_t)(start - p));
		for (q = start + 1;; q++) {
			const char *f = *q ? strchr("-+ 0#", *q) : NULL;
			if (!f)
				break;
			flags |= 1 << (f - "-+ 0#");
		}
		if (*q == '*') {
			width = va_arg(ap, int);
			if (width < 0) {
				flags |= LEFT;
				width = width == INT_MIN ? INT_MAX : -width;
			}
			q++;
		}
		for (; *q >= '0' && *q <= '9'; q++)
			width = width > INT_MAX / 10 - 1 ? INT_MAX : width * 10 + (*q - '0');
		if (*q == '.') {
			prec = 0;
			if (*++q == '*') {
				prec = va_arg(ap, int);
				if (prec < 0)
					prec = -1;
				q++;
			}
			for (; *q >= '0' && *q <= '9'; q++)
				prec = prec > INT_MAX / 10 - 1 ? INT_MAX : prec * 10 + (*q - '0');
		}
		switch (*q) {
		case 'h': len = q[1] == 'h' ? HH : H; break;
		case 'l': len = q[1] == 'l' ? LL : L; break;
		case 'j': len = J; break;
		case 'z': len = Z; break;
		case 't': len = T; break;
		case 'L': len = LD; break;
		}
		q += len == HH || len == LL ? 2 : len ? 1 : 0;
		switch (*q) {
		case 'd':
		case 'i': {
			intmax_t v;
			switch (len) {
			case HH: v = (signed char)va_arg(ap, int); break;
			case H: v = (short)va_arg(ap, int); break;
			case L: v = va_arg(ap, long); break;
			case LL: case LD: v = va_arg(ap, long long); break;
			case J: v = va_arg(ap, intmax_t); break;
			case Z: v = va_arg(ap, ssize_t); break;
			case T: v = va_arg(ap, ptrdiff_t); break;
			default: v = va_arg(ap, int);
			}
			integer(s, v < 0 ? -(uintmax_t)v : (uintmax_t)v, v < 0, 10, 0, flags, width, prec);
			break;
		}
		case 'u':
		case 'o':
		case 'x':
		case 'X': {
			uintmax_t v;
			switch (len) {
			case HH: v = (unsigned char)va_arg(ap, unsigned); break;
			case H: v = (unsigned short)va_arg(ap, unsigned); break;
			case L: v = va_arg(ap, unsigned long); break;
			case LL: case LD: v = va_arg(ap, unsigned long long); break;
			case J: v = va_arg(ap, uintmax_t); break;
			case Z: v = va_arg(ap, size_t); break;
			case T: v = (uintmax_t)va_arg(ap, ptrdiff_t); break;
			default: v = va_arg(ap, unsigned);
			}
			integer(s, v, 0, *q == 'u' ? 10 : *q == 'o' ? 8 : 16, *q == 'X', flags & ~(PLUS | SPACE),
				width, prec);
			break;
		}
		case 'p':
			integer(s, (uintptr_t)va_arg(ap, void *), 0, 16, 0, (flags & ~(PLUS | SPACE)) | ALT, width,
				prec);
			break;
		case 'c': {
			char c = (char)va_arg(ap, int);
			field(s, flags & ~ZERO, width, "", 0, 0, &c, 1, 0);
			break;
		}
		case 's': {
			const char *str = va_arg(ap, const char *);
			if (!str)
				str = "(null)";
			field(s, flags & ~ZERO, width, "", 0, 0, str, prec >= 0 ? strnlen(str, (size_t)prec) : strlen(str),
			      0);
			break;
		}
		case 'f':
		case 'F':
			floating(s, len == LD ? (double)va_arg(ap, long double) : va_arg(ap, double), flags, width,
				 prec);
			break;
		case '%':
			put(s, "%", 1);
			break;
		case 'e': case 'E': case 'g': case 'G': case 'a': case 'A':
			/* not formatted: shown as written, its argument skipped */
			if (len == LD)
				(void)va_arg(ap, long double);
			else
				(void)va_arg(ap, double);
			put(s, start, (size_t)(q + 1 - start));
			break;
		case 'n':
			(void)va_arg(ap, void *);
			break;
		default:
			put(s, start, (size_t)(q - start) + (*q != 0));
			if (!*q)
				return;
		}
		p = q + 1;
	}
}

static int result(struct sink *s)
{
	if (s->buf == s->piece)
		flush(s);
	if (s->err)
		return -1;
	if (s->total > INT_MAX) {
		errno = EOVERFLOW;
		return -1;
	}
	return (int)s->total;
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sink s = { .buf = buf, .cap = size ? size - 1 : 0, .fd = -1 };
	int r;

	format(&s, fmt, ap);
	r = result(&s);
	if (size)
		buf[s.used] = 0;
	return r;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return r;
}

int fmt_vfprintf(FILE *f, const char *fmt, va_list ap)
{
	struct sink s = { .cap = sizeof s.piece, .f = f, .fd = -1 };

	s.buf = s.piece;
	format(&s, fmt, ap);
	return result(&s);
}

int fmt_vdprintf(int fd, const char *fmt, va_list ap)
{
	struct sink s = { .cap = sizeof s.piece, .fd = fd };

	s.buf = s.piece;
	format(&s, fmt, ap);
	return result(&s);
}

#ifndef __GLIBC__
/* musl's snprintf, printf, fprintf, dprintf, vprintf ... all end in these */
int vsnprintf(char *restrict buf, size_t size, const char *restrict fmt, va_list ap)
	__attribute__((alias("fmt_vsnprintf")));
int vfprintf(FILE *restrict f, const char *restrict fmt, va_list ap) __attribute__((alias("fmt_vfprintf")));
int vdprintf(int fd, const char *restrict fmt, va_list ap) __attribute__((alias("fmt_vdprintf")));
#endif
