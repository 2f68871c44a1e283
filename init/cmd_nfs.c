/* cmd_nfs.c - `root2ram nfs`: not in this build yet. */
#include <stdio.h>

#include "cmd.h"

int cmd_nfs(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "root2ram: nfs: not available in this build\n");
	return EXIT_SYSTEM;
}
