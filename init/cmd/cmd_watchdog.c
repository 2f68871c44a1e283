/* cmd_watchdog.c - `root2ram watchdog`: keep /dev/watchdog fed from the RAM
 * root, a daemon rcS starts with root2ram.watchdog=SECONDS.
 *
 * It runs from the tmpfs and touches nothing on NFS, so an outage of the
 * server cannot stall it (a feeder that can block on the NFS root would
 * keep a dead system alive, or reset a healthy one).  Every SECONDS / 3 it
 * runs root2ram.health=PATH, if given, with that long to finish, then
 * feeds the watchdog.  When the health command fails, the feeding stops
 * and the board resets within SECONDS.  SIGTERM (shutdown) closes the
 * device with the magic 'V', which stops the timer; a SIGKILL does not, and
 * the board resets. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "lib/file.h"
#include "lib/log.h"
#include "lib/num.h"
#include "lib/paths.h"

/* <linux/watchdog.h>, which the musl toolchains do not ship */
#define WDIOC_KEEPALIVE _IOR('W', 5, int)
#define WDIOC_SETTIMEOUT _IOWR('W', 6, int)
#define WDIOC_GETTIMEOUT _IOR('W', 7, int)

/* Run path, for at most secs: 0 when it exits 0, else what went wrong. */
static const char *health(const char *path, unsigned secs, char *b, size_t n)
{
	int st, i;
	pid_t pid = fork();

	if (pid < 0)
		return "cannot fork";
	if (pid == 0) {
		char *av[] = { (char *)path, NULL };
		execv(path, av);
		_exit(127);
	}
	for (i = 0; i < (int)secs * 10; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid) {
			if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
				return NULL;
			snprintf(b, n, WIFEXITED(st) ? "exit status %d" : "killed by signal %d",
				 WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
			return b;
		}
		poll(NULL, 0, 100);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	snprintf(b, n, "no answer in %u s", secs);
	return b;
}

int cmd_watchdog(int argc, char **argv)
{
	char v[256], hc[256], b[48];
	unsigned long long secs = 0;
	int fd, t;
	unsigned every;
	const char *bad = NULL;
	sigset_t term;
	struct pollfd pf = { -1, POLLIN, 0 };

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: root2ram watchdog (root2ram.watchdog=SECONDS, root2ram.health=PATH)\n");
		return EXIT_USAGE;
	}
	log_open_kmsg();
	cmd_run_value(R2R_RUN_OPTIONS, "watchdog", v, sizeof v);
	cmd_run_value(R2R_RUN_OPTIONS, "health", hc, sizeof hc);
	if (num_in_range(v, 1, 3600, &secs) < 0)
		return 0; /* off */
	if ((fd = open("/dev/watchdog", O_WRONLY | O_CLOEXEC)) < 0) {
		warn("watchdog: cannot open /dev/watchdog: %s; root2ram.watchdog=%llu needs a watchdog "
		     "driver (bcm2835_wdt on a Pi)", strerror(errno), secs);
		return EXIT_SYSTEM;
	}
	t = (int)secs;
	if (ioctl(fd, WDIOC_SETTIMEOUT, &t) < 0) {
		warn("watchdog: the driver refuses a timeout of %llu s: %s; keeping its own", secs,
		     strerror(errno));
		if (ioctl(fd, WDIOC_GETTIMEOUT, &t) < 0 || t < 1)
			t = 15;
	}
	every = (unsigned)t / 3 ? (unsigned)t / 3 : 1;
	/* SIGTERM through a signalfd: the wait between feeds ends on it */
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_BLOCK, &term, NULL);
	pf.fd = signalfd(-1, &term, SFD_CLOEXEC);
	write_text("/proc/self/oom_score_adj", "-1000");
	info("watchdog: /dev/watchdog fed every %u s, timeout %d s%s%s", every, t,
	     hc[0] ? ", while this succeeds: " : "", hc);
	for (;;) {
		if (hc[0] && (bad = health(hc, every, b, sizeof b)))
			break;
		ioctl(fd, WDIOC_KEEPALIVE, 0);
		if (poll(&pf, 1, (int)every * 1000) > 0)
			break;
	}
	if (!bad) {
		ssize_t w = write(fd, "V", 1); /* the magic close: the timer stops */
		(void)w;
		close(fd);
		info("watchdog: stopped");
		return 0;
	}
	error("watchdog: %s failed (%s): /dev/watchdog is no longer fed; the system resets in %d s",
	      hc, bad, t);
	for (;;)
		poll(NULL, 0, -1); /* the device stays open: no magic close */
}
