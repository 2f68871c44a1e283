/* log.h - messages for the person at the console.
 *
 * Every line reads "root2ram: WHAT" (or "root2ram: warning: ...",
 * "root2ram: fatal: ..."), skarnet style.  Outside PID 1 lines go to stderr;
 * as PID 1 they go to the console and to /dev/kmsg with a kernel log level,
 * so they show up in dmesg next to the kernel's own NFS messages.
 */
#ifndef R2R_LOG_H
#define R2R_LOG_H

#include <stdarg.h>

enum log_level { LOG_FATAL, LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Where lines go: the console fd (stderr by default) and optionally the
 * kmsg fd (-1: none).  Lines above `max` are dropped. */
void log_setup(int console_fd, int kmsg_fd, enum log_level max);
/* Open /dev/kmsg for PID 1 use; keeps the console fd, but leaves to the
 * kernel the lines it echoes to the console itself. 0 or -errno. */
int log_open_kmsg(void);
/* Read again which levels the kernel echoes on the console: PID 1 opens
 * /dev/kmsg before /proc is mounted, so that a failure to mount it is seen. */
void log_kernel_echo(void);
void log_set_level(enum log_level max);
enum log_level log_get_level(void);

/* Seconds since log_start_clock(), for "in 0.41 s" figures. */
void log_start_clock(void);
double log_elapsed(void);

void log_msg(enum log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void log_vmsg(enum log_level lvl, const char *fmt, va_list ap);

#define fatal(...) log_msg(LOG_FATAL, __VA_ARGS__)
#define error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

/* Format a byte count for people: "812 B", "5.3 MiB". Returns buf. */
char *log_human_bytes(unsigned long long n, char *buf, unsigned long size);

#endif
