/* boot.c - root2ram as PID 1.  Read top to bottom: this is the whole boot.
 *
 * Until the RAM root is switched to, every failure ends in fallback(): one
 * line saying what failed, then exec of the NFS root's own init, so the
 * device boots as it did before root2ram.  PID 1 never returns.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "log.h"

static struct config cfg;

/* The kernel's own order when init= fails (init/main.c). */
static const char *const last_resort[] = { "/sbin/init", "/etc/init", "/bin/init", "/bin/sh" };

static void __attribute__((noreturn)) hang(void)
{
	for (;;) {
		/* reap whatever gets re-parented to us; never exit */
		if (wait(NULL) < 0 && errno == ECHILD)
			pause();
	}
}

static void __attribute__((noreturn)) exec_inits(const char *first, char **argv)
{
	size_t i;

	if (first && first[0]) {
		argv[0] = (char *)first;
		execv(first, argv);
		error("cannot run %s: %s", first, strerror(errno));
	}
	for (i = 0; i < sizeof last_resort / sizeof *last_resort; i++) {
		if (first && strcmp(first, last_resort[i]) == 0)
			continue;
		argv[0] = (char *)last_resort[i];
		execv(last_resort[i], argv);
	}
	fatal("no init could be run; the system is halted");
	hang();
}

/* Before the switch: give the boot back to the NFS root's init. */
static void __attribute__((noreturn)) fallback(char **argv, const char *what, int err)
{
	if (err)
		error("%s: %s; booting the NFS root's %s instead", what, strerror(-err), cfg.fallback);
	else
		error("%s; booting the NFS root's %s instead", what, cfg.fallback);
	exec_inits(cfg.fallback, argv);
}

static int read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n, got = 0;

	if (fd < 0)
		return -errno;
	while ((size_t)got < size - 1 && (n = read(fd, buf + got, size - 1 - (size_t)got)) > 0)
		got += n;
	close(fd);
	buf[got] = '\0';
	return (int)got;
}

void boot_main(int argc, char **argv)
{
	static char cmdline[4096], conf[8192];
	int r;

	(void)argc;
	log_start_clock();
	config_defaults(&cfg);

	/* 1. /proc for the command line, /dev for kmsg and the console */
	mkdir("/proc", 0555);
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0 && errno != EBUSY)
		fallback(argv, "mount /proc", -errno);
	if (mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755") < 0 && errno != EBUSY)
		warn("mount /dev: %s", strerror(errno));
	log_open_kmsg();

	/* 2. configuration: the file, then the command line, which wins */
	r = read_small("/etc/root2ram/root2ram.conf", conf, sizeof conf);
	if (r >= 0)
		config_from_text(&cfg, conf, "/etc/root2ram/root2ram.conf");
	if ((r = read_small("/proc/cmdline", cmdline, sizeof cmdline)) < 0)
		fallback(argv, "read /proc/cmdline", r);
	config_from_cmdline(&cfg, cmdline);
	if (cfg.debug)
		log_set_level(LOG_DEBUG);
	if (cfg.off)
		fallback(argv, "root2ram=off on the kernel command line", 0);

	fallback(argv, "staging into RAM is not available in this build", 0);
}
