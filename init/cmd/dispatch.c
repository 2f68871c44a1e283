/* dispatch.c - the command table and `root2ram help`. */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
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

/* What `root2ram help COMMAND` says after the synopsis: enough to be the
 * man page (scripts/man.sh makes it from this).  Lines are indented by two;
 * "  TAG  TEXT" (two spaces or more between) and a line indented by six
 * under a "  TAG" line are a list; so no two spaces inside a sentence. */
static const struct {
	const char *name, *text;
} details[] = {
	{ "ldd",
	  "  Without running anything, print what ldd prints for each FILE (glibc's\n"
	  "  ld.so with LD_TRACE_LOADED_OBJECTS, or musl's loader), in the loader's\n"
	  "  order, looked up inside DIR: DIR may be an armel or arm64 root on an\n"
	  "  x86 server. Several FILEs get a FILE: header each.\n"
	  "  --root DIR  the root FILE and its libraries are in (default /)\n"
	  "  --platform NAME  $PLATFORM of 32-bit ARM programs (as plan's)\n"
	  "  --closure   every path a copy of DIR needs for the FILEs to run, once\n"
	  "              each, a symlink as LINK -> TARGET before what it leads to\n"
	  "  Exit status 1 when a library is not found or a FILE is not dynamic.\n" },
	{ "plan",
	  "  Print each entry the MANIFESTs put in the RAM root (type, path, size or\n"
	  "  link target, and why), then the totals and the tmpfs size to give. A\n"
	  "  MANIFEST is a path, or a name looked up as NAME.manifest in --manifests\n"
	  "  DIR, else in /etc/root2ram/manifests inside the root, else in\n"
	  "  ./manifests. Exit status 0 only if staging would succeed.\n"
	  "  --root DIR       the root to plan from (default /)\n"
	  "  --manifests DIR  where manifest names are looked up\n"
	  "  --platform NAME  $PLATFORM of 32-bit ARM programs on the target, as\n"
	  "                   uname -m says it: v7l (the default off the Pi), v8l\n"
	  "                   for a Pi 4/5 running 32-bit Raspberry Pi OS\n"
	  "  --kernel RELEASE also the kernel modules of DIR/lib/modules/RELEASE the\n"
	  "                   boot stages and loads (without it, none); those matching\n"
	  "                   the devices are decided at boot\n" },
	{ "stage",
	  "  Copy what the MANIFESTs name from DIR into DEST byte for byte, keeping\n"
	  "  modes, owners, times, extended attributes, symlinks and hard links,\n"
	  "  reading only inside DIR and writing only inside DEST, as the boot does\n"
	  "  into its tmpfs.\n"
	  "  --root DIR       the root to copy from\n"
	  "  --to DEST        where to copy; it must be empty, and is created when\n"
	  "                   its parent exists\n"
	  "  --force          copy over what a DEST that is not empty has\n"
	  "  --manifests DIR  where manifest names are looked up\n"
	  "  --overlay PATH   copy the tree PATH of DIR over the result, as the\n"
	  "                   boot does with /etc/root2ram/overlay\n"
	  "  --jobs N         files copied at once\n"
	  "  --kernel RELEASE also the kernel modules, as plan --kernel\n"
	  "  --platform NAME  $PLATFORM of 32-bit ARM programs (as plan's)\n" },
	{ "nfs",
	  "  In the RAM root: the NFS root the system booted from, on demand, at\n"
	  "  /old_root. It is mounted soft: with the server away, a command touching\n"
	  "  /old_root gets an I/O error within 30 s instead of hanging.\n"
	  "  mount   mount it again, read-only if the boot's root was\n"
	  "  umount  release it, lazily\n"
	  "  status  the NFS root, and whether it is mounted\n"
	  "  chroot  run COMMAND (default a shell) inside it, with /proc, /sys, /dev\n"
	  "          and /run bound in and a fresh /tmp, mounting it for the time\n"
	  "          of the command if it is not; the exit status is COMMAND's\n"
	  "  --hard  a hard mount (timeo=600,retrans=2)\n"
	  "  --rw    read-write (--ro: read-only)\n"
	  "  -o OPTIONS\n"
	  "          more mount options\n" },
	{ "diff",
	  "  In the RAM root: KIND PATH for each path of the plan that differs from\n"
	  "  what the boot staged: changed-ram, changed-nfs, conflict, added-nfs,\n"
	  "  added-ram, removed-nfs, removed-ram. Exit status 1 when one does.\n" },
	{ "refresh",
	  "  In the RAM root: copy what changed on the NFS root (written beside,\n"
	  "  renamed over), remove what the plan no longer names; keep what changed\n"
	  "  in RAM. Nothing is copied unless it fits.\n"
	  "  --dry-run  say what it would do\n"
	  "  --force    replace what changed in RAM too\n"
	  "  --restart  stop and start each start.d script that names a changed path\n" },
	{ "save",
	  "  In the RAM root: write each PATH back to the NFS root (written beside,\n"
	  "  renamed over; the previous version kept as PATH.root2ram-old).\n"
	  "  --all    every file diff shows as changed-ram\n"
	  "  --force  write over a file changed on the NFS root since the boot\n" },
	{ "status",
	  "  The boot summary, the time of each boot step and the NFS root, as PID 1\n"
	  "  recorded them in /run/root2ram.\n" },
	{ "cmdline",
	  "  Edit a Raspberry Pi's cmdline.txt (/boot/firmware/cmdline.txt on\n"
	  "  bookworm, /boot/cmdline.txt on bullseye, on the TFTP server for a\n"
	  "  netbooted Pi) so the Pi boots with root2ram: add or replace\n"
	  "  init=/sbin/root2ram and the --set words. Every other word is kept, in\n"
	  "  order, byte for byte; words are split as the kernel splits them, and\n"
	  "  what follows -- is init's and stays at the end. The file is kept one\n"
	  "  line (the firmware reads only the first). The first original is kept\n"
	  "  in FILE.root2ram-orig; FILE is then replaced whole, with its mode. It\n"
	  "  prints what changed and the new line; run again, it says unchanged.\n"
	  "  --nfsroot SERVER:/PATH[,OPTS]\n"
	  "      boot from NFS: root=/dev/nfs, nfsroot=, ip=dhcp unless an ip= is\n"
	  "      there, rw unless ro is; other root= and rootfstype= words go.\n"
	  "      Without it, a line that does not boot from NFS is refused.\n"
	  "  --set root2ram.NAME=VALUE\n"
	  "      add or replace a boot option (root2ram.NAME for a flag,\n"
	  "      root2ram=off too)\n"
	  "  --off\n"
	  "      remove init=/sbin/root2ram and every root2ram word; what\n"
	  "      --nfsroot did stays\n"
	  "  --dry-run\n"
	  "      print the new line, write nothing\n" },
	{ "learn",
	  "  Write a manifest of what COMMAND and its descendants open, execute\n"
	  "  or map (or every process, for --seconds N, default 30), seen with\n"
	  "  fanotify (root; a kernel with CONFIG_FANOTIFY): include base, then the\n"
	  "  paths grouped by the program that used them; a directory written to\n"
	  "  becomes a dir line. What base brings, files the run created and\n"
	  "  /proc, /sys, /dev, /run, /tmp are left out. Run again on the same -o\n"
	  "  FILE, it adds only what is new. Run it on the NFS root\n"
	  "  (root2ram=off), then plan and trim what it wrote.\n" },
	{ "version", "  Print root2ram's version.\n" },
	{ "help",
	  "  List the commands, the boot options and the exit statuses; with\n"
	  "  COMMAND, its synopsis and what it does.\n" },
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
	size_t i;

	if (argc < 2) {
		usage(stdout);
		return 0;
	}
	for (c = commands; c->name; c++)
		if (strcmp(c->name, argv[1]) == 0) {
			printf("usage: root2ram %s %s\n  %s\n", c->name, c->args, c->summary);
			for (i = 0; i < sizeof details / sizeof *details; i++)
				if (!strcmp(details[i].name, c->name))
					printf("\n%s", details[i].text);
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
