/* Wildcards: the same answers as fnmatch(3) with FNM_PERIOD. */
#include "unit.h"
#include <fnmatch.h>
#include <string.h>
#include "lib/match.h"

static const char *const pats[] = {
	"*", "*.conf", "lib*.so.?", "[a-c]*", "[!a-c]*", "[^.]*", "*[0-9]", "a?c", "\\*", "a\\?c",
	"[]]x", "[!]]x", "[a-]", "[-a]", "[", "a[", "[a", "*.so*", "**x", "*a*b*c*", ".*", "\\.*",
	"ld-musl-*.path", "libnss_*.so.2", "*/x", "", "?", "[\\]]", "[z-a]", "x*y*z",
};
static const char *const names[] = {
	"", "a", "abc", "a.conf", ".conf", ".hidden", "libz.so.1", "libz.so.12", "b1", "d9", "*", "a?c",
	"abc", "]x", "ax", "-", "[", "a[", "[a", "libc.so.6", "xxxx", "aXbYcZ", "ld-musl-arm.path",
	"libnss_files.so.2", "a/x", "]", "z", "xyz", "xaybz", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaab",
};

static void agrees_with_fnmatch(void **s)
{
	(void)s;
	for (size_t i = 0; i < sizeof pats / sizeof *pats; i++)
		for (size_t j = 0; j < sizeof names / sizeof *names; j++) {
			int want = fnmatch(pats[i], names[j], FNM_PERIOD) == 0;
			int got = match_glob(pats[i], names[j]);
			if (want != got)
				fail_msg("pattern '%s' name '%s': fnmatch says %d, match_glob %d", pats[i],
					 names[j], want, got);
		}
}

static void leading_period(void **s)
{
	(void)s;
	assert_false(match_glob("*", ".profile"));
	assert_false(match_glob("?profile", ".profile"));
	assert_false(match_glob("[.]profile", ".profile"));
	assert_true(match_glob(".*", ".profile"));
	assert_true(match_glob("*", "x.profile"));
}

static void no_exponential_backtracking(void **s)
{
	(void)s;
	char name[200];
	memset(name, 'a', sizeof name - 1);
	name[sizeof name - 1] = '\0';
	assert_false(match_glob("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", name));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(agrees_with_fnmatch),
		cmocka_unit_test(leading_period),
		cmocka_unit_test(no_exponential_backtracking),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
