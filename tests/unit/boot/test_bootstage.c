/* What the boot decides from what it reads: the tmpfs size, the NFS root
 * recorded from mountinfo. */
#include "unit.h"
#include <errno.h>
#include <string.h>
#include "boot/bootstage.h"

#define MiB (1ULL << 20)

static void tmpfs_size_rules(void **s)
{
	(void)s;
	/* plan + a quarter + 16 MiB */
	assert_int_equal(bootstage_tmpfs_size(8 * MiB, 256 * MiB, 0, 0), 26 * MiB);
	/* capped at half of RAM */
	assert_int_equal(bootstage_tmpfs_size(100 * MiB, 256 * MiB, 0, 0), 128 * MiB);
	/* but never below what the plan needs */
	assert_int_equal(bootstage_tmpfs_size(200 * MiB, 256 * MiB, 0, 0), 200 * MiB);
	/* root2ram.size wins */
	assert_int_equal(bootstage_tmpfs_size(8 * MiB, 256 * MiB, 64 * MiB, 0), 64 * MiB);
	assert_int_equal(bootstage_tmpfs_size(8 * MiB, 1000 * MiB, 0, 25), 250 * MiB);
}

/* Together the tmpfs mounts leave a quarter of the free RAM (at least
 * 16 MiB) to the programs, however large a size was asked for. */
static void tmpfs_sizes_leave_the_programs_their_ram(void **s)
{
	struct tmpfs_sizes t;
	(void)s;
	/* 256 MiB board, 224 MiB free, a 6 MiB plan: / as before (26 MiB) */
	assert_int_equal(bootstage_tmpfs_sizes(6 * MiB, 256 * MiB, 224 * MiB, 0, 0, &t), 0);
	assert_int_equal(t.reserve, 56 * MiB);
	assert_int_equal(t.budget, 168 * MiB);
	assert_true(t.root == 6 * MiB + 6 * MiB / 4 + 16 * MiB);
	assert_true(t.root + t.tmp + t.run + t.shm <= t.budget);
	assert_true(t.tmp >= t.run && t.run == t.shm && t.run > 30 * MiB);
	assert_int_equal(t.asked, 0);
	/* root2ram.size=999999G: cut, said, and the others keep 3 MiB */
	assert_int_equal(bootstage_tmpfs_sizes(6 * MiB, 256 * MiB, 224 * MiB, 999999ULL << 30, 0, &t), 0);
	assert_true(t.asked == 999999ULL << 30);
	assert_true(t.root == 168 * MiB - TMPFS_MIN_OTHERS);
	assert_true(t.root + t.tmp + t.run + t.shm <= t.budget);
	/* root2ram.size=90%: cut too */
	assert_int_equal(bootstage_tmpfs_sizes(6 * MiB, 256 * MiB, 224 * MiB, 0, 90, &t), 0);
	assert_true(t.asked != 0 && t.root == 168 * MiB - TMPFS_MIN_OTHERS);
	/* a size that fits is not touched */
	assert_int_equal(bootstage_tmpfs_sizes(6 * MiB, 256 * MiB, 224 * MiB, 64 * MiB, 0, &t), 0);
	assert_true(t.root == 64 * MiB && t.asked == 0);
	/* too small for the plan: -ENOSPC, nothing cut */
	assert_int_equal(bootstage_tmpfs_sizes(6 * MiB, 256 * MiB, 224 * MiB, 1 * MiB, 0, &t), -ENOSPC);
	assert_true(t.root == 1 * MiB && t.asked == 0);
	/* 48 MiB board with 30 MiB free still takes a 6 MiB plan: 16 MiB kept */
	assert_int_equal(bootstage_tmpfs_sizes(6 * MiB, 48 * MiB, 30 * MiB, 0, 0, &t), 0);
	assert_int_equal(t.reserve, 16 * MiB);
	assert_true(t.root == 11 * MiB && t.root + t.tmp + t.run + t.shm <= 14 * MiB);
	/* and refuses a plan the programs' reserve cannot leave room for */
	assert_int_equal(bootstage_tmpfs_sizes(20 * MiB, 48 * MiB, 30 * MiB, 0, 0, &t), -ENOSPC);
	/* less free than the reserve: nothing */
	assert_int_equal(bootstage_tmpfs_sizes(1 * MiB, 32 * MiB, 10 * MiB, 0, 0, &t), -ENOSPC);
	assert_true(t.budget == 0 && t.root == 0);
}

