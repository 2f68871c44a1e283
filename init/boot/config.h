/* config.h - root2ram's boot options.
 *
 * Read from /etc/root2ram/root2ram.conf on the NFS root (lines "name=value",
 * '#' comments), then from root2ram.* words of the kernel command line, which
 * win.  The names are the same in both places, without the "root2ram."
 * prefix in the file:
 *
 *   manifest=NAME[,NAME...]  manifests to stage (default "default"); in one
 *                            source a repeated key adds, a later source replaces
 *   size=N[K|M|G] | N%       tmpfs size (default: plan + headroom, <= 50% RAM)
 *   init=PATH                init inside the RAM root (default /sbin/init,
 *                            busybox init from the overlay)
 *   fallback=PATH            init of the NFS root used on failure (/sbin/init)
 *   detach=yes|no            detach the NFS root after the switch (yes)
 *   jobs=N                   files copied at once while staging (default: 4 on NFS)
 *   ssh=yes|no               switch only to a RAM root with an SSH daemon (yes)
 *   logs=yes|no              syslogd (a RAM ring buffer, logread) and klogd (yes)
 *   syslog=HOST[:PORT]       also send the log to a syslog server (UDP, 514)
 *   modules=yes|no           stage and load the kernel modules the system needs (yes)
 *   ntp=no | ADDR[:PORT][,...]  NTP servers after DHCP's (default: the NFS
 *                            server); no: no NTP, only the saved time
 *   watchdog=SECONDS         feed /dev/watchdog with that timeout (0: off)
 *   health=PATH              run it each watchdog interval; failure stops feeding
 *   debug                    more messages
 *   root2ram=off             do nothing: exec the fallback init at once
 */
#ifndef R2R_CONFIG_H
#define R2R_CONFIG_H

#include <limits.h>
#include <stddef.h>

#define CONFIG_MAX_MANIFESTS 16
#define CONFIG_NAME_MAX 128
#define CONFIG_PATH_MAX 256

struct config {
	char manifest[CONFIG_MAX_MANIFESTS][CONFIG_NAME_MAX];
	int n_manifest;
	unsigned long long size;  /* bytes; 0: automatic */
	unsigned size_pct;        /* percent of RAM; 0: not given */
	char init[CONFIG_PATH_MAX];
	char fallback[CONFIG_PATH_MAX];
	int detach;
	int debug;
	int off;
	int jobs;                 /* 0: the copy engine's default */
	int ssh;                  /* the RAM root must have an SSH daemon (yes) */
	int logs;                 /* syslogd and klogd in the RAM root (yes) */
	int modules;              /* kernel modules staged and loaded (yes) */
	char syslog[CONFIG_NAME_MAX]; /* HOST[:PORT] to forward the log to, or "" */
	char ntp[CONFIG_NAME_MAX];    /* "no", NTP servers, or "" (automatic) */
	unsigned watchdog;            /* seconds; 0: off */
	char health[CONFIG_PATH_MAX]; /* the appliance's health command, or "" */
	/* per-source state: whether `manifest` was already set in this source */
	int manifest_src;
};

void config_defaults(struct config *c);

/* Set one option (name without prefix).  src identifies the source (file,
 * cmdline) for the manifest list rule.  0 or -EINVAL (bad value, err says
 * what is wrong and what to do) or -ENOENT (unknown name). */
int config_set(struct config *c, const char *name, const char *value, int src,
	       char *err, size_t errlen);

/* Apply the root2ram options of a kernel command line (buf is modified).
 * Unknown or bad options are reported through the log and skipped: a typo on
 * the command line must not stop the boot.  Returns the number skipped. */
int config_from_cmdline(struct config *c, char *buf);

/* Apply a config file's text (buf is modified); path names it in messages.
 * Returns the number of lines skipped as bad. */
int config_from_text(struct config *c, char *buf, const char *path);

/* Parse "64M", "1G", "4096", "25%".  0 or -EINVAL. */
int config_parse_size(const char *s, unsigned long long *bytes, unsigned *pct);

#endif
