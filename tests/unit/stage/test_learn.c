/* The learned manifest's text: grouping, sorting, what is left out, the
 * merge with an earlier run. */
#include "unit.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/log.h"
#include "stage/learn.h"
#include "stage/manifest.h"

static const char *const head =
	"# Learned by `root2ram learn` on D1, from: app\n"
	"# Every file the run opened, executed or mapped, by the program that\n"
	"# used it first; what base brings, the API file systems and the files\n"
	"# the run created are left out.  Learning again with -o this file adds\n"
	"# what this run did not see.\n"
	"include base\n";

/* The run the tests learn: python, its libraries, a helper it runs, a
 * file it writes, a file it creates, API files. */
static void run(struct learn *l)
{
	assert_int_equal(learn_note(l, "/usr/bin/python3.11", "/usr/bin/python3.11", 10, LEARN_READ, 100), 0);
	assert_int_equal(learn_note(l, "/usr/lib/python3.11/os.py", "/usr/bin/python3.11", 10, LEARN_READ, 20), 0);
	assert_int_equal(learn_note(l, "/usr/lib/python3.11/json/__init__.py", "/usr/bin/python3.11", 10, LEARN_READ, 5), 0);
	assert_int_equal(learn_note(l, "/usr/bin/true", "/usr/bin/true", 11, LEARN_READ, 7), 0);
	assert_int_equal(learn_note(l, "/etc/ld.so.cache", "/usr/bin/true", 11, LEARN_READ, 9), 0);
	assert_int_equal(learn_note(l, "/etc/passwd", "/usr/bin/python3.11", 10, LEARN_READ, 1000), 0);
	assert_int_equal(learn_note(l, "/proc/self/maps", "/usr/bin/python3.11", 10, LEARN_READ, 0), 0);
	assert_int_equal(learn_note(l, "/tmp/x", "/usr/bin/python3.11", 10, LEARN_READ, 0), 0);
	assert_int_equal(learn_note(l, "/var/tmp/y", "/usr/bin/python3.11", 10, LEARN_READ, 0), 0);
	assert_int_equal(learn_note(l, "/var/lib/app/db", "/usr/bin/python3.11", 10, LEARN_READ, 50), 0);
	assert_int_equal(learn_note(l, "/var/lib/app/db", "/usr/bin/python3.11", 10, LEARN_WRITTEN, 60), 0);
	assert_int_equal(learn_note(l, "/var/lib/app/new.log", "/usr/bin/python3.11", 10,
				    LEARN_READ | LEARN_WRITTEN | LEARN_NEW, 3), 0);
	/* seen later by another program: the first one keeps it */
	assert_int_equal(learn_note(l, "/usr/lib/python3.11/os.py", "/usr/bin/true", 11, LEARN_READ, 20), 0);
	assert_int_equal(learn_note_dir(l, "/var/lib/app", 0750), 0);
	assert_int_equal(learn_note_dir(l, "/tmp", 01777), 0);
}

static const char *const body =
	"\n# used by /usr/bin/python3.11 (pid 10)\n"
	"/usr/bin/python3.11\n"
	"/usr/lib/python3.11/json/__init__.py\n"
	"/usr/lib/python3.11/os.py\n"
	"/var/lib/app/db\n"
	"\n# used by /usr/bin/true (pid 11)\n"
	"/usr/bin/true\n"
	"\n# written to: the directories, not what the run wrote in them\n"
	"dir /var/lib/app 0750\n";

/* base: /etc/passwd and the ld.so.cache */
static void base(struct learn *l)
{
	assert_int_equal(learn_skip(l, "/etc/passwd"), 0);
	assert_int_equal(learn_skip(l, "/etc/ld.so.cache"), 0);
}

static char *text(struct learn *l, const char *old, const char *date, struct learn_totals *t)
{
	char *out = NULL;
	assert_int_equal(learn_text(l, old, date, "app", &out, t), 0);
	assert_non_null(out);
	return out;
}

