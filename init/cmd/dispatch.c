/* dispatch.c - the command table and `root2ram help`. */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "version.h"

const struct command commands[] = {
	{ "ldd", cmd_ldd, "[--root DIR] [--closure] FILE...",
	  "list the libraries FILE needs, as glibc's loader would find them" },
	{ "plan", cmd_plan, "[--root DIR] [--manifests DIR] MANIFEST...",
	  "show what a manifest would put in the RAM root, and its size" },
	{ "stage", cmd_stage,
	  "--root DIR --to DEST [--force] [--manifests DIR] [--overlay PATH] [--jobs N] MANIFEST...",
	  "copy what a manifest names from DIR into DEST" },
	{ "nfs", cmd_nfs,
	  "mount [--hard] [--ro|--rw] [-o OPTIONS] | umount | status | chroot [COMMAND...]",
	  "remount the old NFS root at /old_root, work in it, or release it" },
	{ "status", cmd_status, "", "show how this system was booted by root2ram" },
	{ "version", cmd_version, "", "print the version" },
	{ "help", cmd_help, "[COMMAND]", "show this help" },
	{ NULL, NULL, NULL, NULL },
};

void usage(FILE *f)
{
	const struct command *c;

	fprintf(f, "usage: root2ram COMMAND [ARGS...]\n"
		   "\n"
		   "Run a Raspberry Pi from RAM after an NFS-root boot: put\n"
		   "init=/sbin/root2ram in cmdline.txt; as PID 1 it copies the files\n"
		   "the manifests name into a tmpfs and switches to it.\n"
		   "\n"
		   "Commands:\n");
	for (c = commands; c->name; c++)
		fprintf(f, "  %-8s %s\n", c->name, c->summary);
	fprintf(f, "\n'root2ram help COMMAND' shows a command's arguments.\n");
}

int cmd_help(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		usage(stdout);
		return 0;
	}
	for (c = commands; c->name; c++)
		if (strcmp(c->name, argv[1]) == 0) {
			printf("usage: root2ram %s %s\n  %s\n", c->name, c->args, c->summary);
			return 0;
		}
	fprintf(stderr, "root2ram: help: no command '%s'; 'root2ram help' lists them\n", argv[1]);
	return EXIT_USAGE;
}

int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("root2ram %s\n", R2R_VERSION);
	return 0;
}

int dispatch(int argc, char **argv)
{
	const struct command *c;
	const char *name;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	name = argv[1];
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
		name = "help";
	else if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0)
		name = "version";
	for (c = commands; c->name; c++)
		if (strcmp(c->name, name) == 0) {
			/* `root2ram COMMAND --help` everywhere, before the command looks
			 * at anything (nfs would otherwise complain about /run first) */
			if (argc > 2 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0)) {
				char *h[] = { "help", (char *)c->name, NULL };
				return cmd_help(2, h);
			}
			return c->run(argc - 1, argv + 1);
		}
	fprintf(stderr, "root2ram: unknown command '%s'; 'root2ram --help' lists the commands\n",
		argv[1]);
	return EXIT_USAGE;
}
