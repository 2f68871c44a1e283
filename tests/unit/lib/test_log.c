/* Logging: the message shape on the console and on /dev/kmsg. */
#include "unit.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "lib/log.h"

static int pipes[2][2];

static int setup(void **s)
{
	(void)s;
	if (pipe(pipes[0]) || pipe(pipes[1]))
		return -1;
	fcntl(pipes[0][0], F_SETFL, O_NONBLOCK);
	fcntl(pipes[1][0], F_SETFL, O_NONBLOCK);
	log_setup(pipes[0][1], pipes[1][1], LOG_INFO);
	return 0;
}

static int teardown(void **s)
{
	(void)s;
	for (int i = 0; i < 2; i++) {
		close(pipes[i][0]);
		close(pipes[i][1]);
	}
	log_setup(2, -1, LOG_INFO);
	return 0;
}

static const char *drain(int which)
{
	static char buf[4096];
	ssize_t n = read(pipes[which][0], buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void console_and_kmsg_lines(void **s)
{
	(void)s;
	info("staged %d files, %s in %.2f s", 214, "5.3 MiB", 0.41);
	assert_string_equal(drain(0), "root2ram: staged 214 files, 5.3 MiB in 0.41 s\n");
	assert_string_equal(drain(1), "<5>root2ram: staged 214 files, 5.3 MiB in 0.41 s\n");
}

static void levels_have_prefixes_and_priorities(void **s)
{
	(void)s;
	warn("unable to read %s", "/etc/x");
	assert_string_equal(drain(0), "root2ram: warning: unable to read /etc/x\n");
	assert_string_equal(drain(1), "<4>root2ram: warning: unable to read /etc/x\n");
	fatal("no init");
	assert_string_equal(drain(1), "<2>root2ram: fatal: no init\n");
	assert_string_equal(drain(0), "root2ram: fatal: no init\n");
	error("plan failed");
	assert_string_equal(drain(0), "root2ram: plan failed\n");
	assert_string_equal(drain(1), "<3>root2ram: plan failed\n");
}

static void debug_only_when_asked(void **s)
{
	(void)s;
	debug("hidden");
	assert_string_equal(drain(0), "");
	log_set_level(LOG_DEBUG);
	debug("shown %d", 1);
	assert_string_equal(drain(0), "root2ram: debug: shown 1\n");
	assert_string_equal(drain(1), "<7>root2ram: debug: shown 1\n");
	log_set_level(LOG_INFO);
}

static void long_lines_are_cut_not_overflowed(void **s)
{
	(void)s;
	char big[3000];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	info("%s", big);
	const char *out = drain(0);
	size_t n = strlen(out);
	assert_true(n > 900 && n < 1024);
	assert_int_equal(out[n - 1], '\n');
	assert_memory_equal(out, "root2ram: xxx", 13);
	const char *k = drain(1);
	assert_memory_equal(k, "<5>root2ram: ", 13);
	assert_int_equal(k[strlen(k) - 1], '\n');
}

static void errno_preserved(void **s)
{
	(void)s;
	errno = 42;
	info("x");
	assert_int_equal(errno, 42);
	drain(0);
	drain(1);
}

static void human_bytes(void **s)
{
	(void)s;
	char b[32];
	assert_string_equal(log_human_bytes(812, b, sizeof b), "812 B");
	assert_string_equal(log_human_bytes(5557452, b, sizeof b), "5.3 MiB");
	assert_string_equal(log_human_bytes(1536, b, sizeof b), "1.5 KiB");
	assert_string_equal(log_human_bytes(3ULL << 30, b, sizeof b), "3.0 GiB");
}

static void elapsed_grows(void **s)
{
	(void)s;
	log_start_clock();
	double a = log_elapsed();
	usleep(20000);
	double b = log_elapsed();
	assert_true(a >= 0 && a < 0.02);
	assert_true(b - a >= 0.019);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(console_and_kmsg_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(levels_have_prefixes_and_priorities, setup, teardown),
		cmocka_unit_test_setup_teardown(debug_only_when_asked, setup, teardown),
		cmocka_unit_test_setup_teardown(long_lines_are_cut_not_overflowed, setup, teardown),
		cmocka_unit_test_setup_teardown(errno_preserved, setup, teardown),
		cmocka_unit_test(human_bytes),
		cmocka_unit_test(elapsed_grows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
