/* The printf family of the static builds (init/lib/printf.c), run through
 * its fmt_* names against the C library's snprintf: every conversion it
 * formats, with flags, widths and precisions, in a fixed table and in a
 * sweep of 200000 generated formats; truncation and the returned length;
 * a FILE and a descriptor in pieces; what it does not format. */
#include "unit.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/printf.h"

static int same(const char *fmt, ...)
{
	char a[512], b[512];
	va_list ap, aq;
	int ra, rb;

	va_start(ap, fmt);
	va_copy(aq, ap);
	ra = vsnprintf(a, sizeof a, fmt, ap);
	rb = fmt_vsnprintf(b, sizeof b, fmt, aq);
	va_end(aq);
	va_end(ap);
	if (ra != rb || strcmp(a, b)) {
		print_error("format \"%s\": libc \"%s\" (%d), fmt \"%s\" (%d)\n", fmt, a, ra, b, rb);
		return 0;
	}
	return 1;
}

static void table(void **st)
{
	(void)st;
	assert_true(same("plain text"));
	assert_true(same("%s|%10s|%-10s|%.3s|%.*s|%*s|", "abc", "abc", "abc", "abcdef", 2, "xyz", -6, "l"));
	assert_true(same("%s", (char *)NULL));
	assert_true(same("%d %i %d %d %d", 0, -1, INT_MAX, INT_MIN, 42));
	assert_true(same("%5d|%-5d|%05d|%+d|% d|%+05d|%.3d|%8.3d|%-8.3d|%.0d|", 42, 42, -42, 42, 42, 7, 5, -5, 5, 0));
	assert_true(same("%u %lu %llu %zu %ju", 4000000000u, 123456789ul, 18446744073709551615ull, (size_t)77,
			 (uintmax_t)9));
	assert_true(same("%ld %lld %hd %hhd %zd %td", -123456789l, -9223372036854775807ll - 1, (short)-3,
			 (signed char)-128, (ssize_t)-4, (ptrdiff_t)-5));
	assert_true(same("%x %X %#x %#X %08x %lx %llx %#llx %#x", 0xbeefu, 0xbeefu, 0x1fu, 0x1fu, 0xabcu, 0xfffful,
			 0x123456789abcdefull, 0xfull, 0u));
	assert_true(same("%o %#o %04o %#o %.0o %#.0o", 8u, 8u, 0755u, 0u, 0u, 0u));
	assert_true(same("%hhu %hu %hhx", 300, 70000, 511));
	assert_true(same("%c%c|%3c|%-3c|", 'a', 'b', 'c', 'd'));
	assert_true(same("100%% %s", "done"));
	assert_true(same("%.2f %.3f %.1f %.0f %f", 1.5, 0.0125, 99.95, 2.5, 3.14159265));
	assert_true(same("%.2f %.2f %.2f %.2f", 0.125, 0.375, -0.125, 1e9 / 7));
	assert_true(same("%8.2f|%-8.2f|%08.2f|%+.1f|% .1f|%#.0f|%.0f", 3.14159, 3.14159, -3.14159, 2.0, 2.0, 3.0,
			 0.5));
	assert_true(same("%f %f %.3f %f", 0.0, -0.0, 1e-9, 123456789.125));
	assert_true(same("%f %f %5f %-6f|", __builtin_inf(), -__builtin_inf(), __builtin_nan(""), __builtin_inf()));
	assert_true(same("%.2f s, %.1f MiB/s, %.3f", 12.345678, 40.05, 1.0005));
	assert_true(same("%02lld:%02lld %04lld", 5ll, 59ll, 7ll));
}

/* what is not formatted is shown as written, and the arguments after it
 * stay in place */
static int plain(char *b, size_t n, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = fmt_vsnprintf(b, n, fmt, ap);
	va_end(ap);
	return r;
}

static void not_formatted(void **st)
{
	char b[64];
	int n = 0;

	(void)st;
	assert_int_equal(fmt_snprintf(b, sizeof b, "%e %s", 1.5, "next"), 7);
	assert_string_equal(b, "%e next");
	assert_int_equal(fmt_snprintf(b, sizeof b, "%.3g|%d", 1.5, 4), 6);
	assert_string_equal(b, "%.3g|4");
	fmt_snprintf(b, sizeof b, "a%nb", &n);
	assert_string_equal(b, "ab");
	assert_int_equal(n, 0);
	plain(b, sizeof b, "%y %5");
	assert_string_equal(b, "%y %5");
}

static void truncation(void **st)
{
	char b[8];

	(void)st;
	memset(b, 'x', sizeof b);
	assert_int_equal(fmt_snprintf(b, 5, "%s-%d", "abcdef", 12), 9);
	assert_string_equal(b, "abcd");
	assert_int_equal(b[5], 'x');
	assert_int_equal(fmt_snprintf(b, 1, "%d", 123), 3);
	assert_string_equal(b, "");
	assert_int_equal(fmt_snprintf(NULL, 0, "%300d", 1), 300);
	assert_int_equal(fmt_snprintf(b, sizeof b, "%.*s", 3, "ab"), 2);
	assert_string_equal(b, "ab");
}

static int fmt_fprintf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = fmt_vfprintf(f, fmt, ap);
	va_end(ap);
	return r;
}

static int fmt_dprintf(int fd, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = fmt_vdprintf(fd, fmt, ap);
	va_end(ap);
	return r;
}

