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

#include "stage/plan.h"
#include "stage/staged.h"

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
int cmd_diff(int argc, char **argv);
int cmd_refresh(int argc, char **argv);
int cmd_save(int argc, char **argv);
int cmd_clock(int argc, char **argv);
int cmd_watchdog(int argc, char **argv);
int cmd_boot_partition(int argc, char **argv);
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
/* The value of a "KEY=VALUE" line of file (what PID 1 recorded in
 * /run/root2ram) in out, "" if none: 0, or -ENOENT. */
int cmd_run_value(const char *file, const char *key, char *out, size_t size);

/* cmd_clock.c: SNTP (RFC 4330) and fake-hwclock's file, apart from any I/O.
 * Times are nanoseconds since the Unix epoch. */
#include <stdint.h>
#define NTP_PACKET 48
/* A client request whose transmit time is now (the reply must echo it). */
void ntp_request(unsigned char pkt[NTP_PACKET], int64_t now);
/* The clock's offset from a server's reply to req, sent at t1 and received
 * at t4: 0 and *offset, or -EPROTO (not a valid answer to req: wrong mode,
 * unsynchronised, kiss-o'-death, another request's). */
int ntp_reply(const unsigned char *req, const unsigned char *pkt, size_t n, int64_t t1,
	      int64_t t4, int64_t *offset);
/* "YYYY-MM-DD HH:MM:SS" (UTC, /etc/fake-hwclock.data) at the start of text:
 * 0 and *secs since the epoch, or -EINVAL. */
int clock_parse_saved(const char *text, long long *secs);
/* "ADDR[:PORT]" (IPv4; port 123 if none) of n bytes: 0 and *ip, *port
 * (host order), or -EINVAL. */
int ntp_parse_server(const char *s, size_t n, uint32_t *ip, unsigned *port);
struct ntp_server {
	uint32_t ip; /* host order */
	unsigned port;
};
/* Ask the n servers in turn until one answers, for at most wait_ms in all
 * (1 s a request): 0, *which and the clock's *off; -ECONNREFUSED at once
 * when each refused (nothing listens there), else -ETIMEDOUT. */
int ntp_query(const struct ntp_server *sv, int n, int64_t wait_ms, int *which, int64_t *off);

/* cmd_bootpart.c: the fstab line of /boot/firmware, else of /boot, in text
 * (modified: its fields are cut out): 0 and the fields, or -ENOENT. */
int bootpart_fstab(char *text, char **spec, char **dir, char **opts);
/* The serial number ("XXXX-XXXX", as blkid shows it) and label of the FAT
 * volume whose boot sector is s (512 bytes): 0, or -EINVAL if not FAT. */
int bootpart_fat_id(const unsigned char *s, char uuid[10], char label[12]);

/* --platform NAME of plan and ldd: $PLATFORM of 32-bit ARM programs from
 * now on.  0, or -1 after saying why NAME is not a machine name. */
int cmd_platform(const char *cmd, const char *name);

/* cmd_nfs.c: mount the NFS root this system booted from at dir, soft, in at
 * most 15 s, read-only or not; release it again.  0 or an exit status (the
 * reason printed). */
int nfs_mount_at(const char *dir, int ro);
int nfs_umount_at(const char *dir);

/* cmd_diff.c: what diff, refresh and save share.  ramroot_open refuses
 * unless "/" is a tmpfs with the boot's record, reads the record (old),
 * mounts the NFS root at /run/root2ram/nfs (read-only unless rw), and with
 * replan plans the boot's manifests and the overlay against it (now).  0 or
 * an exit status (the reason printed); ramroot_close in every case. */
#define CMD_MAX_MANIFESTS 16
struct ramroot {
	const char *cmd;
	char *text;
	struct staged old, now;
	struct plan plan, ovl;
	struct rootfs nfs;
	int ramfd, mounted, planned;
};
int ramroot_open(struct ramroot *r, const char *cmd, int rw, int replan);
void ramroot_close(struct ramroot *r);
/* Replace the record with s (written beside, renamed).  0 or an exit status. */
int ramroot_save(struct ramroot *r, const struct staged *s);
/* "changed-ram  /etc/motd": the one line of a difference. */
void ramroot_line(int kind, const char *path);

#endif