static void grouped_and_sorted(void **s)
{
	(void)s;
	struct learn l;
	struct learn_totals t;
	char want[4096];
	char *out;

	learn_init(&l);
	run(&l);
	base(&l);
	out = text(&l, NULL, "D1", &t);
	snprintf(want, sizeof want, "%s%s", head, body);
	assert_string_equal(out, want);
	assert_int_equal(t.files, 5);
	assert_int_equal(t.dirs, 1);
	assert_int_equal(t.added, 6);
	assert_int_equal(t.bytes, 100 + 20 + 5 + 7 + 60);
	assert_int_equal(t.base, 2);
	assert_int_equal(t.api, 3);
	assert_int_equal(t.created, 1);
	free(out);
	learn_free(&l);
}

static void api_and_names(void **s)
{
	(void)s;
	struct learn l;

	assert_true(learn_is_api("/proc"));
	assert_true(learn_is_api("/dev/null"));
	assert_true(learn_is_api("/run/lock/x"));
	assert_true(learn_is_api("/var/tmp"));
	assert_false(learn_is_api("/processes"));
	assert_false(learn_is_api("/var/tmpfoo"));
	assert_false(learn_is_api("/usr/tmp"));
	assert_true(learn_nameable("/usr/lib/a.so"));
	assert_false(learn_nameable("usr/lib"));
	assert_false(learn_nameable("/a b"));
	assert_false(learn_nameable("/x (deleted)"));
	assert_false(learn_nameable("/a\nb"));
	learn_init(&l);
	assert_int_equal(learn_note(&l, "/a b", NULL, 1, LEARN_READ, 0), -EINVAL);
	assert_int_equal(learn_note_dir(&l, "rel", 0755), -EINVAL);
	assert_int_equal(l.nf, 0);
	learn_free(&l);
}

/* base's own lines: trees, globs, dir, symlink and links; the plan's
 * paths come as learn_skip. */
static void base_manifest(void **s)
{
	(void)s;
	struct manifest m;
	struct learn l;
	struct learn_totals t;
	char *out;
	char txt[] = "dir /var/log 0755\n"
		     "/etc/dropbear/\n"
		     "/usr/share/zoneinfo/[A-Z]*\n"
		     "/usr/lib/*/gconv/\n"
		     "symlink /bin/sh busybox\n"
		     "links /bin/busybox /usr/bin awk sort\n"
		     "lib libnss_files.so.2\n";

	manifest_init(&m, NULL, "/nonexistent");
	assert_int_equal(manifest_parse(&m, txt, strlen(txt), "base.manifest", "base.manifest"), 0);
	learn_init(&l);
	assert_int_equal(learn_skip_manifest(&l, &m), 0);
	manifest_free(&m);
	assert_true(learn_known(&l, "/etc/dropbear/dropbear_ed25519_host_key"));
	assert_true(learn_known(&l, "/etc/dropbear"));
	assert_false(learn_known(&l, "/etc/dropbearx"));
	assert_true(learn_known(&l, "/usr/share/zoneinfo/Europe"));
	assert_false(learn_known(&l, "/usr/share/zoneinfo/Europe/Paris"));
	assert_false(learn_known(&l, "/usr/share/zoneinfo/posixrules"));
	assert_true(learn_known(&l, "/usr/lib/x86_64-linux-gnu/gconv/UTF-16.so"));
	assert_true(learn_known(&l, "/usr/bin/awk"));
	assert_true(learn_known(&l, "/bin/sh"));
	assert_false(learn_known(&l, "/usr/bin/python3"));

	learn_note(&l, "/usr/bin/sort", "/usr/bin/sort", 3, LEARN_READ, 1);
	learn_note(&l, "/usr/share/zoneinfo/UTC", "/usr/bin/date", 4, LEARN_READ, 1);
	learn_note(&l, "/usr/share/zoneinfo/right/UTC", "/usr/bin/date", 4, LEARN_READ, 1);
	learn_note_dir(&l, "/var/log", 0755);
	learn_note_dir(&l, "/", 0755);
	out = text(&l, NULL, "D1", &t);
	assert_non_null(strstr(out, "\n# used by /usr/bin/date (pid 4)\n/usr/share/zoneinfo/right/UTC\n"));
	assert_null(strstr(out, "sort"));
	assert_null(strstr(out, "dir "));
	assert_int_equal(t.base, 2);
	assert_int_equal(t.added, 1);
	free(out);
	learn_free(&l);
}

