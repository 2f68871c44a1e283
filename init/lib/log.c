/* log.c - see log.h.  No allocation: lines are built in a stack buffer and
 * written with one write(2) per destination, so they never interleave with
 * other writers and work before anything else is set up. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/file.h"
#include "lib/log.h"

#define LOG_LINE_MAX 1024

static int console_fd = 2;
static int kmsg_fd = -1;
static enum log_level max_level = LOG_INFO;
/* Lines whose kmsg priority is below this the kernel itself echoes to the
 * console (console_loglevel); 0: it echoes nothing, write them ourselves. */
static int kernel_echo_below;
static struct timespec t0;

void log_setup(int cfd, int kfd, enum log_level max)
{
	console_fd = cfd;
	kmsg_fd = kfd;
	max_level = max;
	kernel_echo_below = 0;
}

void log_kernel_echo(void)
{
	char buf[32];
	int v = 0;

	/* The kernel prints a /dev/kmsg line on the console when its level is
	 * below console_loglevel (first field of /proc/sys/kernel/printk; 7,
	 * or 4 with "quiet").  Those lines are not written to the console
	 * again, so each shows once, with the kernel's timestamp. */
	if (kmsg_fd < 0 || read_text("/proc/sys/kernel/printk", buf, sizeof buf) <= 0)
		return;
	for (const char *p = buf; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + *p - '0';
	kernel_echo_below = v;
}

int log_open_kmsg(void)
{
	int fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return -errno;
	kmsg_fd = fd;
	log_kernel_echo();
	return 0;
}

void log_set_level(enum log_level max) { max_level = max; }
enum log_level log_get_level(void) { return max_level; }

void log_start_clock(void) { clock_gettime(CLOCK_MONOTONIC, &t0); }

double log_elapsed(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9;
}

static const char *const prefix[] = {
	[LOG_FATAL] = "fatal: ", [LOG_ERROR] = "", [LOG_WARN] = "warning: ",
	[LOG_INFO] = "", [LOG_DEBUG] = "debug: ",
};
/* syslog priorities for /dev/kmsg: crit, err, warning, notice, debug */
static const char kprio[] = { '2', '3', '4', '5', '7' };

void log_vmsg(enum log_level lvl, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	int n, m;

	if (lvl > max_level)
		return;
	/* room for "<5>" in front, used only for kmsg */
	n = snprintf(line + 3, sizeof line - 3, "root2ram: %s", prefix[lvl]);
	if (n < 0)
		return;
	m = vsnprintf(line + 3 + n, sizeof line - 3 - (size_t)n, fmt, ap);
	if (m < 0)
		return;
	n += m;
	if ((size_t)n > sizeof line - 5)
		n = (int)sizeof line - 5; /* truncated: keep what fits */
	line[3 + n] = '\n';
	if (console_fd >= 0 && !(kmsg_fd >= 0 && kprio[lvl] - '0' < kernel_echo_below)) {
		ssize_t w = write(console_fd, line + 3, (size_t)n + 1);
		(void)w;
	}
	if (kmsg_fd >= 0) {
		line[0] = '<';
		line[1] = kprio[lvl];
		line[2] = '>';
		ssize_t w = write(kmsg_fd, line, (size_t)n + 4);
		(void)w;
	}
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;
	int saved = errno;
	va_start(ap, fmt);
	log_vmsg(lvl, fmt, ap);
	va_end(ap);
	errno = saved;
}

char *log_human_bytes(unsigned long long n, char *buf, unsigned long size)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	int u = -1;

	if (n < 1024) {
		snprintf(buf, size, "%llu B", n);
		return buf;
	}
	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	snprintf(buf, size, "%.1f %s", v, unit[u]);
	return buf;
}
