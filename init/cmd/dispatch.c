/* dispatch.c - the command table and `root2ram help`. */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "help.h"
#include "version.h"

const struct command commands[] = {
	{ "ldd", cmd_ldd, "[--root DIR] [--platform NAME] [--closure] FILE...",
	  "list the libraries FILE needs, as glibc's loader would find them" },
	{ "plan", cmd_plan, "[--strict] [--root DIR] [--manifests DIR] [--platform NAME] [--kernel RELEASE] MANIFEST...",
	  "show what a manifest would put in the RAM root, and its size" },
	{ "stage", cmd_stage,
	  "--root DIR --to DEST [--force] [--manifests DIR] [--overlay PATH] [--jobs N] [--kernel RELEASE] [--platform NAME] MANIFEST...",
	  "copy what a manifest names from DIR into DEST" },
	{ "nfs", cmd_nfs,
	  "mount [--hard] [--ro|--rw] [-o OPTIONS] | umount | status | chroot [COMMAND...]",
	  "remount the old NFS root at /old_root, work in it, or release it" },
	{ "status", cmd_status, "", "show how this system was booted by root2ram" },
	{ "diff", cmd_diff, "", "list what differs between the RAM root and the NFS root" },
	{ "refresh", cmd_refresh, "[--dry-run] [--force] [--restart]",
	  "bring the RAM root up to date with the NFS root, without a reboot" },
	{ "save", cmd_save, "[--force] --all | PATH...", "write files changed in RAM back to the NFS root" },
	{ "cmdline", cmd_cmdline,
	  "FILE [--nfsroot SERVER:/PATH[,OPTS]] [--set root2ram.NAME=VALUE]... [--off] [--dry-run]",
	  "edit a Raspberry Pi's cmdline.txt to boot with root2ram" },
	{ "learn", cmd_learn, "-o FILE [--seconds N] [--root DIR] [--manifests DIR] [-- COMMAND [ARG...]]",
	  "write a manifest of the files COMMAND (or every process) opens" },
	{ "clock", cmd_clock, "sync|keep",
	  "set the clock from NTP, or at least to the saved time; keep it in step" },
	{ "watchdog", cmd_watchdog, "", "keep /dev/watchdog fed while root2ram.health succeeds" },
	{ "boot-partition", cmd_boot_partition, "mount|umount",
	  "mount the SD card's boot partition (cmdline.txt, config.txt) as /etc/fstab says" },
	{ "version", cmd_version, "", "print the version" },
	{ "help", cmd_help, "[COMMAND]", "show this help" },
	{ NULL, NULL, NULL, NULL },
};

/* What `root2ram help COMMAND` says after the synopsis: init/cmd/help.txt,
 * packed into $(B)/help.h by scripts/help-pack.c, which says how; unpacked
 * here once, when asked for. */
static const char *help_text(const char *name)
{
	static char text[HELP_SIZE];
	size_t i = text[0] ? sizeof help_packed : 0, o = 0;
	const char *p;

	while (i < sizeof help_packed) {
		unsigned b = help_packed[i++];
		if (b < 0x80) {
			text[o++] = (char)b;
		} else {
			size_t len = 3 + (b >> 4 & 7), d = ((size_t)(b & 15) << 8 | help_packed[i++]) + 1;
			for (; len; len--, o++)
				text[o] = text[o - d];
		}
	}
	for (p = text; p < text + HELP_SIZE; p += strlen(p) + 1) {
		const char *t = p + strlen(p) + 1;
		if (!strcmp(p, name))
			return t;
		p = t;
	}
	return NULL;
}

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
	fprintf(f, "\n"
		   "Boot options:\n"
		   "  root2ram.NAME=VALUE words of the kernel command line, which win over\n"
		   "  NAME=VALUE lines of /etc/root2ram/root2ram.conf; - and _ are the same.\n"
		   "  root2ram.manifest=NAME[,NAME]  manifests to stage (default)\n"
		   "  root2ram.size=SIZE|N%%          tmpfs size (plan + headroom, at most half of RAM)\n"
		   "  root2ram.init=PATH             init in the RAM root (/sbin/init)\n"
		   "  root2ram.fallback=PATH         the NFS root's init, on any failure (/sbin/init)\n"
		   "  root2ram.detach=no             keep the NFS root mounted at /old_root\n"
		   "  root2ram.ssh=no                switch to a RAM root without an SSH daemon\n"
		   "  root2ram.logs=no               no syslogd (logread) and klogd in the RAM root\n"
		   "  root2ram.syslog=HOST[:PORT]    also send the log to a syslog server (UDP 514)\n"
		   "  root2ram.modules=no            no kernel modules staged or loaded\n"
		   "  root2ram.jobs=N                files copied at once while staging\n"
		   "  root2ram.ntp=ADDR[:PORT],...|no  NTP servers after DHCP's (the NFS server)\n"
		   "  root2ram.watchdog=SECONDS      feed /dev/watchdog (off)\n"
		   "  root2ram.health=PATH           the watchdog is fed while PATH succeeds\n"
		   "  root2ram.debug                 more messages\n"
		   "  root2ram=off                   boot the NFS root as if root2ram were not there\n"
		   "\n"
		   "Exit status:\n"
		   "  0    success\n"
		   "  1    a check failed\n"
		   "  100  usage error\n"
		   "  111  system error\n"
		   "\n'root2ram help COMMAND' shows a command's arguments.\n");
}

int cmd_help(int argc, char **argv)
{
	const struct command *c;
	const char *t;

	if (argc < 2) {
		usage(stdout);
		return 0;
	}
	for (c = commands; c->name; c++)
		if (strcmp(c->name, argv[1]) == 0) {
			printf("usage: root2ram %s %s\n  %s\n", c->name, c->args, c->summary);
			if ((t = help_text(c->name)))
				printf("\n%s", t);
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
