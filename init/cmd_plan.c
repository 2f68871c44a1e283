/* cmd_plan.c - `root2ram plan`: not in this build yet. */
#include <stdio.h>

#include "cmd.h"

int cmd_plan(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "root2ram: plan: not available in this build\n");
	return EXIT_SYSTEM;
}
