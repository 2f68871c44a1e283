/* fail.h - the one shape of a boot failure line.
 *
 * Every failure PID 1 meets is told in one line, built only here, so no
 * caller can leave a part out (skarnet's strerr_diefu* family works the
 * same way: the grammar is the API):
 *
 *   root2ram: WHAT FAILED[: WHY][; WHAT TO DO]; INSTEAD instead
 *   root2ram: mount a tmpfs on /run: No such device; is CONFIG_TMPFS on?;
 *             booting the NFS root's /sbin/init instead
 *
 * A step records its failure with boot_fail() and returns; only boot.c
 * decides what runs instead, and prints.
 */
#ifndef R2R_FAIL_H
#define R2R_FAIL_H

#include <stdarg.h>
#include <stddef.h>

struct boot_failure {
	char what[160]; /* the step that failed: "mount a tmpfs on /run" */
	char todo[96];  /* what the user can do, or "" */
	int err;        /* the system's reason, -errno, or 0 */
};

/* Record a failure in f; returns -1, so a step ends with
 * `return boot_fail(f, -errno, "is CONFIG_TMPFS on?", "mount a tmpfs on %s", dir);`
 * todo may be NULL. */
int boot_fail(struct boot_failure *f, int err, const char *todo, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int boot_vfail(struct boot_failure *f, int err, const char *todo, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

/* The line for f, without the "root2ram: " prefix the log adds: instead
 * names what runs now ("booting the NFS root's /sbin/init").  Returns out. */
char *boot_failure_line(const struct boot_failure *f, const char *instead, char *out, size_t size);

#endif
