/* cmd_ldd.c - `root2ram ldd`: not in this build yet. */
#include <stdio.h>

#include "cmd.h"

int cmd_ldd(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "root2ram: ldd: not available in this build\n");
	return EXIT_SYSTEM;
}
