/* cmd_stage.c - `root2ram stage`: not in this build yet. */
#include <stdio.h>

#include "cmd.h"

int cmd_stage(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "root2ram: stage: not available in this build\n");
	return EXIT_SYSTEM;
}
