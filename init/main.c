/* main.c - root2ram: as PID 1, boot into RAM; otherwise, run a command. */
#include <unistd.h>

#include "boot/boot.h"
#include "cmd/cmd.h"

int main(int argc, char **argv)
{
	if (getpid() == 1)
		boot_main(argc, argv); /* never returns */
	return dispatch(argc, argv);
}
