/* num.c - see num.h. */
#include <errno.h>
#include <stddef.h>

#include "lib/num.h"

const char *num_decimal(const char *s, unsigned long long *v)
{
	*v = 0;
	if (!s || *s < '0' || *s > '9')
		return NULL;
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned d = (unsigned)(*s - '0');
		if (*v > (~0ULL - d) / 10)
			return NULL;
		*v = *v * 10 + d;
	}
	return s;
}

int num_in_range(const char *s, unsigned long long lo, unsigned long long hi,
		 unsigned long long *v)
{
	const char *end = num_decimal(s, v);

	return end && !*end && *v >= lo && *v <= hi ? 0 : -EINVAL;
}