/* Merging: the old text stays, only what it lacks is added; the same run
 * again (another day) changes nothing. */
static void merge(void **s)
{
	(void)s;
	struct learn l;
	struct learn_totals t;
	char *first, *second, *third, want[4096];
	const char *old = "# mine\n"
			  "include base\n"
			  "/usr/bin/python3.11\n"
			  "? /usr/lib/python3.11/os.py\n"
			  "/usr/lib/python3.11/json/\n"
			  "dir /var/lib/app 0700\n"
			  "/opt/kept";

	learn_init(&l);
	run(&l);
	base(&l);
	assert_int_equal(learn_old(&l, old), 0);
	first = text(&l, old, "D2", &t);
	snprintf(want, sizeof want,
		 "%s\n"
		 "\n# learned again on D2, from: app\n"
		 "\n# used by /usr/bin/python3.11 (pid 10)\n"
		 "/var/lib/app/db\n"
		 "\n# used by /usr/bin/true (pid 11)\n"
		 "/usr/bin/true\n",
		 old);
	assert_string_equal(first, want);
	assert_int_equal(t.files, 5);
	assert_int_equal(t.added, 2);
	learn_free(&l);

	/* the same run, merged into what it wrote */
	learn_init(&l);
	run(&l);
	base(&l);
	assert_int_equal(learn_old(&l, first), 0);
	second = text(&l, first, "D3", &t);
	assert_string_equal(second, first);
	assert_int_equal(t.added, 0);
	assert_int_equal(t.files, 5);
	learn_free(&l);

	/* a new file merged the same way twice */
	learn_init(&l);
	run(&l);
	base(&l);
	third = text(&l, NULL, "D1", &t);
	learn_free(&l);
	learn_init(&l);
	run(&l);
	base(&l);
	assert_int_equal(learn_old(&l, third), 0);
	free(second);
	second = text(&l, third, "D4", &t);
	assert_string_equal(second, third);
	learn_free(&l);

	free(first);
	free(second);
	free(third);
}

/* What was gone at the end is left out; NEW counts only at first sight. */
static void gone_and_new(void **s)
{
	(void)s;
	struct learn l;
	struct learn_totals t;
	char *out;

	learn_init(&l);
	learn_note(&l, "/etc/app.conf", "/a", 1, LEARN_READ, 1);
	/* modified later (its mtime is now after the start): still old */
	learn_note(&l, "/etc/app.conf", "/a", 1, LEARN_WRITTEN | LEARN_NEW, 2);
	learn_note(&l, "/var/lib/app/lock", "/a", 1, LEARN_READ, 0);
	l.f[1].flags |= LEARN_GONE;
	out = text(&l, "", "D1", &t);
	assert_non_null(strstr(out, "\n/etc/app.conf\n"));
	assert_null(strstr(out, "lock"));
	assert_int_equal(t.gone, 1);
	assert_int_equal(t.created, 0);
	assert_int_equal(t.bytes, 2);
	free(out);
	learn_free(&l);
}

int main(void)
{
	log_setup(2, -1, LOG_INFO);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(grouped_and_sorted),
		cmocka_unit_test(api_and_names),
		cmocka_unit_test(base_manifest),
		cmocka_unit_test(merge),
		cmocka_unit_test(gone_and_new),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
