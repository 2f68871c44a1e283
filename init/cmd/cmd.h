/* cmd.h - the commands of the root2ram program.
 *
 * One program, several commands: `root2ram COMMAND ARGS...`.  Each command
 * lives in its own cmd_NAME.c and returns an exit status:
 *   0 success, 1 a check failed (e.g. a library not found),
 *   100 usage error, 111 system error (skarnet's convention).
 * When the program runs as PID 1 it boots instead (boot.c).
 */
#ifndef R2R_CMD_H
#define R2R_CMD_H

#include <stdio.h>

enum { EXIT_CHECK = 1, EXIT_USAGE = 100, EXIT_SYSTEM = 111 };

struct command {
	const char *name;
	int (*run)(int argc, char **argv); /* the command's main */
	const char *args;    /* synopsis after the name */
	const char *summary; /* one line */
};

extern const struct command commands[];

int cmd_ldd(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_stage(int argc, char **argv);
int cmd_nfs(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_cmdline(int argc, char **argv);
int cmd_learn(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_help(int argc, char **argv);

/* Run the command named by argv[1] ("root2ram ldd ..."); argv[0] is the
 * program.  Returns the exit status. */
int dispatch(int argc, char **argv);

/* Print the command list to f. */
void usage(FILE *f);

struct rootfs;
/* options.c, for the commands: parse "--name VALUE" or "--name=VALUE"
 * at argv[*i]: 1 and *val set, 0 if not that option, -1 if no value. */
int cmd_option(int argc, char **argv, int *i, const char *name, const char **val);
/* Where manifest names are looked up: --manifests DIR (given); else the
 * root's /etc/root2ram/manifests, as on the Pi (NULL); else, for a root
 * root2ram is not installed in yet, ./manifests of the source tree. */
/* The kernel release --kernel gave (NULL: no modules planned, said in one
 * line when the root has /lib/modules). */
const char *cmd_kernel(const struct rootfs *r, const char *given);
const char *cmd_manifest_dir(const struct rootfs *r, const char *given);

/* cmd_nfs.c: the options `root2ram nfs mount` passes to mount(2), from the
 * super options recorded at boot.  0 or -ENAMETOOLONG. */
int nfs_remount_options(const char *recorded, int hard, const char *extra, char *out,
			unsigned long size);

#endif