/* The console line when staging stands still: after STALL_SECONDS, again
 * every STALL_REPEAT, and one when it moves again; never while it runs. */
static void stall_lines(void **s)
{
	struct stall st = { 7, 0, 0 };
	int i;
	(void)s;
	/* progress every second: nothing said */
	for (i = 0; i < 20; i++)
		assert_int_equal(bootstage_stall_step(&st, 8 + (unsigned long)i, 0), STALL_NONE);
	/* no progress but a thread on a CPU (planning): nothing said */
	for (i = 0; i < 20; i++)
		assert_int_equal(bootstage_stall_step(&st, 27, 1), STALL_NONE);
	/* standing still: said once at STALL_SECONDS */
	for (i = 1; i < STALL_SECONDS; i++)
		assert_int_equal(bootstage_stall_step(&st, 27, 0), STALL_NONE);
	assert_int_equal(bootstage_stall_step(&st, 27, 0), STALL_WAITS);
	assert_int_equal(st.idle, STALL_SECONDS);
	/* then every STALL_REPEAT seconds */
	for (i = 1; i < STALL_REPEAT; i++)
		assert_int_equal(bootstage_stall_step(&st, 27, 0), STALL_NONE);
	assert_int_equal(bootstage_stall_step(&st, 27, 0), STALL_STILL);
	assert_int_equal(st.idle, STALL_SECONDS + STALL_REPEAT);
	/* it moves: said once, with how long it waited */
	assert_int_equal(bootstage_stall_step(&st, 28, 0), STALL_GOES_ON);
	assert_int_equal(st.idle, STALL_SECONDS + STALL_REPEAT);
	assert_int_equal(bootstage_stall_step(&st, 29, 0), STALL_NONE);
	assert_int_equal(st.idle, 0);
}

static void root_mount_from_mountinfo(void **s)
{
	(void)s;
	char info[] =
		"1 1 0:2 / / rw - rootfs rootfs rw\n"
		"22 1 0:20 / / rw,relatime shared:1 - nfs 10.0.2.2:/srv/pi rw,vers=3,rsize=4096,hard,proto=tcp,addr=10.0.2.2\n"
		"23 22 0:5 / /dev rw,nosuid - devtmpfs devtmpfs rw,mode=755\n"
		"24 22 0:21 / /proc rw,nosuid,nodev,noexec - proc proc rw\n";
	char out[512];
	bootstage_root_mount(info, out, sizeof out);
	assert_string_equal(out, "source=10.0.2.2:/srv/pi\nfstype=nfs\nmount_options=rw,relatime\n"
				 "super_options=rw,vers=3,rsize=4096,hard,proto=tcp,addr=10.0.2.2\n");
}

static void root_mount_absent_or_garbled(void **s)
{
	(void)s;
	char a[] = "23 22 0:5 / /dev rw - devtmpfs devtmpfs rw\n";
	char b[] = "garbage without the dash\n\n   \n22 1 0:20 / /\n";
	char c[] = "";
	char out[64] = "x";
	bootstage_root_mount(a, out, sizeof out);
	assert_string_equal(out, "");
	bootstage_root_mount(b, out, sizeof out);
	assert_string_equal(out, "");
	bootstage_root_mount(c, out, sizeof out);
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tmpfs_size_rules),
		cmocka_unit_test(tmpfs_sizes_leave_the_programs_their_ram),
		cmocka_unit_test(stall_lines),
		cmocka_unit_test(root_mount_from_mountinfo),
		cmocka_unit_test(root_mount_absent_or_garbled),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
