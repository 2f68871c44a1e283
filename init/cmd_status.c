/* cmd_status.c - `root2ram status`: not in this build yet. */
#include <stdio.h>

#include "cmd.h"

int cmd_status(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "root2ram: status: not available in this build\n");
	return EXIT_SYSTEM;
}
