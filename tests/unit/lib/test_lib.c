/* The small shared helpers of init/lib: numbers, the arena, the string map,
 * reading small files. */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/arena.h"
#include "lib/file.h"
#include "lib/mount.h"
#include "lib/num.h"
#include "lib/strmap.h"

static void decimal(void **s)
{
	unsigned long long v;
	const char *end;
	(void)s;
	end = num_decimal("16x", &v);
	assert_non_null(end);
	assert_string_equal(end, "x");
	assert_true(v == 16);
	assert_null(num_decimal("x", &v));
	assert_null(num_decimal(NULL, &v));
	assert_null(num_decimal("99999999999999999999", &v));
	end = num_decimal("007", &v);
	assert_true(end && !*end && v == 7);
	end = num_decimal("18446744073709551615", &v);
	assert_true(end && !*end && v == ~0ULL);
}

static void in_range(void **s)
{
	unsigned long long v;
	(void)s;
	assert_int_equal(num_in_range("1", 1, 16, &v), 0);
	assert_true(v == 1);
	assert_int_equal(num_in_range("16", 1, 16, &v), 0);
	assert_int_equal(num_in_range("0", 1, 16, &v), -EINVAL);
	assert_int_equal(num_in_range("17", 1, 16, &v), -EINVAL);
	assert_int_equal(num_in_range("4x", 1, 16, &v), -EINVAL);
	assert_int_equal(num_in_range("", 1, 16, &v), -EINVAL);
	assert_int_equal(num_in_range(NULL, 1, 16, &v), -EINVAL);
}

static void arena(void **s)
{
	struct arena a = { 0 };
	char *p[2000];
	(void)s;
	/* many blocks' worth, each string intact, each aligned */
	for (int i = 0; i < 2000; i++) {
		char buf[64];
		snprintf(buf, sizeof buf, "string number %d", i);
		p[i] = arena_strdup(&a, buf);
		assert_non_null(p[i]);
		assert_int_equal((uintptr_t)p[i] % _Alignof(max_align_t), 0);
	}
	for (int i = 0; i < 2000; i++) {
		char buf[64];
		snprintf(buf, sizeof buf, "string number %d", i);
		assert_string_equal(p[i], buf);
	}
	/* larger than a block */
	char *big = arena_alloc(&a, 200000);
	assert_non_null(big);
	memset(big, 'x', 200000);
	assert_string_equal(arena_strndup(&a, "abcdef", 3), "abc");
	arena_free(&a);
	assert_null(a.head);
}

static void strmap(void **s)
{
	struct strmap m = { 0 };
	struct arena a = { 0 };
	const char *keys[5000];
	(void)s;
	assert_null(strmap_get(&m, "absent"));
	for (int i = 0; i < 5000; i++) {
		char buf[32];
		snprintf(buf, sizeof buf, "/usr/lib/k%d", i);
		keys[i] = arena_strdup(&a, buf);
		assert_int_equal(strmap_put(&m, keys[i], (void *)(uintptr_t)(i + 1)), 0);
	}
	assert_int_equal(m.n, 5000);
	for (int i = 0; i < 5000; i++) {
		char buf[32];
		snprintf(buf, sizeof buf, "/usr/lib/k%d", i);
		assert_int_equal((uintptr_t)strmap_get(&m, buf), i + 1);
	}
	/* replacing keeps the count */
	assert_int_equal(strmap_put(&m, keys[7], (void *)(uintptr_t)99), 0);
	assert_int_equal(m.n, 5000);
	assert_int_equal((uintptr_t)strmap_get(&m, "/usr/lib/k7"), 99);
	assert_null(strmap_get(&m, "/usr/lib/k5000"));
	strmap_free(&m);
	assert_null(strmap_get(&m, "/usr/lib/k1"));
	arena_free(&a);
}

/* A writer that sends its bytes in small pieces with pauses, as /proc and
 * pipes do: read_full must gather them all. */
static void short_reads(void **s)
{
	int fd[2];
	char buf[64];
	pid_t pid;
	(void)s;
	assert_int_equal(pipe(fd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fd[0]);
		for (const char *p = "0123456789abcdef"; *p; p += 4) {
			if (write(fd[1], p, 4) != 4)
				_exit(1);
			usleep(20000);
		}
		_exit(0);
	}
	close(fd[1]);
	assert_int_equal(read_full(fd[0], buf, 16), 16);
	assert_memory_equal(buf, "0123456789abcdef", 16);
	assert_int_equal(read_full(fd[0], buf, 16), 0); /* end of file */
	close(fd[0]);
	waitpid(pid, NULL, 0);
	assert_int_equal(read_full(-1, buf, 1), -EBADF);
}

static void text_files(void **s)
{
	char dir[] = "/tmp/r2r-lib-XXXXXX", path[64], buf[8];
	(void)s;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/f", dir);
	assert_int_equal(write_text(path, "hello world\n"), 0);
	/* cut to the buffer, always terminated */
	assert_int_equal(read_text(path, buf, sizeof buf), 7);
	assert_string_equal(buf, "hello w");
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);
	char big[64];
	assert_int_equal(read_text_at(dfd, "f", big, sizeof big), 12);
	assert_string_equal(big, "hello world\n");
	assert_int_equal(read_text_at(dfd, "absent", big, sizeof big), -ENOENT);
	assert_string_equal(big, "");
	close(dfd);
	unlink(path);
	rmdir(dir);
}

static void mount_points_from_mountinfo(void **s)
{
	const char *info =
		"22 1 0:20 / / rw,relatime shared:1 - nfs 10.0.2.2:/srv/pi rw,vers=3\n"
		"23 22 0:5 / /dev rw,nosuid - devtmpfs devtmpfs rw,mode=755\n"
		"30 22 0:30 / /old_root rw - nfs 10.0.2.2:/srv/pi rw,soft\n"
		"31 22 0:31 / /mnt/my\\040disk rw - tmpfs t rw\n"
		"32 22 0:32 / /a\\134b rw - tmpfs t rw";
	(void)s;
	assert_true(mountinfo_has(info, "/"));
	assert_true(mountinfo_has(info, "/dev"));
	assert_true(mountinfo_has(info, "/old_root"));
	assert_true(mountinfo_has(info, "/mnt/my disk"));
	assert_true(mountinfo_has(info, "/a\\b"));
	assert_false(mountinfo_has(info, "/old"));
	assert_false(mountinfo_has(info, "/old_root/etc"));
	assert_false(mountinfo_has(info, "/mnt/my"));
	assert_false(mountinfo_has(info, "/proc"));
	assert_false(mountinfo_has("", "/"));
	assert_false(mountinfo_has("garbage\n\n1 2\n", "/"));
	/* this process: / is always a mount point, /proc here is one */
	assert_true(is_mountpoint("/"));
	assert_true(is_mountpoint("/proc"));
	assert_false(is_mountpoint("/proc/self"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decimal),
		cmocka_unit_test(in_range),
		cmocka_unit_test(arena),
		cmocka_unit_test(strmap),
		cmocka_unit_test(short_reads),
		cmocka_unit_test(text_files),
		cmocka_unit_test(mount_points_from_mountinfo),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
