/* The command dispatcher: what `root2ram ...` prints and returns. */
#include "unit.h"
#include <string.h>
#include "capture.h"
#include "cmd/cmd.h"
#include "version.h"

static int run(char **out, char **err, int argc, ...)
{
	char *argv[8];
	va_list ap;
	struct capture co, ce;
	int r;

	va_start(ap, argc);
	for (int i = 0; i < argc; i++)
		argv[i] = va_arg(ap, char *);
	va_end(ap);
	argv[argc] = NULL;
	capture_start(&co, 1);
	capture_start(&ce, 2);
	r = dispatch(argc, argv);
	*err = capture_end(&ce);
	*out = capture_end(&co);
	return r;
}

static void help_lists_every_command(void **s)
{
	(void)s;
	char *out, *err;
	assert_int_equal(run(&out, &err, 2, "root2ram", "--help"), 0);
	const char *names[] = { "ldd", "plan", "stage", "nfs", "status", "version", "help" };
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		char want[32];
		snprintf(want, sizeof want, "\n  %s ", names[i]);
		assert_non_null(strstr(out, want));
	}
	assert_non_null(strstr(out, "usage: root2ram COMMAND"));
	assert_string_equal(err, "");
	free(out);
	free(err);
}

static void no_command_is_usage_error(void **s)
{
	(void)s;
	char *out, *err;
	assert_int_equal(run(&out, &err, 1, "root2ram"), EXIT_USAGE);
	assert_string_equal(out, "");
	assert_non_null(strstr(err, "usage: root2ram COMMAND"));
	free(out);
	free(err);
}

static void unknown_command(void **s)
{
	(void)s;
	char *out, *err;
	assert_int_equal(run(&out, &err, 2, "root2ram", "lld"), EXIT_USAGE);
	assert_string_equal(err, "root2ram: unknown command 'lld'; 'root2ram --help' lists the commands\n");
	free(out);
	free(err);
}

static void version(void **s)
{
	(void)s;
	char *out, *err;
	assert_int_equal(run(&out, &err, 2, "root2ram", "--version"), 0);
	assert_memory_equal(out, "root2ram ", 9);
	assert_string_equal(out + 9, R2R_VERSION "\n");
	free(out);
	free(err);
}

static void help_for_one_command(void **s)
{
	(void)s;
	char *out, *err;
	assert_int_equal(run(&out, &err, 3, "root2ram", "help", "ldd"), 0);
	assert_non_null(strstr(out, "usage: root2ram ldd [--root DIR]"));
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, 3, "root2ram", "help", "fly"), EXIT_USAGE);
	assert_non_null(strstr(err, "no command 'fly'"));
	free(out);
	free(err);
}

/* `root2ram nfs --help` is the help of nfs, not an nfs error, for every command */
static void command_dash_dash_help(void **s)
{
	(void)s;
	const char *names[] = { "ldd", "plan", "stage", "nfs", "status", "version" };
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		char *out, *err, want[64];
		assert_int_equal(run(&out, &err, 3, "root2ram", names[i], i % 2 ? "-h" : "--help"), 0);
		snprintf(want, sizeof want, "usage: root2ram %s ", names[i]);
		assert_non_null(strstr(out, want));
		assert_string_equal(err, "");
		free(out);
		free(err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(help_lists_every_command),
		cmocka_unit_test(no_command_is_usage_error),
		cmocka_unit_test(unknown_command),
		cmocka_unit_test(version),
		cmocka_unit_test(help_for_one_command),
		cmocka_unit_test(command_dash_dash_help),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