/* longer than one 256-byte piece, to a FILE and to a descriptor */
static void streams(void **st)
{
	char want[4096], got[4096];
	char *big = malloc(1000);
	FILE *f = tmpfile();
	int p[2];
	size_t n;

	(void)st;
	assert_non_null(big);
	assert_non_null(f);
	memset(big, 'q', 999);
	big[999] = 0;
	snprintf(want, sizeof want, "<%s>%-600d|%s|%.2f\n", big, 5, big, 2.25);
	assert_int_equal(fmt_fprintf(f, "<%s>%-600d|%s|%.2f\n", big, 5, big, 2.25), (int)strlen(want));
	rewind(f);
	n = fread(got, 1, sizeof got - 1, f);
	got[n] = 0;
	assert_string_equal(got, want);
	fclose(f);

	assert_int_equal(pipe(p), 0);
	assert_int_equal(fmt_dprintf(p[1], "%s=%d %s\n", "x", 3, big), (int)strlen(big) + 5);
	close(p[1]);
	n = 0;
	for (ssize_t r; (r = read(p[0], got + n, sizeof got - 1 - n)) > 0;)
		n += (size_t)r;
	got[n] = 0;
	close(p[0]);
	snprintf(want, sizeof want, "%s=%d %s\n", "x", 3, big);
	assert_string_equal(got, want);
	assert_int_equal(fmt_dprintf(-1, "x"), -1);
	free(big);
}

static unsigned long long rnd_state = 0x2545F4914F6CDD1Dull;
static unsigned long long rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* generated formats: flags, width and precision (as numbers or *), every
 * length with d/u/x/X/o, strings, characters, and %f within the exact range
 * printf.h states (|v| * 10^precision below 2^53) */
static void sweep(void **st)
{
	static const char *const lens[] = { "", "hh", "h", "l", "ll", "z", "j" };
	int bad = 0;

	(void)st;
	for (int i = 0; i < 200000 && bad < 10; i++) {
		char fmt[64], *f = fmt;
		int zero = 0, alt = 0;
		const char conv = "diuxXoscf"[rnd() % 9];
		int lk = conv == 's' || conv == 'c' || conv == 'f' ? 0 : (int)(rnd() % 7);
		int star_w = rnd() % 8 == 0, star_p = rnd() % 8 == 0, w = (int)(rnd() % 24) - 2,
		    pr = (int)(rnd() % 12) - 2;
		unsigned fl = (unsigned)rnd();

		*f++ = '%';
		for (int k = 0; k < 5; k++)
			if (fl & (1u << k) && rnd() % 3 == 0) {
				*f++ = "-+ 0#"[k];
				zero |= k == 3;
				alt |= k == 4;
			}
		if (star_w)
			*f++ = '*';
		else if (w > 0)
			f += sprintf(f, "%d", w);
		if (star_p)
			f += sprintf(f, ".*");
		else if (pr >= 0)
			f += sprintf(f, ".%d", pr);
		f += sprintf(f, "%s%c|", lens[lk], conv);
		*f = 0;
		/* the C standard leaves these undefined: '#' with d/i/u/s/c, '0' with s/c */
		if ((alt && strchr("diusc", conv)) || (zero && strchr("sc", conv)))
			continue;
		if (conv == 'f' && pr > 9)
			continue;

		unsigned long long v = rnd();
		int ok;
		switch (conv) {
		case 's': {
			const char *s = "hello, world"; /* 12 */
			ok = star_w && star_p	? same(fmt, w, pr, s)
			     : star_w		? same(fmt, w, s)
			     : star_p		? same(fmt, pr, s)
						: same(fmt, s);
			break;
		}
		case 'c':
			ok = star_w && star_p ? same(fmt, w, pr, 'A' + (int)(v % 26))
			     : star_w	      ? same(fmt, w, 'A' + (int)(v % 26))
			     : star_p	      ? same(fmt, pr, 'A' + (int)(v % 26))
					      : same(fmt, 'A' + (int)(v % 26));
			break;
		case 'f': {
			int dp = (int)(rnd() % 7);
			double d = (double)(long long)(v % 2000000000ull - 1000000000ull);
			for (int k = 0; k < dp; k++)
				d /= 10;
			int p = star_p ? (pr < 0 ? 6 : pr) : pr < 0 ? 6 : pr;
			double lim = 9007199254740992.0;
			for (int k = 0; k < p; k++)
				lim /= 10;
			if (d > lim || -d > lim)
				continue;
			ok = star_w && star_p ? same(fmt, w, pr, d)
			     : star_w	      ? same(fmt, w, d)
			     : star_p	      ? same(fmt, pr, d)
					      : same(fmt, d);
			break;
		}
		default:
			if (v % 3 == 0)
				v %= 1000;
			/* every length is passed as long long: right for ll and j; for
			 * the shorter ones the libc and fmt read the same bytes */
			if (lk == 0 || lk == 1 || lk == 2) {
				int x = (int)v;
				ok = star_w && star_p ? same(fmt, w, pr, x)
				     : star_w	      ? same(fmt, w, x)
				     : star_p	      ? same(fmt, pr, x)
						      : same(fmt, x);
			} else if (lk == 3 || lk == 5) {
				long x = (long)v;
				ok = star_w && star_p ? same(fmt, w, pr, x)
				     : star_w	      ? same(fmt, w, x)
				     : star_p	      ? same(fmt, pr, x)
						      : same(fmt, x);
			} else {
				long long x = (long long)v;
				ok = star_w && star_p ? same(fmt, w, pr, x)
				     : star_w	      ? same(fmt, w, x)
				     : star_p	      ? same(fmt, pr, x)
						      : same(fmt, x);
			}
		}
		bad += !ok;
	}
	assert_int_equal(bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table),
		cmocka_unit_test(not_formatted),
		cmocka_unit_test(truncation),
		cmocka_unit_test(streams),
		cmocka_unit_test(sweep),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
