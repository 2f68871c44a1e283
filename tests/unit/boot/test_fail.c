/* The boot failure line: what failed; why; what to do; what runs instead. */
#include "unit.h"

#include <errno.h>
#include <string.h>

#include "boot/fail.h"

static void every_part(void **s)
{
	struct boot_failure f;
	char line[400];
	(void)s;
	assert_int_equal(boot_fail(&f, -ENODEV, "is CONFIG_TMPFS on?", "mount a tmpfs on %s", "/run"), -1);
	assert_string_equal(boot_failure_line(&f, "booting the NFS root's /sbin/init", line, sizeof line),
			    "mount a tmpfs on /run: No such device; is CONFIG_TMPFS on?; "
			    "booting the NFS root's /sbin/init instead");
}

static void parts_left_out(void **s)
{
	struct boot_failure f;
	char line[400];
	(void)s;
	/* no errno: no ": reason"; no advice: no "; advice" */
	boot_fail(&f, 0, NULL, "root2ram=off on the kernel command line");
	assert_string_equal(boot_failure_line(&f, "booting the NFS root's /sbin/init", line, sizeof line),
			    "root2ram=off on the kernel command line; booting the NFS root's /sbin/init instead");
	boot_fail(&f, -ENOENT, NULL, "run %s in the RAM root", "/sbin/init");
	assert_string_equal(boot_failure_line(&f, "starting /bin/sh", line, sizeof line),
			    "run /sbin/init in the RAM root: No such file or directory; starting /bin/sh instead");
	boot_fail(&f, 0, "trim the manifest", "the plan needs %s", "9.0 MiB");
	assert_string_equal(boot_failure_line(&f, "booting X", line, sizeof line),
			    "the plan needs 9.0 MiB; trim the manifest; booting X instead");
}

static void cut_not_overrun(void **s)
{
	struct boot_failure f;
	char big[1000], line[40];
	(void)s;
	memset(big, 'w', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	boot_fail(&f, 0, big, "%s", big);
	assert_int_equal(strlen(f.what), sizeof f.what - 1);
	assert_int_equal(strlen(f.todo), sizeof f.todo - 1);
	boot_failure_line(&f, "x", line, sizeof line);
	assert_int_equal(strlen(line), sizeof line - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_part),
		cmocka_unit_test(parts_left_out),
		cmocka_unit_test(cut_not_overrun),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
