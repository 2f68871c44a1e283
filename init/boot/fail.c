/* fail.c - see fail.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "boot/fail.h"

int boot_vfail(struct boot_failure *f, int err, const char *todo, const char *fmt, va_list ap)
{
	vsnprintf(f->what, sizeof f->what, fmt, ap);
	snprintf(f->todo, sizeof f->todo, "%s", todo ? todo : "");
	f->err = err;
	return -1;
}

int boot_fail(struct boot_failure *f, int err, const char *todo, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	boot_vfail(f, err, todo, fmt, ap);
	va_end(ap);
	return -1;
}

char *boot_failure_line(const struct boot_failure *f, const char *instead, char *out, size_t size)
{
	snprintf(out, size, "%s%s%s%s%s; %s instead", f->what, f->err ? ": " : "",
		 f->err ? strerror(-f->err) : "", f->todo[0] ? "; " : "", f->todo, instead);
	return out;
}
