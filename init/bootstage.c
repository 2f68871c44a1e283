/* bootstage.c - see bootstage.h. */
#include <errno.h>

#include "bootstage.h"
#include "log.h"

int bootstage_plan(struct bootstage *st, char (*names)[CONFIG_NAME_MAX], int n)
{
	(void)st;
	(void)names;
	(void)n;
	error("staging is not in this build");
	return -ENOSYS;
}

unsigned long long bootstage_need(const struct bootstage *st)
{
	(void)st;
	return 0;
}

int bootstage_copy(struct bootstage *st, const char *newroot)
{
	(void)st;
	(void)newroot;
	return -ENOSYS;
}
