/* plain.c - see plain.h. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/plain.h"

static void swap(char *a, char *b, size_t size)
{
	char t[64];

	while (size) {
		size_t k = size < sizeof t ? size : sizeof t;
		memcpy(t, a, k);
		memcpy(a, b, k);
		memcpy(b, t, k);
		a += k;
		b += k;
		size -= k;
	}
}

/* Move the element at root down the heap of n until both its children
 * are smaller. */
static void sift(char *b, size_t root, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	for (;;) {
		size_t c = 2 * root + 1;
		if (c >= n)
			return;
		if (c + 1 < n && cmp(b + c * size, b + (c + 1) * size) < 0)
			c++;
		if (cmp(b + root * size, b + c * size) >= 0)
			return;
		swap(b + root * size, b + c * size, size);
		root = c;
	}
}

void plain_qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	char *b = base;
	size_t i;

	for (i = n / 2; i-- > 0;)
		sift(b, i, n, size, cmp);
	for (i = n; i-- > 1;) {
		swap(b, b + i * size, size);
		sift(b, 0, i, size, cmp);
	}
}

char *plain_strstr(const char *h, const char *n)
{
	size_t l = strlen(n);

	for (;; h++) {
		if (!strncmp(h, n, l))
			return (char *)h;
		if (!*h)
			return NULL;
	}
}

#ifndef __GLIBC__
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

/* musl's converts the time_t structs of 32-bit programs for a list of
 * ioctls (1.3 KiB): the ones root2ram makes (network interface flags, the
 * watchdog) carry none */
int ioctl(int fd, int req, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	return (int)syscall(SYS_ioctl, fd, req, arg);
}
void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
	__attribute__((alias("plain_qsort")));
char *strstr(const char *h, const char *n) __attribute__((alias("plain_strstr")));
pid_t fork(void) { return _Fork(); }
#endif
