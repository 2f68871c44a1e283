/* mount.c - see mount.h. */
#include <stdio.h>
#include <sys/stat.h>

#include "lib/mount.h"

int is_mountpoint(const char *path)
{
	char parent[4096];
	struct stat a, b;

	if (snprintf(parent, sizeof parent, "%s/..", path) >= (int)sizeof parent)
		return 0;
	if (stat(path, &a) < 0 || stat(parent, &b) < 0)
		return 0;
	return a.st_dev != b.st_dev || a.st_ino == b.st_ino;
}
