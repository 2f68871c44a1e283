/* Kernel command line splitting: the kernel's next_arg() rules. */
#include "unit.h"
#include <string.h>
#include "boot/cmdline.h"

struct words { int n; char name[16][64]; char value[16][64]; int hasval[16]; int after[16]; };

static int collect(const char *name, const char *value, int after, void *ctx)
{
	struct words *w = ctx;
	strcpy(w->name[w->n], name);
	w->hasval[w->n] = value != NULL;
	strcpy(w->value[w->n], value ? value : "");
	w->after[w->n] = after;
	w->n++;
	return 0;
}

static struct words split(const char *line)
{
	static char buf[512];
	struct words w;
	memset(&w, 0, sizeof w);
	strcpy(buf, line);
	assert_int_equal(cmdline_split(buf, collect, &w), 0);
	return w;
}

static void name_value_and_flags(void **s)
{
	(void)s;
	struct words w = split("console=ttyAMA0 root=/dev/nfs rw  root2ram.debug\n");
	assert_int_equal(w.n, 4);
	assert_string_equal(w.name[0], "console");
	assert_string_equal(w.value[0], "ttyAMA0");
	assert_string_equal(w.name[2], "rw");
	assert_false(w.hasval[2]);
	assert_string_equal(w.name[3], "root2ram.debug");
	assert_false(w.hasval[3]);
}

static void value_keeps_later_equals(void **s)
{
	(void)s;
	struct words w = split("nfsroot=10.0.2.2:/srv/pi,vers=3,tcp a=b=c");
	assert_string_equal(w.value[0], "10.0.2.2:/srv/pi,vers=3,tcp");
	assert_string_equal(w.name[1], "a");
	assert_string_equal(w.value[1], "b=c");
}

static void quoting(void **s)
{
	(void)s;
	struct words w = split("root2ram.init=\"/sbin/my init\" \"root2ram.x=a b\" \"flag with space\" e=");
	assert_int_equal(w.n, 4);
	assert_string_equal(w.name[0], "root2ram.init");
	assert_string_equal(w.value[0], "/sbin/my init");
	assert_string_equal(w.name[1], "root2ram.x");
	assert_string_equal(w.value[1], "a b");
	assert_string_equal(w.name[2], "flag with space");
	assert_false(w.hasval[2]);
	assert_string_equal(w.name[3], "e");
	assert_true(w.hasval[3]);
	assert_string_equal(w.value[3], "");
}

static void after_dashdash_is_inits(void **s)
{
	(void)s;
	struct words w = split("quiet -- single root2ram.debug");
	assert_int_equal(w.n, 3);
	assert_false(w.after[0]);
	assert_string_equal(w.name[1], "single");
	assert_true(w.after[1]);
	assert_true(w.after[2]);
}

static void empty_and_spaces(void **s)
{
	(void)s;
	struct words w = split("   \t\n");
	assert_int_equal(w.n, 0);
}

static void match_treats_dash_as_underscore(void **s)
{
	(void)s;
	assert_string_equal(cmdline_match("root2ram.fall-back", "root2ram."), "fall-back");
	assert_non_null(cmdline_match("root_2ram", "root-2ram"));
	assert_null(cmdline_match("rootfs.x", "root2ram."));
	assert_null(cmdline_match("root2", "root2ram"));
}

static int stop_at_second(const char *n, const char *v, int a, void *ctx)
{
	(void)n; (void)v; (void)a;
	return ++*(int *)ctx == 2 ? 7 : 0;
}

static void callback_can_stop(void **s)
{
	(void)s;
	char buf[] = "a b c";
	int count = 0;
	assert_int_equal(cmdline_split(buf, stop_at_second, &count), 7);
	assert_int_equal(count, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(name_value_and_flags),
		cmocka_unit_test(value_keeps_later_equals),
		cmocka_unit_test(quoting),
		cmocka_unit_test(after_dashdash_is_inits),
		cmocka_unit_test(empty_and_spaces),
		cmocka_unit_test(match_treats_dash_as_underscore),
		cmocka_unit_test(callback_can_stop),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
